/* agentc.compiler._mentions: the word search and the name and phrase scans of compiler/mentions.py in C.
 *
 * mentions.py stays the reference and the fallback (as json/_json): it uses this module when it
 * imports and AGENTC_PURE_PYTHON is not set. line_groups(text, words, masks, count) gives what the
 * Python mentions._line_groups_py gives from mentions._holding(mentions._lowered(text), words): the
 * 0-based indexes of the lines where a word of each group starts (every place, overlapping ones too).
 * The line of a place is the number of "\n" before it, as in Python.
 *
 * Lowercasing is folded into the comparison: the text's ASCII capitals compare as their small
 * letters and every other character as itself, which is what _lowered gives for any text without
 * "İ" (U+0130, whose lowercase is two characters) or the Kelvin sign (U+212A, lowercase "k");
 * for a text holding either, line_groups gives None and mentions.py searches it in Python. So the text is neither copied nor
 * lowered, and no Python object is made per place, only per (group, line) entry.
 *
 * title_names and kebab_names (below) are two of mentions._candidates' scans with the decisions
 * it takes about each place found; weak_phrases is mentions.weak_phrases for an ASCII line.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "_extension.h"
#include <stdint.h>

#define OTHER 128 /* the ASCII characters: those below */

static inline Py_UCS4
fold(Py_UCS4 ch)
{
    return (ch >= 'A' && ch <= 'Z') ? ch + ('a' - 'A') : ch;
}

/* The search is the Aho-Corasick automaton of the words made a full transition table: one table
 * look-up a character finds every place of every word, overlapping ones too, where a filter on
 * each place's first characters and a comparison with each word that may start there cost ~38
 * instructions a character. The table's columns are classes of characters: one for each
 * character some word holds, and class 0 for every other one (most of the text), which keeps the
 * table small enough for the first-level cache. A text character's class is that of its folded
 * form, so a capital in a word (never in the folded text) is never found, as in Python.
 *
 * "İ" and the Kelvin sign (whose lowercase is no one ASCII letter for one, see line_groups) have
 * a class of their own that leads every state to a state of its own, numbered after all others:
 * the scan meets it where it tests for a word's end, so a step is a class look-up (a table for
 * every character below 0x10000) and a table look-up, with no test of the character: the scan
 * ~333K -> ~287K instructions a 32 KB agent. */
typedef struct {
    PyObject *key;             /* the words tuple it was made for (a strong reference: see `searcher`) */
    Py_ssize_t n_words;
    Py_ssize_t max_len;         /* the longest word's length */
    uint32_t n_classes;
    uint32_t class8[256];      /* the class of each text character below 256, folded */
    uint32_t *class16;         /* the same below 0x10000 (made when a text of wider characters comes) */
    Py_UCS4 *wide;             /* the non-ASCII characters of the words, in class order... */
    Py_ssize_t n_wide;         /* ...: wide[i] has class first_wide + i */
    uint32_t first_wide;
    /* delta[row + class] is the row of the next state, a state's row being its number times
     * n_classes (so a step is one addition and one load). The states are numbered so that those
     * where some word ends come last, from row first_out on: the test is one comparison. */
    uint32_t *delta;
    uint32_t first_out;
    uint32_t odd_class;    /* the class of "İ" and the Kelvin sign: the last */
    uint32_t odd_row;      /* the row of the state that class leads to: the last */
    Py_ssize_t *own;       /* per state: a word that ends there, or -1 */
    Py_ssize_t *next_word; /* per word: another word that ends at the same state, or -1 */
    Py_ssize_t *dict;      /* per state: the next state on its failure chain where a word ends, or -1 */
    Py_ssize_t *newlines;  /* per word: the "\n" it holds (a place's line is that of its start) */
} Search;

/* The most table entries (states times classes) a search is made with: far above the constant
 * words mentions.py searches for (~300 states, ~40 classes). */
#define MAX_TABLE (1 << 24)

/* The class of a non-ASCII text character: its word character's, or 0. */
static inline uint32_t
wide_class(const Search *s, Py_UCS4 ch)
{
    for (Py_ssize_t i = 0; i < s->n_wide; i++) {
        if (s->wide[i] == ch) {
            return s->first_wide + (uint32_t)i;
        }
    }
    return 0;
}

/* Where a scan's places go: each line's groups, the group bits of every word found on it, or'ed. */
typedef struct {
    const uint32_t *masks;  /* per word: its groups */
    uint32_t *groups;       /* per line: the groups found on it, grown as lines come */
    Py_ssize_t size;        /* the entries of groups */
    /* Each line's start in the text, when the caller made the text (reading): a place's line is
     * then found by walking on over them (the places come in order), not by counting "\n". */
    const Py_ssize_t *starts;
    Py_ssize_t lines, line; /* the starts, and the line of the last place */
} Sink;

/* groups[line] |= mask, groups grown (the new entries 0) to hold the line: 0, or -1 with an exception. */
static int
add_groups(Sink *sink, Py_ssize_t line, uint32_t mask)
{
    if (line >= sink->size) {
        Py_ssize_t size = Py_MAX(2 * sink->size, Py_MAX(line + 1, 256));
        uint32_t *groups = PyMem_Realloc(sink->groups, (size_t)size * sizeof(uint32_t));
        if (groups == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        memset(groups + sink->size, 0, (size_t)(size - sink->size) * sizeof(uint32_t));
        sink->groups = groups;
        sink->size = size;
    }
    sink->groups[line] |= mask;
    return 0;
}

/* Every word that ends where the automaton is in `state` (a state number), the place's last
 * character being on line `line`: 0, or -1 with an exception. */
static int
report(const Search *s, Py_ssize_t state, Py_ssize_t line, Sink *sink)
{
    for (; state >= 0; state = s->dict[state]) {
        for (Py_ssize_t w = s->own[state]; w >= 0; w = s->next_word[w]) {
            if (add_groups(sink, line - s->newlines[w], sink->masks[w]) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* Places found by a later lane of the scan, kept until the earlier lanes' are in the groups. */
typedef struct {
    Py_ssize_t (*items)[2]; /* (row, place of the last character) */
    Py_ssize_t count, size;
} Found;

static int
keep_found(Found *found, Py_ssize_t row, Py_ssize_t at)
{
    if (found->count == found->size) {
        Py_ssize_t size = found->size ? 2 * found->size : 64;
        void *items = PyMem_Realloc(found->items, (size_t)size * sizeof(*found->items));
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        found->items = items;
        found->size = size;
    }
    found->items[found->count][0] = row;
    found->items[found->count][1] = at;
    found->count++;
    return 0;
}

/* The scan, once per storage kind of the text (1, 2 or 4 bytes a character): 0, 1 when the text
 * holds "İ" or the Kelvin sign (the groups are then incomplete), -1 with an exception. The two odd
 * characters are found here, where every character is read anyway: two `in` tests of the whole
 * text before the call cost ~9 us per 32 KB agent.
 *
 * A place's line is the number of "\n" up to its last character, counted when a place is found
 * (~160 in a 32 KB agent), from where the count last stopped: the places come in order, so the
 * text is counted once, by blocks (count_newlines). A count in each step cost ~3 of its ~10
 * instructions a character (the search 414K -> ~300K instructions a 32 KB agent).
 *
 * Each step waits for the table load of the step before (~6 cycles), so a text of 256 characters
 * or more is read as four lanes (quarters) at once, each lane's steps independent of the others':
 * two halves read so took ~33 us a 32 KB seed agent, four ~24.5 us. Each lane after the first
 * starts (max_len - 1) characters before its quarter, enough to be in the state the whole text's
 * is in at the quarter's first character, and keeps only the places that end in its quarter: each
 * place is found once, by the lane where it ends, and the later lanes' are reported after the
 * first lane's, in order. The last lane goes on over what n / 4 left.
 *
 * The rows of the states where a word ends are first_out or more, so four states or'ed are below
 * first_out only when none of them is one (the or'ed value is at least each): a step of each lane
 * is tested at once, and each state only when that test holds (mostly at a word's end). The steps
 * are a function of their own (`_lanes`), left when the test holds: inside the scan, with the
 * reports' values live, the compiler kept lanes' pointers on the stack (~5.5 instructions a
 * character, ~5 apart). */
#define STEP(CLASS, ROW) ROW = delta[ROW + (CLASS)]

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The "\n" among the characters text[at:end] of `size` bytes (1, 2 or 4). Where the compiler has
 * SSE2, a block of 16 bytes at a time: a block's comparison gives -1 in each byte of a "\n" (`size`
 * bytes a character), subtracted from byte lanes that are summed (SAD) before any could pass 255.
 * The compiler's own vector loop widened each match to 64 bits (~2 instructions a character): this
 * takes ~10K instructions less a 32 KB agent. Two-byte characters (most agents) are narrowed, 16
 * a block: the pack saturates each one above 0xFF, so a byte is "\n" only for a "\n" (the
 * count ~35K -> ~17K instructions a seed agent). */
static Py_ssize_t
count_newlines(const void *text, size_t size, Py_ssize_t at, Py_ssize_t end)
{
    const char *bytes = text;
    Py_ssize_t count = 0;
#if defined(__SSE2__)
    const Py_ssize_t per = size == 2 ? 16 : (Py_ssize_t)(16 / size), bytes_per = size == 2 ? 1 : (Py_ssize_t)size;
    const __m128i nl = size == 4 ? _mm_set1_epi32('\n') : _mm_set1_epi8('\n');
    while (end - at >= per) {
        __m128i sum = _mm_setzero_si128();
        for (int k = 0; k < 255 && end - at >= per; k++, at += per) {
            const __m128i *p = (const __m128i *)(bytes + at * (Py_ssize_t)size);
            __m128i x = size == 2 ? _mm_packus_epi16(_mm_loadu_si128(p), _mm_loadu_si128(p + 1)) : _mm_loadu_si128(p);
            sum = _mm_sub_epi8(sum, size == 4 ? _mm_cmpeq_epi32(x, nl) : _mm_cmpeq_epi8(x, nl));
        }
        __m128i sad = _mm_sad_epu8(sum, _mm_setzero_si128());
        count += (_mm_cvtsi128_si32(sad) + _mm_cvtsi128_si32(_mm_srli_si128(sad, 8))) / bytes_per;
    }
#endif
    for (; at < end; at++) {
        Py_UCS4 ch = size == 1 ? ((const Py_UCS1 *)text)[at] : size == 2 ? ((const Py_UCS2 *)text)[at] : ((const Py_UCS4 *)text)[at];
        count += ch == '\n';
    }
    return count;
}

/* The line holding place `at` of a text whose `count` lines start at `starts` (in order), walking
 * on from `line`, a line at or before it: the places asked for come in order, so the walk over a
 * text is one pass. */
static inline Py_ssize_t
line_holding(const Py_ssize_t *starts, Py_ssize_t count, Py_ssize_t line, Py_ssize_t at)
{
    while (line + 1 < count && starts[line + 1] <= at) {
        line++;
    }
    return line;
}

/* At a row of the states where a word ends (or of the odd characters' state, which ends the scan
 * with 1): report the words ending at `AT`, the line counted on up to `AT`. */
#define REPORT(ROW, AT)                                                                            \
    do {                                                                                           \
        if ((ROW) == odd_row) {                                                                    \
            rc = 1;                                                                                \
            goto done;                                                                             \
        }                                                                                          \
        if (sink->starts != NULL) {                                                                \
            line = sink->line = line_holding(sink->starts, sink->lines, sink->line, (AT));         \
        }                                                                                          \
        else if (counted <= (AT)) {                                                                \
            line += count_newlines(text, sizeof(*text), counted, (AT) + 1);                        \
            counted = (AT) + 1;                                                                    \
        }                                                                                          \
        if (report(s, (ROW) / nc, line, sink) < 0) {                                               \
            rc = -1;                                                                               \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

#define LANES 4 /* the `_lanes` functions step four rows */

#define SCAN(NAME, CHAR, CLASS_OF)                                                                 \
    /* The steps of the four lanes (rows[k]: lane k's row, its characters p0[k * part:]) from `at` \
     * on: the first place below `part` after whose step a lane's row is one where a word ends,    \
     * or `part`. */                                                                              \
    static Py_NO_INLINE Py_ssize_t NAME##_lanes(const CHAR *p0, Py_ssize_t part, Py_ssize_t at, uint32_t *rows, const Search *s) \
    {                                                                                              \
        const uint32_t *delta = s->delta, *class8 = s->class8, *class16 = s->class16;              \
        const uint32_t first_out = s->first_out;                                                   \
        const CHAR *p1 = p0 + part, *p2 = p1 + part, *p3 = p2 + part;                              \
        uint32_t r0 = rows[0], r1 = rows[1], r2 = rows[2], r3 = rows[3];                           \
        (void)class8;                                                                              \
        (void)class16;                                                                             \
        for (; at < part; at++) {                                                                  \
            r0 = delta[r0 + CLASS_OF(p0[at])];                                                     \
            r1 = delta[r1 + CLASS_OF(p1[at])];                                                     \
            r2 = delta[r2 + CLASS_OF(p2[at])];                                                     \
            r3 = delta[r3 + CLASS_OF(p3[at])];                                                     \
            if ((r0 | r1 | r2 | r3) >= first_out) {                                                \
                break;                                                                             \
            }                                                                                      \
        }                                                                                          \
        rows[0] = r0;                                                                              \
        rows[1] = r1;                                                                              \
        rows[2] = r2;                                                                              \
        rows[3] = r3;                                                                              \
        return at;                                                                                 \
    }                                                                                              \
                                                                                                   \
    static int NAME(const CHAR *text, Py_ssize_t n, const Search *s, Sink *sink)                   \
    {                                                                                              \
        const uint32_t *delta = s->delta, *class8 = s->class8, *class16 = s->class16;              \
        uint32_t first_out = s->first_out, odd_row = s->odd_row, nc = s->n_classes;                \
        uint32_t row = 0;                                                                          \
        Py_ssize_t line = 0, counted = 0, at = 0; /* line: the "\n" in text[:counted] */          \
        Found found[LANES] = {{NULL, 0, 0}}; /* each later lane's places (the first's are reported) */ \
        int rc = 0;                                                                                \
        (void)class8;                                                                              \
        (void)class16;                                                                             \
        if (n >= 256) { /* a short text is read in one */                                         \
            const Py_ssize_t part = n / LANES;                                                     \
            uint32_t rows[LANES] = {0};                                                            \
            for (int k = 1; k < LANES; k++) {                                                      \
                for (Py_ssize_t i = Py_MAX(0, k * part - (s->max_len - 1)); i < k * part; i++) {  \
                    STEP(CLASS_OF(text[i]), rows[k]);                                              \
                }                                                                                  \
            }                                                                                      \
            while ((at = NAME##_lanes(text, part, at, rows, s)) < part) {                          \
                if (rows[0] >= first_out) {                                                        \
                    REPORT(rows[0], at);                                                           \
                }                                                                                  \
                for (int k = 1; k < LANES; k++) {                                                  \
                    if (rows[k] >= first_out && keep_found(&found[k], rows[k], k * part + at) < 0) { \
                        rc = -1;                                                                   \
                        goto done;                                                                 \
                    }                                                                              \
                }                                                                                  \
                at++;                                                                              \
            }                                                                                      \
            for (int k = 1; k < LANES; k++) {                                                      \
                for (Py_ssize_t i = 0; i < found[k].count; i++) {                                  \
                    REPORT((uint32_t)found[k].items[i][0], found[k].items[i][1]);                  \
                }                                                                                  \
            }                                                                                      \
            at = LANES * part; /* the last lane goes on over what the division left */            \
            row = rows[LANES - 1];                                                                 \
        }                                                                                          \
        for (; at < n; at++) {                                                                     \
            STEP(CLASS_OF(text[at]), row);                                                         \
            if (row >= first_out) {                                                                \
                REPORT(row, at);                                                                   \
            }                                                                                      \
        }                                                                                          \
    done:                                                                                          \
        for (int k = 0; k < LANES; k++) {                                                          \
            PyMem_Free(found[k].items);                                                            \
        }                                                                                          \
        return rc;                                                                                 \
    }

#define CLASS8(ch) class8[ch]
#define CLASS16(ch) class16[ch]
#define CLASS32(ch) ((ch) < 0x10000 ? class16[ch] : wide_class(s, (ch)))
SCAN(scan_ucs1, Py_UCS1, CLASS8)
SCAN(scan_ucs2, Py_UCS2, CLASS16)
SCAN(scan_ucs4, Py_UCS4, CLASS32)

static void
free_search(Search *s)
{
    if (s == NULL) {
        return;
    }
    PyMem_Free(s->wide);
    PyMem_Free(s->class16);
    PyMem_Free(s->delta);
    PyMem_Free(s->own);
    PyMem_Free(s->next_word);
    PyMem_Free(s->dict);
    PyMem_Free(s->newlines);
    Py_XDECREF(s->key);
    PyMem_Free(s);
}

/* The class of word character `ch`, given one if it has none yet (classes[ch] for an ASCII one;
 * a non-ASCII one is looked up in, or added to, s->wide). */
static uint32_t
word_class(Search *s, uint32_t *ascii, Py_UCS4 ch)
{
    if (ch < OTHER) {
        if (ascii[ch] == 0) {
            ascii[ch] = s->n_classes++;
        }
        return ascii[ch];
    }
    for (Py_ssize_t i = 0; i < s->n_wide; i++) {
        if (s->wide[i] == ch) {
            return s->first_wide + (uint32_t)i;
        }
    }
    s->wide[s->n_wide++] = ch;
    return s->n_classes++;
}

#define NONE UINT32_MAX

/* The search for `words` (a tuple of non-empty str); NULL with an exception, or NULL without one
 * when the table would pass MAX_TABLE entries. */
static Search *
new_search(PyObject *words)
{
    Py_ssize_t n_words = PyTuple_GET_SIZE(words), n_chars = 0, n_states = 1, max_len = 0;
    for (Py_ssize_t i = 0; i < n_words; i++) {
        PyObject *word = PyTuple_GET_ITEM(words, i);
        if (!PyUnicode_Check(word) || PyUnicode_GET_LENGTH(word) == 0) {
            PyErr_SetString(PyExc_TypeError, "line_groups: words must be non-empty str");
            return NULL;
        }
        n_chars += PyUnicode_GET_LENGTH(word);
        max_len = Py_MAX(max_len, PyUnicode_GET_LENGTH(word));
    }
    Search *s = PyMem_Calloc(1, sizeof(Search));
    uint32_t ascii[OTHER] = {0}, *trie = NULL, *order = NULL, *renumber = NULL;
    Py_ssize_t *failure = NULL, size = n_words ? n_words : 1, states = n_chars + 2; /* the root, a state a character, odd */
    if (s == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    s->n_words = n_words;
    s->max_len = max_len;
    /* The ASCII word characters first (their classes follow class 0), then the others. */
    s->n_classes = 1;
    for (Py_ssize_t i = 0; i < n_words; i++) {
        PyObject *word = PyTuple_GET_ITEM(words, i);
        for (Py_ssize_t j = 0; j < PyUnicode_GET_LENGTH(word); j++) {
            Py_UCS4 ch = PyUnicode_READ_CHAR(word, j);
            if (ch < OTHER) {
                word_class(s, ascii, ch);
            }
        }
    }
    s->first_wide = s->n_classes;
    s->wide = PyMem_Calloc(n_chars ? n_chars : 1, sizeof(Py_UCS4));
    s->own = PyMem_Calloc(states, sizeof(Py_ssize_t));
    s->dict = PyMem_Calloc(states, sizeof(Py_ssize_t));
    s->next_word = PyMem_Calloc(size, sizeof(Py_ssize_t));
    s->newlines = PyMem_Calloc(size, sizeof(Py_ssize_t));
    failure = PyMem_Calloc(states, sizeof(Py_ssize_t));
    order = PyMem_Calloc(states, sizeof(uint32_t));
    renumber = PyMem_Calloc(states, sizeof(uint32_t));
    if (s->wide == NULL || s->own == NULL || s->dict == NULL || s->next_word == NULL || s->newlines == NULL
        || failure == NULL || order == NULL || renumber == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < n_words; i++) {
        PyObject *word = PyTuple_GET_ITEM(words, i);
        for (Py_ssize_t j = 0; j < PyUnicode_GET_LENGTH(word); j++) {
            word_class(s, ascii, PyUnicode_READ_CHAR(word, j));
        }
    }
    s->odd_class = s->n_classes++;
    if ((size_t)states * s->n_classes > MAX_TABLE) {
        goto fail; /* no exception: line_groups gives None */
    }
    uint32_t nc = s->n_classes;
    trie = PyMem_Malloc((size_t)states * nc * sizeof(uint32_t));
    s->delta = PyMem_Malloc((size_t)states * nc * sizeof(uint32_t));
    if (trie == NULL || s->delta == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    /* The trie: trie[state * nc + class] is a child state, or NONE. */
    for (size_t i = 0; i < (size_t)states * nc; i++) {
        trie[i] = NONE;
    }
    for (Py_ssize_t i = 0; i < states; i++) {
        s->own[i] = s->dict[i] = -1;
    }
    for (Py_ssize_t i = 0; i < n_words; i++) {
        PyObject *word = PyTuple_GET_ITEM(words, i);
        uint32_t state = 0;
        s->newlines[i] = 0;
        for (Py_ssize_t j = 0; j < PyUnicode_GET_LENGTH(word); j++) {
            Py_UCS4 ch = PyUnicode_READ_CHAR(word, j);
            uint32_t *child = &trie[(size_t)state * nc + word_class(s, ascii, ch)];
            if (*child == NONE) {
                *child = (uint32_t)n_states++;
            }
            state = *child;
            s->newlines[i] += ch == '\n';
        }
        s->next_word[i] = s->own[state];
        s->own[state] = i;
    }
    /* Breadth first: each state's failure (the longest proper suffix of its path that is a
     * trie path) and its full row, from its failure's row, made before it. */
    Py_ssize_t head = 0, tail = 0;
    for (uint32_t c = 0; c < nc; c++) {
        uint32_t child = trie[c];
        s->delta[c] = child == NONE ? 0 : child;
        if (child != NONE) {
            failure[child] = 0;
            order[tail++] = child;
        }
    }
    while (head < tail) {
        uint32_t r = order[head++];
        Py_ssize_t f = failure[r];
        s->dict[r] = s->own[f] >= 0 ? f : s->dict[f];
        for (uint32_t c = 0; c < nc; c++) {
            uint32_t child = trie[(size_t)r * nc + c];
            if (child == NONE) {
                s->delta[(size_t)r * nc + c] = s->delta[(size_t)f * nc + c];
            }
            else {
                s->delta[(size_t)r * nc + c] = child;
                failure[child] = s->delta[(size_t)f * nc + c];
                order[tail++] = child;
            }
        }
    }
    /* The odd characters' state: every state goes there on them, and it goes on as the root does
     * (the characters are in no word). */
    uint32_t odd = (uint32_t)n_states++;
    for (uint32_t c = 0; c < nc; c++) {
        s->delta[(size_t)odd * nc + c] = s->delta[c];
    }
    for (Py_ssize_t i = 0; i < n_states; i++) {
        s->delta[(size_t)i * nc + s->odd_class] = odd;
    }
    /* The states where no word ends first (the root is state 0 and stays so: no word is empty),
     * then the others, then the odd one; every entry made a row. */
    Py_ssize_t k = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (Py_ssize_t i = 0; i < n_states; i++) {
            int out = s->own[i] >= 0 || s->dict[i] >= 0;
            if (out == pass && i != odd) {
                renumber[i] = (uint32_t)k++;
            }
        }
        if (pass == 0) {
            s->first_out = (uint32_t)k * nc;
        }
    }
    renumber[odd] = (uint32_t)k;
    s->odd_row = renumber[odd] * nc;
    for (Py_ssize_t i = 0; i < n_states; i++) { /* trie, no longer needed, takes the new rows */
        for (uint32_t c = 0; c < nc; c++) {
            trie[(size_t)renumber[i] * nc + c] = renumber[s->delta[(size_t)i * nc + c]] * nc;
        }
    }
    uint32_t *rows = trie;
    trie = s->delta;
    s->delta = rows;
    /* own and dict follow the new numbers (failure and order, no longer needed, hold the copies) */
    for (Py_ssize_t i = 0; i < n_states; i++) {
        failure[renumber[i]] = s->own[i];
        order[renumber[i]] = s->dict[i] < 0 ? NONE : renumber[s->dict[i]];
    }
    for (Py_ssize_t i = 0; i < n_states; i++) {
        s->own[i] = failure[i];
        s->dict[i] = order[i] == NONE ? -1 : (Py_ssize_t)order[i];
    }
    for (Py_UCS4 ch = 0; ch < 256; ch++) {
        s->class8[ch] = ch < OTHER ? ascii[fold(ch)] : wide_class(s, ch);
    }
    PyMem_Free(trie);
    PyMem_Free(failure);
    PyMem_Free(order);
    PyMem_Free(renumber);
    Py_INCREF(words);
    s->key = words;
    return s;
fail:
    PyMem_Free(trie);
    PyMem_Free(failure);
    PyMem_Free(order);
    PyMem_Free(renumber);
    free_search(s);
    return NULL;
}

/* s->class16, the class of each character below 0x10000 (class8's, the words' own, the odd one of
 * "İ" and the Kelvin sign, else 0): 0, or -1 with an exception. Made once a search, for the first
 * text of wider characters than one byte. */
static int
make_class16(Search *s)
{
    s->class16 = PyMem_Calloc(0x10000, sizeof(uint32_t));
    if (s->class16 == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(s->class16, s->class8, sizeof(s->class8));
    for (Py_ssize_t i = 0; i < s->n_wide; i++) {
        if (s->wide[i] < 0x10000) {
            s->class16[s->wide[i]] = s->first_wide + (uint32_t)i;
        }
    }
    s->class16[0x130] = s->class16[0x212A] = s->odd_class;
    return 0;
}

/* The search of the last words tuple asked for, kept: candidates_by_line asks for the same tuple
 * (one object, from an lru_cache) in every file, and making its table costs ~30 us, more than the
 * scan of a 32 KB agent. Kept by identity with a reference to the tuple, so its id cannot
 * come back as another tuple's; str and tuples are immutable, so the search stays right. A call
 * takes the kept search and gives it back when done: no Python code runs in between today, but a
 * call made there (by a finalizer, say) would then make its own. */
static Search *kept_search;

static Search *
take_search(PyObject *words)
{
    Search *s = kept_search;
    if (s != NULL && s->key == words) {
        kept_search = NULL;
        return s;
    }
    return new_search(words);
}

static void
give_back(Search *s)
{
    Search *old = kept_search;
    kept_search = s;
    free_search(old);
}

/* The scan of `text` by its storage kind, into `sink`: as the SCAN functions give. */
static int
scan(PyObject *text, Search *s, Sink *sink)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const void *data = PyUnicode_DATA(text);
    if (PyUnicode_KIND(text) != PyUnicode_1BYTE_KIND && s->class16 == NULL && make_class16(s) < 0) {
        return -1;
    }
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        return scan_ucs1(data, n, s, sink);
    case PyUnicode_2BYTE_KIND:
        return scan_ucs2(data, n, s, sink);
    default:
        return scan_ucs4(data, n, s, sink);
    }
}

PyDoc_STRVAR(groups_doc,
"line_groups(text, words, masks, count) -> list[set[int]] | None\n\n"
"The lines holding a word of each of `count` groups: masks[i] (an int below 2 ** count) has bit g\n"
"set when words[i] is in group g. As mentions._line_groups_py; None for a text holding U+0130 or\n"
"U+212A (or words too many for the search's table).");

/* mentions.candidates_by_line wants the lines of groups of words (those holding "agent", a hint
 * word, a cue, a trigger), not each word's own: Python made the ~40 words' lists into sets
 * (~60K instructions a 32 KB agent, with the lists and their dict). Here each place ors its word's
 * group bits into its line's entry, and each group's set is made from those in one pass.
 *
 * groups_of: the groups of each line of `text` (words, masks and count as line_groups takes them)
 * into `sink` (whose masks and groups are then the caller's to free): 0, 1 when the search
 * declines (line_groups' None), or -1 with an exception. */
static int
groups_of(PyObject *text, PyObject *words, PyObject *masks, long count, Sink *sink)
{
    Py_ssize_t n_words = PyTuple_GET_SIZE(words);
    uint32_t *own = PyMem_Malloc((size_t)(n_words ? n_words : 1) * sizeof(uint32_t));
    sink->masks = own;
    if (own == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n_words; i++) {
        PyObject *mask = PyTuple_GET_ITEM(masks, i);
        unsigned long long value = PyLong_Check(mask) ? PyLong_AsUnsignedLongLong(mask) : (unsigned long long)-1;
        if (value == (unsigned long long)-1 || value >> count) { /* count <= 32: the shift stays in range */
            PyErr_Clear();
            PyErr_SetString(PyLong_Check(mask) ? PyExc_ValueError : PyExc_TypeError,
                            "line_groups: each mask must be an int from 0 below 2 ** count");
            return -1;
        }
        own[i] = (uint32_t)value;
    }
    Search *s = take_search(words);
    if (s == NULL) {
        return PyErr_Occurred() ? -1 : 1; /* too many words for the table: mentions.py searches in Python */
    }
    int rc = scan(text, s, sink);
    give_back(s);
    return rc;
}

/* The set of the lines of each group of `sink` whose bit `wanted` holds (None for the others): a
 * new list of `count`, or NULL with an exception. */
static PyObject *
group_sets(const Sink *sink, long count, uint32_t wanted)
{
    PyObject *out = PyList_New(count);
    for (long g = 0; out != NULL && g < count; g++) {
        PyObject *set = wanted >> g & 1 ? PySet_New(NULL) : Py_NewRef(Py_None);
        if (set == NULL) {
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, g, set);
    }
    for (Py_ssize_t line = 0; out != NULL && line < sink->size; line++) {
        uint32_t found = sink->groups[line] & wanted;
        if (found == 0) {
            continue;
        }
        PyObject *num = shared_int(line);
        for (long g = 0; num != NULL && g < count; g++) {
            if ((found >> g & 1) && PySet_Add(PyList_GET_ITEM(out, g), num) < 0) {
                Py_CLEAR(num);
            }
        }
        if (num == NULL) {
            Py_CLEAR(out);
        }
        Py_XDECREF(num);
    }
    return out;
}

static PyObject *
line_groups(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyUnicode_Check(args[0]) || !PyTuple_Check(args[1]) || !PyTuple_Check(args[2])
        || PyTuple_GET_SIZE(args[2]) != PyTuple_GET_SIZE(args[1]) || !PyLong_Check(args[3])) {
        return type_error("line_groups(text: str, words: tuple[str, ...], masks: tuple[int, ...] "
                          "(one a word), count: int)");
    }
    long count = PyLong_AsLong(args[3]);
    if (count < 0 || count > 32) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "line_groups: count must be from 0 to 32");
        }
        return NULL;
    }
    Sink sink = {.masks = NULL, .groups = NULL, .size = 0, .starts = NULL};
    int rc = groups_of(args[0], args[1], args[2], count, &sink);
    PyObject *out = rc < 0 ? NULL : rc > 0 ? Py_NewRef(Py_None) : group_sets(&sink, count, UINT32_MAX);
    PyMem_Free((void *)sink.masks);
    PyMem_Free(sink.groups);
    return out;
}

/* ------------------------------------------------------------------------------------------- */
/* Two of _candidates' scans with their decisions per place: the Title-Case phrases that may name
 * an agent (mentions._title_names_py) and the kebab names (mentions._kebab_names_py). The scans
 * find where mentions._TITLE and mentions._HYPHEN_RUN match (finditer: left to right, each search
 * going on at the last match's end). Only ASCII letters and digits are name characters in those
 * patterns, so a place found is ASCII, and the scans read code points and need no lowering.
 *
 * The decisions that take a word list (mentions.role_like, mentions._kebab_ok) are the Python
 * functions themselves, passed in and called with the lowered word: one copy of each list, the
 * same answer by construction (both are lru_cache'd: a call is a dict look-up). The rest are
 * character tests on ASCII, decided here; the one regex, _AGENT_AFTER, is decided here only where
 * the characters it reads are ASCII and is asked otherwise (see agent_follows). */

static inline int
is_upper(Py_UCS4 ch)
{
    return ch >= 'A' && ch <= 'Z';
}

/* The ASCII letters and digits, set by the module's init: a look-up tests a character of each word
 * the scans walk in ~4 instructions, where three range tests took ~8. */
static uint8_t alnum_table[128];
static uint8_t letter_table[128]; /* the ASCII letters */

static inline int
is_alnum(Py_UCS4 ch)
{
    return ch < 128 && alnum_table[ch];
}

static inline int
is_name(Py_UCS4 ch)
{
    return is_alnum(ch) || ch == '-';
}

/* Among ASCII characters, those `\s` matches (Py_UNICODE_ISSPACE, as the regex engine uses). */
static inline int
is_ascii_space(Py_UCS4 ch)
{
    return ch == ' ' || (ch >= '\t' && ch <= '\r') || (ch >= 0x1c && ch <= 0x1f);
}

#define AT(i) PyUnicode_READ(kind, data, (i))

/* A new str: text[start:end] (ASCII, as every place found here) with its capitals lowered. */
static PyObject *
lowered(int kind, const void *data, Py_ssize_t start, Py_ssize_t end)
{
    PyObject *out = PyUnicode_New(end - start, 127);
    if (out == NULL) {
        return NULL;
    }
    Py_UCS1 *to = PyUnicode_1BYTE_DATA(out);
    for (Py_ssize_t i = start; i < end; i++) {
        *to++ = (Py_UCS1)fold(AT(i));
    }
    return out;
}

/* Whether a call's result is true: 1, 0, or -1 with an exception. Takes the reference to `result`
 * (NULL: the call raised). */
static int
truth(PyObject *result)
{
    if (result == NULL) {
        return -1;
    }
    int is_true = PyObject_IsTrue(result);
    Py_DECREF(result);
    return is_true;
}

/* Whether fn(arg) is true: 1, 0, or -1 with an exception. Takes the reference to `arg` (NULL: the
 * exception of making it). */
static int
truth_of(PyObject *fn, PyObject *arg)
{
    if (arg == NULL) {
        return -1;
    }
    PyObject *result = PyObject_CallOneArg(fn, arg);
    Py_DECREF(arg);
    return truth(result);
}

/* Whether the ASCII word `word` (small letters) stands at `at` in any case: 1, 0, or -1 when a
 * non-ASCII character stands where one of its letters must (re.I takes "ſ" for "s"): unsure. */
static int
word_at(int kind, const void *data, Py_ssize_t n, Py_ssize_t at, const char *word)
{
    for (; *word; word++, at++) {
        if (at >= n) {
            return 0;
        }
        Py_UCS4 ch = AT(at);
        if (ch >= 128) {
            return -1;
        }
        if (fold(ch) != (Py_UCS4)*word) {
            return 0;
        }
    }
    return 1;
}

/* Whether `\b` holds after a word's last character, before `at`: no word character stands there
 * (the regex engine's `\w` on str: Py_UNICODE_ISALNUM or "_"). */
static int
word_ends(int kind, const void *data, Py_ssize_t n, Py_ssize_t at)
{
    if (at >= n) {
        return 1;
    }
    Py_UCS4 ch = AT(at);
    return !(ch < 128 ? is_alnum(ch) || ch == '_' : Py_UNICODE_ISALNUM(ch));
}

/* Whether mentions._AGENT_AFTER, `(?:\s|\*\*|`)*(?:sub-?)?agents?\b` with re.I, matches at `at`:
 * 1, 0, or -1 when unsure (the regex decides). Each character takes one way through the repeat (a
 * blank, "**" or "`"), so the repeat ends where this walk ends, and the words must start there. A
 * non-ASCII character there might be a blank to `\s`, and one in the words "ſ" to re.I's "s":
 * unsure. "sub" (and a "-") taken, "agent" must follow: given back, "sub" leaves "s" where "a" must
 * stand. Then "agents" at a word's end, else "agent" there ("s" is a word character). Asking the
 * regex cost a Python call (~3K instructions), ~5 a 32 KB agent. */
static int
agent_follows(int kind, const void *data, Py_ssize_t n, Py_ssize_t at)
{
    while (at < n) {
        Py_UCS4 ch = AT(at);
        if (is_ascii_space(ch) || ch == '`') {
            at++;
        }
        else if (ch == '*' && at + 1 < n && AT(at + 1) == '*') {
            at += 2;
        }
        else {
            break;
        }
    }
    int sub = word_at(kind, data, n, at, "sub");
    if (sub < 0) {
        return -1;
    }
    if (sub) {
        at += 3;
        at += at < n && AT(at) == '-';
    }
    int agent = word_at(kind, data, n, at, "agent");
    if (agent <= 0) {
        return agent;
    }
    at += 5;
    if (at < n && AT(at) >= 128) {
        return -1; /* "ſ" may be the "s" of "agents" */
    }
    return word_ends(kind, data, n, at < n && fold(AT(at)) == 's' ? at + 1 : at);
}

/* role_like(text[start:end] lowered) for an ASCII word: 1, 0, or -1 with an exception. The answers
 * for words of up to ROLE_MAX letters are kept, in a table by a hash of the word (a word that meets
 * another's slot takes it), for the role_like they came from: a new one empties the table. A
 * kept answer is a hash and a comparison of the word's bytes, where a call makes the word's str
 * first (role_like is a Memo, whose key is a str): this table in front of the Memo measured ~22K
 * instructions an agent less than the Memo alone (weak_lines' phrases, a Title-Case phrase's last
 * word), so it stays. role_like is mentions.role_like, whose answer is the word's alone. */
#define ROLE_MAX 24
#define ROLE_SLOTS 256

typedef struct {
    uint8_t len; /* 0: empty */
    uint8_t role;
    char word[ROLE_MAX];
} RoleSlot;

static RoleSlot role_slots[ROLE_SLOTS];
static PyObject *role_slots_of; /* the role_like the answers are of (held) */

static int
role_word(PyObject *role_like, int kind, const void *data, Py_ssize_t start, Py_ssize_t end)
{
    Py_ssize_t len = end - start;
    if (len < 1 || len > ROLE_MAX) {
        return truth_of(role_like, lowered(kind, data, start, end));
    }
    char word[ROLE_MAX];
    uint32_t hash = 2166136261u; /* FNV-1a */
    for (Py_ssize_t i = 0; i < len; i++) {
        word[i] = (char)fold(PyUnicode_READ(kind, data, start + i));
        hash = (hash ^ (uint8_t)word[i]) * 16777619u;
    }
    if (role_like != role_slots_of) {
        memset(role_slots, 0, sizeof(role_slots));
        Py_INCREF(role_like);
        Py_XSETREF(role_slots_of, role_like);
    }
    RoleSlot *slot = &role_slots[hash % ROLE_SLOTS];
    if (slot->len == len && memcmp(slot->word, word, (size_t)len) == 0) {
        return slot->role;
    }
    PyObject *str = PyUnicode_New(len, 127);
    if (str == NULL) {
        return -1;
    }
    memcpy(PyUnicode_1BYTE_DATA(str), word, (size_t)len);
    Py_INCREF(role_like); /* held through the call: it may drop the table's reference */
    int role = truth_of(role_like, str);
    if (role >= 0 && role_like == role_slots_of) {
        slot->len = (uint8_t)len;
        slot->role = (uint8_t)role;
        memcpy(slot->word, word, (size_t)len);
    }
    Py_DECREF(role_like);
    return role;
}

/* The last two letters every role word ends in (mentions._ROLE_ENDS, lowered): a phrase whose last
 * word ends otherwise ("...tion", "API") is no role, and role_like is not asked. Most phrases end
 * so, and each call made a str and a Python call (~40% of the scan). */
#define MAX_ENDS 64

typedef struct {
    Py_UCS4 pair[MAX_ENDS][2];
    Py_ssize_t count;
} Ends;

/* Whether text[e-2:e], lowered, is one of `ends` (a word of one letter ends in none). */
static int
in_ends(int kind, const void *data, Py_ssize_t last, Py_ssize_t e, const Ends *ends)
{
    if (e - last < 2) {
        return 0;
    }
    Py_UCS4 a = fold(PyUnicode_READ(kind, data, e - 2)), b = fold(PyUnicode_READ(kind, data, e - 1));
    for (Py_ssize_t i = 0; i < ends->count; i++) {
        if (ends->pair[i][0] == a && ends->pair[i][1] == b) {
            return 1;
        }
    }
    return 0;
}

/* Whether the Title-Case phrase text[s0:e] may name an agent, as mentions._title_names_py decides:
 * no name character or "_" touches it, and its last word is a role or "agent" follows it. 1, 0, or
 * -1 with an exception. */
static int
title_keep(PyObject *text, Py_ssize_t s0, Py_ssize_t e, PyObject *role_like, PyObject *agent_after, const Ends *ends)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if ((s0 > 0 && (is_name(AT(s0 - 1)) || AT(s0 - 1) == '_')) || (e < n && (is_name(AT(e)) || AT(e) == '_'))) {
        return 0;
    }
    Py_ssize_t last = e; /* the last word's start: a phrase holds two words or more */
    while (last > s0 && AT(last - 1) != ' ') {
        last--;
    }
    int role = in_ends(kind, data, last, e, ends) ? role_word(role_like, kind, data, last, e) : 0;
    if (role != 0) {
        return role;
    }
    int follows = agent_follows(kind, data, n, e);
    if (follows >= 0) {
        return follows;
    }
    PyObject *at = PyLong_FromSsize_t(e);
    if (at == NULL) {
        return -1;
    }
    PyObject *match = PyObject_CallFunctionObjArgs(agent_after, text, at, NULL);
    Py_DECREF(at);
    return truth(match);
}

/* mentions._kebab_ok in C, for the names kebab_name makes (ASCII, lowered, no "--", no hyphen at
 * either end): the Python test is an lru_cache'd call, ~1300 instructions a name (~100 a 32 KB
 * agent) even when cached. The word lists come from mentions.py (`_KEBAB_RULES`), each kept in one
 * place: the placeholders and the adjective endings are its regexes' alternatives. */
#define MAX_RULE_WORDS 128

/* Words, each on the chain of its first (or last) character: a part is compared only with the few
 * words that start (end) as it does (a comparison with each of the ~60 cost ~1000 instructions a
 * name, as much as the Python call). */
typedef struct {
    const char *word[MAX_RULE_WORDS];
    Py_ssize_t len[MAX_RULE_WORDS];
    int16_t head[128];           /* per character: the first word on its chain, or -1 */
    int16_t next[MAX_RULE_WORDS]; /* per word: the next on its chain, or -1 */
} Words;

typedef struct {
    Words placeholders; /* a part that is one of these: a placeholder ("foo-bar", "your-agent") */
    Words adjective_ends; /* a last part ending in one of these reads as an adjective ("on-demand"): by last character */
    PyObject *modifiers;  /* "x-agent" with x one of these is no name ("multi-agent"): a set */
    Words not_agents;   /* names that are no agent ("real-time") */
    int kept;           /* kept_rules' (answers may be kept: see kebab_slots) */
} KebabRules;

/* The words of a tuple of non-empty ASCII str, chained by their first character or, `by_last`,
 * their last: 0, or -1 with a TypeError. */
static int
rule_words(PyObject *tuple, Words *words, int by_last)
{
    if (!PyTuple_Check(tuple) || PyTuple_GET_SIZE(tuple) > MAX_RULE_WORDS) {
        PyErr_SetString(PyExc_TypeError, "kebab rules: the words must be a tuple of at most 128 str");
        return -1;
    }
    memset(words->head, 0xff, sizeof(words->head));
    for (Py_ssize_t i = PyTuple_GET_SIZE(tuple) - 1; i >= 0; i--) { /* from the last: each chain in the tuple's order */
        PyObject *word = PyTuple_GET_ITEM(tuple, i);
        if (!PyUnicode_Check(word) || !PyUnicode_IS_ASCII(word) || PyUnicode_GET_LENGTH(word) == 0) {
            PyErr_SetString(PyExc_TypeError, "kebab rules: the words must be ASCII str, none empty");
            return -1;
        }
        words->word[i] = (const char *)PyUnicode_1BYTE_DATA(word);
        words->len[i] = PyUnicode_GET_LENGTH(word);
        unsigned char key = (unsigned char)words->word[i][by_last ? words->len[i] - 1 : 0];
        words->next[i] = words->head[key];
        words->head[key] = (int16_t)i;
    }
    return 0;
}

/* The rules of a tuple (placeholders, adjective_ends, modifiers, not_agents): 0, or -1 with a
 * TypeError. The words stay the tuple's (borrowed for the call). */
static int
kebab_rules(PyObject *tuple, KebabRules *rules)
{
    if (!PyTuple_Check(tuple) || PyTuple_GET_SIZE(tuple) != 4 || !PyAnySet_Check(PyTuple_GET_ITEM(tuple, 2))) {
        PyErr_SetString(PyExc_TypeError, "kebab rules: (placeholders, adjective_ends, modifiers: set, not_agents)");
        return -1;
    }
    rules->modifiers = PyTuple_GET_ITEM(tuple, 2);
    rules->kept = 0;
    return rule_words(PyTuple_GET_ITEM(tuple, 0), &rules->placeholders, 0) < 0
        || rule_words(PyTuple_GET_ITEM(tuple, 1), &rules->adjective_ends, 1) < 0
        || rule_words(PyTuple_GET_ITEM(tuple, 3), &rules->not_agents, 0) < 0 ? -1 : 0;
}

/* The answers of kebab_name's test for the names it read, kept by a hash of the name lowered (a
 * name that meets another's slot takes it), with the name's str, for the rules of kept_rules'
 * tuple: a new tuple empties the table. Names repeat, in a file and across a build's files: a
 * kept answer is a hash and a comparison of the name, where kebab_ok_chars and making the str took
 * ~450 instructions a place (~105 places a 32 KB seed agent; 1024 slots miss ~6% of them in a
 * 100-agent build, 256 slots ~26%). Kept only when the modifiers, the one rule asked of a Python
 * object, are a frozenset: a set may change between calls. */
#define KEBAB_BUF 64 /* the longest name kebab_name tests in a buffer (a longer one as a str) */
#define KEBAB_SLOTS 1024

typedef struct {
    uint8_t len; /* 0: empty */
    uint8_t ok;
    char word[KEBAB_BUF];
    PyObject *name; /* the name's str when ok (held) */
} KebabSlot;

static KebabSlot kebab_slots[KEBAB_SLOTS];

static void
clear_kebab_slots(void)
{
    for (int i = 0; i < KEBAB_SLOTS; i++) {
        kebab_slots[i].len = 0;
        Py_CLEAR(kebab_slots[i].name);
    }
}

/* kebab_rules of `tuple`, kept for the next call with the same tuple, which is held (it and the
 * tuples and str in it cannot change; a set of modifiers is asked as it is at each call): making
 * the word chains cost ~2K instructions a call of names_by_line (one an agent). The rules are
 * read only where no Python code runs (kebab_ok_chars), so no call can make others meanwhile.
 * NULL with a TypeError. */
static const KebabRules *
kept_rules(PyObject *tuple)
{
    static PyObject *rules_of = NULL;
    static KebabRules rules;
    if (tuple != rules_of) {
        Py_CLEAR(rules_of);
        clear_kebab_slots();
        if (kebab_rules(tuple, &rules) < 0) {
            return NULL;
        }
        rules.kept = PyFrozenSet_Check(rules.modifiers);
        rules_of = Py_NewRef(tuple);
    }
    return &rules;
}

/* Whether a[0:k] and b[0:k] are the same: a loop, as the words and parts are a few letters (a
 * memcmp call per word compared cost more than the comparison: ~8K instructions a seed agent). */
static inline int
same(const char *a, const char *b, Py_ssize_t k)
{
    while (k > 0 && *a == *b) {
        a++;
        b++;
        k--;
    }
    return k == 0;
}

/* Whether part[0:len] (ASCII) is one of the words. */
static int
is_one_of(const Words *words, const char *part, Py_ssize_t len)
{
    for (int i = len ? words->head[(unsigned char)part[0]] : -1; i >= 0; i = words->next[i]) {
        if (words->len[i] == len && same(words->word[i], part, len)) {
            return 1;
        }
    }
    return 0;
}

/* Whether part[0:len] (ASCII) ends in one of the words (chained by their last character). */
static int
ends_in_one_of(const Words *words, const char *part, Py_ssize_t len)
{
    for (int i = len ? words->head[(unsigned char)part[len - 1]] : -1; i >= 0; i = words->next[i]) {
        Py_ssize_t k = words->len[i];
        if (k <= len && same(words->word[i], part + len - k, k)) {
            return 1;
        }
    }
    return 0;
}

#define IS(part, len, lit) ((len) == (Py_ssize_t)sizeof(lit) - 1 && memcmp((part), (lit), sizeof(lit) - 1) == 0)

/* mentions._kebab_ok(name) for the name t[0:n] of ASCII small letters, digits and single inner
 * hyphens: 1, 0, or -1 with an exception. */
static int
kebab_ok_chars(const char *t, Py_ssize_t n, const KebabRules *rules)
{
    Py_ssize_t parts = 0, agents = 0, first_len = 0, start = 0;
    int digits_only = 1;
    if (n < 4) {
        return 0;
    }
    for (Py_ssize_t i = 0; i <= n; i++) {
        if (i < n && t[i] != '-') {
            continue;
        }
        const char *part = t + start;
        Py_ssize_t len = i - start;
        for (Py_ssize_t k = 0; k < len && digits_only; k++) {
            digits_only = part[k] >= '0' && part[k] <= '9';
        }
        digits_only &= len > 0; /* "".isdigit() is False */
        if (is_one_of(&rules->placeholders, part, len) || IS(part, len, "vs")) {
            return 0;
        }
        agents += IS(part, len, "agent");
        if (parts++ == 0) {
            first_len = len;
        }
        if (i == n) { /* the last part */
            if (digits_only || agents > 1) {
                return 0;
            }
            if (IS(part, len, "agent")) {
                if (parts == 2) { /* "multi-agent": a modifier and "agent" */
                    PyObject *first = PyUnicode_FromStringAndSize(t, first_len);
                    int modifier = first == NULL ? -1 : PySet_Contains(rules->modifiers, first);
                    Py_XDECREF(first);
                    if (modifier != 0) {
                        return modifier < 0 ? -1 : 0;
                    }
                }
            }
            else if (ends_in_one_of(&rules->adjective_ends, part, len)) {
                return 0;
            }
        }
        start = i + 1;
    }
    return !is_one_of(&rules->not_agents, t, n);
}

#undef IS

/* kebab_ok_chars of an ASCII str. */
static int
kebab_ok_ascii(PyObject *name, const KebabRules *rules)
{
    return kebab_ok_chars((const char *)PyUnicode_1BYTE_DATA(name), PyUnicode_GET_LENGTH(name), rules);
}

PyDoc_STRVAR(kebab_ok_doc,
"kebab_ok(rules, name) -> bool\n\n"
"mentions._kebab_ok(name) for a name of ASCII small letters, digits and single inner hyphens\n"
"(what kebab_names finds), with rules = mentions._KEBAB_RULES.");

static PyObject *
kebab_ok(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    KebabRules rules;
    if (nargs != 2 || !PyUnicode_Check(args[1]) || !PyUnicode_IS_ASCII(args[1]))
        return type_error("kebab_ok(rules: tuple, name: str of ASCII)");
    if (kebab_rules(args[0], &rules) < 0) {
        return NULL;
    }
    int ok = kebab_ok_ascii(args[1], &rules);
    return ok < 0 ? NULL : PyBool_FromLong(ok);
}

/* A kebab name found: its place, its name (a new reference) and whether "**" stands before it. */
typedef struct {
    Py_ssize_t start, end;
    PyObject *name;
    int bold;
} Kebab;

/* The kebab names of a text, in the order found: kept as C fields, not a tuple each (names_by_line
 * makes each a mentions._Cand straight from these). */
typedef struct {
    Kebab *items;
    Py_ssize_t count, size;
} Kebabs;

static void
free_kebabs(Kebabs *kebabs)
{
    for (Py_ssize_t i = 0; i < kebabs->count; i++) {
        Py_DECREF(kebabs->items[i].name);
    }
    PyMem_Free(kebabs->items);
    kebabs->items = NULL;
    kebabs->count = kebabs->size = 0;
}

/* Append `kebab` (taking its name's reference): 0, or -1 with an exception (the name released). */
static int
add_kebab(Kebabs *kebabs, Kebab kebab)
{
    if (kebabs->count == kebabs->size) {
        Py_ssize_t size = kebabs->size ? 2 * kebabs->size : 64;
        Kebab *items = PyMem_Realloc(kebabs->items, (size_t)size * sizeof(Kebab));
        if (items == NULL) {
            Py_DECREF(kebab.name);
            PyErr_NoMemory();
            return -1;
        }
        kebabs->items = items;
        kebabs->size = size;
    }
    kebabs->items[kebabs->count++] = kebab;
    return 0;
}

/* The kebab name at text[s0:e] as mentions._kebab_names_py reads it: 1 and *found filled, 0 when it
 * is none (a file name, a path, a call, not _kebab_ok), or -1 with an exception. The name is the
 * place lowered (normal() of a place that holds neither "--" nor a hyphen at either end), after a
 * lowercase plugin prefix ("plug:code-reviewer") when one leads. */
static int
kebab_name(PyObject *text, Py_ssize_t s0, Py_ssize_t e, PyObject *kebab_ok, const KebabRules *rules, Kebab *found)
{
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_UCS4 before = s0 ? AT(s0 - 1) : ' ';
    if (before == '@' || before == '.' || before == '/' || before == '\\' || before == '_') {
        return 0;
    }
    for (Py_ssize_t i = s0; i + 1 < e; i++) {
        if (AT(i) == '-' && AT(i + 1) == '-') {
            return 0;
        }
    }
    if (e < n) {
        Py_UCS4 after = AT(e);
        if (after == '@' || after == '_' || after == '(') {
            return 0;
        }
        if ((after == '.' || after == '/' || after == '\\' || after == ':') && e + 1 < n && is_alnum(AT(e + 1))) {
            return 0;
        }
    }
    /* The C test reads the name lowered into a buffer: the str is made only for a name it keeps
     * (~40% of the places of a 32 KB agent are no name: "6-point", "real-time"). */
    PyObject *name;
    int ok;
    if (rules != NULL && e - s0 <= KEBAB_BUF) {
        char buf[KEBAB_BUF];
        uint32_t hash = 2166136261u; /* FNV-1a */
        for (Py_ssize_t i = s0; i < e; i++) {
            buf[i - s0] = (char)fold(AT(i));
            hash = (hash ^ (uint8_t)buf[i - s0]) * 16777619u;
        }
        KebabSlot *slot = rules->kept ? &kebab_slots[hash % KEBAB_SLOTS] : NULL;
        if (slot != NULL && slot->len == e - s0 && memcmp(slot->word, buf, (size_t)(e - s0)) == 0) {
            if (!slot->ok) {
                return 0;
            }
            name = Py_NewRef(slot->name);
        }
        else {
            if ((ok = kebab_ok_chars(buf, e - s0, rules)) < 0) {
                return -1;
            }
            name = NULL;
            if (ok && (name = PyUnicode_New(e - s0, 127)) == NULL) {
                return -1;
            }
            if (ok) {
                memcpy(PyUnicode_1BYTE_DATA(name), buf, (size_t)(e - s0));
            }
            if (slot != NULL) {
                slot->len = (uint8_t)(e - s0);
                slot->ok = (uint8_t)ok;
                memcpy(slot->word, buf, (size_t)(e - s0));
                Py_XSETREF(slot->name, Py_XNewRef(name));
            }
            if (!ok) {
                return 0;
            }
        }
    }
    else {
        if ((name = lowered(kind, data, s0, e)) == NULL) {
            return -1;
        }
        if (rules != NULL) {
            ok = kebab_ok_ascii(name, rules);
        }
        else {
            Py_INCREF(name); /* truth_of takes one reference */
            ok = truth_of(kebab_ok, name);
        }
        if (ok <= 0) {
            Py_DECREF(name);
            return ok;
        }
    }
    Py_ssize_t start = s0;
    if (before == ':' && s0 > 1 && is_name(AT(s0 - 2))) {
        Py_ssize_t q = s0 - 1;
        while (q > 0 && is_name(AT(q - 1))) {
            q--;
        }
        int small = 0, capital = 0; /* str.islower() of the prefix: a small letter, no capital */
        for (Py_ssize_t i = q; i < s0 - 1; i++) {
            small |= AT(i) >= 'a' && AT(i) <= 'z';
            capital |= is_upper(AT(i));
        }
        if (small && !capital) {
            PyObject *full = PyUnicode_New(s0 - q + (e - s0), 127);
            if (full == NULL) {
                Py_DECREF(name);
                return -1;
            }
            Py_UCS1 *to = PyUnicode_1BYTE_DATA(full);
            for (Py_ssize_t i = q; i < s0; i++) { /* the prefix and its ":" as written */
                *to++ = (Py_UCS1)AT(i);
            }
            memcpy(to, PyUnicode_1BYTE_DATA(name), e - s0);
            Py_SETREF(name, full);
            start = q;
        }
    }
    found->start = start;
    found->end = e;
    found->name = name;
    found->bold = start >= 2 && AT(start - 2) == '*' && AT(start - 1) == '*';
    return 1;
}

#undef AT

/* Append the result of a place (the item of kebab_name, or the span of a kept phrase; NULL: the
 * exception of making it) to `out`, taking the reference. */
static int
add_item(PyObject *out, PyObject *item)
{
    if (item == NULL) {
        return -1;
    }
    int rc = PyList_Append(out, item);
    Py_DECREF(item);
    return rc;
}

/* _TITLE is `W (?:& )?W(?: (?:& )?W)*` with W = `[A-Z][A-Za-z0-9]*+`: each word takes its whole run
 * of letters and digits (possessive), and a following word is " W" or " & W" (were "& " not
 * followed by a capital, the pattern's other choice puts "&" where a capital must be: no word).
 * NEXT_WORD gives the end of the word that follows a word ending at `e`, or -1. A start that fails
 * fails for every capital after it in the same run too (its run ends at the same place): a match
 * starts at the first capital of a run that NEXT_WORD goes on from, the runs tried in order. So
 * the scan stops only at a capital after " " or " & " that end such a run (a second word's start,
 * ~200 of the ~1240 capitals of a 32 KB seed agent) and takes the run's first capital from there:
 * the same matches, without reading each capital's run and asking NEXT_WORD at its end (the title
 * scan ~142K -> ~128K instructions a seed agent).
 *
 * The capitals after a " " (~650) are found by blocks of characters, each block's as bits read in
 * order, not by a search restarted after each capital: the test of the character before, a
 * branch taken about half the time, mispredicted at most capitals (names_by_line ~35.3 -> ~32 us
 * a seed agent, the instructions about the same). */
/* Whether a 64-bit word of characters of `CHAR` (8, 4 or 2 to a word) holds an ASCII capital: per
 * lane, with L the lane's largest value without its top bit, L + 91 - low has the top bit iff
 * low < 91, low + L - 64 has it iff low > 64, and ~x has it iff the character is below L + 1 (so
 * it is `low`); no lane borrows or carries into the next. Exact: no false answer either way. */
#define HAS_UPPER(x, CHAR) (((ONES(CHAR) * (LOW(CHAR) + 91) - ((x) & ONES(CHAR) * LOW(CHAR))) & ~(x)                \
                             & (((x) & ONES(CHAR) * LOW(CHAR)) + ONES(CHAR) * (LOW(CHAR) - 64))) & ONES(CHAR) * (LOW(CHAR) + 1))
#define ONES(CHAR) (~(uint64_t)0 / (uint64_t)(CHAR) ~(CHAR)0) /* 1 in each lane */
#define LOW(CHAR) ((uint64_t)(CHAR) ~(CHAR)0 >> 1)

#if defined(__SSE2__)
#include <emmintrin.h>

/* The 16 characters of two bytes at `p` as 16 bytes: each below 0x100 as itself, each other one
 * as 0xFF or 0 (the pack saturates, reading 0x8000 and more as negative): no capital, " ", "-" or
 * other ASCII character. A two-byte text (most agents: one "→" makes the whole text so) is then tested
 * 16 characters a block, not 8: the scans' skips ~1.25 -> ~0.75 instructions a character. */
static inline __m128i
narrow16(const Py_UCS2 *p)
{
    return _mm_packus_epi16(_mm_loadu_si128((const __m128i *)p), _mm_loadu_si128((const __m128i *)(p + 8)));
}

/* The first of 16 characters of two bytes a SKIP loop below finds, from `at` on while 16 are left
 * before `end`: returned from the function the loop is in when a block holds one. */
#define SKIP_NARROWED(CHAR, end, TEST)                                                             \
    if (sizeof(CHAR) == 2) {                                                                       \
        for (; at + 16 <= (end); at += 16) {                                                       \
            int mask = TEST(narrow16((const Py_UCS2 *)(t + at)));                                 \
            if (mask) {                                                                            \
                return at + __builtin_ctz((unsigned)mask);                                         \
            }                                                                                      \
        }                                                                                          \
    }

/* The capitals after a " " of 16 one-byte characters x (x1: the characters one before), as a mask
 * (signed: 0x80 and more are below "A", a narrowed character above 0xFF included). */
static inline int
bytes_upper_after_space(__m128i x, __m128i x1)
{
    __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('A' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('Z' + 1)));
    return _mm_movemask_epi8(_mm_and_si128(upper, _mm_cmpeq_epi8(x1, _mm_set1_epi8(' '))));
}

/* The capitals after a " " of t[at:at + STARTS_RUN] as bits, one a character (t[at] the lowest),
 * the block within the text and 1 <= at: 16 characters of one or two bytes (narrowed); 4 of four
 * bytes, each capital. */
#define STARTS_RUN(CHAR) (sizeof(CHAR) == 4 ? 4 : 16)
#define STARTS_BITS(CHAR)                                                                          \
    if (sizeof(CHAR) == 2) {                                                                       \
        const Py_UCS2 *p = (const Py_UCS2 *)(t + at);                                             \
        return (uint32_t)bytes_upper_after_space(narrow16(p), narrow16(p - 1));                   \
    }                                                                                              \
    if (sizeof(CHAR) == 1) {                                                                       \
        return (uint32_t)bytes_upper_after_space(_mm_loadu_si128((const __m128i *)(t + at)),       \
                                                 _mm_loadu_si128((const __m128i *)(t + at - 1)));  \
    }                                                                                              \
    __m128i x = _mm_loadu_si128((const __m128i *)(t + at)); /* code points: never negative */      \
    __m128i in = _mm_and_si128(_mm_cmpgt_epi32(x, _mm_set1_epi32('A' - 1)), _mm_cmplt_epi32(x, _mm_set1_epi32('Z' + 1))); \
    return (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(in)); /* a bit a lane */

/* The "-" of the 16 bytes at `p`, characters of `size` bytes, as a mask of their bytes (0: none). */
static inline int
block_hyphen(const void *p, size_t size)
{
    __m128i x = _mm_loadu_si128((const __m128i *)p);
    __m128i eq = size == 1 ? _mm_cmpeq_epi8(x, _mm_set1_epi8('-'))
        : size == 2        ? _mm_cmpeq_epi16(x, _mm_set1_epi16('-'))
                           : _mm_cmpeq_epi32(x, _mm_set1_epi32('-'));
    return _mm_movemask_epi8(eq);
}

/* The "-" of 16 one-byte characters, as a mask. */
static inline int
bytes_hyphen(__m128i x)
{
    return _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('-')));
}

/* The same for the kebab scan's hyphens (below `end`). */
#define SKIP_TO_HYPHEN(CHAR)                                                                       \
    SKIP_NARROWED(CHAR, end, bytes_hyphen)                                                         \
    for (const Py_ssize_t per = (Py_ssize_t)(16 / sizeof(CHAR)); at + per <= end; at += per) {     \
        int mask = block_hyphen(t + at, sizeof(CHAR));                                             \
        if (mask) {                                                                                \
            return at + __builtin_ctz((unsigned)mask) / (Py_ssize_t)sizeof(CHAR);                  \
        }                                                                                          \
    }
#else
/* A 64-bit word of characters at a time: its capitals read one by one when HAS_UPPER finds one. */
#define STARTS_RUN(CHAR) (sizeof(uint64_t) / sizeof(CHAR))
#define STARTS_BITS(CHAR)                                                                          \
    uint64_t x;                                                                                    \
    memcpy(&x, t + at, sizeof(x));                                                                 \
    uint32_t bits = 0;                                                                             \
    for (size_t i = 0; HAS_UPPER(x, CHAR) && i < STARTS_RUN(CHAR); i++) {                          \
        bits |= (uint32_t)is_upper(t[at + i]) << i;                                                \
    }                                                                                              \
    return bits;
#define SKIP_TO_HYPHEN(CHAR)
#endif

#define SCANS(SUFFIX, CHAR)                                                                        \
    /* The capitals of t[at:at + STARTS_RUN] (fewer at the text's end) that may start a phrase's  \
     * second word (all, or those after a " "), as bits, t[at] the lowest; 1 <= at: a block of    \
     * characters at a time (SSE2 where the compiler has it, else a 64-bit word), as most words of \
     * prose hold none (a test of each character was ~8 instructions a character). */            \
    static uint32_t starts_##SUFFIX(const CHAR *t, Py_ssize_t n, Py_ssize_t at)                   \
    {                                                                                              \
        if (n - at < (Py_ssize_t)STARTS_RUN(CHAR)) {                                               \
            uint32_t bits = 0;                                                                     \
            for (Py_ssize_t i = at; i < n; i++) {                                                  \
                bits |= (uint32_t)is_upper(t[i]) << (i - at);                                      \
            }                                                                                      \
            return bits;                                                                           \
        }                                                                                          \
        STARTS_BITS(CHAR)                                                                          \
    }                                                                                              \
                                                                                                   \
    /* The first "-" of t[at:end], or -1: inline, where PyUnicode_FindChar cost ~115 instructions \
     * a call (~420 calls, one a hyphen, in a 32 KB agent). */                                    \
    static Py_ssize_t next_hyphen_##SUFFIX(const CHAR *t, Py_ssize_t end, Py_ssize_t at)         \
    {                                                                                              \
        SKIP_TO_HYPHEN(CHAR)                                                                       \
        while (at < end && t[at] != '-') {                                                         \
            at++;                                                                                  \
        }                                                                                          \
        return at < end ? at : -1;                                                                 \
    }                                                                                              \
                                                                                                   \
    static Py_ssize_t next_word_##SUFFIX(const CHAR *t, Py_ssize_t n, Py_ssize_t e)              \
    {                                                                                              \
        if (e >= n || t[e] != ' ') {                                                               \
            return -1;                                                                             \
        }                                                                                          \
        Py_ssize_t q = e + 1;                                                                      \
        if (q + 1 < n && t[q] == '&' && t[q + 1] == ' ') {                                         \
            q += 2;                                                                                \
        }                                                                                          \
        if (q >= n || !is_upper(t[q])) {                                                           \
            return -1;                                                                             \
        }                                                                                          \
        for (q++; q < n && is_alnum(t[q]); q++) {                                                  \
        }                                                                                          \
        return q;                                                                                  \
    }                                                                                              \
                                                                                                   \
    static int title_##SUFFIX(PyObject *text, const CHAR *t, Py_ssize_t n, PyObject *out,         \
                              PyObject *role_like, PyObject *agent_after, const Ends *ends)        \
    {                                                                                              \
        Py_ssize_t at = 0; /* no phrase starts before it (the last one's end) */                  \
        Py_ssize_t base = 1; /* bits: the starts of t[base:base + STARTS_RUN] not yet read */     \
        for (uint32_t bits = n > base ? starts_##SUFFIX(t, n, base) : 0;;) {                       \
            while (bits == 0) {                                                                    \
                if ((base += STARTS_RUN(CHAR)) >= n) {                                             \
                    return 0;                                                                      \
                }                                                                                  \
                bits = starts_##SUFFIX(t, n, base);                                                \
            }                                                                                      \
            Py_ssize_t c = base + __builtin_ctz(bits);                                             \
            bits &= bits - 1;                                                                      \
            Py_ssize_t e = c - 1, s0; /* a second word's capital c: " " or " & " before it... */  \
            if (e >= 3 && t[e] == ' ' && t[e - 1] == '&' && t[e - 2] == ' ') {                    \
                e -= 2;                                                                            \
            }                                                                                      \
            if (e < 1 || t[e] != ' ' || !is_alnum(t[e - 1])) {                                     \
                continue;                                                                          \
            }                                                                                      \
            for (s0 = e - 1; s0 > at && is_alnum(t[s0 - 1]); s0--) { /* ...ending a run */        \
            }                                                                                      \
            while (s0 < e && !is_upper(t[s0])) { /* whose first capital starts the phrase */       \
                s0++;                                                                              \
            }                                                                                      \
            if (s0 == e) {                                                                         \
                continue;                                                                          \
            }                                                                                      \
            Py_ssize_t end = e;                                                                    \
            for (Py_ssize_t more; (more = next_word_##SUFFIX(t, n, end)) >= 0;) {                  \
                end = more;                                                                        \
            }                                                                                      \
            int keep = title_keep(text, s0, end, role_like, agent_after, ends);                    \
            if (keep < 0 || (keep && add_item(out, Py_BuildValue("(nn)", s0, end)) < 0)) {        \
                return -1;                                                                         \
            }                                                                                      \
            at = end; /* the starts before it are read no more */                                  \
            if (end - base < (Py_ssize_t)STARTS_RUN(CHAR)) {                                       \
                bits &= ~(uint32_t)0 << (end - base);                                              \
            }                                                                                      \
            else {                                                                                 \
                bits = starts_##SUFFIX(t, n, base = end);                                          \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
                                                                                                   \
    /* _HYPHEN_RUN: a "-" between a letter or digit and a letter or digit, then the run of name    \
     * characters after it; the place is the name characters on both sides of that hyphen,        \
     * without hyphens at either end. */                                                           \
    static int kebab_##SUFFIX(PyObject *text, const CHAR *t, Py_ssize_t n, Kebabs *out,           \
                              PyObject *kebab_ok, const KebabRules *rules)                         \
    {                                                                                              \
        Py_ssize_t p = 1;                                                                          \
        while (p + 1 < n) {                                                                        \
            if (t[p] != '-' && (p = next_hyphen_##SUFFIX(t, n - 1, p + 1)) < 0) {                  \
                return 0;                                                                          \
            }                                                                                      \
            if (!is_alnum(t[p - 1]) || !is_alnum(t[p + 1])) {                                      \
                p++;                                                                               \
                continue;                                                                          \
            }                                                                                      \
            Py_ssize_t s0 = p, e = p + 1;                                                          \
            while (e < n && is_name(t[e])) {                                                       \
                e++;                                                                               \
            }                                                                                      \
            p = e; /* where the regex search goes on */                                            \
            while (s0 > 0 && is_name(t[s0 - 1])) {                                                 \
                s0--;                                                                              \
            }                                                                                      \
            while (t[e - 1] == '-') {                                                              \
                e--;                                                                               \
            }                                                                                      \
            while (t[s0] == '-') {                                                                 \
                s0++;                                                                              \
            }                                                                                      \
            Kebab kebab;                                                                           \
            int found = kebab_name(text, s0, e, kebab_ok, rules, &kebab);                          \
            if (found < 0 || (found && add_kebab(out, kebab) < 0)) {                               \
                return -1;                                                                         \
            }                                                                                      \
        }                                                                                          \
        return 0;                                                                                  \
    }

SCANS(ucs1, Py_UCS1)
SCANS(ucs2, Py_UCS2)
SCANS(ucs4, Py_UCS4)

PyDoc_STRVAR(title_doc,
"title_names(role_like, agent_after, role_ends, text) -> list[tuple[int, int]]\n\n"
"The (start, end) of each mentions._TITLE match in text that may name an agent, as\n"
"mentions._title_names_py with role_like = mentions.role_like, agent_after = mentions._AGENT_AFTER.match\n"
"and role_ends = mentions._ROLE_ENDS (the last two letters of every word role_like is true of).");

/* The role endings of a tuple of str of two characters: 0, or -1 with a TypeError. */
static int
ends_of(PyObject *tuple, Ends *ends)
{
    if (!PyTuple_Check(tuple) || PyTuple_GET_SIZE(tuple) > MAX_ENDS) {
        PyErr_SetString(PyExc_TypeError, "title_names: role_ends must be a tuple of at most 64 str");
        return -1;
    }
    ends->count = PyTuple_GET_SIZE(tuple);
    for (Py_ssize_t i = 0; i < ends->count; i++) {
        PyObject *end = PyTuple_GET_ITEM(tuple, i);
        if (!PyUnicode_Check(end) || PyUnicode_GET_LENGTH(end) != 2) {
            PyErr_SetString(PyExc_TypeError, "title_names: role_ends must be str of two characters");
            return -1;
        }
        ends->pair[i][0] = PyUnicode_READ_CHAR(end, 0);
        ends->pair[i][1] = PyUnicode_READ_CHAR(end, 1);
    }
    return 0;
}

/* NAME_ucs1, NAME_ucs2 or NAME_ucs4 by the storage kind of `text`, called with the text, its data,
 * its length and the other arguments. */
#define BY_KIND(NAME, text, ...)                                                                   \
    (PyUnicode_KIND(text) == PyUnicode_1BYTE_KIND                                                  \
         ? NAME##_ucs1((text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), __VA_ARGS__)      \
     : PyUnicode_KIND(text) == PyUnicode_2BYTE_KIND                                                \
         ? NAME##_ucs2((text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), __VA_ARGS__)      \
         : NAME##_ucs4((text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), __VA_ARGS__))

/* `out`, the list a scan filled, or NULL (`out` released) when the scan failed: rc < 0. */
static PyObject *
scanned(PyObject *out, int rc)
{
    if (rc < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

/* The (start, end) of each Title-Case phrase of `text` that may name an agent: a new list, or NULL
 * with an exception. */
static PyObject *
scan_titles(PyObject *text, PyObject *role_like, PyObject *agent_after, const Ends *ends)
{
    PyObject *out = PyList_New(0);
    return out == NULL ? NULL : scanned(out, BY_KIND(title, text, out, role_like, agent_after, ends));
}

static PyObject *
title_names(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyCallable_Check(args[0]) || !PyCallable_Check(args[1]) || !PyTuple_Check(args[2])
        || !PyUnicode_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError,
                        "title_names(role_like: callable, agent_after: callable, role_ends: tuple[str, ...], text: str)");
        return NULL;
    }
    Ends ends;
    if (ends_of(args[2], &ends) < 0) {
        return NULL;
    }
    return scan_titles(args[3], args[0], args[1], &ends);
}

PyDoc_STRVAR(kebab_doc,
"kebab_names(kebab_ok, text) -> list[tuple[int, int, str, bool]]\n\n"
"The (start, end, name, bold) of each kebab name in text, as mentions._kebab_names_py with\n"
"kebab_ok = mentions._kebab_ok, or its rules (mentions._KEBAB_RULES: the test then runs in C).");

/* The kebab names of `text` into `out` (empty): 0, or -1 with an exception (`out` freed). */
static int
scan_kebabs(PyObject *text, PyObject *kebab_ok, const KebabRules *rules, Kebabs *out)
{
    if (BY_KIND(kebab, text, out, kebab_ok, rules) < 0) {
        free_kebabs(out);
        return -1;
    }
    return 0;
}

static PyObject *
kebab_names(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    const KebabRules *by_rules = NULL;
    if (nargs != 2 || !(PyCallable_Check(args[0]) || PyTuple_Check(args[0])) || !PyUnicode_Check(args[1]))
        return type_error("kebab_names(kebab_ok: callable | tuple, text: str)");
    if (PyTuple_Check(args[0]) && (by_rules = kept_rules(args[0])) == NULL) {
        return NULL;
    }
    Kebabs kebabs = {NULL, 0, 0};
    if (scan_kebabs(args[1], args[0], by_rules, &kebabs) < 0) {
        return NULL;
    }
    PyObject *out = PyList_New(kebabs.count);
    for (Py_ssize_t i = 0; out != NULL && i < kebabs.count; i++) {
        const Kebab *k = &kebabs.items[i];
        PyObject *item = Py_BuildValue("(nnOO)", k->start, k->end, k->name, k->bold ? Py_True : Py_False);
        if (item == NULL) {
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, i, item);
    }
    free_kebabs(&kebabs);
    return out;
}

/* ------------------------------------------------------------------------------------------- */
/* mentions._WEAK on an ASCII line (mentions.weak_phrases sends the others to the regex):
 *
 *     \b(?:VERB)\s+(?:the\s+)?(?P<words>(?!the\s)[a-z][a-z0-9]*(?:\s+[a-z][a-z0-9]*){1,3})(?![\w-])
 *
 * over the line lowered. On ASCII, lowering keeps every place, `\w` is a letter, a digit or "_"
 * and `\s` is_ascii_space. The pattern takes one way at each place, which this follows: a verb
 * must be a whole run of letters (a blank follows it), no blank can stand where a letter must,
 * and a word given back leaves a letter or digit where a blank or the end of the words must be.
 * So at a place where a verb starts, the words are the longest run of up to four blank-separated
 * words after it (and after "the "), and the match is the longest of the last 3, 2 or 1 extra
 * words that no word character or "-" follows. finditer goes on at a match's end, else at the
 * next place. */

static inline int
is_word(Py_UCS1 ch)
{
    return is_alnum(ch) || ch == '_';
}

/* The end of the blanks from `at`. */
static Py_ssize_t
skip_blanks(const Py_UCS1 *t, Py_ssize_t n, Py_ssize_t at)
{
    while (at < n && is_ascii_space(t[at])) {
        at++;
    }
    return at;
}

/* The end of the word `[a-z][a-z0-9]*` (lowered) at `at`, or -1 when none starts there. */
static Py_ssize_t
word_end(const Py_UCS1 *t, Py_ssize_t n, Py_ssize_t at)
{
    if (at >= n || fold(t[at]) < 'a' || fold(t[at]) > 'z') {
        return -1;
    }
    for (at++; at < n && is_alnum(t[at]); at++) {
    }
    return at;
}

/* Whether text[at:at + 3] lowered is "the" and a blank follows. */
static int
the_blank(const Py_UCS1 *t, Py_ssize_t n, Py_ssize_t at)
{
    return at + 3 < n && fold(t[at]) == 't' && fold(t[at + 1]) == 'h' && fold(t[at + 2]) == 'e'
        && is_ascii_space(t[at + 3]);
}

/* The bit of weak_phrases' `lengths` masks for a length: 63 stands for 63 and more. */
static inline uint64_t
length_bit(Py_ssize_t len)
{
    return (uint64_t)1 << (len < 63 ? len : 63);
}

/* The verb of `verbs` (a tuple of lowercase ASCII str) that text[at:end] lowered is, or NULL. */
static PyObject *
verb_at(const Py_UCS1 *t, Py_ssize_t at, Py_ssize_t end, PyObject *verbs)
{
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(verbs); k++) {
        PyObject *verb = PyTuple_GET_ITEM(verbs, k);
        if (PyUnicode_GET_LENGTH(verb) != end - at) {
            continue;
        }
        const Py_UCS1 *v = PyUnicode_1BYTE_DATA(verb);
        Py_ssize_t i = 0;
        while (i < end - at && fold(t[at + i]) == v[i]) {
            i++;
        }
        if (i == end - at) {
            return verb;
        }
    }
    return NULL;
}

/* Append to `out` what mentions.weak_phrases gives for the words at bounds[0:2 * count] (start,
 * end pairs) after `verb`: (column, the words up to the first role among the second and later
 * ones, verb), or nothing when none is a role. 0, or -1 with an exception; with `out` NULL, 1
 * where a phrase would be appended (weak_lines asks only whether a line holds one). */
static int
add_phrase(PyObject *out, PyObject *text, const Py_ssize_t *bounds, int count, PyObject *verb, PyObject *role_like)
{
    const void *data = PyUnicode_DATA(text);
    int kind = PyUnicode_KIND(text);
    for (int i = 1; i < count; i++) {
        int role = role_word(role_like, kind, data, bounds[2 * i], bounds[2 * i + 1]);
        if (role <= 0) {
            if (role < 0) {
                return -1;
            }
            continue;
        }
        if (out == NULL) {
            return 1;
        }
        PyObject *head = PyTuple_New(i + 1);
        if (head == NULL) {
            return -1;
        }
        for (int j = 0; j <= i; j++) {
            PyObject *word = lowered(kind, data, bounds[2 * j], bounds[2 * j + 1]);
            if (word == NULL) {
                Py_DECREF(head);
                return -1;
            }
            PyTuple_SET_ITEM(head, j, word);
        }
        return add_item(out, Py_BuildValue("(nNO)", bounds[0] + 1, head, verb));
    }
    return 0;
}

/* lengths[c - 'a']: bit min(len, 63) for each verb of `verbs` that starts with the letter c, or
 * NULL with a TypeError. A run of letters whose first letter and length no verb has is passed
 * without verb_at's walk over the 15 verbs; a verb that starts with no lowercase letter matches no
 * run (verb_at compares with the run lowered). Made once for the tuple mentions passes each call
 * (held in `lengths_of`): made per call it cost what it saved. */
static const uint64_t *
verb_lengths(PyObject *verbs)
{
    static PyObject *lengths_of = NULL;
    static uint64_t lengths[26];
    if (verbs != lengths_of) {
        uint64_t made[26] = {0};
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(verbs); k++) {
            PyObject *verb = PyTuple_GET_ITEM(verbs, k);
            if (!PyUnicode_Check(verb) || !PyUnicode_IS_ASCII(verb)) {
                PyErr_SetString(PyExc_TypeError, "weak_phrases: verbs must be ASCII str");
                return NULL;
            }
            Py_ssize_t len = PyUnicode_GET_LENGTH(verb);
            Py_UCS1 first = len > 0 ? PyUnicode_1BYTE_DATA(verb)[0] : 0;
            if (first >= 'a' && first <= 'z') {
                made[first - 'a'] |= length_bit(len);
            }
        }
        memcpy(lengths, made, sizeof lengths);
        Py_INCREF(verbs); /* the tuple and its str cannot change while held */
        Py_XSETREF(lengths_of, verbs);
    }
    return lengths;
}

/* The weak phrases of the ASCII line `text` appended to `out` (add_phrase): 0, or -1 with an
 * exception; with `out` NULL, 1 at the first phrase (none is made) and 0 when the line holds none. */
static int
weak_scan(PyObject *text, PyObject *verbs, const uint64_t *lengths, PyObject *role_like, PyObject *out)
{
    const Py_UCS1 *t = PyUnicode_1BYTE_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_ssize_t at = 0;
    while (at < n) {
        /* a verb: a whole run of letters at a word's start, a blank after it. The line is ASCII:
         * a letter is a look-up in letter_table (~4 instructions a character of the line, where
         * folding and two range tests took ~7, and a character that is no letter ~11). */
        if (!letter_table[t[at]]) {
            at++;
            continue;
        }
        Py_ssize_t end = at + 1;
        while (end < n && letter_table[t[end]]) {
            end++;
        }
        PyObject *verb = NULL;
        if ((at == 0 || !is_word(t[at - 1])) && end < n && is_ascii_space(t[end])
            && (lengths[fold(t[at]) - 'a'] & length_bit(end - at))) { /* t[at] is a letter */
            verb = verb_at(t, at, end, verbs);
        }
        /* No match starts inside a run of letters (`\b` fails after a letter): finditer's next
         * place that can is past the run. Stepping by one rescanned each run from every letter. */
        Py_ssize_t next = end;
        if (verb == NULL) {
            at = next;
            continue;
        }
        Py_ssize_t start = skip_blanks(t, n, end);
        if (the_blank(t, n, start)) {
            start = skip_blanks(t, n, start + 3);
        }
        Py_ssize_t bounds[8]; /* (start, end) of each word: the first and up to 3 more */
        int count = 0;
        for (Py_ssize_t w = start, e; count < 4 && (count == 0 || (w < n && is_ascii_space(t[w])));) {
            if (count) {
                w = skip_blanks(t, n, w);
            }
            if ((e = word_end(t, n, w)) < 0) {
                break;
            }
            bounds[2 * count] = w;
            bounds[2 * count + 1] = e;
            count++;
            w = e;
        }
        if (count && the_blank(t, n, start)) {
            count = 0; /* (?!the\s): "the the x" */
        }
        while (count > 1) { /* (?![\w-]) after the last word, giving back words */
            Py_ssize_t e = bounds[2 * count - 1];
            if (e == n || (!is_word(t[e]) && t[e] != '-')) {
                break;
            }
            count--;
        }
        if (count < 2) {
            at = next;
            continue;
        }
        int rc = add_phrase(out, text, bounds, count, verb, role_like);
        if (rc != 0) {
            return rc;
        }
        at = bounds[2 * count - 1];
    }
    return 0;
}

PyDoc_STRVAR(weak_doc,
"weak_phrases(role_like, verbs, line) -> list[tuple[int, tuple[str, ...], str]]\n\n"
"mentions._weak_phrases_py(line) for an ASCII line, with role_like = mentions.role_like and\n"
"verbs = mentions._WEAK_VERBS.");

static PyObject *
weak_phrases(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyCallable_Check(args[0]) || !PyTuple_Check(args[1]) || !PyUnicode_Check(args[2])
        || !PyUnicode_IS_ASCII(args[2])) {
        return type_error("weak_phrases(role_like: callable, verbs: tuple[str, ...], line: ASCII str)");
    }
    const uint64_t *lengths = verb_lengths(args[1]);
    PyObject *out = lengths == NULL ? NULL : PyList_New(0);
    if (out == NULL) {
        return NULL;
    }
    if (weak_scan(args[2], args[1], lengths, args[0], out) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

/* Whether the line `line` holds a weak phrase: by the C scan for an ASCII line, else by `weak`
 * (mentions.weak_phrases). 1, 0, or -1 with an exception. */
static int
weak_line(PyObject *line, PyObject *verbs, const uint64_t *lengths, PyObject *role_like, PyObject *weak)
{
    Py_INCREF(line); /* held: `weak` may change the list it is in */
    int found = PyUnicode_IS_ASCII(line) ? weak_scan(line, verbs, lengths, role_like, NULL)
                                        : truth(PyObject_CallOneArg(weak, line));
    Py_DECREF(line);
    return found;
}

PyDoc_STRVAR(weak_lines_doc,
"weak_lines(role_like, verbs, weak, lines, hinted, names) -> None\n\n"
"mentions._weak_lines_py(lines, hinted, names): names[i] = [] for each line index i of the set hinted\n"
"that is no key of the dict names and whose line holds a weak phrase: by the C scan for an\n"
"ASCII line (role_like = mentions.role_like, verbs = mentions._WEAK_VERBS), else when\n"
"weak(lines[i]) (mentions.weak_phrases) is true.");

/* mentions.candidates_by_line asks of each line holding a hint word but no name (~40 in a 32 KB
 * agent) whether it holds a weak phrase: a Python loop calling weak_phrases, which made each
 * phrase's tuples (~1.2K instructions a line besides the scan). Here an ASCII line is scanned up
 * to its first phrase and nothing is made; another line goes to `weak`, as there. */
static PyObject *
weak_lines(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || !PyCallable_Check(args[0]) || !PyTuple_Check(args[1]) || !PyCallable_Check(args[2])
        || !PyList_Check(args[3]) || !PyAnySet_Check(args[4]) || !PyDict_Check(args[5])) {
        return type_error("weak_lines(role_like: callable, verbs: tuple[str, ...], weak: callable, "
                          "lines: list[str], hinted: set[int], names: dict)");
    }
    PyObject *lines = args[3], *names = args[5];
    const uint64_t *lengths = verb_lengths(args[1]);
    /* a copy of the set: the calls below may run code that changes it (a set changed while a for
     * loop walks it raises; the copy walks what the set held) */
    PyObject *order = lengths == NULL ? NULL : PySequence_List(args[4]);
    if (order == NULL) {
        return NULL;
    }
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(order); k++) {
        PyObject *i = PyList_GET_ITEM(order, k);
        int named = PyDict_Contains(names, i);
        if (named != 0) {
            if (named < 0) {
                goto fail;
            }
            continue;
        }
        Py_ssize_t at = PyLong_Check(i) ? PyLong_AsSsize_t(i) : -1;
        if (at < 0 || at >= PyList_GET_SIZE(lines) || !PyUnicode_Check(PyList_GET_ITEM(lines, at))) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_IndexError, "weak_lines: each hinted line must be a str of lines");
            }
            goto fail;
        }
        int found = weak_line(PyList_GET_ITEM(lines, at), args[1], lengths, args[0], args[2]);
        if (found < 0) {
            goto fail;
        }
        if (found) {
            PyObject *empty = PyList_New(0);
            int rc = empty == NULL ? -1 : PyDict_SetItem(names, i, empty);
            Py_XDECREF(empty);
            if (rc < 0) {
                goto fail;
            }
        }
    }
    Py_DECREF(order);
    Py_RETURN_NONE;
fail:
    Py_DECREF(order);
    return NULL;
}

/* ------------------------------------------------------------------------------------------- */
/* mentions._by_line_py: the names found in a whole text (its prepared lines joined by "\n"), by
 * line, each made a mentions._Cand. The names come by place and none spans a line end, so one
 * walk over the text gives each name's line and that line's start, where Python asked str.count
 * and str.rfind per name. A name comes as a tuple of its fields, and its object is made by
 * setting its class's slots, as its __init__ (a dataclass's: one assignment a field) would:
 * calling the class ran that __init__ as Python code, ~0.3 us of the ~0.4 us a name cost. */

#include <structmember.h>

#define MAX_SLOTS 16

/* The member descriptors of `cls`'s slots named in `names` (a tuple of str): 0, or -1 with an
 * exception when cls is no class whose instances hold exactly those slots and nothing else. */
static int
slot_members(PyObject *cls, PyObject *names, PyMemberDef **members)
{
    if (!PyType_Check(cls) || !PyTuple_Check(names) || PyTuple_GET_SIZE(names) > MAX_SLOTS) {
        PyErr_SetString(PyExc_TypeError, "by_line: make must be a class, its __slots__ a tuple of at most 16 names");
        return -1;
    }
    PyTypeObject *type = (PyTypeObject *)cls;
    if (type->tp_dictoffset != 0 || type->tp_itemsize != 0 || type->tp_alloc == NULL) {
        PyErr_SetString(PyExc_TypeError, "by_line: make's instances must hold their slots only");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        PyObject *descr = PyObject_GetAttr(cls, PyTuple_GET_ITEM(names, i));
        if (descr == NULL) {
            return -1;
        }
        int ok = Py_IS_TYPE(descr, &PyMemberDescr_Type) && ((PyDescrObject *)descr)->d_type == type;
        members[i] = ok ? ((PyMemberDescrObject *)descr)->d_member : NULL;
        Py_DECREF(descr);
        if (!ok || members[i]->type != T_OBJECT_EX || (members[i]->flags & READONLY)) {
            PyErr_SetString(PyExc_TypeError, "by_line: make's __slots__ must be its own writable slots");
            return -1;
        }
    }
    return 0;
}

/* A new instance of `type` with its slots set to a place's fields: start and end less `begin`, then
 * fields[2:count] (borrowed); NULL with an exception. The slots are the type's own, of T_OBJECT_EX
 * and writable (slot_members), and a new instance holds none yet: each is written straight, where
 * PyMember_SetOne took ~30 instructions a slot. */
static PyObject *
make_one(PyTypeObject *type, PyMemberDef **members, Py_ssize_t count, PyObject *const *fields, Py_ssize_t start,
         Py_ssize_t end, Py_ssize_t begin)
{
    PyObject *obj = type->tp_alloc(type, 0);
    if (obj == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *value = i == 0 ? shared_int(start - begin)
            : i == 1 ? shared_int(end - begin) : Py_NewRef(fields[i]);
        if (value == NULL) {
            Py_DECREF(obj);
            return NULL;
        }
        *(PyObject **)((char *)obj + members[i]->offset) = value;
    }
    return obj;
}

PyDoc_STRVAR(by_line_doc,
"by_line(lines, places, make) -> dict[int, list]\n\n"
"mentions._by_line_py(lines, places, make): each place (a tuple of make's fields, its __slots__,\n"
"start and end first; by start, within the text that is lines joined by \"\\n\") made a make with\n"
"start and end less its line's start, under its 0-based line.");

/* The places of a text, by start, made instances of `make` under their 0-based lines (by_line and
 * names_by_line): a place's line is found by walking on over the lines' lengths (the places come
 * in order) where a count of the "\n" of a joined text read every character of it. */
typedef struct {
    PyObject *lines;       /* list[str] (borrowed) */
    PyTypeObject *make;
    PyMemberDef *members[MAX_SLOTS];
    Py_ssize_t count;      /* make's slots */
    PyObject *out;         /* line -> its list of instances (a new dict) */
    PyObject *current;     /* the list of current_line (borrowed from out) */
    Py_ssize_t at, line, begin, current_line;
    /* Each line's start in the text and the text's length, when the caller has them (reading):
     * the walk goes on over them, not over the lines' lengths; and per line, set when it gets a key
     * (or NULL). */
    const Py_ssize_t *starts;
    Py_ssize_t end_of_text;
    char *named;
} Grouper;

/* A grouper into a new dict: 0, or -1 with an exception. */
static int
grouper_init(Grouper *g, PyObject *lines, PyObject *make)
{
    PyObject *names = PyType_Check(make) ? PyObject_GetAttrString(make, "__slots__") : NULL;
    if (names == NULL && (!PyErr_Occurred() || PyErr_ExceptionMatches(PyExc_AttributeError))) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, "by_line: make must be a class with __slots__");
    }
    int rc = names == NULL ? -1 : slot_members(make, names, g->members);
    g->count = names == NULL ? 0 : PyTuple_Check(names) ? PyTuple_GET_SIZE(names) : 0;
    Py_XDECREF(names);
    if (rc < 0) {
        return -1;
    }
    if (g->count < 2) {
        PyErr_SetString(PyExc_TypeError, "by_line: make's __slots__ must start with start and end");
        return -1;
    }
    g->lines = lines;
    g->make = (PyTypeObject *)make;
    g->current = NULL;
    g->at = g->line = g->begin = 0;
    g->current_line = -1;
    g->starts = NULL;
    g->named = NULL;
    g->out = PyDict_New();
    return g->out == NULL ? -1 : 0;
}

/* The place text[start:end] with fields[2:count] (borrowed) made an instance under its line: 0, or -1
 * with an exception. */
static int
grouper_add(Grouper *g, Py_ssize_t start, Py_ssize_t end, PyObject *const *fields)
{
    if (start < g->at || end < start) {
        PyErr_SetString(PyExc_ValueError, "by_line: the names must come by place, within the text");
        return -1;
    }
    if (g->starts != NULL) { /* the lines are the text's: they are str, and each ends where the next starts */
        if (start > g->end_of_text) {
            PyErr_SetString(PyExc_ValueError, "by_line: the names must be within the lines, a list of str");
            return -1;
        }
        g->line = line_holding(g->starts, PyList_GET_SIZE(g->lines), g->line, start);
        g->begin = g->starts[g->line];
    }
    else for (;;) {
        if (g->line >= PyList_GET_SIZE(g->lines) || !PyUnicode_Check(PyList_GET_ITEM(g->lines, g->line))) {
            PyErr_SetString(g->line < PyList_GET_SIZE(g->lines) ? PyExc_TypeError : PyExc_ValueError,
                            "by_line: the names must be within the lines, a list of str");
            return -1;
        }
        Py_ssize_t next = g->begin + PyUnicode_GET_LENGTH(PyList_GET_ITEM(g->lines, g->line)) + 1;
        if (start < next) {
            break;
        }
        g->begin = next;
        g->line++;
    }
    g->at = start;
    if (g->line != g->current_line) {
        PyObject *key = shared_int(g->line), *current = PyList_New(0);
        if (key == NULL || current == NULL || PyDict_SetItem(g->out, key, current) < 0) {
            Py_XDECREF(key);
            Py_XDECREF(current);
            return -1;
        }
        Py_DECREF(key);
        Py_DECREF(current); /* the dict holds it */
        g->current = current;
        g->current_line = g->line;
        if (g->named != NULL) {
            g->named[g->line] = 1;
        }
    }
    return add_item(g->current, make_one(g->make, g->members, g->count, fields, start, end, g->begin));
}

/* by_line's work, its arguments checked to be lists. */
static PyObject *
group_by_line(PyObject *lines, PyObject *places, PyObject *make)
{
    Grouper g;
    if (grouper_init(&g, lines, make) < 0) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(places); i++) {
        PyObject *place = PyList_GET_ITEM(places, i);
        if (!PyTuple_Check(place) || PyTuple_GET_SIZE(place) != g.count) {
            PyErr_SetString(PyExc_TypeError, "by_line: each place must be a tuple of make's fields");
            goto fail;
        }
        Py_INCREF(place); /* an allocation may collect garbage, whose finalizers may change the lists */
        Py_ssize_t start = PyLong_AsSsize_t(PyTuple_GET_ITEM(place, 0));
        Py_ssize_t end = start == -1 && PyErr_Occurred() ? -1 : PyLong_AsSsize_t(PyTuple_GET_ITEM(place, 1));
        int rc = PyErr_Occurred() ? -1 : grouper_add(&g, start, end, &PyTuple_GET_ITEM(place, 0));
        Py_DECREF(place);
        if (rc < 0) {
            goto fail;
        }
    }
    return g.out;
fail:
    Py_DECREF(g.out);
    return NULL;
}

static PyObject *
by_line(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyList_Check(args[0]) || !PyList_Check(args[1]))
        return type_error("by_line(lines: list[str], places: list[tuple], make: type)");
    return group_by_line(args[0], args[1], args[2]);
}

/* ------------------------------------------------------------------------------------------- */
/* mentions._names_by_line_py: the names of a whole prepared text by line, from the kebab and
 * Title-Case scans above in one call. Python ran each scan, made each kebab name's tuple again with
 * its form, sorted the names, tested each for the agent's own name and handed them to by_line
 * (~130K instructions a 32 KB agent besides the scans). The decisions that take word lists stay
 * the Python functions, passed in `env`: a kept Title-Case phrase's place (mentions._title_place,
 * a few a file) and the own-name test (mentions._is_self_place), asked only of a name that holds
 * `probe` or the agent's name, as mentions._kept does. A kebab name (most names) stays C fields
 * until it is made a mentions._Cand, with no tuple, list entry or int of its own in between, and
 * the slots are written straight: names_by_line ~533K -> ~449K instructions a 32 KB seed agent. */

/* A place's start (a tuple's first item), or -1 with an exception. */
static Py_ssize_t
place_start(PyObject *place)
{
    if (!PyTuple_Check(place) || PyTuple_GET_SIZE(place) < 3 || !PyUnicode_Check(PyTuple_GET_ITEM(place, 2))) {
        PyErr_SetString(PyExc_TypeError, "names_by_line: a place must be a tuple (start, end, name: str, ...)");
        return -1;
    }
    Py_ssize_t start = PyLong_AsSsize_t(PyTuple_GET_ITEM(place, 0));
    if (start < 0 && !PyErr_Occurred()) {
        PyErr_SetString(PyExc_ValueError, "names_by_line: a place must start within the text");
    }
    return PyErr_Occurred() ? -1 : start;
}

/* Whether the starts of `list`'s places never go down: 1, 0, or -1 with an exception. */
static int
by_start(PyObject *list)
{
    Py_ssize_t last = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list); i++) {
        Py_ssize_t start = place_start(PyList_GET_ITEM(list, i));
        if (start < 0) {
            return -1;
        }
        if (start < last) {
            return 0;
        }
        last = start;
    }
    return 1;
}

/* Whether `sub` is in `name`: a loop over an ASCII name (every name found here is, and so are most
 * agents' names), where PyUnicode_Contains set up a search per call (~500 instructions, two calls
 * a name); PyUnicode_Contains otherwise. 1, 0, or -1 with an exception. */
static int
holds(PyObject *name, PyObject *sub)
{
    if (!PyUnicode_IS_ASCII(name) || !PyUnicode_IS_ASCII(sub)) {
        return PyUnicode_Contains(name, sub);
    }
    const char *h = (const char *)PyUnicode_1BYTE_DATA(name), *w = (const char *)PyUnicode_1BYTE_DATA(sub);
    Py_ssize_t n = PyUnicode_GET_LENGTH(name), m = PyUnicode_GET_LENGTH(sub);
    if (m == 0) {
        return 1;
    }
    for (Py_ssize_t i = 0; i + m <= n; i++) {
        if (h[i] == w[0] && memcmp(h + i, w, (size_t)m) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Whether the place named `name` is the agent's own: as mentions._kept, is_self(name, self_name)
 * asked only of a name holding `probe` or self_name. 1, 0, or -1 with an exception. */
static int
is_own(PyObject *name, PyObject *self_name, PyObject *probe, PyObject *is_self)
{
    int hold = holds(name, probe);
    if (hold == 0) {
        hold = holds(name, self_name);
    }
    return hold <= 0 ? hold : truth(PyObject_CallFunctionObjArgs(is_self, name, self_name, NULL));
}

/* The kept Title-Case phrases of `text` as places, by title_place(text, start, end) (None: not a
 * name): a new list, or NULL with an exception. */
static PyObject *
title_places(PyObject *text, PyObject *role_like, PyObject *agent_after, const Ends *ends, PyObject *title_place)
{
    PyObject *spans = scan_titles(text, role_like, agent_after, ends), *out = PyList_New(0);
    if (spans == NULL || out == NULL) {
        goto fail;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(spans); i++) {
        PyObject *span = PyList_GET_ITEM(spans, i);
        PyObject *place = PyObject_CallFunctionObjArgs(title_place, text, PyTuple_GET_ITEM(span, 0),
                                                       PyTuple_GET_ITEM(span, 1), NULL);
        if (place == NULL || (place != Py_None && PyList_Append(out, place) < 0)) {
            Py_XDECREF(place);
            goto fail;
        }
        Py_DECREF(place);
    }
    Py_DECREF(spans);
    return out;
fail:
    Py_XDECREF(spans);
    Py_XDECREF(out);
    return NULL;
}

PyDoc_STRVAR(names_by_line_doc,
"names_by_line(env, lines, text, self_name, probe, extra) -> dict[int, list] | None\n\n"
"mentions._names_by_line_py(lines, text, self_name, extra): the kebab and Title-Case names of text\n"
"(the prepared join of lines) and the places `extra` (the others, by start), by start, without\n"
"the agent's own name (self_name; probe: the substring a name must hold to be asked), each made a\n"
"_Cand under its 0-based line. env = mentions._NAMES_ENV: (kebab rules, role_like, agent_after,\n"
"role_ends, title_place, is_self_place, make, the kebab form). None when the places found do not\n"
"come by start (a plugin prefix before a name's start): mentions.py then sorts them.");

/* The env names_by_line takes (mentions._NAMES_ENV): whether it is one. */
static int
names_env(PyObject *env)
{
    return PyTuple_Check(env) && PyTuple_GET_SIZE(env) == 8 && PyCallable_Check(PyTuple_GET_ITEM(env, 1))
        && PyCallable_Check(PyTuple_GET_ITEM(env, 2)) && PyCallable_Check(PyTuple_GET_ITEM(env, 4))
        && PyCallable_Check(PyTuple_GET_ITEM(env, 5)) && PyUnicode_Check(PyTuple_GET_ITEM(env, 7));
}

/* names_by_line's work (args: env, lines, text, self_name, probe, extra, checked), each line's start
 * in the text and a mark a line for those with names when the caller has them (reading; else NULL):
 * the dict, None, or NULL with an exception. */
static PyObject *
names_of(PyObject *const *args, const Py_ssize_t *starts, char *named)
{
    PyObject *env = args[0];
    const KebabRules *rules = kept_rules(PyTuple_GET_ITEM(env, 0));
    Ends ends;
    if (rules == NULL || ends_of(PyTuple_GET_ITEM(env, 3), &ends) < 0) {
        return NULL;
    }
    /* a copy of extra: the Python calls below may run code that changes the list */
    PyObject *text = args[2], *extra = PyList_GetSlice(args[5], 0, PyList_GET_SIZE(args[5])), *titles = NULL, *out = NULL;
    PyObject *self_name = args[3], *probe = args[4], *is_self = PyTuple_GET_ITEM(env, 5), *form = PyTuple_GET_ITEM(env, 7);
    Kebabs kebabs = {NULL, 0, 0};
    Grouper g = {.out = NULL};
    if (extra == NULL || scan_kebabs(text, NULL, rules, &kebabs) < 0) {
        goto done;
    }
    titles = title_places(text, PyTuple_GET_ITEM(env, 1), PyTuple_GET_ITEM(env, 2), &ends, PyTuple_GET_ITEM(env, 4));
    if (titles == NULL) {
        goto done;
    }
    int sorted = by_start(extra);
    sorted = sorted <= 0 ? sorted : by_start(titles);
    for (Py_ssize_t i = 1; sorted > 0 && i < kebabs.count; i++) {
        sorted = kebabs.items[i].start >= kebabs.items[i - 1].start;
    }
    if (sorted <= 0) {
        out = sorted < 0 ? NULL : Py_NewRef(Py_None);
        goto done;
    }
    if (grouper_init(&g, args[1], PyTuple_GET_ITEM(env, 6)) < 0) {
        goto done;
    }
    g.starts = starts;
    g.end_of_text = PyUnicode_GET_LENGTH(text);
    g.named = named;
    if (g.count != 6) {
        PyErr_SetString(PyExc_TypeError, "names_by_line: make must have a place's six fields as its __slots__");
        goto done;
    }
    /* The three by start as one: on equal starts an extra place first, then a kebab name, then a
     * Title-Case one (what a stable sort of the lists joined gives); the own name left out. A
     * kebab name becomes a mentions._Cand with no tuple made for it. */
    Py_ssize_t at[3] = {0, 0, 0}, count[3] = {PyList_GET_SIZE(extra), kebabs.count, PyList_GET_SIZE(titles)};
    for (;;) {
        int pick = -1;
        Py_ssize_t best = 0;
        for (int k = 0; k < 3; k++) {
            if (at[k] < count[k]) {
                Py_ssize_t start = k == 1 ? kebabs.items[at[k]].start
                                          : place_start(PyList_GET_ITEM(k == 0 ? extra : titles, at[k]));
                if (start < 0) {
                    goto done;
                }
                if (pick < 0 || start < best) {
                    pick = k;
                    best = start;
                }
            }
        }
        if (pick < 0) {
            break;
        }
        PyObject *place = pick == 1 ? NULL : PyList_GET_ITEM(pick == 0 ? extra : titles, at[pick]);
        const Kebab *kebab = pick == 1 ? &kebabs.items[at[pick]] : NULL;
        at[pick]++;
        PyObject *name = place != NULL ? PyTuple_GET_ITEM(place, 2) : kebab->name;
        int own = is_own(name, self_name, probe, is_self);
        if (own < 0) {
            goto done;
        }
        if (own) {
            continue;
        }
        int rc;
        if (place != NULL) {
            if (PyTuple_GET_SIZE(place) != 6) {
                PyErr_SetString(PyExc_TypeError, "by_line: each place must be a tuple of make's fields");
                goto done;
            }
            Py_ssize_t end = PyLong_AsSsize_t(PyTuple_GET_ITEM(place, 1));
            rc = end == -1 && PyErr_Occurred() ? -1 : grouper_add(&g, best, end, &PyTuple_GET_ITEM(place, 0));
        }
        else {
            PyObject *fields[6] = {NULL, NULL, kebab->name, form, kebab->bold ? Py_True : Py_False, Py_False};
            rc = grouper_add(&g, best, kebab->end, fields);
        }
        if (rc < 0) {
            goto done;
        }
    }
    out = Py_NewRef(g.out);
done:
    XDECREF_ALL(g.out, extra, titles);
    free_kebabs(&kebabs);
    return out;
}

static PyObject *
names_by_line(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || !names_env(args[0]) || !PyList_Check(args[1]) || !PyUnicode_Check(args[2])
        || !PyUnicode_Check(args[3]) || !PyUnicode_Check(args[4]) || !PyList_Check(args[5])) {
        return type_error("names_by_line(env: tuple of 8, lines: list[str], text: str, self_name: str, "
                          "probe: str, extra: list[tuple])");
    }
    return names_of(args, NULL, NULL);
}

/* ------------------------------------------------------------------------------------------- */
/* mentions._slashes_py: the "/" of `a-x/b-y` as "+" (mentions._prepare), one walk over the text
 * where Python ran mentions._SLASH over it and mentions._kebab_left at each match:
 *
 *     /(?=KEBAB(?![\w/]|\.\w))    KEBAB = [A-Za-z0-9]+(?:[HYPHENS-][A-Za-z0-9]+)+
 *
 * After a "/", the look-ahead can end only where a run of letters and digits ends (inside one, a
 * word character follows): at the end of the first hyphen group or a later one. Every end but
 * the last has a hyphen after it, which passes (?![\w/]|\.\w); so it holds when there are two
 * groups or more, or one whose end passes. `\w` is Python's: str.isalnum() or "_". */

static inline int
is_hyphen(Py_UCS4 ch)
{
    return ch == '-' || ch == 0x2010 || ch == 0x2011 || ch == 0x2012 || ch == 0x2212;
}

static inline int
is_re_word(Py_UCS4 ch)
{
    return Py_UNICODE_ISALNUM(ch) || ch == '_';
}

#define AT(i) PyUnicode_READ(kind, data, (i))

/* Whether the look-ahead of mentions._SLASH holds at `q` (the character after a "/"). */
static int
kebab_right(int kind, const void *data, Py_ssize_t n, Py_ssize_t q)
{
    Py_ssize_t e = q, groups = 0;
    while (e < n && is_alnum(AT(e))) {
        e++;
    }
    if (e == q) {
        return 0;
    }
    while (e + 1 < n && is_hyphen(AT(e)) && is_alnum(AT(e + 1)) && groups < 2) {
        for (e += 2; e < n && is_alnum(AT(e)); e++) {
        }
        groups++;
    }
    if (groups != 1) {
        return groups > 1;
    }
    if (e == n) {
        return 1;
    }
    Py_UCS4 after = AT(e);
    return !(is_re_word(after) || after == '/' || (after == '.' && e + 1 < n && is_re_word(AT(e + 1))));
}

/* mentions._kebab_left(text, at): a kebab name (name characters, a "-" inside, none at either end,
 * no "--", three characters or more) ends right before `at` or before a "\n" there, and is the
 * whole run of name characters, within the 80 characters before `at`. */
static int
kebab_left(int kind, const void *data, Py_ssize_t at)
{
    Py_ssize_t e = at && AT(at - 1) == '\n' ? at - 1 : at, r = e;
    while (r && is_name(AT(r - 1))) {
        r--;
    }
    if (e - r < 3 || AT(r) == '-' || AT(e - 1) == '-') {
        return 0;
    }
    int hyphen = 0;
    for (Py_ssize_t i = r; i < e; i++) {
        if (AT(i) == '-') {
            if (AT(i + 1) == '-') {
                return 0; /* "--" (the name does not end in "-": i + 1 < e) */
            }
            hyphen = 1;
        }
    }
    if (!hyphen) {
        return 0;
    }
    if (r == 0) {
        return at <= 80;
    }
    Py_UCS4 lead = AT(r - 1);
    return r > at - 80 && !(Py_UNICODE_ISALNUM(lead) || lead == '_' || lead == '.' || lead == '/');
}

#undef AT

PyDoc_STRVAR(slashes_doc,
"slashes(text) -> tuple[str, list[int]]\n\n"
"mentions._slashes_py(text): text with each \"/\" that mentions._SLASH matches and\n"
"mentions._kebab_left accepts made \"+\" (text itself when there is none), and their places.");

static PyObject *
slashes(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 1 || !PyUnicode_Check(args[0]))
        return type_error("slashes(text: str)");
    PyObject *text = args[0], *cuts = PyList_New(0), *out = NULL;
    if (cuts == NULL) {
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t at = PyUnicode_FindChar(text, '/', 0, n, 1); at >= 0;
         at = at + 1 < n ? PyUnicode_FindChar(text, '/', at + 1, n, 1) : -1) {
        if (kebab_right(kind, data, n, at + 1) && kebab_left(kind, data, at) && add_item(cuts, PyLong_FromSsize_t(at)) < 0) {
            goto fail;
        }
    }
    if (PyErr_Occurred()) { /* PyUnicode_FindChar gives -2 with an exception: not for a str and a range */
        goto fail;
    }
    Py_ssize_t count = PyList_GET_SIZE(cuts);
    if (count == 0) {
        return Py_BuildValue("(ON)", text, cuts);
    }
    /* A copy of the same kind: "+" for "/" keeps the text's largest character, so it stays the
     * narrowest form, as str.join makes it. */
    out = PyUnicode_New(n, PyUnicode_MAX_CHAR_VALUE(text));
    if (out == NULL) {
        goto fail;
    }
    memcpy(PyUnicode_DATA(out), data, (size_t)n * kind);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyUnicode_WRITE(kind, PyUnicode_DATA(out), PyLong_AsSsize_t(PyList_GET_ITEM(cuts, i)), '+');
    }
    return Py_BuildValue("(NN)", out, cuts);
fail:
    Py_DECREF(cuts);
    return NULL;
}

/* ------------------------------------------------------------------------------------------- */
/* mentions._prepare_join_py: the lines joined by "\n" and prepared (mentions._prepare), and the
 * lines it changed remade. Python joined the lines, then searched the whole text for each
 * non-ASCII hyphen (a copy for each found) and copied it again for a "/" made "+"; here the text
 * is made once: the hyphens are made "-" as the lines are copied (only a line of two or four bytes
 * a character can hold one), and the "+" are written into it. Each line's start is kept, so a
 * changed place's line costs no count of "\n". */

#if defined(__SSE2__)
/* The 16 one-byte characters at `from` as two-byte ones at `to`. */
static inline void
widen16(Py_UCS2 *to, const Py_UCS1 *from)
{
    __m128i x = _mm_loadu_si128((const __m128i *)from);
    _mm_storeu_si128((__m128i *)to, _mm_unpacklo_epi8(x, _mm_setzero_si128()));
    _mm_storeu_si128((__m128i *)(to + 8), _mm_unpackhi_epi8(x, _mm_setzero_si128()));
}

/* The 8 one-byte characters at `from` as two-byte ones at `to`. */
static inline void
widen8(Py_UCS2 *to, const Py_UCS1 *from)
{
    __m128i x = _mm_loadl_epi64((const __m128i *)from);
    _mm_storeu_si128((__m128i *)to, _mm_unpacklo_epi8(x, _mm_setzero_si128()));
}
#endif

/* text[at:at + n] (of kind `kind`) from line `from` (of kind `from_kind`, no wider). An ASCII
 * line into a text of two bytes a character (most lines of most agents: one "→" makes the whole
 * text so) is widened 16 or 8 characters at a time where the compiler has SSE2, the last block
 * ending at the line's end (overlapping the one before: it reads and writes within the line): the
 * compiler's loop cost ~1 instruction a character, most of it on the ends of short lines. */
static void
copy_line(int kind, void *text, Py_ssize_t at, int from_kind, const void *from, Py_ssize_t n)
{
    if (kind == from_kind) {
        memcpy((char *)text + at * kind, from, (size_t)n * kind);
    }
    else if (kind == PyUnicode_2BYTE_KIND) {
        Py_UCS2 *to = (Py_UCS2 *)text + at;
        const Py_UCS1 *bytes = from;
        Py_ssize_t i = 0;
#if defined(__SSE2__)
        if (n >= 16) {
            for (; i + 16 < n; i += 16) {
                widen16(to + i, bytes + i);
            }
            widen16(to + n - 16, bytes + n - 16);
            return;
        }
        if (n >= 8) {
            widen8(to, bytes);
            widen8(to + n - 8, bytes + n - 8);
            return;
        }
#endif
        for (; i < n; i++) {
            to[i] = bytes[i];
        }
    }
    else {
        Py_UCS4 *to = (Py_UCS4 *)text + at;
        for (Py_ssize_t i = 0; i < n; i++) {
            to[i] = PyUnicode_READ(from_kind, from, i);
        }
    }
}

/* The non-ASCII hyphens of text[at:end] made "-": whether there was one. */
static int
minus_hyphens(int kind, void *text, Py_ssize_t at, Py_ssize_t end)
{
    int found = 0;
    for (Py_ssize_t i = at; i < end; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, text, i);
        if (ch != '-' && is_hyphen(ch)) {
            PyUnicode_WRITE(kind, text, i, '-');
            found = 1;
        }
    }
    return found;
}

/* The text that is the lines of `lines` joined by "\n" and prepared, a line whose `blank` entry is
 * set read as "" (`blank` NULL: none is): a new str, or NULL with an exception. `lines` is a list
 * of str that no one else holds (the caller's copy: an allocation below may run a finalizer, which
 * cannot reach it); it is left holding the text's lines: each blank one "" and each one preparing
 * changed remade from the text, *changed telling whether any was remade. `starts_out` (or NULL)
 * is given each line's start in the text (an array of one a line, the caller's to free).
 *
 * A 32 KB agent has ~820 lines, half of them blanked (fences, headings): the steps a line takes
 * are most of the cost, not the copy. The text's kind is the widest line's, known from the kinds
 * (a line's largest character is its kind's); a blanked line is made "" as the copy passes it,
 * and only a text that preparing changed is walked again for its remade lines (prepared_text
 * ~104K -> ~97K instructions a seed agent). */
static PyObject *
prepared_text(PyObject *lines, const char *blank, int *changed, Py_ssize_t **starts_out)
{
    PyObject *text = NULL, *empty = NULL;
    Py_ssize_t *starts = NULL, *cuts = NULL, n = 0, n_cuts = 0, size = 0, count = PyList_GET_SIZE(lines);
    char *remade = NULL; /* per line: whether preparing changed it */
    int widest = PyUnicode_1BYTE_KIND, ascii = 1; /* of the lines read */
    *changed = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PyList_GET_ITEM(lines, i);
        if (!PyUnicode_Check(item))
            return type_error("prepare_join: the lines must be str");
        if (blank != NULL && blank[i]) {
            continue;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(item);
        if (len > PY_SSIZE_T_MAX - 1 - n) {
            PyErr_SetString(PyExc_OverflowError, "prepare_join: the text is too long");
            return NULL;
        }
        n += len;
        widest = Py_MAX(widest, (int)PyUnicode_KIND(item));
        ascii &= PyUnicode_IS_ASCII(item);
    }
    n += count > 0 ? count - 1 : 0; /* the "\n" (count fits: each line is an object) */
    Py_UCS4 maxchar = ascii ? 0x7f : widest == PyUnicode_1BYTE_KIND ? 0xff : widest == PyUnicode_2BYTE_KIND ? 0xffff : 0x10ffff;
    text = PyUnicode_New(n, maxchar);
    starts = PyMem_Malloc((size_t)(count ? count : 1) * sizeof(Py_ssize_t));
    remade = PyMem_Calloc((size_t)(count ? count : 1), 1);
    empty = PyUnicode_New(0, 0);
    if (text == NULL || starts == NULL || remade == NULL || empty == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_NoMemory();
        }
        goto fail;
    }
    int kind = PyUnicode_KIND(text), hyphens = 0;
    void *data = PyUnicode_DATA(text);
    Py_ssize_t at = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        if (i > 0) {
            PyUnicode_WRITE(kind, data, at, '\n');
            at++;
        }
        starts[i] = at;
        if (blank != NULL && blank[i]) {
            Py_SETREF(PyList_GET_ITEM(lines, i), Py_NewRef(empty)); /* the caller's lines hold the old one */
            continue;
        }
        PyObject *item = PyList_GET_ITEM(lines, i);
        Py_ssize_t len = PyUnicode_GET_LENGTH(item);
        int from = PyUnicode_KIND(item);
        copy_line(kind, data, at, from, PyUnicode_DATA(item), len);
        if (from != PyUnicode_1BYTE_KIND && minus_hyphens(kind, data, at, at + len)) {
            remade[i] = hyphens = 1;
        }
        at += len;
    }
    /* Each "/" of a-x/b-y, all decided before any is written: kebab_left reads the "/" left of a name. */
    for (at = n ? PyUnicode_FindChar(text, '/', 0, n, 1) : -1; at >= 0;
         at = at + 1 < n ? PyUnicode_FindChar(text, '/', at + 1, n, 1) : -1) {
        if (!kebab_right(kind, data, n, at + 1) || !kebab_left(kind, data, at)) {
            continue;
        }
        if (n_cuts == size) {
            size = size ? 2 * size : 16;
            Py_ssize_t *more = PyMem_Realloc(cuts, (size_t)size * sizeof(Py_ssize_t));
            if (more == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
            cuts = more;
        }
        cuts[n_cuts++] = at;
    }
    if (PyErr_Occurred()) { /* PyUnicode_FindChar gives -2 with an exception: not for a str and a range */
        goto fail;
    }
    Py_ssize_t line = 0;
    for (Py_ssize_t i = 0; i < n_cuts; i++) { /* the cuts come in order: so do their lines */
        PyUnicode_WRITE(kind, data, cuts[i], '+');
        line = line_holding(starts, count, line, cuts[i]);
        remade[line] = 1;
    }
    if (hyphens) { /* "-" for a hyphen may leave the text narrower: str.replace would make it so */
        Py_SETREF(text, PyUnicode_FromKindAndData(kind, data, n));
        if (text == NULL) {
            goto fail;
        }
    }
    *changed = hyphens || n_cuts > 0;
    for (Py_ssize_t i = 0; *changed && i < count; i++) {
        if (remade[i]) {
            Py_ssize_t end = starts[i] + PyUnicode_GET_LENGTH(PyList_GET_ITEM(lines, i));
            PyObject *piece = PyUnicode_Substring(text, starts[i], end);
            if (piece == NULL) {
                goto fail;
            }
            Py_SETREF(PyList_GET_ITEM(lines, i), piece);
        }
    }
    Py_DECREF(empty);
    if (starts_out != NULL) {
        *starts_out = starts;
    }
    else {
        PyMem_Free(starts);
    }
    PyMem_Free(remade);
    PyMem_Free(cuts);
    return text;
fail:
    Py_XDECREF(empty);
    PyMem_Free(starts);
    PyMem_Free(remade);
    PyMem_Free(cuts);
    Py_XDECREF(text);
    return NULL;
}

PyDoc_STRVAR(prepare_join_doc,
"prepare_join(lines) -> tuple[str, list[str]]\n\n"
"mentions._prepare_join_py(lines): the text that is lines (a list of str holding no \"\\n\") joined\n"
"by \"\\n\" and prepared, and its lines: lines itself when preparing changed nothing, else a copy\n"
"with each changed line taken from the text.");

static PyObject *
prepare_join(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 1 || !PyList_Check(args[0]))
        return type_error("prepare_join(lines: list[str])");
    PyObject *lines = PyList_GetSlice(args[0], 0, PyList_GET_SIZE(args[0]));
    int changed;
    PyObject *text = lines == NULL ? NULL : prepared_text(lines, NULL, &changed, NULL);
    if (text == NULL) {
        Py_XDECREF(lines);
        return NULL;
    }
    if (!changed) {
        Py_SETREF(lines, Py_NewRef(args[0]));
    }
    return Py_BuildValue("(NN)", text, lines);
}

/* ------------------------------------------------------------------------------------------- */
/* references._layout_py and mentions._prepare_join_py of its lines in one call: one walk over a
 * file's blocks where Python spent ~0.1 us a block (~420 in a 32 KB agent) on the loop, a type
 * look-up and two attribute reads, then the text made from the lines with the blanked ones read
 * as "" (prepared_text). The blanked lines are marked, not replaced in a list that is copied again
 * to be joined, and the kinds' lists are made at their size: one copy of the lines and no append,
 * ~209K -> ~178K instructions a 32 KB seed agent (references.read ~1.02M -> ~0.98M). The
 * blocks' `line` and `end` are slots of their common base class, so every block holds them at the
 * same offsets. */

/* The offset of `base`'s own slot `name` in its instances: 0, or -1 with an exception. */
static int
slot_offset(PyObject *base, const char *name, Py_ssize_t *offset)
{
    PyObject *descr = PyObject_GetAttrString(base, name);
    if (descr == NULL && !PyErr_ExceptionMatches(PyExc_AttributeError)) {
        return -1;
    }
    PyErr_Clear();
    int ok = descr != NULL && Py_IS_TYPE(descr, &PyMemberDescr_Type) && ((PyDescrObject *)descr)->d_type == (PyTypeObject *)base
        && ((PyMemberDescrObject *)descr)->d_member->type == T_OBJECT_EX;
    if (ok) {
        *offset = ((PyMemberDescrObject *)descr)->d_member->offset;
    }
    Py_XDECREF(descr);
    if (!ok) {
        PyErr_Format(PyExc_TypeError, "layout: %s must be a slot of the blocks' base class", name);
        return -1;
    }
    return 0;
}

/* A block's slot at `offset` as a Py_ssize_t (the block is an instance of the base class): 0, or
 * -1 with an exception (an unset slot, or no int). */
static int
slot_int(PyObject *block, Py_ssize_t offset, Py_ssize_t *value)
{
    PyObject *obj = *(PyObject **)((char *)block + offset);
    if (obj == NULL || !PyLong_Check(obj)) {
        PyErr_SetString(PyExc_TypeError, "layout: a block's line and end must be ints");
        return -1;
    }
    *value = PyLong_AsSsize_t(obj);
    return *value == -1 && PyErr_Occurred() ? -1 : 0;
}

PyDoc_STRVAR(layout_doc,
"layout(blocks, lines, base, blank, kinds) -> tuple[list[int], str, list[str]] | None\n\n"
"references._layout_py(blocks, lines, blank, kinds) and mentions._prepare_join_py of the lines it\n"
"gives: each block's index appended to kinds[its type] for each type that is a key of the dict\n"
"`kinds` (the others are not recorded), each block's first line, and the prepared text and lines\n"
"of `lines` with those of every block whose type is in the tuple `blank` made \"\" (from `line` to\n"
"max(end, line)); `base` is the blocks' base class, which holds those two slots. The lines are a\n"
"new list. None, kinds untouched, when a blanked block's lines are not all within `lines`.");

/* The kinds layout records: the keys of `kinds`, in the dict's order, and each block's among them
 * (-1: none), the lists made at the end at their size (an append per block grew them). A block's
 * type is found among the few keys by identity, and only when it differs from the block before
 * (most blocks are list items, one after another). */
typedef struct {
    PyObject **kind;     /* new references */
    Py_ssize_t *counts;  /* per kind: its blocks */
    Py_ssize_t count;
} Recorded;

static void
free_recorded(Recorded *r)
{
    for (Py_ssize_t k = 0; k < r->count; k++) {
        Py_DECREF(r->kind[k]);
    }
    PyMem_Free(r->kind);
    PyMem_Free(r->counts);
    r->kind = NULL;
    r->counts = NULL;
    r->count = 0;
}

/* The keys of `kinds`: 0, or -1 with an exception. */
static int
new_recorded(PyObject *kinds, Recorded *r)
{
    Py_ssize_t size = PyDict_GET_SIZE(kinds), pos = 0;
    PyObject *key, *value;
    r->count = 0;
    r->kind = PyMem_Malloc((size_t)(size ? size : 1) * sizeof(PyObject *));
    r->counts = PyMem_Calloc((size_t)(size ? size : 1), sizeof(Py_ssize_t));
    if (r->kind == NULL || r->counts == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    while (r->count < size && PyDict_Next(kinds, &pos, &key, &value)) {
        r->kind[r->count++] = Py_NewRef(key);
    }
    return 0;
}

/* kinds[key] = the indexes of the blocks of each kind recorded (which[i]: block i's kind, or -1),
 * each list made at its size: 0, or -1 with an exception. */
static int
set_kinds(PyObject *kinds, const Recorded *r, const Py_ssize_t *which, Py_ssize_t blocks)
{
    for (Py_ssize_t k = 0; k < r->count; k++) {
        PyObject *indexes = PyList_New(r->counts[k]);
        Py_ssize_t at = 0;
        for (Py_ssize_t i = 0; indexes != NULL && i < blocks; i++) {
            if (which[i] == k) {
                PyObject *index = shared_int(i);
                if (index == NULL) {
                    Py_CLEAR(indexes);
                    break;
                }
                PyList_SET_ITEM(indexes, at++, index);
            }
        }
        int rc = indexes == NULL ? -1 : PyDict_SetItem(kinds, r->kind[k], indexes);
        Py_XDECREF(indexes);
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

/* What lay_out makes (free_laid releases it). */
typedef struct {
    PyObject *blocks, *lines, *firsts, *text; /* new references (blocks: a copy) */
    Recorded rec;
    Py_ssize_t *which;  /* per block: its kind among rec's, or -1 */
    Py_ssize_t *starts; /* per line: its start in the text */
} Laid;

static void
free_laid(Laid *laid)
{
    XDECREF_ALL(laid->blocks, laid->lines, laid->firsts, laid->text);
    PyMem_Free(laid->which);
    PyMem_Free(laid->starts);
    free_recorded(&laid->rec);
}

/* layout's work, its arguments (blocks, lines, base, blank, kinds) checked, into `laid` (zeroed,
 * released by the caller), kinds untouched: 1, 0 when it declines (layout's None), or -1 with an
 * exception. */
static int
lay_out(PyObject *const *args, Laid *laid)
{
    PyObject *base = args[2], *blank = args[3], *kinds = args[4];
    Py_ssize_t line_at, end_at, n = PyList_GET_SIZE(args[1]);
    if (slot_offset(base, "line", &line_at) < 0 || slot_offset(base, "end", &end_at) < 0) {
        return -1;
    }
    /* copies hold every block and line: an allocation below may run a finalizer that changes the
     * lists; the copy of the lines becomes the lines given back */
    PyObject *blocks = laid->blocks = PyList_GetSlice(args[0], 0, PyList_GET_SIZE(args[0]));
    laid->lines = PyList_GetSlice(args[1], 0, n);
    char *blanked = PyMem_Calloc((size_t)(n ? n : 1), 1); /* per line: in a blanked block */
    int rc = -1;
    if (blocks == NULL || laid->lines == NULL || blanked == NULL || new_recorded(kinds, &laid->rec) < 0
        || (laid->which = PyMem_Malloc((size_t)(PyList_GET_SIZE(blocks) ? PyList_GET_SIZE(blocks) : 1) * sizeof(Py_ssize_t))) == NULL
        || (laid->firsts = PyList_New(PyList_GET_SIZE(blocks))) == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_NoMemory();
        }
        goto done;
    }
    Recorded *rec = &laid->rec;
    PyObject *last_kind = NULL; /* the last block's type */
    Py_ssize_t kind_at = -1;    /* its index among the recorded kinds, or -1 */
    int blanks = 0;             /* whether it is blanked */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(blocks); i++) {
        PyObject *b = PyList_GET_ITEM(blocks, i), *kind = (PyObject *)Py_TYPE(b);
        /* a type is checked when it differs from the block before's, which passed: ~420
         * PyType_IsSubtype calls a 32 KB agent were ~8K instructions */
        if (kind != last_kind) {
            if (!PyType_IsSubtype((PyTypeObject *)kind, (PyTypeObject *)base)) {
                PyErr_SetString(PyExc_TypeError, "layout: every block must be an instance of base");
                goto done;
            }
            last_kind = kind;
            kind_at = -1;
            for (Py_ssize_t k = 0; k < rec->count && kind_at < 0; k++) {
                kind_at = rec->kind[k] == kind ? k : -1; /* a type equals itself only */
            }
            blanks = 0;
            for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(blank); j++) {
                blanks |= PyTuple_GET_ITEM(blank, j) == kind;
            }
        }
        PyObject *first = *(PyObject **)((char *)b + line_at);
        if (first == NULL) {
            PyErr_SetString(PyExc_AttributeError, "layout: a block without its line");
            goto done;
        }
        PyList_SET_ITEM(laid->firsts, i, Py_NewRef(first));
        laid->which[i] = kind_at;
        if (kind_at >= 0) {
            rec->counts[kind_at]++;
        }
        if (blanks) {
            Py_ssize_t line, end;
            if (slot_int(b, line_at, &line) < 0 || slot_int(b, end_at, &end) < 0) {
                goto done;
            }
            end = Py_MAX(end, line);
            if (line < 1 || end > n) { /* a slice assignment there would wrap or grow the list */
                rc = 0;
                goto done;
            }
            memset(blanked + line - 1, 1, (size_t)(end - line + 1));
        }
    }
    int changed;
    laid->text = prepared_text(laid->lines, blanked, &changed, &laid->starts);
    rc = laid->text == NULL ? -1 : 1;
done:
    PyMem_Free(blanked);
    return rc;
}

static PyObject *
layout(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyList_Check(args[0]) || !PyList_Check(args[1]) || !PyType_Check(args[2])
        || !PyTuple_Check(args[3]) || !PyDict_Check(args[4])) {
        return type_error("layout(blocks: list, lines: list[str], base: type, blank: tuple, kinds: dict)");
    }
    Laid laid = {NULL};
    int rc = lay_out(args, &laid);
    PyObject *out = rc <= 0 ? (rc < 0 ? NULL : Py_NewRef(Py_None))
        : set_kinds(args[4], &laid.rec, laid.which, PyList_GET_SIZE(laid.blocks)) < 0 ? NULL
        : PyTuple_Pack(3, laid.firsts, laid.text, laid.lines);
    free_laid(&laid);
    return out;
}

/* references._reading_py in one call: layout, then mentions.candidates_of of the text and lines it
 * makes (line_groups, names_by_line, the lines that say "agent" and those holding a weak phrase).
 * Made from the same parts, with what joins them kept in C: the lines of a place come from the
 * lines' starts in the text (neither a count of "\n" nor a walk over the lines' lengths), no set is
 * made of the lines saying "agent" or "subagent_type" (read once each), and a line's names are
 * marked as they are made, so the lines asked for weak phrases are found without a look-up in the
 * dict and in line order, not through a copy of the set (references.read ~826K -> ~779K
 * instructions a seed agent read for a claude build). */

/* The groups mentions._words makes, by bit (its _AGENT_LINES ... _TRIGGER_LINES). */
#define AGENT_LINES 1u
#define SUB_LINES 2u
#define HINT_LINES 4u
#define CUE_LINES 8u
#define TRIGGER_LINES 16u
#define GROUPS 5

PyDoc_STRVAR(reading_doc,
"reading(env, blocks, lines, base, blank, kinds, words, masks, self_name, probe) -> tuple | None\n\n"
"references._reading_py(blocks, lines, blank, kinds, self_name) in one call: layout(blocks, lines,\n"
"base, blank, kinds), then mentions.candidates_of of its text and lines with self_name (probe:\n"
"mentions._probe(self_name)); (lines, names, cues, triggers, hinted, firsts). env = mentions._READ_ENV:\n"
"(names_by_line's env, role_like, the weak verbs, weak_phrases, _extra_places); words and masks:\n"
"mentions._words' (five groups). None, kinds untouched, where layout, line_groups or names_by_line\n"
"would give None.");

static PyObject *
reading(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *env = nargs == 10 ? args[0] : NULL;
    if (env == NULL || !PyTuple_Check(env) || PyTuple_GET_SIZE(env) != 5 || !names_env(PyTuple_GET_ITEM(env, 0))
        || !PyCallable_Check(PyTuple_GET_ITEM(env, 1)) || !PyTuple_Check(PyTuple_GET_ITEM(env, 2))
        || !PyCallable_Check(PyTuple_GET_ITEM(env, 3)) || !PyCallable_Check(PyTuple_GET_ITEM(env, 4))
        || !PyList_Check(args[1]) || !PyList_Check(args[2]) || !PyType_Check(args[3]) || !PyTuple_Check(args[4])
        || !PyDict_Check(args[5]) || !PyTuple_Check(args[6]) || !PyTuple_Check(args[7])
        || PyTuple_GET_SIZE(args[6]) != PyTuple_GET_SIZE(args[7]) || !PyUnicode_Check(args[8]) || !PyUnicode_Check(args[9])) {
        return type_error("reading(env: tuple of 5, blocks: list, lines: list[str], base: type, blank: tuple, kinds: dict, "
                          "words: tuple[str, ...], masks: tuple[int, ...], self_name: str, probe: str)");
    }
    PyObject *role_like = PyTuple_GET_ITEM(env, 1), *verbs = PyTuple_GET_ITEM(env, 2), *weak = PyTuple_GET_ITEM(env, 3);
    const uint64_t *lengths = verb_lengths(verbs);
    if (lengths == NULL) {
        return NULL;
    }
    Laid laid = {NULL};
    Sink sink = {.masks = NULL, .groups = NULL, .size = 0, .starts = NULL};
    PyObject *sets = NULL, *extra = NULL, *names = NULL, *out = NULL;
    char *named = NULL; /* per line: whether names holds it */
    int rc = lay_out(args + 1, &laid);
    if (rc > 0) {
        sink.starts = laid.starts;
        sink.lines = PyList_GET_SIZE(laid.lines);
        sink.line = 0;
        rc = groups_of(laid.text, args[6], args[7], GROUPS, &sink);
        rc = rc < 0 ? -1 : rc > 0 ? 0 : 1;
    }
    if (rc <= 0) {
        out = rc < 0 ? NULL : Py_NewRef(Py_None);
        goto done;
    }
    Py_ssize_t count = PyList_GET_SIZE(laid.lines);
    int sub = 0;
    for (Py_ssize_t line = 0; line < sink.size; line++) {
        sub |= (sink.groups[line] & SUB_LINES) != 0;
    }
    if ((sets = group_sets(&sink, GROUPS, HINT_LINES | CUE_LINES | TRIGGER_LINES)) == NULL
        || (extra = PyObject_CallFunctionObjArgs(PyTuple_GET_ITEM(env, 4), laid.text, sub ? Py_True : Py_False, NULL)) == NULL
        || (named = PyMem_Calloc((size_t)(count ? count : 1), 1)) == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_NoMemory();
        }
        goto done;
    }
    if (!PyList_Check(extra)) {
        PyErr_SetString(PyExc_TypeError, "reading: extra_places must give a list");
        goto done;
    }
    PyObject *const names_args[6] = {PyTuple_GET_ITEM(env, 0), laid.lines, laid.text, args[8], args[9], extra};
    names = names_of(names_args, laid.starts, named);
    if (names == NULL || names == Py_None) {
        out = names; /* None: names_by_line would give None */
        names = NULL;
        goto done;
    }
    /* the lines without names that say "agent", and those holding a hint word and a weak phrase */
    for (Py_ssize_t line = 0; line < sink.size && line < count; line++) {
        uint32_t found = sink.groups[line];
        if (named[line] || !(found & (AGENT_LINES | HINT_LINES))) {
            continue;
        }
        int add = found & AGENT_LINES ? 1 : weak_line(PyList_GET_ITEM(laid.lines, line), verbs, lengths, role_like, weak);
        if (add > 0) {
            PyObject *key = shared_int(line), *empty = PyList_New(0);
            add = key == NULL || empty == NULL ? -1 : PyDict_SetItem(names, key, empty);
            XDECREF_ALL(key, empty);
            named[line] = 1;
        }
        if (add < 0) {
            goto done;
        }
    }
    if (set_kinds(args[5], &laid.rec, laid.which, PyList_GET_SIZE(laid.blocks)) == 0) {
        out = PyTuple_Pack(6, laid.lines, names, PyList_GET_ITEM(sets, 3), PyList_GET_ITEM(sets, 4),
                           PyList_GET_ITEM(sets, 2), laid.firsts);
    }
done:
    free_laid(&laid);
    PyMem_Free((void *)sink.masks);
    PyMem_Free(sink.groups);
    PyMem_Free(named);
    XDECREF_ALL(sets, extra, names);
    return out;
}

/* ------------------------------------------------------------------------------------------- */
/* Memo(fn, most): the answers of a pure one-argument function kept by its argument, the front end's
 * one memo. mentions.MemoPy is the Python twin (the reference and the fallback); mentions.memo makes
 * the memos: mentions.role_like and normal, references._title_ctx and _lead_says.
 *
 * A call through functools.lru_cache cost ~0.8-1.3K instructions a hit (its tp_call makes an
 * argument tuple, then the key, the look-up and the move of the entry's link), so the C code that
 * asks those functions most (_judge.c, role_word above) kept answers of its own in front of the
 * cache: three copies of one memo. A Memo is one dict behind a vectorcall, called alike from
 * Python and from C (PyObject_CallOneArg): a hit is the call and one look-up. It lives here, not in
 * a module of its own: loading one more extension cost every process ~0.7M instructions.
 *
 * Bounded: past `most` answers kept, a new argument's answer is given and not kept (the function
 * stays right; only its speed depends on what is kept). */

typedef struct {
    PyObject_HEAD
    PyObject *fn;     /* the function */
    PyObject *said;   /* dict: argument -> fn(argument) */
    Py_ssize_t most;  /* the most answers kept */
    vectorcallfunc vectorcall;
} Memo;

/* fn(arg) as a new reference, kept in `said` while it holds fewer than `most`; NULL with an
 * exception (an unhashable argument is a TypeError, as from lru_cache). */
static PyObject *
memo_ask(Memo *m, PyObject *arg)
{
    PyObject *said = m->said;
    if (said == NULL) { /* cleared by the collector, in a cycle being freed */
        PyErr_SetString(PyExc_ReferenceError, "a Memo being freed");
        return NULL;
    }
    PyObject *got = PyDict_GetItemWithError(said, arg);
    if (got != NULL || PyErr_Occurred()) {
        return Py_XNewRef(got);
    }
    Py_INCREF(said); /* fn may run code that drops the memo */
    got = PyObject_CallOneArg(m->fn, arg);
    if (got != NULL && PyDict_GET_SIZE(said) < m->most && PyDict_SetItem(said, arg, got) < 0) {
        Py_CLEAR(got);
    }
    Py_DECREF(said);
    return got;
}

static PyObject *
memo_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    if (PyVectorcall_NARGS(nargsf) != 1 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0)) {
        return type_error("a Memo takes one positional argument");
    }
    return memo_ask((Memo *)self, args[0]);
}

static PyObject *
memo_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *fn;
    Py_ssize_t most;
    static char *names[] = {"fn", "most", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "On:Memo", names, &fn, &most)) {
        return NULL;
    }
    if (!PyCallable_Check(fn) || most < 0) {
        return type_error("Memo(fn: callable, most: int >= 0)");
    }
    PyObject *said = PyDict_New();
    if (said == NULL) {
        return NULL;
    }
    Memo *m = (Memo *)type->tp_alloc(type, 0);
    if (m == NULL) {
        Py_DECREF(said);
        return NULL;
    }
    m->fn = Py_NewRef(fn);
    m->said = said;
    m->most = most;
    m->vectorcall = memo_vectorcall;
    return (PyObject *)m;
}

static int
memo_traverse(Memo *m, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(m));
    Py_VISIT(m->fn);
    Py_VISIT(m->said);
    return 0;
}

static int
memo_clear(Memo *m)
{
    Py_CLEAR(m->fn);
    Py_CLEAR(m->said);
    return 0;
}

static void
memo_dealloc(Memo *m)
{
    PyTypeObject *type = Py_TYPE(m);
    PyObject_GC_UnTrack(m);
    memo_clear(m);
    type->tp_free(m);
    Py_DECREF(type);
}

/* The number of answers kept (tests read it: the bound). */
static Py_ssize_t
memo_len(Memo *m)
{
    return m->said == NULL ? 0 : PyDict_GET_SIZE(m->said);
}

static PyMemberDef memo_members[] = {
    {"__wrapped__", T_OBJECT, offsetof(Memo, fn), READONLY, "the function"},
    {"most", T_PYSSIZET, offsetof(Memo, most), READONLY, "the most answers kept"},
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(Memo, vectorcall), READONLY},
    {NULL},
};

PyDoc_STRVAR(memo_doc,
"Memo(fn, most)\n\n"
"Calling it with one argument gives fn(argument), kept by argument while fewer than `most` are\n"
"kept: fn must be a pure function of one hashable argument. As mentions.MemoPy.");

static PyType_Slot memo_slots[] = {
    {Py_tp_new, memo_new},
    {Py_tp_dealloc, memo_dealloc},
    {Py_tp_traverse, memo_traverse},
    {Py_tp_clear, memo_clear},
    {Py_tp_call, PyVectorcall_Call},
    {Py_tp_members, memo_members},
    {Py_mp_length, memo_len},
    {Py_tp_doc, (void *)memo_doc},
    {0, NULL},
};

static PyType_Spec memo_spec = {
    .name = "agentc.compiler._mentions.Memo",
    .basicsize = sizeof(Memo),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = memo_slots,
};

static PyMethodDef methods[] = {
    FASTCALL_METHOD("reading", reading, reading_doc),
    FASTCALL_METHOD("layout", layout, layout_doc),
    FASTCALL_METHOD("by_line", by_line, by_line_doc),
    FASTCALL_METHOD("line_groups", line_groups, groups_doc),
    FASTCALL_METHOD("title_names", title_names, title_doc),
    FASTCALL_METHOD("kebab_names", kebab_names, kebab_doc),
    FASTCALL_METHOD("kebab_ok", kebab_ok, kebab_ok_doc),
    FASTCALL_METHOD("weak_phrases", weak_phrases, weak_doc),
    FASTCALL_METHOD("weak_lines", weak_lines, weak_lines_doc),
    FASTCALL_METHOD("slashes", slashes, slashes_doc),
    FASTCALL_METHOD("prepare_join", prepare_join, prepare_join_doc),
    FASTCALL_METHOD("names_by_line", names_by_line, names_by_line_doc),
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
    for (int ch = 0; ch < 128; ch++) {
        letter_table[ch] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
        alnum_table[ch] = letter_table[ch] || (ch >= '0' && ch <= '9');
    }
    PyObject *module = PyModule_Create(&module_def), *memo_type = module == NULL ? NULL : PyType_FromSpec(&memo_spec);
    if (memo_type == NULL || PyModule_AddObjectRef(module, "Memo", memo_type) < 0) {
        Py_XDECREF(memo_type);
        Py_XDECREF(module);
        return NULL;
    }
    Py_DECREF(memo_type);
    return module;
}
