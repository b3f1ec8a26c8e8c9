/*
 * infer_fixture.h -- what the circuit-inference tests share: the MNIST test split, device 1
 * in the paper's circuit with its transfer function, and an untrained input-H-10 network
 * (its seeded initial weights), loaded once by infer_fixture_load(H).
 */
#ifndef VO2SNN_TEST_INFER_FIXTURE_H
#define VO2SNN_TEST_INFER_FIXTURE_H

#include "check.h"
#include "vo2snn/infer.h"
#include "vo2snn/train.h"

static vs_dataset test_set;
static vs_transfer tf;
static vs_device_params dev;
static vs_circuit circ;
static vs_mlp *mlp;

/* 0, or -1 (vs_last_error() says why). */
static int infer_fixture_load(int hidden)
{
    if (vs_dataset_load(check_mnist_dir(), "t10k", &test_set) != VS_OK) return -1;
    vs_device_preset(1, &dev);
    circ = vs_circuit_default();
    vs_transfer_opts to = vs_transfer_opts_default();
    if (vs_transfer_build(&dev, &circ, &to, NULL, &tf) != VS_OK) return -1;
    vs_mlp_config cfg = vs_mlp_config_for(&tf);
    cfg.sizes[1] = hidden;
    vs_rng rng;
    vs_rng_seed(&rng, 5, 0);
    return (mlp = vs_mlp_new(&cfg, &tf, 64, &rng)) ? 0 : -1;
}

#endif
