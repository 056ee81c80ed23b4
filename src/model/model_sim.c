/*
 * model_sim.c - rs_model_simulate and rs_sim_trace: the simulator over the
 * model's catalogue, policies compared on the same population and random
 * numbers, every step's statistics kept in a trace.
 *
 * The "scorer" policy is the model's recommender over a copy of its user
 * model (clicks and purchases observed in the copy, so the model is not
 * changed); "popular" shows the most popular unseen items (popularity =
 * the mirrored users' histories); "random" a uniform random slate.
 */
#include "model/model_internal.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/topk.h"
#include "model/model_sim.h"
#include "sim/sim_scorer.h"
#include "user/user_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TRACE_STATS RS_SIM_STAT_COUNT
#define MAX_CATEGORIES 32  /* the most frequent product words; the rest "other" */
#define RANDOM_STREAM 0x52414e44u /* the random policy's stream ("RAND") */

struct rs_sim_trace {
    size_t n_policies;
    uint64_t steps;
    char **names;
    double *values;  /* [policy][step][stat] */
    double *seconds; /* per policy */
};

/* ------------------------------------------------------------ trace */

void rs_sim_trace_free(rs_sim_trace *t)
{
    if (!t)
        return;
    for (size_t p = 0; p < t->n_policies; p++)
        free(t->names ? t->names[p] : NULL);
    free(t->names);
    free(t->values);
    free(t->seconds);
    free(t);
}

size_t rs_sim_trace_policies(const rs_sim_trace *t) { return t ? t->n_policies : 0; }

const char *rs_sim_trace_policy_name(const rs_sim_trace *t, size_t policy)
{
    return t && policy < t->n_policies ? t->names[policy] : NULL;
}

uint64_t rs_sim_trace_steps(const rs_sim_trace *t) { return t ? t->steps : 0; }

int rs_sim_trace_value(const rs_sim_trace *t, size_t policy, uint64_t step, int stat,
                       double *value_out)
{
    const char *fn = "rs_sim_trace_value";
    if (!t || !value_out)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, t ? "value_out" : "trace");
    if (policy >= t->n_policies)
        return rs__fail(RS_ERR_RANGE, "%s: policy %zu outside 0 .. %zu", fn, policy,
                        t->n_policies - 1);
    if (step >= t->steps)
        return rs__fail(RS_ERR_RANGE, "%s: step %llu outside 0 .. %llu", fn,
                        (unsigned long long)step, (unsigned long long)(t->steps - 1));
    if (stat < 0 || stat >= TRACE_STATS)
        return rs__fail(RS_ERR_RANGE, "%s: statistic %d outside 0 .. %d", fn, stat,
                        TRACE_STATS - 1);
    *value_out = t->values[((size_t)policy * t->steps + step) * TRACE_STATS + (size_t)stat];
    return RS_OK;
}

double rs_sim_trace_seconds(const rs_sim_trace *t, size_t policy)
{
    return t && policy < t->n_policies ? t->seconds[policy] : 0.0;
}

double *rs__sim_trace_values(rs_sim_trace *t, size_t policy, double **seconds)
{
    *seconds = &t->seconds[policy];
    return t->values + policy * (size_t)t->steps * TRACE_STATS;
}

/* ------------------------------------------------------------ catalogue */

/* The text of an item (rs_graph_node_text) into buf, or its key when it
 * has none (or one longer than buf); RS_OK, or the status of a failed read
 * (out of memory: the key in its place would silently change the
 * categories). */
static int item_title(rs_graph *g, const char *key, char *buf, size_t size)
{
    uint32_t node;
    size_t len;
    rs_error_state saved;
    int s;
    rs__error_save(&saved);
    s = rs_graph_find_node(g, "item", key, &node);
    if (s == RS_OK)
        s = rs_graph_node_text(g, node, buf, size, &len);
    if (s != RS_OK && s != RS_ERR_NOTFOUND && s != RS_ERR_BUFFER)
        return s;
    rs__error_restore(&saved);
    if (s != RS_OK)
        snprintf(buf, size, "%s", key);
    return RS_OK;
}

/* item_title for the host responder's visit texts: a read that fails
 * leaves the key in the text's place (the error state as it was). */
const char *rs__model_item_text(const rs_model *m, const char *key, char *buf, size_t size)
{
    rs_error_state saved;
    rs__error_save(&saved);
    if (item_title(m->graph, key, buf, size) != RS_OK)
        snprintf(buf, size, "%s", key);
    rs__error_restore(&saved);
    return buf;
}

/*
 * The category of each item: the last word of its text that is not a
 * number (the product: LANTERN, MUG ...), the MAX_CATEGORIES - 1 most
 * frequent words that occur more than once kept, the rest pooled as the
 * last category.  of_item has n_items entries; *n_out categories.
 */
int rs__model_sim_categories(const rs_model *m, uint32_t *of_item, size_t *n_out)
{
    size_t n = m->n_items, n_words = 0, n_cat = 0;
    char **words = rs__calloc(n + 1, sizeof *words);
    size_t *word_of = rs__calloc(n + 1, sizeof *word_of);
    size_t *counts = rs__calloc(n + 1, sizeof *counts);
    size_t chosen[MAX_CATEGORIES];
    bool *taken = rs__calloc(n + 1, sizeof *taken);
    int s = words && word_of && counts && taken ? RS_OK : RS_ERR_NOMEM;
    for (size_t i = 0; s == RS_OK && i < n; i++) {
        char title[512], tokens[2048];
        const char *last = NULL;
        size_t needed = 0, count = 0, w;
        int got;
        if ((s = item_title(m->graph, m->item_keys[i], title, sizeof title)) != RS_OK)
            break;
        got = rs_embedder_tokenize(m->embedder, title, RS_TOKENS_WORDS, tokens, sizeof tokens,
                                   &needed, &count);
        if (got == RS_ERR_NOMEM) { /* "(none)" would change the categories */
            s = got;
            break;
        }
        if (got == RS_OK)
            for (const char *t = tokens; count--; t += strlen(t) + 1)
                if (strspn(t, "0123456789") != strlen(t))
                    last = t;
        if (!last)
            last = "(none)";
        for (w = 0; w < n_words && strcmp(words[w], last) != 0; w++)
            ;
        if (w == n_words && !(words[n_words++] = rs__strdup(last))) {
            s = RS_ERR_NOMEM;
            break;
        }
        counts[w]++;
        word_of[i] = w;
    }
    if (s == RS_OK)
        rs_clear_error(); /* the refused titles */
    /* the most frequent words, ties to the word met first */
    while (s == RS_OK && n_cat < MAX_CATEGORIES - 1) {
        size_t best = n_words;
        for (size_t w = 0; w < n_words; w++)
            if (!taken[w] && counts[w] > 1 && (best == n_words || counts[w] > counts[best]))
                best = w;
        if (best == n_words)
            break;
        taken[best] = true;
        chosen[n_cat++] = best;
    }
    for (size_t i = 0; s == RS_OK && i < n; i++) {
        of_item[i] = (uint32_t)n_cat;
        for (size_t k = 0; k < n_cat; k++)
            if (chosen[k] == word_of[i])
                of_item[i] = (uint32_t)k;
    }
    *n_out = n_cat + 1;
    for (size_t w = 0; words && w < n_words; w++)
        free(words[w]);
    free(words);
    free(word_of);
    free(counts);
    free(taken);
    return s;
}

/* ------------------------------------------------------------ population */

void rs__model_sim_population_free(struct rs__sim_population *p)
{
    for (size_t u = 0; p->keys && u < p->n_users; u++)
        free(p->keys[u]);
    free(p->keys);
    free(p->interests);
    free(p->seen0);
    free(p->by_popularity);
    memset(p, 0, sizeof *p);
}

/* The users of the graph the user model knows, in node order (at most
 * limit), their keys into keys (borrowed from the graph) when not NULL. */
static size_t model_users(const rs_model *m, const char **keys, size_t limit, float *vec)
{
    size_t span = rs_graph_node_span(m->graph), n = 0, dim = rs_item_store_dim(m->store);
    rs_error_state saved;
    rs__error_save(&saved);
    for (uint32_t v = 0; v < span && n < limit; v++) {
        const char *type, *key;
        if (rs_graph_node_key(m->graph, v, &type, &key) != RS_OK || strcmp(type, "user") != 0 ||
            rs_user_model_interest(m->users, key, vec, dim) != RS_OK)
            continue;
        if (keys)
            keys[n] = key;
        n++;
    }
    rs__error_restore(&saved);
    return n;
}

int rs__model_sim_population(const rs_model *m, size_t n_users, uint64_t seed,
                           struct rs__sim_population *p)
{
    size_t n_items = m->n_items, capacity = 0;
    const char **mirror_keys = NULL;
    double *popularity = NULL;
    uint32_t *history = NULL;
    uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
    double noise;
    int s = RS_OK;
    memset(p, 0, sizeof *p);
    p->dim = rs_item_store_dim(m->store);
    p->words = (n_items + 63) / 64;
    noise = 0.5 / sqrt((double)p->dim);
    {
        float *scratch = rs__alloc_array(p->dim, sizeof *scratch);
        if (!scratch)
            return RS_ERR_NOMEM;
        if (n_users == 0 && rs__model_opt_int(&m->options, "sim.fresh") == 0)
            n_users = model_users(m, NULL, SIZE_MAX, scratch);
        if (n_users == 0) {
            free(scratch);
            return rs__fail(RS_ERR_STATE, "rs_model_simulate: the model has no user with a "
                            "history to mirror (ask for n_users > 0)");
        }
        p->n_users = n_users;
        mirror_keys = rs__alloc_array(n_users, sizeof *mirror_keys);
        /* "sim.fresh" 1: generated users only, none mirrored */
        if (mirror_keys && rs__model_opt_int(&m->options, "sim.fresh") == 0)
            p->mirrored = model_users(m, mirror_keys, n_users, scratch);
        free(scratch);
    }
    p->keys = rs__calloc(n_users, sizeof *p->keys);
    p->interests = rs__alloc_array(p->mirrored ? p->mirrored : 1, p->dim * sizeof(float));
    p->seen0 = rs__calloc(n_users, p->words * sizeof *p->seen0);
    p->by_popularity = rs__alloc_array(n_items ? n_items : 1, sizeof *p->by_popularity);
    popularity = rs__calloc(n_items ? n_items : 1, sizeof *popularity);
    if (!mirror_keys || !p->keys || !p->interests || !p->seen0 || !p->by_popularity ||
        !popularity)
        s = RS_ERR_NOMEM;
    /* The mirrored users: their interest plus noise, their history seen. */
    for (size_t u = 0; s == RS_OK && u < p->mirrored; u++) {
        float *vec = p->interests + u * p->dim;
        size_t n = 0;
        if ((s = rs_user_model_interest(m->users, mirror_keys[u], vec, p->dim)) != RS_OK)
            break;
        s = rs_user_model_history(m->users, mirror_keys[u], history, NULL, capacity, &n);
        if (s == RS_ERR_BUFFER) {
            uint32_t *grown = rs__realloc_array(history, n, sizeof *grown);
            if (!grown) {
                s = RS_ERR_NOMEM;
                break;
            }
            history = grown;
            capacity = n;
            s = rs_user_model_history(m->users, mirror_keys[u], history, NULL, capacity, &n);
        }
        if (s != RS_OK)
            break;
        for (size_t k = 0; k < p->dim; k++)
            vec[k] += (float)(noise * rs__splitmix64_normal(&state));
        for (size_t i = 0; i < n; i++) {
            p->seen0[u * p->words + history[i] / 64] |= (uint64_t)1 << (history[i] % 64);
            popularity[history[i]] += 1.0;
        }
        if (!(p->keys[u] = rs__strdup(mirror_keys[u])))
            s = RS_ERR_NOMEM;
    }
    for (size_t u = p->mirrored; s == RS_OK && u < n_users; u++) {
        char key[32];
        snprintf(key, sizeof key, "sim-%zu", u);
        if (!(p->keys[u] = rs__strdup(key)))
            s = RS_ERR_NOMEM;
    }
    /* the popularity order (history counts, ties to the lower index) */
    if (s == RS_OK) {
        uint32_t *scratch = rs__alloc_array(n_items ? n_items : 1, sizeof *scratch);
        if (scratch)
            rs__rank_descending(popularity, n_items, p->by_popularity, scratch);
        else
            s = RS_ERR_NOMEM;
        free(scratch);
    }
    free(mirror_keys);
    free(popularity);
    free(history);
    if (s != RS_OK)
        rs__model_sim_population_free(p);
    return s;
}

/* ------------------------------------------------------------ policies */

struct run {
    const struct rs__sim_population *pop;
    size_t n_items;
    uint64_t *seen; /* n_users x words: never shown again by popular */
    uint64_t seed;
};

static int popular_policy(void *context, uint32_t user, uint64_t step, size_t slate_size,
                          uint32_t *slate_out)
{
    const struct run *r = context;
    const uint64_t *seen = r->seen + (size_t)user * r->pop->words;
    size_t n = 0;
    (void)step;
    for (size_t i = 0; n < slate_size && i < r->n_items; i++) {
        uint32_t item = r->pop->by_popularity[i];
        if (!(seen[item / 64] >> (item % 64) & 1))
            slate_out[n++] = item;
    }
    for (size_t i = 0; n < slate_size; i++) /* everything seen: repeat the top */
        slate_out[n++] = r->pop->by_popularity[i % r->n_items];
    return 0;
}

/* Distinct items drawn uniformly, keyed on (seed, user, step). */
static int random_policy(void *context, uint32_t user, uint64_t step, size_t slate_size,
                         uint32_t *slate_out)
{
    const struct run *r = context;
    rs_rng rng;
    rs__rng_init(&rng, r->seed, RANDOM_STREAM, user, step);
    for (size_t n = 0; n < slate_size;) {
        uint32_t item = (uint32_t)rs__rng_below(&rng, r->n_items);
        bool repeat = false;
        for (size_t j = 0; j < n && !repeat; j++)
            repeat = slate_out[j] == item;
        if (!repeat || slate_size > r->n_items)
            slate_out[n++] = item;
    }
    return 0;
}

/* Popular's feedback: a clicked item is never shown again. */
static int popular_feedback(void *context, uint32_t user, uint64_t step, const uint32_t *slate,
                            size_t slate_size, int position, int behaviour, int rating,
                            int left)
{
    struct run *r = context;
    uint32_t item;
    (void)step;
    (void)slate_size;
    (void)behaviour;
    (void)rating;
    (void)left;
    if (position < 0)
        return 0;
    item = slate[position];
    r->seen[(size_t)user * r->pop->words + item / 64] |= (uint64_t)1 << (item % 64);
    return 0;
}

/* The model's scorer over a copy of its user model (the copy a save and a
 * load would give, made in memory), so that the simulation's observations
 * leave the model as it was.  The store and the collaborative model are
 * the model's, borrowed; the scorer is assembled as the build does. */
struct scorer_copy {
    struct rs__model_parts parts;
};

static void scorer_copy_free(struct scorer_copy *c)
{
    rs_scorer_free(c->parts.scorer);
    rs_user_model_free(c->parts.users);
    free(c->parts.item_keys);
    memset(c, 0, sizeof *c);
}

static int scorer_copy_make(const rs_model *m, struct scorer_copy *c)
{
    int s;
    memset(c, 0, sizeof *c);
    c->parts.store = m->store;
    c->parts.cf = m->cf;
    s = rs__user_model_clone(m->users, &c->parts.users);
    /* a click counts half a purchase in the simulated feedback */
    if (s == RS_OK)
        s = rs_user_model_set_event_weight(c->parts.users, "clicked", 0.5);
    if (s == RS_OK)
        s = rs__model_parts_assemble(m->graph, &m->options, &c->parts);
    if (s != RS_OK) {
        scorer_copy_free(c);
        return rs__fail_context("rs_model_simulate: the scorer's copy: ");
    }
    return RS_OK;
}

double rs__model_sim_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One policy's run from a fresh population, one step per call so that
 * every step's statistics go into the trace (and so that a shard of the
 * users, model_sim_shard.c, exchanges the clicks between steps). */
struct rs__model_policy_run {
    const rs_model *m;
    rs_sim *sim;
    enum policy_kind kind;
    size_t slate_size;
    struct scorer_copy copy;
    struct rs__sim_host *host;
    rs__sim_scorer_run *scorer_run;
    struct run r;
};

void rs__model_policy_end(struct rs__model_policy_run *p)
{
    if (!p)
        return;
    rs__sim_scorer_end(p->scorer_run);
    rs__model_sim_host_end(p->sim, p->host);
    free(p->r.seen);
    scorer_copy_free(&p->copy);
    free(p);
}

int rs__model_policy_begin(const rs_model *m, rs_sim *sim, const struct rs__sim_population *pop,
                           int kind, const char *name, size_t slate_size, uint64_t seed,
                           struct rs__model_policy_run **out)
{
    struct rs__model_policy_run *p = rs__calloc(1, sizeof *p);
    int s;
    *out = NULL;
    if (!p)
        return RS_ERR_NOMEM;
    p->m = m;
    p->sim = sim;
    p->kind = (enum policy_kind)kind;
    p->slate_size = slate_size;
    p->r.pop = pop;
    p->r.n_items = m->n_items;
    p->r.seed = seed;
    s = rs__sim_populate_given(sim, pop->mirrored); /* theirs set below */
    if (s == RS_OK)
        s = rs__model_sim_host_begin(m, sim, pop->keys, pop->n_users, pop->mirrored, name,
                                     &p->host);
    for (size_t u = 0; s == RS_OK && u < pop->mirrored; u++)
        s = rs_sim_set_interest(sim, (uint32_t)u, pop->interests + u * pop->dim, pop->dim);
    if (s == RS_OK && kind == POLICY_SCORER)
        s = scorer_copy_make(m, &p->copy);
    /* A user who did not click is shown the scorer's same answer again
     * (RS_SIM_SHOW_AGAIN), as `recsim simulate` always has; one run over
     * the steps keeps each user's ranking and collaborative sums from one
     * step to the next (the same slates as a fresh run per step). */
    if (s == RS_OK && kind == POLICY_SCORER)
        s = rs__sim_scorer_begin(sim, p->copy.parts.scorer, p->copy.parts.users,
                                 (const char *const *)pop->keys, slate_size, RS_SIM_SHOW_AGAIN,
                                 &p->scorer_run);
    if (s == RS_OK && kind == POLICY_POPULAR) {
        p->r.seen = rs__alloc_array(pop->n_users, pop->words * sizeof *p->r.seen);
        if (!p->r.seen)
            s = RS_ERR_NOMEM;
        else
            memcpy(p->r.seen, pop->seen0, pop->n_users * pop->words * sizeof *p->r.seen);
    }
    if (s != RS_OK) {
        rs__model_policy_end(p);
        return s;
    }
    *out = p;
    return RS_OK;
}

int rs__model_policy_step(struct rs__model_policy_run *p)
{
    if (p->kind == POLICY_SCORER)
        return rs__sim_scorer_steps(p->scorer_run, 1, NULL);
    if (p->kind == POLICY_POPULAR)
        return rs_sim_run(p->sim, popular_policy, &p->r, popular_feedback, &p->r, 1,
                          p->slate_size, NULL);
    return rs_sim_run(p->sim, random_policy, &p->r, NULL, NULL, 1, p->slate_size, NULL);
}

static int run_policy(const rs_model *m, rs_sim *sim, const struct rs__sim_population *pop,
                      enum policy_kind kind, const char *name, uint64_t steps,
                      size_t slate_size, uint64_t seed, double *values, double *seconds,
                      uint64_t done, uint64_t total)
{
    struct rs__model_policy_run *run = NULL;
    double t0 = rs__model_sim_now();
    int s = rs__model_policy_begin(m, sim, pop, kind, name, slate_size, seed, &run);
    for (uint64_t step = 0; s == RS_OK && step < steps; step++) {
        s = rs__model_policy_step(run);
        for (int k = 0; s == RS_OK && k < TRACE_STATS; k++)
            s = rs_sim_stat(sim, k, &values[step * TRACE_STATS + (size_t)k]);
        if (s == RS_OK && m->progress)
            m->progress(m->progress_data, "simulate", done + step + 1, total);
    }
    *seconds = rs__model_sim_now() - t0;
    rs__model_policy_end(run);
    return s;
}

/* ------------------------------------------------------------ the call */

int rs__model_sim_policy_kind(const char *name, int *out)
{
    if (!name)
        return rs__fail(RS_ERR_INVALID, "rs_model_simulate: a policy name is NULL");
    if (strcmp(name, "scorer") == 0)
        *out = POLICY_SCORER;
    else if (strcmp(name, "popular") == 0)
        *out = POLICY_POPULAR;
    else if (strcmp(name, "random") == 0)
        *out = POLICY_RANDOM;
    else
        return rs__fail(RS_ERR_NOTFOUND, "rs_model_simulate: unknown policy \"%.64s\" (known: "
                        "scorer, popular, random)", name);
    return RS_OK;
}

int rs__model_sim_check_args(const rs_model *m, const char *const *policies, size_t n_policies,
                      size_t n_users, uint64_t steps, size_t slate_size,
                      int *kinds, rs_sim_trace **out)
{
    const char *fn = "rs_model_simulate";
    int s;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "%s: out is NULL", fn);
    *out = NULL;
    if (!m || !policies)
        return rs__fail(RS_ERR_INVALID, "%s: %s is NULL", fn, m ? "policies" : "model");
    if (n_policies == 0 || n_policies > MAX_POLICIES)
        return rs__fail(RS_ERR_RANGE, "%s: %zu policies, not 1 .. %d", fn, n_policies,
                        MAX_POLICIES);
    for (size_t p = 0; p < n_policies; p++)
        if ((s = rs__model_sim_policy_kind(policies[p], &kinds[p])) != RS_OK)
            return s;
    if (steps == 0 || steps > MAX_STEPS)
        return rs__fail(RS_ERR_RANGE, "%s: steps %llu outside 1 .. %u", fn,
                        (unsigned long long)steps, MAX_STEPS);
    if (n_users > MAX_USERS)
        return rs__fail(RS_ERR_RANGE, "%s: n_users %zu outside 0 .. %u", fn, n_users,
                        MAX_USERS);
    if (slate_size == 0 || slate_size > RS_SIM_MAX_SLATE)
        return rs__fail(RS_ERR_RANGE, "%s: slate_size %zu outside 1 .. %d", fn, slate_size,
                        RS_SIM_MAX_SLATE);
    if ((s = rs__model_check_built(m)) != RS_OK)
        return s;
    if (slate_size > m->n_items)
        return rs__fail(RS_ERR_RANGE, "%s: slate_size %zu is more than the catalogue's %zu "
                        "items", fn, slate_size, m->n_items);
    return RS_OK;
}

int rs__sim_trace_create(const char *const *policies, size_t n_policies, uint64_t steps,
                        rs_sim_trace **out)
{
    rs_sim_trace *t = rs__calloc(1, sizeof *t);
    size_t per_policy;
    if (!t)
        return RS_ERR_NOMEM;
    t->n_policies = n_policies;
    t->steps = steps;
    t->names = rs__calloc(n_policies, sizeof *t->names);
    t->seconds = rs__calloc(n_policies, sizeof *t->seconds);
    if (rs__mul_size((size_t)steps, TRACE_STATS, &per_policy) == RS_OK)
        t->values = rs__alloc_array(n_policies, per_policy * sizeof *t->values);
    for (size_t p = 0; t->names && p < n_policies; p++)
        if (!(t->names[p] = rs__strdup(policies[p])))
            break;
    if (!t->names || !t->seconds || !t->values || !t->names[n_policies - 1]) {
        rs_sim_trace_free(t);
        return rs__fail(RS_ERR_NOMEM, "rs_model_simulate: out of memory for a trace of %llu "
                        "steps", (unsigned long long)steps);
    }
    *out = t;
    return RS_OK;
}

int rs_model_simulate(const rs_model *m, const char *const *policies, size_t n_policies,
                      size_t n_users, uint64_t steps, size_t slate_size, uint64_t seed,
                      rs_sim_trace **out)
{
    int kinds[MAX_POLICIES];
    struct rs__sim_population pop;
    rs_sim_trace *trace = NULL;
    uint32_t *categories = NULL;
    size_t n_categories = 1;
    rs_sim *sim = NULL;
    int s = rs__model_sim_check_args(m, policies, n_policies, n_users, steps, slate_size, kinds, out);
    if (s != RS_OK)
        return s;
    memset(&pop, 0, sizeof pop);
    if ((s = rs__sim_trace_create(policies, n_policies, steps, &trace)) != RS_OK)
        return s;
    categories = rs__calloc(rs_item_store_span(m->store) + 1, sizeof *categories);
    if (!categories)
        s = RS_ERR_NOMEM;
    /* simulator item i is store index i (m->item_keys[i]) */
    if (s == RS_OK)
        s = rs__model_sim_categories(m, categories, &n_categories);
    if (s == RS_OK)
        s = rs__model_sim_population(m, n_users, seed, &pop);
    if (s == RS_OK)
        s = rs__sim_create_from_store_given(m->store, categories, n_categories, pop.n_users,
                                            seed, pop.mirrored, &sim);
    if (s == RS_OK)
        s = rs__model_options_apply_sim(&m->options, sim);
    for (size_t p = 0; s == RS_OK && p < n_policies; p++)
        s = run_policy(m, sim, &pop, (enum policy_kind)kinds[p], policies[p], steps, slate_size, seed,
                       trace->values + p * (size_t)steps * TRACE_STATS, &trace->seconds[p],
                       (uint64_t)p * steps, (uint64_t)n_policies * steps);
    rs_sim_free(sim);
    rs__model_sim_population_free(&pop);
    free(categories);
    if (s != RS_OK) {
        rs_sim_trace_free(trace);
        return s;
    }
    rs_clear_error();
    *out = trace;
    return RS_OK;
}
