/*
 * score_rerank.c - re-ranking of a scorer's list: a minimum score, at most m
 * items per group (the targets of a graph relation, or item store attribute
 * bits: a brand, a category) and MMR diversity over the item vectors.  Off
 * by default; rs__score_rank hands over to it when an option asks for it.
 */
#include "core/alloc.h"
#include "core/bitset.h"
#include "core/error.h"
#include "core/topk.h"
#include "graph/graph_internal.h"
#include "items/items_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "score/score_internal.h"

/* Groups of one item beyond this many are ignored by the cap. */
#define MAX_GROUPS_PER_ITEM 256
#define ATTRIBUTE_GROUP ((uint64_t)1 << 32)

void rs__score_rerank_defaults(rs_scorer *s)
{
    s->rr_pool = 5;
    s->rr_max_per_group = 0;
    s->rr_group_relation = -1;
    s->rr_attribute_first = 0;
    s->rr_attributes = 0;
    s->rr_lambda = 1.0;
    s->rr_min_score = -INFINITY;
}

bool rs__score_rerank_option(int option)
{
    return (option >= RS_SCORER_RERANK_POOL && option <= RS_SCORER_GROUP_ATTRIBUTES) ||
           option == RS_SCORER_MMR_LAMBDA || option == RS_SCORER_MIN_SCORE;
}

int rs__score_rerank_set_int(rs_scorer *s, int option, int64_t value)
{
    static const char fn[] = "rs_scorer_set_int";
    switch (option) {
    case RS_SCORER_RERANK_POOL:
        if (value < 1 || value > 100)
            return rs__fail(RS_ERR_RANGE, "%s: re-rank pool %lld outside [1, 100]", fn,
                            (long long)value);
        s->rr_pool = (int)value;
        return RS_OK;
    case RS_SCORER_MAX_PER_GROUP:
        if (value < 0 || value > 1000000)
            return rs__fail(RS_ERR_RANGE, "%s: items per group %lld outside [0, 1000000]", fn,
                            (long long)value);
        s->rr_max_per_group = (int)value;
        return RS_OK;
    case RS_SCORER_GROUP_RELATION: {
        int64_t n = (int64_t)rs_graph_relation_count(s->graph);
        if (value < -1 || value >= n)
            return rs__fail(RS_ERR_RANGE, "%s: group relation %lld is not -1 or a relation "
                                          "index below %lld", fn, (long long)value,
                            (long long)n);
        s->rr_group_relation = (int)value;
        return RS_OK;
    }
    case RS_SCORER_GROUP_ATTRIBUTE_FIRST:
    case RS_SCORER_GROUP_ATTRIBUTES: {
        int64_t first = option == RS_SCORER_GROUP_ATTRIBUTE_FIRST ? value : s->rr_attribute_first;
        int64_t count = option == RS_SCORER_GROUP_ATTRIBUTES ? value : s->rr_attributes;
        if (first < 0 || count < 0 || first >= RS_ITEM_MAX_ATTRIBUTES ||
            first + count > RS_ITEM_MAX_ATTRIBUTES)
            return rs__fail(RS_ERR_RANGE, "%s: group attributes %lld .. %lld + %lld outside "
                                          "[0, %d]", fn, (long long)first, (long long)first,
                            (long long)count, RS_ITEM_MAX_ATTRIBUTES);
        s->rr_attribute_first = (int)first;
        s->rr_attributes = (int)count;
        return RS_OK;
    }
    default:
        return rs__fail(RS_ERR_INVALID, "%s: unknown integer option %d", fn, option);
    }
}

int rs__score_rerank_get_int(const rs_scorer *s, int option, int64_t *value_out)
{
    switch (option) {
    case RS_SCORER_RERANK_POOL: *value_out = s->rr_pool; return RS_OK;
    case RS_SCORER_MAX_PER_GROUP: *value_out = s->rr_max_per_group; return RS_OK;
    case RS_SCORER_GROUP_RELATION: *value_out = s->rr_group_relation; return RS_OK;
    case RS_SCORER_GROUP_ATTRIBUTE_FIRST: *value_out = s->rr_attribute_first; return RS_OK;
    case RS_SCORER_GROUP_ATTRIBUTES: *value_out = s->rr_attributes; return RS_OK;
    default:
        return rs__fail(RS_ERR_INVALID, "rs_scorer_get_int: unknown integer option %d", option);
    }
}

int rs__score_rerank_set_double(rs_scorer *s, int option, double value)
{
    static const char fn[] = "rs_scorer_set_double";
    if (option == RS_SCORER_MMR_LAMBDA) {
        if (!(value >= 0.0 && value <= 1.0))
            return rs__fail(RS_ERR_RANGE, "%s: MMR lambda %g outside [0, 1]", fn, value);
        s->rr_lambda = value;
        return RS_OK;
    }
    if (option == RS_SCORER_MIN_SCORE) {
        if (isnan(value) || value == INFINITY || (isinf(value) == 0 && fabs(value) > 1e30))
            return rs__fail(RS_ERR_RANGE, "%s: minimum score %g is not -Inf or finite within "
                                          "1e30", fn, value);
        s->rr_min_score = value;
        return RS_OK;
    }
    return rs__fail(RS_ERR_INVALID, "%s: unknown real option %d", fn, option);
}

int rs__score_rerank_get_double(const rs_scorer *s, int option, double *value_out)
{
    if (option == RS_SCORER_MMR_LAMBDA)
        *value_out = s->rr_lambda;
    else if (option == RS_SCORER_MIN_SCORE)
        *value_out = s->rr_min_score;
    else
        return rs__fail(RS_ERR_INVALID, "rs_scorer_get_double: unknown real option %d", option);
    return RS_OK;
}

static bool capped(const rs_scorer *s)
{
    return s->rr_max_per_group > 0 && (s->rr_group_relation >= 0 || s->rr_attributes > 0);
}

bool rs__score_rerank_active(const rs_scorer *s)
{
    return s->rr_lambda < 1.0 || capped(s) || s->rr_min_score > -INFINITY;
}

/* ------------------------------------------------------------ groups */

/* The groups of store index i: the other ends of its edges of the group
 * relation (node indices), then its group attributes (ATTRIBUTE_GROUP | a). */
static size_t item_groups(const rs_scorer *s, uint32_t i, uint64_t *out)
{
    size_t n = 0;
    if (s->rr_group_relation >= 0 && s->item_node[i] != NONE) {
        uint32_t v = s->item_node[i];
        for (unsigned d = 0; d < 2; d++) {
            rs__graph_csr a;
            rs__graph_adjacency(s->graph, d ? RS_GRAPH_IN : RS_GRAPH_OUT, &a);
            for (uint32_t e = a.start[v]; e < a.start[v] + a.degree[v]; e++)
                if (a.relation[e] == (uint32_t)s->rr_group_relation && n < MAX_GROUPS_PER_ITEM)
                    out[n++] = a.target[e];
        }
    }
    const rs_item_store *st = s->store;
    for (int a = s->rr_attribute_first; a < s->rr_attribute_first + s->rr_attributes; a++)
        if ((size_t)a < st->n_attribute_columns && st->attribute_columns[a] &&
            rs__bitset_test(st->attribute_columns[a], i) && n < MAX_GROUPS_PER_ITEM)
            out[n++] = ATTRIBUTE_GROUP | (uint64_t)a;
    return n;
}

typedef struct group_counts {
    uint64_t *id;
    uint32_t *count;
    size_t n, cap_id, cap_count;
} group_counts;

static uint32_t *group_slot(group_counts *g, uint64_t id, bool create)
{
    for (size_t j = 0; j < g->n; j++)
        if (g->id[j] == id)
            return &g->count[j];
    if (!create)
        return NULL;
    if (rs__grow((void **)&g->id, &g->cap_id, g->n + 1, sizeof *g->id) != RS_OK ||
        rs__grow((void **)&g->count, &g->cap_count, g->n + 1, sizeof *g->count) != RS_OK)
        return NULL;
    g->id[g->n] = id;
    g->count[g->n] = 0;
    return &g->count[g->n++];
}

/* ------------------------------------------------------------ re-rank */

static float cosine(const rs_scorer *s, uint32_t a, uint32_t b)
{
    const float *x = rs__item_row(s->store, a), *y = rs__item_row(s->store, b);
    double d = 0.0;
    for (size_t j = 0; j < s->dim; j++)
        d += (double)x[j] * y[j];
    return (float)(d * s->store->inv_norm[a] * s->store->inv_norm[b]);
}

size_t rs__score_rerank(const rs_scorer *s, const work *w, size_t k, uint32_t *items_out,
                        float *scores_out, const filter *f)
{
    static const char fn[] = "rs_scorer re-ranking";
    bool caps = capped(s), mmr = s->rr_lambda < 1.0;
    size_t pool = k, got, n = 0;
    if ((caps || mmr) && rs__mul_size(k, (size_t)s->rr_pool, &pool) != RS_OK)
        pool = s->item_span;
    if (pool > s->item_span)
        pool = s->item_span;
    uint32_t *cand = rs__alloc_array(pool + 1, sizeof *cand);
    float *cscore = rs__alloc_array(pool + 1, sizeof *cscore);
    float *maxsim = rs__alloc_array(pool + 1, sizeof *maxsim);
    unsigned char *taken = rs__calloc(pool + 1, 1);
    uint64_t groups[MAX_GROUPS_PER_ITEM];
    group_counts g = {0};
    if (!cand || !cscore || !maxsim || !taken)
        goto nomem;
    rs_topk top;
    rs__topk_init(&top, pool, cand, cscore);
    float min_score = (float)s->rr_min_score;
    for (size_t i = 0; i < s->item_span; i++) {
        if (!rs__bitset_test(s->store->live_bits, i) || rs__bitset_test(w->seen, i) ||
            rs__score_filtered_out(f, i))
            continue;
        float sc = rs__score_combine(s, w, i);
        if (sc >= min_score)
            rs__topk_push(&top, (uint32_t)i, sc);
    }
    got = rs__topk_finish(&top);
    float smax = got ? cscore[0] : 0.0f, smin = got ? cscore[got - 1] : 0.0f;
    double span = (double)smax - smin;
    for (size_t c = 0; c < got; c++)
        maxsim[c] = 0.0f;
    while (n < k) {
        size_t best = SIZE_MAX;
        double best_value = -INFINITY;
        for (size_t c = 0; c < got; c++) {
            if (taken[c])
                continue;
            if (caps) {
                size_t ng = item_groups(s, cand[c], groups);
                bool full = false;
                for (size_t j = 0; j < ng && !full; j++) {
                    uint32_t *cnt = group_slot(&g, groups[j], false);
                    full = cnt && *cnt >= (uint32_t)s->rr_max_per_group;
                }
                if (full)
                    continue;
            }
            double rel = span > 0.0 ? ((double)cscore[c] - smin) / span : 1.0;
            double value = s->rr_lambda * rel - (n ? (1.0 - s->rr_lambda) * maxsim[c] : 0.0);
            if (value > best_value) {
                best_value = value;
                best = c;
            }
            if (!mmr) /* candidates are in score order: the first admissible wins */
                break;
        }
        if (best == SIZE_MAX)
            break;
        taken[best] = 1;
        items_out[n] = cand[best];
        if (scores_out)
            scores_out[n] = cscore[best];
        n++;
        if (caps) {
            size_t ng = item_groups(s, cand[best], groups);
            for (size_t j = 0; j < ng; j++) {
                uint32_t *cnt = group_slot(&g, groups[j], true);
                if (!cnt)
                    goto nomem;
                (*cnt)++;
            }
        }
        if (mmr)
            for (size_t c = 0; c < got; c++)
                if (!taken[c]) {
                    float sim = cosine(s, cand[c], cand[best]);
                    if (n == 1 || sim > maxsim[c])
                        maxsim[c] = sim;
                }
    }
    free(cand), free(cscore), free(maxsim), free(taken), free(g.id), free(g.count);
    return n;
nomem:
    free(cand), free(cscore), free(maxsim), free(taken), free(g.id), free(g.count);
    rs__fail(RS_ERR_NOMEM, "%s: out of memory for a pool of %zu", fn, pool);
    return RS__RANK_FAILED;
}
