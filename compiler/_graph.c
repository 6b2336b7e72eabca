/* agentc.compiler._graph: graph.link's loop over one agent's delegations in C (`link_agent`, reference
 * graph._link_agent_py, the fallback when this module is not built or AGENTC_PURE_PYTHON is set), and
 * the strongly connected components of the delegation graph (`components`, reference
 * graph._components_py), an incremental rebuild's agents not edited made from their views (`light_agent`,
 * reference incremental._light_py) and its index of their names (`index_named`, reference graph._index_py);
 * and whether a linked agent's body holds a suppression comment at all (`opens`, reference suppress._opens_py).
 *
 * A 1000-agent build links ~17 000 delegations, and the Python loop (a name's column on its line,
 * the lookups, the edge and most delegations' AGC301) was ~54 ms of its cold build. Here each
 * delegation is attribute reads, two dict lookups and the calls that make its Span, Edge and
 * Diagnostic through their classes' C vectorcall (compiler/_frozen.c). What stays
 * Python is what runs once per name: `known` and `dangling` are dicts whose __missing__ resolves a
 * name (graph._Resolved) and finds its built-in agent or close spelling (graph._Dangling); a name
 * already in them is read as from any dict.
 *
 * Characters are compared as Python's str methods do: `_whole_name_at`'s "\w or -" is
 * Py_UNICODE_ISALNUM (str.isalnum of one character), '_' and '-'; columns are code point indexes.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "_extension.h"
#include <structmember.h>

/* What graph.py hands over once (configure): the classes made or read here and diagnostics.CODES. */
static PyObject *AGENT, *DELEGATION, *SPAN, *EDGE, *DIAGNOSTIC, *CODES, *NAMED;

static PyObject *S_delegations, *S_body, *S_body_line, *S_file, *S_id, *S_name, *S_target, *S_kind, *S_span, *S_condition, *S_line, *S_col;
static PyObject *S_compare, *S_comma, *S_empty, *S_AGC301, *S_AGC302, *S_AGC304, *S_AGC309;
static PyObject *H_301, *H_302, *H_304, *H_309;
/* the constant pieces of the diagnostics' messages */
static PyObject *M_quote, *M_delegates_to, *M_builtin, *M_not_in_build, *M_mean, *M_mean_end, *M_matches, *M_agents,
    *M_using, *M_itself, *M_named_on, *M_paren;

/* The fields read here. A field of an object of the class configure() was given is read straight from
 * its slot (an attribute read was ~160 instructions, nine a delegation); of any other object, and of a
 * slot left empty, through getattr, which raises what Python would. */
enum { A_DELEGATIONS, A_FILE, A_ID, A_NAME, A_BODY, A_BODY_LINE, D_TARGET, D_KIND, D_SPAN, D_CONDITION, P_FILE, P_LINE, P_COL, N_FIELDS };
static struct {
    PyTypeObject *type;  /* NULL: always getattr */
    Py_ssize_t offset;
} FIELDS[N_FIELDS];
static PyObject **FIELD_NAMES[N_FIELDS] = {
    &S_delegations, &S_file, &S_id, &S_name, &S_body, &S_body_line, &S_target, &S_kind, &S_span, &S_condition, &S_file, &S_line, &S_col,
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

/* graph._whole_name_at on the line body[start:end): where (from the line's start) `name` first stands
 * alone, else where it first is at all (graph._name_span's fallback), -1 when nowhere, -2 with an
 * exception set. */
static Py_ssize_t
name_column(PyObject *body, Py_ssize_t start, Py_ssize_t end, PyObject *name)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(name);
    int kind = PyUnicode_KIND(body);
    const void *data = PyUnicode_DATA(body);
    Py_ssize_t first = PyUnicode_Find(body, name, start, end, 1);
    for (Py_ssize_t at = first; at >= 0; at = PyUnicode_Find(body, name, at + 1, end, 1)) {
        Py_ssize_t stop = at + len;
        if ((at == start || !word_char(PyUnicode_READ(kind, data, at - 1)))
            && (stop == end || !word_char(PyUnicode_READ(kind, data, stop)))) {
            return at - start;
        }
    }
    return PyErr_Occurred() ? -2 : first < 0 ? -1 : first - start;
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
        XDECREF_ALL(target, span, line);
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

/* One agent while its delegations are linked: link_agent's state, passed down as one. */
typedef struct {
    PyObject *file, *id, *name, *body, *body_line;  /* its fields (new references) */
    PyObject *delegations;                          /* as PySequence_Fast (a new reference) */
    PyObject *plugins, *known, *dangling, *edges, *diags;  /* link_agent's arguments (borrowed) */
    PyObject *reported;  /* the names its diagnostics named already: each once */
    PyObject *lines_of;  /* name -> the lines naming it, made for the first dangling name only */
    Py_ssize_t row, at;  /* the body's line `row` starts at `at`; -1: the body has no line `row` */
} Agent;

/* The next "\n" of the body from `from` on, or -1: the body is a str, or its UTF-8 (ir.held_body). */
static Py_ssize_t
next_newline(PyObject *body, Py_ssize_t from, Py_ssize_t n)
{
    if (PyBytes_Check(body)) {
        const char *s = PyBytes_AS_STRING(body);
        const char *newline = from < n ? memchr(s + from, '\n', n - from) : NULL;
        return newline == NULL ? -1 : newline - s;
    }
    return PyUnicode_FindChar(body, '\n', from, n, 1);
}

/* graph._lines_at of one row: whether the body has line `row` (0-based, as `body.split("\n")[row]`),
 * and where it is, [*start, *end): in characters of a str, in bytes of a body held as UTF-8. Found by
 * stepping from "\n" to "\n" from the last line found: an agent's delegations come in order of their
 * lines, so its body is walked once, only up to the last of them, and a line is copied only for a
 * diagnostic's excerpt (or, of a body held as UTF-8, decoded for the name's column: the body is not). graph.link made the list of every
 * delegation's row and line first (a C lines_at, since gone): ~1.2M instructions more per 100 seed agents. */
static int
line_at(Agent *g, Py_ssize_t row, Py_ssize_t *start, Py_ssize_t *end)
{
    Py_ssize_t n = PyBytes_Check(g->body) ? PyBytes_GET_SIZE(g->body) : PyUnicode_GET_LENGTH(g->body);
    if (row < 0) {
        return 0;
    }
    if (row < g->row) {
        g->row = g->at = 0;
    }
    for (; g->row < row && g->at >= 0; g->row++) {
        Py_ssize_t newline = next_newline(g->body, g->at, n);
        g->at = newline < 0 ? -1 : newline + 1;
    }
    if (g->at < 0) {
        return 0;
    }
    Py_ssize_t newline = next_newline(g->body, g->at, n);
    *start = g->at;
    *end = newline < 0 ? n : newline;
    return 1;
}

/* The row of the body a span's line is on (`line - body_line`); -1 past any Py_ssize_t (no such line), -2
 * with an exception set. */
static Py_ssize_t
row_of(Agent *g, PyObject *line)
{
    PyObject *diff = PyNumber_Subtract(line, g->body_line);
    Py_ssize_t row = diff == NULL ? -1 : PyLong_AsSsize_t(diff);
    Py_XDECREF(diff);
    if (row == -1 && PyErr_Occurred()) {
        if (diff == NULL || !PyErr_ExceptionMatches(PyExc_OverflowError)) {
            return -2;
        }
        PyErr_Clear();
    }
    return row < 0 ? -1 : row;
}

/* The AGC301 or AGC309 of a name that resolves to nothing, reported once per agent. */
static int
dangles(Agent *g, PyObject *name, PyObject *info, PyObject *const *at, PyObject *excerpt)
{
    if (!PyTuple_Check(info) || PyTuple_GET_SIZE(info) != 2) {
        PyErr_SetString(PyExc_TypeError, "link_agent: dangling[name] must be a (builtin, close) tuple");
        return -1;
    }
    PyObject *builtin = PyTuple_GET_ITEM(info, 0), *close = PyTuple_GET_ITEM(info, 1);
    if (builtin != Py_None) {
        PyObject *parts[] = {M_quote, g->name, M_delegates_to, builtin, M_builtin};
        return add_diag(g->diags, S_AGC309, at, concat(parts, 5), H_309, excerpt);
    }
    int same = close == Py_None ? 1 : PyObject_RichCompareBool(close, g->name, Py_EQ);
    int truthy = same ? 0 : PyObject_IsTrue(close);
    if (same < 0 || truthy < 0) {
        return -1;
    }
    if (g->lines_of == NULL && (g->lines_of = lines_naming(g->delegations)) == NULL) {
        return -1;
    }
    PyObject *more = PyDict_GetItemWithError(g->lines_of, name);  /* borrowed */
    if (more == NULL && PyErr_Occurred()) {
        return -1;
    }
    PyObject *where = named_on(more != NULL ? more : Py_None);
    if (where == NULL) {
        return -1;
    }
    PyObject *hint = truthy ? concat((PyObject *[]){M_mean, close, M_mean_end}, 3) : Py_NewRef(H_301);
    PyObject *parts[] = {M_quote, g->name, M_delegates_to, name, M_not_in_build, where};
    PyObject *message = hint == NULL ? NULL : concat(parts, 6);
    Py_DECREF(where);
    int err = add_diag(g->diags, S_AGC301, at, message, hint, excerpt);
    Py_XDECREF(hint);
    return err;
}

/* The AGC302 of a name that several agents hold: "'x' matches 2 agents: p:x, q:x; using p:x". */
static int
ambiguous(Agent *g, PyObject *name, PyObject *targets, PyObject *const *at, PyObject *excerpt)
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
    XDECREF_ALL(first, count, ids);
    return add_diag(g->diags, S_AGC302, at, message, H_302, excerpt);
}

/* The diagnostic of delegation `d` to `target` (known[name]) named the first time by the agent, if
 * any, with `*target` replaced by the candidate used; 1 when the delegation makes no edge (it names
 * the agent itself), 0 when it does, -1 with an exception set. `text`: the str whose [start, end) is
 * the span's line of the body, the diagnostic's excerpt; NULL when the span is on none. */
static int
diagnose(Agent *g, PyObject *name, PyObject **target, int once, PyObject *const *at, PyObject *text, Py_ssize_t start,
         Py_ssize_t end)
{
    int dangling = *target == Py_None, several = PyList_Check(*target);
    if (several && PyList_GET_SIZE(*target) == 0) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        return -1;
    }
    PyObject *id = dangling ? NULL : get(several ? PyList_GET_ITEM(*target, 0) : *target, A_ID);
    int self = dangling ? 0 : id == NULL ? -1 : PyObject_RichCompareBool(id, g->id, Py_EQ);
    Py_XDECREF(id);
    if (self < 0) {
        return -1;
    }
    int err = 0;
    if (once && (dangling || several || self)) {
        PyObject *excerpt = text != NULL ? PyUnicode_Substring(text, start, end) : Py_NewRef(Py_None);
        PyObject *info = NULL;
        if (excerpt != NULL && dangling) {
            info = PyDict_GetItemWithError(g->dangling, name);
            info = info != NULL ? Py_NewRef(info) : PyErr_Occurred() ? NULL : PyObject_GetItem(g->dangling, name);
        }
        err = excerpt == NULL || (dangling && (info == NULL || dangles(g, name, info, at, excerpt) < 0))
              || (several && ambiguous(g, name, *target, at, excerpt) < 0)
              || (self && add_diag(g->diags, S_AGC304, at, concat((PyObject *[]){M_quote, g->name, M_itself}, 3), H_304,
                                   excerpt) < 0) ? -1 : 0;
        Py_XDECREF(info);
        Py_XDECREF(excerpt);
    }
    if (several) {
        Py_SETREF(*target, Py_NewRef(PyList_GET_ITEM(*target, 0)));
    }
    return err < 0 ? -1 : self;
}

/* One delegation `d` to `name` of the agent: its edge and, the first time the agent names `name`,
 * its diagnostic. 0, or -1 with an exception set. */
static int
link_one(Agent *g, PyObject *d, PyObject *name)
{
    PyObject *given = get(d, D_SPAN);
    if (given == NULL) {
        return -1;
    }
    /* graph._name_span: the span at the name's column on its line of the body */
    PyObject *at[3] = {NULL, NULL, NULL};  /* the span's file, line and col */
    PyObject *span = NULL, *target = NULL;
    PyObject *text = NULL;  /* the str the span's line is [start, end) of, if it is on a line of the body */
    int err = -1;
    Py_ssize_t start = 0, end = 0, col = -1;
    at[0] = get(given, P_FILE);
    at[1] = at[0] == NULL ? NULL : get(given, P_LINE);
    int here = at[1] == NULL ? -1 : PyObject_RichCompareBool(at[0], g->file, Py_EQ);
    Py_ssize_t row = here > 0 ? row_of(g, at[1]) : -1;
    if (here < 0 || row == -2) {
        goto done;
    }
    if (line_at(g, row, &start, &end)) {
        if (!PyUnicode_Check(name)) {
            PyErr_SetString(PyExc_TypeError, "link_agent: a delegation's target must be a str");
            goto done;
        }
        if (PyBytes_Check(g->body)) {  /* held as UTF-8: this line alone is decoded, not the body */
            text = PyUnicode_DecodeUTF8(PyBytes_AS_STRING(g->body) + start, end - start, "replace");
            start = 0;
            end = text == NULL ? 0 : PyUnicode_GET_LENGTH(text);
        }
        else {
            text = Py_NewRef(g->body);
        }
        if (text == NULL || (col = name_column(text, start, end, name)) == -2) {
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
    target = PyDict_GetItemWithError(g->known, name);
    target = target != NULL ? Py_NewRef(target) : PyErr_Occurred() ? NULL : PyObject_GetItem(g->known, name);
    int seen = target == NULL ? -1 : PySet_Contains(g->reported, name);
    if (seen < 0 || (!seen && PySet_Add(g->reported, name) < 0)) {
        goto done;
    }
    int self = diagnose(g, name, &target, !seen, at, text, start, end);
    if (self != 0) {
        err = self < 0 ? -1 : 0;
        goto done;
    }
    PyObject *target_id = target == Py_None ? Py_NewRef(Py_None) : get(target, A_ID);
    PyObject *condition = target_id == NULL ? NULL : get(d, D_CONDITION);
    PyObject *kind = condition == NULL ? NULL : get(d, D_KIND);
    PyObject *values[] = {g->id, name, target_id, condition, kind, span};
    PyObject *edge = kind == NULL ? NULL : call_kw(EDGE, values, KW_EDGE);
    err = edge == NULL ? -1 : PyList_Append(g->edges, edge);
    XDECREF_ALL(edge, kind, condition, target_id);
done:
    XDECREF_ALL(text, target, span, at[0], at[1], at[2]);
    Py_DECREF(given);
    return err;
}

PyDoc_STRVAR(link_agent_doc,
"link_agent(a, plugins, known, dangling, edges, diags) -> None\n\n"
"graph._link_agent_py: agent `a`'s edges appended to `edges` and their diagnostics to `diags`.");

static PyObject *
link_agent(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || !PyAnySet_Check(args[1]) || !PyDict_Check(args[2]) || !PyDict_Check(args[3])
        || !PyList_Check(args[4]) || !PyList_Check(args[5])) {
        return type_error("link_agent(a: AgentIR, plugins: set, known: dict, dangling: dict, edges: list, "
                          "diags: list)");
    }
    if (SPAN == NULL)
        return unconfigured("link_agent");
    PyObject *a = args[0];
    Agent g = {.plugins = args[1], .known = args[2], .dangling = args[3], .edges = args[4], .diags = args[5]};
    PyObject *all = get(a, A_DELEGATIONS);
    g.delegations = all == NULL ? NULL : PySequence_Fast(all, "link_agent: a.delegations must be a sequence");
    Py_XDECREF(all);
    g.file = g.delegations == NULL ? NULL : get(a, A_FILE);
    g.id = g.file == NULL ? NULL : get(a, A_ID);
    g.name = g.id == NULL ? NULL : get(a, A_NAME);
    g.body = g.name == NULL ? NULL : get(a, A_BODY);
    g.body_line = g.body == NULL ? NULL : get(a, A_BODY_LINE);
    g.reported = g.body_line == NULL ? NULL : PySet_New(NULL);
    int err = g.reported == NULL;
    if (!err && !PyUnicode_Check(g.body) && !PyBytes_Check(g.body)) {
        PyErr_SetString(PyExc_TypeError, "link_agent: an agent's body must be a str or its UTF-8 bytes");
        err = 1;
    }
    for (Py_ssize_t k = 0; !err && k < PySequence_Fast_GET_SIZE(g.delegations); k++) {
        PyObject *d = PySequence_Fast_GET_ITEM(g.delegations, k);
        PyObject *name = get(d, D_TARGET);
        PyObject *kind = name == NULL ? NULL : get(d, D_KIND);
        /* a plugin is no agent; "vs x" sets this agent apart from x and hands it nothing */
        int skip = kind == NULL ? -1 : PySet_Contains(g.plugins, name);
        if (skip == 0) {
            skip = PyObject_RichCompareBool(kind, S_compare, Py_EQ);
        }
        err = skip < 0 || (!skip && link_one(&g, d, name) < 0);
        Py_XDECREF(kind);
        Py_XDECREF(name);
    }
    PyObject *held[] = {g.lines_of, g.reported, g.body_line, g.body, g.name, g.id, g.file, g.delegations};
    for (size_t k = 0; k < sizeof held / sizeof held[0]; k++) {
        Py_XDECREF(held[k]);
    }
    return err ? NULL : Py_NewRef(Py_None);
}

PyDoc_STRVAR(components_doc,
"components(succ) -> list[list]\n\n"
"graph._components_py: every strongly connected component of `succ` (node -> list of its successors,\n"
"each a node), singletons too, in Tarjan's order from the nodes in order.");

/* graph._components_py, Tarjan's algorithm with its own stacks: the Python one made a call per node
 * and read three dicts per edge. link checks the graph for cycles with it and claude's nesting
 * report walks it again: ~14M instructions each at 1000 seed agents (3000 edges between them).
 * Nodes are numbered in succ's order; a successor that is no node raises KeyError, as succ[w] does. */
static PyObject *
components(PyObject *module, PyObject *succ)
{
    if (!PyDict_Check(succ))
        return type_error("components(succ: dict[node, list[node]])");
    Py_ssize_t n = PyDict_GET_SIZE(succ), pos = 0, k = 0;
    PyObject *key, *value;
    PyObject **nodes = PyMem_Calloc(n + 1, sizeof(PyObject *)), **outs = PyMem_Calloc(n + 1, sizeof(PyObject *));
    Py_ssize_t *index = PyMem_Malloc((n + 1) * sizeof(Py_ssize_t)), *low = PyMem_Malloc((n + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *stack = PyMem_Malloc((n + 1) * sizeof(Py_ssize_t)), *work = PyMem_Malloc(2 * (n + 1) * sizeof(Py_ssize_t));
    char *on = PyMem_Calloc(n + 1, 1);
    PyObject *number = PyDict_New(), *out = PyList_New(0);
    int err = nodes == NULL || outs == NULL || index == NULL || low == NULL || stack == NULL || work == NULL || on == NULL
              || number == NULL || out == NULL;
    if (err && !PyErr_Occurred()) {
        PyErr_NoMemory();
    }
    while (!err && k < n && PyDict_Next(succ, &pos, &key, &value)) {  /* held: a node's __eq__ may change succ */
        nodes[k] = Py_NewRef(key);
        outs[k] = Py_NewRef(value);
        index[k] = -1;
        PyObject *at = PyLong_FromSsize_t(k++);
        err = at == NULL || PyDict_SetItem(number, key, at) < 0;
        Py_XDECREF(at);
        if (!err && !PyList_Check(value)) {
            PyErr_SetString(PyExc_TypeError, "components: each node's successors must be a list");
            err = 1;
        }
    }
    n = k;
    Py_ssize_t counter = 0, sp = 0;
    for (Py_ssize_t root = 0; !err && root < n; root++) {
        if (index[root] >= 0) {
            continue;
        }
        Py_ssize_t wp = 0;  /* work[2j], work[2j + 1]: a node being walked and its next successor */
        index[root] = low[root] = counter++;
        stack[sp++] = root;
        on[root] = 1;
        work[wp++] = root;
        work[wp++] = 0;
        while (!err && wp > 0) {
            Py_ssize_t v = work[wp - 2], i = work[wp - 1];
            if (i < PyList_GET_SIZE(outs[v])) {
                work[wp - 1] = i + 1;
                PyObject *w_obj = Py_NewRef(PyList_GET_ITEM(outs[v], i));
                PyObject *found = PyDict_GetItemWithError(number, w_obj);  /* borrowed */
                Py_ssize_t w = found != NULL ? PyLong_AsSsize_t(found) : -1;
                if (found == NULL && !PyErr_Occurred()) {
                    PyErr_SetObject(PyExc_KeyError, w_obj);
                }
                Py_DECREF(w_obj);
                if (w < 0 || w >= n) {
                    err = 1;
                }
                else if (index[w] < 0) {
                    index[w] = low[w] = counter++;
                    stack[sp++] = w;
                    on[w] = 1;
                    work[wp++] = w;
                    work[wp++] = 0;
                }
                else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            wp -= 2;
            if (low[v] == index[v]) {
                PyObject *comp = PyList_New(0);
                Py_ssize_t w;
                do {
                    w = stack[--sp];
                    on[w] = 0;
                    err = err || comp == NULL || PyList_Append(comp, nodes[w]) < 0;
                } while (w != v);
                err = err || PyList_Append(out, comp) < 0;
                Py_XDECREF(comp);
            }
            if (wp > 0 && low[v] < low[work[wp - 2]]) {
                low[work[wp - 2]] = low[v];
            }
        }
    }
    for (Py_ssize_t j = 0; j < n; j++) {
        Py_XDECREF(nodes[j]);
        Py_XDECREF(outs[j]);
    }
    void *blocks[] = {nodes, outs, index, low, stack, work, on};
    for (size_t j = 0; j < sizeof blocks / sizeof blocks[0]; j++) {
        PyMem_Free(blocks[j]);
    }
    Py_XDECREF(number);
    return err ? (Py_XDECREF(out), NULL) : out;
}

static PyObject *KW_AGENT;  /* AgentIR's keywords in light_agent's call (PyInit__graph) */

/* The n items of `obj` into `out` as new references when it is a list of exactly n items: 1; else 0.
 * Copied, not borrowed: a class's Python __init__ could change the list while they are used. */
static int
items_of(PyObject *obj, Py_ssize_t n, PyObject **out)
{
    if (!PyList_CheckExact(obj) || PyList_GET_SIZE(obj) != n) {
        return 0;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        out[k] = Py_NewRef(PyList_GET_ITEM(obj, k));
    }
    return 1;
}

static void
release(PyObject **items, Py_ssize_t n)
{
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_DECREF(items[k]);
    }
}

/* Span(file=file, line=pair[0], col=pair[1]) for `pair` a list of two; NULL with no error set for any
 * other `pair` (the caller leaves the view to Python). */
static PyObject *
span_at(PyObject *file, PyObject *pair)
{
    PyObject *at[2];
    if (!items_of(pair, 2, at)) {
        return NULL;
    }
    PyObject *values[] = {file, at[0], at[1]};
    PyObject *span = call_kw(SPAN, values, KW_SPAN);
    release(at, 2);
    return span;
}

/* Edge(source=ident, target=e[0], target_id=e[1], condition=e[2], kind=e[3],
 * span=Span(file=file, line=e[4], col=e[5])) for the six values `e` (new references, released here). */
static PyObject *
edge_at(PyObject *ident, PyObject *file, PyObject **e)
{
    PyObject *where[] = {file, e[4], e[5]};
    PyObject *span = call_kw(SPAN, where, KW_SPAN), *edge = NULL;
    if (span != NULL) {
        PyObject *values[] = {ident, e[0], e[1], e[2], e[3], span};
        edge = call_kw(EDGE, values, KW_EDGE);
        Py_DECREF(span);
    }
    release(e, 6);
    return edge;
}

PyDoc_STRVAR(light_agent_doc,
"light_agent(view) -> (AgentIR, tuple[Edge, ...]) | None\n\n"
"incremental._light_py(view) for a view of the shape the cache stores with no suppression lines (a list\n"
"of 8, its spans lists of two, its edges one list of six values each, `lines` an empty dict); None for\n"
"any other view, which Python makes (or refuses) instead.");

/* incremental._light_py: an agent not edited and the edges linking drew from it, made from its view.
 * A one-edit rebuild of 1000 agents makes 999 of them (~30 objects each: the agent, its spans, ~12
 * edges and their spans), and the Python loop was ~48M of its ~640M instructions. The objects are
 * made in the order Python makes them, by the same classes; for anything but the common shape the
 * result is None, and no object made here is kept. */
static PyObject *
light_agent(PyObject *module, PyObject *view)
{
    PyObject *v[8];  /* ident, name, scope, file, [line, col], keys, edges, lines */
    if (AGENT == NULL || !items_of(view, 8, v)) {
        Py_RETURN_NONE;  /* not configured, or another shape: Python makes it */
    }
    PyObject *ident = v[0], *file = v[3], *keys = v[5], *rows = v[6];
    PyObject *span = NULL, *key_spans = NULL, *agent = NULL, *edges = NULL, *body_line = NULL, *out = NULL;
    if (!PyDict_CheckExact(keys) || !PyList_CheckExact(rows) || PyList_GET_SIZE(rows) % 6 != 0 || !PyDict_CheckExact(v[7])
        || PyDict_GET_SIZE(v[7]) != 0) {
        goto done;
    }
    span = span_at(file, v[4]);
    key_spans = span == NULL ? NULL : PyDict_New();
    Py_ssize_t pos = 0;
    PyObject *key, *pair;
    while (key_spans != NULL && PyDict_Next(keys, &pos, &key, &pair)) {
        Py_INCREF(key);  /* held while Python code (a class's __init__, a key's __eq__) may run */
        Py_INCREF(pair);
        PyObject *at = span_at(file, pair);
        int err = at == NULL || PyDict_SetItem(key_spans, key, at) < 0;
        Py_XDECREF(at);
        Py_DECREF(pair);
        Py_DECREF(key);
        if (err) {
            Py_CLEAR(key_spans);
        }
    }
    body_line = key_spans == NULL ? NULL : PyLong_FromLong(1);
    if (body_line != NULL) {
        PyObject *values[] = {ident, v[1], v[2], file, span, S_empty, S_empty, body_line, key_spans};
        agent = call_kw(AGENT, values, KW_AGENT);
    }
    Py_ssize_t n = PyList_GET_SIZE(rows) / 6;
    edges = agent == NULL ? NULL : PyTuple_New(n);
    for (Py_ssize_t k = 0; edges != NULL && k < n; k++) {
        if (PyList_GET_SIZE(rows) != 6 * n) {  /* the list changed under a Python __init__: Python makes it */
            Py_CLEAR(edges);
            break;
        }
        PyObject *e[6];
        for (int j = 0; j < 6; j++) {
            e[j] = Py_NewRef(PyList_GET_ITEM(rows, 6 * k + j));
        }
        PyObject *edge = edge_at(ident, file, e);
        if (edge == NULL) {
            Py_CLEAR(edges);
            break;
        }
        PyTuple_SET_ITEM(edges, k, edge);
    }
    out = edges == NULL ? NULL : PyTuple_Pack(2, agent, edges);
done:
    XDECREF_ALL(edges, agent, body_line, key_spans, span);
    release(v, 8);
    if (out == NULL && !PyErr_Occurred()) {
        Py_RETURN_NONE;  /* a part of another shape: Python makes the whole view */
    }
    return out;
}

PyDoc_STRVAR(index_named_doc,
"index_named(named, normals, by_name) -> (kept, by_id, by_name, normals) | None\n\n"
"graph._index(named, None, normals) for `named` a list of graph.Named (id, name, scope, file) whose ids,\n"
"names and files are str, scopes str or None, in the order of their files, no id twice, and `normals` a\n"
"dict of str to str; `by_name` is the empty defaultdict(list) the result fills. None, `by_name` left empty,\n"
"for any other input: Python indexes it.");

/* graph._index of an incremental rebuild's views (graph.relink): the 1000 names a one-edit rebuild
 * indexes for its edited agent were ~3M of its ~240M instructions in Python (a sort, two dicts and a
 * list each, through Named's properties). The checks come first and touch nothing: only str and None
 * are hashed and compared, so no Python code runs while the result is made. */
static PyObject *
index_named(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        return type_error("index_named(named: list, normals: dict, by_name: dict)");
    }
    PyObject *named = args[0], *normals = args[1], *by_name = args[2];
    if (NAMED == NULL || !PyList_CheckExact(named) || !PyDict_CheckExact(normals) || !PyDict_Check(by_name)
        || PyDict_GET_SIZE(by_name) != 0) {
        Py_RETURN_NONE;
    }
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(normals, &pos, &key, &value)) {
        if (!PyUnicode_CheckExact(key) || !PyUnicode_CheckExact(value)) {
            Py_RETURN_NONE;
        }
    }
    Py_ssize_t n = PyList_GET_SIZE(named);
    PyObject *kept = PyList_GetSlice(named, 0, n);  /* the agents, in the order of their files: as `named` is */
    if (kept == NULL) {
        return NULL;
    }
    PyObject *prev = NULL;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *a = PyList_GET_ITEM(kept, k);
        if (!Py_IS_TYPE(a, (PyTypeObject *)NAMED) || PyTuple_GET_SIZE(a) != 4 || !PyUnicode_CheckExact(PyTuple_GET_ITEM(a, 0))
            || !PyUnicode_CheckExact(PyTuple_GET_ITEM(a, 1)) || !PyUnicode_CheckExact(PyTuple_GET_ITEM(a, 3))
            || !(PyTuple_GET_ITEM(a, 2) == Py_None || PyUnicode_CheckExact(PyTuple_GET_ITEM(a, 2)))) {
            Py_DECREF(kept);
            Py_RETURN_NONE;
        }
        PyObject *file = PyTuple_GET_ITEM(a, 3);
        if (prev != NULL && PyUnicode_Compare(file, prev) < 0) {  /* not sorted (str: no error) */
            Py_DECREF(kept);
            Py_RETURN_NONE;
        }
        prev = file;
    }
    /* by_id as dict(zip(ids, agents)) of them reversed makes it: each id once, last to first */
    PyObject *by_id = PyDict_New();
    for (Py_ssize_t k = n - 1; by_id != NULL && k >= 0; k--) {
        PyObject *a = PyList_GET_ITEM(kept, k);
        if (PyDict_SetItem(by_id, PyTuple_GET_ITEM(a, 0), a) < 0) {
            Py_CLEAR(by_id);
        }
    }
    if (by_id == NULL || PyDict_GET_SIZE(by_id) != n) {  /* an id twice: Python keeps the first and reports the others */
        Py_DECREF(kept);
        if (by_id == NULL) {
            return NULL;
        }
        Py_DECREF(by_id);
        Py_RETURN_NONE;
    }
    /* by_name: each name's agents in order, then each agent under its name's normal form too (once) */
    int err = 0;
    for (int pass = 0; pass < (PyDict_GET_SIZE(normals) ? 2 : 1) && !err; pass++) {
        for (Py_ssize_t k = 0; k < n && !err; k++) {
            PyObject *a = PyList_GET_ITEM(kept, k), *name = PyTuple_GET_ITEM(a, 1);
            if (pass == 1 && (name = PyDict_GetItemWithError(normals, name)) == NULL) {
                err = PyErr_Occurred() != NULL;
                continue;
            }
            PyObject *group = PyDict_GetItemWithError(by_name, name);
            if (group == NULL) {
                PyObject *one = PyErr_Occurred() ? NULL : PyList_New(1);
                if (one != NULL) {
                    PyList_SET_ITEM(one, 0, Py_NewRef(a));
                    err = PyDict_SetItem(by_name, name, one) < 0;
                    Py_DECREF(one);
                } else {
                    err = 1;
                }
            } else if (pass == 0) {
                err = PyList_Append(group, a) < 0;
            } else {
                int in = PySequence_Contains(group, a);
                err = in < 0 || (in == 0 && PyList_Append(group, a) < 0);
            }
        }
    }
    PyObject *out = err ? NULL : PyTuple_Pack(4, kept, by_id, by_name, normals);
    Py_DECREF(kept);
    Py_DECREF(by_id);
    return out;
}

PyDoc_STRVAR(configure_doc,
"configure(agent_cls, delegation_cls, span_cls, edge_cls, diagnostic_cls, codes, named_cls) -> None\n\n"
"The IR classes link_agent reads and makes, diagnostics.CODES (code -> (severity, title)), and graph.Named,\n"
"the tuple class index_named reads.");

static PyObject *
configure(PyObject *module, PyObject *args)
{
    PyObject *agent, *delegation, *span, *edge, *diagnostic, *codes, *named;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!O!O!:configure", &PyType_Type, &agent, &PyType_Type, &delegation, &PyType_Type,
                          &span, &PyType_Type, &edge, &PyType_Type, &diagnostic, &PyDict_Type, &codes, &PyType_Type, &named)) {
        return NULL;
    }
    if (!PyType_IsSubtype((PyTypeObject *)named, &PyTuple_Type)) {
        return type_error("configure: named_cls must be a tuple class");
    }
    for (int k = 0; k < N_FIELDS; k++) {  /* each field's slot: a member descriptor of its class, holding any object */
        PyObject *cls = k <= A_BODY_LINE ? agent : k <= D_CONDITION ? delegation : span;
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
    Py_XSETREF(NAMED, Py_NewRef(named));
    Py_RETURN_NONE;
}

PyDoc_STRVAR(opens_doc,
"opens(body) -> bool\n\n"
"suppress._opens_py: whether `body` (a str, or its UTF-8 bytes as an agent holds it) holds \"<!--\".");

/* Each "<" found by memchr (PyUnicode_FindChar: memchr too for a str of one byte a character), then the
 * three after it compared: ~1 us over a 32 KB seed agent, where the Python loop hopping from "<" to "<"
 * took ~6 us and `"<!--" in body` ~21 (CPython's search checks the frequent "-" at every place). */
static PyObject *
opens(PyObject *module, PyObject *body)
{
    if (PyBytes_Check(body)) {
        const char *at = PyBytes_AS_STRING(body), *end = at + PyBytes_GET_SIZE(body);
        for (; (at = memchr(at, '<', end - at)) != NULL; at++) {
            if (end - at >= 4 && memcmp(at + 1, "!--", 3) == 0) {
                Py_RETURN_TRUE;
            }
        }
        Py_RETURN_FALSE;
    }
    if (!PyUnicode_Check(body)) {
        return type_error("opens(body: str | bytes)");
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(body), at = 0;
    int kind = PyUnicode_KIND(body);
    const void *data = PyUnicode_DATA(body);
    for (; (at = PyUnicode_FindChar(body, '<', at, n, 1)) >= 0; at++) {
        if (at + 3 < n && PyUnicode_READ(kind, data, at + 1) == '!' && PyUnicode_READ(kind, data, at + 2) == '-'
            && PyUnicode_READ(kind, data, at + 3) == '-') {
            Py_RETURN_TRUE;
        }
    }
    if (at == -2) {
        return NULL;
    }
    Py_RETURN_FALSE;
}

static PyMethodDef methods[] = {
    {"opens", opens, METH_O, opens_doc},
    FASTCALL_METHOD("link_agent", link_agent, link_agent_doc),
    {"components", components, METH_O, components_doc},
    {"light_agent", light_agent, METH_O, light_agent_doc},
    FASTCALL_METHOD("index_named", index_named, index_named_doc),
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
        {&S_delegations, "delegations"}, {&S_body, "body"}, {&S_body_line, "body_line"}, {&S_file, "file"}, {&S_id, "id"}, {&S_name, "name"}, {&S_target, "target"},
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
    static const char *const agent[] = {"id", "name", "scope", "file", "span", "description", "body", "body_line", "key_spans"};
    KW_AGENT = keywords(agent, 9);
    if (KW_SPAN == NULL || KW_EDGE == NULL || KW_DIAG == NULL || KW_AGENT == NULL) {
        return NULL;
    }
    return PyModule_Create(&module_def);
}
