/*
 * metrics_lists.c - beyond-accuracy metrics over many recommendation lists:
 * catalogue coverage, novelty, intra-list diversity, exposure Gini and
 * popularity bias.  Definitions in recsim.h and rs_metric_at_k(3).
 */
#include "core/alloc.h"
#include "core/error.h"
#include "recsim.h"

#include <math.h>
#include <stdlib.h>

/*
 * Validate the list matrix and count every shown item's exposure into
 * `exposure` (n_items counters, may be NULL when only validation is wanted).
 * *shown_out gets the number of non-padding entries.
 */
static int scan_lists(const char *who, const uint32_t *lists, size_t n_lists,
                      size_t list_len, size_t n_items, uint64_t *exposure, size_t *shown_out)
{
    size_t cells = 0, shown = 0;
    if (rs__mul_size(n_lists, list_len, &cells) != 0)
        return rs__fail_context("%s: ", who);
    if (!lists && cells > 0)
        return rs__fail(RS_ERR_INVALID, "%s: lists is NULL", who);
    if (n_items == 0)
        return rs__fail(RS_ERR_RANGE, "%s: the catalogue is empty (n_items = 0)", who);
    for (size_t i = 0; i < cells; i++) {
        if (lists[i] == RS_NO_ITEM)
            continue;
        if (lists[i] >= n_items)
            return rs__fail(RS_ERR_RANGE, "%s: list %zu, position %zu: item %u is not below "
                                          "n_items = %zu",
                            who, i / list_len, i % list_len, lists[i], n_items);
        if (exposure)
            exposure[lists[i]]++;
        shown++;
    }
    *shown_out = shown;
    return 0;
}

int rs_metric_coverage(const uint32_t *lists, size_t n_lists, size_t list_len,
                       size_t n_items, double *out)
{
    uint64_t *exposure;
    size_t shown = 0, distinct = 0;
    int rc;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "rs_metric_coverage: out is NULL");
    if (n_items == 0)
        return rs__fail(RS_ERR_RANGE, "rs_metric_coverage: the catalogue is empty");
    exposure = rs__calloc(n_items, sizeof *exposure);
    if (!exposure)
        return rs_errcode();
    rc = scan_lists("rs_metric_coverage", lists, n_lists, list_len, n_items, exposure, &shown);
    if (rc == 0) {
        for (size_t i = 0; i < n_items; i++)
            distinct += exposure[i] > 0;
        *out = (double)distinct / (double)n_items;
    }
    free(exposure);
    return rc;
}

int rs_metric_novelty(const uint32_t *lists, size_t n_lists, size_t list_len,
                      const uint32_t *popularity, size_t n_items, size_t n_users, double *out)
{
    size_t shown = 0;
    double bits = 0.0;
    int rc;
    if (!out || !popularity)
        return rs__fail(RS_ERR_INVALID, "rs_metric_novelty: %s is NULL",
                        out ? "popularity" : "out");
    if (n_users == 0)
        return rs__fail(RS_ERR_RANGE, "rs_metric_novelty: n_users must be at least 1");
    if ((rc = scan_lists("rs_metric_novelty", lists, n_lists, list_len, n_items, NULL,
                         &shown)) != 0)
        return rc;
    for (size_t i = 0; i < n_items; i++)
        if (popularity[i] > n_users)
            return rs__fail(RS_ERR_RANGE, "rs_metric_novelty: popularity of item %zu (%u) "
                                          "exceeds n_users = %zu",
                            i, popularity[i], n_users);
    for (size_t i = 0; i < n_lists * list_len; i++)
        if (lists[i] != RS_NO_ITEM)
            bits -= log2(((double)popularity[lists[i]] + 1.0) / ((double)n_users + 1.0));
    *out = shown ? bits / (double)shown : 0.0;
    return 0;
}

static double cosine(const float *a, const float *b, size_t dim)
{
    double dot = 0.0, norm_a = 0.0, norm_b = 0.0;
    for (size_t d = 0; d < dim; d++) {
        dot += (double)a[d] * b[d];
        norm_a += (double)a[d] * a[d];
        norm_b += (double)b[d] * b[d];
    }
    if (norm_a == 0.0 || norm_b == 0.0)
        return 0.0;
    return dot / sqrt(norm_a * norm_b);
}

int rs_metric_diversity(const uint32_t *lists, size_t n_lists, size_t list_len,
                        const float *vectors, size_t n_items, size_t dim, double *out)
{
    size_t shown = 0, scored_lists = 0, cells = 0;
    double total = 0.0;
    int rc;
    if (!out || !vectors)
        return rs__fail(RS_ERR_INVALID, "rs_metric_diversity: %s is NULL",
                        out ? "vectors" : "out");
    if (dim == 0)
        return rs__fail(RS_ERR_DIM, "rs_metric_diversity: dim must be at least 1");
    if (rs__mul_size(n_items, dim, &cells) != 0)
        return rs__fail_context("rs_metric_diversity: ");
    if ((rc = scan_lists("rs_metric_diversity", lists, n_lists, list_len, n_items, NULL,
                         &shown)) != 0)
        return rc;
    for (size_t l = 0; l < n_lists; l++) {
        const uint32_t *list = lists + l * list_len;
        double sum = 0.0;
        size_t pairs = 0;
        for (size_t i = 0; i < list_len; i++) {
            if (list[i] == RS_NO_ITEM)
                continue;
            for (size_t d = 0; d < dim; d++)
                if (!isfinite(vectors[(size_t)list[i] * dim + d]))
                    return rs__fail(RS_ERR_RANGE, "rs_metric_diversity: vector of item %u "
                                                  "has a non-finite component %zu",
                                    list[i], d);
            for (size_t j = i + 1; j < list_len; j++) {
                if (list[j] == RS_NO_ITEM)
                    continue;
                sum += cosine(vectors + (size_t)list[i] * dim, vectors + (size_t)list[j] * dim,
                              dim);
                pairs++;
            }
        }
        if (pairs) {
            total += 1.0 - sum / (double)pairs;
            scored_lists++;
        }
    }
    *out = scored_lists ? total / (double)scored_lists : 0.0;
    return 0;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int rs_metric_gini(const uint32_t *lists, size_t n_lists, size_t list_len, size_t n_items,
                   double *out)
{
    uint64_t *exposure;
    size_t shown = 0;
    double weighted = 0.0, n = (double)n_items;
    int rc;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "rs_metric_gini: out is NULL");
    if (n_items == 0)
        return rs__fail(RS_ERR_RANGE, "rs_metric_gini: the catalogue is empty");
    exposure = rs__calloc(n_items, sizeof *exposure);
    if (!exposure)
        return rs_errcode();
    rc = scan_lists("rs_metric_gini", lists, n_lists, list_len, n_items, exposure, &shown);
    if (rc == 0) {
        qsort(exposure, n_items, sizeof *exposure, compare_u64);
        for (size_t i = 0; i < n_items; i++)
            weighted += (2.0 * (double)(i + 1) - n - 1.0) * (double)exposure[i];
        *out = shown ? weighted / (n * (double)shown) : 0.0;
    }
    free(exposure);
    return rc;
}

int rs_metric_popularity_bias(const uint32_t *lists, size_t n_lists, size_t list_len,
                              const uint32_t *popularity, size_t n_items, double *out)
{
    size_t shown = 0;
    double catalogue = 0.0, recommended = 0.0;
    int rc;
    if (!out || !popularity)
        return rs__fail(RS_ERR_INVALID, "rs_metric_popularity_bias: %s is NULL",
                        out ? "popularity" : "out");
    if ((rc = scan_lists("rs_metric_popularity_bias", lists, n_lists, list_len, n_items, NULL,
                         &shown)) != 0)
        return rc;
    for (size_t i = 0; i < n_items; i++)
        catalogue += popularity[i];
    if (catalogue == 0.0)
        return rs__fail(RS_ERR_RANGE, "rs_metric_popularity_bias: every popularity is 0");
    for (size_t i = 0; i < n_lists * list_len; i++)
        if (lists[i] != RS_NO_ITEM)
            recommended += popularity[lists[i]];
    *out = shown ? (recommended / (double)shown) / (catalogue / (double)n_items) : 0.0;
    return 0;
}
