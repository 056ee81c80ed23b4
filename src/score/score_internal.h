/*
 * score_internal.h - the scorer's handle, its per-call scratch and the
 * functions its files share (scorer.c: create and options; score_walk.c: the
 * user's history and the graph propagation; score_rank.c: combining and
 * ranking; score_explain.c: paths and sentences).
 */
#ifndef RS_SCORE_INTERNAL_H
#define RS_SCORE_INTERNAL_H

#include "recsim.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NONE UINT32_MAX

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
} work;

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
/* Spreads w->mass from the frontier for the hops left after first_hop. */
void rs__score_propagate(const rs_scorer *s, work *w, int first_hop);
/* Fills w for a user: history, interest vector, walk; with_entities keeps
 * the walk mass of entity nodes (for interests). On failure w is freed. */
int rs__score_prepare_user_ex(const rs_scorer *s, const char *user, work *w, const char *fn,
                              int with_entities);
int rs__score_prepare_user(const rs_scorer *s, const char *user, work *w, const char *fn);

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
/* w->segment of a cold user with a graph node (RS_SCORER_W_SEGMENT). */
int rs__score_segment(const rs_scorer *s, work *w);

#endif
