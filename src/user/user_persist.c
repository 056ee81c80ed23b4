/*
 * user_persist.c - a user model saved to and loaded from the model file:
 * one user_models row per saved model (a header blob: options, event
 * weights and the item keys the histories use) and one user_vectors row per
 * user (interest, text, reference time, history), every blob little-endian
 * with an XXH3 checksum beside it.
 */
#include "user/user_internal.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/lebytes.h"
#include "core/utf8.h"
#include "graph/graph_internal.h"
#include "store/store.h"
#include "items/items_internal.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define USER_FORMAT 1u
#define NO_KEY UINT32_MAX
#define FLAG_HAS_TIME 1u
#define FLAG_HAS_TEXT 2u

/* ------------------------------------------------------------ encoding */

typedef struct writer {
    unsigned char *data;
    size_t len, cap;
    int failed;
} writer;

static void put_bytes(writer *w, const void *src, size_t len)
{
    if (w->failed)
        return;
    if (rs__grow((void **)&w->data, &w->cap, w->len + len, 1) != 0) {
        w->failed = 1;
        return;
    }
    memcpy(w->data + w->len, src, len);
    w->len += len;
}

static void put_u64(writer *w, uint64_t v)
{
    unsigned char b[8];
    rs__le_put64(b, v);
    put_bytes(w, b, 8);
}

static void put_u32(writer *w, uint32_t v)
{
    unsigned char b[4];
    rs__le_put32(b, v);
    put_bytes(w, b, 4);
}

static void put_f32(writer *w, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    put_u32(w, u);
}

static void put_f64(writer *w, double f)
{
    uint64_t u;
    memcpy(&u, &f, 8);
    put_u64(w, u);
}

static void put_string(writer *w, const char *s, size_t len)
{
    put_u32(w, (uint32_t)len);
    put_bytes(w, s, len);
}

typedef struct reader {
    const unsigned char *p;
    size_t left;
    bool bad;
} reader;

static const unsigned char *take(reader *r, size_t n)
{
    if (r->bad || r->left < n) {
        r->bad = true;
        return NULL;
    }
    const unsigned char *p = r->p;
    r->p += n;
    r->left -= n;
    return p;
}

static uint64_t get_u64(reader *r)
{
    const unsigned char *b = take(r, 8);
    return b ? rs__le_get64(b) : 0;
}

static uint32_t get_u32(reader *r)
{
    const unsigned char *b = take(r, 4);
    return b ? rs__le_get32(b) : 0;
}

static float get_f32(reader *r)
{
    uint32_t u = get_u32(r);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static double get_f64(reader *r)
{
    uint64_t u = get_u64(r);
    double f;
    memcpy(&f, &u, 8);
    return f;
}

/* A string of the blob as a NUL-terminated copy (NULL when bad, with
 * r->bad set, or when out of memory, with r->bad clear). */
static char *get_string(reader *r)
{
    uint32_t len = get_u32(r);
    if (len > RS_MAX_KEY_BYTES) {
        r->bad = true;
        return NULL;
    }
    const unsigned char *p = take(r, len);
    return p ? rs__strndup((const char *)p, len) : NULL;
}

static int64_t checksum(const void *data, size_t len)
{
    return rs__blob_row_checksum(data, len);
}

/* ------------------------------------------------------------ save */

/* The header blob; *keys_out gets, per store index, its entry in the key
 * table (NO_KEY when no history uses it). */
static int encode_header(const rs_user_model *m, writer *w, uint32_t *key_of)
{
    size_t span = rs__item_span(m->store), n_events = rs__idmap_span(m->events);
    size_t n_users = rs__idmap_span(m->users);
    uint32_t n_keys = 0;
    unsigned char magic[4] = {'R', 'S', 'U', 'M'};
    for (size_t i = 0; i < span; i++)
        key_of[i] = NO_KEY;
    put_bytes(w, magic, 4);
    put_u32(w, USER_FORMAT);
    put_u64(w, m->dim);
    put_u64(w, rs__idmap_count(m->users));
    put_f64(w, m->half_life);
    put_f64(w, m->text_weight);
    put_u32(w, (uint32_t)rs__idmap_count(m->events));
    for (size_t e = 0; e < n_events; e++) {
        size_t len;
        const char *name = rs__idmap_key(m->events, (uint32_t)e, &len);
        if (!name)
            continue;
        put_string(w, name, len);
        put_f64(w, m->event_weight[e]);
    }
    /* item keys in order of first use */
    for (size_t u = 0; u < n_users; u++) {
        if (!rs__idmap_key(m->users, (uint32_t)u, NULL))
            continue;
        const rs__user *r = &m->recs[u];
        for (size_t i = 0; i < r->n; i++)
            if (r->items[i] < span && key_of[r->items[i]] == NO_KEY &&
                rs__idmap_key(m->store->keys, r->items[i], NULL))
                key_of[r->items[i]] = n_keys++;
    }
    put_u32(w, n_keys);
    for (size_t u = 0, written = 0; u < n_users && written < n_keys; u++) {
        if (!rs__idmap_key(m->users, (uint32_t)u, NULL))
            continue;
        const rs__user *r = &m->recs[u];
        for (size_t i = 0; i < r->n; i++) {
            uint32_t it = r->items[i];
            if (it < span && key_of[it] == written) {
                size_t len;
                const char *key = rs__idmap_key(m->store->keys, it, &len);
                put_string(w, key, len);
                written++;
            }
        }
    }
    return w->failed ? RS_ERR_NOMEM : RS_OK;
}

static void encode_user(const rs_user_model *m, const rs__user *r, const uint32_t *key_of,
                        size_t span, writer *w)
{
    size_t kept = 0;
    w->len = 0;
    put_u64(w, (uint64_t)r->t_ref);
    put_u32(w, (r->has_time ? FLAG_HAS_TIME : 0u) | (r->text ? FLAG_HAS_TEXT : 0u));
    put_u32(w, 0);
    for (size_t j = 0; j < m->dim; j++)
        put_f32(w, r->interest[j]);
    for (size_t j = 0; r->text && j < m->dim; j++)
        put_f32(w, r->text[j]);
    for (size_t i = 0; i < r->n; i++)
        kept += r->items[i] < span && key_of[r->items[i]] != NO_KEY;
    put_u64(w, kept);
    for (size_t i = 0; i < r->n; i++) {
        if (!(r->items[i] < span && key_of[r->items[i]] != NO_KEY))
            continue;
        put_u32(w, key_of[r->items[i]]);
        put_f32(w, r->weights[i]);
        put_u64(w, (uint64_t)r->times[i]);
    }
}

static int write_all(const rs_user_model *m, sqlite3 *db, const char *name, const writer *head,
                     const uint32_t *key_of)
{
    sqlite3_stmt *clear = NULL, *put_head = NULL, *put_user = NULL;
    writer w = {0};
    size_t span = rs__item_span(m->store), n_users = rs__idmap_span(m->users);
    int rc = RS_OK;
    if ((rc = rs__store_ensure(db, RS__TABLE_USER_MODELS)) != RS_OK)
        goto done;
    if (sqlite3_prepare_v2(db, "DELETE FROM user_vectors WHERE model = ?1", -1, &clear, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO user_models VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &put_head, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO user_vectors VALUES (?1, ?2, ?3, ?4)", -1, &put_user,
                           NULL) != SQLITE_OK) {
        rc = rs__graph_db_fail(db, "preparing the user tables");
        goto done;
    }
    sqlite3_bind_text(clear, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(clear) != SQLITE_DONE) {
        rc = rs__graph_db_fail(db, "clearing the saved users");
        goto done;
    }
    sqlite3_bind_text(put_head, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(put_head, 2, USER_FORMAT);
    sqlite3_bind_int64(put_head, 3, (sqlite3_int64)m->dim);
    sqlite3_bind_int64(put_head, 4, (sqlite3_int64)rs__idmap_count(m->users));
    sqlite3_bind_int64(put_head, 5, checksum(head->data, head->len));
    sqlite3_bind_blob(put_head, 6, head->data, (int)head->len, SQLITE_STATIC);
    if (sqlite3_step(put_head) != SQLITE_DONE) {
        rc = rs__graph_db_fail(db, "writing the header");
        goto done;
    }
    for (size_t u = 0; u < n_users && rc == RS_OK; u++) {
        size_t klen;
        const char *key = rs__idmap_key(m->users, (uint32_t)u, &klen);
        if (!key)
            continue;
        encode_user(m, &m->recs[u], key_of, span, &w);
        if (w.failed || w.len > INT32_MAX) {
            rc = rs__fail(RS_ERR_NOMEM, "encoding user \"%s\": out of memory", key);
            break;
        }
        sqlite3_reset(put_user);
        sqlite3_bind_text(put_user, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(put_user, 2, key, (int)klen, SQLITE_STATIC);
        sqlite3_bind_int64(put_user, 3, checksum(w.data, w.len));
        sqlite3_bind_blob(put_user, 4, w.data, (int)w.len, SQLITE_STATIC);
        if (sqlite3_step(put_user) != SQLITE_DONE)
            rc = rs__graph_db_fail(db, "writing a user");
    }
done:
    sqlite3_finalize(clear);
    sqlite3_finalize(put_head);
    sqlite3_finalize(put_user);
    free(w.data);
    return rc;
}

int rs_user_model_save(const rs_user_model *model, rs_graph *graph, const char *name)
{
    static const char fn[] = "rs_user_model_save";
    if (!model || !graph)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, model ? "graph" : "model");
    if (rs__check_key(name, "name", NULL) != RS_OK)
        return rs__fail_context("%s: ", fn);
    if (rs__graph_readonly(graph))
        return rs__fail(RS_ERR_READONLY, "%s: the graph is open read-only", fn);
    sqlite3 *db = rs__graph_db(graph);
    uint32_t *key_of = rs__alloc_array(rs__item_span(model->store) + 1, sizeof(uint32_t));
    writer head = {0};
    int rc = key_of ? encode_header(model, &head, key_of) : RS_ERR_NOMEM;
    if (rc != RS_OK) {
        free(key_of);
        free(head.data);
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory", fn);
    }
    if (sqlite3_exec(db, "SAVEPOINT rs_users_save", NULL, NULL, NULL) != SQLITE_OK) {
        rc = rs__graph_db_fail(db, "opening a savepoint");
    } else {
        rc = write_all(model, db, name, &head, key_of);
        if (rc != RS_OK)
            sqlite3_exec(db, "ROLLBACK TO rs_users_save", NULL, NULL, NULL);
        if (sqlite3_exec(db, "RELEASE rs_users_save", NULL, NULL, NULL) != SQLITE_OK &&
            rc == RS_OK)
            rc = rs__graph_db_fail(db, "committing");
    }
    free(key_of);
    free(head.data);
    return rc != RS_OK ? rs__fail_context("%s \"%s\": ", fn, name) : RS_OK;
}

/* ------------------------------------------------------------ load */

typedef struct header {
    uint64_t dim, n_users;
    uint32_t n_keys;
    uint32_t *key_item; /* key table entry -> store index */
} header;

static int corrupt_header(const char *name, const char *what)
{
    return rs__fail(RS_ERR_CORRUPT, "table user_models, key %s: saved user model \"%s\": "
                    "header: %s", name, name, what);
}

static int parse_header(rs_user_model *m, const char *name, const unsigned char *data,
                        size_t len, header *h)
{
    reader r = {data, len, false};
    const unsigned char *magic = take(&r, 4);
    if (!magic || memcmp(magic, "RSUM", 4) != 0)
        return corrupt_header(name, "not a user model (bad magic)");
    uint32_t format = get_u32(&r);
    if (format > USER_FORMAT)
        return rs__fail(RS_ERR_VERSION, "saved user model \"%s\" has format %u, newer than this "
                                        "library's %u", name, format, USER_FORMAT);
    h->dim = get_u64(&r);
    h->n_users = get_u64(&r);
    double half_life = get_f64(&r), text_weight = get_f64(&r);
    if (r.bad)
        return corrupt_header(name, "truncated");
    if (h->dim != m->dim)
        return rs__fail(RS_ERR_DIM, "saved user model \"%s\" has dimension %llu, the item store "
                                    "%zu", name, (unsigned long long)h->dim, m->dim);
    if (rs_user_model_set_double(m, RS_USER_HALF_LIFE, half_life) != RS_OK ||
        rs_user_model_set_double(m, RS_USER_TEXT_WEIGHT, text_weight) != RS_OK)
        return corrupt_header(name, "an option out of range");
    uint32_t n_events = get_u32(&r);
    for (uint32_t e = 0; e < n_events && !r.bad; e++) {
        char *event = get_string(&r);
        double w = get_f64(&r);
        int rc = event && !r.bad ? rs_user_model_set_event_weight(m, event, w)
                 : !event && !r.bad ? RS_ERR_NOMEM
                                    : RS_ERR_CORRUPT;
        free(event);
        if (rc == RS_ERR_NOMEM)
            return rc;
        if (rc != RS_OK)
            return corrupt_header(name, "a bad event name or weight");
    }
    h->n_keys = get_u32(&r);
    if (r.bad || h->n_keys > r.left / 4)
        return corrupt_header(name, "truncated item key table");
    h->key_item = rs__alloc_array((size_t)h->n_keys + 1, sizeof(uint32_t));
    if (!h->key_item)
        return RS_ERR_NOMEM;
    for (uint32_t k = 0; k < h->n_keys; k++) {
        char *key = get_string(&r);
        size_t klen;
        if (!key && !r.bad)
            return RS_ERR_NOMEM;
        if (!key || rs__check_stored_key(key, "item", &klen) != RS_OK) {
            free(key);
            return corrupt_header(name, "a bad item key");
        }
        uint32_t idx = rs__idmap_find(m->store->keys, key, klen);
        if (idx == RS_IDMAP_NONE) {
            int rc = rs__fail(RS_ERR_NOTFOUND, "saved user model \"%s\": history item \"%s\" "
                                               "is not in the item store", name, key);
            free(key);
            return rc;
        }
        free(key);
        h->key_item[k] = idx;
    }
    if (r.left != 0)
        return corrupt_header(name, "trailing bytes");
    return RS_OK;
}

static int corrupt_user(const char *name, const char *user, const char *what)
{
    return rs__fail(RS_ERR_CORRUPT, "table user_vectors, key (%s, %s): saved user model "
                    "\"%s\": user \"%s\": %s", name, user ? user : "?", name,
                    user ? user : "?", what);
}

static int parse_user(rs_user_model *m, const char *name, const header *h, const char *key,
                      const unsigned char *data, size_t len)
{
    reader r = {data, len, false};
    size_t klen;
    uint32_t idx;
    int created;
    if (!key || rs__check_stored_key(key, "user", &klen) != RS_OK)
        return corrupt_user(name, NULL, "a bad user key");
    if (rs__idmap_find(m->users, key, klen) != RS_IDMAP_NONE)
        return corrupt_user(name, key, "saved twice");
    int64_t t_ref = (int64_t)get_u64(&r);
    uint32_t flags = get_u32(&r);
    (void)get_u32(&r);
    if (r.bad || flags > (FLAG_HAS_TIME | FLAG_HAS_TEXT))
        return corrupt_user(name, key, "a bad row header");
    size_t vec_bytes = m->dim * 4 * ((flags & FLAG_HAS_TEXT) ? 2 : 1);
    if (r.left < vec_bytes + 8)
        return corrupt_user(name, key, "truncated vectors");
    if (rs__user_get_or_create(m, key, klen, &idx, &created) != RS_OK)
        return RS_ERR_NOMEM;
    rs__user *u = &m->recs[idx];
    u->t_ref = t_ref;
    u->has_time = (flags & FLAG_HAS_TIME) != 0;
    if ((flags & FLAG_HAS_TEXT) && !(u->text = rs__alloc_array(m->dim, sizeof(float))))
        return RS_ERR_NOMEM;
    rs__le_get_f32s(take(&r, m->dim * 4), u->interest, m->dim); /* length checked above */
    if (u->text)
        rs__le_get_f32s(take(&r, m->dim * 4), u->text, m->dim);
    for (size_t j = 0; j < m->dim; j++)
        if (!isfinite(u->interest[j]) || (u->text && !isfinite(u->text[j])))
            return corrupt_user(name, key, "NaN or Inf in a vector");
    uint64_t n = get_u64(&r);
    if (r.bad || n > r.left / 16 || r.left != n * 16)
        return corrupt_user(name, key, "history length does not match the row");
    if (n) {
        u->items = rs__alloc_array(n, sizeof *u->items);
        u->weights = rs__alloc_array(n, sizeof *u->weights);
        u->times = rs__alloc_array(n, sizeof *u->times);
        if (!u->items || !u->weights || !u->times)
            return RS_ERR_NOMEM;
        u->cap = n;
    }
    for (uint64_t i = 0; i < n; i++) {
        uint32_t k = get_u32(&r);
        float w = get_f32(&r);
        int64_t t = (int64_t)get_u64(&r);
        if (k >= h->n_keys)
            return corrupt_user(name, key, "an event names no item of the key table");
        if (!isfinite(w))
            return corrupt_user(name, key, "a non-finite event weight");
        u->items[u->n] = h->key_item[k];
        u->weights[u->n] = w;
        u->times[u->n++] = t;
    }
    return RS_OK;
}

static int load_into(rs_user_model *m, sqlite3 *db, const char *name)
{
    sqlite3_stmt *head = NULL, *rows = NULL;
    header h = {0};
    int rc = RS_OK, step;
    bool models = false, vectors = false;
    if ((rc = rs__store_has_table(db, "user_models", &models)) != RS_OK ||
        (rc = rs__store_has_table(db, "user_vectors", &vectors)) != RS_OK)
        return rc;
    int tables = models + vectors;
    if (tables != 2)
        return rs__fail(RS_ERR_NOTFOUND, "no user model \"%s\" in the file (no user tables)",
                        name);
    if (sqlite3_prepare_v2(db, "SELECT format, dim, users, checksum, header FROM user_models"
                               " WHERE name = ?1", -1, &head, NULL) != SQLITE_OK)
        return rs__graph_db_fail(db, "reading the user model");
    sqlite3_bind_text(head, 1, name, -1, SQLITE_STATIC);
    step = sqlite3_step(head);
    if (step == SQLITE_DONE) {
        rc = rs__fail(RS_ERR_NOTFOUND, "no user model \"%s\" in the file", name);
        goto done;
    }
    if (step != SQLITE_ROW) {
        rc = rs__graph_db_fail(db, "reading the user model");
        goto done;
    }
    const void *blob = sqlite3_column_blob(head, 4);
    size_t len = (size_t)sqlite3_column_bytes(head, 4);
    if (sqlite3_column_int64(head, 0) > (sqlite3_int64)USER_FORMAT) {
        rc = rs__fail(RS_ERR_VERSION, "saved user model \"%s\" has format %lld, newer than "
                      "this library's %u", name, (long long)sqlite3_column_int64(head, 0),
                      USER_FORMAT);
        goto done;
    }
    if (!blob && sqlite3_errcode(db) == SQLITE_NOMEM) { /* not damage */
        rc = rs__graph_db_fail(db, "reading the user model");
        goto done;
    }
    if (!blob || checksum(blob, len) != sqlite3_column_int64(head, 3)) {
        rc = corrupt_header(name, "damaged blob (checksum mismatch)");
        goto done;
    }
    if ((rc = parse_header(m, name, blob, len, &h)) != RS_OK)
        goto done;
    if ((uint64_t)sqlite3_column_int64(head, 1) != h.dim ||
        (uint64_t)sqlite3_column_int64(head, 2) != h.n_users) {
        rc = corrupt_header(name, "dimension or user count differs from the header");
        goto done;
    }
    /* NOT INDEXED: a scan of the table is already in rowid order, where the
     * (model, user) index would make SQLite sort every row's blob through a
     * temporary file first (a fifth of the time to open a retail model). */
    if (sqlite3_prepare_v2(db, "SELECT user, checksum, data FROM user_vectors NOT INDEXED"
                               " WHERE model = ?1 ORDER BY rowid", -1, &rows, NULL) != SQLITE_OK) {
        rc = rs__graph_db_fail(db, "reading the users");
        goto done;
    }
    sqlite3_bind_text(rows, 1, name, -1, SQLITE_STATIC);
    uint64_t seen = 0;
    while (rc == RS_OK && (step = sqlite3_step(rows)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(rows, 0);
        const void *data = sqlite3_column_blob(rows, 2);
        size_t bytes = (size_t)sqlite3_column_bytes(rows, 2);
        if ((!key || !data) && sqlite3_errcode(db) == SQLITE_NOMEM) { /* not damage */
            rc = rs__graph_db_fail(db, "reading the users");
            break;
        }
        if (!data || checksum(data, bytes) != sqlite3_column_int64(rows, 1))
            rc = corrupt_user(name, key, "damaged blob (checksum mismatch)");
        else
            rc = parse_user(m, name, &h, key, data, bytes);
        seen++;
    }
    if (rc == RS_OK && step != SQLITE_DONE)
        rc = rs__graph_db_fail(db, "reading the users");
    if (rc == RS_OK && seen != h.n_users)
        rc = rs__fail(RS_ERR_CORRUPT, "saved user model \"%s\": %llu user rows, the header says "
                      "%llu", name, (unsigned long long)seen, (unsigned long long)h.n_users);
done:
    if (rc == RS_ERR_NOMEM)
        rc = rs__fail(RS_ERR_NOMEM, "out of memory");
    sqlite3_finalize(head);
    sqlite3_finalize(rows);
    free(h.key_item);
    return rc;
}

int rs_user_model_load(rs_graph *graph, const char *name, const rs_item_store *store,
                       rs_user_model **out)
{
    static const char fn[] = "rs_user_model_load";
    rs_user_model *m = NULL;
    int rc;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "%s: out is NULL", fn);
    *out = NULL;
    if (!graph || !store)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, graph ? "store" : "graph");
    if (rs__check_key(name, "name", NULL) != RS_OK)
        return rs__fail_context("%s: ", fn);
    if ((rc = rs_user_model_create(store, &m)) != RS_OK)
        return rc;
    if ((rc = load_into(m, rs__graph_db(graph), name)) != RS_OK) {
        rs_user_model_free(m);
        return rs__fail_context("%s: ", fn);
    }
    *out = m;
    return RS_OK;
}
