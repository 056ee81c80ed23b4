/*
 * graph.c - the rs_graph handle: opening a model file (schema, versions,
 * corruption), the meta table, node types, nodes and relations.
 */
#include "graph/graph_impl.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/utf8.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------ schema */

/* The schema and its migrations are the storage layer's (store_schema.c). */

static const char *const stmt_sql[ST_COUNT] = {
    [ST_SAVEPOINT] = "SAVEPOINT rs_graph_op",
    [ST_RELEASE] = "RELEASE rs_graph_op",
    [ST_ROLLBACK_TO] = "ROLLBACK TO rs_graph_op",
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_BULK_SAVEPOINT] = "SAVEPOINT rs_graph_bulk",
    [ST_BULK_RELEASE] = "RELEASE rs_graph_bulk",
    [ST_BULK_ROLLBACK_TO] = "ROLLBACK TO rs_graph_bulk",
    [ST_META_SET] = "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
    [ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [ST_TYPE_INSERT] = "INSERT INTO node_types(id, name) VALUES (?1, ?2)",
    [ST_NODE_INSERT] = "INSERT INTO nodes(id, type_id, key) VALUES (?1, ?2, ?3)",
    [ST_NODE_DELETE] = "DELETE FROM nodes WHERE id = ?1",
    [ST_REL_INSERT] = "INSERT INTO relations(id, name, weight) VALUES (?1, ?2, ?3)",
    [ST_REL_SET_WEIGHT] = "UPDATE relations SET weight = ?2 WHERE id = ?1",
    [ST_EDGE_INSERT] = "INSERT INTO edges(src, rel, dst, weight, ts) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_EDGE_UPSERT] = "INSERT INTO edges(src, rel, dst, weight, ts) VALUES (?1, ?2, ?3, ?4, ?5)"
                       " ON CONFLICT(src, rel, dst) DO UPDATE SET weight = excluded.weight,"
                       " ts = excluded.ts",
    /* ST_NODE_INSERT_MANY: built by rs__graph_stmt */
    [ST_DROP_NODE_INDEX] = "DROP INDEX nodes_key",
    [ST_CREATE_NODE_INDEX] = "CREATE UNIQUE INDEX nodes_key ON nodes(type_id, key)",
    [ST_EDGE_UPDATE] = "UPDATE edges SET weight = ?4, ts = ?5 WHERE src = ?1 AND rel = ?2"
                       " AND dst = ?3",
    [ST_EDGE_DELETE] = "DELETE FROM edges WHERE src = ?1 AND rel = ?2 AND dst = ?3",
    [ST_EDGE_GET] = "SELECT weight, ts FROM edges WHERE src = ?1 AND rel = ?2 AND dst = ?3",
    [ST_PROP_SET] = "INSERT INTO node_props(node_id, name, value) VALUES (?1, ?2, ?3)"
                    " ON CONFLICT(node_id, name) DO UPDATE SET value = excluded.value"
                    " WHERE value IS NOT excluded.value",
    [ST_PROP_DELETE] = "DELETE FROM node_props WHERE node_id = ?1 AND name = ?2",
    [ST_PROP_GET] = "SELECT value FROM node_props WHERE node_id = ?1 AND name = ?2",
    [ST_KEY_PREFIX] = "SELECT id FROM nodes WHERE type_id = ?1 AND key >= ?2 AND key < ?3"
                      " ORDER BY key LIMIT ?4",
    [ST_FTS_SEARCH] = "SELECT p.node_id, min(f.rank) AS r FROM node_props_fts AS f"
                      " JOIN node_props AS p ON p.id = f.rowid"
                      " WHERE node_props_fts MATCH ?1 GROUP BY p.node_id"
                      " ORDER BY r, p.node_id",
    [ST_DATA_VERSION] = "PRAGMA data_version",
};

/* ------------------------------------------------------------ SQL helpers */

int rs__graph_db_fail(sqlite3 *db, const char *what)
{
    return rs__store_db_fail(db, what);
}

static int data_version(rs_graph *g, int64_t *out);

int rs__graph_sql_fail(rs_graph *g, int rc, const char *what)
{
    const char *detail = NULL;
    char constraint[256];
    int status;
    switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
        status = RS_ERR_CORRUPT;
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        status = RS_ERR_BUSY;
        break;
    case SQLITE_NOMEM:
        status = RS_ERR_NOMEM;
        break;
    case SQLITE_READONLY:
        status = RS_ERR_READONLY;
        break;
    case SQLITE_CONSTRAINT: {
        /* our own rows never collide; another writer's can.  The message
         * is kept first: reading the data version clears it. */
        int64_t now = 0;
        snprintf(constraint, sizeof constraint, "%s",
                 g && g->db ? sqlite3_errmsg(g->db) : sqlite3_errstr(rc));
        detail = constraint;
        status = g && g->db && !g->readonly && data_version(g, &now) == 0 &&
                         now != g->data_version
                     ? RS_ERR_BUSY
                     : RS_ERR_EXISTS;
        if (status == RS_ERR_BUSY)
            detail = "another writer changed the model file since this handle opened it";
        break;
    }
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
        status = RS_ERR_IO;
        break;
    case SQLITE_TOOBIG:
        status = RS_ERR_LIMIT;
        break;
    default:
        status = g && rs__store_schema_mismatch(g->db, rc) ? RS_ERR_CORRUPT : RS_ERR_INTERNAL;
        break;
    }
    if (!detail)
        detail = g && g->db ? sqlite3_errmsg(g->db) : sqlite3_errstr(rc);
    return rs__fail(status, "graph: %s: %s (SQLite code %d)", what, detail, rc);
}

sqlite3_stmt *rs__graph_stmt(rs_graph *g, enum rs__graph_stmt which)
{
    sqlite3_stmt *st = g->stmt[which];
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    char many[64 + RS_GRAPH_INSERT_ROWS * 24];
    const char *sql = stmt_sql[which];
    if (which == ST_NODE_INSERT_MANY) {
        size_t at = (size_t)snprintf(many, sizeof many, "%s",
                                     "INSERT INTO nodes(id, type_id, key) VALUES ");
        for (int i = 0; i < RS_GRAPH_INSERT_ROWS; i++)
            at += (size_t)snprintf(many + at, sizeof many - at, "%s%s", i ? "," : "", "(?,?,?)");
        sql = many;
    }
    int rc = sqlite3_prepare_v3(g->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        rs__graph_sql_fail(g, rc, "preparing a statement");
        sqlite3_finalize(st);
        return NULL;
    }
    g->stmt[which] = st;
    return st;
}

int rs__graph_exec(rs_graph *g, enum rs__graph_stmt which, const char *what)
{
    sqlite3_stmt *st = rs__graph_stmt(g, which);
    int rc;
    if (!st)
        return rs_errcode();
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return rs__graph_sql_fail(g, rc, what);
    return 0;
}

int rs__graph_tx_begin(rs_graph *g)
{
    return rs__graph_exec(g, ST_SAVEPOINT, "starting a savepoint");
}

int rs__graph_tx_commit(rs_graph *g)
{
    int status = rs__graph_exec(g, ST_RELEASE, "committing");
    if (status != 0)
        rs__graph_tx_rollback(g);
    return status;
}

void rs__graph_tx_rollback(rs_graph *g)
{
    sqlite3_stmt *st = rs__graph_stmt(g, ST_ROLLBACK_TO);
    if (st) {
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    st = rs__graph_stmt(g, ST_RELEASE);
    if (st) {
        sqlite3_step(st);
        sqlite3_reset(st);
    }
}

/* Run a one-row integer pragma or query through a prepared statement. */
static int query_int(rs_graph *g, const char *sql, int64_t *out, const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(g->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            *out = 0;
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : rs__graph_sql_fail(g, rc, what);
}

/* A statement without results or parameters (pragmas, DDL); one at a time
 * through prepare, as for every other statement. */
static int run_script(rs_graph *g, const char *sql, const char *what)
{
    const char *tail = sql;
    while (tail && *tail) {
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(g->db, tail, -1, &st, &tail);
        if (rc != SQLITE_OK)
            return rs__graph_sql_fail(g, rc, what);
        if (!st)
            break;
        do
            rc = sqlite3_step(st);
        while (rc == SQLITE_ROW);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return rs__graph_sql_fail(g, rc, what);
    }
    return 0;
}

/* ------------------------------------------------------------ open/close */

static int grow_nodes(rs_graph *g, size_t needed);
static int grow_types(rs_graph *g, size_t needed);
static int grow_relations(rs_graph *g, size_t needed);
static int load_graph(rs_graph *g, const char *path);
static int prepare_schema(rs_graph *g, const char *path);
static int open_immutable(rs_graph *g, const char *path, int status);

int rs_graph_open(const char *path, unsigned flags, rs_graph **out)
{
    rs_graph *g = NULL;
    int sqlite_flags, rc, status;
    bool memory;

    if (!out)
        return rs__fail(RS_ERR_INVALID, "rs_graph_open: out is NULL");
    *out = NULL;
    if (!path || !*path)
        return rs__fail(RS_ERR_INVALID, "rs_graph_open: path is %s", path ? "empty" : "NULL");
    if (flags & ~(RS_GRAPH_CREATE | RS_GRAPH_READONLY))
        return rs__fail(RS_ERR_INVALID, "rs_graph_open: unknown flags 0x%x",
                        flags & ~(RS_GRAPH_CREATE | RS_GRAPH_READONLY));
    if ((flags & RS_GRAPH_CREATE) && (flags & RS_GRAPH_READONLY))
        return rs__fail(RS_ERR_INVALID,
                        "rs_graph_open: RS_GRAPH_CREATE and RS_GRAPH_READONLY together");
    memory = strcmp(path, ":memory:") == 0;
    if (memory && (flags & RS_GRAPH_READONLY))
        return rs__fail(RS_ERR_INVALID, "rs_graph_open: \":memory:\" cannot be read-only");

    g = rs__calloc(1, sizeof *g);
    if (!g)
        return RS_ERR_NOMEM;
    g->readonly = (flags & RS_GRAPH_READONLY) != 0;
    g->types = rs__idmap_create();
    g->nodes = rs__idmap_create();
    g->relations = rs__idmap_create();
    if (!g->types || !g->nodes || !g->relations) {
        status = RS_ERR_NOMEM;
        goto fail;
    }

    /* SQLite would block on a FIFO, or read a device: only regular files
     * (or links to them) are model files */
    struct stat info;
    if (!memory && stat(path, &info) == 0 && !S_ISREG(info.st_mode)) {
        status = rs__fail(RS_ERR_IO, "rs_graph_open(\"%s\"): not a regular file (%s)", path,
                          S_ISDIR(info.st_mode) ? "a directory" : S_ISFIFO(info.st_mode)
                                                                      ? "a FIFO"
                                                                      : "a device or socket");
        goto fail;
    }

    sqlite_flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    if (g->readonly)
        sqlite_flags |= SQLITE_OPEN_READONLY;
    else
        sqlite_flags |= SQLITE_OPEN_READWRITE | ((flags & RS_GRAPH_CREATE) || memory
                                                     ? SQLITE_OPEN_CREATE
                                                     : 0);
    rc = sqlite3_open_v2(path, &g->db, sqlite_flags, NULL);
    if (rc != SQLITE_OK) {
        status = rs__graph_sql_fail(g, rc, "opening the file");
        rs__fail_context("rs_graph_open(\"%s\"): ", path);
        goto fail;
    }
    sqlite3_extended_result_codes(g->db, 1);
    sqlite3_busy_timeout(g->db, 5000);
    /* SQLite falls back to read-only on a file it cannot write; refused
     * before the first read, which would leave -wal and -shm files behind */
    if (!g->readonly && !memory && sqlite3_db_readonly(g->db, "main") == 1) {
        status = rs__fail(RS_ERR_READONLY, "rs_graph_open(\"%s\"): the file is not writable "
                                           "(open it with RS_GRAPH_READONLY to read it)",
                          path);
        goto fail;
    }

    rs_error_state before;
    rs__error_save(&before);
    status = prepare_schema(g, path);
    if (status != 0 && g->readonly && (status = open_immutable(g, path, status)) == 0) {
        rs__error_restore(&before); /* the first attempt's failure is not news */
        status = prepare_schema(g, path);
    }
    /* Reading the edges (tens of MB on a retail log) and the large blobs
     * through a memory map saves a copy of every page; a failure only costs
     * that speed. */
    if (status == 0 && !memory)
        sqlite3_exec(g->db, "PRAGMA mmap_size = 1073741824", NULL, NULL, NULL);
    if (status == 0) {
        /* One read transaction: a writer committing between the reads of
         * nodes, relations and edges must not give a mix of two versions. */
        bool snapshot = sqlite3_exec(g->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
        status = load_graph(g, path);
        /* a read transaction left open (its COMMIT failed, out of memory)
         * would make the next write's BEGIN fail: end it, and say so */
        if (snapshot && sqlite3_exec(g->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            if (status == 0)
                status = rs__graph_db_fail(g->db, "ending the read of the graph");
            sqlite3_exec(g->db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    if (status != 0)
        goto fail;
    *out = g;
    return 0;

fail:
    rs_graph_close(g);
    return status;
}

/* A read-only open that SQLite could not serve because the journal files
 * cannot be created beside the model (read-only media, a directory without
 * write permission): reopen the file as immutable.  Only when no write-ahead
 * log holds changes, which an immutable open would not see.  Returns 0 with
 * g->db reopened, or `status` (the first failure) when that does not apply. */
static int open_immutable(rs_graph *g, const char *path, int status)
{
    int code = sqlite3_extended_errcode(g->db), rc;
    size_t len = strlen(path), at = 0;
    char *wal = NULL, *uri = NULL;
    struct stat info;
    if ((code & 0xff) != SQLITE_CANTOPEN && (code & 0xff) != SQLITE_READONLY)
        return status;
    if (!(wal = rs__malloc(len + 5)))
        return rs_errcode();
    memcpy(wal, path, len);
    memcpy(wal + len, "-wal", 5);
    rc = stat(wal, &info);
    free(wal);
    if (rc == 0 && S_ISREG(info.st_mode) && info.st_size > 0)
        return rs__fail(status, "rs_graph_open(\"%s\"): the file cannot be opened read-only "
                                "here (%s), and its write-ahead log \"%s-wal\" holds changes; "
                                "open it once where it can be written",
                        path, sqlite3_errmsg(g->db), path);
    /* "file:" + the path with every byte outside [A-Za-z0-9/._~-] escaped */
    if (!(uri = rs__malloc(len * 3 + 32)))
        return rs_errcode();
    at = (size_t)sprintf(uri, "file:");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)path[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '/' || c == '.' || c == '_' || c == '~' || c == '-')
            uri[at++] = (char)c;
        else
            at += (size_t)sprintf(uri + at, "%%%02X", c);
    }
    strcpy(uri + at, "?immutable=1");
    for (int i = 0; i < ST_COUNT; i++) {
        sqlite3_finalize(g->stmt[i]);
        g->stmt[i] = NULL;
    }
    sqlite3_close_v2(g->db);
    g->db = NULL;
    rc = sqlite3_open_v2(uri, &g->db,
                         SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX |
                             SQLITE_OPEN_EXRESCODE,
                         NULL);
    free(uri);
    if (rc != SQLITE_OK) {
        rs__graph_sql_fail(g, rc, "opening the file as immutable");
        return rs__fail_context("rs_graph_open(\"%s\"): ", path);
    }
    sqlite3_extended_result_codes(g->db, 1);
    return 0;
}

/* The tables of the current schema: a file at our version without one of
 * them was damaged or edited, and is refused before anything reads it. */
static int check_tables(rs_graph *g, const char *path)
{
    char sql[128];
    for (size_t i = 0; i < rs__store_core_table_count; i++) {
        int64_t found = 0;
        int status;
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
                 rs__store_core_tables[i]);
        if ((status = query_int(g, sql, &found, "reading the schema")) != 0)
            return rs__fail_context("rs_graph_open(\"%s\"): ", path);
        if (found != 1)
            return rs__fail(RS_ERR_CORRUPT,
                            "rs_graph_open(\"%s\"): table %s is missing from the model file",
                            path, rs__store_core_tables[i]);
    }
    return 0;
}

/* Check the file is ours and at our version, creating or migrating it. */
static int prepare_schema(rs_graph *g, const char *path)
{
    int64_t version = 0, app_id = 0, objects = 0;
    int status;

    /* The first read of the file: a foreign or damaged file fails here. */
    status = query_int(g, "PRAGMA user_version", &version, "reading the schema version");
    if (status == 0)
        status = query_int(g, "PRAGMA application_id", &app_id, "reading the application id");
    if (status == 0)
        status = query_int(g, "SELECT count(*) FROM sqlite_master", &objects,
                           "reading the schema");
    if (status != 0)
        return rs__fail_context("rs_graph_open(\"%s\"): ", path);

    if (version < 0)
        return rs__fail(RS_ERR_CORRUPT,
                        "rs_graph_open(\"%s\"): schema version %lld (PRAGMA user_version) is "
                        "negative",
                        path, (long long)version);
    if (version > RS_GRAPH_SCHEMA_VERSION)
        return rs__store_newer(path, version);
    if ((version > 0 || objects > 0) && app_id != RS_GRAPH_APPLICATION_ID)
        return rs__fail(RS_ERR_CORRUPT,
                        "rs_graph_open(\"%s\"): an SQLite file, but not a librecsim model "
                        "(application_id 0x%llx, version %lld)",
                        path, (unsigned long long)app_id, (long long)version);
    g->file_version = RS_GRAPH_SCHEMA_VERSION;
    if (version == RS_GRAPH_SCHEMA_VERSION) {
        if ((status = check_tables(g, path)) != 0)
            return status;
        if (!g->readonly && strcmp(path, ":memory:") != 0)
            return run_script(g, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                                 " PRAGMA cache_size=-131072;",
                              "setting the journal mode");
        return 0;
    }
    /* An older file opened read-only is read as it is: its tables are
     * this version's, and rs__graph_meta_get finds the keys it spelt
     * otherwise (store_meta.c). */
    if (g->readonly && version >= 1) {
        g->file_version = version;
        return check_tables(g, path);
    }
    if (g->readonly)
        return rs__fail(RS_ERR_CORRUPT,
                        "rs_graph_open(\"%s\"): schema version %lld needs %s, but the file is "
                        "opened read-only",
                        path, (long long)version, version == 0 ? "creating" : "migrating");

    if (strcmp(path, ":memory:") != 0) {
        status = run_script(g, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                               " PRAGMA cache_size=-131072;",
                            "setting the journal mode");
        if (status != 0)
            return rs__fail_context("rs_graph_open(\"%s\"): ", path);
    }
    status = run_script(g, "BEGIN IMMEDIATE", "starting the schema migration");
    /* Another process may have created or migrated the file while this one
     * waited for the lock: read the version again under it. */
    if (status == 0)
        status = query_int(g, "PRAGMA user_version", &version, "reading the schema version");
    /* the file as this handle sees it: a failing migration is then not
     * taken for another writer's change (rs__graph_sql_fail) */
    if (status == 0)
        status = data_version(g, &g->data_version);
    if (status == 0 && version == RS_GRAPH_SCHEMA_VERSION) {
        run_script(g, "COMMIT", "reading the schema");
        return check_tables(g, path);
    }
    for (int64_t v = version; status == 0 && v < RS_GRAPH_SCHEMA_VERSION; v++)
        status = run_script(g, rs__store_migration(v), "migrating the schema");
    if (status == 0) {
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
                 RS_GRAPH_APPLICATION_ID, RS_GRAPH_SCHEMA_VERSION);
        status = run_script(g, sql, "setting the schema version");
    }
    if (status == 0)
        status = run_script(g, "COMMIT", "committing the schema");
    if (status != 0) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(g->db, "ROLLBACK", -1, &st, NULL) == SQLITE_OK)
            sqlite3_step(st);
        sqlite3_finalize(st);
        return rs__fail_context("rs_graph_open(\"%s\"): ", path);
    }
    return 0;
}

/* Read types, nodes, relations and edges into memory. */
static int load_graph(rs_graph *g, const char *path)
{
    sqlite3_stmt *st = NULL;
    int rc, status = 0;
    int64_t max_rowid = 0;
    uint8_t keybuf[4 + RS_MAX_KEY_BYTES];

    /* types */
    rc = sqlite3_prepare_v2(g->db, "SELECT id, name FROM node_types ORDER BY id", -1, &st, NULL);
    while ((rc == SQLITE_OK || rc == SQLITE_ROW) && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        int len = sqlite3_column_bytes(st, 1);
        uint32_t index;
        bool created;
        size_t span = rs__idmap_span(g->types);
        if (!name || len <= 0 || len > RS_MAX_KEY_BYTES) {
            status = rs__fail(RS_ERR_CORRUPT, "node type id %lld has a bad name",
                              (long long)sqlite3_column_int64(st, 0));
            break;
        }
        if ((status = grow_types(g, span + 1)) != 0 ||
            (status = rs__idmap_intern(g->types, name, (size_t)len, &index, &created)) != 0)
            break;
        if (!created) {
            status = rs__fail(RS_ERR_CORRUPT, "node type \"%s\" appears twice", name);
            break;
        }
        g->type_rowid[index] = sqlite3_column_int64(st, 0);
        g->type_nodes[index] = 0;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (status == 0 && rc != SQLITE_DONE)
        status = rs__graph_sql_fail(g, rc, "reading node types");

    /* nodes, in id order so that indices follow ids */
    if (status == 0)
        rc = sqlite3_prepare_v2(g->db, "SELECT id, type_id, key FROM nodes ORDER BY id", -1,
                                &st, NULL);
    while (status == 0 && (rc == SQLITE_OK || rc == SQLITE_ROW) && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t rowid = sqlite3_column_int64(st, 0);
        int64_t type_rowid = sqlite3_column_int64(st, 1);
        const char *key = (const char *)sqlite3_column_text(st, 2);
        int len = sqlite3_column_bytes(st, 2);
        uint32_t type = UINT32_MAX, index;
        bool created;
        size_t lo = 0, hi = rs__idmap_span(g->types);
        while (lo < hi) { /* type ids are few and sorted */
            size_t mid = lo + (hi - lo) / 2;
            if (g->type_rowid[mid] < type_rowid)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < rs__idmap_span(g->types) && g->type_rowid[lo] == type_rowid)
            type = (uint32_t)lo;
        /* ids run from 1; the largest is kept below INT64_MAX so that the
         * next one can be handed out */
        if (rowid < 1 || rowid == INT64_MAX) {
            status = rs__fail(RS_ERR_CORRUPT, "table nodes: node id %lld is outside [1, %lld)",
                              (long long)rowid, (long long)INT64_MAX);
            break;
        }
        if (type == UINT32_MAX || !key || len <= 0 || len > RS_MAX_KEY_BYTES) {
            status = rs__fail(RS_ERR_CORRUPT, "node id %lld has a bad type or key",
                              (long long)rowid);
            break;
        }
        memcpy(keybuf, &type, 4);
        memcpy(keybuf + 4, key, (size_t)len);
        if ((status = grow_nodes(g, rs__idmap_span(g->nodes) + 1)) != 0 ||
            (status = rs__idmap_intern(g->nodes, (const char *)keybuf, 4 + (size_t)len, &index,
                                       &created)) != 0)
            break;
        if (!created) {
            status = rs__fail(RS_ERR_CORRUPT, "node \"%s\" appears twice", key);
            break;
        }
        g->node_rowid[index] = rowid;
        g->node_type[index] = type;
        g->type_nodes[type]++;
        max_rowid = rowid;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (status == 0 && rc != SQLITE_DONE)
        status = rs__graph_sql_fail(g, rc, "reading nodes");

    /* relations */
    if (status == 0)
        rc = sqlite3_prepare_v2(g->db, "SELECT id, name, weight FROM relations ORDER BY id", -1,
                                &st, NULL);
    while (status == 0 && (rc == SQLITE_OK || rc == SQLITE_ROW) && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        int len = sqlite3_column_bytes(st, 1);
        double weight;
        bool weight_ok = rs__graph_stored_weight(st, 2, &weight);
        uint32_t index;
        bool created;
        if (!name || len <= 0 || len > RS_MAX_KEY_BYTES) {
            status = rs__fail(RS_ERR_CORRUPT, "table relations: relation id %lld has a bad name",
                              (long long)sqlite3_column_int64(st, 0));
            break;
        }
        if (!weight_ok) {
            const unsigned char *text = sqlite3_column_text(st, 2);
            status = rs__fail(RS_ERR_CORRUPT, "table relations: relation \"%s\" has weight "
                                              "\"%.40s\", not a number in [0, 3e38]",
                              name, text ? (const char *)text : "NULL");
            break;
        }
        if ((status = grow_relations(g, rs__idmap_span(g->relations) + 1)) != 0 ||
            (status = rs__idmap_intern(g->relations, name, (size_t)len, &index, &created)) != 0)
            break;
        if (!created) {
            status = rs__fail(RS_ERR_CORRUPT, "relation \"%s\" appears twice", name);
            break;
        }
        g->rel_rowid[index] = sqlite3_column_int64(st, 0);
        g->rel_weight[index] = (float)weight;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (status == 0 && rc != SQLITE_DONE)
        status = rs__graph_sql_fail(g, rc, "reading relations");

    /* ids of deleted nodes are never handed out again */
    if (status == 0) {
        void *value = NULL;
        size_t len = 0;
        int64_t high = 0;
        rs_error_state before;
        int got;
        /* A file that never deleted a node has no such key: not a failure. */
        rs__error_save(&before);
        got = rs__graph_meta_get(g, "graph.node_id_high", &value, &len);
        if (got == 0 && len == sizeof high)
            memcpy(&high, value, sizeof high);
        if (got == 0 && (len != sizeof high || high < 0 || high == INT64_MAX))
            status = rs__fail(RS_ERR_CORRUPT,
                              "table meta: key graph.node_id_high holds %s (%zu bytes)",
                              len == sizeof high ? "an id outside [0, INT64_MAX)"
                                                 : "a value that is not an 8-byte id",
                              len);
        else if (got == RS_ERR_NOTFOUND)
            rs__error_restore(&before);
        else if (got != 0)
            status = got;
        free(value);
        if (status == 0) /* both below INT64_MAX: checked above */
            g->next_node_rowid = (high > max_rowid ? high : max_rowid) + 1;
    }
    if (status == 0)
        status = rs__graph_load_edges(g);
    if (status == 0)
        status = data_version(g, &g->data_version);
    if (status != 0)
        return rs__fail_context("rs_graph_open(\"%s\"): ", path);
    return 0;
}

void rs_graph_close(rs_graph *g)
{
    if (!g)
        return;
    if (g->in_bulk && g->db) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(g->db, "ROLLBACK", -1, &st, NULL) == SQLITE_OK)
            sqlite3_step(st);
        sqlite3_finalize(st);
    }
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(g->stmt[i]);
    sqlite3_close_v2(g->db);
    rs__idmap_free(g->types);
    rs__idmap_free(g->nodes);
    rs__idmap_free(g->relations);
    free(g->type_rowid);
    free(g->type_nodes);
    free(g->node_rowid);
    free(g->node_type);
    free(g->rel_rowid);
    free(g->rel_weight);
    rs__adj_free(&g->out);
    rs__adj_free(&g->in);
    free(g->pending);
    rs__matcher_free(g->matcher);
    free(g);
}

/* ------------------------------------------------------------ internal API */

sqlite3 *rs__graph_db(rs_graph *g)
{
    return g ? g->db : NULL;
}

bool rs__graph_readonly(const rs_graph *g)
{
    return g ? g->readonly : true;
}

uint64_t rs__graph_generation(const rs_graph *g)
{
    return g ? g->generation : 0;
}

int64_t rs__graph_node_rowid(const rs_graph *g, uint32_t node)
{
    if (!g || node >= rs__idmap_span(g->nodes) || g->node_type[node] == UINT32_MAX)
        return -1;
    return g->node_rowid[node];
}

int rs__graph_node_from_rowid(const rs_graph *g, int64_t rowid, uint32_t *node_out)
{
    size_t lo = 0, hi;
    if (!g || !node_out)
        return rs__fail(RS_ERR_INVALID, "rs__graph_node_from_rowid: NULL argument");
    hi = rs__idmap_span(g->nodes);
    /* ids are usually dense from the first one: try the direct position */
    if (hi > 0 && rowid >= g->node_rowid[0] && (uint64_t)(rowid - g->node_rowid[0]) < hi) {
        size_t guess = (size_t)(rowid - g->node_rowid[0]);
        if (g->node_rowid[guess] == rowid && g->node_type[guess] != UINT32_MAX) {
            *node_out = (uint32_t)guess;
            return 0;
        }
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->node_rowid[mid] < rowid)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= rs__idmap_span(g->nodes) || g->node_rowid[lo] != rowid ||
        g->node_type[lo] == UINT32_MAX)
        return rs__fail(RS_ERR_NOTFOUND, "no node has SQLite id %lld", (long long)rowid);
    *node_out = (uint32_t)lo;
    return 0;
}

uint32_t rs__graph_relation_from_rowid(const rs_graph *g, int64_t rowid)
{
    size_t lo = 0, hi = rs__idmap_span(g->relations);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->rel_rowid[mid] < rowid)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < rs__idmap_span(g->relations) && g->rel_rowid[lo] == rowid)
        return (uint32_t)lo;
    return UINT32_MAX;
}

int rs__graph_meta_set(rs_graph *g, const char *key, const void *value, size_t len)
{
    sqlite3_stmt *st;
    int rc, status;
    if (!g || !key || (!value && len > 0))
        return rs__fail(RS_ERR_INVALID, "rs__graph_meta_set: NULL argument");
    if ((status = rs__check_key(key, "meta key", NULL)) != 0)
        return status;
    if (g->readonly)
        return rs__fail(RS_ERR_READONLY, "rs__graph_meta_set: the graph was opened read-only");
    if (len > INT_MAX)
        return rs__fail(RS_ERR_LIMIT, "meta value \"%s\" of %zu bytes is too large", key, len);
    if (!(st = rs__graph_stmt(g, ST_META_SET)))
        return rs_errcode();
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, len ? value : "", (int)len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return rs__graph_sql_fail(g, rc, "writing meta");
    return 0;
}

const char *rs__graph_meta_read_key(const rs_graph *g, const char *key, char *buf, size_t size)
{
    if (g && g->file_version < RS__STORE_VERSION && rs__store_legacy_key(key, buf, size))
        return buf;
    return key;
}

int rs__graph_meta_get(rs_graph *g, const char *key, void **value_out, size_t *len_out)
{
    sqlite3_stmt *st;
    int rc, status;
    if (!g || !key || !value_out || !len_out)
        return rs__fail(RS_ERR_INVALID, "rs__graph_meta_get: NULL argument");
    if ((status = rs__check_key(key, "meta key", NULL)) != 0)
        return status;
    if (!(st = rs__graph_stmt(g, ST_META_GET)))
        return rs_errcode();
    char stored[RS_MAX_KEY_BYTES + 32];
    sqlite3_bind_text(st, 1, rs__graph_meta_read_key(g, key, stored, sizeof stored), -1,
                      SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        void *copy = rs__malloc(len ? len : 1);
        if (!copy) {
            sqlite3_reset(st);
            return RS_ERR_NOMEM;
        }
        if (len)
            memcpy(copy, blob, len);
        sqlite3_reset(st);
        *value_out = copy;
        *len_out = len;
        return 0;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return rs__fail(RS_ERR_NOTFOUND, "meta key \"%s\" is not set", key);
    return rs__graph_sql_fail(g, rc, "reading meta");
}

size_t rs__graph_node_span(const rs_graph *g)
{
    return g ? rs__idmap_span(g->nodes) : 0;
}

uint32_t rs__graph_node_type(const rs_graph *g, uint32_t node)
{
    if (!g || node >= rs__idmap_span(g->nodes))
        return UINT32_MAX;
    return g->node_type[node];
}

size_t rs__graph_type_count(const rs_graph *g)
{
    return g ? rs__idmap_span(g->types) : 0;
}

uint32_t rs__graph_type_find(const rs_graph *g, const char *type)
{
    if (!g || !type)
        return UINT32_MAX;
    return rs__idmap_find(g->types, type, strlen(type));
}

const char *rs__graph_type_name(const rs_graph *g, uint32_t type)
{
    return g ? rs__idmap_key(g->types, type, NULL) : NULL;
}

size_t rs__graph_relation_count(const rs_graph *g)
{
    return g ? rs__idmap_span(g->relations) : 0;
}

float rs__graph_relation_weight(const rs_graph *g, uint32_t relation)
{
    if (!g || relation >= rs__idmap_span(g->relations))
        return 0.0f;
    return g->rel_weight[relation];
}

int rs__graph_adjacency(const rs_graph *g, unsigned direction, rs__graph_csr *out)
{
    const rs__adj *adj;
    if (!g || !out)
        return rs__fail(RS_ERR_INVALID, "rs__graph_adjacency: NULL argument");
    if (direction == RS_GRAPH_OUT)
        adj = &g->out;
    else if (direction == RS_GRAPH_IN)
        adj = &g->in;
    else
        return rs__fail(RS_ERR_INVALID, "rs__graph_adjacency: direction %u is not "
                                        "RS_GRAPH_OUT or RS_GRAPH_IN", direction);
    out->nodes = adj->nodes;
    out->edges = adj->edges;
    out->start = adj->start;
    out->degree = adj->degree;
    out->target = adj->target;
    out->relation = adj->relation;
    out->weight = adj->weight;
    return 0;
}

/* ------------------------------------------------------------ checks */

/* The file's data version; another connection's commit changes it. */
static int data_version(rs_graph *g, int64_t *out)
{
    sqlite3_stmt *st = rs__graph_stmt(g, ST_DATA_VERSION);
    int rc;
    if (!st)
        return rs_errcode();
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rs__graph_sql_fail(g, rc, "reading the data version");
}

/* Fail with RS_ERR_BUSY when another writer committed to the file since this
 * handle read it: the nodes, relations and edges in memory are out of date,
 * and writing from them would collide with (or undo) the other's work. */
int rs__graph_check_current(rs_graph *g, const char *fn)
{
    int64_t now = 0;
    int status;
    if (g->readonly || g->in_bulk) /* a bulk load holds the write lock */
        return 0;
    if ((status = data_version(g, &now)) != 0)
        return status;
    if (now != g->data_version)
        return rs__fail(RS_ERR_BUSY,
                        "%s: another writer changed the model file since this handle opened "
                        "it; close and open it again",
                        fn);
    return 0;
}

bool rs__graph_changed(rs_graph *g)
{
    int64_t now = 0;
    rs_error_state saved;
    bool changed;
    if (!g || !g->db)
        return false;
    rs__error_save(&saved);
    changed = data_version(g, &now) == 0 && now != g->data_version;
    rs__error_restore(&saved);
    return changed;
}

void rs__graph_mark_stale(rs_graph *g)
{
    if (g)
        g->data_version = -1; /* PRAGMA data_version is never negative */
}

int rs__graph_check_writable(rs_graph *g, const char *fn)
{
    if (g->readonly)
        return rs__fail(RS_ERR_READONLY, "%s: the graph was opened read-only", fn);
    return rs__graph_check_current(g, fn);
}

int rs__graph_check_node(const rs_graph *g, uint32_t node, const char *what)
{
    if (node >= rs__idmap_span(g->nodes))
        return rs__fail(RS_ERR_NOTFOUND, "%s: node index %u is out of range (%zu nodes)", what,
                        node, rs__idmap_span(g->nodes));
    if (g->node_type[node] == UINT32_MAX)
        return rs__fail(RS_ERR_NOTFOUND, "%s: node index %u was deleted", what, node);
    return 0;
}

int rs__graph_check_relation(const rs_graph *g, uint32_t relation, const char *what)
{
    if (relation >= rs__idmap_span(g->relations))
        return rs__fail(RS_ERR_NOTFOUND, "%s: relation index %u is out of range (%zu relations)",
                        what, relation, rs__idmap_span(g->relations));
    if (!rs__idmap_key(g->relations, relation, NULL)) /* rolled back with a bulk load */
        return rs__fail(RS_ERR_NOTFOUND, "%s: relation index %u was rolled back", what, relation);
    return 0;
}

bool rs__graph_stored_weight(sqlite3_stmt *st, int column, double *out)
{
    int type = sqlite3_column_type(st, column);
    /* a weight the file holds as text ("abc" reads as 0) or beyond a float
     * (1e300 would become +inf in memory) is damage, not a value */
    *out = sqlite3_column_double(st, column);
    return (type == SQLITE_INTEGER || type == SQLITE_FLOAT) && isfinite(*out) && *out >= 0 &&
           *out <= 3.0e38;
}

int rs__graph_check_weight(double weight, const char *what)
{
    if (!isfinite(weight))
        return rs__fail(RS_ERR_RANGE, "%s %g is not finite", what, weight);
    if (weight < 0)
        return rs__fail(RS_ERR_RANGE, "%s %g is negative", what, weight);
    if (weight > 3.0e38)
        return rs__fail(RS_ERR_RANGE, "%s %g does not fit a float", what, weight);
    return 0;
}

/* ------------------------------------------------------------ growth */

static int grow_nodes(rs_graph *g, size_t needed)
{
    size_t cap = g->node_cap;
    int64_t *rowid;
    uint32_t *type;
    if (needed <= cap)
        return 0;
    if (needed > RS_IDMAP_MAX_KEYS)
        return rs__fail(RS_ERR_LIMIT, "graph: more than %u nodes", RS_IDMAP_MAX_KEYS);
    cap = cap < 64 ? 64 : cap;
    while (cap < needed)
        cap = cap > SIZE_MAX / 4 ? needed : cap * 2;
    rowid = rs__realloc_array(g->node_rowid, cap, sizeof *rowid);
    if (!rowid)
        return rs_errcode();
    g->node_rowid = rowid;
    type = rs__realloc_array(g->node_type, cap, sizeof *type);
    if (!type)
        return rs_errcode();
    g->node_type = type;
    g->node_cap = cap;
    if (rs__adj_reserve_nodes(&g->out, cap) != 0 || rs__adj_reserve_nodes(&g->in, cap) != 0)
        return rs_errcode();
    return 0;
}

static int grow_types(rs_graph *g, size_t needed)
{
    size_t cap = g->type_cap;
    int64_t *rowid;
    size_t *count;
    if (needed <= cap)
        return 0;
    if (needed > 65536)
        return rs__fail(RS_ERR_LIMIT, "graph: more than 65536 node types");
    cap = cap < 16 ? 16 : cap * 2;
    rowid = rs__realloc_array(g->type_rowid, cap, sizeof *rowid);
    if (!rowid)
        return rs_errcode();
    g->type_rowid = rowid;
    count = rs__realloc_array(g->type_nodes, cap, sizeof *count);
    if (!count)
        return rs_errcode();
    g->type_nodes = count;
    g->type_cap = cap;
    return 0;
}

static int grow_relations(rs_graph *g, size_t needed)
{
    size_t cap = g->rel_cap;
    int64_t *rowid;
    float *weight;
    if (needed <= cap)
        return 0;
    if (needed > (1u << 24))
        return rs__fail(RS_ERR_LIMIT, "graph: more than %u relations", 1u << 24);
    cap = cap < 16 ? 16 : cap * 2;
    rowid = rs__realloc_array(g->rel_rowid, cap, sizeof *rowid);
    if (!rowid)
        return rs_errcode();
    g->rel_rowid = rowid;
    weight = rs__realloc_array(g->rel_weight, cap, sizeof *weight);
    if (!weight)
        return rs_errcode();
    g->rel_weight = weight;
    g->rel_cap = cap;
    return 0;
}

/* ------------------------------------------------------------ types, nodes */

/* The type index of `type`, creating it (SQL row included) when `create`. */
static int intern_type(rs_graph *g, const char *type, size_t len, bool create,
                       uint32_t *type_out)
{
    uint32_t index = rs__idmap_find(g->types, type, len);
    sqlite3_stmt *st;
    int64_t rowid;
    int rc, status;
    size_t span;
    bool created;
    if (index != RS_IDMAP_NONE) {
        *type_out = index;
        return 0;
    }
    if (!create)
        return rs__fail(RS_ERR_NOTFOUND, "node type \"%s\" does not exist", type);
    span = rs__idmap_span(g->types);
    if ((status = grow_types(g, span + 1)) != 0)
        return status;
    rowid = span == 0 ? 1 : g->type_rowid[span - 1] + 1;
    if (!(st = rs__graph_stmt(g, ST_TYPE_INSERT)))
        return rs_errcode();
    sqlite3_bind_int64(st, 1, rowid);
    sqlite3_bind_text(st, 2, type, (int)len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return rs__graph_sql_fail(g, rc, "adding a node type");
    if ((status = rs__idmap_intern(g->types, type, len, &index, &created)) != 0)
        return status;
    g->type_rowid[index] = rowid;
    g->type_nodes[index] = 0;
    *type_out = index;
    return 0;
}

/* The composite key (type index, key) the node map uses. */
static size_t node_map_key(uint8_t *buf, uint32_t type, const char *key, size_t len)
{
    memcpy(buf, &type, 4);
    memcpy(buf + 4, key, len);
    return 4 + len;
}

/* Remove a node row again (undoing an insert whose memory side failed). */
static void delete_node_row(rs_graph *g, int64_t rowid)
{
    sqlite3_stmt *st = rs__graph_stmt(g, ST_NODE_DELETE);
    if (st) {
        sqlite3_bind_int64(st, 1, rowid);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
}

int rs_graph_add_node(rs_graph *g, const char *type, const char *key, uint32_t *index_out)
{
    uint8_t buf[4 + RS_MAX_KEY_BYTES];
    size_t type_len, key_len, buf_len, span;
    uint32_t type_index, index;
    sqlite3_stmt *st;
    int status, rc;
    bool created;

    if (!g || !index_out)
        return rs__fail(RS_ERR_INVALID, "rs_graph_add_node: %s is NULL",
                        !g ? "graph" : "index_out");
    /* the types of recent calls, already checked, are the common case */
    type_index = RS_IDMAP_NONE;
    if (type)
        for (int c = 0; c < RS_GRAPH_RECENT_TYPES; c++) {
            uint32_t t = g->recent_type[c];
            const char *name;
            if (t < rs__idmap_span(g->types) && (name = rs__idmap_key(g->types, t, &type_len)) &&
                name[0] == type[0] && strncmp(name, type, type_len + 1) == 0) {
                type_index = t;
                break;
            }
        }
    /* loaders look up the same nodes again and again (a user's events come
     * together): the last answer for the type is checked first, and a key
     * equal to a stored one needs no validation */
    if (type_index != RS_IDMAP_NONE && key) {
        uint32_t cached = g->recent_node[type_index % RS_GRAPH_RECENT_NODES];
        size_t cached_len;
        const char *cached_key;
        if (cached < rs__idmap_span(g->nodes) && g->node_type[cached] == type_index &&
            (cached_key = rs__idmap_key(g->nodes, cached, &cached_len)) &&
            strncmp(cached_key + 4, key, cached_len - 4) == 0 && key[cached_len - 4] == '\0') {
            *index_out = cached;
            return 0;
        }
    }
    if (type_index == RS_IDMAP_NONE &&
        (status = rs__check_key(type, "rs_graph_add_node: node type", &type_len)) != 0)
        return status;
    if ((status = rs__check_key(key, "rs_graph_add_node: node key", &key_len)) != 0)
        return status;
    if (type_index == RS_IDMAP_NONE) {
        type_index = rs__idmap_find(g->types, type, type_len);
        if (type_index != RS_IDMAP_NONE)
            g->recent_type[g->recent_type_next++ % RS_GRAPH_RECENT_TYPES] = type_index;
    }
    /* outside a bulk load a new node's row is written before it is interned;
     * inside one the map is asked once, creating the key if it is new */
    if (type_index != RS_IDMAP_NONE && !g->in_bulk) {
        buf_len = node_map_key(buf, type_index, key, key_len);
        index = rs__idmap_find(g->nodes, (const char *)buf, buf_len);
        if (index != RS_IDMAP_NONE) {
            g->recent_node[type_index % RS_GRAPH_RECENT_NODES] = index;
            *index_out = index;
            return 0;
        }
    }
    if ((status = rs__graph_check_writable(g, "rs_graph_add_node")) != 0)
        return status;
    span = rs__idmap_span(g->nodes);
    if ((status = grow_nodes(g, span + 1)) != 0)
        return status;
    /* a new type means two rows: then a savepoint keeps them together */
    bool new_type = type_index == RS_IDMAP_NONE;
    if (new_type) {
        if ((status = rs__graph_tx_begin(g)) != 0)
            return status;
        if ((status = intern_type(g, type, type_len, true, &type_index)) != 0)
            goto fail;
    }
    /* a bulk load writes its new nodes at commit, many rows per statement */
    if (!g->in_bulk) {
        if (!(st = rs__graph_stmt(g, ST_NODE_INSERT))) {
            status = rs_errcode();
            goto fail;
        }
        sqlite3_bind_int64(st, 1, g->next_node_rowid);
        sqlite3_bind_int64(st, 2, g->type_rowid[type_index]);
        sqlite3_bind_text(st, 3, key, (int)key_len, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            status = rs__graph_sql_fail(g, rc, "adding a node");
            goto fail;
        }
    }
    buf_len = node_map_key(buf, type_index, key, key_len);
    if ((status = rs__idmap_intern(g->nodes, (const char *)buf, buf_len, &index, &created)) != 0) {
        if (!new_type && !g->in_bulk) /* take the row back out */
            delete_node_row(g, g->next_node_rowid);
        goto fail;
    }
    if (!created) { /* in a bulk load: the node exists */
        g->recent_node[type_index % RS_GRAPH_RECENT_NODES] = index;
        *index_out = index;
        return 0;
    }
    if (new_type && (status = rs__graph_tx_commit(g)) != 0) {
        rs__idmap_remove(g->nodes, (const char *)buf, buf_len);
        g->node_type[index] = UINT32_MAX;
        g->node_rowid[index] = g->next_node_rowid++;
        goto fail_types;
    }
    g->node_rowid[index] = g->next_node_rowid++;
    g->node_type[index] = type_index;
    g->type_nodes[type_index]++;
    g->out.nodes = g->in.nodes = rs__idmap_span(g->nodes);
    g->out.degree[index] = g->in.degree[index] = 0;
    g->out.capacity[index] = g->in.capacity[index] = 0;
    g->out.start[index] = g->in.start[index] = 0;
    g->generation++;
    g->node_generation++;
    g->recent_node[type_index % RS_GRAPH_RECENT_NODES] = index;
    *index_out = index;
    return 0;

fail:
    if (!new_type)
        return status;
    rs__graph_tx_rollback(g);
fail_types:
    /* a type created by this call is forgotten with its row */
    if (rs__idmap_span(g->types) > 0) {
        uint32_t last = (uint32_t)rs__idmap_span(g->types) - 1;
        size_t len;
        const char *name = rs__idmap_key(g->types, last, &len);
        if (name && g->type_nodes[last] == 0 && len == type_len && memcmp(name, type, len) == 0)
            rs__idmap_remove(g->types, type, type_len);
    }
    return status;
}

int rs_graph_find_node(const rs_graph *g, const char *type, const char *key,
                       uint32_t *index_out)
{
    uint8_t buf[4 + RS_MAX_KEY_BYTES];
    size_t type_len, key_len;
    uint32_t type_index, index;
    int status;
    if (!g || !index_out)
        return rs__fail(RS_ERR_INVALID, "rs_graph_find_node: %s is NULL",
                        !g ? "graph" : "index_out");
    if ((status = rs__check_key(type, "rs_graph_find_node: node type", &type_len)) != 0 ||
        (status = rs__check_key(key, "rs_graph_find_node: node key", &key_len)) != 0)
        return status;
    type_index = rs__idmap_find(g->types, type, type_len);
    if (type_index == RS_IDMAP_NONE)
        return rs__fail(RS_ERR_NOTFOUND, "rs_graph_find_node: no node type \"%s\"", type);
    index = rs__idmap_find(g->nodes, (const char *)buf, node_map_key(buf, type_index, key, key_len));
    if (index == RS_IDMAP_NONE)
        return rs__fail(RS_ERR_NOTFOUND, "rs_graph_find_node: no %s node \"%s\"", type, key);
    *index_out = index;
    return 0;
}

int rs_graph_node_key(const rs_graph *g, uint32_t node, const char **type_out,
                      const char **key_out)
{
    int status;
    const char *key;
    if (!g)
        return rs__fail(RS_ERR_INVALID, "rs_graph_node_key: graph is NULL");
    if ((status = rs__graph_check_node(g, node, "rs_graph_node_key")) != 0)
        return status;
    key = rs__idmap_key(g->nodes, node, NULL);
    if (type_out)
        *type_out = rs__idmap_key(g->types, g->node_type[node], NULL);
    if (key_out)
        *key_out = key + 4;
    return 0;
}

int rs_graph_node_count(const rs_graph *g, const char *type, size_t *count_out)
{
    uint32_t type_index;
    if (!g || !count_out)
        return rs__fail(RS_ERR_INVALID, "rs_graph_node_count: %s is NULL",
                        !g ? "graph" : "count_out");
    if (!type) {
        *count_out = rs__idmap_count(g->nodes);
        return 0;
    }
    type_index = rs__idmap_find(g->types, type, strlen(type));
    *count_out = type_index == RS_IDMAP_NONE ? 0 : g->type_nodes[type_index];
    return 0;
}

size_t rs_graph_node_span(const rs_graph *g)
{
    return g ? rs__idmap_span(g->nodes) : 0;
}

/* Called by rs_graph_delete_node once the SQL rows are gone. */
void rs__graph_forget_node(rs_graph *g, uint32_t node)
{
    size_t len;
    const char *key = rs__idmap_key(g->nodes, node, &len);
    uint32_t type = g->node_type[node];
    rs__idmap_remove(g->nodes, key, len);
    g->type_nodes[type]--;
    g->node_type[node] = UINT32_MAX;
    g->generation++;
    g->node_generation++;
}

/* ------------------------------------------------------------ relations */

int rs_graph_add_relation(rs_graph *g, const char *name, uint32_t *relation_out)
{
    size_t len, span;
    uint32_t index;
    int64_t rowid;
    sqlite3_stmt *st;
    int status, rc;
    bool created;
    if (!g || !relation_out)
        return rs__fail(RS_ERR_INVALID, "rs_graph_add_relation: %s is NULL",
                        !g ? "graph" : "relation_out");
    /* loaders name the same few relations again and again */
    if (name)
        for (int c = 0; c < RS_GRAPH_RECENT_TYPES; c++) {
            uint32_t r = g->recent_rel[c];
            const char *known;
            if (r < rs__idmap_span(g->relations) &&
                (known = rs__idmap_key(g->relations, r, &len)) && known[0] == name[0] &&
                strncmp(known, name, len + 1) == 0) {
                *relation_out = r;
                return 0;
            }
        }
    if ((status = rs__check_key(name, "rs_graph_add_relation: relation name", &len)) != 0)
        return status;
    index = rs__idmap_find(g->relations, name, len);
    if (index != RS_IDMAP_NONE) {
        g->recent_rel[g->recent_rel_next++ % RS_GRAPH_RECENT_TYPES] = index;
        *relation_out = index;
        return 0;
    }
    if ((status = rs__graph_check_writable(g, "rs_graph_add_relation")) != 0)
        return status;
    span = rs__idmap_span(g->relations);
    if ((status = grow_relations(g, span + 1)) != 0)
        return status;
    rowid = span == 0 ? 1 : g->rel_rowid[span - 1] + 1;
    if (!(st = rs__graph_stmt(g, ST_REL_INSERT)))
        return rs_errcode();
    sqlite3_bind_int64(st, 1, rowid);
    sqlite3_bind_text(st, 2, name, (int)len, SQLITE_STATIC);
    sqlite3_bind_double(st, 3, 1.0);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return rs__graph_sql_fail(g, rc, "adding a relation");
    if ((status = rs__idmap_intern(g->relations, name, len, &index, &created)) != 0) {
        /* undo the row so that file and memory agree */
        sqlite3_stmt *del = NULL;
        if (sqlite3_prepare_v2(g->db, "DELETE FROM relations WHERE id = ?1", -1, &del, NULL) ==
            SQLITE_OK) {
            sqlite3_bind_int64(del, 1, rowid);
            sqlite3_step(del);
        }
        sqlite3_finalize(del);
        return status;
    }
    g->rel_rowid[index] = rowid;
    g->rel_weight[index] = 1.0f;
    g->generation++;
    g->recent_rel[g->recent_rel_next++ % RS_GRAPH_RECENT_TYPES] = index;
    *relation_out = index;
    return 0;
}

int rs_graph_find_relation(const rs_graph *g, const char *name, uint32_t *relation_out)
{
    size_t len;
    uint32_t index;
    int status;
    if (!g || !relation_out)
        return rs__fail(RS_ERR_INVALID, "rs_graph_find_relation: %s is NULL",
                        !g ? "graph" : "relation_out");
    if ((status = rs__check_key(name, "rs_graph_find_relation: relation name", &len)) != 0)
        return status;
    index = rs__idmap_find(g->relations, name, len);
    if (index == RS_IDMAP_NONE)
        return rs__fail(RS_ERR_NOTFOUND, "rs_graph_find_relation: no relation \"%s\"", name);
    *relation_out = index;
    return 0;
}

const char *rs_graph_relation_name(const rs_graph *g, uint32_t relation)
{
    return g ? rs__idmap_key(g->relations, relation, NULL) : NULL;
}

size_t rs_graph_relation_count(const rs_graph *g)
{
    /* live relations: a rolled-back bulk load leaves the indices it handed
     * out as holes (never reused, so a stale index fails), not relations */
    return g ? rs__idmap_count(g->relations) : 0;
}

int rs_graph_set_relation_weight(rs_graph *g, uint32_t relation, double weight)
{
    sqlite3_stmt *st;
    int status, rc;
    if (!g)
        return rs__fail(RS_ERR_INVALID, "rs_graph_set_relation_weight: graph is NULL");
    if ((status = rs__graph_check_relation(g, relation, "rs_graph_set_relation_weight")) != 0 ||
        (status = rs__graph_check_weight(weight, "rs_graph_set_relation_weight: weight")) != 0 ||
        (status = rs__graph_check_writable(g, "rs_graph_set_relation_weight")) != 0)
        return status;
    if (!(st = rs__graph_stmt(g, ST_REL_SET_WEIGHT)))
        return rs_errcode();
    sqlite3_bind_int64(st, 1, g->rel_rowid[relation]);
    sqlite3_bind_double(st, 2, weight);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return rs__graph_sql_fail(g, rc, "setting a relation weight");
    g->rel_weight[relation] = (float)weight;
    g->generation++;
    return 0;
}

int rs_graph_get_relation_weight(const rs_graph *g, uint32_t relation, double *weight_out)
{
    int status;
    if (!g || !weight_out)
        return rs__fail(RS_ERR_INVALID, "rs_graph_get_relation_weight: %s is NULL",
                        !g ? "graph" : "weight_out");
    if ((status = rs__graph_check_relation(g, relation, "rs_graph_get_relation_weight")) != 0)
        return status;
    *weight_out = g->rel_weight[relation];
    return 0;
}
