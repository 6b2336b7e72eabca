/* agentc.compiler._markdown: the line classifier of compiler/markdown.py in C.
 *
 * markdown.py stays the reference and the fallback (as json/_json, heapq/_heapq): it uses this
 * module when it imports and AGENTC_PURE_PYTHON is not set. kinds() gives the same list as the
 * Python _kinds_py: the kind of every line plus a blank one past the end, with list items built as
 * ListItem objects. It reads the shapes nearly every line has (prose, blanks, "- item", "1. item",
 * boxes, headings, rules, fences, pipes, <example>) and hands any other line that could open a
 * block to the Python reader (_CLASSIFY[c](line, c, ln)), so the rare shapes (tabs in an indent,
 * "12) item", odd blanks before a marker) keep exactly the Python semantics without being
 * re-implemented here. Whitespace is Python's: Py_UNICODE_ISSPACE is what str.strip() uses.
 *
 * Why hand-written and not a markdown library: no CommonMark parser gives our `Label:` lines, box
 * items, tables and exact line spans, and pyromark measured ~1 ms per 32-KB agent with its event
 * list, slower than the Python reader's ~0.37 ms.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* What markdown.py hands over once (configure): the shared kinds, the ListItem class and its slot
 * descriptors, and the Python readers for the lines this module does not read itself. */
static PyObject *BLANK_KIND, *TEXT_KIND, *PIPE_KIND, *FENCE_KIND, *RULE_KIND, *EXAMPLE_KIND;
static PyObject *HEADING_CODE;  /* the int markdown._HEADING_LINE */
static PyObject *CLASSIFY;      /* markdown._CLASSIFY: first character -> Python reader */
static PyTypeObject *LIST_ITEM;
/* ListItem's fields in its __init__'s order: line, col, end, text, indent, ordered, checked. */
#define N_FIELDS 7
static PyObject *FIELDS[N_FIELDS];
static PyObject *EMPTY_TUPLE;
static PyObject *EXAMPLE_TAG;  /* "<example>" */

static int
is_blank(Py_UCS4 ch)
{
    return ch == ' ' || ch == '\t';
}

/* A new ListItem with these fields, made as its dataclass __init__ makes it (object.__new__, then
 * each slot set), without running the __init__'s bytecode: a third of the Python classifier's
 * time per item. markdown.py checks that ListItem is a plain slots dataclass before using this. */
static PyObject *
new_item(Py_ssize_t line_no, Py_ssize_t indent, PyObject *text, int ordered, PyObject *checked)
{
    PyObject *item = LIST_ITEM->tp_new(LIST_ITEM, EMPTY_TUPLE, NULL);
    if (item == NULL) {
        return NULL;
    }
    PyObject *ln = PyLong_FromSsize_t(line_no);
    PyObject *col = PyLong_FromSsize_t(indent + 1);
    PyObject *ind = PyLong_FromSsize_t(indent);
    if (ln == NULL || col == NULL || ind == NULL) {
        Py_XDECREF(ln);
        Py_XDECREF(col);
        Py_XDECREF(ind);
        Py_DECREF(item);
        return NULL;
    }
    PyObject *values[N_FIELDS] = {ln, col, ln, text, ind, ordered ? Py_True : Py_False, checked};
    int rc = 0;
    for (int k = 0; k < N_FIELDS && rc == 0; k++) {
        rc = Py_TYPE(FIELDS[k])->tp_descr_set(FIELDS[k], item, values[k]);
    }
    Py_DECREF(ln);
    Py_DECREF(col);
    Py_DECREF(ind);
    if (rc < 0) {
        Py_DECREF(item);
        return NULL;
    }
    return item;
}

/* line[a:b].strip() */
static PyObject *
strip_range(PyObject *line, int kind, const void *data, Py_ssize_t a, Py_ssize_t b)
{
    while (a < b && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, a))) {
        a++;
    }
    while (b > a && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, b - 1))) {
        b--;
    }
    return PyUnicode_Substring(line, a, b);
}

/* _RULE: [ \t]*, then the character c three times or more with only [ \t] between and after. The
 * caller knows line[i] == c and that line[:i] is blank; this checks those blanks are [ \t]. */
static int
is_rule(int kind, const void *data, Py_ssize_t n, Py_ssize_t i, Py_UCS4 c)
{
    for (Py_ssize_t k = 0; k < i; k++) {
        if (!is_blank(PyUnicode_READ(kind, data, k))) {
            return 0;
        }
    }
    int count = 0;
    for (Py_ssize_t k = i; k < n; k++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, k);
        if (ch == c) {
            count++;
        }
        else if (!is_blank(ch)) {
            return 0;
        }
    }
    return count >= 3;
}

/* Marker value meaning "this line is for the Python reader". */
#define PYTHON_READS ((PyObject *)1)

/* A list item read as markdown._plain_item reads the plain shape: line[:i] is `i` spaces (at most
 * 16), the marker ends at `after` with a space there, maybe a box "[ ] "/"[x] "/"[X] ", and text
 * that does not start with the marker character `c` again. Anything else: PYTHON_READS. */
static PyObject *
plain_item(PyObject *line, int kind, const void *data, Py_ssize_t n, Py_ssize_t i, Py_ssize_t after,
           Py_UCS4 c, int ordered, Py_ssize_t ln)
{
    if (i > 16 || after >= n || PyUnicode_READ(kind, data, after) != ' ') {
        return PYTHON_READS;
    }
    for (Py_ssize_t k = 0; k < i; k++) {
        if (PyUnicode_READ(kind, data, k) != ' ') {
            return PYTHON_READS;
        }
    }
    Py_ssize_t rest = after + 1;  /* the text starts after the marker's space */
    Py_ssize_t t = rest;          /* its first non-blank character */
    while (t < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, t))) {
        t++;
    }
    PyObject *checked = Py_None;
    if (t < n && PyUnicode_READ(kind, data, t) == '[') {
        /* a box only right after the marker's space, and followed by a space */
        if (rest + 4 > n || t != rest || PyUnicode_READ(kind, data, rest + 3) != ' '
            || PyUnicode_READ(kind, data, rest + 2) != ']') {
            return PYTHON_READS;
        }
        Py_UCS4 box = PyUnicode_READ(kind, data, rest + 1);
        if (box == ' ') {
            checked = Py_False;
        }
        else if (box == 'x' || box == 'X') {
            checked = Py_True;
        }
        else {
            return PYTHON_READS;
        }
        rest += 4;
    }
    else if (t < n && PyUnicode_READ(kind, data, t) == c) {
        return PYTHON_READS;  /* "- - -" may be a rule */
    }
    PyObject *text = strip_range(line, kind, data, rest, n);
    if (text == NULL) {
        return NULL;
    }
    PyObject *item = new_item(ln, i, text, ordered, checked);
    Py_DECREF(text);
    return item;
}

/* A heading "#" to "######" at column 1 then a blank, as (HEADING, (level, title)) with closing
 * #s and blanks removed from the title; any other line starting with "#" is text. */
static PyObject *
heading(PyObject *line, int kind, const void *data, Py_ssize_t n)
{
    Py_ssize_t level = 0;
    while (level < n && PyUnicode_READ(kind, data, level) == '#') {
        level++;
    }
    if (level > 6 || level >= n || !is_blank(PyUnicode_READ(kind, data, level))) {
        return Py_NewRef(TEXT_KIND);
    }
    Py_ssize_t b = n;  /* line[level:].rstrip(" \t#").strip() */
    while (b > level) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, b - 1);
        if (!is_blank(ch) && ch != '#') {
            break;
        }
        b--;
    }
    PyObject *title = strip_range(line, kind, data, level, b);
    if (title == NULL) {
        return NULL;
    }
    PyObject *fields = Py_BuildValue("(nN)", level, title);
    if (fields == NULL) {
        return NULL;
    }
    return Py_BuildValue("(ON)", HEADING_CODE, fields);
}

/* The kind of one line (a new reference), PYTHON_READS, or NULL with an exception set. */
static PyObject *
kind_of(PyObject *line, Py_ssize_t ln)
{
    int kind = PyUnicode_KIND(line);
    const void *data = PyUnicode_DATA(line);
    Py_ssize_t n = PyUnicode_GET_LENGTH(line);
    Py_ssize_t i = 0;
    while (i < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) {
        i++;
    }
    if (i == n) {
        return Py_NewRef(BLANK_KIND);
    }
    Py_UCS4 c = PyUnicode_READ(kind, data, i);
    Py_UCS4 next = i + 1 < n ? PyUnicode_READ(kind, data, i + 1) : 0;
    switch (c) {
    case '-':
    case '*':
    case '_':
    case '+':
        if (c != '+' && is_rule(kind, data, n, i, c)) {  /* a rule is never an item */
            return Py_NewRef(RULE_KIND);
        }
        if (c == '_' || !is_blank(next)) {  /* no blank after the marker: no item, and no rule */
            return Py_NewRef(TEXT_KIND);
        }
        return plain_item(line, kind, data, n, i, i + 1, c, 0, ln);
    case '`':
    case '~':
        if (i + 2 < n && next == c && PyUnicode_READ(kind, data, i + 2) == c) {
            for (Py_ssize_t k = 0; k < i; k++) {  /* _FENCE's indent is [ \t]* */
                if (!is_blank(PyUnicode_READ(kind, data, k))) {
                    return Py_NewRef(TEXT_KIND);
                }
            }
            return Py_NewRef(FENCE_KIND);
        }
        return Py_NewRef(TEXT_KIND);
    case '<':
        if (PyUnicode_Tailmatch(line, EXAMPLE_TAG, i, n, -1) == 1) {
            return Py_NewRef(EXAMPLE_KIND);
        }
        return Py_NewRef(TEXT_KIND);
    case '#':
        return i == 0 ? heading(line, kind, data, n) : Py_NewRef(TEXT_KIND);
    case '|':
        return Py_NewRef(PIPE_KIND);
    default:
        if (c >= '0' && c <= '9') {
            if (next == '.' && i + 2 < n && PyUnicode_READ(kind, data, i + 2) == ' ') {
                return plain_item(line, kind, data, n, i, i + 2, c, 1, ln);
            }
            if (next == '.' || next == ')' || Py_UNICODE_ISDECIMAL(next)) {
                return PYTHON_READS;  /* "12. x", "1) x", "1.\tx": the regex decides */
            }
            return Py_NewRef(TEXT_KIND);  /* "2024 was...": _ITEM needs [.)] after 1-3 digits */
        }
        return Py_NewRef(TEXT_KIND);
    }
}

/* The Python reader of a line kind_of handed over: _CLASSIFY[c](line, c, ln). */
static PyObject *
python_kind(PyObject *line, Py_ssize_t line_no)
{
    int kind = PyUnicode_KIND(line);
    const void *data = PyUnicode_DATA(line);
    Py_ssize_t i = 0;
    while (Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) {
        i++;  /* kind_of found a non-blank character */
    }
    PyObject *c = PyUnicode_Substring(line, i, i + 1);
    if (c == NULL) {
        return NULL;
    }
    PyObject *reader = PyDict_GetItemWithError(CLASSIFY, c);  /* borrowed */
    PyObject *result = NULL;
    if (reader != NULL) {
        PyObject *ln = PyLong_FromSsize_t(line_no);
        if (ln != NULL) {
            result = PyObject_CallFunctionObjArgs(reader, line, c, ln, NULL);
            Py_DECREF(ln);
        }
    }
    else if (!PyErr_Occurred()) {
        PyErr_Format(PyExc_RuntimeError, "_markdown: no reader for %R", c);
    }
    Py_DECREF(c);
    return result;
}

PyDoc_STRVAR(kinds_doc,
"kinds(lines, first_line) -> list\n\n"
"The kind of every line and a blank one past the end, as markdown._kinds_py gives them.");

static PyObject *
kinds(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (LIST_ITEM == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_markdown.configure() was not called");
        return NULL;
    }
    if (nargs != 2 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "kinds(lines: list[str], first_line: int)");
        return NULL;
    }
    PyObject *lines = args[0];
    Py_ssize_t first = PyLong_AsSsize_t(args[1]);
    if (first == -1 && PyErr_Occurred()) {
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(lines);
    PyObject *out = PyList_New(n + 1);
    if (out == NULL) {
        return NULL;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *line = PyList_GET_ITEM(lines, k);
        if (!PyUnicode_Check(line)) {
            PyErr_Format(PyExc_TypeError, "line %zd is not a str", k);
            Py_DECREF(out);
            return NULL;
        }
        Py_INCREF(line);  /* `lines` is the caller's list: keep the line alive through any call */
        PyObject *kind = kind_of(line, first + k);
        if (kind == PYTHON_READS) {
            kind = python_kind(line, first + k);
        }
        Py_DECREF(line);
        if (kind == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, k, kind);
        if (PyList_GET_SIZE(lines) != n) {
            PyErr_SetString(PyExc_RuntimeError, "lines changed size while read");
            Py_DECREF(out);
            return NULL;
        }
    }
    PyList_SET_ITEM(out, n, Py_NewRef(BLANK_KIND));
    return out;
}

PyDoc_STRVAR(configure_doc,
"configure(kinds, heading, classify, list_item, fields)\n\n"
"What kinds() builds and calls: `kinds` the shared (blank, text, pipe, fence, rule, example)\n"
"kinds, `heading` the heading kind's code, `classify` the Python readers by first character,\n"
"`list_item` the ListItem class and `fields` the names of its __init__'s parameters, in order.");

static PyObject *
configure(PyObject *module, PyObject *args)
{
    PyObject *shared, *heading_code, *classify, *list_item, *fields;
    if (!PyArg_ParseTuple(args, "O!OO!O!O!:configure", &PyTuple_Type, &shared, &heading_code,
                          &PyDict_Type, &classify, &PyType_Type, &list_item, &PyTuple_Type, &fields)) {
        return NULL;
    }
    if (PyTuple_GET_SIZE(shared) != 6 || PyTuple_GET_SIZE(fields) != N_FIELDS) {
        PyErr_SetString(PyExc_ValueError, "configure: 6 kinds and 7 ListItem fields expected");
        return NULL;
    }
    PyObject *descr[N_FIELDS];
    for (int k = 0; k < N_FIELDS; k++) {
        /* a slot's member descriptor, looked up on the class */
        descr[k] = PyObject_GetAttr(list_item, PyTuple_GET_ITEM(fields, k));
        if (descr[k] == NULL || Py_TYPE(descr[k])->tp_descr_set == NULL) {
            if (descr[k] != NULL) {
                PyErr_Format(PyExc_TypeError, "configure: ListItem.%S is not a slot",
                             PyTuple_GET_ITEM(fields, k));
            }
            for (int j = 0; j <= k; j++) {
                Py_XDECREF(descr[j]);
            }
            return NULL;
        }
    }
    PyObject **targets[6] = {&BLANK_KIND, &TEXT_KIND, &PIPE_KIND, &FENCE_KIND, &RULE_KIND, &EXAMPLE_KIND};
    for (int k = 0; k < 6; k++) {
        Py_XSETREF(*targets[k], Py_NewRef(PyTuple_GET_ITEM(shared, k)));
    }
    for (int k = 0; k < N_FIELDS; k++) {
        Py_XSETREF(FIELDS[k], descr[k]);
    }
    Py_XSETREF(HEADING_CODE, Py_NewRef(heading_code));
    Py_XSETREF(CLASSIFY, Py_NewRef(classify));
    Py_XSETREF(LIST_ITEM, (PyTypeObject *)Py_NewRef(list_item));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"kinds", (PyCFunction)(void (*)(void))kinds, METH_FASTCALL, kinds_doc},
    {"configure", configure, METH_VARARGS, configure_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "agentc.compiler._markdown",
    "The line classifier of agentc.compiler.markdown, in C (see markdown.py).",
    -1,
    methods,
};

PyMODINIT_FUNC
PyInit__markdown(void)
{
    EMPTY_TUPLE = PyTuple_New(0);
    EXAMPLE_TAG = PyUnicode_InternFromString("<example>");
    if (EMPTY_TUPLE == NULL || EXAMPLE_TAG == NULL) {
        return NULL;
    }
    return PyModule_Create(&module_def);
}
