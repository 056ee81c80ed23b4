/*
 * runner.c - the evaluation runner (rs_eval): a frozen split (catalogue,
 * train and test items per user), recommenders run over every evaluated
 * user in parallel, the built-in baselines, and the result table.
 */
#include "core/alloc.h"
#include "core/blas.h"
#include "core/error.h"
#include "core/idmap.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "core/topk.h"
#include "core/utf8.h"
#include "eval/eval_internal.h"

#include <errno.h>
#include <jansson.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The rng stream of the random baseline. */
#define RANDOM_STREAM 0x52414e44u /* "RAND" */
/* Users per parallel task. */
#define USERS_PER_TASK 32

#define USER_AUC RS__EVAL_USER_AUC
#define USER_NDCG_GRADED RS__EVAL_USER_NDCG_GRADED
#define USER_FIELDS RS__EVAL_USER_FIELDS

/* One run: its name, fields, users, their lists (k per user) and their
 * per-user values (USER_FIELDS per user; NaN where undefined); for a run
 * of one shard of the users, which shard of how many, of how many users
 * of the group (rs_eval_result_part). */
struct result {
    char *name;
    double field[RS_EVAL_FIELD_COUNT];
    uint32_t *users;
    uint32_t *lists;
    double *values;
    size_t n_users, k;
    size_t shard, shards, group_users;
};

/* A train event reduced to what recent-popular needs. */
struct train_event {
    uint32_t user, item;
    int64_t time;
};

struct rs_eval {
    size_t n_users;
    char **user_key;         /* per user index, owned */
    size_t n_items;
    char **item_key;         /* per catalogue index (byte order), owned */
    rs_idmap *item_map;      /* key -> catalogue index */
    size_t *train_start;     /* n_users + 1: distinct train items per user */
    uint32_t *train_items;
    size_t *test_start;      /* n_users + 1: distinct catalogue test items per user */
    uint32_t *test_items;
    double *test_gain;       /* per test item: its test events' weight sum, >= 0 */
    rs_idmap *user_map;      /* user key -> index */
    rs_idmap *segments;      /* segment name -> segment index */
    uint32_t *user_segment;  /* per user: segment index or UINT32_MAX */
    uint32_t *popularity;    /* distinct train users per item */
    struct train_event *train_events; /* sorted by user */
    size_t n_train_events;
    int64_t latest_train;
    /* options */
    int64_t k, group, exclude_train, cold_min, recent_end, seed, threads, shards, shard;
    struct result *results;
    size_t n_results, results_cap;
};

/* ------------------------------------------------------------ building */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_train_event(const void *a, const void *b)
{
    const struct train_event *x = a, *y = b;
    if (x->user != y->user)
        return x->user < y->user ? -1 : 1;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    return (x->time > y->time) - (x->time < y->time);
}

/* A catalogue item of a user's part with the weight it carries. */
struct item_weight {
    uint32_t item;
    double weight;
};

static int cmp_item_weight(const void *a, const void *b)
{
    uint32_t x = ((const struct item_weight *)a)->item, y = ((const struct item_weight *)b)->item;
    return (x > y) - (x < y);
}

/* Per-user sets of catalogue items from events of one part: a CSR with
 * sorted, distinct items; with gains_out, each item's gain = the sum of the
 * weights of its events (in event order, so it does not depend on the sort),
 * clamped at 0. */
static int build_sets(const rs_events *ev, const uint32_t *catalogue_of, int part,
                      size_t n_users, size_t **start_out, uint32_t **items_out,
                      double **gains_out)
{
    size_t *start = rs__calloc(n_users + 1, sizeof *start), *fill = NULL;
    struct item_weight *pairs = NULL;
    uint32_t *items = NULL;
    double *gains = NULL;
    size_t total = 0;
    if (!start)
        return rs_errcode();
    for (size_t i = 0; i < ev->n; i++)
        if (ev->part[i] == part && catalogue_of[ev->item[i]] != UINT32_MAX)
            start[ev->user[i] + 1]++;
    for (size_t u = 0; u < n_users; u++)
        start[u + 1] += start[u];
    total = start[n_users];
    pairs = rs__alloc_array(total ? total : 1, sizeof *pairs);
    items = rs__alloc_array(total ? total : 1, sizeof *items);
    fill = rs__alloc_array(n_users ? n_users : 1, sizeof *fill);
    if (gains_out)
        gains = rs__alloc_array(total ? total : 1, sizeof *gains);
    if (!pairs || !items || !fill || (gains_out && !gains)) {
        free(start);
        free(pairs);
        free(items);
        free(fill);
        free(gains);
        return rs_errcode();
    }
    if (n_users)
        memcpy(fill, start, n_users * sizeof *fill);
    for (size_t i = 0; i < ev->n; i++)
        if (ev->part[i] == part && catalogue_of[ev->item[i]] != UINT32_MAX)
            pairs[fill[ev->user[i]]++] =
                (struct item_weight){catalogue_of[ev->item[i]], ev->weight[i]};
    /* sort and de-duplicate each list in place, then compact */
    size_t out = 0;
    for (size_t u = 0; u < n_users; u++) {
        size_t a = start[u], b = start[u + 1], first = out;
        qsort(pairs + a, b - a, sizeof *pairs, cmp_item_weight);
        for (size_t j = a; j < b; j++)
            if (out == first || items[out - 1] != pairs[j].item)
                items[out++] = pairs[j].item;
        start[u] = first;
    }
    start[n_users] = out;
    if (gains) { /* sums in event order: deterministic whatever qsort did */
        for (size_t j = 0; j < out; j++)
            gains[j] = 0.0;
        for (size_t i = 0; i < ev->n; i++) {
            if (ev->part[i] != part || catalogue_of[ev->item[i]] == UINT32_MAX)
                continue;
            uint32_t u = ev->user[i], item = catalogue_of[ev->item[i]];
            const uint32_t *hit = bsearch(&item, items + start[u], start[u + 1] - start[u],
                                          sizeof item, cmp_u32);
            gains[hit - items] += ev->weight[i];
        }
        for (size_t j = 0; j < out; j++)
            if (!(gains[j] > 0.0))
                gains[j] = 0.0;
    }
    free(pairs);
    free(fill);
    *start_out = start;
    *items_out = items;
    if (gains_out)
        *gains_out = gains;
    return 0;
}

int rs_eval_create(const rs_events *ev, int test_part, rs_eval **out)
{
    const char *fn = "rs_eval_create";
    rs_eval *e;
    uint32_t *catalogue_of = NULL;
    size_t n_keys;
    int status;
    if (!out)
        return rs__fail(RS_ERR_INVALID, "%s: out is NULL", fn);
    *out = NULL;
    if (!ev)
        return rs__fail(RS_ERR_INVALID, "%s: events is NULL", fn);
    if ((status = rs__eval_check_target(test_part, fn)) != 0)
        return status;
    if (!(e = rs__calloc(1, sizeof *e)))
        return rs_errcode();
    e->k = 10;
    e->group = RS_EVAL_WARM;
    e->exclude_train = 1;
    e->cold_min = 1;
    e->shards = 1;
    e->latest_train = INT64_MIN;

    /* users: the log's indices and keys */
    e->n_users = rs__idmap_span(ev->users);
    if (!(e->user_key = rs__calloc(e->n_users ? e->n_users : 1, sizeof *e->user_key)))
        goto fail;
    if (!(e->user_map = rs__idmap_create()) || !(e->segments = rs__idmap_create()) ||
        !(e->user_segment = rs__alloc_array(e->n_users ? e->n_users : 1,
                                            sizeof *e->user_segment))) {
        rs__fail(RS_ERR_NOMEM, "%s: out of memory", fn);
        goto fail;
    }
    for (size_t u = 0; u < e->n_users; u++) {
        const char *key = rs__idmap_key(ev->users, (uint32_t)u, NULL);
        uint32_t idx;
        if (!(e->user_key[u] = rs__strdup(key ? key : "")) ||
            rs__idmap_intern(e->user_map, e->user_key[u], strlen(e->user_key[u]), &idx,
                             NULL) != 0)
            goto fail;
        e->user_segment[u] = UINT32_MAX;
    }

    /* catalogue: items with a train event, in byte order of their keys */
    n_keys = rs__idmap_span(ev->items);
    if (!(catalogue_of = rs__alloc_array(n_keys ? n_keys : 1, sizeof *catalogue_of)))
        goto fail;
    for (size_t i = 0; i < n_keys; i++)
        catalogue_of[i] = UINT32_MAX;
    for (size_t i = 0; i < ev->n; i++)
        if (ev->part[i] == RS_PART_TRAIN && catalogue_of[ev->item[i]] == UINT32_MAX) {
            catalogue_of[ev->item[i]] = 0;
            e->n_items++;
        }
    if (!(e->item_key = rs__calloc(e->n_items ? e->n_items : 1, sizeof *e->item_key)))
        goto fail;
    for (size_t i = 0, c = 0; i < n_keys; i++)
        if (catalogue_of[i] == 0 &&
            !(e->item_key[c++] = rs__strdup(rs__idmap_key(ev->items, (uint32_t)i, NULL))))
            goto fail;
    qsort(e->item_key, e->n_items, sizeof *e->item_key, cmp_str);
    if (!(e->item_map = rs__idmap_create())) {
        rs__fail(RS_ERR_NOMEM, "%s: out of memory", fn);
        goto fail;
    }
    for (size_t c = 0; c < e->n_items; c++) {
        uint32_t idx;
        if (rs__idmap_intern(e->item_map, e->item_key[c], strlen(e->item_key[c]), &idx,
                             NULL) != 0)
            goto fail;
    }
    for (size_t i = 0; i < n_keys; i++)
        if (catalogue_of[i] == 0) {
            const char *key = rs__idmap_key(ev->items, (uint32_t)i, NULL);
            catalogue_of[i] = rs__idmap_find(e->item_map, key, strlen(key));
        }

    if (build_sets(ev, catalogue_of, RS_PART_TRAIN, e->n_users, &e->train_start,
                   &e->train_items, NULL) != 0 ||
        build_sets(ev, catalogue_of, test_part, e->n_users, &e->test_start,
                   &e->test_items, &e->test_gain) != 0)
        goto fail;
    if (!(e->popularity = rs__calloc(e->n_items ? e->n_items : 1, sizeof *e->popularity)))
        goto fail;
    for (size_t j = 0; j < e->train_start[e->n_users]; j++)
        e->popularity[e->train_items[j]]++;

    /* train events, for recent-popular */
    for (size_t i = 0; i < ev->n; i++)
        e->n_train_events += ev->part[i] == RS_PART_TRAIN;
    if (!(e->train_events = rs__alloc_array(e->n_train_events ? e->n_train_events : 1,
                                            sizeof *e->train_events)))
        goto fail;
    for (size_t i = 0, t = 0; i < ev->n; i++)
        if (ev->part[i] == RS_PART_TRAIN) {
            e->train_events[t++] =
                (struct train_event){ev->user[i], catalogue_of[ev->item[i]], ev->time[i]};
            if (ev->time[i] > e->latest_train)
                e->latest_train = ev->time[i];
        }
    qsort(e->train_events, e->n_train_events, sizeof *e->train_events, cmp_train_event);
    e->recent_end = e->n_train_events ? (e->latest_train == INT64_MAX ? INT64_MAX
                                                                     : e->latest_train + 1)
                                      : 0;
    free(catalogue_of);
    *out = e;
    return 0;
fail:
    status = rs_errcode();
    free(catalogue_of);
    rs_eval_free(e);
    return status < 0 ? status : RS_ERR_NOMEM;
}

static void result_clear(struct result *r)
{
    free(r->name);
    free(r->users);
    free(r->lists);
    free(r->values);
}

void rs_eval_free(rs_eval *e)
{
    if (!e)
        return;
    if (e->user_key)
        for (size_t u = 0; u < e->n_users; u++)
            free(e->user_key[u]);
    free(e->user_key);
    if (e->item_key)
        for (size_t i = 0; i < e->n_items; i++)
            free(e->item_key[i]);
    free(e->item_key);
    rs__idmap_free(e->item_map);
    free(e->train_start);
    free(e->train_items);
    free(e->test_start);
    free(e->test_items);
    free(e->test_gain);
    rs__idmap_free(e->user_map);
    rs__idmap_free(e->segments);
    free(e->user_segment);
    free(e->popularity);
    free(e->train_events);
    for (size_t r = 0; r < e->n_results; r++)
        result_clear(&e->results[r]);
    free(e->results);
    free(e);
}

/* ------------------------------------------------------------ options, accessors */

int rs_eval_set_int(rs_eval *e, int option, int64_t value)
{
    const char *fn = "rs_eval_set_int";
    if (!e)
        return rs__fail(RS_ERR_INVALID, "%s: eval is NULL", fn);
    switch (option) {
    case RS_EVAL_K:
        if (value < 1 || value > 10000)
            return rs__fail(RS_ERR_RANGE, "%s: RS_EVAL_K %" PRId64 " is not in 1..10000", fn,
                            value);
        e->k = value;
        return 0;
    case RS_EVAL_GROUP:
        if (value != RS_EVAL_WARM && value != RS_EVAL_COLD)
            return rs__fail(RS_ERR_RANGE, "%s: RS_EVAL_GROUP %" PRId64 " is neither "
                            "RS_EVAL_WARM nor RS_EVAL_COLD", fn, value);
        e->group = value;
        return 0;
    case RS_EVAL_EXCLUDE_TRAIN:
        if (value != 0 && value != 1)
            return rs__fail(RS_ERR_RANGE, "%s: RS_EVAL_EXCLUDE_TRAIN %" PRId64 " is not 0 or 1",
                            fn, value);
        e->exclude_train = value;
        return 0;
    case RS_EVAL_COLD_MIN_ITEMS:
        if (value < 1 || value > INT32_MAX + (int64_t)1)
            return rs__fail(RS_ERR_RANGE, "%s: RS_EVAL_COLD_MIN_ITEMS %" PRId64
                            " is not in 1..2^31", fn, value);
        e->cold_min = value;
        return 0;
    case RS_EVAL_RECENT_END:
        e->recent_end = value;
        return 0;
    case RS_EVAL_SEED:
        if (value < 0)
            return rs__fail(RS_ERR_RANGE, "%s: RS_EVAL_SEED %" PRId64 " is negative", fn,
                            value);
        e->seed = value;
        return 0;
    case RS_EVAL_THREADS:
        if (value < 0 || value > 1024)
            return rs__fail(RS_ERR_RANGE, "%s: RS_EVAL_THREADS %" PRId64 " is not in 0..1024",
                            fn, value);
        e->threads = value;
        return 0;
    case RS_EVAL_SHARDS:
        if (value < 1 || value > RS_EVAL_MAX_SHARDS)
            return rs__fail(RS_ERR_RANGE, "%s: RS_EVAL_SHARDS %" PRId64 " is not in 1..%d", fn,
                            value, RS_EVAL_MAX_SHARDS);
        e->shards = value;
        return 0;
    case RS_EVAL_SHARD:
        if (value < 0 || value >= RS_EVAL_MAX_SHARDS)
            return rs__fail(RS_ERR_RANGE, "%s: RS_EVAL_SHARD %" PRId64 " is not in 0..%d", fn,
                            value, RS_EVAL_MAX_SHARDS - 1);
        e->shard = value;
        return 0;
    default:
        return rs__fail(RS_ERR_INVALID, "%s: unknown option %d", fn, option);
    }
}

int rs_eval_get_int(const rs_eval *e, int option, int64_t *value_out)
{
    const char *fn = "rs_eval_get_int";
    int64_t v;
    if (!e || !value_out)
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    switch (option) {
    case RS_EVAL_K: v = e->k; break;
    case RS_EVAL_GROUP: v = e->group; break;
    case RS_EVAL_EXCLUDE_TRAIN: v = e->exclude_train; break;
    case RS_EVAL_COLD_MIN_ITEMS: v = e->cold_min; break;
    case RS_EVAL_RECENT_END: v = e->recent_end; break;
    case RS_EVAL_SEED: v = e->seed; break;
    case RS_EVAL_THREADS: v = e->threads; break;
    case RS_EVAL_SHARDS: v = e->shards; break;
    case RS_EVAL_SHARD: v = e->shard; break;
    default:
        return rs__fail(RS_ERR_INVALID, "%s: unknown option %d", fn, option);
    }
    *value_out = v;
    return 0;
}

size_t rs_eval_item_count(const rs_eval *e)
{
    return e ? e->n_items : 0;
}

const char *rs_eval_item_key(const rs_eval *e, uint32_t item)
{
    return e && item < e->n_items ? e->item_key[item] : NULL;
}

int rs_eval_item_find(const rs_eval *e, const char *key, uint32_t *item_out)
{
    uint32_t idx;
    if (!e || !key || !item_out)
        return rs__fail(RS_ERR_INVALID, "rs_eval_item_find: NULL argument");
    idx = rs__idmap_find(e->item_map, key, strlen(key));
    if (idx == RS_IDMAP_NONE)
        return rs__fail(RS_ERR_NOTFOUND, "rs_eval_item_find: item \"%s\" is not in the "
                        "catalogue", key);
    *item_out = idx;
    return 0;
}

size_t rs_eval_user_span(const rs_eval *e)
{
    return e ? e->n_users : 0;
}

const char *rs_eval_user_key(const rs_eval *e, uint32_t user)
{
    return e && user < e->n_users ? e->user_key[user] : NULL;
}

/* The truth set of user u in the current group into buf (capacity at least
 * the user's test count) and, when gains is not NULL, each truth item's gain;
 * returns its size (0: not evaluated). */
static size_t truth_of(const rs_eval *e, uint32_t u, uint32_t *buf, double *gains)
{
    const uint32_t *te = e->test_items + e->test_start[u];
    const double *tg = e->test_gain + e->test_start[u];
    size_t nt = e->test_start[u + 1] - e->test_start[u];
    const uint32_t *tr = e->train_items + e->train_start[u];
    size_t ntr = e->train_start[u + 1] - e->train_start[u], n = 0;
    if (e->group == RS_EVAL_COLD) {
        if (ntr > 0 || nt < (size_t)e->cold_min)
            return 0;
        ntr = 0; /* nothing to exclude */
    } else if (ntr == 0) {
        return 0;
    } else if (!e->exclude_train) {
        ntr = 0;
    }
    for (size_t i = 0, j = 0; i < nt; i++) { /* te \ tr, both sorted */
        while (j < ntr && tr[j] < te[i])
            j++;
        if (j < ntr && tr[j] == te[i])
            continue;
        if (gains)
            gains[n] = tg[i];
        buf[n++] = te[i];
    }
    return n;
}

/* A copy out of a sorted list into a caller buffer. */
static int copy_out(const uint32_t *src, size_t n, uint32_t *dst, size_t capacity,
                    size_t *n_out, const char *fn)
{
    *n_out = n;
    if (n > capacity) {
        if (dst && capacity)
            memcpy(dst, src, capacity * sizeof *src);
        return rs__fail(RS_ERR_BUFFER, "%s: %zu entries do not fit a capacity of %zu", fn, n,
                        capacity);
    }
    if (n)
        memcpy(dst, src, n * sizeof *src);
    return 0;
}

/* The evaluated users of the current group (malloc'd) and their count. */
static int group_users(const rs_eval *e, uint32_t **users_out, size_t *n_out)
{
    uint32_t *users = rs__alloc_array(e->n_users ? e->n_users : 1, sizeof *users);
    uint32_t *scratch;
    size_t n = 0, max_test = 0;
    if (!users)
        return rs_errcode();
    for (size_t u = 0; u < e->n_users; u++) {
        size_t nt = e->test_start[u + 1] - e->test_start[u];
        if (nt > max_test)
            max_test = nt;
    }
    if (!(scratch = rs__alloc_array(max_test ? max_test : 1, sizeof *scratch))) {
        free(users);
        return rs_errcode();
    }
    for (size_t u = 0; u < e->n_users; u++)
        if (truth_of(e, (uint32_t)u, scratch, NULL) > 0)
            users[n++] = (uint32_t)u;
    free(scratch);
    *users_out = users;
    *n_out = n;
    return 0;
}

int rs_eval_users(const rs_eval *e, uint32_t *users_out, size_t capacity, size_t *n_out)
{
    const char *fn = "rs_eval_users";
    uint32_t *users;
    size_t n;
    int status;
    if (!e || !n_out || (!users_out && capacity))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    if ((status = group_users(e, &users, &n)) != 0)
        return status;
    status = copy_out(users, n, users_out, capacity, n_out, fn);
    free(users);
    return status;
}

int rs_eval_train_items(const rs_eval *e, uint32_t user, uint32_t *items_out, size_t capacity,
                        size_t *n_out)
{
    const char *fn = "rs_eval_train_items";
    if (!e || !n_out || (!items_out && capacity))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    if (user >= e->n_users)
        return rs__fail(RS_ERR_NOTFOUND, "%s: user %u is beyond the %zu users", fn, user,
                        e->n_users);
    return copy_out(e->train_items + e->train_start[user],
                    e->train_start[user + 1] - e->train_start[user], items_out, capacity, n_out,
                    fn);
}

int rs_eval_truth(const rs_eval *e, uint32_t user, uint32_t *items_out, size_t capacity,
                  size_t *n_out)
{
    const char *fn = "rs_eval_truth";
    uint32_t *buf;
    size_t n;
    int status;
    if (!e || !n_out || (!items_out && capacity))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    if (user >= e->n_users)
        return rs__fail(RS_ERR_NOTFOUND, "%s: user %u is beyond the %zu users", fn, user,
                        e->n_users);
    n = e->test_start[user + 1] - e->test_start[user];
    if (!(buf = rs__alloc_array(n ? n : 1, sizeof *buf)))
        return rs_errcode();
    n = truth_of(e, user, buf, NULL);
    status = copy_out(buf, n, items_out, capacity, n_out, fn);
    free(buf);
    return status;
}

/* ------------------------------------------------------------ running */

struct run {
    const rs_eval *e;
    rs_recommender_fn recommend;
    void *context;
    const uint32_t *users;
    size_t n_users, k;
    bool exclude;
    uint32_t *lists;   /* n_users x k */
    double *values;    /* n_users x USER_FIELDS */
    uint32_t *scratch; /* per worker: max_test truth items, then k list entries */
    double *gains;     /* per worker: max_test gains */
    size_t max_test;
};

/* The per-user values of one list: the rs_eval_metric values, AUC over the
 * candidates (the catalogue less the excluded items; excluded items in the
 * list are dropped for it; NaN when the user has no negative) and NDCG with
 * the truth items' gains. */
static int user_values(const struct run *run, const uint32_t *list, const uint32_t *truth,
                       const double *gains, size_t n_truth, const uint32_t *ex, size_t n_ex,
                       uint32_t *candidates_list, double *out)
{
    const rs_eval *e = run->e;
    size_t k = run->k;
    int status;
    for (int m = 0; m < RS_EVAL_METRIC_COUNT; m++)
        if ((status = rs_metric_at_k(m, list, k, truth, n_truth, k, &out[m])) != 0)
            return status;
    for (size_t r = 0; r < k; r++)
        candidates_list[r] =
            n_ex && list[r] != RS_NO_ITEM && bsearch(&list[r], ex, n_ex, sizeof *ex, cmp_u32)
                ? RS_NO_ITEM
                : list[r];
    out[USER_AUC] = NAN;
    if (n_truth < e->n_items - n_ex &&
        (status = rs_metric_auc(candidates_list, k, truth, n_truth, e->n_items - n_ex,
                                &out[USER_AUC])) != 0)
        return status;
    return rs_metric_ndcg_graded(list, k, truth, gains, n_truth, k, &out[USER_NDCG_GRADED]);
}

static int run_task(void *ctx, size_t task, unsigned worker)
{
    struct run *run = ctx;
    const rs_eval *e = run->e;
    size_t k = run->k, first = task * USERS_PER_TASK;
    size_t last = first + USERS_PER_TASK < run->n_users ? first + USERS_PER_TASK
                                                        : run->n_users;
    uint32_t *truth = run->scratch + (size_t)worker * (run->max_test + k);
    uint32_t *candidates_list = truth + run->max_test;
    double *gains = run->gains + (size_t)worker * run->max_test;
    for (size_t p = first; p < last; p++) {
        uint32_t u = run->users[p], *list = run->lists + p * k;
        const uint32_t *ex = NULL;
        size_t n_ex = 0, n = 0, n_truth;
        int rc;
        if (run->exclude) {
            ex = e->train_items + e->train_start[u];
            n_ex = e->train_start[u + 1] - e->train_start[u];
        }
        rc = run->recommend(run->context, u, k, ex, n_ex, list, &n);
        if (rc != 0)
            return rs__fail(RS_ERR_CALLBACK, "rs_eval_run: the recommender failed (%d) for "
                            "user %u (\"%s\")", rc, u, e->user_key[u]);
        if (n > k)
            return rs__fail(RS_ERR_CALLBACK, "rs_eval_run: the recommender returned %zu items "
                            "for user %u (\"%s\"), more than k = %zu", n, u, e->user_key[u], k);
        for (size_t r = 0; r < n; r++)
            if (list[r] >= e->n_items)
                list[r] = RS_NO_ITEM; /* outside the catalogue: a miss */
        for (size_t r = n; r < k; r++)
            list[r] = RS_NO_ITEM;
        n_truth = truth_of(e, u, truth, gains);
        rc = user_values(run, list, truth, gains, n_truth, ex, n_ex, candidates_list,
                         &run->values[p * USER_FIELDS]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The start of shard s of S over n users (s = S: n). */
static size_t shard_bound(size_t n, size_t s, size_t shards)
{
    /* n * s / S without overflow: n and s are below 2^32 in practice, but
     * the quotient and remainder keep it exact for any n */
    return n / shards * s + n % shards * s / shards;
}

/* The users with a train event (novelty's population). */
static size_t train_user_count(const rs_eval *e)
{
    size_t n = 0;
    for (size_t u = 0; u < e->n_users; u++)
        n += e->train_start[u + 1] > e->train_start[u];
    return n;
}

int rs__eval_row_fields(const double *values, const uint32_t *lists, size_t n_users, size_t k,
                        size_t n_items, const uint32_t *popularity, size_t n_train_users,
                        double *field)
{
    double sums[USER_FIELDS] = {0};
    size_t defined[USER_FIELDS] = {0};
    int status;
    /* averages in user order, whatever the thread count or the shards; AUC
     * over the users where it is defined */
    for (size_t p = 0; p < n_users; p++)
        for (int m = 0; m < USER_FIELDS; m++) {
            double v = values[p * USER_FIELDS + (size_t)m];
            if (!isnan(v)) {
                sums[m] += v;
                defined[m]++;
            }
        }
    for (int m = 0; m < RS_EVAL_METRIC_COUNT; m++)
        field[m] = sums[m] / (double)n_users;
    field[RS_EVAL_AUC] = defined[USER_AUC] ? sums[USER_AUC] / (double)defined[USER_AUC] : NAN;
    field[RS_EVAL_NDCG_GRADED] = sums[USER_NDCG_GRADED] / (double)n_users;
    if ((status = rs_metric_coverage(lists, n_users, k, n_items,
                                     &field[RS_EVAL_COVERAGE])) != 0 ||
        (status = rs_metric_novelty(lists, n_users, k, popularity, n_items,
                                    n_train_users, &field[RS_EVAL_NOVELTY])) != 0 ||
        (status = rs_metric_gini(lists, n_users, k, n_items, &field[RS_EVAL_GINI])) != 0 ||
        (status = rs_metric_popularity_bias(lists, n_users, k, popularity, n_items,
                                            &field[RS_EVAL_POP_BIAS])) != 0)
        return status;
    field[RS_EVAL_USERS] = (double)n_users;
    field[RS_EVAL_K_USED] = (double)k;
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int rs_eval_run(rs_eval *e, const char *name, rs_recommender_fn recommend, void *context,
                size_t *row_out)
{
    const char *fn = "rs_eval_run";
    struct run run = {0};
    struct result res = {0};
    unsigned workers;
    int blas_threads;
    size_t n_tasks, cells, scratch_cells;
    double t0 = now_seconds();
    int status;
    if (!e || !name || !recommend)
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    if ((status = rs__utf8_check(name, strlen(name), "rs_eval_run: name", NULL)) != 0)
        return status;
    if (e->n_items == 0)
        return rs__fail(RS_ERR_STATE, "%s: the catalogue is empty (no train events)", fn);
    if ((status = rs__grow((void **)&e->results, &e->results_cap, e->n_results + 1,
                           sizeof *e->results)) != 0)
        return status;
    if (e->shard >= e->shards)
        return rs__fail(RS_ERR_RANGE, "%s: RS_EVAL_SHARD %" PRId64 " is not below RS_EVAL_SHARDS "
                        "%" PRId64, fn, e->shard, e->shards);
    if ((status = group_users(e, &res.users, &res.n_users)) != 0)
        return status;
    if (res.n_users == 0) {
        free(res.users);
        return rs__fail(RS_ERR_STATE, "%s: no %s user to evaluate", fn,
                        e->group == RS_EVAL_COLD ? "cold" : "warm");
    }
    /* one shard: the contiguous block [n s / S, n (s + 1) / S) of the
     * ascending users, so that the shards in order are the whole run's users
     * in order (may be empty when there are more shards than users) */
    res.shard = (size_t)e->shard;
    res.shards = (size_t)e->shards;
    res.group_users = res.n_users;
    if (res.shards > 1) {
        size_t lo = shard_bound(res.n_users, res.shard, res.shards);
        size_t hi = shard_bound(res.n_users, res.shard + 1, res.shards);
        memmove(res.users, res.users + lo, (hi - lo) * sizeof *res.users);
        res.n_users = hi - lo;
    }
    res.k = (size_t)e->k;
    run.e = e;
    run.recommend = recommend;
    run.context = context;
    run.users = res.users;
    run.n_users = res.n_users;
    run.k = res.k;
    run.exclude = e->group == RS_EVAL_WARM && e->exclude_train;
    for (size_t u = 0; u < e->n_users; u++)
        if (e->test_start[u + 1] - e->test_start[u] > run.max_test)
            run.max_test = e->test_start[u + 1] - e->test_start[u];
    n_tasks = (res.n_users + USERS_PER_TASK - 1) / USERS_PER_TASK;
    workers = rs__parallel_workers(n_tasks, (unsigned)e->threads);
    if ((status = rs__mul_size(res.n_users, res.k, &cells)) != 0 ||
        (status = rs__mul_size(workers, run.max_test + res.k, &scratch_cells)) != 0)
        goto fail;
    res.lists = rs__alloc_array(cells ? cells : 1, sizeof *res.lists);
    res.values = rs__alloc_array(res.n_users ? res.n_users : 1,
                                 USER_FIELDS * sizeof *res.values);
    run.values = res.values;
    run.scratch = rs__alloc_array(scratch_cells ? scratch_cells : 1, sizeof *run.scratch);
    run.gains = rs__alloc_array(workers, (run.max_test ? run.max_test : 1) * sizeof *run.gains);
    if (!(res.name = rs__strdup(name)) || !res.lists || !res.values || !run.scratch ||
        !run.gains) {
        status = rs_errcode();
        goto fail;
    }
    run.lists = res.lists;
    /* The runner parallelises over users, so recommenders run their BLAS
     * calls (a scorer's per-user sgemv) single-threaded: OpenBLAS threads on
     * such small products only spin and contend for the workers' cores
     * (measured: a third of the retail run's CPU time went to sched_yield). */
    blas_threads = rs__blas_get_threads();
    rs__blas_set_threads(1);
    status = n_tasks ? rs__parallel_for(n_tasks, (unsigned)e->threads, run_task, &run) : 0;
    rs__blas_set_threads(blas_threads);
    if (status != 0)
        goto fail;
    if ((status = rs__eval_row_fields(res.values, res.lists, res.n_users, res.k, e->n_items,
                                      e->popularity, train_user_count(e), res.field)) != 0)
        goto fail;
    res.field[RS_EVAL_GROUP_USED] = (double)e->group;
    res.field[RS_EVAL_SECONDS] = now_seconds() - t0;
    free(run.scratch);
    free(run.gains);
    e->results[e->n_results] = res;
    if (row_out)
        *row_out = e->n_results;
    e->n_results++;
    return 0;
fail:
    free(run.scratch);
    free(run.gains);
    result_clear(&res);
    return status;
}

/* ------------------------------------------------------------ baselines */

/* A fixed ranking of the whole catalogue; users skip their excluded items. */
struct ranked {
    const uint32_t *order;
    size_t n_items;
};

static int ranked_recommend(void *context, uint32_t user, size_t k, const uint32_t *exclude,
                            size_t n_exclude, uint32_t *items_out, size_t *n_out)
{
    const struct ranked *r = context;
    size_t n = 0;
    (void)user;
    for (size_t i = 0; i < r->n_items && n < k; i++) {
        uint32_t item = r->order[i];
        if (n_exclude && bsearch(&item, exclude, n_exclude, sizeof item, cmp_u32))
            continue;
        items_out[n++] = item;
    }
    *n_out = n;
    return 0;
}

struct random_ctx {
    size_t n_items;
    uint64_t seed;
};

/* k distinct random items, not excluded: rejection sampling while the
 * candidates are plenty (the common case: a user excludes a few items of a
 * large catalogue), a partial shuffle of the candidates otherwise. */
static int random_recommend(void *context, uint32_t user, size_t k, const uint32_t *exclude,
                            size_t n_exclude, uint32_t *items_out, size_t *n_out)
{
    const struct random_ctx *c = context;
    size_t candidates = c->n_items - n_exclude, n = 0, want;
    uint32_t *pool;
    rs_rng rng;
    rs__rng_init(&rng, c->seed, RANDOM_STREAM, user, 0);
    want = k < candidates ? k : candidates;
    if (want <= 64 && candidates >= 4 * want) {
        while (n < want) {
            uint32_t item = (uint32_t)rs__rng_below(&rng, c->n_items);
            bool taken = n_exclude && bsearch(&item, exclude, n_exclude, sizeof item, cmp_u32);
            for (size_t r = 0; r < n && !taken; r++)
                taken = items_out[r] == item;
            if (!taken)
                items_out[n++] = item;
        }
        *n_out = want;
        return 0;
    }
    if (!(pool = rs__alloc_array(candidates ? candidates : 1, sizeof *pool)))
        return -1;
    for (uint32_t i = 0, j = 0; i < c->n_items; i++) {
        while (j < n_exclude && exclude[j] < i)
            j++;
        if (j < n_exclude && exclude[j] == i)
            continue;
        pool[n++] = i;
    }
    for (size_t r = 0; r < want; r++) {
        size_t pick = r + (size_t)rs__rng_below(&rng, candidates - r);
        uint32_t t = pool[r];
        pool[r] = pool[pick];
        pool[pick] = t;
        items_out[r] = pool[r];
    }
    free(pool);
    *n_out = want;
    return 0;
}

/* Segment-popular: one ranking per segment (and one for users without a
 * segment), score = distinct train users of the segment with the item +
 * global count / (max global count + 1), so ties in the segment go to the
 * globally more popular item, then to the lower index. */
struct segment_ctx {
    const rs_eval *e;
    const uint32_t *orders; /* (n_segments + 1) x n_items; the last: no segment */
    size_t n_segments;
};

static int segment_recommend(void *context, uint32_t user, size_t k, const uint32_t *exclude,
                             size_t n_exclude, uint32_t *items_out, size_t *n_out)
{
    const struct segment_ctx *c = context;
    uint32_t seg = c->e->user_segment[user];
    struct ranked r = {c->orders + (size_t)(seg == UINT32_MAX ? c->n_segments : seg) *
                                       c->e->n_items,
                       c->e->n_items};
    return ranked_recommend(&r, user, k, exclude, n_exclude, items_out, n_out);
}

static int run_segment_popular(rs_eval *e, size_t *row_out)
{
    size_t n_seg = rs__idmap_span(e->segments), n = e->n_items, cells;
    double *score = NULL, max_pop = 0.0;
    uint32_t *orders = NULL, *tmp = NULL;
    int status;
    if ((status = rs__mul_size(n_seg + 1, n ? n : 1, &cells)) != 0)
        return status;
    score = rs__alloc_array(n ? n : 1, sizeof *score);
    tmp = rs__alloc_array(n ? n : 1, sizeof *tmp);
    orders = rs__alloc_array(cells, sizeof *orders);
    if (!score || !tmp || !orders) {
        status = rs_errcode();
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (e->popularity[i] > max_pop)
            max_pop = e->popularity[i];
    for (size_t g = 0; g <= n_seg; g++) {
        for (size_t i = 0; i < n; i++)
            score[i] = 0.0;
        for (size_t u = 0; u < e->n_users && g < n_seg; u++)
            if (e->user_segment[u] == g)
                for (size_t j = e->train_start[u]; j < e->train_start[u + 1]; j++)
                    score[e->train_items[j]] += 1.0;
        for (size_t i = 0; i < n; i++)
            score[i] += (double)e->popularity[i] / (max_pop + 1.0);
        rs__rank_descending(score, n, orders + g * n, tmp);
    }
    {
        struct segment_ctx c = {e, orders, n_seg};
        status = rs_eval_run(e, "segment-popular", segment_recommend, &c, row_out);
    }
done:
    free(score);
    free(tmp);
    free(orders);
    return status;
}

int rs_eval_set_segment(rs_eval *e, const char *user, const char *segment)
{
    const char *fn = "rs_eval_set_segment";
    uint32_t u, seg;
    int status;
    if (!e || !user)
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    if ((status = rs__check_key(user, "user", NULL)) != 0)
        return rs__fail_context("%s: ", fn);
    u = rs__idmap_find(e->user_map, user, strlen(user));
    if (u == RS_IDMAP_NONE)
        return rs__fail(RS_ERR_NOTFOUND, "%s: user \"%s\" is not in the event log", fn, user);
    if (!segment) {
        e->user_segment[u] = UINT32_MAX;
        return 0;
    }
    if ((status = rs__check_key(segment, "segment", NULL)) != 0)
        return rs__fail_context("%s: ", fn);
    if ((status = rs__idmap_intern(e->segments, segment, strlen(segment), &seg, NULL)) != 0)
        return status;
    e->user_segment[u] = seg;
    return 0;
}

int rs_eval_run_baseline(rs_eval *e, int baseline, double param, size_t *row_out)
{
    const char *fn = "rs_eval_run_baseline";
    double *score = NULL;
    uint32_t *order = NULL, *tmp = NULL;
    char name[64];
    int status;
    if (!e)
        return rs__fail(RS_ERR_INVALID, "%s: eval is NULL", fn);
    if (baseline == RS_BASELINE_RANDOM) {
        struct random_ctx c = {e->n_items, (uint64_t)e->seed};
        return rs_eval_run(e, "random", random_recommend, &c, row_out);
    }
    if (baseline == RS_BASELINE_SEGMENT_POPULAR)
        return run_segment_popular(e, row_out);
    if (baseline != RS_BASELINE_MOST_POPULAR && baseline != RS_BASELINE_RECENT_POPULAR)
        return rs__fail(RS_ERR_INVALID, "%s: unknown baseline %d", fn, baseline);
    if (baseline == RS_BASELINE_RECENT_POPULAR && !(param > 0 && param < 1e7))
        return rs__fail(RS_ERR_RANGE, "%s: recent-popular window of %g days is not in "
                        "(0, 1e7)", fn, param);
    score = rs__calloc(e->n_items ? e->n_items : 1, sizeof *score);
    order = rs__alloc_array(e->n_items ? e->n_items : 1, sizeof *order);
    tmp = rs__alloc_array(e->n_items ? e->n_items : 1, sizeof *tmp);
    if (!score || !order || !tmp) {
        status = rs_errcode();
        goto done;
    }
    if (baseline == RS_BASELINE_MOST_POPULAR) {
        for (size_t i = 0; i < e->n_items; i++)
            score[i] = e->popularity[i];
        snprintf(name, sizeof name, "most-popular");
    } else {
        /* distinct users per item with a train event in [end - days, end) */
        double start_d = (double)e->recent_end - param * 86400.0;
        int64_t start = start_d <= (double)INT64_MIN ? INT64_MIN : (int64_t)ceil(start_d);
        const struct train_event *t = e->train_events;
        for (size_t a = 0; a < e->n_train_events; a++) {
            bool same_pair = a > 0 && t[a].user == t[a - 1].user && t[a].item == t[a - 1].item;
            if (t[a].time < start || t[a].time >= e->recent_end)
                continue;
            /* sorted by (user, item, time): count a pair at its first event in
             * the window, i.e. when the previous event of the pair is not */
            if (same_pair && t[a - 1].time >= start && t[a - 1].time < e->recent_end)
                continue;
            score[t[a].item] += 1.0;
        }
        snprintf(name, sizeof name, "recent-popular (%g days)", param);
    }
    rs__rank_descending(score, e->n_items, order, tmp);
    {
        struct ranked r = {order, e->n_items};
        status = rs_eval_run(e, name, ranked_recommend, &r, row_out);
    }
done:
    free(score);
    free(order);
    free(tmp);
    return status;
}

/* ------------------------------------------------------------ results */

static const char *const field_names[RS_EVAL_FIELD_COUNT] = {
    "precision", "recall", "f1", "ndcg", "map", "mrr", "hit_rate", "coverage",
    "novelty", "gini", "popularity_bias", "users", "seconds", "k", "group", "auc",
    "ndcg_graded",
};

const char *rs_eval_field_name(int field)
{
    return field >= 0 && field < RS_EVAL_FIELD_COUNT ? field_names[field] : NULL;
}

size_t rs_eval_result_count(const rs_eval *e)
{
    return e ? e->n_results : 0;
}

int rs_eval_result(const rs_eval *e, size_t row, int field, double *value_out)
{
    const char *fn = "rs_eval_result";
    if (!e || !value_out)
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    if (field < 0 || field >= RS_EVAL_FIELD_COUNT)
        return rs__fail(RS_ERR_INVALID, "%s: unknown field %d", fn, field);
    if (row >= e->n_results)
        return rs__fail(RS_ERR_NOTFOUND, "%s: row %zu is beyond the %zu results", fn, row,
                        e->n_results);
    *value_out = e->results[row].field[field];
    return 0;
}

const char *rs_eval_result_name(const rs_eval *e, size_t row)
{
    return e && row < e->n_results ? e->results[row].name : NULL;
}

int rs_eval_result_users(const rs_eval *e, size_t row, int field, uint32_t *users_out,
                         double *values_out, size_t capacity, size_t *n_out)
{
    const char *fn = "rs_eval_result_users";
    const struct result *res;
    int column;
    if (!e || !n_out || (capacity && !users_out && !values_out))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    if (field >= 0 && field < RS_EVAL_METRIC_COUNT)
        column = field;
    else if (field == RS_EVAL_AUC)
        column = USER_AUC;
    else if (field == RS_EVAL_NDCG_GRADED)
        column = USER_NDCG_GRADED;
    else
        return rs__fail(RS_ERR_INVALID, "%s: field %d has no per-user values (only the ranking "
                        "metrics, AUC and graded NDCG)", fn, field);
    if (row >= e->n_results)
        return rs__fail(RS_ERR_NOTFOUND, "%s: row %zu is beyond the %zu results", fn, row,
                        e->n_results);
    res = &e->results[row];
    *n_out = res->n_users;
    for (size_t p = 0; p < res->n_users && p < capacity; p++) {
        if (users_out)
            users_out[p] = res->users[p];
        if (values_out)
            values_out[p] = res->values[p * USER_FIELDS + (size_t)column];
    }
    if (res->n_users > capacity)
        return rs__fail(RS_ERR_BUFFER, "%s: %zu users do not fit a capacity of %zu", fn,
                        res->n_users, capacity);
    return 0;
}

/* A growing text buffer; on allocation failure it stops growing and
 * remembers the failure. */
struct text {
    char *buf;
    size_t len, cap;
    int status;
};

static void text_add(struct text *t, const char *fmt, ...) RS_PRINTF(2, 3);

static void text_add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (t->status)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->status = rs__fail(RS_ERR_INTERNAL, "rs_eval_report: formatting failed");
        return;
    }
    if ((t->status = rs__grow((void **)&t->buf, &t->cap, t->len + (size_t)n + 1, 1)) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(t->buf + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* s as a JSON string literal, written by jansson, the library's one JSON
 * writer (run names were checked to be UTF-8 by rs_eval_run, so jansson
 * fails only for want of memory). */
static void json_quoted(struct text *t, const char *s)
{
    json_t *j;
    char *literal;
    if (t->status != 0)
        return;
    j = json_string(s);
    literal = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    if (!literal) {
        t->status = RS_ERR_NOMEM;
        return;
    }
    text_add(t, "%s", literal);
    free(literal);
}

int rs_eval_report(const rs_eval *e, int format, char *buf, size_t capacity, size_t *len_out)
{
    const char *fn = "rs_eval_report";
    struct text t = {0};
    if (!e || !len_out || (!buf && capacity))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    if (format != RS_EVAL_TABLE && format != RS_EVAL_JSON)
        return rs__fail(RS_ERR_INVALID, "%s: unknown format %d", fn, format);
    if (format == RS_EVAL_TABLE) {
        text_add(&t, "%-32s %5s %4s %6s %6s %6s %6s %6s %6s %6s %6s %8s\n", "method", "users",
                 "k", "P", "R", "NDCG", "MAP", "MRR", "HR", "AUC", "Cov", "secs");
        for (size_t r = 0; r < e->n_results; r++) {
            const double *f = e->results[r].field;
            text_add(&t, "%-32s %5.0f %4.0f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %.4f %8.3f\n",
                     e->results[r].name, f[RS_EVAL_USERS], f[RS_EVAL_K_USED],
                     f[RS_EVAL_PRECISION], f[RS_EVAL_RECALL], f[RS_EVAL_NDCG], f[RS_EVAL_MAP],
                     f[RS_EVAL_MRR], f[RS_EVAL_HIT_RATE], f[RS_EVAL_AUC],
                     f[RS_EVAL_COVERAGE], f[RS_EVAL_SECONDS]);
        }
    } else {
        text_add(&t, "[");
        for (size_t r = 0; r < e->n_results; r++) {
            text_add(&t, "%s\n {\"name\": ", r ? "," : "");
            json_quoted(&t, e->results[r].name);
            for (int f = 0; f < RS_EVAL_FIELD_COUNT; f++) {
                double v = e->results[r].field[f];
                if (isfinite(v)) /* JSON has no NaN: an undefined field is null */
                    text_add(&t, ", \"%s\": %.17g", field_names[f], v);
                else
                    text_add(&t, ", \"%s\": null", field_names[f]);
            }
            text_add(&t, "}");
        }
        text_add(&t, "\n]\n");
    }
    if (t.status) {
        free(t.buf);
        return t.status;
    }
    *len_out = t.len;
    if (t.len + 1 > capacity) {
        free(t.buf);
        return rs__fail(RS_ERR_BUFFER, "%s: the report needs %zu bytes, capacity is %zu", fn,
                        t.len + 1, capacity);
    }
    memcpy(buf, t.buf, t.len + 1);
    free(t.buf);
    return 0;
}

int rs_eval_write_recs(const rs_eval *e, size_t row, const char *path)
{
    const char *fn = "rs_eval_write_recs";
    const struct result *res;
    FILE *f;
    int failed;
    if (!e || !path || !*path)
        return rs__fail(RS_ERR_INVALID, "%s: NULL or empty argument", fn);
    if (row >= e->n_results)
        return rs__fail(RS_ERR_NOTFOUND, "%s: row %zu is beyond the %zu results", fn, row,
                        e->n_results);
    res = &e->results[row];
    if (!(f = fopen(path, "w")))
        return rs__fail(RS_ERR_IO, "%s: cannot create %s: %s", fn, path, strerror(errno));
    for (size_t p = 0; p < res->n_users; p++)
        for (size_t r = 0; r < res->k; r++) {
            uint32_t item = res->lists[p * res->k + r];
            if (item != RS_NO_ITEM)
                fprintf(f, "%s\t%s\t%zu\n", e->user_key[res->users[p]], e->item_key[item],
                        r + 1);
        }
    failed = ferror(f);
    if (fclose(f) != 0 || failed)
        return rs__fail(RS_ERR_IO, "%s: writing %s failed: %s", fn, path, strerror(errno));
    return 0;
}

int rs_eval_result_list(const rs_eval *e, size_t row, size_t position, uint32_t *user_out,
                        uint32_t *items_out, size_t capacity, size_t *n_out)
{
    const char *fn = "rs_eval_result_list";
    const struct result *res;
    size_t n = 0;
    if (!e || !n_out || (!items_out && capacity))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    *n_out = 0;
    if (row >= e->n_results)
        return rs__fail(RS_ERR_NOTFOUND, "%s: row %zu is beyond the %zu results", fn, row,
                        e->n_results);
    res = &e->results[row];
    if (position >= res->n_users)
        return rs__fail(RS_ERR_NOTFOUND, "%s: position %zu is beyond the row's %zu users", fn,
                        position, res->n_users);
    if (user_out)
        *user_out = res->users[position];
    for (size_t r = 0; r < res->k; r++) {
        uint32_t item = res->lists[position * res->k + r];
        if (item == RS_NO_ITEM)
            continue;
        if (n < capacity)
            items_out[n] = item;
        n++;
    }
    *n_out = n;
    return n > capacity ? rs__fail(RS_ERR_BUFFER, "%s: %zu items, room for %zu", fn, n, capacity)
                        : RS_OK;
}

int rs__eval_row_view(const rs_eval *e, size_t row, struct rs__eval_row *out, const char *fn)
{
    const struct result *res;
    if (!e || !out)
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    if (row >= e->n_results)
        return rs__fail(RS_ERR_NOTFOUND, "%s: row %zu is beyond the %zu results", fn, row,
                        e->n_results);
    res = &e->results[row];
    out->name = res->name;
    out->field = res->field;
    out->users = res->users;
    out->lists = res->lists;
    out->values = res->values;
    out->popularity = e->popularity;
    out->n_users = res->n_users;
    out->k = res->k;
    out->shard = res->shard;
    out->shards = res->shards;
    out->group_users = res->group_users;
    out->n_items = e->n_items;
    out->n_train_users = train_user_count(e);
    out->group = (int64_t)res->field[RS_EVAL_GROUP_USED];
    return 0;
}
