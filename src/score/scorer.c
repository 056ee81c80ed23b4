/*
 * scorer.c - rs_scorer: create, free, options and the collaborative model.
 * The signals live in score_walk.c, ranking in score_rank.c and the
 * explanations in score_explain.c.
 */
#include "core/alloc.h"
#include "core/bitset.h"
#include "core/blas.h"
#include "core/error.h"
#include "core/topk.h"
#include "core/utf8.h"
#include "graph/graph_internal.h"
#include "items/items_internal.h"
#include "user/user_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/score_internal.h"

int rs__score_check_fresh(const rs_scorer *s, const char *fn)
{
    if (rs__graph_generation(s->graph) != s->generation ||
        rs__item_span(s->store) != s->item_span)
        return rs__fail(RS_ERR_STATE, "%s: the graph or the item store changed after "
                                      "rs_scorer_create; create a new scorer", fn);
    return RS_OK;
}

int rs_scorer_create(const rs_graph *graph, const rs_item_store *store,
                     const rs_user_model *users, rs_scorer **out)
{
    rs_scorer *s;
    rs__graph_csr out_adj, in_adj;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "rs_scorer_create: out is NULL");
    *out = NULL;
    if (!graph || !store || !users)
        return rs__fail(RS_ERR_INVALID, "rs_scorer_create: graph, store or users is NULL");
    if (users->store != store)
        return rs__fail(RS_ERR_STATE,
                        "rs_scorer_create: the user model was created on another item store");
    s = rs__calloc(1, sizeof *s);
    if (!s)
        return rs__fail(RS_ERR_NOMEM, "rs_scorer_create: out of memory");
    s->graph = graph;
    s->store = store;
    s->users = users;
    s->generation = rs__graph_generation(graph);
    s->item_span = rs__item_span(store);
    s->node_span = rs__graph_node_span(graph);
    s->dim = rs_item_store_dim(store);
    s->mode = RS_SCORER_BLEND;
    s->hops = 3;
    s->cold = 1;
    s->decay = 0.5;
    s->floor = 0.1;
    s->w_content = 0.3;
    s->w_collab = 1.0;
    s->w_graph = 0.1;
    s->w_pop = 0.3;
    s->pop_penalty = 0.3;
    s->w_cold_pop = 0.3;
    s->hist_merge = 1;
    s->hist_half_life = 60.0 * 86400.0;
    s->pop_half_life = 7.0 * 86400.0;
    s->w_first_basket = 0.0;
    s->w_segment = 10.0;
    s->segment_shrink = 5.0;
    s->graph_op = 0;
    s->op_top_n = 50;
    s->op_beta = 0.4;
    s->content_profile = RS_SCORER_CONTENT_TFIDF;
    s->combo_shrink = 20.0;
    s->seg_half_life = 0.0;
    rs__score_rerank_defaults(s);
    s->user_type = rs__graph_type_find(graph, "user");
    s->item_node = rs__alloc_array(s->item_span + 1, sizeof(uint32_t));
    s->node_item = rs__alloc_array(s->node_span + 1, sizeof(uint32_t));
    s->inv_strength = rs__calloc(s->node_span + 1, sizeof(double));
    s->pop = rs__calloc(s->item_span + 1, sizeof(float));
    s->names = rs__calloc(s->item_span + 1, sizeof(char *));
    if (!s->names || !s->item_node || !s->node_item || !s->inv_strength || !s->pop ||
        rs__graph_adjacency(graph, RS_GRAPH_OUT, &out_adj) != 0 ||
        rs__graph_adjacency(graph, RS_GRAPH_IN, &in_adj) != 0) {
        rs_scorer_free(s);
        return rs__fail(RS_ERR_NOMEM, "rs_scorer_create: out of memory");
    }
    for (size_t v = 0; v < s->node_span; v++) {
        double tot = 0.0;
        for (int d = 0; d < 2; d++) {
            const rs__graph_csr *a = d ? &in_adj : &out_adj;
            for (uint32_t e = a->start[v]; e < a->start[v] + a->degree[v]; e++)
                tot += (double)a->weight[e] * rs__graph_relation_weight(graph, a->relation[e]);
        }
        s->inv_strength[v] = tot > 0.0 ? 1.0 / tot : 0.0;
        s->node_item[v] = NONE;
    }
    size_t mapped = 0;
    float pmax = 0.0f;
    for (size_t i = 0; i < s->item_span; i++) {
        size_t len;
        uint32_t node;
        s->item_node[i] = NONE;
        if (!rs__bitset_test(store->live_bits, i))
            continue;
        const char *key = rs__idmap_key(store->keys, (uint32_t)i, &len);
        if (key && rs_graph_find_node(graph, "item", key, &node) == RS_OK &&
            node < s->node_span) {
            s->item_node[i] = node;
            s->node_item[node] = (uint32_t)i;
            mapped++;
            double p = 0.0;
            for (uint32_t e = in_adj.start[node]; e < in_adj.start[node] + in_adj.degree[node];
                 e++)
                if (s->user_type != NONE && rs__graph_node_type(graph, in_adj.target[e]) ==
                                                s->user_type)
                    p += 1.0;
            s->pop[i] = (float)p;
            int status = rs__graph_node_text_dup(graph, node, &s->names[i]);
            if (status != RS_OK) {
                rs_scorer_free(s);
                return rs__fail_context("rs_scorer_create: item \"%s\": ", key);
            }
            if (s->pop[i] > pmax)
                pmax = s->pop[i];
        }
    }
    rs_clear_error();
    if (rs_item_store_count(store) > 0 && mapped == 0) {
        rs_scorer_free(s);
        return rs__fail(RS_ERR_STATE, "rs_scorer_create: none of the %zu store items is an "
                                      "\"item\" node of the graph (store and graph do not "
                                      "belong together)",
                        rs_item_store_count(store));
    }
    if (pmax > 0.0f)
        for (size_t i = 0; i < s->item_span; i++)
            s->pop[i] /= pmax;
    if (rs__score_signals_update(s) != RS_OK || rs__score_segments_build(s) != RS_OK ||
        rs__score_content_build(s) != RS_OK) {
        rs_scorer_free(s);
        return rs__fail_context("rs_scorer_create");
    }
    *out = s;
    return RS_OK;
}

void rs_scorer_free(rs_scorer *s)
{
    if (!s)
        return;
    free(s->item_node);
    free(s->node_item);
    free(s->inv_strength);
    free(s->pop);
    for (size_t i = 0; s->names && i < s->item_span; i++)
        free(s->names[i]);
    free(s->names);
    free(s->cf_to_store);
    free(s->store_to_cf);
    rs__score_signals_free(s);
    rs__score_operator_free(&s->op);
    rs__score_content_free(s);
    rs__score_segments_free(&s->seg);
    free(s);
}

/* Builds the operator when it is on and missing or of other parameters;
 * an operator that is off is dropped when its parameters change. */
static int op_refresh(rs_scorer *s)
{
    int current = s->op.built && s->op.beta == s->op_beta &&
                  s->op.top_n == (size_t)s->op_top_n;
    if (current)
        return RS_OK;
    if (!s->graph_op) {
        rs__score_operator_free(&s->op);
        return RS_OK;
    }
    return rs__score_operator_build(s);
}

/* Sets an option that the operator depends on, rebuilding it; on failure
 * the option keeps its old value. */
static int set_op_int(rs_scorer *s, int *field, int value)
{
    int old = *field;
    *field = value;
    if (op_refresh(s) != RS_OK) {
        *field = old;
        return rs__fail_context("rs_scorer_set_int");
    }
    return RS_OK;
}

int rs_scorer_set_int(rs_scorer *s, int option, int64_t value)
{
    if (!s)
        return rs__fail(RS_ERR_INVALID, "rs_scorer_set_int: scorer is NULL");
    switch (option) {
    case RS_SCORER_MODE:
        if (value != RS_SCORER_PRODUCT && value != RS_SCORER_BLEND)
            return rs__fail(RS_ERR_RANGE, "rs_scorer_set_int: mode %lld is not 0 or 1",
                            (long long)value);
        s->mode = (int)value;
        return RS_OK;
    case RS_SCORER_HOPS:
        if (value < 1 || value > 6)
            return rs__fail(RS_ERR_RANGE, "rs_scorer_set_int: hops %lld outside [1, 6]",
                            (long long)value);
        s->hops = (int)value;
        return RS_OK;
    case RS_SCORER_COLD_START:
        if (value != 0 && value != 1)
            return rs__fail(RS_ERR_RANGE, "rs_scorer_set_int: cold start %lld is not 0 or 1",
                            (long long)value);
        s->cold = (int)value;
        return RS_OK;
    case RS_SCORER_HISTORY_MERGE:
        if (value != 0 && value != 1)
            return rs__fail(RS_ERR_RANGE, "rs_scorer_set_int: history merge %lld is not 0 or 1",
                            (long long)value);
        s->hist_merge = (int)value;
        return RS_OK;
    case RS_SCORER_COLLAB_BINARY:
        if (value != 0 && value != 1)
            return rs__fail(RS_ERR_RANGE, "rs_scorer_set_int: collab binary %lld is not 0 or 1",
                            (long long)value);
        s->collab_binary = (int)value;
        return RS_OK;
    case RS_SCORER_GRAPH_OPERATOR:
        if (value != 0 && value != 1)
            return rs__fail(RS_ERR_RANGE, "rs_scorer_set_int: graph operator %lld is not 0 or 1",
                            (long long)value);
        return set_op_int(s, &s->graph_op, (int)value);
    case RS_SCORER_OPERATOR_TOP_N:
        if (value < 1 || value > 100000)
            return rs__fail(RS_ERR_RANGE, "rs_scorer_set_int: operator top-N %lld outside "
                                          "[1, 100000]", (long long)value);
        return set_op_int(s, &s->op_top_n, (int)value);
    case RS_SCORER_CONTENT_PROFILE:
        if (value != RS_SCORER_CONTENT_VECTORS && value != RS_SCORER_CONTENT_TFIDF)
            return rs__fail(RS_ERR_RANGE, "rs_scorer_set_int: content profile %lld is not 0 "
                                          "or 1", (long long)value);
        if (value == RS_SCORER_CONTENT_TFIDF && rs__score_content_build(s) != RS_OK)
            return rs__fail_context("rs_scorer_set_int");
        s->content_profile = (int)value;
        return RS_OK;
    default:
        return rs__score_rerank_set_int(s, option, value);
    }
}

int rs_scorer_get_int(const rs_scorer *s, int option, int64_t *value_out)
{
    if (!s || !value_out)
        return rs__fail(RS_ERR_INVALID, "rs_scorer_get_int: NULL argument");
    switch (option) {
    case RS_SCORER_MODE: *value_out = s->mode; return RS_OK;
    case RS_SCORER_HOPS: *value_out = s->hops; return RS_OK;
    case RS_SCORER_COLD_START: *value_out = s->cold; return RS_OK;
    case RS_SCORER_HISTORY_MERGE: *value_out = s->hist_merge; return RS_OK;
    case RS_SCORER_COLLAB_BINARY: *value_out = s->collab_binary; return RS_OK;
    case RS_SCORER_GRAPH_OPERATOR: *value_out = s->graph_op; return RS_OK;
    case RS_SCORER_OPERATOR_TOP_N: *value_out = s->op_top_n; return RS_OK;
    case RS_SCORER_CONTENT_PROFILE: *value_out = s->content_profile; return RS_OK;
    default:
        return rs__score_rerank_get_int(s, option, value_out);
    }
}

static double *double_option(rs_scorer *s, int option, double *max_out)
{
    *max_out = 1000.0;
    switch (option) {
    case RS_SCORER_DECAY: *max_out = 1.0; return &s->decay;
    case RS_SCORER_FLOOR: *max_out = 1.0; return &s->floor;
    case RS_SCORER_W_CONTENT: return &s->w_content;
    case RS_SCORER_W_COLLAB: return &s->w_collab;
    case RS_SCORER_W_GRAPH: return &s->w_graph;
    case RS_SCORER_W_POPULARITY: return &s->w_pop;
    case RS_SCORER_POP_PENALTY: *max_out = 2.0; return &s->pop_penalty;
    case RS_SCORER_W_COLD_POPULARITY: return &s->w_cold_pop;
    case RS_SCORER_HISTORY_HALF_LIFE: *max_out = 1e10; return &s->hist_half_life;
    case RS_SCORER_POP_HALF_LIFE: *max_out = 1e10; return &s->pop_half_life;
    case RS_SCORER_W_FIRST_BASKET: return &s->w_first_basket;
    case RS_SCORER_W_SEGMENT: return &s->w_segment;
    case RS_SCORER_SEGMENT_SHRINK: *max_out = 1e6; return &s->segment_shrink;
    case RS_SCORER_OPERATOR_BETA: *max_out = 2.0; return &s->op_beta;
    case RS_SCORER_COMBO_SHRINK: *max_out = 1e6; return &s->combo_shrink;
    case RS_SCORER_SEGMENT_HALF_LIFE: *max_out = 1e10; return &s->seg_half_life;
    default: return NULL;
    }
}

int rs_scorer_set_double(rs_scorer *s, int option, double value)
{
    double max, *p;
    if (!s)
        return rs__fail(RS_ERR_INVALID, "rs_scorer_set_double: scorer is NULL");
    if (rs__score_rerank_option(option))
        return rs__score_rerank_set_double(s, option, value);
    if (!(p = double_option(s, option, &max)))
        return rs__fail(RS_ERR_INVALID, "rs_scorer_set_double: unknown real option %d", option);
    if (!(value >= 0.0 && value <= max))
        return rs__fail(RS_ERR_RANGE, "rs_scorer_set_double: option %d value %g outside [0, %g]",
                        option, value, max);
    if (option == RS_SCORER_POP_HALF_LIFE && value != *p) {
        double old = *p;
        *p = value;
        if (rs__score_signals_update(s) != RS_OK) {
            *p = old;
            return rs__fail_context("rs_scorer_set_double");
        }
        return RS_OK;
    }
    if (option == RS_SCORER_SEGMENT_HALF_LIFE && value != *p) {
        double old = *p;
        *p = value;
        if (rs__score_segments_build(s) != RS_OK) {
            *p = old;
            return rs__fail_context("rs_scorer_set_double");
        }
        return RS_OK;
    }
    if (option == RS_SCORER_OPERATOR_BETA && value != *p) {
        double old = *p;
        *p = value;
        if (op_refresh(s) != RS_OK) {
            *p = old;
            return rs__fail_context("rs_scorer_set_double");
        }
        return RS_OK;
    }
    *p = value;
    return RS_OK;
}

int rs_scorer_get_double(const rs_scorer *s, int option, double *value_out)
{
    double max, *p;
    if (!s || !value_out)
        return rs__fail(RS_ERR_INVALID, "rs_scorer_get_double: NULL argument");
    if (rs__score_rerank_option(option))
        return rs__score_rerank_get_double(s, option, value_out);
    if (!(p = double_option((rs_scorer *)s, option, &max)))
        return rs__fail(RS_ERR_INVALID, "rs_scorer_get_double: unknown real option %d", option);
    *value_out = *p;
    return RS_OK;
}

/* rs_scorer_set_collaborative with the keys the model carries. */
static int set_collaborative_own_keys(rs_scorer *s, const rs_cf_model *model)
{
    size_t n = rs_cf_model_items(model);
    const char **keys;
    int rc;
    if (n > 0 && !rs_cf_model_item_key(model, 0))
        return rs__fail(RS_ERR_STATE, "rs_scorer_set_collaborative: the model carries no item "
                        "keys (pass them, or rs_cf_model_set_item_keys)");
    if (!(keys = rs__alloc_array(n ? n : 1, sizeof *keys)))
        return rs__fail(RS_ERR_NOMEM, "rs_scorer_set_collaborative: out of memory");
    for (size_t i = 0; i < n; i++)
        keys[i] = rs_cf_model_item_key(model, (uint32_t)i);
    rc = rs_scorer_set_collaborative(s, model, keys, n);
    free(keys);
    return rc;
}

int rs_scorer_set_collaborative(rs_scorer *s, const rs_cf_model *model,
                                const char *const *item_keys, size_t n_items)
{
    if (!s)
        return rs__fail(RS_ERR_INVALID, "rs_scorer_set_collaborative: scorer is NULL");
    if (!model) {
        free(s->cf_to_store);
        free(s->store_to_cf);
        s->cf_to_store = s->store_to_cf = NULL;
        s->cf = NULL;
        s->cf_n = 0;
        s->cf_identity = 0;
        return RS_OK;
    }
    if (!item_keys && n_items)
        return rs__fail(RS_ERR_INVALID, "rs_scorer_set_collaborative: item_keys is NULL");
    if (!item_keys) /* the keys the model carries */
        return set_collaborative_own_keys(s, model);
    if (n_items != rs_cf_model_items(model))
        return rs__fail(RS_ERR_DIM, "rs_scorer_set_collaborative: %zu keys, the model has %zu "
                                    "items", n_items, rs_cf_model_items(model));
    uint32_t *c2s = rs__alloc_array(n_items + 1, sizeof(uint32_t));
    uint32_t *s2c = rs__alloc_array(s->item_span + 1, sizeof(uint32_t));
    if (!c2s || !s2c) {
        free(c2s);
        free(s2c);
        return rs__fail(RS_ERR_NOMEM, "rs_scorer_set_collaborative: out of memory");
    }
    for (size_t i = 0; i < s->item_span; i++)
        s2c[i] = NONE;
    for (size_t i = 0; i < n_items; i++) {
        c2s[i] = NONE;
        if (!item_keys[i])
            continue;
        uint32_t idx = rs__idmap_find(s->store->keys, item_keys[i], strlen(item_keys[i]));
        if (idx != RS_IDMAP_NONE && idx < s->item_span) {
            c2s[i] = idx;
            s2c[idx] = (uint32_t)i;
        }
    }
    free(s->cf_to_store);
    free(s->store_to_cf);
    s->cf_to_store = c2s;
    s->store_to_cf = s2c;
    s->cf = model;
    s->cf_n = n_items;
    s->cf_identity = n_items == s->item_span;
    for (size_t i = 0; i < n_items && s->cf_identity; i++)
        s->cf_identity = c2s[i] == i;
    return RS_OK;
}

int rs__score_find_item(const rs_scorer *s, const char *item, uint32_t *idx_out, const char *fn)
{
    size_t len;
    if (rs__check_key(item, "item", &len) != RS_OK)
        return rs__fail_context("%s: ", fn);
    uint32_t idx = rs__idmap_find(s->store->keys, item, len);
    if (idx == RS_IDMAP_NONE || idx >= s->item_span)
        return rs__fail(RS_ERR_NOTFOUND, "%s: unknown item \"%s\"", fn, item);
    *idx_out = idx;
    return RS_OK;
}
