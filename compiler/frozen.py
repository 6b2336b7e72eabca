"""`frozen`: the decorator of the IR's nodes and of Span. The class it makes is what
`dataclass(frozen=True, slots=True, kw_only=True)` makes (the same fields, __dataclass_params__,
signature, __doc__, eq, hash, repr, pickling, `dataclasses.replace`, FrozenInstanceError on
assignment), made faster to build and to import:

- `__init__` sets each slot through the slot's own descriptor (`Cls.name.__set__`, bound once),
  which is what the dataclass's `object.__setattr__(self, "name", value)` ends up calling after
  looking the name up again on every call: a 3-field node ~550 -> ~370 ns, and a 1000-agent
  build makes ~400 000 nodes and spans.
- eq, hash, repr, the frozen __setattr__/__delattr__ and the pickling state are shared functions
  bound to each class's field names, not source text compiled per class: `dataclass` compiles
  ~7 functions per class (~45 us each), ~9 ms of importing the IR in every process that lowers
  a file (a one-edit rebuild is ~0.1 s).

tests/test_frozen.py compares a class made both ways, behaviour by behaviour. Pydantic builds
its validators from the fields and never calls these methods.
"""

from __future__ import annotations

import inspect
import reprlib
from dataclasses import _HAS_DEFAULT_FACTORY as _FACTORY  # "<factory>" in a signature, as the dataclass's
from dataclasses import MISSING, FrozenInstanceError, dataclass, fields
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T", bound=type)


def frozen(cls: T) -> T:
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: frozen() does not call __post_init__")
    own_doc = cls.__dict__.get("__doc__")
    cls.__doc__ = own_doc or "-"  # the dataclass's doc is made below, once __init__ has its signature
    cls = dataclass(slots=True, kw_only=True, init=False, repr=False, eq=False)(cls)
    fs = fields(cls)
    for f in fs:
        if not (f.init and f.repr and f.compare and f.hash is None):
            raise TypeError(f"{cls.__name__}.{f.name}: frozen() takes plain fields only")
    names = tuple(f.name for f in fs)
    cls.__init__ = _init(cls, fs)
    for name, method in _methods(cls, names).items():
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)
    params = cls.__dataclass_params__  # as dataclass(frozen=True) records them
    params.init = params.repr = params.eq = params.frozen = True
    if not own_doc:
        cls.__doc__ = cls.__name__ + str(inspect.signature(cls)).replace(" -> None", "")
    return cls


def _init(cls: type, fs: tuple) -> Any:
    """The one function compiled per class: __init__(self, *, <fields>) setting each slot."""
    env: dict[str, Any] = {}
    params, body, defaults = [], [], {}
    for f in fs:
        n = f.name
        params.append(n)
        env[f"_set_{n}"] = _slot(cls, n).__set__
        if f.default_factory is not MISSING:
            # The default is the dataclass's own "<factory>" marker: the factory is called then.
            env[f"_factory_{n}"], defaults[n] = f.default_factory, _FACTORY
            body.append(f"    _set_{n}(self, _factory_{n}() if {n} is _FACTORY else {n})")
        else:
            if f.default is not MISSING:
                defaults[n] = f.default
            body.append(f"    _set_{n}(self, {n})")
    env["_FACTORY"] = _FACTORY
    # The defaults are not in the source but in __kwdefaults__, as the objects themselves.
    args = ", ".join(["self", "*", *params] if params else ["self"])
    exec(f"def __init__({args}):\n" + "\n".join(body or ["    pass"]), env)  # noqa: S102 - field names only, as dataclasses does
    init = env["__init__"]
    init.__kwdefaults__ = defaults or None
    init.__annotations__ = {**{f.name: f.type for f in fs}, "return": None}
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init


def _methods(cls: type, names: tuple[str, ...]) -> dict[str, Any]:
    """What dataclass(frozen=True, slots=True) writes as source for each class, as closures."""
    if len(names) > 1:
        values = attrgetter(*names)  # a tuple of the fields, as the dataclass's (self.a, self.b,)
    else:
        values = lambda self: tuple(getattr(self, n) for n in names)  # noqa: E731 - 0 or 1 field

    def __eq__(self, other):  # noqa: N807
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    def __hash__(self):  # noqa: N807
        return hash(values(self))

    @reprlib.recursive_repr()
    def __repr__(self):  # noqa: N807
        return f"{self.__class__.__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in names)})"

    def __setattr__(self, name, value):  # noqa: N807
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self, name):  # noqa: N807
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    def __getstate__(self):  # noqa: N807 - slots and frozen: pickle cannot set the fields itself
        return [getattr(self, n) for n in names]

    def __setstate__(self, state):  # noqa: N807
        for n, value in zip(names, state, strict=False):  # as dataclasses does
            object.__setattr__(self, n, value)

    return {"__eq__": __eq__, "__hash__": __hash__, "__repr__": __repr__, "__setattr__": __setattr__,
            "__delattr__": __delattr__, "__getstate__": __getstate__, "__setstate__": __setstate__}


def _slot(cls: type, name: str) -> Any:
    """The member descriptor of slot `name` (a subclass finds its parents' slots)."""
    for k in cls.__mro__:
        if name in k.__dict__:
            return k.__dict__[name]
    raise TypeError(f"{cls.__name__} has no slot {name!r}")
