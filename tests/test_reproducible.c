/*
 * test_reproducible.c -- results that must not depend on how a run is scheduled or fed:
 * training bit-identical for 1, 2 and 3 threads; `phase --resume` really reuses saved
 * points; work budgets (trace samples, solver steps) refused before any work; the
 * checkpoint reader names its file and judges every stored value; inverted `phase` ranges;
 * thread counts capped at the cores (issue 10, items 5, 6, 13, 16, 18, 20).
 */
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <zlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "../src/parallel.h"
#include "check.h"
#include "cli_run.h"
#include "vo2snn/iv.h"
#include "vo2snn/threads.h"
#include "train_fixture.h"
#include "vo2snn/train.h"



/* ---- running the tool with a time limit --------------------------------------------------- */

static char out_path[600], err_path[600];   /* the tool's stdout and stderr (tmp() rotates) */

/* Start the tool (args NULL-terminated) with stdout/stderr to tmpdir/.out and .err; env may
   name "VAR=value" to set in the child. */
static pid_t spawn_tool(const char *env, const char *const *args)
{
    return cli_spawn(env, args, out_path, err_path);
}

/* Wait up to limit_s for pid (then kill -9 it); its exit status, or 128 + signal. */
static int wait_limited(pid_t pid, double limit_s)
{
    struct timespec nap = {0, 2000000};
    int status = 0;
    for (double t = 0; waitpid(pid, &status, WNOHANG) == 0; t += 0.002) {
        if (t > limit_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        nanosleep(&nap, NULL);
    }
    slurp(out_path, out_text, sizeof out_text);
    slurp(err_path, err_text, sizeof err_text);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#define MAX_ARGS 40
/* Run the tool with a time limit; env as for spawn_tool. */
static int run_limited(double limit_s, const char *env, ...)
{
    const char *args[MAX_ARGS + 1];
    int n = 0;
    va_list ap;
    va_start(ap, env);
    for (const char *a = va_arg(ap, const char *); a && n < MAX_ARGS; a = va_arg(ap, const char *)) args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    return wait_limited(spawn_tool(env, args), limit_s);
}

/* The error contract: status 1, one line "vo2snn CMD: ..." holding each of the words. */
static int one_line_error(int rc, const char *cmd, const char *w1, const char *w2)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "vo2snn %s: ", cmd);
    int ok = rc == 1 && lines(err_text) == 1 && strncmp(err_text, prefix, strlen(prefix)) == 0 &&
             (!w1 || strstr(err_text, w1)) && (!w2 || strstr(err_text, w2));
    if (!ok) fprintf(stderr, "  rc %d, stderr: %s", rc, err_text);
    return ok;
}

/* ---- item 6: training does not depend on the thread count ---------------------------------- */

static void fill(float *a, size_t n, uint64_t seed)
{
    vs_rng r;
    vs_rng_seed(&r, seed, 0);
    for (size_t i = 0; i < n; i++) a[i] = (float)vs_rng_normal(&r);
}

/* The blocked BLAS kernels agree with their naive twins (odd sizes: partial blocks) and are
   bit-identical for 1, 2 and 3 threads (sizes large enough for OpenBLAS to thread them). */
static void test_linear_kernels_blocked(void)
{
    enum { B = 70, C = 301, OC = 133 };
    static float in[B * C], w[OC * C], b[OC], dout[B * OC];
    static float out[4][B * OC], din[4][B * C], dw[4][OC * C], db[4][OC], ref_out[B * OC];
    static float ref_din[B * C], ref_dw[OC * C], ref_db[OC];
    fill(in, B * C, 1), fill(w, OC * C, 2), fill(b, OC, 3), fill(dout, B * OC, 4);
    vs_linear_forward_naive(ref_out, in, w, b, B, C, OC);
    memset(ref_din, 0, sizeof ref_din), memset(ref_dw, 0, sizeof ref_dw), memset(ref_db, 0, sizeof ref_db);
    vs_linear_backward_naive(ref_din, ref_dw, ref_db, dout, in, w, B, C, OC);
    for (int t = 1; t <= 3; t++) {
        vs_threads_set(t, NULL, 0);
        vs_linear_forward(out[t], in, w, b, B, C, OC);
        memset(din[t], 0, sizeof din[t]), memset(dw[t], 0, sizeof dw[t]), memset(db[t], 0, sizeof db[t]);
        vs_linear_backward(din[t], dw[t], db[t], dout, in, w, B, C, OC);
    }
    vs_threads_set(2, NULL, 0);
    double e_out = 0, e_din = 0, e_dw = 0;
    for (int i = 0; i < B * OC; i++) e_out = fmax(e_out, fabs((double)(out[1][i] - ref_out[i])));
    for (int i = 0; i < B * C; i++) e_din = fmax(e_din, fabs((double)(din[1][i] - ref_din[i])));
    for (int i = 0; i < OC * C; i++) e_dw = fmax(e_dw, fabs((double)(dw[1][i] - ref_dw[i])));
    CHECK(e_out < 1e-3 && e_din < 1e-3 && e_dw < 1e-3);   /* values ~20, float sums of 70 to 301 terms */
    for (int t = 2; t <= 3; t++) {
        CHECK(memcmp(out[1], out[t], sizeof out[1]) == 0);
        CHECK(memcmp(din[1], din[t], sizeof din[1]) == 0);
        CHECK(memcmp(dw[1], dw[t], sizeof dw[1]) == 0);
        CHECK(memcmp(db[1], db[t], sizeof db[1]) == 0);
    }
}

/* One epoch on 1600 images (with shifts) under `threads` threads: the trained network. */
static vs_mlp *train_with(int threads, double *test_acc)
{
    vs_threads_set(threads, NULL, 0);
    vs_mlp_config cfg = vs_mlp_config_for(&tf);
    vs_rng r;
    vs_rng_seed(&r, 5, 0);
    vs_mlp *m = vs_mlp_new(&cfg, &tf, 256, &r);
    if (!m) return NULL;
    vs_train_opts o = {.batch = 64, .seed = 5, .shift_px = 1, .n_limit = 1600};
    vs_epoch_metrics em;
    CHECK(vs_train_epoch(m, &train_set, enc, &o, 0, NULL, NULL, &em) == VS_OK);
    CHECK(vs_evaluate(m, &test_set, 1000, enc, 256, test_acc, NULL, NULL) == VS_OK);
    return m;
}

static void test_training_thread_independent(void)
{
    double acc[4] = {0};
    vs_mlp *m[4] = {NULL};
    for (int t = 1; t <= 3; t++) m[t] = train_with(t, &acc[t]);
    vs_threads_set(2, NULL, 0);
    CHECK(m[1] && m[2] && m[3]);
    if (!m[1] || !m[2] || !m[3]) return;
    size_t n = vs_mlp_num_params(m[1]);
    for (int t = 2; t <= 3; t++) {
        CHECK(memcmp(vs_mlp_params(m[1]), vs_mlp_params(m[t]), n * sizeof(float)) == 0);
        CHECK(memcmp(vs_mlp_moments(m[1]), vs_mlp_moments(m[t]), 2 * n * sizeof(float)) == 0);
        CHECK(acc[1] == acc[t]);
    }
    CHECK(acc[1] > 0.5);   /* it learned something */
    for (int t = 1; t <= 3; t++) vs_mlp_free(m[t]);
}

/* ---- item 5: phase --resume reuses the saved points ---------------------------------------- */

/* Keep the partial file's header lines as they are (blank ones too) and its first `keep`
   points; set the first point's frequency to `sentinel`. Returns that point's index, or -1. */
static long trim_partial(const char *path, int keep, const char *sentinel)
{
    char *text = check_slurp(path);
    if (!text) return -1;
    FILE *f = fopen(path, "w");
    long first = -1;
    int kept = 0, header_done = 0;
    for (char *line = text, *end; *line && (end = strchr(line, '\n')); line = end + 1) {
        *end = '\0';
        if (!header_done) {
            fprintf(f, "%s\n", line);
            header_done = strncmp(line, "index,", 6) == 0;
            continue;
        }
        if (kept == keep) break;
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL, *c3 = c2 ? strchr(c2 + 1, ',') : NULL;
        if (!c3) break;
        if (kept == 0) {
            first = atol(line);
            fprintf(f, "%.*s%s%s\n", (int)(c2 + 1 - line), line, sentinel, c3);
        } else {
            fprintf(f, "%s\n", line);
        }
        kept++;
    }
    fclose(f);
    free(text);
    return kept == keep ? first : -1;
}

static void test_phase_resume_reuses_points(void)
{
    char ref[600], cut[600], partial[600];
    snprintf(ref, sizeof ref, "%s", tmp("ref.csv"));
    snprintf(cut, sizeof cut, "%s", tmp("cut.csv"));
    snprintf(partial, sizeof partial, "%s", tmp("cut.partial.csv"));
#define GRID "--r-points", "12", "--v-points", "12", "--t-end", "2ms", "--no-triple"
    CHECK(run_limited(60, NULL, "phase", GRID, "--out", ref, NULL) == 0);
    const char *b[] = {"phase", GRID, "--out", cut, NULL};
    pid_t pid = spawn_tool("OMP_NUM_THREADS=1", b);
    struct timespec nap = {0, 1000000};
    for (int i = 0; i < 20000 && !exists(partial); i++) nanosleep(&nap, NULL);
    kill(pid, SIGKILL);
    int rc = wait_limited(pid, 10);
    if (rc != 128 + SIGKILL) CHECK_FAIL_MSG("the sweep ended (status %d) before it could be killed", rc);
    long k = trim_partial(partial, 5, "12345.5");
    CHECK(k >= 0);
    CHECK(run_limited(60, NULL, "phase", GRID, "--out", cut, "--resume", NULL) == 0);
    /* the count: 5 points reused, 139 simulated */
    CHECK(strstr(out_text, "resumed 5 of 144 points") != NULL && strstr(out_text, "simulated 139") != NULL);
    /* reused, not recomputed: the planted frequency is in the grid; every other row is the
       uninterrupted sweep's */
    char *x = check_slurp(ref), *y = check_slurp(cut);
    CHECK(x && y && strstr(y, ",12345.5,") != NULL);
    int differ = 0, rows = 0;
    for (char *p = x, *q = y; p && q && *p && *q; rows++) {
        char *pe = strchr(p, '\n'), *qe = strchr(q, '\n');
        if (!pe || !qe) break;
        differ += pe - p != qe - q || memcmp(p, q, (size_t)(pe - p)) != 0;
        p = pe + 1, q = qe + 1;
    }
    CHECK(rows == 145 && differ == 1);
    CHECK(!exists(partial));
    free(x), free(y);
    /* --json reports the same counts */
    CHECK(run_limited(60, NULL, "phase", "--r-points", "2", "--v-points", "2", "--no-triple", "--out", cut,
                      "--resume", "--json", NULL) == 0);
    CHECK(check_json_num(out_text, "resumed_points") == 0 && check_json_num(out_text, "simulated_points") == 2 * 2);
    /* a damaged partial file is refused with its line */
    pid = spawn_tool("OMP_NUM_THREADS=1", b);
    for (int i = 0; i < 20000 && !exists(partial); i++) nanosleep(&nap, NULL);
    kill(pid, SIGKILL);
    wait_limited(pid, 10);
    FILE *f = fopen(partial, "a");
    fputs("7,9,1,1,1,1,1,1\n", f);   /* regime 9 */
    fclose(f);
    rc = run_limited(60, NULL, "phase", GRID, "--out", cut, "--resume", NULL);
    CHECK(one_line_error(rc, "phase", "cut.partial.csv line", "not a saved point"));
    unlink(partial);
#undef GRID
}

/* ---- item 16: inverted phase ranges --------------------------------------------------------- */

static void test_phase_inverted_ranges(void)
{
    char out[600];
    snprintf(out, sizeof out, "%s", tmp("inv.csv"));
    struct { const char *a[8]; const char *w1, *w2; } cases[] = {
        {{"--r-min", "5k", "--r-max", "1k", NULL}, "--r-min (5000 Ohm)", "--r-max (1000 Ohm)"},
        {{"--r-min", "5k", "--r-max", "1k", "--r-points", "1", NULL}, "--r-min (5000 Ohm)", "--r-max (1000 Ohm)"},
        {{"--v-min", "10", "--v-max", "5", NULL}, "--v-min (10 V)", "--v-max (5 V)"},
        {{"--v-min", "10", "--v-max", "5", "--v-points", "1", NULL}, "--v-min (10 V)", "--v-max (5 V)"},
        {{"--v-min", "8", "--v-max", "8", NULL}, "--v-min (8 V)", "--v-max (8 V)"},
        {{"--r-min", "2k", "--r-max", "2k", "--r-points", "3", NULL}, "--r-min (2000 Ohm)", "--r-max (2000 Ohm)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[16] = {"phase", "--no-triple", "--out", out};
        int n = 4;
        for (int j = 0; cases[i].a[j]; j++) args[n++] = cases[i].a[j];
        args[n] = NULL;
        int rc = wait_limited(spawn_tool(NULL, args), 20);
        CHECK(one_line_error(rc, "phase", cases[i].w1, cases[i].w2));
        CHECK(out_text[0] == '\0' && !exists(out));
    }
    /* one point with min == max is a valid (degenerate) range */
    CHECK(run_limited(20, NULL, "phase", "--no-triple", "--r-min", "2k", "--r-max", "2k", "--r-points", "1",
                      "--v-points", "2", "--out", out, NULL) == 0);
}

/* ---- item 13: trace and step budgets, refused before any work ------------------------------ */

static void test_work_budgets(void)
{
    char out[600];
    snprintf(out, sizeof out, "%s", tmp("budget.csv"));
    int before = entries();
    int rc = run_limited(5, NULL, "iv", "--dt-out", "1e-15", "--out", out, NULL);
    CHECK(one_line_error(rc, "iv", "--dt-out 1e-15 s", "above the budget"));
    rc = run_limited(5, NULL, "iv", "--period", "100", "--cycles", "1000", "--out", out, NULL);
    CHECK(one_line_error(rc, "iv", "steps", "--cycles"));
    rc = run_limited(5, NULL, "osc", "--method", "rk4", "--dt", "1e-15", "--out", out, NULL);
    CHECK(one_line_error(rc, "osc", "--dt 1e-15 s over 0.0002 s is 2e+11 RK4 steps", "shorten --t-end"));
    rc = run_limited(5, NULL, "osc", "--h-max", "1e-15", "--out", out, NULL);
    CHECK(one_line_error(rc, "osc", "--h-max 1e-15 s", "above the budget"));
    rc = run_limited(5, NULL, "osc", "--dt-out", "1e-12", "--out", out, NULL);   /* 2e8 samples */
    CHECK(one_line_error(rc, "osc", "--dt-out 1e-12 s", "trace samples"));
    rc = run_limited(5, NULL, "phase", "--method", "rk4", "--dt", "1e-15", "--out", out, NULL);
    CHECK(one_line_error(rc, "phase", "--dt 1e-15 s", "--t-end"));
    CHECK(entries() == before && !exists(out));   /* nothing written, no temporary file left */
    /* ordinary runs stay inside: the iv trace keeps its first 5 cycles */
    CHECK(run_limited(30, NULL, "iv", "--cycles", "8", "--out", out, NULL) == 0);
    char *text = check_slurp(out);
    CHECK(text && lines(text) == 1 + 5 * 2000);   /* header + 5 cycles of 2000 samples, as before */
    free(text);
    CHECK(vs_ode_check_budget("dt", 1e-9, 1.0, VS_MAX_STEPS, "steps") == VS_OK);
    CHECK(vs_ode_check_budget("dt", 1e-10, 1.0, VS_MAX_STEPS, "steps") == VS_EINVAL);
    CHECK(vs_ode_check_budget("dt", 0, 1.0, VS_MAX_STEPS, "steps") == VS_EINVAL);
    vs_device_params p;
    vs_device_preset(1, &p);
    vs_iv_opts io = vs_iv_opts_default();
    io.dt_out_s = 1e-15;
    vs_iv_result r;
    CHECK(vs_iv_sweep(&p, &io, NULL, NULL, &r) == VS_OK);   /* no sampler: no trace, no limit */
    vs_iv_result_free(&r);
    CHECK(vs_iv_trace_budget(&io, "dt_out") == VS_EINVAL);
}

/* ---- item 18: the checkpoint reader --------------------------------------------------------- */

static unsigned char *ck_bytes;
static size_t ck_len;

/* Write the reference checkpoint's bytes to path with `len` bytes at `off` replaced, and the
   crc recomputed (so only the value judgement can catch it). */
static void write_patched(const char *path, size_t off, const void *val, size_t len)
{
    unsigned char *b = malloc(ck_len);
    memcpy(b, ck_bytes, ck_len);
    memcpy(b + off, val, len);
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), b, (uInt)(ck_len - 4));
    memcpy(b + ck_len - 4, &crc, 4);
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, ck_len, f);
    fclose(f);
    free(b);
}

static void save_reference_checkpoint(const char *path)
{
    static vs_checkpoint_info info;
    memset(&info, 0, sizeof info);
    vs_mlp_config cfg = vs_mlp_config_for(&tf);
    cfg.sizes[1] = 16;
    vs_rng r;
    vs_rng_seed(&r, 1, 0);
    vs_mlp *m = vs_mlp_new(&cfg, &tf, 64, &r);
    vs_train_opts o = {.batch = 64, .seed = 1, .shift_px = 0, .n_limit = 256};
    vs_epoch_metrics em;
    CHECK(vs_train_epoch(m, &train_set, enc, &o, 0, NULL, NULL, &em) == VS_OK);
    em.test_acc = 0.5;
    info.cfg = cfg;
    vs_device_preset(1, &info.device);
    info.circuit = vs_circuit_default();
    info.transfer = vs_transfer_opts_default();
    info.epoch = 1, info.steps = vs_mlp_step_count(m), info.seed = 1, info.batch = 64;
    info.epochs_planned = 2, info.shift_px = 0, info.cosine = 1;
    info.history[0] = em;
    CHECK(vs_checkpoint_save(path, &info, m) == VS_OK);
    vs_mlp_free(m);
    char *b = check_slurp(path);
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    ck_len = (size_t)ftell(f);
    fclose(f);
    ck_bytes = (unsigned char *)b;
}

/* Loading path must fail, naming the file and holding `word`. */
static int load_fails(const char *path, const char *word)
{
    static vs_checkpoint_info info;
    vs_mlp *m = NULL;
    vs_status st = vs_checkpoint_load(path, &tf, 64, &info, &m);
    int ok = st != VS_OK && m == NULL && strstr(vs_last_error(), path) && strstr(vs_last_error(), word);
    if (!ok) fprintf(stderr, "  %s: status %d, '%s'\n", path, (int)st, vs_last_error());
    vs_mlp_free(m);
    return ok;
}

/* Checkpoint format 2 stores the device as: model name, parameter count, (key, f64) for each
   row of the model's table, vacancy_x, preset, name; strings as u32 length + bytes. */
static size_t device_section_bytes(void)
{
    const vs_model *m = vs_model_default();
    size_t n = 4 + strlen(m->name) + 4;
    for (int i = 0; i < m->n_params; i++) n += 4 + strlen(m->params[i].key) + 8;
    return n + 8 + 4 + 4;
}

static void test_checkpoint_reader(void)
{
    char good[600], bad[600];
    snprintf(good, sizeof good, "%s", tmp("good.vsck"));
    snprintf(bad, sizeof bad, "%s", tmp("bad.vsck"));
    save_reference_checkpoint(good);
    static vs_checkpoint_info info;
    vs_mlp *m = NULL;
    CHECK(vs_checkpoint_load(good, &tf, 64, &info, &m) == VS_OK);
    size_t n = m ? vs_mlp_num_params(m) : 0;
    vs_mlp_free(m);
    CHECK(n > 0 && ck_len == 16 + (ck_bytes ? *(uint32_t *)(ck_bytes + 12) : 0) + 8 + 12 * n + 4);
    const size_t m1 = ck_len - 4 - 8 * n, m2 = ck_len - 4 - 4 * n;   /* moment blocks */
    const size_t hdr = 16, f64s = hdr + 4 + 4 * (VS_MLP_MAX_LAYERS + 1) + 12 * 4 + 8;
    const size_t r_series = f64s + device_section_bytes(), f32s = hdr + 4 + 4 * (VS_MLP_MAX_LAYERS + 1);
    const float fnan = NAN, fneg = -1.0f;
    const double dnan = NAN, dneg = -5.0;
    write_patched(bad, m1 + 12, &fnan, 4);   /* a NaN Adam first moment */
    CHECK(load_fails(bad, "moments"));
    write_patched(bad, m2 + 40, &fneg, 4);   /* a negative Adam second moment */
    CHECK(load_fails(bad, "second moments"));
    write_patched(bad, r_series, &dnan, 8);   /* circuit R_s NaN */
    CHECK(load_fails(bad, "circuit"));
    write_patched(bad, r_series + 16, &dneg, 8);   /* R_sense < 0 */
    CHECK(load_fails(bad, "circuit"));
    write_patched(bad, f32s + 6 * 4, &fnan, 4);   /* learning rate NaN */
    CHECK(load_fails(bad, "learning rate"));
    write_patched(bad, f32s + 9 * 4, &fneg, 4);   /* Adam beta2 < 0 */
    CHECK(load_fails(bad, "beta2"));
    CHECK(vs_checkpoint_load_info(bad, &info) != VS_OK && strstr(vs_last_error(), bad));
    /* not a file: refused before reading, with the reason */
    CHECK(load_fails(tmpdir, "directory"));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(load_fails("/dev/zero", "not a regular file"));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK((double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec) < 0.5);
    mkfifo(tmp("fifo.vsck"), 0600);
    CHECK(load_fails(tmp("fifo.vsck"), "not a regular file"));   /* and does not block */
    unlink(tmp("fifo.vsck"));
    /* through the tool: one line naming the directory */
    int rc = run_limited(30, NULL, "eval", "--checkpoint", tmpdir, "--data", check_mnist_dir(), NULL);
    CHECK(one_line_error(rc, "eval", tmpdir, "directory"));
    unlink(bad);
    free(ck_bytes);
}

/* ---- item 20: thread counts above the cores --------------------------------------------------- */

static void test_threads_capped(void)
{
    /* libgomp takes this at its word and fails to allocate the team at the first parallel
       region; the tool caps it at the cores with a note */
    int rc = run_limited(60, "OMP_NUM_THREADS=99999999999", "phase", "--r-points", "2", "--v-points", "2",
                         "--no-triple", "--out", tmp("thr.csv"), NULL);
#ifdef _OPENMP
    CHECK(rc == 0 && lines(err_text) == 1 && strstr(err_text, "OMP_NUM_THREADS=99999999999") &&
          strstr(err_text, "available cores"));
#else
    CHECK(rc == 0);   /* no OpenMP: nothing to cap */
#endif
    rc = run_limited(60, "OMP_NUM_THREADS=4294967296", "phase", "--r-points", "2", "--v-points", "2", "--no-triple",
                     "--out", tmp("thr.csv"), NULL);
    CHECK(rc == 0);
#ifdef _OPENMP
    char note[200];
    int procs = omp_get_num_procs();
    CHECK(vs_threads_set(1000000, note, sizeof note) == procs);
    CHECK(strstr(note, "1000000 threads") && strstr(note, "available cores"));
    CHECK(omp_get_max_threads() == procs);
    CHECK(vs_threads_set(1, note, sizeof note) == 1 && note[0] == '\0' && omp_get_max_threads() == 1);
    CHECK(vs_threads_set(0, note, sizeof note) == 1 && note[0] == '\0');   /* keeps the setting */
    vs_threads_set(2, NULL, 0);
#endif
}

/* Training's thread count beside other load (train.c): max less the cores others keep busy,
   never below 1 and never above max, even when the measurement comes out negative. */
static void test_threads_beside_load(void)
{
    CHECK(vs__threads_beside_load(2, 0.0) == 2);
    CHECK(vs__threads_beside_load(2, 0.3) == 2);
    CHECK(vs__threads_beside_load(2, 0.7) == 1);
    CHECK(vs__threads_beside_load(2, 3.0) == 1);
    CHECK(vs__threads_beside_load(2, -0.6) == 2);   /* clock granularity: not 3 threads */
    CHECK(vs__threads_beside_load(8, 2.4) == 6);
    CHECK(vs__threads_beside_load(4, (double)NAN) == 4);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    snprintf(out_path, sizeof out_path, "%s/.out", tmpdir);
    snprintf(err_path, sizeof err_path, "%s/.err", tmpdir);
    if (train_fixture_load(tmpdir) != 0) return remove_tree(tmpdir), 1;
    RUN(test_linear_kernels_blocked);
    RUN(test_training_thread_independent);
    RUN(test_phase_resume_reuses_points);
    RUN(test_phase_inverted_ranges);
    RUN(test_work_budgets);
    RUN(test_checkpoint_reader);
    RUN(test_threads_capped);
    RUN(test_threads_beside_load);
    vs_transfer_free(&tf);
    vs_dataset_free(&train_set);
    vs_dataset_free(&test_set);
    remove_tree(tmpdir);
    return CHECK_DONE();
}
