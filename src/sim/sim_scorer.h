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

#endif
