/*
 * recsim/learn.h - collaborative models (src/learn).
 *
 * Part of the public interface of librecsim: include recsim.h, which
 * includes every module header; this one also compiles alone.  It
 * includes the lower layers it names: base, text, graph.
 * Generated from a one-file recsim.h by build-aux/split-header.py; edit
 * it directly from now on (CONTRIBUTING.md).
 */
#ifndef RECSIM_LEARN_H
#define RECSIM_LEARN_H

#include "base.h"
#include "text.h"
#include "graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * learn: collaborative models (src/learn)
 * ==================================================================== */

/*
 * Collaborative models learned from an interaction matrix (users x items):
 *
 *  - RS_CF_ALS: implicit-feedback matrix factorisation (Hu, Koren and
 *    Volinsky 2008).  Confidence c_ui = 1 + alpha * w_ui for an observed pair
 *    (preference 1), 1 for every other pair (preference 0); the loss
 *    sum c_ui (p_ui - x_u . y_i)^2 + lambda (sum |x_u|^2 + sum |y_i|^2) is
 *    minimised by alternating least squares, each row solved by a few
 *    warm-started conjugate-gradient steps, users first.
 *  - RS_CF_ITEMKNN: item-item cosine similarity between item columns,
 *    S_ij = x_i . x_j / (|x_i| |x_j| + shrink), diagonal 0, each target item
 *    keeping its RS_CF_NEIGHBORS most similar items; score_j = sum over the
 *    user's items i of w_i S_ij.
 *  - RS_CF_EASE: EASE^R (Steck 2019), B = I - P diag(1 / diag P) with
 *    P = (X^T X + lambda I)^-1 and diag(B) = 0; score = x B.  Its item x item
 *    matrix is dense: catalogues above RS_CF_MAX_ITEMS are refused.
 *  - RS_CF_RP3BETA: a two-step random walk item -> user -> item with a
 *    popularity penalty, in the manner of RP3beta (Paudel et al. 2017):
 *    W_ij = d_j^-beta sum_u (x_ui / d_i)^alpha (x_uj / d_u)^alpha for i != j,
 *    with d_u = sum_i x_ui and d_i = sum_u x_ui (weighted degrees), alpha =
 *    RS_CF_ALPHA and beta = RS_CF_BETA; each source item i keeps its
 *    RS_CF_NEIGHBORS largest W_ij.  score_j = sum over the user's items i of
 *    w_i W_ij.  Sparse, any catalogue size.
 *  - RS_CF_EDLAE: the emphasised denoising linear autoencoder of Steck
 *    (2020, "Autoencoders that don't overfit towards the identity"), full
 *    rank and full emphasis: EASE with the dropout-dependent penalty
 *    Lambda = lambda I + p / (1 - p) diag(X^T X), p = RS_CF_DROPOUT:
 *    B = I - P diag(1 / diag P), P = (X^T X + Lambda)^-1, diag(B) = 0.
 *    Dense like EASE (RS_CF_MAX_ITEMS); p = 0 gives EASE.
 *  - RS_CF_GFCF: graph filtering (GF-CF, Shen et al. 2021) over the
 *    normalised matrix R = D_u^-1/2 X D_i^-1/2: W = R^T R + w D_i^-1/2 V V^T
 *    D_i^1/2, a linear low-pass filter plus the ideal low-pass filter of the
 *    RS_CF_EIGENVECTORS leading eigenvectors V of R^T R (LAPACK ssyevr),
 *    w = RS_CF_IDEAL_WEIGHT; score = x W.  Dense like EASE
 *    (RS_CF_MAX_ITEMS); its diagonal is kept.
 *  - RS_CF_EASE_PAIRS: EASE with pairwise interactions (Steck and Liang
 *    2021): score = x B + z C, z the 0/1 indicator of the RS_CF_PAIRS item
 *    pairs (a, b) seen together by the most users (at least 2) that are
 *    both in the history.  ||X - X B - Z C||^2 + lambda (||B||^2 + ||C||^2)
 *    with diag(B) = 0 and C zero on a pair's own items, lambda =
 *    RS_CF_LAMBDA, minimised from EASE by RS_CF_ITERATIONS alternating
 *    closed-form updates of C and B (default 3; 0 gives EASE).  Dense like
 *    EASE (RS_CF_MAX_ITEMS).
 *
 * The data is an rs_cf_matrix, built from plain (user, item, weight) arrays
 * or from a graph's interaction edges.  Users and items are dense indices
 * 0 .. n - 1 of that matrix.
 *
 * Thread safety: a model or matrix is used by one thread at a time, except
 * that the read-only calls (rs_cf_model_score, rs_cf_model_fold_in,
 * rs_cf_model_user_factors, rs_cf_model_item_factors and the size queries)
 * may run concurrently while nothing writes to the model.
 * rs_cf_model_fit() uses up to rs_get_num_threads() threads of its own and
 * OpenBLAS's threads.
 */
typedef struct rs_cf_matrix rs_cf_matrix;
typedef struct rs_cf_model rs_cf_model;

/* The kind of model (rs_cf_model_create). */
typedef enum rs_cf_kind {
    RS_CF_ALS = 0,     /* implicit ALS with a conjugate-gradient solver */
    RS_CF_ITEMKNN = 1, /* item-item cosine with shrinkage, top-N neighbours */
    RS_CF_EASE = 2,    /* EASE^R closed form */
    RS_CF_RP3BETA = 3, /* item -> user -> item walk, popularity penalty,
                          top-N per item */
    RS_CF_EDLAE = 4,   /* emphasised denoising linear autoencoder, closed
                          form */
    RS_CF_GFCF = 5,    /* linear + ideal low-pass graph filter */
    RS_CF_EASE_PAIRS = 6 /* EASE plus pairwise interactions (since 1.1) */
} rs_cf_kind;

/* How many rs_cf_kind values this library knows (3 in 1.0, 7 in 1.1). */
#define RS_CF_KIND_COUNT 7

/* The axis of an rs_cf_matrix. */
#define RS_CF_USERS 0u
#define RS_CF_ITEMS 1u

/*
 * Options (rs_cf_model_set_int / rs_cf_model_set_double).  Each applies to the
 * next rs_cf_model_fit(); changing one after a fit does not change the fitted
 * model, except RS_CF_FOLDIN_STEPS which applies at once.
 */
typedef enum rs_cf_option {
    /* int options */
    RS_CF_FACTORS = 0,       /* ALS factors f, 1 .. 1024; default 64 */
    RS_CF_ITERATIONS = 1,    /* ALS and EASE pairs iterations, 0 .. 10000;
                                default 15 (EASE pairs: 3) */
    RS_CF_CG_STEPS = 2,      /* ALS CG steps per row and iteration, 1 .. 1024;
                                default 3 */
    RS_CF_SEED = 3,          /* initialisation seed, 0 .. INT_MAX; default 42 */
    RS_CF_REPORT_LOSS = 4,   /* 1: compute the loss after each ALS iteration
                                (rs_cf_model_loss), 0: do not; default 0 */
    RS_CF_NEIGHBORS = 5,     /* item-kNN neighbours kept per item, 0 (all)
                                .. INT_MAX; default 100 */
    RS_CF_MAX_ITEMS = 6,     /* EASE: largest catalogue accepted, 1 .. 1000000;
                                default 20000 (a 1.6 GB Gram matrix) */
    RS_CF_FOLDIN_STEPS = 7,  /* CG steps of rs_cf_model_fold_in, 0 .. 1024;
                                0 (default): until converged, at most f */
    RS_CF_EIGENVECTORS = 8,  /* GF-CF: leading eigenvectors of the ideal
                                filter, 0 (no ideal term) .. 65536, and at
                                most the number of items at the fit;
                                default 256 */
    RS_CF_PAIRS = 9,         /* EASE pairs: item pairs modelled, 0 ..
                                100000; default 1000 (since 1.1) */
    /* double options */
    RS_CF_ALPHA = 100,       /* ALS confidence slope alpha, >= 0; RP3beta:
                                exponent on the transition probabilities,
                                >= 0; default 1 for both */
    RS_CF_LAMBDA = 101,      /* ALS, EASE, EDLAE and EASE pairs
                                regularisation, >= 0 (EASE kinds: > 0);
                                default 30 for ALS, 500 for the EASE
                                kinds, unused by the
                                other kinds */
    RS_CF_SHRINK = 102,      /* item-kNN cosine shrinkage, >= 0; default 0 */
    RS_CF_INIT_SCALE = 103,  /* ALS initial factors N(0, s^2), s >= 0;
                                default 0.01 */
    RS_CF_BETA = 104,        /* RP3beta popularity exponent, >= 0; default
                                0.5 */
    RS_CF_DROPOUT = 105,     /* EDLAE dropout probability p, 0 <= p < 1;
                                default 0.25 */
    RS_CF_IDEAL_WEIGHT = 106 /* GF-CF weight of the ideal low-pass term,
                                >= 0; default 0.3 */
} rs_cf_option;

/**
 * rs_cf_matrix_create - an interaction matrix from plain arrays.
 *
 * @n_users   number of users (rows), >= 1.
 * @n_items   number of items (columns), >= 1.
 * @users     n user indices, each < n_users.
 * @items     n item indices, each < n_items.
 * @weights   n weights, finite and > 0; NULL means 1 for every pair.
 *            Repeated (user, item) pairs are summed.
 * @n         number of entries, >= 1.
 * @out       receives the matrix, owned by the caller (rs_cf_matrix_free);
 *            NULL on failure.
 *
 * Returns RS_OK, or RS_ERR_INVALID (a NULL argument; n, n_users or n_items
 * is 0), RS_ERR_RANGE (an index out of range, a NaN, infinite, zero or
 * negative weight; the message gives the entry), RS_ERR_LIMIT (a dimension
 * or n above UINT32_MAX - 1), RS_ERR_NOMEM.  Thread-safe.
 */
RS_API int rs_cf_matrix_create(size_t n_users, size_t n_items, const uint32_t *users,
                               const uint32_t *items, const float *weights, size_t n,
                               rs_cf_matrix **out);

/**
 * rs_cf_matrix_from_graph - an interaction matrix from a graph's edges.
 *
 * @graph             the graph; only read.
 * @user_type         the node type of users (e.g. "user"); every live node
 *                    of that type is a row, in node index order.
 * @item_type         the node type of items (e.g. "item"); columns likewise.
 * @relations         the relations that count as interactions (edges from a
 *                    user node to an item node).
 * @relation_weights  one factor per relation: an edge adds
 *                    factor * edge weight to its pair; NULL uses each
 *                    relation's graph weight (rs_graph_get_relation_weight).
 *                    Edges whose contribution is not > 0 (a zero factor or
 *                    weight) are skipped; repeated pairs are summed.
 * @n_relations       number of relations, >= 1.
 * @out               receives the matrix (rs_cf_matrix_free); NULL on failure.
 *
 * Returns RS_OK, or RS_ERR_INVALID (a NULL argument, n_relations 0),
 * RS_ERR_NOTFOUND (an unknown type or relation, or no node of a type),
 * RS_ERR_RANGE (a negative or non-finite factor), RS_ERR_STATE (no
 * interaction edge), RS_ERR_NOMEM.  rs_cf_matrix_node() maps rows and columns
 * back to graph nodes.
 */
RS_API int rs_cf_matrix_from_graph(const rs_graph *graph, const char *user_type,
                                   const char *item_type, const uint32_t *relations,
                                   const float *relation_weights, size_t n_relations,
                                   rs_cf_matrix **out);

/**
 * rs_cf_matrix_free - release a matrix.  NULL is a no-op.
 */
RS_API void rs_cf_matrix_free(rs_cf_matrix *matrix);

/**
 * rs_cf_matrix_shape - the number of users, items and stored (distinct)
 * pairs of a matrix; any out pointer may be NULL.  Returns RS_OK or
 * RS_ERR_INVALID (matrix is NULL).
 */
RS_API int rs_cf_matrix_shape(const rs_cf_matrix *matrix, size_t *n_users_out,
                              size_t *n_items_out, size_t *nnz_out);

/**
 * rs_cf_matrix_node - the graph node of a row (axis RS_CF_USERS) or column
 * (RS_CF_ITEMS) of a matrix built by rs_cf_matrix_from_graph().
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, unknown axis), RS_ERR_RANGE
 * (index out of range) or RS_ERR_STATE (the matrix was not built from a
 * graph).
 */
RS_API int rs_cf_matrix_node(const rs_cf_matrix *matrix, unsigned axis, uint32_t index,
                             uint32_t *node_out);

/**
 * rs_cf_model_create - a new, unfitted model of one kind with default options.
 *
 * @kind  an rs_cf_kind.
 * @out   receives the model (rs_cf_model_free); NULL on failure.
 *
 * Returns RS_OK, RS_ERR_INVALID (out NULL, unknown kind) or RS_ERR_NOMEM.
 * Thread-safe.
 */
RS_API int rs_cf_model_create(int kind, rs_cf_model **out);

/**
 * rs_cf_model_free - release a model.  NULL is a no-op.
 */
RS_API void rs_cf_model_free(rs_cf_model *model);

/**
 * rs_cf_model_set_int - set an int option (see rs_cf_option for ranges and
 * defaults).
 *
 * Returns RS_OK, RS_ERR_INVALID (model NULL, an unknown or double option) or
 * RS_ERR_RANGE (value outside the option's range); on error the option keeps
 * its value.
 */
RS_API int rs_cf_model_set_int(rs_cf_model *model, int option, long long value);

/**
 * rs_cf_model_set_double - set a double option.  Errors as
 * rs_cf_model_set_int(); NaN and infinities are RS_ERR_RANGE.
 */
RS_API int rs_cf_model_set_double(rs_cf_model *model, int option, double value);

/**
 * rs_cf_model_get_int / rs_cf_model_get_double - read an option into *out.
 * Returns RS_OK or RS_ERR_INVALID (NULL argument, unknown option or wrong
 * type).
 */
RS_API int rs_cf_model_get_int(const rs_cf_model *model, int option, long long *out);
RS_API int rs_cf_model_get_double(const rs_cf_model *model, int option, double *out);

/**
 * rs_cf_model_fit - (re)fit the model on an interaction matrix.
 *
 * @model   the model; its previous fit, if any, is replaced on success.
 * @matrix  the data; only read, and not referenced after the call.
 *
 * ALS starts from factors drawn from N(0, RS_CF_INIT_SCALE^2) with the
 * library's counter-based generator keyed on RS_CF_SEED, so the result does
 * not depend on the thread count (up to BLAS rounding).
 *
 * Returns RS_OK, or RS_ERR_INVALID (a NULL argument), RS_ERR_RANGE (an
 * option invalid for this kind, e.g. EASE or EDLAE with lambda 0, GF-CF
 * with more RS_CF_EIGENVECTORS than items), RS_ERR_LIMIT (EASE, EDLAE,
 * GF-CF: more items than RS_CF_MAX_ITEMS), RS_ERR_OVERFLOW, RS_ERR_NOMEM,
 * RS_ERR_INTERNAL (EASE, EDLAE: the Gram matrix is not positive definite;
 * GF-CF: the eigensolver failed).  On failure the model keeps its previous
 * fit.
 */
RS_API int rs_cf_model_fit(rs_cf_model *model, const rs_cf_matrix *matrix);

/**
 * rs_cf_model_kind / rs_cf_model_dim / rs_cf_model_users / rs_cf_model_items
 * - the kind of a model (-1 for NULL), its factor dimension (ALS after a fit;
 * 0 otherwise), and the number of users and items it was fitted on (0 before
 * a fit or for NULL).
 */
RS_API int rs_cf_model_kind(const rs_cf_model *model);
RS_API size_t rs_cf_model_dim(const rs_cf_model *model);
RS_API size_t rs_cf_model_users(const rs_cf_model *model);
RS_API size_t rs_cf_model_items(const rs_cf_model *model);

/**
 * rs_cf_model_loss - the ALS training loss after iteration @iteration
 * (0-based) of the last fit, computed when RS_CF_REPORT_LOSS was 1.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument), RS_ERR_STATE (not an ALS
 * model, no fit, or the loss was not recorded) or RS_ERR_RANGE (iteration
 * beyond the last).
 */
RS_API int rs_cf_model_loss(const rs_cf_model *model, size_t iteration, double *loss_out);

/**
 * rs_cf_model_user_factors / rs_cf_model_item_factors - copy the fitted ALS
 * factors of one user or item into a caller array of @dim floats.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument), RS_ERR_STATE (not a fitted
 * ALS model), RS_ERR_RANGE (index out of range), RS_ERR_DIM (dim differs
 * from rs_cf_model_dim()).
 */
RS_API int rs_cf_model_user_factors(const rs_cf_model *model, uint32_t user,
                                    float *factors_out, size_t dim);
RS_API int rs_cf_model_item_factors(const rs_cf_model *model, uint32_t item,
                                    float *factors_out, size_t dim);

/**
 * rs_cf_model_fold_in - the ALS factors of a user from their interactions,
 * without retraining (a new user, or new events of a known one).
 *
 * @items        n item indices of the fitted model (repeats are summed).
 * @weights      n weights (finite, > 0), or NULL for 1 each; confidence is
 *               1 + alpha * weight as in training.
 * @n            0 gives the zero vector.
 * @factors_out  caller array of dim floats.
 * @dim          must equal rs_cf_model_dim().
 *
 * Solves (Y^T Y + lambda I + sum_i (c_i - 1) y_i y_i^T) x = sum_i c_i y_i by
 * conjugate gradients from x = 0, RS_CF_FOLDIN_STEPS steps of
 * O(f^2 + n f) each, using the Y^T Y cached by the fit.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument with n > 0), RS_ERR_STATE (not
 * a fitted ALS model), RS_ERR_RANGE (an item out of range, a bad weight),
 * RS_ERR_DIM, RS_ERR_NOMEM.  Read-only on the model.
 */
RS_API int rs_cf_model_fold_in(const rs_cf_model *model, const uint32_t *items,
                               const float *weights, size_t n, float *factors_out,
                               size_t dim);

/**
 * rs_cf_model_score - scores of every item for one user given by their
 * interactions (items and weights as rs_cf_model_fold_in).
 *
 * ALS: the fold-in factors times every item's factors.  Item-kNN and
 * RP3beta: the sum of the kept item-item weights from the user's items,
 * weighted.  EASE, EDLAE, GF-CF: x B (x W).  The user's own items are not
 * excluded; do that when ranking.
 *
 * @scores_out  caller array of n_items floats; n_items must equal
 *              rs_cf_model_items().
 *
 * Returns RS_OK, RS_ERR_INVALID, RS_ERR_STATE (no fit), RS_ERR_RANGE,
 * RS_ERR_DIM (n_items differs), RS_ERR_NOMEM.  Read-only on the model.
 */
RS_API int rs_cf_model_score(const rs_cf_model *model, const uint32_t *items,
                             const float *weights, size_t n, float *scores_out,
                             size_t n_items);

/**
 * rs_cf_model_save - write a fitted model into a graph's model file.
 *
 * @name  the model's name (a key, e.g. "als"); a model saved before under
 *        the same name is replaced.
 *
 * The fit (factors, neighbour lists or the dense item x item matrix, as
 * float32 blobs with their shape and an XXH3 checksum) and the options go in the graph's meta table under
 * "cf:<name>", in one write.  Returns RS_OK, RS_ERR_INVALID (NULL argument,
 * bad name), RS_ERR_STATE (no fit), RS_ERR_READONLY, RS_ERR_IO, RS_ERR_NOMEM.
 */
RS_API int rs_cf_model_save(const rs_cf_model *model, rs_graph *graph, const char *name);

/**
 * rs_cf_model_load - a model saved by rs_cf_model_save().  Models saved
 * by release 1.0 (ALS, item-kNN, EASE) load; the options they did not have
 * take their defaults.
 *
 * Returns RS_OK with *out owned by the caller, or RS_ERR_INVALID,
 * RS_ERR_NOTFOUND (no model of that name), RS_ERR_CORRUPT (bad length,
 * shape, checksum, an option out of range, a neighbour list out of order or
 * out of range, or a non-finite value), RS_ERR_VERSION (a newer format),
 * RS_ERR_IO, RS_ERR_NOMEM.
 */
RS_API int rs_cf_model_load(rs_graph *graph, const char *name, rs_cf_model **out);

/**
 * rs_cf_model_set_item_keys - the keys of a fitted model's items, carried by
 * the model from then on: key i names item i.  rs_cf_model_save() saves
 * them with the model and rs_cf_model_load() reads them back, so that
 * rs_scorer_set_collaborative() takes the model without a key array and a
 * reader of the file maps the model's items by key (rs_cf_model_item_key,
 * rs_cf_model_item_index).  A later rs_cf_model_fit() drops them (its items
 * are new).  An rs_model sets them at its build: its collaborative model's
 * item i is store index i.
 *
 * @keys  n keys, copied; each a valid key (rs_graph_add_node's rules),
 *        none repeated.
 * @n     must equal rs_cf_model_items().
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument, a bad key), RS_ERR_STATE
 * (not fitted), RS_ERR_DIM (n), RS_ERR_EXISTS (a repeated key), RS_ERR_RANGE,
 * RS_ERR_ENCODING (a key), RS_ERR_NOMEM; on failure the model keeps its
 * keys.  Not thread-safe with other calls on the model.
 */
RS_API int rs_cf_model_set_item_keys(rs_cf_model *model, const char *const *keys, size_t n);

/**
 * rs_cf_model_item_key - the key of item @index, borrowed until the model's
 * next rs_cf_model_set_item_keys(), rs_cf_model_fit() or free; NULL for a
 * NULL model, a model without keys or an index out of range.
 */
RS_API const char *rs_cf_model_item_key(const rs_cf_model *model, uint32_t index);

/**
 * rs_cf_model_item_index - the item index of a key into *index_out.
 *
 * Returns RS_OK, RS_ERR_INVALID (NULL argument), RS_ERR_STATE (the model
 * carries no keys), RS_ERR_NOTFOUND (no such item).  Thread-safe with the
 * other read calls.
 */
RS_API int rs_cf_model_item_index(const rs_cf_model *model, const char *key,
                                  uint32_t *index_out);


/* ----------------------------------------------------------------------
 * Text vectors propagated over the graph
 * -------------------------------------------------------------------- */

/**
 * rs_embedder_embed_graph - item vectors that blend text with the graph.
 *
 * @embedder        embeds the items' texts.
 * @graph           the knowledge graph; read only (its in-memory adjacency).
 * @item_type       the node type of the items, e.g. "item".
 * @item_keys       n_items item keys; each must be a node of item_type.
 * @texts           n_items texts, or NULL entries for items without text
 *                  (texts itself may be NULL: no item has text).
 * @n_items         0 or more.
 * @entity_types    the node types that count as an item's entities (e.g.
 *                  "brand", "category", "attribute"); NULL or
 *                  n_entity_types 0 means every type other than item_type.
 * @n_entity_types  the number of entity_types.
 * @out             caller-allocated n_items x dim floats, row-major.
 * @dim             must equal rs_embedder_dim().
 *
 * An entity's vector is the weighted mean of the vectors of the listed
 * items linked to it (edges either way, weighted by edge weight times
 * relation weight; non-positive weights are ignored).  Each round, an item
 * becomes s * its text vector + (1 - s) * the weighted mean of its
 * entities' vectors (s = RS_EMBEDDER_GRAPH_SELF), re-normalised when
 * RS_EMBEDDER_NORMALIZE is on; an item without text takes its entities'
 * mean alone; one with neither stays zero.  RS_EMBEDDER_GRAPH_ROUNDS
 * rounds are run (0 gives the text vectors).  Deterministic.
 *
 * Returns RS_OK, or RS_ERR_INVALID (NULL argument), RS_ERR_DIM,
 * RS_ERR_NOTFOUND (an item key that is not a node of item_type, or an
 * unknown entity type, named), RS_ERR_ENCODING, RS_ERR_CALLBACK,
 * RS_ERR_NOMEM.  On failure all of out is set to zeros.
 */
RS_API int rs_embedder_embed_graph(const rs_embedder *embedder, const rs_graph *graph,
                                   const char *item_type, const char *const *item_keys,
                                   const char *const *texts, size_t n_items,
                                   const char *const *entity_types, size_t n_entity_types,
                                   float *out, size_t dim);

#ifdef __cplusplus
}
#endif

#endif /* RECSIM_LEARN_H */
