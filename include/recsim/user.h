/*
 * recsim/user.h - the user model, rs_user_model (src/user).
 *
 * Part of the public interface of librecsim: include recsim.h, which
 * includes every module header; this one also compiles alone.  It
 * includes the lower layers it names: base, text, graph, learn, items.
 * Generated from a one-file recsim.h by build-aux/split-header.py; edit
 * it directly from now on (CONTRIBUTING.md).
 */
#ifndef RECSIM_USER_H
#define RECSIM_USER_H

#include "base.h"
#include "text.h"
#include "graph.h"
#include "learn.h"
#include "items.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * user: the user model, rs_user_model (src/user)
 * ==================================================================== */

/*
 * A user model holds many users, each with an interest vector in the
 * embedding space of one item store: the decayed, weighted sum of the unit
 * vectors of the items the user interacted with.  Each event has a weight
 * (by event name: "bought" 1.0, "carted" 0.5, "viewed" 0.2 by default, any
 * other name 1.0) times the caller's weight, which may be negative (a skip,
 * a dislike) and then moves the interest away from the item.  With a
 * half-life h > 0, an event t seconds older than the user's latest counts
 * 2^(-t/h) as much.  The model also keeps each user's history (item
 * indices of the store, weights, times) for the scorer, a text interest from
 * the user's own texts (rs_user_model_observe_text, blended in by
 * RS_USER_TEXT_WEIGHT) and, with an ALS model attached, collaborative
 * fold-in factors (rs_user_model_set_collaborative).  A model is saved to
 * and loaded from the model file with rs_user_model_save / _load.
 *
 * Lifetime: the store must outlive the model, and must not be compacted
 * while the model lives (histories hold store indices).
 * Thread safety: one writer at a time; the read-only calls (interest,
 * history, count, get_*) may run concurrently while nothing writes.
 */
typedef struct rs_user_model rs_user_model;

/* Options of rs_user_model_set_double(). */
typedef enum rs_user_option {
    /* half-life of the time decay in seconds, >= 0 (0: no decay); default 0 */
    RS_USER_HALF_LIFE = 0,
    /* the share b of the text interest in the interest vector, 0 .. 1;
     * default 0.3.  A user with both an item history (h) and texts (t, see
     * rs_user_model_observe_text) has the interest
     * unit((1 - b) unit(h) + b unit(t)); with only one of them, that one
     * (b = 0: texts are ignored).  Applies at once, to every user. */
    RS_USER_TEXT_WEIGHT = 10
} rs_user_option;

/**
 * rs_user_model_create - an empty user model over an item store.
 *
 * @store  the item store whose vectors and keys the model uses; borrowed,
 *         it must outlive the model.
 * @out    receives the model (rs_user_model_free); NULL on failure.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument), RS_ERR_NOMEM.
 */
RS_API int rs_user_model_create(const rs_item_store *store, rs_user_model **out);

/** rs_user_model_free - release a model; NULL is a no-op. */
RS_API void rs_user_model_free(rs_user_model *model);

/** rs_user_model_count - the number of users observed (0 for NULL). */
RS_API size_t rs_user_model_count(const rs_user_model *model);

/**
 * rs_user_model_set_double / rs_user_model_get_double - a real option.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, unknown option),
 * RS_ERR_RANGE (a value outside the option's range, NaN, Inf).  Affects
 * later observations only.
 */
RS_API int rs_user_model_set_double(rs_user_model *model, int option, double value);
RS_API int rs_user_model_get_double(const rs_user_model *model, int option, double *value_out);

/**
 * rs_user_model_set_event_weight / rs_user_model_get_event_weight - the
 * weight of an event name, 0 .. 1e6 (an unset name weighs 1).
 *
 * Affects later observations only.  Returns RS_OK, RS_ERR_INVALID (NULL
 * model, NULL or empty name), RS_ERR_RANGE (weight outside [0, 1e6], NaN),
 * RS_ERR_ENCODING, RS_ERR_NOMEM.
 */
RS_API int rs_user_model_set_event_weight(rs_user_model *model, const char *event,
                                          double weight);
RS_API int rs_user_model_get_event_weight(const rs_user_model *model, const char *event,
                                          double *weight_out);

/**
 * rs_user_model_observe - add one event to a user's interest, in O(dim).
 *
 * @user       the user's key; a new key creates the user.
 * @item       an item key of the store.
 * @event      the event name ("bought", "viewed" ...), or NULL (weight 1).
 * @weight     finite, |weight| <= 1e9; negative moves the interest away
 *             from the item (negative feedback); it is multiplied by the
 *             event's weight.
 * @timestamp  seconds (any epoch); events may arrive out of order.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL/empty key), RS_ERR_NOTFOUND (the
 * item is not in the store), RS_ERR_RANGE (weight), RS_ERR_ENCODING,
 * RS_ERR_NOMEM.  On failure the model is unchanged.
 */
RS_API int rs_user_model_observe(rs_user_model *model, const char *user, const char *item,
                                 const char *event, double weight, int64_t timestamp);

/**
 * rs_user_model_interest - a user's interest vector, scaled to unit length
 * (all zeros when the events cancel out), into a caller array of @dim
 * floats.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_DIM (dim is not the store's),
 * RS_ERR_NOTFOUND (unknown user).
 */
RS_API int rs_user_model_interest(const rs_user_model *model, const char *user,
                                  float *vector_out, size_t dim);

/**
 * rs_user_model_history - a user's events, oldest first: store item
 * indices and weights (caller weight x event weight x time decay).
 *
 * @weights_out  may be NULL.
 * @n_out        the number of events.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (unknown user),
 * RS_ERR_BUFFER (more events than capacity: the first capacity are
 * written, *n_out holds the number needed).
 */
RS_API int rs_user_model_history(const rs_user_model *model, const char *user,
                                 uint32_t *items_out, float *weights_out, size_t capacity,
                                 size_t *n_out);

/**
 * rs_user_model_observe_text - add one of the user's own texts (a search
 * query, a review) to the user's text interest, in O(dim) plus the
 * embedding.
 *
 * @user       the user's key; a new key creates the user (with no item
 *             history).
 * @text       NUL-terminated UTF-8, embedded with @embedder; a text whose
 *             vector is zero (empty, only stop words) changes nothing and
 *             returns RS_OK.
 * @weight     finite, |weight| <= 1e9; the text's unit vector times weight
 *             is added (negative: "not this"), decayed like item events
 *             (RS_USER_HALF_LIFE, the same reference time).
 * @timestamp  seconds, as rs_user_model_observe.
 * @embedder   borrowed for the call; its vectors must live in the item
 *             store's space (the embedder that embedded the items' texts),
 *             and rs_embedder_dim() must equal the store's dimension.
 *
 * The text interest is blended into rs_user_model_interest() and the
 * scorer's content signal by RS_USER_TEXT_WEIGHT; rs_user_model_history()
 * lists item events only.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, bad key), RS_ERR_RANGE
 * (weight), RS_ERR_DIM (embedder dimension), RS_ERR_ENCODING (user key or
 * text), RS_ERR_CALLBACK (a host embedder failed), RS_ERR_NOMEM.  On
 * failure the model is unchanged.  Not thread-safe with other calls on the
 * model; the embedder is only read.
 */
RS_API int rs_user_model_observe_text(rs_user_model *model, const char *user, const char *text,
                                      double weight, int64_t timestamp,
                                      const rs_embedder *embedder);

/**
 * rs_user_model_set_collaborative - attach a fitted ALS model, so that
 * every rs_user_model_observe() also folds the user's history into
 * collaborative factors (rs_cf_model_fold_in), or NULL to detach.
 *
 * @cf         a fitted RS_CF_ALS model, borrowed: it must outlive the user
 *             model (or the next call); NULL detaches and drops every
 *             user's factors.
 * @item_keys  n_items keys: key i names the model's item i; keys not in
 *             the store are ignored (their events are not folded in).
 * @n_items    must equal rs_cf_model_items(cf).
 *
 * Attaching folds in every known user at once.  The fold-in uses the
 * user's events with a positive weight (caller weight x event weight x
 * decay) as confidences.  Cost: each later observe of a user with n events
 * costs O(n) plus the fold-in's RS_CF_FOLDIN_STEPS conjugate-gradient
 * steps of O(f^2 + n f) each (f = rs_cf_model_dim; by default up to f
 * steps), on top of the O(dim) interest update: measured about 8 x 10^4
 * observes per second for f = 64 and histories of up to 20 events, against
 * 3 x 10^5 without a model (bench_score, 2-core VM).  While no model
 * is attached, an observe drops that user's factors.  Factors are not
 * saved by rs_user_model_save(); attach the model again after a load.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL model; NULL item_keys with n_items
 * > 0), RS_ERR_STATE (not a fitted ALS model), RS_ERR_DIM (n_items),
 * RS_ERR_NOMEM.  On failure the model is unchanged.
 */
RS_API int rs_user_model_set_collaborative(rs_user_model *model, const rs_cf_model *cf,
                                           const char *const *item_keys, size_t n_items);

/**
 * rs_user_model_collaborative_factors - a user's fold-in factors (zeros for
 * a user without positive events in the collaborative model), e.g. as a
 * query of rs_item_store_search() over rs_cf_model_item_store().
 *
 * @dim  must equal rs_cf_model_dim() of the attached model.
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_STATE (no model attached),
 * RS_ERR_DIM, RS_ERR_NOTFOUND (unknown user).  Read-only.
 */
RS_API int rs_user_model_collaborative_factors(const rs_user_model *model, const char *user,
                                               float *factors_out, size_t dim);

/**
 * rs_user_model_save - write a user model into a graph's model file.
 *
 * @model  the model; only read.
 * @graph  an open, writable graph (the model file).
 * @name   the saved model's name (a key, e.g. "users"); a model saved
 *         before under the name is replaced.
 *
 * Saved: the options, the event weights, and per user (one row of the
 * file's user_vectors table) the interest and text vectors, the reference
 * time and the history, with items named by key (so a store loaded with
 * rs_item_store_load, whose indices may differ, fits), each row and the
 * model's header as a blob with an XXH3 checksum.  Events of items since
 * removed from the store are not saved (their share of the interest is).
 * Collaborative factors are not saved.  One SAVEPOINT: on failure the file
 * keeps what it had.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, bad name), RS_ERR_READONLY,
 * RS_ERR_IO, RS_ERR_BUSY, RS_ERR_NOMEM.  Not concurrently with other calls
 * on the same graph.
 */
RS_API int rs_user_model_save(const rs_user_model *model, rs_graph *graph, const char *name);

/**
 * rs_user_model_load - a user model saved by rs_user_model_save(), over an
 * item store.
 *
 * @graph  the model file (read-only is fine).
 * @name   the saved model's name.
 * @store  the item store the new model uses (borrowed, as in
 *         rs_user_model_create); history items are looked up by key.
 * @out    receives the model (rs_user_model_free); NULL on failure.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, bad name), RS_ERR_NOTFOUND
 * (no model of that name; a history item not in the store, named),
 * RS_ERR_DIM (the saved dimension is not the store's), RS_ERR_CORRUPT (a
 * header or user row whose length, checksum, key or values are damaged; the
 * message names the user), RS_ERR_VERSION (saved by a newer library),
 * RS_ERR_IO, RS_ERR_NOMEM.
 */
RS_API int rs_user_model_load(rs_graph *graph, const char *name, const rs_item_store *store,
                              rs_user_model **out);

#ifdef __cplusplus
}
#endif

#endif /* RECSIM_USER_H */
