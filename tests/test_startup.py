"""What the command imports, read from `python -X importtime` (correctness, not timing).

A claude-only build must not load black, libcst, Jinja or any framework target; `--version`
must not load typer, pydantic or the compiler; `check` builds nothing, so it loads no target.
A subprocess each, as the modules loaded by this test process would hide the command's own.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORKS = ("langgraph", "langchain", "langchain_core", "openai", "agents", "crewai", "claude_agent_sdk")
FORMATTERS = ("black", "libcst", "jinja2")


def imported(*args: str, cwd: Path = ROOT) -> set[str]:
    """Every module `python -X importtime -m agentc ARGS` imported (its exit code must be 0)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "agentc", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":  # the header line
                names.add(name)
    assert "agentc" in names  # the parse found the modules at all
    return names


def _top(names: set[str], tops: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if n.split(".")[0] in tops)


def test_claude_only_build_imports_no_formatter_nor_framework_target(tmp_path):
    names = imported("build", str(ROOT / "agents" / "seed-team"), "-t", "claude", "--out", str(tmp_path / "out"))
    assert _top(names, FORMATTERS) == []
    assert _top(names, FRAMEWORKS) == []
    # importlib.import_module (the registry's way in) is not logged by -X importtime, so the
    # target's own name may be missing; every `import` it makes is logged. (test_layout checks
    # sys.modules after the same build.)
    assert [n for n in names if n.startswith("agentc.targets.") and n != "agentc.targets.claude"] == []


def test_a_build_and_its_rebuilds_never_import_inspect(tmp_path, monkeypatch):
    """dataclasses imports inspect and copy for what a build never asks of them (agentc.entry._defer_inspect,
    _defer_copy).
    With the C modules: in pure Python the cache's writer is pydantic-core's, whose package
    imports typing_extensions, which reads inspect."""
    from conftest import native_or_skip

    from agentc.compiler import native

    native_or_skip(lambda: native.load("_codec", "dump", package="agentc"), "_codec")
    monkeypatch.delenv("AGENTC_PURE_PYTHON", raising=False)
    for _ in range(2):  # a build, then a no-op
        names = imported("build", str(ROOT / "agents" / "seed-team"), "-t", "claude", "--out", str(tmp_path / "out"))
        assert _top(names, ("inspect", "ast", "dis", "tokenize", "copy", "weakref")) == []


def test_version_imports_neither_typer_nor_pydantic_nor_the_compiler():
    names = imported("--version")
    assert _top(names, ("typer", "click", "pydantic", "pydantic_core", "yaml", "jinja2")) == []
    assert sorted(n for n in names if n.startswith("agentc.")) == ["agentc.entry"]
    # nor typing: agentc/__init__.py extends its __path__ without pkgutil, which imported it (~18M instructions)
    assert _top(names, ("typing", "pkgutil")) == []


def test_the_package_path_is_what_pkgutil_extend_path_makes(tmp_path, monkeypatch):
    """agentc/__init__.py's `_extended` gives the __path__ pkgutil.extend_path gives, for a sys.path
    holding a regular package, a namespace folder, a module, a module beside a folder, a file,
    a missing folder, the working folder ("") and one folder twice."""
    import pkgutil

    import agentc

    for folder, files in {"a": ["agentc/__init__.py"], "b": ["agentc/x.txt"], "c": ["agentc.py"],
                          "d": ["agentc.py", "agentc/y.txt"], "e": []}.items():
        (tmp_path / folder).mkdir()
        for name in files:
            (tmp_path / folder / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / folder / name).write_text("", encoding="utf-8")
    entries = [str(tmp_path / f) for f in "abcde"] + [str(tmp_path / "e" / "missing"), str(tmp_path / "a"), "", str(tmp_path / "f.zip")]
    (tmp_path / "f.zip").write_bytes(b"not a zip")
    monkeypatch.setattr(sys, "path", entries + sys.path)
    monkeypatch.setattr(sys, "path_importer_cache", dict(sys.path_importer_cache))
    start = [str(tmp_path / "own")]
    extended = agentc._extended(start, "agentc")
    assert extended == pkgutil.extend_path(start, "agentc")
    assert extended[:3] == [str(tmp_path / "own"), str(tmp_path / "a" / "agentc"), str(tmp_path / "b" / "agentc")]


def test_check_imports_no_target(tmp_path):
    names = imported("check", str(ROOT / "agents" / "seed-team"))
    assert _top(names, FORMATTERS + FRAMEWORKS) == []
    assert sorted(n for n in names if n.startswith("agentc.targets.")) == []


def test_pydantic_loads_only_for_the_edges(tmp_path):
    """pydantic (~50 ms to import, more to build a schema) makes `ir --json` and `schema`; a
    build without the cache and `check` never need it (nor does the CLI's parsing: typer is
    capped below the version that validates options with pydantic). The cache reads and writes
    its JSON through pydantic-core (agentc/codec.py): a cold build, a no-op build and a rebuild
    after an edit load no pydantic, and a no-op build not even the pydantic_core package."""
    seed = str(ROOT / "agents" / "seed-team")
    for args in (("check", seed), ("build", seed, "-t", "claude", "--out", str(tmp_path / "out"), "--no-cache")):
        assert _top(imported(*args), ("pydantic", "pydantic_core")) == [], args
    # -j 2 (an option with bounds) neither: its workers send cache entries, through pydantic-core
    pooled = imported("build", seed, "-t", "claude", "--out", str(tmp_path / "pooled"), "--no-cache", "-j", "2")
    assert _top(pooled, ("pydantic",)) == []
    # nor a config file's tables and numbers (tests/test_options.py: they come out as pydantic makes them)
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[tool.agentc]\ntimeout_s = 30\nsvg_timeout_s = 2.5\nmax_rpm = 60\nfallback_models = { gpt = ["a"] }\n'
        '[tool.agentc.per_file_ignores]\n"x.md" = ["AGC301"]\n[tool.agentc.out_dirs]\nclaude = "c"\n', encoding="utf-8")
    configured = imported("build", seed, "-t", "claude", "--out", str(tmp_path / "configured"), "--no-cache", cwd=project)
    assert _top(configured, ("pydantic", "pydantic_core")) == []
    agents = tmp_path / "agents"
    shutil.copytree(seed, agents)
    cached = ("build", str(agents), "-t", "claude", "--out", str(tmp_path / "cached"))
    for step in ("cold", "no-op", "edit"):
        if step == "edit":
            first = sorted(agents.glob("*.md"))[0]
            first.write_text(first.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        names = imported(*cached)
        assert _top(names, ("pydantic",)) == [], step
        assert "shutil" not in names, step  # only the diagram target's key looks for Graphviz (cache.environment)
        if step == "no-op":  # it prints the report kept for the record's diagnostics (cache.Recorded): no table
            # read, so not even pydantic-core's compiled module (native.pydantic_core)
            assert "agentc.codec" not in names and _top(names, ("pydantic_core",)) == [], step
        else:  # writing an entry imports the package (its serializer looks up pydantic_core.MISSING)
            assert "agentc.codec" in names, step


def test_plain_frontmatter_builds_and_rebuilds_without_yaml(tmp_path):
    """Frontmatter of plain `key: value` lines is read (compiler/frontmatter.py) and written and
    checked by the claude target (compiler/plainscalar.py) without PyYAML: ~8% of a one-edit
    rebuild of 1000 agents was importing it. A list value brings it back, where it is needed."""
    agents = tmp_path / "agents"
    agents.mkdir()
    for name, model in (("alpha", "sonnet"), ("beta", "opus"), ("gamma", "inherit")):
        (agents / f"{name}.md").write_text(f"---\nname: {name}\ndescription: Does {name} work. Use when asked.\n"
                                           f"model: {model}\ntools: Read, Grep\n---\nYou do {name} work.\n", encoding="utf-8")
    build = ("build", str(agents), "-t", "claude", "--out", str(tmp_path / "out"))
    assert _top(imported(*build), ("yaml",)) == []  # cold
    (agents / "alpha.md").write_text((agents / "alpha.md").read_text(encoding="utf-8") + "One more line.\n", encoding="utf-8")
    assert _top(imported(*build), ("yaml",)) == []  # one edit
    (agents / "beta.md").write_text("---\nname: beta\ndescription: Does beta work.\ntools: [Read, Grep]\n---\nBody.\n", encoding="utf-8")
    assert "yaml" in imported(*build)


def test_small_builds_load_no_openssl(tmp_path, monkeypatch):
    """agentc.cache.new_sha: a build that hashes little (a no-op, a one-edit rebuild, a small
    project) uses the interpreter's own sha256 and never loads hashlib's OpenSSL (~12M
    instructions); a build past 256 KB of hashing does (tests/test_cache.py checks the digests)."""
    agents = tmp_path / "agents"
    agents.mkdir()
    for name in ("alpha", "beta"):
        (agents / f"{name}.md").write_text(f"---\nname: {name}\ndescription: Does {name} work.\n---\nYou do {name} work.\n",
                                           encoding="utf-8")
    # First a build elsewhere: the first process after the code changed hashes the code (~3 MB,
    # through OpenSSL: agentc.cache.code_fingerprint) and keeps the answer for the next ones,
    # as Python keeps bytecode: not where PYTHONDONTWRITEBYTECODE is set (compiler/pycache.py).
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    imported("build", str(agents), "-t", "claude", "--out", str(tmp_path / "warm-up"))
    build = ("build", str(agents), "-t", "claude", "--out", str(tmp_path / "out"))
    for step in ("cold", "no-op", "one edit"):
        if step == "one edit":
            (agents / "alpha.md").write_text((agents / "alpha.md").read_text(encoding="utf-8") + "More.\n", encoding="utf-8")
        assert _top(imported(*build), ("hashlib", "_hashlib")) == [], step
