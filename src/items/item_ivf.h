/*
 * item_ivf.h - the approximate index of an item store (an inverted file:
 * k-means lists over full or 8-bit scalar-quantised copies of the vectors,
 * the shortlist re-ranked exactly), shared by the store, search and
 * persistence.
 */
#ifndef RS_ITEM_IVF_H
#define RS_ITEM_IVF_H

#include "items/items_internal.h"

/* Entries per block of a list: a block holds 16 vectors transposed
 * (dimension-major), so one 16-lane FMA scores 16 items for one dimension. */
#define RS_IVF_BLOCK 16u

struct rs__ivf_list {
    uint32_t *ids;       /* cap item indices; RS_ITEM_NONE past size */
    unsigned char *codes; /* cap / 16 blocks of dim x 16 values (float or uint8) */
    size_t size, cap;    /* cap: a multiple of RS_IVF_BLOCK */
};

struct rs__ivf {
    int kind;           /* RS_INDEX_IVF or RS_INDEX_IVF_SQ8 */
    size_t nlist, dim;
    size_t value_bytes; /* 4 (float) or 1 (uint8) */
    float *centroids;   /* nlist x dim */
    /* NULL: the centroids are unit length and an item goes to the list of
     * its largest x.c (spherical k-means, every index built since the
     * "RSIVF002" blob).  Else |c|^2 / 2 per centroid of an index loaded
     * from an "RSIVF001" blob (L2 k-means): items go to the nearest
     * centroid in L2, as when it was built. */
    float *half_norm;
    float *sq_min, *sq_step; /* SQ8: x[d] ~ min[d] + (code + 0.5) step[d] */
    struct rs__ivf_list *lists;
    /* SQ8: items added or updated after the build with a value outside the
     * trained range (their codes would clip): scored exactly by every
     * search, their list_of is nlist. */
    uint32_t *outliers;
    size_t n_outliers, outliers_cap;
    uint32_t *list_of;  /* per store row: its list or RS_ITEM_NONE */
    uint32_t *slot_of;  /* per store row: its slot in the list */
    size_t rows;        /* entries in list_of / slot_of */
};

/* The filters of one search (as rs_item_store_search takes them). */
struct rs__ivf_filter {
    const uint64_t *exclude;
    size_t exclude_words;
    const uint64_t *allow;
    size_t allow_words;
};

/* Bytes of one block of a list: dim x 16 values. */
static inline size_t rs__ivf_block_bytes(const struct rs__ivf *ivf)
{
    return ivf->dim * RS_IVF_BLOCK * ivf->value_bytes;
}

void rs__ivf_free(struct rs__ivf *ivf);

/* Train and fill the index from the store's live items (the store's
 * options say which kind, nlist, seed).  On failure the old index stays. */
int rs__ivf_build(rs_item_store *store);

/* Build the lists of an index whose quantiser (centroids, SQ ranges) is
 * set: assign every live item, using `assign` (per live item in index
 * order) when not NULL, else the nearest centroid. */
int rs__ivf_fill(rs_item_store *store, struct rs__ivf *ivf, const uint32_t *assign);

/* Keep the index in step with the store: row was written (added or
 * updated), removed, or moved by compaction.  When memory runs out the
 * index is dropped (searches fall back to exact) rather than left stale. */
void rs__ivf_put(rs_item_store *store, uint32_t row);
void rs__ivf_remove(rs_item_store *store, uint32_t row);
void rs__ivf_move(rs_item_store *store, uint32_t from, uint32_t to);

/* The search of rs_item_store_search through the index (arguments checked). */
int rs__ivf_search(const rs_item_store *store, const float *queries, size_t n_queries,
                   size_t k, bool cosine, const struct rs__ivf_filter *filter,
                   uint32_t *index_out, float *score_out, size_t *count_out);

/* Persistence (item_ivf_persist.c), called by rs_item_store_save / _load.
 * rowids: the node id of every row (save writes lists in node-id order, the
 * order load reads items in). */
int rs__ivf_save(const rs_item_store *store, rs_graph *graph, const char *space,
                 const int64_t *rowids);
int rs__ivf_load(rs_item_store *store, rs_graph *graph, const char *space);

#endif
