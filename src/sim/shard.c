/*
 * shard.c - one simulation run split by users: a shard's side of the
 * per-step exchange (attach, before, after) and the merge of a step's parts
 * (see sim_shard.h).
 *
 * Why a per-step exchange: the users are coupled only through the items'
 * popularity, recomputed after every step from every user's clicks
 * (rs__sim_update_pop).  Everything else a user's draws read is its own
 * state, and every draw is keyed on (seed, stream, user, step), so a shard
 * that is given the whole run's click counts before each step draws for
 * its users exactly what the whole run draws for them.  Counts are
 * integers: their sum does not depend on the order of the shards.
 *
 * Why the parts carry per-item and per-user data: the trace's statistics
 * are not additive.  Coverage and Gini come from the exposure of every
 * item, the entropy from every category's clicks, and the diversity from
 * a floating-point sum taken in user order; the merge recomputes each of
 * them as run.c does, from the summed counts and the users' values in
 * order, never from the shards' own figures.
 *
 * Layouts (host byte order; a mark tells another order apart):
 * part   "RSSMPART" u32 version u32 0x01020304, u64 head[H_COUNT] (the run's
 *        key, the policy's tag, the shard, sizes, the step's counts), f64
 *        seconds, u64 category_clicks[n_cat], u32 click_items[n_click],
 *        u32 click_counts[n_click], u32 exposed_items[n_expo], u32
 *        exposures[n_expo], f64 diversity[n_ild] (the active users', in
 *        user order).  Items ascending.
 * merged "RSSMSTEP" u32 version u32 0x01020304, u64 key, shards, n_items,
 *        step, n_click, u32 click_items[n_click], u32 click_counts[n_click].
 */
#include "sim/sim_internal.h"
#include "sim/sim_shard.h"

#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PART_MAGIC "RSSMPART"
#define STEP_MAGIC "RSSMSTEP"
#define FORMAT_VERSION 1u
#define ORDER_MARK 0x01020304u
#define MAX_SHARDS 65536

enum {
    H_KEY, H_TAG, H_SHARD, H_SHARDS, H_USERS, H_ITEMS, H_CATS, H_STEP, H_LO, H_HI,
    H_ACTIVE, H_CLICKS, H_PURCHASES, H_RATING, H_LEAVES, H_RETURNS, H_ENDED, H_TRUTH,
    H_NCLICK, H_NEXPO, H_NILD, H_COUNT
};
enum { M_KEY, M_SHARDS, M_ITEMS, M_STEP, M_NCLICK, M_COUNT };
#define PART_HEAD (16 + H_COUNT * 8 + 8)
#define STEP_HEAD (16 + M_COUNT * 8)

/* ------------------------------------------------------------ bytes */

/* A growing output buffer, reused from step to step. */
struct bytes {
    unsigned char *data;
    size_t cap, len;
};

/* Room for size bytes (the content discarded). */
static int bytes_reserve(struct bytes *b, size_t size)
{
    b->len = 0;
    if (size <= b->cap)
        return RS_OK;
    return rs__grow((void **)&b->data, &b->cap, size, 1);
}

static void bytes_put(struct bytes *b, const void *src, size_t n)
{
    if (n)
        memcpy(b->data + b->len, src, n);
    b->len += n;
}

/* Total of terms (each a count times an element size) after head bytes, or
 * RS_ERR_OVERFLOW. */
static int sized(size_t head, const size_t *count, const size_t *elem, size_t n, size_t *out)
{
    size_t total = head, t;
    for (size_t i = 0; i < n; i++)
        if (rs__mul_size(count[i], elem[i], &t) || rs__add_size(total, t, &total))
            return rs__fail(RS_ERR_OVERFLOW, "a simulation part's size overflows");
    *out = total;
    return RS_OK;
}

/* A reader over bytes: each take checks that the bytes are there. */
struct reader {
    const unsigned char *at;
    size_t left;
};

static const unsigned char *take(struct reader *r, uint64_t count, size_t elem)
{
    if (count > r->left / elem)
        return NULL;
    const unsigned char *p = r->at;
    r->at += count * elem;
    r->left -= count * elem;
    return p;
}

/* The magic, version and byte-order mark at the start of bytes. */
static int check_start(const void *data, size_t len, const char *magic, size_t head,
                       const char *what, const char *fn, size_t index)
{
    uint32_t v[2];
    if (!data)
        return rs__fail(RS_ERR_INVALID, "%s: %s %zu is NULL", fn, what, index);
    if (len < head || memcmp(data, magic, 8) != 0)
        return rs__fail(RS_ERR_CORRUPT, "%s: %s %zu is not a simulation %s", fn, what, index,
                        what);
    memcpy(v, (const unsigned char *)data + 8, sizeof v);
    if (v[1] != ORDER_MARK)
        return rs__fail(RS_ERR_CORRUPT, "%s: %s %zu was written in another byte order", fn,
                        what, index);
    if (v[0] > FORMAT_VERSION)
        return rs__fail(RS_ERR_VERSION, "%s: %s %zu has format %u, newer than this "
                        "library's %u", fn, what, index, v[0], FORMAT_VERSION);
    if (v[0] != FORMAT_VERSION)
        return rs__fail(RS_ERR_CORRUPT, "%s: %s %zu has a damaged header", fn, what, index);
    return RS_OK;
}

/* Sparse item counts: n strictly ascending items below n_items, counts. */
static bool items_ok(const unsigned char *items, uint64_t n, uint64_t n_items)
{
    uint32_t last = 0;
    for (uint64_t j = 0; j < n; j++) {
        uint32_t i;
        memcpy(&i, items + 4 * j, 4);
        if (i >= n_items || (j > 0 && i <= last))
            return false;
        last = i;
    }
    return true;
}

/* ------------------------------------------------------------ the shard */

struct rs__sim_shard_io {
    rs_sim *s;
    uint64_t key, tag;
    size_t shard, shards, lo, hi;
    uint64_t *global;  /* n_items: every shard's clicks up to the last merged step */
    uint64_t *expo0;   /* n_items: this shard's exposure before the step */
    uint64_t *cat;     /* n_cat: the step's clicks per category */
    rs__sim_stats st0; /* the statistics before the step */
    double *ild;       /* n_users: the step's diversities (the simulator's log) */
    uint64_t step;     /* the step the next before() prepares */
    struct bytes out;
};

uint64_t rs__sim_fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

void rs__sim_shard_detach(rs__sim_shard_io *io)
{
    if (!io)
        return;
    if (io->s && io->s->ild_log == io->ild) {
        io->s->ild_log = NULL;
        rs__sim_set_user_range(io->s, 0, io->s->n_users);
    }
    free(io->global);
    free(io->expo0);
    free(io->cat);
    free(io->ild);
    free(io->out.data);
    free(io);
}

int rs__sim_shard_attach(rs_sim *s, size_t lo, size_t hi, size_t shard, size_t shards,
                         uint64_t run_key, uint64_t tag, rs__sim_shard_io **out)
{
    rs__sim_shard_io *io = rs__calloc(1, sizeof *io);
    if (!io)
        return RS_ERR_NOMEM;
    io->global = rs__calloc(s->n_items, sizeof *io->global);
    io->expo0 = rs__alloc_array(s->n_items, sizeof *io->expo0);
    io->cat = rs__alloc_array(s->n_cat, sizeof *io->cat);
    io->ild = rs__alloc_array(s->n_users, sizeof *io->ild);
    if (!io->global || !io->expo0 || !io->cat || !io->ild) {
        rs__sim_shard_detach(io);
        return RS_ERR_NOMEM;
    }
    /* shards begun with other response options would not be one run */
    io->key = rs__sim_fnv(rs__sim_fnv(rs__sim_fnv(RS__SIM_FNV_START, &run_key, sizeof run_key),
                                      s->opt, sizeof s->opt),
                          &s->position_model, sizeof s->position_model);
    io->s = s;
    io->tag = tag;
    io->shard = shard;
    io->shards = shards;
    io->lo = lo;
    io->hi = hi;
    memcpy(io->global, s->clicks, s->n_items * sizeof *io->global);
    memcpy(io->expo0, s->exposure, s->n_items * sizeof *io->expo0);
    io->st0 = s->st;
    rs__sim_set_user_range(s, lo, hi);
    s->ild_log = io->ild;
    *out = io;
    return RS_OK;
}

int rs__sim_shard_before(rs__sim_shard_io *io, const void *merged, size_t len)
{
    const char *fn = "rs_sim_shard_step";
    rs_sim *s = io->s;
    uint64_t h[M_COUNT];
    const unsigned char *items, *counts;
    int rc;
    if (io->step == 0) {
        if (merged || len)
            return rs__fail(RS_ERR_STATE, "%s: step 0 takes no merged step", fn);
        return RS_OK;
    }
    if ((rc = check_start(merged, len, STEP_MAGIC, STEP_HEAD, "merged step", fn, 0)) != 0)
        return rc;
    struct reader r = {(const unsigned char *)merged + 16, len - 16};
    memcpy(h, take(&r, M_COUNT, 8), sizeof h);
    if (h[M_KEY] != io->key || h[M_SHARDS] != io->shards || h[M_ITEMS] != s->n_items)
        return rs__fail(RS_ERR_STATE, "%s: the merged step is of another run", fn);
    if (h[M_STEP] != io->step - 1)
        return rs__fail(RS_ERR_STATE, "%s: the merged step is step %llu, the shard needs "
                        "step %llu", fn, (unsigned long long)h[M_STEP],
                        (unsigned long long)(io->step - 1));
    if (h[M_NCLICK] > s->n_items || !(items = take(&r, h[M_NCLICK], 4)) ||
        !(counts = take(&r, h[M_NCLICK], 4)) || r.left != 0 ||
        !items_ok(items, h[M_NCLICK], s->n_items))
        return rs__fail(RS_ERR_CORRUPT, "%s: the merged step is truncated or damaged", fn);
    for (uint64_t j = 0; j < h[M_NCLICK]; j++) {
        uint32_t i, c;
        memcpy(&i, items + 4 * j, 4);
        memcpy(&c, counts + 4 * j, 4);
        io->global[i] += c;
    }
    /* the whole run's clicks, so the popularity every user sees */
    memcpy(s->clicks, io->global, s->n_items * sizeof *s->clicks);
    rs__sim_update_pop(s);
    return RS_OK;
}

/* Put the nonzero entries of now - before (n_items of them) as items then
 * counts; with cat, their sums per category added into cat. */
static void put_deltas(struct bytes *b, const uint64_t *now, const uint64_t *before, size_t n,
                       uint64_t n_nonzero, const uint32_t *cat_of, uint64_t *cat)
{
    unsigned char *items = b->data + b->len, *counts = items + 4 * n_nonzero;
    size_t j = 0;
    for (size_t i = 0; i < n; i++)
        if (now[i] != before[i]) {
            uint32_t item = (uint32_t)i, d = (uint32_t)(now[i] - before[i]);
            memcpy(items + 4 * j, &item, 4);
            memcpy(counts + 4 * j, &d, 4);
            j++;
            if (cat)
                cat[cat_of[i]] += d;
        }
    b->len += 8 * n_nonzero;
}

/* How many entries of now differ from before; RS_ERR_OVERFLOW when a
 * difference does not fit 32 bits. */
static int count_deltas(const uint64_t *now, const uint64_t *before, size_t n, uint64_t *out)
{
    uint64_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (now[i] != before[i]) {
            if (now[i] - before[i] > UINT32_MAX)
                return rs__fail(RS_ERR_OVERFLOW, "rs_sim_shard_step: item %zu counts %llu "
                                "in one step", i, (unsigned long long)(now[i] - before[i]));
            k++;
        }
    *out = k;
    return RS_OK;
}

int rs__sim_shard_after(rs__sim_shard_io *io, double seconds, const void **part, size_t *len)
{
    rs_sim *s = io->s;
    const rs__sim_stats *a = &io->st0, *b = &s->st;
    uint64_t h[H_COUNT] = {0};
    size_t size = 0;
    int rc;
    h[H_KEY] = io->key;
    h[H_TAG] = io->tag;
    h[H_SHARD] = io->shard;
    h[H_SHARDS] = io->shards;
    h[H_USERS] = s->n_users;
    h[H_ITEMS] = s->n_items;
    h[H_CATS] = s->n_cat;
    h[H_STEP] = io->step;
    h[H_LO] = io->lo;
    h[H_HI] = io->hi;
    h[H_ACTIVE] = b->impressions - a->impressions;
    h[H_CLICKS] = b->clicks - a->clicks;
    h[H_PURCHASES] = b->purchases - a->purchases;
    h[H_RATING] = b->rating_sum - a->rating_sum;
    h[H_LEAVES] = b->leaves - a->leaves;
    h[H_RETURNS] = b->returns - a->returns;
    h[H_ENDED] = b->ended_session_steps - a->ended_session_steps;
    h[H_TRUTH] = b->truth_clicks - a->truth_clicks;
    h[H_NILD] = s->n_ild_log;
    if ((rc = count_deltas(s->clicks, io->global, s->n_items, &h[H_NCLICK])) != 0 ||
        (rc = count_deltas(s->exposure, io->expo0, s->n_items, &h[H_NEXPO])) != 0)
        return rc;
    {
        const size_t count[] = {s->n_cat, 2 * h[H_NCLICK], 2 * h[H_NEXPO], s->n_ild_log};
        const size_t elem[] = {8, 4, 4, 8};
        if ((rc = sized(PART_HEAD, count, elem, 4, &size)) != 0)
            return rc;
    }
    if ((rc = bytes_reserve(&io->out, size)) != 0)
        return rc;
    const uint32_t start[2] = {FORMAT_VERSION, ORDER_MARK};
    bytes_put(&io->out, PART_MAGIC, 8);
    bytes_put(&io->out, start, sizeof start);
    bytes_put(&io->out, h, sizeof h);
    bytes_put(&io->out, &seconds, sizeof seconds);
    /* the category sums are written after the click items give them */
    unsigned char *cat_at = io->out.data + io->out.len;
    io->out.len += s->n_cat * 8;
    memset(io->cat, 0, s->n_cat * sizeof *io->cat);
    put_deltas(&io->out, s->clicks, io->global, s->n_items, h[H_NCLICK], s->cat, io->cat);
    memcpy(cat_at, io->cat, s->n_cat * 8);
    put_deltas(&io->out, s->exposure, io->expo0, s->n_items, h[H_NEXPO], NULL, NULL);
    bytes_put(&io->out, s->ild_log, s->n_ild_log * 8);
    memcpy(io->expo0, s->exposure, s->n_items * sizeof *io->expo0);
    io->st0 = s->st;
    io->step++;
    *part = io->out.data;
    *len = io->out.len;
    return RS_OK;
}

/* ------------------------------------------------------------ the merge */

/* A part read: its header and arrays (borrowed from its bytes). */
struct part {
    uint64_t h[H_COUNT];
    double seconds;
    const unsigned char *cat, *click_items, *click_counts, *expo_items, *expo_counts, *ild;
};

struct rs__sim_merge_run {
    bool started, broken; /* broken: a step failed half-way (out of memory) */
    uint64_t key, shards, n_users, n_items, n_cat, steps;
    uint64_t *exposure; /* n_items, cumulative */
    uint64_t *clicks;   /* n_items: the step's clicks summed */
    uint64_t *scratch;  /* 2 n_items: the Gini's sort */
    uint64_t *cat;      /* n_cat: the step's clicks per category */
    struct part *parts, **order;
    rs__sim_stats st;
    struct bytes out;
};

rs__sim_merge_run *rs__sim_merge_run_create(void) { return rs__calloc(1, sizeof(rs__sim_merge_run)); }

void rs__sim_merge_run_free(rs__sim_merge_run *r)
{
    if (!r)
        return;
    free(r->exposure);
    free(r->clicks);
    free(r->scratch);
    free(r->cat);
    free(r->parts);
    free(r->order);
    free(r->out.data);
    free(r);
}

uint64_t rs__sim_merge_run_steps(const rs__sim_merge_run *r) { return r ? r->steps : 0; }

static int part_read(const void *data, size_t len, size_t index, struct part *p)
{
    const char *fn = "rs_sim_merge_step";
    int rc = check_start(data, len, PART_MAGIC, PART_HEAD, "part", fn, index);
    if (rc)
        return rc;
    struct reader r = {(const unsigned char *)data + 16, len - 16};
    memcpy(p->h, take(&r, H_COUNT, 8), sizeof p->h);
    memcpy(&p->seconds, take(&r, 1, 8), 8);
    const uint64_t *h = p->h;
    if (h[H_SHARDS] < 1 || h[H_SHARDS] > MAX_SHARDS || h[H_SHARD] >= h[H_SHARDS] ||
        h[H_ITEMS] == 0 || h[H_ITEMS] > UINT32_MAX || h[H_CATS] == 0 || h[H_CATS] > 65536 ||
        h[H_USERS] == 0 || h[H_USERS] > ((uint64_t)1 << 31) || h[H_LO] > h[H_HI] ||
        h[H_HI] > h[H_USERS] || h[H_ACTIVE] > h[H_HI] - h[H_LO] || h[H_NILD] != h[H_ACTIVE] ||
        h[H_NCLICK] > h[H_ITEMS] || h[H_NEXPO] > h[H_ITEMS] || h[H_CLICKS] > h[H_ACTIVE] ||
        !(p->seconds >= 0 && p->seconds <= 1e12))
        return rs__fail(RS_ERR_CORRUPT, "%s: part %zu has a value out of range in its header",
                        fn, index);
    if (!(p->cat = take(&r, h[H_CATS], 8)) || !(p->click_items = take(&r, h[H_NCLICK], 4)) ||
        !(p->click_counts = take(&r, h[H_NCLICK], 4)) ||
        !(p->expo_items = take(&r, h[H_NEXPO], 4)) ||
        !(p->expo_counts = take(&r, h[H_NEXPO], 4)) || !(p->ild = take(&r, h[H_NILD], 8)))
        return rs__fail(RS_ERR_CORRUPT, "%s: part %zu is truncated", fn, index);
    if (r.left != 0)
        return rs__fail(RS_ERR_CORRUPT, "%s: part %zu has %zu bytes past its end", fn, index,
                        r.left);
    /* the counts add up: the clicks per item and per category are the step's clicks */
    uint64_t by_item = 0, by_cat = 0;
    for (uint64_t j = 0; j < h[H_NCLICK]; j++) {
        uint32_t c;
        memcpy(&c, p->click_counts + 4 * j, 4);
        by_item += c;
    }
    for (uint64_t c = 0; c < h[H_CATS]; c++) {
        uint64_t v;
        memcpy(&v, p->cat + 8 * c, 8);
        by_cat += v <= h[H_CLICKS] ? v : h[H_CLICKS] + 1;
    }
    if (!items_ok(p->click_items, h[H_NCLICK], h[H_ITEMS]) ||
        !items_ok(p->expo_items, h[H_NEXPO], h[H_ITEMS]) || by_item != h[H_CLICKS] ||
        by_cat != h[H_CLICKS])
        return rs__fail(RS_ERR_CORRUPT, "%s: part %zu has damaged counts", fn, index);
    for (uint64_t u = 0; u < h[H_NILD]; u++) {
        double v;
        memcpy(&v, p->ild + 8 * u, 8);
        if (!isfinite(v) || fabs(v) > 4) /* 0 .. 2 but for rounding */
            return rs__fail(RS_ERR_CORRUPT, "%s: part %zu has a diversity of %g", fn, index, v);
    }
    return RS_OK;
}

/* The run's sizes from its first part. */
static int run_start(rs__sim_merge_run *r, const struct part *p)
{
    r->key = p->h[H_KEY];
    r->shards = p->h[H_SHARDS];
    r->n_users = p->h[H_USERS];
    r->n_items = p->h[H_ITEMS];
    r->n_cat = p->h[H_CATS];
    r->exposure = rs__calloc((size_t)r->n_items, sizeof *r->exposure);
    r->clicks = rs__calloc((size_t)r->n_items, sizeof *r->clicks);
    r->scratch = rs__alloc_array((size_t)r->n_items, 2 * sizeof *r->scratch);
    r->cat = rs__alloc_array((size_t)r->n_cat, sizeof *r->cat);
    r->parts = rs__alloc_array((size_t)r->shards, sizeof *r->parts);
    r->order = rs__alloc_array((size_t)r->shards, sizeof *r->order);
    r->started = true; /* so that a failure frees what was allocated */
    if (!r->exposure || !r->clicks || !r->scratch || !r->cat || !r->parts || !r->order)
        return RS_ERR_NOMEM;
    return RS_OK;
}

/* The parts read and put in shard order: one run's, one step's, each
 * shard once, their users one contiguous block after another. */
static int parts_order(rs__sim_merge_run *r, const void *const *parts, const size_t *lens,
                       size_t n, uint64_t tag)
{
    const char *fn = "rs_sim_merge_step";
    struct part first;
    int rc;
    if ((rc = part_read(parts[0], lens[0], 0, &first)) != 0)
        return rc;
    if (!r->started && (rc = run_start(r, &first)) != 0)
        return rc;
    if (n != r->shards)
        return rs__fail(RS_ERR_STATE, "%s: %zu parts of a run in %llu shards", fn, n,
                        (unsigned long long)r->shards);
    memset(r->order, 0, n * sizeof *r->order);
    for (size_t i = 0; i < n; i++) {
        struct part *p = &r->parts[i];
        if (i == 0)
            *p = first;
        else if ((rc = part_read(parts[i], lens[i], i, p)) != 0)
            return rc;
        if (p->h[H_TAG] != tag)
            return rs__fail(RS_ERR_STATE, "%s: part %zu is of another policy", fn, i);
        if (p->h[H_KEY] != r->key || p->h[H_SHARDS] != r->shards ||
            p->h[H_USERS] != r->n_users || p->h[H_ITEMS] != r->n_items ||
            p->h[H_CATS] != r->n_cat)
            return rs__fail(RS_ERR_STATE, "%s: part %zu is of another run", fn, i);
        if (p->h[H_STEP] != r->steps)
            return rs__fail(RS_ERR_STATE, "%s: part %zu is of step %llu, the merge is at step "
                            "%llu", fn, i, (unsigned long long)p->h[H_STEP],
                            (unsigned long long)r->steps);
        if (r->order[p->h[H_SHARD]])
            return rs__fail(RS_ERR_STATE, "%s: shard %llu is given twice", fn,
                            (unsigned long long)p->h[H_SHARD]);
        r->order[p->h[H_SHARD]] = p;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t lo = r->order[i]->h[H_LO], want = i ? r->order[i - 1]->h[H_HI] : 0;
        if (lo != want || (i == n - 1 && r->order[i]->h[H_HI] != r->n_users))
            return rs__fail(RS_ERR_CORRUPT, "%s: the shards' users are not one block after "
                            "another over the %llu users", fn, (unsigned long long)r->n_users);
    }
    return RS_OK;
}

/* The sum of the sparse counts (items, counts; n of them) into dense; with
 * shown, the entries that turn nonzero counted into *shown. */
static void add_sparse(uint64_t *dense, const unsigned char *items, const unsigned char *counts,
                       uint64_t n, uint64_t *shown)
{
    for (uint64_t j = 0; j < n; j++) {
        uint32_t i, c;
        memcpy(&i, items + 4 * j, 4);
        memcpy(&c, counts + 4 * j, 4);
        if (shown && dense[i] == 0 && c > 0)
            (*shown)++;
        dense[i] += c;
    }
}

/* The merged bytes: the step's summed clicks per item, sparse. */
static int merged_write(rs__sim_merge_run *r)
{
    uint64_t h[M_COUNT] = {r->key, r->shards, r->n_items, r->steps, 0};
    size_t size = 0, n_items = (size_t)r->n_items;
    int rc;
    for (size_t i = 0; i < n_items; i++)
        h[M_NCLICK] += r->clicks[i] != 0;
    {
        const size_t count[] = {2 * (size_t)h[M_NCLICK]}, elem[] = {4};
        if ((rc = sized(STEP_HEAD, count, elem, 1, &size)) != 0 ||
            (rc = bytes_reserve(&r->out, size)) != 0)
            return rc;
    }
    const uint32_t start[2] = {FORMAT_VERSION, ORDER_MARK};
    bytes_put(&r->out, STEP_MAGIC, 8);
    bytes_put(&r->out, start, sizeof start);
    bytes_put(&r->out, h, sizeof h);
    uint64_t *zero = r->scratch; /* the dense zeros put_deltas compares with */
    memset(zero, 0, n_items * sizeof *zero);
    put_deltas(&r->out, r->clicks, zero, n_items, h[M_NCLICK], NULL, NULL);
    return RS_OK;
}

int rs__sim_merge_run_step(rs__sim_merge_run *r, uint64_t tag, const void *const *parts,
                           const size_t *lens, size_t n, double *values, double *seconds, const void **merged,
                           size_t *merged_len)
{
    uint64_t active = 0, clicks = 0, purchases = 0, rating_sum = 0, leaves = 0, returns = 0;
    uint64_t ended = 0, truth = 0;
    double ild_sum = 0, secs = 0;
    bool starting = !r->started;
    int rc;
    if (r->broken)
        return rs__fail(RS_ERR_STATE, "rs_sim_merge_step: an earlier step failed half-way");
    if ((rc = parts_order(r, parts, lens, n, tag)) != 0) {
        if (starting && r->started) { /* the next call starts afresh */
            rs__sim_merge_run tmp = {0};
            tmp.out = r->out;
            free(r->exposure), free(r->clicks), free(r->scratch), free(r->cat);
            free(r->parts), free(r->order);
            *r = tmp;
        }
        return rc;
    }
    memset(r->clicks, 0, (size_t)r->n_items * sizeof *r->clicks);
    memset(r->cat, 0, (size_t)r->n_cat * sizeof *r->cat);
    for (size_t i = 0; i < n; i++) {
        const struct part *p = r->order[i];
        active += p->h[H_ACTIVE];
        clicks += p->h[H_CLICKS];
        purchases += p->h[H_PURCHASES];
        rating_sum += p->h[H_RATING];
        leaves += p->h[H_LEAVES];
        returns += p->h[H_RETURNS];
        ended += p->h[H_ENDED];
        truth += p->h[H_TRUTH];
        secs += p->seconds;
        /* in user order from 0, as run.c sums them: the same bits */
        for (uint64_t u = 0; u < p->h[H_NILD]; u++) {
            double v;
            memcpy(&v, p->ild + 8 * u, 8);
            ild_sum += v;
        }
        for (uint64_t c = 0; c < r->n_cat; c++) {
            uint64_t v;
            memcpy(&v, p->cat + 8 * c, 8);
            r->cat[c] += v;
        }
        add_sparse(r->clicks, p->click_items, p->click_counts, p->h[H_NCLICK], NULL);
        add_sparse(r->exposure, p->expo_items, p->expo_counts, p->h[H_NEXPO],
                   &r->st.shown_items);
    }
    const rs__sim_stats step = {.impressions = active, .clicks = clicks,
                                .purchases = purchases, .rating_sum = rating_sum,
                                .leaves = leaves, .returns = returns,
                                .ended_session_steps = ended, .truth_clicks = truth,
                                .ild_sum = ild_sum};
    rs__sim_stats_add_step(&r->st, &step, r->cat, (size_t)r->n_cat,
                           rs__sim_gini(r->exposure, (size_t)r->n_items, r->scratch));
    for (int k = 0; k < RS_SIM_STAT_COUNT; k++)
        rs__sim_stats_value(&r->st, (size_t)r->n_items, k, &values[k]);
    *seconds = secs;
    if ((rc = merged_write(r)) != 0) {
        r->broken = true;
        return rc;
    }
    r->steps++;
    *merged = r->out.data;
    *merged_len = r->out.len;
    return RS_OK;
}
