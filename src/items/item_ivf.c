/*
 * item_ivf.c - the approximate index of an item store: an inverted file.
 *
 * Spherical k-means (item_kmeans.c) splits the catalogue into nlist lists,
 * each item in the list of its largest inner product with a unit centroid;
 * a query scores the centroids the same way, scans the nprobe best lists and keeps a shortlist,
 * which with 8-bit codes (RS_INDEX_IVF_SQ8) is re-scored exactly from the
 * store's float32 matrix.  Lists keep their vectors in blocks of 16,
 * dimension-major, so the scan scores 16 items per FMA and compares the 16
 * scores with the shortlist's threshold in one instruction; the filters are
 * tested only for scores that pass.  Item additions, updates, removals and
 * compaction keep the lists in step; the centroids stay until the next
 * build.
 */
#include "items/item_ivf.h"
#include "items/item_ivf_scan.h"

#include "core/alloc.h"
#include "core/bitset.h"
#include "core/blas.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "core/topk.h"
#include "items/item_kmeans.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Lloyd iterations, and sample points per list for training (faiss trains on
 * up to 256 per list; 64 measured the same recall here at a quarter of the
 * time). */
#define KMEANS_ITERATIONS 10
#define SAMPLE_PER_LIST 64u
/* The largest nlist accepted. */
#define NLIST_LIMIT (1u << 20)
/* Query rows per coarse sgemm (bounds its buffer to 16 MiB). */
#define COARSE_FLOATS (4u << 20)

/* ------------------------------------------------------------ lists */

static void free_lists(struct rs__ivf *ivf)
{
    if (!ivf->lists)
        return;
    for (size_t j = 0; j < ivf->nlist; j++) {
        free(ivf->lists[j].ids);
        rs__aligned_free(ivf->lists[j].codes);
    }
    free(ivf->lists);
    ivf->lists = NULL;
}

void rs__ivf_free(struct rs__ivf *ivf)
{
    if (!ivf)
        return;
    free_lists(ivf);
    free(ivf->centroids);
    free(ivf->half_norm);
    free(ivf->sq_min);
    free(ivf->sq_step);
    free(ivf->list_of);
    free(ivf->slot_of);
    free(ivf->outliers);
    free(ivf);
}

/* Room for `want` entries in a list (grown by half again, whole blocks). */
static int reserve_list(const struct rs__ivf *ivf, struct rs__ivf_list *l, size_t want)
{
    size_t cap = l->cap ? l->cap : RS_IVF_BLOCK, bytes;
    uint32_t *ids;
    unsigned char *codes;
    if (want <= l->cap)
        return 0;
    while (cap < want)
        cap += cap / 2;
    cap = (cap + RS_IVF_BLOCK - 1) / RS_IVF_BLOCK * RS_IVF_BLOCK;
    if (rs__mul_size(cap / RS_IVF_BLOCK, rs__ivf_block_bytes(ivf), &bytes) < 0)
        return RS_ERR_OVERFLOW;
    ids = rs__alloc_array(cap, sizeof *ids);
    codes = rs__aligned_alloc(RS_ALIGNMENT, bytes);
    if (!ids || !codes) {
        free(ids);
        rs__aligned_free(codes);
        return RS_ERR_NOMEM;
    }
    memset(codes, 0, bytes);
    for (size_t s = 0; s < cap; s++)
        ids[s] = s < l->size ? l->ids[s] : RS_ITEM_NONE;
    if (l->cap)
        memcpy(codes, l->codes, l->cap / RS_IVF_BLOCK * rs__ivf_block_bytes(ivf));
    free(l->ids);
    rs__aligned_free(l->codes);
    l->ids = ids, l->codes = codes, l->cap = cap;
    return 0;
}

static uint8_t sq_code(const struct rs__ivf *ivf, size_t d, float x)
{
    float t;
    if (!(ivf->sq_step[d] > 0.0f))
        return 0;
    t = floorf((x - ivf->sq_min[d]) / ivf->sq_step[d]);
    return t <= 0.0f ? 0 : t >= 255.0f ? 255 : (uint8_t)t;
}

/* Write a vector into slot `slot` of a list (its block's lane). */
static void write_slot(const struct rs__ivf *ivf, struct rs__ivf_list *l, size_t slot,
                       const float *x)
{
    unsigned char *block = l->codes + slot / RS_IVF_BLOCK * rs__ivf_block_bytes(ivf);
    size_t lane = slot % RS_IVF_BLOCK;
    for (size_t d = 0; d < ivf->dim; d++) {
        if (ivf->value_bytes == 1)
            block[d * RS_IVF_BLOCK + lane] = sq_code(ivf, d, x ? x[d] : ivf->sq_min[d]);
        else
            memcpy(block + (d * RS_IVF_BLOCK + lane) * 4, x ? &x[d] : &(float){0.0f}, 4);
    }
}

/* Copy slot `from` of a list to slot `to` (same list). */
static void copy_slot(const struct rs__ivf *ivf, struct rs__ivf_list *l, size_t from, size_t to)
{
    size_t vb = ivf->value_bytes;
    unsigned char *a = l->codes + from / RS_IVF_BLOCK * rs__ivf_block_bytes(ivf);
    unsigned char *b = l->codes + to / RS_IVF_BLOCK * rs__ivf_block_bytes(ivf);
    for (size_t d = 0; d < ivf->dim; d++)
        memcpy(b + (d * RS_IVF_BLOCK + to % RS_IVF_BLOCK) * vb,
               a + (d * RS_IVF_BLOCK + from % RS_IVF_BLOCK) * vb, vb);
}

/* Room for per-row bookkeeping up to `rows` rows. */
static int reserve_rows(struct rs__ivf *ivf, size_t rows)
{
    size_t cap = ivf->rows ? ivf->rows : 64;
    uint32_t *list_of, *slot_of;
    if (rows <= ivf->rows)
        return 0;
    while (cap < rows)
        cap *= 2;
    list_of = rs__realloc_array(ivf->list_of, cap, sizeof *list_of);
    if (!list_of)
        return RS_ERR_NOMEM;
    ivf->list_of = list_of;
    slot_of = rs__realloc_array(ivf->slot_of, cap, sizeof *slot_of);
    if (!slot_of)
        return RS_ERR_NOMEM;
    ivf->slot_of = slot_of;
    for (size_t r = ivf->rows; r < cap; r++)
        list_of[r] = RS_ITEM_NONE, slot_of[r] = 0;
    ivf->rows = cap;
    return 0;
}

/* Would an SQ8 code of x clip (a value outside the trained range)? */
static bool clips(const struct rs__ivf *ivf, const float *x)
{
    if (ivf->value_bytes != 1)
        return false;
    for (size_t d = 0; d < ivf->dim; d++)
        /* (The slack keeps the build's own maximum, which rounding may put a
         * hair above min + 256 steps, inside.) */
        if (x[d] < ivf->sq_min[d] || x[d] - ivf->sq_min[d] > 256.0001f * ivf->sq_step[d])
            return true;
    return false;
}

static int append(struct rs__ivf *ivf, const rs_item_store *store, uint32_t list, uint32_t row)
{
    struct rs__ivf_list *l;
    int rc;
    if (list == ivf->nlist || clips(ivf, rs__item_row(store, row))) {
        rc = rs__grow((void **)&ivf->outliers, &ivf->outliers_cap, ivf->n_outliers + 1,
                      sizeof *ivf->outliers);
        if (rc < 0)
            return rc;
        ivf->list_of[row] = (uint32_t)ivf->nlist;
        ivf->slot_of[row] = (uint32_t)ivf->n_outliers;
        ivf->outliers[ivf->n_outliers++] = row;
        return 0;
    }
    l = &ivf->lists[list];
    rc = reserve_list(ivf, l, l->size + 1);
    if (rc < 0)
        return rc;
    write_slot(ivf, l, l->size, rs__item_row(store, row));
    l->ids[l->size] = row;
    ivf->list_of[row] = list;
    ivf->slot_of[row] = (uint32_t)l->size;
    l->size++;
    return 0;
}

/* Take a row out of its list: the list's last entry fills its slot. */
static void unlink_row(struct rs__ivf *ivf, uint32_t row)
{
    struct rs__ivf_list *l;
    size_t slot, last;
    if (row >= ivf->rows || ivf->list_of[row] == RS_ITEM_NONE)
        return;
    if (ivf->list_of[row] == ivf->nlist) {
        uint32_t moved = ivf->outliers[--ivf->n_outliers];
        ivf->outliers[ivf->slot_of[row]] = moved;
        ivf->slot_of[moved] = ivf->slot_of[row];
        ivf->list_of[row] = RS_ITEM_NONE;
        return;
    }
    l = &ivf->lists[ivf->list_of[row]];
    slot = ivf->slot_of[row];
    last = l->size - 1;
    if (slot != last) {
        copy_slot(ivf, l, last, slot);
        l->ids[slot] = l->ids[last];
        ivf->slot_of[l->ids[slot]] = (uint32_t)slot;
    }
    write_slot(ivf, l, last, NULL);
    l->ids[last] = RS_ITEM_NONE;
    l->size--;
    ivf->list_of[row] = RS_ITEM_NONE;
}

static uint32_t nearest_list(const struct rs__ivf *ivf, const float *x)
{
    uint32_t best = 0;
    float best_score = -INFINITY;
    for (size_t j = 0; j < ivf->nlist; j++) {
        const float *c = ivf->centroids + j * ivf->dim;
        float s = ivf->half_norm ? -ivf->half_norm[j] : 0.0f;
        for (size_t d = 0; d < ivf->dim; d++)
            s += c[d] * x[d];
        if (s > best_score)
            best_score = s, best = (uint32_t)j;
    }
    return best;
}

static void drop_index(rs_item_store *store)
{
    rs__ivf_free(store->ivf);
    store->ivf = NULL;
}

void rs__ivf_put(rs_item_store *store, uint32_t row)
{
    struct rs__ivf *ivf = store->ivf;
    if (!ivf)
        return;
    if (reserve_rows(ivf, (size_t)row + 1) < 0) {
        drop_index(store);
        return;
    }
    unlink_row(ivf, row);
    if (append(ivf, store, nearest_list(ivf, rs__item_row(store, row)), row) < 0)
        drop_index(store);
}

void rs__ivf_remove(rs_item_store *store, uint32_t row)
{
    if (store->ivf)
        unlink_row(store->ivf, row);
}

void rs__ivf_move(rs_item_store *store, uint32_t from, uint32_t to)
{
    struct rs__ivf *ivf = store->ivf;
    if (!ivf || from >= ivf->rows || ivf->list_of[from] == RS_ITEM_NONE)
        return;
    if (reserve_rows(ivf, (size_t)to + 1) < 0) {
        drop_index(store);
        return;
    }
    if (ivf->list_of[from] == ivf->nlist)
        ivf->outliers[ivf->slot_of[from]] = to;
    else
        ivf->lists[ivf->list_of[from]].ids[ivf->slot_of[from]] = to;
    ivf->list_of[to] = ivf->list_of[from], ivf->slot_of[to] = ivf->slot_of[from];
    ivf->list_of[from] = RS_ITEM_NONE;
}

/* ------------------------------------------------------------ build */

int rs__ivf_fill(rs_item_store *store, struct rs__ivf *ivf, const uint32_t *assign)
{
    size_t span = rs__item_span(store), *sizes = NULL, live_i = 0;
    uint32_t *nearest = NULL;
    int rc;
    free_lists(ivf);
    ivf->n_outliers = 0;
    ivf->lists = rs__calloc(ivf->nlist, sizeof *ivf->lists);
    sizes = rs__calloc(ivf->nlist, sizeof *sizes);
    if (!ivf->lists || !sizes) {
        free(sizes);
        return RS_ERR_NOMEM;
    }
    rc = reserve_rows(ivf, span + 1);
    if (rc == 0 && !assign && span) {
        nearest = rs__alloc_array(span, sizeof *nearest);
        rc = nearest ? rs__kmeans_assign(store->matrix, span, ivf->dim, ivf->centroids,
                                         ivf->half_norm, ivf->nlist, nearest)
                     : RS_ERR_NOMEM;
    }
    /* Size every list once, then fill in index order. */
    for (size_t r = 0, i = 0; rc == 0 && r < span; r++) {
        if (!rs__bitset_test(store->live_bits, r))
            continue;
        uint32_t list = assign ? assign[i++] : nearest[r];
        if (list > ivf->nlist)
            rc = rs__fail(RS_ERR_CORRUPT, "item index: list %u of %zu", list, ivf->nlist);
        else if (list < ivf->nlist)
            sizes[list]++;
    }
    for (size_t j = 0; rc == 0 && j < ivf->nlist; j++)
        rc = reserve_list(ivf, &ivf->lists[j], sizes[j]);
    for (size_t r = 0; rc == 0 && r < span; r++) {
        if (!rs__bitset_test(store->live_bits, r))
            continue;
        rc = append(ivf, store, assign ? assign[live_i++] : nearest[r], (uint32_t)r);
    }
    free(nearest);
    free(sizes);
    return rc;
}

/* The per-dimension range of the live items, split into 256 steps. */
static int train_sq(const rs_item_store *store, struct rs__ivf *ivf)
{
    size_t dim = ivf->dim, span = rs__item_span(store);
    ivf->sq_min = rs__alloc_array(dim, sizeof(float));
    ivf->sq_step = rs__alloc_array(dim, sizeof(float));
    if (!ivf->sq_min || !ivf->sq_step)
        return RS_ERR_NOMEM;
    for (size_t d = 0; d < dim; d++)
        ivf->sq_min[d] = INFINITY, ivf->sq_step[d] = -INFINITY;
    for (size_t r = 0; r < span; r++) {
        const float *x = rs__item_row(store, r);
        if (!rs__bitset_test(store->live_bits, r))
            continue;
        for (size_t d = 0; d < dim; d++) {
            ivf->sq_min[d] = x[d] < ivf->sq_min[d] ? x[d] : ivf->sq_min[d];
            ivf->sq_step[d] = x[d] > ivf->sq_step[d] ? x[d] : ivf->sq_step[d];
        }
    }
    for (size_t d = 0; d < dim; d++)
        ivf->sq_step[d] = (ivf->sq_step[d] - ivf->sq_min[d]) / 256.0f;
    return 0;
}

/* nlist when the option says 0: 4 sqrt(n), the low end of the usual
 * 4..16 sqrt(n) (fewer lists build faster; nprobe makes up for recall). */
static size_t auto_nlist(size_t n)
{
    size_t nlist = (size_t)(4.0 * sqrt((double)n));
    return nlist < 1 ? 1 : nlist > n ? n : nlist;
}

/* A seeded sample of m live rows, copied contiguously. */
static int draw_sample(const rs_item_store *store, size_t m, uint64_t seed, float **out)
{
    size_t span = rs__item_span(store), n = 0, dim = store->dim;
    uint32_t *rows = rs__alloc_array(store->live, sizeof *rows);
    float *sample = rs__alloc_array(m, dim * sizeof(float));
    rs_rng rng;
    *out = NULL;
    if (!rows || !sample) {
        free(rows);
        free(sample);
        return RS_ERR_NOMEM;
    }
    for (size_t r = 0; r < span; r++)
        if (rs__bitset_test(store->live_bits, r))
            rows[n++] = (uint32_t)r;
    rs__rng_init(&rng, seed, 0x5341, 0, 0);
    for (size_t i = 0; i < m; i++) {
        size_t pick = i + (size_t)rs__rng_below(&rng, n - i);
        uint32_t t = rows[i];
        rows[i] = rows[pick], rows[pick] = t;
        memcpy(sample + i * dim, rs__item_row(store, rows[i]), dim * sizeof(float));
    }
    free(rows);
    *out = sample;
    return 0;
}

int rs__ivf_build(rs_item_store *store)
{
    const char *fn = "rs_item_store_build_index";
    struct rs__ivf *ivf;
    float *sample = NULL;
    size_t nlist, m, cells;
    int rc;
    if (store->index_kind == RS_INDEX_EXACT)
        return rs__fail(RS_ERR_STATE, "%s: RS_ITEM_STORE_INDEX is RS_INDEX_EXACT; set "
                        "RS_INDEX_IVF or RS_INDEX_IVF_SQ8 first", fn);
    if (store->live == 0)
        return rs__fail(RS_ERR_STATE, "%s: the store is empty", fn);
    nlist = store->nlist ? (size_t)store->nlist : auto_nlist(store->live);
    if (nlist > store->live)
        return rs__fail(RS_ERR_RANGE, "%s: nlist %zu is larger than the %zu items", fn, nlist,
                        store->live);
    if (rs__mul_size(nlist, store->dim, &cells) < 0 ||
        rs__mul_size(nlist, SAMPLE_PER_LIST, &m) < 0)
        return RS_ERR_OVERFLOW;
    m = m < store->live ? m : store->live;
    ivf = rs__calloc(1, sizeof *ivf);
    if (!ivf)
        return RS_ERR_NOMEM;
    ivf->kind = store->index_kind;
    ivf->nlist = nlist;
    ivf->dim = store->dim;
    ivf->value_bytes = ivf->kind == RS_INDEX_IVF_SQ8 ? 1 : sizeof(float);
    ivf->centroids = rs__alloc_array(cells, sizeof(float));
    rc = ivf->centroids ? 0 : RS_ERR_NOMEM;
    if (rc == 0 && ivf->kind == RS_INDEX_IVF_SQ8)
        rc = train_sq(store, ivf);
    if (rc == 0)
        rc = draw_sample(store, m, (uint64_t)store->index_seed, &sample);
    if (rc == 0)
        rc = rs__kmeans_train(sample, m, store->dim, nlist, KMEANS_ITERATIONS,
                              (uint64_t)store->index_seed, ivf->centroids);
    free(sample);
    if (rc == 0)
        rc = rs__ivf_fill(store, ivf, NULL);
    if (rc < 0) {
        rs__ivf_free(ivf);
        return rs__fail_context("%s: ", fn);
    }
    rs__ivf_free(store->ivf);
    store->ivf = ivf;
    return RS_OK;
}

int rs__item_store_default_index(rs_item_store *store)
{
    int rc;
    if (store->live < RS_ITEM_INDEX_DEFAULT_MIN)
        return 0;
    store->index_kind = RS_INDEX_IVF_SQ8;
    store->nlist = 0;
    /* 1/64 of the 4 sqrt(n) lists (62 of 4000 at 1M items), erring
     * towards recall: bench_ann's clustered 1M x 64 reached recall@10 0.99
     * at 6 of 4096 lists, but the retail text vectors, hardly clustered,
     * needed 96 of 232 for 0.95. */
    store->nprobe = (int64_t)(auto_nlist(store->live) / 64);
    store->nprobe = store->nprobe < 16 ? 16 : store->nprobe;
    rc = rs__ivf_build(store);
    if (rc < 0)
        store->index_kind = RS_INDEX_EXACT;
    return rc;
}

/* ------------------------------------------------------------ search */

struct search {
    const rs_item_store *store;
    const struct rs__ivf *ivf;
    const struct rs__ivf_filter *filter;
    const float *queries; /* unit length for cosine */
    const float *coarse;  /* chunk x nlist centroid scores */
    size_t first;         /* the chunk's first query */
    size_t k, nprobe, shortlist;
    bool cosine, filtered;
    int kernel;
    uint32_t *index_out;
    float *score_out;
    size_t *count_out;
    struct scratch *scratch; /* per worker */
};

struct scratch {
    uint32_t *probe_index, *short_index;
    float *probe_score, *short_score, *weights;
};

static void free_scratch(struct scratch *s, unsigned n)
{
    if (!s)
        return;
    for (unsigned i = 0; i < n; i++) {
        free(s[i].probe_index), free(s[i].short_index);
        free(s[i].probe_score), free(s[i].short_score), free(s[i].weights);
    }
    free(s);
}

static struct scratch *alloc_scratch(unsigned n, size_t nprobe, size_t shortlist, size_t dim)
{
    struct scratch *s = rs__calloc(n, sizeof *s);
    for (unsigned i = 0; s && i < n; i++) {
        s[i].probe_index = rs__alloc_array(nprobe, sizeof(uint32_t));
        s[i].probe_score = rs__alloc_array(nprobe, sizeof(float));
        s[i].short_index = rs__alloc_array(shortlist, sizeof(uint32_t));
        s[i].short_score = rs__alloc_array(shortlist, sizeof(float));
        s[i].weights = rs__alloc_array(dim, sizeof(float));
        if (!s[i].probe_index || !s[i].probe_score || !s[i].short_index ||
            !s[i].short_score || !s[i].weights) {
            free_scratch(s, n);
            return NULL;
        }
    }
    return s;
}

static float exact_score(const struct search *p, const float *q, uint32_t item)
{
    const float *x = rs__item_row(p->store, item);
    float s = 0.0f;
    for (size_t d = 0; d < p->store->dim; d++)
        s += q[d] * x[d];
    return p->cosine ? s * p->store->inv_norm[item] : s;
}

/* One query: probe, scan, re-rank. */
static int query_task(void *ctx, size_t task, unsigned worker)
{
    const struct search *p = ctx;
    const struct rs__ivf *ivf = p->ivf;
    struct scratch *w = &p->scratch[worker];
    size_t q = p->first + task, dim = ivf->dim, n_probe, got;
    const float *query = p->queries + q * dim, *coarse = p->coarse + task * ivf->nlist;
    rs_topk probes, top, final;
    struct rs__ivf_scan s = {p->store, ivf, p->filter, p->cosine, p->filtered, p->kernel, q,
                     query, 0.0f};
    float gate = -INFINITY;
    rs__topk_init(&probes, p->nprobe, w->probe_index, w->probe_score);
    for (size_t j = 0; j < ivf->nlist; j++)
        rs__topk_push(&probes, (uint32_t)j, coarse[j]);
    n_probe = rs__topk_finish(&probes);
    if (ivf->value_bytes == 1) {
        /* q.x ~ sum q[d] (min[d] + step[d] / 2) + sum (q[d] step[d]) code[d] */
        double bias = 0.0;
        for (size_t d = 0; d < dim; d++) {
            w->weights[d] = query[d] * ivf->sq_step[d];
            bias += (double)query[d] * (ivf->sq_min[d] + ivf->sq_step[d] / 2);
        }
        s.q = w->weights, s.bias = (float)bias;
    }
    rs__topk_init(&top, p->shortlist, w->short_index, w->short_score);
    for (size_t j = 0; j < n_probe; j++) /* best lists first: the gate rises soonest */
        rs__ivf_scan_list(&s, &ivf->lists[w->probe_index[j]], &top, &gate);
    for (size_t j = 0; j < ivf->n_outliers; j++) {
        uint32_t item = ivf->outliers[j];
        if (rs__ivf_admissible(&s, item))
            rs__topk_push(&top, item, exact_score(p, query, item));
    }
    got = rs__topk_finish(&top);
    rs__topk_init(&final, p->k, p->index_out + q * p->k, p->score_out + q * p->k);
    for (size_t j = 0; j < got; j++)
        rs__topk_push(&final, w->short_index[j],
                      ivf->value_bytes == 1 ? exact_score(p, query, w->short_index[j])
                                            : w->short_score[j]);
    got = rs__topk_finish(&final);
    for (size_t j = got; j < p->k; j++) {
        p->index_out[q * p->k + j] = RS_ITEM_NONE;
        p->score_out[q * p->k + j] = -INFINITY;
    }
    if (p->count_out)
        p->count_out[q] = got;
    return 0;
}

int rs__ivf_search(const rs_item_store *store, const float *queries, size_t n_queries,
                   size_t k, bool cosine, const struct rs__ivf_filter *filter,
                   uint32_t *index_out, float *score_out, size_t *count_out)
{
    const struct rs__ivf *ivf = store->ivf;
    struct search p;
    float *scaled = NULL, *coarse = NULL;
    size_t chunk, rerank = ivf->value_bytes == 1 ? (size_t)store->rerank : 1, total;
    unsigned n_workers = rs__parallel_workers(n_queries, 0);
    int rc = 0;
    memset(&p, 0, sizeof p);
    p.store = store, p.ivf = ivf, p.filter = filter, p.k = k, p.cosine = cosine;
    p.nprobe = (size_t)store->nprobe < ivf->nlist ? (size_t)store->nprobe : ivf->nlist;
    p.shortlist = k > SIZE_MAX / rerank ? SIZE_MAX : k * rerank;
    if (p.shortlist > store->live)
        p.shortlist = store->live > k ? store->live : k;
    p.filtered = filter->allow || filter->exclude_words;
    p.kernel = rs__item_kernel_in_use();
    p.index_out = index_out, p.score_out = score_out, p.count_out = count_out;
    if (rs__mul_size(n_queries, ivf->dim, &total) < 0)
        return RS_ERR_OVERFLOW;
    if (cosine) {
        scaled = rs__alloc_array(total, sizeof *scaled);
        if (!scaled)
            return RS_ERR_NOMEM;
        for (size_t q = 0; q < n_queries; q++) {
            const float *in = queries + q * ivf->dim;
            double sum = 0.0;
            for (size_t d = 0; d < ivf->dim; d++)
                sum += (double)in[d] * in[d];
            for (size_t d = 0; d < ivf->dim; d++)
                scaled[q * ivf->dim + d] = sum > 0.0 ? (float)(in[d] / sqrt(sum)) : 0.0f;
        }
        queries = scaled;
    }
    p.queries = queries;
    chunk = COARSE_FLOATS / ivf->nlist;
    chunk = chunk < 1 ? 1 : chunk > n_queries ? n_queries : chunk;
    coarse = rs__alloc_array(chunk, ivf->nlist * sizeof(float));
    p.scratch = alloc_scratch(n_workers, p.nprobe, p.shortlist, ivf->dim);
    if (!coarse || !p.scratch)
        rc = RS_ERR_NOMEM;
    p.coarse = coarse;
    for (size_t first = 0; rc == 0 && first < n_queries; first += chunk) {
        size_t m = first + chunk < n_queries ? chunk : n_queries - first;
        p.first = first;
        if (m == 1)
            rc = rs__sgemv(false, ivf->nlist, ivf->dim, 1.0f, ivf->centroids, ivf->dim,
                           queries + first * ivf->dim, 0.0f, coarse);
        else
            rc = rs__sgemm(false, true, m, ivf->nlist, ivf->dim, 1.0f,
                           queries + first * ivf->dim, ivf->dim, ivf->centroids, ivf->dim,
                           0.0f, coarse, ivf->nlist);
        if (rc == 0)
            rc = rs__parallel_for(m, n_workers, query_task, &p);
    }
    free_scratch(p.scratch, n_workers);
    free(coarse);
    free(scaled);
    return rc;
}
