// Intake insight panel: clicking a suggested category selects it in the form; the urgency
// button sets urgency and 十必报 type. The panel itself is rendered by the server (htmx).
document.addEventListener("click", (event) => {
  const category = event.target.closest("[data-mq-category]");
  if (category) {
    const select = document.getElementById("id_category");
    if (select) {
      select.value = category.dataset.mqCategory;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      select.classList.add("is-valid");
    }
    return;
  }
  const urgency = event.target.closest("[data-mq-urgency]");
  if (urgency) {
    const level = document.getElementById("id_urgency");
    const kind = document.getElementById("id_must_report");
    if (level && urgency.dataset.mqUrgency) level.value = urgency.dataset.mqUrgency;
    if (kind && urgency.dataset.mqMustReport) kind.value = urgency.dataset.mqMustReport;
  }
});

// On a narrow screen the suggestion card sits under the text box, where the cadre is
// typing; on a wide one it stays in the right-hand column. Moving the node keeps htmx's
// bindings (they hang on the card and on the text box).
(() => {
  const card = document.getElementById("insight-card");
  const narrow = document.getElementById("insight-slot-narrow");
  const wide = document.getElementById("insight-slot-wide");
  if (!card || !narrow || !wide) return;
  const large = window.matchMedia("(min-width: 992px)");
  const place = () => {
    if (large.matches) wide.prepend(card);
    else narrow.appendChild(card);
  };
  large.addEventListener("change", place);
  place();
})();
