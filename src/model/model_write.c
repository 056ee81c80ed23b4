/*
 * model_write.c - one writer at a time, and transactions that span calls.
 *
 * Every write to a model (import, build, observe) holds the file's write
 * lock from its first read to its commit: SQLite's BEGIN IMMEDIATE on the
 * model's connection, which another connection's BEGIN IMMEDIATE waits for
 * (up to the busy timeout) and then fails with SQLITE_BUSY -> RS_ERR_BUSY.
 * Readers are never blocked (write-ahead log).  Once the lock is held, a
 * handle whose memory is older than the file (another writer committed
 * since it read it, or the file was replaced) reads the file again, so a
 * write never starts from, or overwrites, an out-of-date copy.
 *
 * rs_model_begin() takes the lock for several calls: each joins its
 * transaction, and nothing reaches the file before rs_model_commit().  A
 * rollback leaves the file as before rs_model_begin(); the graph in memory
 * is then read again from the file, since the calls inside changed it.
 */
#include "model/model_internal.h"
#include "store/store.h"

#include "core/error.h"
#include "core/utf8.h"
#include "graph/graph_internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* How often the lock is taken again after reading a changed file. */
#define LOCK_ATTEMPTS 20

static int check_writable(rs_model *m, const char *fn)
{
    if (!m)
        return rs__fail(RS_ERR_INVALID, "%s: NULL model", fn);
    if (m->flags & RS_MODEL_READONLY)
        return rs__fail(RS_ERR_READONLY, "%s: model %s is open read-only", fn, m->path);
    return RS_OK;
}

/* Is the file at m->path still the one this handle opened?  1 yes, 0
 * replaced by another file, -1 removed. */
static int same_file(const rs_model *m)
{
    uint64_t dev, ino;
    if (m->file_ino == 0) /* ":memory:", or not known */
        return 1;
    rs__model_file_id(m->path, &dev, &ino);
    if (ino == 0)
        return -1;
    return dev == m->file_dev && ino == m->file_ino;
}

/* A ":memory:" model: its data lives in the connection alone. */
static bool in_memory(const rs_model *m)
{
    return strcmp(m->path, ":memory:") == 0;
}

static void rollback_quietly(rs_model *m)
{
    rs_error_state saved;
    rs__error_save(&saved);
    sqlite3_exec(rs__graph_db(m->graph), "ROLLBACK", NULL, NULL, NULL);
    rs__error_restore(&saved);
}

/* BEGIN IMMEDIATE on a current copy of the file. */
static int lock(rs_model *m, const char *fn)
{
    for (int attempt = 1;; attempt++) {
        sqlite3 *db = rs__graph_db(m->graph);
        int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), same, s;
        if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
            return rs__fail(RS_ERR_BUSY, "%s: model %s is being written by another process or "
                            "handle (waited %d ms for it; rs_model_set_busy_timeout, "
                            "recsim --wait SECONDS)", fn, m->path, m->busy_ms);
        if (rc != SQLITE_OK) {
            s = rs__graph_db_fail(db, "taking the write lock");
            rs__fail_context("%s: %s: ", fn, m->path);
            return s;
        }
        same = same_file(m);
        if (same < 0) {
            rollback_quietly(m);
            return rs__fail(RS_ERR_BUSY, "%s: model %s was removed by another process since "
                            "this handle opened it", fn, m->path);
        }
        if (same && !rs__graph_changed(m->graph))
            return RS_OK;
        rollback_quietly(m);
        if (attempt == LOCK_ATTEMPTS)
            return rs__fail(RS_ERR_BUSY, "%s: other writers changed model %s %d times while "
                            "this handle read it again", fn, m->path, attempt);
        if ((s = rs__model_reload(m)) != RS_OK)
            return rs__fail_context("%s: reading model %s again after another writer's "
                                    "changes: ", fn, m->path);
    }
}

/* The transaction is over (rolled back, or SQLite rolled it back by
 * itself after an I/O or memory error): memory that holds its undone
 * writes is read again from the file, or marked stale when that fails. */
static void after_rollback(rs_model *m, bool force)
{
    rs_error_state saved;
    if (!force && rs__graph_generation(m->graph) == m->batch_generation)
        return;
    if (in_memory(m)) /* no file to read again (rs_model_begin refuses) */
        return;
    rs__error_save(&saved);
    if (rs__model_reload(m) != RS_OK)
        rs__graph_mark_stale(m->graph); /* the next write reads the file again */
    rs__error_restore(&saved);
}

int rs__model_write_enter(rs_model *m, const char *fn, bool *owned)
{
    int s;
    *owned = false;
    if ((s = check_writable(m, fn)) != RS_OK)
        return s;
    if (m->in_batch)
        return m->batch_failed ? rs__fail(RS_ERR_STATE, "%s: a write inside this transaction "
                                          "failed: rs_model_rollback() it", fn)
                               : RS_OK;
    if ((s = lock(m, fn)) != RS_OK)
        return s;
    m->batch_generation = rs__graph_generation(m->graph);
    *owned = true;
    return RS_OK;
}

int rs__model_write_leave(rs_model *m, const char *fn, bool owned, int status)
{
    sqlite3 *db = rs__graph_db(m->graph);
    if (!owned) {
        if (status != RS_OK && m->in_batch)
            m->batch_failed = true;
        return status;
    }
    bool commit_failed = false;
    if (status == RS_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        status = rs__graph_db_fail(db, "committing");
        rs__fail_context("%s: %s (nothing was written): ", fn, m->path);
        commit_failed = true; /* the handle already holds what was not written */
    }
    if (status != RS_OK) {
        if (!sqlite3_get_autocommit(db))
            rollback_quietly(m);
        after_rollback(m, commit_failed);
    }
    return status;
}

/* ------------------------------------------------------------ public */

int rs_model_begin(rs_model *model)
{
    static const char fn[] = "rs_model_begin";
    int s = check_writable(model, fn);
    if (s != RS_OK)
        return s;
    if (model->in_batch)
        return rs__fail(RS_ERR_STATE, "%s: a transaction is open already on this handle", fn);
    if (in_memory(model))
        return rs__fail(RS_ERR_STATE, "%s: a model in memory (\":memory:\") has no file to "
                        "roll back to", fn);
    if ((s = lock(model, fn)) != RS_OK)
        return s;
    model->in_batch = true;
    model->batch_failed = false;
    model->batch_generation = rs__graph_generation(model->graph);
    return RS_OK;
}

static int end_batch(rs_model *model, const char *fn, bool commit)
{
    sqlite3 *db;
    int s = RS_OK;
    if (!model)
        return rs__fail(RS_ERR_INVALID, "%s: NULL model", fn);
    if (!model->in_batch)
        return rs__fail(RS_ERR_STATE, "%s: no transaction is open (rs_model_begin)", fn);
    db = rs__graph_db(model->graph);
    if (commit && model->batch_failed)
        s = rs__fail(RS_ERR_STATE, "%s: a write inside the transaction failed: it was rolled "
                     "back, and the file is as before rs_model_begin()", fn);
    else if (commit && sqlite3_get_autocommit(db))
        s = rs__fail(RS_ERR_IO, "%s: SQLite rolled the transaction back after an error: the "
                     "file is as before rs_model_begin()", fn);
    else if (commit && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        s = rs__graph_db_fail(db, "committing");
        rs__fail_context("%s: %s (nothing was written): ", fn, model->path);
    }
    if (!commit || s != RS_OK) {
        if (!sqlite3_get_autocommit(db))
            rollback_quietly(model);
        after_rollback(model, true); /* builds inside changed more than the graph */
    }
    model->in_batch = false;
    model->batch_failed = false;
    if (s == RS_OK && commit && rs__model_remake_scorer(model) != RS_OK)
        return rs__fail_context("%s: committed, but the scorer could not be made again: ", fn);
    return s;
}

int rs_model_commit(rs_model *model)
{
    return end_batch(model, "rs_model_commit", true);
}

int rs_model_rollback(rs_model *model)
{
    return end_batch(model, "rs_model_rollback", false);
}

int rs_model_set_busy_timeout(rs_model *model, int milliseconds)
{
    if (!model)
        return rs__fail(RS_ERR_INVALID, "rs_model_set_busy_timeout: NULL model");
    if (milliseconds < 0)
        return rs__fail(RS_ERR_RANGE, "rs_model_set_busy_timeout: %d ms is negative",
                        milliseconds);
    model->busy_ms = milliseconds;
    sqlite3_busy_timeout(rs__graph_db(model->graph), milliseconds);
    return RS_OK;
}

/* ------------------------------------------------------------ notes */

/* Notes live in the meta table under "model.note:" + key (store_meta.c),
 * apart from the library's own keys. */
static int note_key(const char *fn, const char *key, char *buf, size_t cap)
{
    int s;
    if ((s = rs__check_key(key, "note key", NULL)) != RS_OK)
        return rs__fail_context("%s: ", fn);
    if ((s = rs__store_key(buf, cap, RS__NOTE_FIELD, key)) != RS_OK)
        return rs__fail_context("%s: ", fn);
    return RS_OK;
}

int rs_model_set_note(rs_model *model, const char *key, const char *value)
{
    static const char fn[] = "rs_model_set_note";
    char meta_key[RS_MAX_KEY_BYTES + sizeof RS__NOTE_FIELD + 1];
    bool owned;
    size_t len;
    int s;
    if (!model || !key || !value)
        return rs__fail(RS_ERR_INVALID, "%s: NULL %s", fn,
                        !model ? "model" : !key ? "key" : "value");
    if ((len = strlen(value)) > RS__MODEL_NOTE_MAX)
        return rs__fail(RS_ERR_LIMIT, "%s: a note of %zu bytes (at most %d)", fn, len,
                        RS__MODEL_NOTE_MAX);
    if ((s = note_key(fn, key, meta_key, sizeof meta_key)) != RS_OK ||
        (s = rs__model_write_enter(model, fn, &owned)) != RS_OK)
        return s;
    s = rs__graph_meta_set(model->graph, meta_key, value, len);
    return rs__model_write_leave(model, fn, owned, s);
}

int rs_model_get_note(const rs_model *model, const char *key, char *buf, size_t capacity,
                      size_t *len_out)
{
    static const char fn[] = "rs_model_get_note";
    char meta_key[RS_MAX_KEY_BYTES + sizeof RS__NOTE_FIELD + 1];
    void *value = NULL;
    size_t len = 0;
    int s;
    if (!model || !key || (!buf && capacity))
        return rs__fail(RS_ERR_INVALID, "%s: NULL %s", fn,
                        !model ? "model" : !key ? "key" : "buf");
    if ((s = note_key(fn, key, meta_key, sizeof meta_key)) != RS_OK)
        return s;
    s = rs__graph_meta_get(model->graph, meta_key, &value, &len);
    if (s == RS_ERR_NOTFOUND)
        return rs__fail(RS_ERR_NOTFOUND, "%s: model %s has no note \"%s\"", fn, model->path,
                        key);
    if (s != RS_OK)
        return s;
    if (len_out)
        *len_out = len;
    if (len >= capacity) {
        free(value);
        return rs__fail(RS_ERR_BUFFER, "%s: %zu bytes needed, %zu given", fn, len + 1,
                        capacity);
    }
    memcpy(buf, value, len);
    buf[len] = '\0';
    free(value);
    return RS_OK;
}
