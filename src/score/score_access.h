/*
 * score_access.h - what other modules (the simulator) may read of a scorer
 * beyond the public API, without seeing its layout (score_internal.h is
 * the module's own).  Pointers are borrowed: they live as long as the
 * scorer.
 */
#ifndef RS_SCORE_ACCESS_H
#define RS_SCORE_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "recsim.h"

/* The user model and item store the scorer was created on. */
const rs_user_model *rs__scorer_users(const rs_scorer *scorer);
const rs_item_store *rs__scorer_store(const rs_scorer *scorer);

/* The scorer's "now" (the time of the model's latest event) into *now_out;
 * false, *now_out 0, when its events carry no time. */
bool rs__scorer_now(const rs_scorer *scorer, int64_t *now_out);

#endif
