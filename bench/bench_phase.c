/*
 * bench_phase.c -- a 64 x 64 phase diagram with vo2snn against ngspice.
 *
 * Device 1, C = 1.8 nF, R_sense = 50 Ohm; R_s linear 250 Ohm .. 6 kOhm (64 points),
 * V_in linear 6 .. 16 V (64 points); every point is a 100 us run from rest classified
 * by vs_classify_opts_default() (settle 0.5, at least 2 spikes), i.e. oscillating if
 * >= 2 spikes in [50, 100] us, else firing if the device ends on its conducting branch (vo2snn:
 * current beyond the hold fold's; ngspice: m(end) > 0.5, the same for device 1), else un-firing.
 *   1. vs_phase_sweep wall time with the default OpenMP thread count (2 on the
 *      2-core machine): 5 runs and their median, plus one run on 1 thread;
 *   2. ngspice -b on exported netlists (vs_netlist_write: dc input, t_end 100 us,
 *      default max step 5 ns and tau_m 1 ns; wrdata cut down to V(m)) at a sample of
 *      grid points, stratified by vo2snn's regime (see pick_sample); each process is
 *      timed whole, start-up included, one at a time, and classified by the same rule;
 *   3. the full-sweep ngspice estimate, the ratio and the acceptance targets
 *      (< 2 s, >= 50x faster than ngspice).
 * No timing assertions: exit 0 unless something fails to run.
 */
#include <math.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench_common.h"
#include "vo2snn/sweep.h"
#include "vo2snn/threads.h"

#define N_RUNS 5
#define N_GRID 64
#define N_POINTS (N_GRID * N_GRID)
#define N_SAMPLE 16
#define MIN_PER_REGIME 3
#define T_RUN_S 100e-6
#define SPICE_PROCS 2 /* assumed parallel ngspice processes on 2 cores */

static vs_device_params dev;
static vs_circuit circ;
static const vs_grid grid_r = {.lo = 250.0, .hi = 6000.0, .n = N_GRID, .log = 0};
static const vs_grid grid_v = {.lo = 6.0, .hi = 16.0, .n = N_GRID, .log = 0};

static int max_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}


static char regime_char(vs_regime r)
{
    return r == VS_OSCILLATING ? 'O' : r == VS_FIRING ? 'F' : '.';
}

/* ---- vo2snn -------------------------------------------------------------------------- */

static int run_sweep(const vs_classify_opts *o, vs_point *out, double *wall_s)
{
    double t0 = bench_now_s();
    vs_status s = vs_phase_sweep(&dev, &circ, &grid_r, &grid_v, o, NULL, NULL, out);
    double t1 = bench_now_s();
    if (s != VS_OK) {
        fprintf(stderr, "bench_phase: vs_phase_sweep: %s\n", vs_last_error());
        return -1;
    }
    *wall_s = t1 - t0;
    return 0;
}

/* The diagram at every 4th V_in row (high V at the top), all 64 R_s columns. */
static void print_map(const vs_point *pts)
{
    printf("phase diagram (every 4th V_in row; columns R_s = %.0f .. %.0f Ohm; "
           "F firing, O oscillating, . un-firing)\n", grid_r.lo, grid_r.hi);
    for (long iv = N_GRID - 1; iv >= 0; iv -= 4) {
        printf("  %6.2f V  ", vs_grid_at(&grid_v, iv));
        for (long ir = 0; ir < N_GRID; ir++) putchar(regime_char(pts[iv * N_GRID + ir].regime));
        putchar('\n');
    }
    putchar('\n');
}

/* ---- sample -------------------------------------------------------------------------- */

/*
 * Stratified sample of n points: every regime present gets min(count, MIN_PER_REGIME)
 * points, the rest are shared in proportion to the regime counts (largest remainder).
 * Within a regime its points are taken in grid order (V_in-major, then R_s) and the
 * j-th of k chosen is the one at position floor((2j + 1) * count / (2k)): evenly
 * spread, no end points, deterministic. Returns the number chosen (<= n).
 */
static int pick_sample(const vs_point *pts, int n, long *idx, int *k_out)
{
    long count[3] = {0, 0, 0};
    for (long k = 0; k < N_POINTS; k++) count[pts[k].regime]++;
    int k_r[3] = {0, 0, 0}, left = n;
    for (int r = 0; r < 3; r++) {
        k_r[r] = (int)(count[r] < MIN_PER_REGIME ? count[r] : MIN_PER_REGIME);
        left -= k_r[r];
    }
    if (left > 0) {
        double share[3];
        int give = 0;
        for (int r = 0; r < 3; r++) {
            share[r] = (double)left * (double)count[r] / (double)N_POINTS;
            int add = (int)share[r];
            if (k_r[r] + add > count[r]) add = (int)count[r] - k_r[r];
            k_r[r] += add, give += add, share[r] -= add;
        }
        while (give < left) { /* largest remainder, skipping full regimes */
            int best = -1;
            for (int r = 0; r < 3; r++)
                if (k_r[r] < count[r] && (best < 0 || share[r] > share[best])) best = r;
            if (best < 0) break;
            k_r[best]++, share[best] = -1, give++;
        }
    }
    int m = 0;
    for (int r = 0; r < 3; r++) {
        k_out[r] = k_r[r];
        long pos = 0;
        int j = 0;
        for (long k = 0; k < N_POINTS && j < k_r[r]; k++) {
            if ((int)pts[k].regime != r) continue;
            if (pos == (2L * j + 1) * count[r] / (2L * k_r[r])) idx[m++] = k, j++;
            pos++;
        }
    }
    return m;
}

/* ---- ngspice ------------------------------------------------------------------------- */

/* The library's netlist at (R_s, V_in) (see bench_write_netlist). */
static int write_netlist(const char *cir, const char *dat, double r_s, double v_in)
{
    vs_circuit c = circ;
    c.r_series_ohm = r_s;
    vs_input in = vs_input_dc(v_in);
    vs_netlist_opts o = vs_netlist_opts_default();
    o.t_end_s = T_RUN_S;
    return bench_write_netlist("bench_phase", cir, dat, &dev, &c, &in, o, NULL);
}

/*
 * One ngspice run on a netlist already written, timed whole, its wrdata file classified
 * by vo2snn's rule: oscillating if >= min_spikes fall in the settled window, else firing
 * if V(m) at the last row > 0.5, else un-firing.
 */
static int run_ngspice(const char *cir, const char *dat, const vs_classify_opts *o,
                       vs_regime *reg, long *spikes, double *wall_s)
{
    char cmd[1024];
    remove(dat);
    int rc = bench_ngspice(cir, cmd, wall_s);
    bench_vm_scan sc;
    if (rc != 0 || bench_scan_vm(dat, o->settle_frac * o->t_run_s, o->t_run_s, &sc) != 0 ||
        sc.rows < 10 || sc.t_end_s < 0.999 * o->t_run_s) {
        fprintf(stderr, "bench_phase: `%s` failed (status %d) or wrote no usable data; see %s/ngspice.log\n",
                cmd, rc, bench_tmp_dir);
        return -1;
    }
    *spikes = sc.n;
    *reg = sc.n >= o->min_spikes ? VS_OSCILLATING : (sc.m_end > 0.5 ? VS_FIRING : VS_UNFIRING);
    return 0;
}

/* Median wall time of `ngspice -b` on a trivial netlist (1 resistor, 10 ns): its start-up cost. */
static int ngspice_startup(double *wall_s)
{
    char cir[512], cmd[1024];
    snprintf(cir, sizeof cir, "%s/trivial.cir", bench_tmp_dir);
    FILE *f = fopen(cir, "w");
    if (!f) return -1;
    fprintf(f, "start-up\nR1 1 0 1k\nV1 1 0 1\n.tran 1n 10n\n.control\nrun\nquit\n.endc\n.end\n");
    if (fclose(f) != 0) return -1;
    double t[3];
    for (int i = 0; i < 3; i++) {
        int rc = bench_ngspice(cir, cmd, &t[i]);
        if (rc != 0) {
            fprintf(stderr, "bench_phase: `%s` failed (status %d)\n", cmd, rc);
            return -1;
        }
    }
    remove(cir);
    *wall_s = bench_median(t, 3);
    return 0;
}

/* ---- the benchmark ------------------------------------------------------------------- */

static int bench(void)
{
    vs_classify_opts o = vs_classify_opts_default();
    o.t_run_s = T_RUN_S;
    static vs_point pts[N_POINTS], pts1[N_POINTS];

    printf("device 1, C %.2g nF, R_sense %.0f Ohm; R_s %.0f .. %.0f Ohm x V_in %.0f .. %.0f V "
           "(%d x %d, linear);\n%.0f us from rest per point; oscillating = >= %d spikes in "
           "[%.0f, %.0f] us, else firing if the device ends conducting (vo2snn: current beyond the\n"
           "hold fold's; ngspice: m(end) > 0.5), else un-firing\n\n",
           circ.c_f * 1e9, circ.r_sense_ohm, grid_r.lo, grid_r.hi, grid_v.lo, grid_v.hi, N_GRID,
           N_GRID, T_RUN_S * 1e6, o.min_spikes, o.settle_frac * T_RUN_S * 1e6, T_RUN_S * 1e6);

    /* 1. vo2snn */
    int nth = max_threads();
    double t_vs[N_RUNS], t_one;
    printf("vo2snn vs_phase_sweep (vs_classify_opts_default, DP54), omp_get_max_threads() = %d; "
           "one untimed warm-up run first\n", nth);
    if (run_sweep(&o, pts, &t_vs[0]) != 0) return -1; /* warm-up, not counted */
    for (int i = 0; i < N_RUNS; i++) {
        if (run_sweep(&o, pts, &t_vs[i]) != 0) return -1;
        printf("  run %d (%d threads): %.3f s\n", i + 1, nth, t_vs[i]);
    }
    double m_vs = bench_median(t_vs, N_RUNS);
    vs_threads_set(1, NULL, 0);
    if (run_sweep(&o, pts1, &t_one) != 0) return -1;
    vs_threads_set(nth, NULL, 0);
    int same = 1;
    for (long k = 0; k < N_POINTS; k++)
        if (pts1[k].regime != pts[k].regime || pts1[k].spikes != pts[k].spikes) same = 0;
    printf("  median (%d threads): %.3f s = %.1f us/point;  1 thread: %.3f s;  parallel speed-up "
           "%.2fx;  1-thread result %s\n",
           nth, m_vs, m_vs / N_POINTS * 1e6, t_one, t_one / m_vs,
           same ? "identical" : "DIFFERS (bug)");
    long count[3] = {0, 0, 0};
    for (long k = 0; k < N_POINTS; k++) count[pts[k].regime]++;
    printf("  regimes: un-firing %ld, oscillating %ld, firing %ld (of %d)\n\n", count[VS_UNFIRING],
           count[VS_OSCILLATING], count[VS_FIRING], N_POINTS);
    print_map(pts);

    /* 2. ngspice on a stratified sample */
    long idx[N_SAMPLE];
    int k_r[3];
    int n_s = pick_sample(pts, N_SAMPLE, idx, k_r);
    vs_netlist_opts nd = vs_netlist_opts_default();
    printf("ngspice -b on %d sampled points (stratified by vo2snn regime: un-firing %d, "
           "oscillating %d, firing %d;\n  at least %d per regime, the rest in proportion to the "
           "counts; evenly spaced within each regime in grid order);\n  netlist from "
           "vs_netlist_write: dc, t_end %.0f us, max step %g ns, tau_m %g ns; wall time per "
           "process incl. start-up, run one at a time\n",
           n_s, k_r[VS_UNFIRING], k_r[VS_OSCILLATING], k_r[VS_FIRING], MIN_PER_REGIME,
           T_RUN_S * 1e6, nd.t_max_step_s * 1e9, nd.tau_m_s * 1e9);
    printf("  %4s %9s %8s  %-12s %6s  %-12s %6s %9s  %s\n", "#", "R_s(Ohm)", "V_in(V)",
           "vo2snn", "spikes", "ngspice", "spikes", "wall", "agree");
    char cir[512], dat[512];
    snprintf(cir, sizeof cir, "%s/phase.cir", bench_tmp_dir);
    snprintf(dat, sizeof dat, "%s/phase.dat", bench_tmp_dir);
    double sum_t = 0, sum_t_r[3] = {0, 0, 0};
    int agree = 0;
    for (int j = 0; j < n_s; j++) {
        long k = idx[j];
        double r_s = vs_grid_at(&grid_r, k % N_GRID), v_in = vs_grid_at(&grid_v, k / N_GRID);
        vs_regime reg;
        long spikes;
        double wall;
        if (write_netlist(cir, dat, r_s, v_in) != 0 ||
            run_ngspice(cir, dat, &o, &reg, &spikes, &wall) != 0)
            return -1;
        int ok = reg == pts[k].regime;
        agree += ok;
        sum_t += wall, sum_t_r[pts[k].regime] += wall;
        printf("  %4d %9.1f %8.3f  %-12s %6ld  %-12s %6ld %7.3f s  %s\n", j + 1, r_s, v_in,
               vs_regime_name(pts[k].regime), pts[k].spikes, vs_regime_name(reg), spikes, wall,
               ok ? "yes" : "NO");
        fflush(stdout);
    }
    remove(cir), remove(dat);

    /* 3. estimate: stratified mean (each regime's mean time weighted by its grid count) */
    double mean_plain = sum_t / n_s, mean_strat = 0;
    for (int r = 0; r < 3; r++)
        if (k_r[r] > 0) mean_strat += (double)count[r] / N_POINTS * (sum_t_r[r] / k_r[r]);
    double est1 = mean_strat * N_POINTS, est2 = est1 / SPICE_PROCS;
    double ratio = est2 / m_vs;
    double t_start;
    if (ngspice_startup(&t_start) != 0) return -1;
    printf("  classes agree: %d / %d;  ngspice start-up alone (trivial netlist, median of 3): "
           "%.3f s per process\n\n", agree, n_s, t_start);
    printf("ngspice full-sweep estimate (%d points): mean time per point %.3f s (regime means "
           "weighted by the vo2snn regime counts;\n  plain sample mean %.3f s) x %d = %.0f s as 1 "
           "process; / %d = %.0f s assuming %d ngspice processes run in parallel\n  on the %d "
           "cores with perfect scaling (favourable to ngspice)\n",
           N_POINTS, mean_strat, mean_plain, N_POINTS, est1, SPICE_PROCS, est2, SPICE_PROCS,
           SPICE_PROCS);
    printf("  ratio (ngspice est. / vo2snn median): %.0fx with %d processes vs %d threads;  "
           "1 process vs 1 thread: %.0fx\n\n",
           ratio, SPICE_PROCS, nth, est1 / t_one);
    printf("phase 64x64 @100us: vo2snn median %.3f s (%d threads); ngspice est. %.0f s (%d "
           "processes, from %d sampled points); ratio %.0f x; targets: <2 s %s, >=50x %s\n",
           m_vs, nth, est2, SPICE_PROCS, n_s, ratio, m_vs < 2.0 ? "met" : "not met",
           ratio >= 50 ? "met" : "not met");
    return 0;
}

int main(void)
{
    if (vs_device_preset(1, &dev) != VS_OK) return 1;
    circ = vs_circuit_default();
    circ.c_f = 1.8e-9, circ.r_sense_ohm = 50.0;
    if (bench_setup("bench_phase") != 0) return 1;
    int rc = bench();
    if (rc == 0) bench_cleanup();
    return rc == 0 ? 0 : 1;
}
