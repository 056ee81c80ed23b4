/*
 * recsim/sim.h - user simulation, rs_sim (src/sim).
 *
 * Part of the public interface of librecsim: include recsim.h, which
 * includes every module header; this one also compiles alone.  It
 * includes the lower layers it names: base, graph, items, user, score.
 * Generated from a one-file recsim.h by build-aux/split-header.py; edit
 * it directly from now on (CONTRIBUTING.md).
 */
#ifndef RECSIM_SIM_H
#define RECSIM_SIM_H

#include "base.h"
#include "graph.h"
#include "items.h"
#include "user.h"
#include "score.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * sim: user simulation, rs_sim (src/sim)
 * ==================================================================== */

/*
 * A population of simulated users reacting to slates of items, for
 * evaluating a recommender offline and studying the feedback loop.  Every
 * user has a latent interest vector in the item embedding space (the truth
 * the recommender does not see) and three traits in (0, 1): activity
 * (session length, leaving hazard, return rate), conformity (pull toward
 * popular items) and diversity-seeking (choice temperature, boredom
 * threshold).  See rs_sim_create(3) for the model's formulas.
 *
 * Every draw comes from the Philox generator keyed on (seed, stream, user,
 * step): a run is bitwise identical whatever the thread count, and two
 * policies run from the same population see the same random numbers.
 */
typedef struct rs_sim rs_sim;

/* Longest slate rs_sim_run and the response functions accept. */
#define RS_SIM_MAX_SLATE 256

/* What a user did with a slate.  Values are append-only. */
typedef enum rs_sim_behaviour {
    RS_SIM_SKIP = 0,     /* no click */
    RS_SIM_CLICK = 1,    /* clicked one item, did not buy it */
    RS_SIM_PURCHASE = 2  /* clicked one item and bought it */
} rs_sim_behaviour;

/* Position models (RS_SIM_POSITION_MODEL).  Values are append-only. */
typedef enum rs_sim_position_model {
    RS_SIM_PBM = 0,     /* logit weight decay^position (default) */
    RS_SIM_CASCADE = 1  /* top-down examination, continue w.p. decay */
} rs_sim_position_model;

/*
 * Real-valued options of rs_sim_set_double(), with range and default.
 * Trait options (marked *) take effect at the next rs_sim_populate().
 */
typedef enum rs_sim_option {
    RS_SIM_TEMPERATURE = 0,       /* choice temperature T, (0, 1e6]; 1 */
    RS_SIM_NOCLICK = 1,           /* no-click weight m, (0, 1e12]; 1 */
    RS_SIM_POSITION_DECAY = 2,    /* position decay g, (0, 1]; 0.85 */
    RS_SIM_DRIFT = 3,             /* interest drift rate, [0, 1]; 0.05 */
    RS_SIM_CONFORMITY_WEIGHT = 4, /* popularity utility weight, [0, 100]; 1 */
    RS_SIM_FATIGUE_WEIGHT = 5,    /* boredom utility weight, [0, 100]; 0.5 */
    RS_SIM_FATIGUE_DECAY = 6,     /* per-step fatigue decay, [0, 1]; 0.8 */
    RS_SIM_BOREDOM_THRESHOLD = 7, /* fatigue tolerated, [0, 1e6]; 1 */
    RS_SIM_LEAVE_HAZARD = 8,      /* base leaving hazard, [0, 1]; 0.1 */
    RS_SIM_RETURN_RATE = 9,       /* base return probability, [0, 1]; 0.2 */
    RS_SIM_PURCHASE_BIAS = 10,    /* purchase logit bias, [-50, 50]; -1 */
    RS_SIM_RATING_NOISE = 11,     /* rating noise sd, [0, 10]; 0.5 */
    RS_SIM_ACTIVITY_MEAN = 12,    /* * median activity, (0, 1); 0.5 */
    RS_SIM_CONFORMITY_MEAN = 13,  /* * median conformity, (0, 1); 0.3 */
    RS_SIM_DIVERSITY_MEAN = 14,   /* * median diversity-seeking, (0, 1); 0.5 */
    RS_SIM_TRAIT_SPREAD = 15,     /* * sd of traits' logits, [0, 10]; 1 */
    RS_SIM_INTEREST_NOISE = 16,   /* * interest noise sd, [0, 100]; 0.5 */
    RS_SIM_DIVERSITY_EFFECT = 17, /* slate diversity weight, [-100, 100]; 0 */
    RS_SIM_TIME_BUDGET = 18,      /* mean session time budget, [0, 1e9];
                                     0 = unlimited */
    RS_SIM_CLICK_TIME = 19,       /* time a click takes (a view: 1), [0, 1e6]; 2 */
    RS_SIM_GRAPH_DRIFT = 20,      /* drift share spread to related items,
                                     [0, 1]; 0 */
    RS_SIM_TRUTH_BONUS = 21       /* utility bonus of a held-out item,
                                     [0, 100]; 1 */
} rs_sim_option;

/* Integer options of rs_sim_set_int(). */
typedef enum rs_sim_int_option {
    RS_SIM_POSITION_MODEL = 100, /* an rs_sim_position_model; RS_SIM_PBM */
    RS_SIM_THREADS = 101         /* 0 .. 1024; 0 = rs_get_num_threads() */
} rs_sim_int_option;

/* Per-run statistics of rs_sim_stat(), since the last rs_sim_populate(). */
typedef enum rs_sim_stat_id {
    RS_SIM_STAT_STEPS = 0,          /* steps run */
    RS_SIM_STAT_IMPRESSIONS = 1,    /* slates shown (user-steps) */
    RS_SIM_STAT_CLICKS = 2,         /* clicks, purchases included */
    RS_SIM_STAT_PURCHASES = 3,      /* purchases */
    RS_SIM_STAT_CTR = 4,            /* clicks / impressions */
    RS_SIM_STAT_MEAN_RATING = 5,    /* mean rating of clicks, 1 .. 5 */
    RS_SIM_STAT_LEAVES = 6,         /* sessions ended */
    RS_SIM_STAT_RETURNS = 7,        /* sessions started by a return */
    RS_SIM_STAT_RETURN_RATE = 8,    /* returns / leaves */
    RS_SIM_STAT_SESSION_LENGTH = 9, /* mean steps of the ended sessions */
    RS_SIM_STAT_REWARD = 10,        /* cumulative clicks + purchases */
    RS_SIM_STAT_COVERAGE = 11,      /* share of the items ever shown */
    RS_SIM_STAT_DIVERSITY = 12,     /* mean intra-list diversity */
    RS_SIM_STAT_GINI = 13,          /* Gini of cumulative exposure */
    RS_SIM_STAT_ENTROPY = 14,       /* mean per-step entropy (bits) of the
                                       clicked categories */
    RS_SIM_STAT_TRUTH_CLICKS = 15   /* clicks on the user's held-out items */
} rs_sim_stat_id;

/* How many rs_sim_stat_id values this library knows (16 in 1.1): loop
 * `for (s = 0; s < RS_SIM_STAT_COUNT; s++)` to read them all.  It only grows. */
#define RS_SIM_STAT_COUNT 16

/*
 * The policy: fill slate_out with slate_size item indices (< n_items) for
 * `user` at `step`.  Returns 0, or non-zero to stop the run.  Called on the
 * thread that called rs_sim_run(), users in increasing order.
 */
typedef int (*rs_sim_policy_fn)(void *context, uint32_t user, uint64_t step,
                                size_t slate_size, uint32_t *slate_out);

/*
 * Feedback: what `user` did with `slate` at `step`: position of the click
 * (-1 for none), an rs_sim_behaviour, a rating 1 .. 5 (0 without click) and
 * left = 1 when the user ended the session.  Returns 0, or non-zero to stop
 * the run.  Called on the calling thread, users in increasing order, after
 * the whole step has been simulated.
 */
typedef int (*rs_sim_feedback_fn)(void *context, uint32_t user, uint64_t step,
                                  const uint32_t *slate, size_t slate_size,
                                  int position, int behaviour, int rating, int left);

/**
 * rs_sim_create - a simulator over a catalogue, with a generated population.
 *
 * @items         n_items x dim item vectors, row-major; copied.
 * @n_items       >= 1, < 2^32.
 * @dim           1 .. 65536.
 * @categories    the category of each item (< n_categories), or NULL (one
 *                category); copied.
 * @n_categories  1 .. 65536 (ignored when categories is NULL).
 * @n_users       1 .. 2^31.
 * @seed          the seed of every draw.
 * @out           receives the simulator; free it with rs_sim_free().
 *
 * The population is generated as by rs_sim_populate() with default options.
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_RANGE (a size, NaN/Inf in
 * items, a category out of range), RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_sim_create(const float *items, size_t n_items, size_t dim,
                         const uint32_t *categories, size_t n_categories,
                         size_t n_users, uint64_t seed, rs_sim **out);

/** rs_sim_free - release a simulator.  NULL is allowed. */
RS_API void rs_sim_free(rs_sim *sim);

/**
 * rs_sim_set_double - set an rs_sim_option.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL sim, unknown option), RS_ERR_RANGE
 * (value outside the option's range, NaN).  Not thread-safe on one handle.
 */
RS_API int rs_sim_set_double(rs_sim *sim, int option, double value);

/** rs_sim_get_double - read an rs_sim_option into *value_out. */
RS_API int rs_sim_get_double(const rs_sim *sim, int option, double *value_out);

/**
 * rs_sim_set_int - set an rs_sim_int_option.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL, unknown option), RS_ERR_RANGE.
 */
RS_API int rs_sim_set_int(rs_sim *sim, int option, int64_t value);

/** rs_sim_get_int - read an rs_sim_int_option into *value_out. */
RS_API int rs_sim_get_int(const rs_sim *sim, int option, int64_t *value_out);

/**
 * rs_sim_populate - (re)generate the population from the seed and the
 * current trait options, and reset the clock, the popularity counts and
 * the statistics.  Every user starts active.  Returns RS_OK or
 * RS_ERR_INVALID.  Not thread-safe on one handle.
 */
RS_API int rs_sim_populate(rs_sim *sim);

/**
 * rs_sim_run - simulate `steps` steps of the loop.
 *
 * At each step, inactive users return with their return probability; then
 * `policy` is asked for a slate of slate_size items for every active user;
 * the users respond (in parallel on RS_SIM_THREADS threads; hosted users
 * through the host responder, see rs_sim_set_responder()), their interests
 * drift and fatigue accumulates, some leave (by the hazard, or when the
 * session's time budget is spent); then `feedback` (may be NULL)
 * receives every response, users in order, so that a user model can be
 * updated.  The clock continues from the previous call.
 *
 * @trace_path  NULL, or a CSV file written with one row per step: step,
 *              active, clicks, purchases, ctr, mean_rating, leaves, returns,
 *              reward, cum_reward, coverage, diversity, gini, entropy.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL sim or policy), RS_ERR_RANGE
 * (slate_size not in 1 .. RS_SIM_MAX_SLATE), RS_ERR_CALLBACK (a callback
 * returned non-zero or an item index >= n_items; the steps already completed
 * stay applied), RS_ERR_IO, RS_ERR_NOMEM.  Not thread-safe on one handle.
 */
RS_API int rs_sim_run(rs_sim *sim, rs_sim_policy_fn policy, void *policy_context,
                      rs_sim_feedback_fn feedback, void *feedback_context,
                      uint64_t steps, size_t slate_size, const char *trace_path);

/**
 * rs_sim_stat - a per-run statistic (an rs_sim_stat_id) into *value_out.
 *
 * Valid stat values are 0 .. RS_SIM_STAT_COUNT - 1.
 * Returns RS_OK or RS_ERR_INVALID.  Ratios with a zero denominator are 0.
 */
RS_API int rs_sim_stat(const rs_sim *sim, int stat, double *value_out);

/**
 * rs_sim_utilities - the user's current utilities of a slate's items.
 *
 * utilities_out[j] = (<v_u, x_j> + c * conformity_u * pop_j
 *                     - f * max(0, fatigue_u[cat_j] - b_u)
 *                     + e * (2 diversity_u - 1) * ILD(slate)
 *                     + RS_SIM_TRUTH_BONUS if x_j is a held-out item) / tau_u,
 * the quantity the logit divides by the temperature (see rs_sim_create(3)).
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (user, item),
 * RS_ERR_RANGE (n).  Reads only: may be called from a policy callback.
 */
RS_API int rs_sim_utilities(const rs_sim *sim, uint32_t user, const uint32_t *slate,
                            size_t n, double *utilities_out);

/**
 * rs_sim_probabilities - the response model's click probabilities.
 *
 * probs_out[j] (j < n) is the probability of a click on position j and
 * probs_out[n] that of no click, for the user's current state.  Errors as
 * rs_sim_utilities().  Reads only.
 */
RS_API int rs_sim_probabilities(const rs_sim *sim, uint32_t user, const uint32_t *slate,
                                size_t n, double *probs_out);

/**
 * rs_sim_respond - one draw of the response model, without changing state.
 *
 * The draws are those rs_sim_run() would use for (user, step).  Outputs: the
 * clicked position or -1, an rs_sim_behaviour, the rating (0 without click)
 * and whether the user leaves.  Any output pointer may be NULL.  Errors as
 * rs_sim_utilities().  Reads only: thread-safe on a handle not being run.
 */
RS_API int rs_sim_respond(const rs_sim *sim, uint32_t user, uint64_t step,
                          const uint32_t *slate, size_t n, int *position_out,
                          int *behaviour_out, int *rating_out, int *left_out);

/**
 * rs_sim_respond_batch - many draws of the response model at once, on
 * RS_SIM_THREADS threads, without changing state.
 *
 * @users          n_responses user indices (repeats allowed).
 * @step           the step every response is drawn for.
 * @slates         n_responses x slate_size item indices, row-major.
 * @positions_out, @behaviours_out, @ratings_out, @left_out
 *                 caller-allocated arrays of n_responses, each may be NULL:
 *                 what rs_sim_respond() would give for (users[i], step,
 *                 slate i), bit for bit, whatever the thread count.
 *
 * The fastest way to draw responses: the item rows of the next slate are
 * fetched while the current one is computed, and the dot products run on the
 * widest kernel the CPU has (AVX-512, AVX2 or portable, chosen at run time,
 * the same bits; RECSIM_SIM_KERNEL=avx2 or portable caps it).  Returns
 * RS_OK, RS_ERR_INVALID (NULL sim, users or slates), RS_ERR_RANGE
 * (slate_size), RS_ERR_NOTFOUND (a user or item index out of range; nothing
 * is written), RS_ERR_NOMEM.
 * Reads only: thread-safe on a handle not being run.
 */
RS_API int rs_sim_respond_batch(const rs_sim *sim, const uint32_t *users, uint64_t step,
                                const uint32_t *slates, size_t n_responses,
                                size_t slate_size, int32_t *positions_out,
                                int32_t *behaviours_out, int32_t *ratings_out,
                                int32_t *left_out);

/**
 * rs_sim_calibrate - fit temperature, no-click weight and position decay of
 * the position-based logit by maximum likelihood.
 *
 * @utilities  n_impressions x slate_size utilities (as rs_sim_utilities()).
 * @positions  the clicked position of each impression, -1 for none.
 * Outputs the maximum-likelihood T, m and g of
 * P(j) = g^j e^{u_j/T} / (m + sum_k g^k e^{u_k/T}) (Newton's method on the
 * concave log-likelihood).  Returns RS_OK, RS_ERR_INVALID (NULL, zero
 * sizes), RS_ERR_RANGE (a position >= slate_size or < -1, NaN/Inf utility,
 * or an estimate outside the options' ranges: not identifiable from the
 * log).  Thread-safe.
 */
RS_API int rs_sim_calibrate(const double *utilities, const int32_t *positions,
                            size_t n_impressions, size_t slate_size,
                            double *temperature_out, double *noclick_out,
                            double *decay_out);

/* Most utility terms rs_sim_calibrate_terms() fits. */
#define RS_SIM_CALIBRATE_MAX_TERMS 32

/**
 * rs_sim_calibrate_terms - fit every weight of a utility made of terms,
 * with the temperature, no-click weight and position decay of the
 * position-based logit, by maximum likelihood.
 *
 * The utility of slot j is u_j = sum_t w_t x_jt (terms such as the item
 * effect, collaborative affinity, content affinity, profile/segment
 * terms, popularity), and P(j) = g^j e^{u_j/T} / (m + sum_k g^k e^{u_k/T}),
 * P(none) = m / (...).  The logit only sees w_t / T, so the first term is
 * the reference: w_1 = 1 and T is its scale (rs_sim_calibrate() is the
 * case of one term).  The log-likelihood is concave in (w/T, log m, log g);
 * Newton's method with step halving.
 *
 * @terms        n_impressions x slate_size x n_terms values, row-major
 *               (impression, then slot, then term).
 * @n_terms      1 .. RS_SIM_CALIBRATE_MAX_TERMS.
 * @positions    the clicked slot of each impression, -1 for none.
 * @weights_out  n_terms doubles: the weights, weights_out[0] = 1.
 * Outputs T, m and g as rs_sim_calibrate().
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL, no impression), RS_ERR_RANGE
 * (n_terms or slate_size out of range, a position outside -1 ..
 * slate_size - 1, a NaN/Inf term, a singular information matrix: terms
 * that the log cannot tell apart, or estimates outside the options'
 * ranges, e.g. a reference term whose weight is not positive),
 * RS_ERR_OVERFLOW (sizes).  Nothing is written on failure.  Thread-safe;
 * no allocation.
 */
RS_API int rs_sim_calibrate_terms(const double *terms, size_t n_terms,
                                  const int32_t *positions, size_t n_impressions,
                                  size_t slate_size, double *weights_out,
                                  double *temperature_out, double *noclick_out,
                                  double *decay_out);

/**
 * rs_sim_snapshot - serialise the population (users, clock, popularity,
 * statistics; not the options) into buf.
 *
 * Writes *size_out = the bytes needed; RS_ERR_BUFFER when capacity is
 * smaller (buf may then be NULL).  Returns RS_OK, RS_ERR_INVALID,
 * RS_ERR_BUFFER.
 */
RS_API int rs_sim_snapshot(const rs_sim *sim, void *buf, size_t capacity, size_t *size_out);

/**
 * rs_sim_restore - load a snapshot into a simulator of the same shape
 * (users, items, dim, categories).  Returns RS_OK, RS_ERR_INVALID,
 * RS_ERR_CORRUPT (not a snapshot, wrong size or shape); on failure the
 * simulator is unchanged.
 */
RS_API int rs_sim_restore(rs_sim *sim, const void *buf, size_t size);

/**
 * rs_sim_set_interest - replace a user's latent interest vector, e.g. to
 * mirror a real user of a model (their vector plus noise).
 *
 * @vector  dim floats, copied; dim must be the simulator's.
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_NOTFOUND (user), RS_ERR_DIM,
 * RS_ERR_RANGE (NaN/Inf).  Not thread-safe on one handle.
 */
RS_API int rs_sim_set_interest(rs_sim *sim, uint32_t user, const float *vector, size_t dim);

/**
 * rs_sim_get_interest - copy a user's current interest vector (dim floats)
 * into vector_out.  Errors as rs_sim_set_interest().  Reads only.
 */
RS_API int rs_sim_get_interest(const rs_sim *sim, uint32_t user, float *vector_out,
                               size_t dim);

/* Flags of rs_sim_run_scorer(), or-ed.  Values are append-only. */
typedef enum rs_sim_scorer_flag {
    RS_SIM_NO_FEEDBACK = 1, /* do not observe the clicks in the user model */
    RS_SIM_SHOW_AGAIN = 2,  /* do not exclude the items already shown */
    RS_SIM_NO_CACHE = 4     /* ask the scorer at every step (the same
                               slates, slower: for checking) */
} rs_sim_scorer_flag;

/**
 * rs_sim_create_from_store - rs_sim_create() over an item store's vectors:
 * simulator item i is store index i (rs_item_store_key), removed slots
 * having a zero vector, so that the scorer's recommendations are slates.
 *
 * @store  read here only; the simulator keeps a copy of the vectors.
 * Other parameters and errors as rs_sim_create(); categories (may be NULL)
 * has rs_item_store_span(store) entries.  RS_ERR_RANGE for an empty store.
 */
RS_API int rs_sim_create_from_store(const rs_item_store *store, const uint32_t *categories,
                                    size_t n_categories, size_t n_users, uint64_t seed,
                                    rs_sim **out);

/**
 * rs_sim_run_scorer - rs_sim_run() with the library's scorer as the policy,
 * closing the loop.
 *
 * At each step every shown user's slate is rs_scorer_recommend_filtered()
 * for the user's key, without the items already shown to that user in this
 * call (the scorer itself skips the user's history); when the catalogue
 * runs short the user's shown set starts over, and the slate is padded with
 * the lowest item indices.  As a user's ranking depends only on that
 * user's events, a user who did not click is served the next items of the
 * ranking already computed (up to 8 slates of it), which are exactly the
 * scorer's answer; RS_SIM_NO_CACHE asks the scorer every time instead.
 * Slates are computed on RS_SIM_THREADS threads
 * (the scorer only reads); with more than one, OpenBLAS is set to one
 * thread for the call (process-wide) and restored afterwards.  After the step each click is observed in
 * `users` on the calling thread, users in order, as
 * rs_user_model_observe(users, key, item, "clicked" or "bought", 1, T + step),
 * T being the latest event time of the user model when the scorer was
 * created (0 without event times), so that the clicks count as current for
 * the scorer's time-aware signals; the next step's recommendations see it.
 *
 * @sim        created over the scorer's store (rs_sim_create_from_store()).
 * @scorer     the policy; read only.
 * @users      the scorer's own user model (the one given to
 *             rs_scorer_create()), written between steps.
 * @user_keys  n_users keys of the simulated users in the user model (e.g.
 *             the real users a population mirrors), or NULL for "sim-<u>".
 * @flags      0 or rs_sim_scorer_flag bits.
 * Other parameters as rs_sim_run().
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL, users not the scorer's, a NULL or
 * empty key, unknown flags), RS_ERR_RANGE (slate_size), RS_ERR_DIM (the
 * store's span or dim differs from the simulator's), RS_ERR_CALLBACK (an
 * observation failed), the scorer's errors, RS_ERR_IO, RS_ERR_NOMEM; the
 * steps already completed stay applied.  Not thread-safe on the simulator
 * or the user model; nothing else may write to the scorer's parents.
 */
RS_API int rs_sim_run_scorer(rs_sim *sim, const rs_scorer *scorer, rs_user_model *users,
                             const char *const *user_keys, uint64_t steps, size_t slate_size,
                             int flags, const char *trace_path);

/*
 * A host response model for chosen users (rs_sim_set_hosted()), e.g. an LLM
 * agent given the persona and the slate's item texts: write the clicked
 * position (-1 for none), an rs_sim_behaviour (RS_SIM_SKIP exactly when
 * position is -1), a rating 1 .. 5 (0 without click) and left (1: the user
 * ends the session; the time budget still applies).  Returns 0, or non-zero
 * to stop the run.  Called by rs_sim_run() on the calling thread, users in
 * increasing order, after the policy and before the built-in model answers
 * the other users.  rs_sim_respond() and rs_sim_respond_batch() always use
 * the built-in model.
 */
typedef int (*rs_sim_response_fn)(void *context, uint32_t user, uint64_t step,
                                  const uint32_t *slate, size_t slate_size, int *position_out,
                                  int *behaviour_out, int *rating_out, int *left_out);

/**
 * rs_sim_set_responder - install (or with fn NULL remove) the host response
 * model used for the hosted users.  Returns RS_OK or RS_ERR_INVALID (NULL
 * sim).  Not thread-safe on one handle.
 */
RS_API int rs_sim_set_responder(rs_sim *sim, rs_sim_response_fn fn, void *context);

/**
 * rs_sim_set_hosted - whether `user` is answered by the host responder
 * (hosted != 0) or by the built-in model (0, the default).  Without a
 * responder every user uses the built-in model.  Not part of snapshots.
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_NOTFOUND (user).
 */
RS_API int rs_sim_set_hosted(rs_sim *sim, uint32_t user, int hosted);

/**
 * rs_sim_set_related - the items related to each item (e.g. its neighbours
 * in the knowledge graph), over which interest drift spreads.
 *
 * @starts   n_items + 1 offsets, starts[0] = 0, non-decreasing: item i's
 *           related items are related[starts[i] .. starts[i+1]); or NULL to
 *           remove the relation.  Copied.
 * @related  starts[n_items] item indices (< n_items); copied.
 *
 * After a click on item i with related set N(i), the interest moves by
 * drift x (target - v), target = (1 - s) x_i + s mean_{j in N(i)} x_j with
 * s = RS_SIM_GRAPH_DRIFT (target = x_i when N(i) is empty).  Returns RS_OK,
 * RS_ERR_INVALID (NULL sim, NULL related with entries), RS_ERR_RANGE
 * (offsets), RS_ERR_NOTFOUND (an index >= n_items), RS_ERR_NOMEM; on
 * failure nothing changes.  Not thread-safe on one handle.
 */
RS_API int rs_sim_set_related(rs_sim *sim, const size_t *starts, const uint32_t *related);

/**
 * rs_sim_set_related_graph - rs_sim_set_related() from a knowledge graph:
 * simulator item i is the graph node of type "item" whose key is
 * item_keys[i]; its related items are the other items one hop away, or two
 * hops away through a shared entity (a category, a brand, a word, ...),
 * at most max_related of them, the most strongly connected first (ties to
 * the lower index).
 *
 * @item_keys    n_items keys; an item that is not a graph node relates to
 *               nothing.
 * @max_related  1 .. 10000.
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_RANGE (max_related),
 * RS_ERR_NOMEM.  Reads the graph only.
 */
RS_API int rs_sim_set_related_graph(rs_sim *sim, const rs_graph *graph,
                                    const char *const *item_keys, size_t max_related);

/**
 * rs_sim_calibrate_cascade - fit temperature, no-click weight and
 * continuation probability of the cascade (RS_SIM_CASCADE) by maximum
 * likelihood: position j is examined with probability prod_{i<j} (1 - a_i) g
 * and clicked with a_j = 1 / (1 + m e^{-u_j/T}).
 *
 * Arguments as rs_sim_calibrate(); the likelihood is maximised by
 * Nelder-Mead over (1/T, log m, logit g).  Returns RS_OK, RS_ERR_INVALID
 * (NULL, no impressions), RS_ERR_RANGE (a position outside -1 ..
 * slate_size - 1, NaN/Inf utility, estimates outside the options' ranges).
 * Thread-safe.
 */
RS_API int rs_sim_calibrate_cascade(const double *utilities, const int32_t *positions,
                                    size_t n_impressions, size_t slate_size,
                                    double *temperature_out, double *noclick_out,
                                    double *decay_out);

/**
 * rs_sim_calibrate_drift - fit the interest drift rate (RS_SIM_DRIFT) to a
 * log of responses by maximum likelihood.
 *
 * The log is replayed from the simulator's current state (restore the
 * snapshot taken before the logged run): for a candidate rate every event
 * is scored by the current response model's probability of the logged
 * position, then applied (drift, fatigue) as rs_sim_run() would; the rate
 * maximising the log-likelihood over [0, 1] is found by golden-section
 * search (to 1e-5).  Popularity is held at its current value, so the fit
 * is exact when RS_SIM_CONFORMITY_WEIGHT is 0.
 *
 * @users      n_events user indices, in the order the events happened.
 * @slates     n_events x slate_size item indices.
 * @positions  the clicked position of each event, -1 for none.
 * @drift_out  the estimate.
 *
 * The simulator is left unchanged.  Returns RS_OK, RS_ERR_INVALID (NULL, no
 * events), RS_ERR_RANGE (slate_size, a position), RS_ERR_NOTFOUND (a user
 * or item index), RS_ERR_NOMEM.  Not thread-safe on one handle.
 */
RS_API int rs_sim_calibrate_drift(rs_sim *sim, const uint32_t *users, const uint32_t *slates,
                                  const int32_t *positions, size_t n_events,
                                  size_t slate_size, double *drift_out);

/**
 * rs_sim_set_truth - mirror a real user from held-out interactions: the
 * items are the user's ground truth.
 *
 * @items     n item indices (duplicates ignored), e.g. the user's test
 *            items of a split; n = 0 removes the user's truth.
 * @strength  0 .. 1e6: the interest becomes strength times the unit mean of
 *            the items' unit vectors (0 keeps the interest as it is).
 *
 * A truth item's utility gets RS_SIM_TRUTH_BONUS on top of the affinity
 * (before the division by tau), and clicks on truth items are counted in
 * RS_SIM_STAT_TRUTH_CLICKS, so a policy can be judged by how often it finds
 * what the user really took.  Not part of snapshots.  Returns RS_OK,
 * RS_ERR_INVALID (NULL), RS_ERR_NOTFOUND (user, item), RS_ERR_RANGE
 * (strength), RS_ERR_NOMEM; on failure nothing changes.  Not thread-safe on
 * one handle.
 */
RS_API int rs_sim_set_truth(rs_sim *sim, uint32_t user, const uint32_t *items, size_t n,
                            double strength);

#ifdef __cplusplus
}
#endif

#endif /* RECSIM_SIM_H */
