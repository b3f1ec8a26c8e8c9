/* cmd_demo.c -- `vo2snn demo`: devices 1-5 side by side (I-V, R-T, oscillation). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd_demo.h"
#include "commands.h"
#include "common.h"
#include "vo2snn/atomic.h"
#include "vo2snn/json.h"

static const char *const summary_cols[] = {
    "device", "vacancy_x", "v_th_v", "v_hold_v", "hysteresis_v", "v_on_swept_v", "v_off_swept_v",
    "r_ambient_ohm", "r_on_ohm", "rt_jump_ratio", "spikes", "freq_hz", "v_osc_min_v",
    "v_osc_max_v", "v_spike_peak_v", "p_in_w", "e_in_per_spike_j"};
#define N_SUMMARY (int)(sizeof summary_cols / sizeof summary_cols[0])

static int run_device(const char *prog, int d, const char *dir, double v_in, double t_end,
                      demo_device_row *row)
{
    char path[4096], scurve[4096];
    vs_device_params p;
    if (vs_device_preset(d, &p) != VS_OK || vs_device_folds(&p, &row->th, &row->ho) != VS_OK)
        return cli_fail(prog);

    vs_iv_opts io = vs_iv_opts_default();
    io.dt_out_s = io.period_s / 2000.0;
    vs_iv_result iv;
    snprintf(path, sizeof path, "%s/device%d_iv.csv", dir, d);
    snprintf(scurve, sizeof scurve, "%s/device%d_iv_scurve.csv", dir, d);
    if (iv_run(prog, &p, &io, path, &iv) || iv_write_scurve(prog, &p, scurve)) return 1;
    row->v_on = iv.v_on_v[0];
    row->v_off = iv.v_off_v[0];
    vs_iv_result_free(&iv);

    snprintf(path, sizeof path, "%s/device%d_rt.csv", dir, d);
    if (rt_run(prog, &p, 290, 370, 801, path, &row->rt)) return 1;

    vs_circuit c = vs_circuit_default();
    vs_input in = vs_input_dc(v_in);
    vs_sim_opts o = vs_sim_opts_default();
    o.t_end_s = t_end;
    o.t_window0_s = 0.3 * t_end;
    o.dt_out_s = fmax(10e-9, t_end / 20000); /* 20000 samples (10 ns at the default 200 us) */
    snprintf(path, sizeof path, "%s/device%d_osc.csv", dir, d);
    vs_csv *w;
    if (vs_csv_open(path, cli_trace_cols, CLI_TRACE_NCOLS, &w) != VS_OK) return cli_fail(prog);
    if (vs_neuron_simulate(&p, &c, &in, &o, cli_trace_sample, w, &row->osc) != VS_OK) {
        vs_csv_abort(w);
        return cli_fail(prog);
    }
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

static int write_summary(const char *prog, const char *path, const demo_device_row *rows)
{
    vs_csv *w;
    if (vs_csv_open(path, summary_cols, N_SUMMARY, &w) != VS_OK) return cli_fail(prog);
    for (int d = 1; d <= VS_DEVICE_COUNT; d++) {
        const demo_device_row *r = &rows[d - 1];
        double v[N_SUMMARY] = {d, (d - 1) / 4.0, r->th.v_v, r->ho.v_v, r->th.v_v - r->ho.v_v,
                               r->v_on, r->v_off, r->rt.r_ambient_ohm, r->rt.r_edge_hi_ohm,
                               r->rt.jump_ratio, (double)r->osc.n_spikes, r->osc.freq_hz,
                               r->osc.v_osc_min_v, r->osc.v_osc_max_v, r->osc.v_spike_peak_v,
                               r->osc.p_in_mean_w, r->osc.e_in_per_spike_j};
        if (vs_csv_row(w, v) != VS_OK) {
            vs_csv_abort(w);
            return cli_fail(prog);
        }
    }
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

static int make_plots(const char *prog, int plot, const char *dir, double v_in)
{
    char script[8192], png[4096];
    size_t n;

    n = (size_t)snprintf(script, sizeof script,
                         "set datafile separator ','\nset title 'I-V loops, 2 ms triangular sweeps (devices 1-5)'\n"
                         "set xlabel 'device voltage (V)'\nset ylabel 'current (mA)'\nset grid\nset key top left\nplot ");
    for (int d = 1; d <= 5; d++)
        n += (size_t)snprintf(script + n, sizeof script - n,
                              "'%s/device%d_iv.csv' every ::1 using 3:($4*1e3) with lines lw 2 lc rgb '%s' title 'device %d'%s",
                              dir, d, cli_colors[d - 1], d, d < 5 ? ", \\\n     " : "\n");
    snprintf(png, sizeof png, "%s/iv.png", dir);
    if (cli_plot(prog, plot, script, png, 900, 650)) return 1;

    n = (size_t)snprintf(script, sizeof script,
                         "set datafile separator ','\nset title 'R-T loops (solid: heating, dashed: cooling)'\n"
                         "set xlabel 'temperature (K)'\nset ylabel 'resistance (Ohm)'\nset logscale y\nset grid\nset key top right\nplot ");
    for (int d = 1; d <= 5; d++)
        n += (size_t)snprintf(script + n, sizeof script - n,
                              "'%s/device%d_rt.csv' every ::1 using 1:2 with lines lw 2 lc rgb '%s' title 'device %d', "
                              "'%s/device%d_rt.csv' every ::1 using 1:3 with lines lw 2 dt 2 lc rgb '%s' notitle%s",
                              dir, d, cli_colors[d - 1], d, dir, d, cli_colors[d - 1], d < 5 ? ", \\\n     " : "\n");
    snprintf(png, sizeof png, "%s/rt.png", dir);
    if (cli_plot(prog, plot, script, png, 900, 650)) return 1;

    n = (size_t)snprintf(script, sizeof script,
                         "set datafile separator ','\nset multiplot layout 5,1 title 'Oscillation at %g V dc, 3 kOhm, 1.8 nF (paper Fig 2M-Q)'\n"
                         "set grid\nset lmargin 10\nset rmargin 10\nset xrange [0:100]\nset ytics nomirror\nset y2tics\n",
                         v_in);
    for (int d = 1; d <= 5; d++)
        n += (size_t)snprintf(script + n, sizeof script - n,
                              "%sset ylabel 'V_{osc} (V)'\nset y2label 'V_{spike} (V)'\n"
                              "plot '%s/device%d_osc.csv' every ::1 using ($1*1e6):3 with lines lw 1.5 lc rgb '%s' title 'device %d V_{osc}', "
                              "'' every ::1 using ($1*1e6):4 axes x1y2 with lines lw 1 lc rgb '#555555' title 'V_{spike}'\n",
                              d == 5 ? "set xlabel 'time (µs)'\n" : "", dir, d, cli_colors[d - 1], d);
    snprintf(script + n, sizeof script - n, "unset multiplot\n");
    snprintf(png, sizeof png, "%s/osc.png", dir);
    return cli_plot(prog, plot, script, png, 900, 1200);
}

void demo_defaults(demo_args *a)
{
    *a = (demo_args){.out = "out", .v_in = 12.5, .t_end = 200e-6, .plot = CLI_PLOT_PNG};
}

/* Fill a from argv: CLI_GO_ON, or the exit status (cli_parse). */
static int parse_args(int argc, char **argv, const char *prog, demo_args *a)
{
    demo_defaults(a);
    const opt_spec opts[] = {
        CLI_OUT_OPT(a->out, "DIR", "output directory"),
        {.name = "v-in", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "dc drive of the oscillators", .dest = &a->v_in, .min = -1e4, .max = 1e4},
        {.name = "t-end", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "simulated time of each oscillator", .dest = &a->t_end, .min = 1e-9, .max = 1},
        CLI_PLOT_ON_OPTS(a->plot, "iv.png, rt.png and osc.png"),
        CLI_JSON_OPT(a->json),
    };
    return cli_parse(prog, "Devices 1-5 of the paper: I-V loops, R-T loops and oscillations, as CSV + PNG.",
                         "Writes DIR/deviceN_{iv,iv_scurve,rt,osc}.csv, DIR/summary.csv and\n"
                         "DIR/{iv,rt,osc}.png. The oscillators use the paper's circuit (3 kOhm,\n"
                         "1.8 nF, 50 Ohm sense resistor) at --v-in.",
        opts, CLI_N_OPTS(opts), argc, argv);
}

/* Run every device into rows (zeroed by the caller), stopping at the first failure; progress
   on a terminal's stderr unless --json. */
static int run_devices(const char *prog, const demo_args *a, demo_device_row *rows)
{
    int failed = 0, progress = !a->json && isatty(fileno(stderr));
    for (int d = 1; d <= VS_DEVICE_COUNT && !failed; d++) {
        if (progress) fprintf(stderr, "\rdemo: device %d of %d ...", d, VS_DEVICE_COUNT);
        failed = run_device(prog, d, a->out, a->v_in, a->t_end, &rows[d - 1]);
    }
    if (progress) fprintf(stderr, "\r%40s\r", "");
    return failed;
}

int demo_exec(const char *prog, const demo_args *a, demo_result *r)
{
    memset(r, 0, sizeof *r);
    if (vs_mkdir_p(a->out) != VS_OK) return cli_fail(prog);
    int failed = run_devices(prog, a, r->dev);
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.csv", a->out);
    if (!failed) failed = write_summary(prog, path, r->dev);
    if (!failed && a->plot) failed = make_plots(prog, a->plot, a->out, a->v_in);
    if (failed) demo_result_free(r);
    return failed;
}

void demo_result_free(demo_result *r)
{
    for (int d = 0; d < VS_DEVICE_COUNT; d++) vs_neuron_result_free(&r->dev[d].osc);
}

void demo_json(FILE *f, const demo_args *a, const demo_result *r)
{
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_str(&j, "command", "demo");
    vs_json_str(&j, "out", a->out);
    vs_json_array(&j, "devices");
    for (int d = 1; d <= VS_DEVICE_COUNT; d++) {
        const demo_device_row *row = &r->dev[d - 1];
        vs_json_object(&j, NULL);
        vs_json_int(&j, "device", d);
        vs_json_num(&j, "v_th_v", row->th.v_v);
        vs_json_num(&j, "v_hold_v", row->ho.v_v);
        vs_json_num(&j, "r_ambient_ohm", row->rt.r_ambient_ohm);
        vs_json_num(&j, "rt_jump_ratio", row->rt.jump_ratio);
        vs_json_int(&j, "spikes", (long long)row->osc.n_spikes);
        vs_json_num(&j, "freq_hz", row->osc.freq_hz);
        vs_json_num(&j, "p_in_w", row->osc.p_in_mean_w);
        vs_json_close(&j);
    }
    vs_json_close(&j);
    vs_json_end(&j);
}

static void print_text(const demo_args *a, const demo_result *r)
{
    printf("device  V_th(V)  V_hold(V)  R(300K)(Ohm)  R-T jump  spikes  f(kHz)   V_osc p-p(V)  P_in(mW)\n");
    for (int d = 1; d <= VS_DEVICE_COUNT; d++) {
        const demo_device_row *row = &r->dev[d - 1];
        printf("%6d  %7.3f  %9.3f  %12.0f  %8.2f  %6zu  %7.1f  %12.3f  %8.2f%s\n", d, row->th.v_v,
               row->ho.v_v, row->rt.r_ambient_ohm, row->rt.jump_ratio, row->osc.n_spikes,
               row->osc.freq_hz / 1e3, row->osc.v_osc_max_v - row->osc.v_osc_min_v,
               row->osc.p_in_mean_w * 1e3, row->osc.n_spikes <= 1 ? "  (latched: no oscillation)" : "");
    }
    printf("wrote %s/summary.csv and per-device CSVs%s under %s/\n", a->out,
           a->plot ? ", iv.png, rt.png, osc.png" : "", a->out);
}

int cmd_demo(int argc, char **argv)
{
    const char *prog = "vo2snn demo";
    demo_args a;
    int rc = parse_args(argc, argv, prog, &a);
    if (rc != CLI_GO_ON) return rc;
    static demo_result r;
    if (demo_exec(prog, &a, &r)) return 1;
    if (a.json)
        demo_json(stdout, &a, &r);
    else
        print_text(&a, &r);
    demo_result_free(&r);
    return 0;
}
