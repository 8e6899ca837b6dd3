"""One Session per run: settings, the ruleset and the reference data, loaded once and shared by every front
end (`rvucheck check`, `rvucheck audit`, `rvucheck rules`, the RVU_CHECK UDFs), so they cannot drift.

    session = Session.open(data_dir, settings)
    read = session.read(path, sheet=None, mapping=None)      # the charge file, validated once, read once
    report = session.check(read.lines, read.unreadable)      # the engine with this session's rules and data

The reference data is opened on first use, not in `open`: `rvucheck rules` needs none (and must work before
`rvucheck data install`), and the large-file check forks a worker before anything touches the code tables,
so that only the worker ever holds them (see pipeline.check_file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvucheck.model import ChargeLine, Report, UnreadableLine
from rvucheck.settings import Settings

if TYPE_CHECKING:
    from rvucheck.read.charges import ReadResult
    from rvucheck.read.safety import InputInfo
    from rvucheck.refdata.types import ReferenceData
    from rvucheck.rules.ruleset import Ruleset

# Check kinds whose findings mean "E&M billed inside a global period" and "new-patient code for an
# established patient": the rule ids come from the loaded ruleset, so user rules of these kinds count too.
GLOBAL_EM_KINDS = frozenset({"em_in_postop", "em_with_procedure"})
NEW_PATIENT_KINDS = frozenset({"new_patient_seen"})
FREQUENCY_KINDS = frozenset({"frequency_limit"})
THRESHOLD_KINDS = frozenset({"therapy_threshold"})


@dataclass(frozen=True)
class Session:
    settings: Settings
    ruleset: Ruleset
    data_dir: Path | str | None = None
    # Opened on first use (see the module docstring); a one-item box because the dataclass is frozen.
    _reference: list[ReferenceData] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def open(
        cls,
        data_dir: Path | str | None = None,
        settings: Settings | None = None,
        reference: ReferenceData | None = None,
    ) -> Session:
        """Settings (default: the defaults) and their ruleset; `reference` when the caller already holds
        the reference data (the UDFs share the one their lookups use)."""
        from rvucheck.rules.ruleset import load_ruleset

        settings = settings if settings is not None else Settings()
        return cls(settings, load_ruleset(settings), data_dir, [reference] if reference is not None else [])

    @property
    def reference(self) -> ReferenceData:
        if not self._reference:
            from rvucheck.refdata import open_reference

            self._reference.append(open_reference(self.data_dir))
        return self._reference[0]

    def __getstate__(self) -> dict[str, Any]:
        # Sent to the forked worker: the reference holds database connections and is reopened there.
        return {**self.__dict__, "_reference": []}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)

    def read(
        self,
        path: Path | str,
        sheet: str | None = None,
        mapping: Mapping[str, str | Sequence[str]] | None = None,
        info: InputInfo | None = None,
        keep_grid: bool = False,
    ) -> ReadResult:
        """The charge file, read once (`info`: its `check_input` result when already validated; `keep_grid`:
        keep the sheet's values for a report workbook, see ReadResult.grid)."""
        from rvucheck.read.charges import read_charges

        return read_charges(path, sheet=sheet, mapping=mapping, info=info, keep_grid=keep_grid)

    def check(
        self,
        lines: Sequence[ChargeLine],
        unreadable: Sequence[UnreadableLine] = (),
        history: Sequence[ChargeLine] = (),
        share: Any = None,
    ) -> Report:
        """`share`: the rules shared out by it (engine.runner.run's `share`: forks.shared)."""
        from rvucheck.engine import runner as engine
        from rvucheck.rules import payer_scope

        report = engine.run(
            lines, self.reference, self.ruleset, self.settings, unreadable=unreadable, history=history,
            share=share,
        )  # fmt: skip
        return payer_scope.apply(report, self.ruleset, self.settings)  # Medicare-only rules, other payers

    def rule_ids(self, kinds: Iterable[str]) -> tuple[str, ...]:
        """Ids of the loaded rules of these check kinds (user rules of a kind count too)."""
        wanted = frozenset(kinds)
        return tuple(rule.id for rule in self.ruleset if rule.kind in wanted)

    def new_patient_codes(self) -> frozenset[str]:
        """The codes the new-patient rules look at: only their patients need the 3-year history."""
        return frozenset(
            code
            for rule in self.ruleset
            if rule.kind in NEW_PATIENT_KINDS
            for code in rule.params["new_patient_codes"]
        )

    def frequency_codes(self) -> frozenset[str]:
        """The codes the frequency limits count: the history keeps every earlier line of them."""
        return frozenset(
            code
            for rule in self.ruleset
            if rule.kind in FREQUENCY_KINDS
            for limit in rule.params["limits"]
            for code in (*limit["codes"], *limit.get("after", ()))
        )

    def threshold_modifiers(self) -> frozenset[str]:
        """The modifiers of the lines a yearly threshold adds up (GP/GO/GN): the year's history keeps them."""
        return frozenset(
            mod
            for rule in self.ruleset
            if rule.kind in THRESHOLD_KINDS
            for mods in rule.params["buckets"].values()
            for mod in mods
        )
