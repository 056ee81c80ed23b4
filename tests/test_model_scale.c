/*
 * test_model_scale.c - a build on a large log or catalogue (issue 20,
 * src/model/model_scale.c, model_build.c) and the import's aggregation at
 * scale (src/io/import.c): a catalogue above cf.max_items gets item-kNN
 * instead of the dense default (said in the report) unless the caller chose
 * the kind; the selection is skipped above build.tune_max_events with the
 * reason; a catalogue without any item text builds at the smallest
 * dimension unless the caller set one; an import's summed edges equal a
 * row-by-row reference on a seeded log with repeats, untimed rows and
 * both timestamp modes.
 */
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ITEMS 60
#define N_USERS 120

static uint64_t next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static rs_reader *reader(const char *text)
{
    rs_reader *r = NULL;
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "log.tsv", RS_FORMAT_TSV, &r));
    return r;
}

/* N_USERS users, 8 timed events each over N_ITEMS items; item texts when
 * with_text. */
static rs_model *world(bool with_text)
{
    size_t cap = 1 << 18, len;
    char *text = malloc(cap);
    uint64_t rng = 5;
    rs_model *m;
    rs_reader *r;
    ck_assert_ptr_nonnull(text);
    ck_assert_ok(rs_model_open(":memory:", RS_MODEL_CREATE, &m));
    if (with_text) {
        const char *props[] = {"description"};
        len = (size_t)snprintf(text, cap, "item\tdescription\n");
        for (int i = 0; i < N_ITEMS; i++)
            len += (size_t)snprintf(text + len, cap - len, "i%02d\tlamp mug %d\n", i, i % 7);
        r = reader(text);
        ck_assert_ok(rs_model_import_items(m, r, NULL, NULL, 0, props, 1, NULL));
        rs_reader_close(r);
    }
    len = (size_t)snprintf(text, cap, "user\titem\ttime\n");
    for (int u = 0; u < N_USERS; u++)
        for (int e = 0; e < 8; e++)
            len += (size_t)snprintf(text + len, cap - len, "u%03d\ti%02d\t%llu\n", u,
                                    (int)(next(&rng) % N_ITEMS),
                                    (unsigned long long)(1300000000ull + next(&rng) % 8640000));
    r = reader(text);
    ck_assert_ok(rs_model_import_interactions(m, r, NULL, "bought", 0, NULL));
    rs_reader_close(r);
    free(text);
    return m;
}

/* The build's report, parsed; NULL when there is none. */
static json_t *report(const rs_model *m)
{
    size_t len = 0;
    char *text;
    json_t *j;
    if (rs_model_tuning(m, NULL, 0, &len) == RS_ERR_NOTFOUND)
        return NULL;
    text = malloc(len + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_ok(rs_model_tuning(m, text, len + 1, NULL));
    j = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(j);
    free(text);
    return j;
}

static const char *member(json_t *r, const char *name)
{
    json_t *v = json_object_get(r, name);
    return v ? json_string_value(v) : NULL;
}

START_TEST(large_catalogue_gets_sparse_knn)
{
    rs_model *m = world(false);
    json_t *r;
    ck_assert_ok(rs_model_set_option(m, "build.tune", "0"));
    ck_assert_ok(rs_model_set_option(m, "cf.max_items", "40")); /* 60 items: too many */
    ck_assert_ok(rs_model_build(m));
    ck_assert_int_eq(rs_cf_model_kind(rs_model_cf_model(m)), RS_CF_ITEMKNN);
    r = report(m);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_nonnull(member(r, "scaled_cf"));
    ck_assert_ptr_nonnull(strstr(member(r, "scaled_cf"), "cf.max_items = 40"));
    ck_assert_ptr_null(json_object_get(r, "split")); /* --no-tune: nothing skipped */
    json_decref(r);
    rs_model_close(m);

    /* at or below the limit the default (EASE) stays, and no report */
    m = world(false);
    ck_assert_ok(rs_model_set_option(m, "build.tune", "0"));
    ck_assert_ok(rs_model_set_option(m, "cf.max_items", "60"));
    ck_assert_ok(rs_model_build(m));
    ck_assert_int_eq(rs_cf_model_kind(rs_model_cf_model(m)), RS_CF_EASE);
    ck_assert_ptr_null(report(m));
    rs_model_close(m);
}
END_TEST

START_TEST(a_dense_kind_the_caller_chose_stays_and_fails)
{
    rs_model *m = world(false);
    ck_assert_ok(rs_model_set_option(m, "build.tune", "0"));
    ck_assert_ok(rs_model_set_option(m, "cf.max_items", "40"));
    ck_assert_ok(rs_model_set_option(m, "build.cf", "ease"));
    ck_assert_status(rs_model_build(m), RS_ERR_LIMIT);
    ck_assert_errmsg_has("RS_CF_MAX_ITEMS");
    ck_assert_ptr_null(rs_model_cf_model(m)); /* nothing built */
    rs_model_close(m);
}
END_TEST

START_TEST(selection_skipped_above_tune_max_events)
{
    rs_model *m = world(false);
    json_t *r;
    ck_assert_ok(rs_model_set_option(m, "build.tune_max_events", "100"));
    ck_assert_ok(rs_model_set_option(m, "cf.max_items", "40"));
    ck_assert_ok(rs_model_build(m));
    r = report(m);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(member(r, "split"), "none");
    ck_assert_ptr_nonnull(strstr(member(r, "skipped"), "build.tune_max_events = 100"));
    ck_assert_ptr_nonnull(member(r, "scaled_cf"));
    ck_assert_ptr_null(json_object_get(r, "candidates"));
    ck_assert_int_eq(rs_cf_model_kind(rs_model_cf_model(m)), RS_CF_ITEMKNN);
    json_decref(r);
    rs_model_close(m);

    /* 0: no limit, the selection runs (candidates in the report) */
    m = world(false);
    ck_assert_ok(rs_model_set_option(m, "build.tune_max_events", "0"));
    ck_assert_ok(rs_model_build(m));
    r = report(m);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_nonnull(json_object_get(r, "candidates"));
    json_decref(r);
    ck_assert_status(rs_model_set_option(m, "build.tune_max_events", "-1"), RS_ERR_RANGE);
    ck_assert_status(rs_model_set_option(m, "build.tune_max_events", "nan"), RS_ERR_PARSE);
    rs_model_close(m);
}
END_TEST

START_TEST(textless_catalogue_builds_at_the_smallest_dimension)
{
    rs_model *m = world(false);
    ck_assert_ok(rs_model_set_option(m, "build.tune", "0"));
    ck_assert_ok(rs_model_build(m));
    ck_assert_uint_eq(rs_embedder_dim(rs_model_embedder(m)), 8);
    rs_model_close(m);

    m = world(false); /* the caller's dimension stays */
    ck_assert_ok(rs_model_set_option(m, "build.tune", "0"));
    ck_assert_ok(rs_model_set_option(m, "embedder.dim", "32"));
    ck_assert_ok(rs_model_build(m));
    ck_assert_uint_eq(rs_embedder_dim(rs_model_embedder(m)), 32);
    rs_model_close(m);

    m = world(true); /* texts: the default dimension */
    ck_assert_ok(rs_model_set_option(m, "build.tune", "0"));
    ck_assert_ok(rs_model_build(m));
    ck_assert_uint_eq(rs_embedder_dim(rs_model_embedder(m)), 256);
    rs_model_close(m);
}
END_TEST

/* ------------------------------------------------------------ import */

#define N_ROWS 3000

struct row {
    int user, item, timed;
    double weight;
    long long time;
};

/* The reference: each (user, item) edge's summed weight and its first or
 * last timed row's time (0 when no row had a time), row by row. */
static void reference(const struct row *rows, int user, int item, bool first, double *w,
                      long long *t, bool *found)
{
    bool timed = false;
    *w = 0;
    *t = 0;
    *found = false;
    for (int i = 0; i < N_ROWS; i++) {
        if (rows[i].user != user || rows[i].item != item)
            continue;
        *found = true;
        *w += rows[i].weight;
        if (rows[i].timed && (!timed || (first ? rows[i].time < *t : rows[i].time > *t)))
            *t = rows[i].time;
        timed |= rows[i].timed != 0;
    }
}

START_TEST(import_sums_equal_a_row_by_row_reference)
{
    struct row *rows = malloc(N_ROWS * sizeof *rows);
    size_t cap = 1 << 17, len;
    char *text = malloc(cap);
    uint64_t rng = 11;
    ck_assert_ptr_nonnull(rows);
    ck_assert_ptr_nonnull(text);
    len = (size_t)snprintf(text, cap, "user\titem\tweight\ttime\n");
    for (int i = 0; i < N_ROWS; i++) { /* 40 x 30: most edges repeat */
        rows[i].user = (int)(next(&rng) % 40);
        rows[i].item = (int)(next(&rng) % 30);
        rows[i].weight = (double)(1 + next(&rng) % 4) / 2;
        rows[i].timed = next(&rng) % 5 != 0;
        rows[i].time = 1000000000ll + (long long)(next(&rng) % 100000);
        if (rows[i].timed)
            len += (size_t)snprintf(text + len, cap - len, "u%d\ti%d\t%g\t%lld\n", rows[i].user,
                                    rows[i].item, rows[i].weight, rows[i].time);
        else
            len += (size_t)snprintf(text + len, cap - len, "u%d\ti%d\t%g\t\n", rows[i].user,
                                    rows[i].item, rows[i].weight);
        ck_assert_uint_lt(len, cap);
    }
    for (int mode = 0; mode < 2; mode++) {
        rs_graph *g = NULL;
        rs_reader *r = reader(text);
        uint32_t rel;
        size_t edges = 0;
        ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
        ck_assert_ok(rs_io_import_interactions(g, r, NULL, "bought",
                                               mode ? RS_IMPORT_FIRST_TIME : 0, NULL));
        rs_reader_close(r);
        ck_assert_ok(rs_graph_find_relation(g, "bought", &rel));
        for (int u = 0; u < 40; u++)
            for (int i = 0; i < 30; i++) {
                char uk[16], ik[16];
                uint32_t un, in;
                double w, want_w;
                int64_t t;
                long long want_t;
                bool found;
                reference(rows, u, i, mode == 1, &want_w, &want_t, &found);
                if (!found)
                    continue;
                edges++;
                snprintf(uk, sizeof uk, "u%d", u);
                snprintf(ik, sizeof ik, "i%d", i);
                ck_assert_ok(rs_graph_find_node(g, "user", uk, &un));
                ck_assert_ok(rs_graph_find_node(g, "item", ik, &in));
                ck_assert_ok(rs_graph_get_edge(g, un, rel, in, &w, &t));
                ck_assert_msg(fabs(w - want_w) < 1e-4, "%s-%s weight %g, expected %g", uk, ik,
                              w, want_w);
                ck_assert_int_eq(t, want_t);
            }
        ck_assert_uint_eq(rs_graph_edge_count(g), edges);
        rs_graph_close(g);
    }
    free(text);
    free(rows);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_scale");
    TCase *tc = tcase_create("scale");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, large_catalogue_gets_sparse_knn);
    tcase_add_test(tc, a_dense_kind_the_caller_chose_stays_and_fails);
    tcase_add_test(tc, selection_skipped_above_tune_max_events);
    tcase_add_test(tc, textless_catalogue_builds_at_the_smallest_dimension);
    tcase_add_test(tc, import_sums_equal_a_row_by_row_reference);
    suite_add_tcase(s, tc);
    return s;
}
