/*
 * user_internal.h - the user model's layout, for the scorer.
 */
#ifndef RS_USER_INTERNAL_H
#define RS_USER_INTERNAL_H

#include "core/idmap.h"
#include "recsim.h"

#include <stddef.h>
#include <stdint.h>

typedef struct rs__user {
    float *interest;   /* dim floats, decayed to t_ref */
    int64_t t_ref;     /* the time interest is decayed to (latest observed) */
    int has_time;      /* t_ref is set */
    uint32_t *items;   /* history: store indices, one entry per observe */
    float *weights;    /* signed weight x event weight */
    int64_t *times;
    size_t n, cap;
    float *text;       /* NULL, or dim floats: the decayed, weighted sum of the
                          unit vectors of the user's texts (same t_ref) */
    float *cf;         /* NULL, or cf_dim floats: the collaborative fold-in
                          factors of the history (user_signals.c) */
} rs__user;

struct rs_user_model {
    const rs_item_store *store;
    size_t dim;
    double half_life; /* seconds; 0 = no decay */
    rs_idmap *users;
    rs__user *recs;
    size_t rec_cap;
    rs_idmap *events;
    double *event_weight;
    size_t event_cap;
    double text_weight; /* RS_USER_TEXT_WEIGHT */
    /* collaborative fold-in (rs_user_model_set_collaborative) */
    const rs_cf_model *cf;
    size_t cf_dim;
    uint32_t *store_to_cf; /* store span at attach; NONE when unmapped */
    size_t store_to_cf_n;
};

/* The user of a key, or NULL. */
const rs__user *rs__user_find(const rs_user_model *model, const char *key);

/* The decay factor of an event at time t for a user (1 without decay). */
double rs__user_decay(const rs_user_model *model, const rs__user *u, int64_t t);

/* The decay factor of an event at time t against reference time t_ref. */
double rs__user_decay_at(const rs_user_model *model, int64_t t_ref, int has_time, int64_t t);

/* A user's blended interest (history and texts, RS_USER_TEXT_WEIGHT) scaled
 * to unit length into out (dim floats); returns 1, or 0 when it is zero (out
 * is then all zeros).  For a user without texts this is bitwise the history
 * interest scaled to unit length. */
int rs__user_interest(const rs_user_model *model, const rs__user *u, float *out);

/* rs__user_interest's return alone (1: the interest is not zero), without
 * its vector when the user has no text (scratch: dim floats, written only
 * when it has); for a ranking that never reads the vector. */
int rs__user_has_interest(const rs_user_model *model, const rs__user *u, float *scratch);

/* Move u's reference time to timestamp when later (scaling the interest and
 * text vectors), and return the factor of an event at timestamp. */
double rs__user_advance(const rs_user_model *model, rs__user *u, int64_t timestamp);

/* The user record of key, created (empty, with a zero interest) when absent;
 * *created_out says which.  0 or a status (nothing changed on failure). */
int rs__user_get_or_create(rs_user_model *model, const char *key, size_t len,
                           uint32_t *index_out, int *created_out);
/* Undo rs__user_get_or_create of a record just created. */
void rs__user_discard(rs_user_model *model, const char *key, size_t len, uint32_t index);

/* Collaborative fold-in factors of u's history with one extra event (item
 * store index extra, or UINT32_MAX for none) as of reference time t_ref,
 * into out (cf_dim floats).  0 or a status. */
int rs__user_fold(const rs_user_model *model, const rs__user *u, int64_t t_ref, int has_time,
                  uint32_t extra, double extra_weight, int64_t extra_time, float *out);

/* A copy of src in memory: the model rs_user_model_save then
 * rs_user_model_load would give (no collaborative model attached; events
 * of items no longer in the store dropped).  0 or a status, *out NULL. */
int rs__user_model_clone(const rs_user_model *src, rs_user_model **out);

/* Frees one record's arrays. */
void rs__user_release(rs__user *u);

#endif
