/*
 * test_measured_plot.c -- `--measured FILE` of iv, rt, osc and vf (issue 13, item 5): the
 * file is read with the library's reader before anything runs, its points are copied to
 * <out>_measured.csv and drawn over the plot (which --measured implies); a bad file is one
 * line naming file:line and the column, exit 1, nothing written. Each measured file is the
 * tool's own output fed back. Also two plots that used to fail: `vf --plot` of a device with
 * no oscillating point, and `iv` of a model without temperature (no S-curve).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli_run.h"

static int have_gnuplot;

/* Data rows of a CSV file (lines after the header); -1 if it cannot be read. */
static int data_rows(const char *path)
{
    char *text = check_slurp(path);
    if (!text) return -1;
    int n = lines(text) - 1;
    free(text);
    return n;
}

/* Skip a test that needs gnuplot when it is missing. */
static int need_gnuplot(void)
{
    if (!have_gnuplot) CHECK_SKIP_DEP("gnuplot", "gnuplot not on PATH: --measured plots");
    return have_gnuplot;
}

/* rt's own CSV back as measured data: 2 points per row (heating, cooling); --measured alone
   makes the PNG; the JSON names the file and the count. */
static void test_rt_measured(void)
{
    if (!need_gnuplot()) return;
    CHECK(vo2snn("rt", "--points", "41", "--out", tmp("rt.csv"), NULL) == 0);
    CHECK(vo2snn("rt", "--device", "3", "--out", tmp("rt3.csv"), "--measured", tmp("rt.csv"), "--json",
                 NULL) == 0);
    CHECK(exists(tmp("rt3.png")));
    CHECK(data_rows(tmp("rt3_measured.csv")) == 82);
    CHECK(check_json_num(strstr(out_text, "\"measured\""), "points") == 82);
    CHECK(strstr(out_text, "\"plot_png\": null") == NULL);
    char *m = check_slurp(tmp("rt3_measured.csv"));
    CHECK(m && strncmp(m, "temp_k,r_ohm,branch\n", 20) == 0 && strstr(m, ",heating\n") && strstr(m, ",cooling\n"));
    free(m);
    /* the copy reads back as the same R-T data */
    CHECK(vo2snn("rt", "--out", tmp("rt4.csv"), "--measured", tmp("rt3_measured.csv"), NULL) == 0);
    CHECK(data_rows(tmp("rt4_measured.csv")) == 82);
}

/* iv's S-curve and its trace, each back as measured I-V points. */
static void test_iv_measured(void)
{
    if (!need_gnuplot()) return;
    CHECK(vo2snn("iv", "--out", tmp("iv.csv"), NULL) == 0);
    CHECK(vo2snn("iv", "--device", "2", "--out", tmp("iv2.csv"), "--measured", tmp("iv_scurve.csv"), "--json",
                 NULL) == 0);
    int rows = data_rows(tmp("iv_scurve.csv"));
    CHECK(rows > 2 && data_rows(tmp("iv2_measured.csv")) == rows);
    CHECK(check_json_num(strstr(out_text, "\"measured\""), "points") == rows);
    CHECK(exists(tmp("iv2.png")));
    CHECK(vo2snn("iv", "--device", "2", "--out", tmp("iv3.csv"), "--measured", tmp("iv.csv"), NULL) == 0);
    CHECK(exists(tmp("iv3.png")) && data_rows(tmp("iv3_measured.csv")) == data_rows(tmp("iv.csv")));
    /* a v_src_v,i_a sweep needs its series resistor; --iv-series alone is refused */
    write_text(tmp("src.csv"), "v_src_v,i_a\n1,1e-4\n2,2e-4\n3,3e-4\n");
    CHECK(REFUSES("--iv-series", "iv", "--out", tmp("iv5.csv"), "--measured", tmp("src.csv")));
    CHECK(!exists(tmp("iv5.csv")));
    CHECK(vo2snn("iv", "--out", tmp("iv5.csv"), "--measured", tmp("src.csv"), "--iv-series", "1k", NULL) == 0);
    CHECK(data_rows(tmp("iv5_measured.csv")) == 3);
    CHECK(REFUSES("--measured", "iv", "--out", tmp("iv6.csv"), "--iv-series", "1k"));
}

/* osc's trace back as a measured waveform: every sample copied. */
static void test_osc_measured(void)
{
    if (!need_gnuplot()) return;
    CHECK(vo2snn("osc", "--t-end", "20us", "--out", tmp("osc.csv"), NULL) == 0);
    CHECK(vo2snn("osc", "--device", "3", "--t-end", "20us", "--out", tmp("osc3.csv"), "--measured",
                 tmp("osc.csv"), "--json", NULL) == 0);
    int rows = data_rows(tmp("osc.csv"));
    CHECK(rows > 2 && data_rows(tmp("osc3_measured.csv")) == rows);
    CHECK(strstr(out_text, "\"response\": \"v_osc_v\""));
    CHECK(exists(tmp("osc3.png")));
    /* a voltage-driven waveform against a current input: refused before simulating */
    CHECK(REFUSES("current", "osc", "--i-in", "3mA", "--out", tmp("osc4.csv"), "--measured", tmp("osc.csv")));
    CHECK(!exists(tmp("osc4.csv")));
}

/* vf's CSV of one device back as measured f-V points. */
static void test_vf_measured(void)
{
    if (!need_gnuplot()) return;
    CHECK(vo2snn("vf", "--devices", "1", "--v-step", "0.5", "--out", tmp("vf1.csv"), NULL) == 0);
    CHECK(vo2snn("vf", "--devices", "2,3", "--v-step", "1", "--out", tmp("vf2.csv"), "--measured", tmp("vf1.csv"),
                 "--json", NULL) == 0);
    int rows = data_rows(tmp("vf1.csv"));
    CHECK(rows > 2 && data_rows(tmp("vf2_measured.csv")) == rows);
    CHECK(check_json_num(strstr(out_text, "\"measured\""), "points") == rows);
    CHECK(exists(tmp("vf2.png")) && exists(tmp("vf2_pf.png")));
}

/* A bad measured file: one line naming file:line and the column, exit 1, and nothing written
   (the output directory is not even created). */
static void test_bad_measured(void)
{
    static const struct {
        const char *cmd, *text, *column;
    } bad[] = {
        {"rt", "temp_k,r_ohm,branch\n300,1e5,heating\n310,-3,heating\n", "r_ohm"},
        {"iv", "v_dev_v,i_a\n1,1e-3\n2,abc\n", "i_a"},
        {"osc", "t_s,v_in_v,v_osc_v\n0,12.5,0\n0,12.5,1\n", "t_s"},
        {"vf", "v_in_v,freq_hz\n8,1e5\n9,-1\n", "freq_hz"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char file[64], at[80], dir[64], out[600], csv[600];
        snprintf(file, sizeof file, "bad_%s.csv", bad[k].cmd);
        write_text(tmp(file), bad[k].text);
        snprintf(at, sizeof at, "%s:3:", file);
        snprintf(dir, sizeof dir, "bad_%s_out", bad[k].cmd);
        snprintf(out, sizeof out, "%s/x.csv", tmp(dir));
        snprintf(csv, sizeof csv, "%s", tmp(file));
        CHECK(REFUSES(at, bad[k].cmd, "--out", out, "--measured", csv));
        CHECK(strstr(err_text, bad[k].column) != NULL);
        CHECK(!exists(tmp(dir)));
    }
    /* the same in an existing directory: no CSV, no PNG, no _measured.csv */
    int before = entries();
    CHECK(REFUSES("bad_rt.csv:3:", "rt", "--out", tmp("r.csv"), "--measured", tmp("bad_rt.csv"), "--plot"));
    CHECK(entries() == before && !exists(tmp("r.png")) && !exists(tmp("r_measured.csv")));
    CHECK(REFUSES("no_such.csv", "vf", "--out", tmp("v.csv"), "--measured", tmp("no_such.csv")));
    CHECK(entries() == before);
}

/* vf --plot of a device with no oscillating point (zhang2024 at 3 kOhm) used to stop at
   gnuplot's "x range is invalid"; now the plots name it. */
static void test_vf_plot_without_oscillation(void)
{
    if (!need_gnuplot()) return;
    CHECK(vo2snn("vf", "--model", "zhang2024", "--v-step", "0.5", "--plot", "--out", tmp("vz.csv"), "--json",
                 NULL) == 0);
    CHECK(check_json_num(out_text, "points") == 0);
    CHECK(exists(tmp("vz.png")) && exists(tmp("vz_pf.png")));
    /* one device oscillating, one not */
    CHECK(vo2snn("vf", "--device-file", tmp("d1.txt"), "--device-file", tmp("dz.txt"), "--v-step", "1",
                 "--plot", "--out", tmp("vm.csv"), NULL) == 0);
    CHECK(exists(tmp("vm.png")) && exists(tmp("vm_pf.png")));
    CHECK(strstr(out_text, "no oscillation") != NULL);
}

/* iv of a model without temperature: the swept loop and the cycles, no S-curve. */
static void test_iv_without_temperature(void)
{
    CHECK(vo2snn("iv", "--model", "switch", "--out", tmp("sw.csv"), "--json", NULL) == 0);
    CHECK(strstr(out_text, "\"scurve_csv\": null") != NULL);
    CHECK(exists(tmp("sw.csv")) && exists(tmp("sw_cycles.csv")) && !exists(tmp("sw_scurve.csv")));
    CHECK(check_json_num(out_text, "v_on_v") > 0);
    CHECK(vo2snn("iv", "--model", "switch", "--out", tmp("sw.csv"), NULL) == 0);
    CHECK(strstr(out_text, "no steady-state S-curve") != NULL);
    if (!need_gnuplot()) return;
    CHECK(vo2snn("iv", "--model", "switch", "--out", tmp("sw2.csv"), "--plot", NULL) == 0);
    CHECK(exists(tmp("sw2.png")));
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    have_gnuplot = check_on_path("gnuplot");
    write_text(tmp("d1.txt"), "name = oscillating\npreset = 1\n");
    write_text(tmp("dz.txt"), "name = quiet\nmodel = zhang2024\n");
    RUN(test_rt_measured);
    RUN(test_iv_measured);
    RUN(test_osc_measured);
    RUN(test_vf_measured);
    RUN(test_bad_measured);
    RUN(test_vf_plot_without_oscillation);
    RUN(test_iv_without_temperature);
    remove_tree(tmpdir);
    return CHECK_DONE();
}
