/* cmd_net2x2.c -- `vo2snn net2x2`: the 2x2 network of circuit neurons (Fig 3I). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_net2x2.h"
#include "commands.h"
#include "common.h"
#include "vo2snn/outputs.h"
#include "progress.h"
#include "vo2snn/atomic.h"
#include "vo2snn/infer.h"
#include "vo2snn/json.h"
#include "vo2snn/network.h"
#include "vo2snn/train.h"
#include "vo2snn/units.h"


/* Write spikes of several neurons as (neuron, t_s) rows. */
static int write_raster(const char *prog, const char *path, const vs_neuron_result *n, int count)
{
    static const char *const cols[] = {"neuron", "t_s"};
    vs_csv *w;
    if (vs_csv_open(path, cols, 2, &w) != VS_OK) return cli_fail(prog);
    for (int k = 0; k < count; k++)
        for (size_t s = 0; s < n[k].n_spikes; s++) {
            double row[2] = {k, n[k].spike_t_s[s]};
            if (vs_csv_row(w, row) != VS_OK) return vs_csv_abort(w), cli_fail(prog);
        }
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

/* ---- net2x2 ----------------------------------------------------------------------------- */

void net2x2_defaults(net2x2_args *a)
{
    *a = (net2x2_args){.dev = CLI_DEVICE_DEFAULTS, .circ = vs_circuit_default(), .p = vs_net2x2_default(),
                       .opamp = "ideal", .opamp_p = CLI_OPAMP_ARGS_DEFAULTS, .out = "out/net2x2.csv", .w0 = 30e-6, .w1 = 330e-6, .r0 = 100e-6,
                       .r1 = 150e-6};
}

/* Fill a from argv: CLI_GO_ON, or the exit status (cli_parse). */
static int parse_args(int argc, char **argv, const char *prog, net2x2_args *a)
{
    net2x2_defaults(a);
    const opt_spec opts[] = {
        CLI_DEVICE_OPTS(a->dev),
        CLI_CIRCUIT_OPTS(a->circ),
        CLI_NET2X2_OPTS(a->p, a->opamp, "", 1e3, 1e4),
        CLI_OPAMP_PERIPHERY_OPTS(a->opamp_p),
        {.name = "tau-syn", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "adder low-pass R_f C_f (0 = plain adders)", .dest = &a->p.tau_syn_s, .min = 0, .max = 1e-3},
        {.name = "t-end", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "simulated time", .dest = &a->p.t_end_s, .min = 1e-6, .max = 0.1},
        {.name = "dt-grid", .alias = "dt", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "waveform grid between layers (not an integrator step)", .dest = &a->p.dt_s, .min = 1e-12, .max = 1e-6},
        {.name = "window-start", .alias = "rate-start", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "rate window start", .dest = &a->w0, .min = 0, .max = 1},
        {.name = "window-end", .alias = "rate-end", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "rate window end", .dest = &a->w1, .min = 0, .max = 1},
        CLI_OUTPUT_OPTS(a->out, "CSV", "raster CSV (neuron 0..3 = (1,1),(1,2),(2,1),(2,2)); waveforms to <out>_waves.csv", a->json, a->plot, "the raster <out>.png (Fig 3I)"),
    };
    return cli_parse(prog, "The paper's 2x2 network: two dc-driven neurons feed two neurons through two-stage adders.",
        "(2,1) is excited by both layer-1 neurons through stage 1, (2,2) inhibited by both\n"
        "through stage 2: V_in(2,1) = B + w (V_s11 + V_s12), V_in(2,2) = B - w (V_s11 + V_s12).\n"
        "Rates are spike counts over [--window-start, --window-end) divided by its length;\n"
        "the paper's ordering is v(2,1) > v(1,1) = v(1,2) > v(2,2).",
        opts, CLI_N_OPTS(opts), argc, argv);
}

/* The rate window lies inside the run, start before end; else 1 after the message. */
static int check_windows(const char *prog, const net2x2_args *a)
{
    if (cli_check_range(prog, "--window-start", a->w0, "--window-end", a->w1, "s")) return 1;
    if (a->w1 > a->p.t_end_s)
        return cli_error(prog, "--window-end (%g s) must lie inside the run (%g s)", a->w1, a->p.t_end_s);
    return 0;
}

/* The waveforms (n samples of 6 signals, see vs_net2x2_simulate) as CSV, at most every 10 ns. */
static int write_waves(const char *prog, const char *path, const float *waves, size_t n, double dt)
{
    static const char *const cols[] = {"t_s", "v_spike_11_v", "v_spike_12_v", "v_spike_21_v", "v_spike_22_v", "v_in_21_v", "v_in_22_v"};
    vs_csv *w;
    if (vs_csv_open(path, cols, 7, &w) != VS_OK) return cli_fail(prog);
    size_t stride = (size_t)ceil(10e-9 / dt);   /* at most every 10 ns */
    for (size_t i = 0; i < n; i += stride) {
        double row[7] = {(double)i * dt};
        for (int k = 0; k < 6; k++) row[k + 1] = waves[i * 6 + (size_t)k];
        if (vs_csv_row(w, row) != VS_OK) return vs_csv_abort(w), cli_fail(prog);
    }
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

/* Simulate the network into *r and its waveforms into *waves (malloc'ed, *n samples of 6 signals);
   on failure nothing is left to free. */
static int simulate_net2x2(const char *prog, const net2x2_args *a, const vs_device_params *dev, float **waves,
                           size_t *n, vs_net2x2_result *r)
{
    vs_opamp op;
    if (cli_opamp_build(prog, a->opamp, &a->opamp_p, &op)) return 1;
    vs_sim_opts so = vs_sim_opts_default();
    *n = (size_t)floor(a->p.t_end_s / a->p.dt_s + 0.5) + 1;
    if (!(*waves = malloc(6 * *n * sizeof **waves))) return cli_error(prog, "out of memory for %zu samples", *n);
    if (vs_net2x2_simulate(dev, &a->circ, &op, &a->p, &so, *waves, r) != VS_OK) return free(*waves), cli_fail(prog);
    return 0;
}

/* Rates over the rate window, spikes in the count window, the paper's ordering and the
   adders' outputs, from the simulation into the result. */
static void summarize(const net2x2_args *a, const vs_net2x2_result *sim, net2x2_result *r)
{
    for (int k = 0; k < 4; k++) {
        r->rates_hz[k] = (double)vs_count_spikes(&sim->neuron[k], a->w0, a->w1) / (a->w1 - a->w0);
        r->spikes_in_window[k] = vs_count_spikes(&sim->neuron[k], a->r0, a->r1);
    }
    const double *v = r->rates_hz;
    r->ordering_holds = v[2] > v[0] && v[0] == v[1] && v[1] > v[3];
    for (int k = 0; k < 2; k++) {
        r->v_in_mean_v[k] = sim->v_in_mean_v[k];
        r->v_in_max_v[k] = sim->v_in_max_v[k];
        r->v_in_min_v[k] = sim->v_in_min_v[k];
    }
}

/* The raster <out>.png (Fig 3I), with the count window shaded. */
static int plot_net2x2(const char *prog, const net2x2_args *a, const char *png)
{
    char script[4096];
    snprintf(script, sizeof script,
             "set datafile separator ','\nset title 'Raster of the 2x2 network (%s op-amps)'\n"
             "set xlabel 'time (µs)'\nset ylabel 'neuron'\nset ytics ('(1,1)' 0, '(1,2)' 1, '(2,1)' 2, '(2,2)' 3)\n"
             "set yrange [-0.6:3.6]\nset xrange [0:%g]\nset grid xtics\nunset key\n"
             "set object 1 rect from %g, graph 0 to %g, graph 1 fc rgb '#fff2cc' fs solid 0.6 noborder behind\n"
             "plot '%s' every ::1 using ($2*1e6):1 with points pt '|' ps 2.5 lc rgb '#1f2f6f'\n",
             a->opamp, a->p.t_end_s * 1e6, a->r0 * 1e6, a->r1 * 1e6, a->out);
    return cli_plot(prog, a->plot, script, png, 900, 400);
}

static const char *const net2x2_names[4] = {"(1,1)", "(1,2)", "(2,1)", "(2,2)"};

void net2x2_json(FILE *f, const net2x2_args *a, const net2x2_result *r)
{
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_str(&j, "command", "net2x2");
    vs_json_str(&j, "opamp", a->opamp);
    /* rates_hz and spikes_in_window: one value per neuron, in the order of neuron_labels */
    vs_json_strs(&j, "neuron_labels", net2x2_names, 4);
    vs_json_nums(&j, "rates_hz", r->rates_hz, 4);
    double rate_win[2] = {a->w0, a->w1}, count_win[2] = {a->r0, a->r1};
    vs_json_nums(&j, "rate_window_s", rate_win, 2);
    double cnt[4];
    for (int k = 0; k < 4; k++) cnt[k] = (double)r->spikes_in_window[k];
    vs_json_nums(&j, "spikes_in_window", cnt, 4);
    vs_json_nums(&j, "count_window_s", count_win, 2);
    /* the adders' outputs V_in of the layer-2 neurons, in the order of v_in_labels */
    vs_json_strs(&j, "v_in_labels", net2x2_names + 2, 2);
    vs_json_nums(&j, "v_in_mean_v", r->v_in_mean_v, 2);
    vs_json_nums(&j, "v_in_max_v", r->v_in_max_v, 2);
    vs_json_nums(&j, "v_in_min_v", r->v_in_min_v, 2);
    vs_json_bool(&j, "ordering_holds", r->ordering_holds);
    vs_json_num(&j, "v_drive_v", a->p.v_drive_v);
    vs_json_num(&j, "bias_v", a->p.bias_v);
    vs_json_num(&j, "weight", a->p.weight);
    vs_json_num(&j, "tau_syn_s", a->p.tau_syn_s);
    vs_json_num(&j, "t_end_s", a->p.t_end_s);
    vs_json_num(&j, "dt_s", a->p.dt_s);
    vs_json_str(&j, "device", r->device_label);
    vs_device_json(&j, "device_params", &r->dev);
    train_json_circuit(&j, &a->circ);
    vs_json_str(&j, "raster_csv", a->out);
    vs_json_str(&j, "waves_csv", r->waves_csv);
    vs_json_end(&j);
}

/* The summary as text: rates and counts per neuron, the adders, the ordering, the files. */
static void print_text(const net2x2_args *a, const net2x2_result *r, const char *png)
{
    printf("neuron  rate over [%g, %g) us   spikes in [%g, %g) us\n", a->w0 * 1e6, a->w1 * 1e6, a->r0 * 1e6,
           a->r1 * 1e6);
    for (int k = 0; k < 4; k++)
        printf("%-6s  %8.1f kHz %22zu\n", net2x2_names[k], r->rates_hz[k] / 1e3, r->spikes_in_window[k]);
    printf("adder outputs: (2,1) mean %.2f V [%.2f, %.2f], (2,2) mean %.2f V [%.2f, %.2f]\n", r->v_in_mean_v[0],
           r->v_in_min_v[0], r->v_in_max_v[0], r->v_in_mean_v[1], r->v_in_min_v[1], r->v_in_max_v[1]);
    printf("ordering v(2,1) > v(1,1) = v(1,2) > v(2,2): %s\nwrote %s, %s%s%s\n",
           r->ordering_holds ? "holds" : "does NOT hold", a->out, r->waves_csv, a->plot ? ", " : "",
           a->plot ? png : "");
}

int net2x2_exec(const char *prog, const net2x2_args *a, net2x2_result *r)
{
    if (check_windows(prog, a)) return 1;
    if (cli_device_resolve(prog, &a->dev, &r->dev)) return 1;
    cli_device_label(&r->dev, r->device_label, sizeof r->device_label);
    if (vs_circuit_validate(&a->circ) != VS_OK) return cli_fail(prog);
    if (cli_prepare_output(prog, a->out)) return 1;
    cli_with_suffix(a->out, "_waves.csv", r->waves_csv, sizeof r->waves_csv);
    vs_net2x2_result sim;
    float *waves;
    size_t n;
    if (simulate_net2x2(prog, a, &r->dev, &waves, &n, &sim)) return 1;
    int failed = write_raster(prog, a->out, sim.neuron, 4);
    if (!failed) failed = write_waves(prog, r->waves_csv, waves, n, a->p.dt_s);
    free(waves);
    summarize(a, &sim, r);
    vs_net2x2_result_free(&sim);
    if (!failed && a->plot) {
        char png[4096];
        cli_with_suffix(a->out, ".png", png, sizeof png);
        failed = plot_net2x2(prog, a, png);
    }
    return failed;
}

int cmd_net2x2(int argc, char **argv)
{
    const char *prog = "vo2snn net2x2";
    net2x2_args a;
    int rc = parse_args(argc, argv, prog, &a);
    if (rc != CLI_GO_ON) return rc;
    static net2x2_result r;
    if (net2x2_exec(prog, &a, &r)) return 1;
    char png[4096];
    cli_with_suffix(a.out, ".png", png, sizeof png);
    if (a.json)
        net2x2_json(stdout, &a, &r);
    else
        print_text(&a, &r, png);
    return 0;
}
