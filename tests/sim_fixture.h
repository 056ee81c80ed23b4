/*
 * sim_fixture.h - a small synthetic catalogue and simple policies for the
 * simulator suites.
 */
#ifndef RS_SIM_FIXTURE_H
#define RS_SIM_FIXTURE_H

#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define FX_ITEMS 200
#define FX_DIM 8
#define FX_CATS 5

static float fx_items[FX_ITEMS * FX_DIM];
static uint32_t fx_cats[FX_ITEMS];

static uint64_t fx_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static void fx_init(void)
{
    for (size_t i = 0; i < FX_ITEMS * FX_DIM; i++)
        fx_items[i] = (float)((double)(fx_mix(i + 1) >> 11) / 9007199254740992.0 * 2.0 - 1.0);
    for (size_t i = 0; i < FX_ITEMS; i++)
        fx_cats[i] = (uint32_t)(i % FX_CATS);
}

static rs_sim *fx_sim(size_t n_users, uint64_t seed)
{
    fx_init();
    rs_sim *s = NULL;
    ck_assert_ok(rs_sim_create(fx_items, FX_ITEMS, FX_DIM, fx_cats, FX_CATS, n_users, seed, &s));
    return s;
}

/* A policy drawing distinct-ish pseudo-random items from (user, step, salt). */
static int fx_random_policy(void *ctx, uint32_t user, uint64_t step, size_t k, uint32_t *out)
{
    uint64_t salt = ctx ? *(const uint64_t *)ctx : 0;
    for (size_t j = 0; j < k; j++)
        out[j] = (uint32_t)(fx_mix(salt * 1000003ULL + user * 7919ULL + step * 104729ULL + j) %
                            FX_ITEMS);
    return 0;
}

#endif
