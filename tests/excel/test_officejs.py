"""The functions through xlwings' Office.js custom-functions machinery (what xlwings Lite / Server run).

xlwings reads XLWINGS_LICENSE_KEY / XLWINGS_ON_SERVER when it is imported, so the calls run in a child
process that gets them (the test process's own environment and xlwings import stay untouched). The child
registers the module (`custom_functions_meta`) and answers call payloads shaped as Excel sends them
(`custom_functions_call`): arguments as 2-D arrays, results as 2-D arrays with Excel error objects.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CHILD = r"""
import asyncio, json, sys
import xlwings
import xlwings.server as server
from rvucheck.excel import udfs
requests = json.load(sys.stdin)
out = {"meta": server.custom_functions_meta(udfs), "version": xlwings.__version__, "results": []}
for name, args in requests:
    payload = {"func_name": name, "args": args, "version": xlwings.__version__, "client": "Office.js",
               "runtime": "1.4", "caller_address": "Sheet1!B2"}
    try:
        out["results"].append({"value": asyncio.run(server.custom_functions_call(payload, udfs))})
    except Exception as exc:  # a failure of the call path itself, reported to the test
        out["results"].append({"raised": repr(exc)})
json.dump(out, sys.stdout)
"""

NA = {"type": "Error", "errorType": "NotAvailable"}
VALUE = {"type": "Error", "errorType": "Value"}


def cell(value: Any) -> list[list[Any]]:
    """One argument as Office.js sends it: a 1x1 matrix (a blank optional argument is [[None]])."""
    return value if isinstance(value, list) else [[value]]


# (function, args) -> the 2-D value Excel receives
CALLS: list[tuple[str, list[Any], Any]] = [
    ("RVU", ["20983"], [[6.71]]),
    ("RVU", [20983.0], [[6.71]]),
    ("RVU", ["20983.0"], [[6.71]]),
    ("RVU", ["20983", "total_facility"], [[9.06]]),
    ("RVU", ["20983", None, None, None], [[6.71]]),
    ("RVU", [[["20983"], ["99213"], ["ZZZZZ"]]], [[6.71], [1.3], [NA]]),
    ("RVU", [[["20983", "27447"]]], [[6.71, 19.11]]),
    ("RVU", ["ZZZZZ"], [[NA]]),
    ("RVU", ["20983", "weight"], [[VALUE]]),
    ("RVU", ["71046", None, "26"], [[0.21]]),
    ("RVU", ["20983", None, None, 46000.0], [[6.88]]),  # Excel date serial of 2025-12-09: RVU25D's value
    ("RVU_PAYMENT", ["20983"], [[4905.92]]),
    ("RVU_PAYMENT", ["20983", None, None, "facility"], [[302.61]]),
    ("RVU_PAYMENT", ["20983", None, "01112-05", 22.0], [[328.78]]),  # San Francisco GPCIs, facility
    ("RVU_PAYMENT", ["20983", None, None, None, None, True], [[4930.39]]),
    ("RVU_GLOBAL", ["20983"], [["000"]]),
    ("RVU_GLOBAL", [27447.0], [["090"]]),
    ("RVU_STATUS", ["20983"], [["A: Active: paid separately under the fee schedule when covered"]]),
    ("RVU_DESC", ["20983"], [["Ablate bone tumor(s) perq"]]),
    ("RVU_PERCENTILE", ["20983"], [[44]]),
    ("RVU_INFO", ["20983"], None),
    ("RVU_CHECK", ["99213", None, 1.0, 46218.0, "I10", 11.0], None),
    ("RVU_CHECK", ["ZZZZZ", None, 1.0, 46218.0, "I10", 11.0], None),
    (
        "RVU_CHECK_RANGE",
        [
            [
                ["code", "modifiers", "units", "date", "diagnoses", "pos"],
                ["99213", None, 1.0, 46218.0, "I10", 11.0],
                ["ZZZZZ", None, 1.0, 46218.0, "I10", 11.0],
            ]
        ],
        None,
    ),
]


@pytest.fixture(scope="module")
def officejs(udf_data: Path) -> dict[str, Any]:
    env = dict(os.environ, XLWINGS_LICENSE_KEY="noncommercial", XLWINGS_ON_SERVER="true")
    env["RVUCHECK_DATA"] = str(udf_data)
    requests = [(name, [cell(a) for a in args]) for name, args, _expected in CALLS]
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def functions(meta: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in meta["functions"]}


def test_every_function_is_registered_with_its_parameters(officejs: dict[str, Any]) -> None:
    registered = functions(officejs["meta"])
    assert set(registered) == {
        "RVU",
        "RVU_PAYMENT",
        "RVU_GLOBAL",
        "RVU_STATUS",
        "RVU_DESC",
        "RVU_PERCENTILE",
        "RVU_INFO",
        "RVU_CHECK",
        "RVU_CHECK_RANGE",
    }
    params = {name: [p["name"] for p in f["parameters"]] for name, f in registered.items()}
    assert params["RVU"] == ["code", "component", "modifier", "date"]
    assert params["RVU_PAYMENT"] == ["code", "modifier", "locality", "pos_or_setting", "date", "qpp", "units"]
    assert params["RVU_CHECK"] == ["code", "modifiers", "units", "date", "diagnoses", "pos"]
    assert params["RVU_CHECK_RANGE"] == ["lines"]
    optional = {name: [p.get("optional", False) for p in f["parameters"]] for name, f in registered.items()}
    assert optional["RVU"] == [False, True, True, True]
    assert optional["RVU_PAYMENT"] == [False, True, True, True, True, True, True]
    assert all(f["result"] == {"dimensionality": "matrix", "type": "any"} for f in registered.values())


def test_help_texts_reach_the_function_wizard(officejs: dict[str, Any]) -> None:
    registered = functions(officejs["meta"])
    assert registered["RVU"]["description"].startswith("Relative value units of a CPT/HCPCS code")
    assert registered["RVU_PAYMENT"]["description"].startswith("Estimated Medicare physician fee schedule")
    for function in registered.values():
        assert function["description"] and "Python function" not in function["description"]
        for parameter in function["parameters"]:
            # xlwings' placeholder when no doc= is given is "Positional argument N"
            assert not parameter["description"].startswith("Positional argument"), function["name"]
            assert len(parameter["description"]) <= 255  # Excel's limit for argument help
    component = registered["RVU"]["parameters"][1]["description"]
    assert "total_facility" in component and "pe_nonfacility" in component


def test_results_as_excel_receives_them(officejs: dict[str, Any], udf_data: Path) -> None:
    from rvucheck.excel import udfs

    for (name, args, expected), result in zip(CALLS, officejs["results"], strict=True):
        assert "raised" not in result, (name, args, result)
        value = result["value"]
        assert isinstance(value, list) and all(isinstance(row, list) for row in value), (name, value)
        if expected is not None:
            assert value == expected, (name, args)
            continue
        direct = getattr(udfs, name)(*args)  # the plain-Python call gives the same answer
        direct = direct if isinstance(direct, list) else [[direct]]
        assert value == [["" if v is None else v for v in row] for row in direct], (name, args)


def test_info_spills_two_rows_through_officejs(officejs: dict[str, Any]) -> None:
    index = next(i for i, (name, *_rest) in enumerate(CALLS) if name == "RVU_INFO")
    names, values = officejs["results"][index]["value"]
    info = dict(zip(names, values, strict=True))
    assert info["work_rvu"] == 6.71
    assert info["payment.facility"] == 302.61
    assert info["category.percentile"] == 44


def test_check_through_officejs_flags_an_unknown_code(officejs: dict[str, Any]) -> None:
    clean, unknown = (officejs["results"][i]["value"] for i, c in enumerate(CALLS) if c[0] == "RVU_CHECK")
    assert clean == [[""]]
    assert "ZZZZZ" in unknown[0][0] and unknown[0][0].count(":") >= 1
    block = officejs["results"][-1]["value"]
    assert block[0] == ["findings"] and block[1] == [""] and "ZZZZZ" in block[2][0]
