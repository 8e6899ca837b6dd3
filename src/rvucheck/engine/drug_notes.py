"""RD13: Part B drug lines priced from an ASP file whose quarter does not cover their date of service.

CMS replaces the ASP payment limits every quarter; a line dated outside the installed file's quarter is
priced from the nearest installed quarter all the same (refdata.pricing.drugs) and this one run note says
how many lines and which file, pointing at the first such line (row references only).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rvucheck.engine.context import LineFacts
from rvucheck.model import Finding

STALE_DRUG_RULE = "RD13"


def stale_drug_notes(stale: Sequence[tuple[int, str]], facts: Sequence[LineFacts]) -> list[Finding]:
    """One warning for the run when drug lines were priced from a quarter that is not theirs."""
    if not stale:
        return []
    files = Counter(label for _index, label in stale)
    first = facts[min(index for index, _label in stale)]
    count = len(stale)
    used = ", ".join(f"{label} ({n} line{'s' if n != 1 else ''})" for label, n in sorted(files.items()))
    return [
        Finding(
            STALE_DRUG_RULE,
            "warning",
            f"{count} Part B drug line{'s are' if count != 1 else ' is'} dated outside the quarter of the "
            f"ASP file that priced {'them' if count != 1 else 'it'}: {used}; CMS publishes new payment "
            "limits every quarter, so the drug payments shown may differ from what Medicare pays",
            first.line.source,
            fix="Install CMS's ASP pricing file of the quarter of service (rvucheck data install --from "
            "FILE; `rvucheck data status` lists the installed quarters).",
        )
    ]
