// Keyboard shortcuts: ← / j and → / k follow the links marked data-hotkey="prev"/"next"
// (the article page's version stepper). Everything else works without this file.
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const target = event.target;
  if (target.closest("input, select, textarea, [contenteditable]")) return;
  const direction = { ArrowLeft: "prev", j: "prev", ArrowRight: "next", k: "next" }[event.key];
  if (!direction) return;
  const link = document.querySelector(`[data-hotkey="${direction}"]`);
  if (!link) return;
  event.preventDefault();
  link.click();
});

// After htmx swaps in a new version pair, keep keyboard focus on the stepper.
document.addEventListener("htmx:afterSettle", (event) => {
  if (!event.detail.elt.classList?.contains("compare")) return;
  const focused = document.activeElement;
  if (focused && focused !== document.body) return;
  const link = event.detail.elt.querySelector("[data-hotkey]");
  if (link) link.focus({ preventScroll: true });
});
