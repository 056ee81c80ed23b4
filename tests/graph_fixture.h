/*
 * graph_fixture.h - helpers shared by the graph suites (temporary files,
 * adjacency checks).
 */
#ifndef RS_TEST_GRAPH_FIXTURE_H
#define RS_TEST_GRAPH_FIXTURE_H

#include "testutil.h"

#include "graph/graph_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline char *graph_temp_path(const char *tag)
{
    static int counter;
    char *path = malloc(256);
    ck_assert_ptr_nonnull(path);
    snprintf(path, 256, "%s/rs_graph_%s_%d_%d.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             tag, (int)getpid(), counter++);
    return path;
}

static inline void graph_remove_db(char *path)
{
    char buf[300];
    unlink(path);
    snprintf(buf, sizeof buf, "%s-wal", path);
    unlink(buf);
    snprintf(buf, sizeof buf, "%s-shm", path);
    unlink(buf);
    free(path);
}

/* Does the adjacency hold (src -rel-> dst) with this weight, in both
 * directions, exactly once? */
static inline int graph_has_edge(rs_graph *g, uint32_t src, uint32_t rel, uint32_t dst,
                                 float *weight_out)
{
    rs__graph_csr out, in;
    int found_out = 0, found_in = 0;
    float w_out = -1, w_in = -2;
    ck_assert_int_eq(rs__graph_adjacency(g, RS_GRAPH_OUT, &out), 0);
    ck_assert_int_eq(rs__graph_adjacency(g, RS_GRAPH_IN, &in), 0);
    for (uint32_t s = out.start[src]; s < out.start[src] + out.degree[src]; s++)
        if (out.target[s] == dst && out.relation[s] == rel) {
            found_out++;
            w_out = out.weight[s];
        }
    for (uint32_t s = in.start[dst]; s < in.start[dst] + in.degree[dst]; s++)
        if (in.target[s] == src && in.relation[s] == rel) {
            found_in++;
            w_in = in.weight[s];
        }
    ck_assert_int_eq(found_out, found_in);
    ck_assert_int_le(found_out, 1);
    if (found_out) {
        ck_assert_float_eq(w_out, w_in);
        if (weight_out)
            *weight_out = w_out;
    }
    return found_out;
}

/* Both directions hold the same number of edges as the graph says. */
static inline void graph_check_counts(rs_graph *g)
{
    rs__graph_csr out, in;
    size_t sum_out = 0, sum_in = 0;
    ck_assert_int_eq(rs__graph_adjacency(g, RS_GRAPH_OUT, &out), 0);
    ck_assert_int_eq(rs__graph_adjacency(g, RS_GRAPH_IN, &in), 0);
    for (size_t v = 0; v < out.nodes; v++)
        sum_out += out.degree[v];
    for (size_t v = 0; v < in.nodes; v++)
        sum_in += in.degree[v];
    ck_assert_uint_eq(sum_out, rs_graph_edge_count(g));
    ck_assert_uint_eq(sum_in, rs_graph_edge_count(g));
    ck_assert_uint_eq(out.edges, rs_graph_edge_count(g));
}

#endif
