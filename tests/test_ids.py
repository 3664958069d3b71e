"""DOI normalisation and extraction, and citekeys: properties over generated input, and the
forms researchers actually paste."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from phbrefs.errors import InvalidDOIError
from phbrefs.ids import citekey_base, extract_dois, is_doi, normalize_doi, unique_citekey

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_alnum = st.text(ALNUM, min_size=1, max_size=8)
_group = _alnum.map(lambda s: f"({s})")  # brackets inside DOIs come balanced: 10.1002/(SICI)...
_separator = st.sampled_from(list("-._;:/"))


@st.composite
def dois(draw: st.DrawFn) -> str:
    """A DOI as registries issue them: a registrant and a suffix that ends in a letter/digit."""
    registrant = draw(st.from_regex(r"10\.[0-9]{4,9}(\.[0-9]{1,3})?", fullmatch=True))
    parts = [draw(_alnum)]
    for _ in range(draw(st.integers(0, 4))):
        parts.append(draw(_separator))
        parts.append(draw(st.one_of(_alnum, _group)))
    parts.append(draw(_alnum))
    suffix = "".join(parts)
    # a publisher's page suffix ("/full", "/pdf") is taken for a link, not a DOI: see below
    assume(
        not re.search(
            r"/(full|abstract|summary|e?pdf|pdfdirect|fulltext|html|references)$", suffix, re.I
        )
    )
    return f"{registrant}/{suffix}"


PASTED_FORMS = [
    "{}",
    "doi:{}",
    "DOI: {}",
    "doi {}",
    "https://doi.org/{}",
    "http://dx.doi.org/{}",
    "https://www.doi.org/{}",
    "doi.org/{}",
    "info:doi/{}",
    "  {}  ",
    "{}.",
    "{},",
    "{};",
    "({})",
    '"{}"',
]


@given(dois(), st.sampled_from(PASTED_FORMS), st.booleans())
def test_every_pasted_form_normalises_to_the_bare_lower_case_doi(doi, form, upper):
    pasted = form.format(doi)
    if upper:
        pasted = pasted.upper()
    assert normalize_doi(pasted) == doi.lower()


@given(dois())
def test_url_encoded_dois_normalise(doi):
    assert normalize_doi(quote(doi, safe="")) == doi.lower()
    assert normalize_doi("https://doi.org/" + quote(doi, safe="/")) == doi.lower()


@given(dois())
def test_a_resolver_link_with_a_query_normalises(doi):
    assert normalize_doi(f"https://doi.org/{doi}?utm_source=mail#abstract") == doi.lower()


@given(dois())
def test_normalising_is_idempotent(doi):
    once = normalize_doi(doi)
    assert normalize_doi(once) == once
    assert is_doi(once)


@given(st.text(max_size=40))
def test_text_without_a_doi_prefix_is_rejected(text):
    assume("10." not in text and "%" not in text)
    with pytest.raises(InvalidDOIError):
        normalize_doi(text)


_words = st.lists(st.text("abcdefghij XYZ,;:()!?\n\t", max_size=12), max_size=4).map(" ".join)


@given(
    st.lists(dois(), min_size=1, max_size=4),
    st.lists(st.sampled_from(PASTED_FORMS), min_size=4, max_size=4),
    _words,
    _words,
)
def test_every_doi_in_running_text_is_found_in_order(found, forms, before, after):
    pieces = [before]
    for doi, form in zip(found, forms, strict=False):
        pieces.append(form.format(doi).strip())
        pieces.append(after)
    text = " ".join(pieces)
    assert extract_dois(text) == list(dict.fromkeys(d.lower() for d in found))


@given(dois())
def test_extraction_is_stable_under_html_wrapping(doi):
    text = f'<a href="https://doi.org/{doi}">https://doi.org/{doi}</a><br/>'
    assert extract_dois(text) == [doi.lower()]


def test_the_seed_pages_give_both_seed_dois():
    from pathlib import Path

    seeds = Path(__file__).parent / "fixtures" / "seeds"
    found = [doi for page in sorted(seeds.glob("*.txt")) for doi in extract_dois(page.read_text())]
    assert found == ["10.1111/hsc.12396", "10.1108/jica-07-2021-0038"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "DOI: http://dx.doi.org/10.1111/hsc.12396 (available online 10 October 2016)",
            ["10.1111/hsc.12396"],
        ),
        ("Link: http://onlinelibrary.wiley.com/doi/10.1111/hsc.12396/full", ["10.1111/hsc.12396"]),
        ("pp. 251-262. https://doi.org/10.1108/JICA-07-2021-0038", ["10.1108/jica-07-2021-0038"]),
        ("https%3A%2F%2Fdoi.org%2F10.1111%2Fhsc.12396", ["10.1111/hsc.12396"]),
        (
            "see 10.1002/(SICI)1097-4636(199812)43:4<424::AID-JBM9>3.0.CO;2-F.",
            ["10.1002/(sici)1097-4636(199812)43:4<424::aid-jbm9>3.0.co;2-f"],
        ),
        ("(doi:10.1371/journal.pone.0033693)", ["10.1371/journal.pone.0033693"]),
        ("https://doi.org/10.1111/hsc.12396?utm_source=x#top", ["10.1111/hsc.12396"]),
        (
            "https://www.emerald.com/insight/content/doi/10.1108/JICA-07-2021-0038/full/html",
            ["10.1108/jica-07-2021-0038"],
        ),
        ("no identifier here, only 10.12 and 1/2", []),
    ],
)
def test_dois_in_real_page_text(text, expected):
    assert extract_dois(text) == expected


@given(st.text(max_size=20), st.integers(1800, 2100) | st.none(), st.text(max_size=60))
def test_citekey_base_is_plain_ascii(author, year, title):
    key = citekey_base(author, year, title)
    assert key.isascii() and key.isalnum()
    assert str(year or "nd") in key


def test_citekey_base_folds_accents_and_skips_stop_words():
    assert citekey_base("Welch", 2016, "Implementing personal health budgets") == (
        "welch2016implementing"
    )
    assert citekey_base("Müller-Łukasz", 2020, "The effect of ...") == "mullerlukasz2020effect"
    assert citekey_base(None, None, None) == "anonnd"


@given(st.sets(st.from_regex(r"welch2016[a-z]{0,2}", fullmatch=True), max_size=60))
def test_unique_citekey_never_reuses_a_key(taken):
    key = unique_citekey("welch2016", taken)
    assert key not in taken
    assert key.startswith("welch2016")
