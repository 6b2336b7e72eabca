"""compiler/native.load: a C module built from older C (a checkout updated without building it
again) counts as not built, so the Python twins run instead of every import failing."""

import sys
from types import ModuleType

from agentc.compiler import native


def test_a_module_lacking_a_needed_function_is_not_loaded(monkeypatch):
    stale = ModuleType("agentc.compiler._stale")
    stale.holding = lambda: None
    monkeypatch.setitem(sys.modules, "agentc.compiler._stale", stale)
    monkeypatch.delenv("AGENTC_PURE_PYTHON", raising=False)
    assert native.load("_stale", "holding") is stale
    assert native.load("_stale", "holding", "title_names") is None


def test_pure_python_and_a_missing_module_load_nothing(monkeypatch):
    monkeypatch.setitem(sys.modules, "agentc.compiler._stale", ModuleType("agentc.compiler._stale"))
    monkeypatch.setenv("AGENTC_PURE_PYTHON", "1")
    assert native.load("_stale") is None
    monkeypatch.delenv("AGENTC_PURE_PYTHON")
    assert native.load("_never_built") is None
