// Polls the job's progress every second and reloads the page when the job has finished.
(function () {
  "use strict";

  const section = document.getElementById("job-progress");
  if (!section) {
    return;
  }
  const url = section.dataset.progressUrl;
  const bar = document.getElementById("job-progress-bar");
  const text = document.getElementById("job-progress-text");
  const labels = JSON.parse(document.getElementById("progress-labels").textContent);

  function fill(template, values) {
    // The templates are gettext strings in Python %-format, where %% is a literal percent sign.
    return template
      .replace(/%\((\w+)\)s/g, (match, name) => String(values[name] ?? ""))
      .replace(/%%/g, "%");
  }

  function show(progress) {
    bar.value = progress.percent;
    const values = {
      phase: progress.phase_label,
      rows_read: Number(progress.rows_read).toLocaleString(),
      total_rows: Number(progress.total_rows).toLocaleString(),
      percent: progress.percent,
    };
    text.textContent = fill(progress.total_rows > 0 ? labels.rows : labels.phase_only, values);
  }

  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      const progress = await response.json();
      if (progress.finished) {
        window.location.reload();
        return;
      }
      show(progress);
    } catch (error) {
      text.textContent = labels.failed;
    }
    window.setTimeout(poll, 1000);
  }

  poll();
})();
