/* common.c -- shared option groups, error reporting and trace output for the CLI. */
#include "common.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vo2snn/atomic.h"
#include "vo2snn/infer.h"
#include "vo2snn/json.h"
#include "vo2snn/outputs.h"
#include "vo2snn/plot.h"
#include "vo2snn/status.h"
#include "vo2snn/threads.h"
#include "vo2snn/units.h"

const char *const cli_method_choices[] = {"dp54", "rk4", NULL};
const char *const cli_dataset_choices[] = {"mnist", "fashion", NULL};
const char *const cli_opamp_choices[] = {"ideal", "nonideal", NULL};
const char *const cli_engine_choices[] = {"fast", "reference", NULL};

int cli_engine_by_name(const char *name)
{
    return strcmp(name, "reference") == 0 ? VS_ENGINE_REFERENCE : VS_ENGINE_FAST;
}

vs_opamp cli_opamp_by_name(const char *name)
{
    return strcmp(name, "ideal") == 0 ? vs_opamp_ideal() : vs_opamp_default();
}

int cli_opamp_build(const char *prog, const char *name, const cli_opamp_args *a, vs_opamp *out)
{
    vs_opamp o = cli_opamp_by_name(name);
    if (a->given_a0 && o.ideal)
        return cli_error(prog, "--opamp-gain %g: an ideal op-amp has infinite gain (give --opamp nonideal)", a->a0);
    if (a->supply_v < o.rail_v)
        return cli_error(prog, "--opamp-supply %g V: below the op-amps' output swing +-%g V", a->supply_v, o.rail_v);
    o.supply_v = a->supply_v;
    o.i_quiescent_a = a->i_quiescent_a;
    o.offset_v = a->offset_v;
    if (a->given_a0) o.a0 = a->a0;
    *out = o;
    return 0;
}

int cli_device_given(const cli_device_args *a)
{
    return a->model_given || a->device_given || a->vacancy_given || a->file != NULL || a->param != NULL;
}

const char *const cli_trace_cols[CLI_TRACE_NCOLS] = {
    "t_s", "v_in_v", "v_osc_v", "v_spike_v", "i_dev_a", "temp_k", "r_dev_ohm", "m", "p_total_w"};

/* A current input's trace: the source column holds I_in in A. */
static const char *const trace_cols_current[CLI_TRACE_NCOLS] = {
    "t_s", "i_in_a", "v_osc_v", "v_spike_v", "i_dev_a", "temp_k", "r_dev_ohm", "m", "p_total_w"};

const char *const *cli_trace_cols_for(const vs_input *in)
{
    return in->source == VS_SOURCE_CURRENT ? trace_cols_current : cli_trace_cols;
}

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

/* What the device file and --param choose by themselves (model and base key). */
static int read_choices(const char *prog, const cli_device_args *a, vs_device_choice *file,
                        vs_device_choice *list)
{
    *file = *list = (vs_device_choice){NULL, NULL};
    if (a->file && (vs_outputs_protect(a->file) != VS_OK || vs_device_file_choice(a->file, file) != VS_OK))
        return cli_fail(prog);
    if (a->param && vs_device_list_choice(a->param, list) != VS_OK) return cli_fail(prog);
    return 0;
}

/* The model is chosen once: by --model, 'model' in the file, or in --param (same name twice
   is fine). *out = the model (the default if none). */
static int choose_model(const char *prog, const cli_device_args *a, const vs_device_choice *file,
                        const vs_device_choice *list, const vs_model **out)
{
    const vs_model *flag = NULL;
    if (a->model_given && !(flag = vs_model_find(a->model))) return cli_error(prog, "--model: %s", vs_last_error());
    const vs_model *m = flag ? flag : file->model ? file->model : list->model;
    if ((file->model && file->model != m) || (list->model && list->model != m))
        return cli_error(prog, "%s%s and %s%s both choose the device model: give one",
                         flag ? "--model " : file->model ? "'model' in " : "'model' in --param",
                         flag ? flag->name : file->model ? a->file : "",
                         file->model && file->model != m ? "'model' in " : "'model' in --param",
                         file->model && file->model != m ? a->file : "");
    *out = m ? m : vs_model_default();
    return 0;
}

/* The device is chosen once: by --device/--vacancy, or by 'preset'/'vacancy' in the device
   file, or in --param. Returns 1 after the message if two of them choose it. */
static int refuse_second_choice(const char *prog, const cli_device_args *a,
                                const vs_device_choice *file, const vs_device_choice *list)
{
    const char *file_base = file->base_key, *list_base = list->base_key;
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

/* The base device of model m from --device / --vacancy (preset 1 otherwise). */
static vs_status base_device(const cli_device_args *a, const vs_model *m, vs_device_params *p)
{
    if (!a->vacancy_given) return vs_device_model_preset(m, (int)a->device, p);
    if (!m->from_coord)
        return vs_fail(VS_EINVAL, "--vacancy: model %s has no vacancy coordinate", m->name);
    return m->from_coord(a->vacancy, p);
}

int cli_device_resolve(const char *prog, const cli_device_args *a, vs_device_params *out)
{
    vs_device_choice file, list;
    const vs_model *m = NULL;
    if (read_choices(prog, a, &file, &list) || choose_model(prog, a, &file, &list, &m) ||
        refuse_second_choice(prog, a, &file, &list))
        return 1;
    vs_device_params p;
    vs_status s = base_device(a, m, &p);
    if (s != VS_OK && a->device_given) return cli_error(prog, "--device: %s", vs_last_error());
    if (s == VS_OK && a->file) s = vs_device_load_file(a->file, &p);
    if (s == VS_OK && a->param) s = vs_device_apply_list(&p, a->param);
    if (s == VS_OK) s = vs_device_validate(&p);
    if (s != VS_OK) return cli_fail(prog);
    *out = p;
    return 0;
}

/* "device 3" for a paper device, "<x_prefix>0.35" for another vacancy level, "switch preset 2",
   NULL if edited; a name given in the device file wins. */
static int device_label(const vs_device_params *p, const char *x_prefix, char *buf, size_t n)
{
    double x = p->vacancy_x, d = 1 + 4 * x;
    const char *model = p->model == vs_model_default() ? "" : p->model->name;
    if (p->name[0]) snprintf(buf, n, "%s", p->name);
    else if (!isnan(x) && d == floor(d)) snprintf(buf, n, "%s%sdevice %d", model, *model ? " " : "", (int)d);
    else if (!isnan(x)) snprintf(buf, n, "%s%s%s%g", model, *model ? " " : "", x_prefix, x);
    else if (p->preset > 0) snprintf(buf, n, "%s preset %d", p->model->name, p->preset);
    else return 0;
    return 1;
}

void cli_device_label(const vs_device_params *p, char *buf, size_t n)
{
    if (device_label(p, "vacancy x = ", buf, n)) return;
    if (p->model == vs_model_default()) snprintf(buf, n, "custom device");
    else snprintf(buf, n, "custom %s device", p->model->name);
}

void cli_apply_threads(const char *prog, long threads)
{
    if (threads <= 0) return;
    char note[200];
    vs_threads_set(threads, note, sizeof note);
    if (note[0]) cli_note(prog, "%s", note);
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

void cli_trace_plot_script(char *buf, size_t n, const char *csv_path, const char *title,
                           vs_input_source source)
{
    int current = source == VS_SOURCE_CURRENT;
    snprintf(buf, n,
             "set datafile separator ','\n"
             "set multiplot layout 3,1 title '%s'\n"
             "set lmargin 12\n"
             "set grid\n"
             "unset key\n"
             "set ylabel '%s'\n"
             "plot '%s' every ::1 using ($1*1e6):%s with lines lw 1.5 lc rgb '#1f77b4'\n"
             "set ylabel 'V_{osc} (V)'\n"
             "plot '%s' every ::1 using ($1*1e6):3 with lines lw 1.5 lc rgb '#2ca02c'\n"
             "set ylabel 'V_{spike} (V)'\n"
             "set xlabel 'time (µs)'\n"
             "plot '%s' every ::1 using ($1*1e6):4 with lines lw 1.5 lc rgb '#d62728'\n"
             "unset multiplot\n",
             title, current ? "I_{in} (mA)" : "V_{in} (V)", csv_path, current ? "($2*1e3)" : "2",
             csv_path, csv_path);
}

const char *const cli_colors[CLI_N_COLORS] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                              "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

int cli_parse(const char *prog, const char *summary, const char *details, const opt_spec *opts, int n_opts,
              int argc, char **argv)
{
    const opt_cmd cmd = {prog, summary, details, opts, n_opts, 0};
    int rc = opt_parse(&cmd, argc, argv, NULL, NULL);
    return rc == 0 ? CLI_GO_ON : rc < 0 ? 1 : 0;
}

int cli_plot(const char *prog, int plot, const char *script, const char *png_path, int w, int h)
{
    if (plot == CLI_PLOT_NONE) return 0;
    if (vs_output_is_stream(png_path))
        return cli_error(prog, "--plot reads the data back from the output files; give --out "
                               "a file name, not '%s'", png_path);
    if (vs_plot_render(script, png_path, w, h) != VS_OK) return cli_fail(prog);
    if (plot == CLI_PLOT_PNG_SVG) {
        char svg[4096];
        cli_with_suffix(png_path, ".svg", svg, sizeof svg);
        if (vs_plot_render(script, svg, w, h) != VS_OK) return cli_fail(prog);
    }
    return 0;
}

int cli_measured_plot(int plot, const char *measured)
{
    return measured && plot == CLI_PLOT_NONE ? CLI_PLOT_PNG : plot;
}

int cli_measured_path(const char *prog, const char *out, char *buf, size_t n)
{
    if (vs_output_is_stream(out))
        return cli_error(prog, "--measured draws on the plot, which reads the data back from the "
                               "output files; give --out a file name, not '%s'", out);
    cli_with_suffix(out, "_measured.csv", buf, n);
    return 0;
}

int cli_write_measured(const char *prog, const char *path, const char *const *cols, int n_num,
                       const double *const *x, size_t n, const int *tag, const char *const *names)
{
    enum { MAX_COLS = 8 };
    if (n_num < 1 || n_num >= MAX_COLS) return cli_error(prog, "%s: bad column count %d", path, n_num);
    vs_csv *w;
    if (vs_csv_open(path, cols, n_num + (names != NULL), &w) != VS_OK) return cli_fail(prog);
    for (size_t i = 0; i < n; i++) {
        double row[MAX_COLS];
        for (int c = 0; c < n_num; c++) row[c] = x[c][i];
        vs_status s = names ? vs_csv_row_named(w, row, names[tag[i]]) : vs_csv_row(w, row);
        if (s != VS_OK) {
            vs_csv_abort(w);
            return cli_fail(prog);
        }
    }
    return vs_csv_close(w) == VS_OK ? 0 : cli_fail(prog);
}

void cli_plot_append(char *script, size_t n, const char *series)
{
    size_t len = strlen(script);
    if (len > 0 && script[len - 1] == '\n') len--;
    if (len < n) snprintf(script + len, n - len, ", \\\n     %s\n", series);
}

const char *const cli_input_choices[] = {"dc", "pulse", "sine", "square", "pwl", NULL};

/* Levels of the waveform: in V from the --v-* flags, or in A from the --i-* flags. */
typedef struct input_levels {
    double dc, lo, hi, offset, amplitude;
} input_levels;

/* The --v-* flags with the paper's defaults (the high level: pulse 15 V, square 12.5 V). */
static input_levels voltage_levels(const cli_input_args *a)
{
    double hi = strcmp(a->kind, "square") == 0 ? 12.5 : 15.0;
    return (input_levels){a->v_in, a->v_lo, a->given_v_hi ? a->v_hi : hi, a->offset,
                          a->given_amplitude ? a->amplitude : 12.0};
}

/* The first --i-* flag given, or NULL: a current input. */
static const char *current_flag(const cli_input_args *a)
{
    return !isnan(a->i_in) ? "--i-in" : !isnan(a->i_lo) ? "--i-lo" : !isnan(a->i_hi) ? "--i-hi"
           : !isnan(a->i_offset) ? "--i-offset" : !isnan(a->i_amplitude) ? "--i-amplitude" : NULL;
}

/* The --i-* flags: the one the kind needs must be given; a low level or offset is 0 A. */
static int current_levels(const char *prog, const cli_input_args *a, input_levels *l)
{
    const char *k = a->kind, *need = NULL;
    const char *v = a->given_v_in ? "--v-in" : a->given_v_lo ? "--v-lo" : a->given_v_hi ? "--v-hi"
                    : a->given_offset ? "--offset" : a->given_amplitude ? "--amplitude" : NULL;
    if (v) return cli_error(prog, "%s sets a voltage and %s a current: the input is one or the "
                                  "other", v, current_flag(a));
    if (strcmp(k, "pwl") == 0)
        return cli_error(prog, "%s does not apply to --input pwl: the file is a current when its "
                               "header is t_s,i_a", current_flag(a));
    if (strcmp(k, "dc") == 0 && isnan(a->i_in)) need = "--i-in";
    if ((strcmp(k, "pulse") == 0 || strcmp(k, "square") == 0) && isnan(a->i_hi)) need = "--i-hi";
    if (strcmp(k, "sine") == 0 && isnan(a->i_amplitude)) need = "--i-amplitude";
    if (need)
        return cli_error(prog, "a current --input %s needs %s (%s was given)", k, need, current_flag(a));
    *l = (input_levels){a->i_in, isnan(a->i_lo) ? 0 : a->i_lo, a->i_hi,
                        isnan(a->i_offset) ? 0 : a->i_offset, a->i_amplitude};
    return 0;
}

/* The waveform of kind a->kind (not pwl) with levels l and the timing flags or defaults. */
static vs_input waveform(const cli_input_args *a, const input_levels *l)
{
    const char *k = a->kind;
    if (strcmp(k, "pulse") == 0)
        return vs_input_pulse(l->lo, l->hi, a->given_period ? a->period : 4e-6,
                              a->given_width ? a->width : 2e-6, a->given_delay ? a->delay : 0.0);
    if (strcmp(k, "sine") == 0)
        return vs_input_sine(l->offset, l->amplitude, a->given_period ? a->period : 2e-3,
                             a->given_delay ? a->delay : 0.0);
    if (strcmp(k, "square") == 0)
        return vs_input_square(l->lo, l->hi, a->given_delay ? a->delay : 2e-6,
                               a->given_width ? a->width : 100e-6);
    return vs_input_dc(l->dc);
}

int cli_input_build(const char *prog, const cli_input_args *a, vs_input *in)
{
    input_levels l = voltage_levels(a);
    int current = current_flag(a) != NULL;
    if (current && current_levels(prog, a, &l)) return 1;
    if (strcmp(a->kind, "pwl") != 0) {
        *in = waveform(a, &l);
        if (current) *in = vs_input_current(*in);
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

/* "dir/sample A.txt" -> "sample A": a device file's label when it has no name. */
static void file_stem(const char *path, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot > base ? (size_t)(dot - base) : strlen(base);
    snprintf(buf, n, "%.*s", (int)len, base);
}

/* A list entry's label: its name; else its file's stem; else the preset or coordinate
   point it is, or (edited by --param) the one it came from, base, marked. */
static void list_label(const vs_device_params *p, const vs_device_params *base,
                       const char *file, char *buf, size_t n)
{
    if (file && !p->name[0]) {
        file_stem(file, buf, n);
        return;
    }
    if (device_label(p, "x = ", buf, n) || !base) return;
    device_label(base, "x = ", buf, n);
    snprintf(buf + strlen(buf), n - strlen(buf), ", edited");
}

static int list_full(const char *prog, const cli_device_list *out)
{
    if (out->n < CLI_MAX_DEVICES) return 0;
    return cli_error(prog, "at most %d devices", CLI_MAX_DEVICES);
}

/* Preset `preset` of m, or (preset 0) the point x of its coordinate, edited by --param. */
static int add_device(const char *prog, const cli_devices_args *a, const vs_model *m,
                      int preset, double x, cli_device_list *out)
{
    if (list_full(prog, out)) return 1;
    vs_device_params base, p;
    vs_status s = preset ? vs_device_model_preset(m, preset, &base) : m->from_coord(x, &base);
    if (s != VS_OK) return cli_error(prog, "%s: %s", preset ? "--devices" : "--vacancies", vs_last_error());
    p = base;
    if (a->param) s = vs_device_apply_list(&p, a->param);
    if (s == VS_OK) s = vs_device_validate(&p);
    if (s != VS_OK) return cli_fail(prog);
    out->p[out->n] = p;
    list_label(&p, &base, NULL, out->label[out->n], sizeof out->label[0]);
    out->n++;
    return 0;
}

/* One device per file, built as a single device is (cli_device_resolve). */
static int add_files(const char *prog, const cli_devices_args *a, cli_device_list *out)
{
    for (int i = 0; i < a->files.n; i++) {
        cli_device_args one = CLI_DEVICE_DEFAULTS;
        one.model = a->model;
        one.model_given = a->model_given;
        one.file = a->files.v[i];
        one.param = a->param;
        if (list_full(prog, out) || cli_device_resolve(prog, &one, &out->p[out->n])) return 1;
        list_label(&out->p[out->n], NULL, one.file, out->label[out->n], sizeof out->label[0]);
        out->n++;
    }
    return 0;
}

/* --vacancies: points of m's coordinate. */
static int add_vacancies(const char *prog, const cli_devices_args *a, const vs_model *m,
                         cli_device_list *out)
{
    if (!m->from_coord)
        return cli_error(prog, "--vacancies: model %s has no vacancy coordinate; list its presets "
                               "with --devices", m->name);
    char buf[1024], *save = NULL;
    snprintf(buf, sizeof buf, "%s", a->vacancies);
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        double x;
        while (*item == ' ') item++;
        if (vs_parse_quantity(item, "", &x) != VS_OK)
            return cli_error(prog, "--vacancies: %s", vs_last_error());
        if (add_device(prog, a, m, 0, x, out)) return 1;
    }
    return 0;
}

/* --devices: presets of m, single ("2") or ranges ("1-5"); list is the text parsed. */
static int add_presets(const char *prog, const cli_devices_args *a, const vs_model *m,
                       const char *list, cli_device_list *out)
{
    char buf[1024], *save = NULL;
    snprintf(buf, sizeof buf, "%s", list);
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        long first, last;
        char *dash = strchr(item, '-');
        while (*item == ' ') item++;
        if (dash) *dash = '\0';
        if (vs_parse_long(item, 1, m->n_presets, &first) != VS_OK ||
            (dash && vs_parse_long(dash + 1, 1, m->n_presets, &last) != VS_OK))
            return m->n_presets == 1
                       ? cli_error(prog, "--devices: '%s' is not a preset of model %s (it has only "
                                         "preset 1)", list, m->name)
                       : cli_error(prog, "--devices: '%s' is not a preset 1 to %d of model %s or a "
                                         "range like 1-%d", list, m->n_presets, m->name, m->n_presets);
        if (!dash) last = first;
        if (last < first) return cli_error(prog, "--devices: range %ld-%ld runs backwards", first, last);
        for (long d = first; d <= last; d++)
            if (add_device(prog, a, m, (int)d, 0, out)) return 1;
    }
    return 0;
}

/* --param edits each device of a list; a model, preset or vacancy in it would replace every
   one of them, which --model, --devices, --vacancies or the device files say instead. */
static int refuse_list_base(const char *prog, const cli_devices_args *a)
{
    vs_device_choice c;
    if (a->param && vs_device_list_choice(a->param, &c) != VS_OK) return cli_fail(prog);
    if (a->param && (c.base_key || c.model))
        return cli_error(prog, "'%s' in --param would replace every device of the list: choose "
                               "devices with --model, --devices, --vacancies or --device-file",
                         c.model ? "model" : c.base_key);
    return 0;
}

/* One way of choosing the devices: --devices, --vacancies or --device-file. */
static int refuse_two_lists(const char *prog, const cli_devices_args *a)
{
    if (a->devices && a->vacancies) return cli_error(prog, "give --devices or --vacancies, not both");
    if (a->files.n && (a->devices || a->vacancies))
        return cli_error(prog, "give %s or --device-file, not both (each device file is one "
                               "device of the list)", a->devices ? "--devices" : "--vacancies");
    return 0;
}

int cli_device_list_resolve(const char *prog, const cli_devices_args *a,
                            const char *default_devices, cli_device_list *out)
{
    out->n = 0;
    const vs_model *m = vs_model_default();
    if (a->model_given && !(m = vs_model_find(a->model)))
        return cli_error(prog, "--model: %s", vs_last_error());
    if (refuse_two_lists(prog, a) || refuse_list_base(prog, a)) return 1;
    int rc;
    if (a->files.n) rc = add_files(prog, a, out);
    else if (a->vacancies) rc = add_vacancies(prog, a, m, out);
    else if (a->devices || default_devices) rc = add_presets(prog, a, m, a->devices ? a->devices : default_devices, out);
    else {
        char all[32];
        snprintf(all, sizeof all, "1-%d", m->n_presets);
        rc = add_presets(prog, a, m, all, out);
    }
    if (rc) return 1;
    if (out->n == 0) return cli_error(prog, "no devices given");
    return 0;
}

int cli_label_width(const cli_device_list *list)
{
    size_t w = 12;
    for (int i = 0; i < list->n; i++)
        if (strlen(list->label[i]) > w) w = strlen(list->label[i]);
    return (int)w;
}

void cli_plot_quote(const char *label, char *buf, size_t n)
{
    size_t k = 0;
    for (const char *c = label; *c && k + 2 < n; c++) {
        if ((unsigned char)*c < 0x20) continue;
        if (*c == '\'') buf[k++] = '\'';
        buf[k++] = *c;
    }
    buf[k] = '\0';
}

void cli_json_measured(struct vs_json *j, const char *file, long points, const char *response, const char *csv)
{
    if (!file) return;
    vs_json_object(j, "measured");
    vs_json_str(j, "file", file);
    vs_json_int(j, "points", points);
    if (response) vs_json_str(j, "response", response);
    vs_json_str(j, "csv", csv);
    vs_json_close(j);
}
