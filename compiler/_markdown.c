/* agentc.compiler._markdown: the line classifier of compiler/markdown.py in C.
 *
 * markdown.py stays the reference and the fallback (as json/_json, heapq/_heapq): it uses this
 * module when it imports and AGENTC_PURE_PYTHON is not set. kinds() gives the same list as the
 * Python _kinds_py: the kind of every line plus a blank one past the end, with list items and
 * headings built as ListItem and Heading objects. It reads the shapes nearly every line has (prose, blanks, "- item", "1. item",
 * boxes, headings, rules, fences, pipes, <example>) and hands any other line that could open a
 * block to the Python reader (_CLASSIFY[c](line, c, ln)), so the rare shapes (tabs in an indent,
 * "12) item", odd blanks before a marker) keep exactly the Python semantics without being
 * re-implemented here. Whitespace is Python's: Py_UNICODE_ISSPACE is what str.strip() uses.
 *
 * parse_blocks() is markdown._parse_blocks_py's loop over those kinds: it makes the blocks every
 * agent has many of (list items, headings, paragraphs), turns a list's lead-in line into a Label
 * as _label_before does, and reads the closed fences, closed <example> blocks and tables of plain
 * cells that nearly every rare block is (_rare_block's ~25 us each in Python). It calls the same
 * Python helpers as the loop for the rest (_item_goes_on; _rare_block for an open fence or
 * <example>, whose diagnostics stay written once, and a table row with a code span or an escape).
 * outline() is markdown._outline_py: the sections that headings and labels open. utf8_lines() is
 * read_source's `text_of(data).split("\n")`, done on the file's bytes. lead() is
 * markdown._lead_py and owners() source._owners_py. top_items(), ir_sections(), worked_parts() and
 * check_items() are structure's _top_items_py, _ir_sections_py, _worked_parts_py and
 * _check_items_py: they make IR nodes by calling the classes they are handed, as Python would.
 *
 * Why hand-written and not a markdown library: no CommonMark parser gives our `Label:` lines, box
 * items, tables and exact line spans, and pyromark measured ~1 ms per 32-KB agent with its event
 * list, slower than the Python reader's ~0.37 ms.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "_extension.h"
#include <stdint.h>
#include <string.h>
#include <structmember.h>

/* What markdown.py hands over once (configure): the shared kinds, the block classes it makes with
 * their slot descriptors, the Python readers for the lines this module does not read itself, and
 * the helpers parse_blocks calls. */
static PyObject *BLANK_KIND, *TEXT_KIND, *PIPE_KIND, *FENCE_KIND, *RULE_KIND, *EXAMPLE_KIND;
static long BLANK_CODE, RULE_CODE, TEXT_CODE;  /* the kind codes parse_blocks tells apart */
static long PIPE_CODE, FENCE_CODE, EXAMPLE_CODE;
static PyObject *CLASSIFY;      /* markdown._CLASSIFY: first character -> Python reader */

/* A block class and the member descriptors of its fields, in its __init__'s order, with where each
 * field's slot lives in an object (the descriptor's offset: set and read there directly, as the
 * descriptor itself does, without its call). */
#define MAX_FIELDS 8
typedef struct {
    PyTypeObject *type;
    int n;
    PyObject *fields[MAX_FIELDS];
    Py_ssize_t offsets[MAX_FIELDS];
    /* The class's tp_dealloc before configure() gave it block_dealloc (see plain_layout), NULL when
     * it keeps its own. */
    destructor own_dealloc;
    /* Instances block_dealloc freed, their slots cleared, kept for alloc_block (see KEPT_BLOCKS). */
    PyObject **kept;
    int n_kept;
} BlockClass;

static BlockClass LIST_ITEM;  /* line, col, end, text, indent, ordered, checked, raw_line */
static BlockClass HEADING;    /* line, col, end, level, title */
static BlockClass PARAGRAPH;  /* line, col, end, text */
static BlockClass LABEL;      /* line, col, end, title */
static BlockClass SECTION;    /* title, level, kind, line, start, end, end_line, parent */
static BlockClass CODE;       /* line, col, end, lang, code, raw_lines */
static BlockClass TABLE;      /* line, col, end, header, rows */
static BlockClass EXAMPLE;    /* line, col, end, text */
#define N_CLASSES 8
static BlockClass *CLASSES[N_CLASSES] = {&LIST_ITEM, &HEADING, &PARAGRAPH, &LABEL, &SECTION, &CODE, &TABLE, &EXAMPLE};
static const int CLASS_FIELDS[N_CLASSES] = {8, 5, 4, 4, 8, 6, 5, 4};
static PyObject *ITEM_GOES_ON, *PLAIN, *RARE_BLOCK;  /* markdown's _item_goes_on, plain, _rare_block */
static PyObject *EMPTY_TUPLE;
static PyObject *EXAMPLE_TAG;  /* "<example>" */
static PyObject *EXAMPLE_END;  /* "</example>" */
static PyObject *NEWLINE;      /* "\n" */
static PyObject *HEADING_KIND, *LABEL_KIND;  /* a Section's kind: "heading", "label" */
static PyObject *OTHER_ROLE;  /* "other", the role of a title no pattern of source.ROLES matches */
static PyObject *ONE;

static int
is_blank(Py_UCS4 ch)
{
    return ch == ' ' || ch == '\t';
}

/* Slot `k` of `obj`, an instance of `cls`. */
#define SLOT(cls, k, obj) ((PyObject **)((char *)(obj) + (cls)->offsets[k]))

/* Sets field `k` of `obj` (an instance of `cls`) to `value` (borrowed; NULL leaves it empty), as its
 * descriptor would. */
static void
set_field(BlockClass *cls, int k, PyObject *obj, PyObject *value)
{
    Py_XSETREF(*SLOT(cls, k, obj), Py_XNewRef(value));
}

/* A new block of class `cls` with no field set yet, made as its dataclass __init__ makes it
 * (object.__new__; new_block then sets each slot), without running the __init__'s bytecode: a
 * third of the Python classifier's time per item. markdown.py checks the classes are plain slots
 * dataclasses before using this. */
static PyObject *
alloc_block(BlockClass *cls)
{
    PyTypeObject *type = cls->type;
    if (type->tp_new != PyBaseObject_Type.tp_new || (type->tp_flags & Py_TPFLAGS_IS_ABSTRACT)) {
        return type->tp_new(type, EMPTY_TUPLE, NULL);
    }
    /* object.__new__ of a concrete class is tp_alloc after two checks on (), so call tp_alloc:
     * ~30 instructions less per block, ~420 blocks per seed agent; or take back a freed one.
     * The block is left untracked by the collector, as CPython leaves a tuple of atoms: a block holds
     * strs, ints, bools and lists of strs, nothing that leads back to it, so it can be in no cycle
     * for the collector to find (and agentc's command line turns the collector off). Linking each
     * block into the collector's list, and out again when freed, cost ~30 instructions a block and
     * a cache miss on a neighbour: read_source ~832K -> ~815K instructions per seed agent. */
    if (cls->n_kept > 0) {
        return PyObject_Init(cls->kept[--cls->n_kept], type);
    }
    PyObject *block = type->tp_alloc(type, 0);
    if (block != NULL) {
        PyObject_GC_UnTrack(block);
    }
    return block;
}

/* How many freed instances of a class block_dealloc keeps for alloc_block to hand out again: an
 * agent's Source is freed before the next agent is read, and its ~420 blocks made again from the
 * kept memory skip the allocator and its clearing both ways (PyObject_Malloc, memset, the GC link,
 * PyObject_Free: ~150 instructions a block), as CPython's own freelists do for tuples and floats.
 * A seed agent has ~330 list items; at most ~100 KB are kept per class. */
#define KEPT_BLOCKS 1024

/* The tp_dealloc configure() gives a block class of plain layout: its instance's field slots
 * cleared, then freed, as subtype_dealloc does for it with none of the generic steps (a finalizer,
 * weak references, __dict__, the trashcan, the walk to the base's dealloc) that such a class never
 * needs. An agent's ~420 blocks and ~60 sections are freed with its Source: subtype_dealloc cost
 * ~250 Ir a block. A subclass's instance (that subtype_dealloc hands here after clearing its own
 * slots) is freed the same way: its type's tp_free, then a reference to that type dropped. */
static void
block_dealloc(BlockClass *cls, PyObject *self)
{
    PyTypeObject *type = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    for (int k = 0; k < cls->n; k++) {
        Py_CLEAR(*SLOT(cls, k, self));
    }
    if (type == cls->type && cls->n_kept < KEPT_BLOCKS) {
        cls->kept[cls->n_kept++] = self;  /* untracked, its slots empty, as alloc_block wants it */
    }
    else {
        type->tp_free(self);
    }
    Py_DECREF(type);
}

/* block_dealloc for each class configure() takes, in CLASSES' order. */
#define DEALLOC_OF(name, cls)              \
    static void name(PyObject *self)       \
    {                                      \
        block_dealloc(&(cls), self);       \
    }
DEALLOC_OF(dealloc_item, LIST_ITEM)
DEALLOC_OF(dealloc_heading, HEADING)
DEALLOC_OF(dealloc_paragraph, PARAGRAPH)
DEALLOC_OF(dealloc_label, LABEL)
DEALLOC_OF(dealloc_section, SECTION)
DEALLOC_OF(dealloc_code, CODE)
DEALLOC_OF(dealloc_table, TABLE)
DEALLOC_OF(dealloc_example, EXAMPLE)
static const destructor DEALLOCS[] = {dealloc_item, dealloc_heading, dealloc_paragraph, dealloc_label,
                                      dealloc_section, dealloc_code, dealloc_table, dealloc_example};

/* A new block of class `cls` with these field values (borrowed). */
static PyObject *
new_block(BlockClass *cls, PyObject *const *values)
{
    PyObject *block = alloc_block(cls);
    if (block == NULL) {
        return NULL;
    }
    for (int k = 0; k < cls->n; k++) {
        set_field(cls, k, block, values[k]);
    }
    return block;
}

/* `k`-th field of `obj`, an instance of `cls` (a new reference); NULL with AttributeError if unset. */
static PyObject *
get_field(BlockClass *cls, int k, PyObject *obj)
{
    PyObject *value = *SLOT(cls, k, obj);
    if (value == NULL) {
        PyErr_Format(PyExc_AttributeError, "%s has no field %zd set", cls->type->tp_name, (Py_ssize_t)k);
        return NULL;
    }
    return Py_NewRef(value);
}

/* A block whose first three fields are (line, col, end) made from C integers, then `rest`. */
static PyObject *
new_block_at(BlockClass *cls, Py_ssize_t line_no, Py_ssize_t col, Py_ssize_t end, PyObject *const *rest)
{
    PyObject *block = alloc_block(cls);
    if (block == NULL) {
        return NULL;
    }
    /* the three ints go into their slots with the references shared_int made, not through a
     * values array that new_block would take a second reference from: ~40 Ir less per block */
    Py_ssize_t at[3] = {line_no, col, end};
    for (int k = 0; k < 3; k++) {
        PyObject *number = shared_int(at[k]);
        if (number == NULL) {
            Py_DECREF(block);
            return NULL;
        }
        Py_XSETREF(*SLOT(cls, k, block), number);
    }
    for (int k = 3; k < cls->n; k++) {
        set_field(cls, k, block, rest[k - 3]);
    }
    return block;
}

/* A new ListItem: (line, col, end) = (line_no, indent + 1, line_no), its text `text`, or, when
 * `text` is NULL, its text slot left empty and its whole line `raw_line` kept for item_text_of. */
static PyObject *
new_item(Py_ssize_t line_no, Py_ssize_t indent, PyObject *text, int ordered, PyObject *checked, PyObject *raw_line)
{
    PyObject *ind = shared_int(indent);
    if (ind == NULL) {
        return NULL;
    }
    PyObject *item = alloc_block(&LIST_ITEM);
    if (item != NULL) {
        Py_ssize_t at[3] = {line_no, indent + 1, line_no};
        for (int k = 0; k < 3; k++) {  /* 0 <= indent <= 16 and the line number: shared ints, as new_block_at's */
            *SLOT(&LIST_ITEM, k, item) = shared_int(at[k]);
        }
        if (*SLOT(&LIST_ITEM, 0, item) == NULL || *SLOT(&LIST_ITEM, 1, item) == NULL || *SLOT(&LIST_ITEM, 2, item) == NULL) {
            Py_CLEAR(item);
        }
    }
    if (item != NULL) {
        *SLOT(&LIST_ITEM, 3, item) = Py_XNewRef(text);
        *SLOT(&LIST_ITEM, 4, item) = Py_NewRef(ind);
        *SLOT(&LIST_ITEM, 5, item) = Py_NewRef(ordered ? Py_True : Py_False);
        *SLOT(&LIST_ITEM, 6, item) = Py_NewRef(checked);
        *SLOT(&LIST_ITEM, 7, item) = Py_NewRef(raw_line);
    }
    Py_DECREF(ind);
    return item;
}

/* Fields read lazily. Of a seed agent's ~330 list items, a build of the claude target reads the
 * text of a dozen (those a delegation form may be in), and the code of none of its ~3 fences (~240
 * lines): cutting each item's text out of its line (a str made, and freed with the item) cost ~230
 * instructions an item, and joining a fence's lines ~10K a fence. plain_item leaves an item's text
 * slot empty and keeps its line in `raw_line` (the Source keeps the line anyway); fence_block leaves
 * a Code's code empty and keeps its lines and the fence's indent in `raw_lines`. configure() gives
 * ListItem.text and Code.code a Lazy descriptor in place of the slot's own: it makes the value when
 * first read, keeps it in the slot and sets the raw field to None. Setting or deleting the value
 * sets the slot and drops the raw field, as the slot's descriptor would. The C readers here
 * (top_items, worked_parts, check_items) read the slots through item_text and code_text. */
typedef int (*make_fn)(PyObject **value, PyObject **raw);

typedef struct {
    PyGetSetDef def;
    Py_ssize_t value, raw;  /* the slots' offsets in an instance: the field's and its raw field's */
    make_fn make;           /* fills an empty `value` slot from `raw` (then None): 0, or -1 with an exception */
} Lazy;

static PyObject *strip_range(PyObject *line, int kind, const void *data, Py_ssize_t a, Py_ssize_t b);
static PyObject *join_lines(PyObject *lines, Py_ssize_t i, Py_ssize_t j, Py_ssize_t pad);

static int LAZY_TEXT;  /* LIST_ITEM's text is Lazy: plain_item leaves items' texts unread */
static int LAZY_CODE;  /* CODE's code is Lazy: fence_block leaves the code unjoined */

#define AT(obj, offset) ((PyObject **)((char *)(obj) + (offset)))

/* Cuts the text of an item whose text slot `*text` is empty out of its line `*raw_line`, if one is
 * kept: the line as plain_item read it (spaces, a marker of one character or a digit and ".", a
 * space, maybe a box of four characters), the rest stripped. */
static int
item_text_of(PyObject **text, PyObject **raw_line)
{
    PyObject *line = *raw_line;
    if (*text != NULL || line == NULL || !PyUnicode_Check(line)) {
        return 0;
    }
    int kind = PyUnicode_KIND(line);
    const void *data = PyUnicode_DATA(line);
    Py_ssize_t n = PyUnicode_GET_LENGTH(line), at = 0;
    while (at < n && PyUnicode_READ(kind, data, at) == ' ') {
        at++;
    }
    Py_UCS4 mark = at < n ? PyUnicode_READ(kind, data, at) : 0;
    at += (mark >= '0' && mark <= '9' ? 2 : 1) + 1;  /* the marker and its space */
    if (at < n && PyUnicode_READ(kind, data, at) == '[') {
        at += 4;  /* plain_item read "[" right after the marker's space as a box, or not at all */
    }
    PyObject *cut = strip_range(line, kind, data, at < n ? at : n, n);
    if (cut == NULL) {
        return -1;
    }
    *text = cut;
    Py_SETREF(*raw_line, Py_NewRef(Py_None));
    return 0;
}

/* Joins the lines of a Code whose code slot `*code` is empty, if `*raw_lines` holds them: (the
 * lines inside the fence, the fence's indent), as join_lines joined them when read. */
static int
code_of_lines(PyObject **code, PyObject **raw_lines)
{
    PyObject *held = *raw_lines;
    if (*code != NULL || held == NULL || !PyTuple_Check(held) || PyTuple_GET_SIZE(held) != 2
        || !PyList_Check(PyTuple_GET_ITEM(held, 0)) || !PyLong_Check(PyTuple_GET_ITEM(held, 1))) {
        return 0;
    }
    Py_ssize_t pad = PyLong_AsSsize_t(PyTuple_GET_ITEM(held, 1));
    if (pad == -1 && PyErr_Occurred()) {
        return -1;
    }
    Py_INCREF(held);
    PyObject *lines = PyTuple_GET_ITEM(held, 0);
    PyObject *joined = join_lines(lines, 0, PyList_GET_SIZE(lines), pad);
    Py_DECREF(held);
    if (joined == Py_None) {  /* a line that is not a str: fence_block checked them, someone changed the list */
        Py_DECREF(joined);
        PyErr_SetString(PyExc_TypeError, "Code.raw_lines: a line is not a str");
        return -1;
    }
    if (joined == NULL) {
        return -1;
    }
    Py_XSETREF(*code, joined);
    Py_SETREF(*raw_lines, Py_NewRef(Py_None));
    return 0;
}

static PyObject *
lazy_get(PyObject *self, void *closure)
{
    Lazy *lazy = closure;
    PyObject **value = AT(self, lazy->value);
    if (lazy->make(value, AT(self, lazy->raw)) < 0) {
        return NULL;
    }
    if (*value == NULL) {
        PyErr_Format(PyExc_AttributeError, "'%.100s' object has no attribute '%s'", Py_TYPE(self)->tp_name, lazy->def.name);
        return NULL;
    }
    return Py_NewRef(*value);
}

static int
lazy_set(PyObject *self, PyObject *value, void *closure)
{
    Lazy *lazy = closure;
    PyObject **slot = AT(self, lazy->value), **raw = AT(self, lazy->raw);
    if (value == NULL && *slot == NULL && (*raw == NULL || *raw == Py_None)) {
        PyErr_Format(PyExc_AttributeError, "'%.100s' object has no attribute '%s'", Py_TYPE(self)->tp_name, lazy->def.name);
        return -1;
    }
    Py_XSETREF(*slot, Py_XNewRef(value));
    Py_XSETREF(*raw, Py_NewRef(Py_None));
    return 0;
}

/* The Lazy of `descr`, if it is one (its getter is lazy_get), else NULL. */
static Lazy *
lazy_of(PyObject *descr)
{
    if (descr == NULL || !Py_IS_TYPE(descr, &PyGetSetDescr_Type)) {
        return NULL;
    }
    PyGetSetDef *def = ((PyGetSetDescrObject *)descr)->d_getset;
    return def->get == lazy_get ? (Lazy *)def->closure : NULL;
}

/* A list item's text (borrowed), cut from its line first if unread; NULL if unset, or with an
 * exception set. */
static PyObject *
item_text(PyObject *b)
{
    PyObject **text = SLOT(&LIST_ITEM, 3, b);
    return item_text_of(text, SLOT(&LIST_ITEM, 7, b)) < 0 ? NULL : *text;
}

/* A Code's code (borrowed), joined first if unread; NULL if unset, or with an exception set. */
static PyObject *
code_text(PyObject *b)
{
    PyObject **code = SLOT(&CODE, 4, b);
    return code_of_lines(code, SLOT(&CODE, 5, b)) < 0 ? NULL : *code;
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
    if (PyUnicode_IS_ASCII(line) && b - a > 1 && b - a < PyUnicode_GET_LENGTH(line)) {
        /* what PyUnicode_Substring makes of an ASCII line, without its dispatch: ~60 instructions
         * less per list item; the whole line and 0- or 1-character texts keep its shared objects */
        PyObject *out = PyUnicode_New(b - a, 127);
        if (out != NULL) {
            memcpy(PyUnicode_DATA(out), (const Py_UCS1 *)data + a, (size_t)(b - a));
        }
        return out;
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
    if (LAZY_TEXT) {  /* the text is cut from the line when first read (item_text_of) */
        return new_item(ln, i, NULL, ordered, checked, line);
    }
    PyObject *text = strip_range(line, kind, data, rest, n);
    if (text == NULL) {
        return NULL;
    }
    PyObject *item = new_item(ln, i, text, ordered, checked, Py_None);
    Py_DECREF(text);
    return item;
}

/* A heading "#" to "######" at column 1 then a blank, on line `ln`, as its Heading block with closing
 * #s and blanks removed from the title; any other line starting with "#" is text. The block is made
 * here, as a list item's is: a (kind, (level, title)) pair made for parse_blocks to unpack cost
 * ~250 instructions a heading more (~80 headings a seed agent). */
static PyObject *
heading(PyObject *line, int kind, const void *data, Py_ssize_t n, Py_ssize_t ln)
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
    PyObject *fields[] = {shared_int(level), title};  /* (level, title) */
    PyObject *out = fields[0] == NULL ? NULL : new_block_at(&HEADING, ln, 1, ln, fields);
    Py_XDECREF(fields[0]);
    Py_DECREF(title);
    return out;
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
        return i == 0 ? heading(line, kind, data, n, ln) : Py_NewRef(TEXT_KIND);
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

/* The kinds of `lines` (a list, checked by the caller) from file line `first`, as a new list with
 * a blank kind past the end, and before `start`; NULL with an exception set. */
static PyObject *
kinds_of(PyObject *lines, Py_ssize_t first, Py_ssize_t start)
{
    Py_ssize_t n = PyList_GET_SIZE(lines);
    PyObject *out = PyList_New(n + 1);
    if (out == NULL) {
        return NULL;
    }
    for (Py_ssize_t k = 0; k < start && k < n; k++) {
        PyList_SET_ITEM(out, k, Py_NewRef(BLANK_KIND));
    }
    for (Py_ssize_t k = start; k < n; k++) {
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

/* The arguments (lines: list, first_line: int, ...) of kinds() and parse_blocks(): 0, or -1 with
 * an exception set. */
static int
lines_args(const char *usage, PyObject *const *args, Py_ssize_t nargs, Py_ssize_t want, Py_ssize_t *first)
{
    if (LIST_ITEM.type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_markdown.configure() was not called");
        return -1;
    }
    if (nargs != want || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, usage);
        return -1;
    }
    *first = PyLong_AsSsize_t(args[1]);
    return *first == -1 && PyErr_Occurred() ? -1 : 0;
}

PyDoc_STRVAR(kinds_doc,
"kinds(lines, first_line) -> list\n\n"
"The kind of every line and a blank one past the end, as markdown._kinds_py gives them.");

static PyObject *
kinds(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t first;
    if (lines_args("kinds(lines: list[str], first_line: int)", args, nargs, 2, &first) < 0) {
        return NULL;
    }
    return kinds_of(args[0], first, 0);
}

/* Calls a markdown helper that returns the index of the line after what it read, which must lie
 * in (i, n + 1] (an unclosed fence ends past the last line): that index, or -1 with an exception set. `lines` and `kinds` must keep their sizes
 * (n and n + 1), as the loop reads them unchecked. */
static Py_ssize_t
call_helper(PyObject *helper, PyObject *const *args, size_t nargs, PyObject *lines, PyObject *kinds,
            Py_ssize_t i, Py_ssize_t n)
{
    PyObject *result = PyObject_Vectorcall(helper, args, nargs, NULL);
    if (result == NULL) {
        return -1;
    }
    Py_ssize_t j = PyLong_AsSsize_t(result);
    Py_DECREF(result);
    if (j == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (j <= i || j > n + 1 || PyList_GET_SIZE(lines) != n || PyList_GET_SIZE(kinds) != n + 1) {
        PyErr_Format(PyExc_RuntimeError, "%R returned %zd for line %zd of %zd, or changed the lines", helper, j, i, n);
        return -1;
    }
    return j;
}

/* markdown._paragraph: the paragraph from line i through the text lines after it, appended to
 * `blocks`; the index of the line after it, or -1 with an exception set. */
static Py_ssize_t
paragraph(PyObject *blocks, PyObject *lines, PyObject *kinds, Py_ssize_t i, Py_ssize_t n, Py_ssize_t first)
{
    Py_ssize_t j = i + 1;
    while (j < n && PyList_GET_ITEM(kinds, j) == TEXT_KIND) {
        j++;
    }
    for (Py_ssize_t k = i; k < j; k++) {  /* kinds_of checked them, but the helpers ran since */
        if (!PyUnicode_Check(PyList_GET_ITEM(lines, k))) {
            PyErr_Format(PyExc_TypeError, "line %zd is not a str", k);
            return -1;
        }
    }
    PyObject *text;
    if (j == i + 1) {  /* most paragraphs are one line */
        PyObject *line = PyList_GET_ITEM(lines, i);
        text = strip_range(line, PyUnicode_KIND(line), PyUnicode_DATA(line), 0, PyUnicode_GET_LENGTH(line));
    }
    else {
        PyObject *parts = PyList_New(j - i);
        if (parts == NULL) {
            return -1;
        }
        for (Py_ssize_t k = i; k < j; k++) {
            PyObject *line = PyList_GET_ITEM(lines, k);
            PyObject *part = strip_range(line, PyUnicode_KIND(line), PyUnicode_DATA(line), 0, PyUnicode_GET_LENGTH(line));
            if (part == NULL) {
                Py_DECREF(parts);
                return -1;
            }
            PyList_SET_ITEM(parts, k - i, part);
        }
        text = PyUnicode_Join(NEWLINE, parts);
        Py_DECREF(parts);
    }
    if (text == NULL) {
        return -1;
    }
    PyObject *line = PyList_GET_ITEM(lines, i);
    int kind = PyUnicode_KIND(line);
    const void *data = PyUnicode_DATA(line);
    Py_ssize_t col = 0;  /* len(line) - len(line.lstrip()) */
    while (col < PyUnicode_GET_LENGTH(line) && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, col))) {
        col++;
    }
    PyObject *block = new_block_at(&PARAGRAPH, first + i, col + 1, first + j - 1, &text);
    Py_DECREF(text);
    if (block == NULL) {
        return -1;
    }
    int rc = PyList_Append(blocks, block);
    Py_DECREF(block);
    return rc < 0 ? -1 : j;
}

/* Whether `title` has at most `most` words, as len(title.split()) <= most. */
static int
few_words(PyObject *title, Py_ssize_t most)
{
    int kind = PyUnicode_KIND(title);
    const void *data = PyUnicode_DATA(title);
    Py_ssize_t words = 0;
    int in_word = 0;
    for (Py_ssize_t k = 0; k < PyUnicode_GET_LENGTH(title); k++) {
        int blank = Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k));
        if (!blank && !in_word && ++words > most) {
            return 0;
        }
        in_word = !blank;
    }
    return 1;
}

/* Paragraph `b`, the last of `blocks`, replaced by a Label titled `title` (its cleaned text, which
 * ends in ':') if list item `item` is not indented past it (`item` NULL: a table, which heads it
 * anyway): 0, or -1 with an exception set. */
static int
to_label(PyObject *blocks, PyObject *b, PyObject *item, PyObject *title)
{
    PyObject *col = get_field(&PARAGRAPH, 1, b);
    PyObject *indent = item != NULL ? get_field(&LIST_ITEM, 4, item) : Py_NewRef(Py_None);
    PyObject *line = get_field(&PARAGRAPH, 0, b);
    PyObject *name = strip_range(title, PyUnicode_KIND(title), PyUnicode_DATA(title), 0, PyUnicode_GET_LENGTH(title) - 1);
    int rc = -1;
    if (col != NULL && indent != NULL && line != NULL && name != NULL) {
        Py_ssize_t c = PyLong_AsSsize_t(col), i = item != NULL ? PyLong_AsSsize_t(indent) : c - 1;
        rc = PyErr_Occurred() ? -1 : 0;
        if (rc == 0 && i <= c - 1) {  /* an item indented past the line is not its list */
            PyObject *values[] = {line, col, line, name};
            PyObject *label = new_block(&LABEL, values);
            Py_ssize_t size = PyList_GET_SIZE(blocks);
            if (label == NULL) {
                rc = -1;
            }
            else if (size == 0 || PyList_GET_ITEM(blocks, size - 1) != b) {
                PyErr_SetString(PyExc_RuntimeError, "blocks changed while a label was read");
                Py_DECREF(label);
                rc = -1;
            }
            else {
                PyList_SetItem(blocks, size - 1, label);  /* takes `label`; the caller holds `b` */
            }
        }
    }
    XDECREF_ALL(col, indent, line, name);
    return rc;
}

/* Whether plain(text) can end in ':': plain only drops characters ("**", "__", "`" and blanks), so
 * its last is a ':' of `text` with nothing but those after it. Half of the lead-in lines asked
 * about are sentences, answered here without plain's call (~800 instructions each). */
static int
may_end_in_colon(PyObject *text)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t k = PyUnicode_GET_LENGTH(text) - 1; k >= 0; k--) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, k);
        if (ch != '*' && ch != '_' && ch != '`' && !Py_UNICODE_ISSPACE(ch)) {
            return ch == ':';
        }
    }
    return 0;
}

/* markdown._label_before for list item `item` (NULL: a table) after paragraph `b`, the last of `blocks`: a short
 * one-line paragraph ending in ':' that heads the list becomes a Label, its text cleaned by
 * markdown.plain (cached there). 0, or -1 with an exception set. */
static int
label_before(PyObject *blocks, PyObject *b, PyObject *item)
{
    PyObject *text = get_field(&PARAGRAPH, 3, b);
    if (text == NULL) {
        return -1;
    }
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "a paragraph's text is %R, not a str", text);
        Py_DECREF(text);
        return -1;
    }
    Py_ssize_t newline = PyUnicode_FindChar(text, '\n', 0, PyUnicode_GET_LENGTH(text), 1);
    if (newline != -1 || !may_end_in_colon(text)) {
        Py_DECREF(text);
        return newline == -2 ? -1 : 0;  /* several lines, or no title ending in ':': a paragraph */
    }
    PyObject *title = PyObject_CallOneArg(PLAIN, text);
    Py_DECREF(text);
    if (title == NULL) {
        return -1;
    }
    int rc = 0;
    if (!PyUnicode_Check(title)) {
        PyErr_Format(PyExc_TypeError, "markdown.plain gave %R, not a str", title);
        rc = -1;
    }
    else {
        Py_ssize_t n = PyUnicode_GET_LENGTH(title);
        if (n > 0 && PyUnicode_READ_CHAR(title, n - 1) == ':' && few_words(title, 6)) {
            rc = to_label(blocks, b, item, title);
        }
    }
    Py_DECREF(title);
    return rc;
}

/* The block of list item `item` (kinds[i], already read), appended: it takes the text lines after
 * it, and a short lead-in paragraph before it may become a Label, as in the Python loop. The index
 * of the line after it, or -1 with an exception set. */
static Py_ssize_t
item_block(PyObject *item, PyObject *blocks, PyObject *lines, PyObject *kinds, Py_ssize_t i, Py_ssize_t n,
           Py_ssize_t first)
{
    Py_ssize_t j = i + 1;
    if (PyList_GET_ITEM(kinds, j) == TEXT_KIND) {  /* rare: the item goes on over the next lines */
        PyObject *at = PyLong_FromSsize_t(j), *from = PyLong_FromSsize_t(first);
        if (at == NULL || from == NULL) {
            Py_XDECREF(at);
            Py_XDECREF(from);
            return -1;
        }
        PyObject *args[] = {item, lines, kinds, at, from};
        j = call_helper(ITEM_GOES_ON, args, 5, lines, kinds, i, n);
        Py_DECREF(at);
        Py_DECREF(from);
        if (j < 0) {
            return -1;
        }
    }
    Py_ssize_t size = PyList_GET_SIZE(blocks);
    if (size > 0 && Py_IS_TYPE(PyList_GET_ITEM(blocks, size - 1), PARAGRAPH.type)) {  /* most items follow an item */
        PyObject *b = Py_NewRef(PyList_GET_ITEM(blocks, size - 1));  /* kept alive through plain() */
        int rc = label_before(blocks, b, item);
        Py_DECREF(b);
        if (rc < 0) {
            return -1;
        }
    }
    return PyList_Append(blocks, item) < 0 ? -1 : j;
}

/* Whether line[k:] is "" or "\n": where a regex's `$` matches. */
static int
at_end(int kind, const void *data, Py_ssize_t k, Py_ssize_t n)
{
    return k == n || (k == n - 1 && PyUnicode_READ(kind, data, k) == '\n');
}

/* Whether `line` closes a fence opened by `size` characters `c`: markdown._CLOSE[c] matches it
 * with a run at least that long. */
static int
closes_fence(PyObject *line, Py_UCS4 c, Py_ssize_t size)
{
    int kind = PyUnicode_KIND(line);
    const void *data = PyUnicode_DATA(line);
    Py_ssize_t n = PyUnicode_GET_LENGTH(line), k = 0;
    while (k < n && is_blank(PyUnicode_READ(kind, data, k))) {
        k++;
    }
    Py_ssize_t run = k;
    while (k < n && PyUnicode_READ(kind, data, k) == c) {
        k++;
    }
    if (k - run < 3 || k - run < size) {
        return 0;
    }
    while (k < n && is_blank(PyUnicode_READ(kind, data, k))) {
        k++;
    }
    return at_end(kind, data, k, n);
}

/* Appends `block` (a new reference, or NULL) to `blocks`: `next`, or -1 with an exception set. */
static Py_ssize_t
append_block(PyObject *blocks, PyObject *block, Py_ssize_t next)
{
    if (block == NULL) {
        return -1;
    }
    int rc = PyList_Append(blocks, block);
    Py_DECREF(block);
    return rc < 0 ? -1 : next;
}

/* The lines[i:j] of str, each without up to `pad` leading blanks, joined by "\n"; Py_None (a new
 * reference) when one is not a str (_rare_block reads that), NULL with an exception set. */
static PyObject *
join_lines(PyObject *lines, Py_ssize_t i, Py_ssize_t j, Py_ssize_t pad)
{
    PyObject *parts = PyList_New(j - i);
    for (Py_ssize_t k = i; parts != NULL && k < j; k++) {
        PyObject *line = PyList_GET_ITEM(lines, k), *part = NULL;
        if (!PyUnicode_Check(line)) {
            Py_DECREF(parts);
            Py_RETURN_NONE;
        }
        if (pad == 0) {
            part = Py_NewRef(line);
        }
        else {  /* as CommonMark: a fence indented N removes up to N blanks from each line, no more */
            int kind = PyUnicode_KIND(line);
            const void *data = PyUnicode_DATA(line);
            Py_ssize_t n = PyUnicode_GET_LENGTH(line), at = 0;
            while (at < pad && at < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, at))) {
                at++;
            }
            part = PyUnicode_Substring(line, at, n);
        }
        if (part == NULL) {
            Py_CLEAR(parts);
            break;
        }
        PyList_SET_ITEM(parts, k - i, part);
    }
    if (parts == NULL) {
        return NULL;
    }
    PyObject *text = PyUnicode_Join(NEWLINE, parts);
    Py_DECREF(parts);
    return text;
}

/* _rare_block for a fence line i that a later line closes: the Code block appended; the index of
 * the line after the closer, 0 for a fence that stays open or a line that is not a str (left to
 * _rare_block, which reports them), or -1 with an exception set. */
static Py_ssize_t
fence_block(PyObject *blocks, PyObject *lines, PyObject *kinds, Py_ssize_t i, Py_ssize_t n, Py_ssize_t first)
{
    PyObject *line = PyList_GET_ITEM(lines, i);
    if (!PyUnicode_Check(line)) {
        return 0;
    }
    int kind = PyUnicode_KIND(line);
    const void *data = PyUnicode_DATA(line);
    Py_ssize_t size = PyUnicode_GET_LENGTH(line), pad = 0;
    while (pad < size && is_blank(PyUnicode_READ(kind, data, pad))) {  /* _FENCE's ([ \t]*)(`{3,}|~{3,}) */
        pad++;
    }
    Py_UCS4 c = pad < size ? PyUnicode_READ(kind, data, pad) : 0;
    Py_ssize_t lang = pad;
    while (lang < size && PyUnicode_READ(kind, data, lang) == c) {
        lang++;
    }
    Py_ssize_t marker = lang - pad;
    if ((c != '`' && c != '~') || marker < 3) {
        return 0;
    }
    while (lang < size && is_blank(PyUnicode_READ(kind, data, lang))) {
        lang++;
    }
    Py_ssize_t lang_end = lang;  /* ([^`\s]*) */
    while (lang_end < size && PyUnicode_READ(kind, data, lang_end) != '`'
           && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, lang_end))) {
        lang_end++;
    }
    Py_ssize_t j = i + 1;  /* _fence_end: only a fence line can close it */
    for (; j < n; j++) {
        PyObject *next = PyList_GET_ITEM(lines, j);
        if (PyList_GET_ITEM(kinds, j) != FENCE_KIND) {
            continue;
        }
        if (!PyUnicode_Check(next)) {
            return 0;
        }
        if (closes_fence(next, c, marker)) {
            break;
        }
    }
    if (j >= n) {
        return 0;
    }
    PyObject *code = NULL, *raw_lines = NULL;
    if (LAZY_CODE) {  /* the lines are joined when the code is first read (code_of_lines) */
        for (Py_ssize_t k = i + 1; k < j; k++) {
            if (!PyUnicode_Check(PyList_GET_ITEM(lines, k))) {
                return 0;  /* as join_lines refuses it */
            }
        }
        PyObject *held = PyList_GetSlice(lines, i + 1, j), *indent = held == NULL ? NULL : shared_int(pad);
        raw_lines = indent == NULL ? NULL : PyTuple_Pack(2, held, indent);
        Py_XDECREF(held);
        Py_XDECREF(indent);
        if (raw_lines == NULL) {
            return -1;
        }
    }
    else {
        code = join_lines(lines, i + 1, j, pad);
        if (code == NULL || code == Py_None) {
            Py_XDECREF(code);
            return code == NULL ? -1 : 0;
        }
        raw_lines = Py_NewRef(Py_None);
    }
    PyObject *values[] = {PyUnicode_Substring(line, lang, lang_end), code, raw_lines};
    PyObject *block = values[0] == NULL ? NULL : new_block_at(&CODE, first + i, pad + 1, first + j, values);
    Py_XDECREF(values[0]);
    Py_XDECREF(code);
    Py_DECREF(raw_lines);
    return append_block(blocks, block, j + 1);
}

/* _rare_block for an <example> line i that a later line (or itself) closes: the ExampleTag
 * appended; the index of the line after the closing one, 0 when none closes it or a line is not
 * a str (left to _rare_block), or -1 with an exception set. */
static Py_ssize_t
example_block(PyObject *blocks, PyObject *lines, Py_ssize_t i, Py_ssize_t n, Py_ssize_t first)
{
    Py_ssize_t j = i;
    for (; j < n; j++) {
        PyObject *line = PyList_GET_ITEM(lines, j);
        if (!PyUnicode_Check(line)) {
            return 0;
        }
        int found = PyUnicode_Contains(line, EXAMPLE_END);
        if (found < 0) {
            return -1;
        }
        if (found) {
            break;
        }
    }
    if (j >= n) {
        return 0;
    }
    PyObject *text = join_lines(lines, i, j + 1, 0);
    if (text == NULL) {
        return -1;
    }
    PyObject *block = new_block_at(&EXAMPLE, first + i, 1, first + j, &text);
    Py_DECREF(text);
    return append_block(blocks, block, j + 1);
}

/* One cell of _TABLE_SEP from line[*k]: `:?-{2,}:?[ \t]*`, *k moved past it; 0 if none is there. */
static int
separator_cell(int kind, const void *data, Py_ssize_t n, Py_ssize_t *k)
{
    Py_ssize_t at = *k, dashes;
    if (at < n && PyUnicode_READ(kind, data, at) == ':') {
        at++;
    }
    for (dashes = 0; at < n && PyUnicode_READ(kind, data, at) == '-'; dashes++) {
        at++;
    }
    if (dashes < 2) {
        return 0;
    }
    if (at < n && PyUnicode_READ(kind, data, at) == ':') {
        at++;
    }
    while (at < n && is_blank(PyUnicode_READ(kind, data, at))) {
        at++;
    }
    *k = at;
    return 1;
}

/* Whether `line` (a str) is a table's separator row: markdown._TABLE_SEP, read left to right (each
 * part of it can match only one way, so there is nothing to backtrack). */
static int
is_table_separator(PyObject *line)
{
    int kind = PyUnicode_KIND(line);
    const void *data = PyUnicode_DATA(line);
    Py_ssize_t n = PyUnicode_GET_LENGTH(line), k = 0;
    while (k < n && is_blank(PyUnicode_READ(kind, data, k))) {
        k++;
    }
    if (k < n && PyUnicode_READ(kind, data, k) == '|') {
        k++;
    }
    while (k < n && is_blank(PyUnicode_READ(kind, data, k))) {
        k++;
    }
    if (!separator_cell(kind, data, n, &k)) {
        return 0;
    }
    while (k < n && PyUnicode_READ(kind, data, k) == '|') {  /* (\|[ \t]*CELL)*, or the last \|? */
        Py_ssize_t next = k + 1;
        while (next < n && is_blank(PyUnicode_READ(kind, data, next))) {
            next++;
        }
        if (!separator_cell(kind, data, n, &next)) {
            k++;
            break;
        }
        k = next;
    }
    while (k < n && is_blank(PyUnicode_READ(kind, data, k))) {
        k++;
    }
    return at_end(kind, data, k, n);
}

/* markdown.split_row for a row holding no "`" and no "\\" (the cells are the pieces between its
 * pipes, stripped): a new list; Py_None (a new reference) for any other row or a line that is
 * not a str (split_row's loop reads those), NULL with an exception set. */
static PyObject *
simple_row(PyObject *row)
{
    if (!PyUnicode_Check(row)) {
        Py_RETURN_NONE;
    }
    int kind = PyUnicode_KIND(row);
    const void *data = PyUnicode_DATA(row);
    Py_ssize_t a = 0, b = PyUnicode_GET_LENGTH(row);
    while (a < b && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, a))) {
        a++;
    }
    while (b > a && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, b - 1))) {
        b--;
    }
    if (a < b && PyUnicode_READ(kind, data, a) == '|') {
        a++;
    }
    if (a < b && PyUnicode_READ(kind, data, b - 1) == '|' && !(b - 2 >= a && PyUnicode_READ(kind, data, b - 2) == '\\')) {
        b--;
    }
    for (Py_ssize_t k = a; k < b; k++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, k);
        if (ch == '`' || ch == '\\') {
            Py_RETURN_NONE;
        }
    }
    PyObject *cells = PyList_New(0);
    Py_ssize_t start = a;
    for (Py_ssize_t k = a; cells != NULL && k <= b; k++) {
        if (k == b || PyUnicode_READ(kind, data, k) == '|') {
            PyObject *cell = strip_range(row, kind, data, start, k);
            if (cell == NULL || PyList_Append(cells, cell) < 0) {
                Py_CLEAR(cells);
            }
            Py_XDECREF(cell);
            start = k + 1;
        }
    }
    return cells;
}

/* _rare_block for a pipe line i: the Table it opens with the pipe lines after it (a short lead-in
 * paragraph before it made a Label), or the paragraph it opens when the next line is no separator
 * row. The index of the line after it; 0 when a row holds a backtick or backslash or a line is not
 * a str (left to _rare_block and split_row), -1 with an exception set. */
static Py_ssize_t
table_block(PyObject *blocks, PyObject *lines, PyObject *kinds, Py_ssize_t i, Py_ssize_t n, Py_ssize_t first)
{
    PyObject *sep = i + 1 < n ? PyList_GET_ITEM(lines, i + 1) : NULL;
    if (sep != NULL && !PyUnicode_Check(sep)) {
        return 0;
    }
    if (sep == NULL || !is_table_separator(sep)) {
        return paragraph(blocks, lines, kinds, i, n, first);
    }
    PyObject *header = simple_row(PyList_GET_ITEM(lines, i)), *rows = PyList_New(0);
    Py_ssize_t j = i + 2, rc = 0;
    if (header == NULL || rows == NULL) {
        rc = -1;
    }
    for (; rc == 0 && header != Py_None && PyList_GET_ITEM(kinds, j) == PIPE_KIND; j++) {
        PyObject *cells = simple_row(PyList_GET_ITEM(lines, j));
        PyObject *ln = cells == NULL || cells == Py_None ? NULL : shared_int(first + j);
        PyObject *row = ln == NULL ? NULL : PyTuple_Pack(2, ln, cells);
        if (cells == Py_None) {
            rc = 1;  /* split_row's loop reads it */
        }
        else if (row == NULL || PyList_Append(rows, row) < 0) {
            rc = -1;
        }
        XDECREF_ALL(cells, ln, row);
    }
    PyObject *block = NULL;
    if (rc == 0 && header != Py_None) {
        Py_ssize_t size = PyList_GET_SIZE(blocks);
        if (size > 0 && Py_IS_TYPE(PyList_GET_ITEM(blocks, size - 1), PARAGRAPH.type)) {
            PyObject *b = Py_NewRef(PyList_GET_ITEM(blocks, size - 1));
            rc = label_before(blocks, b, NULL);
            Py_DECREF(b);
        }
        PyObject *values[] = {header, rows};
        block = rc < 0 ? NULL : new_block_at(&TABLE, first + i, 1, first + j - 1, values);
        rc = block == NULL ? -1 : 0;
    }
    Py_XDECREF(header);
    Py_XDECREF(rows);
    if (rc != 0 || block == NULL) {
        return rc < 0 ? -1 : 0;
    }
    return append_block(blocks, block, j);
}


/* One step of markdown._parse_blocks_py's loop: the block line i starts (if any) appended, or
 * handed to a helper. The index of the next line to read, or -1 with an exception set. */
static Py_ssize_t
read_block(PyObject *blocks, PyObject *diags, PyObject *lines, PyObject *kinds, Py_ssize_t i, Py_ssize_t n,
           Py_ssize_t first, PyObject *file)
{
    PyObject *kind = PyList_GET_ITEM(kinds, i);
    if (Py_IS_TYPE(kind, LIST_ITEM.type)) {  /* most block lines are list items, already read */
        Py_INCREF(kind);  /* kept alive through the helpers item_block may call */
        Py_ssize_t j = item_block(kind, blocks, lines, kinds, i, n, first);
        Py_DECREF(kind);
        return j;
    }
    if (Py_IS_TYPE(kind, HEADING.type)) {  /* read as the line was classified too */
        return PyList_Append(blocks, kind) < 0 ? -1 : i + 1;
    }
    if (!PyTuple_Check(kind) || PyTuple_GET_SIZE(kind) != 2) {
        PyErr_Format(PyExc_TypeError, "the kind of line %zd is %R, not a (kind, None) pair", first + i, kind);
        return -1;
    }
    long what = PyLong_AsLong(PyTuple_GET_ITEM(kind, 0));
    if (what == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (what == BLANK_CODE || what == RULE_CODE) {
        return i + 1;
    }
    if (what == TEXT_CODE) {
        return paragraph(blocks, lines, kinds, i, n, first);
    }
    /* A fence, <example> or pipe line: the blocks nearly all of them open are read here, the rest
     * (an open fence or <example>, a row with a code span or an escape) by _rare_block. */
    Py_ssize_t j = what == FENCE_CODE ? fence_block(blocks, lines, kinds, i, n, first)
                   : what == EXAMPLE_CODE ? example_block(blocks, lines, i, n, first)
                   : what == PIPE_CODE ? table_block(blocks, lines, kinds, i, n, first) : 0;
    if (j != 0) {
        return j;
    }
    PyObject *at = PyLong_FromSsize_t(i), *from = PyLong_FromSsize_t(first);
    if (at == NULL || from == NULL) {
        Py_XDECREF(at);
        Py_XDECREF(from);
        return -1;
    }
    PyObject *args[] = {blocks, diags, lines, kinds, at, from, file};
    j = call_helper(RARE_BLOCK, args, 7, lines, kinds, i, n);
    Py_DECREF(at);
    Py_DECREF(from);
    return j;
}

PyDoc_STRVAR(parse_blocks_doc,
"parse_blocks(lines, first_line, file, start=0) -> (blocks, diagnostics)\n\n"
"What markdown._parse_blocks_py gives: the blocks of lines[start:], lines[0] being file line first_line.");

/* read_source hands a file's lines and where its body starts: the body as a slice of them (a
 * list of ~800 made and freed, each line's count touched twice) cost ~10K instructions an agent. The
 * lines before `start` are not classified: their kinds, never read, are blank. */
static PyObject *
parse_blocks(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    const char *usage = "parse_blocks(lines: list[str], first_line: int, file: str, start: int = 0)";
    Py_ssize_t first, start = 0;
    if (lines_args(usage, args, nargs == 4 ? 3 : nargs, 3, &first) < 0) {
        return NULL;
    }
    if (nargs == 4) {
        start = PyLong_AsSsize_t(args[3]);
        if (start == -1 && PyErr_Occurred()) {
            return NULL;
        }
        if (start < 0) {
            PyErr_SetString(PyExc_ValueError, "parse_blocks: start < 0");
            return NULL;
        }
    }
    PyObject *lines = args[0], *file = args[2];
    Py_INCREF(lines);  /* the helpers run Python code: keep the caller's list alive through it */
    PyObject *kinds = kinds_of(lines, first, start);
    PyObject *blocks = PyList_New(0), *diags = PyList_New(0);
    PyObject *out = NULL;
    if (kinds != NULL && blocks != NULL && diags != NULL) {
        Py_ssize_t n = PyList_GET_SIZE(lines);
        Py_ssize_t i = start;
        while (i >= 0 && i < n) {
            i = read_block(blocks, diags, lines, kinds, i, n, first, file);
        }
        if (i >= 0) {
            out = PyTuple_Pack(2, blocks, diags);
        }
    }
    Py_DECREF(lines);
    XDECREF_ALL(kinds, blocks, diags);
    return out;
}

PyDoc_STRVAR(utf8_lines_doc,
"utf8_lines(data) -> list[str] | None\n\n"
"source.text_of(data).split('\\n'), or None when `data` holds a CR (text_of turns CR LF and a lone\n"
"CR into LF).");

/* The end of the run of ASCII bytes from `i` of the `n` at `s`: thirty-two at a time, then sixteen,
 * then eight; a rest under eight is read as the last eight bytes (which overlap bytes already read)
 * when there are eight, else one at a time. utf8_lines and well_formed ask where the runs of the file
 * and of the body end. One helper for both, this way, costs less than the two it replaced (a
 * whole-line test and this loop eight at a time, then a byte at a time): utf8_lines and the body's
 * decoder 2.58M -> 2.29M instructions per 20 seed agents. A seed agent's runs are long (only a few
 * dozen characters past ASCII in 32 KB): thirty-two at a time, ascii_end 1.31M -> 0.86M per 40. */
static Py_ssize_t
ascii_end(const unsigned char *s, Py_ssize_t i, Py_ssize_t n)
{
    uint64_t word, next, third, fourth;
    while (i + 32 <= n) {
        memcpy(&word, s + i, 8);
        memcpy(&next, s + i + 8, 8);
        memcpy(&third, s + i + 16, 8);
        memcpy(&fourth, s + i + 24, 8);
        if ((word | next | third | fourth) & 0x8080808080808080ULL) {
            break;
        }
        i += 32;
    }
    while (i + 16 <= n) {
        memcpy(&word, s + i, 8);
        memcpy(&next, s + i + 8, 8);
        if ((word | next) & 0x8080808080808080ULL) {
            break;
        }
        i += 16;
    }
    while (i + 8 <= n) {
        memcpy(&word, s + i, 8);
        if (word & 0x8080808080808080ULL) {
            break;
        }
        i += 8;
    }
    if (i + 8 > n && n >= 8 && i < n) {
        memcpy(&word, s + n - 8, 8);
        if ((word & 0x8080808080808080ULL) == 0) {
            return n;
        }
    }
    while (i < n && s[i] < 0x80) {
        i++;
    }
    return i;
}

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The end of the line from `from` of the `n` bytes at `s`: the index of its "\n", or n; in *ascii
 * whether it holds only ASCII bytes. Where the compiler has SSE2, 16 bytes a block: one load tells
 * both where a "\n" is and which bytes are past ASCII. */
static inline Py_ssize_t
line_end(const unsigned char *s, Py_ssize_t from, Py_ssize_t n, int *ascii)
{
    Py_ssize_t i = from;
    unsigned high = 0;
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    for (; i + 16 <= n; i += 16) {
        __m128i block = _mm_loadu_si128((const __m128i *)(s + i));
        unsigned found = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(block, nl));
        unsigned top = (unsigned)_mm_movemask_epi8(block);
        if (found != 0) {
            *ascii = (high | (top & ((found & -found) - 1))) == 0;  /* the bytes before the first "\n" */
            return i + __builtin_ctz(found);
        }
        high |= top;
    }
#endif
    for (; i < n && s[i] != '\n'; i++) {
        high |= s[i] & 0x80;
    }
    *ascii = high == 0;
    return i;
}

/* The `n` bytes at `from` copied to `to`, 2 <= n: a line, short mostly, copied here in a few
 * overlapping blocks, not by a call to memcpy (~27 instructions a line). */
static inline void
copy_line(unsigned char *to, const unsigned char *from, Py_ssize_t n)
{
#if defined(__SSE2__)
    if (n >= 16) {
        for (Py_ssize_t k = 0; k < n - 16; k += 16) {
            _mm_storeu_si128((__m128i *)(to + k), _mm_loadu_si128((const __m128i *)(from + k)));
        }
        /* the last block, overlapping the one before */
        _mm_storeu_si128((__m128i *)(to + n - 16), _mm_loadu_si128((const __m128i *)(from + n - 16)));
        return;
    }
#endif
    uint64_t a, b;
    if (n >= 8) {
        for (Py_ssize_t k = 0; k < n - 8; k += 8) {
            memcpy(&a, from + k, 8);
            memcpy(to + k, &a, 8);
        }
        memcpy(&b, from + n - 8, 8);
        memcpy(to + n - 8, &b, 8);
    }
    else if (n >= 4) {
        uint32_t c, d;
        memcpy(&c, from, 4);
        memcpy(&d, from + n - 4, 4);
        memcpy(to, &c, 4);
        memcpy(to + n - 4, &d, 4);
    }
    else {
        uint16_t c, d;
        memcpy(&c, from, 2);
        memcpy(&d, from + n - 2, 2);
        memcpy(to, &c, 2);
        memcpy(to + n - 2, &d, 2);
    }
}

static PyObject *decode(const unsigned char *s, Py_ssize_t n);
static PyObject *EMPTY_STR;  /* "" */

/* The file's lines from its bytes: each line's end found by line_end, each line decoded alone
 * (UTF-8, a bad byte as U+FFFD). str.split goes over a UCS-2 text (any arrow or dash makes one) one
 * character at a time and then narrows every line; this does about a third less work. A "\n" byte
 * is never part of a multi-byte sequence, so a bad sequence decodes to the same U+FFFDs at a line's
 * end as inside the whole text (tests/test_markdown_native.py compares both on arbitrary bytes). An
 * ASCII line (nearly all of them) is copied into its str, not decoded: PyUnicode_DecodeUTF8 cost
 * ~240 instructions a line. An empty line (a fifth of an agent's) is the shared "", a line past
 * ASCII goes to `decode`, and a line of one byte to CPython's decoder (its shared one-character
 * strs). One pass finding each line's end and whether it is ASCII, its copy inline, the shared ""
 * and the array kept as the list's replaced a memchr, a memcpy and a decoder call a line and a
 * scan for the next byte past ASCII: ~227K -> ~203K instructions per seed agent, its lines
 * freed included. */
static PyObject *
utf8_lines(PyObject *module, PyObject *arg)
{
    if (!PyBytes_Check(arg))
        return type_error("utf8_lines(data: bytes)");
    const char *at = PyBytes_AS_STRING(arg);
    Py_ssize_t size = PyBytes_GET_SIZE(arg);
    if (size >= 3 && memcmp(at, "\xef\xbb\xbf", 3) == 0) {  /* source.BOM */
        at += 3;
        size -= 3;
    }
    if (memchr(at, '\r', size) != NULL) {
        Py_RETURN_NONE;
    }
    const unsigned char *s = (const unsigned char *)at;
    Py_ssize_t from = 0;  /* where the next line starts */
    /* The lines are gathered in an array that grows by half, then made the list's: PyList_Append
     * cost ~38 instructions a line, ~800 lines a seed agent. */
    Py_ssize_t count = 0, room = size / 32 + 16;
    PyObject **lines = PyMem_New(PyObject *, room), *out = NULL;
    if (lines == NULL) {
        return PyErr_NoMemory();
    }
    for (;;) {
        int ascii;
        Py_ssize_t stop = line_end(s, from, size, &ascii), length = stop - from;
        PyObject *line;
        if (length == 0) {
            line = Py_NewRef(EMPTY_STR);
        }
        else if (length == 1) {
            line = PyUnicode_DecodeUTF8((const char *)s + from, 1, "replace");
        }
        else if (ascii) {
            line = PyUnicode_New(length, 127);
            if (line != NULL) {
                copy_line(PyUnicode_1BYTE_DATA(line), s + from, length);
            }
        }
        else {
            line = decode(s + from, length);
        }
        if (line == NULL) {
            break;
        }
        if (count == room) {
            /* PyMem_Realloc, not PyMem_Resize, which sets `lines` to NULL when it fails */
            PyObject **more = room <= PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(PyObject *) / 2
                                  ? PyMem_Realloc(lines, (room + room / 2) * sizeof(PyObject *)) : NULL;
            if (more == NULL) {
                Py_DECREF(line);
                PyErr_NoMemory();
                break;
            }
            lines = more;
            room += room / 2;
        }
        lines[count++] = line;
        if (stop == size) {
            /* the array becomes the list's own (a list's items are PyMem memory it frees): a list
             * made of the lines' number, cleared, then filled, cost ~8K instructions an agent */
            out = PyList_New(0);
            if (out != NULL && count < room / 2) {  /* far fewer lines than bytes / 32: the room given back */
                PyObject **fit = PyMem_Realloc(lines, count * sizeof(PyObject *));
                if (fit != NULL) {
                    lines = fit;
                    room = count;
                }
            }
            if (out != NULL) {
                ((PyListObject *)out)->ob_item = lines;
                ((PyListObject *)out)->allocated = room;
                Py_SET_SIZE(out, count);
                lines = NULL;
                count = 0;  /* the list holds them now */
            }
            break;
        }
        from = stop + 1;
    }
    for (Py_ssize_t k = 0; k < count; k++) {  /* an error: the lines read so far go */
        Py_DECREF(lines[k]);
    }
    PyMem_Free(lines);
    return out;
}

/* The code point of the well-formed UTF-8 sequence of 2 to 4 bytes at `s` (`left` bytes from it
 * on), its length in *size; -1 for anything else (a stray or truncated byte, an overlong or
 * surrogate form, past U+10FFFF), which decode leaves to CPython's decoder. */
static long
utf8_sequence(const unsigned char *s, Py_ssize_t left, int *size)
{
    unsigned char c = s[0];
    if (c >= 0xc2 && c <= 0xdf) {
        if (left < 2 || (s[1] & 0xc0) != 0x80) {
            return -1;
        }
        *size = 2;
        return ((long)(c & 0x1f) << 6) | (s[1] & 0x3f);
    }
    if (c >= 0xe0 && c <= 0xef) {
        if (left < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (c == 0xe0 && s[1] < 0xa0)
            || (c == 0xed && s[1] > 0x9f)) {
            return -1;
        }
        *size = 3;
        return ((long)(c & 0x0f) << 12) | ((long)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (left < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80
            || (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f)) {
            return -1;
        }
        *size = 4;
        return ((long)(c & 0x07) << 18) | ((long)(s[1] & 0x3f) << 12) | ((long)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
    }
    return -1;
}

/* The body of the `n` bytes at *s: past a BOM and the first `start` newlines, in *s and *n; 0 when
 * there are fewer newlines, -1 with an exception set. */
static int
body_range(PyObject *const *args, Py_ssize_t nargs, const char *usage, const unsigned char **s, Py_ssize_t *n)
{
    if (nargs != 2 || !PyBytes_Check(args[0]) || !PyLong_Check(args[1])) {
        type_error(usage);
        return -1;
    }
    Py_ssize_t start = PyLong_AsSsize_t(args[1]);
    if (start == -1 && PyErr_Occurred()) {
        return -1;
    }
    *s = (const unsigned char *)PyBytes_AS_STRING(args[0]);
    *n = PyBytes_GET_SIZE(args[0]);
    if (*n >= 3 && memcmp(*s, "\xef\xbb\xbf", 3) == 0) {  /* source.BOM */
        *s += 3;
        *n -= 3;
    }
    for (Py_ssize_t k = 0; k < start; k++) {
        const unsigned char *newline = memchr(*s, '\n', *n);
        if (newline == NULL) {
            return 0;
        }
        *n -= newline + 1 - *s;
        *s = newline + 1;
    }
    return 1;
}

/* Whether the `n` bytes at `s` are well-formed UTF-8; their length in characters in *chars, their
 * widest character in *widest, and whether they hold U+FFFD in *fffd. */
static int
well_formed(const unsigned char *s, Py_ssize_t n, Py_ssize_t *chars, long *widest, int *fffd)
{
    Py_ssize_t more = 0;  /* the bytes past the first of each multi-byte character */
    int size = 0;
    *widest = 0;
    for (Py_ssize_t i = ascii_end(s, 0, n); i < n; i = ascii_end(s, i, n)) {
        long cp = utf8_sequence(s + i, n - i, &size);
        if (cp < 0) {
            return 0;
        }
        *widest = cp > *widest ? cp : *widest;
        *fffd |= cp == 0xfffd;
        more += size - 1;
        i += size;
    }
    *chars = n - more;
    return 1;
}

/* The `n` bytes at `s` decoded as UTF-8, a bad byte as U+FFFD, in two passes: one finds their length
 * in characters and their widest character (well_formed), the other writes them, ASCII runs as a
 * loop the compiler widens many bytes at a time. CPython's decoder widens its whole buffer when it
 * meets the first arrow of an agent's body and then writes one character at a time: with str()'s
 * call ~165 000 instructions per 32-KB seed body, ~35 000 here. Bytes that are not well-formed
 * UTF-8 go to that decoder, which says where each U+FFFD goes. */
static PyObject *
decode(const unsigned char *s, Py_ssize_t n)
{
    Py_ssize_t chars = 0;
    long widest = 0;
    int size = 0, fffd = 0;
    if (!well_formed(s, n, &chars, &widest, &fffd)) {
        return PyUnicode_DecodeUTF8((const char *)s, n, "replace");
    }
    PyObject *out = PyUnicode_New(chars, widest < 0x80 ? 0x7f : widest);
    if (out == NULL || widest < 0x80) {
        if (out != NULL) {
            memcpy(PyUnicode_1BYTE_DATA(out), s, n);
        }
        return out;
    }
    int kind = PyUnicode_KIND(out);
    void *data = PyUnicode_DATA(out);
    Py_ssize_t o = 0;
    for (Py_ssize_t i = 0; i < n;) {
        Py_ssize_t j = ascii_end(s, i, n);
        if (kind == PyUnicode_1BYTE_KIND) {
            memcpy((Py_UCS1 *)data + o, s + i, j - i);
        }
        else if (kind == PyUnicode_2BYTE_KIND) {
            Py_UCS2 *to = (Py_UCS2 *)data + o;
            for (Py_ssize_t k = 0; k < j - i; k++) {
                to[k] = s[i + k];
            }
        }
        else {
            Py_UCS4 *to = (Py_UCS4 *)data + o;
            for (Py_ssize_t k = 0; k < j - i; k++) {
                to[k] = s[i + k];
            }
        }
        o += j - i;
        if (j < n) {
            PyUnicode_WRITE(kind, data, o, (Py_UCS4)utf8_sequence(s + j, n - j, &size));
            o++;
            j += size;
        }
        i = j;
    }
    return out;
}

PyDoc_STRVAR(utf8_held_doc,
"utf8_held(data, body_start) -> bytes | str\n\n"
"source._held_body_py: the bytes after the BOM and the first `body_start` newlines as they are when they\n"
"are well-formed UTF-8 without U+FFFD (b\"\" when there are fewer newlines), else decoded with a bad byte\n"
"as U+FFFD.");

/* The body as an agent holds it (ir.AgentIR.body): its bytes, checked, not decoded. The whole of
 * `data` is returned itself when it is the body (no frontmatter, no BOM). */
static PyObject *
utf8_held(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    const unsigned char *s;
    Py_ssize_t n, chars;
    long widest;
    int fffd = 0, found = body_range(args, nargs, "utf8_held(data: bytes, body_start: int)", &s, &n);
    if (found <= 0) {
        return found < 0 ? NULL : PyBytes_FromStringAndSize(NULL, 0);
    }
    if (!well_formed(s, n, &chars, &widest, &fffd) || fffd) {
        return decode(s, n);
    }
    if (n == PyBytes_GET_SIZE(args[0])) {
        return Py_NewRef(args[0]);
    }
    return PyBytes_FromStringAndSize((const char *)s, n);
}

PyDoc_STRVAR(utf8_text_doc,
"utf8_text(data) -> str\n\n"
"str(data, 'utf-8', 'replace'): the text of a body held as bytes (ir.AgentIR.body).");

static PyObject *
utf8_text(PyObject *module, PyObject *arg)
{
    if (!PyBytes_Check(arg)) {
        return type_error("utf8_text(data: bytes)");
    }
    return decode((const unsigned char *)PyBytes_AS_STRING(arg), PyBytes_GET_SIZE(arg));
}

PyDoc_STRVAR(roles_doc,
"roles(sections, role_of) -> list[str]\n\n"
"source._roles_py: each of outline()'s sections' role, role_of(title), or its parent's where that is \"other\".");

/* source._roles_py: the loop over an agent's ~56 sections cost ~1 000 instructions a section in
 * Python (~60K an agent), each mostly a role_of cache hit; here the title and parent are read from
 * their slots and role_of (source's lru_cache) is called directly. */
static PyObject *
roles(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyList_Check(args[0]) || !PyCallable_Check(args[1]))
        return type_error("roles(sections: list[Section], role_of: Callable[[str], str])");
    if (SECTION.type == NULL)
        return unconfigured("roles");
    PyObject *sections = args[0], *role_of = args[1];
    Py_ssize_t n = PyList_GET_SIZE(sections);
    PyObject *out = PyList_New(n);  /* filled in order; on an error list_dealloc skips the NULLs */
    for (Py_ssize_t k = 0; out != NULL && k < n; k++) {
        if (PyList_GET_SIZE(sections) != n) {  /* role_of runs Python code */
            PyErr_SetString(PyExc_RuntimeError, "roles: the sections changed while read");
            Py_CLEAR(out);
            break;
        }
        PyObject *s = PyList_GET_ITEM(sections, k);
        if (!Py_IS_TYPE(s, SECTION.type)) {
            PyErr_Format(PyExc_TypeError, "roles: section %zd is %R, not a Section", k, s);
            Py_CLEAR(out);
            break;
        }
        Py_INCREF(s);  /* role_of runs Python code */
        PyObject *title = get_field(&SECTION, 0, s), *parent = NULL;
        PyObject *own = title == NULL ? NULL : PyObject_CallOneArg(role_of, title);
        /* own if own != "other" or s.parent is None else roles[s.parent] */
        int keep = own == NULL ? -1 : PyObject_RichCompareBool(own, OTHER_ROLE, Py_NE);
        if (keep == 0) {
            parent = get_field(&SECTION, 7, s);
            keep = parent == NULL ? -1 : parent == Py_None;
        }
        if (keep == 0) {  /* roles[s.parent], as a list index: from the end when negative */
            Py_ssize_t at = PyNumber_AsSsize_t(parent, PyExc_IndexError);
            at = at < 0 && !PyErr_Occurred() ? at + k : at;
            if (PyErr_Occurred()) {
                keep = -1;
            }
            else if (at < 0 || at >= k) {
                PyErr_SetString(PyExc_IndexError, "list index out of range");
                keep = -1;
            }
            else {
                Py_SETREF(own, Py_NewRef(PyList_GET_ITEM(out, at)));
            }
        }
        Py_DECREF(s);
        Py_XDECREF(title);
        Py_XDECREF(parent);
        if (keep < 0) {
            Py_XDECREF(own);
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, k, own);
    }
    return out;
}

PyDoc_STRVAR(owners_doc,
"owners(sections, blocks) -> list[int | None]\n\n"
"source._owners_py: the innermost of `sections` (outline()'s) that holds each of `blocks` blocks.");

/* source._owners_py: each section's index written over its blocks, parents first so the nested ones
 * overwrite them. In Python each section made a list of its size to slice in (~0.8% of a build). */
static PyObject *
owners(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyList_Check(args[0]) || !PyLong_Check(args[1]))
        return type_error("owners(sections: list[Section], blocks: int)");
    if (SECTION.type == NULL)
        return unconfigured("owners");
    Py_ssize_t n = PyLong_AsSsize_t(args[1]);
    if (n < 0) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "owners: a negative number of blocks");
        }
        return NULL;
    }
    PyObject *sections = args[0];
    PyObject *out = PyList_New(n);
    if (out == NULL) {
        return NULL;
    }
    PyObject **items = PySequence_Fast_ITEMS(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        items[i] = Py_NewRef(Py_None);
    }
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(sections); k++) {
        PyObject *s = PyList_GET_ITEM(sections, k);
        if (!Py_IS_TYPE(s, SECTION.type)) {
            PyErr_Format(PyExc_TypeError, "owners: section %zd is %R, not a Section", k, s);
            Py_DECREF(out);
            return NULL;
        }
        PyObject *start_obj = *SLOT(&SECTION, 4, s), *end_obj = *SLOT(&SECTION, 5, s);
        if (start_obj == NULL || end_obj == NULL || !PyLong_Check(start_obj) || !PyLong_Check(end_obj)) {
            PyErr_Format(PyExc_TypeError, "owners: section %zd has no int start and end", k);
            Py_DECREF(out);
            return NULL;
        }
        Py_ssize_t start = PyLong_AsSsize_t(start_obj), end = PyLong_AsSsize_t(end_obj);
        PyObject *index = shared_int(k);
        if (index == NULL || ((start == -1 || end == -1) && PyErr_Occurred())) {
            Py_XDECREF(index);
            Py_DECREF(out);
            return NULL;
        }
        /* as the slice assignment owner[start:end] does with in-range bounds (outline() makes no other) */
        if (start < 0 || end > n || start > end) {
            PyErr_Format(PyExc_ValueError, "owners: section %zd spans blocks %zd to %zd of %zd", k, start, end, n);
            Py_DECREF(index);
            Py_DECREF(out);
            return NULL;
        }
        for (Py_ssize_t i = start; i < end; i++) {
            Py_SETREF(items[i], Py_NewRef(index));
        }
        Py_DECREF(index);
    }
    return out;
}

/* "**" or "__" at `at` (the caller knows at + 1 is inside the text) */
static int
is_strong(int kind, const void *data, Py_ssize_t at)
{
    Py_UCS4 a = PyUnicode_READ(kind, data, at);
    return (a == '*' || a == '_') && PyUnicode_READ(kind, data, at + 1) == a;
}

PyDoc_STRVAR(plain_doc,
"plain(text) -> str\n\n"
"markdown._plain_py: `text` without bold markers (each `**x**` or `__x__` read as x), backticks and\n"
"the blanks around it.");

/* Whether "**" or "__" starts at `at` of the `n` characters. */
static inline int
opens_strong(int kind, const void *data, Py_ssize_t at, Py_ssize_t n)
{
    return at + 1 < n && is_strong(kind, data, at);
}

/* The index of the first "`", "**" or "__" of the `n` characters, or n. */
static inline Py_ssize_t
first_marker(int kind, const void *data, Py_ssize_t n)
{
    Py_ssize_t k = 0;
    while (k < n && PyUnicode_READ(kind, data, k) != '`' && !opens_strong(kind, data, k, n)) {
        k++;
    }
    return k;
}

/* Whether the `n` one-byte characters at `s` hold a "`", "**" or "__": first_marker for the kind
 * nearly every text is, memchr finding the candidates (most texts hold none, and the one-character
 * loop cost ~5 instructions a character on paragraphs of a few hundred). */
static int
has_marker1(const void *s, Py_ssize_t n)
{
    const Py_UCS1 *end = (const Py_UCS1 *)s + n;
    if (memchr(s, '`', n) != NULL) {
        return 1;
    }
    for (const char *c = "*_"; *c; c++) {
        const Py_UCS1 *p = s;
        while ((p = memchr(p, *c, end - p)) != NULL && p + 1 < end) {
            if (p[1] == *c) {
                return 1;
            }
            p += 2;  /* p[1] is no marker either */
        }
    }
    return 0;
}

/* The `n` characters at `data` with each _BOLD match replaced by its inner text and the backticks
 * dropped, written to `out` (room for n characters of the same kind): how many were written. */
static inline Py_ssize_t
unmarked(int kind, const void *data, Py_ssize_t n, void *out)
{
    Py_ssize_t o = 0;
    for (Py_ssize_t i = 0; i < n;) {
        Py_ssize_t from = i, to = i + 1, next = i + 1;  /* what is kept, and where the search goes on */
        if (opens_strong(kind, data, i, n)) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            for (Py_ssize_t j = i + 3; j + 1 < n && PyUnicode_READ(kind, data, j - 1) != '\n'; j++) {
                if (PyUnicode_READ(kind, data, j) == c && PyUnicode_READ(kind, data, j + 1) == c) {
                    from = i + 2;
                    to = j;
                    next = j + 2;
                    break;
                }
            }
        }
        for (Py_ssize_t m = from; m < to; m++) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, m);
            if (ch != '`') {
                PyUnicode_WRITE(kind, out, o, ch);
                o++;
            }
        }
        i = next;
    }
    return o;
}

/* markdown._plain_py without the regex engine and its cache, called ~130 times per seed agent (from
 * Python and from this module's readers) on texts made fresh for each agent: a cache hit still
 * hashed the text (~1 200 instructions a call in label_before), a miss ran three string passes and
 * a regex substitution. _BOLD, `(\*\*|__)(.+?)\1`, is matched as re.sub does, left to right: at a
 * "**" or "__", the shortest inner text of one character or more, without a newline, that the same
 * pair closes replaces the whole; where none does, the character stays and the search goes on from
 * the next one. Backticks go, then the blanks around the result (str.strip). A text with no "**",
 * "__" or "`" is only stripped (one that needs nothing is returned itself). One-byte texts, nearly
 * all, are read by the same loops specialised to their kind. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  /* `small` is read only where unmarked() wrote it */
static PyObject *
plain(PyObject *module, PyObject *arg)
{
    if (!PyUnicode_Check(arg)) {
        return PyErr_Format(PyExc_TypeError, "plain(text: str), not %.100s", Py_TYPE(arg)->tp_name);
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    int kind = PyUnicode_KIND(arg), narrow = kind == PyUnicode_1BYTE_KIND;
    const void *data = PyUnicode_DATA(arg);
    if (!(narrow ? has_marker1(data, n) : first_marker(kind, data, n) < n)) {
        return strip_range(arg, kind, data, 0, n);
    }
    Py_UCS4 small[256];  /* the kept characters, of the text's kind: on the stack for a short text */
    void *out = n <= 256 ? (void *)small : PyMem_Malloc(n * kind);
    if (out == NULL) {
        return PyErr_NoMemory();
    }
    Py_ssize_t b = narrow ? unmarked(PyUnicode_1BYTE_KIND, data, n, out) : unmarked(kind, data, n, out), a = 0;
    while (a < b && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, out, a))) {
        a++;
    }
    while (b > a && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, out, b - 1))) {
        b--;
    }
    PyObject *text = PyUnicode_FromKindAndData(kind, (char *)out + a * kind, b - a);
    if (out != (void *)small) {
        PyMem_Free(out);
    }
    return text;
}
#pragma GCC diagnostic pop

PyDoc_STRVAR(lead_doc,
"lead(text) -> (str | None, str)\n\n"
"markdown._lead_py: `**Title**: rest` or `**Title:** rest` as (plain(title), rest), else\n"
"(None, text), the text stripped.");

static int
is_colon(Py_UCS4 ch)
{
    return ch == ':' || ch == 0xFF1A;  /* ":" or the full-width "：" */
}

/* markdown._LEAD without the regex engine, which tried its lazy title at every character twice
 * (once per form) and was ~0.6 us a call, 68 calls per seed-like agent. Each form's match is its
 * shortest title: form 1 is the first "**"/"__" after a title of one character or more that
 * blanks and a colon follow; form 2, tried only when form 1 fails, the first colon that "**"/"__"
 * follows. */
/* lead() into `*title` (None or plain(title)) and `*text`, new references: 0, or -1 with an
 * exception set and neither made. `arg` is a str. */
static int
lead_parts(PyObject *arg, PyObject **title_out, PyObject **text_out)
{
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    Py_ssize_t a = 0, b = PyUnicode_GET_LENGTH(arg);
    while (a < b && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, a))) {
        a++;
    }
    while (b > a && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, b - 1))) {
        b--;
    }
    Py_ssize_t title_end = -1, rest = -1;
    if (b - a >= 2 && is_strong(kind, data, a)) {
        for (Py_ssize_t p = a + 3; p + 2 <= b && title_end < 0; p++) {
            if (is_strong(kind, data, p)) {
                Py_ssize_t q = p + 2;
                while (q < b && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, q))) {
                    q++;
                }
                if (q < b && is_colon(PyUnicode_READ(kind, data, q))) {
                    title_end = p;
                    rest = q + 1;
                }
            }
        }
        for (Py_ssize_t p = a + 3; p + 3 <= b && title_end < 0; p++) {
            if (is_colon(PyUnicode_READ(kind, data, p)) && is_strong(kind, data, p + 1)) {
                title_end = p;
                rest = p + 3;
            }
        }
    }
    PyObject *title, *text;
    if (title_end < 0) {
        title = Py_NewRef(Py_None);
        text = PyUnicode_Substring(arg, a, b);
    }
    else {
        PyObject *raw = PyUnicode_Substring(arg, a + 2, title_end);
        title = raw == NULL ? NULL : PyObject_CallOneArg(PLAIN, raw);
        Py_XDECREF(raw);
        text = title == NULL ? NULL : strip_range(arg, kind, data, rest, b);
    }
    if (text == NULL) {
        Py_XDECREF(title);
        return -1;
    }
    *title_out = title;
    *text_out = text;
    return 0;
}

static PyObject *
lead(PyObject *module, PyObject *arg)
{
    if (!PyUnicode_Check(arg))
        return type_error("lead(text: str)");
    if (PLAIN == NULL)
        return unconfigured("lead");
    PyObject *title, *text;
    if (lead_parts(arg, &title, &text) < 0) {
        return NULL;
    }
    PyObject *out = PyTuple_Pack(2, title, text);
    Py_DECREF(title);
    Py_DECREF(text);
    return out;
}

/* Keyword names of the IR calls below (interned at import). */
static PyObject *KW_FILE_LINE, *KW_FILE_LINE_COL, *KW_ITEM, *KW_SECTION, *KW_CODE;
static PyObject *DASH_SPACE;  /* "- " */
static PyObject *KW_CHECK;    /* a ChecklistItem's keywords */
static PyObject *ZERO;

/* cls(**dict(zip(kwnames, values))): a frozen IR class is called through its C vectorcall
 * (compiler/_frozen.c), so this is what `Span(file=f, line=l)` runs in Python. */
static PyObject *
call_kw(PyObject *cls, PyObject *const *values, PyObject *kwnames)
{
    return PyObject_Vectorcall(cls, values, 0, kwnames);
}

PyDoc_STRVAR(top_items_doc,
"top_items(blocks, start, end, file, Item, Span) -> list[Item]\n\n"
"structure._top_items_py: an Item for each top-level list item (the shallowest indent) of\n"
"blocks[start:end], its text split by lead() and its span at the item.");

/* structure._top_items_py: _items and _item of the use/avoid, principles and mission sections
 * (~30 items of a seed-like agent), where each item cost a Python call to _item and _span. */
static PyObject *
top_items(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || !PyList_Check(args[0]) || !PyLong_Check(args[1]) || !PyLong_Check(args[2])
        || !PyUnicode_Check(args[3]) || !PyType_Check(args[4]) || !PyType_Check(args[5])) {
        return type_error("top_items(blocks: list, start: int, end: int, file: str, Item: type, Span: type)");
    }
    if (LIST_ITEM.type == NULL || PLAIN == NULL)
        return unconfigured("top_items");
    PyObject *blocks = args[0], *file = args[3], *item_cls = args[4], *span_cls = args[5];
    Py_ssize_t start = PyLong_AsSsize_t(args[1]), end = PyLong_AsSsize_t(args[2]);
    if ((start == -1 || end == -1) && PyErr_Occurred()) {
        return NULL;
    }
    /* as the slice blocks[start:end] with the bounds structure passes (never negative) */
    if (start < 0 || end < 0) {
        PyErr_SetString(PyExc_ValueError, "top_items: a negative bound");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(blocks);
    end = end < n ? end : n;
    Py_ssize_t top = PY_SSIZE_T_MAX;
    for (Py_ssize_t i = start; i < end; i++) {
        PyObject *b = PyList_GET_ITEM(blocks, i);
        if (PyObject_TypeCheck(b, LIST_ITEM.type)) {
            PyObject *indent = *SLOT(&LIST_ITEM, 4, b);
            if (indent == NULL || !PyLong_Check(indent)) {
                PyErr_Format(PyExc_TypeError, "top_items: block %zd has no int indent", i);
                return NULL;
            }
            Py_ssize_t v = PyLong_AsSsize_t(indent);
            if (v == -1 && PyErr_Occurred()) {
                return NULL;
            }
            top = v < top ? v : top;
        }
    }
    PyObject *out = PyList_New(0);
    for (Py_ssize_t i = start; out != NULL && i < end; i++) {
        PyObject *b = PyList_GET_ITEM(blocks, i);
        if (!PyObject_TypeCheck(b, LIST_ITEM.type)) {
            continue;
        }
        PyObject *indent = *SLOT(&LIST_ITEM, 4, b);  /* read again: plain() ran since */
        Py_ssize_t v = indent != NULL && PyLong_Check(indent) ? PyLong_AsSsize_t(indent) : -1;
        if (v == -1 && (indent == NULL || !PyLong_Check(indent) || PyErr_Occurred())) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_TypeError, "top_items: block %zd has no int indent", i);
            }
            Py_CLEAR(out);
            break;
        }
        if (v != top) {
            continue;
        }
        PyObject *raw = item_text(b);
        if (raw == NULL || !PyUnicode_Check(raw)) {
            if (raw == NULL && PyErr_Occurred()) {
                Py_CLEAR(out);
                break;
            }
            PyErr_Format(PyExc_TypeError, "top_items: block %zd has no str text", i);
            Py_CLEAR(out);
            break;
        }
        Py_INCREF(b);  /* PLAIN is Python code: keep the block and its text alive through it */
        Py_INCREF(raw);
        PyObject *title = NULL, *text = NULL, *span = NULL, *item = NULL;
        if (lead_parts(raw, &title, &text) == 0) {
            if (title == Py_None) {  /* _item: plain(b.text), not lead's stripped text */
                Py_SETREF(text, PyObject_CallOneArg(PLAIN, raw));
            }
            PyObject *at[] = {file, *SLOT(&LIST_ITEM, 0, b), *SLOT(&LIST_ITEM, 1, b)};  /* read after plain() */
            if (text != NULL && (at[1] == NULL || at[2] == NULL)) {
                PyErr_Format(PyExc_TypeError, "top_items: block %zd has no line or col", i);
                Py_CLEAR(text);
            }
            span = text == NULL ? NULL : call_kw(span_cls, at, KW_FILE_LINE_COL);
            PyObject *values[] = {text, title, span};
            item = span == NULL ? NULL : call_kw(item_cls, values, KW_ITEM);
        }
        XDECREF_ALL(title, text, span);
        Py_DECREF(raw);
        Py_DECREF(b);
        if (item == NULL || PyList_Append(out, item) < 0) {
            Py_XDECREF(item);
            Py_CLEAR(out);
            break;
        }
        Py_DECREF(item);
        if (PyList_GET_SIZE(blocks) != n) {
            PyErr_SetString(PyExc_RuntimeError, "top_items: blocks changed size while read");
            Py_CLEAR(out);
        }
    }
    return out;
}

PyDoc_STRVAR(ir_sections_doc,
"ir_sections(sections, roles, file, Section, Span) -> tuple[Section, ...]\n\n"
"structure._ir_sections_py: the IR Section of each of outline()'s sections, with its role.");

/* structure._ir_sections_py: the AgentIR's outline (~56 sections of a seed-like agent), each a
 * Span and a Section made from the section's slots. */
static PyObject *
ir_sections(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyList_Check(args[0]) || !PyList_Check(args[1]) || !PyUnicode_Check(args[2])
        || !PyType_Check(args[3]) || !PyType_Check(args[4])) {
        return type_error("ir_sections(sections: list, roles: list[str], file: str, Section: type, Span: type)");
    }
    if (SECTION.type == NULL)
        return unconfigured("ir_sections");
    PyObject *sections = args[0], *roles = args[1], *file = args[2], *section_cls = args[3], *span_cls = args[4];
    Py_ssize_t n = PyList_GET_SIZE(sections);
    if (PyList_GET_SIZE(roles) != n) {  /* zip(..., strict=True) */
        PyErr_SetString(PyExc_ValueError, "ir_sections: as many roles as sections expected");
        return NULL;
    }
    PyObject *out = PyTuple_New(n);
    for (Py_ssize_t k = 0; out != NULL && k < n; k++) {
        PyObject *s = PyList_GET_ITEM(sections, k);
        if (!Py_IS_TYPE(s, SECTION.type)) {
            PyErr_Format(PyExc_TypeError, "ir_sections: section %zd is %R, not a Section", k, s);
            Py_CLEAR(out);
            break;
        }
        /* Section: title, level, kind, line, start, end, end_line, parent */
        PyObject *title = *SLOT(&SECTION, 0, s), *level = *SLOT(&SECTION, 1, s), *kind = *SLOT(&SECTION, 2, s);
        PyObject *line = *SLOT(&SECTION, 3, s), *end_line = *SLOT(&SECTION, 6, s);
        if (title == NULL || level == NULL || kind == NULL || line == NULL || end_line == NULL) {
            PyErr_Format(PyExc_AttributeError, "ir_sections: section %zd has a field unset", k);
            Py_CLEAR(out);
            break;
        }
        PyObject *at[] = {file, line};
        PyObject *span = call_kw(span_cls, at, KW_FILE_LINE);
        PyObject *values[] = {title, level, kind, PyList_GET_ITEM(roles, k), span, end_line};
        PyObject *section = span == NULL ? NULL : call_kw(section_cls, values, KW_SECTION);
        Py_XDECREF(span);
        if (section == NULL) {
            Py_CLEAR(out);
            break;
        }
        PyTuple_SET_ITEM(out, k, section);
        if (PyList_GET_SIZE(sections) != n || PyList_GET_SIZE(roles) != n) {
            PyErr_SetString(PyExc_RuntimeError, "ir_sections: a list changed size while read");
            Py_CLEAR(out);
        }
    }
    return out;
}

PyDoc_STRVAR(worked_parts_doc,
"worked_parts(blocks, start, end, part, file, CodeBlock, Span) -> (dict[str, list[str]], list[CodeBlock])\n\n"
"structure._worked_parts_py: the text of each part of a worked example (blocks[start:end]) under\n"
"the key part(label) gives its label, and its code blocks.");

/* parts.setdefault(key, []).append(text): 0, or -1 with an exception set. */
static int
add_part(PyObject *parts, PyObject *key, PyObject *text)
{
    PyObject *found = PyDict_GetItemWithError(parts, key);  /* borrowed */
    if (found != NULL) {
        return PyList_Append(found, text);
    }
    if (PyErr_Occurred()) {
        return -1;
    }
    PyObject *list = PyList_New(1);
    if (list == NULL) {
        return -1;
    }
    PyList_SET_ITEM(list, 0, Py_NewRef(text));
    int err = PyDict_SetItem(parts, key, list);
    Py_DECREF(list);
    return err;
}

/* One block of a worked example read into `parts` and `code`, `*current` the key of the part it is
 * in (a new reference or NULL): 0, or -1 with an exception set. */
static int
worked_block(PyObject *b, PyObject *parts, PyObject *code, PyObject **current, PyObject *part, PyObject *file,
             PyObject *code_cls, PyObject *span_cls)
{
    if (Py_IS_TYPE(b, LIST_ITEM.type)) {  /* most blocks, and never a part's label: a line of the current part */
        if (*current == NULL) {
            return 0;
        }
        PyObject *text = item_text(b);
        if (text == NULL && PyErr_Occurred()) {
            return -1;
        }
        if (text == NULL || !PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "worked_parts: a list item's text is not a str");
            return -1;
        }
        PyObject *line = PyUnicode_Concat(DASH_SPACE, text);
        int err = line == NULL ? -1 : add_part(parts, *current, line);
        Py_XDECREF(line);
        return err;
    }
    if (Py_IS_TYPE(b, CODE.type)) {
        PyObject *at[] = {file, *SLOT(&CODE, 0, b), *SLOT(&CODE, 1, b)};
        PyObject *lang = *SLOT(&CODE, 3, b), *body = code_text(b);
        if (body == NULL && PyErr_Occurred()) {
            return -1;
        }
        if (at[1] == NULL || at[2] == NULL || lang == NULL || body == NULL) {
            PyErr_SetString(PyExc_AttributeError, "worked_parts: a code block has a field unset");
            return -1;
        }
        PyObject *span = call_kw(span_cls, at, KW_FILE_LINE_COL);
        PyObject *values[] = {lang, body, span};
        PyObject *block = span == NULL ? NULL : call_kw(code_cls, values, KW_CODE);
        Py_XDECREF(span);
        int err = block == NULL ? -1 : PyList_Append(code, block);
        Py_XDECREF(block);
        Py_CLEAR(*current);
        return err;
    }
    PyObject *text = NULL, *label = NULL, *rest = NULL;  /* new references */
    if (Py_IS_TYPE(b, PARAGRAPH.type)) {
        text = Py_XNewRef(*SLOT(&PARAGRAPH, 3, b));
        if (text == NULL || !PyUnicode_Check(text)) {
            Py_XDECREF(text);
            PyErr_SetString(PyExc_TypeError, "worked_parts: a paragraph's text is not a str");
            return -1;
        }
        if (lead_parts(text, &label, &rest) < 0) {
            Py_DECREF(text);
            return -1;
        }
    }
    else if (Py_IS_TYPE(b, LABEL.type)) {
        text = Py_XNewRef(*SLOT(&LABEL, 3, b));
        label = Py_XNewRef(text);
    }
    else if (Py_IS_TYPE(b, HEADING.type)) {  /* its title joins the current part as plain text */
        PyObject *title = Py_XNewRef(*SLOT(&HEADING, 4, b));
        text = title == NULL ? NULL : PyObject_CallOneArg(PLAIN, title);
        Py_XDECREF(title);
        label = Py_NewRef(Py_None);
    }
    else {  /* a table or <example> adds "" */
        text = PyUnicode_New(0, 0);
        label = Py_NewRef(Py_None);
    }
    if (text == NULL || label == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_AttributeError, "worked_parts: a block has a field unset");
        }
        XDECREF_ALL(text, label, rest);
        return -1;
    }
    int err = 0, labelled = PyObject_IsTrue(label);
    PyObject *key = labelled > 0 ? PyObject_CallOneArg(part, label) : Py_XNewRef(labelled < 0 ? NULL : Py_None);
    int keyed = key == NULL ? -1 : PyObject_IsTrue(key);
    if (keyed < 0) {
        err = -1;
    }
    else if (keyed) {
        Py_XSETREF(*current, Py_NewRef(key));
        int more = rest == NULL ? 0 : PyObject_IsTrue(rest);
        err = more < 0 ? -1 : more ? add_part(parts, key, rest) : 0;
    }
    else if (*current != NULL) {
        err = add_part(parts, *current, text);
    }
    Py_XDECREF(key);
    Py_DECREF(text);
    Py_DECREF(label);
    Py_XDECREF(rest);
    return err;
}

/* structure._worked_parts_py: the loop of _worked over a worked example's blocks (~100 of a
 * seed-like example, nearly all list items joining the current part). */
static PyObject *
worked_parts(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7 || !PyList_Check(args[0]) || !PyLong_Check(args[1]) || !PyLong_Check(args[2])
        || !PyCallable_Check(args[3]) || !PyUnicode_Check(args[4]) || !PyType_Check(args[5]) || !PyType_Check(args[6])) {
        PyErr_SetString(PyExc_TypeError,
                        "worked_parts(blocks: list, start: int, end: int, part, file: str, CodeBlock: type, Span: type)");
        return NULL;
    }
    if (LIST_ITEM.type == NULL || PLAIN == NULL)
        return unconfigured("worked_parts");
    PyObject *blocks = args[0];
    Py_ssize_t start = PyLong_AsSsize_t(args[1]), end = PyLong_AsSsize_t(args[2]);
    if ((start == -1 || end == -1) && PyErr_Occurred()) {
        return NULL;
    }
    if (start < 0 || end < 0) {
        PyErr_SetString(PyExc_ValueError, "worked_parts: a negative bound");
        return NULL;
    }
    PyObject *parts = PyDict_New(), *code = PyList_New(0), *current = NULL;
    int err = parts == NULL || code == NULL;
    for (Py_ssize_t i = start; !err && i < end && i < PyList_GET_SIZE(blocks); i++) {
        PyObject *b = Py_NewRef(PyList_GET_ITEM(blocks, i));  /* plain() and part() are Python code */
        err = worked_block(b, parts, code, &current, args[3], args[4], args[5], args[6]) < 0;
        Py_DECREF(b);
    }
    Py_XDECREF(current);
    PyObject *out = err ? NULL : PyTuple_Pack(2, parts, code);
    Py_XDECREF(parts);
    Py_XDECREF(code);
    return out;
}

PyDoc_STRVAR(check_items_doc,
"check_items(blocks, items, owner, plain, group_of, reads_as_check, file, ChecklistItem, Span)\n"
"    -> dict[int | None, list[ChecklistItem]]\n\n"
"structure._check_items_py: the checklist items among `items` (indices of list items in `blocks`)\n"
"under the group each goes to.");

static int check_raw(PyObject *b, PyObject *raw, PyObject *checked, PyObject *indent, PyObject *k, PyObject *groups,
                     PyObject *plain_entry, PyObject *group_of, PyObject *reads_as_check, PyObject *file, PyObject *item_cls,
                     PyObject *span_cls);

/* One list item `b` (owned by section `k`, whose value in `plain` is `plain_entry`, or NULL when it
 * has none) as a check of `groups`, if it is one: 0, or -1 with an exception set. */
static int
check_item(PyObject *b, PyObject *k, PyObject *groups, PyObject *plain_entry, PyObject *group_of, PyObject *reads_as_check,
           PyObject *file, PyObject *item_cls, PyObject *span_cls)
{
    PyObject *raw = item_text(b);
    if (raw == NULL && PyErr_Occurred()) {
        return -1;
    }
    PyObject *checked = *SLOT(&LIST_ITEM, 6, b), *indent = *SLOT(&LIST_ITEM, 4, b);
    if (checked == NULL || indent == NULL || raw == NULL) {
        PyErr_SetString(PyExc_AttributeError, "check_items: a list item has a field unset");
        return -1;
    }
    Py_INCREF(raw);  /* plain() and reads_as_check() are Python code: hold what they could let go */
    Py_INCREF(checked);
    int err = check_raw(b, raw, checked, indent, k, groups, plain_entry, group_of, reads_as_check, file, item_cls, span_cls);
    Py_DECREF(checked);
    Py_DECREF(raw);
    return err;
}

/* check_item with the list item's text and box held. */
static int
check_raw(PyObject *b, PyObject *raw, PyObject *checked, PyObject *indent, PyObject *k, PyObject *groups, PyObject *plain_entry,
          PyObject *group_of, PyObject *reads_as_check, PyObject *file, PyObject *item_cls, PyObject *span_cls)
{
    PyObject *group;  /* a new reference */
    if (checked == Py_None) {  /* a plain bullet: a check only at the top of a section taking them */
        int nested = plain_entry == NULL ? 0 : PyObject_RichCompareBool(indent, ZERO, Py_NE);
        if (plain_entry == NULL || nested) {
            return nested < 0 ? -1 : 0;
        }
        if (!PyTuple_Check(plain_entry) || PyTuple_GET_SIZE(plain_entry) != 2) {
            PyErr_SetString(PyExc_TypeError, "check_items: plain's values are (group, strong) pairs");
            return -1;
        }
        group = Py_NewRef(PyTuple_GET_ITEM(plain_entry, 0));  /* held: Python code runs below */
        int strong = PyObject_IsTrue(PyTuple_GET_ITEM(plain_entry, 1));
        if (!strong) {  /* "## Validation Tools": a list of tools, not checks, unless the item reads as one */
            PyObject *text = PyObject_CallOneArg(PLAIN, raw);
            PyObject *reads = text == NULL ? NULL : PyObject_CallOneArg(reads_as_check, text);
            Py_XDECREF(text);
            strong = reads == NULL ? -1 : PyObject_IsTrue(reads);
            Py_XDECREF(reads);
        }
        if (strong <= 0) {
            Py_DECREF(group);
            return strong;
        }
    }
    else if (k == Py_None) {
        group = Py_NewRef(Py_None);
    }
    else {
        Py_ssize_t g = PyLong_Check(k) ? PyLong_AsSsize_t(k) : -1;
        if (g < 0 || g >= PyList_GET_SIZE(group_of)) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_IndexError, "check_items: no group for section %R", k);
            }
            return -1;
        }
        group = Py_NewRef(PyList_GET_ITEM(group_of, g));
    }
    /* plain() is Python code: the slots are read after it */
    PyObject *text = PyObject_CallOneArg(PLAIN, raw);
    PyObject *at[] = {file, *SLOT(&LIST_ITEM, 0, b), *SLOT(&LIST_ITEM, 1, b)};
    if (text != NULL && (at[1] == NULL || at[2] == NULL)) {
        PyErr_SetString(PyExc_AttributeError, "check_items: a list item has no line or col");
        Py_CLEAR(text);
    }
    PyObject *span = text == NULL ? NULL : call_kw(span_cls, at, KW_FILE_LINE_COL);
    PyObject *values[] = {text, checked, span};
    PyObject *item = span == NULL ? NULL : call_kw(item_cls, values, KW_CHECK);
    int err = item == NULL ? -1 : add_part(groups, group, item);
    XDECREF_ALL(text, span, item);
    Py_DECREF(group);
    return err;
}

/* structure._check_items_py: _checklists' pass over every list item of an agent (~330 in a seed-like
 * one), of which it keeps a tenth: boxed items, and the top-level bullets of sections taking plain
 * checks (`plain`'s keys) that a strong title or their own words make checks. */
static PyObject *
check_items(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 9 || !PyList_Check(args[0]) || !PyList_Check(args[1]) || !PyList_Check(args[2]) || !PyDict_Check(args[3])
        || !PyList_Check(args[4]) || !PyCallable_Check(args[5]) || !PyUnicode_Check(args[6]) || !PyType_Check(args[7])
        || !PyType_Check(args[8])) {
        return type_error("check_items(blocks: list, items: list[int], owner: list, plain: dict, "
                          "group_of: list, reads_as_check, file: str, ChecklistItem: type, Span: type)");
    }
    if (LIST_ITEM.type == NULL || PLAIN == NULL)
        return unconfigured("check_items");
    PyObject *blocks = args[0], *items = args[1], *owner = args[2];
    PyObject *groups = PyDict_New();
    /* The value in `plain` of the last owner looked up: a section's items come one after another, and
     * most are no checks, so it is looked up once per run of them, not once per item (plain() and
     * reads_as_check() never change `plain`). */
    PyObject *last_owner = NULL, *last_entry = NULL;
    for (Py_ssize_t n = 0; groups != NULL && n < PyList_GET_SIZE(items); n++) {
        PyObject *index = PyList_GET_ITEM(items, n);
        Py_ssize_t i = PyLong_Check(index) ? PyLong_AsSsize_t(index) : -2;
        if (i < 0 || i >= PyList_GET_SIZE(blocks) || i >= PyList_GET_SIZE(owner)) {
            if (i == -2) {
                PyErr_Format(PyExc_TypeError, "check_items: an index is %R, not an int", index);
            }
            else if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_IndexError, "check_items: %R is not the index of a block and its owner", index);
            }
            Py_CLEAR(groups);
            break;
        }
        PyObject *b = PyList_GET_ITEM(blocks, i), *k = PyList_GET_ITEM(owner, i);
        if (!Py_IS_TYPE(b, LIST_ITEM.type)) {
            PyErr_Format(PyExc_TypeError, "check_items: block %zd is %R, not a ListItem", i, b);
            Py_CLEAR(groups);
            break;
        }
        if (k != last_owner) {
            PyObject *entry = PyDict_GetItemWithError(args[3], k);  /* borrowed: (group, strong) or NULL */
            if (entry == NULL && PyErr_Occurred()) {
                Py_CLEAR(groups);
                break;
            }
            Py_XSETREF(last_entry, Py_XNewRef(entry));
            Py_XSETREF(last_owner, Py_NewRef(k));
        }
        PyObject *checked = *SLOT(&LIST_ITEM, 6, b);
        if (last_entry == NULL && checked == Py_None) {  /* a plain bullet outside the sections taking them */
            continue;
        }
        Py_INCREF(b);
        Py_INCREF(k);
        int err = check_item(b, k, groups, last_entry, args[4], args[5], args[6], args[7], args[8]);
        Py_DECREF(b);
        Py_DECREF(k);
        if (err < 0) {
            Py_CLEAR(groups);
        }
    }
    Py_XDECREF(last_owner);
    Py_XDECREF(last_entry);
    return groups;
}

/* `type`'s tp_dealloc as Python made it: the one it had before configure() gave it block_dealloc. */
static destructor
python_dealloc(PyTypeObject *type)
{
    for (int k = 0; k < N_CLASSES; k++) {
        if (type->tp_dealloc == DEALLOCS[k]) {
            return CLASSES[k]->own_dealloc;
        }
    }
    return type->tp_dealloc;
}

/* Whether an instance of `type` is a header and the `n` object slots at `offsets`, nothing else (no
 * __dict__, __weakref__ or finalizer; bases of Python's own dealloc, `dealloc`), freed by
 * PyObject_GC_Del: what block_dealloc takes for granted. A dataclass(slots=True) of markdown.py is;
 * any other class keeps CPython's dealloc. */
static int
plain_layout(PyTypeObject *type, int n, const Py_ssize_t *offsets, destructor dealloc)
{
    unsigned long odd = 0;
#ifdef Py_TPFLAGS_MANAGED_DICT
    odd |= Py_TPFLAGS_MANAGED_DICT;
#endif
    if (type->tp_basicsize != (Py_ssize_t)(sizeof(PyObject) + (size_t)n * sizeof(PyObject *)) || type->tp_itemsize != 0
        || type->tp_dictoffset != 0 || type->tp_weaklistoffset != 0 || type->tp_finalize != NULL || type->tp_del != NULL
        || !PyType_HasFeature(type, Py_TPFLAGS_HEAPTYPE) || !PyType_HasFeature(type, Py_TPFLAGS_HAVE_GC)
        || (type->tp_flags & odd) || type->tp_free != PyObject_GC_Del) {
        return 0;
    }
    for (PyTypeObject *base = type->tp_base; base != &PyBaseObject_Type; base = base->tp_base) {
        if (base == NULL || !PyType_HasFeature(base, Py_TPFLAGS_HEAPTYPE) || base->tp_dealloc != dealloc) {
            return 0;
        }
    }
    for (int k = 0; k < n; k++) {  /* n distinct slots inside the object: all of its slots */
        if (offsets[k] < (Py_ssize_t)sizeof(PyObject) || offsets[k] >= type->tp_basicsize) {
            return 0;
        }
        for (int j = 0; j < k; j++) {
            if (offsets[j] == offsets[k]) {
                return 0;
            }
        }
    }
    return 1;
}

static void set_block_class(BlockClass *dst, BlockClass *src);

/* `pair` = (class, names of its __init__'s parameters), `n` of them, as a BlockClass (its new
 * references in `out`): 0, or -1 with an exception set and nothing in `out`. */
static int
block_class(PyObject *pair, int n, BlockClass *out)
{
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 || !PyType_Check(PyTuple_GET_ITEM(pair, 0))
        || !PyTuple_Check(PyTuple_GET_ITEM(pair, 1)) || PyTuple_GET_SIZE(PyTuple_GET_ITEM(pair, 1)) != n) {
        PyErr_Format(PyExc_TypeError, "configure: (class, its %d field names) expected, not %R", n, pair);
        return -1;
    }
    PyObject *cls = PyTuple_GET_ITEM(pair, 0), *names = PyTuple_GET_ITEM(pair, 1);
    for (int k = 0; k < n; k++) {
        /* a slot's member descriptor, looked up on the class: a writable object slot (or the
         * Lazy configure() put in place of ListItem.text's or Code.code's) */
        PyObject *descr = out->fields[k] = PyObject_GetAttr(cls, PyTuple_GET_ITEM(names, k));
        Lazy *lazy = lazy_of(descr);
        if (lazy != NULL) {
            out->offsets[k] = lazy->value;
            continue;
        }
        if (descr == NULL || !Py_IS_TYPE(descr, &PyMemberDescr_Type)
            || ((PyMemberDescrObject *)descr)->d_member->type != T_OBJECT_EX
            || (((PyMemberDescrObject *)descr)->d_member->flags & READONLY)) {
            if (descr != NULL) {
                PyErr_Format(PyExc_TypeError, "configure: %R.%S is not a slot", cls, PyTuple_GET_ITEM(names, k));
            }
            for (int j = 0; j <= k; j++) {
                Py_XDECREF(out->fields[j]);
            }
            return -1;
        }
        out->offsets[k] = ((PyMemberDescrObject *)descr)->d_member->offset;
    }
    out->type = (PyTypeObject *)Py_NewRef(cls);
    out->n = n;
    destructor own = python_dealloc(out->type);
    out->own_dealloc = plain_layout(out->type, n, out->offsets, own) ? own : NULL;
    out->kept = out->own_dealloc != NULL ? PyMem_New(PyObject *, KEPT_BLOCKS) : NULL;
    out->n_kept = 0;
    if (out->own_dealloc != NULL && out->kept == NULL) {
        set_block_class(out, &(BlockClass){0});
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* Whether field `value` of `cls` (configured) is read lazily, made by `make` from its field `raw`:
 * its own descriptor is a Lazy, made here in place of the slot's member descriptor the first time.
 * 1 or 0 (a descriptor of another kind: the reader makes the value at once), or -1 with an exception
 * set. */
static int
install_lazy(BlockClass *cls, int value, int raw, const char *name, make_fn make, const char *doc)
{
    PyTypeObject *type = cls->type;
    PyObject *key = PyUnicode_InternFromString(name);
    PyObject *descr = key == NULL ? NULL : PyDict_GetItemWithError(type->tp_dict, key);  /* borrowed */
    int lazy = -1;
    if (descr == NULL) {
        lazy = PyErr_Occurred() ? -1 : 0;
    }
    else if (lazy_of(descr) != NULL) {
        lazy = 1;
    }
    else if (!Py_IS_TYPE(descr, &PyMemberDescr_Type) || ((PyMemberDescrObject *)descr)->d_member->offset != cls->offsets[value]) {
        lazy = 0;
    }
    else {
        /* kept for the life of the process, as the class's descriptor points at it (one per class) */
        Lazy *made = PyMem_RawCalloc(1, sizeof(Lazy));
        PyObject *getset = NULL;
        if (made == NULL) {
            PyErr_NoMemory();
        }
        else {
            made->def = (PyGetSetDef){name, lazy_get, lazy_set, doc, made};
            made->value = cls->offsets[value];
            made->raw = cls->offsets[raw];
            made->make = make;
            getset = PyDescr_NewGetSet(type, &made->def);
        }
        lazy = getset == NULL || PyObject_SetAttr((PyObject *)type, key, getset) < 0 ? -1 : 1;
        if (getset == NULL) {
            PyMem_RawFree(made);
        }
        Py_XDECREF(getset);
    }
    Py_XDECREF(key);
    return lazy;
}

/* Replaces `*dst` (a configured class or an empty one) by `src`, whose references it takes. */
static void
set_block_class(BlockClass *dst, BlockClass *src)
{
    BlockClass old = *dst;
    *dst = *src;
    for (int k = 0; k < old.n_kept; k++) {  /* freed blocks of the class replaced: their memory goes */
        PyObject_GC_Del(old.kept[k]);
    }
    PyMem_Free(old.kept);
    Py_XDECREF(old.type);
    for (int k = 0; k < old.n; k++) {
        Py_DECREF(old.fields[k]);
    }
}

/* The code (first item) of a (code, fields) kind: 0, or -1 with an exception set. */
static int
code_of(PyObject *kind, long *code)
{
    if (!PyTuple_Check(kind) || PyTuple_GET_SIZE(kind) != 2) {
        PyErr_Format(PyExc_TypeError, "configure: a kind is a (code, fields) pair, not %R", kind);
        return -1;
    }
    *code = PyLong_AsLong(PyTuple_GET_ITEM(kind, 0));
    return *code == -1 && PyErr_Occurred() ? -1 : 0;
}

/* markdown._close: the section ends before block k, which starts on line `line`. 0 or -1. */
static int
close_section(PyObject *section, PyObject *k, PyObject *line)
{
    int overflow = 0;
    long long at = PyLong_CheckExact(line) ? PyLong_AsLongLongAndOverflow(line, &overflow) : 0;
    PyObject *end_line = at > 0 && !overflow ? shared_int((Py_ssize_t)(at - 1)) : PyNumber_Subtract(line, ONE);
    if (end_line == NULL) {
        return -1;
    }
    set_field(&SECTION, 5, section, k);
    set_field(&SECTION, 6, section, end_line);
    Py_DECREF(end_line);
    return 0;
}

/* What one heading or label block opens, for outline(): its title, level, line and kind. */
typedef struct {
    PyObject *title, *level, *line;  /* new references */
    long level_value;
    int is_label;
} Head;

/* Block `b` as a Head: 1 if it opens a section (a heading H1-H4 or a label), 0 if not, -1 with an
 * exception set. `heading_level` is the level of the last heading, which a label sits below. */
static int
head_of(PyObject *b, long *heading_level, Head *head)
{
    BlockClass *cls;
    if (Py_IS_TYPE(b, HEADING.type)) {
        head->level = get_field(&HEADING, 3, b);
        if (head->level == NULL) {
            return -1;
        }
        head->level_value = PyLong_AsLong(head->level);
        if ((head->level_value == -1 && PyErr_Occurred()) || head->level_value > 4) {
            Py_DECREF(head->level);
            return PyErr_Occurred() ? -1 : 0;
        }
        *heading_level = head->level_value;
        head->is_label = 0;
        head->title = get_field(&HEADING, 4, b);
        cls = &HEADING;
    }
    else if (Py_IS_TYPE(b, LABEL.type)) {
        head->level_value = *heading_level + 1;
        head->level = PyLong_FromLong(head->level_value);
        head->is_label = 1;
        head->title = get_field(&LABEL, 3, b);
        cls = &LABEL;
    }
    else {
        return 0;
    }
    head->line = get_field(cls, 0, b);
    if (head->level == NULL || head->title == NULL || head->line == NULL) {
        XDECREF_ALL(head->level, head->title, head->line);
        return -1;
    }
    return 1;
}

/* outline()'s loop over `blocks` (n of them, a list nothing else changes meanwhile: only slots
 * are read), appending to `sections`; `stack`, `levels` and `labels` have room for n sections.
 * 0, or -1 with an exception set. */
static int
outline_into(PyObject *sections, PyObject *blocks, Py_ssize_t n, PyObject *last_line, Py_ssize_t *stack,
             long *levels, char *labels)
{
    PyObject *count = shared_int(n);
    if (count == NULL) {
        return -1;
    }
    long heading_level = 0;
    Py_ssize_t depth = 0;
    int rc = 0;
    for (Py_ssize_t k = 0; k < n && rc == 0; k++) {
        Head head;
        rc = head_of(PyList_GET_ITEM(blocks, k), &heading_level, &head);
        if (rc <= 0) {
            continue;
        }
        rc = 0;
        PyObject *start = shared_int(k);
        /* close the open sections at this level or deeper, and an open label whatever its level */
        while (rc == 0 && start != NULL && depth > 0 && (levels[stack[depth - 1]] >= head.level_value || labels[stack[depth - 1]])) {
            depth--;
            rc = close_section(PyList_GET_ITEM(sections, stack[depth]), start, head.line);
        }
        PyObject *parent = depth > 0 ? shared_int(stack[depth - 1]) : Py_NewRef(Py_None);
        PyObject *section = NULL;
        if (rc == 0 && start != NULL && parent != NULL) {
            PyObject *values[] = {head.title, head.level, head.is_label ? LABEL_KIND : HEADING_KIND, head.line,
                                  start, count, last_line, parent};
            section = new_block(&SECTION, values);
        }
        Py_XDECREF(start);
        Py_XDECREF(parent);
        Py_DECREF(head.title);
        Py_DECREF(head.level);
        Py_DECREF(head.line);
        if (section == NULL) {
            rc = -1;
            break;
        }
        Py_ssize_t index = PyList_GET_SIZE(sections);
        rc = PyList_Append(sections, section);
        Py_DECREF(section);
        levels[index] = head.level_value;
        labels[index] = (char)head.is_label;
        stack[depth++] = index;
    }
    /* the sections still open end with the blocks, as they were made: nothing to close */
    Py_DECREF(count);
    return rc;
}

PyDoc_STRVAR(outline_doc,
"outline(blocks, last_line) -> list[Section]\n\n"
"What markdown._outline_py gives.");

static PyObject *
outline(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (SECTION.type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_markdown.configure() was not called");
        return NULL;
    }
    if (nargs != 2 || !PyList_Check(args[0]))
        return type_error("outline(blocks: list[Block], last_line: int)");
    PyObject *blocks = args[0];
    Py_ssize_t n = PyList_GET_SIZE(blocks);
    PyObject *sections = PyList_New(0);
    Py_ssize_t *stack = PyMem_New(Py_ssize_t, n + 1);
    long *levels = PyMem_New(long, n + 1);
    char *labels = PyMem_New(char, n + 1);
    if (sections == NULL || stack == NULL || levels == NULL || labels == NULL) {
        if (sections != NULL) {
            PyErr_NoMemory();
        }
    }
    else if (outline_into(sections, blocks, n, args[1], stack, levels, labels) == 0) {
        PyMem_Free(stack);
        PyMem_Free(levels);
        PyMem_Free(labels);
        return sections;
    }
    Py_XDECREF(sections);
    PyMem_Free(stack);
    PyMem_Free(levels);
    PyMem_Free(labels);
    return NULL;
}

PyDoc_STRVAR(configure_doc,
"configure(kinds, classify, classes, helpers)\n\n"
"What kinds(), parse_blocks() and outline() build and call: `kinds` the shared (blank, text, pipe,\n"
"fence, rule, example) kinds, `classify` the Python readers by first character; `classes` the\n"
"ListItem, Heading, Paragraph, Label, Section, Code, Table and ExampleTag classes, each as\n"
"(class, the names of its __init__'s parameters in order); `helpers` markdown's (_item_goes_on,\n"
"plain, _rare_block).");

static PyObject *
configure(PyObject *module, PyObject *args)
{
    PyObject *shared, *classify, *classes, *helpers;
    if (!PyArg_ParseTuple(args, "O!O!O!O!:configure", &PyTuple_Type, &shared,
                          &PyDict_Type, &classify, &PyTuple_Type, &classes, &PyTuple_Type, &helpers)) {
        return NULL;
    }
    if (PyTuple_GET_SIZE(shared) != 6 || PyTuple_GET_SIZE(classes) != N_CLASSES || PyTuple_GET_SIZE(helpers) != 3) {
        PyErr_SetString(PyExc_ValueError, "configure: 6 kinds, 8 classes and 3 helpers expected");
        return NULL;
    }
    long blank, text, pipe, fence, rule, example;
    if (code_of(PyTuple_GET_ITEM(shared, 0), &blank) < 0
        || code_of(PyTuple_GET_ITEM(shared, 1), &text) < 0 || code_of(PyTuple_GET_ITEM(shared, 2), &pipe) < 0
        || code_of(PyTuple_GET_ITEM(shared, 3), &fence) < 0 || code_of(PyTuple_GET_ITEM(shared, 4), &rule) < 0
        || code_of(PyTuple_GET_ITEM(shared, 5), &example) < 0) {
        return NULL;
    }
    BlockClass made[N_CLASSES] = {{0}};
    for (int k = 0; k < N_CLASSES; k++) {
        if (block_class(PyTuple_GET_ITEM(classes, k), CLASS_FIELDS[k], &made[k]) < 0) {
            for (int j = 0; j < k; j++) {
                set_block_class(&made[j], &(BlockClass){0});
            }
            return NULL;
        }
    }
    PyObject **targets[6] = {&BLANK_KIND, &TEXT_KIND, &PIPE_KIND, &FENCE_KIND, &RULE_KIND, &EXAMPLE_KIND};
    for (int k = 0; k < 6; k++) {
        Py_XSETREF(*targets[k], Py_NewRef(PyTuple_GET_ITEM(shared, k)));
    }
    BLANK_CODE = blank;
    TEXT_CODE = text;
    RULE_CODE = rule;
    PIPE_CODE = pipe;
    FENCE_CODE = fence;
    EXAMPLE_CODE = example;
    for (int k = 0; k < N_CLASSES; k++) {  /* the classes configured before get their own dealloc back */
        if (CLASSES[k]->own_dealloc != NULL) {
            CLASSES[k]->type->tp_dealloc = CLASSES[k]->own_dealloc;
        }
    }
    for (int k = 0; k < N_CLASSES; k++) {
        set_block_class(CLASSES[k], &made[k]);
    }
    for (int k = 0; k < N_CLASSES; k++) {
        if (CLASSES[k]->own_dealloc != NULL) {
            CLASSES[k]->type->tp_dealloc = DEALLOCS[k];
        }
    }
    LAZY_TEXT = install_lazy(&LIST_ITEM, 3, 7, "text", item_text_of, "The item's text (cut from raw_line when first read).");
    LAZY_CODE = LAZY_TEXT < 0 ? -1 : install_lazy(&CODE, 4, 5, "code", code_of_lines, "The code (joined from raw_lines when first read).");
    if (LAZY_TEXT < 0 || LAZY_CODE < 0) {
        LAZY_TEXT = LAZY_CODE = 0;
        return NULL;
    }
    Py_XSETREF(CLASSIFY, Py_NewRef(classify));
    Py_XSETREF(ITEM_GOES_ON, Py_NewRef(PyTuple_GET_ITEM(helpers, 0)));
    Py_XSETREF(PLAIN, Py_NewRef(PyTuple_GET_ITEM(helpers, 1)));
    Py_XSETREF(RARE_BLOCK, Py_NewRef(PyTuple_GET_ITEM(helpers, 2)));
    Py_RETURN_NONE;
}

PyDoc_STRVAR(frees_here_doc,
"frees_here(cls) -> bool\n\n"
"Whether instances of `cls` are freed by this module's dealloc (for the tests: nothing else shows it).");

static PyObject *
frees_here(PyObject *module, PyObject *cls)
{
    int here = 0;
    for (int k = 0; k < N_CLASSES && PyType_Check(cls); k++) {
        here |= ((PyTypeObject *)cls)->tp_dealloc == DEALLOCS[k];
    }
    return PyBool_FromLong(here);
}

static PyMethodDef methods[] = {
    FASTCALL_METHOD("kinds", kinds, kinds_doc),
    FASTCALL_METHOD("parse_blocks", parse_blocks, parse_blocks_doc),
    FASTCALL_METHOD("outline", outline, outline_doc),
    {"configure", configure, METH_VARARGS, configure_doc},
    {"frees_here", frees_here, METH_O, frees_here_doc},
    {"utf8_lines", utf8_lines, METH_O, utf8_lines_doc},
    FASTCALL_METHOD("utf8_held", utf8_held, utf8_held_doc),
    {"utf8_text", utf8_text, METH_O, utf8_text_doc},
    {"lead", lead, METH_O, lead_doc},
    {"plain", plain, METH_O, plain_doc},
    FASTCALL_METHOD("check_items", check_items, check_items_doc),
    FASTCALL_METHOD("owners", owners, owners_doc),
    FASTCALL_METHOD("roles", roles, roles_doc),
    FASTCALL_METHOD("top_items", top_items, top_items_doc),
    FASTCALL_METHOD("ir_sections", ir_sections, ir_sections_doc),
    FASTCALL_METHOD("worked_parts", worked_parts, worked_parts_doc),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "agentc.compiler._markdown",
    "The line classifier and block loop of agentc.compiler.markdown, in C (see markdown.py).",
    -1,
    methods,
};

/* The interned words of `names` (blank-separated) as a tuple: keyword names that _frozen.c matches
 * by identity with the interned field names. */
static PyObject *
keywords(const char *names)
{
    PyObject *text = PyUnicode_FromString(names);
    PyObject *words = text == NULL ? NULL : PyUnicode_Split(text, NULL, -1);
    Py_XDECREF(text);
    PyObject *out = words == NULL ? NULL : PyTuple_New(PyList_GET_SIZE(words));
    for (Py_ssize_t k = 0; out != NULL && k < PyList_GET_SIZE(words); k++) {
        PyObject *word = Py_NewRef(PyList_GET_ITEM(words, k));
        PyUnicode_InternInPlace(&word);
        PyTuple_SET_ITEM(out, k, word);
    }
    Py_XDECREF(words);
    return out;
}

PyMODINIT_FUNC
PyInit__markdown(void)
{
    EMPTY_TUPLE = PyTuple_New(0);
    EXAMPLE_TAG = PyUnicode_InternFromString("<example>");
    EXAMPLE_END = PyUnicode_InternFromString("</example>");
    NEWLINE = PyUnicode_InternFromString("\n");
    HEADING_KIND = PyUnicode_InternFromString("heading");
    LABEL_KIND = PyUnicode_InternFromString("label");
    OTHER_ROLE = PyUnicode_InternFromString("other");
    ONE = PyLong_FromLong(1);
    EMPTY_STR = PyUnicode_New(0, 0);
    KW_FILE_LINE = keywords("file line");
    KW_FILE_LINE_COL = keywords("file line col");
    KW_ITEM = keywords("text title span");
    KW_SECTION = keywords("title level kind role span end_line");
    KW_CODE = keywords("language code span");
    KW_CHECK = keywords("text checked span");
    ZERO = PyLong_FromLong(0);
    DASH_SPACE = PyUnicode_InternFromString("- ");
    if (KW_FILE_LINE == NULL || KW_FILE_LINE_COL == NULL || KW_ITEM == NULL || KW_SECTION == NULL || KW_CODE == NULL
        || DASH_SPACE == NULL || KW_CHECK == NULL || ZERO == NULL) {
        return NULL;
    }
    if (EMPTY_TUPLE == NULL || EXAMPLE_TAG == NULL || EXAMPLE_END == NULL || NEWLINE == NULL || HEADING_KIND == NULL || LABEL_KIND == NULL
        || ONE == NULL || OTHER_ROLE == NULL || EMPTY_STR == NULL) {
        return NULL;
    }
    return PyModule_Create(&module_def);
}
