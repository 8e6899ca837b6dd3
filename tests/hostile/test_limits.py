"""Resource limits (issue 17, item 5): a package that asks for billions of cells (a stray cell at the last
address, a merge to XFD1048576, a lying dimension) is refused with one line, or read within bounds with
every row accounted for; the audit never builds a list per unit. Each run is a subprocess limited to
3 GB of address space, so a regression fails here instead of taking the machine's memory."""

from __future__ import annotations

import resource
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.conftest import TEST_DATA_DIR
from tests.hostile.build import (
    add_cell,
    add_merge,
    patch_sheet,
    prefixed,
    private_store,
    row,
    set_dimension,
    write_xlsx,
)
from tests.hostile.harness import Outcome, run_cli

LINES = 300
MEMORY = 3 * 1024**3  # address space of each run (the engine maps the code tables; reading stays far below)


@dataclass(frozen=True)
class Case:
    name: str
    change: Callable[[bytes], bytes] | None
    refused: str = ""  # the one-line error says this (exit 2, nothing written)
    lines: int = LINES  # else: lines read = checked + unreadable
    env: tuple[tuple[str, str], ...] = ()
    written: str = ".rvucheck.xlsx"  # the output a processed run writes (its name's tail)


CASES = [
    Case("stray cell at XFD1048576", add_cell("XFD1048576"), refused="reaches row 1,048,576 and column 16,3"),
    Case("stray cell at XFD3000", add_cell("XFD3000"), refused="more than the 20,000,000 rvucheck reads"),
    Case("stray <x:c> at XFD1048576", prefixed(add_cell("XFD1048576")), refused="reaches row 1,048,576"),
    Case("cells written <x:c>", prefixed(lambda data: data)),
    Case("budget lowered", None, refused="than the 1,000 rvucheck", env=(("RVUCHECK_MAX_CELLS", "1000"),)),
    Case("stray cell at A200000 (within budget)", add_cell("A200000"), lines=LINES + 1),
    Case("merge A6:XFD1048576", add_merge("A6:XFD1048576")),  # the streamed copy never expands a merge
    Case("merge A2:A1048576 (one column)", add_merge("A2:A1048576")),
    Case("merge over two data cells", add_merge("C3:C4")),
    Case("dimension claims A1:XFD1048576", set_dimension("A1:XFD1048576")),
]  # fmt: skip


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _run(folder: Path, *args: str, **kw: object) -> Outcome:
    import subprocess

    original = subprocess.run

    def limited_run(*a: object, **k: object) -> object:  # the harness's subprocess, memory-capped
        return original(*a, preexec_fn=_limited, **k)  # type: ignore[call-overload]

    subprocess.run = limited_run  # type: ignore[assignment]
    try:
        return run_cli(folder, *args, **kw)  # type: ignore[arg-type]
    finally:
        subprocess.run = original  # type: ignore[assignment]


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("limits-plain")
    return write_xlsx(folder / "plain.xlsx", [row(number) for number in range(LINES)])


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_limit(tmp_path: Path, plain: Path, case: Case) -> None:
    export = tmp_path / "export.xlsx"
    if case.change is None:
        export.write_bytes(plain.read_bytes())
    else:
        patch_sheet(plain, export, case.change)
    outcome = _run(tmp_path, "check", export.name, env=dict(case.env))
    if case.refused:
        line = outcome.assert_clean_error(export)
        assert case.refused in line
        return
    outcome.assert_no_traceback()
    outcome.assert_inputs_unchanged()
    assert outcome.code in (0, 1), (outcome.code, outcome.stderr[-800:])  # findings or none, not an error
    assert outcome.written == {f"export{case.written}"}
    counted = _run(tmp_path, "check", export.name, "--format", "json", "--no-annotate").json()["summary"]
    assert counted["lines"] == counted["checked"] + counted["unreadable"] == case.lines


def test_audit_counts_units_instead_of_listing_them(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A billion units on an office visit: the E&M mix counts them (a list per unit needs 8 GB)."""
    rows = [row(number, CPT=("99213", "99214")[number % 2]) for number in range(40)]
    rows.append(row(40, CPT="99215", Units=1e9))
    export = write_xlsx(tmp_path / "month.xlsx", rows)
    store = private_store(TEST_DATA_DIR, tmp_path_factory.mktemp("limits-store") / "data")
    outcome = _run(tmp_path, "audit", export.name, "--json", "audit.json", data_dir=store)
    outcome.assert_no_traceback()
    outcome.assert_inputs_unchanged()
    assert outcome.code in (0, 1), outcome.stderr[-800:]
    assert outcome.written == {"audit.json"}
    assert "LN09" in (tmp_path / "audit.json").read_text(encoding="utf-8")


def test_the_cell_budget_scales_with_the_cells_a_sheet_holds(
    tmp_path: Path, plain: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A month of 1,000,000 lines x 20 columns really holds its 20M cells and must be read; the same extent
    made by one stray cell holds a few thousand and is refused. Shown in small: the sparse budget lowered
    to 1,000 cells, a dense sheet of ~3,000 is read, a stray cell far to the right is refused, and the
    dense budget's ceiling still holds."""
    from rvucheck.errors import InputFileError
    from rvucheck.read import package
    from rvucheck.read.charges import read_charges

    monkeypatch.setattr(package, "MAX_SHEET_CELLS", 1_000)
    monkeypatch.setattr(package, "MAX_DENSE_CELLS", 100_000)
    read = read_charges(plain)
    assert len(read.lines) + len(read.unreadable) == LINES
    stray = patch_sheet(plain, tmp_path / "stray.xlsx", add_cell("XFD300"))
    with pytest.raises(InputFileError, match=r"column 16,384 .* more than the [\d,]+ rvucheck reads for its"):
        read_charges(stray)
    monkeypatch.setattr(package, "MAX_DENSE_CELLS", 2_000)
    with pytest.raises(InputFileError, match="more than the 2,000 rvucheck reads"):
        read_charges(plain)


def test_sheet_facts_scanned_in_pieces_equal_the_whole_sheet_scanned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sheet's XML is scanned in pieces of whole rows (a 1M-line month's 640 MB is never read whole):
    cut every few rows, the hidden rows, failed formulas, extent, merged cells and cell count are the
    same as in one piece."""
    import zipfile

    from tests.hostile.build import Error

    from rvucheck.read import package

    rows = [row(number, Units=Error("#REF!") if number % 7 == 0 else "1") for number in range(60)]
    export = patch_sheet(
        write_xlsx(tmp_path / "plain.xlsx", rows), tmp_path / "export.xlsx", add_merge("A70:C72")
    )
    export = patch_sheet(
        export, tmp_path / "hidden.xlsx", lambda data: data.replace(b'<row r="9"', b'<row r="9" hidden="1"')
    )
    whole = package.package_facts(zipfile.ZipFile(export)).sheets["Charges"]
    monkeypatch.setattr(package, "SCAN_CHUNK", 200)
    pieces = package.package_facts(zipfile.ZipFile(export)).sheets["Charges"]
    assert pieces == whole
    assert whole.hidden_rows == {9} and whole.extent == (61, 10) and whole.merged_cells == 9
    assert len(whole.error_cells) == 9 and whole.cells > 500
