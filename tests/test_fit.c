/* test_fit.c -- calibrating a model to measured data (fit.h): predictions against independent
   computations, round trips from known devices, identifiability, options. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "vo2snn/fit.h"
#include "vo2snn/input.h"
#include "vo2snn/iv.h"
#include "vo2snn/rng.h"
#include "vo2snn/threads.h"

#define MAX_PTS 128

/* Synthetic measurements of device p, each value times (1 + noise * N(0,1)). */
typedef struct synth {
    double rt_t[MAX_PTS], rt_r[MAX_PTS], iv_v[MAX_PTS], iv_i[MAX_PTS], fv_v[MAX_PTS], fv_f[MAX_PTS];
    int rt_b[MAX_PTS], iv_b[MAX_PTS];
    vs_meas_rt rt;
    vs_meas_iv iv;
    vs_meas_fv fv;
} synth;

/* R-T on both major branches at 300..370 K; I-V steady states on both branches at 301..380 K. */
static void synth_static(synth *s, const vs_device_params *p, double noise, vs_rng *rng)
{
    s->rt = (vs_meas_rt){.temp_k = s->rt_t, .r_ohm = s->rt_r, .branch = s->rt_b};
    s->iv = (vs_meas_iv){.v_dev_v = s->iv_v, .i_a = s->iv_i, .branch = s->iv_b};
    for (int b = 0; b < 2; b++)
        for (int k = 0; k < 36; k++) {
            double t = 300 + 70.0 * k / 35, rh, v, i, r;
            s->rt_t[s->rt.n] = t, s->rt_b[s->rt.n] = b;
            s->rt_r[s->rt.n++] = p->model->branch_resistance(p, b, t, &rh) * (1 + noise * vs_rng_normal(rng));
            vs_device_steady(p, (vs_branch)b, 301 + 79.0 * k / 35, &v, &i, &r);
            s->iv_v[s->iv.n] = v * (1 + noise * vs_rng_normal(rng)), s->iv_i[s->iv.n] = i, s->iv_b[s->iv.n++] = b;
        }
}

/* f-V at n dc inputs from v0 in steps dv, where the device oscillates. */
static void synth_fv(synth *s, const vs_device_params *p, const vs_circuit *c, double v0, double dv, int n,
                     double noise, vs_rng *rng)
{
    s->fv = (vs_meas_fv){.v_in_v = s->fv_v, .freq_hz = s->fv_f};
    for (int k = 0; k < n; k++) {
        double v = v0 + dv * k, f;
        CHECK(vs_fit_frequency(p, c, v, 1e5, &f) == VS_OK);
        if (f > 0) s->fv_v[s->fv.n] = v, s->fv_f[s->fv.n++] = f * (1 + noise * vs_rng_normal(rng));
    }
}

/* R-T prediction = the quasi-static loop of vs_rt_loop (which walks the temperature up from
   insulating and back down) at the same temperatures. */
static void test_predict_rt(void)
{
    vs_device_params p;
    vs_device_preset(2, &p);
    double t[81], h[81], c[81], r[162];
    CHECK(vs_rt_loop(&p, 290, 370, 81, t, h, c) == VS_OK);
    double tt[162];
    int br[162];
    for (int k = 0; k < 81; k++) tt[k] = tt[81 + k] = t[k], br[k] = 0, br[81 + k] = 1;
    vs_meas_rt rt = {.n = 162, .temp_k = tt, .r_ohm = tt, .branch = br};
    CHECK(vs_fit_predict_rt(&p, &rt, r) == VS_OK);
    for (int k = 0; k < 81; k++) {
        CHECK_NEAR(r[k], h[k], 1e-9, 0);
        CHECK_NEAR(r[81 + k], c[k], 1e-9, 0);
    }
}

/* I-V prediction inverts the steady state: V at the current of the state at T is that state's V. */
static void test_predict_iv(void)
{
    vs_device_params p;
    vs_device_preset(3, &p);
    double v[40], i[40], vp[40];
    int br[40];
    for (int k = 0; k < 40; k++) {
        double r;
        br[k] = k % 2;
        CHECK(vs_device_steady(&p, (vs_branch)br[k], 301 + 2.0 * k, &v[k], &i[k], &r) == VS_OK);
    }
    vs_meas_iv iv = {.n = 40, .v_dev_v = v, .i_a = i, .branch = br};
    CHECK(vs_fit_predict_iv(&p, &iv, vp) == VS_OK);
    for (int k = 0; k < 40; k++) CHECK_NEAR(vp[k], v[k], 1e-7, 0);
}

/* f-V prediction = a long run's frequency (300 us, measured over its second half). */
static void test_predict_fv(void)
{
    vs_device_params p;
    vs_device_preset(1, &p);
    vs_circuit c = vs_circuit_default();
    double v[3] = {10.0, 11.5, 12.5}, f[3] = {1e5, 1e5, 1e5}, fp[3];
    vs_meas_fv fv = {.n = 3, .v_in_v = v, .freq_hz = f};
    CHECK(vs_fit_predict_fv(&p, &c, &fv, fp) == VS_OK);
    for (int k = 0; k < 3; k++) {
        vs_input in = vs_input_dc(v[k]);
        vs_sim_opts o = vs_sim_opts_default();
        o.t_end_s = 300e-6, o.t_window0_s = 150e-6, o.t_window1_s = 300e-6;
        vs_neuron_result r;
        CHECK(vs_neuron_simulate(&p, &c, &in, &o, NULL, NULL, &r) == VS_OK);
        CHECK(r.freq_hz > 0);
        CHECK_NEAR(fp[k], r.freq_hz, 1e-3, 0);
        vs_neuron_result_free(&r);
    }
}

/* Exact data of device 2, start at device 4: every fitted parameter comes back. */
static void test_round_trip_exact(void)
{
    static synth s;
    vs_device_params truth, start;
    vs_device_preset(2, &truth);
    vs_device_preset(4, &start);
    vs_rng rng;
    vs_rng_seed(&rng, 1, 0);
    vs_circuit c = vs_circuit_default();
    synth_static(&s, &truth, 0, &rng);
    synth_fv(&s, &truth, &c, 9.0, 0.5, 9, 0, &rng);
    vs_fit_data d = {.rt = &s.rt, .iv = &s.iv, .fv = &s.fv, .circuit = c};
    vs_fit_opts o = vs_fit_opts_default(&start);
    vs_fit_result r;
    CHECK(vs_fit(&start, &d, &o, &r) == VS_OK);
    CHECK(r.n_free == 8);   /* r_ins0 r_met g_th tau_th e_a t_c dt_hyst w_t */
    for (int k = 0; k < r.n_free; k++) {
        int j = r.free_idx[k];
        CHECK_NEAR(r.device.v[j], truth.v[j], 1e-5, 1e-9);
    }
    for (int s2 = 0; s2 < VS_FIT_TRACE; s2++) CHECK(r.set[s2].used && r.set[s2].rms < 1e-5);
    CHECK(r.n_warnings == 0);
}

/* 1 % noise: V_th, V_hold within 1 % of the true device's; every parameter within 4 standard
   errors of the truth (coverage of the 95 % intervals is measured by bench/fit_roundtrip). */
static void test_round_trip_noisy(void)
{
    static synth s;
    vs_device_params truth, start;
    vs_device_from_vacancy(0.6, &truth);
    vs_device_preset(1, &start);
    vs_rng rng;
    vs_rng_seed(&rng, 5, 0);
    vs_circuit c = vs_circuit_default();
    synth_static(&s, &truth, 0.01, &rng);
    synth_fv(&s, &truth, &c, 7.0, 0.25, 24, 0.01, &rng);
    vs_fit_data d = {.rt = &s.rt, .iv = &s.iv, .fv = &s.fv, .circuit = c};
    vs_fit_opts o = vs_fit_opts_default(&start);
    vs_fit_result r;
    CHECK(vs_fit(&start, &d, &o, &r) == VS_OK);
    vs_fold th0, ho0, th1, ho1;
    CHECK(vs_device_folds(&truth, &th0, &ho0) == VS_OK && vs_device_folds(&r.device, &th1, &ho1) == VS_OK);
    CHECK_NEAR(th1.v_v, th0.v_v, 0.01, 0);
    CHECK_NEAR(ho1.v_v, ho0.v_v, 0.01, 0);
    CHECK(r.n_free == 8);
    for (int k = 0; k < r.n_free; k++) {
        int j = r.free_idx[k];
        CHECK(r.stderr_[j] > 0 && r.ci_lo[j] < r.device.v[j] && r.device.v[j] < r.ci_hi[j]);
        CHECK_NEAR(r.device.v[j], truth.v[j], 0, 4 * r.stderr_[j]);
    }
    for (int s2 = 0; s2 < VS_FIT_TRACE; s2++) CHECK(r.set[s2].rms > 0.005 && r.set[s2].rms < 0.015);
}

/* R-T alone says nothing about the thermal conductance and capacitance. */
static void test_identifiability(void)
{
    static synth s;
    vs_device_params truth, start;
    vs_device_preset(3, &truth);
    vs_device_preset(1, &start);
    vs_rng rng;
    vs_rng_seed(&rng, 2, 0);
    synth_static(&s, &truth, 0.01, &rng);
    vs_fit_data d = {.rt = &s.rt};
    vs_fit_opts o = vs_fit_opts_default(&start);
    vs_fit_result r;
    CHECK(vs_fit(&start, &d, &o, &r) == VS_OK);
    int g = vs_model_param_index(start.model, "g_th"), tau = vs_model_param_index(start.model, "tau_th");
    CHECK(r.undetermined[g] && r.undetermined[tau]);
    CHECK(r.device.v[g] == start.v[g] && isnan(r.stderr_[g]));
    CHECK(r.n_warnings >= 1 && strstr(r.warnings[0], "g_th") && strstr(r.warnings[0], "c_th") &&
          strstr(r.warnings[0], "not determined"));
    CHECK_NEAR(vs_device_get(&r.device, "t_c"), vs_device_get(&truth, "t_c"), 0.001, 0);
}

/* --bootstrap: quantile intervals of 40 resampled fits around the fitted value, within 5x the
   width of the Jacobian's (the two estimate the same spread; the bootstrap's is wider for the
   transition parameters, which rest on the few points inside the transition). */
static void test_bootstrap(void)
{
    static synth s;
    vs_device_params truth, start;
    vs_device_preset(2, &truth);
    vs_device_preset(3, &start);
    vs_rng rng;
    vs_rng_seed(&rng, 8, 0);
    synth_static(&s, &truth, 0.01, &rng);
    vs_fit_data d = {.rt = &s.rt, .iv = &s.iv};
    vs_fit_opts o = vs_fit_opts_default(&start);
    static vs_fit_result jac, boot;
    CHECK(vs_fit(&start, &d, &o, &jac) == VS_OK);
    o.bootstrap = 40;
    CHECK(vs_fit(&start, &d, &o, &boot) == VS_OK);
    CHECK(jac.bootstrap == 0 && boot.bootstrap == 40 && boot.n_free == jac.n_free);
    for (int k = 0; k < boot.n_free; k++) {
        int j = boot.free_idx[k];
        double w_jac = jac.ci_hi[j] - jac.ci_lo[j], w_boot = boot.ci_hi[j] - boot.ci_lo[j];
        CHECK(boot.device.v[j] == jac.device.v[j]);
        CHECK(boot.ci_lo[j] < boot.device.v[j] && boot.device.v[j] < boot.ci_hi[j]);
        CHECK(w_boot > w_jac / 5 && w_boot < 5 * w_jac);
    }
}

/* R-T of one device and I-V of another: no device matches both, and the fit says so. */
static void test_mismatch_warning(void)
{
    static synth a, b;
    vs_device_params d1, d5;
    vs_device_preset(1, &d1);
    vs_device_preset(5, &d5);
    vs_rng rng;
    vs_rng_seed(&rng, 3, 0);
    synth_static(&a, &d1, 0.002, &rng);
    synth_static(&b, &d5, 0.002, &rng);
    vs_fit_data d = {.rt = &a.rt, .iv = &b.iv};
    vs_fit_opts o = vs_fit_opts_default(&d1);
    vs_fit_result r;
    CHECK(vs_fit(&d1, &d, &o, &r) == VS_OK);
    int said = 0;
    for (int w = 0; w < r.n_warnings; w++) said |= strstr(r.warnings[w], "cannot match every data set") != NULL;
    CHECK(said);
}

/* The same fit with 1 and 2 threads, bit for bit. */
static void test_threads(void)
{
    static synth s;
    vs_device_params truth, start;
    vs_device_preset(2, &truth);
    vs_device_preset(3, &start);
    vs_rng rng;
    vs_rng_seed(&rng, 4, 0);
    vs_circuit c = vs_circuit_default();
    synth_static(&s, &truth, 0.01, &rng);
    synth_fv(&s, &truth, &c, 9.0, 0.5, 7, 0.01, &rng);
    vs_fit_data d = {.rt = &s.rt, .iv = &s.iv, .fv = &s.fv, .circuit = c};
    vs_fit_opts o = vs_fit_opts_default(&start);
    static vs_fit_result r1, r2;
    vs_threads_set(1, NULL, 0);
    CHECK(vs_fit(&start, &d, &o, &r1) == VS_OK);
    vs_threads_set(2, NULL, 0);
    CHECK(vs_fit(&start, &d, &o, &r2) == VS_OK);
    CHECK(memcmp(r1.device.v, r2.device.v, sizeof r1.device.v) == 0);
    CHECK(memcmp(r1.stderr_, r2.stderr_, sizeof r1.stderr_) == 0);
}

typedef struct wave {
    double t[400], in[400], y[400];
    size_t n;
} wave;

static int keep_sample(const vs_sample *smp, void *user)
{
    wave *w = user;
    if (w->n < 400) w->t[w->n] = smp->t_s, w->in[w->n] = smp->v_in_v, w->y[w->n++] = smp->v_osc_v;
    return 0;
}

/* A waveform of device 2 at 11 V dc (20 us): fitting tau_th alone from 1.3x recovers it. */
static void test_trace(void)
{
    vs_device_params truth, start;
    vs_device_preset(2, &truth);
    start = truth;
    int tau = vs_model_param_index(truth.model, "tau_th");
    start.v[tau] *= 1.3;
    vs_circuit c = vs_circuit_default();
    vs_input in = vs_input_dc(11.0);
    vs_sim_opts so = vs_sim_opts_default();
    so.t_end_s = 20e-6, so.dt_out_s = 0.1e-6;
    static wave w;
    vs_neuron_result nr;
    CHECK(vs_neuron_simulate(&truth, &c, &in, &so, keep_sample, &w, &nr) == VS_OK);
    CHECK(nr.n_spikes >= 3);
    vs_neuron_result_free(&nr);
    vs_meas_trace tr = {.n = w.n, .t_s = w.t, .input = w.in, .response = w.y, .response_col = "v_osc_v"};
    double y[400];
    CHECK(vs_fit_predict_trace(&truth, &c, &tr, y) == VS_OK);
    for (size_t k = 0; k < w.n; k++) CHECK_NEAR(y[k], w.y[k], 0, 2e-3);
    vs_fit_data d = {.trace = &tr, .circuit = c};
    vs_fit_opts o = vs_fit_opts_default(&start);
    for (int j = 0; j < start.model->n_params; j++) o.role[j] = j == tau ? VS_FIT_FREE : VS_FIT_FIXED;
    static vs_fit_result r;
    CHECK(vs_fit(&start, &d, &o, &r) == VS_OK);
    CHECK(r.n_free == 1);
    CHECK_NEAR(r.device.v[tau], truth.v[tau], 0.01, 0);
}

static void test_options(void)
{
    vs_device_params p;
    vs_device_preset(1, &p);
    vs_fit_opts o = vs_fit_opts_default(&p);
    int g = vs_model_param_index(p.model, "g_th"), rc = vs_model_param_index(p.model, "r_contact");
    int amb = vs_model_param_index(p.model, "t_amb"), sig = vs_model_param_index(p.model, "sigma_lnr");
    CHECK(o.role[g] == VS_FIT_FREE && o.role[rc] == VS_FIT_FIXED && o.role[amb] == VS_FIT_FIXED && o.role[sig] == VS_FIT_FIXED);
    CHECK(vs_fit_opts_fix(&o, &p, "g_th=0.2mW/K,t_c=338") == VS_OK);
    CHECK(o.role[g] == VS_FIT_FIXED && p.v[g] == 2e-4 && vs_device_get(&p, "t_c") == 338);
    CHECK(vs_fit_opts_bounds(&o, &p, "r_contact=0:100Ohm,g_th=0.1m:0.3m") == VS_OK);
    CHECK(o.role[rc] == VS_FIT_FREE && o.lo[rc] == 0 && o.hi[rc] == 100 && o.role[g] == VS_FIT_FREE);
    CHECK(vs_fit_opts_fix(&o, &p, "nope=1") == VS_EINVAL && strstr(vs_last_error(), "nope"));
    CHECK(vs_fit_opts_bounds(&o, &p, "t_c=350:360") == VS_EINVAL && strstr(vs_last_error(), "outside"));
    CHECK(vs_fit_opts_bounds(&o, &p, "t_c=360:350") == VS_EINVAL);
    CHECK(vs_fit_opts_bounds(&o, &p, "t_c") == VS_EINVAL);
    vs_device_params sw;
    CHECK(vs_device_model_preset(vs_model_find("switch"), 1, &sw) == VS_OK);
    static synth s;
    vs_rng rng;
    vs_rng_seed(&rng, 1, 0);
    synth_static(&s, &p, 0, &rng);
    vs_fit_data d = {.rt = &s.rt};
    vs_fit_opts os = vs_fit_opts_default(&sw);
    vs_fit_result r;
    CHECK(vs_fit(&sw, &d, &os, &r) == VS_EINVAL && strstr(vs_last_error(), "no temperature"));
    vs_fit_data none = {0};
    CHECK(vs_fit(&p, &none, &o, &r) == VS_EINVAL);
}

int main(void)
{
    RUN(test_predict_rt);
    RUN(test_predict_iv);
    RUN(test_predict_fv);
    RUN(test_round_trip_exact);
    RUN(test_round_trip_noisy);
    RUN(test_identifiability);
    RUN(test_mismatch_warning);
    RUN(test_bootstrap);
    RUN(test_threads);
    RUN(test_trace);
    RUN(test_options);
    return CHECK_DONE();
}
