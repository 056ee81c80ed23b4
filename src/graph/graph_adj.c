/*
 * graph_adj.c - the in-memory adjacency, one per direction: CSR arrays in
 * which every node's list has some slack, so that single writes are O(degree)
 * instead of a rebuild.
 *
 * A list that outgrows its capacity moves to the end of the slot arrays with
 * twice the room; the slots it leaves are "holes", and once holes exceed half
 * the slots the arrays are compacted.  After a build (open, bulk load) the
 * lists are packed back to back: a plain CSR.
 */
#include "graph/graph_impl.h"

#include "core/alloc.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SLOTS ((size_t)UINT32_MAX)

void rs__adj_free(rs__adj *adj)
{
    free(adj->start);
    free(adj->degree);
    free(adj->capacity);
    free(adj->target);
    free(adj->relation);
    free(adj->weight);
    memset(adj, 0, sizeof *adj);
}

int rs__adj_reserve_nodes(rs__adj *adj, size_t nodes)
{
    uint32_t *start, *degree, *capacity;
    if (nodes <= adj->node_cap)
        return 0;
    start = rs__realloc_array(adj->start, nodes, sizeof *start);
    if (!start)
        return rs_errcode();
    adj->start = start;
    degree = rs__realloc_array(adj->degree, nodes, sizeof *degree);
    if (!degree)
        return rs_errcode();
    adj->degree = degree;
    capacity = rs__realloc_array(adj->capacity, nodes, sizeof *capacity);
    if (!capacity)
        return rs_errcode();
    adj->capacity = capacity;
    memset(start + adj->node_cap, 0, (nodes - adj->node_cap) * sizeof *start);
    memset(degree + adj->node_cap, 0, (nodes - adj->node_cap) * sizeof *degree);
    memset(capacity + adj->node_cap, 0, (nodes - adj->node_cap) * sizeof *capacity);
    adj->node_cap = nodes;
    return 0;
}

static int reserve_slots(rs__adj *adj, size_t slots)
{
    size_t cap = adj->slot_cap;
    uint32_t *target, *relation;
    float *weight;
    if (slots <= cap)
        return 0;
    if (slots > MAX_SLOTS)
        return rs__fail(RS_ERR_LIMIT, "graph adjacency: more than %zu edge slots", MAX_SLOTS);
    cap = cap < 256 ? 256 : cap;
    while (cap < slots)
        cap = cap / 2 * 3;
    if (cap > MAX_SLOTS)
        cap = MAX_SLOTS;
    target = rs__realloc_array(adj->target, cap, sizeof *target);
    if (!target)
        return rs_errcode();
    adj->target = target;
    relation = rs__realloc_array(adj->relation, cap, sizeof *relation);
    if (!relation)
        return rs_errcode();
    adj->relation = relation;
    weight = rs__realloc_array(adj->weight, cap, sizeof *weight);
    if (!weight)
        return rs_errcode();
    adj->weight = weight;
    adj->slot_cap = cap;
    return 0;
}

/* Pack every list back to back (capacity = degree), in place order. */
static int compact(rs__adj *adj)
{
    size_t total = 0;
    uint32_t *target, *relation;
    float *weight;
    for (size_t v = 0; v < adj->nodes; v++)
        total += adj->degree[v];
    target = rs__alloc_array(total ? total : 1, sizeof *target);
    relation = rs__alloc_array(total ? total : 1, sizeof *relation);
    weight = rs__alloc_array(total ? total : 1, sizeof *weight);
    if (!target || !relation || !weight) {
        free(target);
        free(relation);
        free(weight);
        return rs_errcode();
    }
    total = 0;
    for (size_t v = 0; v < adj->nodes; v++) {
        uint32_t d = adj->degree[v], s = adj->start[v];
        memcpy(target + total, adj->target + s, d * sizeof *target);
        memcpy(relation + total, adj->relation + s, d * sizeof *relation);
        memcpy(weight + total, adj->weight + s, d * sizeof *weight);
        adj->start[v] = (uint32_t)total;
        adj->capacity[v] = d;
        total += d;
    }
    free(adj->target);
    free(adj->relation);
    free(adj->weight);
    adj->target = target;
    adj->relation = relation;
    adj->weight = weight;
    adj->used = adj->slot_cap = total ? total : 1;
    adj->used = total;
    adj->holes = 0;
    return 0;
}

int rs__adj_insert(rs__adj *adj, uint32_t node, uint32_t target, uint32_t relation, float weight)
{
    uint32_t d = adj->degree[node];
    if (d == adj->capacity[node]) {
        size_t cap = d < 2 ? 4 : (size_t)d * 2, from = adj->start[node];
        int status;
        if (adj->holes > 4096 && adj->holes > adj->used / 2) {
            if ((status = compact(adj)) != 0)
                return status;
            from = adj->start[node];
        }
        if (adj->used + cap > MAX_SLOTS)
            return rs__fail(RS_ERR_LIMIT, "graph adjacency: more than %zu edge slots",
                            MAX_SLOTS);
        if ((status = reserve_slots(adj, adj->used + cap)) != 0)
            return status;
        memmove(adj->target + adj->used, adj->target + from, d * sizeof *adj->target);
        memmove(adj->relation + adj->used, adj->relation + from, d * sizeof *adj->relation);
        memmove(adj->weight + adj->used, adj->weight + from, d * sizeof *adj->weight);
        adj->holes += adj->capacity[node];
        adj->start[node] = (uint32_t)adj->used;
        adj->capacity[node] = (uint32_t)cap;
        adj->used += cap;
    }
    size_t slot = (size_t)adj->start[node] + d;
    adj->target[slot] = target;
    adj->relation[slot] = relation;
    adj->weight[slot] = weight;
    adj->degree[node] = d + 1;
    adj->edges++;
    return 0;
}

size_t rs__adj_find(const rs__adj *adj, uint32_t node, uint32_t target, uint32_t relation)
{
    size_t s = adj->start[node], end = s + adj->degree[node];
    for (; s < end; s++)
        if (adj->target[s] == target && adj->relation[s] == relation)
            return s;
    return SIZE_MAX;
}

void rs__adj_remove_slot(rs__adj *adj, uint32_t node, size_t slot)
{
    size_t last = (size_t)adj->start[node] + adj->degree[node] - 1;
    adj->target[slot] = adj->target[last];
    adj->relation[slot] = adj->relation[last];
    adj->weight[slot] = adj->weight[last];
    adj->degree[node]--;
    adj->edges--;
}

/* Fill one direction by counting sort on `key` (src or dst). */
static int build_one(rs__adj *adj, size_t nodes, size_t n, const uint32_t *key,
                     const uint32_t *other, const uint32_t *rel, const float *w)
{
    rs__adj fresh;
    memset(&fresh, 0, sizeof fresh);
    if (rs__adj_reserve_nodes(&fresh, nodes ? nodes : 1) != 0 ||
        reserve_slots(&fresh, n ? n : 1) != 0) {
        rs__adj_free(&fresh);
        return rs_errcode();
    }
    for (size_t i = 0; i < n; i++)
        fresh.degree[key[i]]++;
    uint32_t offset = 0;
    for (size_t v = 0; v < nodes; v++) {
        fresh.start[v] = offset;
        fresh.capacity[v] = fresh.degree[v];
        offset += fresh.degree[v];
        fresh.degree[v] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t v = key[i];
        size_t slot = (size_t)fresh.start[v] + fresh.degree[v]++;
        fresh.target[slot] = other[i];
        fresh.relation[slot] = rel[i];
        fresh.weight[slot] = w[i];
    }
    fresh.nodes = nodes;
    fresh.used = n;
    fresh.edges = n;
    /* keep node arrays at least as large as before (the graph grows them) */
    if (adj->node_cap > fresh.node_cap && rs__adj_reserve_nodes(&fresh, adj->node_cap) != 0) {
        rs__adj_free(&fresh);
        return rs_errcode();
    }
    rs__adj_free(adj);
    *adj = fresh;
    return 0;
}

int rs__adj_build(rs__adj *out, rs__adj *in, size_t nodes, size_t n, const uint32_t *src,
                  const uint32_t *rel, const uint32_t *dst, const float *w)
{
    rs__adj new_out, new_in;
    memset(&new_out, 0, sizeof new_out);
    memset(&new_in, 0, sizeof new_in);
    if (n > MAX_SLOTS)
        return rs__fail(RS_ERR_LIMIT, "graph adjacency: more than %zu edges", MAX_SLOTS);
    new_out.node_cap = 0;
    /* build into fresh structures first so that failure changes nothing */
    if (rs__adj_reserve_nodes(&new_out, out->node_cap) != 0 ||
        rs__adj_reserve_nodes(&new_in, in->node_cap) != 0 ||
        build_one(&new_out, nodes, n, src, dst, rel, w) != 0 ||
        build_one(&new_in, nodes, n, dst, src, rel, w) != 0) {
        rs__adj_free(&new_out);
        rs__adj_free(&new_in);
        return rs_errcode();
    }
    rs__adj_free(out);
    rs__adj_free(in);
    *out = new_out;
    *in = new_in;
    return 0;
}
