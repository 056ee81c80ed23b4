/*
 * split.c - the split rules on plain event arrays: random per-user hold-out
 * of (user, item) pairs, a global cut in time, leave-last-N-out per user.
 *
 * Each rule works on the events whose part is RS_PART_TRAIN, computes the
 * new parts in a copy and commits them only on success.
 */
#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "eval/eval_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The rng stream of the random hold-out. */
#define SPLIT_STREAM 0x53504c54u /* "SPLT" */

/* One train event, sortable by (user, item, time, index). */
struct ev {
    uint32_t user, item;
    int64_t time;
    size_t index;
    uint64_t key; /* per-pair sort key of a rule */
};

/* One distinct (user, item) pair: its events are evs[first .. first+count). */
struct pair {
    uint32_t user, item;
    int64_t first_time;
    size_t first_index;
    size_t first, count;
    uint64_t key;
};

static int cmp_ev(const void *a, const void *b)
{
    const struct ev *x = a, *y = b;
    if (x->user != y->user)
        return x->user < y->user ? -1 : 1;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

int rs__eval_check_target(int part, const char *fn)
{
    if (part != RS_PART_TEST && part != RS_PART_VALID)
        return rs__fail(RS_ERR_INVALID, "%s: part %d is neither RS_PART_TEST nor RS_PART_VALID",
                        fn, part);
    return 0;
}

static int check_parts(const uint8_t *parts, size_t n, const char *fn)
{
    if (!parts && n > 0)
        return rs__fail(RS_ERR_INVALID, "%s: parts is NULL", fn);
    for (size_t i = 0; i < n; i++)
        if (parts[i] >= RS_PART_COUNT)
            return rs__fail(RS_ERR_INVALID, "%s: parts[%zu] = %u is not an rs_eval_part", fn, i,
                            (unsigned)parts[i]);
    return 0;
}

/* Gather the train events sorted by (user, item, time, index) and group them
 * into pairs.  On success the caller frees *evs_out and *pairs_out. */
static int gather(const uint32_t *users, const uint32_t *items, const int64_t *times,
                  const uint8_t *parts, size_t n, struct ev **evs_out, size_t *n_evs,
                  struct pair **pairs_out, size_t *n_pairs)
{
    size_t m = 0, np = 0;
    for (size_t i = 0; i < n; i++)
        m += parts[i] == RS_PART_TRAIN;
    struct ev *evs = rs__alloc_array(m ? m : 1, sizeof *evs);
    struct pair *pairs = rs__alloc_array(m ? m : 1, sizeof *pairs);
    if (!evs || !pairs) {
        free(evs);
        free(pairs);
        return rs_errcode();
    }
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (parts[i] == RS_PART_TRAIN)
            evs[m++] = (struct ev){users[i], items[i], times ? times[i] : 0, i, 0};
    qsort(evs, m, sizeof *evs, cmp_ev);
    for (size_t i = 0; i < m; i++) {
        if (np > 0 && pairs[np - 1].user == evs[i].user && pairs[np - 1].item == evs[i].item) {
            struct pair *p = &pairs[np - 1];
            p->count++;
            /* sorted by time then index: the first event of the pair is first */
            continue;
        }
        pairs[np++] = (struct pair){evs[i].user, evs[i].item, evs[i].time, evs[i].index,
                                    i, 1, 0};
    }
    *evs_out = evs;
    *n_evs = m;
    *pairs_out = pairs;
    *n_pairs = np;
    return 0;
}

static int cmp_pair_key(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->item > y->item) - (x->item < y->item);
}

/* Pairs of one user ordered by first event: (time, index). */
static int cmp_pair_first(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->first_time != y->first_time)
        return x->first_time < y->first_time ? -1 : 1;
    return (x->first_index > y->first_index) - (x->first_index < y->first_index);
}

enum rule { RULE_RANDOM, RULE_LAST };

/* Shared body of the per-user rules: for each user with enough distinct
 * items, order its pairs (by random key or by first event) and move the
 * last `hold` of them, with all their events, to `part`. */
static int per_user_split(const uint32_t *users, const uint32_t *items, const int64_t *times,
                          size_t n, enum rule rule, double fraction, size_t n_last,
                          size_t min_history, uint64_t seed, int part, uint8_t *parts)
{
    struct ev *evs = NULL;
    struct pair *pairs = NULL;
    size_t n_evs = 0, n_pairs = 0, need = min_history < 2 ? 2 : min_history;
    uint8_t *next;
    int status;
    if ((status = gather(users, items, times, parts, n, &evs, &n_evs, &pairs, &n_pairs)) != 0)
        return status;
    next = rs__malloc(n ? n : 1);
    if (!next) {
        free(evs);
        free(pairs);
        return rs_errcode();
    }
    if (n)
        memcpy(next, parts, n);
    for (size_t a = 0, b; a < n_pairs; a = b) {
        size_t m, hold;
        for (b = a; b < n_pairs && pairs[b].user == pairs[a].user; b++)
            ;
        m = b - a;
        if (m < need)
            continue;
        if (rule == RULE_RANDOM) {
            double h = floor(fraction * (double)m + 0.5);
            hold = h < 1 ? 1 : (size_t)h;
            for (size_t p = a; p < b; p++) {
                rs_rng rng;
                rs__rng_init(&rng, seed, SPLIT_STREAM, pairs[p].user, pairs[p].item);
                pairs[p].key = rs__rng_u64(&rng);
            }
            /* ascending random key: the pairs held out are the last `hold` */
            qsort(pairs + a, m, sizeof *pairs, cmp_pair_key);
        } else {
            hold = n_last;
            qsort(pairs + a, m, sizeof *pairs, cmp_pair_first);
        }
        if (hold > m - 1)
            hold = m - 1;
        for (size_t p = b - hold; p < b; p++)
            for (size_t e = pairs[p].first; e < pairs[p].first + pairs[p].count; e++)
                next[evs[e].index] = (uint8_t)part;
    }
    if (n)
        memcpy(parts, next, n);
    free(next);
    free(evs);
    free(pairs);
    return 0;
}

int rs_split_random(const uint32_t *users, const uint32_t *items, size_t n_events,
                    double fraction, size_t min_history, uint64_t seed, int part,
                    uint8_t *parts)
{
    const char *fn = "rs_split_random";
    int status;
    if (n_events > 0 && (!users || !items))
        return rs__fail(RS_ERR_INVALID, "%s: users or items is NULL", fn);
    if ((status = rs__eval_check_target(part, fn)) != 0 ||
        (status = check_parts(parts, n_events, fn)) != 0)
        return status;
    if (!(fraction > 0.0 && fraction < 1.0))
        return rs__fail(RS_ERR_RANGE, "%s: fraction %g is not in (0, 1)", fn, fraction);
    return per_user_split(users, items, NULL, n_events, RULE_RANDOM, fraction, 0, min_history,
                          seed, part, parts);
}

int rs_split_last(const uint32_t *users, const uint32_t *items, const int64_t *times,
                  size_t n_events, size_t n_last, size_t min_history, int part, uint8_t *parts)
{
    const char *fn = "rs_split_last";
    int status;
    if (n_events > 0 && (!users || !items || !times))
        return rs__fail(RS_ERR_INVALID, "%s: users, items or times is NULL", fn);
    if ((status = rs__eval_check_target(part, fn)) != 0 ||
        (status = check_parts(parts, n_events, fn)) != 0)
        return status;
    if (n_last == 0)
        return rs__fail(RS_ERR_RANGE, "%s: n_last is 0", fn);
    return per_user_split(users, items, times, n_events, RULE_LAST, 0.0, n_last, min_history,
                          0, part, parts);
}

int rs_split_temporal(const int64_t *times, size_t n_events, int64_t cut, int part,
                      uint8_t *parts)
{
    const char *fn = "rs_split_temporal";
    int status;
    if (n_events > 0 && !times)
        return rs__fail(RS_ERR_INVALID, "%s: times is NULL", fn);
    if ((status = rs__eval_check_target(part, fn)) != 0 ||
        (status = check_parts(parts, n_events, fn)) != 0)
        return status;
    for (size_t i = 0; i < n_events; i++)
        if (parts[i] == RS_PART_TRAIN && times[i] >= cut)
            parts[i] = (uint8_t)part;
    return 0;
}
