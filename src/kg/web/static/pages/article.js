// The article view works without this script: CSS shows a span's statements on hover and
// on keyboard focus, below the span. The script makes the keyboard path short and the
// list fit the window:
// - the links inside every list are out of the Tab order until their list is opened
//   (Enter or ↓ on a focused span), so Tab goes from span to span;
// - Esc closes the open list (or hides the one focus shows) and keeps the focus on its span;
// - the list moves left when it would leave the window on the right, and above the span
//   near the bottom; it scrolls inside itself when it is long (CSS max-height).
document.addEventListener("DOMContentLoaded", () => {
  const text = document.querySelector(".article-text");
  if (!text) return;
  const linksOf = (span) => [...span.querySelector(":scope > .tip").querySelectorAll("a")];
  for (const link of text.querySelectorAll(".tip a")) link.tabIndex = -1;

  const place = (event) => {
    const span = event.target.closest(".ev");
    if (!span) return;
    const tip = span.querySelector(":scope > .tip");
    const mark = span.querySelector(":scope > mark");
    tip.style.marginLeft = "";
    tip.style.marginTop = "";
    const box = tip.getBoundingClientRect();
    const right = box.right - document.documentElement.clientWidth + 16;
    if (right > 0) tip.style.marginLeft = `-${Math.min(right, Math.max(box.left - 8, 0))}px`;
    const markTop = mark.getBoundingClientRect().top;
    if (box.bottom > window.innerHeight && markTop - box.height - 8 > 0) {
      const shift = markTop - box.height - 6 - box.top;
      tip.style.marginTop = `${parseFloat(getComputedStyle(tip).marginTop) + shift}px`;
    }
  };
  const open = (span) => {
    span.classList.remove("dismissed");
    span.classList.add("open");
    const links = linksOf(span);
    for (const link of links) link.tabIndex = 0;
    if (links.length) links[0].focus();
  };
  const close = (span) => {
    // Focus first: hiding the list while a link in it has the focus would drop the focus.
    span.querySelector(":scope > mark").focus();
    span.classList.remove("open");
    span.classList.add("dismissed");
    for (const link of linksOf(span)) link.tabIndex = -1;
  };

  text.addEventListener("mouseover", place);
  text.addEventListener("focusin", place);
  text.addEventListener("keydown", (event) => {
    const span = event.target.closest(".ev");
    if (!span) return;
    const onMark = event.target === span.querySelector(":scope > mark");
    if (onMark && (event.key === "Enter" || event.key === "ArrowDown")) {
      event.preventDefault();
      open(span);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(event.target.closest(".ev.open") || span);
    }
  });
  // Leaving a span (to the next one, or anywhere) closes its list again.
  text.addEventListener("focusout", (event) => {
    const span = event.target.closest(".ev");
    if (!span || span.contains(event.relatedTarget)) return;
    span.classList.remove("dismissed");
    if (span.classList.contains("open")) {
      span.classList.remove("open");
      for (const link of linksOf(span)) link.tabIndex = -1;
    }
  });
});
