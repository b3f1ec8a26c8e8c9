/* cmd_osc.c -- `vo2snn osc`: transient simulation of one neuron under a chosen input. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "common.h"
#include "vo2snn/json.h"

typedef struct osc_args {
    cli_device_args dev;
    vs_circuit circ;
    cli_solver_args solver;
    cli_input_args in;
    const char *out;
    int given_t_end, given_w0, given_w1;
    double t_end, w0, w1, dt_out;
    long seed;
    int json, plot;
} osc_args;

static const char details[] =
    CLI_INPUT_HELP
    "Statistics use the window [0.3 t_end, t_end] unless --window-start/--window-end\n"
    "say otherwise. A spike is the device's switched (metallic) fraction rising through\n"
    "the midpoint of its own swing (0.5 for a full swing, re-armed near 0.1; partial\n"
    "swings count too; see include/vo2snn/spikes.h), located on the integrator's dense\n"
    "output, so results do not depend on --dt-out. Writes the trace\n"
    "CSV (--out), the spike list (<out>_spikes.csv) and with --plot a PNG of V_in (or\n"
    "I_in), V_osc and V_spike (<out>.png).";

static int write_spikes(const char *prog, const char *path, const vs_neuron_result *r)
{
    static const char *const cols[] = {"index", "t_s", "sign"};
    vs_csv *w;
    if (vs_csv_open(path, cols, 3, &w) != VS_OK) return cli_fail(prog);
    for (size_t k = 0; k < r->n_spikes; k++) {
        double row[3] = {(double)k, r->spike_t_s[k], r->spike_sign[k]};
        if (vs_csv_row(w, row) != VS_OK) {
            vs_csv_abort(w);
            return cli_fail(prog);
        }
    }
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

/* The run's step and trace budgets, named by their flags, before any output is opened. */
static int check_budgets(const char *prog, const vs_sim_opts *o)
{
    if (vs_sim_check_steps(o, o->t_end_s, "--dt", "--h-max") != VS_OK)
        return cli_error(prog, "%s; raise %s or shorten --t-end", vs_last_error(),
                         o->method == VS_ODE_RK4 ? "--dt" : "--h-max");
    if (vs_ode_check_budget("--dt-out", o->dt_out_s, o->t_end_s, VS_MAX_TRACE_SAMPLES, "trace samples") != VS_OK)
        return cli_error(prog, "%s; raise --dt-out or shorten --t-end", vs_last_error());
    return 0;
}

/* The statistics window, named by the flags that set its ends: inside [0, t_end], not empty. */
static int check_window(const char *prog, const osc_args *a)
{
    const char *start = a->given_w0 ? "--window-start" : "the default --window-start (0.3 t_end)";
    const char *end = a->given_w1 ? "--window-end" : "--t-end";
    if (cli_check_range(prog, start, a->w0, end, a->w1, "s")) return 1;
    if (a->w1 > a->t_end)
        return cli_error(prog, "--window-end (%g s) must not be after --t-end (%g s)", a->w1, a->t_end);
    return 0;
}

static void print_json(const osc_args *a, const char *label, const char *input_desc,
                       const vs_neuron_result *r, const char *csv, const char *spikes,
                       const char *png)
{
    vs_json j;
    vs_json_begin(&j, stdout);
    vs_json_str(&j, "command", "osc");
    vs_json_str(&j, "device", label);
    vs_json_str(&j, "input", input_desc);
    vs_json_num(&j, "r_series_ohm", a->circ.r_series_ohm);
    vs_json_num(&j, "c_f", a->circ.c_f);
    vs_json_num(&j, "r_sense_ohm", a->circ.r_sense_ohm);
    vs_json_num(&j, "t_end_s", a->t_end);
    vs_json_nums(&j, "window_s", (const double[]){a->w0, a->w1}, 2);
    vs_json_int(&j, "spikes", (long long)r->n_spikes);
    vs_json_int(&j, "spikes_positive", (long long)r->n_positive);
    vs_json_int(&j, "spikes_negative", (long long)r->n_negative);
    vs_json_int(&j, "spikes_in_window", (long long)r->n_spikes_window);
    vs_json_num(&j, "first_spike_s", r->n_spikes ? r->spike_t_s[0] : (double)NAN);
    vs_json_num(&j, "freq_hz", r->freq_hz);
    vs_json_num(&j, "v_osc_min_v", r->v_osc_min_v);
    vs_json_num(&j, "v_osc_max_v", r->v_osc_max_v);
    vs_json_num(&j, "amplitude_pp_v", r->v_osc_max_v - r->v_osc_min_v);
    vs_json_num(&j, "v_spike_peak_v", r->v_spike_peak_v);
    vs_json_num(&j, "i_peak_a", r->i_peak_a);
    vs_json_num(&j, "p_in_mean_w", r->p_in_mean_w);
    vs_json_num(&j, "p_dev_mean_w", r->p_dev_mean_w);
    vs_json_num(&j, "e_in_per_spike_j", r->e_in_per_spike_j);
    vs_json_num(&j, "e_dev_per_spike_j", r->e_dev_per_spike_j);
    vs_json_num(&j, "m_min_window", r->m_min);
    vs_json_num(&j, "temp_max_k", r->temp_max_k);
    vs_json_object(&j, "energy_j");
    vs_json_num(&j, "source", r->e_in_j);
    vs_json_num(&j, "series_resistor", r->e_series_j);
    vs_json_num(&j, "device", r->e_dev_j);
    vs_json_num(&j, "sense_resistor", r->e_sense_j);
    vs_json_num(&j, "capacitor_final", r->e_cap_j);
    vs_json_close(&j);
    vs_json_int(&j, "steps", r->n_steps);
    vs_json_int(&j, "rejected_steps", r->n_rejected);
    vs_json_str(&j, "trace_csv", csv);
    vs_json_str(&j, "spikes_csv", spikes);
    vs_json_str(&j, "plot_png", png);
    vs_json_end(&j);
}

static void print_text(const osc_args *a, const char *label, const char *input_desc,
                       vs_input_source source, const vs_neuron_result *r)
{
    if (source == VS_SOURCE_CURRENT) /* injected into the node: R_s is not in the path */
        printf("%s, %s into the node; C %g F, R_sense %g Ohm; %g s simulated\n", label,
               input_desc, a->circ.c_f, a->circ.r_sense_ohm, a->t_end);
    else
        printf("%s, %s; R_s %g Ohm, C %g F, R_sense %g Ohm; %g s simulated\n", label, input_desc,
               a->circ.r_series_ohm, a->circ.c_f, a->circ.r_sense_ohm, a->t_end);
    printf("  spikes              %zu (%zu positive, %zu inverted), %zu in window [%g, %g] s\n",
           r->n_spikes, r->n_positive, r->n_negative, r->n_spikes_window, a->w0, a->w1);
    if (r->n_spikes) printf("  first spike         %.4g s\n", r->spike_t_s[0]);
    printf("  frequency           %.6g Hz\n", r->freq_hz);
    printf("  V_osc min / max     %.4g / %.4g V (%.4g V p-p)\n", r->v_osc_min_v, r->v_osc_max_v,
           r->v_osc_max_v - r->v_osc_min_v);
    printf("  V_spike peak        %.4g V (I peak %.4g A)\n", r->v_spike_peak_v, r->i_peak_a);
    printf("  mean power in/dev   %.4g / %.4g W\n", r->p_in_mean_w, r->p_dev_mean_w);
    printf("  energy per spike    %.4g J from the source, %.4g J in the device\n",
           r->e_in_per_spike_j, r->e_dev_per_spike_j);
    printf("  peak temperature    %.4g K; final m %.3g\n", r->temp_max_k, r->m_end);
}

#define PROG "vo2snn osc"

/* What the simulation runs on and writes to, resolved from the arguments. */
typedef struct osc_job {
    vs_device_params dev;
    vs_input in;               /* freed by run() */
    vs_input_source source;    /* in.source, for the plot and the text once in is freed */
    vs_sim_opts o;
    char spikes_path[4096], png_path[4096], label[64], desc[160];
} osc_job;

/* Fill a from argv; opt_parse's result (< 0 error, > 0 --help printed, 0 go on). */
static int parse_args(int argc, char **argv, osc_args *a)
{
    *a = (osc_args){
        .dev = CLI_DEVICE_DEFAULTS, .circ = vs_circuit_default(), .solver = CLI_SOLVER_DEFAULTS,
        .in = CLI_INPUT_DEFAULTS, .out = "out/osc.csv",
        .t_end = 200e-6, .w0 = NAN, .w1 = NAN, .dt_out = 0, .seed = 1,
    };
    const opt_spec opts[] = {
        CLI_DEVICE_OPTS(a->dev),
        CLI_CIRCUIT_OPTS(a->circ),
        CLI_INPUT_OPTS(a->in),
        {.name = "t-end", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "simulated time (default: depends on the input, see below)", .dest = &a->t_end, .min = 1e-12, .max = 10, .given = &a->given_t_end},
        {.name = "window-start", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "statistics window start (default: 0.3 t_end)", .dest = &a->w0, .min = 0, .max = 10, .given = &a->given_w0},
        {.name = "window-end", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "statistics window end (default: t_end)", .dest = &a->w1, .min = 0, .max = 10, .given = &a->given_w1},
        {.name = "dt-out", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "trace sampling interval (default: t_end/20000, at most 1e7 samples)", .dest = &a->dt_out, .min = 1e-15, .max = 10},
        CLI_SOLVER_OPTS(a->solver),
        {.name = "seed", .kind = OPT_LONG, .metavar = "N", .help = "seed for cycle-to-cycle jitter (with sigma_lnr/sigma_tc > 0)", .dest = &a->seed, .min = 0, .max = 9.2e18},
        CLI_OUTPUT_OPTS(a->out, "CSV", "trace CSV path", a->json, a->plot, "<out>.png"),
    };
    const opt_cmd cmd = {PROG, "Simulate the VO2-x relaxation-oscillator neuron (paper Fig 3A) in time.",
                         details, opts, (int)(sizeof opts / sizeof opts[0]), 0};
    return opt_parse(&cmd, argc, argv, NULL, NULL);
}

/* The solver options: --t-end (default from the input), the statistics window, --dt-out and
   --seed, each checked. */
static int settle_sim_opts(osc_args *a, osc_job *job)
{
    vs_sim_opts *o = &job->o;
    if (!a->given_t_end) a->t_end = cli_input_default_t_end(&job->in);
    *o = vs_sim_opts_default();
    cli_solver_apply(&a->solver, o);
    o->t_end_s = a->t_end;
    a->w0 = a->given_w0 ? a->w0 : 0.3 * a->t_end;
    a->w1 = a->given_w1 ? a->w1 : a->t_end;
    if (check_window(PROG, a)) return 1;
    o->t_window0_s = a->w0;
    o->t_window1_s = a->w1;
    o->dt_out_s = a->dt_out > 0 ? a->dt_out : a->t_end / 20000.0;
    o->seed = (uint64_t)a->seed;
    return check_budgets(PROG, o);
}

/* Build the device, circuit, input and solver options, and name the outputs. On success
   job->in is run()'s to free; on failure it holds nothing. */
static int resolve(osc_args *a, osc_job *job)
{
    if (cli_device_resolve(PROG, &a->dev, &job->dev)) return 1;
    if (vs_circuit_validate(&a->circ) != VS_OK) return cli_fail(PROG);
    if (cli_input_build(PROG, &a->in, &job->in)) return 1;
    if (settle_sim_opts(a, job)) return vs_input_free(&job->in), 1;
    job->source = job->in.source;
    cli_with_suffix(a->out, "_spikes.csv", job->spikes_path, sizeof job->spikes_path);
    cli_with_suffix(a->out, ".png", job->png_path, sizeof job->png_path);
    cli_device_label(&job->dev, job->label, sizeof job->label);
    vs_input_describe(&job->in, job->desc, sizeof job->desc);
    return 0;
}

/* Simulate, writing the trace CSV to --out; on success r is the caller's to free. */
static int simulate(const osc_args *a, const osc_job *job, vs_neuron_result *r)
{
    if (cli_prepare_output(PROG, a->out)) return 1;
    vs_csv *csv;
    if (vs_csv_open(a->out, cli_trace_cols_for(&job->in), CLI_TRACE_NCOLS, &csv) != VS_OK)
        return cli_fail(PROG);
    if (vs_neuron_simulate(&job->dev, &a->circ, &job->in, &job->o, cli_trace_sample, csv, r) != VS_OK) {
        vs_csv_abort(csv);
        vs_neuron_result_free(r);
        return cli_fail(PROG);
    }
    if (vs_csv_close(csv) != VS_OK) {
        vs_neuron_result_free(r);
        return cli_fail(PROG);
    }
    return 0;
}

/* Simulate and write the trace and spike CSVs; frees job->in. On success r is the caller's to
   free. */
static int run(const osc_args *a, osc_job *job, vs_neuron_result *r)
{
    int rc = simulate(a, job, r);
    vs_input_free(&job->in);
    if (rc) return 1;
    if (write_spikes(PROG, job->spikes_path, r)) return vs_neuron_result_free(r), 1;
    return 0;
}

/* The plot (with --plot), then the summary as JSON or text. */
static int write_results(const osc_args *a, const osc_job *job, const vs_neuron_result *r)
{
    const char *png = a->plot ? job->png_path : NULL;
    if (a->plot) {
        char script[4096], title[300];
        snprintf(title, sizeof title, "%s, %s", job->label, job->desc);
        cli_trace_plot_script(script, sizeof script, a->out, title, job->source);
        if (cli_plot(PROG, script, job->png_path, 900, 800)) return 1;
    }
    if (a->json) print_json(a, job->label, job->desc, r, a->out, job->spikes_path, png);
    else {
        print_text(a, job->label, job->desc, job->source, r);
        printf("wrote %s, %s%s%s\n", a->out, job->spikes_path, png ? ", " : "", png ? png : "");
    }
    return 0;
}

int cmd_osc(int argc, char **argv)
{
    osc_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != 0) return rc < 0 ? 1 : 0;
    osc_job job;
    if (resolve(&a, &job)) return 1;
    vs_neuron_result r;
    if (run(&a, &job, &r)) return 1;
    rc = write_results(&a, &job, &r);
    vs_neuron_result_free(&r);
    return rc;
}
