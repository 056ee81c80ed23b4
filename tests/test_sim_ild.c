/*
 * test_sim_ild.c - the slate's intra-list diversity (rs__sim_ild) has the
 * same bits on every kernel the CPU runs (the AVX2 accumulation against the
 * portable loop), at dimensions around its 64-wide chunks and 4-wide lanes,
 * slates of 2 .. 10, some with a zero vector; and it is the formula:
 * 1 - mean pairwise cosine.
 */
#include "testutil.h"

#include "sim/sim_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_ITEMS 40

START_TEST(every_kernel_same_bits)
{
    const size_t dims[] = {1, 3, 4, 63, 64, 70, 130, 256};
    for (size_t di = 0; di < sizeof dims / sizeof *dims; di++) {
        size_t d = dims[di];
        float *items = malloc(N_ITEMS * d * sizeof *items);
        uint64_t h = 99;
        for (size_t i = 0; i < N_ITEMS * d; i++) {
            h = h * 6364136223846793005ull + 1442695040888963407ull;
            items[i] = (float)((double)(h >> 11) / 9007199254740992.0 - 0.3);
        }
        memset(items + 5 * d, 0, d * sizeof *items); /* item 5: no direction */
        rs_sim *s;
        ck_assert_ok(rs_sim_create(items, N_ITEMS, d, NULL, 0, 3, 4, &s));
        int best = s->kernel;
        for (int t = 0; t < 60; t++) {
            uint32_t slate[10];
            size_t n = 2 + (size_t)t % 9;
            for (size_t j = 0; j < n; j++)
                slate[j] = (uint32_t)((t * 7 + j * 13) % N_ITEMS);
            s->kernel = RS__SIM_KERNEL_PORTABLE;
            double want = rs__sim_ild(s, slate, n);
            for (int k = RS__SIM_KERNEL_AVX2; k <= best; k++) {
                s->kernel = k;
                double got = rs__sim_ild(s, slate, n);
                ck_assert_mem_eq(&got, &want, sizeof got);
            }
            /* 1 - the mean cosine over ordered pairs (a zero vector has
             * cosine 0 with everything, itself included) */
            double sum = 0;
            for (size_t a = 0; a < n; a++)
                for (size_t b = 0; b < n; b++) {
                    if (a == b)
                        continue;
                    const float *x = items + slate[a] * d, *y = items + slate[b] * d;
                    double xy = 0, xx = 0, yy = 0;
                    for (size_t k = 0; k < d; k++) {
                        xy += (double)x[k] * y[k];
                        xx += (double)x[k] * x[k];
                        yy += (double)y[k] * y[k];
                    }
                    sum += xx > 0 && yy > 0 ? xy / sqrt(xx * yy) : 0.0;
                }
            ck_assert_double_eq_tol(want, 1.0 - sum / (double)(n * (n - 1)), 1e-5);
        }
        s->kernel = best;
        rs_sim_free(s);
        free(items);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("sim_ild");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, every_kernel_same_bits);
    suite_add_tcase(s, tc);
    return s;
}
