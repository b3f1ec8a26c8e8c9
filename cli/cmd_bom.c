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
#include "vo2snn/infer.h"
#include "vo2snn/json.h"
#include "vo2snn/netlist.h"
#include "vo2snn/network.h"
#include "vo2snn/outputs.h"
#include "vo2snn/train.h"
#include "vo2snn/variation.h"

enum { ROLE_EXC, ROLE_INH, ROLE_ATT, ROLE_COUPLING, ROLE_FEEDBACK, ROLE_BIAS, N_ROLES };
static const char *const role_names[N_ROLES] = {"synapse_exc", "synapse_inh", "attenuation",
                                                "coupling", "feedback", "bias"};

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

/* ---- the resistor list ------------------------------------------------------------------- */

typedef struct bom_entry {
    int role;
    double r_ohm;
} bom_entry;

typedef struct bom_list {
    bom_entry *e;
    size_t n, cap;
} bom_list;

static int bom_add(bom_list *l, int role, double r)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 4096;
        bom_entry *e = realloc(l->e, cap * sizeof *e);
        if (!e) return -1;
        l->e = e, l->cap = cap;
    }
    l->e[l->n++] = (bom_entry){role, r};
    return 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const bom_entry *a = pa, *b = pb;
    if (a->role != b->role) return a->role < b->role ? -1 : 1;
    return a->r_ohm < b->r_ohm ? -1 : a->r_ohm > b->r_ohm;
}

/* A resistor value as bought: the series value (exact for series 0). */
static double as_bought(int series, double r)
{
    return vs_eseries_round(series, r);
}

/* Where the ideal value r_ideal lies against the value R bought for it: |ln(R/r_ideal)| over
   half the ln of the series step that holds r_ideal (<= 1 when R is the nearest value). */
static double half_steps(int series, double r_ideal, double r)
{
    if (series <= 0) return 0.0;
    double step;
    if (r_ideal >= r) step = vs_eseries_step(series, r);
    else step = r / vs_eseries_round(series, r / pow(10.0, 1.0 / series) / 1.0001);
    return fabs(log(r / r_ideal)) / (0.5 * log(step));
}

/* The largest relative error of a value rounded to the series: sqrt(step) - 1 at the widest step. */
static double series_half_step(int series)
{
    if (series <= 0) return 0.0;
    double v = 100.0, worst = 0.0;
    for (int k = 0; k < series; k++) {
        double step = vs_eseries_step(series, v);
        worst = fmax(worst, sqrt(step) - 1.0);
        v = vs_eseries_round(series, v * step);
    }
    return worst;
}

/*
 * Every resistor the adders of layer `layer` need (synapses from the realised gains of net; per
 * target neuron: stage 1's feedback R_f/K and stage 2's input from stage 1, R_f/K, when it has
 * excitatory synapses; stage 2's feedback R_f; R_f from the reference V_ref = -B when B != 0),
 * and the weight errors of the synapses against the trained weights w/s_peak.
 */
static int layer_bom(const vs_infer_net *net, vs_mlp *m, int layer, int n_target, int n_source, double s_peak,
                     double rf, int series, bom_list *l, bom_result *r)
{
    const float *gi, *ge = vs_infer_net_gains(net, layer, &gi);
    const float *w = vs_mlp_weights(m, layer);
    const vs_adder *ad = vs_infer_net_adders(net, layer);
    for (int k = 0; k < n_target; k++) {
        int any_exc = 0;
        for (int j = 0; j < n_source; j++) {
            size_t i = (size_t)k * (size_t)n_source + (size_t)j;
            double g = ge[i] > 0 ? (double)ge[i] : (double)gi[i];
            if (!(g > 0)) continue;
            any_exc |= ge[i] > 0;
            double rr = as_bought(series, rf / g), g_ideal = fabs((double)w[i]) / s_peak;
            if (bom_add(l, ge[i] > 0 ? ROLE_EXC : ROLE_INH, rr)) return -1;
            double err = g_ideal > 0 ? fabs(g / g_ideal - 1.0) : (double)INFINITY;
            r->max_weight_error = fmax(r->max_weight_error, err);
            r->max_half_steps = fmax(r->max_half_steps, half_steps(series, rf / g_ideal, rr));
        }
        double ks = ad[k].k_split >= 1 ? ad[k].k_split : 1.0;
        if (any_exc && (bom_add(l, ROLE_ATT, as_bought(series, rf / ks)) || bom_add(l, ROLE_COUPLING, as_bought(series, rf / ks))))
            return -1;
        if (bom_add(l, ROLE_FEEDBACK, as_bought(series, rf))) return -1;
        if (ad[k].bias_v != 0 && bom_add(l, ROLE_BIAS, as_bought(series, rf))) return -1;
    }
    return 0;
}

static int write_bom_csv(const char *prog, const char *path, bom_list *l, bom_result *r)
{
    qsort(l->e, l->n, sizeof *l->e, entry_cmp);
    vs_afile *af;
    if (vs_afile_open(path, &af) != VS_OK) return cli_fail(prog);
    FILE *f = vs_afile_stream(af);
    fprintf(f, "value_ohm,count,role\n");
    r->n_resistors = (long)l->n;
    r->n_lines = 0;
    r->r_min_ohm = INFINITY, r->r_max_ohm = 0;
    for (int k = 0; k < N_ROLES; k++) r->roles[k] = (bom_role){role_names[k], 0};
    for (size_t i = 0; i < l->n;) {
        size_t j = i;
        while (j < l->n && l->e[j].role == l->e[i].role && l->e[j].r_ohm == l->e[i].r_ohm) j++;
        fprintf(f, "%.10g,%zu,%s\n", l->e[i].r_ohm, j - i, role_names[l->e[i].role]);
        r->roles[l->e[i].role].count += (long)(j - i);
        r->r_min_ohm = fmin(r->r_min_ohm, l->e[i].r_ohm);
        r->r_max_ohm = fmax(r->r_max_ohm, l->e[i].r_ohm);
        r->n_lines++;
        i = j;
    }
    return vs_afile_commit(af) == VS_OK ? 0 : cli_fail(prog);
}

/* ---- the subset, in vo2snn and as a netlist ---------------------------------------------- */

typedef struct subset_run {
    size_t nt;
    float *drive_exc, *drive_inh;   /* (n_sub_hidden, nt) the input layer's sums into each */
    vs_adder hid_adder[BOM_MAX_SUBSET], out_adder[10];
    double *r_exc, *r_inh;          /* (n_sub_out, n_sub_hidden) */
} subset_run;

static void subset_free(subset_run *s)
{
    free(s->drive_exc);
    free(s->r_exc);
    memset(s, 0, sizeof *s);
}

/* The whole network on the image: spikes per hidden and output neuron (raster counts). */
static int run_full(const char *prog, const vs_infer_net *net, const uint8_t *img, bom_result *r)
{
    vs_infer_work *w = vs_infer_work_new(net);
    if (!w) return cli_error(prog, "out of memory");
    vs_spike_list hl = {0}, ol = {0};
    vs_infer_result res = {0};
    res.record[1] = &hl, res.record[2] = &ol;
    vs_status st = vs_infer_image(net, w, img, &res);
    vs_infer_work_free(w);
    if (st == VS_OK) {
        for (int k = 0; k < r->n_sub_hidden; k++) {
            r->hidden_spikes_full[k] = 0;
            for (size_t s = 0; s < hl.n; s++) r->hidden_spikes_full[k] += hl.neuron[s] == r->sub_hidden[k];
        }
        for (int k = 0; k < r->n_sub_out; k++) r->out_spikes_full[k] = res.counts[r->sub_out[k]];
    }
    vs_spike_list_free(&hl);
    vs_spike_list_free(&ol);
    return st == VS_OK ? 0 : cli_fail(prog);
}

/*
 * The subset as vo2snn runs it: input neurons (one dc waveform per grey level, as infer shares
 * them), each chosen hidden neuron through its adder on the sums of the whole input layer, each
 * chosen output neuron through its adder on the chosen hidden neurons only. Fills s (the
 * drives and resistors the netlist needs) and r's subset spike counts.
 */
/* What the subset's simulation shares. */
typedef struct subset_ctx {
    const char *prog;
    const vs_infer_net *net;
    const bom_result *rc;
    const vs_device_params *dev;
    const uint8_t *img;
    size_t nt;
    float *level;        /* (256, nt) input neuron waveforms per grey level present */
    int present[256];
    float *vh;           /* (n_sub_hidden, nt) the chosen hidden neurons' V_spike */
    float *scratch;      /* 3 nt */
} subset_ctx;

/* The input layer: one dc waveform per grey level present in the image. */
static int subset_levels(subset_ctx *x)
{
    const vs_infer_opts *io = &x->rc->io;
    int nin = vs_infer_net_inputs(x->net), failed = 0;
    for (int j = 0; j < nin; j++) x->present[x->img[j]] = x->img[j] != 0;
    vs_sim_opts sim = io->sim;
    sim.seed = vs_c2c_seed(io->seed, 0, 0, 0);
    for (int lv = 1; lv < 256 && !failed; lv++) {
        if (!x->present[lv]) continue;
        vs_neuron_result nr;
        if (vs_dc_neuron_waveform(x->dev, &x->rc->info.circuit, vs_pixel_voltage(&x->rc->t, lv), x->nt, io->dt_s, &sim,
                                  x->level + (size_t)lv * x->nt, &nr) != VS_OK)
            failed = cli_fail(x->prog);
        vs_neuron_result_free(&nr);
    }
    return failed;
}

/* Chosen hidden neuron k: its two drives (the level waveforms weighted by the gains summed
   per grey level), then the neuron behind its adder. */
static int subset_hidden(subset_ctx *x, subset_run *s, bom_result *r, int k)
{
    const vs_infer_opts *io = &x->rc->io;
    const int nin = vs_infer_net_inputs(x->net), h = r->sub_hidden[k];
    const float *g1i, *g1e = vs_infer_net_gains(x->net, 0, &g1i);
    const vs_adder *a1 = vs_infer_net_adders(x->net, 0);
    double acc_e[256] = {0}, acc_i[256] = {0};
    for (int j = 0; j < nin; j++)
        if (x->img[j]) acc_e[x->img[j]] += (double)g1e[(size_t)h * nin + j], acc_i[x->img[j]] += (double)g1i[(size_t)h * nin + j];
    float *de = s->drive_exc + (size_t)k * x->nt, *di = s->drive_inh + (size_t)k * x->nt;
    for (size_t i = 0; i < x->nt; i++) {
        double e = 0, in = 0;
        for (int lv = 1; lv < 256; lv++)
            if (x->present[lv]) e += acc_e[lv] * (double)x->level[(size_t)lv * x->nt + i], in += acc_i[lv] * (double)x->level[(size_t)lv * x->nt + i];
        de[i] = (float)e, di[i] = (float)in;
    }
    s->hid_adder[k] = a1[h];
    vs_target_result tr;
    vs_sim_opts so = io->sim;
    so.seed = vs_c2c_seed(io->seed, 0, 1, h);
    vs_status st = vs_target_simulate(x->dev, &x->rc->info.circuit, &io->opamp, &a1[h], de, di, NULL, x->nt, io->dt_s, &so,
                                      x->vh + (size_t)k * x->nt, x->scratch, &tr);
    if (st == VS_OK) r->hidden_spikes[k] = (int)tr.neuron.n_spikes;
    vs_neuron_result_free(&tr.neuron);
    return st == VS_OK ? 0 : cli_fail(x->prog);
}

/* Chosen output q, fed by the chosen hidden neurons only, through the bought resistors. */
static int subset_output(subset_ctx *x, subset_run *s, bom_result *r, int q, float *se)
{
    const vs_infer_opts *io = &x->rc->io;
    const int o = r->sub_out[q], nh = x->rc->n_hid, nsh = r->n_sub_hidden;
    const double rf = io->opamp.r_feedback_ohm;
    const float *g2i, *g2e = vs_infer_net_gains(x->net, 1, &g2i);
    const vs_adder *a2 = vs_infer_net_adders(x->net, 1);
    float *so_e = se, *so_i = se + x->nt;
    for (size_t i = 0; i < x->nt; i++) {
        double e = 0, in = 0;
        for (int k = 0; k < nsh; k++) {
            double v = (double)x->vh[(size_t)k * x->nt + i];
            e += (double)g2e[(size_t)o * nh + r->sub_hidden[k]] * v;
            in += (double)g2i[(size_t)o * nh + r->sub_hidden[k]] * v;
        }
        so_e[i] = (float)e, so_i[i] = (float)in;
    }
    for (int k = 0; k < nsh; k++) {
        double ge = (double)g2e[(size_t)o * nh + r->sub_hidden[k]], gi = (double)g2i[(size_t)o * nh + r->sub_hidden[k]];
        s->r_exc[(size_t)q * nsh + k] = ge > 0 ? as_bought(x->rc->e_series, rf / ge) : 0.0;
        s->r_inh[(size_t)q * nsh + k] = gi > 0 ? as_bought(x->rc->e_series, rf / gi) : 0.0;
    }
    s->out_adder[q] = a2[o];
    vs_target_result tr;
    vs_sim_opts so = io->sim;
    so.seed = vs_c2c_seed(io->seed, 0, 2, o);
    vs_status st = vs_target_simulate(x->dev, &x->rc->info.circuit, &io->opamp, &a2[o], so_e, so_i, NULL, x->nt, io->dt_s,
                                      &so, NULL, x->scratch, &tr);
    if (st == VS_OK) r->out_spikes[q] = (int)tr.neuron.n_spikes;
    vs_neuron_result_free(&tr.neuron);
    return st == VS_OK ? 0 : cli_fail(x->prog);
}

static int run_subset(const char *prog, const vs_infer_net *net, const bom_result *rc, const vs_device_params *dev,
                      const uint8_t *img, subset_run *s, bom_result *r)
{
    const vs_infer_opts *io = &rc->io;
    const size_t nt = (size_t)floor(io->window_s / io->dt_s + 0.5) + 1;
    const int nsh = r->n_sub_hidden, nso = r->n_sub_out;
    subset_ctx x = {.prog = prog, .net = net, .rc = rc, .dev = dev, .img = img, .nt = nt};
    s->nt = nt;
    s->drive_exc = calloc(2 * (size_t)(nsh ? nsh : 1) * nt, sizeof(float));
    s->r_exc = calloc(2 * (size_t)(nso ? nso : 1) * (size_t)(nsh ? nsh : 1), sizeof(double));
    x.level = calloc(256 * nt, sizeof(float));
    x.vh = calloc((size_t)(nsh ? nsh : 1) * nt, sizeof(float));
    x.scratch = calloc(3 * nt, sizeof(float));
    float *se = calloc(2 * nt, sizeof(float));
    int failed = !s->drive_exc || !s->r_exc || !x.level || !x.vh || !x.scratch || !se ? cli_error(prog, "out of memory") : 0;
    if (!failed) {
        s->drive_inh = s->drive_exc + (size_t)nsh * nt;
        s->r_inh = s->r_exc + (size_t)nso * (size_t)nsh;
        failed = subset_levels(&x);
    }
    for (int k = 0; k < nsh && !failed; k++) failed = subset_hidden(&x, s, r, k);
    for (int q = 0; q < nso && !failed; q++) failed = subset_output(&x, s, r, q, se);
    free(x.level), free(x.vh), free(x.scratch), free(se);
    return failed;
}

static int write_netlist(const char *prog, const bom_args *a, const bom_result *r, const vs_device_params *dev,
                         const subset_run *s)
{
    char path[4096], title[256], series[16] = "exact values";
    snprintf(path, sizeof path, "%s/network.cir", a->out);
    if (r->e_series) snprintf(series, sizeof series, "E%d", r->e_series);
    snprintf(title, sizeof title, "checkpoint %.120s, test image %ld (label %d), %g us, resistors: %s", a->checkpoint,
             r->image, r->label, r->io.window_s * 1e6, series);
    vs_netlist_subnet sn = {.n_t = s->nt, .dt_s = r->io.dt_s, .rail_v = r->io.opamp.rail_v,
                            .r_feedback_ohm = r->io.opamp.r_feedback_ohm, .n_hidden = r->n_sub_hidden,
                            .hidden = r->sub_hidden, .hidden_adder = s->hid_adder, .drive_exc = s->drive_exc,
                            .drive_inh = s->drive_inh, .n_out = r->n_sub_out, .out = r->sub_out,
                            .out_adder = s->out_adder, .r_exc = s->r_exc, .r_inh = s->r_inh, .title = title};
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
    for (int k = 0; k < N_ROLES; k++) vs_json_int(&j, r->roles[k].name, r->roles[k].count);
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
    json_ints(&j, "hidden_spikes", r->hidden_spikes, r->n_sub_hidden);
    json_ints(&j, "output_spikes", r->out_spikes, r->n_sub_out);
    json_ints(&j, "hidden_spikes_full_network", r->hidden_spikes_full, r->n_sub_hidden);
    json_ints(&j, "output_spikes_full_network", r->out_spikes_full, r->n_sub_out);
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
    vs_json_num(&j, "h_max_s", a->h_max_s);
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
    for (int k = 0; k < N_ROLES; k++) printf(" %s %ld", r->roles[k].name, r->roles[k].count);
    printf("\nrealised weight error: max %.3g %% (%.3f of half a series step)\n", 100 * r->max_weight_error,
           r->max_half_steps);
    printf("netlist %s/network.cir: test image %ld (label %d), %g us; spikes in vo2snn (whole network in brackets):\n",
           a->out, r->image, r->label, r->io.window_s * 1e6);
    print_counts("  hidden", r->sub_hidden, r->hidden_spikes, r->hidden_spikes_full, r->n_sub_hidden);
    print_counts("  output", r->sub_out, r->out_spikes, r->out_spikes_full, r->n_sub_out);
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
        {.name = "dt-grid", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "waveform grid between layers in vo2snn (as infer's), and of the netlist's PWL drives", .dest = &a->dt_s, .min = 1e-10, .max = 1e-6},
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
        "the same subset and prints its spike counts (and those in the whole network). Run the\n"
        "netlist with: cd DIR && ngspice -b network.cir; it writes time and V(m) of each neuron.",
        opts, CLI_N_OPTS(opts), argc, argv);
}

void bom_result_free(bom_result *r)
{
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
    r->io = vs_infer_opts_default();
    r->io.window_s = a->window_s;
    r->io.dt_s = a->dt_s;
    r->io.e_series = r->e_series;
    r->io.r_tolerance = 0;
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
    r->max_allowed_error = series_half_step(r->e_series);
    return 0;
}

static int bom_run(const char *prog, const bom_args *a, bom_result *r)
{
    vs_mlp *m = NULL;
    vs_infer_net *net = NULL;
    bom_list l = {0};
    subset_run s = {0};
    if (vs_checkpoint_load(a->checkpoint, &r->t, 256, &r->info, &m) != VS_OK) return cli_fail(prog);
    /* the nominal device: the netlist has no jitter, so neither has the comparison */
    vs_device_params dev = vs_device_nominal(&r->info.device);
    int failed = 0;
    if (vs_infer_net_new(m, &r->t, &dev, &r->info.circuit, &r->io, &net) != VS_OK) failed = cli_fail(prog);
    const double rf = r->io.opamp.r_feedback_ohm, s_peak = r->t.s_peak_v;
    const int n_in = r->info.cfg.sizes[0];
    if (!failed && (layer_bom(net, m, 0, r->n_hid, n_in, s_peak, rf, r->e_series, &l, r) ||
                    layer_bom(net, m, 1, 10, r->n_hid, s_peak, rf, r->e_series, &l, r)))
        failed = cli_error(prog, "out of memory");
    const uint8_t *img = vs_dataset_image(&r->test, (size_t)r->image);
    if (!failed && vs_mkdir_p(a->out) != VS_OK) failed = cli_fail(prog);
    if (!failed) failed = run_full(prog, net, img, r);
    if (!failed) failed = run_subset(prog, net, r, &dev, img, &s, r);
    char path[4096];
    snprintf(path, sizeof path, "%s/bom.csv", a->out);
    if (!failed) failed = write_bom_csv(prog, path, &l, r);
    if (!failed) failed = write_netlist(prog, a, r, &dev, &s);
    subset_free(&s);
    free(l.e);
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
