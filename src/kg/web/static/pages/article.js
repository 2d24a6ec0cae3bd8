// The article view works without this script: CSS shows a span's statements on hover and
// on keyboard focus. The script only moves a list that would leave the window back in.
document.addEventListener("DOMContentLoaded", () => {
  const text = document.querySelector(".article-text");
  if (!text) return;
  const place = (event) => {
    const span = event.target.closest(".ev");
    if (!span) return;
    const tip = span.querySelector(":scope > .tip");
    tip.style.marginLeft = "";
    const overflow = tip.getBoundingClientRect().right - document.documentElement.clientWidth + 16;
    if (overflow > 0) tip.style.marginLeft = `-${overflow}px`;
  };
  text.addEventListener("mouseover", place);
  text.addEventListener("focusin", place);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.activeElement.closest(".ev")) document.activeElement.blur();
  });
});
