/* cmd_cycles.c -- `vo2snn cycles`: cycle-to-cycle threshold variability over N I-V sweeps (Fig 2L). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"
#include "progress.h"
#include "vo2snn/json.h"

static const char *const cycle_cols[] = {"index", "vacancy_x", "cycle", "v_on_v", "v_off_v"};
static const char *const stats_cols[] = {"index", "vacancy_x", "cycles", "v_th_mean_v", "v_th_std_v",
                                         "v_th_cv", "v_th_min_v", "v_th_max_v", "v_th_p05_v",
                                         "v_th_p95_v", "v_hold_mean_v", "v_hold_std_v"};

int cmd_cycles(int argc, char **argv)
{
    const char *prog = "vo2snn cycles";
    cli_devices_args da = {0};
    vs_iv_opts io = vs_iv_opts_default();
    double sigma_lnr = 0.04, sigma_tc = 0.5;
    long seed = 1;
    const char *out = "out/cycles.csv";
    int json = 0, plot = 0;
    io.n_cycles = 1000;
    io.period_s = 1e-3;
    const opt_spec opts[] = {
        CLI_DEVICES_OPTS(da),
        {.name = "cycles", .kind = OPT_LONG, .metavar = "N", .help = "I-V sweeps per device", .dest = &io.n_cycles, .min = 2, .max = 10000000},
        {.name = "period", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "one triangular sweep", .dest = &io.period_s, .min = 1e-9, .max = 100},
        {.name = "v-max", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "sweep peak (default: 1.3 x V_th)", .dest = &io.v_max_v, .min = 0, .max = 1e4},
        {.name = "r-load", .kind = OPT_QUANTITY, .unit = "Ohm", .metavar = "R", .help = "series load (0 = voltage drive)", .dest = &io.r_load_ohm, .min = 0, .max = 1e12},
        {.name = "sigma-lnr", .kind = OPT_QUANTITY, .unit = "", .metavar = "S", .help = "jitter of ln R_ins0 per cycle (used when the device has none)", .dest = &sigma_lnr, .min = 0, .max = 2},
        {.name = "sigma-tc", .kind = OPT_QUANTITY, .unit = "K", .metavar = "K", .help = "jitter of T_c per cycle (used when the device has none)", .dest = &sigma_tc, .min = 0, .max = 50},
        {.name = "seed", .kind = OPT_LONG, .metavar = "N", .help = "RNG seed (device i uses stream i)", .dest = &seed, .min = 0, .max = 9.2e18},
        {.name = "out", .kind = OPT_STRING, .metavar = "CSV", .help = "per-cycle CSV; statistics go to <out>_stats.csv", .dest = &out},
        {.name = "json", .kind = OPT_FLAG, .help = "print the summary as one JSON object", .dest = &json},
        CLI_PLOT_OPTS(plot, "the cumulative threshold plot <out>.png"),
    };
    const opt_cmd cmd = {prog, "Threshold statistics over repeated I-V sweeps with cycle-to-cycle jitter (Fig 2L).",
        "Each cycle redraws R_ins0 (log-normal, --sigma-lnr) and T_c (normal, --sigma-tc)\n"
        "when the device re-arms (docs/models/vo2x.md section 4). V_th of a cycle is the source voltage\n"
        "where the switched fraction m crosses 0.5 upward, V_hold where it crosses back. Same\n"
        "--seed, same output.\n"
        "The jitter is vo2x's (sigma_lnr, sigma_tc): other models are refused.\n\n"
        CLI_DEVICES_HELP,
        opts, (int)(sizeof opts / sizeof opts[0]), 0};
    int rc = opt_parse(&cmd, argc, argv, NULL, NULL);
    if (rc != 0) return rc < 0 ? 1 : 0;
    cli_device_list list;
    if (cli_device_list_resolve(prog, &da, NULL, &list)) return 1;
    for (int i = 0; i < list.n; i++) {
        if (vs_model_param_index(list.p[i].model, "sigma_lnr") < 0 ||
            vs_model_param_index(list.p[i].model, "sigma_tc") < 0)
            return cli_error(prog, "%s: model %s has no cycle-to-cycle jitter (sigma_lnr, sigma_tc) "
                                   "to sample thresholds from", list.label[i], list.p[i].model->name);
        if (!vs_device_has_jitter(&list.p[i])) {
            if (vs_device_set_value(&list.p[i], "sigma_lnr", sigma_lnr) != VS_OK ||
                vs_device_set_value(&list.p[i], "sigma_tc", sigma_tc) != VS_OK)
                return cli_error(prog, "%s: %s", list.label[i], vs_last_error());
        }
    }
    if (cli_prepare_output(prog, out)) return 1;

    vs_iv_result res[CLI_MAX_DEVICES];
    vs_status st[CLI_MAX_DEVICES];
    char msg[CLI_MAX_DEVICES][300];
    memset(res, 0, sizeof res);
    cli_progress bar;
    progress_begin(&bar, "cycles");
    long done = 0;
#pragma omp parallel for schedule(dynamic, 1)
    for (int i = 0; i < list.n; i++) {
        vs_iv_opts o = io;
        o.seed = (uint64_t)seed * 1000003u + (uint64_t)i;
        st[i] = vs_iv_sweep(&list.p[i], &o, NULL, NULL, &res[i]);
        if (st[i] != VS_OK) snprintf(msg[i], sizeof msg[i], "%s: %s", list.label[i], vs_last_error());
#pragma omp critical(cycles_progress)
        progress_update(++done, list.n, &bar);
    }
    progress_end(&bar);
    int failed = 0;
    for (int i = 0; i < list.n && !failed; i++)
        if (st[i] != VS_OK) failed = cli_error(prog, "%s", msg[i]);

    char stats_path[4096], png[4096];
    cli_with_suffix(out, "_stats.csv", stats_path, sizeof stats_path);
    cli_with_suffix(out, ".png", png, sizeof png);
    vs_stats on[CLI_MAX_DEVICES], off[CLI_MAX_DEVICES];
    vs_csv *w = NULL, *ws = NULL;
    if (!failed && (vs_csv_open(out, cycle_cols, 5, &w) != VS_OK ||
                    vs_csv_open(stats_path, stats_cols, 12, &ws) != VS_OK))
        failed = cli_fail(prog);
    for (int i = 0; i < list.n && !failed; i++) {
        for (long c = 0; c < res[i].n_cycles && !failed; c++) {
            double row[5] = {i + 1, list.p[i].vacancy_x, (double)c, res[i].v_on_v[c], res[i].v_off_v[c]};
            if (vs_csv_row(w, row) != VS_OK) failed = cli_fail(prog);
        }
        on[i] = vs_stats_of(res[i].v_on_v, res[i].n_cycles);
        off[i] = vs_stats_of(res[i].v_off_v, res[i].n_cycles);
        double row[12] = {i + 1, list.p[i].vacancy_x, (double)on[i].n, on[i].mean, on[i].std,
                          on[i].std / on[i].mean, on[i].min, on[i].max, on[i].p05, on[i].p95,
                          off[i].mean, off[i].std};
        if (!failed && vs_csv_row(ws, row) != VS_OK) failed = cli_fail(prog);
    }
    for (int i = 0; i < list.n; i++) vs_iv_result_free(&res[i]);
    if (failed) {
        vs_csv_abort(w);
        vs_csv_abort(ws);
        return 1;
    }
    if (vs_csv_close(w) != VS_OK) return vs_csv_abort(ws), cli_fail(prog);
    if (vs_csv_close(ws) != VS_OK) return cli_fail(prog);
    if (plot) {
        char script[8192];
        size_t n = (size_t)snprintf(script, sizeof script,
            "set datafile separator ','\nset grid\nset key bottom right\n"
            "set title 'Threshold voltage over %ld cycles (cumulative)'\n"
            "set xlabel 'threshold voltage V_{th} (V)'\nset ylabel 'cumulative probability'\nset yrange [0:1]\nplot ",
            io.n_cycles);
        for (int i = 0; i < list.n && n < sizeof script; i++) {
            char title[2 * VS_NAME_MAX];
            cli_plot_quote(list.label[i], title, sizeof title);
            n += (size_t)snprintf(script + n, sizeof script - n,
                "'%s' every ::1 using ($1==%d?$4:1/0):(1) smooth cnormal with lines lw 2 lc rgb '%s' title '%s' noenhanced%s",
                out, i + 1, cli_colors[i % CLI_N_COLORS], title, i + 1 < list.n ? ", \\\n     " : "\n");
        }
        if (cli_plot(prog, script, png, 900, 600)) return 1;
    }
    if (json) {
        vs_json j;
        vs_json_begin(&j, stdout);
        vs_json_str(&j, "command", "cycles");
        vs_json_int(&j, "cycles", io.n_cycles);
        vs_json_array(&j, "devices");
        for (int i = 0; i < list.n; i++) {
            vs_json_object(&j, NULL);
            vs_json_str(&j, "device", list.label[i]);
            vs_json_str(&j, "model", list.p[i].model->name);
            vs_json_int(&j, "index", i + 1);
            vs_json_num(&j, "sigma_lnr", vs_device_get(&list.p[i], "sigma_lnr"));
            vs_json_num(&j, "sigma_tc_k", vs_device_get(&list.p[i], "sigma_tc"));
            vs_json_int(&j, "switched", on[i].n);
            vs_json_num(&j, "v_th_mean_v", on[i].mean);
            vs_json_num(&j, "v_th_std_v", on[i].std);
            vs_json_num(&j, "v_th_cv", on[i].std / on[i].mean);
            vs_json_num(&j, "v_th_min_v", on[i].min);
            vs_json_num(&j, "v_th_max_v", on[i].max);
            vs_json_num(&j, "v_th_p05_v", on[i].p05);
            vs_json_num(&j, "v_th_p95_v", on[i].p95);
            vs_json_num(&j, "v_hold_mean_v", off[i].mean);
            vs_json_num(&j, "v_hold_std_v", off[i].std);
            vs_json_close(&j);
        }
        vs_json_close(&j);
        vs_json_end(&j);
    } else {
        int lw = cli_label_width(&list);
        printf("%-*s %8s %9s %8s %7s %8s %8s %15s %10s\n", lw, "", "switched", "V_th mean", "std", "CV",
               "min", "max", "5-95 %", "V_hold std");
        for (int i = 0; i < list.n; i++)
            printf("%-*s %8ld %9.4f %8.4f %6.2f%% %8.4f %8.4f %7.3f-%7.3f %10.4f\n", lw, list.label[i],
                   on[i].n, on[i].mean, on[i].std, 100 * on[i].std / on[i].mean, on[i].min,
                   on[i].max, on[i].p05, on[i].p95, off[i].std);
        printf("wrote %s, %s%s%s\n", out, stats_path, plot ? ", " : "", plot ? png : "");
    }
    return 0;
}
