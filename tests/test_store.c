/*
 * test_store.c - the storage layer (src/store/): the schema version, the
 * migrations from the files release 1.0 and 1.1 before the storage layer
 * wrote (tests/data/, see its README), the blob codec and the model file's
 * bad input: a newer version, a damaged blob of each kind, a truncated
 * file, tables that are not ours or not as ours, NULL arguments, and a
 * failed write that leaves the file as it was.
 */
#include "testutil.h"
#include "store/store.h"

#define MODEL_PATH_PREFIX "rs_store"
#include "model_path.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define K 5
#define MAX_USERS 48

static long long sql_int(const char *query)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, query, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Every user's top K (users of the fixture data, and two strangers). */
struct lists {
    char keys[MAX_USERS][K][16];
    float scores[MAX_USERS][K];
    size_t n[MAX_USERS];
};

static const char *user_key(int u, char *buf)
{
    if (u < 40)
        snprintf(buf, 16, "u%02d", u);
    else
        snprintf(buf, 16, "stranger%d", u - 40);
    return buf;
}

static void all_lists(const rs_model *m, struct lists *l)
{
    for (int u = 0; u < 42; u++) {
        const char *keys[K];
        char key[16];
        ck_assert_ok(rs_model_recommend(m, user_key(u, key), K, NULL, 0, NULL, 0, keys,
                                        l->scores[u], NULL, &l->n[u]));
        ck_assert_uint_eq(l->n[u], K);
        for (size_t i = 0; i < l->n[u]; i++)
            snprintf(l->keys[u][i], 16, "%s", keys[i]);
    }
}

static void assert_same(const struct lists *a, const struct lists *b)
{
    for (int u = 0; u < 42; u++) {
        ck_assert_uint_eq(a->n[u], b->n[u]);
        for (size_t i = 0; i < a->n[u]; i++) {
            ck_assert_str_eq(a->keys[u][i], b->keys[u][i]);
            ck_assert_msg(memcmp(&a->scores[u][i], &b->scores[u][i], sizeof(float)) == 0,
                          "user %d rank %zu: %.9g != %.9g", u, i, a->scores[u][i],
                          b->scores[u][i]);
        }
    }
}

/* The fixture's data (tests/data/model_v10_*.tsv) imported and built by
 * this library into path, as `recsim import` and `recsim build` do. */
static void build_today(int graph_operator)
{
    rs_model *m = NULL;
    rs_reader *r = NULL;
    const char *props[] = {"description"}, *attrs[] = {"country"};
    remove_model();
    ck_assert_ok(rs_model_open(path, RS_MODEL_CREATE, &m));
    ck_assert_ok(rs_reader_open("tests/data/model_v10_items.tsv", RS_FORMAT_TSV, &r));
    ck_assert_ok(rs_model_import_items(m, r, NULL, NULL, 0, props, 1, NULL));
    rs_reader_close(r);
    ck_assert_ok(rs_reader_open("tests/data/model_v10_users.tsv", RS_FORMAT_TSV, &r));
    ck_assert_ok(rs_model_import_users(m, r, NULL, attrs, 1, NULL, 0, NULL, NULL));
    rs_reader_close(r);
    ck_assert_ok(rs_reader_open("tests/data/model_v10_events.tsv", RS_FORMAT_TSV, &r));
    ck_assert_ok(rs_model_import_interactions(m, r, NULL, "bought", 0, NULL));
    rs_reader_close(r);
    ck_assert_ok(rs_model_set_int(m, "embedder.dim", 16));
    if (graph_operator)
        ck_assert_ok(rs_model_set_int(m, "scorer.graph_operator", 1));
    ck_assert_ok(rs_model_build(m));
    rs_model_close(m);
}

/* A fixture read-only (old key spellings), then migrated by a writable
 * open, recommends the same lists before and after, and the same as the
 * same data built today. */
static void check_fixture(const char *fixture, int graph_operator, int same_as_today)
{
    struct lists *old = calloc(1, sizeof *old), *migrated = calloc(1, sizeof *migrated),
                 *today = calloc(1, sizeof *today);
    rs_model *m = NULL;
    copy_fixture(fixture);
    ck_assert_int_eq(sql_int("PRAGMA user_version"), 1);
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
    all_lists(m, old);
    rs_model_close(m);
    ck_assert_int_eq(sql_int("PRAGMA user_version"), 1); /* read-only: untouched */

    ck_assert_ok(rs_model_open(path, 0, &m));
    rs_model_close(m);
    ck_assert_int_eq(sql_int("PRAGMA user_version"), RS__STORE_VERSION);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM meta WHERE key GLOB 'cf:*' OR key GLOB "
                             "'cf-keys:*' OR key GLOB 'note:*' OR key GLOB 'item_store.*.dim'"),
                     0);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM meta WHERE key = 'cf.model:recsim'"), 1);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM meta WHERE key = 'item_store.dim:recsim'"),
                     1);
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
    all_lists(m, migrated);
    rs_model_close(m);
    assert_same(old, migrated);

    if (same_as_today) {
        build_today(graph_operator);
        ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
        all_lists(m, today);
        rs_model_close(m);
        assert_same(old, today);
    }
    remove_model();
    free(old);
    free(migrated);
    free(today);
}

START_TEST(test_fixture_release_1_0)
{
    set_path("v10");
    /* 1.0 had no user model, options or item keys in the file: they are
     * derived at open, and give today's lists */
    check_fixture("tests/data/model_v10.rsm", 0, 1);
}
END_TEST

START_TEST(test_fixture_schema_1)
{
    rs_model *m = NULL;
    char note[256];
    set_path("v11");
    check_fixture("tests/data/model_v11_schema1.rsm", 1, 1);
    /* the notes `recsim import` left, read by their old and new names */
    copy_fixture("tests/data/model_v11_schema1.rsm");
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
    ck_assert_int_gt(sql_int("SELECT count(*) FROM meta WHERE key GLOB 'note:import:*'"), 0);
    rs_model_close(m);
    ck_assert_ok(rs_model_open(path, 0, &m));
    ck_assert_int_eq(rs_model_set_note(m, "mine", "x"), RS_OK);
    ck_assert_ok(rs_model_get_note(m, "mine", note, sizeof note, NULL));
    ck_assert_str_eq(note, "x");
    rs_model_close(m);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM meta WHERE key GLOB 'model.note:import:*'"),
                     3);
    remove_model();
}
END_TEST

/* A migration that fails leaves the file at its version, keys unchanged. */
START_TEST(test_failed_migration)
{
    rs_model *m = NULL;
    set_path("failmig");
    copy_fixture("tests/data/model_v11_schema1.rsm");
    sql("CREATE TRIGGER no_rename BEFORE UPDATE ON meta"
        " BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
    ck_assert_int_lt(rs_model_open(path, 0, &m), 0);
    ck_assert_errmsg_has("injected failure");
    ck_assert_ptr_null(m);
    ck_assert_int_eq(sql_int("PRAGMA user_version"), 1);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM meta WHERE key = 'cf:recsim'"), 1);
    sql("DROP TRIGGER no_rename");
    ck_assert_ok(rs_model_open(path, 0, &m));
    rs_model_close(m);
    ck_assert_int_eq(sql_int("PRAGMA user_version"), RS__STORE_VERSION);
    remove_model();
}
END_TEST

START_TEST(test_newer_version)
{
    rs_model *m = NULL;
    char want[64];
    set_path("newer");
    copy_fixture("tests/data/model_v11_schema1.rsm");
    sql("PRAGMA user_version = 3");
    ck_assert_status(rs_model_open(path, RS_MODEL_READONLY, &m), RS_ERR_VERSION);
    ck_assert_errmsg_has("schema version 3");
    snprintf(want, sizeof want, "up to %d", RS__STORE_VERSION);
    ck_assert_errmsg_has(want);
    ck_assert_errmsg_has(rs_version_string());
    ck_assert_ptr_null(m);
    ck_assert_status(rs_model_open(path, 0, &m), RS_ERR_VERSION);
    ck_assert_int_eq(sql_int("PRAGMA user_version"), 3); /* left as it was */
    remove_model();
}
END_TEST

/* A migrated copy of the schema-1 fixture, with an IVF-free item store. */
static void migrated_copy(const char *tag)
{
    rs_model *m = NULL;
    set_path(tag);
    copy_fixture("tests/data/model_v11_schema1.rsm");
    ck_assert_ok(rs_model_open(path, 0, &m));
    rs_model_close(m);
}

/* Open and recommend for a known user: the first failure's status. */
static int use_model(void)
{
    rs_model *m = NULL;
    const char *keys[K];
    float scores[K];
    size_t n = 0;
    int s = rs_model_open(path, RS_MODEL_READONLY, &m);
    if (s == RS_OK)
        s = rs_model_recommend(m, "u03", K, NULL, 0, NULL, 0, keys, scores, NULL, &n);
    rs_model_close(m);
    return s;
}

/* Flip one byte in the middle of a meta blob: RS_ERR_CORRUPT, naming it. */
START_TEST(test_damaged_meta_blobs)
{
    static const char *const keys[] = {"embedder.idf", "cf.model:recsim", "cf.keys:recsim",
                                       "graph.edge_snapshot", "model.options"};
    char statement[256], want[96];
    migrated_copy("damaged");
    ck_assert_ok(use_model());
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        migrated_copy("damaged");
        snprintf(statement, sizeof statement,
                 "UPDATE meta SET value = substr(value, 1, length(value) / 2) ||"
                 " x'5a' || substr(value, length(value) / 2 + 2) WHERE key = '%s'",
                 keys[k]);
        sql(statement);
        ck_assert_int_eq(rs_model_open(path, RS_MODEL_READONLY, NULL), RS_ERR_INVALID);
        ck_assert_status(use_model(), RS_ERR_CORRUPT);
        snprintf(want, sizeof want, "key %s", keys[k]);
        ck_assert_errmsg_has(want);
        ck_assert_errmsg_has("table meta");
    }
    remove_model();
}
END_TEST

/* The row blobs: item vectors, the user model's header and its users. */
START_TEST(test_damaged_row_blobs)
{
    static const struct {
        const char *statement, *table;
    } cases[] = {
        {"UPDATE node_vectors SET data = x'00' || substr(data, 2)"
         " WHERE rowid = (SELECT min(rowid) FROM node_vectors)",
         "table node_vectors"},
        {"UPDATE user_models SET header = substr(header, 1, 20) || x'ff' || substr(header, 22)",
         "table user_models"},
        {"UPDATE user_vectors SET data = x'7f' || substr(data, 2) WHERE user = 'u03'",
         "table user_vectors"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        migrated_copy("rows");
        sql(cases[c].statement);
        ck_assert_status(use_model(), RS_ERR_CORRUPT);
        ck_assert_errmsg_has(cases[c].table);
        ck_assert_errmsg_has("checksum");
    }
    remove_model();
}
END_TEST

START_TEST(test_truncated_file)
{
    rs_model *m = NULL;
    long size;
    FILE *f;
    migrated_copy("trunc");
    /* one writable open switched it to WAL; fold the log back in */
    sql("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE");
    f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fclose(f);
    ck_assert_int_eq(truncate(path, size / 2), 0);
    ck_assert_int_lt(use_model(), 0);
    ck_assert_int_eq(rs_errcode(), RS_ERR_CORRUPT);
    ck_assert_int_eq(truncate(path, 100), 0); /* not even a whole header page */
    ck_assert_int_lt(rs_model_open(path, RS_MODEL_READONLY, &m), 0);
    ck_assert_ptr_null(m);
    remove_model();
}
END_TEST

START_TEST(test_unknown_table_content)
{
    rs_model *m = NULL;
    struct lists *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    migrated_copy("unknown");
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
    all_lists(m, a);
    rs_model_close(m);
    /* a host's own table and meta key are left alone */
    sql("CREATE TABLE host_notes(x); INSERT INTO host_notes VALUES (1);"
        "INSERT INTO meta VALUES ('host.thing', x'00ff');");
    ck_assert_ok(rs_model_open(path, 0, &m));
    all_lists(m, b);
    rs_model_close(m);
    assert_same(a, b);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM host_notes"), 1);
    /* one of ours, of another shape: refused as damage */
    sql("DROP TABLE user_vectors; CREATE TABLE user_vectors(a, b)");
    ck_assert_status(use_model(), RS_ERR_CORRUPT);
    /* a core table missing */
    migrated_copy("unknown");
    sql("DROP TABLE node_vectors");
    ck_assert_status(use_model(), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("node_vectors");
    /* a meta value of the wrong SQL type */
    migrated_copy("unknown");
    sql("UPDATE meta SET value = 12345 WHERE key = 'cf.model:recsim'");
    ck_assert_status(use_model(), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("cf.model:recsim");
    remove_model();
    free(a);
    free(b);
}
END_TEST

/* A failed build of a migrated 1.0 file leaves it byte for byte. */
START_TEST(test_failed_build_keeps_file)
{
    rs_model *m = NULL;
    long long before;
    set_path("failbuild");
    copy_fixture("tests/data/model_v10.rsm");
    ck_assert_ok(rs_model_open(path, 0, &m)); /* migrates */
    rs_model_close(m);
    /* the options are saved after the user model's tables are created */
    sql("CREATE TRIGGER fail_build BEFORE INSERT ON meta WHEN new.key = 'model.options'"
        " BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
    before = sql_int("SELECT sum(length(value)) + count(*) FROM meta");
    ck_assert_int_eq(sql_int("SELECT count(*) FROM sqlite_master WHERE name = 'user_models'"),
                     0);
    ck_assert_ok(rs_model_open(path, 0, &m));
    ck_assert_ok(rs_model_set_int(m, "build.tune", 0));
    ck_assert_int_lt(rs_model_build(m), 0);
    ck_assert_errmsg_has("injected failure");
    rs_model_close(m);
    ck_assert_int_eq(sql_int("SELECT sum(length(value)) + count(*) FROM meta"), before);
    /* the on-demand tables of the failed build went with it */
    ck_assert_int_eq(sql_int("SELECT count(*) FROM sqlite_master WHERE name = 'user_models'"),
                     0);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM meta WHERE key = 'model.options'"), 0);
    remove_model();
}
END_TEST

/* The codec itself, for every way a blob can be bad. */
START_TEST(test_blob_codec)
{
    unsigned char blob[32];
    size_t end = 0;
    memcpy(blob, "RSXY", 4);
    memset(blob + 4, 7, sizeof blob - 4);
    rs__blob_seal(blob, sizeof blob);
    ck_assert_ok(rs__blob_check(blob, sizeof blob, "RSXY", 4, "meta", "k", &end));
    ck_assert_uint_eq(end, sizeof blob - RS__BLOB_TRAILER);
    ck_assert_status(rs__blob_check(blob, sizeof blob, "RSXZ", 4, "meta", "k", &end),
                     RS_ERR_CORRUPT);
    ck_assert_errmsg_has("bad magic");
    ck_assert_errmsg_has("table meta, key k");
    ck_assert_status(rs__blob_check(blob, 11, "RSXY", 4, "meta", "k", &end), RS_ERR_CORRUPT);
    ck_assert_errmsg_has("truncated");
    ck_assert_status(rs__blob_check(NULL, 0, "", 0, "meta", "k", &end), RS_ERR_CORRUPT);
    blob[9] ^= 1;
    ck_assert_status(rs__blob_check(blob, sizeof blob, "RSXY", 4, "meta", "k", &end),
                     RS_ERR_CORRUPT);
    ck_assert_errmsg_has("checksum");
    blob[9] ^= 1;
    blob[sizeof blob - 1] ^= 0x80; /* the trailer itself */
    ck_assert_status(rs__blob_check(blob, sizeof blob, "RSXY", 4, "meta", "k", &end),
                     RS_ERR_CORRUPT);
    int64_t sum = rs__blob_row_checksum(blob, 8);
    ck_assert_ok(rs__blob_check_row(blob, 8, sum, "node_vectors", "(node 1)"));
    ck_assert_status(rs__blob_check_row(blob, 8, sum ^ 1, "node_vectors", "(node 1)"),
                     RS_ERR_CORRUPT);
    ck_assert_errmsg_has("table node_vectors, key (node 1)");
    ck_assert_status(rs__blob_check_row(NULL, 0, sum, "user_vectors", "u"), RS_ERR_CORRUPT);
}
END_TEST

START_TEST(test_meta_keys)
{
    char buf[64], old[64];
    ck_assert_ok(rs__store_key(buf, sizeof buf, RS__CF_MODEL_FIELD, "recsim"));
    ck_assert_str_eq(buf, "cf.model:recsim");
    ck_assert_ok(rs__store_key(buf, sizeof buf, "model.options", NULL));
    ck_assert_str_eq(buf, "model.options");
    ck_assert_status(rs__store_key(buf, 12, RS__CF_MODEL_FIELD, "recsim"), RS_ERR_LIMIT);
    ck_assert_status(rs__store_key(buf, sizeof buf, RS__CF_MODEL_FIELD, ""), RS_ERR_INVALID);
    ck_assert_int_eq(rs__store_legacy_key("cf.model:a.b", old, sizeof old), 1);
    ck_assert_str_eq(old, "cf:a.b");
    ck_assert_int_eq(rs__store_legacy_key("cf.keys:x", old, sizeof old), 1);
    ck_assert_str_eq(old, "cf-keys:x");
    ck_assert_int_eq(rs__store_legacy_key("model.note:import:1", old, sizeof old), 1);
    ck_assert_str_eq(old, "note:import:1");
    ck_assert_int_eq(rs__store_legacy_key("item_store.dim:x.dim", old, sizeof old), 1);
    ck_assert_str_eq(old, "item_store.x.dim.dim");
    ck_assert_int_eq(rs__store_legacy_key("item_store.index:s", old, sizeof old), 1);
    ck_assert_str_eq(old, "item_store.s.index");
    ck_assert_int_eq(rs__store_legacy_key("embedder.idf", old, sizeof old), 0);
    ck_assert_int_eq(rs__store_legacy_key("cf.model:recsim", old, 4), 0); /* too small */
}
END_TEST

/* The SQL migration and rs__store_legacy_key agree on every renamed key,
 * names with dots and colons included. */
START_TEST(test_migration_matches_legacy_names)
{
    static const char *const now[] = {"cf.model:a", "cf.model:a:b", "cf.keys:x.y",
                                      "model.note:import:9", "item_store.dim:s",
                                      "item_store.dim:s.dim", "item_store.index:s.index",
                                      "item_store.index:t"};
    sqlite3 *db = NULL;
    char old[128];
    ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, rs__store_migration(0), NULL, NULL, NULL), SQLITE_OK);
    for (size_t i = 0; i < sizeof now / sizeof *now; i++) {
        sqlite3_stmt *st = NULL;
        ck_assert_int_eq(rs__store_legacy_key(now[i], old, sizeof old), 1);
        ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO meta VALUES (?1, 1)", -1, &st,
                                            NULL),
                         SQLITE_OK);
        sqlite3_bind_text(st, 1, old, -1, SQLITE_STATIC);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
    }
    ck_assert_int_eq(sqlite3_exec(db, rs__store_migration(1), NULL, NULL, NULL), SQLITE_OK);
    for (size_t i = 0; i < sizeof now / sizeof *now; i++) {
        sqlite3_stmt *st = NULL;
        ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM meta WHERE key = ?1", -1,
                                            &st, NULL),
                         SQLITE_OK);
        sqlite3_bind_text(st, 1, now[i], -1, SQLITE_STATIC);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_msg(sqlite3_column_int(st, 0) == 1, "%s not renamed", now[i]);
        sqlite3_finalize(st);
    }
    ck_assert_ptr_null(rs__store_migration(RS__STORE_VERSION));
    ck_assert_ptr_null(rs__store_migration(-1));
    sqlite3_close(db);
}
END_TEST

START_TEST(test_null_arguments)
{
    rs_model *m = NULL;
    bool found = true;
    sqlite3 *db = NULL;
    ck_assert_status(rs_model_open(NULL, RS_MODEL_READONLY, &m), RS_ERR_INVALID);
    ck_assert_status(rs__store_key(NULL, 0, RS__CF_MODEL_FIELD, "x"), RS_ERR_LIMIT);
    ck_assert_int_eq(rs__store_legacy_key("cf.model:x", NULL, 0), 0);
    ck_assert_status(rs__store_ensure(NULL, RS__TABLE_COUNT), RS_ERR_INTERNAL);
    ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    ck_assert_ok(rs__store_has_table(db, "meta", &found));
    ck_assert(!found);
    ck_assert_ok(rs__store_ensure(db, RS__TABLE_USER_MODELS));
    ck_assert_ok(rs__store_has_table(db, "user_vectors", &found));
    ck_assert(found);
    ck_assert_status(rs__store_exec(db, "SELECT * FROM nowhere", "reading"), RS_ERR_CORRUPT);
    sqlite3_close(db);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_fixture_release_1_0);
    tcase_add_test(tc, test_fixture_schema_1);
    tcase_add_test(tc, test_failed_migration);
    tcase_add_test(tc, test_newer_version);
    tcase_add_test(tc, test_damaged_meta_blobs);
    tcase_add_test(tc, test_damaged_row_blobs);
    tcase_add_test(tc, test_truncated_file);
    tcase_add_test(tc, test_unknown_table_content);
    tcase_add_test(tc, test_failed_build_keeps_file);
    tcase_add_test(tc, test_blob_codec);
    tcase_add_test(tc, test_meta_keys);
    tcase_add_test(tc, test_migration_matches_legacy_names);
    tcase_add_test(tc, test_null_arguments);
    suite_add_tcase(s, tc);
    return s;
}
