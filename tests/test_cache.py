"""The build cache's lowered entries: the first few of a build are written by inference, the
others by the entry model; both give the same bytes, and reading back gives the same IR."""

from __future__ import annotations

from conftest import ROOT

from agentc.api import lower
from agentc.cache import INFERRED_ENTRIES, Cache, _entry
from agentc.compiler.source import read_source


def test_inferred_entries_are_the_bytes_the_entry_model_writes(tmp_path):
    files = sorted((ROOT / "agents").rglob("*.md"))
    assert len(files) > INFERRED_ENTRIES  # both ways are used below
    Entry = _entry()
    store = Cache(tmp_path)
    for path in files:
        agent, diags = lower(read_source(path.relative_to(ROOT).as_posix(), path.read_bytes(), None))
        data = store._entry_json(agent, diags)
        assert data == Entry.__pydantic_serializer__.to_json(Entry(agent=agent, diagnostics=tuple(diags))), path
        back = Entry.model_validate_json(data)
        assert (back.agent, list(back.diagnostics)) == (agent, diags), path
