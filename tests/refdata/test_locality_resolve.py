"""--locality is never guessed (issue 15): an id, a name that names one locality, or "county, state" through
CMS's county crosswalk (26LOCCO, installed with the PFS release); anything that fits several localities is an
error listing each candidate on its own line (exit 2)."""

from __future__ import annotations

import pytest

from rvucheck.cli.main import main
from rvucheck.refdata.locality_search import UnknownLocality


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("01112-05", "01112-05"),
        ("0111205", "01112-05"),
        ("Manhattan", "13202-01"),
        ("rest of texas", "04412-99"),
        ("Marin", "01112-52"),
        ("Alabama", "10112-00"),  # a state with one locality
        ("AK", "02102-01"),
        ("San Francisco, CA", "01112-05"),
        ("Marin County, California", "01112-52"),
        ("Los Angeles, CA", "01182-18"),
        ("Orange, CA", "01182-18"),  # CMS's file spells it ORAGNGE; the locality name says ORANGE
        ("Dallas, TX", "04412-11"),
        ("Harris County, TX", "04412-18"),  # Houston
        ("Lubbock, TX", "04412-99"),  # ALL OTHER COUNTIES
        ("Fairfax, VA", "12202-01"),  # "... IN VIRGINIA" on the DC row
        ("Roanoke, VA", "11302-00"),  # ALL COUNTIES, EXCEPT ...
        ("Montgomery, MD", "12202-01"),
        ("Montgomery, PA", "12502-01"),
        ("Kings, NY", "13202-02"),
        ("Kings, CA", "01112-57"),
        ("St Louis, MO", "05302-01"),
    ],
)
def test_resolves(ref, query: str, key: str) -> None:  # type: ignore[no-untyped-def]
    assert ref.locality(query).key == key


@pytest.mark.parametrize(
    ("query", "count"),
    [("Texas", 8), ("CA", 29), ("san francisco", 2), ("san jose", 2), ("Maryland", 3)],
)
def test_ambiguous_lists_every_candidate(ref, query: str, count: int) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownLocality) as caught:
        ref.locality(query)
    assert f"fits {count} Medicare localities" in str(caught.value)
    assert len(caught.value.details) == count


def test_texas_is_not_rest_of_texas(ref) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownLocality) as caught:
        ref.locality("Texas")
    assert [d.split()[0] for d in caught.value.details][:2] == ["04412-09", "04412-11"]


def test_misspelt_county_is_not_rest_of_state(ref) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownLocality, match="did you mean Dallas"):
        ref.locality("Dalas, TX")


@pytest.mark.parametrize("query", ["Atlantis", "99999-01", "Foo, XX"])
def test_unknown(ref, query: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownLocality):
        ref.locality(query)


def test_cli_prints_one_line_per_candidate_exit_2(data_dir, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--data-dir", str(data_dir), "code", "99213", "-l", "san jose"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("rvucheck: 'san jose' fits 2 Medicare localities")
    assert [line.split()[0] for line in err[1:]] == ["01112-09", "01112-65"]
