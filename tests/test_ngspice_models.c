/*
 * test_ngspice_models.c -- the ngspice forms of the zhang2024 and switch models (their
 * write_netlist, through vs_netlist_write) agree with vs_neuron_simulate.
 *
 * For each case: write the neuron netlist (wrdata on, 100 us, max step 5 ns, tau_m 1 ns)
 * into a temp directory, run `ngspice -b` on it and count pulses of the device current, the
 * last wrdata column i(v.x1.vsense), over the second half of the run: upward crossings of
 * the midpoint between the current's minimum and maximum there (linear interpolation,
 * re-armed below the 25 % level), f = (N-1)/(t_N - t_1). zhang2024's metallic fraction
 * never falls low in its oscillation, so V(m) is no use here. The library runs the same
 * device, circuit and input over the same window; the frequencies must agree within 2 %:
 *   zhang2024 (preset 1) in R_s 12 kOhm, C 145.35 pF, R_sense 50 Ohm at 11 and 13 V;
 *   switch preset 1 (3 kOhm, 1.8 nF, 50 Ohm) at 9.5 and 12.5 V, and at 12.5 V with
 *   R_sense = 0 (the probe is then the source that grounds s); switch preset 4 at 8 and 10 V.
 * The vo2x deck is checked by tests/test_ngspice.c. As there, ngspice is a declared
 * dependency: without it on PATH the ngspice tests FAIL.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "ngspice_run.h"
#include "vo2snn/device.h"
#include "vo2snn/netlist.h"
#include "vo2snn/network.h"
#include "vo2snn/neuron.h"

static char tmp_dir[256];


static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

enum { N_COLS = 7, I_COL = 6 };   /* time v(n) v(temp) v(m) v(s) v(in) i(v.x1.vsense) */

/*
 * Frequency of the device-current pulses in [t0, inf) of the wrdata file path: over that
 * window take I_min and I_max; a pulse is an upward crossing of (I_min + I_max)/2 (linear
 * interpolation), re-armed below I_min + (I_max - I_min)/4; f = (N-1)/(t_N - t_1). 0 if
 * the run does not oscillate (fewer than 3 pulses, or a swing under 10 % of the peak).
 * *n_pulses: N. NAN if the file is unusable (its last header column must be the probe).
 */
static double current_freq(const char *path, double t0, size_t *n_pulses)
{
    *n_pulses = 0;
    FILE *f = fopen(path, "r");
    if (!f) return NAN;
    char line[1024];
    size_t n = 0, cap = 0;
    double *t = NULL, *i = NULL;
    int ok = fgets(line, sizeof line, f) && strstr(line, "i(v.x1.vsense)");
    while (ok && fgets(line, sizeof line, f)) {
        double col[N_COLS];
        char *s = line, *end;
        int k;
        for (k = 0; k < N_COLS; k++, s = end) {
            col[k] = strtod(s, &end);
            if (end == s) break;
        }
        if (k < N_COLS) {
            ok = 0;
            break;
        }
        if (col[0] < t0) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 4096;
            double *nt = realloc(t, cap * sizeof *t), *ni = nt ? realloc(i, cap * sizeof *i) : NULL;
            if (nt) t = nt;
            if (ni) i = ni;
            if (!nt || !ni) {
                ok = 0;
                break;
            }
        }
        t[n] = col[0], i[n] = col[I_COL], n++;
    }
    fclose(f);
    double freq = NAN;
    if (ok && n >= 10) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t k = 0; k < n; k++) lo = fmin(lo, i[k]), hi = fmax(hi, i[k]);
        double mid = 0.5 * (lo + hi), rearm = lo + 0.25 * (hi - lo), first = 0, last = 0;
        size_t np = 0;
        int armed = i[0] < mid;
        for (size_t k = 1; k < n; k++) {
            if (armed && i[k - 1] < mid && i[k] >= mid) {
                double tc = t[k - 1] + (t[k] - t[k - 1]) * (mid - i[k - 1]) / (i[k] - i[k - 1]);
                if (np++ == 0) first = tc;
                last = tc;
                armed = 0;
            }
            if (i[k] < rearm) armed = 1;
        }
        *n_pulses = np;
        int osc = np >= 3 && hi - lo >= 0.1 * fmax(fabs(hi), fabs(lo));
        freq = osc ? (double)(np - 1) / (last - first) : 0.0;
    }
    free(t), free(i);
    return freq;
}

/*
 * The neuron netlist of dev in circuit c at dc v_in, run by ngspice for t_end_s: its
 * device-current frequency over the second half, and the library's over the same window,
 * agree within 2 %. Both must oscillate.
 */
static void model_case(const char *name, const vs_device_params *dev, const vs_circuit *c,
                       double v_in)
{
    const double t_end = 100e-6, t0 = 0.5 * t_end;
    vs_input in = vs_input_dc(v_in);

    vs_sim_opts so = vs_sim_opts_default();
    so.t_end_s = t_end, so.t_window0_s = t0, so.t_window1_s = t_end;
    vs_neuron_result r;
    if (vs_neuron_simulate(dev, c, &in, &so, NULL, NULL, &r) != VS_OK) {
        CHECK_FAIL_MSG("%s: vs_neuron_simulate: %s", name, vs_last_error());
        return;
    }
    const double f_lib = r.freq_hz;
    vs_neuron_result_free(&r);

    if (!ngspice_on_path()) {
        CHECK_FAIL_MSG("ngspice not found on PATH: it is a declared dependency "
                       "(apt-get install ngspice); cannot check %s", name);
        return;
    }
    char cir[512], dat[512], log[512], cmd[2048];
    snprintf(cir, sizeof cir, "%s/%s.cir", tmp_dir, name);
    snprintf(dat, sizeof dat, "%s/%s.dat", tmp_dir, name);
    snprintf(log, sizeof log, "%s/%s.log", tmp_dir, name);
    vs_netlist_opts o = vs_netlist_opts_default();
    o.t_end_s = t_end;
    o.wrdata_path = dat;
    FILE *f = fopen(cir, "w");
    if (!f) {
        CHECK_FAIL_MSG("cannot create %.300s: %.100s", cir, strerror(errno));
        return;
    }
    vs_status s = vs_netlist_write(f, dev, c, &in, &o);
    fclose(f);
    if (s != VS_OK) {
        CHECK_FAIL_MSG("%s: writing the netlist: %s", name, vs_last_error());
        return;
    }
    snprintf(cmd, sizeof cmd, "ngspice -b '%s' > '%s' 2>&1", cir, log);
    double w0 = wall_s();
    int rc = system(cmd);
    double w = wall_s() - w0;
    size_t n_pulses = 0;
    double f_sp = rc == 0 ? current_freq(dat, t0, &n_pulses) : (double)NAN;
    if (rc != 0 || isnan(f_sp)) {
        CHECK_FAIL_MSG("ngspice -b %.300s failed (status %d) or wrote no usable data file", cir, rc);
        show_log(log);
        return;
    }
    double err = f_sp > 0 ? 100.0 * (f_sp - f_lib) / f_lib : (double)NAN;
    printf("  %-22s %6.2f V: vo2snn %9.3f kHz, ngspice %9.3f kHz (%zu pulses), %+.3f %%, "
           "ngspice %.2f s\n", name, v_in, f_lib / 1e3, f_sp / 1e3, n_pulses, err, w);
    CHECK(f_lib > 0 && f_sp > 0);
    CHECK_NEAR(f_sp, f_lib, 0.02, 0.0);
    if (f_lib > 0 && f_sp > 0 && fabs(f_sp - f_lib) <= 0.02 * f_lib)
        remove(cir), remove(dat), remove(log);   /* kept for inspection on failure */
}

static vs_device_params preset_of(const char *model, int n)
{
    vs_device_params p;
    const vs_model *m = vs_model_find(model);
    CHECK(m && vs_device_model_preset(m, n, &p) == VS_OK);
    return p;
}

/* zhang2024, its published circuit (R_s 12 kOhm, C 145.35 pF) with R_sense 50 Ohm. */
static void test_zhang2024(void)
{
    vs_device_params p = preset_of("zhang2024", 1);
    vs_circuit c = {.r_series_ohm = 12e3, .c_f = 145.35e-12, .r_sense_ohm = 50.0};
    model_case("zhang2024_11V", &p, &c, 11.0);
    model_case("zhang2024_13V", &p, &c, 13.0);
}

/* switch preset 1 in the default circuit (3 kOhm, 1.8 nF, 50 Ohm), and with R_sense = 0. */
static void test_switch_preset1(void)
{
    vs_device_params p = preset_of("switch", 1);
    vs_circuit c = vs_circuit_default();
    model_case("switch_d1_9.5V", &p, &c, 9.5);
    model_case("switch_d1_12.5V", &p, &c, 12.5);
    c.r_sense_ohm = 0;
    model_case("switch_d1_12.5V_rs0", &p, &c, 12.5);
}

static void test_switch_preset4(void)
{
    vs_device_params p = preset_of("switch", 4);
    vs_circuit c = vs_circuit_default();
    model_case("switch_d4_8V", &p, &c, 8.0);
    model_case("switch_d4_10V", &p, &c, 10.0);
}

/* Every built-in model has an ngspice form; its decks (neuron and 2x2) have one device
   subcircuit, the current probe in every neuron and Gear integration at most once. */
static void test_decks(void)
{
    vs_circuit c = vs_circuit_default();
    vs_input in = vs_input_dc(12.5);
    vs_netlist_opts o = vs_netlist_opts_default();
    o.wrdata_path = "x.dat";
    vs_net2x2_params np = vs_net2x2_default();
    for (int k = 0; k < vs_model_count(); k++) {
        const vs_model *m = vs_model_at(k);
        vs_device_params p = preset_of(m->name, 1);
        CHECK(m->write_netlist != NULL);
        for (int net = 0; net < 2; net++) {
            FILE *f = tmpfile();
            if (!f) return;
            vs_status s = net ? vs_netlist_write_2x2(f, &p, &c, NULL, &np, &o)
                              : vs_netlist_write(f, &p, &c, &in, &o);
            if (s != VS_OK)
                CHECK_FAIL_MSG("%s %s: %s", m->name, net ? "2x2" : "neuron", vs_last_error());
            long sz = ftell(f);
            char *deck = sz > 0 ? malloc((size_t)sz + 1) : NULL;
            if (deck) {
                rewind(f);
                deck[fread(deck, 1, (size_t)sz, f)] = '\0';
                CHECK(strstr(deck, "\n.subckt vsdevice a b temp m\n") &&
                      strstr(deck, "\n.ends vsdevice\n"));
                CHECK(strstr(deck, "\nXdev n s temp m vsdevice\n") &&
                      strstr(deck, "\nVsense s s2 DC 0\n") && strstr(deck, "\nRsense s2 0 50\n"));
                const char *g = strstr(deck, ".options method=gear");
                CHECK(!g || !strstr(g + 1, ".options method=gear"));
                CHECK(net || strstr(deck, "v(in) i(v.x1.vsense)\n"));
            }
            free(deck);
            fclose(f);
        }
    }
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/vo2snn_ngspice_models_XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(tmp_dir)) {
        fprintf(stderr, "cannot create a temporary directory under %s\n", base ? base : "/tmp");
        return 1;
    }
    double w0 = wall_s();
    RUN(test_decks);
    RUN(test_zhang2024);
    RUN(test_switch_preset1);
    RUN(test_switch_preset4);
    printf("  test_ngspice_models: %.1f s in all\n", wall_s() - w0);
    rmdir(tmp_dir); /* fails harmlessly if a failed case left its files for inspection */
    return CHECK_DONE();
}
