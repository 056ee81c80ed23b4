/*
 * test_graph_snapshot.c - the edge snapshot a build leaves in the file
 * (graph_snapshot.c): an open that reads it sees exactly the adjacency the
 * table gives; any later change to the edges, by the library or by plain
 * SQL (another writer of the file), removes it; a damaged snapshot is
 * RS_ERR_CORRUPT naming its key, one from a newer release RS_ERR_VERSION
 * naming both formats.
 */
#define MODEL_PATH_PREFIX "rs_graph_snapshot"
#include "testutil.h"
#include "model_path.h"
#include "meta_poke.h"

#include "graph/graph_impl.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t edges_built;

/* users u0..u19, items i0..i29, two relations, edges with varied weights;
 * a node deleted in the middle so that ids and indices differ */
static void build(rs_graph *g)
{
    uint32_t users[20], items[30], bought, viewed, gone;
    ck_assert_ok(rs_graph_add_relation(g, "bought", &bought));
    ck_assert_ok(rs_graph_add_relation(g, "viewed", &viewed));
    ck_assert_ok(rs_graph_add_node(g, "user", "gone", &gone));
    for (int u = 0; u < 20; u++) {
        char key[16];
        snprintf(key, sizeof key, "u%d", u);
        ck_assert_ok(rs_graph_add_node(g, "user", key, &users[u]));
    }
    for (int i = 0; i < 30; i++) {
        char key[16];
        snprintf(key, sizeof key, "i%d", i);
        ck_assert_ok(rs_graph_add_node(g, "item", key, &items[i]));
    }
    ck_assert_ok(rs_graph_delete_node(g, gone));
    edges_built = 0;
    for (int u = 0; u < 20; u++)
        for (int i = u % 3; i < 30; i += 4, edges_built++)
            ck_assert_ok(rs_graph_add_edge(g, users[u], (u + i) % 2 ? bought : viewed, items[i],
                                           0.25 * (1 + (u * 7 + i) % 9), 0,
                                           RS_GRAPH_MERGE_NONE));
}

/* Every out-list of g as text, for comparison. */
static char *dump(const rs_graph *g)
{
    rs__graph_csr out;
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    ck_assert_ok(rs__graph_adjacency(g, RS_GRAPH_OUT, &out));
    for (uint32_t v = 0; v < out.nodes; v++)
        for (uint32_t e = out.start[v]; e < out.start[v] + out.degree[v]; e++) {
            int n = snprintf(text + len, cap - len, "%u %u %u %.9g\n", v, out.relation[e],
                             out.target[e], (double)out.weight[e]);
            ck_assert(n > 0 && (size_t)n < cap - len);
            len += (size_t)n;
        }
    text[len] = '\0';
    return text;
}

static int64_t snapshot_rows(rs_graph *g)
{
    sqlite3_stmt *st;
    int64_t n = -1;
    ck_assert_int_eq(sqlite3_prepare_v2(rs__graph_db(g),
                                        "SELECT count(*) FROM meta WHERE key ="
                                        " 'graph.edge_snapshot'", -1, &st, NULL),
                     SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* The file built and snapshotted; *table_view gets the adjacency as the
 * table gives it. */
static void make_file(char **table_view)
{
    rs_graph *g;
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    build(g);
    rs_graph_close(g);
    ck_assert_ok(rs_graph_open(path, 0, &g));
    *table_view = dump(g);
    ck_assert_int_eq(snapshot_rows(g), 0);
    ck_assert_ok(rs__graph_snapshot_save(g));
    ck_assert_int_eq(snapshot_rows(g), 1);
    rs_graph_close(g);
}

START_TEST(snapshot_reads_as_the_table)
{
    rs_graph *g;
    char *table_view, *view;
    set_path("same");
    make_file(&table_view);
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
    ck_assert_int_eq(snapshot_rows(g), 1);
    view = dump(g);
    ck_assert_str_eq(view, table_view);
    ck_assert_uint_eq(rs_graph_edge_count(g), edges_built);
    /* a read-only graph cannot take one */
    ck_assert_status(rs__graph_snapshot_save(g), RS_ERR_READONLY);
    rs_graph_close(g);
    free(view);
    free(table_view);
    remove_model();
}
END_TEST

/* A change through the library: the snapshot goes, the next open reads the
 * table with the change. */
START_TEST(library_writes_remove_it)
{
    static const int change[] = {0, 1, 2, 3};
    for (size_t c = 0; c < sizeof change / sizeof *change; c++) {
        rs_graph *g;
        char *table_view;
        uint32_t u, i, bought, viewed;
        double w;
        int64_t ts;
        set_path("write");
        make_file(&table_view);
        free(table_view);
        ck_assert_ok(rs_graph_open(path, 0, &g));
        ck_assert_ok(rs_graph_find_node(g, "user", "u1", &u));
        ck_assert_ok(rs_graph_find_node(g, "item", "i1", &i));
        ck_assert_ok(rs_graph_find_relation(g, "bought", &bought));
        ck_assert_ok(rs_graph_find_relation(g, "viewed", &viewed)); /* u1 -viewed-> i1 */
        switch (change[c]) {
        case 0:
            ck_assert_ok(rs_graph_update_edge(g, u, viewed, i, 9.5, 0));
            break;
        case 1:
            ck_assert_ok(rs_graph_delete_edge(g, u, viewed, i));
            break;
        case 2:
            ck_assert_ok(rs_graph_add_edge(g, u, bought, i + 1, 4.0, 0, RS_GRAPH_MERGE_NONE));
            break;
        default: /* a bulk load */
            ck_assert_ok(rs_graph_bulk_begin(g));
            ck_assert_ok(rs_graph_add_edge(g, u, bought, i + 1, 4.0, 0, RS_GRAPH_MERGE_NONE));
            ck_assert_ok(rs_graph_bulk_commit(g));
            break;
        }
        ck_assert_int_eq(snapshot_rows(g), 0);
        rs_graph_close(g);
        /* the table is read again, with the change */
        ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
        ck_assert_int_eq(snapshot_rows(g), 0);
        ck_assert_uint_eq(rs_graph_edge_count(g),
                          edges_built + (change[c] >= 2) - (change[c] == 1));
        if (change[c] == 0) {
            ck_assert_ok(rs_graph_get_edge(g, u, viewed, i, &w, &ts));
            ck_assert(w == 9.5);
        } else if (change[c] == 1) {
            ck_assert_status(rs_graph_get_edge(g, u, viewed, i, &w, &ts), RS_ERR_NOTFOUND);
        } else {
            ck_assert_ok(rs_graph_get_edge(g, u, bought, i + 1, &w, &ts));
            ck_assert(w == 4.0);
        }
        rs_graph_close(g);
        remove_model();
    }
}
END_TEST

/* Another writer of the file (plain SQL, as release 1.0's library would
 * write): the triggers in the file remove the snapshot. */
START_TEST(sql_writes_remove_it)
{
    /* edges is WITHOUT ROWID: rows are named by their key */
    static const char *const sql[] = {
        "UPDATE edges SET weight = weight + 1 WHERE (src, rel, dst) ="
        " (SELECT src, rel, dst FROM edges LIMIT 1)",
        "DELETE FROM edges WHERE src = (SELECT min(src) FROM edges)",
        "INSERT INTO edges(src, rel, dst, weight) VALUES ((SELECT min(id) FROM nodes),"
        " (SELECT min(id) FROM relations), (SELECT max(id) FROM nodes), 2.0)",
    };
    for (size_t c = 0; c < sizeof sql / sizeof *sql; c++) {
        rs_graph *g;
        sqlite3 *db;
        char *before, *after, *table_view;
        set_path("sql");
        make_file(&before);
        ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
        ck_assert_int_eq(sqlite3_exec(db, sql[c], NULL, NULL, NULL), SQLITE_OK);
        ck_assert_int_ge(sqlite3_changes(db), 1);
        sqlite3_close(db);
        ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
        ck_assert_int_eq(snapshot_rows(g), 0);
        after = dump(g);
        ck_assert_str_ne(after, before);
        rs_graph_close(g);
        /* and the table read is what memory shows after reopening */
        ck_assert_ok(rs_graph_open(path, 0, &g));
        table_view = dump(g);
        ck_assert_str_eq(table_view, after);
        rs_graph_close(g);
        free(before);
        free(after);
        free(table_view);
        remove_model();
    }
}
END_TEST

START_TEST(damaged_snapshot_is_corrupt)
{
    static const long spots[] = {20, -3, 9};
    for (size_t c = 0; c < sizeof spots / sizeof *spots; c++) {
        rs_graph *g = NULL;
        char *view;
        set_path("bad");
        make_file(&view);
        free(view);
        meta_poke(path, "graph.edge_snapshot", spots[c], 0x5a);
        ck_assert_status(rs_graph_open(path, RS_GRAPH_READONLY, &g), RS_ERR_CORRUPT);
        ck_assert_ptr_null(g);
        ck_assert_ptr_nonnull(strstr(rs_errmsg(), "graph.edge_snapshot"));
        remove_model();
    }
}
END_TEST

START_TEST(newer_format_is_version)
{
    rs_graph *g = NULL;
    char *view;
    set_path("newer");
    make_file(&view);
    free(view);
    meta_poke(path, "graph.edge_snapshot", 0, 7);
    ck_assert_status(rs_graph_open(path, RS_GRAPH_READONLY, &g), RS_ERR_VERSION);
    ck_assert_ptr_null(g);
    ck_assert_ptr_nonnull(strstr(rs_errmsg(), "format 7"));
    ck_assert_ptr_nonnull(strstr(rs_errmsg(), "format 1"));
    remove_model();
}
END_TEST

START_TEST(bad_arguments)
{
    rs_graph *g;
    ck_assert_status(rs__graph_snapshot_save(NULL), RS_ERR_INVALID);
    /* an empty graph: a snapshot of no edges reads back as none */
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs__graph_snapshot_save(g));
    ck_assert_int_eq(snapshot_rows(g), 1);
    ck_assert_uint_eq(rs_graph_edge_count(g), 0);
    rs_graph_close(g);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("graph_snapshot");
    TCase *tc = tcase_create("snapshot");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, snapshot_reads_as_the_table);
    tcase_add_test(tc, library_writes_remove_it);
    tcase_add_test(tc, sql_writes_remove_it);
    tcase_add_test(tc, damaged_snapshot_is_corrupt);
    tcase_add_test(tc, newer_format_is_version);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}
