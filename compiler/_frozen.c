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
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
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

static Fields *
fields_of(PyTypeObject *type)
{
    for (PyTypeObject *t = type; t != NULL; t = t->tp_base) {  /* a subclass without an __init__ of its own */
        PyObject *capsule = PyDict_GetItemWithError(CLASSES, (PyObject *)t);  /* borrowed */
        if (capsule != NULL) {
            return PyCapsule_GetPointer(capsule, NULL);
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
        else if (f->defaults[k] == NULL) {
            fallback = 1;  /* a required field missing: the Python __init__ says so */
            break;
        }
        else if (f->factory[k]) {
            v = PyObject_CallNoArgs(f->defaults[k]);
            if (v == NULL) {
                break;
            }
        }
        else {
            v = Py_NewRef(f->defaults[k]);
        }
        values[k] = v;
    }
    int ok = k == f->n && used == given;  /* else a keyword that is no field, or an error above */
    if (ok) {
        for (Py_ssize_t j = 0; j < f->n; j++) {
            PyObject **slot = (PyObject **)((char *)self + f->offsets[j]);
            Py_XSETREF(*slot, values[j]);
        }
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
    if (nargs != 2 || !PyType_Check(args[0]) || !PyTuple_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "install(cls, fields: tuple)");
        return NULL;
    }
    PyTypeObject *type = (PyTypeObject *)args[0];
    PyObject *spec = args[1];
    if (!(type->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        PyErr_SetString(PyExc_TypeError, "install: not a class made by a class statement");
        return NULL;
    }
    PyObject *init = PyDict_GetItemString(type->tp_dict, "__init__");  /* borrowed */
    if (init == NULL || !PyFunction_Check(init)) {
        PyErr_SetString(PyExc_TypeError, "install: the class has no Python __init__ of its own");
        return NULL;
    }
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
    if (PyDict_SetItem(CLASSES, (PyObject *)type, capsule) < 0) {
        Py_DECREF(capsule);
        return NULL;
    }
    Py_DECREF(capsule);
    type->tp_init = frozen_init;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"install", (PyCFunction)(void (*)(void))install, METH_FASTCALL, install_doc},
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
