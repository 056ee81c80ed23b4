/*
 * test_sim_parts.c - simulation sharded by users: the shards of every
 * policy (rs_model_sim_shard_begin, rs_sim_shard_step), their parts merged
 * step by step (rs_sim_merge_step) give rs_model_simulate's trace bit for
 * bit at 1, 2, 3 and 7 shards, with empty shards, at 1 and 2 threads, with
 * the popularity the shards exchange weighing in the answers (strong
 * conformity changes the clicks); bad parts and merged bytes (truncated,
 * damaged, foreign, another step, repeated or missing shards, other
 * options) are refused without changing anything; NULL and out-of-range
 * arguments.
 */
#include "evalsim_fixture.h"

#include <stdlib.h>

static const char *const all_policies[] = {"scorer", "popular", "random"};

#define MAX_TEST_SHARDS 8

/* The shards of one policy's run, begun and stepped together. */
struct run {
    rs_sim_shard *shard[MAX_TEST_SHARDS];
    const void *part[MAX_TEST_SHARDS];
    size_t len[MAX_TEST_SHARDS];
    size_t n;
};

static void run_begin(struct run *r, const rs_model *m, const char *policy, size_t users,
                      size_t slate, uint64_t seed, size_t n)
{
    memset(r, 0, sizeof *r);
    r->n = n;
    for (size_t i = 0; i < n; i++)
        ck_assert_ok(rs_model_sim_shard_begin(m, policy, users, slate, seed, i, n, &r->shard[i]));
}

/* Every shard's next step from merged (NULL at step 0). */
static void run_step(struct run *r, const void *merged, size_t merged_len)
{
    for (size_t i = 0; i < r->n; i++)
        ck_assert_ok(rs_sim_shard_step(r->shard[i], merged, merged_len, &r->part[i], &r->len[i]));
}

static void run_free(struct run *r)
{
    for (size_t i = 0; i < r->n; i++)
        rs_sim_shard_free(r->shard[i]);
}

/* Merge the parts of every step, given in reverse shard order (the merge
 * puts them back). */
static void run_merge_step(struct run *r, rs_sim_merge *mg, size_t policy, const void **merged,
                           size_t *merged_len)
{
    const void *parts[MAX_TEST_SHARDS];
    size_t lens[MAX_TEST_SHARDS];
    for (size_t i = 0; i < r->n; i++) {
        parts[i] = r->part[r->n - 1 - i];
        lens[i] = r->len[r->n - 1 - i];
    }
    ck_assert_ok(rs_sim_merge_step(mg, policy, parts, lens, r->n, merged, merged_len));
}

/* rs_model_simulate's arguments run in n shards per policy and merged. */
static rs_sim_trace *sharded(const rs_model *m, const char *const *policies, size_t n_policies,
                             size_t users, uint64_t steps, size_t slate, uint64_t seed,
                             size_t n)
{
    rs_sim_merge *mg = NULL;
    rs_sim_trace *t = NULL;
    ck_assert_ok(rs_sim_merge_create(policies, n_policies, steps, &mg));
    for (size_t p = 0; p < n_policies; p++) {
        struct run r;
        const void *merged = NULL;
        size_t merged_len = 0;
        run_begin(&r, m, policies[p], users, slate, seed, n);
        for (uint64_t s = 0; s < steps; s++) {
            run_step(&r, merged, merged_len);
            run_merge_step(&r, mg, p, &merged, &merged_len);
        }
        run_free(&r);
    }
    ck_assert_ok(rs_sim_merge_trace(mg, &t));
    rs_sim_merge_free(mg);
    return t;
}

START_TEST(shards_equal_whole_run)
{
    rs_model *m = fixture_model("simparts", 1, 1);
    static const size_t shard_counts[] = {1, 2, 3, 7};
    /* 40 users (4 mirrored), 5 users (more shards than users: empty
     * shards), 0 (one per user of the model) */
    static const size_t user_counts[] = {40, 5, 0};
    for (size_t u = 0; u < 3; u++) {
        rs_sim_trace *whole = NULL;
        ck_assert_ok(rs_model_simulate(m, all_policies, 3, user_counts[u], 7, 2, 11, &whole));
        for (size_t c = 0; c < 4; c++) {
            rs_sim_trace *merged = sharded(m, all_policies, 3, user_counts[u], 7, 2, 11,
                                           shard_counts[c]);
            assert_same_trace(whole, merged);
            for (size_t p = 0; p < 3; p++) {
                ck_assert_str_eq(rs_sim_trace_policy_name(merged, p), all_policies[p]);
                ck_assert(rs_sim_trace_seconds(merged, p) >= 0);
            }
            rs_sim_trace_free(merged);
        }
        rs_sim_trace_free(whole);
    }
    rs_model_close(m);
    fixture_remove();
}
END_TEST

/* The same bits at any thread count, and with a livelier response model
 * (strong conformity: the exchanged popularity weighs in every draw). */
START_TEST(threads_and_options)
{
    rs_model *m = fixture_model("simpartsopt", 1, 0);
    rs_sim_trace *whole = NULL, *merged = NULL;
    int threads = rs_get_num_threads();
    ck_assert_ok(rs_model_set_double(m, "sim.conformity_weight", 8));
    ck_assert_ok(rs_model_set_double(m, "sim.leave_hazard", 0.3));
    rs_set_num_threads(1);
    ck_assert_ok(rs_model_simulate(m, all_policies, 3, 60, 9, 3, 4, &whole));
    rs_set_num_threads(2);
    merged = sharded(m, all_policies, 3, 60, 9, 3, 4, 3);
    rs_set_num_threads(threads);
    assert_same_trace(whole, merged);
    rs_sim_trace_free(whole);
    rs_sim_trace_free(merged);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

/* The popularity the shards exchange is live in these runs: with strong
 * conformity the clicks differ from a run without it (else the equality
 * above would not show that the exchange is right), and the sharded run
 * still equals the whole. */
START_TEST(exchange_matters)
{
    rs_model *m = fixture_model("simpartsx", 1, 0);
    const char *popular[] = {"popular"};
    rs_sim_trace *coupled = NULL, *flat = NULL, *merged = NULL;
    int differs = 0;
    ck_assert_ok(rs_model_set_double(m, "sim.conformity_weight", 20));
    ck_assert_ok(rs_model_simulate(m, popular, 1, 60, 8, 2, 3, &coupled));
    merged = sharded(m, popular, 1, 60, 8, 2, 3, 2);
    assert_same_trace(coupled, merged);
    ck_assert_ok(rs_model_set_double(m, "sim.conformity_weight", 0));
    ck_assert_ok(rs_model_simulate(m, popular, 1, 60, 8, 2, 3, &flat));
    for (uint64_t s = 0; s < 8; s++) {
        double a, b;
        ck_assert_ok(rs_sim_trace_value(coupled, 0, s, RS_SIM_STAT_CLICKS, &a));
        ck_assert_ok(rs_sim_trace_value(flat, 0, s, RS_SIM_STAT_CLICKS, &b));
        differs |= a != b;
    }
    ck_assert_msg(differs, "the popularity changes no click: the test shows nothing");
    rs_sim_trace_free(coupled);
    rs_sim_trace_free(flat);
    rs_sim_trace_free(merged);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

/* A copy of bytes to damage. */
static unsigned char *copy_of(const void *data, size_t len)
{
    unsigned char *c = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(c);
    memcpy(c, data, len);
    return c;
}

/* Merging parts (n of them) fails with want and changes nothing. */
static void merge_refused(rs_sim_merge *mg, size_t policy, const void *const *parts,
                          const size_t *lens, size_t n, int want)
{
    const void *merged = (const void *)1;
    ck_assert_int_eq(rs_sim_merge_step(mg, policy, parts, lens, n, &merged, NULL), want);
    ck_assert_ptr_eq(merged, (const void *)1);
    ck_assert_int_eq(rs_errcode(), want);
}

START_TEST(bad_parts)
{
    rs_model *m = fixture_model("simpartsbad", 1, 0);
    const char *pair[] = {"random", "popular"};
    rs_sim_trace *whole = NULL, *t = NULL;
    rs_sim_merge *mg = NULL;
    struct run r, other;
    const void *merged = NULL, *parts[3];
    size_t merged_len = 0, lens[3];
    unsigned char *bad;
    ck_assert_ok(rs_model_simulate(m, pair, 2, 20, 3, 2, 5, &whole));
    ck_assert_ok(rs_sim_merge_create(pair, 2, 3, &mg));
    run_begin(&r, m, "random", 20, 2, 5, 2);
    run_begin(&other, m, "random", 20, 2, 6, 2); /* another seed: another run */
    run_step(&r, NULL, 0);
    run_step(&other, NULL, 0);
    parts[0] = r.part[0], lens[0] = r.len[0];
    parts[1] = r.part[1], lens[1] = r.len[1];
    /* truncated, one byte past the end, not a part, another byte order,
     * a newer format */
    bad = copy_of(r.part[1], r.len[1]);
    parts[1] = bad;
    lens[1] = r.len[1] - 1;
    merge_refused(mg, 0, parts, lens, 2, RS_ERR_CORRUPT);
    lens[1] = 40;
    merge_refused(mg, 0, parts, lens, 2, RS_ERR_CORRUPT);
    lens[1] = 0;
    merge_refused(mg, 0, parts, lens, 2, RS_ERR_CORRUPT);
    lens[1] = r.len[1];
    bad[0] = 'X';
    merge_refused(mg, 0, parts, lens, 2, RS_ERR_CORRUPT);
    bad[0] = ((const unsigned char *)r.part[1])[0];
    uint32_t v = 0x04030201;
    memcpy(bad + 12, &v, 4);
    merge_refused(mg, 0, parts, lens, 2, RS_ERR_CORRUPT);
    memcpy(bad + 12, (const unsigned char *)r.part[1] + 12, 4);
    v = 99;
    memcpy(bad + 8, &v, 4);
    merge_refused(mg, 0, parts, lens, 2, RS_ERR_VERSION);
    memcpy(bad + 8, (const unsigned char *)r.part[1] + 8, 4);
    /* a damaged count: the step's clicks no longer add up (the header's
     * clicks, the 12th of its u64s after the 16-byte start) */
    uint64_t clicks;
    memcpy(&clicks, bad + 16 + 11 * 8, 8);
    clicks++;
    memcpy(bad + 16 + 11 * 8, &clicks, 8);
    merge_refused(mg, 0, parts, lens, 2, RS_ERR_CORRUPT);
    free(bad);
    parts[1] = r.part[1];
    /* a shard twice, one part short, a part of another run, of another policy */
    parts[1] = r.part[0], lens[1] = r.len[0];
    merge_refused(mg, 0, parts, lens, 2, RS_ERR_STATE);
    merge_refused(mg, 0, parts, lens, 1, RS_ERR_STATE);
    parts[1] = other.part[1], lens[1] = other.len[1];
    merge_refused(mg, 0, parts, lens, 2, RS_ERR_STATE);
    parts[1] = r.part[1], lens[1] = r.len[1];
    merge_refused(mg, 1, parts, lens, 2, RS_ERR_STATE); /* random's parts as popular's */
    /* bad arguments */
    ck_assert_int_eq(rs_sim_merge_step(NULL, 0, parts, lens, 2, NULL, NULL), RS_ERR_INVALID);
    ck_assert_int_eq(rs_sim_merge_step(mg, 0, NULL, lens, 2, NULL, NULL), RS_ERR_INVALID);
    ck_assert_int_eq(rs_sim_merge_step(mg, 0, parts, NULL, 2, NULL, NULL), RS_ERR_INVALID);
    ck_assert_int_eq(rs_sim_merge_step(mg, 0, parts, lens, 0, NULL, NULL), RS_ERR_INVALID);
    ck_assert_int_eq(rs_sim_merge_step(mg, 2, parts, lens, 2, NULL, NULL), RS_ERR_RANGE);
    parts[1] = NULL;
    merge_refused(mg, 0, parts, lens, 2, RS_ERR_INVALID); /* a NULL part */
    parts[1] = r.part[1];
    parts[2] = r.part[1], lens[2] = r.len[1];
    merge_refused(mg, 0, parts, lens, 3, RS_ERR_STATE); /* more parts than shards */
    /* the trace is not complete yet */
    ck_assert_int_eq(rs_sim_merge_trace(mg, &t), RS_ERR_STATE);
    ck_assert_ptr_null(t);
    /* nothing changed: the right parts still merge into the whole run */
    ck_assert_ok(rs_sim_merge_step(mg, 0, parts, lens, 2, &merged, &merged_len));
    /* merged bytes: none after step 0, damaged, of another run or step */
    const void *part = (const void *)1;
    size_t len = 1;
    ck_assert_int_eq(rs_sim_shard_step(r.shard[0], NULL, 0, &part, &len), RS_ERR_INVALID);
    ck_assert_ptr_null(part);
    ck_assert_uint_eq(len, 0);
    bad = copy_of(merged, merged_len);
    ck_assert_int_eq(rs_sim_shard_step(r.shard[0], bad, merged_len - 1, &part, &len),
                     RS_ERR_CORRUPT);
    ck_assert_int_eq(rs_sim_shard_step(r.shard[0], bad, merged_len + 0, NULL, &len),
                     RS_ERR_INVALID);
    bad[3] ^= 1;
    ck_assert_int_eq(rs_sim_shard_step(r.shard[0], bad, merged_len, &part, &len),
                     RS_ERR_CORRUPT);
    free(bad);
    ck_assert_int_eq(rs_sim_shard_step(other.shard[0], merged, merged_len, &part, &len),
                     RS_ERR_STATE);
    ck_assert_int_eq(rs_sim_shard_step(NULL, merged, merged_len, &part, &len), RS_ERR_INVALID);
    {
        /* merged bytes at step 0 */
        rs_sim_shard *fresh = NULL;
        ck_assert_ok(rs_model_sim_shard_begin(m, "random", 20, 2, 5, 0, 2, &fresh));
        ck_assert_int_eq(rs_sim_shard_step(fresh, merged, merged_len, &part, &len),
                         RS_ERR_STATE);
        rs_sim_shard_free(fresh);
    }
    /* the refused merged bytes changed nothing: the run goes on exactly */
    for (int s = 1; s < 3; s++) {
        run_step(&r, merged, merged_len);
        if (s == 2) { /* step 1's merged bytes again: another step */
            ck_assert_int_eq(rs_sim_shard_step(r.shard[0], merged, merged_len, &part, &len),
                             RS_ERR_STATE);
        }
        run_merge_step(&r, mg, 0, &merged, &merged_len);
    }
    ck_assert_int_eq(rs_sim_merge_step(mg, 0, r.part, r.len, 2, NULL, NULL), RS_ERR_STATE);
    run_free(&r);
    run_free(&other);
    /* popular's run, then the trace */
    run_begin(&r, m, "popular", 20, 2, 5, 2);
    merged = NULL, merged_len = 0;
    for (int s = 0; s < 3; s++) {
        run_step(&r, merged, merged_len);
        run_merge_step(&r, mg, 1, &merged, &merged_len);
    }
    run_free(&r);
    ck_assert_int_eq(rs_sim_merge_trace(NULL, &t), RS_ERR_INVALID);
    ck_assert_int_eq(rs_sim_merge_trace(mg, NULL), RS_ERR_INVALID);
    ck_assert_ok(rs_sim_merge_trace(mg, &t));
    assert_same_trace(whole, t);
    rs_sim_trace *again = NULL;
    ck_assert_int_eq(rs_sim_merge_trace(mg, &again), RS_ERR_STATE); /* given away */
    ck_assert_ptr_null(again);
    ck_assert_int_eq(rs_sim_merge_step(mg, 0, parts, lens, 2, NULL, NULL), RS_ERR_STATE);
    rs_sim_trace_free(t);
    rs_sim_trace_free(whole);
    rs_sim_merge_free(mg);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

/* Shards begun with other simulator options are not one run. */
START_TEST(other_options_refused)
{
    rs_model *m = fixture_model("simpartsother", 1, 0);
    const char *random[] = {"random"};
    rs_sim_shard *a = NULL, *b = NULL;
    rs_sim_merge *mg = NULL;
    const void *parts[2];
    size_t lens[2];
    ck_assert_ok(rs_model_sim_shard_begin(m, "random", 10, 2, 1, 0, 2, &a));
    ck_assert_ok(rs_model_set_double(m, "sim.drift", 0.5));
    ck_assert_ok(rs_model_sim_shard_begin(m, "random", 10, 2, 1, 1, 2, &b));
    ck_assert_ok(rs_sim_shard_step(a, NULL, 0, &parts[0], &lens[0]));
    ck_assert_ok(rs_sim_shard_step(b, NULL, 0, &parts[1], &lens[1]));
    ck_assert_ok(rs_sim_merge_create(random, 1, 2, &mg));
    merge_refused(mg, 0, parts, lens, 2, RS_ERR_STATE);
    rs_sim_merge_free(mg);
    rs_sim_shard_free(a);
    rs_sim_shard_free(b);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

START_TEST(bad_arguments)
{
    rs_model *m = fixture_model("simpartsargs", 1, 0);
    rs_model *unbuilt = NULL;
    rs_sim_shard *sh = (rs_sim_shard *)1;
    rs_sim_merge *mg = (rs_sim_merge *)1;
    const char *unknown[] = {"oracle"}, *none[] = {NULL}, *ok[] = {"scorer"};
    ck_assert_int_eq(rs_model_sim_shard_begin(NULL, "scorer", 5, 2, 1, 0, 1, &sh),
                     RS_ERR_INVALID);
    ck_assert_ptr_null(sh);
    ck_assert_int_eq(rs_model_sim_shard_begin(m, NULL, 5, 2, 1, 0, 1, &sh), RS_ERR_INVALID);
    ck_assert_int_eq(rs_model_sim_shard_begin(m, "scorer", 5, 2, 1, 0, 1, NULL),
                     RS_ERR_INVALID);
    ck_assert_int_eq(rs_model_sim_shard_begin(m, "oracle", 5, 2, 1, 0, 1, &sh),
                     RS_ERR_NOTFOUND);
    ck_assert_int_eq(rs_model_sim_shard_begin(m, "scorer", 5, 2, 1, 2, 2, &sh), RS_ERR_RANGE);
    ck_assert_int_eq(rs_model_sim_shard_begin(m, "scorer", 5, 2, 1, 0, 0, &sh), RS_ERR_RANGE);
    ck_assert_int_eq(rs_model_sim_shard_begin(m, "scorer", 5, 2, 1, 0, 65537, &sh),
                     RS_ERR_RANGE);
    ck_assert_int_eq(rs_model_sim_shard_begin(m, "scorer", 5, 0, 1, 0, 1, &sh), RS_ERR_RANGE);
    ck_assert_int_eq(rs_model_sim_shard_begin(m, "scorer", 5, 99, 1, 0, 1, &sh), RS_ERR_RANGE);
    ck_assert_int_eq(rs_model_sim_shard_begin(m, "scorer", (size_t)1 << 40, 2, 1, 0, 1, &sh),
                     RS_ERR_RANGE);
    ck_assert_ok(rs_model_open(":memory:", RS_MODEL_CREATE, &unbuilt));
    ck_assert_int_eq(rs_model_sim_shard_begin(unbuilt, "scorer", 5, 2, 1, 0, 1, &sh),
                     RS_ERR_STATE);
    rs_model_close(unbuilt);
    ck_assert_int_eq(rs_sim_merge_create(NULL, 1, 2, &mg), RS_ERR_INVALID);
    ck_assert_ptr_null(mg);
    ck_assert_int_eq(rs_sim_merge_create(ok, 1, 2, NULL), RS_ERR_INVALID);
    ck_assert_int_eq(rs_sim_merge_create(ok, 0, 2, &mg), RS_ERR_RANGE);
    ck_assert_int_eq(rs_sim_merge_create(ok, 65, 2, &mg), RS_ERR_RANGE);
    ck_assert_int_eq(rs_sim_merge_create(ok, 1, 0, &mg), RS_ERR_RANGE);
    ck_assert_int_eq(rs_sim_merge_create(ok, 1, 10000001, &mg), RS_ERR_RANGE);
    ck_assert_int_eq(rs_sim_merge_create(unknown, 1, 2, &mg), RS_ERR_NOTFOUND);
    ck_assert_int_eq(rs_sim_merge_create(none, 1, 2, &mg), RS_ERR_INVALID);
    rs_sim_shard_free(NULL);
    rs_sim_merge_free(NULL);
    rs_model_close(m);
    fixture_remove();
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("sim_parts");
    TCase *tc = tcase_create("sharded");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, shards_equal_whole_run);
    tcase_add_test(tc, threads_and_options);
    tcase_add_test(tc, exchange_matters);
    tcase_add_test(tc, bad_parts);
    tcase_add_test(tc, other_options_refused);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}
