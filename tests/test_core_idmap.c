/*
 * test_core_idmap.c - the XXH3 key -> dense index map.
 */
#include "testutil.h"

#include "core/error.h"
#include "core/idmap.h"

#include <stdio.h>
#include <stdlib.h>

static uint32_t intern(rs_idmap *map, const char *key, bool *created)
{
    uint32_t index = RS_IDMAP_NONE;
    ck_assert_int_eq(rs__idmap_intern(map, key, strlen(key), &index, created), 0);
    return index;
}

START_TEST(intern_find_and_key)
{
    rs_idmap *map = rs__idmap_create();
    bool created = false;
    size_t len = 0;
    ck_assert_uint_eq(intern(map, "alice", &created), 0);
    ck_assert(created);
    ck_assert_uint_eq(intern(map, "bob", &created), 1);
    ck_assert_uint_eq(intern(map, "alice", &created), 0);
    ck_assert(!created);
    ck_assert_uint_eq(rs__idmap_find(map, "bob", 3), 1);
    ck_assert_uint_eq(rs__idmap_find(map, "bo", 2), RS_IDMAP_NONE);
    ck_assert_uint_eq(rs__idmap_find(map, "carol", 5), RS_IDMAP_NONE);
    ck_assert_str_eq(rs__idmap_key(map, 1, &len), "bob");
    ck_assert_uint_eq(len, 3);
    ck_assert_ptr_null(rs__idmap_key(map, 2, NULL));
    ck_assert_ptr_null(rs__idmap_key(map, RS_IDMAP_NONE, NULL));
    ck_assert_uint_eq(rs__idmap_count(map), 2);
    ck_assert_uint_eq(rs__idmap_span(map), 2);
    rs__idmap_free(map);
    rs__idmap_free(NULL);
}
END_TEST

START_TEST(keys_are_byte_strings)
{
    /* Embedded NULs, prefixes and UTF-8 are all distinct keys. */
    rs_idmap *map = rs__idmap_create();
    uint32_t a, b, c;
    ck_assert_int_eq(rs__idmap_intern(map, "a\0b", 3, &a, NULL), 0);
    ck_assert_int_eq(rs__idmap_intern(map, "a", 1, &b, NULL), 0);
    ck_assert_int_eq(rs__idmap_intern(map, "\xe8\x8b\xb9\xe6\x9e\x9c", 6, &c, NULL), 0);
    ck_assert_uint_ne(a, b);
    ck_assert_uint_eq(rs__idmap_find(map, "a\0b", 3), a);
    ck_assert_uint_eq(rs__idmap_find(map, "\xe8\x8b\xb9\xe6\x9e\x9c", 6), c);
    ck_assert_uint_eq(rs__idmap_find(map, "", 0), RS_IDMAP_NONE);
    rs__idmap_free(map);
}
END_TEST

START_TEST(bad_arguments)
{
    rs_idmap *map = rs__idmap_create();
    uint32_t index;
    ck_assert_int_eq(rs__idmap_intern(NULL, "x", 1, &index, NULL), RS_ERR_INVALID);
    ck_assert_int_eq(rs__idmap_intern(map, NULL, 1, &index, NULL), RS_ERR_INVALID);
    ck_assert_int_eq(rs__idmap_intern(map, "x", 1, NULL, NULL), RS_ERR_INVALID);
    ck_assert_uint_eq(rs__idmap_find(NULL, "x", 1), RS_IDMAP_NONE);
    ck_assert_uint_eq(rs__idmap_find(map, NULL, 1), RS_IDMAP_NONE);
    ck_assert_uint_eq(rs__idmap_remove(map, "x", 1), RS_IDMAP_NONE);
    ck_assert_int_eq(rs__idmap_move(map, 0, 1), RS_ERR_INVALID);
    ck_assert_uint_eq(rs__idmap_count(NULL), 0);
    ck_assert_int_eq(rs__idmap_reserve(map, (size_t)UINT32_MAX + 5), RS_ERR_LIMIT);
    rs__idmap_free(map);
}
END_TEST

START_TEST(huge_key)
{
    /* A key larger than a pool block gets a block of its own. */
    size_t len = 3u << 20;
    char *key = malloc(len);
    rs_idmap *map = rs__idmap_create();
    uint32_t index;
    memset(key, 'z', len);
    ck_assert_uint_eq(intern(map, "small", NULL), 0);
    ck_assert_int_eq(rs__idmap_intern(map, key, len, &index, NULL), 0);
    ck_assert_uint_eq(intern(map, "after", NULL), 2);
    ck_assert_uint_eq(rs__idmap_find(map, key, len), index);
    ck_assert_str_eq(rs__idmap_key(map, 0, NULL), "small");
    ck_assert_str_eq(rs__idmap_key(map, 2, NULL), "after");
    rs__idmap_free(map);
    free(key);
}
END_TEST

START_TEST(remove_leaves_a_hole_and_keeps_others)
{
    enum { N = 5000 };
    rs_idmap *map = rs__idmap_create();
    char key[32];
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key-%d", i);
        ck_assert_uint_eq(intern(map, key, NULL), (uint32_t)i);
    }
    /* Remove every third key; backward shifting must keep the rest findable. */
    for (int i = 0; i < N; i += 3) {
        snprintf(key, sizeof key, "key-%d", i);
        ck_assert_uint_eq(rs__idmap_remove(map, key, strlen(key)), (uint32_t)i);
        ck_assert_uint_eq(rs__idmap_remove(map, key, strlen(key)), RS_IDMAP_NONE);
    }
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key-%d", i);
        ck_assert_uint_eq(rs__idmap_find(map, key, strlen(key)),
                          i % 3 == 0 ? RS_IDMAP_NONE : (uint32_t)i);
        ck_assert((rs__idmap_key(map, (uint32_t)i, NULL) == NULL) == (i % 3 == 0));
    }
    ck_assert_uint_eq(rs__idmap_count(map), N - (N + 2) / 3);
    ck_assert_uint_eq(rs__idmap_span(map), N);
    /* Re-inserting a removed key gives it a fresh index. */
    ck_assert_uint_eq(intern(map, "key-0", NULL), N);
    rs__idmap_free(map);
}
END_TEST

START_TEST(move_compacts)
{
    rs_idmap *map = rs__idmap_create();
    intern(map, "a", NULL);
    intern(map, "b", NULL);
    intern(map, "c", NULL);
    ck_assert_uint_eq(rs__idmap_remove(map, "a", 1), 0);
    ck_assert_int_eq(rs__idmap_move(map, 2, 1), RS_ERR_INVALID); /* 1 is live */
    ck_assert_int_eq(rs__idmap_move(map, 2, 0), 0);
    ck_assert_uint_eq(rs__idmap_find(map, "c", 1), 0);
    ck_assert_str_eq(rs__idmap_key(map, 0, NULL), "c");
    ck_assert_uint_eq(rs__idmap_span(map), 2);
    ck_assert_uint_eq(intern(map, "d", NULL), 2);
    rs__idmap_free(map);
}
END_TEST

START_TEST(clear_restarts)
{
    rs_idmap *map = rs__idmap_create();
    intern(map, "a", NULL);
    intern(map, "b", NULL);
    rs__idmap_clear(map);
    ck_assert_uint_eq(rs__idmap_count(map), 0);
    ck_assert_uint_eq(rs__idmap_find(map, "a", 1), RS_IDMAP_NONE);
    ck_assert_uint_eq(intern(map, "b", NULL), 0);
    rs__idmap_free(map);
}
END_TEST

/* Ten million keys: every one findable with its own index, memory sane.
 * RS_TEST_BIG_KEYS overrides the count (make valgrind sets a smaller one,
 * since memcheck runs this case 50 times slower). */
START_TEST(ten_million_keys)
{
    const char *override = getenv("RS_TEST_BIG_KEYS");
    const uint32_t N = override ? (uint32_t)strtoul(override, NULL, 10) : 10000000u;
    char miss[32];
    rs_idmap *map = rs__idmap_create();
    char key[32];
    for (uint32_t i = 0; i < N; i++) {
        int len = snprintf(key, sizeof key, "customer:%u", i);
        uint32_t index;
        ck_assert_int_eq(rs__idmap_intern(map, key, (size_t)len, &index, NULL), 0);
        if (index != i)
            ck_abort_msg("key %u got index %u", i, index);
    }
    ck_assert_uint_eq(rs__idmap_count(map), N);
    for (uint32_t i = 0; i < N; i += 7) {
        int len = snprintf(key, sizeof key, "customer:%u", i);
        if (rs__idmap_find(map, key, (size_t)len) != i)
            ck_abort_msg("key %u not found", i);
    }
    snprintf(miss, sizeof miss, "customer:%u", N);
    ck_assert_uint_eq(rs__idmap_find(map, miss, strlen(miss)), RS_IDMAP_NONE);
    /* table, entries and pool: well under 100 bytes a key at scale */
    if (N >= 1000000)
        ck_assert_uint_lt(rs__idmap_memory(map), (size_t)N * 100);
    rs__idmap_free(map);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("core_idmap");
    TCase *tc = tcase_create("idmap");
    TCase *big = tcase_create("idmap_10M");
    tcase_add_test(tc, intern_find_and_key);
    tcase_add_test(tc, keys_are_byte_strings);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, huge_key);
    tcase_add_test(tc, remove_leaves_a_hole_and_keeps_others);
    tcase_add_test(tc, move_compacts);
    tcase_add_test(tc, clear_restarts);
    /* Under valgrind this case takes minutes: allow for it. */
    tcase_set_timeout(big, 1200);
    tcase_add_test(big, ten_million_keys);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, big);
    return s;
}
