/*
 * model_path.h - the temporary model file of a test program: its path,
 * removing it with its -wal and -shm files, copying a fixture into it, and
 * raw SQL on it (for damage a test plants).  Define MODEL_PATH_PREFIX (the
 * program's file name prefix) before including.
 */
#ifndef RS_TEST_MODEL_PATH_H
#define RS_TEST_MODEL_PATH_H

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef MODEL_PATH_PREFIX
#define MODEL_PATH_PREFIX "rs_test"
#endif

static char path[512];

static inline void remove_model(void)
{
    char name[600];
    unlink(path);
    snprintf(name, sizeof name, "%s-wal", path);
    unlink(name);
    snprintf(name, sizeof name, "%s-shm", path);
    unlink(name);
}

static inline void set_path(const char *tag)
{
    snprintf(path, sizeof path, "%s/" MODEL_PATH_PREFIX "_%s_%d.rsm",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", tag, (int)getpid());
    remove_model();
}

/* Copy the file from (a fixture, relative to the source tree) to path. */
static inline void copy_fixture(const char *from)
{
    FILE *in = fopen(from, "rb"), *out;
    char buf[8192];
    size_t n;
    ck_assert_msg(in != NULL, "cannot open %s (run the tests from the source tree)", from);
    out = fopen(path, "wb");
    ck_assert_ptr_nonnull(out);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    ck_assert_int_eq(fclose(out), 0);
}

/* Run statement on the file at path through a connection of its own. */
static inline void sql(const char *statement)
{
    sqlite3 *db = NULL;
    char *err = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_msg(sqlite3_exec(db, statement, NULL, NULL, &err) == SQLITE_OK, "%s: %s",
                  statement, err ? err : "?");
    sqlite3_free(err);
    sqlite3_close(db);
}

#endif
