/* test_deploy.c -- a checkpoint deployed on another device (infer and eval --device ...), and the
   op-amp periphery of infer (--opamp-supply, --opamp-iq, --opamp-offset, --opamp-gain). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli_run.h"

static char ck[600], cache[600];

/* A small checkpoint trained on device 1 (one quick epoch: these tests compare runs of it). */
static int make_checkpoint(void)
{
    snprintf(ck, sizeof ck, "%s/tr/checkpoint.vsck", tmpdir);
    snprintf(cache, sizeof cache, "%s/cache", tmpdir);
    return vo2snn("train", "--data", check_mnist_dir(), "--epochs", "1", "--train-limit", "1000", "--limit", "100",
                  "--hidden", "24", "--out", tmp("tr"), "--cache", cache, "--no-plot", NULL);
}

/* infer on 6 images in a 20 us window into tmp(dir), with up to 6 more options; its JSON in out_text. */
static int infer(const char *dir, const char *o1, const char *o2, const char *o3, const char *o4,
                 const char *o5, const char *o6)
{
    const char *args[32] = {"infer", "--checkpoint", ck, "--data", check_mnist_dir(), "--limit", "6",
                            "--window", "20us", "--cache", cache, "--out", tmp(dir), "--no-plot", "--json"};
    int n = 15;
    const char *extra[6] = {o1, o2, o3, o4, o5, o6};
    for (int i = 0; i < 6 && extra[i]; i++) args[n++] = extra[i];
    args[n] = NULL;
    return vo2snn_v(args);
}

/* The JSON without its timing keys ("seconds", "images_per_second"), into buf. */
static void without_timing(const char *json, char *buf, size_t n)
{
    size_t k = 0;
    for (const char *l = json; *l && k + 1 < n;) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l + 1) : strlen(l);
        int timing = strstr(l, "\"seconds\": ") && strstr(l, "\"seconds\": ") < l + len;
        timing |= strstr(l, "\"images_per_second\": ") && strstr(l, "\"images_per_second\": ") < l + len;
        if (!timing && k + len < n) memcpy(buf + k, l, len), k += len;
        l += len;
    }
    buf[k] = '\0';
}

/* Two files with the same bytes. */
static int same_file(const char *a, const char *b)
{
    char *x = check_slurp(a), *y = check_slurp(b);
    int same = x && y && strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

/* The number after "key": inside the object "obj": { ... } of JSON text. */
static double json_in(const char *text, const char *obj, const char *key)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": {", obj);
    const char *p = strstr(text, pat);
    return p ? check_json_num(p, key) : (double)NAN;
}

/* The string after "key": inside the object "obj" (first 63 bytes), "" if absent. */
static const char *json_str_in(const char *text, const char *obj, const char *key)
{
    static char buf[64];
    char pat[128];
    buf[0] = '\0';
    snprintf(pat, sizeof pat, "\"%s\": {", obj);
    const char *p = strstr(text, pat);
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    if (p && (p = strstr(p, pat))) {
        p += strlen(pat);
        size_t n = strcspn(p, "\"");
        snprintf(buf, sizeof buf, "%.*s", (int)(n < 63 ? n : 63), p);
    }
    return buf;
}

static const char *const outputs[] = {"images.csv", "confusion.csv", "raster_input.csv", "raster_hidden.csv",
                                      "raster_output.csv", "input_image.csv", "output_rates.csv"};

/* Every CSV of two infer runs the same; but for images.csv (with its energy column) if from is 1. */
static int same_outputs_from(const char *d1, const char *d2, size_t from)
{
    int same = 1;
    for (size_t i = from; i < sizeof outputs / sizeof outputs[0]; i++) {
        char a[700], b[700];
        snprintf(a, sizeof a, "%s/%s", tmp(d1), outputs[i]);
        snprintf(b, sizeof b, "%s/%s", tmp(d2), outputs[i]);
        if (!same_file(a, b)) {
            fprintf(stderr, "  %s differs between %s and %s\n", outputs[i], d1, d2);
            same = 0;
        }
    }
    return same;
}
static int same_outputs(const char *d1, const char *d2) { return same_outputs_from(d1, d2, 0); }

static char json_a[65536], json_b[65536];

/* (a) the checkpoint's own device given explicitly changes nothing; (b) device 3 does, and says so. */
static void test_deploy_device(void)
{
    CHECK(infer("own", NULL, NULL, NULL, NULL, NULL, NULL) == 0);
    without_timing(out_text, json_a, sizeof json_a);
    CHECK(strcmp(json_str_in(out_text, "trained_with", "device"), "device 1") == 0);
    CHECK(strcmp(json_str_in(out_text, "deployed_on", "device"), "device 1") == 0);
    double e_own = json_in(out_text, "energy_per_inference_j", "total");
    CHECK(infer("dev1", "--device", "1", "--r-series", "3k", "--cap", "1.8nF") == 0);
    without_timing(out_text, json_b, sizeof json_b);
    CHECK(same_outputs("own", "dev1"));
    CHECK(strcmp(json_a, json_b) == 0);   /* the summaries too, but for the timing */

    CHECK(infer("dev3", "--device", "3", NULL, NULL, NULL, NULL) == 0);
    CHECK(strcmp(json_str_in(out_text, "trained_with", "device"), "device 1") == 0);
    CHECK(strcmp(json_str_in(out_text, "deployed_on", "device"), "device 3") == 0);
    /* device 3 switches at lower voltages: its own window, read back from the JSON */
    CHECK(json_in(out_text, "deployed_on", "transfer_v_on_v") < json_in(out_text, "trained_with", "transfer_v_on_v"));
    CHECK(json_in(out_text, "energy_per_inference_j", "total") != e_own);
    char a[700], b[700];
    snprintf(a, sizeof a, "%s/images.csv", tmp("own"));
    snprintf(b, sizeof b, "%s/images.csv", tmp("dev3"));
    CHECK(!same_file(a, b));
    /* pixels drive the deployed device's window: grey level 255 at its V_peak */
    snprintf(a, sizeof a, "%s/input_image.csv", tmp("dev3"));
    char *img = check_slurp(a);
    double v_peak3 = json_in(out_text, "deployed_on", "transfer_v_peak_v"), v_max = 0;
    for (const char *l = img ? strchr(img, '\n') : NULL; l && l[1]; l = strchr(l + 1, '\n')) {
        double r, c, px, v;
        if (sscanf(l + 1, "%lf,%lf,%lf,%lf", &r, &c, &px, &v) == 4 && px == 255) v_max = v;
    }
    free(img);
    CHECK_NEAR(v_max, v_peak3, 1e-6, 0);

    /* eval: the same with --device 1; --device 3 scores through device 3's transfer function */
    CHECK(vo2snn("eval", "--checkpoint", ck, "--data", check_mnist_dir(), "--limit", "300", "--cache", cache,
                 "--json", NULL) == 0);
    double acc_own = check_json_num(out_text, "accuracy");
    CHECK(strcmp(json_str_in(out_text, "deployed_on", "device"), "device 1") == 0);
    CHECK(vo2snn("eval", "--checkpoint", ck, "--data", check_mnist_dir(), "--limit", "300", "--cache", cache,
                 "--device", "1", "--json", NULL) == 0);
    CHECK(check_json_num(out_text, "accuracy") == acc_own);
    CHECK(vo2snn("eval", "--checkpoint", ck, "--data", check_mnist_dir(), "--limit", "300", "--cache", cache,
                 "--device", "3", "--json", NULL) == 0);
    CHECK(strcmp(json_str_in(out_text, "trained_with", "device"), "device 1") == 0);
    CHECK(strcmp(json_str_in(out_text, "deployed_on", "device"), "device 3") == 0);
    CHECK(vo2snn("eval", "--checkpoint", ck, "--data", check_mnist_dir(), "--limit", "6", "--cache", cache,
                 "--device", "3", "--json", NULL) == 0);
    /* eval on device 3 is the rate model infer runs beside the circuits on device 3 */
    double eval6 = check_json_num(out_text, "accuracy");
    CHECK(infer("dev3", "--device", "3", NULL, NULL, NULL, NULL) == 0);
    CHECK(check_json_num(out_text, "rate_accuracy") == eval6);
    /* text: both devices named */
    CHECK(vo2snn("eval", "--checkpoint", ck, "--data", check_mnist_dir(), "--limit", "6", "--cache", cache,
                 "--device", "3", NULL) == 0);
    CHECK(strstr(out_text, "trained with: device 1") && strstr(out_text, "deployed on: device 3"));
}

/* (c) the op-amps' quiescent energy is 2 V_supply I_q per op-amp over the window, and the
   total moves by exactly the change in it. */
static void test_opamp_energy(void)
{
    const double window = 20e-6;
    const int n_opamps = 2 * (24 + 10);   /* two per hidden and output neuron */
    double q[3], tot[3], neurons[3];
    const char *supply[3] = {"15", "15", "30"}, *iq[3] = {"1mA", "2mA", "2mA"};
    const double sv[3] = {15, 15, 30}, iv[3] = {1e-3, 2e-3, 2e-3};
    for (int i = 0; i < 3; i++) {
        char dir[16];
        snprintf(dir, sizeof dir, "q%d", i);
        CHECK(infer(dir, "--opamp-supply", supply[i], "--opamp-iq", iq[i], NULL, NULL) == 0);
        q[i] = json_in(out_text, "energy_per_inference_j", "opamp_quiescent");
        tot[i] = json_in(out_text, "energy_per_inference_j", "total");
        neurons[i] = json_in(out_text, "energy_per_inference_j", "neurons");
        CHECK_NEAR(q[i], n_opamps * 2 * sv[i] * iv[i] * window, 1e-9, 0);
        CHECK_NEAR(neurons[i], json_in(out_text, "energy_per_inference_j", "input_neurons") +
                                   json_in(out_text, "energy_per_inference_j", "hidden_neurons") +
                                   json_in(out_text, "energy_per_inference_j", "output_neurons"), 1e-9, 0);
        if (i > 0) CHECK(same_outputs_from("q0", dir, 1));   /* the supply and I_q change only the energy */
    }
    CHECK_NEAR(q[1], 2 * q[0], 1e-12, 0);
    CHECK_NEAR(q[2], 2 * q[1], 1e-12, 0);
    CHECK(neurons[1] == neurons[0] && neurons[2] == neurons[0]);
    /* I_q enters only the quiescent draw: the total moves by exactly that */
    CHECK_NEAR(tot[1] - tot[0], q[1] - q[0], 1e-6, 0);
}

/* (d) an offset of 0 changes nothing; a large one moves the adders and so the outputs. */
static void test_opamp_offset(void)
{
    CHECK(infer("off0", "--opamp-offset", "0", NULL, NULL, NULL, NULL) == 0);
    CHECK(same_outputs("own", "off0"));
    CHECK(json_in(out_text, "circuit_network", "opamp_offset_v") == 0);
    CHECK(infer("off0n", "--opamp", "nonideal", "--opamp-offset", "0V", NULL, NULL) == 0);
    CHECK(infer("nonideal", "--opamp", "nonideal", NULL, NULL, NULL, NULL) == 0);
    CHECK(same_outputs("nonideal", "off0n"));
    CHECK(infer("off", "--opamp-offset", "20mV", NULL, NULL, NULL, NULL) == 0);
    char a[700], b[700];
    snprintf(a, sizeof a, "%s/raster_hidden.csv", tmp("own"));
    snprintf(b, sizeof b, "%s/raster_hidden.csv", tmp("off"));
    CHECK(!same_file(a, b));
    CHECK(json_in(out_text, "circuit_network", "opamp_offset_v") == 0.02);
    /* the finite gain of the non-ideal model */
    CHECK(infer("gain", "--opamp", "nonideal", "--opamp-gain", "50", NULL, NULL) == 0);
    CHECK(json_in(out_text, "circuit_network", "opamp_a0") == 50);
    snprintf(a, sizeof a, "%s/raster_hidden.csv", tmp("nonideal"));
    snprintf(b, sizeof b, "%s/raster_hidden.csv", tmp("gain"));
    CHECK(!same_file(a, b));
}

/* (e) bad values: one line, exit 1, nothing written. */
static void test_bad_values(void)
{
    const char *d = tmp("bad");
#define INFER_BAD(mention, ...)                                                                    \
    CHECK(REFUSES(mention, "infer", "--checkpoint", ck, "--data", check_mnist_dir(), "--cache", cache,  \
                  "--limit", "2", "--out", d, "--no-plot", __VA_ARGS__));                         \
    CHECK(!exists(d))
    INFER_BAD("--device", "--device", "9");
    INFER_BAD("--device", "--device", "0");
    INFER_BAD("--vacancy", "--vacancy", "2");
    INFER_BAD("--device", "--device", "2", "--vacancy", "0.5");
    INFER_BAD("--param", "--param", "nokey=3");
    INFER_BAD("--model", "--model", "nomodel");
    INFER_BAD("nofile", "--device-file", "/nonexistent/nofile.txt");
    INFER_BAD("--r-series", "--r-series", "-3k");
    INFER_BAD("--cap", "--cap", "0");
    INFER_BAD("--opamp-supply", "--opamp-supply", "5");
    INFER_BAD("--opamp-supply", "--opamp-supply", "-15");
    INFER_BAD("--opamp-iq", "--opamp-iq", "-1mA");
    INFER_BAD("--opamp-iq", "--opamp-iq", "2");
    INFER_BAD("--opamp-offset", "--opamp-offset", "5");
    INFER_BAD("--opamp-offset", "--opamp-offset", "abc");
    INFER_BAD("--opamp-gain", "--opamp-gain", "1e5");   /* needs --opamp nonideal */
    INFER_BAD("--opamp-gain", "--opamp", "nonideal", "--opamp-gain", "1");
#undef INFER_BAD
    const char *e = tmp("badeval");
    CHECK(REFUSES("--device", "eval", "--checkpoint", ck, "--data", check_mnist_dir(), "--cache", cache,
                  "--out", e, "--device", "7"));
    CHECK(REFUSES("--r-sense", "eval", "--checkpoint", ck, "--data", check_mnist_dir(), "--cache", cache,
                  "--out", e, "--r-sense", "-1"));
    CHECK(!exists(e));
    CHECK(REFUSES("--opamp-gain", "net2x2", "--out", tmp("n.csv"), "--opamp-gain", "1e4"));
    CHECK(!exists(tmp("n.csv")));
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    if (make_checkpoint() != 0) {
        printf("FAIL setup: train: %s\n", err_text);
        remove_tree(tmpdir);
        return 1;
    }
    RUN(test_deploy_device);
    RUN(test_opamp_energy);
    RUN(test_opamp_offset);
    RUN(test_bad_values);
    remove_tree(tmpdir);
    return CHECK_DONE();
}
