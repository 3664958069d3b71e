"""The interactive evidence gap map: one standalone HTML file (CSS, script and data inlined, no
network), in the manner of EPPI-Mapper and the Campbell evidence-and-gap-map guidance.

Claims are rows grouped by theme; studies (grouped by design) or framework dimensions (grouped
by framework, with a column for findings coded against none) are columns. Each cell's bubble
is sized by its studies or findings and coloured by stance (a mixed cell shows its parts) or by
the claim's CERQual confidence; a click lists the cell's findings with quote, location and
citation. The page itself (``assets/gap_map.js``) does the drawing, filtering and switching, so
this module only gathers the evidence as JSON.
"""

from __future__ import annotations

import json
from html import escape
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phbrefs import fileio
from phbrefs.errors import InvalidInputError
from phbrefs.tables.cerqual import CONFIDENCE
from phbrefs.tables.data import NothingToTabulateError, load_evidence
from phbrefs.tables.evidence import Evidence, theme_ordered
from phbrefs.tables.evidence_map import MAP_AXES
from phbrefs.tables.model import STANCES
from phbrefs.tables.references import build_references
from phbrefs.tables.writers.html import spans

if TYPE_CHECKING:
    from phbrefs.library import Library

NO_DIMENSION = "No dimension"
NOT_REPORTED = "Not reported"
CONFIDENCE_LEVELS = ("high", "moderate", "low", "very low")


def _confidence(ev: Evidence, claim_id: int) -> str | None:
    assessment = ev.data.cerqual.get(claim_id)
    if not assessment or not assessment.overall:
        return None
    key = assessment.overall.strip().lower().removesuffix(" confidence")
    return key if key in CONFIDENCE else None


def map_data(library: Library, *, by: str = "studies") -> dict[str, Any]:
    """Everything the page draws, as plain JSON-ready data; ``by`` is the first column axis."""
    if by not in MAP_AXES:
        raise InvalidInputError(f"cannot map by {by!r}; choose {' or '.join(MAP_AXES)}")
    ev = Evidence(load_evidence(library, dimensions=True))
    if not ev.data.claims:
        raise NothingToTabulateError("no claims to map")
    if not ev.data.findings:
        raise NothingToTabulateError("no findings to map")
    work_ids = ev.ordered(f.work_id for f in ev.data.findings)
    stored = {w.id: w for w in library.works([ev.data.works[i].citekey for i in work_ids])}
    references = {
        r.citekey: r
        for r in build_references(
            ((i, ev.data.works[i].citekey, ev.data.works[i].record) for i in work_ids),
            ev.citations,
        )
    }
    studies = []
    for work_id in work_ids:
        study = ev.data.studies.get(work_id)
        citekey = ev.data.works[work_id].citekey
        studies.append(
            {
                "id": work_id,
                "label": ev.cite(work_id),
                "citekey": citekey,
                "reference": spans(references[citekey].parts),
                "design": (study.design if study and study.design else NOT_REPORTED),
                "country": (study.country if study and study.country else NOT_REPORTED),
                "tags": stored[work_id].tags if work_id in stored else [],
            }
        )
    claims = [
        {
            "id": c.id,
            "slug": c.slug,
            "statement": c.statement,
            "theme": c.theme or "Other claims",
            "confidence": _confidence(ev, c.id),
        }
        for c in theme_ordered(ev.data.claims)
    ]
    findings = [
        {
            "id": f.id,
            "claim": f.claim_id,
            "study": f.work_id,
            "stance": f.stance if f.stance in STANCES else "neutral",
            "quote": f.quote.strip(),
            "location": f.location or "",
            "participants": f.participants or "",
            "dimensions": f.dimensions or [NO_DIMENSION],
        }
        for f in ev.data.findings
    ]
    return {
        "by": by,
        "claims": claims,
        "studies": studies,
        # every dimension of the frameworks in use, coded or not: empty columns are the gaps
        "dimensions": [*ev.data.dimensions, NO_DIMENSION],
        "findings": findings,
        "stances": list(STANCES),
        "confidence": list(CONFIDENCE_LEVELS),
    }


def _asset(name: str) -> str:
    return resources.files("phbrefs.tables").joinpath("assets", name).read_text(encoding="utf-8")


def render_gap_map(data: dict[str, Any], *, title: str = "Evidence gap map") -> str:
    # "</" cannot end the script early: JSON's "\u003c" reads the same to the script
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>\n{_asset('gap_map.css')}</style>\n</head>\n<body>\n"
        f"{_asset('gap_map.html')}"
        f'<script type="application/json" id="map-data">{payload}</script>\n'
        f"<script>\n{_asset('gap_map.js')}</script>\n</body>\n</html>\n"
    )


def write_gap_map(library: Library, path: Path | str, *, by: str = "studies") -> Path:
    path = Path(path)
    text = render_gap_map(map_data(library, by=by))
    path.parent.mkdir(parents=True, exist_ok=True)
    return fileio.write_text(path, text)
