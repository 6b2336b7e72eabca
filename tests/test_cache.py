"""The build cache's lowered entries read back as the IR and diagnostics that were stored."""

from __future__ import annotations

import pytest
from conftest import ROOT
from pydantic import BaseModel, ConfigDict

from agentc import codec
from agentc.api import lower
from agentc.compiler.diagnostics import Diagnostic
from agentc.compiler.ir import AgentIR
from agentc.compiler.source import read_source


def _lowered():
    for path in sorted((ROOT / "agents").rglob("*.md")):
        yield path, *lower(read_source(path.relative_to(ROOT).as_posix(), path.read_bytes(), None))


def test_an_entry_reads_back_as_what_was_stored():
    for path, agent, diags in _lowered():
        assert codec.load_entry(codec.dump_entry(agent, diags)) == (agent, tuple(diags)), path


class _PydanticEntry(BaseModel):
    """The entry as pydantic models it (the cache's own format before codec.py)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agent: AgentIR | None
    diagnostics: tuple[Diagnostic, ...]


def test_the_codec_writes_and_reads_what_pydantic_does():
    """codec.py makes its schema from the IR's annotations; pydantic's own for the same classes
    gives the same bytes and the same values back, so a new field or type cannot drift."""
    for path, agent, diags in _lowered():
        data = codec.dump_entry(agent, diags)
        assert data == _PydanticEntry(agent=agent, diagnostics=tuple(diags)).model_dump_json().encode(), path
        back = _PydanticEntry.model_validate_json(data)
        assert (back.agent, back.diagnostics) == codec.load_entry(data), path


@pytest.mark.parametrize("data", [
    b"", b"{}", b"[]", b'{"agent": null}', b'{"agent": null, "diagnostics": [], "more": 1}',
    b'{"agent": {"__class__": "os.system"}, "diagnostics": []}',
    b'{"agent": null, "diagnostics": [{"code": "AGC301", "severity": "fatal", "file": "a", "line": 1, "col": 1, "message": ""}]}',
])
def test_a_damaged_or_foreign_entry_is_refused(data):
    with pytest.raises(ValueError):
        codec.load_entry(data)


def test_a_changed_entry_is_refused():
    path, agent, diags = next(_lowered())
    data = codec.dump_entry(agent, diags)
    for damaged in (data[:-3], data.replace(b'"line":', b'"lines":', 1), data.replace(b'"line":', b'"line":"x', 1)):
        with pytest.raises(ValueError):
            codec.load_entry(damaged)
