/* test_device_batch.c -- computations over a list of devices (vs_triple_points,
   vs_iv_sweep_devices, vs_vf_curves) against their single-device counterparts, device by device, and
   independent of the thread count. */
#include <math.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "check.h"
#include "vo2snn/iv.h"
#include "vo2snn/sweep.h"
#include "vo2snn/threads.h"

#define N_DEV 3


static int saved_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* Devices 1, 3, 5 of vo2x with cycle-to-cycle jitter. */
static void devices(vs_device_params *d)
{
    for (int i = 0; i < N_DEV; i++) {
        vs_device_preset(2 * i + 1, &d[i]);
        vs_device_set_value(&d[i], "sigma_lnr", 0.04);
        vs_device_set_value(&d[i], "sigma_tc", 0.5);
    }
}

typedef struct counter {
    long calls, last, total;
    int monotonic;
} counter;

static int count_progress(long done, long total, void *user)
{
    counter *c = user;
    c->monotonic &= done == c->last + 1;
    c->calls++, c->last = done, c->total = total;
    return 0;
}

static int cancel_at_once(long done, long total, void *user)
{
    (void)done, (void)total, (void)user;
    return 1;
}

static void test_triple_points_match_single(void)
{
    vs_device_params d[N_DEV];
    devices(d);
    vs_circuit c = vs_circuit_default();
    vs_classify_opts o = vs_classify_opts_default();
    o.t_run_s = 60e-6;
    vs_triple tp1[N_DEV], ch1[N_DEV], tp2[N_DEV], ch2[N_DEV];
    vs_status st[N_DEV];
    memset(tp1, 0, sizeof tp1), memset(tp2, 0, sizeof tp2);
    memset(ch1, 0, sizeof ch1), memset(ch2, 0, sizeof ch2);
    int saved = saved_threads();
    counter cnt = {0, 0, 0, 1};
    vs_threads_set(1, NULL, 0);
    CHECK(vs_triple_points(d, N_DEV, &c, &o, 1e-3, 5e-3, count_progress, &cnt, tp1, ch1, st) == VS_OK);
    for (int i = 0; i < N_DEV; i++) CHECK(st[i] == VS_OK);
    vs_threads_set(2, NULL, 0);
    CHECK(vs_triple_points(d, N_DEV, &c, &o, 1e-3, 5e-3, NULL, NULL, tp2, ch2, st) == VS_OK);
    vs_threads_set(saved, NULL, 0);
    CHECK(memcmp(tp1, tp2, sizeof tp1) == 0 && memcmp(ch1, ch2, sizeof ch1) == 0);
    CHECK(cnt.calls == N_DEV && cnt.last == N_DEV && cnt.total == N_DEV && cnt.monotonic);
    for (int i = 0; i < N_DEV; i++) {
        vs_triple tp, ch;
        CHECK(vs_load_line(&d[i], &c, NULL, NULL, &ch) == VS_OK);
        CHECK(vs_triple_point(&d[i], &c, &o, 1e-3, 5e-3, &tp) == VS_OK);
        CHECK(tp.r_s_ohm == tp1[i].r_s_ohm && tp.v_in_v == tp1[i].v_in_v);
        CHECK(ch.r_s_ohm == ch1[i].r_s_ohm && ch.v_in_v == ch1[i].v_in_v);
    }
    CHECK(tp1[0].r_s_ohm != tp1[1].r_s_ohm);   /* the devices differ */
}

static void iv_opts(vs_iv_opts *o)
{
    *o = vs_iv_opts_default();
    o->n_cycles = 20;
    o->period_s = 1e-3;
    o->seed = 7;
}

static int same_result(const vs_iv_result *a, const vs_iv_result *b)
{
    size_t n = (size_t)a->n_cycles * sizeof(double);
    return a->n_cycles == b->n_cycles && a->n_steps == b->n_steps &&
           memcmp(a->v_on_v, b->v_on_v, n) == 0 && memcmp(a->v_off_v, b->v_off_v, n) == 0;
}

static void test_iv_sweep_devices_match_single(void)
{
    vs_device_params d[N_DEV];
    devices(d);
    vs_iv_opts o;
    iv_opts(&o);
    vs_iv_result r1[N_DEV], r2[N_DEV];
    vs_status st[N_DEV];
    int saved = saved_threads();
    counter cnt = {0, 0, 0, 1};
    vs_threads_set(1, NULL, 0);
    CHECK(vs_iv_sweep_devices(d, N_DEV, &o, count_progress, &cnt, r1, st) == VS_OK);
    vs_threads_set(2, NULL, 0);
    CHECK(vs_iv_sweep_devices(d, N_DEV, &o, NULL, NULL, r2, st) == VS_OK);
    vs_threads_set(saved, NULL, 0);
    CHECK(cnt.calls == N_DEV && cnt.last == N_DEV && cnt.monotonic);
    for (int i = 0; i < N_DEV; i++) {
        CHECK(st[i] == VS_OK);
        CHECK(same_result(&r1[i], &r2[i]));
        vs_iv_opts oi = o;
        oi.seed = vs_iv_device_seed(o.seed, i);
        vs_iv_result r;
        CHECK(vs_iv_sweep(&d[i], &oi, NULL, NULL, &r) == VS_OK);
        CHECK(same_result(&r, &r1[i]));
        CHECK(vs_stats_of(r.v_on_v, r.n_cycles).std > 0);   /* the jitter is on */
        vs_iv_result_free(&r);
    }
    CHECK(vs_iv_device_seed(1, 2) == 1000003u + 2u);   /* the seeds `vo2snn cycles` has always used */
    for (int i = 0; i < N_DEV; i++) vs_iv_result_free(&r1[i]), vs_iv_result_free(&r2[i]);
}

/* A failing device: its own status and message; the others still run. */
static void test_failures_and_cancel(void)
{
    vs_device_params d[N_DEV];
    devices(d);
    d[1].v[0] = NAN;
    vs_iv_opts o;
    iv_opts(&o);
    vs_iv_result r[N_DEV], single;
    vs_status st[N_DEV];
    vs_status want = vs_iv_sweep(&d[1], &o, NULL, NULL, &single);
    char want_msg[512];
    snprintf(want_msg, sizeof want_msg, "%s", vs_last_error());
    CHECK(want != VS_OK);
    CHECK(vs_iv_sweep_devices(d, N_DEV, &o, NULL, NULL, r, st) == want);
    CHECK(strcmp(vs_last_error(), want_msg) == 0);
    CHECK(st[0] == VS_OK && st[1] == want && st[2] == VS_OK);
    for (int i = 0; i < N_DEV; i++) vs_iv_result_free(&r[i]);

    vs_circuit c = vs_circuit_default();
    vs_classify_opts co = vs_classify_opts_default();
    co.t_run_s = 60e-6;
    vs_triple tp[N_DEV], ch[N_DEV];
    CHECK(vs_triple_points(d, N_DEV, &c, &co, 1e-3, 5e-3, NULL, NULL, tp, ch, st) != VS_OK);
    CHECK(st[0] == VS_OK && st[1] != VS_OK && st[2] == VS_OK);

    int saved = saved_threads();
    vs_threads_set(1, NULL, 0);   /* one thread: every device after the first is cancelled */
    devices(d);
    CHECK(vs_iv_sweep_devices(d, N_DEV, &o, cancel_at_once, NULL, r, st) == VS_EINVAL);
    vs_threads_set(saved, NULL, 0);
    CHECK(st[0] == VS_OK && st[1] == VS_EINVAL && st[2] == VS_EINVAL);
    CHECK(strstr(vs_last_error(), "cancel") != NULL);
    for (int i = 0; i < N_DEV; i++) vs_iv_result_free(&r[i]);
}

/* Bit for bit (NAN included), field by field (vs_point has padding). */
static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static int same_points(const vs_point *a, const vs_point *b, long n)
{
    int same = 1;
    for (long k = 0; k < n; k++)
        same &= a[k].regime == b[k].regime && a[k].spikes == b[k].spikes && same_bits(a[k].freq_hz, b[k].freq_hz) &&
                same_bits(a[k].p_in_w, b[k].p_in_w) && same_bits(a[k].e_in_per_spike_j, b[k].e_in_per_spike_j) &&
                same_bits(a[k].v_pp_v, b[k].v_pp_v) && same_bits(a[k].v_spike_mean_v, b[k].v_spike_mean_v);
    return same;
}

static int same_curve(const vs_vf_curve *a, const vs_vf_curve *b)
{
    return a->n == b->n && a->v_lo_v == b->v_lo_v && a->v_hi_v == b->v_hi_v &&
           memcmp(a->v_in_v, b->v_in_v, (size_t)a->n * sizeof(double)) == 0 && same_points(a->pts, b->pts, a->n);
}

static int count_device_progress(int device, long done, long total, void *user)
{
    long *calls = user;
    calls[device]++;
    (void)done, (void)total;
    return 0;
}

/* The curve against its definition: window edges, then a 1-D phase sweep inside them. */
static void check_curve_by_hand(const vs_device_params *d, const vs_circuit *c, const vs_classify_opts *o,
                                double v_step, const vs_vf_curve *cv)
{
    double lo, hi;
    int nonempty;
    CHECK(vs_window_edges(d, c, o, 5e-3, &lo, &hi, &nonempty) == VS_OK && nonempty);
    CHECK(cv->v_lo_v == lo && cv->v_hi_v == hi && cv->edge_lo_v == lo && cv->edge_hi_v == hi);
    vs_grid rg = {c->r_series_ohm, c->r_series_ohm, 1, 0};
    vs_grid vg = {lo + 0.01, hi - 0.01, (long)floor((hi - lo) / v_step) + 2, 0};
    static vs_point pts[64];
    CHECK(vg.n == cv->n && vg.n <= 64);
    if (vg.n != cv->n || vg.n > 64) return;
    CHECK(vs_phase_sweep(d, c, &rg, &vg, o, NULL, NULL, pts) == VS_OK);
    CHECK(same_points(pts, cv->pts, vg.n));
    for (long k = 0; k < vg.n; k++) CHECK(cv->v_in_v[k] == vs_grid_at(&vg, k));
}

static void test_vf_curves_match_single(void)
{
    vs_device_params d[N_DEV];
    devices(d);
    vs_circuit c = vs_circuit_default();
    vs_classify_opts o = vs_classify_opts_default();
    o.t_run_s = 60e-6;
    const double v_step = 1.0;
    vs_vf_curve a[N_DEV], b[N_DEV];
    vs_status st[N_DEV];
    long calls[N_DEV] = {0};
    int saved = saved_threads();
    vs_threads_set(1, NULL, 0);
    CHECK(vs_vf_curves(d, N_DEV, &c, &o, NAN, NAN, v_step, count_device_progress, calls, a, st) == VS_OK);
    vs_threads_set(2, NULL, 0);
    CHECK(vs_vf_curves(d, N_DEV, &c, &o, NAN, NAN, v_step, NULL, NULL, b, st) == VS_OK);
    vs_threads_set(saved, NULL, 0);
    for (int i = 0; i < N_DEV; i++) {
        CHECK(st[i] == VS_OK && a[i].n > 2);
        CHECK(calls[i] == a[i].n);
        CHECK(same_curve(&a[i], &b[i]));
        vs_vf_curve one;
        CHECK(vs_vf_curve_sweep(&d[i], &c, &o, NAN, NAN, v_step, NULL, NULL, &one) == VS_OK);
        CHECK(same_curve(&one, &a[i]));
        vs_vf_curve_free(&one);
        check_curve_by_hand(&d[i], &c, &o, v_step, &a[i]);
    }
    for (int i = 0; i < N_DEV; i++) vs_vf_curve_free(&a[i]), vs_vf_curve_free(&b[i]);
}

/* A fixed end beyond the other window edge stops the list at that device. */
static void test_vf_fixed_end_outside(void)
{
    vs_device_params d[N_DEV];
    devices(d);
    vs_circuit c = vs_circuit_default();
    vs_classify_opts o = vs_classify_opts_default();
    o.t_run_s = 60e-6;
    vs_vf_curve cv[N_DEV];
    vs_status st[N_DEV];
    CHECK(vs_vf_curves(d, N_DEV, &c, &o, 100, NAN, 1.0, NULL, NULL, cv, st) == VS_EINVAL);
    CHECK(st[0] == VS_EINVAL && st[1] == VS_EINVAL && cv[1].n == 0);
    CHECK(cv[0].nonempty && cv[0].edge_hi_v < 100 && cv[0].n == 0);
    CHECK(strstr(vs_last_error(), "upper window edge") != NULL);
    for (int i = 0; i < N_DEV; i++) vs_vf_curve_free(&cv[i]);
}

int main(void)
{
    RUN(test_triple_points_match_single);
    RUN(test_iv_sweep_devices_match_single);
    RUN(test_failures_and_cancel);
    RUN(test_vf_curves_match_single);
    RUN(test_vf_fixed_end_outside);
    return CHECK_DONE();
}
