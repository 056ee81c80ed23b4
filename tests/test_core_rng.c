/*
 * test_core_rng.c - Philox4x32-10 and its distributions.
 */
#include "testutil.h"

#include "core/rng.h"

#include <math.h>

START_TEST(philox_known_answers)
{
    /* Random123's published known-answer vectors for Philox4x32-10. */
    static const struct {
        uint32_t counter[4], key[2], out[4];
    } kat[] = {
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
         {0xffffffff, 0xffffffff},
         {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
         {0xa4093822, 0x299f31d0},
         {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (size_t v = 0; v < sizeof kat / sizeof kat[0]; v++) {
        uint32_t out[4];
        rs__philox4x32(kat[v].counter, kat[v].key, out);
        for (int i = 0; i < 4; i++)
            ck_assert_uint_eq(out[i], kat[v].out[i]);
    }
}
END_TEST

START_TEST(same_coordinates_same_numbers)
{
    rs_rng a, b, c;
    rs__rng_init(&a, 42, 1, 7, 3);
    rs__rng_init(&b, 42, 1, 7, 3);
    for (int i = 0; i < 100; i++)
        ck_assert_uint_eq(rs__rng_u64(&a), rs__rng_u64(&b));
    /* Any coordinate changed gives another sequence. */
    const uint64_t coords[5][4] = {
        {43, 1, 7, 3}, {42, 2, 7, 3}, {42, 1, 8, 3}, {42, 1, 7, 4}, {42, 1, 7, 3 + (1ull << 32)}};
    rs__rng_init(&a, 42, 1, 7, 3);
    uint64_t first = rs__rng_u64(&a);
    for (int k = 0; k < 5; k++) {
        rs__rng_init(&c, coords[k][0], (uint32_t)coords[k][1], coords[k][2], coords[k][3]);
        ck_assert_uint_ne(rs__rng_u64(&c), first);
    }
}
END_TEST

START_TEST(uniform_moments)
{
    enum { N = 200000 };
    rs_rng r;
    double sum = 0, sum_sq = 0;
    rs__rng_init(&r, 1, 0, 0, 0);
    for (int i = 0; i < N; i++) {
        double u = rs__rng_uniform(&r);
        ck_assert(u >= 0.0 && u < 1.0);
        sum += u;
        sum_sq += u * u;
    }
    /* mean 1/2, variance 1/12; tolerances at about 5 standard errors */
    ck_assert_double_eq_tol(sum / N, 0.5, 5 * sqrt(1.0 / 12 / N));
    ck_assert_double_eq_tol(sum_sq / N - (sum / N) * (sum / N), 1.0 / 12, 0.002);
}
END_TEST

START_TEST(normal_moments)
{
    enum { N = 200000 };
    rs_rng r;
    double sum = 0, sum_sq = 0, sum_4 = 0;
    rs__rng_init(&r, 2, 0, 0, 0);
    for (int i = 0; i < N; i++) {
        double x = rs__rng_normal(&r);
        ck_assert(isfinite(x));
        sum += x;
        sum_sq += x * x;
        sum_4 += x * x * x * x;
    }
    ck_assert_double_eq_tol(sum / N, 0.0, 5.0 / sqrt(N));
    ck_assert_double_eq_tol(sum_sq / N, 1.0, 5 * sqrt(2.0 / N));
    ck_assert_double_eq_tol(sum_4 / N, 3.0, 0.1); /* kurtosis of a normal */
}
END_TEST

START_TEST(exponential_mean)
{
    enum { N = 100000 };
    rs_rng r;
    double sum = 0;
    rs__rng_init(&r, 3, 0, 0, 0);
    for (int i = 0; i < N; i++) {
        double x = rs__rng_exponential(&r);
        ck_assert(x >= 0.0 && isfinite(x));
        sum += x;
    }
    ck_assert_double_eq_tol(sum / N, 1.0, 5.0 / sqrt(N));
}
END_TEST

START_TEST(below_is_uniform_and_bounded)
{
    enum { N = 70000, BOUND = 7 };
    rs_rng r;
    int counts[BOUND] = {0};
    rs__rng_init(&r, 4, 0, 0, 0);
    for (int i = 0; i < N; i++) {
        uint64_t x = rs__rng_below(&r, BOUND);
        ck_assert_uint_lt(x, BOUND);
        counts[x]++;
    }
    for (int b = 0; b < BOUND; b++)
        ck_assert_double_eq_tol(counts[b], N / BOUND, 5 * sqrt(N / BOUND));
    ck_assert_uint_eq(rs__rng_below(&r, 0), 0);
    ck_assert_uint_eq(rs__rng_below(&r, 1), 0);
}
END_TEST

START_TEST(categorical_frequencies)
{
    enum { N = 100000 };
    const double weights[] = {1.0, 0.0, 3.0, 6.0};
    int counts[4] = {0};
    rs_rng r;
    rs__rng_init(&r, 5, 0, 0, 0);
    for (int i = 0; i < N; i++) {
        size_t index;
        ck_assert_int_eq(rs__rng_categorical(&r, weights, 4, &index), 0);
        counts[index]++;
    }
    ck_assert_int_eq(counts[1], 0);
    ck_assert_double_eq_tol(counts[0] / (double)N, 0.1, 0.005);
    ck_assert_double_eq_tol(counts[2] / (double)N, 0.3, 0.007);
    ck_assert_double_eq_tol(counts[3] / (double)N, 0.6, 0.008);
}
END_TEST

START_TEST(categorical_bad_weights)
{
    rs_rng r;
    size_t index = 99;
    const double nan_w[] = {1.0, NAN};
    const double inf_w[] = {INFINITY, 1.0};
    const double neg_w[] = {1.0, -0.5};
    const double zero_w[] = {0.0, 0.0};
    rs__rng_init(&r, 6, 0, 0, 0);
    ck_assert_int_eq(rs__rng_categorical(&r, nan_w, 2, &index), RS_ERR_RANGE);
    ck_assert_errmsg_has("weight 1");
    ck_assert_int_eq(rs__rng_categorical(&r, inf_w, 2, &index), RS_ERR_RANGE);
    ck_assert_int_eq(rs__rng_categorical(&r, neg_w, 2, &index), RS_ERR_RANGE);
    ck_assert_int_eq(rs__rng_categorical(&r, zero_w, 2, &index), RS_ERR_RANGE);
    ck_assert_int_eq(rs__rng_categorical(&r, NULL, 2, &index), RS_ERR_INVALID);
    ck_assert_int_eq(rs__rng_categorical(&r, zero_w, 0, &index), RS_ERR_INVALID);
    ck_assert_uint_eq(index, 99);
}
END_TEST


/* SplitMix64's published outputs from state 0 (Vigna's reference code), so
 * the one copy is the algorithm every former copy was. */
START_TEST(splitmix64_matches_the_reference)
{
    uint64_t state = 0;
    ck_assert_uint_eq(rs__splitmix64(&state), 0xE220A8397B1DCDAFull);
    ck_assert_uint_eq(rs__splitmix64(&state), 0x6E789E6AA1B965F4ull);
    ck_assert_uint_eq(rs__splitmix64(&state), 0x06C45D188009454Full);
    ck_assert_uint_eq(state, 3 * RS_GOLDEN64);
    ck_assert_uint_eq(rs__mix64(12345), 0xF36CF1164265DD51ull);
    ck_assert_uint_eq(rs__mix64(0), 0); /* a bijection fixing 0 */
}
END_TEST

/* The SplitMix64 normal is Box-Muller over two 53-bit uniforms, redrawing
 * u1 = 0; Box-Muller's pair is (r cos, r sin). */
START_TEST(splitmix64_normal_is_box_muller)
{
    uint64_t a = 42, b = 42;
    for (int i = 0; i < 100; i++) {
        double u1 = (double)(rs__splitmix64(&b) >> 11) * 0x1.0p-53, u2, z, sine;
        while (u1 <= 0.0)
            u1 = (double)(rs__splitmix64(&b) >> 11) * 0x1.0p-53;
        u2 = (double)(rs__splitmix64(&b) >> 11) * 0x1.0p-53;
        z = rs__splitmix64_normal(&a);
        ck_assert(z == rs__box_muller(u1, u2, &sine));
        ck_assert(a == b);
        ck_assert_double_eq_tol(z * z + sine * sine, -2.0 * log(u1), 1e-9);
    }
    ck_assert(rs__box_muller(1.0, 0.25, NULL) == 0.0); /* radius 0 */
}
END_TEST

/* A skip of n words leaves the generator where n draws would, from any
 * position in a block, the spare normal untouched. */
START_TEST(skip_is_drawing)
{
    for (uint64_t before = 0; before < 6; before++)
        for (uint64_t n = 0; n < 40; n++) {
            rs_rng a, b;
            rs__rng_init(&a, 42, 7, 3, 5);
            for (uint64_t i = 0; i < before; i++)
                rs__rng_u32(&a);
            (void)rs__rng_normal(&a); /* leaves a spare */
            b = a;
            for (uint64_t i = 0; i < n; i++)
                rs__rng_u32(&a);
            rs__rng_skip_u32(&b, n);
            ck_assert(b.has_spare_normal);
            ck_assert_double_eq(rs__rng_normal(&a), rs__rng_normal(&b));
            for (int i = 0; i < 9; i++)
                ck_assert_uint_eq(rs__rng_u32(&a), rs__rng_u32(&b));
        }
    /* the counter's first word wraps as one increment at a time would */
    rs_rng a, b;
    rs__rng_init(&a, 1, 2, 3, 4);
    a.counter[0] = UINT32_MAX - 1;
    b = a;
    for (int i = 0; i < 13; i++)
        rs__rng_u32(&a);
    rs__rng_skip_u32(&b, 13);
    ck_assert_uint_eq(a.counter[0], b.counter[0]);
    ck_assert_uint_eq(rs__rng_u32(&a), rs__rng_u32(&b));
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("core_rng");
    TCase *tc = tcase_create("rng");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, philox_known_answers);
    tcase_add_test(tc, same_coordinates_same_numbers);
    tcase_add_test(tc, uniform_moments);
    tcase_add_test(tc, normal_moments);
    tcase_add_test(tc, exponential_mean);
    tcase_add_test(tc, below_is_uniform_and_bounded);
    tcase_add_test(tc, categorical_frequencies);
    tcase_add_test(tc, categorical_bad_weights);
    tcase_add_test(tc, splitmix64_matches_the_reference);
    tcase_add_test(tc, splitmix64_normal_is_box_muller);
    tcase_add_test(tc, skip_is_drawing);
    suite_add_tcase(s, tc);
    return s;
}
