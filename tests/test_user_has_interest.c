/*
 * test_user_has_interest.c - rs__user_has_interest answers what
 * rs__user_interest returns (is the blended interest not zero?) for a zero
 * interest, a tiny one, one with a NaN or an infinity, and with texts
 * (where the blend is computed).
 */
#include "testutil.h"

#include "user/user_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

START_TEST(the_same_answer)
{
    rs_item_store *store;
    const float v[4] = {1, 0, 0, 0};
    ck_assert_ok(rs_item_store_create(4, &store));
    ck_assert_ok(rs_item_store_add(store, "a", v, 4, NULL));
    rs_user_model *m;
    ck_assert_ok(rs_user_model_create(store, &m));
    ck_assert_ok(rs_user_model_observe(m, "u", "a", NULL, 1.0, 1));
    rs__user *u = &m->recs[0];
    const float cases[][4] = {{0, 0, 0, 0},         {-0.0f, 0, 0, 0},     {0, 1e-45f, 0, 0},
                              {0, 0, 0, -3},        {NAN, 1, 0, 0},       {0, 0, INFINITY, 0},
                              {INFINITY, NAN, 0, 0}, {3e38f, 3e38f, 0, 0}};
    float out[4], scratch[4];
    for (int text = 0; text < 2; text++)
        for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
            memcpy(u->interest, cases[c], sizeof cases[c]);
            if (text) { /* with a text the blend is computed as rs__user_interest does */
                if (!u->text)
                    u->text = calloc(4, sizeof(float));
                for (int j = 0; j < 4; j++)
                    u->text[j] = c % 2 ? -cases[c][j] : (float)j;
            }
            ck_assert_int_eq(rs__user_has_interest(m, u, scratch),
                             rs__user_interest(m, u, out));
        }
    rs_user_model_free(m);
    rs_item_store_free(store);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("user_has_interest");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, the_same_answer);
    suite_add_tcase(s, tc);
    return s;
}
