// Small progressive enhancements; every page works without this file.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.classList.contains("mq-autosubmit") && el.form) {
    el.form.submit();
  }
});

// "Use my location" on capture forms: fills latitude/longitude when the phone allows it.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".mq-geo");
  if (!button || !navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition((pos) => {
    document.querySelector(button.dataset.lat).value = pos.coords.latitude.toFixed(6);
    document.querySelector(button.dataset.lng).value = pos.coords.longitude.toFixed(6);
  });
});
