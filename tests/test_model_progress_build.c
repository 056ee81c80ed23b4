/*
 * test_model_progress_build.c - rs_model_set_progress during rs_model_build
 * (with and without the validation-based selection) and rs_model_evaluate
 * on the demo data: every report of a known stage, done never going back
 * within a stage and never above total, each stage ending at done ==
 * total; the evaluation's "eval" stage counts every user evaluated; the
 * reports change no result.
 */
#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_STAGES 16

struct reports {
    char stages[MAX_STAGES][16]; /* in the order they began */
    uint64_t last_total[MAX_STAGES];
    size_t n_stages, calls;
    uint64_t done, total; /* of the current stage */
    int bad;              /* a report out of order or of an unknown stage */
};

static void on_progress(void *data, const char *stage, uint64_t done, uint64_t total)
{
    static const char *const known[] = {"tune", "embedder", "items", "cf", "history", "eval"};
    struct reports *r = data;
    bool ok = false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        ok |= strcmp(stage, known[i]) == 0;
    if (!ok || done > total)
        r->bad++;
    r->calls++;
    if (r->n_stages == 0 || strcmp(r->stages[r->n_stages - 1], stage) != 0) {
        /* a new stage: the one before ended at done == total, this starts at 0 */
        if ((r->n_stages && r->done != r->total) || r->n_stages == MAX_STAGES || done != 0)
            r->bad++;
        if (r->n_stages < MAX_STAGES)
            snprintf(r->stages[r->n_stages++], sizeof r->stages[0], "%s", stage);
    } else if (done < r->done || (done == r->done && total == r->total)) {
        r->bad++; /* back, or a report that says nothing new */
    }
    r->done = done;
    r->total = total;
    r->last_total[r->n_stages - 1] = total;
}

static rs_model *demo_model(void)
{
    rs_model *m = NULL;
    rs_reader *r = NULL;
    rs_cleaner *c = NULL;
    uint64_t rows = 0;
    ck_assert_ok(rs_model_open(":memory:", RS_MODEL_CREATE, &m));
    ck_assert_ok(rs_cleaner_create(&c));
    ck_assert_ok(rs_cleaner_add_required(c, "customer", "CustomerID"));
    ck_assert_ok(rs_reader_open("examples/data/onlineretail_sample.tsv", RS_FORMAT_AUTO, &r));
    ck_assert_ok(rs_reader_map(r, RS_ROLE_USER, "CustomerID"));
    ck_assert_ok(rs_reader_map(r, RS_ROLE_ITEM, "StockCode"));
    ck_assert_ok(rs_reader_map(r, RS_ROLE_TIME, "InvoiceDate"));
    ck_assert_ok(rs_reader_map(r, RS_ROLE_TEXT, "Description"));
    ck_assert_ok(rs_model_import_interactions(m, r, c, "bought", RS_IMPORT_UNWEIGHTED, &rows));
    ck_assert_uint_gt(rows, 5000);
    rs_reader_close(r);
    rs_cleaner_free(c);
    return m;
}

static size_t stage_index(const struct reports *r, const char *stage)
{
    for (size_t i = 0; i < r->n_stages; i++)
        if (strcmp(r->stages[i], stage) == 0)
            return i;
    ck_abort_msg("no \"%s\" stage", stage);
    return 0;
}

/* Every recommendation of a few users, to compare two builds. */
static void recommendations(rs_model *m, char out[4][10][32])
{
    static const char *const users[] = {"13705", "17850", "12583", "nobody"};
    for (size_t u = 0; u < 4; u++) {
        const char *keys[10];
        size_t n = 0;
        memset(out[u], 0, sizeof out[u]);
        if (rs_model_recommend(m, users[u], 10, NULL, 0, NULL, 0, keys, NULL, NULL, &n) != RS_OK)
            rs_clear_error();
        for (size_t i = 0; i < n; i++)
            snprintf(out[u][i], sizeof out[u][i], "%s", keys[i]);
    }
}

static void build_reports(bool tune)
{
    rs_model *m = demo_model(), *quiet = demo_model();
    struct reports rep;
    static char with[4][10][32], without[4][10][32];
    size_t n_items = 0;
    memset(&rep, 0, sizeof rep);
    ck_assert_ok(rs_model_set_option(m, "build.tune", tune ? "1" : "0"));
    ck_assert_ok(rs_model_set_option(quiet, "build.tune", tune ? "1" : "0"));
    ck_assert_ok(rs_model_set_progress(m, on_progress, &rep));
    ck_assert_ok(rs_model_build(m));
    ck_assert_int_eq(rep.bad, 0);
    ck_assert_uint_eq(rep.done, rep.total); /* the last stage ended */
    ck_assert_str_eq(rep.stages[0], tune ? "tune" : "embedder");
    ck_assert_ok(rs_graph_node_count(rs_model_graph(m), "item", &n_items));
    ck_assert_uint_eq(rep.last_total[stage_index(&rep, "items")], n_items);
    /* the interaction events: both the collaborative model's and the history's */
    ck_assert_uint_gt(rep.last_total[stage_index(&rep, "history")], 1000);
    ck_assert_uint_eq(rep.last_total[stage_index(&rep, "cf")],
                      rep.last_total[stage_index(&rep, "history")]);
    ck_assert_str_eq(rep.stages[rep.n_stages - 1], "history");
    if (tune)
        ck_assert_uint_gt(rep.last_total[0], 5); /* candidates evaluated */

    /* the same build without a listener: the same recommendations */
    ck_assert_ok(rs_model_build(quiet));
    recommendations(m, with);
    recommendations(quiet, without);
    ck_assert_mem_eq(with, without, sizeof with);
    ck_assert_str_ne(with[0][0], "");
    rs_model_close(m);
    rs_model_close(quiet);
}

START_TEST(build_reports_stages) { build_reports(false); }
END_TEST

START_TEST(build_tuned_reports_candidates) { build_reports(true); }
END_TEST

START_TEST(evaluate_reports_users)
{
    rs_model *m = demo_model();
    rs_eval *with = NULL, *without = NULL;
    struct reports rep;
    size_t n_users = 0, calls;
    double a = 0, b = 0;
    memset(&rep, 0, sizeof rep);
    ck_assert_ok(rs_model_set_option(m, "build.tune", "0"));
    ck_assert_ok(rs_model_build(m));
    ck_assert_ok(rs_model_set_progress(m, on_progress, &rep));
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_LAST, 1, 7, RS_MODEL_EVAL_BASELINES, &with));
    ck_assert_int_eq(rep.bad, 0);
    ck_assert_str_eq(rep.stages[0], "embedder"); /* the fit on the train part */
    ck_assert_str_eq(rep.stages[rep.n_stages - 1], "eval");
    if (rs_eval_users(with, NULL, 0, &n_users) == RS_ERR_BUFFER)
        rs_clear_error();
    ck_assert_uint_gt(n_users, 100);
    ck_assert_uint_eq(rep.total, n_users);
    ck_assert_uint_eq(rep.done, n_users);

    /* no listener: no report, and the same result */
    calls = rep.calls;
    ck_assert_ok(rs_model_set_progress(m, NULL, NULL));
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_LAST, 1, 7, RS_MODEL_EVAL_BASELINES,
                                   &without));
    ck_assert_uint_eq(rep.calls, calls);
    ck_assert_ok(rs_eval_result(with, 0, RS_EVAL_NDCG, &a));
    ck_assert_ok(rs_eval_result(without, 0, RS_EVAL_NDCG, &b));
    ck_assert(a == b);
    ck_assert(a > 0);
    rs_eval_free(with);
    rs_eval_free(without);
    rs_model_close(m);
}
END_TEST

START_TEST(set_progress_null_model)
{
    ck_assert_int_eq(rs_model_set_progress(NULL, on_progress, NULL), RS_ERR_INVALID);
    rs_clear_error();
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_progress_build");
    TCase *tc = tcase_create("build_eval");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, build_reports_stages);
    tcase_add_test(tc, build_tuned_reports_candidates);
    tcase_add_test(tc, evaluate_reports_users);
    tcase_add_test(tc, set_progress_null_model);
    suite_add_tcase(s, tc);
    return s;
}
