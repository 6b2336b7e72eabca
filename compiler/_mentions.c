/* agentc.compiler._mentions: the word search of compiler/mentions.py in C.
 *
 * mentions.py stays the reference and the fallback (as json/_json): it uses this module when it
 * imports and AGENTC_PURE_PYTHON is not set. holding(text, words, starts) gives what the Python
 * mentions._holding(mentions._lowered(text), words, starts) gives: for each word, the 0-based
 * indexes of the lines where it starts (every place, overlapping ones too; one entry per line, in
 * order). The line of a place is bisect_right(starts, place) - 1, as in Python.
 *
 * Lowercasing is folded into the comparison: the text's ASCII capitals compare as their small
 * letters and every other character as itself, which is what _lowered gives for any text without
 * "İ" (U+0130, whose lowercase is two characters) or the Kelvin sign (U+212A, lowercase "k");
 * mentions.py sends a text holding either to the Python search. So the text is neither copied nor
 * lowered, and no Python object is made per place, only per (word, line) entry.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* A word, its characters as code points (the words are short constants: "agent", "work with"). */
typedef struct {
    Py_UCS4 *chars;
    Py_ssize_t len;
    PyObject *lines; /* the word's list in the result (borrowed from the dict) */
} Word;

/* The words to try at a character: those whose first character it is. ASCII first characters
 * index `head`; the few words that start with another character ("→", "⇒") are in bucket 128,
 * tried at every non-ASCII character of the text. */
#define OTHER 128

typedef struct {
    Word *words;
    Py_ssize_t n_words;
    Py_ssize_t *order;            /* word indexes grouped by first character */
    Py_ssize_t head[OTHER + 2];   /* order[head[c]:head[c + 1]] start with c */
    /* pair[a][b]: whether a word can start with ASCII a then b (b = OTHER: a non-ASCII character
     * or the text's end). Most of the text's letters start a word ("a", "c", "p", "w"...) but few
     * pairs do: checking the pair first leaves ~6 in 7 places without a word comparison. */
    unsigned char pair[OTHER][OTHER + 1];
} Search;

static inline Py_UCS4
fold(Py_UCS4 ch)
{
    return (ch >= 'A' && ch <= 'Z') ? ch + ('a' - 'A') : ch;
}

static inline Py_ssize_t
bucket(Py_UCS4 first)
{
    return first < OTHER ? (Py_ssize_t)first : OTHER;
}

/* Append `line` to the word's list unless it is already the last entry (one entry per line; the
 * places of a word come in order). Equal words share one list, as in the Python dict. */
static int
add_line(PyObject *lines, Py_ssize_t line)
{
    Py_ssize_t size = PyList_GET_SIZE(lines);
    if (size) {
        Py_ssize_t last = PyLong_AsSsize_t(PyList_GET_ITEM(lines, size - 1));
        if (last == line) {
            return 0;
        }
    }
    PyObject *num = PyLong_FromSsize_t(line);
    if (num == NULL) {
        return -1;
    }
    int rc = PyList_Append(lines, num);
    Py_DECREF(num);
    return rc;
}

/* The scan, once per storage kind of the text (1, 2 or 4 bytes a character). `line` follows the
 * place through `starts` (sorted), so each place's line costs no search. */
#define SCAN(NAME, CHAR)                                                                           \
    static int NAME(const CHAR *text, Py_ssize_t n, const Search *s, PyObject *starts)           \
    {                                                                                              \
        Py_ssize_t n_starts = PyList_GET_SIZE(starts), line = -1, next = PY_SSIZE_T_MAX;           \
        if (n_starts) {                                                                            \
            next = PyLong_AsSsize_t(PyList_GET_ITEM(starts, 0));                                   \
            if (next == -1 && PyErr_Occurred()) {                                                  \
                return -1;                                                                         \
            }                                                                                      \
        }                                                                                          \
        for (Py_ssize_t at = 0; at < n; at++) {                                                    \
            Py_ssize_t b = bucket(fold(text[at]));                                                 \
            if (b < OTHER                                                                          \
                && !s->pair[b][at + 1 < n ? bucket(fold(text[at + 1])) : OTHER]) {                 \
                continue;                                                                          \
            }                                                                                      \
            Py_ssize_t lo = s->head[b], hi = s->head[b + 1];                                       \
            if (lo == hi) {                                                                        \
                continue;                                                                          \
            }                                                                                      \
            for (Py_ssize_t k = lo; k < hi; k++) {                                                 \
                const Word *w = &s->words[s->order[k]];                                            \
                if (w->len > n - at) {                                                             \
                    continue;                                                                      \
                }                                                                                  \
                Py_ssize_t j = 0;                                                                  \
                while (j < w->len && fold(text[at + j]) == w->chars[j]) {                          \
                    j++;                                                                           \
                }                                                                                  \
                if (j < w->len) {                                                                  \
                    continue;                                                                      \
                }                                                                                  \
                while (next <= at) {                                                               \
                    line++;                                                                        \
                    next = line + 1 < n_starts                                                     \
                        ? PyLong_AsSsize_t(PyList_GET_ITEM(starts, line + 1)) : PY_SSIZE_T_MAX;  \
                    if (next == -1 && PyErr_Occurred()) {                                          \
                        return -1;                                                                 \
                    }                                                                              \
                }                                                                                  \
                if (add_line(w->lines, line) < 0) {                                                \
                    return -1;                                                                     \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        return 0;                                                                                  \
    }

SCAN(scan_ucs1, Py_UCS1)
SCAN(scan_ucs2, Py_UCS2)
SCAN(scan_ucs4, Py_UCS4)

PyDoc_STRVAR(holding_doc,
"holding(text, words, starts) -> dict\n\n"
"Each word (a tuple of non-empty str) -> the sorted 0-based indexes of the lines where it starts\n"
"in text with its ASCII letters lowered; a place's line is bisect_right(starts, place) - 1.\n"
"As mentions._holding(mentions._lowered(text), words, starts) for a text without U+0130 or U+212A.");

static PyObject *
holding(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyUnicode_Check(args[0]) || !PyTuple_Check(args[1]) || !PyList_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "holding(text: str, words: tuple[str, ...], starts: list[int])");
        return NULL;
    }
    PyObject *text = args[0], *words = args[1], *starts = args[2];
    Py_ssize_t n_starts = PyList_GET_SIZE(starts);
    for (Py_ssize_t i = 0; i < n_starts; i++) {
        if (!PyLong_Check(PyList_GET_ITEM(starts, i))) {
            PyErr_SetString(PyExc_TypeError, "holding: starts must be a list of int");
            return NULL;
        }
    }
    Search *s = PyMem_Calloc(1, sizeof(Search));
    if (s == NULL) {
        return PyErr_NoMemory();
    }
    s->n_words = PyTuple_GET_SIZE(words);
    PyObject *out = PyDict_New();
    s->words = PyMem_Calloc(s->n_words ? s->n_words : 1, sizeof(Word));
    s->order = PyMem_Calloc(s->n_words ? s->n_words : 1, sizeof(Py_ssize_t));
    if (out == NULL || s->words == NULL || s->order == NULL) {
        if (out != NULL) {
            PyErr_NoMemory();
        }
        goto fail;
    }
    /* The result's lists first (a later equal word replaces the earlier one's list, as a dict
     * display does), then each word's list and characters. */
    for (Py_ssize_t i = 0; i < s->n_words; i++) {
        PyObject *word = PyTuple_GET_ITEM(words, i);
        if (!PyUnicode_Check(word) || PyUnicode_GET_LENGTH(word) == 0) {
            PyErr_SetString(PyExc_TypeError, "holding: words must be non-empty str");
            goto fail;
        }
        PyObject *lines = PyList_New(0);
        if (lines == NULL || PyDict_SetItem(out, word, lines) < 0) {
            Py_XDECREF(lines);
            goto fail;
        }
        Py_DECREF(lines);
    }
    Py_ssize_t count[OTHER + 1] = {0};
    for (Py_ssize_t i = 0; i < s->n_words; i++) {
        PyObject *word = PyTuple_GET_ITEM(words, i);
        Word *w = &s->words[i];
        w->lines = PyDict_GetItemWithError(out, word);
        w->chars = PyUnicode_AsUCS4Copy(word);
        if (w->lines == NULL || w->chars == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_RuntimeError, "holding: a word's list is missing");
            }
            goto fail;
        }
        w->len = PyUnicode_GET_LENGTH(word);
        count[bucket(w->chars[0])]++;
        if (w->chars[0] < OTHER) {  /* a one-character word may stand before any character */
            for (Py_ssize_t b = 0; b <= OTHER; b++) {
                if (w->len == 1 || b == bucket(w->chars[1])) {
                    s->pair[w->chars[0]][b] = 1;
                }
            }
        }
    }
    /* Group the word indexes by first character, keeping the words' order within a group. */
    s->head[0] = 0;
    for (Py_ssize_t b = 0; b <= OTHER; b++) {
        s->head[b + 1] = s->head[b] + count[b];
    }
    Py_ssize_t fill[OTHER + 1];
    memcpy(fill, s->head, sizeof(fill));
    for (Py_ssize_t i = 0; i < s->n_words; i++) {
        s->order[fill[bucket(s->words[i].chars[0])]++] = i;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const void *data = PyUnicode_DATA(text);
    int rc;
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        rc = scan_ucs1(data, n, s, starts);
        break;
    case PyUnicode_2BYTE_KIND:
        rc = scan_ucs2(data, n, s, starts);
        break;
    default:
        rc = scan_ucs4(data, n, s, starts);
        break;
    }
    if (rc < 0) {
        goto fail;
    }
    for (Py_ssize_t i = 0; i < s->n_words; i++) {
        PyMem_Free(s->words[i].chars);
    }
    PyMem_Free(s->words);
    PyMem_Free(s->order);
    PyMem_Free(s);
    return out;
fail:
    if (s->words != NULL) {
        for (Py_ssize_t i = 0; i < s->n_words; i++) {
            PyMem_Free(s->words[i].chars);
        }
    }
    PyMem_Free(s->words);
    PyMem_Free(s->order);
    PyMem_Free(s);
    Py_XDECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"holding", (PyCFunction)(void (*)(void))holding, METH_FASTCALL, holding_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "agentc.compiler._mentions",
    "The word search of agentc.compiler.mentions, in C (see mentions.py).",
    -1,
    methods,
};

PyMODINIT_FUNC
PyInit__mentions(void)
{
    return PyModule_Create(&module_def);
}
