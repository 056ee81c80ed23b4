/*
 * sim_shard.h - one simulation run split by users (shard.c): each shard
 * runs the steps of its block of users, and a merge sums, per step, what
 * couples the users (the clicks per item, from which every shard's
 * popularity is recomputed) and computes the trace's statistics from the
 * shards' exact data (exposure and clicks per item, categories' clicks, each
 * user's slate diversity in user order), so that the merged trace equals
 * the unsharded run's bit for bit.  The model layer (model_sim_shard.c)
 * builds the public rs_sim_shard / rs_sim_merge over these.
 *
 * Per step t:  shard: rs__sim_shard_before(merged of step t - 1; NULL at
 * t = 0), run one step of the policy, rs__sim_shard_after -> a part;
 * merge: rs__sim_merge_step(the parts of step t of every shard) -> the
 * trace values of step t and the merged bytes every shard gets for t + 1.
 */
#ifndef RS_SIM_SHARD_H
#define RS_SIM_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "recsim.h"

/* FNV-1a over n bytes continuing from h (RS__SIM_FNV_START to begin): the
 * keys that tell runs apart. */
#define RS__SIM_FNV_START 0xcbf29ce484222325ull
uint64_t rs__sim_fnv(uint64_t h, const void *data, size_t n);

/* A shard's side of the exchange, attached to the simulator it steps. */
typedef struct rs__sim_shard_io rs__sim_shard_io;

/*
 * Keep only users lo .. hi - 1 of sim (shard of shards; lo <= hi <=
 * n_users) and prepare the exchange.  run_key names the run (policy,
 * sizes, seed: parts and merged bytes of another run are refused); the
 * simulator's options are folded into it.  tag names the policy (a merge
 * refuses a part whose tag is not the one it expects).  Call after the population is
 * set (rs_sim_populate, interests).  *out is freed by
 * rs__sim_shard_detach, which also detaches it from the simulator.
 */
int rs__sim_shard_attach(rs_sim *sim, size_t lo, size_t hi, size_t shard, size_t shards,
                         uint64_t run_key, uint64_t tag, rs__sim_shard_io **out);
void rs__sim_shard_detach(rs__sim_shard_io *io);
/* Before a step: the merged bytes of the step before (NULL, 0 at step 0). */
int rs__sim_shard_before(rs__sim_shard_io *io, const void *merged, size_t len);
/* After the step: the shard's part (borrowed until the next call). */
int rs__sim_shard_after(rs__sim_shard_io *io, double seconds, const void **part,
                        size_t *len);

/* One run's merge (one policy). */
typedef struct rs__sim_merge_run rs__sim_merge_run;
rs__sim_merge_run *rs__sim_merge_run_create(void);
void rs__sim_merge_run_free(rs__sim_merge_run *r);
/*
 * Merge the n parts of the next step (any order, one per shard): the
 * statistics after the step into values (RS_SIM_STAT_COUNT), the shards'
 * seconds summed into *seconds, and the merged bytes for the shards' next
 * step (borrowed until the next call).  Parts whose tag is not tag are
 * refused.
 */
int rs__sim_merge_run_step(rs__sim_merge_run *r, uint64_t tag, const void *const *parts,
                           const size_t *lens, size_t n, double *values, double *seconds,
                           const void **merged, size_t *merged_len);
/* The steps merged so far. */
uint64_t rs__sim_merge_run_steps(const rs__sim_merge_run *r);

#endif
