/*
 * fuzz_model_sql.c - libFuzzer harness: the seed model with its rows
 * edited through SQL (a file SQLite finds sound but whose keys, ids,
 * weights, texts, blobs or schema version were changed), opened read-only
 * and used as fuzz_model.c uses it.  Raw byte mutations (fuzz_model.c)
 * rarely get past SQLite's own page checks; these edits reach the
 * library's reading of every table.
 *
 * Input: a list of edits, each one op byte, then its operands:
 *   op % 4 == 0  UPDATE table T, row R, column C to a value V
 *   op % 4 == 1  DELETE row R of table T
 *   op % 4 == 2  INSERT a copy of row R of table T with column C set to V
 *   op % 4 == 3  PRAGMA user_version = V (as an integer)
 * T, R and C are one byte each (mod the tables, any row, mod the columns);
 * V is a type byte (null, int64, double, text, blob, small int) and, for
 * the numbers 8 little-endian bytes (small int: 1 signed byte), for text
 * and blob a length byte and that many bytes.  Edits SQLite refuses (a
 * constraint) are skipped.
 */
#include "fuzz_util.h"

#include <sqlite3.h>

static const char *const tables[] = {"meta",         "node_types",   "nodes",
                                     "relations",    "edges",        "node_props",
                                     "node_vectors", "user_models",  "user_vectors",
                                     "interaction_events", "item_attributes"};
#define N_TABLES (sizeof tables / sizeof tables[0])

static char path[512];

typedef struct input {
    const uint8_t *p;
    size_t left;
} input;

static int take(input *in, void *out, size_t n)
{
    if (in->left < n)
        return -1;
    memcpy(out, in->p, n);
    in->p += n, in->left -= n;
    return 0;
}

/* Bind the next value of the input to parameter 1; -1 when it ran out. */
static int bind_value(sqlite3_stmt *st, input *in)
{
    uint8_t type, len;
    char bytes[256];
    int64_t i;
    double d;
    int8_t small;
    if (take(in, &type, 1) != 0)
        return -1;
    switch (type % 6) {
    case 0: return sqlite3_bind_null(st, 1), 0;
    case 1:
        if (take(in, &i, 8) != 0)
            return -1;
        return sqlite3_bind_int64(st, 1, i), 0;
    case 2:
        if (take(in, &d, 8) != 0)
            return -1;
        return sqlite3_bind_double(st, 1, d), 0;
    case 3:
    case 4:
        if (take(in, &len, 1) != 0 || take(in, bytes, len) != 0)
            return -1;
        if (type % 6 == 3)
            sqlite3_bind_text(st, 1, bytes, len, SQLITE_TRANSIENT);
        else
            sqlite3_bind_blob(st, 1, bytes, len, SQLITE_TRANSIENT);
        return 0;
    default:
        if (take(in, &small, 1) != 0)
            return -1;
        return sqlite3_bind_int(st, 1, small), 0;
    }
}

/* The name of column c (mod the table's columns) of table t, or NULL. */
static int column_name(sqlite3 *db, const char *table, unsigned c, char *out, size_t cap)
{
    char sql[128];
    sqlite3_stmt *st = NULL;
    int n = 0, found = 0;
    snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s')", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    while (sqlite3_step(st) == SQLITE_ROW)
        n++;
    sqlite3_reset(st);
    for (int k = 0; n > 0 && sqlite3_step(st) == SQLITE_ROW; k++)
        if ((unsigned)k == c % (unsigned)n) {
            snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
            found = 1;
            break;
        }
    sqlite3_finalize(st);
    return found;
}

/* Which row: edges has no rowid, so rows are named by their key there. */
static void row_where(const char *table, char *out, size_t cap)
{
    if (strcmp(table, "edges") == 0)
        snprintf(out, cap, "(src, rel, dst) IN (SELECT src, rel, dst FROM edges"
                           " LIMIT 1 OFFSET ?2)");
    else
        snprintf(out, cap, "rowid IN (SELECT rowid FROM %s LIMIT 1 OFFSET ?2)", table);
}

static int edit(sqlite3 *db, input *in)
{
    uint8_t op, t, r, c;
    char column[64], sql[512], where[160];
    sqlite3_stmt *st = NULL;
    const char *table;
    if (take(in, &op, 1) != 0)
        return -1;
    if (op % 4 == 3) {
        int64_t v;
        if (take(in, &v, 8) != 0)
            return -1;
        snprintf(sql, sizeof sql, "PRAGMA user_version = %lld", (long long)v);
        sqlite3_exec(db, sql, NULL, NULL, NULL);
        return 0;
    }
    if (take(in, &t, 1) != 0 || take(in, &r, 1) != 0)
        return -1;
    table = tables[t % N_TABLES];
    row_where(table, where, sizeof where);
    if (op % 4 == 1) {
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE %s", table, where);
    } else {
        if (take(in, &c, 1) != 0)
            return -1;
        if (!column_name(db, table, c, column, sizeof column))
            return bind_value(NULL, in) == 0 ? 0 : -1; /* no such table */
        if (op % 4 == 0)
            snprintf(sql, sizeof sql, "UPDATE %s SET \"%s\" = ?1 WHERE %s", table, column, where);
        else /* a copy of the row through a temporary table, one column changed */
            snprintf(sql, sizeof sql,
                     "CREATE TEMP TABLE IF NOT EXISTS fz AS SELECT * FROM %s LIMIT 0;"
                     "DELETE FROM fz; INSERT INTO fz SELECT * FROM %s WHERE %s;"
                     "UPDATE fz SET \"%s\" = ?1; INSERT INTO %s SELECT * FROM fz;"
                     "DROP TABLE fz",
                     table, table, where, column, table);
    }
    if (op % 4 == 2) {
        /* several statements: bind each that has parameters */
        const char *tail = sql;
        int status = 0;
        input saved = *in;
        while (*tail && status == 0) {
            if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK || !st)
                break;
            if (sqlite3_bind_parameter_count(st) >= 1) {
                *in = saved;
                status = bind_value(st, in);
            }
            if (sqlite3_bind_parameter_count(st) >= 2)
                sqlite3_bind_int(st, 2, r);
            if (status == 0)
                sqlite3_step(st);
            sqlite3_finalize(st);
            st = NULL;
        }
        sqlite3_exec(db, "DROP TABLE IF EXISTS fz", NULL, NULL, NULL);
        return status;
    }
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return op % 4 == 0 ? (bind_value(NULL, in) == 0 ? 0 : -1) : 0;
    }
    if (op % 4 == 0 && bind_value(st, in) != 0) {
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_bind_int(st, 2, r);
    sqlite3_step(st);
    sqlite3_finalize(st);
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_scratch(path, sizeof path, "sql.rsm");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    sqlite3 *db = NULL;
    rs_model *m = NULL;
    fuzz_copy_seed(path);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        fuzz_die(sqlite3_errmsg(db));
    /* a scratch copy: no fsync, no journal file */
    sqlite3_exec(db, "PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY; BEGIN", NULL,
                 NULL, NULL);
    for (int k = 0; k < 32 && edit(db, &in) == 0; k++)
        ;
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    int s = rs_model_open(path, RS_MODEL_READONLY, &m);
    if (getenv("RS_FUZZ_VERBOSE")) /* to see what a seed reaches */
        fprintf(stderr, "open: %s %s\n", rs_strerror(s), s ? rs_errmsg() : "");
    if (s == RS_OK)
        fuzz_use_model(m, 0);
    rs_model_close(m);
    rs_clear_error();
    return 0;
}
