/*
 * test_parsers.c -- hostile inputs to the parsers and the option checks (issue 10, items
 * 7, 8, 9, 11, 14, 16, 18, 20): the transfer cache and its checksum, order-free device
 * parameters, labels from the final parameters, byte-order marks and CSV headers, linear
 * time on huge device files and PWL inputs, inverted ranges, and messages that say why.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cli_run.h"
#include "common.h"
#include "vo2snn/csv.h"
#include "vo2snn/device.h"
#include "vo2snn/input.h"
#include "vo2snn/json.h"
#include "vo2snn/kvfile.h"
#include "vo2snn/transfer.h"
#include "vo2snn/units.h"

#define BOM "\xEF\xBB\xBF"

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void write_bytes(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fwrite(data, 1, n, f);
    fclose(f);
}


static double device_c_th(const vs_device_params *p) { return vs_device_get(p, "tau_th") * vs_device_get(p, "g_th"); }

/* ---- item 7: the transfer cache and its checksum ---------------------------------------- */

/* A quick transfer grid for device 1 (0, 4, 8, 12 V: the neuron fires at 12 V). */
static vs_transfer_opts small_grid(void)
{
    vs_transfer_opts o = vs_transfer_opts_default();
    o.v_max_v = 12;
    o.dv_v = 4;
    o.classify.t_run_s = 100e-6;
    return o;
}

/* Multiply the frequency column of a cache file by 5, keeping its first two lines. */
static int scale_cached_frequencies(const char *path)
{
    char *text = check_slurp(path);
    if (!text) return 0;
    char *out = malloc(strlen(text) * 2 + 64), *w = out;
    int line = 0;
    for (char *p = text, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        if (!nl) break;
        *nl = '\0';
        double v, f, s;
        if (line++ >= 2 && p[0] != '#' && sscanf(p, "%lf,%lf,%lf", &v, &f, &s) == 3)
            w += sprintf(w, "%.10g,%.17g,%.17g\n", v, 5 * f, s);
        else
            w += sprintf(w, "%s\n", p);
    }
    write_bytes(path, out, (size_t)(w - out));
    free(out);
    free(text);
    return 1;
}

static void test_cache_checksum(void)
{
    vs_device_params dev;
    vs_device_preset(1, &dev);
    vs_circuit c = vs_circuit_default();
    vs_transfer_opts o = small_grid();
    const char *dir = tmp("cache");
    char path[1024];
    vs_transfer_cache_path(dir, &dev, &c, &o, path, sizeof path);

    vs_transfer t;
    CHECK(vs_transfer_build(&dev, &c, &o, dir, &t) == VS_OK);
    double f_peak = t.f_peak_hz;
    CHECK(t.from_cache == 0 && f_peak > 1e5);
    vs_transfer_free(&t);
    CHECK(vs_transfer_build(&dev, &c, &o, dir, &t) == VS_OK);
    CHECK(t.from_cache == 1 && t.f_peak_hz == f_peak && t.cache_note[0] == '\0');
    vs_transfer_free(&t);

    /* frequencies x5 behind an intact header: detected, recomputed, named, rewritten */
    CHECK(scale_cached_frequencies(path));
    CHECK(vs_transfer_build(&dev, &c, &o, dir, &t) == VS_OK);
    CHECK(t.from_cache == 0);
    CHECK(t.f_peak_hz == f_peak);
    CHECK(strstr(t.cache_note, path) != NULL);
    CHECK(strstr(t.cache_note, "checksum") != NULL && strstr(t.cache_note, "recomputed") != NULL);
    CHECK(strchr(t.cache_note, '\n') == NULL);
    vs_transfer_free(&t);
    CHECK(vs_transfer_build(&dev, &c, &o, dir, &t) == VS_OK);
    CHECK(t.from_cache == 1 && t.f_peak_hz == f_peak);
    vs_transfer_free(&t);

    /* cut short, emptied: the same */
    char *text = check_slurp(path);
    if (text) write_bytes(path, text, strlen(text) / 2);
    free(text);
    CHECK(vs_transfer_build(&dev, &c, &o, dir, &t) == VS_OK);
    CHECK(t.from_cache == 0 && t.f_peak_hz == f_peak && strstr(t.cache_note, path) != NULL);
    vs_transfer_free(&t);
}

static void test_cache_reader_contract(void)
{
    vs_device_params dev;
    vs_device_preset(2, &dev);
    vs_circuit c = vs_circuit_default();
    vs_transfer_opts o = small_grid();
    const char *path = tmp("one_cache.csv");
    double f[4] = {0, 0, 1.5e5, 0}, s[4] = {0, 0, 0.3, 1.2}, f2[4], s2[4];
    CHECK(vs_transfer_cache_save(path, &dev, &c, &o, f, s) == VS_OK);
    CHECK(vs_transfer_cache_load(path, &dev, &c, &o, f2, s2) == VS_OK);
    CHECK(memcmp(f, f2, sizeof f) == 0 && memcmp(s, s2, sizeof s) == 0);
    char *text = check_slurp(path);
    CHECK(text && strstr(text, "\n# crc32 ") != NULL);
    /* another device's settings: a different key line */
    vs_device_params other;
    vs_device_preset(3, &other);
    CHECK(vs_transfer_cache_load(path, &other, &c, &o, f2, s2) == VS_EFORMAT);
    /* one digit changed */
    char *digit = text ? strstr(text, "150000") : NULL;
    if (digit) {
        digit[0] = '2';
        write_bytes(path, text, strlen(text));
        CHECK(vs_transfer_cache_load(path, &dev, &c, &o, f2, s2) == VS_EFORMAT);
        CHECK(strstr(vs_last_error(), path) && strstr(vs_last_error(), "checksum"));
    }
    free(text);
    CHECK(vs_transfer_cache_load(tmp("none.csv"), &dev, &c, &o, f2, s2) == VS_EIO);
}

/* ---- item 20: where the cache goes ------------------------------------------------------ */

static void set_env(const char *name, const char *value)
{
    if (value) setenv(name, value, 1);
    else unsetenv(name);
}

static void test_default_cache_dir(void)
{
    char *saved[3];
    const char *names[3] = {"VO2SNN_CACHE", "XDG_CACHE_HOME", "HOME"};
    for (int i = 0; i < 3; i++) saved[i] = getenv(names[i]) ? strdup(getenv(names[i])) : NULL;
    char buf[1024];

    set_env("VO2SNN_CACHE", NULL), set_env("XDG_CACHE_HOME", NULL), set_env("HOME", NULL);
    vs_transfer_default_cache(buf, sizeof buf);
    CHECK(strcmp(buf, "") == 0); /* no HOME: no cache, not ./.vo2snn-cache */
    int no_cache_dir = strcmp(buf, "") == 0;

    set_env("HOME", "/nonexistent/x");
    vs_transfer_default_cache(buf, sizeof buf);
    CHECK(strcmp(buf, "") == 0); /* HOME is never created */

    set_env("XDG_CACHE_HOME", "relative/dir");
    set_env("HOME", tmpdir);
    vs_transfer_default_cache(buf, sizeof buf);
    char want[1024];
    snprintf(want, sizeof want, "%s/.cache/vo2snn", tmpdir);
    CHECK(strcmp(buf, want) == 0);
    set_env("XDG_CACHE_HOME", tmpdir);
    vs_transfer_default_cache(buf, sizeof buf);
    snprintf(want, sizeof want, "%s/vo2snn", tmpdir);
    CHECK(strcmp(buf, want) == 0);
    set_env("VO2SNN_CACHE", "/some/where");
    vs_transfer_default_cache(buf, sizeof buf);
    CHECK(strcmp(buf, "/some/where") == 0);

    if (no_cache_dir) { /* "" builds without caching anything, and says so */
        vs_device_params dev;
        vs_device_preset(1, &dev);
        vs_circuit c = vs_circuit_default();
        vs_transfer_opts o = small_grid();
        vs_transfer t;
        CHECK(vs_transfer_build(&dev, &c, &o, "", &t) == VS_OK);
        CHECK(t.from_cache == 0 && strstr(t.cache_note, "not cached") != NULL);
        vs_transfer_free(&t);
        char stray[1024];
        vs_transfer_cache_path("", &dev, &c, &o, stray, sizeof stray);
        CHECK(!exists(stray));
    }
    for (int i = 0; i < 3; i++) set_env(names[i], saved[i]), free(saved[i]);
}

/* ---- item 8: device parameters in one order, conflicts refused -------------------------- */

static void test_param_order(void)
{
    vs_device_params a, b;
    vs_device_preset(1, &a), vs_device_preset(1, &b);
    CHECK(vs_device_apply_list(&a, "c_th=1n,g_th=1m") == VS_OK);
    CHECK(vs_device_apply_list(&b, "g_th=1m,c_th=1n") == VS_OK);
    CHECK_NEAR(device_c_th(&a), 1e-9, 1e-12, 0);
    CHECK(memcmp(&a, &b, sizeof a) == 0);

    vs_device_preset(1, &a);
    CHECK(vs_device_apply_list(&a, "r_met=100,preset=2") == VS_OK);
    CHECK(vs_device_get(&a, "r_met") == 100);
    CHECK_NEAR(vs_device_get(&a, "r_ins0"), 17747.05, 1e-12, 0);

    /* cross-parameter checks judge the result, not each step */
    vs_device_preset(1, &a), vs_device_preset(1, &b);
    CHECK(vs_device_apply_list(&a, "t_amb=350K,t_c=400K") == VS_OK);
    CHECK(vs_device_apply_list(&b, "t_c=400K,t_amb=350K") == VS_OK);
    CHECK(memcmp(&a, &b, sizeof a) == 0);

    const char *refused[] = {"vacancy=0.5,preset=2", "r_met=1,r_met=2", "c_th=1n,tau_th=1u",
                             "tau_th=1u,c_th=1n", "preset=2,preset=2"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        vs_device_preset(4, &a);
        b = a;
        CHECK(vs_device_apply_list(&a, refused[i]) == VS_EINVAL);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
        CHECK(strncmp(vs_last_error(), "--param: ", 9) == 0);
    }
}

static void test_device_file_order(void)
{
    const char *path = tmp("order.txt");
    vs_device_params a, b;
    write_text(path, "c_th = 1n\ng_th = 1m\nr_met = 100\npreset = 2\n");
    vs_device_preset(5, &a);
    CHECK(vs_device_load_file(path, &a) == VS_OK);
    write_text(path, "preset = 2\nr_met = 100\ng_th = 1m\nc_th = 1n\n");
    vs_device_preset(5, &b);
    CHECK(vs_device_load_file(path, &b) == VS_OK);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    CHECK_NEAR(device_c_th(&a), 1e-9, 1e-12, 0);
    CHECK(vs_device_get(&a, "r_met") == 100);

    write_text(path, "r_met = 1\nvacancy = 0.5\npreset = 2\n");
    CHECK(vs_device_load_file(path, &a) == VS_EINVAL);
    CHECK(strstr(vs_last_error(), ":3:") && strstr(vs_last_error(), "line 2"));
    write_text(path, "tau_th = 1u\nr_met = 1\nc_th = 1n\n");
    CHECK(vs_device_load_file(path, &a) == VS_EINVAL);
    CHECK(strstr(vs_last_error(), "c_th") && strstr(vs_last_error(), "tau_th"));

    /* the CLI: same values whatever the order */
    CHECK(vo2snn("params", "--param", "c_th=1n,g_th=1m", "--json", NULL) == 0);
    CHECK(strstr(out_text, "\"c_th\": 1e-09") != NULL);
    CHECK(vo2snn("params", "--param", "r_met=100,preset=2", "--json", NULL) == 0);
    CHECK(strstr(out_text, "\"r_met\": 100,") != NULL);
    CHECK(REFUSES("preset", "params", "--param", "vacancy=0.5,preset=2"));
}

/* ---- item 20 (part): one choice of device ----------------------------------------------- */

static void test_one_device_choice(void)
{
    write_text(tmp("preset1.txt"), "preset = 1\n");
    write_text(tmp("vac.txt"), "vacancy = 0.2\n");
    CHECK(REFUSES("--vacancy", "params", "--device", "2", "--vacancy", "0.9"));
    CHECK(REFUSES("preset", "params", "--device", "3", "--device-file", tmp("preset1.txt")));
    CHECK(REFUSES("preset", "params", "--vacancy", "0.3", "--param", "preset=2"));
    CHECK(REFUSES("vacancy", "params", "--device-file", tmp("vac.txt"), "--param", "preset=2"));
    CHECK(REFUSES("--devices", "vf", "--devices", "1-3", "--param", "preset=2", "--out", tmp("vf.csv")));
    CHECK(REFUSES("--devices", "cycles", "--devices", "1-3", "--device-file", tmp("vac.txt"), "--out", tmp("c.csv")));
    /* one choice is fine */
    CHECK(vo2snn("params", "--device-file", tmp("preset1.txt"), "--param", "r_met=600", NULL) == 0);
}

/* ---- item 9: labels from the final parameters ------------------------------------------- */

static void test_labels(void)
{
    CHECK(vo2snn("params", "--param", "preset=3", "--json", NULL) == 0);
    CHECK(strstr(out_text, "\"device\": \"device 3\"") != NULL);
    CHECK(vo2snn("params", "--param", "vacancy=0.5", NULL) == 0);
    CHECK(strncmp(out_text, "device 3 (vacancy x = 0.5)", 26) == 0);
    CHECK(vo2snn("params", "--param", "vacancy=0.35", "--json", NULL) == 0);
    CHECK(strstr(out_text, "\"device\": \"vacancy x = 0.35\"") != NULL);
    CHECK(vo2snn("params", "--vacancy", "0.75", "--json", NULL) == 0);
    CHECK(strstr(out_text, "\"device\": \"device 4\"") != NULL);
    CHECK(vo2snn("params", "--device", "2", "--param", "r_met=600", "--json", NULL) == 0);
    CHECK(strstr(out_text, "\"device\": \"custom device\"") != NULL);
    write_text(tmp("p3.txt"), "preset = 3\n");
    CHECK(vo2snn("rt", "--device-file", tmp("p3.txt"), "--points", "50", "--out", tmp("rt.csv"), "--json", NULL) == 0);
    CHECK(strstr(out_text, "\"device\": \"device 3\"") != NULL);

    /* lists: the entry, marked when edited */
    const char *c = tmp("cyc.csv");
    CHECK(vo2snn("cycles", "--cycles", "2", "--period", "20us", "--vacancies", "0.5,0.3", "--param",
                 "sigma_lnr=0.01", "--out", c, "--json", NULL) == 0);
    CHECK(strstr(out_text, "\"device\": \"device 3\"") != NULL);
    CHECK(strstr(out_text, "\"device\": \"x = 0.3\"") != NULL);
    CHECK(vo2snn("cycles", "--cycles", "2", "--period", "20us", "--devices", "2", "--param",
                 "r_met=600", "--out", c, "--json", NULL) == 0);
    CHECK(strstr(out_text, "\"device\": \"device 2, edited\"") != NULL);
}

/* ---- item 11: byte-order marks and CSV headers ------------------------------------------ */

static void test_csv_bom_and_header(void)
{
    const char *path = tmp("ramp.csv");
    vs_table t;
    write_text(path, BOM "0,0\n1e-6,12.5\n");
    CHECK(vs_table_load(path, &t) == VS_OK);
    CHECK(t.names == NULL && t.n_rows == 2); /* a ramp, not a header and a step */
    vs_table_free(&t);
    write_text(path, BOM "t_s,v_v\n0,1\n");
    CHECK(vs_table_load(path, &t) == VS_OK);
    CHECK(t.names && strcmp(t.names[0], "t_s") == 0 && t.n_rows == 1);
    vs_table_free(&t);

    const struct {
        const char *text, *mention;
    } bad[] = {
        {"0,O\n1e-6,3\n", "'O' in column 2 is not a number"},
        {"# comment\n 1e-6 , 3x\n2e-6,4\n", ":2: '3x' in column 2"},
        {"t_s,\n0,1\n", "header cell 2 is empty"},
        {"0,1\n" BOM "1,2\n", "byte-order mark"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text(path, bad[i].text);
        CHECK(vs_table_load(path, &t) == VS_EFORMAT);
        CHECK(strstr(vs_last_error(), bad[i].mention) != NULL);
        if (!strstr(vs_last_error(), bad[i].mention)) fprintf(stderr, "  got: %s\n", vs_last_error());
    }

    /* the CLI: a PWL ramp with a BOM stays a ramp (2 knots, ends at 100 us) */
    write_text(path, BOM "0,0\n100e-6,12.5\n");
    CHECK(vo2snn("osc", "--input", "pwl", "--pwl", path, "--out", tmp("o.csv"), "--json", NULL) == 0);
    CHECK(strstr(out_text, "2 knots") != NULL);
    write_text(path, "0,O\n100e-6,12.5\n");
    CHECK(REFUSES("'O'", "osc", "--input", "pwl", "--pwl", path, "--out", tmp("o.csv")));
}

static void test_kv_bom(void)
{
    const char *path = tmp("bom_dev.txt");
    write_text(path, BOM "r_met = 600\n");
    vs_device_params p;
    vs_device_preset(1, &p);
    CHECK(vs_device_load_file(path, &p) == VS_OK);
    CHECK(vs_device_get(&p, "r_met") == 600);
    vs_kv kv;
    CHECK(vs_kv_load(path, &kv) == VS_OK && kv.n == 1 && strcmp(kv.entries[0].key, "r_met") == 0);
    vs_kv_free(&kv);
    /* anywhere else it is an error that says what it is (item 18) */
    write_text(path, "r_met = 600\n" BOM "g_th = 1m\n");
    CHECK(vs_device_load_file(path, &p) != VS_OK);
    CHECK(strstr(vs_last_error(), ":2:") && strstr(vs_last_error(), "byte-order mark"));
    CHECK(REFUSES("byte-order mark", "params", "--param", BOM "r_met=5"));
}

/* ---- item 14: linear time on huge inputs, and the naive twin of the knot search --------- */

static void test_huge_device_file(void)
{
    const int n = 100000;
    char *text = malloc((size_t)n * 24 + 1), *w = text;
    for (int i = 0; i < n; i++) w += sprintf(w, "k%d = %d\n", i, i);
    const char *path = tmp("huge.txt");
    write_bytes(path, text, (size_t)(w - text));
    free(text);

    double t0 = seconds_now();
    vs_kv kv;
    CHECK(vs_kv_load(path, &kv) == VS_OK && kv.n == n);
    vs_kv_free(&kv);
    double t_kv = seconds_now() - t0;
    CHECK(t_kv < 1.0);

    t0 = seconds_now();
    vs_device_params p;
    vs_device_preset(1, &p);
    CHECK(vs_device_load_file(path, &p) == VS_EINVAL);
    double t_dev = seconds_now() - t0;
    CHECK(t_dev < 0.5);
    CHECK(strstr(vs_last_error(), ":1: unknown device parameter 'k0'") != NULL);
    if (t_kv >= 1.0 || t_dev >= 0.5) fprintf(stderr, "  kv %.2f s, device file %.2f s\n", t_kv, t_dev);
}

static void test_knot_search(void)
{
    enum { N = 200000 };
    double *t = malloc(N * sizeof *t), *v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++) t[i] = 1e-9 * i + 1e-12 * (i % 7), v[i] = i % 3;
    vs_input in;
    CHECK(vs_input_pwl(t, v, N, &in) == VS_OK);
    double t0 = seconds_now(), sum = 0;
    for (int i = 0; i < N; i++) sum += vs_input_next_break(&in, t[i]);
    double dt = seconds_now() - t0;
    CHECK(dt < 1.0 && isinf(sum));
    if (dt >= 1.0) fprintf(stderr, "  %d next_break calls: %.2f s\n", N, dt);

    /* the binary search agrees with its naive twin everywhere, edges and junk included */
    unsigned long long x = 88172645463325252ULL;
    int agree = 1;
    for (int k = 0; k < 3000; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t i = (size_t)(x % N);
        double probes[] = {t[i], t[i] - 1e-13, t[i] + 1e-13, t[i] + 0.5e-9, -1.0};
        for (int j = 0; j < 5; j++)
            agree &= vs_input_pwl_next_knot(&in, probes[j]) == vs_input_pwl_next_knot_naive(&in, probes[j]);
    }
    const double odd[] = {NAN, INFINITY, -INFINITY, 0, 1e-4, 1e300};
    for (int j = 0; j < 6; j++)
        agree &= vs_input_pwl_next_knot(&in, odd[j]) == vs_input_pwl_next_knot_naive(&in, odd[j]);
    CHECK(agree);
    CHECK(vs_input_pwl_next_knot(&in, -1.0) == 0 && vs_input_pwl_next_knot(&in, 1.0) == N);
    vs_input_free(&in);
    double one_t = 0, one_v = 1;
    CHECK(vs_input_pwl(&one_t, &one_v, 1, &in) == VS_OK);
    CHECK(vs_input_pwl_next_knot(&in, -1) == 0 && vs_input_pwl_next_knot(&in, 0) == 1);
    CHECK(vs_input_pwl_next_knot_naive(&in, -1) == 0 && vs_input_pwl_next_knot_naive(&in, 0) == 1);
    vs_input_free(&in);
    free(t), free(v);
}

/* ---- item 16: inverted ranges ------------------------------------------------------------ */

/* Run f with stderr going to a file; its text into buf. */
static int capture_stderr(int (*f)(void), char *buf, size_t n)
{
    fflush(stderr);
    int saved = dup(2), fd = open(tmp("stderr.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 2);
    close(fd);
    int rc = f();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    slurp(tmp("stderr.txt"), buf, n);
    return rc;
}

static int range_inverted(void) { return cli_check_range("vo2snn vf", "--v-min", 16, "--v-max", 6, "V"); }
static int range_empty(void) { return cli_check_range("vo2snn rt", "--t-lo", 300, "--t-hi", 300, "K"); }
static int range_fine(void) { return cli_check_range("vo2snn vf", "--v-min", 6, "--v-max", 16, "V"); }
static int range_open(void) { return cli_check_range("vo2snn vf", "--v-min", NAN, "--v-max", 6, "V"); }

static void test_inverted_ranges(void)
{
    char err[512];
    CHECK(capture_stderr(range_inverted, err, sizeof err) == 1);
    CHECK(strcmp(err, "vo2snn vf: --v-min (16 V) must be below --v-max (6 V)\n") == 0);
    CHECK(capture_stderr(range_empty, err, sizeof err) == 1 && lines(err) == 1);
    CHECK(capture_stderr(range_fine, err, sizeof err) == 0 && err[0] == '\0');
    CHECK(capture_stderr(range_open, err, sizeof err) == 0 && err[0] == '\0');

    const char *out = tmp("never.csv");
    CHECK(REFUSES("--v-max", "vf", "--v-min", "16", "--v-max", "6", "--devices", "1", "--out", out));
    CHECK(REFUSES("--v-min", "vf", "--v-min", "16", "--devices", "1", "--out", out));
    CHECK(REFUSES("--t-hi", "rt", "--t-lo", "350", "--t-hi", "300", "--out", out));
    CHECK(REFUSES("--t-lo (300 K) must be below --t-hi", "rt", "--t-lo", "300", "--t-hi", "300", "--out", out));
    CHECK(REFUSES("--window-end", "osc", "--window-start", "150us", "--window-end", "100us", "--out", out));
    CHECK(REFUSES("--window-start", "osc", "--window-start", "250us", "--out", out));
    CHECK(REFUSES("--window-end", "osc", "--window-end", "250us", "--out", out));
    CHECK(!exists(out));
}

/* ---- item 18: messages that say what is wrong -------------------------------------------- */

static void test_clear_messages(void)
{
    const char *out = tmp("never.csv");
    CHECK(REFUSES("--r-series: 1e+12 Ohm is out of range", "osc", "--r-series", "1e12", "--out", out));
    CHECK(REFUSES("--cap: 1 F is out of range", "osc", "--cap", "1", "--out", out));
    CHECK(REFUSES("--r-sense", "osc", "--r-sense", "1e12", "--out", out));
    CHECK(REFUSES("1.0000001 is outside [0, 1]", "params", "--param", "vacancy=1.0000001"));
    CHECK(REFUSES("1.00000000001 is out of range [0, 1]", "params", "--vacancy", "1.00000000001"));
    write_text(tmp("v.txt"), "vacancy = 1.0000001\n");
    CHECK(REFUSES("v.txt:1: vacancy level 1.0000001", "params", "--device-file", tmp("v.txt")));

    char buf[32];
    vs_format_exact(buf, sizeof buf, 1.00000000001);
    CHECK(strcmp(buf, "1.00000000001") == 0);
    vs_format_exact(buf, sizeof buf, 1e9);
    CHECK(strcmp(buf, "1000000000") == 0);
    vs_format_exact(buf, sizeof buf, 0.1);
    CHECK(strcmp(buf, "0.1") == 0);
    vs_format_exact(buf, sizeof buf, 1.0 / 3);
    CHECK(strtod(buf, NULL) == 1.0 / 3);
}

/* ---- item 20 (part): units and plausible values ------------------------------------------ */

static void test_unit_rule(void)
{
    /* SI prefixes are case-sensitive, unit names are not */
    double v = 0;
    CHECK(vs_parse_quantity("3 kOHM", "Ohm", &v) == VS_OK && v == 3e3);
    CHECK(vs_parse_quantity("10 khz", "Hz", &v) == VS_OK && v == 1e4);
    CHECK(vs_parse_quantity("2 MHZ", "Hz", &v) == VS_OK && v == 2e6);
    const char *upper_k[][2] = {{"3K", "Ohm"}, {"10KHz", "Hz"}, {"3KOHM", "Ohm"}, {"2K", ""}};
    for (int i = 0; i < 4; i++) {
        v = -1;
        CHECK(vs_parse_quantity(upper_k[i][0], upper_k[i][1], &v) == VS_EINVAL && v == -1);
        CHECK(strstr(vs_last_error(), "lower-case k") != NULL);
    }
    CHECK(vs_parse_quantity("300K", "K", &v) == VS_OK && v == 300);
    /* a temperature with a bare kilo prefix is read as such, and its range error says why */
    CHECK(REFUSES("'k' is the kilo prefix", "rt", "--t-lo", "300k", "--out", tmp("rt.csv")));
    CHECK(REFUSES("'k' is the kilo prefix", "params", "--param", "t_amb=300k"));
    CHECK(REFUSES("lower-case k", "osc", "--r-series", "3K", "--out", tmp("o.csv")));
    CHECK(strcmp(vs_quantity_note("300k", "K"), "") != 0);
    CHECK(strcmp(vs_quantity_note("300 kK", "K"), "") == 0);
    CHECK(strcmp(vs_quantity_note("3k", "Ohm"), "") == 0);
}

/* Strict UTF-8 check (no overlongs, surrogates or code points past U+10FFFF). */
static int valid_utf8(const unsigned char *p)
{
    while (*p) {
        unsigned c = *p;
        int n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (!n) return 0;
        for (int i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80) return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F) || (c == 0xF0 && p[1] < 0x90) ||
            (c == 0xF4 && p[1] > 0x8F))
            return 0;
        p += n;
    }
    return 1;
}

static void test_json_invalid_utf8(void)
{
    /* every byte pair and a few longer sequences after an ASCII prefix */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    vs_json j;
    vs_json_begin(&j, f);
    char s[8] = "p/";
    for (int a = 1; a < 256; a++)
        for (int b = 1; b < 256; b += 7) {
            s[2] = (char)a, s[3] = (char)b, s[4] = '\0';
            vs_json_str(&j, s, s);
        }
    const char *seq[] = {"\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\xC0\x80", "\xF0\x9F\x98", "\xEF\xBB\xBF"};
    for (int i = 0; i < 6; i++) vs_json_str(&j, "path", seq[i]);
    vs_json_end(&j);
    fclose(f);
    CHECK(buf && valid_utf8((const unsigned char *)buf));
    free(buf);

    /* an output path with invalid bytes: --json stays valid UTF-8 */
    char path[600];
    snprintf(path, sizeof path, "%s/a\xff\xc3.csv", tmpdir);
    CHECK(vo2snn("rt", "--points", "20", "--out", path, "--json", NULL) == 0);
    CHECK(valid_utf8((const unsigned char *)out_text) && strstr(out_text, "a\\ufffd\\ufffd.csv"));
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    RUN(test_cache_checksum);
    RUN(test_cache_reader_contract);
    RUN(test_default_cache_dir);
    RUN(test_param_order);
    RUN(test_device_file_order);
    RUN(test_one_device_choice);
    RUN(test_labels);
    RUN(test_csv_bom_and_header);
    RUN(test_kv_bom);
    RUN(test_huge_device_file);
    RUN(test_knot_search);
    RUN(test_inverted_ranges);
    RUN(test_clear_messages);
    RUN(test_unit_rule);
    RUN(test_json_invalid_utf8);
    remove_tree(tmpdir);
    return CHECK_DONE();
}
