"""The build cache's lowered entries read back as the IR and diagnostics that were stored."""

from __future__ import annotations

from conftest import ROOT

from agentc.api import lower
from agentc.cache import _entry
from agentc.compiler.source import read_source


def test_an_entry_reads_back_as_what_was_stored():
    Entry = _entry()
    for path in sorted((ROOT / "agents").rglob("*.md")):
        agent, diags = lower(read_source(path.relative_to(ROOT).as_posix(), path.read_bytes(), None))
        data = Entry.__pydantic_serializer__.to_json(Entry(agent=agent, diagnostics=tuple(diags)))
        back = Entry.model_validate_json(data)
        assert (back.agent, list(back.diagnostics)) == (agent, diags), path
