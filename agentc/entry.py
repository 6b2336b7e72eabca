"""The `agentc` command's entry point: `agentc --version` answers before any costly import.

The CLI proper (`agentc.cli`) loads typer, pydantic and the compiler when imported (~0.25 s);
printing the version needs none of that, so it is answered here and everything else is
handed to `agentc.cli.main`.
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
    if "--watch" not in sys.argv:
        # One command, then exit: the IR is hundreds of thousands of small acyclic objects that
        # reference counting frees, and the cyclic collector rescanned all of them over and
        # over while they were built (~12% of a 1000-agent build). A watch loop keeps it.
        gc.disable()
    # agentc's own models (options, IR, diagnostics) need no pydantic plugin, and looking for
    # plugins reads every installed package's entry points (~40-80 ms a run). A user's explicit
    # setting wins; only `dot` is ever started from here, so nothing else sees the variable.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from agentc.cli import main as cli_main

    cli_main()
