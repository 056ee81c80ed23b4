/*
 * alloc.h - allocation with overflow-checked sizes and failures reported
 * through rs__fail(RS_ERR_NOMEM / RS_ERR_OVERFLOW).
 *
 * Every size that comes from a count times an element size goes through
 * rs__mul_size() or rs__alloc_array(), never a bare multiplication.
 */
#ifndef RS_CORE_ALLOC_H
#define RS_CORE_ALLOC_H

#include <stddef.h>

/* Alignment of item matrices: one cache line, and AVX-512 loads. */
#define RS_ALIGNMENT 64

/* *out = a * b; returns 0, or RS_ERR_OVERFLOW (with a message) on overflow. */
int rs__mul_size(size_t a, size_t b, size_t *out);

/* *out = a + b; returns 0, or RS_ERR_OVERFLOW (with a message) on overflow. */
int rs__add_size(size_t a, size_t b, size_t *out);

/* malloc/calloc/realloc that record RS_ERR_NOMEM on failure.  size 0 is
 * served as 1 byte so that a NULL return always means failure. */
void *rs__malloc(size_t size);
void *rs__calloc(size_t count, size_t size);
void *rs__realloc(void *ptr, size_t size);

/* count * size bytes, overflow-checked; NULL with RS_ERR_OVERFLOW/NOMEM. */
void *rs__alloc_array(size_t count, size_t size);
void *rs__realloc_array(void *ptr, size_t count, size_t size);

/* Memory aligned to `alignment` (a power of two, >= sizeof(void *)),
 * released with rs__aligned_free(). */
void *rs__aligned_alloc(size_t alignment, size_t size);
void rs__aligned_free(void *ptr);

/*
 * Memory for a large buffer that searches stream through (an item matrix):
 * from RS_SCAN_HUGE_MIN bytes up it starts on a 2 MiB boundary and is marked
 * for transparent huge pages (Linux's madvise(MADV_HUGEPAGE); a hint that
 * may be ignored), below that it is rs__aligned_alloc(RS_ALIGNMENT).  With
 * 4 KiB pages a scan of 256 MB takes 65,536 TLB misses, each a page walk
 * that under a hypervisor is two-dimensional: measured on a KVM guest,
 * 17 % of the CPU time of one query over 1M x 64 and 30 % over 100k x 128.
 * Released with rs__aligned_free().
 */
#define RS_HUGE_PAGE ((size_t)2 << 20)
#define RS_SCAN_HUGE_MIN ((size_t)4 << 20)
void *rs__scan_alloc(size_t size);

/* A copy of s (or of its first len bytes, then NUL) in malloc'd memory. */
char *rs__strdup(const char *s);
char *rs__strndup(const char *s, size_t len);

/*
 * Grow *buf (of *capacity elements of elem_size bytes) so that it holds at
 * least `needed` elements, doubling.  Returns 0 or a negative status; on
 * failure *buf and *capacity are unchanged.
 */
int rs__grow(void **buf, size_t *capacity, size_t needed, size_t elem_size);

/*
 * Tests only: make the n-th rs__ allocation from now fail (in any thread),
 * once; 0 turns the injection off.
 */
void rs__alloc_fail_after(long n);

/* Tests only: the countdown left (0 once the failure fired, or when off);
 * after rs__alloc_fail_after(LONG_MAX) the difference counts allocations. */
long rs__alloc_fail_left(void);

/* Tests only: consume one step of the countdown, as every rs__ allocation
 * does; 1 when this is the allocation to fail.  For a test's wrappers of
 * other allocators (SQLite's), so that one count covers them all. */
int rs__alloc_injected_failure(void);

#endif
