"""The E/M vocabulary has one home (rvucheck.engine.em) used by the engine and the audit."""

from __future__ import annotations

import pytest

from rvucheck.audit import emmix, metrics
from rvucheck.engine import facts
from rvucheck.engine.em import EM_FAMILIES, FAMILY_OF_CODE, NEW_PATIENT_CODES, is_em


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        *[("99202", True), ("99213", True), ("99499", True), ("99201", False), ("99500", False)],
        *[("9921", False), ("992131", False), ("9921F", False), ("G2211", False), ("", False)],
    ],
)
def test_is_em(code: str, expected: bool) -> None:
    assert is_em(code) is expected


def test_every_family_code_is_an_em_code_and_in_one_family() -> None:
    codes = [code for family in EM_FAMILIES for code in family.codes]
    assert all(is_em(code) for code in codes)
    assert len(codes) == len(FAMILY_OF_CODE) == 43
    new_patient = {"99202", "99203", "99204", "99205", "99341", "99342", "99344", "99345"}
    assert new_patient == NEW_PATIENT_CODES


def test_engine_and_audit_use_the_same_vocabulary() -> None:
    assert facts.is_em is metrics.is_em is is_em
    assert emmix.EM_FAMILIES is EM_FAMILIES
