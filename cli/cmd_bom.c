/* cmd_bom.c -- `vo2snn bom`: the resistor list of a trained network deployed on circuits, and
   an ngspice netlist of a subset of it for one test image (issue 14 item 2; docs/variation.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_bom.h"
#include "commands.h"
#include "common.h"
#include "progress.h"
#include "vo2snn/atomic.h"
#include "vo2snn/bom.h"
#include "vo2snn/infer.h"
#include "vo2snn/json.h"
#include "vo2snn/netlist.h"
#include "vo2snn/network.h"
#include "vo2snn/outputs.h"
#include "vo2snn/train.h"
#include "vo2snn/variation.h"

/* ---- lists of neurons -------------------------------------------------------------------- */

/* "0-3", "0,5,7", "2-4,9" of indices below n, no repeats; "none" (if allow_none) is empty.
   1 after one line. */
static int parse_list(const char *prog, const char *opt, const char *text, int n, int allow_none, int *out,
                      int *count, int cap)
{
    *count = 0;
    if (allow_none && strcmp(text, "none") == 0) return 0;
    for (const char *p = text;;) {
        char *end;
        long a = strtol(p, &end, 10), b;
        if (end == p || *p == '-' || *p == '+' || *p == ' ')
            return cli_error(prog, "--%s: '%s' is not a list of neuron indices like 0-3 or 0,5,7%s", opt, text,
                             allow_none ? " (or none)" : "");
        b = a;
        if (*end == '-') {
            const char *q = end + 1;
            b = strtol(q, &end, 10);
            if (end == q || *q == '-' || *q == '+' || *q == ' ')
                return cli_error(prog, "--%s: '%s' is not a list of neuron indices like 0-3 or 0,5,7", opt, text);
            if (b < a) return cli_error(prog, "--%s: range %ld-%ld runs backwards", opt, a, b);
        }
        if (*end != ',' && *end != '\0')
            return cli_error(prog, "--%s: '%s' is not a list of neuron indices like 0-3 or 0,5,7", opt, text);
        if (b >= n) return cli_error(prog, "--%s: neuron %ld, but the layer has %d (0 to %d)", opt, b, n, n - 1);
        for (long v = a; v <= b; v++) {
            for (int k = 0; k < *count; k++)
                if (out[k] == v) return cli_error(prog, "--%s: neuron %ld is listed twice", opt, v);
            if (*count >= cap) return cli_error(prog, "--%s: at most %d neurons", opt, cap);
            out[(*count)++] = (int)v;
        }
        if (*end == '\0') break;
        p = end + 1;
    }
    return 0;
}

/* bom.csv: one line per role and value with its count; the BOM's figures into r. */
static int write_bom_csv(const char *prog, const char *path, const vs_bom *b, bom_result *r)
{
    vs_afile *af;
    if (vs_afile_open(path, &af) != VS_OK) return cli_fail(prog);
    FILE *f = vs_afile_stream(af);
    fprintf(f, "value_ohm,count,role\n");
    r->n_resistors = (long)b->n;
    r->n_lines = 0;
    r->r_min_ohm = INFINITY, r->r_max_ohm = 0;
    for (int k = 0; k < VS_BOM_N_ROLES; k++) r->roles[k] = (bom_role){vs_bom_role_name((vs_bom_role)k), 0};
    for (size_t i = 0; i < b->n;) {
        const vs_bom_part *p = &b->parts[i];
        size_t j = i;
        while (j < b->n && b->parts[j].role == p->role && b->parts[j].r_ohm == p->r_ohm) j++;
        fprintf(f, "%.10g,%zu,%s\n", p->r_ohm, j - i, vs_bom_role_name(p->role));
        r->roles[p->role].count += (long)(j - i);
        r->r_min_ohm = fmin(r->r_min_ohm, p->r_ohm);
        r->r_max_ohm = fmax(r->r_max_ohm, p->r_ohm);
        r->n_lines++;
        i = j;
    }
    r->max_weight_error = b->max_weight_error;
    r->max_half_steps = b->max_half_steps;
    r->max_allowed_error = b->series_half_step;
    return vs_afile_commit(af) == VS_OK ? 0 : cli_fail(prog);
}

/* ---- the netlist of the subset --------------------------------------------------------- */

static int write_netlist(const char *prog, const bom_args *a, const bom_result *r, const vs_device_params *dev)
{
    char path[4096], title[256], series[16] = "exact values";
    snprintf(path, sizeof path, "%s/network.cir", a->out);
    if (r->e_series) snprintf(series, sizeof series, "E%d", r->e_series);
    snprintf(title, sizeof title, "checkpoint %.120s, test image %ld (label %d), %g us, resistors: %s", a->checkpoint,
             r->image, r->label, r->io.window_s * 1e6, series);
    vs_netlist_subnet sn = vs_bom_subset_netlist(&r->sub, &r->io, title);
    vs_netlist_opts no = vs_netlist_opts_default();
    no.t_max_step_s = a->h_max_s;
    no.wrdata_path = a->wrdata;
    vs_afile *af;
    if (vs_afile_open(path, &af) != VS_OK) return cli_fail(prog);
    if (vs_netlist_write_subnet(vs_afile_stream(af), dev, &r->info.circuit, &sn, &no) != VS_OK) {
        vs_afile_abort(af);
        return cli_fail(prog);
    }
    return vs_afile_commit(af) == VS_OK ? 0 : cli_fail(prog);
}

/* ---- summary ----------------------------------------------------------------------------- */

static void json_ints(vs_json *j, const char *key, const int *v, int n)
{
    double d[BOM_MAX_SUBSET];
    for (int k = 0; k < n; k++) d[k] = v[k];
    vs_json_nums(j, key, d, (size_t)n);
}

void bom_json(FILE *f, const bom_args *a, const bom_result *r)
{
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_str(&j, "command", "bom");
    vs_json_str(&j, "checkpoint", a->checkpoint);
    train_json_data(&j, a->dataset, &r->test, NULL);
    char name[8];
    snprintf(name, sizeof name, "E%d", r->e_series);
    if (r->e_series) vs_json_str(&j, "e_series", name);
    else vs_json_null(&j, "e_series");
    vs_json_str(&j, "values", r->e_series ? "nearest series value of R_f/|g| (nominal, no tolerance draw)"
                                          : "exact R_f/|g|");
    vs_json_num(&j, "r_feedback_ohm", r->io.opamp.r_feedback_ohm);
    vs_json_int(&j, "resistors", r->n_resistors);
    vs_json_int(&j, "bom_lines", r->n_lines);
    vs_json_object(&j, "roles");
    for (int k = 0; k < VS_BOM_N_ROLES; k++) vs_json_int(&j, r->roles[k].name, r->roles[k].count);
    vs_json_close(&j);
    vs_json_num(&j, "r_min_ohm", r->r_min_ohm);
    vs_json_num(&j, "r_max_ohm", r->r_max_ohm);
    vs_json_num(&j, "max_weight_error", r->max_weight_error);
    vs_json_num(&j, "max_weight_error_half_steps", r->max_half_steps);
    vs_json_num(&j, "series_half_step", r->max_allowed_error);
    vs_json_num(&j, "c_feedback_f", r->io.tau_syn_s / r->io.opamp.r_feedback_ohm);
    vs_json_object(&j, "subset");
    vs_json_int(&j, "image", r->image);
    vs_json_int(&j, "label", r->label);
    vs_json_num(&j, "window_s", r->io.window_s);
    vs_json_str(&j, "input_layer", "PWL sources of the input layer's summed drive into each hidden adder");
    json_ints(&j, "hidden", r->sub_hidden, r->n_sub_hidden);
    json_ints(&j, "outputs", r->sub_out, r->n_sub_out);
    json_ints(&j, "hidden_spikes", r->sub.hidden_spikes, r->n_sub_hidden);
    json_ints(&j, "output_spikes", r->sub.out_spikes, r->n_sub_out);
    json_ints(&j, "hidden_spikes_full_network", r->sub.hidden_spikes_full, r->n_sub_hidden);
    json_ints(&j, "output_spikes_full_network", r->sub.out_spikes_full, r->n_sub_out);
    vs_json_close(&j);
    char p[4200];
    snprintf(p, sizeof p, "%s/bom.csv", a->out);
    vs_json_str(&j, "bom_csv", p);
    snprintf(p, sizeof p, "%s/network.cir", a->out);
    vs_json_str(&j, "netlist", p);
    vs_json_str(&j, "wrdata", a->wrdata);
    vs_json_num(&j, "seconds", r->seconds);
    vs_json_object(&j, "circuit_network");
    vs_json_str(&j, "opamp", "ideal");
    vs_json_num(&j, "tau_syn_s", r->io.tau_syn_s);
    vs_json_num(&j, "dt_s", r->io.dt_s);
    vs_json_num(&j, "h_max_s", a->h_max_s);              /* ngspice's TMAX */
    vs_json_num(&j, "vo2snn_h_max_s", r->io.sim.h_max_s);  /* vo2snn's largest step: the grid */
    vs_json_num(&j, "vo2snn_rtol", r->io.sim.rtol);
    vs_json_close(&j);
    train_json_checkpoint(&j, &r->info, &r->t);
    vs_json_end(&j);
}

static void print_counts(const char *what, const int *idx, const int *sub, const int *full, int n)
{
    printf("%s", what);
    for (int k = 0; k < n; k++) printf("%s%d: %d (%d)", k ? ", " : " ", idx[k], sub[k], full[k]);
    printf("\n");
}

static void print_summary(const bom_args *a, const bom_result *r)
{
    printf("%ld resistors in %ld lines (%s), %.4g to %.4g Ohm; wrote %s/bom.csv\n", r->n_resistors, r->n_lines,
           r->e_series ? (r->e_series == 12 ? "E12" : r->e_series == 24 ? "E24" : r->e_series == 48 ? "E48" : "E96")
                       : "exact values",
           r->r_min_ohm, r->r_max_ohm, a->out);
    printf("roles:");
    for (int k = 0; k < VS_BOM_N_ROLES; k++) printf(" %s %ld", r->roles[k].name, r->roles[k].count);
    printf("\nrealised weight error: max %.3g %% (%.3f of half a series step)\n", 100 * r->max_weight_error,
           r->max_half_steps);
    printf("netlist %s/network.cir: test image %ld (label %d), %g us; spikes in vo2snn (whole network in brackets):\n",
           a->out, r->image, r->label, r->io.window_s * 1e6);
    print_counts("  hidden", r->sub_hidden, r->sub.hidden_spikes, r->sub.hidden_spikes_full, r->n_sub_hidden);
    print_counts("  output", r->sub_out, r->sub.out_spikes, r->sub.out_spikes_full, r->n_sub_out);
    printf("run it with: cd %s && ngspice -b network.cir   (writes %s)\n", a->out, a->wrdata);
}

/* ---- command ----------------------------------------------------------------------------- */

void bom_defaults(bom_args *a)
{
    *a = (bom_args){.checkpoint = "out/train/checkpoint.vsck", .dataset = "mnist", .hidden = "0-3",
                    .outputs = "0-9", .image = 0, .window_s = vs_infer_opts_default().window_s,
                    .h_max_s = vs_netlist_opts_default().t_max_step_s, .dt_s = vs_infer_opts_default().dt_s, .wrdata = "network.dat", .out = "out/bom"};
}

static int parse_bom_args(int argc, char **argv, const char *prog, bom_args *a)
{
    bom_defaults(a);
    const opt_spec opts[] = {
        CLI_CHECKPOINT_OPT(a->checkpoint, CLI_CHECKPOINT_IN_HELP),
        CLI_DATA_OPTS(a->data, a->dataset),
        {.name = "e-series", .kind = OPT_STRING, .metavar = "E", .help = "round every resistor to E12, E24, E48 or E96 (nearest value; default: exact values)", .dest = &a->e_series},
        {.name = "hidden", .kind = OPT_STRING, .metavar = "LIST", .help = "hidden neurons of the netlist, e.g. 0-3 or 0,5,7", .dest = &a->hidden},
        {.name = "outputs", .kind = OPT_STRING, .metavar = "LIST", .help = "output neurons of the netlist, e.g. 0-9, or none", .dest = &a->outputs},
        {.name = "image", .kind = OPT_LONG, .metavar = "N", .help = "test image shown to the netlist's neurons", .dest = &a->image, .min = 0, .max = 1e9},
        {.name = "window", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "presentation time of the image (the netlist's stop time)", .dest = &a->window_s, .min = 1e-6, .max = 1e-3},
        {.name = "dt-grid", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "waveform grid between layers in vo2snn (as infer's; also its integrator's largest step), and of the netlist's PWL drives", .dest = &a->dt_s, .min = 1e-10, .max = 1e-6},
        {.name = "h-max", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "largest time step of ngspice (TMAX of .tran)", .dest = &a->h_max_s, .min = 1e-12, .max = 1e-6},
        {.name = "wrdata", .kind = OPT_STRING, .metavar = "FILE", .help = "data file the netlist's .control block writes, relative to where ngspice runs", .dest = &a->wrdata},
        CLI_OUT_OPT(a->out, "DIR", "output directory"),
        CLI_CACHE_OPT(a->cache),
        CLI_JSON_OPT(a->json),
    };
    return cli_parse(prog, "The resistor list of a trained network on circuits, and an ngspice netlist of a subset.",
        "bom.csv (value_ohm,count,role) lists every resistor of the two-stage adders, from the\n"
        "gains the circuit network realises (as `vo2snn infer` runs it): per synapse R_f/|g|,\n"
        "g = w/s_peak (synapse_exc into stage 1, synapse_inh into stage 2); per hidden and output\n"
        "neuron stage 1's feedback R_f/K (attenuation) and stage 2's input from stage 1, R_f/K\n"
        "(coupling), when it has excitatory synapses; stage 2's feedback R_f (feedback); and R_f\n"
        "from its reference V_ref = -B (bias) when B != 0. With --e-series every value is the\n"
        "nearest series value (nominal: no tolerance), and the realised weights are within half\n"
        "a series step of the trained ones (max_weight_error in the summary). The neurons'\n"
        "own R_s and R_sense are the checkpoint's circuit and not listed.\n"
        "network.cir: an ngspice netlist of --hidden and --outputs for test image --image over\n"
        "--window: each hidden neuron driven through its adder by the input layer's summed drive\n"
        "(PWL sources sampled from vo2snn's own input-layer waveforms), each output neuron through\n"
        "its adder by the chosen hidden neurons only (the others silent); ideal op-amps with the\n"
        "R_f || C_f low-pass, the device as behavioural sources, its jitter left out. vo2snn runs\n"
        "the same subset (its integrator's largest step the --dt-grid, not infer's 3 us) and\n"
        "prints its spike counts (and those in the whole network). Run the\n"
        "netlist with: cd DIR && ngspice -b network.cir; it writes time and V(m) of each neuron.",
        opts, CLI_N_OPTS(opts), argc, argv);
}

void bom_result_free(bom_result *r)
{
    vs_bom_subset_free(&r->sub);
    vs_transfer_free(&r->t);
    vs_dataset_free(&r->test);
}

/* The checkpoint's header, the lists and the test image, checked before any work. */
static int bom_inputs(const char *prog, const bom_args *a, bom_result *r)
{
    r->e_series = 0;
    if (a->e_series && (r->e_series = vs_eseries_parse(a->e_series)) < 0)
        return cli_error(prog, "--e-series: '%s' is not E12, E24, E48, E96 or none", a->e_series);
    if (!a->wrdata[0] || strpbrk(a->wrdata, " \t\r\n\"'`;"))
        return cli_error(prog, "--wrdata: '%s' is empty or contains white space, a quote or ';'", a->wrdata);
    r->io = vs_bom_infer_opts(a->window_s, a->dt_s, r->e_series);
    if (vs_infer_opts_check(&r->io) != VS_OK) return cli_error(prog, "--window, --dt-grid: %s", vs_last_error());
    if (a->h_max_s > a->window_s) return cli_error(prog, "--h-max %g s is longer than --window %g s", a->h_max_s, a->window_s);
    if (vs_outputs_protect(a->checkpoint) != VS_OK || vs_checkpoint_load_info(a->checkpoint, &r->info) != VS_OK)
        return cli_fail(prog);
    if (r->info.cfg.n_layers != 2 || r->info.cfg.sizes[2] != 10)
        return cli_error(prog, "%s: the circuit network needs an input-hidden-10 network", a->checkpoint);
    r->n_hid = r->info.cfg.sizes[1];
    if (parse_list(prog, "hidden", a->hidden, r->n_hid, 0, r->sub_hidden, &r->n_sub_hidden, BOM_MAX_SUBSET) ||
        parse_list(prog, "outputs", a->outputs, 10, 1, r->sub_out, &r->n_sub_out, 10))
        return 1;
    if (train_load_split(prog, a->data, a->dataset, "t10k", &r->test)) return 1;
    if (train_check_checkpoint_fits(prog, a->checkpoint, &r->info, &r->test)) return 1;
    if ((size_t)a->image >= r->test.n)
        return cli_error(prog, "--image %ld: '%s' has %zu images (0 to %zu)", a->image, r->test.images_path, r->test.n,
                         r->test.n - 1);
    r->image = a->image;
    r->label = r->test.labels[a->image];
    return 0;
}

static int bom_run(const char *prog, const bom_args *a, bom_result *r)
{
    vs_mlp *m = NULL;
    vs_infer_net *net = NULL;
    vs_bom b = {0};
    if (vs_checkpoint_load(a->checkpoint, &r->t, 256, &r->info, &m) != VS_OK) return cli_fail(prog);
    /* the nominal device: the netlist has no jitter, so neither has the comparison */
    vs_device_params dev = vs_device_nominal(&r->info.device);
    int failed = 0;
    if (vs_infer_net_new(m, &r->t, &dev, &r->info.circuit, &r->io, &net) != VS_OK ||
        vs_bom_build(net, m, r->t.s_peak_v, &r->io, &b) != VS_OK)
        failed = cli_fail(prog);
    const uint8_t *img = vs_dataset_image(&r->test, (size_t)r->image);
    if (!failed && vs_mkdir_p(a->out) != VS_OK) failed = cli_fail(prog);
    const vs_bom_deployed d = {.net = net, .t = &r->t, .dev = &dev, .c = &r->info.circuit, .o = &r->io,
                               .n_hidden_layer = r->n_hid};
    if (!failed && vs_bom_subset_run(&d, img, r->sub_hidden, r->n_sub_hidden, r->sub_out, r->n_sub_out, &r->sub) != VS_OK)
        failed = cli_fail(prog);
    char path[4096];
    snprintf(path, sizeof path, "%s/bom.csv", a->out);
    if (!failed) failed = write_bom_csv(prog, path, &b, r);
    if (!failed) failed = write_netlist(prog, a, r, &dev);
    vs_bom_free(&b);
    vs_infer_net_free(net);
    vs_mlp_free(m);
    return failed;
}

static int write_summary(const char *prog, const bom_args *a, const bom_result *r)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.json", a->out);
    vs_afile *af;
    if (vs_afile_open(path, &af) != VS_OK) return cli_fail(prog);
    bom_json(vs_afile_stream(af), a, r);
    return vs_afile_commit(af) == VS_OK ? 0 : cli_fail(prog);
}

int bom_exec(const char *prog, const bom_args *a, bom_result *r)
{
    memset(r, 0, sizeof *r);
    double t0 = progress_now();
    int failed = bom_inputs(prog, a, r) ||
                 train_build_transfer(prog, &r->info.device, &r->info.circuit, &r->info.transfer, a->cache, &r->t) ||
                 bom_run(prog, a, r);
    r->seconds = progress_now() - t0;
    if (!failed) failed = write_summary(prog, a, r);
    train_release_pixels(&r->test);
    if (failed) bom_result_free(r);
    return failed;
}

int cmd_bom(int argc, char **argv)
{
    const char *prog = "vo2snn bom";
    bom_args a;
    int rc = parse_bom_args(argc, argv, prog, &a);
    if (rc != CLI_GO_ON) return rc;
    static bom_result r;
    if (bom_exec(prog, &a, &r)) return 1;
    if (a.json) bom_json(stdout, &a, &r);
    else print_summary(&a, &r);
    bom_result_free(&r);
    return 0;
}
