// Service data upload: a file larger than one piece goes to the server in pieces
// (audit.services: start, pieces with their offset, finish), with a progress bar. After a
// network error it asks the server how much arrived and goes on from there, so a large file
// over a slow link does not fail at 99 %. Without JavaScript the plain form posts the file.
(function () {
  "use strict";
  var form = document.querySelector("form[data-chunked-upload]");
  if (!form || !window.fetch || !window.Blob || !Blob.prototype.slice) return;
  var input = form.querySelector("input[type=file]");
  var button = form.querySelector("button[type=submit]");
  var panel = document.getElementById("upload-progress");
  var bar = panel.querySelector("progress");
  var message = panel.querySelector("[data-upload-message]");
  var pieceBytes = parseInt(form.dataset.pieceBytes, 10);
  var RETRIES = 12;

  function csrf() {
    return form.querySelector("[name=csrfmiddlewaretoken]").value;
  }

  function say(text, isError) {
    message.textContent = text;
    message.classList.toggle("text-danger", Boolean(isError));
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function Refused(text, status) { this.message = text; this.status = status; }

  async function call(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ "X-CSRFToken": csrf(), Accept: "application/json" }, options.headers || {});
    var response = await fetch(url, options);
    var data = {};
    try { data = await response.json(); } catch (error) { data = {}; }
    // A server error, or a piece that arrived damaged (422): worth sending again.
    if (response.status >= 500 || response.status === 422) throw new Error("server " + response.status);
    if (!response.ok && response.status !== 409) throw new Refused(data.error || "The upload was refused.", response.status);
    return { status: response.status, data: data };
  }

  async function digest(file) {
    if (!(window.crypto && crypto.subtle && file.arrayBuffer)) return "";
    try {
      var hash = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
      return Array.from(new Uint8Array(hash), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    } catch (error) {
      return "";  // too large for this browser's memory: the server checks the size alone
    }
  }

  // The SHA-256 of one piece, which the server checks as it arrives ("" where the browser
  // cannot compute it: the server then checks the whole file's size and digest at the end).
  async function pieceDigest(blob) {
    if (!(window.crypto && crypto.subtle && blob.arrayBuffer)) return "";
    try {
      var hash = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
      return Array.from(new Uint8Array(hash), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    } catch (error) {
      return "";
    }
  }

  async function withRetries(step, onRetry) {
    for (var attempt = 0; ; attempt++) {
      try {
        return await step();
      } catch (error) {
        if (error instanceof Refused || attempt >= RETRIES) throw error;
        var delay = Math.min(30000, 1000 * Math.pow(2, attempt));
        say("The connection dropped; trying again in " + Math.round(delay / 1000) + " s…");
        await wait(delay);
        if (onRetry) await onRetry();
      }
    }
  }

  async function send(file) {
    panel.hidden = false;
    button.disabled = true;
    bar.value = 0;
    say("Preparing " + file.name + "…");
    var sha256 = await digest(file);
    var body = new FormData();
    body.append("name", file.name);
    body.append("size", String(file.size));
    body.append("sha256", sha256);
    var started = (await withRetries(function () {
      return call(form.dataset.startUrl, { method: "POST", body: body });
    })).data;
    var offset = started.received;
    var piece = Math.min(pieceBytes, started.chunk_bytes);
    bar.max = file.size;
    while (offset < file.size) {
      var answer = await withRetries(
        async function () {
          var blob = file.slice(offset, offset + piece);
          return call(started.url + "?offset=" + offset, {
            method: "POST",
            body: blob,
            headers: { "Content-Type": "application/octet-stream", "X-Piece-SHA256": await pieceDigest(blob) },
          });
        },
        async function () {  // after a network error: where does the server stand?
          try { offset = (await call(started.url, { method: "GET" })).data.received; } catch (error) { /* next try */ }
        }
      );
      offset = answer.data.received;
      bar.value = offset;
      say("Uploaded " + megabytes(offset) + " of " + megabytes(file.size) + ".");
    }
    say("Checking the file…");
    var tries = 0;
    var finished = await withRetries(async function () {
      tries += 1;
      try {
        return await call(started.finish_url, { method: "POST" });
      } catch (error) {
        // The answer to an earlier try was lost on the way, but the server had taken the
        // file (the upload is gone): this page lists the import.
        if (tries > 1 && error instanceof Refused && error.status === 404) {
          return { status: 200, data: { redirect: window.location.pathname } };
        }
        throw error;
      }
    });
    if (finished.status === 409) throw new Refused("Part of the file is missing; upload it again.");
    window.location.assign(finished.data.redirect);
  }

  form.addEventListener("submit", function (event) {
    var file = input.files && input.files[0];
    if (!file || file.size <= pieceBytes) return;  // one request is enough: the plain form
    event.preventDefault();
    send(file).catch(function (error) {
      say(error.message || "The upload failed; try again.", true);
      button.disabled = false;
    });
  });
})();
