/*
 * model_tune.c - the build's validation-based selection: the library chooses
 * the collaborative kind and its regularisation, the blend weights and the
 * cold-start weights itself, by NDCG on a validation split carved from the
 * model's own events, and records what it tried and chose.
 *
 * Why: hand-set defaults that win on one data set or period lose on the
 * next; a choice made on the data at hand carries over.
 *
 * Validation is repeated over build.tune_origins consecutive windows
 * (temporal split): fold 0 validates on the last share of the time range,
 * fold 1 on the window of the same length before it (trained on what came
 * before, the later events left out), and so on.  Why: a signal's worth
 * shifts between periods (recent popularity predicts the next weeks of one
 * season and misleads in the next); a choice that helps in each window is
 * more likely to help in the period the model then serves.  Every score is
 * the mean over the users of all windows.
 *
 * How, cheaply: per fold one train-only graph (the validation events left
 * out of every signal), one fit of the parts that do not change (embedder,
 * item vectors, user model, scorer), then
 *   A. single signals: every collaborative candidate alone (a small
 *      coordinate search over each kind's regularisation), content alone,
 *      graph alone, popularity alone; the best one is the starting point,
 *      or, within noise of it (GUARD_SE bootstrap standard errors of the
 *      paired per-user difference), the simplest one: so the choice is
 *      never worse on validation than the best single candidate tried
 *      beyond noise;
 *   B. blend: coordinate ascent adding the other signals' weights; a step
 *      is taken only when trusted(): its paired per-user gain exceeds
 *      GUARD_SE bootstrap standard errors (the simpler model is kept within
 *      noise) and it helps in every period: the users who come back early
 *      in a window and those who come back late, in every window (a gain
 *      that does not last is not trusted);
 *   C. cold start, on the users whose first event is in validation: the
 *      single cold signals (segment, popularity, first basket) and then the
 *      same guarded ascent, each step from the defaults taken only when
 *      trusted.
 * Options the caller set explicitly on the handle are held fixed.  The
 * table of every evaluation goes into the model file as JSON (meta key
 * "model.tuning", rs_model_tuning()).
 */
#include "model/model_internal.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/idmap.h"
#include "core/rng.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Fewer validation users than this: no selection (the defaults stand). */
#define MIN_VALIDATION_USERS 10

/* The signals' weights of the warm blend, in this order. */
static const char *const blend_names[] = {"scorer.w_collab", "scorer.w_content",
                                          "scorer.w_graph", "scorer.w_popularity"};
#define N_BLEND 4
static const double blend_steps[] = {0.05, 0.15, 0.4, 1.0};

/* Validation origins at most (build.tune_origins). */
#define MAX_FOLDS 3

/* Candidates a selection typically evaluates, for the progress reports'
 * total (raised when the search goes on longer). */
#define TUNE_ESTIMATE 60

/* A configuration and where it was evaluated: its NDCG over the users of
 * every fold together, and its row in each fold's runner. */
struct config {
    struct rs__model_options o;
    double ndcg;
    size_t row[MAX_FOLDS];
};

/* One validation origin: the events before its cut train, those of its
 * window validate, later ones are left out. */
struct fold {
    struct model_events me;
    rs_graph *train;
    struct rs__model_events train_ev;
    struct rs__model_parts parts; /* fitted without a collaborative model */
    rs_cf_model *cf;              /* the candidate attached to parts.scorer */
    rs_eval *warm, *cold;         /* cold: NULL when too few cold users */
    size_t n_warm, n_cold;
    double cut;
    uint8_t *late;                /* by event-log user index: the user's first
                                     validation event is in the window's
                                     second half */
    size_t n_late_span;
};

/* Periods a paired gain is looked at in: each fold's early and late half. */
#define N_PERIODS (2 * MAX_FOLDS)

struct tuner {
    const rs_model *m;
    struct fold fold[MAX_FOLDS];
    size_t n_folds;
    json_t *rows;                 /* every evaluation */
    size_t n_users;               /* per-user value buffers' capacity */
    struct config singles[16];    /* each kind's best alone, and the signals alone */
    int complexity[16];
    size_t n_singles;
    uint32_t *users_a, *users_b;
    double *values_a, *values_b;
    uint8_t *period;              /* by pooled user: 2 * fold + late */
    struct rs__progress pr;       /* "tune": candidates evaluated */
    bool json_failed;             /* a report part that could not be added */
};

/* The runner of fold f for a group (RS_EVAL_WARM or RS_EVAL_COLD). */
static rs_eval *runner(const struct tuner *t, size_t f, int group)
{
    return group == RS_EVAL_COLD ? t->fold[f].cold : t->fold[f].warm;
}

/* ------------------------------------------------------------ helpers */

static bool fixed(const rs_model *m, const char *name)
{
    return rs__model_options_explicit(&m->options, name);
}

static int config_copy(struct config *dst, const struct config *src)
{
    int s = rs__model_options_copy(&dst->o, &src->o);
    dst->ndcg = src->ndcg;
    memcpy(dst->row, src->row, sizeof dst->row);
    return s;
}

/* Adding to the report: a part that cannot be added (out of memory: a
 * NULL value, a failed insertion) sets *failed, so that the selection
 * fails with RS_ERR_NOMEM instead of saving a report with fields missing. */
static void jput(bool *failed, json_t *obj, const char *key, json_t *value)
{
    if (json_object_set_new(obj, key, value) != 0)
        *failed = true;
}

static void jref(bool *failed, json_t *obj, const char *key, json_t *value)
{
    if (json_object_set(obj, key, value) != 0)
        *failed = true;
}

static void jpush(bool *failed, json_t *arr, json_t *value)
{
    if (json_array_append_new(arr, value) != 0)
        *failed = true;
}

/* The options of o whose value matters to a row, as a JSON object (NULL
 * when out of memory). */
static json_t *options_json(const struct rs__model_options *o, const char *const *names,
                            size_t n)
{
    json_t *obj = json_object();
    bool failed = false;
    char buf[128];
    for (size_t i = 0; obj && i < n; i++)
        if (rs__model_options_format(o, names[i], buf, sizeof buf) == RS_OK)
            jput(&failed, obj, names[i], json_string(buf));
    if (failed) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* The options a collaborative kind depends on (for the report). */
static size_t kind_options(int kind, const char **names)
{
    size_t n = 0;
    names[n++] = "build.cf";
    switch (kind) {
    case RS_CF_EASE: names[n++] = "cf.ease.lambda"; break;
    case RS_CF_EDLAE: names[n++] = "cf.edlae.lambda"; names[n++] = "cf.edlae.dropout"; break;
    case RS_CF_ALS: names[n++] = "cf.als.lambda"; names[n++] = "cf.als.factors"; break;
    case RS_CF_ITEMKNN: names[n++] = "cf.knn.neighbors"; break;
    case RS_CF_RP3BETA:
        names[n++] = "cf.rp3beta.alpha";
        names[n++] = "cf.rp3beta.beta";
        names[n++] = "cf.rp3beta.neighbors";
        break;
    case RS_CF_GFCF: names[n++] = "cf.gfcf.eigenvectors"; break;
    case RS_CF_EASE_PAIRS: names[n++] = "cf.pairs.lambda"; names[n++] = "cf.pairs.pairs"; break;
    default: break;
    }
    return n;
}

/* Fit o's collaborative model on every fold's train events and attach it. */
static int use_cf(struct tuner *t, const struct rs__model_options *o)
{
    for (size_t f = 0; f < t->n_folds; f++) {
        struct fold *d = &t->fold[f];
        rs_cf_model *cf = NULL;
        int s = rs__model_fit_cf(d->train, &d->train_ev, d->parts.store, o, &cf);
        if (s == RS_OK)
            s = rs_scorer_set_collaborative(d->parts.scorer, cf, d->parts.item_keys,
                                            cf ? d->parts.n_items : 0);
        if (s != RS_OK) {
            rs_cf_model_free(cf);
            return s;
        }
        rs_cf_model_free(d->cf);
        d->cf = cf;
    }
    return RS_OK;
}

/* Evaluate the scorer with o's scorer options on every fold's runner of
 * group; c->ndcg the mean over all their users; a row of the report. */
static int evaluate(struct tuner *t, int group, const char *stage, const char *label,
                    struct config *c, const char *const *names, size_t n_names)
{
    json_t *row, *folds = json_array();
    double sum = 0;
    size_t n = 0;
    int s = folds ? RS_OK : RS_ERR_NOMEM;
    for (size_t f = 0; s == RS_OK && f < t->n_folds; f++) {
        rs_eval *eval = runner(t, f, group);
        size_t users = group == RS_EVAL_COLD ? t->fold[f].n_cold : t->fold[f].n_warm;
        double v = 0;
        if (!eval)
            continue;
        s = rs__model_options_apply_scorer(&c->o, t->fold[f].parts.scorer);
        if (s == RS_OK)
            s = rs__model_eval_parts(eval, &t->fold[f].parts, label, &c->row[f]);
        if (s == RS_OK)
            s = rs_eval_result(eval, c->row[f], RS_EVAL_NDCG, &v);
        if (isnan(v))
            v = 0;
        sum += v * (double)users;
        n += users;
        jpush(&t->json_failed, folds, json_real(v));
    }
    rs__progress_step(&t->pr);
    if (s != RS_OK) {
        json_decref(folds);
        return s;
    }
    c->ndcg = n ? sum / (double)n : 0.0;
    row = json_object();
    if (!row) {
        json_decref(folds);
        return rs__fail(RS_ERR_NOMEM, "tuning: out of memory for the report");
    }
    jput(&t->json_failed, row, "stage", json_string(stage));
    jput(&t->json_failed, row, "candidate", json_string(label));
    jput(&t->json_failed, row, "ndcg", json_real(c->ndcg));
    jput(&t->json_failed, row, "ndcg_origins", folds);
    jput(&t->json_failed, row, "options", options_json(&c->o, names, n_names));
    jpush(&t->json_failed, t->rows, row);
    return RS_OK;
}

/* Resamples of the bootstrap over users that measures the noise of a
 * paired difference (enough for a standard error good to ~5 %). */
#define BOOTSTRAP 200

/* The paired per-user NDCG difference a - b over the validation users of
 * every fold: its mean, its mean in each period (a fold's users who first
 * come back early or late in its window), and the bootstrap standard
 * error of each (users resampled with replacement; the same resamples for
 * every pair, drawn from build.tune_seed, so comparisons are
 * reproducible). */
struct gain {
    double mean, se;
    double period[N_PERIODS], period_se[N_PERIODS];
    size_t n_period[N_PERIODS];
};

static int paired_gain(struct tuner *t, int group, const struct config *a,
                       const struct config *b, struct gain *g)
{
    size_t n = 0;
    double sum = 0, acc[N_PERIODS + 1] = {0}, acc2[N_PERIODS + 1] = {0};
    rs_rng rng;
    memset(g, 0, sizeof *g);
    for (size_t f = 0; f < t->n_folds; f++) {
        const struct fold *d = &t->fold[f];
        rs_eval *eval = runner(t, f, group);
        size_t na = 0, nb = 0;
        int s;
        if (!eval)
            continue;
        s = rs_eval_result_users(eval, a->row[f], RS_EVAL_NDCG, t->users_a + n,
                                 t->values_a + n, t->n_users - n, &na);
        if (s == RS_OK)
            s = rs_eval_result_users(eval, b->row[f], RS_EVAL_NDCG, t->users_b + n,
                                     t->values_b + n, t->n_users - n, &nb);
        if (s != RS_OK)
            return s;
        if (na != nb)
            return rs__fail(RS_ERR_INTERNAL, "tuning: rows of %zu and %zu users", na, nb);
        for (size_t i = n; i < n + na; i++) {
            double diff = t->values_a[i] - t->values_b[i];
            uint32_t u = t->users_a[i];
            if (u != t->users_b[i])
                return rs__fail(RS_ERR_INTERNAL, "tuning: rows list users differently");
            t->values_a[i] = isnan(diff) ? 0.0 : diff; /* the differences from here */
            t->period[i] = (uint8_t)(2 * f + (u < d->n_late_span && d->late[u]));
            sum += t->values_a[i];
            g->period[t->period[i]] += t->values_a[i];
            g->n_period[t->period[i]]++;
        }
        n += na;
    }
    if (n == 0)
        return rs__fail(RS_ERR_INTERNAL, "tuning: no validation user in a paired gain");
    g->mean = sum / (double)n;
    for (int p = 0; p < N_PERIODS; p++)
        g->period[p] = g->n_period[p] ? g->period[p] / (double)g->n_period[p] : 0.0;
    rs__rng_init(&rng, (uint64_t)rs__model_opt_int(&t->m->options, "build.tune_seed"), 0x7e57,
                 (uint64_t)group, 0);
    for (int r = 0; r < BOOTSTRAP; r++) {
        double m[N_PERIODS + 1] = {0};
        size_t c[N_PERIODS + 1] = {0};
        for (size_t i = 0; i < n; i++) {
            size_t j = (size_t)rs__rng_below(&rng, n);
            m[0] += t->values_a[j], c[0]++;
            m[1 + t->period[j]] += t->values_a[j], c[1 + t->period[j]]++;
        }
        for (int k = 0; k <= N_PERIODS; k++) {
            double v = c[k] ? m[k] / (double)c[k] : 0.0;
            acc[k] += v;
            acc2[k] += v * v;
        }
    }
    for (int k = 0; k <= N_PERIODS; k++) {
        double mu = acc[k] / BOOTSTRAP;
        double se = sqrt(fmax(0.0, acc2[k] / BOOTSTRAP - mu * mu));
        if (k == 0)
            g->se = n > 1 ? se : INFINITY;
        else
            g->period_se[k - 1] = g->n_period[k - 1] > 1 ? se : INFINITY;
    }
    return RS_OK;
}

/* How many standard errors of the paired per-user gain a step that adds
 * complexity must clear: the best of a few grid values is tried per step,
 * so one standard error would let noise in too often (the planted test
 * world, where texts are noise, shows it). */
#define GUARD_SE 2.0

/* A row of the report saying how a guarded step was judged. */
static int note_guard(struct tuner *t, const char *label, const struct gain *g, bool taken)
{
    json_t *row = json_object(), *periods = json_array();
    if (!row || !periods) {
        json_decref(row);
        json_decref(periods);
        return rs__fail(RS_ERR_NOMEM, "tuning: out of memory for the report");
    }
    for (int p = 0; p < N_PERIODS; p++)
        if (g->n_period[p]) {
            json_t *one = json_object();
            jput(&t->json_failed, one, "origin", json_integer(p / 2));
            jput(&t->json_failed, one, "half", json_string(p % 2 ? "late" : "early"));
            jput(&t->json_failed, one, "users", json_integer((json_int_t)g->n_period[p]));
            jput(&t->json_failed, one, "gain", json_real(g->period[p]));
            jput(&t->json_failed, one, "se", json_real(g->period_se[p]));
            jpush(&t->json_failed, periods, one);
        }
    jput(&t->json_failed, row, "stage", json_string("guard"));
    jput(&t->json_failed, row, "candidate", json_string(label));
    jput(&t->json_failed, row, "gain", json_real(g->mean));
    jput(&t->json_failed, row, "se", json_real(g->se));
    jput(&t->json_failed, row, "periods", periods);
    jput(&t->json_failed, row, "taken", json_boolean(taken));
    jpush(&t->json_failed, t->rows, row);
    return RS_OK;
}

/* Whether a step that adds complexity is trusted: its paired gain clears
 * GUARD_SE bootstrap standard errors, and it helps in every period: the
 * users who come back soon after a cut and those who come back late, in
 * every validation window.  A signal whose gain does not last over a
 * window, or holds in one period and not the one before (a snapshot of
 * that season's trends), is not trusted to last after the build either. */
static bool trusted(const struct gain *g)
{
    if (!(g->mean > GUARD_SE * g->se))
        return false;
    for (int p = 0; p < N_PERIODS; p++)
        if (g->n_period[p] && !(g->period[p] > 0))
            return false;
    return true;
}

/* Replace best by c when better: strictly (singles), or when trusted()
 * (steps that add complexity). */
static int consider(struct tuner *t, int group, struct config *best, const struct config *c,
                    const char *label, bool guarded, bool *taken)
{
    struct gain g;
    bool better = c->ndcg > best->ndcg;
    int s = RS_OK;
    *taken = false;
    if (guarded) {
        if ((s = paired_gain(t, group, c, best, &g)) != RS_OK)
            return s;
        better = better && trusted(&g);
        if ((s = note_guard(t, label, &g, better)) != RS_OK)
            return s;
    }
    if (better) {
        rs__model_options_free(&best->o);
        s = config_copy(best, c);
        *taken = s == RS_OK;
    }
    return s;
}

/* ------------------------------------------------------------ stage A */

/* A configuration with one warm signal alone (the blend weights 0 but one). */
static int alone(const struct tuner *t, struct config *c, const char *weight)
{
    int s = RS_OK;
    for (size_t i = 0; s == RS_OK && i < N_BLEND; i++)
        if (!fixed(t->m, blend_names[i])) /* the caller's weights stay */
            s = rs__model_options_set_number(&c->o, blend_names[i],
                           strcmp(blend_names[i], weight) == 0 ? 1.0 : 0.0);
    return s;
}

/* Evaluate candidate (its collaborative model alone) and keep the best. */
static int try_cf(struct tuner *t, struct config *best, struct config *cand, const char *label)
{
    const char *names[8];
    int kind = rs__model_options_cf_kind(&cand->o), s;
    bool taken;
    size_t n = kind_options(kind, names);
    cand->ndcg = -1;
    if ((s = alone(t, cand, "scorer.w_collab")) != RS_OK)
        return s;
    if ((s = use_cf(t, &cand->o)) == RS_ERR_RANGE || s == RS_ERR_LIMIT) {
        /* a candidate this data cannot have (more eigenvectors than items,
         * a catalogue too large for a dense kind): noted, not chosen */
        json_t *row = json_object();
        if (!row)
            return rs__fail(RS_ERR_NOMEM, "tuning: out of memory for the report");
        jput(&t->json_failed, row, "stage", json_string("single"));
        jput(&t->json_failed, row, "candidate", json_string(label));
        jput(&t->json_failed, row, "not_fitted", json_string(rs_errmsg()));
        jpush(&t->json_failed, t->rows, row);
        rs_clear_error();
        return RS_OK;
    }
    if (s != RS_OK || (s = evaluate(t, RS_EVAL_WARM, "single", label, cand, names, n)) != RS_OK)
        return s;
    return consider(t, RS_EVAL_WARM, best, cand, label, false, &taken);
}

/* Remember a single candidate with its complexity (see choose_simplest). */
static int keep_single(struct tuner *t, const struct config *c, int complexity)
{
    int s;
    if (t->n_singles == sizeof t->singles / sizeof t->singles[0])
        return rs__fail(RS_ERR_INTERNAL, "tuning: too many single candidates");
    if ((s = config_copy(&t->singles[t->n_singles], c)) == RS_OK)
        t->complexity[t->n_singles++] = complexity;
    return s;
}

/*
 * Within noise, the simpler model: best (the best single) gives way to the
 * simplest single candidate whose validation NDCG is less than GUARD_SE
 * standard errors of the paired per-user difference below it.  Complexity
 * counts what a model fits and how many knobs it has: popularity 0, graph
 * and content 1, item-kNN and EASE 2, EDLAE and GF-CF 3, ALS and RP3beta 4.
 */
static int choose_simplest(struct tuner *t, struct config *best)
{
    int best_complexity = 1 << 30;
    size_t pick = SIZE_MAX;
    int s = RS_OK;
    for (size_t i = 0; i < t->n_singles; i++)
        if (t->singles[i].row[0] == best->row[0])
            best_complexity = t->complexity[i];
    for (int level = 0; s == RS_OK && level < best_complexity && pick == SIZE_MAX; level++)
        for (size_t i = 0; s == RS_OK && i < t->n_singles; i++) {
            struct gain g;
            if (t->complexity[i] != level)
                continue;
            if ((s = paired_gain(t, RS_EVAL_WARM, best, &t->singles[i], &g)) == RS_OK &&
                g.mean < GUARD_SE * g.se &&
                (pick == SIZE_MAX || t->singles[i].ndcg > t->singles[pick].ndcg))
                pick = i;
        }
    if (s == RS_OK && pick != SIZE_MAX) {
        rs__model_options_free(&best->o);
        s = config_copy(best, &t->singles[pick]);
    }
    return s;
}

/* One kind: its defaults, then a coordinate search over (name, factors). */
struct axis {
    const char *name;
    double factors[2]; /* a step down and a step up (0: none) */
    double lo, hi;
};

static int search_kind(struct tuner *t, const struct rs__model_options *base, const char *kind,
                       const struct axis *axes, size_t n_axes, int complexity,
                       struct config *best_single)
{
    struct config kbest, cand;
    char label[160];
    int s;
    memset(&kbest, 0, sizeof kbest);
    memset(&cand, 0, sizeof cand);
    kbest.ndcg = -1;
    if ((s = rs__model_options_copy(&cand.o, base)) != RS_OK)
        return s;
    s = rs__model_options_set(&cand.o, "build.cf", kind);
    snprintf(label, sizeof label, "%s (defaults)", kind);
    if (s == RS_OK)
        s = try_cf(t, best_single, &cand, label);
    if (s == RS_OK)
        s = config_copy(&kbest, &cand);
    /* each axis: a step down and a step up from the best so far, then on
     * in the direction that improved while it improves (at most 2 more) */
    for (size_t a = 0; s == RS_OK && a < n_axes; a++) {
        double dir = 0;
        if (fixed(t->m, axes[a].name))
            continue;
        for (size_t f = 0; s == RS_OK && f < 2 + 2 && (f < 2 || dir > 0); f++) {
            double factor = f < 2 ? axes[a].factors[f] : dir;
            double v = rs__model_opt_double(&kbest.o, axes[a].name) * factor;
            if (!(factor > 0) || v < axes[a].lo || v > axes[a].hi)
                continue;
            rs__model_options_free(&cand.o);
            if ((s = rs__model_options_copy(&cand.o, &kbest.o)) != RS_OK ||
                (s = rs__model_options_set_number(&cand.o, axes[a].name, v)) != RS_OK)
                break;
            snprintf(label, sizeof label, "%s %s=%g", kind, axes[a].name, v);
            if ((s = try_cf(t, best_single, &cand, label)) != RS_OK)
                break;
            if (cand.ndcg > kbest.ndcg) {
                rs__model_options_free(&kbest.o);
                s = config_copy(&kbest, &cand);
                dir = factor;
            } else if (f >= 2) {
                break; /* the direction stopped improving */
            }
            if (f == 0 && dir > 0)
                f++; /* down improved: no step up from the new point */
        }
    }
    if (s == RS_OK && kbest.ndcg >= 0)
        s = keep_single(t, &kbest, complexity);
    rs__model_options_free(&kbest.o);
    rs__model_options_free(&cand.o);
    return s;
}

static int stage_singles(struct tuner *t, const struct rs__model_options *base,
                         struct config *best)
{
    static const struct axis ease[] = {{"cf.ease.lambda", {0.5, 2}, 1, 1e7}};
    static const struct axis edlae[] = {{"cf.edlae.dropout", {0.4, 2}, 0.01, 0.9}};
    static const struct axis als[] = {{"cf.als.lambda", {1.0 / 3, 3}, 0.1, 1e6}};
    static const struct axis knn[] = {{"cf.knn.neighbors", {0.5, 2}, 5, 1e5}};
    static const struct axis rp3[] = {{"cf.rp3beta.alpha", {0.5, 0}, 0.01, 10},
                                      {"cf.rp3beta.beta", {0.6, 1.4}, 0.01, 2},
                                      {"cf.rp3beta.neighbors", {0.25, 0}, 5, 1e5}};
    static const struct {
        const char *kind;
        const struct axis *axes;
        size_t n;
        int complexity;
    } kinds[] = {{"ease", ease, 1, 2},   {"edlae", edlae, 1, 3}, {"als", als, 1, 4},
                 {"knn", knn, 1, 2},     {"rp3beta", rp3, 3, 4}, {"gfcf", NULL, 0, 3}};
    static const int single_complexity[] = {1, 1, 0}; /* content, graph, popularity */
    static const char *const singles[] = {"scorer.w_content", "scorer.w_graph",
                                          "scorer.w_popularity"};
    const char *given = rs__model_opt_text(&t->m->options, "build.cf");
    bool cf_fixed = fixed(t->m, "build.cf");
    struct config c;
    int s = RS_OK;
    bool taken;
    memset(&c, 0, sizeof c);
    /* every collaborative kind, or the caller's alone */
    for (size_t k = 0; s == RS_OK && k < sizeof kinds / sizeof kinds[0]; k++)
        if (!cf_fixed || strcmp(given, kinds[k].kind) == 0)
            s = search_kind(t, base, kinds[k].kind, kinds[k].axes, kinds[k].n,
                            kinds[k].complexity, best);
    /* the signals of a model without a collaborative part */
    if (cf_fixed && strcmp(given, "none") != 0)
        return s;
    for (size_t i = 0; s == RS_OK && i < sizeof singles / sizeof singles[0]; i++) {
        const char *names[] = {"build.cf", singles[i]};
        if ((s = rs__model_options_copy(&c.o, base)) == RS_OK &&
            (s = rs__model_options_set(&c.o, "build.cf", "none")) == RS_OK &&
            (s = alone(t, &c, singles[i])) == RS_OK && (s = use_cf(t, &c.o)) == RS_OK &&
            (s = evaluate(t, RS_EVAL_WARM, "single", singles[i] + strlen("scorer.w_"), &c, names,
                          2)) == RS_OK &&
            (s = keep_single(t, &c, single_complexity[i])) == RS_OK)
            s = consider(t, RS_EVAL_WARM, best, &c, NULL, false, &taken);
        rs__model_options_free(&c.o);
    }
    return s;
}

/* ------------------------------------------------------------ stage B */

/* Values a coordinate step tries at most. */
#define STEP_VALUES 4

/* One coordinate step of stages B and C: option name of base set to each of
 * values[0 .. n) (its current value skipped), evaluated on group's
 * runners; the best of them that consider() trusts replaces base (so a
 * value that helps everywhere is not lost behind one that helps more on
 * average but not in every period). */
static int guarded_step(struct tuner *t, int group, const char *stage, struct config *base,
                        const char *name, const double *values, size_t n,
                        const char *const *names, size_t n_names, bool *taken)
{
    struct config c[STEP_VALUES];
    char label[STEP_VALUES][160];
    bool tried[STEP_VALUES] = {false};
    double now = rs__model_opt_double(&base->o, name);
    size_t m = 0;
    int s = RS_OK;
    memset(c, 0, sizeof c);
    *taken = false;
    for (size_t k = 0; s == RS_OK && k < n && m < STEP_VALUES; k++) {
        if (values[k] == now)
            continue;
        if ((s = rs__model_options_copy(&c[m].o, &base->o)) != RS_OK)
            break;
        m++;
        if ((s = rs__model_options_set_number(&c[m - 1].o, name, values[k])) != RS_OK)
            break;
        snprintf(label[m - 1], sizeof label[m - 1], "%s %s=%g", stage, name, values[k]);
        s = evaluate(t, group, stage, label[m - 1], &c[m - 1], names, n_names);
    }
    /* the values by validation NDCG, best first, until one is taken */
    while (s == RS_OK && !*taken) {
        size_t pick = SIZE_MAX;
        for (size_t k = 0; k < m; k++)
            if (!tried[k] && c[k].ndcg > base->ndcg &&
                (pick == SIZE_MAX || c[k].ndcg > c[pick].ndcg))
                pick = k;
        if (pick == SIZE_MAX)
            break;
        tried[pick] = true;
        s = consider(t, group, base, &c[pick], label[pick], true, taken);
    }
    for (size_t k = 0; k < m; k++)
        rs__model_options_free(&c[k].o);
    return s;
}

static int stage_blend(struct tuner *t, struct config *best)
{
    size_t anchor = 0, step = 0, last_move = 0, tried_at[N_BLEND] = {0};
    int s = use_cf(t, &best->o);
    for (size_t w = 0; w < N_BLEND; w++)
        if (rs__model_opt_double(&best->o, blend_names[w]) == 1.0)
            anchor = w;
    for (int pass = 0; s == RS_OK && pass < 2; pass++) {
        bool moved = false;
        for (size_t w = 0; s == RS_OK && w < N_BLEND; w++) {
            double now = rs__model_opt_double(&best->o, blend_names[w]), values[4];
            size_t n = 0;
            bool taken = false;
            /* the anchor (the best single's own weight: scaling it alone
             * changes no ranking) and weights the caller fixed stay */
            if (fixed(t->m, blend_names[w]) || w == anchor ||
                (w == 0 && rs__model_options_cf_kind(&best->o) < 0))
                continue;
            /* the same step from the same point was judged already */
            if (tried_at[w] && tried_at[w] > last_move)
                continue;
            if (now > 0) { /* a weight in use: half and one and a half of it */
                values[n++] = now * 0.5;
                values[n++] = now * 1.5;
            } else {
                for (size_t k = 0; k < sizeof blend_steps / sizeof blend_steps[0]; k++)
                    values[n++] = blend_steps[k];
            }
            s = guarded_step(t, RS_EVAL_WARM, "blend", best, blend_names[w], values, n, blend_names,
                             N_BLEND, &taken);
            tried_at[w] = ++step;
            if (taken)
                last_move = step;
            moved |= taken;
        }
        if (!moved)
            break;
    }
    return s;
}

/* ------------------------------------------------------------ stage C */

static const char *const cold_names[] = {"scorer.w_segment", "scorer.segment_shrink",
                                         "scorer.w_first_basket", "scorer.w_cold_popularity"};
#define N_COLD 4

static int stage_cold(struct tuner *t, struct config *best)
{
    static const double grid[N_COLD][4] = {
        {1, 3, 10, 30}, {1, 5, 20, 0}, {0.3, 1, 3, 0}, {0.1, 0.3, 1, 0}};
    struct config start, c;
    char label[160];
    bool taken;
    int s;
    memset(&start, 0, sizeof start);
    memset(&c, 0, sizeof c);
    bool any_cold = false;
    for (size_t f = 0; f < t->n_folds; f++)
        any_cold |= t->fold[f].cold != NULL;
    if (!any_cold)
        return RS_OK;
    if ((s = config_copy(&start, best)) != RS_OK ||
        (s = evaluate(t, RS_EVAL_COLD, "cold", "cold (current)", &start, cold_names, N_COLD)) !=
            RS_OK) {
        rs__model_options_free(&start.o);
        return s;
    }
    /* single cold signals: segment, popularity, first basket alone, each
     * replacing the current blend only when trusted (it helps in every
     * validation window: the cold signals follow the season, recent
     * popularity most of all) */
    for (int single = 0; s == RS_OK && single < 3; single++) {
        static const char *const only[] = {"scorer.w_segment", "scorer.w_cold_popularity",
                                           "scorer.w_first_basket"};
        bool skip = false;
        rs__model_options_free(&c.o);
        if ((s = rs__model_options_copy(&c.o, &best->o)) != RS_OK)
            break;
        for (int k = 0; s == RS_OK && k < 3; k++) {
            const char *name = only[k];
            skip |= fixed(t->m, name);
            s = rs__model_options_set_number(&c.o, name, k == single ? 1.0 : 0.0);
        }
        if (skip)
            continue;
        snprintf(label, sizeof label, "cold %s alone", only[single]);
        if (s == RS_OK && (s = evaluate(t, RS_EVAL_COLD, "cold", label, &c, cold_names, N_COLD)) ==
                              RS_OK)
            s = consider(t, RS_EVAL_COLD, &start, &c, label, true, &taken);
    }
    for (size_t w = 0; s == RS_OK && w < N_COLD; w++) {
        size_t n = 0;
        while (n < 4 && grid[w][n] > 0)
            n++;
        if (!fixed(t->m, cold_names[w]))
            s = guarded_step(t, RS_EVAL_COLD, "cold", &start, cold_names[w], grid[w], n, cold_names,
                             N_COLD, &taken);
    }
    /* the warm choice with the cold weights chosen */
    for (size_t w = 0; s == RS_OK && w < N_COLD; w++)
        s = rs__model_options_set_number(&best->o, cold_names[w],
                                         rs__model_opt_double(&start.o, cold_names[w]));
    rs__model_options_free(&start.o);
    rs__model_options_free(&c.o);
    return s;
}

/* ------------------------------------------------------------ set-up */

/* The validation split of fold f (its own copy of the events, d->me): the
 * last share of the time range (or build.tune_window_days) for fold 0,
 * the window of the same length before it for fold 1, and so on, later
 * events left out; or a random per-user split (fold 0 only).  *why set
 * (and RS_OK) when fold 0 is impossible; *skip when fold f > 0 is (too
 * little time before its window). */
static int split(struct tuner *t, size_t f, const char **kind_out, const char **why,
                 bool *skip)
{
    const struct rs__model_options *o = &t->m->options;
    struct fold *d = &t->fold[f];
    const char *want = rs__model_opt_text(o, "build.tune_split");
    double fraction = rs__model_opt_double(o, "build.tune_fraction");
    double window = rs__model_opt_double(o, "build.tune_window_days");
    double cut0, width;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    int s = RS_OK;
    for (size_t i = 0; i < d->me.n; i++) {
        lo = d->me.rows[i].time < lo ? d->me.rows[i].time : lo;
        hi = d->me.rows[i].time > hi ? d->me.rows[i].time : hi;
    }
    d->cut = NAN;
    *skip = false;
    if (d->me.n == 0) {
        *why = "no interaction events";
        return RS_OK;
    }
    if (strcmp(want, "random") == 0 || (strcmp(want, "auto") == 0 && !(hi > lo))) {
        *kind_out = "random";
        if (f > 0) { /* one random split: it has no periods to repeat over */
            *skip = true;
            return RS_OK;
        }
        return rs_events_split_random(d->me.events, fraction, 2,
                                      (uint64_t)rs__model_opt_int(o, "build.tune_seed"),
                                      RS_PART_TEST);
    }
    if (!(hi > lo)) {
        *why = "the events carry no usable times for a temporal split";
        return RS_OK;
    }
    *kind_out = "temporal";
    cut0 = (double)lo + ceil((double)(hi - lo) * (1.0 - fraction));
    if (window > 0 && (double)hi - window * 86400.0 > (double)lo)
        cut0 = (double)hi - floor(window * 86400.0); /* shaped like the served period */
    width = (double)hi - cut0;
    d->cut = cut0 - (double)f * width;
    if (f > 0 && !(d->cut - width > (double)lo)) { /* at least a window of history */
        *skip = true;
        return RS_OK;
    }
    if (f > 0) /* the later windows' events: neither trained on nor validated */
        s = rs_events_split_temporal(d->me.events, (int64_t)(d->cut + width), RS_PART_VALID);
    if (s == RS_OK)
        s = rs_events_split_temporal(d->me.events, (int64_t)d->cut, RS_PART_TEST);
    /* the fold's train copy keeps only the entity facts (descriptions,
     * countries, attribute edges) that rows before its cut gave, as
     * rs_model_evaluate's does: validation must not see its own future */
    if (s == RS_OK)
        s = rs__model_eval_set_cut(t->m, &d->me, (int64_t)d->cut);
    return s;
}

/* d->late: per event-log user, whether the user's first validation event
 * falls in the second half of the fold's validation events' time range. */
static int mark_late(struct fold *d)
{
    size_t span = rs_eval_user_span(d->warm), n = rs_events_count(d->me.events);
    int64_t *first = rs__alloc_array(span ? span : 1, sizeof *first);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    uint32_t *eval_of = rs__alloc_array(span ? span : 1, sizeof *eval_of);
    rs_idmap *index = rs__idmap_create();
    int s = first && eval_of && index && (d->late = rs__calloc(span ? span : 1, 1))
                ? RS_OK
                : RS_ERR_NOMEM;
    d->n_late_span = d->late ? span : 0;
    /* the runner's user index of each key */
    for (size_t u = 0; s == RS_OK && u < span; u++) {
        const char *key = rs_eval_user_key(d->warm, (uint32_t)u);
        uint32_t got;
        first[u] = INT64_MAX;
        if (key && (s = rs__idmap_intern(index, key, strlen(key), &got, NULL)) == RS_OK &&
            got < span)
            eval_of[got] = (uint32_t)u;
    }
    for (size_t i = 0; s == RS_OK && i < n; i++) {
        const char *user;
        int64_t time;
        int part;
        uint32_t u;
        if ((s = rs_events_get(d->me.events, i, &user, NULL, &time, NULL, &part)) != RS_OK ||
            part != RS_PART_TEST)
            continue;
        lo = time < lo ? time : lo;
        hi = time > hi ? time : hi;
        if ((u = rs__idmap_find(index, user, strlen(user))) != RS_IDMAP_NONE && u < span &&
            time < first[eval_of[u]])
            first[eval_of[u]] = time;
    }
    for (size_t u = 0; s == RS_OK && u < span; u++)
        d->late[u] = first[u] != INT64_MAX && (double)first[u] > ((double)lo + (double)hi) / 2;
    rs__idmap_free(index);
    free(eval_of);
    free(first);
    return s;
}

static int make_eval(const rs_model *m, struct fold *d, int group, rs_eval **out,
                     size_t *n_users)
{
    rs_eval *eval = NULL;
    int s = rs_eval_create(d->me.events, RS_PART_TEST, &eval);
    if (s == RS_OK)
        s = rs__model_options_apply_eval(&m->options, eval);
    if (s == RS_OK)
        s = rs_eval_set_int(eval, RS_EVAL_GROUP, group);
    if (s == RS_OK) {
        s = rs_eval_users(eval, NULL, 0, n_users);
        if (s == RS_ERR_BUFFER)
            s = RS_OK;
    }
    if (s == RS_ERR_NOMEM) { /* not "too few users": the selection would be skipped */
        rs_eval_free(eval);
        *out = NULL;
        return s;
    }
    rs_clear_error();
    if (s != RS_OK || *n_users < MIN_VALIDATION_USERS) {
        rs_eval_free(eval);
        eval = NULL;
        *n_users = 0;
    }
    *out = eval;
    return s;
}

static void fold_free(struct fold *d)
{
    rs_cf_model_free(d->cf);
    rs__model_parts_free(&d->parts);
    rs__model_events_free(&d->train_ev);
    rs_graph_close(d->train);
    rs_eval_free(d->warm);
    rs_eval_free(d->cold);
    rs__model_eval_events_free(&d->me);
    free(d->late);
    memset(d, 0, sizeof *d);
}

static void tuner_free(struct tuner *t)
{
    for (size_t f = 0; f < t->n_folds; f++)
        fold_free(&t->fold[f]);
    json_decref(t->rows);
    free(t->users_a);
    free(t->users_b);
    free(t->values_a);
    free(t->values_b);
    free(t->period);
    for (size_t i = 0; i < t->n_singles; i++)
        rs__model_options_free(&t->singles[i].o);
}

/* Fold f set up: split, runners, train graph, the fixed parts fitted.  *why
 * when fold 0 cannot validate; *used false when a later fold is left out. */
static int fold_setup(struct tuner *t, size_t f, const struct rs__model_options *chosen,
                      const char **kind, const char **why, bool *used)
{
    struct fold *d = &t->fold[f];
    const rs_model *m = t->m;
    bool skip = false;
    int s = rs__model_eval_events(m, &d->me);
    *used = false;
    if (s == RS_OK)
        s = split(t, f, kind, why, &skip);
    if (s != RS_OK || *why || skip)
        return s;
    if ((s = make_eval(m, d, RS_EVAL_WARM, &d->warm, &d->n_warm)) != RS_OK)
        return s;
    if (!d->warm) {
        if (f == 0)
            *why = "too few users with a validation event and a history before it";
        return RS_OK;
    }
    if ((s = mark_late(d)) == RS_OK)
        s = make_eval(m, d, RS_EVAL_COLD, &d->cold, &d->n_cold);
    if (s == RS_OK)
        s = rs__model_train_graph(m, &d->me, true, &d->train);
    if (s == RS_OK) {
        struct rs__model_options base;
        if ((s = rs__model_options_copy(&base, chosen)) == RS_OK &&
            (s = rs__model_options_set(&base, "build.cf", "none")) == RS_OK &&
            (s = rs__model_fit(d->train, &base, &d->parts)) == RS_OK)
            s = rs__model_events_read(d->train, rs__model_opt_text(chosen, "build.relation"),
                                      &d->train_ev);
        rs__model_options_free(&base);
    }
    *used = s == RS_OK;
    return s;
}

/* The report's text (malloc'ed) from its parts. */
static int report_text(json_t *report, char **out)
{
    char *text = json_dumps(report, JSON_COMPACT | JSON_REAL_PRECISION(6));
    if (!text)
        return rs__fail(RS_ERR_NOMEM, "tuning: out of memory writing the report");
    *out = rs__strdup(text);
    free(text);
    return *out ? RS_OK : RS_ERR_NOMEM;
}

int rs__model_tune(const rs_model *m, struct rs__model_options *chosen, char **report_out)
{
    struct tuner t;
    struct config best;
    const char *kind = "none", *why = NULL;
    size_t n_warm = 0, n_cold = 0, want;
    json_t *report = json_object(), *cuts = json_array();
    struct timespec w0, w1;
    char too_large[320];
    int s;
    if (rs__model_scale_skip_tune(m, too_large, sizeof too_large)) {
        json_decref(report);
        json_decref(cuts);
        return rs__model_scale_untuned(m, too_large, chosen, report_out);
    }
    clock_gettime(CLOCK_MONOTONIC, &w0);
    memset(&t, 0, sizeof t);
    memset(&best, 0, sizeof best);
    *report_out = NULL;
    t.m = m;
    t.rows = json_array();
    if (!report || !t.rows || !cuts) {
        json_decref(report);
        json_decref(cuts);
        json_decref(t.rows);
        return rs__fail(RS_ERR_NOMEM, "tuning: out of memory");
    }
    if ((s = rs__model_options_copy(chosen, &m->options)) != RS_OK) {
        json_decref(report);
        json_decref(cuts);
        json_decref(t.rows);
        return s;
    }
    want = (size_t)rs__model_opt_int(&m->options, "build.tune_origins");
    want = want < 1 ? 1 : want > MAX_FOLDS ? MAX_FOLDS : want;
    rs__progress_init(&t.pr, m);
    rs__progress_stage(&t.pr, "tune", TUNE_ESTIMATE);
    for (size_t f = 0; s == RS_OK && !why && f < want; f++) {
        bool used = false;
        t.n_folds = f + 1; /* so that tuner_free frees it */
        s = fold_setup(&t, f, chosen, &kind, &why, &used);
        if (s == RS_OK && !used) {
            fold_free(&t.fold[f]);
            t.n_folds = f;
            break;
        }
        n_warm += t.fold[f].n_warm;
        n_cold += t.fold[f].n_cold;
        if (!isnan(t.fold[f].cut))
            jpush(&t.json_failed, cuts, json_integer((json_int_t)t.fold[f].cut));
    }
    if (s == RS_OK && !why) {
        size_t n = 0;
        for (size_t f = 0; f < t.n_folds; f++)
            n += t.fold[f].n_warm > t.fold[f].n_cold ? t.fold[f].n_warm : t.fold[f].n_cold;
        t.n_users = n;
        t.users_a = rs__alloc_array(n, sizeof *t.users_a);
        t.users_b = rs__alloc_array(n, sizeof *t.users_b);
        t.values_a = rs__alloc_array(n, sizeof *t.values_a);
        t.values_b = rs__alloc_array(n, sizeof *t.values_b);
        t.period = rs__alloc_array(n, sizeof *t.period);
        if (!t.users_a || !t.users_b || !t.values_a || !t.values_b || !t.period)
            s = RS_ERR_NOMEM;
    }
    if (s == RS_OK && !why) {
        best.ndcg = -1;
        s = stage_singles(&t, chosen, &best);
        if (s == RS_OK && best.ndcg < 0)
            why = "no candidate could be evaluated";
        else if (s == RS_OK)
            s = choose_simplest(&t, &best);
    }
    if (s == RS_OK && !why)
        s = stage_blend(&t, &best);
    if (s == RS_OK && !why)
        s = stage_cold(&t, &best);
    if (s == RS_OK)
        rs__progress_end(&t.pr);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    if (s == RS_OK) {
        jput(&t.json_failed, report, "split", json_string(why ? "none" : kind));
        if (json_array_size(cuts))
            jref(&t.json_failed, report, "cut", json_array_get(cuts, 0));
        jref(&t.json_failed, report, "cuts", cuts);
        jput(&t.json_failed, report, "origins", json_integer((json_int_t)t.n_folds));
        jput(&t.json_failed, report, "validation_fraction",
                            json_real(rs__model_opt_double(&m->options, "build.tune_fraction")));
        jput(&t.json_failed, report, "validation_window_days",
                            json_real(rs__model_opt_double(&m->options,
                                                           "build.tune_window_days")));
        jput(&t.json_failed, report, "warm_users", json_integer((json_int_t)n_warm));
        jput(&t.json_failed, report, "cold_users", json_integer((json_int_t)n_cold));
        jput(&t.json_failed, report, "seconds",
                            json_real((double)(w1.tv_sec - w0.tv_sec) +
                                      (double)(w1.tv_nsec - w0.tv_nsec) / 1e9));
        if (why) {
            jput(&t.json_failed, report, "skipped", json_string(why));
        } else {
            const char *names[N_BLEND + N_COLD + 8];
            size_t n = kind_options(rs__model_options_cf_kind(&best.o), names);
            for (size_t i = 0; i < N_BLEND; i++)
                names[n++] = blend_names[i];
            for (size_t i = 0; i < N_COLD; i++)
                names[n++] = cold_names[i];
            jput(&t.json_failed, report, "chosen", options_json(&best.o, names, n));
            jput(&t.json_failed, report, "chosen_ndcg", json_real(best.ndcg));
            jref(&t.json_failed, report, "candidates", t.rows);
            rs__model_options_free(chosen);
            s = rs__model_options_copy(chosen, &best.o);
        }
    }
    if (s == RS_OK && t.json_failed)
        s = rs__fail(RS_ERR_NOMEM, "tuning: out of memory for the report");
    if (s == RS_OK)
        s = report_text(report, report_out);
    json_decref(report);
    json_decref(cuts);
    rs__model_options_free(&best.o);
    tuner_free(&t);
    if (s != RS_OK) {
        rs__model_options_free(chosen);
        return rs__fail_context("choosing the configuration on validation: ");
    }
    return RS_OK;
}
