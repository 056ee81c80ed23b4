/*
 * topk.h - bounded top-k selection with deterministic tie-breaking.
 *
 * Keeps the k best (index, score) pairs seen so far in a heap whose root is
 * the worst kept pair.  "Better" means a higher score, and on equal scores a
 * lower index, so the result never depends on the order pairs arrive in (a
 * tiled, multi-threaded scan gives the same answer as a serial one).  NaN
 * scores are never kept.
 *
 * The storage is the caller's: k indices and k scores, e.g. the very output
 * arrays of a recommend call, so finishing costs no copy.
 */
#ifndef RS_CORE_TOPK_H
#define RS_CORE_TOPK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rs_topk {
    uint32_t *index;
    float *score;
    size_t k;    /* capacity */
    size_t size; /* pairs kept */
} rs_topk;

/* Start an empty selection of at most k pairs over the caller's arrays. */
void rs__topk_init(rs_topk *top, size_t k, uint32_t *index_buf, float *score_buf);

/* Is (index_a, score_a) strictly better than (index_b, score_b)? */
static inline bool rs__topk_better(uint32_t index_a, float score_a, uint32_t index_b,
                                   float score_b)
{
    return score_a > score_b || (score_a == score_b && index_a < index_b);
}

/* Offer a pair (the slow path of rs__topk_push). */
void rs__topk_offer(rs_topk *top, uint32_t index, float score);

/*
 * Offer a pair.  Inline so that a scan's common case -- the selection is full
 * and the score cannot enter -- costs one comparison.
 */
static inline void rs__topk_push(rs_topk *top, uint32_t index, float score)
{
    if (top->size == top->k &&
        (top->k == 0 || !rs__topk_better(index, score, top->index[0], top->score[0])))
        return;
    rs__topk_offer(top, index, score);
}

/* The worst kept score when full (a score below it cannot enter), else -inf. */
float rs__topk_threshold(const rs_topk *top);

/* Offer every pair of another selection (to merge per-thread results). */
void rs__topk_merge(rs_topk *top, const rs_topk *other);

/* Sort the kept pairs best first in place; returns how many there are.  The
 * selection must not be pushed to afterwards. */
size_t rs__topk_finish(rs_topk *top);

/*
 * Every index 0 .. n-1 into order, by score descending, equal scores in
 * increasing index (a stable merge sort; tmp holds n indices of scratch).
 * The one "most popular" ranking: eval's most- and segment-popular
 * baselines and the simulator's popular policy rank their counts with it.
 */
void rs__rank_descending(const double *score, size_t n, uint32_t *order, uint32_t *tmp);

#endif
