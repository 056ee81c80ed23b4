/*
 * eval_internal.h - the event log handle shared by the files of the eval
 * module (events.c: log, splits, files; runner.c: the evaluation runner).
 */
#ifndef RS_EVAL_INTERNAL_H
#define RS_EVAL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/idmap.h"
#include "recsim.h"

struct rs_events {
    rs_idmap *users, *items; /* key -> dense index, in order of first appearance */
    uint32_t *user, *item;   /* per event */
    int64_t *time;
    double *weight;
    uint8_t *part;
    size_t n, cap;
};

/* The per-user fields of a result row: the rs_eval_metric values, then AUC and
 * graded NDCG. */
#define RS__EVAL_USER_AUC RS_EVAL_METRIC_COUNT
#define RS__EVAL_USER_NDCG_GRADED (RS_EVAL_METRIC_COUNT + 1)
#define RS__EVAL_USER_FIELDS (RS_EVAL_METRIC_COUNT + 2)

/* The most shards a run's users are split into (RS_EVAL_SHARDS). */
#define RS_EVAL_MAX_SHARDS 65536

/* A result row's fields from its users' values (n_users x
 * RS__EVAL_USER_FIELDS, in user order) and lists (n_users x k): the
 * averages, coverage, novelty, Gini, popularity bias, users and k (the
 * other fields are left as they are).  runner.c for a run, parts.c for
 * merged shards: the same code, so that the two agree bit for bit. */
int rs__eval_row_fields(const double *values, const uint32_t *lists, size_t n_users, size_t k,
                        size_t n_items, const uint32_t *popularity, size_t n_train_users,
                        double *field);

/* A result row as parts.c reads it (borrowed from the runner). */
struct rs__eval_row {
    const char *name;
    const double *field;
    const uint32_t *users, *lists, *popularity;
    const double *values;
    size_t n_users, k, shard, shards, group_users, n_items, n_train_users;
    int64_t group;
};

/* The row's view, or RS_ERR_INVALID / RS_ERR_NOTFOUND (named for fn). */
int rs__eval_row_view(const rs_eval *e, size_t row, struct rs__eval_row *out, const char *fn);

/* Check a part argument of a split (TEST or VALID); 0 or RS_ERR_INVALID. */
int rs__eval_check_target(int part, const char *fn);

#endif
