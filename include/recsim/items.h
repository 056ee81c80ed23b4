/*
 * recsim/items.h - the item store and top-k kernel, rs_item_store (src/items).
 *
 * Part of the public interface of librecsim: include recsim.h, which
 * includes every module header; this one also compiles alone.  It
 * includes the lower layers it names: base, graph, learn.
 * Generated from a one-file recsim.h by build-aux/split-header.py; edit
 * it directly from now on (CONTRIBUTING.md).
 */
#ifndef RECSIM_ITEMS_H
#define RECSIM_ITEMS_H

#include "base.h"
#include "graph.h"
#include "learn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * items: the item store and top-k kernel, rs_item_store (src/items)
 * ==================================================================== */

/*
 * An item store holds one float32 vector per item, all of one dimension, in
 * a single 64-byte-aligned row-major matrix with cached norms, and scores a
 * batch of query vectors against the whole catalogue (rs_item_store_search).
 *
 * Items are named by UTF-8 keys and numbered by dense indices 0, 1, 2, ... in
 * the order they were added.  An item keeps its index until it is removed or
 * rs_item_store_compact() runs; a removed item's index stays unused (a hole)
 * until compaction, so indices held elsewhere (exclude sets, histories) stay
 * valid.  rs_item_store_span() is the index range (live items plus holes), the
 * size bitsets over items need: rs_item_store_span() bits, in 64-bit words
 * where bit i of word i / 64 stands for index i.
 *
 * Each item also carries attribute bits (attribute 0 .. RS_ITEM_MAX_ATTRIBUTES
 * - 1, e.g. "in stock", a category number), all off when the item is added;
 * rs_item_store_attribute_filter() turns them into an allow list.
 *
 * Thread safety: a store is used by one thread at a time, except that
 * rs_item_store_search() and the other read-only calls (get, index, key,
 * count, dim, span, get_attribute, attribute_filter) may run concurrently
 * while nothing writes to the store.
 */
typedef struct rs_item_store rs_item_store;

/* The largest dimension an item store accepts. */
#define RS_ITEM_MAX_DIM 65536

/* Attributes are numbered 0 .. RS_ITEM_MAX_ATTRIBUTES - 1. */
#define RS_ITEM_MAX_ATTRIBUTES 4096

/* The index reported for an empty result slot. */
#define RS_ITEM_NONE 0xFFFFFFFFu

/* How rs_item_store_search scores a query q against an item x.  (The
 * ranking-quality metrics of the evaluation are rs_eval_metric, recsim/eval.h.) */
typedef enum rs_item_metric {
    RS_ITEM_METRIC_INNER_PRODUCT = 0, /* q . x */
    RS_ITEM_METRIC_COSINE = 1,        /* q . x / (|q| |x|); 0 when q or x is zero */
    /* the names before release 1.1 (issue 19): RS_METRIC_* was shared with
       the evaluation's metrics, so RS_METRIC_RECALL passed here meant cosine */
    RS_METRIC_INNER_PRODUCT RS_DEPRECATED_ENUMERATOR("use RS_ITEM_METRIC_INNER_PRODUCT") = 0,
    RS_METRIC_COSINE RS_DEPRECATED_ENUMERATOR("use RS_ITEM_METRIC_COSINE") = 1
} rs_item_metric;

/* How many rs_item_metric values this library knows (2 in 1.0). */
#define RS_ITEM_METRIC_COUNT 2

/**
 * rs_item_store_create - a new, empty item store of vectors of one dimension.
 *
 * @dim  the dimension of every vector, 1 .. RS_ITEM_MAX_DIM.
 * @out  receives the store, owned by the caller (rs_item_store_free); set to
 *       NULL on failure.
 *
 * Returns RS_OK, RS_ERR_INVALID (out is NULL), RS_ERR_RANGE (dim out of
 * range) or RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_item_store_create(size_t dim, rs_item_store **out);

/**
 * rs_item_store_free - release a store and everything in it.
 *
 * @store  the store, or NULL (a no-op).  Keys returned by rs_item_store_key()
 *         become invalid.
 */
RS_API void rs_item_store_free(rs_item_store *store);

/**
 * rs_item_store_dim - the dimension of the store's vectors (0 for NULL).
 */
RS_API size_t rs_item_store_dim(const rs_item_store *store);

/**
 * rs_item_store_count - how many items the store holds (0 for NULL).
 */
RS_API size_t rs_item_store_count(const rs_item_store *store);

/**
 * rs_item_store_span - the index range in use: live items plus holes left by
 * removals (0 for NULL).  Every index is below it; bitsets over items need
 * this many bits.
 */
RS_API size_t rs_item_store_span(const rs_item_store *store);

/**
 * rs_item_store_add - add an item with its vector.
 *
 * @store      the store.
 * @key        the item's key (UTF-8, 1 .. RS_MAX_KEY_BYTES bytes), copied.
 * @vector     dim floats, copied; every value finite.  A zero vector is
 *             allowed (it scores 0 under RS_ITEM_METRIC_COSINE).
 * @dim        the length of vector; must equal the store's dimension.
 * @index_out  receives the new item's index; may be NULL.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL store, key or vector; empty key),
 * RS_ERR_ENCODING (key not UTF-8), RS_ERR_RANGE (key too long; NaN or Inf in
 * vector), RS_ERR_DIM (dim differs from the store's), RS_ERR_EXISTS (the key
 * is present), RS_ERR_NOMEM, RS_ERR_LIMIT (too many items).  On failure the
 * store is unchanged.
 */
RS_API int rs_item_store_add(rs_item_store *store, const char *key, const float *vector,
                             size_t dim, uint32_t *index_out);

/**
 * rs_item_store_update - replace an item's vector; its index and attributes
 * stay.
 *
 * Arguments and errors as rs_item_store_add(), except that an unknown key
 * gives RS_ERR_NOTFOUND (and never RS_ERR_EXISTS).  On failure the store is
 * unchanged.
 */
RS_API int rs_item_store_update(rs_item_store *store, const char *key, const float *vector,
                                size_t dim);

/**
 * rs_item_store_remove - remove an item.  Its index becomes a hole that
 * searches skip, until rs_item_store_compact(); other indices do not change.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL store or key), RS_ERR_ENCODING,
 * RS_ERR_RANGE (key too long) or RS_ERR_NOTFOUND.
 */
RS_API int rs_item_store_remove(rs_item_store *store, const char *key);

/**
 * rs_item_store_get - copy an item's vector.
 *
 * @vector_out  caller-allocated array of dim floats.
 * @dim         its length; must equal the store's dimension.
 *
 * Returns RS_OK, RS_ERR_INVALID (a NULL argument), RS_ERR_NOTFOUND,
 * RS_ERR_DIM, or the key errors of rs_item_store_add().
 */
RS_API int rs_item_store_get(const rs_item_store *store, const char *key, float *vector_out,
                             size_t dim);

/**
 * rs_item_store_index - the index of an item.
 *
 * Returns RS_OK with *index_out set, RS_ERR_NOTFOUND, RS_ERR_INVALID (a NULL
 * argument) or the key errors of rs_item_store_add().
 */
RS_API int rs_item_store_index(const rs_item_store *store, const char *key,
                               uint32_t *index_out);

/**
 * rs_item_store_key - the key of the item at an index.
 *
 * Returns the key, borrowed from the store and valid until that item is
 * removed, the store compacted or freed; NULL for a hole, an index beyond
 * the span or a NULL store.
 */
RS_API const char *rs_item_store_key(const rs_item_store *store, uint32_t index);

/**
 * rs_item_store_set_attribute - switch one attribute bit of an item.
 *
 * @attribute  0 .. RS_ITEM_MAX_ATTRIBUTES - 1.
 * @on         non-zero sets the bit, 0 clears it.
 *
 * Returns RS_OK, RS_ERR_NOTFOUND, RS_ERR_RANGE (attribute out of range),
 * RS_ERR_NOMEM, or the errors of rs_item_store_remove().  Memory: each
 * attribute that is ever set costs span / 8 bytes.
 */
RS_API int rs_item_store_set_attribute(rs_item_store *store, const char *key,
                                       uint32_t attribute, int on);

/**
 * rs_item_store_get_attribute - read one attribute bit of an item into
 * *on_out (1 or 0).  Errors as rs_item_store_set_attribute(), plus
 * RS_ERR_INVALID when on_out is NULL.
 */
RS_API int rs_item_store_get_attribute(const rs_item_store *store, const char *key,
                                       uint32_t attribute, int *on_out);

/**
 * rs_item_store_attribute_filter - a bitset of the items whose attributes
 * match, to pass as the allow list of rs_item_store_search().
 *
 * @attributes    n_attributes attribute numbers; may be NULL when 0.
 * @match_all     non-zero: items having every listed attribute (with none
 *                listed: every item); 0: items having at least one.
 * @bits_out      caller-allocated bitset of n_words words; the words beyond
 *                the span are zeroed.
 * @n_words       at least (rs_item_store_span() + 63) / 64.
 *
 * Returns RS_OK, RS_ERR_INVALID (a NULL argument), RS_ERR_RANGE (an attribute
 * out of range) or RS_ERR_BUFFER (n_words too small; the message gives the
 * words needed).
 */
RS_API int rs_item_store_attribute_filter(const rs_item_store *store,
                                          const uint32_t *attributes, size_t n_attributes,
                                          int match_all, uint64_t *bits_out, size_t n_words);

/**
 * rs_item_store_compact - close the holes left by removals by moving the
 * items with the highest indices into them.  Moved items change index (look
 * them up again); their keys, vectors and attributes move with them.
 *
 * Returns RS_OK or RS_ERR_INVALID (store is NULL).
 */
RS_API int rs_item_store_compact(rs_item_store *store);

/* Options of an item store (rs_item_store_set_int / rs_item_store_get_int). */
typedef enum rs_item_store_option {
    /* How searches scan the catalogue: RS_SCAN_EXACT (default) scores every
     * item in float32; with RS_SCAN_BF16 a single-query search scans a
     * bfloat16 copy of the matrix (half the memory traffic) for
     * RS_ITEM_STORE_RERANK x k candidates, then re-scores those in float32,
     * so returned scores are exact but an item whose bfloat16 score falls
     * out of the candidates can be missed (recall@10 measured 1.0 on random
     * data; see the benchmark).  Batches of queries, bound by arithmetic
     * rather than memory, always scan in float32.  The copy costs 2 bytes
     * per value.  BF16 needs a CPU with AVX512-BF16; elsewhere searches stay
     * exact. */
    RS_ITEM_STORE_SCAN = 0,
    /* Candidates per wanted result re-scored exactly under RS_SCAN_BF16,
     * and under RS_INDEX_IVF_SQ8 (the shortlist is RERANK x k): 1 .. 64,
     * default 4. */
    RS_ITEM_STORE_RERANK = 1,
    /* The approximate index searches use once rs_item_store_build_index()
     * has built it: RS_INDEX_EXACT (default: every search scans every item),
     * RS_INDEX_IVF (an inverted file: k-means lists holding a float32 copy
     * of each vector, 4 bytes per value) or RS_INDEX_IVF_SQ8 (the lists hold
     * 8-bit scalar-quantised codes, 1 byte per value, and the RERANK x k best
     * are re-scored exactly from the store).  Choosing another kind drops an
     * index already built; RS_INDEX_EXACT keeps it but searches scan
     * everything. */
    RS_ITEM_STORE_INDEX = 2,
    /* Lists the next rs_item_store_build_index() makes: 0 (default) picks
     * 4 x sqrt(items); else 1 .. 2^20, at most the number of items. */
    RS_ITEM_STORE_NLIST = 3,
    /* Lists a search scans, the nearest to the query by inner product:
     * 1 .. 2^20 (clamped to the lists there are), default 16.  More lists,
     * higher recall, slower searches; takes effect at once. */
    RS_ITEM_STORE_NPROBE = 4,
    /* Seed of the index's k-means (sample and start): >= 0, default 0.  The
     * same items, options and seed build the same index. */
    RS_ITEM_STORE_INDEX_SEED = 5,
    /* Read-only (rs_item_store_get_int): 1 when an index is built, else 0. */
    RS_ITEM_STORE_INDEX_BUILT = 6
} rs_item_store_option;

/* Values of RS_ITEM_STORE_SCAN. */
#define RS_SCAN_EXACT 0
#define RS_SCAN_BF16 1

/* Values of RS_ITEM_STORE_INDEX. */
#define RS_INDEX_EXACT 0
#define RS_INDEX_IVF 1
#define RS_INDEX_IVF_SQ8 2

/**
 * rs_item_store_set_int - set an integer option of a store.
 *
 * @option  an rs_item_store_option.
 * @value   within the option's documented range.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL store, unknown option), RS_ERR_RANGE
 * (value out of range) or RS_ERR_NOMEM; on failure the option keeps its value.
 */
RS_API int rs_item_store_set_int(rs_item_store *store, int option, int64_t value);

/**
 * rs_item_store_get_int - read an integer option of a store into *value_out.
 *
 * Returns RS_OK or RS_ERR_INVALID (a NULL argument, an unknown option).
 */
RS_API int rs_item_store_get_int(const rs_item_store *store, int option, int64_t *value_out);

/**
 * rs_item_store_build_index - build the approximate index RS_ITEM_STORE_INDEX
 * names over the items there are now, replacing one built before.
 *
 * @store  the store; written, so nothing else may use it meanwhile.
 *
 * Spherical k-means (RS_ITEM_STORE_NLIST lists, 10 Lloyd iterations on a
 * seeded sample of up to 64 items per list, centroids of unit length) gives
 * the lists; every item goes to the list whose centroid has the largest
 * inner product with it, the score that picks the lists a query probes.
 * Afterwards rs_item_store_search() scans
 * only the RS_ITEM_STORE_NPROBE lists whose centroids score best against the
 * query, so results are approximate: recall against exact search rises with
 * nprobe (the benchmark bench/bench_ann measures it).  Filters (allow,
 * exclude, removed items) apply as in exact search, before the k best are
 * taken, so a filtered search still returns k items when the scanned lists
 * hold k admissible ones.  Items added, updated, removed or moved by
 * rs_item_store_compact() later are kept in the lists (placed by the
 * existing centroids); build again after the catalogue has changed much.
 * rs_item_store_save() stores the index with the vectors, and
 * rs_item_store_load() restores it without re-training.  For the same
 * items in the same order, options and seed the index is the same.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL store), RS_ERR_STATE
 * (RS_ITEM_STORE_INDEX is RS_INDEX_EXACT, or the store is empty),
 * RS_ERR_RANGE (RS_ITEM_STORE_NLIST larger than the number of items),
 * RS_ERR_NOMEM, RS_ERR_OVERFLOW; on failure the index built before, if any,
 * stays.  Memory: the lists cost 4 (IVF) or 1 (IVF_SQ8) byte per value plus
 * 12 bytes per item, and the centroids nlist x dim floats.
 */
RS_API int rs_item_store_build_index(rs_item_store *store);

/**
 * rs_item_store_search - the k best items for each of a batch of queries.
 *
 * @store          the store; only read, so several threads may search at
 *                 once while nothing writes to it.
 * @queries        n_queries x dim floats, row-major, finite.
 * @n_queries      how many queries; 0 is allowed and does nothing.
 * @dim            the queries' dimension; must equal the store's.
 * @k              results wanted per query; 0 is allowed.  k above the
 *                 number of items is allowed: the extra slots stay empty.
 * @metric         RS_ITEM_METRIC_INNER_PRODUCT or RS_ITEM_METRIC_COSINE.
 * @exclude        NULL, or n_queries bitsets of exclude_words words each, one
 *                 after the other: items whose bit is set are never returned
 *                 for that query (e.g. already seen).  Bits beyond
 *                 exclude_words words count as clear.
 * @exclude_words  words per exclude bitset (0 when exclude is NULL).
 * @allow          NULL (every item allowed), or a bitset of allow_words words
 *                 shared by all queries: only items whose bit is set are
 *                 returned.  Bits beyond allow_words words count as clear.
 * @allow_words    its length in words.
 * @index_out      caller-allocated n_queries x k indices: row q holds query
 *                 q's results, best first (higher score; on equal scores the
 *                 lower index).  Empty slots get RS_ITEM_NONE.
 * @score_out      caller-allocated n_queries x k scores matching index_out,
 *                 -INFINITY in empty slots; may be NULL.
 * @count_out      caller-allocated n_queries counts of filled slots; may be
 *                 NULL.
 *
 * Removed items are never returned.  With rs_set_num_threads(1) every run
 * gives bitwise the same result.  On the fused AVX-512 kernel the result does
 * not depend on the thread count either; on the BLAS path it can in the last
 * bits of the scores (and so in the order of near-ties), because OpenBLAS's
 * threaded sgemm (Debian's 0.3.21) is not bitwise reproducible across its
 * thread counts.  On x86-64 CPUs with AVX-512 a fused kernel scores 16
 * queries per instruction and applies the selection while the scores are in
 * registers, on up to rs_get_num_threads() threads of its own that never
 * call BLAS (so OpenBLAS threads are not oversubscribed); elsewhere BLAS
 * sgemm tiles (sgemv for one query) run on the calling thread and OpenBLAS
 * provides the parallelism.  Single queries may scan a bfloat16 copy, see
 * RS_ITEM_STORE_SCAN.  The environment variable RECSIM_ITEM_KERNEL=avx2 (or
 * =blas) caps the kernel chosen, to measure those paths on a CPU that has
 * more.  With an approximate index built and RS_ITEM_STORE_INDEX not
 * RS_INDEX_EXACT, the search goes through the index (see
 * rs_item_store_build_index()): queries are spread over the threads, each
 * scanning its lists on one.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL store, queries or index_out; an
 * unknown metric; a NULL bitset with a non-zero length), RS_ERR_DIM (dim
 * differs), RS_ERR_RANGE (NaN or Inf in a query), RS_ERR_NOMEM,
 * RS_ERR_OVERFLOW.  On failure the output arrays may have been written.
 */
RS_API int rs_item_store_search(const rs_item_store *store, const float *queries,
                                size_t n_queries, size_t dim, size_t k, int metric,
                                const uint64_t *exclude, size_t exclude_words,
                                const uint64_t *allow, size_t allow_words,
                                uint32_t *index_out, float *score_out, size_t *count_out);

/**
 * rs_item_store_save - write a store into the model file of a graph.
 *
 * @store  the store; only read.
 * @graph  an open, writable graph.  Every item becomes (or already is) a node
 *         of type "item" with the item's key; its vector is stored on that
 *         node as a blob with its dimension and a checksum, under @space.
 *         Attribute bits are saved too.
 * @space  the name of the vector space (a key, e.g. "als" or "text"), so that
 *         one item can carry several embeddings.  Vectors of @space on item
 *         nodes that the store does not hold are deleted.
 *
 * Returns RS_OK, or RS_ERR_INVALID (a NULL argument, a bad space name),
 * RS_ERR_READONLY (graph opened read-only), RS_ERR_IO, RS_ERR_BUSY,
 * RS_ERR_NOMEM.  The vectors are written in one transaction: on failure the
 * file keeps the space as it was (item nodes created so far remain).
 * Not thread-safe with respect to other uses of the graph.
 */
RS_API int rs_item_store_save(const rs_item_store *store, rs_graph *graph, const char *space);

/**
 * rs_item_store_load - a new store from the vectors a graph's model file
 * holds under a space (see rs_item_store_save).
 *
 * @graph  an open graph (read-only is fine).
 * @space  the space name.
 * @out    receives the store, owned by the caller (rs_item_store_free); NULL
 *         on failure.
 *
 * Items are numbered in the order their nodes were created, which need not
 * be the indices they had when saved: look items up by key.
 *
 * Returns RS_OK, or RS_ERR_INVALID (a NULL argument, a bad space name),
 * RS_ERR_NOTFOUND (no vectors under space), RS_ERR_CORRUPT (a blob whose
 * length, dimension or checksum does not match, a non-finite value; the
 * message names the node), RS_ERR_IO, RS_ERR_NOMEM.
 */
RS_API int rs_item_store_load(rs_graph *graph, const char *space, rs_item_store **out);


/* ----------------------------------------------------------------------
 * An item store from a collaborative model
 * -------------------------------------------------------------------- */

/**
 * rs_cf_model_item_store - a new item store holding the fitted ALS item
 * factors (an embedding space), so that rs_item_store_search() scores users'
 * factors (from rs_cf_model_user_factors or rs_cf_model_fold_in) with
 * RS_ITEM_METRIC_INNER_PRODUCT, which is the ALS score.
 *
 * @item_keys  n_items keys, key i naming item i (e.g. the graph keys from
 *             rs_cf_matrix_node() and rs_graph_node_key()).
 * @n_items    must equal rs_cf_model_items().
 * @out        receives the store (rs_item_store_free); item i gets store
 *             index i.  rs_item_store_save(store, graph, "als") persists it.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_STATE (not a fitted ALS model),
 * RS_ERR_DIM, RS_ERR_EXISTS (a repeated key), the key errors of
 * rs_item_store_add(), RS_ERR_NOMEM.
 */
RS_API int rs_cf_model_item_store(const rs_cf_model *model, const char *const *item_keys,
                                  size_t n_items, rs_item_store **out);

#ifdef __cplusplus
}
#endif

#endif /* RECSIM_ITEMS_H */
