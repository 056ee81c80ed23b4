/*
 * test_sim_given.c - rs__sim_populate_given / rs__sim_create_given: the
 * population with the first n_given users' interests not drawn is the
 * plain population for everyone else (interests, traits, state), bit for
 * bit, at an odd and an even dimension; the given users' interests are left
 * as they were (0 after create).
 */
#include "testutil.h"

#include "sim/sim_internal.h"

#include <string.h>

#define N_ITEMS 7
#define N_USERS 9

static void assert_given(size_t dim, size_t n_given)
{
    float items[N_ITEMS * 5];
    for (size_t i = 0; i < N_ITEMS * dim; i++)
        items[i] = (float)((i * 37) % 11) - 4.5f;
    rs_sim *plain, *given;
    ck_assert_ok(rs_sim_create(items, N_ITEMS, dim, NULL, 0, N_USERS, 99, &plain));
    ck_assert_ok(rs__sim_create_given(items, N_ITEMS, dim, NULL, 0, N_USERS, 99, n_given,
                                      &given));
    for (int round = 0; round < 2; round++) {
        for (size_t u = 0; u < N_USERS; u++) {
            const float *a = plain->interest + u * dim, *b = given->interest + u * dim;
            if (u >= n_given)
                ck_assert_mem_eq(a, b, dim * sizeof *a);
            else if (round == 0)
                for (size_t k = 0; k < dim; k++)
                    ck_assert_float_eq(b[k], 0.0f);
            else /* what the caller set stays */
                for (size_t k = 0; k < dim; k++)
                    ck_assert_float_eq(b[k], (float)(u + k));
            ck_assert_mem_eq(&plain->trait[u], &given->trait[u], sizeof plain->trait[u]);
            ck_assert_int_eq(plain->active[u], given->active[u]);
        }
        /* set the given users' interests, populate again */
        for (size_t u = 0; u < n_given; u++)
            for (size_t k = 0; k < dim; k++)
                given->interest[u * dim + k] = (float)(u + k);
        ck_assert_ok(rs_sim_populate(plain));
        ck_assert_ok(rs__sim_populate_given(given, n_given));
    }
    rs_sim_free(plain);
    rs_sim_free(given);
}

START_TEST(given_users_skip_only_their_interests)
{
    for (size_t dim = 3; dim <= 4; dim++)
        for (size_t n_given = 0; n_given <= N_USERS; n_given += 3)
            assert_given(dim, n_given);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("sim_given");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, given_users_skip_only_their_interests);
    suite_add_tcase(s, tc);
    return s;
}
