/*
 * store_blob.c - the one blob codec (magic, little-endian payload, XXH3-64
 * trailer), the checksum column of row blobs, and the SQLite helpers of
 * the storage layer.
 */
#include "store/store.h"
#include "core/error.h"
#include "core/lebytes.h"

#include <string.h>
#include <xxhash.h>

void rs__blob_seal(unsigned char *data, size_t len)
{
    rs__le_put64(data + len - RS__BLOB_TRAILER, XXH3_64bits(data, len - RS__BLOB_TRAILER));
}

int rs__store_corrupt(const char *table, const char *key, const char *what)
{
    return rs__fail(RS_ERR_CORRUPT, "table %s, key %s: %s", table, key, what);
}

int rs__blob_check(const void *data, size_t len, const char *magic, size_t magic_len,
                   const char *table, const char *key, size_t *payload_end)
{
    const unsigned char *d = data;
    if (!d || len < magic_len + RS__BLOB_TRAILER)
        return rs__store_corrupt(table, key, "damaged blob (truncated)");
    if (memcmp(d, magic, magic_len) != 0)
        return rs__store_corrupt(table, key, "damaged blob (not the expected kind: bad magic)");
    if (rs__le_get64(d + len - RS__BLOB_TRAILER) != XXH3_64bits(d, len - RS__BLOB_TRAILER))
        return rs__store_corrupt(table, key, "damaged blob (checksum mismatch)");
    *payload_end = len - RS__BLOB_TRAILER;
    return 0;
}

int64_t rs__blob_row_checksum(const void *data, size_t len)
{
    uint64_t h = XXH3_64bits(data, len);
    int64_t s;
    memcpy(&s, &h, sizeof s);
    return s;
}

int rs__blob_check_row(const void *data, size_t len, int64_t stored, const char *table,
                       const char *key)
{
    if (!data && len == 0)
        return rs__store_corrupt(table, key, "damaged blob (empty)");
    if (rs__blob_row_checksum(data, len) != stored)
        return rs__store_corrupt(table, key, "damaged blob (checksum mismatch)");
    return 0;
}

/* ---------------------------------------------------------------- SQL */

/* Our SQL is fixed: when it names a table or column the file lacks, the
 * file's schema was damaged or edited. */
bool rs__store_schema_mismatch(sqlite3 *db, int code)
{
    return (code & 0xff) == SQLITE_ERROR && db && strstr(sqlite3_errmsg(db), "no such ") != NULL;
}

int rs__store_db_fail(sqlite3 *db, const char *what)
{
    int code = sqlite3_errcode(db);
    int status = code == SQLITE_CORRUPT || code == SQLITE_NOTADB ||
                         rs__store_schema_mismatch(db, code)
                     ? RS_ERR_CORRUPT
                 : (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? RS_ERR_BUSY
                 : code == SQLITE_NOMEM ? RS_ERR_NOMEM
                 : code == SQLITE_READONLY ? RS_ERR_READONLY
                                            : RS_ERR_IO;
    return rs__fail(status, "%s: %s", what, sqlite3_errmsg(db));
}

int rs__store_exec(sqlite3 *db, const char *sql, const char *what)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return rs__store_db_fail(db, what);
    return 0;
}

int rs__store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, const char *what)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return rs__store_db_fail(db, what);
    return 0;
}
