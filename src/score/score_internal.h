/*
 * score_internal.h - the scorer's handle, its per-call scratch and the
 * functions its files share (scorer.c: create and options; score_walk.c: the
 * user's history and the graph propagation; score_rank.c: combining and
 * ranking; score_explain.c: paths and sentences).
 */
#ifndef RS_SCORE_INTERNAL_H
#define RS_SCORE_INTERNAL_H

#include "recsim.h"
#include "score/score_access.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NONE UINT32_MAX

/* The graph operator (score_operator.c): CSR over store indices. */
typedef struct rs__score_operator {
    size_t rows, nnz;
    uint64_t pairs; /* user-item pairs it was built from */
    uint64_t *start; /* rows + 1 */
    uint32_t *col;   /* ascending within a row */
    float *val;
    double beta;
    size_t top_n;
    int built;
} rs__score_operator;

/* The user -> item bipartite graph of the users with an item edge
 * (score_operator.c): per user, its items (store indices, ascending) and
 * summed weights (edge weight x relation weight); per item, its users. */
typedef struct rs__score_bipartite {
    size_t n_users;
    uint32_t *user_node; /* n_users graph nodes, ascending */
    size_t *u_start;     /* n_users + 1 */
    uint32_t *u_item;
    double *u_w;
    double *d_user; /* n_users */
    size_t *i_start; /* item_span + 1 */
    uint32_t *i_user; /* user ordinal, ascending within an item */
    double *i_w;
    double *d_item; /* item_span */
    size_t pairs;
} rs__score_bipartite;

/* The cold start by profile attribute (score_signals.c): the profile nodes
 * (non-item, non-user neighbours) of the users who bought something, and
 * the distinct-buyer counts of the items among each node's users. */
typedef struct rs__score_segments {
    rs__score_bipartite bi;
    size_t n_attr;
    uint32_t *attr_node; /* n_attr graph nodes */
    uint32_t *node_attr; /* node_span: attribute ordinal or NONE */
    size_t *ua_start;    /* bi.n_users + 1: each user's attributes, ascending */
    uint32_t *ua_attr;
    size_t *au_start;    /* n_attr + 1: each attribute's users, ascending */
    uint32_t *au_user;
    size_t *c_start;     /* n_attr + 1: sparse buyer counts per attribute */
    uint32_t *c_item;
    float *c_count;
    float *global;       /* item_span: buyers / users */
    double *u_weight;    /* bi.n_users: 1, or the decay of the user's latest
                            purchase (RS_SCORER_SEGMENT_HALF_LIFE) */
    double *ui_weight;   /* parallel to bi.u_item: 1, or the decay of the
                            user's latest purchase of the item */
    double *a_users;     /* n_attr: the weighted users of each attribute */
    int built;
} rs__score_segments;

struct rs_scorer {
    const rs_graph *graph;
    const rs_item_store *store;
    const rs_user_model *users;
    uint64_t generation;
    size_t item_span;  /* store span at create */
    size_t node_span;  /* graph span at create */
    size_t dim;
    uint32_t *item_node; /* store index -> graph node or NONE */
    uint32_t *node_item; /* graph node -> store index or NONE */
    double *inv_strength; /* 1 / sum of w_e w_r over a node's edges (0 if none) */
    float *pop;           /* per store index, [0, 1] */
    uint32_t user_type;
    int mode, hops, cold;
    double decay, floor, w_content, w_collab, w_graph, w_pop, pop_penalty, w_cold_pop;
    const rs_cf_model *cf;
    size_t cf_n;
    int cf_identity; /* cf index i is store index i for every item: no copy */
    uint32_t *cf_to_store;
    uint32_t *store_to_cf;
    /* score_signals.c: time-aware signals */
    int hist_merge;
    int collab_binary; /* RS_SCORER_COLLAB_BINARY */
    double hist_half_life, pop_half_life, w_first_basket, w_segment, segment_shrink;
    int64_t t_now; /* latest event time of the user model (has_now) */
    int has_now;
    float *pop_recent;   /* per store index, [0, 1]: the popularity of the blend */
    float *first_basket; /* per store index, [0, 1]: new customers' first day */
    char **names; /* per store index: the item node's "name" or "description"
                     property, read at create so that explain stays in memory */
    /* graph operator (score_operator.c) */
    int graph_op, op_top_n;
    double op_beta;
    rs__score_operator op;
    /* content (score_content.c) */
    int content_profile;
    struct rs__score_text *text;
    /* cold start by profile attribute (score_signals.c) */
    double combo_shrink, seg_half_life;
    rs__score_segments seg;
    /* re-ranking (score_rerank.c) */
    int rr_pool, rr_max_per_group, rr_group_relation, rr_attribute_first, rr_attributes;
    double rr_lambda, rr_min_score;
};

/* Per-call scratch and per-item signals. */
typedef struct work {
    double *mass, *next;  /* node_span each */
    uint32_t *front, *nfront;
    size_t n_front;
    float *graph;   /* item_span: raw, then R */
    float *content; /* item_span */
    float *collab;  /* item_span or NULL */
    uint64_t *seen; /* item_span bits */
    float *q;       /* dim */
    uint32_t *hist; /* history: store indices and weights */
    float *hist_w;
    size_t n_hist;
    int has_q;
    int source;
    uint32_t user_node;
    double *entity; /* NULL, or node_span: walk mass of non-user, non-item nodes */
    float *segment; /* NULL, or item_span: a cold user's segment popularity */
    int graph_from_operator; /* w->graph came from the operator */
    int content_tfidf;       /* w->content holds the TF-IDF cosines */
    int content_skip;        /* content has weight 0: not computed */
    int graph_skip;          /* the graph has weight 0: w->graph stays 0 */
    int blended;             /* w->content holds the blend's scores (rank) */
    double *stage_ns;        /* NULL, or RS__N_STAGES: time spent per stage (bench) */
    double stage_at;         /* when the current stage began, ns */
} work;

/* The stages of a recommendation, timed when work.stage_ns is set (the
 * scoring bench); not otherwise measured (no clock call on the hot path). */
enum {
    RS__STAGE_HISTORY, /* lookup, scratch, history, interest */
    RS__STAGE_GRAPH,   /* the graph operator or walk */
    RS__STAGE_CONTENT, /* the TF-IDF profile's cosines */
    RS__STAGE_COLLAB,  /* the collaborative model */
    RS__STAGE_FINISH,  /* normalisation, cold segment, dense content */
    RS__STAGE_RANK,    /* the blend and top-k */
    RS__N_STAGES
};
/* Close the current stage: its time since the last mark into stage_ns. */
void rs__score_stage_mark(work *w, int stage);
/* rs_scorer_recommend with the time of each stage added into stage_ns
 * (RS__N_STAGES entries, nanoseconds). */
int rs__score_recommend_timed(const rs_scorer *s, const char *user, size_t k,
                              uint32_t *items_out, size_t *n_out, double *stage_ns);

/* Allow/deny bitsets of a filtered recommendation. */
typedef struct filter {
    const uint64_t *allow, *deny;
    size_t allow_words, deny_words;
} filter;

/* RS_ERR_STATE when the graph or the store changed since create. */
int rs__score_check_fresh(const rs_scorer *s, const char *fn);
/* Store index of an item key, or RS_ERR_NOTFOUND naming fn. */
int rs__score_find_item(const rs_scorer *s, const char *item, uint32_t *idx_out, const char *fn);

/* Scratch of one call; work_free accepts a zeroed or initialised work. */
int rs__score_work_init(const rs_scorer *s, work *w);
void rs__score_work_free(work *w);
/* The walk's node scratch (mass, next, front, nfront), when a walk runs. */
int rs__score_work_walk(const rs_scorer *s, work *w);
/* Spreads w->mass from the frontier for the hops left after first_hop. */
void rs__score_propagate(const rs_scorer *s, work *w, int first_hop);
/* Fills w for a user: history, interest vector, walk; with_entities keeps
 * the walk mass of entity nodes (for interests). On failure w is freed. */
#define RS__PREPARE_ENTITIES 1 /* keep the walk mass of entity nodes */
#define RS__PREPARE_LEAN 2     /* for a blend ranking: skip the signals of weight 0 */
int rs__score_prepare_user_ex(const rs_scorer *s, const char *user, work *w, const char *fn,
                              int flags, double *stage_ns);

/* rs__score_prepare_user_ex (RS__PREPARE_LEAN) with the user's kept
 * collaborative scores; cache NULL is the plain call. */
int rs__score_prepare_user_cached(const rs_scorer *s, const char *user, work *w,
                                  const char *fn, rs__score_ucache *cache);
int rs__score_prepare_user(const rs_scorer *s, const char *user, work *w, const char *fn);
int rs__score_prepare_user_lean(const rs_scorer *s, const char *user, work *w, const char *fn);

/* Content similarities and R_ui into w (after prepare). */
void rs__score_finish(const rs_scorer *s, work *w);
/* The ranking score of store index i. */
float rs__score_combine(const rs_scorer *s, const work *w, size_t i);
bool rs__score_filtered_out(const filter *f, size_t i);
/* Best k live, unseen, unfiltered items into items_out (scores via tmp). */
size_t rs__score_rank(const rs_scorer *s, const work *w, size_t k, uint32_t *items_out,
                      float *scores_out, float *tmp_scores, const filter *f);

/* Re-ranking (score_rerank.c): defaults, options, and the ranking itself,
 * which rs__score_rank hands over to when rs__score_rerank_active.  It
 * returns RS__RANK_FAILED (with rs__fail) when out of memory. */
#define RS__RANK_FAILED SIZE_MAX
void rs__score_rerank_defaults(rs_scorer *s);
bool rs__score_rerank_option(int option);
int rs__score_rerank_set_int(rs_scorer *s, int option, int64_t value);
int rs__score_rerank_get_int(const rs_scorer *s, int option, int64_t *value_out);
int rs__score_rerank_set_double(rs_scorer *s, int option, double value);
int rs__score_rerank_get_double(const rs_scorer *s, int option, double *value_out);
bool rs__score_rerank_active(const rs_scorer *s);
size_t rs__score_rerank(const rs_scorer *s, const work *w, size_t k, uint32_t *items_out,
                        float *scores_out, const filter *f);

/* score_signals.c.  Recomputes pop_recent, first_basket and t_now. */
int rs__score_signals_update(rs_scorer *s);
void rs__score_signals_free(rs_scorer *s);
/* The RS_SCORER_HISTORY_HALF_LIFE factor of an event at time t. */
double rs__score_history_decay(const rs_scorer *s, int64_t t);
/* RS_SCORER_HISTORY_MERGE: one history entry per item (the largest weight). */
void rs__score_history_merge(const rs_scorer *s, work *w);
/* w->segment of a cold user with a graph node (RS_SCORER_W_SEGMENT), from
 * the per-attribute counts of rs__score_segments_build (at create). */
int rs__score_segment(const rs_scorer *s, work *w);
int rs__score_segments_build(rs_scorer *s);
void rs__score_segments_free(rs__score_segments *g);

/* score_kernels.c: the largest |x[i]| (NaN ignored, 0 for none); dst[i] =
 * src[i] / d; c[i] = (float)(wc c[i] + wk cf[i]) and (float)(wc c[i] +
 * wk cf[i] + wg r[i] + wp p[i]) in double, left to right.  The same bits on
 * every path (AVX2 when the CPU runs it); 1 forces the portable loops
 * (tests). */
float rs__score_abs_max(const float *x, size_t n);
void rs__score_divide(float *dst, const float *src, size_t n, float d);
void rs__score_blend2(float *c, const float *cf, size_t n, double wc, double wk);
void rs__score_blend4(float *c, const float *cf, const float *r, const float *p, size_t n,
                      double wc, double wk, double wg, double wp);
void rs__score_force_portable(int on);

/* score_content.c */
int rs__score_content_build(rs_scorer *s);
void rs__score_content_free(rs_scorer *s);
/* kept: NULL, or a user's profile kept between calls (score_content.c). */
int rs__score_content_tfidf(const rs_scorer *s, work *w, struct rs__score_profile **kept);
int rs__score_content_ready(const rs_scorer *s);

/* score_operator.c */
int rs__score_cmp_u32(const void *a, const void *b);
int rs__score_bipartite_build(const rs_scorer *s, rs__score_bipartite *b);
void rs__score_bipartite_free(rs__score_bipartite *b);
int rs__score_operator_build(rs_scorer *s);
void rs__score_operator_free(rs__score_operator *op);
void rs__score_operator_apply(const rs_scorer *s, work *w);
float rs__score_operator_entry(const rs_scorer *s, uint32_t i, uint32_t j);
int rs__score_operator_witness(const rs_scorer *s, uint32_t item_i, uint32_t item_j,
                               uint32_t exclude, uint32_t *user_out, uint32_t *rel_ui_out,
                               uint32_t *rel_uj_out);

#endif
