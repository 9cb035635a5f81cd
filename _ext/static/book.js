// The book's own page behaviour (linked on every page by _ext/html_fixes.py); the page works without it.
// * A display equation wider than the column is drawn smaller until it fits, but not below MIN_SCALE of
//   its size; one that still does not fit scrolls sideways in its own box (book.css shows a cue).
// * A figure shown wider than the column (book.css keeps its text legible) is marked, for a scroll cue.
// * Each cell of a table with a header row gets a copy of its column's heading as drawn (math typeset, its
//   MathML and TeX left out: a heading's text holds a formula three times, "f(z)f(z)f(z)"), which book.css
//   shows above the cell when a narrow screen lays the table out as one card per row. The copy is hidden
//   from screen readers, which read the table's own headings.
// * Search results quote each formula once, as a line of the glyphs the reader sees ("δ_2", "W^[2]_10"):
//   the snippet is the text of the page, and KaTeX's HTML holds every formula three times (MathML, its TeX
//   annotation, and the drawn glyphs), which read as "W01W^1_0W01". A formula whose TeX names a searched
//   word (\delta for "delta") is followed by that word, so the snippet shows where the page matched; a
//   snippet without an anchor is the article's text, not the page's buttons and contents list.
// * A link followed in the page-contents drawer or the chapter menu on a narrow screen closes it (the theme
//   closes it only on a tap outside it or Esc), so the reader sees the section they chose.
// * "Back to top" (shown by the theme on scrolling up, below 1200 px) sits in the article's header bar,
//   next to the menu button, instead of floating over the text in the middle of the screen.
// * The download button's notebook (_ext/reader_notebooks.py) is saved as a file, not shown as JSON.
"use strict";
(() => {
  const MIN_SCALE = 0.8; // below this, a formula's subscripts are too small to read on a phone

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

  // Accents KaTeX's MathML draws over a letter, as combining characters.
  const ACCENTS = {
    "^": "\u0302", "~": "\u0303", "ˉ": "\u0304", "‾": "\u0305", "→": "\u20d7", "˙": "\u0307", "¨": "\u0308",
  };
  const RELATIONS = new Set(["=", "≈", "≠", "<", ">", "≤", "≥", "∈", "→", "↦", "⇒"]);

  // A formula as one line of text, from KaTeX's MathML: "δ_2", "W^[2]_10", "∂ℓ/∂z", "ŷ".
  function mathText(node) {
    const kids = [...node.children];
    const group = (child) => {
      const text = mathText(child).trim();
      return /^[\p{L}\p{N}′]+$|^\[[^\]]*\]$|^\([^)]*\)$/u.test(text) ? text : `(${text})`;
    };
    const upper = (child) => {
      const text = mathText(child).trim();
      return /^[′″‴]+$/.test(text) ? text : `^${group(child)}`;
    };
    switch (node.localName) {
      case "annotation":
        return "";
      case "mi":
      case "mn":
      case "mtext":
      case "ms":
        return node.textContent;
      case "mo":
        return RELATIONS.has(node.textContent.trim()) ? ` ${node.textContent.trim()} ` : node.textContent;
      case "mspace":
        return " ";
      case "msub":
      case "munder":
        return `${mathText(kids[0])}_${group(kids[1])}`;
      case "msup":
        return mathText(kids[0]) + upper(kids[1]);
      case "msubsup":
      case "munderover":
        return `${mathText(kids[0])}_${group(kids[1])}${upper(kids[2])}`;
      case "mover": {
        const accent = ACCENTS[kids[1].textContent.trim()];
        if (node.getAttribute("accent") === "true" && accent) return (mathText(kids[0]) + accent).normalize("NFC");
        return mathText(kids[0]) + upper(kids[1]);
      }
      case "mfrac":
        return `${group(kids[0])}/${group(kids[1])}`;
      case "msqrt":
        return `√(${kids.map(mathText).join("")})`;
      case "mtable":
        return kids.map((row) => [...row.children].map(mathText).join(" ")).join("; ");
      default:
        return kids.map(mathText).join("");
    }
  }

  function quoteMathOnceInSearchResults() {
    // Sphinx's searchtools.js (a `const`, so not on window) builds each snippet with Search.htmlToText, called
    // by Search.makeSearchSummary with the searched (stemmed) words.
    if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;
    const htmlToText = Search.htmlToText;
    const makeSearchSummary = Search.makeSearchSummary;
    let searched = [];
    Search.makeSearchSummary = (htmlText, keywords, anchor) => {
      searched = [...keywords].map((word) => word.toLowerCase());
      return makeSearchSummary(htmlText, keywords, anchor);
    };
    Search.htmlToText = (htmlString, anchor) => {
      const page = new DOMParser().parseFromString(htmlString, "text/html");
      const main = page.querySelector('[role="main"]');
      const article = page.querySelector("article.bd-article");
      if (!anchor && main && article) main.replaceChildren(article);
      // The part quoted (as htmlToText picks it) first: a searched word follows the first formula there that names it.
      const quoted = (anchor && main && main.querySelector(anchor)) || main || page;
      const unnamed = new Set(searched);
      for (const math of [...quoted.querySelectorAll(".katex"), ...page.querySelectorAll(".katex")]) {
        if (!math.isConnected) continue; // replaced already
        const tex = math.querySelector('annotation[encoding="application/x-tex"]');
        const mathml = math.querySelector("math");
        let text = mathml ? mathText(mathml) : math.textContent;
        text = text.replace(/[\u2061-\u2064]/g, "").replace(/\s+/g, " ").trim(); // invisible operators
        const commands = tex ? [...tex.textContent.matchAll(/\\([A-Za-z]+)/g)].map((m) => m[1].toLowerCase()) : [];
        const named = [...unnamed].filter((word) => commands.includes(word));
        named.forEach((word) => unnamed.delete(word));
        if (named.length) text += ` (${named.join(", ")})`;
        math.replaceWith(text);
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
