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

/* Check a part argument of a split (TEST or VALID); 0 or RS_ERR_INVALID. */
int rs__eval_check_target(int part, const char *fn);

#endif
