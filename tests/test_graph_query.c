/*
 * test_graph_query.c - properties, neighbours, k-hop, best paths, key and
 * full-text search.
 */
#include "graph_fixture.h"
#include "graph/graph_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static rs_graph *g;
static uint32_t alice, bob, carol, phone, laptop, cable, acme, bought, has_brand, friend_of;

/*
 * alice -bought-> phone -has_brand-> acme <-has_brand- laptop
 * bob -bought-> phone, bob -bought-> laptop, bob -bought-> cable
 * alice -friend_of-> bob, carol (no edges)
 */
static void setup(void)
{
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_add_node(g, "user", "alice", &alice));
    ck_assert_ok(rs_graph_add_node(g, "user", "bob", &bob));
    ck_assert_ok(rs_graph_add_node(g, "user", "carol", &carol));
    ck_assert_ok(rs_graph_add_node(g, "item", "phone", &phone));
    ck_assert_ok(rs_graph_add_node(g, "item", "laptop", &laptop));
    ck_assert_ok(rs_graph_add_node(g, "item", "cable", &cable));
    ck_assert_ok(rs_graph_add_node(g, "brand", "acme", &acme));
    ck_assert_ok(rs_graph_add_relation(g, "bought", &bought));
    ck_assert_ok(rs_graph_add_relation(g, "has_brand", &has_brand));
    ck_assert_ok(rs_graph_add_relation(g, "friend_of", &friend_of));
    ck_assert_ok(rs_graph_add_edge(g, alice, bought, phone, 1.0, 0, 0));
    ck_assert_ok(rs_graph_add_edge(g, phone, has_brand, acme, 1.0, 0, 0));
    ck_assert_ok(rs_graph_add_edge(g, laptop, has_brand, acme, 1.0, 0, 0));
    ck_assert_ok(rs_graph_add_edge(g, bob, bought, phone, 0.5, 0, 0));
    ck_assert_ok(rs_graph_add_edge(g, bob, bought, laptop, 0.8, 0, 0));
    ck_assert_ok(rs_graph_add_edge(g, bob, bought, cable, 0.1, 0, 0));
    ck_assert_ok(rs_graph_add_edge(g, alice, friend_of, bob, 0.9, 0, 0));
}

static void teardown(void)
{
    rs_graph_close(g);
    g = NULL;
}

START_TEST(properties_set_get_remove)
{
    char buf[64];
    size_t len = 0;
    ck_assert_ok(rs_graph_set_property(g, phone, "title", "Acme Phone X"));
    ck_assert_ok(rs_graph_get_property(g, phone, "title", buf, sizeof buf, &len));
    ck_assert_str_eq(buf, "Acme Phone X");
    ck_assert_uint_eq(len, 12);
    ck_assert_status(rs_graph_get_property(g, phone, "title", buf, 12, &len), RS_ERR_BUFFER);
    ck_assert_uint_eq(len, 12);
    ck_assert_status(rs_graph_get_property(g, phone, "title", NULL, 0, &len), RS_ERR_BUFFER);
    ck_assert_ok(rs_graph_set_property(g, phone, "title", "Phone Y"));
    ck_assert_ok(rs_graph_get_property(g, phone, "title", buf, sizeof buf, &len));
    ck_assert_str_eq(buf, "Phone Y");
    ck_assert_ok(rs_graph_set_property(g, phone, "empty", ""));
    ck_assert_ok(rs_graph_get_property(g, phone, "empty", buf, sizeof buf, &len));
    ck_assert_uint_eq(len, 0);
    ck_assert_ok(rs_graph_set_property(g, phone, "title", NULL));
    ck_assert_status(rs_graph_get_property(g, phone, "title", buf, sizeof buf, &len),
                     RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("title");
    ck_assert_ok(rs_graph_set_property(g, phone, "title", NULL)); /* absent: fine */
    ck_assert_status(rs_graph_set_property(g, phone, "title", "bad\xff"), RS_ERR_ENCODING);
    ck_assert_status(rs_graph_set_property(g, phone, "", "x"), RS_ERR_INVALID);
    ck_assert_status(rs_graph_set_property(g, 999, "title", "x"), RS_ERR_NOTFOUND);
    ck_assert_status(rs_graph_set_property(NULL, phone, "title", "x"), RS_ERR_INVALID);
    ck_assert_status(rs_graph_get_property(g, phone, "title", buf, sizeof buf, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_graph_get_property(g, phone, "title", NULL, 5, &len), RS_ERR_INVALID);
}
END_TEST

START_TEST(neighbors_with_filters)
{
    uint32_t nodes[8], rels[8];
    float weights[8];
    size_t n;
    ck_assert_ok(rs_graph_neighbors(g, bob, RS_GRAPH_OUT, RS_GRAPH_ANY_RELATION, NULL, nodes, rels,
                                    weights, 8, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_ok(rs_graph_neighbors(g, bob, RS_GRAPH_IN, RS_GRAPH_ANY_RELATION, NULL, nodes, rels,
                                    weights, 8, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(nodes[0], alice);
    ck_assert_uint_eq(rels[0], friend_of | RS_GRAPH_REVERSED);
    ck_assert_float_eq(weights[0], 0.9f);
    ck_assert_ok(rs_graph_neighbors(g, phone, RS_GRAPH_BOTH, RS_GRAPH_ANY_RELATION, NULL, nodes,
                                    rels, NULL, 8, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(nodes[0], acme); /* outgoing first */
    ck_assert_uint_eq(rels[0], has_brand);
    ck_assert_ok(rs_graph_neighbors(g, phone, RS_GRAPH_BOTH, bought, NULL, nodes, NULL, NULL, 8,
                                    &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_ok(rs_graph_neighbors(g, alice, RS_GRAPH_OUT, RS_GRAPH_ANY_RELATION, "user", nodes,
                                    NULL, NULL, 8, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(nodes[0], bob);
    ck_assert_ok(rs_graph_neighbors(g, alice, RS_GRAPH_OUT, RS_GRAPH_ANY_RELATION, "planet",
                                    nodes, NULL, NULL, 8, &n));
    ck_assert_uint_eq(n, 0);
    /* buffer too small: the first ones written, the size needed reported */
    ck_assert_status(rs_graph_neighbors(g, bob, RS_GRAPH_OUT, RS_GRAPH_ANY_RELATION, NULL, nodes,
                                        NULL, NULL, 2, &n),
                     RS_ERR_BUFFER);
    ck_assert_uint_eq(n, 3);
    ck_assert_status(rs_graph_neighbors(g, bob, RS_GRAPH_OUT, RS_GRAPH_ANY_RELATION, NULL, NULL,
                                        NULL, NULL, 0, &n),
                     RS_ERR_BUFFER);
    ck_assert_uint_eq(n, 3);
    ck_assert_status(rs_graph_neighbors(g, bob, 0, RS_GRAPH_ANY_RELATION, NULL, nodes, NULL, NULL,
                                        8, &n),
                     RS_ERR_INVALID);
    ck_assert_status(rs_graph_neighbors(g, bob, 4, RS_GRAPH_ANY_RELATION, NULL, nodes, NULL, NULL,
                                        8, &n),
                     RS_ERR_INVALID);
    ck_assert_status(rs_graph_neighbors(g, bob, RS_GRAPH_OUT, 77, NULL, nodes, NULL, NULL, 8, &n),
                     RS_ERR_NOTFOUND);
    ck_assert_status(rs_graph_neighbors(g, 77, RS_GRAPH_OUT, RS_GRAPH_ANY_RELATION, NULL, nodes,
                                        NULL, NULL, 8, &n),
                     RS_ERR_NOTFOUND);
    ck_assert_status(rs_graph_neighbors(g, bob, RS_GRAPH_OUT, RS_GRAPH_ANY_RELATION, NULL, nodes,
                                        NULL, NULL, 8, NULL),
                     RS_ERR_INVALID);
}
END_TEST

START_TEST(khop_levels_and_fanout)
{
    uint32_t nodes[16], hops[16];
    size_t n;
    ck_assert_ok(rs_graph_khop(g, alice, 1, RS_GRAPH_OUT, NULL, nodes, hops, 16, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_ok(rs_graph_khop(g, alice, 2, RS_GRAPH_OUT, NULL, nodes, hops, 16, &n));
    ck_assert_uint_eq(n, 5); /* phone, bob; acme, laptop, cable */
    ck_assert_uint_eq(hops[0], 1);
    ck_assert_uint_eq(hops[1], 1);
    for (size_t i = 2; i < n; i++)
        ck_assert_uint_eq(hops[i], 2);
    ck_assert_ok(rs_graph_khop(g, alice, 0, RS_GRAPH_OUT, NULL, nodes, hops, 16, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_ok(rs_graph_khop(g, cable, 3, RS_GRAPH_OUT, NULL, nodes, NULL, 16, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_ok(rs_graph_khop(g, cable, 3, RS_GRAPH_BOTH, NULL, nodes, NULL, 16, &n));
    ck_assert_uint_eq(n, 5); /* bob; alice phone laptop; acme */
    /* fan-out: one neighbour per node at hop 2, the heaviest (laptop 0.8) */
    uint32_t fanout[2] = {0, 1};
    ck_assert_ok(rs_graph_khop(g, alice, 2, RS_GRAPH_OUT, fanout, nodes, hops, 16, &n));
    ck_assert_uint_eq(n, 4); /* phone, bob; acme (from phone), laptop (from bob) */
    int saw_laptop = 0, saw_cable = 0;
    for (size_t i = 0; i < n; i++) {
        saw_laptop |= nodes[i] == laptop;
        saw_cable |= nodes[i] == cable;
    }
    ck_assert(saw_laptop);
    ck_assert(!saw_cable);
    ck_assert_status(rs_graph_khop(g, alice, 2, RS_GRAPH_OUT, NULL, nodes, NULL, 3, &n),
                     RS_ERR_BUFFER);
    ck_assert_uint_eq(n, 5);
    ck_assert_status(rs_graph_khop(g, alice, 17, RS_GRAPH_OUT, NULL, nodes, NULL, 16, &n),
                     RS_ERR_RANGE);
    ck_assert_status(rs_graph_khop(g, 99, 1, RS_GRAPH_OUT, NULL, nodes, NULL, 16, &n),
                     RS_ERR_NOTFOUND);
    ck_assert_status(rs_graph_khop(NULL, alice, 1, RS_GRAPH_OUT, NULL, nodes, NULL, 16, &n),
                     RS_ERR_INVALID);
}
END_TEST

START_TEST(best_paths_weights_and_order)
{
    uint32_t nodes[4 * 4], rels[4 * 3], lengths[4];
    double weights[4];
    size_t n;
    /* alice to laptop: alice-friend_of->bob-bought->laptop (0.9*0.8 = 0.72),
     * alice-bought->phone-has_brand->acme<-has_brand-laptop (1), and
     * alice-bought->phone<-bought-bob-bought->laptop (0.4) */
    ck_assert_ok(rs_graph_best_paths(g, alice, laptop, 3, RS_GRAPH_BOTH, 4, nodes, rels, lengths,
                                     weights, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_double_eq_tol(weights[0], 1.0, 1e-6);
    ck_assert_uint_eq(lengths[0], 3);
    ck_assert_uint_eq(nodes[0], alice);
    ck_assert_uint_eq(nodes[1], phone);
    ck_assert_uint_eq(nodes[2], acme);
    ck_assert_uint_eq(nodes[3], laptop);
    ck_assert_uint_eq(rels[0], bought);
    ck_assert_uint_eq(rels[1], has_brand);
    ck_assert_uint_eq(rels[2], has_brand | RS_GRAPH_REVERSED);
    ck_assert_double_eq_tol(weights[1], 0.72, 1e-6);
    ck_assert_uint_eq(lengths[1], 2);
    ck_assert_uint_eq(nodes[4], alice);
    ck_assert_uint_eq(nodes[5], bob);
    ck_assert_uint_eq(nodes[6], laptop);
    ck_assert_double_eq_tol(weights[2], 0.4, 1e-6);
    /* relation weights count */
    ck_assert_ok(rs_graph_set_relation_weight(g, has_brand, 0.5));
    ck_assert_ok(rs_graph_best_paths(g, alice, laptop, 3, RS_GRAPH_BOTH, 1, nodes, NULL, lengths,
                                     weights, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_double_eq_tol(weights[0], 0.72, 1e-6);
    /* forward only: just alice -> bob -> laptop */
    ck_assert_ok(rs_graph_best_paths(g, alice, laptop, 3, RS_GRAPH_OUT, 4, nodes, NULL, lengths,
                                     NULL, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(lengths[0], 2);
    /* hop limit */
    ck_assert_ok(rs_graph_best_paths(g, alice, laptop, 1, RS_GRAPH_BOTH, 4, nodes, NULL, lengths,
                                     NULL, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_ok(rs_graph_best_paths(g, alice, carol, 4, RS_GRAPH_BOTH, 4, nodes, NULL, lengths,
                                     NULL, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_ok(rs_graph_best_paths(g, alice, laptop, 3, RS_GRAPH_BOTH, 0, NULL, NULL, NULL,
                                     NULL, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_status(rs_graph_best_paths(g, alice, alice, 3, RS_GRAPH_BOTH, 4, nodes, NULL,
                                         lengths, NULL, &n),
                     RS_ERR_INVALID);
    ck_assert_status(rs_graph_best_paths(g, alice, laptop, 0, RS_GRAPH_BOTH, 4, nodes, NULL,
                                         lengths, NULL, &n),
                     RS_ERR_RANGE);
    ck_assert_status(rs_graph_best_paths(g, alice, laptop, 9, RS_GRAPH_BOTH, 4, nodes, NULL,
                                         lengths, NULL, &n),
                     RS_ERR_RANGE);
    ck_assert_status(rs_graph_best_paths(g, alice, 99, 3, RS_GRAPH_BOTH, 4, nodes, NULL, lengths,
                                         NULL, &n),
                     RS_ERR_NOTFOUND);
    ck_assert_status(rs_graph_best_paths(g, alice, laptop, 3, RS_GRAPH_BOTH, 4, NULL, NULL,
                                         lengths, NULL, &n),
                     RS_ERR_INVALID);
}
END_TEST

START_TEST(search_keys_exact_and_prefix)
{
    uint32_t nodes[8], extra;
    size_t n;
    ck_assert_ok(rs_graph_add_node(g, "item", "phone case", &extra));
    ck_assert_ok(rs_graph_add_node(g, "item", "\xe6\x89\x8b\xe6\x9c\xba", &extra)); /* 手机 */
    ck_assert_ok(rs_graph_search_keys(g, "item", "phone", RS_GRAPH_MATCH_PREFIX, nodes, 8, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(nodes[0], phone); /* key order */
    ck_assert_ok(rs_graph_search_keys(g, "item", "phone", RS_GRAPH_MATCH_PREFIX, nodes, 1, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_ok(rs_graph_search_keys(g, "item", "phone", RS_GRAPH_MATCH_EXACT, nodes, 8, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(nodes[0], phone);
    ck_assert_ok(rs_graph_search_keys(g, "item", "\xe6\x89\x8b", RS_GRAPH_MATCH_PREFIX, nodes, 8,
                                      &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(nodes[0], extra);
    ck_assert_ok(rs_graph_search_keys(g, "user", "phone", RS_GRAPH_MATCH_PREFIX, nodes, 8, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_ok(rs_graph_search_keys(g, "nothing", "phone", RS_GRAPH_MATCH_PREFIX, nodes, 8, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_status(rs_graph_search_keys(g, "item", "", RS_GRAPH_MATCH_PREFIX, nodes, 8, &n),
                     RS_ERR_INVALID);
    ck_assert_status(rs_graph_search_keys(g, "item", "\xff", RS_GRAPH_MATCH_PREFIX, nodes, 8, &n),
                     RS_ERR_ENCODING);
    ck_assert_status(rs_graph_search_keys(g, "item", "p", 5, nodes, 8, &n), RS_ERR_INVALID);
    ck_assert_status(rs_graph_search_keys(g, "item", "p", RS_GRAPH_MATCH_PREFIX, NULL, 8, &n),
                     RS_ERR_INVALID);
}
END_TEST

START_TEST(search_text_fts)
{
    uint32_t nodes[8];
    double scores[8];
    size_t n;
    ck_assert_ok(rs_graph_set_property(g, phone, "title", "Acme Phone X, unlocked"));
    ck_assert_ok(rs_graph_set_property(g, phone, "description", "A red phone with a big screen"));
    ck_assert_ok(rs_graph_set_property(g, laptop, "title", "Acme Laptop \"Pro\""));
    ck_assert_ok(rs_graph_set_property(g, laptop, "description", "Caf\xc3\xa9 edition, red lid"));
    ck_assert_ok(rs_graph_set_property(g, bob, "bio", "likes red things"));
    ck_assert_ok(rs_graph_search_text(g, "acme", NULL, nodes, scores, 8, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_ok(rs_graph_search_text(g, "RED", "item", nodes, scores, 8, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_ok(rs_graph_search_text(g, "red", NULL, nodes, scores, 8, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert(scores[0] >= scores[1]);
    ck_assert_ok(rs_graph_search_text(g, "cafe", NULL, nodes, NULL, 8, &n)); /* diacritics */
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(nodes[0], laptop);
    ck_assert_ok(rs_graph_search_text(g, "scr", NULL, nodes, NULL, 8, &n)); /* prefix */
    ck_assert_uint_eq(n, 1);
    ck_assert_ok(rs_graph_search_text(g, "\"pro\" OR NOT", NULL, nodes, NULL, 8, &n)); /* no syntax */
    ck_assert_uint_eq(n, 0);
    ck_assert_ok(rs_graph_search_text(g, "red phone", NULL, nodes, NULL, 8, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(nodes[0], phone);
    ck_assert_ok(rs_graph_search_text(g, "red", NULL, nodes, NULL, 1, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_ok(rs_graph_search_text(g, "red", "planet", nodes, NULL, 8, &n));
    ck_assert_uint_eq(n, 0);
    /* updates and deletes reach the index */
    ck_assert_ok(rs_graph_set_property(g, bob, "bio", "likes blue things"));
    ck_assert_ok(rs_graph_search_text(g, "red", NULL, nodes, NULL, 8, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_ok(rs_graph_delete_node(g, phone));
    ck_assert_ok(rs_graph_search_text(g, "red", NULL, nodes, NULL, 8, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(nodes[0], laptop);
    ck_assert_status(rs_graph_search_text(g, "  ,, ", NULL, nodes, NULL, 8, &n), RS_ERR_INVALID);
    ck_assert_status(rs_graph_search_text(g, "", NULL, nodes, NULL, 8, &n), RS_ERR_INVALID);
    ck_assert_status(rs_graph_search_text(g, "r\xc3", NULL, nodes, NULL, 8, &n), RS_ERR_ENCODING);
    ck_assert_status(rs_graph_search_text(g, NULL, NULL, nodes, NULL, 8, &n), RS_ERR_INVALID);
}
END_TEST

START_TEST(null_property_is_corrupt)
{
    /* a crafted file whose node_props allows NULL: reading the value must
     * fail as damaged, not hand a NULL pointer to memcpy */
    char *path = graph_temp_path("nullprop");
    rs_graph *f = NULL;
    uint32_t node;
    char buf[32];
    size_t len = 0;
    sqlite3 *db = NULL;
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &f));
    ck_assert_ok(rs_graph_add_node(f, "item", "i1", &node));
    ck_assert_ok(rs_graph_set_property(f, node, "name", "Lamp"));
    rs_graph_close(f);
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "PRAGMA writable_schema=ON;"
                                      " UPDATE sqlite_master SET sql = replace(sql,"
                                      " 'value TEXT NOT NULL', 'value TEXT')"
                                      " WHERE name = 'node_props'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "UPDATE node_props SET value = NULL", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &f));
    ck_assert_ok(rs_graph_find_node(f, "item", "i1", &node));
    ck_assert_status(rs_graph_get_property(f, node, "name", buf, sizeof buf, &len),
                     RS_ERR_CORRUPT);
    ck_assert_errmsg_has("node_props");
    ck_assert_errmsg_has("name");
    ck_assert_status(rs_graph_get_property(f, node, "name", NULL, 0, &len), RS_ERR_CORRUPT);
    rs_graph_close(f);
    graph_remove_db(path);
}
END_TEST


/* The one rule for a node's text: the first non-empty of name, description,
 * title, text; none is RS_ERR_NOTFOUND, a short buffer RS_ERR_BUFFER. */
START_TEST(node_text_rule)
{
    char buf[64], long_text[600], *dup = NULL;
    size_t len = 99;
    ck_assert_status(rs_graph_node_text(g, phone, buf, sizeof buf, &len), RS_ERR_NOTFOUND);
    ck_assert_uint_eq(len, 0);
    ck_assert_str_eq(buf, "");
    ck_assert_ok(rs__graph_node_text_dup(g, phone, &dup));
    ck_assert_ptr_null(dup);
    ck_assert_ok(rs_graph_set_property(g, phone, "text", "a phone"));
    ck_assert_ok(rs_graph_set_property(g, phone, "price", "9"));
    ck_assert_ok(rs_graph_node_text(g, phone, buf, sizeof buf, &len));
    ck_assert_str_eq(buf, "a phone");
    ck_assert_ok(rs_graph_set_property(g, phone, "description", "RED PHONE"));
    ck_assert_ok(rs_graph_set_property(g, phone, "title", "Phone, red"));
    ck_assert_ok(rs_graph_node_text(g, phone, buf, sizeof buf, &len));
    ck_assert_str_eq(buf, "RED PHONE");
    ck_assert_ok(rs_graph_set_property(g, phone, "name", "")); /* empty: not a text */
    ck_assert_ok(rs_graph_node_text(g, phone, buf, sizeof buf, &len));
    ck_assert_str_eq(buf, "RED PHONE");
    ck_assert_ok(rs_graph_set_property(g, phone, "name", "Phone"));
    ck_assert_ok(rs_graph_node_text(g, phone, buf, sizeof buf, &len));
    ck_assert_str_eq(buf, "Phone");
    ck_assert_uint_eq(len, 5);
    ck_assert_status(rs_graph_node_text(g, phone, buf, 3, &len), RS_ERR_BUFFER);
    ck_assert_uint_eq(len, 5);
    ck_assert_status(rs_graph_node_text(g, phone, NULL, 0, &len), RS_ERR_BUFFER);
    /* a text longer than the copy's first buffer is read whole */
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    ck_assert_ok(rs_graph_set_property(g, laptop, "description", long_text));
    ck_assert_ok(rs__graph_node_text_dup(g, laptop, &dup));
    ck_assert_str_eq(dup, long_text);
    free(dup);
    ck_assert_ok(rs__graph_node_text_dup(g, phone, &dup));
    ck_assert_str_eq(dup, "Phone");
    free(dup);
    /* bad arguments */
    ck_assert_status(rs_graph_node_text(NULL, phone, buf, sizeof buf, &len), RS_ERR_INVALID);
    ck_assert_status(rs_graph_node_text(g, phone, buf, sizeof buf, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_graph_node_text(g, phone, NULL, 5, &len), RS_ERR_INVALID);
    ck_assert_int_ne(rs_graph_node_text(g, 999999, buf, sizeof buf, &len), RS_OK);
    ck_assert_int_ne(rs__graph_node_text_dup(g, 999999, &dup), RS_OK);
    ck_assert_ptr_null(dup);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("graph_query");
    TCase *tc = tcase_create("query");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, properties_set_get_remove);
    tcase_add_test(tc, neighbors_with_filters);
    tcase_add_test(tc, khop_levels_and_fanout);
    tcase_add_test(tc, best_paths_weights_and_order);
    tcase_add_test(tc, search_keys_exact_and_prefix);
    tcase_add_test(tc, search_text_fts);
    tcase_add_test(tc, null_property_is_corrupt);
    tcase_add_test(tc, node_text_rule);
    suite_add_tcase(s, tc);
    return s;
}
