"""HTML: one standalone UTF-8 page (inline CSS and JS, no external assets) with a table that
sorts when a header is clicked (CERQual confidence by its order, High > Moderate > Low > Very
low, not alphabetically). URLs and DOIs are links, journals italic. Every piece of text is
escaped.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from phbrefs import fileio
from phbrefs.tables.model import Cell, Span, Table
from phbrefs.tables.writers.common import links

# What a confidence cell sorts by: its rank, so ascending runs Very low ... High.
CONFIDENCE_RANK = {
    "Not assessed": 0,
    "Very low confidence": 1,
    "Low confidence": 2,
    "Moderate confidence": 3,
    "High confidence": 4,
}

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1a1a1a;
line-height:1.4}
h1{font-size:1.3rem}
table{border-collapse:collapse;font-size:.85rem;margin-bottom:1rem}
caption{caption-side:top;text-align:left;padding:.4rem 0;color:#444}
th,td{border:1px solid #bbb;padding:.3rem .45rem;vertical-align:top;text-align:left}
thead th{background:#eef1f5;position:sticky;top:0;cursor:pointer;user-select:none}
thead th[aria-sort=ascending]::after{content:" \\25B2"}
thead th[aria-sort=descending]::after{content:" \\25BC"}
th.group{background:#f7f7f7;text-align:left;cursor:default}
th.vertical{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;
vertical-align:bottom;text-align:left}
td.symbol{text-align:center;white-space:nowrap}
td.number{text-align:right}
.supports{color:#1b7a2f}.contradicts{color:#b3261e}.mixed{color:#a15c00}.neutral{color:#555}
.notice{color:#b3261e;font-weight:600}
.footnote{font-size:.85rem;color:#333}
.references p{padding-left:2em;text-indent:-2em;margin:.3rem 0;font-size:.9rem}
"""

# Sorts the rows of each <tbody> (a theme) by the clicked column; numbers compare as numbers.
SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("thead th").forEach(function (th, index) {
    th.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("thead th").forEach(function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      table.querySelectorAll("tbody").forEach(function (body) {
        var rows = Array.prototype.filter.call(body.rows, function (r) {
          return !r.classList.contains("group");
        });
        var key = function (row) {
          var cell = row.cells[index];
          return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
        };
        rows.sort(function (a, b) {
          var c = key(a).localeCompare(key(b), undefined, {numeric: true, sensitivity: "base"});
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
});
"""


def linked(text: str) -> str:
    """Escaped text with its URLs as links."""
    return "".join(
        f'<a href="{escape(piece)}">{escape(piece)}</a>' if is_url else escape(piece)
        for piece, is_url in links(text)
    )


def spans(parts: list[Span]) -> str:
    return "".join(f"<i>{linked(p.text)}</i>" if p.italic else linked(p.text) for p in parts)


def _cell(cell: Cell, kind: str) -> str:
    classes = [kind] if kind != "text" else []
    if cell.stance:
        classes.append(cell.stance)
    attribute = f' class="{" ".join(classes)}"' if classes else ""
    if cell.text in CONFIDENCE_RANK:
        attribute += f' data-sort="{CONFIDENCE_RANK[cell.text]}"'
    text = linked(cell.text)
    if cell.marker:
        text += f' <span class="notice">{escape(cell.marker)}</span>'
    return f"<td{attribute}>{text}</td>"


def render(table: Table) -> str:
    kinds = [c.kind for c in table.columns]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(table.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(table.title)}</h1>",
        f'<table class="sortable" id="table-{escape(table.name)}">',
    ]
    if table.caption:
        parts.append(f"<caption>{escape(table.caption)}</caption>")
    vertical = ' class="vertical"'  # a matrix's study columns: narrow, turned headers
    header = "".join(
        f'<th scope="col"{vertical if c.kind == "symbol" else ""}>{escape(c.name)}</th>'
        for c in table.columns
    )
    parts.append(f"<thead><tr>{header}</tr></thead>")
    for group, rows in table.groups:
        parts.append("<tbody>")
        if group:
            parts.append(
                f'<tr class="group"><th class="group" scope="rowgroup" '
                f'colspan="{len(table.columns)}">{escape(group)}</th></tr>'
            )
        for row in rows:
            cells = "".join(_cell(c, k) for c, k in zip(row.cells, kinds, strict=True))
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</tbody>")
    parts.append("</table>")
    parts += [f'<p class="footnote">{linked(note)}</p>' for note in table.footnotes]
    if table.references:
        parts.append('<section class="references"><h2>References</h2>')
        for ref in table.references:
            text = spans(ref.parts)
            if ref.notice:
                text += f' <span class="notice">[{linked(ref.notice)}]</span>'
            parts.append(f'<p id="ref-{escape(ref.citekey)}">{text}</p>')
        parts.append("</section>")
    parts += [f"<script>{SCRIPT}</script>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def write(table: Table, path: Path) -> None:
    fileio.write_text(path, render(table))
