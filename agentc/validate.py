"""Mechanical checks of every emitted artifact: each must load the way its consumer loads it."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from agentc.compiler.diagnostics import Diagnostic, diag
from agentc.compiler.span import Span
from agentc.targets import FileText, as_text


def validate_files(
    target: str, files: dict[str, FileText], extra: Callable[[dict[str, FileText]], list[Diagnostic]] | None = None,
    skip: tuple[str, ...] = (),
) -> list[Diagnostic]:
    """Every file loaded the way its consumer loads it, then the target's own `extra` checks.
    `skip`: suffixes `extra` loads itself (Target.loads_itself)."""
    out: list[Diagnostic] = []
    for path, text in sorted(files.items()):
        problem = None if skip and path.endswith(skip) and extra is not None else _check(path, text)
        if problem:
            out.append(diag("AGC902", Span(file=f"{target}/{path}", line=1),
                            f"generated file does not load: {problem}",
                            hint="this is a bug in agentc's target; please report it with the input"))
    if extra is not None:
        out += [replace(d, file=f"{target}/{d.file}") for d in extra(files)]
    return out


def _check(path: str, content: FileText) -> str | None:
    if not path.endswith((".py", ".json", ".yaml", ".yml", ".toml")):
        return None  # markdown and the like: any text loads
    if path.endswith(".json"):  # before the text is made: the parser reads a Chunks file's UTF-8
        from agentc.targets._shared import jsontext  # here: a claude build loads no other target's code

        try:
            jsontext.loads(content)  # json.loads(text), faster
        except Exception as exc:  # the message is the useful part, as below
            return _problem(exc)
        return None
    text = as_text(content)
    if path.endswith(".py"):
        from agentc.targets._shared.shipped import is_shipped  # here: a claude build has no Python

        if is_shipped(text):
            # A module of agentc's own copied as it is (langgraph's static package, the shared
            # runtime): the same text in every build, compiled by the tests instead of by each
            # build (~8 ms of an every-target build's ~14 ms of compile()).
            return None
    try:
        if path.endswith(".py"):
            compile(text, path, "exec", dont_inherit=True)  # the interpreter's own parser: 20 ms where libcst took 0.5-1 s
        elif path.endswith((".yaml", ".yml")):
            from agentc.compiler.lazyre import load_yaml  # here: a claude build writes no YAML file

            yaml = load_yaml()
            # libyaml's loader (50x faster on a crewai agents.yaml of 3.5 MB), PyYAML's own where it is missing.
            yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        elif path.endswith(".toml"):
            import tomllib  # here: a claude build has no TOML and need not import it

            tomllib.loads(text)
    except Exception as exc:  # the message is the useful part, whatever the parser
        return _problem(exc)
    return None


def _problem(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
