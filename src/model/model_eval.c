/*
 * model_eval.c - rs_model_evaluate: the model's recommender beside the
 * baselines on a split of the model's own events, with no leak of a test
 * event into anything the scorer row is fitted on.
 *
 * The events are the model's user -> item interaction edges, read in one
 * SQL scan, each replaced by the raw rows the import kept for it (table
 * interaction_events: an edge merges the repeats of a pair and keeps one
 * time, the rows keep each event's time), so that a repeat after the cut
 * of a pair bought before it is a test event, as in the retail protocol.
 *
 * The scorer row is a recommender fitted by rs__model_fit on a train-only
 * copy of the graph: every property, relation and non-interaction edge
 * (item attributes, user profiles, social links) of the nodes known before
 * the test is copied, and the interaction edges are rebuilt from the train
 * events alone, so that no weight, count, popularity, time or user vector
 * carries a test event.
 */
#include "model/model_internal.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/lebytes.h"
#include "graph/graph_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static void model_events_free(struct model_events *me)
{
    rs_events_free(me->events);
    free(me->rows);
    free(me->late);
    free(me->trained);
    memset(me, 0, sizeof *me);
}

static int rows_push(struct event_row **rows, size_t *n, size_t *cap, struct event_row row)
{
    int s = *n < *cap ? RS_OK : rs__grow((void **)rows, cap, *n + 1, sizeof **rows);
    if (s == RS_OK)
        (*rows)[(*n)++] = row;
    return s;
}

static int row_cmp(const struct event_row *x, const struct event_row *y)
{
    if (x->user != y->user)
        return x->user < y->user ? -1 : 1;
    if (x->relation != y->relation)
        return x->relation < y->relation ? -1 : 1;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    return (x->time > y->time) - (x->time < y->time);
}

static int row_qsort_cmp(const void *a, const void *b) { return row_cmp(a, b); }

/*
 * The raw events an import kept beside the merged edges (table
 * interaction_events, one row per user, relation, item and time; see
 * src/io/import.c), sorted by edge, then time.  None when the table is
 * absent (a graph built through the graph API: each edge is one event).
 */
static int read_raw(rs_graph *g, struct event_row **rows, size_t *n_out)
{
    static const char sql[] = "SELECT v.src, r.name, v.dst, v.ts, v.weight"
                              " FROM interaction_events v JOIN relations r ON r.id = v.rel";
    sqlite3 *db = rs__graph_db(g);
    sqlite3_stmt *st = NULL;
    rs_error_state saved;
    size_t n = 0, cap = 0;
    int s = RS_OK, rc;
    *rows = NULL;
    *n_out = 0;
    bool found = false;
    if ((s = rs__graph_has_events(g, &found)) != RS_OK)
        return rs__fail_context("rs_model_evaluate: ");
    if (!found)
        return RS_OK;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return rs__graph_db_fail(db, "rs_model_evaluate: reading the raw events");
    rs__error_save(&saved);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct event_row row;
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (!name && sqlite3_errcode(db) == SQLITE_NOMEM) { /* not a skipped row */
            s = rs__fail(RS_ERR_NOMEM, "rs_model_evaluate: out of memory reading the raw events");
            break;
        }
        if (!name || rs_graph_find_relation(g, name, &row.relation) != RS_OK ||
            rs__graph_node_from_rowid(g, sqlite3_column_int64(st, 0), &row.user) != RS_OK ||
            rs__graph_node_from_rowid(g, sqlite3_column_int64(st, 2), &row.item) != RS_OK)
            continue;
        row.time = sqlite3_column_int64(st, 3);
        row.weight = sqlite3_column_double(st, 4);
        if ((s = rows_push(rows, &n, &cap, row)) != RS_OK)
            break;
    }
    if (s == RS_OK && rc != SQLITE_DONE)
        s = rs__graph_db_fail(db, "rs_model_evaluate: reading the raw events");
    sqlite3_finalize(st);
    if (s != RS_OK) {
        free(*rows);
        *rows = NULL;
        return s;
    }
    rs__error_restore(&saved); /* the skipped lookups */
    qsort(*rows, n, sizeof **rows, row_qsort_cmp);
    *n_out = n;
    return RS_OK;
}

/* The first raw row of edge (user, relation, item), or n when none. */
static size_t raw_find(const struct event_row *raw, size_t n, const struct event_row *edge)
{
    struct event_row key = *edge;
    size_t lo = 0, hi = n;
    key.time = INT64_MIN;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (row_cmp(&raw[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && raw[lo].user == edge->user && raw[lo].relation == edge->relation &&
                   raw[lo].item == edge->item
               ? lo
               : n;
}

/*
 * Every interaction (relation "build.relation", or every user -> item
 * edge): the interaction edges in one SQL scan (rs__model_events_read), each
 * replaced by its raw events when the import kept them, so that each event
 * has its own time and weight.  The edges of a user come in time order; the
 * raw events of an edge in time order after its place.
 */
static int read_events(const rs_model *m, struct model_events *me)
{
    const char *relation = rs__model_opt_text(&m->options, "build.relation");
    struct rs__model_events edges;
    struct event_row *raw = NULL;
    size_t n_raw = 0;
    int s;
    memset(me, 0, sizeof *me);
    memset(&edges, 0, sizeof edges);
    me->relation = RS_GRAPH_ANY_RELATION;
    if (relation && *relation &&
        (s = rs_graph_find_relation(m->graph, relation, &me->relation)) != RS_OK)
        return rs__fail_context("rs_model_evaluate: option build.relation: ");
    if ((s = rs__model_events_read(m->graph, relation, &edges)) == RS_OK &&
        (s = read_raw(m->graph, &raw, &n_raw)) == RS_OK)
        s = rs_events_create(&me->events);
    for (size_t i = 0; s == RS_OK && i < edges.n; i++) {
        struct event_row edge = {edges.user[i], edges.relation[i], edges.item[i], edges.time[i],
                                 edges.weight[i]};
        size_t r = raw_find(raw, n_raw, &edge);
        double raw_weight = 0;
        if (r == n_raw) {
            s = rows_push(&me->rows, &me->n, &me->cap, edge);
            continue;
        }
        for (; s == RS_OK && r < n_raw && raw[r].user == edge.user &&
               raw[r].relation == edge.relation && raw[r].item == edge.item;
             r++) {
            raw_weight += raw[r].weight;
            s = rows_push(&me->rows, &me->n, &me->cap, raw[r]);
        }
        /* Weight the edge gained without a raw row (an online observation
         * merged into it): one more event, at the edge's time. */
        if (s == RS_OK && edge.weight - raw_weight > 1e-6 * (edge.weight > 1 ? edge.weight : 1)) {
            edge.weight -= raw_weight;
            s = rows_push(&me->rows, &me->n, &me->cap, edge);
        }
    }
    for (size_t i = 0; s == RS_OK && i < me->n; i++) {
        const char *type, *user, *item;
        if ((s = rs_graph_node_key(m->graph, me->rows[i].user, &type, &user)) == RS_OK &&
            (s = rs_graph_node_key(m->graph, me->rows[i].item, &type, &item)) == RS_OK)
            s = rs_events_add(me->events, user, item, me->rows[i].time, me->rows[i].weight);
    }
    free(raw);
    rs__model_events_free(&edges);
    return s;
}

/* ------------------------------------------------------------ the split */

static int check_args(const rs_model *m, int split, double param, int flags, rs_eval **out)
{
    const char *fn = "rs_model_evaluate";
    if (!out)
        return rs__fail(RS_ERR_INVALID, "%s: out is NULL", fn);
    *out = NULL;
    if (!m)
        return rs__fail(RS_ERR_INVALID, "%s: model is NULL", fn);
    if (flags & ~(RS_MODEL_EVAL_BASELINES | RS_MODEL_EVAL_COLD))
        return rs__fail(RS_ERR_INVALID, "%s: unknown flags 0x%x", fn, (unsigned)flags);
    switch (split) {
    case RS_MODEL_SPLIT_TEMPORAL: /* NaN: the default cut */
        if (!isnan(param) && (!(param >= -9.2e18 && param <= 9.2e18) || param != floor(param)))
            return rs__fail(RS_ERR_RANGE, "%s: the temporal cut %g is not a whole number of "
                            "seconds within the int64 range", fn, param);
        break;
    case RS_MODEL_SPLIT_RANDOM:
        if (!(param > 0 && param < 1))
            return rs__fail(RS_ERR_RANGE, "%s: the random split's test fraction %g is outside "
                            "(0, 1)", fn, param);
        break;
    case RS_MODEL_SPLIT_LAST:
        if (!(param >= 1 && param <= 1e9) || param != floor(param))
            return rs__fail(RS_ERR_RANGE, "%s: the last-n split's n %g is not a whole number "
                            "in 1 .. 1e9", fn, param);
        break;
    default:
        return rs__fail(RS_ERR_INVALID, "%s: unknown split %d (RS_MODEL_SPLIT_TEMPORAL, "
                        "_RANDOM or _LAST)", fn, split);
    }
    /* Not built: the baselines alone, when asked for. */
    if (!(flags & RS_MODEL_EVAL_BASELINES) || rs_model_is_built(m))
        return rs__model_check_built(m);
    return RS_OK;
}

/* The default temporal cut: 80 % of the way through the events' times. */
static int64_t default_cut(const struct model_events *me)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < me->n; i++) {
        lo = me->rows[i].time < lo ? me->rows[i].time : lo;
        hi = me->rows[i].time > hi ? me->rows[i].time : hi;
    }
    return lo > hi ? 0 : lo + (int64_t)((double)(hi - lo) * 0.8);
}

static int apply_split(const rs_model *m, rs_events *events, int split, double param,
                       uint64_t seed)
{
    /* param: the cut (TEMPORAL), the fraction (RANDOM) or n (LAST) */
    int64_t min_history = rs__model_opt_int(&m->options, "eval.min_history");
    size_t min_h = min_history > 0 ? (size_t)min_history : 1;
    switch (split) {
    case RS_MODEL_SPLIT_TEMPORAL:
        return rs_events_split_temporal(events, (int64_t)param, RS_PART_TEST);
    case RS_MODEL_SPLIT_RANDOM:
        return rs_events_split_random(events, param, min_h, seed, RS_PART_TEST);
    default:
        return rs_events_split_last(events, (size_t)param, min_h, RS_PART_TEST);
    }
}

/* ------------------------------------------------------------ train graph */

/* Is this edge of the source graph one of the interactions? */
static bool is_interaction(const rs_graph *g, uint32_t src, uint32_t relation, uint32_t dst,
                           uint32_t user_type, uint32_t item_type, uint32_t only)
{
    return (only == RS_GRAPH_ANY_RELATION || relation == only) &&
           rs__graph_node_type(g, src) == user_type && rs__graph_node_type(g, dst) == item_type;
}

/* ------------------------------------------------------------ the cut's facts
 *
 * An import of timed entity rows keeps each row's facts with its time
 * (src/graph/graph_events.c).  At a temporal cut the train copy then holds
 * what an import of the rows before the cut would have made: each property
 * the most frequent value among those rows (ties to the smaller text, as
 * rs_mostfreq), each attribute edge only when such a row gave it.
 */

static int triple_cmp(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    for (int i = 0; i < 3; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

int rs__model_eval_set_cut(const rs_model *m, struct model_events *me, int64_t cut)
{
    static const char sql[] = "SELECT o.src, r.name, o.dst FROM edge_observations o"
                              " JOIN relations r ON r.id = o.rel WHERE o.first_ts >= ?1";
    sqlite3 *db = rs__graph_db(m->graph);
    sqlite3_stmt *st = NULL;
    rs_error_state saved;
    size_t cap = 0;
    int s = RS_OK, rc;
    size_t span = rs_graph_node_span(m->graph);
    me->has_cut = true;
    me->cut = cut;
    bool observed;
    if ((s = rs__graph_has_observations(m->graph, &observed)) != RS_OK || !observed)
        return s;
    if (!(me->trained = rs__calloc(span ? span : 1, 1)))
        return RS_ERR_NOMEM;
    for (size_t i = 0; i < me->n; i++) {
        int part;
        if ((s = rs_events_get(me->events, i, NULL, NULL, NULL, NULL, &part)) != RS_OK)
            return s;
        if (part == RS_PART_TRAIN)
            me->trained[me->rows[i].user] = me->trained[me->rows[i].item] = 1;
    }
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return rs__graph_db_fail(db, "rs_model_evaluate: reading the edge observations");
    sqlite3_bind_int64(st, 1, cut);
    rs__error_save(&saved);
    while (s == RS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t a, b, rel;
        const char *name = (const char *)sqlite3_column_text(st, 1);
        /* a deleted node or relation: no edge to leave out */
        if (!name || rs_graph_find_relation(m->graph, name, &rel) != RS_OK ||
            rs__graph_node_from_rowid(m->graph, sqlite3_column_int64(st, 0), &a) != RS_OK ||
            rs__graph_node_from_rowid(m->graph, sqlite3_column_int64(st, 2), &b) != RS_OK ||
            !me->trained[a])
            continue;
        if (me->n_late == cap &&
            (s = rs__grow((void **)&me->late, &cap, me->n_late + 1, sizeof *me->late)) != RS_OK)
            break;
        me->late[me->n_late][0] = a;
        me->late[me->n_late][1] = rel;
        me->late[me->n_late++][2] = b;
    }
    if (s == RS_OK && rc != SQLITE_DONE)
        s = rs__graph_db_fail(db, "rs_model_evaluate: reading the edge observations");
    sqlite3_finalize(st);
    if (s == RS_OK)
        rs__error_restore(&saved);
    if (me->n_late)
        qsort(me->late, me->n_late, sizeof *me->late, triple_cmp);
    return s;
}

/* Was this edge first given by a row at or after the cut?  (No: without
 * a split, me NULL.) */
static bool is_late(const struct model_events *me, uint32_t src, uint32_t relation,
                    uint32_t dst)
{
    uint32_t key[3] = {src, relation, dst};
    return me && me->n_late && bsearch(key, me->late, me->n_late, sizeof *me->late, triple_cmp);
}

/* How many of the n ascending little-endian times are before cut. */
static size_t times_before(const unsigned char *blob, size_t n, int64_t cut)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((int64_t)rs__le_get64(blob + 8 * mid) < cut)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The observed properties at the cut: per (node, name) the most frequent
 * value among the rows before it (none when no such row). */
static int copy_observed_properties(rs_graph *src, rs_graph *dst, const uint32_t *node_map,
                                    const struct model_events *me)
{
    static const char sql[] = "SELECT node, name, value, times FROM property_observations"
                              " ORDER BY node, name";
    sqlite3 *db = rs__graph_db(src);
    sqlite3_stmt *st = NULL;
    char *best = NULL, *name = NULL;
    size_t best_len = 0, best_n = 0;
    int64_t node_id = 0;
    int s = RS_OK, rc;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return rs__graph_db_fail(db, "rs_model_evaluate: reading the property observations");
    for (;;) {
        rc = sqlite3_step(st);
        const char *row_name = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 1) : NULL;
        int64_t row_node = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        /* a group ends: write its winner */
        if (name && (rc != SQLITE_ROW || row_node != node_id || !row_name ||
                     strcmp(row_name, name) != 0)) {
            uint32_t node;
            if (best_n > 0 && rs__graph_node_from_rowid(src, node_id, &node) == RS_OK &&
                node_map[node] != RS_GRAPH_ANY_RELATION)
                s = rs_graph_set_property(dst, node_map[node], name, best);
            else
                rs_clear_error();
            free(name);
            free(best);
            name = best = NULL;
            best_n = 0;
        }
        if (s != RS_OK || rc != SQLITE_ROW)
            break;
        const char *value = (const char *)sqlite3_column_text(st, 2);
        size_t value_len = (size_t)sqlite3_column_bytes(st, 2);
        const unsigned char *blob = sqlite3_column_blob(st, 3);
        size_t bytes = (size_t)sqlite3_column_bytes(st, 3);
        if (!row_name || !value || bytes % 8) {
            s = rs__fail(RS_ERR_CORRUPT, "table property_observations: node id %lld: a bad row",
                         (long long)row_node);
            break;
        }
        if (!name) {
            node_id = row_node;
            if (!(name = rs__strdup(row_name))) {
                s = RS_ERR_NOMEM;
                break;
            }
        }
        uint32_t node;
        bool trained = rs__graph_node_from_rowid(src, row_node, &node) == RS_OK &&
                       me->trained[node];
        size_t n = trained ? times_before(blob, bytes / 8, me->cut) : bytes / 8;
        int order = best ? memcmp(value, best, value_len < best_len ? value_len : best_len) : 0;
        if (n > 0 && (n > best_n || (n == best_n && (order < 0 ||
                                                     (order == 0 && value_len < best_len))))) {
            free(best);
            if (!(best = rs__strndup(value, value_len))) {
                s = RS_ERR_NOMEM;
                break;
            }
            best_len = value_len;
            best_n = n;
        }
    }
    if (s == RS_OK && rc != SQLITE_DONE)
        s = rs__graph_db_fail(db, "rs_model_evaluate: reading the property observations");
    free(name);
    free(best);
    sqlite3_finalize(st);
    return s;
}

/* Copy the node properties (item texts, titles, ...) through SQL, the one
 * place that lists them; at a cut, the observed ones as the rows before it
 * give them. */
static int copy_properties(rs_graph *src, rs_graph *dst, const uint32_t *node_map,
                           const struct model_events *me)
{
    bool observed = me->trained != NULL; /* a cut, and observations */
    const char *sql = observed ? "SELECT p.node_id, p.name, p.value FROM node_props p WHERE NOT"
                                 " EXISTS (SELECT 1 FROM property_observations o WHERE"
                                 " o.node = p.node_id AND o.name = p.name) ORDER BY p.id"
                               : "SELECT node_id, name, value FROM node_props ORDER BY id";
    sqlite3 *db = rs__graph_db(src);
    sqlite3_stmt *st = NULL;
    int s = RS_OK, rc;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return rs__graph_db_fail(db, "rs_model_evaluate: reading node properties");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t node;
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *value = (const char *)sqlite3_column_text(st, 2);
        if ((!name || !value) && sqlite3_errcode(db) == SQLITE_NOMEM) { /* not a skipped row */
            s = rs__graph_db_fail(db, "rs_model_evaluate: reading node properties");
            break;
        }
        if (rs__graph_node_from_rowid(src, sqlite3_column_int64(st, 0), &node) != RS_OK ||
            node_map[node] == RS_GRAPH_ANY_RELATION || !name || !value)
            continue;
        if ((s = rs_graph_set_property(dst, node_map[node], name, value)) != RS_OK)
            break;
    }
    if (s == RS_OK && rc != SQLITE_DONE)
        s = rs__graph_db_fail(db, "rs_model_evaluate: reading node properties");
    sqlite3_finalize(st);
    if (s == RS_OK && observed)
        s = copy_observed_properties(src, dst, node_map, me);
    return s;
}

/* Copy every edge that is not an interaction, with its weight and time. */
static int copy_other_edges(rs_graph *src, rs_graph *dst, const uint32_t *node_map,
                            const uint32_t *rel_map, const struct model_events *me)
{
    uint32_t only = me->relation;
    static const char sql[] = "SELECT e.src, r.name, e.dst, e.weight, e.ts FROM edges e"
                              " JOIN relations r ON r.id = e.rel";
    sqlite3 *db = rs__graph_db(src);
    sqlite3_stmt *st = NULL;
    uint32_t user_type = rs__graph_type_find(src, "user");
    uint32_t item_type = rs__graph_type_find(src, "item");
    rs_error_state saved;
    int s = RS_OK, rc = SQLITE_DONE;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return rs__graph_db_fail(db, "rs_model_evaluate: reading the graph's edges");
    rs__error_save(&saved);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t a, b, relation;
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (!name && sqlite3_errcode(db) == SQLITE_NOMEM) { /* not a skipped edge */
            s = rs__graph_db_fail(db, "rs_model_evaluate: reading the graph's edges");
            break;
        }
        if (!name || rs_graph_find_relation(src, name, &relation) != RS_OK ||
            rel_map[relation] == RS_GRAPH_ANY_RELATION ||
            rs__graph_node_from_rowid(src, sqlite3_column_int64(st, 0), &a) != RS_OK ||
            rs__graph_node_from_rowid(src, sqlite3_column_int64(st, 2), &b) != RS_OK ||
            node_map[a] == RS_GRAPH_ANY_RELATION || node_map[b] == RS_GRAPH_ANY_RELATION ||
            is_interaction(src, a, relation, b, user_type, item_type, only) ||
            is_late(me, a, relation, b))
            continue;
        if ((s = rs_graph_add_edge(dst, node_map[a], rel_map[relation], node_map[b],
                                   sqlite3_column_double(st, 3),
                                   sqlite3_column_int64(st, 4), RS_GRAPH_MERGE_REPLACE)) !=
            RS_OK)
            break;
    }
    if (s == RS_OK && rc != SQLITE_DONE)
        s = rs__graph_db_fail(db, "rs_model_evaluate: reading the graph's edges");
    sqlite3_finalize(st);
    if (s == RS_OK)
        rs__error_restore(&saved); /* the skipped lookups */
    return s;
}

/*
 * The train-only graph: an in-memory copy of the model's graph whose
 * interaction edges are rebuilt from the train events (weights summed,
 * the latest train time), everything else copied.
 */
static int train_graph(const rs_model *m, const struct model_events *me, bool cold,
                       rs_graph **out)
{
    rs_graph *src = m->graph, *g = NULL;
    size_t span = rs_graph_node_span(src), n_rel = rs_graph_relation_count(src);
    uint32_t *node_map = rs__alloc_array(span ? span : 1, sizeof *node_map);
    uint32_t *rel_map = rs__alloc_array(n_rel ? n_rel : 1, sizeof *rel_map);
    uint8_t *known = rs__calloc(span ? span : 1, 1);
    uint32_t user_type = rs__graph_type_find(src, "user");
    uint32_t item_type = rs__graph_type_find(src, "item");
    rs_error_state saved;
    rs__graph_event *raw = NULL;
    size_t n_raw = 0, raw_cap = 0;
    bool bulk = false;
    int s = node_map && rel_map && known ? RS_OK : RS_ERR_NOMEM;
    *out = NULL;
    /* Items and users with a train event; the others were not known before
     * the test began (cold users are kept for a cold-start evaluation: their
     * profile is how the scorer serves them). */
    for (size_t i = 0; s == RS_OK && i < me->n; i++) {
        int part;
        if ((s = rs_events_get(me->events, i, NULL, NULL, NULL, NULL, &part)) == RS_OK &&
            part == RS_PART_TRAIN)
            known[me->rows[i].user] = known[me->rows[i].item] = 1;
    }
    if (s == RS_OK)
        s = rs_graph_open(":memory:", RS_GRAPH_CREATE, &g);
    if (s == RS_OK && (s = rs_graph_bulk_begin(g)) == RS_OK)
        bulk = true;
    for (uint32_t r = 0; s == RS_OK && r < n_rel; r++) {
        const char *name = rs_graph_relation_name(src, r);
        rel_map[r] = RS_GRAPH_ANY_RELATION;
        if (name)
            s = rs_graph_add_relation(g, name, &rel_map[r]);
    }
    rs__error_save(&saved);
    for (uint32_t v = 0; s == RS_OK && v < span; v++) {
        const char *type, *key;
        uint32_t type_index = rs__graph_node_type(src, v);
        node_map[v] = RS_GRAPH_ANY_RELATION;
        if ((type_index == item_type || (type_index == user_type && !cold)) && !known[v])
            continue;
        if (rs_graph_node_key(src, v, &type, &key) == RS_OK) /* holes fail: skipped */
            s = rs_graph_add_node(g, type, key, &node_map[v]);
    }
    if (s == RS_OK)
        rs__error_restore(&saved);
    if (s == RS_OK)
        s = copy_properties(src, g, node_map, me);
    if (s == RS_OK)
        s = copy_other_edges(src, g, node_map, rel_map, me);
    for (size_t i = 0; s == RS_OK && i < me->n; i++) {
        const struct event_row *e = &me->rows[i];
        int part;
        if ((s = rs_events_get(me->events, i, NULL, NULL, NULL, NULL, &part)) != RS_OK)
            break;
        if (part != RS_PART_TRAIN)
            continue;
        /* the train events themselves too, as an import of them keeps them */
        if (n_raw == raw_cap &&
            (s = rs__grow((void **)&raw, &raw_cap, n_raw + 1, sizeof *raw)) != RS_OK)
            break;
        raw[n_raw++] = (rs__graph_event){node_map[e->user], rel_map[e->relation],
                                         node_map[e->item], e->time, e->weight};
        s = rs_graph_add_edge(g, node_map[e->user], rel_map[e->relation], node_map[e->item],
                              e->weight, e->time, RS_GRAPH_MERGE_SUM);
    }
    if (s == RS_OK) {
        s = rs_graph_bulk_commit(g);
        bulk = false;
    }
    for (uint32_t r = 0; s == RS_OK && r < n_rel; r++) {
        double w;
        if (rel_map[r] != RS_GRAPH_ANY_RELATION &&
            (s = rs_graph_get_relation_weight(src, r, &w)) == RS_OK)
            s = rs_graph_set_relation_weight(g, rel_map[r], w);
    }
    if (s == RS_OK)
        s = rs__graph_events_write(g, raw, n_raw);
    free(raw);
    if (bulk)
        rs_graph_bulk_abort(g);
    free(node_map);
    free(rel_map);
    free(known);
    if (s != RS_OK) {
        rs_graph_close(g);
        return s;
    }
    *out = g;
    return RS_OK;
}

/* ------------------------------------------------------------ scorer row */

struct scorer_ctx {
    const rs_eval *eval;
    const struct rs__model_parts *parts;
    uint32_t *to_store;     /* catalogue index -> store index (RS_ITEM_NONE) */
    uint64_t *allow;        /* store items that are in the catalogue */
    size_t words;           /* of a store bitset */
    /* progress: users scored by every worker, reported by the calling
     * thread alone (a listener need not be thread-safe) */
    struct rs__progress *pr;
    pthread_t caller;
    atomic_size_t scored;
};

/* The fitted scorer as a recommender of the runner: the catalogue's items
 * only, the user's train items denied (the scorer skips its history too). */
static int scorer_recommend(void *context, uint32_t user, size_t k, const uint32_t *exclude,
                            size_t n_exclude, uint32_t *items_out, size_t *n_out)
{
    struct scorer_ctx *c = context;
    uint64_t *deny = rs__calloc(c->words ? c->words : 1, sizeof *deny);
    uint32_t *picked = rs__alloc_array(k ? k : 1, sizeof *picked);
    size_t n = 0, out = 0;
    int s = deny && picked ? RS_OK : RS_ERR_NOMEM;
    for (size_t i = 0; s == RS_OK && i < n_exclude; i++) {
        uint32_t item = c->to_store[exclude[i]];
        if (item != RS_ITEM_NONE)
            deny[item / 64] |= (uint64_t)1 << (item % 64);
    }
    if (s == RS_OK)
        s = rs_scorer_recommend_filtered(c->parts->scorer, rs_eval_user_key(c->eval, user), k,
                                         c->allow, c->words, deny, c->words, picked, NULL, &n);
    for (size_t i = 0; s == RS_OK && i < n; i++) {
        uint32_t item;
        const char *key = rs_item_store_key(c->parts->store, picked[i]);
        if (key && rs_eval_item_find(c->eval, key, &item) == RS_OK)
            items_out[out++] = item;
    }
    free(deny);
    free(picked);
    *n_out = out;
    if (c->pr) {
        size_t scored = atomic_fetch_add_explicit(&c->scored, 1, memory_order_relaxed) + 1;
        if (pthread_equal(pthread_self(), c->caller))
            rs__progress_set(c->pr, scored);
    }
    return s != RS_OK;
}

static const char *cf_name(const rs_cf_model *cf)
{
    switch (rs_cf_model_kind(cf)) {
    case RS_CF_EASE: return "recsim scorer (EASE)";
    case RS_CF_ALS: return "recsim scorer (ALS)";
    case RS_CF_ITEMKNN: return "recsim scorer (item-kNN)";
    case RS_CF_RP3BETA: return "recsim scorer (RP3beta)";
    case RS_CF_EDLAE: return "recsim scorer (EDLAE)";
    case RS_CF_GFCF: return "recsim scorer (GF-CF)";
    case RS_CF_EASE_PAIRS: return "recsim scorer (EASE pairs)";
    default: return "recsim scorer (no collaborative model)";
    }
}

/*
 * The options the scorer row is fitted with: the model's, except that the
 * collaborative kind is the one the model was built with when they differ
 * (a 1.0 file saved no options: its saved model's kind stands).
 */
static int fit_options(const rs_model *m, struct rs__model_options *out)
{
    int built = m->cf ? rs_cf_model_kind(m->cf) : -1, s;
    const char *name = built == RS_CF_ALS       ? "als"
                       : built == RS_CF_ITEMKNN ? "knn"
                       : built == RS_CF_EASE    ? "ease"
                       : built == RS_CF_RP3BETA ? "rp3beta"
                       : built == RS_CF_EDLAE   ? "edlae"
                       : built == RS_CF_GFCF    ? "gfcf"
                       : built == RS_CF_EASE_PAIRS ? "ease-pairs"
                       : built == -1            ? "none"
                                                : NULL;
    rs_model scratch;
    if ((s = rs__model_options_copy(out, &m->options)) != RS_OK)
        return s;
    if (!name || built == rs__model_options_cf_kind(&m->options))
        return RS_OK;
    /* the setter by name, on a shallow copy of the handle holding the copy */
    scratch = *m;
    scratch.options = *out;
    s = rs_model_set_option(&scratch, "build.cf", name);
    *out = scratch.options;
    return s;
}

static int eval_parts(rs_eval *eval, const struct rs__model_parts *parts, const char *name,
                      struct rs__progress *pr, size_t *row_out);

static int run_scorer(const rs_model *m, const struct model_events *me, bool cold,
                      rs_eval *eval)
{
    struct rs__model_options options;
    struct rs__model_parts parts;
    struct rs__progress pr;
    rs_graph *train = NULL;
    int s;
    memset(&parts, 0, sizeof parts);
    if ((s = fit_options(m, &options)) != RS_OK) {
        rs__model_options_free(&options);
        return s;
    }
    if ((s = train_graph(m, me, cold, &train)) == RS_OK &&
        rs__model_opt_int(&m->options, "build.tune")) {
        /* the build chose its configuration on validation: the scorer row
         * chooses again on the train part alone, as a build of those events
         * would (a choice made on the test period would leak it) */
        rs_model scratch = *m;
        struct rs__model_options tuned;
        char *report = NULL;
        scratch.graph = train;
        if ((s = rs__model_tune(&scratch, &tuned, &report)) == RS_OK) {
            rs__model_options_free(&options);
            options = tuned;
        }
        free(report);
    }
    rs__progress_init(&pr, m);
    if (s != RS_OK || (s = rs__model_fit_progress(train, &options, &pr, &parts)) != RS_OK) {
        rs__model_options_free(&options);
        rs_graph_close(train);
        return rs__fail_context("rs_model_evaluate: fitting on the train part: ");
    }
    rs__model_options_free(&options);
    s = eval_parts(eval, &parts, cf_name(parts.cf), &pr, NULL);
    rs__model_parts_free(&parts);
    rs_graph_close(train);
    return s;
}

/* The scorer row; users scored reported to pr (NULL: none) as stage "eval". */
static int eval_parts(rs_eval *eval, const struct rs__model_parts *parts, const char *name,
                      struct rs__progress *pr, size_t *row_out)
{
    struct scorer_ctx c;
    size_t n_cat = rs_eval_item_count(eval), span, n_users = 0;
    int s = RS_OK;
    memset(&c, 0, sizeof c);
    atomic_init(&c.scored, 0);
    if (pr && pr->fn) {
        c.pr = pr;
        c.caller = pthread_self();
        if (rs_eval_users(eval, NULL, 0, &n_users) == RS_ERR_BUFFER)
            rs_clear_error();
        rs__progress_stage(pr, "eval", n_users);
    }
    span = rs_item_store_span(parts->store);
    c.eval = eval;
    c.parts = parts;
    c.words = (span + 63) / 64;
    c.to_store = rs__alloc_array(n_cat ? n_cat : 1, sizeof *c.to_store);
    c.allow = rs__calloc(c.words ? c.words : 1, sizeof *c.allow);
    if (!c.to_store || !c.allow)
        s = RS_ERR_NOMEM;
    for (uint32_t i = 0; s == RS_OK && i < n_cat; i++) {
        uint32_t item;
        c.to_store[i] = RS_ITEM_NONE;
        if (rs_item_store_index(parts->store, rs_eval_item_key(eval, i), &item) == RS_OK) {
            c.to_store[i] = item;
            c.allow[item / 64] |= (uint64_t)1 << (item % 64);
        }
    }
    rs_clear_error();
    if (s == RS_OK)
        s = rs_eval_run(eval, name, scorer_recommend, &c, row_out);
    if (s == RS_OK)
        rs__progress_end(pr);
    free(c.to_store);
    free(c.allow);
    return s;
}

int rs__model_eval_parts(rs_eval *eval, const struct rs__model_parts *parts, const char *name,
                         size_t *row_out)
{
    return eval_parts(eval, parts, name, NULL, row_out);
}

/* ------------------------------------------------------------ baselines */

/*
 * Segments for segment-popular: a user's segment is its first profile
 * attribute (an out-edge of the user node to an entity that is neither an
 * item nor a user, e.g. its country), in relation order.  Returns whether
 * any user of the log has one.
 */
static int set_segments(const rs_model *m, const struct model_events *me, rs_eval *eval,
                        bool *any_out, const char **seg_out)
{
    rs_graph *g = m->graph;
    rs__graph_csr out;
    uint32_t user_type = rs__graph_type_find(g, "user"), item_type = rs__graph_type_find(g, "item");
    size_t n_users = rs_eval_user_span(eval);
    int s = RS_OK;
    *any_out = false;
    if (user_type == UINT32_MAX || (s = rs__graph_adjacency(g, RS_GRAPH_OUT, &out)) != RS_OK)
        return s == RS_OK ? RS_OK : rs__fail(s, "rs_model_evaluate: graph adjacency");
    for (uint32_t u = 0; s == RS_OK && u < n_users; u++) {
        const char *key = rs_eval_user_key(eval, u), *type, *segment = NULL;
        uint32_t node, best_rel = UINT32_MAX;
        if (!key || rs_graph_find_node(g, "user", key, &node) != RS_OK)
            continue;
        for (uint32_t slot = out.start[node]; slot < out.start[node] + out.degree[node]; slot++) {
            uint32_t t = rs__graph_node_type(g, out.target[slot]), r = out.relation[slot];
            const char *entity;
            if (t == user_type || t == item_type || r >= best_rel ||
                is_late(me, node, r, out.target[slot]) ||
                rs_graph_node_key(g, out.target[slot], &type, &entity) != RS_OK)
                continue;
            best_rel = r;
            segment = entity;
        }
        if (segment && seg_out)
            seg_out[u] = segment;
        if (segment) {
            s = rs_eval_set_segment(eval, key, segment);
            *any_out = true;
        }
    }
    if (s == RS_OK)
        rs_clear_error();
    return s;
}

static int run_baselines(const rs_model *m, const struct model_events *me, rs_eval *eval)
{
    bool segments = false;
    int s = rs_eval_run_baseline(eval, RS_BASELINE_RANDOM, 0, NULL);
    if (s == RS_OK)
        s = rs_eval_run_baseline(eval, RS_BASELINE_MOST_POPULAR, 0, NULL);
    if (s == RS_OK)
        s = rs_eval_run_baseline(eval, RS_BASELINE_RECENT_POPULAR,
                                 rs__model_opt_double(&m->options, "eval.recent_days"), NULL);
    if (s == RS_OK)
        s = set_segments(m, me, eval, &segments, NULL);
    if (s == RS_OK && segments)
        s = rs_eval_run_baseline(eval, RS_BASELINE_SEGMENT_POPULAR, 0, NULL);
    return s;
}

/* ------------------------------------------------------------ the call */

int rs_model_evaluate(const rs_model *m, int split, double param, uint64_t seed, int flags,
                      rs_eval **out)
{
    return rs_model_evaluate_shard(m, split, param, seed, flags, 0, 1, out);
}

int rs_model_evaluate_shard(const rs_model *m, int split, double param, uint64_t seed,
                            int flags, size_t shard, size_t n_shards, rs_eval **out)
{
    struct model_events me;
    rs_eval *eval = NULL;
    int s = check_args(m, split, param, flags, out);
    if (s != RS_OK)
        return s;
    if (n_shards < 1 || n_shards > 65536 || shard >= n_shards)
        return rs__fail(RS_ERR_RANGE, "rs_model_evaluate_shard: shard %zu of %zu (shards: "
                        "1 .. 65536, shard below them)", shard, n_shards);
    if ((s = read_events(m, &me)) != RS_OK) {
        model_events_free(&me);
        return s;
    }
    if (me.n == 0)
        s = rs__fail(RS_ERR_STATE, "rs_model_evaluate: the model has no interaction events");
    if (s == RS_OK && split == RS_MODEL_SPLIT_TEMPORAL && isnan(param))
        param = (double)default_cut(&me);
    if (s == RS_OK)
        s = apply_split(m, me.events, split, param, seed);
    if (s == RS_OK && split == RS_MODEL_SPLIT_TEMPORAL)
        s = rs__model_eval_set_cut(m, &me, (int64_t)param);
    if (s == RS_OK && rs_events_part_count(me.events, RS_PART_TEST) == 0)
        s = rs__fail(RS_ERR_STATE, "rs_model_evaluate: the split leaves no test event");
    if (s == RS_OK && rs_events_part_count(me.events, RS_PART_TRAIN) == 0)
        s = rs__fail(RS_ERR_STATE, "rs_model_evaluate: the split leaves no train event");
    if (s == RS_OK)
        s = rs_eval_create(me.events, RS_PART_TEST, &eval);
    if (s == RS_OK)
        s = rs__model_options_apply_eval(&m->options, eval);
    if (s == RS_OK)
        s = rs_eval_set_int(eval, RS_EVAL_SEED, (int64_t)(seed & INT64_MAX));
    if (s == RS_OK)
        s = rs_eval_set_int(eval, RS_EVAL_SHARDS, (int64_t)n_shards);
    if (s == RS_OK)
        s = rs_eval_set_int(eval, RS_EVAL_SHARD, (int64_t)shard);
    if (s == RS_OK)
        s = rs_eval_set_int(eval, RS_EVAL_GROUP,
                            flags & RS_MODEL_EVAL_COLD ? RS_EVAL_COLD : RS_EVAL_WARM);
    if (s == RS_OK && split == RS_MODEL_SPLIT_TEMPORAL)
        s = rs_eval_set_int(eval, RS_EVAL_RECENT_END, (int64_t)param);
    if (s == RS_OK) {
        size_t n_users = 0;
        s = rs_eval_users(eval, NULL, 0, &n_users);
        if (s == RS_ERR_BUFFER || (s == RS_OK && n_users > 0))
            s = RS_OK;
        else if (s == RS_OK)
            s = rs__fail(RS_ERR_STATE, "rs_model_evaluate: no %s user to evaluate on this "
                         "split", flags & RS_MODEL_EVAL_COLD ? "cold-start" : "warm");
    }
    if (s == RS_OK && rs_model_is_built(m))
        s = run_scorer(m, &me, (flags & RS_MODEL_EVAL_COLD) != 0, eval);
    if (s == RS_OK && (flags & RS_MODEL_EVAL_BASELINES))
        s = run_baselines(m, &me, eval);
    model_events_free(&me);
    if (s != RS_OK) {
        rs_eval_free(eval);
        return s;
    }
    rs_clear_error();
    *out = eval;
    return RS_OK;
}

/* ------------------------------------------------------------ for model_tune.c */

int64_t rs__model_eval_default_cut(const struct model_events *me)
{
    return default_cut(me);
}

int rs__model_eval_segments(const rs_model *m, rs_eval *eval, const char **seg_out)
{
    bool any;
    return set_segments(m, NULL, eval, &any, seg_out);
}

int rs__model_eval_events(const rs_model *m, struct model_events *me)
{
    return read_events(m, me);
}

void rs__model_eval_events_free(struct model_events *me)
{
    model_events_free(me);
}

int rs__model_train_graph(const rs_model *m, const struct model_events *me, bool cold,
                          rs_graph **out)
{
    return train_graph(m, me, cold, out);
}
