/*
 * score_walk.c - a user's history and interest vector, and R_ui by sparse
 * propagation from the user's node over the CSR adjacency.
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
#include "learn/cf_internal.h"
#include "user/user_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "score/score_internal.h"

void rs__score_work_free(work *w)
{
    free(w->mass);
    free(w->next);
    free(w->front);
    free(w->nfront);
    free(w->graph);
    free(w->content);
    free(w->collab);
    free(w->seen);
    free(w->q);
    free(w->hist);
    free(w->hist_w);
    free(w->entity);
    free(w->segment);
}

int rs__score_work_init(const rs_scorer *s, work *w)
{
    memset(w, 0, sizeof *w);
    size_t is = s->item_span + 1;
    w->graph = rs__calloc(is, sizeof(float));
    w->content = rs__calloc(is, sizeof(float));
    w->seen = rs__calloc(rs__bitset_words(is), sizeof(uint64_t));
    w->q = rs__calloc(s->dim, sizeof(float));
    if (!w->graph || !w->content || !w->seen || !w->q) {
        rs__score_work_free(w);
        return rs__fail(RS_ERR_NOMEM, "rs_scorer: out of memory for the scratch of %zu items",
                        is);
    }
    w->user_node = NONE;
    return RS_OK;
}

/* The walk's node scratch, allocated only when a walk runs (the operator
 * needs none).  On failure w is left for rs__score_work_free. */
int rs__score_work_walk(const rs_scorer *s, work *w)
{
    size_t ns = s->node_span + 1;
    if (w->mass)
        return RS_OK;
    w->mass = rs__calloc(ns, sizeof(double));
    w->next = rs__calloc(ns, sizeof(double));
    w->front = rs__alloc_array(ns, sizeof(uint32_t));
    w->nfront = rs__alloc_array(ns, sizeof(uint32_t));
    if (!w->mass || !w->next || !w->front || !w->nfront)
        return rs__fail(RS_ERR_NOMEM, "rs_scorer: out of memory for the walk over %zu nodes",
                        ns);
    return RS_OK;
}

static int hist_push(work *w, size_t *cap, uint32_t item, float weight)
{
    if (w->n_hist == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        uint32_t *h = rs__realloc_array(w->hist, c, sizeof *h);
        if (!h)
            return RS_ERR_NOMEM;
        w->hist = h;
        float *hw = rs__realloc_array(w->hist_w, c, sizeof *hw);
        if (!hw)
            return RS_ERR_NOMEM;
        w->hist_w = hw;
        *cap = c;
    }
    w->hist[w->n_hist] = item;
    w->hist_w[w->n_hist++] = weight;
    return RS_OK;
}

/*
 * Sparse propagation from the seeds in w->front/w->mass; adds into w->graph.
 *
 * This is the scorer's hot loop: on the retail graph a user reaches a few
 * thousand customers at hop 2 (through the country node and the buyers of
 * its items) and ~10^5 edges at hop 3.  It keeps the arithmetic of the plain
 * formulation exactly (each contribution is (m * w_e) * w_r in double, added
 * to its target in frontier order, out edges before in edges, CSR order), so
 * scores are bitwise those of the straightforward loop; what it saves:
 *  - the relation weights are read once into a table, not by a call per edge;
 *  - the last hop (unless entity masses are wanted) builds no frontier: its
 *    targets are only read back for the items, by a pass over the item
 *    nodes, and the scratch is cleared with one memset, so the inner loop is
 *    a branch-free scatter.
 */
#define REL_TABLE 64

typedef struct hop_ctx {
    const double *relw; /* relation weights (the graph's floats), n_rel entries */
    size_t n_rel;
    const rs_graph *g;
    uint32_t node_span;
    double *next;
} hop_ctx;

static inline double rel_weight(const hop_ctx *c, uint32_t r)
{
    return r < c->n_rel ? c->relw[r] : rs__graph_relation_weight(c->g, r);
}

/* Mass m from v over one direction's edges into c->next, new targets into
 * nfront. */
static void spread(const hop_ctx *c, const rs__graph_csr *a, uint32_t v, double m,
                   uint32_t *nfront, size_t *nn)
{
    const uint32_t *target = a->target, *relation = a->relation;
    const float *weight = a->weight;
    double *next = c->next;
    uint32_t end = a->start[v] + a->degree[v];
    size_t n = *nn;
    for (uint32_t e = a->start[v]; e < end; e++) {
        uint32_t t = target[e];
        if (t >= c->node_span)
            continue;
        double add = m * weight[e] * rel_weight(c, relation[e]);
        if (add == 0.0)
            continue;
        if (next[t] == 0.0)
            nfront[n++] = t;
        next[t] += add;
    }
    *nn = n;
}

/* The same for the last hop: no frontier.  The context is read into locals
 * once (the compiler cannot prove the stores into next leave it alone). */
static void spread_last(const hop_ctx *c, const rs__graph_csr *a, uint32_t v, double m)
{
    const uint32_t *target = a->target, *relation = a->relation;
    const float *weight = a->weight;
    const double *relw = c->relw;
    double *next = c->next;
    const uint32_t node_span = c->node_span, n_rel = (uint32_t)c->n_rel;
    uint32_t end = a->start[v] + a->degree[v];
    for (uint32_t e = a->start[v]; e < end; e++) {
        uint32_t t = target[e], r = relation[e];
        if (t >= node_span)
            continue;
        if (r < n_rel)
            next[t] += m * weight[e] * relw[r];
        else
            next[t] += m * weight[e] * rs__graph_relation_weight(c->g, r);
    }
}

void rs__score_propagate(const rs_scorer *s, work *w, int first_hop)
{
    rs__graph_csr out_adj, in_adj;
    double relw[REL_TABLE];
    hop_ctx c = {relw, rs__graph_relation_count(s->graph), s->graph, (uint32_t)s->node_span,
                 NULL};
    rs__graph_adjacency(s->graph, RS_GRAPH_OUT, &out_adj);
    rs__graph_adjacency(s->graph, RS_GRAPH_IN, &in_adj);
    if (c.n_rel > REL_TABLE)
        c.n_rel = REL_TABLE; /* the rest through the call */
    for (size_t r = 0; r < c.n_rel; r++)
        relw[r] = rs__graph_relation_weight(s->graph, (uint32_t)r);
    double hop_w = 1.0;
    for (int h = first_hop; h <= s->hops; h++) {
        size_t nn = 0;
        double *mass = w->mass;
        int last = h == s->hops && !w->entity;
        c.next = w->next;
        for (size_t f = 0; f < w->n_front; f++) {
            uint32_t v = w->front[f];
            double m = mass[v] * s->inv_strength[v];
            mass[v] = 0.0;
            if (m == 0.0)
                continue;
            if (last) {
                spread_last(&c, &out_adj, v, m);
                spread_last(&c, &in_adj, v, m);
            } else {
                spread(&c, &out_adj, v, m, w->nfront, &nn);
                spread(&c, &in_adj, v, m, w->nfront, &nn);
            }
        }
        if (last) {
            /* every item once, as the frontier pass would have; the rest of
             * the hop's mass is dropped */
            for (size_t i = 0; i < s->item_span; i++) {
                uint32_t t = s->item_node[i];
                if (t != NONE && c.next[t] != 0.0)
                    w->graph[i] += (float)(hop_w * c.next[t]);
            }
            memset(c.next, 0, s->node_span * sizeof *c.next);
            w->n_front = 0;
            return;
        }
        for (size_t f = 0; f < nn; f++) {
            uint32_t t = w->nfront[f];
            uint32_t it = s->node_item[t];
            if (it != NONE)
                w->graph[it] += (float)(hop_w * c.next[t]);
            else if (w->entity && rs__graph_node_type(s->graph, t) != s->user_type)
                w->entity[t] += hop_w * c.next[t];
        }
        hop_w *= s->decay;
        /* swap */
        w->mass = c.next;
        w->next = mass;
        uint32_t *tf = w->front;
        w->front = w->nfront;
        w->nfront = tf;
        w->n_front = nn;
    }
    for (size_t f = 0; f < w->n_front; f++)
        w->mass[w->front[f]] = 0.0;
    w->n_front = 0;
}

/* Gather a user's history, interest, seen set, graph and collab signals. */
static double clock_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

void rs__score_stage_mark(work *w, int stage)
{
    if (w->stage_ns) {
        double t = clock_ns();
        w->stage_ns[stage] += t - w->stage_at;
        w->stage_at = t;
    }
}

void rs__score_ucache_free(rs__score_ucache *c)
{
    if (!c)
        return;
    free(c->sum);
    free(c->ci);
    free(c->cw);
    rs__score_profile_free(c->profile);
    memset(c, 0, sizeof *c);
}

static int ucache_reserve(rs__score_ucache *c, size_t m);

/* The raw collaborative scores of ci/cw[0 .. m) (cf_n entries) through the
 * user's kept sum, *sum_out pointed at it (read, not copied): only the
 * entries past a matching prefix are added (see rs__score_ucache). */
static int collab_cached(const rs_scorer *s, rs__score_ucache *c, const uint32_t *ci,
                         const float *cw, size_t m, const float **sum_out)
{
    int rc;
    if (!c->sum && !(c->sum = rs__alloc_array(s->cf_n + 1, sizeof *c->sum)))
        return rs__fail(RS_ERR_NOMEM, "out of memory for a user's collaborative scores");
    if ((rc = ucache_reserve(c, m)) != RS_OK)
        return rc;
    size_t from = c->n;
    if (!c->valid || c->n > m || memcmp(c->ci, ci, c->n * sizeof *ci) != 0 ||
        memcmp(c->cw, cw, c->n * sizeof *cw) != 0) {
        memset(c->sum, 0, s->cf_n * sizeof *c->sum);
        from = 0;
        c->misses++;
    } else {
        c->hits++;
    }
    c->valid = 0; /* until the adds succeed */
    if ((rc = rs__cf_model_score_add(s->cf, ci + from, cw + from, m - from, c->sum)) != RS_OK)
        return rc;
    memcpy(c->ci + from, ci + from, (m - from) * sizeof *ci);
    memcpy(c->cw + from, cw + from, (m - from) * sizeof *cw);
    c->n = m;
    c->valid = 1;
    *sum_out = c->sum;
    return RS_OK;
}

static int prepare_user(const rs_scorer *s, const char *user, work *w, const char *fn,
                        int flags, double *stage_ns, rs__score_ucache *cache);

/* The user's history into w->hist / hist_w (decayed, merged), its items
 * marked in w->seen when there is one. */
static int history_fill(const rs_scorer *s, const rs__user *u, work *w, size_t *cap)
{
    for (size_t i = 0; i < u->n; i++) {
        if (u->items[i] >= s->item_span)
            continue;
        float wt = (float)(u->weights[i] * rs__user_decay(s->users, u, u->times[i]) *
                           rs__score_history_decay(s, u->times[i]));
        if (hist_push(w, cap, u->items[i], wt) != RS_OK)
            return RS_ERR_NOMEM;
        if (u->weights[i] > 0 && w->seen)
            rs__bitset_set(w->seen, u->items[i]);
    }
    rs__score_history_merge(s, w);
    return RS_OK;
}

/* The collaborative model's input from w's history (ci, cw: n_hist
 * entries); returns how many. */
static size_t collab_inputs(const rs_scorer *s, const work *w, uint32_t *ci, float *cw)
{
    size_t m = 0;
    for (size_t i = 0; i < w->n_hist; i++) {
        uint32_t c = s->store_to_cf[w->hist[i]];
        if (c != NONE && w->hist_w[i] > 0) {
            ci[m] = c;
            /* binary, as the model layer fits it, or the event weights */
            cw[m++] = s->collab_binary ? 1.0f : w->hist_w[i];
        }
    }
    return m;
}

/* Room for m entries in c->ci / c->cw. */
static int ucache_reserve(rs__score_ucache *c, size_t m)
{
    if (m <= c->cap)
        return RS_OK;
    size_t cap = c->cap ? c->cap : 16;
    while (cap < m)
        cap *= 2;
    uint32_t *ni = rs__realloc_array(c->ci, cap, sizeof *ni);
    if (ni)
        c->ci = ni;
    float *nw = ni ? rs__realloc_array(c->cw, cap, sizeof *nw) : NULL;
    if (nw)
        c->cw = nw;
    if (!ni || !nw) {
        c->valid = 0;
        return rs__fail(RS_ERR_NOMEM, "out of memory for a history of %zu items", m);
    }
    c->cap = cap;
    return RS_OK;
}

/* The columns of a block of the operator: about this many (3,659 rows of
 * 4 KiB on the retail catalogue), the blocks a multiple of the threads and
 * of even width, so that no thread is left with the short last block.
 * Longer row slices stream better: on the retail model the prefill took a
 * fifth less CPU than with blocks of 256 columns (128: a third more). */
#define PREFILL_COLUMNS 1024

typedef struct prefill {
    const rs_scorer *s;
    size_t columns; /* per block */
    rs__score_ucache *caches;
    const uint32_t *list;
    size_t n_list;
} prefill;

static int prefill_block(void *vctx, size_t block, unsigned worker)
{
    (void)worker;
    const prefill *p = vctx;
    size_t j0 = block * p->columns, j1 = j0 + p->columns;
    if (j1 > p->s->cf_n)
        j1 = p->s->cf_n;
    for (size_t k = 0; k < p->n_list; k++) {
        rs__score_ucache *c = &p->caches[p->list[k]];
        if (rs__cf_model_score_add_cols(p->s->cf, c->ci, c->cw, c->n, j0, j1, c->sum) != RS_OK)
            return 1;
    }
    return 0;
}

int rs__score_ucache_prefill(const rs_scorer *s, const char *const *users, const uint8_t *want,
                             size_t n_users, rs__score_ucache *caches, unsigned threads)
{
    if (!s || !users || !caches || !s->cf || !rs__cf_model_columns(s->cf) ||
        s->cf_n != rs_cf_model_items(s->cf))
        return RS_OK;
    rs_error_state saved;
    rs__error_save(&saved);
    uint32_t *list = rs__alloc_array(n_users ? n_users : 1, sizeof *list);
    size_t n_list = 0;
    work w;
    float none = 0.0f;
    size_t cap = 0;
    memset(&w, 0, sizeof w);
    /* the history merge's zeroed scratch per item */
    w.content = rs__calloc(s->item_span + 1, sizeof(float));
    /* the operator read whole here, on the calling thread, if it is the file's */
    if (!list || !w.content ||
        rs__cf_model_score_add_cols(s->cf, NULL, NULL, 0, 0, 0, &none) != RS_OK)
        goto done;
    for (size_t i = 0; i < n_users; i++) {
        rs__score_ucache *c = &caches[i];
        const rs__user *u;
        size_t m;
        if ((want && !want[i]) || c->valid || !users[i] ||
            !(u = rs__user_find(s->users, users[i])))
            continue;
        w.n_hist = 0;
        if (history_fill(s, u, &w, &cap) != RS_OK || ucache_reserve(c, w.n_hist) != RS_OK)
            break;
        if ((m = collab_inputs(s, &w, c->ci, c->cw)) == 0)
            continue;
        if (!c->sum && !(c->sum = rs__alloc_array(s->cf_n + 1, sizeof *c->sum)))
            break;
        memset(c->sum, 0, s->cf_n * sizeof *c->sum);
        c->n = m;
        list[n_list++] = (uint32_t)i;
    }
    size_t per = threads ? threads : 1, blocks = (s->cf_n + PREFILL_COLUMNS - 1) / PREFILL_COLUMNS;
    blocks = blocks ? (blocks + per - 1) / per * per : 1;
    prefill p = {s, (s->cf_n + blocks - 1) / blocks, caches, list, n_list};
    p.columns = p.columns ? (p.columns + 15) / 16 * 16 : 16; /* whole vectors but the last */
    blocks = (s->cf_n + p.columns - 1) / p.columns;
    int failed = rs__parallel_for(blocks, threads, prefill_block, &p) != 0;
    for (size_t k = 0; k < n_list; k++) {
        caches[list[k]].valid = !failed;
        if (failed)
            caches[list[k]].n = 0;
    }
done:
    /* anything not filled is scored by the plain path, which reports its
     * own errors */
    free(w.hist), free(w.hist_w), free(w.content);
    free(list);
    rs__error_restore(&saved);
    return RS_OK;
}

int rs__score_prepare_user_ex(const rs_scorer *s, const char *user, work *w, const char *fn,
                              int flags, double *stage_ns)
{
    return prepare_user(s, user, w, fn, flags, stage_ns, NULL);
}

int rs__score_prepare_user_cached(const rs_scorer *s, const char *user, work *w,
                                  const char *fn, rs__score_ucache *cache)
{
    return prepare_user(s, user, w, fn, RS__PREPARE_LEAN, NULL, cache);
}

static int prepare_user(const rs_scorer *s, const char *user, work *w, const char *fn,
                        int flags, double *stage_ns, rs__score_ucache *cache)
{
    double t0 = stage_ns ? clock_ns() : 0.0;
    int entities = flags & RS__PREPARE_ENTITIES;
    /* a ranking of the blend needs no signal whose weight is 0 */
    int lean = (flags & RS__PREPARE_LEAN) && s->mode == RS_SCORER_BLEND;
    int rc;
    size_t cap = 0;
    if ((rc = rs__score_check_fresh(s, fn)) != RS_OK)
        return rc;
    if (rs__check_key(user, "user", NULL) != RS_OK)
        return rs__fail_context("%s: ", fn);
    const rs__user *u = rs__user_find(s->users, user);
    uint32_t node, user_node = NONE;
    if (rs_graph_find_node(s->graph, "user", user, &node) == RS_OK && node < s->node_span)
        user_node = node;
    else
        rs_clear_error();
    if (!u && user_node == NONE && !s->cold)
        return rs__fail(RS_ERR_NOTFOUND, "%s: unknown user \"%s\" (cold start is off)", fn, user);
    if ((rc = rs__score_work_init(s, w)) != RS_OK)
        return rc;
    w->stage_ns = stage_ns;
    w->stage_at = t0;
    w->user_node = user_node;
    int use_op = s->graph_op && s->op.built && !entities;
    /* the interest vector feeds only the dense content signal (finish):
     * not read when content is skipped or TF-IDF (as decided below) */
    int tfidf = s->content_profile == RS_SCORER_CONTENT_TFIDF && rs__score_content_ready(s) &&
                !entities;
    int need_q = !(lean && s->w_content == 0.0) && !tfidf;
    int skip_graph = 0; /* set once the history and interest are known */
    if (entities && !(w->entity = rs__calloc(s->node_span + 1, sizeof(double)))) {
        rs__score_work_free(w);
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory", fn);
    }
    if (u) {
        if (history_fill(s, u, w, &cap) != RS_OK)
            goto nomem;
        /* history blended with the user's texts (user_model.c); only
         * whether there is one when the content signal will not read it */
        w->has_q = need_q ? rs__user_interest(s->users, u, w->q)
                          : rs__user_has_interest(s->users, u, w->q);
    }
    skip_graph = lean && s->w_graph == 0.0 && w->has_q && w->n_hist;
    rs__score_stage_mark(w, RS__STAGE_HISTORY);
    if (w->user_node != NONE) {
        rs__graph_csr a;
        rs__graph_adjacency(s->graph, RS_GRAPH_OUT, &a);
        uint32_t v = w->user_node;
        int from_graph = !u;
        for (uint32_t e = a.start[v]; e < a.start[v] + a.degree[v]; e++) {
            uint32_t it = a.target[e] < s->node_span ? s->node_item[a.target[e]] : NONE;
            if (it == NONE)
                continue;
            rs__bitset_set(w->seen, it);
            if (from_graph) {
                float wt = a.weight[e] * rs__graph_relation_weight(s->graph, a.relation[e]);
                if (hist_push(w, &cap, it, wt) != RS_OK)
                    goto nomem;
                const float *row = rs__item_row(s->store, it);
                float inv = s->store->inv_norm[it] * wt;
                for (size_t j = 0; j < s->dim; j++)
                    w->q[j] += inv * row[j];
            }
        }
        if (from_graph && w->n_hist) {
            double n2 = 0.0;
            for (size_t j = 0; j < s->dim; j++)
                n2 += (double)w->q[j] * w->q[j];
            if (n2 > 0.0) {
                for (size_t j = 0; j < s->dim; j++)
                    w->q[j] = (float)(w->q[j] / sqrt(n2));
                w->has_q = 1;
            }
        }
        skip_graph = lean && s->w_graph == 0.0 && w->has_q && w->n_hist;
        w->graph_skip = skip_graph;
        if (skip_graph) {
            /* nothing: R has no weight in this ranking */
        } else if (use_op && w->n_hist) {
            rs__score_operator_apply(s, w);
        } else {
            if (rs__score_work_walk(s, w) != RS_OK)
                goto nomem;
            w->front[0] = v;
            w->mass[v] = 1.0;
            w->n_front = 1;
            rs__score_propagate(s, w, 1);
        }
    } else if (w->n_hist && skip_graph) {
        w->graph_skip = 1; /* nothing: R has no weight in this ranking */
    } else if (w->n_hist && use_op) {
        rs__score_operator_apply(s, w);
    } else if (w->n_hist) {
        double tot = 0.0;
        if (rs__score_work_walk(s, w) != RS_OK)
            goto nomem;
        for (size_t i = 0; i < w->n_hist; i++)
            if (w->hist_w[i] > 0 && s->item_node[w->hist[i]] != NONE)
                tot += w->hist_w[i];
        for (size_t i = 0; i < w->n_hist && tot > 0; i++) {
            uint32_t nd = s->item_node[w->hist[i]];
            if (w->hist_w[i] <= 0 || nd == NONE)
                continue;
            if (w->mass[nd] == 0.0)
                w->front[w->n_front++] = nd;
            w->mass[nd] += w->hist_w[i] / tot;
        }
        rs__score_propagate(s, w, 2);
    }
    rs__score_stage_mark(w, RS__STAGE_GRAPH);
    int reached = 0; /* (only asked without a history) */
    for (size_t i = 0; i < s->item_span && !reached && !w->n_hist; i++)
        reached = w->graph[i] > 0.0f;
    if (!w->n_hist && s->w_segment > 0.0 && rs__score_segment(s, w) != RS_OK) {
        rs__score_work_free(w);
        return rs__fail_context("%s: ", fn);
    }
    reached = reached || w->segment;
    w->source = w->n_hist ? RS_SCORER_FROM_HISTORY
                          : (w->user_node != NONE && reached ? RS_SCORER_FROM_PROFILE
                                                             : RS_SCORER_FROM_POPULARITY);
    if (lean && s->w_content == 0.0) {
        w->content_skip = 1;
    } else if (tfidf) {
        if (rs__score_content_tfidf(s, w, cache ? &cache->profile : NULL) != RS_OK) {
            rs__score_work_free(w);
            return rs__fail_context("%s: ", fn);
        }
        w->content_tfidf = 1;
    }
    rs__score_stage_mark(w, RS__STAGE_CONTENT);
    /* collaborative */
    if (s->cf && w->n_hist && !(lean && s->w_collab == 0.0)) {
        uint32_t *ci = rs__alloc_array(w->n_hist, sizeof(uint32_t));
        float *cw = rs__alloc_array(w->n_hist, sizeof(float));
        /* one index space (the model layer's): the model scores straight
         * into w->collab, else into sc and then by the index maps */
        float *sc = s->cf_identity ? NULL : rs__alloc_array(s->cf_n + 1, sizeof(float));
        w->collab = s->cf_identity ? rs__alloc_array(s->item_span + 1, sizeof(float))
                                   : rs__calloc(s->item_span + 1, sizeof(float));
        if (!ci || !cw || (!sc && !s->cf_identity) || !w->collab) {
            free(ci), free(cw), free(sc);
            goto nomem;
        }
        if (s->cf_identity)
            sc = w->collab;
        /* the raw scores: sc, or the user's kept sum itself */
        const float *raw = sc;
        size_t m = collab_inputs(s, w, ci, cw);
        if (m && cache && rs__cf_model_additive(s->cf))
            rc = collab_cached(s, cache, ci, cw, m, &raw);
        else
            rc = m ? rs_cf_model_score(s->cf, ci, cw, m, sc, s->cf_n) : RS_OK;
        if (rc == RS_OK && m) {
            float mx = rs__score_abs_max(raw, s->cf_n);
            if (s->cf_identity && mx > 0)
                rs__score_divide(w->collab, raw, s->cf_n, mx);
            else if (s->cf_identity)
                memset(w->collab, 0, s->item_span * sizeof(float));
            for (size_t i = 0; i < s->cf_n && mx > 0 && !s->cf_identity; i++)
                if (s->cf_to_store[i] != NONE)
                    w->collab[s->cf_to_store[i]] = raw[i] / mx;
        } else if (s->cf_identity) {
            memset(w->collab, 0, s->item_span * sizeof(float));
        }
        free(ci), free(cw);
        if (!s->cf_identity)
            free(sc);
        if (rc != RS_OK) {
            rs__score_work_free(w);
            return rs__fail_context("%s: ", fn);
        }
    }
    rs__score_stage_mark(w, RS__STAGE_COLLAB);
    return RS_OK;
nomem:
    rs__score_work_free(w);
    return rs__fail(RS_ERR_NOMEM, "%s: out of memory for user \"%s\"", fn, user);
}

int rs__score_prepare_user(const rs_scorer *s, const char *user, work *w, const char *fn)
{
    return rs__score_prepare_user_ex(s, user, w, fn, 0, NULL);
}

int rs__score_prepare_user_lean(const rs_scorer *s, const char *user, work *w, const char *fn)
{
    return rs__score_prepare_user_ex(s, user, w, fn, RS__PREPARE_LEAN, NULL);
}

int rs_scorer_interests(const rs_scorer *s, const char *user, size_t k, uint32_t *nodes_out,
                        float *weights_out, size_t *n_out)
{
    static const char fn[] = "rs_scorer_interests";
    work w;
    int rc;
    if (!s || !n_out || (k && !nodes_out))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    *n_out = 0;
    float *tmp = rs__alloc_array(k + 1, sizeof(float));
    if (!tmp)
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory for k = %zu", fn, k);
    if ((rc = rs__score_prepare_user_ex(s, user, &w, fn, RS__PREPARE_ENTITIES, NULL)) != RS_OK) {
        free(tmp);
        return rc;
    }
    double total = 0.0;
    for (size_t v = 0; v < s->node_span; v++)
        total += w.entity[v];
    rs_topk top;
    rs__topk_init(&top, k, nodes_out, tmp);
    for (size_t v = 0; v < s->node_span && total > 0.0; v++)
        if (w.entity[v] > 0.0)
            rs__topk_push(&top, (uint32_t)v, (float)(w.entity[v] / total));
    *n_out = rs__topk_finish(&top);
    if (weights_out)
        memcpy(weights_out, tmp, *n_out * sizeof(float));
    rs__score_work_free(&w);
    free(tmp);
    return RS_OK;
}

