"""agentc's optional C modules (compiler/_markdown.c, _mentions.c, _frozen.c, targets/_shared/_text.c), each the
twin of Python code that stays the reference and the fallback, as json/_json in the standard
library. `pip install` builds them when a C compiler is there (setup.py); tests/test_*_native.py
compare each with its Python twin."""

from __future__ import annotations

import os
from importlib import import_module
from types import ModuleType


def load(name: str, *needs: str, package: str = "agentc.compiler") -> ModuleType | None:
    """`<package>.<name>` (the front end's modules by default; targets/_shared/_text.c too), or None: not built, built from older C that lacks one of the
    functions `needs` names (a checkout updated without `pip install -e .` again: the Python
    twins then run, rather than every import failing), or AGENTC_PURE_PYTHON set (to anything
    but 0) to run the Python code only."""
    if os.environ.get("AGENTC_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        module = import_module(f"{package}.{name}")
    except ImportError:
        return None
    return module if all(hasattr(module, need) for need in needs) else None
