/*
 * scorer.c - rs_scorer: content x graph reasoning (sparse propagation over
 * the CSR adjacency), collaborative and popularity signals; recommend,
 * score, explain, similar items.
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

#define NONE UINT32_MAX

struct rs_scorer {
    const rs_graph *graph;
    const rs_item_store *store;
    const rs_user_model *users;
    uint64_t generation;
    size_t item_span;  /* store span at create */
    size_t node_span;  /* graph span at create */
    size_t dim;
    uint32_t *item_node; /* store index -> graph node or NONE */
    uint32_t *node_item; /* graph node -> store index or NONE */
    double *inv_strength; /* 1 / sum of w_e w_r over a node's edges (0 if none) */
    float *pop;           /* per store index, [0, 1] */
    uint32_t user_type;
    int mode, hops, cold;
    double decay, floor, w_content, w_collab, w_graph, w_pop, pop_penalty, w_cold_pop;
    const rs_cf_model *cf;
    size_t cf_n;
    uint32_t *cf_to_store;
    uint32_t *store_to_cf;
    char **names; /* per store index: the item node's "name" or "description"
                     property, read at create so that explain stays in memory */
};

/* Per-call scratch and per-item signals. */
typedef struct work {
    double *mass, *next;  /* node_span each */
    uint32_t *front, *nfront;
    size_t n_front;
    float *graph;   /* item_span: raw, then R */
    float *content; /* item_span */
    float *collab;  /* item_span or NULL */
    uint64_t *seen; /* item_span bits */
    float *q;       /* dim */
    uint32_t *hist; /* history: store indices and weights */
    float *hist_w;
    size_t n_hist;
    int has_q;
    int source;
    uint32_t user_node;
    double *entity; /* NULL, or node_span: walk mass of non-user, non-item nodes */
} work;

static int check_fresh(const rs_scorer *s, const char *fn)
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
    s->w_content = 0.15;
    s->w_collab = 1.0;
    s->w_graph = 0.1;
    s->w_pop = 0.0;
    s->pop_penalty = 0.3;
    s->w_cold_pop = 0.3;
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
            char name[512];
            size_t len = 0;
            if ((rs_graph_get_property(graph, node, "name", name, sizeof name, &len) == RS_OK ||
                 rs_graph_get_property(graph, node, "description", name, sizeof name, &len) ==
                     RS_OK) &&
                len > 0 && len < sizeof name) {
                name[len] = '\0';
                s->names[i] = rs__strdup(name);
                if (!s->names[i]) {
                    rs_scorer_free(s);
                    return rs__fail(RS_ERR_NOMEM, "rs_scorer_create: out of memory");
                }
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
    free(s);
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
    default:
        return rs__fail(RS_ERR_INVALID, "rs_scorer_set_int: unknown integer option %d", option);
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
    default:
        return rs__fail(RS_ERR_INVALID, "rs_scorer_get_int: unknown integer option %d", option);
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
    default: return NULL;
    }
}

int rs_scorer_set_double(rs_scorer *s, int option, double value)
{
    double max, *p;
    if (!s)
        return rs__fail(RS_ERR_INVALID, "rs_scorer_set_double: scorer is NULL");
    if (!(p = double_option(s, option, &max)))
        return rs__fail(RS_ERR_INVALID, "rs_scorer_set_double: unknown real option %d", option);
    if (!(value >= 0.0 && value <= max))
        return rs__fail(RS_ERR_RANGE, "rs_scorer_set_double: option %d value %g outside [0, %g]",
                        option, value, max);
    *p = value;
    return RS_OK;
}

int rs_scorer_get_double(const rs_scorer *s, int option, double *value_out)
{
    double max, *p;
    if (!s || !value_out)
        return rs__fail(RS_ERR_INVALID, "rs_scorer_get_double: NULL argument");
    if (!(p = double_option((rs_scorer *)s, option, &max)))
        return rs__fail(RS_ERR_INVALID, "rs_scorer_get_double: unknown real option %d", option);
    *value_out = *p;
    return RS_OK;
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
        return RS_OK;
    }
    if (!item_keys && n_items)
        return rs__fail(RS_ERR_INVALID, "rs_scorer_set_collaborative: item_keys is NULL");
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
    return RS_OK;
}

static void work_free(work *w)
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
}

static int work_init(const rs_scorer *s, work *w)
{
    memset(w, 0, sizeof *w);
    size_t ns = s->node_span + 1, is = s->item_span + 1;
    w->mass = rs__calloc(ns, sizeof(double));
    w->next = rs__calloc(ns, sizeof(double));
    w->front = rs__alloc_array(ns, sizeof(uint32_t));
    w->nfront = rs__alloc_array(ns, sizeof(uint32_t));
    w->graph = rs__calloc(is, sizeof(float));
    w->content = rs__calloc(is, sizeof(float));
    w->seen = rs__calloc(rs__bitset_words(is), sizeof(uint64_t));
    w->q = rs__calloc(s->dim, sizeof(float));
    if (!w->mass || !w->next || !w->front || !w->nfront || !w->graph || !w->content ||
        !w->seen || !w->q) {
        work_free(w);
        return rs__fail(RS_ERR_NOMEM, "rs_scorer: out of memory for the scratch of %zu nodes",
                        ns);
    }
    w->user_node = NONE;
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

/* Sparse propagation from the seeds in w->front/w->mass; adds into w->graph. */
static void propagate(const rs_scorer *s, work *w, int first_hop)
{
    rs__graph_csr adj[2];
    rs__graph_adjacency(s->graph, RS_GRAPH_OUT, &adj[0]);
    rs__graph_adjacency(s->graph, RS_GRAPH_IN, &adj[1]);
    double hop_w = 1.0;
    for (int h = first_hop; h <= s->hops; h++) {
        size_t nn = 0;
        for (size_t f = 0; f < w->n_front; f++) {
            uint32_t v = w->front[f];
            double m = w->mass[v] * s->inv_strength[v];
            w->mass[v] = 0.0;
            if (m == 0.0)
                continue;
            for (int d = 0; d < 2; d++) {
                const rs__graph_csr *a = &adj[d];
                for (uint32_t e = a->start[v]; e < a->start[v] + a->degree[v]; e++) {
                    uint32_t t = a->target[e];
                    if (t >= s->node_span)
                        continue;
                    double c = m * a->weight[e] * rs__graph_relation_weight(s->graph, a->relation[e]);
                    if (c == 0.0)
                        continue;
                    if (w->next[t] == 0.0)
                        w->nfront[nn++] = t;
                    w->next[t] += c;
                }
            }
        }
        for (size_t f = 0; f < nn; f++) {
            uint32_t t = w->nfront[f];
            uint32_t it = s->node_item[t];
            if (it != NONE)
                w->graph[it] += (float)(hop_w * w->next[t]);
            else if (w->entity && rs__graph_node_type(s->graph, t) != s->user_type)
                w->entity[t] += hop_w * w->next[t];
        }
        hop_w *= s->decay;
        /* swap */
        double *tm = w->mass;
        w->mass = w->next;
        w->next = tm;
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
static int prepare_user_ex(const rs_scorer *s, const char *user, work *w, const char *fn,
                           int entities)
{
    int rc;
    size_t cap = 0;
    if ((rc = check_fresh(s, fn)) != RS_OK)
        return rc;
    if (rs__check_key(user, "user", NULL) != RS_OK)
        return rs__fail_context("%s", fn);
    const rs__user *u = rs__user_find(s->users, user);
    uint32_t node, user_node = NONE;
    if (rs_graph_find_node(s->graph, "user", user, &node) == RS_OK && node < s->node_span)
        user_node = node;
    else
        rs_clear_error();
    if (!u && user_node == NONE && !s->cold)
        return rs__fail(RS_ERR_NOTFOUND, "%s: unknown user \"%s\" (cold start is off)", fn, user);
    if ((rc = work_init(s, w)) != RS_OK)
        return rc;
    w->user_node = user_node;
    if (entities && !(w->entity = rs__calloc(s->node_span + 1, sizeof(double)))) {
        work_free(w);
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory", fn);
    }
    if (u) {
        for (size_t i = 0; i < u->n; i++) {
            if (u->items[i] >= s->item_span)
                continue;
            float wt = (float)(u->weights[i] * rs__user_decay(s->users, u, u->times[i]));
            if (hist_push(w, &cap, u->items[i], wt) != RS_OK)
                goto nomem;
            if (u->weights[i] > 0)
                rs__bitset_set(w->seen, u->items[i]);
        }
        double n2 = 0.0;
        for (size_t j = 0; j < s->dim; j++)
            n2 += (double)u->interest[j] * u->interest[j];
        if (n2 > 0.0) {
            float sc = (float)(1.0 / sqrt(n2));
            for (size_t j = 0; j < s->dim; j++)
                w->q[j] = u->interest[j] * sc;
            w->has_q = 1;
        }
    }
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
        w->front[0] = v;
        w->mass[v] = 1.0;
        w->n_front = 1;
        propagate(s, w, 1);
    } else if (w->n_hist) {
        double tot = 0.0;
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
        propagate(s, w, 2);
    }
    int reached = 0;
    for (size_t i = 0; i < s->item_span && !reached; i++)
        reached = w->graph[i] > 0.0f;
    w->source = w->n_hist ? RS_SCORER_FROM_HISTORY
                          : (w->user_node != NONE && reached ? RS_SCORER_FROM_PROFILE
                                                             : RS_SCORER_FROM_POPULARITY);
    /* collaborative */
    if (s->cf && w->n_hist) {
        uint32_t *ci = rs__alloc_array(w->n_hist, sizeof(uint32_t));
        float *cw = rs__alloc_array(w->n_hist, sizeof(float));
        float *sc = rs__alloc_array(s->cf_n + 1, sizeof(float));
        w->collab = rs__calloc(s->item_span + 1, sizeof(float));
        if (!ci || !cw || !sc || !w->collab) {
            free(ci), free(cw), free(sc);
            goto nomem;
        }
        size_t m = 0;
        for (size_t i = 0; i < w->n_hist; i++) {
            uint32_t c = s->store_to_cf[w->hist[i]];
            if (c != NONE && w->hist_w[i] > 0) {
                ci[m] = c;
                cw[m++] = w->hist_w[i];
            }
        }
        rc = m ? rs_cf_model_score(s->cf, ci, cw, m, sc, s->cf_n) : RS_OK;
        if (rc == RS_OK && m) {
            float mx = 0.0f;
            for (size_t i = 0; i < s->cf_n; i++)
                if (fabsf(sc[i]) > mx)
                    mx = fabsf(sc[i]);
            for (size_t i = 0; i < s->cf_n && mx > 0; i++)
                if (s->cf_to_store[i] != NONE)
                    w->collab[s->cf_to_store[i]] = sc[i] / mx;
        }
        free(ci), free(cw), free(sc);
        if (rc != RS_OK) {
            work_free(w);
            return rs__fail_context("%s", fn);
        }
    }
    return RS_OK;
nomem:
    work_free(w);
    return rs__fail(RS_ERR_NOMEM, "%s: out of memory for user \"%s\"", fn, user);
}

static int prepare_user(const rs_scorer *s, const char *user, work *w, const char *fn)
{
    return prepare_user_ex(s, user, w, fn, 0);
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
    if ((rc = prepare_user_ex(s, user, &w, fn, 1)) != RS_OK) {
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
    work_free(&w);
    free(tmp);
    return RS_OK;
}

/* Content and the final scores into w->content (reused as output). */
static void finish_scores(const rs_scorer *s, work *w)
{
    float gmax = 0.0f;
    if (s->pop_penalty > 0.0 && w->has_q)
        for (size_t i = 0; i < s->item_span; i++)
            if (w->graph[i] > 0.0f)
                w->graph[i] /= (float)pow(s->pop[i] + 1e-3, s->pop_penalty);
    for (size_t i = 0; i < s->item_span; i++)
        if (w->graph[i] > gmax)
            gmax = w->graph[i];
    if (gmax > 0.0f)
        for (size_t i = 0; i < s->item_span; i++)
            w->graph[i] /= gmax;
    if (w->has_q && s->item_span)
        rs__sgemv(false, s->item_span, s->dim, 1.0f, s->store->matrix, s->dim, w->q, 0.0f,
                  w->content);
    for (size_t i = 0; i < s->item_span; i++)
        w->content[i] *= s->store->inv_norm[i];
}

static float combine(const rs_scorer *s, const work *w, size_t i)
{
    float c = w->content[i], r = w->graph[i], p = s->pop[i];
    float cf = w->collab ? w->collab[i] : 0.0f;
    if (!w->has_q)
        return (float)(s->w_collab * cf + r + s->w_cold_pop * p);
    if (s->mode == RS_SCORER_PRODUCT)
        return (float)((1.0f + c) * 0.5 * (s->floor + (1.0 - s->floor) * r));
    return (float)(s->w_content * c + s->w_collab * cf + s->w_graph * r + s->w_pop * p);
}

typedef struct filter {
    const uint64_t *allow, *deny;
    size_t allow_words, deny_words;
} filter;

static bool filtered_out(const filter *f, size_t i)
{
    if (!f)
        return false;
    if (f->allow && (i / 64 >= f->allow_words || !rs__bitset_test(f->allow, i)))
        return true;
    return f->deny && i / 64 < f->deny_words && rs__bitset_test(f->deny, i);
}

static size_t rank(const rs_scorer *s, const work *w, size_t k, uint32_t *items_out,
                   float *scores_out, float *tmp_scores, const filter *f)
{
    rs_topk top;
    rs__topk_init(&top, k, items_out, tmp_scores);
    for (size_t i = 0; i < s->item_span; i++) {
        if (!rs__bitset_test(s->store->live_bits, i) || rs__bitset_test(w->seen, i) ||
            filtered_out(f, i))
            continue;
        rs__topk_push(&top, (uint32_t)i, combine(s, w, i));
    }
    size_t n = rs__topk_finish(&top);
    if (scores_out)
        memcpy(scores_out, tmp_scores, n * sizeof(float));
    return n;
}

static int recommend_one(const rs_scorer *s, const char *user, size_t k, uint32_t *items_out,
                         float *scores_out, size_t *n_out, const char *fn, const filter *f)
{
    work w;
    int rc;
    float *tmp = rs__alloc_array(k + 1, sizeof(float));
    if (!tmp)
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory for k = %zu", fn, k);
    if ((rc = prepare_user(s, user, &w, fn)) != RS_OK) {
        free(tmp);
        return rc;
    }
    finish_scores(s, &w);
    *n_out = rank(s, &w, k, items_out, scores_out, tmp, f);
    work_free(&w);
    free(tmp);
    return RS_OK;
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
    return recommend_one(s, user, k, items_out, scores_out, n_out, fn, NULL);
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
    return recommend_one(s, user, k, items_out, scores_out, n_out, fn, &f);
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
    size_t kk = k > s->item_span ? s->item_span : k;
    for (size_t u = 0; u < n; u++) {
        size_t got = 0;
        int rc = recommend_one(s, users[u], kk, items_out + u * k,
                               scores_out ? scores_out + u * k : NULL, &got, fn, NULL);
        if (rc != RS_OK)
            return rs__fail_context("%s: user %zu", fn, u);
        counts_out[u] = got;
        for (size_t j = got; j < k; j++) {
            items_out[u * k + j] = RS_ITEM_NONE;
            if (scores_out)
                scores_out[u * k + j] = -INFINITY;
        }
    }
    return RS_OK;
}

static int find_item(const rs_scorer *s, const char *item, uint32_t *idx_out, const char *fn)
{
    size_t len;
    if (rs__check_key(item, "item", &len) != RS_OK)
        return rs__fail_context("%s", fn);
    uint32_t idx = rs__idmap_find(s->store->keys, item, len);
    if (idx == RS_IDMAP_NONE || idx >= s->item_span)
        return rs__fail(RS_ERR_NOTFOUND, "%s: unknown item \"%s\"", fn, item);
    *idx_out = idx;
    return RS_OK;
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
    if ((rc = check_fresh(s, fn)) != RS_OK || (rc = find_item(s, item, &idx, fn)) != RS_OK)
        return rc;
    if ((rc = prepare_user(s, user, &w, fn)) != RS_OK)
        return rc;
    finish_scores(s, &w);
    double parts[RS_SCORER_PARTS] = {combine(s, &w, idx), w.content[idx], w.graph[idx],
                                     w.collab ? w.collab[idx] : 0.0, s->pop[idx]};
    memcpy(parts_out, parts, n_parts * sizeof(double));
    work_free(&w);
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
    if ((rc = check_fresh(s, fn)) != RS_OK || (rc = find_item(s, item, &idx, fn)) != RS_OK)
        return rc;
    if (k > s->item_span)
        k = s->item_span;
    float *tmp = rs__alloc_array(k + 1, sizeof(float));
    if (!tmp || work_init(s, &w) != RS_OK) {
        free(tmp);
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory", fn);
    }
    const float *row = rs__item_row(s->store, idx);
    for (size_t j = 0; j < s->dim; j++)
        w.q[j] = row[j] * s->store->inv_norm[idx];
    w.has_q = s->store->inv_norm[idx] > 0.0f;
    rs__bitset_set(w.seen, idx);
    if (s->item_node[idx] != NONE) {
        w.front[0] = s->item_node[idx];
        w.mass[w.front[0]] = 1.0;
        w.n_front = 1;
        propagate(s, &w, 1);
    }
    finish_scores(s, &w);
    *n_out = rank(s, &w, k, items_out, scores_out, tmp, NULL);
    work_free(&w);
    free(tmp);
    return RS_OK;
}

/* ---------------------------------------------------------------- explain */

typedef struct sbuf {
    char *p;
    size_t cap, len;
} sbuf;

static void put(sbuf *b, const char *t)
{
    size_t n = strlen(t);
    if (b->cap && b->len + 1 < b->cap) {
        size_t m = b->cap - 1 - b->len;
        if (m > n)
            m = n;
        memcpy(b->p + b->len, t, m);
        b->p[b->len + m] = '\0';
    }
    b->len += n;
}

static void put_node(const rs_scorer *s, sbuf *b, uint32_t node, uint32_t target)
{
    const char *type = NULL, *key = NULL;
    if (node == target) {
        put(b, "this item");
        return;
    }
    if (rs_graph_node_key(s->graph, node, &type, &key) != RS_OK) {
        rs_clear_error();
        put(b, "?");
        return;
    }
    if (node < s->node_span && s->node_item[node] != NONE && s->names[s->node_item[node]])
        key = s->names[s->node_item[node]];
    if (strcmp(type, "item") != 0) {
        put(b, type);
        put(b, " ");
    }
    put(b, key);
}

static void put_relation(const rs_scorer *s, sbuf *b, uint32_t rel)
{
    const char *name = rs_graph_relation_name(s->graph, rel & ~RS_GRAPH_REVERSED);
    char tmp[128];
    if (!name)
        name = "is linked to";
    if (strncmp(name, "has_", 4) == 0) {
        snprintf(tmp, sizeof tmp, "has %s", name + 4);
        name = tmp;
    }
    put(b, name);
}

static void sentence(const rs_scorer *s, sbuf *b, const uint32_t *nodes, const uint32_t *rels,
                     size_t len, uint32_t target, int source)
{
    if (len == 0) {
        put(b, source == RS_SCORER_FROM_POPULARITY
                   ? "recommended because it is popular (cold start: no history, and the graph links you to no item)"
                   : "recommended because it scores well for your interests");
        return;
    }
    put(b, source == RS_SCORER_FROM_PROFILE ? "recommended (cold start, from your profile) "
                                            "because you "
                                            : "recommended because you ");
    size_t i = 0;
    while (i < len) {
        uint32_t r = rels[i];
        if (i > 0) {
            uint32_t t = rs__graph_node_type(s->graph, nodes[i]);
            put(b, t == s->user_type ? ", who " : ", which ");
        }
        if (!(r & RS_GRAPH_REVERSED) && i + 1 < len && (rels[i + 1] & RS_GRAPH_REVERSED) &&
            (rels[i + 1] & ~RS_GRAPH_REVERSED) == r && nodes[i + 2] != target &&
            rs__graph_node_type(s->graph, nodes[i + 2]) == s->user_type &&
            rs__graph_node_type(s->graph, nodes[i + 1]) != s->user_type) {
            /* you bought X, as did user N, who ... */
            put_relation(s, b, r);
            put(b, " ");
            put_node(s, b, nodes[i + 1], target);
            put(b, i == 0 ? ", as did " : ", as does ");
            put_node(s, b, nodes[i + 2], target);
            i += 2;
        } else if (!(r & RS_GRAPH_REVERSED) && i + 1 < len && (rels[i + 1] & RS_GRAPH_REVERSED) &&
            (rels[i + 1] & ~RS_GRAPH_REVERSED) == r) {
            put(b, i == 0 ? "share " : "shares ");
            put_node(s, b, nodes[i + 1], target);
            put(b, " with ");
            put_node(s, b, nodes[i + 2], target);
            i += 2;
        } else if (!(r & RS_GRAPH_REVERSED)) {
            put_relation(s, b, r);
            put(b, " ");
            put_node(s, b, nodes[i + 1], target);
            i += 1;
        } else {
            put(b, "is linked (");
            put_relation(s, b, r);
            put(b, ") from ");
            put_node(s, b, nodes[i + 1], target);
            i += 1;
        }
    }
}

int rs_scorer_explain(const rs_scorer *s, const char *user, const char *item,
                      uint32_t *nodes_out, uint32_t *relations_out, size_t capacity,
                      size_t *length_out, double *weight_out, int *source_out, char *text,
                      size_t text_capacity)
{
    static const char fn[] = "rs_scorer_explain";
    uint32_t idx;
    work w;
    int rc;
    if (!s || !length_out || (capacity && !nodes_out) || (text_capacity && !text))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    *length_out = 0;
    if ((rc = check_fresh(s, fn)) != RS_OK || (rc = find_item(s, item, &idx, fn)) != RS_OK)
        return rc;
    if ((rc = prepare_user(s, user, &w, fn)) != RS_OK)
        return rc;
    size_t H = (size_t)s->hops;
    uint32_t pn[8 * 7], pr[8 * 6], plen[8];
    double pw[8];
    size_t np = 0, best_len = 0;
    uint32_t best_nodes[8], best_rels[8];
    double best_w = 0.0;
    uint32_t target = s->item_node[idx];
    if (target != NONE) {
        if (w.user_node != NONE) {
            if (rs_graph_best_paths(s->graph, w.user_node, target, (unsigned)H, RS_GRAPH_BOTH, 1,
                                    pn, pr, plen, pw, &np) == RS_OK && np) {
                best_len = plen[0];
                best_w = pw[0];
                memcpy(best_nodes, pn, (best_len + 1) * sizeof(uint32_t));
                memcpy(best_rels, pr, best_len * sizeof(uint32_t));
            }
        } else {
            /* from the history items: the path item_j -> ... -> target, shifted */
            for (size_t i = 0; i < w.n_hist && i < 64; i++) {
                uint32_t from = s->item_node[w.hist[i]];
                if (from == NONE || from == target || w.hist_w[i] <= 0 || H < 2)
                    continue;
                if (rs_graph_best_paths(s->graph, from, target, (unsigned)(H - 1), RS_GRAPH_BOTH,
                                        1, pn, pr, plen, pw, &np) == RS_OK &&
                    np && pw[0] * w.hist_w[i] > best_w) {
                    best_w = pw[0] * w.hist_w[i];
                    best_len = plen[0] + 1;
                    best_nodes[0] = NONE;
                    memcpy(best_nodes + 1, pn, (plen[0] + 1) * sizeof(uint32_t));
                    best_rels[0] = NONE;
                    memcpy(best_rels + 1, pr, plen[0] * sizeof(uint32_t));
                }
            }
        }
        rs_clear_error();
    }
    sbuf b = {text, text_capacity, 0};
    if (best_len && best_nodes[0] == NONE) {
        /* a model-only user: "you interacted with X, which ..." */
        sentence(s, &b, best_nodes, best_rels, 0, target, RS_SCORER_FROM_HISTORY);
        b.len = 0;
        if (text_capacity)
            text[0] = '\0';
        put(&b, "recommended because you interacted with ");
        put_node(s, &b, best_nodes[1], target);
        sbuf rest = {NULL, 0, 0};
        (void)rest;
        char tail[1024] = "";
        sbuf t2 = {tail, sizeof tail, 0};
        sentence(s, &t2, best_nodes + 1, best_rels + 1, best_len - 1, target, RS_SCORER_FROM_HISTORY);
        const char *p = strstr(tail, "because you ");
        if (p) {
            put(&b, ", which ");
            p += strlen("because you ");
            /* "share X with" -> "shares X with" */
            if (strncmp(p, "share ", 6) == 0) {
                put(&b, "shares ");
                p += 6;
            }
            put(&b, p);
        }
    } else {
        sentence(s, &b, best_nodes, best_rels, best_len, target, w.source);
    }
    if (source_out)
        *source_out = w.source;
    if (weight_out)
        *weight_out = best_w;
    work_free(&w);
    if (text_capacity && b.len >= text_capacity)
        text[text_capacity - 1] = '\0';
    *length_out = best_len;
    if (best_len + 1 > capacity && best_len)
        return rs__fail(RS_ERR_BUFFER, "%s: the path has %zu nodes, capacity %zu", fn,
                        best_len + 1, capacity);
    for (size_t i = 0; i <= best_len && best_len; i++) {
        nodes_out[i] = best_nodes[i] == NONE && w.user_node != NONE ? w.user_node : best_nodes[i];
        if (relations_out && i < best_len)
            relations_out[i] = best_rels[i];
    }
    return RS_OK;
}
