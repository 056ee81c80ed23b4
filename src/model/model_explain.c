/*
 * model_explain.c - rs_model_explain and the rs_explanation it returns: the
 * scorer's sentence and heaviest path, copied out of the graph so that the
 * explanation owns everything it hands out.
 */
#include "model/model_internal.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>

/* Enough for RS_SCORER_HOPS' largest value (6 edges, 7 nodes). */
#define MAX_PATH_NODES 8
#define MAX_TEXT 2048

struct rs_explanation {
    char *text;
    size_t n_nodes;                 /* 0, or edges + 1 */
    char *types[MAX_PATH_NODES];
    char *keys[MAX_PATH_NODES];
    char *relations[MAX_PATH_NODES]; /* n_nodes - 1 of them */
    int reversed[MAX_PATH_NODES];
    double weight;
    int source;
};

void rs_explanation_free(rs_explanation *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < MAX_PATH_NODES; i++) {
        free(e->types[i]);
        free(e->keys[i]);
        free(e->relations[i]);
    }
    free(e->text);
    free(e);
}

/* Copy the scorer's path (edges edges) into e, by names. */
static int copy_path(const rs_model *m, const uint32_t *nodes, const uint32_t *relations,
                     size_t edges, rs_explanation *e)
{
    for (size_t i = 0; i <= edges; i++) {
        const char *type, *key;
        if (rs_graph_node_key(m->graph, nodes[i], &type, &key) != RS_OK)
            return rs__fail(RS_ERR_INTERNAL, "explanation: node %u of the path is not in the "
                            "graph", nodes[i]);
        if (!(e->types[i] = rs__strdup(type)) || !(e->keys[i] = rs__strdup(key)))
            return RS_ERR_NOMEM;
        if (i < edges) {
            const char *name = rs_graph_relation_name(m->graph,
                                                      relations[i] & ~RS_GRAPH_REVERSED);
            if (!name)
                return rs__fail(RS_ERR_INTERNAL, "explanation: relation %u of the path is "
                                "not in the graph", relations[i] & ~RS_GRAPH_REVERSED);
            if (!(e->relations[i] = rs__strdup(name)))
                return RS_ERR_NOMEM;
            e->reversed[i] = (relations[i] & RS_GRAPH_REVERSED) != 0;
        }
    }
    e->n_nodes = edges + 1;
    return RS_OK;
}

int rs_model_explain(const rs_model *model, const char *user, const char *item,
                     rs_explanation **out)
{
    uint32_t nodes[MAX_PATH_NODES], relations[MAX_PATH_NODES];
    size_t edges = 0;
    rs_explanation *e;
    int s;
    if (out)
        *out = NULL;
    if (!model || !user || !item || !out)
        return rs__fail(RS_ERR_INVALID, "rs_model_explain: NULL %s",
                        !model ? "model" : !user ? "user" : !item ? "item" : "out");
    if ((s = rs__check_key(user, "rs_model_explain: user key", NULL)) != RS_OK ||
        (s = rs__check_key(item, "rs_model_explain: item key", NULL)) != RS_OK ||
        (s = rs__model_check_built(model)) != RS_OK)
        return s;
    if (!(e = rs__calloc(1, sizeof *e)))
        return RS_ERR_NOMEM;
    if (!(e->text = rs__malloc(MAX_TEXT))) {
        rs_explanation_free(e);
        return RS_ERR_NOMEM;
    }
    e->text[0] = '\0';
    s = rs_scorer_explain(model->scorer, user, item, nodes, relations, MAX_PATH_NODES, &edges,
                          &e->weight, &e->source, e->text, MAX_TEXT);
    if (s != RS_OK) {
        rs_explanation_free(e);
        return rs__fail_context("explaining item \"%s\" for user \"%s\": ", item, user);
    }
    /*
     * A path that starts from the user's history rather than the user's
     * node (a user the user model knows but the graph does not) has no
     * first edge in the graph: only a path from this user's own node is
     * handed out, so that every edge of it exists.
     */
    if (edges > 0 && nodes[0] != RS_ITEM_NONE && (s = copy_path(model, nodes, relations, edges, e)) != RS_OK) {
        rs_explanation_free(e);
        return s;
    }
    *out = e;
    return RS_OK;
}

const char *rs_explanation_text(const rs_explanation *e)
{
    return e ? e->text : NULL;
}

size_t rs_explanation_length(const rs_explanation *e)
{
    return e ? e->n_nodes : 0;
}

const char *rs_explanation_node_type(const rs_explanation *e, size_t i)
{
    return e && i < e->n_nodes ? e->types[i] : NULL;
}

const char *rs_explanation_node_key(const rs_explanation *e, size_t i)
{
    return e && i < e->n_nodes ? e->keys[i] : NULL;
}

const char *rs_explanation_relation(const rs_explanation *e, size_t i, int *reversed_out)
{
    if (!e || i + 1 >= e->n_nodes)
        return NULL;
    if (reversed_out)
        *reversed_out = e->reversed[i];
    return e->relations[i];
}

double rs_explanation_weight(const rs_explanation *e)
{
    return e ? e->weight : 0.0;
}

int rs_explanation_source(const rs_explanation *e)
{
    return e ? e->source : RS_SCORER_FROM_POPULARITY;
}
