/* The shapes every C extension module of agentc repeats (compiler/_markdown.c, _mentions.c,
 * _judge.c, _graph.c, _frozen.c, agentc/_codec.c, targets/_shared/_text.c), written once:
 * a bad call's TypeError, the "configure() first" RuntimeError, a run of Py_XDECREFs, a
 * METH_FASTCALL method table entry and the ints kept for the process (shared_int). Each module
 * includes it after <Python.h>; setup.py names it in every Extension's `depends` (and MANIFEST.in
 * ships it), so a change rebuilds them all. */

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

/* `n` as an int (a new reference), or NULL with an exception set. The ints 0 to 4095 are each
 * made the first time they are asked for and kept for the process (one table a module): the line
 * numbers and block indexes the reader and the scans give. A 32 KB agent's ~820 lines and ~420
 * blocks are mostly past CPython's cached small ints (256), and each made an int of its own and
 * freed it per agent (~100 instructions each with its free). */
static inline PyObject *
shared_int(Py_ssize_t n)
{
    static PyObject *kept[4096];
    if (n < 0 || n >= (Py_ssize_t)(sizeof(kept) / sizeof(kept[0]))) {
        return PyLong_FromSsize_t(n);
    }
    if (kept[n] == NULL) {
        kept[n] = PyLong_FromSsize_t(n);
    }
    return Py_XNewRef(kept[n]);
}

#endif
