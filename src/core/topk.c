/*
 * topk.c - the heap behind rs_topk.  The root (slot 0) is the worst kept
 * pair; children of i are 2i+1 and 2i+2.
 */
#include "core/topk.h"

#include <math.h>
#include <string.h>

void rs__topk_init(rs_topk *top, size_t k, uint32_t *index_buf, float *score_buf)
{
    top->index = index_buf;
    top->score = score_buf;
    top->k = k;
    top->size = 0;
}

static void swap_pairs(rs_topk *top, size_t a, size_t b)
{
    uint32_t index = top->index[a];
    float score = top->score[a];
    top->index[a] = top->index[b];
    top->score[a] = top->score[b];
    top->index[b] = index;
    top->score[b] = score;
}

/* Restore the heap below `at` in the first `size` slots. */
static void sift_down(rs_topk *top, size_t at, size_t size)
{
    for (;;) {
        size_t worst = at, left = 2 * at + 1, right = left + 1;
        if (left < size && rs__topk_better(top->index[worst], top->score[worst],
                                           top->index[left], top->score[left]))
            worst = left;
        if (right < size && rs__topk_better(top->index[worst], top->score[worst],
                                            top->index[right], top->score[right]))
            worst = right;
        if (worst == at)
            return;
        swap_pairs(top, at, worst);
        at = worst;
    }
}

static void sift_up(rs_topk *top, size_t at)
{
    while (at > 0) {
        size_t parent = (at - 1) / 2;
        if (!rs__topk_better(top->index[parent], top->score[parent], top->index[at],
                             top->score[at]))
            return;
        swap_pairs(top, at, parent);
        at = parent;
    }
}

void rs__topk_offer(rs_topk *top, uint32_t index, float score)
{
    if (isnan(score) || top->k == 0)
        return;
    if (top->size < top->k) {
        top->index[top->size] = index;
        top->score[top->size] = score;
        sift_up(top, top->size++);
        return;
    }
    if (!rs__topk_better(index, score, top->index[0], top->score[0]))
        return;
    top->index[0] = index;
    top->score[0] = score;
    sift_down(top, 0, top->size);
}

float rs__topk_threshold(const rs_topk *top)
{
    if (top->k == 0)
        return INFINITY;
    return top->size == top->k ? top->score[0] : -INFINITY;
}

void rs__topk_merge(rs_topk *top, const rs_topk *other)
{
    for (size_t i = 0; i < other->size; i++)
        rs__topk_push(top, other->index[i], other->score[i]);
}

size_t rs__topk_finish(rs_topk *top)
{
    /* Heap sort: repeatedly move the worst to the end of the live range,
     * which leaves the array best first. */
    for (size_t end = top->size; end > 1; end--) {
        swap_pairs(top, 0, end - 1);
        sift_down(top, 0, end - 1);
    }
    return top->size;
}

void rs__rank_descending(const double *score, size_t n, uint32_t *order, uint32_t *tmp)
{
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    /* bottom-up: runs of width w are sorted, merge pairs of them; the left
     * run wins ties, which keeps equal scores in index order */
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n, a = lo, b = mid, o = lo;
            while (a < mid && b < hi)
                tmp[o++] = score[order[b]] > score[order[a]] ? order[b++] : order[a++];
            while (a < mid)
                tmp[o++] = order[a++];
            while (b < hi)
                tmp[o++] = order[b++];
        }
        memcpy(order, tmp, n * sizeof *order);
    }
}
