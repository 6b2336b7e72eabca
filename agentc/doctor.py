"""`agentc doctor`: what this machine and folder give agentc, for bug reports and CI logs.

Everything here is read-only and quick: versions from package metadata (nothing is imported),
Graphviz asked for its version with a short timeout, the configuration found as `build` would
find it, and the cache's size.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

# The distributions each target's generated code or validation needs (none: plain files).
NEEDS: dict[str, tuple[str, ...]] = {
    "claude": (),
    "diagram": (),
    "langgraph": ("langgraph", "langchain-core", "libcst", "black"),
    "openai": ("openai",),
    "openai-agents": ("openai-agents", "libcst", "black"),
    "crewai": ("crewai", "libcst", "black"),
    "claude-sdk": ("claude-agent-sdk",),
    "codex": ("tomli-w",),
}


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def graphviz() -> str:
    dot = shutil.which("dot")
    if dot is None:
        return "not found (diagram SVGs need it: svg = true, agentc graph -f svg)"
    try:
        done = subprocess.run([dot, "-V"], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{dot}: does not answer ({exc})"
    text = (done.stderr or done.stdout).strip().splitlines()
    return f"{text[0] if text else 'unknown version'} ({dot})"


def report(cwd: Path) -> list[str]:
    from agentc import __version__, config
    from agentc.targets import MODULES

    lines = [f"agentc      {__version__}", f"python      {platform.python_version()} ({sys.executable})",
             f"graphviz    {graphviz()}", "targets:"]
    for name in MODULES:
        needs = NEEDS.get(name, ())
        parts = [f"{d} {_version(d)}" if _version(d) else f"{d} MISSING" for d in needs]
        ok = all(_version(d) for d in needs)
        lines.append(f"  {name:<14} {'ok' if ok else 'missing packages'}" + (f": {', '.join(parts)}" if parts else ""))
    found = config.find_config(cwd)
    if found is None:
        lines.append("config      none found (agentc init writes one)")
        cache = None
    else:
        values, diags = config.load(found)
        errors = [d for d in diags if d.severity == "error"]
        lines.append(f"config      {config.relative(found)}" + (f" ({len(errors)} error(s): agentc check shows them)" if errors else ""))
        cache = Path(values.get("cache_dir") or found.parent / ".agentc-cache")
    if cache is not None:
        if cache.is_dir():
            files = [p for p in cache.rglob("*") if p.is_file()]
            size = sum(p.stat().st_size for p in files)
            lines.append(f"cache       {config.relative(cache)}: {len(files)} file(s), {size / 1024:.0f} KiB")
        else:
            lines.append(f"cache       {config.relative(cache)}: empty (made by the next build)")
    return lines
