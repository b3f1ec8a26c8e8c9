/*
 * test_current_input.c -- neurons driven by a current source into node N (issue 11, item 4):
 * the switch model against the closed-form period of a current-driven relaxation
 * oscillator, the energy balance, a sub-threshold current settling on the OFF load line,
 * the CLI (--i-in and friends, the i_in_a trace column, one-line refusals) and the
 * current-source netlist run by ngspice.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli_run.h"
#include "vo2snn/device.h"
#include "vo2snn/input.h"
#include "vo2snn/model.h"
#include "vo2snn/netlist.h"
#include "vo2snn/neuron.h"

static vs_device_params preset(const char *model, int n)
{
    vs_device_params p;
    VS_ASSERT(vs_device_model_preset(vs_model_find(model), n, &p) == VS_OK);
    return p;
}

/* The neuron in the default circuit (1.8 nF, R_sense 50 Ohm) over [0, t_end], statistics
   over [w0, t_end]. */
static vs_neuron_result run(const vs_device_params *p, const vs_input *in, double t_end_s,
                            double w0_s)
{
    vs_circuit c = vs_circuit_default();
    vs_sim_opts o = vs_sim_opts_default();
    o.t_end_s = t_end_s;
    o.t_window0_s = w0_s;
    o.t_window1_s = t_end_s;
    vs_neuron_result r;
    vs_status s = vs_neuron_simulate(p, &c, in, &o, NULL, NULL, &r);
    CHECK(s == VS_OK);
    if (s != VS_OK) fprintf(stderr, "  simulate: %s\n", vs_last_error());
    return r;
}

/* ---- the switch model against closed forms --------------------------------------------- */

typedef struct relax {
    double v_h, v_l, v_peak, period_s;
} relax;

/*
 * A dc current I into node N (C to ground; device + R_sense from N to ground). With
 * R' = R + R_sense the node relaxes towards I R' with time constant R' C:
 *   OFF, from V_L up to V_H:  t_1 = R'_off C ln((I R'_off - V_L)/(I R'_off - V_H))
 *   still OFF for the delay:  V_peak = I R'_off - (I R'_off - V_H) exp(-t_d/(R'_off C))
 *   ON, from V_peak to V_L:   t_2 = R'_on C ln((V_peak - I R'_on)/(V_L - I R'_on))
 *   period = t_1 + t_d + t_2,
 * where the switch compares the voltage across itself, V R/R', so the node-level
 * thresholds are V_H = v_th R'_off/R_off and V_L = v_hold R'_on/R_on. It oscillates when
 * I R'_off > V_H (it reaches the threshold) and I R'_on < V_L (it falls back to the hold).
 */
static relax switch_relaxation(const vs_device_params *p, double r_sense, double c_f, double i_a)
{
    double r_off = vs_device_get(p, "r_off"), r_on = vs_device_get(p, "r_on");
    double ro = r_off + r_sense, rn = r_on + r_sense, t_d = vs_device_get(p, "t_delay");
    relax x;
    x.v_h = vs_device_get(p, "v_th") * ro / r_off;
    x.v_l = vs_device_get(p, "v_hold") * rn / r_on;
    double v_off = i_a * ro, v_on = i_a * rn;
    double t1 = ro * c_f * log((v_off - x.v_l) / (v_off - x.v_h));
    x.v_peak = v_off - (v_off - x.v_h) * exp(-t_d / (ro * c_f));
    double t2 = rn * c_f * log((x.v_peak - v_on) / (x.v_l - v_on));
    x.period_s = t1 + t_d + t2;
    return x;
}

static void test_switch_closed_form_period(void)
{
    const double currents[] = {1.5e-3, 2e-3, 3e-3};
    const vs_circuit c = vs_circuit_default();
    for (int d = 1; d <= 4; d += 3)
        for (int k = 0; k < 3; k++) {
            vs_device_params p = preset("switch", d);
            relax x = switch_relaxation(&p, c.r_sense_ohm, c.c_f, currents[k]);
            /* the oscillation conditions hold for these currents */
            CHECK(currents[k] * (vs_device_get(&p, "r_off") + c.r_sense_ohm) > x.v_h);
            CHECK(currents[k] * (vs_device_get(&p, "r_on") + c.r_sense_ohm) < x.v_l);
            vs_input in = vs_input_current(vs_input_dc(currents[k]));
            double t_end = 40 * x.period_s;
            vs_neuron_result r = run(&p, &in, t_end, 0.3 * t_end);
            CHECK(r.n_spikes_window >= 20);
            CHECK_NEAR(r.freq_hz, 1.0 / x.period_s, 5e-3, 0);
            CHECK_NEAR(r.v_osc_max_v, x.v_peak, 5e-3, 0);
            CHECK_NEAR(r.v_osc_min_v, x.v_l, 5e-3, 0);
            CHECK(r.e_series_j == 0); /* no R_s in the path */
            vs_neuron_result_free(&r);
        }
}

/* Below the threshold the node settles on the OFF load line, V = I R'_off, and never fires. */
static void test_subthreshold_dc_settles(void)
{
    const vs_circuit c = vs_circuit_default();
    vs_device_params p = preset("switch", 1);
    double r_off = vs_device_get(&p, "r_off") + c.r_sense_ohm;
    double i_a = 0.9 * vs_device_get(&p, "v_th") / vs_device_get(&p, "r_off");
    vs_input in = vs_input_current(vs_input_dc(i_a));
    double t_end = 25 * r_off * c.c_f; /* e^-25: settled to 1e-11 */
    vs_neuron_result r = run(&p, &in, t_end, 0.3 * t_end);
    CHECK(r.n_spikes == 0);
    CHECK_NEAR(r.v_end_v, i_a * r_off, 1e-7, 0);
    CHECK(r.m_end == 0);
    vs_neuron_result_free(&r);

    /* vo2x device 1: 0.3 mA heats the film a little but does not switch it */
    vs_device_params q = preset("vo2x", 1);
    vs_input small = vs_input_current(vs_input_dc(0.3e-3));
    r = run(&q, &small, 300e-6, 90e-6);
    CHECK(r.n_spikes == 0);
    CHECK(r.m_max < 0.1);
    CHECK(r.v_osc_max_v - r.v_osc_min_v < 0.05 * r.v_end_v); /* settled in the window */
    vs_neuron_result_free(&r);
}

/* E_source = E_dev + E_sense + C V^2/2 (E_Rs = 0), and the charge is what the pulses carry. */
static void test_energy_balance_current_pulse(void)
{
    vs_device_params p = preset("vo2x", 1);
    const vs_input inputs[] = {
        vs_input_current(vs_input_pulse(0, 2.5e-3, 20e-6, 10e-6, 0)),
        vs_input_current(vs_input_dc(2e-3)),
        vs_input_current(vs_input_sine(1e-3, 2e-3, 100e-6, 0)),
    };
    for (int i = 0; i < 3; i++) {
        vs_neuron_result r = run(&p, &inputs[i], 200e-6, 60e-6);
        double out = r.e_series_j + r.e_dev_j + r.e_sense_j + r.e_cap_j;
        CHECK(r.n_spikes > 0);
        CHECK(r.e_series_j == 0);
        CHECK(r.e_in_j > 1e-7);
        CHECK_NEAR(out, r.e_in_j, 1e-4, 0);
        if (i == 0) CHECK_NEAR(r.q_in_c, 10 * 2.5e-3 * 10e-6, 1e-6, 0); /* 10 pulses */
        vs_neuron_result_free(&r);
    }
}

/* ---- the input itself ------------------------------------------------------------------ */

static void test_input_current_kind(void)
{
    vs_input in = vs_input_current(vs_input_pulse(0, 2e-3, 4e-6, 2e-6, 0));
    char desc[200];
    CHECK(vs_input_validate(&in) == VS_OK);
    CHECK(strcmp(vs_input_unit(&in), "A") == 0);
    vs_input_describe(&in, desc, sizeof desc);
    CHECK(strstr(desc, "current") && strstr(desc, "A,"));
    vs_input v = vs_input_dc(12.5);
    CHECK(strcmp(vs_input_unit(&v), "V") == 0);
    vs_input_describe(&v, desc, sizeof desc);
    CHECK(strcmp(desc, "dc 12.5 V") == 0);
    vs_input big = vs_input_current(vs_input_dc(2e3));
    CHECK(vs_input_validate(&big) == VS_EINVAL && strstr(vs_last_error(), "current"));
    vs_input bad = vs_input_current(vs_input_dc(NAN));
    CHECK(vs_input_validate(&bad) == VS_EINVAL && strstr(vs_last_error(), "current"));

    /* a PWL file is a current when its header names an i_a column */
    write_text(tmp("ipwl.csv"), "t_s,i_a\n0,0\n10e-6,2e-3\n");
    vs_input pw;
    CHECK(vs_input_load_pwl(tmp("ipwl.csv"), &pw) == VS_OK);
    CHECK(pw.source == VS_SOURCE_CURRENT && pw.n_knots == 2);
    vs_input_free(&pw);
    write_text(tmp("vpwl.csv"), "t_s,v_v\n0,0\n10e-6,12\n");
    CHECK(vs_input_load_pwl(tmp("vpwl.csv"), &pw) == VS_OK);
    CHECK(pw.source == VS_SOURCE_VOLTAGE);
    vs_input_free(&pw);
}

/* ---- CLI ------------------------------------------------------------------------------- */


/* Column `col` (0-based) of data row `row` (1 = the first after the header) of a CSV text. */
static double csv_cell(const char *text, int row, int col)
{
    const char *p = text;
    for (int r = 0; r < row && p; r++) {
        p = strchr(p, '\n');
        if (p) p++;
    }
    for (int c = 0; c < col && p; c++) {
        p = strchr(p, ',');
        if (p) p++;
    }
    return p ? strtod(p, NULL) : (double)NAN;
}

static void test_cli_current_trace(void)
{
    const char *csv = tmp("i.csv");
    CHECK(vo2snn("osc", "--model", "switch", "--input", "dc", "--i-in", "2mA", "--t-end", "50us",
                 "--out", csv, "--json", NULL) == 0);
    CHECK(strstr(out_text, "\"input\": \"dc current 0.002 A\"") != NULL);
    char *text = check_slurp(csv);
    CHECK(text && strncmp(text, "t_s,i_in_a,v_osc_v,v_spike_v,", 29) == 0);
    CHECK(text && csv_cell(text, 1, 1) == 2e-3 && csv_cell(text, 500, 1) == 2e-3);
    free(text);

    /* a current pulse: the column holds its levels in A */
    CHECK(vo2snn("osc", "--input", "pulse", "--i-hi", "3mA", "--period", "20us", "--width",
                 "10us", "--t-end", "40us", "--dt-out", "1us", "--out", csv, NULL) == 0);
    text = check_slurp(csv);
    CHECK(text && strncmp(text, "t_s,i_in_a,", 11) == 0);
    CHECK(text && csv_cell(text, 6, 1) == 3e-3 && csv_cell(text, 16, 1) == 0); /* 5 us, 15 us */
    free(text);

    /* a PWL file with an i_a column */
    write_text(tmp("ramp_i.csv"), "t_s,i_a\n0,0\n20e-6,3e-3\n");
    CHECK(vo2snn("osc", "--input", "pwl", "--pwl", tmp("ramp_i.csv"), "--dt-out", "1us", "--out",
                 csv, NULL) == 0);
    text = check_slurp(csv);
    CHECK(text && strncmp(text, "t_s,i_in_a,", 11) == 0);
    CHECK(text && fabs(csv_cell(text, 11, 1) - 1.5e-3) < 1e-12); /* 10 us: half way */
    free(text);

    /* a voltage input keeps its header */
    CHECK(vo2snn("osc", "--t-end", "5us", "--out", csv, NULL) == 0);
    text = check_slurp(csv);
    const char *header = "t_s,v_in_v,v_osc_v,v_spike_v,i_dev_a,temp_k,r_dev_ohm,m,p_total_w\n";
    CHECK(text && strncmp(text, header, strlen(header)) == 0);
    free(text);

    /* --help says how */
    CHECK(vo2snn("osc", "--help", NULL) == 0);
    CHECK(strstr(out_text, "--i-in I") && strstr(out_text, "i_in_a"));
}

static void test_cli_current_refusals(void)
{
    char o[600], cir[600];
    snprintf(o, sizeof o, "%s", tmp("bad.csv")); /* tmp() reuses its buffers */
    snprintf(cir, sizeof cir, "%s", tmp("n.cir"));
    write_text(tmp("huge_i.csv"), "t_s,i_a\n0,0\n1e-6,5000\n");
    write_text(tmp("ramp_i2.csv"), "t_s,i_a\n0,0\n1e-6,1e-3\n");
    CHECK(REFUSES("--i-in", "osc", "--i-in", "2mV", "--out", o));
    CHECK(REFUSES("--i-in", "osc", "--i-in", "5kA", "--out", o));
    CHECK(REFUSES("--i-in", "osc", "--i-in", "nan", "--out", o));
    CHECK(REFUSES("--v-in", "osc", "--input", "dc", "--i-in", "1mA", "--v-in", "3", "--out", o));
    CHECK(REFUSES("--i-hi", "osc", "--input", "pulse", "--i-lo", "1mA", "--out", o));
    CHECK(REFUSES("--i-amplitude", "osc", "--input", "sine", "--i-offset", "1mA", "--out", o));
    CHECK(REFUSES("--i-in", "osc", "--input", "dc", "--i-hi", "1mA", "--out", o));
    CHECK(REFUSES("--i-in", "osc", "--input", "pwl", "--pwl", tmp("ramp_i2.csv"), "--i-in", "1mA",
                  "--out", o));
    CHECK(REFUSES("current", "osc", "--input", "pwl", "--pwl", tmp("huge_i.csv"), "--out", o));
    CHECK(REFUSES("--i-in", "netlist", "--net", "2x2", "--i-in", "1mA", "--out", cir));
    CHECK(!exists(o) && !exists(cir));
}

/* ---- ngspice --------------------------------------------------------------------------- */

/* Frequency of the spikes (V(m) crossing 0.5 upward, re-armed below 0.1, linear
   interpolation) in [t0, end] of a wrdata file with columns time v(n) v(temp) v(m) v(s)
   i(vimeas); *i_lo, *i_hi: the extremes of the measured input current. NAN on failure. */
static double wrdata_freq(const char *path, double t0, double *i_lo, double *i_hi)
{
    *i_lo = INFINITY, *i_hi = -INFINITY;
    FILE *f = fopen(path, "r");
    char line[1024];
    if (!f) return NAN;
    if (!fgets(line, sizeof line, f)) line[0] = '\0'; /* header: no rows follow */
    double t_prev = 0, m_prev = 1, first = NAN, last = NAN, col[6];
    long n = 0;
    int armed = 1;
    while (fgets(line, sizeof line, f) &&
           sscanf(line, "%lf %lf %lf %lf %lf %lf", &col[0], &col[1], &col[2], &col[3], &col[4],
                  &col[5]) == 6) {
        double t = col[0], m = col[3];
        *i_lo = fmin(*i_lo, col[5]), *i_hi = fmax(*i_hi, col[5]);
        if (armed && m_prev < 0.5 && m >= 0.5) {
            double ts = t_prev + (t - t_prev) * (0.5 - m_prev) / (m - m_prev);
            if (ts >= t0) {
                if (n++ == 0) first = ts;
                last = ts;
            }
            armed = 0;
        }
        if (m <= 0.1) armed = 1;
        t_prev = t, m_prev = m;
    }
    fclose(f);
    return n >= 2 ? (double)(n - 1) / (last - first) : (double)NAN;
}

/* The current-source netlist of p driven by a dc current i_a, run by ngspice, against the
   library's frequency (within 2 %); the ammeter column is the source current. */
static void check_ngspice(const vs_device_params *p, double i_a)
{
    vs_circuit c = vs_circuit_default();
    vs_input in = vs_input_current(vs_input_dc(i_a));
    vs_netlist_opts no = vs_netlist_opts_default();
    char cir[600], dat[600], cmd[1400];
    snprintf(cir, sizeof cir, "%s/%s.cir", tmpdir, p->model->name);
    snprintf(dat, sizeof dat, "%s/%s.dat", tmpdir, p->model->name);
    no.wrdata_path = dat;
    FILE *f = fopen(cir, "w");
    CHECK(f && vs_netlist_write(f, p, &c, &in, &no) == VS_OK);
    if (f) fclose(f);
    char *deck = check_slurp(cir);
    CHECK(deck && strstr(deck, "Iin 0 in DC") && strstr(deck, "vo2neuron_i") && !strstr(deck, "\nRs "));
    free(deck);
    snprintf(cmd, sizeof cmd, "ngspice -b '%s' > '%s.log' 2>&1", cir, cir);
    CHECK(system(cmd) == 0);
    double i_lo, i_hi;
    double f_spice = wrdata_freq(dat, 0.3 * no.t_end_s, &i_lo, &i_hi);
    vs_neuron_result r = run(p, &in, no.t_end_s, 0.3 * no.t_end_s);
    CHECK(r.freq_hz > 0);
    CHECK_NEAR(f_spice, r.freq_hz, 0.02, 0);
    CHECK_NEAR(i_lo, i_a, 1e-9, 0);
    CHECK_NEAR(i_hi, i_a, 1e-9, 0);
    vs_neuron_result_free(&r);
}

static void test_ngspice_vo2x(void)
{
    vs_device_params p = preset("vo2x", 1);
    check_ngspice(&p, 2e-3);
}

static void test_ngspice_switch(void)
{
    vs_device_params p = preset("switch", 1);
    check_ngspice(&p, 2e-3);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    RUN(test_switch_closed_form_period);
    RUN(test_subthreshold_dc_settles);
    RUN(test_energy_balance_current_pulse);
    RUN(test_input_current_kind);
    RUN(test_cli_current_trace);
    RUN(test_cli_current_refusals);
    RUN(test_ngspice_vo2x);
    RUN(test_ngspice_switch);
    remove_tree(tmpdir);
    return CHECK_DONE();
}
