/* cmd_triple.c -- `vo2snn triple`: triple points across devices or vacancy levels (Fig 3J). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmd_triple.h"
#include "commands.h"
#include "common.h"
#include "progress.h"
#include "vo2snn/json.h"
#include "vo2snn/sweep.h"

static const char *const cols[] = {"index", "vacancy_x", "r_series_star_ohm", "v_in_star_v",
                                   "chord_r_series_star_ohm", "chord_v_in_star_v"};

/* The x axis: the vacancy level (column 2) if every device has one, else the device's index
   (column 1) with its label as the tick. */
static size_t plot_x_axis(char *buf, size_t n, const cli_device_list *list, const char **col)
{
    int all_x = 1;
    for (int i = 0; i < list->n; i++) all_x &= !isnan(list->p[i].vacancy_x);
    *col = all_x ? "2" : "1";
    if (all_x) return (size_t)snprintf(buf, n, "set xlabel 'oxygen-vacancy level x (device = 4x + 1)'\n");
    size_t k = (size_t)snprintf(buf, n, "set xlabel 'device'\nset xrange [0.5:%d.5]\nset xtics noenhanced (", list->n);
    for (int i = 0; i < list->n && k < n; i++) {
        char q[2 * VS_NAME_MAX];
        cli_plot_quote(list->label[i], q, sizeof q);
        k += (size_t)snprintf(buf + k, n - k, "%s'%s' %d", i ? ", " : "", q, i + 1);
    }
    if (k < n) k += (size_t)snprintf(buf + k, n - k, ")\n");
    return k;
}

static void plot_script(char *buf, size_t n, const cli_device_list *list, double c_f, const char *csv)
{
    const char *x;
    size_t k = (size_t)snprintf(buf, n, "set datafile separator ','\nset title 'Triple points (C = %g nF)'\n", c_f * 1e9);
    if (k < n) k += plot_x_axis(buf + k, n - k, list, &x);
    if (k < n)
        snprintf(buf + k, n - k,
                 "set ylabel 'R_s* (kOhm)' tc rgb '#1f77b4'\n"
                 "set y2label 'V_{in}* (V)' tc rgb '#d62728'\nset ytics nomirror\nset y2tics\nset grid\nset key top right\n"
                 "plot '%s' every ::1 using %s:($3/1e3) with linespoints pt 7 ps 1.5 lw 2 lc rgb '#1f77b4' title 'R_s*', \\\n"
                 "     '' every ::1 using %s:($5/1e3) with lines dt 2 lc rgb '#1f77b4' title 'R_s* chord', \\\n"
                 "     '' every ::1 using %s:4 axes x1y2 with linespoints pt 5 ps 1.5 lw 2 lc rgb '#d62728' title 'V_{in}*', \\\n"
                 "     '' every ::1 using %s:6 axes x1y2 with lines dt 2 lc rgb '#d62728' title 'V_{in}* chord'\n",
                 csv, x, x, x, x);
}

/* Fill a from argv: CLI_GO_ON, or the exit status (cli_parse). */
void triple_defaults(triple_args *a)
{
    *a = (triple_args){.circ = vs_circuit_default(), .co = vs_classify_opts_default(),
                       .tol_r = 1e-3, .tol_v = 5e-3, .out = "out/triple.csv"};
}

/* Fill a from argv: CLI_GO_ON, or the exit status (cli_parse). */
static int parse_args(int argc, char **argv, const char *prog, triple_args *a)
{
    triple_defaults(a);
    const opt_spec opts[] = {
        CLI_DEVICES_OPTS(a->da),
        CLI_CAP_SENSE_OPTS(a->circ),
        {.name = "t-end", .alias = "t-run", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "simulated time per classification", .dest = &a->co.t_run_s, .min = 1e-9, .max = 1},
        {.name = "tol-r", .kind = OPT_QUANTITY, .unit = "", .metavar = "F", .help = "relative tolerance of R_s*", .dest = &a->tol_r, .min = 1e-9, .max = 0.5},
        {.name = "tol-v", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "tolerance of the window edge", .dest = &a->tol_v, .min = 1e-9, .max = 1},
        CLI_OUTPUT_OPTS(a->out, "CSV", "output CSV path", a->json, a->plot, "<out>.png"),
    };
    return cli_parse(prog, "Triple points (R_s*, V_in*) where un-firing, oscillating and firing meet (Fig 3J).",
        "R_s* is the smallest series resistance whose oscillation window is non-empty\n"
        "(V_A + 2 tol-v oscillates, V_A the lowest V_in that is not un-firing), found by\n"
        "bisection; V_in* = V_A there (docs/models/vo2x.md A6). The chord columns are the analytic\n"
        "load-line estimate (docs/models/vo2x.md 3.2). Devices run in parallel. The plot's x axis is the\n"
        "vacancy level, or the device (by label) when a device has none.\n\n"
        CLI_DEVICES_HELP,
        opts, CLI_N_OPTS(opts), argc, argv);
}

static int write_csv(const char *prog, const char *out, const cli_device_list *list,
                     const vs_triple *tp, const vs_triple *chord)
{
    vs_csv *w;
    if (vs_csv_open(out, cols, 6, &w) != VS_OK) return cli_fail(prog);
    for (int i = 0; i < list->n; i++) {
        double row[6] = {i + 1, list->p[i].vacancy_x, tp[i].r_s_ohm, tp[i].v_in_v, chord[i].r_s_ohm, chord[i].v_in_v};
        if (vs_csv_row(w, row) != VS_OK) return vs_csv_abort(w), cli_fail(prog);
    }
    return vs_csv_close(w) != VS_OK ? cli_fail(prog) : 0;
}

void triple_json(FILE *f, const triple_result *r)
{
    const cli_device_list *list = &r->list;
    const vs_triple *tp = r->tp, *chord = r->chord;
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_str(&j, "command", "triple");
    vs_json_array(&j, "devices");
    for (int i = 0; i < list->n; i++) {
        vs_json_object(&j, NULL);
        vs_json_str(&j, "device", list->label[i]);
        vs_json_str(&j, "model", list->p[i].model->name);
        vs_json_int(&j, "index", i + 1);
        vs_json_num(&j, "vacancy_x", list->p[i].vacancy_x);
        vs_json_num(&j, "r_series_star_ohm", tp[i].r_s_ohm);
        vs_json_num(&j, "v_in_star_v", tp[i].v_in_v);
        vs_json_num(&j, "chord_r_series_star_ohm", chord[i].r_s_ohm);
        vs_json_num(&j, "chord_v_in_star_v", chord[i].v_in_v);
        vs_json_close(&j);
    }
    vs_json_close(&j);
    vs_json_end(&j);
}

static void print_text(const cli_device_list *list, const vs_triple *tp, const vs_triple *chord,
                       const char *out, int plot, const char *png)
{
    int lw = cli_label_width(list);
    printf("%-*s %10s %10s   %10s %10s\n", lw, "", "R_s* (Ohm)", "V_in* (V)", "chord R_s*", "chord V*");
    for (int i = 0; i < list->n; i++)
        printf("%-*s %10.1f %10.3f   %10.1f %10.3f\n", lw, list->label[i], tp[i].r_s_ohm,
               tp[i].v_in_v, chord[i].r_s_ohm, chord[i].v_in_v);
    printf("wrote %s%s%s\n", out, plot ? ", " : "", plot ? png : "");
}

int triple_exec(const char *prog, const triple_args *a, triple_result *r)
{
    if (cli_device_list_resolve(prog, &a->da, NULL, &r->list)) return 1;
    if (cli_prepare_output(prog, a->out)) return 1;
    vs_status st[CLI_MAX_DEVICES];
    cli_progress bar;
    progress_begin(&bar, "triple");
    vs_status s = vs_triple_points(r->list.p, r->list.n, &a->circ, &a->co, a->tol_r, a->tol_v,
                                   progress_update, &bar, r->tp, r->chord, st);
    progress_end(&bar);
    for (int i = 0; s != VS_OK && i < r->list.n; i++)
        if (st[i] != VS_OK) return cli_error(prog, "%s: %s", r->list.label[i], vs_last_error());
    if (write_csv(prog, a->out, &r->list, r->tp, r->chord)) return 1;
    char png[4096], script[16384];
    cli_with_suffix(a->out, ".png", png, sizeof png);
    plot_script(script, sizeof script, &r->list, a->circ.c_f, a->out);
    return cli_plot(prog, a->plot, script, png, 900, 600);
}

int cmd_triple(int argc, char **argv)
{
    const char *prog = "vo2snn triple";
    triple_args a;
    int rc = parse_args(argc, argv, prog, &a);
    if (rc != CLI_GO_ON) return rc;
    static triple_result r;
    if (triple_exec(prog, &a, &r)) return 1;
    char png[4096];
    cli_with_suffix(a.out, ".png", png, sizeof png);
    if (a.json)
        triple_json(stdout, &r);
    else
        print_text(&r.list, r.tp, r.chord, a.out, a.plot, png);
    return 0;
}
