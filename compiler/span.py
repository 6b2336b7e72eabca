"""Where a thing was written: the one location type shared by source, IR and diagnostics."""

from __future__ import annotations

from agentc.compiler.frozen import frozen


class Span(metaclass=frozen):
    # A plain slotted dataclass (frozen.py), not a pydantic model: a 1000-agent build makes ~170 000 of
    # them, and a model's per-instance dict and fields-set took ~470 bytes each. Pydantic still
    # reads, dumps and describes it at the edges (`ir --json`, `schema`, the cache). No
    # docstring: it would become the schema's description.
    __pydantic_config__ = {"extra": "forbid"}  # pydantic's ConfigDict is this dict: no import

    file: str
    line: int
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"
