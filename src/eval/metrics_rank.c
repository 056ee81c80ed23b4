/*
 * metrics_rank.c - per-user ranking metrics of one list against a truth
 * set: precision, recall, F1, NDCG (binary and graded), MAP, MRR, hit rate,
 * AUC.  The definitions are in recsim.h and rs_metric_at_k(3).
 *
 * Truth sets and lists are small (k and |truth| rarely exceed a few
 * hundred), so membership uses a sorted copy and binary search.
 */
#include "core/alloc.h"
#include "core/error.h"
#include "recsim.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const metric_names[RS_EVAL_METRIC_COUNT] = {
    "precision", "recall", "f1", "ndcg", "map", "mrr", "hit_rate",
};

const char *rs_metric_name(int metric)
{
    if (metric < 0 || metric >= RS_EVAL_METRIC_COUNT)
        return NULL;
    return metric_names[metric];
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* A sorted, de-duplicated copy of a set of item indices. */
struct item_set {
    uint32_t *items;
    size_t size;
};

static int set_build(struct item_set *set, const uint32_t *items, size_t n)
{
    size_t unique = 0;
    set->items = rs__alloc_array(n ? n : 1, sizeof *set->items);
    if (!set->items)
        return rs_errcode();
    if (n)
        memcpy(set->items, items, n * sizeof *items);
    qsort(set->items, n, sizeof *set->items, compare_u32);
    for (size_t i = 0; i < n; i++)
        if (unique == 0 || set->items[unique - 1] != set->items[i])
            set->items[unique++] = set->items[i];
    set->size = unique;
    return 0;
}

/* Position of item in the set, or -1. */
static long set_find(const struct item_set *set, uint32_t item)
{
    const uint32_t *at = bsearch(&item, set->items, set->size, sizeof item, compare_u32);
    return at ? (long)(at - set->items) : -1;
}

static int check_list_args(const uint32_t *ranked, size_t n_ranked, const uint32_t *truth,
                           size_t n_truth, double *out)
{
    if (!out)
        return rs__fail(RS_ERR_INVALID, "metric: out is NULL");
    if (!ranked && n_ranked > 0)
        return rs__fail(RS_ERR_INVALID, "metric: ranked is NULL but n_ranked is %zu", n_ranked);
    if (!truth && n_truth > 0)
        return rs__fail(RS_ERR_INVALID, "metric: truth is NULL but n_truth is %zu", n_truth);
    if (n_truth == 0)
        return rs__fail(RS_ERR_RANGE, "metric: the truth set is empty, so the metric is "
                                      "undefined for this user");
    return 0;
}

/*
 * Mark which of the first `depth` list positions are hits: in the truth set,
 * not RS_NO_ITEM, and not a repeat of an earlier position.  hit[r] is the
 * truth-set position of the hit (to look up a gain), or -1.
 */
static int mark_hits(const uint32_t *ranked, size_t depth, const struct item_set *truth,
                     long *hit)
{
    bool *used = rs__calloc(truth->size, sizeof *used);
    if (!used)
        return rs_errcode();
    for (size_t r = 0; r < depth; r++) {
        long at = ranked[r] == RS_NO_ITEM ? -1 : set_find(truth, ranked[r]);
        /* A repeated truth item is a miss the second time. */
        if (at >= 0 && used[at])
            at = -1;
        if (at >= 0)
            used[at] = true;
        hit[r] = at;
    }
    free(used);
    return 0;
}

static double discount(size_t rank) /* rank counts from 1 */
{
    return 1.0 / log2((double)rank + 1.0);
}

int rs_metric_at_k(int metric, const uint32_t *ranked, size_t n_ranked,
                   const uint32_t *truth, size_t n_truth, size_t k, double *out)
{
    struct item_set set = {0};
    size_t depth = n_ranked < k ? n_ranked : k, hits = 0, first_hit = 0;
    double dcg = 0.0, idcg = 0.0, ap = 0.0, precision, recall, value = 0.0;
    long *hit;
    int rc;

    if ((rc = check_list_args(ranked, n_ranked, truth, n_truth, out)) != 0)
        return rc;
    if (!rs_metric_name(metric))
        return rs__fail(RS_ERR_INVALID, "rs_metric_at_k: unknown metric %d", metric);
    if (k == 0)
        return rs__fail(RS_ERR_RANGE, "rs_metric_at_k: k must be at least 1");
    if ((rc = set_build(&set, truth, n_truth)) != 0)
        return rc;
    hit = rs__alloc_array(depth ? depth : 1, sizeof *hit);
    if (!hit || (rc = mark_hits(ranked, depth, &set, hit)) != 0) {
        rc = rs_errcode();
        goto fail;
    }
    for (size_t r = 0; r < depth; r++) {
        if (hit[r] < 0)
            continue;
        hits++;
        if (!first_hit)
            first_hit = r + 1;
        dcg += discount(r + 1);
        ap += (double)hits / (double)(r + 1);
    }
    for (size_t r = 0; r < set.size && r < k; r++)
        idcg += discount(r + 1);
    precision = (double)hits / (double)k;
    recall = (double)hits / (double)set.size;
    switch ((rs_eval_metric)metric) {
    case RS_EVAL_METRIC_PRECISION: value = precision; break;
    case RS_EVAL_METRIC_RECALL: value = recall; break;
    case RS_EVAL_METRIC_F1:
        value = hits ? 2.0 * precision * recall / (precision + recall) : 0.0;
        break;
    case RS_EVAL_METRIC_NDCG: value = dcg / idcg; break;
    case RS_EVAL_METRIC_MAP: value = ap / (double)(set.size < k ? set.size : k); break;
    case RS_EVAL_METRIC_MRR: value = first_hit ? 1.0 / (double)first_hit : 0.0; break;
    case RS_EVAL_METRIC_HIT_RATE: value = hits ? 1.0 : 0.0; break;
    }
    *out = value;
    rc = 0;
fail:
    free(hit);
    free(set.items);
    return rc;
}

static int compare_gain_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

int rs_metric_ndcg_graded(const uint32_t *ranked, size_t n_ranked, const uint32_t *truth,
                          const double *gains, size_t n_truth, size_t k, double *out)
{
    struct item_set set = {0};
    size_t depth = n_ranked < k ? n_ranked : k;
    double *set_gain = NULL, *ideal = NULL, dcg = 0.0, idcg = 0.0;
    long *hit = NULL;
    int rc;

    if ((rc = check_list_args(ranked, n_ranked, truth, n_truth, out)) != 0)
        return rc;
    if (!gains)
        return rs__fail(RS_ERR_INVALID, "rs_metric_ndcg_graded: gains is NULL");
    if (k == 0)
        return rs__fail(RS_ERR_RANGE, "rs_metric_ndcg_graded: k must be at least 1");
    for (size_t i = 0; i < n_truth; i++)
        if (!isfinite(gains[i]) || gains[i] < 0.0)
            return rs__fail(RS_ERR_RANGE, "rs_metric_ndcg_graded: gain %zu is %g (must be "
                                          "finite and >= 0)", i, gains[i]);
    if ((rc = set_build(&set, truth, n_truth)) != 0)
        return rc;
    set_gain = rs__calloc(set.size, sizeof *set_gain);
    ideal = rs__alloc_array(set.size, sizeof *ideal);
    hit = rs__alloc_array(depth ? depth : 1, sizeof *hit);
    if (!set_gain || !ideal || !hit || mark_hits(ranked, depth, &set, hit) != 0) {
        rc = rs_errcode();
        goto done;
    }
    for (size_t i = 0; i < n_truth; i++) {
        long at = set_find(&set, truth[i]);
        if (gains[i] > set_gain[at])
            set_gain[at] = gains[i];
    }
    for (size_t r = 0; r < depth; r++)
        if (hit[r] >= 0)
            dcg += set_gain[hit[r]] * discount(r + 1);
    memcpy(ideal, set_gain, set.size * sizeof *ideal);
    qsort(ideal, set.size, sizeof *ideal, compare_gain_desc);
    for (size_t r = 0; r < set.size && r < k; r++)
        idcg += ideal[r] * discount(r + 1);
    *out = idcg > 0.0 ? dcg / idcg : 0.0;
    rc = 0;
done:
    free(hit);
    free(ideal);
    free(set_gain);
    free(set.items);
    return rc;
}

int rs_metric_auc(const uint32_t *ranked, size_t n_ranked, const uint32_t *truth,
                  size_t n_truth, size_t n_candidates, double *out)
{
    struct item_set set = {0}, seen = {0};
    size_t listed_positive = 0, listed_negative = 0, negatives_above = 0;
    double correct = 0.0, n_negative;
    bool *counted = NULL;
    long *hit = NULL;
    int rc;

    if ((rc = check_list_args(ranked, n_ranked, truth, n_truth, out)) != 0)
        return rc;
    if ((rc = set_build(&set, truth, n_truth)) != 0)
        return rc;
    hit = rs__alloc_array(n_ranked ? n_ranked : 1, sizeof *hit);
    if (!hit || mark_hits(ranked, n_ranked, &set, hit) != 0 ||
        set_build(&seen, ranked, n_ranked) != 0) {
        rc = rs_errcode();
        goto done;
    }
    /* Distinct listed items, without padding. */
    size_t distinct = seen.size - (seen.size && seen.items[seen.size - 1] == RS_NO_ITEM);
    if (set.size >= n_candidates || distinct > n_candidates) {
        rc = rs__fail(RS_ERR_RANGE, "rs_metric_auc: %zu candidates cannot hold %zu positives, "
                                    "%zu ranked items and at least one negative",
                      n_candidates, set.size, distinct);
        goto done;
    }
    n_negative = (double)(n_candidates - set.size);
    counted = rs__calloc(seen.size, sizeof *counted);
    if (!counted) {
        rc = rs_errcode();
        goto done;
    }
    for (size_t r = 0; r < n_ranked; r++) {
        if (ranked[r] == RS_NO_ITEM)
            continue;
        if (hit[r] >= 0) {
            listed_positive++;
            correct += n_negative - (double)negatives_above;
        } else if (set_find(&set, ranked[r]) < 0) {
            /* a negative; a repeated one is counted at its first place only */
            long at = set_find(&seen, ranked[r]);
            if (!counted[at]) {
                counted[at] = true;
                negatives_above++;
                listed_negative++;
            }
        }
    }
    /* Unlisted positives sit below every listed item and tie with the
     * unlisted negatives. */
    correct += (double)(set.size - listed_positive) * 0.5 *
               (n_negative - (double)listed_negative);
    *out = correct / ((double)set.size * n_negative);
    rc = 0;
done:
    free(counted);
    free(hit);
    free(seen.items);
    free(set.items);
    return rc;
}
