"""The three floors: the compiler imports neither driver nor targets, targets import no driver
module, every target is a package of one shape, and a claude-only build loads no other target."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest
from conftest import ROOT

from agentc.targets import MODULES, TARGETS

DRIVER = {p.stem for p in (ROOT / "agentc").glob("*.py") if p.stem != "__init__"}


def imports(folder: str) -> list[tuple[str, str]]:
    """(file, imported module) for every import in a folder, lazy ones inside functions included."""
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(path.name, a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                found += [(path.name, node.module)] + [(path.name, f"{node.module}.{a.name}") for a in node.names]
    return found


def test_compiler_imports_neither_driver_nor_targets():
    bad = [(f, m) for f, m in imports("compiler")
           if m == "agentc" or (m.startswith("agentc.") and not m.startswith("agentc.compiler"))]
    assert bad == []


def test_no_named_tuple_is_a_class_body():
    """typing.NamedTuple's class form compiles each of the body's string annotations (`from
    __future__ import annotations`) into a ForwardRef, and a process's first compile() builds
    the whole ast type table: ~10M instructions of every process that imported such a class
    (~2.5% of a one-edit rebuild of 1000 agents). agentc's named tuples take the functional form."""
    bad = [f"{path.name}:{node.name}" for folder in ("agentc", "compiler", "targets") for path in sorted((ROOT / folder).rglob("*.py"))
           for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.ClassDef)
           and any((b.id if isinstance(b, ast.Name) else getattr(b, "attr", None)) == "NamedTuple" for b in node.bases)]
    assert bad == []


def test_targets_import_no_driver_module():
    bad = [(f, m) for f, m in imports("targets") if m in {f"agentc.{d}" for d in DRIVER} or m == "agentc"]
    assert bad == []


@pytest.mark.parametrize("name", list(MODULES))
def test_every_target_is_a_package_of_one_shape(name):
    folder = ROOT / "targets" / MODULES[name]
    assert (folder / "__init__.py").is_file()
    target = TARGETS[name]
    assert target.name == name and callable(target.emit) and target.capabilities
    templates = folder / "templates"
    assert not templates.exists() or all(p.suffix == ".j2" for p in templates.iterdir())


def _loaded_by(argv: list[str], *, succeed: bool = False) -> list[str]:
    """The modules a fresh process holds after `agentc <argv>` (`succeed`: its exit code must be 0)."""
    ended = "    assert e.code == 0, e.code\n" if succeed else "    pass\n"
    code = ("import json, sys\nfrom agentc.cli import main\n"
            f"sys.argv = ['agentc', *{argv!r}]\n"
            "try:\n    main()\nexcept SystemExit as e:\n" + ended +
            "print(json.dumps(sorted(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_claude_only_build_imports_no_other_target_nor_formatters(tmp_path):
    loaded = _loaded_by(["build", "agents/seed-team/ai-engineer.md", "-t", "claude", "--out", str(tmp_path)], succeed=True)
    # The shared C helpers (agentc.targets.encode: the UTF-8 of every file written) are no target.
    shared_c = {"agentc.targets._shared", "agentc.targets._shared._text"}
    assert [m for m in loaded if m.startswith(("agentc.targets.", "black", "libcst", "jinja2")) and m not in shared_c] \
        == ["agentc.targets.claude"]


def test_version_is_cheap():
    """`agentc --version` loads neither the compiler's IR nor any target."""
    assert [m for m in _loaded_by(["--version"]) if m.startswith("agentc.targets")] == []


def test_check_loads_neither_the_runner_nor_the_writer():
    """`agentc check` writes nothing: the build's runner and writer (and what they import) stay unloaded."""
    loaded = _loaded_by(["check", "agents/seed-team/ai-engineer.md"])
    assert [m for m in ("agentc.runner", "agentc.writer") if m in loaded] == []


@pytest.mark.parametrize("name", [n for n in MODULES if TARGETS[n].emit_parts is not None])
@pytest.mark.parametrize("plugin", [False, True])
def test_parts_make_emit_and_check_alone(name, plugin):
    """A target that emits in parts (Target.emit_parts): their union is `emit`, no path comes
    twice, and each part passes the target's checks on its own, as build_each checks it."""
    from agentc import api
    from agentc.compiler.options import BuildOptions
    from agentc.validate import validate_files

    options = BuildOptions(sources=("agents/seed-team",), targets=(name,), plugin=plugin)
    project = api.load_project(options.sources)
    target = TARGETS[name]
    parts = list(target.emit_parts(project, options))
    paths = [p for part in parts for p in part.files]
    whole = target.emit(project, options)
    assert len(paths) == len(set(paths)) and paths == list(whole.files)
    assert [d for part in parts for d in part.diagnostics] == list(whole.diagnostics)
    assert all(validate_files(name, part.files, target.validate, target.loads_itself) == [] for part in parts)
