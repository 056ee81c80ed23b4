/*
 * cf_internal.h - the collaborative models' data (interaction matrix in both
 * orientations, fitted factors, neighbour lists, EASE weights), shared by the
 * files of src/learn and available to other modules (the user model folds in
 * through rs__cf_fold_in, the scorer reads item factors).
 */
#ifndef RS_LEARN_CF_INTERNAL_H
#define RS_LEARN_CF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "recsim.h"

/* A sparse users x items matrix, CSR by user and CSR by item (the
 * transpose); within a row, indices ascend; every weight is finite and > 0. */
struct rs_cf_matrix {
    size_t n_users, n_items, nnz;
    size_t *user_start;  /* n_users + 1 */
    uint32_t *user_item; /* nnz */
    float *user_weight;  /* nnz */
    size_t *item_start;  /* n_items + 1 */
    uint32_t *item_user; /* nnz */
    float *item_weight;  /* nnz */
    uint32_t *user_node; /* graph node per row, or NULL */
    uint32_t *item_node; /* graph node per column, or NULL */
};

#define RS__CF_INT_OPTIONS 10
#define RS__CF_CHUNK_FLOATS ((size_t)1 << 22)
#define RS__CF_TILE_FLOATS ((size_t)1 << 24)
#define RS__CF_DENSE_ITEMS ((size_t)8192)

struct rs_cf_model {
    int kind;
    long long iopt[RS__CF_INT_OPTIONS]; /* indexed by rs_cf_option 0 .. 9 */
    double alpha, lambda, shrink, init_scale, beta, dropout, ideal_weight;
    /* floats of a dense user chunk and of an item-kNN similarity tile
     * (defaults RS__CF_CHUNK_FLOATS, RS__CF_TILE_FLOATS; tests lower them to
     * exercise the tiling) */
    size_t chunk_floats, tile_floats;
    /* item-kNN: catalogues up to this size use dense sgemm tiles, larger
     * ones sparse co-occurrence counting (default RS__CF_DENSE_ITEMS) */
    size_t dense_items;

    /* the fit */
    bool fitted;
    size_t n_users, n_items, dim;
    double fit_alpha, fit_lambda;
    float *user_factors; /* ALS: n_users x dim */
    float *item_factors; /* ALS: n_items x dim */
    float *gram;         /* ALS: dim x dim, Y^T Y + lambda I (full) */
    double *loss;        /* ALS: per iteration, when reported */
    size_t n_loss;
    size_t *nb_start;    /* kNN, RP3beta: n_items + 1, CSR by source item */
    uint32_t *nb_target; /* kNN, RP3beta: the targets a source contributes to */
    float *nb_sim;       /* kNN, RP3beta: the weights */
    size_t nb_count;
    float *ease;         /* EASE, EDLAE, GF-CF: n_items x n_items row-major
                            operator (score = x W) */
    /* a dense operator read from the file row by row (rs__cf_model_load_rows;
     * ease is then NULL), or NULL */
    struct rs__cf_rows *rows;
    /* EASE pairs (B in ease): the pairs a < b ascending, CSR by a
     * (pair_start, n_items + 1), and C (n_pairs x n_items row-major) */
    size_t n_pairs;
    uint32_t *pair_a, *pair_b;
    size_t *pair_start;
    float *pair_w;
    /* the item keys (key i names item i; cf_keys.c), or NULL */
    struct rs_idmap *keys;
};

/* The item keys saved beside model NAME (cf_keys.c): saved (or, for a
 * model without keys, an earlier save's removed) by rs_cf_model_save, read
 * by both loads (none saved: keys stay NULL). */
int rs__cf_keys_save(const rs_cf_model *model, rs_graph *graph, const char *name);
int rs__cf_keys_load(rs_cf_model *model, rs_graph *graph, const char *name);

/* Does the kind score through a dense item x item operator (m->ease), or
 * through sparse neighbour lists (m->nb_*)? */
static inline bool rs__cf_dense_kind(int kind)
{
    return kind == RS_CF_EASE || kind == RS_CF_EDLAE || kind == RS_CF_GFCF;
}
static inline bool rs__cf_sparse_kind(int kind)
{
    return kind == RS_CF_ITEMKNN || kind == RS_CF_RP3BETA;
}

/* Build a matrix from triplets (validated by the caller or not: this checks
 * ranges and weights).  Repeated pairs are summed. */
int rs__cf_matrix_build(size_t n_users, size_t n_items, const uint32_t *users,
                        const uint32_t *items, const float *weights, size_t n,
                        rs_cf_matrix **out);

/*
 * rs_cf_model_load for a graph opened read-only that outlives the model: a
 * dense operator (EASE, EDLAE, GF-CF) is checked (checksum, finite weights)
 * but not kept in memory; scoring reads the rows of the history through
 * SQLite incremental blob I/O on the graph's connection, under a mutex of
 * the model's own (nothing else may use that connection concurrently), and
 * once the rows read add up to the whole operator it is read once and kept.
 * Scores are bitwise those of rs_cf_model_load's model.  Other kinds, and a
 * read-write graph, load as rs_cf_model_load does.
 */
int rs__cf_model_load_rows(rs_graph *graph, const char *name, rs_cf_model **out);
/* Tests: has a model of rs__cf_model_load_rows read its whole operator? */
bool rs__cf_rows_in_memory(const rs_cf_model *m);

/* Release the fitted part of a model (keeps the options). */
void rs__cf_fit_clear(struct rs_cf_model *m);
/* Move the fitted part of src into dst (dst's previous fit is released). */
void rs__cf_fit_move(struct rs_cf_model *dst, struct rs_cf_model *src);

int rs__cf_als_fit(struct rs_cf_model *fit, const rs_cf_matrix *x);
int rs__cf_knn_fit(struct rs_cf_model *fit, const rs_cf_matrix *x);
/* EASE, and EDLAE (the dropout penalty) when fit->kind is RS_CF_EDLAE. */
int rs__cf_ease_fit(struct rs_cf_model *fit, const rs_cf_matrix *x);
int rs__cf_rp3_fit(struct rs_cf_model *fit, const rs_cf_matrix *x);
int rs__cf_gfcf_fit(struct rs_cf_model *fit, const rs_cf_matrix *x);
/* EASE with pairwise interactions (cf_pairs.c). */
int rs__cf_pairs_fit(struct rs_cf_model *fit, const rs_cf_matrix *x);
/* pair_start from pair_a (n_pairs, n_items set). */
int rs__cf_pairs_index(struct rs_cf_model *m);
/* out[j] += C[p][j] for every pair p with both items among items[0 .. n). */
int rs__cf_pairs_score(const struct rs_cf_model *m, const uint32_t *items, size_t n, float *out);

/* The Gram matrix (D_r X D_c)^T (D_r X D_c), n_items^2 floats, upper
 * triangle (row-major) only, by syrk over dense user chunks of
 * m->chunk_floats; the scales as rs__cf_densify.  *out: rs__malloc'd. */
int rs__cf_gram(const struct rs_cf_model *m, const rs_cf_matrix *x, const float *row_scale,
                const float *col_scale, float **out);

/* The dense kinds' catalogue limit: RS_OK, or RS_ERR_LIMIT (recorded, the
 * message starting with what) above RS_CF_MAX_ITEMS. */
int rs__cf_dense_limit(const struct rs_cf_model *m, size_t n, const char *what);

/* Neighbours kept per item by kNN and RP3beta: RS_CF_NEIGHBORS, all (n - 1)
 * for 0 or more than that. */
size_t rs__cf_neighbors_kept(const struct rs_cf_model *m, size_t n);

/* Dense rows first .. first + rows - 1 of x into d (rows x n_items), entry
 * (u, i) times row_scale[u] * col_scale[i] (either may be NULL: 1). */
void rs__cf_densify(const rs_cf_matrix *x, size_t first, size_t rows, const float *row_scale,
                    const float *col_scale, float *d);

/*
 * Sparse co-occurrence with a bounded top-k per row item r:
 *   acc_rc = sum over users u of r: left[p(u, r)] * right[q(u, c)]
 * (left indexed like x->item_user, right like x->user_item), then
 *   score_rc = acc_rc / (norm[r] norm[c] + shrink)  when norm is given,
 *   score_rc = acc_rc * col_scale[c]                otherwise;
 * c != r, zero scores dropped.  Row r's kept columns and scores go to
 * top_index / top_score + r * k, best first, their number to top_count[r].
 * Parallel over rows; cost sum over users of n_u^2.
 */
typedef struct rs__cf_cooc {
    const rs_cf_matrix *x;
    const float *left, *right;
    const float *norm;
    float shrink;
    const float *col_scale;
    size_t k;
    uint32_t *top_index;
    float *top_score;
    size_t *top_count;
} rs__cf_cooc;
int rs__cf_cooc_topk(const rs__cf_cooc *job);
/* Tests: 1 makes rs_cf_model_score use the portable EASE kernel even where
 * the AVX-512 one would run (bitwise the same results); 0 restores. */
void rs__cf_force_portable(int on);
/* Whether the model's score is a sum of one row per history entry (every
 * fitted kind but ALS and EASE pairs), and that sum added onto scores_out
 * (model->n_items entries, not zeroed): rs_cf_model_score is the zeroing and
 * this, so a kept sum extended by new entries has the same bits. */
bool rs__cf_model_additive(const rs_cf_model *model);
int rs__cf_model_score_add(const rs_cf_model *model, const uint32_t *items,
                           const float *weights, size_t n, float *scores_out);
/* For the dense kinds (not EASE pairs): rs__cf_model_score_add over the
 * columns j0 .. j1 - 1 of scores_out only, the same adds per column, so
 * that many histories can be summed a block of the operator at a time
 * (the block stays in cache).  A file-backed operator is read whole. */
bool rs__cf_model_columns(const rs_cf_model *model);
int rs__cf_model_score_add_cols(const rs_cf_model *model, const uint32_t *items,
                                const float *weights, size_t n, size_t j0, size_t j1,
                                float *scores_out);

/* ALS: gram = Y^T Y + lambda I, full symmetric (dim x dim). */
int rs__cf_als_gram(const float *factors, size_t rows, size_t dim, double lambda,
                    float *gram);

/*
 * Solve one row by conjugate gradients: (G + sum (c_i - 1) y_i y_i^T) x =
 * sum c_i y_i with c_i = 1 + alpha w_i, starting from x as given, at most
 * `steps` steps.  scratch holds 3 * dim floats.  items/weights: the row.
 */
void rs__cf_cg_row(const float *gram, const float *factors, size_t dim,
                   const uint32_t *items, const float *weights, size_t n, float alpha,
                   unsigned steps, float *x, float *scratch);

#endif
