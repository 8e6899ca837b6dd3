"""What a kind is: a check function, the message values its hits provide, and the JSON Schema of its params.

Like frictionless' checks, a kind carries its own params schema, so a rule file is pure data that the rule
loader can validate against the kind alone. The schemas are Python dicts beside their function rather than
JSON files: the engine reads no files, and a kind's code and its params stay in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rvucheck.engine.linking import DATE, PATIENT

__all__ = ["DATE", "LINKS_LINES", "PATIENT"]

if TYPE_CHECKING:
    from rvucheck.engine.context import Context

# Values every message template may use, filled in by the engine from the line itself.
COMMON_FIELDS: tuple[str, ...] = ("code", "modifiers", "units", "dos", "pos", "row", "release")

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True, slots=True)
class Hit:
    """One finding as a kind reports it; the engine turns it into a Finding with the rule's text.

    `stake` is the share of the line's payment and credited wRVU that the problem puts at risk
    (1.0 = the line will be denied, 0.0 = nothing computable).
    """

    index: int
    field: str
    values: Mapping[str, Any]
    stake: float = 0.0


Check = Callable[[Mapping[str, Any], "Context"], Iterable[Hit]]


# What a kind may need from the export beyond the line itself (see `Kind.needs`): the same patient, a date
# of service. The engine knows which of them the export has no column for (engine.linking).
LINKS_LINES = frozenset({PATIENT, DATE})  # "the same patient on the same day": every grouping kind


@dataclass(frozen=True)
class Kind:
    """A named check. `fields` are the message values its hits provide; `params` is its params schema.

    `needs`: the columns without which the kind cannot judge at all (it links lines of one patient, or it
    judges dates); when the export has no such column, the engine does not run the kind's rules and says so
    once. `links`: columns the kind uses to add lines up but can do without, judging each line alone (an
    MUE per day is still exceeded by one line over it); the engine names those rules too.
    """

    name: str
    check: Check
    fields: tuple[str, ...]
    params: Mapping[str, Any]
    needs: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()
    links_if: Callable[[Mapping[str, Any]], bool] | None = None  # whether these params use `links`

    def linking(self, params: Mapping[str, Any]) -> frozenset[str]:
        """The columns a rule of this kind with these params adds lines up by (`links`)."""
        if self.links_if is not None and not self.links_if(params):
            return frozenset()
        return self.links

    @property
    def summary(self) -> str:
        """The first line of the check function's docstring."""
        doc = (self.check.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else self.name


def params_schema(
    properties: Mapping[str, Any] | None = None, required: tuple[str, ...] = (), **extra: Any
) -> dict[str, Any]:
    """The params of a kind: an object with exactly these properties (a misspelt key in a rule file is an
    error, not a silently ignored setting)."""
    schema: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "type": "object",
        "additionalProperties": False,
        "properties": dict(properties or {}),
    }
    if required:
        schema["required"] = list(required)
    return {**schema, **extra}


def modifier_list(min_items: int = 0, description: str = "") -> dict[str, Any]:
    """A list of two-character modifiers (25, RT, XU)."""
    return _described(_list({"type": "string", "pattern": "^[0-9A-Z]{2}$"}, min_items), description)


def indicator_list(description: str = "") -> dict[str, Any]:
    """A non-empty list of one-digit PFS indicator values (BILAT SURG, MULT PROC, PC/TC)."""
    return _described(_list({"type": "string", "pattern": "^[0-9]$"}, 1), description)


def global_days_list(
    values: tuple[str, ...] = ("000", "010", "090", "MMM", "XXX", "YYY", "ZZZ"),
) -> dict[str, Any]:
    """A non-empty list of PFS GLOB DAYS values."""
    return _list({"enum": list(values)}, 1)


# Codes a rule leaves out; YAML reads 99024 as a number, so numbers are accepted too.
CODE_LIST: dict[str, Any] = {"type": "array", "items": {"type": ["string", "integer"]}}
STAKE: dict[str, Any] = {
    "type": "number",
    "minimum": 0,
    "maximum": 1,
    "description": "share of the line's payment at stake",
}


def _list(items: Mapping[str, Any], min_items: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": dict(items)}
    if min_items:
        schema["minItems"] = min_items
    return schema


def _described(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {**schema, "description": description} if description else schema
