/*
 * graph_types.c - the public view of the node types a graph knows, for
 * callers that list them (recsim stats) without knowing them in advance.
 */
#include "graph/graph_internal.h"
#include "core/error.h"

size_t rs_graph_type_count(const rs_graph *graph)
{
    return graph ? rs__graph_type_count(graph) : 0;
}

const char *rs_graph_type_name(const rs_graph *graph, size_t index)
{
    if (!graph || index >= rs__graph_type_count(graph) || index > UINT32_MAX)
        return NULL;
    return rs__graph_type_name(graph, (uint32_t)index);
}
