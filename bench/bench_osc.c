/*
 * bench_osc.c -- error against wall time for vo2snn and ngspice on 1 ms of device-1
 * oscillation (issue 15: the comparison a hostile reviewer accepts).
 *
 * Device 1 at 12.5 V dc (3 kOhm, 1.8 nF, 50 Ohm), 1 ms from rest; the figure of merit is
 * the frequency f = (N-1)/(t_N - t_1) over the spikes in [100 us, 1 ms] and its relative
 * error against one tight reference (vo2snn DP54, rtol 1e-10, h_max 1 ns; the tightest
 * ngspice setting in the ladder lands on it too, which checks the reference).
 *   vo2snn: vs_neuron_simulate, no waveform output (spikes and f computed in the run), a
 *     ladder of DP54 tolerances and RK4 steps, median of 5 runs each;
 *   ngspice: for each configuration of a ladder (method, reltol, tmax, tau_m) one
 *     `ngspice -b` process whose .control block runs `tran` REPS times, saves V(m) alone
 *     and finds the spikes and f inside ngspice (nutmeg vector arithmetic), printing one
 *     line per run; its time per run is (process wall time - wall time of the same deck
 *     with an empty loop, median of 3) / REPS;
 *   then, for each target error, the fastest setting of each tool that reaches it and the
 *   ratio of the two times, measured in this run.
 * `bench_osc --tau-m` shows ngspice's frequency as the memory relaxation time tau_m
 * shrinks, at fixed tolerances (a few minutes).
 * Options: --reps N (ngspice runs per process, default 1), --csv FILE (every point:
 * tool,setting,wall_s,f_hz,rel_err). No timing assertions: exit 0 unless something fails.
 */
#include <math.h>

#include "bench_common.h"
#include "vo2snn/neuron.h"

#define N_RUNS 5
#define T_END_S 1e-3
#define T_W0_S 100e-6

static vs_device_params dev;
static vs_circuit circ;
static vs_input input;
static int spice_reps = 1;
static FILE *csv;

/* ---- vo2snn -------------------------------------------------------------------------- */

/* One vo2snn run: frequency over the window; wall time in *wall_s. */
static int run_vs(const vs_sim_opts *base, double t_end_s, double w0_s, double *f_hz,
                  double *wall_s)
{
    vs_sim_opts o = *base;
    o.t_end_s = t_end_s, o.t_window0_s = w0_s, o.t_window1_s = t_end_s, o.dt_out_s = 0;
    vs_neuron_result r;
    double t0 = bench_now_s();
    vs_status s = vs_neuron_simulate(&dev, &circ, &input, &o, NULL, NULL, &r);
    double t1 = bench_now_s();
    if (s != VS_OK) {
        fprintf(stderr, "bench_osc: vs_neuron_simulate: %s\n", vs_last_error());
        return -1;
    }
    *f_hz = r.freq_hz;
    if (wall_s) *wall_s = t1 - t0;
    vs_neuron_result_free(&r);
    return 0;
}

/* ---- ngspice ------------------------------------------------------------------------- */

/*
 * One process for cfg: `tran` to t_end reps times, f over [w0, t_end] printed after each;
 * *f_hz the last (all must agree), *t_run_s the time per run with the start-up (the same
 * deck with an empty loop, median of 3 processes) subtracted, *t_empty_s that start-up.
 */
static int spice_osc(const bench_spice_cfg *cfg, double t_end_s, double w0_s, int reps,
                     double *f_hz, double *t_run_s, double *t_empty_s)
{
    char deck[512], empty[512], log[512], cmd[2048], tran[160];
    snprintf(deck, sizeof deck, "%s/osc.cir", bench_tmp_dir);
    snprintf(empty, sizeof empty, "%s/osc_empty.cir", bench_tmp_dir);
    snprintf(log, sizeof log, "%s/ngspice.log", bench_tmp_dir);
    char *base = bench_deck_base("bench_osc", &dev, &circ, &input, cfg, t_end_s);
    if (!base) return -1;
    bench_tran_cmd(cfg, t_end_s, tran, sizeof tran);
    char *text = NULL, *etext = NULL;
    size_t len = 0, elen = 0;
    FILE *f = open_memstream(&text, &len), *e = open_memstream(&etext, &elen);
    if (!f || !e) return -1;
    fprintf(f, "%s.control\nset numdgt=12\nsave v(m)\nlet k = 0\nwhile k < %d\n  %s\n", base,
            reps, tran);
    bench_nutmeg_spikes(f, w0_s);
    fprintf(f, "  let f = (cnt - 1)/(tl - t1)\n  print f\n  destroy all\n  let k = k + 1\nend\n"
               "quit\n.endc\n.end\n");
    fprintf(e, "%s.control\nset numdgt=12\nsave v(m)\nlet k = 0\nwhile k < %d\n"
               "  let k = k + 1\nend\nquit\n.endc\n.end\n", base, reps);
    fclose(f), fclose(e), free(base);
    int bad = bench_write_text(deck, text) || bench_write_text(empty, etext);
    free(text), free(etext);
    if (bad) return -1;

    double te[3];
    for (int i = 0; i < 3; i++)
        if (bench_spice_run(empty, log, cmd, &te[i]) != 0) {
            fprintf(stderr, "bench_osc: `%s` failed\n", cmd);
            bench_show_log(log);
            return -1;
        }
    double wall;
    int rc = bench_spice_run(deck, log, cmd, &wall);
    FILE *lf = fopen(log, "r");
    int got = 0;
    double f_last = NAN, f_first = NAN;
    if (lf) {
        char line[512];
        while (fgets(line, sizeof line, lf)) {
            double v;
            if (sscanf(line, "f = %lf", &v) == 1) {
                if (got++ == 0) f_first = v;
                f_last = v;
            }
        }
        fclose(lf);
    }
    if (rc != 0 || got != reps || !isfinite(f_last) || f_last <= 0 || f_first != f_last) {
        fprintf(stderr, "bench_osc: `%s` failed (status %d) or printed %d of %d frequencies\n",
                cmd, rc, got, reps);
        bench_show_log(log);
        return -1;
    }
    *t_empty_s = bench_median(te, 3);
    *t_run_s = (wall - *t_empty_s) / reps;
    *f_hz = f_last;
    remove(deck), remove(empty), remove(log);
    return 0;
}

/* ---- the error-time curves ----------------------------------------------------------- */

typedef struct vs_setting {
    const char *label;
    vs_ode_method method;
    double rtol, h_s; /* DP54: rtol, h_max; RK4: dt */
} vs_setting;

static vs_sim_opts setting_opts(const vs_setting *s)
{
    vs_sim_opts o = vs_sim_opts_default();
    o.method = s->method;
    if (s->method == VS_ODE_RK4) {
        o.dt_s = s->h_s;
    } else {
        o.rtol = s->rtol, o.h_max_s = s->h_s;
        o.atol_v = s->rtol * 1.0, o.atol_temp_k = s->rtol * 100.0; /* default ratios */
    }
    return o;
}

typedef struct point {
    char label[96];
    double t_s, err;
} point;

/* The fastest point with |err| <= target; -1 if none. */
static int fastest(const point *p, int n, double target)
{
    int best = -1;
    for (int i = 0; i < n; i++)
        if (fabs(p[i].err) <= target && (best < 0 || p[i].t_s < p[best].t_s)) best = i;
    return best;
}

static int bench_curves(void)
{
    printf("device 1, 12.5 V dc, R_s 3 kOhm, C 1.8 nF, R_sense 50 Ohm; 1 ms from rest;\n"
           "f = (N-1)/(t_N - t_1) over the spikes (V(m) or m rising through 0.5) in "
           "[100 us, 1 ms]\n\n");
    vs_sim_opts ref = vs_sim_opts_default();
    ref.rtol = 1e-10, ref.atol_v = 1e-10, ref.atol_temp_k = 1e-8, ref.h_max_s = 1e-9;
    double f_ref, wall_ref;
    if (run_vs(&ref, T_END_S, T_W0_S, &f_ref, &wall_ref) != 0) return -1;
    printf("reference: vo2snn DP54 rtol 1e-10, h_max 1 ns: f = %.6f kHz (%.2f s)\n\n", f_ref / 1e3,
           wall_ref);

    static const vs_setting vl[] = {
        {"DP54 rtol 1e-2", VS_ODE_DP54, 1e-2, 100e-9}, {"DP54 rtol 1e-3", VS_ODE_DP54, 1e-3, 100e-9},
        {"DP54 rtol 1e-4", VS_ODE_DP54, 1e-4, 100e-9}, {"DP54 rtol 1e-5", VS_ODE_DP54, 1e-5, 100e-9},
        {"DP54 rtol 1e-6 (default)", VS_ODE_DP54, 1e-6, 100e-9},
        {"DP54 rtol 1e-7", VS_ODE_DP54, 1e-7, 100e-9}, {"DP54 rtol 1e-8", VS_ODE_DP54, 1e-8, 100e-9},
        {"RK4 dt 20 ns", VS_ODE_RK4, 0, 20e-9}, {"RK4 dt 10 ns", VS_ODE_RK4, 0, 10e-9},
        {"RK4 dt 5 ns", VS_ODE_RK4, 0, 5e-9}, {"RK4 dt 2 ns", VS_ODE_RK4, 0, 2e-9},
    };
    static const bench_spice_cfg sl[] = {
        {"trap", 1e-3, 0, 1e-9},      {"trap", 1e-5, 0, 1e-9},      {"trap", 1e-3, 50e-9, 1e-9},
        {"trap", 1e-3, 20e-9, 1e-9},  {"trap", 1e-3, 10e-9, 1e-9},  {"trap", 1e-4, 10e-9, 1e-9},
        {"trap", 1e-3, 5e-9, 1e-9},   {"trap", 1e-4, 5e-9, 1e-9},   {"gear", 1e-3, 10e-9, 1e-9},
        {"gear", 1e-3, 5e-9, 1e-9},   {"trap", 1e-3, 2e-9, 0.1e-9},
    };
    enum { NV = sizeof vl / sizeof vl[0], NS = sizeof sl / sizeof sl[0] };
    point pv[NV], ps[NS];

    printf("vo2snn (median of %d runs; DP54 atol = rtol x (1 V, 100 K), h_max 100 ns)\n", N_RUNS);
    printf("  %-40s %12s %16s %12s\n", "setting", "wall", "f (kHz)", "f err");
    for (int k = 0; k < NV; k++) {
        vs_sim_opts o = setting_opts(&vl[k]);
        double t[N_RUNS], f = 0;
        for (int i = 0; i < N_RUNS; i++)
            if (run_vs(&o, T_END_S, T_W0_S, &f, &t[i]) != 0) return -1;
        snprintf(pv[k].label, sizeof pv[k].label, "%s", vl[k].label);
        pv[k].t_s = bench_median(t, N_RUNS), pv[k].err = (f - f_ref) / f_ref;
        printf("  %-40s %9.3f ms %16.6f %+12.2e\n", pv[k].label, pv[k].t_s * 1e3, f / 1e3, pv[k].err);
        if (csv) fprintf(csv, "vo2snn,%s,%.6e,%.10g,%.4e\n", pv[k].label, pv[k].t_s, f, pv[k].err);
        fflush(stdout);
    }
    printf("\nngspice (one process per setting, %d tran run(s) in its .control loop, save v(m) "
           "only;\n  time per run = process wall - empty-loop process wall (median of 3))\n",
           spice_reps);
    printf("  %-40s %12s %16s %12s %10s\n", "setting", "wall", "f (kHz)", "f err", "start-up");
    for (int k = 0; k < NS; k++) {
        double f, t, t0;
        if (spice_osc(&sl[k], T_END_S, T_W0_S, spice_reps, &f, &t, &t0) != 0) return -1;
        bench_spice_label(&sl[k], ps[k].label, sizeof ps[k].label);
        ps[k].t_s = t, ps[k].err = (f - f_ref) / f_ref;
        printf("  %-40s %9.3f ms %16.6f %+12.2e %7.1f ms\n", ps[k].label, t * 1e3, f / 1e3,
               ps[k].err, t0 * 1e3);
        if (csv) fprintf(csv, "ngspice,%s,%.6e,%.10g,%.4e\n", ps[k].label, t, f, ps[k].err);
        fflush(stdout);
    }

    static const double targets[] = {1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5};
    printf("\nsame accuracy: the fastest setting of each tool with |f err| <= target "
           "(ratio = ngspice / vo2snn, this run)\n");
    printf("  %8s  %-28s %11s  %-40s %11s %9s\n", "target", "vo2snn", "wall", "ngspice", "wall",
           "ratio");
    for (size_t j = 0; j < sizeof targets / sizeof targets[0]; j++) {
        int a = fastest(pv, NV, targets[j]), b = fastest(ps, NS, targets[j]);
        printf("  %8.0e  %-28s %8.3f ms  %-40s %8.3f ms ", targets[j], a >= 0 ? pv[a].label : "-",
               a >= 0 ? pv[a].t_s * 1e3 : (double)NAN, b >= 0 ? ps[b].label : "(none reaches it)",
               b >= 0 ? ps[b].t_s * 1e3 : (double)NAN);
        if (a >= 0 && b >= 0) printf("%8.0fx\n", ps[b].t_s / pv[a].t_s);
        else printf("%9s\n", "-");
    }
    return 0;
}

/* f(ngspice) as tau_m shrinks, at fixed tolerances, against the vo2snn reference. */
static int bench_tau_m(void)
{
    const double t_end = 200e-6, w0 = 60e-6;
    vs_sim_opts ref = vs_sim_opts_default();
    ref.rtol = 1e-10, ref.atol_v = 1e-10, ref.atol_temp_k = 1e-8, ref.h_max_s = 1e-9;
    double f_ref;
    if (run_vs(&ref, t_end, w0, &f_ref, NULL) != 0) return -1;
    printf("device 1, 12.5 V, f over [60, 200] us; vo2snn reference f = %.6f kHz\n", f_ref / 1e3);
    static const bench_spice_cfg sets[] = {
        {"trap", 1e-3, 50e-9, 0}, {"trap", 1e-3, 5e-9, 0}, {"gear", 1e-3, 5e-9, 0},
        {"gear", 1e-6, 1e-9, 0},
    };
    static const double taus[] = {10e-9, 1e-9, 0.1e-9, 0.01e-9};
    printf("  %-48s %14s %12s %10s\n", "ngspice setting", "f (kHz)", "vs vo2snn", "wall/run");
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++)
        for (size_t k = 0; k < sizeof taus / sizeof taus[0]; k++) {
            bench_spice_cfg c = sets[s];
            c.tau_m_s = taus[k];
            double f, t, t0;
            char lab[96];
            if (spice_osc(&c, t_end, w0, 1, &f, &t, &t0) != 0) return -1;
            bench_spice_label(&c, lab, sizeof lab);
            printf("  %-48s %14.6f %+12.2e %8.2f s\n", lab, f / 1e3, (f - f_ref) / f_ref, t);
            fflush(stdout);
        }
    return 0;
}

int main(int argc, char **argv)
{
    int tau_mode = 0;
    const char *csv_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--tau-m") == 0) tau_mode = 1;
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc && atoi(argv[i + 1]) > 0)
            spice_reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc) csv_path = argv[++i];
        else {
            fprintf(stderr, "usage: bench_osc [--tau-m] [--reps N] [--csv FILE]\n");
            return 2;
        }
    }
    if (vs_device_preset(1, &dev) != VS_OK) return 1;
    circ = vs_circuit_default();
    input = vs_input_dc(12.5);
    if (csv_path && !(csv = fopen(csv_path, "w"))) {
        fprintf(stderr, "bench_osc: cannot write %s\n", csv_path);
        return 1;
    }
    if (csv) fprintf(csv, "tool,setting,wall_s,f_hz,rel_err\n");
    if (bench_setup("bench_osc") != 0) return 1;
    int rc = tau_mode ? bench_tau_m() : bench_curves();
    if (csv && fclose(csv) != 0) rc = -1;
    if (rc == 0) bench_cleanup();
    return rc == 0 ? 0 : 1;
}
