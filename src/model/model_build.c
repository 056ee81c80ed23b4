/*
 * model_build.c - fitting a recommender from a graph (rs__model_fit: text
 * embedder, item vectors, collaborative model, user model, scorer) and
 * rs_model_build, which fits on the model's graph and saves every part and
 * the options in one transaction.
 */
#include "model/model_internal.h"
#include "store/store.h"

#include "core/alloc.h"
#include "core/error.h"
#include "graph/graph_internal.h"
#include "items/items_internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ histories */

void rs__model_events_free(struct rs__model_events *ev)
{
    if (!ev)
        return;
    free(ev->user);
    free(ev->item);
    free(ev->relation);
    free(ev->weight);
    free(ev->time);
    memset(ev, 0, sizeof *ev);
}

static int events_push(struct rs__model_events *ev, size_t *capacity, uint32_t user,
                       uint32_t item, uint32_t relation, double weight, int64_t time)
{
    if (ev->n == *capacity) {
        size_t cap = *capacity ? *capacity * 2 : 1024;
        uint32_t *u = rs__realloc_array(ev->user, cap, sizeof *u);
        uint32_t *i = u ? rs__realloc_array(ev->item, cap, sizeof *i) : NULL;
        uint32_t *r = i ? rs__realloc_array(ev->relation, cap, sizeof *r) : NULL;
        double *w = r ? rs__realloc_array(ev->weight, cap, sizeof *w) : NULL;
        int64_t *t = w ? rs__realloc_array(ev->time, cap, sizeof *t) : NULL;
        if (u)
            ev->user = u;
        if (i)
            ev->item = i;
        if (r)
            ev->relation = r;
        if (w)
            ev->weight = w;
        if (!t)
            return rs_errcode();
        ev->time = t;
        *capacity = cap;
    }
    ev->user[ev->n] = user;
    ev->item[ev->n] = item;
    ev->relation[ev->n] = relation;
    ev->weight[ev->n] = weight;
    ev->time[ev->n] = time;
    ev->n++;
    return RS_OK;
}

/*
 * One SQL scan of the edges table gives every edge with its own time (the
 * per-edge queries of rs_events_from_graph cost seconds on a large log);
 * node ids map to indices through the graph, relation ids to indices by
 * name.
 */
int rs__model_events_read(rs_graph *graph, const char *relation,
                          struct rs__model_events *out)
{
    static const char sql[] = "SELECT e.src, e.dst, r.name, e.weight, e.ts FROM edges e"
                              " JOIN relations r ON r.id = e.rel ORDER BY e.src, e.ts, e.dst";
    sqlite3 *db = rs__graph_db(graph);
    sqlite3_stmt *st = NULL;
    uint32_t user_type = rs__graph_type_find(graph, "user");
    uint32_t item_type = rs__graph_type_find(graph, "item");
    uint32_t only = RS_GRAPH_ANY_RELATION;
    size_t capacity = 0;
    int rc, s = RS_OK;
    memset(out, 0, sizeof *out);
    if (relation && relation[0] && (s = rs_graph_find_relation(graph, relation, &only)) != RS_OK)
        return rs__fail(s, "history relation \"%s\" is not in the graph", relation);
    if (user_type == UINT32_MAX || item_type == UINT32_MAX)
        return RS_OK; /* no users or no items: no history */
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return rs__graph_db_fail(db, "reading the interaction edges");
    while (s == RS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t src, dst, rel;
        const char *name = (const char *)sqlite3_column_text(st, 2);
        if (!name && sqlite3_errcode(db) == SQLITE_NOMEM) { /* not a skipped edge */
            s = rs__graph_db_fail(db, "reading the interaction edges");
            break;
        }
        if (rs__graph_node_from_rowid(graph, sqlite3_column_int64(st, 0), &src) != RS_OK ||
            rs__graph_node_from_rowid(graph, sqlite3_column_int64(st, 1), &dst) != RS_OK ||
            rs__graph_node_type(graph, src) != user_type ||
            rs__graph_node_type(graph, dst) != item_type || !name ||
            rs_graph_find_relation(graph, name, &rel) != RS_OK)
            continue;
        if (only != RS_GRAPH_ANY_RELATION && rel != only)
            continue;
        s = events_push(out, &capacity, src, dst, rel, sqlite3_column_double(st, 3),
                        sqlite3_column_int64(st, 4));
    }
    if (s == RS_OK && rc != SQLITE_DONE)
        s = rs__graph_db_fail(db, "reading the interaction edges");
    sqlite3_finalize(st);
    if (s != RS_OK)
        rs__model_events_free(out);
    rs_clear_error(); /* the skipped lookups above */
    if (s != RS_OK)
        return rs__fail(s, "reading the interaction edges: %s", rs_strerror(s));
    return RS_OK;
}

/*
 * The one history rule: every event, with its own time and weight (a
 * non-positive weight counts as 1, as 1.0 did), named by its relation.
 */
static int users_from_events(const rs_graph *graph, const struct rs__model_events *ev,
                             const rs_item_store *store, struct rs__progress *pr,
                             rs_user_model **out)
{
    rs_user_model *users = NULL;
    int s = rs_user_model_create(store, &users);
    *out = NULL;
    rs__progress_stage(pr, "history", ev->n);
    for (size_t i = 0; s == RS_OK && i < ev->n; i++) {
        rs__progress_set(pr, i);
        const char *type, *user, *item;
        const char *event = rs_graph_relation_name(graph, ev->relation[i]);
        double weight = ev->weight[i] > 0 ? ev->weight[i] : 1.0;
        if ((s = rs_graph_node_key(graph, ev->user[i], &type, &user)) != RS_OK ||
            (s = rs_graph_node_key(graph, ev->item[i], &type, &item)) != RS_OK)
            break;
        s = rs_user_model_observe(users, user, item, event, weight, ev->time[i]);
        if (s == RS_ERR_NOTFOUND) { /* an item the store does not hold */
            rs_clear_error();
            s = RS_OK;
        }
    }
    if (s != RS_OK) {
        rs_user_model_free(users);
        return rs__fail_context("building the user model from the graph's history: ");
    }
    rs__progress_end(pr);
    *out = users;
    return RS_OK;
}

int rs__model_users_from_events(const rs_graph *graph, const struct rs__model_events *ev,
                                const rs_item_store *store, rs_user_model **out)
{
    return users_from_events(graph, ev, store, NULL, out);
}

/* ------------------------------------------------------------ fitting */

struct catalogue {
    char **keys, **texts;
    uint32_t *nodes;
    size_t n, n_texts;
};

static void catalogue_free(struct catalogue *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->keys[i]);
        free(c->texts[i]);
    }
    free(c->keys);
    free(c->texts);
    free(c->nodes);
    memset(c, 0, sizeof *c);
}

/* The items of the graph in node order, with their texts. */
static int catalogue_read(const rs_graph *graph, struct catalogue *c)
{
    size_t span = rs_graph_node_span(graph), count = 0;
    uint32_t item_type = rs__graph_type_find(graph, "item");
    int s = RS_OK;
    memset(c, 0, sizeof *c);
    if (item_type == UINT32_MAX || rs_graph_node_count(graph, "item", &count) != RS_OK ||
        count == 0)
        return rs__fail(RS_ERR_NOTFOUND,
                        "the graph has no item nodes: import interactions or a catalogue first");
    c->keys = rs__calloc(count, sizeof *c->keys);
    c->texts = rs__calloc(count, sizeof *c->texts);
    c->nodes = rs__calloc(count, sizeof *c->nodes);
    if (!c->keys || !c->texts || !c->nodes) {
        catalogue_free(c);
        return RS_ERR_NOMEM;
    }
    for (uint32_t node = 0; s == RS_OK && node < span && c->n < count; node++) {
        const char *type, *key;
        char *text = NULL;
        if (rs__graph_node_type(graph, node) != item_type ||
            rs_graph_node_key(graph, node, &type, &key) != RS_OK)
            continue;
        if (!(c->keys[c->n] = rs__strdup(key))) {
            s = RS_ERR_NOMEM;
            break;
        }
        s = rs__graph_node_text_dup(graph, node, &text);
        c->nodes[c->n] = node;
        c->texts[c->n++] = text;
        c->n_texts += text != NULL;
    }
    if (s != RS_OK) {
        catalogue_free(c);
        return rs__fail_context("reading the catalogue: ");
    }
    rs_clear_error(); /* the absent properties */
    return RS_OK;
}

/* The embedder fitted on the items' texts. */
static int fit_embedder(const struct catalogue *c, const struct rs__model_options *o,
                        struct rs__progress *pr, rs_embedder **out)
{
    rs_embedder *embedder = NULL;
    const char **texts = NULL;
    size_t n = 0;
    int s = rs_embedder_create_hashing(&embedder);
    rs__progress_stage(pr, "embedder", c->n_texts); /* one call: its start and end */
    if (s == RS_OK)
        s = rs__model_options_apply_embedder(o, embedder);
    /* No item has a text: every item vector is zero (the graph rounds blend
     * zeros), and so is every user's interest, which costs 4 x dim bytes a
     * user in memory and in the file (10 GB for 10 M users at 256): the
     * smallest dimension says the same, unless the caller chose one. */
    if (s == RS_OK && c->n_texts == 0 && !rs__model_options_explicit(o, "embedder.dim"))
        s = rs_embedder_set_int(embedder, RS_EMBEDDER_DIM, RS__MODEL_TEXTLESS_DIM);
    if (s == RS_OK && c->n_texts) {
        if (!(texts = rs__alloc_array(c->n_texts, sizeof *texts)))
            s = RS_ERR_NOMEM;
        for (size_t i = 0; texts && i < c->n; i++)
            if (c->texts[i])
                texts[n++] = c->texts[i];
        if (s == RS_OK)
            s = rs_embedder_fit(embedder, texts, n);
        free(texts);
    }
    if (s != RS_OK) {
        rs_embedder_free(embedder);
        return rs__fail_context("fitting the text embedder: ");
    }
    rs__progress_end(pr);
    *out = embedder;
    return RS_OK;
}

#define EMBED_CHUNK 16384 /* items embedded between two reports */

/* The item vectors (graph-aware with RS_EMBEDDER_GRAPH_ROUNDS > 0), item i
 * of the catalogue at store index i. */
static int embed_items(const rs_embedder *embedder, const rs_graph *graph,
                       const struct catalogue *c, struct rs__progress *pr, rs_item_store **out)
{
    size_t dim = rs_embedder_dim(embedder), cells;
    int64_t rounds = 0;
    float *vectors = NULL;
    const char **texts = NULL;
    rs_item_store *store = NULL;
    int s = rs__mul_size(c->n, dim, &cells);
    if (s == RS_OK && !(vectors = rs__alloc_array(cells, sizeof *vectors)))
        s = RS_ERR_NOMEM;
    if (s == RS_OK && !(texts = rs__alloc_array(c->n, sizeof *texts)))
        s = RS_ERR_NOMEM;
    for (size_t i = 0; s == RS_OK && i < c->n; i++)
        texts[i] = c->texts[i] ? c->texts[i] : "";
    if (s == RS_OK)
        s = rs_embedder_get_int(embedder, RS_EMBEDDER_GRAPH_ROUNDS, &rounds);
    rs__progress_stage(pr, "items", c->n);
    if (s == RS_OK && rounds > 0)
        s = rs_embedder_embed_graph(embedder, graph, "item", (const char *const *)c->keys,
                                    (const char *const *)c->texts, c->n, NULL, 0, vectors, dim);
    /* in chunks, to report between them: each text's vector is its own */
    for (size_t i = 0; s == RS_OK && rounds <= 0 && i < c->n; i += EMBED_CHUNK) {
        size_t n = c->n - i < EMBED_CHUNK ? c->n - i : EMBED_CHUNK;
        s = rs_embedder_embed_batch(embedder, texts + i, n, vectors + i * dim, dim);
        rs__progress_set(pr, i + n < c->n ? i + n : c->n - 1); /* the store still to fill */
    }
    if (s == RS_OK)
        s = rs_item_store_create(dim, &store);
    for (size_t i = 0; s == RS_OK && i < c->n; i++)
        s = rs_item_store_add(store, c->keys[i], vectors + i * dim, dim, NULL);
    /* an approximate index for large catalogues (issue 20); not when no item
     * has a text: the vectors are all zero, k-means has nothing to cluster
     * (and took 20 s of a 200k-item build) */
    if (s == RS_OK && c->n_texts > 0)
        s = rs__item_store_default_index(store);
    if (s == RS_OK)
        rs__progress_end(pr);
    free(vectors);
    free(texts);
    if (s != RS_OK) {
        rs_item_store_free(store);
        return rs__fail_context("embedding the items: ");
    }
    *out = store;
    return RS_OK;
}

/* The collaborative model of the kind "build.cf" chooses, on the events
 * (binary, users in event order, item i = store index i); NULL when the
 * kind is none or there is no event. */
/* The one index space: the collaborative model's item i is store index i,
 * and the model carries the store's keys to say so (saved with it).  A
 * store with a hole (a deleted item) leaves the model without keys: the
 * scorer then takes the store's key array, as for a 1.0 file. */
static int carry_store_keys(rs_cf_model *cf, const rs_item_store *store)
{
    size_t n = rs_cf_model_items(cf);
    const char **keys = rs__alloc_array(n ? n : 1, sizeof *keys);
    int s = keys ? RS_OK : RS_ERR_NOMEM;
    bool whole = n == rs_item_store_span(store);
    for (size_t i = 0; s == RS_OK && whole && i < n; i++)
        whole = (keys[i] = rs_item_store_key(store, (uint32_t)i)) != NULL;
    if (s == RS_OK && whole)
        s = rs_cf_model_set_item_keys(cf, keys, n);
    free(keys);
    return s;
}

int rs__model_fit_cf(const rs_graph *graph, const struct rs__model_events *ev,
                     const rs_item_store *store, const struct rs__model_options *o,
                     rs_cf_model **out)
{
    int kind = rs__model_options_cf_kind(o), s = RS_OK;
    uint32_t *users = NULL, *items = NULL;
    size_t m = 0, n_users = 0;
    rs_cf_matrix *matrix = NULL;
    rs_cf_model *model = NULL;
    *out = NULL;
    if (kind < 0 || ev->n == 0)
        return RS_OK;
    users = rs__alloc_array(ev->n, sizeof *users);
    items = users ? rs__alloc_array(ev->n, sizeof *items) : NULL;
    if (!items) {
        free(users);
        return RS_ERR_NOMEM;
    }
    for (size_t i = 0, last_user = 0; i < ev->n; i++) {
        const char *type, *key;
        uint32_t index;
        if (rs_graph_node_key(graph, ev->item[i], &type, &key) != RS_OK ||
            rs_item_store_index(store, key, &index) != RS_OK)
            continue;
        if (m == 0 || ev->user[i] != last_user)
            n_users++, last_user = ev->user[i];
        users[m] = (uint32_t)(n_users - 1);
        items[m++] = index;
    }
    rs_clear_error();
    if (m > 0)
        s = rs_cf_matrix_create(n_users, rs_item_store_span(store), users, items, NULL, m,
                                &matrix);
    free(users);
    free(items);
    if (m == 0)
        return RS_OK;
    if (s == RS_OK)
        s = rs_cf_model_create(kind, &model);
    if (s == RS_OK)
        s = rs__model_options_apply_cf(o, model);
    if (s == RS_OK)
        s = rs_cf_model_fit(model, matrix);
    rs_cf_matrix_free(matrix);
    if (s != RS_OK) {
        rs_cf_model_free(model);
        return rs__fail_context("fitting the collaborative model: ");
    }
    if ((s = carry_store_keys(model, store)) != RS_OK) {
        rs_cf_model_free(model);
        return rs__fail_context("the collaborative model's item keys: ");
    }
    *out = model;
    return RS_OK;
}

int rs__model_parts_assemble(const rs_graph *graph, const struct rs__model_options *o,
                             struct rs__model_parts *p)
{
    int s;
    free(p->item_keys);
    p->item_keys = NULL;
    rs_scorer_free(p->scorer);
    p->scorer = NULL;
    p->n_items = rs_item_store_span(p->store);
    if (!(p->item_keys = rs__calloc(p->n_items ? p->n_items : 1, sizeof *p->item_keys)))
        return RS_ERR_NOMEM;
    for (size_t i = 0; i < p->n_items; i++) {
        const char *key = rs_item_store_key(p->store, (uint32_t)i);
        p->item_keys[i] = key ? key : "";
    }
    if (p->cf && rs_cf_model_items(p->cf) != p->n_items)
        return rs__fail(RS_ERR_CORRUPT,
                        "the collaborative model has %zu items but the item store %zu: "
                        "build the model again",
                        rs_cf_model_items(p->cf), p->n_items);
    /* a model that carries keys must carry the store's, in its order */
    for (size_t i = 0; p->cf && rs_cf_model_item_key(p->cf, 0) && i < p->n_items; i++)
        if (strcmp(rs_cf_model_item_key(p->cf, (uint32_t)i), p->item_keys[i]) != 0)
            return rs__fail(RS_ERR_CORRUPT,
                            "the collaborative model's item %zu is \"%s\", the item store's "
                            "\"%s\": build the model again",
                            i, rs_cf_model_item_key(p->cf, (uint32_t)i), p->item_keys[i]);
    s = rs_scorer_create(graph, p->store, p->users, &p->scorer);
    if (s == RS_OK && p->cf)
        s = rs_cf_model_item_key(p->cf, 0)
                ? rs_scorer_set_collaborative(p->scorer, p->cf, NULL, 0)
                : rs_scorer_set_collaborative(p->scorer, p->cf, p->item_keys, p->n_items);
    if (s == RS_OK)
        s = rs__model_options_apply_scorer(o, p->scorer);
    if (s != RS_OK) {
        rs_scorer_free(p->scorer);
        p->scorer = NULL;
        return rs__fail_context("assembling the scorer: ");
    }
    return RS_OK;
}

void rs__model_parts_free(struct rs__model_parts *p)
{
    if (!p)
        return;
    rs_scorer_free(p->scorer);
    rs_user_model_free(p->users);
    rs_cf_model_free(p->cf);
    rs_item_store_free(p->store);
    rs_embedder_free(p->embedder);
    free(p->item_keys);
    memset(p, 0, sizeof *p);
}

int rs__model_fit(rs_graph *graph, const struct rs__model_options *o,
                  struct rs__model_parts *out)
{
    return rs__model_fit_progress(graph, o, NULL, out);
}

int rs__model_fit_progress(rs_graph *graph, const struct rs__model_options *o,
                           struct rs__progress *pr, struct rs__model_parts *out)
{
    struct rs__model_parts p;
    struct catalogue c;
    struct rs__model_events ev;
    int s;
    memset(&p, 0, sizeof p);
    memset(&ev, 0, sizeof ev);
    if (!graph || !o || !out)
        return rs__fail(RS_ERR_INVALID, "rs__model_fit: NULL argument");
    memset(out, 0, sizeof *out);
    if ((s = catalogue_read(graph, &c)) != RS_OK)
        return s;
    s = fit_embedder(&c, o, pr, &p.embedder);
    if (s == RS_OK)
        s = embed_items(p.embedder, graph, &c, pr, &p.store);
    catalogue_free(&c);
    if (s == RS_OK)
        s = rs__model_events_read(graph, rs__model_opt_text(o, "build.relation"), &ev);
    if (s == RS_OK && rs__model_options_cf_kind(o) >= 0) {
        rs__progress_stage(pr, "cf", ev.n); /* one call: its start and end */
        s = rs__model_fit_cf(graph, &ev, p.store, o, &p.cf);
        if (s == RS_OK)
            rs__progress_end(pr);
    }
    if (s == RS_OK)
        s = users_from_events(graph, &ev, p.store, pr, &p.users);
    rs__model_events_free(&ev);
    if (s == RS_OK)
        s = rs__model_parts_assemble(graph, o, &p);
    if (s != RS_OK) {
        rs__model_parts_free(&p);
        return s;
    }
    *out = p;
    return RS_OK;
}

/* ------------------------------------------------------------ build */

int rs__model_exec(rs_graph *graph, const char *sql, const char *what)
{
    sqlite3 *db = rs__graph_db(graph);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return rs__graph_db_fail(db, what);
    return RS_OK;
}

/* A failure inside the model's savepoint: undo it, keep the first status
 * and message. */
int rs__model_rollback(rs_graph *graph, const char *savepoint, int status)
{
    char sql[96];
    rs_error_state saved;
    rs__error_save(&saved);
    snprintf(sql, sizeof sql, "ROLLBACK TO %s", savepoint);
    sqlite3_exec(rs__graph_db(graph), sql, NULL, NULL, NULL);
    snprintf(sql, sizeof sql, "RELEASE %s", savepoint);
    sqlite3_exec(rs__graph_db(graph), sql, NULL, NULL, NULL);
    rs__error_restore(&saved);
    return status;
}

/* Every part and the options, inside the caller's transaction. */
static int save_parts(rs_model *m, const struct rs__model_parts *p,
                      const struct rs__model_options *o, const char *report)
{
    int s = rs_embedder_save(p->embedder, m->graph);
    if (s == RS_OK)
        s = rs_item_store_save(p->store, m->graph, RS__MODEL_SPACE);
    if (s == RS_OK && p->cf)
        s = rs_cf_model_save(p->cf, m->graph, RS__MODEL_CF);
    if (s == RS_OK && !p->cf) /* a model of an earlier build must not come back */
        s = rs__model_exec(m->graph, "DELETE FROM meta WHERE key = '" RS__CF_MODEL_FIELD ":" RS__MODEL_CF "'",
                           "removing the earlier collaborative model");
    if (s == RS_OK)
        s = rs_user_model_save(p->users, m->graph, RS__MODEL_USERS);
    if (s == RS_OK)
        s = rs__model_options_save(o, m->graph);
    if (s == RS_OK && report)
        s = rs__graph_meta_set(m->graph, RS__MODEL_TUNING_KEY, report, strlen(report));
    if (s == RS_OK && !report) /* the report of an earlier build no longer holds */
        s = rs__model_exec(m->graph, "DELETE FROM meta WHERE key = '" RS__MODEL_TUNING_KEY "'",
                           "removing the earlier selection report");
    /* Last: any later write to the edges would delete it again. */
    if (s == RS_OK)
        s = rs__graph_snapshot_save(m->graph);
    return s;
}

static int build_locked(rs_model *model);

/* The whole build, from the first read of the graph to the commit, holds
 * the write lock (model_write.c): no other writer's import can land between
 * what was fitted and what is saved. */
int rs_model_build(rs_model *model)
{
    bool owned;
    int s = rs__model_write_enter(model, "rs_model_build", &owned);
    if (s != RS_OK)
        return s;
    return rs__model_write_leave(model, "rs_model_build", owned, build_locked(model));
}

static int build_locked(rs_model *model)
{
    struct rs__model_parts p;
    struct rs__model_options chosen;
    struct rs__progress pr;
    char *report = NULL;
    int s;
    rs__progress_init(&pr, model);
    /* The configuration: chosen on validation (model_tune.c) or as set. */
    s = rs__model_opt_int(&model->options, "build.tune")
            ? rs__model_tune(model, &chosen, &report)
            : rs__model_scale_untuned(model, NULL, &chosen, &report);
    if (s != RS_OK)
        return rs__fail_context("building %s: ", model->path);
    if ((s = rs__model_fit_progress(model->graph, &chosen, &pr, &p)) != RS_OK) {
        rs__model_options_free(&chosen);
        free(report);
        return rs__fail_context("building %s: ", model->path);
    }
    if ((s = rs__model_exec(model->graph, "SAVEPOINT rs_model_build",
                            "building: starting the transaction")) == RS_OK &&
        (s = save_parts(model, &p, &chosen, report)) != RS_OK) {
        rs__fail_context("building %s: saving (the file is unchanged): ", model->path);
        s = rs__model_rollback(model->graph, "rs_model_build", s);
    } else if (s == RS_OK &&
               (s = rs__model_exec(model->graph, "RELEASE rs_model_build",
                                   "building: committing")) != RS_OK) {
        s = rs__model_rollback(model->graph, "rs_model_build", s);
    }
    free(report);
    /* Saving may have touched the graph (item nodes): the scorer of the
     * fit must see the graph as it is now. */
    if (s == RS_OK)
        s = rs__model_parts_assemble(model->graph, &chosen, &p);
    if (s != RS_OK) {
        rs__model_parts_free(&p);
        rs__model_options_free(&chosen);
        return s;
    }
    rs__model_options_free(&model->options);
    model->options = chosen;
    rs__model_adopt(model, &p);
    return RS_OK;
}

int rs_model_tuning(const rs_model *model, char *buf, size_t capacity, size_t *len_out)
{
    void *value = NULL;
    size_t len = 0;
    int s;
    if (!model || (!buf && capacity))
        return rs__fail(RS_ERR_INVALID, "rs_model_tuning: NULL argument");
    s = rs__graph_meta_get(model->graph, RS__MODEL_TUNING_KEY, &value, &len);
    if (s == RS_ERR_NOTFOUND)
        return rs__fail(RS_ERR_NOTFOUND, "rs_model_tuning: %s was not built with the "
                        "validation-based selection (build.tune)", model->path);
    if (s != RS_OK)
        return s;
    if (len_out)
        *len_out = len;
    if (len >= capacity) {
        free(value);
        return rs__fail(RS_ERR_BUFFER, "rs_model_tuning: %zu bytes needed, %zu given", len + 1,
                        capacity);
    }
    memcpy(buf, value, len);
    buf[len] = '\0';
    free(value);
    return RS_OK;
}
