/*
 * parts.c - a result row of one shard of the users as bytes
 * (rs_eval_result_part), and the whole run's fields from the parts of
 * every shard (rs_eval_merge_parts), for evaluating the users on several
 * machines.
 *
 * A part keeps what the row's fields are computed from: each user's values
 * and list, and the catalogue's popularity; the merge puts the users back
 * in order and computes the fields with the runner's own code
 * (rs__eval_row_fields), so that merged fields equal a single run's bit for
 * bit (coverage, Gini, novelty and the averages are not averages of the
 * shards' values, which would differ).
 *
 * Layout (host byte order, a mark tells another order apart):
 *   "RSEVPART" u32 version  u32 0x01020304  u32 user fields
 *   u64 k, group, n_items, n_train_users, shard, shards, group_users,
 *       n_users, name length;  f64 seconds
 *   name bytes, u32 popularity[n_items], u32 users[n_users],
 *   f64 values[n_users x user fields], u32 lists[n_users x k]
 */
#include "core/alloc.h"
#include "core/error.h"
#include "eval/eval_internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PART_MAGIC "RSEVPART"
#define PART_VERSION 1u
#define PART_ORDER 0x01020304u
#define HEAD_U64 9 /* k .. name length */
#define HEAD_BYTES (8 + 3 * 4 + HEAD_U64 * 8 + 8)

/* A part's header and its arrays (borrowed from the bytes). */
struct part {
    uint64_t k, group, n_items, n_train_users, shard, shards, group_users, n_users, name_len;
    double seconds;
    const unsigned char *name, *popularity, *users, *values, *lists;
};

/* ------------------------------------------------------------ writing */

struct writer {
    unsigned char *buf;
    size_t capacity, len;
};

static void put(struct writer *w, const void *data, size_t n)
{
    if (n && w->len <= w->capacity && n <= w->capacity - w->len)
        memcpy(w->buf + w->len, data, n);
    w->len += n;
}

/* The part's size, or RS_ERR_OVERFLOW. */
static int part_size(const struct rs__eval_row *r, size_t name_len, size_t *out)
{
    size_t pop, users, values, lists, total = HEAD_BYTES;
    if (rs__mul_size(r->n_items, 4, &pop) || rs__mul_size(r->n_users, 4, &users) ||
        rs__mul_size(r->n_users, RS__EVAL_USER_FIELDS * 8, &values) ||
        rs__mul_size(r->n_users, r->k, &lists) || rs__mul_size(lists, 4, &lists))
        return rs__fail_context("rs_eval_result_part: ");
    const size_t parts[] = {name_len, pop, users, values, lists};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (parts[i] > SIZE_MAX - total)
            return rs__fail(RS_ERR_OVERFLOW, "rs_eval_result_part: the part's size overflows");
        total += parts[i];
    }
    *out = total;
    return 0;
}

int rs_eval_result_part(const rs_eval *eval, size_t row, void *buf, size_t capacity,
                        size_t *len_out)
{
    const char *fn = "rs_eval_result_part";
    struct rs__eval_row r;
    struct writer w = {buf, capacity, 0};
    size_t name_len, size = 0;
    uint32_t head32[3] = {PART_VERSION, PART_ORDER, RS__EVAL_USER_FIELDS};
    uint64_t head64[HEAD_U64];
    double seconds;
    int s;
    if (!len_out || (!buf && capacity))
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument", fn);
    *len_out = 0;
    if ((s = rs__eval_row_view(eval, row, &r, fn)) != 0)
        return s;
    name_len = strlen(r.name);
    if ((s = part_size(&r, name_len, &size)) != 0)
        return s;
    *len_out = size;
    if (size > capacity)
        return rs__fail(RS_ERR_BUFFER, "%s: the part takes %zu bytes, room for %zu", fn, size,
                        capacity);
    head64[0] = r.k;
    head64[1] = (uint64_t)r.group;
    head64[2] = r.n_items;
    head64[3] = r.n_train_users;
    head64[4] = r.shard;
    head64[5] = r.shards;
    head64[6] = r.group_users;
    head64[7] = r.n_users;
    head64[8] = name_len;
    seconds = r.field[RS_EVAL_SECONDS];
    put(&w, PART_MAGIC, 8);
    put(&w, head32, sizeof head32);
    put(&w, head64, sizeof head64);
    put(&w, &seconds, sizeof seconds);
    put(&w, r.name, name_len);
    put(&w, r.popularity, r.n_items * 4);
    put(&w, r.users, r.n_users * 4);
    put(&w, r.values, r.n_users * RS__EVAL_USER_FIELDS * 8);
    put(&w, r.lists, r.n_users * r.k * 4);
    return 0;
}

/* ------------------------------------------------------------ reading */

/* Take n bytes at *at of a part of len bytes; false when they are not all there. */
static bool take(size_t len, size_t *at, uint64_t n, const unsigned char **out,
                 const unsigned char *base)
{
    if (n > len - *at)
        return false;
    *out = base + *at;
    *at += (size_t)n;
    return true;
}

/* Whether a * b bytes fit in the rest of a part, and the product. */
static bool fits(uint64_t a, uint64_t b, size_t rest, uint64_t *out)
{
    if (b && a > rest / b)
        return false;
    *out = a * b;
    return true;
}

static int part_read(const void *data, size_t len, size_t index, struct part *p)
{
    const char *fn = "rs_eval_merge_parts";
    const unsigned char *b = data;
    uint32_t head32[3];
    uint64_t head64[HEAD_U64], n;
    size_t at = HEAD_BYTES;
    if (!data)
        return rs__fail(RS_ERR_INVALID, "%s: part %zu is NULL", fn, index);
    if (len < HEAD_BYTES || memcmp(b, PART_MAGIC, 8) != 0)
        return rs__fail(RS_ERR_CORRUPT, "%s: part %zu is not a result part", fn, index);
    memcpy(head32, b + 8, sizeof head32);
    memcpy(head64, b + 20, sizeof head64);
    memcpy(&p->seconds, b + 20 + sizeof head64, sizeof p->seconds);
    if (head32[1] != PART_ORDER)
        return rs__fail(RS_ERR_CORRUPT, "%s: part %zu was written in another byte order", fn,
                        index);
    if (head32[0] > PART_VERSION)
        return rs__fail(RS_ERR_VERSION, "%s: part %zu has format %u, newer than this "
                        "library's %u", fn, index, head32[0], PART_VERSION);
    if (head32[0] != PART_VERSION || head32[2] != RS__EVAL_USER_FIELDS)
        return rs__fail(RS_ERR_CORRUPT, "%s: part %zu has a damaged header", fn, index);
    p->k = head64[0];
    p->group = head64[1];
    p->n_items = head64[2];
    p->n_train_users = head64[3];
    p->shard = head64[4];
    p->shards = head64[5];
    p->group_users = head64[6];
    p->n_users = head64[7];
    p->name_len = head64[8];
    if (p->k < 1 || p->k > 10000 || p->n_items == 0 || p->shards < 1 ||
        p->shards > RS_EVAL_MAX_SHARDS || p->shard >= p->shards ||
        p->n_users > p->group_users || p->n_train_users == 0 ||
        (p->group != RS_EVAL_WARM && p->group != RS_EVAL_COLD))
        return rs__fail(RS_ERR_CORRUPT, "%s: part %zu has a value out of range in its header",
                        fn, index);
    if (!take(len, &at, p->name_len, &p->name, b) ||
        !fits(p->n_items, 4, len - at, &n) || !take(len, &at, n, &p->popularity, b) ||
        !fits(p->n_users, 4, len - at, &n) || !take(len, &at, n, &p->users, b) ||
        !fits(p->n_users, RS__EVAL_USER_FIELDS * 8, len - at, &n) ||
        !take(len, &at, n, &p->values, b) || !fits(p->n_users, p->k, len - at, &n) ||
        !fits(n, 4, len - at, &n) || !take(len, &at, n, &p->lists, b))
        return rs__fail(RS_ERR_CORRUPT, "%s: part %zu is truncated", fn, index);
    if (at != len)
        return rs__fail(RS_ERR_CORRUPT, "%s: part %zu has %zu bytes past its end", fn, index,
                        len - at);
    return 0;
}

/* Whether part q belongs to the same run as p. */
static bool same_run(const struct part *p, const struct part *q)
{
    return p->k == q->k && p->group == q->group && p->n_items == q->n_items &&
           p->n_train_users == q->n_train_users && p->shards == q->shards &&
           p->group_users == q->group_users && p->name_len == q->name_len &&
           memcmp(p->name, q->name, p->name_len) == 0 &&
           memcmp(p->popularity, q->popularity, p->n_items * 4) == 0;
}

/* The parts in shard order, checked to be one run's shards, each once, the
 * users ascending across them. */
static int parts_order(const void *const *parts, const size_t *lens, size_t n_parts,
                       struct part *all, struct part **order)
{
    const char *fn = "rs_eval_merge_parts";
    uint64_t users = 0;
    uint32_t last = 0;
    bool any = false;
    int s;
    for (size_t i = 0; i < n_parts; i++) {
        if ((s = part_read(parts[i], lens[i], i, &all[i])) != 0)
            return s;
        if (i > 0 && !same_run(&all[0], &all[i]))
            return rs__fail(RS_ERR_STATE, "%s: part %zu is of another run than part 0 (row, "
                            "split, cut-off or shard count differ)", fn, i);
    }
    if (all[0].shards != n_parts)
        return rs__fail(RS_ERR_STATE, "%s: %zu parts of a run in %llu shards", fn, n_parts,
                        (unsigned long long)all[0].shards);
    for (size_t i = 0; i < n_parts; i++) {
        if (order[all[i].shard])
            return rs__fail(RS_ERR_STATE, "%s: shard %llu is given twice", fn,
                            (unsigned long long)all[i].shard);
        order[all[i].shard] = &all[i];
    }
    for (size_t i = 0; i < n_parts; i++) {
        const struct part *p = order[i];
        users += p->n_users;
        for (size_t u = 0; u < p->n_users; u++) {
            uint32_t user;
            memcpy(&user, p->users + 4 * u, 4);
            if (any && user <= last)
                return rs__fail(RS_ERR_CORRUPT, "%s: the users of shard %zu are not after "
                                "those of the shards before it", fn, i);
            last = user;
            any = true;
        }
    }
    if (users != all[0].group_users)
        return rs__fail(RS_ERR_CORRUPT, "%s: the parts hold %llu users of the run's %llu", fn,
                        (unsigned long long)users, (unsigned long long)all[0].group_users);
    return 0;
}

int rs_eval_merge_parts(const void *const *parts, const size_t *lens, size_t n_parts,
                        double *fields_out, size_t n_fields)
{
    const char *fn = "rs_eval_merge_parts";
    struct part *all = NULL, **order = NULL;
    double field[RS_EVAL_FIELD_COUNT] = {0}, *values = NULL, seconds = 0.0;
    uint32_t *lists = NULL, *popularity = NULL;
    size_t n_users, k, at_values = 0, at_lists = 0;
    int s;
    if (!parts || !lens || !fields_out || n_parts == 0 || n_fields == 0)
        return rs__fail(RS_ERR_INVALID, "%s: NULL argument or no part", fn);
    if (n_parts > RS_EVAL_MAX_SHARDS)
        return rs__fail(RS_ERR_RANGE, "%s: %zu parts, more than %d shards", fn, n_parts,
                        RS_EVAL_MAX_SHARDS);
    all = rs__calloc(n_parts, sizeof *all);
    order = rs__calloc(n_parts, sizeof *order);
    if (!all || !order) {
        s = rs_errcode();
        goto done;
    }
    if ((s = parts_order(parts, lens, n_parts, all, order)) != 0)
        goto done;
    n_users = (size_t)all[0].group_users;
    k = (size_t)all[0].k;
    /* the sizes were checked against the parts' lengths, so they fit */
    values = rs__alloc_array(n_users ? n_users : 1, RS__EVAL_USER_FIELDS * sizeof *values);
    lists = rs__alloc_array(n_users ? n_users * k : 1, sizeof *lists);
    popularity = rs__alloc_array((size_t)all[0].n_items, sizeof *popularity);
    if (!values || !lists || !popularity) {
        s = rs_errcode();
        goto done;
    }
    memcpy(popularity, all[0].popularity, (size_t)all[0].n_items * 4);
    for (size_t i = 0; i < n_parts; i++) {
        const struct part *p = order[i];
        size_t nv = (size_t)p->n_users * RS__EVAL_USER_FIELDS, nl = (size_t)p->n_users * k;
        memcpy(values + at_values, p->values, nv * sizeof *values);
        memcpy(lists + at_lists, p->lists, nl * sizeof *lists);
        at_values += nv;
        at_lists += nl;
        seconds += p->seconds;
    }
    for (size_t c = 0; c < n_users * k; c++)
        if (lists[c] != RS_NO_ITEM && lists[c] >= all[0].n_items) {
            s = rs__fail(RS_ERR_CORRUPT, "%s: a list holds item %u of a catalogue of %llu", fn,
                         lists[c], (unsigned long long)all[0].n_items);
            goto done;
        }
    if ((s = rs__eval_row_fields(values, lists, n_users, k, (size_t)all[0].n_items, popularity,
                                 (size_t)all[0].n_train_users, field)) != 0)
        goto done;
    field[RS_EVAL_GROUP_USED] = (double)all[0].group;
    field[RS_EVAL_SECONDS] = seconds;
    memcpy(fields_out, field,
           (n_fields < RS_EVAL_FIELD_COUNT ? n_fields : RS_EVAL_FIELD_COUNT) * sizeof *field);
done:
    free(all);
    free(order);
    free(values);
    free(lists);
    free(popularity);
    return s;
}
