/* agentc.compiler._judge: mentions.scan_line in C, with references.scan's walk over an agent's lines
 * (`walk`, whose reference is references._walk_py), the blocks structure._delegations reads (`visit`,
 * reference structure._visit_py: the tables, the blocks holding cues and those of its delegation and
 * avoid sections, less the D2 heads and their items), where a name is written on a line (`name_at`, reference
 * structure._name_at_py),
 * delegation's `clean` (reference delegation._clean_py) and the words a block
 * holds (`holding`, reference delegation._holding_py), its D1 arrow (`arrow`, reference delegation._arrow_py),
 * the section titles that may head a D2 block (`head_starts`, reference delegation._head_starts_py) and the
 * targets a "Delegate to x" title names (`block_targets`, reference delegation._block_targets_py), the
 * names leading a text (`leading`, reference delegation._leading_py), the D2 blocks with the bullets
 * that say when (`heads`, reference delegation._heads_py), where an edge's name is written in its
 * block, unless the word after it makes it a thing (`place`, reference structure._place_py), and the
 * Delegations and Mentions of the blocks' edges (`edges`, reference structure._edges_py).
 *
 * mentions._scan_line_py stays the reference and the fallback (as json/_json): scan_line uses this
 * module for a line whose names (`cands`) and hint the caller already found (every line `references.scan`
 * reads), when it imports and AGENTC_PURE_PYTHON is not set. What the Python code does with strings
 * and its list of names (the line's lead, "agent" on the line, the text before a name without its
 * markup, backticks, parentheses, table cells) is done here on the line's characters; every regular
 * expression, `role_like`, `Hit` and the few rare steps that build their own lists stay in Python and
 * are called from here (`env`, in the order of mentions._native_judge), so each rule is written once.
 * Most names ask only `role_like`, `_AGENT_AFTER`, `_ANY_ONE` and `_STRONG_BEFORE`: the Python version
 * spent most of its time between them (attribute reads, slices, keyword calls).
 *
 * Characters are read as Python's str methods read them: blanks are Py_UNICODE_ISSPACE (str.isspace,
 * re's `\s`), digits Py_UNICODE_ISDECIMAL (re's `\d`), and lowering is ASCII's plus the Kelvin sign
 * (see `lower`). Columns are code point indexes, as in Python.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "_extension.h"
#include <stdint.h>
#include <string.h>
#include <structmember.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* getattr(obj, name) as a new reference (NULL with an exception), read straight from the slot
 * when `name` is a __slots__ member of obj's class: the blocks, sections and names read here are
 * instances of such classes, and PyObject_GetAttr's generic path (the type's method cache, the
 * descriptor's get, the int's reference) cost ~175 instructions a read, ~740 reads an agent
 * (~130K instructions of ~3.3M). The slot's offset is kept per (class, name) with the class's
 * version tag, which CPython changes whenever the class or a base is modified (a slot replaced by
 * a property, say): a kept offset is used only for the class, name and version it was found for.
 * Anything else (a class with its own __getattribute__ or __getattr__, a name that is not an
 * object slot, an unset slot, which raises) takes PyObject_GetAttr. */
typedef struct {
    PyTypeObject *type; /* borrowed: a class freed and another made at its address has a new version */
    PyObject *name;     /* borrowed: the module's interned names, held for its life */
    unsigned int version;
    Py_ssize_t offset;
} SlotSeen;

static SlotSeen slots_seen[64];

static PyObject *
slot_attr(PyObject *obj, PyObject *name)
{
    PyTypeObject *type = Py_TYPE(obj);
    if (type->tp_getattro == PyObject_GenericGetAttr && (type->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG)) {
        SlotSeen *seen = &slots_seen[((uintptr_t)type >> 4 ^ (uintptr_t)name >> 4) & 63];
        if (seen->type != type || seen->name != name || seen->version != type->tp_version_tag) {
            PyObject *descr = _PyType_Lookup(type, name); /* borrowed; no exception set */
            /* a slot of this class or a base: a member descriptor copied onto another class reads
             * another layout (getattr raises TypeError there); an audited member raises its event */
            if (descr == NULL || !Py_IS_TYPE(descr, &PyMemberDescr_Type)
                || ((PyMemberDescrObject *)descr)->d_member->type != T_OBJECT_EX
                || (((PyMemberDescrObject *)descr)->d_member->flags & PY_AUDIT_READ)
                || !PyType_IsSubtype(type, ((PyDescrObject *)descr)->d_type)
                || !(type->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG)) {
                return PyObject_GetAttr(obj, name);
            }
            seen->type = type;
            seen->name = name;
            seen->version = type->tp_version_tag;
            seen->offset = ((PyMemberDescrObject *)descr)->d_member->offset;
        }
        PyObject *value = *(PyObject **)((char *)obj + seen->offset);
        if (value != NULL) {
            return Py_NewRef(value);
        }
    }
    return PyObject_GetAttr(obj, name);
}

/* PyLong_AsSsize_t(v) of an int, read in place when it is an exact positive int of one digit (a
 * block's or line's index): the call and its checks cost ~30 instructions an int, ~1 700 ints an agent
 * (`read_firsts` twice, `visit`). */
static inline Py_ssize_t
small_int(PyObject *v)
{
#if PY_VERSION_HEX >= 0x030C0000
    if (PyLong_CheckExact(v) && PyUnstable_Long_IsCompact((PyLongObject *)v)) {
        return PyUnstable_Long_CompactValue((PyLongObject *)v);
    }
#else
    if (PyLong_CheckExact(v) && Py_SIZE(v) == 1) { /* positive, of one digit: an index */
        return (Py_ssize_t)((PyLongObject *)v)->ob_digit[0];
    }
#endif
    return PyLong_AsSsize_t(v);
}

static PyObject *S_kebab;

/* Whether a name's `form` is `want` (an interned str): the forms are interned literals, so one is
 * `want` only as that object (comparing each as ASCII cost ~80 instructions a name). */
static int
is_form(PyObject *form, PyObject *want)
{
    if (form == want) {
        return 1;
    }
    return PyUnicode_Check(form) && !PyUnicode_CHECK_INTERNED(form) && PyUnicode_Compare(form, want) == 0;
}

/* The Python callables, in the order mentions._native_judge passes them. */
enum {
    E_ROLE_LIKE, E_HIT, E_RELATION, E_SKILLISH, E_AGENT_AFTER, E_LIST_THEN_AGENT, E_QUALIFIED, E_JOIN_OR_START,
    E_STRONG_BEFORE, E_JOIN, E_ANY_ONE, E_COMPARED, E_LEAD_SEP, E_SELF_LEAD, E_SOFT_KIND, E_ROLE_VERB,
    E_TITLE_IN_PROSE, E_CUE_KIND, E_WORD_AGENTS, E_WEAK_PHRASES, E_WEAK_ASCII, E_MORE_WEAK, E_PHRASE_WEAK, E_RELATION_LABEL, E_COUNT
};

enum { F_OTHER, F_AT, F_AT_WORD, F_SUB, F_KEBAB, F_TITLE };

static PyObject *S_search, *S_match, *S_sub, *S_end, *S_start, *S_target, *S_form, *S_brand, *S_kind, *S_pattern;
static PyObject *S_empty, *S_dash, *S_delegate, *S_compare, *S_collaborate, *S_role_only, *S_agent_suffix;
static PyObject *P_sub, *P_at, *P_name_agent, *P_agent_id, *P_relation, *P_verb_strong, *P_table_column, *P_table_row,
    *P_preference, *P_lead_name, *P_verb, *P_role_verb, *P_role_name;

typedef struct {
    Py_ssize_t start, end;
    PyObject *target;
    PyObject *form;
    PyObject *last; /* the target after its last ":" (a plugin's prefix goes) */
    int code;         /* F_* */
    int brand;
    int role;         /* role_like(last): -1 not asked yet */
} Cand;

typedef struct {
    PyObject *const *env;
    PyObject *line;
    int kind; /* the line's PyUnicode kind and data: CH(j, i) is its character i */
    const void *data;
    Py_ssize_t n;
    Cand *cands;
    Py_ssize_t nc;
    int ctx, compare, lead_ok, skill_line, agentish;
    Py_ssize_t lead_end;
    PyObject *target_cols, *first_cell;
    char *low;           /* the line lowered (`lower_line`), for `holds` */
    char short_low[256]; /* ...for a short line */
} Judge;

#define CH(j, i) PyUnicode_READ((j)->kind, (j)->data, (i))
#define KELVIN 0x212A

/* A character as str.lower() gives it, as far as a lowercase ASCII word can tell: ASCII capitals
 * and the Kelvin sign ("k") lower to an ASCII letter; "İ" lowers to "i" and a combining dot, which
 * no word below can hold (none ends in "i"), and every other character to no ASCII letter. */
static Py_UCS4
lower(Py_UCS4 ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch == KELVIN ? 'k' : ch;
}

#define HIGH_BITS 0x8080808080808080ULL
#define BYTES(b) (0x0101010101010101ULL * (b))

/* Eight ASCII characters lowered at once (each byte < 128): a byte from "A" to "Z" gets 0x20. Adding
 * 128 - "A" sets the high bit of a byte >= "A", adding 128 - "Z" - 1 that of a byte > "Z", and no
 * byte carries into the next. Byte by byte, `lower_line` cost ~11 instructions a character, ~32K of
 * the ~261K scan_line spends on a seed agent; eight at a time ~15K. */
static uint64_t
lower8(uint64_t x)
{
    uint64_t upper = (x + BYTES(128 - 'A')) & ~(x + BYTES(128 - 'Z' - 1)) & HIGH_BITS;
    return x | (upper >> 2);
}

/* Fills j->low: each character of the line as `lower` gives it, any other than ASCII as 0x80 (which
 * no word holds). One pass, then `holds` asks `find` for each word: about twenty words are looked
 * for in a line, and a pass per word reading characters of any width cost more than the rest of
 * the judging. -1 on a memory error. */
static int
lower_line(Judge *j)
{
    j->low = j->n < (Py_ssize_t)sizeof(j->short_low) ? j->short_low : PyMem_Malloc((size_t)j->n + 1);
    if (j->low == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    /* a loop per width: PyUnicode_READ's switch in the loop cost ~13 instructions a character */
    char *low = j->low;
    if (j->kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *d = j->data;
        Py_ssize_t i = 0;
        for (; i + 8 <= j->n; i += 8) {
            uint64_t x;
            memcpy(&x, d + i, 8);
            if (x & HIGH_BITS) {
                break; /* a character of Latin-1: the rest byte by byte */
            }
            memcpy(low + i, &(uint64_t){lower8(x)}, 8);
        }
        for (; i < j->n; i++) {
            low[i] = (char)(d[i] < 128 ? lower(d[i]) : 0x80);
        }
    }
    else if (j->kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *d = j->data;
        for (Py_ssize_t i = 0; i < j->n; i++) {
            Py_UCS4 ch = lower(d[i]);
            low[i] = (char)(ch < 128 ? ch : 0x80);
        }
    }
    else {
        for (Py_ssize_t i = 0; i < j->n; i++) {
            Py_UCS4 ch = lower(CH(j, i));
            low[i] = (char)(ch < 128 ? ch : 0x80);
        }
    }
    return 0;
}

static void
free_low(Judge *j)
{
    if (j->low != NULL && j->low != j->short_low) {
        PyMem_Free(j->low);
    }
}

/* memmem(hay, n, word, m) for the short lines and words here. glibc's memmem set up a shift table
 * each call: ~490 instructions a call, where the judge asks ~280 words of an agent's lines. With
 * SSE2, 16 places at a time are tested for the word's first two letters (a last block overlaps
 * the one before, whose places held none), and memcmp tests the rest where both are: a memchr per
 * place of the first letter ("a" of "agent", "s" of "skill") cost ~185 instructions a word, this
 * ~80. Elsewhere, and for a line with fewer than 16 places, memchr finds each place of the first
 * letter and memcmp tests the rest there. */
static const char *
find(const char *hay, size_t n, const char *word, size_t m)
{
    if (m == 0 || m > n) {
        return m == 0 ? hay : NULL;
    }
    const char *p = hay, *last = hay + (n - m);
#ifdef __SSE2__
    if (m >= 2 && n - m + 1 >= 16) { /* a block of places p..p+15 reads p..p+16, all before last + m */
        const __m128i first = _mm_set1_epi8(word[0]), second = _mm_set1_epi8(word[1]);
        for (;;) {
            if (p > last - 15) {
                p = last - 15;
            }
            __m128i a = _mm_loadu_si128((const __m128i *)p), b = _mm_loadu_si128((const __m128i *)(p + 1));
            unsigned both = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, second)));
            for (; both != 0; both &= both - 1) {
                const char *at = p + __builtin_ctz(both);
                if (memcmp(at + 2, word + 2, m - 2) == 0) {
                    return at;
                }
            }
            if (p == last - 15) {
                return NULL;
            }
            p += 16;
        }
    }
#endif
    while (p <= last && (p = memchr(p, word[0], (size_t)(last - p) + 1)) != NULL) {
        if ((m == 1 || p[1] == word[1]) && memcmp(p + 1, word + 1, m - 1) == 0) { /* most fail at the second letter */
            return p;
        }
        p++;
    }
    return NULL;
}

/* Whether the lowered line holds `word` (lowercase ASCII, not ending in "i"); `lower_line` first. */
static int
holds(const Judge *j, const char *word)
{
    return find(j->low, (size_t)j->n, word, strlen(word)) != NULL;
}

/* Whether `ch` is one of the ASCII `chars`. */
static int
one_of(Py_UCS4 ch, const char *chars)
{
    return ch != 0 && ch < 128 && strchr(chars, (int)ch) != NULL;
}

/* The truth of `callable(arg)` or `pattern.method(arg)`: 1, 0, or -1 on an error. */
static int
truth(PyObject *result)
{
    if (result == NULL) {
        return -1;
    }
    int out = PyObject_IsTrue(result);
    Py_DECREF(result);
    return out;
}

static int
pattern_says(PyObject *pattern, PyObject *method, PyObject *text)
{
    return truth(PyObject_CallMethodOneArg(pattern, method, text));
}

/* pattern.method(line[from:to]) is truthy: 1, 0, or -1 on an error. */
static int
slice_says(Judge *j, PyObject *pattern, PyObject *method, Py_ssize_t from, Py_ssize_t to)
{
    PyObject *text = PyUnicode_Substring(j->line, from, to);
    if (text == NULL) {
        return -1;
    }
    int out = pattern_says(pattern, method, text);
    Py_DECREF(text);
    return out;
}

/* The label starts `label_may` was last given, read once (the walk passes the same tuple,
 * references._LABEL_STARTS, for every line): the tuple (a strong reference), and for each ASCII
 * code the starts that begin with it, as bits of their index (a start "" begins with any). */
enum { LABEL_STARTS = 64 };
static struct {
    PyObject *starts;
    uint64_t by_first[128];
} ls;

/* Fills `ls` from `starts` (a tuple); -1 with an exception (ls then is empty). */
static int
label_starts(PyObject *starts)
{
    Py_CLEAR(ls.starts);
    memset(&ls, 0, sizeof(ls));
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(starts); k++) {
        PyObject *start = PyTuple_GET_ITEM(starts, k);
        if (!PyUnicode_Check(start) || !PyUnicode_IS_ASCII(start) || k == LABEL_STARTS) {
            memset(&ls, 0, sizeof(ls));
            PyErr_SetString(PyExc_TypeError, "the relation label starts must be at most 64 ASCII str");
            return -1;
        }
        for (int c = 0; c < 128; c++) {
            if (PyUnicode_GET_LENGTH(start) == 0 || PyUnicode_1BYTE_DATA(start)[0] == c) {
                ls.by_first[c] |= 1ULL << k;
            }
        }
    }
    ls.starts = Py_NewRef(starts);
    return 0;
}

/* Whether `_RELATION_LABEL.match(line[at:])` may match (0: surely not, -1: `starts` is not a tuple
 * of at most 64 ASCII str): past an optional "**" or "__" and blanks, the text starts with one of
 * `starts` (references._LABEL_STARTS, the letters every label begins with; NULL: any text may), an
 * ASCII letter in either case, any other character taken as a letter it may match under re.I ("ſ",
 * the Kelvin sign). The regex cost ~1.5k instructions a line even where its first letter failed it;
 * most lines with a colon start with no label ("- **Factual accuracy**: ..."). Only the starts
 * beginning with the text's first character are compared (`ls`): a loop over the ~30 starts cost
 * ~800 instructions a line. references._label_may is the reference. */
static int
label_may(const Judge *j, Py_ssize_t at, PyObject *starts)
{
    if (starts == NULL) {
        return 1;
    }
    if (starts != ls.starts && label_starts(starts) < 0) {
        return -1;
    }
    Py_ssize_t p = at, n = j->n;
    if (p + 1 < n && ((CH(j, p) == '*' && CH(j, p + 1) == '*') || (CH(j, p) == '_' && CH(j, p + 1) == '_'))) {
        p += 2;
    }
    while (p < n && Py_UNICODE_ISSPACE(CH(j, p))) {
        p++;
    }
    Py_UCS4 first = p < n ? CH(j, p) : 0;
    uint64_t may = first < 128 ? ls.by_first[lower(first)] : ~0ULL; /* any other character: any start */
    for (; may != 0; may &= may - 1) {
        int k = __builtin_ctzll(may);
        if (k >= PyTuple_GET_SIZE(starts)) {
            break;
        }
        PyObject *start = PyTuple_GET_ITEM(starts, k);
        const Py_UCS1 *s = PyUnicode_1BYTE_DATA(start);
        Py_ssize_t m = PyUnicode_GET_LENGTH(start), q = 0;
        if (m > n - p) {
            continue;
        }
        while (q < m) {
            Py_UCS4 ch = CH(j, p + q);
            if (ch < 128 && lower(ch) != s[q]) {
                break;
            }
            q++;
        }
        if (q == m) {
            return 1;
        }
    }
    return 0;
}

/* role_like(c.target.split(":")[-1]), asked once per name. */
static int
role(Judge *j, Cand *c)
{
    if (c->role < 0) {
        c->role = truth(PyObject_CallOneArg(j->env[E_ROLE_LIKE], c->last));
    }
    return c->role;
}

/* `_LINE_MARK.match(line).end()`: blanks, list and quote marks, "1." and "[x]" at the start. Each
 * turn takes the first of the pattern's choices that fits (none can be empty, and nothing follows
 * the repeat, so the engine never goes back on one). `\s` and `\d` are Unicode's, as in a str pattern. */
static Py_ssize_t
line_mark_end(const Judge *j)
{
    Py_ssize_t p = 0, n = j->n;
    while (p < n) {
        Py_UCS4 ch = CH(j, p);
        if (Py_UNICODE_ISSPACE(ch) || one_of(ch, "-*+>|`\"'") || ch == 0x2022 /* • */ || ch == 0x274C /* ❌ */
            || ch == 0x2705 /* ✅ */ || ch == 0x1F6AB /* 🚫 */ || ch == 0x2192 /* → */ || ch == 0x201C /* “ */) {
            p++;
        }
        else if (Py_UNICODE_ISDECIMAL(ch)) {
            Py_ssize_t q = p;
            while (q < n && Py_UNICODE_ISDECIMAL(CH(j, q))) {
                q++;
            }
            if (q < n && (CH(j, q) == '.' || CH(j, q) == ')')) {
                p = q + 1;
            }
            else {
                break;
            }
        }
        else if (ch == '[' && p + 2 < n && one_of(CH(j, p + 1), " xX") && CH(j, p + 2) == ']') {
            p += 3;
        }
        else if ((ch == '_' && p + 1 < n && CH(j, p + 1) == '_') || (ch == 0x26A0 && p + 1 < n && CH(j, p + 1) == 0xFE0F)) {
            p += 2; /* "__", "⚠️" */
        }
        else {
            break;
        }
    }
    return p;
}

/* `_head(line[:at])` as the range [*from, return): the last 120 characters without the markup,
 * quotes and "the" right before the name. */
static int
head_mark(Py_UCS4 ch)
{
    return one_of(ch, " \t*_`\"'([") || ch == 0x201C || ch == 0x201D || ch == 0x2018 || ch == 0x2019; /* “”‘’ */
}

static Py_ssize_t
head_end(const Judge *j, Py_ssize_t at, Py_ssize_t *from)
{
    Py_ssize_t b = at > 120 ? at - 120 : 0, e = at;
    for (;;) {
        Py_ssize_t len = e - b;
        while (e > b && head_mark(CH(j, e - 1))) {
            e--;
        }
        /* only "T", "H", "E" lower to "t", "h", "e" (and a longer lowercase never equals " the") */
        if ((e - b >= 4 && CH(j, e - 4) == ' ' && lower(CH(j, e - 3)) == 't' && lower(CH(j, e - 2)) == 'h'
             && lower(CH(j, e - 1)) == 'e')
            || (e - b == 3 && lower(CH(j, b)) == 't' && lower(CH(j, b + 1)) == 'h' && lower(CH(j, b + 2)) == 'e')) {
            e -= 3;
        }
        if (e - b == len) {
            break;
        }
    }
    *from = b;
    return e;
}

/* Whether line[from:to] ends in "delegate" (any case), blanks and "to", the "delegate" at the start
 * or after a character that is no word character: `\bdelegate\s+to` at the end, one of
 * `_STRONG_BEFORE`'s forms, so the pattern surely matches. A word character and a blank are re's
 * (Unicode alphanumerics and "_"; str.isspace); no character but ASCII letters folds to these
 * letters under re.I (only "s", "i" and "k" have other forms). */
static int
ends_delegate_to(const Judge *j, Py_ssize_t from, Py_ssize_t to)
{
    static const char word[] = "delegate";
    const Py_ssize_t len = (Py_ssize_t)sizeof(word) - 1;
    if (to - from < 2 || lower(CH(j, to - 1)) != 'o' || lower(CH(j, to - 2)) != 't') {
        return 0;
    }
    Py_ssize_t e = to - 2, s = e;
    while (s > from && Py_UNICODE_ISSPACE(CH(j, s - 1))) {
        s--;
    }
    if (s == e || s - from < len) {
        return 0;
    }
    for (Py_ssize_t k = 0; k < len; k++) {
        if (lower(CH(j, s - len + k)) != (Py_UCS4)word[k]) {
            return 0;
        }
    }
    Py_UCS4 ch = s - len > from ? CH(j, s - len - 1) : 0;
    return !(Py_UNICODE_ISALNUM(ch) || ch == '_');
}

/* Words each choice of `_STRONG_BEFORE` holds one of ("handled" holds "hand", "owned" and "owner"
 * "owne"), lowercase. */
static const char *const STRONG_WORDS[] = {
    "delegat", "hand", "pass", "send", "sent", "rout", "defer", "escalat", "forward", "assign", "submit", "transfer",
    "dispatch", "stay", "left", "leave", "owne", "covered", "done", "performed", "implemented", "decided", "that", "job",
    "agent", NULL};

/* Whether line[from:to] may hold a match of `_STRONG_BEFORE` (0: surely not): it holds one of
 * STRONG_WORDS, lowered as `lower` does, or a character re.I folds to "s" or "i" ("ſ", "ı", "İ"),
 * which `lower` does not give as the letter, or it is longer than a head. */
static int
may_be_strong(const Judge *j, Py_ssize_t from, Py_ssize_t to)
{
    char low[128];
    Py_ssize_t n = to - from;
    if (n >= (Py_ssize_t)sizeof(low)) {
        return 1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = CH(j, from + i);
        if (ch == 0x17F || ch == 0x130 || ch == 0x131) {
            return 1;
        }
        ch = lower(ch);
        low[i] = (char)(ch < 128 ? ch : 0x80);
    }
    for (const char *const *w = STRONG_WORDS; *w != NULL; w++) {
        if (find(low, (size_t)n, *w, strlen(*w)) != NULL) {
            return 1;
        }
    }
    return 0;
}

/* `_strong_before(text[from:to])`: only a head ending in a character some form ends in is searched,
 * and only when it holds a word some form needs; "... delegate to" (most strong heads) is not. The
 * search tries every start position of the head (~1 us a head). */
static int
strong_before(Judge *j, Py_ssize_t from, Py_ssize_t to)
{
    if (to <= from || !one_of(CH(j, to - 1), "oOyYrRtTfF:")) {
        return 0;
    }
    if (ends_delegate_to(j, from, to)) {
        return 1;
    }
    if (!may_be_strong(j, from, to)) {
        return 0;
    }
    return slice_says(j, j->env[E_STRONG_BEFORE], S_search, from, to);
}

/* `_in_paren_qualifier(line, c)`: "rho-agent (mobile-suite)". */
static int
in_paren_qualifier(Judge *j, Cand *c)
{
    if (PyUnicode_FindChar(j->line, '(', 0, j->n, 1) < 0) {
        return 0;
    }
    Py_ssize_t b = c->start, a = c->end;
    while (b > 0 && Py_UNICODE_ISSPACE(CH(j, b - 1))) {
        b--;
    }
    while (a < j->n && Py_UNICODE_ISSPACE(CH(j, a))) {
        a++;
    }
    if (!(b > 0 && CH(j, b - 1) == '(' && a < j->n && CH(j, a) == ')')) {
        return 0;
    }
    return slice_says(j, j->env[E_QUALIFIED], S_search, 0, b);
}

/* `_in_command(line, c)`: a name inside backticks followed by more words. */
static int
in_command(Judge *j, Cand *c)
{
    Py_ssize_t ticks = 0;
    if (PyUnicode_FindChar(j->line, '`', 0, j->n, 1) < 0) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < c->start && i < j->n; i++) {
        ticks += CH(j, i) == '`';
    }
    if (ticks % 2 == 0) {
        return 0;
    }
    Py_ssize_t close = c->end;
    while (close < j->n && CH(j, close) != '`') {
        close++;
    }
    if (close >= j->n || close <= c->end) {
        return 0;
    }
    for (Py_ssize_t i = c->end; i < close; i++) {
        if (!Py_UNICODE_ISSPACE(CH(j, i))) {
            return 1;
        }
    }
    return 0;
}

/* Whether text[from:to].strip(chars) is empty (`chars`: ASCII). */
static int
only(PyObject *text, Py_ssize_t from, Py_ssize_t to, const char *chars)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = from; i < to; i++) {
        if (!one_of(PyUnicode_READ(kind, data, i), chars)) {
            return 0;
        }
    }
    return 1;
}

static PyObject *
hit(Judge *j, PyObject *name, PyObject *kind, PyObject *pattern, Cand *c)
{
    PyObject *col = PyLong_FromSsize_t(c->start + 1);
    if (col == NULL) {
        return NULL;
    }
    PyObject *args[5] = {name, kind, pattern, col, Py_True};
    PyObject *out = PyObject_Vectorcall(j->env[E_HIT], args, 5, NULL);
    Py_DECREF(col);
    return out;
}

/* `_cue_kind(line[:c.start])`. */
static PyObject *
cue_kind(Judge *j, Cand *c)
{
    PyObject *before = PyUnicode_Substring(j->line, 0, c->start);
    if (before == NULL) {
        return NULL;
    }
    PyObject *out = PyObject_CallOneArg(j->env[E_CUE_KIND], before);
    Py_DECREF(before);
    return out;
}

static PyObject *
hit_cue(Judge *j, PyObject *name, PyObject *pattern, Cand *c)
{
    PyObject *kind = cue_kind(j, c);
    if (kind == NULL) {
        return NULL;
    }
    PyObject *out = hit(j, name, kind, pattern, c);
    Py_DECREF(kind);
    return out;
}

/* Reads int item `k` of a (lo, hi) pair. */
static int
pair_item(PyObject *pair, Py_ssize_t k, Py_ssize_t *out)
{
    PyObject *item = PySequence_GetItem(pair, k);
    if (item == NULL) {
        return -1;
    }
    *out = small_int(item);
    Py_DECREF(item);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

/* The first_cell test: the name alone (but markup and "agent") in the row's first cell. */
static int
table_row(Judge *j, Cand *c)
{
    int set = PyObject_IsTrue(j->first_cell);
    if (set <= 0) {
        return set;
    }
    Py_ssize_t lo, hi;
    if (pair_item(j->first_cell, 0, &lo) < 0 || pair_item(j->first_cell, 1, &hi) < 0) {
        return -1;
    }
    if (!(lo <= c->start && c->start < hi)) {
        return 0;
    }
    /* Python slices: a bound may be negative or past the end */
    PyObject *lead = PySequence_GetSlice(j->line, lo, c->start);
    if (lead == NULL) {
        return -1;
    }
    int empty = only(lead, 0, PyUnicode_GET_LENGTH(lead), " *`_");
    Py_DECREF(lead);
    if (!empty) {
        return 0;
    }
    PyObject *rest = PySequence_GetSlice(j->line, c->end, hi);
    if (rest == NULL) {
        return -1;
    }
    PyObject *left = PyObject_CallMethodObjArgs(j->env[E_AGENT_AFTER], S_sub, S_empty, rest, NULL);
    Py_DECREF(rest);
    if (left == NULL) {
        return -1;
    }
    if (!PyUnicode_Check(left)) {
        Py_DECREF(left);
        PyErr_SetString(PyExc_TypeError, "_AGENT_AFTER.sub gave no str");
        return -1;
    }
    empty = only(left, 0, PyUnicode_GET_LENGTH(left), " *`_");
    Py_DECREF(left);
    return empty;
}

#define FAIL(x) do { if ((x) < 0) { goto error; } } while (0)

/* `_judge`: the evidence for name `i` of the line (`prev_hit`: the hit of the name before, borrowed,
 * or NULL). A new reference: a Hit, None, or NULL on an error. */
static PyObject *
judge(Judge *j, Py_ssize_t i, PyObject *prev_hit, PyObject *rel_kind)
{
    Cand *c = &j->cands[i];
    int kebab = c->code == F_KEBAB, title = c->code == F_TITLE;
    int is_role = 0;
    PyObject *after = NULL, *before = NULL, *out = NULL, *kind = NULL;
    int r;
    if (c->code != F_AT_WORD) {
        FAIL(is_role = role(j, c));
    }
    if (kebab && !(is_role || j->agentish || j->ctx || rel_kind)) {
        Py_RETURN_NONE;
    }
    FAIL(r = in_paren_qualifier(j, c));
    if (r) {
        Py_RETURN_NONE;
    }
    if (c->code == F_SUB || c->code == F_AT) {
        return hit(j, c->target, S_delegate, c->code == F_SUB ? P_sub : P_at, c);
    }
    FAIL(r = in_command(j, c));
    if (r || c->code == F_AT_WORD) {
        Py_RETURN_NONE;
    }
    if (j->agentish && (kebab || (title && is_role))) {
        after = PyUnicode_Substring(j->line, c->end, j->n);
        if (after == NULL) {
            goto error;
        }
        FAIL(r = pattern_says(j->env[E_AGENT_AFTER], S_match, after));
        if (!r && kebab) {
            FAIL(r = pattern_says(j->env[E_LIST_THEN_AGENT], S_match, after));
        }
        if (r) {
            if (kebab) {
                out = hit_cue(j, c->target, P_name_agent, c);
            }
            else {
                PyObject *name = PyUnicode_Concat(c->target, S_agent_suffix);
                if (name == NULL) {
                    goto error;
                }
                out = hit_cue(j, name, P_name_agent, c);
                Py_DECREF(name);
            }
            goto done;
        }
    }
    if (kebab && !j->skill_line) {
        r = PyUnicode_Tailmatch(c->target, S_agent_suffix, 0, PY_SSIZE_T_MAX, 1);
        FAIL(r);
        if (r) {
            out = hit_cue(j, c->target, P_agent_id, c);
            goto done;
        }
    }
    if (j->skill_line && kebab) {
        goto none;
    }
    if (!is_role) {
        if (rel_kind != NULL && kebab) {
            Py_ssize_t from = -1; /* `_rel_start`: after the previous name or the label's colon */
            for (Py_ssize_t k = 0; k < j->nc; k++) {
                if (j->cands[k].end <= c->start && j->cands[k].end > from) {
                    from = j->cands[k].end;
                }
            }
            for (Py_ssize_t k = c->start - 1; k >= 0; k--) {
                if (CH(j, k) == ':') {
                    from = k + 1 > from ? k + 1 : from;
                    break;
                }
            }
            if (from < 0) {
                from = 0;
            }
            FAIL(r = slice_says(j, j->env[E_JOIN_OR_START], S_match, from, c->start));
            if (r) {
                out = hit(j, c->target, rel_kind, P_relation, c);
                goto done;
            }
        }
        if (kebab && j->ctx) {
            Py_ssize_t from, to = head_end(j, c->start, &from);
            while (to > from && Py_UNICODE_ISSPACE(CH(j, to - 1))) {
                to--;
            }
            FAIL(r = strong_before(j, from, to));
            if (r) {
                out = hit(j, c->target, S_delegate, P_verb_strong, c);
                goto done;
            }
        }
        goto none;
    }
    /* list continuation: "a, b and c" share the evidence of the first */
    if (prev_hit != NULL && prev_hit != Py_None) {
        FAIL(r = slice_says(j, j->env[E_JOIN], S_match, j->cands[i - 1].end, c->start));
        if (r) {
            PyObject *pkind = slot_attr(prev_hit, S_kind);
            if (pkind == NULL) {
                goto error;
            }
            PyObject *ppattern = slot_attr(prev_hit, S_pattern);
            if (ppattern == NULL) {
                Py_DECREF(pkind);
                goto error;
            }
            out = hit(j, c->target, pkind, ppattern, c);
            Py_DECREF(pkind);
            Py_DECREF(ppattern);
            goto done;
        }
    }
    FAIL(r = slice_says(j, j->env[E_ANY_ONE], S_search, c->start > 8 ? c->start - 8 : 0, c->start));
    if (r) {
        goto none;
    }
    Py_ssize_t head_from, head_to = head_end(j, c->start, &head_from);
    /* table structure */
    PyObject *cols = PySequence_Fast(j->target_cols, "target_cols must be a sequence");
    if (cols == NULL) {
        goto error;
    }
    for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(cols); k++) {
        Py_ssize_t lo, hi;
        PyObject *pair = PySequence_Fast_GET_ITEM(cols, k);
        if (pair_item(pair, 0, &lo) < 0 || pair_item(pair, 1, &hi) < 0) {
            Py_DECREF(cols);
            goto error;
        }
        if (lo <= c->start && c->start < hi) {
            Py_DECREF(cols);
            out = hit(j, c->target, S_delegate, P_table_column, c);
            goto done;
        }
    }
    Py_DECREF(cols);
    FAIL(r = table_row(j, c));
    if (r) {
        out = hit(j, c->target, j->compare ? S_compare : S_collaborate, P_table_row, c);
        goto done;
    }
    if (rel_kind != NULL) {
        out = hit(j, c->target, rel_kind, P_relation, c);
        goto done;
    }
    Py_ssize_t bare = head_to;
    while (bare > head_from && Py_UNICODE_ISSPACE(CH(j, bare - 1))) {
        bare--;
    }
    FAIL(r = strong_before(j, head_from, bare));
    if (r) {
        out = hit(j, c->target, S_delegate, P_verb_strong, c);
        goto done;
    }
    if (after == NULL && (after = PyUnicode_Substring(j->line, c->end, j->n)) == NULL) {
        goto error;
    }
    FAIL(r = pattern_says(j->env[E_COMPARED], S_match, after));
    if (r) {
        for (Py_ssize_t k = 0; k < j->nc; k++) {
            if (j->cands[k].start > c->end) {
                out = hit(j, c->target, S_delegate, P_preference, c);
                goto done;
            }
        }
    }
    /* names leading a line (or a bold lead) in a block about agents */
    if (c->start <= j->lead_end + 2) {
        PyObject *sep = PyObject_CallMethodOneArg(j->env[E_LEAD_SEP], S_match, after);
        if (sep == NULL) {
            goto error;
        }
        int found = PyObject_IsTrue(sep);
        if (found < 0) {
            Py_DECREF(sep);
            goto error;
        }
        if (found) {
            PyObject *end = PyObject_CallMethodNoArgs(sep, S_end);
            Py_DECREF(sep);
            if (end == NULL) {
                goto error;
            }
            Py_ssize_t e = small_int(end);
            Py_DECREF(end);
            if (e == -1 && PyErr_Occurred()) {
                goto error;
            }
            if (only(j->line, c->end + e, j->n, " *_:`")) {
                goto none; /* "**Infrastructure & DevOps:**" heads a group; it names none */
            }
            if (j->lead_ok && (j->ctx || j->compare) && !c->brand) {
                out = hit(j, c->target, j->compare ? S_compare : S_delegate, P_lead_name, c);
                goto done;
            }
            goto none; /* a bold term leading a capability bullet */
        }
        Py_DECREF(sep);
    }
    if (c->brand) {
        goto none;
    }
    FAIL(r = slice_says(j, j->env[E_SELF_LEAD], S_search, c->start > 60 ? c->start - 60 : 0, c->start));
    if (r) {
        goto none;
    }
    PyObject *head = PyUnicode_Substring(j->line, head_from, head_to);
    if (head == NULL) {
        goto error;
    }
    kind = PyObject_CallFunctionObjArgs(j->env[E_SOFT_KIND], head, c->form, NULL);
    Py_DECREF(head);
    if (kind == NULL) {
        goto error;
    }
    if (kind != Py_None) {
        out = hit(j, c->target, kind, P_verb, c);
        goto done;
    }
    Py_CLEAR(kind);
    kind = PyObject_CallOneArg(j->env[E_ROLE_VERB], after);
    if (kind == NULL) {
        goto error;
    }
    if (kind != Py_None) {
        out = hit(j, c->target, kind, P_role_verb, c);
        goto done;
    }
    if (title) {
        if ((before = PyUnicode_Substring(j->line, 0, c->start)) == NULL) {
            goto error;
        }
        FAIL(r = truth(PyObject_CallFunctionObjArgs(j->env[E_TITLE_IN_PROSE], before, after, NULL)));
        if (r) {
            out = hit(j, c->target, S_delegate, P_role_name, c);
            goto done;
        }
    }
none:
    out = Py_NewRef(Py_None);
done:
    XDECREF_ALL(after, before, kind);
    return out;
error:
    out = NULL;
    goto done;
}

/* Reads the names of the line into `j->cands`. */
static int
read_cands(Judge *j, PyObject *cands)
{
    for (Py_ssize_t i = 0; i < j->nc; i++) {
        Cand *c = &j->cands[i];
        PyObject *obj = PyList_GET_ITEM(cands, i), *v;
        c->role = -1;
        if ((v = slot_attr(obj, S_start)) == NULL) {
            return -1;
        }
        c->start = small_int(v);
        Py_DECREF(v);
        if ((v = slot_attr(obj, S_end)) == NULL) {
            return -1;
        }
        c->end = small_int(v);
        Py_DECREF(v);
        if (PyErr_Occurred()) {
            return -1;
        }
        if (c->start < 0 || c->end < c->start || c->end > j->n) {
            PyErr_SetString(PyExc_ValueError, "a name's place is outside the line");
            return -1;
        }
        if ((v = slot_attr(obj, S_brand)) == NULL) {
            return -1;
        }
        c->brand = PyObject_IsTrue(v);
        Py_DECREF(v);
        if (c->brand < 0) {
            return -1;
        }
        if ((c->target = slot_attr(obj, S_target)) == NULL || (c->form = slot_attr(obj, S_form)) == NULL) {
            return -1;
        }
        if (!PyUnicode_Check(c->target) || !PyUnicode_Check(c->form)) {
            PyErr_SetString(PyExc_TypeError, "a name's target and form must be str");
            return -1;
        }
        const char *form = PyUnicode_AsUTF8(c->form);
        if (form == NULL) {
            return -1;
        }
        c->code = !strcmp(form, "kebab") ? F_KEBAB : !strcmp(form, "title") ? F_TITLE : !strcmp(form, "at") ? F_AT
                  : !strcmp(form, "at-word") ? F_AT_WORD : !strcmp(form, "sub") ? F_SUB : F_OTHER;
        Py_ssize_t colon = PyUnicode_FindChar(c->target, ':', 0, PyUnicode_GET_LENGTH(c->target), -1);
        if (colon == -2) {
            return -1;
        }
        c->last = colon < 0 ? Py_NewRef(c->target)
                            : PyUnicode_Substring(c->target, colon + 1, PyUnicode_GET_LENGTH(c->target));
        if (c->last == NULL) {
            return -1;
        }
    }
    return 0;
}

/* The weak name of a name no evidence kept: (col, words, kind). */
static PyObject *
weak_of(Judge *j, Cand *c)
{
    PyObject *words;
    if (c->code == F_TITLE) {
        PyObject *parts = PyUnicode_Split(c->last, S_dash, -1);
        if (parts == NULL) {
            return NULL;
        }
        words = PyList_AsTuple(parts);
        Py_DECREF(parts);
    }
    else {
        words = PyTuple_Pack(1, c->target);
    }
    if (words == NULL) {
        return NULL;
    }
    PyObject *kind = cue_kind(j, c);
    if (kind == NULL) {
        Py_DECREF(words);
        return NULL;
    }
    PyObject *out = Py_BuildValue("(nNN)", c->start + 1, words, kind);
    return out;
}

/* Whether the lowered line holds a word some skill or tool form needs. */
static int
skill_words(const Judge *j)
{
    return holds(j, "skill") || holds(j, "command") || holds(j, "plugin") || holds(j, "tool") || holds(j, "mcp");
}

static const char *PASS_ON[] = {"hand", "pass", "send", "rout", "delegat", "prepar", "submit", "forward", "escalat",
                                "use", "invoke", "deploy", "launch", "spawn", "call", NULL};

/* re's word character and, under re.I, what matches [a-z]: ASCII letters, "ſ", "ı", "İ", the Kelvin sign. */
static int
is_word(Py_UCS4 ch)
{
    return Py_UNICODE_ISALNUM(ch) || ch == '_';
}

static int
is_az(Py_UCS4 ch)
{
    return (ch < 128 && Py_ISALPHA(ch)) || ch == 0x17F || ch == 0x131 || ch == 0x130 || ch == KELVIN;
}

/* The words after "agent" with which `_WORD_AGENT` still matches ("hand off to the research agent when ..."). */
static const char *const AGENT_THEN[] = {"with", "to", "for", "and", "or", "when", "if", "once", "after", "before", "so",
                                         "that", "which", "who", "is", "will", "can", "should", "first", "next", "now", NULL};

/* The words `_WORD_AGENT` needs right before "[the] <word> agent" ("hand off to the research agent"). */
static const char *const AGENT_CUES[] = {"to", "for", "use", "invoke", "deploy", "launch", "spawn", "call", NULL};

/* Whether one of AGENT_CUES ends at `end` (0 < end <= n) with no word character before it (`\b`). */
static int
cue_ends_at(const Judge *j, Py_ssize_t end)
{
    for (const char *const *w = AGENT_CUES; *w != NULL; w++) {
        Py_ssize_t len = (Py_ssize_t)strlen(*w), at = end - len;
        if (at >= 0 && memcmp(j->low + at, *w, (size_t)len) == 0 && (at == 0 || !is_word(CH(j, at - 1)))) {
            return 1;
        }
    }
    return 0;
}

/* Start of the blank run ending right before `end`. */
static Py_ssize_t
blanks_back(const Judge *j, Py_ssize_t end)
{
    while (end > 0 && Py_UNICODE_ISSPACE(CH(j, end - 1))) {
        end--;
    }
    return end;
}

/* Whether `\b(?:to|for|...)\s+(?:the\s+)?[a-z]{3,}\s+` may end right after blank `s` (the blank right
 * before "agent", "sub" or "sub-"): the letters before the blanks are a word of three or more with
 * a blank before it, and before that blank run a cue ends, or "the" after a blank and a cue. An
 * "ſ", "ı" or "İ" before the word ("s" and "i" to re.I, not to `lower_line`) leaves it to the pattern. */
static int
cue_then_word(const Judge *j, Py_ssize_t s)
{
    Py_ssize_t e = blanks_back(j, s + 1), b = e;
    while (b > 0 && is_az(CH(j, b - 1))) {
        b--;
    }
    if (e - b < 3 || b == 0 || !Py_UNICODE_ISSPACE(CH(j, b - 1))) {
        return 0;
    }
    Py_ssize_t e2 = blanks_back(j, b);
    for (Py_ssize_t k = 0; k < e2; k++) {
        Py_UCS4 ch = CH(j, k);
        if (ch == 0x17F || ch == 0x131 || ch == 0x130) {
            return 1;
        }
    }
    if (cue_ends_at(j, e2)) {
        return 1;
    }
    return e2 >= 4 && memcmp(j->low + e2 - 3, "the", 3) == 0 && Py_UNICODE_ISSPACE(CH(j, e2 - 4))
           && cue_ends_at(j, blanks_back(j, e2 - 3));
}

/* Whether `_WORD_AGENT` may match the line (0: surely not; `lower_line` first): some "agent" of it
 * (any case: no other character folds to its letters) has a blank right before it, "sub" or "sub-"
 * (`\s+(?:sub-?)?agent`) that ends "<cue> [the] <word>" (`cue_then_word`), is followed by no word
 * character nor "-" (`\b(?![s\w-])`), and not by blanks and a word that is none of AGENT_THEN (the
 * pattern's last look-ahead). Most lines saying " agent" say "to agent-0001", "Supervisor agent
 * classifies" or "Synthetic agent 7"; the pattern tries its lazy gap at each verb (~6 us a line). A
 * word after "agent" with a character other than ASCII may be one of AGENT_THEN to re.I ("ſo",
 * "ıf"): that "agent" may match. */
static int
word_agent_may(const Judge *j)
{
    for (const char *at = j->low; (at = find(at, (size_t)(j->low + j->n - at), "agent", 5)) != NULL; at++) {
        Py_ssize_t p = at - j->low, q = p + 5, n = j->n;
        if (!((p >= 1 && Py_UNICODE_ISSPACE(CH(j, p - 1)) && cue_then_word(j, p - 1))
              || (p >= 4 && Py_UNICODE_ISSPACE(CH(j, p - 4)) && cue_then_word(j, p - 4))
              || (p >= 5 && Py_UNICODE_ISSPACE(CH(j, p - 5)) && cue_then_word(j, p - 5)))) {
            continue;
        }
        if (q < n && (is_word(CH(j, q)) || CH(j, q) == '-')) {
            continue;
        }
        Py_ssize_t r = q;
        while (r < n && Py_UNICODE_ISSPACE(CH(j, r))) {
            r++;
        }
        if (r == q || r == n || !is_az(CH(j, r))) {
            return 1; /* no blank and letter follow: the look-ahead holds */
        }
        for (Py_ssize_t k = r; k < n && k < r + 7; k++) {
            if (CH(j, k) >= 128) {
                return 1;
            }
        }
        for (const char *const *w = AGENT_THEN; *w != NULL; w++) {
            Py_ssize_t len = (Py_ssize_t)strlen(*w);
            if (r + len <= n && memcmp(j->low + r, *w, (size_t)len) == 0 && (r + len == n || !is_word(CH(j, r + len)))) {
                return 1;
            }
        }
    }
    return 0;
}

static PyObject *
pair(PyObject *hits, PyObject *weak)
{
    PyObject *out = hits != NULL && weak != NULL ? PyTuple_Pack(2, hits, weak) : NULL;
    Py_XDECREF(hits);
    Py_XDECREF(weak);
    return out;
}

/* The line for the C weak phrase scan as mentions.weak_phrases hands it over: the line itself when it
 * is ASCII; a copy with "?" for each other character when each of those is a sign (`_signs_only`: no
 * word character nor blank to re, which reads "?" the same); NULL with no error set when a character
 * other than ASCII is a word character or a blank (the line is for `_weak_phrases_py`). */
static PyObject *
weak_ascii_line(Judge *j)
{
    if (PyUnicode_IS_ASCII(j->line)) {
        return Py_NewRef(j->line);
    }
    PyObject *out = PyUnicode_New(j->n, 127);
    if (out == NULL) {
        return NULL;
    }
    /* a loop per width: PyUnicode_READ's switch cost ~10 instructions a character, twice (a test
     * pass, then a copy), on the ~9 such lines of an agent ("→ Delegate to ...") */
    Py_UCS1 *to = PyUnicode_1BYTE_DATA(out);
#define SIGNS_TO_ASCII(T)                                                                                              \
    do {                                                                                                               \
        const T *d = j->data;                                                                                          \
        for (Py_ssize_t i = 0; i < j->n; i++) {                                                                        \
            Py_UCS4 ch = d[i];                                                                                         \
            if (ch >= 128 && (Py_UNICODE_ISALNUM(ch) || Py_UNICODE_ISSPACE(ch))) {                                     \
                Py_DECREF(out);                                                                                        \
                return NULL;                                                                                           \
            }                                                                                                          \
            to[i] = (Py_UCS1)(ch < 128 ? ch : '?');                                                                    \
        }                                                                                                              \
    } while (0)
    if (j->kind == PyUnicode_1BYTE_KIND) {
        SIGNS_TO_ASCII(Py_UCS1);
    }
    else if (j->kind == PyUnicode_2BYTE_KIND) {
        SIGNS_TO_ASCII(Py_UCS2);
    }
    else {
        SIGNS_TO_ASCII(Py_UCS4);
    }
#undef SIGNS_TO_ASCII
    return out;
}

/* `weak_phrases(line)`: the C scan for a line `weak_ascii_line` gives, without the Python frames
 * (`weak_phrases`, `_signs_only` and its copies); the Python function for any other. A new
 * reference, or NULL on an error. */
static PyObject *
weak_phrases(Judge *j)
{
    PyObject *ascii = weak_ascii_line(j);
    if (ascii == NULL) {
        return PyErr_Occurred() ? NULL : PyObject_CallOneArg(j->env[E_WEAK_PHRASES], j->line);
    }
    PyObject *out = PyObject_CallOneArg(j->env[E_WEAK_ASCII], ascii);
    Py_DECREF(ascii);
    return out;
}

/* `_phrase_weak(line)`: the weak phrase scan first, and only a line holding a phrase (few) to
 * `_phrase_weak`, which finds them again and gives each its kind: its Python frames (and, for a line
 * with signs such as "→", `_signs_only`'s copies) cost more than the C scan. A new list, or NULL on
 * an error. */
static PyObject *
phrase_weak(Judge *j)
{
    PyObject *phrases = weak_phrases(j);
    if (phrases == NULL) {
        return NULL;
    }
    int some = PyObject_IsTrue(phrases);
    Py_DECREF(phrases);
    if (some <= 0) {
        return some < 0 ? NULL : PyList_New(0);
    }
    return PyObject_CallOneArg(j->env[E_PHRASE_WEAK], j->line);
}

PyDoc_STRVAR(scan_line_doc,
"scan_line(env, line, cands, ctx, compare, self_name, lead_ok, target_cols, first_cell, skill_ctx, weak_hint,\n"
"          starts=None)\n"
"--\n\n"
"mentions._scan_line_py(line, ...) with `cands` and `weak_hint` given; `env`: the Python callables\n"
"mentions._native_judge passes, `starts`: as inert's.");

static PyObject *
scan_line(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 11 && nargs != 12)
        return type_error("scan_line takes 11 arguments, or 12 with the label starts");
    PyObject *starts = nargs == 12 ? args[11] : NULL; /* the walk's: a line with a colon may skip the label regex */
    if (starts != NULL && !PyTuple_Check(starts))
        return type_error("scan_line: the label starts must be a tuple");
    PyObject *env = args[0], *line = args[1], *cands = args[2], *self_name = args[5];
    if (!PyTuple_Check(env) || PyTuple_GET_SIZE(env) != E_COUNT)
        return type_error("scan_line: env must be the tuple of mentions._native_judge");
    if (!PyUnicode_Check(line))
        return type_error("scan_line: line must be a str");
    if (!PyList_Check(cands))
        return type_error("scan_line: cands must be a list");
    int flags[5];
    const int at[5] = {3, 4, 6, 9, 10}; /* ctx, compare, lead_ok, skill_ctx, weak_hint */
    for (int k = 0; k < 5; k++) {
        if ((flags[k] = PyObject_IsTrue(args[at[k]])) < 0) {
            return NULL;
        }
    }
    Judge j = {
        .env = &PyTuple_GET_ITEM(env, 0), .line = line, .kind = PyUnicode_KIND(line), .data = PyUnicode_DATA(line),
        .n = PyUnicode_GET_LENGTH(line), .nc = PyList_GET_SIZE(cands), .ctx = flags[0], .compare = flags[1],
        .lead_ok = flags[2], .target_cols = args[7], .first_cell = args[8],
    };
    int skill_ctx = flags[3], weak_hint = flags[4];
    if (lower_line(&j) < 0) {
        return NULL;
    }
    j.agentish = holds(&j, "agent");
    if (j.nc == 0 && !j.agentish) { /* only a spaced name after a verb can be here */
        PyObject *weak = NULL;
        int r = 1;
        if (weak_hint && !skill_ctx) {
            r = skill_words(&j) ? pattern_says(j.env[E_SKILLISH], S_search, line) : 0;
            if (r == 0) {
                weak = phrase_weak(&j);
                r = weak == NULL ? -1 : 0;
            }
        }
        free_low(&j);
        return r < 0 ? NULL : pair(PyList_New(0), weak == NULL ? PyList_New(0) : weak);
    }
    Cand small[16];
    j.cands = j.nc <= 16 ? small : PyMem_New(Cand, j.nc);
    if (j.cands == NULL) {
        free_low(&j);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < j.nc; i++) {
        j.cands[i].target = j.cands[i].form = j.cands[i].last = NULL;
    }
    PyObject *hits = NULL, *weak = NULL, *rel = NULL, *out = NULL;
    Py_ssize_t rel_end = 0;
    PyObject *rel_kind = NULL, *label_kind = NULL; /* borrowed from rel */
    if (read_cands(&j, cands) < 0) {
        goto error;
    }
    if (j.nc) { /* the line's lead and a relation label matter only to the names judged below */
        j.lead_end = line_mark_end(&j);
        /* every label ends in a colon; `_relation` (a Python frame) is asked only where its regex matches */
        int labelled = PyUnicode_FindChar(line, ':', 0, j.n, 1) >= 0 ? label_may(&j, j.lead_end, starts) : 0;
        if (labelled > 0) {
            labelled = slice_says(&j, j.env[E_RELATION_LABEL], S_match, j.lead_end, j.n);
        }
        if (labelled < 0) {
            goto error;
        }
        if (labelled) {
            PyObject *lead_end = PyLong_FromSsize_t(j.lead_end);
            if (lead_end == NULL) {
                goto error;
            }
            rel = PyObject_CallFunctionObjArgs(j.env[E_RELATION], line, lead_end, j.ctx ? Py_True : Py_False, NULL);
            Py_DECREF(lead_end);
            if (rel == NULL) {
                goto error;
            }
            if (rel != Py_None) {
                if (!PyTuple_Check(rel) || PyTuple_GET_SIZE(rel) != 3) {
                    PyErr_SetString(PyExc_TypeError, "_relation must give None or a 3-tuple");
                    goto error;
                }
                rel_end = small_int(PyTuple_GET_ITEM(rel, 0));
                if (rel_end == -1 && PyErr_Occurred()) {
                    goto error;
                }
                rel_kind = PyTuple_GET_ITEM(rel, 1);
                label_kind = PyTuple_GET_ITEM(rel, 2);
            }
        }
    }
    j.skill_line = skill_ctx;
    if (!skill_ctx && !j.agentish && skill_words(&j)) {
        if ((j.skill_line = pattern_says(j.env[E_SKILLISH], S_search, line)) < 0) {
            goto error;
        }
    }
    if ((hits = PyList_New(0)) == NULL || (weak = PyList_New(0)) == NULL) {
        goto error;
    }
    PyObject *prev_hit = NULL; /* borrowed: `hits` holds it */
    for (Py_ssize_t i = 0; i < j.nc; i++) {
        Cand *c = &j.cands[i];
        PyObject *kind = rel_kind != NULL && c->start >= rel_end ? rel_kind : NULL;
        if (kind != NULL && PyUnicode_Check(kind) && PyUnicode_Compare(kind, S_role_only) == 0) {
            int r = c->code == F_KEBAB ? role(&j, c) : 0;
            if (r < 0) {
                goto error;
            }
            kind = r ? label_kind : NULL;
        }
        PyObject *h = judge(&j, i, prev_hit, kind);
        if (h == NULL) {
            goto error;
        }
        if (h != Py_None) {
            int r = PyList_Append(hits, h);
            Py_DECREF(h);
            if (r < 0) {
                goto error;
            }
            prev_hit = h;
            continue;
        }
        Py_DECREF(h);
        prev_hit = NULL;
        if ((c->code == F_KEBAB || c->code == F_TITLE || c->code == F_AT_WORD) && !j.skill_line) {
            int r = c->code != F_KEBAB ? 1 : role(&j, c);
            if (r > 0) {
                r = in_paren_qualifier(&j, c);
                if (r == 0) {
                    PyObject *w = weak_of(&j, c);
                    if (w == NULL) {
                        goto error;
                    }
                    r = PyList_Append(weak, w);
                    Py_DECREF(w);
                }
                else if (r > 0) {
                    r = 0;
                }
            }
            if (r < 0) {
                goto error;
            }
        }
    }
    if (j.agentish && (holds(&j, " agent") || holds(&j, " subagent"))) {
        int may = !PyUnicode_IS_ASCII(line); /* `_may_pass_on`: only an ASCII line is tested */
        for (const char **w = PASS_ON; *w != NULL && !may; w++) {
            may = holds(&j, *w);
        }
        if (may && word_agent_may(&j)) {
            PyObject *more = PyObject_CallFunctionObjArgs(j.env[E_WORD_AGENTS], line, hits, self_name, NULL);
            if (more == NULL) {
                goto error;
            }
            PyObject *joined = PySequence_InPlaceConcat(hits, more);
            Py_DECREF(more);
            if (joined == NULL) {
                goto error;
            }
            Py_DECREF(joined);
        }
    }
    if (!j.skill_line && weak_hint) {
        /* the line straight to the weak phrase scan mentions.weak_phrases would hand it to */
        PyObject *phrases = weak_phrases(&j);
        if (phrases == NULL) {
            goto error;
        }
        int some = PyObject_IsTrue(phrases);
        if (some > 0) { /* most lines hold none */
            PyObject *more = PyObject_CallFunctionObjArgs(j.env[E_MORE_WEAK], phrases, hits, weak, NULL);
            if (more == NULL) {
                some = -1;
            }
            else {
                PyObject *joined = PySequence_InPlaceConcat(weak, more);
                Py_DECREF(more);
                if (joined == NULL) {
                    some = -1;
                }
                Py_XDECREF(joined);
            }
        }
        Py_DECREF(phrases);
        if (some < 0) {
            goto error;
        }
    }
    out = PyTuple_Pack(2, hits, weak);
error:
    XDECREF_ALL(hits, weak, rel);
    for (Py_ssize_t i = 0; i < j.nc; i++) {
        XDECREF_ALL(j.cands[i].target, j.cands[i].form, j.cands[i].last);
    }
    if (j.cands != small) {
        PyMem_Free(j.cands);
    }
    free_low(&j);
    return out;
}

/* holds(j, "agent") without `lower_line`'s copy of the line, for `inert`: in a line of one byte a
 * character, memchr finds each "g" or "G" and the letters around it are tested (~100 instructions a
 * line where lowering it cost ~800: a character of Latin-1 lowers to no ASCII letter, and "agent"
 * holds no "k" the Kelvin sign could be). -1 on a memory error. */
static int
holds_agent(Judge *j)
{
    if (j->kind != PyUnicode_1BYTE_KIND) {
        if (lower_line(j) < 0) {
            return -1;
        }
        int agent = holds(j, "agent");
        free_low(j);
        return agent;
    }
    if (j->n < 5) {
        return 0;
    }
    const Py_UCS1 *d = j->data, *last = d + j->n - 4; /* the last place a "g" of "agent" can be */
    for (int c = 0; c < 2; c++) {
        for (const Py_UCS1 *p = d + 1; p <= last && (p = memchr(p, c ? 'G' : 'g', (size_t)(last - p) + 1)) != NULL; p++) {
            if ((p[-1] | 0x20) == 'a' && (p[1] | 0x20) == 'e' && (p[2] | 0x20) == 'n' && (p[3] | 0x20) == 't') {
                return 1;
            }
        }
    }
    return 0;
}

PyDoc_STRVAR(inert_doc,
"inert(env, line, cands, starts=None)\n"
"--\n\n"
"mentions.inert(line, cands); `env`: the Python callables mentions._native_judge passes, `starts`: the\n"
"letters a relation label begins with (references._LABEL_STARTS), which spare most lines the label regex.");

static PyObject *
inert(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 && nargs != 4)
        return type_error("inert takes 3 or 4 arguments");
    PyObject *env = args[0], *line = args[1], *cands = args[2], *starts = nargs == 4 ? args[3] : NULL;
    if (!PyTuple_Check(env) || PyTuple_GET_SIZE(env) != E_COUNT || !PyUnicode_Check(line) || !PyList_Check(cands)
        || (starts != NULL && !PyTuple_Check(starts))) {
        return type_error("inert(env, line: str, cands: list, starts: tuple)");
    }
    Judge j = {.env = &PyTuple_GET_ITEM(env, 0), .line = line, .kind = PyUnicode_KIND(line), .data = PyUnicode_DATA(line),
               .n = PyUnicode_GET_LENGTH(line)};
    /* The tests in order of cost, each able to say "not inert" alone: the names' forms, "agent", a
     * relation label, then role_like of each name (a Python call, ~830 instructions). */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(cands); i++) {
        PyObject *form = slot_attr(PyList_GET_ITEM(cands, i), S_form);
        if (form == NULL) {
            return NULL;
        }
        int kebab = is_form(form, S_kebab);
        Py_DECREF(form);
        if (!kebab) {
            Py_RETURN_FALSE;
        }
    }
    int agent = holds_agent(&j);
    if (agent != 0) {
        return agent < 0 ? NULL : Py_NewRef(Py_False);
    }
    if (PyUnicode_FindChar(line, ':', 0, j.n, 1) >= 0) {
        Py_ssize_t lead_end = line_mark_end(&j);
        int labelled = label_may(&j, lead_end, starts);
        if (labelled > 0) {
            labelled = slice_says(&j, j.env[E_RELATION_LABEL], S_match, lead_end, j.n);
        }
        if (labelled != 0) {
            return labelled < 0 ? NULL : Py_NewRef(Py_False);
        }
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(cands); i++) {
        Cand c = {.role = -1, .last = NULL};
        PyObject *target = slot_attr(PyList_GET_ITEM(cands, i), S_target);
        if (target == NULL) {
            return NULL;
        }
        if (!PyUnicode_Check(target)) {
            Py_DECREF(target);
            PyErr_SetString(PyExc_TypeError, "a name's target must be str");
            return NULL;
        }
        Py_ssize_t colon = PyUnicode_FindChar(target, ':', 0, PyUnicode_GET_LENGTH(target), -1);
        c.last = colon == -2 ? NULL : colon < 0 ? Py_NewRef(target)
                                               : PyUnicode_Substring(target, colon + 1, PyUnicode_GET_LENGTH(target));
        Py_DECREF(target);
        if (c.last == NULL) {
            return NULL;
        }
        int r = role(&j, &c);
        Py_DECREF(c.last);
        if (r != 0) {
            return r < 0 ? NULL : Py_NewRef(Py_False);
        }
    }
    Py_RETURN_TRUE;
}

PyDoc_STRVAR(label_may_doc,
"label_may(line, at, starts)\n"
"--\n\n"
"references._label_may(line, at, starts): whether mentions._RELATION_LABEL may match line[at:].");

static PyObject *
label_may_py(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t at = nargs == 3 && PyLong_Check(args[1]) ? small_int(args[1]) : -1;
    if (at == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (nargs != 3 || !PyUnicode_Check(args[0]) || at < 0 || at > PyUnicode_GET_LENGTH(args[0]) || !PyTuple_Check(args[2]))
        return type_error("label_may(line: str, at: int in 0..len(line), starts: tuple[ASCII str, ...])");
    Judge j = {.line = args[0], .kind = PyUnicode_KIND(args[0]), .data = PyUnicode_DATA(args[0]),
               .n = PyUnicode_GET_LENGTH(args[0])};
    int may = label_may(&j, at, args[2]);
    return may < 0 ? NULL : PyBool_FromLong(may);
}

/* ---- references._walk_py in C: one call per agent ---- */

/* The Python objects references._native_walk passes, in this order. */
enum { W_HEADING, W_CODE, W_TABLE, W_PARAGRAPH, W_LABEL, W_LEAD_SAYS, W_ROWS, W_LABEL_STARTS, W_JUDGE_ENV, W_COUNT };

static PyObject *S_text, *S_title, *S_line, *S_col, *EMPTY_TUPLE, *ONE;

typedef struct {
    PyObject *const *env;
    PyObject *judge_env, *starts, *src, *by_line, *hinted, *lines, *blocks, *firsts, *titles, *name, *known, *hits, *weak;
    int any_known;
    Py_ssize_t *first, nfirst; /* `firsts` as C ints (`read_firsts`) */
    int sorted;                /* first[] never decreases: a later line's block is found from the last one on */
    Py_ssize_t last_j;         /* the block the last line was in (-1: none yet), and what `block_of` read of it */
    PyObject *last_block;      /* borrowed: blocks[last_j] when its end and line were read */
    Py_ssize_t last_end, last_line;
} Walk;

/* `firsts` into w->first (a list of ints): the walk's ~90 lookups an agent searched the list, each
 * step converting a Python int (~15k instructions an agent). 0, or -1 with an error set. */
static int
read_firsts(Walk *w)
{
    w->nfirst = PyList_GET_SIZE(w->firsts);
    w->first = PyMem_New(Py_ssize_t, w->nfirst > 0 ? w->nfirst : 1);
    if (w->first == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    w->last_j = -1;
    w->last_block = NULL;
    /* in locals: through `w`, each store to first[] made the compiler read w's fields again */
    Py_ssize_t *first = w->first, n = w->nfirst, prev = PY_SSIZE_T_MIN;
    int sorted = 1;
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t v = small_int(PyList_GET_ITEM(w->firsts, k)); /* (an __index__ may move the items) */
        if (v == -1 && PyErr_Occurred()) {
            return -1;
        }
        sorted &= prev <= v;
        first[k] = prev = v;
    }
    w->sorted = sorted;
    return 0;
}

/* An int attribute of a block (its `line` or `end`); -1 with an error set when it is none. */
static Py_ssize_t
int_attr(PyObject *obj, PyObject *attr)
{
    PyObject *v = slot_attr(obj, attr);
    if (v == NULL) {
        return -1;
    }
    Py_ssize_t out = PyLong_Check(v) ? small_int(v) : PyLong_AsSsize_t(v);
    Py_DECREF(v);
    if (out == -1 && !PyErr_Occurred()) {
        PyErr_SetString(PyExc_ValueError, "a block's line and end must be positive");
    }
    return out;
}

/* bisect_right(firsts, i + 1) - 1: the last block starting at or before 0-based line `i`, -1 for
 * none, -2 on an error. */
static Py_ssize_t
block_at(const Walk *w, Py_ssize_t i)
{
    Py_ssize_t lo = 0, hi = w->nfirst;
    if (w->sorted && w->last_j >= 0 && w->last_j < hi && w->first[w->last_j] <= i + 1) {
        /* the walk's lines come in order: the last line's block or one after it */
        for (lo = w->last_j + 1; lo < hi && w->first[lo] <= i + 1; lo++) {
        }
        hi = lo;
    }
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (i + 1 < w->first[mid]) {
            hi = mid;
        }
        else {
            lo = mid + 1;
        }
    }
    if (lo - 1 >= PyList_GET_SIZE(w->blocks)) {
        PyErr_SetString(PyExc_IndexError, "more first lines than blocks");
        return -2;
    }
    return lo - 1;
}

/* references.block_of: the index of the block holding 0-based line `i`, -1 for none, -2 on an error. */
static Py_ssize_t
block_of(Walk *w, Py_ssize_t i)
{
    Py_ssize_t j = block_at(w, i);
    if (j < 0) {
        return j;
    }
    PyObject *b = PyList_GET_ITEM(w->blocks, j);
    if (j != w->last_j || b != w->last_block) { /* most lines are in the block of the line before */
        w->last_j = j;
        w->last_block = NULL;
        if ((w->last_end = int_attr(b, S_end)) < 0) {
            return -2;
        }
        w->last_line = -1; /* read when asked */
        w->last_block = b;
    }
    if (i < w->last_end) {
        return j;
    }
    if (w->last_line < 0 && (w->last_line = int_attr(b, S_line)) < 0) {
        return -2;
    }
    return i < w->last_line ? j : -1;
}

/* references._all_known: 1, 0, or -1 on an error. */
static int
all_known(const Walk *w, PyObject *cands, PyObject *line_no)
{
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(cands); i++) {
        PyObject *c = PyList_GET_ITEM(cands, i);
        PyObject *form = slot_attr(c, S_form);
        if (form == NULL) {
            return -1;
        }
        int title = is_form(form, S_title); /* (S_title: the attribute name, the same interned str) */
        Py_DECREF(form);
        if (title) {
            return 0;
        }
        PyObject *target = slot_attr(c, S_target);
        if (target == NULL) {
            return -1;
        }
        PyObject *key = PyTuple_Pack(2, target, line_no);
        Py_DECREF(target);
        if (key == NULL) {
            return -1;
        }
        int r = PySequence_Contains(w->known, key);
        Py_DECREF(key);
        if (r <= 0) {
            return r;
        }
    }
    return 1;
}

/* A judged line's names added as references._keep adds them. */
static int
keep(const Walk *w, PyObject *line_no, PyObject *section, PyObject *text, PyObject *found, PyObject *soft)
{
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(found); i++) {
        PyObject *h = PyList_GET_ITEM(found, i);
        PyObject *col = slot_attr(h, S_col);
        if (col == NULL) {
            return -1;
        }
        PyObject *row = PyTuple_Pack(5, line_no, col, h, section, text);
        Py_DECREF(col);
        if (row == NULL || PyList_Append(w->hits, row) < 0) {
            Py_XDECREF(row);
            return -1;
        }
        Py_DECREF(row);
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(soft); i++) {
        PyObject *s = PyList_GET_ITEM(soft, i);
        if (!PyTuple_Check(s) || PyTuple_GET_SIZE(s) != 3) {
            PyErr_SetString(PyExc_TypeError, "a weak name must be a (col, words, kind) tuple");
            return -1;
        }
        PyObject *row = PyTuple_Pack(6, line_no, PyTuple_GET_ITEM(s, 0), PyTuple_GET_ITEM(s, 1), PyTuple_GET_ITEM(s, 2),
                                     section, text);
        if (row == NULL || PyList_Append(w->weak, row) < 0) {
            Py_XDECREF(row);
            return -1;
        }
        Py_DECREF(row);
    }
    return 0;
}

/* `run` of references._walk_py for 0-based line `i` of section `k` (an int or None); `key`: i as an
 * int object and `cands` its names (by_line[key]) if the caller holds them (borrowed), else NULL. */
static int
run_line(const Walk *w, Py_ssize_t i, PyObject *key, PyObject *cands, PyObject *k, int ctx, int compare, int skill,
         int lead_ok, PyObject *target_cols, PyObject *first_cell)
{
    key = key != NULL ? Py_NewRef(key) : PyLong_FromSsize_t(i);
    if (key == NULL) {
        return -1;
    }
    if (cands == NULL) {
        cands = PyDict_GetItemWithError(w->by_line, key); /* borrowed */
    }
    int weak_hint = cands == NULL ? -1 : PySet_Contains(w->hinted, key);
    Py_DECREF(key);
    if (cands == NULL) {
        return PyErr_Occurred() ? -1 : 0;
    }
    if (weak_hint < 0) {
        return -1;
    }
    if (!PyList_Check(cands) || i >= PyList_GET_SIZE(w->lines)) {
        PyErr_SetString(PyExc_TypeError, "walk: each line's names must be a list, and every line be in lines");
        return -1;
    }
    PyObject *text = PyList_GET_ITEM(w->lines, i);
    if (!ctx && !weak_hint) {
        PyObject *args[4] = {w->judge_env, text, cands, w->starts};
        int r = truth(inert(NULL, args, 4));
        if (r != 0) {
            return r < 0 ? -1 : 0;
        }
    }
    PyObject *line_no = NULL; /* i + 1, made when a key or a result needs it: most lines give nothing */
    PyObject *none_known = NULL; /* the empty list judged in place of names all known */
    if (w->any_known && PyList_GET_SIZE(cands) > 0) {
        if ((line_no = PyLong_FromSsize_t(i + 1)) == NULL) {
            return -1;
        }
        int r = all_known(w, cands, line_no);
        if (r > 0) {
            cands = none_known = PyList_New(0);
        }
        if (r < 0 || cands == NULL) {
            Py_DECREF(line_no);
            return -1;
        }
    }
    PyObject *t = Py_True, *f = Py_False; /* borrowed, as every argument of a vectorcall */
    PyObject *args[12] = {w->judge_env, text, cands, ctx ? t : f, compare ? t : f, w->name, lead_ok ? t : f,
                          target_cols, first_cell, skill ? t : f, weak_hint ? t : f, w->starts};
    PyObject *res = scan_line(NULL, args, 12);
    Py_XDECREF(none_known);
    int r = -1;
    if (res != NULL) {
        PyObject *section = Py_None;
        if (k != Py_None) {
            Py_ssize_t at = small_int(k);
            if (at >= 0 && at < PyList_GET_SIZE(w->titles)) {
                section = PyList_GET_ITEM(w->titles, at);
            }
            else if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_IndexError, "walk: a block's section has no title");
            }
        }
        PyObject *found = PyTuple_GET_ITEM(res, 0), *soft = PyTuple_GET_ITEM(res, 1);
        if (!PyErr_Occurred() && (!PyList_Check(found) || !PyList_Check(soft))) {
            PyErr_SetString(PyExc_TypeError, "scan_line must give two lists");
        }
        if (!PyErr_Occurred()) {
            r = 0;
            if (PyList_GET_SIZE(found) > 0 || PyList_GET_SIZE(soft) > 0) {
                if (line_no == NULL) {
                    line_no = PyLong_FromSsize_t(i + 1);
                }
                r = line_no == NULL ? -1 : keep(w, line_no, section, text, found, soft);
            }
        }
        Py_DECREF(res);
    }
    Py_XDECREF(line_no);
    return r;
}

/* Reads a 3-tuple of truths (a section's context, or what a lead-in says) into `out`. */
static int
three(PyObject *t, int out[3])
{
    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 3) {
        PyErr_SetString(PyExc_TypeError, "walk: a context must be a 3-tuple");
        return -1;
    }
    for (int n = 0; n < 3; n++) {
        if ((out[n] = PyObject_IsTrue(PyTuple_GET_ITEM(t, n))) < 0) {
            return -1;
        }
    }
    return 0;
}

/* references._lead_in: a one-line paragraph ending in a colon, past "*", "_" and " " ("**Work with:**"). */
static int
lead_in(PyObject *text)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    while (n > 0 && one_of(PyUnicode_READ(kind, data, n - 1), "*_ ")) {
        n--;
    }
    return n > 0 && PyUnicode_READ(kind, data, n - 1) == ':'
           && PyUnicode_FindChar(text, '\n', 0, PyUnicode_GET_LENGTH(text), 1) == -1;
}

/* references._lead: the lead-in context (*lead_ctx, *lead_skill) once the walk has passed blocks
 * [from, to]. A heading resets it, so only the labels and lead-in paragraphs after the last heading
 * are read: their text asks `_lead_says` (a memo.Memo), and read() no
 * longer sorts out every lead-in of the file first (~18k instructions an agent). */
static int
lead(const Walk *w, Py_ssize_t from, Py_ssize_t to, int *lead_ctx, int *lead_skill)
{
    if (to >= PyList_GET_SIZE(w->blocks)) {
        PyErr_SetString(PyExc_RuntimeError, "walk: the blocks changed");
        return -1;
    }
    for (Py_ssize_t q = to; q >= from; q--) {
        if (Py_TYPE(PyList_GET_ITEM(w->blocks, q)) == (PyTypeObject *)w->env[W_HEADING]) {
            from = q + 1;
            *lead_ctx = *lead_skill = 0;
            break;
        }
    }
    for (Py_ssize_t q = from; q <= to && q < PyList_GET_SIZE(w->blocks); q++) { /* _lead_says may run any code */
        PyObject *mark = PyList_GET_ITEM(w->blocks, q);
        PyTypeObject *kind = Py_TYPE(mark);
        if (kind != (PyTypeObject *)w->env[W_LABEL] && kind != (PyTypeObject *)w->env[W_PARAGRAPH]) {
            continue;
        }
        Py_INCREF(mark);
        PyObject *text = slot_attr(mark, kind == (PyTypeObject *)w->env[W_PARAGRAPH] ? S_text : S_title);
        Py_DECREF(mark);
        if (text == NULL) {
            return -1;
        }
        if (!PyUnicode_Check(text)) {
            Py_DECREF(text);
            PyErr_SetString(PyExc_TypeError, "walk: a block's text must be str");
            return -1;
        }
        PyObject *says = kind == (PyTypeObject *)w->env[W_PARAGRAPH] && !lead_in(text)
                         ? Py_NewRef(Py_None) : PyObject_CallOneArg(w->env[W_LEAD_SAYS], text);
        Py_DECREF(text);
        if (says == NULL) {
            return -1;
        }
        int r = 0, v[3];
        if (says != Py_None) {
            r = three(says, v);
            if (r == 0) { /* deleg, skill word, agent word */
                *lead_ctx = v[0] || (*lead_ctx && !v[1]);
                *lead_skill = v[1] && !v[2];
            }
        }
        Py_DECREF(says);
        if (r < 0) {
            return -1;
        }
    }
    return 0;
}

/* A line of `by_line` (0-based line -> its names): the line, its key and its names (new references). */
typedef struct {
    Py_ssize_t i;
    PyObject *key, *cands;
} LineNames;

static int
line_order(const void *a, const void *b)
{
    Py_ssize_t x = ((const LineNames *)a)->i, y = ((const LineNames *)b)->i;
    return (x > y) - (x < y);
}

static void
lines_free(LineNames *lines, Py_ssize_t n)
{
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_DECREF(lines[k].key);
        Py_DECREF(lines[k].cands);
    }
    PyMem_Free(lines);
}

/* `by_line`'s lines (int keys) and their names, in order of line, in *n of them: the walk read them as
 * a sorted list of its keys, each looked up again (~17K instructions a 32 KB agent's ~60 lines). Lines
 * all in 0..nmax - 1 (the text's: always, from references.read) are put in order by a slot a line;
 * others by qsort. NULL with an error set. */
static LineNames *
lines_in_order(PyObject *by_line, Py_ssize_t nmax, Py_ssize_t *n)
{
    Py_ssize_t size = PyDict_GET_SIZE(by_line), pos = 0, count = 0;
    LineNames *lines = PyMem_New(LineNames, size > 0 ? size : 1);
    if (lines == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    PyObject *key, *cands;
    int inside = 1;
    while (count < size && PyDict_Next(by_line, &pos, &key, &cands)) {
        Py_ssize_t i = PyLong_Check(key) ? small_int(key) : -1;
        if (i == -1 && (PyErr_Occurred() || !PyLong_Check(key))) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError, "walk: each line of by_line must be an int");
            }
            lines_free(lines, count);
            return NULL;
        }
        inside &= i >= 0 && i < nmax;
        lines[count++] = (LineNames){i, Py_NewRef(key), Py_NewRef(cands)};
    }
    *n = count;
    /* glibc's qsort (a merge sort through a compare call) cost as much as the list's sort: a bit a
     * line says which have names, and each of those its entry */
    size_t nbits = ((size_t)nmax + 63) / 64;
    uint64_t *has = inside && count > 1 ? PyMem_Calloc(nbits, sizeof(uint64_t)) : NULL;
    Py_ssize_t *at = has != NULL ? PyMem_New(Py_ssize_t, nmax) : NULL;
    LineNames *sorted = at != NULL ? PyMem_New(LineNames, count) : NULL;
    if (sorted == NULL) {
        PyMem_Free(has);
        PyMem_Free(at);
        qsort(lines, (size_t)count, sizeof(LineNames), line_order);
        return lines;
    }
    for (Py_ssize_t k = 0; k < count; k++) {
        has[lines[k].i / 64] |= 1ULL << (lines[k].i % 64);
        at[lines[k].i] = k;
    }
    Py_ssize_t k = 0;
    for (size_t b = 0; b < nbits; b++) {
        for (uint64_t bits = has[b]; bits; bits &= bits - 1) {
            sorted[k++] = lines[at[b * 64 + (size_t)__builtin_ctzll(bits)]];
        }
    }
    PyMem_Free(has);
    PyMem_Free(at);
    PyMem_Free(lines);
    return sorted;
}

PyDoc_STRVAR(walk_doc,
"walk(env, src, by_line, hinted, lines, blocks, firsts, owner, chain, titles, name, known, hits, weak)\n"
"--\n\n"
"references._walk_py(src, reading, chain, name, known, hits, weak) with the reading's parts given\n"
"(`hinted` a set); `env`: what references._native_walk passes.");

static PyObject *
walk(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 14)
        return type_error("walk takes 14 arguments");
    PyObject *env = args[0], *owner = args[7], *chain = args[8];
    Walk w = {.src = args[1], .by_line = args[2], .hinted = args[3], .lines = args[4], .blocks = args[5],
              .firsts = args[6], .titles = args[9], .name = args[10], .known = args[11], .hits = args[12],
              .weak = args[13]};
    if (!PyTuple_Check(env) || PyTuple_GET_SIZE(env) != W_COUNT || !PyDict_Check(w.by_line) || !PyAnySet_Check(w.hinted)
        || !PyList_Check(w.lines) || !PyList_Check(w.blocks) || !PyList_Check(w.firsts) || !PyList_Check(owner)
        || !PyList_Check(chain) || !PyList_Check(w.titles) || !PyList_Check(w.hits)
        || !PyList_Check(w.weak)) {
        return type_error("walk: bad arguments (see references._native_walk)");
    }
    w.env = &PyTuple_GET_ITEM(env, 0);
    w.judge_env = w.env[W_JUDGE_ENV];
    w.starts = w.env[W_LABEL_STARTS];
    if (!PyTuple_Check(w.judge_env) || PyTuple_GET_SIZE(w.judge_env) != E_COUNT || !PyTuple_Check(w.starts))
        return type_error("walk: env must end in the label starts (a tuple of ASCII str) and the tuple of "
                          "mentions._native_judge");
    if ((w.any_known = PyObject_IsTrue(w.known)) < 0) {
        return NULL;
    }
    if (read_firsts(&w) < 0) {
        PyMem_Free(w.first);
        return NULL;
    }
    Py_ssize_t nlines = 0;
    LineNames *order = lines_in_order(w.by_line, PyList_GET_SIZE(w.lines), &nlines);
    if (order == NULL) {
        PyMem_Free(w.first);
        return NULL;
    }
    Py_ssize_t block = -1;
    int read_lines = 0, lead_ctx = 0, lead_skill = 0, ctx = 0, compare = 0, skill = 0;
    PyObject *k = Py_None; /* borrowed from owner */
    for (Py_ssize_t n = 0; n < nlines; n++) {
        Py_ssize_t i = order[n].i;
        Py_ssize_t j = block_of(&w, i);
        if (j == -2) {
            goto error;
        }
        if (j < 0) {
            continue; /* the frontmatter, or past a block's last line */
        }
        if (j != block) {
            if (lead(&w, block + 1, j, &lead_ctx, &lead_skill) < 0) {
                goto error;
            }
            if (j >= PyList_GET_SIZE(w.blocks)) {
                PyErr_SetString(PyExc_RuntimeError, "walk: the blocks changed");
                goto error;
            }
            PyObject *b = PyList_GET_ITEM(w.blocks, j);
            block = j;
            PyTypeObject *kind = Py_TYPE(b);
            int table = kind == (PyTypeObject *)w.env[W_TABLE];
            int unread = kind == (PyTypeObject *)w.env[W_HEADING] || kind == (PyTypeObject *)w.env[W_CODE];
            read_lines = !table && !unread;
            if (unread) {
                continue; /* never read */
            }
            if (j >= PyList_GET_SIZE(owner)) {
                PyErr_SetString(PyExc_IndexError, "walk: a block has no owner");
                goto error;
            }
            k = PyList_GET_ITEM(owner, j);
            int c[3] = {0, 0, 0};
            if (k != Py_None) {
                Py_ssize_t at = small_int(k);
                if (at == -1 && PyErr_Occurred()) {
                    goto error;
                }
                if (at < 0 || at >= PyList_GET_SIZE(chain)) {
                    PyErr_SetString(PyExc_IndexError, "walk: a block's section has no context");
                    goto error;
                }
                if (three(PyList_GET_ITEM(chain, at), c) < 0) {
                    goto error;
                }
            }
            ctx = c[0] || lead_ctx;
            compare = c[1];
            skill = (c[2] || lead_skill) && !lead_ctx;
            if (table) { /* every row at once */
                PyObject *rows = PyObject_CallFunctionObjArgs(w.env[W_ROWS], w.src, b, ctx || compare ? Py_True : Py_False,
                                                              w.by_line, NULL);
                if (rows == NULL) {
                    goto error;
                }
                int r = PyList_Check(rows) ? 0 : -1;
                if (r < 0) {
                    PyErr_SetString(PyExc_TypeError, "walk: _rows must give a list");
                }
                for (Py_ssize_t q = 0; r == 0 && q < PyList_GET_SIZE(rows); q++) {
                    PyObject *row = PyList_GET_ITEM(rows, q);
                    Py_ssize_t line_no = -1;
                    if (PyTuple_Check(row) && PyTuple_GET_SIZE(row) == 3) {
                        line_no = small_int(PyTuple_GET_ITEM(row, 0));
                    }
                    if (line_no < 1) {
                        if (!PyErr_Occurred()) {
                            PyErr_SetString(PyExc_TypeError, "walk: a row must be (line, targets, first cell)");
                        }
                        r = -1;
                        break;
                    }
                    r = run_line(&w, line_no - 1, NULL, NULL, k, ctx, compare, skill, 0, PyTuple_GET_ITEM(row, 1),
                                 PyTuple_GET_ITEM(row, 2));
                }
                Py_DECREF(rows);
                if (r < 0) {
                    goto error;
                }
                continue;
            }
        }
        else if (!read_lines) {
            continue;
        }
        if (run_line(&w, i, order[n].key, order[n].cands, k, ctx, compare, skill, 1, EMPTY_TUPLE, Py_None) < 0) {
            goto error;
        }
    }
    lines_free(order, nlines);
    PyMem_Free(w.first);
    Py_RETURN_NONE;
error:
    lines_free(order, nlines);
    PyMem_Free(w.first);
    return NULL;
}

PyDoc_STRVAR(contexts_doc,
"contexts(sections, titles, title_ctx)\n"
"--\n\n"
"references._contexts_py: each section's (delegation, compare, skill) context, its parents' included.");

/* The eight contexts a section can have, made once and shared (a context is only read). */
static PyObject *CONTEXTS[8];
static PyObject *S_parent, *S_level;

/* references._contexts_py, the contexts the walk reads (`chain`): per section two attribute reads and
 * title_ctx's answer (a memo.Memo), where the Python loop built and indexed tuples (references.scan 1084k ->
 * 1017k instructions per seed agent). A parent must come before its section, as outline() makes them. */
static PyObject *
contexts(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyList_Check(args[0]) || !PyList_Check(args[1]) || !PyCallable_Check(args[2]))
        return type_error("contexts(sections: list, titles: list[str], title_ctx)");
    PyObject *sections = args[0], *titles = args[1], *title_ctx = args[2];
    Py_ssize_t n = PyList_GET_SIZE(sections);
    if (PyList_GET_SIZE(titles) != n) {
        PyErr_SetString(PyExc_ValueError, "contexts: one title per section");
        return NULL;
    }
    PyObject *out = PyList_New(n);
    unsigned char *bits = PyMem_Malloc(n > 0 ? n : 1); /* each section's context: 1 delegation, 2 compare, 4 skill */
    if (out == NULL || bits == NULL) {
        Py_XDECREF(out);
        PyMem_Free(bits);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        if (PyList_GET_SIZE(sections) != n || PyList_GET_SIZE(titles) != n) {
            PyErr_SetString(PyExc_RuntimeError, "contexts: sections or titles changed size");
            goto error;
        }
        PyObject *s = Py_NewRef(PyList_GET_ITEM(sections, k));
        PyObject *parent = slot_attr(s, S_parent);
        PyObject *level = parent != NULL ? slot_attr(s, S_level) : NULL;
        Py_DECREF(s);
        if (level == NULL) {
            Py_XDECREF(parent);
            goto error;
        }
        int up = 0;
        if (parent != Py_None) {
            Py_ssize_t at = PyLong_Check(parent) ? small_int(parent) : -1;
            if (at < 0 || at >= k) {
                if (!PyErr_Occurred()) {
                    PyErr_SetString(PyExc_IndexError, "contexts: a section's parent must be a section before it");
                }
                Py_DECREF(parent);
                Py_DECREF(level);
                goto error;
            }
            up = bits[at];
        }
        Py_DECREF(parent);
        /* an H1 names the agent itself: its title says nothing (an int's level read as one: the
         * rich comparison cost ~100 instructions a section) */
        int over = 0;
        long at_level = PyLong_CheckExact(level) ? PyLong_AsLongAndOverflow(level, &over) : 0;
        int deep = PyLong_CheckExact(level) ? over > 0 || (over == 0 && at_level > 1)
                                            : PyObject_RichCompareBool(level, ONE, Py_GT);
        Py_DECREF(level);
        if (deep < 0) {
            goto error;
        }
        PyObject *title = Py_NewRef(deep ? PyList_GET_ITEM(titles, k) : S_empty);
        PyObject *said = PyObject_CallOneArg(title_ctx, title);
        Py_DECREF(title);
        if (said == NULL) {
            goto error;
        }
        int v[4] = {0, 0, 0, 0}, r = PyTuple_Check(said) && PyTuple_GET_SIZE(said) == 4 ? 0 : -1;
        if (r < 0) {
            PyErr_SetString(PyExc_TypeError, "contexts: title_ctx must give a 4-tuple");
        }
        for (int q = 0; r == 0 && q < 4; q++) {
            r = v[q] = PyObject_IsTrue(PyTuple_GET_ITEM(said, q));
            r = r < 0 ? -1 : 0;
        }
        Py_DECREF(said);
        if (r < 0) {
            goto error;
        }
        /* (parent delegation or delegation, parent compare or compare, (parent skill or skill) and not agent word) */
        bits[k] = (unsigned char)(((up & 1) || v[0]) | (((up & 2) || v[1]) << 1) | ((((up & 4) || v[2]) && !v[3]) << 2));
        PyList_SET_ITEM(out, k, Py_NewRef(CONTEXTS[bits[k]]));
    }
    PyMem_Free(bits);
    return out;
error:
    PyMem_Free(bits);
    Py_DECREF(out);
    return NULL;
}

PyDoc_STRVAR(visit_doc,
"visit(blocks, firsts, cues, triggers, tables, owner, roles, wanted, heads)\n"
"--\n\n"
"structure._visit_py: the sorted indices of the blocks `find_blocks` reads: the tables, each block a cue\n"
"line of `cues` makes worth reading, and those whose section (owner[i], an int or None) has a role\n"
"(roles[k], a str) in `wanted` (a tuple of str), less the heads (keys of `heads`) and their items (the\n"
"last of each value, a list of ints).");

/* Marks in `mark` (a byte a block) the blocks of the sections whose role is in `wanted`; 0, or -1
 * with an error set. */
static int
mark_owned(PyObject *owner, PyObject *roles, PyObject *wanted, char *mark, Py_ssize_t nmark)
{
    Py_ssize_t nroles = PyList_GET_SIZE(roles);
    /* each section's answer, asked once: 1 wanted, 0 not */
    char *ok = PyMem_Malloc(nroles ? (size_t)nroles : 1);
    if (ok == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    /* the roles and `wanted` are interned literals (ALWAYS_READ, role_of's): two interned strs are
     * equal only as one object, where PySequence_Contains compared each pair (~220 instructions a role) */
    int interned = 1;
    for (Py_ssize_t w = 0; w < PyTuple_GET_SIZE(wanted); w++) {
        PyObject *word = PyTuple_GET_ITEM(wanted, w);
        interned &= PyUnicode_CheckExact(word) && PyUnicode_CHECK_INTERNED(word);
    }
    for (Py_ssize_t k = 0; k < nroles; k++) {
        PyObject *role = PyList_GET_ITEM(roles, k);
        int r = 0;
        if (interned && PyUnicode_CheckExact(role) && PyUnicode_CHECK_INTERNED(role)) {
            for (Py_ssize_t w = 0; w < PyTuple_GET_SIZE(wanted) && !r; w++) {
                r = PyTuple_GET_ITEM(wanted, w) == role;
            }
        }
        else if ((r = PySequence_Contains(wanted, role)) < 0) {
            PyMem_Free(ok);
            return -1;
        }
        ok[k] = (char)r;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(owner); i++) {
        PyObject *k = PyList_GET_ITEM(owner, i);
        if (k == Py_None) {
            continue;
        }
        Py_ssize_t at = PyLong_Check(k) ? small_int(k) : -1;
        if (at < 0 || at >= nroles || i >= nmark) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError, "visit: each owner must be None or the index of a role, one a block");
            }
            PyMem_Free(ok);
            return -1;
        }
        mark[i] |= ok[at];
    }
    PyMem_Free(ok);
    return 0;
}

/* Sets mark[i] to `to` for each int i of `indices` (an iterable); 0, or -1 with an error set. An
 * int that indexes no block is an error when marking (a table), and nothing to take out when
 * clearing (as set.difference_update takes nothing out for it). */
static int
mark_each(PyObject *indices, char *mark, Py_ssize_t nmark, char to)
{
    /* a list (the tables, a head's items) read in place: an iterator cost ~150 instructions a list */
    PyObject *it = PyList_CheckExact(indices) ? NULL : PyObject_GetIter(indices), *index;
    if (it == NULL && !PyList_CheckExact(indices)) {
        return -1;
    }
    for (Py_ssize_t at = 0;; at++) {
        if (it == NULL) {
            if (at >= PyList_GET_SIZE(indices)) {
                break;
            }
            index = Py_NewRef(PyList_GET_ITEM(indices, at));
        }
        else if ((index = PyIter_Next(it)) == NULL) {
            break;
        }
        int is_int = PyLong_Check(index);
        Py_ssize_t i = is_int ? small_int(index) : -1;
        Py_DECREF(index);
        if (i == -1 && PyErr_Occurred()) {
            if (to || !PyErr_ExceptionMatches(PyExc_OverflowError)) {
                break;
            }
            PyErr_Clear();
            continue;
        }
        if (!is_int || (to && (i < 0 || i >= nmark))) {
            PyErr_SetString(PyExc_TypeError, "visit: a table, head or item must be the index of a block");
            break;
        }
        if (i >= 0 && i < nmark) {
            mark[i] = to;
        }
    }
    Py_XDECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

/* structure._visit_py: one byte a block says whether it is read, where the Python pass made a set
 * of the tables, added the cue blocks and a list of the owned ones, took each head's items and the
 * heads out and sorted the rest: cue_blocks, owned_by and that glue cost ~130K instructions a 32 KB
 * agent, this ~64K (most of it reading ~420 first lines and owners). */
static PyObject *
visit(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 9 || !PyList_Check(args[0]) || !PyList_Check(args[1]) || !PyAnySet_Check(args[2])
        || !PyAnySet_Check(args[3]) || !PyList_Check(args[4]) || !PyList_Check(args[5]) || !PyList_Check(args[6])
        || !PyTuple_Check(args[7]) || !PyDict_Check(args[8])) {
        return type_error("visit(blocks: list, firsts: list, cues: set, triggers: set, tables: list, owner: list, "
                          "roles: list of str, wanted: tuple of str, heads: dict)");
    }
    Walk w = {.blocks = args[0], .firsts = args[1]};
    PyObject *cues = args[2], *triggers = args[3], *heads = args[8];
    Py_ssize_t n = PyList_GET_SIZE(w.blocks);
    char *mark = PyMem_Calloc(n > 0 ? (size_t)n : 1, 1);
    if (mark == NULL) {
        return PyErr_NoMemory();
    }
    PyObject *out = NULL;
    if (read_firsts(&w) < 0 || mark_each(args[4], mark, n, 1) < 0) {
        goto done;
    }
    w.sorted = 0; /* the cues come in a set's order */
    /* each block holding a cue line (references.block_of inlined); a one-line block only when that
     * line holds a trigger too (a longer block joins its lines with a blank: any cue will do) */
    Py_ssize_t pos = 0;
    PyObject *cue;
    Py_hash_t hash;
    while (_PySet_NextEntry(cues, &pos, &cue, &hash)) {
        Py_ssize_t i = PyLong_Check(cue) ? small_int(cue) : -1;
        if (i == -1 && (PyErr_Occurred() || !PyLong_Check(cue))) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError, "visit: each cue must be an int");
            }
            goto done;
        }
        Py_ssize_t j = block_at(&w, i);
        if (j == -2) {
            goto done;
        }
        if (j < 0 || mark[j]) {
            continue;
        }
        PyObject *b = PyList_GET_ITEM(w.blocks, j);
        Py_ssize_t end = int_attr(b, S_end), line = end < 0 ? -1 : int_attr(b, S_line);
        int r = line < 0 ? -1 : end > line ? i < end : i < line ? PySet_Contains(triggers, cue) : 0;
        if (r < 0) {
            goto done;
        }
        mark[j] = (char)r;
    }
    if (mark_owned(args[5], args[6], args[7], mark, n) < 0) {
        goto done;
    }
    /* the bullets that say when a head delegates are read with it, and the head as one */
    pos = 0;
    PyObject *head, *value;
    while (PyDict_Next(heads, &pos, &head, &value)) {
        if (!PyTuple_Check(value) || PyTuple_GET_SIZE(value) != 4) {
            PyErr_SetString(PyExc_TypeError, "visit: each head must be a 4-tuple, its items last");
            goto done;
        }
        Py_ssize_t h = PyLong_Check(head) ? small_int(head) : -1;
        if (h == -1 && PyErr_Occurred()) {
            if (!PyErr_ExceptionMatches(PyExc_OverflowError)) {
                goto done;
            }
            PyErr_Clear(); /* an int past any block's index: nothing to take out */
        }
        if (h >= 0 && h < n) {
            mark[h] = 0;
        }
        if (mark_each(PyTuple_GET_ITEM(value, 3), mark, n, 0) < 0) {
            goto done;
        }
    }
    if ((out = PyList_New(0)) == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (mark[i]) {
            PyObject *index = PyLong_FromSsize_t(i);
            if (index == NULL || PyList_Append(out, index) < 0) {
                Py_XDECREF(index);
                Py_CLEAR(out);
                goto done;
            }
            Py_DECREF(index);
        }
    }
done:
    PyMem_Free(w.first);
    PyMem_Free(mark);
    return out;
}

/* ---- delegation._clean_py in C: the same steps, the regexes asked only where a line can start with them ---- */

enum { C_PLAIN, C_MARKS, C_NUMBER, C_DONT_USE, C_NOT_FOR, C_COUNT };

/* What `_MARK_CHARS` holds ("-*•❌✅⚠️🚫→", the warning sign's variation selector too). */
static int
mark_char(Py_UCS4 ch)
{
    return ch == '-' || ch == '*' || ch == 0x2022 || ch == 0x274C || ch == 0x2705 || ch == 0x26A0 || ch == 0xFE0F
           || ch == 0x1F6AB || ch == 0x2192;
}

/* `pattern.sub("", text[, count=1])`; steals `text`. */
static PyObject *
sub_empty(PyObject *pattern, PyObject *text, int once)
{
    PyObject *out = once ? PyObject_CallMethodObjArgs(pattern, S_sub, S_empty, text, ONE, NULL)
                         : PyObject_CallMethodObjArgs(pattern, S_sub, S_empty, text, NULL);
    Py_DECREF(text);
    if (out != NULL && !PyUnicode_Check(out)) {
        Py_DECREF(out);
        PyErr_SetString(PyExc_TypeError, "clean: a pattern's sub must give a str");
        return NULL;
    }
    return out;
}

static Py_UCS4
first_char(PyObject *text)
{
    return PyUnicode_GET_LENGTH(text) ? PyUnicode_READ_CHAR(text, 0) : 0;
}

static int arrow_word(int kind, const void *data, Py_ssize_t n, Py_ssize_t at, const char *word);

/* Whether `text` starts with `word` (lowercase ASCII) as re.I reads it (`arrow_word`). */
static int
starts_word(PyObject *text, const char *word)
{
    return arrow_word(PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), 0, word) > 0;
}

PyDoc_STRVAR(clean_doc,
"clean(env, text)\n"
"--\n\n"
"delegation._clean_py(text); `env`: (plain, _MARKS, _NUMBER, _DONT_USE, _NOT_FOR).");

static PyObject *
clean(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyTuple_Check(args[0]) || PyTuple_GET_SIZE(args[0]) != C_COUNT)
        return type_error("clean(env: tuple of 5, text)");
    PyObject *const *env = &PyTuple_GET_ITEM(args[0], 0);
    PyObject *text = PyObject_CallOneArg(env[C_PLAIN], args[1]);
    if (text == NULL) {
        return NULL;
    }
    if (!PyUnicode_Check(text)) {
        Py_DECREF(text);
        PyErr_SetString(PyExc_TypeError, "clean: plain must give a str");
        return NULL;
    }
    Py_UCS4 ch = first_char(text);
    if (PyUnicode_GET_LENGTH(text) && (mark_char(ch) || Py_UNICODE_ISSPACE(ch))) {
        if ((text = sub_empty(env[C_MARKS], text, 0)) == NULL) {
            return NULL;
        }
        ch = first_char(text);
    }
    if (PyUnicode_GET_LENGTH(text) && Py_UNICODE_ISDECIMAL(ch)) {
        if ((text = sub_empty(env[C_NUMBER], text, 1)) == NULL) {
            return NULL;
        }
        ch = first_char(text);
    }
    /* `_DONT_USE` and `_NOT_FOR` only where their first words are: a condition starting with "D" or "N"
     * ("Designing ...", ~1 in 6) cost a substitution each (~360 -> ~75 ns a call) */
    if (starts_word(text, "do") || starts_word(text, "never")) {
        if ((text = sub_empty(env[C_DONT_USE], text, 1)) == NULL) {
            return NULL;
        }
        ch = first_char(text);
    }
    if (starts_word(text, "not") || (PyUnicode_GET_LENGTH(text) && Py_UNICODE_ISDECIMAL(ch))) {
        if ((text = sub_empty(env[C_NOT_FOR], text, 1)) == NULL) {
            return NULL;
        }
    }
    /* text.strip(" \t:;,-—–").strip() */
    Py_ssize_t lo = 0, hi = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
#define STRIPPED(c) ((c) == ' ' || (c) == '\t' || (c) == ':' || (c) == ';' || (c) == ',' || (c) == '-' || (c) == 0x2014 || (c) == 0x2013)
    while (lo < hi && STRIPPED(PyUnicode_READ(kind, data, lo))) {
        lo++;
    }
    while (hi > lo && STRIPPED(PyUnicode_READ(kind, data, hi - 1))) {
        hi--;
    }
#undef STRIPPED
    while (lo < hi && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, lo))) {
        lo++;
    }
    while (hi > lo && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, hi - 1))) {
        hi--;
    }
    if (lo == 0 && hi == PyUnicode_GET_LENGTH(text)) {
        return text;
    }
    PyObject *out = PyUnicode_Substring(text, lo, hi);
    Py_DECREF(text);
    return out;
}

/* ---- structure's name finding in C (h91): structure._name_at_py for an ASCII name ---- */

/* A character of a line as `_name_rx` sees it after `translate(_DASHES)`, folded for comparing with
   an ASCII word: ASCII lowered, the Unicode hyphens (mentions.HYPHENS) as "-", anything else
   itself (re.I matches no other character to an ASCII one but those `name_at` rules out). */
static Py_UCS4
name_char(Py_UCS4 ch)
{
    if (ch < 128) {
        return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
    }
    return ch == 0x2010 || ch == 0x2011 || ch == 0x2012 || ch == 0x2212 ? '-' : ch;
}

/* `[-\s_]` of `_name_rx`: the pattern's separator class. */
static int
name_sep(Py_UCS4 ch)
{
    return name_char(ch) == '-' || ch == '_' || Py_UNICODE_ISSPACE(ch);
}

/* A name's words as `name_in` compares them: the ASCII characters of each, inside strs that
   outlive the Name. `small` holds a name of up to 8 words (every name met so far); a longer one's are
   in PyMem. A Name is never copied (`words` may point into it). */
typedef struct {
    const Py_UCS1 *chars;
    Py_ssize_t len;
} NameWord;

typedef struct {
    Py_ssize_t n;
    NameWord *words, small[8];
} Name;

/* Room for `n` words in `name`: 0, or -1 with MemoryError. */
static int
name_alloc(Name *name, Py_ssize_t n)
{
    name->n = n;
    name->words = n <= 8 ? name->small : PyMem_New(NameWord, n);
    if (name->words == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void
name_release(Name *name)
{
    if (name->words != name->small) {
        PyMem_Free(name->words);
    }
}

/* Whether `name_in` can read a name whose words are these (all ASCII, each a str): 1 with them in
   `name` (to release), 0 when only the pattern can (a word empty or starting with a separator makes it
   backtrack), -1 with a TypeError. */
static int
name_words(PyObject *words, Name *name)
{
    Py_ssize_t nw = PyTuple_GET_SIZE(words);
    for (Py_ssize_t w = 0; w < nw; w++) {
        PyObject *word = PyTuple_GET_ITEM(words, w);
        if (!PyUnicode_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "name_at: each word must be a str");
            return -1;
        }
        if (!PyUnicode_IS_ASCII(word) || PyUnicode_GET_LENGTH(word) == 0 || name_sep(PyUnicode_READ_CHAR(word, 0))) {
            return 0;
        }
    }
    if (nw == 0 || name_alloc(name, nw) < 0) {
        return nw == 0 ? 0 : -1;
    }
    for (Py_ssize_t w = 0; w < nw; w++) {
        PyObject *word = PyTuple_GET_ITEM(words, w);
        name->words[w] = (NameWord){PyUnicode_1BYTE_DATA(word), PyUnicode_GET_LENGTH(word)};
    }
    return 1;
}

/* `name_words` of structure._words(target) for an ASCII `target`: its part after the last ":", split
   at each "-" and "_" (re.split keeps the empty words, which only the pattern reads), with no tuple of
   strs made (~800 instructions a call, ~17 calls an agent). */
static int
name_of_target(PyObject *target, Name *name)
{
    const Py_UCS1 *d = PyUnicode_1BYTE_DATA(target);
    Py_ssize_t n = PyUnicode_GET_LENGTH(target), start = n, count = 1;
    while (start > 0 && d[start - 1] != ':') {
        start--;
    }
    for (Py_ssize_t i = start; i < n; i++) {
        count += d[i] == '-' || d[i] == '_';
    }
    if (name_alloc(name, count) < 0) {
        return -1;
    }
    for (Py_ssize_t i = start, w = 0; w < count; i++) {
        if (i == n || d[i] == '-' || d[i] == '_') {
            if (i == start || name_sep(d[start])) {
                name_release(name);
                return 0;
            }
            name->words[w++] = (NameWord){d + start, i - start};
            start = i + 1;
        }
    }
    return 1;
}

/* The first place from `at` of `text`'s characters (`kind`, `data`, `n` of them) that `name_char`
   reads as `c0`, a lowercase ASCII character that is no separator, or `n`: `c0`, or its capital. */
static Py_ssize_t
first_from(int kind, const void *data, Py_ssize_t n, Py_ssize_t at, Py_UCS4 c0)
{
    Py_UCS4 up = c0 >= 'a' && c0 <= 'z' ? c0 - 32 : c0;
#define FIRST_FROM(T)                                                                                                  \
    for (const T *d = data; at < n; at++) {                                                                            \
        if (d[at] == c0 || d[at] == up) {                                                                              \
            return at;                                                                                                 \
        }                                                                                                              \
    }
    if (kind == PyUnicode_1BYTE_KIND) {
        FIRST_FROM(Py_UCS1)
    }
    else if (kind == PyUnicode_2BYTE_KIND) {
        FIRST_FROM(Py_UCS2)
    }
    else {
        FIRST_FROM(Py_UCS4)
    }
#undef FIRST_FROM
    return n;
}

/* Where `name` (of `name_words` or `name_of_target`) first is in `text`, -1 for nowhere, -2 when the
   text holds a character re.I folds to an ASCII letter (only the pattern can tell). */
static Py_ssize_t
name_in(const Name *name, PyObject *text)
{
    Py_ssize_t nw = name->n;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (kind != PyUnicode_1BYTE_KIND) { /* (Latin-1 holds none of them) */
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 ch = kind == PyUnicode_2BYTE_KIND ? ((const Py_UCS2 *)data)[i] : ((const Py_UCS4 *)data)[i];
            if (ch == 0x130 || ch == 0x131 || ch == 0x17F || ch == 0x212A) { /* re.I: "İ", "ı" ~ i, "ſ" ~ s, K ~ k */
                return -2;
            }
        }
    }
    /* A match starts with the first word's first letter: most places of a line are passed on that
       one test (a line of ~110 characters with an arrow: ~6 900 -> ~4 900 instructions a call), made
       in a loop per width (`first_from`) */
    const Py_UCS1 *first = name->words[0].chars;
    Py_UCS4 c0 = first[0] >= 'A' && first[0] <= 'Z' ? first[0] + 32u : first[0];
    for (Py_ssize_t at = first_from(kind, data, n, 0, c0); at < n; at = first_from(kind, data, n, at + 1, c0)) {
        Py_ssize_t pos = at;
        int ok = 1;
        for (Py_ssize_t w = 0; w < nw && ok; w++) {
            const Py_UCS1 *chars = name->words[w].chars;
            Py_ssize_t len = name->words[w].len;
            if (w > 0) { /* `[-\s_]+`, greedy: the next word starts with no separator, so no backtracking */
                if (pos >= n || !name_sep(PyUnicode_READ(kind, data, pos))) {
                    ok = 0;
                    break;
                }
                while (pos < n && name_sep(PyUnicode_READ(kind, data, pos))) {
                    pos++;
                }
            }
            if (pos + len > n) {
                ok = 0;
                break;
            }
            for (Py_ssize_t k = 0; k < len; k++) {
                Py_UCS4 c = chars[k];
                if (name_char(PyUnicode_READ(kind, data, pos + k)) != (c >= 'A' && c <= 'Z' ? c + 32 : c)) {
                    ok = 0;
                    break;
                }
            }
            pos += len;
        }
        if (ok) {
            return at;
        }
    }
    return -1;
}

PyDoc_STRVAR(name_at_doc,
"name_at(words, text)\n"
"--\n\n"
"Where `_name_rx` of a name whose words (`_words`) are `words`, all ASCII, first matches in\n"
"`text` with its Unicode hyphens as \"-\", or -1; -2 when only the pattern can tell (a word empty\n"
"or starting with a separator, or `text` holding a character re.I folds to an ASCII letter).");

static PyObject *
name_at(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyTuple_Check(args[0]) || !PyUnicode_Check(args[1]))
        return type_error("name_at(words: tuple of str, text: str)");
    Name name;
    int ok = name_words(args[0], &name);
    if (ok <= 0) {
        return ok < 0 ? NULL : PyLong_FromSsize_t(-2);
    }
    Py_ssize_t at = name_in(&name, args[1]);
    name_release(&name);
    return PyLong_FromSsize_t(at);
}

/* `place`'s search: 1 with the name's line and column in *line and *col, 0 when no line holds it,
 * 2 with the line only the pattern can read in *line, -1 with an error set. */
static int
name_in_lines(const Name *name, PyObject *lines, Py_ssize_t first, Py_ssize_t last, Py_ssize_t *line, Py_ssize_t *col)
{
    for (Py_ssize_t ln = first < 1 ? 1 : first; ln <= last && ln <= PyList_GET_SIZE(lines); ln++) {
        PyObject *text = PyList_GET_ITEM(lines, ln - 1);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "place: each line must be a str");
            return -1;
        }
        Py_ssize_t at = name_in(name, text);
        if (at == -2 || at >= 0) {
            *line = ln;
            *col = at + 1;
            return at == -2 ? 2 : 1;
        }
    }
    return 0;
}


/* ---- delegation's word tests in C (h91): which groups of words a block's lowered text holds ---- */

/* A character as `holding` compares it, as str.lower() gives it for words of ASCII and the two
   arrows: ASCII lowered, the Kelvin sign as "k", "→" and "⇒" as 0x81 and 0x82, any other character as
   0x80 (no word holds it); "İ" lowers to "i" and a combining dot (0x80), two bytes. */
static int
holding_bytes(Py_UCS4 ch, char *out)
{
    ch = lower(ch);
    if (ch == 0x130) {
        out[0] = 'i';
        out[1] = (char)0x80;
        return 2;
    }
    out[0] = (char)(ch < 128 ? ch : ch == 0x2192 ? 0x81 : ch == 0x21D2 ? 0x82 : 0x80);
    return 1;
}

/* The words of the groups `holding` was last given, made once (the caller passes the same tuple,
   delegation._WORDS, for every block): each word's bytes as `holding_bytes` gives them and its
   group, the words by their first and by their second byte (any, for a word of one byte), and each
   group's words. */
enum { HOLDING_WORDS = 64, HOLDING_LEN = 64 };
static struct {
    PyObject *groups; /* a strong reference: the tuple these were made from */
    int count, ngroups;
    unsigned char bytes[HOLDING_WORDS][HOLDING_LEN];
    int len[HOLDING_WORDS], group[HOLDING_WORDS];
    unsigned long long by_first[256], by_second[256], of_group[30], empty_groups;
} hw;

/* Fills `hw` from `groups`; -1 with an exception (hw then is empty). */
static int
holding_words(PyObject *groups)
{
    Py_CLEAR(hw.groups);
    memset(&hw, 0, sizeof(hw));
    hw.ngroups = (int)PyTuple_GET_SIZE(groups);
    for (int g = 0; g < hw.ngroups; g++) {
        PyObject *words = PyTuple_GET_ITEM(groups, g);
        if (!PyTuple_Check(words)) {
            PyErr_SetString(PyExc_TypeError, "holding: each group must be a tuple of str");
            goto error;
        }
        for (Py_ssize_t w = 0; w < PyTuple_GET_SIZE(words); w++) {
            PyObject *word = PyTuple_GET_ITEM(words, w);
            Py_ssize_t wn = PyUnicode_Check(word) ? PyUnicode_GET_LENGTH(word) : -1;
            if (wn < 0 || wn > HOLDING_LEN || hw.count == HOLDING_WORDS) {
                PyErr_SetString(PyExc_TypeError, "holding: at most 64 words, each a str of at most 64 characters");
                goto error;
            }
            if (wn == 0) { /* "" is in every text */
                hw.empty_groups |= 1ULL << g;
                continue;
            }
            int k = hw.count++;
            for (Py_ssize_t c = 0; c < wn; c++) {
                Py_UCS4 ch = PyUnicode_READ_CHAR(word, c);
                if (ch >= 128 && ch != 0x2192 && ch != 0x21D2) { /* (an ASCII capital is never in `low`: kept, it never matches) */
                    PyErr_SetString(PyExc_ValueError, "holding: a word holds a character other than ASCII and the two arrows");
                    goto error;
                }
                hw.bytes[k][c] = (unsigned char)(ch < 128 ? ch : ch == 0x2192 ? 0x81 : 0x82);
            }
            hw.len[k] = (int)wn;
            hw.group[k] = g;
            hw.by_first[hw.bytes[k][0]] |= 1ULL << k;
            for (int b = 0; b < 256; b++) { /* a word of one byte: whatever follows it */
                hw.by_second[b] |= wn == 1 || hw.bytes[k][1] == b ? 1ULL << k : 0;
            }
            hw.of_group[g] |= 1ULL << k;
        }
    }
    Py_INCREF(groups);
    hw.groups = groups;
    return 0;
error:
    memset(&hw, 0, sizeof(hw));
    return -1;
}

PyDoc_STRVAR(holding_doc,
"holding(text, groups)\n"
"--\n\n"
"delegation._holding_py: bit g set when text.lower() holds a word of groups[g] (at most 30 tuples\n"
"of str of ASCII, \"\\u2192\" and \"\\u21d2\"; at most 64 words, each of at most 64 characters).");

/* `holding`'s mask of `text` (a str) for `groups` (a tuple of at most 30) in *out; -1 with an exception. */
static int
holding_of(PyObject *text, PyObject *groups, unsigned long long *out)
{
    if (groups != hw.groups && holding_words(groups) < 0) {
        return -1;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    char short_low[513], *low = short_low; /* two bytes a character at most, and a 0 after them */
    if (n > (Py_ssize_t)sizeof(short_low) / 2) {
        if ((size_t)n > (PY_SSIZE_T_MAX - 1) / 2 || (low = PyMem_Malloc((size_t)n * 2 + 1)) == NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    size_t len = 0;
    if (kind == PyUnicode_1BYTE_KIND && PyUnicode_IS_ASCII(text)) {
        const Py_UCS1 *chars = PyUnicode_1BYTE_DATA(text);
        for (Py_ssize_t i = 0; i < n; i++) {
            low[i] = (char)(chars[i] >= 'A' && chars[i] <= 'Z' ? chars[i] + 32 : chars[i]);
        }
        len = (size_t)n;
    } else {
        for (Py_ssize_t i = 0; i < n; i++) {
            len += (size_t)holding_bytes(PyUnicode_READ(kind, data, i), low + len);
        }
    }
    low[len] = 0;
    /* one pass: at each byte, the words not yet found that start with it */
    unsigned long long mask = hw.empty_groups, pending = 0;
    for (int g = 0; g < hw.ngroups; g++) {
        if (!(mask & (1ULL << g))) {
            pending |= hw.of_group[g];
        }
    }
    for (size_t i = 0; i < len && pending; i++) {
        unsigned long long m = hw.by_first[(unsigned char)low[i]] & pending;
        if (m == 0) {
            continue;
        }
        /* the words starting with this byte and the next (past the end, the 0 written there; a word
         * must fit too): most letters of a text start some word ("a", "d", "w", "t"), few pairs do, and
         * the rest of a word is compared in place (~2.3k -> ~1.25k instructions a block text) */
        m &= hw.by_second[(unsigned char)low[i + 1]];
        while (m) {
            int k = __builtin_ctzll(m);
            m &= m - 1;
            size_t q = 2, wn = (size_t)hw.len[k]; /* its first two bytes are these, when it fits */
            while (q < wn && i + q < len && (unsigned char)low[i + q] == hw.bytes[k][q]) {
                q++;
            }
            if (q >= wn && wn <= len - i) {
                mask |= 1ULL << hw.group[k];
                pending &= ~hw.of_group[hw.group[k]];
                m &= pending;
            }
        }
    }
    if (low != short_low) {
        PyMem_Free(low);
    }
    *out = mask;
    return 0;
}

static PyObject *
holding(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyTuple_Check(args[1]) || PyTuple_GET_SIZE(args[1]) > 30)
        return type_error("holding(text: str, groups: tuple of at most 30 tuples of str)");
    unsigned long long mask;
    return holding_of(args[0], args[1], &mask) < 0 ? NULL : PyLong_FromUnsignedLongLong(mask);
}

/* ---- delegation's D1 arrow in C (h91): `_ARROW.match` without the regex engine ---- */

/* Whether `text` from `at` reads as the pattern word `word` (lowercase ASCII and " ") to re.I: an
   ASCII letter in any case, "s" also as "ſ" (the only character re.I folds to a letter of a verb). */
static int
arrow_word(int kind, const void *data, Py_ssize_t n, Py_ssize_t at, const char *word)
{
    for (Py_ssize_t k = 0; word[k]; k++) {
        if (at + k >= n) {
            return 0;
        }
        Py_UCS4 ch = PyUnicode_READ(kind, data, at + k);
        if (!(ch < 128 && (ch >= 'A' && ch <= 'Z' ? ch + 32 : ch) == (Py_UCS4)word[k]) && !(word[k] == 's' && ch == 0x17F)) {
            return 0;
        }
    }
    return (int)strlen(word);
}

/* The verbs of `_ARROW_VERB`, in its order ("hand ?off to" as its two spellings). */
/* The first place from `at` of `text`'s characters (`kind`, `data`, `n` of them) where an arrow starts
   ("→", "⇒", "->" or "=>"), or `n`: a loop per width, where reading each place cost ~12 instructions. */
static Py_ssize_t
next_arrow(int kind, const void *data, Py_ssize_t n, Py_ssize_t at)
{
#define NEXT_ARROW(T)                                                                                                  \
    for (const T *d = data; at < n; at++) {                                                                            \
        if (d[at] == 0x2192 || d[at] == 0x21D2 || ((d[at] == '-' || d[at] == '=') && at + 1 < n && d[at + 1] == '>')) { \
            return at;                                                                                                 \
        }                                                                                                              \
    }
    if (kind == PyUnicode_1BYTE_KIND) { /* (no "→" nor "⇒" there) */
        for (const Py_UCS1 *d = data; at < n; at++) {
            if ((d[at] == '-' || d[at] == '=') && at + 1 < n && d[at + 1] == '>') {
                return at;
            }
        }
    }
    else if (kind == PyUnicode_2BYTE_KIND) {
        NEXT_ARROW(Py_UCS2)
    }
    else {
        NEXT_ARROW(Py_UCS4)
    }
#undef NEXT_ARROW
    return n;
}

static const char *const ARROW_VERBS[] = {"delegate to", "use", "consult", "hand off to", "handoff to", "escalate to", "defer to",
                                          "route to", "see", NULL};

PyDoc_STRVAR(arrow_doc,
"arrow(text)\n"
"--\n\n"
"delegation._arrow_py: (cond, verb, rest) of `_ARROW.match(text)`, or None.");

static PyObject *
arrow(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 1 || !PyUnicode_Check(args[0]))
        return type_error("arrow(text: str)");
    PyObject *text = args[0];
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
#define AT(i) PyUnicode_READ(kind, data, (i))
    /* `(?P<cond>.*?)\s*` then an arrow: the places from which `\s*` reaches an arrow are its blank
     * run's, so each arrow is tried once, in order, from the start of that run (`cond` ends there).
     * Trying each place and skipping its blanks cost ~25 instructions a character, and a long blank
     * run its length squared. */
    for (Py_ssize_t a = next_arrow(kind, data, n, 0); a < n; a = next_arrow(kind, data, n, a + 1)) {
        Py_ssize_t q = AT(a) == 0x2192 || AT(a) == 0x21D2 ? a + 1 : a + 2;
        Py_ssize_t p = a;
        while (p > 0 && Py_UNICODE_ISSPACE(AT(p - 1))) {
            p--;
        }
        while (q < n && Py_UNICODE_ISSPACE(AT(q))) { /* `\s*`: a verb starts with no blank */
            q++;
        }
        for (int v = 0; ARROW_VERBS[v] != NULL; v++) {
            int len = arrow_word(kind, data, n, q, ARROW_VERBS[v]);
            Py_ssize_t e = q + len;
            if (len == 0 || e >= n || !Py_UNICODE_ISSPACE(AT(e))) { /* `\s+` */
                continue;
            }
            Py_ssize_t r = e + 1;
            while (r < n && Py_UNICODE_ISSPACE(AT(r))) {
                r++;
            }
            if (r == n) { /* `.+` takes the last blank back, when `\s+` had two */
                if (r - e < 2) {
                    continue;
                }
                r--;
            }
            PyObject *cond = PyUnicode_Substring(text, 0, p), *verb = PyUnicode_Substring(text, q, e),
                     *rest = PyUnicode_Substring(text, r, n);
            if (cond == NULL || verb == NULL || rest == NULL) {
                XDECREF_ALL(cond, verb, rest);
                return NULL;
            }
            PyObject *out = PyTuple_Pack(3, cond, verb, rest);
            Py_DECREF(cond);
            Py_DECREF(verb);
            Py_DECREF(rest);
            return out;
        }
    }
#undef AT
    Py_RETURN_NONE;
}

/* ---- delegation's D2 titles in C (h91): which section titles may head a delegate block ---- */

/* The verbs `_HEAD_START` tries, in its order ("hand ?off" as its two spellings). */
static const char *const HEAD_VERBS[] = {"delegate", "hand off", "handoff", "escalate", "defer", "route", NULL};

PyDoc_STRVAR(head_starts_doc,
"head_starts(titles)\n"
"--\n\n"
"delegation._head_starts_py: the indices of the titles (a list of str) that `_HEAD_START` matches,\n"
"one of `_BLOCK_HEAD`'s verbs and a blank at the start.");

/* Whether `_HEAD_START` matches `title` (a str). */
static int
head_start(PyObject *title)
{
    int kind = PyUnicode_KIND(title);
    const void *data = PyUnicode_DATA(title);
    Py_ssize_t n = PyUnicode_GET_LENGTH(title);
    Py_UCS4 first = n ? PyUnicode_READ(kind, data, 0) | 0x20 : 0;
    if (first != 'd' && first != 'h' && first != 'e' && first != 'r') { /* most titles: no verb starts so */
        return 0;
    }
    for (int v = 0; HEAD_VERBS[v] != NULL; v++) {
        /* `arrow_word` reads a verb as re.I does ("s" also as "ſ"); then `\s` */
        int len = arrow_word(kind, data, n, 0, HEAD_VERBS[v]);
        if (len > 0 && len < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, len))) {
            return 1;
        }
    }
    return 0;
}

static PyObject *
head_starts(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 1 || !PyList_Check(args[0]))
        return type_error("head_starts(titles: list of str)");
    PyObject *titles = args[0], *out = PyList_New(0);
    if (out == NULL) {
        return NULL;
    }
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(titles); k++) {
        PyObject *title = PyList_GET_ITEM(titles, k);
        if (!PyUnicode_Check(title)) {
            PyErr_SetString(PyExc_TypeError, "head_starts: each title must be a str");
            Py_DECREF(out);
            return NULL;
        }
        if (head_start(title)) {
            PyObject *index = PyLong_FromSsize_t(k);
            int r = index == NULL ? -1 : PyList_Append(out, index);
            Py_XDECREF(index);
            if (r < 0) {
                Py_DECREF(out);
                return NULL;
            }
        }
    }
    return out;
}

static PyObject *S_delegate_to;

/* Whether text[from:] is what `_BARE_TARGET` fullmatches: runs of [a-z0-9] joined by single "-" or
 * "_", at least one of them "-" (`[a-z0-9]+(?:_[a-z0-9]+)*-[a-z0-9]+(?:[-_][a-z0-9]+)*`, no re.I). */
static int
bare_target(PyObject *text, Py_ssize_t from)
{
    int kind = PyUnicode_KIND(text), dash = 0, after_sep = 1;
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (from >= n) {
        return 0;
    }
    for (Py_ssize_t i = from; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            after_sep = 0;
        }
        else if ((ch == '-' || ch == '_') && !after_sep) {
            dash |= ch == '-';
            after_sep = 1;
        }
        else {
            return 0;
        }
    }
    return dash && !after_sep;
}

PyDoc_STRVAR(block_targets_doc,
"block_targets(env, title)\n"
"--\n\n"
"delegation._block_targets_py(title); `env`: (_NOT_AGENTS, _block_targets_py). A title that is\n"
"\"Delegate to \" and one bare name is read here, any other by the reference.");

/* The ~8 D2 titles an agent has are nearly all "Delegate to " and one bare name, which the Python
 * function read with `startswith`, a fullmatch and a slice (~1.3 us a title; ~0.1 here). */
static PyObject *
block_targets(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyTuple_Check(args[0]) || PyTuple_GET_SIZE(args[0]) != 2
        || !PyAnySet_Check(PyTuple_GET_ITEM(args[0], 0)) || !PyUnicode_Check(args[1])) {
        return type_error("block_targets(env: (frozenset, callable), title: str)");
    }
    PyObject *title = args[1];
    static const char head[] = "Delegate to ";
    Py_ssize_t h = (Py_ssize_t)sizeof head - 1;
    if (PyUnicode_GET_LENGTH(title) <= h || PyUnicode_Tailmatch(title, S_delegate_to, 0, h, -1) != 1
        || !bare_target(title, h)) {
        return PyObject_CallOneArg(PyTuple_GET_ITEM(args[0], 1), title);
    }
    PyObject *name = PyUnicode_Substring(title, h, PyUnicode_GET_LENGTH(title));
    int skip = name == NULL ? -1 : PySet_Contains(PyTuple_GET_ITEM(args[0], 0), name);
    PyObject *out = skip < 0 ? NULL : skip ? PyList_New(0) : PyList_New(1);
    if (out != NULL && !skip) {
        PyList_SET_ITEM(out, 0, Py_NewRef(name));
    }
    Py_XDECREF(name);
    return out;
}

/* ---- delegation's leading targets in C (h91): `_LEAD_NAME` and `_JOIN` read along the text ---- */

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t n;
} Text;

#define TX(t, i) PyUnicode_READ((t)->kind, (t)->data, (i))

/* Whether `word` (ASCII) is at `at`, case and all (the patterns here have no re.I). */
static int
text_has(const Text *t, Py_ssize_t at, const char *word)
{
    for (Py_ssize_t k = 0; word[k]; k++) {
        if (at + k >= t->n || TX(t, at + k) != (Py_UCS4)(unsigned char)word[k]) {
            return 0;
        }
    }
    return 1;
}

static Py_ssize_t
skip_blanks(const Text *t, Py_ssize_t at)
{
    while (at < t->n && Py_UNICODE_ISSPACE(TX(t, at))) {
        at++;
    }
    return at;
}

/* `\b` at `at`: re's word character on one side only (the text before the match's start counts). */
static int
boundary(const Text *t, Py_ssize_t at)
{
    int after = at < t->n && is_word(TX(t, at)), before = at > 0 && is_word(TX(t, at - 1));
    return after != before;
}

static int
name_char_az(Py_UCS4 ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

/* The end of the longest NAME (`[a-z0-9]+(?:[-_][a-z0-9]+)*`) at `at`, or `at` for none; `*dashed`
   is set when a "-" joins two of its parts. What follows a NAME in `_LEAD_NAME` ("`", "*", or no
   word character and no "-") is never a NAME character, so only the longest can match. */
static Py_ssize_t
name_end(const Text *t, Py_ssize_t at, int *dashed)
{
    Py_ssize_t i = at;
    *dashed = 0;
    while (i < t->n && name_char_az(TX(t, i))) {
        i++;
    }
    if (i == at) {
        return at;
    }
    while (i + 1 < t->n && (TX(t, i) == '-' || TX(t, i) == '_') && name_char_az(TX(t, i + 1))) {
        *dashed |= TX(t, i) == '-';
        i += 2;
        while (i < t->n && name_char_az(TX(t, i))) {
            i++;
        }
    }
    return i;
}

/* `(?:\*\*`?(NAME)`?\*\*|`(NAME)`|(NAME-NAME)(?![\w-]))` at `at`: 1, 2 or 3 (the group that
   matched, the name in [*from, *to)) and the end in *end, or 0. */
static int
lead_alternative(const Text *t, Py_ssize_t at, Py_ssize_t *from, Py_ssize_t *to, Py_ssize_t *end)
{
    int dashed;
    if (text_has(t, at, "**")) {
        Py_ssize_t r = at + 2 + (at + 2 < t->n && TX(t, at + 2) == '`');
        Py_ssize_t e = name_end(t, r, &dashed);
        if (e > r) {
            Py_ssize_t close = e + (e < t->n && TX(t, e) == '`' && text_has(t, e + 1, "**"));
            if (text_has(t, close, "**")) {
                *from = r, *to = e, *end = close + 2;
                return 1;
            }
        }
    }
    if (at < t->n && TX(t, at) == '`') {
        Py_ssize_t e = name_end(t, at + 1, &dashed);
        if (e > at + 1 && e < t->n && TX(t, e) == '`') {
            *from = at + 1, *to = e, *end = e + 1;
            return 2;
        }
    }
    Py_ssize_t e = name_end(t, at, &dashed);
    if (e > at && dashed && !(e < t->n && (is_word(TX(t, e)) || TX(t, e) == '-'))) {
        *from = at, *to = e, *end = e;
        return 3;
    }
    return 0;
}

/* `_LEAD_NAME.match(text, at)`: the group of the name (0: no match), its place, whether group 4
   ("agents") matched, and the match's end. */
static int
lead_name(const Text *t, Py_ssize_t at, Py_ssize_t *from, Py_ssize_t *to, int *agents, Py_ssize_t *end)
{
    at = skip_blanks(t, at);
    int group = 0;
    if (text_has(t, at, "the") && at + 3 < t->n && Py_UNICODE_ISSPACE(TX(t, at + 3))) { /* `(?:the\s+)?` */
        group = lead_alternative(t, skip_blanks(t, at + 3), from, to, end);
    }
    if (!group && !(group = lead_alternative(t, at, from, to, end))) {
        return 0;
    }
    /* `(?:\s+(?:sub-?)?agent(s)?\b)?`: each way the pattern tries, in its order */
    *agents = 0;
    Py_ssize_t s = skip_blanks(t, *end);
    if (s > *end) {
        static const char *const SUB[] = {"sub-", "sub", ""};
        for (int k = 0; k < 3; k++) {
            Py_ssize_t a = s + (Py_ssize_t)strlen(SUB[k]);
            if (!text_has(t, s, SUB[k]) || !text_has(t, a, "agent")) {
                continue;
            }
            if (text_has(t, a + 5, "s") && boundary(t, a + 6)) {
                *agents = 1, *end = a + 6;
                break;
            }
            if (boundary(t, a + 5)) {
                *end = a + 5;
                break;
            }
        }
    }
    return group;
}

/* `_JOIN.match(text, at)`'s end, or -1: `\s*(?:,\s*(?:or|and)?|\bor\b|\band\b|/|\+)\s*`. */
static Py_ssize_t
join_end(const Text *t, Py_ssize_t at)
{
    Py_ssize_t p = skip_blanks(t, at);
    if (p >= t->n) {
        return -1;
    }
    Py_UCS4 ch = TX(t, p);
    if (ch == ',') {
        p = skip_blanks(t, p + 1);
        p += text_has(t, p, "or") ? 2 : text_has(t, p, "and") ? 3 : 0;
    } else if (ch == '/' || ch == '+') {
        p += 1;
    } else if (text_has(t, p, "or") && boundary(t, p) && boundary(t, p + 2)) {
        p += 2;
    } else if (text_has(t, p, "and") && boundary(t, p) && boundary(t, p + 3)) {
        p += 3;
    } else {
        return -1;
    }
    return skip_blanks(t, p);
}

PyDoc_STRVAR(leading_doc,
"leading(text, not_agents)\n"
"--\n\n"
"delegation._leading_py: the names `_LEAD_NAME` reads at the start of `text`, joined by `_JOIN`,\n"
"without those in `not_agents` (a set), repeats and groups (\"domain-specific agents\").");

static PyObject *
leading(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyAnySet_Check(args[1]))
        return type_error("leading(text: str, not_agents: set)");
    Text t = {PyUnicode_KIND(args[0]), PyUnicode_DATA(args[0]), PyUnicode_GET_LENGTH(args[0])};
    PyObject *out = PyList_New(0);
    if (out == NULL) {
        return NULL;
    }
    Py_ssize_t pos = 0, from, to, end;
    int marked = 0, agents, group;
    while ((group = lead_name(&t, pos, &from, &to, &agents, &end)) != 0) {
        if (pos == 0) {
            marked = group != 3;
        }
        if (!agents && !(marked && group == 3)) { /* "domain-specific agents"; a bare word after **marked** names */
            PyObject *name = PyUnicode_Substring(args[0], from, to);
            int skip = name == NULL ? -1 : PySet_Contains(args[1], name);
            if (skip == 0) {
                skip = PySequence_Contains(out, name);
            }
            if (skip == 0) {
                skip = PyList_Append(out, name);
            }
            Py_XDECREF(name);
            if (skip < 0) {
                Py_DECREF(out);
                return NULL;
            }
        }
        pos = join_end(&t, end);
        if (pos < 0) {
            break;
        }
    }
    return out;
}

#undef TX

/* ---- structure._delegations' D2 blocks in C (h91): delegation._heads_py in one call ---- */

static PyObject *S_indent, *S_items_sep;

/* A section's int attribute (`start`, `end`), which must be >= 0; -1 with an error set otherwise. */
static Py_ssize_t
index_attr(PyObject *section, PyObject *attr)
{
    PyObject *v = slot_attr(section, attr);
    if (v == NULL) {
        return -1;
    }
    Py_ssize_t out = PyLong_Check(v) ? small_int(v) : -1;
    Py_DECREF(v);
    if (out < 0 && !PyErr_Occurred()) {
        PyErr_SetString(PyExc_TypeError, "heads: a section's start and end must be ints >= 0");
    }
    return out;
}

/* Where `_block_range(src, k, deep=False)` ends section k's blocks: its end, or its first
 * subsection's start (the next section when its parent is k). -1 with an error set. */
static Py_ssize_t
shallow_end(PyObject *sections, Py_ssize_t k)
{
    Py_ssize_t end = index_attr(PyList_GET_ITEM(sections, k), S_end);
    if (end < 0 || k + 1 >= PyList_GET_SIZE(sections)) {
        return end;
    }
    PyObject *next = PyList_GET_ITEM(sections, k + 1);
    PyObject *parent = slot_attr(next, S_parent);
    if (parent == NULL) {
        return -1;
    }
    int child = PyLong_Check(parent) && small_int(parent) == k;
    Py_DECREF(parent);
    if (PyErr_Occurred()) {
        return -1;
    }
    return child ? index_attr(next, S_start) : end;
}

/* An item's indent in *out: 0, or -1 with an error set (not an int). */
static int
indent_of(PyObject *item, Py_ssize_t *out)
{
    PyObject *v = slot_attr(item, S_indent);
    if (v == NULL) {
        return -1;
    }
    if (!PyLong_Check(v)) {
        Py_DECREF(v);
        PyErr_SetString(PyExc_TypeError, "heads: an item's indent must be an int");
        return -1;
    }
    *out = small_int(v);
    Py_DECREF(v);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

/* The indices of the top-level `list_item`s among blocks[lo:hi] (`structure._items`: the shallowest
 * indent among them), and their `clean`ed texts joined by "; " in *cond. NULL with an error set. */
static PyObject *
head_items(PyObject *blocks, Py_ssize_t lo, Py_ssize_t hi, PyObject *list_item, PyObject *clean, PyObject **cond)
{
    Py_ssize_t top = PY_SSIZE_T_MAX, indent;
    for (Py_ssize_t i = lo; i < hi; i++) {
        PyObject *b = PyList_GET_ITEM(blocks, i);
        if ((PyObject *)Py_TYPE(b) == list_item) {
            if (indent_of(b, &indent) < 0) {
                return NULL;
            }
            top = indent < top ? indent : top;
        }
    }
    PyObject *items = PyList_New(0), *texts = PyList_New(0);
    if (items == NULL || texts == NULL) {
        goto error;
    }
    for (Py_ssize_t i = lo; i < hi && top != PY_SSIZE_T_MAX; i++) {
        PyObject *b = PyList_GET_ITEM(blocks, i);
        if ((PyObject *)Py_TYPE(b) != list_item) {
            continue;
        }
        if (indent_of(b, &indent) < 0) {
            goto error;
        }
        if (indent != top) {
            continue;
        }
        PyObject *text = slot_attr(b, S_text);
        PyObject *said = text == NULL ? NULL : PyObject_CallOneArg(clean, text);
        Py_XDECREF(text);
        PyObject *index = said == NULL ? NULL : PyLong_FromSsize_t(i);
        int r = index == NULL ? -1 : PyList_Append(texts, said) < 0 ? -1 : PyList_Append(items, index);
        Py_XDECREF(said);
        Py_XDECREF(index);
        if (r < 0) {
            goto error;
        }
    }
    *cond = PyUnicode_Join(S_items_sep, texts);
    Py_DECREF(texts);
    if (*cond == NULL) {
        Py_DECREF(items);
        return NULL;
    }
    return items;
error:
    Py_XDECREF(items);
    Py_XDECREF(texts);
    return NULL;
}

PyDoc_STRVAR(heads_doc,
"heads(titles, sections, blocks, list_item, targets_of, clean)\n"
"--\n\n"
"delegation._heads_py: the D2 blocks by the index of the block that opens each, (section, targets,\n"
"condition, item indices), for each title `_HEAD_START` matches and `targets_of` names targets in.");

static PyObject *
heads(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || !PyList_Check(args[0]) || !PyList_Check(args[1]) || !PyList_Check(args[2])
        || !PyType_Check(args[3]) || !PyCallable_Check(args[4]) || !PyCallable_Check(args[5])) {
        PyErr_SetString(PyExc_TypeError,
                        "heads(titles: list of str, sections: list, blocks: list, list_item: type, targets_of, clean)");
        return NULL;
    }
    PyObject *titles = args[0], *sections = args[1], *blocks = args[2], *list_item = args[3];
    PyObject *out = PyDict_New();
    if (out == NULL) {
        return NULL;
    }
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(titles); k++) {
        PyObject *title = PyList_GET_ITEM(titles, k);
        if (!PyUnicode_Check(title)) {
            PyErr_SetString(PyExc_TypeError, "heads: each title must be a str");
            goto error;
        }
        if (!head_start(title)) {
            continue;
        }
        PyObject *targets = PyObject_CallOneArg(args[4], title);
        int some = targets == NULL ? -1 : PyObject_IsTrue(targets);
        if (some <= 0) {
            Py_XDECREF(targets);
            if (some < 0) {
                goto error;
            }
            continue;
        }
        if (k >= PyList_GET_SIZE(sections)) {
            Py_DECREF(targets);
            PyErr_SetString(PyExc_IndexError, "heads: fewer sections than titles");
            goto error;
        }
        Py_ssize_t start = index_attr(PyList_GET_ITEM(sections, k), S_start);
        Py_ssize_t end = start < 0 ? -1 : shallow_end(sections, k);
        PyObject *cond = NULL, *items = NULL;
        if (end >= 0) {
            Py_ssize_t n = PyList_GET_SIZE(blocks);
            items = head_items(blocks, start + 1, end < n ? end : n, list_item, args[5], &cond);
        }
        PyObject *key = items == NULL ? NULL : PyLong_FromSsize_t(start);
        PyObject *section = key == NULL ? NULL : PyLong_FromSsize_t(k);
        /* (Py_BuildValue parsed its format each time: ~500 instructions a head) */
        PyObject *value = section == NULL ? NULL : PyTuple_Pack(4, section, targets, cond, items);
        int r = value == NULL ? -1 : PyDict_SetItem(out, key, value);
        Py_DECREF(targets);
        XDECREF_ALL(cond, items, key, section, value);
        if (r < 0) {
            goto error;
        }
    }
    return out;
error:
    Py_DECREF(out);
    return NULL;
}

/* ---- structure._place in C (h91): a name's line and column in a block, and the word after it ---- */

/* What re.I reads `ch` as when it is compared with an ASCII letter: itself lowered, "i" for "İ" and
 * "ı", "s" for "ſ", "k" for the Kelvin sign (the only non-ASCII characters it folds to one), else 0. */
static Py_UCS4
ascii_fold(Py_UCS4 ch)
{
    if (ch < 128) {
        return ch >= 'A' && ch <= 'Z' ? ch + 32u : ch;
    }
    return ch == 0x130 || ch == 0x131 ? 'i' : ch == 0x17F ? 's' : ch == 0x212A ? 'k' : 0;
}

/* The words with their lengths (a strlen of each cost ~180 instructions a call) */
#define THING(word) {word, sizeof(word) - 1}
static const struct {
    const char *word;
    Py_ssize_t len;
} THINGS[] = {THING("skills"), THING("skill"), THING("plugins"), THING("plugin"), THING("commands"), THING("command"),
              THING("tools"), THING("tool"), THING("mcp"), THING("servers"), THING("server"), THING("packages"),
              THING("package"), THING("library"), THING("libraries"), {NULL, 0}};
#undef THING

/* Whether structure._THING_AFTER matches `text` at `at` (clamped as re's pos is): markup and blanks,
 * then a word of THINGS (re.I) ending at a word boundary. */
static int
thing_after(PyObject *text, Py_ssize_t at)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    at = at < 0 ? 0 : at > n ? n : at;
    while (at < n) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, at);
        if (ch != '*' && ch != '`' && ch != '\'' && ch != '"' && !Py_UNICODE_ISSPACE(ch)) {
            break;
        }
        at++;
    }
    for (int w = 0; THINGS[w].word != NULL; w++) {
        Py_ssize_t m = THINGS[w].len, i = 0;
        while (i < m && at + i < n && ascii_fold(PyUnicode_READ(kind, data, at + i)) == (Py_UCS4)THINGS[w].word[i]) {
            i++;
        }
        if (i < m) {
            continue;
        }
        Py_UCS4 next = at + m < n ? PyUnicode_READ(kind, data, at + m) : 0;
        if (at + m == n || (next != '_' && !Py_UNICODE_ISALNUM(next))) {
            return 1;
        }
    }
    return 0;
}

PyDoc_STRVAR(place_doc,
"place(target, lines, first, last, line, col)\n"
"--\n\n"
"structure._place_py for an ASCII name `target`: (line, column) of the name in the first of\n"
"lines[first - 1 : last] where `name_at` finds its words (`_words`), else (`line`, `col`); None when\n"
"the word after it is one of `_THING_AFTER`'s; the line number, an int, from which only the\n"
"pattern can find the name (`first` for a name not ASCII).");

/* `place`'s reading: 1 with the name's place in *line and *col (which hold the fallback place), 0 when
 * the word after it makes it a thing, 2 when only the pattern can read a line (*line: the reference's
 * first line), -1 with an error set. */
static int
place_at(PyObject *target, PyObject *lines, Py_ssize_t first, Py_ssize_t last, Py_ssize_t *line, Py_ssize_t *col)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(target);
    if (!PyUnicode_IS_ASCII(target)) {
        *line = first;
        return 2;
    }
    Name name;
    int ok = name_of_target(target, &name);
    if (ok <= 0) { /* words only the pattern reads: from the first line */
        *line = first;
        return ok < 0 ? -1 : 2;
    }
    int found = name_in_lines(&name, lines, first, last, line, col);
    name_release(&name);
    if (found < 0 || found == 2) {
        return found < 0 ? -1 : 2;
    }
    PyObject *text = 0 < *line && *line <= PyList_GET_SIZE(lines) ? PyList_GET_ITEM(lines, *line - 1) : S_empty;
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "place: each line must be a str");
        return -1;
    }
    /* col - 1 + length, without overflowing on any ints (past the line's end, or before its start, is all one) */
    Py_ssize_t c = *col;
    Py_ssize_t at = c >= 1 ? (length > PY_SSIZE_T_MAX - (c - 1) ? PY_SSIZE_T_MAX : c - 1 + length) : c + length;
    if (c < 1 && at > PY_SSIZE_T_MIN) {
        at--;
    }
    return thing_after(text, at) ? 0 : 1;
}

static PyObject *
place(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || !PyUnicode_Check(args[0]) || !PyList_Check(args[1]) || !PyLong_Check(args[2]) || !PyLong_Check(args[3])
        || !PyLong_Check(args[4]) || !PyLong_Check(args[5])) {
        return type_error("place(target: str, lines: list of str, first: int, last: int, line: int, col: int)");
    }
    Py_ssize_t first = small_int(args[2]), last = small_int(args[3]);
    Py_ssize_t line = small_int(args[4]), col = small_int(args[5]);
    if (PyErr_Occurred()) {
        return NULL;
    }
    int r = place_at(args[0], args[1], first, last, &line, &col);
    if (r < 0) {
        return NULL;
    }
    if (r == 2) {
        return PyLong_FromSsize_t(line);
    }
    if (r == 0) {
        Py_RETURN_NONE;
    }
    return pair(PyLong_FromSsize_t(line), PyLong_FromSsize_t(col)); /* Py_BuildValue's format cost ~460 a call */
}

/* ---- structure._delegations' edges in C (h91): structure._edges_py in one call ---- */

/* What `edges` reads with, in the order structure._native_edges passes it. */
enum { G_NORMAL, G_ROLE_LIKE, G_DELEGATION, G_MENTION, G_SPAN, G_PLACE_PY, G_COUNT };

static PyObject *S_file, *S_condition, *S_section, *S_span, *S_words, *S_d2, *KW_SPAN, *KW_DELEGATION, *KW_MENTION;

/* Span(file=file, line=line, col=col), a new reference. */
static PyObject *
new_span(PyObject *const *env, PyObject *file, PyObject *line, PyObject *col)
{
    return PyObject_Vectorcall(env[G_SPAN], (PyObject *const[]){file, line, col}, 0, KW_SPAN);
}

/* structure._add: a Delegation appended to `found` unless `seen` holds (normal(target), line), which it
 * then holds. 0, or -1 with an error set. */
static int
add_edge(PyObject *const *env, PyObject *found, PyObject *seen, PyObject *file, PyObject *target, PyObject *condition,
         PyObject *kind, PyObject *pattern, PyObject *section, PyObject *line, PyObject *col)
{
    PyObject *normal = PyObject_CallOneArg(env[G_NORMAL], target);
    PyObject *key = normal == NULL ? NULL : PyTuple_Pack(2, normal, line);
    Py_XDECREF(normal);
    int r = key == NULL ? -1 : PySet_Contains(seen, key);
    if (r == 0) {
        r = PySet_Add(seen, key);
        PyObject *span = r < 0 ? NULL : new_span(env, file, line, col);
        PyObject *edge = span == NULL ? NULL
                         : PyObject_Vectorcall(env[G_DELEGATION], (PyObject *const[]){target, condition, kind, pattern, section, span},
                                               0, KW_DELEGATION);
        r = edge == NULL ? -1 : PyList_Append(found, edge);
        Py_XDECREF(span);
        Py_XDECREF(edge);
    }
    Py_XDECREF(key);
    return r < 0 ? -1 : 0;
}

/* structure._place_in(target, lines, first, last, line, col): 1 with the place in *at_line and *at_col,
 * 0 when the word after the name makes it a thing, -1 with an error set. */
static int
place_edge(PyObject *const *env, PyObject *target, PyObject *lines, Py_ssize_t first, Py_ssize_t last, Py_ssize_t *at_line,
           Py_ssize_t *at_col)
{
    Py_ssize_t line = *at_line, col = *at_col;
    int r = place_at(target, lines, first, last, &line, &col);
    if (r != 2) {
        *at_line = line;
        *at_col = col;
        return r;
    }
    /* a line only the pattern reads: the reference from there (`line`), with the place it falls back to */
    PyObject *args[6] = {target, lines, PyLong_FromSsize_t(line), PyLong_FromSsize_t(last), PyLong_FromSsize_t(*at_line),
                         PyLong_FromSsize_t(*at_col)};
    PyObject *got = args[2] && args[3] && args[4] && args[5] ? PyObject_Vectorcall(env[G_PLACE_PY], args, 6, NULL) : NULL;
    for (int k = 2; k < 6; k++) {
        Py_XDECREF(args[k]);
    }
    if (got == NULL) {
        return -1;
    }
    r = got == Py_None ? 0 : -1;
    if (got != Py_None) {
        if (PyTuple_Check(got) && PyTuple_GET_SIZE(got) == 2) {
            *at_line = small_int(PyTuple_GET_ITEM(got, 0));
            *at_col = small_int(PyTuple_GET_ITEM(got, 1));
            r = PyErr_Occurred() ? -1 : 1;
        }
        else {
            PyErr_SetString(PyExc_TypeError, "edges: _place_py must give None or (line, col)");
        }
    }
    Py_DECREF(got);
    return r;
}

/* titles[k] for a section index `k` (an int, or None for no section: None), borrowed; NULL with an error set. */
static PyObject *
title_of(PyObject *titles, PyObject *k)
{
    if (k == Py_None) {
        return Py_None;
    }
    Py_ssize_t at = PyLong_Check(k) ? small_int(k) : -1;
    if (at < 0 || at >= PyList_GET_SIZE(titles)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_IndexError, "edges: a section index must index titles");
        }
        return NULL;
    }
    return PyList_GET_ITEM(titles, at);
}

/* The edges of one D2 head: each target placed in the block ([line, last], at `col` when not written)
 * and added under the head's parent section's title (its block's section's when it has none). */
static int
head_edges(PyObject *const *env, PyObject *head, PyObject *k, Py_ssize_t line, Py_ssize_t last, Py_ssize_t col,
           PyObject *sections, PyObject *titles, PyObject *lines, PyObject *file, PyObject *found, PyObject *seen)
{
    Py_ssize_t s = PyTuple_Check(head) && PyTuple_GET_SIZE(head) == 4 && PyLong_Check(PyTuple_GET_ITEM(head, 0))
                   ? small_int(PyTuple_GET_ITEM(head, 0)) : -1;
    PyObject *targets = s >= 0 ? PyTuple_GET_ITEM(head, 1) : NULL;
    if (s < 0 || s >= PyList_GET_SIZE(sections) || !PyList_Check(targets)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "edges: a head must be (section, targets: list, condition, items)");
        }
        return -1;
    }
    PyObject *parent = slot_attr(PyList_GET_ITEM(sections, s), S_parent);
    if (parent == NULL) {
        return -1;
    }
    PyObject *section = title_of(titles, parent != Py_None ? parent : k);
    Py_DECREF(parent);
    if (section == NULL) {
        return -1;
    }
    Py_INCREF(section);
    int r = 0;
    for (Py_ssize_t t = 0; r == 0 && t < PyList_GET_SIZE(targets); t++) {
        PyObject *target = Py_NewRef(PyList_GET_ITEM(targets, t));
        Py_ssize_t at_line = line, at_col = col;
        r = PyUnicode_Check(target) ? place_edge(env, target, lines, line, last, &at_line, &at_col) : -1;
        if (r < 0 && !PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "edges: a target must be a str");
        }
        if (r > 0) {
            PyObject *l = PyLong_FromSsize_t(at_line), *c = PyLong_FromSsize_t(at_col);
            r = l == NULL || c == NULL ? -1
                : add_edge(env, found, seen, file, target, PyTuple_GET_ITEM(head, 2), S_delegate, S_d2, section, l, c);
            Py_XDECREF(l);
            Py_XDECREF(c);
        }
        Py_DECREF(target);
        r = r < 0 ? -1 : 0;
    }
    Py_DECREF(section);
    return r;
}

/* The edges a block's recognisers found (`finds`: Found tuples, or find_text's plain tuples of their
 * fields), each placed from its line to `last`; one plain word the linker may resolve becomes a Mention. */
static int
found_edges(PyObject *const *env, PyObject *finds, PyObject *title, Py_ssize_t last, Py_ssize_t col, PyObject *lines,
            PyObject *file, PyObject *found, PyObject *seen, PyObject *weak)
{
    if (!PyList_Check(finds)) {
        PyErr_SetString(PyExc_TypeError, "edges: a block's finds must be a list");
        return -1;
    }
    int r = 0;
    for (Py_ssize_t q = 0; r == 0 && q < PyList_GET_SIZE(finds); q++) {
        PyObject *f = Py_NewRef(PyList_GET_ITEM(finds, q));
        Py_ssize_t at_line = PyTuple_Check(f) && PyTuple_GET_SIZE(f) == 6 && PyUnicode_Check(PyTuple_GET_ITEM(f, 0))
                             && PyLong_Check(PyTuple_GET_ITEM(f, 4)) ? small_int(PyTuple_GET_ITEM(f, 4)) : -1;
        if (at_line == -1) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError, "edges: a find must be (target: str, condition, kind, pattern, line: int, col)");
            }
            Py_DECREF(f);
            return -1;
        }
        PyObject *target = PyTuple_GET_ITEM(f, 0), *condition = PyTuple_GET_ITEM(f, 1), *kind = PyTuple_GET_ITEM(f, 2);
        PyObject *pattern = PyTuple_GET_ITEM(f, 3);
        Py_ssize_t at_col = col, first = at_line;
        r = place_edge(env, target, lines, first, last, &at_line, &at_col);
        PyObject *l = NULL, *c = NULL;
        if (r > 0) {
            l = PyLong_FromSsize_t(at_line);
            c = PyLong_FromSsize_t(at_col);
            r = l == NULL || c == NULL ? -1 : 1;
        }
        if (r > 0) {
            Py_ssize_t n = PyUnicode_GET_LENGTH(target);
            int named = PyUnicode_FindChar(target, '-', 0, n, 1) >= 0 || PyUnicode_FindChar(target, ':', 0, n, 1) >= 0;
            if (!named) { /* "(use `bigint`)": one plain word is a name only when the build has that agent */
                named = truth(PyObject_CallOneArg(env[G_ROLE_LIKE], target));
            }
            if (named > 0) {
                r = add_edge(env, found, seen, file, target, condition, kind, pattern, title, l, c);
            }
            else if (named == 0) {
                PyObject *words = PyTuple_Pack(1, target), *span = words == NULL ? NULL : new_span(env, file, l, c);
                PyObject *mention = span == NULL ? NULL
                                    : PyObject_Vectorcall(env[G_MENTION], (PyObject *const[]){words, kind, pattern, condition, title, span},
                                                          0, KW_MENTION);
                r = mention == NULL ? -1 : PyList_Append(weak, mention);
                XDECREF_ALL(words, span, mention);
            }
            else {
                r = -1;
            }
        }
        Py_XDECREF(l);
        Py_XDECREF(c);
        Py_DECREF(f);
        r = r < 0 ? -1 : 0;
    }
    return r;
}

PyDoc_STRVAR(edges_doc,
"edges(env, blocks, owner, sections, titles, lines, finds, heads, file, found, seen, weak)\n"
"--\n\n"
"structure._edges_py: the edges of the blocks `finds` and `heads` hold (dicts by block index), in\n"
"block order, added to `found` (Delegations; their keys to the set `seen`) and `weak` (Mentions).\n"
"`env`: (mentions.normal, mentions.role_like, Delegation, Mention, Span, structure._place_py).");

static PyObject *
edges(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 12 || !PyTuple_Check(args[0]) || PyTuple_GET_SIZE(args[0]) != G_COUNT || !PyList_Check(args[1])
        || !PyList_Check(args[2]) || !PyList_Check(args[3]) || !PyList_Check(args[4]) || !PyList_Check(args[5])
        || !PyDict_Check(args[6]) || !PyDict_Check(args[7]) || !PyUnicode_Check(args[8]) || !PyList_Check(args[9])
        || !PySet_Check(args[10]) || !PyList_Check(args[11])) {
        return type_error("edges(env: tuple of 6, blocks, owner, sections, titles, lines: lists, finds, heads: "
                          "dicts, file: str, found: list, seen: set, weak: list)");
    }
    PyObject *const *env = &PyTuple_GET_ITEM(args[0], 0);
    PyObject *blocks = args[1], *owner = args[2], *sections = args[3], *titles = args[4], *lines = args[5];
    PyObject *finds = args[6], *heads = args[7], *file = args[8], *found = args[9], *seen = args[10], *weak = args[11];
    /* sorted(finds.keys() | heads.keys()) */
    PyObject *order = PyDict_Keys(finds), *key, *value;
    Py_ssize_t pos = 0;
    while (order != NULL && PyDict_Next(heads, &pos, &key, &value)) {
        int in = PyDict_Contains(finds, key);
        if (in < 0 || (in == 0 && PyList_Append(order, key) < 0)) {
            Py_CLEAR(order);
        }
    }
    if (order == NULL || PyList_Sort(order) < 0) {
        Py_XDECREF(order);
        return NULL;
    }
    int r = 0;
    for (Py_ssize_t n = 0; r == 0 && n < PyList_GET_SIZE(order); n++) {
        PyObject *index = PyList_GET_ITEM(order, n);
        Py_ssize_t i = PyLong_Check(index) ? small_int(index) : -1;
        if (i < 0 || i >= PyList_GET_SIZE(blocks) || i >= PyList_GET_SIZE(owner)) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_IndexError, "edges: each key must index blocks and owner");
            }
            r = -1;
            break;
        }
        PyObject *b = Py_NewRef(PyList_GET_ITEM(blocks, i)), *k = Py_NewRef(PyList_GET_ITEM(owner, i));
        Py_ssize_t line = int_attr(b, S_line), end = line < 0 ? -1 : int_attr(b, S_end), col = end < 0 ? -1 : int_attr(b, S_col);
        Py_DECREF(b);
        if (col < 0 && !PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "edges: a block's line, end and col must be ints >= 0");
        }
        PyObject *head = col < 0 ? NULL : PyDict_GetItemWithError(heads, index);
        if (col < 0 || (head == NULL && PyErr_Occurred())) {
            r = -1;
        }
        else if (head != NULL) { /* D2: "**Delegate to x**:" then bullets that say when */
            Py_INCREF(head);
            r = head_edges(env, head, k, line, end > line ? end : line, col, sections, titles, lines, file, found, seen);
            Py_DECREF(head);
        }
        else {
            PyObject *title = title_of(titles, k), *fl = title == NULL ? NULL : PyDict_GetItemWithError(finds, index);
            if (fl == NULL) {
                if (title != NULL && !PyErr_Occurred()) {
                    PyErr_SetString(PyExc_RuntimeError, "edges: finds changed");
                }
                r = -1;
            }
            else {
                Py_INCREF(title);
                Py_INCREF(fl);
                r = found_edges(env, fl, title, end > line ? end : line, col, lines, file, found, seen, weak);
                Py_DECREF(fl);
                Py_DECREF(title);
            }
        }
        Py_DECREF(k);
    }
    Py_DECREF(order);
    if (r < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* ---- delegation.find in a list item or paragraph in C (h91): `_text_py` for the forms most texts take ---- */

/* What `find_text` reads with, in the order delegation._native_text passes it. */
enum { T_WORDS, T_ALWAYS, T_LEAD, T_NOT_AGENTS, T_CLEAN, T_REFERENCE, T_COUNT };
/* The bits of delegation._WORDS' groups (_PIECE, _TRIGGER, _AGENT, _PAREN_CUE, _DELEGAT, _ARROWS). */
enum { W_PIECE = 1, W_TRIGGER = 2, W_AGENT = 4, W_PAREN_CUE = 8, W_DELEGAT = 16, W_ARROWS = 32 };

static PyObject *S_d1_arrow, *S_consult;

/* re's `\w` of a str pattern. */
static int
word_char(Py_UCS4 ch)
{
    return Py_UNICODE_ISALNUM(ch) || ch == '_';
}

/* Whether `ch` may be the pattern letter `c` (lowercase ASCII) to re.I: an ASCII character only as
   `c` in either case; any other character may be (re.I folds a few to ASCII letters: "ſ", "ı", the
   Kelvin sign), so the reference reads the text. */
static int
may_be(Py_UCS4 ch, char c)
{
    return ch >= 128 || (ch >= 'A' && ch <= 'Z' ? ch + 32 : ch) == (Py_UCS4)c;
}

/* delegation._upto_sentence: where `_CLAUSE_END` first matches in `text` (the clause ends at *end,
   what follows starts at *next), both the text's length when it does not. */
static void
clause_end(PyObject *text, Py_ssize_t *end, Py_ssize_t *next)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (ch == '.') {
            Py_UCS4 before = i > 0 ? PyUnicode_READ(kind, data, i - 1) : ' ';
            if (before == '.' || word_char(before)) {
                continue;
            }
            if (i + 1 == n || Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i + 1))) {
                *end = i;
                *next = i + 1 == n ? n : i + 2;
                return;
            }
        } else if ((ch == ';' || ch == ':') && i + 1 < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i + 1))) {
            *end = i;
            *next = i + 2;
            return;
        }
    }
    *end = *next = n;
}

/* Whether `_COLLAB` may match `body`: it starts with one of its verbs (`may_be` each letter). */
static int
collab_may(PyObject *body)
{
    static const char *const verbs[] = {"collaborate", "coordinate", "work", "partner", "sync", "team up", "liaise", "align",
                                        "interface", "pair", NULL};
    int kind = PyUnicode_KIND(body);
    const void *data = PyUnicode_DATA(body);
    Py_ssize_t n = PyUnicode_GET_LENGTH(body);
    for (int v = 0; verbs[v]; v++) {
        Py_ssize_t k = 0;
        while (verbs[v][k] && k < n && may_be(PyUnicode_READ(kind, data, k), verbs[v][k])) {
            k++;
        }
        if (!verbs[v][k]) {
            return 1;
        }
    }
    return 0;
}

/* Whether `_NAME_AGENT` (-[a-z0-9_]+(?:\*\*|`)?\s+(?:sub-?)?agent\b, re.I) may match in `text`:
   read back from each "agent" (ASCII in any case: re.I folds no other character to its letters),
   a character other than ASCII where a letter of the name or of "sub" stands counts as a match. */
static int
name_agent_may(PyObject *text)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
#define AT(i) PyUnicode_READ(kind, data, (i))
#define ASCII_IS(i, c) (AT(i) < 128 && may_be(AT(i), (c)))
    /* from each "a" (`first_from`: a loop per width, where reading each place cost ~25 instructions) */
    for (Py_ssize_t p = first_from(kind, data, n, 0, 'a'); p + 5 <= n; p = first_from(kind, data, n, p + 1, 'a')) {
        if (!(ASCII_IS(p, 'a') && ASCII_IS(p + 1, 'g') && ASCII_IS(p + 2, 'e') && ASCII_IS(p + 3, 'n') && ASCII_IS(p + 4, 't'))
            || (p + 5 < n && word_char(AT(p + 5)))) {
            continue;
        }
        /* where the blanks before "agent", "sub-agent" or "subagent" end */
        Py_ssize_t ends[3] = {p, -1, -1};
        if (p >= 3 && may_be(AT(p - 3), 's') && may_be(AT(p - 2), 'u') && may_be(AT(p - 1), 'b')) {
            ends[1] = p - 3;
        }
        if (p >= 4 && may_be(AT(p - 4), 's') && may_be(AT(p - 3), 'u') && may_be(AT(p - 2), 'b') && AT(p - 1) == '-') {
            ends[2] = p - 4;
        }
        for (int e = 0; e < 3; e++) {
            Py_ssize_t k = ends[e];
            while (k > 0 && Py_UNICODE_ISSPACE(AT(k - 1))) {
                k--;
            }
            if (ends[e] < 0 || k == ends[e]) {
                continue;
            }
            /* the name's end: right before the blanks, or before "`" or "**" there */
            Py_ssize_t names[3] = {k, k >= 1 && AT(k - 1) == '`' ? k - 1 : -1,
                                   k >= 2 && AT(k - 1) == '*' && AT(k - 2) == '*' ? k - 2 : -1};
            for (int m = 0; m < 3; m++) {
                Py_ssize_t r = names[m];
                if (r < 0) {
                    continue;
                }
                while (r > 0 && (AT(r - 1) >= 128 || word_char(AT(r - 1)))) {
                    if (AT(r - 1) >= 128) {
                        return 1;
                    }
                    r--;
                }
                if (r < names[m] && r > 0 && AT(r - 1) == '-') {
                    return 1;
                }
            }
        }
    }
#undef ASCII_IS
#undef AT
    return 0;
}

/* Whether `_DELEGATE_PHRASE` may match in `text`: it holds "delegate", "delegates" or "delegating"
   as a word (ASCII in any case but where `may_be` lets "s" and "i" be what re.I folds to them). */
static int
delegate_may(PyObject *text)
{
    static const char *const ends[] = {"e", "es", "ing", NULL};
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t p = 0; p + 7 <= n; p++) {
        Py_ssize_t k = 0;
        while (k < 7 && PyUnicode_READ(kind, data, p + k) < 128 && may_be(PyUnicode_READ(kind, data, p + k), "delegat"[k])) {
            k++;
        }
        if (k < 7 || (p > 0 && word_char(PyUnicode_READ(kind, data, p - 1)))) {
            continue;
        }
        for (int e = 0; ends[e]; e++) {
            Py_ssize_t q = p + 7, c = 0;
            while (ends[e][c] && q < n && may_be(PyUnicode_READ(kind, data, q), ends[e][c])) {
                q++;
                c++;
            }
            if (!ends[e][c] && (q == n || !word_char(PyUnicode_READ(kind, data, q)))) {
                return 1;
            }
        }
    }
    return 0;
}

/* `_line`'s D1 arrow for a text `_arrow` reads one in: the edges in *found (a new list), or 0 when
   the reference must read the text (a verb "use" or "see", no names right after the arrow, or no
   condition around them but the clause's own words); -1 with an exception. */
static int
arrow_edges(PyObject *module, PyObject *const *env, PyObject *parts, PyObject *line, PyObject *col, PyObject **found)
{
    PyObject *before = PyTuple_GET_ITEM(parts, 0), *verb = PyTuple_GET_ITEM(parts, 1), *rest = PyTuple_GET_ITEM(parts, 2);
    if (PyUnicode_GET_LENGTH(verb) == 3) { /* "use" or "see": a thing or a role-like name, read by the reference */
        return 0;
    }
    Py_ssize_t end, next;
    clause_end(rest, &end, &next);
    PyObject *clause = PyUnicode_Substring(rest, 0, end);
    if (clause == NULL) {
        return -1;
    }
    PyObject *names = leading(module, (PyObject *const[]){clause, env[T_NOT_AGENTS]}, 2);
    Py_DECREF(clause);
    if (names == NULL || PyList_GET_SIZE(names) == 0) {
        Py_XDECREF(names);
        return names == NULL ? -1 : 0;
    }
    PyObject *cond = clean(module, (PyObject *const[]){env[T_CLEAN], before}, 2);
    if (cond != NULL && PyUnicode_GET_LENGTH(cond) == 0) {
        Py_DECREF(cond);
        PyObject *after = PyUnicode_Substring(rest, next, PyUnicode_GET_LENGTH(rest));
        cond = after == NULL ? NULL : clean(module, (PyObject *const[]){env[T_CLEAN], after}, 2);
        Py_XDECREF(after);
    }
    if (cond == NULL || PyUnicode_GET_LENGTH(cond) == 0) {
        Py_DECREF(names);
        Py_XDECREF(cond);
        return cond == NULL ? -1 : 0;
    }
    PyObject *kind = S_delegate;
    if (PyUnicode_GET_LENGTH(verb) == 7) {
        kind = S_consult;
        for (Py_ssize_t k = 0; k < 7; k++) {
            Py_UCS4 ch = PyUnicode_READ_CHAR(verb, k);
            if (!(ch < 128 && may_be(ch, "consult"[k]))) {
                kind = S_delegate;
            }
        }
    }
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(names); k++) {
        PyObject *edge = PyTuple_Pack(6, PyList_GET_ITEM(names, k), cond, kind, S_d1_arrow, line, col);
        if (edge == NULL) {
            Py_DECREF(names);
            Py_DECREF(cond);
            return -1;
        }
        PyList_SET_ITEM(names, k, edge); /* the list's reference to the name goes to the tuple's */
        Py_DECREF(PyTuple_GET_ITEM(edge, 0));
    }
    Py_DECREF(cond);
    *found = names;
    return 1;
}

/* `_line` for what `find_text` reads itself: the edges in *found (a new list), 0 when the reference
   must read the text, -1 with an exception. */
static int
line_edges(PyObject *module, PyObject *const *env, PyObject *text, PyObject *line, PyObject *col, unsigned long long holds,
           int always, PyObject **found)
{
    PyObject *led = PyObject_CallOneArg(env[T_LEAD], text);
    if (led == NULL) {
        return -1;
    }
    if (!PyTuple_Check(led) || PyTuple_GET_SIZE(led) != 2 || !PyUnicode_Check(PyTuple_GET_ITEM(led, 1))) {
        Py_DECREF(led);
        PyErr_SetString(PyExc_TypeError, "find_text: lead must give (str or None, str)");
        return -1;
    }
    PyObject *title = PyTuple_GET_ITEM(led, 0);
    int title_forms = 0; /* a title some form of a lead may read: with-bullets, "vs", positions, agent bullets */
    if (title != Py_None) {
        if (!PyUnicode_Check(title)) {
            Py_DECREF(led);
            PyErr_SetString(PyExc_TypeError, "find_text: lead must give (str or None, str)");
            return -1;
        }
        Py_UCS4 first = PyUnicode_GET_LENGTH(title) ? PyUnicode_READ_CHAR(title, 0) : ' ';
        title_forms = always || first >= 128 || first == 'w' || first == 'W' || first == 'v' || first == 'V';
    }
    Py_DECREF(led);
    if (title_forms) {
        return 0;
    }
    if (holds & W_ARROWS) {
        PyObject *parts = arrow(module, &text, 1);
        if (parts == NULL) {
            return -1;
        }
        if (parts != Py_None) {
            int got = arrow_edges(module, env, parts, line, col, found);
            Py_DECREF(parts);
            return got;
        }
        Py_DECREF(parts);
    }
    /* no arrow: outside delegation and avoid sections a parenthesis with a cue, "delegate ... to" or
       a collaboration verb starting the text is read by the reference; in them, every text is */
    if (always || holds & W_PAREN_CUE || (holds & W_DELEGAT && delegate_may(text))) {
        return 0;
    }
    PyObject *body = clean(module, (PyObject *const[]){env[T_CLEAN], text}, 2);
    if (body == NULL) {
        return -1;
    }
    int may = collab_may(body);
    Py_DECREF(body);
    if (may) {
        return 0;
    }
    *found = PyList_New(0);
    return *found == NULL ? -1 : 1;
}

PyDoc_STRVAR(find_text_doc,
"find_text(env, text, line, col, role, self_name)\n"
"--\n\n"
"delegation._text_py(text, line, col, role, self_name), its edges as plain tuples; `env`: (_WORDS,\n"
"ALWAYS_READ, lead, _NOT_AGENTS, clean's env, _text_py). Reads the texts that hold no form, and D1\n"
"arrows; hands any other to _text_py.");

/* Whether `env` is what find_text reads with (see T_*). */
static int
text_env_ok(PyObject *env)
{
    return PyTuple_Check(env) && PyTuple_GET_SIZE(env) == T_COUNT && PyTuple_Check(PyTuple_GET_ITEM(env, T_WORDS))
           && PyTuple_GET_SIZE(PyTuple_GET_ITEM(env, T_WORDS)) <= 30 && PyTuple_Check(PyTuple_GET_ITEM(env, T_ALWAYS))
           && PyAnySet_Check(PyTuple_GET_ITEM(env, T_NOT_AGENTS)) && PyTuple_Check(PyTuple_GET_ITEM(env, T_CLEAN))
           && PyTuple_GET_SIZE(PyTuple_GET_ITEM(env, T_CLEAN)) == C_COUNT;
}

/* find_text's reading of `args` (text: str, line, col, role: str, self_name) with a checked `env`. */
static PyObject *
text_edges(PyObject *module, PyObject *const *env, PyObject *const *args)
{
    PyObject *text = args[0], *line = args[1], *col = args[2], *role = args[3];
    unsigned long long holds;
    if (holding_of(text, env[T_WORDS], &holds) < 0) {
        return NULL;
    }
    int always = 0;
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(env[T_ALWAYS]) && !always; k++) {
        PyObject *wanted = PyTuple_GET_ITEM(env[T_ALWAYS], k);
        if (!PyUnicode_Check(wanted))
            return type_error("find_text: the roles always read must be str");
        /* two interned strs are equal only as one object: the roles and ALWAYS_READ's are */
        always = role == wanted
                 || (!(PyUnicode_CHECK_INTERNED(role) && PyUnicode_CHECK_INTERNED(wanted)) && PyUnicode_Compare(role, wanted) == 0);
    }
    PyObject *found = NULL;
    int got = 1;
    if (always || (holds & W_PIECE && holds & W_TRIGGER)) {
        got = line_edges(module, env, text, line, col, holds, always, &found);
    } else {
        found = PyList_New(0);
        got = found == NULL ? -1 : 1;
    }
    if (got == 1 && holds & W_AGENT && name_agent_may(text)) { /* a "use the x-y agent" the reference reads */
        Py_CLEAR(found);
        got = 0;
    }
    if (got == 0) {
        return PyObject_Vectorcall(env[T_REFERENCE], args, 5, NULL);
    }
    return got < 0 ? NULL : found;
}

static PyObject *
find_text(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || !text_env_ok(args[0]) || !PyUnicode_Check(args[1]) || !PyUnicode_Check(args[4]))
        return type_error("find_text(env: tuple of 6, text: str, line, col, role: str, self_name)");
    return text_edges(module, &PyTuple_GET_ITEM(args[0], 0), args + 1);
}

/* What `find_blocks` reads with, in the order delegation._native_blocks passes it. */
enum { B_TEXT_ENV, B_LIST_ITEM, B_PARAGRAPH, B_FIND, B_OTHER, B_COUNT };

PyDoc_STRVAR(find_blocks_doc,
"find_blocks(env, blocks, indices, owner, roles, self_name)\n"
"--\n\n"
"delegation._find_blocks_py: the edges `find` reads in each of blocks[indices] (ints), in the role of\n"
"its section (`owner`, `roles`; \"other\" outside any), by index, for the blocks yielding any. `env`:\n"
"(find_text's env, ListItem, Paragraph, find, \"other\"); a list item's or paragraph's text is read as\n"
"find_text reads it, any other block by `find`.");

static PyObject *
find_blocks(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || !PyTuple_Check(args[0]) || PyTuple_GET_SIZE(args[0]) != B_COUNT
        || !text_env_ok(PyTuple_GET_ITEM(args[0], B_TEXT_ENV)) || !PyUnicode_Check(PyTuple_GET_ITEM(args[0], B_OTHER))
        || !PyList_Check(args[1]) || !PyList_Check(args[2]) || !PyList_Check(args[3]) || !PyList_Check(args[4])) {
        return type_error("find_blocks(env: tuple of 5, blocks: list, indices: list, owner: list, roles: list, self_name)");
    }
    PyObject *const *env = &PyTuple_GET_ITEM(args[0], 0);
    PyObject *const *text_env = &PyTuple_GET_ITEM(env[B_TEXT_ENV], 0);
    PyObject *blocks = args[1], *indices = args[2], *owner = args[3], *roles = args[4], *self_name = args[5];
    PyObject *out = PyDict_New();
    for (Py_ssize_t k = 0; out != NULL && k < PyList_GET_SIZE(indices); k++) {
        PyObject *index = PyList_GET_ITEM(indices, k);
        Py_ssize_t i = PyLong_Check(index) ? small_int(index) : -1;
        if (i < 0 || i >= PyList_GET_SIZE(blocks) || i >= PyList_GET_SIZE(owner)) {
            if (!PyErr_Occurred() || PyErr_ExceptionMatches(PyExc_OverflowError)) {
                PyErr_Clear();
                PyErr_SetString(PyExc_TypeError, "find_blocks: each index must be an int indexing blocks and owner");
            }
            Py_CLEAR(out);
            break;
        }
        PyObject *block = PyList_GET_ITEM(blocks, i), *section = PyList_GET_ITEM(owner, i), *role = env[B_OTHER];
        if (section != Py_None) {
            Py_ssize_t s = PyLong_Check(section) ? small_int(section) : -1;
            if (s < 0 || s >= PyList_GET_SIZE(roles) || !PyUnicode_Check(PyList_GET_ITEM(roles, s))) {
                PyErr_Clear();
                PyErr_SetString(PyExc_TypeError, "find_blocks: each owner must be None or an int indexing roles, each role a str");
                Py_CLEAR(out);
                break;
            }
            role = PyList_GET_ITEM(roles, s);
        }
        PyObject *found;
        if ((PyObject *)Py_TYPE(block) == env[B_LIST_ITEM] || (PyObject *)Py_TYPE(block) == env[B_PARAGRAPH]) {
            PyObject *text = slot_attr(block, S_text), *line = NULL, *col = NULL;
            if (text != NULL && (line = slot_attr(block, S_line)) != NULL && (col = slot_attr(block, S_col)) != NULL
                && !PyUnicode_Check(text)) {
                PyErr_SetString(PyExc_TypeError, "find_blocks: a block's text must be a str");
            }
            found = PyErr_Occurred() ? NULL : text_edges(module, text_env, (PyObject *const[]){text, line, col, role, self_name});
            XDECREF_ALL(text, line, col);
        } else {
            found = PyObject_Vectorcall(env[B_FIND], (PyObject *const[]){block, role, self_name}, 3, NULL);
        }
        /* a block yielding nothing is left out; on an error, so is the rest */
        if (found == NULL || (PyList_Check(found) && PyList_GET_SIZE(found) && PyDict_SetItem(out, index, found) < 0)) {
            Py_CLEAR(out);
        }
        Py_XDECREF(found);
    }
    return out;
}

static PyMethodDef methods[] = {
    FASTCALL_METHOD("scan_line", scan_line, scan_line_doc),
    FASTCALL_METHOD("inert", inert, inert_doc),
    FASTCALL_METHOD("walk", walk, walk_doc),
    FASTCALL_METHOD("label_may", label_may_py, label_may_doc),
    FASTCALL_METHOD("contexts", contexts, contexts_doc),
    FASTCALL_METHOD("visit", visit, visit_doc),
    FASTCALL_METHOD("clean", clean, clean_doc),
    FASTCALL_METHOD("name_at", name_at, name_at_doc),
    FASTCALL_METHOD("holding", holding, holding_doc),
    FASTCALL_METHOD("arrow", arrow, arrow_doc),
    FASTCALL_METHOD("head_starts", head_starts, head_starts_doc),
    FASTCALL_METHOD("block_targets", block_targets, block_targets_doc),
    FASTCALL_METHOD("leading", leading, leading_doc),
    FASTCALL_METHOD("heads", heads, heads_doc),
    FASTCALL_METHOD("place", place, place_doc),
    FASTCALL_METHOD("find_text", find_text, find_text_doc),
    FASTCALL_METHOD("find_blocks", find_blocks, find_blocks_doc),
    FASTCALL_METHOD("edges", edges, edges_doc),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "agentc.compiler._judge",
    "mentions.scan_line, references._walk_py and _contexts_py, structure._visit_py, _name_at_py and _find_in_lines_py, and delegation._clean_py, _holding_py, _arrow_py, _head_starts_py, _block_targets_py, _leading_py, _heads_py, _text_py and _find_blocks_py, and structure._place_py and _edges_py in C.",
    -1,
    methods,
};

static int
intern(PyObject **slot, const char *text)
{
    *slot = PyUnicode_InternFromString(text);
    return *slot == NULL ? -1 : 0;
}

PyMODINIT_FUNC
PyInit__judge(void)
{
    if (intern(&S_search, "search") || intern(&S_match, "match") || intern(&S_sub, "sub") || intern(&S_end, "end")
        || intern(&S_start, "start") || intern(&S_target, "target") || intern(&S_form, "form")
        || intern(&S_brand, "brand") || intern(&S_kind, "kind") || intern(&S_pattern, "pattern")
        || intern(&S_empty, "") || intern(&S_dash, "-") || intern(&S_delegate, "delegate") || intern(&S_compare, "compare")
        || intern(&S_collaborate, "collaborate") || intern(&S_role_only, "kebab-role-only")
        || intern(&S_agent_suffix, "-agent") || intern(&P_sub, "M sub-mention") || intern(&P_at, "M at-mention")
        || intern(&P_name_agent, "M name-agent") || intern(&P_agent_id, "M agent-id")
        || intern(&P_relation, "M relation label") || intern(&P_verb_strong, "M delegation verb")
        || intern(&P_table_column, "M table column") || intern(&P_table_row, "M table row")
        || intern(&P_preference, "M preference") || intern(&P_lead_name, "M lead name") || intern(&P_verb, "M verb")
        || intern(&P_role_verb, "M role-verb") || intern(&P_role_name, "M role name") || intern(&S_text, "text")
        || intern(&S_title, "title") || intern(&S_kebab, "kebab") || intern(&S_line, "line") || intern(&S_col, "col")
        || intern(&S_parent, "parent") || intern(&S_level, "level") || intern(&S_indent, "indent")
        || intern(&S_items_sep, "; ") || intern(&S_d1_arrow, "D1 arrow") || intern(&S_consult, "consult") || intern(&S_delegate_to, "Delegate to ")
        || intern(&S_file, "file") || intern(&S_condition, "condition") || intern(&S_section, "section")
        || intern(&S_span, "span") || intern(&S_words, "words") || intern(&S_d2, "D2 delegate block")
        || (EMPTY_TUPLE = PyTuple_New(0)) == NULL || (ONE = PyLong_FromLong(1)) == NULL) {
        return NULL;
    }
    if ((KW_SPAN = PyTuple_Pack(3, S_file, S_line, S_col)) == NULL
        || (KW_DELEGATION = PyTuple_Pack(6, S_target, S_condition, S_kind, S_pattern, S_section, S_span)) == NULL
        || (KW_MENTION = PyTuple_Pack(6, S_words, S_kind, S_pattern, S_condition, S_section, S_span)) == NULL) {
        return NULL;
    }
    for (int b = 0; b < 8; b++) {
        if ((CONTEXTS[b] = PyTuple_Pack(3, b & 1 ? Py_True : Py_False, b & 2 ? Py_True : Py_False,
                                        b & 4 ? Py_True : Py_False)) == NULL) {
            return NULL;
        }
    }
    return PyModule_Create(&module_def);
}
