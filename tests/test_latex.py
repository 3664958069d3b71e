"""LaTeX decoding as reference managers write it, without loss; the encode/decode round trip; no
invisible control reaching LaTeX (checked with the real bibtex and pdflatex)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phbrefs.controls import strip_controls
from phbrefs.formats.latex import escape_specials, to_latex, to_text

WRITTEN = [
    # Zotero
    (r"p {\textless} 0.05 and {\textgreater}90 \%", "p < 0.05 and >90 %"),
    (r"C:{\textbackslash}Users and {\textasciitilde}1 kg", "C:\\Users and ~1 kg"),
    (r"a {\textbar} b, {\textasciicircum}2", "a | b, ^2"),
    (r"{\textquotesingle}quoted{\textquotesingle} {\textendash} {\textemdash}", "'quoted' – —"),
    (
        r"Health \& Social Care: 50\% of \$costs \#1 R\_0",
        "Health & Social Care: 50% of $costs #1 R_0",
    ),
    (r"{BPM} and {IEEE} Access", "BPM and IEEE Access"),
    # JabRef and BibDesk: math for symbols
    (r"$<$0.001, $\geq$ 18 years, $\alpha$-synuclein", "<0.001, ≥ 18 years, α-synuclein"),
    # Mendeley: doubly braced accents
    (r"M{\"{u}}ller, Ca{\'{e}}, na{\"{\i}}ve, {\AA}ngstr{\"{o}}m", "Müller, Caé, naïve, Ångström"),
    (r"\v{S}koda, \c{c}a, {\l}{\'o}d{\'z}, \ss, {\o}re", "Škoda, ça, łódź, ß, øre"),
    # formatting and links
    (r"\textit{in vivo} and \emph{E. coli} in H\textsubscript{2}O", "in vivo and E. coli in H2O"),
    (r"see \url{https://example.org/~a_b%20c}", "see https://example.org/~a_b%20c"),
    (r"pages 12--34, 1990---2000, ``quoted''", "pages 12–34, 1990—2000, “quoted”"),
    (r"10\textdegree{}C, 5\textmu{}g, \S 3", "10°C, 5µg, §3"),
    # EndNote writes plain text with bare specials
    ("50% of < 5 & more", "50% of < 5 & more"),
    # unknown commands are kept as written, never dropped
    (r"the \mycommand{arg} stays", r"the \mycommand{arg} stays"),
]


@pytest.mark.parametrize(("latex", "text"), WRITTEN)
def test_reference_manager_latex_is_decoded_without_loss(latex, text):
    assert to_text(latex) == text


def test_unbalanced_and_malformed_latex_never_raises():
    for value in ("{unclosed", "closed}", "\\", "$", "$\\frac{1}$", "\\'", "\\href{x}", "\\v"):
        assert isinstance(to_text(value), str)


def test_controls_never_reach_latex():
    title = "Evil \u202eelit\u202c with zero\u200bwidth\ufeff and \u2066isolates\u2069"
    for encoded in (to_latex(title), escape_specials(title)):
        assert encoded == strip_controls(encoded)
    assert strip_controls(title) == "Evil elit with zerowidth and isolates"
    assert "\u202e" not in to_latex(title) and "\u200b" not in escape_specials(title)


# Arbitrary text as it would be stored: BibTeX treats runs of white space as one space, and
# the controls are never written; everything else must come back exactly.
stored_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60).map(
    lambda s: " ".join(strip_controls(s).split())
)


@settings(max_examples=400, deadline=None)
@given(stored_text)
def test_encode_then_decode_is_the_original(text):
    assert to_text(to_latex(text)) == text
    assert to_text(escape_specials(text)) == text


@pytest.mark.skipif(
    not (shutil.which("pdflatex") and shutil.which("bibtex")), reason="pdflatex/bibtex absent"
)
def test_bidi_and_zero_width_titles_compile_with_bibtex_and_pdflatex(cli, tmp_path):
    source = tmp_path / "in.bib"
    source.write_text(
        '@article{evil, author = {M{\\"u}ller, J{\\"o}rg}, year = {2020},\n'
        "  title = {Budgets \u202eevil\u202c and zero\u200bwidth \u2066isolated\u2069 text},\n"
        "  journal = {Health \\& Care}, abstract = {p {\\textless} 0.05, $\\alpha$}}\n",
        encoding="utf-8",
    )
    assert cli("import", str(source)).exit_code == 0
    assert cli("export", "--all", "--format", "bibtex", "-o", tmp_path / "refs.bib").exit_code == 0
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\\begin{document}\n"
        "\\nocite{*}\\bibliographystyle{plain}\\bibliography{refs}\\end{document}\n"
    )
    for tool in (["pdflatex"], ["bibtex"], ["pdflatex"]):
        run = subprocess.run(
            [
                *tool,
                *(["-interaction=nonstopmode", "-halt-on-error"] if tool != ["bibtex"] else []),
                "main",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stdout[-2000:]
    log = (tmp_path / "main.log").read_text(errors="replace")
    assert "Unicode character" not in log and (tmp_path / "main.pdf").exists()


def test_the_table_of_english_language_names_is_what_langcodes_gives():
    """The table spares langcodes' name data; it must name each language as langcodes does."""
    from phbrefs.formats.latex import _ENGLISH_NAMES, babel_language, babel_language_by_langcodes

    for code, name in _ENGLISH_NAMES.items():
        assert babel_language_by_langcodes(code) == name == babel_language(code)


def test_a_babel_name_is_kept_as_langcodes_keeps_it():
    """A stored babel name (``ngerman``) is returned without importing langcodes, as it would."""
    from phbrefs.formats.latex import _NAMES, babel_language, babel_language_by_langcodes

    for name in _NAMES:
        assert babel_language_by_langcodes(name) == name == babel_language(name)


def test_ensuremath_keeps_its_argument_when_pylatexenc_decodes_the_value():
    """``to_latex("Aαӭ")`` writes α in ``\\ensuremath`` and ӭ as a macro the tables lack, so
    pylatexenc decodes the whole value: it kept ``\\ensuremath`` but dropped the α."""
    assert to_text(to_latex("Aαӭ")) == "Aαӭ"
    assert to_text(r"\ensuremath{\alpha} and \ensuremath{}x") == "α and x"
