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

// The app's htmx error policy (the response rules are in base.html's htmx-config):
// a 422 is a form re-rendered with its field errors and is swapped in place; any
// other failed request leaves the page as it is and says so in one banner, which a
// later successful request clears.
const requestError = () => document.getElementById("request-error");

function showRequestError(text) {
  const banner = requestError();
  if (!banner) return;
  banner.querySelector("p").textContent = text;
  banner.hidden = false;
}

document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  let text = `The server could not do that (error ${status}). Try again; if it keeps failing, reload the page.`;
  if (status === 403) text = "That was refused (403). Your session may have expired: reload the page and log in again.";
  else if (status === 404) text = "That is no longer there (404). Reload the page to see what is.";
  else if (status >= 500) text = `Something went wrong on the server (error ${status}). Nothing was changed by this page; try again in a moment.`;
  showRequestError(text);
});

document.addEventListener("htmx:sendError", () => {
  showRequestError("The server cannot be reached. Check your connection; the page will catch up when it is back.");
});

document.addEventListener("htmx:afterRequest", (event) => {
  const banner = requestError();
  if (banner && !banner.hidden && event.detail.successful) banner.hidden = true;
});

document.addEventListener("click", (event) => {
  if (event.target.closest("#request-error [data-dismiss]")) requestError().hidden = true;
});
