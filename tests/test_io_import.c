/*
 * test_io_import.c - interactions, catalogues and profiles into the graph;
 * one transaction per import: a failure leaves the model file as it was.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The first customer of examples/data/onlineretail_sample.tsv. */
#define FIRST_CUSTOMER "13705"
#define FIRST_COUNTRY "United Kingdom"

static rs_reader *text_reader(const char *text, const char *name)
{
    rs_reader *r = NULL;
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), name, RS_FORMAT_AUTO, &r));
    return r;
}

static uint32_t node(const rs_graph *g, const char *type, const char *key)
{
    uint32_t index = UINT32_MAX;
    ck_assert_ok(rs_graph_find_node(g, type, key, &index));
    return index;
}

static size_t count(const rs_graph *g, const char *type)
{
    size_t n = 0;
    ck_assert_ok(rs_graph_node_count(g, type, &n));
    return n;
}

START_TEST(interactions_weighted_timed_typed)
{
    const char *log = "user_id,item_id,rating,timestamp,event\n"
                      "u1,i1,4,2011-01-01 10:00:00,rated\n"
                      "u1,i1,1,2011-02-01 10:00:00,rated\n"
                      "u1,i2,1,1300000000,viewed\n"
                      "u2,i2,2.5,2011-03-01T00:00:00Z,viewed\n";
    rs_graph *g = NULL;
    rs_reader *r = text_reader(log, "log.csv");
    uint64_t rows = 0;
    uint32_t rated, viewed;
    double w;
    int64_t ts;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_io_import_interactions(g, r, NULL, NULL, 0, &rows));
    ck_assert_uint_eq(rows, 4);
    ck_assert_uint_eq(count(g, "user"), 2);
    ck_assert_uint_eq(count(g, "item"), 2);
    ck_assert_uint_eq(rs_graph_edge_count(g), 3);
    ck_assert_ok(rs_graph_find_relation(g, "rated", &rated));
    ck_assert_ok(rs_graph_find_relation(g, "viewed", &viewed));
    ck_assert_status(rs_graph_find_relation(g, "interacted", &rated), RS_ERR_NOTFOUND);
    ck_assert_ok(rs_graph_find_relation(g, "rated", &rated));
    ck_assert_ok(rs_graph_get_edge(g, node(g, "user", "u1"), rated, node(g, "item", "i1"), &w,
                                   &ts));
    ck_assert(w == 5.0);             /* 4 + 1 */
    ck_assert_int_eq(ts, 1296554400); /* the later of the two */
    ck_assert_ok(rs_graph_get_edge(g, node(g, "user", "u2"), viewed, node(g, "item", "i2"), &w,
                                   &ts));
    ck_assert(w == 2.5);
    ck_assert_int_eq(ts, 1298937600);
    rs_reader_close(r);

    /* Flags: unweighted, no time, one relation for all. */
    r = text_reader(log, "log.csv");
    ck_assert_ok(rs_io_import_interactions(g, r, NULL, "bought",
                                           RS_IMPORT_UNWEIGHTED | RS_IMPORT_NO_TIME |
                                               RS_IMPORT_NO_EVENT,
                                           NULL));
    ck_assert_ok(rs_graph_find_relation(g, "bought", &rated));
    ck_assert_ok(rs_graph_get_edge(g, node(g, "user", "u1"), rated, node(g, "item", "i1"), &w,
                                   &ts));
    ck_assert(w == 2.0);
    ck_assert_int_eq(ts, 0);
    rs_reader_close(r);
    rs_graph_close(g);

    /* RS_IMPORT_FIRST_TIME: the edge keeps its earliest event. */
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    r = text_reader(log, "log.csv");
    ck_assert_ok(rs_io_import_interactions(g, r, NULL, NULL, RS_IMPORT_FIRST_TIME, NULL));
    ck_assert_ok(rs_graph_find_relation(g, "rated", &rated));
    ck_assert_ok(rs_graph_get_edge(g, node(g, "user", "u1"), rated, node(g, "item", "i1"), &w,
                                   &ts));
    ck_assert(w == 5.0);
    ck_assert_int_eq(ts, 1293876000); /* 2011-01-01 10:00:00 */
    rs_reader_close(r);
    rs_graph_close(g);
}
END_TEST

START_TEST(retail_sample_with_cleaning)
{
    static const char *const na[] = {"NA"};
    static const char *const country[] = {"Country"};
    rs_graph *g = NULL;
    rs_reader *r = NULL;
    rs_cleaner *c = NULL;
    uint64_t rows = 0;
    uint32_t bought;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_cleaner_create(&c));
    ck_assert_ok(rs_cleaner_set_missing(c, na, 1));
    ck_assert_ok(rs_cleaner_add_required(c, "a", "CustomerID"));
    ck_assert_ok(rs_cleaner_add_match(c, "b", "InvoiceNo", RS_MATCH_PREFIX, "C", RS_DROP_MATCH));
    ck_assert_ok(rs_cleaner_add_range(c, "c", "Quantity", 0, INFINITY, RS_RANGE_MIN_EXCLUSIVE));
    ck_assert_ok(rs_cleaner_add_range(c, "d", "UnitPrice", 0, INFINITY, RS_RANGE_MIN_EXCLUSIVE));
    ck_assert_ok(rs_cleaner_add_match(c, "e", "StockCode", RS_MATCH_FIRST_OF, "0123456789",
                                      RS_DROP_NO_MATCH));
    ck_assert_ok(rs_cleaner_add_dedup(c, "f", NULL, 0));
    ck_assert_ok(rs_reader_open("examples/data/onlineretail_sample.tsv", RS_FORMAT_AUTO, &r));
    ck_assert_ok(rs_io_import_interactions(g, r, c, "bought", RS_IMPORT_UNWEIGHTED, &rows));
    ck_assert_uint_eq(rows, 5458);
    ck_assert_uint_eq(rs_cleaner_kept(c), 5458);
    ck_assert_uint_eq(rs_cleaner_dropped(c, 0), 300);
    ck_assert_uint_eq(rs_cleaner_dropped(c, 1), 180);
    ck_assert_uint_eq(rs_cleaner_dropped(c, 3), 1);
    ck_assert_uint_eq(rs_cleaner_dropped(c, 4), 39);
    ck_assert_uint_eq(rs_cleaner_dropped(c, 5), 5);
    ck_assert_uint_eq(count(g, "user"), 240);
    ck_assert_uint_eq(count(g, "item"), 1681);
    ck_assert_ok(rs_graph_find_relation(g, "bought", &bought));
    rs_reader_close(r);
    rs_cleaner_free(c);

    /* The same log gives the customers' countries as profile attributes. */
    ck_assert_ok(rs_reader_open("examples/data/onlineretail_sample.tsv", RS_FORMAT_AUTO, &r));
    ck_assert_ok(rs_cleaner_create(&c));
    ck_assert_ok(rs_cleaner_set_missing(c, na, 1));
    ck_assert_ok(rs_cleaner_add_required(c, "a", "CustomerID"));
    ck_assert_ok(rs_io_import_users(g, r, c, country, 1, NULL, 0, NULL, &rows));
    ck_assert_uint_eq(count(g, "user"), 240);
    ck_assert_uint_ge(count(g, "country"), 2);
    {
        uint32_t has_country;
        ck_assert_ok(rs_graph_find_relation(g, "has_country", &has_country));
        ck_assert_ok(rs_graph_get_edge(g, node(g, "user", FIRST_CUSTOMER), has_country,
                                       node(g, "country", FIRST_COUNTRY), NULL, NULL));
    }
    rs_reader_close(r);
    rs_cleaner_free(c);
    rs_graph_close(g);
}
END_TEST

START_TEST(catalogue_and_profiles)
{
    static const char *const item_attrs[] = {"Brand", "Genres"};
    static const char *const user_attrs[] = {"country"};
    const char *items = "sku,Brand,Genres\nA,Acme,Action|Comedy\nB,Acme, Drama | |\nC,,\n";
    const char *users = "{\"uid\":\"u1\",\"country\":\"FR\",\"friends\":\"u2|u3|u1\"}\n"
                        "{\"uid\":\"u2\",\"country\":\"DE\",\"friends\":null}\n";
    rs_graph *g = NULL;
    rs_reader *r = text_reader(items, "items.csv");
    uint64_t rows = 0;
    uint32_t has_brand, has_genres, friend_of;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_io_import_items(g, r, NULL, item_attrs, 2, NULL, 0, &rows));
    ck_assert_uint_eq(rows, 3);
    ck_assert_uint_eq(count(g, "item"), 3);
    ck_assert_uint_eq(count(g, "brand"), 1);
    ck_assert_uint_eq(count(g, "genres"), 3);
    ck_assert_ok(rs_graph_find_relation(g, "has_brand", &has_brand));
    ck_assert_ok(rs_graph_find_relation(g, "has_genres", &has_genres));
    ck_assert_ok(rs_graph_get_edge(g, node(g, "item", "B"), has_genres,
                                   node(g, "genres", "Drama"), NULL, NULL));
    ck_assert_ok(rs_graph_get_edge(g, node(g, "item", "A"), has_brand, node(g, "brand", "Acme"),
                                   NULL, NULL));
    ck_assert_uint_eq(rs_graph_edge_count(g), 5);
    rs_reader_close(r);

    r = text_reader(users, "users.jsonl");
    ck_assert_ok(rs_io_import_users(g, r, NULL, user_attrs, 1, NULL, 0, "friends", &rows));
    ck_assert_uint_eq(rows, 2);
    ck_assert_uint_eq(count(g, "user"), 3);
    ck_assert_ok(rs_graph_find_relation(g, "friend_of", &friend_of));
    ck_assert_ok(rs_graph_get_edge(g, node(g, "user", "u1"), friend_of, node(g, "user", "u3"),
                                   NULL, NULL));
    ck_assert_uint_eq(rs_graph_edge_count(g), 5 + 2 + 2); /* no self-link u1 -> u1 */
    rs_reader_close(r);

    /* A missing attribute column is refused before anything is written. */
    r = text_reader(items, "items.csv");
    ck_assert_status(rs_io_import_items(g, r, NULL, user_attrs, 1, NULL, 0, NULL), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("no column \"country\"");
    rs_reader_close(r);
    rs_graph_close(g);
}
END_TEST

START_TEST(properties_take_the_most_frequent_value)
{
    static const char *const props[] = {"Description"};
    static const char *const title[] = {"Title"};
    static const char *const category[] = {"Category"};
    const char *log = "StockCode\tDescription\tCategory\n"
                      "85123A\tWHITE HANGING HEART\tdecor\n"
                      "85123A\tCREAM HANGING HEART\tdecor\n"
                      "85123A\tWHITE HANGING HEART\tdecor\n"
                      "22633\tHAND WARMER UNION JACK\t\n"
                      "22633\tHAND WARMER RED\t\n"
                      "84029\t\t\n";
    rs_graph *g = NULL;
    rs_reader *r = text_reader(log, "log.tsv");
    char buf[64];
    size_t len;
    uint64_t rows;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_io_import_items(g, r, NULL, category, 1, props, 1, &rows));
    ck_assert_uint_eq(rows, 6);
    ck_assert_uint_eq(count(g, "item"), 3);
    ck_assert_ok(rs_graph_get_property(g, node(g, "item", "85123A"), "description", buf,
                                       sizeof buf, &len));
    ck_assert_str_eq(buf, "WHITE HANGING HEART");
    ck_assert_ok(rs_graph_get_property(g, node(g, "item", "22633"), "description", buf,
                                       sizeof buf, &len));
    ck_assert_str_eq(buf, "HAND WARMER RED"); /* a tie: the smaller text */
    ck_assert_status(rs_graph_get_property(g, node(g, "item", "84029"), "description", buf,
                                           sizeof buf, &len),
                     RS_ERR_NOTFOUND);
    rs_reader_close(r);

    /* Properties alone: a bulk load without edges. */
    r = text_reader(log, "log.tsv");
    ck_assert_ok(rs_io_import_items(g, r, NULL, NULL, 0, props, 1, &rows));
    ck_assert_uint_eq(rows, 6);
    ck_assert_uint_eq(count(g, "item"), 3);
    rs_reader_close(r);

    r = text_reader(log, "log.tsv");
    ck_assert_status(rs_io_import_items(g, r, NULL, NULL, 0, title, 1, &rows), RS_ERR_NOTFOUND);
    ck_assert_status(rs_io_import_items(g, r, NULL, NULL, 0, NULL, 1, &rows), RS_ERR_INVALID);
    rs_reader_close(r);
    rs_graph_close(g);
}
END_TEST

/* Counts that must not change when an import fails.  (Relations are checked
 * by name: the graph's relation span may keep a hole after a rollback.) */
static void snapshot(const rs_graph *g, size_t out[3])
{
    uint32_t relation;
    out[0] = count(g, NULL);
    out[1] = rs_graph_edge_count(g);
    out[2] = rs_graph_find_relation(g, "clicked", &relation) == RS_OK;
}

START_TEST(failed_import_leaves_the_file_as_it_was)
{
    char path[] = "/tmp/rs_io_import_XXXXXX";
    int fd = mkstemp(path);
    rs_graph *g = NULL;
    rs_reader *r;
    size_t before[3], after[3];
    const char *good = "user,item\nu1,i1\n";
    const char *bad[] = {
        "user,item,event\nu2,i2,clicked\nu3,\"i3\nu4,i4,clicked\n", /* unbalanced quote */
        "user,item,weight\nu2,i2,1\nu3,i3,-2\n",                   /* negative weight */
        "user,item,weight\nu2,i2,1\nu3,i3,NaN\n",                  /* NaN weight */
        "user,item\nu2,i2\nu3,i3,extra\n",                         /* ragged row */
        "user,item\nu2,i2\n,i3\n",                                 /* empty user key */
        "user,item,time\nu2,i2,2011-01-01\nu3,i3,yesterday\n",     /* bad time */
        "user,item\nu2,i2\nu3,i\xff\n",                            /* invalid UTF-8 */
    };
    const char *messages[] = {"bad.csv:3: unbalanced quote", "bad.csv:3: weight -2",
                              "bad.csv:3: column \"weight\"", "bad.csv:3: 3 fields",
                              "bad.csv:3: the user key is empty", "bad.csv:3: column \"time\"",
                              "bad.csv:3: invalid UTF-8"};
    size_t i;
    ck_assert_int_ge(fd, 0);
    close(fd);
    unlink(path);
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    r = text_reader(good, "good.csv");
    ck_assert_ok(rs_io_import_interactions(g, r, NULL, NULL, 0, NULL));
    rs_reader_close(r);
    snapshot(g, before);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = text_reader(bad[i], "bad.csv");
        ck_assert_msg(rs_io_import_interactions(g, r, NULL, NULL, 0, NULL) != RS_OK, "case %zu",
                      i);
        ck_assert_errmsg_has(messages[i]);
        rs_reader_close(r);
        snapshot(g, after);
        ck_assert_msg(memcmp(before, after, sizeof before) == 0,
                      "case %zu changed the graph: %zu/%zu/%zu -> %zu/%zu/%zu", i, before[0],
                      before[1], before[2], after[0], after[1], after[2]);
    }
    /* ... and on disk: reopen and compare. */
    rs_graph_close(g);
    ck_assert_ok(rs_graph_open(path, 0, &g));
    snapshot(g, after);
    ck_assert(memcmp(before, after, sizeof before) == 0);
    ck_assert_status(rs_graph_find_node(g, "user", "u2", &(uint32_t){0}), RS_ERR_NOTFOUND);
    ck_assert_status(rs_graph_find_relation(g, "clicked", &(uint32_t){0}), RS_ERR_NOTFOUND);
    rs_graph_close(g);

    /* Read-only: refused, nothing written. */
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
    r = text_reader(good, "good.csv");
    ck_assert_status(rs_io_import_interactions(g, r, NULL, NULL, 0, NULL), RS_ERR_READONLY);
    rs_reader_close(r);
    rs_graph_close(g);
    unlink(path);
    {
        char side[64];
        snprintf(side, sizeof side, "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", path);
        unlink(side);
    }
}
END_TEST

START_TEST(jsonl_later_and_missing_keys)
{
    rs_graph *g = NULL;
    rs_reader *r;
    rs_cleaner *c = NULL;
    uint64_t rows = 0;
    uint32_t rel;
    double w;
    int64_t ts;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    /* a weight key only in later rows: refused, not imported as weight 1 */
    r = text_reader("{\"user\":\"u1\",\"item\":\"i1\"}\n"
                    "{\"user\":\"u2\",\"item\":\"i1\",\"weight\":-5}\n", "late.jsonl");
    ck_assert_status(rs_io_import_interactions(g, r, NULL, "bought", 0, &rows), RS_ERR_PARSE);
    ck_assert_errmsg_has("late.jsonl:2");
    ck_assert_errmsg_has("weight");
    ck_assert_uint_eq(rs_graph_edge_count(g), 0);
    rs_reader_close(r);
    /* optional keys missing from a later row: the row counts as without
     * them (weight 1, no time), the import goes on */
    r = text_reader("{\"user\":\"u1\",\"item\":\"i1\",\"weight\":3,\"time\":1300000000}\n"
                    "{\"user\":\"u2\",\"item\":\"i1\"}\n"
                    "{\"user\":\"u1\",\"item\":\"i1\",\"weight\":null,\"time\":1200000000}\n",
                    "opt.jsonl");
    ck_assert_ok(rs_io_import_interactions(g, r, NULL, "bought", 0, &rows));
    ck_assert_uint_eq(rows, 3);
    rs_reader_close(r);
    ck_assert_ok(rs_graph_find_relation(g, "bought", &rel));
    ck_assert_ok(rs_graph_get_edge(g, node(g, "user", "u1"), rel, node(g, "item", "i1"), &w,
                                   &ts));
    ck_assert_double_eq(w, 4.0);
    ck_assert_int_eq(ts, 1300000000);
    ck_assert_ok(rs_graph_get_edge(g, node(g, "user", "u2"), rel, node(g, "item", "i1"), &w,
                                   &ts));
    ck_assert_double_eq(w, 1.0);
    ck_assert_int_eq(ts, 0);
    /* with a cleaner rule, such a row is dropped and counted instead */
    r = text_reader("{\"user\":\"u3\",\"item\":\"i1\",\"weight\":2}\n"
                    "{\"user\":\"u4\",\"item\":\"i1\"}\n", "rule.jsonl");
    ck_assert_ok(rs_cleaner_create(&c));
    ck_assert_ok(rs_cleaner_add_required(c, "missing weight", "weight"));
    ck_assert_ok(rs_io_import_interactions(g, r, c, "bought", 0, &rows));
    ck_assert_uint_eq(rows, 1);
    ck_assert_uint_eq(rs_cleaner_dropped(c, 0), 1);
    ck_assert_status(rs_graph_find_node(g, "user", "u4", &rel), RS_ERR_NOTFOUND);
    rs_cleaner_free(c);
    rs_reader_close(r);
    rs_graph_close(g);
}
END_TEST

START_TEST(bad_arguments)
{
    rs_graph *g = NULL;
    rs_reader *r = text_reader("a,b\n1,2\n", "x.csv");
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_status(rs_io_import_interactions(NULL, r, NULL, NULL, 0, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_io_import_interactions(g, NULL, NULL, NULL, 0, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_io_import_interactions(g, r, NULL, NULL, 64, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_io_import_interactions(g, r, NULL, "", 0, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_io_import_interactions(g, r, NULL, NULL, 0, NULL), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("no user column");
    ck_assert_status(rs_io_import_items(g, r, NULL, NULL, 1, NULL, 0, NULL), RS_ERR_NOTFOUND);
    ck_assert_ok(rs_reader_map(r, RS_ROLE_ITEM, "a"));
    ck_assert_status(rs_io_import_items(g, r, NULL, NULL, 1, NULL, 0, NULL), RS_ERR_INVALID);
    ck_assert_int_eq(rs_reader_next(r), 1);
    ck_assert_status(rs_io_import_items(g, r, NULL, NULL, 0, NULL, 0, NULL), RS_ERR_STATE);
    ck_assert_status(rs_io_import_users(NULL, r, NULL, NULL, 0, NULL, 0, NULL, NULL), RS_ERR_INVALID);
    ck_assert_uint_eq(rs_graph_edge_count(g), 0);
    rs_reader_close(r);
    rs_graph_close(g);
}
END_TEST

START_TEST(invalid_keys_are_rejected_rows)
{
    /* a key with a tab, blank, with ESC, or empty: the row is dropped as
     * "invalid key" (counted, written to the reject file), not a failure */
    const char *log = "user,item\n"
                      "u1,i1\n"
                      "\"a\tb\",i1\n"
                      "\"   \",i1\n"
                      "\"\x1b[31mred\",i1\n"
                      "u2,\"i\x1b]0;x\x07\"\n"
                      ",i1\n"
                      "u2,i2\n";
    const char *catalogue = "item,title\ni1,one\n\"i\x1b\",two\n";
    char path[] = "/tmp/rs_io_rejects_XXXXXX";
    int fd = mkstemp(path);
    char text[2048];
    size_t n, invalid = SIZE_MAX;
    rs_graph *g = NULL;
    rs_cleaner *c = NULL;
    rs_reader *r = text_reader(log, "log.csv");
    uint64_t rows = 0;
    uint32_t index;
    FILE *f;
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_cleaner_create(&c));
    ck_assert_ok(rs_cleaner_set_reject_file(c, path));
    ck_assert_ok(rs_io_import_interactions(g, r, c, NULL, 0, &rows));
    ck_assert_uint_eq(rows, 2);
    ck_assert_uint_eq(rs_cleaner_kept(c), 2);
    for (size_t i = 0; i < rs_cleaner_rule_count(c); i++)
        if (strcmp(rs_cleaner_rule_name(c, i), "invalid key") == 0)
            invalid = i;
    ck_assert_uint_ne(invalid, SIZE_MAX);
    ck_assert_uint_eq(rs_cleaner_dropped(c, invalid), 5);
    ck_assert_ok(rs_cleaner_set_reject_file(c, NULL));
    ck_assert_ptr_nonnull(f = fopen(path, "r"));
    n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "log.csv:3: invalid key: user key has a control "
                                       "character (U+0009, a tab) at byte 1\n"));
    ck_assert_ptr_nonnull(strstr(text, "log.csv:4: invalid key: user key is blank"));
    ck_assert_ptr_nonnull(strstr(text, "log.csv:6: invalid key: item key has a control"));
    ck_assert_ptr_nonnull(strstr(text, "log.csv:7: invalid key: user key is empty"));
    ck_assert_uint_eq(count(g, "user"), 2);
    rs_reader_close(r);
    rs_cleaner_free(c);

    /* an entity import likewise */
    ck_assert_ok(rs_cleaner_create(&c));
    r = text_reader(catalogue, "items.csv");
    ck_assert_ok(rs_io_import_items(g, r, c, NULL, 0, NULL, 0, &rows));
    ck_assert_uint_eq(rows, 1);
    ck_assert_uint_eq(rs_cleaner_dropped(c, 0), 1);
    rs_reader_close(r);
    rs_cleaner_free(c);

    /* the rule itself, everywhere a key is taken */
    ck_assert_status(rs_graph_add_node(g, "user", "a\x1b[2J", &index), RS_ERR_INVALID);
    ck_assert_errmsg_has("U+001B, escape");
    ck_assert_status(rs_graph_add_node(g, "user", "a\xc2\x9b" "b", &index), RS_ERR_INVALID);
    ck_assert_status(rs_graph_add_node(g, "user", "x\x7f", &index), RS_ERR_INVALID);
    ck_assert_status(rs_graph_add_node(g, "user", "  ", &index), RS_ERR_INVALID);
    ck_assert_errmsg_has("blank");
    ck_assert_ok(rs_graph_add_node(g, "user", " a b ", &index));
    ck_assert_ok(rs_graph_add_node(g, "user", "caf\xc3\xa9 \xc2\xa0", &index));
    rs_graph_close(g);
    unlink(path);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("io_import");
    TCase *tc = tcase_create("import");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, interactions_weighted_timed_typed);
    tcase_add_test(tc, retail_sample_with_cleaning);
    tcase_add_test(tc, catalogue_and_profiles);
    tcase_add_test(tc, properties_take_the_most_frequent_value);
    tcase_add_test(tc, failed_import_leaves_the_file_as_it_was);
    tcase_add_test(tc, jsonl_later_and_missing_keys);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, invalid_keys_are_rejected_rows);
    suite_add_tcase(s, tc);
    return s;
}
