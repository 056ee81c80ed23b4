/*
 * recsim/model.h - the recommender of one model file, rs_model (src/model).
 *
 * Part of the public interface of librecsim: include recsim.h, which
 * includes every module header; this one also compiles alone.  It
 * includes the lower layers it names: base, text, graph, io, learn, items, user, score, eval.
 * Generated from a one-file recsim.h by build-aux/split-header.py; edit
 * it directly from now on (CONTRIBUTING.md).
 */
#ifndef RECSIM_MODEL_H
#define RECSIM_MODEL_H

#include "base.h"
#include "text.h"
#include "graph.h"
#include "io.h"
#include "learn.h"
#include "items.h"
#include "user.h"
#include "score.h"
#include "eval.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * model: the recommender of one model file, rs_model (src/model)
 *
 * The front door.  One rs_model owns a model file (one SQLite database) and
 * the whole pipeline over it: import, build, recommend / explain / similar,
 * observe, evaluate and simulate.  The handles of the lower sections stay
 * public for advanced use; rs_model_graph() and its siblings lend them out.
 *
 *     rs_model *m;
 *     if (rs_model_open("shop.rsm", RS_MODEL_READONLY, &m) != RS_OK)
 *         return fprintf(stderr, "%s\n", rs_errmsg()), 1;
 *     const char *keys[10];
 *     float scores[10];
 *     size_t n;
 *     if (rs_model_recommend(m, "12347", 10, NULL, 0, NULL, 0,
 *                            keys, scores, NULL, &n) == RS_OK)
 *         for (size_t i = 0; i < n; i++)
 *             printf("%s %.4f\n", keys[i], scores[i]);
 *     rs_model_close(m);
 *
 * One index space: an item's index is its index in the model's item store
 * (0 .. rs_model_item_count() - 1); the collaborative model, the scorer and
 * every index this section returns use it, so no caller passes key arrays
 * between handles.
 *
 * One history rule: a user's history is every user -> item interaction edge
 * of the graph with the edge's own time and weight (a weight <= 0 counts as
 * 1), in the file as at open, build or observe; the same rule for every
 * caller (the CLI included).  A build saves the user model; a file of
 * release 1.0, which saved none, gets it from the graph by this rule at
 * open.
 *
 * Options are reachable by name ("scorer.w_popularity", "cf.lambda",
 * "build.dim", ...): typed get/set, an enumeration with type, bounds,
 * default and a one-line description.  They are saved in the model file by
 * rs_model_build() and rs_model_save_options() and loaded by rs_model_open().
 *
 * Thread safety: a model opened RS_MODEL_READONLY may serve
 * rs_model_recommend, rs_model_recommend_batch, rs_model_explain,
 * rs_model_similar, rs_model_item_* and rs_model_get_* from any number of
 * threads at once.  Every other call (set, import, build, observe, evaluate,
 * simulate, close) needs the handle to itself.
 * ====================================================================== */

/** An open model file and the recommender over it. */
typedef struct rs_model rs_model;

/** Flags of rs_model_open (bit set). */
typedef enum rs_model_flag {
    RS_MODEL_READONLY = 1, /* read only: no import, build, observe, save */
    RS_MODEL_CREATE = 2    /* create the file when missing (read-write) */
} rs_model_flag;

/**
 * rs_model_open - open (or create) a model file.
 *
 * @path   a file path, or ":memory:" for a model that lives in memory only.
 * @flags  RS_MODEL_READONLY, RS_MODEL_CREATE or 0 (read-write, must exist).
 * @out    receives the model; NULL on failure.
 *
 * A built file opens ready to recommend: the item store, the collaborative
 * model, the user model and the options are read from the file, nothing is
 * refitted.  A file that holds a graph but no build opens too (import and
 * build then work; recommend fails with RS_ERR_STATE).  Files written by
 * release 1.0 open and are migrated on the next write.
 *
 * Read-only, a dense collaborative model (EASE, EDLAE, GF-CF) is checked at
 * open but left in the file: a recommendation reads the rows of the user's
 * history, and once the rows read add up to the whole matrix (a batch, many
 * users) it is read once and kept.  The lists are the same bit for bit.
 * For that the model holds a read transaction on the file until it is
 * closed: in the write-ahead log that model files use, a snapshot that does
 * not block writers in other processes (the log cannot be checkpointed past
 * it meanwhile); a file in a rollback journal is read whole at open.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL, bad flags), RS_ERR_IO (missing file
 * without RS_MODEL_CREATE, not a regular file, unreadable), RS_ERR_CORRUPT
 * (damaged file or blob, naming the table or key), RS_ERR_VERSION (a file of
 * a newer release, naming both versions), RS_ERR_BUSY, RS_ERR_NOMEM.
 * Ownership: the caller closes the model with rs_model_close().
 */
RS_API int rs_model_open(const char *path, int flags, rs_model **out);

/** rs_model_close - close a model and free everything it owns; NULL is a no-op. */
RS_API void rs_model_close(rs_model *model);

/** rs_model_is_built - 1 when the model can recommend (built), else 0 (also for NULL). */
RS_API int rs_model_is_built(const rs_model *model);

/**
 * rs_model_import_interactions - import user -> item events from a reader,
 * cleaned by cleaner, as edges of relation (NULL: "interacted").
 *
 * @flags  RS_IMPORT_* flags as for rs_io_import_interactions(), and
 *         RS_IMPORT_REPLACE.
 * @rows_out  receives the number of rows imported (may be NULL).
 *
 * One transaction: on failure the file is unchanged.  The model stays as
 * built (recommendations use the new events once rs_model_build() runs
 * again).  With RS_IMPORT_SKIP_KNOWN rows the model already has are skipped
 * (see rs_io_import_interactions; rs_model_import_known_rows() counts them).
 * With RS_IMPORT_REPLACE the rows replace every user -relation-> item edge
 * and raw event of relation, in the same transaction (other relations,
 * entity properties and attributes stay); RS_IMPORT_SKIP_KNOWN is then
 * moot.  Returns the statuses of rs_io_import_interactions(),
 * RS_ERR_READONLY for a read-only model, and RS_ERR_INVALID for
 * RS_IMPORT_REPLACE with an event column in the reader (unless
 * RS_IMPORT_NO_EVENT) or on a ":memory:" model.
 */
RS_API int rs_model_import_interactions(rs_model *model, rs_reader *reader,
                                        rs_cleaner *cleaner, const char *relation,
                                        unsigned flags, uint64_t *rows_out);

/**
 * rs_model_import_known_rows - how many rows the last
 * rs_model_import_interactions() on model skipped as events the model
 * already had (RS_IMPORT_SKIP_KNOWN); 0 after a failed import, for NULL, or
 * before any.  Same thread rules as the model's other calls.
 */
RS_API uint64_t rs_model_import_known_rows(const rs_model *model);

/** rs_model_import_items - import a catalogue, as rs_io_import_items() does, into the model. */
RS_API int rs_model_import_items(rs_model *model, rs_reader *reader, rs_cleaner *cleaner,
                                 const char *const *attributes, size_t n_attributes,
                                 const char *const *properties, size_t n_properties,
                                 uint64_t *rows_out);

/** rs_model_import_users - import user profiles, as rs_io_import_users() does, into the model. */
RS_API int rs_model_import_users(rs_model *model, rs_reader *reader, rs_cleaner *cleaner,
                                 const char *const *attributes, size_t n_attributes,
                                 const char *const *properties, size_t n_properties,
                                 const char *friends_column, uint64_t *rows_out);

/**
 * rs_model_build - fit the text embedder, embed the items, fit the
 * collaborative model and the user model from the model's graph, with the
 * model's options ("build.*", "embedder.*", "cf.*"), and save them and the
 * options into the file in one transaction.
 *
 * On failure the file and the handle are as before the call.  Returns RS_OK,
 * RS_ERR_READONLY, RS_ERR_NOTFOUND (no item in the graph), RS_ERR_NOMEM,
 * RS_ERR_IO, RS_ERR_BUSY, and the statuses of the fitting calls.
 */
RS_API int rs_model_build(rs_model *model);

/**
 * rs_model_recommend - the top k items for one user, best first.
 *
 * @user        the user's key; an unknown user or one without history is
 *              cold-started by the same call (profile, then popularity).
 * @k           at most k items (1 .. 100000).
 * @exclude     n_exclude item keys never to return (unknown keys ignored;
 *              may be NULL when n_exclude is 0).  The user's own history is
 *              always excluded.
 * @only        n_only item keys: when n_only > 0, return only items among
 *              them (unknown keys ignored).
 * @keys_out    k slots for item keys, borrowed from the model (valid until
 *              it is closed or built again); may be NULL.
 * @scores_out  k slots for scores; may be NULL.
 * @items_out   k slots for item indices; may be NULL.
 * @n_out       receives the number of items returned (<= k).
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL model, user or n_out; an empty user
 * key; a NULL exclude / only list or key with a non-zero count), RS_ERR_RANGE
 * (k), RS_ERR_STATE (not built), RS_ERR_ENCODING (user key), RS_ERR_NOMEM.
 * Thread-safe on a read-only model.
 */
RS_API int rs_model_recommend(const rs_model *model, const char *user, size_t k,
                              const char *const *exclude, size_t n_exclude,
                              const char *const *only, size_t n_only,
                              const char **keys_out, float *scores_out, uint32_t *items_out,
                              size_t *n_out);

/**
 * rs_model_recommend_batch - rs_model_recommend() for n users at once (in
 * parallel, rs_get_num_threads() threads), each list exactly that call's.
 *
 * @keys_out, @scores_out, @items_out  n x k slots each (user i's list at
 *              i * k), any may be NULL.
 * @counts_out  n slots: the length of each user's list.
 *
 * Returns as rs_model_recommend(); on failure the message names the first
 * failing user in input order.
 */
RS_API int rs_model_recommend_batch(const rs_model *model, const char *const *users, size_t n,
                                    size_t k, const char **keys_out, float *scores_out,
                                    uint32_t *items_out, size_t *counts_out);

/** An explanation of one recommendation: a sentence and a graph path. */
typedef struct rs_explanation rs_explanation;

/**
 * rs_model_explain - why item is recommended to user: the graph path that
 * contributes most, from the user's node to the item's node (each edge
 * exists in the model's graph), and a sentence.
 *
 * A cold user served by popularity gets a path of length 0 and a sentence
 * that says so; a path never names another user than a real neighbour.
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_ENCODING (a key), RS_ERR_STATE (not
 * built), RS_ERR_NOTFOUND (unknown item), RS_ERR_NOMEM.  Ownership: free with
 * rs_explanation_free().
 * Thread-safe on a read-only model.
 */
RS_API int rs_model_explain(const rs_model *model, const char *user, const char *item,
                            rs_explanation **out);

/** rs_explanation_free - free an explanation; NULL is a no-op. */
RS_API void rs_explanation_free(rs_explanation *explanation);
/** rs_explanation_text - the sentence (UTF-8, owned by the explanation). */
RS_API const char *rs_explanation_text(const rs_explanation *explanation);
/** rs_explanation_length - the number of nodes on the path (0: no path). */
RS_API size_t rs_explanation_length(const rs_explanation *explanation);
/** rs_explanation_node_type / _node_key - node i of the path (NULL when out of range). */
RS_API const char *rs_explanation_node_type(const rs_explanation *explanation, size_t i);
RS_API const char *rs_explanation_node_key(const rs_explanation *explanation, size_t i);
/**
 * rs_explanation_relation - the relation of edge i (between nodes i and
 * i + 1); *reversed_out (may be NULL) is 1 when the stored edge points from
 * node i + 1 to node i.  NULL when i is out of range.
 */
RS_API const char *rs_explanation_relation(const rs_explanation *explanation, size_t i,
                                           int *reversed_out);
/** rs_explanation_weight - the path's contribution; rs_explanation_source - an rs_scorer_source. */
RS_API double rs_explanation_weight(const rs_explanation *explanation);
RS_API int rs_explanation_source(const rs_explanation *explanation);

/**
 * rs_model_similar - the k items most similar to item (cosine of the item
 * vectors, rs_item_store_search), best first, the item itself left out.  Outputs as
 * rs_model_recommend().  Returns RS_OK, RS_ERR_INVALID, RS_ERR_RANGE (k),
 * RS_ERR_STATE, RS_ERR_NOTFOUND (unknown item).  Thread-safe on a read-only
 * model.
 */
RS_API int rs_model_similar(const rs_model *model, const char *item, size_t k,
                            const char **keys_out, float *scores_out, uint32_t *items_out,
                            size_t *n_out);

/**
 * rs_model_observe - a new event, online: the edge user -[event]-> item is
 * added to the graph (user node created when new) and the user model is
 * updated, both saved in the file in one transaction; the next
 * rs_model_recommend() for the user sees it.
 *
 * @event   the relation (NULL: "interacted"); an existing edge of the same
 *          relation gets the weight added (RS_GRAPH_MERGE_SUM) and the later
 *          time, while the user model records one more event;
 * @weight  in (0, 1e9];
 * @time    Unix seconds.
 * Cost: the user model is saved whole (rs_user_model_save) and the scorer
 * is made again, so an observe costs about what opening the model costs;
 * batch events through import + build when there are many.
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_READONLY, RS_ERR_STATE (not built),
 * RS_ERR_NOTFOUND (unknown item), RS_ERR_RANGE (weight), RS_ERR_ENCODING,
 * RS_ERR_BUSY, RS_ERR_NOMEM; on failure nothing changes.
 */
RS_API int rs_model_observe(rs_model *model, const char *user, const char *item,
                            const char *event, double weight, int64_t time);

/** Splits of rs_model_evaluate. */
typedef enum rs_model_split {
    RS_MODEL_SPLIT_TEMPORAL = 0, /* param: the cut (Unix seconds); events at or
                                    after it are test; NaN: 80 % of the way
                                    through the events' time range */
    RS_MODEL_SPLIT_RANDOM = 1,   /* param: per-user test fraction, (0, 1) */
    RS_MODEL_SPLIT_LAST = 2      /* param: each user's last n events are test */
} rs_model_split;

/** Flags of rs_model_evaluate (bit set). */
typedef enum rs_model_eval_flag {
    RS_MODEL_EVAL_BASELINES = 1, /* rows for random, most-popular, recent-popular
                                    (30 days) and, when users have a profile
                                    attribute, segment-popular */
    RS_MODEL_EVAL_COLD = 2       /* evaluate the users whose first event is in
                                    test (cold start) instead of warm users */
} rs_model_eval_flag;

/**
 * rs_model_evaluate - the model's recommender beside the baselines on a
 * split of the model's own events, without leaks: the scorer row is a model
 * built, with this model's options, from a train-only copy in which no
 * signal (edge weights, counts, popularity, times, user vectors) contains a
 * test event.
 *
 * The events are the interaction edges, each replaced by the raw rows an
 * import kept for it (one per user, relation, item and time), so that a
 * repeat after the cut of a pair bought before it stays in test.
 * @seed  seeds the random split and the random baseline.
 * @out   receives an rs_eval whose rows (rs_eval_result_*, rs_eval_report)
 *        hold the results, the scorer's row first; free with rs_eval_free().
 *        A model that is not built gives the baseline rows alone when
 *        RS_MODEL_EVAL_BASELINES is set.
 * Evaluation options ("eval.k", "eval.recent_days", ...) come from the
 * model's options.  Returns RS_OK, RS_ERR_INVALID (NULL, unknown split or
 * flag), RS_ERR_RANGE (param), RS_ERR_STATE (not built without
 * RS_MODEL_EVAL_BASELINES, no events, empty train or test, no user to
 * evaluate), RS_ERR_NOTFOUND (option build.relation names no relation),
 * RS_ERR_NOMEM.  The model is not changed.
 */
RS_API int rs_model_evaluate(const rs_model *model, int split, double param, uint64_t seed,
                             int flags, rs_eval **out);

/**
 * rs_model_evaluate_shard - rs_model_evaluate() for one shard of the
 * evaluated users (since 1.1), to spread an evaluation over processes or
 * machines: each shard fits the same train model (the fit is repeated per
 * shard; what is divided is the scoring of the users), evaluates the
 * contiguous block shard of n_shards of the users in ascending order
 * (RS_EVAL_SHARDS, RS_EVAL_SHARD), and every row of *out is a part
 * (rs_eval_result_part) that rs_eval_merge_parts() merges with the same
 * row of the other shards into the fields of rs_model_evaluate(), bit for
 * bit.  A shard may hold no user (rows with users 0) when n_shards exceeds
 * the users.
 *
 * @shard     0 .. n_shards - 1;  @n_shards  1 .. 65536 (1: the whole run).
 * Other arguments, statuses and thread safety as rs_model_evaluate(), and
 * RS_ERR_RANGE for shard or n_shards.
 */
RS_API int rs_model_evaluate_shard(const rs_model *model, int split, double param,
                                   uint64_t seed, int flags, size_t shard, size_t n_shards,
                                   rs_eval **out);

/**
 * rs_model_progress_fn - a report of a long call's progress: stage names the
 * work ("simulate", "import"), done of total units (steps of every policy for
 * "simulate"; for "import" the rows read so far, every 4096 rows, of a total
 * estimated from the bytes of the input read so far, which is exact only at
 * the end; total 0 when unknown).  Called on the calling thread, from
 * inside the call; it must not call the model.
 */
typedef void (*rs_model_progress_fn)(void *user_data, const char *stage, uint64_t done,
                                     uint64_t total);

/**
 * rs_model_set_progress - call fn(user_data, ...) as a long call of the
 * model advances: rs_model_simulate() after every step of every policy,
 * rs_model_import_interactions/_items/_users every 4096 rows read.
 * rs_model_build() and rs_model_evaluate() report their stages in turn,
 * each from done 0 to done == total in its own unit, done never going
 * back; within a stage at most about 20 reports a second:
 *   "tune"      candidates evaluated by the validation-based selection
 *               (build.tune), of an estimate: total rises while the
 *               search goes on, and done == total only at its end;
 *   "embedder"  item texts the text embedder is fitted on (start, end);
 *   "items"     items given a vector (in chunks of 16384 items);
 *   "cf"        interaction events the collaborative model is fitted on
 *               (start, end; absent with build.cf none);
 *   "history"   interaction events fed to the user model;
 *   "eval"      rs_model_evaluate() only: users scored of the users
 *               evaluated (after the fit on the train part, which reports
 *               the stages above; a build with build.tune "tune" first).
 * Every report comes from the calling thread.
 * NULL fn stops the reports.  Returns RS_OK or RS_ERR_INVALID (NULL model).
 * Needs the handle to itself.
 */
RS_API int rs_model_set_progress(rs_model *model, rs_model_progress_fn fn, void *user_data);

/** Per-step statistics of a simulation (rs_model_simulate). */
typedef struct rs_sim_trace rs_sim_trace;

/**
 * rs_model_simulate - run the simulator over the model's catalogue with a
 * population of n_users simulated users (0: one per user of the model,
 * mirrored from their histories) and compare policies on the same random
 * numbers, as `recsim simulate` does.
 *
 * @policies  n_policies policy names: "scorer" (the model's recommender,
 *            feedback observed in a copy of its user model), "popular",
 *            "random".
 * @steps, @slate_size  steps to run, items per slate.
 * @seed      the population's and the responses' seed.
 * @out       receives the trace; free with rs_sim_trace_free().
 * The first simulated users mirror the model's users (option "sim.fresh"
 * 1: none do).  Simulator options come from the model's options ("sim.*").
 * The model's file and user model are not changed.  Returns RS_OK,
 * RS_ERR_INVALID, RS_ERR_NOTFOUND (unknown policy name, named),
 * RS_ERR_RANGE (a count, or slate_size above the catalogue's size),
 * RS_ERR_STATE (not built), RS_ERR_NOMEM.  The same arguments give the same
 * trace, bit for bit, at any thread count.
 */
RS_API int rs_model_simulate(const rs_model *model, const char *const *policies,
                             size_t n_policies, size_t n_users, uint64_t steps,
                             size_t slate_size, uint64_t seed, rs_sim_trace **out);

/** rs_sim_trace_free - free a trace; NULL is a no-op. */
RS_API void rs_sim_trace_free(rs_sim_trace *trace);
/** rs_sim_trace_policies - the number of policies; _policy_name - the name of policy p. */
RS_API size_t rs_sim_trace_policies(const rs_sim_trace *trace);
RS_API const char *rs_sim_trace_policy_name(const rs_sim_trace *trace, size_t policy);
/** rs_sim_trace_steps - the number of steps recorded per policy. */
RS_API uint64_t rs_sim_trace_steps(const rs_sim_trace *trace);
/**
 * rs_sim_trace_value - statistic stat (an rs_sim_stat) of policy p after
 * step (0-based; cumulative statistics as rs_sim_stat() reports them at that
 * step).  Returns RS_OK, RS_ERR_INVALID, RS_ERR_RANGE (p, step or stat).
 */
RS_API int rs_sim_trace_value(const rs_sim_trace *trace, size_t policy, uint64_t step, int stat,
                              double *value_out);
/** rs_sim_trace_seconds - wall seconds policy p took (the simulator's work included). */
RS_API double rs_sim_trace_seconds(const rs_sim_trace *trace, size_t policy);

/**
 * One policy's simulation split by users (since 1.1): a shard runs the steps
 * of rs_model_simulate() for a contiguous block of the simulated users, and
 * an rs_sim_merge puts the shards' steps back together into the very trace
 * rs_model_simulate() gives (bit for bit; the seconds aside).  The users are
 * coupled through the items' popularity (recomputed after every step from
 * everybody's clicks), so the shards exchange, between steps, what the
 * merge sums: step t of every shard gives a part (rs_sim_shard_step), the
 * merge of step t's parts gives the merged bytes that every shard takes for
 * step t + 1.  The simulator's random numbers are keyed on (seed, user,
 * step), so a user's draws do not depend on the shard that makes them.
 *
 *     shard i: rs_model_sim_shard_begin(model, "scorer", 0, 10, seed, i, n, &sh);
 *     client:  rs_sim_merge_create(policies, 1, steps, &mg);
 *     step t:  each shard  rs_sim_shard_step(sh, merged, merged_len, &part, &len);
 *              client      rs_sim_merge_step(mg, 0, parts, lens, n, &merged, &merged_len);
 *     end:     rs_sim_merge_trace(mg, &trace);
 *
 * Parts and merged bytes are plain bytes (host byte order), to be carried
 * between processes or machines as they are.
 */
typedef struct rs_sim_shard rs_sim_shard;

/**
 * rs_model_sim_shard_begin - shard shard of n_shards of one policy's
 * simulation (since 1.1): the arguments of rs_model_simulate() for one
 * policy, and the block of users shard covers (users n * shard / n_shards
 * up to n * (shard + 1) / n_shards of the n simulated users; a block may be
 * empty).  Every shard builds the whole population (what a user starts
 * from depends on the users before it) and the policy's state, then
 * simulates its block only.  The simulator's options ("sim.*") and the
 * scorer's are read now: the model's options may change afterwards.
 *
 * @policy     "scorer", "popular" or "random".
 * @n_users, @slate_size, @seed  as rs_model_simulate().
 * @shard      0 .. n_shards - 1;  @n_shards  1 .. 65536.
 * @out        receives the shard; free with rs_sim_shard_free().
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_NOTFOUND (unknown policy),
 * RS_ERR_RANGE (a count, shard or n_shards), RS_ERR_STATE (not built),
 * RS_ERR_NOMEM.  Needs the model to itself, as rs_model_simulate() does;
 * the model must outlive the shard, and its steps read it as
 * rs_model_recommend() does (the shards of a read-only model may step in
 * parallel threads, one thread per shard, but not beside a call that
 * needs the model to itself).
 */
RS_API int rs_model_sim_shard_begin(const rs_model *model, const char *policy, size_t n_users,
                                    size_t slate_size, uint64_t seed, size_t shard,
                                    size_t n_shards, rs_sim_shard **out);

/**
 * rs_sim_shard_step - run the shard's next step (since 1.1) and give its
 * part: the step's counts, every item's clicks and exposures in it and the
 * diversity of each of the shard's shown users (about 8 bytes per active
 * user and per item clicked or shown, plus 8 per category).
 *
 * @merged, @merged_len  the merge's bytes of the step before
 *             (rs_sim_merge_step); NULL, 0 for step 0.
 * @part_out, @part_len_out  receive the part, owned by the shard and valid
 *             until its next step or its free.
 * Returns RS_OK, RS_ERR_INVALID (NULL shard or out pointer, or no merged
 * bytes after step 0), RS_ERR_CORRUPT (damaged merged bytes), RS_ERR_VERSION
 * (a newer format), RS_ERR_STATE (merged bytes of another run or step, or
 * given at step 0; or an earlier step failed), RS_ERR_NOMEM, RS_ERR_CALLBACK
 * (a host responder failed).  Refused merged bytes change nothing (the step
 * may be retried with the right ones); a failure inside the step leaves the
 * shard unusable.  Needs the shard to itself.
 */
RS_API int rs_sim_shard_step(rs_sim_shard *shard, const void *merged, size_t merged_len,
                             const void **part_out, size_t *part_len_out);

/** rs_sim_shard_free - free a shard (and its last part); NULL is a no-op. */
RS_API void rs_sim_shard_free(rs_sim_shard *shard);

/** The merge of sharded simulations (since 1.1), see rs_sim_shard. */
typedef struct rs_sim_merge rs_sim_merge;

/**
 * rs_sim_merge_create - a merge of n_policies policies' sharded runs of
 * steps steps each (since 1.1), into a trace with those policies in that
 * order.  The policies' runs may be merged in any interleaving (one step
 * of one, a step of another ...), each policy's steps in order.
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_NOTFOUND (unknown policy),
 * RS_ERR_RANGE (n_policies not 1 .. 64, steps not 1 .. 10,000,000),
 * RS_ERR_NOMEM.  Free with rs_sim_merge_free().
 */
RS_API int rs_sim_merge_create(const char *const *policies, size_t n_policies, uint64_t steps,
                               rs_sim_merge **out);

/**
 * rs_sim_merge_step - merge the parts of policy's next step (since 1.1),
 * one per shard of its run in any order: the step's statistics go into the
 * trace, computed as rs_model_simulate() computes them (coverage and Gini
 * from every item's summed exposure, the entropy from the summed clicks
 * per category, the diversity summed over the users in user order, the
 * counts summed: never an average of the shards' figures).  The shards'
 * seconds are summed into the policy's seconds.
 *
 * @merged_out, @merged_len_out  receive (when not NULL) the bytes every
 *             shard takes for its next step (the step's clicks per item
 *             summed over the shards), owned by the merge and valid until
 *             the next rs_sim_merge_step of this policy or the free.
 * Returns RS_OK, RS_ERR_INVALID (NULL or no part), RS_ERR_RANGE (policy,
 * or more than 65536 parts), RS_ERR_CORRUPT (a damaged or truncated part,
 * shards that do not cover the users one block after another),
 * RS_ERR_VERSION (a newer format), RS_ERR_STATE (parts of another policy
 * or run or step, a shard given twice, not one part per shard, all steps
 * merged already, the trace given away), RS_ERR_NOMEM.  Refused parts
 * change nothing.  Needs the merge to itself.
 */
RS_API int rs_sim_merge_step(rs_sim_merge *merge, size_t policy, const void *const *parts,
                             const size_t *lens, size_t n_parts, const void **merged_out,
                             size_t *merged_len_out);

/**
 * rs_sim_merge_trace - the merged trace, once every policy's steps are
 * merged (since 1.1): the trace rs_model_simulate() gives for these
 * policies and arguments, every value bit for bit; rs_sim_trace_seconds()
 * is the sum of the shards' seconds.  The trace is given away: free it with
 * rs_sim_trace_free() (the merge no longer has it).  Returns RS_OK,
 * RS_ERR_INVALID (NULL), RS_ERR_STATE (steps missing, or given away).
 */
RS_API int rs_sim_merge_trace(rs_sim_merge *merge, rs_sim_trace **out);

/** rs_sim_merge_free - free a merge (and a trace it still has); NULL is a no-op. */
RS_API void rs_sim_merge_free(rs_sim_merge *merge);

/** Types of model options. */
typedef enum rs_option_type {
    RS_OPTION_INT = 0,    /* an integer in [min, max] */
    RS_OPTION_DOUBLE = 1, /* a finite double in [min, max] */
    RS_OPTION_CHOICE = 2, /* one of a few names ("ease", "als", ...); see
                             rs_model_option_info's choices */
    RS_OPTION_STRING = 3  /* free text (e.g. a relation name), may be empty */
} rs_option_type;

/** rs_model_option_count - the number of model options (a constant of the library). */
RS_API size_t rs_model_option_count(void);

/**
 * rs_model_option_info - option index (0 .. rs_model_option_count() - 1):
 * its name ("scorer.w_popularity"), type (rs_option_type), bounds (for INT
 * and DOUBLE), default (as text), the '|'-separated choices (CHOICE; "" for
 * the others) and a one-line description.  Every out-pointer may be NULL;
 * strings are static.  Returns RS_OK or RS_ERR_RANGE (index).
 */
RS_API int rs_model_option_info(size_t index, const char **name_out, int *type_out,
                                double *min_out, double *max_out, const char **default_out,
                                const char **choices_out, const char **description_out);

/**
 * rs_model_set_option - set an option by name from its text ("0.3", "als").
 * The typed setters below do the same for one type.  Scorer options take
 * effect at once; build, embedder and collaborative options at the next
 * rs_model_build(); eval and sim options at the next evaluate / simulate.
 * A read-only model accepts sets for this handle (nothing is saved).
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_NOTFOUND (unknown name; the
 * message lists the nearest names), RS_ERR_RANGE (outside the bounds, NaN,
 * Inf; the message gives the bounds), RS_ERR_PARSE (text that is not a
 * value of the type).  On failure nothing changes.
 */
RS_API int rs_model_set_option(rs_model *model, const char *name, const char *value);
RS_API int rs_model_set_int(rs_model *model, const char *name, int64_t value);
RS_API int rs_model_set_double(rs_model *model, const char *name, double value);

/**
 * rs_model_get_option - the option's current value as text, written to buf
 * (capacity bytes, NUL-terminated); *len_out (may be NULL) receives the
 * length.  RS_ERR_BUFFER when it does not fit (len_out set).  The typed
 * getters return the value of an INT / DOUBLE option (RS_ERR_INVALID for
 * another type).  Thread-safe on a read-only model.
 */
RS_API int rs_model_get_option(const rs_model *model, const char *name, char *buf,
                               size_t capacity, size_t *len_out);
RS_API int rs_model_get_int(const rs_model *model, const char *name, int64_t *value_out);
RS_API int rs_model_get_double(const rs_model *model, const char *name, double *value_out);

/**
 * rs_model_save_options - save the current options into the file (one
 * transaction) so that the next rs_model_open() starts from them.  Returns
 * RS_OK, RS_ERR_READONLY, RS_ERR_IO, RS_ERR_BUSY.
 */
RS_API int rs_model_save_options(rs_model *model);

/**
 * rs_model_tuning - what the last build chose on validation and why: the
 * JSON text of the selection (the split, its cut or fraction, the number of
 * warm and cold validation users, every candidate evaluated with its
 * options and validation NDCG, the chosen options and their NDCG, the
 * seconds it took; or "skipped" with the reason), written to buf (capacity
 * bytes, NUL-terminated); *len_out (may be NULL) receives its length.
 *
 * The selection runs in rs_model_build() while the option "build.tune" is
 * 1 (the default): a validation split carved from the model's events
 * (temporal: the last "build.tune_fraction" of the time range when the
 * events carry times; else per-user random), the collaborative kind and
 * its regularisation, the blend weights and the cold-start weights chosen
 * by validation NDCG; options the caller set on the handle stay fixed.
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_NOTFOUND (built without the
 * selection, or not built), RS_ERR_BUFFER (len_out set).  Thread-safe on a
 * read-only model.
 */
RS_API int rs_model_tuning(const rs_model *model, char *buf, size_t capacity,
                           size_t *len_out);

/** Counts of rs_model_count. */
typedef enum rs_model_count_kind {
    RS_MODEL_COUNT_ITEMS = 0,        /* items in the built store */
    RS_MODEL_COUNT_USERS = 1,        /* user nodes of the graph */
    RS_MODEL_COUNT_EVENTS = 2,       /* user -> item interaction edges */
    RS_MODEL_COUNT_USERS_WITH_HISTORY = 3 /* users the user model knows */
} rs_model_count_kind;

/** rs_model_count - a count of the model (0 for NULL or an unknown kind; ITEMS and
 * USERS_WITH_HISTORY are 0 while the model is not built, USERS and EVENTS
 * count the graph as it is). */
RS_API size_t rs_model_count(const rs_model *model, int kind);

/**
 * rs_model_item_count / rs_model_item_key / rs_model_item_index - the one
 * index space: the number of items, the key of index i (NULL out of range;
 * owned by the model), the index of a key (RS_ERR_NOTFOUND when unknown).
 */
RS_API size_t rs_model_item_count(const rs_model *model);
RS_API const char *rs_model_item_key(const rs_model *model, uint32_t index);
RS_API int rs_model_item_index(const rs_model *model, const char *key, uint32_t *index_out);

/**
 * rs_model_users - the users the model has a history for (those counted by
 * RS_MODEL_COUNT_USERS_WITH_HISTORY), a page at a time, in the order of
 * their graph nodes: the way to recommend for every user in bounded memory.
 *
 * @cursor    in: where the page starts (0 for the first); out: where the
 *            next one starts.  The pages are over when *n_out is 0.
 * @keys_out  capacity slots for user keys, borrowed from the model's graph
 *            (valid until the model is closed, built or observed again).
 * @capacity  at least 1.
 * @n_out     receives the number of keys written (<= capacity).
 *
 * A model changed between pages (observe, build) may make a page miss or
 * repeat a user.  Returns RS_OK, RS_ERR_INVALID (NULL model, cursor,
 * keys_out or n_out; capacity 0), RS_ERR_STATE (not built).  Cost: O(the
 * nodes scanned) per page.  Thread-safe on a read-only model.
 */
RS_API int rs_model_users(const rs_model *model, size_t *cursor, const char **keys_out,
                          size_t capacity, size_t *n_out);

/**
 * Borrowed handles, for advanced use: valid until the model is closed or
 * built again (rs_model_build replaces them); NULL when absent (not built,
 * no collaborative model).  Changing a borrowed handle's options changes the
 * model's behaviour but not its saved options; the model's name-based
 * options are the supported way.
 */
RS_API rs_graph *rs_model_graph(rs_model *model);
RS_API const rs_item_store *rs_model_item_store(const rs_model *model);
RS_API rs_user_model *rs_model_user_model(rs_model *model);
RS_API const rs_cf_model *rs_model_cf_model(const rs_model *model);
RS_API const rs_embedder *rs_model_embedder(const rs_model *model);
RS_API rs_scorer *rs_model_scorer(rs_model *model);

/*
 * Writing a model: one writer at a time, nothing lost.
 *
 * Every write (rs_model_import_*, rs_model_build, rs_model_observe,
 * rs_model_set_note) holds the model file's write lock from its first read
 * to its commit, so writes from any number of processes and handles are
 * serialised: a second writer waits up to the busy timeout (default 5000
 * ms) for the lock, then fails with RS_ERR_BUSY, changing nothing.  Readers
 * are never blocked and see one committed version of the file.  A handle
 * that another writer's commit made out of date reads the file again when
 * it takes the lock (borrowed handles, rs_model_graph() among them, are
 * then replaced), so a write never undoes another's.
 */

/**
 * rs_model_begin - take the model's write lock for several writes: every
 * rs_model_import_*, rs_model_build, rs_model_observe and
 * rs_model_set_note call until rs_model_commit() joins one transaction,
 * and nothing is visible to other handles, or durable, before the commit.
 * A process that dies before the commit leaves the file as it was.
 *
 * When a write inside the transaction fails, the transaction can only be
 * rolled back: later writes fail with RS_ERR_STATE, and rs_model_commit()
 * rolls back and returns RS_ERR_STATE.  Transactions do not nest.  After an
 * import inside the transaction, recommendations on this handle fail with
 * RS_ERR_STATE until the commit (which makes the scorer again).
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_READONLY, RS_ERR_STATE (a
 * transaction is open already; a ":memory:" model), RS_ERR_BUSY (another writer held the lock
 * for longer than the busy timeout), RS_ERR_IO, RS_ERR_NOMEM.  Not thread-
 * safe on one handle; handles and processes may run it concurrently.
 */
RS_API int rs_model_begin(rs_model *model);

/**
 * rs_model_commit - commit the transaction of rs_model_begin(): all its
 * writes reach the file at once, and the lock is released.  On failure
 * (a write inside failed: RS_ERR_STATE; RS_ERR_IO, RS_ERR_BUSY,
 * RS_ERR_NOMEM from SQLite) everything is rolled back as by
 * rs_model_rollback().  RS_ERR_STATE also when no transaction is open.
 */
RS_API int rs_model_commit(rs_model *model);

/**
 * rs_model_rollback - undo the transaction of rs_model_begin(): the file
 * is as before it, the lock is released, and the handle reads the file
 * again (borrowed handles are replaced).  Returns RS_OK, RS_ERR_INVALID,
 * RS_ERR_STATE (no transaction open).
 */
RS_API int rs_model_rollback(rs_model *model);

/**
 * rs_model_set_busy_timeout - how long a write on this handle waits for
 * another writer's lock before failing with RS_ERR_BUSY: milliseconds >= 0
 * (0: fail at once; default 5000).  Returns RS_OK, RS_ERR_INVALID (NULL),
 * RS_ERR_RANGE (negative).
 */
RS_API int rs_model_set_busy_timeout(rs_model *model, int milliseconds);

/**
 * rs_model_set_note / rs_model_get_note - a short text the application
 * keeps in the model file under a key (e.g. which files were imported, as
 * `recsim import` does), apart from the library's own data.  set writes
 * (replacing) in its own transaction, or inside rs_model_begin()'s; get
 * copies the value and its terminating NUL into buf.
 *
 * @key    a valid key (UTF-8, 1 .. RS_MAX_KEY_BYTES bytes).
 * @value  UTF-8 text of at most 65536 bytes.
 * @len_out  receives the value's length in bytes (may be NULL).
 * Returns RS_OK, RS_ERR_INVALID (NULL), RS_ERR_ENCODING / RS_ERR_LIMIT (a
 * bad key or value), RS_ERR_READONLY, RS_ERR_BUSY, RS_ERR_IO (set);
 * RS_ERR_NOTFOUND (no such note), RS_ERR_BUFFER (capacity too small: the
 * length is in *len_out) (get).
 */
RS_API int rs_model_set_note(rs_model *model, const char *key, const char *value);
RS_API int rs_model_get_note(const rs_model *model, const char *key, char *buf,
                             size_t capacity, size_t *len_out);


/* ----------------------------------------------------------------------
 * Simulator validation (issue 17): is the simulator right about real people?
 * -------------------------------------------------------------------- */

/**
 * rs_model_validate - check the visit simulator against held-out behaviour.
 *
 * @model        an open model whose interactions carry times (built or not:
 *               every policy is fitted here on the events before the cut).
 * @policies     policy names, or NULL for the default set (scorer, ease,
 *               als, knn, rp3beta, content, most-popular, recent-popular,
 *               segment-popular, random).  Names: "random", "most-popular",
 *               "recent-popular" (eval.recent_days), "segment-popular"; "scorer"
 *               (the model's options, its selection included); "ease", "als",
 *               "knn", "rp3beta", "edlae", "gfcf" (that collaborative model
 *               alone); "content" (the content signal alone); "file:PATH" (a
 *               ranked list file, "user\titem\trank" lines).  Copied.
 * @n_policies   their number, 0 .. 32 (0 with NULL: the default set).
 * @cut          the time cut in seconds, or NaN for 80 % of the time range.
 * @seed         seed of the first replicate; replicate r uses seed + r.
 * @replicates   1 .. 64; the report gives medians over them.
 * @report_out   receives the report, a NUL-terminated text (free with
 *               rs_free()); NULL on error.
 *
 * Protocol: every policy is fitted on a train-only copy of the events
 * before the cut and gives each evaluated user (warm, with a new item after
 * the cut) a top-10 list; the real NDCG@10 is the evaluation runner's.  Per
 * replicate the users are split in two halves by a seeded hash; the visit
 * simulator is fitted on the first half's behaviour after the cut only (by
 * maximum likelihood: a multinomial logit over the items not yet bought,
 * utility = weights x [log item count of the half, the simulator's own ALS
 * affinity fitted on that half, content cosine to the history, log segment
 * count]; a logistic return hazard on log1p(visits before the cut);
 * lognormal inter-visit gaps and basket sizes; a beta-binomial share of
 * new items per visit; a slate-inclusion model of each listed item
 * entering the visit, with a gamma propensity per visit).  The other half
 * is simulated (a visit = a basket at a time in days); every list's items
 * enter the simulated visits with the same random numbers (common random
 * numbers), and every list is checked against the same users' real baskets
 * (a visit = the events sharing one time).  The report prints per policy the real NDCG@10, the
 * real and simulated per-visit hit rates (a visit whose basket holds a
 * listed item), the simulated difference to the first policy with a paired
 * bootstrap interval; Kendall tau of simulated hit rate against real
 * NDCG@10 (random excluded) with a bootstrap interval over users; the visit
 * shape (baskets per customer, median items per basket, median gap) real
 * vs simulated; the log-likelihood per slate impression of the model
 * against positions alone.  The real logs hold no exposure, so the slot
 * terms are not a causal slate effect.
 *
 * Returns RS_OK; RS_ERR_INVALID (NULL model or report_out, a NULL or empty
 * name, an unknown policy); RS_ERR_RANGE (n_policies, replicates, a cut
 * that is not a whole number); RS_ERR_STATE (no interaction events; events
 * without times, naming the 'time' column; a cut leaving one side empty;
 * no evaluated user in a half); RS_ERR_IO / RS_ERR_PARSE (a list file); the
 * errors of the fits; RS_ERR_NOMEM.  Reads the model only; one call at a
 * time per model.
 */
RS_API int rs_model_validate(const rs_model *model, const char *const *policies,
                             size_t n_policies, double cut, uint64_t seed, size_t replicates,
                             char **report_out);

/*
 * A visit of a hosted user of rs_model_simulate(), in words, for a host
 * response model such as an LLM agent (rs_model_set_sim_responder()).
 * Lent for the duration of the call: every pointer is the library's and
 * stays valid only until the responder returns.  Fields may be appended in
 * later releases: read a visit through the pointer the library gives, never
 * allocate or copy one.
 */
typedef struct rs_sim_visit {
    const char *policy;            /* the policy shown ("scorer", "popular", ...) */
    uint64_t step;                 /* the step of the run, from 0 */
    uint32_t user;                 /* the simulated user's index */
    const char *user_key;          /* the model user it mirrors */
    const char *profile;           /* persona: "relation: entity" lines of the
                                      user's profile attributes (out-edges to
                                      nodes that are neither items nor users,
                                      e.g. "from: United Kingdom"); "" if none */
    const char *const *history;    /* item texts of the user's history in the
                                      model, then of the items it clicked in
                                      this run, oldest first */
    size_t n_history;
    const char *const *slate;      /* the slate's item texts, position order */
    const char *const *slate_keys; /* the slate's item keys */
    size_t slate_size;
} rs_sim_visit;

/*
 * The host's answer to a visit: write the clicked position (-1 for none),
 * an rs_sim_behaviour (RS_SIM_SKIP exactly when position is -1), a rating
 * 1 .. 5 (0 without click) and left (1: the user ends the session).
 * Return 0, or non-zero to stop the simulation (rs_model_simulate() then
 * fails with RS_ERR_CALLBACK); an answer out of range fails it the same way.
 */
typedef int (*rs_model_sim_responder_fn)(void *context, const rs_sim_visit *visit,
                                         int *position_out, int *behaviour_out,
                                         int *rating_out, int *left_out);

/**
 * rs_model_set_sim_responder - answer chosen users of rs_model_simulate()
 * with a host response model instead of the built-in one.
 *
 * @fn         the responder, or NULL to remove it (the other arguments are
 *             then ignored).
 * @context    passed to fn unchanged.
 * @user_keys  n_keys keys of model users (copied): the simulated users that
 *             mirror them are hosted; NULL: every mirrored user.  Generated
 *             users ("sim.fresh", n_users beyond the model's) are never
 *             hosted.
 *
 * fn is called by rs_model_simulate() on the calling thread, users in
 * increasing order, for every hosted user active at a step of every policy,
 * after the policy chose the slate and before the built-in model answers
 * the others (as rs_sim_set_responder()); a click joins the user's history
 * of the next visits.  A run with the same answers gives the same trace at
 * any thread count.  Returns RS_OK, RS_ERR_INVALID (NULL model; NULL
 * user_keys with n_keys > 0; a NULL or empty key), RS_ERR_NOTFOUND (a key
 * that is no user of the model), RS_ERR_RANGE (more than 10,000,000 keys),
 * RS_ERR_NOMEM; on failure the previous setting stays.  Needs the handle to
 * itself (as rs_model_set_progress()).
 */
RS_API int rs_model_set_sim_responder(rs_model *model, rs_model_sim_responder_fn fn,
                                      void *context, const char *const *user_keys,
                                      size_t n_keys);

#ifdef __cplusplus
}
#endif

#endif /* RECSIM_MODEL_H */
