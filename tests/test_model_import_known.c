/*
 * test_model_import_known.c - importing rows the model already has
 * (RS_IMPORT_SKIP_KNOWN): an overlapping second import adds only its new
 * rows (edge weights and raw events checked), repeats within one file stay
 * separate events, untimed rows are always added, a failed import changes
 * nothing; RS_IMPORT_REPLACE: the relation's interactions replaced, entity
 * facts kept, a failed replace undone; bad input.
 */
#include "testutil.h"

#define MODEL_PATH_PREFIX "rs_known"
#include "model_path.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static rs_model *open_model(const char *tag)
{
    rs_model *m = NULL;
    set_path(tag);
    ck_assert_ok(rs_model_open(path, RS_MODEL_CREATE, &m));
    return m;
}

/* Import text (TSV) as "bought" with flags; the status, rows into *rows. */
static int import(rs_model *m, const char *text, unsigned flags, uint64_t *rows)
{
    rs_reader *r = NULL;
    int s;
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "log.tsv", RS_FORMAT_TSV, &r));
    s = rs_model_import_interactions(m, r, NULL, "bought", flags, rows);
    rs_reader_close(r);
    return s;
}

/* The weight of edge user -bought-> item, or -1 without that edge. */
static double weight(rs_model *m, const char *user, const char *item)
{
    rs_graph *g = rs_model_graph(m);
    uint32_t u, i, rel;
    double w = -1;
    if (rs_graph_find_node(g, "user", user, &u) != RS_OK ||
        rs_graph_find_node(g, "item", item, &i) != RS_OK ||
        rs_graph_find_relation(g, "bought", &rel) != RS_OK ||
        rs_graph_get_edge(g, u, rel, i, &w, NULL) != RS_OK) {
        rs_clear_error();
        return -1;
    }
    return w;
}

/* count(*) and sum(weight) of the file's raw events, read by another connection. */
static void events(long long *count, double *sum)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*), total(weight) FROM "
                                        "interaction_events", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    *count = sqlite3_column_int64(st, 0);
    *sum = sqlite3_column_double(st, 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

#define HEAD "user\titem\ttime\tweight\n"
/* Yesterday's export: u1 bought i1 twice on one invoice (two lines). */
static const char day1[] = HEAD "u1\ti1\t2020-01-01\t1\n"
                                "u1\ti1\t2020-01-01\t1\n"
                                "u1\ti2\t2020-01-02\t2\n"
                                "u2\ti1\t2020-01-03\t1\n";
/* Today's: yesterday's rows again, and two new ones. */
static const char day2[] = HEAD "u1\ti1\t2020-01-01\t1\n"
                                "u1\ti1\t2020-01-01\t1\n"
                                "u1\ti2\t2020-01-02\t2\n"
                                "u2\ti1\t2020-01-03\t1\n"
                                "u2\ti2\t2020-01-04\t1\n"
                                "u1\ti1\t2020-01-05\t3\n";

START_TEST(overlap_adds_only_new_rows)
{
    rs_model *m = open_model("overlap");
    uint64_t rows = 0;
    long long n;
    double sum;
    ck_assert_ok(import(m, day1, RS_IMPORT_SKIP_KNOWN, &rows));
    ck_assert_uint_eq(rows, 4);
    ck_assert_uint_eq(rs_model_import_known_rows(m), 0);
    ck_assert_double_eq(weight(m, "u1", "i1"), 2.0); /* the two lines of one file both count */
    ck_assert_ok(import(m, day2, RS_IMPORT_SKIP_KNOWN, &rows));
    ck_assert_uint_eq(rows, 2);
    ck_assert_uint_eq(rs_model_import_known_rows(m), 4);
    ck_assert_double_eq(weight(m, "u1", "i1"), 5.0);
    ck_assert_double_eq(weight(m, "u1", "i2"), 2.0);
    ck_assert_double_eq(weight(m, "u2", "i1"), 1.0);
    ck_assert_double_eq(weight(m, "u2", "i2"), 1.0);
    events(&n, &sum);
    ck_assert_int_eq(n, 5);
    ck_assert_double_eq(sum, 9.0);
    /* the same file a third time: nothing new */
    ck_assert_ok(import(m, day2, RS_IMPORT_SKIP_KNOWN, &rows));
    ck_assert_uint_eq(rows, 0);
    ck_assert_uint_eq(rs_model_import_known_rows(m), 6);
    ck_assert_double_eq(weight(m, "u1", "i1"), 5.0);
    /* three identical lines where the model has two: the third is new */
    ck_assert_ok(import(m, HEAD "u1\ti1\t2020-01-01\t1\nu1\ti1\t2020-01-01\t1\n"
                                "u1\ti1\t2020-01-01\t1\n", RS_IMPORT_SKIP_KNOWN, &rows));
    ck_assert_uint_eq(rows, 1);
    ck_assert_uint_eq(rs_model_import_known_rows(m), 2);
    ck_assert_double_eq(weight(m, "u1", "i1"), 6.0);
    /* another weight at a known time is another event */
    ck_assert_ok(import(m, HEAD "u2\ti2\t2020-01-04\t5\n", RS_IMPORT_SKIP_KNOWN, &rows));
    ck_assert_uint_eq(rows, 1);
    ck_assert_double_eq(weight(m, "u2", "i2"), 6.0);
    /* without the flag (--append) every row adds again */
    ck_assert_ok(import(m, day1, 0, &rows));
    ck_assert_uint_eq(rows, 4);
    ck_assert_uint_eq(rs_model_import_known_rows(m), 0);
    ck_assert_double_eq(weight(m, "u1", "i1"), 8.0);
    rs_model_close(m);
    remove_model();
}
END_TEST

START_TEST(untimed_rows_always_added)
{
    rs_model *m = open_model("untimed");
    static const char text[] = HEAD "u1\ti1\t\t1\nu1\ti2\t2020-01-01\t1\n";
    uint64_t rows = 0;
    ck_assert_ok(import(m, text, RS_IMPORT_SKIP_KNOWN, &rows));
    ck_assert_ok(import(m, text, RS_IMPORT_SKIP_KNOWN, &rows));
    ck_assert_uint_eq(rows, 1);
    ck_assert_uint_eq(rs_model_import_known_rows(m), 1);
    ck_assert_double_eq(weight(m, "u1", "i1"), 2.0); /* no time: cannot be identified */
    ck_assert_double_eq(weight(m, "u1", "i2"), 1.0);
    rs_model_close(m);
    remove_model();
}
END_TEST

START_TEST(failed_import_changes_nothing)
{
    rs_model *m = open_model("failed");
    uint64_t rows = 0;
    long long n;
    double sum;
    ck_assert_ok(import(m, day1, RS_IMPORT_SKIP_KNOWN, &rows));
    ck_assert_ok(import(m, day2, RS_IMPORT_SKIP_KNOWN, &rows));
    ck_assert_status(import(m, HEAD "u1\ti1\t2020-01-01\t1\nu3\ti3\t2020-02-01\t1\n"
                                    "u4\ti4\t2020-02-02\t-1\n", RS_IMPORT_SKIP_KNOWN, &rows),
                     RS_ERR_RANGE);
    ck_assert_uint_eq(rs_model_import_known_rows(m), 0);
    ck_assert_double_eq(weight(m, "u1", "i1"), 5.0);
    ck_assert_double_eq(weight(m, "u3", "i3"), -1);
    events(&n, &sum);
    ck_assert_int_eq(n, 5);
    ck_assert_double_eq(sum, 9.0);
    /* the known rows are still known after the failure */
    ck_assert_ok(import(m, day2, RS_IMPORT_SKIP_KNOWN, &rows));
    ck_assert_uint_eq(rows, 0);
    rs_model_close(m);
    remove_model();
}
END_TEST

START_TEST(replace_relation)
{
    rs_model *m = open_model("replace");
    static const char catalogue[] = "item\tdescription\ni1\tred mug\ni2\tblue bag\n";
    rs_reader *r = NULL;
    rs_graph *g;
    uint64_t rows = 0;
    uint32_t i1;
    char desc[64];
    long long n;
    double sum;
    ck_assert_ok(rs_reader_open_memory(catalogue, strlen(catalogue), "items.tsv", RS_FORMAT_TSV,
                                       &r));
    const char *props[] = {"description"};
    ck_assert_ok(rs_model_import_items(m, r, NULL, NULL, 0, props, 1, &rows));
    rs_reader_close(r);
    ck_assert_ok(import(m, day2, 0, &rows));
    /* a failing replace leaves the old interactions */
    ck_assert_status(import(m, HEAD "u9\ti1\t2020-03-01\t-4\n", RS_IMPORT_REPLACE, &rows),
                     RS_ERR_RANGE);
    ck_assert_double_eq(weight(m, "u1", "i1"), 5.0);
    ck_assert_ok(import(m, HEAD "u9\ti1\t2020-03-01\t4\nu9\ti1\t2020-03-01\t4\n",
                        RS_IMPORT_REPLACE | RS_IMPORT_SKIP_KNOWN, &rows));
    ck_assert_uint_eq(rows, 2);
    ck_assert_double_eq(weight(m, "u1", "i1"), -1);
    ck_assert_double_eq(weight(m, "u2", "i2"), -1);
    ck_assert_double_eq(weight(m, "u9", "i1"), 8.0);
    events(&n, &sum);
    ck_assert_int_eq(n, 1);
    ck_assert_double_eq(sum, 8.0);
    g = rs_model_graph(m);
    ck_assert_ok(rs_graph_find_node(g, "item", "i1", &i1));
    size_t len;
    ck_assert_ok(rs_graph_get_property(g, i1, "description", desc, sizeof desc, &len));
    ck_assert_str_eq(desc, "red mug");
    rs_model_close(m);
    /* as the file has it */
    ck_assert_ok(rs_model_open(path, 0, &m));
    ck_assert_double_eq(weight(m, "u1", "i1"), -1);
    ck_assert_double_eq(weight(m, "u9", "i1"), 8.0);
    rs_model_close(m);
    remove_model();
}
END_TEST

START_TEST(bad_input)
{
    rs_model *m = open_model("bad"), *mem = NULL;
    rs_reader *r = NULL;
    static const char events_text[] = "user\titem\tevent\nu1\ti1\tview\n";
    rs_graph *g = NULL;
    ck_assert_uint_eq(rs_model_import_known_rows(NULL), 0);
    /* replace with an event column: which relation? */
    ck_assert_ok(rs_reader_open_memory(events_text, strlen(events_text), "e.tsv", RS_FORMAT_TSV,
                                       &r));
    ck_assert_status(rs_model_import_interactions(m, r, NULL, NULL, RS_IMPORT_REPLACE, NULL),
                     RS_ERR_INVALID);
    rs_reader_close(r);
    /* a model without a file cannot undo a failed replace */
    ck_assert_ok(rs_model_open(":memory:", RS_MODEL_CREATE, &mem));
    ck_assert_status(import(mem, day1, RS_IMPORT_REPLACE, NULL), RS_ERR_INVALID);
    ck_assert_ok(import(mem, day1, RS_IMPORT_SKIP_KNOWN, NULL));
    rs_model_close(mem);
    /* RS_IMPORT_REPLACE is the model's; the graph's import refuses it */
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_reader_open_memory(day1, strlen(day1), "d.tsv", RS_FORMAT_TSV, &r));
    ck_assert_status(rs_io_import_interactions(g, r, NULL, NULL, RS_IMPORT_REPLACE, NULL),
                     RS_ERR_INVALID);
    rs_reader_close(r);
    /* the graph's import skips known rows too */
    ck_assert_ok(rs_reader_open_memory(day1, strlen(day1), "d.tsv", RS_FORMAT_TSV, &r));
    ck_assert_ok(rs_io_import_interactions(g, r, NULL, NULL, RS_IMPORT_SKIP_KNOWN, NULL));
    rs_reader_close(r);
    uint64_t rows = 99;
    ck_assert_ok(rs_reader_open_memory(day1, strlen(day1), "d.tsv", RS_FORMAT_TSV, &r));
    ck_assert_ok(rs_io_import_interactions(g, r, NULL, NULL, RS_IMPORT_SKIP_KNOWN, &rows));
    ck_assert_uint_eq(rows, 0);
    rs_reader_close(r);
    rs_graph_close(g);
    /* NULL reader */
    ck_assert_status(rs_model_import_interactions(m, NULL, NULL, NULL, RS_IMPORT_REPLACE, NULL),
                     RS_ERR_INVALID);
    rs_model_close(m);
    remove_model();
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_import_known");
    TCase *tc = tcase_create("known");
    tcase_add_test(tc, overlap_adds_only_new_rows);
    tcase_add_test(tc, untimed_rows_always_added);
    tcase_add_test(tc, failed_import_changes_nothing);
    tcase_add_test(tc, replace_relation);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return s;
}
