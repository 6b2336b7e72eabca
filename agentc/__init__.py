r"""agentc: compile agent markdown to a typed IR, a delegation graph and framework code.

The public Python API. The `agentc` command is a thin layer over these functions.

Sources are files or folders on disk, or a mapping of file name to text (handy in tests):

>>> import agentc
>>> reviewer = '''---
... name: reviewer
... description: Reviews pull requests. Use for every change before merge.
... ---
... You review code.
...
... ## Delegation
... - Missing tests → Delegate to **tester**
... '''
>>> tester = "---\nname: tester\ndescription: Writes tests.\n---\nYou write tests.\n"
>>> result = agentc.compile({"reviewer.md": reviewer, "tester.md": tester}, targets=["claude"])
>>> result.ok
True
>>> sorted(result.files)
['claude/.claude/agents/reviewer.md', 'claude/.claude/agents/tester.md']
>>> [(e.source, e.target_id, e.condition) for e in result.project.edges]
[('reviewer', 'tester', 'Missing tests')]

Problems are diagnostics with a stable code and a location, never exceptions:

>>> result = agentc.compile({"reviewer.md": reviewer}, targets=["claude"])
>>> [(d.code, d.file, d.line) for d in result.diagnostics]
[('AGC301', 'reviewer.md', 8)]

`load_ir` stops after linking, and options may be given as keywords:

>>> project = agentc.load_ir({"reviewer.md": reviewer, "tester.md": tester})
>>> [a.id for a in project.agents]
['reviewer', 'tester']
>>> agentc.compile({"tester.md": tester}, targets=["claude"], strict=True).ok
True
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing's own, without importing typing (see _extended)


def _extended(path: list[str], name: str) -> list[str]:
    """`pkgutil.extend_path(path, name)` for a top-level package, without pkgutil: this folder,
    then each `name` folder the importers of sys.path's entries find (pkgutil's `.pkg` files
    aside). Importing pkgutil imported typing with it: ~18M instructions, a sixth of `agentc
    --version`, which needs neither."""
    out = list(path)
    for entry in sys.path:
        if not isinstance(entry, str):
            continue
        if entry in sys.path_importer_cache:
            finder = sys.path_importer_cache[entry]
        else:  # pkgutil.get_importer: the first path hook that takes the entry, kept as import keeps it
            finder = None
            for hook in sys.path_hooks:
                try:
                    finder = hook(entry)
                except ImportError:
                    continue
                sys.path_importer_cache.setdefault(entry, finder)
                break
        spec = finder.find_spec(name) if finder is not None and hasattr(finder, "find_spec") else None
        for portion in (spec.submodule_search_locations or []) if spec is not None else []:
            if portion not in out:
                out.append(portion)
    return out


# `agentc.compiler` and `agentc.targets` live in their own folders (see pyproject's package-dir).
# When this folder shadows an installed copy (a checkout on sys.path), find them there too.
__path__ = _extended(__path__, __name__)

# The one place the version is written; pyproject reads it (setuptools dynamic version).
__version__ = "0.1.0"

__all__ = ["BuildOptions", "Result", "__version__", "compile", "load_ir"]

if TYPE_CHECKING:
    from typing import Any

    from agentc.api import Result, Sources
    from agentc.compiler.ir import ProjectIR
    from agentc.compiler.options import BuildOptions


def compile(
    sources: Sources,
    targets: list[str] | tuple[str, ...] | None = None,
    options: BuildOptions | None = None,
    **overrides: Any,
) -> Result:
    """Compile sources to targets in memory: `Result(project, files, diagnostics)`; writes nothing.

    `options` is a `BuildOptions`; keywords (`strict=True`, `entry="x"`, ...) override it.
    Errors leave `files` empty and `ok` false.
    """
    from agentc import api

    return api.compile(sources, targets=targets, options=options, **overrides)


def load_ir(sources: Sources) -> ProjectIR:
    """Read, lower and link the agents: the `ProjectIR`, with its diagnostics."""
    from agentc import api

    return api.load_ir(sources)


def __getattr__(name: str) -> Any:
    # Lazy, so `import agentc.compiler` (which imports this package first) stays cheap.
    if name == "Result":
        from agentc.api import Result

        return Result
    if name == "BuildOptions":
        from agentc.compiler.options import BuildOptions

        return BuildOptions
    raise AttributeError(f"module 'agentc' has no attribute {name!r}")
