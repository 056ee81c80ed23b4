/*
 * recsim/score.h - the scorer, rs_scorer (src/score).
 *
 * Part of the public interface of librecsim: include recsim.h, which
 * includes every module header; this one also compiles alone.  It
 * includes the lower layers it names: base, graph, learn, items, user.
 * Generated from a one-file recsim.h by build-aux/split-header.py; edit
 * it directly from now on (CONTRIBUTING.md).
 */
#ifndef RECSIM_SCORE_H
#define RECSIM_SCORE_H

#include "base.h"
#include "graph.h"
#include "learn.h"
#include "items.h"
#include "user.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * score: the scorer, rs_scorer (src/score)
 * ==================================================================== */

/*
 * A scorer ranks the items of an item store for the users of a user model
 * and of a knowledge graph ("simulated reasoning"):
 *
 *   content  c_ui = cos(profile, item) over sparse TF-IDF word vectors of
 *            the items' names, the profile being the history-weighted sum
 *            of the history's vectors (RS_SCORER_CONTENT_PROFILE, the
 *            default), or cos(user interest, item vector) of the item
 *            store (RS_SCORER_CONTENT_VECTORS), in [-1, 1];
 *   graph    R_ui = the aggregated weight of the walks user -> ... -> item
 *            of 1 .. RS_SCORER_HOPS edges (both directions), each step
 *            weighted by edge weight x relation weight divided by the total
 *            of its node's edges (a random-walk step), each hop beyond the
 *            first multiplied by RS_SCORER_DECAY; computed for all items at
 *            once by sparse propagation from the user's node, divided by
 *            the item's popularity^RS_SCORER_POP_PENALTY (users with an
 *            interest vector only), then by the
 *            largest item value: R_ui in [0, 1]; or, with
 *            RS_SCORER_GRAPH_OPERATOR, the three-hop paths user -> item <-
 *            user -> item summed through a sparse item-item operator built
 *            once (RP3beta), for the users with a history;
 *   collab   the collaborative model's score (rs_scorer_set_collaborative)
 *            divided by its largest absolute value, in [-1, 1];
 *   popular  the number of the user model's users who bought the item,
 *            each weighted by the age of their latest event of it
 *            (RS_SCORER_POP_HALF_LIFE; with 0 the item's in-degree from
 *            user nodes of the graph), over the largest, in [0, 1].
 *
 * RS_SCORER_PRODUCT (the seed's formula) ranks by
 *   ((1 + c_ui) / 2) x (floor + (1 - floor) R_ui);
 * RS_SCORER_BLEND by w_content c + w_collab collab + w_graph R + w_pop pop.
 * A user without an interest vector (cold start) is ranked, in both modes,
 * by w_collab collab + R_ui + w_cold_pop pop + w_first_basket first +
 * w_segment seg, where R_ui comes from the user's node (profile attributes,
 * social links, graph neighbours) when the graph has one, first is the
 * popularity among new users' first-day purchases and seg the popularity
 * among the users sharing a profile node (RS_SCORER_W_SEGMENT); a user
 * unknown to both is ranked by popularity.
 *
 * Time: event times are the user model's.  The history fed to the
 * collaborative model can decay (RS_SCORER_HISTORY_HALF_LIFE) and merge
 * repeated events of an item (RS_SCORER_HISTORY_MERGE); popularity can be
 * recency-weighted (RS_SCORER_POP_HALF_LIFE).  "now" is the latest event time
 * of the user model when the scorer is created (or RS_SCORER_POP_HALF_LIFE
 * set); both popularity arrays are snapshots taken then.  Without event
 * times (all 0) no decay applies.  The defaults were chosen on the
 * validation split of the public retail protocol (bench/retail_score.c,
 * `make eval-score`).
 *
 * A user is looked up by key in the user model (interest, history) and as a
 * node of type "user" in the graph; an item of the store is the graph node
 * of type "item" with the same key.  The user's history (model events, or
 * else the user's graph edges to items) is never recommended.
 *
 * Lifetime: the graph, the store, the user model and the collaborative
 * model are borrowed and must outlive the scorer.  A write to the graph or
 * the store after rs_scorer_create() makes every later call fail with
 * RS_ERR_STATE (create a new scorer); observing new events in the user
 * model is allowed between calls.
 * A blend ranking (recommend, recommend_batch, recommend_filtered) does not
 * compute a signal whose weight is 0 for a user with a history.
 * Thread safety: recommend, recommend_batch, score, explain and
 * similar_items only read, so any number of threads may call them at once
 * while nothing writes to the scorer or its parents.
 */
typedef struct rs_scorer rs_scorer;

/* Combine modes (RS_SCORER_MODE). */
typedef enum rs_scorer_mode {
    RS_SCORER_PRODUCT = 0, /* ((1 + cos) / 2) x (floor + (1 - floor) R_ui) */
    RS_SCORER_BLEND = 1    /* weighted sum of content, collab, graph, popularity */
} rs_scorer_mode;

/* Options of rs_scorer_set_int / rs_scorer_set_double. */
typedef enum rs_scorer_option {
    RS_SCORER_MODE = 0,       /* int: rs_scorer_mode; default RS_SCORER_BLEND */
    RS_SCORER_HOPS = 1,       /* int: walk length 1 .. 6; default 3 */
    RS_SCORER_COLD_START = 2, /* int: 1 (default) an unknown user is cold-started;
                                 0 it is RS_ERR_NOTFOUND */
    RS_SCORER_DECAY = 100,    /* double: per-hop decay, 0 .. 1; default 0.5 */
    RS_SCORER_FLOOR = 101,    /* double: R_ui floor of the product, 0 .. 1; default 0.1 */
    RS_SCORER_W_CONTENT = 102, /* double: blend weights, 0 .. 1000;      default 0.3 */
    RS_SCORER_W_COLLAB = 103,  /*                                         default 1 */
    RS_SCORER_W_GRAPH = 104,   /*                                         default 0.1 */
    RS_SCORER_W_POPULARITY = 105, /*                                      default 0.3 */
    RS_SCORER_POP_PENALTY = 106,  /* double: R_ui of an item is divided by its
                                     popularity^p before scaling (p = 0 keeps
                                     the plain walk), 0 .. 2; default 0.3 */
    RS_SCORER_W_COLD_POPULARITY = 107, /* double: the popularity weight of the
                                     cold-start ranking, 0 .. 1000; default 0.3 */
    RS_SCORER_COLLAB_BINARY = 14, /* int: 1 the collaborative model scores the
                                     user's history items with weight 1 each,
                                     as models fitted on a binary matrix (the
                                     model layer's) expect; 0 (default) with
                                     their (merged, decayed) event weights */
    RS_SCORER_HISTORY_MERGE = 10, /* int: 1 an item the user has several events
                                     of enters the collaborative model once,
                                     with its largest (decayed) weight; 0 each
                                     event adds its weight; default 1 */
    RS_SCORER_HISTORY_HALF_LIFE = 110, /* double: seconds; the history weights
                                     fed to the collaborative model (and
                                     seeding the walk of a user without a
                                     graph node) decay by 2^(-(now - t) / h), now =
                                     the user model's latest event time (0
                                     keeps them), 0 .. 1e10; default 60 days
                                     (5184000) */
    RS_SCORER_POP_HALF_LIFE = 111, /* double: seconds; popularity becomes the
                                     number of the user model's users who
                                     bought the item, each weighted by
                                     2^(-(now - t) / h) for their latest event
                                     of it (0, or a user model whose events
                                     are all at one instant: the item's
                                     in-degree from graph users), 0 .. 1e10;
                                     default 7 days (604800) */
    RS_SCORER_W_FIRST_BASKET = 112, /* double: cold-start weight of the "first
                                     basket" popularity (the items users bought
                                     within a day of their first event, each
                                     user weighted as for RS_SCORER_POP_HALF_LIFE),
                                     0 .. 1000; default 0 */
    RS_SCORER_W_SEGMENT = 113,     /* double: cold-start weight of the segment
                                     popularity, from every profile node of
                                     the user (its non-item, non-user graph
                                     neighbours: country, age band, ...): per
                                     node p, a_p = (c_p + m g) / (n_p + m)
                                     with n_p the buying users sharing p, c_p
                                     those who bought the item and g the
                                     global share of buyers; A = the
                                     mean of the a_p; with several nodes,
                                     (c_P + m2 A) / (n_P + m2) over the users
                                     sharing all of them
                                     (RS_SCORER_COMBO_SHRINK); scaled to
                                     [0, 1], 0 .. 1000; default 10 */
    RS_SCORER_SEGMENT_SHRINK = 114, /* double: m above, the pseudo-users
                                     pulling a node's popularity toward the
                                     global one, 0 .. 1e6; default 5 */
    RS_SCORER_GRAPH_OPERATOR = 11, /* int: 1 the graph signal R_ui of a user
                                     with a history is the history times a
                                     sparse item-item operator built once from
                                     the graph's user -> item edges (RP3beta:
                                     W_ij = sum_u (a_ui / d_i)(a_uj / d_u)
                                     d_j^-beta, a = edge weight x relation
                                     weight, d the weighted degrees, top-N
                                     entries per row), without the
                                     RS_SCORER_POP_PENALTY division; 0 the
                                     walk; default 0.  Cold users keep the
                                     walk.  Setting it (or the two options
                                     below while it is 1) builds the operator */
    RS_SCORER_OPERATOR_TOP_N = 12, /* int: entries kept per operator row,
                                     1 .. 100000; default 50 */
    RS_SCORER_OPERATOR_BETA = 115, /* double: the operator's popularity
                                     exponent beta, 0 .. 2; default 0.4 */
    RS_SCORER_CONTENT_PROFILE = 13, /* int: rs_scorer_content_profile, the
                                     content signal c_ui; default
                                     RS_SCORER_CONTENT_TFIDF (which falls
                                     back to the vectors when fewer than half
                                     of the items have a named word) */
    RS_SCORER_SEGMENT_HALF_LIFE = 117, /* double: seconds; in the segment
                                     popularity each user counts
                                     2^(-(now - t) / h) for its latest
                                     purchase, each buyer of an item for its
                                     latest purchase of it (0: all count 1),
                                     0 .. 1e10; default 0 */
    RS_SCORER_COMBO_SHRINK = 116   /* double: cold start by profile
                                     attributes: pseudo-users pulling the
                                     popularity among the users who share
                                     every profile node of the user toward
                                     the mean of the per-node popularities,
                                     0 .. 1e6; default 20 */
} rs_scorer_option;

/* The content signal (RS_SCORER_CONTENT_PROFILE). */
typedef enum rs_scorer_content_profile {
    RS_SCORER_CONTENT_VECTORS = 0, /* cosine of the user model's interest
                                      and the item store's vectors */
    RS_SCORER_CONTENT_TFIDF = 1    /* cosine of sparse TF-IDF word vectors of
                                      the items' "name" (or "description")
                                      properties, the profile being the
                                      weighted mean of the history's vectors */
} rs_scorer_content_profile;

/* Entries of rs_scorer_score()'s parts_out. */
typedef enum rs_scorer_part {
    RS_SCORER_PART_SCORE = 0,      /* the ranking score */
    RS_SCORER_PART_CONTENT = 1,    /* c_ui */
    RS_SCORER_PART_GRAPH = 2,      /* R_ui */
    RS_SCORER_PART_COLLAB = 3,     /* collab (0 without a model) */
    RS_SCORER_PART_POPULARITY = 4, /* pop (RS_SCORER_POP_HALF_LIFE) */
    RS_SCORER_PART_SEGMENT = 5,    /* a cold user's segment popularity
                                      (RS_SCORER_W_SEGMENT), else 0 */
    RS_SCORER_PART_FIRST_BASKET = 6, /* the item's first-basket popularity */
    RS_SCORER_PARTS = 7            /* the number of parts (5 before the
                                      segment and first-basket parts; a
                                      smaller n_parts stays valid) */
} rs_scorer_part;

/* Where a user's ranking came from (rs_scorer_explain's source_out). */
typedef enum rs_scorer_source {
    RS_SCORER_FROM_HISTORY = 0,   /* the user's own events */
    RS_SCORER_FROM_PROFILE = 1,   /* cold start: the user's graph node (profile
                                     attributes, links, neighbours) */
    RS_SCORER_FROM_POPULARITY = 2 /* cold start: popularity only */
} rs_scorer_source;

/**
 * rs_scorer_create - a scorer over a graph, an item store and a user model.
 *
 * @graph  the knowledge graph (may hold no user or no item nodes).
 * @store  the item store; item keys are matched to graph "item" nodes.
 * @users  a user model created on this very store.
 * @out    receives the scorer (rs_scorer_free); NULL on failure.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument), RS_ERR_STATE (the user
 * model is on another store; a non-empty store none of whose keys is an
 * "item" node of the graph), RS_ERR_NOMEM.
 */
RS_API int rs_scorer_create(const rs_graph *graph, const rs_item_store *store,
                            const rs_user_model *users, rs_scorer **out);

/** rs_scorer_free - release a scorer; NULL is a no-op. */
RS_API void rs_scorer_free(rs_scorer *scorer);

/**
 * rs_scorer_set_int / rs_scorer_set_double / rs_scorer_get_int /
 * rs_scorer_get_double - the options (rs_scorer_option, ranges above).
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, unknown option or an option
 * of the other type), RS_ERR_RANGE (out of range, NaN, Inf; nothing
 * changed).  Not thread-safe with the read calls.
 */
RS_API int rs_scorer_set_int(rs_scorer *scorer, int option, int64_t value);
RS_API int rs_scorer_set_double(rs_scorer *scorer, int option, double value);
RS_API int rs_scorer_get_int(const rs_scorer *scorer, int option, int64_t *value_out);
RS_API int rs_scorer_get_double(const rs_scorer *scorer, int option, double *value_out);

/**
 * rs_scorer_set_collaborative - use a fitted collaborative model for the
 * collab signal (rs_cf_model_score on the user's history), or NULL to stop.
 *
 * @item_keys  n_items keys: key i names the model's item i; keys that are
 *             not in the store are ignored.  NULL with n_items 0: the keys
 *             the model carries (rs_cf_model_set_item_keys; a model an
 *             rs_model built carries them).  Passing keys is the
 *             lower-level form, for a model that carries none.
 * @n_items    must equal rs_cf_model_items(model) (0 with NULL keys).
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_DIM (n_items), RS_ERR_STATE (NULL
 * keys and a model that carries none), RS_ERR_NOMEM.  The model is
 * borrowed and must outlive the scorer (or the next call).
 */
RS_API int rs_scorer_set_collaborative(rs_scorer *scorer, const rs_cf_model *model,
                                       const char *const *item_keys, size_t n_items);

/**
 * rs_scorer_save_operator - store the scorer's graph operator
 * (RS_SCORER_GRAPH_OPERATOR) in the meta table of its graph's model file,
 * as a little-endian blob with an XXH3 checksum, so that a later scorer can
 * load it instead of building it.
 *
 * @scorer  a scorer whose operator is built (RS_SCORER_GRAPH_OPERATOR 1).
 * @graph   the scorer's own graph, writable (the const handle the scorer
 *          was created on, passed again as the one allowed to write).
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL, or another graph), RS_ERR_STATE (no
 * operator; the graph or store changed since create), RS_ERR_READONLY,
 * RS_ERR_IO, RS_ERR_NOMEM, RS_ERR_OVERFLOW.  Writing meta does not make the
 * scorer stale.  Not thread-safe with the read calls.
 */
RS_API int rs_scorer_save_operator(const rs_scorer *scorer, rs_graph *graph);

/**
 * rs_scorer_load_operator - use the operator rs_scorer_save_operator stored
 * in the graph's model file; sets RS_SCORER_GRAPH_OPERATOR to 1 and
 * RS_SCORER_OPERATOR_BETA / RS_SCORER_OPERATOR_TOP_N to the saved values.
 *
 * @scorer  the scorer.
 * @graph   the scorer's own graph (read-only is fine).
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (no operator saved),
 * RS_ERR_CORRUPT (bad length, checksum or entries), RS_ERR_VERSION (a newer
 * format), RS_ERR_STATE (saved for another number of items or user-item
 * pairs: rebuild it), RS_ERR_IO, RS_ERR_NOMEM; on error the scorer is
 * unchanged.  Not thread-safe with the read calls.
 */
RS_API int rs_scorer_load_operator(rs_scorer *scorer, rs_graph *graph);

/**
 * rs_scorer_recommend - the k best unseen items of the store for a user.
 *
 * @user        the user's key (see the cold start above).
 * @k           0 is allowed; beyond the catalogue only the items there are
 *              come back.
 * @items_out   k store indices (rs_item_store_key), best first; ties go to
 *              the lower index.
 * @scores_out  k scores; may be NULL.
 * @n_out       how many were written.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, bad key), RS_ERR_NOTFOUND
 * (unknown user with RS_SCORER_COLD_START 0), RS_ERR_STATE (graph or store
 * changed), RS_ERR_NOMEM.  Thread-safe (read-only).
 */
RS_API int rs_scorer_recommend(const rs_scorer *scorer, const char *user, size_t k,
                               uint32_t *items_out, float *scores_out, size_t *n_out);

/**
 * rs_scorer_recommend_filtered - rs_scorer_recommend with an allow list and
 * a deny list over store indices (bitsets as in rs_item_store_search: bit i
 * of word i / 64 stands for index i; bits beyond a list's words count as
 * clear).
 *
 * @allow  NULL (every item allowed), or allow_words words: only items whose
 *         bit is set are returned (e.g. from rs_item_store_attribute_filter).
 * @deny   NULL, or deny_words words: items whose bit is set are never
 *         returned.
 *
 * Returns as rs_scorer_recommend; RS_ERR_INVALID also for a NULL list with
 * a non-zero length.  Thread-safe (read-only).
 */
RS_API int rs_scorer_recommend_filtered(const rs_scorer *scorer, const char *user, size_t k,
                                        const uint64_t *allow, size_t allow_words,
                                        const uint64_t *deny, size_t deny_words,
                                        uint32_t *items_out, float *scores_out, size_t *n_out);

/**
 * rs_scorer_recommend_batch - rs_scorer_recommend for n users: row u of
 * the n x k arrays items_out / scores_out (scores may be NULL) holds user
 * u's list, counts_out[u] its length; empty slots are RS_ITEM_NONE.
 *
 * The users are spread over rs_get_num_threads() threads of the library
 * (each user's list is computed alone, so the result is bitwise the same
 * as n calls of rs_scorer_recommend on the calling thread).  When
 * users fail, the status and rs_errmsg() are those of the first failing
 * user in input order (the message gives its position); the other rows may
 * have been written.  Returns as rs_scorer_recommend.  Thread-safe
 * (read-only), like rs_scorer_recommend.
 */
RS_API int rs_scorer_recommend_batch(const rs_scorer *scorer, const char *const *users,
                                     size_t n, size_t k, uint32_t *items_out,
                                     float *scores_out, size_t *counts_out);

/**
 * rs_scorer_score - one (user, item) pair's score and its components.
 *
 * @item       an item key of the store.
 * @parts_out  n_parts doubles (rs_scorer_part; n_parts <= RS_SCORER_PARTS).
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (unknown item; unknown
 * user without cold start), RS_ERR_STATE, RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_scorer_score(const rs_scorer *scorer, const char *user, const char *item,
                           double *parts_out, size_t n_parts);

/**
 * rs_scorer_explain - why an item is recommended to a user: the heaviest
 * graph path user -> ... -> item (rs_graph_best_paths, up to RS_SCORER_HOPS
 * edges, both directions; from the user's node, else from the user's
 * history items) and one readable sentence.
 *
 * @nodes_out      capacity graph node indices of the path (user first);
 *                 may be NULL when capacity is 0.
 * @relations_out  capacity relation indices (RS_GRAPH_REVERSED set for an
 *                 edge followed backwards); entry i joins nodes i and i+1;
 *                 may be NULL.
 * @capacity       RS_SCORER_HOPS + 1 entries always suffice.
 * @length_out     the number of edges of the path (0: no path).
 * @weight_out     the path's weight; may be NULL.
 * @source_out     rs_scorer_source; may be NULL.
 * @text           a buffer of text_capacity bytes for the sentence
 *                 (NUL-terminated, truncated to fit); may be NULL when
 *                 text_capacity is 0.
 *
 * Item names are the item node's "name" (else "description") property as
 * read by rs_scorer_create, other nodes are named by their type and key.
 * For a user without a graph node the path starts with RS_ITEM_NONE in
 * place of the user, then the history item it goes through.
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_NOTFOUND (unknown item; unknown
 * user without cold start), RS_ERR_BUFFER (capacity below the path's node
 * count), RS_ERR_STATE, RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_scorer_explain(const rs_scorer *scorer, const char *user, const char *item,
                             uint32_t *nodes_out, uint32_t *relations_out, size_t capacity,
                             size_t *length_out, double *weight_out, int *source_out,
                             char *text, size_t text_capacity);

/**
 * rs_scorer_interests - a user's interests summarised as graph entities:
 * the k nodes that are neither users nor items (brand, category, material,
 * country ...) with the largest walk mass within RS_SCORER_HOPS hops of the
 * user (the same propagation as R_ui), as shares of the total, largest
 * first (ties: lower node index).  Name them with rs_graph_node_key, e.g.
 * "material=METAL 0.41, colour=WHITE 0.33".
 *
 * @nodes_out    k graph node indices.
 * @weights_out  k shares in (0, 1]; may be NULL.
 * @n_out        how many were written (0 for a user the graph does not
 *               reach).
 *
 * Returns as rs_scorer_recommend.  Thread-safe (read-only).
 */
RS_API int rs_scorer_interests(const rs_scorer *scorer, const char *user, size_t k,
                               uint32_t *nodes_out, float *weights_out, size_t *n_out);

/**
 * rs_scorer_similar_items - the k items most like an item: ranked as for a
 * user whose interest is the item's vector and whose graph walk starts at
 * the item's node; the item itself is excluded.
 *
 * Returns as rs_scorer_recommend, with RS_ERR_NOTFOUND for an unknown item.
 */
RS_API int rs_scorer_similar_items(const rs_scorer *scorer, const char *item, size_t k,
                                   uint32_t *items_out, float *scores_out, size_t *n_out);

/*
 * Re-ranking options (rs_scorer_set_int / rs_scorer_set_double), all off by
 * default, so that a scorer ranks by score alone.  When one is on, the
 * ranking of recommend, recommend_filtered, recommend_batch and
 * similar_items becomes:
 *
 *  1. candidates: the unseen, allowed items whose score is at least
 *     RS_SCORER_MIN_SCORE, of which the RS_SCORER_RERANK_POOL x k best are
 *     kept (just the k best when only the threshold is on);
 *  2. greedy selection of up to k of them: each step takes the candidate
 *     with the largest MMR value
 *         lambda rel(i) - (1 - lambda) max_{j chosen} cos(x_i, x_j),
 *     rel(i) being the score scaled to [0, 1] over the candidates and x
 *     the item vectors of the store (the first step takes the best score;
 *     lambda = 1 ranks by score), skipping candidates that have a group
 *     which already holds RS_SCORER_MAX_PER_GROUP chosen items.
 *
 * An item's groups are the nodes at the other end of its edges (either
 * direction) of the relation RS_SCORER_GROUP_RELATION (e.g. the index of
 * "has_brand" from rs_graph_find_relation: one group per brand), and the
 * item store attributes RS_SCORER_GROUP_ATTRIBUTE_FIRST ..
 * + RS_SCORER_GROUP_ATTRIBUTES - 1 the item has (e.g. one attribute per
 * category); an item without a group is never capped; at most 256 groups
 * per item count.  Fewer than k items come back when the threshold or the
 * caps leave fewer candidates in the pool.  Scores returned are the items'
 * scores, in selection order.  Cost: O(pool x k x dim) for MMR and
 * O(pool x k x groups) for the caps, besides the scan.
 */
typedef enum rs_scorer_rerank_option {
    RS_SCORER_RERANK_POOL = 20,   /* int: candidates per wanted item, 1 .. 100;
                                     default 5 */
    RS_SCORER_MAX_PER_GROUP = 21, /* int: at most m items per group, 0 (default:
                                     no cap) .. 1000000 */
    RS_SCORER_GROUP_RELATION = 22, /* int: the graph relation index whose
                                     targets are groups, or -1 (default, none) */
    RS_SCORER_GROUP_ATTRIBUTE_FIRST = 23, /* int: first group attribute,
                                     0 .. RS_ITEM_MAX_ATTRIBUTES - 1; default 0 */
    RS_SCORER_GROUP_ATTRIBUTES = 24, /* int: number of group attributes, 0
                                     (default) .. RS_ITEM_MAX_ATTRIBUTES - first */
    RS_SCORER_MMR_LAMBDA = 130,   /* double: MMR trade-off, 0 .. 1; default 1
                                     (relevance only, no diversity) */
    RS_SCORER_MIN_SCORE = 131     /* double: scores below are dropped; finite
                                     within +-1e30, or -INFINITY (the default,
                                     no threshold: the one option accepting an
                                     infinity) */
} rs_scorer_rerank_option;

#ifdef __cplusplus
}
#endif

#endif /* RECSIM_SCORE_H */
