/*
 * rng.h -- small, explicit, reproducible random numbers.
 *
 * xoshiro256** seeded through splitmix64 from (seed, stream), so every work
 * item (sweep point, cycle, thread) gets its own independent stream and
 * results do not depend on thread count or scheduling. State is a plain value
 * passed by pointer; there is no global RNG.
 */
#ifndef VO2SNN_RNG_H
#define VO2SNN_RNG_H

#include <stdint.h>

typedef struct vs_rng {
    uint64_t s[4];
    double spare;     /* cached second normal deviate */
    int has_spare;
} vs_rng;

void vs_rng_seed(vs_rng *r, uint64_t seed, uint64_t stream);
uint64_t vs_rng_u64(vs_rng *r);
double vs_rng_uniform(vs_rng *r);   /* [0, 1) with 53 random bits */
double vs_rng_normal(vs_rng *r);    /* standard normal (polar method) */

#endif
