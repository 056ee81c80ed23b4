/*
 * test_eval_parts.c - evaluation sharded by users: the parts of every shard
 * (RS_EVAL_SHARDS / RS_EVAL_SHARD, rs_eval_result_part) merged by
 * rs_eval_merge_parts give the fields of the unsharded run bit for bit, for
 * the runner (baselines and a host recommender, warm and cold, any number
 * of shards, more shards than users) and for rs_model_evaluate_shard; bad
 * parts (truncated, damaged, of another run, missing or repeated shards).
 */
#include "evalsim_fixture.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define N_USERS 240
#define N_ITEMS 60

/* A log of N_USERS users over N_ITEMS items from a fixed LCG: skewed item
 * choice, weights 1..3, times 0..9; the split puts times >= 7 in test. */
static rs_events *make_events(void)
{
    rs_events *ev;
    uint64_t x = 12345;
    char user[16], item[16];
    ck_assert_ok(rs_events_create(&ev));
    for (int u = 0; u < N_USERS; u++) {
        int n = 2 + (int)(u % 9);
        for (int j = 0; j < n; j++) {
            uint32_t r[3];
            for (int d = 0; d < 3; d++) {
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                r[d] = (uint32_t)(x >> 33);
            }
            int i = (int)((r[0] % N_ITEMS) * (r[0] % N_ITEMS) / N_ITEMS); /* skewed */
            snprintf(user, sizeof user, "u%03d", u);
            snprintf(item, sizeof item, "i%02d", i);
            ck_assert_ok(rs_events_add(ev, user, item, (int64_t)(r[1] % 10), 1.0 + r[2] % 3));
        }
    }
    ck_assert_ok(rs_events_split_temporal(ev, 7, RS_PART_TEST));
    return ev;
}

/* A recommender whose list depends on the user alone: items (user * 7 + r *
 * 3) mod n_items, skipping the excluded ones, sometimes short. */
static int by_user(void *context, uint32_t user, size_t k, const uint32_t *exclude,
                   size_t n_exclude, uint32_t *items_out, size_t *n_out)
{
    size_t n_items = *(const size_t *)context, n = 0, want = user % 5 == 0 ? k / 2 : k;
    for (size_t r = 0; r < n_items && n < want; r++) {
        uint32_t item = (uint32_t)((user * 7 + r * 3) % n_items);
        bool skip = false;
        for (size_t e = 0; e < n_exclude; e++)
            skip |= exclude[e] == item;
        if (!skip)
            items_out[n++] = item;
    }
    *n_out = n;
    return 0;
}

/* Every row of the runner for one shard configuration: random, most- and
 * recent-popular, the host recommender. */
static rs_eval *run_all(const rs_events *ev, int group, int64_t shard, int64_t shards,
                        size_t *n_items)
{
    rs_eval *e = NULL;
    ck_assert_ok(rs_eval_create(ev, RS_PART_TEST, &e));
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_K, 5));
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_SEED, 77));
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_GROUP, group));
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_SHARDS, shards));
    ck_assert_ok(rs_eval_set_int(e, RS_EVAL_SHARD, shard));
    *n_items = rs_eval_item_count(e);
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_RANDOM, 0, NULL));
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_MOST_POPULAR, 0, NULL));
    ck_assert_ok(rs_eval_run_baseline(e, RS_BASELINE_RECENT_POPULAR, 3, NULL));
    ck_assert_ok(rs_eval_run(e, "by user", by_user, n_items, NULL));
    return e;
}

/* Row row of an evaluator as a malloc'd part. */
static void *part_of(const rs_eval *e, size_t row, size_t *len)
{
    void *buf;
    ck_assert_status(rs_eval_result_part(e, row, NULL, 0, len), RS_ERR_BUFFER);
    rs_clear_error();
    buf = malloc(*len);
    ck_assert_ptr_nonnull(buf);
    ck_assert_ok(rs_eval_result_part(e, row, buf, *len, len));
    return buf;
}

/* The merged parts of row `row` of the evaluators equal the whole run's
 * row, every field but seconds, bit for bit. */
static void assert_merge_equals(rs_eval *const *shards, size_t n, const rs_eval *whole,
                                size_t row)
{
    const void *parts[16];
    size_t lens[16];
    double merged[RS_EVAL_FIELD_COUNT], want;
    char what[64];
    ck_assert_uint_le(n, 16);
    /* in reverse order: the merge puts them in shard order itself */
    for (size_t s = 0; s < n; s++)
        parts[n - 1 - s] = part_of(shards[s], row, &lens[n - 1 - s]);
    ck_assert_ok(rs_eval_merge_parts(parts, lens, n, merged, RS_EVAL_FIELD_COUNT));
    for (int f = 0; f < RS_EVAL_FIELD_COUNT; f++) {
        if (f == RS_EVAL_SECONDS)
            continue;
        ck_assert_ok(rs_eval_result(whole, row, f, &want));
        snprintf(what, sizeof what, "row %zu field %s, %zu shards", row, rs_eval_field_name(f),
                 n);
        assert_same_value(merged[f], want, what);
    }
    ck_assert(merged[RS_EVAL_SECONDS] >= 0);
    for (size_t s = 0; s < n; s++)
        free((void *)parts[s]);
}

START_TEST(runner_shards_merge_bitwise)
{
    rs_events *ev = make_events();
    static const int64_t counts[] = {1, 2, 3, 7};
    for (int group = RS_EVAL_WARM; group <= RS_EVAL_COLD; group++) {
        size_t n_items;
        rs_eval *whole = run_all(ev, group, 0, 1, &n_items);
        double users;
        ck_assert_ok(rs_eval_result(whole, 0, RS_EVAL_USERS, &users));
        ck_assert_double_ge(users, 3); /* warm 183, cold 3: 7 shards leave some empty */
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            rs_eval *shards[8];
            double total = 0, v;
            for (int64_t s = 0; s < counts[c]; s++) {
                shards[s] = run_all(ev, group, s, counts[c], &n_items);
                ck_assert_ok(rs_eval_result(shards[s], 3, RS_EVAL_USERS, &v));
                total += v;
            }
            ck_assert_double_eq(total, users); /* the shards partition the users */
            for (size_t row = 0; row < rs_eval_result_count(whole); row++)
                assert_merge_equals(shards, (size_t)counts[c], whole, row);
            for (int64_t s = 0; s < counts[c]; s++)
                rs_eval_free(shards[s]);
        }
        rs_eval_free(whole);
    }
    rs_events_free(ev);
}
END_TEST

/* The non-additive fields of a shard are not those of the whole run: the
 * merge is doing the work, not a coincidence of equal shards. */
START_TEST(shard_fields_differ_from_whole)
{
    rs_events *ev = make_events();
    size_t n_items;
    rs_eval *whole = run_all(ev, RS_EVAL_WARM, 0, 1, &n_items);
    rs_eval *half = run_all(ev, RS_EVAL_WARM, 0, 2, &n_items);
    double a, b;
    ck_assert_ok(rs_eval_result(whole, 3, RS_EVAL_GINI, &a));
    ck_assert_ok(rs_eval_result(half, 3, RS_EVAL_GINI, &b));
    ck_assert_double_ne(a, b);
    ck_assert_ok(rs_eval_result(whole, 3, RS_EVAL_NOVELTY, &a));
    ck_assert_ok(rs_eval_result(half, 3, RS_EVAL_NOVELTY, &b));
    ck_assert_double_ne(a, b);
    rs_eval_free(whole);
    rs_eval_free(half);
    rs_events_free(ev);
}
END_TEST

START_TEST(model_evaluate_shard_merges_bitwise)
{
    rs_model *m = fixture_model("shards", 1, 1);
    rs_eval *whole = NULL, *shards[5];
    ck_assert_ok(rs_model_set_int(m, "eval.k", 2));
    ck_assert_ok(rs_model_evaluate(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 3,
                                   RS_MODEL_EVAL_BASELINES, &whole));
    /* 4 warm users: 3 shards of 1, 1 and 2 users; 5 shards leave one empty */
    for (size_t n = 3; n <= 5; n += 2) {
        for (size_t s = 0; s < n; s++)
            ck_assert_ok(rs_model_evaluate_shard(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 3,
                                                 RS_MODEL_EVAL_BASELINES, s, n, &shards[s]));
        ck_assert_uint_eq(rs_eval_result_count(shards[0]), rs_eval_result_count(whole));
        for (size_t row = 0; row < rs_eval_result_count(whole); row++) {
            ck_assert_str_eq(rs_eval_result_name(shards[n - 1], row),
                             rs_eval_result_name(whole, row));
            assert_merge_equals(shards, n, whole, row);
        }
        for (size_t s = 0; s < n; s++)
            rs_eval_free(shards[s]);
    }
    ck_assert_status(rs_model_evaluate_shard(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 3, 0, 2, 2,
                                             &shards[0]),
                     RS_ERR_RANGE);
    ck_assert_ptr_null(shards[0]);
    ck_assert_status(rs_model_evaluate_shard(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 3, 0, 0, 0,
                                             &shards[0]),
                     RS_ERR_RANGE);
    ck_assert_status(rs_model_evaluate_shard(m, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 3, 0, 0,
                                             65537, &shards[0]),
                     RS_ERR_RANGE);
    ck_assert_status(rs_model_evaluate_shard(NULL, RS_MODEL_SPLIT_TEMPORAL, FIXTURE_CUT, 3, 0, 0,
                                             1, &shards[0]),
                     RS_ERR_INVALID);
    rs_eval_free(whole);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

START_TEST(bad_parts)
{
    rs_events *ev = make_events();
    size_t n_items, lens[3], len;
    rs_eval *a = run_all(ev, RS_EVAL_WARM, 0, 2, &n_items);
    rs_eval *b = run_all(ev, RS_EVAL_WARM, 1, 2, &n_items);
    rs_eval *c = run_all(ev, RS_EVAL_WARM, 1, 3, &n_items);
    const void *parts[3];
    unsigned char *bad;
    double f[RS_EVAL_FIELD_COUNT];
    int64_t v;
    parts[0] = part_of(a, 0, &lens[0]);
    parts[1] = part_of(b, 0, &lens[1]);
    parts[2] = part_of(c, 0, &lens[2]);
    /* options */
    ck_assert_status(rs_eval_set_int(a, RS_EVAL_SHARDS, 0), RS_ERR_RANGE);
    ck_assert_status(rs_eval_set_int(a, RS_EVAL_SHARDS, 65537), RS_ERR_RANGE);
    ck_assert_status(rs_eval_set_int(a, RS_EVAL_SHARD, -1), RS_ERR_RANGE);
    ck_assert_ok(rs_eval_get_int(a, RS_EVAL_SHARDS, &v));
    ck_assert_int_eq(v, 2);
    ck_assert_ok(rs_eval_set_int(a, RS_EVAL_SHARD, 2)); /* checked at the run */
    ck_assert_status(rs_eval_run_baseline(a, RS_BASELINE_RANDOM, 0, NULL), RS_ERR_RANGE);
    ck_assert_uint_eq(rs_eval_result_count(a), 4);
    /* the part call */
    ck_assert_status(rs_eval_result_part(a, 0, NULL, 0, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_eval_result_part(a, 0, NULL, 5, &len), RS_ERR_INVALID);
    ck_assert_status(rs_eval_result_part(NULL, 0, NULL, 0, &len), RS_ERR_INVALID);
    ck_assert_status(rs_eval_result_part(a, 99, NULL, 0, &len), RS_ERR_NOTFOUND);
    /* the merge: arguments */
    ck_assert_ok(rs_eval_merge_parts(parts, lens, 2, f, 3)); /* fewer fields is fine */
    ck_assert_status(rs_eval_merge_parts(NULL, lens, 2, f, RS_EVAL_FIELD_COUNT),
                     RS_ERR_INVALID);
    ck_assert_status(rs_eval_merge_parts(parts, lens, 0, f, RS_EVAL_FIELD_COUNT),
                     RS_ERR_INVALID);
    ck_assert_status(rs_eval_merge_parts(parts, lens, 2, f, 0), RS_ERR_INVALID);
    /* a shard missing, a shard twice, a part of another run */
    ck_assert_status(rs_eval_merge_parts(parts, lens, 1, f, RS_EVAL_FIELD_COUNT),
                     RS_ERR_STATE);
    {
        const void *twice[2] = {parts[0], parts[0]};
        size_t twice_lens[2] = {lens[0], lens[0]};
        ck_assert_status(rs_eval_merge_parts(twice, twice_lens, 2, f, RS_EVAL_FIELD_COUNT),
                         RS_ERR_STATE);
    }
    ck_assert_status(rs_eval_merge_parts((const void *[]){parts[0], parts[2]},
                                         (size_t[]){lens[0], lens[2]}, 2, f,
                                         RS_EVAL_FIELD_COUNT),
                     RS_ERR_STATE);
    {
        /* another row (another name) of the same shards */
        size_t l;
        void *other = part_of(b, 1, &l);
        ck_assert_status(rs_eval_merge_parts((const void *[]){parts[0], other},
                                             (size_t[]){lens[0], l}, 2, f,
                                             RS_EVAL_FIELD_COUNT),
                         RS_ERR_STATE);
        free(other);
    }
    /* damaged: every truncation, a flipped magic, a byte past the end, a
     * count out of range, a list item outside the catalogue */
    bad = malloc(lens[1] + 1);
    ck_assert_ptr_nonnull(bad);
    for (size_t cut = 0; cut < lens[1]; cut += 1 + cut / 8) {
        memcpy(bad, parts[1], cut);
        ck_assert_status(rs_eval_merge_parts((const void *[]){parts[0], bad},
                                             (size_t[]){lens[0], cut}, 2, f,
                                             RS_EVAL_FIELD_COUNT),
                         RS_ERR_CORRUPT);
    }
    memcpy(bad, parts[1], lens[1]);
    bad[lens[1]] = 0;
    ck_assert_status(rs_eval_merge_parts((const void *[]){parts[0], bad},
                                         (size_t[]){lens[0], lens[1] + 1}, 2, f,
                                         RS_EVAL_FIELD_COUNT),
                     RS_ERR_CORRUPT);
    bad[0] ^= 1;
    ck_assert_status(rs_eval_merge_parts((const void *[]){parts[0], bad},
                                         (size_t[]){lens[0], lens[1]}, 2, f,
                                         RS_EVAL_FIELD_COUNT),
                     RS_ERR_CORRUPT);
    bad[0] ^= 1;
    bad[8] = 99; /* a newer version */
    ck_assert_status(rs_eval_merge_parts((const void *[]){parts[0], bad},
                                         (size_t[]){lens[0], lens[1]}, 2, f,
                                         RS_EVAL_FIELD_COUNT),
                     RS_ERR_VERSION);
    bad[8] = 1;
    {
        uint64_t huge = UINT64_MAX / 2; /* n_users: sizes that overflow */
        unsigned char keep[8];
        memcpy(keep, bad + 20 + 7 * 8, 8);
        memcpy(bad + 20 + 7 * 8, &huge, 8);
        ck_assert_status(rs_eval_merge_parts((const void *[]){parts[0], bad},
                                             (size_t[]){lens[0], lens[1]}, 2, f,
                                             RS_EVAL_FIELD_COUNT),
                         RS_ERR_CORRUPT);
        memcpy(bad + 20 + 7 * 8, keep, 8);
    }
    {
        uint32_t item = (uint32_t)n_items + 5; /* the last list entry */
        memcpy(bad + lens[1] - 4, &item, 4);
        ck_assert_status(rs_eval_merge_parts((const void *[]){parts[0], bad},
                                             (size_t[]){lens[0], lens[1]}, 2, f,
                                             RS_EVAL_FIELD_COUNT),
                         RS_ERR_CORRUPT);
    }
    /* the users of shard 0 after those of shard 1: swap the shard numbers */
    {
        unsigned char *a0 = malloc(lens[0]);
        uint64_t zero = 0, one = 1;
        ck_assert_ptr_nonnull(a0);
        memcpy(a0, parts[0], lens[0]);
        memcpy(bad, parts[1], lens[1]);
        memcpy(a0 + 20 + 4 * 8, &one, 8);
        memcpy(bad + 20 + 4 * 8, &zero, 8);
        ck_assert_status(rs_eval_merge_parts((const void *[]){a0, bad},
                                             (size_t[]){lens[0], lens[1]}, 2, f,
                                             RS_EVAL_FIELD_COUNT),
                         RS_ERR_CORRUPT);
        free(a0);
    }
    ck_assert_ok(rs_eval_merge_parts(parts, lens, 2, f, RS_EVAL_FIELD_COUNT));
    free(bad);
    for (int i = 0; i < 3; i++)
        free((void *)parts[i]);
    rs_eval_free(a);
    rs_eval_free(b);
    rs_eval_free(c);
    rs_events_free(ev);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("eval_parts");
    TCase *tc = tcase_create("parts");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, runner_shards_merge_bitwise);
    tcase_add_test(tc, shard_fields_differ_from_whole);
    tcase_add_test(tc, model_evaluate_shard_merges_bitwise);
    tcase_add_test(tc, bad_parts);
    suite_add_tcase(s, tc);
    return s;
}
