/* cmd_chips.c -- `vo2snn chips`: Monte Carlo chips of a trained network at circuit level
   (issue 14 item 4; docs/variation.md). */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_chips.h"
#include "commands.h"
#include "common.h"
#include "progress.h"
#include "vo2snn/atomic.h"
#include "vo2snn/infer.h"
#include "vo2snn/json.h"
#include "vo2snn/outputs.h"
#include "vo2snn/train.h"
#include "vo2snn/variation.h"

#define CHIPS_MAX_SWEEP 64

/* ---- the variation spec ------------------------------------------------------------------ */

/* How a term's sigma reads: "5 %" (log-normal: of ln p) or "0.5 K" (normal, in its unit). */
static void sigma_text(const vs_model *m, int param, double sigma, char *buf, size_t n)
{
    const vs_param_def *d = &m->params[param];
    if (vs_d2d_is_lognormal(d)) snprintf(buf, n, "%g %%", 100 * sigma);
    else snprintf(buf, n, "%g%s%s", sigma, d->unit[0] ? " " : "", d->unit);
}

/* The sweep CSV's sigma column: "sigma" (relative, of ln p) or "sigma_<unit>" ("sigma_k"). */
static void sigma_column(const vs_model *m, int param, char *buf, size_t n)
{
    const vs_param_def *d = &m->params[param];
    size_t k = (size_t)snprintf(buf, n, "sigma");
    if (vs_d2d_is_lognormal(d) || !d->unit[0]) return;
    if (k + 1 < n) buf[k++] = '_';
    for (const char *u = d->unit; *u && k + 5 < n; u++) {
        if (*u == '/') k += (size_t)snprintf(buf + k, n - k, "_per_");
        else if (isalnum((unsigned char)*u)) buf[k++] = (char)tolower((unsigned char)*u);
    }
    buf[k < n ? k : n - 1] = '\0';
}

/* --sweep KEY=s1,s2,...: the term (table index) and the sigmas, each read as --d2d reads it
   (vs_d2d_parse of "KEY=s"). 1 after one line. */
static int parse_sweep(const char *prog, const vs_model *m, const char *text, int *param, double *sigma, int *n)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text)
        return cli_error(prog, "--sweep: '%s' is not KEY=s1,s2,... (e.g. r_ins0=0,5%%,10%%)", text);
    char key[64];
    if ((size_t)(eq - text) >= sizeof key) return cli_error(prog, "--sweep: key '%.20s...' is too long", text);
    snprintf(key, sizeof key, "%.*s", (int)(eq - text), text);
    *n = 0;
    for (const char *p = eq + 1;; p++) {
        size_t len = strcspn(p, ",");
        if (len == 0) return cli_error(prog, "--sweep: empty sigma in '%s' (give sigmas separated by commas)", text);
        if (*n >= CHIPS_MAX_SWEEP) return cli_error(prog, "--sweep: more than %d sigmas", CHIPS_MAX_SWEEP);
        char item[192];
        if (len >= 100) return cli_error(prog, "--sweep: sigma '%.20s...' is too long", p);
        snprintf(item, sizeof item, "%s=%.*s", key, (int)len, p);
        vs_d2d one;
        if (vs_d2d_parse(m, item, &one) != VS_OK) {
            const char *msg = vs_last_error();
            if (strncmp(msg, "--d2d: ", 7) == 0) msg += 7;
            return cli_error(prog, "--sweep: %s", msg);
        }
        *param = one.param[0];
        sigma[(*n)++] = one.sigma[0];
        p += len;
        if (!*p) break;
    }
    return 0;
}

/* ---- running the chips ---------------------------------------------------------------------- */

/* Mean, sample standard deviation, min and max of n values. */
static chips_stats stats_of(const double *x, int n)
{
    chips_stats s = {0, 0, x[0], x[0]};
    for (int i = 0; i < n; i++) {
        s.mean += x[i] / n;
        if (x[i] < s.min) s.min = x[i];
        if (x[i] > s.max) s.max = x[i];
    }
    double ss = 0;
    for (int i = 0; i < n; i++) ss += (x[i] - s.mean) * (x[i] - s.mean);
    s.std = n > 1 ? sqrt(ss / (n - 1)) : 0;
    return s;
}

/* One chip's scores from its n results, summed as `vo2snn infer` sums them (the same numbers
   bit for bit: accuracy ok/n, energies and spikes each image's over n, in image order). */
static void summarise_chip(const vs_infer_result *res, const uint8_t *labels, size_t n, chips_chip *c)
{
    long ok = 0;
    vs_infer_energy *e = &c->energy;
    memset(e, 0, sizeof *e);
    memset(c->spikes, 0, sizeof c->spikes);
    for (size_t i = 0; i < n; i++) {
        ok += res[i].predicted == labels[i];
        e->input_j += res[i].energy.input_j / (double)n;
        e->hidden_j += res[i].energy.hidden_j / (double)n;
        e->output_j += res[i].energy.output_j / (double)n;
        e->synapse_j += res[i].energy.synapse_j / (double)n;
        e->total_j += res[i].energy.total_j / (double)n;
        for (int k = 0; k < 3; k++) c->spikes[k] += (double)res[i].spikes[k] / (double)n;
    }
    c->accuracy = (double)ok / (double)n;
}

/* What every chip of a run shares. */
typedef struct chips_job {
    const char *prog;
    const chips_args *a;
    vs_mlp *m;
    chips_result *r;
    vs_infer_result *res;   /* (n_images) scratch */
    const vs_transfer_bank *bank;   /* --rate: the run's transfer bank */
} chips_job;

/* Chip c at circuit level: accuracy, energy and spikes over the test images. */
static int run_chip_circuit(const chips_job *job, const chips_mc *mc, chips_chip *c)
{
    chips_result *r = job->r;
    vs_infer_opts o = r->io;
    o.d2d = mc->d2d.n > 0 ? &mc->d2d : NULL;
    o.chip = c->chip;
    vs_infer_net *net = NULL;
    if (vs_infer_net_new(job->m, &r->t, &r->info.device, &r->info.circuit, &o, &net) != VS_OK) return cli_fail(job->prog);
    char label[64];
    snprintf(label, sizeof label, "chip %d", c->chip);
    cli_progress bar;
    progress_begin(&bar, label);
    vs_status s = vs_infer_dataset_range(net, &r->test, 0, (size_t)r->n_images, job->res, progress_update, &bar);
    progress_end(&bar);
    vs_infer_net_free(net);
    if (s != VS_OK) return cli_fail(job->prog);
    summarise_chip(job->res, r->test.labels, (size_t)r->n_images, c);
    return 0;
}

/* Chip c in the rate model: its accuracy (no energy: NAN). */
static int run_chip_rate(const chips_job *job, const chips_mc *mc, chips_chip *c)
{
    chips_result *r = job->r;
    vs_d2d none = {.model = r->info.device.model};
    const vs_d2d *v = mc->d2d.n > 0 ? &mc->d2d : &none;
    if (vs_chip_rate_eval(job->m, &r->t, job->bank, v, &r->info.device, r->io.seed, c->chip, &r->test,
                          (size_t)r->n_images, &c->accuracy, NULL) != VS_OK)
        return cli_fail(job->prog);
    c->energy = (vs_infer_energy){NAN, NAN, NAN, NAN, NAN};
    for (int k = 0; k < 3; k++) c->spikes[k] = NAN;
    return 0;
}

/* Every chip of one Monte Carlo (mc->d2d set), one after the other, images in parallel. */
static int run_mc(const chips_job *job, chips_mc *mc)
{
    const char *prog = job->prog;
    chips_result *r = job->r;
    const chips_args *a = job->a;
    const vs_model *model = r->info.device.model;
    mc->n_chips = (int)a->chips;
    mc->chip = calloc((size_t)mc->n_chips, sizeof *mc->chip);
    if (!mc->chip) return cli_error(prog, "out of memory");
    double *acc = calloc((size_t)mc->n_chips, sizeof *acc), *en = calloc((size_t)mc->n_chips, sizeof *en);
    if (!acc || !en) return free(acc), free(en), cli_error(prog, "out of memory");
    int failed = 0;
    for (int k = 0; k < mc->n_chips && !failed; k++) {
        chips_chip *c = &mc->chip[k];
        c->chip = (int)(a->first_chip + k);
        double t0 = progress_now();
        failed = a->rate ? run_chip_rate(job, mc, c) : run_chip_circuit(job, mc, c);
        if (failed) break;
        c->seconds = progress_now() - t0;
        acc[k] = c->accuracy, en[k] = c->energy.total_j;
        if (!a->json) {
            char sig[64] = "";
            if (!isnan(mc->sigma)) {
                char v[48];
                sigma_text(model, r->sweep_param, mc->sigma, v, sizeof v);
                snprintf(sig, sizeof sig, "%s = %s, ", model->params[r->sweep_param].key, v);
            }
            fprintf(stderr, "%schip %d: accuracy %.2f %%, %.4g J per inference, %.1f s\n", sig, c->chip,
                    100 * c->accuracy, c->energy.total_j, c->seconds);
        }
    }
    if (!failed) {
        mc->accuracy = stats_of(acc, mc->n_chips);
        mc->energy_j = stats_of(en, mc->n_chips);
        int good = 0;
        vs_infer_energy *m = &mc->energy_mean;
        memset(m, 0, sizeof *m);
        for (int k = 0; k < mc->n_chips; k++) {
            const chips_chip *c = &mc->chip[k];
            good += c->accuracy >= a->yield_threshold;
            m->input_j += c->energy.input_j / mc->n_chips;
            m->hidden_j += c->energy.hidden_j / mc->n_chips;
            m->output_j += c->energy.output_j / mc->n_chips;
            m->synapse_j += c->energy.synapse_j / mc->n_chips;
            m->total_j += c->energy.total_j / mc->n_chips;
        }
        mc->yield = (double)good / mc->n_chips;
    }
    free(acc);
    free(en);
    return failed;
}

/* --rate: a transfer bank for this run's terms (17 nodes over +-4 sigma; none without
   variation), then the chips in the rate model. */
static int run_mc_rate(const chips_job *job, chips_mc *mc)
{
    chips_result *r = job->r;
    vs_transfer_bank bank = {0};
    vs_d2d banked = mc->d2d;
    int any = 0;
    for (int k = 0; k < banked.n; k++) any |= banked.sigma[k] > 0;
    if (!any) {   /* the nominal network: a bank of one term with sigma 0 serves it */
        banked = (vs_d2d){.model = r->info.device.model};
        vs_d2d_set(&banked, banked.model, 0, 0.0);
    }
    char dir[4096];
    const char *cache = train_cache_dir(job->a->cache, dir, sizeof dir);
    if (!job->a->json) fprintf(stderr, "transfer bank: %d term(s) x 17 nodes ...\n", banked.n);
    if (vs_transfer_bank_build(&r->info.device, &r->info.circuit, &r->info.transfer, &banked, 17, 4.0, cache, NULL,
                               NULL, &bank) != VS_OK)
        return cli_fail(job->prog);
    chips_job jb = *job;
    jb.bank = &bank;
    chips_mc run = *mc;
    if (!any) run.d2d = banked;
    int failed = run_mc(&jb, &run);
    run.d2d = mc->d2d;
    *mc = run;
    vs_transfer_bank_free(&bank);
    return failed;
}

/* ---- outputs ------------------------------------------------------------------------------- */

/* chips.csv: one row per chip (and per sigma with --sweep, its first column). */
static int write_chips_csv(const char *prog, const chips_args *a, const chips_result *r)
{
    char path[4096], sigcol[64] = "";
    snprintf(path, sizeof path, "%s/chips.csv", a->out);
    static const char *const base[] = {"chip", "accuracy", "energy_j", "input_j", "hidden_j", "output_j",
                                       "synapse_j", "input_spikes", "hidden_spikes", "output_spikes"};
    enum { NB = 10 };
    const char *cols[NB + 1];
    int sweep = r->sweep_param >= 0, nc = 0;
    if (sweep) sigma_column(r->info.device.model, r->sweep_param, sigcol, sizeof sigcol), cols[nc++] = sigcol;
    for (int i = 0; i < NB; i++) cols[nc++] = base[i];
    vs_csv *c;
    if (vs_csv_open(path, cols, nc, &c) != VS_OK) return cli_fail(prog);
    for (int s = 0; s < r->n_mc; s++) {
        const chips_mc *mc = &r->mc[s];
        for (int k = 0; k < mc->n_chips; k++) {
            const chips_chip *ch = &mc->chip[k];
            const vs_infer_energy *e = &ch->energy;
            double row[NB + 1];
            int j = 0;
            if (sweep) row[j++] = mc->sigma;
            double vals[NB] = {ch->chip,    ch->accuracy, e->total_j,     e->input_j,     e->hidden_j,
                               e->output_j, e->synapse_j, ch->spikes[0], ch->spikes[1], ch->spikes[2]};
            for (int i = 0; i < NB; i++) row[j++] = vals[i];
            if (vs_csv_row(c, row) != VS_OK) return vs_csv_abort(c), cli_fail(prog);
        }
    }
    return vs_csv_close(c) == VS_OK ? 0 : cli_fail(prog);
}

/* sweep.csv: one row per sigma. */
static int write_sweep_csv(const char *prog, const chips_args *a, const chips_result *r)
{
    char path[4096], sigcol[64];
    snprintf(path, sizeof path, "%s/sweep.csv", a->out);
    sigma_column(r->info.device.model, r->sweep_param, sigcol, sizeof sigcol);
    const char *cols[] = {sigcol, "chips", "accuracy_mean", "accuracy_std", "accuracy_min", "accuracy_max",
                          "yield", "energy_mean_j", "energy_std_j"};
    vs_csv *c;
    if (vs_csv_open(path, cols, 9, &c) != VS_OK) return cli_fail(prog);
    for (int s = 0; s < r->n_mc; s++) {
        const chips_mc *mc = &r->mc[s];
        double row[9] = {mc->sigma,         mc->n_chips, mc->accuracy.mean, mc->accuracy.std, mc->accuracy.min,
                         mc->accuracy.max,  mc->yield,   mc->energy_j.mean, mc->energy_j.std};
        if (vs_csv_row(c, row) != VS_OK) return vs_csv_abort(c), cli_fail(prog);
    }
    return vs_csv_close(c) == VS_OK ? 0 : cli_fail(prog);
}

/* chips.png: accuracy per chip (one series per sigma with --sweep), energy on the right axis
   without; sweep.png: mean accuracy (std error bars) and yield against sigma. */
static int write_plots(const char *prog, const chips_args *a, const chips_result *r)
{
    const vs_model *model = r->info.device.model;
    const int sweep = r->sweep_param >= 0, n = (int)a->chips;
    char script[16384], png[4096], csv[4096];
    snprintf(csv, sizeof csv, "%s/chips.csv", a->out);
    snprintf(png, sizeof png, "%s/chips.png", a->out);
    const int col0 = sweep ? 1 : 0;   /* the sigma column shifts the others */
    snprintf(script, sizeof script,
             "set datafile separator ','\nset title 'Accuracy per chip (%d chip%s x %ld images, %g µs each)'\n"
             "set xlabel 'chip'\nset ylabel 'spiking accuracy (%%)'\nset grid\nset key outside top center horizontal\n"
             "set xrange [%g:%g]\nset yrange [0:100]\n%s%s"
             "plot %g with lines dt 2 lw 2 lc rgb '#2ca02c' title 'yield threshold %g %%'\n",
             n, n == 1 ? "" : "s", r->n_images, r->io.window_s * 1e6, a->first_chip - 0.6,
             a->first_chip + n - 0.4, n <= 25 ? "set xtics 1\n" : "",
             sweep || a->rate ? "" : "set y2label 'energy per inference (µJ)'\nset ytics nomirror\nset y2tics\n",
             100 * a->yield_threshold, 100 * a->yield_threshold);
    char series[8600];
    for (int s = 0; s < r->n_mc; s++) {
        char title[96] = "accuracy";
        if (sweep) {
            char v[48];
            sigma_text(model, r->sweep_param, r->mc[s].sigma, v, sizeof v);
            snprintf(title, sizeof title, "σ(%s) = %s", model->params[r->sweep_param].key, v);
        }
        snprintf(series, sizeof series,
                 "'%s' every ::%d::%d using %d:($%d*100) with linespoints pt 7 lw 2 lc rgb '%s' title '%s' noenhanced", csv,
                 1 + s * n, (s + 1) * n, col0 + 1, col0 + 2, cli_colors[s % CLI_N_COLORS], title);
        cli_plot_append(script, sizeof script, series);
    }
    if (!sweep && !a->rate) {   /* the rate model has no energy */
        snprintf(series, sizeof series,
                 "'%s' every ::1 using 1:($3*1e6) axes x1y2 with points pt 5 ps 1.2 lc rgb '#d62728' title 'energy'", csv);
        cli_plot_append(script, sizeof script, series);
    }
    if (cli_plot(prog, a->plot, script, png, 900, 500)) return 1;
    if (!sweep) return 0;
    const vs_param_def *d = &model->params[r->sweep_param];
    const int logn = vs_d2d_is_lognormal(d);
    char xlabel[128];
    if (logn) snprintf(xlabel, sizeof xlabel, "σ of ln %s (%%)", d->key);
    else if (d->unit[0]) snprintf(xlabel, sizeof xlabel, "σ of %s (%s)", d->key, d->unit);
    else snprintf(xlabel, sizeof xlabel, "σ of %s", d->key);
    snprintf(csv, sizeof csv, "%s/sweep.csv", a->out);
    snprintf(png, sizeof png, "%s/sweep.png", a->out);
    snprintf(script, sizeof script,
             "set datafile separator ','\nset title 'Accuracy against the D2D σ of %s (%d chip%s x %ld images)' noenhanced\n"
             "set xlabel '%s' noenhanced\nset ylabel 'accuracy, yield (%%)'\nset yrange [0:105]\nset grid\nset key outside top center horizontal\n"
             "set offsets graph 0.05, graph 0.05, 0, 0\n"
             "plot '%s' every ::1 using ($1*%g):($3*100):($4*100) with yerrorlines pt 7 lw 2 lc rgb '#1f77b4' "
             "title 'accuracy (mean ± std over chips)', \\\n"
             "     '' every ::1 using ($1*%g):($7*100) with linespoints pt 5 dt 2 lw 2 lc rgb '#d62728' "
             "title 'yield (accuracy >= %g %%)'\n",
             d->key, n, n == 1 ? "" : "s", r->n_images, xlabel, csv, logn ? 100.0 : 1.0, logn ? 100.0 : 1.0,
             100 * a->yield_threshold);
    return cli_plot(prog, a->plot, script, png, 800, 500);
}

static void json_energy_parts(vs_json *j, const vs_infer_energy *e)
{
    vs_json_num(j, "input_neurons", e->input_j);
    vs_json_num(j, "hidden_neurons", e->hidden_j);
    vs_json_num(j, "output_neurons", e->output_j);
    vs_json_num(j, "synapses", e->synapse_j);
}

static void json_stats(vs_json *j, const char *key, const chips_stats *s)
{
    vs_json_object(j, key);
    vs_json_num(j, "mean", s->mean);
    vs_json_num(j, "std", s->std);
    vs_json_num(j, "min", s->min);
    vs_json_num(j, "max", s->max);
}

/* "accuracy", "energy_per_inference_j" (stats and each part's mean over the chips), "yield". */
static void json_mc_summary(vs_json *j, const chips_mc *mc)
{
    json_stats(j, "accuracy", &mc->accuracy);
    vs_json_close(j);
    json_stats(j, "energy_per_inference_j", &mc->energy_j);
    vs_json_object(j, "mean_parts");
    json_energy_parts(j, &mc->energy_mean);
    vs_json_close(j);
    vs_json_close(j);
    vs_json_num(j, "yield", mc->yield);
}

static void json_d2d_terms(vs_json *j, const vs_d2d *v)
{
    vs_json_array(j, "d2d");
    for (int k = 0; k < v->n; k++) {
        const vs_param_def *d = &v->model->params[v->param[k]];
        vs_json_object(j, NULL);
        vs_json_str(j, "key", d->key);
        vs_json_str(j, "kind", v->lognormal[k] ? "lognormal" : "normal");
        vs_json_num(j, "sigma", v->sigma[k]);
        /* log-normal: sigma of ln p (a relative spread, no unit); normal: in the parameter's unit */
        vs_json_str(j, "sigma_unit", v->lognormal[k] ? "" : d->unit);
        vs_json_str(j, "param_unit", d->unit);
        vs_json_close(j);
    }
    vs_json_close(j);
}

/* "chips": one object per chip (and per sigma with --sweep). */
static void json_chips(vs_json *j, const chips_result *r, int sweep)
{
    vs_json_array(j, "chips");
    for (int s = 0; s < r->n_mc; s++)
        for (int k = 0; k < r->mc[s].n_chips; k++) {
            const chips_chip *c = &r->mc[s].chip[k];
            vs_json_object(j, NULL);
            vs_json_int(j, "chip", c->chip);
            if (sweep) vs_json_num(j, "sigma", r->mc[s].sigma);
            vs_json_num(j, "accuracy", c->accuracy);
            vs_json_object(j, "energy_per_inference_j");
            json_energy_parts(j, &c->energy);
            vs_json_num(j, "total", c->energy.total_j);
            vs_json_close(j);
            vs_json_object(j, "spikes_per_image");
            vs_json_num(j, "input_layer", c->spikes[0]);
            vs_json_num(j, "hidden_layer", c->spikes[1]);
            vs_json_num(j, "output_layer", c->spikes[2]);
            vs_json_close(j);
            vs_json_num(j, "seconds", c->seconds);
            vs_json_close(j);
        }
    vs_json_close(j);
}

/* "sweep": the swept key and one summary per sigma. */
static void json_sweep(vs_json *j, const chips_result *r)
{
    const vs_param_def *d = &r->info.device.model->params[r->sweep_param];
    const int logn = vs_d2d_is_lognormal(d);
    vs_json_object(j, "sweep");
    vs_json_str(j, "key", d->key);
    vs_json_str(j, "kind", logn ? "lognormal" : "normal");
    vs_json_str(j, "sigma_unit", logn ? "" : d->unit);
    vs_json_array(j, "points");
    for (int s = 0; s < r->n_mc; s++) {
        vs_json_object(j, NULL);
        vs_json_num(j, "sigma", r->mc[s].sigma);
        json_mc_summary(j, &r->mc[s]);
        vs_json_close(j);
    }
    vs_json_close(j);
    vs_json_close(j);
}

/* "variation": seed, D2D terms, the device's own C2C jitter, the resistors. */
static void json_variation(vs_json *j, const chips_result *r)
{
    const vs_model *model = r->info.device.model;
    vs_json_object(j, "variation");
    vs_json_int(j, "seed", (long long)r->io.seed);
    json_d2d_terms(j, &r->d2d);
    vs_json_num(j, "d2d_gradient", r->d2d.gradient);
    char layers[24];
    vs_json_str(j, "d2d_layers", vs_d2d_layers_text(r->d2d.layers, layers, sizeof layers));
    vs_json_array(j, "c2c");   /* the device's own jitter, drawn from one stream per neuron */
    for (int i = 0; i < model->n_params; i++) {
        if (!(model->params[i].flags & VS_PARAM_JITTER)) continue;
        vs_json_object(j, NULL);
        vs_json_str(j, "key", model->params[i].key);
        vs_json_num(j, "value", r->info.device.v[i]);
        vs_json_str(j, "unit", model->params[i].unit);
        vs_json_close(j);
    }
    vs_json_close(j);
    char name[8];
    snprintf(name, sizeof name, "E%d", r->e_series);
    if (r->e_series) vs_json_str(j, "e_series", name), vs_json_num(j, "e_series_tolerance", vs_eseries_tolerance(r->e_series));
    else vs_json_null(j, "e_series");
    if (isnan(r->io.r_tolerance)) vs_json_null(j, "r_spread");
    else vs_json_num(j, "r_spread", r->io.r_tolerance);
    vs_json_str(j, "resistor_draw", isnan(r->io.r_tolerance) ? "uniform within the series tolerance"
                                    : r->io.r_tolerance > 0 ? "normal, relative sigma r_spread"
                                                            : "nominal values");
    vs_json_close(j);
}

void chips_json(FILE *f, const chips_args *a, const chips_result *r)
{
    const int sweep = r->sweep_param >= 0;
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_str(&j, "command", "chips");
    vs_json_str(&j, "checkpoint", a->checkpoint);
    vs_json_str(&j, "mode", a->rate ? "rate model" : "circuit");
    train_json_data(&j, a->dataset, &r->test, NULL);
    vs_json_num(&j, "window_s", r->io.window_s);
    vs_json_int(&j, "images", r->n_images);
    vs_json_int(&j, "n_chips", a->chips);
    vs_json_int(&j, "first_chip", a->first_chip);
    vs_json_num(&j, "seconds", r->seconds);
    json_chips(&j, r, sweep);
    if (!sweep) json_mc_summary(&j, &r->mc[0]);
    vs_json_num(&j, "yield_threshold", a->yield_threshold);
    if (sweep) json_sweep(&j, r);
    json_variation(&j, r);
    vs_json_object(&j, "circuit_network");
    vs_json_str(&j, "engine", cli_engine_choices[r->io.engine]);
    vs_json_str(&j, "opamp", r->io.opamp.ideal ? "ideal" : "nonideal");
    vs_json_num(&j, "opamp_supply_v", r->io.opamp.supply_v);
    vs_json_num(&j, "opamp_iq_a", r->io.opamp.i_quiescent_a);
    vs_json_num(&j, "opamp_offset_v", r->io.opamp.offset_v);
    vs_json_num(&j, "tau_syn_s", r->io.tau_syn_s);
    vs_json_num(&j, "dt_s", r->io.dt_s);
    vs_json_num(&j, "rtol", r->io.sim.rtol);
    vs_json_num(&j, "h_max_s", r->io.sim.h_max_s);
    vs_json_close(&j);
    train_json_checkpoint(&j, &r->info, &r->t);
    vs_json_end(&j);
}

static int write_summary(const char *prog, const chips_args *a, const chips_result *r)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.json", a->out);
    vs_afile *af;
    if (vs_afile_open(path, &af) != VS_OK) return cli_fail(prog);
    chips_json(vs_afile_stream(af), a, r);
    return vs_afile_commit(af) == VS_OK ? 0 : cli_fail(prog);
}

static void print_mc(const chips_args *a, const chips_result *r, const chips_mc *mc)
{
    const vs_model *model = r->info.device.model;
    if (!isnan(mc->sigma)) {
        char v[48];
        sigma_text(model, r->sweep_param, mc->sigma, v, sizeof v);
        printf("sigma of %s%s = %s: ", vs_d2d_is_lognormal(&model->params[r->sweep_param]) ? "ln " : "",
               model->params[r->sweep_param].key, v);
    }
    printf("accuracy %.2f %% +- %.2f (min %.2f, max %.2f), yield %.0f %% (>= %g %%)", 100 * mc->accuracy.mean,
           100 * mc->accuracy.std, 100 * mc->accuracy.min, 100 * mc->accuracy.max, 100 * mc->yield,
           100 * a->yield_threshold);
    if (a->rate) printf("; no energy in the rate model\n");
    else
        printf("; energy per inference %.4g J +- %.2g (min %.4g, max %.4g)\n", mc->energy_j.mean, mc->energy_j.std,
               mc->energy_j.min, mc->energy_j.max);
}

static void print_summary(const chips_args *a, const chips_result *r)
{
    printf("%ld chip%s (%ld..%ld, seed %llu) x %ld images, %g us each, %.1f s:\n", a->chips, a->chips == 1 ? "" : "s",
           a->first_chip, a->first_chip + a->chips - 1, (unsigned long long)r->io.seed, r->n_images,
           r->io.window_s * 1e6, r->seconds);
    for (int s = 0; s < r->n_mc; s++) print_mc(a, r, &r->mc[s]);
    const vs_infer_energy *e = &r->mc[r->n_mc - 1].energy_mean;
    if (!a->rate)
        printf("energy parts (mean over chips%s): input neurons %.3g J, hidden %.3g, output %.3g, synapses %.3g\n",
           r->n_mc > 1 ? ", last sigma" : "", e->input_j, e->hidden_j, e->output_j, e->synapse_j);
    printf("variation: d2d");
    if (!r->d2d.n) printf(" none");
    for (int k = 0; k < r->d2d.n; k++) {
        char v[48];
        sigma_text(r->d2d.model, r->d2d.param[k], r->d2d.sigma[k], v, sizeof v);
        printf("%s %s %s", k ? "," : "", r->d2d.model->params[r->d2d.param[k]].key, v);
    }
    char layers[24];
    printf(", gradient %g, layers %s; resistors ", r->d2d.gradient, vs_d2d_layers_text(r->d2d.layers, layers, sizeof layers));
    if (r->e_series) printf("E%d", r->e_series);
    else printf("exact");
    if (isnan(r->io.r_tolerance)) printf(" within +-%g %%", 100 * vs_eseries_tolerance(r->e_series));
    else if (r->io.r_tolerance > 0) printf(", spread %g", r->io.r_tolerance);
    printf("; wrote %s/\n", a->out);
    train_print_data(stdout, &r->test, NULL);
    printf("checkpoint: %s\n", a->checkpoint);
    train_print_checkpoint(stdout, &r->info, &r->t);
}

/* ---- command ----------------------------------------------------------------------------- */

void chips_defaults(chips_args *a)
{
    vs_infer_opts io = vs_infer_opts_default();
    *a = (chips_args){.checkpoint = "out/train/checkpoint.vsck", .dataset = "mnist", .out = "out/chips",
                      .chips = 10, .seed = 1, .window_s = io.window_s, .yield_threshold = 0.9,
                      .opamp = "ideal", .opamp_p = CLI_OPAMP_ARGS_DEFAULTS, .engine = "fast", .d2d_layers = "all", .plot = CLI_PLOT_PNG};
}

static int parse_chips_args(int argc, char **argv, const char *prog, chips_args *a)
{
    chips_defaults(a);
    const opt_spec opts[] = {
        CLI_CHECKPOINT_OPT(a->checkpoint, CLI_CHECKPOINT_IN_HELP),
        CLI_DATA_OPTS(a->data, a->dataset),
        {.name = "chips", .kind = OPT_LONG, .metavar = "N", .help = "chips simulated", .dest = &a->chips, .min = 1, .max = 100000},
        {.name = "first-chip", .kind = OPT_LONG, .metavar = "K", .help = "index of the first chip (chips K..K+N-1 of --seed)", .dest = &a->first_chip, .min = 0, .max = 1e9},
        {.name = "d2d", .kind = OPT_STRING, .metavar = "K=S,..", .help = "device-to-device sigmas of the checkpoint's model: relative for resistances, conductances, capacitances and times (r_ins0=5%), in the unit otherwise (t_c=1K) (default: none)", .dest = &a->d2d},
        {.name = "d2d-gradient", .kind = OPT_QUANTITY, .unit = "", .metavar = "G", .help = "share of each D2D variance that is a linear trend across the chip, 0..1", .dest = &a->d2d_gradient, .min = 0, .max = 1},
        {.name = "d2d-layers", .kind = OPT_STRING, .metavar = "L,..", .help = "the layers whose neurons vary: input, hidden, output or all (the others stay nominal)", .dest = &a->d2d_layers},
        {.name = "e-series", .kind = OPT_STRING, .metavar = "E", .help = "round every synaptic resistor to E12, E24, E48 or E96, drawn within its tolerance unless --r-spread (default: exact values)", .dest = &a->e_series},
        {.name = "r-spread", .kind = OPT_QUANTITY, .unit = "", .metavar = "F", .help = "relative sigma (normal) of every adder resistor", .dest = &a->r_spread, .min = 0, .max = 0.49, .given = &a->given_r_spread},
        {.name = "seed", .kind = OPT_LONG, .metavar = "N", .help = "seed of every draw (D2D, C2C jitter, resistors)", .dest = &a->seed, .min = 0, .max = 9.2e18},
        {.name = "limit", .kind = OPT_LONG, .metavar = "M", .help = "run only the first M test images on each chip (default: all)", .dest = &a->limit, .min = 1, .max = 1e9},
        {.name = "window", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "presentation time per image", .dest = &a->window_s, .min = 1e-6, .max = 1e-2},
        {.name = "yield-threshold", .kind = OPT_QUANTITY, .unit = "", .metavar = "A", .help = "a chip counts towards the yield at accuracy >= A (0..1)", .dest = &a->yield_threshold, .min = 0, .max = 1},
        CLI_OPAMP_OPT(a->opamp, ""),
        CLI_OPAMP_PERIPHERY_OPTS(a->opamp_p),
        CLI_ENGINE_OPT(a->engine),
        {.name = "rate", .kind = OPT_FLAG, .help = "the rate model with each chip's transfer functions (fast; no energy) instead of the circuit", .dest = &a->rate},
        {.name = "sweep", .kind = OPT_STRING, .metavar = "K=s1,..", .help = "repeat the Monte Carlo for each sigma of one D2D term (over --d2d), e.g. r_ins0=0,2%,5%: sweep.csv/.png", .dest = &a->sweep},
        CLI_THREADS_OPT(a->threads, ", images run in parallel"),
        CLI_OUT_OPT(a->out, "DIR", "output directory"),
        CLI_CACHE_OPT(a->cache),
        CLI_PLOT_ON_OPTS(a->plot, "chips.png (and sweep.png)"),
        CLI_JSON_OPT(a->json),
    };
    return cli_parse(prog, "Monte Carlo chips: a trained network at circuit level on N varied chips.",
        "Each chip is the checkpoint's network run as `vo2snn infer` runs it, with every neuron\n"
        "its own device drawn from the --d2d terms (log-normal or normal, docs/variation.md),\n"
        "its own cycle-to-cycle jitter stream (the checkpoint device's sigma_* parameters), and\n"
        "the synaptic resistors R_f/|g| rounded to --e-series and drawn within its tolerance\n"
        "(uniform), or with --r-spread (normal). Chip k of --seed is the same chip in every\n"
        "run, for any --threads; with no variation every chip is `vo2snn infer` exactly.\n"
        "Reports per chip accuracy, energy per inference (and its parts) and spikes, then the\n"
        "mean, standard deviation (over chips, n - 1), min and max, and the yield (chips with\n"
        "accuracy >= --yield-threshold). Writes, under DIR: chips.csv, summary.json, chips.png;\n"
        "with --sweep also sweep.csv and sweep.png (accuracy and yield against sigma).\n"
        "--rate runs each chip in the rate model instead (docs/variation.md): every neuron with\n"
        "the transfer function of its own device, taken from a bank of 17 transfer functions\n"
        "over +-4 sigma of each term (cached like the trained one); the same chips as the\n"
        "circuit run, thousands of times faster, no energy.",
        opts, CLI_N_OPTS(opts), argc, argv);
}

/* The checkpoint's header, the variation spec for its model, the window and the test set,
   checked against each other before any work. */
static int chips_inputs(const char *prog, const chips_args *a, chips_result *r, int *sweep_n, double *sweep_sigma)
{
    if (a->first_chip + a->chips - 1 > INT_MAX)
        return cli_error(prog, "--first-chip %ld with --chips %ld: chip indices end above %d", a->first_chip,
                         a->chips, INT_MAX);
    r->e_series = 0;
    if (a->e_series && (r->e_series = vs_eseries_parse(a->e_series)) < 0)
        return cli_error(prog, "--e-series: '%s' is not E12, E24, E48, E96 or none", a->e_series);
    r->io = vs_infer_opts_default();
    if (cli_opamp_build(prog, a->opamp, &a->opamp_p, &r->io.opamp)) return 1;
    r->io.window_s = a->window_s;
    r->io.engine = cli_engine_by_name(a->engine);
    r->io.seed = (uint64_t)a->seed;
    r->io.e_series = r->e_series;
    r->io.r_tolerance = a->given_r_spread ? a->r_spread : r->e_series ? (double)NAN : 0.0;
    if (vs_infer_opts_check(&r->io) != VS_OK) return cli_error(prog, "--window: %s", vs_last_error());
    if (vs_outputs_protect(a->checkpoint) != VS_OK || vs_checkpoint_load_info(a->checkpoint, &r->info) != VS_OK)
        return cli_fail(prog);
    const vs_model *m = r->info.device.model;
    if (vs_d2d_parse(m, a->d2d ? a->d2d : "", &r->d2d) != VS_OK) return cli_fail(prog);
    r->d2d.gradient = a->d2d_gradient;
    if (vs_d2d_layers_parse(a->d2d_layers, &r->d2d.layers) != VS_OK)
        return cli_error(prog, "--d2d-layers: %s", vs_last_error());
    r->sweep_param = -1;
    *sweep_n = 0;
    if (a->sweep && parse_sweep(prog, m, a->sweep, &r->sweep_param, sweep_sigma, sweep_n)) return 1;
    if (train_load_split(prog, a->data, a->dataset, "t10k", &r->test)) return 1;
    if (train_check_checkpoint_fits(prog, a->checkpoint, &r->info, &r->test)) return 1;
    r->n_images = a->limit && (size_t)a->limit < r->test.n ? a->limit : (long)r->test.n;
    return 0;
}

/* Every Monte Carlo (one, or one per sigma), then the outputs. */
static int chips_run(const char *prog, const chips_args *a, chips_result *r, int sweep_n, const double *sweep_sigma)
{
    vs_mlp *m = NULL;
    if (vs_checkpoint_load(a->checkpoint, &r->t, 256, &r->info, &m) != VS_OK) return cli_fail(prog);
    r->n_mc = sweep_n > 0 ? sweep_n : 1;
    r->mc = calloc((size_t)r->n_mc, sizeof *r->mc);
    vs_infer_result *res = calloc((size_t)r->n_images, sizeof *res);
    int failed = !r->mc || !res ? cli_error(prog, "out of memory") : 0;
    if (!failed && vs_mkdir_p(a->out) != VS_OK) failed = cli_fail(prog);
    const chips_job job = {prog, a, m, r, res, NULL};
    double t0 = progress_now();
    for (int s = 0; s < r->n_mc && !failed; s++) {
        chips_mc *mc = &r->mc[s];
        mc->d2d = r->d2d;
        mc->sigma = NAN;
        if (sweep_n > 0) {
            mc->sigma = sweep_sigma[s];
            if (vs_d2d_set(&mc->d2d, r->info.device.model, r->sweep_param, mc->sigma) != VS_OK) {
                failed = cli_fail(prog);
                break;
            }
        }
        if (!failed) failed = a->rate ? run_mc_rate(&job, mc) : run_mc(&job, mc);
    }
    r->seconds = progress_now() - t0;
    free(res);
    vs_mlp_free(m);
    if (!failed) failed = write_chips_csv(prog, a, r);
    if (!failed && sweep_n > 0) failed = write_sweep_csv(prog, a, r);
    if (!failed && a->plot) failed = write_plots(prog, a, r);
    if (!failed) failed = write_summary(prog, a, r);
    return failed;
}

void chips_result_free(chips_result *r)
{
    vs_transfer_free(&r->t);
    vs_dataset_free(&r->test);
    for (int s = 0; r->mc && s < r->n_mc; s++) free(r->mc[s].chip);
    free(r->mc);
    r->mc = NULL;
    r->n_mc = 0;
}

int chips_exec(const char *prog, const chips_args *a, chips_result *r)
{
    memset(r, 0, sizeof *r);
    cli_apply_threads(prog, a->threads);
    int sweep_n = 0;
    double sweep_sigma[CHIPS_MAX_SWEEP];
    int failed = chips_inputs(prog, a, r, &sweep_n, sweep_sigma) ||
                 train_build_transfer(prog, &r->info.device, &r->info.circuit, &r->info.transfer, a->cache, &r->t) ||
                 chips_run(prog, a, r, sweep_n, sweep_sigma);
    train_release_pixels(&r->test);
    if (failed) chips_result_free(r);
    return failed;
}

int cmd_chips(int argc, char **argv)
{
    const char *prog = "vo2snn chips";
    chips_args a;
    int rc = parse_chips_args(argc, argv, prog, &a);
    if (rc != CLI_GO_ON) return rc;
    static chips_result r;
    if (chips_exec(prog, &a, &r)) return 1;
    if (a.json) chips_json(stdout, &a, &r);
    else print_summary(&a, &r);
    chips_result_free(&r);
    return 0;
}
