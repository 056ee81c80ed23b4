/*
 * user_model.c - rs_user_model: per-user interest vectors in the item
 * store's embedding space, updated online in O(dim) per event, with event
 * weights and exponential time decay.
 */
#include "user/user_internal.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/utf8.h"
#include "items/items_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int rs_user_model_create(const rs_item_store *store, rs_user_model **out)
{
    rs_user_model *m;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "rs_user_model_create: out is NULL");
    *out = NULL;
    if (!store)
        return rs__fail(RS_ERR_INVALID, "rs_user_model_create: store is NULL");
    m = rs__calloc(1, sizeof *m);
    if (!m)
        return rs__fail(RS_ERR_NOMEM, "rs_user_model_create: out of memory");
    m->store = store;
    m->dim = rs_item_store_dim(store);
    m->text_weight = 0.3;
    m->users = rs__idmap_create();
    m->events = rs__idmap_create();
    if (!m->users || !m->events) {
        rs_user_model_free(m);
        return rs__fail(RS_ERR_NOMEM, "rs_user_model_create: out of memory");
    }
    static const char *const names[] = {"bought", "carted", "viewed"};
    static const double w[] = {1.0, 0.5, 0.2};
    for (size_t i = 0; i < 3; i++) {
        if (rs_user_model_set_event_weight(m, names[i], w[i]) != RS_OK) {
            rs_user_model_free(m);
            return rs__fail(RS_ERR_NOMEM, "rs_user_model_create: out of memory");
        }
    }
    *out = m;
    return RS_OK;
}

void rs__user_release(rs__user *u)
{
    free(u->interest);
    free(u->items);
    free(u->weights);
    free(u->times);
    free(u->text);
    free(u->cf);
    memset(u, 0, sizeof *u);
}

void rs_user_model_free(rs_user_model *model)
{
    if (!model)
        return;
    size_t n = model->users ? rs__idmap_span(model->users) : 0;
    for (size_t i = 0; i < n; i++)
        rs__user_release(&model->recs[i]);
    free(model->recs);
    rs__idmap_free(model->users);
    rs__idmap_free(model->events);
    free(model->event_weight);
    free(model->store_to_cf);
    free(model);
}

size_t rs_user_model_count(const rs_user_model *model)
{
    return model ? rs__idmap_count(model->users) : 0;
}

int rs_user_model_set_double(rs_user_model *model, int option, double value)
{
    if (!model)
        return rs__fail(RS_ERR_INVALID, "rs_user_model_set_double: model is NULL");
    switch (option) {
    case RS_USER_HALF_LIFE:
        if (!isfinite(value) || value < 0.0)
            return rs__fail(RS_ERR_RANGE,
                            "rs_user_model_set_double: half-life %g is not finite and >= 0",
                            value);
        model->half_life = value;
        return RS_OK;
    case RS_USER_TEXT_WEIGHT:
        if (!(value >= 0.0 && value <= 1.0))
            return rs__fail(RS_ERR_RANGE,
                            "rs_user_model_set_double: text weight %g is outside [0, 1]", value);
        model->text_weight = value;
        return RS_OK;
    default:
        return rs__fail(RS_ERR_INVALID, "rs_user_model_set_double: unknown option %d", option);
    }
}

int rs_user_model_get_double(const rs_user_model *model, int option, double *value_out)
{
    if (!model || !value_out)
        return rs__fail(RS_ERR_INVALID, "rs_user_model_get_double: NULL argument");
    switch (option) {
    case RS_USER_HALF_LIFE: *value_out = model->half_life; return RS_OK;
    case RS_USER_TEXT_WEIGHT: *value_out = model->text_weight; return RS_OK;
    default:
        return rs__fail(RS_ERR_INVALID, "rs_user_model_get_double: unknown option %d", option);
    }
}

int rs_user_model_set_event_weight(rs_user_model *model, const char *event, double weight)
{
    size_t len;
    uint32_t idx;
    int rc;
    if (!model)
        return rs__fail(RS_ERR_INVALID, "rs_user_model_set_event_weight: model is NULL");
    if ((rc = rs__check_key(event, "event", &len)) != RS_OK)
        return rs__fail_context("rs_user_model_set_event_weight");
    if (!isfinite(weight) || weight < 0.0 || weight > 1e6)
        return rs__fail(RS_ERR_RANGE,
                        "rs_user_model_set_event_weight: weight %g of \"%s\" is outside [0, 1e6]",
                        weight, event);
    size_t need = rs__idmap_span(model->events) + 1;
    if (rs__grow((void **)&model->event_weight, &model->event_cap, need, sizeof(double)) != RS_OK)
        return rs__fail(RS_ERR_NOMEM, "rs_user_model_set_event_weight: out of memory");
    if ((rc = rs__idmap_intern(model->events, event, len, &idx, NULL)) != RS_OK)
        return rs__fail(rc, "rs_user_model_set_event_weight: cannot intern \"%s\"", event);
    model->event_weight[idx] = weight;
    return RS_OK;
}

int rs_user_model_get_event_weight(const rs_user_model *model, const char *event,
                                   double *weight_out)
{
    size_t len;
    if (!model || !weight_out)
        return rs__fail(RS_ERR_INVALID, "rs_user_model_get_event_weight: NULL argument");
    if (rs__check_key(event, "event", &len) != RS_OK)
        return rs__fail_context("rs_user_model_get_event_weight");
    uint32_t idx = rs__idmap_find(model->events, event, len);
    *weight_out = idx == RS_IDMAP_NONE ? 1.0 : model->event_weight[idx];
    return RS_OK;
}

const rs__user *rs__user_find(const rs_user_model *model, const char *key)
{
    if (!model || !key)
        return NULL;
    uint32_t idx = rs__idmap_find(model->users, key, strlen(key));
    return idx == RS_IDMAP_NONE ? NULL : &model->recs[idx];
}

double rs__user_decay_at(const rs_user_model *model, int64_t t_ref, int has_time, int64_t t)
{
    if (model->half_life <= 0.0 || !has_time || t >= t_ref)
        return 1.0;
    return exp2(-((double)t_ref - (double)t) / model->half_life);
}

double rs__user_decay(const rs_user_model *model, const rs__user *u, int64_t t)
{
    return rs__user_decay_at(model, u->t_ref, u->has_time, t);
}

double rs__user_advance(const rs_user_model *model, rs__user *u, int64_t timestamp)
{
    if (model->half_life > 0.0 && u->has_time && timestamp > u->t_ref) {
        float s = (float)exp2(-((double)timestamp - (double)u->t_ref) / model->half_life);
        for (size_t j = 0; j < model->dim; j++)
            u->interest[j] *= s;
        if (u->text)
            for (size_t j = 0; j < model->dim; j++)
                u->text[j] *= s;
        u->t_ref = timestamp;
        return 1.0;
    }
    if (!u->has_time) {
        u->t_ref = timestamp;
        u->has_time = 1;
        return 1.0;
    }
    return rs__user_decay(model, u, timestamp);
}

int rs__user_get_or_create(rs_user_model *model, const char *key, size_t len,
                           uint32_t *index_out, int *created_out)
{
    uint32_t idx = rs__idmap_find(model->users, key, len);
    *created_out = 0;
    if (idx == RS_IDMAP_NONE) {
        float *vec = rs__calloc(model->dim, sizeof(float));
        size_t need = rs__idmap_span(model->users) + 1;
        if (!vec)
            return rs__fail(RS_ERR_NOMEM, "out of memory for user \"%s\"", key);
        if (rs__grow((void **)&model->recs, &model->rec_cap, need, sizeof(rs__user)) != RS_OK ||
            rs__idmap_intern(model->users, key, len, &idx, NULL) != RS_OK) {
            free(vec);
            return rs__fail(RS_ERR_NOMEM, "out of memory for user \"%s\"", key);
        }
        memset(&model->recs[idx], 0, sizeof(rs__user));
        model->recs[idx].interest = vec;
        *created_out = 1;
    }
    *index_out = idx;
    return RS_OK;
}

void rs__user_discard(rs_user_model *model, const char *key, size_t len, uint32_t index)
{
    rs__idmap_remove(model->users, key, len);
    rs__user_release(&model->recs[index]);
}

static int history_reserve(rs__user *u)
{
    if (u->n < u->cap)
        return RS_OK;
    size_t cap = u->cap ? u->cap * 2 : 8;
    uint32_t *it = rs__realloc_array(u->items, cap, sizeof *it);
    if (!it)
        return RS_ERR_NOMEM;
    u->items = it;
    float *w = rs__realloc_array(u->weights, cap, sizeof *w);
    if (!w)
        return RS_ERR_NOMEM;
    u->weights = w;
    int64_t *t = rs__realloc_array(u->times, cap, sizeof *t);
    if (!t)
        return RS_ERR_NOMEM;
    u->times = t;
    u->cap = cap;
    return RS_OK;
}

int rs_user_model_observe(rs_user_model *model, const char *user, const char *item,
                          const char *event, double weight, int64_t timestamp)
{
    static const char fn[] = "rs_user_model_observe";
    size_t ulen, ilen, elen;
    uint32_t item_idx, uidx;
    double ew = 1.0;
    int created = 0;
    if (!model)
        return rs__fail(RS_ERR_INVALID, "%s: model is NULL", fn);
    if (rs__check_key(user, "user", &ulen) != RS_OK || rs__check_key(item, "item", &ilen) != RS_OK)
        return rs__fail_context("%s: ", fn);
    if (event) {
        if (rs__check_key(event, "event", &elen) != RS_OK)
            return rs__fail_context("%s: ", fn);
        uint32_t e = rs__idmap_find(model->events, event, elen);
        if (e != RS_IDMAP_NONE)
            ew = model->event_weight[e];
    }
    if (!isfinite(weight) || fabs(weight) > 1e9)
        return rs__fail(RS_ERR_RANGE, "%s: weight %g of user \"%s\" is not finite or > 1e9", fn,
                        weight, user);
    if (rs_item_store_dim(model->store) != model->dim)
        return rs__fail(RS_ERR_STATE, "%s: the item store changed dimension", fn);
    item_idx = rs__idmap_find(model->store->keys, item, ilen);
    if (item_idx == RS_IDMAP_NONE)
        return rs__fail(RS_ERR_NOTFOUND, "%s: unknown item \"%s\"", fn, item);
    if (rs__user_get_or_create(model, user, ulen, &uidx, &created) != RS_OK)
        return rs__fail_context("%s: ", fn);
    rs__user *u = &model->recs[uidx];
    if (history_reserve(u) != RS_OK)
        goto nomem;
    if (model->cf) {
        /* Fold in before anything changes, so that a failure leaves the
         * model as it was. */
        int64_t t_ref = timestamp;
        if (u->has_time && (u->t_ref > timestamp || model->half_life <= 0.0))
            t_ref = u->t_ref;
        float *tmp = rs__alloc_array(model->cf_dim, sizeof(float));
        float *fresh = u->cf ? NULL : rs__alloc_array(model->cf_dim, sizeof(float));
        int rc = !tmp || (!u->cf && !fresh)
                     ? RS_ERR_NOMEM
                     : rs__user_fold(model, u, t_ref, 1, item_idx, weight * ew, timestamp, tmp);
        if (rc != RS_OK) {
            free(tmp);
            free(fresh);
            if (created)
                rs__user_discard(model, user, ulen, uidx);
            return rc == RS_ERR_NOMEM
                       ? rs__fail(RS_ERR_NOMEM, "%s: out of memory for \"%s\"", fn, user)
                       : rs__fail_context("%s: fold-in of \"%s\": ", fn, user);
        }
        if (fresh)
            u->cf = fresh;
        memcpy(u->cf, tmp, model->cf_dim * sizeof(float));
        free(tmp);
    } else if (u->cf) {
        /* no model: the factors would go stale */
        free(u->cf);
        u->cf = NULL;
    }
    double factor = rs__user_advance(model, u, timestamp);
    float inv = model->store->inv_norm[item_idx];
    const float *row = rs__item_row(model->store, item_idx);
    float a = (float)(weight * ew * factor) * inv;
    for (size_t j = 0; j < model->dim; j++)
        u->interest[j] += a * row[j];
    u->items[u->n] = item_idx;
    u->weights[u->n] = (float)(weight * ew);
    u->times[u->n] = timestamp;
    u->n++;
    return RS_OK;
nomem:
    if (created)
        rs__user_discard(model, user, ulen, uidx);
    return rs__fail(RS_ERR_NOMEM, "%s: out of memory for \"%s\"", fn, user);
}

int rs__user_interest(const rs_user_model *model, const rs__user *u, float *out)
{
    size_t dim = model->dim;
    double n2 = 0.0, t2 = 0.0;
    for (size_t j = 0; j < dim; j++)
        n2 += (double)u->interest[j] * u->interest[j];
    if (u->text && model->text_weight > 0.0)
        for (size_t j = 0; j < dim; j++)
            t2 += (double)u->text[j] * u->text[j];
    if (t2 == 0.0 || model->text_weight == 0.0) {
        float s = n2 > 0.0 ? (float)(1.0 / sqrt(n2)) : 0.0f;
        for (size_t j = 0; j < dim; j++)
            out[j] = u->interest[j] * s;
        return n2 > 0.0;
    }
    /* (1 - b) unit(history) + b unit(text), then unit length */
    double b = n2 > 0.0 ? model->text_weight : 1.0;
    double hs = n2 > 0.0 ? (1.0 - b) / sqrt(n2) : 0.0, ts = b / sqrt(t2), o2 = 0.0;
    for (size_t j = 0; j < dim; j++) {
        double v = hs * u->interest[j] + ts * u->text[j];
        out[j] = (float)v;
        o2 += v * v;
    }
    if (o2 == 0.0)
        return 0;
    float s = (float)(1.0 / sqrt(o2));
    for (size_t j = 0; j < dim; j++)
        out[j] *= s;
    return 1;
}

int rs__user_has_interest(const rs_user_model *model, const rs__user *u, float *scratch)
{
    if (u->text && model->text_weight > 0.0) /* the blend may cancel: computed */
        return rs__user_interest(model, u, scratch);
    /* n2 > 0: a sum of squares of floats (none underflows in double) is
     * positive when a term is, unless a NaN makes it NaN */
    int nonzero = 0, nan = 0;
    size_t j = 0;
#if defined(__GNUC__)
    typedef float v4f __attribute__((vector_size(16)));
    typedef int32_t v4i __attribute__((vector_size(16)));
    v4i nz = {0, 0, 0, 0}, nn = nz;
    const v4f zero = {0, 0, 0, 0};
    for (; j + 4 <= model->dim; j += 4) {
        v4f x;
        memcpy(&x, u->interest + j, sizeof x);
        nz |= x != zero;
        nn |= x != x;
    }
    for (int l = 0; l < 4; l++) {
        nonzero |= nz[l] != 0;
        nan |= nn[l] != 0;
    }
#endif
    for (; j < model->dim; j++) {
        nonzero |= u->interest[j] != 0.0f;
        nan |= isnan(u->interest[j]);
    }
    return nonzero && !nan;
}

int rs_user_model_interest(const rs_user_model *model, const char *user, float *vector_out,
                           size_t dim)
{
    if (!model || !vector_out)
        return rs__fail(RS_ERR_INVALID, "rs_user_model_interest: NULL argument");
    if (rs__check_key(user, "user", NULL) != RS_OK)
        return rs__fail_context("rs_user_model_interest");
    if (dim != model->dim)
        return rs__fail(RS_ERR_DIM, "rs_user_model_interest: dim %zu, the model has %zu", dim,
                        model->dim);
    const rs__user *u = rs__user_find(model, user);
    if (!u)
        return rs__fail(RS_ERR_NOTFOUND, "rs_user_model_interest: unknown user \"%s\"", user);
    rs__user_interest(model, u, vector_out);
    return RS_OK;
}

int rs_user_model_history(const rs_user_model *model, const char *user, uint32_t *items_out,
                          float *weights_out, size_t capacity, size_t *n_out)
{
    if (!model || !n_out || (capacity && !items_out))
        return rs__fail(RS_ERR_INVALID, "rs_user_model_history: NULL argument");
    if (rs__check_key(user, "user", NULL) != RS_OK)
        return rs__fail_context("rs_user_model_history");
    const rs__user *u = rs__user_find(model, user);
    if (!u)
        return rs__fail(RS_ERR_NOTFOUND, "rs_user_model_history: unknown user \"%s\"", user);
    *n_out = u->n;
    size_t m = u->n < capacity ? u->n : capacity;
    for (size_t i = 0; i < m; i++) {
        items_out[i] = u->items[i];
        if (weights_out)
            weights_out[i] = (float)(u->weights[i] * rs__user_decay(model, u, u->times[i]));
    }
    if (u->n > capacity)
        return rs__fail(RS_ERR_BUFFER, "rs_user_model_history: %zu events, capacity %zu", u->n,
                        capacity);
    return RS_OK;
}
