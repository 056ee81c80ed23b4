/*
 * sim_scorer.h - the simulator's scorer policy with its state kept across
 * calls, for rs_model_simulate (model/), which runs one step per call; the
 * rest of the simulator's internals stay in sim_internal.h.
 */
#ifndef RS_SIM_SCORER_H
#define RS_SIM_SCORER_H

#include <stddef.h>
#include <stdint.h>

#include "recsim.h"

/*
 * The library's scorer as the policy (policy.c), its state kept across
 * calls: rs_sim_run_scorer is begin, steps, end; rs_model_simulate runs one
 * step per call (for the trace) on one begin, so that a user's cached
 * ranking and collaborative sums outlive the step.  begin checks what
 * rs_sim_run_scorer checks; end accepts NULL.
 */
typedef struct rs__sim_scorer_run rs__sim_scorer_run;
int rs__sim_scorer_begin(rs_sim *sim, const rs_scorer *scorer, rs_user_model *users,
                         const char *const *user_keys, size_t slate_size, int flags,
                         rs__sim_scorer_run **out);
int rs__sim_scorer_steps(rs__sim_scorer_run *r, uint64_t steps, const char *trace_path);
void rs__sim_scorer_end(rs__sim_scorer_run *r);
/* Tests and bench: 1 makes every kept run the plain one (no kept sums, each
 * call ranks afresh: the scorer policy before 1.1), 0 restores.  The
 * simulation is the same either way, only slower. */
void rs__sim_force_plain(int on);

/*
 * Also for rs_model_simulate, whose first n_given users are mirrored (their
 * interests set by rs_sim_set_interest after every population): the
 * population of rs_sim_populate with those users' interests not drawn (the
 * random streams skipped past them, so every other draw is the same), left
 * as they were (0 after create); create, and create from a store, that
 * populate so.  rs_sim_populate, rs_sim_create, rs_sim_create_from_store
 * are these with n_given 0.
 */
int rs__sim_populate_given(rs_sim *s, size_t n_given);
int rs__sim_create_given(const float *items, size_t n_items, size_t dim,
                         const uint32_t *categories, size_t n_categories, size_t n_users,
                         uint64_t seed, size_t n_given, rs_sim **out);
int rs__sim_create_from_store_given(const rs_item_store *store, const uint32_t *categories,
                                    size_t n_categories, size_t n_users, uint64_t seed,
                                    size_t n_given, rs_sim **out);

#endif
