/*
 * test_items_store.c - the item store: adding, updating, removing, reading
 * vectors and keys, attributes, compaction, and bad input of every kind.
 */
#include "testutil.h"

#include "core/bitset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static rs_item_store *make_store(size_t dim)
{
    rs_item_store *store = NULL;
    ck_assert_ok(rs_item_store_create(dim, &store));
    ck_assert_ptr_nonnull(store);
    return store;
}

START_TEST(create_and_free)
{
    rs_item_store *store = (rs_item_store *)1;
    ck_assert_status(rs_item_store_create(0, &store), RS_ERR_RANGE);
    ck_assert_ptr_null(store);
    ck_assert_errmsg_has("dimension 0");
    ck_assert_status(rs_item_store_create(RS_ITEM_MAX_DIM + 1, &store), RS_ERR_RANGE);
    ck_assert_status(rs_item_store_create(4, NULL), RS_ERR_INVALID);
    store = make_store(4);
    ck_assert_uint_eq(rs_item_store_dim(store), 4);
    ck_assert_uint_eq(rs_item_store_count(store), 0);
    ck_assert_uint_eq(rs_item_store_span(store), 0);
    rs_item_store_free(store);
    rs_item_store_free(NULL);
    ck_assert_uint_eq(rs_item_store_dim(NULL), 0);
    ck_assert_uint_eq(rs_item_store_count(NULL), 0);
    ck_assert_uint_eq(rs_item_store_span(NULL), 0);
    store = make_store(RS_ITEM_MAX_DIM);
    rs_item_store_free(store);
}
END_TEST

START_TEST(add_get_update_remove)
{
    rs_item_store *store = make_store(3);
    const float a[3] = {1, 2, 3}, b[3] = {-1, 0.5f, 4}, zero[3] = {0, 0, 0};
    float got[3];
    uint32_t index = 99;
    ck_assert_ok(rs_item_store_add(store, "a", a, 3, &index));
    ck_assert_uint_eq(index, 0);
    ck_assert_ok(rs_item_store_add(store, "b", b, 3, &index));
    ck_assert_uint_eq(index, 1);
    ck_assert_ok(rs_item_store_add(store, "zero", zero, 3, NULL));
    ck_assert_uint_eq(rs_item_store_count(store), 3);
    ck_assert_ok(rs_item_store_get(store, "b", got, 3));
    ck_assert_mem_eq(got, b, sizeof b);
    ck_assert_ok(rs_item_store_index(store, "zero", &index));
    ck_assert_uint_eq(index, 2);
    ck_assert_str_eq(rs_item_store_key(store, 1), "b");
    ck_assert_ptr_null(rs_item_store_key(store, 3));
    ck_assert_ptr_null(rs_item_store_key(NULL, 0));

    ck_assert_ok(rs_item_store_update(store, "a", b, 3));
    ck_assert_ok(rs_item_store_get(store, "a", got, 3));
    ck_assert_mem_eq(got, b, sizeof b);

    ck_assert_ok(rs_item_store_remove(store, "a"));
    ck_assert_uint_eq(rs_item_store_count(store), 2);
    ck_assert_uint_eq(rs_item_store_span(store), 3); /* a hole, indices kept */
    ck_assert_ptr_null(rs_item_store_key(store, 0));
    ck_assert_status(rs_item_store_get(store, "a", got, 3), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("'a'");
    ck_assert_ok(rs_item_store_index(store, "b", &index));
    ck_assert_uint_eq(index, 1);
    /* Re-adding takes a new index. */
    ck_assert_ok(rs_item_store_add(store, "a", a, 3, &index));
    ck_assert_uint_eq(index, 3);
    ck_assert_ok(rs_item_store_get(store, "a", got, 3));
    ck_assert_mem_eq(got, a, sizeof a);
    rs_item_store_free(store);
}
END_TEST

START_TEST(bad_input_leaves_store_unchanged)
{
    rs_item_store *store = make_store(3);
    const float a[3] = {1, 2, 3}, b[3] = {4, 5, 6};
    float nan_v[3] = {1, NAN, 3}, inf_v[3] = {1, 2, -INFINITY}, got[3];
    char long_key[RS_MAX_KEY_BYTES + 2];
    uint32_t index;
    int on;
    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    ck_assert_ok(rs_item_store_add(store, "a", a, 3, NULL));

    ck_assert_status(rs_item_store_add(store, "a", b, 3, NULL), RS_ERR_EXISTS);
    ck_assert_status(rs_item_store_add(store, "x", a, 2, NULL), RS_ERR_DIM);
    ck_assert_errmsg_has("dimension 2");
    ck_assert_status(rs_item_store_add(store, "x", nan_v, 3, NULL), RS_ERR_RANGE);
    ck_assert_errmsg_has("NaN at position 1");
    ck_assert_status(rs_item_store_add(store, "x", inf_v, 3, NULL), RS_ERR_RANGE);
    ck_assert_errmsg_has("Inf at position 2");
    ck_assert_status(rs_item_store_add(store, "x", NULL, 3, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_add(store, NULL, a, 3, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_add(store, "", a, 3, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_add(store, "bad\xff", a, 3, NULL), RS_ERR_ENCODING);
    ck_assert_status(rs_item_store_add(store, long_key, a, 3, NULL), RS_ERR_RANGE);
    ck_assert_status(rs_item_store_add(NULL, "x", a, 3, NULL), RS_ERR_INVALID);

    ck_assert_status(rs_item_store_update(store, "a", nan_v, 3), RS_ERR_RANGE);
    ck_assert_status(rs_item_store_update(store, "a", b, 4), RS_ERR_DIM);
    ck_assert_status(rs_item_store_update(store, "nope", b, 3), RS_ERR_NOTFOUND);
    ck_assert_status(rs_item_store_update(NULL, "a", b, 3), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_remove(store, "nope"), RS_ERR_NOTFOUND);
    ck_assert_status(rs_item_store_remove(store, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_remove(NULL, "a"), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_get(store, "a", got, 2), RS_ERR_DIM);
    ck_assert_status(rs_item_store_get(store, "a", NULL, 3), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_get(NULL, "a", got, 3), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_index(store, "nope", &index), RS_ERR_NOTFOUND);
    ck_assert_status(rs_item_store_index(store, "a", NULL), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_index(store, "\xc0\x80", &index), RS_ERR_ENCODING);
    ck_assert_status(rs_item_store_set_attribute(store, "a", RS_ITEM_MAX_ATTRIBUTES, 1),
                     RS_ERR_RANGE);
    ck_assert_status(rs_item_store_set_attribute(store, "nope", 1, 1), RS_ERR_NOTFOUND);
    ck_assert_status(rs_item_store_get_attribute(store, "a", 1, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_compact(NULL), RS_ERR_INVALID);

    /* Nothing changed. */
    ck_assert_uint_eq(rs_item_store_count(store), 1);
    ck_assert_uint_eq(rs_item_store_span(store), 1);
    ck_assert_ok(rs_item_store_get(store, "a", got, 3));
    ck_assert_mem_eq(got, a, sizeof a);
    ck_assert_ok(rs_item_store_get_attribute(store, "a", 1, &on));
    ck_assert_int_eq(on, 0);
    rs_item_store_free(store);
}
END_TEST

START_TEST(many_items_survive_growth)
{
    enum { N = 20000, D = 5 };
    rs_item_store *store = make_store(D);
    char key[32];
    float v[D], got[D];
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "item-%d", i);
        for (int d = 0; d < D; d++)
            v[d] = (float)(i * D + d);
        ck_assert_ok(rs_item_store_add(store, key, v, D, NULL));
    }
    ck_assert_uint_eq(rs_item_store_count(store), N);
    for (int i = 0; i < N; i += 997) {
        uint32_t index;
        snprintf(key, sizeof key, "item-%d", i);
        ck_assert_ok(rs_item_store_get(store, key, got, D));
        ck_assert_float_eq(got[D - 1], (float)(i * D + D - 1));
        ck_assert_ok(rs_item_store_index(store, key, &index));
        ck_assert_uint_eq(index, (uint32_t)i);
        ck_assert_str_eq(rs_item_store_key(store, index), key);
    }
    rs_item_store_free(store);
}
END_TEST

START_TEST(attributes_and_filters)
{
    rs_item_store *store = make_store(2);
    const float v[2] = {1, 1};
    char key[16];
    uint64_t bits[3], small[1];
    int on;
    for (int i = 0; i < 130; i++) {
        snprintf(key, sizeof key, "i%d", i);
        ck_assert_ok(rs_item_store_add(store, key, v, 2, NULL));
        if (i % 2 == 0)
            ck_assert_ok(rs_item_store_set_attribute(store, key, 7, 1));
        if (i % 3 == 0)
            ck_assert_ok(rs_item_store_set_attribute(store, key, 4000, 1));
    }
    ck_assert_ok(rs_item_store_get_attribute(store, "i4", 7, &on));
    ck_assert_int_eq(on, 1);
    ck_assert_ok(rs_item_store_get_attribute(store, "i5", 7, &on));
    ck_assert_int_eq(on, 0);
    ck_assert_ok(rs_item_store_get_attribute(store, "i5", 3, &on)); /* never set */
    ck_assert_int_eq(on, 0);
    ck_assert_ok(rs_item_store_set_attribute(store, "i4", 7, 0));
    ck_assert_ok(rs_item_store_get_attribute(store, "i4", 7, &on));
    ck_assert_int_eq(on, 0);
    ck_assert_ok(rs_item_store_set_attribute(store, "i5", 9, 0)); /* clear unset: no-op */

    uint32_t both[2] = {7, 4000};
    memset(bits, 0xff, sizeof bits);
    ck_assert_ok(rs_item_store_attribute_filter(store, both, 2, 1, bits, 3));
    for (size_t i = 0; i < 130; i++)
        ck_assert_int_eq(rs__bitset_test(bits, i), i % 6 == 0);
    ck_assert_uint_eq(bits[2] >> 2, 0); /* beyond the span: clear */
    ck_assert_ok(rs_item_store_attribute_filter(store, both, 2, 0, bits, 3));
    for (size_t i = 0; i < 130; i++)
        ck_assert_int_eq(rs__bitset_test(bits, i), (i % 2 == 0 && i != 4) || i % 3 == 0);
    ck_assert_ok(rs_item_store_attribute_filter(store, NULL, 0, 1, bits, 3));
    ck_assert_uint_eq(rs__bitset_count(bits, 192), 130);
    /* Removing an item clears its bits. */
    ck_assert_ok(rs_item_store_remove(store, "i6"));
    ck_assert_ok(rs_item_store_attribute_filter(store, both, 2, 1, bits, 3));
    ck_assert(!rs__bitset_test(bits, 6));
    ck_assert(rs__bitset_test(bits, 12));

    ck_assert_status(rs_item_store_attribute_filter(store, both, 2, 1, small, 1),
                     RS_ERR_BUFFER);
    ck_assert_errmsg_has("3 needed");
    ck_assert_status(rs_item_store_attribute_filter(store, NULL, 2, 1, bits, 3),
                     RS_ERR_INVALID);
    ck_assert_status(rs_item_store_attribute_filter(store, both, 2, 1, NULL, 3),
                     RS_ERR_INVALID);
    both[1] = RS_ITEM_MAX_ATTRIBUTES;
    ck_assert_status(rs_item_store_attribute_filter(store, both, 2, 1, bits, 3), RS_ERR_RANGE);
    rs_item_store_free(store);
}
END_TEST

START_TEST(compact_closes_holes)
{
    rs_item_store *store = make_store(2);
    char key[16];
    float v[2], got[2];
    uint32_t index;
    int on;
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof key, "i%d", i);
        v[0] = (float)i, v[1] = (float)-i;
        ck_assert_ok(rs_item_store_add(store, key, v, 2, NULL));
    }
    ck_assert_ok(rs_item_store_set_attribute(store, "i9", 2, 1));
    ck_assert_ok(rs_item_store_remove(store, "i1"));
    ck_assert_ok(rs_item_store_remove(store, "i4"));
    ck_assert_ok(rs_item_store_remove(store, "i8"));
    ck_assert_ok(rs_item_store_compact(store));
    ck_assert_uint_eq(rs_item_store_count(store), 7);
    ck_assert_uint_eq(rs_item_store_span(store), 7);
    for (uint32_t i = 0; i < 7; i++)
        ck_assert_ptr_nonnull(rs_item_store_key(store, i));
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof key, "i%d", i);
        if (i == 1 || i == 4 || i == 8) {
            ck_assert_status(rs_item_store_index(store, key, &index), RS_ERR_NOTFOUND);
            continue;
        }
        ck_assert_ok(rs_item_store_index(store, key, &index));
        ck_assert_str_eq(rs_item_store_key(store, index), key);
        ck_assert_ok(rs_item_store_get(store, key, got, 2));
        ck_assert_float_eq(got[0], (float)i);
    }
    ck_assert_ok(rs_item_store_get_attribute(store, "i9", 2, &on));
    ck_assert_int_eq(on, 1);
    ck_assert_ok(rs_item_store_index(store, "i9", &index));
    ck_assert_uint_eq(index, 1); /* the last item filled the first hole */
    ck_assert_ok(rs_item_store_compact(store)); /* nothing to do */
    ck_assert_uint_eq(rs_item_store_span(store), 7);
    rs_item_store_free(store);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("items_store");
    TCase *tc = tcase_create("store");
    tcase_add_test(tc, create_and_free);
    tcase_add_test(tc, add_get_update_remove);
    tcase_add_test(tc, bad_input_leaves_store_unchanged);
    tcase_add_test(tc, many_items_survive_growth);
    tcase_add_test(tc, attributes_and_filters);
    tcase_add_test(tc, compact_closes_holes);
    suite_add_tcase(s, tc);
    return s;
}
