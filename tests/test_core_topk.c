/*
 * test_core_topk.c - bounded top-k selection against a full sort.
 */
#include "testutil.h"

#include "core/rng.h"
#include "core/topk.h"

#include <math.h>
#include <stdlib.h>

struct pair {
    uint32_t index;
    float score;
};

static int by_rank(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The reference: sort everything (NaNs dropped), keep the first k. */
static size_t reference_topk(const float *scores, size_t n, size_t k, struct pair *out)
{
    struct pair *all = malloc((n ? n : 1) * sizeof *all);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(scores[i]))
            all[m++] = (struct pair){(uint32_t)i, scores[i]};
    qsort(all, m, sizeof *all, by_rank);
    if (k > m)
        k = m;
    memcpy(out, all, k * sizeof *out);
    free(all);
    return k;
}

static void check_against_reference(const float *scores, size_t n, size_t k,
                                    const uint32_t *order)
{
    uint32_t *index = malloc((k ? k : 1) * sizeof *index);
    float *score = malloc((k ? k : 1) * sizeof *score);
    struct pair *expected = malloc((k ? k : 1) * sizeof *expected);
    rs_topk top;
    size_t got, want;
    rs__topk_init(&top, k, index, score);
    for (size_t i = 0; i < n; i++) {
        uint32_t at = order ? order[i] : (uint32_t)i;
        rs__topk_push(&top, at, scores[at]);
    }
    got = rs__topk_finish(&top);
    want = reference_topk(scores, n, k, expected);
    ck_assert_uint_eq(got, want);
    for (size_t i = 0; i < got; i++) {
        ck_assert_uint_eq(index[i], expected[i].index);
        ck_assert_float_eq(score[i], expected[i].score);
    }
    free(index);
    free(score);
    free(expected);
}

START_TEST(random_scores_match_sort)
{
    enum { N = 5000 };
    float *scores = malloc(N * sizeof *scores);
    rs_rng r;
    rs__rng_init(&r, 11, 0, 0, 0);
    for (size_t i = 0; i < N; i++)
        scores[i] = (float)rs__rng_normal(&r);
    const size_t ks[] = {0, 1, 2, 10, 100, N - 1, N, N + 10};
    for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++)
        check_against_reference(scores, N, ks[j], NULL);
    free(scores);
}
END_TEST

START_TEST(ties_go_to_lower_index_whatever_the_order)
{
    enum { N = 1000 };
    float *scores = malloc(N * sizeof *scores);
    uint32_t *order = malloc(N * sizeof *order);
    rs_rng r;
    rs__rng_init(&r, 12, 0, 0, 0);
    /* Few distinct values: lots of ties. */
    for (size_t i = 0; i < N; i++) {
        scores[i] = (float)rs__rng_below(&r, 5);
        order[i] = (uint32_t)i;
    }
    for (size_t i = N - 1; i > 0; i--) { /* shuffle the arrival order */
        size_t j = rs__rng_below(&r, i + 1);
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    check_against_reference(scores, N, 10, NULL);
    check_against_reference(scores, N, 10, order);
    check_against_reference(scores, N, 250, order);
    free(scores);
    free(order);
}
END_TEST

START_TEST(nan_and_infinities)
{
    const float scores[] = {NAN, INFINITY, -INFINITY, 0.0f, NAN, -0.0f, 1.0f};
    uint32_t index[7];
    float score[7];
    rs_topk top;
    check_against_reference(scores, 7, 7, NULL);
    check_against_reference(scores, 7, 3, NULL);
    rs__topk_init(&top, 7, index, score);
    for (uint32_t i = 0; i < 7; i++)
        rs__topk_push(&top, i, scores[i]);
    ck_assert_uint_eq(rs__topk_finish(&top), 5); /* the two NaNs are dropped */
    ck_assert_uint_eq(index[0], 1);
    ck_assert_uint_eq(index[4], 2);
}
END_TEST

START_TEST(threshold_and_merge)
{
    uint32_t ia[3], ib[3], ic[6];
    float sa[3], sb[3], sc[6];
    rs_topk a, b, c;
    rs__topk_init(&a, 3, ia, sa);
    rs__topk_init(&b, 3, ib, sb);
    ck_assert(isinf(rs__topk_threshold(&a)) && rs__topk_threshold(&a) < 0);
    for (uint32_t i = 0; i < 10; i++)
        rs__topk_push(i % 2 ? &a : &b, i, (float)i);
    ck_assert_float_eq(rs__topk_threshold(&a), 5.0f); /* a kept 9, 7, 5 */
    ck_assert_float_eq(rs__topk_threshold(&b), 4.0f); /* b kept 8, 6, 4 */
    rs__topk_init(&c, 6, ic, sc);
    rs__topk_merge(&c, &a);
    rs__topk_merge(&c, &b);
    ck_assert_uint_eq(rs__topk_finish(&c), 6);
    for (uint32_t i = 0; i < 6; i++)
        ck_assert_uint_eq(ic[i], 9 - i);
    rs__topk_init(&c, 0, ic, sc);
    ck_assert(isinf(rs__topk_threshold(&c)) && rs__topk_threshold(&c) > 0);
    rs__topk_push(&c, 1, 1.0f);
    ck_assert_uint_eq(rs__topk_finish(&c), 0);
}
END_TEST


/* The popularity ranking: descending, equal scores in index order (what
 * an insertion sort that moves only past strictly smaller scores gives). */
START_TEST(rank_descending_is_stable)
{
    enum { N = 300 };
    double score[N];
    uint32_t order[N], tmp[N], want[N];
    uint64_t x = 7;
    score[0] = 5;
    rs__rank_descending(score, 0, order, tmp); /* nothing to do */
    rs__rank_descending(score, 1, order, tmp);
    ck_assert_uint_eq(order[0], 0);
    for (size_t n = 2; n <= N; n += 37) {
        for (size_t i = 0; i < n; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            score[i] = (double)((x >> 33) % 9); /* many ties */
        }
        for (size_t i = 0; i < n; i++) {
            size_t j = i;
            while (j > 0 && score[want[j - 1]] < score[i]) {
                want[j] = want[j - 1];
                j--;
            }
            want[j] = (uint32_t)i;
        }
        rs__rank_descending(score, n, order, tmp);
        for (size_t i = 0; i < n; i++)
            ck_assert_uint_eq(order[i], want[i]);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("core_topk");
    TCase *tc = tcase_create("topk");
    tcase_add_test(tc, random_scores_match_sort);
    tcase_add_test(tc, ties_go_to_lower_index_whatever_the_order);
    tcase_add_test(tc, nan_and_infinities);
    tcase_add_test(tc, threshold_and_merge);
    tcase_add_test(tc, rank_descending_is_stable);
    suite_add_tcase(s, tc);
    return s;
}
