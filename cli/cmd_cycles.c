/* cmd_cycles.c -- `vo2snn cycles`: cycle-to-cycle threshold variability over N I-V sweeps (Fig 2L). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_cycles.h"
#include "commands.h"
#include "common.h"
#include "progress.h"
#include "vo2snn/json.h"

static const char *const cycle_cols[] = {"index", "vacancy_x", "cycle", "v_on_v", "v_off_v"};
static const char *const stats_cols[] = {"index", "vacancy_x", "cycles", "v_th_mean_v", "v_th_std_v",
                                         "v_th_cv", "v_th_min_v", "v_th_max_v", "v_th_p05_v",
                                         "v_th_p95_v", "v_hold_mean_v", "v_hold_std_v"};

void cycles_defaults(cycles_args *a)
{
    *a = (cycles_args){.io = vs_iv_opts_default(), .sigma_lnr = 0.04, .sigma_tc = 0.5, .seed = 1,
                       .out = "out/cycles.csv"};
    a->io.n_cycles = 1000;
    a->io.period_s = 1e-3;
}

/* Fill a from argv: CLI_GO_ON, or the exit status (cli_parse). */
static int parse_args(int argc, char **argv, const char *prog, cycles_args *a)
{
    cycles_defaults(a);
    const opt_spec opts[] = {
        CLI_DEVICES_OPTS(a->da),
        {.name = "cycles", .kind = OPT_LONG, .metavar = "N", .help = "I-V sweeps per device", .dest = &a->io.n_cycles, .min = 2, .max = 10000000},
        {.name = "period", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "one triangular sweep", .dest = &a->io.period_s, .min = 1e-9, .max = 100},
        {.name = "v-max", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "sweep peak (default: 1.3 x V_th)", .dest = &a->io.v_max_v, .min = 0, .max = 1e4},
        {.name = "r-load", .kind = OPT_QUANTITY, .unit = "Ohm", .metavar = "R", .help = "series load (0 = voltage drive)", .dest = &a->io.r_load_ohm, .min = 0, .max = 1e12},
        {.name = "sigma-lnr", .kind = OPT_QUANTITY, .unit = "", .metavar = "S", .help = "jitter of ln R_ins0 per cycle (used when the device has none)", .dest = &a->sigma_lnr, .min = 0, .max = 2},
        {.name = "sigma-tc", .kind = OPT_QUANTITY, .unit = "K", .metavar = "K", .help = "jitter of T_c per cycle (used when the device has none)", .dest = &a->sigma_tc, .min = 0, .max = 50},
        {.name = "seed", .kind = OPT_LONG, .metavar = "N", .help = "RNG seed (device i uses stream i)", .dest = &a->seed, .min = 0, .max = 9.2e18},
        CLI_OUTPUT_OPTS(a->out, "CSV", "per-cycle CSV; statistics go to <out>_stats.csv", a->json, a->plot, "the cumulative threshold plot <out>.png"),
    };
    return cli_parse(prog, "Threshold statistics over repeated I-V sweeps with cycle-to-cycle jitter (Fig 2L).",
        "Each cycle redraws R_ins0 (log-normal, --sigma-lnr) and T_c (normal, --sigma-tc)\n"
        "when the device re-arms (docs/models/vo2x.md section 4). V_th of a cycle is the source voltage\n"
        "where the switched fraction m crosses 0.5 upward, V_hold where it crosses back. Same\n"
        "--seed, same output.\n"
        "The jitter is vo2x's (sigma_lnr, sigma_tc): other models are refused.\n\n"
        CLI_DEVICES_HELP,
        opts, CLI_N_OPTS(opts), argc, argv);
}

/* Refuses models without jitter; gives devices without any the --sigma-* values. */
static int apply_jitter(const char *prog, const cycles_args *a, cli_device_list *list)
{
    for (int i = 0; i < list->n; i++) {
        vs_device_params *p = &list->p[i];
        if (vs_model_param_index(p->model, "sigma_lnr") < 0 || vs_model_param_index(p->model, "sigma_tc") < 0)
            return cli_error(prog, "%s: model %s has no cycle-to-cycle jitter (sigma_lnr, sigma_tc) "
                                   "to sample thresholds from", list->label[i], p->model->name);
        if (!vs_device_has_jitter(p) &&
            (vs_device_set_value(p, "sigma_lnr", a->sigma_lnr) != VS_OK ||
             vs_device_set_value(p, "sigma_tc", a->sigma_tc) != VS_OK))
            return cli_error(prog, "%s: %s", list->label[i], vs_last_error());
    }
    return 0;
}

/* Device i's statistics over its cycles, and the jitter it ran with. */
static cycles_device device_stats(const vs_device_params *p, const vs_iv_result *res)
{
    cycles_device d = {.sigma_lnr = vs_device_get(p, "sigma_lnr"), .sigma_tc_k = vs_device_get(p, "sigma_tc"),
                       .v_th = vs_stats_of(res->v_on_v, res->n_cycles),
                       .v_hold = vs_stats_of(res->v_off_v, res->n_cycles)};
    d.v_th_cv = d.v_th.std / d.v_th.mean;
    return d;
}

/* The per-cycle CSV and the statistics CSV; dev[i] gets each device's statistics. */
static int write_csvs(const char *prog, const char *out, const char *stats_path,
                      const cli_device_list *list, const vs_iv_result *res, cycles_device *dev)
{
    vs_csv *w = NULL, *ws = NULL;
    if (vs_csv_open(out, cycle_cols, 5, &w) != VS_OK) return cli_fail(prog);
    if (vs_csv_open(stats_path, stats_cols, 12, &ws) != VS_OK) return cli_fail(prog), vs_csv_abort(w), 1;
    int failed = 0;
    for (int i = 0; i < list->n && !failed; i++) {
        for (long c = 0; c < res[i].n_cycles && !failed; c++) {
            double row[5] = {i + 1, list->p[i].vacancy_x, (double)c, res[i].v_on_v[c], res[i].v_off_v[c]};
            failed = vs_csv_row(w, row) != VS_OK;
        }
        dev[i] = device_stats(&list->p[i], &res[i]);
        const vs_stats *on = &dev[i].v_th, *off = &dev[i].v_hold;
        double row[12] = {i + 1, list->p[i].vacancy_x, (double)on->n, on->mean, on->std,
                          dev[i].v_th_cv, on->min, on->max, on->p05, on->p95, off->mean, off->std};
        if (!failed) failed = vs_csv_row(ws, row) != VS_OK;
    }
    if (failed) return cli_fail(prog), vs_csv_abort(w), vs_csv_abort(ws), 1;
    if (vs_csv_close(w) != VS_OK) return vs_csv_abort(ws), cli_fail(prog);
    return vs_csv_close(ws) != VS_OK ? cli_fail(prog) : 0;
}

static int plot_thresholds(const char *prog, int plot, const cli_device_list *list, long n_cycles,
                           const char *out, const char *png)
{
    char script[8192];
    size_t n = (size_t)snprintf(script, sizeof script,
        "set datafile separator ','\nset grid\nset key bottom right\n"
        "set title 'Threshold voltage over %ld cycles (cumulative)'\n"
        "set xlabel 'threshold voltage V_{th} (V)'\nset ylabel 'cumulative probability'\nset yrange [0:1]\nplot ",
        n_cycles);
    for (int i = 0; i < list->n && n < sizeof script; i++) {
        char title[2 * VS_NAME_MAX];
        cli_plot_quote(list->label[i], title, sizeof title);
        n += (size_t)snprintf(script + n, sizeof script - n,
            "'%s' every ::1 using ($1==%d?$4:1/0):(1) smooth cnormal with lines lw 2 lc rgb '%s' title '%s' noenhanced%s",
            out, i + 1, cli_colors[i % CLI_N_COLORS], title, i + 1 < list->n ? ", \\\n     " : "\n");
    }
    return cli_plot(prog, plot, script, png, 900, 600);
}

void cycles_json(FILE *f, const cycles_result *r)
{
    const cli_device_list *list = &r->list;
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_str(&j, "command", "cycles");
    vs_json_int(&j, "cycles", r->n_cycles);
    vs_json_array(&j, "devices");
    for (int i = 0; i < list->n; i++) {
        const cycles_device *d = &r->dev[i];
        vs_json_object(&j, NULL);
        vs_json_str(&j, "device", list->label[i]);
        vs_json_str(&j, "model", list->p[i].model->name);
        vs_json_int(&j, "index", i + 1);
        vs_json_num(&j, "sigma_lnr", d->sigma_lnr);
        vs_json_num(&j, "sigma_tc_k", d->sigma_tc_k);
        vs_json_int(&j, "switched", d->v_th.n);
        vs_json_num(&j, "v_th_mean_v", d->v_th.mean);
        vs_json_num(&j, "v_th_std_v", d->v_th.std);
        vs_json_num(&j, "v_th_cv", d->v_th_cv);
        vs_json_num(&j, "v_th_min_v", d->v_th.min);
        vs_json_num(&j, "v_th_max_v", d->v_th.max);
        vs_json_num(&j, "v_th_p05_v", d->v_th.p05);
        vs_json_num(&j, "v_th_p95_v", d->v_th.p95);
        vs_json_num(&j, "v_hold_mean_v", d->v_hold.mean);
        vs_json_num(&j, "v_hold_std_v", d->v_hold.std);
        vs_json_close(&j);
    }
    vs_json_close(&j);
    vs_json_end(&j);
}

static void print_text(const cycles_args *a, const cycles_result *r)
{
    const cli_device_list *list = &r->list;
    int lw = cli_label_width(list);
    printf("%-*s %8s %9s %8s %7s %8s %8s %15s %10s\n", lw, "", "switched", "V_th mean", "std", "CV",
           "min", "max", "5-95 %", "V_hold std");
    for (int i = 0; i < list->n; i++) {
        const vs_stats *on = &r->dev[i].v_th;
        printf("%-*s %8ld %9.4f %8.4f %6.2f%% %8.4f %8.4f %7.3f-%7.3f %10.4f\n", lw, list->label[i],
               on->n, on->mean, on->std, 100 * on->std / on->mean, on->min, on->max, on->p05,
               on->p95, r->dev[i].v_hold.std);
    }
    printf("wrote %s, %s%s%s\n", a->out, r->stats_csv, a->plot ? ", " : "", a->plot ? r->png : "");
}

/* Sweeps every device (in parallel, in the library); 1 after the first failure's message. */
static int run_sweeps(const char *prog, const cycles_args *a, const cli_device_list *list, vs_iv_result *res)
{
    vs_status st[CLI_MAX_DEVICES];
    vs_iv_opts o = a->io;
    o.seed = (uint64_t)a->seed;
    cli_progress bar;
    progress_begin(&bar, "cycles");
    vs_status s = vs_iv_sweep_devices(list->p, list->n, &o, progress_update, &bar, res, st);
    progress_end(&bar);
    for (int i = 0; s != VS_OK && i < list->n; i++)
        if (st[i] != VS_OK) return cli_error(prog, "%s: %s", list->label[i], vs_last_error());
    return 0;
}

int cycles_exec(const char *prog, const cycles_args *a, cycles_result *r)
{
    memset(r, 0, sizeof *r);
    if (cli_device_list_resolve(prog, &a->da, NULL, &r->list)) return 1;
    if (apply_jitter(prog, a, &r->list)) return 1;
    if (cli_prepare_output(prog, a->out)) return 1;
    r->n_cycles = a->io.n_cycles;
    cli_with_suffix(a->out, "_stats.csv", r->stats_csv, sizeof r->stats_csv);
    cli_with_suffix(a->out, ".png", r->png, sizeof r->png);

    vs_iv_result res[CLI_MAX_DEVICES];
    int failed = run_sweeps(prog, a, &r->list, res);
    if (!failed) failed = write_csvs(prog, a->out, r->stats_csv, &r->list, res, r->dev);
    for (int i = 0; i < r->list.n; i++) vs_iv_result_free(&res[i]);
    if (failed) return 1;
    return a->plot ? plot_thresholds(prog, a->plot, &r->list, r->n_cycles, a->out, r->png) : 0;
}

int cmd_cycles(int argc, char **argv)
{
    const char *prog = "vo2snn cycles";
    cycles_args a;
    int rc = parse_args(argc, argv, prog, &a);
    if (rc != CLI_GO_ON) return rc;
    static cycles_result r;
    if (cycles_exec(prog, &a, &r)) return 1;
    if (a.json)
        cycles_json(stdout, &r);
    else
        print_text(&a, &r);
    return 0;
}
