/*
 * bench_osc.c -- vo2snn against ngspice on 1 ms of device-1 oscillation.
 *
 * Device 1 at 12.5 V dc (3 kOhm, 1.8 nF, 50 Ohm), 1 ms from rest, frequency
 * over [100 us, 1 ms].
 *   1. a tight vo2snn reference run (DP54, rtol 1e-10, h_max 1 ns);
 *   2. vo2snn with vs_sim_opts_default() and ngspice -b on the exported netlist
 *      (default ngspice options, max step 5 ns), alternated, 5 runs each; ngspice
 *      time is the wall time of the whole `ngspice -b` process, whose only output
 *      is a wrdata file of t and V(m) (spikes are found from it);
 *   3. vo2snn at a ladder of looser settings; the fastest one whose frequency error
 *      (against the reference) is no larger than ngspice's gives the
 *      "same accuracy" speed-up (acceptance: at least 20x).
 * `bench_osc --tau-m` instead shows that ngspice's frequency converges as the
 * memory relaxation time tau_m shrinks (tight ngspice options; slow, ~2 min).
 * No timing assertions: exit 0 unless something fails to run.
 */
#include <math.h>

#include "bench_common.h"
#include "vo2snn/neuron.h"

#define N_RUNS 5
#define T_END_S 1e-3
#define T_W0_S 100e-6

/* ---- vo2snn -------------------------------------------------------------------------- */

static vs_device_params dev;
static vs_circuit circ;
static vs_input input;

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

/* The library's netlist for this run (see bench_write_netlist). */
static int write_netlist(const char *cir, const char *dat, double t_end_s, double t_max_step_s,
                         double tau_m_s, const char *extra)
{
    vs_netlist_opts o = vs_netlist_opts_default();
    o.t_end_s = t_end_s, o.t_max_step_s = t_max_step_s, o.tau_m_s = tau_m_s;
    return bench_write_netlist("bench_osc", cir, dat, &dev, &circ, &input, o, extra);
}

/* One ngspice run on a netlist already written: the frequency over [w0, w1] and the wall
 * time of the whole process. */
static int run_ngspice(const char *cir, const char *dat, double w0, double w1, double *f_hz,
                       double *wall_s)
{
    char cmd[1024];
    double wall;
    remove(dat);
    int rc = bench_ngspice(cir, cmd, &wall);
    bench_vm_scan sc;
    if (rc != 0 || bench_scan_vm(dat, w0, w1, &sc) != 0 || sc.rows < 10 || sc.n < 2) {
        fprintf(stderr, "bench_osc: `%s` failed (status %d) or gave no frequency; see %s/ngspice.log\n",
                cmd, rc, bench_tmp_dir);
        return -1;
    }
    *f_hz = (double)(sc.n - 1) / (sc.last_s - sc.first_s);
    if (wall_s) *wall_s = wall;
    return 0;
}

/* ---- the two modes ------------------------------------------------------------------- */

typedef struct setting {
    const char *label;
    vs_ode_method method;
    double rtol, h_s; /* DP54: rtol, h_max; RK4: dt */
} setting;

static vs_sim_opts setting_opts(const setting *s)
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

static int bench_speed(void)
{
    char cir[512], dat[512];
    snprintf(cir, sizeof cir, "%s/osc.cir", bench_tmp_dir);
    snprintf(dat, sizeof dat, "%s/osc.dat", bench_tmp_dir);

    printf("device 1, 12.5 V dc, R_s 3 kOhm, C 1.8 nF, R_sense 50 Ohm; 1 ms from rest;\n"
           "f = (N-1)/(t_N - t_1) over spikes in [100 us, 1 ms]\n\n");

    /* 1. reference */
    vs_sim_opts ref = vs_sim_opts_default();
    ref.rtol = 1e-10, ref.atol_v = 1e-10, ref.atol_temp_k = 1e-8, ref.h_max_s = 1e-9;
    double f_ref, wall_ref;
    if (run_vs(&ref, T_END_S, T_W0_S, &f_ref, &wall_ref) != 0) return -1;
    printf("reference: vo2snn DP54 rtol 1e-10, h_max 1 ns: f = %.6f kHz (%.2f s)\n\n", f_ref / 1e3,
           wall_ref);

    /* 2. head to head, alternating */
    vs_netlist_opts nd = vs_netlist_opts_default();
    if (write_netlist(cir, dat, T_END_S, nd.t_max_step_s, nd.tau_m_s, NULL) != 0) return -1;
    vs_sim_opts def = vs_sim_opts_default();
    double t_vs[N_RUNS], t_sp[N_RUNS], f_vs = 0, f_sp = 0;
    for (int i = 0; i < N_RUNS; i++) {
        if (run_vs(&def, T_END_S, T_W0_S, &f_vs, &t_vs[i]) != 0) return -1;
        if (run_ngspice(cir, dat, T_W0_S, T_END_S, &f_sp, &t_sp[i]) != 0) return -1;
    }
    double m_vs = bench_median(t_vs, N_RUNS), m_sp = bench_median(t_sp, N_RUNS);
    double e_vs = (f_vs - f_ref) / f_ref, e_sp = (f_sp - f_ref) / f_ref;
    printf("head to head (%d runs each, alternated; median wall time)\n", N_RUNS);
    printf("  %-44s %12s %14s %12s\n", "contender", "wall", "f (kHz)", "f err vs ref");
    printf("  %-44s %9.3f ms %14.6f %+12.2e\n", "vo2snn, vs_sim_opts_default() (DP54)", m_vs * 1e3,
           f_vs / 1e3, e_vs);
    char lab[128];
    snprintf(lab, sizeof lab, "ngspice -b, max step %g ns, tau_m %g ns", nd.t_max_step_s * 1e9,
             nd.tau_m_s * 1e9);
    printf("  %-44s %9.3f ms %14.6f %+12.2e\n", lab, m_sp * 1e3, f_sp / 1e3, e_sp);
    printf("  speed-up (ngspice / vo2snn): %.0fx;  f(vo2snn) vs f(ngspice): %+.2e relative\n\n",
           m_sp / m_vs, (f_vs - f_sp) / f_sp);

    /* 3. vo2snn at the accuracy ngspice reaches */
    static const setting ladder[] = {
        {"DP54 rtol 1e-2, h_max 100 ns", VS_ODE_DP54, 1e-2, 100e-9},
        {"DP54 rtol 1e-3, h_max 100 ns", VS_ODE_DP54, 1e-3, 100e-9},
        {"DP54 rtol 1e-4, h_max 100 ns", VS_ODE_DP54, 1e-4, 100e-9},
        {"DP54 rtol 1e-5, h_max 100 ns", VS_ODE_DP54, 1e-5, 100e-9},
        {"DP54 rtol 1e-6, h_max 100 ns", VS_ODE_DP54, 1e-6, 100e-9},
        {"DP54 rtol 1e-3, h_max 20 ns", VS_ODE_DP54, 1e-3, 20e-9},
        {"RK4 dt 20 ns", VS_ODE_RK4, 0, 20e-9},
        {"RK4 dt 10 ns", VS_ODE_RK4, 0, 10e-9},
        {"RK4 dt 5 ns", VS_ODE_RK4, 0, 5e-9},
    };
    const int n_ladder = (int)(sizeof ladder / sizeof ladder[0]);
    int best = -1;
    double best_t = INFINITY;
    printf("vo2snn settings against ngspice's accuracy (|f err| <= %.2e qualifies)\n", fabs(e_sp));
    printf("  %-32s %12s %14s %12s %8s %10s\n", "setting", "wall", "f (kHz)", "f err vs ref",
           "ok?", "ngspice/x");
    for (int k = 0; k < n_ladder; k++) {
        vs_sim_opts o = setting_opts(&ladder[k]);
        double t[N_RUNS], f = 0;
        for (int i = 0; i < N_RUNS; i++)
            if (run_vs(&o, T_END_S, T_W0_S, &f, &t[i]) != 0) return -1;
        double m = bench_median(t, N_RUNS), e = (f - f_ref) / f_ref;
        int ok = fabs(e) <= fabs(e_sp);
        if (ok && m < best_t) best = k, best_t = m;
        printf("  %-32s %9.3f ms %14.6f %+12.2e %8s %9.0fx\n", ladder[k].label, m * 1e3, f / 1e3, e,
               ok ? "yes" : "no", m_sp / m);
    }
    if (best >= 0)
        printf("\nsame frequency accuracy: vo2snn (%s) %.3f ms vs ngspice %.3f ms: %.0fx faster "
               "(acceptance >= 20x: %s)\n",
               ladder[best].label, best_t * 1e3, m_sp * 1e3, m_sp / best_t,
               m_sp / best_t >= 20 ? "met" : "NOT met");
    else
        printf("\nno vo2snn setting in the ladder is as loose as ngspice's error; the default run "
               "(%.2e) is %.0fx faster and more accurate\n", e_vs, m_sp / m_vs);
    remove(cir), remove(dat);
    return 0;
}

/* f(ngspice) as tau_m shrinks, with tight ngspice options so truncation error does not hide it. */
static int bench_tau_m(void)
{
    char cir[512], dat[512];
    snprintf(cir, sizeof cir, "%s/tau.cir", bench_tmp_dir);
    snprintf(dat, sizeof dat, "%s/tau.dat", bench_tmp_dir);
    const double t_end = 200e-6, w0 = 60e-6;
    vs_sim_opts ref = vs_sim_opts_default();
    ref.rtol = 1e-10, ref.atol_v = 1e-10, ref.atol_temp_k = 1e-8, ref.h_max_s = 1e-9;
    double f_ref;
    if (run_vs(&ref, t_end, w0, &f_ref, NULL) != 0) return -1;
    printf("device 1, 12.5 V, f over [60, 200] us; vo2snn reference f = %.6f kHz\n", f_ref / 1e3);
    static const struct { const char *opts; double step; } sets[] = {
        {NULL, 5e-9},
        {".options reltol=1e-6 method=gear", 1e-9},
    };
    static const double taus[] = {10e-9, 1e-9, 0.1e-9, 0.01e-9};
    printf("  %-48s %8s %14s %12s %8s\n", "ngspice options", "tau_m", "f (kHz)", "vs vo2snn", "wall");
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < 4; k++) {
            double f, wall;
            if (write_netlist(cir, dat, t_end, sets[s].step, taus[k], sets[s].opts) != 0 ||
                run_ngspice(cir, dat, w0, t_end, &f, &wall) != 0)
                return -1;
            char lab[96];
            snprintf(lab, sizeof lab, "%s, max step %g ns", sets[s].opts ? sets[s].opts : "default",
                     sets[s].step * 1e9);
            printf("  %-48s %5.2f ns %14.6f %+12.2e %6.1f s\n", lab, taus[k] * 1e9, f / 1e3,
                   (f - f_ref) / f_ref, wall);
            fflush(stdout);
        }
    remove(cir), remove(dat);
    return 0;
}

int main(int argc, char **argv)
{
    int tau_mode = argc > 1 && strcmp(argv[1], "--tau-m") == 0;
    if (argc > 1 && !tau_mode) {
        fprintf(stderr, "usage: bench_osc [--tau-m]\n");
        return 2;
    }
    if (vs_device_preset(1, &dev) != VS_OK) return 1;
    circ = vs_circuit_default();
    input = vs_input_dc(12.5);
    if (bench_setup("bench_osc") != 0) return 1;
    int rc = tau_mode ? bench_tau_m() : bench_speed();
    if (rc == 0) bench_cleanup();
    return rc == 0 ? 0 : 1;
}
