/* test_chiprate.c -- the rate model on a chip (chiprate.h): with no variation it is the trained
   rate model; the bank's middle node is the nominal transfer; chips do not depend on threads
   and differ from one another. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "infer_fixture.h"
#include "vo2snn/chiprate.h"
#include "vo2snn/threads.h"

enum { N_IMAGES = 300 };

static vs_transfer_bank bank;
static vs_d2d v;

/* The bank's middle node is the nominal device: its table is the trained transfer's. */
static void test_bank_nodes(void)
{
    CHECK(bank.nodes == 5 && bank.d2d.n == 1);
    const vs_transfer *mid = &bank.t[2];
    CHECK(mid->n == tf.n && memcmp(mid->freq_hz, tf.freq_hz, tf.n * sizeof *tf.freq_hz) == 0);
    int j = bank.d2d.param[0];
    CHECK_NEAR(bank.theta[2], dev.v[j], 1e-15, 0);
    CHECK_NEAR(bank.theta[4] / dev.v[j], exp(3 * 0.1), 1e-12, 0);   /* +3 sigma of ln r_ins0 */
}

/* No variation: the trained rate model's classes on (almost) every image. */
static void test_no_variation(void)
{
    static uint8_t p_chip[N_IMAGES], p_ref[N_IMAGES];
    vs_d2d zero = v;
    zero.sigma[0] = 0;
    double acc, acc_ref;
    CHECK(vs_chip_rate_eval(mlp, &tf, &bank, &zero, &dev, 1, 0, &test_set, N_IMAGES, &acc, p_chip) == VS_OK);
    float enc[256];
    vs_mlp_encode_table(enc, &tf);
    CHECK(vs_evaluate(mlp, &test_set, N_IMAGES, enc, 64, &acc_ref, NULL, p_ref) == VS_OK);
    int differ = 0;
    for (int i = 0; i < N_IMAGES; i++) differ += p_chip[i] != p_ref[i];
    CHECK(differ <= 1);   /* sums in another order may flip an exact tie */
    CHECK_NEAR(acc, acc_ref, 0, 1.0 / N_IMAGES + 1e-12);
}

/* A chip: the same with 1 and 2 threads; another chip classifies differently somewhere. */
static void test_chips(void)
{
    static uint8_t a[N_IMAGES], b[N_IMAGES], c[N_IMAGES];
    double acc;
    vs_threads_set(1, NULL, 0);
    CHECK(vs_chip_rate_eval(mlp, &tf, &bank, &v, &dev, 1, 3, &test_set, N_IMAGES, &acc, a) == VS_OK);
    vs_threads_set(2, NULL, 0);
    CHECK(vs_chip_rate_eval(mlp, &tf, &bank, &v, &dev, 1, 3, &test_set, N_IMAGES, &acc, b) == VS_OK);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(vs_chip_rate_eval(mlp, &tf, &bank, &v, &dev, 1, 4, &test_set, N_IMAGES, &acc, c) == VS_OK);
    CHECK(memcmp(a, c, sizeof a) != 0);
    vs_d2d other;
    CHECK(vs_d2d_parse(dev.model, "t_c=1K", &other) == VS_OK);
    CHECK(vs_chip_rate_eval(mlp, &tf, &bank, &other, &dev, 1, 3, &test_set, N_IMAGES, &acc, c) == VS_EINVAL);
}

/* One short epoch (1000 images) of m's copy, through chips of v (NULL: plain); its parameters. */
static int train_copy(const vs_d2d *vv, float *params)
{
    static vs_dataset train;
    if (!train.n && vs_dataset_load(check_mnist_dir(), "train", &train) != VS_OK) return -1;
    vs_mlp_config cfg = *vs_mlp_get_config(mlp);
    vs_rng rng;
    vs_rng_seed(&rng, 9, 0);
    vs_mlp *m = vs_mlp_new(&cfg, &tf, 64, &rng);
    float enc[256];
    vs_mlp_encode_table(enc, &tf);
    vs_chip_sampler *smp = NULL;
    if (vv && vs_chip_sampler_new(m, &tf, &bank, vv, &dev, 3, &smp) != VS_OK) return -1;
    vs_train_opts o = {.batch = 64, .seed = 2, .n_limit = 1000, .chip = smp ? vs_chip_sample : NULL, .chip_user = smp};
    vs_epoch_metrics em;
    vs_status st = vs_train_epoch(m, &train, enc, &o, 0, NULL, NULL, &em);
    memcpy(params, vs_mlp_params(m), vs_mlp_num_params(m) * sizeof *params);
    int bad = st != VS_OK || (smp && vs_chip_sampler_status(smp) != VS_OK);
    vs_chip_sampler_free(smp);
    vs_mlp_free(m);
    return bad ? -1 : 0;
}

/* Noise-aware training through chips without variation is plain training, bit for bit; with
   variation it learns something else. */
static void test_noise_aware_training(void)
{
    size_t n = vs_mlp_num_params(mlp);
    static float plain[784 * 16 + 16 + 16 * 10 + 10], chips0[sizeof plain / sizeof plain[0]], chips[sizeof plain / sizeof plain[0]];
    CHECK(n == sizeof plain / sizeof plain[0]);
    vs_d2d zero = v;
    zero.sigma[0] = 0;
    CHECK(train_copy(NULL, plain) == 0);
    CHECK(train_copy(&zero, chips0) == 0);
    CHECK(train_copy(&v, chips) == 0);
    CHECK(memcmp(plain, chips0, sizeof plain) == 0);
    CHECK(memcmp(plain, chips, sizeof plain) != 0);
}

int main(void)
{
    if (infer_fixture_load(16) != 0) {
        printf("FAIL setup: %s\n", vs_last_error());
        return 1;
    }
    vs_transfer_opts to = vs_transfer_opts_default();
    if (vs_d2d_parse(dev.model, "r_ins0=10%", &v) != VS_OK ||
        vs_transfer_bank_build(&dev, &circ, &to, &v, 5, 3.0, NULL, NULL, NULL, &bank) != VS_OK) {
        printf("FAIL setup: %s\n", vs_last_error());
        return 1;
    }
    RUN(test_bank_nodes);
    RUN(test_no_variation);
    RUN(test_chips);
    RUN(test_noise_aware_training);
    vs_transfer_bank_free(&bank);
    return CHECK_DONE();
}
