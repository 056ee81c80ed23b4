/*
 * test_sim_respond_batch.c - the fast paths of the response model agree with the
 * reference ones: rs_sim_respond_batch gives rs_sim_respond's draws bit for
 * bit on any thread count, the rating's normal quantile inverts the normal
 * CDF, the O(n dim) intra-list diversity equals the pairwise definition, and
 * the new response options (slate diversity effect) follow their formula.
 */
#include "sim_fixture.h"

#include "core/rng.h"
#include "sim/sim_internal.h"

#include <string.h>

START_TEST(batch_matches_single)
{
    rs_sim *s = fx_sim(300, 17);
    enum { N = 3000, K = 7 };
    uint32_t *users = malloc(N * sizeof *users), *slates = malloc(N * K * sizeof *slates);
    for (size_t i = 0; i < N; i++) {
        users[i] = (uint32_t)(fx_mix(i) % 300);
        fx_random_policy(NULL, users[i], i, K, slates + i * K);
    }
    for (int model = RS_SIM_PBM; model <= RS_SIM_CASCADE; model++) {
        ck_assert_ok(rs_sim_set_int(s, RS_SIM_POSITION_MODEL, model));
        int32_t p1[N], b1[N], r1[N], l1[N], p2[N], l2[N];
        ck_assert_ok(rs_sim_set_int(s, RS_SIM_THREADS, 1));
        ck_assert_ok(rs_sim_respond_batch(s, users, 42, slates, N, K, p1, b1, r1, l1));
        ck_assert_ok(rs_sim_set_int(s, RS_SIM_THREADS, 2));
        ck_assert_ok(rs_sim_respond_batch(s, users, 42, slates, N, K, p2, NULL, NULL, l2));
        ck_assert_int_eq(memcmp(p1, p2, sizeof p1), 0);
        ck_assert_int_eq(memcmp(l1, l2, sizeof l1), 0);
        unsigned clicks = 0;
        for (size_t i = 0; i < N; i++) {
            int pos, beh, rating, left;
            ck_assert_ok(rs_sim_respond(s, users[i], 42, slates + i * K, K, &pos, &beh, &rating,
                                        &left));
            ck_assert_int_eq(pos, p1[i]);
            ck_assert_int_eq(beh, b1[i]);
            ck_assert_int_eq(rating, r1[i]);
            ck_assert_int_eq(left, l1[i]);
            clicks += pos >= 0;
        }
        ck_assert(clicks > 100 && clicks < N - 100);
    }
    /* bad input: nothing written */
    int32_t out[2] = {7, 7};
    ck_assert_status(rs_sim_respond_batch(NULL, users, 0, slates, 2, K, out, NULL, NULL, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_sim_respond_batch(s, NULL, 0, slates, 2, K, out, NULL, NULL, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_sim_respond_batch(s, users, 0, NULL, 2, K, out, NULL, NULL, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_sim_respond_batch(s, users, 0, slates, 2, 0, out, NULL, NULL, NULL),
                     RS_ERR_RANGE);
    ck_assert_status(rs_sim_respond_batch(s, users, 0, slates, 2, RS_SIM_MAX_SLATE + 1, out,
                                          NULL, NULL, NULL), RS_ERR_RANGE);
    slates[K + 3] = FX_ITEMS;
    ck_assert_status(rs_sim_respond_batch(s, users, 0, slates, 2, K, out, NULL, NULL, NULL),
                     RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("response 1 slate[3]");
    slates[K + 3] = 0;
    users[1] = 300;
    ck_assert_status(rs_sim_respond_batch(s, users, 0, slates, 2, K, out, NULL, NULL, NULL),
                     RS_ERR_NOTFOUND);
    ck_assert_int_eq(out[0], 7);
    ck_assert_int_eq(out[1], 7);
    /* zero responses is fine */
    ck_assert_ok(rs_sim_respond_batch(s, users, 0, slates, 0, K, NULL, NULL, NULL, NULL));
    free(users);
    free(slates);
    rs_sim_free(s);
}
END_TEST

START_TEST(cached_key_is_the_streams)
{
    /* the response's Philox key, cached at creation, is rs__rng_init's for
     * every step below 2^32 */
    rs_sim *s = fx_sim(3, 77);
    for (uint64_t step = 0; step < (1ull << 32); step += 987654321ull) {
        rs_rng rng;
        rs__rng_init(&rng, 77, 0x5101, 2, step);
        ck_assert_uint_eq(rng.key[0], s->choice_key[0]);
        ck_assert_uint_eq(rng.key[1], s->choice_key[1]);
        ck_assert_uint_eq(rng.counter[1], (uint32_t)step);
    }
    /* and a step beyond 2^32 (the slow path) still answers */
    uint32_t slate[3] = {1, 2, 3};
    int pos;
    ck_assert_ok(rs_sim_respond(s, 2, (1ull << 32) + 5, slate, 3, &pos, NULL, NULL, NULL));
    ck_assert(pos >= -1 && pos < 3);
    rs_sim_free(s);
}
END_TEST

/* The detected kernel is one of the three, named. */
static int fx_sim_kernel_check(void)
{
    int k = rs__sim_cpu_kernel();
    const char *name = rs__sim_kernel_name(k);
    if (k < RS__SIM_KERNEL_PORTABLE || k > RS__SIM_KERNEL_AVX512)
        return 0;
    if (strcmp(rs__sim_kernel_name(RS__SIM_KERNEL_PORTABLE), "portable") != 0 ||
        strcmp(rs__sim_kernel_name(RS__SIM_KERNEL_AVX2), "avx2") != 0 ||
        strcmp(rs__sim_kernel_name(RS__SIM_KERNEL_AVX512), "avx512") != 0)
        return 0;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (!getenv("RECSIM_SIM_KERNEL") && __builtin_cpu_supports("avx512f"))
        return k == RS__SIM_KERNEL_AVX512 && strcmp(name, "avx512") == 0;
#endif
    return name != NULL;
}

START_TEST(vector_paths_same_bits)
{
    /* the 8-lane dot products give the portable path's bits (dims 8, 32,
     * 256 and 12, which always takes the portable path), slates of 1 .. 10
     * (four items at a time, then the rest); the kernel is the best the CPU
     * runs and has a name */
    ck_assert_int_eq(fx_sim_kernel_check(), 1);
    const size_t dims[4] = {8, 32, 256, 12};
    for (int di = 0; di < 4; di++) {
        size_t d = dims[di], n_items = 300;
        float *items = malloc(n_items * d * sizeof *items);
        for (size_t i = 0; i < n_items * d; i++)
            items[i] = (float)((double)(fx_mix(i + 5) >> 11) / 9007199254740992.0 - 0.5);
        rs_sim *s;
        ck_assert_ok(rs_sim_create(items, n_items, d, NULL, 0, 20, 4, &s));
        uint32_t slate[10];
        for (int t = 0; t < 50; t++) {
            for (int j = 0; j < 10; j++)
                slate[j] = (uint32_t)(fx_mix((uint64_t)t * 10 + (uint64_t)j) % n_items);
            double a[10], b[10];
            size_t n = 1 + (size_t)t % 10;
            int had = s->kernel;
            s->kernel = RS__SIM_KERNEL_PORTABLE;
            ck_assert_ok(rs_sim_utilities(s, (uint32_t)(t % 20), slate, n, b));
            /* every kernel this CPU runs (AVX-512 two items per register,
             * AVX2 one; pairs, fours and a single left over) */
            for (int kernel = RS__SIM_KERNEL_AVX2; kernel <= had; kernel++) {
                s->kernel = kernel;
                ck_assert_ok(rs_sim_utilities(s, (uint32_t)(t % 20), slate, n, a));
                ck_assert_int_eq(memcmp(a, b, n * sizeof *a), 0);
            }
            s->kernel = had;
        }
        rs_sim_free(s);
        free(items);
    }
}
END_TEST

START_TEST(normal_quantile_inverts_cdf)
{
    for (int i = 1; i < 2000; i++) {
        double p = i / 2000.0;
        double z = rs__sim_normal_quantile(p);
        double back = 0.5 * erfc(-z / sqrt(2.0));
        ck_assert_msg(fabs(back - p) < 5e-8 * (p < 0.5 ? p : 1 - p) + 1e-15, "p %g z %g", p, z);
    }
    double tail = rs__sim_normal_quantile(1e-9);
    ck_assert_double_eq_tol(0.5 * erfc(-tail / sqrt(2.0)), 1e-9, 1e-15);
    ck_assert(rs__sim_normal_quantile(0.5) == 0.0);
}
END_TEST

START_TEST(ild_matches_pairwise)
{
    rs_sim *s = fx_sim(2, 3);
    uint32_t slate[9] = {1, 5, 9, 14, 77, 120, 121, 150, 199};
    for (size_t n = 2; n <= 9; n++) {
        double sum = 0;
        for (size_t a = 0; a < n; a++)
            for (size_t b = a + 1; b < n; b++) {
                const float *x = fx_items + slate[a] * FX_DIM, *y = fx_items + slate[b] * FX_DIM;
                double d = 0, nx = 0, ny = 0;
                for (int k = 0; k < FX_DIM; k++) {
                    d += (double)x[k] * y[k];
                    nx += (double)x[k] * x[k];
                    ny += (double)y[k] * y[k];
                }
                sum += d / sqrt(nx * ny);
            }
        double want = 1 - sum / (n * (n - 1) / 2.0);
        ck_assert_double_eq_tol(rs__sim_ild(s, slate, n), want, 1e-6);
    }
    ck_assert_double_eq(rs__sim_ild(s, slate, 1), 0.0);
    rs_sim_free(s);
}
END_TEST

START_TEST(diversity_effect_formula)
{
    rs_sim *s = fx_sim(50, 8);
    uint32_t slate[6] = {3, 4, 50, 90, 130, 170};
    double base[6], with[6], d;
    ck_assert_ok(rs_sim_utilities(s, 11, slate, 6, base));
    ck_assert_ok(rs_sim_set_double(s, RS_SIM_DIVERSITY_EFFECT, 1.5));
    ck_assert_ok(rs_sim_get_double(s, RS_SIM_DIVERSITY_EFFECT, &d));
    ck_assert_double_eq(d, 1.5);
    ck_assert_ok(rs_sim_utilities(s, 11, slate, 6, with));
    /* every utility moves by effect (2 diversity_u - 1) ILD / tau_u */
    double shift = with[0] - base[0];
    ck_assert(fabs(shift) > 1e-6);
    for (int j = 1; j < 6; j++)
        ck_assert_double_eq_tol(with[j] - base[j], shift, 1e-9);
    /* probabilities still sum to one */
    double p[7], tot = 0;
    ck_assert_ok(rs_sim_probabilities(s, 11, slate, 6, p));
    for (int j = 0; j < 7; j++)
        tot += p[j];
    ck_assert_double_eq_tol(tot, 1.0, 1e-12);
    ck_assert_status(rs_sim_set_double(s, RS_SIM_DIVERSITY_EFFECT, 101), RS_ERR_RANGE);
    ck_assert_status(rs_sim_set_double(s, RS_SIM_DIVERSITY_EFFECT, NAN), RS_ERR_RANGE);
    rs_sim_free(s);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("sim_respond_batch");
    TCase *tc = tcase_create("fast paths");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, batch_matches_single);
    tcase_add_test(tc, cached_key_is_the_streams);
    tcase_add_test(tc, vector_paths_same_bits);
    tcase_add_test(tc, normal_quantile_inverts_cdf);
    tcase_add_test(tc, ild_matches_pairwise);
    tcase_add_test(tc, diversity_effect_formula);
    suite_add_tcase(s, tc);
    return s;
}
