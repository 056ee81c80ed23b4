/*
 * bitset.h - fixed-size bit sets over uint64_t words, the form filters take
 * (exclude sets, allow lists, attribute masks): bit i of word i / 64.
 */
#ifndef RS_CORE_BITSET_H
#define RS_CORE_BITSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Words needed for n bits. */
static inline size_t rs__bitset_words(size_t n)
{
    return n / 64 + (n % 64 != 0);
}

static inline bool rs__bitset_test(const uint64_t *bits, size_t i)
{
    return (bits[i / 64] >> (i % 64)) & 1u;
}

static inline void rs__bitset_set(uint64_t *bits, size_t i)
{
    bits[i / 64] |= (uint64_t)1 << (i % 64);
}

static inline void rs__bitset_clear(uint64_t *bits, size_t i)
{
    bits[i / 64] &= ~((uint64_t)1 << (i % 64));
}

/* Number of set bits among the first n. */
size_t rs__bitset_count(const uint64_t *bits, size_t n);

#endif
