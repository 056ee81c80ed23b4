/*
 * hashing.c - the hashing embedder: features hashed with XXH3, weighted by
 * sublinear tf x idf, each added with a hash-derived sign to a few
 * hash-derived dimensions, then L2-normalised.
 *
 * Signed hashing keeps inner products unbiased: two features that land on
 * the same dimension cancel on average instead of adding up.  Spreading a
 * feature over RS_EMBEDDER_HASHES dimensions (each with weight 1/sqrt(k))
 * keeps one heavy feature from dominating a single coordinate.  Nothing but
 * the hash decides where a feature goes, so no matrix is stored and the
 * result is the same on every platform: XXH3 is defined on bytes, the
 * dimension is picked by a multiply-shift on integers, and the only libm
 * call on the path is a double-precision log for sublinear tf.
 */
#include "text/text_internal.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* A fitted idf table of a large corpus does not fit in cache: every
 * feature of a text is prefetched before any is looked up, so that the
 * misses overlap instead of queueing. */
#if defined(__GNUC__)
#define PREFETCH(address) __builtin_prefetch(address)
#else
#define PREFETCH(address) ((void)(address))
#endif

static void prefetch_features(const rs__idf_table *t, const rs__feature_table *features)
{
    size_t mask = t->capacity - 1;
    for (size_t u = 0; u < features->size; u++)
        PREFETCH(&t->slots[(size_t)features->keys[features->used[u]] & mask]);
}

uint64_t rs__feature_hash(const rs_embedder *e, const char *bytes, size_t len)
{
    uint64_t h = XXH3_64bits_withSeed(bytes, len, (uint64_t)e->config.seed);
    return h ? h : 1; /* 0 marks an empty slot */
}

static void project(uint64_t hash, float weight, int hashes, float *out, size_t dim)
{
    for (int j = 0; j < hashes; j++) {
        uint64_t m = rs__mix64(hash + (uint64_t)(j + 1) * RS_GOLDEN64);
        size_t index = (size_t)(((m >> 32) * (uint64_t)dim) >> 32);
        out[index] += (m & 1) ? -weight : weight;
    }
}

/* ---------------------------------------------------------------- feature table */

static int table_grow(rs__feature_table *t)
{
    size_t new_cap = t->capacity ? 2 * t->capacity : 256;
    uint64_t *keys = rs__calloc(new_cap, sizeof *keys);
    float *counts = rs__alloc_array(new_cap, sizeof *counts);
    float *base = rs__alloc_array(new_cap, sizeof *base);
    uint32_t *used = rs__alloc_array(new_cap / 2 + 1, sizeof *used);
    size_t mask = new_cap - 1;
    if (!keys || !counts || !base || !used || new_cap > UINT32_MAX) {
        free(keys);
        free(counts);
        free(base);
        free(used);
        return new_cap > UINT32_MAX ? rs__fail(RS_ERR_LIMIT, "too many distinct features")
                                    : rs_errcode();
    }
    for (size_t u = 0; u < t->size; u++) {
        size_t old = t->used[u];
        size_t slot = (size_t)t->keys[old] & mask;
        while (keys[slot])
            slot = (slot + 1) & mask;
        keys[slot] = t->keys[old];
        counts[slot] = t->counts[old];
        base[slot] = t->base[old];
        used[u] = (uint32_t)slot;
    }
    free(t->keys);
    free(t->counts);
    free(t->base);
    free(t->used);
    t->keys = keys;
    t->counts = counts;
    t->base = base;
    t->used = used;
    t->capacity = new_cap;
    return 0;
}

static void table_reset(rs__feature_table *t)
{
    for (size_t u = 0; u < t->size; u++)
        t->keys[t->used[u]] = 0;
    t->size = 0;
}

static int table_add(rs__feature_table *t, uint64_t hash, float base)
{
    size_t mask, slot;
    int rc;
    if (2 * (t->size + 1) > t->capacity && (rc = table_grow(t)) != 0)
        return rc;
    mask = t->capacity - 1;
    slot = (size_t)hash & mask;
    while (t->keys[slot]) {
        if (t->keys[slot] == hash) {
            t->counts[slot] += 1.0f;
            return 0;
        }
        slot = (slot + 1) & mask;
    }
    t->keys[slot] = hash;
    t->counts[slot] = 1.0f;
    t->base[slot] = base;
    t->used[t->size++] = (uint32_t)slot;
    return 0;
}

struct collect {
    const rs_embedder *e;
    rs__feature_table *table;
    float char_weight;
};

static int collect_feature(void *ctx, const char *bytes, size_t len, bool is_char)
{
    struct collect *c = ctx;
    return table_add(c->table, rs__feature_hash(c->e, bytes, len),
                     is_char ? c->char_weight : 1.0f);
}

/* Count the features of one text into s->table (reset first). */
static int count_features(const rs_embedder *e, const char *text, const char *what,
                          rs__text_scratch *s)
{
    struct collect c = {e, &s->table, (float)e->config.char_weight};
    int rc;
    table_reset(&s->table);
    if ((rc = rs__text_units(e, text, strlen(text), what, s)) != 0)
        return rc;
    return rs__text_features(e, s, collect_feature, &c);
}

/* ---------------------------------------------------------------- idf */

float rs__idf_lookup(const rs__idf_table *t, uint64_t hash)
{
    size_t mask = t->capacity - 1, slot = (size_t)hash & mask;
    while (t->slots[slot].key) {
        if (t->slots[slot].key == hash)
            return t->slots[slot].idf;
        slot = (slot + 1) & mask;
    }
    return t->unseen_idf;
}

void rs__idf_free(rs__idf_table *t)
{
    free(t->slots);
    memset(t, 0, sizeof *t);
}

/* The slot of hash, inserted (zeroed) when absent; NULL on failure. */
static rs__idf_slot *idf_slot(rs__idf_table *t, uint64_t hash)
{
    size_t mask, slot;
    if (2 * (t->size + 1) > t->capacity) {
        size_t new_cap = t->capacity ? 2 * t->capacity : 1024;
        rs__idf_slot *slots = rs__calloc(new_cap, sizeof *slots);
        if (!slots)
            return NULL;
        for (size_t i = 0; i < t->capacity; i++) {
            if (!t->slots[i].key)
                continue;
            slot = (size_t)t->slots[i].key & (new_cap - 1);
            while (slots[slot].key)
                slot = (slot + 1) & (new_cap - 1);
            slots[slot] = t->slots[i];
        }
        free(t->slots);
        t->slots = slots;
        t->capacity = new_cap;
    }
    mask = t->capacity - 1;
    slot = (size_t)hash & mask;
    while (t->slots[slot].key) {
        if (t->slots[slot].key == hash)
            return &t->slots[slot];
        slot = (slot + 1) & mask;
    }
    t->slots[slot].key = hash;
    t->slots[slot].idf = 0.0f;
    t->slots[slot].df = 0;
    t->size++;
    return &t->slots[slot];
}

int rs__idf_set(rs__idf_table *t, uint64_t hash, float idf)
{
    rs__idf_slot *slot = idf_slot(t, hash);
    if (!slot)
        return rs_errcode();
    slot->idf = idf;
    return 0;
}

static int idf_count(rs__idf_table *t, uint64_t hash, uint32_t df)
{
    rs__idf_slot *slot = idf_slot(t, hash);
    if (!slot)
        return rs_errcode();
    if (slot->df > UINT32_MAX - df)
        return rs__fail(RS_ERR_LIMIT, "more than %u documents", UINT32_MAX);
    slot->df += df;
    return 0;
}

/* Fitting in parallel: each worker counts document frequencies of its
 * chunks in its own table; the tables are then summed.  Integer sums, so
 * the result does not depend on the thread count or the schedule. */
#define FIT_CHUNK 256

struct fit {
    const rs_embedder *e;
    const char *const *texts;
    size_t n;
    rs__idf_table *tables;     /* one per worker */
    rs__text_scratch *scratch; /* one per worker */
};

static int fit_task(void *ctx, size_t task, unsigned worker)
{
    struct fit *f = ctx;
    rs__text_scratch *s = &f->scratch[worker];
    size_t first = task * FIT_CHUNK, last = first + FIT_CHUNK < f->n ? first + FIT_CHUNK : f->n;
    int rc;
    for (size_t i = first; i < last; i++) {
        char label[32];
        snprintf(label, sizeof label, "text %zu", i);
        if ((rc = count_features(f->e, f->texts[i], label, s)) != 0) {
            /* messages about the text start with its label; others (out of
             * memory, too many features) get it in front */
            if (strncmp(rs_errmsg(), label, strlen(label)) != 0)
                rs__fail_context("%s: ", label);
            return rc;
        }
        if (f->tables[worker].capacity)
            prefetch_features(&f->tables[worker], &s->table);
        for (size_t u = 0; u < s->table.size; u++)
            if ((rc = idf_count(&f->tables[worker], s->table.keys[s->table.used[u]], 1)) != 0)
                return rc;
    }
    return 0;
}

int rs__hashing_fit(rs_embedder *e, const char *const *texts, size_t n)
{
    size_t tasks = (n + FIT_CHUNK - 1) / FIT_CHUNK;
    unsigned workers = rs__parallel_workers(tasks, 0);
    struct fit f = {e, texts, n, NULL, NULL};
    rs__idf_table table;
    int rc = 0;

    memset(&table, 0, sizeof table);
    f.tables = rs__calloc(workers, sizeof *f.tables);
    f.scratch = rs__alloc_array(workers, sizeof *f.scratch);
    if (!f.tables || !f.scratch) {
        free(f.tables);
        free(f.scratch);
        return rs_errcode();
    }
    for (unsigned w = 0; w < workers; w++)
        rs__scratch_init(&f.scratch[w]);
    rc = rs__parallel_for(tasks, workers, fit_task, &f);
    for (unsigned w = 0; w < workers && rc == 0; w++)
        for (size_t i = 0; i < f.tables[w].capacity && rc == 0; i++)
            if (f.tables[w].slots[i].key)
                rc = idf_count(&table, f.tables[w].slots[i].key, f.tables[w].slots[i].df);
    for (unsigned w = 0; w < workers; w++) {
        rs__scratch_free(&f.scratch[w]);
        rs__idf_free(&f.tables[w]);
    }
    free(f.tables);
    free(f.scratch);
    if (rc == 0 && table.capacity == 0) { /* a corpus without a single feature */
        if ((table.slots = rs__calloc(1, sizeof *table.slots)) != NULL)
            table.capacity = 1;
        else
            rc = rs_errcode();
    }
    if (rc != 0) {
        rs__idf_free(&table);
        return rc;
    }
    /* the smooth idf of scikit-learn: ln((1 + n) / (1 + df)) + 1 */
    for (size_t i = 0; i < table.capacity; i++)
        if (table.slots[i].key)
            table.slots[i].idf =
                (float)(log((1.0 + (double)n) / (1.0 + (double)table.slots[i].df)) + 1.0);
    table.n_docs = n;
    table.unseen_idf = (float)(log(1.0 + (double)n) + 1.0);
    rs__idf_free(&e->idf);
    e->idf = table;
    return 0;
}

/* ---------------------------------------------------------------- embed */

int rs__hashing_embed(const rs_embedder *e, const char *text, const char *what,
                      rs__text_scratch *s, float *out)
{
    const rs__feature_table *t = &s->table;
    bool idf = e->fitted && e->config.use_idf;
    float scale = 1.0f / sqrtf((float)e->config.hashes);
    int rc;

    memset(out, 0, e->dim * sizeof *out);
    if ((rc = count_features(e, text, what, s)) != 0)
        return rc;
    if (idf)
        prefetch_features(&e->idf, t);
    for (size_t u = 0; u < t->size; u++) {
        size_t slot = t->used[u];
        uint64_t hash = t->keys[slot];
        float tf = t->counts[slot];
        float weight;
        if (e->config.sublinear_tf)
            tf = tf == 1.0f ? 1.0f : (float)(1.0 + log((double)tf));
        weight = tf * t->base[slot] * scale;
        if (idf)
            weight *= rs__idf_lookup(&e->idf, hash);
        project(hash, weight, e->config.hashes, out, e->dim);
    }
    if (e->config.normalize)
        rs__normalize(out, e->dim);
    return 0;
}
