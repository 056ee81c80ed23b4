/*
 * related.c - the items related to each item, read from the knowledge graph
 * (direct item neighbours, and items sharing an entity), for the drift that
 * spreads from a clicked item to its relatives.
 */
#include "sim/sim_internal.h"

#include "core/alloc.h"
#include "core/error.h"
#include "graph/graph_internal.h"

#include <stdlib.h>
#include <string.h>

#define NO_ITEM UINT32_MAX

typedef struct scored {
    uint32_t item;
    double w;
} scored;

static int by_weight(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    return (x->item > y->item) - (x->item < y->item);
}

int rs_sim_set_related_graph(rs_sim *sim, const rs_graph *graph, const char *const *item_keys,
                             size_t max_related)
{
    if (!sim || !graph || !item_keys)
        return rs__fail(RS_ERR_INVALID, "rs_sim_set_related_graph: %s is NULL",
                        !sim ? "sim" : (!graph ? "graph" : "item_keys"));
    if (max_related == 0 || max_related > 10000)
        return rs__fail(RS_ERR_RANGE, "rs_sim_set_related_graph: max_related %zu outside "
                        "1 .. 10000", max_related);
    rs__graph_csr adj[2];
    if (rs__graph_adjacency(graph, RS_GRAPH_OUT, &adj[0]) ||
        rs__graph_adjacency(graph, RS_GRAPH_IN, &adj[1]))
        return rs__fail(RS_ERR_INVALID, "rs_sim_set_related_graph: no adjacency");
    size_t span = adj[0].nodes, n = sim->n_items;
    uint32_t user_type = rs__graph_type_find(graph, "user");
    int rc = RS_OK;
    uint32_t *item_node = rs__alloc_array(n, sizeof *item_node);
    uint32_t *node_item = rs__alloc_array(span ? span : 1, sizeof *node_item);
    double *acc = rs__calloc(n, sizeof *acc);
    uint32_t *touched = rs__alloc_array(n, sizeof *touched);
    scored *pick = rs__alloc_array(n, sizeof *pick);
    size_t *starts = rs__alloc_array(n + 1, sizeof *starts);
    uint32_t *rel = NULL;
    size_t n_rel = 0, cap = 0;
    if (!item_node || !node_item || !acc || !touched || !pick || !starts) {
        rc = RS_ERR_NOMEM;
        goto done;
    }
    for (size_t v = 0; v < span; v++)
        node_item[v] = NO_ITEM;
    for (size_t i = 0; i < n; i++) {
        uint32_t node;
        item_node[i] = NO_ITEM;
        if (item_keys[i] && rs_graph_find_node(graph, "item", item_keys[i], &node) == RS_OK &&
            node < span) {
            item_node[i] = node;
            node_item[node] = (uint32_t)i;
        }
    }
    rs_clear_error();
    for (size_t i = 0; i < n; i++) {
        size_t nt = 0;
        starts[i] = n_rel;
        uint32_t v = item_node[i];
        for (int d = 0; v != NO_ITEM && d < 2; d++) {
            const rs__graph_csr *a = &adj[d];
            for (uint32_t e = a->start[v]; e < a->start[v] + a->degree[v]; e++) {
                uint32_t t = a->target[e];
                if (t >= span)
                    continue;
                double w1 = a->weight[e] * rs__graph_relation_weight(graph, a->relation[e]);
                if (w1 <= 0)
                    continue;
                if (node_item[t] != NO_ITEM) { /* a direct item neighbour */
                    uint32_t j = node_item[t];
                    if (j != i) {
                        if (acc[j] == 0)
                            touched[nt++] = j;
                        acc[j] += w1;
                    }
                    continue;
                }
                if (rs__graph_node_type(graph, t) == user_type)
                    continue;
                /* items sharing the entity t, weighted down by its degree */
                size_t deg = (size_t)adj[0].degree[t] + adj[1].degree[t];
                for (int d2 = 0; d2 < 2; d2++) {
                    const rs__graph_csr *b = &adj[d2];
                    for (uint32_t f = b->start[t]; f < b->start[t] + b->degree[t]; f++) {
                        uint32_t x = b->target[f];
                        if (x >= span || node_item[x] == NO_ITEM || node_item[x] == i)
                            continue;
                        double w2 = b->weight[f] * rs__graph_relation_weight(graph,
                                                                             b->relation[f]);
                        if (w2 <= 0)
                            continue;
                        uint32_t j = node_item[x];
                        if (acc[j] == 0)
                            touched[nt++] = j;
                        acc[j] += w1 * w2 / (double)deg;
                    }
                }
            }
        }
        for (size_t q = 0; q < nt; q++) {
            pick[q].item = touched[q];
            pick[q].w = acc[touched[q]];
            acc[touched[q]] = 0;
        }
        qsort(pick, nt, sizeof *pick, by_weight);
        if (nt > max_related)
            nt = max_related;
        if ((rc = rs__grow((void **)&rel, &cap, n_rel + nt, sizeof *rel)) != RS_OK)
            goto done;
        for (size_t q = 0; q < nt; q++)
            rel[n_rel++] = pick[q].item;
    }
    starts[n] = n_rel;
    rc = rs_sim_set_related(sim, starts, rel);
done:
    free(item_node);
    free(node_item);
    free(acc);
    free(touched);
    free(pick);
    free(starts);
    free(rel);
    return rc;
}
