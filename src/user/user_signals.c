/*
 * user_signals.c - the user model's signals beyond the item history: a text
 * interest from the user's own texts (queries, reviews) embedded into the
 * item space, and collaborative fold-in factors kept up to date by observe.
 */
#include "user/user_internal.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/utf8.h"
#include "items/items_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define UNMAPPED UINT32_MAX

/* ------------------------------------------------------------ text */

int rs_user_model_observe_text(rs_user_model *model, const char *user, const char *text,
                               double weight, int64_t timestamp, const rs_embedder *embedder)
{
    static const char fn[] = "rs_user_model_observe_text";
    size_t ulen;
    uint32_t uidx;
    int created = 0, rc;
    if (!model || !text || !embedder)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn,
                        !model ? "model" : !text ? "text" : "embedder");
    if (rs__check_key(user, "user", &ulen) != RS_OK)
        return rs__fail_context("%s: ", fn);
    if (!isfinite(weight) || fabs(weight) > 1e9)
        return rs__fail(RS_ERR_RANGE, "%s: weight %g of user \"%s\" is not finite or > 1e9", fn,
                        weight, user);
    if (rs_embedder_dim(embedder) != model->dim)
        return rs__fail(RS_ERR_DIM, "%s: the embedder writes %zu dimensions, the item store "
                                    "has %zu", fn, rs_embedder_dim(embedder), model->dim);
    float *v = rs__alloc_array(model->dim, sizeof(float));
    if (!v)
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory", fn);
    if ((rc = rs_embedder_embed(embedder, text, v, model->dim)) != RS_OK) {
        free(v);
        return rs__fail_context("%s: text of user \"%s\": ", fn, user);
    }
    double n2 = 0.0;
    for (size_t j = 0; j < model->dim; j++)
        n2 += (double)v[j] * v[j];
    if (n2 == 0.0) { /* nothing to learn from: empty, or only stop words */
        free(v);
        return RS_OK;
    }
    if (rs__user_get_or_create(model, user, ulen, &uidx, &created) != RS_OK) {
        free(v);
        return rs__fail_context("%s: ", fn);
    }
    rs__user *u = &model->recs[uidx];
    if (!u->text && !(u->text = rs__calloc(model->dim, sizeof(float)))) {
        free(v);
        if (created)
            rs__user_discard(model, user, ulen, uidx);
        return rs__fail(RS_ERR_NOMEM, "%s: out of memory for \"%s\"", fn, user);
    }
    double factor = rs__user_advance(model, u, timestamp);
    float a = (float)(weight * factor / sqrt(n2));
    for (size_t j = 0; j < model->dim; j++)
        u->text[j] += a * v[j];
    free(v);
    return RS_OK;
}

/* ------------------------------------------------------------ fold-in */

static int fold_with(const rs_user_model *model, const rs_cf_model *cf, const uint32_t *map,
                     size_t map_n, size_t f, const rs__user *u, int64_t t_ref, int has_time,
                     uint32_t extra, double extra_weight, int64_t extra_time, float *out)
{
    uint32_t *items = rs__alloc_array(u->n + 1, sizeof(uint32_t));
    float *weights = rs__alloc_array(u->n + 1, sizeof(float));
    size_t m = 0;
    int rc;
    if (!items || !weights) {
        free(items);
        free(weights);
        return rs__fail(RS_ERR_NOMEM, "fold-in: out of memory for %zu events", u->n + 1);
    }
    for (size_t i = 0; i <= u->n; i++) {
        uint32_t it = i < u->n ? u->items[i] : extra;
        double w = i < u->n ? u->weights[i] : extra_weight;
        int64_t t = i < u->n ? u->times[i] : extra_time;
        if (it >= map_n || map[it] == UNMAPPED)
            continue;
        float wd = (float)(w * rs__user_decay_at(model, t_ref, has_time, t));
        if (!(wd > 0.0f) || !isfinite(wd)) /* negative feedback has no confidence */
            continue;
        items[m] = map[it];
        weights[m++] = wd;
    }
    rc = rs_cf_model_fold_in(cf, items, weights, m, out, f);
    free(items);
    free(weights);
    return rc;
}

int rs__user_fold(const rs_user_model *model, const rs__user *u, int64_t t_ref, int has_time,
                  uint32_t extra, double extra_weight, int64_t extra_time, float *out)
{
    return fold_with(model, model->cf, model->store_to_cf, model->store_to_cf_n, model->cf_dim,
                     u, t_ref, has_time, extra, extra_weight, extra_time, out);
}

static void detach(rs_user_model *model)
{
    size_t n = rs__idmap_span(model->users);
    for (size_t i = 0; i < n; i++) {
        free(model->recs[i].cf);
        model->recs[i].cf = NULL;
    }
    free(model->store_to_cf);
    model->store_to_cf = NULL;
    model->store_to_cf_n = 0;
    model->cf = NULL;
    model->cf_dim = 0;
}

int rs_user_model_set_collaborative(rs_user_model *model, const rs_cf_model *cf,
                                    const char *const *item_keys, size_t n_items)
{
    static const char fn[] = "rs_user_model_set_collaborative";
    if (!model)
        return rs__fail(RS_ERR_INVALID, "%s: model is NULL", fn);
    if (!cf) {
        detach(model);
        return RS_OK;
    }
    if (!item_keys && n_items)
        return rs__fail(RS_ERR_INVALID, "%s: item_keys is NULL", fn);
    size_t f = rs_cf_model_dim(cf);
    if (rs_cf_model_kind(cf) != RS_CF_ALS || f == 0)
        return rs__fail(RS_ERR_STATE, "%s: fold-in needs a fitted ALS model", fn);
    if (n_items != rs_cf_model_items(cf))
        return rs__fail(RS_ERR_DIM, "%s: %zu keys, the model has %zu items", fn, n_items,
                        rs_cf_model_items(cf));
    size_t span = rs__item_span(model->store), n_users = rs__idmap_span(model->users);
    uint32_t *map = rs__alloc_array(span + 1, sizeof(uint32_t));
    float **factors = rs__calloc(n_users + 1, sizeof(float *));
    int rc = map && factors ? RS_OK : RS_ERR_NOMEM;
    for (size_t i = 0; rc == RS_OK && i < span; i++)
        map[i] = UNMAPPED;
    for (size_t i = 0; rc == RS_OK && i < n_items; i++) {
        if (!item_keys[i])
            continue;
        uint32_t idx = rs__idmap_find(model->store->keys, item_keys[i], strlen(item_keys[i]));
        if (idx != RS_IDMAP_NONE && idx < span)
            map[idx] = (uint32_t)i;
    }
    /* Every known user is folded in now, into new arrays, so that a failure
     * leaves the model as it was. */
    for (size_t i = 0; rc == RS_OK && i < n_users; i++) {
        const rs__user *u = &model->recs[i];
        if (!rs__idmap_key(model->users, (uint32_t)i, NULL) || u->n == 0)
            continue;
        if (!(factors[i] = rs__alloc_array(f, sizeof(float))))
            rc = RS_ERR_NOMEM;
        else
            rc = fold_with(model, cf, map, span, f, u, u->t_ref, u->has_time, UNMAPPED, 0.0, 0,
                           factors[i]);
    }
    if (rc != RS_OK) {
        for (size_t i = 0; factors && i < n_users; i++)
            free(factors[i]);
        free(factors);
        free(map);
        return rc == RS_ERR_NOMEM ? rs__fail(RS_ERR_NOMEM, "%s: out of memory", fn)
                                  : rs__fail_context("%s: ", fn);
    }
    detach(model);
    for (size_t i = 0; i < n_users; i++)
        model->recs[i].cf = factors[i];
    free(factors);
    model->cf = cf;
    model->cf_dim = f;
    model->store_to_cf = map;
    model->store_to_cf_n = span;
    return RS_OK;
}

int rs_user_model_collaborative_factors(const rs_user_model *model, const char *user,
                                        float *factors_out, size_t dim)
{
    static const char fn[] = "rs_user_model_collaborative_factors";
    if (!model || !factors_out)
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    if (rs__check_key(user, "user", NULL) != RS_OK)
        return rs__fail_context("%s: ", fn);
    if (!model->cf)
        return rs__fail(RS_ERR_STATE, "%s: no collaborative model is attached", fn);
    if (dim != model->cf_dim)
        return rs__fail(RS_ERR_DIM, "%s: dim %zu, the collaborative model has %zu", fn, dim,
                        model->cf_dim);
    const rs__user *u = rs__user_find(model, user);
    if (!u)
        return rs__fail(RS_ERR_NOTFOUND, "%s: unknown user \"%s\"", fn, user);
    if (u->cf)
        memcpy(factors_out, u->cf, dim * sizeof(float));
    else
        memset(factors_out, 0, dim * sizeof(float));
    return RS_OK;
}
