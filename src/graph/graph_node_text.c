/*
 * graph_node_text.c - the one rule for which property holds a node's text
 * (an item's title for explanations, its text for the embedder, its words
 * for the simulator's categories, what `recsim search` shows).
 *
 * The first non-empty one of RS__NODE_TEXT_PROPERTIES, in that order: a
 * catalogue names an item ("name"), describes it ("description", the Online
 * Retail column) or titles it ("title", "text").  An empty value counts as
 * absent, so an empty name does not hide a description.
 */
#include "graph/graph_impl.h"
#include "graph/graph_internal.h"

#include "core/alloc.h"
#include "core/error.h"

#include <stdlib.h>

static const char *const node_text_properties[] = {RS__NODE_TEXT_PROPERTIES};

int rs_graph_node_text(const rs_graph *graph, uint32_t node, char *buf, size_t capacity,
                       size_t *len_out)
{
    const char *fn = "rs_graph_node_text";
    rs_error_state before;
    int status;
    if (!graph || !len_out || (!buf && capacity > 0))
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn,
                        !graph ? "graph" : !len_out ? "len_out" : "buf");
    if ((status = rs__graph_check_node(graph, node, fn)) != 0)
        return status;
    rs__error_save(&before);
    for (size_t p = 0; p < sizeof node_text_properties / sizeof node_text_properties[0]; p++) {
        size_t len = 0;
        status = rs_graph_get_property(graph, node, node_text_properties[p], buf, capacity, &len);
        if (status == RS_ERR_NOTFOUND || ((status == RS_OK || status == RS_ERR_BUFFER) && len == 0))
            continue; /* absent or empty: the next one */
        *len_out = len;
        if (status == RS_OK)
            rs__error_restore(&before);
        return status; /* the text, RS_ERR_BUFFER with its length, or a failed read */
    }
    if (capacity > 0)
        buf[0] = '\0';
    *len_out = 0;
    return rs__fail(RS_ERR_NOTFOUND, "%s: node %u has no text (no non-empty %s)", fn, node,
                    "name, description, title or text");
}

int rs__graph_node_text_dup(const rs_graph *graph, uint32_t node, char **out)
{
    char small[256];
    size_t len = 0;
    rs_error_state before;
    int status;
    *out = NULL;
    if ((status = rs__graph_check_node(graph, node, "rs__graph_node_text_dup")) != 0)
        return status; /* RS_ERR_NOTFOUND below means "no text" only */
    rs__error_save(&before);
    status = rs_graph_node_text(graph, node, small, sizeof small, &len);
    if (status == RS_ERR_NOTFOUND) {
        rs__error_restore(&before);
        return RS_OK; /* no text */
    }
    if (status == RS_OK)
        *out = rs__strdup(small);
    else if (status == RS_ERR_BUFFER) {
        /* a long text: read it again into a buffer of its size */
        rs__error_restore(&before);
        if (!(*out = rs__malloc(len + 1)))
            return RS_ERR_NOMEM;
        if ((status = rs_graph_node_text(graph, node, *out, len + 1, &len)) != RS_OK) {
            free(*out);
            *out = NULL;
            return status;
        }
    } else
        return status;
    return *out ? RS_OK : RS_ERR_NOMEM;
}
