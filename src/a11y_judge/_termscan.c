/* The compiled scanner of a11y_judge.lexicon.TermMatcher: where a trie's terms start in a
 * lower-case text. It gives exactly what the matcher's regular expression gives (tests compare
 * the two on many texts); the matcher uses the expression when this module was not built. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>

#define MAX_DEPTH 256

static int word_char(Py_UCS4 c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* A trie's flat tables (tries.py): per node its first edge and number of edges, per edge its
 * character and target node, a node's edges sorted by character; `root` maps ASCII characters
 * to the root's children. */
typedef struct { const int *first, *count, *chars, *targets; int root[128]; } Trie;

static void trie_init(Trie *t, Py_buffer *first, Py_buffer *count, Py_buffer *chars,
                      Py_buffer *targets) {
    t->first = first->buf; t->count = count->buf; t->chars = chars->buf; t->targets = targets->buf;
    for (int c = 0; c < 128; c++) t->root[c] = -1;
    for (int k = t->first[0]; k < t->first[0] + t->count[0]; k++)
        if (t->chars[k] < 128) t->root[t->chars[k]] = t->targets[k];
}

/* The child of `node` along character c, or -1. */
static inline int trie_next(const Trie *t, int node, Py_UCS4 c) {
    if (node == 0 && c < 128) return t->root[c];
    int lo = t->first[node], hi = t->first[node] + t->count[node] - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if ((Py_UCS4)t->chars[mid] == c) return t->targets[mid];
        if ((Py_UCS4)t->chars[mid] < c) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
}

typedef struct { Py_ssize_t start, end; int node; } Span;

static int longest_first(const void *a, const void *b) {
    const Span *x = a, *y = b;
    Py_ssize_t lx = x->end - x->start, ly = y->end - y->start;
    if (lx != ly) return lx > ly ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Does the word end at `at`, or go on with one of the endings and then end? */
static int word_ends(int kind, const void *data, Py_ssize_t n, Py_ssize_t at, PyObject *endings) {
    if (at >= n || !word_char(PyUnicode_READ(kind, data, at))) return 1;
    for (Py_ssize_t s = 0; s < PyTuple_GET_SIZE(endings); s++) {
        PyObject *suf = PyTuple_GET_ITEM(endings, s);
        Py_ssize_t len = PyUnicode_GET_LENGTH(suf), k = 0;
        int skind = PyUnicode_KIND(suf);
        const void *sdata = PyUnicode_DATA(suf);
        if (at + len > n) continue;
        while (k < len && PyUnicode_READ(skind, sdata, k) == PyUnicode_READ(kind, data, at + k)) k++;
        if (k == len && (at + len >= n || !word_char(PyUnicode_READ(kind, data, at + len)))) return 1;
    }
    return 0;
}

static PyObject *scan(PyObject *self, PyObject *args) {
    PyObject *text, *endings, *ids;
    Py_buffer first, count, ends, chars, targets;
    int overlap;
    if (!PyArg_ParseTuple(args, "Uy*y*y*y*y*O!O!p", &text, &first, &count, &ends, &chars, &targets,
                          &PyTuple_Type, &endings, &PyTuple_Type, &ids, &overlap))
        return NULL;
    Trie trie;
    trie_init(&trie, &first, &count, &chars, &targets);
    const unsigned char *end_kind = ends.buf;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), used = 0, size = 64;
    Span *found = PyMem_Malloc(size * sizeof(Span));
    PyObject *out = NULL;
    if (found == NULL) { PyErr_NoMemory(); goto done; }
    /* At every word start (the text's start, or after a character that is not [a-z0-9]),
     * the deepest term on the trie path whose word ends there or goes on with an ending. */
    for (Py_ssize_t q = 0; q < n; q++) {
        if (q > 0 && word_char(PyUnicode_READ(kind, data, q - 1))) continue;
        Py_ssize_t at[MAX_DEPTH];
        int nodes[MAX_DEPTH], depth = 0, node = 0;
        for (Py_ssize_t e = q; e < n && depth < MAX_DEPTH;) {
            int next = trie_next(&trie, node, PyUnicode_READ(kind, data, e));
            if (next < 0) break;
            node = next;
            e++;
            if (end_kind[node]) { at[depth] = e; nodes[depth] = node; depth++; }
        }
        for (int d = depth - 1; d >= 0; d--) {
            if (end_kind[nodes[d]] == 1 || word_ends(kind, data, n, at[d], endings)) {
                if (used == size) {
                    Span *bigger = PyMem_Realloc(found, 2 * size * sizeof(Span));
                    if (bigger == NULL) { PyErr_NoMemory(); goto done; }
                    found = bigger;
                    size *= 2;
                }
                found[used++] = (Span){q, at[d], nodes[d]};
                break;
            }
        }
    }
    char *keep = PyMem_Calloc(used ? used : 1, 1);
    if (keep == NULL) { PyErr_NoMemory(); goto done; }
    if (overlap || used < 2) {
        memset(keep, 1, used);
    } else { /* longest first (then leftmost), each kept where no kept term lies */
        Span *order = PyMem_Malloc(used * sizeof(Span));
        char *taken = PyMem_Calloc(n ? n : 1, 1);
        if (order == NULL || taken == NULL) {
            PyMem_Free(order); PyMem_Free(taken); PyMem_Free(keep);
            PyErr_NoMemory(); goto done;
        }
        for (Py_ssize_t i = 0; i < used; i++) { order[i] = found[i]; order[i].node = (int)i; }
        qsort(order, used, sizeof(Span), longest_first);
        for (Py_ssize_t i = 0; i < used; i++) {
            Py_ssize_t a = order[i].start, b = order[i].end, k = a;
            while (k < b && !taken[k]) k++;
            if (k < b) continue;
            memset(taken + a, 1, b - a);
            keep[order[i].node] = 1;
        }
        PyMem_Free(order);
        PyMem_Free(taken);
    }
    out = PyList_New(0);
    for (Py_ssize_t i = 0; out != NULL && i < used; i++) {
        if (!keep[i]) continue;
        PyObject *pair = Py_BuildValue("(nO)", found[i].start, PyTuple_GET_ITEM(ids, found[i].node));
        if (pair == NULL || PyList_Append(out, pair) < 0) Py_CLEAR(out);
        Py_XDECREF(pair);
    }
    PyMem_Free(keep);
done:
    PyMem_Free(found);
    PyBuffer_Release(&first); PyBuffer_Release(&count); PyBuffer_Release(&ends);
    PyBuffer_Release(&chars); PyBuffer_Release(&targets);
    return out;
}

/* openings(text, first, count, ends, chars, targets, node_codes, n_patterns, starts)
 * For each pattern, the segments (indexes into `starts`, the sorted offsets where segments
 * start) in which one of its opening literals occurs, in order, each once (with no `starts`:
 * the offsets where one opens, each once). node_codes[node] is a
 * tuple of pattern * 2 + (1 if the literal must open a word: the character before it is not an
 * ASCII letter, digit or '_'). A superset of where the patterns match: callers confirm. */
static PyObject *openings(PyObject *self, PyObject *args) {
    PyObject *text, *codes, *out = NULL;
    Py_buffer first, count, ends, chars, targets, starts;
    Py_ssize_t npat;
    if (!PyArg_ParseTuple(args, "Uy*y*y*y*y*O!ny*", &text, &first, &count, &ends, &chars, &targets,
                          &PyTuple_Type, &codes, &npat, &starts))
        return NULL;
    Trie trie;
    trie_init(&trie, &first, &count, &chars, &targets);
    const unsigned char *end_kind = ends.buf;
    const long long *seg_start = starts.buf;
    Py_ssize_t nseg = starts.len / (Py_ssize_t)sizeof(long long), seg = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_ssize_t *last = PyMem_Malloc((npat ? npat : 1) * sizeof(Py_ssize_t));
    if (last == NULL) { PyErr_NoMemory(); goto done; }
    out = PyList_New(npat);
    if (out == NULL) goto done;
    for (Py_ssize_t k = 0; k < npat; k++) {
        PyObject *lst = PyList_New(0);
        if (lst == NULL) { Py_CLEAR(out); goto done; }
        PyList_SET_ITEM(out, k, lst);
        last[k] = -1;
    }
    for (Py_ssize_t p = 0; p < n; p++) {
        int node = trie_next(&trie, 0, PyUnicode_READ(kind, data, p));
        if (node < 0) continue;
        Py_UCS4 before = p > 0 ? PyUnicode_READ(kind, data, p - 1) : ' ';
        int opens_word = !((before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') ||
                           (before >= '0' && before <= '9') || before == '_');
        while (seg + 1 < nseg && seg_start[seg + 1] <= p) seg++;
        for (Py_ssize_t e = p + 1;;) {
            if (end_kind[node]) {
                PyObject *list = PyTuple_GET_ITEM(codes, node);
                for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(list); k++) {
                    long code = PyLong_AsLong(PyTuple_GET_ITEM(list, k));
                    Py_ssize_t pat = code / 2;
                    if ((code & 1) && !opens_word) continue;
                    Py_ssize_t at = nseg ? seg : p;  /* no segments: the offset itself */
                    if (pat < 0 || pat >= npat || last[pat] == at) continue;
                    last[pat] = at;
                    PyObject *index = PyLong_FromSsize_t(at);
                    if (index == NULL || PyList_Append(PyList_GET_ITEM(out, pat), index) < 0) {
                        Py_XDECREF(index); Py_CLEAR(out); goto done;
                    }
                    Py_DECREF(index);
                }
            }
            if (e >= n) break;
            int next = trie_next(&trie, node, PyUnicode_READ(kind, data, e));
            if (next < 0) break;
            node = next;
            e++;
        }
    }
done:
    PyMem_Free(last);
    PyBuffer_Release(&first); PyBuffer_Release(&count); PyBuffer_Release(&ends);
    PyBuffer_Release(&chars); PyBuffer_Release(&targets); PyBuffer_Release(&starts);
    return out;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS,
     "scan(text, first, count, ends, chars, targets, endings, ids, overlap) -> [(start, ids)]"},
    {"openings", openings, METH_VARARGS,
     "openings(text, first, count, ends, chars, targets, codes, n, starts) -> [[segment]]"},
    {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_termscan", NULL, -1, methods};
PyMODINIT_FUNC PyInit__termscan(void) { return PyModule_Create(&module); }
