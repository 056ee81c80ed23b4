/*
 * test_user_model.c - the user model itself (src/user/user_model.c):
 * interests with decay and negative feedback, histories, event weights and
 * bad input through the public calls; and the internal helpers the scorer
 * and the persistence build on (rs__user_find, the decay factors,
 * rs__user_advance, record creation and its undo, the blended interest of
 * an empty user), which no other suite calls directly.
 */
#include "testutil.h"

#include "core/alloc.h"
#include "user/user_internal.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static const char *const item_keys[] = {"lantern", "holder", "mug", "candle", "bowl"};
static const float item_vecs[][4] = {
    {1, 0.2f, 0, 0}, {0.9f, 0.3f, 0.1f, 0}, {0, 0, 1, 0.1f}, {0.1f, 0, 0, 1}, {0, 1, 0.2f, 0}};

static rs_item_store *make_store(void)
{
    rs_item_store *s;
    ck_assert_ok(rs_item_store_create(4, &s));
    for (int i = 0; i < 5; i++)
        ck_assert_ok(rs_item_store_add(s, item_keys[i], item_vecs[i], 4, NULL));
    return s;
}

static float cosf4(const float *a, const float *b)
{
    double d = 0, na = 0, nb = 0;
    for (int i = 0; i < 4; i++)
        d += a[i] * b[i], na += a[i] * a[i], nb += b[i] * b[i];
    return (float)(d / sqrt(na * nb));
}

START_TEST(user_interest_decay_and_negative)
{
    rs_item_store *store = make_store();
    rs_user_model *m;
    float v[4];
    ck_assert_ok(rs_user_model_create(store, &m));
    ck_assert_ok(rs_user_model_observe(m, "u", "lantern", NULL, 1.0, 0));
    ck_assert_ok(rs_user_model_interest(m, "u", v, 4));
    ck_assert_float_eq_tol(cosf4(v, item_vecs[0]), 1.0f, 1e-5f);
    /* a dislike of the lantern-like holder moves away from it */
    float before = cosf4(v, item_vecs[1]);
    ck_assert_ok(rs_user_model_observe(m, "u", "mug", "viewed", 1.0, 0));
    ck_assert_ok(rs_user_model_observe(m, "u", "holder", "bought", -0.5, 0));
    ck_assert_ok(rs_user_model_interest(m, "u", v, 4));
    ck_assert_float_lt(cosf4(v, item_vecs[1]), before);
    ck_assert_uint_eq(rs_user_model_count(m), 1);

    /* half-life 10 s: an event 10 s older counts half */
    ck_assert_ok(rs_user_model_set_double(m, RS_USER_HALF_LIFE, 10.0));
    ck_assert_ok(rs_user_model_observe(m, "w", "mug", NULL, 1.0, 0));
    ck_assert_ok(rs_user_model_observe(m, "w", "candle", NULL, 1.0, 10));
    ck_assert_ok(rs_user_model_interest(m, "w", v, 4));
    /* mug ~ e2, candle ~ e3 after unit scaling: ratio of those axes is 0.5 */
    float mu = 1.0f / sqrtf(1.01f), ca = 1.0f / sqrtf(1.01f);
    float expect2 = 0.5f * mu + 0.0f, expect3 = 0.5f * 0.1f * mu + ca;
    ck_assert_float_eq_tol(v[2] / v[3], expect2 / expect3, 1e-4f);
    /* an out-of-order older event is discounted the same way */
    ck_assert_ok(rs_user_model_observe(m, "x", "candle", NULL, 1.0, 10));
    ck_assert_ok(rs_user_model_observe(m, "x", "mug", NULL, 1.0, 0));
    float v2[4];
    ck_assert_ok(rs_user_model_interest(m, "x", v2, 4));
    for (int i = 0; i < 4; i++)
        ck_assert_float_eq_tol(v[i], v2[i], 1e-5f);

    uint32_t items[8];
    float w[8];
    size_t n;
    ck_assert_ok(rs_user_model_history(m, "x", items, w, 8, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_float_eq_tol(w[1], 0.5f, 1e-6f);
    ck_assert_status(rs_user_model_history(m, "x", items, w, 1, &n), RS_ERR_BUFFER);
    ck_assert_uint_eq(n, 2);

    /* event weights */
    double ew;
    ck_assert_ok(rs_user_model_get_event_weight(m, "carted", &ew));
    ck_assert_double_eq(ew, 0.5);
    ck_assert_ok(rs_user_model_get_event_weight(m, "unheard", &ew));
    ck_assert_double_eq(ew, 1.0);
    ck_assert_ok(rs_user_model_set_event_weight(m, "viewed", 0.1));
    ck_assert_ok(rs_user_model_get_event_weight(m, "viewed", &ew));
    ck_assert_double_eq(ew, 0.1);
    ck_assert_status(rs_user_model_set_event_weight(m, "viewed", NAN), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_set_event_weight(m, "viewed", -1), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_set_event_weight(m, "", 1), RS_ERR_INVALID);

    /* bad input leaves the model unchanged */
    size_t users = rs_user_model_count(m);
    ck_assert_status(rs_user_model_observe(m, "new", "nosuch", NULL, 1.0, 0), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("nosuch");
    ck_assert_status(rs_user_model_observe(m, "new", "mug", NULL, NAN, 0), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_observe(m, "new", "mug", NULL, INFINITY, 0), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_observe(m, NULL, "mug", NULL, 1, 0), RS_ERR_INVALID);
    ck_assert_status(rs_user_model_observe(m, "bad\xff", "mug", NULL, 1, 0), RS_ERR_ENCODING);
    ck_assert_status(rs_user_model_observe(NULL, "u", "mug", NULL, 1, 0), RS_ERR_INVALID);
    ck_assert_uint_eq(rs_user_model_count(m), users);
    ck_assert_status(rs_user_model_interest(m, "new", v, 4), RS_ERR_NOTFOUND);
    ck_assert_status(rs_user_model_interest(m, "u", v, 3), RS_ERR_DIM);
    ck_assert_status(rs_user_model_set_double(m, RS_USER_HALF_LIFE, NAN), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_set_double(m, RS_USER_HALF_LIFE, -1), RS_ERR_RANGE);
    ck_assert_status(rs_user_model_set_double(m, 99, 1), RS_ERR_INVALID);
    double hl;
    ck_assert_ok(rs_user_model_get_double(m, RS_USER_HALF_LIFE, &hl));
    ck_assert_double_eq(hl, 10.0);
    rs_user_model_free(m);
    rs_user_model_free(NULL);
    ck_assert_status(rs_user_model_create(NULL, &m), RS_ERR_INVALID);
    rs_item_store_free(store);
}
END_TEST

START_TEST(find_and_decay_factors)
{
    rs_item_store *store = make_store();
    rs_user_model *m;
    ck_assert_ok(rs_user_model_create(store, &m));
    ck_assert_ptr_null(rs__user_find(m, "u"));
    ck_assert_ptr_null(rs__user_find(m, NULL));
    ck_assert_ptr_null(rs__user_find(NULL, "u"));
    ck_assert_ok(rs_user_model_observe(m, "u", "mug", NULL, 1.0, 100));
    const rs__user *u = rs__user_find(m, "u");
    ck_assert_ptr_nonnull(u);
    ck_assert_uint_eq(u->n, 1);
    ck_assert_int_eq(u->has_time, 1);
    ck_assert_int_eq(u->t_ref, 100);
    ck_assert_ptr_null(rs__user_find(m, "v"));

    /* no half-life: every event counts fully, whatever its age */
    ck_assert_double_eq(rs__user_decay_at(m, 100, 1, 0), 1.0);
    ck_assert_double_eq(rs__user_decay(m, u, -1000000), 1.0);
    ck_assert_ok(rs_user_model_set_double(m, RS_USER_HALF_LIFE, 10.0));
    /* half-life 10 s: 10 s older is a half, 30 s an eighth (exact powers of two) */
    ck_assert_double_eq(rs__user_decay_at(m, 100, 1, 90), 0.5);
    ck_assert_double_eq(rs__user_decay_at(m, 100, 1, 70), 0.125);
    ck_assert_double_eq(rs__user_decay(m, u, 90), 0.5);
    /* an event at or after the reference time, or a user without one, is not discounted */
    ck_assert_double_eq(rs__user_decay_at(m, 100, 1, 100), 1.0);
    ck_assert_double_eq(rs__user_decay_at(m, 100, 1, 500), 1.0);
    ck_assert_double_eq(rs__user_decay_at(m, 100, 0, 0), 1.0);
    /* extreme ages: the factor stays in [0, 1] and never NaN */
    double d = rs__user_decay_at(m, INT64_MAX, 1, INT64_MIN);
    ck_assert(d >= 0.0 && d <= 1.0);
    rs_user_model_free(m);
    rs_item_store_free(store);
}
END_TEST

START_TEST(advance_moves_the_reference_time)
{
    rs_item_store *store = make_store();
    rs_user_model *m;
    ck_assert_ok(rs_user_model_create(store, &m));
    ck_assert_ok(rs_user_model_set_double(m, RS_USER_HALF_LIFE, 10.0));
    uint32_t idx;
    int created;
    ck_assert_ok(rs__user_get_or_create(m, "u", 1, &idx, &created));
    ck_assert_int_eq(created, 1);
    rs__user *u = &m->recs[idx];
    /* the first timestamp becomes the reference, at full weight */
    ck_assert_double_eq(rs__user_advance(m, u, 50), 1.0);
    ck_assert_int_eq(u->has_time, 1);
    ck_assert_int_eq(u->t_ref, 50);
    for (int j = 0; j < 4; j++)
        u->interest[j] = item_vecs[0][j];
    /* a later one scales the interest by 2^(-dt / half-life) and becomes the reference */
    ck_assert_double_eq(rs__user_advance(m, u, 60), 1.0);
    ck_assert_int_eq(u->t_ref, 60);
    for (int j = 0; j < 4; j++)
        ck_assert_float_eq(u->interest[j], item_vecs[0][j] * 0.5f);
    /* an earlier one leaves the reference and returns its own discount */
    ck_assert_double_eq(rs__user_advance(m, u, 40), 0.25);
    ck_assert_int_eq(u->t_ref, 60);
    ck_assert_float_eq(u->interest[0], 0.5f);
    rs_user_model_free(m);
    rs_item_store_free(store);
}
END_TEST

START_TEST(create_and_discard_records)
{
    rs_item_store *store = make_store();
    rs_user_model *m;
    ck_assert_ok(rs_user_model_create(store, &m));
    uint32_t a, b, again;
    int created;
    ck_assert_ok(rs__user_get_or_create(m, "alice", 5, &a, &created));
    ck_assert_int_eq(created, 1);
    ck_assert_uint_eq(rs_user_model_count(m), 1);
    /* a new record is empty: no history, no time, a zero interest */
    ck_assert_uint_eq(m->recs[a].n, 0);
    ck_assert_int_eq(m->recs[a].has_time, 0);
    for (int j = 0; j < 4; j++)
        ck_assert_float_eq(m->recs[a].interest[j], 0.0f);
    /* the key is the given length, not the C string */
    ck_assert_ok(rs__user_get_or_create(m, "alice-and-more", 5, &again, &created));
    ck_assert_int_eq(created, 0);
    ck_assert_uint_eq(again, a);
    ck_assert_ok(rs__user_get_or_create(m, "bob", 3, &b, &created));
    ck_assert_int_eq(created, 1);
    ck_assert_uint_ne(a, b);
    ck_assert_uint_eq(rs_user_model_count(m), 2);
    /* an empty user's blended interest is zero, and says so */
    float v[4] = {9, 9, 9, 9};
    ck_assert_int_eq(rs__user_interest(m, &m->recs[b], v), 0);
    for (int j = 0; j < 4; j++)
        ck_assert_float_eq(v[j], 0.0f);
    /* undoing a creation forgets the user */
    rs__user_discard(m, "bob", 3, b);
    ck_assert_uint_eq(rs_user_model_count(m), 1);
    ck_assert_ptr_null(rs__user_find(m, "bob"));
    ck_assert_ptr_nonnull(rs__user_find(m, "alice"));
    ck_assert_status(rs_user_model_interest(m, "bob", v, 4), RS_ERR_NOTFOUND);
    /* and the user comes back as new */
    ck_assert_ok(rs__user_get_or_create(m, "bob", 3, &b, &created));
    ck_assert_int_eq(created, 1);
    ck_assert_uint_eq(m->recs[b].n, 0);
    rs_user_model_free(m);
    rs_item_store_free(store);
}
END_TEST

START_TEST(creation_out_of_memory_changes_nothing)
{
    rs_item_store *store = make_store();
    rs_user_model *m;
    ck_assert_ok(rs_user_model_create(store, &m));
    ck_assert_ok(rs_user_model_observe(m, "u", "mug", NULL, 1.0, 0));
    bool failed = false;
    for (long n = 1; n < 50; n++) {
        uint32_t idx = UINT32_MAX;
        int created = -1;
        rs__alloc_fail_after(n);
        int rc = rs__user_get_or_create(m, "new", 3, &idx, &created);
        rs__alloc_fail_after(0);
        if (rc == RS_ERR_NOMEM) {
            failed = true;
            ck_assert_errmsg_has("new");
            ck_assert_uint_eq(rs_user_model_count(m), 1);
            ck_assert_ptr_null(rs__user_find(m, "new"));
            continue;
        }
        ck_assert_int_eq(rc, RS_OK);
        ck_assert_int_eq(created, 1);
        ck_assert_uint_eq(rs_user_model_count(m), 2);
        break;
    }
    ck_assert(failed);
    ck_assert_ptr_nonnull(rs__user_find(m, "new"));
    rs_user_model_free(m);
    rs_item_store_free(store);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("user_model");
    TCase *tc = tcase_create("user_model");
    tcase_add_test(tc, user_interest_decay_and_negative);
    tcase_add_test(tc, find_and_decay_factors);
    tcase_add_test(tc, advance_moves_the_reference_time);
    tcase_add_test(tc, create_and_discard_records);
    tcase_add_test(tc, creation_out_of_memory_changes_nothing);
    suite_add_tcase(s, tc);
    return s;
}
