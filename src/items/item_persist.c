/*
 * item_persist.c - an item store saved to and loaded from the model file:
 * one node_vectors row per item (the item node's id, a named space, the
 * dimension, an XXH3 checksum of the blob and the blob: dim float32 values,
 * little-endian), the dimension also in meta, and attribute bits in the
 * module's own table item_attributes.
 */
#include "items/items_internal.h"
#include "items/item_ivf.h"

#include "core/alloc.h"
#include "core/bitset.h"
#include "core/error.h"
#include "core/utf8.h"
#include "graph/graph_internal.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define ITEM_NODE_TYPE "item"

/* ------------------------------------------------------------ encoding */

static void encode_floats(const float *v, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], sizeof u);
        out[4 * i] = (unsigned char)u, out[4 * i + 1] = (unsigned char)(u >> 8);
        out[4 * i + 2] = (unsigned char)(u >> 16), out[4 * i + 3] = (unsigned char)(u >> 24);
    }
}

static void decode_floats(const unsigned char *in, size_t n, float *v)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)in[4 * i] | (uint32_t)in[4 * i + 1] << 8 |
                     (uint32_t)in[4 * i + 2] << 16 | (uint32_t)in[4 * i + 3] << 24;
        memcpy(&v[i], &u, sizeof u);
    }
}

static int meta_key(char *buf, size_t size, const char *space)
{
    return rs__store_key(buf, size, RS__ITEM_DIM_FIELD, space);
}

/* ------------------------------------------------------------ SQL helpers */

static int exec(sqlite3 *db, const char *sql, const char *what)
{
    return rs__store_exec(db, sql, what);
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, const char *what)
{
    return rs__store_prepare(db, sql, st, what);
}

static int check_space(const char *space, const char *fn)
{
    if (rs__check_key(space, "space", NULL) < 0)
        return rs__fail_context("%s: ", fn);
    return 0;
}

/* ------------------------------------------------------------ save */

/* Get-or-create the item node of every live row; node ids into rowids. */
static int item_nodes(const rs_item_store *store, rs_graph *graph, int64_t *rowids)
{
    sqlite3 *db = rs__graph_db(graph);
    size_t span = rs__item_span(store);
    int rc = exec(db, "SAVEPOINT rs_items_nodes", "saving items");
    if (rc < 0)
        return rc;
    /* The graph keeps its memory in step with each node it writes, so this
     * savepoint is always released, never rolled back. */
    for (size_t i = 0; i < span && rc == 0; i++) {
        uint32_t node;
        const char *key = rs__idmap_key(store->keys, (uint32_t)i, NULL);
        if (!key)
            continue;
        rc = rs_graph_add_node(graph, ITEM_NODE_TYPE, key, &node);
        if (rc == 0)
            rowids[i] = rs__graph_node_rowid(graph, node);
        if (rc == 0 && rowids[i] < 0)
            rc = rs__fail(RS_ERR_INTERNAL, "item node '%s' has no id", key);
    }
    if (rc < 0) /* keep the failure's status and message */
        sqlite3_exec(db, "RELEASE rs_items_nodes", NULL, NULL, NULL);
    else
        rc = exec(db, "RELEASE rs_items_nodes", "saving items");
    return rc;
}


/* Attribute words as little-endian bytes. */
static void encode_words(const uint64_t *w, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++)
        for (unsigned b = 0; b < 8; b++)
            out[8 * i + b] = (unsigned char)(w[i] >> (8 * b));
}

static void decode_words(const unsigned char *in, size_t n, uint64_t *w)
{
    for (size_t i = 0; i < n; i++) {
        w[i] = 0;
        for (unsigned b = 0; b < 8; b++)
            w[i] |= (uint64_t)in[8 * i + b] << (8 * b);
    }
}

struct statements {
    sqlite3_stmt *clear_vectors, *clear_attributes, *put_vector, *put_attributes;
};

static void finalize_all(struct statements *s)
{
    sqlite3_finalize(s->clear_vectors);
    sqlite3_finalize(s->clear_attributes);
    sqlite3_finalize(s->put_vector);
    sqlite3_finalize(s->put_attributes);
}

static int prepare_save(sqlite3 *db, const char *space, struct statements *s)
{
    int rc = rs__store_ensure(db, RS__TABLE_ITEM_ATTRIBUTES);
    if (rc == 0)
        rc = prepare(db,
                     "DELETE FROM node_vectors WHERE space = ?1 AND node_id IN"
                     " (SELECT n.id FROM nodes n JOIN node_types t ON t.id = n.type_id"
                     " WHERE t.name = '" ITEM_NODE_TYPE "')",
                     &s->clear_vectors, "saving items");
    if (rc == 0)
        rc = prepare(db, "DELETE FROM item_attributes WHERE space = ?1", &s->clear_attributes,
                     "saving items");
    if (rc == 0)
        rc = prepare(db, "INSERT OR REPLACE INTO node_vectors VALUES (?1, ?2, ?3, ?4, ?5)",
                     &s->put_vector, "saving items");
    if (rc == 0)
        rc = prepare(db, "INSERT OR REPLACE INTO item_attributes VALUES (?1, ?2, ?3)",
                     &s->put_attributes, "saving items");
    if (rc == 0) {
        sqlite3_bind_text(s->clear_vectors, 1, space, -1, SQLITE_STATIC);
        sqlite3_bind_text(s->clear_attributes, 1, space, -1, SQLITE_STATIC);
        if (sqlite3_step(s->clear_vectors) != SQLITE_DONE ||
            sqlite3_step(s->clear_attributes) != SQLITE_DONE)
            rc = rs__graph_db_fail(db, "saving items: clearing the space");
    }
    return rc;
}

/* The rows of every live item; inside the caller's savepoint. */
static int write_rows(const rs_item_store *store, rs_graph *graph, const char *space,
                      const int64_t *rowids)
{
    sqlite3 *db = rs__graph_db(graph);
    struct statements s = {0};
    size_t span = rs__item_span(store), blob_bytes = store->dim * sizeof(float);
    size_t n_words = rs__bitset_words(store->n_attribute_columns);
    unsigned char *blob = rs__malloc(blob_bytes + n_words * 8);
    uint64_t *words = rs__calloc(n_words + 1, sizeof *words);
    char key[64 + RS_MAX_KEY_BYTES], dim_text[32];
    int rc = blob && words ? 0 : RS_ERR_NOMEM;
    if (rc == 0)
        rc = prepare_save(db, space, &s);
    for (size_t i = 0; i < span && rc == 0; i++) {
        bool any = false;
        if (!rs__bitset_test(store->live_bits, i))
            continue;
        encode_floats(rs__item_row(store, i), store->dim, blob);
        sqlite3_reset(s.put_vector);
        sqlite3_bind_int64(s.put_vector, 1, rowids[i]);
        sqlite3_bind_text(s.put_vector, 2, space, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s.put_vector, 3, (sqlite3_int64)store->dim);
        sqlite3_bind_int64(s.put_vector, 4, rs__blob_row_checksum(blob, blob_bytes));
        sqlite3_bind_blob(s.put_vector, 5, blob, (int)blob_bytes, SQLITE_STATIC);
        if (sqlite3_step(s.put_vector) != SQLITE_DONE) {
            rc = rs__graph_db_fail(db, "saving items: writing a vector");
            break;
        }
        for (size_t a = 0; a < store->n_attribute_columns; a++) {
            if (store->attribute_columns[a] && rs__bitset_test(store->attribute_columns[a], i))
                rs__bitset_set(words, a), any = true;
            else
                rs__bitset_clear(words, a);
        }
        if (!any)
            continue;
        encode_words(words, n_words, blob);
        sqlite3_reset(s.put_attributes);
        sqlite3_bind_int64(s.put_attributes, 1, rowids[i]);
        sqlite3_bind_text(s.put_attributes, 2, space, -1, SQLITE_STATIC);
        sqlite3_bind_blob(s.put_attributes, 3, blob, (int)(n_words * 8), SQLITE_STATIC);
        if (sqlite3_step(s.put_attributes) != SQLITE_DONE)
            rc = rs__graph_db_fail(db, "saving items: writing attributes");
    }
    if (rc == 0 && (rc = meta_key(key, sizeof key, space)) == 0) {
        snprintf(dim_text, sizeof dim_text, "%zu", store->dim);
        rc = rs__graph_meta_set(graph, key, dim_text, strlen(dim_text));
    }
    finalize_all(&s);
    free(words);
    free(blob);
    return rc;
}

int rs_item_store_save(const rs_item_store *store, rs_graph *graph, const char *space)
{
    const char *fn = "rs_item_store_save";
    sqlite3 *db;
    int64_t *rowids;
    int rc;
    if (!store || !graph)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, store ? "graph" : "store");
    if ((rc = check_space(space, fn)) < 0)
        return rc;
    if (rs__graph_readonly(graph))
        return rs__fail(RS_ERR_READONLY, "%s: the graph is open read-only", fn);
    db = rs__graph_db(graph);
    rowids = rs__alloc_array(rs__item_span(store) + 1, sizeof *rowids);
    if (!rowids)
        return RS_ERR_NOMEM;
    rc = item_nodes(store, graph, rowids);
    if (rc == 0)
        rc = exec(db, "SAVEPOINT rs_items_save", "saving items");
    if (rc == 0) {
        rc = write_rows(store, graph, space, rowids);
        if (rc == 0)
            rc = rs__ivf_save(store, graph, space, rowids);
        if (rc < 0) { /* undo, keeping the failure's status and message (SQLite may
                       * have rolled the transaction back itself: no savepoint left) */
            sqlite3_exec(db, "ROLLBACK TO rs_items_save", NULL, NULL, NULL);
            sqlite3_exec(db, "RELEASE rs_items_save", NULL, NULL, NULL);
        } else if (exec(db, "RELEASE rs_items_save", "saving items: committing") < 0) {
            rc = rs_errcode();
        }
    }
    free(rowids);
    return rc < 0 ? rs__fail_context("%s to space '%s': ", fn, space) : RS_OK;
}

/* ------------------------------------------------------------ load */

static int corrupt(const char *space, int64_t node_id, const char *what)
{
    char key[64 + RS_MAX_KEY_BYTES];
    snprintf(key, sizeof key, "(node %lld, space '%s')", (long long)node_id, space);
    return rs__store_corrupt("node_vectors", key, what);
}

/* The dimension saved in meta, 0 when there is none. */
static int saved_dim(rs_graph *graph, const char *space, size_t *dim_out)
{
    char key[64 + RS_MAX_KEY_BYTES], text[32];
    void *value;
    size_t len;
    unsigned long long dim;
    char *end;
    rs_error_state before;
    int rc;
    *dim_out = 0;
    if ((rc = meta_key(key, sizeof key, space)) != 0)
        return rc;
    rs__error_save(&before);
    rc = rs__graph_meta_get(graph, key, &value, &len);
    if (rc == RS_ERR_NOTFOUND) { /* no such space yet: not a failure */
        rs__error_restore(&before);
        return 0;
    }
    if (rc < 0)
        return rc;
    if (len == 0 || len >= sizeof text) {
        free(value);
        return rs__fail(RS_ERR_CORRUPT, "space '%s': meta '%s' is not a dimension", space,
                        key);
    }
    memcpy(text, value, len);
    text[len] = '\0';
    free(value);
    dim = strtoull(text, &end, 10);
    if (*end || dim == 0 || dim > RS_ITEM_DIM_LIMIT)
        return rs__fail(RS_ERR_CORRUPT, "space '%s': meta '%s' = '%s' is not a dimension",
                        space, key, text);
    *dim_out = (size_t)dim;
    return 0;
}

static int read_attributes(rs_item_store *store, sqlite3 *db, const char *space,
                           int64_t node_id, uint32_t index, sqlite3_stmt *get)
{
    const unsigned char *bits;
    size_t len, n_words;
    uint64_t *words;
    int step;
    sqlite3_reset(get);
    sqlite3_bind_int64(get, 1, node_id);
    sqlite3_bind_text(get, 2, space, -1, SQLITE_STATIC);
    step = sqlite3_step(get);
    if (step == SQLITE_DONE)
        return 0;
    if (step != SQLITE_ROW)
        return rs__graph_db_fail(db, "loading item attributes");
    bits = sqlite3_column_blob(get, 0);
    len = (size_t)sqlite3_column_bytes(get, 0);
    if (len % 8 || len / 8 > rs__bitset_words(RS_ITEM_ATTRIBUTES_LIMIT))
        return corrupt(space, node_id, "attribute blob of a bad length");
    n_words = len / 8;
    if (!n_words)
        return 0;
    words = rs__alloc_array(n_words, sizeof *words);
    if (!words)
        return RS_ERR_NOMEM;
    decode_words(bits, n_words, words);
    for (size_t a = 0; a < n_words * 64; a++) {
        int rc;
        if (!rs__bitset_test(words, a))
            continue;
        rc = rs_item_store_set_attribute(store, rs__idmap_key(store->keys, index, NULL),
                                         (uint32_t)a, 1);
        if (rc < 0) {
            free(words);
            return rc;
        }
    }
    free(words);
    return 0;
}

static int load_rows(rs_graph *graph, const char *space, size_t dim, rs_item_store *store)
{
    sqlite3 *db = rs__graph_db(graph);
    sqlite3_stmt *rows = NULL, *attrs = NULL;
    bool have_attributes;
    float *vector = rs__alloc_array(dim, sizeof *vector);
    int rc = vector ? 0 : RS_ERR_NOMEM, step;
    if (rc == 0)
        rc = prepare(db,
                     "SELECT v.node_id, n.key, v.dim, v.checksum, v.data FROM node_vectors v"
                     " JOIN nodes n ON n.id = v.node_id JOIN node_types t ON t.id = n.type_id"
                     " WHERE v.space = ?1 AND t.name = '" ITEM_NODE_TYPE "' ORDER BY v.node_id",
                     &rows, "loading items");
    have_attributes = rc == 0 && sqlite3_prepare_v2(db,
                                                    "SELECT bits FROM item_attributes"
                                                    " WHERE node_id = ?1 AND space = ?2",
                                                    -1, &attrs, NULL) == SQLITE_OK;
    if (rc == 0)
        sqlite3_bind_text(rows, 1, space, -1, SQLITE_STATIC);
    while (rc == 0 && (step = sqlite3_step(rows)) == SQLITE_ROW) {
        int64_t node_id = sqlite3_column_int64(rows, 0);
        const char *key = (const char *)sqlite3_column_text(rows, 1);
        int64_t row_dim = sqlite3_column_int64(rows, 2);
        int64_t sum = sqlite3_column_int64(rows, 3);
        const void *data = sqlite3_column_blob(rows, 4);
        size_t bytes = (size_t)sqlite3_column_bytes(rows, 4);
        uint32_t index;
        if (row_dim < 0 || (uint64_t)row_dim != dim)
            rc = corrupt(space, node_id, "dimension differs from the space's");
        else if (bytes != dim * sizeof(float) || !data)
            rc = corrupt(space, node_id, "blob length does not match the dimension");
        else if (rs__blob_row_checksum(data, bytes) != sum)
            rc = corrupt(space, node_id, "damaged blob (checksum mismatch)");
        if (rc < 0)
            break;
        decode_floats(data, dim, vector);
        for (size_t d = 0; d < dim && rc == 0; d++)
            if (!isfinite(vector[d]))
                rc = corrupt(space, node_id, "NaN or Inf in the vector");
        if (rc == 0 && (!key || rs__check_stored_key(key, "item key", NULL) < 0))
            rc = corrupt(space, node_id, "bad item key");
        if (rc == 0)
            rc = rs__item_store_insert(store, key, strlen(key), vector, &index);
        if (rc == RS_ERR_EXISTS)
            rc = corrupt(space, node_id, "duplicate item key");
        if (rc == 0 && have_attributes)
            rc = read_attributes(store, db, space, node_id, index, attrs);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = rs__graph_db_fail(db, "loading items");
    sqlite3_finalize(rows);
    sqlite3_finalize(attrs);
    free(vector);
    return rc;
}

int rs_item_store_load(rs_graph *graph, const char *space, rs_item_store **out)
{
    const char *fn = "rs_item_store_load";
    rs_item_store *store = NULL;
    sqlite3 *db;
    sqlite3_stmt *first = NULL;
    size_t dim = 0;
    int rc;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "%s: out is NULL", fn);
    *out = NULL;
    if (!graph)
        return rs__fail(RS_ERR_INVALID, "%s: graph is NULL", fn);
    if ((rc = check_space(space, fn)) < 0)
        return rc;
    db = rs__graph_db(graph);
    if ((rc = saved_dim(graph, space, &dim)) < 0)
        return rs__fail_context("%s: ", fn);
    if (dim == 0) {
        /* No meta: a file written by someone else; take the first row's. */
        rc = prepare(db, "SELECT dim FROM node_vectors WHERE space = ?1 LIMIT 1", &first,
                     "loading items");
        if (rc < 0)
            return rs__fail_context("%s: ", fn);
        sqlite3_bind_text(first, 1, space, -1, SQLITE_STATIC);
        if (sqlite3_step(first) == SQLITE_ROW) {
            int64_t d = sqlite3_column_int64(first, 0);
            if (d <= 0 || d > RS_ITEM_DIM_LIMIT)
                rc = rs__fail(RS_ERR_CORRUPT, "%s: space '%s' has dimension %lld", fn, space,
                              (long long)d);
            dim = (size_t)d;
        } else {
            rc = rs__fail(RS_ERR_NOTFOUND, "%s: no item vectors in space '%s'", fn, space);
        }
        sqlite3_finalize(first);
        if (rc < 0)
            return rc;
    }
    if ((rc = rs_item_store_create(dim, &store)) < 0)
        return rc;
    rc = load_rows(graph, space, dim, store);
    if (rc == 0)
        rc = rs__ivf_load(store, graph, space);
    if (rc < 0) {
        rs_item_store_free(store);
        return rs__fail_context("%s: ", fn);
    }
    *out = store;
    return RS_OK;
}
