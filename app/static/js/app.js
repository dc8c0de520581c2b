// Chainlight: small progressive enhancements (no inline scripts: CSP allows 'self' only).
document.addEventListener("DOMContentLoaded", () => {
  // Forms with data-confirm ask before submitting (archive, deactivate, ...).
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Selects with data-autosubmit submit their form on change (filter bars).
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
});
