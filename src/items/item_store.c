/*
 * item_store.c - the rs_item_store handle: one row-major float32 matrix with
 * cached inverse norms, keyed by an idmap, with per-item attribute bits.
 *
 * Removing an item leaves a hole (a zero row, its live bit cleared) so that
 * every other item keeps its index; rs_item_store_compact() closes holes.
 */
#include "items/items_internal.h"
#include "items/item_ivf.h"

#include "core/alloc.h"
#include "core/bitset.h"
#include "core/error.h"
#include "core/utf8.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_CAPACITY 64u

int rs_item_store_create(size_t dim, rs_item_store **out)
{
    rs_item_store *store;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "rs_item_store_create: out is NULL");
    *out = NULL;
    if (dim == 0 || dim > RS_ITEM_DIM_LIMIT)
        return rs__fail(RS_ERR_RANGE,
                        "rs_item_store_create: dimension %zu is outside [1, %u]", dim,
                        RS_ITEM_DIM_LIMIT);
    store = rs__calloc(1, sizeof *store);
    if (!store)
        return RS_ERR_NOMEM;
    store->dim = dim;
    store->scan = RS_SCAN_EXACT;
    store->rerank = 4;
    store->bf16_stride = dim + dim % 2;
    store->nprobe = 16;
    store->keys = rs__idmap_create();
    if (!store->keys) {
        rs_item_store_free(store);
        return RS_ERR_NOMEM;
    }
    *out = store;
    return RS_OK;
}

void rs_item_store_free(rs_item_store *store)
{
    if (!store)
        return;
    for (size_t a = 0; a < store->n_attribute_columns; a++)
        free(store->attribute_columns[a]);
    free(store->attribute_columns);
    rs__aligned_free(store->matrix);
    rs__aligned_free(store->bf16);
    free(store->inv_norm);
    free(store->live_bits);
    rs__idmap_free(store->keys);
    rs__ivf_free(store->ivf);
    free(store);
}

size_t rs_item_store_dim(const rs_item_store *store)
{
    return store ? store->dim : 0;
}

size_t rs_item_store_count(const rs_item_store *store)
{
    return store ? store->live : 0;
}

size_t rs_item_store_span(const rs_item_store *store)
{
    return store ? rs__item_span(store) : 0;
}

/* ------------------------------------------------------------ checks */

static int check_store(const rs_item_store *store, const char *fn)
{
    if (!store)
        return rs__fail(RS_ERR_INVALID, "%s: store is NULL", fn);
    return 0;
}

/* A vector argument: not NULL, the store's dimension, every value finite. */
static int check_vector(const rs_item_store *store, const float *vector, size_t dim,
                        const char *fn, const char *key)
{
    if (!vector)
        return rs__fail(RS_ERR_INVALID, "%s: vector for item '%s' is NULL", fn, key);
    if (dim != store->dim)
        return rs__fail(RS_ERR_DIM, "%s: vector for item '%s' has dimension %zu, store has %zu",
                        fn, key, dim, store->dim);
    for (size_t d = 0; d < dim; d++)
        if (!isfinite(vector[d]))
            return rs__fail(RS_ERR_RANGE, "%s: vector for item '%s' has %s at position %zu",
                            fn, key, isnan(vector[d]) ? "NaN" : "Inf", d);
    return 0;
}

/* The row of key, or a failure naming it. */
static int find_row(const rs_item_store *store, const char *key, const char *fn,
                    uint32_t *row_out)
{
    size_t len;
    int rc = rs__check_key(key, "item key", &len);
    if (rc < 0)
        return rs__fail_context("%s: ", fn);
    *row_out = rs__idmap_find(store->keys, key, len);
    if (*row_out == RS_IDMAP_NONE)
        return rs__fail(RS_ERR_NOTFOUND, "%s: no item '%s'", fn, key);
    return 0;
}

/* ------------------------------------------------------------ rows */

static float inverse_norm(const float *v, size_t dim)
{
    double sum = 0.0;
    for (size_t d = 0; d < dim; d++)
        sum += (double)v[d] * v[d];
    return sum > 0.0 ? (float)(1.0 / sqrt(sum)) : 0.0f;
}

/* Make every per-row array hold at least `rows` rows.  All new buffers are
 * allocated before any is swapped in, so a failure changes nothing. */
static int reserve_rows(rs_item_store *store, size_t rows)
{
    size_t capacity = store->capacity ? store->capacity : MIN_CAPACITY;
    size_t matrix_bytes, old_words, new_words;
    float *matrix, *inv_norm;
    uint16_t *bf16 = NULL;
    uint64_t *live_bits, **columns = NULL;
    if (rows <= store->capacity)
        return 0;
    while (capacity < rows) {
        if (capacity > SIZE_MAX / 2)
            return rs__fail(RS_ERR_OVERFLOW, "item store cannot grow to %zu rows", rows);
        capacity *= 2;
    }
    if (rs__mul_size(capacity, store->dim, &matrix_bytes) < 0 ||
        rs__mul_size(matrix_bytes, sizeof(float), &matrix_bytes) < 0)
        return RS_ERR_OVERFLOW;
    old_words = rs__bitset_words(store->capacity);
    new_words = rs__bitset_words(capacity);
    matrix = rs__scan_alloc(matrix_bytes);
    inv_norm = rs__alloc_array(capacity, sizeof *inv_norm);
    live_bits = rs__calloc(new_words, sizeof *live_bits);
    if (store->n_attribute_columns)
        columns = rs__calloc(store->n_attribute_columns, sizeof *columns);
    if (!matrix || !inv_norm || !live_bits || (store->n_attribute_columns && !columns))
        goto fail;
    if (store->bf16) {
        bf16 = rs__scan_alloc(capacity * store->bf16_stride * sizeof *bf16);
        if (!bf16)
            goto fail;
        memcpy(bf16, store->bf16, store->capacity * store->bf16_stride * sizeof *bf16);
    }
    for (size_t a = 0; a < store->n_attribute_columns; a++) {
        if (!store->attribute_columns[a])
            continue;
        columns[a] = rs__calloc(new_words, sizeof **columns);
        if (!columns[a])
            goto fail;
        memcpy(columns[a], store->attribute_columns[a], old_words * sizeof **columns);
    }
    if (store->capacity) {
        memcpy(matrix, store->matrix, store->capacity * store->dim * sizeof(float));
        memcpy(inv_norm, store->inv_norm, store->capacity * sizeof(float));
        memcpy(live_bits, store->live_bits, old_words * sizeof *live_bits);
    }
    for (size_t a = 0; a < store->n_attribute_columns; a++) {
        free(store->attribute_columns[a]);
        store->attribute_columns[a] = columns[a];
    }
    free(columns);
    rs__aligned_free(store->matrix);
    free(store->inv_norm);
    free(store->live_bits);
    if (bf16) {
        rs__aligned_free(store->bf16);
        store->bf16 = bf16;
    }
    store->matrix = matrix;
    store->inv_norm = inv_norm;
    store->live_bits = live_bits;
    store->capacity = capacity;
    return 0;
fail:
    if (columns)
        for (size_t a = 0; a < store->n_attribute_columns; a++)
            free(columns[a]);
    free(columns);
    free(live_bits);
    free(inv_norm);
    rs__aligned_free(matrix);
    rs__aligned_free(bf16);
    return RS_ERR_NOMEM;
}

/* The bfloat16 copy of a row (its padding value stays 0). */
static void write_bf16_row(rs_item_store *store, size_t row)
{
    const float *x = store->matrix + row * store->dim;
    uint16_t *out = store->bf16 + row * store->bf16_stride;
    for (size_t d = 0; d < store->dim; d++)
        out[d] = rs__to_bf16(x[d]);
    if (store->bf16_stride > store->dim)
        out[store->dim] = 0;
}

static void write_row(rs_item_store *store, uint32_t row, const float *vector)
{
    memcpy(store->matrix + (size_t)row * store->dim, vector, store->dim * sizeof(float));
    store->inv_norm[row] = inverse_norm(vector, store->dim);
    if (store->bf16)
        write_bf16_row(store, row);
}

int rs__item_store_insert(rs_item_store *store, const char *key, size_t key_len,
                          const float *vector, uint32_t *index_out)
{
    uint32_t row;
    bool created;
    int rc = reserve_rows(store, rs__item_span(store) + 1);
    if (rc < 0)
        return rc;
    rc = rs__idmap_intern(store->keys, key, key_len, &row, &created);
    if (rc < 0)
        return rc;
    if (!created)
        return rs__fail(RS_ERR_EXISTS, "item '%s' exists already", key);
    write_row(store, row, vector);
    rs__bitset_set(store->live_bits, row);
    store->live++;
    rs__ivf_put(store, row);
    if (index_out)
        *index_out = row;
    return 0;
}

int rs_item_store_add(rs_item_store *store, const char *key, const float *vector,
                      size_t dim, uint32_t *index_out)
{
    size_t len;
    int rc = check_store(store, "rs_item_store_add");
    if (rc < 0)
        return rc;
    if (rs__check_key(key, "item key", &len) < 0)
        return rs__fail_context("rs_item_store_add: ");
    if ((rc = check_vector(store, vector, dim, "rs_item_store_add", key)) < 0)
        return rc;
    if (rs__idmap_find(store->keys, key, len) != RS_IDMAP_NONE)
        return rs__fail(RS_ERR_EXISTS, "rs_item_store_add: item '%s' exists already", key);
    return rs__item_store_insert(store, key, len, vector, index_out);
}

int rs_item_store_update(rs_item_store *store, const char *key, const float *vector,
                         size_t dim)
{
    uint32_t row;
    int rc = check_store(store, "rs_item_store_update");
    if (rc < 0 || (rc = find_row(store, key, "rs_item_store_update", &row)) < 0)
        return rc;
    if ((rc = check_vector(store, vector, dim, "rs_item_store_update", key)) < 0)
        return rc;
    write_row(store, row, vector);
    rs__ivf_put(store, row);
    return RS_OK;
}

int rs_item_store_remove(rs_item_store *store, const char *key)
{
    uint32_t row;
    int rc = check_store(store, "rs_item_store_remove");
    if (rc < 0 || (rc = find_row(store, key, "rs_item_store_remove", &row)) < 0)
        return rc;
    rs__idmap_remove(store->keys, key, strlen(key));
    rs__ivf_remove(store, row);
    memset(store->matrix + (size_t)row * store->dim, 0, store->dim * sizeof(float));
    store->inv_norm[row] = 0.0f;
    if (store->bf16)
        write_bf16_row(store, row);
    rs__bitset_clear(store->live_bits, row);
    for (size_t a = 0; a < store->n_attribute_columns; a++)
        if (store->attribute_columns[a])
            rs__bitset_clear(store->attribute_columns[a], row);
    store->live--;
    return RS_OK;
}

int rs_item_store_get(const rs_item_store *store, const char *key, float *vector_out,
                      size_t dim)
{
    uint32_t row;
    int rc = check_store(store, "rs_item_store_get");
    if (rc < 0 || (rc = find_row(store, key, "rs_item_store_get", &row)) < 0)
        return rc;
    if (!vector_out)
        return rs__fail(RS_ERR_INVALID, "rs_item_store_get: vector_out is NULL");
    if (dim != store->dim)
        return rs__fail(RS_ERR_DIM, "rs_item_store_get: buffer has dimension %zu, store has %zu",
                        dim, store->dim);
    memcpy(vector_out, rs__item_row(store, row), dim * sizeof(float));
    return RS_OK;
}

int rs_item_store_index(const rs_item_store *store, const char *key, uint32_t *index_out)
{
    uint32_t row;
    int rc = check_store(store, "rs_item_store_index");
    if (rc < 0)
        return rc;
    if (!index_out)
        return rs__fail(RS_ERR_INVALID, "rs_item_store_index: index_out is NULL");
    if ((rc = find_row(store, key, "rs_item_store_index", &row)) < 0)
        return rc;
    *index_out = row;
    return RS_OK;
}

const char *rs_item_store_key(const rs_item_store *store, uint32_t index)
{
    if (!store)
        return NULL;
    return rs__idmap_key(store->keys, index, NULL);
}

/* ------------------------------------------------------------ attributes */

static int check_attribute(uint32_t attribute, const char *fn)
{
    if (attribute >= RS_ITEM_ATTRIBUTES_LIMIT)
        return rs__fail(RS_ERR_RANGE, "%s: attribute %u is outside [0, %u)", fn, attribute,
                        RS_ITEM_ATTRIBUTES_LIMIT);
    return 0;
}

int rs_item_store_set_attribute(rs_item_store *store, const char *key, uint32_t attribute,
                                int on)
{
    const char *fn = "rs_item_store_set_attribute";
    uint32_t row;
    int rc = check_store(store, fn);
    if (rc < 0 || (rc = find_row(store, key, fn, &row)) < 0 ||
        (rc = check_attribute(attribute, fn)) < 0)
        return rc;
    if (attribute >= store->n_attribute_columns) {
        uint64_t **columns;
        if (!on)
            return RS_OK;
        columns = rs__realloc_array(store->attribute_columns, (size_t)attribute + 1,
                                    sizeof *columns);
        if (!columns)
            return RS_ERR_NOMEM;
        for (size_t a = store->n_attribute_columns; a <= attribute; a++)
            columns[a] = NULL;
        store->attribute_columns = columns;
        store->n_attribute_columns = (size_t)attribute + 1;
    }
    if (!store->attribute_columns[attribute]) {
        if (!on)
            return RS_OK;
        store->attribute_columns[attribute] =
            rs__calloc(rs__bitset_words(store->capacity), sizeof(uint64_t));
        if (!store->attribute_columns[attribute])
            return RS_ERR_NOMEM;
    }
    if (on)
        rs__bitset_set(store->attribute_columns[attribute], row);
    else
        rs__bitset_clear(store->attribute_columns[attribute], row);
    return RS_OK;
}

int rs_item_store_get_attribute(const rs_item_store *store, const char *key,
                                uint32_t attribute, int *on_out)
{
    const char *fn = "rs_item_store_get_attribute";
    uint32_t row;
    int rc = check_store(store, fn);
    if (rc < 0 || (rc = find_row(store, key, fn, &row)) < 0 ||
        (rc = check_attribute(attribute, fn)) < 0)
        return rc;
    if (!on_out)
        return rs__fail(RS_ERR_INVALID, "%s: on_out is NULL", fn);
    *on_out = attribute < store->n_attribute_columns && store->attribute_columns[attribute] &&
              rs__bitset_test(store->attribute_columns[attribute], row);
    return RS_OK;
}

int rs_item_store_attribute_filter(const rs_item_store *store, const uint32_t *attributes,
                                   size_t n_attributes, int match_all, uint64_t *bits_out,
                                   size_t n_words)
{
    const char *fn = "rs_item_store_attribute_filter";
    size_t span_words;
    int rc = check_store(store, fn);
    if (rc < 0)
        return rc;
    if (!bits_out)
        return rs__fail(RS_ERR_INVALID, "%s: bits_out is NULL", fn);
    if (n_attributes && !attributes)
        return rs__fail(RS_ERR_INVALID, "%s: attributes is NULL", fn);
    for (size_t j = 0; j < n_attributes; j++)
        if ((rc = check_attribute(attributes[j], fn)) < 0)
            return rc;
    span_words = rs__bitset_words(rs__item_span(store));
    if (n_words < span_words)
        return rs__fail(RS_ERR_BUFFER, "%s: bits_out has %zu words, %zu needed", fn, n_words,
                        span_words);
    /* Start from "every live item" (all) or "none" (any), then fold. */
    for (size_t w = 0; w < n_words; w++)
        bits_out[w] = (match_all && w < span_words) ? store->live_bits[w] : 0;
    for (size_t j = 0; j < n_attributes; j++) {
        uint32_t a = attributes[j];
        const uint64_t *column =
            a < store->n_attribute_columns ? store->attribute_columns[a] : NULL;
        for (size_t w = 0; w < span_words; w++) {
            uint64_t bits = column ? column[w] : 0;
            bits_out[w] = match_all ? (bits_out[w] & bits) : (bits_out[w] | bits);
        }
    }
    return RS_OK;
}

/* ------------------------------------------------------------ compaction */

int rs_item_store_compact(rs_item_store *store)
{
    size_t span;
    int rc = check_store(store, "rs_item_store_compact");
    if (rc < 0)
        return rc;
    span = rs__item_span(store);
    /* Move the last live row into the first hole until none is left: each
     * live item moves at most once, and the relative order of the rest
     * is kept. */
    size_t hole = 0, last = span;
    for (;;) {
        while (hole < last && rs__bitset_test(store->live_bits, hole))
            hole++;
        while (last > hole && !rs__bitset_test(store->live_bits, last - 1))
            last--;
        if (hole >= last)
            break;
        size_t from = last - 1;
        rc = rs__idmap_move(store->keys, (uint32_t)from, (uint32_t)hole);
        if (rc < 0)
            return rc;
        memcpy(store->matrix + hole * store->dim, store->matrix + from * store->dim,
               store->dim * sizeof(float));
        memset(store->matrix + from * store->dim, 0, store->dim * sizeof(float));
        store->inv_norm[hole] = store->inv_norm[from];
        store->inv_norm[from] = 0.0f;
        if (store->bf16) {
            write_bf16_row(store, hole);
            write_bf16_row(store, from);
        }
        rs__bitset_set(store->live_bits, hole);
        rs__bitset_clear(store->live_bits, from);
        rs__ivf_move(store, (uint32_t)from, (uint32_t)hole);
        for (size_t a = 0; a < store->n_attribute_columns; a++) {
            uint64_t *column = store->attribute_columns[a];
            if (!column)
                continue;
            if (rs__bitset_test(column, from))
                rs__bitset_set(column, hole);
            else
                rs__bitset_clear(column, hole);
            rs__bitset_clear(column, from);
        }
        last = from;
    }
    return RS_OK;
}

/* ------------------------------------------------------------ options */

static int set_index_option(rs_item_store *store, int option, int64_t value);

int rs_item_store_build_index(rs_item_store *store)
{
    int rc = check_store(store, "rs_item_store_build_index");
    return rc < 0 ? rc : rs__ivf_build(store);
}

int rs_item_store_set_int(rs_item_store *store, int option, int64_t value)
{
    const char *fn = "rs_item_store_set_int";
    int rc = check_store(store, fn);
    if (rc < 0)
        return rc;
    switch (option) {
    case RS_ITEM_STORE_SCAN:
        if (value != RS_SCAN_EXACT && value != RS_SCAN_BF16)
            return rs__fail(RS_ERR_RANGE, "%s: RS_ITEM_STORE_SCAN %lld is not RS_SCAN_EXACT (0)"
                            " or RS_SCAN_BF16 (1)", fn, (long long)value);
        if (value == RS_SCAN_BF16 && !store->bf16) {
            size_t bytes;
            if (rs__mul_size(store->capacity ? store->capacity : 1, store->bf16_stride,
                             &bytes) < 0 ||
                rs__mul_size(bytes, sizeof(uint16_t), &bytes) < 0)
                return RS_ERR_OVERFLOW;
            store->bf16 = rs__scan_alloc(bytes);
            if (!store->bf16)
                return RS_ERR_NOMEM;
            for (size_t row = 0; row < rs__item_span(store); row++)
                write_bf16_row(store, row);
        } else if (value == RS_SCAN_EXACT) {
            rs__aligned_free(store->bf16);
            store->bf16 = NULL;
        }
        store->scan = (int)value;
        return RS_OK;
    case RS_ITEM_STORE_RERANK:
        if (value < 1 || value > 64)
            return rs__fail(RS_ERR_RANGE, "%s: RS_ITEM_STORE_RERANK %lld is outside [1, 64]",
                            fn, (long long)value);
        store->rerank = (int)value;
        return RS_OK;
    default:
        return set_index_option(store, option, value);
    }
}

/* The options of the approximate index (see recsim.h). */
static int set_index_option(rs_item_store *store, int option, int64_t value)
{
    const char *fn = "rs_item_store_set_int";
    switch (option) {
    case RS_ITEM_STORE_INDEX:
        if (value != RS_INDEX_EXACT && value != RS_INDEX_IVF && value != RS_INDEX_IVF_SQ8)
            return rs__fail(RS_ERR_RANGE, "%s: RS_ITEM_STORE_INDEX %lld is not RS_INDEX_EXACT"
                            " (0), RS_INDEX_IVF (1) or RS_INDEX_IVF_SQ8 (2)", fn,
                            (long long)value);
        /* A built index of another kind no longer applies (RS_INDEX_EXACT
         * keeps it, unused). */
        if (store->ivf && value != RS_INDEX_EXACT && store->ivf->kind != value) {
            rs__ivf_free(store->ivf);
            store->ivf = NULL;
        }
        store->index_kind = (int)value;
        return RS_OK;
    case RS_ITEM_STORE_NLIST:
        if (value < 0 || value > (1 << 20))
            return rs__fail(RS_ERR_RANGE, "%s: RS_ITEM_STORE_NLIST %lld is outside [0, 2^20]",
                            fn, (long long)value);
        store->nlist = value;
        return RS_OK;
    case RS_ITEM_STORE_NPROBE:
        if (value < 1 || value > (1 << 20))
            return rs__fail(RS_ERR_RANGE, "%s: RS_ITEM_STORE_NPROBE %lld is outside [1, 2^20]",
                            fn, (long long)value);
        store->nprobe = value;
        return RS_OK;
    case RS_ITEM_STORE_INDEX_SEED:
        if (value < 0)
            return rs__fail(RS_ERR_RANGE, "%s: RS_ITEM_STORE_INDEX_SEED %lld is negative", fn,
                            (long long)value);
        store->index_seed = value;
        return RS_OK;
    default:
        return rs__fail(RS_ERR_INVALID, "%s: unknown option %d", fn, option);
    }
}

int rs_item_store_get_int(const rs_item_store *store, int option, int64_t *value_out)
{
    const char *fn = "rs_item_store_get_int";
    int rc = check_store(store, fn);
    if (rc < 0)
        return rc;
    if (!value_out)
        return rs__fail(RS_ERR_INVALID, "%s: value_out is NULL", fn);
    switch (option) {
    case RS_ITEM_STORE_SCAN:
        *value_out = store->scan;
        return RS_OK;
    case RS_ITEM_STORE_RERANK:
        *value_out = store->rerank;
        return RS_OK;
    case RS_ITEM_STORE_INDEX:
        *value_out = store->index_kind;
        return RS_OK;
    case RS_ITEM_STORE_NLIST:
        *value_out = store->nlist;
        return RS_OK;
    case RS_ITEM_STORE_NPROBE:
        *value_out = store->nprobe;
        return RS_OK;
    case RS_ITEM_STORE_INDEX_SEED:
        *value_out = store->index_seed;
        return RS_OK;
    case RS_ITEM_STORE_INDEX_BUILT:
        *value_out = store->ivf != NULL;
        return RS_OK;
    default:
        return rs__fail(RS_ERR_INVALID, "%s: unknown option %d", fn, option);
    }
}
