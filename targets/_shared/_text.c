/* agentc.targets._shared._text: crewai's YAML literal block (targets/crewai/yamltext.py) and the
 * control-character test of chars.py in C.
 *
 * yamltext._literal_py stays the reference and the fallback (as json/_json): yamltext uses this
 * module when it imports and AGENTC_PURE_PYTHON is not set. literal_block(data, pad) gives what
 * yamltext._literal_py(text, indent) gives for data = text.encode("utf-8", "surrogatepass") and
 * pad = indent.encode("utf-8"): the block scalar as UTF-8, or None when YAML would not read the
 * block back as the text. The Python does it in ~8 passes over a 32 KB prompt (~190 us, two-byte
 * searches such as b" \n" run at ~1.5 ns a byte); here it is one pass to check and count, and
 * one to copy (tests/test_text_native.py compares the two).
 *
 * has_control(text) gives what chars.has_control_py(text) gives, reading the str where it lies
 * rather than encoding it to UTF-8 first (the codex target asks twice per 32 KB prompt).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* What yamltext._UNSAFE finds, in UTF-8 at `p` (before `end`): a C0 control but tab and newline,
 * DEL, U+0080-U+009F, U+2028, U+2029, a surrogate (surrogatepass writes them), U+FEFF, U+FFFE,
 * U+FFFF. `data` is well-formed UTF-8, so a lead byte is never a continuation byte. */
static inline int
unsafe_at(const unsigned char *p, const unsigned char *end)
{
    unsigned char b = p[0];
    if (b < 0x20)
        return b != '\t' && b != '\n';
    if (b < 0x7F)
        return 0;
    if (b == 0x7F)
        return 1;
    if (b == 0xC2)
        return end - p > 1 && p[1] >= 0x80 && p[1] <= 0x9F;
    if (b == 0xE2)
        return end - p > 2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9);
    if (b == 0xED)
        return end - p > 1 && p[1] >= 0xA0 && p[1] <= 0xBF;
    if (b == 0xEF)
        return end - p > 2 && ((p[1] == 0xBB && p[2] == 0xBF) || (p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)));
    return 0;
}

static PyObject *
literal_block(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyBytes_Check(args[0]) || !PyBytes_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "literal_block(data: bytes, pad: bytes)");
        return NULL;
    }
    const unsigned char *data = (const unsigned char *)PyBytes_AS_STRING(args[0]);
    Py_ssize_t n = PyBytes_GET_SIZE(args[0]);
    const char *pad = PyBytes_AS_STRING(args[1]);
    Py_ssize_t pad_len = PyBytes_GET_SIZE(args[1]);
    const unsigned char *end = data + n;

    /* A block needs a line break, and a first line that starts with neither a blank nor a break
     * (which would set the block's indentation or chomping apart from the text's). */
    if (n == 0 || data[0] == ' ' || data[0] == '\n' || memchr(data, '\n', n) == NULL)
        Py_RETURN_NONE;
    /* No line may end in a blank (it would fold into the indentation or be stripped) or start
     * with a tab; count the lines that get the pad. memchr from break to break. */
    Py_ssize_t padded = 0;
    for (const unsigned char *p = data; p < end;) {
        const unsigned char *nl = memchr(p, '\n', end - p);
        const unsigned char *line_end = nl ? nl : end;
        if (line_end > p) {
            if (p[0] == '\t' || line_end[-1] == ' ' || line_end[-1] == '\t')
                Py_RETURN_NONE;
            padded++;
        }
        p = line_end + 1;
    }
    /* Nothing unsafe: eight bytes at a time while all are printable ASCII (no byte below 0x20,
     * none 0x7F or above), the others one by one. */
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const unsigned char *p = data;
    for (; end - p >= 8; p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t below = (w - 0x20 * ones) & ~w & highs; /* a byte below 0x20 (exact for any) */
        uint64_t x = w ^ (0x7F * ones);
        uint64_t del = (x - ones) & ~x & highs; /* a byte 0x7F */
        if (((w & highs) | below | del) == 0)
            continue;
        for (int i = 0; i < 8; i++)
            if ((p[i] < 0x20 || p[i] >= 0x7F) && unsafe_at(p + i, end))
                Py_RETURN_NONE;
    }
    for (; p < end; p++)
        if ((*p < 0x20 || *p >= 0x7F) && unsafe_at(p, end))
            Py_RETURN_NONE;

    Py_ssize_t trailing = 0;
    while (trailing < n && data[n - 1 - trailing] == '\n')
        trailing++;
    Py_ssize_t body = n - trailing; /* the text less its trailing breaks: ends in a padded line */
    const char *chomp = trailing == 0 ? "-" : trailing == 1 ? "" : "+";
    Py_ssize_t head = 2 + (Py_ssize_t)strlen(chomp);
    Py_ssize_t extra = trailing > 1 ? trailing - 1 : 0;
    /* padded counts the lines of the whole text; the trailing breaks add no non-empty line. */
    Py_ssize_t size = head + body + padded * pad_len + 1 + extra;
    PyObject *out = PyBytes_FromStringAndSize(NULL, size);
    if (out == NULL)
        return NULL;
    char *w = PyBytes_AS_STRING(out);
    *w++ = '|';
    for (const char *c = chomp; *c; c++)
        *w++ = *c;
    *w++ = '\n';
    const unsigned char *stop = data + body;
    p = data;
    while (p < stop) { /* one line at a time: the pad before a non-empty one, then it and its break */
        const unsigned char *nl = memchr(p, '\n', stop - p);
        const unsigned char *line_end = nl ? nl : stop;
        if (line_end > p) {
            memcpy(w, pad, pad_len);
            w += pad_len;
            memcpy(w, p, line_end - p);
            w += line_end - p;
        }
        *w++ = '\n';
        p = line_end + 1;
    }
    memset(w, '\n', extra);
    w += extra;
    if (w != PyBytes_AS_STRING(out) + size) { /* cannot happen: the counts above are the copy's */
        Py_DECREF(out);
        PyErr_SetString(PyExc_SystemError, "literal_block: size mismatch");
        return NULL;
    }
    return out;
}

/* Whether a code point is what chars.has_control looks for: a C0 control but tab and newline, or DEL. */
#define CONTROL(ch) (((ch) < 0x20 && (ch) != '\t' && (ch) != '\n') || (ch) == 0x7F)

static PyObject *
has_control(PyObject *module, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "has_control(text: str)");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const void *data = PyUnicode_DATA(text);
    int found = 0;
    /* Per storage width, with no early exit in the inner loop: the compiler vectorises it, and a
     * prompt (the only long text asked about) holds no control character. */
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND: {
        const Py_UCS1 *c = data;
        for (Py_ssize_t i = 0; i < n; i++)
            found |= CONTROL(c[i]);
        break;
    }
    case PyUnicode_2BYTE_KIND: {
        const Py_UCS2 *c = data;
        for (Py_ssize_t i = 0; i < n; i++)
            found |= CONTROL(c[i]);
        break;
    }
    default: {
        const Py_UCS4 *c = data;
        for (Py_ssize_t i = 0; i < n; i++)
            found |= CONTROL(c[i]);
        break;
    }
    }
    return PyBool_FromLong(found);
}

static PyMethodDef methods[] = {
    {"has_control", (PyCFunction)has_control, METH_O,
     "has_control(text): chars.has_control_py, whether text holds a control character but tab and newline."},
    {"literal_block", (PyCFunction)(void (*)(void))literal_block, METH_FASTCALL,
     "literal_block(data, pad): yamltext._literal_py on the text's UTF-8, or None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "agentc.targets._shared._text", "crewai's YAML literal block and chars.has_control in C.", -1, methods,
};

PyMODINIT_FUNC
PyInit__text(void)
{
    return PyModule_Create(&module);
}
