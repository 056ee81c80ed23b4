/*
 * item_ivf_persist.c - the approximate index in the model file, beside the
 * store's vectors: one meta value "item_store.SPACE.index" holding the
 * options, the centroids, the SQ8 ranges and each item's list (in node-id
 * order, the order rs_item_store_load reads items in), checksummed.  The
 * codes are not stored: load re-encodes them from the vectors, which is
 * linear, while re-training (k-means) is not.  An empty value: no index.
 *
 * Layout (little-endian): "RSIVF002", u32 kind, dim, nlist, nprobe, u64 seed,
 * u64 items, f32 centroids[nlist x dim], SQ8 only: f32 min[dim], step[dim],
 * u32 list[items], u64 XXH3 of all before.
 *
 * "RSIVF002": spherical lists (unit centroids, each item in the list of its
 * largest x.c).  "RSIVF001", the same layout written before, holds L2
 * k-means lists: it still loads, and items added to it later go to their
 * nearest centroid in L2, as its lists were built.
 */
#include "items/item_ivf.h"

#include "core/alloc.h"
#include "core/bitset.h"
#include "core/error.h"
#include "graph/graph_internal.h"
#include "store/store.h"
#include "items/item_kmeans.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define MAGIC "RSIVF002"
#define MAGIC_L2 "RSIVF001"
#define HEADER_BYTES (8u + 4u * 4u + 8u + 8u)

static int index_key(char *buf, size_t size, const char *space)
{
    return rs__store_key(buf, size, RS__ITEM_INDEX_FIELD, space);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (unsigned b = 0; b < 4; b++)
        p[b] = (unsigned char)(v >> (8 * b));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (unsigned b = 0; b < 8; b++)
        p[b] = (unsigned char)(v >> (8 * b));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (unsigned b = 0; b < 4; b++)
        v |= (uint32_t)p[b] << (8 * b);
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (unsigned b = 0; b < 8; b++)
        v |= (uint64_t)p[b] << (8 * b);
    return v;
}

static void put_floats(unsigned char *p, const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], sizeof u);
        put_u32(p + 4 * i, u);
    }
}

/* Decode n floats; false if one is not finite. */
static bool get_floats(const unsigned char *p, float *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t u = get_u32(p + 4 * i);
        memcpy(&v[i], &u, sizeof u);
        if (!isfinite(v[i]))
            return false;
    }
    return true;
}

/* ------------------------------------------------------------ save */

struct by_rowid {
    int64_t rowid;
    uint32_t row;
};

static int compare_rowid(const void *a, const void *b)
{
    int64_t x = ((const struct by_rowid *)a)->rowid, y = ((const struct by_rowid *)b)->rowid;
    return (x > y) - (x < y);
}

int rs__ivf_save(const rs_item_store *store, rs_graph *graph, const char *space,
                 const int64_t *rowids)
{
    const struct rs__ivf *ivf = store->ivf;
    char key[64 + RS_MAX_KEY_BYTES];
    size_t span = rs__item_span(store), n = 0, floats, bytes;
    struct by_rowid *order;
    unsigned char *blob, *p;
    int rc;
    if ((rc = index_key(key, sizeof key, space)) != 0)
        return rc;
    if (!ivf || store->index_kind == RS_INDEX_EXACT)
        return rs__graph_meta_set(graph, key, "", 0);
    floats = ivf->nlist * ivf->dim + (ivf->kind == RS_INDEX_IVF_SQ8 ? 2 * ivf->dim : 0);
    if (rs__mul_size(floats + store->live, 4, &bytes) < 0 ||
        rs__add_size(bytes, HEADER_BYTES + 8, &bytes) < 0)
        return RS_ERR_OVERFLOW;
    order = rs__alloc_array(store->live + 1, sizeof *order);
    blob = rs__malloc(bytes);
    if (!order || !blob) {
        free(order);
        free(blob);
        return RS_ERR_NOMEM;
    }
    for (size_t r = 0; r < span; r++)
        if (rs__bitset_test(store->live_bits, r))
            order[n].rowid = rowids[r], order[n++].row = (uint32_t)r;
    qsort(order, n, sizeof *order, compare_rowid);
    memcpy(blob, MAGIC, 8);
    put_u32(blob + 8, (uint32_t)ivf->kind);
    put_u32(blob + 12, (uint32_t)ivf->dim);
    put_u32(blob + 16, (uint32_t)ivf->nlist);
    put_u32(blob + 20, (uint32_t)(store->nprobe > UINT32_MAX ? UINT32_MAX : store->nprobe));
    put_u64(blob + 24, (uint64_t)store->index_seed);
    put_u64(blob + 32, (uint64_t)n);
    p = blob + HEADER_BYTES;
    put_floats(p, ivf->centroids, ivf->nlist * ivf->dim);
    p += 4 * ivf->nlist * ivf->dim;
    if (ivf->kind == RS_INDEX_IVF_SQ8) {
        put_floats(p, ivf->sq_min, ivf->dim);
        put_floats(p + 4 * ivf->dim, ivf->sq_step, ivf->dim);
        p += 8 * ivf->dim;
    }
    for (size_t i = 0; i < n; i++)
        put_u32(p + 4 * i, ivf->list_of[order[i].row]);
    p += 4 * n;
    rs__blob_seal(blob, bytes);
    rc = rs__graph_meta_set(graph, key, blob, bytes);
    free(order);
    free(blob);
    return rc;
}

/* ------------------------------------------------------------ load */

static int corrupt(const char *space, const char *what)
{
    char key[64 + RS_MAX_KEY_BYTES];
    if (index_key(key, sizeof key, space) != 0)
        snprintf(key, sizeof key, "item_store.index:?");
    return rs__store_corrupt("meta", key, what);
}

/* Parse the blob into ivf (quantiser) and *assign_out (NULL when the item
 * count no longer matches: the lists are then re-assigned). */
static int parse(const unsigned char *blob, size_t len, const rs_item_store *store,
                 const char *space, struct rs__ivf *ivf, int64_t *nprobe_out,
                 int64_t *seed_out, uint32_t **assign_out)
{
    size_t floats, need, items;
    const unsigned char *p;
    *assign_out = NULL;
    char key[64 + RS_MAX_KEY_BYTES];
    size_t end;
    int rc;
    bool l2 = len >= 8 && memcmp(blob, MAGIC_L2, 8) == 0;
    if ((rc = index_key(key, sizeof key, space)) != 0 ||
        (rc = rs__blob_check(blob, len, l2 ? MAGIC_L2 : MAGIC, 8, "meta", key, &end)) != 0)
        return rc;
    if (len < HEADER_BYTES + 8)
        return corrupt(space, "damaged blob (truncated)");
    ivf->kind = (int)get_u32(blob + 8);
    ivf->dim = get_u32(blob + 12);
    ivf->nlist = get_u32(blob + 16);
    *nprobe_out = get_u32(blob + 20);
    *seed_out = (int64_t)(get_u64(blob + 24) & INT64_MAX);
    items = (size_t)get_u64(blob + 32);
    if (ivf->kind != RS_INDEX_IVF && ivf->kind != RS_INDEX_IVF_SQ8)
        return corrupt(space, "unknown index kind");
    if (ivf->dim != store->dim)
        return corrupt(space, "dimension differs from the vectors'");
    if (ivf->nlist == 0 || ivf->nlist > (1u << 20) || *nprobe_out < 1)
        return corrupt(space, "nlist or nprobe out of range");
    floats = ivf->nlist * ivf->dim + (ivf->kind == RS_INDEX_IVF_SQ8 ? 2 * ivf->dim : 0);
    if (items > (len - HEADER_BYTES - 8) / 4 ||
        (need = HEADER_BYTES + 8 + 4 * (floats + items)) != len)
        return corrupt(space, "length does not match its header");
    ivf->value_bytes = ivf->kind == RS_INDEX_IVF_SQ8 ? 1 : sizeof(float);
    ivf->centroids = rs__alloc_array(ivf->nlist * ivf->dim, sizeof(float));
    if (l2 && !(ivf->half_norm = rs__alloc_array(ivf->nlist, sizeof(float))))
        return RS_ERR_NOMEM;
    if (ivf->kind == RS_INDEX_IVF_SQ8) {
        ivf->sq_min = rs__alloc_array(ivf->dim, sizeof(float));
        ivf->sq_step = rs__alloc_array(ivf->dim, sizeof(float));
        if (!ivf->sq_min || !ivf->sq_step)
            return RS_ERR_NOMEM;
    }
    if (!ivf->centroids)
        return RS_ERR_NOMEM;
    p = blob + HEADER_BYTES;
    if (!get_floats(p, ivf->centroids, ivf->nlist * ivf->dim))
        return corrupt(space, "a centroid is not finite");
    p += 4 * ivf->nlist * ivf->dim;
    if (ivf->kind == RS_INDEX_IVF_SQ8) {
        if (!get_floats(p, ivf->sq_min, ivf->dim) ||
            !get_floats(p + 4 * ivf->dim, ivf->sq_step, ivf->dim))
            return corrupt(space, "a quantiser range is not finite");
        p += 8 * ivf->dim;
    }
    if (l2)
        rs__kmeans_half_norms(ivf->centroids, ivf->nlist, ivf->dim, ivf->half_norm);
    if (items != store->live)
        return 0;
    *assign_out = rs__alloc_array(items + 1, sizeof **assign_out);
    if (!*assign_out)
        return RS_ERR_NOMEM;
    for (size_t i = 0; i < items; i++)
        if (((*assign_out)[i] = get_u32(p + 4 * i)) > ivf->nlist) /* nlist: outlier */
            return corrupt(space, "an item's list is out of range");
    return 0;
}

int rs__ivf_load(rs_item_store *store, rs_graph *graph, const char *space)
{
    char key[64 + RS_MAX_KEY_BYTES];
    void *blob = NULL;
    size_t len = 0;
    rs_error_state before;
    struct rs__ivf *ivf;
    uint32_t *assign = NULL;
    int64_t nprobe = 0, seed = 0;
    int rc;
    if ((rc = index_key(key, sizeof key, space)) != 0)
        return rc;
    rs__error_save(&before);
    rc = rs__graph_meta_get(graph, key, &blob, &len);
    if (rc == RS_ERR_NOTFOUND) { /* a file without an index */
        rs__error_restore(&before);
        return 0;
    }
    if (rc < 0)
        return rc;
    if (len == 0) {
        free(blob);
        return 0;
    }
    ivf = rs__calloc(1, sizeof *ivf);
    rc = ivf ? parse(blob, len, store, space, ivf, &nprobe, &seed, &assign) : RS_ERR_NOMEM;
    free(blob);
    if (rc == 0)
        rc = rs__ivf_fill(store, ivf, assign);
    free(assign);
    if (rc < 0) {
        rs__ivf_free(ivf);
        return rc;
    }
    store->ivf = ivf;
    store->index_kind = ivf->kind;
    store->nlist = (int64_t)ivf->nlist;
    store->nprobe = nprobe;
    store->index_seed = seed;
    return 0;
}
