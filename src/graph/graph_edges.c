/*
 * graph_edges.c - edges: single writes (add, accumulate, update, delete),
 * node deletion, the bulk load, and loading the adjacency on open.
 *
 * Every write goes to SQL first and then to the adjacency, so that a failed
 * SQL statement leaves memory as it was; the adjacency is grown before the
 * SQL write where growth could fail.
 */
#include "graph/graph_impl.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ loading */

void rs__graph_edge_list_free(rs__graph_edge_list *l)
{
    free(l->src);
    free(l->rel);
    free(l->dst);
    free(l->w);
    memset(l, 0, sizeof *l);
}

int rs__graph_edge_list_alloc(rs__graph_edge_list *l, size_t n)
{
    size_t cap = n > 0 ? n : 1;
    memset(l, 0, sizeof *l);
    l->src = rs__alloc_array(cap, sizeof *l->src);
    l->rel = rs__alloc_array(cap, sizeof *l->rel);
    l->dst = rs__alloc_array(cap, sizeof *l->dst);
    l->w = rs__alloc_array(cap, sizeof *l->w);
    if (!l->src || !l->rel || !l->dst || !l->w) {
        rs__graph_edge_list_free(l);
        return rs_errcode();
    }
    return 0;
}

int rs__graph_edges_scan(rs_graph *g, rs__graph_edge_list *out)
{
    sqlite3_stmt *st = NULL;
    size_t n = 0, cap;
    int rc, status = 0;
    int64_t count = 0;

    memset(out, 0, sizeof *out);
    rc = sqlite3_prepare_v2(g->db, "SELECT count(*) FROM edges", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        count = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_OK)
        return rs__graph_sql_fail(g, rc, "counting edges");
    cap = count > 0 ? (size_t)count : 1;
    if ((status = rs__graph_edge_list_alloc(out, cap)) != 0)
        return status;
    rc = sqlite3_prepare_v2(g->db, "SELECT src, rel, dst, weight FROM edges", -1, &st, NULL);
    int64_t last_src = -1;
    uint32_t last_src_index = 0;
    while ((rc == SQLITE_OK || rc == SQLITE_ROW) && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t s = sqlite3_column_int64(st, 0), d = sqlite3_column_int64(st, 2);
        double weight;
        bool weight_ok = rs__graph_stored_weight(st, 3, &weight);
        uint32_t si, di, ri = rs__graph_relation_from_rowid(g, sqlite3_column_int64(st, 1));
        if (n == cap) {
            status = rs__fail(RS_ERR_CORRUPT, "the edges table changed while being read");
            break;
        }
        if (s == last_src)
            si = last_src_index;
        else if (rs__graph_node_from_rowid(g, s, &si) != 0) {
            status = rs__fail(RS_ERR_CORRUPT, "an edge starts at node id %lld, which does not "
                                              "exist", (long long)s);
            break;
        }
        last_src = s;
        last_src_index = si;
        if (!weight_ok) {
            const unsigned char *text = sqlite3_column_text(st, 3);
            status = rs__fail(RS_ERR_CORRUPT, "table edges: edge (%lld, %lld, %lld) has weight "
                                              "\"%.40s\", not a number in [0, 3e38]",
                              (long long)s, (long long)sqlite3_column_int64(st, 1), (long long)d,
                              text ? (const char *)text : "NULL");
            break;
        }
        if (rs__graph_node_from_rowid(g, d, &di) != 0 || ri == UINT32_MAX) {
            status = rs__fail(RS_ERR_CORRUPT, "table edges: edge (%lld, %lld, %lld) has an "
                                              "unknown node or relation",
                              (long long)s, (long long)sqlite3_column_int64(st, 1), (long long)d);
            break;
        }
        out->src[n] = si;
        out->rel[n] = ri;
        out->dst[n] = di;
        out->w[n] = (float)weight;
        n++;
    }
    sqlite3_finalize(st);
    if (status == 0 && rc != SQLITE_DONE)
        status = rs__graph_sql_fail(g, rc, "reading edges");
    if (status != 0)
        rs__graph_edge_list_free(out);
    else
        out->n = n;
    return status;
}

int rs__graph_load_edges(rs_graph *g)
{
    rs__graph_edge_list l;
    bool found = false;
    /* The snapshot a build left (graph_snapshot.c) holds the same rows as
     * the table, in the same order, without a SQL step per edge. */
    int status = rs__graph_snapshot_read(g, &l, &found);
    if (status == 0 && !found)
        status = rs__graph_edges_scan(g, &l);
    if (status != 0)
        return status;
    status = rs__adj_build(&g->out, &g->in, rs__idmap_span(g->nodes), l.n, l.src, l.rel, l.dst,
                           l.w);
    rs__graph_edge_list_free(&l);
    return status;
}

/* ------------------------------------------------------------ single edges */

static int check_edge_args(rs_graph *g, uint32_t src, uint32_t relation, uint32_t dst,
                           const char *fn)
{
    int status;
    if ((status = rs__graph_check_node(g, src, fn)) != 0 ||
        (status = rs__graph_check_node(g, dst, fn)) != 0 ||
        (status = rs__graph_check_relation(g, relation, fn)) != 0)
        return status;
    if (src == dst)
        return rs__fail(RS_ERR_INVALID, "%s: self-loop on node %u is not allowed", fn, src);
    return 0;
}

static void bind_edge(rs_graph *g, sqlite3_stmt *st, uint32_t src, uint32_t relation,
                      uint32_t dst)
{
    sqlite3_bind_int64(st, 1, g->node_rowid[src]);
    sqlite3_bind_int64(st, 2, g->rel_rowid[relation]);
    sqlite3_bind_int64(st, 3, g->node_rowid[dst]);
}

/* Write (src, relation, dst) with its final weight and timestamp to SQL and
 * memory; `exists` says whether the edge is there already. */
static int write_edge(rs_graph *g, uint32_t src, uint32_t relation, uint32_t dst, double weight,
                      int64_t timestamp, size_t out_slot, const char *fn)
{
    sqlite3_stmt *st;
    int rc, status;
    bool exists = out_slot != SIZE_MAX;
    if (!exists) {
        /* grow both lists first: a failure afterwards would split SQL and memory */
        if ((status = rs__adj_insert(&g->out, src, dst, relation, (float)weight)) != 0)
            return status;
        if ((status = rs__adj_insert(&g->in, dst, src, relation, (float)weight)) != 0) {
            rs__adj_remove_slot(&g->out, src, (size_t)g->out.start[src] + g->out.degree[src] - 1);
            return status;
        }
    }
    if (!(st = rs__graph_stmt(g, exists ? ST_EDGE_UPDATE : ST_EDGE_INSERT))) {
        status = rs_errcode();
        goto undo;
    }
    bind_edge(g, st, src, relation, dst);
    sqlite3_bind_double(st, 4, weight);
    sqlite3_bind_int64(st, 5, timestamp);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        status = rs__graph_sql_fail(g, rc, "writing an edge");
        rs__fail_context("%s: ", fn);
        goto undo;
    }
    if (exists) {
        size_t in_slot = rs__adj_find(&g->in, dst, src, relation);
        g->out.weight[out_slot] = (float)weight;
        if (in_slot != SIZE_MAX)
            g->in.weight[in_slot] = (float)weight;
    }
    g->generation++;
    return 0;
undo:
    if (!exists) {
        rs__adj_remove_slot(&g->out, src, (size_t)g->out.start[src] + g->out.degree[src] - 1);
        rs__adj_remove_slot(&g->in, dst, (size_t)g->in.start[dst] + g->in.degree[dst] - 1);
    }
    return status;
}

/* The stored weight and timestamp of an existing edge. */
static int read_edge(rs_graph *g, uint32_t src, uint32_t relation, uint32_t dst,
                     double *weight_out, int64_t *timestamp_out)
{
    sqlite3_stmt *st = rs__graph_stmt(g, ST_EDGE_GET);
    int rc;
    if (!st)
        return rs_errcode();
    bind_edge(g, st, src, relation, dst);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *weight_out = sqlite3_column_double(st, 0);
        *timestamp_out = sqlite3_column_int64(st, 1);
        sqlite3_reset(st);
        return 0;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return rs__fail(RS_ERR_CORRUPT, "edge (%u, %u, %u) is in memory but not in the file",
                        src, relation, dst);
    return rs__graph_sql_fail(g, rc, "reading an edge");
}

/* Combine an existing weight with a new one under `merge`. */
static double merge_weight(int merge, double old, double add)
{
    switch (merge) {
    case RS_GRAPH_MERGE_SUM:
        return old + add;
    case RS_GRAPH_MERGE_MAX:
        return add > old ? add : old;
    default:
        return add;
    }
}

static int queue_edge(rs_graph *g, uint32_t src, uint32_t relation, uint32_t dst, double weight,
                      int64_t timestamp, int merge);

int rs_graph_add_edge(rs_graph *g, uint32_t src, uint32_t relation, uint32_t dst, double weight,
                      int64_t timestamp, int merge)
{
    const char *fn = "rs_graph_add_edge";
    size_t slot;
    int status;
    if (!g)
        return rs__fail(RS_ERR_INVALID, "%s: graph is NULL", fn);
    if ((status = check_edge_args(g, src, relation, dst, fn)) != 0 ||
        (status = rs__graph_check_weight(weight, "rs_graph_add_edge: weight")) != 0 ||
        (status = rs__graph_check_writable(g, fn)) != 0)
        return status;
    if (merge < RS_GRAPH_MERGE_NONE || merge > RS_GRAPH_MERGE_REPLACE)
        return rs__fail(RS_ERR_INVALID, "%s: merge mode %d is not an rs_graph_merge", fn, merge);
    if (g->in_bulk)
        return queue_edge(g, src, relation, dst, weight, timestamp, merge);
    slot = rs__adj_find(&g->out, src, dst, relation);
    if (slot != SIZE_MAX) {
        double old_weight;
        int64_t old_ts;
        if (merge == RS_GRAPH_MERGE_NONE)
            return rs__fail(RS_ERR_EXISTS, "%s: edge %u -[%s]-> %u exists already", fn, src,
                            rs_graph_relation_name(g, relation), dst);
        if ((status = read_edge(g, src, relation, dst, &old_weight, &old_ts)) != 0)
            return status;
        weight = merge_weight(merge, old_weight, weight);
        if ((status = rs__graph_check_weight(weight, "rs_graph_add_edge: merged weight")) != 0)
            return status;
        if (merge != RS_GRAPH_MERGE_REPLACE && old_ts > timestamp)
            timestamp = old_ts;
    }
    return write_edge(g, src, relation, dst, weight, timestamp, slot, fn);
}

int rs_graph_update_edge(rs_graph *g, uint32_t src, uint32_t relation, uint32_t dst,
                         double weight, int64_t timestamp)
{
    const char *fn = "rs_graph_update_edge";
    size_t slot;
    int status;
    if (!g)
        return rs__fail(RS_ERR_INVALID, "%s: graph is NULL", fn);
    if ((status = check_edge_args(g, src, relation, dst, fn)) != 0 ||
        (status = rs__graph_check_weight(weight, "rs_graph_update_edge: weight")) != 0 ||
        (status = rs__graph_check_writable(g, fn)) != 0)
        return status;
    if (g->in_bulk)
        return rs__fail(RS_ERR_STATE, "%s: not allowed during a bulk load", fn);
    slot = rs__adj_find(&g->out, src, dst, relation);
    if (slot == SIZE_MAX)
        return rs__fail(RS_ERR_NOTFOUND, "%s: no edge %u -[%s]-> %u", fn, src,
                        rs_graph_relation_name(g, relation), dst);
    return write_edge(g, src, relation, dst, weight, timestamp, slot, fn);
}

int rs_graph_delete_edge(rs_graph *g, uint32_t src, uint32_t relation, uint32_t dst)
{
    const char *fn = "rs_graph_delete_edge";
    sqlite3_stmt *st;
    size_t out_slot, in_slot;
    int status, rc;
    if (!g)
        return rs__fail(RS_ERR_INVALID, "%s: graph is NULL", fn);
    if ((status = check_edge_args(g, src, relation, dst, fn)) != 0 ||
        (status = rs__graph_check_writable(g, fn)) != 0)
        return status;
    if (g->in_bulk)
        return rs__fail(RS_ERR_STATE, "%s: not allowed during a bulk load", fn);
    out_slot = rs__adj_find(&g->out, src, dst, relation);
    if (out_slot == SIZE_MAX)
        return rs__fail(RS_ERR_NOTFOUND, "%s: no edge %u -[%s]-> %u", fn, src,
                        rs_graph_relation_name(g, relation), dst);
    if (!(st = rs__graph_stmt(g, ST_EDGE_DELETE)))
        return rs_errcode();
    bind_edge(g, st, src, relation, dst);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return rs__graph_sql_fail(g, rc, "deleting an edge");
    rs__adj_remove_slot(&g->out, src, out_slot);
    in_slot = rs__adj_find(&g->in, dst, src, relation);
    if (in_slot != SIZE_MAX)
        rs__adj_remove_slot(&g->in, dst, in_slot);
    g->generation++;
    return 0;
}

int rs_graph_get_edge(const rs_graph *g, uint32_t src, uint32_t relation, uint32_t dst,
                      double *weight_out, int64_t *timestamp_out)
{
    const char *fn = "rs_graph_get_edge";
    rs_graph *mg = (rs_graph *)g; /* statements are a cache; the graph is unchanged */
    double weight;
    int64_t ts;
    int status;
    if (!g)
        return rs__fail(RS_ERR_INVALID, "%s: graph is NULL", fn);
    if ((status = check_edge_args(mg, src, relation, dst, fn)) != 0)
        return status;
    if (rs__adj_find(&g->out, src, dst, relation) == SIZE_MAX)
        return rs__fail(RS_ERR_NOTFOUND, "%s: no edge %u -[%s]-> %u", fn, src,
                        rs_graph_relation_name(g, relation), dst);
    if ((status = read_edge(mg, src, relation, dst, &weight, &ts)) != 0)
        return status;
    if (weight_out)
        *weight_out = weight;
    if (timestamp_out)
        *timestamp_out = ts;
    return 0;
}

size_t rs_graph_edge_count(const rs_graph *g)
{
    return g ? g->out.edges : 0;
}

/* ------------------------------------------------------------ nodes */

int rs_graph_delete_node(rs_graph *g, uint32_t node)
{
    const char *fn = "rs_graph_delete_node";
    sqlite3_stmt *st;
    int status, rc;
    int64_t rowid, high;
    if (!g)
        return rs__fail(RS_ERR_INVALID, "%s: graph is NULL", fn);
    if ((status = rs__graph_check_node(g, node, fn)) != 0 ||
        (status = rs__graph_check_writable(g, fn)) != 0)
        return status;
    if (g->in_bulk)
        return rs__fail(RS_ERR_STATE, "%s: not allowed during a bulk load", fn);
    rowid = g->node_rowid[node];
    if ((status = rs__graph_tx_begin(g)) != 0)
        return status;
    /* incoming edges by primary key; outgoing ones, vectors and properties go
     * with the node's row (trigger nodes_ad) */
    for (size_t s = g->in.start[node], e = s + g->in.degree[node]; s < e; s++) {
        if (!(st = rs__graph_stmt(g, ST_EDGE_DELETE))) {
            status = rs_errcode();
            goto fail;
        }
        bind_edge(g, st, g->in.target[s], g->in.relation[s], node);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            status = rs__graph_sql_fail(g, rc, "deleting an edge");
            goto fail;
        }
    }
    if (!(st = rs__graph_stmt(g, ST_NODE_DELETE))) {
        status = rs_errcode();
        goto fail;
    }
    sqlite3_bind_int64(st, 1, rowid);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        status = rs__graph_sql_fail(g, rc, "deleting a node");
        goto fail;
    }
    high = rowid;
    if ((status = rs__graph_meta_set(g, "graph.node_id_high", &high, sizeof high)) != 0)
        goto fail;
    if ((status = rs__graph_tx_commit(g)) != 0)
        return status;

    /* memory: drop the node's edges from its neighbours' lists */
    for (size_t s = g->in.start[node], e = s + g->in.degree[node]; s < e; s++) {
        uint32_t other = g->in.target[s];
        size_t slot = rs__adj_find(&g->out, other, node, g->in.relation[s]);
        if (slot != SIZE_MAX)
            rs__adj_remove_slot(&g->out, other, slot);
    }
    for (size_t s = g->out.start[node], e = s + g->out.degree[node]; s < e; s++) {
        uint32_t other = g->out.target[s];
        size_t slot = rs__adj_find(&g->in, other, node, g->out.relation[s]);
        if (slot != SIZE_MAX)
            rs__adj_remove_slot(&g->in, other, slot);
    }
    g->out.edges -= g->out.degree[node];
    g->in.edges -= g->in.degree[node];
    g->out.degree[node] = g->in.degree[node] = 0;
    rs__graph_forget_node(g, node);
    return 0;
fail:
    rs__graph_tx_rollback(g);
    return status;
}

/* ------------------------------------------------------------ bulk load */

static int queue_edge(rs_graph *g, uint32_t src, uint32_t relation, uint32_t dst, double weight,
                      int64_t timestamp, int merge)
{
    rs__pending_edge *e;
    int status;
    if (g->n_pending >= UINT32_MAX)
        return rs__fail(RS_ERR_LIMIT, "rs_graph_add_edge: more than %u edges in one bulk load",
                        UINT32_MAX);
    if ((status = rs__grow((void **)&g->pending, &g->pending_cap, g->n_pending + 1,
                           sizeof *g->pending)) != 0)
        return status;
    e = &g->pending[g->n_pending];
    e->src = src;
    e->relation = relation;
    e->dst = dst;
    e->weight = (float)weight;
    e->timestamp = timestamp;
    e->merge = merge;
    e->order = (uint32_t)g->n_pending;
    g->n_pending++;
    return 0;
}

void rs__graph_pending_clear(rs_graph *g)
{
    free(g->pending);
    g->pending = NULL;
    g->n_pending = g->pending_cap = 0;
}

/* Undo the bulk load's writes: ROLLBACK, or for a nested one back to its
 * savepoint (which is then released: the caller's transaction goes on). */
static int bulk_undo(rs_graph *g)
{
    int status;
    if (!g->bulk_nested)
        return rs__graph_exec(g, ST_ROLLBACK, "rolling back the bulk load");
    status = rs__graph_exec(g, ST_BULK_ROLLBACK_TO, "rolling back the bulk load");
    if (rs__graph_exec(g, ST_BULK_RELEASE, "rolling back the bulk load") != 0 && status == 0)
        status = rs_errcode();
    return status;
}

int rs_graph_bulk_begin(rs_graph *g)
{
    int status;
    if (!g)
        return rs__fail(RS_ERR_INVALID, "rs_graph_bulk_begin: graph is NULL");
    if ((status = rs__graph_check_writable(g, "rs_graph_bulk_begin")) != 0)
        return status;
    if (g->in_bulk)
        return rs__fail(RS_ERR_STATE, "rs_graph_bulk_begin: a bulk load is already open");
    /* Inside a transaction of the model (rs_model_begin, which holds the
     * write lock) the bulk load is a savepoint of it: its commit is the
     * savepoint's release, and the caller's commit makes it durable. */
    g->bulk_nested = sqlite3_get_autocommit(g->db) == 0;
    if ((status = rs__graph_exec(g, g->bulk_nested ? ST_BULK_SAVEPOINT : ST_BEGIN,
                                 "starting the bulk load")) != 0)
        return status;
    /* the write lock is held now: nobody can commit between this check and
     * the bulk load's own commit */
    if ((status = rs__graph_check_current(g, "rs_graph_bulk_begin")) != 0) {
        bulk_undo(g);
        return status;
    }
    g->in_bulk = true;
    g->bulk_node_span = rs__idmap_span(g->nodes);
    g->bulk_rel_span = rs__idmap_span(g->relations);
    g->bulk_type_span = rs__idmap_span(g->types);
    g->n_pending = 0;
    return 0;
}

/* Forget nodes, relations and types created since the bulk load began
 * (their rows were rolled back). */
static void forget_bulk_additions(rs_graph *g)
{
    size_t len;
    for (size_t v = g->bulk_node_span; v < rs__idmap_span(g->nodes); v++)
        if (g->node_type[v] != UINT32_MAX)
            rs__graph_forget_node(g, (uint32_t)v);
    for (size_t r = rs__idmap_span(g->relations); r-- > g->bulk_rel_span;) {
        const char *name = rs__idmap_key(g->relations, (uint32_t)r, &len);
        if (name)
            rs__idmap_remove(g->relations, name, len);
    }
    for (size_t t = rs__idmap_span(g->types); t-- > g->bulk_type_span;) {
        const char *name = rs__idmap_key(g->types, (uint32_t)t, &len);
        if (name)
            rs__idmap_remove(g->types, name, len);
    }
}

int rs_graph_bulk_abort(rs_graph *g)
{
    int status;
    if (!g)
        return rs__fail(RS_ERR_INVALID, "rs_graph_bulk_abort: graph is NULL");
    if (!g->in_bulk)
        return rs__fail(RS_ERR_STATE, "rs_graph_bulk_abort: no bulk load is open");
    status = bulk_undo(g);
    g->in_bulk = false;
    rs__graph_pending_clear(g);
    forget_bulk_additions(g);
    return status;
}

static int compare_pending(const void *a, const void *b)
{
    const rs__pending_edge *x = a, *y = b;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    if (x->relation != y->relation)
        return x->relation < y->relation ? -1 : 1;
    if (x->dst != y->dst)
        return x->dst < y->dst ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Sort by (src, relation, dst), equal keys in arrival order: a counting
 * sort on src (one pass over the edges; sources are dense indices), then
 * each source's run by (relation, dst), small runs by insertion. */
static int sort_pending(rs__pending_edge *e, size_t n, size_t nodes)
{
    rs__pending_edge *tmp;
    size_t *start;
    if (n < 2)
        return 0;
    tmp = rs__alloc_array(n, sizeof *tmp);
    start = rs__calloc(nodes + 1, sizeof *start);
    if (!tmp || !start) {
        free(tmp);
        free(start);
        return rs_errcode();
    }
    for (size_t i = 0; i < n; i++)
        start[e[i].src + 1]++;
    for (size_t v = 0; v < nodes; v++)
        start[v + 1] += start[v];
    for (size_t i = 0; i < n; i++)
        tmp[start[e[i].src]++] = e[i];
    /* start[v] now ends v's run */
    size_t begin = 0;
    for (size_t v = 0; v < nodes && begin < n; v++) {
        size_t end = start[v], len = end - begin;
        rs__pending_edge *run = tmp + begin;
        if (len > 24)
            qsort(run, len, sizeof *run, compare_pending);
        else
            for (size_t i = 1; i < len; i++) {
                rs__pending_edge x = run[i];
                size_t j = i;
                while (j > 0 && compare_pending(&run[j - 1], &x) > 0) {
                    run[j] = run[j - 1];
                    j--;
                }
                run[j] = x;
            }
        begin = end;
    }
    memcpy(e, tmp, n * sizeof *e);
    free(tmp);
    free(start);
    return 0;
}

/* Write the rows of the nodes created during the bulk load, in id order. */
static int insert_bulk_nodes(rs_graph *g)
{
    size_t span = rs__idmap_span(g->nodes), v = g->bulk_node_span;
    size_t fresh = span - g->bulk_node_span, before = rs__idmap_count(g->nodes) - fresh;
    sqlite3_stmt *many = NULL;
    int status;
    /* many new keys: building the index once, sorted, beats random inserts */
    bool reindex = fresh >= RS_GRAPH_REINDEX_NODES && fresh >= before;
    if (reindex && (status = rs__graph_exec(g, ST_DROP_NODE_INDEX, "dropping the node index")) != 0)
        return status;
    while (v < span) {
        uint32_t group[RS_GRAPH_INSERT_ROWS];
        size_t filled = 0;
        sqlite3_stmt *st;
        int rc;
        for (; v < span && filled < RS_GRAPH_INSERT_ROWS; v++)
            if (g->node_type[v] != UINT32_MAX)
                group[filled++] = (uint32_t)v;
        if (filled == 0)
            break;
        if (filled == RS_GRAPH_INSERT_ROWS && !many && !(many = rs__graph_stmt(g, ST_NODE_INSERT_MANY)))
            return rs_errcode();
        st = filled == RS_GRAPH_INSERT_ROWS ? many : rs__graph_stmt(g, ST_NODE_INSERT);
        if (!st)
            return rs_errcode();
        for (size_t r = 0; r < filled; r++) {
            uint32_t node = group[r];
            size_t len;
            const char *key = rs__idmap_key(g->nodes, node, &len);
            int base = st == many ? (int)r * 3 : 0;
            sqlite3_bind_int64(st, base + 1, g->node_rowid[node]);
            sqlite3_bind_int64(st, base + 2, g->type_rowid[g->node_type[node]]);
            sqlite3_bind_text(st, base + 3, key + 4, (int)len - 4, SQLITE_STATIC);
            if (st != many) {
                rc = sqlite3_step(st);
                sqlite3_reset(st);
                if (rc != SQLITE_DONE)
                    return rs__graph_sql_fail(g, rc, "writing nodes");
            }
        }
        if (st == many) {
            rc = sqlite3_step(st);
            sqlite3_reset(st);
            if (rc != SQLITE_DONE)
                return rs__graph_sql_fail(g, rc, "writing nodes");
        }
    }
    if (reindex)
        return rs__graph_exec(g, ST_CREATE_NODE_INDEX, "building the node index");
    return 0;
}

/* The queued edges as an eponymous virtual table, so that one INSERT ...
 * SELECT writes them all: a column handed over by xColumn costs less than
 * a bound parameter, and there is one statement instead of thousands.
 * Rows already written (merged into existing edges, merge == -1) are
 * skipped. */
typedef struct bulk_vtab {
    sqlite3_vtab base;
    rs_graph *g;
} bulk_vtab;

typedef struct bulk_cursor {
    sqlite3_vtab_cursor base;
    size_t i;
} bulk_cursor;

static int bulk_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                        sqlite3_vtab **out, char **err)
{
    bulk_vtab *t;
    int rc;
    (void)argc;
    (void)argv;
    (void)err;
    if ((rc = sqlite3_declare_vtab(db, "CREATE TABLE x(src, rel, dst, weight, ts)")) != SQLITE_OK)
        return rc;
    if (!(t = sqlite3_malloc(sizeof *t)))
        return SQLITE_NOMEM;
    memset(t, 0, sizeof *t);
    t->g = aux;
    *out = &t->base;
    return SQLITE_OK;
}

static int bulk_disconnect(sqlite3_vtab *t)
{
    sqlite3_free(t);
    return SQLITE_OK;
}

static int bulk_best_index(sqlite3_vtab *t, sqlite3_index_info *info)
{
    (void)t;
    info->estimatedCost = 1e6;
    return SQLITE_OK;
}

static int bulk_open(sqlite3_vtab *t, sqlite3_vtab_cursor **out)
{
    bulk_cursor *c = sqlite3_malloc(sizeof *c);
    (void)t;
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *out = &c->base;
    return SQLITE_OK;
}

static int bulk_close(sqlite3_vtab_cursor *c)
{
    sqlite3_free(c);
    return SQLITE_OK;
}

static void bulk_skip_written(bulk_cursor *c)
{
    const rs_graph *g = ((bulk_vtab *)c->base.pVtab)->g;
    while (c->i < g->n_pending && g->pending[c->i].merge == -1)
        c->i++;
}

static int bulk_filter(sqlite3_vtab_cursor *cur, int idx, const char *idx_str, int argc,
                       sqlite3_value **argv)
{
    (void)idx;
    (void)idx_str;
    (void)argc;
    (void)argv;
    ((bulk_cursor *)cur)->i = 0;
    bulk_skip_written((bulk_cursor *)cur);
    return SQLITE_OK;
}

static int bulk_next(sqlite3_vtab_cursor *cur)
{
    ((bulk_cursor *)cur)->i++;
    bulk_skip_written((bulk_cursor *)cur);
    return SQLITE_OK;
}

static int bulk_eof(sqlite3_vtab_cursor *cur)
{
    return ((bulk_cursor *)cur)->i >= ((bulk_vtab *)cur->pVtab)->g->n_pending;
}

static int bulk_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    const rs_graph *g = ((bulk_vtab *)cur->pVtab)->g;
    const rs__pending_edge *e = &g->pending[((bulk_cursor *)cur)->i];
    switch (col) {
    case 0: sqlite3_result_int64(ctx, g->node_rowid[e->src]); break;
    case 1: sqlite3_result_int64(ctx, g->rel_rowid[e->relation]); break;
    case 2: sqlite3_result_int64(ctx, g->node_rowid[e->dst]); break;
    case 3: sqlite3_result_double(ctx, e->weight); break;
    default: sqlite3_result_int64(ctx, e->timestamp); break;
    }
    return SQLITE_OK;
}

static int bulk_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
    *rowid = (sqlite3_int64)((bulk_cursor *)cur)->i;
    return SQLITE_OK;
}

static const sqlite3_module bulk_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = bulk_connect,
    .xBestIndex = bulk_best_index,
    .xDisconnect = bulk_disconnect,
    .xDestroy = bulk_disconnect,
    .xOpen = bulk_open,
    .xClose = bulk_close,
    .xFilter = bulk_filter,
    .xNext = bulk_next,
    .xEof = bulk_eof,
    .xColumn = bulk_column,
    .xRowid = bulk_rowid,
};

/* Write the queued edges not written yet (g->pending[0 .. n_pending)). */
static int insert_bulk_edges(rs_graph *g)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (!g->bulk_module) {
        rc = sqlite3_create_module_v2(g->db, "rs_bulk_edges", &bulk_module, g, NULL);
        if (rc != SQLITE_OK)
            return rs__graph_sql_fail(g, rc, "registering the bulk load table");
        g->bulk_module = true;
    }
    rc = sqlite3_prepare_v2(g->db,
                            "INSERT INTO edges(src, rel, dst, weight, ts)"
                            " SELECT src, rel, dst, weight, ts FROM rs_bulk_edges",
                            -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return rs__graph_sql_fail(g, rc, "writing edges");
    return 0;
}

int rs_graph_bulk_commit(rs_graph *g)
{
    const char *fn = "rs_graph_bulk_commit";
    rs__pending_edge *e;
    size_t n, kept = 0, total, k;
    uint32_t *src = NULL, *rel = NULL, *dst = NULL;
    float *w = NULL;
    bool had_edges;
    int status = 0;

    if (!g)
        return rs__fail(RS_ERR_INVALID, "%s: graph is NULL", fn);
    if (!g->in_bulk)
        return rs__fail(RS_ERR_STATE, "%s: no bulk load is open", fn);
    e = g->pending;
    n = g->n_pending;
    had_edges = g->out.edges > 0;

    if ((status = sort_pending(e, n, rs__idmap_span(g->nodes))) != 0)
        goto fail;
    /* fold duplicates inside the batch into the first of each run */
    for (size_t i = 0; i < n; i++) {
        if (kept > 0 && e[kept - 1].src == e[i].src && e[kept - 1].relation == e[i].relation &&
            e[kept - 1].dst == e[i].dst) {
            rs__pending_edge *first = &e[kept - 1];
            if (e[i].merge == RS_GRAPH_MERGE_NONE) {
                status = rs__fail(RS_ERR_EXISTS, "%s: edge %u -[%s]-> %u is added twice", fn,
                                  e[i].src, rs_graph_relation_name(g, e[i].relation), e[i].dst);
                goto fail;
            }
            first->weight = (float)merge_weight(e[i].merge, first->weight, e[i].weight);
            if (e[i].merge == RS_GRAPH_MERGE_REPLACE || e[i].timestamp > first->timestamp)
                first->timestamp = e[i].timestamp;
            if (!isfinite(first->weight)) {
                status = rs__fail(RS_ERR_RANGE, "%s: merged weight of edge %u -> %u overflows",
                                  fn, e[i].src, e[i].dst);
                goto fail;
            }
            continue;
        }
        e[kept++] = e[i];
    }
    n = kept;

    /* existing edges: merged and updated in place */
    size_t n_new = n;
    if (had_edges) {
        for (size_t i = 0; i < n; i++) {
            double old_weight, weight;
            int64_t old_ts, ts = e[i].timestamp;
            sqlite3_stmt *up;
            int rc;
            if (rs__adj_find(&g->out, e[i].src, e[i].dst, e[i].relation) == SIZE_MAX)
                continue;
            if (e[i].merge == RS_GRAPH_MERGE_NONE) {
                status = rs__fail(RS_ERR_EXISTS, "%s: edge %u -[%s]-> %u exists already", fn,
                                  e[i].src, rs_graph_relation_name(g, e[i].relation), e[i].dst);
                goto fail;
            }
            if ((status = read_edge(g, e[i].src, e[i].relation, e[i].dst, &old_weight,
                                    &old_ts)) != 0)
                goto fail;
            weight = merge_weight(e[i].merge, old_weight, e[i].weight);
            if (e[i].merge != RS_GRAPH_MERGE_REPLACE && old_ts > ts)
                ts = old_ts;
            if ((status = rs__graph_check_weight(weight, "rs_graph_bulk_commit: merged "
                                                         "weight")) != 0)
                goto fail;
            if (!(up = rs__graph_stmt(g, ST_EDGE_UPDATE))) {
                status = rs_errcode();
                goto fail;
            }
            bind_edge(g, up, e[i].src, e[i].relation, e[i].dst);
            sqlite3_bind_double(up, 4, weight);
            sqlite3_bind_int64(up, 5, ts);
            rc = sqlite3_step(up);
            sqlite3_reset(up);
            if (rc != SQLITE_DONE) {
                status = rs__graph_sql_fail(g, rc, "updating edges");
                goto fail;
            }
            e[i].weight = (float)weight;
            e[i].merge = -1; /* written */
            n_new--;
        }
    }

    /* new nodes (rows deferred by rs_graph_add_node), then new edges in key
     * order, all in one statement */
    if ((status = insert_bulk_nodes(g)) != 0)
        goto fail;
    g->n_pending = n; /* the folded queue, read by rs_bulk_edges */
    if ((status = insert_bulk_edges(g)) != 0)
        goto fail;

    /* the adjacency: old edges (with merged weights) plus new ones, rebuilt */
    total = g->out.edges + n;
    src = rs__alloc_array(total ? total : 1, sizeof *src);
    rel = rs__alloc_array(total ? total : 1, sizeof *rel);
    dst = rs__alloc_array(total ? total : 1, sizeof *dst);
    w = rs__alloc_array(total ? total : 1, sizeof *w);
    if (!src || !rel || !dst || !w) {
        status = rs_errcode();
        goto fail;
    }
    k = 0;
    {
        size_t i = 0, nodes = rs__idmap_span(g->nodes);
        for (uint32_t v = 0; v < nodes; v++) {
            size_t s = v < g->out.nodes ? g->out.start[v] : 0;
            size_t end = v < g->out.nodes ? s + g->out.degree[v] : 0;
            for (; s < end; s++) {
                src[k] = v;
                rel[k] = g->out.relation[s];
                dst[k] = g->out.target[s];
                w[k] = g->out.weight[s];
                k++;
            }
            size_t old_end = k;
            for (; i < n && e[i].src == v; i++) {
                bool merged = false;
                if (had_edges)
                    for (size_t j = old_end - (end - (v < g->out.nodes ? g->out.start[v] : 0));
                         j < old_end; j++)
                        if (rel[j] == e[i].relation && dst[j] == e[i].dst) {
                            w[j] = e[i].weight;
                            merged = true;
                            break;
                        }
                if (merged)
                    continue;
                src[k] = v;
                rel[k] = e[i].relation;
                dst[k] = e[i].dst;
                w[k] = e[i].weight;
                k++;
            }
        }
    }
    {
        /* commit SQL first: if COMMIT fails nothing in memory has changed */
        rs__adj new_out, new_in;
        memset(&new_out, 0, sizeof new_out);
        memset(&new_in, 0, sizeof new_in);
        new_out.node_cap = 0;
        if ((status = rs__adj_reserve_nodes(&new_out, g->out.node_cap)) != 0 ||
            (status = rs__adj_reserve_nodes(&new_in, g->in.node_cap)) != 0 ||
            (status = rs__adj_build(&new_out, &new_in, rs__idmap_span(g->nodes), k, src, rel,
                                    dst, w)) != 0) {
            rs__adj_free(&new_out);
            rs__adj_free(&new_in);
            goto fail;
        }
        if ((status = rs__graph_exec(g, g->bulk_nested ? ST_BULK_RELEASE : ST_COMMIT,
                                     "committing the bulk load")) != 0) {
            rs__adj_free(&new_out);
            rs__adj_free(&new_in);
            goto fail;
        }
        rs__adj_free(&g->out);
        rs__adj_free(&g->in);
        g->out = new_out;
        g->in = new_in;
    }
    free(src);
    free(rel);
    free(dst);
    free(w);
    g->in_bulk = false;
    rs__graph_pending_clear(g);
    g->generation++;
    return 0;

fail:
    free(src);
    free(rel);
    free(dst);
    free(w);
    {
        /* the whole batch is undone, as documented */
        rs_error_state saved;
        rs__error_save(&saved);
        bulk_undo(g);
        rs__error_restore(&saved);
    }
    g->in_bulk = false;
    rs__graph_pending_clear(g);
    forget_bulk_additions(g);
    return status;
}
