"""`frozen`: the decorator of the IR's nodes and of Span, a frozen, slotted, keyword-only dataclass
whose `__init__` is about twice as fast as the one `dataclass` writes.

A frozen dataclass's `__init__` sets each field with `object.__setattr__(self, "name", value)`,
which looks the name up again on every call (~550 ns for a 3-field node; a 1000-agent build
makes ~500 000 nodes and spans). The one written here calls each slot's own descriptor
(`Cls.name.__set__`, bound once), which is what `object.__setattr__` ends up calling. Everything
else is the dataclass's own: fields, signature and defaults (the same `__kwdefaults__`), eq,
hash, repr, pickling, `dataclasses.replace`, and assignment after `__init__` still raises
FrozenInstanceError. Pydantic builds its validators from the fields and never calls `__init__`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TypeVar

T = TypeVar("T", bound=type)


def frozen(cls: T) -> T:
    cls = dataclass(frozen=True, slots=True, kw_only=True)(cls)
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: frozen() does not call __post_init__")
    made = cls.__init__
    defaults = made.__kwdefaults__ or {}
    env: dict[str, object] = {}
    params, body = [], []
    for f in fields(cls):
        if not f.init:
            raise TypeError(f"{cls.__name__}.{f.name}: frozen() takes only fields set by __init__")
        n = f.name
        params.append(n)
        env[f"_set_{n}"] = _slot(cls, n).__set__
        if callable(f.default_factory):
            # The parameter's default is the dataclass's "<factory>" marker: call the factory then.
            env[f"_factory_{n}"], env[f"_unset_{n}"] = f.default_factory, defaults[n]
            body.append(f"    _set_{n}(self, _factory_{n}() if {n} is _unset_{n} else {n})")
        else:
            body.append(f"    _set_{n}(self, {n})")
    # The defaults are not written in the source: the function takes the dataclass's own
    # __kwdefaults__ below, so its signature (inspect, error messages) is the dataclass's.
    args = ", ".join(["self", "*", *params] if params else ["self"])
    source = f"def __init__({args}):\n" + "\n".join(body or ["    pass"])
    exec(source, env)  # noqa: S102 - as dataclasses does; the text is made of field names only
    init = env["__init__"]
    init.__kwdefaults__ = made.__kwdefaults__
    init.__annotations__ = made.__annotations__
    init.__qualname__ = made.__qualname__
    init.__module__ = cls.__module__
    cls.__init__ = init
    return cls


def _slot(cls: type, name: str):
    """The member descriptor of slot `name` (a subclass finds its parents' slots)."""
    for k in cls.__mro__:
        if name in k.__dict__:
            return k.__dict__[name]
    raise TypeError(f"{cls.__name__} has no slot {name!r}")
