/*
 * sim_internal.h - the simulator's state, shared by sim.c, run.c and
 * calibrate.c.
 */
#ifndef RS_SIM_INTERNAL_H
#define RS_SIM_INTERNAL_H

#include "recsim.h"
#include "sim/sim_scorer.h"

#include <stdint.h>

#define RS__SIM_N_DOUBLE 22

typedef struct rs__sim_trait {
    float activity, conformity, diversity;
} rs__sim_trait;

typedef struct rs__sim_stats {
    uint64_t steps, impressions, clicks, purchases, rating_sum, leaves, returns;
    uint64_t ended_session_steps, shown_items, truth_clicks;
    double ild_sum, entropy_sum, gini;
} rs__sim_stats;

typedef struct rs__sim_response {
    int position, behaviour, rating, left;
} rs__sim_response;

struct rs_sim {
    size_t n_items, dim, n_cat, n_users;
    uint64_t seed;
    uint32_t choice_key[2]; /* Philox key of the choice stream for steps < 2^32 */
    int kernel;             /* RS__SIM_KERNEL_*: the slate's dot products (same bits) */
    double opt[RS__SIM_N_DOUBLE];
    double log_noclick, log_decay; /* log of RS_SIM_NOCLICK, RS_SIM_POSITION_DECAY */
    int position_model;
    unsigned threads;
    float *items;         /* n_items x dim */
    float *item_inv_norm; /* n_items */
    uint32_t *cat;        /* n_items */
    /* the population (snapshotted) */
    float *interest;      /* n_users x dim */
    rs__sim_trait *trait; /* n_users */
    float *fatigue;       /* n_users x n_cat */
    uint8_t *active;      /* n_users */
    uint32_t *session_len;
    uint64_t *clicks;     /* n_items, cumulative */
    uint64_t *exposure;   /* n_items, cumulative */
    uint64_t step;
    rs__sim_stats st;
    float *pop;           /* derived from clicks */
    float *time_used;     /* n_users: time spent in the current session */
    /* related items (graph drift), CSR over items; NULL when unset */
    size_t *rel_start;    /* n_items + 1 */
    uint32_t *rel_item;
    /* host responder for chosen users */
    rs_sim_response_fn responder;
    void *responder_ctx;
    uint8_t *hosted;      /* n_users: 1 = answered by the responder */
    /* held-out truth per user: sorted item indices; NULL when none set */
    uint32_t **truth;
    uint32_t *n_truth;
    /* One shard of the users (model_sim_shard.c): only users user_lo ..
     * user_hi - 1 come back from a leave (the rest are kept inactive, so
     * never shown a slate); 0, n_users for a whole run. */
    size_t user_lo, user_hi;
    /* When not NULL (n_users entries), each step's loop writes the slate's
     * diversity of every active user here, in user order, and their number
     * into n_ild_log: what a shard sends for the merged trace's exact sum. */
    double *ild_log;
    size_t n_ild_log;
};

/* Whether item i is in user u's held-out truth. */
int rs__sim_is_truth(const rs_sim *s, uint32_t u, uint32_t i);

void rs__sim_update_pop(rs_sim *s);

/* The Gini coefficient of n counts (scratch: 2n entries), as the trace has it. */
double rs__sim_gini(const uint64_t *counts, size_t n, uint64_t *scratch);
/* Close one step: its sums (impressions = active users, clicks, purchases,
 * rating_sum, leaves, returns, ended_session_steps, truth_clicks, ild_sum of
 * step) added to t, the step's category entropy computed from cat_clicks
 * (n_cat) and returned, t->gini set.  The whole run (run.c) and the merge
 * of shards (shard.c) both close steps here: the same adds in the same
 * order, so a sharded run has the same bits. */
double rs__sim_stats_add_step(rs__sim_stats *t, const rs__sim_stats *step,
                              const uint64_t *cat_clicks, size_t n_cat, double gini);
/* Statistic stat (an rs_sim_stat) of the statistics t over n_items items. */
int rs__sim_stats_value(const rs__sim_stats *t, size_t n_items, int stat, double *v);
/* Keep only users lo .. hi - 1 (lo <= hi <= n_users): the rest made inactive
 * and never returning (one shard of the population). */
void rs__sim_set_user_range(rs_sim *s, size_t lo, size_t hi);

/*
 * A policy that fills every shown user's slate at once (in parallel):
 * shown[u] != 0 marks the users to serve (returning or active), slates is
 * n_users x k.  Returns RS_OK or a status (with rs__fail's message).
 */
typedef int (*rs__sim_batch_policy_fn)(void *ctx, const rs_sim *s, const uint8_t *shown,
                                       size_t k, uint32_t *slates);

/* rs_sim_run with either a per-user policy or a batch policy. */
int rs__sim_run_loop(rs_sim *s, rs_sim_policy_fn policy, rs__sim_batch_policy_fn batch,
                     void *policy_context, rs_sim_feedback_fn feedback,
                     void *feedback_context, uint64_t steps, size_t k, const char *trace_path);
/* ild: the slate's intra-list diversity if known, else NAN (computed when
 * the diversity effect needs it). */
void rs__sim_utilities(const rs_sim *s, uint32_t u, const uint32_t *slate, size_t n,
                       double ild, double *util, double *aff);
void rs__sim_draw(const rs_sim *s, uint32_t u, uint64_t step, const uint32_t *slate,
                  size_t n, double ild, rs__sim_response *r);
void rs__sim_prefetch(const rs_sim *s, uint32_t u, const uint32_t *slate, size_t n);
double rs__sim_dot(const float *a, const float *b, size_t d);
/* The response model's dot-product kernels, all with the same bits. */
enum { RS__SIM_KERNEL_PORTABLE = 0, RS__SIM_KERNEL_AVX2 = 1, RS__SIM_KERNEL_AVX512 = 2 };
/* The best this CPU runs, capped by $RECSIM_SIM_KERNEL ("avx2", "portable"). */
int rs__sim_cpu_kernel(void);
const char *rs__sim_kernel_name(int kernel);
double rs__sim_normal_quantile(double p);
void rs__sim_apply(rs_sim *s, uint32_t u, const uint32_t *slate, const rs__sim_response *r);
void rs__sim_choice_probs(const rs_sim *s, const double *util, size_t n, double *probs);
int rs__sim_out_of_time(const rs_sim *s, uint32_t u, int clicked);
double rs__sim_leave_prob(const rs_sim *s, uint32_t u, int clicked);
double rs__sim_return_prob(const rs_sim *s, uint32_t u);
double rs__sim_ild(const rs_sim *s, const uint32_t *slate, size_t n);

#endif
