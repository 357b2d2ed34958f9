// Monitor web console: the little the server-rendered pages need from a script (the CSP allows no inline script).
// - The key given once as ?code= has become the session cookie: take it out of the address bar and history.
// - The board's filters and its refresh fetch the same page from the server and swap the board in, without a reload.
"use strict";

(function () {
  const address = new URL(window.location.href);
  if (address.searchParams.has("code")) {
    address.searchParams.delete("code");
    window.history.replaceState(null, "", address.pathname + address.search + address.hash);
  }

  const form = document.getElementById("filters");
  const board = document.getElementById("board");
  const status = document.getElementById("board-status");
  if (!form || !board || !status) {
    return;
  }
  const refreshSeconds = Number(board.dataset.refreshSeconds || "60");

  function query() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (value !== "") {
        params.set(name, String(value));
      }
    }
    return params;
  }

  let latest = 0;
  async function load() {
    const params = query();
    const target = window.location.pathname + (params.size > 0 ? "?" + params.toString() : "");
    const ticket = ++latest;
    board.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(target, { headers: { Accept: "text/html" }, credentials: "same-origin", cache: "no-store" });
      if (!response.ok) {
        status.textContent = "The board could not be refreshed: the server answered " + response.status + ". Reload the page to sign in again.";
        return;
      }
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("board");
      const freshStatus = page.getElementById("board-status");
      if (ticket !== latest || !fresh || !freshStatus) {
        return;
      }
      board.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true)));
      board.dataset.asOf = fresh.dataset.asOf || "";
      status.textContent = freshStatus.textContent;
      window.history.replaceState(null, "", target);
    } catch (failure) {
      status.textContent = "The board could not be refreshed (" + failure.message + "); it will try again.";
    } finally {
      if (ticket === latest) {
        board.removeAttribute("aria-busy");
      }
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  form.addEventListener("change", () => load());
  const refresh = document.getElementById("refresh");
  if (refresh) {
    refresh.hidden = false;
    refresh.addEventListener("click", () => load());
  }
  if (refreshSeconds > 0) {
    window.setInterval(() => {
      if (document.visibilityState === "visible") {
        load();
      }
    }, refreshSeconds * 1000);
  }
})();
