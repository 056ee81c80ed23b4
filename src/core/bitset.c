/*
 * bitset.c - the non-inline bit set helpers.
 */
#include "core/bitset.h"

size_t rs__bitset_count(const uint64_t *bits, size_t n)
{
    size_t count = 0, full = n / 64;
    for (size_t w = 0; w < full; w++)
        count += (size_t)__builtin_popcountll(bits[w]);
    if (n % 64)
        count += (size_t)__builtin_popcountll(bits[full] & (((uint64_t)1 << (n % 64)) - 1));
    return count;
}
