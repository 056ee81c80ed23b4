/*
 * test_graph_rollback.c - what a rolled-back bulk load leaves behind: the
 * relations it created are gone from rs_graph_relation_count() and the
 * names, their indices stay unused, in memory and after reopening the file.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void build_base(rs_graph *g, uint32_t *a, uint32_t *b, uint32_t *rel)
{
    ck_assert_ok(rs_graph_add_node(g, "user", "u1", a));
    ck_assert_ok(rs_graph_add_node(g, "item", "i1", b));
    ck_assert_ok(rs_graph_add_relation(g, "bought", rel));
    ck_assert_ok(rs_graph_add_edge(g, *a, *rel, *b, 1.0, 0, RS_GRAPH_MERGE_NONE));
}

START_TEST(abort_forgets_relations)
{
    rs_graph *g;
    uint32_t a, b, bought, viewed, rated, again;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    build_base(g, &a, &b, &bought);
    ck_assert_uint_eq(rs_graph_relation_count(g), 1);

    ck_assert_ok(rs_graph_bulk_begin(g));
    ck_assert_ok(rs_graph_add_relation(g, "viewed", &viewed));
    ck_assert_ok(rs_graph_add_relation(g, "rated", &rated));
    ck_assert_ok(rs_graph_add_node(g, "brand", "acme", &again));
    ck_assert_uint_eq(rs_graph_relation_count(g), 3);
    ck_assert_ok(rs_graph_bulk_abort(g));

    ck_assert_uint_eq(rs_graph_relation_count(g), 1);
    ck_assert_str_eq(rs_graph_relation_name(g, bought), "bought");
    ck_assert_ptr_null(rs_graph_relation_name(g, viewed));
    ck_assert_status(rs_graph_find_relation(g, "viewed", &again), RS_ERR_NOTFOUND);
    /* the rolled-back indices stay unused: a stale one fails */
    ck_assert_status(rs_graph_add_edge(g, a, viewed, b, 1.0, 0, RS_GRAPH_MERGE_NONE),
                     RS_ERR_NOTFOUND);
    ck_assert_ok(rs_graph_add_relation(g, "liked", &again));
    ck_assert_uint_gt(again, rated);
    ck_assert_uint_eq(rs_graph_relation_count(g), 2);
    ck_assert_ptr_null(rs_graph_relation_name(g, rated));
    ck_assert_str_eq(rs_graph_relation_name(g, again), "liked");
    ck_assert_ok(rs_graph_add_edge(g, a, again, b, 2.0, 0, RS_GRAPH_MERGE_NONE));
    ck_assert_uint_eq(rs_graph_edge_count(g), 2);
    rs_graph_close(g);
}
END_TEST

START_TEST(failed_commit_forgets_relations)
{
    rs_graph *g;
    uint32_t a, b, bought, viewed, again;
    char path[256];
    snprintf(path, sizeof path, "%s/rs_graph_rollback_%d.db",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    unlink(path);
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    build_base(g, &a, &b, &bought);
    ck_assert_ok(rs_graph_bulk_begin(g));
    ck_assert_ok(rs_graph_add_relation(g, "viewed", &viewed));
    ck_assert_ok(rs_graph_add_edge(g, a, viewed, b, 1.0, 0, RS_GRAPH_MERGE_NONE));
    /* a duplicate of an existing edge: the commit fails and rolls back */
    ck_assert_ok(rs_graph_add_edge(g, a, bought, b, 1.0, 0, RS_GRAPH_MERGE_NONE));
    ck_assert_status(rs_graph_bulk_commit(g), RS_ERR_EXISTS);
    ck_assert_uint_eq(rs_graph_relation_count(g), 1);
    ck_assert_uint_eq(rs_graph_edge_count(g), 1);
    ck_assert_ok(rs_graph_add_relation(g, "clicked", &again));
    ck_assert_uint_eq(rs_graph_relation_count(g), 2);
    ck_assert_str_eq(rs_graph_relation_name(g, again), "clicked");
    rs_graph_close(g);

    /* the file agrees with what memory said; indices are dense again */
    ck_assert_ok(rs_graph_open(path, 0, &g));
    ck_assert_uint_eq(rs_graph_relation_count(g), 2);
    ck_assert_str_eq(rs_graph_relation_name(g, 1), "clicked");
    ck_assert_status(rs_graph_find_relation(g, "viewed", &again), RS_ERR_NOTFOUND);
    rs_graph_close(g);
    unlink(path);
}
END_TEST

START_TEST(abort_without_additions)
{
    rs_graph *g;
    uint32_t a, b, bought;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    build_base(g, &a, &b, &bought);
    ck_assert_ok(rs_graph_bulk_begin(g));
    ck_assert_ok(rs_graph_bulk_abort(g));
    ck_assert_uint_eq(rs_graph_relation_count(g), 1);
    ck_assert_status(rs_graph_bulk_abort(g), RS_ERR_STATE);
    ck_assert_status(rs_graph_bulk_abort(NULL), RS_ERR_INVALID);
    rs_graph_close(g);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("graph_rollback");
    TCase *tc = tcase_create("rollback");
    tcase_add_test(tc, abort_forgets_relations);
    tcase_add_test(tc, failed_commit_forgets_relations);
    tcase_add_test(tc, abort_without_additions);
    suite_add_tcase(s, tc);
    return s;
}
