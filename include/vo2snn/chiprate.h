/*
 * chiprate.h -- the rate model of a trained network on one chip (variation.h): every neuron
 * with the transfer function of its own device, for Monte Carlo runs far larger than the
 * circuit simulator can afford.
 *
 * A transfer bank holds, for each D2D term, the transfer functions of the device with that
 * parameter at `nodes` values spread over +-n_sigma sigma (in ln p for a log-normal term).
 * A neuron drawn on a chip (vs_d2d_draw: the same streams, so the same chip as the circuit
 * simulation's) takes the node nearest to its parameter; with several terms, its rate and
 * signal tables are the nominal ones plus each term's change at its node (clipped at 0 Hz).
 *
 * The network then runs as on the chip: input neuron j at pixel p gives s_j(V(p)) (V(p) the
 * trained transfer's pixel voltage), each adder sums its inputs with the trained gains
 * w / s_peak (s_peak of the trained transfer), a hidden neuron passes s_k(u) on, and the class
 * is the output neuron with the highest rate f_k(u); s and f are the neuron's own curves
 * (odd, clipped at the rails as in training). With no variation it is the trained rate model.
 *
 * Units: SI. Errors: VS_EINVAL, VS_ENOMEM, or the transfer builder's.
 */
#ifndef VO2SNN_CHIPRATE_H
#define VO2SNN_CHIPRATE_H

#include <stdint.h>

#include "vo2snn/idx.h"
#include "vo2snn/mlp.h"
#include "vo2snn/transfer.h"
#include "vo2snn/variation.h"

typedef struct vs_transfer_bank {
    vs_d2d d2d;                /* the terms banked (sigmas as built) */
    int nodes;                 /* per term, odd: the middle one is the nominal value */
    double n_sigma;
    double *theta;             /* (terms, nodes) parameter values */
    vs_transfer *t;            /* (terms, nodes) their transfer functions */
} vs_transfer_bank;

/* Transfer functions of dev in circuit c (options o, cache cache_dir as vs_transfer_build)
   for every term of v at `nodes` (odd, >= 3) values over +-n_sigma sigma. progress may be
   NULL. */
vs_status vs_transfer_bank_build(const vs_device_params *dev, const vs_circuit *c, const vs_transfer_opts *o,
                                 const vs_d2d *v, int nodes, double n_sigma, const char *cache_dir,
                                 int (*progress)(long done, long total, void *user), void *user,
                                 vs_transfer_bank *out);
void vs_transfer_bank_free(vs_transfer_bank *b);

/*
 * Accuracy of trained network m (trained through `trained`) on chip `chip` of seed with the
 * D2D draws of v (its terms must be those of bank, sigmas at most the bank's), on images
 * 0..n-1 of d. pred (may be NULL) receives each image's class. Images run in parallel;
 * the result does not depend on the thread count.
 */
vs_status vs_chip_rate_eval(vs_mlp *m, const vs_transfer *trained, const vs_transfer_bank *bank,
                            const vs_d2d *v, const vs_device_params *dev, uint64_t seed, int chip,
                            const vs_dataset *d, size_t n, double *accuracy, uint8_t *pred);

/*
 * Noise-aware training: a sampler that puts a fresh chip -- each neuron's transfer function
 * from the bank, drawn from v on chip `batch` of seed -- on m before every mini-batch. Pass
 * vs_chip_sample as vs_train_opts.chip and the sampler as chip_user; after the epoch,
 * vs_chip_sampler_status says whether every chip could be drawn (a failed draw leaves the
 * batch on the shared curves).
 */
typedef struct vs_chip_sampler vs_chip_sampler;
vs_status vs_chip_sampler_new(vs_mlp *m, const vs_transfer *trained, const vs_transfer_bank *bank, const vs_d2d *v,
                              const vs_device_params *dev, uint64_t seed, vs_chip_sampler **out);
const float *vs_chip_sample(void *sampler, vs_mlp *m, long batch);
vs_status vs_chip_sampler_status(const vs_chip_sampler *s);
void vs_chip_sampler_free(vs_chip_sampler *s);

#endif
