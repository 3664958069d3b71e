/* The evidence gap map: draws the grid from the inlined JSON, then redraws on every switch and
   filter. No libraries, no network. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("map-data").textContent);
  var NO_DIMENSION = D.dimensions[D.dimensions.length - 1];
  var state = {by: D.by, size: "studies", colour: "stance",
               filters: {tag: "", design: "", country: "", stance: "", confidence: ""}};
  var studyById = {};
  D.studies.forEach(function (s) { studyById[s.id] = s; });
  var claimById = {};
  D.claims.forEach(function (c) { claimById[c.id] = c; });
  var table = document.getElementById("map");
  var detail = document.getElementById("detail");
  var CONFIDENCE_NAMES = {"high": "High", "moderate": "Moderate", "low": "Low",
                          "very low": "Very low", "": "Not assessed"};

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  function cssVar(name) { return "var(--" + name.replace(" ", "-") + ")"; }

  function fillSelect(id, label, values, names) {
    var select = document.getElementById(id);
    select.appendChild(el("option", {value: ""}, "All " + label));
    values.forEach(function (v) { select.appendChild(el("option", {value: v}, names ? names[v] : v)); });
  }
  function unique(list) {
    return list.filter(function (v, i) { return list.indexOf(v) === i; }).sort();
  }
  fillSelect("filter-tag", "tags", unique([].concat.apply([], D.studies.map(function (s) { return s.tags; }))));
  fillSelect("filter-design", "designs", unique(D.studies.map(function (s) { return s.design; })));
  fillSelect("filter-country", "countries", unique(D.studies.map(function (s) { return s.country; })));
  fillSelect("filter-stance", "stances", D.stances);
  fillSelect("filter-confidence", "levels", D.confidence.concat(["none"]),
             Object.assign({none: "Not assessed"}, CONFIDENCE_NAMES));

  function studyShown(s) {
    var f = state.filters;
    return (!f.tag || s.tags.indexOf(f.tag) >= 0) && (!f.design || s.design === f.design) &&
           (!f.country || s.country === f.country);
  }
  function claimShown(c) {
    var f = state.filters.confidence;
    return !f || (f === "none" ? !c.confidence : c.confidence === f);
  }
  function findingShown(x) {
    return studyShown(studyById[x.study]) && claimShown(claimById[x.claim]) &&
           (!state.filters.stance || x.stance === state.filters.stance);
  }

  function columnGroups(findings) {
    var groups = [], byName = {};
    function add(group, key, label) {
      if (!byName[group]) { byName[group] = {name: group, columns: []}; groups.push(byName[group]); }
      byName[group].columns.push({key: key, label: label});
    }
    if (state.by === "studies") {
      D.studies.filter(studyShown).forEach(function (s) { add(s.design, s.id, s.label); });
    } else {
      var used = {};
      findings.forEach(function (x) { x.dimensions.forEach(function (d) { used[d] = true; }); });
      D.dimensions.forEach(function (d) {
        if (d === NO_DIMENSION) { if (used[d]) { add("Not coded", d, d); } return; }
        var cut = d.indexOf(": ");
        add(cut > 0 ? d.slice(0, cut) : "Framework", d, cut > 0 ? d.slice(cut + 2) : d);
      });
    }
    return groups;
  }
  function inCell(x, key) {
    return state.by === "studies" ? x.study === key : x.dimensions.indexOf(key) >= 0;
  }

  function fill(cell) {
    /* one colour, or a pie of the cell's stances in supports, contradicts, mixed, neutral order */
    if (state.colour === "confidence") {
      var level = claimById[cell.claim].confidence;
      return level ? cssVar(level) : "var(--unassessed)";
    }
    var counts = D.stances.map(function (s) {
      return cell.findings.filter(function (x) { return x.stance === s; }).length;
    });
    var kinds = counts.filter(function (n) { return n > 0; }).length;
    if (kinds === 1) { return cssVar(D.stances[counts.findIndex(function (n) { return n > 0; })]); }
    var stops = [], at = 0, total = cell.findings.length;
    counts.forEach(function (n, i) {
      if (!n) { return; }
      var end = at + 360 * n / total;
      stops.push(cssVar(D.stances[i]) + " " + at + "deg " + end + "deg");
      at = end;
    });
    return "conic-gradient(" + stops.join(", ") + ")";
  }
  function stanceSummary(findings) {
    return D.stances.map(function (s) {
      var n = findings.filter(function (x) { return x.stance === s; }).length;
      return n ? n + " " + s : "";
    }).filter(Boolean).join(", ");
  }

  function draw() {
    detail.textContent = "";
    detail.appendChild(el("h2", {}, "Details"));
    detail.appendChild(el("p", {"class": "hint"}, "Select a bubble to list its findings."));
    var findings = D.findings.filter(findingShown);
    var claims = D.claims.filter(claimShown);
    var groups = columnGroups(findings);
    var columns = [].concat.apply([], groups.map(function (g) { return g.columns; }));
    var cells = [], largest = 1;
    claims.forEach(function (claim) {
      columns.forEach(function (column) {
        var here = findings.filter(function (x) { return x.claim === claim.id && inCell(x, column.key); });
        if (!here.length) { return; }
        var studies = unique(here.map(function (x) { return x.study; }));
        var cell = {claim: claim.id, column: column, findings: here, studies: studies};
        cell.size = state.size === "studies" ? studies.length : here.length;
        largest = Math.max(largest, cell.size);
        cells.push(cell);
      });
    });
    var cellAt = {};
    cells.forEach(function (c) { cellAt[c.claim + "|" + c.column.key] = c; });
    table.textContent = "";
    var head = el("thead"), top = el("tr", {"class": "groups"}), names = el("tr", {"class": "columns"});
    top.appendChild(el("th", {"class": "corner", rowspan: "2", scope: "col"}, "Claim"));
    groups.forEach(function (g) {
      top.appendChild(el("th", {colspan: String(g.columns.length), scope: "colgroup", "class": "group-start"}, g.name));
      g.columns.forEach(function (c, i) {
        var th = el("th", {scope: "col", title: c.label, "class": i === 0 ? "group-start" : ""});
        th.appendChild(el("span", {}, c.label));
        names.appendChild(th);
      });
    });
    head.appendChild(top);
    head.appendChild(names);
    table.appendChild(head);
    var body = el("tbody"), theme = null, first = null;
    claims.forEach(function (claim) {
      if (claim.theme !== theme) {
        theme = claim.theme;
        var band = el("tr", {"class": "theme"});
        var heading = el("th", {colspan: String(columns.length + 1), scope: "rowgroup"});
        heading.appendChild(el("span", {}, theme));  /* the span stays in view when scrolled */
        band.appendChild(heading);
        body.appendChild(band);
      }
      var row = el("tr", {"data-claim": claim.slug});
      var th = el("th", {scope: "row", "class": "claim"}, claim.statement);
      th.appendChild(el("span", {"class": "confidence"},
                        "CERQual: " + CONFIDENCE_NAMES[claim.confidence || ""]));
      row.appendChild(th);
      groups.forEach(function (g) {
        g.columns.forEach(function (column, i) {
          var td = el("td", {role: "gridcell", "class": i === 0 ? "group-start" : ""});
          var cell = cellAt[claim.id + "|" + column.key];
          if (cell) {
            var d = Math.round(14 + 20 * Math.sqrt(cell.size / largest));
            var label = claim.statement + " — " + column.label + ": " +
              plural(cell.findings.length, "finding", "findings") + " from " +
              plural(cell.studies.length, "study", "studies") + " (" + stanceSummary(cell.findings) + ")";
            var button = el("button", {type: "button", "class": "bubble", tabindex: first ? "-1" : "0",
                                       "aria-label": label, "aria-pressed": "false", title: label,
                                       "data-findings": String(cell.findings.length),
                                       "data-studies": String(cell.studies.length)});
            button.style.width = button.style.height = d + "px";
            button.style.background = fill(cell);
            button.addEventListener("click", function () { show(cell, button); });
            first = first || button;
            td.appendChild(button);
          }
          row.appendChild(td);
        });
      });
      body.appendChild(row);
    });
    table.appendChild(body);
    var shownStudies = unique(findings.map(function (x) { return x.study; }));
    document.getElementById("summary").textContent = plural(findings.length, "finding", "findings") +
      " from " + plural(shownStudies.length, "study", "studies") + " on " +
      plural(claims.length, "claim", "claims") + " shown; " + plural(cells.length, "cell", "cells") +
      " with evidence.";
    legend(largest);
  }

  function show(cell, button) {
    table.querySelectorAll(".bubble[aria-pressed=true]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    button.setAttribute("aria-pressed", "true");
    var claim = claimById[cell.claim];
    detail.textContent = "";
    detail.appendChild(el("h2", {}, claim.statement));
    detail.appendChild(el("p", {"class": "meta"}, cell.column.label + " · CERQual: " +
      CONFIDENCE_NAMES[claim.confidence || ""] + " · " + plural(cell.findings.length, "finding", "findings")));
    var list = el("ol");
    cell.findings.forEach(function (x) {
      var study = studyById[x.study], item = el("li", {"data-finding": String(x.id)});
      item.appendChild(el("span", {"class": "stance " + x.stance}, x.stance));
      item.appendChild(el("blockquote", {}, "“" + x.quote + "”"));
      var meta = [study.label, x.location, x.participants].filter(Boolean).join(" · ");
      item.appendChild(el("p", {"class": "meta"}, meta));
      var ref = el("p", {"class": "reference"});
      ref.innerHTML = study.reference; /* escaped when the page was written */
      item.appendChild(ref);
      list.appendChild(item);
    });
    detail.appendChild(list);
  }

  function legend(largest) {
    var box = document.getElementById("legend");
    box.textContent = "";
    var keys = state.colour === "stance" ? D.stances : D.confidence.concat([""]);
    box.appendChild(el("strong", {}, state.colour === "stance" ? "Stance:" : "CERQual confidence:"));
    keys.forEach(function (k) {
      var item = el("span", {"class": "item"});
      var swatch = el("span", {"class": "swatch", "aria-hidden": "true"});
      swatch.style.background = k ? cssVar(k) : "var(--unassessed)";
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(state.colour === "stance" ? k : CONFIDENCE_NAMES[k]));
      box.appendChild(item);
    });
    if (state.colour === "stance") {
      box.appendChild(el("span", {"class": "item"}, "(a cell with several stances shows each as a slice)"));
    }
    box.appendChild(el("strong", {}, "Size:"));
    unique([1, Math.ceil(largest / 2), largest]).forEach(function (n) {
      var item = el("span", {"class": "item"});
      var swatch = el("span", {"class": "swatch", "aria-hidden": "true"});
      swatch.style.width = swatch.style.height = Math.round(14 + 20 * Math.sqrt(n / largest)) + "px";
      swatch.style.background = "#bbb";
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(plural(n, state.size === "studies" ? "study" : "finding",
                                                      state.size === "studies" ? "studies" : "findings")));
      box.appendChild(item);
    });
  }

  /* Arrow keys move between bubbles (roving tabindex), Home/End to a row's first/last. */
  table.addEventListener("keydown", function (event) {
    var button = event.target.closest(".bubble");
    if (!button) { return; }
    var rows = Array.prototype.filter.call(table.tBodies[0].rows, function (r) { return r.dataset.claim; });
    var row = button.closest("tr"), r = rows.indexOf(row), c = button.parentNode.cellIndex;
    function at(ri, ci) {
      var cell = rows[ri] && rows[ri].cells[ci];
      return cell ? cell.querySelector(".bubble") : null;
    }
    var target = null, i;
    if (event.key === "ArrowRight") { for (i = c + 1; i < row.cells.length && !target; i++) { target = at(r, i); } }
    else if (event.key === "ArrowLeft") { for (i = c - 1; i > 0 && !target; i--) { target = at(r, i); } }
    else if (event.key === "ArrowDown") { for (i = r + 1; i < rows.length && !target; i++) { target = at(i, c); } }
    else if (event.key === "ArrowUp") { for (i = r - 1; i >= 0 && !target; i--) { target = at(i, c); } }
    else if (event.key === "Home") { for (i = 1; i < row.cells.length && !target; i++) { target = at(r, i); } }
    else if (event.key === "End") { for (i = row.cells.length - 1; i > 0 && !target; i--) { target = at(r, i); } }
    else { return; }
    event.preventDefault();
    if (target) {
      button.setAttribute("tabindex", "-1");
      target.setAttribute("tabindex", "0");
      target.focus();
    }
  });

  document.querySelectorAll("input[type=radio]").forEach(function (input) {
    if (input.name === "by") { input.checked = input.value === state.by; }
    input.addEventListener("change", function () { state[input.name] = input.value; draw(); });
  });
  document.querySelectorAll("select[data-filter]").forEach(function (select) {
    select.addEventListener("change", function () { state.filters[select.dataset.filter] = select.value; draw(); });
  });
  document.getElementById("reset").addEventListener("click", function () {
    document.querySelectorAll("select[data-filter]").forEach(function (s) { s.value = ""; state.filters[s.dataset.filter] = ""; });
    draw();
  });
  draw();
})();
