"""The `agentc` command's entry point: `agentc --version` answers before any costly import.

The CLI proper (`agentc.cli`) loads typer and the compiler when imported; printing the
version needs none of that, so it is answered here; a plain build or check runs through
`agentc.commands` without typer; everything else is handed to `agentc.cli`.
"""

from __future__ import annotations

import gc
import os
import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from agentc import __version__

        sys.stdout.write(f"agentc {__version__}\n")
        return
    _defer_inspect()
    _defer_copy()
    if "--watch" not in sys.argv:
        # One command, then exit: the IR is hundreds of thousands of small acyclic objects that
        # reference counting frees, and the cyclic collector rescanned all of them over and
        # over while they were built (~12% of a 1000-agent build). A watch loop keeps it.
        gc.disable()
    # agentc's own models (options, IR, diagnostics) need no pydantic plugin, and looking for
    # plugins reads every installed package's entry points (~40-80 ms a run). A user's explicit
    # setting wins; only `dot` is ever started from here, so nothing else sees the variable.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from agentc.compiler import lazyre

    lazyre.prime_stdlib()  # before json, dataclasses and difflib are imported
    if sys.argv[1:2] != ["build"]:  # a build primes before a full build (runner.run): a no-op or a rebuild may read no YAML
        lazyre.prime_yaml()
    from agentc import commands

    try:
        commands.guard(_run)
    except SystemExit as exc:
        _leave(exc.code)
    _leave(0)


def _defer_inspect() -> None:
    """Put off importing `inspect` until something reads from it. `dataclasses`, which every
    command's models are made with, imports it for one use (the __doc__ of a class without
    one, which compiler/frozen.py writes itself), and with it ast, dis, tokenize and
    linecache: ~37M instructions, ~12% of a no-op build of 1000 agents and ~6% of a one-edit
    rebuild, for a module a build never calls."""
    _defer("inspect")


def _defer_copy() -> None:
    """Put off importing `copy` the same way: `dataclasses` imports it for `asdict`'s deep copies
    (the JSON report), and with it weakref and _weakrefset: ~3.5M instructions of every command,
    ~2.4% of a no-op build of 1000 agents, for a module a build never calls."""
    _defer("copy")


def _defer(name: str) -> None:
    """`name` starts as an empty module whose first attribute read imports the real one in its
    place (sys.modules) and answers from it: a later `import name` gets the real module, and
    anything that uses it finds it as before. Only here, in the command's own process, and only
    when nothing imported it yet."""
    if name in sys.modules:
        return
    import types

    stand_in = types.ModuleType(name, f"stands in for the {name} module until first used (agentc.entry)")

    def real(attr: str) -> object:
        if attr.startswith("__") and attr != "__all__":  # __file__, __path__, ...: probes of every module read none
            raise AttributeError(attr)
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        module = __import__(name)  # a top-level module: __import__ returns it
        # Its names held here too from now on: a module that imported the stand-in reads through it,
        # as dataclasses.asdict reads copy.deepcopy for every value it copies.
        vars(stand_in).update(vars(module))
        return getattr(module, attr)

    stand_in.__getattr__ = real  # type: ignore[method-assign]  # PEP 562: each name it does not hold
    sys.modules[name] = stand_in


def _run() -> None:
    """A plain build or check straight (agentc.commands: typer and its command cost ~20 ms a run),
    anything else through typer."""
    from agentc import commands

    if not commands.main(sys.argv[1:]):
        from agentc.cli import command

        command()(prog_name="agentc")


def _leave(code: object) -> None:
    """Exit with `code` as sys.exit would, but without the interpreter's teardown: it frees
    every object and module one by one (the IR's last references, typer, pydantic-core, yaml),
    work no one sees before the process ends anyway (1000 agents to claude, -j 1: CPU -1.5%).
    The exit hooks still run (compiler/pycache.py keeps compiled code through one) and the
    standard streams are flushed. Anything unusual (a code that is not a number, another
    thread still running, a stream that cannot be flushed: a closed pipe) takes the ordinary
    exit, which reports it as it always did."""
    import atexit

    if (code is not None and type(code) is not int) or ("threading" in sys.modules and sys.modules["threading"].active_count() > 1):
        raise SystemExit(code)
    atexit._run_exitfuncs()  # each hook once: it empties the list, so the ordinary exit runs none again
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        raise SystemExit(code) from None
    os._exit(code or 0)
