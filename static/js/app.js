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

// Live entries ("New") lose their highlight a few seconds after they were on screen.
const SEEN_AFTER_MS = 4000;
const seen = new IntersectionObserver((items) => {
  for (const item of items) {
    if (!item.isIntersecting) continue;
    const entry = item.target;
    seen.unobserve(entry);
    setTimeout(() => {
      if (document.hidden) seen.observe(entry); // not seen yet: try again later
      else entry.classList.add("is-seen");
    }, SEEN_AFTER_MS);
  }
}, { threshold: 0.5 });

function watchNewEntries(root) {
  if (!(root instanceof Element)) return;
  if (root.matches(".is-new")) seen.observe(root);
  root.querySelectorAll(".is-new").forEach((entry) => seen.observe(entry));
}
document.addEventListener("htmx:load", (event) => watchNewEntries(event.detail.elt));

// "checked 4 minutes ago" stays true between polls (the server wording, stories/templatetags/wording.py).
const AGO_UNITS = [[7 * 86400, "week"], [86400, "day"], [3600, "hour"], [60, "minute"]];

function agoWords(seconds) {
  if (seconds < 60) return "just now";
  if (seconds >= 28 * 86400) return null; // months and years: leave the server's words
  for (const [size, unit] of AGO_UNITS) {
    const count = Math.floor(seconds / size);
    if (count >= 1) return `${count} ${unit}${count === 1 ? "" : "s"} ago`;
  }
  return null;
}

function refreshAgo() {
  for (const time of document.querySelectorAll("time[data-ago]")) {
    const words = agoWords((Date.now() - Date.parse(time.getAttribute("datetime"))) / 1000);
    if (words && time.textContent !== words) time.textContent = words;
  }
}
setInterval(refreshAgo, 30000);
