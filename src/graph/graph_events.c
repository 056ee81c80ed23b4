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

#include "core/error.h"

#include <stdlib.h>

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
    static const char create[] =
        "CREATE TABLE IF NOT EXISTS interaction_events(src INTEGER NOT NULL,"
        " rel INTEGER NOT NULL, dst INTEGER NOT NULL, ts INTEGER NOT NULL,"
        " weight REAL NOT NULL, PRIMARY KEY(src, rel, dst, ts)) WITHOUT ROWID";
    static const char insert[] =
        "INSERT INTO interaction_events(src, rel, dst, ts, weight)"
        " SELECT ?1, id, ?3, ?4, ?5 FROM relations WHERE name = ?2"
        " ON CONFLICT(src, rel, dst, ts) DO UPDATE SET weight = weight + excluded.weight";
    sqlite3 *db = rs__graph_db(g);
    sqlite3_stmt *st = NULL;
    int status = 0;
    if (n == 0)
        return 0;
    if (sqlite3_exec(db, create, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, insert, -1, &st, NULL) != SQLITE_OK)
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
