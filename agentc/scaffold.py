"""`agentc init`: a starter configuration and one example agent, never overwriting anything."""

from __future__ import annotations

import tomllib
from pathlib import Path

CONFIG = """\
sources = ["agents"]         # agent files or folders, relative to this file
targets = ["claude", "diagram"]
out = "build"                # OUT/<target>/... (see out_dirs to give a target its own folder)
strict = false               # warnings fail the build too
ignore = []                  # diagnostic codes to leave out, e.g. ["AGC121"]
dangling = "stub"            # stub | drop | error: delegations to agents not in the build

# [out_dirs]                 # e.g. write Claude Code agents straight into this repository:
# claude = "."               #   ./.claude/agents/<name>.md
"""

AGENT = """\
---
name: code-reviewer
description: Reviews a change for correctness, tests and readability. Use PROACTIVELY after every non-trivial edit.
tools: Read, Grep, Glob
model: sonnet
---

You are a careful code reviewer.

## Mission
Find the problems in a change before its author's users do, and say how to fix each one.

## When to use
- A pull request or a local change is ready for review
- A bug fix needs a second look

## Review checklist
- [ ] The change does what its description says
- [ ] New behaviour has tests
- [ ] Names and comments say why, not what

## Output format
A list of findings, most important first, each with the file, the line and a suggested fix.
"""


def init(folder: Path) -> list[tuple[Path, str]]:
    """Write the starter files into `folder`; returns (path, 'created' | 'exists, left alone')."""
    done: list[tuple[Path, str]] = []
    pyproject = folder / "pyproject.toml"
    standalone = folder / "agentc.toml"
    has_table = False
    if pyproject.is_file():
        try:
            has_table = "agentc" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            has_table = True  # unreadable: do not touch it
    if standalone.exists() or has_table:
        done.append((standalone if standalone.exists() else pyproject, "exists, left alone"))
    elif pyproject.is_file():
        text = pyproject.read_text(encoding="utf-8")
        table = CONFIG.replace("# [out_dirs]", "# [tool.agentc.out_dirs]")
        pyproject.write_text(text + ("" if text.endswith("\n") else "\n") + "\n[tool.agentc]\n" + table, encoding="utf-8")
        done.append((pyproject, "added [tool.agentc]"))
    else:
        standalone.write_text(CONFIG, encoding="utf-8")
        done.append((standalone, "created"))
    agent = folder / "agents" / "code-reviewer.md"
    if agent.exists():
        done.append((agent, "exists, left alone"))
    else:
        agent.parent.mkdir(parents=True, exist_ok=True)
        agent.write_text(AGENT, encoding="utf-8")
        done.append((agent, "created"))
    return done
