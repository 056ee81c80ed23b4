/*
 * model_visit.h - the visit-level response model of the validation protocol
 * (model_validate.c): who comes back, when, how many items a basket holds
 * and which ones, fitted by maximum likelihood on one half of the users.
 *
 *   return   after each visit the user comes back with probability
 *            sigmoid(return_a + return_b * log1p(visits before the cut)),
 *            else leaves for good (a geometric number of visits);
 *   gap      days to the next visit: a draw from the fitted gaps (the
 *            empirical distribution, the nonparametric maximum-likelihood
 *            estimate: a lognormal missed the mass of same-week returns);
 *   basket   a real visit of the fit half drawn whole (its size and its
 *            new catalogue items: many visits only rebuy) from the class of
 *            users of like visits and items before the cut; size_mu, size_sigma summarise the sizes
 *            as a lognormal; a new item is drawn from
 *            P(i) ~ exp(b_i + w . f_ui) over the items the user has not
 *            bought, b_i a per-item effect, f_ui the features (log item
 *            count, collaborative affinity, content affinity, segment);
 *   slate    a shown item at slot r enters the visit's basket with
 *            probability 1 - exp(-lambda), log lambda = inc . x with x the
 *            covariates of enum rs__visit_inc: log of the visit's new items,
 *            log of the item's choice probability above, the features, whether
 *            the user bought it at an earlier visit of the period (retail
 *            customers rebuy), log1p of the history length and a term per
 *            slot (the position effect).  lambda is the item's Poisson rate
 *            of entering (complementary log-log), fitted by maximum
 *            likelihood on the fit half's real visits against the lists
 *            shown to them.
 */
#ifndef RS_MODEL_VISIT_H
#define RS_MODEL_VISIT_H

#include "recsim.h"
#include "core/rng.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RS__VISIT_NF 4 /* item effect, collaborative, content, segment */

#define RS__VISIT_SLOTS 10
#define RS__VISIT_BINS 3 /* classes per key of the basket draws */

/* One real visit of the basket draws. */
struct rs__visit_basket {
    double pace;    /* log1p(the user's visits before the cut) */
    double hist;    /* log1p(the user's items before the cut) */
    uint32_t size;  /* items */
    uint32_t n_new; /* new catalogue items among them */
}; /* slots with a position term of their own */

/* The covariates of the slate-inclusion model, in order. */
enum rs__visit_inc {
    RS__INC_ONE = 0,
    RS__INC_LOG_NEW,                       /* log(new catalogue items of the visit) */
    RS__INC_LOG_CHOICE,                    /* log P(item) of the choice model */
    RS__INC_LOG_CHOICE2,                   /* its square / 100: the tail's bend */
    RS__INC_FEAT,                          /* the RS__VISIT_NF features */
    RS__INC_BEFORE = RS__INC_FEAT + RS__VISIT_NF, /* bought earlier in the period */
    RS__INC_HIST,                          /* log1p(items before the cut) */
    RS__INC_SLOT,                          /* slots 1 .. RS__VISIT_SLOTS - 1 (0: none) */
    RS__VISIT_NX = RS__INC_SLOT + RS__VISIT_SLOTS - 1
};

struct rs__visit_params {
    double w[RS__VISIT_NF];
    double inc[RS__VISIT_NX]; /* the slate-inclusion coefficients */
    double frailty;           /* gamma shape of the visit's propensity, 0: none */
    double return_a, return_b;
    const double *gaps; /* sorted, borrowed */
    size_t n_gaps;
    double size_mu, size_sigma;
    double repeat_share;       /* pooled share of repeats (and outside items) */
    /* the fit half's visits (sorted by the user's history length), drawn
     * whole: a basket's size and new items come together, as real ones do
     * (many visits only rebuy); borrowed */
    const struct rs__visit_basket *baskets;
    size_t n_baskets;
    double pace_edge[RS__VISIT_BINS - 1]; /* the pace classes' lower edges */
};

/* One user of the choice fit: n_items x RS__VISIT_NF features (row-major),
 * allowed[i] != 0 for the items the user may newly choose, and the chosen
 * items (repeats count again). */
struct rs__visit_user {
    const float *feat;
    const uint8_t *allowed;
    const uint32_t *chosen;
    size_t n_chosen;
};

/* Pseudo-choices smoothing each item effect (see rs__visit_fit_choice). */
#define RS__VISIT_PSEUDO 0.5

/*
 * Maximum-likelihood weights of the multinomial logit over the allowed
 * items (Newton steps with step halving); w holds the start and receives
 * the fit.  bias (n_items, may be NULL): per-item effects added to the
 * utilities, fitted too (start at its values; each count smoothed by
 * RS__VISIT_PSEUDO).  *loglik_out (may be NULL) the log-likelihood per
 * choice at the fit.  RS_ERR_INVALID for no choice; RS_ERR_NOMEM.
 */
int rs__visit_fit_choice(const struct rs__visit_user *users, size_t n_users, size_t n_items,
                         double w[RS__VISIT_NF], double *bias, double *loglik_out);

/* Log-likelihood per choice at w and bias (may be NULL); NAN without a choice. */
double rs__visit_choice_loglik(const struct rs__visit_user *users, size_t n_users,
                               size_t n_items, const double w[RS__VISIT_NF], const double *bias);

/*
 * Maximum-likelihood return model from n users: x[i] the covariate,
 * visits[i] >= 1 the visits seen (visits - 1 returns, then one leave).
 */
int rs__visit_fit_return(const double *x, const uint32_t *visits, size_t n, double *a_out,
                         double *b_out);

/*
 * Maximum-likelihood logistic regression of n binomial observations:
 * succ[i] successes out of trials[i] at covariate x[i],
 * P = sigmoid(a + b x).  RS_ERR_INVALID for n == 0.
 */
int rs__visit_fit_logistic(const double *x, const double *succ, const double *trials, size_t n,
                           double *a_out, double *b_out);

/* Mean and standard deviation of log(v) over the v > 0 (0, 0 for none). */
void rs__visit_fit_lognormal(const double *v, size_t n, double *mu_out, double *sigma_out);

/*
 * The covariate row x (RS__VISIT_NX floats) of a shown item: n_new >= 1 the
 * visit's new catalogue items, log_choice the item's log choice
 * probability, feat its RS__VISIT_NF features for the user, before whether
 * the user bought it earlier in the period, n_hist the user's items before
 * the cut, slot its 0-based position (slots past the last term share it).
 */
void rs__visit_inclusion_x(float *x, double n_new, double log_choice, const float *feat,
                           bool before, size_t n_hist, size_t slot);

/* The rate lambda of row x at coefficients inc. */
double rs__visit_inclusion_rate(const double inc[RS__VISIT_NX], const float *x);

/* P(the item of row x enters the basket) at coefficients inc. */
double rs__visit_inclusion_prob(const double inc[RS__VISIT_NX], const float *x);

/*
 * Maximum-likelihood slate-inclusion coefficients from n shown items:
 * rows x (n x RS__VISIT_NX), y[i] != 0 when item i entered the basket.
 * Fisher scoring with step halving under a unit Gaussian prior on every
 * coefficient but the constant (it only keeps a slot that never hit
 * finite).  inc receives the fit; *loglik_out (may be NULL) the
 * log-likelihood per shown item.  RS_ERR_INVALID for n == 0 or no hit;
 * RS_ERR_NOMEM never (no allocation).
 */
int rs__visit_fit_inclusion(const float *x, const uint8_t *y, size_t n,
                            double inc[RS__VISIT_NX], double *loglik_out);

/*
 * A visit's taste for what it is shown varies: given a propensity e
 * (gamma, mean 1, shape k, one per visit, shared by the items shown),
 * a shown item of marginal rate lam enters with probability
 * 1 - exp(-rs__visit_frail_rate(lam, k) e), which keeps its marginal
 * probability 1 - exp(-lam) while its hits cluster in some visits.
 */
double rs__visit_frail_rate(double lam, double k);

/*
 * Maximum-likelihood shape k of the visits' propensity from n_visits
 * visits: visit v shows the distinct items start[v] .. start[v + 1] - 1 of
 * lam (marginal rates) and y (entered or not).  Golden-section search on
 * log k over [0.02, 1000] of the visits' exact likelihood (the propensity
 * integrated numerically); *k_out 0 when the largest k fits best (no
 * clustering).  RS_ERR_INVALID for no visit.
 */
int rs__visit_fit_frailty(const double *lam, const uint8_t *y, const size_t *start,
                          size_t n_visits, double *k_out);

/* A gamma draw of mean 1 and shape k > 0 (Marsaglia and Tsang). */
double rs__visit_gamma(rs_rng *rng, double k);

/* Draws. */
double rs__visit_return_prob(const struct rs__visit_params *p, double x);
double rs__visit_gap(const struct rs__visit_params *p, rs_rng *rng);
size_t rs__visit_basket_size(const struct rs__visit_params *p, rs_rng *rng);

/*
 * Sort n visits into the classes of the basket draws: RS__VISIT_BINS
 * equal-count classes of pace, each cut into RS__VISIT_BINS equal-count
 * classes of hist; pace_edge receives the pace classes' lower edges.
 * RS_ERR_NOMEM never (qsort in place).
 */
void rs__visit_basket_sort(struct rs__visit_basket *b, size_t n,
                           double pace_edge[RS__VISIT_BINS - 1]);

/* A visit of p->baskets (n_baskets >= 1, as rs__visit_basket_sort left
 * them) from the class holding the user's pace and hist. */
const struct rs__visit_basket *rs__visit_basket_draw(const struct rs__visit_params *p,
                                                     double pace, double hist, rs_rng *rng);

/* The smallest i with cum[i] > u * cum[n - 1] (cum non-decreasing, positive
 * last entry). */
size_t rs__visit_pick(const double *cum, size_t n, double u);

#endif

/* From model_eval.c (declared here to keep model_internal.h as it is):
 * the default temporal cut, and each eval user's segment name (seg_out
 * indexed by the eval user index, NULL for none; may be NULL) while the
 * runner's segments are set. */
struct model_events;
int64_t rs__model_eval_default_cut(const struct model_events *me);
int rs__model_eval_segments(const rs_model *m, rs_eval *eval, const char **seg_out);
