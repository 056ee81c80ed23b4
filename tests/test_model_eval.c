/*
 * test_model_eval.c - rs_model_evaluate: figures checked by hand on a small
 * log, no leak of a planted post-cut event, reproducible random splits,
 * the protocol's rules for repeats, bad input.
 */
#include "evalsim_fixture.h"

#include "model/model_internal.h"

#include <math.h>

/* The row named name, or fail. */
static size_t row_of(const rs_eval *eval, const char *name)
{
    for (size_t r = 0; r < rs_eval_result_count(eval); r++)
        if (strcmp(rs_eval_result_name(eval, r), name) == 0)
            return r;
    ck_abort_msg("no row named %s", name);
    return 0;
}

static double field(const rs_eval *eval, size_t row, int f)
{
    double v = NAN;
    ck_assert_ok(rs_eval_result(eval, row, f, &v));
    return v;
}

/*
 * Most-popular by hand, k = 2.  Train popularity: i1 3 users, i2 2, i3 1,
 * i4 1 (ties to the lower key).  u1 (train i1 i2) gets i3 i4, truth i3:
 * hit at 1; u2 (i1 i3) gets i2 i4, truth i2: hit at 1; u3 (i1 i2) gets
 * i3 i4, truth i4: hit at 2, NDCG 1/log2(3); u4 (i4) gets i1 i2, truth i1:
 * hit at 1.  u5 has no train event: not warm; i5 is not in the catalogue.
 */
START_TEST(most_popular_by_hand)
{
    rs_model *m = fixture_model("byhand", 1, 0);
    rs_eval *eval = NULL;
    size_t row;
    ck_assert_ok(rs_model_set_int(m, "eval.k", 2));
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 0,
                                   RS_MODEL_EVAL_BASELINES, &eval));
    /* the scorer's row first, then random, most-popular, recent-popular */
    ck_assert_uint_eq(rs_eval_result_count(eval), 4);
    ck_assert_ptr_nonnull(strstr(rs_eval_result_name(eval, 0), "recsim scorer"));
    ck_assert_str_eq(rs_eval_result_name(eval, 1), "random");
    ck_assert_uint_eq(rs_eval_item_count(eval), 4);
    row = row_of(eval, "most-popular");
    ck_assert_double_eq(field(eval, row, RS_EVAL_USERS), 4);
    ck_assert_double_eq_tol(field(eval, row, RS_EVAL_PRECISION), 0.5, 1e-12);
    ck_assert_double_eq_tol(field(eval, row, RS_EVAL_RECALL), 1.0, 1e-12);
    ck_assert_double_eq_tol(field(eval, row, RS_EVAL_HIT_RATE), 1.0, 1e-12);
    ck_assert_double_eq_tol(field(eval, row, RS_EVAL_NDCG), (3.0 + 1.0 / log2(3.0)) / 4.0,
                            1e-12);
    ck_assert_double_eq_tol(field(eval, row, RS_EVAL_MRR), (3.0 + 0.5) / 4.0, 1e-12);
    /* every train event lies in the 30 days before the cut: the same ranking */
    row = row_of(eval, "recent-popular (30 days)");
    ck_assert_double_eq_tol(field(eval, row, RS_EVAL_NDCG), (3.0 + 1.0 / log2(3.0)) / 4.0,
                            1e-12);
    ck_assert_double_eq(field(eval, 0, RS_EVAL_USERS), 4);
    ck_assert_double_eq(field(eval, 0, RS_EVAL_K_USED), 2);
    rs_eval_free(eval);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

/* With the customers' countries, a segment-popular row; cold users. */
START_TEST(segments_and_cold)
{
    rs_model *m = fixture_model("segments", 1, 1);
    rs_eval *eval = NULL;
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 0,
                                   RS_MODEL_EVAL_BASELINES, &eval));
    ck_assert_uint_eq(rs_eval_result_count(eval), 5);
    ck_assert_str_eq(rs_eval_result_name(eval, 4), "segment-popular");
    rs_eval_free(eval);
    /* cold: u5 alone (its i2; i5 is not in the catalogue) */
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 0,
                                   RS_MODEL_EVAL_BASELINES | RS_MODEL_EVAL_COLD, &eval));
    ck_assert_double_eq(field(eval, 0, RS_EVAL_USERS), 1);
    ck_assert_double_eq(field(eval, 0, RS_EVAL_GROUP_USED), RS_EVAL_COLD);
    /* most-popular serves u5 i1 then i2: a hit at rank 2 */
    ck_assert_double_eq_tol(field(eval, row_of(eval, "most-popular"), RS_EVAL_NDCG),
                            1.0 / log2(3.0), 1e-12);
    rs_eval_free(eval);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

/* Every field of every row but the seconds, bit for bit. */
static void assert_same_rows(const rs_eval *a, const rs_eval *b)
{
    ck_assert_uint_eq(rs_eval_result_count(a), rs_eval_result_count(b));
    for (size_t r = 0; r < rs_eval_result_count(a); r++) {
        ck_assert_str_eq(rs_eval_result_name(a, r), rs_eval_result_name(b, r));
        for (int f = 0; f < RS_EVAL_FIELD_COUNT; f++) {
            double x = field(a, r, f), y = field(b, r, f);
            if (f != RS_EVAL_SECONDS && !(isnan(x) && isnan(y)))
                assert_same_value(x, y, rs_eval_field_name(f));
        }
    }
}

/*
 * Planted post-cut events: a repeat of a train purchase (u1 i1, which the
 * graph merges into the train edge: its weight and time change) and a
 * purchase of an item outside the catalogue.  No figure may move: the
 * train part is the same events, and so is the truth.
 */
START_TEST(planted_post_cut_event)
{
    rs_model *m = fixture_model("planted", 1, 1);
    rs_eval *before = NULL, *after = NULL;
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 0,
                                   RS_MODEL_EVAL_BASELINES, &before));
    fixture_import(m, "user\titem\ttime\n"
                      "u1\ti1\t2011-03-01 10:00:00\n"
                      "u1\ti1\t2011-03-02 10:00:00\n"
                      "u4\ti5\t2011-03-01 10:00:00\n",
                   0);
    ck_assert_ok(rs_model_build(m));
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 0,
                                   RS_MODEL_EVAL_BASELINES, &after));
    assert_same_rows(before, after);
    rs_eval_free(before);
    rs_eval_free(after);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

/* An edge added through the graph API, without raw rows, is one event at
 * its own time: u4 buying i2 after the cut adds i2 to u4's truth, and
 * most-popular's i1 i2 for u4 then hits twice. */
START_TEST(graph_edge_is_one_event)
{
    rs_model *m = fixture_model("edge", 1, 0);
    rs_graph *g = rs_model_graph(m);
    rs_eval *eval = NULL;
    uint32_t u4, i2, bought;
    ck_assert_ok(rs_model_set_int(m, "eval.k", 2));
    ck_assert_ok(rs_graph_find_node(g, "user", "u4", &u4));
    ck_assert_ok(rs_graph_find_node(g, "item", "i2", &i2));
    ck_assert_ok(rs_graph_find_relation(g, "bought", &bought));
    ck_assert_ok(rs_graph_add_edge(g, u4, bought, i2, 1.0, (int64_t)FIXTURE_CUT + 86400,
                                   RS_GRAPH_MERGE_SUM));
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 0,
                                   RS_MODEL_EVAL_BASELINES, &eval));
    ck_assert_double_eq_tol(field(eval, row_of(eval, "most-popular"), RS_EVAL_PRECISION),
                            (3 * 0.5 + 1.0) / 4.0, 1e-12);
    rs_eval_free(eval);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

/* The same seed gives the same split and figures; the split is per user. */
START_TEST(random_split_by_seed)
{
    rs_model *m = fixture_model("random", 1, 0);
    rs_eval *a = NULL, *b = NULL;
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_RANDOM, 0.5, 7, RS_MODEL_EVAL_BASELINES,
                                   &a));
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_RANDOM, 0.5, 7, RS_MODEL_EVAL_BASELINES,
                                   &b));
    assert_same_rows(a, b);
    for (uint32_t u = 0; u < rs_eval_user_span(a); u++) {
        uint32_t ta[8], tb[8];
        size_t na = 0, nb = 0;
        ck_assert_ok(rs_eval_truth(a, u, ta, 8, &na));
        ck_assert_ok(rs_eval_truth(b, u, tb, 8, &nb));
        ck_assert_uint_eq(na, nb);
        ck_assert_int_eq(memcmp(ta, tb, na * sizeof *ta), 0);
    }
    rs_eval_free(a);
    rs_eval_free(b);
    /* last-n: each user's latest item is test */
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_LAST, 1, 0, 0, &a));
    ck_assert_uint_eq(rs_eval_result_count(a), 1);
    rs_eval_free(a);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

/*
 * Planted post-cut entity rows (a catalogue and customer list with times,
 * as a log holding them gives): i4's description changes by majority after
 * the cut, u3's only country row comes after it.  The live graph takes
 * them; the train copy at the cut must not, and no figure may move.
 */
static const char timed_items[] = "item\tdescription\ttime\n"
                                  "i1\tmetal lantern holder\t2011-01-02 10:00:00\n"
                                  "i2\tceramic tea mug\t2011-01-03 10:00:00\n"
                                  "i3\tcotton tote bag\t2011-01-05 10:00:00\n"
                                  "i4\tmetal candle lantern\t2011-01-08 10:00:00\n"
                                  "i5\tceramic coffee mug\t2011-01-09 10:00:00\n";
static const char timed_users[] = "user\tcountry\ttime\n"
                                  "u1\tFrance\t2011-01-02 10:00:00\n"
                                  "u2\tSpain\t2011-01-04 10:00:00\n"
                                  "u4\tSpain\t2011-01-08 10:00:00\n"
                                  "u5\tFrance\t2011-01-09 10:00:00\n";
static const char late_items[] = "item\tdescription\ttime\n"
                                 "i4\tcotton shopping bag\t2011-02-07 10:00:00\n"
                                 "i4\tcotton shopping bag\t2011-02-08 10:00:00\n";
static const char late_users[] = "user\tcountry\ttime\n"
                                 "u3\tGermany\t2011-02-07 10:00:00\n"
                                 "u5\tGermany\t2011-02-09 10:00:00\n";

/* The train copy of m at the fixture's cut (cold: with the users first
 * seen after it). */
static rs_graph *train_copy(rs_model *m, bool cold)
{
    struct model_events me;
    rs_graph *g = NULL;
    ck_assert_ok(rs__model_eval_events(m, &me));
    ck_assert_ok(rs_events_split_temporal(me.events, (int64_t)FIXTURE_CUT, RS_PART_TEST));
    ck_assert_ok(rs__model_eval_set_cut(m, &me, (int64_t)FIXTURE_CUT));
    ck_assert_ok(rs__model_train_graph(m, &me, cold, &g));
    rs__model_eval_events_free(&me);
    return g;
}

static void assert_description(rs_graph *g, const char *item, const char *want)
{
    uint32_t node;
    char text[64];
    size_t len;
    ck_assert_ok(rs_graph_find_node(g, "item", item, &node));
    ck_assert_ok(rs_graph_get_property(g, node, "description", text, sizeof text, &len));
    ck_assert_str_eq(text, want);
}

static size_t country_edges(rs_graph *g, const char *user)
{
    uint32_t node, rel, targets[8];
    size_t n = 0;
    ck_assert_ok(rs_graph_find_node(g, "user", user, &node));
    if (rs_graph_find_relation(g, "has_country", &rel) != RS_OK)
        return 0;
    ck_assert_ok(rs_graph_neighbors(g, node, RS_GRAPH_OUT, rel, NULL, targets, NULL, NULL, 8, &n));
    return n;
}

START_TEST(planted_post_cut_attributes)
{
    rs_model *m = NULL;
    rs_eval *before = NULL, *after = NULL;
    rs_graph *copy;
    fixture_path = graph_temp_path("attrs");
    ck_assert_ok(rs_model_open(fixture_path, RS_MODEL_CREATE, &m));
    fixture_import(m, timed_items, 1);
    fixture_import(m, fixture_events, 0);
    fixture_import(m, timed_users, 2);
    ck_assert_ok(rs_model_build(m));
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 0,
                                   RS_MODEL_EVAL_BASELINES, &before));
    fixture_import(m, late_items, 1);
    fixture_import(m, late_users, 2);
    ck_assert_ok(rs_model_build(m));
    /* the live graph has them */
    assert_description(rs_model_graph(m), "i4", "cotton shopping bag");
    ck_assert_uint_eq(country_edges(rs_model_graph(m), "u3"), 1);
    /* the train copy at the cut has what the rows before it gave */
    copy = train_copy(m, false);
    assert_description(copy, "i4", "metal candle lantern");
    assert_description(copy, "i1", "metal lantern holder");
    ck_assert_uint_eq(country_edges(copy, "u3"), 0);
    ck_assert_uint_eq(country_edges(copy, "u1"), 1);
    rs_graph_close(copy);
    /* a cold user (no event before the cut) keeps the profile it arrives
     * with, rows after the cut included: that is what it is served on */
    copy = train_copy(m, true);
    ck_assert_uint_eq(country_edges(copy, "u5"), 2);
    ck_assert_uint_eq(country_edges(copy, "u3"), 0);
    rs_graph_close(copy);
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 0,
                                   RS_MODEL_EVAL_BASELINES, &after));
    assert_same_rows(before, after);
    rs_eval_free(before);
    rs_eval_free(after);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

START_TEST(bad_input)
{
    rs_model *m = fixture_model("bad", 0, 0);
    rs_eval *eval = (rs_eval *)&eval;
    ck_assert_status(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 0, 0, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_model_evaluate(NULL, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 0, 0, &eval),
                     RS_ERR_INVALID);
    ck_assert_ptr_null(eval);
    ck_assert_status(rs_model_evaluate(m, 7, FIXTURE_CUT, 0, 0, &eval), RS_ERR_INVALID);
    ck_assert_errmsg_has("unknown split 7");
    ck_assert_status(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 0, 0x40, &eval),
                     RS_ERR_INVALID);
    ck_assert_status(rs_model_evaluate(m, RS_MODEL_SPLIT_RANDOM, 1.5, 0, 0, &eval), RS_ERR_RANGE);
    ck_assert_status(rs_model_evaluate(m, RS_MODEL_SPLIT_RANDOM, 0, 0, 0, &eval), RS_ERR_RANGE);
    ck_assert_status(rs_model_evaluate(m, RS_MODEL_SPLIT_LAST, 0, 0, 0, &eval), RS_ERR_RANGE);
    ck_assert_status(rs_model_evaluate(m, RS_MODEL_SPLIT_LAST, 1.5, 0, 0, &eval), RS_ERR_RANGE);
    ck_assert_status(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, INFINITY, 0, 0, &eval),
                     RS_ERR_RANGE);
    /* not built: RS_ERR_STATE, unless the baselines alone are asked for */
    ck_assert_status(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 0, 0, &eval),
                     RS_ERR_STATE);
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 0,
                                   RS_MODEL_EVAL_BASELINES, &eval));
    ck_assert_str_eq(rs_eval_result_name(eval, 0), "random");
    rs_eval_free(eval);
    /* a cut after every event leaves no test event */
    ck_assert_ok(rs_model_build(m));
    ck_assert_status(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, 2e9, 0, 0, &eval),
                     RS_ERR_STATE);
    ck_assert_ptr_null(eval);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_eval");
    TCase *tc = tcase_create("evaluate");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, most_popular_by_hand);
    tcase_add_test(tc, segments_and_cold);
    tcase_add_test(tc, planted_post_cut_event);
    tcase_add_test(tc, planted_post_cut_attributes);
    tcase_add_test(tc, graph_edge_is_one_event);
    tcase_add_test(tc, random_split_by_seed);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return s;
}
