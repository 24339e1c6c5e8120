// Annotations on evidence images and the feedback threads (templates/portfolio/assessment/).
// Markers are placed from their data-x/data-y fractions (the page's security policy allows no
// style attributes in the markup); a marker moves the focus to its entry in the list. Clicking
// an image the assessor may annotate fills in the point's position fields.

(() => {
if (window.annotationMarkers) {
  return;  // included by every annotated image of the page: the first one does it all
}
window.annotationMarkers = true;

function placeMarkers(root) {
  root.querySelectorAll(".annotation-marker[data-x][data-y]").forEach((marker) => {
    marker.style.left = `${Number(marker.dataset.x) * 100}%`;
    marker.style.top = `${Number(marker.dataset.y) * 100}%`;
    marker.hidden = false;
  });
}

document.addEventListener("click", (event) => {
  const marker = event.target.closest(".annotation-marker[data-entry]");
  if (marker) {
    const entry = document.getElementById(marker.dataset.entry);
    if (entry) {
      entry.focus();
      entry.classList.add("bg-warning-subtle");
      window.setTimeout(() => entry.classList.remove("bg-warning-subtle"), 2000);
    }
    return;
  }
  const image = event.target.closest("img[data-pick-for]");
  if (!image) {
    return;
  }
  const form = document.getElementById(image.dataset.pickFor);
  const box = image.getBoundingClientRect();
  if (!form || !box.width || !box.height) {
    return;
  }
  const across = ((event.clientX - box.left) / box.width) * 100;
  const down = ((event.clientY - box.top) / box.height) * 100;
  form.querySelector("input[name=x]").value = Math.min(100, Math.max(0, across)).toFixed(1);
  form.querySelector("input[name=y]").value = Math.min(100, Math.max(0, down)).toFixed(1);
  const details = form.closest("details");
  if (details) {
    details.open = true;
  }
  form.querySelector("textarea").focus();
});

// A link to a thread or an annotation (from a notification) opens the disclosure it sits in.
function openTarget() {
  const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
  const details = target && target.closest("details");
  if (details) {
    details.open = true;
    target.scrollIntoView();
  }
}

placeMarkers(document);
openTarget();
window.addEventListener("hashchange", openTarget);
// An outerHTML swap (the workspace panel, its items' annotations) leaves the event on the old node.
document.body.addEventListener("htmx:afterSwap", () => placeMarkers(document));
})();
