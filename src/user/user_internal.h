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
};

/* The user of a key, or NULL. */
const rs__user *rs__user_find(const rs_user_model *model, const char *key);

/* The decay factor of an event at time t for a user (1 without decay). */
double rs__user_decay(const rs_user_model *model, const rs__user *u, int64_t t);

#endif
