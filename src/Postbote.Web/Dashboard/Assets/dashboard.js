// Postbote dashboard: the only script. Everything works without it; it adds the live log tail (Server-Sent
// Events) and refreshes the overview's figures every 15 seconds.
"use strict";
(function () {
  const log = document.getElementById("log");
  if (log && log.dataset.stream && window.EventSource) {
    const status = document.getElementById("live-status");
    const source = new EventSource(log.dataset.stream);
    source.addEventListener("open", () => { if (status) status.textContent = "Following live."; });
    source.addEventListener("error", () => { if (status) status.textContent = "Live tail interrupted; reconnecting…"; });
    source.addEventListener("line", (e) => {
      const follow = log.scrollTop + log.clientHeight >= log.scrollHeight - 20;
      // The server sends the line as HTML it encoded itself (the same markup as the page).
      log.insertAdjacentHTML("beforeend", e.data);
      while (log.childElementCount > 5000) log.firstElementChild.remove();
      if (follow) log.scrollTop = log.scrollHeight;
    });
    log.scrollTop = log.scrollHeight;
  }
  const totals = document.getElementById("totals");
  if (totals) {
    setInterval(async () => {
      try {
        const response = await fetch(location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } });
        if (!response.ok || response.redirected) return;
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.getElementById("main");
        if (fresh) document.getElementById("main").replaceWith(fresh);
      } catch (e) { /* the next round tries again */ }
    }, 15000);
  }
})();
