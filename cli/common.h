/*
 * common.h -- what every vo2snn subcommand shares: device, circuit and solver
 * options, output paths, error reporting and the transient CSV layout.
 *
 * Each command declares its own option table and splices in the shared
 * groups with the CLI_*_OPTS macros, then resolves them with the cli_*
 * functions, which print one "vo2snn CMD: problem" line on failure.
 */
#ifndef VO2SNN_CLI_COMMON_H
#define VO2SNN_CLI_COMMON_H

#include <stdio.h>

#include "opts.h"
#include "vo2snn/csv.h"
#include "vo2snn/device.h"
#include "vo2snn/input.h"
#include "vo2snn/network.h"
#include "vo2snn/neuron.h"

/* ---- device ---------------------------------------------------------------------------- */
typedef struct cli_device_args {
    const char *model;
    long device;
    double vacancy;
    int model_given, device_given, vacancy_given;
    const char *file;
    const char *param;
} cli_device_args;

#define CLI_DEVICE_DEFAULTS {.model = "vo2x", .device = 1, .vacancy = 0, .model_given = 0,        \
                             .device_given = 0, .vacancy_given = 0, .file = NULL, .param = NULL}

/* The device options; note (a string literal, "" for none) ends every help line, e.g. the
   default of a command whose device is not preset 1 (infer, eval: the checkpoint's). */
#define CLI_DEVICE_OPTS(a) CLI_DEVICE_OPTS_NOTE(a, "")
#define CLI_DEVICE_OPTS_NOTE(a, note)                                                              \
    {.name = "model", .kind = OPT_STRING, .metavar = "NAME",                                       \
     .help = "device model: vo2x, zhang2024 or switch (vo2snn params --model NAME --keys)" note,  \
     .dest = &(a).model, .given = &(a).model_given, .min = 1, .max = 0},                           \
    {.name = "device", .kind = OPT_LONG, .metavar = "N", .help = "preset N of the model (vo2x: paper device 1..5, vacancies rise 1 -> 5)" note, \
     .dest = &(a).device, .min = 1, .max = 99, .given = &(a).device_given},                        \
    {.name = "vacancy", .kind = OPT_QUANTITY, .unit = "", .metavar = "X",                         \
     .help = "oxygen-vacancy level in [0, 1] instead of --device (device d is x = (d-1)/4)" note,  \
     .dest = &(a).vacancy, .min = 0, .max = 1, .given = &(a).vacancy_given},                       \
    {.name = "device-file", .kind = OPT_STRING, .metavar = "FILE",                                \
     .help = "device file of 'key = value' lines applied over the preset" note, .dest = &(a).file, \
     .min = 1, .max = 0},                                                                          \
    {.name = "param", .kind = OPT_STRING, .metavar = "K=V,..",                                     \
     .help = "override device parameters, e.g. r_met=600,tau_th=150ns (keys: vo2snn params --keys)" note, \
     .dest = &(a).param, .min = 1, .max = 0}

/* Whether any device option was given (--model, --device, --vacancy, --device-file, --param). */
int cli_device_given(const cli_device_args *a);

/*
 * Build the device: the model (--model, or a model key in the file or in --param;
 * default vo2x), the base (--device, --vacancy, or a preset/vacancy key in the file or
 * in --param; default preset 1), then the file's parameters, then --param's. Each is
 * chosen once: two choices (--device 2 --vacancy 0.9, --device 3 with a file that says
 * preset = 1, --model switch with a file that says model = vo2x) are an error.
 */
int cli_device_resolve(const char *prog, const cli_device_args *a, vs_device_params *out);

/* Label from the final parameters: "device 3" (a paper device), "vacancy x = 0.35", or
   "custom device" (edited parameters). */
void cli_device_label(const vs_device_params *p, char *buf, size_t n);

/* A list of devices for commands that compare them (triple, vf, cycles). */
#define CLI_MAX_DEVICES 64
typedef struct cli_device_list {
    int n;
    vs_device_params p[CLI_MAX_DEVICES];
    char label[CLI_MAX_DEVICES][VS_NAME_MAX];
} cli_device_list;

typedef struct cli_devices_args {
    const char *devices, *vacancies, *param;
    const char *model;     /* --model; default vo2x */
    int model_given;
    opt_strings files;     /* --device-file, repeatable: one device each */
} cli_devices_args;

#define CLI_DEVICES_OPTS(a)                                                                        \
    {.name = "model", .kind = OPT_STRING, .metavar = "NAME", .help = "device model of --devices/--vacancies and of device files without a 'model' key: vo2x, zhang2024 or switch (default vo2x)", .dest = &(a).model, .given = &(a).model_given}, \
    {.name = "devices", .kind = OPT_STRING, .metavar = "LIST", .help = "presets of the model, e.g. 1,2,3 or 1-5 (default: every preset; vo2x: paper devices 1-5)", .dest = &(a).devices}, \
    {.name = "vacancies", .kind = OPT_STRING, .metavar = "LIST", .help = "vacancy levels in [0, 1] instead (vo2x), e.g. 0,0.1,0.35", .dest = &(a).vacancies}, \
    {.name = "device-file", .kind = OPT_STRINGS, .metavar = "FILE", .help = "one device per file, in the order given, instead of --devices/--vacancies", .dest = &(a).files}, \
    {.name = "param", .kind = OPT_STRING, .metavar = "K=V,..", .help = "parameter overrides applied to every device (keys: vo2snn params --keys)", .dest = &(a).param}

#define CLI_DEVICES_HELP                                                                           \
    "Devices: --devices lists presets of --model (default every preset: vo2x and switch\n"      \
    "1-5, zhang2024 1), --vacancies points of vo2x's vacancy coordinate; or give one\n"          \
    "--device-file per device (each may set its own model, preset or vacancy, and a name).\n"   \
    "--param edits every device. Labels: the device's 'name', else its file's name without\n"   \
    "the extension, else \"device 2\", \"x = 0.35\", \"switch device 2\" (\", edited\" after\n"  \
    "--param). CSV rows carry the device's index in this list (1, 2, ...).\n"

/* Resolve the list: --devices (default_devices, or every preset of the model, if no list is
   given) or --vacancies of --model, each edited by --param; or one device per --device-file,
   built as cli_device_resolve builds one (its own model/preset/vacancy keys, else --model's
   preset 1), then --param. --param may not choose a model or a base device. Labels as in
   CLI_DEVICES_HELP. On error prints one line and returns 1. */
int cli_device_list_resolve(const char *prog, const cli_devices_args *a,
                            const char *default_devices, cli_device_list *out);

/* Width of the label column of a text table: the longest label, at least 12. */
int cli_label_width(const cli_device_list *list);

/* A label as a gnuplot single-quoted string body (quotes doubled, control bytes dropped). */
void cli_plot_quote(const char *label, char *buf, size_t n);

/* ---- circuit --------------------------------------------------------------------------- */
/* Largest accepted resistor and capacitor: every value in range passes vs_circuit_validate
   (which wants R < 1e12 Ohm and C < 1 F), so a value is refused once, by its flag. */
#define CLI_R_MAX_OHM 1e11
#define CLI_C_MAX_F 0.1
/* --r-series alone, with the command's help (phase: the R_s of --waveforms only). */
#define CLI_R_SERIES_OPT(c, help_text)                                                             \
    {.name = "r-series", .kind = OPT_QUANTITY, .unit = "Ohm", .metavar = "R",                    \
     .help = help_text, .dest = &(c).r_series_ohm, .min = 1e-3, .max = CLI_R_MAX_OHM}
/* --cap and --r-sense: the circuit of commands that choose R_s themselves (phase, triple). */
#define CLI_CAP_SENSE_OPTS(c)                                                                      \
    {.name = "cap", .alias = "c", .kind = OPT_QUANTITY, .unit = "F", .metavar = "C",               \
     .help = "parallel capacitor (node to ground)", .dest = &(c).c_f, .min = 1e-18, .max = CLI_C_MAX_F}, \
    {.name = "r-sense", .kind = OPT_QUANTITY, .unit = "Ohm", .metavar = "R",                       \
     .help = "sense resistor giving V_spike", .dest = &(c).r_sense_ohm, .min = 0, .max = CLI_R_MAX_OHM}
#define CLI_CIRCUIT_OPTS(c) CLI_R_SERIES_OPT(c, "series resistor R_s"), CLI_CAP_SENSE_OPTS(c)

/* ---- solver ---------------------------------------------------------------------------- */
/* One name per integrator setting in every command (docs/cli.md): --method, --rtol, --h-max
   (the largest step: DP54's here, ngspice's TMAX in netlist), --dt (the RK4 step only; a
   waveform grid is --dt-grid). */
typedef struct cli_solver_args {
    const char *method;
    double rtol, h_max_s, dt_s;
} cli_solver_args;

#define CLI_SOLVER_DEFAULTS {.method = "dp54", .rtol = 1e-6, .h_max_s = 100e-9, .dt_s = 1e-9}

extern const char *const cli_method_choices[];

#define CLI_SOLVER_OPTS(s)                                                                         \
    {.name = "method", .kind = OPT_CHOICE, .metavar = "M",                                        \
     .help = "integrator: dp54 (adaptive Dormand-Prince 5(4)) or rk4 (fixed step)",              \
     .dest = &(s).method, .min = 1, .max = 0, .choices = cli_method_choices},                    \
    {.name = "rtol", .kind = OPT_QUANTITY, .unit = "", .metavar = "TOL",                          \
     .help = "dp54 relative tolerance (absolute: 1 uV, 0.1 mK)", .dest = &(s).rtol, .min = 1e-13, \
     .max = 0.1},                                                                                  \
    {.name = "h-max", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T",                          \
     .help = "dp54 largest step", .dest = &(s).h_max_s, .min = 1e-15, .max = 1},                  \
    {.name = "dt", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T",                             \
     .help = "rk4 step (docs/models/vo2x.md 1.3 allows <= 1 ns for waveforms, <= 5 ns for rates)",             \
     .dest = &(s).dt_s, .min = 1e-15, .max = 1}

/* --threads N (N > 0): the library's thread count, with a note if it was capped. */
void cli_apply_threads(const char *prog, long threads);

void cli_solver_apply(const cli_solver_args *s, vs_sim_opts *o);

/* ---- input ----------------------------------------------------------------------------- */
typedef struct cli_input_args {
    const char *kind, *pwl_path;
    double v_in, v_lo, v_hi, period, width, delay, offset, amplitude;
    double i_in, i_lo, i_hi, i_offset, i_amplitude;   /* current levels; NAN: not given */
    int given_v_in, given_v_lo, given_v_hi, given_offset, given_amplitude;
    int given_period, given_width, given_delay;
} cli_input_args;

#define CLI_INPUT_DEFAULTS {.kind = "dc", .v_in = 12.5, .v_lo = 0, .v_hi = 15, .period = 4e-6,  \
                            .width = 2e-6, .delay = 0, .offset = 0, .amplitude = 12,             \
                            .i_in = NAN, .i_lo = NAN, .i_hi = NAN, .i_offset = NAN,            \
                            .i_amplitude = NAN}

extern const char *const cli_input_choices[];

/* Largest input current a flag accepts (vs_input_validate's limit). */
#define CLI_I_MAX_A 1e3

#define CLI_INPUT_OPTS(a)                                                                          \
    {.name = "input", .kind = OPT_CHOICE, .metavar = "KIND", .help = "input waveform: dc, pulse, sine, square, pwl (see below)", .dest = &(a).kind, .choices = cli_input_choices}, \
    {.name = "v-in", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "dc input level", .dest = &(a).v_in, .min = -1e4, .max = 1e4, .given = &(a).given_v_in}, \
    {.name = "v-lo", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "low level (pulse, square)", .dest = &(a).v_lo, .min = -1e4, .max = 1e4, .given = &(a).given_v_lo}, \
    {.name = "v-hi", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "high level (default: pulse 15 V, square 12.5 V)", .dest = &(a).v_hi, .min = -1e4, .max = 1e4, .given = &(a).given_v_hi}, \
    {.name = "period", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "period (default: pulse 4 us, sine 2 ms)", .dest = &(a).period, .min = 1e-12, .max = 1e3, .given = &(a).given_period}, \
    {.name = "width", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "high time (default: pulse 2 us, square 100 us)", .dest = &(a).width, .min = 1e-12, .max = 1e3, .given = &(a).given_width}, \
    {.name = "delay", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "start of the waveform (default: square 2 us, else 0 s)", .dest = &(a).delay, .min = 0, .max = 1e3, .given = &(a).given_delay}, \
    {.name = "offset", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "sine offset", .dest = &(a).offset, .min = -1e4, .max = 1e4, .given = &(a).given_offset}, \
    {.name = "amplitude", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V", .help = "sine amplitude", .dest = &(a).amplitude, .min = -1e4, .max = 1e4, .given = &(a).given_amplitude}, \
    {.name = "i-in", .kind = OPT_QUANTITY, .unit = "A", .metavar = "I", .help = "dc input current into node N, instead of --v-in", .dest = &(a).i_in, .min = -CLI_I_MAX_A, .max = CLI_I_MAX_A}, \
    {.name = "i-lo", .kind = OPT_QUANTITY, .unit = "A", .metavar = "I", .help = "low current (pulse, square) (default 0 A)", .dest = &(a).i_lo, .min = -CLI_I_MAX_A, .max = CLI_I_MAX_A}, \
    {.name = "i-hi", .kind = OPT_QUANTITY, .unit = "A", .metavar = "I", .help = "high current (pulse, square)", .dest = &(a).i_hi, .min = -CLI_I_MAX_A, .max = CLI_I_MAX_A}, \
    {.name = "i-offset", .kind = OPT_QUANTITY, .unit = "A", .metavar = "I", .help = "sine offset current (default 0 A)", .dest = &(a).i_offset, .min = -CLI_I_MAX_A, .max = CLI_I_MAX_A}, \
    {.name = "i-amplitude", .kind = OPT_QUANTITY, .unit = "A", .metavar = "I", .help = "sine current amplitude", .dest = &(a).i_amplitude, .min = -CLI_I_MAX_A, .max = CLI_I_MAX_A}, \
    {.name = "pwl", .kind = OPT_STRING, .metavar = "FILE", .help = "CSV of t_s,v_v (or t_s,i_a) knots for --input pwl", .dest = &(a).pwl_path}

#define CLI_INPUT_HELP                                                                             \
    "Inputs (defaults are the paper's waveforms):\n"                                              \
    "  dc      constant --v-in (12.5 V)\n"                                                        \
    "  pulse   train --v-lo/--v-hi (0/15 V), --period 4us, --width 2us, --delay 0 (Fig 3C)\n"    \
    "  sine    --offset 0 + --amplitude 12 V, --period 2ms (Fig 3D; the negative half gives\n"   \
    "          inverted spikes)\n"                                                                \
    "  square  one pulse --v-lo/--v-hi (0/12.5 V) from --delay 2us for --width 100us (Fig 2R)\n" \
    "  pwl     piecewise-linear from --pwl FILE (CSV: t_s,v_v; header optional)\n"             \
    "Simulated time defaults: 200 us (dc, pulse), one period (sine), delay+width+10 us\n"       \
    "(square), the last knot (pwl).\n"                                                          \
    "Current inputs inject I_in(t) straight into node N (no R_s in the path), as in\n"         \
    "transimpedance measurements: give the levels in A with --i-in (dc), --i-lo/--i-hi\n"      \
    "(pulse, square), --i-offset/--i-amplitude (sine) instead of the voltages, e.g.\n"         \
    "--input dc --i-in 2mA; a PWL file is a current when its header is t_s,i_a. osc's trace\n" \
    "CSV then has the column i_in_a (A) in place of v_in_v; a netlist has the current source\n" \
    "Iin into node n and its --wrdata writes i(vimeas) in place of v(in).\n"

/* Build and validate the input; on error prints and returns 1. Free with vs_input_free. */
int cli_input_build(const char *prog, const cli_input_args *a, vs_input *in);

/* Default simulated time for an input (see CLI_INPUT_HELP). */
double cli_input_default_t_end(const vs_input *in);

/* ---- output and errors ----------------------------------------------------------------- */

/* Print "PROG: message" to stderr (one line). Returns 1 (the exit status). */
int cli_error(const char *prog, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* cli_error with vs_last_error() as the message. */
int cli_fail(const char *prog);

/* "PROG: note: message" on stderr (one line), for what the user should know but is not an
   error (a cache file that failed its checksum and was recomputed). */
void cli_note(const char *prog, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/*
 * Refuse an empty or inverted range: unless lo < hi, prints "PROG: --v-min (16 V) must be
 * below --v-max (6 V)" and returns 1 (the exit status); 0 otherwise. unit may be "".
 * NaN bounds (an end not given) are not checked. Every command checks its min/max pairs
 * with this.
 */
int cli_check_range(const char *prog, const char *lo_flag, double lo, const char *hi_flag,
                    double hi, const char *unit);

/* Create the directory that will hold path (mkdir -p of its dirname) and claim path for
 * this run (outputs.h: fails if another run is writing it). 0 or error printed. */
int cli_prepare_output(const char *prog, const char *path);

/* "out/osc.csv" -> "out/osc" + suffix, into buf; a stream (/dev/null, /dev/stdout) stays
 * itself, so the sibling outputs of --out /dev/null go to /dev/null too. */
void cli_with_suffix(const char *path, const char *suffix, char *buf, size_t n);

/* Columns of the transient CSV and a sample writer for vs_neuron_simulate. The second
   column is the source: v_in_v, or i_in_a for a current input (cli_trace_cols_for). */
extern const char *const cli_trace_cols[];
#define CLI_TRACE_NCOLS 9
const char *const *cli_trace_cols_for(const vs_input *in);
int cli_trace_sample(const vs_sample *s, void *csv_writer);

/* Gnuplot script for the three-panel waveform plot (V_in or I_in, V_osc, V_spike) of a
   trace CSV written for an input from source. */
void cli_trace_plot_script(char *buf, size_t n, const char *csv_path, const char *title,
                           vs_input_source source);

/* ---- parsing ----------------------------------------------------------------------------- */
/* Every command parses its options with cli_parse and runs on CLI_GO_ON:
       int rc = parse_args(argc, argv, prog, &a);
       if (rc != CLI_GO_ON) return rc;
   cli_parse returns CLI_GO_ON, or the exit status to return at once: 1 after an error (one
   line on stderr), 0 after --help. A parse_args that checks more after it returns 1 through
   cli_error, and CLI_GO_ON when all is well. No positional arguments. */
#define CLI_GO_ON (-1)
#define CLI_N_OPTS(opts) ((int)(sizeof(opts) / sizeof((opts)[0])))
int cli_parse(const char *prog, const char *summary, const char *details, const opt_spec *opts, int n_opts,
              int argc, char **argv);

/* ---- plots ----------------------------------------------------------------------------- */
/* --plot and --no-plot, both in every command that can write PNGs, on one int: the last one
   given wins. Commands whose output is a figure set (demo, train, infer) plot by default
   (CLI_PLOT_ON_OPTS, with plot = CLI_PLOT_PNG before parsing); the others write data only
   unless --plot (CLI_PLOT_OPTS). what names the PNGs, a string literal ("<out>.png"). */
#define CLI_PLOT_OPTS(plot, what)                                                                  \
    {.name = "plot", .kind = OPT_FLAG, .help = "also write " what " through gnuplot (default: off)", \
     .dest = &(plot)},                                                                             \
    {.name = "no-plot", .kind = OPT_FLAG_OFF, .help = "write no PNG (undoes an earlier --plot)",    \
     .dest = &(plot)}
#define CLI_PLOT_ON_OPTS(plot, what)                                                               \
    {.name = "plot", .kind = OPT_FLAG, .help = "write " what " through gnuplot (default: on)",     \
     .dest = &(plot)},                                                                             \
    {.name = "no-plot", .kind = OPT_FLAG_OFF, .help = "write CSV only, no PNG", .dest = &(plot)}

/* ---- measured data over a plot (--measured FILE of iv, rt, osc, vf) ----------------------- */
/* --measured FILE; what names the kind of file, e.g. "measured R-T file". */
#define CLI_MEASURED_OPT(file, what)                                                               \
    {.name = "measured", .kind = OPT_STRING, .metavar = "FILE",                                    \
     .help = what " drawn over the plot (implies --plot; docs/measured-data.md)",                  \
     .dest = &(file), .min = 1, .max = 0}

/* The plot a run makes: --measured draws on it, so a run with a measured file plots
   (CLI_PLOT_PNG) even when plot is CLI_PLOT_NONE. */
int cli_measured_plot(int plot, const char *measured);

/* "<out>_measured.csv", the copy of the measured points the plot reads, into buf. Refuses an
   --out that is a stream (/dev/null), whose plot could not read its data back: 1 after one
   line, else 0. */
int cli_measured_path(const char *prog, const char *out, char *buf, size_t n);
/* "measured": {"file", "points", "response" (a waveform's column; NULL: none), "csv"} into the
   open JSON object j; nothing when file is NULL. */
struct vs_json;
void cli_json_measured(struct vs_json *j, const char *file, long points, const char *response, const char *csv);

/* Write n measured points to path (atomically, as every output): the numeric columns
   cols[0..n_num-1] from the arrays x[0..n_num-1] (each (n)), and with names a last text
   column cols[n_num] holding names[tag[i]]. 0, or 1 after one line on stderr. */
int cli_write_measured(const char *prog, const char *path, const char *const *cols, int n_num,
                       const double *const *x, size_t n, const int *tag, const char *const *names);

/* Append one series (", \\\n     " + series) to the last plot command of a gnuplot script,
   which ends in a newline; the script keeps ending in one. Truncated at n like snprintf. */
void cli_plot_append(char *script, size_t n, const char *series);

/* ---- output ---------------------------------------------------------------------------- */
/* --out: metavar says what it names ("CSV", "DIR", "FILE"), help_text where it goes. */
#define CLI_OUT_OPT(out, meta, help_text)                                                          \
    {.name = "out", .kind = OPT_STRING, .metavar = meta, .help = help_text, .dest = &(out)}
/* --out for commands that need to know whether it was given. */
#define CLI_OUT_OPT_GIVEN(out, given_flag, meta, help_text)                                        \
    {.name = "out", .kind = OPT_STRING, .metavar = meta, .help = help_text, .dest = &(out),       \
     .given = &(given_flag)}
/* --json: help_text says what is printed; CLI_JSON_OPT is the run's summary. */
#define CLI_JSON_OPT_HELP(json, help_text)                                                         \
    {.name = "json", .kind = OPT_FLAG, .help = help_text, .dest = &(json)}
#define CLI_JSON_SUMMARY_HELP "print the summary as one JSON object"
#define CLI_JSON_OPT(json) CLI_JSON_OPT_HELP(json, CLI_JSON_SUMMARY_HELP)
/* The output group of the commands that write data and plot it on request: --out, --json,
   --plot/--no-plot (CLI_PLOT_OPTS; what names the PNGs). */
#define CLI_OUTPUT_OPTS(out, meta, help_text, json, plot, what)                                    \
    CLI_OUT_OPT(out, meta, help_text), CLI_JSON_OPT(json), CLI_PLOT_OPTS(plot, what)

/* ---- data, checkpoints, caches, threads (train, eval, infer) --------------------------- */
extern const char *const cli_dataset_choices[];

/* --data and --dataset. */
#define CLI_DATA_OPTS(data, dataset)                                                               \
    {.name = "data", .kind = OPT_STRING, .metavar = "DIR",                                         \
     .help = "directory with the IDX files (default: $VO2SNN_DATA)", .dest = &(data)},             \
    {.name = "dataset", .kind = OPT_CHOICE, .metavar = "NAME",                                     \
     .help = "mnist or fashion (Fashion-MNIST); the images must look like it", .dest = &(dataset), \
     .choices = cli_dataset_choices}
/* --checkpoint: help_text says whether it is read or written. */
#define CLI_CHECKPOINT_OPT(checkpoint, help_text)                                                  \
    {.name = "checkpoint", .kind = OPT_STRING, .metavar = "FILE", .help = help_text,              \
     .dest = &(checkpoint)}
#define CLI_CHECKPOINT_IN_HELP "checkpoint written by vo2snn train"
/* --cache: the transfer-function cache directory. */
#define CLI_CACHE_OPT(cache)                                                                       \
    {.name = "cache", .kind = OPT_STRING, .metavar = "DIR",                                        \
     .help = "transfer-function cache ('none' to disable; default: $VO2SNN_CACHE, else "          \
             "$XDG_CACHE_HOME/vo2snn or ~/.cache/vo2snn if they exist, else none)",               \
     .dest = &(cache)}
/* --threads (cli_apply_threads); what: "" or ", images run in parallel". */
#define CLI_THREADS_OPT(threads, what)                                                             \
    {.name = "threads", .kind = OPT_LONG, .metavar = "N",                                          \
     .help = "threads" what " (default: OMP_NUM_THREADS or all cores; capped at the cores)",     \
     .dest = &(threads), .min = 1, .max = 1024}

/* ---- the inference engine (infer, chips; docs/engine.md) --------------------------------- */
extern const char *const cli_engine_choices[];   /* "fast", "reference": index = VS_ENGINE_* */
/* The engine --engine names (one of cli_engine_choices). */
int cli_engine_by_name(const char *name);
#define CLI_ENGINE_OPT(engine)                                                                     \
    {.name = "engine", .kind = OPT_CHOICE, .metavar = "E",                                        \
     .help = "neuron integration: fast (vo2x without jitter; else reference) or reference "       \
             "(adaptive DP54 per neuron; docs/engine.md)",                                         \
     .dest = &(engine), .choices = cli_engine_choices}

/* ---- adders and the paper's 2x2 network (net2x2, netlist, infer) ------------------------ */
extern const char *const cli_opamp_choices[];
/* The op-amp named by --opamp (one of cli_opamp_choices). */
vs_opamp cli_opamp_by_name(const char *name);

/* --opamp; prefix "" or "2x2: " (netlist, whose other nets have no adders). */
#define CLI_OPAMP_OPT(opamp, prefix)                                                               \
    {.name = "opamp", .kind = OPT_CHOICE, .metavar = "M",                                         \
     .help = prefix "adder op-amps: ideal, or nonideal (A0 2e5, GBW 10 MHz, SR 20 V/us, +-13.5 V)", \
     .dest = &(opamp), .choices = cli_opamp_choices}
/* The op-amp's periphery, over the model --opamp names (infer, net2x2): supply and quiescent
   current (energy only), input offset (moves every adder output by NG V_os, synapse.h) and the
   finite DC gain of the non-ideal model. Defaults are vs_opamp_default()'s. */
typedef struct cli_opamp_args {
    double supply_v, i_quiescent_a, offset_v, a0;
    int given_a0;
} cli_opamp_args;
#define CLI_OPAMP_ARGS_DEFAULTS {.supply_v = 15.0, .i_quiescent_a = 1e-3, .offset_v = 0.0, .a0 = 2e5, .given_a0 = 0}
#define CLI_OPAMP_PERIPHERY_OPTS(a)                                                                \
    {.name = "opamp-supply", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V",                   \
     .help = "op-amp supply +-V, for the energy (at least the 13.5 V output swing)",             \
     .dest = &(a).supply_v, .min = 1, .max = 1e3},                                                 \
    {.name = "opamp-iq", .kind = OPT_QUANTITY, .unit = "A", .metavar = "I",                       \
     .help = "op-amp quiescent supply current; each op-amp draws 2 V_supply I_q",                \
     .dest = &(a).i_quiescent_a, .min = 0, .max = 1},                                              \
    {.name = "opamp-offset", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V",                   \
     .help = "op-amp input offset voltage; each stage's output moves by its noise gain x V",     \
     .dest = &(a).offset_v, .min = -1, .max = 1},                                                  \
    {.name = "opamp-gain", .kind = OPT_QUANTITY, .unit = "", .metavar = "A0",                     \
     .help = "DC open-loop gain of the nonideal op-amp (needs --opamp nonideal)",                \
     .dest = &(a).a0, .min = 10, .max = 1e12, .given = &(a).given_a0}
/* The op-amp --opamp names with the periphery of a; 1 after one line if a does not fit it
   (--opamp-gain with an ideal op-amp, a supply below the output swing). */
int cli_opamp_build(const char *prog, const char *name, const cli_opamp_args *a, vs_opamp *out);

/* --v-drive, --bias, --weight (into a vs_net2x2_params) and --opamp; the levels are accepted
   in [-v_lim, v_lim] V and the weight in [0, w_max]. */
#define CLI_NET2X2_OPTS(p, opamp, prefix, v_lim, w_max)                                            \
    {.name = "v-drive", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V",                         \
     .help = prefix "dc drive of layer-1 neurons (1,1) and (1,2)", .dest = &(p).v_drive_v,         \
     .min = -(v_lim), .max = (v_lim)},                                                             \
    {.name = "bias", .kind = OPT_QUANTITY, .unit = "V", .metavar = "V",                            \
     .help = prefix "adder reference B of both layer-2 neurons", .dest = &(p).bias_v,              \
     .min = -(v_lim), .max = (v_lim)},                                                             \
    {.name = "weight", .kind = OPT_QUANTITY, .unit = "", .metavar = "W",                           \
     .help = prefix "synaptic weight |w| (adder gain R_f/R_in), + into (2,1), - into (2,2)",      \
     .dest = &(p).weight, .min = 0, .max = (w_max)},                                               \
    CLI_OPAMP_OPT(opamp, prefix)

/* Line colours for plots comparing devices (tab10). */
#define CLI_N_COLORS 8
extern const char *const cli_colors[CLI_N_COLORS];


/* Render a gnuplot script to png_path; prints the error and returns 1 on failure. */
/* What a command's --plot asks for: nothing, a PNG, or a PNG with the same figure as SVG
   beside it (vo2snn paper, whose report links both). */
enum { CLI_PLOT_NONE = 0, CLI_PLOT_PNG = 1, CLI_PLOT_PNG_SVG = 2 };
int cli_plot(const char *prog, int plot, const char *script, const char *png_path, int w, int h);

#endif
