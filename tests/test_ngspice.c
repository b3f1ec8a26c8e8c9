/*
 * test_ngspice.c -- the exported netlist, run by ngspice, agrees with vs_neuron_simulate.
 *
 * For each case: write the netlist with vs_netlist_write (wrdata on) into a temp
 * directory, run `ngspice -b` on it, read the data file, detect spikes as V(m)
 * crossing 0.5 upward (linear interpolation, re-armed below 0.1) and compare
 * with the library's own simulation of the same circuit and input. The paper's
 * 2x2 network (vs_netlist_write_2x2), with ideal and with non-ideal op-amps, is
 * compared with vs_net2x2_simulate and with A10 of docs/models/vo2x.md rates (and, non-ideal,
 * its adder output extremes (section 5)).
 * ngspice is a declared dependency: without it on PATH the tests FAIL.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ngspice_run.h"
#include "vo2snn/netlist.h"
#include "vo2snn/network.h"
#include "vo2snn/neuron.h"

static char tmp_dir[256];

/*
 * Spike times of V(m) crossing 0.5 upward (linear interpolation, re-armed below 0.1) in an
 * ngspice wrdata file of n_cols columns (time first, a header row), for each of the n_m
 * memory columns m_col[k]: t_out[k] (malloc'd), n_out[k]; and the extremes lo[k], hi[k]
 * over all rows of each of the n_x columns x_col[k] (n_x may be 0). 0 on success.
 */
static int read_spike_trains(const char *path, int n_cols, const int *m_col, int n_m,
                             double **t_out, size_t *n_out, const int *x_col, int n_x,
                             double *lo, double *hi)
{
    enum { MAX_COLS = 16, MAX_M = 4 };
    if (n_cols > MAX_COLS || n_m > MAX_M) return -1;
    for (int j = 0; j < n_x; j++) lo[j] = INFINITY, hi[j] = -INFINITY;
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[1024];
    size_t n[MAX_M] = {0}, cap[MAX_M], rows = 0;
    double *t[MAX_M] = {NULL}, m_prev[MAX_M] = {0}, t_prev = 0;
    int armed[MAX_M], ok = 0;
    for (int j = 0; j < n_m; j++) {
        cap[j] = 64, armed[j] = 1;
        if (!(t[j] = malloc(cap[j] * sizeof *t[j]))) goto done;
    }
    if (!fgets(line, sizeof line, f)) goto done; /* header: time v(...) ... */
    while (fgets(line, sizeof line, f)) {
        double col[MAX_COLS];
        char *s = line, *end;
        int k;
        for (k = 0; k < n_cols; k++, s = end) {
            col[k] = strtod(s, &end);
            if (end == s) break;
        }
        if (k < n_cols) goto done;
        double tt = col[0];
        for (int j = 0; j < n_x; j++) lo[j] = fmin(lo[j], col[x_col[j]]), hi[j] = fmax(hi[j], col[x_col[j]]);
        for (int j = 0; j < n_m; j++) {
            double m = col[m_col[j]];
            if (rows > 0 && armed[j] && m_prev[j] < 0.5 && m >= 0.5) {
                if (n[j] == cap[j]) {
                    double *g = realloc(t[j], (cap[j] *= 2) * sizeof *g);
                    if (!g) goto done;
                    t[j] = g;
                }
                t[j][n[j]++] = t_prev + (tt - t_prev) * (0.5 - m_prev[j]) / (m - m_prev[j]);
                armed[j] = 0;
            }
            if (!armed[j] && m <= 0.1) armed[j] = 1;
            m_prev[j] = m;
        }
        t_prev = tt, rows++;
    }
    ok = rows >= 10;
done:
    fclose(f);
    for (int j = 0; j < n_m; j++) {
        if (ok) t_out[j] = t[j], n_out[j] = n[j];
        else free(t[j]);
    }
    return ok ? 0 : -1;
}


/*
 * Write a netlist with write(f, ctx, wrdata path) into the temp directory as name.cir,
 * run `ngspice -b` on it and read the n_m spike trains of the memory columns m_col of its
 * n_cols-column data file into t[], n[] (malloc'd), and the extremes of the n_x columns
 * x_col into lo[], hi[]. 0 on success; the files are removed then, and kept for
 * inspection on failure.
 */
typedef vs_status (*deck_writer)(FILE *f, const void *ctx, const char *wrdata_path);

static int run_deck(const char *name, deck_writer write, const void *ctx, int n_cols,
                    const int *m_col, int n_m, double **t, size_t *n, const int *x_col, int n_x,
                    double *lo, double *hi)
{
    if (!ngspice_on_path()) {
        CHECK_FAIL_MSG("ngspice not found on PATH: it is a declared dependency "
                       "(apt-get install ngspice); cannot check %s", name);
        return -1;
    }
    char cir[512], dat[512], log[512], cmd[2048];
    snprintf(cir, sizeof cir, "%s/%s.cir", tmp_dir, name);
    snprintf(dat, sizeof dat, "%s/%s.dat", tmp_dir, name);
    snprintf(log, sizeof log, "%s/%s.log", tmp_dir, name);
    FILE *f = fopen(cir, "w");
    if (!f) {
        CHECK_FAIL_MSG("cannot create %.300s: %.100s", cir, strerror(errno));
        return -1;
    }
    vs_status s = write(f, ctx, dat);
    fclose(f);
    if (s != VS_OK) {
        CHECK_FAIL_MSG("%s: writing the netlist: %s", name, vs_last_error());
        return -1;
    }
    snprintf(cmd, sizeof cmd, "ngspice -b '%s' > '%s' 2>&1", cir, log);
    int rc = system(cmd);
    if (rc != 0 || read_spike_trains(dat, n_cols, m_col, n_m, t, n, x_col, n_x, lo, hi) != 0) {
        CHECK_FAIL_MSG("ngspice -b %.300s failed (status %d) or wrote no usable data file", cir,
                       rc);
        show_log(log);
        return -1;
    }
    remove(cir), remove(dat), remove(log);
    return 0;
}

typedef struct neuron_deck {
    const vs_device_params *dev;
    const vs_circuit *c;
    const vs_input *in;
    double t_end_s;
} neuron_deck;

static vs_status write_neuron_deck(FILE *f, const void *ctx, const char *wrdata_path)
{
    const neuron_deck *d = ctx;
    vs_netlist_opts o = vs_netlist_opts_default();
    o.t_end_s = d->t_end_s;
    o.wrdata_path = wrdata_path;
    return vs_netlist_write(f, d->dev, d->c, d->in, &o);
}

/* Export the neuron, run ngspice, return its spike times (malloc'd). 0 on success. */
static int run_ngspice(const char *name, const vs_device_params *dev, const vs_circuit *c,
                       const vs_input *in, double t_end_s, double **t, size_t *n)
{
    const neuron_deck d = {dev, c, in, t_end_s};
    const int m_col = 3; /* time v(n) v(temp) v(m) v(s) v(in) */
    return run_deck(name, write_neuron_deck, &d, 6, &m_col, 1, t, n, NULL, 0, NULL, NULL);
}

static size_t count_in(const double *t, size_t n, double t0, double t1)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += t[i] >= t0 && t[i] < t1;
    return k;
}

/* (N-1)/(t_N - t_1) over the spikes in [t0, t1]; 0 if fewer than 2. */
static double freq_in(const double *t, size_t n, double t0, double t1)
{
    size_t k = 0;
    double first = 0, last = 0;
    for (size_t i = 0; i < n; i++)
        if (t[i] >= t0 && t[i] <= t1) {
            if (k++ == 0) first = t[i];
            last = t[i];
        }
    return k >= 2 ? (double)(k - 1) / (last - first) : 0.0;
}

static void dc_case(int device, double v_in)
{
    vs_device_params dev;
    vs_circuit c = vs_circuit_default();
    vs_input in = vs_input_dc(v_in);
    CHECK(vs_device_preset(device, &dev) == VS_OK);

    vs_sim_opts so = vs_sim_opts_default();
    so.t_end_s = 200e-6, so.t_window0_s = 60e-6, so.t_window1_s = 200e-6;
    vs_neuron_result r;
    if (vs_neuron_simulate(&dev, &c, &in, &so, NULL, NULL, &r) != VS_OK) {
        CHECK_FAIL_MSG("device %d at %g V: vs_neuron_simulate: %s", device, v_in, vs_last_error());
        return;
    }
    char name[64];
    snprintf(name, sizeof name, "dc_d%d_%gV", device, v_in);
    double *t = NULL;
    size_t n = 0;
    if (run_ngspice(name, &dev, &c, &in, 200e-6, &t, &n) == 0) {
        double f_sp = freq_in(t, n, 60e-6, 200e-6);
        double rel = (r.freq_hz - f_sp) / f_sp;
        printf("  device %d, %5.2f V: vo2snn %9.4f kHz, ngspice %9.4f kHz, rel. diff %+.2e\n",
                device, v_in, r.freq_hz / 1e3, f_sp / 1e3, rel);
        CHECK(r.freq_hz > 0 && f_sp > 0);
        CHECK_NEAR(r.freq_hz, f_sp, 0.02, 0.0);
        free(t);
    }
    vs_neuron_result_free(&r);
}

static void test_dc_device1(void) { dc_case(1, 12.5), dc_case(1, 9.5); }
static void test_dc_device2(void) { dc_case(2, 12.5), dc_case(2, 9.5); }
static void test_dc_device3(void) { dc_case(3, 12.5), dc_case(3, 9.5); }
static void test_dc_device4(void) { dc_case(4, 12.5), dc_case(4, 10.0); }

/* Spike counts in [t0, t1) from vo2snn and ngspice agree within +-1. */
static void count_case(const char *name, int device, const vs_input *in, double t_end_s,
                       double t0, double t1, size_t min_expected)
{
    vs_device_params dev;
    vs_circuit c = vs_circuit_default();
    CHECK(vs_device_preset(device, &dev) == VS_OK);
    vs_sim_opts so = vs_sim_opts_default();
    so.t_end_s = t_end_s;
    vs_neuron_result r;
    if (vs_neuron_simulate(&dev, &c, in, &so, NULL, NULL, &r) != VS_OK) {
        CHECK_FAIL_MSG("%s: vs_neuron_simulate: %s", name, vs_last_error());
        return;
    }
    double *t = NULL;
    size_t n = 0;
    if (run_ngspice(name, &dev, &c, in, t_end_s, &t, &n) == 0) {
        size_t k_vs = count_in(r.spike_t_s, r.n_spikes, t0, t1), k_sp = count_in(t, n, t0, t1);
        printf("  %s: spikes in [%g, %g) us: vo2snn %zu, ngspice %zu\n", name, t0 * 1e6,
                t1 * 1e6, k_vs, k_sp);
        CHECK(k_vs >= min_expected);
        CHECK_NEAR((double)k_vs, (double)k_sp, 0.0, 1.0);
        free(t);
    }
    vs_neuron_result_free(&r);
}

/* docs/models/vo2x.md section 4 / A8: device 1, 0/15 V, 4 us period, 2 us width: 12 spikes in [50, 200) us. */
static void test_pulse_train(void)
{
    vs_input in = vs_input_pulse(0.0, 15.0, 4e-6, 2e-6, 0.0);
    count_case("pulse_d1_15V", 1, &in, 200e-6, 50e-6, 200e-6, 10);
}

/* The other input kinds export equivalently (short runs). */
static void test_square_pulse(void)
{
    vs_input in = vs_input_square(0.0, 12.5, 2e-6, 100e-6); /* docs/models/vo2x.md A4: 14 spikes */
    count_case("square_d1", 1, &in, 120e-6, 0.0, 120e-6, 13);
}

static void test_sine(void)
{
    vs_input in = vs_input_sine(0.0, 13.0, 100e-6, 5e-6); /* spikes on both half-cycles */
    count_case("sine_d2", 2, &in, 105e-6, 0.0, 105e-6, 4);
}

static void test_pwl(void)
{
    const double t[] = {0, 10e-6, 40e-6, 60e-6, 80e-6};
    const double v[] = {0, 0, 12.5, 12.5, 5.0}; /* ramp up, hold, ramp down */
    vs_input in;
    CHECK(vs_input_pwl(t, v, 5, &in) == VS_OK);
    count_case("pwl_d3", 3, &in, 100e-6, 0.0, 100e-6, 5);
    vs_input_free(&in);
}

typedef struct net_deck {
    const vs_device_params *dev;
    const vs_circuit *c;
    const vs_opamp *op;
    const vs_net2x2_params *p;
} net_deck;

static vs_status write_net_deck(FILE *f, const void *ctx, const char *wrdata_path)
{
    const net_deck *d = ctx;
    vs_netlist_opts o = vs_netlist_opts_default(); /* max step 5 ns */
    o.wrdata_path = wrdata_path;
    return vs_netlist_write_2x2(f, d->dev, d->c, d->op, d->p, &o);
}

/*
 * docs/models/vo2x.md section 5 / A10: the 2x2 network of device 1 (9.5 V drive, B = 9.5 V, w = 5) with op-amp
 * op. Rates over [30, 330) us, count / 300 us: ngspice within 5 % of vs_net2x2_simulate
 * (same op-amp) for every neuron, the ordering v(2,1) > v(1,1) = v(1,2) > v(2,2) strict
 * in ngspice, and ngspice within +-3.4 kHz (one spike) of 100.0, 100.0, 106.7, 76.7 kHz.
 * Non-ideal: the ngspice adder output of (2,1) peaks at 13.0 V and that of (2,2) dips to
 * 6.0 V (docs/models/vo2x.md section 5), each +-0.3 V.
 */
static void net2x2_case(const char *name, const vs_opamp *op)
{
    vs_device_params dev;
    vs_circuit c = vs_circuit_default();
    vs_net2x2_params p = vs_net2x2_default();
    vs_sim_opts so = vs_sim_opts_default();
    CHECK(vs_device_preset(1, &dev) == VS_OK);
    const double t0 = 30e-6, t1 = 330e-6, spec_khz[4] = {100.0, 100.0, 106.7, 76.7};
    static const char *const label[4] = {"(1,1)", "(1,2)", "(2,1)", "(2,2)"};
    CHECK_NEAR(p.t_end_s, t1, 1e-12, 0.0);

    vs_net2x2_result r;
    if (vs_net2x2_simulate(&dev, &c, op, &p, &so, NULL, &r) != VS_OK) {
        CHECK_FAIL_MSG("%s: vs_net2x2_simulate: %s", name, vs_last_error());
        return;
    }
    const net_deck d = {&dev, &c, op, &p};
    /* time v(m11) v(m12) v(m21) v(m22) [v(in21) v(in22) when non-ideal] */
    const int m_col[4] = {1, 2, 3, 4}, x_col[2] = {5, 6};
    const int n_x = op->ideal ? 0 : 2;
    double *t[4] = {NULL}, lo[2] = {0}, hi[2] = {0};
    size_t n[4] = {0};
    if (run_deck(name, write_net_deck, &d, 5 + n_x, m_col, 4, t, n, x_col, n_x, lo, hi) == 0) {
        double f_vs[4], f_sp[4];
        printf("  2x2 network, device 1, %s op-amps, rates over [30, 330) us:\n"
               "    neuron   vo2snn kHz   ngspice kHz   spec kHz\n",
               op->ideal ? "ideal" : "non-ideal");
        for (int k = 0; k < 4; k++) {
            f_vs[k] = (double)vs_count_spikes(&r.neuron[k], t0, t1) / (t1 - t0);
            f_sp[k] = (double)count_in(t[k], n[k], t0, t1) / (t1 - t0);
            printf("    %-6s %11.1f %13.1f %10.1f\n", label[k], f_vs[k] / 1e3, f_sp[k] / 1e3,
                   spec_khz[k]);
        }
        for (int k = 0; k < 4; k++) {
            CHECK(f_vs[k] > 0 && f_sp[k] > 0);
            CHECK_NEAR(f_sp[k], f_vs[k], 0.05, 0.0);
            CHECK_NEAR(f_sp[k] / 1e3, spec_khz[k], 0.0, 3.4);
        }
        CHECK(f_sp[2] > f_sp[0] && f_sp[0] == f_sp[1] && f_sp[1] > f_sp[3]);
        if (!op->ideal) {
            printf("    adder output       vo2snn V   ngspice V     spec V\n"
                   "    (2,1) max      %11.2f %11.2f %10.1f\n"
                   "    (2,2) min      %11.2f %11.2f %10.1f\n",
                   r.v_in_max_v[0], hi[0], 13.0, r.v_in_min_v[1], lo[1], 6.0);
            CHECK_NEAR(hi[0], 13.0, 0.0, 0.3);
            CHECK_NEAR(lo[1], 6.0, 0.0, 0.3);
        }
        for (int k = 0; k < 4; k++) free(t[k]);
    }
    vs_net2x2_result_free(&r);
}

static void test_net2x2(void)
{
    const vs_opamp op = vs_opamp_ideal();
    net2x2_case("net2x2_d1", &op);
}

static void test_net2x2_nonideal(void)
{
    const vs_opamp op = vs_opamp_default();
    net2x2_case("net2x2_nonideal_d1", &op);
}

static void test_validation(void)
{
    vs_device_params dev;
    vs_circuit c = vs_circuit_default();
    vs_input in = vs_input_dc(12.5);
    vs_netlist_opts o = vs_netlist_opts_default();
    CHECK(vs_device_preset(1, &dev) == VS_OK);
    FILE *f = tmpfile();
    if (!f) return;
    CHECK(vs_netlist_write(f, &dev, &c, &in, &o) == VS_OK);
    vs_device_params bad = dev;
    bad.v[vs_model_param_index(bad.model, "g_th")] = -1;   /* bypassing vs_device_set_value */
    CHECK(vs_netlist_write(f, &bad, &c, &in, &o) == VS_EINVAL);
    vs_circuit badc = c;
    badc.c_f = 0;
    CHECK(vs_netlist_write(f, &dev, &badc, &in, &o) == VS_EINVAL);
    vs_input badin = vs_input_pulse(0, 15, 4e-6, 5e-6, 0); /* width > period */
    CHECK(vs_netlist_write(f, &dev, &c, &badin, &o) == VS_EINVAL);
    vs_netlist_opts bado = o;
    bado.tau_m_s = 0;
    CHECK(vs_netlist_write(f, &dev, &c, &in, &bado) == VS_EINVAL);
    bado = o;
    bado.wrdata_path = "has space.dat";
    CHECK(vs_netlist_write(f, &dev, &c, &in, &bado) == VS_EINVAL);

    vs_net2x2_params p = vs_net2x2_default();
    const vs_opamp ideal = vs_opamp_ideal(), nonideal = vs_opamp_default();
    CHECK(vs_netlist_write_2x2(f, &dev, &c, &ideal, &p, &o) == VS_OK);
    CHECK(vs_netlist_write_2x2(f, &dev, &c, NULL, &p, &o) == VS_OK); /* NULL: ideal */
    CHECK(vs_netlist_write_2x2(f, &dev, &c, &nonideal, &p, &o) == VS_OK);
    vs_opamp badop = nonideal;
    badop.a0 = 0;
    CHECK(vs_netlist_write_2x2(f, &dev, &c, &badop, &p, &o) == VS_EINVAL);
    badop = nonideal, badop.gbw_hz = -1;
    CHECK(vs_netlist_write_2x2(f, &dev, &c, &badop, &p, &o) == VS_EINVAL);
    badop = nonideal, badop.slew_v_per_s = NAN;
    CHECK(vs_netlist_write_2x2(f, &dev, &c, &badop, &p, &o) == VS_EINVAL);
    badop = ideal, badop.rail_v = 0;
    CHECK(vs_netlist_write_2x2(f, &dev, &c, &badop, &p, &o) == VS_EINVAL);
    badop = nonideal, badop.slew_v_per_s = 0; /* no slew limit: allowed */
    CHECK(vs_netlist_write_2x2(f, &dev, &c, &badop, &p, &o) == VS_OK);
    CHECK(vs_netlist_write_2x2(f, &bad, &c, &ideal, &p, &o) == VS_EINVAL);
    CHECK(vs_netlist_write_2x2(f, &dev, &badc, &ideal, &p, &o) == VS_EINVAL);
    bado = o;
    bado.tau_m_s = 0;
    CHECK(vs_netlist_write_2x2(f, &dev, &c, &ideal, &p, &bado) == VS_EINVAL);
    bado = o;
    bado.t_max_step_s = 1e-3; /* beyond p.t_end_s */
    CHECK(vs_netlist_write_2x2(f, &dev, &c, &ideal, &p, &bado) == VS_EINVAL);
    vs_net2x2_params badp = p;
    badp.weight = -1;
    CHECK(vs_netlist_write_2x2(f, &dev, &c, &ideal, &badp, &o) == VS_EINVAL);
    badp = p, badp.bias_v = NAN;
    CHECK(vs_netlist_write_2x2(f, &dev, &c, &ideal, &badp, &o) == VS_EINVAL);
    badp = p, badp.v_drive_v = INFINITY;
    CHECK(vs_netlist_write_2x2(f, &dev, &c, &ideal, &badp, &o) == VS_EINVAL);
    badp = p, badp.t_end_s = 0;
    CHECK(vs_netlist_write_2x2(f, &dev, &c, &ideal, &badp, &o) == VS_EINVAL);
    badp = p, badp.tau_syn_s = 1e-6;
    CHECK(vs_netlist_write_2x2(f, &dev, &c, &ideal, &badp, &o) == VS_EINVAL);
    fclose(f);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/vo2snn_ngspice_XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmp_dir)) {
        fprintf(stderr, "cannot create a temporary directory under %s\n", base ? base : "/tmp");
        return 1;
    }
    RUN(test_validation);
    RUN(test_dc_device1);
    RUN(test_dc_device2);
    RUN(test_dc_device3);
    RUN(test_dc_device4);
    RUN(test_pulse_train);
    RUN(test_square_pulse);
    RUN(test_sine);
    RUN(test_pwl);
    RUN(test_net2x2);
    RUN(test_net2x2_nonideal);
    rmdir(tmp_dir); /* fails harmlessly if a failed case left its files for inspection */
    return CHECK_DONE();
}
