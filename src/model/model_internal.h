/*
 * model_internal.h - the inside of an rs_model, shared by the files of
 * src/model/ (one job each):
 *
 *   model.c          open / close, reading a built model back, accessors,
 *                    counts, the index space
 *   model_build.c    build: embedder, item vectors, collaborative model and
 *                    user model fitted from a graph and an event selection
 *                    (rs__model_fit), saved in one transaction
 *   model_import.c   import into the model's graph
 *   model_recommend.c  recommend, batch, similar
 *   model_explain.c  rs_model_explain and rs_explanation
 *   model_observe.c  online events
 *   model_write.c    the write lock, rs_model_begin/commit/rollback, notes
 *   model_options.c  the option table: names, types, bounds, defaults,
 *                    parsing, persistence, applying options to the handles
 *   model_eval.c     evaluation on a leak-free train-only copy
 *   model_sim.c      simulation and rs_sim_trace
 *   model_tune.c     the build's validation-based selection (build.tune)
 *
 * The model sits above every other module (see DESIGN.md): it may use the
 * public API of all of them and the graph's internal header (for its
 * SQLite connection and meta table), nothing else's internals.
 */
#ifndef RS_MODEL_INTERNAL_H
#define RS_MODEL_INTERNAL_H

#include "recsim.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ options */

/* Upper bound on the table's size (a compile-time check keeps it honest). */
#define RS__MODEL_MAX_OPTIONS 128

/*
 * Current option values, by table index.  INT, DOUBLE: value[i]; CHOICE:
 * value[i] is the index of the choice; STRING: text[i] (malloc'ed, NULL for
 * the empty string).  set[i] is true when the caller set the value through a
 * public setter on this handle (the build's selection leaves it alone);
 * values loaded from the file or chosen by the library are not marked.
 */
struct rs__model_options {
    double value[RS__MODEL_MAX_OPTIONS];
    char *text[RS__MODEL_MAX_OPTIONS];
    bool set[RS__MODEL_MAX_OPTIONS];
};

/* Defaults; frees nothing (o may hold garbage). */
void rs__model_options_init(struct rs__model_options *o);
void rs__model_options_free(struct rs__model_options *o);
/* A deep copy (dst is initialised by the call); RS_ERR_NOMEM. */
int rs__model_options_copy(struct rs__model_options *dst, const struct rs__model_options *src);

/* Read the options saved in the file (absent: defaults, RS_OK); RS_ERR_CORRUPT
 * naming the key for a damaged entry.  Unknown names saved by a newer release
 * are ignored. */
int rs__model_options_load(struct rs__model_options *o, rs_graph *graph);
/* Write every option into the file's meta table (the caller holds the
 * transaction). */
int rs__model_options_save(const struct rs__model_options *o, rs_graph *graph);

/* Typed reads by name for the model's own files (the name must exist: a
 * wrong name is a bug, reported as RS_ERR_INTERNAL by the setters; these
 * return 0 / NULL). */
int64_t rs__model_opt_int(const struct rs__model_options *o, const char *name);
double rs__model_opt_double(const struct rs__model_options *o, const char *name);
/* CHOICE options: the chosen name ("ease"); STRING: the text ("" when empty). */
const char *rs__model_opt_text(const struct rs__model_options *o, const char *name);

/* Set by name from text / a number without marking the option explicit
 * (the model's own choices, e.g. the build's selection); a wrong name is
 * RS_ERR_INTERNAL.  explicit(): was it set by the caller through a setter
 * on this handle?  format(): the value as text. */
int rs__model_options_set(struct rs__model_options *o, const char *name, const char *value);
int rs__model_options_set_number(struct rs__model_options *o, const char *name, double value);
bool rs__model_options_explicit(const struct rs__model_options *o, const char *name);
int rs__model_options_format(const struct rs__model_options *o, const char *name, char *buf,
                             size_t size);

/* The collaborative kind chosen by "build.cf": an RS_CF_* value, or -1 for none. */
int rs__model_options_cf_kind(const struct rs__model_options *o);

/* Push the options of one handle's family ("scorer.*", "embedder.*",
 * "cf.*" for the given kind, "sim.*", "eval.*") into it. */
int rs__model_options_apply_scorer(const struct rs__model_options *o, rs_scorer *scorer);
int rs__model_options_apply_embedder(const struct rs__model_options *o, rs_embedder *embedder);
int rs__model_options_apply_cf(const struct rs__model_options *o, rs_cf_model *cf);
int rs__model_options_apply_sim(const struct rs__model_options *o, rs_sim *sim);
int rs__model_options_apply_eval(const struct rs__model_options *o, rs_eval *eval);

/* ------------------------------------------------------------ the model */

struct rs_model {
    char *path;
    int flags;                    /* RS_MODEL_* of the open */
    rs_graph *graph;              /* owned */
    struct rs__model_options options;
    /* The built parts (all NULL when not built; cf may be NULL alone). */
    rs_embedder *embedder;
    rs_item_store *store;
    rs_cf_model *cf;
    rs_user_model *users;
    rs_scorer *scorer;
    /* The index space: store index -> key (borrowed from the store). */
    const char **item_keys;
    size_t n_items;
    /* rs_model_set_progress */
    rs_model_progress_fn progress;
    void *progress_data;
    /* rs_model_set_sim_responder (model_sim_host.c) */
    rs_model_sim_responder_fn host_fn;
    void *host_ctx;
    char **host_keys; /* the hosted users' keys, copied */
    size_t host_n_keys;
    int host_all;     /* keys NULL: every mirrored user */
    /* Writing (model_write.c): the file as opened (device, inode), to tell
     * that it was removed or replaced; rs_model_begin's transaction, and
     * whether a write inside it failed; how long to wait for the lock. */
    uint64_t file_dev, file_ino;
    bool in_batch, batch_failed;
    uint64_t batch_generation; /* the graph's, when the lock was taken */
    int busy_ms;
    uint64_t import_known; /* rows the last interaction import skipped as known */
};

/* The parts of a fitted recommender, as rs__model_fit makes them. */
struct rs__model_parts {
    rs_embedder *embedder;
    rs_item_store *store;
    rs_cf_model *cf;
    rs_user_model *users;
    rs_scorer *scorer;
    const char **item_keys;
    size_t n_items;
};
void rs__model_parts_free(struct rs__model_parts *p);

/*
 * Fit every part of a recommender from graph with options o: the embedder
 * on the items' texts, the item vectors, the collaborative model and the
 * user model from the user -> item edges of graph (relation "build.relation"
 * or all), each event with its own time and weight; then the scorer, with
 * the scorer options applied.  Nothing is saved.  Used by rs_model_build (on
 * the model's graph) and by rs_model_evaluate (on a train-only graph).
 */
int rs__model_fit(rs_graph *graph, const struct rs__model_options *o,
                  struct rs__model_parts *out);

/*
 * Progress reports to rs_model_set_progress's listener (model_progress.c):
 * init takes m's listener (none: every call a no-op; NULL m: none);
 * stage starts a stage at done 0 of total; set raises done (rate-limited,
 * never above total); step adds one to done of an estimated total (raised
 * while the work goes on); end reports done == total.  One thread only.
 */
struct rs__progress {
    rs_model_progress_fn fn;
    void *data;
    const char *stage;
    uint64_t done, total;
    double last; /* monotonic seconds of the last report */
};
void rs__progress_init(struct rs__progress *p, const rs_model *m);
void rs__progress_stage(struct rs__progress *p, const char *stage, uint64_t total);
void rs__progress_set(struct rs__progress *p, uint64_t done);
void rs__progress_step(struct rs__progress *p);
void rs__progress_end(struct rs__progress *p);

/* rs__model_fit reporting its stages ("embedder", "items", "cf",
 * "history") to pr (NULL: none). */
int rs__model_fit_progress(rs_graph *graph, const struct rs__model_options *o,
                           struct rs__progress *pr, struct rs__model_parts *out);

/* Replace the model's parts by p (taken over; p is zeroed). */
void rs__model_adopt(rs_model *m, struct rs__model_parts *p);

/* The names the parts are saved under in the model file (1.0's CLI wrote
 * the store and the collaborative model under these). */
#define RS__MODEL_SPACE "recsim"
#define RS__MODEL_CF "recsim"
#define RS__MODEL_USERS "recsim"
/* The embedding dimension of a build whose catalogue has no item text
 * (RS_EMBEDDER_DIM's minimum): the vectors are all zero (model_build.c). */
#define RS__MODEL_TEXTLESS_DIM 8
/* The meta key of the build's selection report (JSON). */
#define RS__MODEL_TUNING_KEY "model.tuning"

/* The user -> item interaction edges of a graph, each with its own time and
 * weight, ordered by user node, time, item node (graph node indices). */
struct rs__model_events {
    uint32_t *user, *item, *relation;
    double *weight;
    int64_t *time;
    size_t n;
};
/* Read them in one SQL scan (relation NULL or "": every relation);
 * RS_ERR_NOTFOUND for an unknown relation. */
int rs__model_events_read(rs_graph *graph, const char *relation,
                          struct rs__model_events *out);
void rs__model_events_free(struct rs__model_events *ev);
/* The user model of the one history rule, over store, from events. */
int rs__model_users_from_events(const rs_graph *graph, const struct rs__model_events *ev,
                                const rs_item_store *store, rs_user_model **out);
/* (Re)make p's item key array and scorer from its store, users and cf on
 * graph, with the scorer options of o. */
int rs__model_parts_assemble(const rs_graph *graph, const struct rs__model_options *o,
                             struct rs__model_parts *p);

/* SQL on the model's connection; a failure inside a savepoint is undone by
 * rs__model_rollback, which keeps status and its message. */
int rs__model_exec(rs_graph *graph, const char *sql, const char *what);
int rs__model_rollback(rs_graph *graph, const char *savepoint, int status);

/* The user model the file holds (a 1.0 file has none: the one of the
 * history rule, from the graph), over store. */
int rs__model_users_load(rs_model *m, const rs_item_store *store, rs_user_model **out);

/* A new scorer for the model's current graph, store, users and cf (after a
 * write to the graph); nothing to do when not built. */
int rs__model_remake_scorer(rs_model *m);

/* ------------------------------------------------------------ evaluation
 * (model_eval.c), shared with the build's validation-based selection
 * (model_tune.c). */

/* One interaction event: graph node and relation indices, time, weight. */
struct event_row {
    uint32_t user, relation, item;
    int64_t time;
    double weight;
};

/* The model's interaction events, and the same events with keys (event i
 * is row i) to split and evaluate. */
struct model_events {
    struct event_row *rows;
    size_t n, cap;
    rs_events *events;
    uint32_t relation; /* RS_GRAPH_ANY_RELATION: every user -> item edge */
    /* A temporal split's cut, when set (rs__model_eval_set_cut): the train
     * copy then keeps the entity facts of the rows before it alone, and
     * late[0 .. n_late) lists (src, relation, dst) node index triples,
     * sorted, of the edges first given by a row at or after it (from a
     * node with a train event: see trained). */
    bool has_cut;
    int64_t cut;
    uint32_t (*late)[3];
    size_t n_late;
    /* per graph node: has a train event.  The facts of a node without one
     * (a cold user, evaluated on the profile it arrives with) all stay. */
    uint8_t *trained;
};

/* Set me's cut and read the edges that come after it (model_eval.c). */
int rs__model_eval_set_cut(const rs_model *m, struct model_events *me, int64_t cut);

/* The model's interaction events, each with its own time and weight (raw
 * events where the import kept them), in me->events too, to be split. */
int rs__model_eval_events(const rs_model *m, struct model_events *me);
void rs__model_eval_events_free(struct model_events *me);
/* An in-memory copy of the model's graph whose interaction edges come from
 * the train events of me->events alone (cold: keep users first seen in
 * test, for their profiles). */
int rs__model_train_graph(const rs_model *m, const struct model_events *me, bool cold,
                          rs_graph **out);
/* Run the fitted parts' scorer as a row of eval named name. */
int rs__model_eval_parts(rs_eval *eval, const struct rs__model_parts *parts, const char *name,
                         size_t *row_out);

/* The collaborative model "build.cf" of o chooses, fitted on ev (binary,
 * item i = store index i); *out NULL for none or no event. */
int rs__model_fit_cf(const rs_graph *graph, const struct rs__model_events *ev,
                     const rs_item_store *store, const struct rs__model_options *o,
                     rs_cf_model **out);

/* The build's validation-based selection (model_tune.c): chosen receives
 * m's options with the chosen collaborative kind, regularisation and
 * weights (a copy of m's when selection is impossible: too few events or
 * users), *report_out the JSON text of every evaluation (malloc'ed). */
int rs__model_tune(const rs_model *m, struct rs__model_options *chosen, char **report_out);

/* A build on a large log or catalogue (model_scale.c).  skip_tune: true
 * (why filled) when the graph has more edges than "build.tune_max_events".
 * scale_cf: when the caller left "build.cf" alone and chosen's kind is
 * dense but the catalogue exceeds "cf.max_items", chosen gets item-kNN and
 * note says why (else note is empty).  untuned: chosen = m's options with
 * scale_cf applied; *report_out the JSON report {"split", "skipped",
 * "scaled_cf"} when why or a note is to be said, else NULL. */
bool rs__model_scale_skip_tune(const rs_model *m, char *why, size_t cap);
int rs__model_scale_cf(const rs_model *m, struct rs__model_options *chosen, char *note,
                       size_t cap);
int rs__model_scale_untuned(const rs_model *m, const char *why, struct rs__model_options *chosen,
                            char **report_out);

/* ------------------------------------------------------------ writing
 * (model_write.c).  Every write (import, build, observe) runs between
 * enter and leave: enter takes the file's write lock (BEGIN IMMEDIATE,
 * waiting up to busy_ms) and reads the file again when another writer
 * changed it since; inside rs_model_begin it joins that transaction.
 * leave commits (or rolls back on failure, reading the file again when the
 * memory holds writes that were undone) and returns status; inside a batch
 * a failure only marks the batch as failed. */
#define RS__MODEL_NOTE_MAX 65536 /* bytes of a note's value */
#define RS__MODEL_BUSY_MS 5000 /* the default wait for another writer's lock */
int rs__model_write_enter(rs_model *m, const char *fn, bool *owned);
int rs__model_write_leave(rs_model *m, const char *fn, bool owned, int status);

/* Read the graph and the built parts again from the file (the options in
 * memory stay); on failure the model is unchanged. */
int rs__model_reload(rs_model *m);
/* The file's device and inode, 0 and 0 when it cannot be stat'ed. */
void rs__model_file_id(const char *path, uint64_t *dev, uint64_t *ino);

/* RS_ERR_STATE with a message when the model is not built. */
int rs__model_check_built(const rs_model *m);

/* An item's text (its first text property, else its key) into buf. */
const char *rs__model_item_text(const rs_model *m, const char *key, char *buf, size_t size);

/* The host responder of one policy's run (model_sim_host.c): begin marks
 * the hosted users among the first `mirrored` of user_keys (borrowed until
 * end) and installs the responder; *out NULL when the model has none.
 * end removes it and frees; both NULL-safe.  clear forgets the setting. */
struct rs__sim_host;
int rs__model_sim_host_begin(const rs_model *m, rs_sim *sim, char *const *user_keys,
                             size_t n_users, size_t mirrored, const char *policy,
                             struct rs__sim_host **out);
void rs__model_sim_host_end(rs_sim *sim, struct rs__sim_host *h);
void rs__model_sim_host_clear(rs_model *m);

#endif
