/*
 * test_eval_split.c - the split rules on hand-made logs (sizes and
 * contents, determinism, validation carved from train), the event log
 * (keys, bad input, graph import) and its TSV file round trip.
 */
#include "graph_fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t count_part(const uint8_t *parts, size_t n, int part)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += parts[i] == part;
    return c;
}

START_TEST(temporal_cut_and_validation)
{
    const int64_t times[] = {5, 10, 15, 20, 25, 30, 1, 29};
    uint8_t parts[8] = {0};
    ck_assert_ok(rs_split_temporal(times, 8, 20, RS_PART_TEST, parts));
    const uint8_t want[] = {0, 0, 0, 1, 1, 1, 0, 1};
    ck_assert_mem_eq(parts, want, 8);
    /* the validation split is carved from train only, by the same rule */
    ck_assert_ok(rs_split_temporal(times, 8, 10, RS_PART_VALID, parts));
    const uint8_t want2[] = {0, 2, 2, 1, 1, 1, 0, 1};
    ck_assert_mem_eq(parts, want2, 8);
    /* a cut before everything moves all train events; n = 0 is fine */
    ck_assert_ok(rs_split_temporal(times, 8, INT64_MIN, RS_PART_TEST, parts));
    ck_assert_uint_eq(count_part(parts, 8, RS_PART_TRAIN), 0);
    ck_assert_uint_eq(count_part(parts, 8, RS_PART_VALID), 2);
    ck_assert_ok(rs_split_temporal(NULL, 0, 0, RS_PART_TEST, NULL));
}
END_TEST

START_TEST(temporal_bad_input)
{
    const int64_t times[] = {1, 2};
    uint8_t parts[2] = {0, 0};
    ck_assert_status(rs_split_temporal(NULL, 2, 0, RS_PART_TEST, parts), RS_ERR_INVALID);
    ck_assert_status(rs_split_temporal(times, 2, 0, RS_PART_TEST, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_split_temporal(times, 2, 0, RS_PART_TRAIN, parts), RS_ERR_INVALID);
    ck_assert_errmsg_has("part 0");
    ck_assert_status(rs_split_temporal(times, 2, 0, 7, parts), RS_ERR_INVALID);
    parts[1] = 9;
    ck_assert_status(rs_split_temporal(times, 2, 0, RS_PART_TEST, parts), RS_ERR_INVALID);
    ck_assert_errmsg_has("parts[1]");
    ck_assert_uint_eq(parts[0], 0);
}
END_TEST

/* User 0: 10 distinct items, item 3 twice; user 1: 3 items; user 2: 1 item. */
#define RN 15
static const uint32_t r_users[RN] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2};
static const uint32_t r_items[RN] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 0, 1, 2, 7};

START_TEST(random_holdout_sizes_and_pairs)
{
    uint8_t parts[RN] = {0};
    ck_assert_ok(rs_split_random(r_users, r_items, RN, 0.3, 4, 42, RS_PART_TEST, parts));
    /* user 0: round(0.3 * 10) = 3 distinct items; user 1 has 3 < 4 items and
     * user 2 one: both keep everything */
    size_t held_items = 0;
    for (uint32_t item = 0; item < 10; item++) {
        int held = -1;
        for (size_t i = 0; i < 11; i++)
            if (r_items[i] == item) {
                if (held >= 0)
                    ck_assert_int_eq(held, parts[i]); /* a pair moves whole */
                held = parts[i];
            }
        held_items += held == RS_PART_TEST;
    }
    ck_assert_uint_eq(held_items, 3);
    for (size_t i = 11; i < RN; i++)
        ck_assert_uint_eq(parts[i], RS_PART_TRAIN);

    /* the same seed gives the same split; events in another order too */
    uint32_t u2[RN], i2[RN];
    uint8_t p2[RN] = {0}, p3[RN] = {0};
    for (size_t i = 0; i < RN; i++) {
        u2[i] = r_users[RN - 1 - i];
        i2[i] = r_items[RN - 1 - i];
    }
    ck_assert_ok(rs_split_random(u2, i2, RN, 0.3, 4, 42, RS_PART_TEST, p2));
    for (size_t i = 0; i < RN; i++)
        ck_assert_uint_eq(p2[RN - 1 - i], parts[i]);
    /* another seed: some seed among a few gives another choice */
    int differs = 0;
    for (uint64_t seed = 1; seed < 6 && !differs; seed++) {
        memset(p3, 0, sizeof p3);
        ck_assert_ok(rs_split_random(r_users, r_items, RN, 0.3, 4, seed, RS_PART_TEST, p3));
        ck_assert_uint_eq(count_part(p3, RN, RS_PART_TEST), count_part(parts, RN, RS_PART_TEST));
        differs = memcmp(p3, parts, RN) != 0;
    }
    ck_assert(differs);
}
END_TEST

START_TEST(random_holdout_bounds)
{
    uint8_t parts[RN] = {0};
    /* min_history 0 still needs 2 items; fraction tiny holds 1, huge keeps 1 */
    ck_assert_ok(rs_split_random(r_users, r_items, RN, 0.01, 0, 7, RS_PART_TEST, parts));
    ck_assert_uint_eq(count_part(parts + 11, 3, RS_PART_TEST), 1); /* user 1: 1 of 3 */
    ck_assert_uint_eq(parts[14], RS_PART_TRAIN);                   /* user 2: 1 item */
    memset(parts, 0, sizeof parts);
    ck_assert_ok(rs_split_random(r_users, r_items, RN, 0.99, 0, 7, RS_PART_TEST, parts));
    ck_assert_uint_eq(count_part(parts + 11, 3, RS_PART_TEST), 2); /* user 1 keeps one */
    /* every user is down to one train item: a validation carve moves nothing */
    uint8_t before[RN];
    memcpy(before, parts, RN);
    ck_assert_ok(rs_split_random(r_users, r_items, RN, 0.5, 0, 7, RS_PART_VALID, parts));
    ck_assert_mem_eq(parts, before, RN);
    /* validation carved from the train left by a 0.3 hold-out: user 0 keeps
     * 7 items and round(0.5 * 7) = 4 of them go to validation; user 1 keeps
     * 2 of 3 and gives 1 */
    memset(parts, 0, sizeof parts);
    ck_assert_ok(rs_split_random(r_users, r_items, RN, 0.3, 0, 7, RS_PART_TEST, parts));
    memcpy(before, parts, RN);
    ck_assert_ok(rs_split_random(r_users, r_items, RN, 0.5, 0, 7, RS_PART_VALID, parts));
    for (size_t i = 0; i < RN; i++)
        if (before[i] == RS_PART_TEST)
            ck_assert_uint_eq(parts[i], RS_PART_TEST);
    size_t valid_items = 0;
    for (uint32_t item = 0; item < 10; item++)
        for (size_t i = 0; i < 11; i++)
            if (r_items[i] == item) {
                valid_items += parts[i] == RS_PART_VALID;
                break;
            }
    ck_assert_uint_eq(valid_items, 4);
    ck_assert_uint_eq(count_part(parts + 11, 3, RS_PART_VALID), 1);
}
END_TEST

START_TEST(random_bad_input)
{
    uint8_t parts[RN] = {0}, copy[RN];
    memcpy(copy, parts, RN);
    ck_assert_status(rs_split_random(r_users, r_items, RN, 0.0, 0, 1, RS_PART_TEST, parts),
                     RS_ERR_RANGE);
    ck_assert_errmsg_has("fraction");
    ck_assert_status(rs_split_random(r_users, r_items, RN, 1.0, 0, 1, RS_PART_TEST, parts),
                     RS_ERR_RANGE);
    ck_assert_status(rs_split_random(r_users, r_items, RN, NAN, 0, 1, RS_PART_TEST, parts),
                     RS_ERR_RANGE);
    ck_assert_status(rs_split_random(NULL, r_items, RN, 0.5, 0, 1, RS_PART_TEST, parts),
                     RS_ERR_INVALID);
    ck_assert_status(rs_split_random(r_users, NULL, RN, 0.5, 0, 1, RS_PART_TEST, parts),
                     RS_ERR_INVALID);
    ck_assert_status(rs_split_random(r_users, r_items, RN, 0.5, 0, 1, RS_PART_TRAIN, parts),
                     RS_ERR_INVALID);
    ck_assert_mem_eq(parts, copy, RN);
    ck_assert_ok(rs_split_random(NULL, NULL, 0, 0.5, 0, 1, RS_PART_TEST, NULL));
}
END_TEST

START_TEST(leave_last_n)
{
    /* user 0 meets items 5 (t=1), 6 (t=3), 7 (t=3, later in the arrays), 8
     * (t=2), and buys 5 again at t=9; user 1 has 2 items; user 2 one. */
    const uint32_t users[] = {0, 0, 0, 0, 0, 1, 1, 2};
    const uint32_t items[] = {5, 6, 7, 8, 5, 1, 2, 3};
    const int64_t times[] = {1, 3, 3, 2, 9, 4, 5, 6};
    uint8_t parts[8] = {0};
    ck_assert_ok(rs_split_last(users, items, times, 8, 2, 3, RS_PART_TEST, parts));
    /* by first event: 5 (1), 8 (2), 6 (3), 7 (3, later index): last two 6, 7;
     * user 1 (2 items < min_history 3) and user 2 keep everything */
    const uint8_t want[] = {0, 1, 1, 0, 0, 0, 0, 0};
    ck_assert_mem_eq(parts, want, 8);
    /* n_last larger than a history keeps one item; min_history 0 acts as 2 */
    memset(parts, 0, sizeof parts);
    ck_assert_ok(rs_split_last(users, items, times, 8, 10, 0, RS_PART_VALID, parts));
    /* user 0 keeps its first item (5), with every event of it */
    const uint8_t want3[] = {0, 2, 2, 2, 0, 0, 2, 0};
    ck_assert_msg(memcmp(parts, want3, 8) == 0, "got %u%u%u%u%u%u%u%u", parts[0], parts[1],
                  parts[2], parts[3], parts[4], parts[5], parts[6], parts[7]);
    ck_assert_status(rs_split_last(users, items, times, 8, 0, 0, RS_PART_TEST, parts),
                     RS_ERR_RANGE);
    ck_assert_status(rs_split_last(users, items, NULL, 8, 1, 0, RS_PART_TEST, parts),
                     RS_ERR_INVALID);
}
END_TEST

START_TEST(events_add_and_bad_keys)
{
    rs_events *ev;
    const char *u, *i;
    int64_t t;
    double w;
    int part;
    char long_key[RS_MAX_KEY_BYTES + 2];
    ck_assert_status(rs_events_create(NULL), RS_ERR_INVALID);
    ck_assert_ok(rs_events_create(&ev));
    ck_assert_ok(rs_events_add(ev, "alice", "apple", 100, 2.5));
    ck_assert_ok(rs_events_add(ev, "bob", "apple", 50, 1));
    ck_assert_status(rs_events_add(ev, NULL, "x", 0, 1), RS_ERR_INVALID);
    ck_assert_status(rs_events_add(ev, "", "x", 0, 1), RS_ERR_INVALID);
    ck_assert_status(rs_events_add(ev, "a\tb", "x", 0, 1), RS_ERR_INVALID);
    ck_assert_errmsg_has("tab");
    ck_assert_status(rs_events_add(ev, "carol", "x\ny", 0, 1), RS_ERR_INVALID);
    ck_assert_status(rs_events_add(ev, "carol", "\xff\xfe", 0, 1), RS_ERR_ENCODING);
    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    ck_assert_status(rs_events_add(ev, long_key, "x", 0, 1), RS_ERR_RANGE);
    ck_assert_status(rs_events_add(ev, "carol", "x", 0, NAN), RS_ERR_RANGE);
    ck_assert_status(rs_events_add(ev, "carol", "x", 0, INFINITY), RS_ERR_RANGE);
    ck_assert_status(rs_events_add(NULL, "carol", "x", 0, 1), RS_ERR_INVALID);
    ck_assert_uint_eq(rs_events_count(ev), 2);
    ck_assert_uint_eq(rs_events_count(NULL), 0);
    ck_assert_ok(rs_events_get(ev, 0, &u, &i, &t, &w, &part));
    ck_assert_str_eq(u, "alice");
    ck_assert_str_eq(i, "apple");
    ck_assert_int_eq(t, 100);
    ck_assert_double_eq(w, 2.5);
    ck_assert_int_eq(part, RS_PART_TRAIN);
    ck_assert_ok(rs_events_get(ev, 1, NULL, NULL, NULL, NULL, NULL));
    ck_assert_status(rs_events_get(ev, 2, &u, NULL, NULL, NULL, NULL), RS_ERR_NOTFOUND);
    ck_assert_status(rs_events_get(NULL, 0, &u, NULL, NULL, NULL, NULL), RS_ERR_INVALID);
    ck_assert_ok(rs_events_split_temporal(ev, 60, RS_PART_TEST));
    ck_assert_uint_eq(rs_events_part_count(ev, RS_PART_TEST), 1);
    ck_assert_uint_eq(rs_events_part_count(ev, RS_PART_TRAIN), 1);
    ck_assert_uint_eq(rs_events_part_count(ev, 5), 0);
    ck_assert_ok(rs_events_reset(ev));
    ck_assert_uint_eq(rs_events_part_count(ev, RS_PART_TRAIN), 2);
    ck_assert_status(rs_events_split_random(NULL, 0.5, 0, 1, RS_PART_TEST), RS_ERR_INVALID);
    ck_assert_status(rs_events_split_last(NULL, 1, 0, RS_PART_TEST), RS_ERR_INVALID);
    ck_assert_status(rs_events_split_temporal(NULL, 1, RS_PART_TEST), RS_ERR_INVALID);
    ck_assert_status(rs_events_reset(NULL), RS_ERR_INVALID);
    rs_events_free(ev);
    rs_events_free(NULL);
}
END_TEST

static char *temp_path(const char *tag)
{
    static int counter;
    char *path = malloc(256);
    ck_assert_ptr_nonnull(path);
    snprintf(path, 256, "%s/rs_eval_%s_%d_%d.tsv", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             tag, (int)getpid(), counter++);
    return path;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(events_file_round_trip)
{
    rs_events *ev, *back;
    char *path = temp_path("roundtrip");
    const char *users[] = {"u1", "u2", "ü3", "u1", "u2", "u1"};
    const char *items[] = {"i1", "i2", "i1", "i3", "i3", "日本"};
    ck_assert_ok(rs_events_create(&ev));
    for (int i = 0; i < 6; i++)
        ck_assert_ok(rs_events_add(ev, users[i], items[i], 1000 + i * 10 - (i == 5) * 5000,
                                   i == 2 ? 0.1 : 1.0 / 3 + i));
    ck_assert_ok(rs_events_split_temporal(ev, 1030, RS_PART_TEST));
    ck_assert_ok(rs_events_split_temporal(ev, 1010, RS_PART_VALID));
    ck_assert_ok(rs_events_write(ev, path));
    ck_assert_ok(rs_events_read(path, &back));
    ck_assert_uint_eq(rs_events_count(back), 6);
    for (size_t i = 0; i < 6; i++) {
        const char *u1, *i1, *u2, *i2;
        int64_t t1, t2;
        double w1, w2;
        int p1, p2;
        ck_assert_ok(rs_events_get(ev, i, &u1, &i1, &t1, &w1, &p1));
        ck_assert_ok(rs_events_get(back, i, &u2, &i2, &t2, &w2, &p2));
        ck_assert_str_eq(u1, u2);
        ck_assert_str_eq(i1, i2);
        ck_assert_int_eq(t1, t2);
        ck_assert(w1 == w2); /* 17 digits read back exactly */
        ck_assert_int_eq(p1, p2);
    }
    ck_assert_uint_eq(rs_events_part_count(back, RS_PART_TEST), 2);
    ck_assert_uint_eq(rs_events_part_count(back, RS_PART_VALID), 2);
    rs_events_free(back);

    /* a plain user/item file: time 0, weight 1, train */
    write_text(path, "user\titem\nx\ty\nx\tz\n");
    ck_assert_ok(rs_events_read(path, &back));
    ck_assert_uint_eq(rs_events_count(back), 2);
    {
        int64_t t;
        double w;
        int p;
        ck_assert_ok(rs_events_get(back, 1, NULL, NULL, &t, &w, &p));
        ck_assert_int_eq(t, 0);
        ck_assert_double_eq(w, 1.0);
        ck_assert_int_eq(p, RS_PART_TRAIN);
    }
    rs_events_free(back);
    rs_events_free(ev);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(events_file_bad_input)
{
    rs_events *ev = (rs_events *)1;
    char *path = temp_path("bad");
    ck_assert_status(rs_events_read(path, &ev), RS_ERR_IO);
    ck_assert_ptr_null(ev);
    ck_assert_status(rs_events_read(NULL, &ev), RS_ERR_INVALID);
    ck_assert_status(rs_events_read(path, NULL), RS_ERR_INVALID);
    write_text(path, "user\titem\ttime\tweight\tpart\na\tb\t1\t1\tholdout\n");
    ck_assert_status(rs_events_read(path, &ev), RS_ERR_PARSE);
    ck_assert_errmsg_has(":2");
    ck_assert_errmsg_has("holdout");
    write_text(path, "user\titem\ttime\na\tb\tyesterday\n");
    ck_assert_status(rs_events_read(path, &ev), RS_ERR_PARSE);
    write_text(path, "user\titem\tweight\na\tb\tnan\n");
    ck_assert_status(rs_events_read(path, &ev), RS_ERR_RANGE);
    write_text(path, "customer\tthing\na\tb\n");
    ck_assert_status(rs_events_read(path, &ev), RS_ERR_NOTFOUND);
    write_text(path, "user\titem\na\t\n");
    ck_assert_status(rs_events_read(path, &ev), RS_ERR_INVALID);
    ck_assert_errmsg_has(":2");
    write_text(path, "user\titem\na\t\xc3\x28\n");
    ck_assert_status(rs_events_read(path, &ev), RS_ERR_ENCODING);
    write_text(path, "user\titem\na\tb\tc\n");
    ck_assert_status(rs_events_read(path, &ev), RS_ERR_PARSE);
    ck_assert_ptr_null(ev);
    /* writing: a directory that does not exist */
    ck_assert_ok(rs_events_create(&ev));
    ck_assert_status(rs_events_write(ev, "/nonexistent-dir/x.tsv"), RS_ERR_IO);
    ck_assert_errmsg_has("/nonexistent-dir/x.tsv");
    ck_assert_status(rs_events_write(ev, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_events_write(NULL, path), RS_ERR_INVALID);
    rs_events_free(ev);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(events_from_graph)
{
    rs_graph *g;
    rs_events *ev;
    uint32_t alice, bob, apple, pear, brand, bought, viewed, has_brand;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_add_node(g, "user", "alice", &alice));
    ck_assert_ok(rs_graph_add_node(g, "item", "pear", &pear));
    ck_assert_ok(rs_graph_add_node(g, "item", "apple", &apple));
    ck_assert_ok(rs_graph_add_node(g, "user", "bob", &bob));
    ck_assert_ok(rs_graph_add_node(g, "brand", "acme", &brand));
    ck_assert_ok(rs_graph_add_relation(g, "bought", &bought));
    ck_assert_ok(rs_graph_add_relation(g, "viewed", &viewed));
    ck_assert_ok(rs_graph_add_relation(g, "has_brand", &has_brand));
    ck_assert_ok(rs_graph_add_edge(g, alice, bought, apple, 2, 200, RS_GRAPH_MERGE_NONE));
    ck_assert_ok(rs_graph_add_edge(g, alice, bought, pear, 1, 100, RS_GRAPH_MERGE_NONE));
    ck_assert_ok(rs_graph_add_edge(g, bob, viewed, pear, 3, 300, RS_GRAPH_MERGE_NONE));
    ck_assert_ok(rs_graph_add_edge(g, apple, has_brand, brand, 1, 0, RS_GRAPH_MERGE_NONE));
    ck_assert_ok(rs_graph_add_edge(g, alice, bought, bob, 1, 0, RS_GRAPH_MERGE_NONE));

    ck_assert_ok(rs_events_from_graph(g, NULL, &ev));
    ck_assert_uint_eq(rs_events_count(ev), 3); /* user -> item edges only */
    {
        const char *u, *i;
        int64_t t;
        double w;
        /* by user node, then item node: alice-pear (pear was created first) */
        ck_assert_ok(rs_events_get(ev, 0, &u, &i, &t, &w, NULL));
        ck_assert_str_eq(u, "alice");
        ck_assert_str_eq(i, "pear");
        ck_assert_int_eq(t, 100);
        ck_assert_double_eq(w, 1);
        ck_assert_ok(rs_events_get(ev, 1, &u, &i, &t, &w, NULL));
        ck_assert_str_eq(i, "apple");
        ck_assert_int_eq(t, 200);
        ck_assert_double_eq(w, 2);
        ck_assert_ok(rs_events_get(ev, 2, &u, &i, &t, &w, NULL));
        ck_assert_str_eq(u, "bob");
        ck_assert_int_eq(t, 300);
    }
    rs_events_free(ev);
    ck_assert_ok(rs_events_from_graph(g, "bought", &ev));
    ck_assert_uint_eq(rs_events_count(ev), 2);
    rs_events_free(ev);
    ev = (rs_events *)1;
    ck_assert_status(rs_events_from_graph(g, "liked", &ev), RS_ERR_NOTFOUND);
    ck_assert_ptr_null(ev);
    ck_assert_status(rs_events_from_graph(NULL, NULL, &ev), RS_ERR_INVALID);
    ck_assert_status(rs_events_from_graph(g, NULL, NULL), RS_ERR_INVALID);
    rs_graph_close(g);

    /* a graph without users or items gives an empty log */
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_events_from_graph(g, NULL, &ev));
    ck_assert_uint_eq(rs_events_count(ev), 0);
    rs_events_free(ev);
    rs_graph_close(g);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("eval_split");
    TCase *tc = tcase_create("split");
    tcase_add_test(tc, temporal_cut_and_validation);
    tcase_add_test(tc, temporal_bad_input);
    tcase_add_test(tc, random_holdout_sizes_and_pairs);
    tcase_add_test(tc, random_holdout_bounds);
    tcase_add_test(tc, random_bad_input);
    tcase_add_test(tc, leave_last_n);
    tcase_add_test(tc, events_add_and_bad_keys);
    tcase_add_test(tc, events_file_round_trip);
    tcase_add_test(tc, events_file_bad_input);
    tcase_add_test(tc, events_from_graph);
    suite_add_tcase(s, tc);
    return s;
}
