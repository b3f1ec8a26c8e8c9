/* test_chip.c -- a trained network on a chip (infer.h with variation.h): the per-neuron input
   path against the shared-level one, zero variation against plain inference, chips
   reproducible for a seed and any thread count, E-series resistors. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "infer_fixture.h"
#include "vo2snn/infer.h"
#include "vo2snn/train.h"
#include "vo2snn/threads.h"
#include "vo2snn/variation.h"

enum { FIRST = 0, IMAGES = 6 };


static vs_infer_opts base_opts(void)
{
    vs_infer_opts io = vs_infer_opts_default();
    io.window_s = 20e-6;
    return io;
}

/* IMAGES images through a net built with io, in parallel (threads as set). */
static vs_status run(const vs_infer_opts *io, vs_infer_result *res)
{
    vs_infer_net *net;
    vs_status st = vs_infer_net_new(mlp, &tf, &dev, &circ, io, &net);
    if (st != VS_OK) return st;
    st = vs_infer_dataset_range(net, &test_set, FIRST, IMAGES, res, NULL, NULL);
    vs_infer_net_free(net);
    return st;
}

static int same_results(const vs_infer_result *a, const vs_infer_result *b, double e_rtol)
{
    int same = 1;
    for (int i = 0; i < IMAGES; i++) {
        same &= a[i].predicted == b[i].predicted && memcmp(a[i].counts, b[i].counts, sizeof a[i].counts) == 0 &&
                memcmp(a[i].spikes, b[i].spikes, sizeof a[i].spikes) == 0;
        same &= fabs(a[i].energy.total_j - b[i].energy.total_j) <= e_rtol * fabs(b[i].energy.total_j);
    }
    return same;
}

/* Simulating every lit input neuron on its own gives what one waveform per grey level gives:
   the same spikes in every layer and class; energies to 1e-4 (the adders' float sums are
   summed per pixel instead of per grey level). */
static void test_per_neuron_twin(void)
{
    static vs_infer_result a[IMAGES], b[IMAGES];
    vs_infer_opts io = base_opts();
    CHECK(run(&io, a) == VS_OK);
    io.per_neuron_inputs = 1;
    CHECK(run(&io, b) == VS_OK);
    CHECK(same_results(a, b, 1e-4));   /* the float sums of the adders add up in another order */
}

/* Zero sigmas, exact resistors: the chip is the nominal network, whatever the chip index. */
static void test_zero_variation(void)
{
    static vs_infer_result a[IMAGES], b[IMAGES];
    vs_infer_opts io = base_opts();
    CHECK(run(&io, a) == VS_OK);
    vs_d2d v;
    CHECK(vs_d2d_parse(dev.model, "r_ins0=0,t_c=0K", &v) == VS_OK);
    io.d2d = &v, io.chip = 7;
    CHECK(run(&io, b) == VS_OK);
    CHECK(same_results(a, b, 0));
}

/* D2D chips: the same chip twice and with 1 or 2 threads is identical; another chip differs. */
static void test_chips_reproducible(void)
{
    static vs_infer_result a[IMAGES], b[IMAGES], c[IMAGES];
    vs_d2d v;
    CHECK(vs_d2d_parse(dev.model, "r_ins0=10%,t_c=2K", &v) == VS_OK);
    vs_infer_opts io = base_opts();
    io.d2d = &v, io.chip = 1;
    vs_threads_set(1, NULL, 0);
    CHECK(run(&io, a) == VS_OK);
    vs_threads_set(2, NULL, 0);
    CHECK(run(&io, b) == VS_OK);
    CHECK(same_results(a, b, 0));
    io.chip = 2;
    CHECK(run(&io, c) == VS_OK);
    int differ = 0;
    for (int i = 0; i < IMAGES; i++) differ |= a[i].energy.total_j != c[i].energy.total_j;
    CHECK(differ);
}

/* E24: every realised resistor R_f/g is an E24 value, within half a series step of R_f/|w/s_peak|. */
static void test_e_series(void)
{
    vs_infer_opts io = base_opts();
    io.e_series = 24;   /* r_tolerance 0: the nominal values */
    vs_infer_net *net;
    CHECK(vs_infer_net_new(mlp, &tf, &dev, &circ, &io, &net) == VS_OK);
    double rf = io.opamp.r_feedback_ohm;
    for (int layer = 0; layer < 2; layer++) {
        const float *gi, *ge = vs_infer_net_gains(net, layer, &gi);
        const float *w = vs_mlp_weights(mlp, layer);
        size_t n = layer == 0 ? 16 * 784 : 10 * 16;
        for (size_t i = 0; i < n; i++) {
            double g = (double)ge[i] - (double)gi[i], ideal = (double)w[i] / tf.s_peak_v;
            if (ideal == 0) continue;
            double r = rf / fabs(g), r_ideal = rf / fabs(ideal);
            CHECK_NEAR(vs_eseries_round(24, r), r, 1e-6, 0);                 /* an E24 value (float gain) */
            double m = vs_eseries_round(24, r_ideal), up, lo;   /* the members around r_ideal */
            if (m >= r_ideal) up = m, lo = vs_eseries_round(24, m / pow(10.0, 1.0 / 24));
            else lo = m, up = m * vs_eseries_step(24, m);
            CHECK(lo <= r_ideal * (1 + 1e-12) && r_ideal <= up * (1 + 1e-12));
            CHECK(fabs(log(r / r_ideal)) <= 0.5 * log(up / lo) + 1e-6);   /* within half a step */
            CHECK((g > 0) == (ideal > 0));
        }
    }
    vs_infer_net_free(net);
}

int main(void)
{
    if (infer_fixture_load(16) != 0) {
        printf("FAIL setup: %s\n", vs_last_error());
        return 1;
    }
    RUN(test_per_neuron_twin);
    RUN(test_zero_variation);
    RUN(test_chips_reproducible);
    RUN(test_e_series);
    return CHECK_DONE();
}
