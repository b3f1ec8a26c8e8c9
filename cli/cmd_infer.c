/* cmd_infer.c -- `vo2snn infer`: the trained network run as circuit neurons (Fig 4B-F). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_infer.h"
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


/* ---- infer ------------------------------------------------------------------------------ */


typedef struct image_outcome {
    int label, spike_pred, rate_pred, counts[10];
    long spikes[3];
    vs_infer_energy e;
} image_outcome;

/* Accuracies, agreement, mean energies and spikes over n outcomes (seconds and window untouched). */
static void summarise(const image_outcome *out, size_t n, infer_window *sum)
{
    sum->n = (long)n;
    long ok = 0, okr = 0, agree = 0;
    double spikes_total = 0;
    memset(&sum->energy, 0, sizeof sum->energy);
    memset(sum->spikes, 0, sizeof sum->spikes);
    vs_infer_energy *e = &sum->energy;
    for (size_t i = 0; i < n; i++) {
        const image_outcome *o = &out[i];
        ok += o->spike_pred == o->label;
        okr += o->rate_pred == o->label;
        agree += o->spike_pred == o->rate_pred;
        e->input_j += o->e.input_j / (double)n;
        e->hidden_j += o->e.hidden_j / (double)n;
        e->output_j += o->e.output_j / (double)n;
        e->synapse_j += o->e.synapse_j / (double)n;
        e->total_j += o->e.total_j / (double)n;
        for (int k = 0; k < 3; k++) sum->spikes[k] += (double)o->spikes[k] / (double)n, spikes_total += (double)o->spikes[k];
    }
    sum->accuracy = (double)ok / (double)n;
    sum->rate_accuracy = (double)okr / (double)n;
    sum->agreement = (double)agree / (double)n;
    sum->energy_per_spike_j = spikes_total > 0 ? e->total_j * (double)n / spikes_total : (double)NAN;
}

/* The rate model's class of each of the first n images of d (malloc'ed; NULL after printing why). */
static uint8_t *rate_predictions(const char *prog, vs_mlp *m, const vs_dataset *d, size_t n, const float enc[256])
{
    uint8_t *pred = malloc(n);
    if (!pred) return cli_error(prog, "out of memory"), NULL;
    double acc;
    if (vs_evaluate(m, d, n, enc, 256, &acc, NULL, pred) != VS_OK) return free(pred), cli_fail(prog), NULL;
    return pred;
}

/* The first n test images through the circuit network (in parallel), with the rate model's classes. */
static int run_test_set(const char *prog, const vs_infer_net *net, vs_mlp *m, const vs_dataset *d,
                        size_t n, const float enc[256], image_outcome *out, infer_window *sum)
{
    uint8_t *rate_pred = rate_predictions(prog, m, d, n, enc);
    vs_infer_result *r = rate_pred ? calloc(n ? n : 1, sizeof *r) : NULL;
    if (!r) return free(rate_pred), rate_pred ? cli_error(prog, "out of memory") : 1;
    cli_progress bar;
    progress_begin(&bar, "infer");
    double t0 = progress_now();
    vs_status s = vs_infer_dataset_range(net, d, 0, n, r, progress_update, &bar);
    progress_end(&bar);
    for (size_t i = 0; s == VS_OK && i < n; i++) {
        image_outcome *o = &out[i];
        o->label = d->labels[i];
        o->spike_pred = r[i].predicted;
        o->rate_pred = rate_pred[i];
        memcpy(o->counts, r[i].counts, sizeof o->counts);
        memcpy(o->spikes, r[i].spikes, sizeof o->spikes);
        o->e = r[i].energy;
    }
    free(r);
    free(rate_pred);
    if (s != VS_OK) return cli_fail(prog);
    summarise(out, n, sum);
    sum->seconds = progress_now() - t0;
    return 0;
}

/* Run the detail image with its rasters recorded; write raster_{input,hidden,output}.csv. */
static int write_rasters(const char *prog, const char *dir, const vs_infer_net *net, const vs_dataset *d,
                         long image, vs_infer_result *res)
{
    vs_spike_list lists[3] = {{0}, {0}, {0}};
    vs_infer_work *w = vs_infer_work_new(net);
    if (!w) return cli_error(prog, "out of memory");
    for (int l = 0; l < 3; l++) res->record[l] = &lists[l];
    vs_status s = vs_infer_dataset_image(net, w, d, (size_t)image, res);
    vs_infer_work_free(w);
    int failed = s != VS_OK ? cli_fail(prog) : 0;
    static const char *const layer_names[3] = {"input", "hidden", "output"};
    static const char *const cols[] = {"neuron", "t_s"};
    for (int l = 0; l < 3 && !failed; l++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/raster_%s.csv", dir, layer_names[l]);
        vs_csv *c;
        if (vs_csv_open(path, cols, 2, &c) != VS_OK) {
            failed = cli_fail(prog);
            break;
        }
        for (size_t k = 0; k < lists[l].n && !failed; k++) {
            double row[2] = {lists[l].neuron[k], lists[l].t_s[k]};
            if (vs_csv_row(c, row) != VS_OK) failed = (vs_csv_abort(c), cli_fail(prog));
        }
        if (!failed && vs_csv_close(c) != VS_OK) failed = cli_fail(prog);
    }
    for (int l = 0; l < 3; l++) vs_spike_list_free(&lists[l]), res->record[l] = NULL;
    return failed;
}

/* input_image.csv (row, col, pixel, drive) and output_rates.csv of the detail image. */
static int write_image_tables(const char *prog, const char *dir, const vs_transfer *t, const vs_dataset *d,
                              long image, double window, const vs_infer_result *res)
{
    static const char *const img_cols[] = {"row", "col", "pixel", "v_in_v"};
    static const char *const rate_cols[] = {"class", "spikes", "rate_hz", "first_spike_s"};
    const uint8_t *img = vs_dataset_image(d, (size_t)image);
    const size_t n_px = vs_dataset_pixels(d), n_cols = (size_t)d->cols;
    char path[4096];
    snprintf(path, sizeof path, "%s/input_image.csv", dir);
    vs_csv *c;
    if (vs_csv_open(path, img_cols, 4, &c) != VS_OK) return cli_fail(prog);
    for (size_t p = 0; p < n_px; p++) {
        double row[4] = {(double)(p / n_cols), (double)(p % n_cols), img[p], vs_pixel_voltage(t, img[p])};
        if (vs_csv_row(c, row) != VS_OK) return vs_csv_abort(c), cli_fail(prog);
    }
    if (vs_csv_close(c) != VS_OK) return cli_fail(prog);
    snprintf(path, sizeof path, "%s/output_rates.csv", dir);
    if (vs_csv_open(path, rate_cols, 4, &c) != VS_OK) return cli_fail(prog);
    for (int k = 0; k < 10; k++) {
        double row[4] = {k, res->counts[k], res->counts[k] / window, res->first_spike_s[k]};
        if (vs_csv_row(c, row) != VS_OK) return vs_csv_abort(c), cli_fail(prog);
    }
    return vs_csv_close(c) == VS_OK ? 0 : cli_fail(prog);
}

/* PNGs of the detail image: input map, hidden and output rasters, output rates (Fig 4B, 4D-F). */
static int plot_image_detail(const char *prog, int plot, const char *dir, const vs_dataset *d, long image,
                             double window)
{
    static const char *const layer_names[3] = {"input", "hidden", "output"};
    const int label = d->labels[image];
    char script[8192], png[4096];
    snprintf(png, sizeof png, "%s/input_image.png", dir);
    snprintf(script, sizeof script,
             "set datafile separator ','\nset title 'Input image %ld (label %d): pixel intensity'\n"
             "set size ratio -1\nset xrange [-0.5:%g]\nset yrange [%g:-0.5]\nunset xtics\nunset ytics\n"
             "set palette gray negative\nset cbrange [0:255]\nset cblabel 'pixel (0-255)'\n"
             "plot '%s/input_image.csv' every ::1 using 2:1:3 with image notitle\n",
             image, label, d->cols - 0.5, d->rows - 0.5, dir);
    if (cli_plot(prog, plot, script, png, 600, 560)) return 1;
    for (int l = 1; l < 3; l++) {
        snprintf(png, sizeof png, "%s/raster_%s.png", dir, layer_names[l]);
        snprintf(script, sizeof script,
                 "set datafile separator ','\nset title 'Raster, %s layer (image %ld, %g µs)'\n"
                 "set xlabel 'time (µs)'\nset ylabel '%s neuron'\nset xrange [0:%g]\nset yrange [-1:%s]\n%s"
                 "unset key\nset grid xtics\n"
                 "plot '%s/raster_%s.csv' every ::1 using ($2*1e6):1 with points pt '|' ps %s lc rgb '#1f2f6f'\n",
                 layer_names[l], image, window * 1e6, layer_names[l], window * 1e6, l == 1 ? "*" : "10",
                 l == 2 ? "set ytics 0,1,9\n" : "", dir, layer_names[l], l == 1 ? "0.6" : "2");
        if (cli_plot(prog, plot, script, png, 900, l == 1 ? 600 : 400)) return 1;
    }
    snprintf(png, sizeof png, "%s/output_rates.png", dir);
    snprintf(script, sizeof script,
             "set datafile separator ','\nset title 'Output firing rates, image %ld (label %d), %g µs'\n"
             "set xlabel 'output neuron (class)'\nset ylabel 'firing rate (kHz)'\nset xtics 0,1,9\n"
             "set xrange [-0.6:9.6]\nset yrange [0:*]\nset grid ytics\nset style fill solid 0.8\nset boxwidth 0.7\n"
             "plot '%s/output_rates.csv' every ::1 using 1:($3/1e3) with boxes lc rgb '#1f77b4' notitle\n",
             image, label, window * 1e6, dir);
    return cli_plot(prog, plot, script, png, 700, 450);
}

static int write_image_detail(const char *prog, const char *dir, const vs_infer_net *net,
                              const vs_transfer *t, const vs_dataset *d, long image, double window,
                              int plot, vs_infer_result *res)
{
    if (write_rasters(prog, dir, net, d, image, res)) return 1;
    if (write_image_tables(prog, dir, t, d, image, window, res)) return 1;
    return plot ? plot_image_detail(prog, plot, dir, d, image, window) : 0;
}

/* ---- infer: checking the inputs before any work ---- */

/*
 * --windows: a comma-separated list of distinct windows, each in [1 us, 10 ms] (any
 * number of them). *out (malloc'ed) receives *n values; on error nothing is allocated.
 */
static int parse_windows(const char *prog, const char *text, double **out, int *n)
{
    if (!*text) return cli_error(prog, "--windows: empty list (give windows separated by commas, e.g. 10us,50us)");
    size_t cap = 1;
    for (const char *c = text; *c; c++) cap += *c == ',';
    double *w = malloc(cap * sizeof *w);
    char *item = malloc(strlen(text) + 1);
    if (!w || !item) return free(w), free(item), cli_error(prog, "out of memory");
    int k = 0, failed = 0;
    for (const char *p = text; !failed; p++) {
        size_t len = strcspn(p, ",");
        memcpy(item, p, len);
        item[len] = '\0';
        if (len == 0)
            failed = cli_error(prog, "--windows: empty item in '%s' (give windows separated by commas, e.g. 10us,50us)", text);
        else if (vs_parse_quantity(item, "s", &w[k]) != VS_OK || !(w[k] >= 1e-6 && w[k] <= 1e-2))
            failed = cli_error(prog, "--windows: '%s' is not a window between 1 us and 10 ms", item);
        for (int j = 0; j < k && !failed; j++)
            if (w[j] == w[k]) failed = cli_error(prog, "--windows: '%s' repeats the window %g us", item, w[k] * 1e6);
        k++;
        p += len;
        if (!*p) break;
    }
    free(item);
    if (failed) return free(w), 1;
    *out = w;
    *n = k;
    return 0;
}

/* Every window must give a valid grid with the other settings (vs_infer_net_new's checks). */
static int check_windows(const char *prog, const vs_infer_opts *io, const double *win, int n_win, int list)
{
    for (int i = 0; i < n_win; i++) {
        vs_infer_opts o = *io;
        o.window_s = win[i];
        if (vs_infer_opts_check(&o) != VS_OK)
            return cli_error(prog, "%s and --dt-grid: %s", list ? "--windows" : "--window", vs_last_error());
    }
    return 0;
}

/* Checkpoint header, test set and detail image, checked against each other before any work. */
static int load_infer_inputs(const char *prog, const char *checkpoint, const char *data, const char *dataset,
                             long requested, vs_checkpoint_info *info, vs_dataset *test, long *image)
{
    if (vs_outputs_protect(checkpoint) != VS_OK || vs_checkpoint_load_info(checkpoint, info) != VS_OK)
        return cli_fail(prog);
    if (train_load_split(prog, data, dataset, "t10k", test)) return 1;
    if (!train_check_checkpoint_fits(prog, checkpoint, info, test) &&
        !train_resolve_image(prog, test, requested, image))
        return 0;
    vs_dataset_free(test);
    return 1;
}

/* ---- infer: outputs ---- */

/* images.csv (per image, last window), confusion.csv and its plot. */
static int write_images_table(const char *prog, const char *out, const image_outcome *res, size_t n,
                              const infer_window *last, int plot)
{
    static const char *const cols[] = {"index", "label", "spike_pred", "rate_pred", "agree", "output_spikes",
                                       "hidden_spikes", "input_spikes", "energy_j"};
    char path[4096];
    snprintf(path, sizeof path, "%s/images.csv", out);
    vs_csv *c;
    uint32_t cm[100] = {0};
    if (vs_csv_open(path, cols, 9, &c) != VS_OK) return cli_fail(prog);
    for (size_t i = 0; i < n; i++) {
        const image_outcome *o = &res[i];
        double row[9] = {(double)i, o->label, o->spike_pred, o->rate_pred, o->spike_pred == o->rate_pred,
                         (double)o->spikes[2], (double)o->spikes[1], (double)o->spikes[0], o->e.total_j};
        cm[o->label * 10 + o->spike_pred]++;
        if (vs_csv_row(c, row) != VS_OK) return vs_csv_abort(c), cli_fail(prog);
    }
    if (vs_csv_close(c) != VS_OK) return cli_fail(prog);
    snprintf(path, sizeof path, "%s/confusion.csv", out);
    if (train_write_confusion(prog, path, cm)) return 1;
    if (!plot) return 0;
    char png[4096], title[200];
    snprintf(png, sizeof png, "%s/confusion.png", out);
    snprintf(title, sizeof title, "Spiking network, %g µs per image (%.2f %%)", last->window_s * 1e6,
             100 * last->accuracy);
    return train_plot_confusion(prog, plot, path, png, title);
}

/* windows.csv (one row per window) and windows.png. */
static int write_windows_table(const char *prog, const char *out, const infer_window *sums, int n_win, int plot)
{
    static const char *const cols[] = {"window_s", "accuracy", "rate_accuracy", "agreement", "energy_j",
                                       "energy_input_j", "energy_hidden_j", "energy_output_j", "energy_synapse_j",
                                       "spikes_per_image", "energy_per_spike_j"};
    char path[4096];
    snprintf(path, sizeof path, "%s/windows.csv", out);
    vs_csv *c;
    if (vs_csv_open(path, cols, 11, &c) != VS_OK) return cli_fail(prog);
    for (int wi = 0; wi < n_win; wi++) {
        const infer_window *s = &sums[wi];
        const vs_infer_energy *e = &s->energy;
        double row[11] = {s->window_s, s->accuracy, s->rate_accuracy, s->agreement, e->total_j, e->input_j,
                          e->hidden_j, e->output_j, e->synapse_j, s->spikes[0] + s->spikes[1] + s->spikes[2],
                          s->energy_per_spike_j};
        if (vs_csv_row(c, row) != VS_OK) return vs_csv_abort(c), cli_fail(prog);
    }
    if (vs_csv_close(c) != VS_OK) return cli_fail(prog);
    if (!plot) return 0;
    char script[8192], png[4096];
    snprintf(png, sizeof png, "%s/windows.png", out);
    snprintf(script, sizeof script,
             "set datafile separator ','\nset title 'Latency-accuracy-energy trade-off'\n"
             "set xlabel 'presentation window (µs)'\nset ylabel 'accuracy (%%)'\nset y2label 'energy per inference (µJ)'\n"
             "set ytics nomirror\nset y2tics\nset logscale x\nset grid\nset key bottom right\n"
             "plot '%s' every ::1 using ($1*1e6):($2*100) with linespoints pt 7 lw 2 lc rgb '#d62728' title 'spiking accuracy', \\\n"
             "     '' every ::1 using ($1*1e6):($3*100) with lines dt 2 lw 2 lc rgb '#d62728' title 'rate model', \\\n"
             "     '' every ::1 using ($1*1e6):($5*1e6) axes x1y2 with linespoints pt 5 lw 2 lc rgb '#1f77b4' title 'energy'\n",
             path);
    return cli_plot(prog, plot, script, png, 850, 550);
}

/* Op-amps of the network: two per hidden and output neuron (the two-stage adders). */
static int infer_n_opamps(const vs_checkpoint_info *info)
{
    return 2 * (info->cfg.sizes[1] + info->cfg.sizes[2]);
}

/* The neuron-only energy and the op-amps' quiescent part of a window's mean energy: each
   op-amp draws 2 V_supply I_q over the grid's span, round(window/dt) dt, as the adders'
   energy integral (network.c) counts it. */
static void infer_energy_parts(const vs_checkpoint_info *info, const vs_infer_opts *o, infer_window *w)
{
    const vs_infer_energy *e = &w->energy;
    w->neurons_j = e->input_j + e->hidden_j + e->output_j;
    double span_s = floor(o->window_s / o->dt_s + 0.5) * o->dt_s;
    w->opamp_quiescent_j = infer_n_opamps(info) * 2.0 * o->opamp.supply_v * o->opamp.i_quiescent_a * span_s;
}

void infer_json(FILE *f, const infer_args *a, const infer_result *r)
{
    const infer_window *s = &r->summary;
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_str(&j, "command", "infer");
    vs_json_str(&j, "checkpoint", a->checkpoint);
    train_json_data(&j, a->dataset, &r->test, NULL);
    vs_json_num(&j, "window_s", s->window_s);
    vs_json_int(&j, "images", s->n);
    vs_json_num(&j, "spiking_accuracy", s->accuracy);
    vs_json_num(&j, "rate_accuracy", s->rate_accuracy);
    vs_json_num(&j, "agreement", s->agreement);
    vs_json_num(&j, "seconds", s->seconds);
    vs_json_num(&j, "images_per_second", (double)s->n / s->seconds);
    vs_json_object(&j, "energy_per_inference_j");
    vs_json_num(&j, "input_neurons", s->energy.input_j);
    vs_json_num(&j, "hidden_neurons", s->energy.hidden_j);
    vs_json_num(&j, "output_neurons", s->energy.output_j);
    vs_json_num(&j, "synapses", s->energy.synapse_j);
    vs_json_num(&j, "total", s->energy.total_j);
    vs_json_num(&j, "neurons", s->neurons_j);                /* input + hidden + output neurons */
    vs_json_num(&j, "opamp_quiescent", s->opamp_quiescent_j);  /* part of synapses */
    vs_json_num(&j, "synapses_dynamic", s->energy.synapse_j - s->opamp_quiescent_j);   /* output stages, resistors */
    vs_json_close(&j);
    vs_json_object(&j, "spikes_per_image");   /* mean spikes of each layer per image */
    vs_json_num(&j, "input_layer", s->spikes[0]);
    vs_json_num(&j, "hidden_layer", s->spikes[1]);
    vs_json_num(&j, "output_layer", s->spikes[2]);
    vs_json_close(&j);
    vs_json_num(&j, "energy_per_spike_j", s->energy_per_spike_j);
    vs_json_int(&j, "detail_image", r->image);
    vs_json_int(&j, "detail_label", r->detail_label);
    vs_json_int(&j, "detail_predicted", r->detail_predicted);
    if (r->n_windows > 1) vs_json_nums(&j, "windows_s", r->windows_s, (size_t)r->n_windows);
    const vs_infer_opts *io = &r->io;
    vs_json_object(&j, "circuit_network");   /* the run's adders and integrator */
    vs_json_str(&j, "opamp", a->opamp);
    vs_json_str(&j, "engine", cli_engine_choices[r->engine]);
    vs_json_num(&j, "tau_syn_s", io->tau_syn_s);
    vs_json_num(&j, "dt_s", io->dt_s);
    vs_json_num(&j, "r_tolerance", io->r_tolerance);
    vs_json_int(&j, "resistor_seed", (long long)io->seed);
    vs_json_num(&j, "rtol", io->sim.rtol);
    vs_json_num(&j, "h_max_s", io->sim.h_max_s);
    vs_json_int(&j, "opamps", infer_n_opamps(&r->info));
    vs_json_num(&j, "opamp_supply_v", io->opamp.supply_v);
    vs_json_num(&j, "opamp_i_quiescent_a", io->opamp.i_quiescent_a);
    vs_json_num(&j, "opamp_offset_v", io->opamp.offset_v);
    if (!io->opamp.ideal) vs_json_num(&j, "opamp_a0", io->opamp.a0);
    vs_json_close(&j);
    train_json_checkpoint(&j, &r->info, train_deploy_trained(&r->dep));
    train_json_deploy(&j, &r->info, &r->dep);
    vs_json_end(&j);
}

/* summary.json under out. */
static int write_summary(const char *prog, const infer_args *a, const infer_result *r)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.json", a->out);
    vs_afile *af;
    if (vs_afile_open(path, &af) != VS_OK) return cli_fail(prog);
    infer_json(vs_afile_stream(af), a, r);
    return vs_afile_commit(af) == VS_OK ? 0 : cli_fail(prog);
}

static void print_summary(const infer_args *a, const infer_result *r)
{
    const infer_window *s = &r->summary;
    const vs_infer_energy *e = &s->energy;
    const vs_infer_opts *io = &r->io;
    printf("%ld images, %g us each: spiking accuracy %.2f %% (rate model %.2f %%, same class %.2f %%), %.1f images/s\n",
           s->n, s->window_s * 1e6, 100 * s->accuracy, 100 * s->rate_accuracy, 100 * s->agreement,
           (double)s->n / s->seconds);
    printf("energy per inference %.4g J: input neurons %.3g, hidden %.3g, output %.3g, synapses %.3g; %.4g J per spike\n",
           e->total_j, e->input_j, e->hidden_j, e->output_j, e->synapse_j, s->energy_per_spike_j);
    printf("of which neurons %.4g J, op-amp quiescent %.4g J (%d op-amps, 2 x %g V x %g A each), output stages "
           "and resistors %.4g J\n", s->neurons_j, s->opamp_quiescent_j, infer_n_opamps(&r->info), io->opamp.supply_v,
           io->opamp.i_quiescent_a, e->synapse_j - s->opamp_quiescent_j);
    printf("spikes per image: input %.0f, hidden %.0f, output %.1f; wrote %s/\n", s->spikes[0], s->spikes[1],
           s->spikes[2], a->out);
    train_print_data(stdout, &r->test, NULL);
    printf("checkpoint: %s\n", a->checkpoint);
    train_print_checkpoint(stdout, &r->info, train_deploy_trained(&r->dep));
    train_print_deploy(stdout, &r->info, &r->dep);
    printf("adders: %s op-amps, tau_syn %g us, resistor spread %g (seed %llu); grid %g ns, rtol %g, h_max %g us\n",
           a->opamp, io->tau_syn_s * 1e6, io->r_tolerance, (unsigned long long)io->seed,
           io->dt_s * 1e9, io->sim.rtol, io->sim.h_max_s * 1e6);
    printf("engine: %s%s\n", cli_engine_choices[r->engine],
           r->engine != io->engine ? " (the fast engine runs vo2x devices without jitter only)" : "");
    printf("op-amps: supply +-%g V, quiescent %g A, input offset %g V\n", io->opamp.supply_v,
           io->opamp.i_quiescent_a, io->opamp.offset_v);
    if (!io->opamp.ideal) printf("op-amp model: A0 %g, GBW %g MHz, slew %g V/us, swing +-%g V\n", io->opamp.a0,
                                 io->opamp.gbw_hz / 1e6, io->opamp.slew_v_per_s / 1e6, io->opamp.rail_v);
}

/* What every window of an infer run shares. */
typedef struct infer_job {
    const char *prog, *out;
    vs_mlp *m;
    const vs_transfer *t;
    const vs_checkpoint_info *info;
    const vs_device_params *dev;   /* the device and circuit run on */
    const vs_circuit *circ;
    const vs_infer_opts *io;
    const vs_dataset *test;
    size_t n;            /* images of the test set to run */
    long image;          /* the detail image */
    int plot, quiet;
} infer_job;

/* The test set through the circuit network for each window; the detail image with the last. */
static int run_windows(const infer_job *job, const double *win, int n_win, image_outcome *res,
                       infer_window *sums, vs_infer_result *detail, int *engine)
{
    const char *prog = job->prog;
    float enc[256];
    vs_mlp_encode_table(enc, job->t);
    for (int wi = 0; wi < n_win; wi++) {
        vs_infer_opts o = *job->io;
        o.window_s = win[wi];
        vs_infer_net *net = NULL;
        if (vs_infer_net_new(job->m, job->t, job->dev, job->circ, &o, &net) != VS_OK)
            return cli_fail(prog);
        int failed = 0;
        *engine = vs_infer_net_engine(net);
        if (wi == n_win - 1)
            failed = write_image_detail(prog, job->out, net, job->t, job->test, job->image, o.window_s, job->plot, detail);
        if (!failed) failed = run_test_set(prog, net, job->m, job->test, job->n, enc, res, &sums[wi]);
        sums[wi].window_s = o.window_s;
        infer_energy_parts(job->info, &o, &sums[wi]);
        vs_infer_net_free(net);
        if (failed) return 1;
        if (!job->quiet)
            fprintf(stderr, "window %g us: spiking accuracy %.2f %%, rate model %.2f %%, agreement %.2f %%, %.3g J per image, %.1f s\n",
                    o.window_s * 1e6, 100 * sums[wi].accuracy, 100 * sums[wi].rate_accuracy,
                    100 * sums[wi].agreement, sums[wi].energy.total_j, sums[wi].seconds);
    }
    return 0;
}

void infer_defaults(infer_args *a)
{
    *a = (infer_args){.checkpoint = "out/train/checkpoint.vsck", .dataset = "mnist", .out = "out/infer",
                      .opamp = "ideal", .engine = "fast", .opamp_p = CLI_OPAMP_ARGS_DEFAULTS, .deploy = TRAIN_DEPLOY_DEFAULTS, .io = vs_infer_opts_default(), .image = -1, .seed = 1,
                      .plot = CLI_PLOT_PNG};
    a->rtol = a->io.sim.rtol;
}

/* Parse infer's options into a (from infer_defaults): CLI_GO_ON, or the exit status
   (help printed: 0, error: 1). */
static int parse_infer_args(int argc, char **argv, const char *prog, infer_args *a)
{
    infer_defaults(a);
    const opt_spec opts[] = {
        CLI_CHECKPOINT_OPT(a->checkpoint, CLI_CHECKPOINT_IN_HELP),
        CLI_DATA_OPTS(a->data, a->dataset),
        {.name = "window", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "presentation time per image", .dest = &a->io.window_s, .min = 1e-6, .max = 1e-2, .given = &a->given_window},
        {.name = "windows", .kind = OPT_STRING, .metavar = "LIST", .help = "sweep distinct windows instead of --window, e.g. 10us,25us,50us,100us,200us", .dest = &a->windows},
        {.name = "dt-grid", .alias = "dt", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "waveform grid between layers (not an integrator step)", .dest = &a->io.dt_s, .min = 1e-10, .max = 1e-6},
        {.name = "tau-syn", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "adder low-pass R_f C_f", .dest = &a->io.tau_syn_s, .min = 0, .max = 1e-3},
        CLI_OPAMP_OPT(a->opamp, ""),
        CLI_OPAMP_PERIPHERY_OPTS(a->opamp_p),
        TRAIN_DEPLOY_OPTS(a->deploy),
        {.name = "r-spread", .alias = "r-tol", .kind = OPT_QUANTITY, .unit = "", .metavar = "F", .help = "relative spread of adder resistors", .dest = &a->io.r_tolerance, .min = 0, .max = 0.49},
        {.name = "seed", .kind = OPT_LONG, .metavar = "N", .help = "seed of the resistor draws", .dest = &a->seed, .min = 0, .max = 9.2e18},
        {.name = "rtol", .kind = OPT_QUANTITY, .unit = "", .metavar = "TOL", .help = "dp54 relative tolerance (the fast engine's scales with it, docs/engine.md); looser than the 1e-6 of the single-neuron commands, for speed (every neuron of every image; the class comes from spike counts)", .dest = &a->rtol, .min = 1e-12, .max = 1e-2},
        {.name = "h-max", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "dp54 largest step (100 ns in the single-neuron commands; longer here, as --rtol)", .dest = &a->io.sim.h_max_s, .min = 1e-12, .max = 1e-4},
        {.name = "limit", .kind = OPT_LONG, .metavar = "N", .help = "score only the first N test images (default: all)", .dest = &a->limit, .min = 1, .max = 1e9},
        {.name = "image", .kind = OPT_LONG, .metavar = "N", .help = "image for rasters and histogram (default: the first 8, else image 0)", .dest = &a->image, .min = 0, .max = 1e9},
        CLI_ENGINE_OPT(a->engine),
        CLI_THREADS_OPT(a->threads, ", images run in parallel"),
        CLI_OUT_OPT(a->out, "DIR", "output directory"),
        CLI_CACHE_OPT(a->cache),
        CLI_PLOT_ON_OPTS(a->plot, "the PNGs listed below"),
        CLI_JSON_OPT(a->json),
    };
    return cli_parse(prog, "Run a trained network as circuit neurons and two-stage adders, image by image.",
        "Every neuron is the full device model; adders are the paper's inverting pairs with\n"
        "an R_f || C_f low-pass (--tau-syn) and the network's rails. Class = the output\n"
        "neuron with the most spikes in the window; equal counts go to the neuron whose\n"
        "adder drives it hardest (mean output), then the lowest index. Writes, under DIR:\n"
        "for one image input_image, raster_{input,hidden,output}, output_rates (CSV + PNG,\n"
        "Fig 4B, 4D-F); for the test set images.csv (per-image predictions, agreement with\n"
        "the rate model, energy), confusion.csv/.png and summary.json; with --windows the\n"
        "accuracy/energy table windows.csv and windows.png. The checkpoint's input size\n"
        "must match the test images, which must look like --dataset; the files used are\n"
        "printed (data: ...) and listed in summary.json.\n"
        TRAIN_DEPLOY_HELP
        "Energy per inference: the neurons' sources (input, hidden, output), and the adders'\n"
        "op-amps and resistors (synapses), of which the op-amps' quiescent draw, 2 V_supply I_q\n"
        "per op-amp (two per hidden and output neuron) over the window (--opamp-supply,\n"
        "--opamp-iq). --opamp-offset shifts every adder stage's output by its noise gain times\n"
        "the offset (0: none).\n"
        "--engine fast (default) integrates each vo2x neuron with a specialised Rosenbrock\n"
        "method (docs/engine.md: within 0.2 pp of the reference's accuracy, >= 99.5 % same\n"
        "class); devices it does not run (another --model, cycle-to-cycle jitter sigma_*)\n"
        "run on --engine reference, the adaptive DP54 integration of every neuron, and the\n"
        "summary says so.",
        opts, CLI_N_OPTS(opts), argc, argv);
}

/* The windows to run: a->windows, else io->window_s; each checked with the other settings of io.
   *win is malloc'ed (nothing on error). */
static int infer_windows(const char *prog, const infer_args *a, const vs_infer_opts *io, double **win, int *n_win)
{
    if (a->windows && a->given_window)
        return cli_error(prog, "--window and --windows exclude each other (put %g us in the list)", io->window_s * 1e6);
    *n_win = 1;
    if (a->windows) {
        if (parse_windows(prog, a->windows, win, n_win)) return 1;
    } else {
        if (!(*win = malloc(sizeof **win))) return cli_error(prog, "out of memory");
        (*win)[0] = io->window_s;
    }
    if (check_windows(prog, io, *win, *n_win, a->windows != NULL)) return free(*win), *win = NULL, 1;
    return 0;
}

/* Every window over the first n test images, then images.csv, windows.csv and summary.json. */
static int infer_run(const infer_args *a, const infer_job *job, infer_result *r)
{
    const char *prog = job->prog;
    image_outcome *res = calloc(job->n, sizeof *res);
    r->windows = calloc((size_t)r->n_windows, sizeof *r->windows);
    int failed = !res || !r->windows ? cli_error(prog, "out of memory") : 0;
    vs_infer_result detail = {0};
    if (!failed) failed = run_windows(job, r->windows_s, r->n_windows, res, r->windows, &detail, &r->engine);
    if (!failed) {
        r->summary = r->windows[r->n_windows - 1];
        r->detail_label = job->test->labels[job->image];
        r->detail_predicted = detail.predicted;
        failed = write_images_table(prog, a->out, res, job->n, &r->summary, a->plot);
    }
    if (!failed && a->windows) failed = write_windows_table(prog, a->out, r->windows, r->n_windows, a->plot);
    if (!failed) failed = write_summary(prog, a, r);
    free(res);
    return failed;
}

/* The network from the checkpoint, run over the first --limit test images. */
static int infer_network(const char *prog, const infer_args *a, infer_result *r)
{
    vs_mlp *m = NULL;
    if (vs_checkpoint_load(a->checkpoint, &r->dep.t, 256, &r->info, &m) != VS_OK) return cli_fail(prog);
    int failed = vs_mkdir_p(a->out) != VS_OK ? cli_fail(prog) : 0;
    size_t n = a->limit && (size_t)a->limit < r->test.n ? (size_t)a->limit : r->test.n;
    const infer_job job = {prog,    a->out,   m, &r->dep.t, &r->info, &r->dep.dev, &r->dep.circ,
                           &r->io,  &r->test, n, r->image,  a->plot,  a->json};
    if (!failed) failed = infer_run(a, &job, r);
    vs_mlp_free(m);
    return failed;
}

void infer_result_free(infer_result *r)
{
    train_deploy_free(&r->dep);
    vs_dataset_free(&r->test);
    free(r->windows_s);
    free(r->windows);
    r->windows_s = NULL;
    r->windows = NULL;
    r->n_windows = 0;
}

int infer_exec(const char *prog, const infer_args *a, infer_result *r)
{
    memset(r, 0, sizeof *r);
    cli_apply_threads(prog, a->threads);
    r->io = a->io;
    r->io.seed = (uint64_t)a->seed;
    r->io.sim.rtol = a->rtol;
    r->io.engine = cli_engine_by_name(a->engine);
    int failed = cli_opamp_build(prog, a->opamp, &a->opamp_p, &r->io.opamp) ||
                 infer_windows(prog, a, &r->io, &r->windows_s, &r->n_windows) ||
                 load_infer_inputs(prog, a->checkpoint, a->data, a->dataset, a->image, &r->info, &r->test, &r->image) ||
                 train_deploy_build(prog, &a->deploy, &r->info, a->cache, &r->dep) ||
                 infer_network(prog, a, r);
    train_release_pixels(&r->test);
    if (failed) infer_result_free(r);
    return failed;
}

int cmd_infer(int argc, char **argv)
{
    const char *prog = "vo2snn infer";
    infer_args a;
    int rc = parse_infer_args(argc, argv, prog, &a);
    if (rc != CLI_GO_ON) return rc;
    static infer_result r;
    if (infer_exec(prog, &a, &r)) return 1;
    if (a.json) infer_json(stdout, &a, &r);
    else print_summary(&a, &r);
    infer_result_free(&r);
    return 0;
}
