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
 *   basket   size max(1, round(lognormal(size_mu, size_sigma))); each item
 *            is a repeat of the user's history with probability
 *            repeat_share, else a new item drawn from
 *            P(i) ~ exp(b_i + w . f_ui) over the items the user has not
 *            bought, b_i a per-item effect, f_ui the features (log item
 *            count, collaborative affinity, content affinity, segment).
 */
#ifndef RS_MODEL_VISIT_H
#define RS_MODEL_VISIT_H

#include "recsim.h"
#include "core/rng.h"

#include <stddef.h>
#include <stdint.h>

#define RS__VISIT_NF 4 /* item effect, collaborative, content, segment */

struct rs__visit_params {
    double w[RS__VISIT_NF];
    double return_a, return_b;
    const double *gaps; /* sorted, borrowed */
    size_t n_gaps;
    double size_mu, size_sigma;
    double repeat_share;
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

/* Mean and standard deviation of log(v) over the v > 0 (0, 0 for none). */
void rs__visit_fit_lognormal(const double *v, size_t n, double *mu_out, double *sigma_out);

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
