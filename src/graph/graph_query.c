/*
 * graph_query.c - node properties and the read side: neighbours, k-hop
 * neighbourhoods and best weighted paths from the in-memory adjacency, and
 * key and full-text search through SQL.
 */
#include "graph/graph_impl.h"

#include "core/alloc.h"
#include "core/bitset.h"
#include "core/error.h"
#include "core/topk.h"
#include "core/utf8.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Longest property value and full-text query accepted. */
#define MAX_PROPERTY_BYTES (16u << 20)
#define MAX_QUERY_BYTES (64u << 10)
#define MAX_HOPS 16u
#define MAX_PATH_HOPS 8u

/* ------------------------------------------------------------ properties */

int rs_graph_set_property(rs_graph *g, uint32_t node, const char *name, const char *value)
{
    const char *fn = "rs_graph_set_property";
    sqlite3_stmt *st;
    size_t name_len, value_len = 0;
    int status, rc;
    if (!g)
        return rs__fail(RS_ERR_INVALID, "%s: graph is NULL", fn);
    if ((status = rs__graph_check_node(g, node, fn)) != 0 ||
        (status = rs__check_key(name, "rs_graph_set_property: property name", &name_len)) != 0)
        return status;
    if (value) {
        value_len = strnlen(value, (size_t)MAX_PROPERTY_BYTES + 1);
        if (value_len > MAX_PROPERTY_BYTES)
            return rs__fail(RS_ERR_RANGE, "%s: value of \"%s\" is longer than %u bytes", fn, name,
                            MAX_PROPERTY_BYTES);
        if ((status = rs__utf8_check(value, value_len, "rs_graph_set_property: value", NULL)) != 0)
            return status;
    }
    if ((status = rs__graph_check_writable(g, fn)) != 0)
        return status;
    if (!(st = rs__graph_stmt(g, value ? ST_PROP_SET : ST_PROP_DELETE)))
        return rs_errcode();
    sqlite3_bind_int64(st, 1, g->node_rowid[node]);
    sqlite3_bind_text(st, 2, name, (int)name_len, SQLITE_STATIC);
    if (value)
        sqlite3_bind_text(st, 3, value, (int)value_len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return rs__graph_sql_fail(g, rc, "writing a property");
    return 0;
}

int rs_graph_get_property(const rs_graph *g, uint32_t node, const char *name, char *buf,
                          size_t capacity, size_t *len_out)
{
    const char *fn = "rs_graph_get_property";
    rs_graph *mg = (rs_graph *)g; /* the statement cache only */
    sqlite3_stmt *st;
    size_t name_len, len;
    int status, rc;
    if (!g || !len_out || (!buf && capacity > 0))
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, !g ? "graph" : !len_out ? "len_out"
                                                                                       : "buf");
    if ((status = rs__graph_check_node(g, node, fn)) != 0 ||
        (status = rs__check_key(name, "rs_graph_get_property: property name", &name_len)) != 0)
        return status;
    if (!(st = rs__graph_stmt(mg, ST_PROP_GET)))
        return rs_errcode();
    sqlite3_bind_int64(st, 1, g->node_rowid[node]);
    sqlite3_bind_text(st, 2, name, (int)name_len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return rs__fail(RS_ERR_NOTFOUND, "%s: node %u has no property \"%s\"", fn, node, name);
        return rs__graph_sql_fail(mg, rc, "reading a property");
    }
    /* the schema says NOT NULL, but a crafted file can hold a NULL */
    if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
        int64_t rowid = g->node_rowid[node];
        sqlite3_reset(st);
        return rs__fail(RS_ERR_CORRUPT, "%s: table node_props: property \"%s\" of node id %lld "
                                        "is NULL",
                        fn, name, (long long)rowid);
    }
    const unsigned char *text = sqlite3_column_text(st, 0);
    if (!text) {
        sqlite3_reset(st);
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory reading property \"%s\"", fn, name);
    }
    len = (size_t)sqlite3_column_bytes(st, 0);
    if (capacity < len + 1) {
        sqlite3_reset(st);
        *len_out = len;
        return rs__fail(RS_ERR_BUFFER, "%s: property \"%s\" needs %zu bytes, buffer has %zu", fn,
                        name, len + 1, capacity);
    }
    *len_out = len;
    memcpy(buf, text, len);
    buf[len] = '\0';
    sqlite3_reset(st);
    return 0;
}

/* ------------------------------------------------------------ neighbours */

static int check_direction(unsigned direction, const char *fn)
{
    if (direction < RS_GRAPH_OUT || direction > RS_GRAPH_BOTH)
        return rs__fail(RS_ERR_INVALID, "%s: direction %u is not RS_GRAPH_OUT, RS_GRAPH_IN or "
                                        "RS_GRAPH_BOTH", fn, direction);
    return 0;
}

int rs_graph_neighbors(const rs_graph *g, uint32_t node, unsigned direction, uint32_t relation,
                       const char *type, uint32_t *nodes_out, uint32_t *relations_out,
                       float *weights_out, size_t capacity, size_t *n_out)
{
    const char *fn = "rs_graph_neighbors";
    uint32_t type_filter = UINT32_MAX;
    size_t n = 0;
    int status;
    if (!g || !n_out || (!nodes_out && capacity > 0))
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn,
                        !g ? "graph" : !n_out ? "n_out" : "nodes_out");
    if ((status = rs__graph_check_node(g, node, fn)) != 0 ||
        (status = check_direction(direction, fn)) != 0)
        return status;
    if (relation != RS_GRAPH_ANY_RELATION &&
        (status = rs__graph_check_relation(g, relation, fn)) != 0)
        return status;
    if (type) {
        type_filter = rs__idmap_find(g->types, type, strlen(type));
        if (type_filter == RS_IDMAP_NONE) {
            *n_out = 0; /* no node has an unknown type */
            return 0;
        }
    }
    for (unsigned d = RS_GRAPH_OUT; d <= RS_GRAPH_IN; d++) {
        const rs__adj *adj = d == RS_GRAPH_OUT ? &g->out : &g->in;
        if (!(direction & d))
            continue;
        for (size_t s = adj->start[node], e = s + adj->degree[node]; s < e; s++) {
            if (relation != RS_GRAPH_ANY_RELATION && adj->relation[s] != relation)
                continue;
            if (type_filter != UINT32_MAX && g->node_type[adj->target[s]] != type_filter)
                continue;
            if (n < capacity) {
                nodes_out[n] = adj->target[s];
                if (relations_out)
                    relations_out[n] = adj->relation[s] | (d == RS_GRAPH_IN ? RS_GRAPH_REVERSED : 0);
                if (weights_out)
                    weights_out[n] = adj->weight[s];
            }
            n++;
        }
    }
    *n_out = n;
    if (n > capacity)
        return rs__fail(RS_ERR_BUFFER, "%s: node %u has %zu matching neighbours, buffer holds %zu",
                        fn, node, n, capacity);
    return 0;
}

/* ------------------------------------------------------------ k-hop */

/* Offer the neighbours of v (in `direction`) to a top-f selection scored by
 * edge weight x relation weight; or, with no cap, visit each directly. */
typedef struct khop_state {
    const rs_graph *g;
    uint64_t *visited;
    uint32_t *next;
    size_t n_next, next_cap;
} khop_state;

static int khop_visit(khop_state *ks, uint32_t u)
{
    if (rs__bitset_test(ks->visited, u))
        return 0;
    rs__bitset_set(ks->visited, u);
    if (ks->n_next == ks->next_cap &&
        rs__grow((void **)&ks->next, &ks->next_cap, ks->n_next + 1, sizeof *ks->next) != 0)
        return rs_errcode();
    ks->next[ks->n_next++] = u;
    return 0;
}

int rs_graph_khop(const rs_graph *g, uint32_t start, unsigned hops, unsigned direction,
                  const uint32_t *fanout, uint32_t *nodes_out, uint32_t *hops_out,
                  size_t capacity, size_t *n_out)
{
    const char *fn = "rs_graph_khop";
    khop_state ks;
    uint32_t *frontier = NULL, *top_index = NULL;
    float *top_score = NULL;
    size_t n_frontier = 0, frontier_cap = 0, total = 0, top_cap = 0;
    int status;
    if (!g || !n_out || (!nodes_out && capacity > 0))
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn,
                        !g ? "graph" : !n_out ? "n_out" : "nodes_out");
    if ((status = rs__graph_check_node(g, start, fn)) != 0 ||
        (status = check_direction(direction, fn)) != 0)
        return status;
    if (hops > MAX_HOPS)
        return rs__fail(RS_ERR_RANGE, "%s: hops %u is above %u", fn, hops, MAX_HOPS);
    memset(&ks, 0, sizeof ks);
    ks.g = g;
    ks.visited = rs__calloc(rs__bitset_words(rs__idmap_span(g->nodes)) + 1, sizeof(uint64_t));
    frontier = rs__malloc(sizeof *frontier);
    if (!ks.visited || !frontier) {
        status = rs_errcode();
        goto done;
    }
    frontier_cap = 1;
    frontier[n_frontier++] = start;
    rs__bitset_set(ks.visited, start);

    for (unsigned hop = 1; hop <= hops && n_frontier > 0; hop++) {
        uint32_t cap = fanout ? fanout[hop - 1] : 0;
        ks.n_next = 0;
        if (cap > 0 && cap > top_cap) {
            free(top_index);
            free(top_score);
            top_index = rs__alloc_array(cap, sizeof *top_index);
            top_score = rs__alloc_array(cap, sizeof *top_score);
            if (!top_index || !top_score) {
                status = rs_errcode();
                goto done;
            }
            top_cap = cap;
        }
        for (size_t f = 0; f < n_frontier; f++) {
            uint32_t v = frontier[f];
            rs_topk top;
            if (cap > 0)
                rs__topk_init(&top, cap, top_index, top_score);
            for (unsigned d = RS_GRAPH_OUT; d <= RS_GRAPH_IN; d++) {
                const rs__adj *adj = d == RS_GRAPH_OUT ? &g->out : &g->in;
                if (!(direction & d))
                    continue;
                for (size_t s = adj->start[v], e = s + adj->degree[v]; s < e; s++) {
                    uint32_t u = adj->target[s];
                    if (cap > 0) {
                        if (!rs__bitset_test(ks.visited, u))
                            rs__topk_push(&top, u, adj->weight[s] * g->rel_weight[adj->relation[s]]);
                    } else if ((status = khop_visit(&ks, u)) != 0)
                        goto done;
                }
            }
            if (cap > 0) {
                size_t kept = rs__topk_finish(&top);
                for (size_t i = 0; i < kept; i++)
                    if ((status = khop_visit(&ks, top.index[i])) != 0)
                        goto done;
            }
        }
        for (size_t i = 0; i < ks.n_next; i++) {
            if (total < capacity) {
                nodes_out[total] = ks.next[i];
                if (hops_out)
                    hops_out[total] = hop;
            }
            total++;
        }
        /* the next frontier is this hop's nodes */
        uint32_t *swap = frontier;
        size_t swap_cap = frontier_cap;
        frontier = ks.next;
        frontier_cap = ks.next_cap;
        n_frontier = ks.n_next;
        ks.next = swap;
        ks.next_cap = swap_cap;
    }
    *n_out = total;
    status = total > capacity
                 ? rs__fail(RS_ERR_BUFFER, "%s: %zu nodes within %u hops of %u, buffer holds %zu",
                            fn, total, hops, start, capacity)
                 : 0;
done:
    free(ks.visited);
    free(ks.next);
    free(frontier);
    free(top_index);
    free(top_score);
    return status;
}

/* ------------------------------------------------------------ best paths */

typedef struct path_search {
    const rs_graph *g;
    uint32_t to;
    unsigned max_hops, direction;
    const uint8_t *dist; /* hops from a node to `to`, 255 = farther */
    uint32_t stack_nodes[MAX_PATH_HOPS + 1], stack_rels[MAX_PATH_HOPS];
    /* the k best paths so far */
    size_t k, n;
    uint32_t *nodes;  /* k x (max_hops + 1) */
    uint32_t *rels;   /* k x max_hops */
    uint32_t *len;    /* k */
    double *weight;   /* k */
} path_search;

/* Is path a (weight wa, hops la, nodes na) better than b? */
static bool path_better(double wa, uint32_t la, const uint32_t *na, double wb, uint32_t lb,
                        const uint32_t *nb)
{
    if (wa != wb)
        return wa > wb;
    if (la != lb)
        return la < lb;
    for (uint32_t i = 0; i <= la; i++)
        if (na[i] != nb[i])
            return na[i] < nb[i];
    return false;
}

static void path_offer(path_search *ps, unsigned hops, double weight)
{
    size_t stride_n = ps->max_hops + 1, slot;
    if (ps->n < ps->k)
        slot = ps->n++;
    else {
        slot = 0;
        for (size_t i = 1; i < ps->n; i++)
            if (path_better(ps->weight[slot], ps->len[slot], ps->nodes + slot * stride_n,
                            ps->weight[i], ps->len[i], ps->nodes + i * stride_n))
                slot = i; /* slot is the worst */
        if (!path_better(weight, hops, ps->stack_nodes, ps->weight[slot], ps->len[slot],
                         ps->nodes + slot * stride_n))
            return;
    }
    memcpy(ps->nodes + slot * stride_n, ps->stack_nodes, (hops + 1) * sizeof(uint32_t));
    memcpy(ps->rels + slot * ps->max_hops, ps->stack_rels, hops * sizeof(uint32_t));
    ps->len[slot] = hops;
    ps->weight[slot] = weight;
}

static void path_dfs(path_search *ps, uint32_t v, unsigned depth, double weight)
{
    const rs_graph *g = ps->g;
    for (unsigned d = RS_GRAPH_OUT; d <= RS_GRAPH_IN; d++) {
        const rs__adj *adj = d == RS_GRAPH_OUT ? &g->out : &g->in;
        if (!(ps->direction & d))
            continue;
        for (size_t s = adj->start[v], e = s + adj->degree[v]; s < e; s++) {
            uint32_t u = adj->target[s];
            double w = weight * adj->weight[s] * g->rel_weight[adj->relation[s]];
            bool on_path = false;
            if (u != ps->to && (depth + 1 >= ps->max_hops || ps->dist[u] > ps->max_hops - depth - 1))
                continue;
            for (unsigned i = 0; i <= depth && !on_path; i++)
                on_path = ps->stack_nodes[i] == u;
            if (on_path)
                continue;
            ps->stack_nodes[depth + 1] = u;
            ps->stack_rels[depth] = adj->relation[s] | (d == RS_GRAPH_IN ? RS_GRAPH_REVERSED : 0);
            if (u == ps->to)
                path_offer(ps, depth + 1, w);
            else
                path_dfs(ps, u, depth + 1, w);
        }
    }
}

int rs_graph_best_paths(const rs_graph *g, uint32_t from, uint32_t to, unsigned max_hops,
                        unsigned direction, size_t k, uint32_t *nodes_out,
                        uint32_t *relations_out, uint32_t *lengths_out, double *weights_out,
                        size_t *n_out)
{
    const char *fn = "rs_graph_best_paths";
    path_search ps;
    uint8_t *dist = NULL;
    uint32_t *level = NULL, *next = NULL;
    size_t span, n_level = 0, n_next = 0, size;
    int status;
    if (!g || !n_out || (k > 0 && (!nodes_out || !lengths_out)))
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn,
                        !g ? "graph" : !n_out ? "n_out" : !nodes_out ? "nodes_out" : "lengths_out");
    if ((status = rs__graph_check_node(g, from, fn)) != 0 ||
        (status = rs__graph_check_node(g, to, fn)) != 0 ||
        (status = check_direction(direction, fn)) != 0)
        return status;
    if (max_hops < 1 || max_hops > MAX_PATH_HOPS)
        return rs__fail(RS_ERR_RANGE, "%s: max_hops %u is outside 1..%u", fn, max_hops,
                        MAX_PATH_HOPS);
    if (from == to)
        return rs__fail(RS_ERR_INVALID, "%s: from and to are the same node %u", fn, from);
    *n_out = 0;
    if (k == 0)
        return 0;
    if ((status = rs__mul_size(k, max_hops + 1, &size)) != 0)
        return status;

    /* distances to `to` against the direction of travel, up to max_hops - 1 */
    span = rs__idmap_span(g->nodes);
    dist = rs__malloc(span);
    level = rs__alloc_array(span, sizeof *level);
    next = rs__alloc_array(span, sizeof *next);
    memset(&ps, 0, sizeof ps);
    ps.k = k;
    ps.nodes = rs__alloc_array(size, sizeof *ps.nodes);
    ps.rels = rs__alloc_array(k, max_hops * sizeof *ps.rels);
    ps.len = rs__alloc_array(k, sizeof *ps.len);
    ps.weight = rs__alloc_array(k, sizeof *ps.weight);
    if (!dist || !level || !next || !ps.nodes || !ps.rels || !ps.len || !ps.weight) {
        status = rs_errcode();
        goto done;
    }
    memset(dist, 255, span);
    dist[to] = 0;
    level[n_level++] = to;
    for (unsigned hop = 1; hop < max_hops && n_level > 0; hop++) {
        n_next = 0;
        for (size_t i = 0; i < n_level; i++) {
            uint32_t v = level[i];
            for (unsigned d = RS_GRAPH_OUT; d <= RS_GRAPH_IN; d++) {
                /* travelling in direction d means arriving through the other list */
                const rs__adj *adj = d == RS_GRAPH_OUT ? &g->in : &g->out;
                if (!(direction & d))
                    continue;
                for (size_t s = adj->start[v], e = s + adj->degree[v]; s < e; s++) {
                    uint32_t u = adj->target[s];
                    if (dist[u] == 255) {
                        dist[u] = (uint8_t)hop;
                        next[n_next++] = u;
                    }
                }
            }
        }
        uint32_t *swap = level;
        level = next;
        next = swap;
        n_level = n_next;
    }

    ps.g = g;
    ps.to = to;
    ps.max_hops = max_hops;
    ps.direction = direction;
    ps.dist = dist;
    ps.stack_nodes[0] = from;
    path_dfs(&ps, from, 0, 1.0);

    /* best first */
    for (size_t i = 0; i < ps.n; i++) {
        size_t best = i;
        for (size_t j = i + 1; j < ps.n; j++)
            if (path_better(ps.weight[j], ps.len[j], ps.nodes + j * (max_hops + 1),
                            ps.weight[best], ps.len[best], ps.nodes + best * (max_hops + 1)))
                best = j;
        memcpy(nodes_out + i * (max_hops + 1), ps.nodes + best * (max_hops + 1),
               (max_hops + 1) * sizeof *nodes_out);
        if (relations_out)
            memcpy(relations_out + i * max_hops, ps.rels + best * max_hops,
                   max_hops * sizeof *relations_out);
        lengths_out[i] = ps.len[best];
        if (weights_out)
            weights_out[i] = ps.weight[best];
        if (best != i) { /* swap best into place i */
            uint32_t tmp_nodes[MAX_PATH_HOPS + 1], tmp_rels[MAX_PATH_HOPS], tl = ps.len[i];
            double tw = ps.weight[i];
            memcpy(tmp_nodes, ps.nodes + i * (max_hops + 1), (max_hops + 1) * sizeof *tmp_nodes);
            memcpy(tmp_rels, ps.rels + i * max_hops, max_hops * sizeof *tmp_rels);
            memcpy(ps.nodes + i * (max_hops + 1), ps.nodes + best * (max_hops + 1),
                   (max_hops + 1) * sizeof *tmp_nodes);
            memcpy(ps.rels + i * max_hops, ps.rels + best * max_hops, max_hops * sizeof *tmp_rels);
            ps.len[i] = ps.len[best];
            ps.weight[i] = ps.weight[best];
            memcpy(ps.nodes + best * (max_hops + 1), tmp_nodes, (max_hops + 1) * sizeof *tmp_nodes);
            memcpy(ps.rels + best * max_hops, tmp_rels, max_hops * sizeof *tmp_rels);
            ps.len[best] = tl;
            ps.weight[best] = tw;
        }
    }
    *n_out = ps.n;
    status = 0;
done:
    free(dist);
    free(level);
    free(next);
    free(ps.nodes);
    free(ps.rels);
    free(ps.len);
    free(ps.weight);
    return status;
}

/* ------------------------------------------------------------ search */

int rs_graph_search_keys(const rs_graph *g, const char *type, const char *text, unsigned mode,
                         uint32_t *nodes_out, size_t k, size_t *n_out)
{
    const char *fn = "rs_graph_search_keys";
    rs_graph *mg = (rs_graph *)g;
    char upper[RS_MAX_KEY_BYTES + 2];
    size_t type_len, len, n = 0;
    uint32_t type_index;
    sqlite3_stmt *st;
    int status, rc;
    if (!g || !n_out || (!nodes_out && k > 0))
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn,
                        !g ? "graph" : !n_out ? "n_out" : "nodes_out");
    if ((status = rs__check_key(type, "rs_graph_search_keys: node type", &type_len)) != 0 ||
        (status = rs__check_key(text, "rs_graph_search_keys: key", &len)) != 0)
        return status;
    if (mode != RS_GRAPH_MATCH_EXACT && mode != RS_GRAPH_MATCH_PREFIX)
        return rs__fail(RS_ERR_INVALID, "%s: mode %u is not RS_GRAPH_MATCH_EXACT or "
                                        "RS_GRAPH_MATCH_PREFIX", fn, mode);
    *n_out = 0;
    type_index = rs__idmap_find(g->types, type, type_len);
    if (type_index == RS_IDMAP_NONE || k == 0)
        return 0;
    if (mode == RS_GRAPH_MATCH_EXACT) {
        uint32_t node;
        if (rs_graph_find_node(g, type, text, &node) == 0) {
            nodes_out[0] = node;
            *n_out = 1;
        }
        return 0;
    }
    /* every key with the prefix lies in [prefix, prefix + 0xff): 0xff never
     * occurs in UTF-8 */
    memcpy(upper, text, len);
    upper[len] = (char)0xff;
    if (!(st = rs__graph_stmt(mg, ST_KEY_PREFIX)))
        return rs_errcode();
    sqlite3_bind_int64(st, 1, g->type_rowid[type_index]);
    sqlite3_bind_text(st, 2, text, (int)len, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, upper, (int)len + 1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, k > INT64_MAX ? INT64_MAX : (int64_t)k);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < k) {
        uint32_t node;
        if (rs__graph_node_from_rowid(g, sqlite3_column_int64(st, 0), &node) == 0)
            nodes_out[n++] = node;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return rs__graph_sql_fail(mg, rc, "searching keys");
    *n_out = n;
    return 0;
}

/* Turn free text into an FTS5 query: every word a quoted prefix term, all
 * required.  Returns a malloc'd string or NULL (failure recorded). */
static char *fts_query(const char *text, size_t len)
{
    char *q = rs__malloc(len * 2 + 8 * (len / 2 + 1) + 1), *w = q;
    size_t i = 0, terms = 0;
    if (!q)
        return NULL;
    while (i < len) {
        while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
            i++;
        if (i >= len)
            break;
        bool word = false;
        size_t begin = i;
        for (; i < len && !(text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r');
             i++)
            if ((unsigned char)text[i] >= 0x80 || (text[i] >= '0' && text[i] <= '9') ||
                ((text[i] | 0x20) >= 'a' && (text[i] | 0x20) <= 'z'))
                word = true;
        if (!word)
            continue; /* punctuation only: nothing for the tokenizer */
        if (terms++)
            *w++ = ' ';
        *w++ = '"';
        for (size_t j = begin; j < i; j++) {
            if (text[j] == '"')
                *w++ = '"';
            *w++ = text[j];
        }
        *w++ = '"';
        *w++ = '*';
    }
    *w = '\0';
    if (terms == 0) {
        free(q);
        rs__fail(RS_ERR_INVALID, "rs_graph_search_text: the query has no words");
        return NULL;
    }
    return q;
}

int rs_graph_search_text(const rs_graph *g, const char *query, const char *type,
                         uint32_t *nodes_out, double *scores_out, size_t k, size_t *n_out)
{
    const char *fn = "rs_graph_search_text";
    rs_graph *mg = (rs_graph *)g;
    uint32_t type_filter = UINT32_MAX;
    size_t len, n = 0;
    sqlite3_stmt *st;
    char *q;
    int status, rc;
    if (!g || !query || !n_out || (!nodes_out && k > 0))
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn,
                        !g ? "graph" : !query ? "query" : !n_out ? "n_out" : "nodes_out");
    len = strnlen(query, (size_t)MAX_QUERY_BYTES + 1);
    if (len > MAX_QUERY_BYTES)
        return rs__fail(RS_ERR_RANGE, "%s: query is longer than %u bytes", fn, MAX_QUERY_BYTES);
    if ((status = rs__utf8_check(query, len, "rs_graph_search_text: query", NULL)) != 0)
        return status;
    *n_out = 0;
    if (type) {
        type_filter = rs__idmap_find(g->types, type, strlen(type));
        if (type_filter == RS_IDMAP_NONE)
            return 0;
    }
    if (!(q = fts_query(query, len)))
        return rs_errcode();
    if (!(st = rs__graph_stmt(mg, ST_FTS_SEARCH))) {
        free(q);
        return rs_errcode();
    }
    sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
    rc = SQLITE_DONE;
    while (n < k && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t node;
        if (rs__graph_node_from_rowid(g, sqlite3_column_int64(st, 0), &node) != 0)
            continue;
        if (type_filter != UINT32_MAX && g->node_type[node] != type_filter)
            continue;
        nodes_out[n] = node;
        if (scores_out)
            scores_out[n] = -sqlite3_column_double(st, 1); /* bm25: lower is better */
        n++;
    }
    if (n == k)
        rc = SQLITE_DONE;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    free(q);
    if (k > 0 && rc != SQLITE_DONE)
        return rs__graph_sql_fail(mg, rc, "full-text search");
    *n_out = n;
    return 0;
}
