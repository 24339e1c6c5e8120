// The champion pitch as a slide deck: one slide at a time, keys and swipes to move, full
// screen, and a presenter's window (with the speaker notes) that steers the audience's.
// Without this script every slide reads as one page, which also prints.
(function () {
  var deck = document.querySelector("[data-deck]");
  if (!deck) return;
  var slides = Array.prototype.slice.call(deck.querySelectorAll(".pitch-slide"));
  if (!slides.length) return;
  var position = document.querySelector("[data-deck-position]");
  var controls = document.querySelector("[data-deck-controls]");
  var help = document.querySelector("[data-deck-help]");
  var channel = "BroadcastChannel" in window ? new BroadcastChannel(deck.dataset.channel) : null;
  var current = 0;

  function title(slide) {
    var heading = slide.querySelector("h1, h2");
    return heading ? heading.textContent.trim() : "";
  }

  function show(index, fromOtherWindow) {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (slide, i) { slide.hidden = i !== current; });
    position.textContent = "Slide " + (current + 1) + " of " + slides.length + ": " + title(slides[current]);
    controls.querySelector("[data-deck-previous]").disabled = current === 0;
    controls.querySelector("[data-deck-next]").disabled = current === slides.length - 1;
    if (window.location.hash !== "#" + slides[current].dataset.slide) {
      history.replaceState(null, "", "#" + slides[current].dataset.slide);
    }
    // Charts drawn while their slide was hidden take their size now.
    window.dispatchEvent(new Event("resize"));
    if (channel && !fromOtherWindow) channel.postMessage({ slide: current });
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (deck.requestFullscreen) {
      deck.requestFullscreen().then(function () { window.dispatchEvent(new Event("resize")); });
    }
  }

  controls.hidden = false;
  help.hidden = false;
  deck.classList.add("is-running");
  controls.querySelector("[data-deck-previous]").addEventListener("click", function () { show(current - 1); });
  controls.querySelector("[data-deck-next]").addEventListener("click", function () { show(current + 1); });
  controls.querySelector("[data-deck-fullscreen]").addEventListener("click", toggleFullscreen);
  controls.querySelector("[data-deck-print]").addEventListener("click", function () { window.print(); });
  document.addEventListener("fullscreenchange", function () { window.dispatchEvent(new Event("resize")); });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    var onButton = target.closest("button, a");
    if (event.key === "ArrowRight" || event.key === "PageDown" || (event.key === " " && !onButton)) {
      show(current + 1);
    } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
      show(current - 1);
    } else if (event.key === "Home") {
      show(0);
    } else if (event.key === "End") {
      show(slides.length - 1);
    } else if (event.key === "f" || event.key === "F") {
      toggleFullscreen();
    } else {
      return;
    }
    event.preventDefault();
  });

  // A swipe: a mostly sideways stroke of 50 px or more; a tap or a scroll does nothing.
  var start = null;
  deck.addEventListener("pointerdown", function (event) { start = { x: event.clientX, y: event.clientY }; });
  deck.addEventListener("pointerup", function (event) {
    if (!start) return;
    var dx = event.clientX - start.x;
    var dy = event.clientY - start.y;
    start = null;
    if (Math.abs(dx) >= 50 && Math.abs(dx) > 1.5 * Math.abs(dy)) show(current + (dx < 0 ? 1 : -1));
  });

  if (channel) {
    channel.onmessage = function (event) {
      if (event.data && typeof event.data.slide === "number") show(event.data.slide, true);
    };
  }

  var clock = document.querySelector("[data-deck-clock]");
  if (clock) {
    var began = Date.now();
    var elapsed = clock.querySelector("[data-deck-elapsed]");
    clock.hidden = false;
    window.setInterval(function () {
      var seconds = Math.floor((Date.now() - began) / 1000);
      elapsed.textContent = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
    }, 1000);
  }

  var start_at = slides.findIndex(function (slide) { return "#" + slide.dataset.slide === window.location.hash; });
  show(start_at >= 0 ? start_at : 0, true);
})();
