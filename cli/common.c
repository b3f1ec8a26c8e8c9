/* common.c -- shared option groups, error reporting and trace output for the CLI. */
#include "common.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vo2snn/atomic.h"
#include "vo2snn/outputs.h"
#include "vo2snn/plot.h"
#include "vo2snn/status.h"
#include "vo2snn/units.h"

const char *const cli_method_choices[] = {"dp54", "rk4", NULL};

const char *const cli_trace_cols[CLI_TRACE_NCOLS] = {
    "t_s", "v_in_v", "v_osc_v", "v_spike_v", "i_dev_a", "temp_k", "r_dev_ohm", "m", "p_total_w"};

/* "PROG: [kind]message" on stderr as one line (line breaks in the message become spaces). */
static void print_line(const char *prog, const char *kind, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    for (char *p = msg; *p; p++)
        if (*p == '\n') *p = ' ';
    fprintf(stderr, "%s: %s%s\n", prog, kind, msg);
}

int cli_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    print_line(prog, "", fmt, ap);
    va_end(ap);
    return 1;
}

int cli_fail(const char *prog) { return cli_error(prog, "%s", vs_last_error()); }

void cli_note(const char *prog, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    print_line(prog, "note: ", fmt, ap);
    va_end(ap);
}

int cli_check_range(const char *prog, const char *lo_flag, double lo, const char *hi_flag,
                    double hi, const char *unit)
{
    if (isnan(lo) || isnan(hi) || lo < hi) return 0;
    char los[32], his[32];
    const char *sp = unit && *unit ? " " : "";
    vs_format_exact(los, sizeof los, lo);
    vs_format_exact(his, sizeof his, hi);
    return cli_error(prog, "%s (%s%s%s) must be below %s (%s%s%s)", lo_flag, los, sp,
                     unit ? unit : "", hi_flag, his, sp, unit ? unit : "");
}

/* The device is chosen once: by --device/--vacancy, or by 'preset'/'vacancy' in the device
   file, or in --param. Returns 1 after the message if two of them choose it. */
static int refuse_second_choice(const char *prog, const cli_device_args *a)
{
    const char *file_base = a->file ? vs_device_file_base(a->file) : NULL;
    const char *list_base = a->param ? vs_device_list_base(a->param) : NULL;
    char flag[64], other[400];
    if (a->device_given && a->vacancy_given)
        return cli_error(prog, "--device %ld and --vacancy %g both choose the device: give one",
                         a->device, a->vacancy);
    if (a->device_given) snprintf(flag, sizeof flag, "--device %ld", a->device);
    if (a->vacancy_given) snprintf(flag, sizeof flag, "--vacancy %g", a->vacancy);
    if (list_base) snprintf(other, sizeof other, "'%s' in --param", list_base);
    else if (file_base) snprintf(other, sizeof other, "'%s' in %.300s", file_base, a->file);
    if ((list_base || file_base) && (a->device_given || a->vacancy_given))
        return cli_error(prog, "%s and %s both choose the device: give one", flag, other);
    if (file_base && list_base)
        return cli_error(prog, "'%s' in %s and %s both choose the device: give one", file_base,
                         a->file, other);
    return 0;
}

int cli_device_resolve(const char *prog, const cli_device_args *a, vs_device_params *out)
{
    if (refuse_second_choice(prog, a)) return 1;
    vs_device_params p;
    vs_status s = a->vacancy_given ? vs_device_from_vacancy(a->vacancy, &p)
                                   : vs_device_preset((int)a->device, &p);
    if (s == VS_OK && a->file) s = vs_outputs_protect(a->file);
    if (s == VS_OK && a->file) s = vs_device_load_file(a->file, &p);
    if (s == VS_OK && a->param) s = vs_device_apply_list(&p, a->param);
    if (s == VS_OK) s = vs_device_validate(&p);
    if (s != VS_OK) return cli_fail(prog);
    *out = p;
    return 0;
}

/* "device 3" for a paper device, "<x_prefix>0.35" for another vacancy level, NULL if edited. */
static int vacancy_label(const vs_device_params *p, const char *x_prefix, char *buf, size_t n)
{
    double x = p->vacancy_x, d = 1 + 4 * x;
    if (isnan(x)) return 0;
    if (d == floor(d)) snprintf(buf, n, "device %d", (int)d);
    else snprintf(buf, n, "%s%g", x_prefix, x);
    return 1;
}

void cli_device_label(const vs_device_params *p, char *buf, size_t n)
{
    if (!vacancy_label(p, "vacancy x = ", buf, n)) snprintf(buf, n, "custom device");
}

void cli_solver_apply(const cli_solver_args *s, vs_sim_opts *o)
{
    o->method = strcmp(s->method, "rk4") == 0 ? VS_ODE_RK4 : VS_ODE_DP54;
    o->rtol = s->rtol;
    o->h_max_s = s->h_max_s;
    o->dt_s = s->dt_s;
}

int cli_prepare_output(const char *prog, const char *path)
{
    if (vs_output_is_stream(path)) return 0;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (vs_mkdir_p(dir) != VS_OK) return cli_fail(prog);
    }
    if (vs_outputs_claim(path) != VS_OK) return cli_fail(prog);
    return 0;
}

void cli_with_suffix(const char *path, const char *suffix, char *buf, size_t n)
{
    if (vs_output_is_stream(path)) { /* /dev/null's siblings are /dev/null */
        snprintf(buf, n, "%s", path);
        return;
    }
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    size_t stem = (dot && (!slash || dot > slash)) ? (size_t)(dot - path) : strlen(path);
    snprintf(buf, n, "%.*s%s", (int)stem, path, suffix);
}

int cli_trace_sample(const vs_sample *s, void *csv_writer)
{
    double row[CLI_TRACE_NCOLS] = {s->t_s,  s->v_in_v,  s->v_osc_v, s->v_spike_v, s->i_dev_a,
                                   s->temp_k, s->r_dev_ohm, s->m,    s->p_total_w};
    return vs_csv_row((vs_csv *)csv_writer, row) == VS_OK ? 0 : 1;
}

void cli_trace_plot_script(char *buf, size_t n, const char *csv_path, const char *title)
{
    snprintf(buf, n,
             "set datafile separator ','\n"
             "set multiplot layout 3,1 title '%s'\n"
             "set lmargin 12\n"
             "set grid\n"
             "unset key\n"
             "set ylabel 'V_{in} (V)'\n"
             "plot '%s' every ::1 using ($1*1e6):2 with lines lw 1.5 lc rgb '#1f77b4'\n"
             "set ylabel 'V_{osc} (V)'\n"
             "plot '%s' every ::1 using ($1*1e6):3 with lines lw 1.5 lc rgb '#2ca02c'\n"
             "set ylabel 'V_{spike} (V)'\n"
             "set xlabel 'time (µs)'\n"
             "plot '%s' every ::1 using ($1*1e6):4 with lines lw 1.5 lc rgb '#d62728'\n"
             "unset multiplot\n",
             title, csv_path, csv_path, csv_path);
}

const char *const cli_colors[CLI_N_COLORS] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                              "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

int cli_plot_svg_too = 0;

int cli_plot(const char *prog, const char *script, const char *png_path, int w, int h)
{
    if (vs_output_is_stream(png_path))
        return cli_error(prog, "--plot reads the data back from the output files; give --out "
                               "a file name, not '%s'", png_path);
    if (vs_plot_render(script, png_path, w, h) != VS_OK) return cli_fail(prog);
    if (cli_plot_svg_too) {
        char svg[4096];
        cli_with_suffix(png_path, ".svg", svg, sizeof svg);
        if (vs_plot_render(script, svg, w, h) != VS_OK) return cli_fail(prog);
    }
    return 0;
}

const char *const cli_input_choices[] = {"dc", "pulse", "sine", "square", "pwl", NULL};

int cli_input_build(const char *prog, const cli_input_args *a, vs_input *in)
{
    const char *k = a->kind;
    if (strcmp(k, "dc") == 0) {
        *in = vs_input_dc(a->v_in);
    } else if (strcmp(k, "pulse") == 0) {
        *in = vs_input_pulse(a->v_lo, a->given_v_hi ? a->v_hi : 15.0,
                             a->given_period ? a->period : 4e-6,
                             a->given_width ? a->width : 2e-6, a->given_delay ? a->delay : 0.0);
    } else if (strcmp(k, "sine") == 0) {
        *in = vs_input_sine(a->offset, a->given_amplitude ? a->amplitude : 12.0,
                            a->given_period ? a->period : 2e-3, a->given_delay ? a->delay : 0.0);
    } else if (strcmp(k, "square") == 0) {
        *in = vs_input_square(a->v_lo, a->given_v_hi ? a->v_hi : 12.5,
                              a->given_delay ? a->delay : 2e-6,
                              a->given_width ? a->width : 100e-6);
    } else {
        if (!a->pwl_path) return cli_error(prog, "--input pwl needs --pwl FILE");
        if (vs_outputs_protect(a->pwl_path) != VS_OK || vs_input_load_pwl(a->pwl_path, in) != VS_OK)
            return cli_fail(prog);
    }
    if (vs_input_validate(in) != VS_OK) {
        vs_input_free(in);
        return cli_fail(prog);
    }
    return 0;
}

double cli_input_default_t_end(const vs_input *in)
{
    double t = 200e-6;
    switch (in->kind) {
    case VS_INPUT_SINE: t = in->delay_s + in->period_s; break;
    case VS_INPUT_SQUARE: t = in->delay_s + in->width_s + 10e-6; break;
    case VS_INPUT_PWL: t = in->knot_t_s[in->n_knots - 1]; break;
    default: break;
    }
    return t > 0 ? t : 200e-6;
}

static int add_device(const char *prog, const cli_devices_args *a, cli_device_list *out,
                      int preset, double x)
{
    if (out->n >= CLI_MAX_DEVICES) return cli_error(prog, "at most %d devices", CLI_MAX_DEVICES);
    vs_device_params base, p;
    vs_status s = preset ? vs_device_preset(preset, &base) : vs_device_from_vacancy(x, &base);
    if (s != VS_OK) return cli_error(prog, "--vacancies: %s", vs_last_error());
    p = base;
    if (a->file) s = vs_outputs_protect(a->file);
    if (s == VS_OK && a->file) s = vs_device_load_file(a->file, &p);
    if (s == VS_OK && a->param) s = vs_device_apply_list(&p, a->param);
    if (s == VS_OK) s = vs_device_validate(&p);
    if (s != VS_OK) return cli_fail(prog);
    out->p[out->n] = p;
    char *label = out->label[out->n];
    size_t n = sizeof out->label[0];
    if (!vacancy_label(&p, "x = ", label, n)) { /* edited: the list entry, marked */
        vacancy_label(&base, "x = ", label, n);
        snprintf(label + strlen(label), n - strlen(label), ", edited");
    }
    out->n++;
    return 0;
}

/* The file and --param edit each device of a list; a preset or vacancy in them would
   replace every one of them, which --devices / --vacancies say instead. */
static int refuse_list_base(const char *prog, const cli_devices_args *a)
{
    const char *base;
    if (a->file && (base = vs_device_file_base(a->file)))
        return cli_error(prog, "'%s' in %s would replace every device of the list: choose "
                               "devices with --devices or --vacancies", base, a->file);
    if (a->param && (base = vs_device_list_base(a->param)))
        return cli_error(prog, "'%s' in --param would replace every device of the list: choose "
                               "devices with --devices or --vacancies", base);
    return 0;
}

int cli_device_list_resolve(const char *prog, const cli_devices_args *a,
                            const char *default_devices, cli_device_list *out)
{
    out->n = 0;
    int by_vacancy = a->vacancies != NULL;
    if (a->devices && a->vacancies) return cli_error(prog, "give --devices or --vacancies, not both");
    if (refuse_list_base(prog, a)) return 1;
    const char *list = by_vacancy ? a->vacancies : (a->devices ? a->devices : default_devices);
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        while (*item == ' ') item++;
        if (by_vacancy) {
            double x;
            if (vs_parse_quantity(item, "", &x) != VS_OK)
                return cli_error(prog, "--vacancies: %s", vs_last_error());
            if (add_device(prog, a, out, 0, x)) return 1;
            continue;
        }
        long first, last;
        char *dash = strchr(item, '-');
        if (dash) *dash = '\0';
        if (vs_parse_long(item, 1, VS_DEVICE_COUNT, &first) != VS_OK ||
            (dash && vs_parse_long(dash + 1, 1, VS_DEVICE_COUNT, &last) != VS_OK))
            return cli_error(prog, "--devices: '%s' is not a device 1 to %d or a range like 1-5",
                             list, VS_DEVICE_COUNT);
        if (!dash) last = first;
        if (last < first) return cli_error(prog, "--devices: range %ld-%ld runs backwards", first, last);
        for (long d = first; d <= last; d++)
            if (add_device(prog, a, out, (int)d, 0)) return 1;
    }
    if (out->n == 0) return cli_error(prog, "no devices given");
    return 0;
}
