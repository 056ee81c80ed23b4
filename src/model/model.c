/*
 * model.c - the rs_model handle: open (reading a built model back without
 * refitting: embedder, item store, collaborative model, user model, options,
 * then the scorer), close, the counts, the one index space and the borrowed
 * handles.
 */
#include "model/model_internal.h"

#include "core/alloc.h"
#include "core/error.h"
#include "graph/graph_internal.h"
#include "learn/cf_internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ open */

/* Is a user model saved under name?  (rs_user_model_load's NOTFOUND also
 * means "a history item is not in the store", which is damage.) */
static bool user_model_saved(rs_graph *graph, const char *name)
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(rs__graph_db(graph), "SELECT 1 FROM user_models WHERE name = ?1", -1,
                           &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return false; /* no table: a file that never saved a user model */
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* The user model the file holds, or for a file without one (release 1.0)
 * the one of the history rule, over store. */
int rs__model_users_load(rs_model *m, const rs_item_store *store, rs_user_model **out)
{
    struct rs__model_events ev;
    int s;
    if (user_model_saved(m->graph, RS__MODEL_USERS)) {
        if ((s = rs_user_model_load(m->graph, RS__MODEL_USERS, store, out)) != RS_OK)
            return rs__fail_context("reading the user model: ");
        return RS_OK;
    }
    s = rs__model_events_read(m->graph, rs__model_opt_text(&m->options, "build.relation"), &ev);
    if (s == RS_OK)
        s = rs__model_users_from_events(m->graph, &ev, store, out);
    rs__model_events_free(&ev);
    return s;
}

/*
 * The built parts of the file, or none (RS_OK, p all NULL) when it holds no
 * build.  A file written by 1.0 has no saved user model: it is rebuilt from
 * the graph's history by the one history rule.
 */
static int load_parts(rs_model *m, struct rs__model_parts *p)
{
    int s;
    memset(p, 0, sizeof *p);
    s = rs_item_store_load(m->graph, RS__MODEL_SPACE, &p->store);
    if (s == RS_ERR_NOTFOUND) { /* not built */
        rs_clear_error();
        return RS_OK;
    }
    if (s != RS_OK)
        return rs__fail_context("%s: reading the item vectors: ", m->path);
    if ((s = rs_embedder_load(m->graph, NULL, NULL, &p->embedder)) != RS_OK) {
        rs__model_parts_free(p);
        return rs__fail_context("%s: reading the text embedder: ", m->path);
    }
    s = m->flags & RS_MODEL_READONLY ? rs__cf_model_load_rows(m->graph, RS__MODEL_CF, &p->cf)
                                      : rs_cf_model_load(m->graph, RS__MODEL_CF, &p->cf);
    if (s == RS_ERR_NOTFOUND) {
        rs_clear_error();
    } else if (s != RS_OK) {
        rs__model_parts_free(p);
        return rs__fail_context("%s: reading the collaborative model: ", m->path);
    }
    if ((s = rs__model_users_load(m, p->store, &p->users)) != RS_OK) {
        rs__model_parts_free(p);
        return rs__fail_context("%s: ", m->path);
    }
    if ((s = rs__model_parts_assemble(m->graph, &m->options, p)) != RS_OK) {
        rs__model_parts_free(p);
        return rs__fail_context("%s: ", m->path);
    }
    return RS_OK;
}

int rs_model_open(const char *path, int flags, rs_model **out)
{
    rs_model *m;
    struct rs__model_parts p;
    unsigned graph_flags = 0;
    int s;
    if (out)
        *out = NULL;
    if (!path || !out)
        return rs__fail(RS_ERR_INVALID, "rs_model_open: NULL %s", path ? "out" : "path");
    if ((flags & ~(RS_MODEL_READONLY | RS_MODEL_CREATE)) ||
        (flags & RS_MODEL_READONLY && flags & RS_MODEL_CREATE))
        return rs__fail(RS_ERR_INVALID, "rs_model_open: bad flags %d (RS_MODEL_READONLY, "
                        "RS_MODEL_CREATE or 0; not both)", flags);
    if (flags & RS_MODEL_READONLY)
        graph_flags = RS_GRAPH_READONLY;
    else if (flags & RS_MODEL_CREATE)
        graph_flags = RS_GRAPH_CREATE;
    if (!(m = rs__calloc(1, sizeof *m)))
        return RS_ERR_NOMEM;
    rs__model_options_init(&m->options);
    m->flags = flags;
    if (!(m->path = rs__strdup(path))) {
        rs_model_close(m);
        return RS_ERR_NOMEM;
    }
    if ((s = rs_graph_open(path, graph_flags, &m->graph)) != RS_OK) {
        rs_model_close(m);
        return rs__fail_context("opening model %s: ", path);
    }
    if ((s = rs__model_options_load(&m->options, m->graph)) != RS_OK) {
        rs_model_close(m);
        return rs__fail_context("%s: reading the options: ", path);
    }
    if ((s = load_parts(m, &p)) != RS_OK) {
        rs_model_close(m);
        return s;
    }
    rs__model_adopt(m, &p);
    *out = m;
    return RS_OK;
}

void rs_model_close(rs_model *model)
{
    struct rs__model_parts none;
    if (!model)
        return;
    memset(&none, 0, sizeof none);
    rs__model_adopt(model, &none);
    rs_graph_close(model->graph);
    rs__model_options_free(&model->options);
    rs__model_sim_host_clear(model);
    free(model->path);
    free(model);
}

void rs__model_adopt(rs_model *m, struct rs__model_parts *p)
{
    /* The scorer borrows everything else: it goes first. */
    rs_scorer_free(m->scorer);
    rs_user_model_free(m->users);
    rs_cf_model_free(m->cf);
    rs_item_store_free(m->store);
    rs_embedder_free(m->embedder);
    free(m->item_keys);
    m->embedder = p->embedder;
    m->store = p->store;
    m->cf = p->cf;
    m->users = p->users;
    m->scorer = p->scorer;
    m->item_keys = p->item_keys;
    m->n_items = p->n_items;
    memset(p, 0, sizeof *p);
}

int rs__model_check_built(const rs_model *m)
{
    if (!m->scorer)
        return rs__fail(RS_ERR_STATE, "model %s is not built: run rs_model_build "
                        "('recsim build %s') first", m->path, m->path);
    return RS_OK;
}

int rs__model_remake_scorer(rs_model *m)
{
    struct rs__model_parts p;
    int s;
    if (!m->store)
        return RS_OK;
    p.embedder = m->embedder;
    p.store = m->store;
    p.cf = m->cf;
    p.users = m->users;
    p.scorer = m->scorer;
    p.item_keys = m->item_keys;
    p.n_items = m->n_items;
    s = rs__model_parts_assemble(m->graph, &m->options, &p);
    m->scorer = p.scorer;
    m->item_keys = p.item_keys;
    return s;
}

int rs_model_is_built(const rs_model *model)
{
    return model && model->scorer ? 1 : 0;
}

/* ------------------------------------------------------------ counts */

static size_t count_events(const rs_graph *graph, bool distinct_users)
{
    rs__graph_csr out;
    uint32_t user_type = rs__graph_type_find(graph, "user");
    uint32_t item_type = rs__graph_type_find(graph, "item");
    size_t n = 0;
    if (user_type == UINT32_MAX || item_type == UINT32_MAX ||
        rs__graph_adjacency(graph, RS_GRAPH_OUT, &out) != RS_OK)
        return 0;
    for (uint32_t v = 0; v < out.nodes; v++) {
        size_t mine = 0;
        if (rs__graph_node_type(graph, v) != user_type)
            continue;
        for (uint32_t e = out.start[v]; e < out.start[v] + out.degree[v]; e++)
            mine += rs__graph_node_type(graph, out.target[e]) == item_type;
        n += distinct_users ? mine > 0 : mine;
    }
    return n;
}

size_t rs_model_count(const rs_model *model, int kind)
{
    size_t n = 0;
    if (!model)
        return 0;
    switch (kind) {
    case RS_MODEL_COUNT_ITEMS:
        return model->n_items;
    case RS_MODEL_COUNT_USERS:
        if (rs_graph_node_count(model->graph, "user", &n) != RS_OK) {
            rs_clear_error();
            n = 0;
        }
        return n;
    case RS_MODEL_COUNT_EVENTS:
        return count_events(model->graph, false);
    case RS_MODEL_COUNT_USERS_WITH_HISTORY:
        return model->users ? rs_user_model_count(model->users) : 0;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------ index space */

size_t rs_model_item_count(const rs_model *model)
{
    return model ? model->n_items : 0;
}

const char *rs_model_item_key(const rs_model *model, uint32_t index)
{
    if (!model || index >= model->n_items)
        return NULL;
    return model->item_keys[index];
}

int rs_model_item_index(const rs_model *model, const char *key, uint32_t *index_out)
{
    int s;
    if (!model || !key || !index_out)
        return rs__fail(RS_ERR_INVALID, "rs_model_item_index: NULL %s",
                        !model ? "model" : !key ? "key" : "index_out");
    if ((s = rs__model_check_built(model)) != RS_OK)
        return s;
    if (rs_item_store_index(model->store, key, index_out) != RS_OK)
        return rs__fail(RS_ERR_NOTFOUND, "model %s has no item \"%s\"", model->path, key);
    return RS_OK;
}

int rs_model_users(const rs_model *model, size_t *cursor, const char **keys_out,
                   size_t capacity, size_t *n_out)
{
    size_t span, n = 0, v;
    uint32_t user_type;
    rs_error_state saved;
    int s;
    if (!model || !cursor || !keys_out || !n_out || capacity == 0)
        return rs__fail(RS_ERR_INVALID, "rs_model_users: %s",
                        capacity == 0 && model && cursor && keys_out && n_out
                            ? "capacity 0"
                            : "NULL argument");
    *n_out = 0;
    if ((s = rs__model_check_built(model)) != RS_OK)
        return s;
    span = rs_graph_node_span(model->graph);
    user_type = rs__graph_type_find(model->graph, "user");
    if (user_type == UINT32_MAX) {
        *cursor = span;
        return RS_OK;
    }
    /* A user the user model does not know fails the history call: its
     * message is not the caller's business. */
    rs__error_save(&saved);
    for (v = *cursor; v < span && n < capacity; v++) {
        const char *key = NULL;
        size_t events = 0;
        if (rs__graph_node_type(model->graph, (uint32_t)v) != user_type ||
            rs_graph_node_key(model->graph, (uint32_t)v, NULL, &key) != RS_OK)
            continue;
        s = rs_user_model_history(model->users, key, NULL, NULL, 0, &events);
        if (s == RS_OK || s == RS_ERR_BUFFER)
            keys_out[n++] = key;
    }
    rs__error_restore(&saved);
    *cursor = v;
    *n_out = n;
    return RS_OK;
}

int rs_model_set_progress(rs_model *model, rs_model_progress_fn fn, void *user_data)
{
    if (!model)
        return rs__fail(RS_ERR_INVALID, "rs_model_set_progress: NULL model");
    model->progress = fn;
    model->progress_data = user_data;
    return RS_OK;
}

/* ------------------------------------------------------------ borrowed */

rs_graph *rs_model_graph(rs_model *model)
{
    return model ? model->graph : NULL;
}

const rs_item_store *rs_model_item_store(const rs_model *model)
{
    return model ? model->store : NULL;
}

rs_user_model *rs_model_user_model(rs_model *model)
{
    return model ? model->users : NULL;
}

const rs_cf_model *rs_model_cf_model(const rs_model *model)
{
    return model ? model->cf : NULL;
}

const rs_embedder *rs_model_embedder(const rs_model *model)
{
    return model ? model->embedder : NULL;
}

rs_scorer *rs_model_scorer(rs_model *model)
{
    return model ? model->scorer : NULL;
}
