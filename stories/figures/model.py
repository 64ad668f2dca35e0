"""The values figures pass between stages: a Figure and a FigureDelta."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from stories import describe


@dataclass(frozen=True)
class Figure:
    """One figure as stated in one sentence; offsets are the sentence's."""

    kind: str
    value: int | None
    low: int | None
    high: int | None
    qualifier: str
    attributed_to: str | None
    lang: str
    superseded: bool = False
    background: bool = False
    magnitude: int | None = None
    sentence: str = ""
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict in the fixtures/README.md schema."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Figure:
        """Inverse of to_dict; tolerates the optional keys being absent."""
        return cls(
            kind=d["kind"],
            value=d.get("value"),
            low=d.get("low"),
            high=d.get("high"),
            qualifier=d.get("qualifier", "exact"),
            attributed_to=d.get("attributed_to"),
            lang=d.get("lang", ""),
            superseded=bool(d.get("superseded", False)),
            background=bool(d.get("background", False)),
            magnitude=d.get("magnitude"),
            sentence=d.get("sentence", ""),
            start=int(d.get("start", 0)),
            end=int(d.get("end", 0)),
        )

    @property
    def is_current(self) -> bool:
        return not (self.superseded or self.background)


@dataclass(frozen=True)
class FigureDelta:
    """How one (kind, claimant) figure differs between two versions."""

    kind: str
    change: str  # revised | added | removed
    old: int | None
    new: int | None
    old_qualifier: str | None
    new_qualifier: str | None
    attributed_to: str | None

    def describe(self) -> str:
        """One line for timelines and alerts (worded by stories.describe)."""
        return describe.figure_delta(asdict(self))
