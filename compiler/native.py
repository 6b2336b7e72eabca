"""agentc's optional C modules (compiler/_markdown.c, _mentions.c, _frozen.c, targets/_shared/_text.c), each the
twin of Python code that stays the reference and the fallback, as json/_json in the standard
library. `pip install` builds them when a C compiler is there (setup.py); tests/test_*_native.py
compare each with its Python twin. And pydantic-core's compiled module, which is not agentc's
but is loaded here the same way for the driver and the targets (`pydantic_core`)."""

from __future__ import annotations

import os
import sys
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


def pydantic_core() -> ModuleType:
    """pydantic-core's compiled module (SchemaSerializer, SchemaValidator, to_json, from_json),
    without the `pydantic_core` package around it: agentc/codec.py's reference for the cache's
    JSON, and targets/_shared/jsontext.py's faster parser. Loaded when first asked for: with
    agentc/_codec.c built, a no-op or one-edit rebuild never asks, and loading it (dlopen and its
    init, which imports datetime) was ~5M instructions of each (~2% of a no-op of 1000 agents).

    The package's __init__ imports its core_schema module, the TypedDicts and helper functions
    that spell schemas (with typing_extensions, decimal and fractions: ~9 ms), and every command
    that used the cache paid for it. codec writes its schemas as the plain dicts those helpers
    return (tests/test_cache.py compares them), so only the compiled module is needed. It is
    loaded as the package loads it, under its own name, so a later `import pydantic_core`
    (pydantic, a test) finds it there: PyO3 refuses to initialise a module twice. Anything
    unexpected (another layout of the package): the package is imported as usual."""
    name = "pydantic_core._pydantic_core"
    if name not in sys.modules:
        from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader, FileFinder
        from importlib.util import find_spec, module_from_spec

        try:
            package = find_spec("pydantic_core")  # a top-level name: found, not imported
            folders = package.submodule_search_locations if package is not None else None
            spec = FileFinder(folders[0], (ExtensionFileLoader, EXTENSION_SUFFIXES)).find_spec(name) if folders else None
            if spec is not None:
                sys.modules[name] = module = module_from_spec(spec)
                spec.loader.exec_module(module)
        except Exception:  # noqa: BLE001  whatever failed, the package's own import follows
            sys.modules.pop(name, None)
    if name not in sys.modules:
        import pydantic_core  # noqa: F401  (it imports the compiled module into sys.modules)
    return sys.modules[name]
