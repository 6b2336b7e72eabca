"""The build record hashes only the outputs whose stat it cannot trust yet (written within
RACY_NS of the record); a later change of another output's stat is a change, never "unchanged"."""

from __future__ import annotations

import hashlib
import os
import time
import zlib
from pathlib import Path

import pytest

from agentc import cache, runner, writer
from agentc.cache import Cache
from agentc.compiler.options import BuildOptions


def options() -> BuildOptions:
    return BuildOptions(sources=("agents",), targets=("claude", "diagram"), out="out")


def build() -> runner.Outcome:
    done = runner.run(options())
    assert not done.failed
    return done


def outputs() -> dict[str, str | None]:
    """path -> digest of the record's output entries."""
    record = Cache(options().cache_folder()).load_record([os.path.abspath("out")])
    return {path: digest for path, _, digest in record["outputs"]}


def sha(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def crc(data: bytes) -> str:
    """An output's digest: its CRC32 (cache.output_digest)."""
    return f"{zlib.crc32(data):08x}"


def test_settled_outputs_get_no_digest_and_a_changed_stat_rebuilds(seed_project, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)  # every output is settled when the record is made
    build()
    recorded = outputs()
    assert recorded and set(recorded.values()) == {None}
    assert build().cached
    some = seed_project / "out/claude/.claude/agents/ml-engineer.md"
    before = some.read_bytes()
    st = some.stat()
    os.utime(some, ns=(st.st_atime_ns, st.st_mtime_ns - 10**9))  # the same bytes, another stat
    again = build()
    assert not again.cached and not again.changes  # a full build, which found nothing to write
    assert some.read_bytes() == before
    assert build().cached  # the record has the new stat


def test_an_edited_settled_output_is_rewritten(seed_project, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)
    build()
    some = seed_project / "out/claude/.claude/agents/ml-engineer.md"
    before = some.read_bytes()
    some.write_bytes(before.replace(b"a", b"b", 1))
    again = build()
    assert not again.cached and ("stale", "out/claude/.claude/agents/ml-engineer.md") in again.changes
    assert some.read_bytes() == before


def test_racy_outputs_get_the_digest_of_what_was_produced(seed_project, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 10**18)  # no stat is ever trusted: every output is hashed
    build()
    recorded = outputs()
    assert recorded and all(digest == crc(Path(path).read_bytes()) for path, digest in recorded.items())
    some = seed_project / "out/claude/.claude/agents/ml-engineer.md"
    os.utime(some, ns=(0, 10**9))  # another stat, the same bytes: the digest says unchanged
    assert build().cached
    some.write_bytes(some.read_bytes() + b"edited\n")
    assert ("stale", "out/claude/.claude/agents/ml-engineer.md") in build().changes


def test_an_incremental_rebuild_keeps_the_entries_it_left_alone(seed_project, monkeypatch):
    monkeypatch.setattr(cache, "RACY_NS", 0)
    build()
    first = outputs()
    agent = seed_project / "agents/data-engineer.md"
    agent.write_text(agent.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    build()
    second = outputs()
    assert set(second) == set(first) and set(second.values()) == {None}
    assert build().cached


def test_unchanged_counts_a_missing_digest_as_a_change_only_when_the_stat_changed(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x")
    stat = cache.stat_of(path)
    later = time.time_ns() + 10 * cache.RACY_NS
    assert cache.unchanged([[str(path), stat, None]], later)
    assert not cache.unchanged([[str(path), [*stat[:1], stat[1] - 1, *stat[2:]], None]], later)
    assert not cache.unchanged([[str(path), stat, None]], stat[1])  # racy: a digest is needed
    assert cache.unchanged([[str(path), stat, crc(b"x")]], stat[1])
    assert not cache.unchanged([[str(path), stat, crc(b"y")]], stat[1])
    assert cache.unchanged([[str(path), stat, sha(str(path))]], stat[1])  # a record's sha256 of before
    assert not cache.unchanged([[str(path), stat, 7]], stat[1])  # a damaged digest


def stage(tmp_path, racy: int) -> writer.Stage:
    return writer.Stage(tmp_path, ("",), racy=racy)


def test_a_stage_holds_recent_files_and_drops_settled_ones_unhashed(tmp_path):
    s = stage(tmp_path, racy=10**9)
    now = time.time_ns()
    s._hold("old", (b"a",), now - 2 * 10**9)  # settled already: neither held nor hashed
    s._hold("new", (b"b", b"c"), now)
    assert s.digest("old") is None
    assert s.digest("new") == crc(b"bc")
    s.order[0] = (now - 2 * 10**9, "new")  # as if "new" had been written long ago
    s._hold("next", (b"d",), time.time_ns())
    assert s.digest("new") is None and "new" not in s.recent  # dropped when it settled
    assert s.held == 1


def test_a_stage_hashes_a_file_from_the_future_at_once_and_the_oldest_past_its_limit(tmp_path, monkeypatch):
    s = stage(tmp_path, racy=10**9)
    s._hold("ahead", (b"x",), time.time_ns() + 3600 * 10**9)
    assert s.digests["ahead"] == crc(b"x") and "ahead" not in s.recent
    monkeypatch.setattr(writer, "HELD", 3)
    for name in "abc":
        s._hold(name, (name.encode() * 2,), time.time_ns())
    assert list(s.recent) == ["c"] and s.held == 2  # a and b hashed to stay within 3 bytes
    for name in "abc":
        assert s.digest(name) == crc(name.encode() * 2)


def test_the_stat_of_a_file_written_into_a_twin_is_its_stat_in_place(tmp_path):
    """The record takes it from the write (Stage.stats): renaming the twin folder changes none
    of its files' stats, where renaming a file changes its ctime."""
    s = writer.Stage(tmp_path, ("claude", "openai"), racy=10**8)
    (tmp_path / "openai").mkdir()  # there: its file gets a temp file and a rename of its own
    s.add({"claude/a/f.md": "one\n", "claude/g.md": "two\n", "openai/h.md": "three\n"}, write=True)
    s.finish()
    s.commit()
    assert sorted(s.stats) == ["claude/a/f.md", "claude/g.md"]
    for rel, stat in s.stats.items():
        assert stat == cache.stat_of(tmp_path / rel)


def test_a_stage_without_racy_holds_nothing(tmp_path):
    s = writer.Stage(tmp_path, ("",))
    s.add({"a.md": "text\n"}, write=True)
    s.finish()
    s.commit()
    assert not s.recent and not s.digests and (tmp_path / "a.md").read_text(encoding="utf-8") == "text\n"


@pytest.mark.parametrize("data", [b"", b"x", "h\u00e9llo \U0001f642\r\nCRLF\r\n".encode(), b"\0\xff" * 3, b"y" * (3 << 20)])
def test_read_is_the_bytes_and_mtime_of_the_file(tmp_path, data):
    path = tmp_path / "f"
    path.write_bytes(data)
    assert writer._read(str(path)) == (data, os.stat(path).st_mtime_ns)


def test_read_of_no_file_or_a_folder_is_none(tmp_path):
    assert writer._read(str(tmp_path / "missing")) == (None, 0)
    assert writer._read(str(tmp_path)) == (None, 0)


def test_the_manifest_is_written_settled_and_an_edit_of_it_is_a_change(seed_project):
    """Written last, within RACY_NS of the record, its time is set back: the record trusts its
    stat (nothing to read and hash on the next no-op), and an edit of it is still a change."""
    build()
    manifest = seed_project / "out" / writer.MANIFEST
    assert outputs()[f"out/{writer.MANIFEST}"] is None
    assert manifest.stat().st_mtime_ns < time.time_ns() - 10**9
    assert build().cached
    text = manifest.read_bytes()
    assert text.endswith(b"\n")
    manifest.write_bytes(text[:-1] + b" ")  # the same size, valid JSON: only its stat tells
    again = build()
    assert not again.cached and manifest.read_bytes() == text
    assert build().cached


def _racy_then_older(monkeypatch) -> list[Path]:
    """A cold build whose every output is too recent to trust (digest kept); then each claude
    output's mtime set 10 s back (the same bytes, a stat the record cannot trust), RACY_NS as usual."""
    monkeypatch.setattr(cache, "RACY_NS", 10**18)
    build()
    monkeypatch.setattr(cache, "RACY_NS", 10**8)
    recorded = {Path(path): digest for path, digest in outputs().items()}
    assert recorded and None not in recorded.values()
    files = sorted(recorded)
    for f in files:
        st = f.stat()
        os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns - 10 * 10**9))
    return files


def _record_file(seed_project: Path) -> Path:
    return Cache(options().cache_folder())._record_path([os.path.abspath("out")])


def test_a_no_op_settles_the_outputs_it_verified_and_later_builds_read_none(seed_project, monkeypatch):
    files = _racy_then_older(monkeypatch)
    assert build().cached  # a no-op: every output read and found the same, then recorded settled
    recorded = outputs()
    assert all(recorded[str(f)] is None for f in files)
    record = _record_file(seed_project)
    before = record.stat().st_mtime_ns, record.stat().st_ino

    def unread(*_):
        raise AssertionError("an output was read")

    monkeypatch.setattr(cache, "output_digest", unread)
    assert runner.run(options(), "check").cached
    assert build().cached
    assert (record.stat().st_mtime_ns, record.stat().st_ino) == before  # nothing to settle: not written again


def test_check_and_dry_run_verify_but_never_settle(seed_project, monkeypatch):
    _racy_then_older(monkeypatch)
    record = _record_file(seed_project)
    before = record.read_bytes()
    for mode in ("check", "dry-run"):
        assert runner.run(options(), mode).cached
    assert record.read_bytes() == before


def test_an_edit_of_a_settled_output_is_still_noticed_and_rewritten(seed_project, monkeypatch):
    files = _racy_then_older(monkeypatch)
    assert build().cached
    some = next(f for f in files if f.suffix == ".md")
    text = some.read_bytes()
    some.write_bytes(text.replace(b"a", b"b", 1))  # the same size, a new mtime
    assert text != some.read_bytes()
    shown = some.as_posix()
    assert not runner.run(options(), "check").cached
    again = build()
    assert not again.cached and ("stale", shown) in again.changes
    assert some.read_bytes() == text


def test_a_racy_output_edited_before_the_no_op_is_noticed(seed_project, monkeypatch):
    files = _racy_then_older(monkeypatch)
    some = next(f for f in reversed(files) if f.suffix == ".md")
    text = some.read_bytes()
    some.write_bytes(text.replace(b"a", b"b", 1))
    shown = some.as_posix()
    again = build()
    assert not again.cached and ("stale", shown) in again.changes
    assert some.read_bytes() == text
    assert build().cached


def test_settled_marks_only_verified_entries_older_than_racy_before_the_check(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    for f in (old, new):
        f.write_bytes(b"x")
    now = time.time_ns()
    os.utime(old, ns=(now - 10**10, now - 10**10))
    entries = [[str(f), cache.stat_of(f), crc(b"x")] for f in (old, new)]
    recorded = now - 10**11  # before both files' mtimes: neither stat is trusted
    out = cache.settled(entries, recorded, time.time_ns())
    assert out is not entries and out[0] == [str(old), cache.stat_of(old), None]
    assert out[1] == entries[1]  # too recent still: its digest stays
    assert cache.settled(entries, recorded, now - 10**11) is entries  # nothing older than the check: as recorded
    assert cache.settled([[str(new), cache.stat_of(new), crc(b"y")]], recorded, now) is None
