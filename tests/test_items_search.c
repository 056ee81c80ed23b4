/*
 * test_items_search.c - rs_item_store_search against a straightforward
 * reference (score every item in double precision, sort, keep k), for every
 * kernel (the best for this CPU, BLAS, and the AVX2 one, which an AVX-512
 * machine runs only when forced), both metrics, many shapes, filters, holes,
 * edge cases and bad input.
 */
#include "testutil.h"

#include "core/alloc.h"
#include "core/bitset.h"
#include "core/rng.h"
#include "items/items_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define TOL 1e-5

/* rs__item_force_kernel values: best for this CPU, BLAS, AVX2. */
#define N_KERNELS 3

struct ranked {
    uint32_t index;
    double score;
};

static int by_rank(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

struct fixture {
    rs_item_store *store;
    size_t n, dim;
    float *items; /* n x dim, as added (removed rows kept, see live) */
    bool *live;
};

static void fixture_make(struct fixture *f, size_t n, size_t dim, uint64_t seed,
                         bool integers)
{
    rs_rng r;
    char key[32];
    rs__rng_init(&r, seed, 1, 0, 0);
    f->n = n;
    f->dim = dim;
    f->items = malloc((n * dim + 1) * sizeof *f->items);
    f->live = malloc((n ? n : 1) * sizeof *f->live);
    ck_assert_ok(rs_item_store_create(dim, &f->store));
    for (size_t i = 0; i < n; i++) {
        for (size_t d = 0; d < dim; d++)
            f->items[i * dim + d] = integers ? (float)rs__rng_below(&r, 5) - 2.0f
                                             : (float)(rs__rng_uniform(&r) * 2 - 1);
        if (i % 97 == 5) /* some zero vectors */
            memset(f->items + i * dim, 0, dim * sizeof(float));
        if (integers && i % 13 == 7 && i > 0) /* exact duplicates: ties */
            memcpy(f->items + i * dim, f->items + (i - 7) * dim, dim * sizeof(float));
        snprintf(key, sizeof key, "item%zu", i);
        ck_assert_ok(rs_item_store_add(f->store, key, f->items + i * dim, dim, NULL));
        f->live[i] = true;
    }
}

static void fixture_free(struct fixture *f)
{
    rs_item_store_free(f->store);
    free(f->items);
    free(f->live);
}

static double ref_score(const struct fixture *f, const float *q, size_t i, int metric)
{
    double dot = 0, nq = 0, nx = 0;
    for (size_t d = 0; d < f->dim; d++) {
        dot += (double)q[d] * f->items[i * f->dim + d];
        nq += (double)q[d] * q[d];
        nx += (double)f->items[i * f->dim + d] * f->items[i * f->dim + d];
    }
    if (metric == RS_ITEM_METRIC_COSINE)
        return nq > 0 && nx > 0 ? dot / sqrt(nq * nx) : 0.0;
    return dot;
}

/* Assertions inside hot loops: Check records every passing ck_assert (a
 * write per call), so these only call into Check on failure. */
#define require(cond, ...)                   \
    do {                                     \
        if (!(cond))                         \
            ck_abort_msg(__VA_ARGS__);       \
    } while (0)

/* Search with the store and compare query by query with the reference. */
static void check_search(const struct fixture *f, const float *queries, size_t nq, size_t k,
                         int metric, const uint64_t *exclude, size_t exclude_words,
                         const uint64_t *allow, size_t allow_words)
{
    size_t slots = nq * k + 1;
    uint32_t *index = malloc(slots * sizeof *index);
    float *score = malloc(slots * sizeof *score);
    size_t *count = malloc((nq ? nq : 1) * sizeof *count);
    struct ranked *all = malloc((f->n ? f->n : 1) * sizeof *all);
    ck_assert_ok(rs_item_store_search(f->store, queries, nq, f->dim, k, metric, exclude,
                                      exclude_words, allow, allow_words, index, score,
                                      count));
    for (size_t q = 0; q < nq; q++) {
        const float *query = queries + q * f->dim;
        size_t m = 0;
        for (size_t i = 0; i < f->n; i++) {
            if (!f->live[i])
                continue;
            if (allow && (i / 64 >= allow_words || !rs__bitset_test(allow, i)))
                continue;
            if (exclude && i / 64 < exclude_words &&
                rs__bitset_test(exclude + q * exclude_words, i))
                continue;
            all[m].index = (uint32_t)i;
            all[m].score = ref_score(f, query, i, metric);
            m++;
        }
        qsort(all, m, sizeof *all, by_rank);
        size_t want = k < m ? k : m;
        require(count[q] == want, "query %zu: %zu results, reference %zu", q, count[q], want);
        for (size_t j = 0; j < want; j++) {
            uint32_t got = index[q * k + j];
            require(fabs(score[q * k + j] - all[j].score) <= TOL,
                    "query %zu rank %zu: score %.8f, reference %.8f", q, j,
                    (double)score[q * k + j], all[j].score);
            if (got != all[j].index) {
                /* Only a near-tie (within rounding of float vs double) may swap. */
                require(got < f->n, "query %zu rank %zu: index %u out of range", q, j, got);
                require(fabs(ref_score(f, query, got, metric) - all[j].score) <= TOL,
                        "query %zu rank %zu: index %u, reference %u (score %.8f)", q, j, got,
                        all[j].index, all[j].score);
            }
            for (size_t jj = 0; jj < j; jj++)
                require(index[q * k + jj] != got, "query %zu: index %u twice", q, got);
        }
        for (size_t j = want; j < k; j++)
            require(index[q * k + j] == RS_ITEM_NONE && isinf(score[q * k + j]) &&
                        score[q * k + j] < 0,
                    "query %zu slot %zu: not empty", q, j);
    }
    free(index), free(score), free(count), free(all);
}

static float *make_queries(size_t nq, size_t dim, uint64_t seed, bool integers)
{
    rs_rng r;
    float *q = malloc((nq * dim + 1) * sizeof *q);
    rs__rng_init(&r, seed, 2, 0, 0);
    for (size_t i = 0; i < nq * dim; i++)
        q[i] = integers ? (float)rs__rng_below(&r, 7) - 3.0f
                        : (float)(rs__rng_uniform(&r) * 2 - 1);
    if (nq > 2) /* one zero query */
        memset(q + 2 * dim, 0, dim * sizeof *q);
    return q;
}

static void run_shapes(int kernel)
{
    static const size_t dims[] = {1, 3, 16, 17, 64, 100};
    static const size_t batches[] = {1, 2, 5, 16, 17, 33, 70};
    rs__item_force_kernel(kernel);
    for (size_t di = 0; di < sizeof dims / sizeof dims[0]; di++) {
        struct fixture f;
        fixture_make(&f, 1500 + di * 7, dims[di], 40 + di, false);
        for (size_t bi = 0; bi < sizeof batches / sizeof batches[0]; bi++) {
            float *q = make_queries(batches[bi], dims[di], 70 + bi, false);
            check_search(&f, q, batches[bi], 10, RS_ITEM_METRIC_INNER_PRODUCT, NULL, 0, NULL, 0);
            check_search(&f, q, batches[bi], 7, RS_ITEM_METRIC_COSINE, NULL, 0, NULL, 0);
            free(q);
        }
        fixture_free(&f);
    }
    rs__item_force_kernel(0);
}

START_TEST(matches_reference_best_kernel)
{
    run_shapes(0);
}
END_TEST

START_TEST(matches_reference_blas_kernel)
{
    run_shapes(1);
}
END_TEST

/* AVX2 where the CPU has it (else the best kernel again): forced, it runs
 * even on a machine with AVX-512. */
START_TEST(matches_reference_avx2_kernel)
{
    rs__item_force_kernel(2);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        ck_assert_str_eq(rs__item_kernel_name(), "avx2");
#endif
    rs__item_force_kernel(0);
    run_shapes(2);
}
END_TEST

/* A batch sums each score in the same order on the AVX2 and the AVX-512
 * kernel: bitwise the same results, cosine and inner product. */
START_TEST(avx2_batches_equal_avx512)
{
    enum { N = 5000, D = 37, NQ = 35, K = 12 };
    struct fixture f;
    float *q = make_queries(NQ, D, 21, false);
    uint32_t i1[NQ * K], i2[NQ * K];
    float s1[NQ * K], s2[NQ * K];
    if (strcmp(rs__item_kernel_name(), "avx512") != 0) {
        free(q);
        return; /* nothing to compare with on this CPU */
    }
    fixture_make(&f, N, D, 22, false);
    for (int metric = 0; metric < 2; metric++) {
        ck_assert_ok(rs_item_store_search(f.store, q, NQ, D, K, metric, NULL, 0, NULL, 0, i1,
                                          s1, NULL));
        rs__item_force_kernel(2);
        ck_assert_str_eq(rs__item_kernel_name(), "avx2");
        ck_assert_ok(rs_item_store_search(f.store, q, NQ, D, K, metric, NULL, 0, NULL, 0, i2,
                                          s2, NULL));
        rs__item_force_kernel(0);
        ck_assert_mem_eq(i1, i2, sizeof i1);
        ck_assert_mem_eq(s1, s2, sizeof s1);
    }
    fixture_free(&f);
    free(q);
}
END_TEST

/* Integer data: every score is exact, so indices must match exactly and
 * the many exact ties must go to the lower index. */
START_TEST(exact_ties_go_to_lower_index)
{
    for (int kernel = 0; kernel < N_KERNELS; kernel++) {
        struct fixture f;
        float *q = make_queries(40, 8, 9, true);
        rs__item_force_kernel(kernel);
        fixture_make(&f, 3000, 8, 8, true);
        for (size_t nq = 1; nq <= 40; nq += 13) {
            size_t k = 50;
            uint32_t *index = malloc(nq * k * sizeof *index);
            float *score = malloc(nq * k * sizeof *score);
            struct ranked *all = malloc(f.n * sizeof *all);
            ck_assert_ok(rs_item_store_search(f.store, q, nq, 8, k, RS_ITEM_METRIC_INNER_PRODUCT,
                                              NULL, 0, NULL, 0, index, score, NULL));
            for (size_t qi = 0; qi < nq; qi++) {
                for (size_t i = 0; i < f.n; i++)
                    all[i] = (struct ranked){(uint32_t)i, ref_score(&f, q + qi * 8, i, 0)};
                qsort(all, f.n, sizeof *all, by_rank);
                for (size_t j = 0; j < k; j++)
                    require(index[qi * k + j] == all[j].index &&
                                score[qi * k + j] == (float)all[j].score,
                            "query %zu rank %zu: %u (%g), reference %u (%g)", qi, j,
                            index[qi * k + j], (double)score[qi * k + j], all[j].index,
                            all[j].score);
            }
            free(index), free(score), free(all);
        }
        check_search(&f, q, 40, 20, RS_ITEM_METRIC_COSINE, NULL, 0, NULL, 0);
        fixture_free(&f);
        free(q);
    }
    rs__item_force_kernel(0);
}
END_TEST

START_TEST(filters_and_holes)
{
    enum { N = 2000, D = 24, NQ = 21 };
    for (int kernel = 0; kernel < N_KERNELS; kernel++) {
        struct fixture f;
        size_t words = rs__bitset_words(N);
        uint64_t *exclude = calloc(NQ * words, sizeof *exclude);
        uint64_t *allow = calloc(words, sizeof *allow);
        float *q = make_queries(NQ, D, 3, false);
        char key[32];
        rs_rng r;
        rs__item_force_kernel(kernel);
        fixture_make(&f, N, D, 5, false);
        rs__rng_init(&r, 6, 0, 0, 0);
        for (size_t i = 0; i < N; i++) {
            if (rs__rng_uniform(&r) < 0.7)
                rs__bitset_set(allow, i);
            for (size_t qi = 0; qi < NQ; qi++)
                if (rs__rng_uniform(&r) < 0.3)
                    rs__bitset_set(exclude + qi * words, i);
            if (i % 11 == 3) { /* holes */
                snprintf(key, sizeof key, "item%zu", i);
                ck_assert_ok(rs_item_store_remove(f.store, key));
                f.live[i] = false;
            }
        }
        for (size_t nq = 1; nq <= NQ; nq += 10) {
            check_search(&f, q, nq, 10, RS_ITEM_METRIC_INNER_PRODUCT, exclude, words, NULL, 0);
            check_search(&f, q, nq, 10, RS_ITEM_METRIC_COSINE, NULL, 0, allow, words);
            check_search(&f, q, nq, 15, RS_ITEM_METRIC_INNER_PRODUCT, exclude, words, allow, words);
            /* Short bitsets: items beyond them are not excluded / not allowed. */
            check_search(&f, q, nq, 15, RS_ITEM_METRIC_INNER_PRODUCT, exclude, 5, allow, 7);
        }
        /* Everything excluded for query 0, nothing for the others. */
        memset(exclude, 0, NQ * words * sizeof *exclude);
        memset(exclude, 0xff, words * sizeof *exclude);
        check_search(&f, q, NQ, 10, RS_ITEM_METRIC_INNER_PRODUCT, exclude, words, NULL, 0);
        /* An allow list with a handful of items: k larger than what is left. */
        memset(allow, 0, words * sizeof *allow);
        rs__bitset_set(allow, 0), rs__bitset_set(allow, 3), rs__bitset_set(allow, 1999);
        check_search(&f, q, NQ, 10, RS_ITEM_METRIC_COSINE, NULL, 0, allow, words);
        check_search(&f, q, NQ, 10, RS_ITEM_METRIC_COSINE, NULL, 0, allow, 0);
        fixture_free(&f);
        free(exclude), free(allow), free(q);
    }
    rs__item_force_kernel(0);
}
END_TEST

START_TEST(edge_cases)
{
    struct fixture f;
    rs_item_store *empty;
    float *q = make_queries(4, 6, 1, false);
    uint32_t index[4 * 50];
    float score[4 * 50];
    size_t count[4] = {9, 9, 9, 9};
    fixture_make(&f, 30, 6, 2, false);
    for (int kernel = 0; kernel < N_KERNELS; kernel++) {
        rs__item_force_kernel(kernel);
        check_search(&f, q, 4, 50, RS_ITEM_METRIC_INNER_PRODUCT, NULL, 0, NULL, 0); /* k > n */
        check_search(&f, q, 1, 50, RS_ITEM_METRIC_INNER_PRODUCT, NULL, 0, NULL, 0);
        check_search(&f, q, 4, 30, RS_ITEM_METRIC_COSINE, NULL, 0, NULL, 0); /* k = n */
    }
    rs__item_force_kernel(0);
    /* k = 0 and no queries: nothing written, no failure. */
    ck_assert_ok(rs_item_store_search(f.store, q, 4, 6, 0, 0, NULL, 0, NULL, 0, index, score,
                                      count));
    ck_assert_uint_eq(count[0], 0);
    ck_assert_ok(rs_item_store_search(f.store, NULL, 0, 6, 10, 0, NULL, 0, NULL, 0, NULL,
                                      NULL, NULL));
    /* score_out and count_out may be NULL. */
    ck_assert_ok(rs_item_store_search(f.store, q, 4, 6, 3, 1, NULL, 0, NULL, 0, index, NULL,
                                      NULL));
    /* An empty store. */
    ck_assert_ok(rs_item_store_create(6, &empty));
    ck_assert_ok(rs_item_store_search(empty, q, 4, 6, 5, 0, NULL, 0, NULL, 0, index, score,
                                      count));
    for (int i = 0; i < 20; i++)
        ck_assert_uint_eq(index[i], RS_ITEM_NONE);
    ck_assert_uint_eq(count[3], 0);
    rs_item_store_free(empty);
    fixture_free(&f);
    free(q);
}
END_TEST

START_TEST(zero_vectors_score_zero_under_cosine)
{
    rs_item_store *store;
    const float zero[3] = {0, 0, 0}, x[3] = {-1, -2, -3}, q[3] = {1, 1, 1};
    uint32_t index[3];
    float score[3];
    ck_assert_ok(rs_item_store_create(3, &store));
    ck_assert_ok(rs_item_store_add(store, "x", x, 3, NULL));
    ck_assert_ok(rs_item_store_add(store, "zero", zero, 3, NULL));
    ck_assert_ok(rs_item_store_search(store, q, 1, 3, 3, RS_ITEM_METRIC_COSINE, NULL, 0, NULL, 0,
                                      index, score, NULL));
    ck_assert_uint_eq(index[0], 1);
    ck_assert_float_eq(score[0], 0.0f);
    ck_assert_uint_eq(index[1], 0);
    ck_assert_float_eq_tol(score[1], (float)(-6.0 / sqrt(42.0)), 1e-6f);
    ck_assert_uint_eq(index[2], RS_ITEM_NONE);
    ck_assert_ok(rs_item_store_search(store, zero, 1, 3, 2, RS_ITEM_METRIC_COSINE, NULL, 0, NULL, 0,
                                      index, score, NULL));
    ck_assert_float_eq(score[0], 0.0f);
    ck_assert_float_eq(score[1], 0.0f);
    ck_assert_uint_eq(index[0], 0); /* a tie: the lower index first */
    rs_item_store_free(store);
}
END_TEST

/*
 * Large enough that both threads work.  The fused kernels (AVX-512, AVX2)
 * split items over the library's threads and sum each dot product the same
 * way, so their results are bitwise equal across thread counts.  The BLAS
 * path leaves the threading to OpenBLAS, whose sgemm in Debian's 0.3.21 is
 * not bitwise reproducible across its thread counts on the Haswell/Prescott
 * kernels: there a one-thread run must repeat bitwise, and every run must
 * match the reference (check_search).  Each kernel in turn (forcing AVX2
 * runs it on an AVX-512 machine too).
 */
START_TEST(thread_count_does_not_change_results)
{
    enum { N = 60000, D = 48, NQ = 20, K = 10 };
    struct fixture f;
    float *q = make_queries(NQ, D, 4, false);
    uint32_t *i1 = malloc(NQ * K * sizeof *i1), *i2 = malloc(NQ * K * sizeof *i2);
    float *s1 = malloc(NQ * K * sizeof *s1), *s2 = malloc(NQ * K * sizeof *s2);
    int before = rs_get_num_threads();
    fixture_make(&f, N, D, 77, false);
    /* 60,000 x 48 floats outgrow RS_SCAN_HUGE_MIN: the rows were copied from
     * ordinary blocks into a huge-page-aligned one on the way. */
    ck_assert_uint_ge(f.store->capacity * D * sizeof(float), RS_SCAN_HUGE_MIN);
    ck_assert_uint_eq((uintptr_t)f.store->matrix % RS_HUGE_PAGE, 0);
    for (int kernel = 0; kernel < N_KERNELS; kernel++) {
        const char *name;
        bool fused;
        rs__item_force_kernel(kernel);
        name = rs__item_kernel_name();
        fused = strcmp(name, "avx512") == 0 || strcmp(name, "avx2") == 0;
        for (size_t nq = 1; nq <= NQ; nq += NQ - 1) {
            ck_assert_ok(rs_set_num_threads(1));
            ck_assert_ok(rs_item_store_search(f.store, q, nq, D, K, RS_ITEM_METRIC_COSINE, NULL, 0,
                                              NULL, 0, i1, s1, NULL));
            ck_assert_ok(rs_set_num_threads(fused ? 2 : 1));
            ck_assert_ok(rs_item_store_search(f.store, q, nq, D, K, RS_ITEM_METRIC_COSINE, NULL, 0,
                                              NULL, 0, i2, s2, NULL));
            ck_assert_msg(memcmp(i1, i2, nq * K * sizeof *i1) == 0 &&
                              memcmp(s1, s2, nq * K * sizeof *s1) == 0,
                          "kernel %s, %zu queries: 1 and 2 threads differ", name, nq);
        }
        ck_assert_ok(rs_set_num_threads(2));
        check_search(&f, q, NQ, K, RS_ITEM_METRIC_COSINE, NULL, 0, NULL, 0);
        check_search(&f, q, NQ, K, RS_ITEM_METRIC_INNER_PRODUCT, NULL, 0, NULL, 0);
    }
    rs__item_force_kernel(0);
    ck_assert_ok(rs_set_num_threads(before));
    fixture_free(&f);
    free(q), free(i1), free(i2), free(s1), free(s2);
}
END_TEST

/* Searches of different shapes (batch, k, metric, filter) from several
 * threads at once on one store, each with its own worker threads, return
 * bitwise what the same searches return one after another. */
enum { CONC_N = 30000, CONC_D = 40, CONC_SHAPES = 4, CONC_MAX = 40 * 16 };

struct conc_shape {
    size_t nq, k;
    int metric;
    bool exclude;
};

static const struct conc_shape conc_shapes[CONC_SHAPES] = {
    {1, 10, RS_ITEM_METRIC_INNER_PRODUCT, false},
    {33, 5, RS_ITEM_METRIC_COSINE, false},
    {16, 40, RS_ITEM_METRIC_INNER_PRODUCT, true},
    {2, 1, RS_ITEM_METRIC_COSINE, true},
};

struct conc_job {
    const rs_item_store *store;
    const float *queries;
    const uint64_t *exclude;
    size_t exclude_words;
    int shape;
    uint32_t index[CONC_MAX];
    float score[CONC_MAX];
    int rc;
};

static void conc_search(struct conc_job *job)
{
    const struct conc_shape *c = &conc_shapes[job->shape];
    job->rc = rs_item_store_search(job->store, job->queries, c->nq, CONC_D, c->k, c->metric,
                                   c->exclude ? job->exclude : NULL,
                                   c->exclude ? job->exclude_words : 0, NULL, 0, job->index,
                                   job->score, NULL);
}

static void *conc_main(void *arg)
{
    struct conc_job *job = arg;
    uint32_t first[CONC_MAX];
    conc_search(job);
    memcpy(first, job->index, sizeof first);
    for (int round = 0; round < 3 && job->rc == 0; round++) {
        conc_search(job);
        if (memcmp(first, job->index, sizeof first) != 0)
            job->rc = -1000; /* not the same from one round to the next */
    }
    return NULL;
}

START_TEST(concurrent_searches_on_one_store)
{
    struct fixture f;
    float *q = make_queries(40, CONC_D, 31, false);
    size_t words = rs__bitset_words(CONC_N);
    uint64_t *exclude = calloc(40 * words, sizeof *exclude);
    struct conc_job *alone = calloc(CONC_SHAPES, sizeof *alone);
    struct conc_job *together = calloc(CONC_SHAPES, sizeof *together);
    pthread_t threads[CONC_SHAPES];
    int before = rs_get_num_threads();
    fixture_make(&f, CONC_N, CONC_D, 32, false);
    for (size_t i = 0; i < 40 * words * 64; i += 7) /* every 7th item, per query */
        if (i % (words * 64) < CONC_N)
            exclude[i / 64] |= (uint64_t)1 << (i % 64);
    ck_assert_ok(rs_set_num_threads(2));
    for (int kernel = 0; kernel < N_KERNELS; kernel++) {
        rs__item_force_kernel(kernel);
        for (int s = 0; s < CONC_SHAPES; s++) {
            struct conc_job job = {f.store, q, exclude, words, s, {0}, {0}, 0};
            alone[s] = job;
            together[s] = job;
            conc_search(&alone[s]);
            ck_assert_ok(alone[s].rc);
        }
        for (int s = 0; s < CONC_SHAPES; s++)
            ck_assert_int_eq(pthread_create(&threads[s], NULL, conc_main, &together[s]), 0);
        for (int s = 0; s < CONC_SHAPES; s++) {
            size_t slots = conc_shapes[s].nq * conc_shapes[s].k;
            ck_assert_int_eq(pthread_join(threads[s], NULL), 0);
            ck_assert_int_eq(together[s].rc, 0);
            ck_assert_mem_eq(alone[s].index, together[s].index, slots * sizeof(uint32_t));
            ck_assert_mem_eq(alone[s].score, together[s].score, slots * sizeof(float));
        }
    }
    /* And the single-query answers are the reference's. */
    check_search(&f, q, 1, 10, RS_ITEM_METRIC_INNER_PRODUCT, NULL, 0, NULL, 0);
    rs__item_force_kernel(0);
    ck_assert_ok(rs_set_num_threads(before));
    fixture_free(&f);
    free(q), free(exclude), free(alone), free(together);
}
END_TEST

START_TEST(bad_arguments)
{
    struct fixture f;
    float q[8] = {0}, nan_q[8] = {0};
    uint32_t index[16];
    float score[16];
    uint64_t bits[1] = {0};
    fixture_make(&f, 10, 4, 1, false);
    nan_q[5] = NAN;
    ck_assert_status(rs_item_store_search(NULL, q, 1, 4, 2, 0, NULL, 0, NULL, 0, index, score,
                                          NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_item_store_search(f.store, NULL, 1, 4, 2, 0, NULL, 0, NULL, 0, index,
                                          score, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_item_store_search(f.store, q, 1, 4, 2, 0, NULL, 0, NULL, 0, NULL,
                                          score, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_item_store_search(f.store, q, 1, 5, 2, 0, NULL, 0, NULL, 0, index,
                                          score, NULL),
                     RS_ERR_DIM);
    ck_assert_errmsg_has("dimension 5");
    ck_assert_status(rs_item_store_search(f.store, q, 1, 4, 2, 7, NULL, 0, NULL, 0, index,
                                          score, NULL),
                     RS_ERR_INVALID);
    ck_assert_errmsg_has("metric 7");
    ck_assert_status(rs_item_store_search(f.store, nan_q, 2, 4, 2, 0, NULL, 0, NULL, 0, index,
                                          score, NULL),
                     RS_ERR_RANGE);
    ck_assert_errmsg_has("query 1 has NaN at position 1");
    ck_assert_status(rs_item_store_search(f.store, q, 1, 4, 2, 0, NULL, 1, NULL, 0, index,
                                          score, NULL),
                     RS_ERR_INVALID);
    ck_assert_status(rs_item_store_search(f.store, q, 1, 4, 2, 0, bits, 1, NULL, 3, index,
                                          score, NULL),
                     RS_ERR_INVALID);
    fixture_free(&f);
}
END_TEST

/* The bfloat16 scan with exact re-ranking: recall@10 against the exact
 * search, exact scores for what it returns, filters still applied. */
START_TEST(bf16_scan_recall_and_exact_scores)
{
    enum { N = 20000, D = 64, NQ = 40, K = 10 };
    struct fixture f;
    float *q = make_queries(NQ, D, 12, false);
    uint32_t *exact = malloc(NQ * K * sizeof *exact), *approx = malloc(NQ * K * sizeof *approx);
    float *score = malloc(NQ * K * sizeof *score);
    size_t words = rs__bitset_words(N), hits = 0;
    uint64_t *exclude = calloc(NQ * words, sizeof *exclude);
    int64_t value;
    fixture_make(&f, N, D, 13, false);
    ck_assert_ok(rs_item_store_search(f.store, q, NQ, D, K, RS_ITEM_METRIC_COSINE, NULL, 0, NULL, 0,
                                      exact, score, NULL));
    ck_assert_ok(rs_item_store_get_int(f.store, RS_ITEM_STORE_SCAN, &value));
    ck_assert_int_eq(value, RS_SCAN_EXACT);
    ck_assert_ok(rs_item_store_set_int(f.store, RS_ITEM_STORE_SCAN, RS_SCAN_BF16));
    ck_assert_ok(rs_item_store_get_int(f.store, RS_ITEM_STORE_SCAN, &value));
    ck_assert_int_eq(value, RS_SCAN_BF16);
    for (size_t nq = 1; nq <= NQ; nq += NQ - 1) {
        ck_assert_ok(rs_item_store_search(f.store, q, nq, D, K, RS_ITEM_METRIC_COSINE, NULL, 0,
                                          NULL, 0, approx, score, NULL));
        hits = 0;
        for (size_t i = 0; i < nq; i++)
            for (size_t a = 0; a < K; a++) {
                double ref = ref_score(&f, q + i * D, approx[i * K + a], RS_ITEM_METRIC_COSINE);
                require(fabs(score[i * K + a] - ref) <= TOL, "score %g, reference %g",
                        (double)score[i * K + a], ref);
                for (size_t b = 0; b < K; b++)
                    hits += approx[i * K + a] == exact[i * K + b];
            }
        ck_assert_msg(hits >= 0.99 * nq * K, "recall@10 %.3f", (double)hits / (nq * K));
    }
    /* Items added, updated and removed after switching keep the copy in step. */
    for (size_t i = 0; i < NQ; i++)
        rs__bitset_set(exclude + i * words, exact[i * K]); /* hide each best item */
    check_search(&f, q, NQ, K, RS_ITEM_METRIC_INNER_PRODUCT, exclude, words, NULL, 0);
    ck_assert_ok(rs_item_store_update(f.store, "item7", q, D));
    memcpy(f.items + 7 * D, q, D * sizeof *q);
    ck_assert_ok(rs_item_store_search(f.store, q, 1, D, 1, RS_ITEM_METRIC_COSINE, NULL, 0, NULL, 0,
                                      approx, score, NULL));
    ck_assert_uint_eq(approx[0], 7);
    ck_assert_float_eq_tol(score[0], 1.0f, 1e-6f);
    ck_assert_ok(rs_item_store_remove(f.store, "item7"));
    f.live[7] = false;
    check_search(&f, q, 3, K, RS_ITEM_METRIC_COSINE, NULL, 0, NULL, 0);
    ck_assert_ok(rs_item_store_compact(f.store));
    ck_assert_ok(rs_item_store_set_int(f.store, RS_ITEM_STORE_RERANK, 64));
    ck_assert_ok(rs_item_store_search(f.store, q + D, 1, D, K, RS_ITEM_METRIC_COSINE, NULL, 0, NULL,
                                      0, approx, score, NULL));
    /* Bad options. */
    ck_assert_status(rs_item_store_set_int(f.store, RS_ITEM_STORE_SCAN, 2), RS_ERR_RANGE);
    ck_assert_status(rs_item_store_set_int(f.store, RS_ITEM_STORE_RERANK, 0), RS_ERR_RANGE);
    ck_assert_status(rs_item_store_set_int(f.store, RS_ITEM_STORE_RERANK, 65), RS_ERR_RANGE);
    ck_assert_status(rs_item_store_set_int(f.store, 99, 1), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_set_int(NULL, RS_ITEM_STORE_SCAN, 1), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_get_int(f.store, 99, &value), RS_ERR_INVALID);
    ck_assert_status(rs_item_store_get_int(f.store, RS_ITEM_STORE_SCAN, NULL), RS_ERR_INVALID);
    ck_assert_ok(rs_item_store_get_int(f.store, RS_ITEM_STORE_RERANK, &value));
    ck_assert_int_eq(value, 64);
    ck_assert_ok(rs_item_store_set_int(f.store, RS_ITEM_STORE_SCAN, RS_SCAN_EXACT));
    fixture_free(&f);
    free(q), free(exact), free(approx), free(score), free(exclude);
}
END_TEST

/* Odd dimensions and small stores under the bfloat16 scan. */
START_TEST(bf16_scan_odd_shapes)
{
    static const size_t dims[] = {1, 3, 33, 65};
    for (size_t di = 0; di < 4; di++) {
        struct fixture f;
        float *q = make_queries(20, dims[di], 30 + di, true);
        fixture_make(&f, 700, dims[di], 31 + di, true);
        ck_assert_ok(rs_item_store_set_int(f.store, RS_ITEM_STORE_SCAN, RS_SCAN_BF16));
        ck_assert_ok(rs_item_store_set_int(f.store, RS_ITEM_STORE_RERANK, 64));
        /* Small integers are exact in bfloat16: the scan loses nothing. */
        check_search(&f, q, 1, 10, RS_ITEM_METRIC_INNER_PRODUCT, NULL, 0, NULL, 0);
        check_search(&f, q, 20, 10, RS_ITEM_METRIC_INNER_PRODUCT, NULL, 0, NULL, 0);
        check_search(&f, q, 17, 800, RS_ITEM_METRIC_COSINE, NULL, 0, NULL, 0);
        fixture_free(&f);
        free(q);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("items_search");
    TCase *tc = tcase_create("search");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, matches_reference_best_kernel);
    tcase_add_test(tc, matches_reference_blas_kernel);
    tcase_add_test(tc, matches_reference_avx2_kernel);
    tcase_add_test(tc, avx2_batches_equal_avx512);
    tcase_add_test(tc, exact_ties_go_to_lower_index);
    tcase_add_test(tc, filters_and_holes);
    tcase_add_test(tc, edge_cases);
    tcase_add_test(tc, zero_vectors_score_zero_under_cosine);
    tcase_add_test(tc, thread_count_does_not_change_results);
    tcase_add_test(tc, concurrent_searches_on_one_store);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, bf16_scan_recall_and_exact_scores);
    tcase_add_test(tc, bf16_scan_odd_shapes);
    suite_add_tcase(s, tc);
    return s;
}
