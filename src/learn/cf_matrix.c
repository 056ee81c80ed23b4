/*
 * cf_matrix.c - the interaction matrix of the collaborative models: built
 * from (user, item, weight) triplets or from a graph's interaction edges.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "graph/graph_internal.h"
#include "learn/cf_internal.h"

static void matrix_free(rs_cf_matrix *m)
{
    if (!m)
        return;
    free(m->user_start);
    free(m->user_item);
    free(m->user_weight);
    free(m->item_start);
    free(m->item_user);
    free(m->item_weight);
    free(m->user_node);
    free(m->item_node);
    free(m);
}

void rs_cf_matrix_free(rs_cf_matrix *matrix) { matrix_free(matrix); }

int rs_cf_matrix_create(size_t n_users, size_t n_items, const uint32_t *users,
                        const uint32_t *items, const float *weights, size_t n,
                        rs_cf_matrix **out)
{
    if (out)
        *out = NULL;
    if (!out || !users || !items)
        return rs__fail(RS_ERR_INVALID, "rs_cf_matrix_create: %s is NULL",
                        !out ? "out" : !users ? "users" : "items");
    if (n == 0 || n_users == 0 || n_items == 0)
        return rs__fail(RS_ERR_INVALID,
                        "rs_cf_matrix_create: empty matrix (%zu users, %zu items, %zu entries)",
                        n_users, n_items, n);
    return rs__cf_matrix_build(n_users, n_items, users, items, weights, n, out);
}

int rs__cf_matrix_build(size_t n_users, size_t n_items, const uint32_t *users,
                        const uint32_t *items, const float *weights, size_t n,
                        rs_cf_matrix **out)
{
    const size_t limit = (size_t)UINT32_MAX - 1;
    if (n_users > limit || n_items > limit || n > limit)
        return rs__fail(RS_ERR_LIMIT, "interaction matrix too large (%zu x %zu, %zu entries)",
                        n_users, n_items, n);
    for (size_t e = 0; e < n; e++) {
        if (users[e] >= n_users)
            return rs__fail(RS_ERR_RANGE, "entry %zu: user %u out of range (%zu users)", e,
                            users[e], n_users);
        if (items[e] >= n_items)
            return rs__fail(RS_ERR_RANGE, "entry %zu: item %u out of range (%zu items)", e,
                            items[e], n_items);
        if (weights && !(isfinite(weights[e]) && weights[e] > 0.0f))
            return rs__fail(RS_ERR_RANGE, "entry %zu: weight %g is not finite and > 0", e,
                            (double)weights[e]);
    }
    int rc = RS_ERR_NOMEM;
    rs_cf_matrix *m = rs__calloc(1, sizeof *m);
    size_t *by_item_start = rs__calloc(n_items + 1, sizeof *by_item_start);
    uint32_t *perm = rs__alloc_array(n, sizeof *perm);
    uint32_t *order = rs__alloc_array(n, sizeof *order);
    if (!m || !by_item_start || !perm || !order)
        goto fail;
    m->n_users = n_users;
    m->n_items = n_items;
    m->user_start = rs__calloc(n_users + 1, sizeof *m->user_start);
    m->item_start = rs__calloc(n_items + 1, sizeof *m->item_start);
    if (!m->user_start || !m->item_start)
        goto fail;

    /* Two stable counting sorts, by item then by user: order is sorted by
     * (user, item), so repeated pairs are adjacent. */
    for (size_t e = 0; e < n; e++)
        by_item_start[items[e] + 1]++;
    for (size_t i = 0; i < n_items; i++)
        by_item_start[i + 1] += by_item_start[i];
    for (size_t e = 0; e < n; e++)
        perm[by_item_start[items[e]]++] = (uint32_t)e;
    for (size_t e = 0; e < n; e++)
        m->user_start[users[e] + 1]++;
    for (size_t u = 0; u < n_users; u++)
        m->user_start[u + 1] += m->user_start[u];
    for (size_t p = 0; p < n; p++) {
        uint32_t e = perm[p];
        order[m->user_start[users[e]]++] = e;
    }
    /* Merge repeats and rebuild the row starts. */
    m->user_item = rs__alloc_array(n, sizeof *m->user_item);
    m->user_weight = rs__alloc_array(n, sizeof *m->user_weight);
    if (!m->user_item || !m->user_weight)
        goto fail;
    memset(m->user_start, 0, (n_users + 1) * sizeof *m->user_start);
    size_t nnz = 0;
    for (size_t p = 0; p < n; p++) {
        uint32_t e = order[p];
        float w = weights ? weights[e] : 1.0f;
        if (p > 0 && users[order[p - 1]] == users[e] && items[order[p - 1]] == items[e]) {
            m->user_weight[nnz - 1] += w;
            if (!isfinite(m->user_weight[nnz - 1])) {
                rc = rs__fail(RS_ERR_RANGE, "entry %u: summed weight overflows", e);
                goto fail;
            }
            continue;
        }
        m->user_item[nnz] = items[e];
        m->user_weight[nnz] = w;
        m->user_start[users[e] + 1]++;
        nnz++;
    }
    for (size_t u = 0; u < n_users; u++)
        m->user_start[u + 1] += m->user_start[u];
    m->nnz = nnz;

    /* The transpose, by item, users ascending within a column. */
    m->item_user = rs__alloc_array(nnz, sizeof *m->item_user);
    m->item_weight = rs__alloc_array(nnz, sizeof *m->item_weight);
    if (!m->item_user || !m->item_weight)
        goto fail;
    for (size_t p = 0; p < nnz; p++)
        m->item_start[m->user_item[p] + 1]++;
    for (size_t i = 0; i < n_items; i++)
        m->item_start[i + 1] += m->item_start[i];
    memcpy(by_item_start, m->item_start, (n_items + 1) * sizeof *by_item_start);
    for (size_t u = 0; u < n_users; u++)
        for (size_t p = m->user_start[u]; p < m->user_start[u + 1]; p++) {
            size_t q = by_item_start[m->user_item[p]]++;
            m->item_user[q] = (uint32_t)u;
            m->item_weight[q] = m->user_weight[p];
        }
    free(by_item_start);
    free(perm);
    free(order);
    *out = m;
    return RS_OK;
fail:
    free(by_item_start);
    free(perm);
    free(order);
    matrix_free(m);
    return rc;
}

int rs_cf_matrix_shape(const rs_cf_matrix *matrix, size_t *n_users_out, size_t *n_items_out,
                       size_t *nnz_out)
{
    if (!matrix)
        return rs__fail(RS_ERR_INVALID, "rs_cf_matrix_shape: matrix is NULL");
    if (n_users_out)
        *n_users_out = matrix->n_users;
    if (n_items_out)
        *n_items_out = matrix->n_items;
    if (nnz_out)
        *nnz_out = matrix->nnz;
    return RS_OK;
}

int rs_cf_matrix_node(const rs_cf_matrix *matrix, unsigned axis, uint32_t index,
                      uint32_t *node_out)
{
    if (!matrix || !node_out)
        return rs__fail(RS_ERR_INVALID, "rs_cf_matrix_node: %s is NULL",
                        !matrix ? "matrix" : "node_out");
    if (axis != RS_CF_USERS && axis != RS_CF_ITEMS)
        return rs__fail(RS_ERR_INVALID, "rs_cf_matrix_node: unknown axis %u", axis);
    if (!matrix->user_node)
        return rs__fail(RS_ERR_STATE, "rs_cf_matrix_node: the matrix was not built from a graph");
    size_t n = axis == RS_CF_USERS ? matrix->n_users : matrix->n_items;
    if (index >= n)
        return rs__fail(RS_ERR_RANGE, "rs_cf_matrix_node: index %u out of range (%zu)", index, n);
    *node_out = axis == RS_CF_USERS ? matrix->user_node[index] : matrix->item_node[index];
    return RS_OK;
}

int rs_cf_matrix_from_graph(const rs_graph *graph, const char *user_type, const char *item_type,
                            const uint32_t *relations, const float *relation_weights,
                            size_t n_relations, rs_cf_matrix **out)
{
    if (out)
        *out = NULL;
    if (!graph || !user_type || !item_type || !relations || !out)
        return rs__fail(RS_ERR_INVALID, "rs_cf_matrix_from_graph: %s is NULL",
                        !graph ? "graph" : !user_type ? "user_type" : !item_type ? "item_type"
                                           : !relations ? "relations" : "out");
    if (n_relations == 0)
        return rs__fail(RS_ERR_INVALID, "rs_cf_matrix_from_graph: no relation given");
    uint32_t utype = rs__graph_type_find(graph, user_type);
    uint32_t itype = rs__graph_type_find(graph, item_type);
    if (utype == UINT32_MAX || itype == UINT32_MAX)
        return rs__fail(RS_ERR_NOTFOUND, "rs_cf_matrix_from_graph: unknown node type \"%s\"",
                        utype == UINT32_MAX ? user_type : item_type);
    size_t n_rel = rs__graph_relation_count(graph);
    for (size_t r = 0; r < n_relations; r++) {
        if (relations[r] >= n_rel)
            return rs__fail(RS_ERR_NOTFOUND, "rs_cf_matrix_from_graph: unknown relation %u",
                            relations[r]);
        if (relation_weights &&
            !(isfinite(relation_weights[r]) && relation_weights[r] >= 0.0f))
            return rs__fail(RS_ERR_RANGE,
                            "rs_cf_matrix_from_graph: relation_weights[%zu] = %g is negative "
                            "or not finite", r, (double)relation_weights[r]);
    }
    rs__graph_csr adj;
    int rc = rs__graph_adjacency(graph, RS_GRAPH_OUT, &adj);
    if (rc < 0)
        return rc;
    size_t span = rs__graph_node_span(graph);
    rc = RS_ERR_NOMEM;
    rs_cf_matrix *m = NULL;
    uint32_t *col = rs__alloc_array(span ? span : 1, sizeof *col);
    float *factor = rs__calloc(n_rel ? n_rel : 1, sizeof *factor);
    uint32_t *user_node = rs__alloc_array(span ? span : 1, sizeof *user_node);
    uint32_t *item_node = rs__alloc_array(span ? span : 1, sizeof *item_node);
    uint32_t *eu = NULL, *ei = NULL;
    float *ew = NULL;
    if (!col || !factor || !user_node || !item_node)
        goto fail;
    for (size_t r = 0; r < n_relations; r++)
        factor[relations[r]] = relation_weights ? relation_weights[r]
                                                : rs__graph_relation_weight(graph, relations[r]);
    size_t n_users = 0, n_items = 0, n_edges = 0;
    for (size_t v = 0; v < span; v++) {
        uint32_t t = rs__graph_node_type(graph, (uint32_t)v);
        col[v] = UINT32_MAX;
        if (t == itype) {
            col[v] = (uint32_t)n_items;
            item_node[n_items++] = (uint32_t)v;
        }
        if (t == utype) {
            user_node[n_users++] = (uint32_t)v;
            if (v < adj.nodes)
                n_edges += adj.degree[v];
        }
    }
    if (n_users == 0 || n_items == 0) {
        rc = rs__fail(RS_ERR_NOTFOUND, "rs_cf_matrix_from_graph: no node of type \"%s\"",
                      n_users == 0 ? user_type : item_type);
        goto fail;
    }
    eu = rs__alloc_array(n_edges ? n_edges : 1, sizeof *eu);
    ei = rs__alloc_array(n_edges ? n_edges : 1, sizeof *ei);
    ew = rs__alloc_array(n_edges ? n_edges : 1, sizeof *ew);
    if (!eu || !ei || !ew)
        goto fail;
    size_t n = 0;
    for (size_t u = 0; u < n_users; u++) {
        uint32_t v = user_node[u];
        if (v >= adj.nodes)
            continue;
        for (uint32_t s = adj.start[v]; s < adj.start[v] + adj.degree[v]; s++) {
            uint32_t dst = adj.target[s];
            if (dst >= span || col[dst] == UINT32_MAX || adj.relation[s] >= n_rel)
                continue;
            float w = factor[adj.relation[s]] * adj.weight[s];
            if (!(isfinite(w) && w > 0.0f))
                continue;
            eu[n] = (uint32_t)u;
            ei[n] = col[dst];
            ew[n] = w;
            n++;
        }
    }
    if (n == 0) {
        rc = rs__fail(RS_ERR_STATE,
                      "rs_cf_matrix_from_graph: no interaction edge from \"%s\" to \"%s\" "
                      "nodes with a positive weight", user_type, item_type);
        goto fail;
    }
    rc = rs__cf_matrix_build(n_users, n_items, eu, ei, ew, n, &m);
    if (rc < 0)
        goto fail;
    m->user_node = rs__realloc(user_node, n_users * sizeof *user_node);
    m->item_node = rs__realloc(item_node, n_items * sizeof *item_node);
    if (!m->user_node || !m->item_node) {
        if (!m->user_node)
            free(user_node);
        if (!m->item_node)
            free(item_node);
        rc = RS_ERR_NOMEM;
        free(col);
        free(factor);
        free(eu);
        free(ei);
        free(ew);
        matrix_free(m);
        return rc;
    }
    free(col);
    free(factor);
    free(eu);
    free(ei);
    free(ew);
    *out = m;
    return RS_OK;
fail:
    free(col);
    free(factor);
    free(user_node);
    free(item_node);
    free(eu);
    free(ei);
    free(ew);
    return rc;
}
