// Fills the unread-alert badge of the navigation and refreshes it every 30 seconds.
(function () {
  "use strict";

  const badge = document.getElementById("nav-alert-count");
  if (!badge || !badge.dataset.unreadUrl) {
    return;
  }

  function refresh() {
    fetch(badge.dataset.unreadUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (data) {
          badge.textContent = data.unread;
          badge.hidden = data.unread === 0;
        }
      })
      .catch(() => {});
  }

  refresh();
  window.setInterval(refresh, 30000);
})();
