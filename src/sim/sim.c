/*
 * sim.c - the user simulator: population, response model, loop, metrics,
 * snapshots.  See rs_sim_create(3) for the model.
 *
 * Determinism: every draw is keyed on (seed, stream, user, step); within a
 * step the users only touch their own state in the parallel phase, and all
 * shared state (popularity, exposure, statistics) is updated afterwards on
 * the calling thread in user order.
 */
#include "sim/sim_internal.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/fastmath.h"
#include "core/parallel.h"
#include "core/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { STREAM_POPULATE = 0x5100 };

static double logit(double p) { return log(p / (1.0 - p)); }

static void set_defaults(rs_sim *s)
{
    static const double def[RS__SIM_N_DOUBLE] = {
        1.0, 1.0, 0.85, 0.05, 1.0, 0.5, 0.8, 1.0, 0.1, 0.2, -1.0, 0.5,
        0.5, 0.3, 0.5, 1.0, 0.5, 0.0, 0.0, 2.0, 0.0, 1.0};
    memcpy(s->opt, def, sizeof def);
    s->position_model = RS_SIM_PBM;
    s->threads = 0;
    s->log_noclick = log(s->opt[RS_SIM_NOCLICK]);
    s->log_decay = log(s->opt[RS_SIM_POSITION_DECAY]);
}

static int check_double(int option, double v)
{
    if (isnan(v))
        return rs__fail(RS_ERR_RANGE, "rs_sim option %d: value is NaN", option);
    double lo = 0, hi = 1;
    int open_lo = 0, open_hi = 0;
    switch (option) {
    case RS_SIM_TEMPERATURE: open_lo = 1; hi = 1e6; break;
    case RS_SIM_NOCLICK: open_lo = 1; hi = 1e12; break;
    case RS_SIM_POSITION_DECAY: open_lo = 1; break;
    case RS_SIM_DRIFT: case RS_SIM_FATIGUE_DECAY: case RS_SIM_LEAVE_HAZARD:
    case RS_SIM_RETURN_RATE: break;
    case RS_SIM_CONFORMITY_WEIGHT: case RS_SIM_FATIGUE_WEIGHT: hi = 100; break;
    case RS_SIM_BOREDOM_THRESHOLD: hi = 1e6; break;
    case RS_SIM_PURCHASE_BIAS: lo = -50; hi = 50; break;
    case RS_SIM_RATING_NOISE: case RS_SIM_TRAIT_SPREAD: hi = 10; break;
    case RS_SIM_ACTIVITY_MEAN: case RS_SIM_CONFORMITY_MEAN: case RS_SIM_DIVERSITY_MEAN:
        open_lo = open_hi = 1; break;
    case RS_SIM_INTEREST_NOISE: hi = 100; break;
    case RS_SIM_DIVERSITY_EFFECT: lo = -100; hi = 100; break;
    case RS_SIM_TIME_BUDGET: hi = 1e9; break;
    case RS_SIM_CLICK_TIME: hi = 1e6; break;
    case RS_SIM_GRAPH_DRIFT: break;
    case RS_SIM_TRUTH_BONUS: hi = 100; break;
    default: return rs__fail(RS_ERR_INVALID, "rs_sim: unknown double option %d", option);
    }
    if ((open_lo ? v <= lo : v < lo) || (open_hi ? v >= hi : v > hi))
        return rs__fail(RS_ERR_RANGE, "rs_sim option %d: %g outside %c%g, %g%c", option, v,
                        open_lo ? '(' : '[', lo, hi, open_hi ? ')' : ']');
    return RS_OK;
}

int rs_sim_set_double(rs_sim *sim, int option, double value)
{
    if (!sim)
        return rs__fail(RS_ERR_INVALID, "rs_sim_set_double: sim is NULL");
    int rc = check_double(option, value);
    if (rc)
        return rc;
    sim->opt[option] = value;
    sim->log_noclick = log(sim->opt[RS_SIM_NOCLICK]);
    sim->log_decay = log(sim->opt[RS_SIM_POSITION_DECAY]);
    return RS_OK;
}

int rs_sim_get_double(const rs_sim *sim, int option, double *value_out)
{
    if (!sim || !value_out)
        return rs__fail(RS_ERR_INVALID, "rs_sim_get_double: %s is NULL",
                        sim ? "value_out" : "sim");
    if (option < 0 || option >= RS__SIM_N_DOUBLE)
        return rs__fail(RS_ERR_INVALID, "rs_sim: unknown double option %d", option);
    *value_out = sim->opt[option];
    return RS_OK;
}

int rs_sim_set_int(rs_sim *sim, int option, int64_t value)
{
    if (!sim)
        return rs__fail(RS_ERR_INVALID, "rs_sim_set_int: sim is NULL");
    switch (option) {
    case RS_SIM_POSITION_MODEL:
        if (value != RS_SIM_PBM && value != RS_SIM_CASCADE)
            return rs__fail(RS_ERR_RANGE, "RS_SIM_POSITION_MODEL: %lld is not a model",
                            (long long)value);
        sim->position_model = (int)value;
        return RS_OK;
    case RS_SIM_THREADS:
        if (value < 0 || value > 1024)
            return rs__fail(RS_ERR_RANGE, "RS_SIM_THREADS: %lld outside 0 .. 1024",
                            (long long)value);
        sim->threads = (unsigned)value;
        return RS_OK;
    default:
        return rs__fail(RS_ERR_INVALID, "rs_sim: unknown int option %d", option);
    }
}

int rs_sim_get_int(const rs_sim *sim, int option, int64_t *value_out)
{
    if (!sim || !value_out)
        return rs__fail(RS_ERR_INVALID, "rs_sim_get_int: %s is NULL",
                        sim ? "value_out" : "sim");
    switch (option) {
    case RS_SIM_POSITION_MODEL: *value_out = sim->position_model; return RS_OK;
    case RS_SIM_THREADS: *value_out = sim->threads; return RS_OK;
    default: return rs__fail(RS_ERR_INVALID, "rs_sim: unknown int option %d", option);
    }
}

/* ------------------------------------------------------------ creation */

void rs_sim_free(rs_sim *sim)
{
    if (!sim)
        return;
    rs__aligned_free(sim->items);
    free(sim->item_inv_norm);
    free(sim->cat);
    free(sim->interest);
    free(sim->trait);
    free(sim->fatigue);
    free(sim->active);
    free(sim->session_len);
    free(sim->clicks);
    free(sim->exposure);
    free(sim->pop);
    free(sim->time_used);
    free(sim->rel_start);
    free(sim->rel_item);
    free(sim->hosted);
    if (sim->truth)
        for (size_t u = 0; u < sim->n_users; u++)
            free(sim->truth[u]);
    free(sim->truth);
    free(sim->n_truth);
    free(sim);
}

int rs_sim_create(const float *items, size_t n_items, size_t dim, const uint32_t *categories,
                  size_t n_categories, size_t n_users, uint64_t seed, rs_sim **out)
{
    return rs__sim_create_given(items, n_items, dim, categories, n_categories, n_users, seed, 0,
                                out);
}

int rs__sim_create_given(const float *items, size_t n_items, size_t dim,
                         const uint32_t *categories, size_t n_categories, size_t n_users,
                         uint64_t seed, size_t n_given, rs_sim **out)
{
    if (!items || !out)
        return rs__fail(RS_ERR_INVALID, "rs_sim_create: %s is NULL", items ? "out" : "items");
    if (n_items == 0 || n_items > UINT32_MAX)
        return rs__fail(RS_ERR_RANGE, "rs_sim_create: n_items %zu outside 1 .. 2^32-1", n_items);
    if (dim == 0 || dim > 65536)
        return rs__fail(RS_ERR_RANGE, "rs_sim_create: dim %zu outside 1 .. 65536", dim);
    if (n_users == 0 || n_users > ((size_t)1 << 31))
        return rs__fail(RS_ERR_RANGE, "rs_sim_create: n_users %zu outside 1 .. 2^31", n_users);
    if (!categories)
        n_categories = 1;
    if (n_categories == 0 || n_categories > 65536)
        return rs__fail(RS_ERR_RANGE, "rs_sim_create: n_categories %zu outside 1 .. 65536",
                        n_categories);
    size_t n_cells, fat_cells, tmp;
    int rc = rs__mul_size(n_items, dim, &n_cells);
    if (rc)
        return rc;
    if ((rc = rs__mul_size(n_users, n_categories, &fat_cells)) ||
        (rc = rs__mul_size(n_users, dim, &tmp)))
        return rc;
    for (size_t i = 0; i < n_cells; i++)
        if (!isfinite(items[i]))
            return rs__fail(RS_ERR_RANGE, "rs_sim_create: item %zu component %zu is not finite",
                            i / dim, i % dim);
    if (categories)
        for (size_t i = 0; i < n_items; i++)
            if (categories[i] >= n_categories)
                return rs__fail(RS_ERR_RANGE,
                                "rs_sim_create: category %u of item %zu >= n_categories %zu",
                                categories[i], i, n_categories);
    rs_sim *s = rs__calloc(1, sizeof *s);
    if (!s)
        return RS_ERR_NOMEM;
    s->n_items = n_items;
    s->dim = dim;
    s->n_cat = n_categories;
    s->n_users = n_users;
    s->user_hi = n_users;
    s->seed = seed;
    rs_rng key_rng;
    rs__rng_init(&key_rng, seed, 0x5101 /* respond.c's STREAM_CHOICE */, 0, 0);
    memcpy(s->choice_key, key_rng.key, sizeof s->choice_key);
    s->kernel = rs__sim_cpu_kernel();
    set_defaults(s);
    /* rows start on cache lines: a dim-32 row is exactly two lines */
    s->items = n_cells <= SIZE_MAX / sizeof(float)
                   ? rs__aligned_alloc(64, n_cells * sizeof(float)) : NULL;
    s->item_inv_norm = rs__alloc_array(n_items, sizeof(float));
    s->cat = rs__calloc(n_items, sizeof(uint32_t));
    s->interest = rs__calloc(tmp, sizeof(float)); /* the given users' stay 0 */
    s->trait = rs__alloc_array(n_users, sizeof *s->trait);
    s->fatigue = rs__alloc_array(fat_cells, sizeof(float));
    s->active = rs__alloc_array(n_users, 1);
    s->session_len = rs__alloc_array(n_users, sizeof(uint32_t));
    s->clicks = rs__alloc_array(n_items, sizeof(uint64_t));
    s->exposure = rs__alloc_array(n_items, sizeof(uint64_t));
    s->pop = rs__alloc_array(n_items, sizeof(float));
    s->time_used = rs__calloc(n_users, sizeof(float));
    s->hosted = rs__calloc(n_users, 1);
    if (!s->items || !s->item_inv_norm || !s->cat || !s->interest || !s->trait ||
        !s->fatigue || !s->active || !s->session_len || !s->clicks || !s->exposure ||
        !s->pop || !s->time_used || !s->hosted) {
        rs_sim_free(s);
        return RS_ERR_NOMEM;
    }
    memcpy(s->items, items, n_cells * sizeof(float));
    if (categories)
        memcpy(s->cat, categories, n_items * sizeof(uint32_t));
    for (size_t i = 0; i < n_items; i++) {
        double nn = 0;
        for (size_t k = 0; k < dim; k++)
            nn += (double)items[i * dim + k] * items[i * dim + k];
        s->item_inv_norm[i] = nn > 0 ? (float)(1.0 / sqrt(nn)) : 0.0f;
    }
    rs__sim_populate_given(s, n_given);
    *out = s;
    return RS_OK;
}

int rs_sim_populate(rs_sim *s)
{
    if (!s)
        return rs__fail(RS_ERR_INVALID, "rs_sim_populate: sim is NULL");
    return rs__sim_populate_given(s, 0);
}

int rs__sim_populate_given(rs_sim *s, size_t n_given)
{
    double spread = s->opt[RS_SIM_TRAIT_SPREAD];
    double noise = s->opt[RS_SIM_INTEREST_NOISE] / sqrt((double)s->dim);
    double mu[3] = {logit(s->opt[RS_SIM_ACTIVITY_MEAN]), logit(s->opt[RS_SIM_CONFORMITY_MEAN]),
                    logit(s->opt[RS_SIM_DIVERSITY_MEAN])};
    for (size_t u = 0; u < s->n_users; u++) {
        rs_rng rng;
        rs__rng_init(&rng, s->seed, STREAM_POPULATE, u, 0);
        size_t seed_item = (size_t)rs__rng_below(&rng, s->n_items);
        float *v = s->interest + u * s->dim;
        const float *x = s->items + seed_item * s->dim;
        if (u < n_given) {
            /* the draws of the interest skipped: a normal pair is two u64,
             * four words (an odd last one drawn, for its spare) */
            rs__rng_skip_u32(&rng, (uint64_t)(s->dim / 2) * 4);
            if (s->dim % 2)
                (void)rs__rng_normal(&rng);
        } else {
            for (size_t k = 0; k < s->dim; k++)
                v[k] = (float)(x[k] + noise * rs__rng_normal(&rng));
        }
        rs__sim_trait *t = &s->trait[u];
        t->activity = (float)rs__sigmoid(mu[0] + spread * rs__rng_normal(&rng));
        t->conformity = (float)rs__sigmoid(mu[1] + spread * rs__rng_normal(&rng));
        t->diversity = (float)rs__sigmoid(mu[2] + spread * rs__rng_normal(&rng));
        s->active[u] = 1;
        s->session_len[u] = 0;
        s->time_used[u] = 0;
    }
    memset(s->fatigue, 0, s->n_users * s->n_cat * sizeof(float));
    memset(s->clicks, 0, s->n_items * sizeof(uint64_t));
    memset(s->exposure, 0, s->n_items * sizeof(uint64_t));
    memset(&s->st, 0, sizeof s->st);
    s->step = 0;
    rs__sim_update_pop(s);
    return RS_OK;
}

void rs__sim_set_user_range(rs_sim *s, size_t lo, size_t hi)
{
    s->user_lo = lo;
    s->user_hi = hi;
    for (size_t u = 0; u < s->n_users; u++)
        if (u < lo || u >= hi)
            s->active[u] = 0;
}

void rs__sim_update_pop(rs_sim *s)
{
    uint64_t mx = 0;
    for (size_t i = 0; i < s->n_items; i++)
        if (s->clicks[i] > mx)
            mx = s->clicks[i];
    double inv = mx ? 1.0 / log1p((double)mx) : 0.0;
    for (size_t i = 0; i < s->n_items; i++)
        s->pop[i] = (float)(log1p((double)s->clicks[i]) * inv);
}

/* Apply a response to the user's own state: drift (spread over the clicked
 * item's related items when set), fatigue, session time. */
void rs__sim_apply(rs_sim *s, uint32_t u, const uint32_t *slate, const rs__sim_response *r)
{
    float *fat = s->fatigue + (size_t)u * s->n_cat;
    float rho = (float)s->opt[RS_SIM_FATIGUE_DECAY];
    for (size_t c = 0; c < s->n_cat; c++)
        fat[c] *= rho;
    s->time_used[u] += 1.0f;
    if (r->position >= 0) {
        uint32_t i = slate[r->position];
        fat[s->cat[i]] += 1.0f;
        s->time_used[u] += (float)s->opt[RS_SIM_CLICK_TIME];
        float eta = (float)s->opt[RS_SIM_DRIFT];
        float *v = s->interest + (size_t)u * s->dim;
        const float *x = s->items + (size_t)i * s->dim;
        size_t lo = s->rel_start ? s->rel_start[i] : 0, hi = s->rel_start ? s->rel_start[i + 1] : 0;
        float spread = hi > lo ? (float)s->opt[RS_SIM_GRAPH_DRIFT] : 0.0f;
        float inv_n = hi > lo ? 1.0f / (float)(hi - lo) : 0.0f;
        for (size_t k = 0; k < s->dim; k++) {
            float rel = 0;
            for (size_t e = lo; e < hi; e++)
                rel += s->items[(size_t)s->rel_item[e] * s->dim + k];
            float target = (1.0f - spread) * x[k] + spread * rel * inv_n;
            v[k] += eta * (target - v[k]);
        }
    }
}

int rs_sim_set_related(rs_sim *sim, const size_t *starts, const uint32_t *related)
{
    if (!sim)
        return rs__fail(RS_ERR_INVALID, "rs_sim_set_related: sim is NULL");
    if (!starts) {
        free(sim->rel_start);
        free(sim->rel_item);
        sim->rel_start = NULL;
        sim->rel_item = NULL;
        return RS_OK;
    }
    if (starts[0] != 0)
        return rs__fail(RS_ERR_RANGE, "rs_sim_set_related: starts[0] is %zu, not 0", starts[0]);
    for (size_t i = 0; i < sim->n_items; i++)
        if (starts[i + 1] < starts[i])
            return rs__fail(RS_ERR_RANGE, "rs_sim_set_related: starts[%zu] < starts[%zu]",
                            i + 1, i);
    size_t n_rel = starts[sim->n_items];
    if (n_rel > 0 && !related)
        return rs__fail(RS_ERR_INVALID, "rs_sim_set_related: related is NULL");
    for (size_t e = 0; e < n_rel; e++)
        if (related[e] >= sim->n_items)
            return rs__fail(RS_ERR_NOTFOUND, "rs_sim_set_related: related[%zu] = %u >= "
                            "n_items %zu", e, related[e], sim->n_items);
    size_t *st = rs__alloc_array(sim->n_items + 1, sizeof *st);
    uint32_t *it = rs__alloc_array(n_rel ? n_rel : 1, sizeof *it);
    if (!st || !it) {
        free(st);
        free(it);
        return RS_ERR_NOMEM;
    }
    memcpy(st, starts, (sim->n_items + 1) * sizeof *st);
    if (n_rel)
        memcpy(it, related, n_rel * sizeof *it);
    free(sim->rel_start);
    free(sim->rel_item);
    sim->rel_start = st;
    sim->rel_item = it;
    return RS_OK;
}

int rs_sim_set_responder(rs_sim *sim, rs_sim_response_fn fn, void *context)
{
    if (!sim)
        return rs__fail(RS_ERR_INVALID, "rs_sim_set_responder: sim is NULL");
    sim->responder = fn;
    sim->responder_ctx = context;
    return RS_OK;
}

int rs_sim_set_hosted(rs_sim *sim, uint32_t user, int hosted)
{
    if (!sim)
        return rs__fail(RS_ERR_INVALID, "rs_sim_set_hosted: sim is NULL");
    if (user >= sim->n_users)
        return rs__fail(RS_ERR_NOTFOUND, "rs_sim_set_hosted: user %u >= n_users %zu", user,
                        sim->n_users);
    sim->hosted[user] = hosted ? 1 : 0;
    return RS_OK;
}

static int check_interest(const rs_sim *s, uint32_t user, const void *v, size_t dim,
                          const char *fn)
{
    if (!s || !v)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, s ? "vector" : "sim");
    if (user >= s->n_users)
        return rs__fail(RS_ERR_NOTFOUND, "%s: user %u >= n_users %zu", fn, user, s->n_users);
    if (dim != s->dim)
        return rs__fail(RS_ERR_DIM, "%s: dim %zu, the simulator's is %zu", fn, dim, s->dim);
    return RS_OK;
}

int rs_sim_set_interest(rs_sim *sim, uint32_t user, const float *vector, size_t dim)
{
    int rc = check_interest(sim, user, vector, dim, "rs_sim_set_interest");
    if (rc)
        return rc;
    for (size_t k = 0; k < dim; k++)
        if (!isfinite(vector[k]))
            return rs__fail(RS_ERR_RANGE, "rs_sim_set_interest: component %zu is not finite",
                            k);
    memcpy(sim->interest + (size_t)user * dim, vector, dim * sizeof(float));
    return RS_OK;
}

int rs_sim_get_interest(const rs_sim *sim, uint32_t user, float *vector_out, size_t dim)
{
    int rc = check_interest(sim, user, vector_out, dim, "rs_sim_get_interest");
    if (rc)
        return rc;
    memcpy(vector_out, sim->interest + (size_t)user * dim, dim * sizeof(float));
    return RS_OK;
}

/* ------------------------------------------------------------ held-out truth */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int rs__sim_is_truth(const rs_sim *s, uint32_t u, uint32_t i)
{
    if (!s->truth || !s->n_truth[u])
        return 0;
    const uint32_t *t = s->truth[u];
    size_t lo = 0, hi = s->n_truth[u];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n_truth[u] && t[lo] == i;
}

int rs_sim_set_truth(rs_sim *sim, uint32_t user, const uint32_t *items, size_t n,
                     double strength)
{
    if (!sim || (!items && n))
        return rs__fail(RS_ERR_INVALID, "rs_sim_set_truth: %s is NULL", sim ? "items" : "sim");
    if (user >= sim->n_users)
        return rs__fail(RS_ERR_NOTFOUND, "rs_sim_set_truth: user %u >= n_users %zu", user,
                        sim->n_users);
    if (n > UINT32_MAX)
        return rs__fail(RS_ERR_RANGE, "rs_sim_set_truth: %zu items", n);
    if (!(strength >= 0 && strength <= 1e6))
        return rs__fail(RS_ERR_RANGE, "rs_sim_set_truth: strength %g outside 0 .. 1e6",
                        strength);
    for (size_t j = 0; j < n; j++)
        if (items[j] >= sim->n_items)
            return rs__fail(RS_ERR_NOTFOUND, "rs_sim_set_truth: items[%zu] = %u >= n_items %zu",
                            j, items[j], sim->n_items);
    if (!sim->truth) {
        sim->truth = rs__calloc(sim->n_users, sizeof *sim->truth);
        sim->n_truth = rs__calloc(sim->n_users, sizeof *sim->n_truth);
        if (!sim->truth || !sim->n_truth) {
            free(sim->truth);
            free(sim->n_truth);
            sim->truth = NULL;
            sim->n_truth = NULL;
            return RS_ERR_NOMEM;
        }
    }
    uint32_t *copy = NULL;
    float *mean = NULL;
    if (n) {
        copy = rs__alloc_array(n, sizeof *copy);
        mean = rs__calloc(sim->dim, sizeof *mean);
        if (!copy || !mean) {
            free(copy);
            free(mean);
            return RS_ERR_NOMEM;
        }
        memcpy(copy, items, n * sizeof *copy);
        qsort(copy, n, sizeof *copy, cmp_u32);
        size_t w = 0;
        for (size_t j = 0; j < n; j++)
            if (w == 0 || copy[w - 1] != copy[j])
                copy[w++] = copy[j];
        n = w;
        /* the interest: strength x the unit mean of the items' unit vectors */
        double norm = 0;
        for (size_t j = 0; j < n; j++) {
            const float *x = sim->items + (size_t)copy[j] * sim->dim;
            float c = sim->item_inv_norm[copy[j]];
            for (size_t k = 0; k < sim->dim; k++)
                mean[k] += c * x[k];
        }
        for (size_t k = 0; k < sim->dim; k++)
            norm += (double)mean[k] * mean[k];
        float scale = norm > 0 ? (float)(strength / sqrt(norm)) : 0.0f;
        float *v = sim->interest + (size_t)user * sim->dim;
        for (size_t k = 0; strength > 0 && k < sim->dim; k++)
            v[k] = mean[k] * scale;
        free(mean);
    }
    free(sim->truth[user]);
    sim->truth[user] = copy;
    sim->n_truth[user] = (uint32_t)n;
    return RS_OK;
}
