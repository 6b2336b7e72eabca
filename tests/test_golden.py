"""Golden trees: golden/<case>/<target>/ mirrors exactly what agentc emits for agents/<case>/."""

from __future__ import annotations

import pytest
from conftest import CASES, ROOT, compare_tree

from agentc import api
from agentc.compiler.options import BuildOptions
from agentc.targets import TARGETS

# Graphviz output depends on the installed Graphviz version, so SVG stays out of the goldens.
UNSTABLE = (".svg",)


def emitted(case: str, target: str) -> dict[str, str]:
    result = api.build(BuildOptions(sources=(f"agents/{case}",), targets=(target,)))
    assert result.ok, [d for d in result.diagnostics if d.severity == "error"]
    prefix = f"{target}/"
    return {p[len(prefix):]: t for p, t in result.files.items() if p.startswith(prefix) and not p.endswith(UNSTABLE)}


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("case", CASES)
def test_golden(case, target, updating):
    files = emitted(case, target)
    assert files, f"{target} emitted nothing for {case}"
    compare_tree(files, ROOT / "golden" / case / target, updating)


@pytest.mark.parametrize("case", CASES)
def test_golden_plugin_bundle(case, updating):
    """The claude target's plugin bundle (`plugin = true`): golden/<case>/claude-plugin/. The tool
    validators' test runs `claude plugin validate --strict` on these very folders."""
    result = api.build(BuildOptions(sources=(f"agents/{case}",), targets=("claude",), plugin=True))
    assert result.ok, [d for d in result.diagnostics if d.severity == "error"]
    compare_tree({p[len("claude/"):]: t for p, t in result.files.items()}, ROOT / "golden" / case / "claude-plugin", updating)
