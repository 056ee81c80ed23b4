/*
 * graph_embed.c - graph-aware item vectors: an item's text vector blended
 * with the vectors of the entities (brand, category, attributes) it is
 * linked to in the knowledge graph, entities being the weighted mean of
 * their items, over one or more propagation rounds.
 *
 * Items that share entities move towards each other, and an item without
 * text still gets a vector from its entities.  The work is serial and in a
 * fixed order, so the result is deterministic.
 *
 * Graph propagation is learning over the graph, so it lives in learn (above
 * graph and text); it reads the embedder through its public API only.
 */
#include "core/alloc.h"
#include "core/error.h"
#include "core/vec.h"
#include "graph/graph_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct link {
    uint32_t entity; /* row in the entity matrix */
    float weight;
} link;

typedef struct graph_work {
    size_t n_items, n_entities, dim;
    size_t *link_start; /* n_items + 1 */
    link *links;
    size_t n_links, links_cap;
    uint32_t *entity_of; /* node -> entity row, UINT32_MAX if none */
    bool *has_text;
    float *text;   /* n_items x dim */
    float *item;   /* n_items x dim, current */
    float *entity; /* n_entities x dim */
    float *entity_weight;
} graph_work;

static void work_free(graph_work *w)
{
    free(w->link_start);
    free(w->links);
    free(w->entity_of);
    free(w->has_text);
    free(w->text);
    free(w->item);
    free(w->entity);
    free(w->entity_weight);
}

/* Which node types count as entities: a mask over type indices. */
static int entity_mask(const rs_graph *g, const char *item_type, const char *const *types,
                       size_t n_types, bool **mask_out)
{
    size_t n = rs__graph_type_count(g);
    uint32_t item_index = rs__graph_type_find(g, item_type);
    bool *mask = rs__calloc(n + 1, sizeof *mask);
    if (!mask)
        return rs_errcode();
    if (!types || n_types == 0) {
        for (size_t t = 0; t < n; t++)
            mask[t] = t != item_index;
    } else {
        for (size_t i = 0; i < n_types; i++) {
            uint32_t t = types[i] ? rs__graph_type_find(g, types[i]) : UINT32_MAX;
            if (t == UINT32_MAX || t >= n) {
                free(mask);
                return rs__fail(RS_ERR_NOTFOUND, "rs_embedder_embed_graph: entity type "
                                "\"%s\" is not in the graph", types[i] ? types[i] : "(null)");
            }
            mask[t] = true;
        }
    }
    *mask_out = mask;
    return 0;
}

static int collect_links(graph_work *w, const rs_graph *g, const char *item_type,
                         const char *const *keys, const bool *mask)
{
    size_t span = rs__graph_node_span(g);
    rs__graph_csr dirs[2];
    int rc;

    if ((rc = rs__graph_adjacency(g, RS_GRAPH_OUT, &dirs[0])) != 0 ||
        (rc = rs__graph_adjacency(g, RS_GRAPH_IN, &dirs[1])) != 0)
        return rc;
    if (!(w->entity_of = rs__alloc_array(span + 1, sizeof *w->entity_of)))
        return rs_errcode();
    memset(w->entity_of, 0xFF, (span + 1) * sizeof *w->entity_of);
    for (size_t i = 0; i < w->n_items; i++) {
        uint32_t node;
        if ((rc = rs_graph_find_node(g, item_type, keys[i], &node)) != 0)
            return rs__fail_context("rs_embedder_embed_graph: item %zu: ", i);
        w->link_start[i] = w->n_links;
        for (int d = 0; d < 2; d++) {
            const rs__graph_csr *csr = &dirs[d];
            if (node >= csr->nodes)
                continue;
            for (uint32_t s = csr->start[node]; s < csr->start[node] + csr->degree[node]; s++) {
                uint32_t other = csr->target[s];
                uint32_t type = rs__graph_node_type(g, other);
                float weight = csr->weight[s] * rs__graph_relation_weight(g, csr->relation[s]);
                if (!(weight > 0.0f) || type == UINT32_MAX || !mask[type] || other >= span)
                    continue;
                if (w->entity_of[other] == UINT32_MAX)
                    w->entity_of[other] = (uint32_t)w->n_entities++;
                if ((rc = rs__grow((void **)&w->links, &w->links_cap, w->n_links + 1,
                                   sizeof *w->links)) != 0)
                    return rc;
                w->links[w->n_links].entity = w->entity_of[other];
                w->links[w->n_links].weight = weight;
                w->n_links++;
            }
        }
    }
    w->link_start[w->n_items] = w->n_links;
    return 0;
}

static int embed_texts(graph_work *w, const rs_embedder *e, const char *const *texts)
{
    const char **present;
    size_t n_present = 0;
    float *rows;
    int rc;
    if (!texts)
        return 0;
    if (!(present = rs__alloc_array(w->n_items, sizeof *present)))
        return rs_errcode();
    for (size_t i = 0; i < w->n_items; i++)
        if (texts[i])
            present[n_present++] = texts[i];
    if (!(rows = rs__alloc_array(n_present ? n_present : 1, w->dim * sizeof(float)))) {
        free(present);
        return rs_errcode();
    }
    rc = rs_embedder_embed_batch(e, present, n_present, rows, w->dim);
    if (rc == 0) {
        for (size_t i = 0, k = 0; i < w->n_items; i++) {
            if (!texts[i])
                continue;
            memcpy(w->text + i * w->dim, rows + k * w->dim, w->dim * sizeof(float));
            w->has_text[i] = true;
            k++;
        }
    }
    free(rows);
    free(present);
    return rc;
}

static void propagate(graph_work *w, double self, bool normalize)
{
    size_t dim = w->dim;
    /* entities: weighted mean of their items' current vectors */
    memset(w->entity, 0, w->n_entities * dim * sizeof(float));
    memset(w->entity_weight, 0, w->n_entities * sizeof(float));
    for (size_t i = 0; i < w->n_items; i++) {
        const float *v = w->item + i * dim;
        bool zero = true;
        for (size_t j = 0; j < dim && zero; j++)
            zero = v[j] == 0.0f;
        if (zero)
            continue;
        for (size_t l = w->link_start[i]; l < w->link_start[i + 1]; l++) {
            float *ent = w->entity + (size_t)w->links[l].entity * dim;
            for (size_t j = 0; j < dim; j++)
                ent[j] += w->links[l].weight * v[j];
            w->entity_weight[w->links[l].entity] += w->links[l].weight;
        }
    }
    for (size_t k = 0; k < w->n_entities; k++) {
        if (w->entity_weight[k] > 0.0f) {
            float inv = 1.0f / w->entity_weight[k];
            for (size_t j = 0; j < dim; j++)
                w->entity[k * dim + j] *= inv;
        }
    }
    /* items: own text blended with the mean of their entities */
    for (size_t i = 0; i < w->n_items; i++) {
        float *v = w->item + i * dim;
        float total = 0.0f;
        memset(v, 0, dim * sizeof *v);
        for (size_t l = w->link_start[i]; l < w->link_start[i + 1]; l++) {
            uint32_t k = w->links[l].entity;
            if (!(w->entity_weight[k] > 0.0f))
                continue;
            for (size_t j = 0; j < dim; j++)
                v[j] += w->links[l].weight * w->entity[(size_t)k * dim + j];
            total += w->links[l].weight;
        }
        if (total > 0.0f) {
            float inv = 1.0f / total;
            for (size_t j = 0; j < dim; j++)
                v[j] *= inv;
            if (normalize)
                rs__normalize(v, dim);
        }
        if (w->has_text[i]) {
            const float *t = w->text + i * dim;
            float s = total > 0.0f ? (float)self : 1.0f;
            for (size_t j = 0; j < dim; j++)
                v[j] = s * t[j] + (1.0f - s) * v[j];
        }
        if (normalize)
            rs__normalize(v, dim);
    }
}

int rs_embedder_embed_graph(const rs_embedder *e, const rs_graph *g, const char *item_type,
                            const char *const *item_keys, const char *const *texts,
                            size_t n_items, const char *const *entity_types,
                            size_t n_entity_types, float *out, size_t dim)
{
    graph_work w;
    bool *mask = NULL;
    size_t total;
    int rc;

    if (!e || !g || !item_type || (!item_keys && n_items) || (!out && n_items))
        return rs__fail(RS_ERR_INVALID, "rs_embedder_embed_graph: %s is NULL",
                        !e ? "embedder" : !g ? "graph" : !item_type ? "item_type"
                        : !item_keys ? "item_keys" : "out");
    if (dim != rs_embedder_dim(e))
        return rs__fail(RS_ERR_DIM, "rs_embedder_embed_graph: dim is %zu, the embedder's "
                        "dimension is %zu", dim, rs_embedder_dim(e));
    if (n_items == 0)
        return RS_OK;
    if ((rc = rs__mul_size(n_items, dim * sizeof(float), &total)) != 0)
        return rc;
    memset(&w, 0, sizeof w);
    w.n_items = n_items;
    w.dim = dim;
    if (!(w.link_start = rs__alloc_array(n_items + 1, sizeof *w.link_start)) ||
        !(w.has_text = rs__calloc(n_items, sizeof *w.has_text)) ||
        !(w.text = rs__calloc(n_items, dim * sizeof(float))) ||
        !(w.item = rs__alloc_array(n_items, dim * sizeof(float)))) {
        rc = rs_errcode();
        goto done;
    }
    if ((rc = entity_mask(g, item_type, entity_types, n_entity_types, &mask)) != 0 ||
        (rc = collect_links(&w, g, item_type, item_keys, mask)) != 0 ||
        (rc = embed_texts(&w, e, texts)) != 0)
        goto done;
    if (!(w.entity = rs__alloc_array(w.n_entities ? w.n_entities : 1, dim * sizeof(float))) ||
        !(w.entity_weight = rs__alloc_array(w.n_entities ? w.n_entities : 1, sizeof(float)))) {
        rc = rs_errcode();
        goto done;
    }
    memcpy(w.item, w.text, total);
    {
        int64_t rounds = 0, normalize = 0;
        double self = 0.0;
        if ((rc = rs_embedder_get_int(e, RS_EMBEDDER_GRAPH_ROUNDS, &rounds)) != 0 ||
            (rc = rs_embedder_get_int(e, RS_EMBEDDER_NORMALIZE, &normalize)) != 0 ||
            (rc = rs_embedder_get_double(e, RS_EMBEDDER_GRAPH_SELF, &self)) != 0)
            goto done;
        for (int64_t round = 0; round < rounds; round++) {
            /* an item without text starts from nothing; entities reach it in round 1 */
            propagate(&w, self, normalize != 0);
        }
    }
    memcpy(out, w.item, total);
done:
    if (rc != 0 && out)
        memset(out, 0, total);
    free(mask);
    work_free(&w);
    return rc;
}
