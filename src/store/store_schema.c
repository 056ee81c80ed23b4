/*
 * store_schema.c - the one schema of the model file: every table the
 * library writes, its version (PRAGMA user_version) and the migrations
 * from each earlier version.  rs_graph_open runs them (graph.c).
 */
#include "store/store.h"
#include "core/error.h"

#include <stdio.h>

/* Version 1 (release 1.0).  Edges are clustered on (src, rel, dst), their
 * only index (a bulk load writes them in that order); incoming edges are
 * found through the in-memory adjacency. */
static const char schema_v1[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB);"
    "CREATE TABLE node_types(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE nodes(id INTEGER PRIMARY KEY, type_id INTEGER NOT NULL, key TEXT NOT NULL);"
    "CREATE UNIQUE INDEX nodes_key ON nodes(type_id, key);"
    "CREATE TABLE relations(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " weight REAL NOT NULL DEFAULT 1.0);"
    "CREATE TABLE edges(src INTEGER NOT NULL, rel INTEGER NOT NULL, dst INTEGER NOT NULL,"
    " weight REAL NOT NULL, ts INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(src, rel, dst)) WITHOUT ROWID;"
    "CREATE TABLE node_props(id INTEGER PRIMARY KEY, node_id INTEGER NOT NULL,"
    " name TEXT NOT NULL, value TEXT NOT NULL, UNIQUE(node_id, name));"
    "CREATE VIRTUAL TABLE node_props_fts USING fts5(value, content='node_props',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 2');"
    "CREATE TRIGGER node_props_ai AFTER INSERT ON node_props BEGIN"
    " INSERT INTO node_props_fts(rowid, value) VALUES (new.id, new.value); END;"
    "CREATE TRIGGER node_props_ad AFTER DELETE ON node_props BEGIN"
    " INSERT INTO node_props_fts(node_props_fts, rowid, value)"
    " VALUES ('delete', old.id, old.value); END;"
    "CREATE TRIGGER node_props_au AFTER UPDATE ON node_props BEGIN"
    " INSERT INTO node_props_fts(node_props_fts, rowid, value)"
    " VALUES ('delete', old.id, old.value);"
    " INSERT INTO node_props_fts(rowid, value) VALUES (new.id, new.value); END;"
    "CREATE TABLE node_vectors(node_id INTEGER NOT NULL, space TEXT NOT NULL,"
    " dim INTEGER NOT NULL, checksum INTEGER NOT NULL, data BLOB NOT NULL,"
    " PRIMARY KEY(node_id, space));"
    "CREATE TRIGGER nodes_ad AFTER DELETE ON nodes BEGIN"
    " DELETE FROM node_vectors WHERE node_id = old.id;"
    " DELETE FROM node_props WHERE node_id = old.id;"
    " DELETE FROM edges WHERE src = old.id; END;";

/* Version 2: the meta keys of version 1, each in the one scheme of
 * store_meta.c (rs__store_legacy_key is the inverse, for files opened
 * read-only).  The tables keep their definitions. */
static const char v1_to_v2[] =
    "UPDATE meta SET key = 'cf.model:' || substr(key, 4) WHERE key GLOB 'cf:*';"
    "UPDATE meta SET key = 'cf.keys:' || substr(key, 9) WHERE key GLOB 'cf-keys:*';"
    "UPDATE meta SET key = 'model.note:' || substr(key, 6) WHERE key GLOB 'note:*';"
    "UPDATE meta SET key = 'item_store.dim:' || substr(key, 12, length(key) - 15)"
    " WHERE key GLOB 'item_store.?*.dim';"
    "UPDATE meta SET key = 'item_store.index:' || substr(key, 12, length(key) - 17)"
    " WHERE key GLOB 'item_store.?*.index';";

static const char *const migrations[RS__STORE_VERSION] = {schema_v1, v1_to_v2};

const char *rs__store_migration(int64_t v)
{
    return v >= 0 && v < RS__STORE_VERSION ? migrations[v] : NULL;
}

const char *const rs__store_core_tables[] = {"meta",      "node_types", "nodes",
                                             "relations", "edges",      "node_props",
                                             "node_props_fts", "node_vectors"};
const size_t rs__store_core_table_count =
    sizeof rs__store_core_tables / sizeof rs__store_core_tables[0];

/* The on-demand tables (see rs__store_table). */
static const char *const on_demand[RS__TABLE_COUNT] = {
    [RS__TABLE_INTERACTION_EVENTS] =
        "CREATE TABLE IF NOT EXISTS interaction_events(src INTEGER NOT NULL,"
        " rel INTEGER NOT NULL, dst INTEGER NOT NULL, ts INTEGER NOT NULL,"
        " weight REAL NOT NULL, PRIMARY KEY(src, rel, dst, ts)) WITHOUT ROWID",
    [RS__TABLE_OBSERVATIONS] =
        "CREATE TABLE IF NOT EXISTS property_observations(node INTEGER NOT NULL,"
        " name TEXT NOT NULL, value TEXT NOT NULL, times BLOB NOT NULL,"
        " PRIMARY KEY(node, name, value)) WITHOUT ROWID;"
        "CREATE TABLE IF NOT EXISTS edge_observations(src INTEGER NOT NULL,"
        " rel INTEGER NOT NULL, dst INTEGER NOT NULL, first_ts INTEGER NOT NULL,"
        " PRIMARY KEY(src, rel, dst)) WITHOUT ROWID",
    [RS__TABLE_ITEM_ATTRIBUTES] =
        "CREATE TABLE IF NOT EXISTS item_attributes(node_id INTEGER NOT NULL,"
        " space TEXT NOT NULL, bits BLOB NOT NULL, PRIMARY KEY(node_id, space))",
    [RS__TABLE_USER_MODELS] =
        "CREATE TABLE IF NOT EXISTS user_models(name TEXT PRIMARY KEY,"
        " format INTEGER NOT NULL, dim INTEGER NOT NULL, users INTEGER NOT NULL,"
        " checksum INTEGER NOT NULL, header BLOB NOT NULL);"
        "CREATE TABLE IF NOT EXISTS user_vectors(model TEXT NOT NULL, user TEXT NOT NULL,"
        " checksum INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(model, user))",
};

int rs__store_ensure(sqlite3 *db, rs__store_table table)
{
    if ((unsigned)table >= RS__TABLE_COUNT)
        return rs__fail(RS_ERR_INTERNAL, "rs__store_ensure: table %d", (int)table);
    return rs__store_exec(db, on_demand[table], "creating a table of the model file");
}

int rs__store_has_table(sqlite3 *db, const char *name, bool *found)
{
    sqlite3_stmt *st = NULL;
    int rc;
    *found = false;
    if (rs__store_prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                          &st, "looking for a table") != 0)
        return rs_errcode();
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return rs__store_db_fail(db, "looking for a table");
    return 0;
}

int rs__store_newer(const char *path, int64_t found)
{
    return rs__fail(RS_ERR_VERSION,
                    "rs_graph_open(\"%s\"): the file has schema version %lld (written by a "
                    "newer librecsim); this library (%s) reads schema versions up to %d",
                    path, (long long)found, rs_version_string(), RS__STORE_VERSION);
}
