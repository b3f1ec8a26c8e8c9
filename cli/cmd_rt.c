/* cmd_rt.c -- `vo2snn rt`: resistance-temperature loop, heating and cooling branches (also
   as a function, cmd_rt.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_rt.h"
#include "commands.h"
#include "common.h"
#include "vo2snn/iv.h"
#include "vo2snn/json.h"
#include "vo2snn/measured.h"

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

#define PROG "vo2snn rt"

void rt_defaults(rt_args *a)
{
    *a = (rt_args){.dev = CLI_DEVICE_DEFAULTS, .t_lo = 290, .t_hi = 370, .points = 801,
                   .out = "out/rt.csv"};
}

/* Fill a from argv: CLI_GO_ON, or the exit status (cli_parse). */
static int parse_args(int argc, char **argv, rt_args *a)
{
    rt_defaults(a);
    const opt_spec opts[] = {
        CLI_DEVICE_OPTS(a->dev),
        {.name = "t-lo", .kind = OPT_QUANTITY, .unit = "K", .metavar = "T", .help = "lowest temperature", .dest = &a->t_lo, .min = 1, .max = 2000},
        {.name = "t-hi", .kind = OPT_QUANTITY, .unit = "K", .metavar = "T", .help = "highest temperature", .dest = &a->t_hi, .min = 1, .max = 2000},
        {.name = "points", .kind = OPT_LONG, .metavar = "N", .help = "temperatures per branch", .dest = &a->points, .min = 2, .max = 10000000},
        {.name = "film", .kind = OPT_FLAG, .help = "film display model (docs/models/vo2x.md 1.4: 10 kOhm x vacancy scaling, R_met 10 Ohm)", .dest = &a->film},
        CLI_OUTPUT_OPTS(a->out, "CSV", "output CSV path", a->json, a->plot, "<out>.png"),
        CLI_MEASURED_OPT(a->measured, "measured R-T file"),
    };
    int rc = cli_parse(PROG, "Resistance-temperature loop: heating from t-lo to t-hi, then cooling back.",
                         "Summary, relative to the model's own transition: R at ambient; the edges of\n"
                         "the transition on heating (switched fraction 1 % and 99 %), R there and the\n"
                         "jump = R(1 % edge)/R(99 % edge); the half-transition temperatures, where the\n"
                         "switched fraction crosses 0.5 on heating and on cooling back.\n"
                         "--measured FILE reads an R-T file (docs/measured-data.md) before anything runs\n"
                         "and draws its heating and cooling points over the loop; they are copied to\n"
                         "<out>_measured.csv (temp_k, r_ohm, branch), which the plot reads.",
        opts, CLI_N_OPTS(opts), argc, argv);
    a->plot = cli_measured_plot(a->plot, a->measured);
    return rc;
}

/* Check the temperature range, build the device (--film: its film model) and name the outputs. */
static int resolve(const char *prog, const rt_args *a, rt_result *r)
{
    if (cli_check_range(prog, "--t-lo", a->t_lo, "--t-hi", a->t_hi, "K")) return 1;
    if (cli_device_resolve(prog, &a->dev, &r->p)) return 1;
    if (a->film) vs_device_film(&r->p, &r->p);
    cli_with_suffix(a->out, ".png", r->png, sizeof r->png);
    char *label = r->label;
    cli_device_label(&r->p, label, sizeof r->label);
    if (a->film) snprintf(label + strlen(label), sizeof r->label - strlen(label), " (film model)");
    return 0;
}

/* Read --measured (one line naming file:line and column if it is wrong) and name its copy. */
static int read_measured(const char *prog, const rt_args *a, rt_result *r, vs_meas_rt *m)
{
    if (cli_measured_path(prog, a->out, r->measured_csv, sizeof r->measured_csv)) return 1;
    if (vs_meas_read_rt(a->measured, m) != VS_OK) return cli_error(prog, "--measured: %s", vs_last_error());
    r->measured_points = m->n;
    return 0;
}

/* The loop with the measured points over it: heating filled, cooling open. */
static int plot_measured(const char *prog, const rt_args *a, const rt_result *r, const vs_meas_rt *m)
{
    static const char *const cols[] = {"temp_k", "r_ohm", "branch"};
    static const char *const names[] = {"heating", "cooling"};
    if (cli_write_measured(prog, r->measured_csv, cols, 2, (const double *const[]){m->temp_k, m->r_ohm},
                           m->n, m->branch, names))
        return 1;
    char script[16384], series[8192];
    rt_plot_script(script, sizeof script, a->out, r->label);
    static const char *const style[] = {"pt 7 ps 0.9 lc rgb '#d62728'", "pt 6 ps 0.9 lc rgb '#1f77b4'"};
    for (int b = 0; b < 2; b++) {
        size_t k = 0;
        while (k < m->n && m->branch[k] != b) k++;
        if (k == m->n) continue;   /* no point on this branch: no empty series */
        snprintf(series, sizeof series,
                 "'%s' every ::1 using 1:(strcol(3) eq '%s' ? $2 : 1/0) with points %s "
                 "title 'measured, %s'", r->measured_csv, names[b], style[b], names[b]);
        cli_plot_append(script, sizeof script, series);
    }
    return cli_plot(prog, cli_measured_plot(a->plot, a->measured), script, r->png, 800, 600);
}

static int exec_with(const char *prog, const rt_args *a, rt_result *r, const vs_meas_rt *m)
{
    if (cli_prepare_output(prog, a->out)) return 1;
    if (rt_run(prog, &r->p, a->t_lo, a->t_hi, (size_t)a->points, a->out, &r->s)) return 1;
    if (a->measured) return plot_measured(prog, a, r, m);
    if (!a->plot) return 0;
    char script[2048];
    rt_plot_script(script, sizeof script, a->out, r->label);
    return cli_plot(prog, a->plot, script, r->png, 800, 600);
}

int rt_exec(const char *prog, const rt_args *a, rt_result *r)
{
    r->measured_csv[0] = '\0', r->measured_points = 0;
    if (resolve(prog, a, r)) return 1;
    vs_meas_rt m = {0};
    if (a->measured && read_measured(prog, a, r, &m)) return 1;
    int rc = exec_with(prog, a, r, &m);
    vs_meas_rt_free(&m);
    return rc;
}

void rt_json(FILE *f, const rt_args *a, const rt_result *r)
{
    const vs_rt_summary *s = &r->s;
    vs_json j;
    vs_json_begin(&j, f);
    vs_json_str(&j, "command", "rt");
    vs_json_str(&j, "device", r->label);
    vs_json_num(&j, "r_ambient_ohm", s->r_ambient_ohm);
    vs_json_num(&j, "t_edge_lo_k", s->t_edge_lo_k);
    vs_json_num(&j, "r_edge_lo_ohm", s->r_edge_lo_ohm);
    vs_json_num(&j, "t_edge_hi_k", s->t_edge_hi_k);
    vs_json_num(&j, "r_edge_hi_ohm", s->r_edge_hi_ohm);
    vs_json_num(&j, "jump_ratio", s->jump_ratio);
    vs_json_num(&j, "t_half_heating_k", s->t_half_heat_k);
    vs_json_num(&j, "t_half_cooling_k", s->t_half_cool_k);
    vs_json_num(&j, "thermal_hysteresis_k", s->t_half_heat_k - s->t_half_cool_k);
    vs_json_str(&j, "csv", a->out);
    vs_json_str(&j, "plot_png", cli_measured_plot(a->plot, a->measured) ? r->png : NULL);
    cli_json_measured(&j, a->measured, (long)r->measured_points, NULL, r->measured_csv);
    vs_json_end(&j);
}

static void print_text(const rt_args *a, const rt_result *r)
{
    const vs_rt_summary *s = &r->s;
    printf("%s: R(%g K) %.4g Ohm; transition %.4g-%.4g K on heating, jump R(%.4g K)/R(%.4g K) = "
           "%.4g/%.4g Ohm = %.3g\n", r->label, vs_device_ambient(&r->p), s->r_ambient_ohm,
           s->t_edge_lo_k, s->t_edge_hi_k, s->t_edge_lo_k, s->t_edge_hi_k, s->r_edge_lo_ohm,
           s->r_edge_hi_ohm, s->jump_ratio);
    printf("  half transition: heating %.4g K, cooling %.4g K (hysteresis %.3g K)\n",
           s->t_half_heat_k, s->t_half_cool_k, s->t_half_heat_k - s->t_half_cool_k);
    if (a->measured)
        printf("measured: %s, %zu points\n", a->measured, r->measured_points);
    printf("wrote %s%s%s%s%s\n", a->out, a->measured ? ", " : "", a->measured ? r->measured_csv : "",
           a->plot ? ", " : "", a->plot ? r->png : "");
}

int cmd_rt(int argc, char **argv)
{
    rt_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_GO_ON) return rc;
    static rt_result r;
    if (rt_exec(PROG, &a, &r)) return 1;
    if (a.json)
        rt_json(stdout, &a, &r);
    else
        print_text(&a, &r);
    return 0;
}
