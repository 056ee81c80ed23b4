/*
 * model_sim.h - the pieces of rs_model_simulate (model_sim.c) that a shard
 * of its users (model_sim_shard.c) runs too: the catalogue's categories,
 * the population, one policy's run a step at a time, the trace.
 */
#ifndef RS_MODEL_SIM_H
#define RS_MODEL_SIM_H

#include "model/model_internal.h"

#include <stddef.h>
#include <stdint.h>

#define MAX_POLICIES 64
#define MAX_STEPS 10000000u
#define MAX_USERS 10000000u

enum policy_kind { POLICY_SCORER, POLICY_POPULAR, POLICY_RANDOM };

/* What every policy's run starts from. */
struct rs__sim_population {
    size_t n_users, mirrored, dim, words;
    char **keys;             /* user model key of each simulated user */
    float *interests;        /* mirrored users' vectors, mirrored x dim */
    uint64_t *seen0;         /* n_users x words: the mirrored histories */
    uint32_t *by_popularity; /* store indices, most popular first */
};

/* The category of each store index (of_item: span + 1 entries), *n_out of them. */
int rs__model_sim_categories(const rs_model *m, uint32_t *of_item, size_t *n_out);
/* The population of n_users (0: one per user of the model) for seed. */
int rs__model_sim_population(const rs_model *m, size_t n_users, uint64_t seed,
                             struct rs__sim_population *p);
void rs__model_sim_population_free(struct rs__sim_population *p);
/* A policy name's kind (enum policy_kind), or RS_ERR_NOTFOUND / _INVALID. */
int rs__model_sim_policy_kind(const char *name, int *out);
/* rs_model_simulate's argument checks; kinds receives each policy's kind. */
int rs__model_sim_check_args(const rs_model *m, const char *const *policies, size_t n_policies,
                             size_t n_users, uint64_t steps, size_t slate_size, int *kinds,
                             rs_sim_trace **out);

/* One policy's run over sim from a fresh population: begin (populates sim),
 * a step per call, end (accepts NULL). */
struct rs__model_policy_run;
int rs__model_policy_begin(const rs_model *m, rs_sim *sim, const struct rs__sim_population *pop,
                           int kind, const char *name, size_t slate_size, uint64_t seed,
                           struct rs__model_policy_run **out);
int rs__model_policy_step(struct rs__model_policy_run *p);
void rs__model_policy_end(struct rs__model_policy_run *p);

/* Monotonic seconds (the trace's timings). */
double rs__model_sim_now(void);

/* A trace of n_policies x steps, values to fill (rs_model_simulate's). */
int rs__sim_trace_create(const char *const *policies, size_t n_policies, uint64_t steps,
                         rs_sim_trace **out);
/* Policy p's values (steps x RS_SIM_STAT_COUNT) and its seconds. */
double *rs__sim_trace_values(rs_sim_trace *t, size_t policy, double **seconds);

#endif
