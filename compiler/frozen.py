"""Dataclasses made faster to build and to import: `frozen` for the IR's nodes and Span, `lean`
for the other dataclasses a build imports. Each makes the class `dataclass` makes with the same
options (the same fields, __dataclass_params__, signature, __doc__, __match_args__, eq, hash,
repr, pickling, `dataclasses.replace`, FrozenInstanceError on assignment), built differently:

- eq, hash, repr, the frozen __setattr__/__delattr__ and the pickling state are shared functions
  bound to each class's field names, not source text compiled per class: `dataclass` compiles
  3-7 functions per class (~45 us each). Only __init__ is compiled, and its code is kept in
  `__pycache__` for the next process, as Python keeps a module's bytecode (`_code`).
- `frozen`'s __init__ sets each slot through the slot's own descriptor (`Cls.name.__set__`,
  bound once), which is what the dataclass's `object.__setattr__(self, "name", value)` ends up
  calling after looking the name up again on every call: a 3-field node ~550 -> ~370 ns, and a
  1000-agent build makes ~400 000 nodes and spans.
- the fields are read here (`_fields`), as `dataclass` reads them, and the slotted class made
  once (`_slotted`): calling `dataclass` for that part alone was ~15M instructions of the 43
  classes a one-edit rebuild imports, now ~7M.
- used as the class statement's metaclass (`class Item(Node, metaclass=frozen)`, and
  `lean(slots=True)` the same way), they make the slotted class straight from the statement's
  namespace (`_made`), where a decorator gets a class made and makes it again for its slots:
  the IR's nodes, Span, Diagnostic and the markdown blocks, ~2M instructions of a one-edit
  rebuild.

Importing the IR went 11.0 -> 4.3 ms with `frozen`. The 28 other dataclasses a claude build
imports cost ~200-400 us each through `dataclass`, ~80-110 us through `lean`: every command
that lowers a file ran ~7% fewer instructions. tests/test_frozen.py compares classes made both
ways, behaviour by behaviour. Pydantic builds its validators from the fields and never calls
these methods.
"""

from __future__ import annotations

import abc
import dataclasses
import inspect
import os
import reprlib
import sys
import types
import typing
from dataclasses import _FIELD, _FIELD_CLASSVAR, _MODULE_IDENTIFIER_RE, KW_ONLY, MISSING, Field, FrozenInstanceError, InitVar
from dataclasses import _HAS_DEFAULT_FACTORY as _FACTORY  # "<factory>" in a signature, as the dataclass's
from dataclasses import _DataclassParams as _Params
from operator import attrgetter
from types import CodeType
from typing import Any, TypeVar

from agentc.compiler import native
from agentc.compiler.pycache import FOLDER, Kept

T = TypeVar("T", bound=type)

# Each class's __init__ source -> its compiled code, kept like lazyre's patterns (see `_code`).
_INITS = Kept(os.path.join(FOLDER, f"inits.{sys.implementation.cache_tag}.marshal"), most=512)
# The C __init__ and call of `frozen` classes (compiler/_frozen.c), or None: the Python __init__ alone.
_C = native.load("_frozen", "install")


def frozen(cls: Any, bases: tuple | None = None, namespace: dict | None = None) -> Any:
    """`dataclass(frozen=True, slots=True, kw_only=True)`, each slot set through its descriptor:
    a decorator, or the class statement's metaclass (`class Item(Node, metaclass=frozen)`),
    which makes the class once (`_made`)."""
    if bases is not None:
        return _made(cls, bases, namespace, frozen=True, kw_only=True, init=True, by_slot=True)
    return _make(cls, frozen=True, slots=True, kw_only=True, init=True, by_slot=True)


def lean(*, frozen: bool = False, slots: bool = False, kw_only: bool = False, init: bool = True) -> Any:
    """`dataclass(frozen=..., slots=..., kw_only=..., init=...)` (eq and repr on, the rest at
    their defaults), its methods shared rather than compiled; with slots, also a metaclass."""

    def wrap(cls: Any, bases: tuple | None = None, namespace: dict | None = None) -> Any:
        if bases is not None:
            if not slots:
                raise TypeError("lean() is a metaclass with slots=True only: a class without slots is made once anyway")
            return _made(cls, bases, namespace, frozen=frozen, kw_only=kw_only, init=init, by_slot=False)
        return _make(cls, frozen=frozen, slots=slots, kw_only=kw_only, init=init, by_slot=False)

    return wrap


_GONE = object()  # a class attribute `_fields` deletes (a field(...) without a default)


def _make(cls: T, *, frozen: bool, slots: bool, kw_only: bool, init: bool, by_slot: bool) -> T:
    """The decorator: the class made by its statement, given its fields and methods (and, for
    slots, made again: a class's __slots__ cannot be added once it exists)."""
    if init and hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: frozen() and lean() do not call __post_init__")
    own = dict(cls.__dict__)  # what the class body defines itself, which dataclass keeps
    fs, changes = _fields(cls.__name__, cls.__mro__, own, cls.__module__, frozen, kw_only,
                          lambda name: getattr(cls, name, MISSING))
    for name, value in changes.items():
        if value is _GONE:
            delattr(cls, name)
        else:
            setattr(cls, name, value)
    if slots:
        cls = _slotted(cls.__name__, cls.__qualname__, cls.__bases__, cls.__mro__, cls.__dict__, fs, type(cls))
    return _finish(cls, own, fs, frozen=frozen, slots=slots, kw_only=kw_only, init=init, by_slot=by_slot)


def _made(name: str, bases: tuple, namespace: dict, *, frozen: bool, kw_only: bool, init: bool, by_slot: bool) -> Any:
    """The metaclass: the slotted class made once, from the class statement's namespace, where
    the decorator gets the class made and makes it again with its slots (~80 000 instructions
    a class: ~2M of a one-edit rebuild's ~30 slotted classes). The same class, but that a
    default is read from the namespace as written (a decorator reads it through the class)."""
    if len(bases) > 1:
        raise TypeError(f"{name}: frozen() or lean() as a metaclass takes one base class at most")
    base = bases[0] if bases else object
    if init and ("__post_init__" in namespace or hasattr(base, "__post_init__")):
        raise TypeError(f"{name}: frozen() and lean() do not call __post_init__")
    own = dict(namespace)
    fs, changes = _fields(name, (None, *base.__mro__), own, namespace.get("__module__"), frozen, kw_only,
                          lambda field: namespace[field] if field in namespace else getattr(base, field, MISSING))
    for field_name, value in changes.items():
        if value is _GONE:
            del namespace[field_name]
        else:
            namespace[field_name] = value
    cls = _slotted(name, namespace.get("__qualname__", name), bases, (None, *base.__mro__), namespace, fs, type)
    return _finish(cls, own, fs, frozen=frozen, slots=True, kw_only=kw_only, init=init, by_slot=by_slot)


def _finish(cls: T, own: dict, fs: tuple[Field, ...], *, frozen: bool, slots: bool, kw_only: bool, init: bool,
            by_slot: bool) -> T:
    """The class's methods, __init__ and the rest, once it is made with its slots."""
    abc.update_abstractmethods(cls)
    methods = _methods(cls, tuple(f.name for f in fs), tuple(f.name for f in fs if f.repr),
                       tuple(f.name for f in fs if f.compare), frozen=frozen, slots=slots)
    if init and "__init__" not in own:
        methods["__init__"] = _init(cls, fs, frozen=frozen, by_slot=by_slot)
    # dataclass's hash rule for eq=True: a class that writes its own __hash__ keeps it; else a
    # frozen one hashes its compared fields, and a mutable one is unhashable.
    if own.get("__hash__", None) is not None or ("__hash__" in own and "__eq__" not in own):
        methods.pop("__hash__")
    for name, method in methods.items():
        if name in ("__repr__", "__eq__") and name in own:
            continue
        if method is not None:
            method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)
    if by_slot and _C is not None and "__init__" in methods:
        _C.install(cls, tuple((f.name, _slot(cls, f.name), *_default(f)) for f in fs))
    cls.__dataclass_params__ = _params(init, frozen, kw_only, slots)
    if not own.get("__doc__"):
        cls.__doc__ = cls.__name__ + (_signature(fs) if "__init__" in methods else _inspected(cls))
    return cls


def _fields(name: str, mro: tuple, own: dict, module_name: str | None, frozen: bool, kw_only: bool,
            lookup: Any) -> tuple[tuple[Field, ...], dict[str, Any]]:
    """What `dataclass` (CPython 3.11's _process_class) makes of the class's fields: the
    fields of its dataclass bases (`mro` past the class), then its own annotations', each a
    `Field` with the dataclass's default (`lookup`), kw_only and checks (a ClassVar is no
    field, a mutable default is refused), and the class attributes to set as it sets them
    (defaults, `_GONE` for one deleted, __dataclass_fields__, __match_args__). `dataclass`
    tested each string annotation three times with a regular expression (ClassVar, InitVar,
    KW_ONLY); `_named` reads it once."""
    if frozen and ("__setattr__" in own or "__delattr__" in own):
        raise TypeError(f"Cannot overwrite attribute __setattr__ or __delattr__ in class {name}")
    if frozen and any(hasattr(b, "__dataclass_fields__") for b in mro[1:]):
        raise TypeError(f"{name}: frozen() and lean() make no frozen subclass of a dataclass")
    found: dict[str, Field] = {}
    for b in mro[-1:0:-1]:
        base = getattr(b, "__dataclass_fields__", None)
        if base is not None:
            found.update((f.name, f) for f in base.values())
            if b.__dataclass_params__.frozen:
                raise TypeError("cannot inherit non-frozen dataclass from a frozen one")
    annotations = own.get("__annotations__", {})
    module = getattr(sys.modules.get(module_name), "__dict__", {})
    changes: dict[str, Any] = {}
    for field_name, kind in annotations.items():
        named = _named(kind, module)
        if named is KW_ONLY or named is InitVar or type(named) is InitVar:
            raise TypeError(f"{name}.{field_name}: frozen() and lean() take no InitVar or KW_ONLY")
        default = lookup(field_name)
        f = default if isinstance(default, Field) else Field(
            MISSING if isinstance(default, types.MemberDescriptorType) else default, MISSING, True, True, None, True, None, MISSING)
        f.name, f.type = field_name, kind
        if named is typing.ClassVar or (type(named) is typing._GenericAlias and named.__origin__ is typing.ClassVar):
            f._field_type = _FIELD_CLASSVAR
            if f.default_factory is not MISSING:
                raise TypeError(f"field {field_name} cannot have a default factory")
            if f.kw_only is not MISSING:
                raise TypeError(f"field {field_name} is a ClassVar but specifies kw_only")
        else:
            f._field_type = _FIELD
            if f.kw_only is MISSING:
                f.kw_only = kw_only
            if f.default.__class__.__hash__ is None:
                raise ValueError(f"mutable default {type(f.default)} for field {field_name} is not allowed: use default_factory")
        found[field_name] = f
        if default is f:  # a field(...): the class keeps its default, or nothing
            changes[field_name] = _GONE if f.default is MISSING else f.default
    for attr, value in own.items():
        if isinstance(value, Field) and attr not in annotations:
            raise TypeError(f"{attr!r} is a field but has no type annotation")
    changes["__dataclass_fields__"] = found
    fs = tuple(f for f in found.values() if f._field_type is _FIELD)
    if "__match_args__" not in own:
        changes["__match_args__"] = tuple(f.name for f in fs if f.init and not f.kw_only)
    for f in fs:
        if not (f.init and f.hash is None):
            raise TypeError(f"{name}.{f.name}: frozen() and lean() take no field(init=False) or field(hash=...)")
    return fs, changes


def _params(init: bool, frozen: bool, kw_only: bool, slots: bool) -> _Params:
    """The class's __dataclass_params__ as the dataclass's: eq and repr on, no order, no unsafe hash
    (Python 3.12 added match_args, kw_only, slots and weakref_slot to them)."""
    try:
        return _Params(init, True, True, False, False, frozen)
    except TypeError:  # Python 3.12+
        return _Params(init, True, True, False, False, frozen, True, kw_only, slots, False)


def _named(annotation: Any, module: dict[str, Any]) -> Any:
    """What an annotation names for the dataclass's ClassVar/InitVar/KW_ONLY tests: itself, or
    for a string (`from __future__ import annotations`) what its first name is bound to in the
    class's module, as dataclasses' `_is_type` looks it up (`typing.X`, `dataclasses.X` in
    those modules)."""
    if type(annotation) is not str:
        return annotation
    match = _MODULE_IDENTIFIER_RE.match(annotation)
    if match is None:
        return None
    prefix, name = match.groups()
    if not prefix:
        return module.get(name)
    owner = module.get(prefix)
    return vars(owner).get(name) if owner is typing or owner is dataclasses else None


def _slotted(name: str, qualname: str, bases: tuple, mro: tuple, body: Any, fs: tuple[Field, ...], meta: type) -> type:
    """The class made with a slot for each field, as `dataclass(slots=True)` makes it, from a
    class's namespace (`body`) and its `mro` past itself."""
    if "__slots__" in body:
        raise TypeError(f"{name} already specifies __slots__")
    body = dict(body)
    inherited: set[str] = set()
    for b in mro[1:-1]:
        held = b.__dict__.get("__slots__")
        if held is not None:
            inherited.update((held,) if isinstance(held, str) else held)
    body["__slots__"] = tuple(f.name for f in fs if f.name not in inherited)
    for f in fs:
        body.pop(f.name, None)
    body.pop("__dict__", None)
    body.pop("__weakref__", None)  # the old class's: the new one makes its own where it has one
    made = meta(name, bases, body)
    made.__qualname__ = qualname
    return made


def _signature(fs: tuple) -> str:
    """The dataclass's doc after the class name, `str(inspect.signature(cls))` without " -> None",
    written from the fields the __init__ made here takes: inspect.signature took ~9x longer (it
    reads the function back), ~1.4 ms for a build's ~30 classes without a docstring."""
    positional, keyword = [], []
    for f in fs:
        default = _FACTORY if f.default_factory is not MISSING else f.default
        shown = f"{f.name}: {_annotation(f.type)}" + ("" if default is MISSING else f" = {default!r}")
        (keyword if f.kw_only else positional).append(shown)
    # The dataclass drops " -> None" from the whole text: in a default's repr too.
    return f"({', '.join([*positional, *(['*', *keyword] if keyword else [])])})".replace(" -> None", "")


def _annotation(annotation: Any) -> str:
    """`inspect.formatannotation(annotation)`: a string (every annotation under `from __future__
    import annotations`) is its repr there, written here so that making a class reads nothing
    from inspect (agentc.entry puts off importing it)."""
    return repr(annotation) if type(annotation) is str else inspect.formatannotation(annotation)


def _inspected(cls: type) -> str:
    """The same for a class with an __init__ of its own."""
    try:
        return str(inspect.signature(cls)).replace(" -> None", "")
    except (TypeError, ValueError):
        return ""


def _init(cls: type, fs: tuple, *, frozen: bool, by_slot: bool) -> Any:
    """The one function compiled per class: `__init__(self, <fields>)` setting each field the way
    the dataclass's does (`self.name = name`; frozen: `object.__setattr__`), or, by_slot, through
    each slot's descriptor."""
    env: dict[str, Any] = {"_FACTORY": _FACTORY, "_object_setattr": object.__setattr__}
    positional, keyword, body = [], [], []
    defaults: list[Any] = []
    kwdefaults: dict[str, Any] = {}
    for f in fs:
        n = f.name
        if f.default_factory is not MISSING:
            # The default is the dataclass's own "<factory>" marker: the factory is called then.
            env[f"_factory_{n}"], default = f.default_factory, _FACTORY
            value = f"_factory_{n}() if {n} is _FACTORY else {n}"
        else:
            default, value = f.default, n
        if f.kw_only:
            keyword.append(n)
            if default is not MISSING:
                kwdefaults[n] = default
        else:
            if default is not MISSING:
                defaults.append(default)
            elif defaults:
                raise TypeError(f"non-default argument {n!r} follows default argument")
            positional.append(n)
        if by_slot:
            env[f"_set_{n}"] = _slot(cls, n).__set__
            body.append(f"    _set_{n}(self, {value})")
        elif frozen:
            body.append(f"    _object_setattr(self, {n!r}, {value})")
        else:
            body.append(f"    self.{n} = {value}")
    args = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    exec(_code(f"def __init__({args}):\n" + "\n".join(body or ["    pass"])), env)  # noqa: S102 - field names only, as dataclasses does
    init = env["__init__"]
    # The defaults are not in the source but in __defaults__/__kwdefaults__, as the objects themselves.
    init.__defaults__ = tuple(defaults) or None
    init.__kwdefaults__ = kwdefaults or None
    init.__annotations__ = {**{f.name: f.type for f in fs}, "return": None}
    init.__module__ = cls.__module__
    return init


def _code(source: str) -> CodeType:
    """`compile(source)`, from the file of the code this Python compiled before, as lazyre keeps
    patterns and Python keeps a module's bytecode: compiling the ~40 __init__s of a build's
    classes cost every process ~3.5 ms. New code is written at exit (`pycache.Kept`)."""
    code = _INITS.get(source)
    if type(code) is CodeType:
        return code
    code = compile(source, "<string>", "exec")
    _INITS.put(source, code)
    return code


def _methods(cls: type, names: tuple[str, ...], shown: tuple[str, ...], compared: tuple[str, ...], *,
             frozen: bool, slots: bool) -> dict[str, Any]:
    """What dataclass(...) writes as source for each class, as closures."""
    values = _getter(compared)  # a tuple of the compared fields, as the dataclass's (self.a, self.b,)

    def __eq__(self, other):  # noqa: N807
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    def __hash__(self):  # noqa: N807
        return hash(values(self))

    @reprlib.recursive_repr()
    def __repr__(self):  # noqa: N807
        return f"{self.__class__.__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in shown)})"

    out = {"__repr__": __repr__, "__eq__": __eq__, "__hash__": __hash__ if frozen else None}
    if not frozen:
        return out

    def __setattr__(self, name, value):  # noqa: N807
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self, name):  # noqa: N807
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    out.update({"__setattr__": __setattr__, "__delattr__": __delattr__})
    if not slots:
        return out

    def __getstate__(self):  # noqa: N807 - slots and frozen: pickle cannot set the fields itself
        return [getattr(self, n) for n in names]

    def __setstate__(self, state):  # noqa: N807
        for n, value in zip(names, state, strict=False):  # as dataclasses does
            object.__setattr__(self, n, value)

    out.update({"__getstate__": __getstate__, "__setstate__": __setstate__})
    return out


def _default(f: Any) -> tuple[Any, bool | None]:
    """A field's default for compiler/_frozen.c: (value, False), (factory, True), or (None, None)
    when it has none."""
    if f.default_factory is not MISSING:
        return f.default_factory, True
    return (f.default, False) if f.default is not MISSING else (None, None)


def _getter(names: tuple[str, ...]) -> Any:
    """self -> the tuple of these fields."""
    if len(names) > 1:
        return attrgetter(*names)
    return lambda self: tuple(getattr(self, n) for n in names)  # 0 or 1 field


def _slot(cls: type, name: str) -> Any:
    """The member descriptor of slot `name` (a subclass finds its parents' slots)."""
    for k in cls.__mro__:
        if name in k.__dict__:
            return k.__dict__[name]
    raise TypeError(f"{cls.__name__} has no slot {name!r}")
