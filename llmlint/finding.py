"""The values every stage of the pipeline shares: severities, locations, flows, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """A rule's default severity; the names are SARIF's result levels."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "note": 2}[self.value]


@dataclass(frozen=True, order=True)
class Location:
    """A source range. Lines and columns are 1-based; `end_column` is exclusive.

    Columns count Unicode code points of the decoded line, the way editors and
    SARIF's `unicodeCodePoints` column kind do.
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Location:
        return cls(data["path"], data["line"], data["column"], data["end_line"], data["end_column"])


@dataclass(frozen=True, order=True)
class FlowStep:
    """One hop of a data flow: where the value was and what happened to it there."""

    location: Location
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.location.to_dict(), "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FlowStep:
        return cls(Location.from_dict(data), data["message"])


@dataclass(frozen=True)
class Finding:
    """One reported problem.

    `source_line` is the text of the finding's first line, kept so that reporters can
    show a code frame without reading the file again (and so cached results can).
    `flow` runs from the source of the data to the sink; `related` points at the source.
    """

    code: str
    message: str
    location: Location
    severity: Severity
    source_line: str = ""
    flow: tuple[FlowStep, ...] = ()
    related: tuple[FlowStep, ...] = field(default=())

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "severity": self.severity.value,
            "location": self.location.to_dict(),
            "source_line": self.source_line,
            "flow": [step.to_dict() for step in self.flow],
            "related": [step.to_dict() for step in self.related],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            code=data["code"],
            message=data["message"],
            location=Location.from_dict(data["location"]),
            severity=Severity(data["severity"]),
            source_line=data.get("source_line", ""),
            flow=tuple(FlowStep.from_dict(step) for step in data.get("flow", ())),
            related=tuple(FlowStep.from_dict(step) for step in data.get("related", ())),
        )
