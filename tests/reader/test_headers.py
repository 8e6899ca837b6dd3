"""Header synonyms, numbered multi-column fields and --map overrides."""

from __future__ import annotations

import pytest

from rvucheck.errors import InputFileError
from rvucheck.read.headers import canonical_field, map_headers, normalize_header


def test_normalize_header() -> None:
    assert normalize_header("Date of Service:") == "date of service"
    assert normalize_header("Claim #") == "claim"
    assert normalize_header("CPT/HCPCS") == "cpt hcpcs"
    assert normalize_header("  PROC\xa0CODE ") == "proc code"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("CPT", "hcpcs"),
        ("HCPCS", "hcpcs"),
        ("Proc Code", "hcpcs"),
        ("Procedure Code", "hcpcs"),
        ("CPT Code", "hcpcs"),
        ("Units", "units"),
        ("Qty", "units"),
        ("Days or Units", "units"),
        ("DOS", "dos"),
        ("Date of Service", "dos"),
        ("Service Date", "dos"),
        ("From Date", "dos"),
        ("Rendering", "provider"),
        ("Provider", "provider"),
        ("Physician", "provider"),
        ("Rendering NPI", "provider_npi"),
        ("Patient", "patient"),
        ("MRN", "patient"),
        ("Account", "patient"),
        ("Patient ID", "patient"),
        ("POS", "pos"),
        ("Place of Service", "pos"),
        ("Charge", "charge"),
        ("Amount", "charge"),
        ("Billed", "charge"),
        ("Payer", "payer"),
        ("Insurance", "payer"),
        ("Claim", "claim"),
        ("Encounter", "claim"),
        ("Visit", "claim"),
    ],
)
def test_single_column_synonyms(header: str, field: str) -> None:
    mapped = map_headers(["x", header])
    assert mapped.single.get(field) == 1


def test_numbered_modifier_and_diagnosis_columns_in_number_order() -> None:
    headers = ["CPT", "Dx 2", "Mod 2", "Dx1", "Modifier 1", "ICD-10 3", "Mod"]
    mapped = map_headers(headers)
    assert mapped.single["hcpcs"] == 0
    assert mapped.multi["modifiers"] == (6, 4, 2)  # un-numbered "Mod" first, then 1, 2
    assert mapped.multi["diagnoses"] == (3, 1, 5)  # Dx1, Dx 2, ICD-10 3
    assert mapped.as_mapping()["modifiers"] == 7


def test_specific_synonym_wins_over_generic() -> None:
    mapped = map_headers(["Date", "Code", "Date of Service", "CPT"])
    assert mapped.single["dos"] == 2
    assert mapped.single["hcpcs"] == 3


def test_override_and_unknown_header() -> None:
    mapped = map_headers(["Svc", "Qty"], {"hcpcs": "svc"})
    assert mapped.single["hcpcs"] == 0
    with pytest.raises(KeyError):
        map_headers(["Svc"], {"hcpcs": "nothing"})


def test_canonical_field_names() -> None:
    assert canonical_field("CPT") == "hcpcs"
    assert canonical_field("dx") == "diagnoses"
    assert canonical_field("Provider-NPI") == "provider_npi"
    with pytest.raises(InputFileError, match="unknown field 'colour'"):
        canonical_field("colour")


def test_the_vocabulary_file_is_spelled_out_and_each_phrase_names_one_field() -> None:
    from rvucheck.read.headers import ABBREVIATIONS, SYNONYMS, classify

    every = [phrase for phrases in SYNONYMS.values() for phrase in phrases]
    assert len(every) == len(set(every))
    for field, phrases in SYNONYMS.items():
        for phrase in phrases:
            assert normalize_header(phrase) == phrase
            assert not set(phrase.split()) & set(ABBREVIATIONS), phrase  # phrases are written spelled out
            hit = classify(phrase)
            assert hit is not None and hit.field == field, (phrase, hit)
    assert SYNONYMS["hcpcs"][:3] == ("24d", "cpt", "hcpcs") and "procedure code" in SYNONYMS["hcpcs"]
