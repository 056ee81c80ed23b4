/*
 * model_sim_shard.c - rs_model_simulate split by users (rs_sim_shard) and
 * merged back (rs_sim_merge), for simulating on several machines.
 *
 * A shard builds what the whole run builds (the catalogue's categories,
 * the whole population, the policy's state: cheap next to the steps, and
 * the only way to get every user's starting state bit for bit, as the
 * mirrored users' noise comes from one sequence over all of them), then
 * runs the steps for its block of users only.  Between steps the clicks
 * of every shard are summed by the merge and handed back (sim/shard.c
 * says why that is all the users share); the merge computes each step's
 * statistics from the shards' exact counts and values, as one run does.
 */
#include "model/model_sim.h"

#include "core/alloc.h"
#include "core/error.h"
#include "sim/sim_scorer.h"
#include "sim/sim_shard.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SHARDS 65536

struct rs_sim_shard {
    struct rs__sim_population pop;
    uint32_t *categories;
    rs_sim *sim;
    struct rs__model_policy_run *run;
    rs__sim_shard_io *io;
    double begin_seconds; /* the policy's set-up, counted in step 0 */
    uint64_t steps;
    int failed; /* a step failed half-way: the shard cannot go on */
};

void rs_sim_shard_free(rs_sim_shard *sh)
{
    if (!sh)
        return;
    rs__sim_shard_detach(sh->io);
    rs__model_policy_end(sh->run);
    rs_sim_free(sh->sim);
    rs__model_sim_population_free(&sh->pop);
    free(sh->categories);
    free(sh);
}

/* The start of shard s of S over n users (s = S: n), as the evaluation
 * cuts its users: n * s / S without overflow. */
static size_t shard_start(size_t n, size_t s, size_t shards)
{
    return n / shards * s + n % shards * s / shards;
}

static uint64_t policy_tag(const char *policy)
{
    return rs__sim_fnv(RS__SIM_FNV_START, policy, strlen(policy));
}

int rs_model_sim_shard_begin(const rs_model *m, const char *policy, size_t n_users,
                             size_t slate_size, uint64_t seed, size_t shard, size_t n_shards,
                             rs_sim_shard **out)
{
    const char *fn = "rs_model_sim_shard_begin";
    rs_sim_trace *none;
    rs_sim_shard *sh;
    size_t n_categories = 1;
    int kind, s;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "%s: out is NULL", fn);
    *out = NULL;
    if (!m || !policy)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, m ? "policy" : "model");
    if (n_shards < 1 || n_shards > MAX_SHARDS || shard >= n_shards)
        return rs__fail(RS_ERR_RANGE, "%s: shard %zu of %zu (shards: 1 .. %d, shard below "
                        "them)", fn, shard, n_shards, MAX_SHARDS);
    if ((s = rs__model_sim_check_args(m, &policy, 1, n_users, 1, slate_size, &kind, &none)) != 0)
        return s;
    if (!(sh = rs__calloc(1, sizeof *sh)))
        return RS_ERR_NOMEM;
    sh->categories = rs__calloc(rs_item_store_span(m->store) + 1, sizeof *sh->categories);
    s = sh->categories ? RS_OK : RS_ERR_NOMEM;
    if (s == RS_OK)
        s = rs__model_sim_categories(m, sh->categories, &n_categories);
    if (s == RS_OK)
        s = rs__model_sim_population(m, n_users, seed, &sh->pop);
    if (s == RS_OK)
        s = rs__sim_create_from_store_given(m->store, sh->categories, n_categories,
                                            sh->pop.n_users, seed, sh->pop.mirrored, &sh->sim);
    if (s == RS_OK)
        s = rs__model_options_apply_sim(&m->options, sh->sim);
    double t0 = rs__model_sim_now();
    if (s == RS_OK)
        s = rs__model_policy_begin(m, sh->sim, &sh->pop, kind, policy, slate_size, seed,
                                   &sh->run);
    if (s == RS_OK) {
        /* the run: its policy, population, slate, seed and catalogue */
        uint64_t v[4] = {sh->pop.n_users, slate_size, seed, m->n_items};
        uint64_t key = rs__sim_fnv(policy_tag(policy), v, sizeof v);
        size_t n = sh->pop.n_users;
        s = rs__sim_shard_attach(sh->sim, shard_start(n, shard, n_shards),
                                 shard_start(n, shard + 1, n_shards), shard, n_shards, key,
                                 policy_tag(policy), &sh->io);
    }
    sh->begin_seconds = rs__model_sim_now() - t0;
    if (s != RS_OK) {
        rs_sim_shard_free(sh);
        return s;
    }
    rs_clear_error();
    *out = sh;
    return RS_OK;
}

int rs_sim_shard_step(rs_sim_shard *sh, const void *merged, size_t merged_len,
                      const void **part_out, size_t *part_len_out)
{
    const char *fn = "rs_sim_shard_step";
    int s;
    if (part_out)
        *part_out = NULL;
    if (part_len_out)
        *part_len_out = 0;
    if (!sh || !part_out || !part_len_out)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn,
                        !sh ? "shard" : (!part_out ? "part_out" : "part_len_out"));
    if (sh->failed)
        return rs__fail(RS_ERR_STATE, "%s: an earlier step failed", fn);
    if (sh->steps >= MAX_STEPS)
        return rs__fail(RS_ERR_RANGE, "%s: more than %u steps", fn, MAX_STEPS);
    /* bad merged bytes change nothing: the step may be retried */
    if ((s = rs__sim_shard_before(sh->io, merged, merged_len)) != RS_OK)
        return s;
    double t0 = rs__model_sim_now();
    s = rs__model_policy_step(sh->run);
    double seconds = rs__model_sim_now() - t0 + (sh->steps == 0 ? sh->begin_seconds : 0.0);
    if (s == RS_OK)
        s = rs__sim_shard_after(sh->io, seconds, part_out, part_len_out);
    if (s != RS_OK) {
        sh->failed = 1;
        return s;
    }
    sh->steps++;
    return RS_OK;
}

/* ------------------------------------------------------------ the merge */

struct rs_sim_merge {
    size_t n_policies;
    uint64_t steps;
    rs_sim_trace *trace; /* NULL once given away */
    rs__sim_merge_run **runs;
    uint64_t *tags;
};

void rs_sim_merge_free(rs_sim_merge *mg)
{
    if (!mg)
        return;
    for (size_t p = 0; mg->runs && p < mg->n_policies; p++)
        rs__sim_merge_run_free(mg->runs[p]);
    free(mg->runs);
    free(mg->tags);
    rs_sim_trace_free(mg->trace);
    free(mg);
}

int rs_sim_merge_create(const char *const *policies, size_t n_policies, uint64_t steps,
                        rs_sim_merge **out)
{
    const char *fn = "rs_sim_merge_create";
    rs_sim_merge *mg;
    int kind, s;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "%s: out is NULL", fn);
    *out = NULL;
    if (!policies)
        return rs__fail(RS_ERR_INVALID, "%s: policies is NULL", fn);
    if (n_policies == 0 || n_policies > MAX_POLICIES)
        return rs__fail(RS_ERR_RANGE, "%s: %zu policies, not 1 .. %d", fn, n_policies,
                        MAX_POLICIES);
    for (size_t p = 0; p < n_policies; p++)
        if ((s = rs__model_sim_policy_kind(policies[p], &kind)) != RS_OK)
            return s;
    if (steps == 0 || steps > MAX_STEPS)
        return rs__fail(RS_ERR_RANGE, "%s: steps %llu outside 1 .. %u", fn,
                        (unsigned long long)steps, MAX_STEPS);
    if (!(mg = rs__calloc(1, sizeof *mg)))
        return RS_ERR_NOMEM;
    mg->n_policies = n_policies;
    mg->steps = steps;
    mg->runs = rs__calloc(n_policies, sizeof *mg->runs);
    mg->tags = rs__alloc_array(n_policies, sizeof *mg->tags);
    s = mg->runs && mg->tags ? RS_OK : RS_ERR_NOMEM;
    if (s == RS_OK)
        s = rs__sim_trace_create(policies, n_policies, steps, &mg->trace);
    for (size_t p = 0; s == RS_OK && p < n_policies; p++) {
        mg->tags[p] = policy_tag(policies[p]);
        if (!(mg->runs[p] = rs__sim_merge_run_create()))
            s = RS_ERR_NOMEM;
    }
    if (s != RS_OK) {
        rs_sim_merge_free(mg);
        return s;
    }
    *out = mg;
    return RS_OK;
}

int rs_sim_merge_step(rs_sim_merge *mg, size_t policy, const void *const *parts,
                      const size_t *lens, size_t n_parts, const void **merged_out,
                      size_t *merged_len_out)
{
    const char *fn = "rs_sim_merge_step";
    double *seconds, step_seconds = 0;
    const void *merged;
    size_t merged_len;
    int s;
    if (!mg || !parts || !lens || n_parts == 0)
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument or no part", fn);
    if (!mg->trace)
        return rs__fail(RS_ERR_STATE, "%s: the trace was given away", fn);
    if (policy >= mg->n_policies)
        return rs__fail(RS_ERR_RANGE, "%s: policy %zu outside 0 .. %zu", fn, policy,
                        mg->n_policies - 1);
    if (n_parts > MAX_SHARDS)
        return rs__fail(RS_ERR_RANGE, "%s: %zu parts, more than %d shards", fn, n_parts,
                        MAX_SHARDS);
    uint64_t step = rs__sim_merge_run_steps(mg->runs[policy]);
    if (step >= mg->steps)
        return rs__fail(RS_ERR_STATE, "%s: the %llu steps of policy %zu are merged already",
                        fn, (unsigned long long)mg->steps, policy);
    double *values = rs__sim_trace_values(mg->trace, policy, &seconds) +
                     (size_t)step * RS_SIM_STAT_COUNT;
    s = rs__sim_merge_run_step(mg->runs[policy], mg->tags[policy], parts, lens, n_parts,
                               values, &step_seconds, &merged, &merged_len);
    if (s != RS_OK)
        return s;
    *seconds += step_seconds;
    if (merged_out)
        *merged_out = merged;
    if (merged_len_out)
        *merged_len_out = merged_len;
    return RS_OK;
}

int rs_sim_merge_trace(rs_sim_merge *mg, rs_sim_trace **out)
{
    const char *fn = "rs_sim_merge_trace";
    if (!out)
        return rs__fail(RS_ERR_INVALID, "%s: out is NULL", fn);
    *out = NULL;
    if (!mg)
        return rs__fail(RS_ERR_INVALID, "%s: merge is NULL", fn);
    if (!mg->trace)
        return rs__fail(RS_ERR_STATE, "%s: the trace was given away", fn);
    for (size_t p = 0; p < mg->n_policies; p++)
        if (rs__sim_merge_run_steps(mg->runs[p]) != mg->steps)
            return rs__fail(RS_ERR_STATE, "%s: policy %zu has %llu of its %llu steps merged",
                            fn, p, (unsigned long long)rs__sim_merge_run_steps(mg->runs[p]),
                            (unsigned long long)mg->steps);
    *out = mg->trace;
    mg->trace = NULL;
    return RS_OK;
}
