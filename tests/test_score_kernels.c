/*
 * test_score_kernels.c - the scorer's arithmetic passes (score_kernels.c):
 * the dispatched kernel (AVX2 where the CPU runs it) and the portable loops
 * give the bits of the scalar expressions, on lengths around the vector
 * widths and on values with NaN, infinities, signed zeros, subnormals and
 * huge magnitudes.
 */
#include "testutil.h"

#include "core/rng.h"
#include "score/score_internal.h"

#include <math.h>
#include <string.h>

#define N 75

static float value(rs_rng *rng, int special)
{
    static const float odd[] = {0.0f, -0.0f, 1e-40f, -1e-40f, 3e38f, -3e38f, INFINITY, NAN};
    if (special && rs__rng_below(rng, 5) == 0)
        return odd[rs__rng_below(rng, sizeof odd / sizeof *odd)];
    return (float)((rs__rng_uniform(rng) - 0.5) * pow(10.0, (double)rs__rng_below(rng, 9) - 4));
}

static void fill(rs_rng *rng, float *x, size_t n, int special)
{
    for (size_t i = 0; i < n; i++)
        x[i] = value(rng, special);
}

static void assert_bits(const float *a, const float *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof a[i]) != 0)
            ck_abort_msg("entry %zu: %a and %a", i, (double)a[i], (double)b[i]);
}

START_TEST(every_path_gives_the_scalar_bits)
{
    rs_rng rng;
    rs__rng_init(&rng, 5, 1, 0, 0);
    for (int portable = 0; portable < 2; portable++) {
        rs__score_force_portable(portable);
        for (size_t n = 0; n <= N; n++)
            for (int special = 0; special < 2; special++) {
                float x[N], y[N], r[N], p[N], got[N], want[N];
                fill(&rng, x, n, special);
                fill(&rng, y, n, special);
                fill(&rng, r, n, special);
                fill(&rng, p, n, special);
                /* the largest magnitude, NaN ignored */
                float mx = 0.0f;
                for (size_t i = 0; i < n; i++)
                    if (fabsf(x[i]) > mx)
                        mx = fabsf(x[i]);
                float m = rs__score_abs_max(x, n);
                assert_bits(&m, &mx, 1);
                /* the quotients */
                float d = special ? 3e-39f : 0.37f;
                for (size_t i = 0; i < n; i++)
                    want[i] = x[i] / d;
                rs__score_divide(got, x, n, d);
                assert_bits(got, want, n);
                /* the blends, in double, left to right */
                double wc = 0.3, wk = 1.0 / 3.0, wg = -0.1, wp = 0.7e-3;
                for (size_t i = 0; i < n; i++)
                    want[i] = (float)(wc * x[i] + wk * y[i]);
                memcpy(got, x, n * sizeof *got);
                rs__score_blend2(got, y, n, wc, wk);
                assert_bits(got, want, n);
                for (size_t i = 0; i < n; i++)
                    want[i] = (float)(wc * x[i] + wk * y[i] + wg * r[i] + wp * p[i]);
                memcpy(got, x, n * sizeof *got);
                rs__score_blend4(got, y, r, p, n, wc, wk, wg, wp);
                assert_bits(got, want, n);
            }
    }
    rs__score_force_portable(0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("score_kernels");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, every_path_gives_the_scalar_bits);
    suite_add_tcase(s, tc);
    return s;
}
