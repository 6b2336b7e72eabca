"""The one Jinja environment for text-shaped output (JSON and YAML are dumped as data instead)."""

from __future__ import annotations

from functools import lru_cache

import jinja2

from agentc.targets._shared.pyformat import py_literal


@lru_cache(maxsize=None)
def environment(package: str) -> jinja2.Environment:
    """Templates of `agentc.targets.<package>`: strict, no autoescape (prompts hold <tags>)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("agentc.targets", f"{package}/templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["py"] = py_literal
    return env


def render(package: str, template: str, **context: object) -> str:
    return environment(package).get_template(template).render(**context)
