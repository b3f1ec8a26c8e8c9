/* bom.c -- a subset of a deployed network simulated as vo2snn bom exports it (bom.h). */
#include "vo2snn/bom.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vo2snn/mlp.h"
#include "vo2snn/network.h"
#include "vo2snn/variation.h"

#define OUT_SPIKE_CAP 64

/* ---- the resistor list ------------------------------------------------------------------- */

const char *vs_bom_role_name(vs_bom_role role)
{
    static const char *const names[VS_BOM_N_ROLES] = {"synapse_exc", "synapse_inh", "attenuation",
                                                      "coupling",    "feedback",    "bias"};
    return role >= 0 && role < VS_BOM_N_ROLES ? names[role] : "?";
}

void vs_bom_free(vs_bom *b)
{
    if (!b) return;
    free(b->parts);
    memset(b, 0, sizeof *b);
}

/* b->parts with room for cap (the list grows by doubling). */
static int bom_add(vs_bom *b, vs_bom_role role, double r, size_t *cap)
{
    if (b->n == *cap) {
        size_t nc = *cap ? 2 * *cap : 4096;
        vs_bom_part *p = realloc(b->parts, nc * sizeof *p);
        if (!p) return -1;
        b->parts = p, *cap = nc;
    }
    b->parts[b->n++] = (vs_bom_part){role, r};
    return 0;
}

static int part_cmp(const void *pa, const void *pb)
{
    const vs_bom_part *a = pa, *b = pb;
    if (a->role != b->role) return a->role < b->role ? -1 : 1;
    return a->r_ohm < b->r_ohm ? -1 : a->r_ohm > b->r_ohm;
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

/* The resistors of layer `layer`'s adders (n_target of them, n_source inputs each) and the
   weight errors of its synapses. */
static int layer_bom(const vs_infer_net *net, vs_mlp *m, int layer, int n_target, int n_source, double s_peak,
                     double rf, int series, vs_bom *b, size_t *cap)
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
            double rr = vs_eseries_round(series, rf / g), g_ideal = fabs((double)w[i]) / s_peak;
            if (bom_add(b, ge[i] > 0 ? VS_BOM_SYNAPSE_EXC : VS_BOM_SYNAPSE_INH, rr, cap)) return -1;
            double err = g_ideal > 0 ? fabs(g / g_ideal - 1.0) : (double)INFINITY;
            b->max_weight_error = fmax(b->max_weight_error, err);
            b->max_half_steps = fmax(b->max_half_steps, half_steps(series, rf / g_ideal, rr));
        }
        double ks = ad[k].k_split >= 1 ? ad[k].k_split : 1.0, rk = vs_eseries_round(series, rf / ks);
        double rfb = vs_eseries_round(series, rf);
        if (any_exc && (bom_add(b, VS_BOM_ATTENUATION, rk, cap) || bom_add(b, VS_BOM_COUPLING, rk, cap))) return -1;
        if (bom_add(b, VS_BOM_FEEDBACK, rfb, cap)) return -1;
        if (ad[k].bias_v != 0 && bom_add(b, VS_BOM_BIAS, rfb, cap)) return -1;
    }
    return 0;
}

vs_status vs_bom_build(const vs_infer_net *net, vs_mlp *m, double s_peak_v, const vs_infer_opts *o, vs_bom *out)
{
    memset(out, 0, sizeof *out);
    const vs_mlp_config *cfg = vs_mlp_get_config(m);
    const double rf = o->opamp.r_feedback_ohm;
    const int n_in = cfg->sizes[0], n_hid = cfg->sizes[1], n_out = cfg->sizes[2];
    size_t cap = 0;
    out->series_half_step = series_half_step(o->e_series);
    if (layer_bom(net, m, 0, n_hid, n_in, s_peak_v, rf, o->e_series, out, &cap) ||
        layer_bom(net, m, 1, n_out, n_hid, s_peak_v, rf, o->e_series, out, &cap)) {
        vs_bom_free(out);
        return vs_fail(VS_ENOMEM, "out of memory for the resistor list");
    }
    qsort(out->parts, out->n, sizeof *out->parts, part_cmp);
    return VS_OK;
}

/* ---- the subset --------------------------------------------------------------------------- */

void vs_bom_subset_free(vs_bom_subset *s)
{
    if (!s) return;
    free(s->drive_exc);
    free(s->r_exc);
    free(s->v_spike_hidden);
    free(s->out_spike_t_s);
    memset(s, 0, sizeof *s);
}

/* What the subset's simulation shares. */
typedef struct subset_ctx {
    const vs_bom_deployed *d;
    const uint8_t *img;
    size_t nt;
    float *level;        /* (256, nt) input neuron waveforms per grey level present */
    int present[256];
    float *scratch;      /* 3 nt */
    float *sums;         /* 2 nt: an output adder's excitatory and inhibitory sums */
} subset_ctx;

/* The whole network on the image: spikes of the chosen hidden and output neurons. */
static vs_status run_full(const vs_infer_net *net, const uint8_t *img, vs_bom_subset *s)
{
    vs_infer_work *w = vs_infer_work_new(net);
    if (!w) return vs_fail(VS_ENOMEM, "out of memory");
    vs_spike_list hl = {0}, ol = {0};
    vs_infer_result res = {0};
    res.record[1] = &hl, res.record[2] = &ol;
    vs_status st = vs_infer_image(net, w, img, &res);
    vs_infer_work_free(w);
    if (st == VS_OK) {
        for (int k = 0; k < s->n_hidden; k++) {
            s->hidden_spikes_full[k] = 0;
            for (size_t i = 0; i < hl.n; i++) s->hidden_spikes_full[k] += hl.neuron[i] == s->hidden[k];
        }
        for (int k = 0; k < s->n_out; k++) s->out_spikes_full[k] = res.counts[s->out[k]];
    }
    vs_spike_list_free(&hl);
    vs_spike_list_free(&ol);
    return st;
}

/* The input layer: one dc waveform per grey level present in the image (as infer shares them). */
static vs_status subset_levels(subset_ctx *x)
{
    const vs_bom_deployed *d = x->d;
    int nin = vs_infer_net_inputs(d->net);
    for (int j = 0; j < nin; j++) x->present[x->img[j]] = x->img[j] != 0;
    vs_sim_opts sim = d->o->sim;
    sim.seed = vs_c2c_seed(d->o->seed, 0, 0, 0);
    for (int lv = 1; lv < 256; lv++) {
        if (!x->present[lv]) continue;
        vs_neuron_result nr;
        vs_status st = vs_dc_neuron_waveform(d->dev, d->c, vs_pixel_voltage(d->t, lv), x->nt, d->o->dt_s, &sim,
                                             x->level + (size_t)lv * x->nt, &nr);
        vs_neuron_result_free(&nr);
        if (st != VS_OK) return st;
    }
    return VS_OK;
}

/* Chosen hidden neuron k: its two drives (the level waveforms weighted by the gains summed per
   grey level), then the neuron behind its adder. */
static vs_status subset_hidden(subset_ctx *x, vs_bom_subset *s, int k)
{
    const vs_bom_deployed *d = x->d;
    const int nin = vs_infer_net_inputs(d->net), h = s->hidden[k];
    const size_t nt = x->nt;
    const float *g1i, *g1e = vs_infer_net_gains(d->net, 0, &g1i);
    double acc_e[256] = {0}, acc_i[256] = {0};
    for (int j = 0; j < nin; j++)
        if (x->img[j]) {
            acc_e[x->img[j]] += (double)g1e[(size_t)h * (size_t)nin + (size_t)j];
            acc_i[x->img[j]] += (double)g1i[(size_t)h * (size_t)nin + (size_t)j];
        }
    float *de = s->drive_exc + (size_t)k * nt, *di = s->drive_inh + (size_t)k * nt;
    for (size_t i = 0; i < nt; i++) {
        double e = 0, in = 0;
        for (int lv = 1; lv < 256; lv++)
            if (x->present[lv]) {
                double v = (double)x->level[(size_t)lv * nt + i];
                e += acc_e[lv] * v, in += acc_i[lv] * v;
            }
        de[i] = (float)e, di[i] = (float)in;
    }
    s->hidden_adder[k] = vs_infer_net_adders(d->net, 0)[h];
    vs_target_result tr;
    vs_sim_opts so = d->o->sim;
    so.seed = vs_c2c_seed(d->o->seed, 0, 1, h);
    vs_status st = vs_target_simulate(d->dev, d->c, &d->o->opamp, &s->hidden_adder[k], de, di, NULL, nt, d->o->dt_s,
                                      &so, s->v_spike_hidden + (size_t)k * nt, x->scratch, &tr);
    if (st == VS_OK) s->hidden_spikes[k] = (int)tr.neuron.n_spikes;
    vs_neuron_result_free(&tr.neuron);
    return st;
}

/* Chosen output q: the resistors bought for its synapses from the chosen hidden neurons, and its
   two input sums over them, each synapse with the gain R_f/R of its resistor. */
static void subset_output_sums(subset_ctx *x, vs_bom_subset *s, int q)
{
    const vs_bom_deployed *d = x->d;
    const int o = s->out[q], nh = d->n_hidden_layer, nsh = s->n_hidden, series = d->o->e_series;
    const double rf = d->o->opamp.r_feedback_ohm;
    const float *g2i, *g2e = vs_infer_net_gains(d->net, 1, &g2i);
    double ge[VS_BOM_MAX_SUBSET], gi[VS_BOM_MAX_SUBSET];
    for (int k = 0; k < nsh; k++) {
        double e = (double)g2e[(size_t)o * (size_t)nh + (size_t)s->hidden[k]];
        double i = (double)g2i[(size_t)o * (size_t)nh + (size_t)s->hidden[k]];
        double *re = &s->r_exc[(size_t)q * (size_t)nsh + (size_t)k], *ri = &s->r_inh[(size_t)q * (size_t)nsh + (size_t)k];
        *re = e > 0 ? vs_eseries_round(series, rf / e) : 0.0;
        *ri = i > 0 ? vs_eseries_round(series, rf / i) : 0.0;
        ge[k] = e > 0 ? rf / *re : 0.0, gi[k] = i > 0 ? rf / *ri : 0.0;
    }
    float *se = x->sums, *si = x->sums + x->nt;
    for (size_t i = 0; i < x->nt; i++) {
        double e = 0, in = 0;
        for (int k = 0; k < nsh; k++) {
            double v = (double)s->v_spike_hidden[(size_t)k * x->nt + i];
            e += ge[k] * v, in += gi[k] * v;
        }
        se[i] = (float)e, si[i] = (float)in;
    }
}

/* Chosen output q, fed by the chosen hidden neurons only, through the bought resistors. */
static vs_status subset_output(subset_ctx *x, vs_bom_subset *s, int q)
{
    const vs_bom_deployed *d = x->d;
    const int o = s->out[q];
    subset_output_sums(x, s, q);
    s->out_adder[q] = vs_infer_net_adders(d->net, 1)[o];
    vs_target_result tr;
    vs_sim_opts so = d->o->sim;
    so.seed = vs_c2c_seed(d->o->seed, 0, 2, o);
    vs_status st = vs_target_simulate(d->dev, d->c, &d->o->opamp, &s->out_adder[q], x->sums, x->sums + x->nt, NULL,
                                      x->nt, d->o->dt_s, &so, NULL, x->scratch, &tr);
    if (st == VS_OK) {
        s->out_spikes[q] = (int)tr.neuron.n_spikes;
        memcpy(s->v_in_out + (size_t)q * x->nt, x->scratch + x->nt, x->nt * sizeof(float));
        for (size_t k = 0; k < tr.neuron.n_spikes && k < OUT_SPIKE_CAP; k++)
            s->out_spike_t_s[(size_t)q * OUT_SPIKE_CAP + k] = tr.neuron.spike_t_s[k];
    }
    vs_neuron_result_free(&tr.neuron);
    return st;
}

vs_infer_opts vs_bom_infer_opts(double window_s, double dt_s, int e_series)
{
    vs_infer_opts o = vs_infer_opts_default();
    o.window_s = window_s;
    o.dt_s = dt_s;
    o.e_series = e_series;
    o.r_tolerance = 0;
    if (o.sim.h_max_s > dt_s) o.sim.h_max_s = dt_s;
    return o;
}

/* The lists: distinct, in range, within the limits; the integrator's step within the grid. */
static vs_status check_lists(const vs_bom_deployed *d, const int *hidden, int n_hidden, const int *out, int n_out)
{
    const vs_sim_opts *so = &d->o->sim;
    if (so->method == VS_ODE_DP54 && !(so->h_max_s <= d->o->dt_s * (1 + 1e-9)))
        return vs_fail(VS_EINVAL, "the integrator's largest step %g s is longer than the grid %g s: it would step over "
                                  "samples of the neurons' inputs (vs_bom_infer_opts)", so->h_max_s, d->o->dt_s);
    if (n_hidden < 0 || n_hidden > VS_BOM_MAX_SUBSET || n_out < 0 || n_out > 10 || n_hidden + n_out < 1)
        return vs_fail(VS_EINVAL, "subset of %d hidden and %d output neurons (1 to %d hidden, 0 to 10 outputs)",
                       n_hidden, n_out, VS_BOM_MAX_SUBSET);
    for (int k = 0; k < n_hidden; k++) {
        if (hidden[k] < 0 || hidden[k] >= d->n_hidden_layer)
            return vs_fail(VS_EINVAL, "hidden neuron %d of a layer of %d", hidden[k], d->n_hidden_layer);
        for (int j = 0; j < k; j++)
            if (hidden[j] == hidden[k]) return vs_fail(VS_EINVAL, "hidden neuron %d listed twice", hidden[k]);
    }
    for (int k = 0; k < n_out; k++) {
        if (out[k] < 0 || out[k] >= 10) return vs_fail(VS_EINVAL, "output neuron %d of 10", out[k]);
        for (int j = 0; j < k; j++)
            if (out[j] == out[k]) return vs_fail(VS_EINVAL, "output neuron %d listed twice", out[k]);
    }
    return VS_OK;
}

/* The result's arrays (zeroed). */
static vs_status subset_alloc(vs_bom_subset *s)
{
    const size_t nt = s->n_t, nh = (size_t)(s->n_hidden ? s->n_hidden : 1), no = (size_t)(s->n_out ? s->n_out : 1);
    s->drive_exc = calloc(2 * nh * nt, sizeof(float));
    s->r_exc = calloc(2 * no * nh, sizeof(double));
    s->v_spike_hidden = calloc((nh + no) * nt, sizeof(float));
    s->out_spike_t_s = calloc(no * OUT_SPIKE_CAP, sizeof(double));
    if (!s->drive_exc || !s->r_exc || !s->v_spike_hidden || !s->out_spike_t_s) return vs_fail(VS_ENOMEM, "out of memory");
    s->drive_inh = s->drive_exc + nh * nt;
    s->r_inh = s->r_exc + no * nh;
    s->v_in_out = s->v_spike_hidden + nh * nt;
    return VS_OK;
}

vs_status vs_bom_subset_run(const vs_bom_deployed *d, const uint8_t *image, const int *hidden, int n_hidden,
                            const int *out, int n_out, vs_bom_subset *s)
{
    memset(s, 0, sizeof *s);
    vs_status st = check_lists(d, hidden, n_hidden, out, n_out);
    if (st != VS_OK) return st;
    s->n_t = (size_t)floor(d->o->window_s / d->o->dt_s + 0.5) + 1;
    s->dt_s = d->o->dt_s;
    s->n_hidden = n_hidden, s->n_out = n_out;
    memcpy(s->hidden, hidden, (size_t)n_hidden * sizeof *hidden);
    memcpy(s->out, out, (size_t)n_out * sizeof *out);
    subset_ctx x = {.d = d, .img = image, .nt = s->n_t};
    x.level = calloc(256 * s->n_t, sizeof(float));
    x.scratch = calloc(5 * s->n_t, sizeof(float));
    x.sums = x.scratch ? x.scratch + 3 * s->n_t : NULL;
    st = !x.level || !x.scratch ? vs_fail(VS_ENOMEM, "out of memory") : subset_alloc(s);
    if (st == VS_OK) st = run_full(d->net, image, s);
    if (st == VS_OK) st = subset_levels(&x);
    for (int k = 0; k < n_hidden && st == VS_OK; k++) st = subset_hidden(&x, s, k);
    for (int q = 0; q < n_out && st == VS_OK; q++) st = subset_output(&x, s, q);
    free(x.level), free(x.scratch);
    if (st != VS_OK) vs_bom_subset_free(s);
    return st;
}

vs_netlist_subnet vs_bom_subset_netlist(const vs_bom_subset *s, const vs_infer_opts *o, const char *title)
{
    return (vs_netlist_subnet){.n_t = s->n_t, .dt_s = s->dt_s, .rail_v = o->opamp.rail_v,
                               .r_feedback_ohm = o->opamp.r_feedback_ohm, .n_hidden = s->n_hidden,
                               .hidden = s->hidden, .hidden_adder = s->hidden_adder, .drive_exc = s->drive_exc,
                               .drive_inh = s->drive_inh, .n_out = s->n_out, .out = s->out,
                               .out_adder = s->out_adder, .r_exc = s->r_exc, .r_inh = s->r_inh, .title = title};
}
