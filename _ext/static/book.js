// The book's own page behaviour (linked on every page by _ext/html_fixes.py); the page works without it.
// * A display equation wider than the column is drawn smaller until it fits, but not below MIN_SCALE of
//   its size; one that still does not fit scrolls sideways in its own box (book.css shows a cue).
// * A figure shown wider than the column (book.css keeps its text legible) is marked, for a scroll cue.
// * Each cell of a table with a header row gets a copy of its column's heading as drawn (math typeset, its
//   MathML and TeX left out: a heading's text holds a formula three times, "f(z)f(z)f(z)"), which book.css
//   shows above the cell when a narrow screen lays the table out as one card per row. The copy is hidden
//   from screen readers, which read the table's own headings.
// * Search results quote each formula once, as its TeX: the snippet is the text of the page, and KaTeX's
//   HTML holds every formula three times (MathML, its TeX annotation, and the drawn glyphs), which read
//   as "W01W^1_0W01".
// * A link followed in the page-contents drawer or the chapter menu on a narrow screen closes it (the theme
//   closes it only on a tap outside it or Esc), so the reader sees the section they chose.
// * "Back to top" (shown by the theme on scrolling up, below 1200 px) sits in the article's header bar,
//   next to the menu button, instead of floating over the text in the middle of the screen.
// * The download button's notebook (_ext/reader_notebooks.py) is saved as a file, not shown as JSON.
"use strict";
(() => {
  const MIN_SCALE = 0.6;

  function fitEquations() {
    for (const box of document.querySelectorAll("div.math > .katex-display")) {
      const katex = box.querySelector(":scope > .katex");
      if (!katex) continue;
      katex.style.fontSize = "";
      const available = box.clientWidth;
      if (available === 0 || box.scrollWidth <= available) continue;
      // Scale by the ratio of widths, then a little more while a rounded glyph box still sticks out.
      let scale = Math.max(MIN_SCALE, available / box.scrollWidth);
      for (let step = 0; step < 10; step++) {
        katex.style.fontSize = `${scale * 1.21}em`; // KaTeX's own size is 1.21em
        if (box.scrollWidth <= available || scale === MIN_SCALE) break;
        scale = Math.max(MIN_SCALE, scale * 0.98);
      }
    }
  }

  function markWideFigures() {
    for (const figure of document.querySelectorAll(".bd-article figure")) {
      figure.classList.toggle("book-scrolls", figure.scrollWidth > figure.clientWidth + 1);
    }
  }

  function cardLabel(heading) {
    if (!heading.textContent.trim()) return null;
    const label = document.createElement("div");
    label.className = "book-card-label";
    label.setAttribute("aria-hidden", "true");
    for (const child of heading.childNodes) label.append(child.cloneNode(true));
    for (const mathml of label.querySelectorAll(".katex-mathml, .headerlink")) mathml.remove();
    for (const link of label.querySelectorAll("a")) link.replaceWith(...link.childNodes);
    for (const element of label.querySelectorAll("[id], [tabindex]")) {
      element.removeAttribute("id");
      element.removeAttribute("tabindex");
    }
    return label;
  }

  function labelTableCells() {
    for (const table of document.querySelectorAll(".bd-article table")) {
      const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!head) continue;
      const labels = [...head.cells].map(cardLabel);
      for (const body of table.tBodies) {
        for (const row of body.rows) {
          [...row.cells].forEach((cell, i) => {
            if (labels[i]) cell.prepend(labels[i].cloneNode(true));
          });
        }
      }
      table.classList.add("book-cards");
    }
  }

  function quoteMathOnceInSearchResults() {
    // Sphinx's searchtools.js (a `const`, so not on window) builds each snippet with Search.htmlToText.
    if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;
    const htmlToText = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const page = new DOMParser().parseFromString(htmlString, "text/html");
      for (const math of page.querySelectorAll(".katex")) {
        const tex = math.querySelector('annotation[encoding="application/x-tex"]');
        math.replaceWith(tex ? tex.textContent : math.textContent);
      }
      return htmlToText(page.documentElement.outerHTML, anchor);
    };
  }

  function closeDrawersOnFollow() {
    for (const id of ["pst-secondary-sidebar-modal", "pst-primary-sidebar-modal"]) {
      const dialog = document.getElementById(id);
      if (!dialog) continue;
      dialog.addEventListener("click", (event) => {
        if (dialog.open && event.target.closest("a[href]")) dialog.close();
      });
    }
  }

  function backToTopInHeader() {
    const button = document.getElementById("pst-back-to-top");
    const bar = document.querySelector(".bd-header-article .header-article-items__start");
    if (!button || !bar) return;
    const item = document.createElement("div");
    item.className = "header-article-item";
    item.append(button);
    bar.append(item);
  }

  function downloadNotebooks() {
    for (const link of document.querySelectorAll("a.btn-download-notebook-button")) {
      link.setAttribute("download", link.pathname.split("/").pop());
    }
  }

  let pending = 0;
  function refit() {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      fitEquations();
      markWideFigures();
    });
  }

  function start() {
    quoteMathOnceInSearchResults();
    closeDrawersOnFollow();
    backToTopInHeader();
    downloadNotebooks();
    labelTableCells();
    fitEquations();
    // Fonts change an equation's width: fit again once they are in, and whenever the column changes.
    document.fonts.ready.then(fitEquations);
    window.addEventListener("resize", refit);
    window.addEventListener("load", markWideFigures); // once the images have their sizes
  }

  // At DOMContentLoaded every script of the page has run, searchtools.js included.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
