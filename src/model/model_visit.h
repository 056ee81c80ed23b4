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
 *   basket   size max(1, round(lognormal(size_mu, size_sigma))); the
 *            visit's share of new catalogue items drawn from
 *            Beta(new_alpha, new_beta) (beta-binomial maximum likelihood:
 *            a tenth of real visits buy nothing new); each new item drawn
 *            from P(i) ~ exp(b_i + w . f_ui) over the items the user has
 *            not bought, b_i a per-item effect, f_ui the features (log
 *            item count, collaborative affinity, content affinity,
 *            segment);
 *   slate    a shown item at slot r enters the visit's basket with
 *            probability 1 - exp(-lambda), log lambda = inc . x with x the
 *            covariates of enum rs__visit_inc: log of the visit's new items,
 *            log of the item's choice probability above, the features, whether
 *            the user bought it at an earlier visit of the period (retail
 *            customers rebuy), log1p of the history length and a term per
 *            slot (the position effect).  lambda is the item's Poisson rate
 *            of entering (complementary log-log), fitted by maximum
 *            likelihood on the fit half's real visits against the lists
 *            shown to them.  The simulation draws from it with the choice
 *            probability as an offset and no feature term (the terms that
 *            stay calibrated on every kind of list, model_validate.c), the
 *            rates times a gamma propensity of the visit shared by every
 *            list, so the hits cluster in visits as real ones do while each
 *            item's own chance stays the fitted one.
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
    double inc[RS__VISIT_NX];      /* the drawn slate-inclusion coefficients */
    double inc_full[RS__VISIT_NX]; /* every term free: reported, not drawn from */
    double return_a, return_b;
    const double *gaps; /* sorted, borrowed */
    size_t n_gaps;
    double size_mu, size_sigma;
    double repeat_share;
    double frailty; /* the propensity's gamma shape, 0: none */
    double new_alpha, new_beta; /* a visit's share of new items: Beta(alpha, beta); 0: none */
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
 * finite).  fixed (RS__VISIT_NX flags, may be NULL): coefficients kept
 * at the values inc holds on entry (an offset, e.g. the choice model's log
 * probability at weight 1).  inc receives the fit; *loglik_out (may be
 * NULL) the log-likelihood per shown item.  RS_ERR_INVALID for n == 0, no
 * hit or a fixed coefficient that is not finite; RS_ERR_NOMEM never (no
 * allocation).
 */
int rs__visit_fit_inclusion(const float *x, const uint8_t *y, size_t n, const uint8_t *fixed,
                            double inc[RS__VISIT_NX], double *loglik_out);

/*
 * The visit's propensity: a shown item's rate lambda is scaled by a gamma
 * draw e of mean 1 and shape k shared by every item shown at the visit,
 * so its entries cluster the way real visits' do (one visit takes several
 * listed items, the next none).  rs__visit_frail_rate is the rate r with
 * E[1 - exp(-r e)] = 1 - exp(-lambda): each item's chance of entering
 * stays the fitted one (k <= 0: no propensity, r = lambda).
 */
double rs__visit_frail_rate(double lam, double k);

/*
 * Maximum-likelihood shape k of the propensity from n_visits visits:
 * visit v's distinct shown items are lam[start[v] .. start[v + 1]) (their
 * fitted rates lambda) with y[i] != 0 for the items that entered.  The
 * propensity is integrated numerically; golden-section search on log k
 * over [0.02, 1000]; *k_out = 0 when the largest shape fits best (the
 * entries are independent).  RS_ERR_INVALID for NULL, no visit or a rate
 * that is negative or not finite.
 */
int rs__visit_fit_frailty(const double *lam, const uint8_t *y, const size_t *start,
                          size_t n_visits, double *k_out);

/* A gamma draw of shape k > 0 and mean 1. */
double rs__visit_gamma(rs_rng *rng, double k);

/*
 * Maximum-likelihood beta-binomial: visit i took succ[i] new items out of
 * trials[i]; its share of new items is Beta(alpha, beta), so visits differ
 * (some buy only what they bought before, some only new things) instead of
 * every item being new with one probability.  Nelder-Mead on (log alpha,
 * log beta).  RS_ERR_INVALID for NULL, no visit with a trial, or a count
 * that is negative, not finite or succ > trials.
 */
int rs__visit_fit_beta_binomial(const double *succ, const double *trials, size_t n,
                                double *alpha_out, double *beta_out);

/* A Beta(alpha, beta) draw (alpha, beta > 0). */
double rs__visit_beta(rs_rng *rng, double alpha, double beta);

/* Draws. */
double rs__visit_return_prob(const struct rs__visit_params *p, double x);
double rs__visit_gap(const struct rs__visit_params *p, rs_rng *rng);
size_t rs__visit_basket_size(const struct rs__visit_params *p, rs_rng *rng);


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
