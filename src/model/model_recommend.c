/*
 * model_recommend.c - recommendations of a built model: one user (with
 * exclusions and an allow list by key, as bitsets over store indices), a
 * batch of users in parallel, and the items similar to an item.
 */
#include "model/model_internal.h"

#include "core/alloc.h"
#include "core/bitset.h"
#include "core/error.h"
#include "core/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest k of a call: a bound on caller arrays, not on the catalogue. */
#define MAX_K 100000

static int check_k(size_t k, const char *fn)
{
    if (k < 1 || k > MAX_K)
        return rs__fail(RS_ERR_RANGE, "%s: k = %zu is outside [1, %d]", fn, k, MAX_K);
    return RS_OK;
}

/* The arguments every single query shares: a built model, a key (what
 * names it: "user", "item"), k and n_out (zeroed first). */
static int check_query(const rs_model *m, const char *key, const char *what, size_t k,
                       size_t *n_out, const char *fn)
{
    char name[64];
    int s;
    if (n_out)
        *n_out = 0;
    if (!m || !key || !n_out)
        return rs__fail(RS_ERR_INVALID, "%s: NULL %s", fn, !m ? "model" : !key ? what : "n_out");
    snprintf(name, sizeof name, "%s: %s key", fn, what);
    if ((s = check_k(k, fn)) != RS_OK || (s = rs__check_key(key, name, NULL)) != RS_OK)
        return s;
    return rs__model_check_built(m);
}

/* A bitset of the known keys among keys[0..n) (unknown keys are ignored). */
static int key_bitset(const rs_model *m, const char *const *keys, size_t n, const char *what,
                      uint64_t **out)
{
    size_t words = rs__bitset_words(m->n_items);
    uint64_t *bits;
    *out = NULL;
    if (!keys)
        return rs__fail(RS_ERR_INVALID, "rs_model_recommend: NULL %s list with %zu keys", what,
                        n);
    if (!(bits = rs__calloc(words ? words : 1, sizeof *bits)))
        return RS_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        uint32_t index;
        if (!keys[i]) {
            free(bits);
            return rs__fail(RS_ERR_INVALID, "rs_model_recommend: %s key %zu is NULL", what, i);
        }
        if (rs_item_store_index(m->store, keys[i], &index) == RS_OK)
            rs__bitset_set(bits, index);
    }
    rs_clear_error(); /* the unknown keys */
    *out = bits;
    return RS_OK;
}

/* Keys of the listed indices (count of them) into keys_out. */
static void fill_keys(const rs_model *m, const uint32_t *items, size_t count,
                      const char **keys_out)
{
    if (!keys_out)
        return;
    for (size_t i = 0; i < count; i++)
        keys_out[i] = items[i] < m->n_items ? m->item_keys[items[i]] : NULL;
}

int rs_model_recommend(const rs_model *model, const char *user, size_t k,
                       const char *const *exclude, size_t n_exclude,
                       const char *const *only, size_t n_only,
                       const char **keys_out, float *scores_out, uint32_t *items_out,
                       size_t *n_out)
{
    uint32_t *items = items_out;
    uint64_t *deny = NULL, *allow = NULL;
    size_t words, n = 0;
    int s;
    if ((s = check_query(model, user, "user", k, n_out, "rs_model_recommend")) != RS_OK)
        return s;
    words = rs__bitset_words(model->n_items);
    if (n_exclude && (s = key_bitset(model, exclude, n_exclude, "exclude", &deny)) != RS_OK)
        return s;
    if (n_only && (s = key_bitset(model, only, n_only, "only", &allow)) != RS_OK) {
        free(deny);
        return s;
    }
    if (!items && !(items = rs__alloc_array(k, sizeof *items)))
        s = RS_ERR_NOMEM;
    if (s == RS_OK && !deny && !allow)
        s = rs_scorer_recommend(model->scorer, user, k, items, scores_out, &n);
    else if (s == RS_OK)
        s = rs_scorer_recommend_filtered(model->scorer, user, k, allow, allow ? words : 0, deny,
                                         deny ? words : 0, items, scores_out, &n);
    if (s == RS_OK) {
        fill_keys(model, items, n, keys_out);
        *n_out = n;
    } else {
        rs__fail_context("recommending for user \"%s\": ", user);
    }
    if (items != items_out)
        free(items);
    free(deny);
    free(allow);
    return s;
}

int rs_model_recommend_batch(const rs_model *model, const char *const *users, size_t n,
                             size_t k, const char **keys_out, float *scores_out,
                             uint32_t *items_out, size_t *counts_out)
{
    uint32_t *items = items_out;
    size_t cells;
    int s;
    if (!model || (!users && n) || !counts_out)
        return rs__fail(RS_ERR_INVALID, "rs_model_recommend_batch: NULL %s",
                        !model ? "model" : !counts_out ? "counts_out" : "users");
    if ((s = check_k(k, "rs_model_recommend_batch")) != RS_OK ||
        (s = rs__model_check_built(model)) != RS_OK)
        return s;
    for (size_t u = 0; u < n; u++) {
        char what[80];
        snprintf(what, sizeof what, "rs_model_recommend_batch: user %zu's key", u);
        if ((s = rs__check_key(users[u], what, NULL)) != RS_OK)
            return s;
    }
    if (n == 0)
        return RS_OK;
    if ((s = rs__mul_size(n, k, &cells)) != RS_OK)
        return s;
    if (!items && !(items = rs__alloc_array(cells, sizeof *items)))
        return RS_ERR_NOMEM;
    s = rs_scorer_recommend_batch(model->scorer, users, n, k, items, scores_out, counts_out);
    if (s == RS_OK && keys_out)
        for (size_t u = 0; u < n; u++) {
            fill_keys(model, items + u * k, counts_out[u], keys_out + u * k);
            for (size_t i = counts_out[u]; i < k; i++)
                keys_out[u * k + i] = NULL;
        }
    if (items != items_out)
        free(items);
    return s;
}

int rs_model_similar(const rs_model *model, const char *item, size_t k,
                     const char **keys_out, float *scores_out, uint32_t *items_out,
                     size_t *n_out)
{
    uint32_t *items = items_out, index;
    float *vector = NULL, *scores = scores_out;
    uint64_t *self = NULL;
    size_t dim, n = 0;
    int s;
    if ((s = check_query(model, item, "item", k, n_out, "rs_model_similar")) != RS_OK)
        return s;
    if (rs_item_store_index(model->store, item, &index) != RS_OK)
        return rs__fail(RS_ERR_NOTFOUND, "rs_model_similar: model %s has no item \"%s\"",
                        model->path, item);
    dim = rs_item_store_dim(model->store);
    vector = rs__alloc_array(dim, sizeof *vector);
    self = rs__calloc(rs__bitset_words(model->n_items) + 1, sizeof *self);
    if (!items && vector && self)
        items = rs__alloc_array(k, sizeof *items);
    if (!scores && items)
        scores = rs__alloc_array(k, sizeof *scores);
    if (!vector || !self || !items || !scores)
        s = RS_ERR_NOMEM;
    if (s == RS_OK)
        s = rs_item_store_get(model->store, item, vector, dim);
    if (s == RS_OK) {
        rs__bitset_set(self, index);
        s = rs_item_store_search(model->store, vector, 1, dim, k, RS_ITEM_METRIC_COSINE, self,
                                 rs__bitset_words(model->n_items), NULL, 0, items, scores, &n);
    }
    if (s == RS_OK) {
        fill_keys(model, items, n, keys_out);
        *n_out = n;
    } else {
        rs__fail_context("items similar to \"%s\": ", item);
    }
    if (items != items_out)
        free(items);
    if (scores != scores_out)
        free(scores);
    free(vector);
    free(self);
    return s;
}
