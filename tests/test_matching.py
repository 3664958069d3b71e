"""The matching engine: each field's normalisation, and each error pattern of real search
exports (issue 9) on records copied from the labelled sets (tests/fixtures/dedup/README.md)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phbrefs.dedup import find_pairs, group_pairs
from phbrefs.formats.ris import RisImporter
from phbrefs.matching import Fingerprint, assess, compare, journals, scoring
from phbrefs.matching import normalize as nz
from phbrefs.records import Contributor, PartialDate, WorkRecord

FIXTURES = Path(__file__).parent / "fixtures" / "dedup"


# -- titles ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Asthma in adults. [Review] [45 refs]", "Asthma in adults"),
        ("Asthme de l'adulte [French]", "Asthme de l'adulte"),
        ("Asthma care [Article in German]", "Asthma care"),
        ("[Research on fast track surgery in lung cancer surgery] LA: Chi",
         "Research on fast track surgery in lung cancer surgery"),
        ("Intrapleural therapy.[Erratum appears in Chest 1993 May;103(5):1640]",
         "Intrapleural therapy"),
        ("Antibiotic prophylaxis. A randomized study. <ORIGINAL> PROPHYLAXIE ANTIBIOTIQUE",
         "Antibiotic prophylaxis. A randomized study"),
        ("Indwelling catheters reduced admissions [Abstract]",
         "Indwelling catheters reduced admissions"),
        ("Control of effusions: a randomized trial [abstract no: 134]",
         "Control of effusions: a randomized trial"),
        ('"Effects of <i>Staphylococcus</i> toxins"', "Effects of  Staphylococcus  toxins"),
        ("Use of antibiotics--a multi-center trial... includes discussion",
         "Use of antibiotics--a multi-center trial"),
        ("Asthma care: a review LA: Chi", "Asthma care: a review"),
        ("Asthma care: a review of trials", "Asthma care: a review of trials"),
    ],
)  # fmt: skip
def test_clean_title_drops_what_databases_add(raw, clean):
    assert nz.clean_title(raw) == clean


def test_title_variants_find_the_translation_and_the_original():
    spanish = "Utilidad de los antimicrobianos en la toracostom?a; Are antimicrobials useful?"
    assert "are antimicrobials useful" in nz.title_variants(spanish)
    bracketed = "Some english title for the test [Ein deutscher Titel fuer den Test]"
    assert nz.title_variants(bracketed)[1:] == (
        "some english title for the test",
        "ein deutscher titel fuer den test",
    )


def test_words_spell_greek_letters_and_symbols():
    assert nz.words("integrin αvβ3, +/- dacarbazine") == nz.words(
        "integrin (alpha)v(beta)3, (plus or minus) dacarbazine"
    )
    assert nz.words("Müller & Søren") == "muller and soren"
    assert nz.words("toracostom?a") == "toracostoma"  # a letter the export lost


@settings(deadline=None)  # the first example loads the LTWA
@given(st.text())
def test_normalisations_are_total_and_words_idempotent(text):
    assert nz.words(nz.words(text)) == nz.words(text)
    nz.title_variants(text)  # none of them raises, whatever a database exported
    journals.journal_variants(text)
    nz.page_ranges(text)
    nz.url_key(text)
    Fingerprint.build(1, doi=text, title=text, year=None, people=[{"family": text}],
                      journal=text, volume=text, pages=text, url=text)  # fmt: skip


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_words_of_ascii_text_are_its_runs_of_letters_and_digits(text):
    spelled = re.sub(r"(?<=[A-Za-z])\?(?=[A-Za-z])", "", text)
    spelled = spelled.replace("+/-", " plus or minus ").replace("&", " and ")
    assert nz.words(text) == " ".join(re.findall(r"[a-z0-9]+", spelled.lower()))


@settings(deadline=None)
@given(st.lists(st.text().filter(lambda line: "\n" not in line)))
def test_words_of_many_lines_at_once_are_each_line_s_words(lines):
    assert nz.lines_words(lines) == [nz.words(line) for line in lines]


_TITLE_WORDS = ["randomised", "trial", "part", "phase", "ii", "iii", "1", "2", "of", "asthma",
                "in", "children", "; ", " = ", "[", "]"]  # fmt: skip


def _titled(ref: int, title: str) -> Fingerprint:
    return Fingerprint.build(ref, doi=None, title=title, year=None, people=[], journal=None,
                             volume=None, pages=None)  # fmt: skip


@given(*[st.lists(st.sampled_from(_TITLE_WORDS), max_size=40).map(" ".join)] * 2)
def test_pairs_skipped_for_their_title_numbers_are_those_whose_numbers_clash(a, b):
    x, y = (_titled(1, a), _titled(2, b))
    if scoring._numbers_always_clash(x, y):
        assert scoring._title(x, y)[1]  # what compare would have found the long way
        assert compare(x, y) is None


def test_title_numbers_tell_parts_and_phases_apart():
    assert nz.title_numbers("linomide part i trial design") == ("i",)
    assert nz.title_numbers("a phase 2 study in stage iv") == ("2", "iv")
    assert nz.numbers_clash(("1", "2"), ("2", "2"))  # arm 1 of 2, arm 2 of 2
    assert nz.numbers_clash((), ("2",))  # the unnumbered first part against part 2
    assert not nz.numbers_clash(("4",), ("4", "300"), truncated=True)  # the rest was cut off


# -- authors --------------------------------------------------------------------------------


def test_author_keys_close_up_particles_hyphens_and_initials():
    assert nz.author_key("Zhao", "Wei-Zhu") == nz.author_key("Zhao", "W. Z.") == "zhao w"
    assert nz.surname("van der Berg") == "berg" and nz.surname("Della Latta") == "latta"
    assert nz.surname("Vázquez-Martínez") == "vazquezmartinez"
    assert nz.same_surname("mulic", "muli") and nz.same_surname("vazquez", "vasquez")
    assert not nz.same_surname("li", "liu") and not nz.same_surname("wang", "zhang")


def test_group_authors_are_not_people():
    assert nz.is_group_author("Linezolid Community-Acquired Pneumonia Study")
    assert nz.is_group_author("Groupe francais de")
    assert not nz.is_group_author("Maskell")
    people = [Contributor(literal="North American Linomide Investigators"),
              Contributor(family="Noseworthy", given="J. H.")]  # fmt: skip
    fingerprint = Fingerprint.build(
        1, doi=None, title="T", year=2000, people=people, journal=None, volume=None, pages=None
    )
    assert fingerprint.authors == ("noseworthy j",)
    assert fingerprint.group_author == "north american linomide investigators"


def test_author_order_does_not_matter():
    a = _print(1, "A randomised trial of talc against bleomycin", ["Imazio", "Brucato", "Rovere"])
    b = _print(2, "A randomised trial of talc against bleomycin", ["Brucato", "Imazio", "Rovere"])
    assert "order differs" in assess(a, b).reasons[1]


# -- journals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Endocr Rev", "Endocrine Reviews"),
        ("Jpen: Journal of Parenteral & Enteral Nutrition", "JPEN J Parenter Enteral Nutr"),
        ("Jthoraccardiovascsurg", "The Journal of thoracic and cardiovascular surgery"),
        ("Dtsch-Med-Wochenschr", "Deutsche Medizinische Wochenschrift"),
        ("Ai zheng = Aizheng = Chinese journal of cancer", "Chinese Journal of Cancer"),
        ("Ann Fr Anesth Reanim", "Annales Francaises d Anesthesie et de Reanimation"),
        ("J Clin Oncol", "Journal of clinical oncology : official journal of the ASCO"),
        ("Medizinische Klinik (Munich, Germany : 1983)", "Med Klin"),
        ("Praxis", "Schweizerische Rundschau Fur Medizin/Praxis"),
        (
            "Proceedings of the International Conference on Integrated Care",
            "Proceedings of the 2019 International Conference on Integrated Care",
        ),
    ],
)
def test_journal_abbreviations_agree_with_full_titles(a, b):
    assert journals.journals_agree(journals.journal_variants(a), journals.journal_variants(b))


@pytest.mark.parametrize(
    ("a", "b"), [("Lancet", "Lancet Oncology"), ("Chest", "Thorax"), ("J Trauma", "J Urol")]
)
def test_different_journals_disagree(a, b):
    assert not journals.journals_agree(journals.journal_variants(a), journals.journal_variants(b))


# -- pages, volumes, years, DOIs ------------------------------------------------------------


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ("1201-14", ("1201", "1214")),
        ("1201-1214", ("1201", "1214")),
        ("S33-38", ("s33", "s38")),
        ("742-8; discussion 748-9", ("742", "748")),
        ('"230-', ("230", None)),
        ("e43268", ("43268", None)),  # an e-locator is the page number
        ("P63 [tp 104]", ("63", None)),
        ("1‐7", ("1", "7")),  # a Unicode hyphen
        ("t-51", None),
        ("01-Jun", None),  # a spreadsheet's date for 1-6
        ("", None),
    ],
)
def test_page_ranges_are_written_in_full_and_garbage_ignored(pages, expected):
    assert nz.page_range(pages) == expected


def test_an_article_printed_in_several_languages_has_several_ranges():
    ranges = nz.page_ranges('"230-5, 246-51, 233-8"')
    assert ranges == (("230", "235"), ("246", "251"), ("233", "238"))
    assert nz.page_ranges("233-238+230-235+246-251")[1] == ("230", "235")
    assert nz.ranges_overlap(("676", "682"), ("678", "684"))
    assert not nz.ranges_overlap(("676", "682"), ("683", "690"))


@given(st.integers(1, 99999), st.integers(0, 99))
def test_abbreviated_last_pages_expand(start, span):
    """``1201-14``: the end written without the leading digits it shares with the start."""
    first, end = str(start), str(start + span)
    common = 0
    while common < len(end) - 1 and len(end) == len(first) and end[common] == first[common]:
        common += 1
    short = end[common:]
    assert nz.page_range(f"{start}-{short}") == (str(start), end)


def test_urls_agree_whatever_the_scheme_and_doi_links_are_left_to_dois():
    assert nz.url_key("https://www.england.nhs.uk/phb/") == nz.url_key("http://england.nhs.uk/phb")
    assert nz.url_key("https://doi.org/10.1/x") is None and nz.url_key("") is None


def test_volumes_years_and_dois():
    assert nz.volume_number("10 Suppl 2") == "10" and nz.volume_number("30a") == "30"
    assert nz.years_agree(2012, 2013) and not nz.years_agree(2008, 2012)
    assert nz.years_agree(None, 2012) is None
    assert nz.doi_may_be_shared("10.1200/jco.2019.37.15_suppl.9000")
    assert nz.doi_may_be_shared("10.1007/978-3-319-12345-6")  # a book's, given to chapters
    assert not nz.doi_may_be_shared("10.1007/978-3-319-12345-6_5")  # one chapter's own
    assert not nz.doi_may_be_shared("10.7748/ns.21.2.14.s21")  # an ordinary article's


# -- error patterns on real records ---------------------------------------------------------


def _print(ref, title, families, year=2011, **fields) -> Fingerprint:
    people = [Contributor(family=f, given="A") for f in families]
    return Fingerprint.of(
        ref,
        WorkRecord(title=title, contributors=people, issued=PartialDate(year), **fields),
    )


@pytest.fixture(scope="module")
def sra() -> dict[str, Fingerprint]:
    text = (FIXTURES / "sra_respiratory_sample.ris").read_text(encoding="utf-8")
    records = RisImporter().parse(text, "sample").records
    return {r.citekey: Fingerprint.of(r.citekey, r) for r in records}


def tier(prints: dict[str, Fingerprint], a: int, b: int) -> str:
    return assess(prints[f"id_{a:07d}"], prints[f"id_{b:07d}"]).tier


@pytest.mark.parametrize(
    ("a", "b", "pattern"),
    [
        (12, 13, "MEDLINE tail LA: Chi, bracketed translated title"),
        (13, 14, "initials against full given names"),
        (65, 66, "original-language title appended after ;"),
        (209, 210, "erratum notice pasted into the title"),
        (229, 230, "<ORIGINAL> title appended"),
        (510, 511, "Greek letters spelled (alpha) against α"),
        (579, 580, "[Abstract] tail"),
        (600, 601, "bracketed title"),
        (177, 178, "group name appended to the title"),
        (336, 337, "squashed journal name, subtitle dropped"),
        (1, 2, "journal abbreviation against full title"),
        (344, 346, "pages 742-8; discussion 748-9 against 742-749"),
        (760, 761, "year one apart"),
        (313, 314, "surname that lost a letter; pages garbled"),
        (88, 89, "translated title at the same place by the same authors"),
        (611, 612, "one author, the same page range, original title appended"),
        (610, 612, "journal named twice: Schweizerische Rundschau fur Medizin/Praxis"),
    ],
)
def test_real_duplicates_are_merged(sra, a, b, pattern):
    assert tier(sra, a, b) == "merge", pattern


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (1369, 1372),  # two conference abstracts of one group on one supplement page
        (1576, 1577),  # two abstracts on page 597 of one issue
        (1355, 1356),  # the same digest in ACP Journal Club and in Annals
    ],
)
def test_distinct_works_at_one_place_are_not_merged(sra, a, b):
    assert tier(sra, a, b) != "merge"


def test_merge_tier_of_the_sample_never_joins_distinct_works(sra):
    with (FIXTURES / "sra_respiratory_sample_truth.csv").open(encoding="utf-8") as f:
        truth = {row["record_id"]: row["group_id"] for row in csv.DictReader(f)}
    pairs = find_pairs(list(sra.values()), set())
    for group in group_pairs(p for p in pairs if p.confident):
        assert len({truth[ref] for ref in group}) == 1, group
    merged = {frozenset((p.a, p.b)) for p in pairs if p.confident}
    assert frozenset(("id_0000065", "id_0000066")) in merged


def test_a_shared_doi_is_no_proof_when_titles_disagree():
    doi = "10.1200/jco.2019.37.15_suppl.9000"
    a = _print(1, "Durvalumab after chemoradiotherapy in stage III lung cancer", ["Antonia"],
               doi=doi, container_title="J Clin Oncol")  # fmt: skip
    b = _print(2, "Nivolumab plus ipilimumab in advanced melanoma: five-year results", ["Larkin"],
               doi=doi, container_title="J Clin Oncol")  # fmt: skip
    assert compare(a, b) is None
    ordinary = "10.1016/j.imr.2018.01.008"
    c = _print(3, "Zinc, copper and CD4 count in HIV", ["Asemota"], doi=ordinary)
    d = _print(4, "Hepatitis B vaccination in health workers", ["Okafor"], doi=ordinary)
    match = assess(c, d)
    assert match.tier == "distinct" and "titles disagree" in match.reasons[1]


def test_the_same_doi_and_title_merge_across_databases():
    text = (FIXTURES / "iebh_copper_sample.ris").read_text(encoding="utf-8")
    prints = {r.extra["ID"]: Fingerprint.of(r.extra["ID"], r) for r in RisImporter().parse(
        text, "sample").records}  # fmt: skip
    assert assess(prints["455"], prints["204"]).tier == "merge"  # one without pages
    assert assess(prints["258"], prints["24"]).tier == "merge"
    assert compare(prints["115"], prints["455"]) is None
    typo = assess(prints["436"], prints["98"])  # DOIs differ in the ISSN part: one mistyped
    assert typo.tier == "merge" and "mistyped" in typo.reasons[1]


@pytest.mark.parametrize(
    ("x", "y", "pattern"),
    [
        (dict(container_title="Am J Respir Crit Care Med", volume="179", pages="A1234"),
         dict(container_title="Thorax", volume="65", pages="120-126", year=2010),
         "conference abstract against the full paper"),
        (dict(container_title="Cochrane Database Syst Rev", volume="6", pages="CD006828"),
         dict(container_title="Evid Based Child Health", volume="4", pages="1125-1150"),
         "the same review in two journals"),
        (dict(container_title="Chest", volume="101", pages="1-2"),
         dict(container_title="Chest", volume="102", pages="1-2", year=2012),
         "a recurring column"),
    ],
)  # fmt: skip
def test_look_alikes_go_to_review_not_merge(x, y, pattern):
    title = "Editor's comments" if "column" in pattern else (
        "Intrapleural fibrinolytic therapy for pleural infection in adults")  # fmt: skip
    a = _print(1, title, ["Davies", "Maskell"], **x)
    b = _print(2, title, ["Davies", "Maskell"], year=y.pop("year", 2011), **y)
    match = compare(a, b)
    assert match is None or match.tier == "review", pattern


def test_an_abstract_and_the_paper_in_one_volume_are_not_merged():
    title = "Indwelling pleural catheters reduce admissions for malignant effusion"
    abstract = _print(1, title, ["Davies", "Maskell"], container_title="Thorax", volume="66",
                      pages="A12")  # fmt: skip
    paper = _print(2, title, ["Davies", "Maskell"], container_title="Thorax", volume="66",
                   pages="1011-1017")  # fmt: skip
    match = assess(abstract, paper)
    assert match.tier == "review" and "different pages" in match.reasons


def test_generic_titles_prove_little():
    assert nz.is_generic_title("reply to the letter to the editor")
    assert nz.is_generic_title("editor s comments") and not nz.is_generic_title("asthma")
    a = _print(1, "Reply to the letter to the editor", ["Light"], container_title="Chest")
    b = _print(2, "Reply to the letter to the editor", ["Light"], container_title="Chest")
    match = assess(a, b)
    assert match.tier != "merge" and "generic" in match.reasons[0]


def test_trial_arms_with_different_numbers_are_not_merged():
    a = _print(1, "Talc pleurodesis: a randomised trial, arm 1 of 2", ["Rahman"], volume="3")
    b = _print(2, "Talc pleurodesis: a randomised trial, arm 2 of 2", ["Rahman"], volume="3")
    match = assess(a, b)
    assert match.tier != "merge" and "different numbers" in match.reasons[0]


def test_blocking_finds_translated_titles_through_volume_and_page(sra):
    assert ("vp", "13", "280") in sra["id_0000088"].blocks
    assert ("vp", "13", "280") in sra["id_0000089"].blocks
