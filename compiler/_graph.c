/* agentc.compiler._graph: graph.link's loop over one agent's delegations in C (`link_agent`, reference
 * graph._link_agent_py, the fallback when this module is not built or AGENTC_PURE_PYTHON is set).
 *
 * A 1000-agent build links ~17 000 delegations, and the Python loop (a name's column on its line,
 * the lookups, the edge and most delegations' AGC301) was ~54 ms of it, again in every one-edit
 * rebuild. Here each delegation is attribute reads, two dict lookups and the calls that make its
 * Span, Edge and Diagnostic through their classes' C vectorcall (compiler/_frozen.c). What stays
 * Python is what runs once per name: `known` and `dangling` are dicts whose __missing__ resolves a
 * name (graph._Resolved) and finds its built-in agent or close spelling (graph._Dangling); a name
 * already in them is read as from any dict.
 *
 * Characters are compared as Python's str methods do: `_whole_name_at`'s "\w or -" is
 * Py_UNICODE_ISALNUM (str.isalnum of one character), '_' and '-'; columns are code point indexes.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

/* What graph.py hands over once (configure): the classes made here and diagnostics.CODES. */
static PyObject *AGENT, *DELEGATION, *SPAN, *EDGE, *DIAGNOSTIC, *CODES;

static PyObject *S_delegations, *S_file, *S_id, *S_name, *S_target, *S_kind, *S_span, *S_condition, *S_line, *S_col;
static PyObject *S_compare, *S_comma, *S_empty, *S_AGC301, *S_AGC302, *S_AGC304, *S_AGC309;
static PyObject *H_301, *H_302, *H_304, *H_309;
/* the constant pieces of the diagnostics' messages */
static PyObject *M_quote, *M_delegates_to, *M_builtin, *M_not_in_build, *M_mean, *M_mean_end, *M_matches, *M_agents,
    *M_using, *M_itself, *M_named_on, *M_paren;

/* The fields read here. A field of an object of the class configure() was given is read straight from
 * its slot (an attribute read was ~160 instructions, nine a delegation); of any other object, and of a
 * slot left empty, through getattr, which raises what Python would. */
enum { A_DELEGATIONS, A_FILE, A_ID, A_NAME, D_TARGET, D_KIND, D_SPAN, D_CONDITION, P_FILE, P_LINE, P_COL, N_FIELDS };
static struct {
    PyTypeObject *type;  /* NULL: always getattr */
    Py_ssize_t offset;
} FIELDS[N_FIELDS];
static PyObject **FIELD_NAMES[N_FIELDS] = {
    &S_delegations, &S_file, &S_id, &S_name, &S_target, &S_kind, &S_span, &S_condition, &S_file, &S_line, &S_col,
};

/* obj.<field k>, a new reference (NULL with an exception set). */
static PyObject *
get(PyObject *obj, int k)
{
    if (Py_TYPE(obj) == FIELDS[k].type) {
        PyObject *value = *(PyObject **)((char *)obj + FIELDS[k].offset);
        if (value != NULL) {
            return Py_NewRef(value);
        }
    }
    return PyObject_GetAttr(obj, *FIELD_NAMES[k]);
}

/* The `n` items joined by `sep` as an f-string or str.join over `map(str, items)` joins them (each
 * formatted: itself for a str), or their field `field` (>= 0) as `sep.join(x.id for x in items)`.
 * PyUnicode_FromFormat was ~1 800 instructions an AGC301 message. */
static PyObject *
join_items(PyObject *sep, PyObject *const *items, Py_ssize_t n, int field)
{
    PyObject *tuple = PyTuple_New(n);
    for (Py_ssize_t k = 0; tuple != NULL && k < n; k++) {
        PyObject *item = items[k];
        PyObject *part = field >= 0 ? get(item, field) : PyUnicode_CheckExact(item) ? Py_NewRef(item) : PyObject_Format(item, NULL);
        if (part == NULL) {
            Py_CLEAR(tuple);
            break;
        }
        PyTuple_SET_ITEM(tuple, k, part);
    }
    PyObject *out = tuple == NULL ? NULL : PyUnicode_Join(sep, tuple);
    Py_XDECREF(tuple);
    return out;
}

/* The parts of a message, joined. */
static PyObject *
concat(PyObject *const *parts, Py_ssize_t n)
{
    return join_items(S_empty, parts, n, -1);
}

static PyObject *KW_SPAN, *KW_EDGE, *KW_DIAG;  /* keyword names, interned as _frozen.c matches them */

/* cls(**dict(zip(kwnames, values))), the call `Span(file=f, line=l, col=c)` makes in Python. */
static PyObject *
call_kw(PyObject *cls, PyObject *const *values, PyObject *kwnames)
{
    return PyObject_Vectorcall(cls, values, 0, kwnames);
}

/* A character that touches a name in `(?<![\w-])name(?![\w-])`. */
static int
word_char(Py_UCS4 ch)
{
    return Py_UNICODE_ISALNUM(ch) || ch == '_' || ch == '-';
}

/* graph._whole_name_at: where `name` first stands alone in `text`, else where it first is at all
 * (graph._name_span's fallback), -1 when nowhere, -2 with an exception set. */
static Py_ssize_t
name_column(PyObject *text, PyObject *name)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), len = PyUnicode_GET_LENGTH(name);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t first = PyUnicode_Find(text, name, 0, n, 1);
    for (Py_ssize_t at = first; at >= 0; at = PyUnicode_Find(text, name, at + 1, n, 1)) {
        Py_ssize_t end = at + len;
        if ((at == 0 || !word_char(PyUnicode_READ(kind, data, at - 1)))
            && (end == n || !word_char(PyUnicode_READ(kind, data, end)))) {
            return at;
        }
    }
    return PyErr_Occurred() ? -2 : first;
}

/* Diagnostic(code=..., severity=CODES[code][0], file, line, col from `at`, message, hint, excerpt);
 * appended to `diags`. Steals `message` (NULL: an error already set). 0, or -1 with an exception. */
static int
add_diag(PyObject *diags, PyObject *code, PyObject *const *at, PyObject *message, PyObject *hint, PyObject *excerpt)
{
    if (message == NULL) {
        return -1;
    }
    PyObject *entry = PyDict_GetItemWithError(CODES, code);  /* borrowed */
    if (entry == NULL || !PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) < 1) {
        if (!PyErr_Occurred()) {
            PyErr_Format(PyExc_KeyError, "link_agent: %R has no (severity, ...) in CODES", code);
        }
        Py_DECREF(message);
        return -1;
    }
    PyObject *values[] = {code, PyTuple_GET_ITEM(entry, 0), at[0], at[1], at[2], message, hint, excerpt};
    PyObject *d = call_kw(DIAGNOSTIC, values, KW_DIAG);
    Py_DECREF(message);
    int err = d == NULL ? -1 : PyList_Append(diags, d);
    Py_XDECREF(d);
    return err;
}

/* graph._lines_naming: each delegate's lines, in order and each once (a dict name -> list of ints). */
static PyObject *
lines_naming(PyObject *delegations)
{
    PyObject *out = PyDict_New();
    for (Py_ssize_t k = 0; out != NULL && k < PySequence_Fast_GET_SIZE(delegations); k++) {
        PyObject *d = PySequence_Fast_GET_ITEM(delegations, k);
        PyObject *target = get(d, D_TARGET);
        PyObject *span = target == NULL ? NULL : get(d, D_SPAN);
        PyObject *line = span == NULL ? NULL : get(span, P_LINE);
        PyObject *seen = line == NULL ? NULL : PyDict_SetDefault(out, target, Py_None);  /* borrowed */
        int err = seen == NULL;
        if (seen == Py_None) {
            seen = PyList_New(0);
            err = seen == NULL || PyDict_SetItem(out, target, seen) < 0;
            Py_XDECREF(seen);  /* the dict holds it */
        }
        if (!err) {
            int has = PySequence_Contains(seen, line);
            err = has < 0 || (!has && PyList_Append(seen, line) < 0);
        }
        Py_XDECREF(target);
        Py_XDECREF(span);
        Py_XDECREF(line);
        if (err) {
            Py_CLEAR(out);
        }
    }
    return out;
}

/* " (named on lines 3, 9)" when `more` (a list) holds more than one line, else "". */
static PyObject *
named_on(PyObject *more)
{
    if (!PyList_Check(more) || PyList_GET_SIZE(more) < 2) {
        return Py_NewRef(S_empty);
    }
    PyObject *joined = join_items(S_comma, PySequence_Fast_ITEMS(more), PyList_GET_SIZE(more), -1);
    PyObject *out = joined == NULL ? NULL : concat((PyObject *[]){M_named_on, joined, M_paren}, 3);
    Py_XDECREF(joined);
    return out;
}

/* The AGC301 or AGC309 of a name that resolves to nothing, reported once per agent. */
static int
dangles(PyObject *diags, PyObject *a_name, PyObject *name, PyObject *info, PyObject **lines_of, PyObject *delegations,
        PyObject *const *at, PyObject *excerpt)
{
    if (!PyTuple_Check(info) || PyTuple_GET_SIZE(info) != 2) {
        PyErr_SetString(PyExc_TypeError, "link_agent: dangling[name] must be a (builtin, close) tuple");
        return -1;
    }
    PyObject *builtin = PyTuple_GET_ITEM(info, 0), *close = PyTuple_GET_ITEM(info, 1);
    if (builtin != Py_None) {
        PyObject *parts[] = {M_quote, a_name, M_delegates_to, builtin, M_builtin};
        return add_diag(diags, S_AGC309, at, concat(parts, 5), H_309, excerpt);
    }
    int same = close == Py_None ? 1 : PyObject_RichCompareBool(close, a_name, Py_EQ);
    int truthy = same ? 0 : PyObject_IsTrue(close);
    if (same < 0 || truthy < 0) {
        return -1;
    }
    if (*lines_of == NULL && (*lines_of = lines_naming(delegations)) == NULL) {
        return -1;
    }
    PyObject *more = PyDict_GetItemWithError(*lines_of, name);  /* borrowed */
    if (more == NULL && PyErr_Occurred()) {
        return -1;
    }
    PyObject *where = named_on(more != NULL ? more : Py_None);
    if (where == NULL) {
        return -1;
    }
    PyObject *hint = truthy ? concat((PyObject *[]){M_mean, close, M_mean_end}, 3) : Py_NewRef(H_301);
    PyObject *parts[] = {M_quote, a_name, M_delegates_to, name, M_not_in_build, where};
    PyObject *message = hint == NULL ? NULL : concat(parts, 6);
    Py_DECREF(where);
    int err = add_diag(diags, S_AGC301, at, message, hint, excerpt);
    Py_XDECREF(hint);
    return err;
}

/* The AGC302 of a name that several agents hold: "'x' matches 2 agents: p:x, q:x; using p:x". */
static int
ambiguous(PyObject *diags, PyObject *name, PyObject *targets, PyObject *const *at, PyObject *excerpt)
{
    Py_ssize_t n = PyList_GET_SIZE(targets);
    PyObject *ids = join_items(S_comma, PySequence_Fast_ITEMS(targets), n, A_ID);
    PyObject *count = ids == NULL ? NULL : PyLong_FromSsize_t(n);
    PyObject *first = count == NULL ? NULL : get(PyList_GET_ITEM(targets, 0), A_ID);
    PyObject *message = NULL;
    if (first != NULL) {
        PyObject *parts[] = {M_quote, name, M_matches, count, M_agents, ids, M_using, first};
        message = concat(parts, 8);
    }
    Py_XDECREF(first);
    Py_XDECREF(count);
    Py_XDECREF(ids);
    return add_diag(diags, S_AGC302, at, message, H_302, excerpt);
}

/* One delegation `d` of the agent: its edge and, the first time the agent names `name`, its
 * diagnostic. `text`: its line of the body, or None. 0, or -1 with an exception set. */
static int
link_one(PyObject *d, PyObject *name, PyObject *text, PyObject *const *agent, PyObject *known, PyObject *dangling,
         PyObject *reported, PyObject **lines_of, PyObject *delegations, PyObject *edges, PyObject *diags)
{
    PyObject *file = agent[0], *source = agent[1], *a_name = agent[2];
    PyObject *given = get(d, D_SPAN);
    if (given == NULL) {
        return -1;
    }
    /* graph._name_span: the span at the name's column, and the line as the excerpt */
    PyObject *at[3] = {NULL, NULL, NULL};  /* the span's file, line and col */
    PyObject *span = NULL, *excerpt = Py_None, *target = NULL;
    int err = -1;
    at[0] = get(given, P_FILE);
    at[1] = at[0] == NULL ? NULL : get(given, P_LINE);
    int here = at[1] == NULL ? -1 : PyObject_RichCompareBool(at[0], file, Py_EQ);
    if (here < 0) {
        goto done;
    }
    Py_ssize_t col = -1;
    if (here && text != Py_None) {
        if (!PyUnicode_Check(text) || !PyUnicode_Check(name)) {
            PyErr_SetString(PyExc_TypeError, "link_agent: a line and a name must be str");
            goto done;
        }
        excerpt = text;
        if ((col = name_column(text, name)) == -2) {
            goto done;
        }
    }
    if (col >= 0) {
        at[2] = PyLong_FromSsize_t(col + 1);
        span = at[2] == NULL ? NULL : call_kw(SPAN, at, KW_SPAN);
    }
    else {
        at[2] = get(given, P_COL);
        span = at[2] == NULL ? NULL : Py_NewRef(given);
    }
    if (span == NULL) {
        goto done;
    }
    /* what the name resolves to: known[name], which resolves it on its first use */
    target = PyDict_GetItemWithError(known, name);
    target = target != NULL ? Py_NewRef(target) : PyErr_Occurred() ? NULL : PyObject_GetItem(known, name);
    int seen = target == NULL ? -1 : PySet_Contains(reported, name);
    int once = !seen;
    if (seen < 0 || (once && PySet_Add(reported, name) < 0)) {
        goto done;
    }
    if (target == Py_None && once) {
        PyObject *info = PyDict_GetItemWithError(dangling, name);
        info = info != NULL ? Py_NewRef(info) : PyErr_Occurred() ? NULL : PyObject_GetItem(dangling, name);
        int failed = info == NULL || dangles(diags, a_name, name, info, lines_of, delegations, at, excerpt) < 0;
        Py_XDECREF(info);
        if (failed) {
            goto done;
        }
    }
    else if (PyList_Check(target)) {
        if (PyList_GET_SIZE(target) == 0) {
            PyErr_SetString(PyExc_IndexError, "list index out of range");
            goto done;
        }
        if (once && ambiguous(diags, name, target, at, excerpt) < 0) {
            goto done;
        }
        Py_SETREF(target, Py_NewRef(PyList_GET_ITEM(target, 0)));
    }
    PyObject *target_id = target == Py_None ? Py_NewRef(Py_None) : get(target, A_ID);
    int self = target_id == NULL ? -1 : target == Py_None ? 0 : PyObject_RichCompareBool(target_id, source, Py_EQ);
    if (self > 0) {
        Py_DECREF(target_id);
        err = once ? add_diag(diags, S_AGC304, at, concat((PyObject *[]){M_quote, a_name, M_itself}, 3), H_304, excerpt) : 0;
        goto done;
    }
    PyObject *condition = self < 0 ? NULL : get(d, D_CONDITION);
    PyObject *kind = condition == NULL ? NULL : get(d, D_KIND);
    PyObject *values[] = {source, name, target_id, condition, kind, span};
    PyObject *edge = kind == NULL ? NULL : call_kw(EDGE, values, KW_EDGE);
    err = edge == NULL ? -1 : PyList_Append(edges, edge);
    Py_XDECREF(edge);
    Py_XDECREF(kind);
    Py_XDECREF(condition);
    Py_XDECREF(target_id);
done:
    Py_XDECREF(target);
    Py_XDECREF(span);
    Py_XDECREF(at[0]);
    Py_XDECREF(at[1]);
    Py_XDECREF(at[2]);
    Py_DECREF(given);
    return err;
}

PyDoc_STRVAR(link_agent_doc,
"link_agent(a, texts, plugins, known, dangling, edges, diags) -> None\n\n"
"graph._link_agent_py: agent `a`'s edges appended to `edges` and their diagnostics to `diags`.");

static PyObject *
link_agent(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7 || !PyList_Check(args[1]) || !PyAnySet_Check(args[2]) || !PyDict_Check(args[3])
        || !PyDict_Check(args[4]) || !PyList_Check(args[5]) || !PyList_Check(args[6])) {
        PyErr_SetString(PyExc_TypeError, "link_agent(a: AgentIR, texts: list, plugins: set, known: dict, dangling: dict, "
                                         "edges: list, diags: list)");
        return NULL;
    }
    if (SPAN == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "link_agent: configure() first");
        return NULL;
    }
    PyObject *a = args[0], *texts = args[1], *plugins = args[2];
    PyObject *agent[3] = {NULL, NULL, NULL};  /* its file, id and name */
    PyObject *all = get(a, A_DELEGATIONS);
    PyObject *delegations = all == NULL ? NULL : PySequence_Fast(all, "link_agent: a.delegations must be a sequence");
    Py_XDECREF(all);
    agent[0] = delegations == NULL ? NULL : get(a, A_FILE);
    agent[1] = agent[0] == NULL ? NULL : get(a, A_ID);
    agent[2] = agent[1] == NULL ? NULL : get(a, A_NAME);
    PyObject *reported = agent[2] == NULL ? NULL : PySet_New(NULL);  /* the names its diagnostics named already */
    PyObject *lines_of = NULL;  /* made for the first dangling name only */
    int err = reported == NULL;
    if (!err && PySequence_Fast_GET_SIZE(delegations) != PyList_GET_SIZE(texts)) {
        PyErr_SetString(PyExc_ValueError, "link_agent: one text per delegation");
        err = 1;
    }
    for (Py_ssize_t k = 0; !err && k < PySequence_Fast_GET_SIZE(delegations); k++) {
        PyObject *d = PySequence_Fast_GET_ITEM(delegations, k);
        PyObject *name = get(d, D_TARGET);
        PyObject *kind = name == NULL ? NULL : get(d, D_KIND);
        /* a plugin is no agent; "vs x" sets this agent apart from x and hands it nothing */
        int skip = kind == NULL ? -1 : PySet_Contains(plugins, name);
        if (skip == 0) {
            skip = PyObject_RichCompareBool(kind, S_compare, Py_EQ);
        }
        err = skip < 0 || (!skip && link_one(d, name, PyList_GET_ITEM(texts, k), agent, args[3], args[4], reported,
                                             &lines_of, delegations, args[5], args[6]) < 0);
        Py_XDECREF(kind);
        Py_XDECREF(name);
    }
    Py_XDECREF(lines_of);
    Py_XDECREF(reported);
    Py_XDECREF(agent[0]);
    Py_XDECREF(agent[1]);
    Py_XDECREF(agent[2]);
    Py_XDECREF(delegations);
    return err ? NULL : Py_NewRef(Py_None);
}

PyDoc_STRVAR(configure_doc,
"configure(agent_cls, delegation_cls, span_cls, edge_cls, diagnostic_cls, codes) -> None\n\n"
"The IR classes link_agent reads and makes, and diagnostics.CODES (code -> (severity, title)).");

static PyObject *
configure(PyObject *module, PyObject *args)
{
    PyObject *agent, *delegation, *span, *edge, *diagnostic, *codes;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!O!:configure", &PyType_Type, &agent, &PyType_Type, &delegation, &PyType_Type,
                          &span, &PyType_Type, &edge, &PyType_Type, &diagnostic, &PyDict_Type, &codes)) {
        return NULL;
    }
    for (int k = 0; k < N_FIELDS; k++) {  /* each field's slot: a member descriptor of its class, holding any object */
        PyObject *cls = k <= A_NAME ? agent : k <= D_CONDITION ? delegation : span;
        PyObject *descr = PyObject_GetAttr(cls, *FIELD_NAMES[k]);
        if (descr == NULL) {
            return NULL;
        }
        int slot = Py_IS_TYPE(descr, &PyMemberDescr_Type) && ((PyDescrObject *)descr)->d_type == (PyTypeObject *)cls
                   && ((PyMemberDescrObject *)descr)->d_member->type == T_OBJECT_EX;
        FIELDS[k].type = slot ? (PyTypeObject *)cls : NULL;  /* the classes are held below */
        FIELDS[k].offset = slot ? ((PyMemberDescrObject *)descr)->d_member->offset : 0;
        Py_DECREF(descr);
    }
    Py_XSETREF(AGENT, Py_NewRef(agent));
    Py_XSETREF(DELEGATION, Py_NewRef(delegation));
    Py_XSETREF(SPAN, Py_NewRef(span));
    Py_XSETREF(EDGE, Py_NewRef(edge));
    Py_XSETREF(DIAGNOSTIC, Py_NewRef(diagnostic));
    Py_XSETREF(CODES, Py_NewRef(codes));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"link_agent", (PyCFunction)(void (*)(void))link_agent, METH_FASTCALL, link_agent_doc},
    {"configure", configure, METH_VARARGS, configure_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "agentc.compiler._graph",
    "graph.link's loop over an agent's delegations, in C (see graph.py).",
    -1,
    methods,
};

/* The `n` keyword names of a call, interned: _frozen.c matches them by identity with the field names. */
static PyObject *
keywords(const char *const *names, Py_ssize_t n)
{
    PyObject *out = PyTuple_New(n);
    for (Py_ssize_t k = 0; out != NULL && k < n; k++) {
        PyObject *word = PyUnicode_InternFromString(names[k]);
        if (word == NULL) {
            Py_CLEAR(out);
            break;
        }
        PyTuple_SET_ITEM(out, k, word);
    }
    return out;
}

PyMODINIT_FUNC
PyInit__graph(void)
{
    struct { PyObject **at; const char *text; } strings[] = {
        {&S_delegations, "delegations"}, {&S_file, "file"}, {&S_id, "id"}, {&S_name, "name"}, {&S_target, "target"},
        {&S_kind, "kind"}, {&S_span, "span"}, {&S_condition, "condition"}, {&S_line, "line"}, {&S_col, "col"},
        {&S_compare, "compare"}, {&S_comma, ", "}, {&S_empty, ""}, {&S_AGC301, "AGC301"}, {&S_AGC302, "AGC302"}, {&S_AGC304, "AGC304"},
        {&S_AGC309, "AGC309"},
        {&H_301, "add that agent to the sources, or fix the name"},
        {&H_302, "write the plugin-scoped id (plugin:name) to choose"},
        {&H_304, "remove the line, or name the agent that was meant"},
        {&H_309, "nothing to do for Claude Code; add an agent file of that name to give the code targets one"},
        {&M_quote, "'"}, {&M_delegates_to, "' delegates to '"},
        {&M_builtin, "', an agent built into Claude Code; the other targets have no such agent"},
        {&M_not_in_build, "', which is not in this build"}, {&M_mean, "did you mean '"}, {&M_mean_end, "'?"},
        {&M_matches, "' matches "}, {&M_agents, " agents: "}, {&M_using, "; using "}, {&M_itself, "' delegates to itself"},
        {&M_named_on, " (named on lines "}, {&M_paren, ")"},
    };
    for (size_t k = 0; k < sizeof strings / sizeof strings[0]; k++) {
        if ((*strings[k].at = PyUnicode_InternFromString(strings[k].text)) == NULL) {
            return NULL;
        }
    }
    static const char *const span[] = {"file", "line", "col"};
    static const char *const edge[] = {"source", "target", "target_id", "condition", "kind", "span"};
    static const char *const diag[] = {"code", "severity", "file", "line", "col", "message", "hint", "excerpt"};
    KW_SPAN = keywords(span, 3);
    KW_EDGE = keywords(edge, 6);
    KW_DIAG = keywords(diag, 8);
    if (KW_SPAN == NULL || KW_EDGE == NULL || KW_DIAG == NULL) {
        return NULL;
    }
    return PyModule_Create(&module_def);
}
