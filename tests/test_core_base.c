/*
 * test_core_base.c - versions, status names, the thread-local error message,
 * allocation, threads, CPU features and UTF-8/key checks.
 */
#include "testutil.h"

#include "core/alloc.h"
#include "core/cpu.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/utf8.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

START_TEST(version_matches_header)
{
    char expected[32];
    ck_assert_uint_eq(rs_version(), RS_VERSION_NUMBER);
    snprintf(expected, sizeof expected, "%d.%d.%d", RS_VERSION_MAJOR, RS_VERSION_MINOR,
             RS_VERSION_PATCH);
    ck_assert_str_eq(rs_version_string(), expected);
    ck_assert_str_eq(rs_version_string(), RS_VERSION_STRING);
}
END_TEST

START_TEST(strerror_names_every_status)
{
    ck_assert_str_eq(rs_strerror(RS_OK), "success");
    ck_assert_str_eq(rs_strerror(RS_ERR_CORRUPT), "corrupt or foreign file");
    ck_assert_str_eq(rs_strerror(RS_ERR_INTERNAL), "internal error");
    for (int s = -(RS_STATUS_COUNT - 1); s <= RS_OK; s++)
        ck_assert_str_ne(rs_strerror(s), "unknown status");
    ck_assert_str_eq(rs_strerror(1), "unknown status");
    ck_assert_str_eq(rs_strerror(RS_ERR_INTERNAL - 1), "unknown status");
    ck_assert_str_eq(rs_strerror(INT32_MIN), "unknown status");
}
END_TEST

START_TEST(errmsg_is_formatted_and_sticky)
{
    rs_clear_error();
    ck_assert_str_eq(rs_errmsg(), "");
    ck_assert_int_eq(rs_errcode(), RS_OK);
    ck_assert_int_eq(rs__fail(RS_ERR_DIM, "vector has %d dimensions, store has %d", 3, 64),
                     RS_ERR_DIM);
    ck_assert_str_eq(rs_errmsg(), "vector has 3 dimensions, store has 64");
    ck_assert_int_eq(rs_errcode(), RS_ERR_DIM);
    /* a successful call does not clear it */
    ck_assert_uint_eq(rs_version(), RS_VERSION_NUMBER);
    ck_assert_int_eq(rs_errcode(), RS_ERR_DIM);
    ck_assert_int_eq(rs__fail_context("loading %s: ", "items.tsv"), RS_ERR_DIM);
    ck_assert_str_eq(rs_errmsg(), "loading items.tsv: vector has 3 dimensions, store has 64");
    /* a non-negative status is a bug in the caller: reported as internal */
    ck_assert_int_eq(rs__fail(0, "oops"), RS_ERR_INTERNAL);
    rs_clear_error();
    ck_assert_str_eq(rs_errmsg(), "");
}
END_TEST

START_TEST(error_state_save_and_restore)
{
    rs_error_state saved;
    rs__fail(RS_ERR_DIM, "the caller's failure");
    rs__error_save(&saved);
    rs__fail(RS_ERR_NOTFOUND, "an expected probe miss");
    rs__error_restore(&saved);
    ck_assert_int_eq(rs_errcode(), RS_ERR_DIM);
    ck_assert_str_eq(rs_errmsg(), "the caller's failure");
}
END_TEST

START_TEST(errmsg_truncates_long_messages)
{
    char big[4 * RS_ERRMSG_MAX];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rs__fail(RS_ERR_PARSE, "%s", big);
    ck_assert_uint_eq(strlen(rs_errmsg()), RS_ERRMSG_MAX - 1);
    ck_assert_str_eq(rs_errmsg() + RS_ERRMSG_MAX - 4, "...");
}
END_TEST

static void *fail_in_thread(void *arg)
{
    (void)arg;
    rs__fail(RS_ERR_IO, "thread message");
    return NULL;
}

START_TEST(errmsg_is_thread_local)
{
    pthread_t thread;
    rs__fail(RS_ERR_RANGE, "main message");
    ck_assert_int_eq(pthread_create(&thread, NULL, fail_in_thread, NULL), 0);
    ck_assert_int_eq(pthread_join(thread, NULL), 0);
    ck_assert_str_eq(rs_errmsg(), "main message");
    ck_assert_int_eq(rs_errcode(), RS_ERR_RANGE);
}
END_TEST

START_TEST(size_arithmetic_detects_overflow)
{
    size_t out = 7;
    ck_assert_int_eq(rs__mul_size(SIZE_MAX / 2 + 1, 2, &out), RS_ERR_OVERFLOW);
    ck_assert_uint_eq(out, 7);
    ck_assert_int_eq(rs__mul_size(SIZE_MAX, 0, &out), 0);
    ck_assert_uint_eq(out, 0);
    ck_assert_int_eq(rs__add_size(SIZE_MAX, 1, &out), RS_ERR_OVERFLOW);
    ck_assert_int_eq(rs__add_size(40, 2, &out), 0);
    ck_assert_uint_eq(out, 42);
    ck_assert_ptr_null(rs__alloc_array(SIZE_MAX / 4, 8));
    ck_assert_int_eq(rs_errcode(), RS_ERR_OVERFLOW);
    ck_assert_ptr_null(rs__calloc(SIZE_MAX / 2, 3));
    ck_assert_int_eq(rs_errcode(), RS_ERR_OVERFLOW);
}
END_TEST

START_TEST(huge_allocation_fails_cleanly)
{
    /* More than any machine has, but no overflow: NOMEM, not a crash. */
    void *p = rs__malloc(SIZE_MAX / 2);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(rs_errcode(), RS_ERR_NOMEM);
}
END_TEST

START_TEST(aligned_allocation)
{
    float *p = rs__aligned_alloc(RS_ALIGNMENT, 1000 * sizeof(float));
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq((uintptr_t)p % RS_ALIGNMENT, 0);
    p[999] = 1.0f;
    rs__aligned_free(p);
    ck_assert_ptr_null(rs__aligned_alloc(48, 16));
    ck_assert_int_eq(rs_errcode(), RS_ERR_INVALID);
    ck_assert_ptr_null(rs__aligned_alloc(2, 16));
    rs__aligned_free(NULL);
    rs_free(NULL);
}
END_TEST

/* A large scan buffer starts on a huge-page boundary (so that the kernel can
 * back it with 2 MiB pages), a small one is an ordinary aligned block; both
 * are writable end to end, freed with rs__aligned_free, and fail cleanly. */
START_TEST(scan_allocation)
{
    static const size_t sizes[] = {2, RS_SCAN_HUGE_MIN - 1, RS_SCAN_HUGE_MIN,
                                   RS_SCAN_HUGE_MIN + 12345};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = rs__scan_alloc(sizes[i]);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % RS_ALIGNMENT, 0);
        if (sizes[i] >= RS_SCAN_HUGE_MIN)
            ck_assert_uint_eq((uintptr_t)p % RS_HUGE_PAGE, 0);
        p[0] = 1;
        p[sizes[i] - 1] = 2;
        ck_assert_uint_eq(p[0] + p[sizes[i] - 1], 3);
        rs__aligned_free(p);
    }
    for (int big = 0; big < 2; big++) {
        rs__alloc_fail_after(1);
        ck_assert_ptr_null(rs__scan_alloc(big ? RS_SCAN_HUGE_MIN : 64));
        ck_assert_int_eq(rs_errcode(), RS_ERR_NOMEM);
    }
    rs__alloc_fail_after(0);
    ck_assert_ptr_null(rs__scan_alloc(SIZE_MAX / 2));
    ck_assert_int_eq(rs_errcode(), RS_ERR_NOMEM);
}
END_TEST

START_TEST(grow_doubles_and_keeps_contents)
{
    int *buf = NULL;
    size_t capacity = 0;
    ck_assert_int_eq(rs__grow((void **)&buf, &capacity, 3, sizeof *buf), 0);
    ck_assert_uint_ge(capacity, 3);
    buf[0] = 11;
    buf[2] = 13;
    ck_assert_int_eq(rs__grow((void **)&buf, &capacity, 1000, sizeof *buf), 0);
    ck_assert_uint_ge(capacity, 1000);
    ck_assert_int_eq(buf[0], 11);
    ck_assert_int_eq(buf[2], 13);
    ck_assert_int_eq(rs__grow((void **)&buf, &capacity, SIZE_MAX, sizeof *buf),
                     RS_ERR_OVERFLOW);
    ck_assert_uint_ge(capacity, 1000);
    free(buf);
}
END_TEST

START_TEST(strdup_copies)
{
    char *copy = rs__strdup("cobalt");
    ck_assert_str_eq(copy, "cobalt");
    free(copy);
    copy = rs__strndup("cobalt blue", 6);
    ck_assert_str_eq(copy, "cobalt");
    free(copy);
}
END_TEST

START_TEST(thread_count_setting)
{
    int initial = rs_get_num_threads();
    ck_assert_int_ge(initial, 1);
    ck_assert_status(rs_set_num_threads(-1), RS_ERR_RANGE);
    ck_assert_errmsg_has("-1");
    ck_assert_status(rs_set_num_threads(100000), RS_ERR_RANGE);
    ck_assert_int_eq(rs_get_num_threads(), initial);
    ck_assert_ok(rs_set_num_threads(1));
    ck_assert_int_eq(rs_get_num_threads(), 1);
    ck_assert_ok(rs_set_num_threads(3));
    ck_assert_int_eq(rs_get_num_threads(), 3);
    ck_assert_ok(rs_set_num_threads(0));
    ck_assert_int_eq(rs_get_num_threads(), initial);
    ck_assert_ptr_nonnull(rs_blas_corename());
    ck_assert_uint_gt(strlen(rs_blas_corename()), 0);
}
END_TEST

struct square_ctx {
    uint64_t *out;
    size_t fail_at;
};

static int square_task(void *p, size_t task, unsigned worker)
{
    struct square_ctx *ctx = p;
    ck_assert_uint_lt(worker, (unsigned)rs_get_num_threads());
    if (task == ctx->fail_at)
        return rs__fail(RS_ERR_RANGE, "task %zu refused", task);
    ctx->out[task] = (uint64_t)task * task;
    return 0;
}

START_TEST(parallel_for_runs_every_task_once)
{
    enum { N = 10007 };
    uint64_t *out = calloc(N, sizeof *out);
    struct square_ctx ctx = {out, SIZE_MAX};
    ck_assert_ok(rs_set_num_threads(4));
    ck_assert_int_eq(rs__parallel_for(N, 0, square_task, &ctx), 0);
    for (size_t i = 0; i < N; i++)
        ck_assert_uint_eq(out[i], (uint64_t)i * i);
    ck_assert_int_eq(rs__parallel_for(0, 0, square_task, &ctx), 0);
    ck_assert_uint_eq(rs__parallel_workers(2, 0), 2);
    ck_assert_uint_eq(rs__parallel_workers(1000, 1), 1);
    ck_assert_ok(rs_set_num_threads(0));
    free(out);
}
END_TEST

START_TEST(parallel_for_reports_first_failure)
{
    enum { N = 1000 };
    uint64_t *out = calloc(N, sizeof *out);
    struct square_ctx ctx = {out, 500};
    rs_clear_error();
    ck_assert_ok(rs_set_num_threads(2));
    ck_assert_int_eq(rs__parallel_for(N, 0, square_task, &ctx), RS_ERR_RANGE);
    ck_assert_str_eq(rs_errmsg(), "task 500 refused");
    ck_assert_ok(rs_set_num_threads(0));
    free(out);
}
END_TEST

/* Every task has run, exactly once, when the loop returns -- even though
 * the loop does not wait for a worker that the scheduler started too late to
 * take a task: the context is freed right after each loop, so a late worker
 * touching it would be a use after free (caught under `make asan`). */
struct count_ctx {
    atomic_uint *ran; /* per task */
};

static int count_task(void *p, size_t task, unsigned worker)
{
    struct count_ctx *ctx = p;
    (void)worker;
    atomic_fetch_add(&ctx->ran[task], 1);
    return 0;
}

START_TEST(parallel_for_returns_after_every_task)
{
    enum { LOOPS = 2000, MAX_TASKS = 5 };
    ck_assert_ok(rs_set_num_threads(4));
    for (int i = 0; i < LOOPS; i++) {
        size_t n = 1 + (size_t)i % MAX_TASKS;
        struct count_ctx *ctx = malloc(sizeof *ctx);
        ctx->ran = calloc(n, sizeof *ctx->ran);
        ck_assert_int_eq(rs__parallel_for(n, 0, count_task, ctx), 0);
        for (size_t t = 0; t < n; t++)
            if (atomic_load(&ctx->ran[t]) != 1)
                ck_abort_msg("loop %d task %zu ran %u times", i, t, atomic_load(&ctx->ran[t]));
        free(ctx->ran);
        free(ctx);
    }
    ck_assert_ok(rs_set_num_threads(0));
}
END_TEST

START_TEST(utf8_validation)
{
    size_t bad = 0;
    const char *cjk = "\xe8\xb4\xad\xe4\xb9\xb0\xe8\x8b\xb9\xe6\x9e\x9c"; /* 购买苹果 */
    ck_assert_int_eq(rs__utf8_check("plain ascii", 11, "text", &bad), 0);
    ck_assert_int_eq(rs__utf8_check(cjk, strlen(cjk), "text", &bad), 0);
    ck_assert_int_eq(rs__utf8_check("", 0, "text", &bad), 0);
    ck_assert_int_eq(rs__utf8_check("ab\xff" "cd", 5, "text", &bad), RS_ERR_ENCODING);
    ck_assert_uint_eq(bad, 2);
    ck_assert_errmsg_has("byte 2");
    /* overlong encoding of '/', a lone surrogate, a truncated sequence */
    ck_assert_int_eq(rs__utf8_check("\xc0\xaf", 2, "t", &bad), RS_ERR_ENCODING);
    ck_assert_int_eq(rs__utf8_check("\xed\xa0\x80", 3, "t", &bad), RS_ERR_ENCODING);
    ck_assert_int_eq(rs__utf8_check("x\xe8\xb4", 3, "t", &bad), RS_ERR_ENCODING);
    ck_assert_uint_eq(bad, 1);
    /* code point above U+10FFFF */
    ck_assert_int_eq(rs__utf8_check("\xf4\x90\x80\x80", 4, "t", NULL), RS_ERR_ENCODING);
}
END_TEST

START_TEST(key_rules)
{
    char *long_key = malloc(RS_MAX_KEY_BYTES + 2);
    size_t len = 0;
    memset(long_key, 'k', RS_MAX_KEY_BYTES + 1);
    long_key[RS_MAX_KEY_BYTES + 1] = '\0';
    ck_assert_int_eq(rs__check_key(NULL, "user key", &len), RS_ERR_INVALID);
    ck_assert_errmsg_has("user key is NULL");
    ck_assert_int_eq(rs__check_key("", "item key", &len), RS_ERR_INVALID);
    ck_assert_errmsg_has("item key is empty");
    ck_assert_int_eq(rs__check_key(long_key, "item key", &len), RS_ERR_RANGE);
    long_key[RS_MAX_KEY_BYTES] = '\0';
    ck_assert_int_eq(rs__check_key(long_key, "item key", &len), 0);
    ck_assert_uint_eq(len, RS_MAX_KEY_BYTES);
    ck_assert_int_eq(rs__check_key("bad\xfe", "item key", &len), RS_ERR_ENCODING);
    ck_assert_int_eq(rs__check_key("85123A", "item key", &len), 0);
    ck_assert_uint_eq(len, 6);
    /* control characters and blank keys: refused as new keys, read back
     * from a file a library before the rule wrote */
    ck_assert_int_eq(rs__check_key("a\tb", "user key", &len), RS_ERR_INVALID);
    ck_assert_int_eq(rs__check_key("\x1b[31mred", "user key", &len), RS_ERR_INVALID);
    ck_assert_int_eq(rs__check_key("x\x7f", "user key", &len), RS_ERR_INVALID);
    ck_assert_int_eq(rs__check_key("x\xc2\x85", "user key", &len), RS_ERR_INVALID);
    ck_assert_int_eq(rs__check_key("   ", "user key", &len), RS_ERR_INVALID);
    ck_assert_int_eq(rs__check_key(" a ", "user key", &len), 0);
    ck_assert_int_eq(rs__check_key("x\xc2\xa0", "user key", &len), 0);
    ck_assert_int_eq(rs__check_stored_key("a\tb", "user key", &len), 0);
    ck_assert_int_eq(rs__check_stored_key("   ", "user key", &len), 0);
    ck_assert_int_eq(rs__check_stored_key("", "user key", &len), RS_ERR_INVALID);
    ck_assert_int_eq(rs__check_stored_key("bad\xfe", "user key", &len), RS_ERR_ENCODING);
    ck_assert_uint_eq(rs_max_key_bytes(), RS_MAX_KEY_BYTES);
    free(long_key);
}
END_TEST


/* The one detector answers what the compiler's builtins answer, the same
 * on every call; the empty set is always there. */
START_TEST(cpu_features_match_the_builtins)
{
    unsigned f = rs__cpu_features();
    ck_assert_uint_eq(rs__cpu_features(), f);
    ck_assert(rs__cpu_has(0));
    ck_assert(!rs__cpu_has(1u << 31)); /* no such feature bit */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    ck_assert(rs__cpu_has(RS_CPU_AVX2) == (__builtin_cpu_supports("avx2") != 0));
    ck_assert(rs__cpu_has(RS_CPU_FMA) == (__builtin_cpu_supports("fma") != 0));
    ck_assert(rs__cpu_has(RS_CPU_AVX512F) == (__builtin_cpu_supports("avx512f") != 0));
    ck_assert(rs__cpu_has(RS_CPU_AVX512BF16) == (__builtin_cpu_supports("avx512bf16") != 0));
    ck_assert(rs__cpu_has(RS_CPU_AVX2 | RS_CPU_FMA) ==
              (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")));
#else
    ck_assert_uint_eq(f, 0);
#endif
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("core_base");
    TCase *tc = tcase_create("base");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, version_matches_header);
    tcase_add_test(tc, strerror_names_every_status);
    tcase_add_test(tc, errmsg_is_formatted_and_sticky);
    tcase_add_test(tc, error_state_save_and_restore);
    tcase_add_test(tc, errmsg_truncates_long_messages);
    tcase_add_test(tc, errmsg_is_thread_local);
    tcase_add_test(tc, size_arithmetic_detects_overflow);
    tcase_add_test(tc, huge_allocation_fails_cleanly);
    tcase_add_test(tc, aligned_allocation);
    tcase_add_test(tc, scan_allocation);
    tcase_add_test(tc, grow_doubles_and_keeps_contents);
    tcase_add_test(tc, strdup_copies);
    tcase_add_test(tc, thread_count_setting);
    tcase_add_test(tc, parallel_for_runs_every_task_once);
    tcase_add_test(tc, parallel_for_reports_first_failure);
    tcase_add_test(tc, parallel_for_returns_after_every_task);
    tcase_add_test(tc, utf8_validation);
    tcase_add_test(tc, key_rules);
    tcase_add_test(tc, cpu_features_match_the_builtins);
    suite_add_tcase(s, tc);
    return s;
}
