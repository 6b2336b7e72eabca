"""Rebuild after an edit (agentc/incremental.py): only the changed agent is read and emitted,
and the output tree and the diagnostics equal those of a build from nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentc import api, runner
from agentc.compiler.diagnostics import diag
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span


def lowered(monkeypatch) -> list[str]:
    """The files lowered from here on (read and parsed, not taken from any cache)."""
    calls: list[str] = []
    real = api.lower

    def spy(source, **kw):
        calls.append(source.file)
        return real(source, **kw)

    monkeypatch.setattr(api, "lower", spy)
    return calls


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".agentc-cache" not in p.parts}


def build(out: str, mode: str = "write", **extra) -> runner.Outcome:
    options = BuildOptions(sources=("agents",), targets=("claude",), out=out, **extra)
    return runner.run(options, mode)


def from_nothing(seed_project: Path) -> tuple[dict[str, bytes], tuple]:
    fresh = build("fresh", cache=False)
    assert not fresh.failed
    return tree(seed_project / "fresh"), fresh.diagnostics


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edit_reads_one_agent_and_equals_a_build_from_nothing(seed_project, monkeypatch):
    assert not build("out").failed
    calls = lowered(monkeypatch)
    # A new delegation to an agent that is not in the build: a new AGC301 and a new edge.
    edit(seed_project / "agents/data-engineer.md", "## ", "Hand schema questions → Delegate to **schema-guru**\n\n## ")
    done = build("out")
    assert calls == ["agents/data-engineer.md"]
    assert [c for c in done.changes] == [("stale", "out/claude/.claude/agents/data-engineer.md")]
    assert done.unchanged == len(list((seed_project / "agents").glob("*.md"))) - 1
    want_tree, want_diags = from_nothing(seed_project)
    assert tree(seed_project / "out") == {k.replace("fresh", "out"): v for k, v in want_tree.items()}
    assert done.diagnostics == want_diags
    assert any(d.code == "AGC301" and "schema-guru" in d.message for d in done.diagnostics)
    again = build("out")  # and the record it left is a good one: a no-op now
    assert again.cached and again.diagnostics == want_diags


def test_check_after_an_edit_names_only_the_edited_agent(seed_project, monkeypatch):
    assert not build("out").failed
    calls = lowered(monkeypatch)
    edit(seed_project / "agents/ml-engineer.md", "\n\n", "\n\nOne more sentence.\n\n")
    done = build("out", mode="check")
    assert calls == ["agents/ml-engineer.md"]
    assert done.changes == [("stale", "out/claude/.claude/agents/ml-engineer.md")]
    assert build("out").changes == [("stale", "out/claude/.claude/agents/ml-engineer.md")]


def test_a_renamed_agent_is_a_full_build_with_the_same_result(seed_project, monkeypatch):
    assert not build("out").failed
    calls = lowered(monkeypatch)
    edit(seed_project / "agents/data-engineer.md", "name: data-engineer", "name: data-platform-engineer")
    done = build("out")
    assert not done.failed
    assert ("extra", "out/claude/.claude/agents/data-engineer.md") in done.changes
    assert calls == ["agents/data-engineer.md"]  # the others still come from the per-file cache
    want_tree, want_diags = from_nothing(seed_project)
    assert tree(seed_project / "out") == {k.replace("fresh", "out"): v for k, v in want_tree.items()}
    assert done.diagnostics == want_diags


# -- the pack of lowered files (agentc/cache.py `Pack`) -------------------------------------------

def _forget_record(seed_project: Path) -> Path:
    """Drop the build record (a full build next), keep the pack; return the pack's path."""
    builds = seed_project / "out/.agentc-cache/builds"
    for p in builds.glob("*.record"):
        p.unlink()
    packs = list(builds.glob("*.pack"))
    assert len(packs) == 1
    return packs[0]


def test_a_full_build_takes_every_lowered_file_from_the_pack(seed_project, monkeypatch):
    assert not build("out").failed
    assert not list((seed_project / "out/.agentc-cache").glob("ir/*/*.json"))  # one pack, no loose files
    _forget_record(seed_project)
    calls = lowered(monkeypatch)
    done = build("out")
    assert calls == [] and not done.failed and not done.changes
    want_tree, want_diags = from_nothing(seed_project)
    assert done.diagnostics == want_diags


def test_a_cache_that_holds_nothing_is_not_looked_up_and_stores_the_same(seed_project, monkeypatch):
    import os

    from agentc.cache import Cache

    def never(*args, **kw):
        raise AssertionError("a lookup in a cache that holds nothing")

    with monkeypatch.context() as m:
        m.setattr(Cache, "get_ir", never)
        assert not build("out").failed and not build("out-j", jobs=2).failed
    with monkeypatch.context() as m:  # the lookups made anyway: each misses, and the same entries are stored
        m.setattr(Cache, "holds_nothing", lambda self: False)
        assert not build("looked").failed
    packs = [next((seed_project / folder / ".agentc-cache/builds").glob("*.pack")).read_bytes() for folder in ("out", "out-j", "looked")]
    assert packs[0] == packs[1] == packs[2]
    cache = Cache(seed_project / "out/.agentc-cache")
    assert cache.holds_nothing()  # no record loaded: no pack to look in
    cache.load_record([os.path.abspath("out")])
    assert not cache.holds_nothing()  # the pack the build left
    assert Cache(seed_project / "elsewhere").holds_nothing()


def test_an_edit_then_a_full_build_packs_the_loose_entry(seed_project, monkeypatch):
    assert not build("out").failed
    edit(seed_project / "agents/data-engineer.md", "\n\n", "\n\nOne more sentence.\n\n")
    assert not build("out").failed  # the rebuild stores its one new entry as a loose file
    assert len(list((seed_project / "out/.agentc-cache").glob("ir/*/*.json"))) == 1
    _forget_record(seed_project)
    calls = lowered(monkeypatch)
    assert not build("out").failed
    assert calls == []  # 4 from the pack, the edited one from its loose file
    _forget_record(seed_project)
    assert not build("out").failed and calls == []  # and now all 5 from the new pack


def test_the_first_lowered_entries_wait_in_memory_the_rest_in_the_packs_unnamed_file(tmp_path):
    import zlib

    from agentc.cache import Pack, Spill

    folder = tmp_path / "cache" / "builds"
    spill = Spill(lambda: folder)
    spill.IN_MEMORY = 12
    spill.put("small", b"0123456789")  # within IN_MEMORY: held, no file made
    assert spill._held == {"small": b"0123456789"} and spill._file is None and not folder.exists()
    spill.put("more", b"abc")  # past it: a file in the pack's folder, with no name yet
    assert spill._file is not None and list(spill._held) == ["small"] and folder.is_dir() and not list(folder.iterdir())
    assert spill.get("small") == b"0123456789" and spill.get("more") == b"abc" and spill.keys() == ["more", "small"]
    spill.store(folder / "x.pack", {"kept": (b"xyz", zlib.crc32(b"xyz"))})
    spill.close()
    assert [p.name for p in folder.iterdir()] == ["x.pack"]
    pack = Pack.open(folder / "x.pack")
    assert {key: pack.get(key) for key in ("small", "more", "kept", "none")} == {
        "small": b"0123456789", "more": b"abc", "kept": b"xyz", "none": None}
    pack.close()


def test_a_pack_reads_its_index_only_for_a_key_its_bytes_hold(tmp_path):
    from agentc.cache import Pack, Spill

    spill = Spill()
    spill.put("a1", b"entry")
    spill.store(tmp_path / "pack", {})
    spill.close()
    pack = Pack.open(tmp_path / "pack")
    assert pack.get("b2") is None and pack._index is None  # not in the index's bytes: found missing unread
    assert pack.get("a1") == b"entry" and pack._index == {"a1": [0, 5, pack._index["a1"][2]]}
    assert pack.get("b2") is None and pack.get("a") is None and pack.get('a1"') is None
    pack.close()
    data = (tmp_path / "pack").read_bytes()
    (tmp_path / "damaged").write_bytes(data.replace(b'{"a1"', b'["a1"'))  # an index that is no JSON object
    pack = Pack.open(tmp_path / "damaged")
    assert pack.get("a1") is None and pack._index == {}
    pack.close()


def test_spilled_entries_are_written_a_batch_at_a_time(tmp_path, monkeypatch):
    import os

    from agentc.cache import Pack, Spill

    writes, real = [], os.writev
    monkeypatch.setattr(os, "writev", lambda fd, chunks: writes.append(len(chunks)) or real(fd, chunks))
    spill = Spill(lambda: tmp_path / "builds")
    spill.IN_MEMORY, spill.QUEUED = 0, 10
    for k in range(7):
        spill.put(f"k{k}", b"%04d" % k)  # 4 bytes each: written three at a time
    assert writes == [3, 3] and spill._held == {}
    assert spill.get("k6") == b"0006" and writes == [3, 3, 1]  # the queued one written before it is read
    spill.put("k7", b"0007")
    spill.store(tmp_path / "pack", {})
    spill.close()
    pack = Pack.open(tmp_path / "pack")
    assert [pack.get(f"k{k}") for k in range(8)] == [b"%04d" % k for k in range(8)]
    pack.close()


def test_a_failed_spill_write_loses_the_spilled_entries_not_the_build(tmp_path, monkeypatch):
    import os

    from agentc.cache import Spill

    def full(fd, chunks):
        raise OSError("no space left on device")

    spill = Spill(lambda: tmp_path / "builds")
    spill.IN_MEMORY, spill.QUEUED = 0, 10
    spill.put("a", b"1234")
    monkeypatch.setattr(os, "writev", full)
    spill.put("b", b"5678")
    spill.put("c", b"9abc")  # the write of a, b and c fails: those spilled are lost, c is held
    assert spill._file is None and spill.get("a") is None and spill.get("c") == b"9abc"
    spill.put("d", b"def0")  # no file from here on
    assert spill.keys() == ["c", "d"]


def test_lowered_entries_wait_in_a_temp_file_not_in_memory(tmp_path):
    from agentc.cache import Pack, Spill

    spill = Spill()  # no pack's folder known: the system's temp folder
    spill.IN_MEMORY = 0  # as a build past its first megabyte of entries
    spill.put("a", b'{"x": 1}')
    spill.put("b", "\u2192 arrow".encode())
    assert spill._held == {} and spill._file is not None  # on disk, not held
    assert (spill.get("a"), spill.get("b"), spill.get("c")) == (b'{"x": 1}', "\u2192 arrow".encode(), None)
    assert spill.keys() == ["a", "b"] and "a" in spill
    spill.store(tmp_path / "pack", {})
    pack = Pack.open(tmp_path / "pack")
    assert (pack.get("a"), pack.get("b")) == (b'{"x": 1}', "\u2192 arrow".encode())
    pack.close()
    spill._file.truncate(len(Pack.MAGIC) + 4)  # the file lost its end: that entry is missing, never wrong
    assert spill.get("a") is None and spill.get("b") is None
    spill.close()
    assert spill.keys() == [] and spill.get("a") is None


def test_the_folders_made_for_entries_never_stored_go_again(tmp_path):
    from agentc.cache import Spill

    spill = Spill(lambda: tmp_path / "out" / ".agentc-cache" / "builds")
    spill.IN_MEMORY = 0
    spill.put("a", b"x")
    assert (tmp_path / "out" / ".agentc-cache" / "builds").is_dir()
    spill.close()  # as at the exit of a build that failed
    assert list(tmp_path.iterdir()) == []


def test_the_pack_is_the_file_the_entries_were_spilled_into(seed_project, monkeypatch):
    """Stored without a copy: no temp file in the system's temp folder, no sendfile."""
    import os
    import tempfile

    copies = []
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda *a, **k: copies.append("temp file"))
    monkeypatch.setattr(os, "sendfile", lambda *a, **k: copies.append("sendfile"))
    monkeypatch.setattr("agentc.cache.Spill.IN_MEMORY", 0)
    assert not build("out").failed
    assert copies == []
    _forget_record(seed_project)
    calls = lowered(monkeypatch)
    assert not build("out").failed and calls == []  # every entry reached the pack


@pytest.mark.parametrize("refused", [
    [("agentc.cache", "_link")],  # no /proc: the entries of the unnamed file are copied into a new one
    [("agentc.cache", "_unnamed_in")],  # no O_TMPFILE: a temp file in the system's temp folder, copied
    [("agentc.cache", "_unnamed_in"), ("tempfile", "TemporaryFile")],  # no temp folder either: entries stay in memory
    [("agentc.cache", "_unnamed_in"), ("os", "sendfile")],  # no sendfile: the temp file is copied by reads
], ids=["no-link", "no-unnamed-file", "no-temp-folder", "no-sendfile"])
def test_every_entry_reaches_the_pack_when_a_system_call_fails(seed_project, monkeypatch, refused):
    import importlib

    def refuse(*args, **kwargs):
        raise OSError("refused")

    for module, name in refused:
        monkeypatch.setattr(importlib.import_module(module), name, refuse)
    monkeypatch.setattr("agentc.cache.Spill.IN_MEMORY", 0)  # every entry goes the file's way
    assert not build("out").failed
    _forget_record(seed_project)
    calls = lowered(monkeypatch)
    assert not build("out").failed and calls == []  # every entry reached the pack


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty", "index", "place"])
def test_a_damaged_pack_is_a_clean_rebuild(seed_project, monkeypatch, damage):
    assert not build("out").failed
    pack = _forget_record(seed_project)
    data = bytearray(pack.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":  # one byte inside the first entry: its CRC no longer matches
        data[len(b"agentc-ir-pack 2\n") + 100] ^= 0x01
    elif damage == "garbage":
        data = bytearray(b"\x00\xff" * 500)
    elif damage == "empty":
        data = bytearray()
    elif damage == "index":  # the index line itself damaged
        data[int(bytes(data).rstrip(b"\n").rsplit(b"\n", 1)[1]) + 3] = ord("}")
    else:  # the line of the index's place
        data[-2] = ord("x")
    pack.write_bytes(bytes(data))
    for p in (seed_project / "out").rglob("*.md"):  # every output file has to be written again
        p.unlink()
    calls = lowered(monkeypatch)
    done = build("out")
    assert not done.failed
    assert calls  # what the pack could not give was lowered again
    if damage == "flip":
        assert len(calls) == 1
    want_tree, want_diags = from_nothing(seed_project)
    assert tree(seed_project / "out") == {k.replace("fresh", "out"): v for k, v in want_tree.items()}
    assert done.diagnostics == want_diags


def test_recorded_diagnostics_read_back_exactly_and_refuse_any_other_table():
    from agentc import codec
    from agentc.compiler.diagnostics import diag
    from agentc.compiler.span import Span

    def read(strings, rows):
        return codec.load_diagnostics({"strings": strings, "rows": rows})

    diags = [diag("AGC301", Span(file="a.md", line=3, col=4), "m", hint="h"), diag("AGC003", Span(file="b.md", line=1), "e", excerpt="x")]
    strings = ["AGC301", "warning", "a.md", "m", "h", "AGC003", "error", "b.md", "e", "x"]
    row = [0, 1, 2, 3, 4, 3, 4, -1]
    assert read(strings, row + [5, 6, 7, 1, 1, 8, -1, 9]) == diags
    assert codec.load_diagnostics(codec.diagnostics_table(diags)) == diags
    assert read(strings, []) == []
    for bad in ([*row[:3], "3", *row[4:]], [*row[:3], True, *row[4:]], [*row[:4], 1.0, *row[5:]], [0, 0, *row[2:]],
                [0, 10, *row[2:]], [*row[:5], -1, *row[6:]], [0, -2, *row[2:]], row[:7], row + [0], [*row[:6], None, row[7]]):
        with pytest.raises(ValueError):
            read(strings, bad)
    for table in ({"strings": strings}, {"strings": strings, "rows": row, "more": []}, [strings, row], None,
                  {"strings": [*strings, 3], "rows": row}, {"strings": "AGC301", "rows": row}, {"strings": strings, "rows": 7}):
        with pytest.raises(ValueError):
            codec.load_diagnostics(table)
    with pytest.raises(ValueError):  # an older format: a list of objects
        codec.load_diagnostics([{"code": "AGC301"}])


@pytest.mark.parametrize("then_edit", [False, "no diagnostic changes", "diagnostics change"])
@pytest.mark.parametrize("renamed", [False, True])
def test_a_record_with_damaged_diagnostics_is_a_full_build_not_a_crash(seed_project, then_edit, renamed):
    """`renamed`: the damaged table named (and recorded) by its new CRC, so only reading it finds the damage."""
    from agentc.cache import _HEADER, _marshalled, _tabled, _unmarshalled, _untabled

    assert not build("out").failed
    table = next((seed_project / "out/.agentc-cache/builds").glob("*.diags"))
    runs = [bytes(x) if isinstance(x, memoryview) else x for x in _untabled(table.read_bytes())[0]]
    at = runs.index("agents/data-engineer.md")
    runs[at + 2] = runs[at + 2][:-3]  # the edited file's table cut short (its CRC the whole one's)
    data = b"".join(_tabled(runs))
    table.write_bytes(data)
    if renamed:
        record_path = table.with_name(table.name.split(".")[0] + ".record")
        record = _unmarshalled(record_path.read_bytes())
        tag = record["diagnostics"].rpartition("-")[0] + "-" + data[len(_HEADER):len(_HEADER) + 8].decode()  # its meta's CRC
        table.rename(table.with_name(table.name.replace(record["diagnostics"], tag)))
        record_path.write_bytes(_marshalled({**record, "diagnostics": tag}))
    if then_edit == "no diagnostic changes":
        (seed_project / "agents/data-engineer.md").write_text((seed_project / "agents/data-engineer.md").read_text() + "\nMore.\n")
    elif then_edit:
        edit(seed_project / "agents/data-engineer.md", "\n\n", "\n\nOne more sentence.\n\n")
    done = build("out")
    assert not done.failed and not done.cached
    want_tree, want_diags = from_nothing(seed_project)
    assert tree(seed_project / "out") == {k.replace("fresh", "out"): v for k, v in want_tree.items()}
    assert done.diagnostics == want_diags


def test_agents_not_edited_keep_their_links_and_graph_checks_run_over_all(seed_project, monkeypatch):
    """An unchanged agent's edges and delegation diagnostics come from the last build (views and
    record); cycles, nesting and suppressions of graph-wide codes are judged over every agent."""
    # Unchanged agents: a dangling delegation (AGC301), and a suppressed loop report (AGC308)
    # in a file the edit does not touch.
    edit(seed_project / "agents/ml-engineer.md", "## ", "Hand audits → Delegate to **model-auditor**\n\n## ")
    edit(seed_project / "agents/data-scientist.md", "## ", "<!-- agentc: ignore-file[AGC308] -->\n\n## ")
    assert not build("out").failed
    calls = lowered(monkeypatch)
    # The edit closes a loop (data-engineer -> ml-engineer -> data-engineer) and adds a dangling name.
    edit(seed_project / "agents/data-engineer.md", "## ", "Hand training jobs → Delegate to **ml-engineer**\n\n"
         "Hand audits → Delegate to **model-auditor**\n\n## ")
    done = build("out")
    assert calls == ["agents/data-engineer.md"]
    want_tree, want_diags = from_nothing(seed_project)
    assert tree(seed_project / "out") == {k.replace("fresh", "out"): v for k, v in want_tree.items()}
    assert done.diagnostics == want_diags
    assert sum(d.code == "AGC301" and "model-auditor" in d.message for d in done.diagnostics) == 2
    assert {d.file for d in done.diagnostics if d.code == "AGC308"} == {"agents/data-engineer.md", "agents/ml-engineer.md"}
    # And back: the loop opens again, the graph-wide reports follow.
    edit(seed_project / "agents/data-engineer.md", "Hand training jobs → Delegate to **ml-engineer**\n\n", "")
    calls.clear()
    done = build("out")
    assert calls == ["agents/data-engineer.md"]
    want_tree, want_diags = from_nothing(seed_project)
    assert tree(seed_project / "out") == {k.replace("fresh", "out"): v for k, v in want_tree.items()}
    assert done.diagnostics == want_diags


@pytest.mark.parametrize("damage", ["flip", "shape"])
def test_damaged_views_are_a_full_build_with_the_same_result(seed_project, monkeypatch, damage):
    import hashlib
    import marshal
    import zlib

    from agentc.cache import _marshalled, _unmarshalled

    assert not build("out").failed
    builds = seed_project / "out/.agentc-cache/builds"
    views = next(builds.glob("*.views"))
    if damage == "flip":  # no longer the bytes the record names: not read at all
        data = bytearray(views.read_bytes())
        data[len(data) // 2] ^= 0x01
        views.write_bytes(bytes(data))
    else:  # the bytes the record names, but views of another shape (one field short)
        names, rests, commented, dangling, normals = _unmarshalled(views.read_bytes())
        data = _marshalled([names, [marshal.dumps(marshal.loads(rest)[:-1]) for rest in rests], commented, dangling, normals])
        tag = f"{hashlib.sha256(data).hexdigest()[:20]}-{zlib.crc32(data):08x}"
        record = next(builds.glob("*.record"))
        rec = _unmarshalled(record.read_bytes())
        rec["views"] = tag
        record.write_bytes(_marshalled(rec))
        views.unlink()
        (builds / f"{record.stem}.{tag}.views").write_bytes(data)
    edit(seed_project / "agents/data-engineer.md", "\n\n", "\n\nOne more sentence.\n\n")
    done = build("out")
    assert not done.failed
    want_tree, want_diags = from_nothing(seed_project)
    assert tree(seed_project / "out") == {k.replace("fresh", "out"): v for k, v in want_tree.items()}
    assert done.diagnostics == want_diags


def test_views_an_edit_leaves_the_same_are_not_written_again(seed_project, monkeypatch):
    """A rebuild whose edited agents keep their views byte for byte keeps the views file the
    record names (Cache.save_record), and the diagnostics file when they are the same; one whose
    views changed writes them anew, the old file goes."""
    from agentc import cache
    from agentc.cache import Cache

    assert not build("out").failed
    builds = seed_project / "out/.agentc-cache/builds"
    first = sorted(p.name for p in builds.glob("*.views"))
    stored: list[Path] = []
    real, real_chunks = Cache._store, cache._store_chunks

    def spy(self, path, data):
        stored.append(path)
        real(self, path, data)

    def spy_chunks(path, chunks):  # the table of diagnostics (Cache._store_table)
        stored.append(path)
        return real_chunks(path, chunks)

    monkeypatch.setattr(Cache, "_store", spy)
    monkeypatch.setattr(cache, "_store_chunks", spy_chunks)
    calls = lowered(monkeypatch)
    path = seed_project / "agents/data-engineer.md"
    # A line at the end: the agent's id, spans and edges stay, and so does its view.
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    done = build("out")
    assert calls == ["agents/data-engineer.md"]
    assert [p.suffix for p in stored if p.parent.name == "builds"] == [".record"]
    assert sorted(p.name for p in builds.glob("*.views")) == first
    want_tree, want_diags = from_nothing(seed_project)
    assert tree(seed_project / "out") == {k.replace("fresh", "out"): v for k, v in want_tree.items()}
    assert done.diagnostics == want_diags
    # A line near the top moves its delegations down: a new view, written; the next rebuild reads it.
    for text in ("\n\nOne more sentence.\n\n", "\n\nAnd another.\n\n"):
        calls.clear()
        stored.clear()
        edit(path, "\n\n", text)
        done = build("out")
        assert calls == ["agents/data-engineer.md"]
        # Its delegations' diagnostics moved down with them: a new table of diagnostics too.
        assert [p.suffix for p in stored if p.parent.name == "builds"] == [".diags", ".views", ".record"]
        views = sorted(p.name for p in builds.glob("*.views"))
        assert len(views) == 1 and views != first and len(list(builds.glob("*.diags"))) == 1
        first = views
        want_tree, want_diags = from_nothing(seed_project)
        assert tree(seed_project / "out") == {k.replace("fresh", "out"): v for k, v in want_tree.items()}
        assert done.diagnostics == want_diags


_DIAGS = st.builds(lambda code, file, line, col, message, hint: diag(code, Span(file=file, line=line, col=col), message, hint=hint),
                   st.sampled_from(["AGC301", "AGC308", "AGC101"]), st.sampled_from(["a.md", "b.md", "<configuration>"]),
                   st.integers(1, 3), st.integers(1, 2), st.sampled_from(["m", "n"]), st.none() | st.sampled_from(["h", "i"]))


@settings(max_examples=400, deadline=None)
@given(st.lists(_DIAGS, max_size=30), st.lists(_DIAGS, max_size=8))
def test_merging_the_judged_new_diagnostics_into_the_kept_ones_is_judging_them_all(kept, new):
    """`_merged(kept, judge(new))` is `judge(kept + new)` for kept diagnostics a judge gave:
    the same order (ties: kept first, then as they came), each equal one once."""
    from agentc import incremental
    from agentc.compiler.diagnostics import apply_policy

    kept = list(apply_policy(kept))
    assert incremental._merged(kept, apply_policy(new)) == apply_policy(kept + new)


def test_the_outcome_holds_what_the_build_made_until_it_goes(seed_project):
    """runner.run hands its project to the outcome (Outcome.held): the command exits right after
    without freeing it, and a caller that drops the outcome frees it with it."""
    import gc
    import weakref

    from agentc.api import Result

    for path in (None, "agents/data-engineer.md"):  # a full build, then a one-edit rebuild
        if path:
            edit(seed_project / path, "\n\n", "\n\nOne more sentence.\n\n")
        done = build("out")
        assert not done.failed and not done.cached
        results = [x for x in done.held if isinstance(x, Result)]
        assert len(results) == 1 and results[0].project.agents
        project = weakref.ref(results[0].project)
        del results
        gc.collect()
        assert project() is not None
        del done
        gc.collect()
        assert project() is None


def test_views_keep_resolved_edges_only(seed_project):
    """A view holds the edges that name an agent of the build (incremental._view): a dangling one
    stays dangling while no name changes, and no target reads it of an agent not edited; its
    AGC301 comes from the record."""
    from agentc import incremental
    from agentc.cache import _unmarshalled

    edit(seed_project / "agents/ml-engineer.md", "## ", "Hand audits → Delegate to **model-auditor**\n\n## ")
    done = build("out")
    assert not done.failed and any(d.code == "AGC301" and "model-auditor" in d.message for d in done.diagnostics)
    views = incremental.unstored(_unmarshalled(next((seed_project / "out/.agentc-cache/builds").glob("*.views")).read_bytes()))
    rows = [row for view in views for row in zip(*[iter(view[6])] * 6, strict=True)]
    assert rows and all(target_id is not None for _, target_id, *_ in rows)
    assert "model-auditor" not in {target for target, *_ in rows}
    # An edit of another agent: the dangling delegation's diagnostic stays, as in a build from nothing.
    edit(seed_project / "agents/data-engineer.md", "\n\n", "\n\nOne more sentence.\n\n")
    done = build("out")
    assert not done.cached and done.diagnostics == from_nothing(seed_project)[1]


def test_an_edit_stats_and_hashes_each_source_once(seed_project, monkeypatch):
    """The no-op test and the rebuild share one look at the record's sources (runner.matching):
    one `unsettled` pass, and the edited file hashed once there (and once more when read to be
    lowered); the rebuild's result is still a full build's."""
    from agentc import cache

    assert not build("out").failed
    passes: list[int] = []
    hashed: list[int] = []
    unsettled, sha = cache.unsettled, cache.sha

    def spy(entries, recorded_ns):
        passes.append(len(entries))
        return unsettled(entries, recorded_ns)

    def sha_spy(data):
        hashed.append(len(data))
        return sha(data)

    monkeypatch.setattr(cache, "unsettled", spy)
    monkeypatch.setattr(cache, "sha", sha_spy)
    edit(seed_project / "agents/ml-engineer.md", "\n\n", "\n\nOne more sentence.\n\n")
    sources = len(list((seed_project / "agents").glob("*.md")))
    done = build("out")
    assert done.changes == [("stale", "out/claude/.claude/agents/ml-engineer.md")]
    # the folder the sources were found in (runner._listed), the sources, then the outputs and the manifest
    assert passes == [1, sources, sources + 1]
    size = (seed_project / "agents/ml-engineer.md").stat().st_size
    assert hashed.count(size) == 2  # cache.refreshed, then api.read_agents
    want_tree, want_diags = from_nothing(seed_project)
    assert tree(seed_project / "out") == {k.replace("fresh", "out"): v for k, v in want_tree.items()}
    assert done.diagnostics == want_diags


# -- an edited agent that links as before: the graph is the last build's (incremental._Rebuilt) --

def _agent(name: str, delegates: list[str], extra: str = "") -> str:
    handoffs = "".join(f"- Work for {d} → Delegate to **{d}**\n" for d in delegates)
    return (f"---\nname: {name}\ndescription: Handles the {name} part of a release. Use when {name} work comes up.\n---\n\n"
            f"You are the {name} agent.\n\n## When to Invoke This Agent\n\n### USE when:\n- {name} work comes up\n\n"
            f"### DO NOT USE when:\n{handoffs}{extra}")


def _linked_spy(monkeypatch) -> list[str]:
    """'relink' for each rebuild that resolved its edited agents, 'link' for each that linked
    every agent (its graph changed, or something read the project)."""
    from agentc import incremental

    calls: list[str] = []
    for name in ("link", "relink"):
        real = getattr(incremental, name)
        monkeypatch.setattr(incremental, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    return calls


def _as_from_nothing(root: Path, sources: str, targets: tuple[str, ...]) -> runner.Outcome:
    """A build into out/ with the cache, checked against one from nothing: the same tree and diagnostics."""
    done = runner.run(BuildOptions(sources=(sources,), targets=targets, out="out"))
    fresh = runner.run(BuildOptions(sources=(sources,), targets=targets, out="fresh", cache=False))
    assert not done.failed and not fresh.failed
    assert tree(root / "out") == tree(root / "fresh")
    assert done.diagnostics == fresh.diagnostics
    return done


_CHAIN = [f"c{k}" for k in range(1, 8)]  # c1 -> c2 -> ... -> c7: a chain deeper than claude lets subagents nest


# (what the edit does, file, old text, new text, whether the edited agent links as before)
_EDITS = [
    ("a line appended", "c3", "", "\nOne more line.\n", True),
    ("a delegation added", "c2", "", "- Odd jobs → Delegate to **c5**\n", False),
    ("a delegation retargeted", "c2", "**c5**", "**c6**", False),
    ("a delegation removed", "c2", "- Odd jobs → Delegate to **c6**\n", "", False),
    ("a dangling delegation added at the end", "c3", "", "- Audits → Delegate to **nobody-here**\n", True),
    ("a cycle made", "c7", "", "- Restarts → Delegate to **c1**\n", False),
    ("a line appended to a loop's agent", "c7", "", "\nAnd one more.\n", True),
    ("a line added above a loop's delegation: AGC308 moves with it", "c4", "You are", "Hm.\n\nYou are", True),
    ("the cycle broken", "c7", "- Restarts → Delegate to **c1**\n", "", False),
    ("the chain cut: no agent too deep", "c4", "- Work for c5 → Delegate to **c5**\n", "", False),
    ("the chain made again", "c4", "### DO NOT USE when:\n", "### DO NOT USE when:\n- Work for c5 → Delegate to **c5**\n", False),
    ("a suppression of the graph's codes", "c1", "You are", "<!-- agentc: ignore-file[AGC307] -->\n\nYou are", False),
    ("a line appended to an agent with a suppression", "c1", "", "\nStill suppressed.\n", False),
    ("a line added above the delegation of an agent with a suppression", "c1", "You are", "Still.\n\nYou are", False),
    ("the suppression removed", "c1", "<!-- agentc: ignore-file[AGC307] -->\n\n", "", False),
    ("a suppression of the block of the chain's first delegation", "c1", "- Work for c2", "<!-- agentc: ignore[AGC307] -->\n- Work for c2", False),
    ("a paragraph added between: the suppression covers it, not the delegation", "c1", "<!-- agentc: ignore[AGC307] -->\n",
     "<!-- agentc: ignore[AGC307] -->\nNote.\n\n", False),
    ("the block suppression removed", "c1", "<!-- agentc: ignore[AGC307] -->\nNote.\n\n", "", False),
    ("a line added above the delegation: only its position moves", "c5", "You are", "Hello.\n\nYou are", True),
    ("a line added above the chain's first delegation: AGC307 moves with it", "c1", "You are", "Hi.\n\nYou are", True),
    ("a second delegation", "c2", "", "- Odd jobs → Delegate to **c7**\n", False),
    ("two delegations swapped: the nesting report takes the first longest", "c2",
     "- Work for c3 → Delegate to **c3**\n- Odd jobs → Delegate to **c7**\n",
     "- Odd jobs → Delegate to **c7**\n- Work for c3 → Delegate to **c3**\n", False),
    ("a line added above both delegations", "c2", "You are", "Hey.\n\nYou are", True),
]


def test_edits_that_keep_or_change_the_graph_rebuild_as_a_build_from_nothing(tmp_path, monkeypatch):
    """Each edit, rebuilt after the last: an agent that links as before takes the graph (and its
    diagnostics: cycles, nesting) from the last build without linking the others; any other
    edit links them all. Either way the tree and the diagnostics are a build from nothing's."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "agents").mkdir()
    for n, name in enumerate(_CHAIN):
        (tmp_path / f"agents/{name}.md").write_text(_agent(name, _CHAIN[n + 1:n + 2]), encoding="utf-8")
    first = _as_from_nothing(tmp_path, "agents", ("claude",))
    assert "AGC307" in {d.code for d in first.diagnostics}
    seen_codes = set()
    for what, name, old, new, same in _EDITS:
        path = tmp_path / f"agents/{name}.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text + new if not old else text.replace(old, new, 1), encoding="utf-8")
        assert path.read_text(encoding="utf-8") != text, what
        calls = _linked_spy(monkeypatch)
        done = _as_from_nothing(tmp_path, "agents", ("claude",))
        assert calls[:1] == ["relink"] and ("link" in calls[1:]) is not same, what
        seen_codes |= {d.code for d in done.diagnostics}
        monkeypatch.undo()
        monkeypatch.chdir(tmp_path)
    assert {"AGC301", "AGC305", "AGC307", "AGC308"} <= seen_codes


@pytest.mark.parametrize("targets", [("claude",), ("all",)])
def test_one_name_in_two_plugins_rebuilds_as_a_build_from_nothing(tmp_path, monkeypatch, targets):
    """Two plugins with an agent of one name each (AGC306; claude writes them under plugin-prefixed
    names, which count every agent's name: graph.name_counts, from the views on a rebuild)."""
    monkeypatch.chdir(tmp_path)
    for plugin, names in (("alpha", ["shared", "lead"]), ("bravo", ["shared", "helper"])):
        folder = tmp_path / f"team/plugins/{plugin}/agents"
        folder.mkdir(parents=True)
        for name in names:
            (folder / f"{name}.md").write_text(_agent(name, ["shared"] if name != "shared" else []), encoding="utf-8")
    first = _as_from_nothing(tmp_path, "team", targets)
    assert "AGC306" in {d.code for d in first.diagnostics}
    # (file, old text, new text: appended when no old, whether the graph stays the last build's)
    for name, old, new, same in (("bravo/agents/shared.md", "", "\nOne more line.\n", True),
                                 ("alpha/agents/lead.md", "", "- Help → Delegate to **helper**\n", False),
                                 ("alpha/agents/lead.md", "You are", "Moved.\n\nYou are", True),
                                 ("bravo/agents/shared.md", "", "- Help → Delegate to **helper**\n", False),
                                 ("bravo/agents/shared.md", "You are", "Moved.\n\nYou are", True)):  # AGC306 moves with it
        path = tmp_path / "team/plugins" / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(old, new, 1) if old else text + new, encoding="utf-8")
        calls = _linked_spy(monkeypatch)
        _as_from_nothing(tmp_path, "team", targets)
        assert calls[:1] == (["relink"] if targets == ("claude",) else []), name
        assert targets != ("claude",) or ("link" in calls[1:]) is not same, (name, new)
        monkeypatch.undo()
        monkeypatch.chdir(tmp_path)
    if targets == ("claude",):
        assert (tmp_path / "out/claude/.claude/agents/bravo-shared.md").is_file()


def test_a_rebuilt_project_is_linked_when_read(seed_project, monkeypatch):
    """The project of a rebuild whose graph did not change links the agents the first time it
    is read: their ids, names, files and spans, the resolved edges and the graph-wide
    diagnostics of a build from nothing."""
    from agentc import incremental
    from agentc.api import Result
    from agentc.compiler import graph
    from agentc.discover import discover

    assert not build("out").failed
    path = seed_project / "agents/data-engineer.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    calls = _linked_spy(monkeypatch)
    done = build("out")
    assert calls == ["relink"]
    project = next(x for x in done.held if isinstance(x, Result)).project
    assert isinstance(project, incremental._Rebuilt)
    counts = graph.name_counts(project)
    assert calls == ["relink"]  # from the views: nothing linked
    agents = project.agents
    assert calls == ["relink", "link"]
    whole = graph.link(api.read_agents(discover(["agents"], exclude=["out"])[0])[0], [])
    assert counts == graph.counted(a.name for a in whole.agents)
    assert [(a.id, a.name, a.scope, a.file, a.span, a.key_spans) for a in agents] == [
        (a.id, a.name, a.scope, a.file, a.span, a.key_spans) for a in whole.agents]
    assert project.edges == tuple(e for e in whole.edges if e.target_id is not None)
    wide = ("AGC303", "AGC305", "AGC306")
    assert [d for d in project.diagnostics if d.code in wide] == [d for d in whole.diagnostics if d.code in wide]
    assert any(d.code == "AGC305" for d in project.diagnostics)


def test_relink_resolves_as_link_does(seed_project):
    """graph.relink of some agents against every agent's name gives them, their edges and their
    diagnostics as graph.link of all of them does (the graph-wide codes aside)."""
    from agentc.compiler import graph
    from agentc.discover import discover

    agents, _, _ = api.read_agents(discover(["agents"], exclude=[])[0])
    whole = graph.link(agents, [])
    named = [graph.Named((a.id, a.name, a.scope, a.file)) for a in agents]
    for some in (agents[:1], agents[1:3], agents):
        got, diags = graph.relink(some, named)
        files = {a.file for a in some}
        assert [a for a, _ in got] == [a for a in whole.agents if a.file in files]
        assert [e for a, _ in got for e in _] == [e for a in whole.agents if a.file in files for e in whole.edges_from(a.id)]
        assert diags == [d for d in whole.diagnostics if d.file in files and d.code not in ("AGC303", "AGC305", "AGC306")]


def test_a_rebuild_stores_the_views_a_full_build_stores(seed_project):
    """The views a rebuild hands the cache (each edited agent's made again, the others' bytes
    kept) are those a full build of the same files stores, suppression lines and all."""
    from agentc import incremental
    from agentc.cache import _unmarshalled

    def stored(out: str) -> list:
        return incremental.unstored(_unmarshalled(next((seed_project / out / ".agentc-cache/builds").glob("*.views")).read_bytes()))

    assert not build("out").failed
    for n, (path, old, new) in enumerate((("agents/data-engineer.md", "\n\n", "\n\nOne more sentence.\n\n"),
                                          ("agents/ml-engineer.md", "## ", "<!-- agentc: ignore[AGC301] -->\nHand audits → Delegate to **model-auditor**\n\n## "),
                                          ("agents/ml-engineer.md", "\n\n", "\n\nAnd a line above it.\n\n"))):
        edit(seed_project / path, old, new)
        done = build("out")
        assert not done.failed and not done.cached
        assert not build(f"again{n}").failed  # a full build: no record for that folder yet
        assert stored("out") == stored(f"again{n}")
    assert any(view[7] for view in stored("out"))


def test_relink_takes_what_link_found_for_dangling_names(seed_project, monkeypatch):
    """Given what a link of the same names found for dangling names (`graph.DANGLING`), relink
    searches no close name again, and gives what it gives without."""
    from agentc.compiler import graph
    from agentc.discover import discover

    agents, _, _ = api.read_agents(discover(["agents"], exclude=[])[0])
    whole = graph.link(agents, [])
    found = dict(whole.derived[graph.DANGLING])
    assert found  # the seed team names agents it lacks (security-auditor, fake-agent-in-fence...)
    named = [graph.Named((a.id, a.name, a.scope, a.file)) for a in agents]
    want = graph.relink(agents, named)
    monkeypatch.setattr(graph, "did_you_mean_agent", lambda *a: pytest.fail("searched again"))
    assert graph.relink(agents, named, found) == want


def test_relink_takes_the_normal_forms_link_found(tmp_path, monkeypatch):
    """Given the normal forms a link of the same names found (`graph.NORMALS`: only the names
    not already theirs), relink normalizes no agent's name again, and gives what it gives
    without them."""
    from agentc.compiler import graph
    from agentc.discover import discover

    monkeypatch.chdir(tmp_path)
    (tmp_path / "agents").mkdir()
    for name, delegates in (("Backend Architect", []), ("Data_Engineer", []), ("lead", ["backend-architect", "data-engineer"])):
        (tmp_path / f"agents/{name.lower()}.md").write_text(_agent(name, delegates), encoding="utf-8")
    agents, _, _ = api.read_agents(discover(["agents"], exclude=[])[0])
    whole = graph.link(agents, [])
    normals = whole.derived[graph.NORMALS]
    assert normals == {"Backend Architect": "backend-architect", "Data_Engineer": "data-engineer"}
    assert {(e.source, e.target_id) for e in whole.edges} == {("lead", "Backend Architect"), ("lead", "Data_Engineer")}
    named = [graph.Named((a.id, a.name, a.scope, a.file)) for a in agents]
    asked: list[str] = []
    real = graph.normal
    monkeypatch.setattr(graph, "normal", lambda name: asked.append(name) or real(name))
    want = graph.relink(agents, named)
    assert {a.name for a in agents} <= set(asked)
    asked.clear()
    got = graph.relink(agents, named, None, normals)
    assert got == want and got[0] == [(a, whole.edges_from(a.id)) for a in whole.agents]
    assert not set(asked) & {a.name for a in agents}


def test_names_not_in_normal_form_rebuild_as_a_build_from_nothing(tmp_path, monkeypatch):
    """Agents named "Backend Architect" and "Data_Engineer", found under their normal forms: a
    rebuild of the agent delegating to them (their forms from the record, `graph.NORMALS`) is
    a build from nothing, at the end of its file and above its delegations."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "agents").mkdir()
    for name, delegates in (("Backend Architect", []), ("Data_Engineer", ["lead"]), ("lead", ["backend-architect", "data-engineer"])):
        (tmp_path / f"agents/{name.lower()}.md").write_text(_agent(name, delegates), encoding="utf-8")
    first = _as_from_nothing(tmp_path, "agents", ("claude",))
    assert {"AGC305", "AGC308"} <= {d.code for d in first.diagnostics}
    path = tmp_path / "agents/lead.md"
    for old, new in (("", "\nOne more line.\n"), ("You are", "Moved.\n\nYou are"),
                     ("**data-engineer**", "**Data Engineer**")):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(old, new, 1) if old else text + new, encoding="utf-8")
        calls = _linked_spy(monkeypatch)
        _as_from_nothing(tmp_path, "agents", ("claude",))
        assert calls[:1] == ["relink"], new
        monkeypatch.undo()
        monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("own", [False, True])
def test_an_edit_keeps_the_files_it_left_alone_in_the_targets_folder(seed_project, monkeypatch, own):
    """The rebuild's unchanged paths go to the stage of their folder (runner.run): as they are
    into OUT, stripped of the target's name into a folder of its own (out_dirs)."""
    def go(out: str, **extra) -> runner.Outcome:
        dirs = {"claude": f"{out}-claude"} if own else {}
        return runner.run(BuildOptions(sources=("agents",), targets=("claude",), out=out, out_dirs=dirs, **extra), "write")

    assert not go("out").failed
    calls = lowered(monkeypatch)
    edit(seed_project / "agents/ml-engineer.md", "\n\n", "\n\nOne more sentence.\n\n")
    done = go("out")
    assert calls == ["agents/ml-engineer.md"] and done.unchanged == len(list((seed_project / "agents").glob("*.md"))) - 1
    assert not go("fresh", cache=False).failed
    where = ("out-claude", "fresh-claude") if own else ("out", "fresh")
    assert tree(seed_project / where[0]) == tree(seed_project / where[1])
    assert go("out").cached  # the record it left is a good one


def _cli(*args: str, cwd: Path) -> tuple[int, str, str]:
    """agentc's exit code, stdout and stderr, less the last line the build writes (what it wrote or found)."""
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "agentc", *args], capture_output=True, text=True, cwd=cwd, check=False,
                          env={**os.environ, "NO_COLOR": ""})
    return done.returncode, done.stdout, "".join(done.stderr.splitlines(keepends=True)[:-1])


def _table(folder: Path) -> tuple[str, bytes]:
    """The tag and the bytes of the table of diagnostics the record beside `folder`'s output names."""
    [path] = folder.glob(".agentc-cache/builds/*.diags")
    return path.name.split(".")[1], path.read_bytes()


# (what the edit does, file, old text, new text): each after the last, most above diagnostics, so their lines move.
_MID_EDITS = [
    ("lines inserted above a diagnostic", "ai-engineer", "## ", "A new line.\n\nAnd another.\n\n## "),
    ("a line removed above it", "ai-engineer", "A new line.\n\n", ""),
    ("a diagnostic added mid-file", "data-engineer", "## Pipeline", "**Delegate to schema-guru**:\n- Schemas\n\n## Pipeline"),
    ("a diagnostic added at the end", "data-scientist", "", "\nHand audits → Delegate to **model-auditor**\n"),
    ("a diagnostic removed", "data-engineer", "**Delegate to schema-guru**:\n- Schemas\n\n", ""),
    ("two files edited", "ai-engineer,data-scientist", "## ", "Moved down.\n\n## "),
]


@pytest.mark.parametrize("flags", [(), ("-q",), ("-v",), ("--statistics",), ("--color", "always"), ("--output-format", "github"),
                                   ("--output-format", "json")], ids=" ".join)
def test_edits_that_move_diagnostics_print_and_store_what_a_build_from_nothing_does(seed_project, flags):
    """A rebuild whose edit moved, added or removed a few files' diagnostics ends with the record's
    with those files' runs replaced (incremental._replaced), stored from the other runs' bytes and
    printed from the other files' parts of the kept report (commands._made): the same exit code,
    streams and files as a build from nothing, and the same table of diagnostics as one with the cache."""
    from agentc import cache

    build = ("build", "agents", "-t", "claude", "--out", "out", *flags)
    assert _cli(*build, cwd=seed_project)[0] == 0
    for what, names, old, new in _MID_EDITS:
        for name in names.split(","):
            path = seed_project / f"agents/{name}.md"
            text = path.read_text(encoding="utf-8")
            assert old in text, what
            path.write_text(text + new if not old else text.replace(old, new, 1), encoding="utf-8")
        done = _cli(*build, cwd=seed_project)
        assert done == _cli(*build, "--no-cache", "--out", "plain", cwd=seed_project), what
        tag, table = _table(seed_project / "out")
        assert not tag.startswith(cache.sha(table)[:20]), what  # named by the runs replaced: not a build from nothing's
        shutil.rmtree(seed_project / "fresh", ignore_errors=True)
        assert _cli(*build, "--out", "fresh", cwd=seed_project) == done, what
        assert _table(seed_project / "fresh")[1] == table, what
        assert {k: v for k, v in tree(seed_project / "out").items() if ".agentc-cache" not in k} == {
            k: v for k, v in tree(seed_project / "fresh").items() if ".agentc-cache" not in k}, what
        assert _cli(*build, cwd=seed_project) == done, what  # a no-op now: the kept report


_FILES = st.sampled_from(["a.md", "b.md", "c.md", "<configuration>"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_DIAGS, max_size=30), st.lists(_DIAGS, max_size=8), st.sets(_FILES, max_size=2), st.booleans(),
       st.sampled_from(["text", "github"]), st.sampled_from([-1, 0, 1]), st.booleans(), st.sampled_from([None, True, False]))
def test_a_few_files_runs_replaced_are_the_merge_and_splice_its_report(recorded, judged, gone, same_graph, fmt, verbosity,
                                                                        color, statistics):
    """incremental._replaced is the merge `rebuild` makes of all the recorded diagnostics, and the
    report commands._made splices from the last one's (its other files' parts as they are) is the
    one made from nothing."""
    from agentc import cache, commands, formats, incremental
    from agentc.compiler.diagnostics import apply_policy

    recorded, judged = apply_policy(recorded), apply_policy(judged)
    data = b"".join(cache._tabled(cache._runs(recorded)))
    last = cache.Recorded(Path("x.record"), "t-" + data[len(cache._HEADER):len(cache._HEADER) + 8].decode(), read=lambda: data,
                          keep=False)
    graph = incremental.GRAPH
    kept = [d for d in recorded if ((d.file not in gone or d.code in graph) if same_graph else (d.file not in gone and d.code not in graph))]
    want = incremental._merged(kept, judged)
    color = color and fmt == "text"
    commands._made(last, "k", fmt, color, verbosity, statistics, "strict")  # the report kept for the last one, in parts
    final = incremental._replaced(last, judged, set(gone), {} if same_graph else None)
    assert final is not None and final.diagnostics() == want
    assert (final is last) == (want == recorded)
    if final is not last:
        assert final.spliced_from("k") is not None
        made = b"".join(commands._made(final, "k", fmt, color, verbosity, statistics, "strict"))
        text = formats.text(want, color, verbosity=verbosity, statistics=statistics) if fmt == "text" else formats.github(want)
        assert made == text.encode()
        assert b"".join(cache._tabled(cache._runs(want))) == b"".join(cache._tabled(final._runs()))


def test_views_a_rebuild_changed_a_few_of_are_named_by_the_change(seed_project):
    """Views a rebuild made from the last ones by giving edited agents new views are named by the
    last ones' tag and the new views (Cache._views_named), not by hashing every view: another
    name than a build from nothing gives the same views, and the next builds read them."""
    from agentc import cache

    assert not build("out").failed
    builds = seed_project / "out/.agentc-cache/builds"
    path = seed_project / "agents/data-engineer.md"
    names = set()
    for text in ("\n\nOne more sentence.\n\n", "\n\nAnd another.\n\n"):
        edit(path, "\n\n", text)  # its delegations move down: a new view
        assert not build("out").failed
        [views] = builds.glob("*.views")
        data = views.read_bytes()
        head, _, crc = views.name.split(".")[1].partition("-")
        assert head != cache.sha(data)[:20] and crc == f"{cache._crc32(data):08x}"
        names.add(views.name)
        want_tree, want_diags = from_nothing(seed_project)
        assert tree(seed_project / "out") == {k.replace("fresh", "out"): v for k, v in want_tree.items()}
    assert len(names) == 2
    again = build("out")
    assert again.cached and again.diagnostics == want_diags


def _team(root: Path) -> None:
    """Two plugins: in alpha a cycle g1 -> g2 -> g3 -> g1 (AGC305 at g1's first edge, AGC308 at each
    agent's) and a chain k1 -> ... -> k7 (AGC307 at k1's edge); in bravo an agent named as one of
    alpha's (AGC306 at it). (Two agents of one name, AGC303, are an error: no build records them.)"""
    agents = {"alpha": {"g1": ["g2", "k7"], "g2": ["g3"], "g3": ["g1", "k6"], "shared": ["k2", "g3"]},
              "bravo": {"shared": ["helper", "g1"], "helper": []}}
    agents["alpha"].update({f"k{n}": [f"k{n + 1}"] if n < 7 else [] for n in range(1, 8)})
    for plugin, named in agents.items():
        folder = root / f"team/plugins/{plugin}/agents"
        folder.mkdir(parents=True)
        for name, delegates in named.items():
            (folder / f"{name}.md").write_text(_agent(name, delegates), encoding="utf-8")


# (file, what is inserted where: above the delegations, between them, after them): each edit after the last.
_GRAPH_EDITS = [(f, where) for f in ("alpha/agents/g1.md", "alpha/agents/g3.md", "alpha/agents/k1.md", "bravo/agents/shared.md") for where in ("above", "between", "after")]


def _insert(path: Path, where: str, n: int) -> None:
    text = path.read_text(encoding="utf-8")
    if where == "above":
        text = text.replace("You are", f"Line {n}.\n\nYou are", 1)
    elif where == "between":  # after the first delegation's line, before the next
        head, sep, rest = text.partition(" → Delegate to ")
        line_end = rest.index("\n") + 1
        text = head + sep + rest[:line_end] + f"- Line {n} stays here\n" + rest[line_end:]
    else:
        text += f"\nLine {n}.\n"
    path.write_text(text, encoding="utf-8")


def test_mid_file_edits_of_agents_holding_graph_diagnostics_keep_the_graph_and_equal_a_build_from_nothing(tmp_path, monkeypatch):
    """A line inserted above, between or after the delegations of an agent that holds a graph-wide
    diagnostic (a cycle's AGC305 and AGC308, a chain's AGC307, a plugin duplicate's AGC306) moves it with its edge or agent (incremental._moved): the same exit code,
    streams, files and table of diagnostics as a build from nothing, and no agent is linked again."""
    from agentc import incremental

    monkeypatch.chdir(tmp_path)
    _team(tmp_path)
    first = _as_from_nothing(tmp_path, "team", ("claude",))
    assert {"AGC305", "AGC306", "AGC307", "AGC308"} <= {d.code for d in first.diagnostics}
    build = ("build", "team", "-t", "claude", "--out", "cli")
    assert _cli(*build, cwd=tmp_path)[0] in (0, 1)
    linked = {}
    for n, (name, where) in enumerate(_GRAPH_EDITS):
        path = tmp_path / "team/plugins" / name
        text = path.read_text(encoding="utf-8")
        _insert(path, where, n)
        assert path.read_text(encoding="utf-8") != text
        calls = _linked_spy(monkeypatch)
        if n % 2:  # the diagnostics made whole, not as the record's with a few runs replaced
            monkeypatch.setattr(incremental, "_replaced", lambda *a: None)
        _as_from_nothing(tmp_path, "team", ("claude",))
        linked[name, where] = calls
        monkeypatch.undo()
        monkeypatch.chdir(tmp_path)
        done = _cli(*build, cwd=tmp_path)
        shutil.rmtree(tmp_path / "plain", ignore_errors=True)
        assert done == _cli(*build, "--no-cache", "--out", "plain", cwd=tmp_path), (name, where)
        shutil.rmtree(tmp_path / "again", ignore_errors=True)
        assert _cli(*build, "--out", "again", cwd=tmp_path) == done, (name, where)
        assert _table(tmp_path / "again")[1] == _table(tmp_path / "cli")[1], (name, where)
        assert tree(tmp_path / "cli") == tree(tmp_path / "plain") == tree(tmp_path / "again"), (name, where)
    assert all(calls == ["relink"] for calls in linked.values()), linked  # each edited agent resolved, none linked
