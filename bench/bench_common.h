/*
 * bench_common.h -- what the C benchmarks share: wall clock and medians, a scratch
 * directory, and the ngspice side of the comparisons: the library's netlist cut down to
 * the circuit, a .control block of the benchmark's own (one process, a loop of `tran`
 * runs, `save v(m)` only, spikes found by nutmeg vector arithmetic inside ngspice, one
 * short line printed per run), and one timed `ngspice -b` process. The start-up cost is
 * measured by the same deck with an empty loop and subtracted by the caller.
 * Header-only (static functions); each benchmark is one translation unit.
 */
#ifndef VO2SNN_BENCH_COMMON_H
#define VO2SNN_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vo2snn/netlist.h"

static char bench_tmp_dir[256];

static inline double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of n <= 64 values. */
static inline double bench_median(const double *v, int n)
{
    double s[64];
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, bench_cmp_double);
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/* Check that ngspice runs and make the scratch directory; a message and -1 if not. */
static inline int bench_setup(const char *prog)
{
    if (system("ngspice -v > /dev/null 2>&1") != 0) {
        fprintf(stderr, "%s: ngspice is not on PATH (apt-get install ngspice)\n", prog);
        return -1;
    }
    const char *base = getenv("TMPDIR");
    snprintf(bench_tmp_dir, sizeof bench_tmp_dir, "%s/vo2snn_bench_XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(bench_tmp_dir)) {
        fprintf(stderr, "%s: cannot create a temporary directory\n", prog);
        return -1;
    }
    return 0;
}

/* Remove the scratch directory after a successful run (its files already removed). */
static inline void bench_cleanup(void)
{
    char log[300];
    snprintf(log, sizeof log, "%s/ngspice.log", bench_tmp_dir);
    remove(log);
    rmdir(bench_tmp_dir);
}

/* ---- ngspice: one process, a .control loop, start-up subtracted ------------------------ */

/*
 * One ngspice configuration: integration method ("trap", ngspice's default, or "gear"),
 * reltol (ngspice default 1e-3; abstol, vntol, chgtol, trtol stay at their defaults: the
 * state nodes are V (volts), T (1 V = 1 K, ~300 V) and m (0..1 V), so reltol governs them),
 * the .tran max step tmax (0: none given, ngspice then uses min(tstep, tstop/50) with
 * tstep = tstop/50), and tau_m, the relaxation time of vo2x's memory node
 * (include/vo2snn/netlist.h, docs/models/vo2x.md).
 */
typedef struct bench_spice_cfg {
    const char *method;
    double reltol, tmax_s, tau_m_s;
} bench_spice_cfg;

static inline void bench_spice_label(const bench_spice_cfg *c, char *buf, size_t n)
{
    char tm[32];
    if (c->tmax_s > 0) snprintf(tm, sizeof tm, "%g ns", c->tmax_s * 1e9);
    else snprintf(tm, sizeof tm, "none");
    snprintf(buf, n, "%s reltol %g tmax %s tau_m %g ns", c->method, c->reltol, tm,
             c->tau_m_s * 1e9);
}

/*
 * The library's netlist (vs_netlist_write, tau_m from cfg) without its .tran and .end
 * lines and without any .control block, followed by `.options method=.. reltol=..`:
 * the circuit alone, for a .control block of the benchmark's own. Malloc'd, NULL on error.
 */
static inline char *bench_deck_base(const char *prog, const vs_device_params *dev,
                                    const vs_circuit *circ, const vs_input *input,
                                    const bench_spice_cfg *cfg, double t_end_s)
{
    char *text = NULL, *out = NULL;
    size_t len = 0, olen = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) return NULL;
    vs_netlist_opts o = vs_netlist_opts_default();
    o.t_end_s = t_end_s;
    o.t_max_step_s = cfg->tmax_s > 0 ? cfg->tmax_s : t_end_s / 50;
    o.tau_m_s = cfg->tau_m_s;
    vs_status s = vs_netlist_write(mem, dev, circ, input, &o);
    fclose(mem);
    if (s != VS_OK) {
        fprintf(stderr, "%s: vs_netlist_write: %s\n", prog, vs_last_error());
        free(text);
        return NULL;
    }
    FILE *f = open_memstream(&out, &olen);
    if (!f) {
        free(text);
        return NULL;
    }
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, ".tran ", 6) == 0 || strcmp(line, ".end") == 0) continue;
        fprintf(f, "%s\n", line);
    }
    fprintf(f, ".options method=%s reltol=%.10g\n", cfg->method, cfg->reltol);
    fclose(f);
    free(text);
    return out;
}

/* The `tran` command of cfg for a run to t_end_s from the initial conditions. */
static inline void bench_tran_cmd(const bench_spice_cfg *c, double t_end_s, char *buf, size_t n)
{
    double tstep = t_end_s / 50;
    if (c->tmax_s > 0 && c->tmax_s < tstep) tstep = c->tmax_s;
    if (c->tmax_s > 0) snprintf(buf, n, "tran %.10g %.10g 0 %.10g uic", tstep, t_end_s, c->tmax_s);
    else snprintf(buf, n, "tran %.10g %.10g uic", tstep, t_end_s);
}

/*
 * Nutmeg lines that find the spikes of the last transient from the one saved vector,
 * V(m), as bench code has always scanned it: a spike is V(m) crossing 0.5 upward between
 * two accepted time points, its time interpolated linearly; only crossings at or after
 * w0 count (w0 as a number in the text). They leave cnt (spikes), t1 and tl (first and
 * last crossing, 0 if none) and mend (V(m) at the last point).
 * (No re-arming below 0.1 as in bench_scan_vm: V(m) falls to ~1e-15 between spikes.)
 */
static inline void bench_nutmeg_spikes(FILE *f, double w0_s)
{
    fprintf(f, "  let mm = v(m)\n"
               "  let nn = length(mm)\n"
               "  let ma = mm[0,nn-2]\n"
               "  let mb = mm[1,nn-1]\n"
               "  let ta = time[0,nn-2]\n"
               "  let tb = time[1,nn-1]\n"
               "  let tc = ta + (tb - ta)*(0.5 - ma)/(mb - ma + 1e-300)\n"
               "  let up = (ma lt 0.5) and (mb ge 0.5) and (tc ge %.10g)\n"
               "  let cnt = mean(up)*length(up)\n"
               "  let tl = vecmax(tc*up)\n"
               "  let t1 = vecmin(tc*up + (1 - up)*1e3)\n"
               "  let mend = mm[nn-1]\n", w0_s);
}

/*
 * Run `ngspice -b deck` with stdout and stderr to log, timing the whole process into
 * *wall_s; its exit status. The command is left in cmd for messages.
 */
static inline int bench_spice_run(const char *deck, const char *log, char cmd[2048], double *wall_s)
{
    snprintf(cmd, 2048, "ngspice -b '%s' > '%s' 2>&1", deck, log);
    double t0 = bench_now_s();
    int rc = system(cmd);
    *wall_s = bench_now_s() - t0;
    return rc;
}

/* Write text to path; 0 or -1. */
static inline int bench_write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -1;
}

/* Show the last lines of an ngspice log on stderr. */
static inline void bench_show_log(const char *log)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "tail -n 15 '%s' >&2", log);
    if (system(cmd) != 0) fprintf(stderr, "(no log %s)\n", log);
}

#endif
