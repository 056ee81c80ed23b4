/*
 * test_eval_runner.c - the evaluation runner on a hand-made log: catalogue
 * order, truth sets, warm and cold users, the baselines' rankings and ties,
 * averages against a manual computation, thread-count independence,
 * reports, written lists, and bad input.
 */
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define D 86400
#define TOL 1e-12
#define INV_L3 0.63092975357145743710 /* 1 / log2(3) */

/*
 * Catalogue (train items in byte order): C=0 a=1 b=2 d=3 e=4.
 * Train (before day 100): u1 {a, b}, u2 {a, C}, u3 {b, d, e}.
 * Test: u1 {C, d, a(seen), zz(unknown)} -> T = {C, d}; u2 {a(seen)} -> not
 * evaluated; u3 {C} -> T = {C}; cold u4 {a, b, C}; cold u5 {d}.
 * Most-popular counts: C1 a2 b2 d1 e1 -> order a b C d e.
 */
static rs_events *make_log(void)
{
    static const struct { const char *u, *i; int day; } rows[] = {
        {"u1", "a", 10}, {"u1", "b", 20}, {"u2", "a", 30}, {"u2", "C", 90},
        {"u3", "d", 95}, {"u3", "b", 50}, {"u3", "e", 5},  {"u3", "b", 60},
        {"u1", "C", 100}, {"u1", "d", 110}, {"u1", "a", 120}, {"u1", "zz", 125},
        {"u2", "a", 130}, {"u3", "C", 140}, {"u4", "a", 101}, {"u4", "b", 102},
        {"u4", "C", 103}, {"u5", "d", 104},
    };
    rs_events *ev;
    ck_assert_ok(rs_events_create(&ev));
    for (size_t r = 0; r < sizeof rows / sizeof *rows; r++)
        ck_assert_ok(rs_events_add(ev, rows[r].u, rows[r].i, (int64_t)rows[r].day * D, 1.0));
    ck_assert_ok(rs_events_split_temporal(ev, 100 * D, RS_PART_TEST));
    return ev;
}

static rs_eval *make_eval(void)
{
    rs_events *ev = make_log();
    rs_eval *e;
    ck_assert_ok(rs_eval_create(ev, RS_PART_TEST, &e));
    rs_events_free(ev); /* the runner keeps its own copy */
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_K, 2));
    return e;
}

static uint32_t user_index(const rs_eval *e, const char *key)
{
    for (uint32_t u = 0; u < rs_eval_user_span(e); u++)
        if (strcmp(rs_eval_user_key(e, u), key) == 0)
            return u;
    ck_abort_msg("no user %s", key);
    return 0;
}

static double field(const rs_eval *e, size_t row, int f)
{
    double v = -1;
    ck_assert_ok(rs_eval_result(e, row, f, &v));
    return v;
}

START_TEST(catalogue_users_and_truth)
{
    rs_eval *e = make_eval();
    uint32_t buf[8], item;
    size_t n;
    ck_assert_uint_eq(rs_eval_item_count(e), 5);
    const char *keys[] = {"C", "a", "b", "d", "e"};
    for (uint32_t i = 0; i < 5; i++)
        ck_assert_str_eq(rs_eval_item_key(e, i), keys[i]);
    ck_assert_ptr_null(rs_eval_item_key(e, 5));
    ck_assert_ok(rs_eval_item_find(e, "d", &item));
    ck_assert_uint_eq(item, 3);
    ck_assert_status(rs_eval_item_find(e, "zz", &item), RS_ERR_NOTFOUND);
    ck_assert_status(rs_eval_item_find(e, NULL, &item), RS_ERR_INVALID);
    ck_assert_uint_eq(rs_eval_user_span(e), 5);
    ck_assert_ptr_null(rs_eval_user_key(e, 5));

    ck_assert_ok(rs_eval_train_items(e, user_index(e, "u3"), buf, 8, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(buf[0], 2);
    ck_assert_uint_eq(buf[1], 3);
    ck_assert_uint_eq(buf[2], 4);
    ck_assert_ok(rs_eval_truth(e, user_index(e, "u1"), buf, 8, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(buf[0], 0);
    ck_assert_uint_eq(buf[1], 3);
    ck_assert_ok(rs_eval_truth(e, user_index(e, "u2"), buf, 8, &n));
    ck_assert_uint_eq(n, 0);

    ck_assert_ok(rs_eval_users(e, buf, 8, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(rs_eval_user_key(e, buf[0]), "u1");
    ck_assert_str_eq(rs_eval_user_key(e, buf[1]), "u3");
    ck_assert_status(rs_eval_users(e, buf, 1, &n), RS_ERR_BUFFER);
    ck_assert_uint_eq(n, 2);
    ck_assert_status(rs_eval_train_items(e, 99, buf, 8, &n), RS_ERR_NOTFOUND);
    ck_assert_status(rs_eval_truth(e, 99, buf, 8, &n), RS_ERR_NOTFOUND);
    ck_assert_status(rs_eval_users(e, NULL, 8, &n), RS_ERR_INVALID);

    /* without exclusion every catalogue test item is truth: u2 joins */
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_EXCLUDE_TRAIN, 0));
    ck_assert_ok(rs_eval_users(e, buf, 8, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_ok(rs_eval_truth(e, user_index(e, "u1"), buf, 8, &n));
    ck_assert_uint_eq(n, 3);

    /* cold users: no train event, at least RS_EVAL_COLD_MIN_ITEMS test items */
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_GROUP, RS_EVAL_COLD));
    ck_assert_ok(rs_eval_users(e, buf, 8, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_COLD_MIN_ITEMS, 2));
    ck_assert_ok(rs_eval_users(e, buf, 8, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(rs_eval_user_key(e, buf[0]), "u4");
    ck_assert_ok(rs_eval_truth(e, buf[0], buf + 1, 7, &n));
    ck_assert_uint_eq(n, 3);
    rs_eval_free(e);
}
END_TEST

START_TEST(most_popular_against_hand_computation)
{
    rs_eval *e = make_eval();
    size_t row;
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &row));
    ck_assert_uint_eq(row, 0);
    ck_assert_str_eq(rs_eval_result_name(e, row), "most-popular");
    /* u1 (a, b excluded): [C, d] both hits.  u3 (b, d, e excluded): [a, C],
     * the tie a/b at 2 and C/d/e at 1 going to the lower index; hit at 2. */
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_PRECISION), (1.0 + 0.5) / 2, TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_RECALL), 1.0, TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_NDCG), (1.0 + INV_L3) / 2, TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_MRR), (1.0 + 0.5) / 2, TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_MAP), (1.0 + 0.5) / 2, TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_HIT_RATE), 1.0, TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_F1), (1.0 + 2 * 0.5 / 1.5) / 2, TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_COVERAGE), 3.0 / 5, TOL);
    ck_assert_double_eq(field(e, row, RS_EVAL_USERS), 2);
    ck_assert_double_eq(field(e, row, RS_EVAL_K_USED), 2);
    ck_assert_double_eq(field(e, row, RS_EVAL_GROUP_USED), RS_EVAL_WARM);
    ck_assert(field(e, row, RS_EVAL_SECONDS) >= 0);
    /* gini over 5 items with exposure C2 d1 a1: sorted 0 0 1 1 2 */
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_GINI),
                            ((2 * 3 - 6) * 1.0 + (2 * 4 - 6) * 1.0 + (2 * 5 - 6) * 2.0) /
                                (5 * 4.0), TOL);
    rs_eval_free(e);
}
END_TEST

/* k far above the catalogue: lists are short, precision still divides by k */
START_TEST(k_above_catalogue)
{
    rs_eval *e = make_eval();
    size_t row;
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_K, 10000));
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &row));
    /* u1 gets C d e (2 hits), u3 gets a C (1 hit) */
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_PRECISION), (2.0 + 1.0) / 2 / 10000, TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_RECALL), 1.0, TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_COVERAGE), 4.0 / 5, TOL);
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_RANDOM, 0, &row));
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_RECALL), 1.0, TOL);
    rs_eval_free(e);
}
END_TEST

START_TEST(recent_popular_window)
{
    rs_eval *e = make_eval();
    size_t row;
    int64_t end;
    /* default end: the latest train event + 1 */
    ck_assert_ok(rs_eval_get_int(e, RS_EVAL_RECENT_END, &end));
    ck_assert_int_eq(end, 95 * (int64_t)D + 1);
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_RECENT_END, 100 * (int64_t)D));
    /* window [70, 100): C (u2, day 90) and d (u3, day 95) count 1, the rest
     * 0: order C d a b e.  u1 -> [C, d] 2 hits; u3 -> [C, a] hit at 1 */
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_RECENT_POPULAR, 30, &row));
    ck_assert_str_eq(rs_eval_result_name(e, row), "recent-popular (30 days)");
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_NDCG), 1.0, TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_PRECISION), 0.75, TOL);
    /* a window of 51 days holds both of u3's b events (days 50, 60): b still
     * counts once (distinct users), so C b d a e; twice would put b first.
     * Without exclusion u1 {C, d, a}, u2 {a}, u3 {C} all get [C, b]. */
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_EXCLUDE_TRAIN, 0));
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_RECENT_POPULAR, 51, &row));
    ck_assert_double_eq(field(e, row, RS_EVAL_USERS), 3);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_NDCG), (1.0 / (1 + INV_L3) + 0 + 1) / 3,
                            TOL);
    ck_assert_status(rs_eval_run_baseline(e, RS_BASELINE_RECENT_POPULAR, 0, &row), RS_ERR_RANGE);
    ck_assert_status(rs_eval_run_baseline(e, RS_BASELINE_RECENT_POPULAR, NAN, &row),
                     RS_ERR_RANGE);
    ck_assert_status(rs_eval_run_baseline(e, 9, 1, &row), RS_ERR_INVALID);
    ck_assert_uint_eq(rs_eval_result_count(e), 2);
    rs_eval_free(e);
}
END_TEST

/* A host recommender with fixed lists: u1 gets [d, d] (a repeat is a miss),
 * u3 gets one item outside the catalogue (a miss). */
struct fixed {
    const rs_eval *e;
    int calls, fail, too_many;
    size_t last_exclude;
};

static int fixed_recommend(void *context, uint32_t user, size_t k, const uint32_t *exclude,
                           size_t n_exclude, uint32_t *items_out, size_t *n_out)
{
    struct fixed *f = context;
    const char *key = rs_eval_user_key(f->e, user);
    (void)exclude;
    __atomic_add_fetch(&f->calls, 1, __ATOMIC_RELAXED);
    if (f->fail)
        return -1;
    if (f->too_many) {
        *n_out = k + 1;
        return 0;
    }
    if (strcmp(key, "u1") == 0) {
        items_out[0] = items_out[1] = 3;
        *n_out = 2;
        f->last_exclude = n_exclude;
    } else {
        items_out[0] = 99;
        *n_out = 1;
    }
    return 0;
}

START_TEST(callback_recommender)
{
    rs_eval *e = make_eval();
    struct fixed f = {e, 0, 0, 0, 99};
    size_t row;
    ck_assert_ok(rs_eval_run(e, "fixed", fixed_recommend, &f, &row));
    ck_assert_int_eq(f.calls, 2);
    ck_assert_uint_eq(f.last_exclude, 2); /* u1's train items a, b */
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_PRECISION), 0.5 / 2, TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_RECALL), 0.5 / 2, TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_NDCG), 1.0 / (1 + INV_L3) / 2, TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_HIT_RATE), 0.5, TOL);
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_COVERAGE), 1.0 / 5, TOL);

    /* failures add no row */
    f.fail = 1;
    ck_assert_status(rs_eval_run(e, "failing", fixed_recommend, &f, &row), RS_ERR_CALLBACK);
    ck_assert_errmsg_has("u");
    f.fail = 0;
    f.too_many = 1;
    ck_assert_status(rs_eval_run(e, "greedy", fixed_recommend, &f, &row), RS_ERR_CALLBACK);
    ck_assert_errmsg_has("more than k");
    ck_assert_uint_eq(rs_eval_result_count(e), 1);
    ck_assert_status(rs_eval_run(e, NULL, fixed_recommend, &f, &row), RS_ERR_INVALID);
    ck_assert_status(rs_eval_run(e, "x", NULL, &f, &row), RS_ERR_INVALID);
    ck_assert_status(rs_eval_run(NULL, "x", fixed_recommend, &f, &row), RS_ERR_INVALID);
    ck_assert_status(rs_eval_run(e, "\xff", fixed_recommend, &f, &row), RS_ERR_ENCODING);

    /* cold users: nothing excluded */
    f.too_many = 0;
    f.last_exclude = 99;
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_GROUP, RS_EVAL_COLD));
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &row));
    /* u4 {C, a, b} gets [a, b]: P 1; u5 {d} gets [a, b]: 0 */
    ck_assert_double_eq_tol(field(e, row, RS_EVAL_PRECISION), 0.5, TOL);
    ck_assert_double_eq(field(e, row, RS_EVAL_GROUP_USED), RS_EVAL_COLD);
    /* nobody to evaluate */
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_COLD_MIN_ITEMS, 100));
    ck_assert_status(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &row), RS_ERR_STATE);
    rs_eval_free(e);
}
END_TEST

/* A larger random log: results must not depend on the thread count. */
START_TEST(threads_do_not_change_results)
{
    rs_events *ev;
    rs_eval *e;
    size_t r1, r2, r3, r4;
    char u[16], i[16];
    uint64_t x = 12345;
    ck_assert_ok(rs_events_create(&ev));
    for (int n = 0; n < 6000; n++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        snprintf(u, sizeof u, "u%u", (unsigned)(x >> 33) % 400);
        snprintf(i, sizeof i, "i%u", (unsigned)((x >> 13) % 97) * (unsigned)((x >> 43) % 3));
        ck_assert_ok(rs_events_add(ev, u, i, n, 1));
    }
    ck_assert_ok(rs_events_split_random(ev, 0.25, 3, 9, RS_PART_TEST));
    ck_assert_ok(rs_eval_create(ev, RS_PART_TEST, &e));
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_THREADS, 1));
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &r1));
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_RANDOM, 0, &r3));
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_THREADS, 3));
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &r2));
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_RANDOM, 0, &r4));
    ck_assert_double_gt(field(e, r1, RS_EVAL_USERS), 100);
    for (int f = 0; f < RS_EVAL_FIELD_COUNT; f++)
        if (f != RS_EVAL_SECONDS) {
            ck_assert(field(e, r1, f) == field(e, r2, f));
            ck_assert(field(e, r3, f) == field(e, r4, f));
        }
    /* random is far below most-popular on this skewed log, and covers more */
    ck_assert_double_gt(field(e, r3, RS_EVAL_COVERAGE), field(e, r1, RS_EVAL_COVERAGE));

    /* the random lists (rejection sampling here: few exclusions, 10 of ~100
     * items) hold k distinct items, none of them a train item of the user */
    char path[256], line[128];
    snprintf(path, sizeof path, "/tmp/rs_eval_random_%d.tsv", (int)getpid());
    ck_assert_ok(rs_eval_write_recs(e, r3, path));
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    uint32_t prev_user = UINT32_MAX, seen[10], train[200];
    size_t n_seen = 0, n_train = 0, lines = 0;
    while (fgets(line, sizeof line, f)) {
        char *ukey = strtok(line, "\t"), *ikey = strtok(NULL, "\t");
        int rank = atoi(strtok(NULL, "\n"));
        uint32_t u = user_index(e, ukey), item;
        ck_assert_ok(rs_eval_item_find(e, ikey, &item));
        if (u != prev_user) {
            ck_assert(prev_user == UINT32_MAX || n_seen == 10);
            ck_assert_ok(rs_eval_train_items(e, u, train, 200, &n_train));
            prev_user = u;
            n_seen = 0;
        }
        ck_assert_int_eq(rank, (int)n_seen + 1);
        for (size_t j = 0; j < n_seen; j++)
            ck_assert_uint_ne(seen[j], item);
        for (size_t j = 0; j < n_train; j++)
            ck_assert_uint_ne(train[j], item);
        seen[n_seen++] = item;
        lines++;
    }
    fclose(f);
    unlink(path);
    ck_assert_uint_eq(lines, 10 * (size_t)field(e, r3, RS_EVAL_USERS));
    rs_eval_free(e);
    rs_events_free(ev);
}
END_TEST

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 1 << 16);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(random_baseline_and_written_lists)
{
    rs_eval *e = make_eval();
    char path[256], *text, *text2;
    size_t row;
    snprintf(path, sizeof path, "/tmp/rs_eval_recs_%d.tsv", (int)getpid());
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &row));
    ck_assert_ok(rs_eval_write_recs(e, row, path));
    text = read_all(path);
    ck_assert_str_eq(text, "u1\tC\t1\nu1\td\t2\nu3\ta\t1\nu3\tC\t2\n");
    free(text);

    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_SEED, 5));
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_RANDOM, 0, &row));
    ck_assert_ok(rs_eval_write_recs(e, row, path));
    text = read_all(path);
    /* u1 may only get C, d, e; u3 only C, a; two distinct items each */
    char u[8], i1[8], i2[8];
    int r1, r2;
    const char *p = text;
    for (int user = 0; user < 2; user++) {
        int used;
        ck_assert_int_eq(sscanf(p, "%7s %7s %d %*s %7s %d%n", u, i1, &r1, i2, &r2, &used), 5);
        p += used + 1;
        ck_assert_int_eq(r1, 1);
        ck_assert_int_eq(r2, 2);
        ck_assert_str_ne(i1, i2);
        ck_assert(strcmp(i1, "a") != 0 || strcmp(u, "u3") == 0);
        ck_assert(strcmp(i1, "b") != 0 && strcmp(i2, "b") != 0);
    }
    /* the same seed gives the same lists */
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_RANDOM, 0, &row));
    ck_assert_ok(rs_eval_write_recs(e, row, path));
    text2 = read_all(path);
    ck_assert_str_eq(text, text2);
    free(text);
    free(text2);
    ck_assert_status(rs_eval_write_recs(e, 99, path), RS_ERR_NOTFOUND);
    ck_assert_status(rs_eval_write_recs(e, 0, "/nonexistent-dir/r.tsv"), RS_ERR_IO);
    ck_assert_status(rs_eval_write_recs(e, 0, NULL), RS_ERR_INVALID);
    unlink(path);
    rs_eval_free(e);
}
END_TEST

START_TEST(report_table_and_json)
{
    rs_eval *e = make_eval();
    size_t len, len2, row;
    char small[8], *buf;
    struct fixed f = {e, 0, 0, 0, 0};
    ck_assert_ok(rs_eval_report(e, RS_EVAL_JSON, small, sizeof small, &len));
    ck_assert_str_eq(small, "[\n]\n");
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, &row));
    ck_assert_ok(rs_eval_run(e, "say \"hi\"\\", fixed_recommend, &f, &row));
    ck_assert_status(rs_eval_report(e, RS_EVAL_TABLE, small, sizeof small, &len), RS_ERR_BUFFER);
    ck_assert_uint_gt(len, 50);
    buf = malloc(len + 1);
    ck_assert_ok(rs_eval_report(e, RS_EVAL_TABLE, buf, len + 1, &len2));
    ck_assert_uint_eq(len, len2);
    ck_assert_uint_eq(strlen(buf), len);
    ck_assert_ptr_nonnull(strstr(buf, "most-popular"));
    ck_assert_ptr_nonnull(strstr(buf, "NDCG"));
    free(buf);

    ck_assert_status(rs_eval_report(e, RS_EVAL_JSON, NULL, 0, &len), RS_ERR_BUFFER);
    buf = malloc(len + 1);
    ck_assert_ok(rs_eval_report(e, RS_EVAL_JSON, buf, len + 1, &len));
    json_error_t err;
    json_t *root = json_loads(buf, 0, &err);
    ck_assert_msg(root != NULL, "invalid JSON: %s\n%s", err.text, buf);
    ck_assert_uint_eq(json_array_size(root), 2);
    json_t *first = json_array_get(root, 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "name")), "most-popular");
    ck_assert_double_eq_tol(json_real_value(json_object_get(first, "ndcg")),
                            (1.0 + INV_L3) / 2, TOL);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(root, 1), "name")),
                     "say \"hi\"\\");
    json_decref(root);
    free(buf);

    ck_assert_status(rs_eval_report(e, 7, NULL, 0, &len), RS_ERR_INVALID);
    ck_assert_status(rs_eval_report(e, RS_EVAL_TABLE, NULL, 4, &len), RS_ERR_INVALID);
    ck_assert_status(rs_eval_report(NULL, RS_EVAL_TABLE, NULL, 0, &len), RS_ERR_INVALID);
    rs_eval_free(e);
}
END_TEST

START_TEST(options_and_bad_input)
{
    rs_eval *e = make_eval(), *none = (rs_eval *)1;
    rs_events *ev;
    int64_t v;
    double d;
    ck_assert_status(rs_eval_set_int(e, RS_EVAL_K, 0), RS_ERR_RANGE);
    ck_assert_status(rs_eval_set_int(e, RS_EVAL_K, 10001), RS_ERR_RANGE);
    ck_assert_status(rs_eval_set_int(e, RS_EVAL_GROUP, 2), RS_ERR_RANGE);
    ck_assert_status(rs_eval_set_int(e, RS_EVAL_EXCLUDE_TRAIN, 2), RS_ERR_RANGE);
    ck_assert_status(rs_eval_set_int(e, RS_EVAL_COLD_MIN_ITEMS, 0), RS_ERR_RANGE);
    ck_assert_status(rs_eval_set_int(e, RS_EVAL_SEED, -1), RS_ERR_RANGE);
    ck_assert_status(rs_eval_set_int(e, RS_EVAL_THREADS, 1025), RS_ERR_RANGE);
    ck_assert_status(rs_eval_set_int(e, 99, 1), RS_ERR_INVALID);
    ck_assert_status(rs_eval_set_int(NULL, RS_EVAL_K, 1), RS_ERR_INVALID);
    ck_assert_ok(rs_eval_get_int(e, RS_EVAL_K, &v));
    ck_assert_int_eq(v, 2);
    ck_assert_ok(rs_eval_get_int(e, RS_EVAL_EXCLUDE_TRAIN, &v));
    ck_assert_int_eq(v, 1);
    ck_assert_ok(rs_eval_get_int(e, RS_EVAL_COLD_MIN_ITEMS, &v));
    ck_assert_int_eq(v, 1);
    ck_assert_status(rs_eval_get_int(e, 99, &v), RS_ERR_INVALID);
    ck_assert_status(rs_eval_get_int(e, RS_EVAL_K, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_eval_result(e, 0, RS_EVAL_NDCG, &d), RS_ERR_NOTFOUND);
    ck_assert_status(rs_eval_result(e, 0, RS_EVAL_FIELD_COUNT, &d), RS_ERR_INVALID);
    ck_assert_ptr_null(rs_eval_result_name(e, 0));
    ck_assert_str_eq(rs_eval_field_name(RS_EVAL_NDCG), "ndcg");
    ck_assert_str_eq(rs_eval_field_name(RS_EVAL_COVERAGE), "coverage");
    ck_assert_ptr_null(rs_eval_field_name(-1));
    ck_assert_ptr_null(rs_eval_field_name(RS_EVAL_FIELD_COUNT));
    ck_assert_uint_eq(rs_eval_item_count(NULL), 0);
    ck_assert_uint_eq(rs_eval_result_count(NULL), 0);
    rs_eval_free(e);
    rs_eval_free(NULL);

    /* creation */
    ck_assert_ok(rs_events_create(&ev));
    ck_assert_status(rs_eval_create(ev, RS_PART_TRAIN, &none), RS_ERR_INVALID);
    ck_assert_ptr_null(none);
    ck_assert_status(rs_eval_create(NULL, RS_PART_TEST, &none), RS_ERR_INVALID);
    ck_assert_status(rs_eval_create(ev, RS_PART_TEST, NULL), RS_ERR_INVALID);
    /* an empty log: an empty catalogue, nothing to run */
    ck_assert_ok(rs_eval_create(ev, RS_PART_TEST, &e));
    ck_assert_uint_eq(rs_eval_item_count(e), 0);
    ck_assert_status(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, NULL), RS_ERR_STATE);
    rs_eval_free(e);
    /* everything in test: no catalogue either */
    ck_assert_ok(rs_events_add(ev, "u", "i", 5, 1));
    ck_assert_ok(rs_events_split_temporal(ev, 0, RS_PART_TEST));
    ck_assert_ok(rs_eval_create(ev, RS_PART_TEST, &e));
    ck_assert_status(rs_eval_run_baseline(e, RS_BASELINE_RANDOM, 0, NULL), RS_ERR_STATE);
    ck_assert_errmsg_has("catalogue");
    rs_eval_free(e);
    /* evaluating on the validation part */
    ck_assert_ok(rs_events_reset(ev));
    ck_assert_ok(rs_events_add(ev, "u", "j", 10, 1)); /* j: not in the catalogue */
    ck_assert_ok(rs_events_add(ev, "v", "k", 3, 1));
    ck_assert_ok(rs_events_add(ev, "u", "k", 11, 1));
    ck_assert_ok(rs_events_split_temporal(ev, 8, RS_PART_VALID));
    ck_assert_ok(rs_eval_create(ev, RS_PART_VALID, &e));
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_K, 1));
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_RANDOM, 0, NULL));
    ck_assert_ok(rs_eval_result(e, 0, RS_EVAL_USERS, &d));
    ck_assert_double_eq(d, 1);
    ck_assert_ok(rs_eval_result(e, 0, RS_EVAL_HIT_RATE, &d));
    ck_assert_double_eq(d, 1); /* u's only candidate is k, its truth */
    rs_eval_free(e);
    rs_events_free(ev);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("eval_runner");
    TCase *tc = tcase_create("runner");
    tcase_add_test(tc, catalogue_users_and_truth);
    tcase_add_test(tc, most_popular_against_hand_computation);
    tcase_add_test(tc, k_above_catalogue);
    tcase_add_test(tc, recent_popular_window);
    tcase_add_test(tc, callback_recommender);
    tcase_add_test(tc, threads_do_not_change_results);
    tcase_add_test(tc, random_baseline_and_written_lists);
    tcase_add_test(tc, report_table_and_json);
    tcase_add_test(tc, options_and_bad_input);
    suite_add_tcase(s, tc);
    return s;
}
