/* agentc.targets._shared._text: crewai's YAML literal block (targets/crewai/yamltext.py) and the
 * TOML literal check of chars.py in C.
 *
 * yamltext._literal_py stays the reference and the fallback (as json/_json): yamltext uses this
 * module when it imports and AGENTC_PURE_PYTHON is not set. literal_block(data, pad) gives what
 * yamltext._literal_py(text, indent) gives for data = text.encode("utf-8", "surrogatepass") and
 * pad = indent.encode("utf-8"): the block scalar as UTF-8, or None when YAML would not read the
 * block back as the text. The Python does it in ~8 passes over a 32 KB prompt (~190 us, two-byte
 * searches such as b" \n" run at ~1.5 ns a byte); here it is one pass to check and count, and
 * one to copy (tests/test_text_native.py compares the two).
 *
 * literal_unsafe(text) gives what chars.literal_unsafe_py(text) gives, reading the str where it
 * lies rather than encoding it to UTF-8 first, and looking for three single quotes in a row in
 * the same read (the codex target asks twice per 32 KB prompt).
 *
 * json_indent(data, ensure_ascii) gives what jsontext.dumps_py gives (json.dumps with indent=2),
 * or None for data it leaves to that Python (tests/test_jsontext.py compares the two).
 *
 * utf8(text) gives text.encode("utf-8"), or None for a str holding a surrogate, which the caller
 * encodes itself (agentc.targets.encode; tests/test_text_native.py compares the two).
 *
 * json_utf8(text) gives what jsontext.string_utf8_py gives for a long text: the JSON string as
 * UTF-8, or None (tests/test_jsontext.py compares the two).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "../../compiler/_extension.h"
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* Whether unsafe_at holds anywhere in [data, end): eight bytes at a time while all are printable
 * ASCII (no byte below 0x20, none 0x7F or above), the others one by one. */
static int
any_unsafe(const unsigned char *data, const unsigned char *end)
{
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
                return 1;
    }
    for (; p < end; p++)
        if ((*p < 0x20 || *p >= 0x7F) && unsafe_at(p, end))
            return 1;
    return 0;
}

static PyObject *
literal_block(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyBytes_Check(args[0]) || !PyBytes_Check(args[1]))
        return type_error("literal_block(data: bytes, pad: bytes)");
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
    /* Nothing unsafe. */
    if (any_unsafe(data, end))
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
    const unsigned char *p = data;
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

/* read_entry: one piece of a crewai agents.yaml (yamltext.entries) read back the way PyYAML's
 * safe loader reads it, for crewai's validate, where libyaml's scanner took ~0.2 s for the 36 MB
 * of a 1000-agent crew. It reads only the shape yamltext.entries writes for an agent:
 *
 *     key:                      a plain name, [A-Za-z_][A-Za-z0-9_]*, not a YAML 1.1 bool/null word
 *       field: |-               a literal block (|, |- or |+) indented by four spaces
 *         text...
 *       field: "text"           a double-quoted scalar on one line, escapes \" \\ \n \t \r \/ only
 *       field: true             true, false, null, or a decimal integer
 *
 * and gives what yaml.load gives for it (a dict of one key, a dict of fields), or None for
 * anything else, however valid: the caller then asks libyaml. So the answer is never a guess:
 * every byte is accounted for, and any character YAML reads specially (controls, CR, NEL, LS,
 * PS, BOM, U+FFFE/F, surrogates, bad UTF-8, a tab where it could be indentation, a trailing
 * blank) sends the piece to libyaml. tests/test_text_native.py compares it with both PyYAML
 * loaders on pieces of every prompt and on broken and hypothesis-made ones. */

/* [A-Za-z_][A-Za-z0-9_]* at p, its length or 0; a word PyYAML resolves to a bool or null in some
 * casing (and y, n), compared case-blind, gives 0 too. */
static Py_ssize_t
plain_name(const unsigned char *p, const unsigned char *end)
{
    static const char *const reserved[] = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", NULL};
    const unsigned char *q = p;
    if (q >= end || !(*q == '_' || (unsigned)((*q | 0x20) - 'a') < 26u))
        return 0;
    while (q < end && (*q == '_' || (unsigned)((*q | 0x20) - 'a') < 26u || (unsigned)(*q - '0') < 10u))
        q++;
    Py_ssize_t n = q - p;
    if (n > 128)
        return 0; /* libyaml takes no simple key past 1024 characters: stay far below */
    for (int i = 0; reserved[i]; i++) {
        if ((Py_ssize_t)strlen(reserved[i]) != n)
            continue;
        Py_ssize_t j = 0;
        while (j < n && (p[j] | 0x20) == reserved[i][j])
            j++;
        if (j == n)
            return 0;
    }
    return n;
}

/* The literal block whose first line starts at *pos (after "|<chomp>\n"), as a str; *pos moves
 * to the first line after it. NULL with no error set: not in the subset. */
static PyObject *
read_block(const unsigned char *data, Py_ssize_t n, Py_ssize_t *pos, char chomp)
{
    const unsigned char *end = data + n, *p = data + *pos;
    /* The first line sets the block's indentation: exactly four spaces, then text. */
    if (end - p < 6 || memcmp(p, "    ", 4) != 0 || p[4] == ' ' || p[4] == '\n' || p[4] == '\t')
        return NULL;
    Py_ssize_t size = 0, kept = 0; /* bytes of the lines with their breaks, and through the last text line's */
    const unsigned char *q = p;
    while (q < end) {
        const unsigned char *nl = memchr(q, '\n', end - q);
        if (nl == NULL)
            return NULL; /* a piece ends in a break */
        if (nl == q)
            size += 1;
        else if (nl - q >= 4 && memcmp(q, "    ", 4) == 0) {
            if (nl - q == 4 || q[4] == '\t' || nl[-1] == ' ' || nl[-1] == '\t')
                return NULL;
            size += (nl - q) - 4 + 1;
            kept = size;
        }
        else
            break; /* less indented: the block is over */
        q = nl + 1;
    }
    *pos = q - data;
    Py_ssize_t length = chomp == '+' ? size : chomp == '-' ? kept - 1 : kept;
    char *buf = PyMem_Malloc(size > 0 ? size : 1);
    if (buf == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    char *w = buf;
    for (const unsigned char *r = p; r < q;) {
        const unsigned char *nl = memchr(r, '\n', q - r);
        if (nl > r) {
            memcpy(w, r + 4, nl - r - 4);
            w += nl - r - 4;
        }
        *w++ = '\n';
        r = nl + 1;
    }
    PyObject *out = PyUnicode_DecodeUTF8(buf, length, "strict");
    PyMem_Free(buf);
    if (out == NULL && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
        PyErr_Clear(); /* not UTF-8: libyaml says what is wrong */
    return out;
}

/* The double-quoted scalar whose text starts at *pos (after the opening quote), as a str; *pos
 * moves past its closing quote. NULL with no error set: not in the subset. */
static PyObject *
read_quoted(const unsigned char *data, Py_ssize_t n, Py_ssize_t *pos)
{
    const unsigned char *p = data + *pos, *end = data + n, *q = p;
    Py_ssize_t escapes = 0;
    while (q < end && *q != '"') {
        if (*q < 0x20)
            return NULL; /* a break (folding) or a tab: not what yamltext.quoted writes */
        if (*q == '\\') {
            if (end - q < 2 || !strchr("\"\\ntr/", q[1]) || q[1] == 0)
                return NULL;
            escapes++;
            q++;
        }
        q++;
    }
    if (q >= end)
        return NULL;
    *pos = q + 1 - data;
    if (escapes == 0) {
        PyObject *out = PyUnicode_DecodeUTF8((const char *)p, q - p, "strict");
        if (out == NULL && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
            PyErr_Clear();
        return out;
    }
    char *buf = PyMem_Malloc(q - p), *w = buf;
    if (buf == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (const unsigned char *r = p; r < q; r++) {
        if (*r != '\\') {
            *w++ = *r;
            continue;
        }
        r++;
        *w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : *r == 'r' ? '\r' : *r;
    }
    PyObject *out = PyUnicode_DecodeUTF8(buf, w - buf, "strict");
    PyMem_Free(buf);
    if (out == NULL && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
        PyErr_Clear();
    return out;
}

/* true, false, null or a decimal integer (0 or no leading zero, an optional minus) at *pos, up to
 * the line's break; *pos moves to the break. NULL with no error set: not in the subset. */
static PyObject *
read_plain(const unsigned char *data, Py_ssize_t n, Py_ssize_t *pos)
{
    const unsigned char *p = data + *pos, *end = data + n;
    const unsigned char *nl = memchr(p, '\n', end - p);
    if (nl == NULL)
        return NULL;
    Py_ssize_t len = nl - p;
    *pos = nl - data;
    if (len == 4 && memcmp(p, "true", 4) == 0)
        Py_RETURN_TRUE;
    if (len == 5 && memcmp(p, "false", 5) == 0)
        Py_RETURN_FALSE;
    if (len == 4 && memcmp(p, "null", 4) == 0)
        Py_RETURN_NONE;
    const unsigned char *d = p + (len > 0 && *p == '-');
    Py_ssize_t digits = nl - d;
    if (digits < 1 || digits > 18 || (*d == '0' && digits > 1))
        return NULL;
    for (const unsigned char *c = d; c < nl; c++)
        if ((unsigned)(*c - '0') >= 10u)
            return NULL;
    char number[24];
    memcpy(number, p, len);
    number[len] = '\0';
    return PyLong_FromString(number, NULL, 10);
}

/* The mapping, or None when the piece is outside the subset. */
static PyObject *
read_entry_impl(const unsigned char *data, Py_ssize_t n)
{
    const unsigned char *end = data + n;
    /* Nothing YAML's reader refuses or reads as a break: the check of literal_block, over the
     * whole piece. Tabs are judged where
     * they stand (read_block, read_quoted); the structure below allows them nowhere else. */
    if (any_unsafe(data, end))
        Py_RETURN_NONE;

    Py_ssize_t pos = 0, len = plain_name(data, end);
    if (len == 0 || n - len < 2 || data[len] != ':' || data[len + 1] != '\n')
        Py_RETURN_NONE;
    PyObject *fields = PyDict_New();
    if (fields == NULL)
        return NULL;
    PyObject *name = PyUnicode_DecodeASCII((const char *)data, len, NULL);
    PyObject *out = name ? PyDict_New() : NULL;
    if (out == NULL || PyDict_SetItem(out, name, fields) < 0)
        goto fail;
    Py_CLEAR(name);
    pos = len + 2;
    while (pos < n) {
        /* "  field:" and one blank */
        if (n - pos < 2 || data[pos] != ' ' || data[pos + 1] != ' ')
            goto outside;
        pos += 2;
        len = plain_name(data + pos, end);
        if (len == 0 || n - pos - len < 3 || data[pos + len] != ':' || data[pos + len + 1] != ' ')
            goto outside;
        name = PyUnicode_DecodeASCII((const char *)data + pos, len, NULL);
        if (name == NULL)
            goto fail;
        pos += len + 2;
        PyObject *value;
        if (data[pos] == '|' && pos + 1 < n) {
            char chomp = data[pos + 1] == '-' || data[pos + 1] == '+' ? (char)data[pos + 1] : ' ';
            pos += 1 + (chomp != ' ');
            if (pos >= n || data[pos] != '\n')
                goto outside;
            pos++;
            value = read_block(data, n, &pos, chomp);
        }
        else {
            if (data[pos] == '"') {
                pos++;
                value = read_quoted(data, n, &pos);
            }
            else
                value = read_plain(data, n, &pos);
            if (value != NULL && (pos >= n || data[pos] != '\n'))
                Py_CLEAR(value);
            pos++;
        }
        if (value == NULL) {
            if (PyErr_Occurred())
                goto fail;
            goto outside;
        }
        int failed = PyDict_SetItem(fields, name, value);
        Py_DECREF(value);
        Py_CLEAR(name);
        if (failed < 0)
            goto fail;
    }
    if (PyDict_GET_SIZE(fields) == 0)
        goto outside; /* `key:` alone is a null, not a mapping */
    Py_DECREF(fields);
    return out;
outside:
    Py_XDECREF(name);
    Py_DECREF(fields);
    Py_XDECREF(out);
    Py_RETURN_NONE;
fail:
    Py_XDECREF(name);
    Py_DECREF(fields);
    Py_XDECREF(out);
    return NULL;
}

static PyObject *
read_entry(PyObject *module, PyObject *arg)
{
    if (!PyBytes_Check(arg))
        return type_error("read_entry(piece: bytes)");
    return read_entry_impl((const unsigned char *)PyBytes_AS_STRING(arg), PyBytes_GET_SIZE(arg));
}

/* Whether a code point is a control character chars.literal_unsafe looks for: a C0 control but
 * tab and newline, or DEL. */
#define CONTROL(ch) ((((ch) < 0x20) & ((ch) != '\t') & ((ch) != '\n')) | ((ch) == 0x7F))
/* Whether c[i - 2], c[i - 1] and c[i] are three single quotes. Both with `&`, not `&&`: no branch. */
#define QUOTES(c, i) (((c)[(i) - 2] == '\'') & ((c)[(i) - 1] == '\'') & ((c)[i] == '\''))

/* One loop per storage width, with no early exit and its answer gathered in a T (as wide as a
 * character, so no lane is widened): the compiler vectorises it, and a prompt (the only long
 * text asked about) holds neither. */
#define UNSAFE_IN(T)                                      \
    do {                                                  \
        const T *c = data;                                \
        T any = 0;                                        \
        for (Py_ssize_t i = 0; i < n && i < 2; i++)       \
            any |= (T)CONTROL(c[i]);                      \
        for (Py_ssize_t i = 2; i < n; i++)                \
            any |= (T)(CONTROL(c[i]) | QUOTES(c, i));     \
        found = any != 0;                                 \
    } while (0)

static PyObject *
literal_unsafe(PyObject *module, PyObject *text)
{
    if (!PyUnicode_Check(text))
        return type_error("literal_unsafe(text: str)");
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const void *data = PyUnicode_DATA(text);
    int found = 0;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        UNSAFE_IN(Py_UCS1);
        break;
    case PyUnicode_2BYTE_KIND:
        UNSAFE_IN(Py_UCS2);
        break;
    default:
        UNSAFE_IN(Py_UCS4);
        break;
    }
    return PyBool_FromLong(found);
}

/* json_indent(data, ensure_ascii): jsontext.dumps_py(data, ensure_ascii=...), i.e. exactly
 * json.dumps(data, indent=2, ensure_ascii=...), or None for what it leaves to Python: a type
 * other than exact str, int, float, bool, None, dict (str keys), list and tuple; nesting past
 * JSON_DEEPEST (json.dumps' own recursion and circular-reference errors stay Python's); any error
 * on the way. The text is built as UTF-8 in one buffer (surrogates as surrogatepass writes them)
 * and decoded once: the Python builds a str per container and one per string. */
#define JSON_DEEPEST 64

typedef struct {
    char *buf;
    Py_ssize_t len, cap;
} Out;

static int
out_room(Out *o, Py_ssize_t more)
{
    if (o->cap - o->len >= more)
        return 0;
    Py_ssize_t cap = o->cap ? o->cap : 256;
    while (cap - o->len < more) {
        if (cap > PY_SSIZE_T_MAX / 2)
            return -1;
        cap *= 2;
    }
    char *buf = PyMem_Realloc(o->buf, cap);
    if (buf == NULL)
        return -1;
    o->buf = buf;
    o->cap = cap;
    return 0;
}

static int
out_put(Out *o, const char *s, Py_ssize_t n)
{
    if (out_room(o, n) < 0)
        return -1;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    return 0;
}

/* A newline and `depth` levels of two spaces. */
static int
out_line(Out *o, int depth)
{
    if (out_room(o, 1 + 2 * depth) < 0)
        return -1;
    o->buf[o->len++] = '\n';
    memset(o->buf + o->len, ' ', 2 * depth);
    o->len += 2 * depth;
    return 0;
}

static const char HEX[] = "0123456789abcdef";

/* What json's C encoder writes for code point `ch`, which needs an escape: the short forms, else
 * \uXXXX (a code point past the BMP as its surrogate pair, in ensure_ascii). */
static int
out_escape(Out *o, Py_UCS4 ch)
{
    char esc[12];
    int n = 0;
    switch (ch) {
    case '"': esc[0] = '\\'; esc[1] = '"'; n = 2; break;
    case '\\': esc[0] = '\\'; esc[1] = '\\'; n = 2; break;
    case '\n': esc[0] = '\\'; esc[1] = 'n'; n = 2; break;
    case '\r': esc[0] = '\\'; esc[1] = 'r'; n = 2; break;
    case '\t': esc[0] = '\\'; esc[1] = 't'; n = 2; break;
    case '\b': esc[0] = '\\'; esc[1] = 'b'; n = 2; break;
    case '\f': esc[0] = '\\'; esc[1] = 'f'; n = 2; break;
    default: {
        Py_UCS4 units[2] = {ch, 0};
        int count = 1;
        if (ch >= 0x10000) {
            Py_UCS4 v = ch - 0x10000;
            units[0] = 0xD800 | (v >> 10);
            units[1] = 0xDC00 | (v & 0x3FF);
            count = 2;
        }
        for (int u = 0; u < count; u++) {
            esc[n++] = '\\';
            esc[n++] = 'u';
            esc[n++] = HEX[(units[u] >> 12) & 0xF];
            esc[n++] = HEX[(units[u] >> 8) & 0xF];
            esc[n++] = HEX[(units[u] >> 4) & 0xF];
            esc[n++] = HEX[units[u] & 0xF];
        }
    }
    }
    return out_put(o, esc, n);
}

/* Code point `ch` as UTF-8 (a surrogate in the three bytes surrogatepass reads back). */
static int
out_utf8(Out *o, Py_UCS4 ch)
{
    char b[4];
    int n;
    if (ch < 0x80) {
        b[0] = (char)ch;
        n = 1;
    }
    else if (ch < 0x800) {
        b[0] = (char)(0xC0 | (ch >> 6));
        b[1] = (char)(0x80 | (ch & 0x3F));
        n = 2;
    }
    else if (ch < 0x10000) {
        b[0] = (char)(0xE0 | (ch >> 12));
        b[1] = (char)(0x80 | ((ch >> 6) & 0x3F));
        b[2] = (char)(0x80 | (ch & 0x3F));
        n = 3;
    }
    else {
        b[0] = (char)(0xF0 | (ch >> 18));
        b[1] = (char)(0x80 | ((ch >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((ch >> 6) & 0x3F));
        b[3] = (char)(0x80 | (ch & 0x3F));
        n = 4;
    }
    return out_put(o, b, n);
}

/* A str as json's encode_basestring_ascii (ascii) or encode_basestring writes it. An ASCII str
 * is copied in runs between the characters to escape. */
static int
out_string(Out *o, PyObject *text, int ascii)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (out_put(o, "\"", 1) < 0)
        return -1;
    if (PyUnicode_IS_ASCII(text)) {
        const unsigned char *p = PyUnicode_1BYTE_DATA(text);
        Py_ssize_t start = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            unsigned char c = p[i];
            if (c >= 0x20 && c != '"' && c != '\\' && !(ascii && c == 0x7F))
                continue;
            if (out_put(o, (const char *)p + start, i - start) < 0 || out_escape(o, c) < 0)
                return -1;
            start = i + 1;
        }
        if (out_put(o, (const char *)p + start, n - start) < 0)
            return -1;
    }
    else {
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, i);
            int escaped = c < 0x20 || c == '"' || c == '\\' || (ascii && c >= 0x7F);
            if ((escaped ? out_escape(o, c) : out_utf8(o, c)) < 0)
                return -1;
        }
    }
    return out_put(o, "\"", 1);
}

/* The repr of an exact int or float (json's int.__repr__ and float.__repr__). */
static int
out_repr(Out *o, PyObject *v)
{
    PyObject *r = PyObject_Repr(v);
    if (r == NULL)
        return -1;
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(r, &n);
    int rc = s == NULL ? -1 : out_put(o, s, n);
    Py_DECREF(r);
    return rc;
}

/* 0 written, 1 left to Python, -1 an error (an exception may be set: the caller clears it). */
static int
out_value(Out *o, PyObject *v, int depth, int ascii)
{
    if (PyUnicode_CheckExact(v))
        return out_string(o, v, ascii);
    if (v == Py_None)
        return out_put(o, "null", 4);
    if (v == Py_True)
        return out_put(o, "true", 4);
    if (v == Py_False)
        return out_put(o, "false", 5);
    if (PyLong_CheckExact(v))
        return out_repr(o, v);
    if (PyFloat_CheckExact(v)) {
        double d = PyFloat_AS_DOUBLE(v);
        if (d != d)
            return out_put(o, "NaN", 3);
        if (Py_IS_INFINITY(d))
            return d > 0 ? out_put(o, "Infinity", 8) : out_put(o, "-Infinity", 9);
        return out_repr(o, v);
    }
    if (depth >= JSON_DEEPEST)
        return 1;
    if (PyDict_CheckExact(v)) {
        if (PyDict_GET_SIZE(v) == 0)
            return out_put(o, "{}", 2);
        if (out_put(o, "{", 1) < 0)
            return -1;
        Py_ssize_t pos = 0;
        PyObject *key, *value;
        int first = 1;
        while (PyDict_Next(v, &pos, &key, &value)) {
            if (!PyUnicode_CheckExact(key))
                return 1;
            int rc;
            if ((!first && out_put(o, ",", 1) < 0) || out_line(o, depth + 1) < 0 || out_string(o, key, ascii) < 0
                || out_put(o, ": ", 2) < 0)
                return -1;
            if ((rc = out_value(o, value, depth + 1, ascii)) != 0)
                return rc;
            first = 0;
        }
        if (out_line(o, depth) < 0)
            return -1;
        return out_put(o, "}", 1);
    }
    if (PyList_CheckExact(v) || PyTuple_CheckExact(v)) {
        Py_ssize_t n = PySequence_Fast_GET_SIZE(v);
        if (n == 0)
            return out_put(o, "[]", 2);
        if (out_put(o, "[", 1) < 0)
            return -1;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(v); i++) {
            int rc;
            if ((i && out_put(o, ",", 1) < 0) || out_line(o, depth + 1) < 0)
                return -1;
            if ((rc = out_value(o, PySequence_Fast_GET_ITEM(v, i), depth + 1, ascii)) != 0)
                return rc;
        }
        if (out_line(o, depth) < 0)
            return -1;
        return out_put(o, "]", 1);
    }
    return 1;
}

static PyObject *
json_indent(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2)
        return type_error("json_indent(data, ensure_ascii) takes two arguments");
    int ascii = PyObject_IsTrue(args[1]);
    if (ascii < 0)
        return NULL;
    Out o = {NULL, 0, 0};
    int rc = out_value(&o, args[0], 0, ascii);
    PyObject *text = NULL;
    if (rc == 0)
        text = PyUnicode_DecodeUTF8(o.buf ? o.buf : "", o.len, ascii ? NULL : "surrogatepass");
    PyMem_Free(o.buf);
    if (text == NULL) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return text;
}

/* utf8(text): text.encode("utf-8") for a str without a surrogate, or None when it holds one (the
 * caller encodes that one itself, with its own error handler, so errors stay Python's). CPython
 * encodes a 2- or 4-byte-wide str one character at a time, a branch per character; a prompt is
 * such a str (one arrow makes it 2 bytes wide, one emoji 4) that is ASCII but for a few
 * characters, so its ASCII runs are measured and copied sixteen (2-byte, read once when
 * written) or four (4-byte) code units at a time. Two passes: one counts the bytes, one writes them into a bytes object of
 * exactly that size. */
#define UTF8_SIZE(c) ((c) < 0x80 ? 1 : (c) < 0x800 ? 2 : (c) < 0x10000 ? 3 : 4)
#define IS_SURROGATE(c) ((c) >= 0xD800 && (c) <= 0xDFFF)

static inline unsigned char *
put_utf8(unsigned char *out, Py_UCS4 c)
{
    if (c < 0x80) {
        *out++ = (unsigned char)c;
    } else if (c < 0x800) {
        *out++ = (unsigned char)(0xC0 | (c >> 6));
        *out++ = (unsigned char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        *out++ = (unsigned char)(0xE0 | (c >> 12));
        *out++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        *out++ = (unsigned char)(0x80 | (c & 0x3F));
    } else {
        *out++ = (unsigned char)(0xF0 | (c >> 18));
        *out++ = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
        *out++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        *out++ = (unsigned char)(0x80 | (c & 0x3F));
    }
    return out;
}

/* Whether the sixteen code units at s are all ASCII. */
#ifdef __SSE2__
static inline int
ascii16(const Py_UCS2 *s)
{
    __m128i both = _mm_or_si128(_mm_loadu_si128((const __m128i *)s), _mm_loadu_si128((const __m128i *)(s + 8)));
    return _mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(both, _mm_set1_epi16((short)0xFF80)), _mm_setzero_si128())) == 0xFFFF;
}
#endif

/* How many code units from s[i] on (at most n - i) are ASCII: sixteen at a time, then eight,
 * then one by one. */
static inline Py_ssize_t
ascii_run2(const Py_UCS2 *s, Py_ssize_t i, Py_ssize_t n)
{
    Py_ssize_t start = i;
#ifdef __SSE2__
    while (n - i >= 16 && ascii16(s + i))
        i += 16;
    const __m128i high = _mm_set1_epi16((short)0xFF80), zero = _mm_setzero_si128();
    for (; n - i >= 8; i += 8) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        int m = _mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(v, high), zero)) ^ 0xFFFF;
        if (m)
            return i + (__builtin_ctz(m) >> 1) - start; /* two mask bits a unit */
    }
#endif
    while (i < n && s[i] < 0x80)
        i++;
    return i - start;
}

/* ascii_run2 of a 4-byte-wide str, four at a time. */
static inline Py_ssize_t
ascii_run4(const Py_UCS4 *s, Py_ssize_t i, Py_ssize_t n)
{
    Py_ssize_t start = i;
#ifdef __SSE2__
    const __m128i high = _mm_set1_epi32((int)0xFFFFFF80), zero = _mm_setzero_si128();
    for (; n - i >= 4; i += 4) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        int m = _mm_movemask_epi8(_mm_cmpeq_epi32(_mm_and_si128(v, high), zero)) ^ 0xFFFF;
        if (m)
            return i + (__builtin_ctz(m) >> 2) - start; /* four mask bits a unit */
    }
#endif
    while (i < n && s[i] < 0x80)
        i++;
    return i - start;
}

/* The ASCII code units s[0..k) (k from ascii_run2) as bytes at out; where it ends. */
static inline unsigned char *
put_ascii2(unsigned char *out, const Py_UCS2 *s, Py_ssize_t k)
{
    Py_ssize_t i = 0;
#ifdef __SSE2__
    for (; k - i >= 8; i += 8) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        _mm_storel_epi64((__m128i *)(out + i), _mm_packus_epi16(v, v));
    }
#endif
    for (; i < k; i++)
        out[i] = (unsigned char)s[i];
    return out + k;
}

/* The ASCII code units from s[*i] on written as bytes at out, each read once: sixteen at a time
 * while a whole sixteen is ASCII, then one by one; *i moves past them. Where the bytes end. */
static inline unsigned char *
put_run2(unsigned char *out, const Py_UCS2 *s, Py_ssize_t *i, Py_ssize_t n)
{
    Py_ssize_t j = *i;
#ifdef __SSE2__
    for (; n - j >= 16 && ascii16(s + j); j += 16, out += 16)
        _mm_storeu_si128((__m128i *)out, _mm_packus_epi16(_mm_loadu_si128((const __m128i *)(s + j)),
                                                           _mm_loadu_si128((const __m128i *)(s + j + 8))));
#endif
    for (; j < n && s[j] < 0x80; j++)
        *out++ = (unsigned char)s[j];
    *i = j;
    return out;
}

/* put_ascii2 of a 4-byte-wide str. */
static inline unsigned char *
put_ascii4(unsigned char *out, const Py_UCS4 *s, Py_ssize_t k)
{
    Py_ssize_t i = 0;
#ifdef __SSE2__
    for (; k - i >= 4; i += 4) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        v = _mm_packs_epi32(v, v); /* each below 0x80: no saturation */
        int four = _mm_cvtsi128_si32(_mm_packus_epi16(v, v));
        memcpy(out + i, &four, 4);
    }
#endif
    for (; i < k; i++)
        out[i] = (unsigned char)s[i];
    return out + k;
}

static PyObject *
utf8(PyObject *module, PyObject *text)
{
    if (!PyUnicode_Check(text))
        return type_error("utf8() takes a str");
    if (PyUnicode_READY(text) < 0)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0, size = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    if (PyUnicode_IS_ASCII(text))
        return PyBytes_FromStringAndSize((const char *)data, n);
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *s = data;
        for (i = 0; i < n; i++)
            size += s[i] >> 7; /* a second byte for each past ASCII */
    } else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *s = data;
        while ((i += ascii_run2(s, i, n)) < n) {
            Py_UCS2 c = s[i++];
            if (IS_SURROGATE(c))
                Py_RETURN_NONE;
            size += UTF8_SIZE(c) - 1; /* the bytes past the one each code unit counts below */
        }
    } else {
        const Py_UCS4 *s = data;
        while ((i += ascii_run4(s, i, n)) < n) {
            Py_UCS4 c = s[i++];
            if (IS_SURROGATE(c))
                Py_RETURN_NONE;
            size += UTF8_SIZE(c) - 1;
        }
    }
    size += n;
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, size);
    if (bytes == NULL)
        return NULL;
    unsigned char *out = (unsigned char *)PyBytes_AS_STRING(bytes);
    i = 0;
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *s = data;
        for (; i < n; i++)
            out = put_utf8(out, s[i]);
    } else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *s = data;
        while (i < n) {
            out = put_run2(out, s, &i, n);
            if (i < n)
                out = put_utf8(out, s[i++]);
        }
    } else {
        const Py_UCS4 *s = data;
        while (i < n) {
            Py_ssize_t k = ascii_run4(s, i, n);
            out = put_ascii4(out, s + i, k);
            if ((i += k) < n)
                out = put_utf8(out, s[i++]);
        }
    }
    return bytes;
}

/* json_utf8(text): jsontext.string_utf8_py(text) for a str of any length: json's
 * encode_basestring(text) (a JSON string, non-ASCII kept) as UTF-8, or None when text holds a
 * control character other than tab and newline (escaped \uXXXX, \r, \b or \f: the caller takes
 * the str way) or a surrogate. The Python makes it in six passes over a 32 KB prompt (encode,
 * translate, four replaces); here in one, the runs that need no escape (found sixteen, eight or
 * four code units at a time by width) copied whole. */

/* Whether code unit c is written as it is inside a JSON string: printable ASCII but '"' and '\\'. */
#define JSON_PLAIN(c) ((c) >= 0x20 && (c) < 0x80 && (c) != '"' && (c) != '\\')

static inline Py_ssize_t
json_run2(const Py_UCS2 *s, Py_ssize_t i, Py_ssize_t n)
{
    Py_ssize_t start = i;
#ifdef __SSE2__
    /* signed compares: a unit past 0x7FFF reads as negative, so "below 0x20" catches it */
    const __m128i space = _mm_set1_epi16(0x20), del = _mm_set1_epi16(0x7F);
    const __m128i quote = _mm_set1_epi16('"'), slash = _mm_set1_epi16('\\');
    for (; n - i >= 8; i += 8) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi16(v, space), _mm_cmpgt_epi16(v, del)),
                                   _mm_or_si128(_mm_cmpeq_epi16(v, quote), _mm_cmpeq_epi16(v, slash)));
        int m = _mm_movemask_epi8(bad);
        if (m)
            return i + (__builtin_ctz(m) >> 1) - start;
    }
#endif
    while (i < n && JSON_PLAIN(s[i]))
        i++;
    return i - start;
}

static inline Py_ssize_t
json_run4(const Py_UCS4 *s, Py_ssize_t i, Py_ssize_t n)
{
    Py_ssize_t start = i;
#ifdef __SSE2__
    const __m128i space = _mm_set1_epi32(0x20), del = _mm_set1_epi32(0x7F);
    const __m128i quote = _mm_set1_epi32('"'), slash = _mm_set1_epi32('\\');
    for (; n - i >= 4; i += 4) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi32(v, space), _mm_cmpgt_epi32(v, del)),
                                   _mm_or_si128(_mm_cmpeq_epi32(v, quote), _mm_cmpeq_epi32(v, slash)));
        int m = _mm_movemask_epi8(bad);
        if (m)
            return i + (__builtin_ctz(m) >> 2) - start;
    }
#endif
    while (i < n && JSON_PLAIN(s[i]))
        i++;
    return i - start;
}

static inline Py_ssize_t
json_run1(const Py_UCS1 *s, Py_ssize_t i, Py_ssize_t n)
{
    Py_ssize_t start = i;
#ifdef __SSE2__
    /* signed compares: a byte past 0x7F reads as negative, so "below 0x20" catches it */
    const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'), slash = _mm_set1_epi8('\\');
    for (; n - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)));
        int m = _mm_movemask_epi8(bad);
        if (m)
            return i + __builtin_ctz(m) - start;
    }
#endif
    while (i < n && JSON_PLAIN(s[i]))
        i++;
    return i - start;
}

/* Code point c, which json_run* stopped at, into the string at out; NULL when the text is left
 * to the caller (a control character but tab and newline, a surrogate). */
static inline unsigned char *
put_json(unsigned char *out, Py_UCS4 c)
{
    switch (c) {
    case '"': *out++ = '\\'; *out++ = '"'; return out;
    case '\\': *out++ = '\\'; *out++ = '\\'; return out;
    case '\n': *out++ = '\\'; *out++ = 'n'; return out;
    case '\t': *out++ = '\\'; *out++ = 't'; return out;
    default: return c < 0x20 || IS_SURROGATE(c) ? NULL : put_utf8(out, c);
    }
}

static PyObject *
json_utf8(PyObject *module, PyObject *text)
{
    if (!PyUnicode_Check(text))
        return type_error("json_utf8() takes a str");
    if (PyUnicode_READY(text) < 0)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    /* One pass into room for the longest it can be (a unit takes at most `kind` + 1 bytes: an
     * escape 2, a 1-byte-wide str's character 2, a 2-byte-wide one's 3, past U+FFFF 4), then the
     * bytes object is cut to what was written: a second pass to count cost more than the copy. */
    if (n > (PY_SSIZE_T_MAX - 2) / (kind + 1))
        Py_RETURN_NONE;
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, 2 + n * (kind + 1));
    if (bytes == NULL)
        return NULL;
    unsigned char *start = (unsigned char *)PyBytes_AS_STRING(bytes), *out = start;
    *out++ = '"';
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *s = data;
        while (out != NULL && i < n) {
            Py_ssize_t k = json_run1(s, i, n);
            memcpy(out, s + i, k);
            out += k;
            if ((i += k) < n)
                out = put_json(out, s[i++]);
        }
    } else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *s = data;
        while (out != NULL && i < n) {
            Py_ssize_t k = json_run2(s, i, n);
            out = put_ascii2(out, s + i, k);
            if ((i += k) < n)
                out = put_json(out, s[i++]);
        }
    } else {
        const Py_UCS4 *s = data;
        while (out != NULL && i < n) {
            Py_ssize_t k = json_run4(s, i, n);
            out = put_ascii4(out, s + i, k);
            if ((i += k) < n)
                out = put_json(out, s[i++]);
        }
    }
    if (out == NULL) {
        Py_DECREF(bytes);
        Py_RETURN_NONE;
    }
    *out++ = '"';
    if (_PyBytes_Resize(&bytes, out - start) < 0)
        return NULL;
    return bytes;
}

static PyMethodDef methods[] = {
    {"utf8", (PyCFunction)utf8, METH_O,
     "utf8(text): text.encode('utf-8'), or None when text holds a surrogate (the caller encodes it)."},
    {"json_utf8", (PyCFunction)json_utf8, METH_O,
     "json_utf8(text): jsontext.string_utf8_py(text) for a text of any length: the JSON string as UTF-8, or None."},
    {"literal_unsafe", (PyCFunction)literal_unsafe, METH_O,
     "literal_unsafe(text): chars.literal_unsafe_py, whether text holds three single quotes in a row or a control character but tab and newline."},
    FASTCALL_METHOD("literal_block", literal_block,
        "literal_block(data, pad): yamltext._literal_py on the text's UTF-8, or None."),
    {"read_entry", (PyCFunction)read_entry, METH_O,
     "read_entry(piece): a crewai agents.yaml piece as yaml.load reads it, or None outside yamltext.entries' shape."},
    FASTCALL_METHOD("json_indent", json_indent,
        "json_indent(data, ensure_ascii): jsontext.dumps_py(data, ensure_ascii=...), or None where it leaves data to Python."),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "agentc.targets._shared._text", "crewai's YAML literal block, chars.literal_unsafe and jsontext.dumps in C.", -1, methods,
};

PyMODINIT_FUNC
PyInit__text(void)
{
    return PyModule_Create(&module);
}
