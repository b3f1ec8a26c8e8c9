/*
 * python_overhead.c -- the C side of bench/python_overhead.sh: the library calls that
 * vo2snn.osc(device=1, v_in=12.5, t_end=1e-3) makes, timed from C, so the script can
 * compare the Python binding's wall time with the library's own.
 *
 * Mirrors python/vo2snn/__init__.py osc(): paper device 1 (vs_device_model_preset,
 * validated), 3 kOhm / 1.8 nF / 50 Ohm, dc 12.5 V, DP54 rtol 1e-6, h_max 100 ns, window
 * [0.3 t_end, t_end], a trace every t_end/20000 copied into a growing array of samples
 * (trace mode; the binding does the same in a Python callback) or none (notrace), the spike
 * arrays copied out, the result freed. Prints the median wall time of REPS runs (after one
 * warm-up) in seconds, and the frequency as a check.
 *     python_overhead trace|notrace REPS
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vo2snn/vo2snn.h"

typedef struct trace_buf {
    vs_sample *a;
    size_t n, cap;
} trace_buf;

static int on_sample(const vs_sample *s, void *user)
{
    trace_buf *b = user;
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 1024;
        vs_sample *a = realloc(b->a, cap * sizeof *a);
        if (!a) return 1;
        b->a = a, b->cap = cap;
    }
    b->a[b->n++] = *s;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One call as the binding makes it; returns the frequency, or -1 on failure. */
static double one_osc(int trace)
{
    const double t_end = 1e-3;
    vs_device_params dev;
    if (vs_device_model_preset(NULL, 1, &dev) != VS_OK || vs_device_validate(&dev) != VS_OK) return -1;
    vs_circuit c = {3e3, 1.8e-9, 50.0};
    if (vs_circuit_validate(&c) != VS_OK) return -1;
    vs_input in = vs_input_dc(12.5);
    vs_sim_opts o = vs_sim_opts_default();
    o.method = VS_ODE_DP54;
    o.rtol = 1e-6, o.h_max_s = 100e-9, o.dt_s = 1e-9;
    o.t_end_s = t_end, o.t_window0_s = 0.3 * t_end, o.t_window1_s = t_end;
    o.dt_out_s = t_end / 20000.0;
    o.seed = 1;
    trace_buf b = {0};
    if (trace) {   /* the binding preallocates the expected number of samples too */
        b.cap = (size_t)(t_end / o.dt_out_s) + 2;
        b.a = malloc(b.cap * sizeof *b.a);
    }
    vs_neuron_result r;
    if (vs_neuron_simulate(&dev, &c, &in, &o, trace ? on_sample : NULL, &b, &r) != VS_OK) {
        fprintf(stderr, "python_overhead: %s\n", vs_last_error());
        free(b.a);
        return -1;
    }
    double *t = malloc((r.n_spikes ? r.n_spikes : 1) * sizeof *t);
    signed char *sg = malloc(r.n_spikes ? r.n_spikes : 1);
    if (t && sg && r.n_spikes) {
        memcpy(t, r.spike_t_s, r.n_spikes * sizeof *t);
        memcpy(sg, r.spike_sign, r.n_spikes);
    }
    double f = r.freq_hz;
    vs_neuron_result_free(&r);
    free(t), free(sg), free(b.a);
    return f;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "trace") && strcmp(argv[1], "notrace"))) {
        fprintf(stderr, "usage: python_overhead trace|notrace REPS\n");
        return 2;
    }
    int trace = strcmp(argv[1], "trace") == 0, reps = atoi(argv[2]);
    if (reps < 1 || reps > 1000) reps = 7;
    double *w = malloc((size_t)reps * sizeof *w), f = one_osc(trace);   /* warm-up */
    if (!w || f < 0) return 1;
    for (int i = 0; i < reps; i++) {
        double t0 = now_s();
        f = one_osc(trace);
        w[i] = now_s() - t0;
        if (f < 0) return 1;
    }
    qsort(w, (size_t)reps, sizeof *w, cmp);
    printf("%.9g %.10g\n", reps % 2 ? w[reps / 2] : 0.5 * (w[reps / 2 - 1] + w[reps / 2]), f);
    free(w);
    return 0;
}
