/*
 * graph_text.c - entities from text: "key: value" attributes and mentions
 * of known entities in free text.
 */
#include "graph/graph_impl.h"

#include <stdlib.h>

struct rs__matcher {
    int unused;
};

void rs__matcher_free(rs__matcher *m)
{
    free(m);
}
