/* agentc.compiler._frozen: the __init__ of compiler/frozen.py's `frozen` classes, in C.
 *
 * A 1000-agent build makes ~700 000 IR nodes and spans, each through its class's __init__: the
 * Python function frozen.py compiles (`__init__(self, *, file, line, col=1)`, each slot set
 * through its descriptor). install() gives such a class a C tp_init that does the same from the
 * keyword arguments: each field's value, else its default (a factory's is called), stored in its
 * slot. The class keeps its Python __init__ (introspection, an explicit `Cls.__init__(obj, ...)`)
 * and it stays the reference: any call the fast path does not take as is (a positional argument,
 * a missing or an unknown keyword) is handed to it, so errors are its own. frozen.py uses this
 * when it imports and AGENTC_PURE_PYTHON is not set; tests/test_frozen.py compares the two.
 *
 * install() also gives the class a vectorcall (PEP 590: a class's tp_vectorcall is what calling
 * it runs): `Span(file=f, line=3)` then fills a new object straight from the call's keyword
 * names, where type.__call__ first packs them into a dict for tp_new and tp_init (a Span
 * ~350 -> ~150 ns). Any other call (positional arguments, an unknown or a missing keyword, a
 * class whose __init__ or __new__ was replaced) goes through type.__call__ as before.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "_extension.h"
#include <structmember.h>

/* One class's fields, in __init__'s order. */
typedef struct {
    Py_ssize_t n;
    PyObject *init;          /* the Python __init__: the reference, called for any other shape of call */
    PyObject **names;        /* interned field names */
    PyObject **defaults;     /* NULL: required */
    char *factory;           /* 1: defaults[k] is a factory, called for each object */
    Py_ssize_t *offsets;     /* where each slot lives in the object */
} Fields;

static PyObject *CLASSES;  /* class -> capsule of its Fields */

/* The Fields of installed classes fields_of found, by the class's address: a build makes nearly all
 * its nodes from a dozen classes, and the dict lookup was a sixth of a call. Only classes that are
 * keys of CLASSES go in (the dict keeps them alive, so an address is never another class's), and
 * install() empties it (it may free a class's old Fields). */
#define CACHED 32
static PyTypeObject *cached_types[CACHED];
static Fields *cached_fields[CACHED];

static Fields *
fields_of(PyTypeObject *type)
{
    size_t at = ((uintptr_t)type / sizeof(PyTypeObject)) % CACHED;
    if (cached_types[at] == type) {
        return cached_fields[at];
    }
    for (PyTypeObject *t = type; t != NULL; t = t->tp_base) {  /* a subclass without an __init__ of its own */
        PyObject *capsule = PyDict_GetItemWithError(CLASSES, (PyObject *)t);  /* borrowed */
        if (capsule != NULL) {
            Fields *f = PyCapsule_GetPointer(capsule, NULL);
            if (f != NULL && t == type) {
                cached_types[at] = type;
                cached_fields[at] = f;
            }
            return f;
        }
        if (PyErr_Occurred()) {
            return NULL;
        }
    }
    PyErr_Format(PyExc_RuntimeError, "_frozen: %s was not installed", type->tp_name);
    return NULL;
}

/* self.__init__ as the Python function: init(self, *args, **kwds). */
static int
python_init(Fields *f, PyObject *self, PyObject *args, PyObject *kwds)
{
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    PyObject *all = PyTuple_New(n + 1);
    if (all == NULL) {
        return -1;
    }
    PyTuple_SET_ITEM(all, 0, Py_NewRef(self));
    for (Py_ssize_t k = 0; k < n; k++) {
        PyTuple_SET_ITEM(all, k + 1, Py_NewRef(PyTuple_GET_ITEM(args, k)));
    }
    PyObject *res = PyObject_Call(f->init, all, kwds);
    Py_DECREF(all);
    if (res == NULL) {
        return -1;
    }
    Py_DECREF(res);
    return 0;
}

/* The value of field k when the call does not give it (a new reference): its default, or a new
 * one from its factory; NULL with *missing set for a required field, NULL with an exception set
 * if the factory failed. */
static PyObject *
default_of(Fields *f, Py_ssize_t k, int *missing)
{
    if (f->defaults[k] == NULL) {
        *missing = 1;
        return NULL;
    }
    return f->factory[k] ? PyObject_CallNoArgs(f->defaults[k]) : Py_NewRef(f->defaults[k]);
}

/* Stores values[0..n) (new references, taken) in their slots of `self`. */
static void
store(Fields *f, PyObject *self, PyObject **values)
{
    for (Py_ssize_t j = 0; j < f->n; j++) {
        PyObject **slot = (PyObject **)((char *)self + f->offsets[j]);
        Py_XSETREF(*slot, values[j]);
    }
}

static int
frozen_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    Fields *f = fields_of(Py_TYPE(self));
    if (f == NULL) {
        return -1;
    }
    if (PyTuple_GET_SIZE(args) != 0 || (kwds != NULL && !PyDict_CheckExact(kwds))) {
        return python_init(f, self, args, kwds);
    }
    Py_ssize_t given = kwds != NULL ? PyDict_GET_SIZE(kwds) : 0, used = 0;
    PyObject *stack[16];
    PyObject **values = f->n <= 16 ? stack : PyMem_Malloc(f->n * sizeof(PyObject *));
    if (values == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t k = 0;
    int fallback = 0;
    for (; k < f->n; k++) {
        PyObject *v = kwds != NULL ? PyDict_GetItemWithError(kwds, f->names[k]) : NULL;  /* borrowed */
        if (v != NULL) {
            used++;
            v = Py_NewRef(v);
        }
        else if (PyErr_Occurred()) {
            break;
        }
        else if ((v = default_of(f, k, &fallback)) == NULL) {
            break;  /* a required field missing (the Python __init__ says so), or a factory's error */
        }
        values[k] = v;
    }
    int ok = k == f->n && used == given;  /* else a keyword that is no field, or an error above */
    if (ok) {
        store(f, self, values);
    }
    else {
        fallback = fallback || (k == f->n && !PyErr_Occurred());
        for (Py_ssize_t j = 0; j < k; j++) {
            Py_DECREF(values[j]);
        }
    }
    if (values != stack) {
        PyMem_Free(values);
    }
    if (ok) {
        return 0;
    }
    return fallback ? python_init(f, self, args, kwds) : -1;
}

/* cls(*args, **kwnames) as type.__call__ runs it: tp_new then tp_init, the keywords as a dict. */
static PyObject *
type_call(PyObject *cls, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    Py_ssize_t nkw = kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0;
    PyObject *tuple = PyTuple_New(nargs), *kwds = nkw ? PyDict_New() : NULL;
    PyObject *out = NULL;
    if (tuple != NULL && (nkw == 0 || kwds != NULL)) {
        for (Py_ssize_t k = 0; k < nargs; k++) {
            PyTuple_SET_ITEM(tuple, k, Py_NewRef(args[k]));
        }
        int rc = 0;
        for (Py_ssize_t k = 0; k < nkw && rc == 0; k++) {
            rc = PyDict_SetItem(kwds, PyTuple_GET_ITEM(kwnames, k), args[nargs + k]);
        }
        if (rc == 0) {
            out = PyType_Type.tp_call(cls, tuple, kwds);
        }
    }
    Py_XDECREF(tuple);
    Py_XDECREF(kwds);
    return out;
}

/* The index among `kwnames` of the keyword `name` (interned), or -1. Callers write the names
 * as literals, interned as the field names are: most match by identity. */
static Py_ssize_t
keyword_index(PyObject *kwnames, Py_ssize_t nkw, PyObject *name)
{
    for (Py_ssize_t i = 0; i < nkw; i++) {
        if (PyTuple_GET_ITEM(kwnames, i) == name) {
            return i;
        }
    }
    for (Py_ssize_t i = 0; i < nkw; i++) {
        PyObject *kw = PyTuple_GET_ITEM(kwnames, i);
        if (PyUnicode_Check(kw) && PyUnicode_CHECK_INTERNED(kw)) {
            continue;  /* two interned strings are equal only when they are one object */
        }
        if (PyUnicode_Compare(kw, name) == 0) {
            return i;
        }
    }
    return -1;
}

/* The class's vectorcall: a keywords-only call naming each field at most once, every required
 * one among them, fills a new object here; any other goes to type_call, and so to frozen_init
 * and the Python __init__, which say what is wrong. */
static PyObject *
frozen_vectorcall(PyObject *cls, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    PyTypeObject *type = (PyTypeObject *)cls;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    Py_ssize_t nkw = kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0;
    if (nargs != 0 || type->tp_init != frozen_init || type->tp_new != PyBaseObject_Type.tp_new
        || (type->tp_flags & Py_TPFLAGS_IS_ABSTRACT)) {
        return type_call(cls, args, nargs, kwnames);
    }
    Fields *f = fields_of(type);
    if (f == NULL) {
        return NULL;
    }
    PyObject *stack[16];
    PyObject **values = f->n <= 16 ? stack : PyMem_Malloc(f->n * sizeof(PyObject *));
    if (values == NULL) {
        return PyErr_NoMemory();
    }
    Py_ssize_t k = 0, used = 0;
    int missing = 0;
    for (; k < f->n; k++) {
        Py_ssize_t at = nkw ? keyword_index(kwnames, nkw, f->names[k]) : -1;
        if (at >= 0) {
            used++;
            values[k] = Py_NewRef(args[at]);
        }
        else if (PyErr_Occurred() || (values[k] = default_of(f, k, &missing)) == NULL) {
            break;
        }
    }
    PyObject *self = NULL;
    int ok = k == f->n && used == nkw;  /* else a keyword named twice or no field, or an error above */
    if (ok) {
        self = type->tp_alloc(type, 0);
    }
    if (self != NULL) {
        store(f, self, values);
    }
    else {
        for (Py_ssize_t j = 0; j < k; j++) {
            Py_DECREF(values[j]);
        }
    }
    if (values != stack) {
        PyMem_Free(values);
    }
    if (ok || PyErr_Occurred()) {
        return self;
    }
    return type_call(cls, args, nargs, kwnames);
}

static void
free_fields_of(Fields *f)
{
    for (Py_ssize_t k = 0; k < f->n; k++) {
        Py_XDECREF(f->names[k]);
        Py_XDECREF(f->defaults[k]);
    }
    Py_XDECREF(f->init);
    PyMem_Free(f->names);
    PyMem_Free(f->defaults);
    PyMem_Free(f->factory);
    PyMem_Free(f->offsets);
    PyMem_Free(f);
}

static void
free_fields(PyObject *capsule)
{
    Fields *f = PyCapsule_GetPointer(capsule, NULL);
    if (f != NULL) {
        free_fields_of(f);
    }
}

PyDoc_STRVAR(install_doc,
"install(cls, fields) -> None\n\n"
"Give `cls` (a slots class whose __init__ takes only keywords) the C __init__: `fields` is a\n"
"tuple of (name, member descriptor, default, is_factory) in __init__'s order, `default` None\n"
"with is_factory None for a required field.");

static PyObject *
install(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyType_Check(args[0]) || !PyTuple_Check(args[1]))
        return type_error("install(cls, fields: tuple)");
    PyTypeObject *type = (PyTypeObject *)args[0];
    PyObject *spec = args[1];
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return type_error("install: not a class made by a class statement");
    PyObject *init = PyDict_GetItemString(type->tp_dict, "__init__");  /* borrowed */
    if (init == NULL || !PyFunction_Check(init))
        return type_error("install: the class has no Python __init__ of its own");
    Py_ssize_t n = PyTuple_GET_SIZE(spec);
    Fields *f = PyMem_Calloc(1, sizeof(Fields));
    if (f == NULL) {
        return PyErr_NoMemory();
    }
    f->init = Py_NewRef(init);
    f->names = PyMem_Calloc(n + 1, sizeof(PyObject *));
    f->defaults = PyMem_Calloc(n + 1, sizeof(PyObject *));
    f->factory = PyMem_Calloc(n + 1, 1);
    f->offsets = PyMem_Calloc(n + 1, sizeof(Py_ssize_t));
    PyObject *capsule = PyCapsule_New(f, NULL, free_fields);
    if (capsule == NULL) {
        free_fields_of(f);
        return NULL;
    }
    if (f->names == NULL || f->defaults == NULL || f->factory == NULL || f->offsets == NULL) {
        Py_DECREF(capsule);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t k = 0; k < n; k++, f->n++) {
        PyObject *name, *descr, *dflt, *is_factory;
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(spec, k), "UOOO", &name, &descr, &dflt, &is_factory)) {
            Py_DECREF(capsule);
            return NULL;
        }
        /* A slot of this class or a base: an object pointer the descriptor would set. */
        if (!Py_IS_TYPE(descr, &PyMemberDescr_Type)
            || ((PyMemberDescrObject *)descr)->d_member->type != T_OBJECT_EX
            || (((PyMemberDescrObject *)descr)->d_member->flags & READONLY)
            || !PyType_IsSubtype(type, PyDescr_TYPE(descr))) {
            PyErr_Format(PyExc_TypeError, "install: %R is no writable slot of %s", name, type->tp_name);
            Py_DECREF(capsule);
            return NULL;
        }
        Py_INCREF(name);
        PyUnicode_InternInPlace(&name);
        f->names[k] = name;
        f->offsets[k] = ((PyMemberDescrObject *)descr)->d_member->offset;
        f->defaults[k] = is_factory == Py_None ? NULL : Py_NewRef(dflt);
        f->factory[k] = is_factory == Py_True;
    }
    memset(cached_types, 0, sizeof(cached_types));  /* before the old Fields may go */
    if (PyDict_SetItem(CLASSES, (PyObject *)type, capsule) < 0) {
        Py_DECREF(capsule);
        return NULL;
    }
    Py_DECREF(capsule);
    type->tp_init = frozen_init;
    type->tp_vectorcall = frozen_vectorcall;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(calls_here_doc,
"calls_here(cls) -> bool\n\n"
"Whether calling `cls` runs install()'s vectorcall (for the tests: nothing else shows it).");

static PyObject *
calls_here(PyObject *module, PyObject *cls)
{
    return PyBool_FromLong(PyType_Check(cls) && ((PyTypeObject *)cls)->tp_vectorcall == frozen_vectorcall);
}

static PyMethodDef methods[] = {
    FASTCALL_METHOD("install", install, install_doc),
    {"calls_here", calls_here, METH_O, calls_here_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_frozen", "The C __init__ of compiler/frozen.py's frozen classes.", -1, methods,
};

PyMODINIT_FUNC
PyInit__frozen(void)
{
    CLASSES = PyDict_New();
    if (CLASSES == NULL) {
        return NULL;
    }
    return PyModule_Create(&module_def);
}
