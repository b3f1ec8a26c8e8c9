/* test_chips.c -- `vo2snn chips`, Monte Carlo chips at circuit level, through the CLI: with no
   variation every chip is `vo2snn infer` exactly; D2D chips are the same for 1 and 2 threads and
   differ from each other; E24 resistors change the results; --sweep writes one row per sigma;
   bad inputs are refused with one line and nothing written. A small checkpoint is trained first. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli_run.h"

#define LIMIT "12"

static char ck[600], cache[600];

/* Row `row` (0-based, after the header) of a CSV: up to max numbers; how many were read. */
static int csv_row(const char *path, int row, double *v, int max)
{
    static char text[65536];
    slurp(path, text, sizeof text);
    const char *l = strchr(text, '\n');
    for (int r = 0; l && r < row; r++) l = strchr(l + 1, '\n');
    if (!l || !l[1]) return 0;
    int n = 0;
    for (const char *p = l + 1; n < max && *p && *p != '\n';) {
        char *end;
        v[n++] = strtod(p, &end);
        if (end == p) return -1;
        p = end;
        if (*p == ',') p++;
    }
    return n;
}

/* A chips run on the checkpoint into dir, with extra arguments (NULL-terminated). */
static int chips(const char *dir, ...)
{
    const char *args[64] = {"chips", "--checkpoint", ck, "--data", check_mnist_dir(), "--cache", cache,
                            "--limit", LIMIT, "--out", dir, "--no-plot"};
    int n = 12;
    va_list ap;
    va_start(ap, dir);
    for (const char *a = va_arg(ap, const char *); a && n < 63; a = va_arg(ap, const char *)) args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    return vo2snn_v(args);
}

/* chips.csv: chip,accuracy,energy_j,input_j,hidden_j,output_j,synapse_j,input_spikes,hidden_spikes,output_spikes */
enum { C_CHIP, C_ACC, C_E, C_EIN, C_EHID, C_EOUT, C_ESYN, C_SIN, C_SHID, C_SOUT, C_N };

/* (a) Zero sigmas, no E series: each chip's accuracy, energy (and its parts) and spikes are
   infer's over the same images, exactly (both print %.10g of the same sums). */
static void test_zero_variation_is_infer(void)
{
    CHECK(vo2snn("infer", "--checkpoint", ck, "--data", check_mnist_dir(), "--cache", cache, "--limit", LIMIT,
                 "--out", tmp("inf"), "--no-plot", "--json", NULL) == 0);
    double acc = check_json_num(out_text, "spiking_accuracy");
    const char *e = strstr(out_text, "\"energy_per_inference_j\"");
    const char *sp = strstr(out_text, "\"spikes_per_image\"");
    CHECK(e && sp);
    if (!e || !sp) return;
    double total = check_json_num(e, "total"), e_in = check_json_num(e, "input_neurons"),
           e_syn = check_json_num(e, "synapses"), s_hid = check_json_num(sp, "hidden_layer"),
           s_out = check_json_num(sp, "output_layer");
    CHECK(isfinite(acc) && total > 0);
    const char *runs[][8] = {
        {"--chips", "2", "--json", NULL},
        {"--chips", "1", "--first-chip", "5", "--d2d", "r_ins0=0,t_c=0K", "--json", NULL},
    };
    for (int r = 0; r < 2; r++) {
        const char *dir = tmp(r ? "zero_d2d" : "zero");
        const char **x = runs[r];
        CHECK(chips(dir, x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]) == 0);
        CHECK(check_json_num(out_text, "images") == 12);
        CHECK(check_json_num(out_text, "accuracy") == acc);   /* the first chip's */
        char path[700];
        snprintf(path, sizeof path, "%s/chips.csv", dir);
        int n_chips = r ? 1 : 2;
        for (int k = 0; k < n_chips; k++) {
            double v[C_N];
            CHECK(csv_row(path, k, v, C_N) == C_N);
            CHECK(v[C_CHIP] == (r ? 5 : k));
            CHECK(v[C_ACC] == acc);
            CHECK(v[C_E] == total);
            CHECK(v[C_EIN] == e_in && v[C_ESYN] == e_syn);
            CHECK(v[C_SHID] == s_hid && v[C_SOUT] == s_out);
        }
        CHECK(csv_row(path, n_chips, (double[C_N]){0}, C_N) == 0);   /* no more rows */
        snprintf(path, sizeof path, "%s/summary.json", dir);
        CHECK(exists(path));
    }
    /* the summary of identical chips: no spread, yield by the threshold */
    CHECK(chips(tmp("zero"), "--chips", "2", "--json", "--yield-threshold", "0", NULL) == 0);
    const char *a = strstr(out_text, "\n  \"accuracy\": {");
    CHECK(a != NULL);
    if (a) CHECK(check_json_num(a, "mean") == acc && check_json_num(a, "std") == 0);
    CHECK(check_json_num(out_text, "yield") == 1);
}

/* (b) D2D chips: identical chips.csv for 1 and 2 threads; chips 0 and 1 differ. */
static void test_d2d_threads(void)
{
    char t1[65536], t2[65536], path[700];
    CHECK(chips(tmp("d1"), "--chips", "2", "--d2d", "r_ins0=10%", "--threads", "1", NULL) == 0);
    snprintf(path, sizeof path, "%s/chips.csv", tmp("d1"));
    slurp(path, t1, sizeof t1);
    CHECK(chips(tmp("d2"), "--chips", "2", "--d2d", "r_ins0=10%", "--threads", "2", NULL) == 0);
    snprintf(path, sizeof path, "%s/chips.csv", tmp("d2"));
    slurp(path, t2, sizeof t2);
    CHECK(t1[0] && strcmp(t1, t2) == 0);
    CHECK(lines(t1) == 3);
    double a[C_N], b[C_N];
    CHECK(csv_row(path, 0, a, C_N) == C_N && csv_row(path, 1, b, C_N) == C_N);
    CHECK(a[C_E] != b[C_E]);
    /* one line per chip on stderr without --json */
    CHECK(strstr(err_text, "chip 0: accuracy") && strstr(err_text, "chip 1: accuracy"));
    CHECK(strstr(out_text, "2 chips (0..1, seed 1)") != NULL);
}

/* (c) E24 resistors (drawn within 5 %) change the results against exact resistors. */
static void test_e_series(void)
{
    double ex[C_N], e24[C_N];
    char path[700];
    CHECK(chips(tmp("ex"), "--chips", "1", NULL) == 0);
    snprintf(path, sizeof path, "%s/chips.csv", tmp("ex"));
    CHECK(csv_row(path, 0, ex, C_N) == C_N);
    CHECK(chips(tmp("e24"), "--chips", "1", "--e-series", "E24", "--json", NULL) == 0);
    snprintf(path, sizeof path, "%s/chips.csv", tmp("e24"));
    CHECK(csv_row(path, 0, e24, C_N) == C_N);
    CHECK(ex[C_E] != e24[C_E] && ex[C_ESYN] != e24[C_ESYN]);
    CHECK(strstr(out_text, "\"e_series\": \"E24\"") && strstr(out_text, "\"r_spread\": null"));
    CHECK(check_json_num(out_text, "e_series_tolerance") == 0.05);
}

/* (d) --sweep: one row per sigma in sweep.csv, every chip of every sigma in chips.csv, the
   plots; sigma 0 is the chip without variation. */
static void test_sweep(void)
{
    const char *dir = tmp("sw");
    CHECK(chips(dir, "--chips", "2", "--sweep", "r_ins0=0,5%", "--plot", "--json", NULL) == 0);
    char path[700], text[65536];
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    slurp(path, text, sizeof text);
    CHECK(strncmp(text, "sigma,chips,accuracy_mean,accuracy_std,accuracy_min,accuracy_max,yield,energy_mean_j,energy_std_j\n", 98) == 0);
    CHECK(lines(text) == 3);
    double r0[9], r1[9], ex[C_N];
    CHECK(csv_row(path, 0, r0, 9) == 9 && csv_row(path, 1, r1, 9) == 9);
    CHECK(r0[0] == 0 && r1[0] == 0.05 && r0[1] == 2 && r1[1] == 2);
    CHECK(r0[3] == 0);   /* identical chips at sigma 0 */
    snprintf(path, sizeof path, "%s/chips.csv", tmp("ex"));
    CHECK(csv_row(path, 0, ex, C_N) == C_N);
    CHECK(r0[2] == ex[C_ACC] && r0[7] == ex[C_E]);
    snprintf(path, sizeof path, "%s/chips.csv", dir);
    slurp(path, text, sizeof text);
    CHECK(strncmp(text, "sigma,chip,", 11) == 0 && lines(text) == 5);
    const char *pngs[] = {"sweep.png", "chips.png"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, pngs[i]);
        CHECK(exists(path));
    }
    CHECK(strstr(out_text, "\"sweep\": {") && strstr(out_text, "\"points\": ["));
    /* a normal term sweeps in its unit: sigma_k */
    CHECK(chips(tmp("swt"), "--chips", "1", "--sweep", "t_c=0,1K", NULL) == 0);
    snprintf(path, sizeof path, "%s/sweep.csv", tmp("swt"));
    slurp(path, text, sizeof text);
    CHECK(strncmp(text, "sigma_k,", 8) == 0 && lines(text) == 3);
}

/* (e) Bad inputs: one line naming the fault, exit 1, nothing written. */
/* --rate: with no variation every chip is the trained rate model (eval's accuracy on the same
   images); with D2D the same chips for 1 and 2 threads. */
static void test_rate(void)
{
    CHECK(vo2snn("eval", "--checkpoint", ck, "--data", check_mnist_dir(), "--cache", cache, "--limit", LIMIT, "--json",
                 NULL) == 0);
    double acc = check_json_num(out_text, "accuracy");
    CHECK(chips(tmp("rate0"), "--rate", "--chips", "2", "--json", NULL) == 0);
    double v[C_N];
    char path[700];
    snprintf(path, sizeof path, "%s/chips.csv", tmp("rate0"));
    for (int k = 0; k < 2; k++) CHECK(csv_row(path, k, v, C_N) == C_N && fabs(v[C_ACC] - acc) <= 1.0 / 12 + 1e-12);
    CHECK(chips(tmp("rate1"), "--rate", "--chips", "2", "--d2d", "r_ins0=20%", "--threads", "1", NULL) == 0);
    CHECK(chips(tmp("rate2"), "--rate", "--chips", "2", "--d2d", "r_ins0=20%", "--threads", "2", NULL) == 0);
    char p1[700], p2[700];
    snprintf(p1, sizeof p1, "%s/chips.csv", tmp("rate1"));
    snprintf(p2, sizeof p2, "%s/chips.csv", tmp("rate2"));
    char *a = check_slurp(p1), *b = check_slurp(p2);
    CHECK(a && b && strcmp(a, b) == 0);
    free(a), free(b);
}

/* The op-amp periphery: a chip without variation is infer with the same op-amp options. */
static void test_opamp(void)
{
    CHECK(vo2snn("infer", "--checkpoint", ck, "--data", check_mnist_dir(), "--cache", cache, "--limit", LIMIT,
                 "--opamp-iq", "0.3m", "--opamp-supply", "18", "--out", tmp("inf_op"), "--no-plot", "--json", NULL) == 0);
    const char *e = strstr(out_text, "\"energy_per_inference_j\"");
    double total = e ? check_json_num(e, "total") : (double)NAN;
    CHECK(chips(tmp("op"), "--chips", "1", "--opamp-iq", "0.3m", "--opamp-supply", "18", "--json", NULL) == 0);
    char path[700];
    double v[C_N];
    snprintf(path, sizeof path, "%s/chips.csv", tmp("op"));
    CHECK(csv_row(path, 0, v, C_N) == C_N && v[C_E] == total);
    CHECK(check_json_num(out_text, "opamp_iq_a") == 0.3e-3 && check_json_num(out_text, "opamp_supply_v") == 18);
}

/* --engine: a chip without variation on the reference engine is infer on the reference engine,
   and the reference's energy is not the fast engine's (the flag reaches the simulation). */
static void test_engine(void)
{
    CHECK(vo2snn("infer", "--checkpoint", ck, "--data", check_mnist_dir(), "--cache", cache, "--limit", LIMIT,
                 "--engine", "reference", "--out", tmp("inf_ref"), "--no-plot", "--json", NULL) == 0);
    const char *e = strstr(out_text, "\"energy_per_inference_j\"");
    double total = e ? check_json_num(e, "total") : (double)NAN;
    char path[700];
    double ref[C_N], fast[C_N];
    CHECK(chips(tmp("eng_ref"), "--chips", "1", "--engine", "reference", "--json", NULL) == 0);
    CHECK(strstr(out_text, "\"engine\": \"reference\"") != NULL);
    snprintf(path, sizeof path, "%s/chips.csv", tmp("eng_ref"));
    CHECK(csv_row(path, 0, ref, C_N) == C_N && ref[C_E] == total);
    CHECK(chips(tmp("eng_fast"), "--chips", "1", NULL) == 0);
    snprintf(path, sizeof path, "%s/chips.csv", tmp("eng_fast"));
    CHECK(csv_row(path, 0, fast, C_N) == C_N && fast[C_E] != ref[C_E]);
    CHECK(fabs(fast[C_E] / ref[C_E] - 1) < 0.01);
}

static void test_refusals(void)
{
    const char *dir = tmp("bad");
    const char *data = check_mnist_dir();
#define BAD(mention, ...) \
    CHECK(REFUSES(mention, "chips", "--checkpoint", ck, "--data", data, "--cache", cache, "--out", dir, __VA_ARGS__))
    BAD("nokey", "--d2d", "nokey=5%");
    BAD("sigma_lnr", "--d2d", "sigma_lnr=5%");
    BAD("r_ins0", "--d2d", "r_ins0=-5%");
    BAD("E7", "--e-series", "E7");
    BAD("--engine", "--engine", "turbo");
    BAD("--d2d-layers", "--d2d-layers", "outputs");
    BAD("--chips", "--chips", "0");
    BAD("--d2d-gradient", "--d2d-gradient", "2");
    BAD("--yield-threshold", "--yield-threshold", "1.5");
    BAD("nokey", "--sweep", "nokey=0,5%");
    BAD("--sweep", "--sweep", "r_ins0=");
    BAD("--sweep", "--sweep", "r_ins0=0,,5%");
    BAD("--sweep", "--sweep", "0,5%");
    BAD("sigma_tc", "--sweep", "sigma_tc=0,1K");
    BAD("--first-chip", "--first-chip", "2147483647", "--chips", "2");
    BAD("none.vsck", "--checkpoint", tmp("none.vsck"));
#undef BAD
    CHECK(!exists(dir));
}

int main(void)
{
    if (cli_train_small("2", ck, sizeof ck, cache, sizeof cache)) return 1;
    RUN(test_zero_variation_is_infer);
    RUN(test_d2d_threads);
    RUN(test_e_series);
    RUN(test_sweep);
    RUN(test_rate);
    RUN(test_opamp);
    RUN(test_engine);
    RUN(test_refusals);
    remove_tree(tmpdir);
    return CHECK_DONE();
}
