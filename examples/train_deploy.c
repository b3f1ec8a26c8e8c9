/*
 * train_deploy.c -- train the rate-coded network through device 1's transfer function
 * for one epoch on the first few thousand MNIST images, score it, then deploy it on
 * circuit neurons and two-stage adders (vs_infer) for a few test images.
 *
 *   ./train_deploy [MNIST_DIR] [N_TRAIN]        (default $VO2SNN_DATA, 3000 images)
 */
#include <stdio.h>
#include <stdlib.h>

#include <vo2snn/vo2snn.h>

static int fail(const char *what)
{
    fprintf(stderr, "train_deploy: %s: %s\n", what, vs_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    char dir[4096];
    if (vs_data_dir(argc > 1 ? argv[1] : NULL, "mnist", dir, sizeof dir) != VS_OK) return fail("data");
    size_t n_train = argc > 2 ? (size_t)atol(argv[2]) : 3000;

    vs_dataset train = {0}, test = {0};
    if (vs_dataset_load(dir, "train", &train) != VS_OK) return fail("training set");
    if (vs_dataset_load(dir, "t10k", &test) != VS_OK) return vs_dataset_free(&train), fail("test set");

    int rc = 1;
    vs_device_params dev;
    vs_circuit c = vs_circuit_default();
    vs_transfer t = {0};
    vs_mlp *m = NULL;
    vs_infer_net *net = NULL;
    vs_infer_work *w = NULL;
    vs_transfer_opts to = vs_transfer_opts_default();
    if (vs_device_preset(1, &dev) != VS_OK) { fail("device"); goto done; }
    /* the device's measured rate and signal vs input voltage (no cache directory) */
    if (vs_transfer_build(&dev, &c, &to, NULL, &t) != VS_OK) { fail("transfer function"); goto done; }
    printf("transfer: oscillates from %.2f V, peak %.1f kHz at %.2f V\n", t.v_on_v,
           t.f_peak_hz / 1e3, t.v_peak_v);

    vs_mlp_config cfg = vs_mlp_config_for(&t);
    cfg.sizes[0] = train.rows * train.cols;
    cfg.sizes[1] = 64;
    cfg.sizes[2] = 10;
    vs_rng rng;
    vs_rng_seed(&rng, 1, 0);
    const int batch = 32;
    if (!(m = vs_mlp_new(&cfg, &t, batch, &rng))) { fail("network"); goto done; }

    float enc[256];
    vs_mlp_encode_table(enc, &t);      /* pixel value -> input rate */
    vs_train_opts o = {.batch = batch, .seed = 1, .n_limit = n_train};
    vs_epoch_metrics em;
    if (vs_train_epoch(m, &train, enc, &o, 0, NULL, NULL, &em) != VS_OK) { fail("training"); goto done; }
    if (vs_evaluate(m, &test, 1000, enc, batch, &em.test_acc, NULL, NULL) != VS_OK) { fail("evaluation"); goto done; }
    printf("1 epoch on %zu images: loss %.4f, train accuracy %.1f %%, test accuracy %.1f %% (1000 images)\n",
           n_train, em.loss, 100 * em.train_acc, 100 * em.test_acc);

    /* deploy: the weights become adder gains, every neuron the device-and-circuit model */
    vs_infer_opts io = vs_infer_opts_default();
    if (vs_infer_net_new(m, &t, &dev, &c, &io, &net) != VS_OK) { fail("deploying"); goto done; }
    if (!(w = vs_infer_work_new(net))) { fail("workspace"); goto done; }
    int right = 0, shown = 5;
    for (int i = 0; i < shown; i++) {
        vs_infer_result r = {0};
        if (vs_infer_dataset_image(net, w, &test, (size_t)i, &r) != VS_OK) { fail("inference"); goto done; }
        right += r.predicted == test.labels[i];
        printf("image %d: label %d, circuit says %d (%d output spikes), %.2f uJ\n", i, test.labels[i],
               r.predicted, r.counts[r.predicted], r.energy.total_j * 1e6);
    }
    printf("circuit: %d of %d right\n", right, shown);
    rc = 0;
done:
    vs_infer_work_free(w);
    vs_infer_net_free(net);
    vs_mlp_free(m);
    vs_transfer_free(&t);
    vs_dataset_free(&test);
    vs_dataset_free(&train);
    return rc;
}
