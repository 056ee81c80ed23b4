/*
 * score_rank.c - combining the signals, ranking with filters,
 * recommend/recommend_batch, score and similar items.
 */
#include "core/alloc.h"
#include "core/bitset.h"
#include "core/blas.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/topk.h"
#include "core/utf8.h"
#include "graph/graph_internal.h"
#include "items/items_internal.h"
#include "user/user_internal.h"

#include <math.h>
#include <stdio.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "score/score_internal.h"

/* Content and the final scores into w->content (reused as output). */
/* Popularity values repeat (they are counts over the largest count), so the
 * penalties pow(pop + 1e-3, pop_penalty) of one call are memoised by the bits
 * of pop in a small direct-mapped table: the same pow, fewer calls. */
#define PENALTY_SLOTS 1024u

void rs__score_finish(const rs_scorer *s, work *w)
{
    float gmax = 0.0f;
    if (w->graph_skip) /* w->graph is all 0: nothing to penalise or scale */
        goto content;
    if (s->pop_penalty > 0.0 && w->has_q && !w->graph_from_operator) {
        uint32_t key[PENALTY_SLOTS];
        float div[PENALTY_SLOTS];
        unsigned char have[PENALTY_SLOTS] = {0};
        for (size_t i = 0; i < s->item_span; i++) {
            if (!(w->graph[i] > 0.0f))
                continue;
            uint32_t bits;
            memcpy(&bits, &s->pop[i], sizeof bits);
            uint32_t slot = (uint32_t)(bits * 2654435761u) >> 22;
            if (!have[slot] || key[slot] != bits) {
                key[slot] = bits;
                div[slot] = (float)pow(s->pop[i] + 1e-3, s->pop_penalty);
                have[slot] = 1;
            }
            w->graph[i] /= div[slot];
        }
    }
    for (size_t i = 0; i < s->item_span; i++)
        if (w->graph[i] > gmax)
            gmax = w->graph[i];
    if (gmax > 0.0f)
        for (size_t i = 0; i < s->item_span; i++)
            w->graph[i] /= gmax;
content:
    if (w->content_tfidf || w->content_skip)
        return;
    if (w->has_q && s->item_span)
        rs__sgemv(false, s->item_span, s->dim, 1.0f, s->store->matrix, s->dim, w->q, 0.0f,
                  w->content);
    for (size_t i = 0; i < s->item_span; i++)
        w->content[i] *= s->store->inv_norm[i];
}

float rs__score_combine(const rs_scorer *s, const work *w, size_t i)
{
    float c = w->content[i], r = w->graph[i], p = s->pop_recent[i];
    float cf = w->collab ? w->collab[i] : 0.0f;
    if (!w->has_q)
        return (float)(s->w_collab * cf + r + s->w_cold_pop * p +
                       s->w_first_basket * s->first_basket[i] +
                       (w->segment ? s->w_segment * w->segment[i] : 0.0f));
    if (s->mode == RS_SCORER_PRODUCT)
        return (float)((1.0f + c) * 0.5 * (s->floor + (1.0 - s->floor) * r));
    return (float)(s->w_content * c + s->w_collab * cf + s->w_graph * r + s->w_pop * p);
}

/* The blend's score of every item into w->content, in one pass the
 * compiler can vectorise (the same expression as rs__score_combine, so the
 * same floats); the ranking then reads them.  Only for a blend ranking. */
static void score_blend_all(const rs_scorer *s, work *w)
{
    float *c = w->content;
    const float *r = w->graph, *p = s->pop_recent, *cf = w->collab;
    double wc = s->w_content, wk = s->w_collab, wg = s->w_graph, wp = s->w_pop;
    if (!w->has_q || s->mode != RS_SCORER_BLEND)
        return;
    if (cf && wg == 0.0 && wp == 0.0) /* the same values: + 0 * x adds nothing */
        rs__score_blend2(c, cf, s->item_span, wc, wk);
    else if (cf)
        rs__score_blend4(c, cf, r, p, s->item_span, wc, wk, wg, wp);
    else
        for (size_t i = 0; i < s->item_span; i++)
            c[i] = (float)(wc * c[i] + wk * 0.0f + wg * r[i] + wp * p[i]);
    w->blended = 1;
}

bool rs__score_filtered_out(const filter *f, size_t i)
{
    if (!f)
        return false;
    if (f->allow && (i / 64 >= f->allow_words || !rs__bitset_test(f->allow, i)))
        return true;
    return f->deny && i / 64 < f->deny_words && rs__bitset_test(f->deny, i);
}

/* The index of the lowest set bit of m (m != 0). */
static inline unsigned lowest_bit(uint64_t m)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(m);
#else
    unsigned b = 0;
    while (!(m & 1)) {
        m >>= 1;
        b++;
    }
    return b;
#endif
}

/*
 * The bits of the n <= 64 scores x[0 .. n) above thr (NaN never): a full
 * selection's worst kept score only rises, and items come in ascending
 * index, so an item not above the worst at the start of its word can never
 * enter (an equal score loses on its higher index) -- the scan then offers
 * only these, instead of testing every eligible item a branch at a time
 * (most of the ranking's time on the retail catalogue).
 */
static uint64_t above(const float *x, size_t n, float thr)
{
    uint64_t bits = 0;
    size_t b = 0;
#if defined(__SSE2__)
    const __m128 t = _mm_set1_ps(thr);
    for (; b + 4 <= n; b += 4)
        bits |= (uint64_t)_mm_movemask_ps(_mm_cmpgt_ps(_mm_loadu_ps(x + b), t)) << b;
#endif
    for (; b < n; b++)
        bits |= (uint64_t)(x[b] > thr) << b;
    return bits;
}

size_t rs__score_rank(const rs_scorer *s, const work *w, size_t k, uint32_t *items_out,
                   float *scores_out, float *tmp_scores, const filter *f)
{
    rs_topk top;
    if (rs__score_rerank_active(s)) /* score_rerank.c; off by default */
        return rs__score_rerank(s, w, k, items_out, scores_out, f);
    rs__topk_init(&top, k, items_out, tmp_scores);
    if (w->blended) { /* the scores are ready: only the eligible items, a word at a time */
        size_t n_words = rs__bitset_words(s->item_span);
        for (size_t wi = 0; wi < n_words; wi++) {
            uint64_t m = s->store->live_bits[wi] & ~w->seen[wi];
            if (f && f->allow)
                m &= wi < f->allow_words ? f->allow[wi] : 0;
            if (f && f->deny && wi < f->deny_words)
                m &= ~f->deny[wi];
            if (wi == n_words - 1 && s->item_span % 64)
                m &= (UINT64_C(1) << (s->item_span % 64)) - 1;
            if (m && top.k && top.size == top.k)
                m &= above(w->content + wi * 64,
                           wi == n_words - 1 && s->item_span % 64 ? s->item_span % 64 : 64,
                           top.score[0]);
            for (; m; m &= m - 1) {
                size_t i = wi * 64 + lowest_bit(m);
                rs__topk_push(&top, (uint32_t)i, w->content[i]);
            }
        }
    } else {
        for (size_t i = 0; i < s->item_span; i++) {
            if (!rs__bitset_test(s->store->live_bits, i) || rs__bitset_test(w->seen, i) ||
                rs__score_filtered_out(f, i))
                continue;
            rs__topk_push(&top, (uint32_t)i, rs__score_combine(s, w, i));
        }
    }
    size_t n = rs__topk_finish(&top);
    if (scores_out)
        memcpy(scores_out, tmp_scores, n * sizeof(float));
    return n;
}

static int recommend_cached(const rs_scorer *s, const char *user, size_t k,
                            uint32_t *items_out, float *scores_out, size_t *n_out,
                            const char *fn, const filter *f, double *stage_ns,
                            rs__score_ucache *cache)
{
    work w;
    int rc;
    float *tmp = rs__alloc_array(k + 1, sizeof(float));
    if (!tmp)
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory for k = %zu", fn, k);
    rc = cache ? rs__score_prepare_user_cached(s, user, &w, fn, cache)
               : rs__score_prepare_user_ex(s, user, &w, fn, RS__PREPARE_LEAN, stage_ns);
    if (rc != RS_OK) {
        free(tmp);
        return rc;
    }
    rs__score_finish(s, &w);
    if (!rs__score_rerank_active(s))
        score_blend_all(s, &w);
    rs__score_stage_mark(&w, RS__STAGE_FINISH);
    size_t got = rs__score_rank(s, &w, k, items_out, scores_out, tmp, f);
    rs__score_stage_mark(&w, RS__STAGE_RANK);
    rs__score_work_free(&w);
    free(tmp);
    if (got == RS__RANK_FAILED)
        return rs__fail_context("%s: ", fn);
    *n_out = got;
    return RS_OK;
}

static int recommend_one(const rs_scorer *s, const char *user, size_t k, uint32_t *items_out,
                         float *scores_out, size_t *n_out, const char *fn, const filter *f,
                         double *stage_ns)
{
    return recommend_cached(s, user, k, items_out, scores_out, n_out, fn, f, stage_ns, NULL);
}

int rs__score_recommend_cached(const rs_scorer *s, const char *user, size_t k,
                               const uint64_t *deny, size_t deny_words, uint32_t *items_out,
                               size_t *n_out, rs__score_ucache *cache)
{
    static const char fn[] = "rs_scorer_recommend_filtered";
    if (!s || !n_out || (k && !items_out) || (!deny && deny_words))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    *n_out = 0;
    if (k > s->item_span)
        k = s->item_span;
    filter f = {NULL, deny, 0, deny_words};
    return recommend_cached(s, user, k, items_out, NULL, n_out, fn, &f, NULL, cache);
}

int rs_scorer_recommend(const rs_scorer *s, const char *user, size_t k, uint32_t *items_out,
                        float *scores_out, size_t *n_out)
{
    static const char fn[] = "rs_scorer_recommend";
    if (!s || !n_out || (k && !items_out))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    *n_out = 0;
    if (k > s->item_span)
        k = s->item_span;
    return recommend_one(s, user, k, items_out, scores_out, n_out, fn, NULL, NULL);
}

int rs__score_recommend_timed(const rs_scorer *s, const char *user, size_t k,
                              uint32_t *items_out, size_t *n_out, double *stage_ns)
{
    *n_out = 0;
    if (k > s->item_span)
        k = s->item_span;
    return recommend_one(s, user, k, items_out, NULL, n_out, "rs_scorer_recommend", NULL,
                         stage_ns);
}

int rs_scorer_recommend_filtered(const rs_scorer *s, const char *user, size_t k,
                                 const uint64_t *allow, size_t allow_words,
                                 const uint64_t *deny, size_t deny_words, uint32_t *items_out,
                                 float *scores_out, size_t *n_out)
{
    static const char fn[] = "rs_scorer_recommend_filtered";
    if (!s || !n_out || (k && !items_out) || (!allow && allow_words) || (!deny && deny_words))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    *n_out = 0;
    if (k > s->item_span)
        k = s->item_span;
    filter f = {allow, deny, allow_words, deny_words};
    return recommend_one(s, user, k, items_out, scores_out, n_out, fn, &f, NULL);
}

typedef struct batch {
    const rs_scorer *s;
    const char *const *users;
    size_t k, kk;
    uint32_t *items_out;
    float *scores_out;
    size_t *counts_out;
    int *status; /* per user */
} batch;

/* One user of a batch; never stops the loop, so that the first failing user
 * in input order is known whatever the scheduling. */
static int batch_task(void *ctx, size_t u, unsigned worker)
{
    batch *b = ctx;
    size_t got = 0, k = b->k;
    (void)worker;
    b->status[u] = recommend_one(b->s, b->users[u], b->kk, b->items_out + u * k,
                                 b->scores_out ? b->scores_out + u * k : NULL, &got,
                                 "rs_scorer_recommend_batch", NULL, NULL);
    if (b->status[u] != RS_OK)
        got = 0;
    b->counts_out[u] = got;
    for (size_t j = got; j < k; j++) {
        b->items_out[u * k + j] = RS_ITEM_NONE;
        if (b->scores_out)
            b->scores_out[u * k + j] = -INFINITY;
    }
    return 0;
}

int rs_scorer_recommend_batch(const rs_scorer *s, const char *const *users, size_t n, size_t k,
                              uint32_t *items_out, float *scores_out, size_t *counts_out)
{
    static const char fn[] = "rs_scorer_recommend_batch";
    size_t total;
    if (!s || (n && (!users || !counts_out)) || (n && k && !items_out))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    if (rs__mul_size(n, k, &total) != 0)
        return rs__fail(RS_ERR_OVERFLOW, "%s: %zu users x k %zu overflows", fn, n, k);
    if (n == 0)
        return RS_OK;
    int *status = rs__alloc_array(n, sizeof(int));
    if (!status)
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory for %zu users", fn, n);
    batch b = {s, users, k, k > s->item_span ? s->item_span : k, items_out, scores_out,
               counts_out, status};
    rs__parallel_for(n, 0, batch_task, &b);
    int rc = RS_OK;
    for (size_t u = 0; u < n && rc == RS_OK; u++) {
        if (status[u] == RS_OK)
            continue;
        /* The message was recorded on a worker: compute it again here. */
        size_t got;
        rc = recommend_one(s, users[u], b.kk, items_out + u * k,
                           scores_out ? scores_out + u * k : NULL, &got, fn, NULL, NULL);
        if (rc == RS_OK) /* failed on the worker only: out of memory there */
            rc = rs__fail(status[u], "%s: user %zu failed on a worker thread", fn, u);
        else
            rc = rs__fail_context("user %zu: ", u);
        for (size_t j = 0; j < k; j++) {
            items_out[u * k + j] = RS_ITEM_NONE;
            if (scores_out)
                scores_out[u * k + j] = -INFINITY;
        }
    }
    free(status);
    return rc;
}


int rs_scorer_score(const rs_scorer *s, const char *user, const char *item, double *parts_out,
                    size_t n_parts)
{
    static const char fn[] = "rs_scorer_score";
    uint32_t idx;
    work w;
    int rc;
    if (!s || (n_parts && !parts_out))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    if (n_parts > RS_SCORER_PARTS)
        return rs__fail(RS_ERR_RANGE, "%s: n_parts %zu > %d", fn, n_parts, RS_SCORER_PARTS);
    if ((rc = rs__score_check_fresh(s, fn)) != RS_OK || (rc = rs__score_find_item(s, item, &idx, fn)) != RS_OK)
        return rc;
    if ((rc = rs__score_prepare_user(s, user, &w, fn)) != RS_OK)
        return rc;
    rs__score_finish(s, &w);
    double parts[RS_SCORER_PARTS] = {rs__score_combine(s, &w, idx), w.content[idx], w.graph[idx],
                                     w.collab ? w.collab[idx] : 0.0, s->pop_recent[idx],
                                     w.segment ? w.segment[idx] : 0.0, s->first_basket[idx]};
    memcpy(parts_out, parts, n_parts * sizeof(double));
    rs__score_work_free(&w);
    return RS_OK;
}

int rs_scorer_similar_items(const rs_scorer *s, const char *item, size_t k, uint32_t *items_out,
                            float *scores_out, size_t *n_out)
{
    static const char fn[] = "rs_scorer_similar_items";
    uint32_t idx;
    work w;
    int rc;
    if (!s || !n_out || (k && !items_out))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    *n_out = 0;
    if ((rc = rs__score_check_fresh(s, fn)) != RS_OK || (rc = rs__score_find_item(s, item, &idx, fn)) != RS_OK)
        return rc;
    if (k > s->item_span)
        k = s->item_span;
    float *tmp = rs__alloc_array(k + 1, sizeof(float));
    if (!tmp || rs__score_work_init(s, &w) != RS_OK) {
        free(tmp);
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory", fn);
    }
    const float *row = rs__item_row(s->store, idx);
    for (size_t j = 0; j < s->dim; j++)
        w.q[j] = row[j] * s->store->inv_norm[idx];
    w.has_q = s->store->inv_norm[idx] > 0.0f;
    rs__bitset_set(w.seen, idx);
    if (s->item_node[idx] != NONE) {
        if (rs__score_work_walk(s, &w) != RS_OK) {
            rs__score_work_free(&w);
            free(tmp);
            return rs__fail_context("%s: ", fn);
        }
        w.front[0] = s->item_node[idx];
        w.mass[w.front[0]] = 1.0;
        w.n_front = 1;
        rs__score_propagate(s, &w, 1);
    }
    rs__score_finish(s, &w);
    size_t got = rs__score_rank(s, &w, k, items_out, scores_out, tmp, NULL);
    rs__score_work_free(&w);
    free(tmp);
    if (got == RS__RANK_FAILED)
        return rs__fail_context("%s: ", fn);
    *n_out = got;
    return RS_OK;
}
