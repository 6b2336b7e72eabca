"""The build cache's lowered entries read back as the IR and diagnostics that were stored."""

from __future__ import annotations

import dataclasses
import sys

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict

from agentc import codec
from agentc.api import lower
from agentc.compiler.diagnostics import Diagnostic
from agentc.compiler.ir import AgentIR, held_body
from agentc.compiler.source import read_source


def _lowered():
    for path in sorted((ROOT / "agents").rglob("*.md")):
        data = path.read_bytes()
        yield data, *lower(read_source(path.relative_to(ROOT).as_posix(), data, None))


def test_an_entry_reads_back_as_what_was_stored():
    for data, agent, diags in _lowered():
        assert codec.load_entry(codec.dump_entry(agent, diags), data) == (agent, tuple(diags)), agent.file


class _PydanticEntry(BaseModel):
    """The entry as pydantic models it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agent: AgentIR | None
    diagnostics: tuple[Diagnostic, ...]
    body_length: int


def test_the_codec_writes_and_reads_what_pydantic_does():
    """codec.py makes its schema from the IR's annotations; pydantic's own for the same classes
    gives the same bytes and the same values back, so a new field or type cannot drift."""
    for source, agent, diags in _lowered():
        data = codec.dump_entry(agent, diags)
        model = _PydanticEntry(agent=agent, diagnostics=tuple(diags), body_length=codec.utf8_length(agent.body))
        assert data == model.model_dump_json(exclude={"agent": {"body"}}).encode(), agent.file
        assert b'"body"' not in data  # the body comes from the source's bytes
        back = _PydanticEntry.model_validate_json(data.replace(b'"body_line"', b'"body":"","body_line"', 1))
        assert (dataclasses.replace(back.agent, body=agent.body), back.diagnostics) == codec.load_entry(data, source), agent.file


@pytest.mark.parametrize("text", [
    b"---\nname: a\ndescription: d\n---\nline one\n\nline two\n",
    b"\xef\xbb\xbf---\r\nname: a\r\ndescription: d\r\n---\r\nCR LF\r\nlines\r\n",
    b"---\rname: a\rdescription: d\r---\rold Mac\rlines",
    b"---\nname: a\ndescription: d\n---\n",
    b"---\nname: a\ndescription: d\n---",
    b"---\nname: a\ndescription: d\n---\n\n\n   \n",
    "---\nname: a\ndescription: d\n---\n\u00e9\U0001f642 \u2028 x\n\n- [ ] y\u2029z\r\n".encode() + b"w" * 70000,
])
def test_the_body_read_from_the_source_is_the_lowered_one(text):
    src = read_source("a.md", text, None)
    agent, diags = lower(src)
    assert agent is not None
    held = codec.source_body(text, agent.body_line)
    assert (type(held), held) == (type(held_body(agent)), held_body(agent))  # bytes, not decoded, where the agent holds them
    assert (b"\r" not in text) == (type(held) is bytes)
    assert agent.body == "\n".join(src.lines[src.body_start:])  # lower slices the text; it joined the lines
    assert codec.load_entry(codec.dump_entry(agent, diags), text) == (agent, tuple(diags))


# Bytes of a file as they come: line breaks of every kind, a BOM, bytes that are not UTF-8, wide characters.
_SOURCE_PIECES = [b"\n", b"\r\n", b"\r", b"---", b"name: a", b"x", b" ", "\u00e9\u0130\u0131\u017f\u212a".encode(),
                  "\U0001f600".encode(), b"\xff", b"\xc3", b"\xef\xbb\xbf", b"y" * 500]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_SOURCE_PIECES), max_size=30).map(b"".join), st.integers(-2, 40))
def test_the_body_from_the_source_is_the_readers_text_from_that_line(source, body_line):
    """source_body decodes a file without a CR from the body's first byte on: the same text as
    the reader's whole text (`text_of`) sliced at the line."""
    from agentc.compiler.source import body_of, text_of

    held = codec.source_body(source, body_line)
    assert (held if type(held) is str else str(held, "utf-8")) == body_of(text_of(source), body_line)


def test_an_entry_whose_source_gives_another_body_is_refused():
    source, agent, diags = next(_lowered())
    data = codec.dump_entry(agent, diags)
    with pytest.raises(ValueError):
        codec.load_entry(data, source + b"one more line\n")
    assert codec.load_entry(data, source)[0] == agent
    assert codec.load_entry(codec.dump_entry(None, diags), b"") == (None, tuple(diags))


def _unstructured(agent: AgentIR) -> AgentIR:
    """The agent with each codec.STRUCTURE field at its default."""
    fields = {f.name: f for f in dataclasses.fields(AgentIR)}
    return dataclasses.replace(agent, **{n: fields[n].default for n in codec.STRUCTURE})


def test_an_entry_read_without_structure_is_the_agent_with_structure_at_its_defaults():
    assert set(codec.STRUCTURE) < {f.name for f in dataclasses.fields(AgentIR)}
    some = 0
    for data, agent, diags in _lowered():
        light, back = codec.load_entry(codec.dump_entry(agent, diags), data, whole=False)
        assert (light, back) == (_unstructured(agent), tuple(diags)), agent.file
        some += light != agent
    assert some  # the agents had structure to leave out


@pytest.mark.parametrize("whole", [True, False])
@pytest.mark.parametrize("data", [
    b"", b"{}", b"[]", b'{"agent": null}', b'{"agent": null, "diagnostics": [], "body_length": 0, "more": 1}',
    b'{"agent": {"__class__": "os.system"}, "diagnostics": [], "body_length": 0}',
    b'{"agent": null, "diagnostics": [{"code": "AGC301", "severity": "fatal", "file": "a", "line": 1, "col": 1, "message": ""}],'
    b' "body_length": 0}',
])
def test_a_damaged_or_foreign_entry_is_refused(data, whole):
    with pytest.raises(ValueError):
        codec.load_entry(data, b"", whole=whole)


@pytest.mark.parametrize("whole", [True, False])
def test_a_changed_entry_is_refused(whole):
    source, agent, diags = next(_lowered())
    data = codec.dump_entry(agent, diags)
    for damaged in (data[:-3], data.replace(b'"line":', b'"lines":', 1), data.replace(b'"line":', b'"line":"x', 1),
                    data.replace(b'"name":', b'"name":1,"x":', 1)):
        with pytest.raises(ValueError):
            codec.load_entry(damaged, source, whole=whole)


def test_annotation_texts_are_compiled_once_and_their_code_kept(monkeypatch):
    """codec._evaluated compiles an annotation text once, keeping its code (compiler/pycache.py)
    for the next process, which evaluates that code to the same type."""
    import sys
    import types

    from agentc.compiler.pycache import Kept

    kept = Kept("/nonexistent/annotations.marshal", most=8)  # nothing read, nothing written
    monkeypatch.setattr(codec, "_ANNOTATIONS", kept)
    text, module = "tuple[Delegation, ...] | None", "agentc.compiler.ir"
    want = eval(text, vars(sys.modules[module]))  # noqa: S307 - a test's own text
    assert codec._evaluated.__wrapped__(module, text) == want
    code = kept.get(text)
    assert isinstance(code, types.CodeType)
    kept.new.clear()
    kept.known = {text: code}  # as the next process reads it: evaluated, not compiled again
    monkeypatch.setattr(codec, "compile", lambda *a: pytest.fail("compiled again"), raising=False)
    assert codec._evaluated.__wrapped__(module, text) == want


def test_the_schemas_read_each_field_type_as_get_type_hints_does():
    """codec._hints evaluates each annotation text once per module: for every dataclass the
    cache's schemas reach, it gives what typing.get_type_hints gives for its fields."""
    import typing

    todo, seen = [AgentIR, Diagnostic], set()
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        want = typing.get_type_hints(cls, localns={"Field": codec._no_field})
        got = codec._hints(cls)
        assert got == {f.name: want[f.name] for f in dataclasses.fields(cls)}, cls
        for tp in got.values():
            todo += [t for t in (tp, *typing.get_args(tp), *(a for x in typing.get_args(tp) for a in typing.get_args(x)))
                     if isinstance(t, type) and dataclasses.is_dataclass(t)]
    assert len(seen) > 10


class _HelperSchemas(codec._Schemas):
    """codec._Schemas as written with pydantic_core.core_schema's helpers, which codec does not
    import (see native.pydantic_core): the reference its plain dicts are compared with."""

    def of(self, tp):
        import types
        import typing
        from typing import Any, Literal, Union

        from pydantic_core import core_schema as cs

        simple = {Any: cs.any_schema, str: cs.str_schema, bool: cs.bool_schema, int: cs.int_schema, type(None): cs.none_schema}
        if tp in simple:
            return simple[tp]()
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            return self._dataclass(tp)
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin is Literal:
            return cs.literal_schema(list(args))
        if origin in (Union, types.UnionType):
            rest = [a for a in args if a is not type(None)]
            inner = self.of(rest[0]) if len(rest) == 1 else cs.union_schema([self.of(a) for a in rest])
            return cs.nullable_schema(inner) if len(rest) < len(args) else inner
        if origin is tuple:
            return cs.tuple_schema([self.of(args[0])], variadic_item_index=0)
        if origin is dict:
            return cs.dict_schema(self.of(args[0]), self.of(args[1]))
        return cs.list_schema(self.of(args[0]))

    def _dataclass(self, cls):
        from pydantic_core import core_schema as cs

        ref = f"{cls.__module__}.{cls.__qualname__}"
        if ref not in self.definitions:
            self.definitions[ref] = cs.any_schema()
            hints = codec._hints(cls)
            fields = []
            for f in dataclasses.fields(cls):
                schema = self.of(hints[f.name])
                if (cls, f.name) in self.unstored:
                    fields.append(cs.dataclass_field(f.name, cs.with_default_schema(schema, default=""),
                                                     kw_only=f.kw_only is True, serialization_exclude=True))
                    continue
                if f.default is not dataclasses.MISSING:
                    schema = cs.with_default_schema(schema, default=f.default)
                elif f.default_factory is not dataclasses.MISSING:
                    schema = cs.with_default_schema(schema, default_factory=f.default_factory)
                fields.append(cs.dataclass_field(f.name, schema, kw_only=f.kw_only is True))
            self.definitions[ref] = cs.dataclass_schema(
                cls, cs.dataclass_args_schema(cls.__name__, fields), [f.name for f in dataclasses.fields(cls)],
                slots="__slots__" in vars(cls), config={"extra_fields_behavior": "forbid", "strict": self.strict}, ref=ref)
        return cs.definition_reference_schema(ref)

    def done(self, schema):
        from pydantic_core import core_schema as cs

        return cs.definitions_schema(schema, list(self.definitions.values()))


@pytest.mark.parametrize("strict", [False, True])
def test_the_schemas_are_what_core_schemas_helpers_make(strict):
    """codec writes each schema as the dict pydantic_core.core_schema's helper returns, without
    importing that module: the entry's and the record's types, made both ways, are equal."""
    from pydantic_core import core_schema as cs

    unstored = frozenset({(AgentIR, "body")})
    ours, theirs = codec._Schemas(unstored, strict=strict), _HelperSchemas(unstored, strict=strict)
    for tp in (AgentIR | None, tuple[Diagnostic, ...], list[Diagnostic], dict[str, list[int]], int | str | None):
        assert ours.of(tp) == theirs.of(tp), tp
    assert ours.definitions == theirs.definitions and len(ours.definitions) > 10
    assert ours.done({"type": "int"}) == theirs.done(cs.int_schema())
    fields = {"agent": {"type": "int"}, "diagnostics": {"type": "str"}}
    assert codec._typed_dict(fields, "forbid") == cs.typed_dict_schema(
        {k: cs.typed_dict_field(v) for k, v in fields.items()}, extra_behavior="forbid")


def test_the_codec_loads_only_the_compiled_module_of_pydantic_core():
    """codec takes SchemaSerializer and the rest from pydantic-core's compiled module alone, and
    only when first asked (making the schemas and the diagnostics' tables never asks);
    a later `import pydantic_core` (pydantic's, here) finds that same module. A subprocess: this
    one has imported pydantic already."""
    import subprocess
    import sys

    shown = "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core', 'typing_extensions')));"
    code = ("import sys; from agentc import codec; codec._entry(); codec.load_diagnostics(codec.diagnostics_table([]));"
            f"{shown} codec.SchemaValidator; {shown}"
            "import pydantic_core, pydantic; print(pydantic_core.SchemaValidator is codec.SchemaValidator)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["[]", "['pydantic_core._pydantic_core']", "True"]


def test_the_code_fingerprint_covers_the_built_c_modules(tmp_path):
    """A C module rebuilt from changed C changes what a file lowers to while no .py file changes:
    the cache key (code_fingerprint) hashes the built modules with the code and templates."""
    from importlib.machinery import EXTENSION_SUFFIXES

    from agentc.cache import _code_files

    built = f"_mentions{EXTENSION_SUFFIXES[0]}"
    for name in ("a.py", "t/b.j2", built, "notes.txt", "__pycache__/a.cpython-311.pyc"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    assert [rel for rel, _ in _code_files(str(tmp_path))] == sorted([built, "a.py", "t/b.j2"])


def _walked(folder: str) -> list[tuple[str, str]]:
    """_code_files as os.walk and os.path.relpath gave it (its reference)."""
    import os
    from importlib.machinery import EXTENSION_SUFFIXES

    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if name.endswith((".py", ".j2", ".json", ".toml", ".yaml", *EXTENSION_SUFFIXES)):
                path = os.path.join(root, name)
                found.append((os.path.relpath(path, folder).replace(os.sep, "/"), path))
    return sorted(found)


def test_the_code_files_are_what_os_walk_finds(tmp_path):
    import os

    import agentc.compiler
    import agentc.targets
    from agentc.cache import _code_files

    for pkg in (agentc, agentc.compiler, agentc.targets):
        for folder in pkg.__path__:
            assert _code_files(folder) == _walked(folder) != []
    for name in ("a.py", "é/🙂.py", "d/e/f.yaml", "d/__pycache__/x.py", "d/e/notes.md", "other/g.py"):
        (tmp_path / "t" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "t" / name).write_bytes(b"x")
    os.symlink(tmp_path / "t" / "other", tmp_path / "t" / "linked")  # listed by os.walk, not entered
    os.symlink(tmp_path / "t" / "a.py", tmp_path / "t" / "b.py")
    os.symlink(tmp_path / "nowhere.py", tmp_path / "t" / "broken.py")
    os.mkdir(tmp_path / "t" / "closed")
    (tmp_path / "t" / "closed" / "c.py").write_bytes(b"x")
    assert _code_files(str(tmp_path / "t")) == _walked(str(tmp_path / "t"))
    assert [rel for rel, _ in _code_files(str(tmp_path / "t"))] == [
        "a.py", "b.py", "broken.py", "closed/c.py", "d/e/f.yaml", "other/g.py", "é/🙂.py"]
    assert _code_files(str(tmp_path / "missing")) == []


def test_the_code_fingerprint_is_kept_by_the_stats_of_settled_files(tmp_path, monkeypatch):
    """The next process takes the fingerprint by the code files' stats; a file written since (a
    new stat) is hashed again, and a file written too recently to trust its stat is not kept."""
    import os

    from agentc import cache
    from agentc.compiler.pycache import Kept

    code = tmp_path / "code"
    code.mkdir()
    (code / "a.py").write_bytes(b"one")
    old = 1_000_000_000 * 1_000_000_000  # 2001
    os.utime(code / "a.py", ns=(old, old))
    monkeypatch.setattr(cache, "_code_files", lambda folder: [("a.py", str(code / "a.py"))])
    kept = Kept(str(tmp_path / "code.marshal"), most=16)
    monkeypatch.setattr(cache, "_FINGERPRINTS", kept)

    def fresh() -> str:
        monkeypatch.setattr(cache, "_CODE", None)
        return cache.code_fingerprint()

    monkeypatch.setattr(cache, "RACY_NS", 0)  # this file's ctime is now: trusted once the clock moved
    first = fresh()
    assert list(kept.new.values()) == [first]
    kept.new = {key: "kept" for key in kept.new}
    assert fresh() == "kept"  # same stats: not hashed again
    (code / "a.py").write_bytes(b"three")  # an edit; its mtime set back changes nothing
    os.utime(code / "a.py", ns=(old, old))
    second = fresh()
    assert second not in ("kept", first)
    kept.new = {}
    monkeypatch.setattr(cache, "RACY_NS", 10**18)  # every stat too recent to trust
    assert fresh() == second and kept.new == {}


@pytest.mark.parametrize("data", [b"", b"---\nname: a\n---\nbody \xf0\x9f\x99\x82\r\n", b"x" * (1 << 20) + b"\xff"])
def test_read_with_stat_is_stat_of_then_the_bytes(tmp_path, data):
    from agentc.cache import read_with_stat, stat_of

    path = tmp_path / "a.md"
    path.write_bytes(data)
    assert read_with_stat(path) == (stat_of(path), data)
    assert read_with_stat(str(path)) == (stat_of(path), data)
    with pytest.raises(OSError):
        read_with_stat(tmp_path / "gone.md")


def test_graphviz_is_in_the_build_key_of_the_diagram_target_alone(tmp_path, monkeypatch):
    """Installing Graphviz changes the diagram target's SVG and nothing else: only a build with
    that target is keyed by where `dot` is (so a claude build needs no PATH search, nor shutil)."""
    import os

    from agentc.cache import build_key

    def keys() -> tuple[str, str]:
        return build_key("{}", ["claude"], ["/out"]), build_key("{}", ["claude", "diagram"], ["/out"])

    monkeypatch.setenv("PATH", str(tmp_path))
    without = keys()
    dot = tmp_path / "dot"
    dot.write_text("#!/bin/sh\n")
    os.chmod(dot, 0o755)
    with_dot = keys()
    assert with_dot[0] == without[0] and with_dot[1] != without[1]


def test_build_files_read_back_only_whole_and_from_this_python():
    """The record, views and diagnostics files (cache._marshalled): what was stored reads back;
    a file cut short, with a byte changed, of another format or another Python's marshal, or an
    older cache's JSON is a ValueError (a full build), never a crash or another value."""
    from agentc import cache

    value = {"key": "k", "sources": [["a.md", [1, 2, 3, 4], "ff"]], "scopes": [None], "views": "t-0",
             "text": "é 😀 İ ı ſ \u212a\r\n" * 100, "big": 1 << 70, "rows": list(range(-1, 3000))}
    data = cache._marshalled(value)
    assert cache._unmarshalled(data) == value
    header = cache._HEADER
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x01
    other = header.replace(f" {sys.hexversion:x}\n".encode(), b" 30b00f0\n")
    assert other != header
    for bad in (b"", header, data[:-1], data[:len(header) + 5], bytes(flipped), other + data[len(header):],
                data.replace(b"agentc build", b"agentc other", 1), b'{"key":"k","format":5}', data[len(header):]):
        with pytest.raises(ValueError):
            cache._unmarshalled(bad)


@pytest.mark.parametrize("damage", ["old-json", "other-python", "cut"])
def test_a_record_of_another_format_or_damaged_is_a_full_build(seed_project, damage):
    """A record left by an older agentc (JSON), by another Python, or cut short: the build
    is a full one, with the result of a build from nothing."""
    import json

    from agentc import cache
    from agentc.compiler.options import BuildOptions
    from agentc.runner import run

    def build(out, **extra):
        return run(BuildOptions(sources=("agents",), targets=("claude",), out=out, **extra), "write")

    assert not build("out").failed
    record = next((seed_project / "out/.agentc-cache/builds").glob("*.record"))
    data = record.read_bytes()
    if damage == "old-json":
        record.write_text(json.dumps({**cache._unmarshalled(data), "format": 5}), encoding="utf-8")
    elif damage == "other-python":
        record.write_bytes(cache._HEADER.replace(b"agentc build", b"agentc build 0", 1) + data[len(cache._HEADER):])
    else:
        record.write_bytes(data[:len(data) // 2])
    path = seed_project / "agents/data-engineer.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    done = build("out")
    fresh = build("fresh", cache=False)
    assert not done.failed and not done.cached and done.diagnostics == fresh.diagnostics
    assert [p.name for p in (seed_project / "out/.agentc-cache/builds").glob("*.record")] == [record.name]
    assert build("out").cached  # and the record written anew serves the next build


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=5000), max_size=6), st.integers(0, 2 * 256 * 1024))
def test_sha_is_sha256_by_either_module(parts, hashed_before):
    """cache.sha and writer._sha give hashlib's sha256 whichever module makes it: the builtin
    one for a process's first 256 KB, OpenSSL's after (`hashed_before` sets where a process is)."""
    import hashlib
    import zlib

    from agentc import cache, writer

    data, kept = b"".join(parts), cache._hashed
    try:
        cache._hashed = hashed_before
        assert cache.sha(data) == hashlib.sha256(data).hexdigest()
        cache._hashed = hashed_before
        assert writer._digest(tuple(parts)) == f"{zlib.crc32(data):08x}" == cache.output_digest(data)
    finally:
        cache._hashed = kept


def test_new_sha_switches_to_openssl_past_the_first_256_kb(monkeypatch):
    import hashlib

    from agentc import cache

    monkeypatch.setattr(cache, "_hashed", 0)
    small = cache.new_sha(1000)
    if cache._builtin:  # a Python with its own sha256 module (CPython's default build)
        assert type(small) is not type(hashlib.sha256())
    big = cache.new_sha(256 * 1024)
    assert type(big) is type(hashlib.sha256())
    assert cache._hashed == 1000 + 256 * 1024



@pytest.mark.parametrize("whole", [True, False])
def test_the_entry_plans_are_the_schemas(whole):
    """codec._entry's plans come from the IR's classes, not its schema (not made to write an
    entry): for every dataclass the schema reaches, the same fields in the same order, each
    through the same slot and key; the schema is made only when asked for."""
    made = codec._entry_plans(whole)
    from_schema = codec._Made(lambda: codec._entry_schema(whole)).plans
    assert len(from_schema) > 10 and from_schema.items() <= made.items()
    assert {c.__name__ for c in set(made) - set(from_schema)} <= {"Edge"}  # in the IR, never in an entry
    fresh = codec._Made(lambda: pytest.fail("the schema was made"), made)
    assert fresh.plans is made


@pytest.mark.parametrize("short", [0, 1, 5, 9, 10_000])
def test_chunks_reach_the_file_whole_when_writev_writes_less(tmp_path, monkeypatch, short):
    """cache._write_chunks: one writev a batch; what a short write left is written after it, in order."""
    import os

    from agentc import cache

    chunks = [b"abc", b"", memoryview(b"0123456789")[2:], bytearray(b"xyz"), b"end"] * 300  # more than one batch
    real = os.writev
    monkeypatch.setattr(os, "writev", lambda fd, bufs: real(fd, [bytes(b"".join(bufs))[:short]]) if short < 10_000 else real(fd, bufs))
    assert cache._store_chunks(tmp_path / "f", chunks)
    assert (tmp_path / "f").read_bytes() == b"".join(bytes(c) for c in chunks)
