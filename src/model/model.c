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
#include <sys/stat.h>

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

/* How often a read that another writer's commit interrupted is started
 * again before giving up with RS_ERR_BUSY. */
#define READ_ATTEMPTS 50

void rs__model_file_id(const char *path, uint64_t *dev, uint64_t *ino)
{
    struct stat info;
    *dev = *ino = 0;
    if (strcmp(path, ":memory:") != 0 && stat(path, &info) == 0) {
        *dev = (uint64_t)info.st_dev;
        *ino = (uint64_t)info.st_ino;
    }
}

/*
 * Open the graph of m->path and read the built parts (with_options: the
 * options first) as one version of the file: inside one read transaction,
 * begun while the graph in memory is still that version; when another
 * writer committed in between, everything is read again.  On success
 * m->graph is the new graph (the caller closes the one it replaced).
 */
static int read_file(rs_model *m, unsigned graph_flags, bool with_options,
                     struct rs__model_parts *p)
{
    rs_graph *before = m->graph;
    for (int attempt = 1;; attempt++) {
        rs_graph *g = NULL;
        bool snapshot, changed;
        int s = rs_graph_open(m->path, graph_flags, &g);
        if (s != RS_OK)
            return rs__fail_context("opening model %s: ", m->path);
        m->graph = g;
        snapshot = sqlite3_exec(rs__graph_db(g), "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
        changed = rs__graph_changed(g);
        if (!changed && with_options &&
            (s = rs__model_options_load(&m->options, g)) != RS_OK)
            rs__fail_context("%s: reading the options: ", m->path);
        if (!changed && s == RS_OK)
            s = load_parts(m, p);
        if (snapshot && sqlite3_exec(rs__graph_db(g), "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            sqlite3_exec(rs__graph_db(g), "ROLLBACK", NULL, NULL, NULL); /* never left open */
        if (!changed && s == RS_OK)
            return RS_OK;
        m->graph = before;
        rs_graph_close(g);
        if (!changed)
            return s;
        if (attempt == READ_ATTEMPTS)
            return rs__fail(RS_ERR_BUSY, "opening model %s: other writers changed it %d times "
                            "while it was being read", m->path, attempt);
        if (with_options) {
            rs__model_options_free(&m->options);
            rs__model_options_init(&m->options);
        }
    }
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
    m->busy_ms = RS__MODEL_BUSY_MS;
    if (!(m->path = rs__strdup(path))) {
        rs_model_close(m);
        return RS_ERR_NOMEM;
    }
    if ((s = read_file(m, graph_flags, true, &p)) != RS_OK) {
        rs_model_close(m);
        return s;
    }
    rs__model_file_id(path, &m->file_dev, &m->file_ino);
    rs__model_adopt(m, &p);
    *out = m;
    return RS_OK;
}

int rs__model_reload(rs_model *m)
{
    rs_graph *old = m->graph;
    struct rs__model_parts p;
    int s = read_file(m, 0, false, &p);
    if (s != RS_OK)
        return s;
    sqlite3_busy_timeout(rs__graph_db(m->graph), m->busy_ms);
    rs__model_adopt(m, &p); /* the old parts borrow the old graph: first */
    rs_graph_close(old);
    rs__model_file_id(m->path, &m->file_dev, &m->file_ino);
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
