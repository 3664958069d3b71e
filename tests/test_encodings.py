"""Single-byte exports: Windows-1252 (EndNote, Western search databases) is read as such, and a
Windows-1250 (Central European) file is still read as Windows-1250."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from phbrefs.textfiles import decode_text

WESTERN = [
    "TY  - JOUR\nAU  - García, José\nTI  - Atención primaria en España: año 2019\n"
    "AB  - Qualité de vie après une intervention à l hôpital; coût\nPY  - 2020\nER  - \n",
    "TI  - Qualité à l'hôpital\n",  # one line: charset-normalizer scores 1250 and 1252 alike
    "TI  - Qualità della vita e attività fisica: perché è importante\nAU  - Rossi, Niccolò\n",
    "TI  - Niños y niñas: evaluación de la atención en Galicia\nAU  - Muñoz, Begoña\n",
    "TI  - Avaliação da atenção básica à saúde\nAU  - Gonçalves, João\n",
    "TI  - Informações sobre populações e pulmões\n",
    "TI  - Sundhed og trivsel blandt ældre i Århus\nAU  - Sørensen, Henrik Toft\n",
    "AU  - Lefèvre, Hélène\nTI  - L'enfant à l'école: rôle de l'infirmière\n",
    "TI  - Patients’ experiences of care – a “qualitative” study\nAU  - O’Brien, Seán\n",
    # symbols that are letters in Windows-1250 (Ł, ż, ş): no vote beside digits or a capital
    "AB  - Each holder managed a budget of £1,000 to £5,000 a year\n",
    "AB  - Budgets of £250 a week – a “personal” budget (£13,000 in all)\n",
    "TI  - ¿Qué sabemos de la atención primaria?\n",
]
CENTRAL = [
    "TY  - JOUR\nAU  - Wiśniewski, Łukasz\nTI  - Jakość życia pacjentów po zabiegu w Łodzi\n"
    "AB  - Ocena skuteczności leczenia źródła bólu u dzieci\nER  - \n",
    "TI  - Ocena skuteczności leczenia\nAU  - Dąbrowska, Małgorzata\n",
    "TY  - JOUR\nAU  - Dvořák, Jiří\nTI  - Kvalita života pacientů po operaci v Českých "
    "Budějovicích\nAB  - Účinnost léčby bolesti u dětí\nER  - \n",
    "AU  - Černý, Tomáš\nTI  - Léčba bolesti u dětí\n",
    "TI  - Kvalita života pacientov: štúdia v Košiciach\nAU  - Kováč, Ľubomír\n",
    "TI  - Az egészségügyi ellátás minősége: áttekintés\nAU  - Szűcs, Gábor\n",
    "TI  - Zdravstvena nega bolnikov v Sloveniji\nAU  - Žagar, Špela\n",
]


@pytest.mark.parametrize("text", WESTERN)
def test_windows_1252_text_is_read_as_windows_1252(text: str) -> None:
    assert decode_text(text.encode("cp1252"), "endnote.ris") == text


@pytest.mark.parametrize("text", CENTRAL)
def test_central_european_windows_1250_text_is_still_read_as_windows_1250(text: str) -> None:
    assert decode_text(text.encode("cp1250"), "export.ris") == text


def test_a_windows_1252_ris_export_imports_its_accents_unchanged(cli, tmp_path: Path) -> None:
    path = tmp_path / "cp.ris"
    path.write_bytes(WESTERN[0].encode("cp1252"))
    assert cli("import", str(path)).exit_code == 0
    (work,) = json.loads(cli("list", "--json").stdout)
    assert work["title"] == "Atención primaria en España: año 2019"
    assert work["abstract"] == "Qualité de vie après une intervention à l hôpital; coût"
