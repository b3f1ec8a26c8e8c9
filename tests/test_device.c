/* test_device.c -- device presets, vacancy interpolation, folds (A1), R-T loops, parameter files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "vo2snn/device.h"
#include "vo2snn/iv.h"

/* The vo2x formulas (docs/models/vo2x.md 1.1), written out here independently of the library. */
static double ref_r_ins(const vs_device_params *p, double t_k)
{
    return vs_device_get(p, "r_ins0") *
           exp(vs_device_get(p, "e_a") / VS_K_B_EV_PER_K * (1 / t_k - 1 / vs_device_get(p, "t_0")));
}

static double ref_m_heat(const vs_device_params *p, double t_k)
{
    double centre = vs_device_get(p, "t_c") + vs_device_get(p, "dt_hyst") / 2;
    return 0.5 * (1 + tanh((t_k - centre) / vs_device_get(p, "w_t")));
}

/* docs/models/vo2x.md A1: quasi-static folds, +-0.5 %. */
static void test_a1_folds(void)
{
    const double v_th[] = {6.500, 5.300, 4.100, 2.900, 1.750};
    const double v_h[] = {2.600, 2.300, 2.000, 1.650, 1.200};
    const double i_th_ma[] = {0.795, 0.886, 1.046, 1.316, 2.209};
    const double i_h_ma[] = {3.800, 3.800, 3.800, 3.700, 3.450};
    for (int d = 1; d <= 5; d++) {
        vs_device_params p;
        vs_fold th, ho;
        CHECK(vs_device_preset(d, &p) == VS_OK);
        CHECK(vs_device_folds(&p, &th, &ho) == VS_OK);
        CHECK_NEAR(th.v_v, v_th[d - 1], 0.005, 0);
        CHECK_NEAR(ho.v_v, v_h[d - 1], 0.005, 0);
        CHECK_NEAR(th.i_a * 1e3, i_th_ma[d - 1], 0.005, 0);
        CHECK_NEAR(ho.i_a * 1e3, i_h_ma[d - 1], 0.005, 0);
        /* A fold is a stationary point of V on its branch: V there exceeds / undercuts its neighbours. */
        double v_lo, v_hi, i, r;
        vs_device_steady(&p, VS_BRANCH_HEAT, th.t_k - 0.5, &v_lo, &i, &r);
        vs_device_steady(&p, VS_BRANCH_HEAT, th.t_k + 0.5, &v_hi, &i, &r);
        CHECK(v_lo < th.v_v && v_hi < th.v_v);
        vs_device_steady(&p, VS_BRANCH_COOL, ho.t_k - 0.5, &v_lo, &i, &r);
        vs_device_steady(&p, VS_BRANCH_COOL, ho.t_k + 0.5, &v_hi, &i, &r);
        CHECK(v_lo > ho.v_v && v_hi > ho.v_v);
        /* Threshold power balances Newton cooling: P = G_th (T - T_amb). */
        CHECK_NEAR(th.p_w, vs_device_get(&p, "g_th") * (th.t_k - vs_device_get(&p, "t_amb")), 1e-9, 0);
    }
}

/* docs/models/vo2x.md 2.2: nodes reproduce the table; room-temperature resistance and contrast. */
static void test_presets_table(void)
{
    const double r300[] = {24782, 18338, 12277, 7264, 3432};
    const double contrast[] = {37.1, 31.0, 23.9, 16.7, 10.1};
    for (int d = 1; d <= 5; d++) {
        vs_device_params p;
        vs_device_preset(d, &p);
        double r = ref_r_ins(&p, 300.0) * (1 - ref_m_heat(&p, 300.0)) + vs_device_get(&p, "r_met");
        CHECK_NEAR(r, r300[d - 1], 0.001, 0);
        CHECK_NEAR(r / vs_device_get(&p, "r_met"), contrast[d - 1], 0.005, 0);
        CHECK_NEAR(vs_device_get(&p, "tau_th") * vs_device_get(&p, "g_th"), 1e-7 * vs_device_get(&p, "g_th"), 1e-12, 0);
        CHECK_NEAR(p.vacancy_x, (d - 1) / 4.0, 0, 1e-15);
    }
    vs_device_params p;
    CHECK(vs_device_preset(0, &p) == VS_EINVAL);
    CHECK(vs_device_preset(6, &p) == VS_EINVAL);
    CHECK(vs_device_from_vacancy(-0.01, &p) == VS_EINVAL);
    CHECK(vs_device_from_vacancy(1.01, &p) == VS_EINVAL);
    CHECK(vs_device_from_vacancy(NAN, &p) == VS_EINVAL);
}

/* docs/models/vo2x.md 2.2: interpolated devices between the nodes. */
static void test_vacancy_interpolation(void)
{
    const double x[] = {0.125, 0.625, 0.875};
    const double v_th[] = {5.868, 3.443, 2.236};
    const double v_h[] = {2.445, 1.817, 1.407};
    double prev_th = 1e9, prev_h = 1e9;
    for (int k = 0; k < 3; k++) {
        vs_device_params p;
        vs_fold th, ho;
        CHECK(vs_device_from_vacancy(x[k], &p) == VS_OK);
        CHECK(vs_device_folds(&p, &th, &ho) == VS_OK);
        CHECK_NEAR(th.v_v, v_th[k], 0.005, 0);
        CHECK_NEAR(ho.v_v, v_h[k], 0.005, 0);
    }
    /* V_th and the hysteresis fall monotonically with vacancies. */
    double prev_hyst = 1e9;
    for (int i = 0; i <= 40; i++) {
        vs_device_params p;
        vs_fold th, ho;
        vs_device_from_vacancy(i / 40.0, &p);
        CHECK(vs_device_folds(&p, &th, &ho) == VS_OK);
        CHECK(th.v_v < prev_th);
        CHECK(ho.v_v < prev_h);
        CHECK(th.v_v - ho.v_v < prev_hyst);
        prev_th = th.v_v, prev_h = ho.v_v, prev_hyst = th.v_v - ho.v_v;
    }
}

/* R-T: the jump across the transition shrinks from device 1 to 5 and the branches are dT_h apart. */
static void test_rt_loops(void)
{
    const double jump_spec[] = {5.8, 5.0, 4.1, 3.1, 2.2};
    const double film_r300[] = {10.0e3, 7.37e3, 4.89e3, 2.84e3, 1.29e3};
    const double film_jump[] = {135, 100, 66, 39, 18};
    double prev_jump = 1e9;
    enum { N = 4001 };
    static double t[N], rh[N], rc[N];
    for (int d = 1; d <= 5; d++) {
        vs_device_params p, film;
        vs_device_preset(d, &p);
        CHECK(vs_rt_loop(&p, 290, 370, N, t, rh, rc) == VS_OK);
        int i339 = (int)((339.0 - 290) / 80 * (N - 1) + 0.5), i350 = (int)((350.0 - 290) / 80 * (N - 1) + 0.5);
        CHECK_NEAR(t[i339], 339.0, 0, 1e-9);
        double jump = rh[i339] / rh[i350];
        CHECK_NEAR(jump, jump_spec[d - 1], 0.02, 0);
        CHECK(jump < prev_jump);
        prev_jump = jump;
        /* Heating and cooling branches: cooling never above heating, separated by dT_h. */
        double t_half_heat = NAN, t_half_cool = NAN;
        for (int i = 1; i < N; i++) {
            CHECK(rc[i] <= rh[i] * (1 + 1e-12));
            double mh0 = 1 - (rh[i - 1] - vs_device_get(&p, "r_met")) / ref_r_ins(&p, t[i - 1]);
            double mh1 = 1 - (rh[i] - vs_device_get(&p, "r_met")) / ref_r_ins(&p, t[i]);
            double mc0 = 1 - (rc[i - 1] - vs_device_get(&p, "r_met")) / ref_r_ins(&p, t[i - 1]);
            double mc1 = 1 - (rc[i] - vs_device_get(&p, "r_met")) / ref_r_ins(&p, t[i]);
            if (mh0 < 0.5 && mh1 >= 0.5) t_half_heat = t[i - 1] + (t[i] - t[i - 1]) * (0.5 - mh0) / (mh1 - mh0);
            if (mc0 < 0.5 && mc1 >= 0.5) t_half_cool = t[i - 1] + (t[i] - t[i - 1]) * (0.5 - mc0) / (mc1 - mc0);
        }
        CHECK_NEAR(t_half_heat, vs_device_get(&p, "t_c") + vs_device_get(&p, "dt_hyst") / 2, 0, 0.02);
        CHECK_NEAR(t_half_cool, vs_device_get(&p, "t_c") - vs_device_get(&p, "dt_hyst") / 2, 0, 0.02);
        CHECK_NEAR(t_half_heat - t_half_cool, 8.0, 0, 0.04);
        /* Film display model (docs/models/vo2x.md 1.4). */
        vs_device_film(&p, &film);
        CHECK(vs_rt_loop(&film, 290, 370, N, t, rh, rc) == VS_OK);
        int i300 = (int)((300.0 - 290) / 80 * (N - 1) + 0.5);
        CHECK_NEAR(rh[i300], film_r300[d - 1], 0.01, 0);
        CHECK_NEAR(rh[i339] / vs_device_get(&film, "r_met"), film_jump[d - 1], 0.02, 0);
    }
}

static void test_set_and_validate(void)
{
    vs_device_params p;
    vs_device_preset(1, &p);
    CHECK(vs_device_set(&p, "r_met", "600 Ohm") == VS_OK);
    CHECK_NEAR(vs_device_get(&p, "r_met"), 600, 0, 0);
    CHECK(isnan(p.vacancy_x));
    CHECK(vs_device_set(&p, "tau_th", "150ns") == VS_OK);
    CHECK_NEAR(vs_device_get(&p, "tau_th"), 150e-9, 1e-12, 0);
    CHECK(vs_device_set(&p, "c_th", "3e-11 J/K") == VS_OK);
    CHECK_NEAR(vs_device_get(&p, "tau_th") * vs_device_get(&p, "g_th"), 3e-11, 1e-12, 0);
    CHECK(vs_device_set(&p, "preset", "3") == VS_OK);
    CHECK_NEAR(vs_device_get(&p, "r_ins0"), 11763.45, 1e-12, 0);
    CHECK(vs_device_set(&p, "e_a", "450 meV") == VS_OK);
    CHECK_NEAR(vs_device_get(&p, "e_a"), 0.45, 1e-12, 0);

    vs_device_params before = p;
    CHECK(vs_device_set(&p, "r_met", "-5") == VS_EINVAL);
    CHECK(strstr(vs_last_error(), "r_met") != NULL);
    CHECK(vs_device_set(&p, "r_met", "nan") == VS_EINVAL);
    CHECK(vs_device_set(&p, "r_met", "inf") == VS_EINVAL);
    /* the message keeps the offending text intact (it is built from an earlier message) */
    CHECK(strstr(vs_last_error(), "r_met: 'inf' is not a valid value in Ohm") != NULL);
    CHECK(vs_device_set(&p, "r_met", "5 V") == VS_EINVAL);
    CHECK(vs_device_set(&p, "g_th", "0") == VS_EINVAL);
    CHECK(vs_device_set(&p, "bogus", "1") == VS_EINVAL);
    CHECK(strstr(vs_last_error(), "bogus") != NULL);
    CHECK(vs_device_set(&p, "preset", "9") == VS_EINVAL);
    CHECK(vs_device_set(&p, "t_amb", "400 K") == VS_EINVAL);   /* above the loop */
    CHECK(memcmp(&before, &p, sizeof p) == 0);                 /* unchanged on failure */

    CHECK(vs_device_apply_list(&p, "r_met=500, tau_th = 80ns") == VS_OK);
    CHECK_NEAR(vs_device_get(&p, "r_met"), 500, 0, 0);
    CHECK_NEAR(vs_device_get(&p, "tau_th"), 80e-9, 1e-12, 0);
    before = p;
    CHECK(vs_device_apply_list(&p, "r_met=400,nonsense") == VS_EINVAL);
    CHECK(memcmp(&before, &p, sizeof p) == 0);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_device_file(void)
{
    char dir[] = "/tmp/vo2snn_devXXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/dev.txt", dir);

    /* preset applied first and c_th last, whatever their order in the file */
    write_text(path, "# my device\nc_th = 2e-11 J/K\ng_th = 2e-4 W/K  # trailing comment\npreset = 2\n\nr_met = 550 Ohm\n");
    vs_device_params p;
    vs_device_preset(1, &p);
    CHECK(vs_device_load_file(path, &p) == VS_OK);
    CHECK_NEAR(vs_device_get(&p, "r_ins0"), 17747.05, 1e-12, 0);
    CHECK_NEAR(vs_device_get(&p, "r_met"), 550, 0, 0);
    CHECK_NEAR(vs_device_get(&p, "g_th"), 2e-4, 1e-12, 0);
    CHECK_NEAR(vs_device_get(&p, "tau_th"), 1e-7, 1e-9, 0);

    vs_device_params before = p;
    write_text(path, "r_met = 550 Ohm\nr_ins0 = -3 kOhm\n");
    CHECK(vs_device_load_file(path, &p) == VS_EINVAL);
    CHECK(strstr(vs_last_error(), ":2:") != NULL);
    CHECK(strstr(vs_last_error(), "r_ins0") != NULL);
    write_text(path, "r_met 550\n");
    CHECK(vs_device_load_file(path, &p) != VS_OK);
    write_text(path, "preset = 2\nvacancy = 0.5\n");
    CHECK(vs_device_load_file(path, &p) == VS_EINVAL);
    CHECK(memcmp(&before, &p, sizeof p) == 0);
    snprintf(path, sizeof path, "%s/missing.txt", dir);
    CHECK(vs_device_load_file(path, &p) == VS_EIO);
    CHECK(strstr(vs_last_error(), "missing.txt") != NULL);
    snprintf(path, sizeof path, "%s/dev.txt", dir);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    RUN(test_a1_folds);
    RUN(test_presets_table);
    RUN(test_vacancy_interpolation);
    RUN(test_rt_loops);
    RUN(test_set_and_validate);
    RUN(test_device_file);
    return CHECK_DONE();
}
