// Keeps alert counts and the alert table current by polling the JSON feed every few seconds.
(function () {
  "use strict";

  const POLL_MS = 5000;
  const table = document.getElementById("alert-table");
  const box = document.getElementById("site-alert-box");
  const source = table || box;
  if (!source) {
    return;
  }
  const url = source.dataset.feedUrl;

  function cell(text, className) {
    const element = document.createElement("td");
    if (className) {
      element.className = className;
    }
    element.textContent = text;
    return element;
  }

  function row(alert) {
    const tr = document.createElement("tr");
    tr.dataset.alertId = alert.id;
    const link = document.createElement("a");
    link.href = alert.url;
    link.textContent = alert.title;
    const first = document.createElement("td");
    first.appendChild(link);
    tr.appendChild(first);
    if (table) {
      tr.appendChild(cell(alert.site));
    }
    tr.appendChild(cell(alert.meter || alert.unit));
    if (table) {
      tr.appendChild(cell(alert.severity_label));
    }
    const status = document.createElement("td");
    const badge = document.createElement("span");
    badge.className = "badge status-" + alert.status;
    badge.textContent = alert.status_label;
    status.appendChild(badge);
    tr.appendChild(status);
    tr.appendChild(cell(alert.first_seen));
    if (table) {
      tr.appendChild(cell(alert.last_seen));
      tr.appendChild(cell(String(alert.occurrences), "number"));
    }
    return tr;
  }

  function update(data) {
    document.querySelectorAll("[data-feed-count]").forEach((element) => {
      element.textContent = data.active;
    });
    document.querySelectorAll("[data-feed-total]").forEach((element) => {
      element.textContent = data.total;
    });
    const nav = document.getElementById("nav-alert-count");
    if (nav) {
      nav.textContent = data.unread;
      nav.hidden = data.unread === 0;
    }
    const body = source.querySelector("tbody");
    if (!body) {
      return;
    }
    const limit = table ? data.alerts.length : 5;
    body.replaceChildren(...data.alerts.slice(0, limit).map(row));
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (data) {
          update(data);
        }
      })
      .catch(() => {});
  }

  window.setInterval(poll, POLL_MS);
})();
