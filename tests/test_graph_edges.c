/*
 * test_graph_edges.c - relations, edges (add, merge, update, delete), node
 * deletion, the bulk load, durability (kill mid-load) and WAL readers.
 */
#include "graph_fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <math.h>
#include <time.h>

static rs_graph *g;
static uint32_t u1, u2, i1, i2, bought, viewed;

static void setup(void)
{
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_add_node(g, "user", "u1", &u1));
    ck_assert_ok(rs_graph_add_node(g, "user", "u2", &u2));
    ck_assert_ok(rs_graph_add_node(g, "item", "i1", &i1));
    ck_assert_ok(rs_graph_add_node(g, "item", "i2", &i2));
    ck_assert_ok(rs_graph_add_relation(g, "bought", &bought));
    ck_assert_ok(rs_graph_add_relation(g, "viewed", &viewed));
}

static void teardown(void)
{
    rs_graph_close(g);
    g = NULL;
}

START_TEST(relations_get_or_create_and_weights)
{
    uint32_t r;
    double w = 0;
    ck_assert_uint_eq(rs_graph_relation_count(g), 2);
    ck_assert_ok(rs_graph_add_relation(g, "bought", &r));
    ck_assert_uint_eq(r, bought);
    ck_assert_ok(rs_graph_find_relation(g, "viewed", &r));
    ck_assert_uint_eq(r, viewed);
    ck_assert_str_eq(rs_graph_relation_name(g, viewed), "viewed");
    ck_assert_ptr_null(rs_graph_relation_name(g, 99));
    ck_assert_ptr_null(rs_graph_relation_name(NULL, 0));
    ck_assert_status(rs_graph_find_relation(g, "liked", &r), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("liked");
    ck_assert_ok(rs_graph_get_relation_weight(g, bought, &w));
    ck_assert_double_eq(w, 1.0);
    ck_assert_ok(rs_graph_set_relation_weight(g, bought, 2.5));
    ck_assert_ok(rs_graph_get_relation_weight(g, bought, &w));
    ck_assert_double_eq(w, 2.5);
    ck_assert_float_eq(rs__graph_relation_weight(g, bought), 2.5f);
    ck_assert_status(rs_graph_set_relation_weight(g, bought, NAN), RS_ERR_RANGE);
    ck_assert_status(rs_graph_set_relation_weight(g, bought, INFINITY), RS_ERR_RANGE);
    ck_assert_status(rs_graph_set_relation_weight(g, bought, -1), RS_ERR_RANGE);
    ck_assert_errmsg_has("negative");
    ck_assert_status(rs_graph_set_relation_weight(g, 7, 1), RS_ERR_NOTFOUND);
    ck_assert_status(rs_graph_get_relation_weight(g, bought, NULL), RS_ERR_INVALID);
    ck_assert_ok(rs_graph_get_relation_weight(g, bought, &w));
    ck_assert_double_eq(w, 2.5);
    ck_assert_status(rs_graph_add_relation(g, "", &r), RS_ERR_INVALID);
    ck_assert_status(rs_graph_add_relation(g, "\xc0\x80", &r), RS_ERR_ENCODING);
    ck_assert_status(rs_graph_add_relation(NULL, "x", &r), RS_ERR_INVALID);
    ck_assert_uint_eq(rs_graph_relation_count(g), 2);
}
END_TEST

START_TEST(edges_add_get_update_delete)
{
    double w;
    int64_t ts;
    float mem;
    ck_assert_ok(rs_graph_add_edge(g, u1, bought, i1, 1.0, 100, RS_GRAPH_MERGE_NONE));
    ck_assert_ok(rs_graph_add_edge(g, u1, viewed, i1, 0.5, 90, RS_GRAPH_MERGE_NONE));
    ck_assert_ok(rs_graph_add_edge(g, u2, bought, i1, 2.0, 50, RS_GRAPH_MERGE_NONE));
    ck_assert_uint_eq(rs_graph_edge_count(g), 3);
    ck_assert_ok(rs_graph_get_edge(g, u1, bought, i1, &w, &ts));
    ck_assert_double_eq(w, 1.0);
    ck_assert_int_eq(ts, 100);
    ck_assert(graph_has_edge(g, u1, viewed, i1, &mem));
    ck_assert_float_eq(mem, 0.5f);
    ck_assert_status(rs_graph_get_edge(g, i1, bought, u1, &w, &ts), RS_ERR_NOTFOUND);

    ck_assert_ok(rs_graph_update_edge(g, u1, bought, i1, 3.0, 200));
    ck_assert_ok(rs_graph_get_edge(g, u1, bought, i1, &w, &ts));
    ck_assert_double_eq(w, 3.0);
    ck_assert_int_eq(ts, 200);
    ck_assert(graph_has_edge(g, u1, bought, i1, &mem));
    ck_assert_float_eq(mem, 3.0f);
    ck_assert_status(rs_graph_update_edge(g, u1, bought, i2, 1.0, 0), RS_ERR_NOTFOUND);

    ck_assert_ok(rs_graph_delete_edge(g, u1, viewed, i1));
    ck_assert(!graph_has_edge(g, u1, viewed, i1, NULL));
    ck_assert_status(rs_graph_delete_edge(g, u1, viewed, i1), RS_ERR_NOTFOUND);
    ck_assert_uint_eq(rs_graph_edge_count(g), 2);
    graph_check_counts(g);
}
END_TEST

START_TEST(edges_accumulate_sum_max_replace)
{
    double w;
    int64_t ts;
    ck_assert_ok(rs_graph_add_edge(g, u1, viewed, i1, 1.0, 10, RS_GRAPH_MERGE_SUM));
    ck_assert_ok(rs_graph_add_edge(g, u1, viewed, i1, 1.0, 30, RS_GRAPH_MERGE_SUM));
    ck_assert_ok(rs_graph_add_edge(g, u1, viewed, i1, 0.5, 20, RS_GRAPH_MERGE_SUM));
    ck_assert_ok(rs_graph_get_edge(g, u1, viewed, i1, &w, &ts));
    ck_assert_double_eq(w, 2.5);
    ck_assert_int_eq(ts, 30); /* the later timestamp */
    ck_assert_ok(rs_graph_add_edge(g, u1, viewed, i1, 2.0, 5, RS_GRAPH_MERGE_MAX));
    ck_assert_ok(rs_graph_get_edge(g, u1, viewed, i1, &w, NULL));
    ck_assert_double_eq(w, 2.5);
    ck_assert_ok(rs_graph_add_edge(g, u1, viewed, i1, 4.0, 5, RS_GRAPH_MERGE_MAX));
    ck_assert_ok(rs_graph_get_edge(g, u1, viewed, i1, &w, &ts));
    ck_assert_double_eq(w, 4.0);
    ck_assert_int_eq(ts, 30);
    ck_assert_ok(rs_graph_add_edge(g, u1, viewed, i1, 0.25, 1, RS_GRAPH_MERGE_REPLACE));
    ck_assert_ok(rs_graph_get_edge(g, u1, viewed, i1, &w, &ts));
    ck_assert_double_eq(w, 0.25);
    ck_assert_int_eq(ts, 1);
    ck_assert_status(rs_graph_add_edge(g, u1, viewed, i1, 1.0, 1, RS_GRAPH_MERGE_NONE),
                     RS_ERR_EXISTS);
    ck_assert_errmsg_has("viewed");
    ck_assert_uint_eq(rs_graph_edge_count(g), 1);
    float mem;
    ck_assert(graph_has_edge(g, u1, viewed, i1, &mem));
    ck_assert_float_eq(mem, 0.25f);
}
END_TEST

START_TEST(edges_bad_input_changes_nothing)
{
    double w;
    ck_assert_ok(rs_graph_add_edge(g, u1, bought, i1, 1.0, 0, RS_GRAPH_MERGE_NONE));
    ck_assert_status(rs_graph_add_edge(NULL, u1, bought, i1, 1, 0, 0), RS_ERR_INVALID);
    ck_assert_status(rs_graph_add_edge(g, u1, bought, u1, 1, 0, 0), RS_ERR_INVALID);
    ck_assert_errmsg_has("self-loop");
    ck_assert_status(rs_graph_add_edge(g, u1, bought, 99, 1, 0, 0), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("99");
    ck_assert_status(rs_graph_add_edge(g, 99, bought, i1, 1, 0, 0), RS_ERR_NOTFOUND);
    ck_assert_status(rs_graph_add_edge(g, u1, 42, i1, 1, 0, 0), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("relation");
    ck_assert_status(rs_graph_add_edge(g, u1, bought, i2, NAN, 0, 0), RS_ERR_RANGE);
    ck_assert_status(rs_graph_add_edge(g, u1, bought, i2, INFINITY, 0, 0), RS_ERR_RANGE);
    ck_assert_status(rs_graph_add_edge(g, u1, bought, i2, -0.5, 0, 0), RS_ERR_RANGE);
    ck_assert_status(rs_graph_add_edge(g, u1, bought, i2, 1e300, 0, 0), RS_ERR_RANGE);
    ck_assert_status(rs_graph_add_edge(g, u1, bought, i2, 1, 0, 9), RS_ERR_INVALID);
    ck_assert_ok(rs_graph_add_edge(g, u2, bought, i2, 2e38, 0, RS_GRAPH_MERGE_SUM));
    ck_assert_status(rs_graph_add_edge(g, u2, bought, i2, 2e38, 0, RS_GRAPH_MERGE_SUM),
                     RS_ERR_RANGE); /* the sum would not fit a float */
    ck_assert_errmsg_has("merged weight");
    ck_assert_ok(rs_graph_get_edge(g, u2, bought, i2, &w, NULL));
    ck_assert_double_eq(w, 2e38);
    ck_assert_ok(rs_graph_delete_edge(g, u2, bought, i2));
    ck_assert_ok(rs_graph_get_edge(g, u1, bought, i1, &w, NULL));
    ck_assert_double_eq(w, 1.0);
    ck_assert_status(rs_graph_update_edge(g, u1, bought, i1, NAN, 0), RS_ERR_RANGE);
    ck_assert_status(rs_graph_delete_edge(g, u1, bought, 1234), RS_ERR_NOTFOUND);
    ck_assert_status(rs_graph_get_edge(NULL, u1, bought, i1, &w, NULL), RS_ERR_INVALID);
    ck_assert_uint_eq(rs_graph_edge_count(g), 1);
    ck_assert_uint_eq(rs_graph_edge_count(NULL), 0);
    graph_check_counts(g);
}
END_TEST

START_TEST(delete_node_removes_its_edges)
{
    uint32_t found;
    size_t count;
    ck_assert_ok(rs_graph_add_edge(g, u1, bought, i1, 1, 0, 0));
    ck_assert_ok(rs_graph_add_edge(g, u2, bought, i1, 1, 0, 0));
    ck_assert_ok(rs_graph_add_edge(g, i1, viewed, u1, 1, 0, 0));
    ck_assert_ok(rs_graph_add_edge(g, u1, bought, i2, 1, 0, 0));
    ck_assert_ok(rs_graph_set_property(g, i1, "title", "Phone"));
    ck_assert_ok(rs_graph_delete_node(g, i1));
    ck_assert_uint_eq(rs_graph_edge_count(g), 1);
    ck_assert(graph_has_edge(g, u1, bought, i2, NULL));
    graph_check_counts(g);
    ck_assert_status(rs_graph_find_node(g, "item", "i1", &found), RS_ERR_NOTFOUND);
    ck_assert_status(rs_graph_delete_node(g, i1), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("deleted");
    ck_assert_status(rs_graph_add_edge(g, u1, bought, i1, 1, 0, 0), RS_ERR_NOTFOUND);
    ck_assert_ok(rs_graph_node_count(g, "item", &count));
    ck_assert_uint_eq(count, 1);
    /* the file agrees */
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(rs__graph_db(g),
                                        "SELECT (SELECT count(*) FROM edges),"
                                        " (SELECT count(*) FROM node_props)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
    ck_assert_int_eq(sqlite3_column_int(st, 1), 0);
    sqlite3_finalize(st);
    /* a re-added node gets a new index */
    ck_assert_ok(rs_graph_add_node(g, "item", "i1", &found));
    ck_assert_uint_ne(found, i1);
}
END_TEST

START_TEST(many_writes_keep_adjacency_in_step)
{
    /* a hub with many edges forces list moves and compaction */
    char key[32];
    uint32_t nodes[600];
    for (int i = 0; i < 600; i++) {
        snprintf(key, sizeof key, "n%d", i);
        ck_assert_ok(rs_graph_add_node(g, "tag", key, &nodes[i]));
    }
    ck_assert_ok(rs_graph_bulk_begin(g));
    ck_assert_ok(rs_graph_bulk_commit(g));
    for (int round = 0; round < 3; round++)
        for (int i = 1; i < 600; i++) {
            ck_assert_ok(rs_graph_add_edge(g, nodes[0], bought, nodes[i], 1, 0,
                                           RS_GRAPH_MERGE_SUM));
            int t = (i * 7) % 600;
            if (t != i && t != 0)
                ck_assert_ok(rs_graph_add_edge(g, nodes[i], viewed, nodes[t], 1, 0,
                                               RS_GRAPH_MERGE_SUM));
        }
    for (int i = 1; i < 600; i += 2)
        ck_assert_ok(rs_graph_delete_edge(g, nodes[0], bought, nodes[i]));
    graph_check_counts(g);
    for (int i = 1; i < 600; i++) {
        float w;
        int has = graph_has_edge(g, nodes[0], bought, nodes[i], &w);
        ck_assert_int_eq(has, i % 2 == 0);
        if (has)
            ck_assert_float_eq(w, 3.0f);
    }
}
END_TEST

START_TEST(bulk_load_merges_and_persists)
{
    char *path = graph_temp_path("bulk");
    rs_graph *fg;
    uint32_t a, b, c, rel;
    double w;
    int64_t ts;
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &fg));
    ck_assert_ok(rs_graph_add_node(fg, "user", "a", &a));
    ck_assert_ok(rs_graph_add_node(fg, "item", "b", &b));
    ck_assert_ok(rs_graph_add_relation(fg, "viewed", &rel));
    ck_assert_ok(rs_graph_add_edge(fg, a, rel, b, 1.0, 5, RS_GRAPH_MERGE_NONE));
    ck_assert_ok(rs_graph_bulk_begin(fg));
    ck_assert_status(rs_graph_bulk_begin(fg), RS_ERR_STATE);
    ck_assert_ok(rs_graph_add_node(fg, "item", "c", &c));
    ck_assert_ok(rs_graph_add_edge(fg, a, rel, b, 2.0, 7, RS_GRAPH_MERGE_SUM)); /* existing */
    ck_assert_ok(rs_graph_add_edge(fg, a, rel, c, 1.0, 1, RS_GRAPH_MERGE_SUM));
    ck_assert_ok(rs_graph_add_edge(fg, a, rel, c, 1.5, 2, RS_GRAPH_MERGE_SUM));
    ck_assert_ok(rs_graph_add_edge(fg, c, rel, b, 1.0, 2, RS_GRAPH_MERGE_MAX));
    ck_assert_status(rs_graph_delete_edge(fg, a, rel, b), RS_ERR_STATE);
    ck_assert_status(rs_graph_delete_node(fg, a), RS_ERR_STATE);
    ck_assert_uint_eq(rs_graph_edge_count(fg), 1); /* queued edges are not visible yet */
    ck_assert_ok(rs_graph_bulk_commit(fg));
    ck_assert_status(rs_graph_bulk_commit(fg), RS_ERR_STATE);
    ck_assert_uint_eq(rs_graph_edge_count(fg), 3);
    ck_assert_ok(rs_graph_get_edge(fg, a, rel, b, &w, &ts));
    ck_assert_double_eq(w, 3.0);
    ck_assert_int_eq(ts, 7);
    ck_assert_ok(rs_graph_get_edge(fg, a, rel, c, &w, NULL));
    ck_assert_double_eq(w, 2.5);
    float mem;
    ck_assert(graph_has_edge(fg, a, rel, b, &mem));
    ck_assert_float_eq(mem, 3.0f);
    graph_check_counts(fg);
    rs_graph_close(fg);

    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &fg));
    ck_assert_uint_eq(rs_graph_edge_count(fg), 3);
    ck_assert_ok(rs_graph_find_node(fg, "item", "c", &c));
    ck_assert(graph_has_edge(fg, a, rel, c, &mem));
    ck_assert_float_eq(mem, 2.5f);
    graph_check_counts(fg);
    ck_assert_status(rs_graph_bulk_begin(fg), RS_ERR_READONLY);
    rs_graph_close(fg);
    graph_remove_db(path);
}
END_TEST

START_TEST(bulk_duplicate_rolls_back_everything)
{
    uint32_t c, found;
    size_t count;
    ck_assert_ok(rs_graph_add_edge(g, u1, bought, i1, 1.0, 0, RS_GRAPH_MERGE_NONE));
    ck_assert_ok(rs_graph_bulk_begin(g));
    ck_assert_ok(rs_graph_add_node(g, "brand", "acme", &c));
    ck_assert_ok(rs_graph_add_edge(g, i1, bought, c, 1.0, 0, RS_GRAPH_MERGE_NONE));
    ck_assert_ok(rs_graph_add_edge(g, i2, bought, c, 1.0, 0, RS_GRAPH_MERGE_NONE));
    ck_assert_ok(rs_graph_add_edge(g, i2, bought, c, 1.0, 0, RS_GRAPH_MERGE_NONE));
    ck_assert_status(rs_graph_bulk_commit(g), RS_ERR_EXISTS);
    ck_assert_errmsg_has("twice");
    ck_assert_uint_eq(rs_graph_edge_count(g), 1);
    ck_assert_status(rs_graph_find_node(g, "brand", "acme", &found), RS_ERR_NOTFOUND);
    ck_assert_ok(rs_graph_node_count(g, NULL, &count));
    ck_assert_uint_eq(count, 4);

    /* an existing edge with MERGE_NONE */
    ck_assert_ok(rs_graph_bulk_begin(g));
    ck_assert_ok(rs_graph_add_edge(g, u1, bought, i1, 1.0, 0, RS_GRAPH_MERGE_NONE));
    ck_assert_status(rs_graph_bulk_commit(g), RS_ERR_EXISTS);
    ck_assert_errmsg_has("exists");

    /* abort */
    ck_assert_status(rs_graph_bulk_abort(g), RS_ERR_STATE);
    uint32_t rolled;
    ck_assert_ok(rs_graph_bulk_begin(g));
    ck_assert_ok(rs_graph_add_node(g, "brand", "acme", &c));
    ck_assert_ok(rs_graph_add_relation(g, "made_by", &rolled));
    ck_assert_ok(rs_graph_add_edge(g, i1, rolled, c, 1.0, 0, 0));
    ck_assert_ok(rs_graph_bulk_abort(g));
    ck_assert_status(rs_graph_add_edge(g, u1, rolled, i1, 1.0, 0, 0), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("rolled back");
    ck_assert_status(rs_graph_find_relation(g, "made_by", &rolled), RS_ERR_NOTFOUND);
    ck_assert_status(rs_graph_find_node(g, "brand", "acme", &found), RS_ERR_NOTFOUND);
    ck_assert_uint_eq(rs_graph_edge_count(g), 1);
    ck_assert_ok(rs_graph_add_node(g, "brand", "acme", &found));
    graph_check_counts(g);
}
END_TEST

START_TEST(bulk_large_matches_single_writes)
{
    /* the same random edges through bulk and through single writes */
    rs_graph *single;
    uint32_t nodes_a[300], nodes_b[300], ra, rb;
    char key[32];
    unsigned seed = 12345;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &single));
    ck_assert_ok(rs_graph_add_relation(single, "r", &rb));
    ck_assert_ok(rs_graph_bulk_begin(g));
    ck_assert_ok(rs_graph_add_relation(g, "r", &ra));
    for (int i = 0; i < 300; i++) {
        snprintf(key, sizeof key, "k%d", i);
        ck_assert_ok(rs_graph_add_node(g, "x", key, &nodes_a[i]));
        ck_assert_ok(rs_graph_add_node(single, "x", key, &nodes_b[i]));
    }
    for (int e = 0; e < 20000; e++) {
        seed = seed * 1103515245u + 12345u;
        int s = (int)((seed >> 8) % 300);
        seed = seed * 1103515245u + 12345u;
        int d = (int)((seed >> 8) % 300);
        if (s == d)
            continue;
        ck_assert_ok(rs_graph_add_edge(g, nodes_a[s], ra, nodes_a[d], 0.5, e, RS_GRAPH_MERGE_SUM));
        ck_assert_ok(rs_graph_add_edge(single, nodes_b[s], rb, nodes_b[d], 0.5, e,
                                       RS_GRAPH_MERGE_SUM));
    }
    ck_assert_ok(rs_graph_bulk_commit(g));
    ck_assert_uint_eq(rs_graph_edge_count(g), rs_graph_edge_count(single));
    graph_check_counts(g);
    for (int s = 0; s < 300; s++)
        for (int d = 0; d < 300; d++) {
            double wa = -1, wb = -2;
            int64_t ta = -1, tb = -2;
            int fa = rs_graph_get_edge(g, nodes_a[s], ra, nodes_a[d], &wa, &ta);
            int fb = rs_graph_get_edge(single, nodes_b[s], rb, nodes_b[d], &wb, &tb);
            ck_assert_int_eq(fa, fb);
            if (fa == 0) {
                ck_assert_double_eq(wa, wb);
                ck_assert_int_eq(ta, tb);
            }
        }
    rs_graph_close(single);
}
END_TEST

/* ------------------------------------------------------------ durability */

#define BATCH 2000

/* Child: load committed batches of BATCH edges forever; the parent kills it. */
static void load_until_killed(const char *path, int pipe_fd)
{
    rs_graph *cg;
    uint32_t rel, a, b;
    char key[48];
    if (rs_graph_open(path, 0, &cg) != RS_OK)
        _exit(2);
    if (rs_graph_add_relation(cg, "r", &rel) != RS_OK)
        _exit(3);
    for (int batch = 0;; batch++) {
        if (rs_graph_bulk_begin(cg) != RS_OK)
            _exit(4);
        for (int i = 0; i < BATCH; i++) {
            snprintf(key, sizeof key, "b%d-%d", batch, i);
            if (rs_graph_add_node(cg, "n", key, &a) != RS_OK)
                _exit(5);
            snprintf(key, sizeof key, "b%d-hub", batch);
            if (rs_graph_add_node(cg, "n", key, &b) != RS_OK ||
                rs_graph_add_edge(cg, a, rel, b, 1.0, batch, 0) != RS_OK)
                _exit(6);
        }
        if (rs_graph_bulk_commit(cg) != RS_OK)
            _exit(7);
        char one = 1;
        if (write(pipe_fd, &one, 1) != 1)
            _exit(8);
    }
}

START_TEST(kill_during_bulk_load_keeps_committed_batches)
{
    char *path = graph_temp_path("kill");
    rs_graph *fg;
    int fds[2], status;
    char buf[64];
    ssize_t got;
    size_t committed = 0;
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &fg));
    rs_graph_close(fg);
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        load_until_killed(path, fds[1]);
    }
    close(fds[1]);
    /* wait for three committed batches, then kill in the middle of the next */
    while (committed < 3 && (got = read(fds[0], buf, sizeof buf)) > 0)
        committed += (size_t)got;
    nanosleep(&(struct timespec){0, 20000000}, NULL);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ck_assert(WIFSIGNALED(status));
    while ((got = read(fds[0], buf, sizeof buf)) > 0)
        committed += (size_t)got;
    close(fds[0]);

    ck_assert_ok(rs_graph_open(path, 0, &fg));
    size_t edges = rs_graph_edge_count(fg), nodes;
    ck_assert_ok(rs_graph_node_count(fg, NULL, &nodes));
    /* whole batches only: committed ones, perhaps one more whose commit
     * finished before its notice was written */
    ck_assert_uint_eq(edges % BATCH, 0);
    ck_assert_uint_ge(edges / BATCH, committed);
    ck_assert_uint_le(edges / BATCH, committed + 1);
    ck_assert_uint_eq(nodes, edges / BATCH * (BATCH + 1));
    graph_check_counts(fg);
    rs_graph_close(fg);
    graph_remove_db(path);
}
END_TEST

START_TEST(reader_sees_committed_state_while_writer_writes)
{
    char *path = graph_temp_path("wal");
    rs_graph *writer, *reader;
    uint32_t a, b, rel, found;
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &writer));
    ck_assert_ok(rs_graph_add_node(writer, "user", "a", &a));
    ck_assert_ok(rs_graph_add_node(writer, "item", "b", &b));
    ck_assert_ok(rs_graph_add_relation(writer, "r", &rel));
    ck_assert_ok(rs_graph_bulk_begin(writer));
    ck_assert_ok(rs_graph_add_node(writer, "item", "c", &found));
    ck_assert_ok(rs_graph_add_edge(writer, a, rel, b, 1.0, 0, 0));

    /* a reader in another process opens while the write transaction is open */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        rs_graph *r;
        uint32_t x;
        if (rs_graph_open(path, RS_GRAPH_READONLY, &r) != RS_OK)
            _exit(10);
        if (rs_graph_find_node(r, "user", "a", &x) != RS_OK)
            _exit(11);
        if (rs_graph_find_node(r, "item", "c", &x) != RS_ERR_NOTFOUND)
            _exit(12);
        if (rs_graph_edge_count(r) != 0)
            _exit(13);
        rs_graph_close(r);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_ok(rs_graph_bulk_commit(writer));

    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &reader));
    ck_assert_ok(rs_graph_find_node(reader, "item", "c", &found));
    ck_assert_uint_eq(rs_graph_edge_count(reader), 1);
    rs_graph_close(reader);
    rs_graph_close(writer);
    graph_remove_db(path);
}
END_TEST

START_TEST(adjacency_accessor)
{
    rs__graph_csr csr;
    ck_assert_ok(rs_graph_add_edge(g, u1, bought, i1, 2.0, 0, 0));
    ck_assert_ok(rs__graph_adjacency(g, RS_GRAPH_OUT, &csr));
    ck_assert_uint_eq(csr.nodes, 4);
    ck_assert_uint_eq(csr.degree[u1], 1);
    ck_assert_uint_eq(csr.target[csr.start[u1]], i1);
    ck_assert_uint_eq(csr.relation[csr.start[u1]], bought);
    ck_assert_float_eq(csr.weight[csr.start[u1]], 2.0f);
    ck_assert_ok(rs__graph_adjacency(g, RS_GRAPH_IN, &csr));
    ck_assert_uint_eq(csr.degree[i1], 1);
    ck_assert_uint_eq(csr.target[csr.start[i1]], u1);
    ck_assert_int_eq(rs__graph_adjacency(g, RS_GRAPH_BOTH, &csr), RS_ERR_INVALID);
    ck_assert_int_eq(rs__graph_adjacency(NULL, RS_GRAPH_IN, &csr), RS_ERR_INVALID);
    uint64_t gen = rs__graph_generation(g);
    ck_assert_ok(rs_graph_delete_edge(g, u1, bought, i1));
    ck_assert_uint_gt(rs__graph_generation(g), gen);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("graph_edges");
    TCase *tc = tcase_create("edges");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, relations_get_or_create_and_weights);
    tcase_add_test(tc, edges_add_get_update_delete);
    tcase_add_test(tc, edges_accumulate_sum_max_replace);
    tcase_add_test(tc, edges_bad_input_changes_nothing);
    tcase_add_test(tc, delete_node_removes_its_edges);
    tcase_add_test(tc, many_writes_keep_adjacency_in_step);
    tcase_add_test(tc, bulk_load_merges_and_persists);
    tcase_add_test(tc, bulk_duplicate_rolls_back_everything);
    tcase_add_test(tc, bulk_large_matches_single_writes);
    tcase_add_test(tc, kill_during_bulk_load_keeps_committed_batches);
    tcase_add_test(tc, reader_sees_committed_state_while_writer_writes);
    tcase_add_test(tc, adjacency_accessor);
    suite_add_tcase(s, tc);
    return s;
}
