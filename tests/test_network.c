/* test_network.c -- adders against closed forms, the 2x2 network (docs/models/vo2x.md A10), circuit inference. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vo2snn/infer.h"
#include "vo2snn/network.h"
#include "vo2snn/train.h"

enum { N = 2001 };
static float se[N], si[N], v1[N], v2[N];

/* Constant inputs: an ideal adder gives B + E - I exactly; finite gain divides by 1 + NG/A0. */
static void test_adder_static(void)
{
    for (int i = 0; i < N; i++) se[i] = 2.0f, si[i] = 0.5f;
    vs_opamp ideal = vs_opamp_ideal(), real = vs_opamp_default();
    vs_adder a = {.ng1 = 5, .ng2 = 4, .bias_v = 3.0, .tau_syn_s = 0};
    vs_adder_run(&ideal, &a, se, si, N, 1e-9, v1, v2);
    CHECK_NEAR((double)v1[N - 1], -2.0, 0, 1e-6);
    CHECK_NEAR((double)v2[N - 1], 3.0 + 2.0 - 0.5, 0, 1e-6);
    vs_adder_run(&real, &a, se, si, N, 1e-9, v1, v2);
    double k1 = 1 / (1 + 5 / 2e5), k2 = 1 / (1 + 4 / 2e5);
    CHECK_NEAR((double)v2[N - 1], -k2 * (-k1 * 2.0 + 0.5 - 3.0), 1e-6, 0);
    /* the rails clip */
    for (int i = 0; i < N; i++) se[i] = 40.0f;
    vs_adder_run(&ideal, &a, se, si, N, 1e-9, v1, v2);
    CHECK_NEAR((double)v2[N - 1], 13.5, 0, 1e-6);
    a.rail_out_v = 12.0;
    vs_adder_run(&ideal, &a, se, si, N, 1e-9, v1, v2);
    CHECK_NEAR((double)v2[N - 1], 12.0, 0, 1e-6);
}

/* R_f || C_f low-pass: a step settles as 1 - exp(-t/tau) (two cascaded stages: (1 + t/tau) e^(-t/tau)). */
static void test_adder_lowpass(void)
{
    for (int i = 0; i < N; i++) se[i] = i == 0 ? 0.0f : 1.0f, si[i] = 0.0f;
    vs_opamp ideal = vs_opamp_ideal();
    vs_adder a = {.ng1 = 2, .ng2 = 3, .bias_v = 0.0, .tau_syn_s = 200e-9};
    vs_adder_run(&ideal, &a, se, si, N, 1e-9, v1, v2);
    for (int i = 100; i < N; i += 150) {
        double t = i * 1e-9 - 0.5e-9, x = t / 200e-9;   /* the step ramps over the first sample */
        CHECK_NEAR((double)v1[i], -(1 - exp(-x)), 0, 3e-3);
        CHECK_NEAR((double)v2[i], 1 - (1 + x) * exp(-x), 0, 3e-3);
    }
}

/* Slew limit: a large step moves the non-ideal output at 20 V/us at most. */
static void test_adder_slew(void)
{
    for (int i = 0; i < N; i++) se[i] = i < 10 ? 0.0f : 1.0f, si[i] = 0.0f;
    vs_opamp real = vs_opamp_default();
    vs_adder a = {.ng1 = 11, .ng2 = 3, .bias_v = 0.0, .tau_syn_s = 0};
    /* stage 1 gain 10 -> -10 V step; 20 V/us is 0.02 V/ns */
    for (int i = 0; i < N; i++) se[i] *= 10.0f;
    vs_adder_run(&real, &a, se, si, N, 1e-9, v1, v2);
    for (int i = 11; i < N; i++) CHECK((double)fabsf(v1[i] - v1[i - 1]) <= 0.02 * 1.0001);
    CHECK_NEAR((double)v1[N - 1], -10.0 / (1 + 11 / 2e5), 1e-4, 0);
}

/* docs/models/vo2x.md A10: 2x2 network rates over [30, 330) us, ideal and non-ideal op-amps. */
static void test_a10_net2x2(void)
{
    const double expect_khz[4] = {100.0, 100.0, 106.7, 76.7};
    vs_device_params dev;
    vs_device_preset(1, &dev);
    vs_circuit c = vs_circuit_default();
    vs_net2x2_params p = vs_net2x2_default();
    vs_sim_opts so = vs_sim_opts_default();
    for (int ideal = 1; ideal >= 0; ideal--) {
        vs_opamp op = ideal ? vs_opamp_ideal() : vs_opamp_default();
        vs_net2x2_result r;
        CHECK(vs_net2x2_simulate(&dev, &c, &op, &p, &so, NULL, &r) == VS_OK);
        double rate[4];
        for (int k = 0; k < 4; k++) {
            rate[k] = (double)vs_count_spikes(&r.neuron[k], 30e-6, 330e-6) / 300e-6 / 1e3;
            CHECK_NEAR(rate[k], expect_khz[k], 0, 3.4);
        }
        CHECK(rate[2] > rate[0] && rate[0] == rate[1] && rate[1] > rate[3]);
        CHECK_NEAR(r.v_in_mean_v[0], 10.22, 0, 0.15);
        CHECK_NEAR(r.v_in_mean_v[1], 8.78, 0, 0.15);
        CHECK(r.v_in_max_v[0] <= 13.5 + 1e-6);
        CHECK(r.e_opamp_j[0] > 0);
        vs_net2x2_result_free(&r);
    }
}

/* Source energy of a trace, integrated here by the trapezoid rule from the sampled input
   and node voltages: P = V_in (V_in - V)/R_s. */
typedef struct {
    double r_s, e, t_prev, p_prev;
    int started;
} source_energy;

static int add_source_power(const vs_sample *s, void *user)
{
    source_energy *a = user;
    double p = s->v_in_v * (s->v_in_v - s->v_osc_v) / a->r_s;
    if (a->started) a->e += 0.5 * (p + a->p_prev) * (s->t_s - a->t_prev);
    a->started = 1, a->t_prev = s->t_s, a->p_prev = p;
    return 0;
}

/* The input layer's energy for one image, independently of the library's quadrature: every
   pixel's neuron run again at dc vs_pixel_voltage() for the window (tight tolerances, a 1 ns
   trace) and V_in I_source integrated from its trace; a grey level is simulated once. */
static double input_energy_from_traces(const vs_transfer *t, const vs_device_params *dev,
                                       const vs_circuit *c, const uint8_t *image, int n_px, double window_s)
{
    double e_level[256];
    for (int lv = 0; lv < 256; lv++) e_level[lv] = -1;
    double total = 0;
    for (int j = 0; j < n_px; j++) {
        int lv = image[j];
        if (e_level[lv] < 0) {
            vs_sim_opts so = vs_sim_opts_default();
            so.t_end_s = window_s;
            so.dt_out_s = 1e-9;
            source_energy acc = {.r_s = c->r_series_ohm};
            vs_input in = vs_input_dc(vs_pixel_voltage(t, lv));
            vs_neuron_result r;
            if (vs_neuron_simulate(dev, c, &in, &so, add_source_power, &acc, &r) != VS_OK) acc.e = NAN;
            vs_neuron_result_free(&r);
            e_level[lv] = acc.e;
        }
        total += e_level[lv];
    }
    return total;
}

/* A short training run deployed on circuits: the spiking network follows the rate model. */
static void test_inference(void)
{
    const char *dir = check_mnist_dir();
    vs_dataset train, test;
    if (vs_dataset_load(dir, "train", &train) != VS_OK || vs_dataset_load(dir, "t10k", &test) != VS_OK) {
        CHECK_FAIL_MSG("cannot load MNIST from %s: %s", dir, vs_last_error());
        return;
    }
    vs_device_params dev;
    vs_device_preset(1, &dev);
    vs_circuit c = vs_circuit_default();
    vs_transfer_opts to = vs_transfer_opts_default();
    vs_transfer t;
    CHECK(vs_transfer_build(&dev, &c, &to, NULL, &t) == VS_OK);
    vs_mlp_config cfg = vs_mlp_config_for(&t);
    vs_rng rng;
    vs_rng_seed(&rng, 3, 0);
    vs_train_opts o = {.batch = 64, .seed = 3, .shift_px = 1, .n_limit = 8000};
    vs_epoch_metrics em;
    float enc[256];
    vs_mlp_encode_table(enc, &t);
    vs_mlp *m = vs_mlp_new(&cfg, &t, 256, &rng);
    for (int e = 0; e < 2; e++) CHECK(vs_train_epoch(m, &train, enc, &o, e, NULL, NULL, &em) == VS_OK);
    enum { IMAGES = 40 };
    uint8_t rate_pred[IMAGES];
    double acc;
    CHECK(vs_evaluate(m, &test, IMAGES, enc, 256, &acc, NULL, rate_pred) == VS_OK);

    vs_infer_opts io = vs_infer_opts_default();
    vs_infer_net *net = NULL;
    CHECK(vs_infer_net_new(m, &t, &dev, &c, &io, &net) == VS_OK);
    vs_infer_work *w = vs_infer_work_new(net);
    int agree = 0, correct = 0;
    vs_spike_list lists[3] = {{0}, {0}, {0}};
    for (int i = 0; i < IMAGES && net && w; i++) {
        vs_infer_result r = {0};
        if (i == 0)
            for (int l = 0; l < 3; l++) r.record[l] = &lists[l];
        CHECK(vs_infer_image(net, w, test.images + (size_t)i * 784, &r) == VS_OK);
        agree += r.predicted == rate_pred[i];
        correct += r.predicted == test.labels[i];
        vs_infer_energy e = r.energy;
        CHECK(e.input_j > 0 && e.hidden_j > 0 && e.output_j > 0 && e.synapse_j > 0);
        if (i == 0) {
            /* the input layer's energy against the same neurons' traces integrated here */
            CHECK_NEAR(e.input_j, input_energy_from_traces(&t, &dev, &c, test.images, 784, io.window_s), 0.01, 0);
            CHECK(lists[2].n == (size_t)(r.counts[0] + r.counts[1] + r.counts[2] + r.counts[3] + r.counts[4] +
                                         r.counts[5] + r.counts[6] + r.counts[7] + r.counts[8] + r.counts[9]));
            CHECK((long)lists[1].n == r.spikes[1] && (long)lists[0].n == r.spikes[0]);
            for (size_t k = 0; k < lists[2].n; k++) CHECK(lists[2].t_s[k] >= 0 && lists[2].t_s[k] <= 50e-6f);
            /* the same image again: identical */
            vs_infer_result r2 = {0};
            CHECK(vs_infer_image(net, w, test.images, &r2) == VS_OK);
            CHECK(memcmp(r2.counts, r.counts, sizeof r.counts) == 0 && r2.energy.total_j == r.energy.total_j);
        }
    }
    if (!(agree >= IMAGES * 9 / 10)) CHECK_FAIL_MSG("spiking and rate model agree on %d of %d images", agree, IMAGES);
    CHECK(correct >= IMAGES * 8 / 10);
    for (int l = 0; l < 3; l++) vs_spike_list_free(&lists[l]);
    vs_infer_work_free(w);
    vs_infer_net_free(net);
    vs_mlp_free(m);
    vs_transfer_free(&t);
    vs_dataset_free(&train);
    vs_dataset_free(&test);
}

int main(void)
{
    RUN(test_adder_static);
    RUN(test_adder_lowpass);
    RUN(test_adder_slew);
    RUN(test_a10_net2x2);
    RUN(test_inference);
    return CHECK_DONE();
}
