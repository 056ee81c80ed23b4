/*
 * evalsim_fixture.h - a small built model for the evaluate and simulate
 * suites: four items with texts, five customers with a country, purchases
 * on both sides of the cut 2011-02-01 (see test_model_eval.c for the
 * figures they give).
 */
#ifndef RS_TEST_EVALSIM_FIXTURE_H
#define RS_TEST_EVALSIM_FIXTURE_H

#include "graph_fixture.h"

#include <string.h>

/* The cut of the fixture's temporal split: 2011-02-01 00:00:00 UTC. */
#define FIXTURE_CUT 1296518400.0

static const char fixture_items[] = "item\tdescription\n"
                                    "i1\tmetal lantern holder\n"
                                    "i2\tceramic tea mug\n"
                                    "i3\tcotton tote bag\n"
                                    "i4\tmetal candle lantern\n"
                                    "i5\tceramic coffee mug\n";

/*
 * Train (before the cut): u1 {i1, i2}, u2 {i1, i3}, u3 {i1, i2}, u4 {i4}.
 * Test: u1 i3, u2 i2, u3 i4, u4 i1; u5 (cold: no train event) i2 and i5
 * (i5 is bought only after the cut: not in the catalogue).
 */
static const char fixture_events[] = "user\titem\ttime\n"
                                     "u1\ti1\t2011-01-02 10:00:00\n"
                                     "u1\ti2\t2011-01-03 10:00:00\n"
                                     "u1\ti3\t2011-02-05 10:00:00\n"
                                     "u2\ti1\t2011-01-04 10:00:00\n"
                                     "u2\ti3\t2011-01-05 10:00:00\n"
                                     "u2\ti2\t2011-02-06 10:00:00\n"
                                     "u3\ti1\t2011-01-06 10:00:00\n"
                                     "u3\ti2\t2011-01-07 10:00:00\n"
                                     "u3\ti4\t2011-02-07 10:00:00\n"
                                     "u4\ti4\t2011-01-08 10:00:00\n"
                                     "u4\ti1\t2011-02-08 10:00:00\n"
                                     "u5\ti2\t2011-02-09 10:00:00\n"
                                     "u5\ti5\t2011-02-10 10:00:00\n";

static const char fixture_users[] = "user\tcountry\n"
                                    "u1\tFrance\n"
                                    "u2\tSpain\n"
                                    "u3\tFrance\n"
                                    "u4\tSpain\n"
                                    "u5\tFrance\n";

static char *fixture_path; /* the current model file (graph_temp_path) */

static void fixture_remove(void)
{
    graph_remove_db(fixture_path);
    fixture_path = NULL;
}

/* Every value of two results, bit for bit (what names them in a failure). */
static void assert_same_value(double x, double y, const char *what)
{
    ck_assert_msg(memcmp(&x, &y, sizeof x) == 0, "%s: %.17g != %.17g", what, x, y);
}

/* Every value of two simulation traces, bit for bit (inline: only the
 * simulate suites use it). */
static inline void assert_same_trace(const rs_sim_trace *a, const rs_sim_trace *b)
{
    ck_assert_uint_eq(rs_sim_trace_policies(a), rs_sim_trace_policies(b));
    ck_assert_uint_eq(rs_sim_trace_steps(a), rs_sim_trace_steps(b));
    for (size_t p = 0; p < rs_sim_trace_policies(a); p++)
        for (uint64_t t = 0; t < rs_sim_trace_steps(a); t++)
            for (int k = 0; k < RS_SIM_STAT_COUNT; k++) {
                double x, y;
                ck_assert_ok(rs_sim_trace_value(a, p, t, k, &x));
                ck_assert_ok(rs_sim_trace_value(b, p, t, k, &y));
                assert_same_value(x, y, "a statistic");
            }
}

/* Import TSV text into the model's graph: 0 interactions ("bought"),
 * 1 items, 2 users (country as an attribute). */
static void fixture_import(rs_model *m, const char *text, int kind)
{
    rs_reader *r = NULL;
    uint64_t rows = 0;
    const char *props[] = {"description"}, *attrs[] = {"country"};
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "fixture.tsv", RS_FORMAT_TSV, &r));
    if (kind == 0)
        ck_assert_ok(rs_io_import_interactions(rs_model_graph(m), r, NULL, "bought", 0, &rows));
    else if (kind == 1)
        ck_assert_ok(rs_io_import_items(rs_model_graph(m), r, NULL, NULL, 0, props, 1, &rows));
    else
        ck_assert_ok(rs_io_import_users(rs_model_graph(m), r, NULL, attrs, 1, NULL, 0, NULL,
                                        &rows));
    ck_assert_uint_gt(rows, 0);
    rs_reader_close(r);
}

/* A new model file (removed first) with the fixture's data, built when
 * build is non-zero; with_users adds the customers' countries. */
static rs_model *fixture_model(const char *tag, int build, int with_users)
{
    rs_model *m = NULL;
    fixture_path = graph_temp_path(tag);
    ck_assert_ok(rs_model_open(fixture_path, RS_MODEL_CREATE, &m));
    fixture_import(m, fixture_items, 1);
    fixture_import(m, fixture_events, 0);
    if (with_users)
        fixture_import(m, fixture_users, 2);
    if (build)
        ck_assert_ok(rs_model_build(m));
    return m;
}

#endif
