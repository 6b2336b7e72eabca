"""compiler/frozen.py: the IR's nodes and Span behave as the frozen dataclasses they were, with a
faster __init__; the classes `lean` makes behave as `dataclass` makes them."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import marshal
import pickle
import typing
from dataclasses import FrozenInstanceError, InitVar, dataclass, field
from typing import ClassVar

import pytest

from agentc.compiler import frozen as frozen_module
from agentc.compiler import ir, pycache
from agentc.compiler.diagnostics import Diagnostic
from agentc.compiler.frozen import frozen, lean
from agentc.compiler.pycache import Kept
from agentc.compiler.span import Span

# ProjectIR is made once per build and keeps its indexes in a __dict__: a plain frozen dataclass.
NODES = [c for c in vars(ir).values() if isinstance(c, type) and issubclass(c, ir.Node) and c not in (ir.Node, ir.ProjectIR)]
FROZEN = [*NODES, Span, Diagnostic]


def _body():
    class C:
        text: str
        count: int = 3
        table: dict = field(default_factory=dict)
        words: tuple[str, ...] = ()
        last: str | None

    return C


PLAIN, FAST = dataclass(frozen=True, slots=True, kw_only=True)(_body()), frozen(_body())


def _outcome(call):
    try:
        return "ok", call()
    except Exception as exc:  # noqa: BLE001 - the error itself is what is compared
        return type(exc).__name__, str(exc)


def test_same_signature_fields_and_errors_as_the_dataclass():
    assert inspect.signature(FAST) == inspect.signature(PLAIN)
    assert inspect.signature(FAST.__init__) == inspect.signature(PLAIN.__init__)
    assert FAST.__init__.__qualname__ == PLAIN.__init__.__qualname__
    assert [(f.name, f.default, f.default_factory) for f in dataclasses.fields(FAST)] == \
        [(f.name, f.default, f.default_factory) for f in dataclasses.fields(PLAIN)]
    calls = [
        lambda c: c(text="é🙂", last=None),
        lambda c: c(text="x", count=5, table={"a": "b"}, words=("w",), last="l"),
        lambda c: c(text="x"),  # a required one missing
        lambda c: c(),  # both missing
        lambda c: c("x", last=None),  # positional
        lambda c: c(text="x", last=None, other=1),  # unknown
    ]
    for call in calls:
        plain, fast = _outcome(lambda c=call: c(PLAIN)), _outcome(lambda c=call: c(FAST))
        assert fast[0] == plain[0]
        assert (repr(fast[1]) if fast[0] == "ok" else fast[1]) == (repr(plain[1]) if plain[0] == "ok" else plain[1])


def _one():
    class One:
        x: str

    return One


def _none():
    class Empty:
        pass

    return Empty


def _pair(cls, **more):
    return cls(text="é🙂\r\n", table={"k": 1}, last=None, **more)


def test_same_methods_as_the_dataclass():
    assert FAST.__doc__ == PLAIN.__doc__  # made from the signature, as pydantic's schema expects
    assert repr(FAST.__dataclass_params__) == repr(PLAIN.__dataclass_params__)
    assert FAST.__match_args__ == PLAIN.__match_args__ and FAST.__slots__ == PLAIN.__slots__
    for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
        assert getattr(FAST, name).__qualname__ == getattr(PLAIN, name).__qualname__, name
    a, b = _pair(FAST), _pair(FAST, count=4)
    assert repr(a) == repr(_pair(PLAIN)).replace(PLAIN.__qualname__, FAST.__qualname__)
    assert (a == _pair(FAST), a == b, a != b, a == _pair(PLAIN), a.__eq__(1)) == (True, False, True, False, NotImplemented)
    for make in (_one, _none):  # the fields' tuple of one field, and of none
        plain, fast = dataclass(frozen=True, slots=True, kw_only=True)(make()), frozen(make())
        args = {"x": "é"} if make is _one else {}
        assert hash(fast(**args)) == hash(plain(**args)) and fast(**args) == fast(**args)
        assert repr(fast(**args)) == repr(plain(**args)) and fast.__doc__ == plain.__doc__
    assert hash(_item()) == hash((_item().text, None, _item().span)) != hash(ir.Item(text="y", span=_item().span))
    with pytest.raises(TypeError):  # the dict field: unhashable, as the dataclass's hash
        hash(a)
    for do in (lambda o: setattr(o, "text", "y"), lambda o: delattr(o, "text")):
        assert _outcome(lambda d=do: d(_pair(FAST))) == _outcome(lambda d=do: d(_pair(PLAIN)))
    # Not a field: the dataclass's __setattr__ (CPython 3.11) calls super() on the class it had
    # before making it slotted and fails with a TypeError; here it is refused as a field is.
    with pytest.raises(FrozenInstanceError):
        _pair(FAST).other = 1
    assert a.__getstate__() == _pair(PLAIN).__getstate__()
    loop = FAST(text="x", table={}, last=None)
    loop.table["self"] = loop  # a cycle through a field: repr stops as the dataclass's does
    plain_loop = PLAIN(text="x", table={}, last=None)
    plain_loop.table["self"] = plain_loop
    assert repr(loop) == repr(plain_loop).replace(PLAIN.__qualname__, FAST.__qualname__)


def test_a_default_factory_makes_a_new_value_each_time():
    a, b = FAST(text="x", last=None), FAST(text="x", last=None)
    assert a.table == {} and a.table is not b.table
    given = {"k": "v"}
    assert FAST(text="x", table=given, last=None).table is given


@pytest.mark.parametrize("cls", FROZEN, ids=lambda c: c.__name__)
def test_nodes_are_still_frozen_dataclasses_with_the_dataclass_signature(cls):
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen and "__slots__" in vars(cls)
    params = inspect.signature(cls).parameters
    for f in dataclasses.fields(cls):
        p = params[f.name]
        assert p.kind is inspect.Parameter.KEYWORD_ONLY
        if f.default is not dataclasses.MISSING:
            assert p.default is f.default
        elif f.default_factory is not dataclasses.MISSING:
            assert repr(p.default) == "<factory>"
        else:
            assert p.default is inspect.Parameter.empty
    assert list(params) == [f.name for f in dataclasses.fields(cls)]
    # Not dataclasses' frozen __init__ (object.__setattr__ by name): each slot's own setter.
    code = cls.__init__.__code__
    assert "__dataclass_builtins_object__" not in code.co_names + code.co_freevars
    # The other methods are not compiled per class (importing the IR compiled ~130 functions).
    for name in ("__eq__", "__hash__", "__setattr__", "__delattr__", "__getstate__", "__setstate__"):
        assert getattr(cls, name).__code__ is getattr(Span, name).__code__


def _python_init(cls, *args, **kwargs):
    """An object of `cls` made by the Python __init__ frozen.py compiles, which the class keeps
    as its __init__ even when compiler/_frozen.c's is installed (calling it by name uses it)."""
    obj = cls.__new__(cls)
    cls.__init__(obj, *args, **kwargs)
    return obj


def _state(outcome):
    kind, value = outcome
    return (kind, [(n, type(v).__name__, v if not isinstance(v, (dict, list)) else repr(v)) for n, v in
                   zip((f.name for f in dataclasses.fields(value)), value.__getstate__(), strict=True)]) \
        if kind == "ok" else outcome


@pytest.mark.skipif(frozen_module._C is None, reason="compiler/_frozen.c not built, or AGENTC_PURE_PYTHON set")
@pytest.mark.parametrize("cls", [*FROZEN, FAST], ids=lambda c: c.__name__)
def test_the_c_init_makes_what_the_python_init_makes(cls):
    """compiler/_frozen.c's __init__ against the Python one, field by field and error by error:
    every field given, only the required ones, odd values, and calls it hands to the Python one
    (positional, missing, unknown)."""
    fs = dataclasses.fields(cls)
    odd = ["", "é🙂\r\n", "x" * 100_000, None, 0, ("t",), {"k": []}]
    required = {f.name: odd[k % len(odd)] for k, f in enumerate(fs)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    every = {f.name: odd[(k + 1) % len(odd)] for k, f in enumerate(fs)}
    first = fs[0].name
    calls = [((), every), ((), required), ((), {**every, "unknown": 1}), (("x",), required),
             ((), {k: v for k, v in required.items() if k != first}), ((), {}), ((), {**every, "self": 1})]
    for args, kwargs in calls:
        fast = _outcome(lambda a=args, k=kwargs: cls(*a, **k))
        slow = _outcome(lambda a=args, k=kwargs: _python_init(cls, *a, **k))
        assert _state(fast) == _state(slow), (args, kwargs)
    made = cls(**every)
    assert all(getattr(made, n) is v for n, v in every.items())  # the values themselves, not copies


@pytest.mark.skipif(frozen_module._C is None, reason="compiler/_frozen.c not built, or AGENTC_PURE_PYTHON set")
def test_the_c_init_runs_no_python_and_calls_a_factory_each_time():
    import sys

    called: list[str] = []
    sys.setprofile(lambda frame, event, arg: called.append(frame.f_code.co_name) if event == "call" else None)
    try:
        Span(file="a.md", line=1)
        ir.Item(text="x", span=Span(file="a.md", line=2, col=3))
    finally:
        sys.setprofile(None)
    assert "__init__" not in called
    a, b = FAST(text="x", last=None), FAST(text="x", last=None)
    assert a.table == {} and a.table is not b.table

    def broken():
        raise RuntimeError("factory")

    class Broken:
        text: str
        table: dict = field(default_factory=broken)

    made = frozen(Broken)
    assert _outcome(lambda: made(text="x")) == _outcome(lambda: _python_init(made, text="x")) == ("RuntimeError", "factory")

    class Sub(FAST):  # a subclass without an __init__ of its own makes what its parent's makes
        __slots__ = ()

    assert _state(_outcome(lambda: Sub(text="x", last=None))) == _state(_outcome(lambda: _python_init(Sub, text="x", last=None)))


@pytest.mark.skipif(frozen_module._C is None, reason="compiler/_frozen.c not built, or AGENTC_PURE_PYTHON set")
@pytest.mark.parametrize("cls", [*FROZEN, FAST], ids=lambda c: c.__name__)
def test_the_c_call_makes_what_type_call_and_the_python_init_make(cls):
    """The class's C vectorcall (`cls(**kw)`) against type.__call__ (tp_new, then the C __init__)
    and the Python __init__: keywords in any order, names made at run time (not interned),
    and the calls it hands to type.__call__ (a keyword twice is Python's own error)."""
    assert frozen_module._C.calls_here(cls)
    fs = dataclasses.fields(cls)
    every = {f.name: ("v", k) for k, f in enumerate(fs)}
    backwards = dict(reversed(every.items()))
    built = {"".join(list(name)): v for name, v in every.items()}
    for kwargs in (every, backwards, built, {**every, "zz": 1}, {}):
        fast = _outcome(lambda k=kwargs: cls(**k))
        via_type = _outcome(lambda k=kwargs: type.__call__(cls, **k))
        slow = _outcome(lambda k=kwargs: _python_init(cls, **k))
        assert _state(fast) == _state(via_type) == _state(slow), kwargs
    assert _outcome(lambda: cls(1, **every)) == _outcome(lambda: _python_init(cls, 1, **every))


@pytest.mark.skipif(frozen_module._C is None, reason="compiler/_frozen.c not built, or AGENTC_PURE_PYTHON set")
def test_the_c_call_leaks_nothing_and_yields_to_a_replaced_init():
    from conftest import assert_no_leak

    assert_no_leak(lambda: ir.Item(text="x", span=Span(file="a.md", line=300, col=4)))
    assert_no_leak(lambda: _outcome(lambda: Span(file="a.md", col=2)))  # handed on: a required field is missing
    assert_no_leak(lambda: _outcome(lambda: Span(file="a.md", line=1, bogus=2)))

    made = frozen(_body())
    calls = []

    def init(self, **kw):
        calls.append(kw)
        object.__setattr__(self, "text", "mine")

    made.__init__ = init  # what the class says it runs is what runs
    assert made(text="x", last=None).text == "mine" and calls == [{"text": "x", "last": None}]


@pytest.mark.skipif(frozen_module._C is None, reason="compiler/_frozen.c not built, or AGENTC_PURE_PYTHON set")
def test_a_class_installed_again_is_made_from_its_new_fields():
    """_frozen.c keeps the fields of the classes it last made by their address; installing a class
    again (its old fields freed) must not leave them there."""
    made = frozen(_body())
    assert made(text="x", last=None).count == 3  # its fields are now kept
    spec = [(f.name, frozen_module._slot(made, f.name), *frozen_module._default(f)) for f in dataclasses.fields(made)]
    frozen_module._C.install(made, tuple((n, d, 4, False) if n == "count" else (n, d, v, fac) for n, d, v, fac in spec))
    assert made(text="x", last=None).count == 4
    assert Span(file="a.md", line=1) == Span(file="a.md", line=1, col=1)  # the other classes are looked up again


def _item() -> ir.Item:
    return ir.Item(text="do ✓ this\r\n", title=None, span=Span(file="a.md", line=3, col=2))


def test_assignment_after_init_raises():
    item = _item()
    with pytest.raises(FrozenInstanceError):
        item.text = "other"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del item.span  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        item.span.line = 4  # type: ignore[misc]


def test_eq_hash_replace_and_pickle():
    item = _item()
    assert item == _item() and hash(item) == hash(_item())
    moved = dataclasses.replace(item, title="t")
    assert (moved.title, moved.text, moved.span) == ("t", item.text, item.span)
    assert pickle.loads(pickle.dumps(item)) == item
    assert str(item.span) == "a.md:3:2"


def test_pydantic_still_validates_and_dumps_the_nodes():
    item = _item()
    data = ir.dump(item)
    assert data == {"text": "do ✓ this\r\n", "title": None, "span": {"file": "a.md", "line": 3, "col": 2}}
    assert ir.adapter(ir.Item).validate_python(data) == item
    with pytest.raises(Exception, match="Unexpected keyword"):
        ir.adapter(ir.Item).validate_python({**data, "other": 1})


# -- lean: the other dataclasses of a build, compared with what dataclass(...) makes ---------------

LEAN_OPTIONS = [{}, {"slots": True}, {"frozen": True}, {"frozen": True, "slots": True}, {"kw_only": True},
                {"slots": True, "kw_only": True}, {"frozen": True, "init": False}]


def _lean_made(make, options):
    """Base and Item(Base) through `make` (dataclass or lean) with these options; init=False
    classes get an __init__ of their own, as BuildOptions has."""

    def own_init(self, **values):
        for f in dataclasses.fields(self):
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            object.__setattr__(self, f.name, values.pop(f.name, default))

    class Base:
        """A base with a docstring."""

        line: int
        col: int = 1
        note: str = field(default="", repr=False)

    if options.get("init") is False:
        Base.__init__ = own_init
    Base = make(**options)(Base)  # noqa: N806

    class Item(Base if not options.get("frozen") else object):  # no docstring: the dataclass's is made from the signature
        if options.get("frozen"):  # frozen() and lean() make no subclass of a frozen dataclass
            line: int
            col: int = 1
            note: str = field(default="", repr=False)
        text: str = "é🙂\r\n"
        seen: list = field(default_factory=list)
        weight: float = field(default=0.5, compare=False)
        kind: ClassVar[str] = "item"  # not a field

    if options.get("init") is False:
        Item.__init__ = own_init
    return Base, make(**options)(Item)


def _lean_behaviour(base, item):
    """Everything a user of the classes can see, as comparable values."""
    out = {}
    for cls in (base, item):
        out[cls.__name__] = (
            str(inspect.signature(cls)), cls.__doc__, repr(cls.__dataclass_params__), cls.__match_args__,
            getattr(cls, "__slots__", None), cls.__hash__ is None,
            [(f.name, f.default, f.default_factory, f.repr, f.compare, f.kw_only) for f in dataclasses.fields(cls)],
            sorted(n for n in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__")
                   if n in vars(cls) and vars(cls)[n] is not None and vars(cls)[n].__qualname__ == f"{cls.__qualname__}.{n}"),
        )
    one = item(line=3, note="n", seen=["a"])
    same, moved = item(line=3, seen=["a"], weight=9.0), item(line=4, seen=["a"])
    out["instances"] = (repr(one), one == same, one == moved, one != moved, one.__eq__(1), one == base(line=3),
                        _outcome(lambda: hash(one)), _outcome(lambda: hash(base(line=1))),
                        repr(dataclasses.replace(one, text="t")),
                        dataclasses.astuple(one), item(line=1).seen is not item(line=1).seen)
    if base.__dataclass_params__.init:
        calls = [lambda: item(), lambda: item(3, 2), lambda: item(line=1, other=2), lambda: base(1, 2, "x", 4)]
        out["calls"] = [(_outcome(c)[0], repr(_outcome(c)[1])) for c in calls]
    assign = [lambda o: setattr(o, "line", 9), lambda o: delattr(o, "col")]
    if not (item.__dataclass_params__.frozen and "__slots__" in vars(item)):
        # not a field, on a frozen slotted one: CPython 3.11's dataclass fails (see above)
        assign.append(lambda o: setattr(o, "other", 1))
    for do in assign:
        target = item(line=1)
        outcome = _outcome(lambda d=do, t=target: d(t))
        out.setdefault("assign", []).append((outcome, _outcome(lambda t=target: repr(t))))
    loop = item(line=1)
    loop.seen.append(loop)  # a cycle through a field: repr stops as the dataclass's does
    out["loop"] = repr(loop)
    return out


@lean(frozen=True, slots=True)
class _Pickled:
    a: int
    b: list = field(default_factory=list)


@lean(slots=True)
class _PickledPlain:
    a: int
    b: list = field(default_factory=list)


def test_lean_classes_pickle():
    for cls in (_Pickled, _PickledPlain):
        assert pickle.loads(pickle.dumps(cls(1, ["é🙂"]))) == cls(1, ["é🙂"])


@pytest.mark.parametrize("options", LEAN_OPTIONS, ids=lambda o: ",".join(o) or "plain")
def test_lean_makes_what_dataclass_makes(options):
    assert _lean_behaviour(*_lean_made(lean, options)) == _lean_behaviour(*_lean_made(dataclass, options))


def _as_metaclass(options):
    """`lean(**options)` used as the class statement's metaclass, for `_lean_made`: each class
    made again, once, from the namespace its statement gave."""

    def make(cls):
        namespace = {k: v for k, v in vars(cls).items() if k not in ("__dict__", "__weakref__")}
        return lean(**options)(cls.__name__, cls.__bases__, {**namespace, "__qualname__": cls.__qualname__})

    return lambda **_: make


@pytest.mark.parametrize("options", [o for o in LEAN_OPTIONS if o.get("slots")], ids=lambda o: ",".join(o))
def test_lean_as_a_metaclass_makes_what_the_decorator_makes(options):
    assert _lean_behaviour(*_lean_made(_as_metaclass(options), options)) == _lean_behaviour(*_lean_made(lean, options))


def _snapshot(cls):
    """A made class as comparable values: its namespace (functions by what they are), fields,
    slots, doc, signature parts, and whether compiler/_frozen.c runs its calls."""

    def shown(v):
        if hasattr(v, "__code__"):
            return ("function", v.__qualname__, v.__code__.co_code, v.__defaults__, v.__kwdefaults__, v.__annotations__, v.__module__)
        if isinstance(v, dict):
            return sorted((k, shown(x)) for k, x in v.items())
        return type(v).__name__ if type(v).__repr__ is object.__repr__ else repr(v)

    installed = frozen_module._C.calls_here(cls) if frozen_module._C is not None else None
    return (type(cls), cls.__name__, cls.__qualname__, cls.__module__, [k.__name__ for k in cls.__mro__],
            sorted((k, shown(v)) for k, v in vars(cls).items()), cls.__doc__, installed,
            [(f.name, f.type, f.default, f.default_factory, f.kw_only, f.repr, f.compare, f._field_type) for f in dataclasses.fields(cls)])


def test_frozen_as_a_metaclass_makes_the_class_the_decorator_makes():
    """`class X(Base, metaclass=frozen)` makes in one go the class `@frozen` makes in two (the
    statement's, then the slotted one): the same namespace, fields, doc and C __init__, and
    instances that behave the same, for every IR node and a class with what nodes have."""

    def body():
        return {"__module__": __name__, "__qualname__": "Node", "__annotations__": {"text": "str", "count": "int", "table": "dict",
                "last": "str | None", "kind": "ClassVar[str]"}, "count": 3, "table": field(default_factory=dict),
                "kind": "k", "where": lambda self: self.text}

    for name, bases, namespace in [("Node", (), body), ("Node", (ir.Node,), body),
                                   *((c.__name__, c.__bases__, lambda c=c: _namespace_of(c)) for c in NODES)]:
        once, twice = frozen(name, bases, namespace()), frozen(type(name, bases, namespace()))
        assert _snapshot(once) == _snapshot(twice)
        if name == "Node":
            made = [cls(text="é🙂", last=None) for cls in (once, twice)]
            assert [repr(m) for m in made] == [repr(made[1])] * 2 and made[0].table is not made[1].table
            assert _outcome(lambda m=made[0]: setattr(m, "text", "x")) == _outcome(lambda m=made[1]: setattr(m, "text", "x"))
            assert repr(copy.copy(made[0])) == repr(made[1])  # through __getstate__ and __setstate__, as pickle


def _namespace_of(cls):
    """An IR node's class statement namespace again: its own attributes, its fields' defaults
    back where the statement wrote them, and no slots."""
    namespace = {k: v for k, v in vars(cls).items() if k not in (*cls.__slots__, "__slots__", "__dataclass_fields__",
                                                                    "__dataclass_params__", "__match_args__")
                 and not (hasattr(v, "__qualname__") and v.__qualname__.startswith(f"{cls.__qualname__}.__"))}
    for f in dataclasses.fields(cls):
        if f.default_factory is not dataclasses.MISSING:
            namespace[f.name] = field(default_factory=f.default_factory)
        elif f.default is not dataclasses.MISSING:
            namespace[f.name] = f.default
    namespace["__doc__"] = vars(cls)["__doc__"] if cls.__doc__ and not cls.__doc__.startswith(f"{cls.__name__}(") else None
    return {**namespace, "__qualname__": cls.__qualname__}


def test_a_metaclass_refuses_what_it_does_not_make():
    with pytest.raises(TypeError, match="one base class at most"):
        frozen("Two", (ir.Node, object), {"__annotations__": {"x": "int"}})
    with pytest.raises(TypeError, match="slots=True only"):
        lean(frozen=True)("Plain", (), {"__annotations__": {"x": "int"}})
    with pytest.raises(TypeError, match="__post_init__"):
        frozen("Post", (), {"__annotations__": {"x": "int"}, "__post_init__": lambda self: None})
    with pytest.raises(TypeError, match="already specifies __slots__"):
        frozen("Slotted", (), {"__annotations__": {"x": "int"}, "__slots__": ("x",)})


def test_lean_shares_its_methods_and_compiles_only_init():
    a, b = _lean_made(lean, {"frozen": True})
    c, d = _lean_made(lean, {"slots": True})
    assert a.__eq__.__code__ is c.__eq__.__code__ and a.__setattr__.__code__ is b.__setattr__.__code__
    assert a.__init__.__code__ is not b.__init__.__code__


def test_lean_keeps_what_the_class_writes_itself():
    def body():
        class Own:
            x: int

            def __repr__(self):
                return "own"

            def __eq__(self, other):
                return True

            def __hash__(self):
                return 7

        return Own

    for options in ({}, {"frozen": True}, {"slots": True}):
        made, plain = lean(**options)(body()), dataclass(**options)(body())
        assert (repr(made(1)), made(1) == made(2), hash(made(1))) == (repr(plain(1)), plain(1) == plain(2), hash(plain(1)))


@pytest.mark.parametrize("body", ["post_init", "init_false", "initvar", "frozen_on_plain", "frozen_on_frozen"])
def test_lean_refuses_what_it_does_not_make(body):
    class Plain:
        x: int

    bodies = {
        "post_init": lambda: type("P", (), {"__annotations__": {"x": "int"}, "__post_init__": lambda self: None}),
        "init_false": lambda: type("P", (), {"__annotations__": {"x": "int"}, "x": field(init=False, default=0)}),
        "initvar": lambda: type("P", (), {"__annotations__": {"x": InitVar[int]}}),
        "frozen_on_plain": lambda: type("P", (dataclass(Plain),), {"__annotations__": {"y": "int"}}),
        "frozen_on_frozen": lambda: type("P", (dataclass(frozen=True)(Plain),), {"__annotations__": {"y": "int"}}),
    }
    with pytest.raises(TypeError):
        lean(frozen=body.startswith("frozen"))(bodies[body]())


# -- the compiled __init__s kept in a file (frozen._code) -------------------------------------------


@pytest.fixture
def code_file(tmp_path, monkeypatch):
    """frozen's file of compiled __init__s in a temporary file, empty at the start."""
    path = tmp_path / "inits.marshal"
    monkeypatch.setattr(frozen_module, "_INITS", Kept(str(path), most=512))
    return path


def _coded():
    class Coded:
        name: str = "é🙂"
        seen: list = field(default_factory=list)

    return lean(slots=True)(Coded)


def test_init_code_comes_from_the_file_the_last_process_wrote(code_file):
    first = _coded()
    inits = frozen_module._INITS
    assert len(inits.new) == 1
    inits.write()
    inits.known, inits.new = None, {}
    again = _coded()
    assert not inits.new and len(inits.known) == 1  # from the file, not compiled
    assert again.__init__.__code__ == first.__init__.__code__
    assert (repr(again()), again("x", [1]).seen, again().seen is not again().seen) == (repr(first()).replace(
        first.__qualname__, again.__qualname__), [1], True)


@pytest.mark.parametrize("content", [b"", b"not marshal", marshal.dumps(("other python", {})), marshal.dumps([1, 2]),
                                     "table"])
def test_a_stale_or_damaged_code_file_is_ignored(code_file, content):
    if content == "table":  # this Python's file, but the class's source holding no code
        _coded()
        content = marshal.dumps((pycache.VERSION, dict.fromkeys(frozen_module._INITS.new, "not code")))
        frozen_module._INITS.known, frozen_module._INITS.new = None, {}
    code_file.write_bytes(content)
    made = _coded()
    assert len(frozen_module._INITS.new) == 1  # compiled anew, to be written again
    assert made("x").name == "x" and made().seen == []


def _agentc_dataclasses():
    """Every dataclass of agentc's own modules that a claude build imports."""
    import agentc.api
    import agentc.cache
    import agentc.compiler.delegation
    import agentc.compiler.frontmatter
    import agentc.compiler.markdown
    import agentc.compiler.mentions
    import agentc.compiler.options
    import agentc.compiler.source
    import agentc.compiler.suppress
    import agentc.discover
    import agentc.runner
    import agentc.targets
    import agentc.writer

    modules = [agentc.api, agentc.cache, agentc.compiler.delegation, agentc.compiler.frontmatter, agentc.compiler.markdown,
               agentc.compiler.mentions, agentc.compiler.options, agentc.compiler.source, agentc.compiler.suppress,
               agentc.discover, agentc.runner, agentc.targets, agentc.writer, ir, Span, Diagnostic]
    found = {c for m in modules for c in ([m] if isinstance(m, type) else vars(m).values())
             if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__.startswith("agentc.")}
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


@pytest.mark.parametrize("cls", _agentc_dataclasses(), ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_a_class_without_a_docstring_gets_the_dataclass_one(cls):
    """`lean` and `frozen` write the doc from the fields, where dataclass reads it back with inspect."""
    if cls.__doc__.startswith(cls.__name__ + "("):
        assert cls.__doc__ == cls.__name__ + str(inspect.signature(cls)).replace(" -> None", "")


CV = ClassVar  # an alias: dataclass finds what a string annotation's first name is bound to in the module


def _field_bodies():
    """Class bodies whose fields dataclass reads in each of its ways: string annotations naming
    ClassVar directly, through `typing.` and through an alias; annotations that are types; a
    default inherited from a plain base; a field(...) with metadata and one without a default;
    a lean base's fields before the class's own."""

    class Plain:
        inherited: int = 7

    def strings():
        class S(Plain):
            a: int
            b: ClassVar[int] = 1
            c: typing.ClassVar[str] = "c"
            d: CV = 2
            inherited: int
            e: str = field(default="e", metadata={"k": "v"}, repr=False)
            f: list = field(default_factory=list, compare=False)
            g: str = field(kw_only=True)

        return S

    def types():
        return type("T", (), {"__annotations__": {"a": int, "b": ClassVar[int], "c": ClassVar, "d": str | None}, "b": 1, "c": 2,
                              "d": None})

    def based(make, options):
        base = make(**options)(type("B", (), {"__annotations__": {"x": "int", "y": "str"}, "y": "y"}))
        return lambda: type("D", (base,), {"__annotations__": {"z": "int", "x": "int"}, "z": 3, "x": 4})

    return strings, types, based


def _fields_made(cls):
    """What dataclass leaves on a class about its fields, comparable."""
    names = list(cls.__dataclass_fields__)
    return (repr(list(cls.__dataclass_fields__.values())), cls.__match_args__, getattr(cls, "__slots__", None),
            {n: repr(vars(cls).get(n, "<none>")) for n in names}, [f.name for f in dataclasses.fields(cls)])


@pytest.mark.parametrize("options", [{}, {"slots": True}, {"kw_only": True}, {"frozen": True, "slots": True, "kw_only": True}],
                         ids=lambda o: ",".join(o) or "plain")
def test_lean_reads_fields_as_dataclass_reads_them(options):
    strings, types, based = _field_bodies()
    bodies = [strings, types] + ([] if options.get("frozen") else [based(lean, options)])
    plain_bodies = [strings, types] + ([] if options.get("frozen") else [based(dataclass, options)])
    for body, plain_body in zip(bodies, plain_bodies, strict=True):
        assert _fields_made(lean(**options)(body())) == _fields_made(dataclass(**options)(plain_body()))


def test_lean_refuses_a_mutable_default_and_a_field_without_annotation_as_dataclass_does():
    bodies = [lambda: type("M", (), {"__annotations__": {"x": "list"}, "x": []}),
              lambda: type("N", (), {"__annotations__": {"x": "int"}, "y": field(default=1)}),
              lambda: type("K", (), {"__annotations__": {"x": "ClassVar[int]"}, "x": field(default_factory=list)})]
    for body in bodies:
        assert _outcome(lambda b=body: lean()(b())) == _outcome(lambda b=body: dataclass(b()))
