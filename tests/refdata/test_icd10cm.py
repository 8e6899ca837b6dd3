"""The ICD-10-CM code set kept in the store equals the simple-icd-10-cm package's own list."""

from __future__ import annotations

from pathlib import Path

import simple_icd_10_cm as icd

from rvucheck.refdata.icd10cm import CodeSet, ensure_code_set, package_code_set_id
from rvucheck.refdata.store import Store


def test_store_code_set_equals_the_package_for_every_code(data_dir: Path) -> None:
    stored = CodeSet.open(Store(data_dir))
    assert stored.info is not None and stored.info.dataset_id == package_code_set_id()[0]
    codes = [c for c in icd.get_all_codes(with_dots=True) if icd.is_category_or_subcategory(c)]
    assert len(codes) > 90_000
    mismatches = [c for c in codes if stored.state(c) != ("billable" if icd.is_leaf(c) else "header")]
    assert mismatches == []


def test_states_of_known_codes(ref) -> None:  # type: ignore[no-untyped-def]
    assert ref.dx_state("E11.9") == "billable"
    assert ref.dx_state(" e119 ") == "billable"  # no dot, lower case, spaces: as exports write them
    assert ref.dx_state("E11") == "header"  # category with subcodes: not billable
    assert ref.dx_state("S72.001") == "header"  # needs its 7th character
    assert ref.dx_state("S72.001A") == "billable"
    assert ref.dx_state("E11.99X") == "invalid"
    assert ref.dx_state("99213") == "invalid"


def test_ensure_installs_once(tmp_path: Path) -> None:
    store = Store(tmp_path)
    first = ensure_code_set(store)
    assert first is not None and first.kind == "icd10cm"
    assert ensure_code_set(store) is None
    assert [d.dataset_id for d in store.datasets("icd10cm")] == [first.dataset_id]


def test_data_install_command_also_installs_the_code_set(tmp_path: Path, shared_cms: Path) -> None:
    from rvucheck.cli.main import main

    assert main(["--data-dir", str(tmp_path), "data", "install", "--from", str(shared_cms / "RVU26C")]) == 0
    kinds = {d.kind for d in Store(tmp_path).datasets()}
    assert kinds == {"pfs", "icd10cm", "icd10cm_excludes1"}  # the package's code set and its Excludes1 notes
    (notes,) = Store(tmp_path).datasets("icd10cm_excludes1")
    assert notes.dataset_id == Store(tmp_path).datasets("icd10cm")[0].dataset_id  # the same tabular update
