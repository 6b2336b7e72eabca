"""Fixed costs an every-target build skips: the Jinja bytecode cache (targets/_shared/render.py)
changes speed only, never the output; shipped modules copied as they are are compiled here, not
by each build (agentc/validate.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jinja2

from agentc.targets._shared import render

ROOT = Path(__file__).resolve().parents[1]
TEMPLATED = ("claude-sdk", "crewai", "langgraph")  # the targets that render templates


def _build(out: Path, tmpdir: Path) -> dict[str, bytes]:
    """Every file of a fresh process's templated build of seed-team, Jinja's temp folder under
    `tmpdir` (Jinja's default cache folder is TMPDIR/_jinja2-cache-UID)."""
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    targets = [arg for t in TEMPLATED for arg in ("-t", t)]
    done = subprocess.run([sys.executable, "-m", "agentc", "build", str(ROOT / "agents" / "seed-team"), *targets,
                           "--out", str(out), "--no-cache", "-q"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _cache_folder(tmpdir: Path) -> Path:
    return tmpdir / f"_jinja2-cache-{os.getuid()}"


def test_cold_warm_and_no_cache_builds_are_byte_identical(tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    cold = _build(tmp_path / "cold", tmpdir)
    cached = sorted(p.name for p in _cache_folder(tmpdir).iterdir())
    assert len(cached) == 7 and all(n.startswith("agentc-") for n in cached)  # the 7 templates
    warm = _build(tmp_path / "warm", tmpdir)
    # No cache: Jinja refuses a cache "folder" that is a file (RuntimeError: no safe folder).
    unsafe = tmp_path / "unsafe"
    unsafe.mkdir()
    _cache_folder(unsafe).write_text("not a folder")
    uncached = _build(tmp_path / "uncached", unsafe)
    assert cold and cold == warm == uncached


def test_a_folder_that_cannot_be_used_only_costs_speed(tmp_path):
    source = "{% for x in xs %}\n  {{ x | pystr }}\n{% endfor %}\n"
    plain = jinja2.Environment(**render.OPTIONS)
    plain.filters["pystr"] = str
    expected = plain.from_string(source).render(xs=["a", "b"])
    missing = render._BytecodeCache(str(tmp_path / "missing"))  # writing a temp there fails
    loader = jinja2.DictLoader({"t.j2": source})
    env = jinja2.Environment(loader=loader, bytecode_cache=missing, **render.OPTIONS)
    env.filters["pystr"] = str
    assert env.get_template("t.j2").render(xs=["a", "b"]) == expected
    assert not (tmp_path / "missing").exists()


def test_a_damaged_cache_file_is_compiled_again(tmp_path):
    loader = jinja2.DictLoader({"t.j2": "{{ 1 + 1 }}\n"})
    cache = render._BytecodeCache(str(tmp_path))
    jinja2.Environment(loader=loader, bytecode_cache=cache, **render.OPTIONS).get_template("t.j2")
    (stored,) = tmp_path.iterdir()
    stored.write_bytes(stored.read_bytes()[:20])  # cut short
    env = jinja2.Environment(loader=loader, bytecode_cache=cache, **render.OPTIONS)
    assert env.get_template("t.j2").render() == "2\n"


def test_the_cache_files_are_named_by_jinja_version_and_options():
    cache = render.bytecode_cache()
    assert cache is not None  # this machine's temp folder is usable
    assert cache.pattern.startswith("agentc-") and cache.pattern.endswith("-%s.cache")
    assert render.environment("crewai").bytecode_cache is cache


def test_every_shipped_module_compiles():
    """A build does not compile a generated module that is a shipped one as it is (validate's
    is_shipped): this test does, for every shipped module."""
    from agentc.targets._shared.shipped import TARGETS, is_shipped, shipped

    modules = sorted(p for folder in ("static", "package", "runtime") for p in TARGETS.glob(f"*/{folder}/*.py"))
    assert len(modules) >= 15
    for path in modules:
        text = shipped(*path.relative_to(TARGETS).parts)
        compile(text, str(path), "exec", dont_inherit=True)
        assert is_shipped(text) and not is_shipped(text + "\n")


def test_validate_still_compiles_a_changed_copy():
    from agentc.targets._shared.shipped import shipped
    from agentc.validate import validate_files

    text = shipped("_shared", "runtime", "observe.py")
    assert validate_files("x", {"a/observe.py": text}) == []
    broken = validate_files("x", {"a/observe.py": text + "\ndef (\n"})
    assert [d.code for d in broken] == ["AGC902"]
