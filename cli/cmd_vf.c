/* cmd_vf.c -- `vo2snn vf`: frequency vs input voltage and power vs frequency (Fig 3K/3L). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"
#include "progress.h"
#include "vo2snn/json.h"
#include "vo2snn/sweep.h"

static const char *const cols[] = {"index", "vacancy_x", "v_in_v", "freq_hz", "p_in_w",
                                   "e_in_per_spike_j", "v_osc_pp_v"};

typedef struct vf_summary {
    double v_a, v_b, f_min, f_max, v_at_f_max, p_min, p_max, p_at_f_ref;
    long n;
} vf_summary;

/* Power at frequency f_ref on the rising branch (first crossing), linear interpolation. */
static double power_at(const vs_point *pts, const double *v, long n, double f_ref)
{
    (void)v;
    for (long k = 1; k < n; k++) {
        double f0 = pts[k - 1].freq_hz, f1 = pts[k].freq_hz;
        if (pts[k - 1].regime != VS_OSCILLATING || pts[k].regime != VS_OSCILLATING) continue;
        if (f0 <= f_ref && f1 >= f_ref && f1 > f0)
            return pts[k - 1].p_in_w + (pts[k].p_in_w - pts[k - 1].p_in_w) * (f_ref - f0) / (f1 - f0);
    }
    return NAN;
}

/* One fixed end (--v-min or --v-max) beyond the other edge of a device's window: an empty
   sweep, refused rather than reported as "no oscillation". Returns 1 after the message. */
static int fixed_end_outside(const char *prog, const char *label, double v_min, double v_max,
                             double lo_edge, double hi_edge)
{
    if (isnan(v_max) && !isnan(v_min) && !(v_min < hi_edge))
        return cli_error(prog, "--v-min (%g V) must be below the upper window edge of %s (%.3f V)",
                         v_min, label, hi_edge);
    if (isnan(v_min) && !isnan(v_max) && !(lo_edge < v_max))
        return cli_error(prog, "--v-max (%g V) must be above the lower window edge of %s (%.3f V)",
                         v_max, label, lo_edge);
    return 0;
}

int cmd_vf(int argc, char **argv)
{
    const char *prog = "vo2snn vf";
    cli_devices_args da = {0};
    vs_circuit circ = vs_circuit_default();
    vs_classify_opts co = vs_classify_opts_default();
    double v_step = 0.1, v_min = NAN, v_max = NAN, f_ref = 145e3;
    const char *out = "out/vf.csv";
    int json = 0, plot = 0;
    const opt_spec opts[] = {
        CLI_DEVICES_OPTS(da),
        CLI_CIRCUIT_OPTS(circ),
        {.name = "v-step", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "voltage step across each device's window", .dest = &v_step, .min = 1e-4, .max = 100},
        {.name = "v-min", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "fixed lower end instead of the window edge", .dest = &v_min, .min = -1e4, .max = 1e4},
        {.name = "v-max", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "fixed upper end instead of the window edge", .dest = &v_max, .min = -1e4, .max = 1e4},
        {.name = "t-run", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "simulated time per point (second half measured)", .dest = &co.t_run_s, .min = 1e-9, .max = 1},
        {.name = "f-ref", .kind = OPT_QUANTITY, .unit = "Hz", .metavar = "F", .help = "frequency at which powers are compared", .dest = &f_ref, .min = 1, .max = 1e12},
        {.name = "out", .kind = OPT_STRING, .metavar = "CSV", .help = "output CSV path", .dest = &out},
        {.name = "json", .kind = OPT_FLAG, .help = "print the summary as one JSON object", .dest = &json},
        CLI_PLOT_OPTS(plot, "<out>.png (f vs V) and <out>_pf.png (P vs f)"),
    };
    const opt_cmd cmd = {prog, "Spike frequency vs dc input voltage and source power vs frequency, per device.",
        "Each device is swept across its own oscillation window at --r-series (edges by\n"
        "bisection to 5 mV, docs/models/vo2x.md A5) in --v-step steps; only oscillating points are\n"
        "written. The curves are dome-shaped: f rises from the un-firing edge, peaks\n"
        "and falls toward the firing edge (docs/models/vo2x.md 3.3). Energy per spike = P_in / f.\n\n"
        CLI_DEVICES_HELP,
        opts, (int)(sizeof opts / sizeof opts[0]), 0};
    int rc = opt_parse(&cmd, argc, argv, NULL, NULL);
    if (rc != 0) return rc < 0 ? 1 : 0;
    if (cli_check_range(prog, "--v-min", v_min, "--v-max", v_max, "V")) return 1;
    if (vs_circuit_validate(&circ) != VS_OK) return cli_fail(prog);
    cli_device_list list;
    if (cli_device_list_resolve(prog, &da, NULL, &list)) return 1;
    if (cli_prepare_output(prog, out)) return 1;

    vf_summary sum[CLI_MAX_DEVICES];
    vs_point *pts[CLI_MAX_DEVICES] = {0};
    double *volts[CLI_MAX_DEVICES] = {0};
    cli_progress bar;
    progress_begin(&bar, "vf");
    int failed = 0;
    for (int i = 0; i < list.n && !failed; i++) {
        vf_summary *s = &sum[i];
        int nonempty = 1;
        s->v_a = v_min, s->v_b = v_max;
        if (isnan(v_min) || isnan(v_max)) {
            double a, b;
            if (vs_window_edges(&list.p[i], &circ, &co, 5e-3, &a, &b, &nonempty) != VS_OK) {
                failed = cli_error(prog, "%s: %s", list.label[i], vs_last_error());
                break;
            }
            if (isnan(v_min)) s->v_a = a;
            if (isnan(v_max)) s->v_b = b;
            if (nonempty && (failed = fixed_end_outside(prog, list.label[i], v_min, v_max, a, b)))
                break;
        }
        s->n = 0;
        if (!nonempty || !(s->v_b > s->v_a)) continue;
        /* points from just inside the lower edge to just inside the upper edge */
        long n = (long)floor((s->v_b - s->v_a) / v_step) + 2;
        vs_grid rg = {circ.r_series_ohm, circ.r_series_ohm, 1, 0};
        vs_grid vg = {s->v_a + 0.01, s->v_b - 0.01, n, 0};
        if (vg.hi <= vg.lo) vg.n = 1;
        pts[i] = malloc((size_t)vg.n * sizeof(vs_point));
        volts[i] = malloc((size_t)vg.n * sizeof(double));
        if (!pts[i] || !volts[i]) {
            failed = cli_error(prog, "out of memory");
            break;
        }
        bar.label = list.label[i];
        if (vs_phase_sweep(&list.p[i], &circ, &rg, &vg, &co, progress_update, &bar, pts[i]) != VS_OK) {
            failed = cli_error(prog, "%s: %s", list.label[i], vs_last_error());
            break;
        }
        s->n = vg.n;
        for (long k = 0; k < vg.n; k++) volts[i][k] = vs_grid_at(&vg, k);
    }
    progress_end(&bar);

    vs_csv *w = NULL;
    if (!failed && vs_csv_open(out, cols, 7, &w) != VS_OK) failed = cli_fail(prog);
    for (int i = 0; i < list.n && !failed; i++) {
        vf_summary *s = &sum[i];
        s->f_min = s->p_min = INFINITY;
        s->f_max = s->p_max = -INFINITY;
        s->v_at_f_max = NAN;
        long n_osc = 0;
        for (long k = 0; k < s->n; k++) {
            const vs_point *p = &pts[i][k];
            if (p->regime != VS_OSCILLATING) continue;
            n_osc++;
            double row[7] = {i + 1, list.p[i].vacancy_x, volts[i][k], p->freq_hz, p->p_in_w,
                             p->e_in_per_spike_j, p->v_pp_v};
            if (vs_csv_row(w, row) != VS_OK) {
                failed = cli_fail(prog);
                break;
            }
            if (p->freq_hz > s->f_max) s->f_max = p->freq_hz, s->v_at_f_max = volts[i][k];
            s->f_min = fmin(s->f_min, p->freq_hz);
            s->p_min = fmin(s->p_min, p->p_in_w);
            s->p_max = fmax(s->p_max, p->p_in_w);
        }
        s->p_at_f_ref = s->n ? power_at(pts[i], volts[i], s->n, f_ref) : (double)NAN;
        s->n = n_osc;
    }
    for (int i = 0; i < list.n; i++) free(pts[i]), free(volts[i]);
    if (failed) return vs_csv_abort(w), 1;
    if (vs_csv_close(w) != VS_OK) return cli_fail(prog);

    char png[4096], png_pf[4096];
    cli_with_suffix(out, ".png", png, sizeof png);
    cli_with_suffix(out, "_pf.png", png_pf, sizeof png_pf);
    if (plot) {
        char script[16384];
        for (int which = 0; which < 2; which++) {
            size_t n = (size_t)snprintf(script, sizeof script,
                "set datafile separator ','\nset grid\nset key top left\nset title '%s (R_s = %g kOhm, C = %g nF)'\n"
                "set xlabel '%s'\nset ylabel '%s'\nplot ",
                which ? "Total power vs frequency" : "Frequency vs input voltage", circ.r_series_ohm / 1e3, circ.c_f * 1e9,
                which ? "frequency (kHz)" : "input voltage V_{in} (V)", which ? "total power P_{in} (mW)" : "frequency (kHz)");
            for (int i = 0; i < list.n && n < sizeof script; i++) {
                char title[2 * VS_NAME_MAX];
                cli_plot_quote(list.label[i], title, sizeof title);
                n += (size_t)snprintf(script + n, sizeof script - n,
                    which ? "'%s' every ::1 using ($1==%d?$4/1e3:1/0):($5*1e3) with linespoints pt 7 ps 0.6 lw 2 lc rgb '%s' title '%s' noenhanced%s"
                          : "'%s' every ::1 using ($1==%d?$3:1/0):($4/1e3) with linespoints pt 7 ps 0.6 lw 2 lc rgb '%s' title '%s' noenhanced%s",
                    out, i + 1, cli_colors[i % CLI_N_COLORS], title, i + 1 < list.n ? ", \\\n     " : "\n");
            }
            if (cli_plot(prog, script, which ? png_pf : png, 900, 650)) return 1;
        }
    }
    if (json) {
        vs_json j;
        vs_json_begin(&j, stdout);
        vs_json_str(&j, "command", "vf");
        vs_json_num(&j, "r_series_ohm", circ.r_series_ohm);
        vs_json_num(&j, "f_ref_hz", f_ref);
        vs_json_array(&j, "devices");
        for (int i = 0; i < list.n; i++) {
            vf_summary *s = &sum[i];
            vs_json_object(&j, NULL);
            vs_json_str(&j, "device", list.label[i]);
            vs_json_str(&j, "model", list.p[i].model->name);
            vs_json_int(&j, "index", i + 1);
            vs_json_num(&j, "window_low_v", s->v_a);
            vs_json_num(&j, "window_high_v", s->v_b);
            vs_json_int(&j, "points", s->n);
            vs_json_num(&j, "f_min_hz", s->n ? s->f_min : (double)NAN);
            vs_json_num(&j, "f_max_hz", s->n ? s->f_max : (double)NAN);
            vs_json_num(&j, "v_at_f_max_v", s->v_at_f_max);
            vs_json_num(&j, "p_min_w", s->n ? s->p_min : (double)NAN);
            vs_json_num(&j, "p_max_w", s->n ? s->p_max : (double)NAN);
            vs_json_num(&j, "p_at_f_ref_w", s->p_at_f_ref);
            vs_json_close(&j);
        }
        vs_json_close(&j);
        vs_json_end(&j);
    } else {
        int lw = cli_label_width(&list);
        printf("%-*s %15s %19s %17s %17s %12s\n", lw, "", "window (V)", "f range (kHz)", "peak f at (V)",
               "P range (mW)", "P@f_ref (mW)");
        for (int i = 0; i < list.n; i++) {
            vf_summary *s = &sum[i];
            if (!s->n) {
                printf("%-*s %15s\n", lw, list.label[i], "no oscillation");
                continue;
            }
            printf("%-*s %7.2f - %5.2f %9.1f - %7.1f %17.2f %8.1f - %6.1f %12.2f\n", lw, list.label[i],
                   s->v_a, s->v_b, s->f_min / 1e3, s->f_max / 1e3, s->v_at_f_max, s->p_min * 1e3,
                   s->p_max * 1e3, s->p_at_f_ref * 1e3);
        }
        printf("(P@f_ref: source power at %g kHz on the rising branch)\nwrote %s%s%s%s%s\n", f_ref / 1e3,
               out, plot ? ", " : "", plot ? png : "", plot ? ", " : "", plot ? png_pf : "");
    }
    return 0;
}
