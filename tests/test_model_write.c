/*
 * test_model_write.c - one writer at a time and transactions over several
 * writes (issue 21 F2 and item 2): rs_model_begin / commit / rollback, the
 * write lock and RS_ERR_BUSY, a handle made out of date by another writer,
 * notes, and bad input.  The file's content is compared through a second
 * SQLite connection, as another process would see it.
 */
#include "testutil.h"

#define MODEL_PATH_PREFIX "rs_write"
#include "model_path.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What another process sees of the file: counts and weight sums, as text. */
static void digest(char *out, size_t cap)
{
    static const char *const queries[] = {
        "SELECT count(*) || '/' || coalesce(sum(weight), 0) FROM edges",
        "SELECT count(*) FROM nodes", "SELECT count(*) FROM node_props",
        "SELECT count(*) FROM meta WHERE key LIKE 'model.note:%'"};
    sqlite3 *db = NULL;
    size_t used = 0;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        sqlite3_stmt *st = NULL;
        ck_assert_int_eq(sqlite3_prepare_v2(db, queries[i], -1, &st, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        used += (size_t)snprintf(out + used, cap - used, "%s ",
                                 (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
}

static int import(rs_model *m, const char *text, int kind)
{
    rs_reader *r = NULL;
    uint64_t rows = 0;
    const char *props[] = {"description"}, *attrs[] = {"country"};
    int s;
    ck_assert_ok(rs_reader_open_memory(text, strlen(text), "data.tsv", RS_FORMAT_TSV, &r));
    s = kind == 0   ? rs_model_import_interactions(m, r, NULL, "bought", 0, &rows)
        : kind == 1 ? rs_model_import_items(m, r, NULL, NULL, 0, props, 1, &rows)
                    : rs_model_import_users(m, r, NULL, attrs, 1, NULL, 0, NULL, &rows);
    rs_reader_close(r);
    return s;
}

static const char items[] = "item\tdescription\n"
                            "i1\tmetal lantern\ni2\tcotton tote bag\ni3\tceramic tea mug\n"
                            "i4\tmetal candle holder\ni5\tcotton print bag\n";
static const char events[] = "user\titem\n"
                             "u1\ti1\nu1\ti4\nu2\ti2\nu2\ti5\nu3\ti3\nu3\ti1\nu4\ti2\nu4\ti4\n";
static const char more_events[] = "user\titem\nu9\ti1\nu9\ti2\nu1\ti3\n";

static rs_model *make_model(const char *tag)
{
    rs_model *m = NULL;
    set_path(tag);
    ck_assert_ok(rs_model_open(path, RS_MODEL_CREATE, &m));
    ck_assert_ok(import(m, items, 1));
    ck_assert_ok(import(m, events, 0));
    return m;
}

/* Users with a country key longer than a key may be: the users step fails
 * after the purchases were imported in the same transaction (F2). */
static char *bad_users(void)
{
    size_t n = 2000;
    char *text = malloc(n + 64);
    ck_assert_ptr_nonnull(text);
    strcpy(text, "user\tcountry\nu9\tFrance\nu1\t");
    size_t at = strlen(text);
    memset(text + at, 'X', n);
    strcpy(text + at + n, "\n");
    return text;
}

START_TEST(test_failed_step_rolls_back_everything)
{
    rs_model *m = make_model("f2");
    char before[256], after[256], *users = bad_users();
    size_t events_before = rs_model_count(m, RS_MODEL_COUNT_EVENTS);
    digest(before, sizeof before);
    ck_assert_ok(rs_model_begin(m));
    ck_assert_ok(import(m, more_events, 0));
    ck_assert_ok(rs_model_set_note(m, "import:x", "more_events"));
    ck_assert_uint_eq(rs_model_count(m, RS_MODEL_COUNT_EVENTS), events_before + 3);
    digest(after, sizeof after);
    ck_assert_str_eq(after, before); /* nothing visible before the commit */
    ck_assert_int_ne(import(m, users, 2), RS_OK);
    /* the transaction can only be rolled back now */
    ck_assert_status(import(m, items, 1), RS_ERR_STATE);
    ck_assert_status(rs_model_commit(m), RS_ERR_STATE);
    ck_assert_errmsg_has("rolled back");
    digest(after, sizeof after);
    ck_assert_str_eq(after, before);
    /* the handle is back to the file: the purchases are gone from memory too */
    ck_assert_uint_eq(rs_model_count(m, RS_MODEL_COUNT_EVENTS), events_before);
    ck_assert_status(rs_model_get_note(m, "import:x", NULL, 0, NULL), RS_ERR_NOTFOUND);
    /* the mended import adds each purchase once */
    ck_assert_ok(import(m, more_events, 0));
    ck_assert_uint_eq(rs_model_count(m, RS_MODEL_COUNT_EVENTS), events_before + 3);
    rs_model_close(m);
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
    ck_assert_uint_eq(rs_model_count(m, RS_MODEL_COUNT_EVENTS), events_before + 3);
    rs_model_close(m);
    free(users);
    remove_model();
}
END_TEST

START_TEST(test_commit_writes_all_at_once)
{
    rs_model *m = make_model("commit"), *other = NULL;
    const char users[] = "user\tcountry\nu1\tFrance\nu9\tSpain\n";
    char note[64];
    size_t len = 0, events_before = rs_model_count(m, RS_MODEL_COUNT_EVENTS);
    ck_assert_ok(rs_model_begin(m));
    ck_assert_status(rs_model_begin(m), RS_ERR_STATE);
    ck_assert_ok(import(m, more_events, 0));
    ck_assert_ok(import(m, users, 2));
    ck_assert_ok(rs_model_set_note(m, "import:y", "both"));
    /* a reader opened meanwhile sees the file before the transaction */
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &other));
    ck_assert_uint_eq(rs_model_count(other, RS_MODEL_COUNT_EVENTS), events_before);
    rs_model_close(other);
    ck_assert_ok(rs_model_commit(m));
    ck_assert_status(rs_model_commit(m), RS_ERR_STATE);
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &other));
    ck_assert_uint_eq(rs_model_count(other, RS_MODEL_COUNT_EVENTS), events_before + 3);
    ck_assert_ok(rs_model_get_note(other, "import:y", note, sizeof note, &len));
    ck_assert_str_eq(note, "both");
    ck_assert_uint_eq(len, 4);
    ck_assert_status(rs_model_get_note(other, "import:y", note, 4, &len), RS_ERR_BUFFER);
    ck_assert_uint_eq(len, 4);
    rs_model_close(other);
    rs_model_close(m);
    remove_model();
}
END_TEST

START_TEST(test_build_inside_rolled_back)
{
    rs_model *m = make_model("build");
    char before[256], after[256];
    digest(before, sizeof before);
    ck_assert_int_eq(rs_model_is_built(m), 0);
    ck_assert_ok(rs_model_begin(m));
    ck_assert_ok(import(m, more_events, 0));
    ck_assert_ok(rs_model_build(m));
    ck_assert_int_eq(rs_model_is_built(m), 1);
    ck_assert_ok(rs_model_rollback(m));
    ck_assert_int_eq(rs_model_is_built(m), 0);
    digest(after, sizeof after);
    ck_assert_str_eq(after, before);
    ck_assert_status(rs_model_rollback(m), RS_ERR_STATE);
    /* the same inside a committed transaction: built, and on file */
    ck_assert_ok(rs_model_begin(m));
    ck_assert_ok(rs_model_build(m));
    ck_assert_ok(rs_model_commit(m));
    ck_assert_int_eq(rs_model_is_built(m), 1);
    rs_model_close(m);
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &m));
    ck_assert_int_eq(rs_model_is_built(m), 1);
    rs_model_close(m);
    remove_model();
}
END_TEST

START_TEST(test_second_writer_busy_then_current)
{
    rs_model *a = make_model("busy"), *b = NULL;
    size_t events_before = rs_model_count(a, RS_MODEL_COUNT_EVENTS);
    const char b_events[] = "user\titem\nu7\ti5\n";
    ck_assert_ok(rs_model_open(path, 0, &b));
    ck_assert_ok(rs_model_set_busy_timeout(b, 0));
    ck_assert_ok(rs_model_begin(a));
    ck_assert_ok(import(a, more_events, 0));
    ck_assert_status(import(b, b_events, 0), RS_ERR_BUSY);
    ck_assert_errmsg_has("being written by another");
    ck_assert_status(rs_model_set_note(b, "k", "v"), RS_ERR_BUSY);
    ck_assert_status(rs_model_build(b), RS_ERR_BUSY);
    ck_assert_status(rs_model_begin(b), RS_ERR_BUSY);
    ck_assert_ok(rs_model_commit(a));
    /* b read the file before a's commit: it reads it again under the lock,
     * and its import lands beside a's instead of undoing it */
    ck_assert_ok(import(b, b_events, 0));
    ck_assert_uint_eq(rs_model_count(b, RS_MODEL_COUNT_EVENTS), events_before + 4);
    /* and a, now out of date, does the same */
    ck_assert_ok(rs_model_set_note(a, "after", "b"));
    ck_assert_uint_eq(rs_model_count(a, RS_MODEL_COUNT_EVENTS), events_before + 4);
    rs_model_close(a);
    rs_model_close(b);
    remove_model();
}
END_TEST

struct holder {
    rs_model *model;
};

/* Hold the lock briefly, then commit: the other writer waits for it. */
static void *hold_then_commit(void *arg)
{
    struct holder *h = arg;
    struct timespec pause = {0, 200 * 1000 * 1000};
    nanosleep(&pause, NULL);
    ck_assert_ok(import(h->model, more_events, 0));
    ck_assert_ok(rs_model_commit(h->model));
    return NULL;
}

START_TEST(test_writer_waits_for_the_lock)
{
    rs_model *a = make_model("wait"), *b = NULL;
    size_t events_before = rs_model_count(a, RS_MODEL_COUNT_EVENTS);
    const char b_events[] = "user\titem\nu7\ti5\n";
    struct holder h = {a};
    pthread_t thread;
    ck_assert_ok(rs_model_open(path, 0, &b));
    ck_assert_ok(rs_model_set_busy_timeout(b, 60000));
    ck_assert_ok(rs_model_begin(a));
    ck_assert_int_eq(pthread_create(&thread, NULL, hold_then_commit, &h), 0);
    ck_assert_ok(import(b, b_events, 0)); /* waits for a's commit, then goes on */
    pthread_join(thread, NULL);
    ck_assert_uint_eq(rs_model_count(b, RS_MODEL_COUNT_EVENTS), events_before + 4);
    rs_model_close(a);
    rs_model_close(b);
    remove_model();
}
END_TEST

START_TEST(test_removed_file_is_not_written)
{
    rs_model *a = make_model("removed");
    char wal[600];
    unlink(path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    ck_assert_status(import(a, more_events, 0), RS_ERR_BUSY);
    ck_assert_errmsg_has("removed");
    rs_model_close(a);
    remove_model();
}
END_TEST

START_TEST(test_bad_input)
{
    rs_model *m = make_model("bad"), *ro = NULL;
    char big_key[RS_MAX_KEY_BYTES + 2], *big_value;
    ck_assert_status(rs_model_begin(NULL), RS_ERR_INVALID);
    ck_assert_status(rs_model_commit(NULL), RS_ERR_INVALID);
    ck_assert_status(rs_model_rollback(NULL), RS_ERR_INVALID);
    ck_assert_status(rs_model_set_busy_timeout(NULL, 10), RS_ERR_INVALID);
    ck_assert_status(rs_model_set_busy_timeout(m, -1), RS_ERR_RANGE);
    ck_assert_status(rs_model_commit(m), RS_ERR_STATE);
    ck_assert_status(rs_model_rollback(m), RS_ERR_STATE);
    ck_assert_status(rs_model_set_note(NULL, "k", "v"), RS_ERR_INVALID);
    ck_assert_status(rs_model_set_note(m, NULL, "v"), RS_ERR_INVALID);
    ck_assert_status(rs_model_set_note(m, "k", NULL), RS_ERR_INVALID);
    ck_assert_int_ne(rs_model_set_note(m, "", "v"), RS_OK);
    memset(big_key, 'k', sizeof big_key - 1);
    big_key[sizeof big_key - 1] = '\0';
    ck_assert_int_ne(rs_model_set_note(m, big_key, "v"), RS_OK);
    big_value = malloc(70000);
    ck_assert_ptr_nonnull(big_value);
    memset(big_value, 'v', 69999);
    big_value[69999] = '\0';
    ck_assert_status(rs_model_set_note(m, "k", big_value), RS_ERR_LIMIT);
    free(big_value);
    ck_assert_status(rs_model_get_note(NULL, "k", NULL, 0, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_model_get_note(m, NULL, NULL, 0, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_model_get_note(m, "k", NULL, 5, NULL), RS_ERR_INVALID);
    ck_assert_status(rs_model_get_note(m, "absent", NULL, 0, NULL), RS_ERR_NOTFOUND);
    ck_assert_ok(rs_model_set_note(m, "k", ""));
    {
        char buf[4];
        size_t len = 9;
        ck_assert_ok(rs_model_get_note(m, "k", buf, sizeof buf, &len));
        ck_assert_uint_eq(len, 0);
        ck_assert_str_eq(buf, "");
    }
    {
        rs_model *mem = NULL;
        ck_assert_ok(rs_model_open(":memory:", RS_MODEL_CREATE, &mem));
        ck_assert_status(rs_model_begin(mem), RS_ERR_STATE);
        ck_assert_ok(import(mem, items, 1)); /* single writes work as before */
        ck_assert_int_ne(import(mem, "user\titem\nu1\tnope\n\xff\n", 0), RS_OK);
        ck_assert_ok(import(mem, events, 0));
        ck_assert_uint_eq(rs_model_count(mem, RS_MODEL_COUNT_EVENTS), 8);
        rs_model_close(mem);
    }
    ck_assert_ok(rs_model_open(path, RS_MODEL_READONLY, &ro));
    ck_assert_status(rs_model_begin(ro), RS_ERR_READONLY);
    ck_assert_status(rs_model_set_note(ro, "k", "v"), RS_ERR_READONLY);
    ck_assert_ok(rs_model_set_busy_timeout(ro, 0));
    rs_model_close(ro);
    rs_model_close(m);
    remove_model();
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("model_write");
    TCase *tc = tcase_create("write");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_failed_step_rolls_back_everything);
    tcase_add_test(tc, test_commit_writes_all_at_once);
    tcase_add_test(tc, test_build_inside_rolled_back);
    tcase_add_test(tc, test_second_writer_busy_then_current);
    tcase_add_test(tc, test_writer_waits_for_the_lock);
    tcase_add_test(tc, test_removed_file_is_not_written);
    tcase_add_test(tc, test_bad_input);
    suite_add_tcase(s, tc);
    return s;
}
