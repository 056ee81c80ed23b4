/*
 * run.c - the simulation loop, per-step metrics and trace, statistics and
 * snapshots.
 */
#include "sim/sim_internal.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/rng.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USERS_PER_TASK 256
#define STREAM_RETURN 0x5105

typedef struct step_ctx {
    rs_sim *s;
    size_t k;
    const uint32_t *slates;
    rs__sim_response *resp;
    double *ild;
} step_ctx;

static int step_task(void *vctx, size_t task, unsigned worker)
{
    (void)worker;
    step_ctx *c = vctx;
    rs_sim *s = c->s;
    size_t lo = task * USERS_PER_TASK, hi = lo + USERS_PER_TASK;
    if (hi > s->n_users)
        hi = s->n_users;
    size_t next = lo;
    while (next < hi && !s->active[next])
        next++;
    if (next < hi)
        rs__sim_prefetch(s, (uint32_t)next, c->slates + next * c->k, c->k);
    while (next < hi) {
        size_t u = next;
        for (next = u + 1; next < hi && !s->active[next]; next++)
            ;
        if (next < hi)
            rs__sim_prefetch(s, (uint32_t)next, c->slates + next * c->k, c->k);
        const uint32_t *slate = c->slates + u * c->k;
        c->ild[u] = rs__sim_ild(s, slate, c->k);
        if (!(s->responder && s->hosted[u])) /* else answered by the host already */
            rs__sim_draw(s, (uint32_t)u, s->step, slate, c->k, c->ild[u], &c->resp[u]);
        rs__sim_apply(s, (uint32_t)u, slate, &c->resp[u]);
    }
    return 0;
}

/*
 * Gini of the counts: LSD radix sort (11 bits a pass, only as many passes as
 * the largest count needs) into scratch (2n entries), then the usual sum.
 */
double rs__sim_gini(const uint64_t *counts, size_t n, uint64_t *scratch)
{
    uint64_t mx = 0;
    for (size_t i = 0; i < n; i++)
        mx = counts[i] > mx ? counts[i] : mx;
    uint64_t *a = scratch, *b = scratch + n;
    memcpy(a, counts, n * sizeof *a);
    for (unsigned shift = 0; shift < 64 && (mx >> shift) != 0; shift += 11) {
        size_t start[2049] = {0};
        for (size_t i = 0; i < n; i++)
            start[((a[i] >> shift) & 2047) + 1]++;
        for (size_t d = 1; d <= 2048; d++)
            start[d] += start[d - 1];
        for (size_t i = 0; i < n; i++)
            b[start[(a[i] >> shift) & 2047]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    double num = 0, tot = 0;
    for (size_t i = 0; i < n; i++) {
        num += (2.0 * (double)(i + 1) - (double)n - 1.0) * (double)a[i];
        tot += (double)a[i];
    }
    return tot > 0 ? num / ((double)n * tot) : 0.0;
}

int rs_sim_run(rs_sim *s, rs_sim_policy_fn policy, void *policy_context,
               rs_sim_feedback_fn feedback, void *feedback_context, uint64_t steps,
               size_t k, const char *trace_path)
{
    if (!s || !policy)
        return rs__fail(RS_ERR_INVALID, "rs_sim_run: %s is NULL", s ? "policy" : "sim");
    return rs__sim_run_loop(s, policy, NULL, policy_context, feedback, feedback_context,
                            steps, k, trace_path);
}

int rs__sim_run_loop(rs_sim *s, rs_sim_policy_fn policy, rs__sim_batch_policy_fn batch,
                     void *policy_context, rs_sim_feedback_fn feedback,
                     void *feedback_context, uint64_t steps, size_t k, const char *trace_path)
{
    if (k == 0 || k > RS_SIM_MAX_SLATE)
        return rs__fail(RS_ERR_RANGE, "rs_sim_run: slate_size %zu outside 1 .. %d", k,
                        RS_SIM_MAX_SLATE);
    int rc = RS_OK;
    FILE *trace = NULL;
    uint32_t *slates = rs__alloc_array(s->n_users, k * sizeof(uint32_t));
    rs__sim_response *resp = rs__alloc_array(s->n_users, sizeof *resp);
    double *ild = rs__alloc_array(s->n_users, sizeof *ild);
    uint64_t *scratch = rs__alloc_array(s->n_items, 2 * sizeof *scratch);
    uint64_t *cat_clicks = rs__alloc_array(s->n_cat, sizeof *cat_clicks);
    uint8_t *returned = rs__alloc_array(s->n_users, 1);
    if (!slates || !resp || !ild || !scratch || !cat_clicks || !returned) {
        rc = RS_ERR_NOMEM;
        goto done;
    }
    if (trace_path) {
        trace = fopen(trace_path, "w");
        if (!trace) {
            rc = rs__fail(RS_ERR_IO, "rs_sim_run: cannot write %s: %s", trace_path,
                          strerror(errno));
            goto done;
        }
        fputs("step,active,clicks,purchases,ctr,mean_rating,leaves,returns,reward,"
              "cum_reward,coverage,diversity,gini,entropy\n", trace);
    }
    size_t n_tasks = (s->n_users + USERS_PER_TASK - 1) / USERS_PER_TASK;
    for (uint64_t t = 0; t < steps; t++) {
        /* Returns, then the policy, on this thread in user order. */
        uint64_t returns = 0, active = 0;
        for (size_t u = 0; u < s->n_users; u++) {
            returned[u] = 0;
            if (!s->active[u] && u >= s->user_lo && u < s->user_hi) {
                rs_rng rng;
                rs__rng_init(&rng, s->seed, STREAM_RETURN, u, s->step);
                if (rs__rng_uniform(&rng) < rs__sim_return_prob(s, (uint32_t)u))
                    returned[u] = 1;
            }
        }
        if (batch) {
            for (size_t u = 0; u < s->n_users; u++)
                returned[u] |= (uint8_t)(s->active[u] << 1); /* bit 1: shown a slate */
            rc = batch(policy_context, s, returned, k, slates);
            for (size_t u = 0; u < s->n_users; u++)
                returned[u] &= 1;
            if (rc)
                goto done;
        }
        for (size_t u = 0; u < s->n_users; u++) {
            if (!s->active[u] && !returned[u])
                continue;
            uint32_t *slate = slates + u * k;
            if (!batch && policy(policy_context, (uint32_t)u, s->step, k, slate) != 0) {
                rc = rs__fail(RS_ERR_CALLBACK, "rs_sim_run: the policy failed for user %zu "
                              "at step %llu", u, (unsigned long long)s->step);
                goto done;
            }
            for (size_t j = 0; j < k; j++)
                if (slate[j] >= s->n_items) {
                    rc = rs__fail(RS_ERR_CALLBACK, "rs_sim_run: the policy gave item %u >= "
                                  "n_items %zu for user %zu", slate[j], s->n_items, u);
                    goto done;
                }
        }
        /* Validated: now the step is applied. */
        for (size_t u = 0; u < s->n_users; u++)
            if (returned[u]) {
                s->active[u] = 1;
                s->session_len[u] = 0;
                s->time_used[u] = 0;
                returns++;
            }
        /* Hosted users are answered by the host's responder, in user order. */
        if (s->responder)
            for (size_t u = 0; u < s->n_users; u++) {
                if (!s->active[u] || !s->hosted[u])
                    continue;
                rs__sim_response *r = &resp[u];
                int pos = -1, beh = RS_SIM_SKIP, rating = 0, left = 0;
                if (s->responder(s->responder_ctx, (uint32_t)u, s->step, slates + u * k, k, &pos,
                                 &beh, &rating, &left) != 0) {
                    rc = rs__fail(RS_ERR_CALLBACK, "rs_sim_run: the responder failed for user "
                                  "%zu at step %llu", u, (unsigned long long)s->step);
                    goto done;
                }
                if (pos < -1 || pos >= (int)k || (pos < 0) != (beh == RS_SIM_SKIP) ||
                    beh < RS_SIM_SKIP || beh > RS_SIM_PURCHASE || rating < 0 || rating > 5 ||
                    (pos >= 0 && rating == 0) || (pos < 0 && rating != 0)) {
                    rc = rs__fail(RS_ERR_CALLBACK, "rs_sim_run: the responder gave position %d, "
                                  "behaviour %d, rating %d for user %zu (slate of %zu)", pos,
                                  beh, rating, u, k);
                    goto done;
                }
                r->position = pos;
                r->behaviour = beh;
                r->rating = rating;
                r->left = left != 0 || rs__sim_out_of_time(s, (uint32_t)u, pos >= 0);
            }
        step_ctx c = {s, k, slates, resp, ild};
        rc = rs__parallel_for(n_tasks, s->threads, step_task, &c);
        if (rc)
            goto done;
        uint64_t clicks = 0, purchases = 0, rating_sum = 0, leaves = 0;
        double ild_sum = 0;
        memset(cat_clicks, 0, s->n_cat * sizeof *cat_clicks);
        s->n_ild_log = 0;
        for (size_t u = 0; u < s->n_users; u++) {
            if (!s->active[u])
                continue;
            active++;
            const uint32_t *slate = slates + u * k;
            for (size_t j = 0; j < k; j++)
                if (s->exposure[slate[j]]++ == 0)
                    s->st.shown_items++;
            ild_sum += ild[u];
            if (s->ild_log)
                s->ild_log[s->n_ild_log++] = ild[u];
            s->session_len[u]++;
            const rs__sim_response *r = &resp[u];
            if (r->position >= 0) {
                clicks++;
                s->clicks[slate[r->position]]++;
                cat_clicks[s->cat[slate[r->position]]]++;
                rating_sum += (uint64_t)r->rating;
                if (rs__sim_is_truth(s, (uint32_t)u, slate[r->position]))
                    s->st.truth_clicks++;
                if (r->behaviour == RS_SIM_PURCHASE)
                    purchases++;
            }
        }
        for (size_t u = 0; u < s->n_users; u++) {
            if (!s->active[u])
                continue;
            const rs__sim_response *r = &resp[u];
            if (feedback)
                rs_clear_error(); /* to tell the library's own out-of-memory below */
            if (feedback && feedback(feedback_context, (uint32_t)u, s->step, slates + u * k,
                                     k, r->position, r->behaviour, r->rating, r->left)) {
                rc = rs__fail(rs_errcode() == RS_ERR_NOMEM ? RS_ERR_NOMEM : RS_ERR_CALLBACK,
                              "rs_sim_run: the feedback failed for user %zu at step %llu", u,
                              (unsigned long long)s->step);
                feedback = NULL; /* finish the step, then stop */
            }
            if (r->left) {
                leaves++;
                s->st.ended_session_steps += s->session_len[u];
                s->active[u] = 0;
            }
        }
        rs__sim_update_pop(s);
        double g = rs__sim_gini(s->exposure, s->n_items, scratch);
        /* truth clicks and ended sessions went into s->st in the loop */
        const rs__sim_stats step = {.impressions = active, .clicks = clicks,
                                    .purchases = purchases, .rating_sum = rating_sum,
                                    .leaves = leaves, .returns = returns, .ild_sum = ild_sum};
        double entropy = rs__sim_stats_add_step(&s->st, &step, cat_clicks, s->n_cat, g);
        if (trace)
            fprintf(trace, "%llu,%llu,%llu,%llu,%.9g,%.9g,%llu,%llu,%llu,%llu,%.9g,%.9g,%.9g,"
                    "%.9g\n", (unsigned long long)s->step, (unsigned long long)active,
                    (unsigned long long)clicks, (unsigned long long)purchases,
                    active ? (double)clicks / (double)active : 0.0,
                    clicks ? (double)rating_sum / (double)clicks : 0.0,
                    (unsigned long long)leaves, (unsigned long long)returns,
                    (unsigned long long)(clicks + purchases),
                    (unsigned long long)(s->st.clicks + s->st.purchases),
                    (double)s->st.shown_items / (double)s->n_items,
                    active ? ild_sum / (double)active : 0.0, g, entropy);
        s->step++;
        if (rc)
            goto done;
    }
done:
    if (trace && fclose(trace) != 0 && rc == RS_OK)
        rc = rs__fail(RS_ERR_IO, "rs_sim_run: cannot write %s", trace_path);
    free(slates);
    free(resp);
    free(ild);
    free(scratch);
    free(cat_clicks);
    free(returned);
    return rc;
}

static double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

int rs_sim_stat(const rs_sim *s, int stat, double *v)
{
    if (!s || !v)
        return rs__fail(RS_ERR_INVALID, "rs_sim_stat: %s is NULL", s ? "value_out" : "sim");
    return rs__sim_stats_value(&s->st, s->n_items, stat, v);
}

double rs__sim_stats_add_step(rs__sim_stats *t, const rs__sim_stats *step,
                              const uint64_t *cat_clicks, size_t n_cat, double gini)
{
    double entropy = 0;
    for (size_t c = 0; c < n_cat; c++)
        if (cat_clicks[c]) {
            double q = (double)cat_clicks[c] / (double)step->clicks;
            entropy -= q * log2(q);
        }
    t->steps++;
    t->impressions += step->impressions;
    t->clicks += step->clicks;
    t->purchases += step->purchases;
    t->rating_sum += step->rating_sum;
    t->leaves += step->leaves;
    t->returns += step->returns;
    t->ended_session_steps += step->ended_session_steps;
    t->truth_clicks += step->truth_clicks;
    t->ild_sum += step->ild_sum;
    t->entropy_sum += entropy;
    t->gini = gini;
    return entropy;
}

int rs__sim_stats_value(const rs__sim_stats *t, size_t n_items, int stat, double *v)
{
    switch (stat) {
    case RS_SIM_STAT_STEPS: *v = (double)t->steps; break;
    case RS_SIM_STAT_IMPRESSIONS: *v = (double)t->impressions; break;
    case RS_SIM_STAT_CLICKS: *v = (double)t->clicks; break;
    case RS_SIM_STAT_PURCHASES: *v = (double)t->purchases; break;
    case RS_SIM_STAT_CTR: *v = ratio((double)t->clicks, (double)t->impressions); break;
    case RS_SIM_STAT_MEAN_RATING: *v = ratio((double)t->rating_sum, (double)t->clicks); break;
    case RS_SIM_STAT_LEAVES: *v = (double)t->leaves; break;
    case RS_SIM_STAT_RETURNS: *v = (double)t->returns; break;
    case RS_SIM_STAT_RETURN_RATE: *v = ratio((double)t->returns, (double)t->leaves); break;
    case RS_SIM_STAT_SESSION_LENGTH:
        *v = ratio((double)t->ended_session_steps, (double)t->leaves);
        break;
    case RS_SIM_STAT_REWARD: *v = (double)(t->clicks + t->purchases); break;
    case RS_SIM_STAT_COVERAGE: *v = (double)t->shown_items / (double)n_items; break;
    case RS_SIM_STAT_DIVERSITY: *v = ratio(t->ild_sum, (double)t->impressions); break;
    case RS_SIM_STAT_GINI: *v = t->gini; break;
    case RS_SIM_STAT_ENTROPY: *v = ratio(t->entropy_sum, (double)t->steps); break;
    case RS_SIM_STAT_TRUTH_CLICKS: *v = (double)t->truth_clicks; break;
    default: return rs__fail(RS_ERR_INVALID, "rs_sim_stat: unknown statistic %d", stat);
    }
    return RS_OK;
}

/* ------------------------------------------------------------ snapshots */

static const char snap_magic[8] = {'R', 'S', 'S', 'I', 'M', '0', '0', '2'};

typedef struct snap_header {
    char magic[8];
    uint64_t n_users, n_items, dim, n_cat, step;
} snap_header;

static size_t snap_size(const rs_sim *s)
{
    /* Sizes were overflow-checked at creation (each array exists). */
    return sizeof(snap_header) + sizeof(rs__sim_stats) +
           s->n_users * (s->dim * sizeof(float) + sizeof(rs__sim_trait) +
                         s->n_cat * sizeof(float) + 1 + sizeof(uint32_t) + sizeof(float)) +
           s->n_items * 2 * sizeof(uint64_t);
}

#define PUT(p, src, len) (memcpy((p), (src), (len)), (p) += (len))
#define GET(dst, p, len) (memcpy((dst), (p), (len)), (p) += (len))

int rs_sim_snapshot(const rs_sim *s, void *buf, size_t capacity, size_t *size_out)
{
    if (!s || !size_out)
        return rs__fail(RS_ERR_INVALID, "rs_sim_snapshot: %s is NULL", s ? "size_out" : "sim");
    size_t need = snap_size(s);
    *size_out = need;
    if (!buf || capacity < need)
        return rs__fail(RS_ERR_BUFFER, "rs_sim_snapshot: %zu bytes needed, capacity %zu",
                        need, buf ? capacity : 0);
    snap_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, snap_magic, 8);
    h.n_users = s->n_users;
    h.n_items = s->n_items;
    h.dim = s->dim;
    h.n_cat = s->n_cat;
    h.step = s->step;
    unsigned char *p = buf;
    PUT(p, &h, sizeof h);
    PUT(p, &s->st, sizeof s->st);
    PUT(p, s->interest, s->n_users * s->dim * sizeof(float));
    PUT(p, s->trait, s->n_users * sizeof(rs__sim_trait));
    PUT(p, s->fatigue, s->n_users * s->n_cat * sizeof(float));
    PUT(p, s->active, s->n_users);
    PUT(p, s->session_len, s->n_users * sizeof(uint32_t));
    PUT(p, s->time_used, s->n_users * sizeof(float));
    PUT(p, s->clicks, s->n_items * sizeof(uint64_t));
    PUT(p, s->exposure, s->n_items * sizeof(uint64_t));
    return RS_OK;
}

int rs_sim_restore(rs_sim *s, const void *buf, size_t size)
{
    if (!s || !buf)
        return rs__fail(RS_ERR_INVALID, "rs_sim_restore: %s is NULL", s ? "buf" : "sim");
    snap_header h;
    if (size < sizeof h)
        return rs__fail(RS_ERR_CORRUPT, "rs_sim_restore: %zu bytes is too short", size);
    memcpy(&h, buf, sizeof h);
    if (memcmp(h.magic, snap_magic, 8) != 0)
        return rs__fail(RS_ERR_CORRUPT, "rs_sim_restore: not a simulator snapshot");
    if (h.n_users != s->n_users || h.n_items != s->n_items || h.dim != s->dim ||
        h.n_cat != s->n_cat)
        return rs__fail(RS_ERR_CORRUPT, "rs_sim_restore: snapshot of %llu users, %llu items, "
                        "dim %llu, %llu categories; simulator has %zu, %zu, %zu, %zu",
                        (unsigned long long)h.n_users, (unsigned long long)h.n_items,
                        (unsigned long long)h.dim, (unsigned long long)h.n_cat, s->n_users,
                        s->n_items, s->dim, s->n_cat);
    if (size != snap_size(s))
        return rs__fail(RS_ERR_CORRUPT, "rs_sim_restore: %zu bytes, expected %zu", size,
                        snap_size(s));
    const unsigned char *p = (const unsigned char *)buf + sizeof h;
    const unsigned char *q = p + sizeof s->st + s->n_users * s->dim * sizeof(float);
    /* Validate before changing anything. */
    for (size_t u = 0; u < s->n_users; u++) {
        rs__sim_trait t;
        memcpy(&t, q + u * sizeof t, sizeof t);
        if (!(t.activity >= 0 && t.activity <= 1 && t.conformity >= 0 &&
              t.conformity <= 1 && t.diversity >= 0 && t.diversity <= 1))
            return rs__fail(RS_ERR_CORRUPT, "rs_sim_restore: user %zu has bad traits", u);
    }
    /* session times follow the fatigue, activity and session lengths */
    const unsigned char *times = q + s->n_users * (sizeof(rs__sim_trait) +
                                                   s->n_cat * sizeof(float) + 1 +
                                                   sizeof(uint32_t));
    for (size_t u = 0; u < s->n_users; u++) {
        float tu;
        memcpy(&tu, times + u * sizeof tu, sizeof tu);
        if (!(tu >= 0 && tu <= 3.4e38f))
            return rs__fail(RS_ERR_CORRUPT, "rs_sim_restore: user %zu has session time %g", u,
                            (double)tu);
    }
    s->step = h.step;
    GET(&s->st, p, sizeof s->st);
    GET(s->interest, p, s->n_users * s->dim * sizeof(float));
    GET(s->trait, p, s->n_users * sizeof(rs__sim_trait));
    GET(s->fatigue, p, s->n_users * s->n_cat * sizeof(float));
    GET(s->active, p, s->n_users);
    GET(s->session_len, p, s->n_users * sizeof(uint32_t));
    GET(s->time_used, p, s->n_users * sizeof(float));
    GET(s->clicks, p, s->n_items * sizeof(uint64_t));
    GET(s->exposure, p, s->n_items * sizeof(uint64_t));
    for (size_t u = 0; u < s->n_users; u++)
        s->active[u] = s->active[u] ? 1 : 0;
    rs__sim_update_pop(s);
    return RS_OK;
}
