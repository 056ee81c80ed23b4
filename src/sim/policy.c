/*
 * policy.c - the library's scorer as the simulator's policy: every shown
 * user's slate is rs_scorer_recommend_filtered minus the items already shown
 * to that user (in parallel: the scorer only reads), and each click is
 * observed in the scorer's user model (on the calling thread, users in
 * order), which closes the loop recommend -> react -> update -> recommend.
 */
#include "sim/sim_internal.h"

#include "core/alloc.h"
#include "core/bitset.h"
#include "core/blas.h"
#include "core/error.h"
#include "core/parallel.h"
#include "score/score_access.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USERS_PER_TASK 16

/*
 * Per user: the items shown during the call, and a cached stretch of the
 * user's ranking.  The scorer's ranking of a user depends only on that
 * user's events (and on the static graph, store and models), so until the
 * user clicks, the next slate is the next k unshown items of the previous
 * ranking: serving them from the cache gives the very slates the scorer
 * would, for one scorer call every CACHE_SLATES slates.
 */
#define CACHE_SLATES 8

typedef struct shown_list {
    uint32_t *items;
    uint32_t n, cap;
    uint32_t *cache; /* k x CACHE_SLATES ranked items, or NULL */
    uint32_t n_cache, cache_pos;
    int cache_valid;
} shown_list;

typedef struct scorer_ctx {
    const rs_scorer *scorer;
    rs_user_model *users;
    const rs_item_store *store;
    const char *const *keys;
    int flags;
    int64_t t0;        /* observations are stamped t0 + step */
    size_t words;      /* deny bitset words */
    uint64_t *deny;    /* one bitset per worker */
    unsigned workers;
    shown_list *shown; /* per user */
    const rs_sim *s;
    const uint8_t *serve;
    size_t k;
    uint32_t *slates;
    rs__score_ucache *ucache; /* per user, or NULL: the plain scorer calls */
    int prefilled;            /* the first slates' sums summed together */
} scorer_ctx;

/* A scorer policy's state kept across rs__sim_scorer_steps calls. */
struct rs__sim_scorer_run {
    scorer_ctx c;
    rs_sim *sim;
    size_t slate_size;
    char **own_keys;
    char *key_text;
};

static atomic_int force_plain = 0;

void rs__sim_force_plain(int on) { atomic_store(&force_plain, on ? 1 : 0); }

/* The per-user collaborative sums take n_users x items floats: kept only
 * up to this many bytes (beyond, every ranking scores the history afresh). */
#define UCACHE_BUDGET ((size_t)1 << 30)

int rs_sim_create_from_store(const rs_item_store *store, const uint32_t *categories,
                             size_t n_categories, size_t n_users, uint64_t seed, rs_sim **out)
{
    return rs__sim_create_from_store_given(store, categories, n_categories, n_users, seed, 0,
                                           out);
}

int rs__sim_create_from_store_given(const rs_item_store *store, const uint32_t *categories,
                                    size_t n_categories, size_t n_users, uint64_t seed,
                                    size_t n_given, rs_sim **out)
{
    if (!store || !out)
        return rs__fail(RS_ERR_INVALID, "rs_sim_create_from_store: %s is NULL",
                        store ? "out" : "store");
    size_t span = rs_item_store_span(store), dim = rs_item_store_dim(store);
    if (span == 0)
        return rs__fail(RS_ERR_RANGE, "rs_sim_create_from_store: the store is empty");
    size_t cells;
    int rc = rs__mul_size(span, dim, &cells);
    if (rc)
        return rc;
    float *vec = rs__calloc(cells, sizeof *vec);
    if (!vec)
        return RS_ERR_NOMEM;
    for (size_t i = 0; i < span; i++) {
        const char *key = rs_item_store_key(store, (uint32_t)i);
        if (key && (rc = rs_item_store_get(store, key, vec + i * dim, dim)) != RS_OK)
            break;
    }
    if (rc == RS_OK)
        rc = rs__sim_create_given(vec, span, dim, categories, n_categories, n_users, seed,
                                  n_given, out);
    free(vec);
    return rc;
}

/* Rank the user's unshown items into the cache (n_cache of them). */
static int fetch(scorer_ctx *c, uint32_t u, uint64_t *deny, size_t want)
{
    shown_list *sl = &c->shown[u];
    size_t n = 0;
    if (!sl->cache) {
        sl->cache = rs__alloc_array(c->k * CACHE_SLATES, sizeof *sl->cache);
        if (!sl->cache)
            return RS_ERR_NOMEM;
    }
    for (uint32_t j = 0; j < sl->n; j++)
        rs__bitset_set(deny, sl->items[j]);
    int rc = c->ucache ? rs__score_recommend_cached(c->scorer, c->keys[u], want, deny,
                                                    c->words, sl->cache, &n, &c->ucache[u])
                       : rs_scorer_recommend_filtered(c->scorer, c->keys[u], want, NULL, 0,
                                                      deny, c->words, sl->cache, NULL, &n);
    for (uint32_t j = 0; j < sl->n; j++)
        rs__bitset_clear(deny, sl->items[j]);
    sl->n_cache = (uint32_t)n;
    sl->cache_pos = 0;
    sl->cache_valid = rc == RS_OK;
    return rc;
}

/* The user's slate: the scorer's best unseen, unshown items; padded with
 * the lowest store indices not in it when the catalogue runs short. */
static int serve_user(scorer_ctx *c, uint32_t u, uint64_t *deny)
{
    uint32_t *slate = c->slates + (size_t)u * c->k;
    shown_list *sl = &c->shown[u];
    /* With RS_SIM_SHOW_AGAIN the cache never advances past the first slate:
     * ranking more than k items would only feed the top-k heap for nothing
     * (the top k of a longer ranking are the same items, so the slates do
     * not change). */
    size_t k = c->k,
           want = (c->flags & (RS_SIM_NO_CACHE | RS_SIM_SHOW_AGAIN)) ? k : k * CACHE_SLATES;
    int rc;
    if (!sl->cache_valid || sl->n_cache - sl->cache_pos < k) {
        if ((rc = fetch(c, u, deny, want)) != RS_OK)
            return rc;
        if (sl->n_cache < k && sl->n > 0) {
            /* everything was shown: start the user's exposure over */
            sl->n = 0;
            if ((rc = fetch(c, u, deny, want)) != RS_OK)
                return rc;
        }
    }
    size_t n = sl->n_cache - sl->cache_pos < k ? sl->n_cache - sl->cache_pos : k;
    memcpy(slate, sl->cache + sl->cache_pos, n * sizeof *slate);
    if (!(c->flags & RS_SIM_SHOW_AGAIN))
        sl->cache_pos += (uint32_t)n;
    if (c->flags & RS_SIM_NO_CACHE)
        sl->cache_valid = 0;
    for (uint32_t i = 0; n < k && i < c->s->n_items; i++) {
        size_t j = 0;
        while (j < n && slate[j] != i)
            j++;
        if (j == n)
            slate[n++] = i;
    }
    return RS_OK;
}

static int serve_task(void *vctx, size_t task, unsigned worker)
{
    scorer_ctx *c = vctx;
    uint64_t *deny = c->deny + (size_t)worker * c->words;
    size_t lo = task * USERS_PER_TASK, hi = lo + USERS_PER_TASK;
    if (hi > c->s->n_users)
        hi = c->s->n_users;
    for (size_t u = lo; u < hi; u++) {
        if (!c->serve[u])
            continue;
        int rc = serve_user(c, (uint32_t)u, deny);
        if (rc)
            return rc < 0 ? rc : RS_ERR_INTERNAL;
    }
    return 0;
}

static int scorer_batch(void *vctx, const rs_sim *s, const uint8_t *serve, size_t k,
                        uint32_t *slates)
{
    scorer_ctx *c = vctx;
    c->s = s;
    c->serve = serve;
    c->k = k;
    c->slates = slates;
    size_t n_tasks = (s->n_users + USERS_PER_TASK - 1) / USERS_PER_TASK;
    if (c->ucache && !c->prefilled) {
        /* every user's first sum at once, the operator a block at a time */
        rs__score_ucache_prefill(c->scorer, c->keys, serve, s->n_users, c->ucache, c->workers);
        c->prefilled = 1;
    }
    return rs__parallel_for(n_tasks, c->workers, serve_task, c);
}

static int scorer_feedback(void *vctx, uint32_t user, uint64_t step, const uint32_t *slate,
                           size_t k, int position, int behaviour, int rating, int left)
{
    (void)rating, (void)left;
    scorer_ctx *c = vctx;
    if (!(c->flags & RS_SIM_SHOW_AGAIN)) {
        shown_list *sl = &c->shown[user];
        if (sl->n + k > sl->cap) {
            size_t cap = sl->cap ? sl->cap : 16;
            while (cap < sl->n + k)
                cap *= 2;
            uint32_t *p = rs__realloc_array(sl->items, cap, sizeof *p);
            if (!p)
                return 1;
            sl->items = p;
            sl->cap = (uint32_t)cap;
        }
        memcpy(sl->items + sl->n, slate, k * sizeof *slate);
        sl->n += (uint32_t)k;
    }
    if (position >= 0 && !(c->flags & RS_SIM_NO_FEEDBACK)) {
        c->shown[user].cache_valid = 0; /* the user's ranking changes */
        const char *item = rs_item_store_key(c->store, slate[position]);
        if (item && rs_user_model_observe(c->users, c->keys[user], item,
                                          behaviour == RS_SIM_PURCHASE ? "bought" : "clicked",
                                          1.0, c->t0 + (int64_t)step) != RS_OK)
            return 1;
    }
    return 0;
}

static void run_free(rs__sim_scorer_run *r)
{
    if (!r)
        return;
    scorer_ctx *c = &r->c;
    for (size_t u = 0; u < r->sim->n_users; u++) {
        if (c->shown) {
            free(c->shown[u].items);
            free(c->shown[u].cache);
        }
        if (c->ucache)
            rs__score_ucache_free(&c->ucache[u]);
    }
    free(c->shown);
    free(c->ucache);
    free(c->deny);
    free(r->own_keys);
    free(r->key_text);
    free(r);
}

int rs__sim_scorer_begin(rs_sim *sim, const rs_scorer *scorer, rs_user_model *users,
                         const char *const *user_keys, size_t slate_size, int flags,
                         rs__sim_scorer_run **out)
{
    if (out)
        *out = NULL;
    if (!sim || !scorer || !users || !out)
        return rs__fail(RS_ERR_INVALID, "rs_sim_run_scorer: %s is NULL",
                        !sim ? "sim" : (!scorer ? "scorer" : (!users ? "users" : "out")));
    if (rs__scorer_users(scorer) != users)
        return rs__fail(RS_ERR_INVALID, "rs_sim_run_scorer: users is not the scorer's user "
                        "model");
    if (slate_size == 0 || slate_size > RS_SIM_MAX_SLATE)
        return rs__fail(RS_ERR_RANGE, "rs_sim_run_scorer: slate_size %zu outside 1 .. %d",
                        slate_size, RS_SIM_MAX_SLATE);
    if (flags & ~(RS_SIM_NO_FEEDBACK | RS_SIM_SHOW_AGAIN | RS_SIM_NO_CACHE))
        return rs__fail(RS_ERR_INVALID, "rs_sim_run_scorer: unknown flags 0x%x", flags);
    const rs_item_store *store = rs__scorer_store(scorer);
    if (rs_item_store_span(store) != sim->n_items || rs_item_store_dim(store) != sim->dim)
        return rs__fail(RS_ERR_DIM, "rs_sim_run_scorer: the scorer's store has %zu slots of "
                        "dim %zu, the simulator %zu items of dim %zu",
                        rs_item_store_span(store), rs_item_store_dim(store), sim->n_items,
                        sim->dim);
    if (user_keys)
        for (size_t u = 0; u < sim->n_users; u++)
            if (!user_keys[u] || !user_keys[u][0])
                return rs__fail(RS_ERR_INVALID, "rs_sim_run_scorer: user_keys[%zu] is %s", u,
                                user_keys[u] ? "empty" : "NULL");
    rs__sim_scorer_run *r = rs__calloc(1, sizeof *r);
    if (!r)
        return RS_ERR_NOMEM;
    scorer_ctx *c = &r->c;
    r->sim = sim;
    r->slate_size = slate_size;
    c->scorer = scorer;
    c->users = users;
    c->store = store;
    c->flags = flags;
    /* Clicks happen now, after the model's latest event: stamped at step 0,
     * 1, ... they would look decades old to the scorer's time-aware signals
     * (RS_SCORER_HISTORY_HALF_LIFE) and be decayed to nothing. */
    rs__scorer_now(scorer, &c->t0);
    c->words = rs__bitset_words(sim->n_items);
    size_t n_tasks = (sim->n_users + USERS_PER_TASK - 1) / USERS_PER_TASK;
    c->workers = rs__parallel_workers(n_tasks, sim->threads);
    c->deny = rs__calloc((size_t)c->workers * c->words, sizeof(uint64_t));
    c->shown = rs__calloc(sim->n_users, sizeof *c->shown);
    /* RS_SIM_NO_CACHE: every ranking from the plain scorer call */
    size_t bytes, cf_n;
    if (!(flags & RS_SIM_NO_CACHE) && !atomic_load(&force_plain) &&
        rs__scorer_cf_additive(scorer, &cf_n) &&
        rs__mul_size(sim->n_users, cf_n * sizeof(float), &bytes) == RS_OK &&
        bytes <= UCACHE_BUDGET)
        c->ucache = rs__calloc(sim->n_users, sizeof *c->ucache);
    if (!user_keys) {
        r->own_keys = rs__alloc_array(sim->n_users, sizeof *r->own_keys);
        r->key_text = rs__alloc_array(sim->n_users, 16);
        if (r->own_keys && r->key_text) {
            for (size_t u = 0; u < sim->n_users; u++) {
                r->own_keys[u] = r->key_text + u * 16;
                snprintf(r->own_keys[u], 16, "sim-%u", (unsigned)u);
            }
            user_keys = (const char *const *)r->own_keys;
        }
    }
    c->keys = user_keys;
    if (!c->deny || !c->shown || !user_keys) {
        run_free(r);
        return RS_ERR_NOMEM;
    }
    *out = r;
    return RS_OK;
}

int rs__sim_scorer_steps(rs__sim_scorer_run *r, uint64_t steps, const char *trace_path)
{
    if (!r)
        return rs__fail(RS_ERR_INVALID, "rs_sim_run_scorer: run is NULL");
    if (atomic_load(&force_plain)) /* each call ranks afresh, as a new run would */
        for (size_t u = 0; u < r->sim->n_users; u++)
            r->c.shown[u].cache_valid = 0;
    /* The parallelism is across users: a multi-threaded BLAS inside each
     * worker would only oversubscribe the cores. */
    int blas_threads = rs__blas_get_threads();
    if (r->c.workers > 1)
        rs__blas_set_threads(1);
    int rc = rs__sim_run_loop(r->sim, NULL, scorer_batch, &r->c, scorer_feedback, &r->c, steps,
                              r->slate_size, trace_path);
    if (r->c.workers > 1)
        rs__blas_set_threads(blas_threads);
    return rc;
}

void rs__sim_scorer_end(rs__sim_scorer_run *r) { run_free(r); }

int rs_sim_run_scorer(rs_sim *sim, const rs_scorer *scorer, rs_user_model *users,
                      const char *const *user_keys, uint64_t steps, size_t slate_size,
                      int flags, const char *trace_path)
{
    rs__sim_scorer_run *r;
    int rc = rs__sim_scorer_begin(sim, scorer, users, user_keys, slate_size, flags, &r);
    if (rc == RS_OK)
        rc = rs__sim_scorer_steps(r, steps, trace_path);
    rs__sim_scorer_end(r);
    return rc;
}
