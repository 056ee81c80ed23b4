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

/* The raw bijection: out = Philox4x32-10(counter, key). */
void rs__philox4x32(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

/* Position a generator at draw 0 of (seed, stream, entity, step). */
void rs__rng_init(rs_rng *rng, uint64_t seed, uint32_t stream, uint64_t entity,
                  uint64_t step);

uint32_t rs__rng_u32(rs_rng *rng);
uint64_t rs__rng_u64(rs_rng *rng);

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
