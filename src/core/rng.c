/*
 * rng.c - Philox4x32-10 and the distributions drawn from it.
 */
#include "core/rng.h"
#include "core/error.h"

#include <math.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u
#define PHILOX_ROUNDS 10

void rs__philox4x32(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < PHILOX_ROUNDS; round++) {
        uint64_t p0 = (uint64_t)PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t)PHILOX_M1 * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n1 = (uint32_t)p1;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        uint32_t n3 = (uint32_t)p0;
        c0 = n0;
        c1 = n1;
        c2 = n2;
        c3 = n3;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

uint64_t rs__mix64(uint64_t x)
{
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

uint64_t rs__splitmix64(uint64_t *state)
{
    return rs__mix64(*state += RS_GOLDEN64);
}

/* One SplitMix64 step from x: spreads (seed, stream) over the whole key. */
static uint64_t mix64(uint64_t x)
{
    return rs__mix64(x + RS_GOLDEN64);
}

double rs__box_muller(double u1, double u2, double *sine_out)
{
    double radius = sqrt(-2.0 * log(u1));
    double angle = 6.283185307179586476925 * u2;
    if (sine_out)
        *sine_out = radius * sin(angle);
    return radius * cos(angle);
}

double rs__splitmix64_normal(uint64_t *state)
{
    double u1, u2;
    do
        u1 = (double)(rs__splitmix64(state) >> 11) * 0x1.0p-53;
    while (u1 <= 0.0);
    u2 = (double)(rs__splitmix64(state) >> 11) * 0x1.0p-53;
    return rs__box_muller(u1, u2, NULL);
}

void rs__rng_init(rs_rng *rng, uint64_t seed, uint32_t stream, uint64_t entity,
                  uint64_t step)
{
    uint64_t key = mix64(seed ^ mix64(((uint64_t)stream << 32) | (step >> 32)));
    rng->key[0] = (uint32_t)key;
    rng->key[1] = (uint32_t)(key >> 32);
    rng->counter[0] = 0;
    rng->counter[1] = (uint32_t)step;
    rng->counter[2] = (uint32_t)entity;
    rng->counter[3] = (uint32_t)(entity >> 32);
    rng->available = 0;
    rng->has_spare_normal = false;
    rng->spare_normal = 0.0;
}

uint32_t rs__rng_u32(rs_rng *rng)
{
    if (rng->available == 0) {
        rs__philox4x32(rng->counter, rng->key, rng->block);
        rng->counter[0]++;
        rng->available = 4;
    }
    return rng->block[4 - rng->available--];
}

void rs__rng_skip_u32(rs_rng *rng, uint64_t n)
{
    uint64_t take = n < rng->available ? n : rng->available;
    rng->available -= (unsigned)take;
    n -= take;
    if (n == 0)
        return;
    /* the blocks the n words span: the last one made only when words of it
     * are left (the counter's first word wraps, as one increment at a time) */
    uint64_t blocks = (n + 3) / 4;
    unsigned left = (unsigned)(4 * blocks - n);
    rng->counter[0] += (uint32_t)(blocks - 1);
    if (left)
        rs__philox4x32(rng->counter, rng->key, rng->block);
    rng->counter[0]++;
    rng->available = left;
}

uint64_t rs__rng_u64(rs_rng *rng)
{
    uint64_t high = rs__rng_u32(rng);
    return (high << 32) | rs__rng_u32(rng);
}

double rs__rng_uniform(rs_rng *rng)
{
    return (double)(rs__rng_u64(rng) >> 11) * 0x1.0p-53;
}

uint64_t rs__rng_below(rs_rng *rng, uint64_t bound)
{
    /* Rejection of the top partial range keeps every value equally likely. */
    uint64_t limit;
    uint64_t x;
    if (bound <= 1)
        return 0;
    limit = UINT64_MAX - UINT64_MAX % bound;
    do
        x = rs__rng_u64(rng);
    while (x >= limit);
    return x % bound;
}

double rs__rng_normal(rs_rng *rng)
{
    double u1, u2;
    if (rng->has_spare_normal) {
        rng->has_spare_normal = false;
        return rng->spare_normal;
    }
    /* u1 in (0, 1] so that log(u1) is finite. */
    u1 = (double)((rs__rng_u64(rng) >> 11) + 1) * 0x1.0p-53;
    u2 = rs__rng_uniform(rng);
    rng->has_spare_normal = true;
    return rs__box_muller(u1, u2, &rng->spare_normal);
}

double rs__rng_exponential(rs_rng *rng)
{
    double u = (double)((rs__rng_u64(rng) >> 11) + 1) * 0x1.0p-53;
    return -log(u);
}

int rs__rng_categorical(rs_rng *rng, const double *weights, size_t n, size_t *index_out)
{
    double total = 0.0, target, running = 0.0;
    size_t last_positive = n;
    if (!weights || !index_out || n == 0)
        return rs__fail(RS_ERR_INVALID, "categorical draw needs a non-empty weight array");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(weights[i]) || weights[i] < 0.0)
            return rs__fail(RS_ERR_RANGE, "categorical weight %zu is %g (must be finite, >= 0)",
                            i, weights[i]);
        if (weights[i] > 0.0)
            last_positive = i;
        total += weights[i];
    }
    if (!(total > 0.0) || !isfinite(total))
        return rs__fail(RS_ERR_RANGE, "categorical weights sum to %g (must be positive, finite)",
                        total);
    target = rs__rng_uniform(rng) * total;
    for (size_t i = 0; i < n; i++) {
        running += weights[i];
        if (target < running && weights[i] > 0.0) {
            *index_out = i;
            return 0;
        }
    }
    /* Rounding can leave target == total: the last positive weight owns it. */
    *index_out = last_positive;
    return 0;
}
