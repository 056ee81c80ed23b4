/*
 * items_internal.h - the item store's layout, shared by the store, the
 * search kernel and persistence, and the internal calls other modules (the
 * scorer) may use for index-based fast paths.
 */
#ifndef RS_ITEMS_INTERNAL_H
#define RS_ITEMS_INTERNAL_H

#include "core/idmap.h"
#include "recsim.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Attributes are numbered 0 .. RS_ITEM_MAX_ATTRIBUTES - 1 (see recsim.h). */
#define RS_ITEM_ATTRIBUTES_LIMIT 4096u

/* The largest dimension a store accepts. */
#define RS_ITEM_DIM_LIMIT 65536u

struct rs_item_store {
    size_t dim;
    size_t capacity;      /* rows allocated in every per-row array */
    size_t live;          /* items present; rows [0, span) minus holes */
    float *matrix;        /* capacity x dim, row-major, RS_ALIGNMENT-aligned */
    float *inv_norm;      /* 1 / |row|, 0 for a zero row or a hole */
    uint64_t *live_bits;  /* bit i: row i holds an item */
    rs_idmap *keys;       /* key <-> row; its span is the rows in use */
    uint64_t **attribute_columns; /* per attribute a bitset over rows, or NULL */
    size_t n_attribute_columns;   /* entries in attribute_columns */
    int scan;                     /* RS_SCAN_EXACT or RS_SCAN_BF16 */
    int rerank;                   /* candidates per result re-ranked exactly */
    uint16_t *bf16;     /* with RS_SCAN_BF16: capacity x bf16_stride bfloat16
                           copy of matrix (RS_ALIGNMENT-aligned), else NULL */
    size_t bf16_stride; /* dim rounded up to even: rows are whole pairs */
    /* The approximate index (item_ivf.c): its options, and the index once
     * rs_item_store_build_index() has built it (NULL before). */
    int index_kind;         /* RS_INDEX_EXACT, RS_INDEX_IVF or RS_INDEX_IVF_SQ8 */
    int64_t nlist;          /* lists to build, 0: chosen from the count */
    int64_t nprobe;         /* lists a query scans */
    int64_t index_seed;     /* seeds the k-means sample and start */
    struct rs__ivf *ivf;
};

/* float -> bfloat16, rounding to nearest even (values are finite). */
static inline uint16_t rs__to_bf16(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    u += 0x7FFFu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

/* Rows handed out so far (live items and holes): the index range. */
static inline size_t rs__item_span(const rs_item_store *store)
{
    return rs__idmap_span(store->keys);
}

/* The row of index (no check). */
static inline const float *rs__item_row(const rs_item_store *store, size_t index)
{
    return store->matrix + index * store->dim;
}

/*
 * Which kernel rs_item_store_search uses: 0 = the best for this CPU,
 * 1 = the portable BLAS path (sgemv / sgemm tiles and a scalar scan).  For
 * the tests, to check both against the reference.  Not thread-safe.
 */
void rs__item_force_kernel(int kernel);

/* The name of the kernel searches use now ("avx512", "avx2" or "blas"). */
const char *rs__item_kernel_name(void);

/* The kernel searches use now, as a number (RS__KERNEL_*): the forced one,
 * else the best this CPU runs, capped by the environment variable
 * RECSIM_ITEM_KERNEL ("avx2" or "blas") so that a bench can measure the
 * AVX2 path on an AVX-512 machine. */
enum { RS__KERNEL_BLAS = 1, RS__KERNEL_AVX2 = 2, RS__KERNEL_AVX512 = 3 };
int rs__item_kernel_in_use(void);

/* rs_item_store_search on at most max_workers threads (0: the library's
 * thread count); 1 from inside a parallel loop, whose workers must not
 * start threads of their own. */
int rs__item_store_search_on(const rs_item_store *store, const float *queries,
                             size_t n_queries, size_t dim, size_t k, int metric,
                             const uint64_t *exclude, size_t exclude_words,
                             const uint64_t *allow, size_t allow_words, uint32_t *index_out,
                             float *score_out, size_t *count_out, unsigned max_workers);

/* The catalogue size from which a built model gets an approximate index
 * (RS_INDEX_IVF_SQ8) by default: below it exact search takes well under a
 * millisecond per query at the model's dimensions. */
#define RS_ITEM_INDEX_DEFAULT_MIN 100000u

/* Build the default approximate index when the store holds at least
 * RS_ITEM_INDEX_DEFAULT_MIN items (else do nothing).  0 or a status. */
int rs__item_store_default_index(rs_item_store *store);

/* Insert an item at the next index without the public checks on the vector
 * (used by load, which has verified the blob).  0 or a status. */
int rs__item_store_insert(rs_item_store *store, const char *key, size_t key_len,
                          const float *vector, uint32_t *index_out);

#endif
