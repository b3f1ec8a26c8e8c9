/*
 * bench_phase.c -- the 64 x 64 phase diagram, computed in full by vo2snn and by ngspice
 * (issue 15: no sampling, no extrapolation).
 *
 * Device 1, C = 1.8 nF, R_sense = 50 Ohm; R_s linear 250 Ohm .. 6 kOhm, V_in linear
 * 6 .. 16 V (--grid N points each, default 64); every point is a 100 us run from rest,
 * oscillating if >= 2 spikes fall in [50, 100] us, else firing if the device ends on its
 * conducting branch (vo2snn: current beyond the hold fold's; ngspice: V(m) at the end
 * > 0.5, the same for device 1), else un-firing (vs_classify_opts_default, t_run 100 us).
 *   1. vo2snn: vs_phase_sweep with the default settings, one untimed warm-up, then the
 *      median of 5 runs with the default OpenMP thread count and one run on 1 thread;
 *   2. a tight vo2snn reference diagram (DP54 rtol 1e-9, h_max 10 ns), untimed, against
 *      which both tools' diagrams are scored (points classified differently);
 *   3. ngspice: ONE process whose .control block loops over every grid point
 *      (`alter` R_s and V_in, `tran` from the initial conditions, `save v(m)` only, spikes
 *      and V(m)(end) found inside ngspice, one short line printed per point); its wall
 *      time less the wall time of the same deck with the transient and the spike search
 *      left out of the loop (start-up, parsing, the loop and the printing; median of 3).
 *      The ngspice setting is --spice METHOD,RELTOL,TMAX,TAU_M (default
 *      trap,1e-3,10e-9,1e-9: chosen with bench_osc as the setting whose frequency error
 *      is near vo2snn's default's; see bench/README.md);
 *   4. the ratio ngspice / vo2snn, 1 process against 1 thread (both single-core) and
 *      against the default thread count, measured in this run.
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
#define T_RUN_S 100e-6

static vs_device_params dev;
static vs_circuit circ;
static vs_grid grid_r = {.lo = 250.0, .hi = 6000.0, .n = 64, .log = 0};
static vs_grid grid_v = {.lo = 6.0, .hi = 16.0, .n = 64, .log = 0};
static long n_points;

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

/* The diagram (every row up to 16 rows, else every 4th; high V at the top). */
static void print_map(const char *title, const vs_regime *reg)
{
    long nv = grid_v.n, nr = grid_r.n, stride = nv > 16 ? 4 : 1;
    printf("%s (columns R_s = %.0f .. %.0f Ohm; F firing, O oscillating, . un-firing)\n", title,
           grid_r.lo, grid_r.hi);
    for (long iv = nv - 1; iv >= 0; iv -= stride) {
        printf("  %6.2f V  ", vs_grid_at(&grid_v, iv));
        for (long ir = 0; ir < nr; ir++) putchar(regime_char(reg[iv * nr + ir]));
        putchar('\n');
    }
    putchar('\n');
}

static long differ(const vs_regime *a, const vs_regime *b)
{
    long d = 0;
    for (long k = 0; k < n_points; k++) d += a[k] != b[k];
    return d;
}

/* ---- ngspice ------------------------------------------------------------------------- */

/* The deck: the circuit, then a .control loop over the grid; `full` = 0 leaves out the
   transient and the spike search (the empty loop timed for the start-up). */
static char *phase_deck(const bench_spice_cfg *cfg, const vs_classify_opts *o, int full)
{
    vs_input in = vs_input_dc(grid_v.lo);
    vs_circuit c = circ;
    c.r_series_ohm = grid_r.lo;
    char *base = bench_deck_base("bench_phase", &dev, &c, &in, cfg, T_RUN_S);
    if (!base) return NULL;
    char *text = NULL, tran[160];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        free(base);
        return NULL;
    }
    bench_tran_cmd(cfg, T_RUN_S, tran, sizeof tran);
    fprintf(f, "%s.control\nsave v(m)\ncompose rl values", base);
    for (long i = 0; i < grid_r.n; i++) fprintf(f, " %.17g", vs_grid_at(&grid_r, i));
    fprintf(f, "\ncompose vl values");
    for (long i = 0; i < grid_v.n; i++) fprintf(f, " %.17g", vs_grid_at(&grid_v, i));
    fprintf(f, "\nlet iv = 0\nwhile iv < %ld\n  let ir = 0\n  while ir < %ld\n"
               "  alter r.x1.rs = rl[ir]\n  alter vin = vl[iv]\n", grid_v.n, grid_r.n);
    if (full) {
        fprintf(f, "  %s\n", tran);
        bench_nutmeg_spikes(f, o->settle_frac * o->t_run_s);
        fprintf(f, "  echo PT $&iv $&ir $&cnt $&mend\n  destroy all\n");
    } else {
        fprintf(f, "  echo PT $&iv $&ir 0 0\n");
    }
    fprintf(f, "  let ir = ir + 1\n  end\n  let iv = iv + 1\nend\nquit\n.endc\n.end\n");
    fclose(f);
    free(base);
    return text;
}

/* Run one deck; with reg != NULL parse the classification of every point into it. */
static int spice_phase_run(const char *text, const vs_classify_opts *o, vs_regime *reg,
                           long *spikes, double *wall_s)
{
    char deck[512], log[512], cmd[2048];
    snprintf(deck, sizeof deck, "%s/phase.cir", bench_tmp_dir);
    snprintf(log, sizeof log, "%s/ngspice.log", bench_tmp_dir);
    if (bench_write_text(deck, text) != 0) return -1;
    int rc = bench_spice_run(deck, log, cmd, wall_s);
    long got = 0;
    FILE *lf = fopen(log, "r");
    if (lf) {
        char line[512];
        while (fgets(line, sizeof line, lf)) {
            long iv, ir;
            double cnt, mend;
            if (sscanf(line, "PT %ld %ld %lf %lf", &iv, &ir, &cnt, &mend) != 4) continue;
            if (iv < 0 || iv >= grid_v.n || ir < 0 || ir >= grid_r.n) continue;
            long k = iv * grid_r.n + ir, n = lround(cnt);
            if (reg) {
                reg[k] = n >= o->min_spikes ? VS_OSCILLATING : mend > 0.5 ? VS_FIRING : VS_UNFIRING;
                spikes[k] = n;
            }
            got++;
        }
        fclose(lf);
    }
    if (rc != 0 || got != n_points) {
        fprintf(stderr, "bench_phase: `%s` failed (status %d) or classified %ld of %ld points\n",
                cmd, rc, got, n_points);
        bench_show_log(log);
        return -1;
    }
    remove(deck), remove(log);
    return 0;
}

/* ---- the benchmark ------------------------------------------------------------------- */

static int bench(const bench_spice_cfg *cfg)
{
    vs_classify_opts o = vs_classify_opts_default();
    o.t_run_s = T_RUN_S;
    vs_point *pts = calloc((size_t)n_points, sizeof *pts), *pts1 = calloc((size_t)n_points, sizeof *pts);
    vs_regime *r_vs = calloc((size_t)n_points, sizeof *r_vs), *r_ref = calloc((size_t)n_points, sizeof *r_ref),
              *r_sp = calloc((size_t)n_points, sizeof *r_sp);
    long *sp_spikes = calloc((size_t)n_points, sizeof *sp_spikes);
    int rc = -1;
    if (!pts || !pts1 || !r_vs || !r_ref || !r_sp || !sp_spikes) goto done;

    printf("device 1, C %.2g nF, R_sense %.0f Ohm; R_s %.0f .. %.0f Ohm x V_in %.0f .. %.0f V "
           "(%ld x %ld, linear);\n%.0f us from rest per point; oscillating = >= %d spikes in "
           "[%.0f, %.0f] us, else firing if the device ends conducting, else un-firing\n\n",
           circ.c_f * 1e9, circ.r_sense_ohm, grid_r.lo, grid_r.hi, grid_v.lo, grid_v.hi,
           grid_r.n, grid_v.n, T_RUN_S * 1e6, o.min_spikes, o.settle_frac * T_RUN_S * 1e6,
           T_RUN_S * 1e6);

    /* 1. vo2snn, timed */
    int nth = max_threads();
    double t_vs[N_RUNS], t_one;
    printf("vo2snn vs_phase_sweep (DP54 rtol 1e-6, h_max 100 ns: the defaults), "
           "omp_get_max_threads() = %d; one untimed warm-up run first\n", nth);
    if (run_sweep(&o, pts, &t_vs[0]) != 0) goto done;
    for (int i = 0; i < N_RUNS; i++) {
        if (run_sweep(&o, pts, &t_vs[i]) != 0) goto done;
        printf("  run %d (%d threads): %.3f s\n", i + 1, nth, t_vs[i]);
    }
    double m_vs = bench_median(t_vs, N_RUNS);
    vs_threads_set(1, NULL, 0);
    if (run_sweep(&o, pts1, &t_one) != 0) goto done;
    vs_threads_set(nth, NULL, 0);
    int same = 1;
    for (long k = 0; k < n_points; k++) {
        r_vs[k] = pts[k].regime;
        if (pts1[k].regime != pts[k].regime || pts1[k].spikes != pts[k].spikes) same = 0;
    }
    printf("  median (%d threads): %.3f s = %.1f us/point;  1 thread: %.3f s;  1-thread result %s\n\n",
           nth, m_vs, m_vs / (double)n_points * 1e6, t_one, same ? "identical" : "DIFFERS (bug)");

    /* 2. tight reference, untimed */
    vs_classify_opts oref = o;
    oref.sim.rtol = 1e-9, oref.sim.atol_v = 1e-9, oref.sim.atol_temp_k = 1e-7, oref.sim.h_max_s = 10e-9;
    double t_ref;
    if (run_sweep(&oref, pts1, &t_ref) != 0) goto done;
    long count[3] = {0, 0, 0};
    for (long k = 0; k < n_points; k++) r_ref[k] = pts1[k].regime, count[r_ref[k]]++;
    printf("reference: vo2snn DP54 rtol 1e-9, h_max 10 ns (%.1f s, untimed): un-firing %ld, "
           "oscillating %ld, firing %ld\n\n", t_ref, count[VS_UNFIRING], count[VS_OSCILLATING],
           count[VS_FIRING]);
    print_map("reference phase diagram", r_ref);

    /* 3. ngspice, one process over the whole grid */
    char lab[128];
    bench_spice_label(cfg, lab, sizeof lab);
    printf("ngspice: one process, .control loop over all %ld points (alter R_s, V_in; tran; "
           "save v(m) only);\n  setting: %s\n", n_points, lab);
    fflush(stdout);
    char *full = phase_deck(cfg, &o, 1), *empty = phase_deck(cfg, &o, 0);
    if (!full || !empty) {
        free(full), free(empty);
        goto done;
    }
    double te[3], t_full;
    int bad = 0;
    for (int i = 0; i < 3 && !bad; i++) bad = spice_phase_run(empty, &o, NULL, NULL, &te[i]) != 0;
    if (!bad) bad = spice_phase_run(full, &o, r_sp, sp_spikes, &t_full) != 0;
    free(full), free(empty);
    if (bad) goto done;
    double t_empty = bench_median(te, 3), t_sp = t_full - t_empty;
    printf("  process wall %.3f s, empty loop (start-up, parse, alter, echo; median of 3) "
           "%.3f s: ngspice %.3f s = %.1f ms/point\n\n", t_full, t_empty, t_sp,
           t_sp / (double)n_points * 1e3);
    print_map("ngspice phase diagram", r_sp);

    /* 4. accuracy and ratio */
    long d_vs = differ(r_vs, r_ref), d_sp = differ(r_sp, r_ref), d_x = differ(r_vs, r_sp);
    printf("points classified differently: vo2snn default vs reference %ld, ngspice vs "
           "reference %ld, vo2snn vs ngspice %ld (of %ld)\n", d_vs, d_sp, d_x, n_points);
    printf("phase %ldx%ld @100us: vo2snn %.3f s (1 thread), %.3f s (%d threads); ngspice %.3f s "
           "(1 process, start-up subtracted);\n  ratio ngspice/vo2snn: %.0fx (1 process vs 1 "
           "thread), %.0fx (vs %d threads)\n", grid_r.n, grid_v.n, t_one, m_vs, nth, t_sp, t_sp / t_one,
           t_sp / m_vs, nth);
    rc = 0;
done:
    free(pts), free(pts1), free(r_vs), free(r_ref), free(r_sp), free(sp_spikes);
    return rc;
}

int main(int argc, char **argv)
{
    bench_spice_cfg cfg = {"trap", 1e-3, 10e-9, 1e-9};
    static char method[16];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--grid") == 0 && i + 1 < argc && atol(argv[i + 1]) >= 2 &&
            atol(argv[i + 1]) <= 256) {
            grid_r.n = grid_v.n = atol(argv[++i]);
        } else if (strcmp(argv[i], "--spice") == 0 && i + 1 < argc &&
                   sscanf(argv[i + 1], "%15[a-z],%lf,%lf,%lf", method, &cfg.reltol, &cfg.tmax_s,
                          &cfg.tau_m_s) == 4 &&
                   (strcmp(method, "trap") == 0 || strcmp(method, "gear") == 0) && cfg.reltol > 0 &&
                   cfg.tmax_s >= 0 && cfg.tau_m_s > 0) {
            cfg.method = method;
            i++;
        } else {
            fprintf(stderr, "usage: bench_phase [--grid N] [--spice METHOD,RELTOL,TMAX_S,TAU_M_S]\n"
                            "  (default --grid 64 --spice trap,1e-3,10e-9,1e-9; TMAX_S 0: none)\n");
            return 2;
        }
    }
    n_points = grid_r.n * grid_v.n;
    if (vs_device_preset(1, &dev) != VS_OK) return 1;
    circ = vs_circuit_default();
    circ.c_f = 1.8e-9, circ.r_sense_ohm = 50.0;
    if (bench_setup("bench_phase") != 0) return 1;
    int rc = bench(&cfg);
    if (rc == 0) bench_cleanup();
    return rc == 0 ? 0 : 1;
}
