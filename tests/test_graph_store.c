/*
 * test_graph_store.c - opening graph files (schema, versions, corruption),
 * the meta and node_vectors tables, nodes and their indices.
 */
#include "testutil.h"
#include "graph_fixture.h"

#include "graph/graph_internal.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Run raw SQL on a file outside the library (to forge versions etc). */
static void raw_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    sqlite3_close(db);
}

START_TEST(open_memory_and_close)
{
    rs_graph *g = NULL;
    size_t count = 9;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ptr_nonnull(g);
    ck_assert_ok(rs_graph_node_count(g, NULL, &count));
    ck_assert_uint_eq(count, 0);
    ck_assert_uint_eq(rs_graph_edge_count(g), 0);
    ck_assert_uint_eq(rs_graph_node_span(g), 0);
    ck_assert(!rs__graph_readonly(g));
    ck_assert_ptr_nonnull(rs__graph_db(g));
    rs_graph_close(g);
    rs_graph_close(NULL);
    ck_assert_ok(rs_graph_open(":memory:", 0, &g));
    rs_graph_close(g);
}
END_TEST

START_TEST(open_bad_arguments)
{
    rs_graph *g = (rs_graph *)1;
    ck_assert_status(rs_graph_open(NULL, RS_GRAPH_CREATE, &g), RS_ERR_INVALID);
    ck_assert_ptr_null(g);
    ck_assert_status(rs_graph_open("", RS_GRAPH_CREATE, &g), RS_ERR_INVALID);
    ck_assert_status(rs_graph_open(":memory:", RS_GRAPH_CREATE, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_graph_open(":memory:", 8u, &g), RS_ERR_INVALID);
    ck_assert_errmsg_has("flags");
    ck_assert_status(rs_graph_open(":memory:", RS_GRAPH_CREATE | RS_GRAPH_READONLY, &g),
                     RS_ERR_INVALID);
    ck_assert_status(rs_graph_open(":memory:", RS_GRAPH_READONLY, &g), RS_ERR_INVALID);
    ck_assert_status(rs_graph_open("/nonexistent-dir/x.db", 0, &g), RS_ERR_IO);
    ck_assert_errmsg_has("/nonexistent-dir/x.db");
    ck_assert_ptr_null(g);
}
END_TEST

START_TEST(missing_file_needs_create)
{
    char *path = graph_temp_path("missing");
    rs_graph *g = NULL;
    ck_assert_status(rs_graph_open(path, 0, &g), RS_ERR_IO);
    ck_assert_status(rs_graph_open(path, RS_GRAPH_READONLY, &g), RS_ERR_IO);
    ck_assert_int_ne(access(path, F_OK), 0);
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    rs_graph_close(g);
    ck_assert_ok(rs_graph_open(path, 0, &g));
    rs_graph_close(g);
    graph_remove_db(path);
}
END_TEST

START_TEST(schema_version_and_tables)
{
    char *path = graph_temp_path("schema");
    rs_graph *g = NULL;
    sqlite3_stmt *st;
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    ck_assert_int_eq(sqlite3_prepare_v2(rs__graph_db(g), "PRAGMA user_version", -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), RS__STORE_VERSION);
    sqlite3_finalize(st);
    ck_assert_int_eq(sqlite3_prepare_v2(rs__graph_db(g), "PRAGMA journal_mode", -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    /* the tables other modules rely on */
    ck_assert_int_eq(sqlite3_exec(rs__graph_db(g),
                                  "SELECT key, value FROM meta;"
                                  "SELECT node_id, space, dim, checksum, data FROM node_vectors;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    rs_graph_close(g);
    graph_remove_db(path);
}
END_TEST

START_TEST(newer_version_is_refused)
{
    char *path = graph_temp_path("newer");
    rs_graph *g = NULL;
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    rs_graph_close(g);
    raw_sql(path, "PRAGMA user_version = 7");
    ck_assert_status(rs_graph_open(path, 0, &g), RS_ERR_VERSION);
    ck_assert_errmsg_has("version 7");
    ck_assert_errmsg_has("newer");
    ck_assert_ptr_null(g);
    ck_assert_status(rs_graph_open(path, RS_GRAPH_READONLY, &g), RS_ERR_VERSION);
    graph_remove_db(path);
}
END_TEST

START_TEST(version_zero_file_is_migrated)
{
    /* an empty SQLite file (version 0) is brought to the current version */
    char *path = graph_temp_path("v0");
    rs_graph *g = NULL;
    uint32_t node;
    raw_sql(path, "PRAGMA user_version = 0");
    ck_assert_status(rs_graph_open(path, RS_GRAPH_READONLY, &g), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("read-only");
    ck_assert_ok(rs_graph_open(path, 0, &g));
    ck_assert_ok(rs_graph_add_node(g, "user", "u1", &node));
    rs_graph_close(g);
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
    ck_assert_ok(rs_graph_find_node(g, "user", "u1", &node));
    ck_assert_uint_eq(node, 0);
    rs_graph_close(g);
    graph_remove_db(path);
}
END_TEST

START_TEST(foreign_sqlite_file_is_corrupt)
{
    char *path = graph_temp_path("foreign");
    rs_graph *g = NULL;
    raw_sql(path, "CREATE TABLE something(x); INSERT INTO something VALUES (1)");
    ck_assert_status(rs_graph_open(path, 0, &g), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("not a librecsim model");
    ck_assert_ptr_null(g);
    graph_remove_db(path);
}
END_TEST

START_TEST(garbage_file_is_corrupt)
{
    char *path = graph_temp_path("garbage");
    char junk[8192];
    rs_graph *g = NULL;
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 7 + 3);
    write_file(path, junk, sizeof junk);
    ck_assert_status(rs_graph_open(path, 0, &g), RS_ERR_CORRUPT);
    ck_assert_errmsg_has(path);
    ck_assert_status(rs_graph_open(path, RS_GRAPH_READONLY, &g), RS_ERR_CORRUPT);
    write_file(path, "SQLite format 3", 16); /* a header and nothing else */
    ck_assert_status(rs_graph_open(path, 0, &g), RS_ERR_CORRUPT);
    ck_assert_ptr_null(g);
    graph_remove_db(path);
}
END_TEST

START_TEST(truncated_and_damaged_files_are_corrupt)
{
    char *path = graph_temp_path("trunc");
    rs_graph *g = NULL;
    uint32_t a, b, rel;
    char key[32];
    FILE *f;
    long size;
    char *data;
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_add_relation(g, "bought", &rel));
    ck_assert_ok(rs_graph_bulk_begin(g));
    for (int i = 0; i < 3000; i++) {
        snprintf(key, sizeof key, "user-%d", i);
        ck_assert_ok(rs_graph_add_node(g, "user", key, &a));
        snprintf(key, sizeof key, "item-%d", i % 97);
        ck_assert_ok(rs_graph_add_node(g, "item", key, &b));
        ck_assert_ok(rs_graph_add_edge(g, a, rel, b, 1.0, i, RS_GRAPH_MERGE_SUM));
    }
    ck_assert_ok(rs_graph_bulk_commit(g));
    rs_graph_close(g);

    f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    ck_assert_int_gt(size, 16384);
    data = malloc((size_t)size);
    ck_assert_uint_eq(fread(data, 1, (size_t)size, f), (size_t)size);
    fclose(f);

    /* truncated at several points: an error, never a crash */
    long cuts[] = {100, 4096, size / 3, size / 2, size - 4096};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        write_file(path, data, (size_t)cuts[i]);
        int status = rs_graph_open(path, 0, &g);
        ck_assert_msg(status == RS_ERR_CORRUPT, "cut at %ld: %d %s", cuts[i], status,
                      rs_errmsg());
        ck_assert_ptr_null(g);
    }
    /* pages overwritten with junk after the first */
    for (long at = 4096; at < size; at += 4096)
        memset(data + at, 0x5a, 64);
    write_file(path, data, (size_t)size);
    ck_assert_status(rs_graph_open(path, 0, &g), RS_ERR_CORRUPT);
    free(data);
    graph_remove_db(path);
}
END_TEST

START_TEST(negative_version_is_corrupt)
{
    /* a crafted file with a negative user_version must not index the
     * migration table before its start */
    char *path = graph_temp_path("negver");
    rs_graph *g = NULL;
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    rs_graph_close(g);
    raw_sql(path, "PRAGMA user_version = -1");
    ck_assert_status(rs_graph_open(path, 0, &g), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("version -1");
    ck_assert_ptr_null(g);
    raw_sql(path, "PRAGMA user_version = -2147483648");
    ck_assert_status(rs_graph_open(path, RS_GRAPH_READONLY, &g), RS_ERR_CORRUPT);
    ck_assert_ptr_null(g);
    graph_remove_db(path);
}
END_TEST

START_TEST(extreme_node_ids_are_corrupt)
{
    /* the next id is the largest one plus one: INT64_MAX would overflow */
    char *path = graph_temp_path("maxid");
    rs_graph *g = NULL;
    uint32_t node;
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_add_node(g, "user", "u1", &node));
    rs_graph_close(g);
    raw_sql(path, "UPDATE nodes SET id = 9223372036854775807");
    ck_assert_status(rs_graph_open(path, 0, &g), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("nodes");
    ck_assert_errmsg_has("9223372036854775807");
    ck_assert_ptr_null(g);
    raw_sql(path, "UPDATE nodes SET id = -5");
    ck_assert_status(rs_graph_open(path, 0, &g), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("nodes");
    raw_sql(path, "UPDATE nodes SET id = 1;"
                  "INSERT INTO meta VALUES ('graph.node_id_high',"
                  " x'ffffffffffffff7f')");
    ck_assert_status(rs_graph_open(path, 0, &g), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("graph.node_id_high");
    raw_sql(path, "UPDATE meta SET value = x'0a00' WHERE key = 'graph.node_id_high'");
    ck_assert_status(rs_graph_open(path, 0, &g), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("graph.node_id_high");
    raw_sql(path, "UPDATE meta SET value = x'0a00000000000000'"
                  " WHERE key = 'graph.node_id_high'");
    ck_assert_ok(rs_graph_open(path, 0, &g));
    ck_assert_ok(rs_graph_add_node(g, "user", "u2", &node));
    rs_graph_close(g);
    graph_remove_db(path);
}
END_TEST

START_TEST(missing_tables_are_corrupt)
{
    static const char *const tables[] = {"meta", "node_types", "nodes", "relations",
                                         "edges", "node_props", "node_vectors"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char *path = graph_temp_path("notable");
        char sql[128];
        rs_graph *g = NULL;
        ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
        rs_graph_close(g);
        snprintf(sql, sizeof sql, "PRAGMA writable_schema=ON;"
                 " DELETE FROM sqlite_master WHERE name = '%s'", tables[i]);
        raw_sql(path, sql);
        ck_assert_status(rs_graph_open(path, RS_GRAPH_READONLY, &g), RS_ERR_CORRUPT);
        ck_assert_errmsg_has(tables[i]);
        ck_assert_ptr_null(g);
        graph_remove_db(path);
    }
}
END_TEST

START_TEST(second_writer_is_busy)
{
    /* two handles on one file: what the first commits, the second has not
     * seen; its writes must not collide with the first's as "exists" */
    char *path = graph_temp_path("twowriters");
    rs_graph *a = NULL, *b = NULL;
    uint32_t node;
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &a));
    ck_assert_ok(rs_graph_add_node(a, "user", "u0", &node));
    ck_assert_ok(rs_graph_open(path, 0, &b));
    ck_assert_ok(rs_graph_add_node(a, "user", "u1", &node));
    ck_assert_status(rs_graph_add_node(b, "user", "u2", &node), RS_ERR_BUSY);
    ck_assert_errmsg_has("another");
    ck_assert_status(rs_graph_bulk_begin(b), RS_ERR_BUSY);
    ck_assert_errmsg_has("another");
    rs_graph_close(b);
    rs_graph_close(a);
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &a));
    ck_assert_ok(rs_graph_find_node(a, "user", "u1", &node));
    ck_assert_status(rs_graph_find_node(a, "user", "u2", &node), RS_ERR_NOTFOUND);
    rs_graph_close(a);
    graph_remove_db(path);
}
END_TEST

START_TEST(stored_weights_must_be_float_numbers)
{
    /* a weight the file holds as text, or beyond a float, is damage: it
     * must not load as 0 or +inf */
    static const char *const bad[] = {"'abc'", "1e300", "3.3e38", "-1", "NULL"};
    char *path = graph_temp_path("weights");
    char sql[128];
    rs_graph *g = NULL;
    uint32_t a, b, rel;
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_add_node(g, "user", "u1", &a));
    ck_assert_ok(rs_graph_add_node(g, "item", "i1", &b));
    ck_assert_ok(rs_graph_add_relation(g, "bought", &rel));
    ck_assert_ok(rs_graph_add_edge(g, a, rel, b, 2.0, 0, RS_GRAPH_MERGE_NONE));
    rs_graph_close(g);
    raw_sql(path, "PRAGMA writable_schema=ON;"
                  " UPDATE sqlite_master SET sql = replace(replace(sql,"
                  " 'weight REAL NOT NULL DEFAULT 1.0', 'weight'), 'weight REAL NOT NULL',"
                  " 'weight') WHERE name IN ('edges', 'relations')");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(sql, sizeof sql, "UPDATE edges SET weight = %s", bad[i]);
        raw_sql(path, sql);
        ck_assert_status(rs_graph_open(path, RS_GRAPH_READONLY, &g), RS_ERR_CORRUPT);
        ck_assert_errmsg_has("table edges");
        ck_assert_ptr_null(g);
    }
    raw_sql(path, "UPDATE edges SET weight = 2.5");
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
    rs_graph_close(g);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(sql, sizeof sql, "UPDATE relations SET weight = %s", bad[i]);
        raw_sql(path, sql);
        ck_assert_status(rs_graph_open(path, RS_GRAPH_READONLY, &g), RS_ERR_CORRUPT);
        ck_assert_errmsg_has("table relations");
        ck_assert_errmsg_has("bought");
    }
    graph_remove_db(path);
}
END_TEST

START_TEST(non_regular_files_are_refused)
{
    /* a FIFO blocked the open forever; a directory gave a vague error */
    char *path = graph_temp_path("fifo");
    rs_graph *g = NULL;
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    ck_assert_status(rs_graph_open(path, 0, &g), RS_ERR_IO);
    ck_assert_errmsg_has("not a regular file");
    ck_assert_errmsg_has("FIFO");
    ck_assert_status(rs_graph_open(path, RS_GRAPH_READONLY, &g), RS_ERR_IO);
    ck_assert_status(rs_graph_open(path, RS_GRAPH_CREATE, &g), RS_ERR_IO);
    ck_assert_ptr_null(g);
    unlink(path);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    ck_assert_status(rs_graph_open(path, RS_GRAPH_READONLY, &g), RS_ERR_IO);
    ck_assert_errmsg_has("directory");
    rmdir(path);
    graph_remove_db(path);
}
END_TEST

START_TEST(read_only_media_can_be_read)
{
    /* where the journal files cannot be created beside the model, a
     * read-only open still reads it.  A directory in the way of "-wal"
     * stands for read-only media (it holds even for root, for whom
     * permissions do not). */
    char *path = graph_temp_path("romedia");
    char dir[300], file[400], wal[420];
    rs_graph *g = NULL;
    uint32_t node;
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_add_node(g, "user", "u1", &node));
    rs_graph_close(g);
    snprintf(wal, sizeof wal, "%s-wal", path);
    ck_assert_int_eq(mkdir(wal, 0700), 0);
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &g));
    ck_assert_ok(rs_graph_find_node(g, "user", "u1", &node));
    ck_assert_status(rs_graph_add_node(g, "user", "u2", &node), RS_ERR_READONLY);
    rs_graph_close(g);
    ck_assert_int_eq(rmdir(wal), 0);

    /* a 0444 file in a 0555 directory (permissions bind only non-root) */
    snprintf(dir, sizeof dir, "%s.d", path);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    snprintf(file, sizeof file, "%s/m.rsm", dir);
    ck_assert_int_eq(rename(path, file), 0);
    ck_assert_int_eq(chmod(file, 0444), 0);
    ck_assert_int_eq(chmod(dir, 0555), 0);
    ck_assert_ok(rs_graph_open(file, RS_GRAPH_READONLY, &g));
    ck_assert_ok(rs_graph_find_node(g, "user", "u1", &node));
    rs_graph_close(g);
    /* opened for writing, it is refused at once, leaving no journal files
     * (root may write anyway: then only the open is checked) */
    if (geteuid() != 0) {
        ck_assert_status(rs_graph_open(file, 0, &g), RS_ERR_READONLY);
        ck_assert_errmsg_has("RS_GRAPH_READONLY");
        snprintf(wal, sizeof wal, "%s-wal", file);
        ck_assert_int_ne(access(wal, F_OK), 0);
    } else {
        ck_assert_ok(rs_graph_open(file, 0, &g));
        rs_graph_close(g);
    }
    ck_assert_int_eq(chmod(dir, 0700), 0);
    graph_remove_db(strdup(file));
    rmdir(dir);
    graph_remove_db(path);
}
END_TEST

START_TEST(meta_set_get)
{
    rs_graph *g = NULL;
    void *value = NULL;
    size_t len = 0;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_status(rs__graph_meta_get(g, "embedder", &value, &len), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("embedder");
    ck_assert_ok(rs__graph_meta_set(g, "embedder", "hash\0x", 6));
    ck_assert_ok(rs__graph_meta_get(g, "embedder", &value, &len));
    ck_assert_uint_eq(len, 6);
    ck_assert_int_eq(memcmp(value, "hash\0x", 6), 0);
    free(value);
    ck_assert_ok(rs__graph_meta_set(g, "embedder", "v2", 2));
    ck_assert_ok(rs__graph_meta_get(g, "embedder", &value, &len));
    ck_assert_uint_eq(len, 2);
    free(value);
    ck_assert_ok(rs__graph_meta_set(g, "empty", NULL, 0));
    ck_assert_ok(rs__graph_meta_get(g, "empty", &value, &len));
    ck_assert_uint_eq(len, 0);
    ck_assert_ptr_nonnull(value);
    free(value);
    ck_assert_status(rs__graph_meta_set(g, NULL, "x", 1), RS_ERR_INVALID);
    ck_assert_status(rs__graph_meta_set(g, "k", NULL, 1), RS_ERR_INVALID);
    ck_assert_status(rs__graph_meta_set(g, "\xff", "x", 1), RS_ERR_ENCODING);
    ck_assert_status(rs__graph_meta_get(g, "k", NULL, &len), RS_ERR_INVALID);
    rs_graph_close(g);
}
END_TEST

START_TEST(nodes_get_or_create_dense_indices)
{
    rs_graph *g = NULL;
    uint32_t a, b, c, again;
    const char *type, *key;
    size_t count;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_add_node(g, "user", "alice", &a));
    ck_assert_ok(rs_graph_add_node(g, "item", "alice", &b)); /* same key, other type */
    ck_assert_ok(rs_graph_add_node(g, "brand", "\xe8\x8b\xb9\xe6\x9e\x9c", &c));
    ck_assert_uint_eq(a, 0);
    ck_assert_uint_eq(b, 1);
    ck_assert_uint_eq(c, 2);
    ck_assert_ok(rs_graph_add_node(g, "user", "alice", &again));
    ck_assert_uint_eq(again, a);
    ck_assert_ok(rs_graph_find_node(g, "item", "alice", &again));
    ck_assert_uint_eq(again, b);
    ck_assert_status(rs_graph_find_node(g, "item", "bob", &again), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("bob");
    ck_assert_status(rs_graph_find_node(g, "colour", "red", &again), RS_ERR_NOTFOUND);
    ck_assert_errmsg_has("colour");
    ck_assert_ok(rs_graph_node_key(g, c, &type, &key));
    ck_assert_str_eq(type, "brand");
    ck_assert_str_eq(key, "\xe8\x8b\xb9\xe6\x9e\x9c");
    ck_assert_ok(rs_graph_node_count(g, NULL, &count));
    ck_assert_uint_eq(count, 3);
    ck_assert_ok(rs_graph_node_count(g, "user", &count));
    ck_assert_uint_eq(count, 1);
    ck_assert_ok(rs_graph_node_count(g, "nothing", &count));
    ck_assert_uint_eq(count, 0);
    ck_assert_int_gt(rs__graph_node_rowid(g, a), 0);
    ck_assert_int_eq(rs__graph_node_rowid(g, 99), -1);
    ck_assert_uint_eq(rs__graph_node_type(g, b), rs__graph_type_find(g, "item"));
    ck_assert_str_eq(rs__graph_type_name(g, rs__graph_node_type(g, c)), "brand");
    rs_graph_close(g);
}
END_TEST

START_TEST(nodes_bad_input)
{
    rs_graph *g = NULL;
    uint32_t node = 77;
    char *huge = malloc(RS_MAX_KEY_BYTES + 2);
    size_t count;
    memset(huge, 'k', RS_MAX_KEY_BYTES + 1);
    huge[RS_MAX_KEY_BYTES + 1] = '\0';
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_status(rs_graph_add_node(NULL, "user", "a", &node), RS_ERR_INVALID);
    ck_assert_status(rs_graph_add_node(g, NULL, "a", &node), RS_ERR_INVALID);
    ck_assert_errmsg_has("node type");
    ck_assert_status(rs_graph_add_node(g, "user", NULL, &node), RS_ERR_INVALID);
    ck_assert_errmsg_has("node key");
    ck_assert_status(rs_graph_add_node(g, "user", "", &node), RS_ERR_INVALID);
    ck_assert_status(rs_graph_add_node(g, "user", "a", NULL), RS_ERR_INVALID);
    ck_assert_status(rs_graph_add_node(g, "user", huge, &node), RS_ERR_RANGE);
    ck_assert_status(rs_graph_add_node(g, "user", "bad\xc3(", &node), RS_ERR_ENCODING);
    ck_assert_status(rs_graph_add_node(g, "\xed\xa0\x80", "a", &node), RS_ERR_ENCODING);
    ck_assert_status(rs_graph_find_node(g, "user", huge, &node), RS_ERR_RANGE);
    ck_assert_status(rs_graph_find_node(NULL, "user", "a", &node), RS_ERR_INVALID);
    ck_assert_status(rs_graph_node_key(g, 0, NULL, NULL), RS_ERR_NOTFOUND);
    ck_assert_status(rs_graph_node_count(g, NULL, NULL), RS_ERR_INVALID);
    ck_assert_uint_eq(node, 77);
    ck_assert_ok(rs_graph_node_count(g, NULL, &count));
    ck_assert_uint_eq(count, 0);
    /* exactly the maximum is fine */
    huge[RS_MAX_KEY_BYTES] = '\0';
    ck_assert_ok(rs_graph_add_node(g, "user", huge, &node));
    ck_assert_ok(rs_graph_find_node(g, "user", huge, &node));
    rs_graph_close(g);
    free(huge);
}
END_TEST

START_TEST(nodes_persist_and_readonly)
{
    char *path = graph_temp_path("persist");
    rs_graph *g = NULL, *ro = NULL;
    uint32_t a, b, c, found;
    ck_assert_ok(rs_graph_open(path, RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_add_node(g, "user", "u1", &a));
    ck_assert_ok(rs_graph_add_node(g, "item", "i1", &b));
    ck_assert_ok(rs_graph_add_node(g, "item", "i2", &c));
    int64_t rowid_c = rs__graph_node_rowid(g, c);
    ck_assert_ok(rs_graph_delete_node(g, b));
    ck_assert_status(rs_graph_find_node(g, "item", "i1", &found), RS_ERR_NOTFOUND);
    ck_assert_uint_eq(rs_graph_node_span(g), 3);
    rs_graph_close(g);

    ck_assert_ok(rs_graph_open(path, RS_GRAPH_READONLY, &ro));
    ck_assert(rs__graph_readonly(ro));
    ck_assert_uint_eq(rs_graph_node_span(ro), 2); /* renumbered densely */
    ck_assert_ok(rs_graph_find_node(ro, "item", "i2", &found));
    ck_assert_uint_eq(found, 1);
    ck_assert_int_eq(rs__graph_node_rowid(ro, found), rowid_c);
    ck_assert_ok(rs__graph_node_from_rowid(ro, rowid_c, &found));
    ck_assert_uint_eq(found, 1);
    ck_assert_status(rs_graph_add_node(ro, "item", "i9", &found), RS_ERR_READONLY);
    ck_assert_ok(rs_graph_add_node(ro, "item", "i2", &found)); /* existing: fine */
    ck_assert_status(rs__graph_meta_set(ro, "k", "v", 1), RS_ERR_READONLY);
    rs_graph_close(ro);

    /* ids of deleted nodes are not handed out again */
    ck_assert_ok(rs_graph_open(path, 0, &g));
    ck_assert_ok(rs_graph_delete_node(g, 1));
    rs_graph_close(g);
    ck_assert_ok(rs_graph_open(path, 0, &g));
    ck_assert_ok(rs_graph_add_node(g, "item", "i3", &found));
    ck_assert_int_gt(rs__graph_node_rowid(g, found), rowid_c);
    rs_graph_close(g);
    graph_remove_db(path);
}
END_TEST

START_TEST(node_vectors_go_with_their_node)
{
    rs_graph *g = NULL;
    uint32_t a, b;
    sqlite3_stmt *st;
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_add_node(g, "item", "a", &a));
    ck_assert_ok(rs_graph_add_node(g, "item", "b", &b));
    ck_assert_int_eq(sqlite3_prepare_v2(rs__graph_db(g),
                                        "INSERT INTO node_vectors VALUES (?1, 'als', 2, 0, x'0000')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, rs__graph_node_rowid(g, a));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, rs__graph_node_rowid(g, b));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    ck_assert_ok(rs_graph_delete_node(g, a));
    ck_assert_int_eq(sqlite3_prepare_v2(rs__graph_db(g), "SELECT node_id FROM node_vectors", -1,
                                        &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int64(st, 0), rs__graph_node_rowid(g, b));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    rs_graph_close(g);
}
END_TEST

/* rs_graph_add_node and rs_graph_add_relation answer repeated keys from
 * caches: the answers must match the key map's, also for deleted nodes,
 * rolled-back bulk loads, prefixes, long keys and more types than cached. */
START_TEST(node_lookup_caches_agree_with_the_map)
{
    static const char *const types[] = {"user", "item", "brand", "category", "colour", "tag"};
    enum { N = 3000 };
    rs_graph *g = NULL;
    uint32_t *first = malloc(N * sizeof *first), idx, old, again;
    const char *type, *key;
    char buf[64];
    ck_assert_ptr_nonnull(first);
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_bulk_begin(g));
    for (int i = 0; i < N; i++) {
        /* short keys (cached), long ones (not), types interleaved */
        snprintf(buf, sizeof buf, i % 7 ? "k%d" : "a-much-longer-key-%d", i);
        ck_assert_ok(rs_graph_add_node(g, types[i % 6], buf, &first[i]));
    }
    for (int r = 0; r < 3; r++)
        for (int j = 0; j < N; j++) {
            int i = (int)(((unsigned)j * 2654435761u + (unsigned)r) % N);
            snprintf(buf, sizeof buf, i % 7 ? "k%d" : "a-much-longer-key-%d", i);
            ck_assert_ok(rs_graph_add_node(g, types[i % 6], buf, &idx));
            ck_assert_uint_eq(idx, first[i]);
        }
    ck_assert_ok(rs_graph_bulk_commit(g));
    for (int i = 0; i < N; i += 97) {
        snprintf(buf, sizeof buf, i % 7 ? "k%d" : "a-much-longer-key-%d", i);
        ck_assert_ok(rs_graph_add_node(g, types[i % 6], buf, &idx));
        ck_assert_uint_eq(idx, first[i]);
        ck_assert_ok(rs_graph_node_key(g, idx, &type, &key));
        ck_assert_str_eq(type, types[i % 6]);
        ck_assert_str_eq(key, buf);
    }

    /* prefixes of a cached key are other keys */
    ck_assert_ok(rs_graph_add_node(g, "user", "ab", &old));
    ck_assert_ok(rs_graph_add_node(g, "user", "abc", &idx));
    ck_assert_uint_ne(idx, old);
    ck_assert_ok(rs_graph_add_node(g, "user", "a", &again));
    ck_assert_uint_ne(again, old);
    ck_assert_uint_ne(again, idx);
    ck_assert_ok(rs_graph_add_node(g, "user", "ab", &idx));
    ck_assert_uint_eq(idx, old);

    /* a deleted node's key makes a new node */
    ck_assert_ok(rs_graph_delete_node(g, old));
    ck_assert_ok(rs_graph_add_node(g, "user", "ab", &idx));
    ck_assert_uint_ne(idx, old);
    ck_assert_ok(rs_graph_find_node(g, "user", "ab", &again));
    ck_assert_uint_eq(again, idx);
    ck_assert_ok(rs_graph_add_node(g, "user", "ab", &again));
    ck_assert_uint_eq(again, idx);

    /* nodes and relations of an aborted bulk load are forgotten */
    uint32_t rel, rel_old;
    ck_assert_ok(rs_graph_bulk_begin(g));
    ck_assert_ok(rs_graph_add_node(g, "brand", "acme", &old));
    ck_assert_ok(rs_graph_add_node(g, "brand", "acme", &again));
    ck_assert_uint_eq(again, old);
    ck_assert_ok(rs_graph_add_relation(g, "made_by", &rel_old));
    ck_assert_ok(rs_graph_add_relation(g, "made_by", &rel));
    ck_assert_uint_eq(rel, rel_old);
    ck_assert_ok(rs_graph_bulk_abort(g));
    ck_assert_ok(rs_graph_add_node(g, "brand", "acme", &idx));
    ck_assert_uint_ne(idx, old);
    ck_assert_ok(rs_graph_node_key(g, idx, &type, &key));
    ck_assert_str_eq(key, "acme");
    ck_assert_status(rs_graph_node_key(g, old, &type, &key), RS_ERR_NOTFOUND);
    ck_assert_ok(rs_graph_add_relation(g, "made_by", &rel));
    ck_assert_uint_ne(rel, rel_old);
    ck_assert_ok(rs_graph_add_relation(g, "made", &rel_old)); /* a prefix */
    ck_assert_uint_ne(rel, rel_old);
    ck_assert_ok(rs_graph_add_relation(g, "made_by", &again));
    ck_assert_uint_eq(again, rel);

    /* bad input after a cached answer still fails */
    ck_assert_status(rs_graph_add_node(g, "user", "k1\xff", &idx), RS_ERR_ENCODING);
    ck_assert_status(rs_graph_add_node(g, "user", NULL, &idx), RS_ERR_INVALID);
    rs_graph_close(g);
    free(first);
}
END_TEST

/* Successful calls leave rs_errmsg() as it was, even when they probe for
 * something absent on the way (an unset meta key, a missing name). */
START_TEST(successful_calls_leave_the_error_alone)
{
    rs_graph *g = NULL;
    uint32_t user, item, bought;
    rs_clear_error();
    ck_assert_ok(rs_graph_open(":memory:", RS_GRAPH_CREATE, &g));
    ck_assert_ok(rs_graph_bulk_begin(g));
    ck_assert_ok(rs_graph_add_node(g, "user", "u1", &user));
    ck_assert_ok(rs_graph_add_node(g, "item", "i1", &item));
    ck_assert_ok(rs_graph_add_relation(g, "bought", &bought));
    ck_assert_ok(rs_graph_add_edge(g, user, bought, item, 1.0, 0, RS_GRAPH_MERGE_SUM));
    ck_assert_ok(rs_graph_bulk_commit(g));
    ck_assert_ok(rs_graph_add_attributes(g, item, "color: red, size: large", NULL));
    ck_assert_int_eq(rs_errcode(), RS_OK);
    ck_assert_str_eq(rs_errmsg(), "");
    rs_graph_close(g);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("graph_store");
    TCase *tc = tcase_create("store");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, open_memory_and_close);
    tcase_add_test(tc, open_bad_arguments);
    tcase_add_test(tc, missing_file_needs_create);
    tcase_add_test(tc, schema_version_and_tables);
    tcase_add_test(tc, newer_version_is_refused);
    tcase_add_test(tc, version_zero_file_is_migrated);
    tcase_add_test(tc, foreign_sqlite_file_is_corrupt);
    tcase_add_test(tc, garbage_file_is_corrupt);
    tcase_add_test(tc, truncated_and_damaged_files_are_corrupt);
    tcase_add_test(tc, negative_version_is_corrupt);
    tcase_add_test(tc, extreme_node_ids_are_corrupt);
    tcase_add_test(tc, missing_tables_are_corrupt);
    tcase_add_test(tc, second_writer_is_busy);
    tcase_add_test(tc, stored_weights_must_be_float_numbers);
    tcase_add_test(tc, non_regular_files_are_refused);
    tcase_add_test(tc, read_only_media_can_be_read);
    tcase_add_test(tc, meta_set_get);
    tcase_add_test(tc, nodes_get_or_create_dense_indices);
    tcase_add_test(tc, nodes_bad_input);
    tcase_add_test(tc, node_lookup_caches_agree_with_the_map);
    tcase_add_test(tc, nodes_persist_and_readonly);
    tcase_add_test(tc, node_vectors_go_with_their_node);
    tcase_add_test(tc, successful_calls_leave_the_error_alone);
    suite_add_tcase(s, tc);
    return s;
}
