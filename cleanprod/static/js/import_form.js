// Fills the import form from the chosen data source and shows the fields of the chosen layout.
(function () {
  "use strict";

  const form = document.getElementById("import-form");
  const sources = JSON.parse(document.getElementById("data-source-values").textContent);
  const sourceSelect = form.elements.namedItem("data_source");
  const layoutSelect = form.elements.namedItem("layout");

  function setField(name, value) {
    const field = form.elements.namedItem(name);
    if (!field || name === "site") {
      return;
    }
    if (field.type === "checkbox") {
      field.checked = Boolean(value);
    } else {
      field.value = value === null || value === undefined ? "" : String(value);
    }
  }

  function showLayoutFields() {
    for (const group of form.querySelectorAll("[data-layout]")) {
      group.hidden = group.dataset.layout !== layoutSelect.value;
    }
  }

  sourceSelect.addEventListener("change", function () {
    const values = sources[sourceSelect.value];
    if (!values) {
      return;
    }
    for (const [name, value] of Object.entries(values)) {
      setField(name, value);
    }
    form.elements.namedItem("site").value = String(values.site);
    showLayoutFields();
  });
  layoutSelect.addEventListener("change", showLayoutFields);
  showLayoutFields();
})();
