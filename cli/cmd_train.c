/* cmd_train.c -- `vo2snn train` and `vo2snn eval`: the BP-SNN on MNIST through the device's transfer function. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_train.h"
#include "commands.h"
#include "common.h"
#include "vo2snn/outputs.h"
#include "progress.h"
#include "vo2snn/atomic.h"
#include "vo2snn/json.h"
#include "vo2snn/chiprate.h"
#include "vo2snn/train.h"

static const char *const loss_choices[] = {"mse", "ce", NULL};
static const char *const optim_choices[] = {"adam", "sgd", NULL};
static const char *const schedule_choices[] = {"cosine", "constant", NULL};
static const char *const split_choices[] = {"test", "train", NULL};

/* ---- shared by train and eval ---------------------------------------------------------- */

/* Load a split and make sure it is the data set asked for (MNIST and Fashion-MNIST share file names). */
int train_load_split(const char *prog, const char *data, const char *dataset, const char *prefix,
                     vs_dataset *out)
{
    char dir[4096];
    if (vs_data_dir(data, dataset, dir, sizeof dir) != VS_OK) return cli_fail(prog);
    if (vs_dataset_load(dir, prefix, out) != VS_OK) return cli_fail(prog);
    if (vs_dataset_check_kind(out, dataset) != VS_OK) {
        cli_error(prog, "--dataset %s: %s", dataset, vs_last_error());
        vs_dataset_free(out);
        return 1;
    }
    return 0;
}

/* Refuse a checkpoint whose input layer does not match the images of d. */
int train_check_checkpoint_fits(const char *prog, const char *path, const vs_checkpoint_info *info,
                                 const vs_dataset *d)
{
    char source[4200];
    snprintf(source, sizeof source, "checkpoint '%s'", path);
    return vs_dataset_check_inputs(d, info->cfg.sizes[0], source) == VS_OK ? 0 : cli_fail(prog);
}

/* The test image for the histogram: --image N if given, else the first 8, else image 0. */
int train_resolve_image(const char *prog, const vs_dataset *test, long requested, long *image)
{
    long first8 = vs_dataset_find_label(test, 8);
    *image = requested >= 0 ? requested : first8 >= 0 ? first8 : 0;
    if ((size_t)*image < test->n) return 0;
    return cli_error(prog, "--image %ld: '%s' has %zu images (0 to %zu)", *image, test->images_path,
                     test->n, test->n - 1);
}

/* "data: FILE, FILE" lines (text) for the splits used. */
void train_print_data(FILE *f, const vs_dataset *a, const vs_dataset *b)
{
    fprintf(f, "data: %s, %s", a->images_path, a->labels_path);
    if (b) fprintf(f, ", %s, %s", b->images_path, b->labels_path);
    fprintf(f, " (%d x %d images)\n", a->rows, a->cols);
}

/* "data": [FILE, ...] (JSON) for the splits used. */
void train_json_data(vs_json *j, const char *dataset, const vs_dataset *a, const vs_dataset *b)
{
    vs_json_str(j, "dataset", dataset);
    vs_json_array(j, "data");
    vs_json_str(j, NULL, a->images_path);
    vs_json_str(j, NULL, a->labels_path);
    if (b) vs_json_str(j, NULL, b->images_path), vs_json_str(j, NULL, b->labels_path);
    vs_json_close(j);
}

/* ---- what a checkpoint's network was trained through (train, eval, infer) ---- */

/* A float setting as the decimal it was given as ("0.003", not 0.003000000026). */
static double short_num(float v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.7g", (double)v);
    return strtod(buf, NULL);
}

static const char *method_name(vs_ode_method m) { return m == VS_ODE_RK4 ? "rk4" : "dp54"; }

/* Layer k of n_layers weight layers: "input", "hidden" (or "hidden_1", ...), "output". */
static void layer_name(int k, int n_layers, char *buf, size_t n)
{
    if (k == 0) snprintf(buf, n, "input");
    else if (k == n_layers) snprintf(buf, n, "output");
    else if (n_layers == 2) snprintf(buf, n, "hidden");
    else snprintf(buf, n, "hidden_%d", k);
}

void train_json_circuit(vs_json *j, const vs_circuit *c)
{
    vs_json_object(j, "circuit");
    vs_json_num(j, "r_series_ohm", c->r_series_ohm);
    vs_json_num(j, "c_f", c->c_f);
    vs_json_num(j, "r_sense_ohm", c->r_sense_ohm);
    vs_json_close(j);
}

void train_json_checkpoint(vs_json *j, const vs_checkpoint_info *info, const vs_transfer *t)
{
    char label[96];
    cli_device_label(&info->device, label, sizeof label);
    vs_json_str(j, "device", label);
    vs_device_json(j, "device_params", &info->device);
    train_json_circuit(j, &info->circuit);
    /* the measured transfer function, then every setting that determined it */
    vs_json_num(j, "transfer_v_on_v", t->v_on_v);
    vs_json_num(j, "transfer_v_peak_v", t->v_peak_v);
    vs_json_num(j, "transfer_f_peak_hz", t->f_peak_hz);
    const vs_transfer_opts *to = &info->transfer;
    const vs_sim_opts *so = &to->classify.sim;
    vs_json_object(j, "transfer");
    vs_json_num(j, "v_max_v", to->v_max_v);
    vs_json_num(j, "dv_v", to->dv_v);
    vs_json_num(j, "surrogate_v", to->surrogate_v);
    vs_json_num(j, "t_run_s", to->classify.t_run_s);
    vs_json_num(j, "settle_frac", to->classify.settle_frac);
    vs_json_int(j, "min_spikes", to->classify.min_spikes);
    vs_json_str(j, "method", method_name(so->method));
    vs_json_num(j, "rtol", so->rtol);
    vs_json_num(j, "atol_v", so->atol_v);
    vs_json_num(j, "atol_temp_k", so->atol_temp_k);
    vs_json_num(j, "h_max_s", so->h_max_s);
    vs_json_num(j, "dt_s", so->dt_s);
    vs_json_int(j, "seed", (long long)so->seed);
    vs_json_close(j);
    const vs_mlp_config *c = &info->cfg;
    vs_json_object(j, "network");
    vs_json_object(j, "neurons");
    for (int k = 0; k <= c->n_layers; k++) {
        char name[32];
        layer_name(k, c->n_layers, name, sizeof name);
        vs_json_int(j, name, c->sizes[k]);
    }
    vs_json_close(j);
    vs_json_str(j, "loss", c->loss == VS_LOSS_CE ? "ce" : "mse");
    vs_json_str(j, "optim", c->optim == VS_OPTIM_SGD ? "sgd" : "adam");
    vs_json_num(j, "lr", short_num(c->lr));
    vs_json_str(j, "schedule", info->cosine ? "cosine" : "constant");
    vs_json_num(j, "momentum", short_num(c->momentum));
    vs_json_num(j, "beta1", short_num(c->beta1));
    vs_json_num(j, "beta2", short_num(c->beta2));
    vs_json_num(j, "eps", short_num(c->eps));
    vs_json_num(j, "weight_decay", short_num(c->weight_decay));
    vs_json_int(j, "batch", info->batch);
    vs_json_int(j, "epochs_planned", info->epochs_planned);
    vs_json_int(j, "steps", info->steps);
    vs_json_int(j, "seed", (long long)info->seed);
    vs_json_int(j, "shift_px", info->shift_px);
    vs_json_num(j, "rail_v", short_num(c->rail_v));
    vs_json_num(j, "target_on", short_num(c->target_on));
    vs_json_num(j, "ce_scale", short_num(c->ce_scale));
    vs_json_num(j, "init_w_v", short_num(c->init_w_v));
    vs_json_num(j, "init_b_v", short_num(c->init_b_v));
    vs_json_num(j, "init_out_b_v", short_num(c->init_out_b_v));
    vs_json_close(j);
}

void train_print_checkpoint(FILE *f, const vs_checkpoint_info *info, const vs_transfer *t)
{
    const vs_device_params *d = &info->device;
    const vs_model *m = d->model;
    char label[96], rs[32], cf[32], rsen[32], dv[32], trun[32], hmax[32], fpk[32];
    cli_device_label(d, label, sizeof label);
    fprintf(f, "device: %s, model %s (%s):", label, m->name, m->doc);
    for (int i = 0; i < m->n_params; i++)
        fprintf(f, "%s %s %.7g%s%s", i ? "," : "", m->params[i].key, d->v[i], m->params[i].unit[0] ? " " : "",
                m->params[i].unit);
    fputc('\n', f);
    opt_format_quantity(rs, sizeof rs, info->circuit.r_series_ohm, "Ohm");
    opt_format_quantity(cf, sizeof cf, info->circuit.c_f, "F");
    opt_format_quantity(rsen, sizeof rsen, info->circuit.r_sense_ohm, "Ohm");
    fprintf(f, "circuit: R_s %s, C %s, R_sense %s\n", rs, cf, rsen);
    const vs_transfer_opts *to = &info->transfer;
    const vs_sim_opts *so = &to->classify.sim;
    opt_format_quantity(dv, sizeof dv, to->dv_v, "V");
    opt_format_quantity(trun, sizeof trun, to->classify.t_run_s, "s");
    char integ[96];
    if (so->method == VS_ODE_RK4) {
        opt_format_quantity(hmax, sizeof hmax, so->dt_s, "s");
        snprintf(integ, sizeof integ, "rk4, dt %s", hmax);
    } else {
        opt_format_quantity(hmax, sizeof hmax, so->h_max_s, "s");
        snprintf(integ, sizeof integ, "dp54, rtol %g, h_max %s", so->rtol, hmax);
    }
    snprintf(fpk, sizeof fpk, "%.4g kHz", t->f_peak_hz / 1e3);
    fprintf(f, "transfer: 0 to %g V in %s steps, %s per point (%s), surrogate %g V; V_on %.4g V, V_peak %.4g V, "
            "f_peak %s\n",
            to->v_max_v, dv, trun, integ, to->surrogate_v, t->v_on_v, t->v_peak_v, fpk);
    const vs_mlp_config *c = &info->cfg;
    fprintf(f, "network: ");
    for (int k = 0; k <= c->n_layers; k++) fprintf(f, "%s%d", k ? "-" : "", c->sizes[k]);
    fprintf(f, ", %s, %s, lr %g (%s), batch %d, %d of %d epochs, seed %llu, rails +-%g V\n",
            c->loss == VS_LOSS_CE ? "cross-entropy" : "MSE", c->optim == VS_OPTIM_SGD ? "SGD" : "Adam",
            (double)c->lr, info->cosine ? "cosine" : "constant", info->batch, info->epoch, info->epochs_planned,
            (unsigned long long)info->seed, (double)c->rail_v);
}

const char *train_cache_dir(const char *cache, char *buf, size_t n)
{
    if (cache && strcmp(cache, "none") == 0) return NULL;
    if (cache) return cache;
    vs_transfer_default_cache(buf, n);
    return buf;
}

int train_build_transfer(const char *prog, const vs_device_params *dev, const vs_circuit *c,
                         const vs_transfer_opts *to, const char *cache, vs_transfer *t)
{
    char dir[4096];
    cache = train_cache_dir(cache, dir, sizeof dir);
    cli_progress bar;
    progress_begin(&bar, "transfer function");
    if (bar.enabled) fprintf(stderr, "measuring the transfer function (cached after the first run) ...");
    vs_status s = vs_transfer_build(dev, c, to, cache, t);
    progress_end(&bar);
    if (s != VS_OK) return cli_fail(prog);
    if (t->cache_note[0]) cli_note(prog, "%s", t->cache_note);
    return 0;
}

/* ---- deploying a checkpoint elsewhere (eval, infer) ---- */

static int same_device(const vs_device_params *a, const vs_device_params *b)
{
    if (a->model != b->model) return 0;
    for (int i = 0; i < a->model->n_params; i++)
        if (a->v[i] != b->v[i]) return 0;
    return 1;
}

/* The deployed device: the options' (--param alone edits the checkpoint's device). */
static int deploy_device(const char *prog, const cli_device_args *a, const vs_device_params *trained,
                         vs_device_params *out)
{
    if (!cli_device_given(a)) {
        *out = *trained;
        return 0;
    }
    if (a->model_given || a->device_given || a->vacancy_given || a->file) return cli_device_resolve(prog, a, out);
    vs_device_params p = *trained;
    if (vs_device_apply_list(&p, a->param) != VS_OK || vs_device_validate(&p) != VS_OK) return cli_fail(prog);
    *out = p;
    return 0;
}

int train_deploy_build(const char *prog, const train_deploy_args *a, const vs_checkpoint_info *info,
                       const char *cache, train_deploy *out)
{
    memset(out, 0, sizeof *out);
    if (deploy_device(prog, &a->dev, &info->device, &out->dev)) return 1;
    out->circ = info->circuit;
    if (!isnan(a->circ.r_series_ohm)) out->circ.r_series_ohm = a->circ.r_series_ohm;
    if (!isnan(a->circ.c_f)) out->circ.c_f = a->circ.c_f;
    if (!isnan(a->circ.r_sense_ohm)) out->circ.r_sense_ohm = a->circ.r_sense_ohm;
    if (vs_circuit_validate(&out->circ) != VS_OK) return cli_fail(prog);
    out->elsewhere = !same_device(&out->dev, &info->device) ||
                     memcmp(&out->circ, &info->circuit, sizeof out->circ) != 0;
    if (!out->elsewhere) {
        out->dev = info->device;   /* the same parameters: the checkpoint's label and all */
        return train_build_transfer(prog, &info->device, &info->circuit, &info->transfer, cache, &out->t);
    }
    /* the checkpoint's settings; the grid reaches past the deployed device's window too */
    vs_transfer_opts to = info->transfer, own = info->transfer;
    to.v_max_v = 0;
    if (vs_transfer_resolve_range(&out->dev, &out->circ, &to) != VS_OK) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s", vs_last_error());
        return cli_error(prog, "deployed device: %s", msg);
    }
    if (own.v_max_v > to.v_max_v) to.v_max_v = own.v_max_v;
    if (train_build_transfer(prog, &info->device, &info->circuit, &own, cache, &out->t_trained)) return 1;
    if (train_build_transfer(prog, &out->dev, &out->circ, &to, cache, &out->t)) {
        vs_transfer_free(&out->t_trained);
        return 1;
    }
    return 0;
}

const vs_transfer *train_deploy_trained(const train_deploy *d) { return d->elsewhere ? &d->t_trained : &d->t; }

void train_deploy_free(train_deploy *d)
{
    vs_transfer_free(&d->t);
    if (d->elsewhere) vs_transfer_free(&d->t_trained);
    d->elsewhere = 0;
}

static void json_deploy_one(vs_json *j, const char *key, const vs_device_params *dev, const vs_circuit *c,
                            const vs_transfer *t)
{
    char label[96];
    cli_device_label(dev, label, sizeof label);
    vs_json_object(j, key);
    vs_json_str(j, "device", label);
    vs_device_json(j, "device_params", dev);
    train_json_circuit(j, c);
    vs_json_num(j, "transfer_v_on_v", t->v_on_v);
    vs_json_num(j, "transfer_v_peak_v", t->v_peak_v);
    vs_json_num(j, "transfer_s_peak_v", t->s_peak_v);
    vs_json_num(j, "transfer_f_peak_hz", t->f_peak_hz);
    vs_json_close(j);
}

void train_json_deploy(vs_json *j, const vs_checkpoint_info *info, const train_deploy *d)
{
    json_deploy_one(j, "trained_with", &info->device, &info->circuit, train_deploy_trained(d));
    json_deploy_one(j, "deployed_on", &d->dev, &d->circ, &d->t);
}

static void print_deploy_one(FILE *f, const char *what, const vs_device_params *dev, const vs_circuit *c,
                             const vs_transfer *t)
{
    char label[96], rs[32], cf[32], rsen[32];
    cli_device_label(dev, label, sizeof label);
    opt_format_quantity(rs, sizeof rs, c->r_series_ohm, "Ohm");
    opt_format_quantity(cf, sizeof cf, c->c_f, "F");
    opt_format_quantity(rsen, sizeof rsen, c->r_sense_ohm, "Ohm");
    fprintf(f, "%s: %s (model %s), R_s %s, C %s, R_sense %s; V_on %.4g V, V_peak %.4g V, s_peak %.4g V, "
               "f_peak %.4g kHz\n",
            what, label, dev->model->name, rs, cf, rsen, t->v_on_v, t->v_peak_v, t->s_peak_v, t->f_peak_hz / 1e3);
}

void train_print_deploy(FILE *f, const vs_checkpoint_info *info, const train_deploy *d)
{
    print_deploy_one(f, "trained with", &info->device, &info->circuit, train_deploy_trained(d));
    if (d->elsewhere) print_deploy_one(f, "deployed on", &d->dev, &d->circ, &d->t);
    else fprintf(f, "deployed on: the same device and circuit\n");
}

/* The measured transfer table (V, f, mean V_spike) in the cache format: every setting that
   determined it on the first line, a crc32 on the last, readable by vs_transfer_cache_load. */
static int write_transfer_table(const char *prog, const char *path, const vs_checkpoint_info *info,
                                const vs_transfer *t)
{
    vs_transfer_opts o = info->transfer;
    if (cli_prepare_output(prog, path)) return 1;
    if (vs_transfer_resolve_range(&info->device, &info->circuit, &o) != VS_OK ||
        vs_transfer_cache_save(path, &info->device, &info->circuit, &o, t->freq_hz, t->signal_v) != VS_OK)
        return cli_fail(prog);
    return 0;
}

int train_write_confusion(const char *prog, const char *path, const uint32_t *cm)
{
    static const char *const cols[] = {"true_label", "pred_0", "pred_1", "pred_2", "pred_3", "pred_4",
                                       "pred_5", "pred_6", "pred_7", "pred_8", "pred_9"};
    vs_csv *w;
    if (vs_csv_open(path, cols, 11, &w) != VS_OK) return cli_fail(prog);
    for (int y = 0; y < 10; y++) {
        double row[11] = {y};
        for (int k = 0; k < 10; k++) row[k + 1] = cm[y * 10 + k];
        if (vs_csv_row(w, row) != VS_OK) return vs_csv_abort(w), cli_fail(prog);
    }
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

int train_plot_confusion(const char *prog, int plot, const char *csv, const char *png, const char *title)
{
    char script[16384];
    snprintf(script, sizeof script,
             "set datafile separator ','\nset title '%s'\nset xlabel 'predicted class'\nset ylabel 'true label'\n"
             "set xrange [-0.5:9.5]\nset yrange [9.5:-0.5]\nset xtics noenhanced\nset size square\n"
             "set palette defined (0 '#f7fbff', 1 '#c6dbef', 2 '#6baed6', 3 '#2171b5', 4 '#08306b')\n"
             "set logscale cb\nset cbrange [1:1200]\nset cblabel 'images'\n"
             "plot '%s' matrix rowheaders columnheaders using 1:2:($3+0.5) with image notitle, \\\n"
             "     '' matrix rowheaders columnheaders using 1:2:($3 > 0 ? sprintf('%%d', $3) : '') with labels font ',8' notitle\n",
             title, csv);
    return cli_plot(prog, plot, script, png, 700, 650);
}

/* ---- train ------------------------------------------------------------------------------ */

static const char *const metrics_cols[] = {"epoch", "loss", "train_acc", "test_acc", "seconds", "lr"};

static int write_metrics(const char *prog, const char *path, const vs_checkpoint_info *info, double lr0)
{
    vs_csv *w;
    if (vs_csv_open(path, metrics_cols, 6, &w) != VS_OK) return cli_fail(prog);
    for (int e = 0; e < info->epoch; e++) {
        const vs_epoch_metrics *h = &info->history[e];
        double lr = info->cosine ? vs_lr_cosine(lr0, e, info->epochs_planned) : lr0;
        double row[6] = {e + 1, h->loss, h->train_acc, h->test_acc, h->seconds, lr};
        if (vs_csv_row(w, row) != VS_OK) return vs_csv_abort(w), cli_fail(prog);
    }
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

/* Fig 4D: the output rates for one test image, as CSV and (as plot asks) bar chart. */
static int write_image_rates(const char *prog, const char *dir, vs_mlp *m, const vs_transfer *t,
                             const vs_dataset *test, long image, const float enc[256], int plot)
{
    static const char *const cols[] = {"class", "rate", "rate_hz"};
    float rates[10];
    vs_output_rates(m, vs_dataset_image(test, (size_t)image), enc, rates);
    char csv[4096], png[4096];
    snprintf(csv, sizeof csv, "%s/output_rates.csv", dir);
    snprintf(png, sizeof png, "%s/output_rates.png", dir);
    vs_csv *w;
    if (vs_csv_open(csv, cols, 3, &w) != VS_OK) return cli_fail(prog);
    for (int k = 0; k < 10; k++) {
        double row[3] = {k, rates[k], (double)rates[k] * t->f_peak_hz};
        if (vs_csv_row(w, row) != VS_OK) return vs_csv_abort(w), cli_fail(prog);
    }
    if (vs_csv_close(w) != VS_OK) return cli_fail(prog);
    if (!plot) return 0;
    char script[8192];
    snprintf(script, sizeof script,
             "set datafile separator ','\nset title 'Output firing rates, test image %ld (label %d)'\n"
             "set xlabel 'output neuron (class)'\nset ylabel 'firing rate (kHz)'\nset xtics 0,1,9\n"
             "set xrange [-0.6:9.6]\nset yrange [0:*]\nset grid ytics\nset style fill solid 0.8\nset boxwidth 0.7\n"
             "plot '%s' every ::1 using 1:($3/1e3) with boxes lc rgb '#1f77b4' notitle\n",
             image, test->labels[image], csv);
    return cli_plot(prog, plot, script, png, 700, 450);
}

static int plot_accuracy(const char *prog, int plot, const char *csv, const char *png, const char *title)
{
    char script[8192];
    snprintf(script, sizeof script,
             "set datafile separator ','\nset title '%s'\nset xlabel 'epoch'\nset ylabel 'accuracy (%%)'\n"
             "set grid\nset key bottom right\nset xtics 1\n"
             "plot '%s' every ::1 using 1:($4*100) with linespoints pt 7 lw 2 lc rgb '#d62728' title 'test', \\\n"
             "     '' every ::1 using 1:($3*100) with linespoints pt 5 lw 2 lc rgb '#1f77b4' title 'train (running)'\n",
             title, csv);
    return cli_plot(prog, plot, script, png, 800, 500);
}

static int on_batch(long done, long total, void *bar) { return progress_update(done, total, bar); }

/* Everything about the data that could fail after training, checked before it starts:
   both splits have one image shape, a resumed checkpoint takes it, --image exists. */
static int check_train_data(const char *prog, const train_args *a, const char *ck_path,
                            const vs_checkpoint_info *info, const vs_dataset *train,
                            const vs_dataset *test, long *image)
{
    if (vs_dataset_check_same_shape(train, test) != VS_OK) return cli_fail(prog);
    if (a->resume && train_check_checkpoint_fits(prog, ck_path, info, train)) return 1;
    return train_resolve_image(prog, test, a->image, image);
}

/* The summary: in DIR/summary.json after every epoch (finished false, a resume file like the
   checkpoint) and at the end (finished true, every file listed); on stdout with --json. */
void train_json(FILE *f, const train_args *a, const train_result *r)
{
    const vs_checkpoint_info *info = &r->info;
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_str(&j, "command", "train");
    vs_json_bool(&j, "finished", r->finished);
    vs_json_int(&j, "epochs", info->epoch);
    vs_json_num(&j, "test_accuracy", r->test_accuracy);
    vs_json_num(&j, "final_loss", info->epoch > 0 ? info->history[info->epoch - 1].loss : (double)NAN);
    vs_json_num(&j, "final_train_accuracy", info->epoch > 0 ? info->history[info->epoch - 1].train_acc : (double)NAN);
    double secs = 0;
    for (int e = 0; e < info->epoch; e++) secs += info->history[e].seconds;
    vs_json_num(&j, "train_seconds", secs);
    vs_json_int(&j, "train_images", (long long)r->n_train);
    vs_json_int(&j, "test_images", (long long)r->n_test);
    train_json_data(&j, a->dataset, &r->train, &r->test);
    vs_json_str(&j, "checkpoint", r->ck);
    vs_json_str(&j, "metrics_csv", r->metrics);
    vs_json_str(&j, "transfer_csv", r->table);
    vs_json_str(&j, "summary_json", r->summary);
    vs_json_int(&j, "image", r->image);
    vs_json_array(&j, "files");
    const char *const written[] = {r->ck, r->metrics, r->table, r->summary};
    for (int k = 0; k < 4; k++) vs_json_str(&j, NULL, written[k]);
    static const char *const finals[] = {"confusion.csv", "output_rates.csv", "confusion.png", "accuracy.png",
                                         "output_rates.png"};
    for (int k = 0; r->finished && k < (a->plot ? 5 : 2); k++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", a->out, finals[k]);
        vs_json_str(&j, NULL, path);
    }
    vs_json_close(&j);
    train_json_checkpoint(&j, info, &r->t);
    vs_json_end(&j);
}

static int write_train_summary(const char *prog, const train_args *a, const train_result *r)
{
    vs_afile *af;
    if (vs_afile_open(r->summary, &af) != VS_OK) return cli_fail(prog);
    train_json(vs_afile_stream(af), a, r);
    return vs_afile_commit(af) == VS_OK ? 0 : cli_fail(prog);
}

void train_defaults(train_args *a)
{
    *a = (train_args){.dev = CLI_DEVICE_DEFAULTS, .circ = vs_circuit_default(), .dataset = "mnist",
                      .out = "out/train", .loss = "mse", .optim = "adam", .schedule = "cosine",
                      .hidden = 128, .epochs = 10, .batch = 64, .seed = 1, .threads = 0, .shift = 1,
                      .image = -1, .lr = 3e-3, .momentum = 0.9, .rail = 0, .surrogate = 0.75,
                      .target = 1.0, .ce_scale = 10, .log = stderr, .plot = CLI_PLOT_PNG};
}

/* Parse train's options into a (from train_defaults): CLI_GO_ON, or the exit status
   (help printed: 0, error: 1). */
static int parse_train_args(int argc, char **argv, const char *prog, train_args *a)
{
    train_defaults(a);
    const opt_spec opts[] = {
        CLI_DEVICE_OPTS(a->dev),
        CLI_CIRCUIT_OPTS(a->circ),
        CLI_DATA_OPTS(a->data, a->dataset),
        {.name = "hidden", .kind = OPT_LONG, .metavar = "N", .help = "hidden neurons", .dest = &a->hidden, .min = 1, .max = 4096},
        {.name = "epochs", .kind = OPT_LONG, .metavar = "N", .help = "epochs in total (with --resume: the total to reach)", .dest = &a->epochs, .min = 1, .max = VS_MAX_EPOCHS},
        {.name = "batch", .kind = OPT_LONG, .metavar = "N", .help = "mini-batch size", .dest = &a->batch, .min = 1, .max = 8192},
        {.name = "lr", .kind = OPT_QUANTITY, .unit = "", .metavar = "R", .help = "learning rate (start of the schedule)", .dest = &a->lr, .min = 1e-9, .max = 10},
        {.name = "schedule", .kind = OPT_CHOICE, .metavar = "S", .help = "learning-rate schedule: cosine or constant", .dest = &a->schedule, .choices = schedule_choices},
        {.name = "loss", .kind = OPT_CHOICE, .metavar = "L", .help = "mse (one-hot targets, the paper's) or ce (cross-entropy)", .dest = &a->loss, .choices = loss_choices},
        {.name = "optim", .kind = OPT_CHOICE, .metavar = "O", .help = "adam or sgd (with momentum)", .dest = &a->optim, .choices = optim_choices},
        {.name = "momentum", .kind = OPT_QUANTITY, .unit = "", .metavar = "M", .help = "SGD momentum", .dest = &a->momentum, .min = 0, .max = 0.9999},
        {.name = "shift", .kind = OPT_LONG, .metavar = "PX", .help = "augmentation: random shifts up to +-PX pixels (0 = off)", .dest = &a->shift, .min = 0, .max = 8},
        {.name = "rail", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "adder output rails +-V (default: the device's peak-rate voltage)", .dest = &a->rail, .min = 0.1, .max = 1e3, .given = &a->given_rail},
        {.name = "surrogate", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "width of the surrogate derivative (0 = exact)", .dest = &a->surrogate, .min = 0, .max = 10},
        {.name = "target", .kind = OPT_QUANTITY, .unit = "", .metavar = "R", .help = "MSE target rate of the true class (fraction of peak)", .dest = &a->target, .min = 0.05, .max = 1},
        {.name = "ce-scale", .kind = OPT_QUANTITY, .unit = "", .metavar = "S", .help = "cross-entropy logits = S x rate", .dest = &a->ce_scale, .min = 0.01, .max = 1000},
        {.name = "seed", .kind = OPT_LONG, .metavar = "N", .help = "seed for initial weights, data order and augmentation", .dest = &a->seed, .min = 0, .max = 9.2e18},
        CLI_THREADS_OPT(a->threads, ""),
        {.name = "train-limit", .kind = OPT_LONG, .metavar = "N", .help = "train on only the first N training images (default: all)", .dest = &a->train_limit, .min = 1, .max = 1e9},
        {.name = "limit", .alias = "test-limit", .kind = OPT_LONG, .metavar = "N", .help = "score only the first N test images (default: all)", .dest = &a->test_limit, .min = 1, .max = 1e9},
        {.name = "image", .kind = OPT_LONG, .metavar = "N", .help = "test image for the output-rate histogram (default: the first 8, else image 0)", .dest = &a->image, .min = 0, .max = 1e9},
        CLI_OUT_OPT(a->out, "DIR", "output directory"),
        CLI_CHECKPOINT_OPT(a->checkpoint, "checkpoint path (default: DIR/checkpoint.vsck)"),
        {.name = "resume", .kind = OPT_FLAG, .help = "continue from the checkpoint (its settings win)", .dest = &a->resume},
        {.name = "d2d", .kind = OPT_STRING, .metavar = "K=S,..", .help = "noise-aware training: a fresh chip with this device-to-device variation for every mini-batch, e.g. r_ins0=10%,t_c=2K; pays off with --loss ce (docs/variation.md)", .dest = &a->d2d},
        {.name = "d2d-gradient", .kind = OPT_QUANTITY, .unit = "", .metavar = "G", .help = "share of each --d2d variance that is a trend across the chip", .dest = &a->d2d_gradient, .min = 0, .max = 1},
        {.name = "c2c", .kind = OPT_FLAG, .help = "noise-aware training: also the device's cycle-to-cycle jitter, drawn per mini-batch", .dest = &a->c2c},
        CLI_CACHE_OPT(a->cache),
        CLI_PLOT_ON_OPTS(a->plot, "the PNGs listed below"),
        CLI_JSON_OPT_HELP(a->json, CLI_JSON_SUMMARY_HELP " (epoch lines go to stderr)"),
    };
    return cli_parse(prog, "Train the rate-coded 784-H-10 BP-SNN on MNIST through the neuron's transfer function.",
        "The transfer function (firing rate vs input voltage of the chosen device and\n"
        "circuit) is measured by the circuit simulator and cached. Pixels p > 0 drive the\n"
        "input neurons at V = V_on + (V_peak - V_on) p/255 (p = 0: silent). Every epoch\n"
        "appends to DIR/metrics.csv and writes the checkpoint atomically, with the transfer\n"
        "table it trains through in DIR/transfer.csv (every setting that determined it on\n"
        "its first line) and DIR/summary.json (what --json prints: device, circuit,\n"
        "transfer settings, network, data, accuracy, files); at the end\n"
        "DIR/confusion.csv/.png, DIR/accuracy.png and DIR/output_rates.csv/.png (Fig 4D,\n"
        "G, H). Classification: most spikes, ties to the higher adder voltage. Both splits,\n"
        "--image and a resumed checkpoint's input size are checked before training starts;\n"
        "the files used are printed (data: ...).",
        opts, CLI_N_OPTS(opts), argc, argv);
}

/* One train run: its arguments, the result it fills (settings, data, transfer function, paths)
   and the network. */
typedef struct train_run {
    const char *prog;
    const train_args *a;
    train_result *res;
    vs_mlp *m;
    float enc[256];
    int max_batch;
    vs_d2d d2d;                  /* noise-aware training: the chips drawn per mini-batch */
    vs_transfer_bank bank;
    vs_chip_sampler *sampler;    /* NULL: plain training */
} train_run;

/* The settings: from the checkpoint with --resume (checked against --epochs), else from the options. */
static int train_settings(train_run *r)
{
    const train_args *a = r->a;
    vs_checkpoint_info *info = &r->res->info;
    const char *ck = r->res->ck;
    memset(info, 0, sizeof *info);
    if (a->resume) {
        if (vs_checkpoint_load_info(ck, info) != VS_OK) return cli_fail(r->prog);
        if (a->epochs <= info->epoch)
            return cli_error(r->prog, "%s has already trained %d epochs (ask for more with --epochs)", ck, info->epoch);
        if (a->epochs != info->epochs_planned)
            return cli_error(r->prog, "%s was planned for %d epochs; resume with --epochs %d (the schedule spans them)",
                             ck, info->epochs_planned, info->epochs_planned);
        return 0;
    }
    if (cli_device_resolve(r->prog, &a->dev, &info->device)) return 1;
    if (vs_circuit_validate(&a->circ) != VS_OK) return cli_fail(r->prog);
    info->circuit = a->circ;
    info->transfer = vs_transfer_opts_default();
    info->transfer.surrogate_v = a->surrogate;
    if (vs_transfer_resolve_range(&info->device, &info->circuit, &info->transfer) != VS_OK)
        return cli_fail(r->prog);
    info->seed = (uint64_t)a->seed;
    info->batch = (int)a->batch;
    info->epochs_planned = (int)a->epochs;
    info->shift_px = (int)a->shift;
    info->cosine = strcmp(a->schedule, "cosine") == 0;
    return 0;
}

/* Both splits, checked against each other, the checkpoint and --image; then the transfer function. */
static int train_inputs(train_run *r)
{
    const train_args *a = r->a;
    train_result *res = r->res;
    if (train_load_split(r->prog, a->data, a->dataset, "train", &res->train)) return 1;
    if (train_load_split(r->prog, a->data, a->dataset, "t10k", &res->test)) return 1;
    if (check_train_data(r->prog, a, res->ck, &res->info, &res->train, &res->test, &res->image)) return 1;
    train_print_data(a->log, &res->train, &res->test);
    return train_build_transfer(r->prog, &res->info.device, &res->info.circuit, &res->info.transfer, a->cache,
                                &res->t);
}

/* The network: loaded from the checkpoint with --resume, else new from the options. */
static int train_network(train_run *r)
{
    const train_args *a = r->a;
    vs_checkpoint_info *info = &r->res->info;
    r->max_batch = info->batch > 256 ? info->batch : 256;
    if (a->resume)
        return vs_checkpoint_load(r->res->ck, &r->res->t, r->max_batch, info, &r->m) != VS_OK ? cli_fail(r->prog) : 0;
    info->cfg = vs_mlp_config_for(&r->res->t);
    info->cfg.sizes[0] = r->res->train.rows * r->res->train.cols;
    info->cfg.sizes[1] = (int)a->hidden;
    info->cfg.sizes[2] = 10;
    info->cfg.loss = strcmp(a->loss, "ce") == 0 ? VS_LOSS_CE : VS_LOSS_MSE;
    info->cfg.optim = strcmp(a->optim, "sgd") == 0 ? VS_OPTIM_SGD : VS_OPTIM_ADAM;
    info->cfg.lr = (float)a->lr;
    info->cfg.momentum = (float)a->momentum;
    info->cfg.target_on = (float)a->target;
    info->cfg.ce_scale = (float)a->ce_scale;
    if (a->given_rail) info->cfg.rail_v = (float)a->rail;
    vs_rng rng;
    vs_rng_seed(&rng, info->seed, 0);
    return (r->m = vs_mlp_new(&info->cfg, &r->res->t, r->max_batch, &rng)) ? 0 : cli_fail(r->prog);
}

/* The output directory and the audit table beside the checkpoint. The checkpoint, the metrics and
   the summary are the resume state: they stay if the run fails, and always describe the same epochs. */
static int train_prepare_outputs(train_run *r)
{
    const char *prog = r->prog, *out = r->a->out;
    train_result *res = r->res;
    snprintf(res->metrics, sizeof res->metrics, "%s/metrics.csv", out);
    snprintf(res->summary, sizeof res->summary, "%s/summary.json", out);
    snprintf(res->table, sizeof res->table, "%s/transfer.csv", out);
    if (vs_outputs_keep(res->ck) != VS_OK || vs_outputs_keep(res->metrics) != VS_OK ||
        vs_outputs_keep(res->summary) != VS_OK)
        return cli_fail(prog);
    if (vs_mkdir_p(out) != VS_OK) return cli_fail(prog);
    if (cli_prepare_output(prog, res->ck) || cli_prepare_output(prog, res->summary)) return 1;
    /* the transfer table the network is trained through, beside the checkpoint (an audit) */
    return write_transfer_table(prog, res->table, &res->info, &res->t);
}

/* "device 1: transfer V_on ...; 784-128-10, MSE, Adam, batch 64, lr 0.003 (cosine), seed 1" */
static void print_train_setup(FILE *log, const vs_checkpoint_info *info, const vs_transfer *t)
{
    char label[96];
    cli_device_label(&info->device, label, sizeof label);
    fprintf(log, "%s: transfer V_on %.2f V, V_peak %.2f V, f_peak %.1f kHz%s; %d-%d-%d, %s, %s, batch %d, lr %g (%s), seed %llu\n",
            label, t->v_on_v, t->v_peak_v, t->f_peak_hz / 1e3, t->from_cache ? " (cached)" : "",
            info->cfg.sizes[0], info->cfg.sizes[1], info->cfg.sizes[2],
            info->cfg.loss == VS_LOSS_CE ? "cross-entropy" : "MSE",
            info->cfg.optim == VS_OPTIM_SGD ? "SGD" : "Adam", info->batch, (double)info->cfg.lr,
            info->cosine ? "cosine" : "constant", (unsigned long long)info->seed);
}

/* One epoch, scored on the test images, into info->history[e]; nothing is saved here. */
static int train_one_epoch(train_run *r, const vs_train_opts *to, int e, vs_epoch_metrics *em)
{
    vs_checkpoint_info *info = &r->res->info;
    vs_mlp_set_lr(r->m, (float)(info->cosine ? vs_lr_cosine(info->cfg.lr, e, info->epochs_planned) : (double)info->cfg.lr));
    cli_progress bar;
    char lab[32];
    snprintf(lab, sizeof lab, "epoch %d/%d", e + 1, info->epochs_planned);
    progress_begin(&bar, lab);
    vs_status s = vs_train_epoch(r->m, &r->res->train, r->enc, to, e, on_batch, &bar, em);
    progress_end(&bar);
    if (s != VS_OK) return cli_fail(r->prog);   /* nothing of this epoch is saved */
    if (vs_evaluate(r->m, &r->res->test, (size_t)r->a->test_limit, r->enc, r->max_batch, &em->test_acc, NULL, NULL) != VS_OK)
        return cli_fail(r->prog);
    info->history[e] = *em;
    info->epoch = e + 1;
    info->steps = vs_mlp_step_count(r->m);
    return 0;
}

/* The remaining epochs; after each the checkpoint, metrics.csv and summary.json (not finished). */
static int train_epochs(train_run *r)
{
    train_result *res = r->res;
    vs_checkpoint_info *info = &res->info;
    vs_train_opts to = {.batch = info->batch, .seed = info->seed, .shift_px = info->shift_px,
                        .n_limit = (size_t)r->a->train_limit, .chip = r->sampler ? vs_chip_sample : NULL,
                        .chip_user = r->sampler};
    for (int e = info->epoch; e < info->epochs_planned; e++) {
        vs_epoch_metrics em;
        if (train_one_epoch(r, &to, e, &em)) return 1;
        if (r->sampler && vs_chip_sampler_status(r->sampler) != VS_OK) return cli_fail(r->prog);
        res->test_accuracy = em.test_acc;
        if (vs_checkpoint_save(res->ck, info, r->m) != VS_OK ||
            write_metrics(r->prog, res->metrics, info, info->cfg.lr) || write_train_summary(r->prog, r->a, res))
            return vs_last_error()[0] ? cli_fail(r->prog) : 1;
        fprintf(r->a->log, "epoch %2d/%d: loss %.5f, train %.2f %%, test %.2f %%, %.2f s\n", e + 1,
                info->epochs_planned, em.loss, 100 * em.train_acc, 100 * em.test_acc, em.seconds);
        fflush(r->a->log);
    }
    return 0;
}

/* The trained network's figures: confusion.csv, output_rates.csv and, as a->plot asks, their PNGs
   and accuracy.png (Fig 4D, G, H). */
static int train_figures(const train_run *r, double *acc)
{
    const char *prog = r->prog, *out = r->a->out;
    const train_result *res = r->res;
    const int plot = r->a->plot;
    uint32_t cm[100];
    if (vs_evaluate(r->m, &res->test, (size_t)r->a->test_limit, r->enc, r->max_batch, acc, cm, NULL) != VS_OK)
        return cli_fail(prog);
    char cm_csv[4096], cm_png[4096], acc_png[4096];
    snprintf(cm_csv, sizeof cm_csv, "%s/confusion.csv", out);
    snprintf(cm_png, sizeof cm_png, "%s/confusion.png", out);
    snprintf(acc_png, sizeof acc_png, "%s/accuracy.png", out);
    if (train_write_confusion(prog, cm_csv, cm)) return 1;
    if (write_image_rates(prog, out, r->m, &res->t, &res->test, res->image, r->enc, plot)) return 1;
    if (!plot) return 0;
    char title[200], label[96];
    snprintf(title, sizeof title, "Confusion matrix, test set (%.2f %%)", 100 * *acc);
    if (train_plot_confusion(prog, plot, cm_csv, cm_png, title)) return 1;
    cli_device_label(&res->info.device, label, sizeof label);
    snprintf(title, sizeof title, "Test accuracy per epoch, %s", label);
    return plot_accuracy(prog, plot, res->metrics, acc_png, title);
}

/* Train from the prepared settings, data and network: outputs, epochs, figures and the finished
   summary.json. */
/* The device's cycle-to-cycle jitter (vo2x: sigma_lnr, sigma_tc) as per-batch terms on the
   parameters it moves (r_ins0 log-normal, t_c normal). */
static int c2c_terms(const char *prog, const vs_device_params *dev, vs_d2d *v)
{
    const vs_model *m = dev->model;
    int lnr = vs_model_param_index(m, "sigma_lnr"), tc = vs_model_param_index(m, "sigma_tc");
    if (lnr < 0 || tc < 0 || (dev->v[lnr] == 0 && dev->v[tc] == 0))
        return cli_error(prog, "--c2c: device has no cycle-to-cycle jitter (sigma_lnr, sigma_tc)");
    if ((dev->v[lnr] > 0 && vs_d2d_set(v, m, vs_model_param_index(m, "r_ins0"), dev->v[lnr]) != VS_OK) ||
        (dev->v[tc] > 0 && vs_d2d_set(v, m, vs_model_param_index(m, "t_c"), dev->v[tc]) != VS_OK))
        return cli_fail(prog);
    return 0;
}

/* The chips of noise-aware training: --d2d terms (and with --c2c the device's jitter as
   r_ins0 and t_c terms), a transfer bank over them, and the per-batch sampler. */
static int noise_aware_setup(train_run *r)
{
    const train_args *a = r->a;
    const vs_checkpoint_info *info = &r->res->info;
    const vs_device_params *dev = &info->device;
    if (vs_d2d_parse(dev->model, a->d2d ? a->d2d : "", &r->d2d) != VS_OK) return cli_fail(r->prog);
    r->d2d.gradient = a->d2d_gradient;
    if (a->c2c && c2c_terms(r->prog, dev, &r->d2d)) return 1;
    if (r->d2d.n == 0) return cli_error(r->prog, "--d2d/--c2c: no variation to train against");
    char dir[4096];
    const char *cache = train_cache_dir(a->cache, dir, sizeof dir);
    if (info->cfg.loss == VS_LOSS_MSE)
        fprintf(a->log, "note: with --loss mse noise-aware training buys little robustness; --loss ce learns the "
                        "class margins variation needs (docs/variation.md)\n");
    fprintf(a->log, "noise-aware training: transfer bank of %d term(s) x 9 nodes over +-3 sigma ...\n", r->d2d.n);
    fflush(a->log);
    if (vs_transfer_bank_build(dev, &info->circuit, &info->transfer, &r->d2d, 9, 3.0, cache, NULL, NULL, &r->bank) != VS_OK ||
        vs_chip_sampler_new(r->m, &r->res->t, &r->bank, &r->d2d, dev, (uint64_t)a->seed ^ 0x7a1eULL, &r->sampler) != VS_OK)
        return cli_fail(r->prog);
    return 0;
}

static int train_run_all(train_run *r)
{
    const train_args *a = r->a;
    train_result *res = r->res;
    if (train_prepare_outputs(r)) return 1;
    vs_mlp_encode_table(r->enc, &res->t);
    print_train_setup(a->log, &res->info, &res->t);
    res->n_train = a->train_limit && (size_t)a->train_limit < res->train.n ? (size_t)a->train_limit : res->train.n;
    res->n_test = a->test_limit && (size_t)a->test_limit < res->test.n ? (size_t)a->test_limit : res->test.n;
    res->test_accuracy = NAN;
    if ((r->a->d2d || r->a->c2c) && noise_aware_setup(r)) return 1;
    if (train_epochs(r)) return 1;
    double acc = NAN;
    if (train_figures(r, &acc)) return 1;
    res->test_accuracy = acc;
    res->finished = 1;
    return write_train_summary(r->prog, a, res);
}

/* The pixels go once a run is done with them; the summary still names the files. */
void train_release_pixels(vs_dataset *d)
{
    free(d->images);
    free(d->labels);
    d->images = d->labels = NULL;
}

void train_result_free(train_result *r)
{
    vs_transfer_free(&r->t);
    vs_dataset_free(&r->train);
    vs_dataset_free(&r->test);
}

int train_exec(const char *prog, const train_args *a, train_result *res)
{
    memset(res, 0, sizeof *res);
    cli_apply_threads(prog, a->threads);
    if (a->checkpoint) snprintf(res->ck, sizeof res->ck, "%s", a->checkpoint);
    else snprintf(res->ck, sizeof res->ck, "%s/checkpoint.vsck", a->out);
    train_run r = {.prog = prog, .a = a, .res = res};
    int failed = train_settings(&r) || train_inputs(&r) || train_network(&r) || train_run_all(&r);
    vs_chip_sampler_free(r.sampler);
    vs_transfer_bank_free(&r.bank);
    vs_mlp_free(r.m);
    train_release_pixels(&res->train);
    train_release_pixels(&res->test);
    if (failed) train_result_free(res);
    return failed;
}

/* "test accuracy 97.50 % after 10 epochs; wrote ..." */
static void print_train_text(const train_args *a, const train_result *r)
{
    printf("test accuracy %.2f %% after %d epochs; wrote %s, %s, %s, %s, %s/output_rates.csv%s\n",
           100 * r->test_accuracy, r->info.epoch, r->ck, r->metrics, r->table, r->summary, a->out,
           a->plot ? " and plots" : "");
}

int cmd_train(int argc, char **argv)
{
    const char *prog = "vo2snn train";
    train_args a;
    int rc = parse_train_args(argc, argv, prog, &a);
    if (rc != CLI_GO_ON) return rc;
    a.log = a.json ? stderr : stdout;
    static train_result r;
    if (train_exec(prog, &a, &r)) return 1;
    if (a.json) train_json(stdout, &a, &r);
    else print_train_text(&a, &r);
    train_result_free(&r);
    return 0;
}

/* ---- eval ------------------------------------------------------------------------------- */

/* DIR/eval_confusion.csv, and its PNG with --plot. */
static int write_eval_confusion(const char *prog, const char *out, const uint32_t *cm, int plot)
{
    char cm_csv[4096], cm_png[4096];
    snprintf(cm_csv, sizeof cm_csv, "%s/eval_confusion.csv", out);
    snprintf(cm_png, sizeof cm_png, "%s/eval_confusion.png", out);
    if (vs_mkdir_p(out) != VS_OK) return cli_fail(prog);
    if (train_write_confusion(prog, cm_csv, cm)) return 1;
    return plot ? train_plot_confusion(prog, plot, cm_csv, cm_png, "Confusion matrix") : 0;
}

/* What eval prints: the score, the data and what the checkpoint was trained through and runs on. */
typedef struct eval_report {
    const char *checkpoint, *dataset, *split;
    const vs_checkpoint_info *info;
    const train_deploy *dep;
    const vs_dataset *d;
    size_t n;       /* images scored */
    double acc;
} eval_report;

/* One JSON object with --json, else text lines. */
static void print_eval(const eval_report *r, int json)
{
    const vs_transfer *trained = train_deploy_trained(r->dep);
    if (!json) {
        printf("%s (%d epochs): %s accuracy %.2f %% on %zu images%s\n", r->checkpoint, r->info->epoch, r->split,
               100 * r->acc, r->n, r->dep->elsewhere ? " (rate model on the deployed device)" : "");
        train_print_data(stdout, r->d, NULL);
        train_print_checkpoint(stdout, r->info, trained);
        train_print_deploy(stdout, r->info, r->dep);
        return;
    }
    vs_json j;
    vs_json_begin(&j, stdout);
    vs_json_str(&j, "command", "eval");
    vs_json_str(&j, "checkpoint", r->checkpoint);
    vs_json_int(&j, "epochs_trained", r->info->epoch);
    vs_json_str(&j, "split", r->split);
    vs_json_int(&j, "images", (long long)r->n);
    vs_json_num(&j, "accuracy", r->acc);
    train_json_data(&j, r->dataset, r->d, NULL);
    train_json_checkpoint(&j, r->info, trained);
    train_json_deploy(&j, r->info, r->dep);
    vs_json_end(&j);
}

int cmd_eval(int argc, char **argv)
{
    const char *prog = "vo2snn eval";
    const char *checkpoint = "out/train/checkpoint.vsck", *data = NULL, *dataset = "mnist",
               *split = "test", *out = NULL, *cache = NULL;
    long limit = 0;
    int json = 0, plot = 0;
    train_deploy_args deploy = TRAIN_DEPLOY_DEFAULTS;
    const opt_spec opts[] = {
        CLI_CHECKPOINT_OPT(checkpoint, CLI_CHECKPOINT_IN_HELP),
        CLI_DATA_OPTS(data, dataset),
        {.name = "split", .kind = OPT_CHOICE, .metavar = "S", .help = "test or train", .dest = &split, .choices = split_choices},
        {.name = "limit", .kind = OPT_LONG, .metavar = "N", .help = "score only the first N images of --split (default: all)", .dest = &limit, .min = 1, .max = 1e9},
        TRAIN_DEPLOY_OPTS(deploy),
        CLI_OUT_OPT(out, "DIR", "write DIR/eval_confusion.csv (and .png with --plot)"),
        CLI_CACHE_OPT(cache),
        CLI_JSON_OPT(json),
        CLI_PLOT_OPTS(plot, "the confusion matrix DIR/eval_confusion.png"),
    };
    int rc = cli_parse(prog, "Score a trained checkpoint on a data set with the rate model.",
        "The images must have the checkpoint's input size, and look like --dataset (MNIST\n"
        "and Fashion-MNIST share file names; they are told apart by their pixels). Prints\n"
        "the files used (data: ...).\n"
        TRAIN_DEPLOY_HELP
        "The score is then the rate model's prediction of what vo2snn infer measures with the\n"
        "same device options.",
        opts, CLI_N_OPTS(opts), argc, argv);
    if (rc != CLI_GO_ON) return rc;
    static vs_checkpoint_info info;
    if (vs_outputs_protect(checkpoint) != VS_OK || vs_checkpoint_load_info(checkpoint, &info) != VS_OK)
        return cli_fail(prog);
    vs_dataset d;
    if (train_load_split(prog, data, dataset, strcmp(split, "train") == 0 ? "train" : "t10k", &d)) return 1;
    if (train_check_checkpoint_fits(prog, checkpoint, &info, &d)) return vs_dataset_free(&d), 1;
    static train_deploy dep;
    if (train_deploy_build(prog, &deploy, &info, cache, &dep)) return vs_dataset_free(&d), 1;
    vs_mlp *m = NULL;
    int failed = 0;
    uint32_t cm[100];
    double acc = NAN;
    float enc[256];
    if (vs_checkpoint_load(checkpoint, &dep.t, 256, &info, &m) != VS_OK) failed = cli_fail(prog);
    if (!failed) {
        vs_mlp_encode_table(enc, &dep.t);
        if (vs_evaluate(m, &d, (size_t)limit, enc, 256, &acc, cm, NULL) != VS_OK) failed = cli_fail(prog);
    }
    if (!failed && out) failed = write_eval_confusion(prog, out, cm, plot);
    size_t n = limit && (size_t)limit < d.n ? (size_t)limit : d.n;
    const eval_report rep = {checkpoint, dataset, split, &info, &dep, &d, n, acc};
    if (!failed) print_eval(&rep, json);
    vs_mlp_free(m);
    train_deploy_free(&dep);
    vs_dataset_free(&d);
    return failed;
}
