/* cmd_osc.c -- `vo2snn osc`: transient simulation of one neuron under a chosen input. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmd_osc.h"
#include "commands.h"
#include "common.h"
#include "vo2snn/json.h"
#include "vo2snn/measured.h"

static const char details[] =
    CLI_INPUT_HELP
    "Statistics use the window [0.3 t_end, t_end] unless --window-start/--window-end\n"
    "say otherwise. A spike is the device's switched (metallic) fraction rising through\n"
    "the midpoint of its own swing (0.5 for a full swing, re-armed near 0.1; partial\n"
    "swings count too; see include/vo2snn/spikes.h), located on the integrator's dense\n"
    "output, so results do not depend on --dt-out. Writes the trace\n"
    "CSV (--out), the spike list (<out>_spikes.csv) and with --plot a PNG of V_in (or\n"
    "I_in), V_osc and V_spike (<out>.png).\n"
    "--measured FILE reads a waveform (docs/measured-data.md: t_s, v_in_v or i_in_a, and a\n"
    "response v_osc_v, v_dev_v, i_dev_a or v_spike_v) before simulating and draws it over\n"
    "the input panel and the panel of its response (V_osc, V_spike, or a fourth panel of\n"
    "V_dev = V_osc - V_spike or I_dev); its input must be of the run's kind (a voltage, or a\n"
    "current with --i-*). The samples are copied to <out>_measured.csv, which the plot reads.";

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

/* The statistics window r->w0..w1, named by the flags that set its ends: inside
   [0, t_end], not empty. */
static int check_window(const char *prog, const osc_args *a, const osc_result *r)
{
    const char *start = a->given_w0 ? "--window-start" : "the default --window-start (0.3 t_end)";
    const char *end = a->given_w1 ? "--window-end" : "--t-end";
    if (cli_check_range(prog, start, r->w0, end, r->w1, "s")) return 1;
    if (r->w1 > r->t_end)
        return cli_error(prog, "--window-end (%g s) must not be after --t-end (%g s)", r->w1, r->t_end);
    return 0;
}

/* --input names a kind cli_input_build knows (a C caller may set any string). */
static int check_input_kind(const char *prog, const char *kind)
{
    for (int i = 0; kind && cli_input_choices[i]; i++)
        if (strcmp(kind, cli_input_choices[i]) == 0) return 0;
    return cli_error(prog, "unknown --input '%s' (dc, pulse, sine, square or pwl)", kind ? kind : "(null)");
}

void osc_json(FILE *f, const osc_args *a, const osc_result *res)
{
    const vs_neuron_result *r = &res->sim;
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_str(&j, "command", "osc");
    vs_json_str(&j, "device", res->label);
    vs_json_str(&j, "input", res->input_desc);
    vs_json_num(&j, "r_series_ohm", a->circ.r_series_ohm);
    vs_json_num(&j, "c_f", a->circ.c_f);
    vs_json_num(&j, "r_sense_ohm", a->circ.r_sense_ohm);
    vs_json_num(&j, "t_end_s", res->t_end);
    vs_json_nums(&j, "window_s", (const double[]){res->w0, res->w1}, 2);
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
    vs_json_str(&j, "trace_csv", a->out);
    vs_json_str(&j, "spikes_csv", res->spikes_csv);
    vs_json_str(&j, "plot_png", cli_measured_plot(a->plot, a->measured) ? res->png : NULL);
    cli_json_measured(&j, a->measured, (long)res->measured_points, res->measured_response, res->measured_csv);
    vs_json_end(&j);
}

static void print_text(const osc_args *a, const osc_result *res)
{
    const vs_neuron_result *r = &res->sim;
    if (res->source == VS_SOURCE_CURRENT) /* injected into the node: R_s is not in the path */
        printf("%s, %s into the node; C %g F, R_sense %g Ohm; %g s simulated\n", res->label,
               res->input_desc, a->circ.c_f, a->circ.r_sense_ohm, res->t_end);
    else
        printf("%s, %s; R_s %g Ohm, C %g F, R_sense %g Ohm; %g s simulated\n", res->label,
               res->input_desc, a->circ.r_series_ohm, a->circ.c_f, a->circ.r_sense_ohm, res->t_end);
    printf("  spikes              %zu (%zu positive, %zu inverted), %zu in window [%g, %g] s\n",
           r->n_spikes, r->n_positive, r->n_negative, r->n_spikes_window, res->w0, res->w1);
    if (r->n_spikes) printf("  first spike         %.4g s\n", r->spike_t_s[0]);
    printf("  frequency           %.6g Hz\n", r->freq_hz);
    printf("  V_osc min / max     %.4g / %.4g V (%.4g V p-p)\n", r->v_osc_min_v, r->v_osc_max_v,
           r->v_osc_max_v - r->v_osc_min_v);
    printf("  V_spike peak        %.4g V (I peak %.4g A)\n", r->v_spike_peak_v, r->i_peak_a);
    printf("  mean power in/dev   %.4g / %.4g W\n", r->p_in_mean_w, r->p_dev_mean_w);
    printf("  energy per spike    %.4g J from the source, %.4g J in the device\n",
           r->e_in_per_spike_j, r->e_dev_per_spike_j);
    printf("  peak temperature    %.4g K; final m %.3g\n", r->temp_max_k, r->m_end);
    if (a->measured)
        printf("measured: %s, %zu samples of %s\n", a->measured, res->measured_points, res->measured_response);
    printf("wrote %s, %s%s%s%s%s\n", a->out, res->spikes_csv, a->measured ? ", " : "",
           a->measured ? res->measured_csv : "", a->plot ? ", " : "", a->plot ? res->png : "");
}

/* What the simulation runs on, resolved from the arguments. */
typedef struct osc_job {
    vs_device_params dev;
    vs_input in;               /* freed by osc_exec */
    vs_sim_opts o;
    vs_meas_trace meas;        /* --measured, if given; freed by osc_exec */
} osc_job;

void osc_defaults(osc_args *a)
{
    *a = (osc_args){
        .dev = CLI_DEVICE_DEFAULTS, .circ = vs_circuit_default(), .solver = CLI_SOLVER_DEFAULTS,
        .in = CLI_INPUT_DEFAULTS, .out = "out/osc.csv",
        .t_end = 200e-6, .w0 = NAN, .w1 = NAN, .dt_out = 0, .seed = 1,
    };
}

/* Fill a from argv: CLI_GO_ON, or the exit status (cli_parse). */
static int parse_args(int argc, char **argv, const char *prog, osc_args *a)
{
    osc_defaults(a);
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
        CLI_MEASURED_OPT(a->measured, "measured waveform"),
    };
    int rc = cli_parse(prog, "Simulate the VO2-x relaxation-oscillator neuron (paper Fig 3A) in time.",
                         details,
        opts, CLI_N_OPTS(opts), argc, argv);
    a->plot = cli_measured_plot(a->plot, a->measured);
    return rc;
}

/* The solver options: --t-end (default from the input), the statistics window (into r),
   --dt-out and --seed, each checked. */
static int settle_sim_opts(const char *prog, const osc_args *a, osc_job *job, osc_result *r)
{
    vs_sim_opts *o = &job->o;
    r->t_end = a->given_t_end ? a->t_end : cli_input_default_t_end(&job->in);
    *o = vs_sim_opts_default();
    cli_solver_apply(&a->solver, o);
    o->t_end_s = r->t_end;
    r->w0 = a->given_w0 ? a->w0 : 0.3 * r->t_end;
    r->w1 = a->given_w1 ? a->w1 : r->t_end;
    if (check_window(prog, a, r)) return 1;
    o->t_window0_s = r->w0;
    o->t_window1_s = r->w1;
    o->dt_out_s = a->dt_out > 0 ? a->dt_out : r->t_end / 20000.0;
    o->seed = (uint64_t)a->seed;
    return check_budgets(prog, o);
}

/* Read --measured into job->meas (one line naming file:line and column if it is wrong) and
   name its copy; its input must be of the run's kind. On failure job->meas holds nothing. */
static int read_measured(const char *prog, const osc_args *a, osc_job *job, osc_result *r)
{
    if (cli_measured_path(prog, a->out, r->measured_csv, sizeof r->measured_csv)) return 1;
    vs_meas_trace *m = &job->meas;
    if (vs_meas_read_trace(a->measured, m) != VS_OK) return cli_error(prog, "--measured: %s", vs_last_error());
    int current = job->in.source == VS_SOURCE_CURRENT;
    if (m->input_is_current != current) {
        cli_error(prog, "--measured: %s: its input column %s is a %s, but the run's input is a %s%s",
                  a->measured, m->input_is_current ? "i_in_a" : "v_in_v",
                  m->input_is_current ? "current" : "voltage", current ? "current" : "voltage",
                  current ? "" : " (give the levels with --i-in, --i-lo/--i-hi, ...)");
        vs_meas_trace_free(m);
        return 1;
    }
    r->measured_points = m->n;
    r->measured_response = m->response_col;
    return 0;
}

/* Build the device, circuit, input, solver options and the measured waveform, and name the
   outputs. On success job->in and job->meas are the caller's to free; on failure they hold
   nothing. */
static int resolve(const char *prog, const osc_args *a, osc_job *job, osc_result *r)
{
    if (cli_device_resolve(prog, &a->dev, &job->dev)) return 1;
    if (vs_circuit_validate(&a->circ) != VS_OK) return cli_fail(prog);
    if (check_input_kind(prog, a->in.kind) || cli_input_build(prog, &a->in, &job->in)) return 1;
    if (settle_sim_opts(prog, a, job, r)) return vs_input_free(&job->in), 1;
    if (a->measured && read_measured(prog, a, job, r)) return vs_input_free(&job->in), 1;
    r->source = job->in.source;
    cli_with_suffix(a->out, "_spikes.csv", r->spikes_csv, sizeof r->spikes_csv);
    cli_with_suffix(a->out, ".png", r->png, sizeof r->png);
    cli_device_label(&job->dev, r->label, sizeof r->label);
    vs_input_describe(&job->in, r->input_desc, sizeof r->input_desc);
    return 0;
}

/* Simulate into r, writing the trace CSV to --out. */
static int simulate(const char *prog, const osc_args *a, const osc_job *job, vs_neuron_result *r)
{
    if (cli_prepare_output(prog, a->out)) return 1;
    vs_csv *csv;
    if (vs_csv_open(a->out, cli_trace_cols_for(&job->in), CLI_TRACE_NCOLS, &csv) != VS_OK)
        return cli_fail(prog);
    if (vs_neuron_simulate(&job->dev, &a->circ, &job->in, &job->o, cli_trace_sample, csv, r) != VS_OK) {
        vs_csv_abort(csv);
        return cli_fail(prog);
    }
    return vs_csv_close(csv) == VS_OK ? 0 : cli_fail(prog);
}

/* The three-panel trace plot of --out, as a->plot asks. */
static int plot_trace(const char *prog, const osc_args *a, const osc_result *r)
{
    if (!a->plot) return 0;
    char script[4096], title[300];
    snprintf(title, sizeof title, "%s, %s", r->label, r->input_desc);
    cli_trace_plot_script(script, sizeof script, a->out, title, r->source);
    return cli_plot(prog, a->plot, script, r->png, 900, 800);
}

/* The trace plot with the measured waveform (dashed, black) over the input panel and the panel
   of its response: V_osc, V_spike, or a fourth panel for V_dev (V_osc - V_spike) or I_dev. */
static int plot_measured(const char *prog, const osc_args *a, const osc_result *r, const vs_meas_trace *m)
{
    const char *cols[3] = {"t_s", m->input_is_current ? "i_in_a" : "v_in_v", m->response_col};
    if (cli_write_measured(prog, r->measured_csv, cols, 3, (const double *const[]){m->t_s, m->input, m->response},
                           m->n, NULL, NULL))
        return 1;
    const char *resp = m->response_col;
    int current = r->source == VS_SOURCE_CURRENT;
    int fourth = strcmp(resp, "v_dev_v") == 0 || strcmp(resp, "i_dev_a") == 0;
    /* per panel: y label, the model's column expression, the measured one (or NULL) */
    const char *panel[4][3] = {
        {current ? "I_{in} (mA)" : "V_{in} (V)", current ? "($2*1e3)" : "2", current ? "($2*1e3)" : "2"},
        {"V_{osc} (V)", "3", strcmp(resp, "v_osc_v") == 0 ? "3" : NULL},
        {"V_{spike} (V)", "4", strcmp(resp, "v_spike_v") == 0 ? "3" : NULL},
        {strcmp(resp, "v_dev_v") == 0 ? "V_{dev} (V)" : "I_{dev} (mA)",
         strcmp(resp, "v_dev_v") == 0 ? "($3-$4)" : "($5*1e3)", strcmp(resp, "v_dev_v") == 0 ? "3" : "($3*1e3)"},
    };
    static const char *const color[4] = {"#1f77b4", "#2ca02c", "#d62728", "#9467bd"};
    int n_panels = fourth ? 4 : 3;
    char script[32768], title[300], qtitle[600];
    snprintf(title, sizeof title, "%s, %s", r->label, r->input_desc);
    cli_plot_quote(title, qtitle, sizeof qtitle);
    size_t n = (size_t)snprintf(script, sizeof script,
                                "set datafile separator ','\nset multiplot layout %d,1 title '%s'\n"
                                "set lmargin 12\nset grid\nset key top right opaque\n", n_panels, qtitle);
    for (int k = 0; k < n_panels && n < sizeof script; k++) {
        if (k == n_panels - 1) n += (size_t)snprintf(script + n, sizeof script - n, "set xlabel 'time (µs)'\n");
        if (n >= sizeof script) break;
        n += (size_t)snprintf(script + n, sizeof script - n,
                              "set ylabel '%s'\nplot '%s' every ::1 using ($1*1e6):%s with lines lw 1.5 lc rgb '%s' %s",
                              panel[k][0], a->out, panel[k][1], color[k], panel[k][2] ? "title 'model'" : "notitle");
        if (n >= sizeof script) break;
        if (panel[k][2])
            n += (size_t)snprintf(script + n, sizeof script - n,
                                  ", \\\n     '%s' every ::1 using ($1*1e6):%s with lines lw 1 dt 2 lc rgb 'black' "
                                  "title 'measured'", r->measured_csv, panel[k][2]);
        if (n < sizeof script) n += (size_t)snprintf(script + n, sizeof script - n, "\n");
    }
    if (n < sizeof script) snprintf(script + n, sizeof script - n, "unset multiplot\n");
    return cli_plot(prog, cli_measured_plot(a->plot, a->measured), script, r->png, 900, fourth ? 1000 : 800);
}

int osc_exec(const char *prog, const osc_args *a, osc_result *r)
{
    *r = (osc_result){0};
    osc_job job = {.meas = {0}};
    if (resolve(prog, a, &job, r)) return 1;
    int rc = simulate(prog, a, &job, &r->sim);
    vs_input_free(&job.in);
    if (!rc) rc = write_spikes(prog, r->spikes_csv, &r->sim);
    if (!rc) rc = a->measured ? plot_measured(prog, a, r, &job.meas) : plot_trace(prog, a, r);
    vs_meas_trace_free(&job.meas);
    return rc;
}

void osc_result_free(osc_result *r)
{
    vs_neuron_result_free(&r->sim);
}

int cmd_osc(int argc, char **argv)
{
    const char *prog = "vo2snn osc";
    osc_args a;
    int rc = parse_args(argc, argv, prog, &a);
    if (rc != CLI_GO_ON) return rc;
    static osc_result r;
    rc = osc_exec(prog, &a, &r);
    if (rc == 0) {
        if (a.json)
            osc_json(stdout, &a, &r);
        else
            print_text(&a, &r);
    }
    osc_result_free(&r);
    return rc;
}
