/*
 * test_graph_text.c - "key: value" attribute extraction and mention linking
 * (longest match, case folding, word boundaries, CJK).
 */
#include "graph_fixture.h"

static rs_graph *g;
static uint32_t item, mentions;

static void setup(void)
{
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_add_node(g, "item", "p1", &item));
    ck_assert_ok(rs_graph_add_relation(g, "mentions", &mentions));
}

static void teardown(void)
{
    rs_graph_close(g);
    g = NULL;
}

static int linked_to(uint32_t node, uint32_t rel, const char *type, const char *key,
                     double *weight_out)
{
    uint32_t target, r;
    if (rs_graph_find_node(g, type, key, &target) != RS_OK)
        return 0;
    if (rs_graph_find_relation(g, rs_graph_relation_name(g, rel), &r) != RS_OK)
        return 0;
    return rs_graph_get_edge(g, node, rel, target, weight_out, NULL) == RS_OK;
}

START_TEST(attributes_become_entities_and_edges)
{
    size_t added = 0;
    uint32_t rel, red, again;
    char name[32];
    size_t len;
    ck_assert_ok(rs_graph_add_attributes(g, item, "color: red, size: large; Brand = Apple\n"
                                                  "Main Material :  Stainless Steel ,",
                                         &added));
    ck_assert_uint_eq(added, 4);
    ck_assert_ok(rs_graph_find_relation(g, "has_color", &rel));
    ck_assert(linked_to(item, rel, "color", "red", NULL));
    ck_assert_ok(rs_graph_find_relation(g, "has_brand", &rel));
    ck_assert(linked_to(item, rel, "brand", "apple", NULL)); /* folded */
    ck_assert_ok(rs_graph_find_node(g, "brand", "apple", &again));
    ck_assert_ok(rs_graph_get_property(g, again, "name", name, sizeof name, &len));
    ck_assert_str_eq(name, "Apple"); /* spelling kept */
    ck_assert_ok(rs_graph_find_relation(g, "has_main_material", &rel));
    ck_assert(linked_to(item, rel, "main_material", "stainless steel", NULL));
    /* the same attribute on another item joins the same entity */
    uint32_t other;
    ck_assert_ok(rs_graph_add_node(g, "item", "p2", &other));
    ck_assert_ok(rs_graph_add_attributes(g, other, "COLOR: Red", NULL));
    ck_assert_ok(rs_graph_find_node(g, "color", "red", &red));
    ck_assert_ok(rs_graph_find_relation(g, "has_color", &rel));
    ck_assert(linked_to(other, rel, "color", "red", NULL));
    size_t count;
    ck_assert_ok(rs_graph_node_count(g, "color", &count));
    ck_assert_uint_eq(count, 1);
    /* again: no duplicate edge, weight stays 1 */
    double w;
    ck_assert_ok(rs_graph_add_attributes(g, other, "color: red", NULL));
    ck_assert(linked_to(other, rel, "color", "red", &w));
    ck_assert_double_eq(w, 1.0);
    /* blank and empty input */
    ck_assert_ok(rs_graph_add_attributes(g, item, "", &added));
    ck_assert_uint_eq(added, 0);
    ck_assert_ok(rs_graph_add_attributes(g, item, " , ;\n", &added));
    ck_assert_uint_eq(added, 0);
    /* CJK keys and values */
    ck_assert_ok(rs_graph_add_attributes(g, item, "\xe9\xa2\x9c\xe8\x89\xb2: \xe7\xba\xa2\xe8\x89\xb2",
                                         &added)); /* 颜色: 红色 */
    ck_assert_uint_eq(added, 1);
    ck_assert_ok(rs_graph_find_relation(g, "has_\xe9\xa2\x9c\xe8\x89\xb2", &rel));
}
END_TEST

START_TEST(attributes_bad_input_changes_nothing)
{
    size_t nodes_before, nodes_after, added = 99;
    size_t edges_before = rs_graph_edge_count(g);
    ck_assert_ok(rs_graph_node_count(g, NULL, &nodes_before));
    ck_assert_status(rs_graph_add_attributes(g, item, "color: red, large", &added),
                     RS_ERR_PARSE);
    ck_assert_errmsg_has("large");
    ck_assert_errmsg_has("byte 12");
    ck_assert_status(rs_graph_add_attributes(g, item, "color: red, : x", NULL), RS_ERR_PARSE);
    ck_assert_errmsg_has("empty key");
    ck_assert_status(rs_graph_add_attributes(g, item, "color:   ", NULL), RS_ERR_PARSE);
    ck_assert_errmsg_has("empty value");
    ck_assert_status(rs_graph_add_attributes(g, item, "color: r\xe9" "d", NULL), RS_ERR_ENCODING);
    ck_assert_status(rs_graph_add_attributes(g, item, NULL, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_graph_add_attributes(NULL, item, "a: b", NULL), RS_ERR_INVALID);
    ck_assert_status(rs_graph_add_attributes(g, 42, "a: b", NULL), RS_ERR_NOTFOUND);
    char *long_value = malloc(RS_MAX_KEY_BYTES + 20);
    memcpy(long_value, "k: ", 3);
    memset(long_value + 3, 'v', RS_MAX_KEY_BYTES + 10);
    long_value[RS_MAX_KEY_BYTES + 13] = '\0';
    ck_assert_status(rs_graph_add_attributes(g, item, long_value, NULL), RS_ERR_RANGE);
    free(long_value);
    ck_assert_ok(rs_graph_node_count(g, NULL, &nodes_after));
    ck_assert_uint_eq(nodes_after, nodes_before);
    ck_assert_uint_eq(rs_graph_edge_count(g), edges_before);
    ck_assert_uint_eq(added, 99);
}
END_TEST

START_TEST(mentions_longest_match_and_boundaries)
{
    uint32_t x;
    size_t linked = 0;
    double w;
    ck_assert_ok(rs_graph_add_node(g, "brand", "Apple", &x));
    ck_assert_ok(rs_graph_add_node(g, "brand", "Apple Music", &x));
    ck_assert_ok(rs_graph_add_node(g, "color", "red", &x));
    ck_assert_ok(rs_graph_add_node(g, "category", "phone", &x));
    ck_assert_ok(rs_graph_add_node(g, "user", "bob", &x));
    const char *types[] = {"brand", "color", "category"};
    ck_assert_ok(rs_graph_link_mentions(g, item,
                                        "Works with APPLE MUSIC and apple devices; a Red phone. "
                                        "Reduced price, phones, bob, red!",
                                        types, 3, mentions, &linked));
    ck_assert_uint_eq(linked, 4);
    ck_assert(linked_to(item, mentions, "brand", "Apple Music", &w));
    ck_assert_double_eq(w, 1.0);
    ck_assert(linked_to(item, mentions, "brand", "Apple", &w));
    ck_assert_double_eq(w, 1.0); /* "APPLE MUSIC" went to the longer key */
    ck_assert(linked_to(item, mentions, "color", "red", &w));
    ck_assert_double_eq(w, 2.0); /* "Red" and "red!", not "Reduced" */
    ck_assert(linked_to(item, mentions, "category", "phone", &w));
    ck_assert_double_eq(w, 1.0); /* not "phones" */
    ck_assert(!linked_to(item, mentions, "user", "bob", NULL)); /* type not asked for */
    /* again: weights accumulate */
    ck_assert_ok(rs_graph_link_mentions(g, item, "red", types, 3, mentions, &linked));
    ck_assert_uint_eq(linked, 1);
    ck_assert(linked_to(item, mentions, "color", "red", &w));
    ck_assert_double_eq(w, 3.0);
    /* every type: bob now */
    ck_assert_ok(rs_graph_link_mentions(g, item, "ask Bob.", NULL, 0, mentions, &linked));
    ck_assert_uint_eq(linked, 1);
    ck_assert(linked_to(item, mentions, "user", "bob", NULL));
    /* nothing to find */
    ck_assert_ok(rs_graph_link_mentions(g, item, "", types, 3, mentions, &linked));
    ck_assert_uint_eq(linked, 0);
    /* a new entity is seen by the next call (the index is rebuilt) */
    ck_assert_ok(rs_graph_add_node(g, "color", "teal", &x));
    ck_assert_ok(rs_graph_link_mentions(g, item, "in teal", types, 3, mentions, &linked));
    ck_assert_uint_eq(linked, 1);
}
END_TEST

START_TEST(mentions_in_cjk_text)
{
    uint32_t x;
    size_t linked = 0;
    ck_assert_ok(rs_graph_add_node(g, "brand", "\xe8\x8b\xb9\xe6\x9e\x9c", &x));      /* 苹果 */
    ck_assert_ok(rs_graph_add_node(g, "category", "\xe6\x89\x8b\xe6\x9c\xba", &x));   /* 手机 */
    ck_assert_ok(rs_graph_add_node(g, "category", "\xe6\x99\xba\xe8\x83\xbd\xe6\x89\x8b\xe6\x9c\xba",
                                   &x)); /* 智能手机 */
    ck_assert_ok(rs_graph_add_node(g, "brand", "Sony", &x));
    ck_assert_ok(rs_graph_add_node(g, "brand", "\xe3\x82\xbd\xe3\x83\x8b\xe3\x83\xbc", &x)); /* ソニー */
    /* 这款苹果智能手机很好用，ＳＯＮＹ也不错。ソニーのカメラ */
    const char *text = "\xe8\xbf\x99\xe6\xac\xbe\xe8\x8b\xb9\xe6\x9e\x9c\xe6\x99\xba\xe8\x83\xbd"
                       "\xe6\x89\x8b\xe6\x9c\xba\xe5\xbe\x88\xe5\xa5\xbd\xe7\x94\xa8\xef\xbc\x8c"
                       "\xef\xbc\xb3\xef\xbc\xaf\xef\xbc\xae\xef\xbc\xb9\xe4\xb9\x9f\xe4\xb8\x8d"
                       "\xe9\x94\x99\xe3\x80\x82\xe3\x82\xbd\xe3\x83\x8b\xe3\x83\xbc\xe3\x81\xae"
                       "\xe3\x82\xab\xe3\x83\xa1\xe3\x83\xa9";
    ck_assert_ok(rs_graph_link_mentions(g, item, text, NULL, 0, mentions, &linked));
    ck_assert_uint_eq(linked, 4);
    ck_assert(linked_to(item, mentions, "brand", "\xe8\x8b\xb9\xe6\x9e\x9c", NULL));
    /* the longest key wins: 智能手机, not 手机 */
    ck_assert(linked_to(item, mentions, "category",
                        "\xe6\x99\xba\xe8\x83\xbd\xe6\x89\x8b\xe6\x9c\xba", NULL));
    ck_assert(!linked_to(item, mentions, "category", "\xe6\x89\x8b\xe6\x9c\xba", NULL));
    /* full-width ＳＯＮＹ folds to sony */
    ck_assert(linked_to(item, mentions, "brand", "Sony", NULL));
    ck_assert(linked_to(item, mentions, "brand", "\xe3\x82\xbd\xe3\x83\x8b\xe3\x83\xbc", NULL));
}
END_TEST

START_TEST(mentions_bad_input)
{
    size_t linked = 7;
    const char *bad_types[] = {"brand", NULL};
    ck_assert_status(rs_graph_link_mentions(g, item, NULL, NULL, 0, mentions, &linked),
                     RS_ERR_INVALID);
    ck_assert_status(rs_graph_link_mentions(NULL, item, "x", NULL, 0, mentions, &linked),
                     RS_ERR_INVALID);
    ck_assert_status(rs_graph_link_mentions(g, item, "x", NULL, 2, mentions, &linked),
                     RS_ERR_INVALID);
    ck_assert_status(rs_graph_link_mentions(g, item, "x", bad_types, 2, mentions, &linked),
                     RS_ERR_INVALID);
    ck_assert_errmsg_has("types[1]");
    ck_assert_status(rs_graph_link_mentions(g, 77, "x", NULL, 0, mentions, &linked),
                     RS_ERR_NOTFOUND);
    ck_assert_status(rs_graph_link_mentions(g, item, "x", NULL, 0, 55, &linked), RS_ERR_NOTFOUND);
    ck_assert_status(rs_graph_link_mentions(g, item, "bad \xf0\x28", NULL, 0, mentions, &linked),
                     RS_ERR_ENCODING);
    ck_assert_uint_eq(linked, 7);
    ck_assert_uint_eq(rs_graph_edge_count(g), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("graph_text");
    TCase *tc = tcase_create("text");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, attributes_become_entities_and_edges);
    tcase_add_test(tc, attributes_bad_input_changes_nothing);
    tcase_add_test(tc, mentions_longest_match_and_boundaries);
    tcase_add_test(tc, mentions_in_cjk_text);
    tcase_add_test(tc, mentions_bad_input);
    suite_add_tcase(s, tc);
    return s;
}
