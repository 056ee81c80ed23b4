/*
 * store.h - the storage layer under every module that writes the model
 * file: one versioned schema (store_schema.c), one meta-key scheme
 * (store_meta.c), one blob codec (store_blob.c) and the SQLite helpers
 * they share.  docs/STORAGE.md describes the file.
 */
#ifndef RS_STORE_H
#define RS_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PRAGMA user_version of a file this library writes.  1: release 1.0 (and
 * 1.1 before the storage layer), meta keys in their module's own spelling.
 * 2: the meta-key scheme of store_meta.c. */
#define RS__STORE_VERSION 2
/* PRAGMA application_id of a librecsim model: "RSim". */
#define RS__STORE_APPLICATION_ID 0x5253696d

/* ---------------------------------------------------------------- schema */

/* Tables created when a module first writes them: their absence says that
 * the module never wrote (no import kept raw events, no user model saved);
 * their definitions are the schema's all the same. */
typedef enum rs__store_table {
    RS__TABLE_INTERACTION_EVENTS,
    RS__TABLE_OBSERVATIONS, /* property_observations and edge_observations */
    RS__TABLE_ITEM_ATTRIBUTES,
    RS__TABLE_USER_MODELS, /* user_models and user_vectors */
    RS__TABLE_COUNT
} rs__store_table;

/* The SQL that takes a file from version v to v + 1 (v = 0: an empty
 * file), run inside the caller's transaction; NULL when v is out of range. */
const char *rs__store_migration(int64_t v);
/* The tables a file at the current version always has. */
extern const char *const rs__store_core_tables[];
extern const size_t rs__store_core_table_count;
/* Create an on-demand table (and its companions) if absent. */
int rs__store_ensure(sqlite3 *db, rs__store_table table);
/* Whether the file holds table name (a failure is a failure, not "no"). */
int rs__store_has_table(sqlite3 *db, const char *name, bool *found);
/* The RS_ERR_VERSION failure for a file at version found. */
int rs__store_newer(const char *path, int64_t found);

/* ---------------------------------------------------------------- meta keys */

/* Meta keys are "module.field" for a module's own value, and
 * "module.field:NAME" for one of several values told apart by a name the
 * caller chose (a model, a vector space, a note).  Builds key into buf;
 * RS_ERR_LIMIT when it does not fit, RS_ERR_INVALID for a bad name. */
int rs__store_key(char *buf, size_t size, const char *field, const char *name);
/* The fields of the named keys. */
#define RS__CF_MODEL_FIELD "cf.model"
#define RS__CF_KEYS_FIELD "cf.keys"
#define RS__NOTE_FIELD "model.note"
#define RS__ITEM_DIM_FIELD "item_store.dim"
#define RS__ITEM_INDEX_FIELD "item_store.index"
/* The spelling that version-1 files used for key, into buf: 1 when key has
 * another old spelling, 0 when it was spelt the same. */
int rs__store_legacy_key(const char *key, char *buf, size_t size);

/* A module below the graph (the embedder, in text) that keeps values in the
 * model file's meta table reaches it through this, filled in by the graph
 * (graph_embedder.c): the connection for its savepoints, whether the file
 * is read-only, and the graph's meta reads and writes (which know the older
 * spellings of keys and the graph's cached statements).  get hands out a
 * malloc'd copy; both return 0 or a status, RS_ERR_NOTFOUND for a key that
 * is not set. */
typedef struct rs__meta_io {
    void *ctx;
    sqlite3 *db;
    bool readonly;
    int (*get)(void *ctx, const char *key, void **value_out, size_t *len_out);
    int (*set)(void *ctx, const char *key, const void *value, size_t len);
} rs__meta_io;

/* ---------------------------------------------------------------- blobs */

/* Every binary value is a magic (its kind and format version), a
 * little-endian payload and the XXH3-64 of all bytes before it (u64 LE).
 * rs__blob_seal writes the trailer at data + len - 8. */
#define RS__BLOB_TRAILER 8u
void rs__blob_seal(unsigned char *data, size_t len);
/* Check a sealed blob of table/key: at least magic and trailer, the magic,
 * the checksum; the payload is then data[magic_len .. *payload_end).  Fails
 * RS_ERR_CORRUPT naming the table and key. */
int rs__blob_check(const void *data, size_t len, const char *magic, size_t magic_len,
                   const char *table, const char *key, size_t *payload_end);
/* Rows whose checksum is a column beside the blob (node_vectors,
 * user_models, user_vectors): the XXH3-64 of the blob as a signed 64-bit
 * integer, and the check. */
int64_t rs__blob_row_checksum(const void *data, size_t len);
int rs__blob_check_row(const void *data, size_t len, int64_t stored, const char *table,
                       const char *key);
/* RS_ERR_CORRUPT: "table TABLE, key KEY: WHAT". */
int rs__store_corrupt(const char *table, const char *key, const char *what);

/* ---------------------------------------------------------------- SQL */

/* Whether SQLite's failure code on db says our fixed SQL met a table or
 * column the file lacks (a damaged or edited schema). */
bool rs__store_schema_mismatch(sqlite3 *db, int code);
/* Map SQLite's last failure on db to a status and message "what: ...". */
int rs__store_db_fail(sqlite3 *db, const char *what);
int rs__store_exec(sqlite3 *db, const char *sql, const char *what);
int rs__store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, const char *what);

#endif
