/*
 * train.h -- mini-batch training and evaluation of the rate-coded network on an
 * image data set (MNIST layout), plus the versioned checkpoint format.
 *
 * Epoch e visits the training images in a permutation drawn from an RNG seeded by
 * (seed, e), so an epoch's order depends only on the seed and the epoch number:
 * training 2 epochs, or 1 epoch and then resuming for 1 more, gives the same
 * weights. Results are bit-identical for any thread count: every reduction has a
 * fixed order (mlp.h), and augmentation draws from the one epoch stream.
 *
 * Checkpoint file (little-endian), written atomically (temp file + rename):
 *   "VO2SNNCK"  u32 version (2)  u32 header bytes  header  payload  u32 crc32
 *   header: the network config; the device (its model's name and every row of its
 *   parameter table as key and value, provenance, name); the circuit; everything that
 *   determines the transfer function (grid, classification, integrator method,
 *   tolerances, steps and seed), so the same transfer function is rebuilt; epoch,
 *   optimiser step count, seed, batch size, and the per-epoch metrics so far;
 *   payload: parameters, then the two optimiser moment blocks (f32).
 *   crc32 (zlib) covers every byte before it.
 * Version 1 files (the vo2x parameters in a fixed order, no integrator settings) still
 * load: the integrator settings are then the defaults they were built with.
 */
#ifndef VO2SNN_TRAIN_H
#define VO2SNN_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "vo2snn/idx.h"
#include "vo2snn/mlp.h"
#include "vo2snn/neuron.h"
#include "vo2snn/transfer.h"

#define VS_MAX_EPOCHS 1000

typedef struct vs_epoch_metrics {
    double loss;        /* mean training loss over the epoch */
    double train_acc;   /* running accuracy over the epoch's mini-batches */
    double test_acc;
    double seconds;     /* wall time of the training part */
} vs_epoch_metrics;

/* Called after each mini-batch; return non-zero to stop (the epoch then fails). */
typedef int (*vs_batch_fn)(long done, long total, void *user);

typedef struct vs_train_opts {
    int batch;          /* mini-batch size (<= the network's max_batch) */
    uint64_t seed;      /* epoch permutations and augmentation */
    int shift_px;       /* augmentation: random shift of each image by up to +-shift_px pixels (0 = off) */
    size_t n_limit;     /* use the first n_limit training images (0 = all) */
    /* noise-aware training (chiprate.h vs_chip_sample): called before every mini-batch, with
       the batch's index counted over the epochs, to put a fresh chip on m (vs_mlp_set_chip);
       returns each input neuron's encoding (n_in, 256), or NULL for enc. NULL: no chips.
       The network is back on its shared curves after the epoch. */
    const float *(*chip)(void *user, vs_mlp *m, long batch);
    void *chip_user;
} vs_train_opts;

/*
 * One epoch in the permutation of (seed, epoch); with shift_px > 0 each image is
 * translated by a random (dx, dy) drawn from (seed, epoch, position), zero-filled.
 * enc is the 256-entry pixel encoding. Fills loss and train_acc. VS_ERHS if the
 * loss becomes NaN or infinite (the parameters are then poisoned and must not be
 * saved).
 */
vs_status vs_train_epoch(vs_mlp *m, const vs_dataset *d, const float enc[256],
                         const vs_train_opts *o, int epoch, vs_batch_fn progress, void *user,
                         vs_epoch_metrics *out);

/*
 * Accuracy over the first n_limit images (all if 0). confusion (K x K, row = true
 * label, column = predicted), if non-NULL, is filled (zeroed first). pred, if
 * non-NULL, receives each image's predicted class.
 */
vs_status vs_evaluate(vs_mlp *m, const vs_dataset *d, size_t n_limit, const float enc[256],
                      int batch, double *accuracy, uint32_t *confusion, uint8_t *pred);

/* Cosine learning-rate schedule: base * (1 + cos(pi epoch / total)) / 2 for epoch 0..total-1. */
double vs_lr_cosine(double base, int epoch, int total);

/* Output rates of one image (sizes[L] values) into out. */
void vs_output_rates(vs_mlp *m, const uint8_t *image, const float enc[256], float *out);

/* Everything a checkpoint describes besides the arrays. */
typedef struct vs_checkpoint_info {
    vs_mlp_config cfg;
    vs_device_params device;
    vs_circuit circuit;
    vs_transfer_opts transfer;
    int epoch;             /* epochs completed */
    long steps;            /* optimiser steps taken */
    uint64_t seed;
    int batch;
    int epochs_planned;    /* total epochs of the run (the learning-rate schedule spans them) */
    int shift_px;          /* augmentation */
    int cosine;            /* 1: cosine learning-rate schedule, 0: constant */
    vs_epoch_metrics history[VS_MAX_EPOCHS];   /* first `epoch` entries valid */
} vs_checkpoint_info;

vs_status vs_checkpoint_save(const char *path, const vs_checkpoint_info *info, vs_mlp *m);

#define VS_CHECKPOINT_MAX_BYTES ((long long)2 << 30)   /* larger files are refused unread */
#define VS_CHECKPOINT_MAX_BATCH 65536

/*
 * Read a checkpoint: info, then a new network (freed by the caller) built on t.
 * Refuses, before reading, a directory, anything but a regular file, or a file over
 * VS_CHECKPOINT_MAX_BYTES; then checks the frame and crc, and judges every stored value:
 * the network settings (vs_mlp_config_validate), device, circuit and transfer-function
 * settings, the history, finite weights and moments, second moments >= 0. Every error
 * message names the file (VS_EIO unreadable, VS_EFORMAT malformed); on failure *info is
 * untouched and *out is not set.
 */
vs_status vs_checkpoint_load_info(const char *path, vs_checkpoint_info *info);
vs_status vs_checkpoint_load(const char *path, const vs_transfer *t, int max_batch,
                             vs_checkpoint_info *info, vs_mlp **out);

#endif
