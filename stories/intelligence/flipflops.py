"""Flip-flops: a headline or text that went back to an earlier state.

Pure: no Django, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class FlipFlop:
    """A headline or text that went back to a state it had before."""

    returns_to: int  # index in history of the latest earlier occurrence
    flips: int  # returns to an earlier state over history + [new]
    states: int  # distinct states over history + [new]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def detect_flip_flop(history: Sequence[str], new: str) -> FlipFlop | None:
    """new, after history (oldest first, its last item the current state), is a
    return to an earlier state (A -> B -> A); None for a new or unchanged one.
    Whitespace differences don't count; repeated identical states collapse."""
    keys = [" ".join(h.split()) for h in history]
    key = " ".join(new.split())
    if not keys or key == keys[-1]:
        return None
    earlier = [i for i, k in enumerate(keys) if k == key]
    if not earlier:
        return None
    seen: set[str] = set()
    flips, previous = 0, None
    for k in [*keys, key]:
        if k == previous:
            continue
        if k in seen:
            flips += 1
        seen.add(k)
        previous = k
    return FlipFlop(returns_to=earlier[-1], flips=flips, states=len(seen), text=new)
