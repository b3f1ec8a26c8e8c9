/*
 * train_fixture.h -- what the training tests share: both MNIST splits and device 1's
 * transfer function (default circuit and options), loaded once by train_fixture_load().
 */
#ifndef VO2SNN_TEST_TRAIN_FIXTURE_H
#define VO2SNN_TEST_TRAIN_FIXTURE_H
#include <stdio.h>

#include "check.h"
#include "vo2snn/train.h"

static vs_dataset train_set, test_set;
static vs_transfer tf;
static float enc[256]; /* tf's input encoding, per grey level */

/* Load the data and build the transfer function (cached in cache_dir); 0, or -1 after
   printing "FAIL setup: why". */
static int train_fixture_load(const char *cache_dir)
{
    if (vs_dataset_load(check_mnist_dir(), "train", &train_set) != VS_OK ||
        vs_dataset_load(check_mnist_dir(), "t10k", &test_set) != VS_OK) {
        printf("FAIL setup: %s\n", vs_last_error());
        return -1;
    }
    vs_device_params p;
    vs_device_preset(1, &p);
    vs_circuit c = vs_circuit_default();
    vs_transfer_opts o = vs_transfer_opts_default();
    if (vs_transfer_build(&p, &c, &o, cache_dir, &tf) != VS_OK) {
        printf("FAIL setup: %s\n", vs_last_error());
        return -1;
    }
    vs_mlp_encode_table(enc, &tf);
    return 0;
}

#endif
