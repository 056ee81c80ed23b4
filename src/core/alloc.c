/*
 * alloc.c - overflow-checked, failure-reporting allocation.
 */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#endif
#include "core/alloc.h"
#include "core/error.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* Allocation-failure injection for the tests: when non-zero, the allocation
 * that brings the count down to zero fails as if memory had run out. */
static atomic_long fail_countdown;

void rs__alloc_fail_after(long n)
{
    atomic_store(&fail_countdown, n > 0 ? n : 0);
}

long rs__alloc_fail_left(void)
{
    return atomic_load(&fail_countdown);
}

int rs__alloc_injected_failure(void)
{
    long left = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    while (left > 0) {
        if (atomic_compare_exchange_weak(&fail_countdown, &left, left - 1))
            return left == 1;
    }
    return 0;
}

int rs__mul_size(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b)
        return rs__fail(RS_ERR_OVERFLOW, "size %zu x %zu overflows size_t", a, b);
    *out = a * b;
    return 0;
}

int rs__add_size(size_t a, size_t b, size_t *out)
{
    if (a > SIZE_MAX - b)
        return rs__fail(RS_ERR_OVERFLOW, "size %zu + %zu overflows size_t", a, b);
    *out = a + b;
    return 0;
}

void *rs__malloc(size_t size)
{
    void *p = rs__alloc_injected_failure() ? NULL : malloc(size ? size : 1);
    if (!p)
        rs__fail(RS_ERR_NOMEM, "out of memory allocating %zu bytes", size);
    return p;
}

void *rs__calloc(size_t count, size_t size)
{
    size_t total = 0;
    void *p;
    if (rs__mul_size(count, size, &total) != 0)
        return NULL;
    p = rs__alloc_injected_failure() ? NULL : calloc(total ? count : 1, total ? size : 1);
    if (!p)
        rs__fail(RS_ERR_NOMEM, "out of memory allocating %zu x %zu bytes", count, size);
    return p;
}

void *rs__realloc(void *ptr, size_t size)
{
    void *p = rs__alloc_injected_failure() ? NULL : realloc(ptr, size ? size : 1);
    if (!p)
        rs__fail(RS_ERR_NOMEM, "out of memory reallocating to %zu bytes", size);
    return p;
}

void *rs__alloc_array(size_t count, size_t size)
{
    size_t total = 0;
    if (rs__mul_size(count, size, &total) != 0)
        return NULL;
    return rs__malloc(total);
}

void *rs__realloc_array(void *ptr, size_t count, size_t size)
{
    size_t total = 0;
    if (rs__mul_size(count, size, &total) != 0)
        return NULL;
    return rs__realloc(ptr, total);
}

void *rs__aligned_alloc(size_t alignment, size_t size)
{
    void *p = NULL;
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) {
        rs__fail(RS_ERR_INVALID, "alignment %zu is not a power of two >= %zu",
                 alignment, sizeof(void *));
        return NULL;
    }
    if (rs__alloc_injected_failure() || posix_memalign(&p, alignment, size ? size : 1) != 0) {
        rs__fail(RS_ERR_NOMEM, "out of memory allocating %zu aligned bytes", size);
        return NULL;
    }
    return p;
}

void rs__aligned_free(void *ptr)
{
    free(ptr);
}

void *rs__scan_alloc(size_t size)
{
    void *p;
    if (size < RS_SCAN_HUGE_MIN)
        return rs__aligned_alloc(RS_ALIGNMENT, size);
    p = rs__aligned_alloc(RS_HUGE_PAGE, size);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    /* Before the first touch, so that the pages are faulted in huge.  Only a
     * hint: without transparent huge pages (or with them off) it fails or
     * does nothing, and the memory is as good as posix_memalign's. */
    if (p)
        (void)madvise(p, size, MADV_HUGEPAGE);
#endif
    return p;
}

char *rs__strndup(const char *s, size_t len)
{
    size_t total = 0;
    char *copy;
    if (rs__add_size(len, 1, &total) != 0)
        return NULL;
    copy = rs__malloc(total);
    if (!copy)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *rs__strdup(const char *s)
{
    return rs__strndup(s, strlen(s));
}

int rs__grow(void **buf, size_t *capacity, size_t needed, size_t elem_size)
{
    size_t new_capacity = *capacity ? *capacity : 8;
    void *p;
    if (needed <= *capacity)
        return 0;
    while (new_capacity < needed) {
        if (new_capacity > SIZE_MAX / 2)
            return rs__fail(RS_ERR_OVERFLOW, "cannot grow a buffer to %zu elements", needed);
        new_capacity *= 2;
    }
    p = rs__realloc_array(*buf, new_capacity, elem_size);
    if (!p)
        return rs_errcode();
    *buf = p;
    *capacity = new_capacity;
    return 0;
}
