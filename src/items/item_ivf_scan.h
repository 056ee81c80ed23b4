/*
 * item_ivf_scan.h - the scan of one inverted list for one query (portable,
 * AVX2 and AVX-512 kernels), shared by the index's search (item_ivf.c).
 */
#ifndef RS_ITEM_IVF_SCAN_H
#define RS_ITEM_IVF_SCAN_H

#include "items/item_ivf.h"

#include "core/bitset.h"
#include "core/topk.h"

/* One query's scan over the lists it probes. */
struct rs__ivf_scan {
    const rs_item_store *store;
    const struct rs__ivf *ivf;
    const struct rs__ivf_filter *filter;
    bool cosine, filtered;
    int kernel;     /* RS__KERNEL_* */
    size_t query;   /* its row in the exclude sets */
    const float *q; /* per-dimension weights of the codes */
    float bias;     /* SQ8: the constant part of every score */
};

/* May this query return `item` (the allow list and its exclude set)? */
static inline bool rs__ivf_admissible(const struct rs__ivf_scan *s, uint32_t item)
{
    const struct rs__ivf_filter *f = s->filter;
    if (!s->filtered)
        return true;
    if (f->allow && (item / 64 >= f->allow_words || !rs__bitset_test(f->allow, item)))
        return false;
    if (f->exclude && item / 64 < f->exclude_words &&
        rs__bitset_test(f->exclude + s->query * f->exclude_words, item))
        return false;
    return true;
}

/* Score every entry of list l and offer those at or above *gate (the
 * shortlist's least kept score, raised as entries go in) to top. */
void rs__ivf_scan_list(const struct rs__ivf_scan *s, const struct rs__ivf_list *l,
                       rs_topk *top, float *gate);

#endif
