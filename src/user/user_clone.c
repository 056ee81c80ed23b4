/*
 * user_clone.c - a deep copy of a user model in memory, the very model that
 * rs_user_model_save and rs_user_model_load give back (options, event
 * weights, users in order, interests, texts, the histories of items the
 * store still holds; no collaborative model attached), without the round
 * trip through SQLite: rs_model_simulate copies the model's users for every
 * scorer run, and through an in-memory database that copy took an eighth of
 * a retail simulation.
 */
#include "user/user_internal.h"

#include "core/alloc.h"
#include "core/error.h"
#include "items/items_internal.h"

#include <stdlib.h>
#include <string.h>

/* One user's record into u (created empty by rs__user_get_or_create). */
static int copy_user(const rs_user_model *src, const rs__user *r, rs__user *u)
{
    size_t span = rs__item_span(src->store), kept = 0;
    u->t_ref = r->t_ref;
    u->has_time = r->has_time;
    memcpy(u->interest, r->interest, src->dim * sizeof *u->interest);
    if (r->text) {
        if (!(u->text = rs__alloc_array(src->dim, sizeof *u->text)))
            return RS_ERR_NOMEM;
        memcpy(u->text, r->text, src->dim * sizeof *u->text);
    }
    /* as the save: an event whose item left the store is not written */
    for (size_t i = 0; i < r->n; i++)
        kept += r->items[i] < span && rs__idmap_key(src->store->keys, r->items[i], NULL);
    if (kept == 0)
        return RS_OK;
    u->items = rs__alloc_array(kept, sizeof *u->items);
    u->weights = rs__alloc_array(kept, sizeof *u->weights);
    u->times = rs__alloc_array(kept, sizeof *u->times);
    if (!u->items || !u->weights || !u->times)
        return RS_ERR_NOMEM;
    u->cap = kept;
    for (size_t i = 0; i < r->n; i++) {
        if (!(r->items[i] < span && rs__idmap_key(src->store->keys, r->items[i], NULL)))
            continue;
        u->items[u->n] = r->items[i];
        u->weights[u->n] = r->weights[i];
        u->times[u->n++] = r->times[i];
    }
    return RS_OK;
}

int rs__user_model_clone(const rs_user_model *src, rs_user_model **out)
{
    rs_user_model *m = NULL;
    int rc;
    *out = NULL;
    if ((rc = rs_user_model_create(src->store, &m)) != RS_OK)
        return rc;
    m->half_life = src->half_life;
    m->text_weight = src->text_weight;
    for (size_t e = 0; rc == RS_OK && e < rs__idmap_span(src->events); e++) {
        const char *name = rs__idmap_key(src->events, (uint32_t)e, NULL);
        if (name)
            rc = rs_user_model_set_event_weight(m, name, src->event_weight[e]);
    }
    for (size_t i = 0; rc == RS_OK && i < rs__idmap_span(src->users); i++) {
        size_t len;
        uint32_t idx;
        int created;
        const char *key = rs__idmap_key(src->users, (uint32_t)i, &len);
        if (!key)
            continue;
        rc = rs__user_get_or_create(m, key, len, &idx, &created);
        if (rc == RS_OK && copy_user(src, &src->recs[i], &m->recs[idx]) != RS_OK)
            rc = rs__fail(RS_ERR_NOMEM, "copying user \"%s\": out of memory", key);
    }
    if (rc != RS_OK) {
        rs_user_model_free(m);
        return rs__fail_context("copying the user model: ");
    }
    *out = m;
    return RS_OK;
}
