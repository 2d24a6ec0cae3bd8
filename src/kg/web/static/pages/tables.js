// Sortable and filterable tables (the figures page, the class lists). Without this script
// the tables are plain and complete; with it, each column heading becomes a button that
// sorts by that column (aria-sort says how), and a form's [data-filter] selects hide the
// rows whose data-* attribute does not match.
document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll("table.sortable")) {
    const headings = [...table.tHead.rows[0].cells];
    headings.forEach((th, column) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.append(...th.childNodes);
      th.append(button);
      button.addEventListener("click", () => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headings.forEach((other) => other.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const numeric = th.dataset.type === "number";
        const key = (row) => {
          const cell = row.cells[column];
          // A date sorts by its value ("1939-09-17"), not by how it reads.
          if (th.dataset.type === "date") return cell.dataset.value || "";
          if (numeric) {
            const value = cell.dataset.value;
            return value === "" || value === undefined ? null : Number(value);
          }
          return cell.textContent.trim().toLocaleLowerCase();
        };
        const body = table.tBodies[0];
        const rows = [...body.rows];
        rows.sort((a, b) => {
          const x = key(a), y = key(b);
          if (x === null || x === "") return 1;  // empty cells last, either way
          if (y === null || y === "") return -1;
          const order = numeric ? x - y : x.localeCompare(y);
          return ascending ? order : -order;
        });
        body.append(...rows);
      });
    });
  }
  for (const form of document.querySelectorAll("form[data-filters]")) {
    const table = document.getElementById(form.dataset.filters);
    const count = form.querySelector(".shown-count");
    const apply = () => {
      const wanted = [...form.querySelectorAll("[data-filter]")]
        .map((select) => [select.dataset.filter, select.value]).filter(([, v]) => v);
      let shown = 0;
      for (const row of table.tBodies[0].rows) {
        const keep = wanted.every(([name, value]) => (row.dataset[name] || "").split("|").includes(value));
        row.hidden = !keep;
        if (keep) shown += 1;
      }
      if (count) count.textContent = `${shown} of ${table.tBodies[0].rows.length} shown`;
    };
    form.addEventListener("change", apply);
    form.addEventListener("submit", (event) => event.preventDefault());
    apply();
  }
});
