/* cmd_rt.c -- `vo2snn rt`: resistance-temperature loop, heating and cooling branches. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"
#include "vo2snn/iv.h"
#include "vo2snn/json.h"

static const char *const rt_cols[] = {"temp_k", "r_heat_ohm", "r_cool_ohm"};

int rt_run(const char *prog, const vs_device_params *p, double t_lo, double t_hi, size_t n,
           const char *path, vs_rt_summary *out)
{
    double *t = malloc(3 * n * sizeof *t);
    if (!t) return cli_error(prog, "out of memory for %zu temperatures", n);
    double *rh = t + n, *rc = t + 2 * n;
    if (vs_rt_loop(p, t_lo, t_hi, n, t, rh, rc) != VS_OK) return free(t), cli_fail(prog);
    vs_csv *w;
    if (vs_csv_open(path, rt_cols, 3, &w) != VS_OK) return free(t), cli_fail(prog);
    for (size_t i = 0; i < n; i++) {
        double row[3] = {t[i], rh[i], rc[i]};
        if (vs_csv_row(w, row) != VS_OK) {
            vs_csv_abort(w);
            return free(t), cli_fail(prog);
        }
    }
    if (vs_csv_close(w) != VS_OK) return free(t), cli_fail(prog);

    if (vs_rt_summarize(p, out) != VS_OK) return free(t), cli_fail(prog);
    free(t);
    return 0;
}

void rt_plot_script(char *buf, size_t n, const char *csv, const char *title)
{
    snprintf(buf, n,
             "set datafile separator ','\nset title '%s'\n"
             "set xlabel 'temperature (K)'\nset ylabel 'resistance (Ohm)'\nset logscale y\n"
             "set grid\nset key top right\n"
             "plot '%s' every ::1 using 1:2 with lines lw 2 lc rgb '#d62728' title 'heating', \\\n"
             "     '%s' every ::1 using 1:3 with lines lw 2 lc rgb '#1f77b4' title 'cooling'\n",
             title, csv, csv);
}

int cmd_rt(int argc, char **argv)
{
    const char *prog = "vo2snn rt";
    cli_device_args dev_args = CLI_DEVICE_DEFAULTS;
    double t_lo = 290, t_hi = 370;
    long points = 801;
    const char *out = "out/rt.csv";
    int film = 0, json = 0, plot = 0;
    const opt_spec opts[] = {
        CLI_DEVICE_OPTS(dev_args),
        {.name = "t-lo", .kind = OPT_QUANTITY, .unit = "K", .metavar = "T", .help = "lowest temperature", .dest = &t_lo, .min = 1, .max = 2000},
        {.name = "t-hi", .kind = OPT_QUANTITY, .unit = "K", .metavar = "T", .help = "highest temperature", .dest = &t_hi, .min = 1, .max = 2000},
        {.name = "points", .kind = OPT_LONG, .metavar = "N", .help = "temperatures per branch", .dest = &points, .min = 2, .max = 10000000},
        {.name = "film", .kind = OPT_FLAG, .help = "film display model (docs/models/vo2x.md 1.4: 10 kOhm x vacancy scaling, R_met 10 Ohm)", .dest = &film},
        {.name = "out", .kind = OPT_STRING, .metavar = "CSV", .help = "output CSV path", .dest = &out},
        {.name = "json", .kind = OPT_FLAG, .help = "print the summary as one JSON object", .dest = &json},
        CLI_PLOT_OPTS(plot, "<out>.png"),
    };
    const opt_cmd cmd = {prog, "Resistance-temperature loop: heating from t-lo to t-hi, then cooling back.",
                         "Summary, relative to the model's own transition: R at ambient; the edges of\n"
                         "the transition on heating (switched fraction 1 % and 99 %), R there and the\n"
                         "jump = R(1 % edge)/R(99 % edge); the half-transition temperatures, where the\n"
                         "switched fraction crosses 0.5 on heating and on cooling back.",
                         opts, (int)(sizeof opts / sizeof opts[0]), 0};
    int rc = opt_parse(&cmd, argc, argv, NULL, NULL);
    if (rc != 0) return rc < 0 ? 1 : 0;
    if (cli_check_range(prog, "--t-lo", t_lo, "--t-hi", t_hi, "K")) return 1;

    vs_device_params p;
    if (cli_device_resolve(prog, &dev_args, &p)) return 1;
    if (film) vs_device_film(&p, &p);
    char png[4096], label[96];
    cli_with_suffix(out, ".png", png, sizeof png);
    cli_device_label(&p, label, sizeof label);
    if (film) snprintf(label + strlen(label), sizeof label - strlen(label), " (film model)");
    if (cli_prepare_output(prog, out)) return 1;
    vs_rt_summary s;
    if (rt_run(prog, &p, t_lo, t_hi, (size_t)points, out, &s)) return 1;
    if (plot) {
        char script[2048];
        rt_plot_script(script, sizeof script, out, label);
        if (cli_plot(prog, script, png, 800, 600)) return 1;
    }
    if (json) {
        vs_json j;
        vs_json_begin(&j, stdout);
        vs_json_str(&j, "command", "rt");
        vs_json_str(&j, "device", label);
        vs_json_num(&j, "r_ambient_ohm", s.r_ambient_ohm);
        vs_json_num(&j, "t_edge_lo_k", s.t_edge_lo_k);
        vs_json_num(&j, "r_edge_lo_ohm", s.r_edge_lo_ohm);
        vs_json_num(&j, "t_edge_hi_k", s.t_edge_hi_k);
        vs_json_num(&j, "r_edge_hi_ohm", s.r_edge_hi_ohm);
        vs_json_num(&j, "jump_ratio", s.jump_ratio);
        vs_json_num(&j, "t_half_heating_k", s.t_half_heat_k);
        vs_json_num(&j, "t_half_cooling_k", s.t_half_cool_k);
        vs_json_num(&j, "thermal_hysteresis_k", s.t_half_heat_k - s.t_half_cool_k);
        vs_json_str(&j, "csv", out);
        vs_json_str(&j, "plot_png", plot ? png : NULL);
        vs_json_end(&j);
    } else {
        printf("%s: R(%g K) %.4g Ohm; transition %.4g-%.4g K on heating, jump R(%.4g K)/R(%.4g K) = "
               "%.4g/%.4g Ohm = %.3g\n", label, vs_device_ambient(&p), s.r_ambient_ohm, s.t_edge_lo_k,
               s.t_edge_hi_k, s.t_edge_lo_k, s.t_edge_hi_k, s.r_edge_lo_ohm, s.r_edge_hi_ohm, s.jump_ratio);
        printf("  half transition: heating %.4g K, cooling %.4g K (hysteresis %.3g K)\n",
               s.t_half_heat_k, s.t_half_cool_k, s.t_half_heat_k - s.t_half_cool_k);
        printf("wrote %s%s%s\n", out, plot ? ", " : "", plot ? png : "");
    }
    return 0;
}
