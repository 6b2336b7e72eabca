/* The shapes every C extension module of agentc repeats (compiler/_markdown.c, _mentions.c,
 * _judge.c, _graph.c, _frozen.c, agentc/_codec.c, targets/_shared/_text.c), written once:
 * a bad call's TypeError, the "configure() first" RuntimeError, a run of Py_XDECREFs and a
 * METH_FASTCALL method table entry. Each module includes it after <Python.h>; setup.py names it
 * in every Extension's `depends` (and MANIFEST.in ships it), so a change rebuilds them all. */

#ifndef AGENTC_EXTENSION_H
#define AGENTC_EXTENSION_H

#include <Python.h>

/* A call with the wrong arguments: TypeError(message), NULL for the caller to return. The
 * message is the function's signature, which tests/test_*_native.py read back. */
static inline PyObject *
type_error(const char *message)
{
    PyErr_SetString(PyExc_TypeError, message);
    return NULL;
}

/* A function called before its module's configure() gave it the Python types it reads:
 * RuntimeError("<function>: configure() first"), NULL for the caller to return. */
static inline PyObject *
unconfigured(const char *function)
{
    PyErr_Format(PyExc_RuntimeError, "%s: configure() first", function);
    return NULL;
}

static inline void
xdecref_each(PyObject *const *refs, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        Py_XDECREF(refs[k]);
    }
}

/* Py_XDECREF of each argument (PyObject *s, any of them NULL), as a function's cleanup does. */
#define XDECREF_ALL(...)                                                                              \
    xdecref_each((PyObject *const[]){__VA_ARGS__}, sizeof((PyObject *const[]){__VA_ARGS__}) / sizeof(PyObject *))

/* A method table entry for a METH_FASTCALL function (args, nargs). */
#define FASTCALL_METHOD(name, function, doc) {name, (PyCFunction)(void (*)(void))(function), METH_FASTCALL, doc}

#endif
