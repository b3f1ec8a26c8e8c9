/*
 * harness.h -- how each fuzz target turns bytes into parser calls.
 *
 * Shared by the libFuzzer targets (fuzz/fuzz_*.c, built by `make fuzz` with clang)
 * and by the regression test (tests/test_fuzz_regress.c, built by `make test` with
 * gcc), so that a crash input found by the fuzzer replays exactly in the test suite.
 *
 * Each fuzz_<target>() takes the raw input, calls the parsers, checks the documented
 * contracts (on failure: a message and the stated output state; on success: the
 * invariants of the result) and returns the status of the target's main parser (its
 * message, if any, is kept in fuzz_main_error). A
 * broken contract calls abort(), which libFuzzer and the test both report.
 *
 * Parsers that take a path get the bytes through files in one scratch directory per
 * process (mkdtemp under $TMPDIR or /tmp), removed at exit. Text parsers get a
 * NUL-terminated copy (which ends at the first NUL byte of the input).
 *
 * Set VO2SNN_FUZZ_VERBOSE=1 to keep the CLI's error lines on stderr (they are sent
 * to /dev/null while the CLI parsers run, to keep fuzzing logs small).
 */
#ifndef VO2SNN_FUZZ_HARNESS_H
#define VO2SNN_FUZZ_HARNESS_H

#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "common.h" /* cli/: cli_device_list_resolve */
#include "opts.h"   /* cli/: opt_parse */
#include "vo2snn/csv.h"
#include "vo2snn/device.h"
#include "vo2snn/idx.h"
#include "vo2snn/input.h"
#include "vo2snn/kvfile.h"
#include "vo2snn/measured.h"
#include "vo2snn/mlp.h"
#include "vo2snn/status.h"
#include "vo2snn/train.h"
#include "vo2snn/transfer.h"
#include "vo2snn/units.h"

#if defined(__GNUC__)
#define FUZZ_FN static __attribute__((unused))
#else
#define FUZZ_FN static
#endif

/* Where reports go: stderr, or a copy of it while fuzz_quiet() silences fd 2. */
static int fuzz_err_fd = 2;

/* A broken contract: say which and abort (libFuzzer saves the input as a crash). */
#define FUZZ_REQUIRE(cond)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            dprintf(fuzz_err_fd, "%s:%d: fuzz contract broken: %s (last error: %s)\n",           \
                    __FILE__, __LINE__, #cond, vs_last_error());                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A failing call must leave a message. */
#define FUZZ_REQUIRE_MESSAGE(s) FUZZ_REQUIRE((s) == VS_OK || vs_last_error()[0] != '\0')

/* Status codes are the enum's values. */
#define FUZZ_VALID_STATUS(s) ((int)(s) >= (int)VS_OK && (int)(s) <= (int)VS_ENOTFOUND)

/* The message of the target's main parser (vs_last_error() is overwritten by later calls). */
static char fuzz_main_error[512];

FUZZ_FN vs_status fuzz_note(vs_status s)
{
    snprintf(fuzz_main_error, sizeof fuzz_main_error, "%s", s == VS_OK ? "" : vs_last_error());
    return s;
}

/* ---- scratch files -------------------------------------------------------------------- */

static char fuzz_dir_path[256];

static const char *const fuzz_file_names[] = {
    "in.idx", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "dev.txt", "in.csv", "ck.vsck",
    "cache.csv",
};
#define FUZZ_N_FILES (sizeof fuzz_file_names / sizeof fuzz_file_names[0])

FUZZ_FN void fuzz_dir_remove(void)
{
    char p[512];
    for (size_t i = 0; i < FUZZ_N_FILES; i++) {
        snprintf(p, sizeof p, "%s/%s", fuzz_dir_path, fuzz_file_names[i]);
        unlink(p);
    }
    rmdir(fuzz_dir_path);
}

/* The per-process scratch directory (created on first use, removed at exit). */
FUZZ_FN const char *fuzz_dir(void)
{
    if (!fuzz_dir_path[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/vo2snn-fuzz-%ld-XXXXXX",
                 tmp && *tmp ? tmp : "/tmp", (long)getpid());
        if (!mkdtemp(fuzz_dir_path)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(fuzz_dir_remove);
    }
    return fuzz_dir_path;
}

/* Write n bytes to <fuzz_dir>/name (one of fuzz_file_names); returns the path (static). */
FUZZ_FN const char *fuzz_write(const char *name, const uint8_t *data, size_t n)
{
    static char path[FUZZ_N_FILES][512];
    size_t slot = 0;
    while (slot < FUZZ_N_FILES && strcmp(fuzz_file_names[slot], name) != 0) slot++;
    if (slot == FUZZ_N_FILES) abort(); /* a name the cleanup does not know */
    snprintf(path[slot], sizeof path[slot], "%s/%s", fuzz_dir(), name);
    FILE *f = fopen(path[slot], "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
        perror("fuzz: cannot write scratch file");
        abort();
    }
    return path[slot];
}

/* A NUL-terminated copy of the input (malloc'ed). */
FUZZ_FN char *fuzz_text(const uint8_t *data, size_t n)
{
    char *s = malloc(n + 1);
    if (!s) abort();
    if (n) memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

/* Sanitizer runtimes: send their reports to this fd (absent without a sanitizer). */
extern void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

/*
 * Send stdout and stderr to /dev/null (on = 1) or restore them (on = 0). Sanitizer
 * reports and broken contracts still reach the real stderr (a saved copy of fd 2).
 */
FUZZ_FN void fuzz_quiet(int on)
{
    static int null_fd = -1, saved_out = -1, saved_err = -1, verbose = -1;
    if (verbose < 0) {
        const char *v = getenv("VO2SNN_FUZZ_VERBOSE");
        verbose = v && *v && strcmp(v, "0") != 0;
    }
    if (verbose) return;
    fflush(stdout);
    fflush(stderr);
    if (on) {
        if (null_fd < 0) {
            null_fd = open("/dev/null", O_WRONLY);
            saved_out = dup(1);
            saved_err = dup(2);
            if (null_fd < 0 || saved_out < 0 || saved_err < 0) abort();
            fuzz_err_fd = saved_err;
            if (__sanitizer_set_report_fd) __sanitizer_set_report_fd((void *)(intptr_t)saved_err);
        }
        dup2(null_fd, 1);
        dup2(null_fd, 2);
    } else if (null_fd >= 0) {
        dup2(saved_out, 1);
        dup2(saved_err, 2);
    }
}

/* ---- IDX files and datasets ----------------------------------------------------------- */

/* Length of a raw IDX file whose header starts data (0 if it is not one). */
FUZZ_FN size_t fuzz_idx_raw_length(const uint8_t *d, size_t n)
{
    if (n < 4 || d[0] != 0 || d[1] != 0 || d[3] < 1 || d[3] > 4) return 0;
    size_t ndim = d[3], len = 1;
    if (n < 4 + 4 * ndim) return 0;
    for (size_t i = 0; i < ndim; i++) {
        const uint8_t *b = d + 4 + 4 * i;
        uint32_t dim = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        if (dim == 0 || dim > n || len > n / dim) return 0;
        len *= dim;
    }
    return len + 4 + 4 * ndim;
}

/*
 * vs_idx_load() on the input; then vs_dataset_load() on a directory whose images
 * file is the input up to the length its raw IDX header implies (else its first
 * half) and whose labels file is the rest, so that an images file followed by a
 * labels file is a valid dataset. Returns the status of vs_idx_load().
 */
FUZZ_FN vs_status fuzz_idx(const uint8_t *data, size_t n)
{
    vs_idx x, before;
    memset(&x, 0x5a, sizeof x);
    before = x;
    vs_clear_error();
    vs_status s = fuzz_note(vs_idx_load(fuzz_write("in.idx", data, n), &x));
    FUZZ_REQUIRE(FUZZ_VALID_STATUS(s));
    FUZZ_REQUIRE_MESSAGE(s);
    if (s == VS_OK) {
        FUZZ_REQUIRE(x.ndim >= 1 && x.ndim <= 4 && x.data && x.count >= 1);
        size_t count = 1;
        for (int i = 0; i < 4; i++) {
            if (i < x.ndim) count *= x.dims[i];
            else FUZZ_REQUIRE(x.dims[i] == 0);
        }
        FUZZ_REQUIRE(count == x.count && count <= VS_IDX_MAX_BYTES);
        volatile uint8_t last = x.data[x.count - 1]; /* ASan: the whole payload is there */
        (void)last;
        vs_idx_free(&x);
        FUZZ_REQUIRE(x.data == NULL && x.count == 0);
    } else {
        FUZZ_REQUIRE(memcmp(&x, &before, sizeof x) == 0); /* untouched on failure */
    }

    size_t k = fuzz_idx_raw_length(data, n);
    if (k == 0 || k > n) k = n / 2;
    fuzz_write("t10k-images-idx3-ubyte", data, k);
    fuzz_write("t10k-labels-idx1-ubyte", data + k, n - k);
    vs_dataset d;
    memset(&d, 0x5a, sizeof d);
    vs_dataset dbefore = d;
    vs_clear_error();
    vs_status ds = vs_dataset_load(fuzz_dir(), "t10k", &d);
    FUZZ_REQUIRE(FUZZ_VALID_STATUS(ds));
    FUZZ_REQUIRE_MESSAGE(ds);
    if (ds == VS_OK) {
        FUZZ_REQUIRE(d.n >= 1 && d.rows >= 1 && d.cols >= 1 && d.images && d.labels);
        for (size_t i = 0; i < d.n; i++) FUZZ_REQUIRE(d.labels[i] <= 9);
        volatile uint8_t last = d.images[d.n * (size_t)d.rows * (size_t)d.cols - 1];
        (void)last;
        vs_dataset_free(&d);
    } else {
        FUZZ_REQUIRE(memcmp(&d, &dbefore, sizeof d) == 0);
    }
    return s;
}

/* ---- device files and parameter lists ------------------------------------------------- */

/* Device params after a failed call must be bitwise what they were (NaN-safe). */
FUZZ_FN int fuzz_same_params(const vs_device_params *a, const vs_device_params *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/*
 * vs_kv_load() and vs_device_load_file() on the input as a file, then
 * vs_device_apply_list() on it as text. Returns vs_device_load_file()'s status.
 */
FUZZ_FN vs_status fuzz_kv_device(const uint8_t *data, size_t n)
{
    const char *path = fuzz_write("dev.txt", data, n);
    vs_kv kv;
    memset(&kv, 0x5a, sizeof kv);
    vs_clear_error();
    vs_status s = vs_kv_load(path, &kv);
    FUZZ_REQUIRE(FUZZ_VALID_STATUS(s));
    FUZZ_REQUIRE_MESSAGE(s);
    if (s == VS_OK) {
        FUZZ_REQUIRE(kv.n >= 0 && kv.path && strcmp(kv.path, path) == 0);
        for (int i = 0; i < kv.n; i++) {
            const vs_kv_entry *e = &kv.entries[i];
            FUZZ_REQUIRE(e->key[0] != '\0' && e->value[0] != '\0' && e->line >= 1);
            FUZZ_REQUIRE(!strchr(e->value, '#') && !strchr(e->key, '='));
            FUZZ_REQUIRE(vs_kv_find(&kv, e->key) == e); /* keys are unique */
            FUZZ_REQUIRE(i == 0 || e->line > kv.entries[i - 1].line);
        }
    } else {
        vs_kv zero;
        memset(&zero, 0, sizeof zero);
        FUZZ_REQUIRE(memcmp(&kv, &zero, sizeof kv) == 0); /* zeroed on failure */
    }
    vs_kv_free(&kv);
    vs_kv_free(NULL);

    vs_device_params p, before;
    vs_device_preset(1, &p);
    before = p;
    vs_clear_error();
    vs_status ds = fuzz_note(vs_device_load_file(path, &p));
    FUZZ_REQUIRE(FUZZ_VALID_STATUS(ds));
    FUZZ_REQUIRE_MESSAGE(ds);
    if (ds == VS_OK) FUZZ_REQUIRE(vs_device_validate(&p) == VS_OK);
    else FUZZ_REQUIRE(fuzz_same_params(&p, &before));
    if (s != VS_OK) FUZZ_REQUIRE(ds != VS_OK);

    char *text = fuzz_text(data, n);
    vs_device_preset(3, &p);
    before = p;
    vs_clear_error();
    vs_status ls = vs_device_apply_list(&p, text);
    FUZZ_REQUIRE(FUZZ_VALID_STATUS(ls));
    FUZZ_REQUIRE_MESSAGE(ls);
    if (ls == VS_OK) FUZZ_REQUIRE(vs_device_validate(&p) == VS_OK);
    else FUZZ_REQUIRE(fuzz_same_params(&p, &before));
    free(text);
    return ds;
}

/* ---- numeric CSV tables and PWL inputs ------------------------------------------------ */

/* vs_table_load() and vs_input_load_pwl() on the input. Returns the latter's status. */
FUZZ_FN vs_status fuzz_pwl_csv(const uint8_t *data, size_t n)
{
    const char *path = fuzz_write("in.csv", data, n);
    vs_table t;
    memset(&t, 0x5a, sizeof t);
    vs_clear_error();
    vs_status s = vs_table_load(path, &t);
    FUZZ_REQUIRE(FUZZ_VALID_STATUS(s));
    FUZZ_REQUIRE_MESSAGE(s);
    if (s == VS_OK) {
        FUZZ_REQUIRE(t.n_cols >= 1 && t.n_rows >= 1 && t.data);
        for (size_t i = 0; i < t.n_rows * (size_t)t.n_cols; i++) FUZZ_REQUIRE(isfinite(t.data[i]));
        if (t.names)
            for (int c = 0; c < t.n_cols; c++) FUZZ_REQUIRE(t.names[c] != NULL);
    } else {
        vs_table zero;
        memset(&zero, 0, sizeof zero);
        FUZZ_REQUIRE(memcmp(&t, &zero, sizeof t) == 0); /* zeroed on failure */
    }
    vs_table_free(&t);

    vs_input in;
    memset(&in, 0, sizeof in);
    vs_clear_error();
    vs_status ps = fuzz_note(vs_input_load_pwl(path, &in));
    FUZZ_REQUIRE(FUZZ_VALID_STATUS(ps));
    FUZZ_REQUIRE_MESSAGE(ps);
    if (s != VS_OK) FUZZ_REQUIRE(ps != VS_OK);
    if (ps == VS_OK) {
        FUZZ_REQUIRE(in.kind == VS_INPUT_PWL && in.n_knots >= 1 && in.knot_t_s && in.knot_v_v);
        FUZZ_REQUIRE(vs_input_validate(&in) == VS_OK);
        for (size_t i = 0; i < in.n_knots; i++) {
            FUZZ_REQUIRE(in.knot_t_s[i] >= 0 && (i == 0 || in.knot_t_s[i] > in.knot_t_s[i - 1]));
            if (i >= 64) continue; /* evaluate around the first knots only */
            double t0 = in.knot_t_s[i];
            FUZZ_REQUIRE(isfinite(vs_input_value(&in, t0)));
            FUZZ_REQUIRE(vs_input_next_break(&in, t0) > t0);
            vs_input_piece pc;
            vs_input_piece_at(&in, t0, &pc);
            (void)vs_input_piece_value(&pc, t0);
        }
        char desc[128];
        vs_input_describe(&in, desc, sizeof desc);
        FUZZ_REQUIRE(memchr(desc, '\0', sizeof desc) != NULL);
    }
    vs_input_free(&in);
    return ps;
}

/* ---- CSV headers and byte-order marks ------------------------------------------------- */

/* A table's contracts after vs_table_load: names are text, values finite; zero on failure. */
FUZZ_FN void fuzz_check_table(vs_status s, const vs_table *t)
{
    FUZZ_REQUIRE(FUZZ_VALID_STATUS(s));
    FUZZ_REQUIRE_MESSAGE(s);
    if (s != VS_OK) {
        vs_table zero;
        memset(&zero, 0, sizeof zero);
        FUZZ_REQUIRE(memcmp(t, &zero, sizeof *t) == 0);
        return;
    }
    FUZZ_REQUIRE(t->n_cols >= 1 && t->n_rows >= 1 && t->data);
    for (size_t i = 0; i < t->n_rows * (size_t)t->n_cols; i++) FUZZ_REQUIRE(isfinite(t->data[i]));
    for (int c = 0; t->names && c < t->n_cols; c++) { /* a header is text in every column */
        char *end;
        FUZZ_REQUIRE(t->names[c] && t->names[c][0] != '\0');
        (void)strtod(t->names[c], &end);
        FUZZ_REQUIRE(*end != '\0');
    }
}

/* Two loads of the same text gave the same table (or the same error). */
FUZZ_FN int fuzz_same_table(vs_status s1, const vs_table *a, const char *msg1, vs_status s2,
                            const vs_table *b, const char *msg2)
{
    if (s1 != s2 || strcmp(msg1, msg2) != 0) return 0;
    if (s1 != VS_OK) return 1;
    if (a->n_cols != b->n_cols || a->n_rows != b->n_rows || !a->names != !b->names) return 0;
    for (int c = 0; a->names && c < a->n_cols; c++)
        if (strcmp(a->names[c], b->names[c]) != 0) return 0;
    return memcmp(a->data, b->data, a->n_rows * (size_t)a->n_cols * sizeof *a->data) == 0;
}

/* The PWL knot lookups: binary search and its naive twin agree, at and between knots. */
FUZZ_FN void fuzz_check_knots(const vs_input *in)
{
    size_t n = in->n_knots, step = n <= 512 ? 1 : n / 256;
    for (size_t i = 0; i < n; i += step) {
        double t = in->knot_t_s[i];
        double probes[4] = {t, nextafter(t, -HUGE_VAL), t + 0.5 * (i + 1 < n ? in->knot_t_s[i + 1] - t : 1), -t};
        for (int k = 0; k < 4; k++) {
            size_t fast = vs_input_pwl_next_knot(in, probes[k]);
            FUZZ_REQUIRE(fast == vs_input_pwl_next_knot_naive(in, probes[k]));
            double br = vs_input_next_break(in, probes[k]);
            FUZZ_REQUIRE(fast < n ? br == in->knot_t_s[fast] : isinf(br));
        }
    }
}

/*
 * vs_table_load() on the input, then on a UTF-8 byte-order mark followed by the input
 * (unless it starts with one): the same table or the same message. Then
 * vs_input_load_pwl() and its knot lookups. Returns the first load's status.
 */
FUZZ_FN vs_status fuzz_csv_header(const uint8_t *data, size_t n)
{
    static char msg[512];
    const char *path = fuzz_write("in.csv", data, n);
    vs_table t, tb;
    memset(&t, 0x5a, sizeof t);
    vs_clear_error();
    vs_status s = fuzz_note(vs_table_load(path, &t));
    fuzz_check_table(s, &t);
    snprintf(msg, sizeof msg, "%s", fuzz_main_error);

    if (!(n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)) {
        uint8_t *bom = malloc(n + 3);
        if (!bom) abort();
        memcpy(bom, "\xEF\xBB\xBF", 3);
        if (n) memcpy(bom + 3, data, n);
        fuzz_write("in.csv", bom, n + 3);
        free(bom);
        memset(&tb, 0x5a, sizeof tb);
        vs_clear_error();
        vs_status sb = vs_table_load(path, &tb);
        fuzz_check_table(sb, &tb);
        FUZZ_REQUIRE(fuzz_same_table(s, &t, msg, sb, &tb, sb == VS_OK ? "" : vs_last_error()));
        vs_table_free(&tb);
    }
    vs_table_free(&t);

    vs_input in;
    memset(&in, 0, sizeof in);
    vs_clear_error();
    vs_status ps = vs_input_load_pwl(path, &in);
    FUZZ_REQUIRE(FUZZ_VALID_STATUS(ps));
    FUZZ_REQUIRE_MESSAGE(ps);
    if (s != VS_OK) FUZZ_REQUIRE(ps != VS_OK);
    if (ps == VS_OK) fuzz_check_knots(&in);
    vs_input_free(&in);
    return s;
}

/* ---- transfer-function cache files ----------------------------------------------------- */

/* The settings every cache input is read for: device 1, the paper's circuit, 0..1 V by 0.25 V. */
#define FUZZ_CACHE_POINTS 5
FUZZ_FN void fuzz_cache_settings(vs_device_params *dev, vs_circuit *c, vs_transfer_opts *o)
{
    vs_device_preset(1, dev);
    *c = vs_circuit_default();
    *o = vs_transfer_opts_default();
    o->v_max_v = 1.0;
    o->dv_v = 0.25;
}

/* One cache file through vs_transfer_cache_load(); a table it accepts survives a save+load. */
FUZZ_FN vs_status fuzz_cache_file(const uint8_t *data, size_t n, int note)
{
    vs_device_params dev;
    vs_circuit c;
    vs_transfer_opts o;
    fuzz_cache_settings(&dev, &c, &o);
    const char *path = fuzz_write("cache.csv", data, n);
    double f[FUZZ_CACHE_POINTS], sig[FUZZ_CACHE_POINTS], f2[FUZZ_CACHE_POINTS], sig2[FUZZ_CACHE_POINTS];
    vs_clear_error();
    vs_status s = vs_transfer_cache_load(path, &dev, &c, &o, f, sig);
    if (note) fuzz_note(s);
    FUZZ_REQUIRE(s == VS_OK || s == VS_EIO || s == VS_EFORMAT || s == VS_ENOMEM);
    FUZZ_REQUIRE_MESSAGE(s);
    if (s != VS_OK) {
        FUZZ_REQUIRE(strstr(vs_last_error(), path) != NULL); /* the message names the file */
        return s;
    }
    for (int i = 0; i < FUZZ_CACHE_POINTS; i++) FUZZ_REQUIRE(isfinite(f[i]) && f[i] >= 0 && isfinite(sig[i]));
    FUZZ_REQUIRE(vs_transfer_cache_save(path, &dev, &c, &o, f, sig) == VS_OK);
    FUZZ_REQUIRE(vs_transfer_cache_load(path, &dev, &c, &o, f2, sig2) == VS_OK);
    FUZZ_REQUIRE(memcmp(f, f2, sizeof f) == 0 && memcmp(sig, sig2, sizeof sig) == 0);
    return s;
}

/*
 * The input as a cache file, then again with its last line replaced by the correct
 * "# crc32" line, so that mutations reach the row parser instead of stopping at the
 * checksum. Returns the first load's status.
 */
FUZZ_FN vs_status fuzz_cache(const uint8_t *data, size_t n)
{
    vs_status s = fuzz_cache_file(data, n, 1);
    size_t body = n;
    if (body > 0 && data[body - 1] == '\n') body--;
    while (body > 0 && data[body - 1] != '\n') body--; /* drop the last line */
    uint8_t *fixed = malloc(body + 32);
    if (!fixed) abort();
    if (body) memcpy(fixed, data, body);
    unsigned long crc = crc32(crc32(0L, Z_NULL, 0), fixed, (uInt)body);
    int k = snprintf((char *)fixed + body, 32, "# crc32 %08lx\n", crc);
    if (body + (size_t)k != n || memcmp(fixed, data, n) != 0) fuzz_cache_file(fixed, body + (size_t)k, 0);
    free(fixed);
    return s;
}

/* ---- checkpoints ---------------------------------------------------------------------- */

/* A small synthetic transfer function (built once, kept for the process's life). */
FUZZ_FN const vs_transfer *fuzz_transfer(void)
{
    static vs_transfer tf;
    static int built;
    if (!built) {
        static const double f_hz[11] = {0, 0, 0, 0, 0, 1.0e5, 1.4e5, 1.5e5, 1.2e5, 0, 0};
        if (vs_transfer_from_table(f_hz, NULL, 11, 1.0, 0.5, &tf) != VS_OK) {
            fprintf(stderr, "fuzz: cannot build the transfer function: %s\n", vs_last_error());
            abort();
        }
        built = 1;
    }
    return &tf;
}

/* One checkpoint file through vs_checkpoint_load_info() and vs_checkpoint_load(). */
FUZZ_FN vs_status fuzz_checkpoint_file(const uint8_t *data, size_t n, int note)
{
    static vs_checkpoint_info info; /* 32 kB: not on the stack */
    const char *path = fuzz_write("ck.vsck", data, n);
    vs_clear_error();
    vs_status si = vs_checkpoint_load_info(path, &info);
    FUZZ_REQUIRE(FUZZ_VALID_STATUS(si));
    FUZZ_REQUIRE_MESSAGE(si);
    if (si == VS_OK) {
        FUZZ_REQUIRE(info.cfg.n_layers >= 1 && info.cfg.n_layers <= VS_MLP_MAX_LAYERS);
        FUZZ_REQUIRE(info.epoch >= 0 && info.epoch <= VS_MAX_EPOCHS);
        FUZZ_REQUIRE(vs_device_validate(&info.device) == VS_OK);
    }
    vs_mlp *m = NULL;
    vs_clear_error();
    vs_status s = vs_checkpoint_load(path, fuzz_transfer(), 4, &info, &m);
    if (note) fuzz_note(s);
    FUZZ_REQUIRE(FUZZ_VALID_STATUS(s));
    FUZZ_REQUIRE_MESSAGE(s);
    if (s == VS_OK) {
        FUZZ_REQUIRE(si == VS_OK && m != NULL);
        size_t np = vs_mlp_num_params(m);
        const float *w = vs_mlp_params(m);
        for (size_t i = 0; i < np; i++) FUZZ_REQUIRE(isfinite(w[i]));
        FUZZ_REQUIRE(vs_mlp_step_count(m) == info.steps);
        vs_mlp_free(m);
    } else {
        FUZZ_REQUIRE(m == NULL); /* *out untouched on failure */
    }
    return s;
}

/*
 * The input as a checkpoint file, then (when long enough to have one) again with
 * its trailing crc32 recomputed, so that mutations reach the header and payload
 * parsers instead of stopping at the checksum. Returns the first load's status.
 */
FUZZ_FN vs_status fuzz_checkpoint(const uint8_t *data, size_t n)
{
    vs_status s = fuzz_checkpoint_file(data, n, 1);
    if (n >= 20) {
        uint8_t *fixed = malloc(n);
        if (!fixed) abort();
        memcpy(fixed, data, n);
        uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), fixed, (uInt)(n - 4));
        for (int i = 0; i < 4; i++) fixed[n - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
        if (memcmp(fixed, data, n) != 0) fuzz_checkpoint_file(fixed, n, 0);
        free(fixed);
    }
    return s;
}

/* ---- measured data -------------------------------------------------------------------- */

/* n bytes at p are all zero (the state a failed reader leaves its output in). */
FUZZ_FN int fuzz_all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

/* No two points share x on the same branch (branch NULL: one branch); checked for small n. */
FUZZ_FN int fuzz_distinct(const double *x, const int *branch, size_t n)
{
    if (n > 2000) return 1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (x[i] == x[j] && (!branch || branch[i] == branch[j])) return 0;
    return 1;
}

/* A reader's status: valid, with a message naming the file on failure. */
FUZZ_FN void fuzz_meas_status(vs_status s, const char *path)
{
    FUZZ_REQUIRE(FUZZ_VALID_STATUS(s));
    FUZZ_REQUIRE_MESSAGE(s);
    if (s != VS_OK) FUZZ_REQUIRE(strstr(vs_last_error(), path) != NULL);
}

FUZZ_FN vs_status fuzz_meas_rt(const char *path)
{
    vs_meas_rt m;
    memset(&m, 0x5a, sizeof m);
    vs_clear_error();
    vs_status s = vs_meas_read_rt(path, &m);
    fuzz_meas_status(s, path);
    if (s != VS_OK) {
        FUZZ_REQUIRE(fuzz_all_zero(&m, sizeof m));
        return s;
    }
    FUZZ_REQUIRE(m.n >= 2 && m.temp_k && m.r_ohm && m.branch && m.layout);
    for (size_t i = 0; i < m.n; i++) {
        FUZZ_REQUIRE(isfinite(m.temp_k[i]) && m.temp_k[i] > 0);
        FUZZ_REQUIRE(isfinite(m.r_ohm[i]) && m.r_ohm[i] > 0);
        FUZZ_REQUIRE(m.branch[i] == VS_BRANCH_HEAT || m.branch[i] == VS_BRANCH_COOL);
    }
    FUZZ_REQUIRE(fuzz_distinct(m.temp_k, m.branch, m.n));
    vs_meas_rt_free(&m);
    FUZZ_REQUIRE(fuzz_all_zero(&m, sizeof m));
    return s;
}

FUZZ_FN vs_status fuzz_meas_iv(const char *path, double r_series_ohm)
{
    vs_meas_iv m;
    memset(&m, 0x5a, sizeof m);
    vs_clear_error();
    vs_status s = vs_meas_read_iv(path, r_series_ohm, &m);
    fuzz_meas_status(s, path);
    if (s != VS_OK) {
        FUZZ_REQUIRE(fuzz_all_zero(&m, sizeof m));
        return s;
    }
    FUZZ_REQUIRE(m.n >= 2 && m.v_dev_v && m.i_a && m.branch && m.layout && m.branch_from);
    for (size_t i = 0; i < m.n; i++) {
        FUZZ_REQUIRE(isfinite(m.v_dev_v[i]) && isfinite(m.i_a[i]));
        FUZZ_REQUIRE(m.branch[i] == VS_MEAS_UP || m.branch[i] == VS_MEAS_DOWN);
    }
    FUZZ_REQUIRE(fuzz_distinct(m.v_dev_v, m.branch, m.n));
    vs_meas_iv_free(&m);
    return s;
}

FUZZ_FN vs_status fuzz_meas_fv(const char *path)
{
    vs_meas_fv m;
    memset(&m, 0x5a, sizeof m);
    vs_clear_error();
    vs_status s = vs_meas_read_fv(path, &m);
    fuzz_meas_status(s, path);
    if (s != VS_OK) {
        FUZZ_REQUIRE(fuzz_all_zero(&m, sizeof m));
        return s;
    }
    FUZZ_REQUIRE(m.n >= 2 && m.v_in_v && m.freq_hz);
    for (size_t i = 0; i < m.n; i++)
        FUZZ_REQUIRE(isfinite(m.v_in_v[i]) && isfinite(m.freq_hz[i]) && m.freq_hz[i] > 0);
    FUZZ_REQUIRE(fuzz_distinct(m.v_in_v, NULL, m.n));
    vs_meas_fv_free(&m);
    return s;
}

FUZZ_FN vs_status fuzz_meas_trace(const char *path)
{
    vs_meas_trace m;
    memset(&m, 0x5a, sizeof m);
    vs_clear_error();
    vs_status s = vs_meas_read_trace(path, &m);
    fuzz_meas_status(s, path);
    if (s != VS_OK) {
        FUZZ_REQUIRE(fuzz_all_zero(&m, sizeof m));
        return s;
    }
    FUZZ_REQUIRE(m.n >= 2 && m.t_s && m.input && m.response && m.response_col);
    FUZZ_REQUIRE(m.input_is_current == 0 || m.input_is_current == 1);
    for (size_t i = 0; i < m.n; i++) {
        FUZZ_REQUIRE(isfinite(m.t_s[i]) && isfinite(m.input[i]) && isfinite(m.response[i]));
        FUZZ_REQUIRE(i == 0 || m.t_s[i] > m.t_s[i - 1]);
    }
    vs_meas_trace_free(&m);
    return s;
}

/* Keep (in fuzz_main_error) the first failure past the header: the reader the file was
   meant for. Returns s. */
FUZZ_FN vs_status fuzz_meas_keep(vs_status s, vs_status *kept)
{
    if (s != VS_OK && *kept == VS_OK && !strstr(vs_last_error(), ": no column "))
        *kept = fuzz_note(s);
    return s;
}

/*
 * The input as one file read by all four readers of measured.h (I-V twice: without a
 * series resistor and with 1 kOhm). Returns VS_OK if any reader accepts the file, else
 * the first failure that got past the header's columns (else the waveform reader's).
 */
FUZZ_FN vs_status fuzz_measured(const uint8_t *data, size_t n)
{
    const char *path = fuzz_write("in.csv", data, n);
    vs_status s[5], kept = VS_OK;
    s[0] = fuzz_meas_keep(fuzz_meas_rt(path), &kept);
    s[1] = fuzz_meas_keep(fuzz_meas_iv(path, (double)NAN), &kept);
    s[2] = fuzz_meas_keep(fuzz_meas_iv(path, 1e3), &kept);
    s[3] = fuzz_meas_keep(fuzz_meas_fv(path), &kept);
    s[4] = fuzz_meas_keep(fuzz_meas_trace(path), &kept);
    FUZZ_REQUIRE(s[1] != VS_OK || s[2] == VS_OK); /* a resistor changes nothing with v_dev_v */
    for (int k = 0; k < 5; k++)
        if (s[k] == VS_OK) return fuzz_note(VS_OK);
    return kept != VS_OK ? kept : fuzz_note(s[4]); /* only header failures: the last one */
}

/* ---- numbers with units (library and CLI) --------------------------------------------- */

static const char *const fuzz_units_list[] = {"",  "Ohm", "F",  "V",   "A",   "s",  "Hz",
                                              "K", "W",   "J",  "eV",  "W/K", "J/K"};

/* vs_parse_quantity(text, unit): a finite result, or *out untouched and a message. */
FUZZ_FN vs_status fuzz_quantity(const char *text, const char *unit)
{
    double v = -12345.5;
    vs_clear_error();
    vs_status s = vs_parse_quantity(text, unit, &v);
    FUZZ_REQUIRE(s == VS_OK || s == VS_EINVAL || s == VS_ENOMEM);
    FUZZ_REQUIRE_MESSAGE(s);
    if (s == VS_OK) FUZZ_REQUIRE(isfinite(v));
    else FUZZ_REQUIRE(v == -12345.5);
    return s;
}

FUZZ_FN void fuzz_long(const char *text, long lo, long hi)
{
    long v = 424242;
    vs_clear_error();
    vs_status s = vs_parse_long(text, lo, hi, &v);
    FUZZ_REQUIRE(s == VS_OK || s == VS_EINVAL);
    FUZZ_REQUIRE_MESSAGE(s);
    if (s == VS_OK) FUZZ_REQUIRE(v >= lo && v <= hi);
    else FUZZ_REQUIRE(v == 424242);
}

/* The CLI: option values with units and ranges, device lists. Output silenced. */
FUZZ_FN void fuzz_cli(char *text)
{
    static double r_ohm, c_f, v_v, t_s, x;
    static long seed, steps, dev;
    static int flag;
    static const char *str, *choice;
    static const char *const choices[] = {"mse", "ce", NULL};
    static const opt_spec specs[] = {
        {"r-series", OPT_QUANTITY, "Ohm", "R", "", &r_ohm, 1e-3, 1e12, NULL, NULL, NULL},
        {"cap", OPT_QUANTITY, "F", "C", "", &c_f, 1e-18, 1, NULL, NULL, "c"}, /* old name --c */
        {"v-in", OPT_QUANTITY, "V", NULL, "", &v_v, 1, 0, NULL, NULL, NULL}, /* no range */
        {"t-end", OPT_QUANTITY, "s", NULL, "", &t_s, 0, 1, NULL, NULL, NULL},
        {"x", OPT_QUANTITY, NULL, NULL, "", &x, 0, 1, NULL, NULL, NULL},
        {"seed", OPT_LONG, NULL, NULL, "", &seed, 1, 0, NULL, NULL, NULL}, /* any long */
        {"steps", OPT_LONG, NULL, NULL, "", &steps, 1, 1e30, NULL, NULL, NULL},
        {"device", OPT_LONG, NULL, NULL, "", &dev, 1, 5, NULL, NULL, NULL},
        {"plot", OPT_FLAG, NULL, NULL, "", &flag, 0, 0, NULL, NULL, NULL},
        {"out", OPT_STRING, NULL, NULL, "", &str, 0, 0, NULL, NULL, NULL},
        {"loss", OPT_CHOICE, NULL, NULL, "", &choice, 0, 0, choices, NULL, NULL},
    };
    static const opt_cmd cmd = {"vo2snn fuzz", "fuzzing", NULL, specs,
                                (int)(sizeof specs / sizeof specs[0]), 2};

    /* defaults (strings would otherwise point into the previous input's freed argv) */
    r_ohm = 3e3, c_f = 1e-9, v_v = 12, t_s = 1e-4, x = 0.5, seed = 1, steps = 100, dev = 1;
    flag = 0, str = NULL, choice = NULL;
    /* argv: the text's lines */
    enum { MAX_ARGS = 64 };
    char *argv[MAX_ARGS];
    int argc = 0;
    char *save = NULL, *copy = strdup(text);
    if (!copy) abort();
    for (char *tok = strtok_r(copy, "\n", &save); tok && argc < MAX_ARGS;
         tok = strtok_r(NULL, "\n", &save))
        argv[argc++] = tok;
    const char *pos[2];
    int n_pos = -1;
    fuzz_quiet(1);
    int rc = opt_parse(&cmd, argc, argv, pos, &n_pos);
    fuzz_quiet(0);
    FUZZ_REQUIRE(rc == 0 || rc == 1 || rc == -1);
    if (rc == 0) {
        FUZZ_REQUIRE(n_pos >= 0 && n_pos <= 2);
        FUZZ_REQUIRE(dev >= 1 && dev <= 5); /* every value in range (or the default) */
        FUZZ_REQUIRE(r_ohm >= 1e-3 && r_ohm <= 1e12 && c_f >= 1e-18 && c_f <= 1);
        FUZZ_REQUIRE(t_s >= 0 && t_s <= 1 && x >= 0 && x <= 1 && isfinite(v_v));
    }
    free(copy);

    static cli_device_list list;
    cli_devices_args a = {.devices = text};
    fuzz_quiet(1);
    rc = cli_device_list_resolve("vo2snn fuzz", &a, "1", &list);
    fuzz_quiet(0);
    FUZZ_REQUIRE(rc != 0 || (list.n >= 1 && list.n <= CLI_MAX_DEVICES));
    cli_devices_args b = {.vacancies = text};
    fuzz_quiet(1);
    rc = cli_device_list_resolve("vo2snn fuzz", &b, "1", &list);
    fuzz_quiet(0);
    FUZZ_REQUIRE(rc != 0 || (list.n >= 1 && list.n <= CLI_MAX_DEVICES));
}

/*
 * "TEXT\nUNIT": vs_parse_quantity(TEXT, UNIT); a single line: vs_parse_quantity in
 * every known unit. Also vs_parse_long() on the first line, vs_device_apply_list()
 * and the CLI (opt_parse with the lines as argv, --devices / --vacancies lists) on
 * the whole text. Returns the status of vs_parse_quantity(TEXT, UNIT or "").
 */
FUZZ_FN vs_status fuzz_units(const uint8_t *data, size_t n)
{
    char *text = fuzz_text(data, n);
    char *nl = strchr(text, '\n');
    vs_status s;
    if (nl) {
        *nl = '\0';
        s = fuzz_note(fuzz_quantity(text, nl + 1));
    } else {
        s = fuzz_note(fuzz_quantity(text, ""));
        for (size_t i = 1; i < sizeof fuzz_units_list / sizeof fuzz_units_list[0]; i++)
            fuzz_quantity(text, fuzz_units_list[i]);
    }
    fuzz_long(text, LONG_MIN, LONG_MAX);
    fuzz_long(text, 1, 5);
    fuzz_long(text, -3, -3);
    if (nl) *nl = '\n';

    vs_device_params p, before;
    vs_device_preset(2, &p);
    before = p;
    vs_clear_error();
    vs_status ls = vs_device_apply_list(&p, text);
    FUZZ_REQUIRE(FUZZ_VALID_STATUS(ls));
    FUZZ_REQUIRE_MESSAGE(ls);
    if (ls == VS_OK) FUZZ_REQUIRE(vs_device_validate(&p) == VS_OK);
    else FUZZ_REQUIRE(fuzz_same_params(&p, &before));

    fuzz_cli(text);
    free(text);
    return s;
}

#endif
