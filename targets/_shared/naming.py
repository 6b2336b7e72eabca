"""Python names for generated code: agent identifiers and the generated package."""

from __future__ import annotations

import keyword
import re
from functools import cache

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.ir import AgentIR
from agentc.compiler.names import reserved
from agentc.compiler.options import BuildOptions
from agentc.compiler.span import Span


@cache  # one build asks for each agent's ~50 times (every handoff to it, in four targets): 49 000 calls at 1000 agents
def snake(name: str) -> str:
    """A Python identifier for an agent name: `ml-engineer` -> `ml_engineer`; a word generated
    code reserves gets a suffix (`self` -> `self_agent`, as the front end's AGC141 announces)."""
    ident = re.sub(r"[^0-9a-zA-Z_]+", "_", name).strip("_").lower() or "unnamed"
    if ident[0].isdigit():
        ident = f"a_{ident}"
    return f"{ident}_agent" if reserved(ident) else ident


def package_name(options: BuildOptions, entry: AgentIR, shadowed: frozenset[str]) -> tuple[str, list[Diagnostic]]:
    """The generated Python package: `package` from the options, else `<entry>_team`.

    Shared by the code targets so one build names its packages alike."""
    package = options.package or f"{snake(entry.name)}_team"
    if not package.isidentifier() or package in shadowed or package.startswith("_") or keyword.iskeyword(package):
        return package, [diag("AGC507", Span(file="<command line>", line=1), f"'{package}' cannot be the generated package's name",
                              hint="set package = \"my_team\" in [tool.agentc]: a Python identifier that does not start "
                                   "with '_' and is not " + "/".join(sorted(shadowed)))]
    return package, []
