// The article view works without this script: CSS shows a span's statements on hover and
// on keyboard focus, below the span. The script only keeps that list inside the window:
// it moves it left when it would leave on the right, and above the span near the bottom.
document.addEventListener("DOMContentLoaded", () => {
  const text = document.querySelector(".article-text");
  if (!text) return;
  const place = (event) => {
    const span = event.target.closest(".ev");
    if (!span) return;
    const tip = span.querySelector(":scope > .tip");
    const mark = span.querySelector(":scope > mark");
    tip.style.marginLeft = "";
    tip.style.marginTop = "";
    const box = tip.getBoundingClientRect();
    const right = box.right - document.documentElement.clientWidth + 16;
    if (right > 0) tip.style.marginLeft = `-${right}px`;
    const markTop = mark.getBoundingClientRect().top;
    if (box.bottom > window.innerHeight && markTop - box.height - 8 > 0) {
      const shift = markTop - box.height - 6 - box.top;
      tip.style.marginTop = `${parseFloat(getComputedStyle(tip).marginTop) + shift}px`;
    }
  };
  text.addEventListener("mouseover", place);
  text.addEventListener("focusin", place);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.activeElement.closest(".ev")) document.activeElement.blur();
  });
});
