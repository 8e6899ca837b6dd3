"""The modifier table (data/modifiers.toml): complete where the brief says, sourced, and the one place
meanings come from (LN06 validity, the code page)."""

from __future__ import annotations

import pytest

from rvucheck.refdata.modifiers import ambulance_pairs, modifier_meaning, modifier_table, valid_modifiers

CATEGORIES = {
    "pricing", "surgery", "evaluation", "ncci", "anatomic", "anesthesia", "ambulance", "DME", "therapy",
    "telehealth", "lab", "drug", "liability", "teaching", "quality", "informational", "program", "ESRD",
    "hospice", "radiology", "vision",
}  # fmt: skip

EXPECTED = {
    "DME": ["NU", "RR", "UE", "KH", "KI", "KJ", "BP", "BR", "BU", "RA", "RB", "MS"],
    "therapy": ["GP", "GO", "GN", "CQ", "CO", "96", "97"],
    "anesthesia": ["AA", "AD", "QK", "QX", "QY", "QZ", "QS", "G8", "G9", "23", "47", "P1", "P6"],
    "telehealth": ["95", "93", "GQ", "GT", "FQ", "FR"],
    "lab": ["QW", "90", "91", "92"],
    "ambulance": ["RH", "EH", "NH", "PH", "RJ", "JR", "IH", "SX", "GM", "QL", "QM", "QN"],
    "ncci": ["59", "XE", "XP", "XS", "XU"],
    "anatomic": ["LT", "RT", "FA", "F9", "TA", "T9", "E1", "E4", "LC", "LD", "LM", "RC", "RI"],
    "liability": ["GA", "GY", "GZ", "KX"],
}


def test_every_entry_has_a_known_category_a_source_and_words() -> None:
    for code, entry in modifier_table().items():
        assert len(code) == 2 and code.isalnum() and code.isupper() | code.isdigit(), code
        assert entry.category in CATEGORIES, (code, entry.category)
        assert entry.source and len(entry.meaning) >= 5, code


@pytest.mark.parametrize(("category", "codes"), sorted(EXPECTED.items()))
def test_the_modifier_groups_medicare_uses_are_there(category: str, codes: list[str]) -> None:
    table = modifier_table()
    assert [c for c in codes if c not in table] == []
    assert [c for c in codes if table[c].category != category] == []


def test_ambulance_pairs_are_origin_then_destination_with_x_a_destination_only() -> None:
    pairs = ambulance_pairs()
    assert len(pairs) == 10 * 11
    assert pairs["RH"] == "from residence to hospital"
    assert "HX" in pairs and "XH" not in pairs
    assert "XH" not in valid_modifiers() and "RH" in valid_modifiers()
    # a pair that spells another modifier keeps both meanings
    gp = modifier_table()["GP"]
    assert gp.category == "therapy" and "physical therapy" in gp.meaning and gp.ambulance.startswith("from ")


def test_meanings_come_from_the_table() -> None:
    assert modifier_meaning("25") == modifier_table()["25"].meaning
    assert modifier_meaning(" rt ") == "right side"
    assert modifier_meaning("ZZ") is None
    assert "ZZ" not in valid_modifiers() and "2559" not in valid_modifiers()


def test_code_page_shows_each_modifier_in_words(ref: object) -> None:
    from rvucheck.refdata.code_page import lookup

    page = lookup(ref, "27447", ("50", "AS"))  # type: ignore[arg-type]
    assert page["adjusted"]["meanings"] == {"50": "bilateral procedure", "AS": modifier_meaning("AS")}
