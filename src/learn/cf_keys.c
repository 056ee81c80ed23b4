/*
 * cf_keys.c - the item keys a collaborative model carries: key i names its
 * item i, so that a scorer or a model file reader maps its items without a
 * key array passed beside the model.  Saved with the model under meta key
 * "cf-keys:NAME" (beside "cf:NAME", whose format stays 1.0's), read back by
 * both loads.
 *
 * Blob (little-endian): "RSCK", u32 format, u64 n, n x (u32 length, bytes),
 * u64 XXH3 of every byte before it.
 */
#include "learn/cf_internal.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/idmap.h"
#include "core/lebytes.h"
#include "core/utf8.h"
#include "graph/graph_internal.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define KEYS_FORMAT 1u

int rs_cf_model_set_item_keys(rs_cf_model *model, const char *const *keys, size_t n)
{
    static const char fn[] = "rs_cf_model_set_item_keys";
    rs_idmap *map;
    if (!model || (!keys && n))
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, !model ? "model" : "keys");
    if (!model->fitted)
        return rs__fail(RS_ERR_STATE, "%s: the model is not fitted", fn);
    if (n != model->n_items)
        return rs__fail(RS_ERR_DIM, "%s: %zu keys, the model has %zu items", fn, n,
                        model->n_items);
    if (!(map = rs__idmap_create()))
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory", fn);
    for (size_t i = 0; i < n; i++) {
        char what[64];
        size_t len;
        uint32_t index;
        bool created;
        int rc;
        snprintf(what, sizeof what, "%s: key %zu", fn, i);
        if ((rc = rs__check_key(keys[i], what, &len)) != RS_OK ||
            (rc = rs__idmap_intern(map, keys[i], len, &index, &created)) != RS_OK) {
            rs__idmap_free(map);
            return rc;
        }
        if (!created) {
            rs__idmap_free(map);
            return rs__fail(RS_ERR_EXISTS, "%s: key \"%s\" names items %u and %zu", fn, keys[i],
                            index, i);
        }
    }
    rs__idmap_free(model->keys);
    model->keys = map;
    return RS_OK;
}

const char *rs_cf_model_item_key(const rs_cf_model *model, uint32_t index)
{
    size_t len;
    if (!model || !model->keys || index >= rs__idmap_span(model->keys))
        return NULL;
    return rs__idmap_key(model->keys, index, &len);
}

int rs_cf_model_item_index(const rs_cf_model *model, const char *key, uint32_t *index_out)
{
    static const char fn[] = "rs_cf_model_item_index";
    uint32_t index;
    size_t len;
    if (!model || !key || !index_out)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn,
                        !model ? "model" : !key ? "key" : "index_out");
    if (!model->keys)
        return rs__fail(RS_ERR_STATE, "%s: the model carries no item keys "
                        "(rs_cf_model_set_item_keys)", fn);
    len = strlen(key);
    if ((index = rs__idmap_find(model->keys, key, len)) == RS_IDMAP_NONE)
        return rs__fail(RS_ERR_NOTFOUND, "%s: no item \"%s\" in the model", fn, key);
    *index_out = index;
    return RS_OK;
}

static char *keys_meta_key(const char *name)
{
    size_t size = strlen(name) + sizeof RS__CF_KEYS_FIELD + 1;
    char *key = rs__malloc(size);
    if (key && rs__store_key(key, size, RS__CF_KEYS_FIELD, name) != 0) {
        free(key);
        return NULL;
    }
    return key;
}

int rs__cf_keys_save(const rs_cf_model *model, rs_graph *graph, const char *name)
{
    char *key = keys_meta_key(name);
    unsigned char *blob = NULL;
    size_t n = model->keys ? rs__idmap_span(model->keys) : 0, bytes = 16 + 8, at = 16;
    int rc = key ? RS_OK : RS_ERR_NOMEM;
    if (rc == RS_OK && !model->keys) { /* keys of an earlier save must not come back */
        sqlite3_stmt *st = NULL;
        sqlite3 *db = rs__graph_db(graph);
        if (sqlite3_prepare_v2(db, "DELETE FROM meta WHERE key = ?1", -1, &st, NULL) !=
            SQLITE_OK)
            rc = rs__graph_db_fail(db, "removing the earlier item keys");
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        if (rc == RS_OK && sqlite3_step(st) != SQLITE_DONE)
            rc = rs__graph_db_fail(db, "removing the earlier item keys");
        sqlite3_finalize(st);
        free(key);
        return rc;
    }
    for (size_t i = 0; rc == RS_OK && i < n; i++) {
        size_t len;
        rs__idmap_key(model->keys, (uint32_t)i, &len);
        rc = rs__add_size(bytes, 4 + len, &bytes);
    }
    if (rc == RS_OK && !(blob = rs__malloc(bytes)))
        rc = RS_ERR_NOMEM;
    if (rc == RS_OK) {
        memcpy(blob, "RSCK", 4);
        rs__le_put32(blob + 4, KEYS_FORMAT);
        rs__le_put64(blob + 8, n);
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *k = rs__idmap_key(model->keys, (uint32_t)i, &len);
            rs__le_put32(blob + at, (uint32_t)len);
            memcpy(blob + at + 4, k, len);
            at += 4 + len;
        }
        rs__blob_seal(blob, bytes);
        rc = rs__graph_meta_set(graph, key, blob, bytes);
    }
    free(blob);
    free(key);
    return rc;
}

static int damaged(const char *key, const char *what)
{
    return rs__store_corrupt("meta", key, what);
}

/* Parse the keys blob of model (n_items keys) into a new map. */
static int parse(const rs_cf_model *model, const char *key, const unsigned char *d, size_t len,
                 rs_idmap **out)
{
    rs_idmap *map;
    size_t at = 16;
    uint64_t n;
    if (len < 24 || memcmp(d, "RSCK", 4) != 0)
        return damaged(key, "not an item key list");
    if (rs__le_get32(d + 4) > KEYS_FORMAT)
        return rs__fail(RS_ERR_VERSION, "table meta, key %s: format %u was written by a newer "
                        "release; this library reads format %u", key, rs__le_get32(d + 4),
                        KEYS_FORMAT);
    size_t end;
    int rc = rs__blob_check(d, len, "RSCK", 4, "meta", key, &end);
    if (rc != RS_OK)
        return rc;
    n = rs__le_get64(d + 8);
    if (n != model->n_items)
        return damaged(key, "the key count differs from the model's item count");
    if (!(map = rs__idmap_create()))
        return RS_ERR_NOMEM;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t klen, index;
        bool created;
        int rc;
        if (at + 4 > len - 8 || (klen = rs__le_get32(d + at)) > len - 8 - at - 4 ||
            klen == 0 || klen > RS_MAX_KEY_BYTES) {
            rs__idmap_free(map);
            return damaged(key, "a key runs past the blob");
        }
        if ((rc = rs__idmap_intern(map, (const char *)d + at + 4, klen, &index, &created))) {
            rs__idmap_free(map);
            return rc;
        }
        if (!created || rs__utf8_check((const char *)d + at + 4, klen, "item key", NULL)) {
            rs__idmap_free(map);
            return damaged(key, "a repeated or invalid key");
        }
        at += 4 + (size_t)klen;
    }
    if (at != len - 8) {
        rs__idmap_free(map);
        return damaged(key, "trailing bytes");
    }
    *out = map;
    return RS_OK;
}

int rs__cf_keys_load(rs_cf_model *model, rs_graph *graph, const char *name)
{
    char *key = keys_meta_key(name);
    void *value = NULL;
    size_t len = 0;
    rs_error_state saved;
    int rc;
    if (!key)
        return RS_ERR_NOMEM;
    rs__error_save(&saved);
    rc = rs__graph_meta_get(graph, key, &value, &len);
    if (rc == RS_ERR_NOTFOUND) { /* saved without keys, or by release 1.0 */
        rs__error_restore(&saved);
        free(key);
        return RS_OK;
    }
    if (rc == RS_OK) {
        rs_idmap *map = NULL;
        if ((rc = parse(model, key, value, len, &map)) == RS_OK) {
            rs__idmap_free(model->keys);
            model->keys = map;
        }
    }
    free(value);
    free(key);
    return rc;
}
