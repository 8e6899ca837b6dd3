"""Kinds about the code itself: format, presence in the date's release, status code."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from rvucheck.kinds import Hit, kind
from rvucheck.kinds.context import Context


@kind("code_format", fields=("pattern_names",))
def code_format(params: Mapping[str, Any], ctx: Context) -> Iterator[Hit]:
    """The code does not have the shape of a CPT or HCPCS Level II code."""
    patterns = [re.compile(p) for p in params["patterns"].values()]
    names = ", ".join(params["patterns"])
    valid: dict[str, bool] = {}
    for fact in ctx.run_facts:
        ok = valid.get(fact.code)
        if ok is None:
            ok = valid[fact.code] = any(p.fullmatch(fact.code) for p in patterns)
        if not ok:
            yield Hit(fact.index, "hcpcs", {"pattern_names": names}, 1.0)
