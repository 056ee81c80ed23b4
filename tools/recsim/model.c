/*
 * model.c - the recommender of a model file, assembled from the public API:
 * items and texts from the graph, the embedder, the item store, the user
 * model rebuilt from the graph's history, the collaborative model and the
 * scorer.  Shared by build, recommend, similar, eval and simulate.
 */
#include "model.h"

#include "cli.h"

#include <stdlib.h>
#include <string.h>

const char *cli_cf_name(int kind)
{
    switch (kind) {
    case RS_CF_EASE: return "EASE";
    case RS_CF_ALS: return "ALS";
    case RS_CF_ITEMKNN: return "item-kNN";
    default: return "none";
    }
}

/* A property's text, malloc'ed, or NULL when absent. */
static char *property(const rs_graph *graph, uint32_t node, const char *name)
{
    char small[512], *big;
    size_t len = 0;
    int s = rs_graph_get_property(graph, node, name, small, sizeof small, &len);
    if (s == RS_OK)
        return strdup(small);
    if (s != RS_ERR_BUFFER || !(big = malloc(len + 1)))
        return NULL;
    if (rs_graph_get_property(graph, node, name, big, len + 1, &len) != RS_OK) {
        free(big);
        return NULL;
    }
    return big;
}

void cli_items_free(struct cli_items *items)
{
    for (size_t i = 0; i < items->n; i++) {
        free(items->keys[i]);
        free(items->texts[i]);
    }
    free(items->keys);
    free(items->texts);
    memset(items, 0, sizeof *items);
}

/* The properties that name an item, in order of preference. */
static const char *const text_properties[] = {"name", "description", "title", "text"};

int cli_items_read(const rs_graph *graph, bool (*keep)(void *ctx, const char *key), void *ctx,
                   struct cli_items *out)
{
    size_t span = rs_graph_node_span(graph), count = 0;
    memset(out, 0, sizeof *out);
    if (rs_graph_node_count(graph, "item", &count) != RS_OK || count == 0) {
        rs_clear_error();
        return RS_ERR_NOTFOUND;
    }
    out->keys = calloc(count, sizeof *out->keys);
    out->texts = calloc(count, sizeof *out->texts);
    if (!out->keys || !out->texts) {
        cli_items_free(out);
        return RS_ERR_NOMEM;
    }
    for (uint32_t node = 0; node < span && out->n < count; node++) {
        const char *type, *key;
        char *text;
        if (rs_graph_node_key(graph, node, &type, &key) != RS_OK || strcmp(type, "item") != 0)
            continue;
        if (keep && !keep(ctx, key))
            continue;
        if (!(out->keys[out->n] = strdup(key))) {
            cli_items_free(out);
            return RS_ERR_NOMEM;
        }
        text = NULL;
        for (size_t p = 0; !text && p < sizeof text_properties / sizeof text_properties[0]; p++)
            text = property(graph, node, text_properties[p]);
        out->texts[out->n++] = text;
        out->n_texts += text != NULL;
    }
    rs_clear_error();
    return RS_OK;
}

int cli_embed_items(const rs_embedder *embedder, const rs_graph *graph,
                    const struct cli_items *items, rs_item_store **out)
{
    size_t dim = rs_embedder_dim(embedder);
    int64_t rounds = 0;
    float *vectors;
    rs_item_store *store = NULL;
    int s;
    *out = NULL;
    if (!(vectors = malloc(items->n * dim * sizeof *vectors)))
        return RS_ERR_NOMEM;
    rs_embedder_get_int(embedder, RS_EMBEDDER_GRAPH_ROUNDS, &rounds);
    if (rounds > 0) {
        s = rs_embedder_embed_graph(embedder, graph, "item", (const char *const *)items->keys,
                                    (const char *const *)items->texts, items->n, NULL, 0,
                                    vectors, dim);
    } else {
        const char **texts = malloc(items->n * sizeof *texts);
        s = texts ? RS_OK : RS_ERR_NOMEM;
        for (size_t i = 0; s == RS_OK && i < items->n; i++)
            texts[i] = items->texts[i] ? items->texts[i] : "";
        if (s == RS_OK)
            s = rs_embedder_embed_batch(embedder, texts, items->n, vectors, dim);
        free(texts);
    }
    if (s == RS_OK)
        s = rs_item_store_create(dim, &store);
    for (size_t i = 0; s == RS_OK && i < items->n; i++)
        s = rs_item_store_add(store, items->keys[i], vectors + i * dim, dim, NULL);
    free(vectors);
    if (s != RS_OK) {
        rs_item_store_free(store);
        return s;
    }
    *out = store;
    return RS_OK;
}

int cli_user_model(const rs_events *events, int part, const rs_item_store *store,
                   const char *event, rs_user_model **out, size_t *n_observed)
{
    rs_user_model *users = NULL;
    size_t n = rs_events_count(events), observed = 0;
    int s = rs_user_model_create(store, &users);
    for (size_t i = 0; s == RS_OK && i < n; i++) {
        const char *user, *item;
        int64_t time;
        double weight;
        int p;
        rs_events_get(events, i, &user, &item, &time, &weight, &p);
        if (part >= 0 && p != part)
            continue;
        if (!(weight > 0))
            weight = 1.0;
        s = rs_user_model_observe(users, user, item, event ? event : "bought", weight, time);
        if (s == RS_ERR_NOTFOUND) { /* an item without a vector: not in the store */
            s = RS_OK;
            rs_clear_error();
            continue;
        }
        observed++;
    }
    if (s != RS_OK) {
        rs_user_model_free(users);
        return s;
    }
    *out = users;
    if (n_observed)
        *n_observed = observed;
    return RS_OK;
}

int cli_fit_cf(const rs_events *events, int part, const rs_item_store *store,
               const rs_cf_model *template_model, const struct cli_build_options *o,
               rs_cf_model **out)
{
    size_t n = rs_events_count(events), m = 0, n_users = 0;
    uint32_t *users = malloc((n ? n : 1) * sizeof *users);
    uint32_t *items = malloc((n ? n : 1) * sizeof *items);
    const char *previous = NULL;
    rs_cf_matrix *matrix = NULL;
    rs_cf_model *model = NULL;
    int kind = template_model ? rs_cf_model_kind(template_model) : o->cf_kind, s = RS_OK;
    *out = NULL;
    if (!users || !items) {
        free(users);
        free(items);
        return RS_ERR_NOMEM;
    }
    /* Events come grouped by user (rs_events_from_graph orders them so). */
    for (size_t i = 0; i < n; i++) {
        const char *user, *item;
        int p;
        uint32_t index;
        rs_events_get(events, i, &user, &item, NULL, NULL, &p);
        if ((part >= 0 && p != part) || rs_item_store_index(store, item, &index) != RS_OK)
            continue;
        if (!previous || strcmp(previous, user) != 0)
            n_users++, previous = user;
        users[m] = (uint32_t)(n_users - 1);
        items[m++] = index;
    }
    rs_clear_error();
    if (kind < 0 || m == 0) {
        free(users);
        free(items);
        return RS_OK;
    }
    s = rs_cf_matrix_create(n_users, rs_item_store_span(store), users, items, NULL, m, &matrix);
    free(users);
    free(items);
    if (s == RS_OK)
        s = rs_cf_model_create(kind, &model);
    if (s == RS_OK && template_model) { /* the saved model's options */
        static const int ints[] = {RS_CF_FACTORS, RS_CF_ITERATIONS, RS_CF_CG_STEPS, RS_CF_SEED,
                                   RS_CF_NEIGHBORS, RS_CF_MAX_ITEMS};
        static const int doubles[] = {RS_CF_ALPHA, RS_CF_LAMBDA, RS_CF_SHRINK,
                                      RS_CF_INIT_SCALE};
        for (size_t i = 0; s == RS_OK && i < sizeof ints / sizeof ints[0]; i++) {
            long long v;
            if (rs_cf_model_get_int(template_model, ints[i], &v) == RS_OK)
                s = rs_cf_model_set_int(model, ints[i], v);
        }
        for (size_t i = 0; s == RS_OK && i < sizeof doubles / sizeof doubles[0]; i++) {
            double v;
            if (rs_cf_model_get_double(template_model, doubles[i], &v) == RS_OK)
                s = rs_cf_model_set_double(model, doubles[i], v);
        }
    } else if (s == RS_OK) {
        if (o->lambda >= 0 && kind != RS_CF_ITEMKNN)
            s = rs_cf_model_set_double(model, RS_CF_LAMBDA, o->lambda);
        if (s == RS_OK && kind == RS_CF_ALS)
            s = rs_cf_model_set_int(model, RS_CF_FACTORS, o->factors);
        if (s == RS_OK && kind == RS_CF_ALS)
            s = rs_cf_model_set_int(model, RS_CF_ITERATIONS, o->iterations);
        if (s == RS_OK && kind == RS_CF_ITEMKNN)
            s = rs_cf_model_set_int(model, RS_CF_NEIGHBORS, o->neighbors);
    }
    if (s == RS_OK)
        s = rs_cf_model_fit(model, matrix);
    rs_cf_matrix_free(matrix);
    if (s != RS_OK) {
        rs_cf_model_free(model);
        return s;
    }
    *out = model;
    return RS_OK;
}

int cli_graph_events(const rs_graph *graph, const char *relation, rs_events **out)
{
    size_t span = rs_graph_node_span(graph), capacity = 256, n = 0;
    uint32_t only = RS_GRAPH_ANY_RELATION, *nodes = malloc(capacity * sizeof *nodes);
    float *weights = malloc(capacity * sizeof *weights);
    rs_events *events = NULL;
    int s = nodes && weights ? RS_OK : RS_ERR_NOMEM;
    *out = NULL;
    if (s == RS_OK && relation)
        s = rs_graph_find_relation(graph, relation, &only);
    if (s == RS_OK)
        s = rs_events_create(&events);
    for (uint32_t v = 0; s == RS_OK && v < span; v++) {
        const char *type, *user, *item_type, *item;
        if (rs_graph_node_key(graph, v, &type, &user) != RS_OK || strcmp(type, "user") != 0)
            continue;
        s = rs_graph_neighbors(graph, v, RS_GRAPH_OUT, only, "item", nodes, NULL, weights,
                               capacity, &n);
        if (s == RS_ERR_BUFFER) {
            uint32_t *more_nodes = realloc(nodes, n * sizeof *nodes);
            float *more_weights = more_nodes ? realloc(weights, n * sizeof *weights) : NULL;
            if (more_nodes)
                nodes = more_nodes;
            if (!more_weights) {
                s = RS_ERR_NOMEM;
                break;
            }
            weights = more_weights;
            capacity = n;
            s = rs_graph_neighbors(graph, v, RS_GRAPH_OUT, only, "item", nodes, NULL, weights,
                                   capacity, &n);
        }
        for (size_t e = 0; s == RS_OK && e < n; e++)
            if (rs_graph_node_key(graph, nodes[e], &item_type, &item) == RS_OK)
                s = rs_events_add(events, user, item, 0, weights[e]);
    }
    rs_clear_error();
    free(nodes);
    free(weights);
    if (s != RS_OK) {
        rs_events_free(events);
        return s;
    }
    *out = events;
    return RS_OK;
}

int cli_model_scorer(struct cli_model *m)
{
    int s;
    free(m->item_keys);
    m->n_items = rs_item_store_span(m->store);
    m->item_keys = calloc(m->n_items ? m->n_items : 1, sizeof *m->item_keys);
    if (!m->item_keys)
        return RS_ERR_NOMEM;
    for (size_t i = 0; i < m->n_items; i++) {
        const char *key = rs_item_store_key(m->store, (uint32_t)i);
        m->item_keys[i] = key ? key : "";
    }
    s = rs_scorer_create(m->graph, m->store, m->users, &m->scorer);
    if (s == RS_OK && m->cf)
        s = rs_scorer_set_collaborative(m->scorer, m->cf, m->item_keys, m->n_items);
    return s;
}

void cli_model_close(struct cli_model *m)
{
    rs_scorer_free(m->scorer);
    rs_cf_model_free(m->cf);
    rs_user_model_free(m->users);
    rs_item_store_free(m->store);
    rs_embedder_free(m->embedder);
    free(m->item_keys);
    if (m->owns_graph)
        rs_graph_close(m->graph);
    memset(m, 0, sizeof *m);
}

int cli_model_open(const char *path, const char *relation, struct cli_model *m)
{
    rs_events *events = NULL;
    int s;
    memset(m, 0, sizeof *m);
    if ((s = rs_graph_open(path, RS_GRAPH_READONLY, &m->graph)) != RS_OK)
        return cli_fail_status(s, "cannot open model %s", path);
    m->owns_graph = true;
    if ((s = rs_embedder_load(m->graph, NULL, NULL, &m->embedder)) != RS_OK ||
        (s = rs_item_store_load(m->graph, CLI_SPACE, &m->store)) != RS_OK) {
        if (s == RS_ERR_NOTFOUND)
            cli_fail("%s is not built yet: run 'recsim build %s' first", path, path);
        else
            cli_fail_status(s, "%s: reading the built model", path);
        cli_model_close(m);
        return CLI_FAILURE;
    }
    s = rs_cf_model_load(m->graph, CLI_CF, &m->cf);
    if (s == RS_ERR_NOTFOUND) {
        rs_clear_error();
        s = RS_OK;
    } else if (s == RS_OK && rs_cf_model_items(m->cf) != rs_item_store_span(m->store)) {
        cli_model_close(m);
        return cli_fail("%s: the collaborative model has %zu items but the store %zu: "
                        "run 'recsim build %s' again",
                        path, rs_cf_model_items(m->cf), rs_item_store_span(m->store), path);
    }
    if (s != RS_OK) {
        cli_model_close(m);
        return cli_fail_status(s, "%s: reading the collaborative model", path);
    }
    if ((s = cli_graph_events(m->graph, relation, &events)) != RS_OK ||
        (s = cli_user_model(events, -1, m->store, relation, &m->users, &m->n_events)) != RS_OK ||
        (s = cli_model_scorer(m)) != RS_OK) {
        rs_events_free(events);
        cli_model_close(m);
        return cli_fail_status(s, "%s: assembling the recommender", path);
    }
    rs_events_free(events);
    return CLI_OK;
}

const char *cli_item_title(const rs_graph *graph, const char *key, char *buf, size_t size)
{
    uint32_t node;
    size_t len;
    if (rs_graph_find_node(graph, "item", key, &node) == RS_OK)
        for (size_t p = 0; p < sizeof text_properties / sizeof text_properties[0]; p++)
            if (rs_graph_get_property(graph, node, text_properties[p], buf, size, &len) ==
                RS_OK)
                return buf;
    rs_clear_error();
    snprintf(buf, size, "%s", key);
    return buf;
}
