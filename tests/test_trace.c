/*
 * test_trace.c -- traceability of train, eval, infer and net2x2 (issue 12 item 10): eval and
 * infer state the checkpoint's model, parameters and circuit (the values trained with, not
 * the defaults); train writes DIR/summary.json, the object --json prints, whose accuracy is
 * the last row of metrics.csv; arrays are labelled; every numeric JSON key names its unit.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli_run.h"

/* The numbers of column col (0-based) of the last data row of a CSV; NAN if none. */
static double last_row_cell(const char *path, int col)
{
    char *text = check_slurp(path);
    if (!text) return NAN;
    double v = NAN;
    for (char *line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        const char *p = line + 1;
        for (int c = 0; c < col && p; c++) p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
        if (p) v = strtod(p, NULL);
    }
    free(text);
    return v;
}

/* Mean of column col over the data rows of a CSV, and the row count. */
static double column_mean(const char *path, int col, int *rows)
{
    char *text = check_slurp(path);
    double sum = 0;
    *rows = 0;
    for (char *line = text ? strchr(text, '\n') : NULL; line && line[1]; line = strchr(line + 1, '\n')) {
        const char *p = line + 1;
        for (int c = 0; c < col && p; c++) p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
        if (p) sum += strtod(p, NULL), (*rows)++;
    }
    free(text);
    return *rows ? sum / *rows : (double)NAN;
}

/* Keys whose numbers are dimensionless (counts, fractions, settings without a unit). */
static const char *const dimensionless[] = {
    "epochs", "epochs_trained", "epochs_planned", "test_accuracy", "final_loss", "final_train_accuracy",
    "train_images", "test_images", "images", "image", "accuracy", "spiking_accuracy", "rate_accuracy",
    "agreement", "images_per_second", "input_layer", "hidden_layer", "output_layer", "detail_image",
    "detail_label", "detail_predicted", "preset", "vacancy_x", "min_spikes", "settle_frac", "rtol", "seed",
    "resistor_seed", "r_tolerance", "input", "hidden", "output", "lr", "momentum", "beta1", "beta2", "eps",
    "weight_decay", "batch", "steps", "target_on", "ce_scale", "weight", "spikes_in_window",
    /* energy_per_inference_j {...}: the object's key names the unit of its members */
    "input_neurons", "hidden_neurons", "output_neurons", "synapses", "total", "neurons", "opamp_quiescent",
    "synapses_dynamic",
    /* infer's circuit_network: a count of op-amps and the open-loop gain */
    "opamps", "opamp_a0",
    /* the unit spelled out (kept: bench/ scripts read them) */
    "seconds", "train_seconds", NULL};
static const char *const unit_suffixes[] = {"_s", "_hz", "_v", "_j", "_w", "_ohm", "_f", "_a", "_k", "_px", NULL};

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n > k && strncmp(s + n - k, suffix, k) == 0;
}

/* Every "key": number (or [numbers]) of a JSON text names its unit or is dimensionless; the
   device's parameters are exempt (their units are listed beside them in "units"). Returns
   the number of offending keys, each reported. */
static int unitless_keys(const char *cmd, const char *json)
{
    int bad = 0, in_params = 0;
    for (const char *line = json; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        const char *q = line;
        while (*q == ' ') q++;
        if (!strncmp(q, "\"params\": {", 11)) in_params = 1;
        if (in_params && *q == '}') in_params = 0;
        if (*q != '"' || in_params) continue;
        const char *end = strchr(q + 1, '"');
        if (!end || strncmp(end, "\": ", 3) != 0) continue;
        const char *v = end + 3;
        if (*v == '[') v++;
        if (!(*v == '-' || (*v >= '0' && *v <= '9'))) continue;   /* strings, objects, null, bools */
        size_t n = (size_t)(end - (q + 1));
        int ok = 0;
        for (int k = 0; unit_suffixes[k] && !ok; k++) ok = ends_with(q + 1, n, unit_suffixes[k]);
        for (int k = 0; dimensionless[k] && !ok; k++) ok = strlen(dimensionless[k]) == n && !strncmp(q + 1, dimensionless[k], n);
        if (!ok) {
            bad++;
            CHECK_FAIL_MSG("%s: JSON key \"%.*s\" has a number but names no unit", cmd, (int)n, q + 1);
        }
    }
    return bad;
}

/* train -> summary.json; eval and infer of the checkpoint report its model, parameters, circuit. */
static void test_checkpoint_trace(const char *model, const char *param, const char *key, double value)
{
    char out[700], cache[700], ck[800], metrics[800], summary[800], inf[800];
    snprintf(out, sizeof out, "%s/%s", tmpdir, model);
    snprintf(cache, sizeof cache, "%s/cache", tmpdir);
    snprintf(ck, sizeof ck, "%s/checkpoint.vsck", out);
    snprintf(metrics, sizeof metrics, "%s/metrics.csv", out);
    snprintf(summary, sizeof summary, "%s/summary.json", out);
    snprintf(inf, sizeof inf, "%s/infer", out);
    const char *train[] = {"train", "--data", check_mnist_dir(), "--model", model, "--param", param,
                           "--r-series", "3.3k", "--train-limit", "300", "--test-limit", "100", "--epochs", "2",
                           "--hidden", "16", "--out", out, "--cache", cache, "--no-plot", "--json", NULL};
    CHECK(vo2snn_v(train) == 0);
    char *sum = check_slurp(summary);
    CHECK(sum != NULL);
    if (!sum) return;
    /* the file is the object --json printed */
    CHECK(strcmp(sum, out_text) == 0);
    CHECK(check_json_num(sum, "finished") == 1);
    CHECK(check_json_num(sum, "epochs") == 2);
    /* the accuracy is the last row of metrics.csv (epoch 2, test_acc) */
    CHECK(last_row_cell(metrics, 0) == 2);
    CHECK_NEAR(check_json_num(sum, "test_accuracy"), last_row_cell(metrics, 3), 0, 1e-9);
    CHECK_NEAR(check_json_num(sum, "final_loss"), last_row_cell(metrics, 1), 0, 1e-9);
    CHECK(check_json_num(sum, "train_images") == 300 && check_json_num(sum, "test_images") == 100);
    CHECK(check_json_num(sum, "hidden") == 16 && check_json_num(sum, "epochs_planned") == 2);
    char want[1000];
    snprintf(want, sizeof want, "\"model\": \"%s\"", model);
    CHECK(strstr(sum, want) != NULL);
    CHECK(check_json_num(sum, key) == value);
    CHECK(check_json_num(sum, "r_series_ohm") == 3300);
    CHECK(strstr(sum, "t10k-labels-idx1-ubyte") != NULL);
    snprintf(want, sizeof want, "\"%s\"", metrics);
    CHECK(strstr(sum, want) != NULL);
    CHECK(unitless_keys("train", sum) == 0);
    free(sum);

    /* eval: JSON and text name the checkpoint's model, parameter and circuit */
    CHECK(vo2snn("eval", "--checkpoint", ck, "--data", check_mnist_dir(), "--limit", "100", "--cache", cache,
                 "--json", NULL) == 0);
    snprintf(want, sizeof want, "\"model\": \"%s\"", model);
    CHECK(strstr(out_text, want) != NULL);
    CHECK(check_json_num(out_text, key) == value);
    CHECK(check_json_num(out_text, "r_series_ohm") == 3300 && check_json_num(out_text, "c_f") == 1.8e-9);
    CHECK(check_json_num(out_text, "epochs_planned") == 2);
    CHECK(unitless_keys("eval", out_text) == 0);
    CHECK(vo2snn("eval", "--checkpoint", ck, "--data", check_mnist_dir(), "--limit", "100", "--cache", cache,
                 NULL) == 0);
    snprintf(want, sizeof want, "model %s (", model);
    CHECK(strstr(out_text, want) != NULL);
    CHECK(strstr(out_text, "R_s 3.3 kOhm, C 1.8 nF, R_sense 50 Ohm") != NULL);

    /* infer: the same, and the per-layer spikes labelled and equal to images.csv's means */
    CHECK(vo2snn("infer", "--checkpoint", ck, "--data", check_mnist_dir(), "--limit", "3", "--window", "20us",
                 "--cache", cache, "--out", inf, "--no-plot", "--json", NULL) == 0);
    snprintf(want, sizeof want, "\"model\": \"%s\"", model);
    CHECK(strstr(out_text, want) != NULL);
    CHECK(check_json_num(out_text, key) == value);
    CHECK(check_json_num(out_text, "r_series_ohm") == 3300);
    CHECK(unitless_keys("infer", out_text) == 0);
    char images[900];
    snprintf(images, sizeof images, "%s/images.csv", inf);
    const char *layers[3] = {"output_layer", "hidden_layer", "input_layer"};   /* columns 5, 6, 7 */
    for (int l = 0; l < 3; l++) {
        int rows;
        double mean = column_mean(images, 5 + l, &rows);
        CHECK(rows == 3);
        CHECK_NEAR(check_json_num(out_text, layers[l]), mean, 1e-9, 0);
    }
    char *saved = NULL, inf_summary[900];
    snprintf(inf_summary, sizeof inf_summary, "%s/summary.json", inf);
    CHECK((saved = check_slurp(inf_summary)) != NULL && strcmp(saved, out_text) == 0);
    free(saved);
    CHECK(vo2snn("infer", "--checkpoint", ck, "--data", check_mnist_dir(), "--limit", "1", "--window", "20us",
                 "--cache", cache, "--out", inf, "--no-plot", NULL) == 0);
    snprintf(want, sizeof want, "model %s (", model);
    CHECK(strstr(out_text, want) != NULL);
    CHECK(strstr(out_text, "R_s 3.3 kOhm") != NULL);
    char pv[100];
    snprintf(pv, sizeof pv, " %s %g Ohm", key, value);
    CHECK(strstr(out_text, pv) != NULL);
}

static void test_vo2x_trace(void) { test_checkpoint_trace("vo2x", "r_met=600", "r_met", 600); }
static void test_switch_trace(void) { test_checkpoint_trace("switch", "r_on=700", "r_on", 700); }

/* net2x2: its arrays name what each entry is, and its numbers their units. */
static void test_net2x2_labels(void)
{
    CHECK(vo2snn("net2x2", "--out", tmp("n.csv"), "--t-end", "200us", "--window-end", "200us", "--param",
                 "r_met=650", "--json", NULL) == 0);
    CHECK(strstr(out_text, "\"neuron_labels\": [\"(1,1)\", \"(1,2)\", \"(2,1)\", \"(2,2)\"]") != NULL);
    CHECK(strstr(out_text, "\"v_in_labels\": [\"(2,1)\", \"(2,2)\"]") != NULL);
    double r[4], w[2];
    CHECK(check_json_array(out_text, "rates_hz", r, 4) == 4);
    CHECK(check_json_array(out_text, "rate_window_s", w, 2) == 2 && w[1] == 200e-6);
    CHECK(check_json_num(out_text, "r_met") == 650);
    CHECK(unitless_keys("net2x2", out_text) == 0);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    RUN(test_vo2x_trace);
    RUN(test_switch_trace);
    RUN(test_net2x2_labels);
    remove_tree(tmpdir);
    return CHECK_DONE();
}
