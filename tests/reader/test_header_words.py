"""Headers as people and claim files write them (issue 10): each maps to the field a coder would choose,
and the traps (CPT_NUMBER, a TO date, a patient's name beside an id, billing vs rendering provider, a
payment amount) do not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rvucheck.read.headers import classify, field_of_header, header_words, map_headers


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("24D CPT/HCPCS", "hcpcs"),
        ("24A DOS From", "dos"),
        ("24G Units", "units"),
        ("24F Charges", "charge"),
        ("24B Place of Service", "pos"),
        ("24J Rendering Provider ID", "provider_npi"),
        ("Modifier Code 1", "modifiers"),
        ("Mod Code 2", "modifiers"),
        ("Pt MRN", "patient"),
        ("Patient Name", "patient"),
        ("Pt Acct #", "patient"),
        ("From", "dos"),
        ("Date of Svc", "dos"),
        ("Rendering Provider Name", "provider"),
        ("Submitted CPT", "hcpcs"),
        ("CLM_LINE_HCPCS_CD", "hcpcs"),
        ("HCPCS_1_MDFR_CD", "modifiers"),
        ("claim_line_start_date", "dos"),
        ("hcpcs_modifier_1", "modifiers"),
        ("PROCEDURECODE", "hcpcs"),
        ("CPT_CD", "hcpcs"),
        ("CHARTDATE", "dos"),
        ("procedure_source_value", "hcpcs"),
        ("SUBJECT_ID", "patient"),
        ("DESYNPUF_ID", "patient"),
        ("PatientId", "patient"),
        ("PLACEOFSERVICE", "pos"),
        ("21C Diagnosis", "diagnoses"),
        ("LINE_ICD9_DGNS_CD_3", "diagnoses"),
        ("PRF_PHYSN_NPI_1", "provider_npi"),
        ("LINE_SRVC_CNT", "units"),
        ("LINE_SBMTD_CHRG_AMT", "charge"),
        ("Billing Provider", "group"),
    ],
)
def test_real_headers_name_the_field_a_coder_would_choose(header: str, field: str) -> None:
    assert field_of_header(header) == field


@pytest.mark.parametrize(
    "header",
    [
        "CPT_NUMBER",  # MIMIC: the code's number part, not the code
        "CPT_SUFFIX",
        "To",  # the end of a From/To range is not the date of service
        "24A DOS To",
        "CLM_THRU_DT",
        "Line Payment Amount",  # paid, not charged
        "LINE_ALOWD_CHRG_AMT_1",
        "LINE_NCH_PMT_AMT_1",
        "Dx Pointer",
        "DIAGNOSISREF1",  # Synthea: a pointer to the claim's diagnosis, not a code
        "HCPCS_BETOS_CD",
        "TICKET_ID_SEQ",
        "Age Group",
        "Gestational Age",
        "Birth Weight",
    ],
)
def test_traps_name_no_field(header: str) -> None:
    assert field_of_header(header) is None


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Patient DOB", "birth_date"),  # a date of birth, not the patient's id nor the date of service
        ("Date of Birth", "birth_date"),
        ("BirthDate", "birth_date"),
        ("Age", "age"),
        ("Patient Age", "age"),
    ],
)
def test_birth_date_and_age_for_the_mce_age_edits(header: str, field: str) -> None:
    assert field_of_header(header) == field


def test_words_are_cut_and_spelled_out() -> None:
    assert header_words("HCPCS_1_MDFR_CD") == (("hcpcs", "modifier", "code"), (1,))
    assert header_words("PROCEDURECODE") == (("procedure", "code"), ())
    assert header_words("ICD-10 3") == (("icd",), (3,))  # "ICD 10" is the code set, 3 the column
    assert header_words("HCPCS_2ND_MDFR_CD")[1] == (2,)
    assert header_words("21B Diagnosis")[1] == (2,)  # CMS-1500 item 21B: the second diagnosis


def test_an_id_beats_a_name_for_the_patient_and_rendering_beats_billing() -> None:
    mapped = map_headers(["Patient Name", "CPT", "Pt MRN", "Billing Provider", "Rendering Provider Name"])
    assert mapped.single["patient"] == 2
    assert mapped.single["provider"] == 4
    assert mapped.single["group"] == 3
    only_name = map_headers(["Patient Name", "CPT"])
    assert only_name.single["patient"] == 0  # a name is the patient key only when there is no id


def test_the_line_date_beats_the_claim_date_and_from_beats_to() -> None:
    cclf = ["CLM_FROM_DT", "CLM_THRU_DT", "CLM_LINE_FROM_DT", "CLM_LINE_THRU_DT", "CLM_LINE_HCPCS_CD"]
    assert map_headers(cclf).single["dos"] == 2
    assert map_headers(["To", "From", "CPT"]).single["dos"] == 1


def test_numbered_families_in_number_order() -> None:
    headers = [
        "24D CPT/HCPCS",
        "21B Diagnosis",
        "21A Diagnosis",
        "24D Modifier 2",
        "24D Modifier 1",
        "21L Dx",
    ]
    mapped = map_headers(headers)
    assert mapped.single["hcpcs"] == 0
    assert mapped.multi["diagnoses"] == (2, 1, 5)
    assert mapped.multi["modifiers"] == (4, 3)


def test_a_label_row_above_names_a_from_to_pair_and_a_title_does_not() -> None:
    above = ["", "Service", "", "Patient", ""]
    mapped = map_headers(["CPT", "From", "To", "ID", "Name"], above=above)
    assert mapped.single["dos"] == 1 and mapped.single["patient"] == 3
    assert "patient" not in map_headers(["CPT", "ID"], above=["Charges for Patient", ""]).single
    # values under a header are never read as headers through the labels above them
    assert map_headers(["99213", "1"], above=["CPT", "Units"]).single == {}


def test_scores_rank_specific_over_generic() -> None:
    date, service = classify("Date"), classify("Date of Service")
    assert date is not None and service is not None and service.score > date.score


def test_values_settle_two_equal_headers(tmp_path: Path) -> None:
    from rvucheck.read.charges import read_charges

    export = tmp_path / "two_dates.csv"
    export.write_text(
        "CPT,Date,Date,Units\n99213,posted,2026-07-06,1\n99214,x,2026-07-07,1\n", encoding="utf-8"
    )
    read = read_charges(export)
    assert read.mapping["dos"] == 3 and "chosen over an equal header by its values" in read.evidence["dos"]
    assert [line.dos for line in read.lines] == [dt.date(2026, 7, 6), dt.date(2026, 7, 7)]
    same = tmp_path / "same.csv"  # equal headers, equal values: the leftmost, as before
    same.write_text("CPT,Date,Date\n99213,2026-07-01,2026-07-06\n", encoding="utf-8")
    assert read_charges(same).mapping["dos"] == 2


def test_a_file_without_a_header_row_loses_no_line(tmp_path: Path) -> None:
    from rvucheck.errors import InputFileError
    from rvucheck.read.charges import read_charges

    export = tmp_path / "bare.csv"
    export.write_text("99213,1,2026-07-06\n99214,1,2026-07-07\n20610,1,2026-07-08\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="no procedure code column found"):
        read_charges(export)  # not: row 1 taken for a header and its line dropped
    titled = tmp_path / "titled.csv"  # a header without a code word above code-shaped values is read
    titled.write_text("Item,Qty\n99213,1\n99214,1\n", encoding="utf-8")
    assert [line.hcpcs for line in read_charges(titled).lines] == ["99213", "99214"]


def test_values_overrule_a_header_whose_column_holds_no_codes(tmp_path: Path) -> None:
    from rvucheck.read.charges import read_charges

    export = tmp_path / "described.csv"
    export.write_text("CPT,Code,Units\nOffice visit,99213,1\nInjection,20610,1\n", encoding="utf-8")
    read = read_charges(export)
    assert read.mapping["hcpcs"] == 2 and read.evidence["hcpcs"].startswith(
        "found by its values over column 1"
    )
    assert [line.hcpcs for line in read.lines] == ["99213", "20610"]
    plain = tmp_path / "plain.csv"  # a CPT column of codes keeps its stronger header
    plain.write_text("CPT,Code,Units\n99213,A1,1\n20610,B2,1\n", encoding="utf-8")
    assert read_charges(plain).mapping["hcpcs"] == 1
