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
  // A role select with data-supplier-toggle="<select id>" shows that supplier select only
  // for the supplier role (and clears it otherwise). Without JS both stay; the server checks.
  document.querySelectorAll("select[data-supplier-toggle]").forEach((role) => {
    const supplier = document.getElementById(role.dataset.supplierToggle);
    if (!supplier) return;
    const wrapper = supplier.closest(".mb-3") || supplier;
    const sync = () => {
      const needed = role.value === "supplier";
      wrapper.classList.toggle("d-none", !needed);
      supplier.required = needed;
      if (!needed) supplier.value = "";
    };
    role.addEventListener("change", sync);
    sync();
  });
  // A select with data-reveal="<field id>" and data-reveal-value="<value>" shows that field
  // only while the value is chosen (a schedule's cron expression). Without JS it stays.
  document.querySelectorAll("select[data-reveal]").forEach((select) => {
    const target = document.getElementById(select.dataset.reveal);
    if (!target) return;
    const wrapper = target.closest(".mb-3") || target;
    const sync = () => wrapper.classList.toggle("d-none", select.value !== select.dataset.revealValue);
    select.addEventListener("change", sync);
    sync();
  });
});
