/*
 * bench_common.h -- what the C benchmarks share: wall clock and medians, a scratch
 * directory, the library's netlist rewritten to record V(m) alone, one timed
 * `ngspice -b` process, and the spike scan of its wrdata output.
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

/*
 * Write the library's netlist for (dev, circ, input, o) to `cir` with its wrdata line
 * cut down to V(m) alone into `dat`, and optionally an extra line (".options ...")
 * before .tran.
 */
static inline int bench_write_netlist(const char *prog, const char *cir, const char *dat,
                               const vs_device_params *dev, const vs_circuit *circ,
                               const vs_input *input, vs_netlist_opts o, const char *extra)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) return -1;
    o.wrdata_path = dat;
    vs_status s = vs_netlist_write(mem, dev, circ, input, &o);
    fclose(mem);
    if (s != VS_OK) {
        fprintf(stderr, "%s: vs_netlist_write: %s\n", prog, vs_last_error());
        free(text);
        return -1;
    }
    FILE *f = fopen(cir, "w");
    if (!f) {
        free(text);
        return -1;
    }
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "wrdata ", 7) == 0) fprintf(f, "wrdata %s v(m)\n", dat);
        else if (strncmp(line, ".tran ", 6) == 0 && extra) fprintf(f, "%s\n%s\n", extra, line);
        else fprintf(f, "%s\n", line);
    }
    free(text);
    return fclose(f) == 0 ? 0 : -1;
}

/*
 * Run `ngspice -b cir` (output to ngspice.log in the scratch directory), timing the
 * whole process into *wall_s; its exit status. The command is left in cmd for messages.
 */
static inline int bench_ngspice(const char *cir, char cmd[1024], double *wall_s)
{
    snprintf(cmd, 1024, "ngspice -b '%s' > '%s/ngspice.log' 2>&1", cir, bench_tmp_dir);
    double t0 = bench_now_s();
    int rc = system(cmd);
    *wall_s = bench_now_s() - t0;
    return rc;
}

/* Spikes found in a wrdata file of t, V(m): V(m) crossing 0.5 upward, re-armed below 0.1. */
typedef struct bench_vm_scan {
    long rows;               /* data rows read */
    long n;                  /* spikes in [w0, w1] */
    double first_s, last_s;  /* their first and last crossing times */
    double t_end_s, m_end;   /* the last row */
} bench_vm_scan;

static inline int bench_scan_vm(const char *path, double w0, double w1, bench_vm_scan *sc)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[256];
    double t_prev = 0, m_prev = 0;
    int armed = 1;
    *sc = (bench_vm_scan){0};
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *end;
        double t = strtod(line, &end), m = strtod(end, NULL);
        if (sc->rows > 0 && armed && m_prev < 0.5 && m >= 0.5) {
            double tc = t_prev + (t - t_prev) * (0.5 - m_prev) / (m - m_prev);
            if (tc >= w0 && tc <= w1) {
                if (sc->n++ == 0) sc->first_s = tc;
                sc->last_s = tc;
            }
            armed = 0;
        }
        if (!armed && m <= 0.1) armed = 1;
        t_prev = t, m_prev = m, sc->rows++;
    }
    fclose(f);
    sc->t_end_s = t_prev, sc->m_end = m_prev;
    return 0;
}

#endif
