/*
 * test_sim_run.c - the simulation loop: reproducibility across runs and
 * thread counts, common random numbers, snapshots, metrics, interest drift,
 * fatigue, leaving and returning, callbacks and bad input.
 */
#include "sim_fixture.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void *snap(const rs_sim *s, size_t *len)
{
    ck_assert_status(rs_sim_snapshot(s, NULL, 0, len), RS_ERR_BUFFER);
    void *b = malloc(*len);
    ck_assert_ok(rs_sim_snapshot(s, b, *len, len));
    return b;
}

/* Run 1000 users for 12 steps with the given thread count; return the trace. */
static char *run_with_threads(int threads, size_t *len, void **state, size_t *state_len)
{
    char path[] = "/tmp/rs_sim_traceXXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_ok(rs_set_num_threads(threads));
    rs_sim *s = fx_sim(1000, 99);
    uint64_t salt = 5;
    ck_assert_ok(rs_sim_run(s, fx_random_policy, &salt, NULL, NULL, 12, 10, path));
    char *t = read_all(path, len);
    *state = snap(s, state_len);
    unlink(path);
    rs_sim_free(s);
    return t;
}

START_TEST(identical_across_runs_and_threads)
{
    size_t l1, l2, l3, s1, s2, s3;
    void *st1, *st2, *st3;
    char *a = run_with_threads(1, &l1, &st1, &s1);
    char *b = run_with_threads(2, &l2, &st2, &s2);
    char *c = run_with_threads(2, &l3, &st3, &s3);
    ck_assert_uint_eq(l1, l2);
    ck_assert_mem_eq(a, b, l1);
    ck_assert_uint_eq(l1, l3);
    ck_assert_mem_eq(a, c, l1);
    ck_assert_uint_eq(s1, s2);
    ck_assert_mem_eq(st1, st2, s1);
    ck_assert_mem_eq(st1, st3, s1);
    /* 12 rows and a header */
    size_t lines = 0;
    for (size_t i = 0; i < l1; i++)
        lines += a[i] == '\n';
    ck_assert_uint_eq(lines, 13);
    ck_assert(strncmp(a, "step,active,clicks,purchases,ctr,", 33) == 0);
    free(a), free(b), free(c), free(st1), free(st2), free(st3);
    rs_set_num_threads(0);
}
END_TEST

/* "Good" policy: the 10 best of 30 random candidates by the user's true
 * utility (an oracle); "base": the first 10 candidates. */
typedef struct pol {
    rs_sim *sim;
    uint64_t salt;
    int oracle;
} pol;

static int cand_policy(void *ctx, uint32_t user, uint64_t step, size_t k, uint32_t *out)
{
    pol *p = ctx;
    uint32_t cand[30];
    double u[30];
    fx_random_policy(&p->salt, user, step, 30, cand);
    if (!p->oracle) {
        memcpy(out, cand, k * sizeof *out);
        return 0;
    }
    if (rs_sim_utilities(p->sim, user, cand, 30, u) != RS_OK)
        return 1;
    for (size_t j = 0; j < k; j++) {
        size_t best = j;
        for (size_t i = j + 1; i < 30; i++)
            if (u[i] > u[best])
                best = i;
        double tu = u[j];
        uint32_t tc = cand[j];
        u[j] = u[best], cand[j] = cand[best];
        u[best] = tu, cand[best] = tc;
        out[j] = cand[j];
    }
    return 0;
}

static double reward_of(uint64_t seed, uint64_t policy_salt, int oracle)
{
    rs_sim *s = fx_sim(200, seed);
    pol p = {s, policy_salt, oracle};
    ck_assert_ok(rs_sim_run(s, cand_policy, &p, NULL, NULL, 10, 10, NULL));
    double r;
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_REWARD, &r));
    rs_sim_free(s);
    return r;
}

START_TEST(common_random_numbers_reduce_variance)
{
    enum { R = 24 };
    double crn[R], ind[R], mc = 0, mi = 0;
    for (int r = 0; r < R; r++) {
        /* same seed (population and draws) and same candidates for both */
        crn[r] = reward_of(100 + r, r, 1) - reward_of(100 + r, r, 0);
        /* independent seeds for the two arms */
        ind[r] = reward_of(100 + r, r, 1) - reward_of(5000 + r, 1000 + r, 0);
        mc += crn[r] / R;
        mi += ind[r] / R;
    }
    double vc = 0, vi = 0;
    for (int r = 0; r < R; r++) {
        vc += (crn[r] - mc) * (crn[r] - mc) / (R - 1);
        vi += (ind[r] - mi) * (ind[r] - mi) / (R - 1);
    }
    ck_assert_msg(mc > 0, "the oracle should win: mean difference %g", mc);
    ck_assert_msg(vc < 0.5 * vi, "CRN variance %g vs independent %g", vc, vi);
}
END_TEST

START_TEST(snapshot_restore)
{
    rs_sim *s = fx_sim(300, 4);
    uint64_t salt = 3;
    ck_assert_ok(rs_sim_run(s, fx_random_policy, &salt, NULL, NULL, 5, 8, NULL));
    size_t len, la, lb;
    void *b = snap(s, &len);
    ck_assert_ok(rs_sim_run(s, fx_random_policy, &salt, NULL, NULL, 5, 8, NULL));
    void *after1 = snap(s, &la);
    double ctr1;
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_CTR, &ctr1));
    /* restore into a fresh simulator of the same shape and replay */
    rs_sim *t = fx_sim(300, 4);
    ck_assert_ok(rs_sim_restore(t, b, len));
    ck_assert_ok(rs_sim_run(t, fx_random_policy, &salt, NULL, NULL, 5, 8, NULL));
    void *after2 = snap(t, &lb);
    ck_assert_uint_eq(la, lb);
    ck_assert_mem_eq(after1, after2, la);
    double ctr2;
    ck_assert_ok(rs_sim_stat(t, RS_SIM_STAT_CTR, &ctr2));
    ck_assert_double_eq(ctr1, ctr2);
    /* bad snapshots leave the simulator unchanged */
    rs_sim *other = fx_sim(301, 4);
    ck_assert_status(rs_sim_restore(other, b, len), RS_ERR_CORRUPT);
    ck_assert_status(rs_sim_restore(t, b, len - 1), RS_ERR_CORRUPT);
    ck_assert_status(rs_sim_restore(t, b, 10), RS_ERR_CORRUPT);
    ((unsigned char *)b)[0] ^= 0xff;
    ck_assert_status(rs_sim_restore(t, b, len), RS_ERR_CORRUPT);
    ck_assert_status(rs_sim_restore(t, NULL, len), RS_ERR_INVALID);
    void *again = snap(t, &lb);
    ck_assert_mem_eq(after2, again, lb);
    char small[8];
    size_t need = 0;
    ck_assert_status(rs_sim_snapshot(t, small, sizeof small, &need), RS_ERR_BUFFER);
    ck_assert_uint_eq(need, len);
    free(b), free(after1), free(after2), free(again);
    rs_sim_free(s), rs_sim_free(t), rs_sim_free(other);
}
END_TEST

typedef struct counts {
    uint64_t clicks, purchases, leaves, calls, bad_rating;
    int fail_at;
} counts;

static int count_feedback(void *ctx, uint32_t user, uint64_t step, const uint32_t *slate,
                          size_t k, int position, int behaviour, int rating, int left)
{
    (void)user, (void)step, (void)slate;
    counts *c = ctx;
    c->calls++;
    if (position >= (int)k || position < -1)
        c->bad_rating++;
    if (position >= 0) {
        c->clicks++;
        c->bad_rating += rating < 1 || rating > 5;
    } else {
        c->bad_rating += rating != 0 || behaviour != RS_SIM_SKIP;
    }
    c->purchases += behaviour == RS_SIM_PURCHASE;
    c->leaves += left != 0;
    return c->fail_at && c->calls == (uint64_t)c->fail_at;
}

START_TEST(metrics_and_feedback_agree)
{
    rs_sim *s = fx_sim(400, 8);
    counts c = {0};
    uint64_t salt = 1;
    ck_assert_ok(rs_sim_run(s, fx_random_policy, &salt, count_feedback, &c, 20, 6, NULL));
    double v;
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_IMPRESSIONS, &v));
    ck_assert_double_eq(v, (double)c.calls);
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_CLICKS, &v));
    ck_assert_double_eq(v, (double)c.clicks);
    ck_assert(c.clicks > 0);
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_PURCHASES, &v));
    ck_assert_double_eq(v, (double)c.purchases);
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_LEAVES, &v));
    ck_assert_double_eq(v, (double)c.leaves);
    ck_assert_uint_eq(c.bad_rating, 0);
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_CTR, &v));
    ck_assert_double_eq_tol(v, (double)c.clicks / (double)c.calls, 1e-12);
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_REWARD, &v));
    ck_assert_double_eq(v, (double)(c.clicks + c.purchases));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_STEPS, &v));
    ck_assert_double_eq(v, 20);
    double cov, ild, gini, ent, rr, sl;
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_COVERAGE, &cov));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_DIVERSITY, &ild));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_GINI, &gini));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_ENTROPY, &ent));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_RETURN_RATE, &rr));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_SESSION_LENGTH, &sl));
    ck_assert_double_eq(cov, 1.0); /* 400 x 6 x 20 random draws over 200 items */
    ck_assert(ild > 0.5 && ild < 1.5);
    ck_assert(gini > 0 && gini < 0.2);
    ck_assert(ent > 2.0 && ent <= log2(FX_CATS) + 1e-12);
    ck_assert(rr > 0 && sl >= 1);
    ck_assert_status(rs_sim_stat(s, 99, &v), RS_ERR_INVALID);
    /* RS_SIM_STAT_COUNT bounds the ids: the last one reads, the count does not. */
    ck_assert_int_eq(RS_SIM_STAT_COUNT, RS_SIM_STAT_TRUTH_CLICKS + 1);
    for (int id = 0; id < RS_SIM_STAT_COUNT; id++)
        ck_assert_ok(rs_sim_stat(s, id, &v));
    ck_assert_status(rs_sim_stat(s, RS_SIM_STAT_COUNT, &v), RS_ERR_INVALID);
    ck_assert_status(rs_sim_stat(NULL, RS_SIM_STAT_CTR, &v), RS_ERR_INVALID);
    rs_sim_free(s);
}
END_TEST

static int one_item_policy(void *ctx, uint32_t user, uint64_t step, size_t k, uint32_t *out)
{
    (void)user, (void)step;
    for (size_t j = 0; j < k; j++)
        out[j] = *(const uint32_t *)ctx;
    return 0;
}

START_TEST(drift_and_fatigue)
{
    rs_sim *s = fx_sim(1, 2);
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_TRAIT_SPREAD, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_CONFORMITY_WEIGHT, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_FATIGUE_WEIGHT, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_DRIFT, 1));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_LEAVE_HAZARD, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_NOCLICK, 1e-9)); /* always clicks */
    ck_assert_ok(rs_sim_populate(s));
    uint32_t item = 42;
    ck_assert_ok(rs_sim_run(s, one_item_policy, &item, NULL, NULL, 1, 1, NULL));
    /* drift 1: the interest is now the item's vector; tau = 1 */
    double u, want = 0;
    for (int k = 0; k < FX_DIM; k++)
        want += (double)fx_items[42 * FX_DIM + k] * fx_items[42 * FX_DIM + k];
    ck_assert_ok(rs_sim_utilities(s, 0, &item, 1, &u));
    ck_assert_double_eq_tol(u, want, 1e-5);
    /* fatigue: no decay, threshold 0, weight 1: utility drops by the count
     * of clicks in the category (tau = 1, boredom threshold 0) */
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_DRIFT, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_FATIGUE_DECAY, 1));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_BOREDOM_THRESHOLD, 0));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_FATIGUE_WEIGHT, 1));
    ck_assert_ok(rs_sim_run(s, one_item_policy, &item, NULL, NULL, 3, 1, NULL));
    double u2, other_u;
    uint32_t other = 43; /* another category: not fatigued */
    double base_other = 0;
    for (int k = 0; k < FX_DIM; k++)
        base_other += (double)fx_items[42 * FX_DIM + k] * fx_items[43 * FX_DIM + k];
    ck_assert_ok(rs_sim_utilities(s, 0, &item, 1, &u2));
    ck_assert_double_eq_tol(u2, want - 4.0, 1e-5); /* 1 + 3 clicks in category 2 */
    ck_assert_ok(rs_sim_utilities(s, 0, &other, 1, &other_u));
    ck_assert_double_eq_tol(other_u, base_other, 1e-5);
    rs_sim_free(s);
}
END_TEST

START_TEST(leaving_and_returning)
{
    rs_sim *s = fx_sim(2000, 6);
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_TRAIT_SPREAD, 0)); /* activity 0.5 */
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_LEAVE_HAZARD, 1));  /* h = 1 */
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_RETURN_RATE, 0.3)); /* r = 0.3 */
    ck_assert_ok(rs_sim_populate(s));
    uint64_t salt = 0;
    ck_assert_ok(rs_sim_run(s, fx_random_policy, &salt, NULL, NULL, 1, 5, NULL));
    double leaves, returns, imp, sl;
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_LEAVES, &leaves));
    ck_assert_double_eq(leaves, 2000); /* everyone leaves after one slate */
    ck_assert_ok(rs_sim_run(s, fx_random_policy, &salt, NULL, NULL, 1, 5, NULL));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_RETURNS, &returns));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_IMPRESSIONS, &imp));
    ck_assert_double_eq(imp, 2000 + returns);
    ck_assert_double_eq_tol(returns / 2000, 0.3, 4.5 * sqrt(0.3 * 0.7 / 2000));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_SESSION_LENGTH, &sl));
    ck_assert_double_eq(sl, 1);
    /* no leaving at all: no returns either */
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_LEAVE_HAZARD, 0));
    ck_assert_ok(rs_sim_populate(s));
    ck_assert_ok(rs_sim_run(s, fx_random_policy, &salt, NULL, NULL, 5, 5, NULL));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_RETURNS, &returns));
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_IMPRESSIONS, &imp));
    ck_assert_double_eq(returns, 0);
    ck_assert_double_eq(imp, 10000);
    rs_sim_free(s);
}
END_TEST

START_TEST(mirrored_interest)
{
    rs_sim *s = fx_sim(3, 2);
    float v[FX_DIM], w[FX_DIM];
    for (int k = 0; k < FX_DIM; k++)
        v[k] = fx_items[7 * FX_DIM + k] * 2.0f;
    ck_assert_ok(rs_sim_set_interest(s, 1, v, FX_DIM));
    ck_assert_ok(rs_sim_get_interest(s, 1, w, FX_DIM));
    ck_assert_mem_eq(v, w, sizeof v);
    ck_assert_status(rs_sim_set_interest(s, 3, v, FX_DIM), RS_ERR_NOTFOUND);
    ck_assert_status(rs_sim_set_interest(s, 1, v, FX_DIM - 1), RS_ERR_DIM);
    ck_assert_status(rs_sim_set_interest(s, 1, NULL, FX_DIM), RS_ERR_INVALID);
    ck_assert_status(rs_sim_get_interest(NULL, 1, w, FX_DIM), RS_ERR_INVALID);
    v[3] = NAN;
    ck_assert_status(rs_sim_set_interest(s, 1, v, FX_DIM), RS_ERR_RANGE);
    ck_assert_ok(rs_sim_get_interest(s, 1, v, FX_DIM));
    ck_assert_mem_eq(v, w, sizeof v); /* unchanged */
    /* drift: after a click with rate 0.5 the vector is halfway to the item */
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_DRIFT, 0.5));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_NOCLICK, 1e-12));
    uint32_t item = 9;
    ck_assert_ok(rs_sim_run(s, one_item_policy, &item, NULL, NULL, 1, 1, NULL));
    ck_assert_ok(rs_sim_get_interest(s, 1, v, FX_DIM));
    for (int k = 0; k < FX_DIM; k++)
        ck_assert_float_eq_tol(v[k], 0.5f * (w[k] + fx_items[9 * FX_DIM + k]), 1e-6);
    rs_sim_free(s);
}
END_TEST

static int failing_policy(void *ctx, uint32_t user, uint64_t step, size_t k, uint32_t *out)
{
    (void)ctx, (void)step;
    for (size_t j = 0; j < k; j++)
        out[j] = 0;
    return user == 3;
}

static int bad_item_policy(void *ctx, uint32_t user, uint64_t step, size_t k, uint32_t *out)
{
    (void)ctx, (void)step, (void)user;
    for (size_t j = 0; j < k; j++)
        out[j] = FX_ITEMS + (uint32_t)j;
    return 0;
}

START_TEST(run_bad_input)
{
    rs_sim *s = fx_sim(10, 1);
    ck_assert_status(rs_sim_run(NULL, fx_random_policy, NULL, NULL, NULL, 1, 5, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_sim_run(s, NULL, NULL, NULL, NULL, 1, 5, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_sim_run(s, fx_random_policy, NULL, NULL, NULL, 1, 0, NULL),
                     RS_ERR_RANGE);
    ck_assert_status(rs_sim_run(s, fx_random_policy, NULL, NULL, NULL, 1,
                                RS_SIM_MAX_SLATE + 1, NULL), RS_ERR_RANGE);
    ck_assert_status(rs_sim_run(s, fx_random_policy, NULL, NULL, NULL, 1, 5,
                                "/nonexistent/dir/trace.csv"), RS_ERR_IO);
    ck_assert_status(rs_sim_run(s, failing_policy, NULL, NULL, NULL, 1, 5, NULL),
                     RS_ERR_CALLBACK);
    ck_assert_errmsg_has("user 3");
    ck_assert_status(rs_sim_run(s, bad_item_policy, NULL, NULL, NULL, 1, 5, NULL),
                     RS_ERR_CALLBACK);
    ck_assert_errmsg_has("item 200");
    double steps;
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_STEPS, &steps));
    ck_assert_double_eq(steps, 0); /* failed policies applied nothing */
    counts c = {0};
    c.fail_at = 2;
    ck_assert_status(rs_sim_run(s, fx_random_policy, NULL, count_feedback, &c, 3, 5, NULL),
                     RS_ERR_CALLBACK);
    ck_assert_ok(rs_sim_stat(s, RS_SIM_STAT_STEPS, &steps));
    ck_assert_double_eq(steps, 1); /* the step in progress completes, then stop */
    ck_assert_uint_eq(c.calls, 2);
    /* zero steps is a no-op */
    ck_assert_ok(rs_sim_run(s, fx_random_policy, NULL, NULL, NULL, 0, 5, NULL));
    rs_sim_free(s);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("sim_run");
    TCase *tc = tcase_create("loop");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, identical_across_runs_and_threads);
    tcase_add_test(tc, common_random_numbers_reduce_variance);
    tcase_add_test(tc, snapshot_restore);
    tcase_add_test(tc, metrics_and_feedback_agree);
    tcase_add_test(tc, drift_and_fatigue);
    tcase_add_test(tc, leaving_and_returning);
    tcase_add_test(tc, run_bad_input);
    tcase_add_test(tc, mirrored_interest);
    suite_add_tcase(s, tc);
    return s;
}
