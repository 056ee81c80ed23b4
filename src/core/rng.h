/*
 * rng.h - the seeded counter-based random generator behind every draw.
 *
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
 * 3", SC 2011).  A draw is a pure function of (seed, stream, entity, step,
 * draw number), so results do not depend on thread count or on the order in
 * which entities are processed, and two runs that share a seed (e.g. two
 * policies in a simulation) see the same random numbers.
 *
 * The key is derived from (seed, stream, high 32 bits of step); the 128-bit
 * counter is (draw number, low 32 bits of step, entity).  An rs_rng value is
 * a small cursor over that sequence; copy it freely.
 */
#ifndef RS_CORE_RNG_H
#define RS_CORE_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rs_rng {
    uint32_t key[2];
    uint32_t counter[4];
    uint32_t block[4];    /* the current Philox output */
    unsigned available;   /* words of block not yet used */
    bool has_spare_normal;
    double spare_normal;
} rs_rng;

/* The golden-ratio increment of SplitMix64 (2^64 / phi, odd). */
#define RS_GOLDEN64 0x9E3779B97F4A7C15ull

/* SplitMix64's finaliser (Steele, Lea and Flood, OOPSLA 2014): a bijection of
 * 64 bits in which every input bit reaches every output bit.  The one copy:
 * key derivation here, the hashing embedder's projections. */
uint64_t rs__mix64(uint64_t x);

/* One SplitMix64 step: *state += RS_GOLDEN64, then the finaliser of it. */
uint64_t rs__splitmix64(uint64_t *state);

/* Box-Muller: a standard normal from u1 in (0, 1] and u2 in [0, 1), the
 * cosine of the pair; the sine into *sine_out unless it is NULL. */
double rs__box_muller(double u1, double u2, double *sine_out);

/* A standard normal from a SplitMix64 stream (uniforms of 53 bits, u1 drawn
 * again while 0; no spare kept): the simulator's mirrored-user noise, which
 * keeps this stream so that its results stay what they were. */
double rs__splitmix64_normal(uint64_t *state);

/* The raw bijection: out = Philox4x32-10(counter, key). */
void rs__philox4x32(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

/* Position a generator at draw 0 of (seed, stream, entity, step). */
void rs__rng_init(rs_rng *rng, uint64_t seed, uint32_t stream, uint64_t entity,
                  uint64_t step);

uint32_t rs__rng_u32(rs_rng *rng);
uint64_t rs__rng_u64(rs_rng *rng);

/* Advance as rs__rng_u32 called n times would (the spare normal kept), in
 * O(1): a draw that is thrown away costs nothing (the simulator's mirrored
 * users, whose generated interests are replaced). */
void rs__rng_skip_u32(rs_rng *rng, uint64_t n);

/* Uniform in [0, 1) with 53 random bits. */
double rs__rng_uniform(rs_rng *rng);

/* Uniform integer in [0, bound), bound >= 1, without modulo bias. */
uint64_t rs__rng_below(rs_rng *rng, uint64_t bound);

/* Standard normal (Box-Muller; the second value of a pair is kept). */
double rs__rng_normal(rs_rng *rng);

/* Exponential with rate 1. */
double rs__rng_exponential(rs_rng *rng);

/*
 * Draw index i with probability weights[i] / sum(weights).  Weights must be
 * finite and >= 0 with a positive sum; otherwise returns RS_ERR_RANGE (with
 * the offending index in the message).  *index_out gets the draw.
 */
int rs__rng_categorical(rs_rng *rng, const double *weights, size_t n, size_t *index_out);

#endif
