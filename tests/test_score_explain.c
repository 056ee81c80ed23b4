/*
 * test_score_explain.c - the scorer's explanations (score_explain.c) on the
 * small retail-like graph of scorer_fixture.h: the path and its sentence,
 * titles that are long or cannot be read, and allocation failures.
 */
#include "testutil.h"
#include "scorer_fixture.h"

#include "core/alloc.h"
#include "graph/graph_internal.h"

#include <stdbool.h>
#include <string.h>

START_TEST(explain_gives_path_and_sentence)
{
    fixture f;
    uint32_t nodes[8], rels[8];
    size_t len;
    double w;
    int source;
    char text[256];
    fixture_open(&f);
    ck_assert_ok(rs_scorer_explain(f.scorer, "alice", "holder", nodes, rels, 8, &len, &w, &source,
                                   text, sizeof text));
    ck_assert_uint_eq(len, 3);
    ck_assert_int_eq(source, RS_SCORER_FROM_HISTORY);
    ck_assert_double_gt(w, 0.0);
    ck_assert_msg(strstr(text, "because you bought WHITE METAL LANTERN, which shares") != NULL,
                  "%s", text);
    ck_assert_msg(strstr(text, "with this item") != NULL, "%s", text);
    const char *type, *key;
    ck_assert_ok(rs_graph_node_key(f.g, nodes[0], &type, &key));
    ck_assert_str_eq(key, "alice");
    ck_assert_ok(rs_graph_node_key(f.g, nodes[3], &type, &key));
    ck_assert_str_eq(key, "holder");
    ck_assert_uint_ne(rels[1] & RS_GRAPH_REVERSED, RS_GRAPH_REVERSED);
    ck_assert_uint_eq(rels[2] & RS_GRAPH_REVERSED, RS_GRAPH_REVERSED);
    /* too small a path buffer; a tiny text buffer is truncated */
    ck_assert_status(rs_scorer_explain(f.scorer, "alice", "holder", nodes, rels, 2, &len, NULL,
                                       NULL, text, 8), RS_ERR_BUFFER);
    ck_assert_uint_eq(len, 3);
    ck_assert_uint_eq(strlen(text), 7);
    ck_assert_status(rs_scorer_explain(f.scorer, "alice", "nosuch", nodes, rels, 8, &len, NULL,
                                       NULL, NULL, 0), RS_ERR_NOTFOUND);
    fixture_close(&f);
}
END_TEST

START_TEST(titles_read_errors_are_errors)
{
    fixture f;
    rs_scorer *s2 = NULL;
    char long_name[700], text[256];
    uint32_t lantern, nodes[8], rels[8];
    size_t len;
    fixture_open(&f);
    /* a title longer than any fixed buffer is still the title */
    memset(long_name, 'X', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    ck_assert_ok(rs_graph_find_node(f.g, "item", "lantern", &lantern));
    ck_assert_ok(rs_graph_set_property(f.g, lantern, "name", long_name));
    ck_assert_ok(rs_scorer_create(f.g, f.store, f.users, &s2));
    ck_assert_ok(rs_scorer_explain(s2, "alice", "holder", nodes, rels, 8, &len, NULL, NULL, text,
                                   sizeof text));
    ck_assert_msg(strstr(text, "because you bought XXXXXXXXXX") != NULL, "%s", text);
    rs_scorer_free(s2);
    s2 = NULL;
    /* a property table that cannot be read is not "no title" */
    ck_assert_int_eq(sqlite3_exec(rs__graph_db(f.g),
                                  "ALTER TABLE node_props RENAME TO node_props_moved", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    ck_assert_status(rs_scorer_create(f.g, f.store, f.users, &s2), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("node_props");
    ck_assert_ptr_null(s2);
    fixture_close(&f);
}
END_TEST

START_TEST(explain_out_of_memory_is_an_error)
{
    /* every allocation of an explanation failed in turn: either the whole
     * path, or RS_ERR_NOMEM; never RS_OK without the path */
    fixture f;
    uint32_t nodes[8], rels[8];
    size_t len;
    char text[256];
    bool failed = false;
    fixture_open(&f);
    for (long n = 1; n < 1000; n++) {
        rs__alloc_fail_after(n);
        int rc = rs_scorer_explain(f.scorer, "alice", "holder", nodes, rels, 8, &len, NULL, NULL,
                                   text, sizeof text);
        rs__alloc_fail_after(0);
        if (rc == RS_ERR_NOMEM) {
            failed = true;
            continue;
        }
        ck_assert_msg(rc == RS_OK, "allocation %ld: %d %s", n, rc, rs_errmsg());
        ck_assert_msg(len == 3, "allocation %ld: RS_OK with a path of %zu", n, len);
        ck_assert_msg(strstr(text, "because you bought") != NULL, "%s", text);
        if (n > 200)
            break;
    }
    ck_assert(failed);
    fixture_close(&f);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("score_explain");
    TCase *tc = tcase_create("explain");
    tcase_add_test(tc, explain_gives_path_and_sentence);
    tcase_add_test(tc, explain_out_of_memory_is_an_error);
    tcase_add_test(tc, titles_read_errors_are_errors);
    suite_add_tcase(s, tc);
    return s;
}
