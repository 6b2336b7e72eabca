/* agentc._codec: the cache entry's JSON (agentc/codec.py, dump_entry) written in C, and the
 * text report's head lines (agentc/formats.py, text: see `heads`), written with the same buffer.
 *
 * pydantic-core's schema serializer stays the reference and the fallback (as json/_json):
 * codec.dump_entry uses this module when it imports and AGENTC_PURE_PYTHON is not set.
 * dump(value, plans) gives the bytes pydantic-core's to_json gives for the entry, for the
 * values an entry holds: str, int (64-bit), bool, None, tuple, list, dict with str keys, and
 * objects whose exact type `plans` maps to the fields written, as
 * ((the field's slot or attribute name, b'{"name":' or b',"name":'), ...). Anything else (a float or a date in an
 * agent's metadata, a str subclass, a lone surrogate, a huge int, nesting past MAX_DEPTH) gives
 * None, and the caller asks pydantic-core, which knows every type. A 1000-agent build writes
 * ~46 MB of entries: pydantic-core ~130 ms, this ~25 ms (tests/test_codec_native.py compares
 * the two byte for byte).
 *
 * Strings are escaped as serde_json (pydantic-core's writer) escapes them: '"' and '\\', \b \t
 * \n \f \r, other C0 controls as \u00xx in lowercase hex; everything else, DEL and non-ASCII
 * included, as UTF-8.
 *
 * crc32(data) gives zlib.crc32(data), the check of each entry in the cache's pack (agentc/cache.py),
 * folded 64 bytes at a time with carry-less multiplication where the CPU has it (CRC32_FOLDS):
 * the ~46 MB of entries of a 1000-agent cold build, ~11 -> ~3 ms; under callgrind, a 100-agent
 * claude build's CRC 17.8M -> ~1M instructions.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "../compiler/_extension.h"
#include <stdint.h>
#include <string.h>
#include <structmember.h>

#define MAX_DEPTH 200 /* deeper (a YAML anchor can make a list that holds itself): pydantic-core decides */

typedef struct {
    char *data;
    Py_ssize_t len, cap;
} Buf;

/* 0: copied as is; 'u': \u00xx; else the letter after the backslash. */
static char ESCAPE[256];

static int
grow(Buf *b, Py_ssize_t more)
{
    if (b->len + more <= b->cap)
        return 0;
    Py_ssize_t cap = b->cap;
    while (cap < b->len + more)
        cap *= 2;
    char *data = PyMem_Realloc(b->data, cap);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

static int
put(Buf *b, const char *s, Py_ssize_t n)
{
    if (grow(b, n) < 0)
        return -1;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

/* Whether any of the 8 bytes in `x` is below 0x20, '"' or '\\' (exact for the word as a whole:
 * a borrow only ever flags a byte above one that matched). */
static inline int
any_escape(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t quote = x ^ (ones * '"'), slash = x ^ (ones * '\\');
    return (((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) | ((slash - ones) & ~slash)) & highs ? 1 : 0;
}

static int
put_escape(Buf *b, unsigned char c, char e)
{
    static const char hex[] = "0123456789abcdef";
    char out[6] = {'\\', e, '0', '0', hex[c >> 4], hex[c & 15]};
    if (e == 'u')
        return put(b, out, 6);
    return put(b, out, 2);
}

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
/* Where the first byte of the 16 at `s` that needs an escape is (below 0x20, '"' or '\\'),
 * or 16 when none does. */
static inline int
first_escape16(const unsigned char *s)
{
    const __m128i x = _mm_loadu_si128((const __m128i *)s);
    const __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x); /* x <= 0x1f, unsigned */
    const __m128i quote = _mm_cmpeq_epi8(x, _mm_set1_epi8('"')), slash = _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'));
    const int mask = _mm_movemask_epi8(_mm_or_si128(low, _mm_or_si128(quote, slash)));
    return mask ? __builtin_ctz((unsigned)mask) : 16;
}
#endif

/* The UTF-8 bytes `s` (n of them) as a JSON string: runs that need no escape copied whole,
 * found 16 bytes at a time with SSE2 (x86-64 always has it), else 8 at a time in a word (most
 * of an entry's text is plain prose). With SSE2, put_string's instructions in a
 * 100-agent claude build went 27.9M -> 18.9M (whole build 1.449e9 -> 1.442e9). */
static int
put_string(Buf *b, const unsigned char *s, Py_ssize_t n)
{
    if (put(b, "\"", 1) < 0)
        return -1;
    Py_ssize_t start = 0, i = 0;
    while (i < n) {
#if defined(__SSE2__) && defined(__GNUC__)
        if (i + 16 <= n) {
            int at = first_escape16(s + i);
            if (at == 16) {
                i += 16;
                continue;
            }
            i += at;
            if (put(b, (const char *)s + start, i - start) < 0 || put_escape(b, s[i], ESCAPE[s[i]]) < 0)
                return -1;
            start = ++i;
            continue;
        }
#endif
        if (i + 8 <= n) {
            uint64_t x;
            memcpy(&x, s + i, 8);
            if (!any_escape(x)) {
                i += 8;
                continue;
            }
        }
        for (Py_ssize_t stop = i + 8 < n ? i + 8 : n; i < stop; i++) {
            char e = ESCAPE[s[i]];
            if (!e)
                continue;
            if (put(b, (const char *)s + start, i - start) < 0 || put_escape(b, s[i], e) < 0)
                return -1;
            start = i + 1;
        }
    }
    if (put(b, (const char *)s + start, n - start) < 0)
        return -1;
    return put(b, "\"", 1);
}

/* 1: written; 0: a value this writer leaves to pydantic-core; -1: an error set. */
static int put_value(Buf *b, PyObject *value, PyObject *plans, int depth);

/* An int's decimal digits. */
static int
put_int(Buf *b, long long n)
{
    char digits[24], *end = digits + sizeof digits, *p = end;
    unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (n < 0)
        *--p = '-';
    return put(b, p, end - p);
}

static int
put_str(Buf *b, PyObject *s)
{
    if (PyUnicode_IS_ASCII(s))
        return put_string(b, PyUnicode_DATA(s), PyUnicode_GET_LENGTH(s)) < 0 ? -1 : 1;
    PyObject *utf8 = PyUnicode_AsUTF8String(s); /* a temporary: AsUTF8 would keep a copy on every str */
    if (utf8 == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError))
            return -1;
        PyErr_Clear(); /* a lone surrogate: pydantic-core says what it says of it */
        return 0;
    }
    int done = put_string(b, (const unsigned char *)PyBytes_AS_STRING(utf8), PyBytes_GET_SIZE(utf8));
    Py_DECREF(utf8);
    return done < 0 ? -1 : 1;
}

static int
put_items(Buf *b, PyObject *const *items, Py_ssize_t n, PyObject *plans, int depth)
{
    if (put(b, "[", 1) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i && put(b, ",", 1) < 0)
            return -1;
        int done = put_value(b, items[i], plans, depth);
        if (done <= 0)
            return done;
    }
    return put(b, "]", 1) < 0 ? -1 : 1;
}

/* A list read in place, each item held while it is written and its length read again after
 * (a copy of the items made the build's views slower to write than pydantic-core). */
static int
put_list(Buf *b, PyObject *list, PyObject *plans, int depth)
{
    if (put(b, "[", 1) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        if (i && put(b, ",", 1) < 0)
            return -1;
        PyObject *item = Py_NewRef(PyList_GET_ITEM(list, i));
        int done = put_value(b, item, plans, depth);
        Py_DECREF(item);
        if (done <= 0)
            return done;
    }
    return put(b, "]", 1) < 0 ? -1 : 1;
}

static int
put_dict(Buf *b, PyObject *dict, PyObject *plans, int depth)
{
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    int first = 1;
    if (put(b, "{", 1) < 0)
        return -1;
    while (PyDict_Next(dict, &pos, &key, &value)) {
        if (!PyUnicode_CheckExact(key))
            return 0;
        if (!first && put(b, ",", 1) < 0)
            return -1;
        first = 0;
        int done = put_str(b, key);
        if (done <= 0)
            return done;
        if (put(b, ":", 1) < 0)
            return -1;
        Py_INCREF(value); /* the dict's own reference could go while a value is written */
        done = put_value(b, value, plans, depth);
        Py_DECREF(value);
        if (done <= 0)
            return done;
    }
    return put(b, "}", 1) < 0 ? -1 : 1;
}

/* A field of `obj` by its getter: a slot's member descriptor (read in place: the attribute
 * lookup through the type was a fifth of the time), else an attribute name. check_plans made
 * sure the descriptor belongs to a base of obj's type. */
static PyObject *
get_field(PyObject *obj, PyObject *getter)
{
    if (Py_IS_TYPE(getter, &PyMemberDescr_Type)) {
        PyMemberDef *member = ((PyMemberDescrObject *)getter)->d_member;
        if (member->type == T_OBJECT_EX) {
            PyObject *value = *(PyObject **)((char *)obj + member->offset);
            if (value != NULL)
                return Py_NewRef(value);
        }
        return PyMember_GetOne((const char *)obj, member); /* an unset slot: its AttributeError */
    }
    return PyObject_GetAttr(obj, getter);
}

/* get_field for a getter not yet checked against `obj`: a slot's member descriptor of a type `obj`
 * is not of gives a TypeError naming `whose` object, where get_field would read past it. */
static PyObject *
checked_field(PyObject *obj, PyObject *getter, const char *whose)
{
    if (Py_IS_TYPE(getter, &PyMemberDescr_Type) && !PyObject_TypeCheck(obj, PyDescr_TYPE(getter))) {
        PyErr_Format(PyExc_TypeError, "a slot getter of another type than the %s", whose);
        return NULL;
    }
    return get_field(obj, getter);
}

/* 1 when `getters` is a tuple of `n` getters, each an attribute name or a slot's member
 * descriptor (get_field's); else 0 with a TypeError saying `what`. */
static int
getters_ok(PyObject *getters, Py_ssize_t n, const char *what)
{
    if (!PyTuple_CheckExact(getters) || PyTuple_GET_SIZE(getters) != n) {
        PyErr_SetString(PyExc_TypeError, what);
        return 0;
    }
    for (Py_ssize_t f = 0; f < n; f++) {
        PyObject *getter = PyTuple_GET_ITEM(getters, f);
        if (!PyUnicode_Check(getter) && !Py_IS_TYPE(getter, &PyMemberDescr_Type)) {
            PyErr_SetString(PyExc_TypeError, what);
            return 0;
        }
    }
    return 1;
}

/* An object of a planned type: its fields, each `prefix` then the field's value. */
static int
put_object(Buf *b, PyObject *value, PyObject *fields, PyObject *plans, int depth)
{
    Py_ssize_t n = PyTuple_GET_SIZE(fields);
    if (n == 0)
        return put(b, "{}", 2) < 0 ? -1 : 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *field = PyTuple_GET_ITEM(fields, i);
        PyObject *name = PyTuple_GET_ITEM(field, 0), *prefix = PyTuple_GET_ITEM(field, 1);
        if (put(b, PyBytes_AS_STRING(prefix), PyBytes_GET_SIZE(prefix)) < 0)
            return -1;
        PyObject *attr = get_field(value, name);
        if (attr == NULL)
            return -1;
        int done = put_value(b, attr, plans, depth);
        Py_DECREF(attr);
        if (done <= 0)
            return done;
    }
    return put(b, "}", 1) < 0 ? -1 : 1;
}

static int
put_value(Buf *b, PyObject *value, PyObject *plans, int depth)
{
    if (PyUnicode_CheckExact(value))
        return put_str(b, value);
    if (value == Py_None)
        return put(b, "null", 4) < 0 ? -1 : 1;
    if (value == Py_True)
        return put(b, "true", 4) < 0 ? -1 : 1;
    if (value == Py_False)
        return put(b, "false", 5) < 0 ? -1 : 1;
    if (PyLong_CheckExact(value)) {
        int overflow;
        long long n = PyLong_AsLongLongAndOverflow(value, &overflow);
        if (overflow)
            return 0;
        if (n == -1 && PyErr_Occurred())
            return -1;
        return put_int(b, n) < 0 ? -1 : 1;
    }
    if (++depth > MAX_DEPTH)
        return 0;
    if (PyTuple_CheckExact(value))
        return put_items(b, &PyTuple_GET_ITEM(value, 0), PyTuple_GET_SIZE(value), plans, depth);
    if (PyList_CheckExact(value))
        return put_list(b, value, plans, depth);
    if (PyDict_CheckExact(value))
        return put_dict(b, value, plans, depth);
    PyObject *fields = PyDict_GetItemWithError(plans, (PyObject *)Py_TYPE(value));
    if (fields == NULL)
        return PyErr_Occurred() ? -1 : 0;
    return put_object(b, value, fields, plans, depth);
}

static int
check_plans(PyObject *plans)
{
    if (!PyDict_CheckExact(plans)) {
        PyErr_SetString(PyExc_TypeError, "plans must be a dict");
        return -1;
    }
    PyObject *key, *fields;
    Py_ssize_t pos = 0;
    while (PyDict_Next(plans, &pos, &key, &fields)) {
        if (!PyType_Check(key) || !PyTuple_CheckExact(fields))
            goto bad;
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(fields); i++) {
            PyObject *field = PyTuple_GET_ITEM(fields, i);
            if (!PyTuple_CheckExact(field) || PyTuple_GET_SIZE(field) != 2 || !PyBytes_CheckExact(PyTuple_GET_ITEM(field, 1)))
                goto bad;
            PyObject *getter = PyTuple_GET_ITEM(field, 0);
            if (!(PyUnicode_Check(getter) || (Py_IS_TYPE(getter, &PyMemberDescr_Type)
                                              && PyType_IsSubtype((PyTypeObject *)key, PyDescr_TYPE(getter)))))
                goto bad;
        }
    }
    return 0;
bad:
    PyErr_SetString(PyExc_TypeError, "plans: {type: ((attribute name or its slot, key prefix bytes), ...)}");
    return -1;
}

static PyObject *
dump(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2)
        return type_error("dump(value, plans) takes 2 arguments");
    if (check_plans(args[1]) < 0)
        return NULL;
    /* One buffer kept from call to call: a new 64 KB one per entry was freed back to the
     * system and faulted in again each time (a third of the time of a 46 KB entry). A call
     * made while one is writing (none is: nothing here runs Python code) gets its own. */
    static Buf kept = {NULL, 0, 0};
    static int busy = 0;
    Buf own = {NULL, 0, 0}, *b = busy ? &own : &kept;
    if (b->data == NULL) {
        b->data = PyMem_Malloc(1 << 16);
        if (b->data == NULL)
            return PyErr_NoMemory();
        b->cap = 1 << 16;
    }
    b->len = 0;
    int was_busy = busy;
    busy = 1;
    int done = put_value(b, args[0], args[1], 0);
    busy = was_busy;
    PyObject *out = done < 0 ? NULL : done == 0 ? Py_NewRef(Py_None) : PyBytes_FromStringAndSize(b->data, b->len);
    if (b == &own)
        PyMem_Free(own.data);
    else if (kept.cap > (1 << 22)) { /* one huge entry: its buffer is not kept for the next */
        PyMem_Free(kept.data);
        kept = (Buf){NULL, 0, 0};
    }
    return out;
}

/* table(objects, getters, kinds) and untable(cls, names, kinds, strings, rows): a build record's
 * diagnostics (agentc/codec.py, dump_record and load_record) as a table and back. Each object is
 * a row of len(kinds) ints in `rows`, one per field: an INT field's value itself; a str field's
 * index in `strings`, which holds each distinct string once; -1 for None where a field may be
 * None (OPTIONAL). A kind is STR (0), OPTIONAL (1), INT (2), or a frozenset of the strings the
 * field may hold (a Literal). codec._table and codec._untable are the reference: the same
 * values, and ValueError for any value or row that does not fit its kind. */

enum { STR = 0, OPTIONAL = 1, INT = 2, CHOICE = 3 };
#define MAX_WIDTH 64

/* The kinds as codes (CHOICE: a frozenset, in `sets`); -1 with TypeError when they are not kinds. */
static Py_ssize_t
read_kinds(PyObject *kinds, int *codes, PyObject **sets)
{
    if (!PyTuple_CheckExact(kinds) || PyTuple_GET_SIZE(kinds) == 0 || PyTuple_GET_SIZE(kinds) > MAX_WIDTH) {
        PyErr_SetString(PyExc_TypeError, "kinds must be a tuple of 1 to 64 kinds");
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(kinds);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *kind = PyTuple_GET_ITEM(kinds, i);
        sets[i] = NULL;
        if (PyFrozenSet_CheckExact(kind)) {
            codes[i] = CHOICE;
            sets[i] = kind;
            continue;
        }
        long code = PyLong_CheckExact(kind) ? PyLong_AsLong(kind) : -1;
        if (code < STR || code > INT) {
            PyErr_Clear();
            PyErr_SetString(PyExc_TypeError, "a kind is 0 (str), 1 (str or None), 2 (int) or a frozenset of str");
            return -1;
        }
        codes[i] = (int)code;
    }
    return n;
}

static PyObject *
bad_value(const char *what)
{
    PyErr_SetString(PyExc_ValueError, what);
    return NULL;
}

/* A str value's row entry: its index in `strings`, added there when new. New reference. */
static PyObject *
index_of(PyObject *value, PyObject *index, PyObject *strings)
{
    PyObject *at = PyDict_GetItemWithError(index, value);
    if (at != NULL)
        return Py_NewRef(at);
    if (PyErr_Occurred())
        return NULL;
    at = PyLong_FromSsize_t(PyList_GET_SIZE(strings));
    if (at == NULL || PyDict_SetItem(index, value, at) < 0 || PyList_Append(strings, value) < 0) {
        Py_XDECREF(at);
        return NULL;
    }
    return at;
}

static PyObject *
table(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3)
        return type_error("table(objects, getters, kinds) takes 3 arguments");
    int codes[MAX_WIDTH];
    PyObject *sets[MAX_WIDTH];
    Py_ssize_t width = read_kinds(args[2], codes, sets);
    if (width < 0)
        return NULL;
    PyObject *getters = args[1];
    if (!PyTuple_CheckExact(getters) || PyTuple_GET_SIZE(getters) != width)
        return type_error("getters must be a tuple, one per kind");
    for (Py_ssize_t f = 0; f < width; f++) {
        PyObject *getter = PyTuple_GET_ITEM(getters, f);
        if (!PyUnicode_Check(getter) && !Py_IS_TYPE(getter, &PyMemberDescr_Type))
            return type_error("a getter is an attribute name or a slot's member descriptor");
    }
    if (!PyList_CheckExact(args[0]) && !PyTuple_CheckExact(args[0]))
        return type_error("objects must be a list or a tuple");
    /* A tuple of them held here: an attribute read may run Python code that changes the list. */
    PyObject *objects = PySequence_Tuple(args[0]);
    PyObject *strings = PyList_New(0), *index = PyDict_New(), *rows = NULL, *out = NULL;
    if (objects == NULL || strings == NULL || index == NULL)
        goto done;
    Py_ssize_t count = PyTuple_GET_SIZE(objects);
    rows = PyList_New(count * width);
    if (rows == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *obj = PyTuple_GET_ITEM(objects, i);
        for (Py_ssize_t f = 0; f < width; f++) {
            PyObject *value = checked_field(obj, PyTuple_GET_ITEM(getters, f), "object's"), *item = NULL;
            if (value == NULL)
                goto done;
            if (codes[f] == INT) {
                if (PyLong_CheckExact(value))
                    item = Py_NewRef(value);
                else
                    bad_value("an int field holds something else");
            } else if (value == Py_None) {
                if (codes[f] == OPTIONAL)
                    item = PyLong_FromLong(-1);
                else
                    bad_value("a str field holds None");
            } else if (!PyUnicode_CheckExact(value)) {
                bad_value("a str field holds something else");
            } else {
                int ok = 1;
                if (codes[f] == CHOICE && (ok = PySet_Contains(sets[f], value)) == 0)
                    bad_value("a str field holds a value outside its choices");
                if (ok > 0)
                    item = index_of(value, index, strings);
            }
            Py_DECREF(value);
            if (item == NULL)
                goto done;
            PyList_SET_ITEM(rows, i * width + f, item);
        }
    }
    out = PyTuple_Pack(2, strings, rows);
done:
    XDECREF_ALL(objects, strings, index);
    Py_XDECREF(rows); /* a list cut short holds NULLs, which its dealloc passes over */
    return out;
}

static PyObject *
untable(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5)
        return type_error("untable(cls, names, kinds, strings, rows) takes 5 arguments");
    PyObject *cls = args[0], *names = args[1];
    int codes[MAX_WIDTH];
    PyObject *sets[MAX_WIDTH];
    Py_ssize_t width = read_kinds(args[2], codes, sets);
    if (width < 0)
        return NULL;
    if (!PyCallable_Check(cls))
        return type_error("cls must be callable");
    if (!PyTuple_CheckExact(names) || PyTuple_GET_SIZE(names) != width)
        return type_error("names must be a tuple, one per kind");
    for (Py_ssize_t f = 0; f < width; f++) {
        PyObject *name = PyTuple_GET_ITEM(names, f);
        if (!PyUnicode_CheckExact(name))
            return type_error("a name must be a str");
        for (Py_ssize_t g = 0; g < f; g++) {
            int same = PyUnicode_Compare(PyTuple_GET_ITEM(names, g), name);
            if (same == 0 || (same == -1 && PyErr_Occurred())) {
                if (same == 0)
                    PyErr_SetString(PyExc_TypeError, "names must differ");
                return NULL;
            }
        }
    }
    if (!PyList_CheckExact(args[3]) || !PyList_CheckExact(args[4]))
        return bad_value("strings and rows must be lists");
    /* Tuples of them held here: the class's constructor may run Python code that changes the lists. */
    PyObject *strings = PyList_AsTuple(args[3]), *rows = NULL, *out = NULL;
    if (strings == NULL)
        return NULL;
    Py_ssize_t nstrings = PyTuple_GET_SIZE(strings);
    for (Py_ssize_t i = 0; i < nstrings; i++) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(strings, i))) {
            bad_value("strings must all be str");
            goto done;
        }
    }
    rows = PyList_AsTuple(args[4]);
    if (rows == NULL)
        goto done;
    Py_ssize_t total = PyTuple_GET_SIZE(rows);
    if (total % width) {
        bad_value("rows do not hold a whole number of rows");
        goto done;
    }
    out = PyList_New(total / width);
    if (out == NULL)
        goto done;
    for (Py_ssize_t at = 0; at < total; at += width) {
        PyObject *values[MAX_WIDTH];
        for (Py_ssize_t f = 0; f < width; f++) {
            PyObject *n = PyTuple_GET_ITEM(rows, at + f);
            if (!PyLong_CheckExact(n)) {
                bad_value("a row holds something else than an int");
                goto fail;
            }
            if (codes[f] == INT) {
                values[f] = n;
                continue;
            }
            int overflow;
            long long i = PyLong_AsLongLongAndOverflow(n, &overflow);
            if (i == -1 && PyErr_Occurred())
                goto fail;
            if (i == -1 && !overflow && codes[f] == OPTIONAL) {
                values[f] = Py_None;
                continue;
            }
            if (overflow || i < 0 || i >= nstrings) {
                bad_value("a string index out of range");
                goto fail;
            }
            values[f] = PyTuple_GET_ITEM(strings, (Py_ssize_t)i);
            if (codes[f] == CHOICE) {
                int in = PySet_Contains(sets[f], values[f]);
                if (in <= 0) {
                    if (in == 0)
                        bad_value("a string outside its field's choices");
                    goto fail;
                }
            }
        }
        PyObject *obj = PyObject_Vectorcall(cls, values, 0, names);
        if (obj == NULL)
            goto fail;
        PyList_SET_ITEM(out, at / width, obj);
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    Py_DECREF(strings);
    Py_XDECREF(rows);
    return out;
}

/* heads(diags, getters, severities) gives formats._heads(diags, severities): the head line of
 * each diagnostic whose severity is in `severities` (compiler/diagnostics.py, head_line:
 * `file:line:col: severity[CODE]: message`, the file alone when it starts with '<'), joined by
 * "\n", for the text report (agentc/formats.py, text). `getters` reads each diagnostic's file,
 * line, col, severity, code and message, in that order: each an attribute name or a slot's
 * member descriptor. Every value is formatted as an f-string formats it (format(value, ""));
 * the file must be a str. The lines are written as UTF-8 into one buffer, made a str at the
 * end. A str with a lone surrogate has no UTF-8: a UnicodeEncodeError, on which formats._heads
 * makes the text in Python. A 1000-agent build reports ~12 000 AGC301 warnings on every build,
 * no-op and rebuild included: ~5.3 -> ~0.9 ms. */

enum { FILE_, LINE, COL, SEVERITY, CODE, MESSAGE, FIELDS };

/* `value` as an f-string formats it, in UTF-8: an int's digits written here, a str's UTF-8 as
 * CPython keeps it, anything else through format(value, ""). A lone surrogate cannot be UTF-8:
 * its UnicodeEncodeError tells the caller to leave the whole text to Python. */
static int
put_formatted(Buf *b, PyObject *value)
{
    if (PyLong_CheckExact(value)) {
        int overflow;
        long long n = PyLong_AsLongLongAndOverflow(value, &overflow);
        if (!overflow && !(n == -1 && PyErr_Occurred()))
            return put_int(b, n);
        if (PyErr_Occurred())
            return -1;
    }
    PyObject *text = PyUnicode_CheckExact(value) ? Py_NewRef(value) : PyObject_Format(value, NULL);
    if (text == NULL)
        return -1;
    Py_ssize_t n;
    const char *utf8 = PyUnicode_AsUTF8AndSize(text, &n);
    int done = utf8 == NULL ? -1 : put(b, utf8, n);
    Py_DECREF(text);
    return done;
}

/* One diagnostic's head line into `b` (after a "\n" unless it is the first): 1, or 0 when its
 * severity is not shown, -1 on an error. */
static int
put_head(Buf *b, int *first, PyObject *diag, PyObject *getters, PyObject *severities)
{
    PyObject *values[FIELDS] = {NULL};
    int done = -1;
    for (int f = 0; f < FIELDS; f++) {
        PyObject *getter = PyTuple_GET_ITEM(getters, f);
        if (Py_IS_TYPE(getter, &PyMemberDescr_Type) && !PyObject_TypeCheck(diag, PyDescr_TYPE(getter))) {
            PyErr_SetString(PyExc_TypeError, "a slot getter of another type than the diagnostic's");
            return -1;
        }
    }
    values[SEVERITY] = get_field(diag, PyTuple_GET_ITEM(getters, SEVERITY));
    if (values[SEVERITY] == NULL)
        return -1;
    int shown = PySet_Contains(severities, values[SEVERITY]);
    if (shown <= 0) {
        Py_DECREF(values[SEVERITY]);
        return shown;
    }
    for (int f = 0; f < FIELDS; f++) {
        if (values[f] == NULL && (values[f] = get_field(diag, PyTuple_GET_ITEM(getters, f))) == NULL)
            goto done;
    }
    if (!PyUnicode_Check(values[FILE_])) {
        PyErr_SetString(PyExc_TypeError, "a diagnostic's file must be a str");
        goto done;
    }
    if (!*first && put(b, "\n", 1) < 0)
        goto done;
    *first = 0;
    if (put_formatted(b, values[FILE_]) < 0)
        goto done;
    int bare = PyUnicode_GET_LENGTH(values[FILE_]) > 0 && PyUnicode_READ_CHAR(values[FILE_], 0) == '<'; /* <command line> is no file */
    if (!bare && (put(b, ":", 1) < 0 || put_formatted(b, values[LINE]) < 0 || put(b, ":", 1) < 0
                  || put_formatted(b, values[COL]) < 0))
        goto done;
    if (put(b, ": ", 2) < 0 || put_formatted(b, values[SEVERITY]) < 0 || put(b, "[", 1) < 0
        || put_formatted(b, values[CODE]) < 0 || put(b, "]: ", 3) < 0 || put_formatted(b, values[MESSAGE]) < 0)
        goto done;
    done = 1;
done:
    for (int f = 0; f < FIELDS; f++)
        Py_XDECREF(values[f]);
    return done;
}

static PyObject *
heads(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3)
        return type_error("heads(diags, getters, severities) takes 3 arguments");
    PyObject *getters = args[1], *severities = args[2];
    if (!getters_ok(getters, FIELDS, "getters: (file, line, col, severity, code, message), each a name or a slot"))
        return NULL;
    if (!PyAnySet_Check(severities))
        return type_error("severities must be a set or a frozenset");
    if (!PyList_CheckExact(args[0]) && !PyTuple_CheckExact(args[0]))
        return type_error("diags must be a list or a tuple");
    /* A tuple of them held here: reading an attribute may run Python code that changes the list. */
    PyObject *diags = PySequence_Tuple(args[0]), *out = NULL;
    if (diags == NULL)
        return NULL;
    Buf b = {PyMem_Malloc(1 << 16), 0, 1 << 16};
    if (b.data == NULL) {
        Py_DECREF(diags);
        return PyErr_NoMemory();
    }
    int first = 1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(diags); i++) {
        if (put_head(&b, &first, PyTuple_GET_ITEM(diags, i), getters, severities) < 0)
            goto done;
    }
    out = PyUnicode_DecodeUTF8(b.data, b.len, "strict");
done:
    PyMem_Free(b.data);
    Py_DECREF(diags);
    return out;
}

/* tally(diags, getters) gives formats._tally(diags): {(code, severity): how many}, in the order
 * each pair is first seen, for the text report's table and summary. `getters` reads each
 * diagnostic's code and severity: each an attribute name or a slot's member descriptor (as
 * heads'). Equal pairs in a row are one run, added to the dict once: a 1000-agent build reports
 * ~12 000 AGC301 warnings on every build, no-op included, sorted by file, so a few runs; Counter
 * made, hashed and looked up a tuple per diagnostic twice (~26M instructions). */

/* counts[(code, severity)] += run */
static int
add_run(PyObject *counts, PyObject *code, PyObject *severity, Py_ssize_t run)
{
    PyObject *key = PyTuple_Pack(2, code, severity);
    if (key == NULL)
        return -1;
    PyObject *had = PyDict_GetItemWithError(counts, key), *now = NULL; /* borrowed */
    if (had == NULL && PyErr_Occurred()) {
        Py_DECREF(key);
        return -1;
    }
    PyObject *more = PyLong_FromSsize_t(run);
    if (more != NULL)
        now = had != NULL ? PyNumber_Add(had, more) : Py_NewRef(more);
    Py_XDECREF(more);
    int done = now == NULL ? -1 : PyDict_SetItem(counts, key, now);
    Py_XDECREF(now);
    Py_DECREF(key);
    return done;
}

/* Whether a == b (1), not (0), or -1 on an error: identity first, as a tuple compares its items. */
static int
same(PyObject *a, PyObject *b)
{
    return a == b ? 1 : PyObject_RichCompareBool(a, b, Py_EQ);
}

static PyObject *
tally(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2)
        return type_error("tally(diags, getters) takes 2 arguments");
    PyObject *getters = args[1];
    if (!getters_ok(getters, 2, "getters: (code, severity), each a name or a slot"))
        return NULL;
    if (!PyList_CheckExact(args[0]) && !PyTuple_CheckExact(args[0]))
        return type_error("diags must be a list or a tuple");
    /* A tuple of them held here: reading an attribute may run Python code that changes the list. */
    PyObject *diags = PySequence_Tuple(args[0]), *counts = NULL, *code = NULL, *severity = NULL;
    if (diags == NULL)
        return NULL;
    if ((counts = PyDict_New()) == NULL)
        goto fail;
    Py_ssize_t run = 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(diags); i++) {
        PyObject *diag = PyTuple_GET_ITEM(diags, i), *values[2] = {NULL, NULL};
        for (int f = 0; f < 2; f++) {
            values[f] = checked_field(diag, PyTuple_GET_ITEM(getters, f), "diagnostic's");
            if (values[f] == NULL) {
                Py_XDECREF(values[0]);
                goto fail;
            }
        }
        if (run > 0) {
            int equal = same(values[0], code);
            if (equal > 0)
                equal = same(values[1], severity);
            if (equal > 0) {
                run++;
                Py_DECREF(values[0]);
                Py_DECREF(values[1]);
                continue;
            }
            if (equal < 0 || add_run(counts, code, severity, run) < 0) {
                Py_DECREF(values[0]);
                Py_DECREF(values[1]);
                goto fail;
            }
        }
        Py_XSETREF(code, values[0]);
        Py_XSETREF(severity, values[1]);
        run = 1;
    }
    if (run > 0 && add_run(counts, code, severity, run) < 0)
        goto fail;
    goto done;
fail:
    Py_CLEAR(counts);
done:
    Py_XDECREF(code);
    Py_XDECREF(severity);
    Py_DECREF(diags);
    return counts;
}

/* crc32: zlib's CRC-32 (reflected polynomial 0xEDB88320), folded 64 bytes at a time with
 * carry-less multiplication (PCLMULQDQ), after Gopal et al., "Fast CRC Computation for Generic
 * Polynomials Using PCLMULQDQ Instruction" (Intel, 2009), with its constants for this
 * polynomial; the bytes past the last whole 16, and all of a short buffer, a byte at a time. */

static uint32_t CRC_TABLE[256];

static void
crc_table_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        CRC_TABLE[i] = c;
    }
}

/* The register (not inverted) over n bytes, a byte at a time. */
static uint32_t
crc_bytes(uint32_t crc, const unsigned char *p, size_t n)
{
    while (n--)
        crc = CRC_TABLE[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define CRC_FOLDS 1

/* The register (not inverted) over n bytes, n a multiple of 16 and at least 64. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t
crc_fold(uint32_t crc, const unsigned char *p, size_t n)
{
    const __m128i k1k2 = _mm_set_epi64x(0x01c6e41596, 0x0154442bd4);
    const __m128i k3k4 = _mm_set_epi64x(0x00ccaa009e, 0x01751997d0);
    const __m128i k5k0 = _mm_set_epi64x(0, 0x0163cd6124);
    const __m128i poly = _mm_set_epi64x(0x01f7011641, 0x01db710641);
    const __m128i low32 = _mm_setr_epi32(~0, 0, ~0, 0);
    __m128i x1 = _mm_loadu_si128((const __m128i *)(p + 0x00)), x2 = _mm_loadu_si128((const __m128i *)(p + 0x10));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(p + 0x20)), x4 = _mm_loadu_si128((const __m128i *)(p + 0x30));
    __m128i x5, x6, x7, x8;
    x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
    p += 64;
    n -= 64;
    for (; n >= 64; p += 64, n -= 64) { /* four lanes, each folded 64 bytes on */
        x5 = _mm_clmulepi64_si128(x1, k1k2, 0x00);
        x6 = _mm_clmulepi64_si128(x2, k1k2, 0x00);
        x7 = _mm_clmulepi64_si128(x3, k1k2, 0x00);
        x8 = _mm_clmulepi64_si128(x4, k1k2, 0x00);
        x1 = _mm_clmulepi64_si128(x1, k1k2, 0x11);
        x2 = _mm_clmulepi64_si128(x2, k1k2, 0x11);
        x3 = _mm_clmulepi64_si128(x3, k1k2, 0x11);
        x4 = _mm_clmulepi64_si128(x4, k1k2, 0x11);
        x1 = _mm_xor_si128(_mm_xor_si128(x1, x5), _mm_loadu_si128((const __m128i *)(p + 0x00)));
        x2 = _mm_xor_si128(_mm_xor_si128(x2, x6), _mm_loadu_si128((const __m128i *)(p + 0x10)));
        x3 = _mm_xor_si128(_mm_xor_si128(x3, x7), _mm_loadu_si128((const __m128i *)(p + 0x20)));
        x4 = _mm_xor_si128(_mm_xor_si128(x4, x8), _mm_loadu_si128((const __m128i *)(p + 0x30)));
    }
    /* the four lanes into one */
    x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k3k4, 0x11), x2), x5);
    x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k3k4, 0x11), x3), x5);
    x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k3k4, 0x11), x4), x5);
    for (; n >= 16; p += 16, n -= 16) {
        x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
        x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k3k4, 0x11), _mm_loadu_si128((const __m128i *)p)), x5);
    }
    /* 128 bits to 64, then Barrett's reduction to 32 */
    x2 = _mm_clmulepi64_si128(x1, k3k4, 0x10);
    x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), x2);
    x2 = _mm_srli_si128(x1, 4);
    x1 = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x1, low32), k5k0, 0x00), x2);
    x2 = _mm_clmulepi64_si128(_mm_and_si128(x1, low32), poly, 0x10);
    x2 = _mm_clmulepi64_si128(_mm_and_si128(x2, low32), poly, 0x00);
    return (uint32_t)_mm_extract_epi32(_mm_xor_si128(x1, x2), 1);
}
#endif

static int FOLDS = 0; /* whether this CPU has PCLMULQDQ and SSE4.1 (crc_fold): set at import */

/* zlib.crc32 of the n bytes at p. */
static uint32_t
crc32_of(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
#ifdef CRC_FOLDS
    if (FOLDS && n >= 64) {
        size_t whole = n & ~(size_t)15;
        crc = crc_fold(crc, p, whole);
        p += whole;
        n -= whole;
    }
#endif
    return ~crc_bytes(crc, p, n);
}

static PyObject *
crc32(PyObject *module, PyObject *data)
{
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    uint32_t crc = crc32_of(view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    return PyLong_FromUnsignedLong(crc);
}

/* load(data, loader) reads dump's JSON of a cache entry back (codec.load_entry): the objects
 * pydantic-core's validate_json makes of it, made without it. `loader` is loader(specs)'s plan
 * of the entry's schema (codec._load_specs writes it from the schema pydantic-core validates
 * with), a tuple of nodes, each referring to others by index, the root first:
 *   (L_ANY,) (L_STR,) (L_INT,) (L_BOOL,) (L_NONE,)  a JSON value; a str; an int; a bool; null
 *   (L_LITERAL, (str, ...))                           one of these strs (the tuple's own object)
 *   (L_NULLABLE, i) (L_TUPLE, i) (L_LIST, i)          null or node i; an array of node i's
 *   (L_DICT, i)                                       an object of str keys and node i's values
 *   (L_OBJECT, cls, ((name, slot, i, mode, default, factory), ...))
 *        an object of cls (a slotted class made with object.__new__, each slot set in place,
 *        as pydantic-core makes a dataclass without calling __init__), its keys in the fields'
 *        order: F_READ a key that is there, read as node i; F_SKIP a key that may be there,
 *        read past; F_ABSENT one that is not; the last two get the default (or factory()).
 *   (L_RECORD, ((key, i), ...))                       a dict of these keys, in this order.
 * It reads the JSON dump writes and nothing else: no whitespace, the keys in their order, ints
 * of up to 18 digits, UTF-8 text. For anything else (a float in an agent's metadata, an escaped
 * key, a damaged entry) it gives None and the caller asks pydantic-core, the reference, which
 * reads it or raises its ValueError: this reader only ever returns what pydantic-core would.
 * A claude build's entry (whole=False, ~5.5 KB): pydantic-core ~387K instructions, this ~65K. */

enum { L_ANY, L_STR, L_INT, L_BOOL, L_NONE, L_LITERAL, L_NULLABLE, L_TUPLE, L_LIST, L_DICT, L_OBJECT, L_RECORD };
enum { F_READ, F_SKIP, F_ABSENT };
#define LOADER "agentc._codec.loader"
/* Deeper values (an agent's metadata) are left to pydantic-core, whose own limit is about 200. */
#define LOAD_DEPTH 100

typedef struct Spec Spec;

typedef struct {
    const char *name;   /* the key's bytes (ASCII, borrowed from the plan's str) */
    Py_ssize_t len;
    PyObject *key;      /* L_RECORD: the key as a str */
    Py_ssize_t offset;  /* L_OBJECT: where its slot lives in the object */
    Spec *spec;         /* F_READ: how its value is read */
    int mode;
    PyObject *value;    /* F_SKIP, F_ABSENT: the default, or its factory */
    int factory;
} LField;

struct Spec {
    int kind;
    Spec *item;         /* L_NULLABLE, L_TUPLE, L_LIST, L_DICT: the node of the value(s) */
    PyObject *choices;  /* L_LITERAL */
    PyTypeObject *cls;  /* L_OBJECT */
    Py_ssize_t n;       /* L_OBJECT, L_RECORD: the fields */
    LField *fields;
};

typedef struct {
    Py_ssize_t n;
    Spec *specs;
    PyObject *plan;     /* the tuple the specs borrow their objects from, held */
} Loader;

static void
loader_free(PyObject *capsule)
{
    Loader *l = PyCapsule_GetPointer(capsule, LOADER);
    if (l == NULL)
        return;
    for (Py_ssize_t i = 0; i < l->n; i++)
        PyMem_Free(l->specs[i].fields);
    PyMem_Free(l->specs);
    Py_XDECREF(l->plan);
    PyMem_Free(l);
}

/* Node `at` of the plan (a tuple of `n`) as a Spec: 0, or -1 with a TypeError. */
static int
read_spec(Loader *l, Py_ssize_t at)
{
    static const char *bad = "loader(plan): a tuple of nodes, as codec._load_specs makes them";
    PyObject *node = PyTuple_GET_ITEM(l->plan, at);
    Spec *s = &l->specs[at];
    if (!PyTuple_CheckExact(node) || PyTuple_GET_SIZE(node) < 1 || !PyLong_CheckExact(PyTuple_GET_ITEM(node, 0)))
        goto fail;
    long kind = PyLong_AsLong(PyTuple_GET_ITEM(node, 0));
    Py_ssize_t size = PyTuple_GET_SIZE(node);
    s->kind = (int)kind;
    if (kind >= L_ANY && kind <= L_NONE)
        return size == 1 ? 0 : (PyErr_SetString(PyExc_TypeError, bad), -1);
    if (kind == L_LITERAL) {
        PyObject *choices = size == 2 ? PyTuple_GET_ITEM(node, 1) : NULL;
        if (choices == NULL || !PyTuple_CheckExact(choices))
            goto fail;
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(choices); k++) {
            if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(choices, k)))
                goto fail;
        }
        s->choices = choices;
        return 0;
    }
    if (kind >= L_NULLABLE && kind <= L_DICT) {
        Py_ssize_t i = size == 2 && PyLong_CheckExact(PyTuple_GET_ITEM(node, 1)) ? PyLong_AsSsize_t(PyTuple_GET_ITEM(node, 1)) : -1;
        if (i < 0 || i >= l->n) {
            PyErr_Clear();
            goto fail;
        }
        s->item = &l->specs[i];
        return 0;
    }
    if (kind != L_OBJECT && kind != L_RECORD)
        goto fail;
    if (size != (kind == L_OBJECT ? 3 : 2))
        goto fail;
    PyObject *cls = kind == L_OBJECT ? PyTuple_GET_ITEM(node, 1) : NULL;
    PyObject *fields = PyTuple_GET_ITEM(node, size - 1);
    if (kind == L_OBJECT && (!PyType_Check(cls) || !PyType_Check(cls) || ((PyTypeObject *)cls)->tp_new != PyBaseObject_Type.tp_new
                             || ((PyTypeObject *)cls)->tp_itemsize != 0))
        goto fail;
    if (!PyTuple_CheckExact(fields))
        goto fail;
    s->cls = (PyTypeObject *)cls;
    s->n = PyTuple_GET_SIZE(fields);
    s->fields = PyMem_Calloc(s->n ? s->n : 1, sizeof(LField));
    if (s->fields == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t k = 0; k < s->n; k++) {
        PyObject *field = PyTuple_GET_ITEM(fields, k);
        LField *f = &s->fields[k];
        if (!PyTuple_CheckExact(field) || PyTuple_GET_SIZE(field) != (kind == L_OBJECT ? 6 : 2))
            goto fail;
        PyObject *name = PyTuple_GET_ITEM(field, 0);
        PyObject *index = PyTuple_GET_ITEM(field, kind == L_OBJECT ? 2 : 1);
        if (!PyUnicode_CheckExact(name) || !PyUnicode_IS_ASCII(name) || !PyLong_CheckExact(index))
            goto fail;
        f->name = (const char *)PyUnicode_DATA(name);
        f->len = PyUnicode_GET_LENGTH(name);
        f->key = name;
        Py_ssize_t i = PyLong_AsSsize_t(index);
        f->mode = F_READ;
        if (kind == L_OBJECT) {
            PyObject *slot = PyTuple_GET_ITEM(field, 1), *mode = PyTuple_GET_ITEM(field, 3);
            if (!Py_IS_TYPE(slot, &PyMemberDescr_Type) || !PyType_IsSubtype((PyTypeObject *)cls, PyDescr_TYPE(slot))
                || ((PyMemberDescrObject *)slot)->d_member->type != T_OBJECT_EX
                || (((PyMemberDescrObject *)slot)->d_member->flags & READONLY) || !PyLong_CheckExact(mode))
                goto fail;
            f->offset = ((PyMemberDescrObject *)slot)->d_member->offset;
            f->mode = (int)PyLong_AsLong(mode);
            f->value = PyTuple_GET_ITEM(field, 4);
            f->factory = PyObject_IsTrue(PyTuple_GET_ITEM(field, 5));
            if (f->mode < F_READ || f->mode > F_ABSENT || f->factory < 0)
                goto fail;
        }
        if (f->mode == F_READ) {
            if (i < 0 || i >= l->n)
                goto fail;
            f->spec = &l->specs[i];
        }
    }
    return 0;
fail:
    if (!PyErr_Occurred() || PyErr_ExceptionMatches(PyExc_OverflowError)) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, bad);
    }
    return -1;
}

static PyObject *
loader(PyObject *module, PyObject *plan)
{
    if (!PyTuple_CheckExact(plan) || PyTuple_GET_SIZE(plan) == 0)
        return type_error("loader(plan): a tuple of nodes, as codec._load_specs makes them");
    Loader *l = PyMem_Calloc(1, sizeof(Loader));
    if (l == NULL)
        return PyErr_NoMemory();
    l->n = PyTuple_GET_SIZE(plan);
    l->plan = Py_NewRef(plan);
    l->specs = PyMem_Calloc(l->n, sizeof(Spec));
    PyObject *capsule = l->specs != NULL ? PyCapsule_New(l, LOADER, loader_free) : NULL;
    if (capsule == NULL) {
        if (l->specs == NULL)
            PyErr_NoMemory();
        PyMem_Free(l->specs);
        Py_DECREF(plan);
        PyMem_Free(l);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < l->n; i++) {
        if (read_spec(l, i) < 0) {
            Py_DECREF(capsule);
            return NULL;
        }
    }
    return capsule;
}

/* The reader: `s` the next byte, `end` past the last. A read_* function returns a new
 * reference, or NULL: with an error set (no memory) or, without one, at JSON it leaves to
 * pydantic-core. */
typedef struct {
    const unsigned char *s, *end;
    int depth;
} Reader;

/* Short ASCII strings made once and shared (a span's file, a key, a pattern's name: most of an
 * entry's strings are one of a few): a table by a hash of their length and first and last
 * bytes, each slot the last string that hashed there. */
#define SHARED 512
#define SHARED_MOST 64
static PyObject *shared[SHARED];

static PyObject *
ascii_str(const unsigned char *s, Py_ssize_t n)
{
    uint64_t a = 0, b = 0;
    if (n > SHARED_MOST) {
        PyObject *str = PyUnicode_New(n, 127);
        if (str != NULL)
            memcpy(PyUnicode_DATA(str), s, n);
        return str;
    }
    if (n >= 8) {
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
    } else if (n > 0) {
        memcpy(&a, s, n);
    }
    uint64_t h = (a * 0x9E3779B97F4A7C15ULL) ^ (b * 0xC2B2AE3D27D4EB4FULL) ^ (uint64_t)n;
    PyObject **slot = &shared[(h ^ (h >> 29)) % SHARED];
    if (*slot != NULL && PyUnicode_GET_LENGTH(*slot) == n && memcmp(PyUnicode_DATA(*slot), s, n) == 0)
        return Py_NewRef(*slot);
    PyObject *str = PyUnicode_New(n, 127);
    if (str == NULL)
        return NULL;
    memcpy(PyUnicode_DATA(str), s, n);
    Py_XSETREF(*slot, Py_NewRef(str));
    return str;
}

static int
hex4(const unsigned char *s, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned c = s[k], d = c - '0' <= 9 ? c - '0' : (c | 0x20) - 'a' <= 5 ? (c | 0x20) - 'a' + 10 : 16;
        if (d > 15)
            return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

/* A string with escapes, from its opening quote's next byte `start`: its text put into a
 * buffer as UTF-8 and decoded. NULL without an error for a lone surrogate (pydantic-core's). */
static PyObject *
escaped_str(Reader *r, const unsigned char *start)
{
    Buf b = {PyMem_Malloc(256), 0, 256};
    if (b.data == NULL)
        return PyErr_NoMemory();
    const unsigned char *s = start, *end = r->end;
    PyObject *out = NULL;
    while (s < end && *s != '"') {
        unsigned char c = *s;
        if (c < 0x20)
            goto done;
        if (c != '\\') {
            const unsigned char *run = s;
            while (s < end && *s != '"' && *s != '\\' && *s >= 0x20)
                s++;
            if (put(&b, (const char *)run, s - run) < 0)
                goto done;
            continue;
        }
        if (end - s < 2)
            goto done;
        char one;
        switch (s[1]) {
        case '"': one = '"'; break;
        case '\\': one = '\\'; break;
        case '/': one = '/'; break;
        case 'b': one = '\b'; break;
        case 'f': one = '\f'; break;
        case 'n': one = '\n'; break;
        case 'r': one = '\r'; break;
        case 't': one = '\t'; break;
        case 'u': one = 0; break;
        default: goto done;
        }
        if (s[1] != 'u') {
            if (put(&b, &one, 1) < 0)
                goto done;
            s += 2;
            continue;
        }
        unsigned cp, low;
        if (end - s < 6 || !hex4(s + 2, &cp))
            goto done;
        s += 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            goto done;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end - s < 6 || s[0] != '\\' || s[1] != 'u' || !hex4(s + 2, &low) || low < 0xDC00 || low > 0xDFFF)
                goto done;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            s += 6;
        }
        char utf8[4];
        int k = 0;
        if (cp < 0x80) {
            utf8[k++] = (char)cp;
        } else if (cp < 0x800) {
            utf8[k++] = (char)(0xC0 | cp >> 6);
            utf8[k++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            utf8[k++] = (char)(0xE0 | cp >> 12);
            utf8[k++] = (char)(0x80 | (cp >> 6 & 0x3F));
            utf8[k++] = (char)(0x80 | (cp & 0x3F));
        } else {
            utf8[k++] = (char)(0xF0 | cp >> 18);
            utf8[k++] = (char)(0x80 | (cp >> 12 & 0x3F));
            utf8[k++] = (char)(0x80 | (cp >> 6 & 0x3F));
            utf8[k++] = (char)(0x80 | (cp & 0x3F));
        }
        if (put(&b, utf8, k) < 0)
            goto done;
    }
    if (s < end) {
        out = PyUnicode_DecodeUTF8(b.data, b.len, NULL);
        if (out == NULL && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
            PyErr_Clear();
        else if (out != NULL)
            r->s = s + 1;
    }
done:
    PyMem_Free(b.data);
    return out;
}

/* The string at r->s (its opening quote). */
static PyObject *
read_str(Reader *r)
{
    if (r->s >= r->end || *r->s != '"')
        return NULL;
    const unsigned char *start = r->s + 1, *s = start, *end = r->end;
    unsigned high = 0;
    for (;;) {
#if defined(__SSE2__) && defined(__GNUC__)
        if (end - s >= 16) {
            int at = first_escape16(s);
            high |= (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)s)) & ((1u << at) - 1);
            s += at;
            if (at == 16)
                continue;
        }
#endif
        if (s >= end)
            return NULL;
        unsigned char c = *s;
        if (c == '"')
            break;
        if (c == '\\')
            return escaped_str(r, start);
        if (c < 0x20)
            return NULL;
        high |= c & 0x80;
        s++;
    }
    r->s = s + 1;
    if (!high)
        return ascii_str(start, s - start);
    PyObject *out = PyUnicode_DecodeUTF8((const char *)start, s - start, NULL);
    if (out == NULL && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
        PyErr_Clear();
    return out;
}

/* Whether the next bytes are `word` (consumed when they are). */
static int
next_is(Reader *r, const char *word, Py_ssize_t n)
{
    if (r->end - r->s < n || memcmp(r->s, word, n) != 0)
        return 0;
    r->s += n;
    return 1;
}

/* An int of up to 18 digits, JSON's way (no leading zero, no fraction or exponent after it). */
static PyObject *
read_int(Reader *r)
{
    const unsigned char *s = r->s, *end = r->end;
    int negative = s < end && *s == '-';
    s += negative;
    const unsigned char *digits = s;
    long long v = 0;
    while (s < end && *s >= '0' && *s <= '9' && s - digits < 19)
        v = v * 10 + (*s++ - '0');
    Py_ssize_t n = s - digits;
    if (n == 0 || n > 18 || (n > 1 && *digits == '0'))
        return NULL;
    if (s < end && (*s == '.' || *s == 'e' || *s == 'E'))
        return NULL;
    r->s = s;
    return PyLong_FromLongLong(negative ? -v : v);
}

static PyObject *read_value(Reader *r, Spec *spec);

/* `out` when `close` (']' or '}') comes next (consumed), else NULL with `out` let go. */
static PyObject *
closed(Reader *r, char close, PyObject *out)
{
    if (next_is(r, &close, 1))
        return out;
    Py_DECREF(out);
    return NULL;
}

/* A JSON value as pydantic-core's `any` gives it: dict, list, str, int, bool, None. */
static PyObject *
read_any(Reader *r)
{
    if (r->s >= r->end)
        return NULL;
    unsigned char c = *r->s;
    if (c == '"')
        return read_str(r);
    if (c == '-' || (c >= '0' && c <= '9'))
        return read_int(r);
    if (c == 'n')
        return next_is(r, "null", 4) ? Py_NewRef(Py_None) : NULL;
    if (c == 't')
        return next_is(r, "true", 4) ? Py_NewRef(Py_True) : NULL;
    if (c == 'f')
        return next_is(r, "false", 5) ? Py_NewRef(Py_False) : NULL;
    if ((c != '[' && c != '{') || ++r->depth > LOAD_DEPTH)
        return NULL;
    PyObject *out = read_value(r, NULL);
    r->depth--;
    return out;
}

/* An array of `item`s (NULL: any values), as a list. */
static PyObject *
read_list(Reader *r, Spec *item)
{
    if (!next_is(r, "[", 1))
        return NULL;
    PyObject *list = PyList_New(0);
    if (list == NULL || next_is(r, "]", 1))
        return list;
    do {
        PyObject *value = item != NULL ? read_value(r, item) : read_any(r);
        if (value == NULL || PyList_Append(list, value) < 0) {
            Py_XDECREF(value);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(value);
    } while (next_is(r, ",", 1));
    return closed(r, ']', list);
}

/* An object of str keys and `item` values (NULL: any values), as a dict. */
static PyObject *
read_dict(Reader *r, Spec *item)
{
    if (!next_is(r, "{", 1))
        return NULL;
    PyObject *dict = PyDict_New();
    if (dict == NULL || next_is(r, "}", 1))
        return dict;
    do {
        PyObject *key = read_str(r), *value = NULL;
        if (key != NULL && next_is(r, ":", 1))
            value = item != NULL ? read_value(r, item) : read_any(r);
        int stored = value != NULL ? PyDict_SetItem(dict, key, value) : -1;
        Py_XDECREF(key);
        Py_XDECREF(value);
        if (stored < 0) {
            Py_DECREF(dict);
            return NULL;
        }
    } while (next_is(r, ",", 1));
    return closed(r, '}', dict);
}

/* Whether `"name":` comes next, after a ',' unless it is the object's first key (consumed when it does). */
static int
key_next(Reader *r, int first, const LField *f)
{
    const unsigned char *s = r->s + !first;
    if (r->end - s < f->len + 3 || (!first && r->s[0] != ',') || s[0] != '"' || memcmp(s + 1, f->name, f->len) != 0
        || s[f->len + 1] != '"' || s[f->len + 2] != ':')
        return 0;
    r->s = s + f->len + 3;
    return 1;
}

static PyObject *
read_object(Reader *r, Spec *spec)
{
    if (!next_is(r, "{", 1))
        return NULL;
    PyObject *obj = spec->cls->tp_alloc(spec->cls, 0);
    if (obj == NULL)
        return NULL;
    int first = 1;
    for (Py_ssize_t k = 0; k < spec->n; k++) {
        const LField *f = &spec->fields[k];
        PyObject *value;
        if (f->mode != F_ABSENT && key_next(r, first, f)) {
            first = 0;
            value = f->mode == F_READ ? read_value(r, f->spec) : read_any(r);
            if (value == NULL)
                goto fail;
            if (f->mode == F_READ)
                goto store;
            Py_DECREF(value); /* read past, as pydantic-core parses it: its default is what is kept */
        } else if (f->mode == F_READ) {
            goto fail;
        }
        value = f->factory ? PyObject_CallNoArgs(f->value) : Py_NewRef(f->value);
        if (value == NULL)
            goto fail;
    store:
        *(PyObject **)((char *)obj + f->offset) = value;
    }
    return closed(r, '}', obj);
fail:
    Py_DECREF(obj);
    return NULL;
}

static PyObject *
read_record(Reader *r, Spec *spec)
{
    if (!next_is(r, "{", 1))
        return NULL;
    PyObject *dict = PyDict_New();
    if (dict == NULL)
        return NULL;
    for (Py_ssize_t k = 0; k < spec->n; k++) {
        const LField *f = &spec->fields[k];
        PyObject *value = key_next(r, k == 0, f) ? read_value(r, f->spec) : NULL;
        int stored = value != NULL ? PyDict_SetItem(dict, f->key, value) : -1;
        Py_XDECREF(value);
        if (stored < 0) {
            Py_DECREF(dict);
            return NULL;
        }
    }
    return closed(r, '}', dict);
}

/* A value as `spec` reads it; spec NULL: the array or object at r->s, of any values. */
static PyObject *
read_value(Reader *r, Spec *spec)
{
    if (spec == NULL)
        return r->s < r->end && *r->s == '[' ? read_list(r, NULL) : read_dict(r, NULL);
    switch (spec->kind) {
    case L_ANY:
        return read_any(r);
    case L_STR:
        return read_str(r);
    case L_INT:
        return read_int(r);
    case L_BOOL:
        return next_is(r, "true", 4) ? Py_NewRef(Py_True) : next_is(r, "false", 5) ? Py_NewRef(Py_False) : NULL;
    case L_NONE:
        return next_is(r, "null", 4) ? Py_NewRef(Py_None) : NULL;
    case L_LITERAL: {
        PyObject *str = read_str(r), *found = NULL;
        for (Py_ssize_t k = 0; str != NULL && found == NULL && k < PyTuple_GET_SIZE(spec->choices); k++) {
            PyObject *choice = PyTuple_GET_ITEM(spec->choices, k);
            if (PyUnicode_GET_LENGTH(choice) == PyUnicode_GET_LENGTH(str) && PyUnicode_Compare(choice, str) == 0)
                found = Py_NewRef(choice);
        }
        Py_XDECREF(str);
        return found;
    }
    default:
        break;
    }
    if (++r->depth > LOAD_DEPTH) /* counted for a null too: a plan whose nullable holds itself reads nothing */
        return NULL;
    PyObject *out = NULL;
    switch (spec->kind) {
    case L_NULLABLE:
        out = next_is(r, "null", 4) ? Py_NewRef(Py_None) : read_value(r, spec->item);
        break;
    case L_TUPLE: {
        PyObject *list = read_list(r, spec->item);
        out = list != NULL ? PyList_AsTuple(list) : NULL;
        Py_XDECREF(list);
        break;
    }
    case L_LIST:
        out = read_list(r, spec->item);
        break;
    case L_DICT:
        out = read_dict(r, spec->item);
        break;
    case L_OBJECT:
        out = read_object(r, spec);
        break;
    case L_RECORD:
        out = read_record(r, spec);
        break;
    }
    r->depth--;
    return out;
}

static PyObject *
load(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2)
        return type_error("load(data, loader) takes 2 arguments");
    Loader *l = PyCapsule_IsValid(args[1], LOADER) ? PyCapsule_GetPointer(args[1], LOADER) : NULL;
    if (l == NULL)
        return type_error("load(data, loader): loader must be what loader(plan) made");
    Py_buffer view;
    if (PyObject_GetBuffer(args[0], &view, PyBUF_SIMPLE) < 0)
        return NULL;
    Reader r = {view.buf, (const unsigned char *)view.buf + view.len, 0};
    PyObject *out = read_value(&r, &l->specs[0]);
    PyBuffer_Release(&view);
    if (out != NULL && r.s != r.end)
        Py_CLEAR(out);
    return out != NULL || PyErr_Occurred() ? out : Py_NewRef(Py_None);
}

#ifndef _WIN32
#include <sys/stat.h>
#ifdef __APPLE__
#define st_mtim st_mtimespec
#define st_ctim st_ctimespec
#endif

/* *out = the value of the exact int `obj` when it fits a long long: 1; else 0 (no error set). */
static int
exact_ll(PyObject *obj, long long *out)
{
    int overflow = 0;
    if (!PyLong_CheckExact(obj))
        return 0;
    *out = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (overflow || (*out == -1 && PyErr_Occurred())) {
        PyErr_Clear();
        return 0;
    }
    return 1;
}

/* sec * 10**9 + nsec, as os.stat's st_*_ns: 1; 0 when it does not fit a long long. */
static int
nanoseconds(long long sec, long long nsec, long long *out)
{
    long long scaled;
    return !__builtin_mul_overflow(sec, 1000000000LL, &scaled) && !__builtin_add_overflow(scaled, nsec, out);
}

/* Whether `entry` is [path (str), [size, mtime_ns, ctime_ns, inode] (exact ints), anything] whose
 * file's stat is that now, its mtime more than `racy` before `recorded`: cache._unsettled_py's test. */
static int
settled(PyObject *entry, long long recorded, long long racy)
{
    if (!PyList_CheckExact(entry) || PyList_GET_SIZE(entry) != 3)
        return 0;
    PyObject *path = PyList_GET_ITEM(entry, 0), *old = PyList_GET_ITEM(entry, 1), *encoded = NULL;
    if (!PyUnicode_CheckExact(path) || !PyList_CheckExact(old) || PyList_GET_SIZE(old) != 4)
        return 0;
    const char *name;
    Py_ssize_t size;
    if (PyUnicode_IS_ASCII(path)) {
        name = (const char *)PyUnicode_DATA(path);
        size = PyUnicode_GET_LENGTH(path);
    } else {  /* as os.stat encodes a str path: the file system's encoding, undecodable bytes kept */
        encoded = PyUnicode_EncodeFSDefault(path);
        if (encoded == NULL) {
            PyErr_Clear();
            return 0;
        }
        name = PyBytes_AS_STRING(encoded);
        size = PyBytes_GET_SIZE(encoded);
    }
    struct stat st;
    int found = (Py_ssize_t)strlen(name) == size && stat(name, &st) == 0;  /* a NUL in the path: os.stat refuses it */
    Py_XDECREF(encoded);
    long long want[4], mtime, ctime, age;
    if (!found || !nanoseconds((long long)st.st_mtim.tv_sec, (long long)st.st_mtim.tv_nsec, &mtime)
        || !nanoseconds((long long)st.st_ctim.tv_sec, (long long)st.st_ctim.tv_nsec, &ctime))
        return 0;
    for (int k = 0; k < 3; k++) {
        if (!exact_ll(PyList_GET_ITEM(old, k), &want[k]))
            return 0;
    }
    PyObject *inode = PyList_GET_ITEM(old, 3);
    if (!PyLong_CheckExact(inode))
        return 0;
    unsigned long long ino = PyLong_AsUnsignedLongLong(inode);  /* st_ino is unsigned: os.stat's too */
    if (ino == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return want[0] == (long long)st.st_size && want[1] == mtime && want[2] == ctime && ino == (unsigned long long)st.st_ino
           && !__builtin_sub_overflow(recorded, mtime, &age) && age > racy;
}

/* cache.unsettled: the indices of the record's entries whose files are not as recorded (or not
 * known to be), after one stat(2) each and no Python object per file: a no-op build of 1000
 * agents checks 2001 entries, and os.stat made a stat_result of ~20 objects per file. */
static PyObject *
unsettled(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyList_CheckExact(args[0]) || !PyLong_CheckExact(args[1]) || !PyLong_CheckExact(args[2])) {
        return type_error("unsettled(entries: list, recorded_ns: int, racy_ns: int)");
    }
    long long recorded = 0, racy = 0;
    int known = exact_ll(args[1], &recorded) && exact_ll(args[2], &racy);  /* else none is known settled */
    PyObject *entries = args[0], *out = PyList_New(0);
    for (Py_ssize_t i = 0; out != NULL && i < PyList_GET_SIZE(entries); i++) {  /* no Python code runs in the loop */
        if (known && settled(PyList_GET_ITEM(entries, i), recorded, racy))
            continue;
        PyObject *index = PyLong_FromSsize_t(i);
        if (index == NULL || PyList_Append(out, index) < 0)
            Py_CLEAR(out);
        Py_XDECREF(index);
    }
    return out;
}
#endif

static PyMethodDef methods[] = {
    FASTCALL_METHOD("dump", dump,
        "dump(value, plans): value as pydantic-core's JSON bytes, or None for a value left to pydantic-core."),
    {"crc32", crc32, METH_O, "crc32(data): zlib.crc32(data), of any bytes-like object."},
    FASTCALL_METHOD("heads", heads,
        "heads(diags, getters, severities): the head lines of the diagnostics of those severities, joined by newlines."),
    FASTCALL_METHOD("tally", tally,
        "tally(diags, getters): {(code, severity): count} of the diagnostics, in first-seen order (formats._tally)."),
    {"loader", loader, METH_O, "loader(plan): load's reading of an entry's schema (codec._load_specs)."},
    FASTCALL_METHOD("load", load,
        "load(data, loader): the objects of dump's JSON as pydantic-core reads them, or None for JSON left to it."),
    FASTCALL_METHOD("table", table,
        "table(objects, getters, kinds): (strings, rows), the objects' fields as a table (codec._table)."),
    FASTCALL_METHOD("untable", untable,
        "untable(cls, names, kinds, strings, rows): the objects of `table`'s rows, made by cls(**fields) (codec._untable)."),
#ifndef _WIN32
    FASTCALL_METHOD("unsettled", unsettled,
        "unsettled(entries, recorded_ns, racy_ns): the indices of the entries not known unchanged (cache._unsettled_py)."),
#endif
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "agentc._codec", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__codec(void)
{
    for (int c = 0; c < 0x20; c++)
        ESCAPE[c] = 'u';
    ESCAPE['\b'] = 'b';
    ESCAPE['\t'] = 't';
    ESCAPE['\n'] = 'n';
    ESCAPE['\f'] = 'f';
    ESCAPE['\r'] = 'r';
    ESCAPE['"'] = '"';
    ESCAPE['\\'] = '\\';
    crc_table_init();
#ifdef CRC_FOLDS
    __builtin_cpu_init();
    FOLDS = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
#endif
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && PyModule_AddIntConstant(m, "CRC32_FOLDS", FOLDS) < 0)
        Py_CLEAR(m);
    return m;
}
