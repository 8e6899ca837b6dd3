"""Which installed release answers for a date of service, and which dataset supplies a release's GPCIs,
counties and anesthesia CFs when the release itself does not carry them.

Rules (issue 2): the release in effect on the date; when that quarter is not installed, the nearest
release of the same calendar year, with a note; never another year's (no release, with a note).
With no date: the newest installed. Companion files (GPCI/LOCCO/ANES) follow the same same-year rule:
CMS ships GPCIs, localities and anesthesia CFs once a year and repeats them in later quarters, and the
localities did not change during 2026, so RVU26A's 26LOCCO/ANES2026 serve RVU26C.
"""

from __future__ import annotations

import datetime as dt

from rvucheck.refdata.calendar import quarter_of
from rvucheck.refdata.store import DatasetInfo
from rvucheck.refdata.types import ReleaseChoice


def _choice(info: DatasetInfo, note: str | None = None) -> ReleaseChoice:
    return ReleaseChoice(info.dataset_id, info.year or 0, info.quarter or 0, note)


def choose_release(releases: list[DatasetInfo], on: dt.date | None) -> ReleaseChoice:
    """`releases`: installed datasets with RVUs, newest first."""
    if not releases:
        return ReleaseChoice(
            "", on.year if on else 0, quarter_of(on) if on else 0, "no fee schedule installed"
        )
    if on is None:
        return _choice(releases[0])
    covering = [r for r in releases if r.covers(on)]
    if covering:
        return _choice(covering[0])
    same_year = [r for r in releases if r.year == on.year]
    if not same_year:
        installed = ", ".join(r.dataset_id for r in releases)
        return ReleaseChoice(
            "",
            on.year,
            quarter_of(on),
            f"no CY{on.year} fee schedule installed (installed: {installed}); "
            "another year's values are not used",
        )
    target = quarter_of(on)
    # Nearest quarter; on a tie, the release already in effect before the date.
    best = min(same_year, key=lambda r: (abs((r.quarter or 0) - target), (r.quarter or 0) > target))
    note = (
        f"the Q{target} {on.year} release is not installed; {best.dataset_id} "
        f"(Q{best.quarter} {best.year}) answered for {on.isoformat()}"
    )
    return _choice(best, note)


def companion_for(datasets: list[DatasetInfo], base: DatasetInfo, content: str) -> DatasetInfo | None:
    """The dataset supplying `content` ("GPCI", "LOCCO", "ANES", "OPPSCAP") for release `base`."""
    if content in base.contents:
        return base
    same_year = [d for d in datasets if d.year == base.year and content in d.contents]
    if not same_year:
        return None
    return min(same_year, key=lambda d: (abs((d.quarter or 0) - (base.quarter or 0)), -(d.quarter or 0)))
