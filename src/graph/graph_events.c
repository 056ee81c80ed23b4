/*
 * graph_events.c - the raw interaction events beside the merged edges.
 *
 * An edge keeps one time and the sum of its weights, so a log whose
 * (user, item) pairs repeat (purchases over months) would lose when each
 * event happened.  Table interaction_events holds, per (user, relation,
 * item, time), the summed weight of its events, so that a temporal split
 * can tell the events before a cut from the ones after it.  Written by the
 * import (src/io/import.c) in its transaction, and by the evaluation's
 * train-only copy of a graph (src/model/model_eval.c), read by the model's
 * history and evaluation.
 */
#include "graph/graph_internal.h"
#include "store/store.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/idmap.h"
#include "core/lebytes.h"

#include <stdlib.h>
#include <string.h>

static int event_cmp(const void *a, const void *b)
{
    const rs__graph_event *x = a, *y = b;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    if (x->relation != y->relation)
        return x->relation < y->relation ? -1 : 1;
    if (x->dst != y->dst)
        return x->dst < y->dst ? -1 : 1;
    return (x->time > y->time) - (x->time < y->time);
}

int rs__graph_events_write(rs_graph *g, rs__graph_event *events, size_t n)
{
    static const char insert[] =
        "INSERT INTO interaction_events(src, rel, dst, ts, weight)"
        " SELECT ?1, id, ?3, ?4, ?5 FROM relations WHERE name = ?2"
        " ON CONFLICT(src, rel, dst, ts) DO UPDATE SET weight = weight + excluded.weight";
    sqlite3 *db = rs__graph_db(g);
    sqlite3_stmt *st = NULL;
    int status = 0;
    if (n == 0)
        return 0;
    if ((status = rs__store_ensure(db, RS__TABLE_INTERACTION_EVENTS)) != 0)
        return status;
    if (sqlite3_prepare_v2(db, insert, -1, &st, NULL) != SQLITE_OK)
        return rs__graph_db_fail(db, "writing the raw interaction events");
    qsort(events, n, sizeof *events, event_cmp); /* the table's order: fewer page splits */
    for (size_t i = 0; status == 0 && i < n; i++) {
        const rs__graph_event *e = &events[i];
        const char *relation = rs_graph_relation_name(g, e->relation);
        sqlite3_bind_int64(st, 1, rs__graph_node_rowid(g, e->src));
        sqlite3_bind_text(st, 2, relation ? relation : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, rs__graph_node_rowid(g, e->dst));
        sqlite3_bind_int64(st, 4, e->time);
        sqlite3_bind_double(st, 5, e->weight);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = rs__graph_db_fail(db, "writing the raw interaction events");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return status;
}

/* ------------------------------------------------------------ known events
 *
 * An event is identified by its columns: user, relation, item, time and
 * weight.  The table keeps one summed weight per (src, rel, dst, ts), so a
 * key's stored weight is a budget: each row of the new import with that key
 * whose weight still fits in it is an event the graph has (a second import
 * of the same rows uses it up exactly); a row beyond it is new.  The
 * table's primary key is the index of the look-up, one per distinct key
 * (the key's remaining budget is then kept in memory).
 */

/* Whether the file holds table name (a failure is a failure, not "no
 * table": SQLite may have rolled the caller's transaction back with it). */
static int has_table(rs_graph *g, const char *name, bool *found)
{
    return rs__store_has_table(rs__graph_db(g), name, found);
}

int rs__graph_has_events(rs_graph *g, bool *found)
{
    return has_table(g, "interaction_events", found);
}

struct rs__graph_known {
    rs_graph *g;
    sqlite3_stmt *get; /* NULL: no table, so no earlier events */
    size_t node_span;  /* nodes from here on were created by this import */
    rs_idmap *keys;    /* u32 src, relation, dst, u64 time -> index */
    double *left;      /* by index: the weight not matched yet */
    size_t left_cap;
};

int rs__graph_known_open(rs_graph *g, rs__graph_known **out)
{
    static const char get_sql[] =
        "SELECT v.weight FROM interaction_events v WHERE v.src = ?1 AND v.dst = ?3"
        " AND v.ts = ?4 AND v.rel = (SELECT id FROM relations WHERE name = ?2)";
    sqlite3 *db = rs__graph_db(g);
    rs__graph_known *k;
    *out = NULL;
    if (!(k = rs__calloc(1, sizeof *k)))
        return RS_ERR_NOMEM;
    k->g = g;
    k->node_span = rs_graph_node_span(g);
    if (!(k->keys = rs__idmap_create())) {
        rs__graph_known_close(k);
        return rs__fail(RS_ERR_NOMEM, "out of memory");
    }
    bool events;
    int status = rs__graph_has_events(g, &events);
    if (status == RS_OK && events &&
        sqlite3_prepare_v2(db, get_sql, -1, &k->get, NULL) != SQLITE_OK)
        status = rs__graph_db_fail(db, "reading the raw interaction events");
    if (status != RS_OK) {
        rs__graph_known_close(k);
        return status;
    }
    *out = k;
    return 0;
}

void rs__graph_known_close(rs__graph_known *k)
{
    if (!k)
        return;
    sqlite3_finalize(k->get);
    rs__idmap_free(k->keys);
    free(k->left);
    free(k);
}

int rs__graph_known_take(rs__graph_known *k, const rs__graph_event *e)
{
    unsigned char key[20];
    uint32_t index;
    bool created;
    int status;
    double *left;
    if (!k->get || e->src >= k->node_span || e->dst >= k->node_span)
        return 0;
    if ((status = rs__grow((void **)&k->left, &k->left_cap, rs__idmap_span(k->keys) + 1,
                           sizeof *k->left)) != 0)
        return status;
    rs__le_put32(key, e->src);
    rs__le_put32(key + 4, e->relation);
    rs__le_put32(key + 8, e->dst);
    rs__le_put64(key + 12, (uint64_t)e->time);
    if ((status = rs__idmap_intern(k->keys, (const char *)key, sizeof key, &index, &created)))
        return status;
    left = &k->left[index];
    if (created) {
        const char *relation = rs_graph_relation_name(k->g, e->relation);
        int rc;
        sqlite3_bind_int64(k->get, 1, rs__graph_node_rowid(k->g, e->src));
        sqlite3_bind_text(k->get, 2, relation ? relation : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(k->get, 3, rs__graph_node_rowid(k->g, e->dst));
        sqlite3_bind_int64(k->get, 4, e->time);
        rc = sqlite3_step(k->get);
        *left = rc == SQLITE_ROW ? sqlite3_column_double(k->get, 0) : 0.0;
        sqlite3_reset(k->get);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return rs__graph_db_fail(rs__graph_db(k->g), "reading the raw interaction events");
    }
    /* a relative slack: the stored sum was added up in another order */
    if (*left <= 0.0 || e->weight > *left + 1e-9 * (*left > 1.0 ? *left : 1.0))
        return 0;
    *left -= e->weight;
    return 1;
}

int rs__graph_events_delete(rs_graph *g, uint32_t relation)
{
    static const char sql[] = "DELETE FROM interaction_events"
                              " WHERE rel = (SELECT id FROM relations WHERE name = ?1)";
    sqlite3 *db = rs__graph_db(g);
    sqlite3_stmt *st = NULL;
    const char *name = rs_graph_relation_name(g, relation);
    bool events;
    int status = name ? rs__graph_has_events(g, &events) : 0;
    if (!name || status != 0 || !events)
        return status;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return rs__graph_db_fail(db, "deleting the raw interaction events");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        status = rs__graph_db_fail(db, "deleting the raw interaction events");
    sqlite3_finalize(st);
    return status;
}


/* ------------------------------------------------------------ observations
 *
 * The entity rows' facts with their times, for the same reason: a node's
 * property is the most frequent value over all its rows, and an attribute
 * edge exists once any row names it, so a train-only copy at a cut needs
 * to know which rows came before it.  property_observations holds, per
 * (node, property, value), the times of the rows that gave it (a blob of
 * little-endian int64, ascending, one per row); edge_observations the first
 * time a row gave an edge.  Untimed rows are at INT64_MIN.  The import
 * gathers them in memory (one SQL write per distinct fact, not per row)
 * and writes them at its end.
 */

/* One distinct fact's times. */
struct times {
    int64_t *t;
    size_t n, cap;
};

struct rs__graph_observer {
    rs_graph *g;
    rs_idmap *facts; /* u32 node, u32 name length, name, value -> fact index */
    struct times *times;
    size_t facts_cap;
    rs_idmap *edges; /* u32 src, relation, dst -> edge index */
    int64_t *first;
    size_t edges_cap;
    unsigned char *scratch;
    size_t scratch_cap;
};

int rs__graph_observer_open(rs_graph *g, rs__graph_observer **out)
{
    rs__graph_observer *o;
    *out = NULL;
    if (!(o = rs__calloc(1, sizeof *o)))
        return RS_ERR_NOMEM;
    o->g = g;
    o->facts = rs__idmap_create();
    o->edges = rs__idmap_create();
    if (!o->facts || !o->edges) {
        rs__graph_observer_close(o);
        return rs__fail(RS_ERR_NOMEM, "out of memory");
    }
    *out = o;
    return 0;
}

void rs__graph_observer_close(rs__graph_observer *o)
{
    if (!o)
        return;
    for (size_t i = 0; o->times && i < rs__idmap_span(o->facts); i++)
        free(o->times[i].t);
    free(o->times);
    free(o->first);
    free(o->scratch);
    rs__idmap_free(o->facts);
    rs__idmap_free(o->edges);
    free(o);
}

int rs__graph_observe_property(rs__graph_observer *o, uint32_t node, const char *name,
                               const char *value, size_t value_len, int64_t time)
{
    size_t name_len = strlen(name), len;
    uint32_t index;
    bool created;
    struct times *t;
    int status = rs__add_size(8 + name_len, value_len, &len);
    if (status == 0)
        status = rs__grow((void **)&o->scratch, &o->scratch_cap, len, 1);
    if (status == 0)
        status = rs__grow((void **)&o->times, &o->facts_cap, rs__idmap_span(o->facts) + 1,
                          sizeof *o->times);
    if (status != 0)
        return status;
    rs__le_put32(o->scratch, node);
    rs__le_put32(o->scratch + 4, (uint32_t)name_len);
    memcpy(o->scratch + 8, name, name_len);
    memcpy(o->scratch + 8 + name_len, value, value_len);
    if ((status = rs__idmap_intern(o->facts, (const char *)o->scratch, len, &index, &created)))
        return status;
    t = &o->times[index];
    if (created)
        memset(t, 0, sizeof *t);
    if (t->n == t->cap && (status = rs__grow((void **)&t->t, &t->cap, t->n + 1, sizeof *t->t)))
        return status;
    t->t[t->n++] = time;
    return 0;
}

int rs__graph_observe_edge(rs__graph_observer *o, uint32_t src, uint32_t relation, uint32_t dst,
                           int64_t time)
{
    unsigned char key[12];
    uint32_t index;
    bool created;
    int status = rs__grow((void **)&o->first, &o->edges_cap, rs__idmap_span(o->edges) + 1,
                          sizeof *o->first);
    if (status != 0)
        return status;
    rs__le_put32(key, src);
    rs__le_put32(key + 4, relation);
    rs__le_put32(key + 8, dst);
    if ((status = rs__idmap_intern(o->edges, (const char *)key, sizeof key, &index, &created)))
        return status;
    if (created || time < o->first[index])
        o->first[index] = time;
    return 0;
}

static int time_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Merge the times an earlier import saved for this fact into t. */
static int merge_saved(sqlite3_stmt *get, struct times *t)
{
    int status = 0;
    if (sqlite3_step(get) == SQLITE_ROW) {
        const unsigned char *blob = sqlite3_column_blob(get, 0);
        size_t n = (size_t)sqlite3_column_bytes(get, 0) / 8;
        if ((status = rs__grow((void **)&t->t, &t->cap, t->n + n, sizeof *t->t)) == 0) {
            for (size_t i = 0; i < n; i++)
                t->t[t->n++] = (int64_t)rs__le_get64(blob + 8 * i);
        }
    }
    sqlite3_reset(get);
    return status;
}

int rs__graph_observer_flush(rs__graph_observer *o)
{
    static const char get_sql[] =
        "SELECT times FROM property_observations WHERE node = ?1 AND name = ?2 AND value = ?3";
    static const char put_sql[] =
        "INSERT OR REPLACE INTO property_observations(node, name, value, times)"
        " VALUES (?1, ?2, ?3, ?4)";
    static const char edge_sql[] =
        "INSERT INTO edge_observations(src, rel, dst, first_ts)"
        " SELECT ?1, id, ?3, ?4 FROM relations WHERE name = ?2"
        " ON CONFLICT(src, rel, dst) DO UPDATE SET first_ts = min(first_ts, excluded.first_ts)";
    sqlite3 *db = rs__graph_db(o->g);
    sqlite3_stmt *get = NULL, *put = NULL, *edge = NULL;
    unsigned char *blob = NULL;
    size_t blob_cap = 0;
    int status = 0;
    if (rs__idmap_span(o->facts) == 0 && rs__idmap_span(o->edges) == 0)
        return 0;
    if ((status = rs__store_ensure(db, RS__TABLE_OBSERVATIONS)) != 0)
        return status;
    if (sqlite3_prepare_v2(db, get_sql, -1, &get, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, put_sql, -1, &put, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, edge_sql, -1, &edge, NULL) != SQLITE_OK)
        status = rs__graph_db_fail(db, "writing the observations");
    for (size_t i = 0; status == 0 && i < rs__idmap_span(o->facts); i++) {
        size_t len;
        const unsigned char *key = (const unsigned char *)rs__idmap_key(o->facts, (uint32_t)i,
                                                                        &len);
        struct times *t = &o->times[i];
        uint32_t name_len;
        if (!key)
            continue;
        name_len = rs__le_get32(key + 4);
        sqlite3_bind_int64(get, 1, rs__graph_node_rowid(o->g, rs__le_get32(key)));
        sqlite3_bind_text(get, 2, (const char *)key + 8, (int)name_len, SQLITE_STATIC);
        sqlite3_bind_text(get, 3, (const char *)key + 8 + name_len, (int)(len - 8 - name_len),
                          SQLITE_STATIC);
        if ((status = merge_saved(get, t)) != 0 ||
            (status = rs__grow((void **)&blob, &blob_cap, t->n * 8, 1)) != 0)
            break;
        qsort(t->t, t->n, sizeof *t->t, time_cmp);
        for (size_t k = 0; k < t->n; k++)
            rs__le_put64(blob + 8 * k, (uint64_t)t->t[k]);
        sqlite3_bind_int64(put, 1, rs__graph_node_rowid(o->g, rs__le_get32(key)));
        sqlite3_bind_text(put, 2, (const char *)key + 8, (int)name_len, SQLITE_STATIC);
        sqlite3_bind_text(put, 3, (const char *)key + 8 + name_len, (int)(len - 8 - name_len),
                          SQLITE_STATIC);
        sqlite3_bind_blob(put, 4, blob, (int)(t->n * 8), SQLITE_STATIC);
        if (sqlite3_step(put) != SQLITE_DONE)
            status = rs__graph_db_fail(db, "writing the property observations");
        sqlite3_reset(put);
    }
    for (size_t i = 0; status == 0 && i < rs__idmap_span(o->edges); i++) {
        size_t len;
        const unsigned char *key = (const unsigned char *)rs__idmap_key(o->edges, (uint32_t)i,
                                                                        &len);
        const char *name = key ? rs_graph_relation_name(o->g, rs__le_get32(key + 4)) : NULL;
        if (!key)
            continue;
        sqlite3_bind_int64(edge, 1, rs__graph_node_rowid(o->g, rs__le_get32(key)));
        sqlite3_bind_text(edge, 2, name ? name : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(edge, 3, rs__graph_node_rowid(o->g, rs__le_get32(key + 8)));
        sqlite3_bind_int64(edge, 4, o->first[i]);
        if (sqlite3_step(edge) != SQLITE_DONE)
            status = rs__graph_db_fail(db, "writing the edge observations");
        sqlite3_reset(edge);
    }
    sqlite3_finalize(get);
    sqlite3_finalize(put);
    sqlite3_finalize(edge);
    free(blob);
    return status;
}

int rs__graph_has_observations(rs_graph *g, bool *found)
{
    return has_table(g, "edge_observations", found);
}
