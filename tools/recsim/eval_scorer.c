/*
 * eval_scorer.c - the scorer of a built model as a row of `recsim eval`.
 *
 * Honest evaluation: the model file's collaborative model and graph hold the
 * test interactions too, so they are not used as they are.  What the build
 * saved that carries no interaction -- the fitted text embedder (its idf
 * comes from the descriptions) and the collaborative model's kind and
 * options -- is reused; everything else is refitted on the train part only:
 * an in-memory copy of the graph without the held-out user -> item edges,
 * the item vectors (graph-aware on that copy), the user model and the
 * collaborative model.  The catalogue is the runner's (items with a train
 * event).
 */
#include "eval_scorer.h"

#include "cli.h"
#include "model.h"

#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The (user node, item node) pairs with an event outside train, sorted. */
static int held_out_pairs(const rs_graph *graph, const rs_events *events, uint64_t **out,
                          size_t *n_out)
{
    size_t n = rs_events_count(events), m = 0;
    uint64_t *pairs = malloc((n ? n : 1) * sizeof *pairs);
    if (!pairs)
        return RS_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *user, *item;
        int part;
        uint32_t u, it;
        rs_events_get(events, i, &user, &item, NULL, NULL, &part);
        if (part == RS_PART_TRAIN || rs_graph_find_node(graph, "user", user, &u) != RS_OK ||
            rs_graph_find_node(graph, "item", item, &it) != RS_OK)
            continue;
        pairs[m++] = (uint64_t)u << 32 | it;
    }
    rs_clear_error();
    qsort(pairs, m, sizeof *pairs, cmp_u64);
    *out = pairs;
    *n_out = m;
    return RS_OK;
}

/* An in-memory copy of the graph without the held-out interaction edges. */
static int train_graph(const rs_graph *graph, const rs_events *events, const char *relation,
                       rs_graph **out)
{
    size_t span = rs_graph_node_span(graph), n_rel = rs_graph_relation_count(graph), n_pairs;
    size_t capacity = 1024, n_edges = 0;
    uint32_t *map = malloc((span ? span : 1) * sizeof *map), *relmap = NULL, item_type_rel;
    uint32_t *nodes = malloc(capacity * sizeof *nodes), *rels = malloc(capacity * sizeof *rels);
    float *weights = malloc(capacity * sizeof *weights);
    uint64_t *pairs = NULL;
    uint32_t only = RS_GRAPH_ANY_RELATION;
    rs_graph *g = NULL;
    int s = RS_OK;
    (void)item_type_rel;
    relmap = malloc((n_rel ? n_rel : 1) * sizeof *relmap);
    if (!map || !nodes || !rels || !weights || !relmap)
        s = RS_ERR_NOMEM;
    if (s == RS_OK && relation)
        s = rs_graph_find_relation(graph, relation, &only);
    if (s == RS_OK)
        s = held_out_pairs(graph, events, &pairs, &n_pairs);
    if (s == RS_OK)
        s = rs_graph_open(":memory:", RS_GRAPH_CREATE, &g);
    if (s == RS_OK)
        s = rs_graph_bulk_begin(g);
    for (uint32_t r = 0; s == RS_OK && r < n_rel; r++) {
        const char *name = rs_graph_relation_name(graph, r);
        relmap[r] = RS_GRAPH_ANY_RELATION;
        if (name)
            s = rs_graph_add_relation(g, name, &relmap[r]);
    }
    for (uint32_t v = 0; s == RS_OK && v < span; v++) {
        const char *type, *key;
        map[v] = RS_GRAPH_ANY_RELATION;
        if (rs_graph_node_key(graph, v, &type, &key) == RS_OK)
            s = rs_graph_add_node(g, type, key, &map[v]);
    }
    rs_clear_error();
    for (uint32_t v = 0; s == RS_OK && v < span; v++) {
        const char *type, *key, *dtype, *dkey;
        bool is_user;
        if (map[v] == RS_GRAPH_ANY_RELATION)
            continue;
        rs_graph_node_key(graph, v, &type, &key);
        is_user = strcmp(type, "user") == 0;
        s = rs_graph_neighbors(graph, v, RS_GRAPH_OUT, RS_GRAPH_ANY_RELATION, NULL, nodes, rels,
                               weights, capacity, &n_edges);
        if (s == RS_ERR_BUFFER) {
            capacity = n_edges;
            nodes = realloc(nodes, capacity * sizeof *nodes);
            rels = realloc(rels, capacity * sizeof *rels);
            weights = realloc(weights, capacity * sizeof *weights);
            if (!nodes || !rels || !weights) {
                s = RS_ERR_NOMEM;
                break;
            }
            s = rs_graph_neighbors(graph, v, RS_GRAPH_OUT, RS_GRAPH_ANY_RELATION, NULL, nodes,
                                   rels, weights, capacity, &n_edges);
        }
        for (size_t e = 0; s == RS_OK && e < n_edges; e++) {
            uint32_t r = rels[e] & ~RS_GRAPH_REVERSED;
            if (map[nodes[e]] == RS_GRAPH_ANY_RELATION || relmap[r] == RS_GRAPH_ANY_RELATION)
                continue;
            if (is_user && (only == RS_GRAPH_ANY_RELATION || r == only) &&
                rs_graph_node_key(graph, nodes[e], &dtype, &dkey) == RS_OK &&
                strcmp(dtype, "item") == 0) {
                uint64_t pair = (uint64_t)v << 32 | nodes[e];
                if (bsearch(&pair, pairs, n_pairs, sizeof pair, cmp_u64))
                    continue; /* held out */
            }
            s = rs_graph_add_edge(g, map[v], relmap[r], map[nodes[e]], weights[e], 0,
                                  RS_GRAPH_MERGE_MAX);
        }
    }
    if (s == RS_OK)
        s = rs_graph_bulk_commit(g);
    for (uint32_t r = 0; s == RS_OK && r < n_rel; r++) {
        double w = 1.0;
        if (relmap[r] != RS_GRAPH_ANY_RELATION &&
            rs_graph_get_relation_weight(graph, r, &w) == RS_OK)
            s = rs_graph_set_relation_weight(g, relmap[r], w);
    }
    free(map);
    free(relmap);
    free(nodes);
    free(rels);
    free(weights);
    free(pairs);
    if (s != RS_OK) {
        rs_graph_close(g);
        return s;
    }
    *out = g;
    return RS_OK;
}

struct ctx {
    const rs_eval *eval;
    const struct cli_model *m;
};

static bool in_catalogue(void *context, const char *key)
{
    uint32_t index;
    bool found = rs_eval_item_find(context, key, &index) == RS_OK;
    if (!found)
        rs_clear_error();
    return found;
}

/* The scorer as a recommender of the runner (called from several threads:
 * the scorer's read calls allow it). */
static int recommend(void *context, uint32_t user, size_t k, const uint32_t *exclude,
                     size_t n_exclude, uint32_t *items_out, size_t *n_out)
{
    const struct ctx *c = context;
    uint32_t small[256], *picked = k <= 256 ? small : malloc(k * sizeof *picked);
    size_t n = 0, out = 0;
    (void)exclude; /* the scorer leaves the user's train history out itself */
    (void)n_exclude;
    if (!picked)
        return 1;
    if (rs_scorer_recommend(c->m->scorer, rs_eval_user_key(c->eval, user), k, picked, NULL,
                            &n) != RS_OK) {
        if (picked != small)
            free(picked);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t item;
        if (rs_eval_item_find(c->eval, rs_item_store_key(c->m->store, picked[i]), &item) ==
            RS_OK)
            items_out[out++] = item;
    }
    if (picked != small)
        free(picked);
    *n_out = out;
    return 0;
}

int cli_eval_scorer(rs_eval *eval, const rs_events *events, rs_graph *graph,
                    const char *relation, char *name, size_t name_size, size_t *row_out)
{
    struct cli_model m;
    struct cli_items items;
    rs_cf_model *saved = NULL;
    struct ctx ctx;
    int s;
    memset(&m, 0, sizeof m);
    memset(&items, 0, sizeof items);
    if ((s = rs_embedder_load(graph, NULL, NULL, &m.embedder)) != RS_OK)
        return s; /* RS_ERR_NOTFOUND: not built */
    s = rs_cf_model_load(graph, CLI_CF, &saved);
    if (s == RS_ERR_NOTFOUND) {
        rs_clear_error();
        s = RS_OK;
    }
    if (s == RS_OK)
        s = train_graph(graph, events, relation, &m.graph);
    m.owns_graph = true;
    if (s == RS_OK)
        s = cli_items_read(graph, in_catalogue, eval, &items);
    if (s == RS_OK)
        s = cli_embed_items(m.embedder, m.graph, &items, &m.store);
    if (s == RS_OK)
        s = cli_user_model(events, RS_PART_TRAIN, m.store, relation, &m.users, NULL);
    if (s == RS_OK && saved)
        s = cli_fit_cf(events, RS_PART_TRAIN, m.store, saved, NULL, &m.cf);
    if (s == RS_OK)
        s = cli_model_scorer(&m);
    snprintf(name, name_size, "recsim scorer (%s)", m.cf ? cli_cf_name(rs_cf_model_kind(m.cf))
                                                         : "no collaborative model");
    ctx.eval = eval;
    ctx.m = &m;
    if (s == RS_OK)
        s = rs_eval_run(eval, name, recommend, &ctx, row_out);
    cli_items_free(&items);
    rs_cf_model_free(saved);
    cli_model_close(&m);
    return s;
}
