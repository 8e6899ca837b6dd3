"""The report-only path (`--no-annotate --format json|csv`): compact JSON from the C encoder unless --pretty,
the process ends with os._exit once stdout is flushed (exit code kept), the validating pass skips what only
a copy needs, and the collector is frozen only while the outputs are built."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from test_cli import JSON_LINE_KEYS, _small

from rvucheck.read.package import _formulas_without_value
from rvucheck.read.safety import check_input

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "annotate"))
from annotate_corpus import feature_rich, with_sparklines


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it: its own process (so the os._exit at its end really runs)."""
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "RVUCHECK_DATA": str(data_dir), "PYTHONPATH": str(src)}
    command = [sys.executable, "-m", "rvucheck.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def test_json_is_compact_unless_pretty_and_the_exit_code_survives_os_exit(
    tmp_path: Path, data_dir: Path
) -> None:
    path = _small(tmp_path)
    compact = _cli(str(path), "--no-annotate", "--format", "json", data_dir=data_dir)
    pretty = _cli(str(path), "--no-annotate", "--format", "json", "--pretty", data_dir=data_dir)
    assert (compact.returncode, pretty.returncode) == (1, 1)  # errors found: exit 1, through os._exit
    assert compact.stdout.count("\n") == 1 and pretty.stdout.count("\n") > 50
    document = json.loads(compact.stdout)
    assert document == json.loads(pretty.stdout)
    assert {line["row"] for line in document["lines"]} == {4, 5, 6, 7}
    assert set(document["lines"][0]) == JSON_LINE_KEYS
    clean = _cli(str(path), "--no-annotate", "--format", "json", "--fail-on", "never", data_dir=data_dir)
    assert clean.returncode == 0 and json.loads(clean.stdout) == document


def test_csv_output_is_complete_when_the_process_ends_with_os_exit(tmp_path: Path, data_dir: Path) -> None:
    path = _small(tmp_path)
    result = _cli(str(path), "--no-annotate", "--format", "csv", "--fail-on", "never", data_dir=data_dir)
    rows = result.stdout.splitlines()
    assert result.returncode == 0 and rows[0].startswith("sheet,row,cell,hcpcs")
    assert any(",GS01," in row for row in rows[1:]) and result.stdout.endswith("\n")


def test_a_closed_stdout_is_not_an_error_of_the_run(tmp_path: Path, data_dir: Path) -> None:
    path = _small(tmp_path)
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "RVUCHECK_DATA": str(data_dir), "PYTHONPATH": str(src)}
    command = [sys.executable, "-m", "rvucheck.cli", str(path), "--no-annotate", "--format", "json"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # like `rvucheck ... | head -c 0`
        error = process.stderr.read()
        process.wait(timeout=300)
    assert b"Traceback" not in error and b"Exception ignored" not in error
    assert process.returncode in (0, 1)


def test_report_only_validation_skips_the_copy_scans(tmp_path: Path) -> None:
    path = with_sparklines(feature_rich(tmp_path / "plain.xlsx"), tmp_path / "sparklines.xlsx")
    full, lean = check_input(path), check_input(path, features=False)
    assert full.package is not None and lean.package is not None
    assert full.package.contents is not None and "sparklines" in full.package.contents.features
    assert lean.package.contents is None
    for name, extras in full.package.sheets.items():  # what the reader needs is all there
        same = lean.package.sheets[name]
        assert (same.hidden_rows, same.formulas_without_value, same.error_cells, same.extent) == (
            extras.hidden_rows,
            extras.formulas_without_value,
            extras.error_cells,
            extras.extent,
        )
    assert lean.package.sheets["Charges"].hidden_rows == {7}
    assert full.package.sheets["Charges"].merged_cells == 6  # only a copy needs this count
    assert lean.contents() == full.contents()  # asked for anyway: found then, not lost


@pytest.mark.parametrize(
    ("cell", "without_value"),
    [
        (b'<c r="B2"><f>A1*2</f></c>', {(2, 2)}),
        (b'<c r="B2"><f>A1*2</f><v>4</v></c>', set()),
        (b'<c r="C3"><f t="shared" ref="C3:C9" si="0">A3</f></c>', {(3, 3)}),
        (b'<c r="C4"><f t="shared" si="0"/></c>', {(4, 3)}),
        (b'<c r="C4"><f t="shared" si="0"/><v>1</v></c>', set()),
        (b'<c r="D5" t="inlineStr"><is><t>&lt;f&gt; as text</t></is></c>', set()),
    ],
)
def test_formulas_without_a_saved_value(cell: bytes, without_value: set[tuple[int, int]]) -> None:
    sheet = b"<worksheet><sheetData><row r='1'>" + cell + b"</row></sheetData></worksheet>"
    assert _formulas_without_value(sheet) == without_value


def test_the_collector_is_frozen_only_while_outputs_are_built(tmp_path: Path, data_dir: Path) -> None:
    from rvucheck.gc_pause import frozen_gc
    from rvucheck.pipeline import CheckRequest, analyse
    from rvucheck.session import Session

    path = _small(tmp_path)
    with frozen_gc():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    info = check_input(path, features=False)
    request = CheckRequest(info, None, {}, Session.open(data_dir), "json", None)
    analysis = analyse(request)
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    assert isinstance(analysis.output, dict) and len(analysis.output["lines"]) == 4
    with zipfile.ZipFile(path) as archive:  # the input is untouched
        assert archive.testzip() is None
