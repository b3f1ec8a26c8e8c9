/* test_opts.c -- CLI option parsing: values, help text, one-line errors. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "opts.h"
#include "vo2snn/units.h"

static char scratch[256]; /* a mkdtemp() directory, removed at the end */

/* The options of an imaginary "vo2snn osc", reset to defaults by reset(). */
static double r_series_ohm, v_in_v, c_f;
static long seed, steps;
static int plot, r_given, plot_given;
static const char *out_path, *device;
static const char *const devices[] = {"1", "2", "3", "4", "5", NULL};

static const opt_spec osc_opts[] = {
    {"r-series", OPT_QUANTITY, "Ohm", "R", "series resistance", &r_series_ohm, 1, 1e9, NULL,
     &r_given, NULL},
    {"v-in", OPT_QUANTITY, "V", "V", "input voltage", &v_in_v, 1, 0, NULL, NULL, NULL},
    {"cap", OPT_QUANTITY, "F", "C", "parallel capacitance", &c_f, 1e-15, 1, NULL, NULL, "c"},
    {"seed", OPT_LONG, NULL, "N", "random seed", &seed, 1, 1e6, NULL, NULL, NULL},
    {"steps", OPT_LONG, NULL, NULL, "step budget (any integer)", &steps, 1, 0, NULL, NULL, NULL},
    {"plot", OPT_FLAG, NULL, NULL, "also render a PNG", &plot, 0, 0, NULL, &plot_given, NULL},
    {"no-plot", OPT_FLAG_OFF, NULL, NULL, "no PNG", &plot, 0, 0, NULL, &plot_given, NULL},
    {"out", OPT_STRING, NULL, "FILE", "output CSV file", &out_path, 0, 0, NULL, NULL, NULL},
    {"device", OPT_CHOICE, NULL, "N", "device preset", &device, 0, 0, devices, NULL, NULL},
    {"a-very-long-option-name", OPT_FLAG, NULL, NULL, "wraps onto its own line", &plot, 0, 0,
     NULL, NULL, NULL},
};
static const opt_cmd osc = {"vo2snn osc", "Simulate one VO2 relaxation oscillator.",
                            "Values take SI prefixes: 3k, 1.8n, 100u.", osc_opts,
                            (int)(sizeof osc_opts / sizeof osc_opts[0]), 1};
static const opt_cmd osc_no_args = {"vo2snn osc", "Simulate.", NULL, osc_opts,
                                    (int)(sizeof osc_opts / sizeof osc_opts[0]), 0};

static void reset(void)
{
    r_series_ohm = 3e3, v_in_v = 12.5, c_f = 1e-9;
    seed = 1, steps = 100;
    plot = r_given = plot_given = 0;
    out_path = NULL, device = "1";
}

/* Run opt_parse on a NULL-terminated list of arguments with stdout and
 * stderr redirected to files; *out and *err get what was printed. */
static int parse(const opt_cmd *cmd, const char **pos, int *n_pos, char **out, char **err,
                 const char *const *args)
{
    char *argv[64];
    int argc = 0;
    while (args[argc]) {
        argv[argc] = (char *)args[argc];
        argc++;
    }
    char out_file[512], err_file[512];
    snprintf(out_file, sizeof out_file, "%s/out.txt", scratch);
    snprintf(err_file, sizeof err_file, "%s/err.txt", scratch);

    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    if (!freopen(out_file, "w", stdout) || !freopen(err_file, "w", stderr)) abort();
    int rc = opt_parse(cmd, argc, argv, pos, n_pos);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    *out = check_slurp(out_file);
    *err = check_slurp(err_file);
    return rc;
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static int count_char(const char *s, char c)
{
    int n = 0;
    for (; s && *s; s++) n += *s == c;
    return n;
}

static int starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_parse_values(void)
{
    reset();
    const char *pos[1] = {NULL};
    int n_pos = -1;
    char *out, *err;
    int rc = parse(&osc, pos, &n_pos, &out, &err,
                   ARGS("--r-series", "4.7k", "--v-in=-2.5", "--c", "1.8nF", "--plot", "--seed",
                        "42", "--out", "x.csv", "in.csv", "--device", "3", "--steps=-5",
                        "--v-in", "500mV"));
    CHECK(rc == 0);
    CHECK(r_series_ohm == 4.7e3 && r_given == 1);
    CHECK(v_in_v == 0.5); /* repeated: the last wins */
    CHECK(c_f == 1.8e-9);
    CHECK(plot == 1 && plot_given == 1);
    CHECK(seed == 42 && steps == -5);
    CHECK(out_path && strcmp(out_path, "x.csv") == 0);
    CHECK(device == devices[2]);
    CHECK(n_pos == 1 && pos[0] && strcmp(pos[0], "in.csv") == 0);
    CHECK(out && out[0] == '\0' && err && err[0] == '\0');
    free(out);
    free(err);

    /* Untouched options keep their defaults; "--" ends the options. */
    reset();
    n_pos = -1;
    rc = parse(&osc, pos, &n_pos, &out, &err, ARGS("--", "--plot"));
    CHECK(rc == 0 && n_pos == 1 && strcmp(pos[0], "--plot") == 0);
    CHECK(plot == 0 && plot_given == 0 && r_given == 0 && r_series_ohm == 3e3);
    free(out);
    free(err);

    reset();
    rc = parse(&osc, pos, &n_pos, &out, &err, ARGS("-"));
    CHECK(rc == 0 && n_pos == 1 && strcmp(pos[0], "-") == 0);
    free(out);
    free(err);

    reset();
    rc = parse(&osc_no_args, NULL, NULL, &out, &err, ARGS("--v-in", "-3"));
    CHECK(rc == 0 && v_in_v == -3);
    free(out);
    free(err);
}

static void test_parse_errors(void)
{
    const struct {
        const char *const *args;
        const char *want;
    } cases[] = {
        {ARGS("--r-series", "3x"),
         "vo2snn osc: --r-series: '3x' is not a valid value in Ohm (e.g. 3k, 3000, 3 kOhm)"},
        {ARGS("--foo"), "vo2snn osc: unknown option '--foo' (try 'vo2snn osc --help')"},
        {ARGS("--foo=3"), "vo2snn osc: unknown option '--foo' (try 'vo2snn osc --help')"},
        {ARGS("-x"), "vo2snn osc: unknown option '-x' (try 'vo2snn osc --help')"},
        {ARGS("--r-serie", "3k"), "vo2snn osc: unknown option '--r-serie' (try 'vo2snn osc --help')"},
        {ARGS("--v-in"), "vo2snn osc: --v-in needs a value"},
        {ARGS("--v-in", "--plot"), "vo2snn osc: --v-in needs a value"},
        {ARGS("--v-in="), "vo2snn osc: --v-in needs a value"},
        {ARGS("--out", ""), "vo2snn osc: --out needs a value"},
        {ARGS("--c", "0"), "vo2snn osc: --c: 0 F is out of range [1e-15, 1] F"}, /* as spelled */
        {ARGS("--cap", "0"), "vo2snn osc: --cap: 0 F is out of range [1e-15, 1] F"},
        {ARGS("--c=1x"), "vo2snn osc: --c: '1x' is not a valid value in F (e.g. 1.8n, 1.8nF, 1.8e-9)"},
        {ARGS("--c"), "vo2snn osc: --c needs a value"},
        {ARGS("--ca", "1n"), "vo2snn osc: unknown option '--ca' (try 'vo2snn osc --help')"},
        {ARGS("--no-plot=1"), "vo2snn osc: --no-plot does not take a value"},
        {ARGS("--c", "2F"), "vo2snn osc: --c: 2 F is out of range [1e-15, 1] F"},
        {ARGS("--r-series", "0.5"), "vo2snn osc: --r-series: 0.5 Ohm is out of range [1, 1000000000] Ohm"},
        {ARGS("--device", "x"), "vo2snn osc: --device: 'x' is not one of 1, 2, 3, 4, 5"},
        {ARGS("--device", "6"), "vo2snn osc: --device: '6' is not one of 1, 2, 3, 4, 5"},
        {ARGS("--plot=1"), "vo2snn osc: --plot does not take a value"},
        {ARGS("--help=1"), "vo2snn osc: --help does not take a value"},
        {ARGS("--seed", "1.5"), "vo2snn osc: --seed: '1.5' is not an integer"},
        {ARGS("--seed", "0"), "vo2snn osc: --seed: 0 is out of range [1, 1000000]"},
        {ARGS("--seed=2000000"), "vo2snn osc: --seed: 2000000 is out of range [1, 1000000]"},
        {ARGS("a", "b"), "vo2snn osc: too many arguments at 'b' (at most 1)"},
        {ARGS("--r-series", "3\nx"),
         "vo2snn osc: --r-series: '3?x' is not a valid value in Ohm (e.g. 3k, 3000, 3 kOhm)"},
        {ARGS("--plot", "--r-series", "1k", "--v-in", "nan"),
         "vo2snn osc: --v-in: 'nan' is not a valid value in V (e.g. 12.5, 12.5V, 500mV)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reset();
        const char *pos[1];
        int n_pos;
        char *out, *err;
        int rc = parse(&osc, pos, &n_pos, &out, &err, cases[i].args);
        CHECK(rc == -1);
        CHECK(out && out[0] == '\0');
        CHECK(count_char(err, '\n') == 1); /* exactly one line */
        size_t n = err ? strlen(err) : 0;
        CHECK(n > 0 && err[n - 1] == '\n');
        if (n > 0) err[n - 1] = '\0';
        CHECK(err && strcmp(err, cases[i].want) == 0);
        if (!err || strcmp(err, cases[i].want) != 0)
            fprintf(stderr, "  case %zu: got '%s'\n", i, err ? err : "(null)");
        free(out);
        free(err);
    }

    char *out, *err;
    reset();
    CHECK(parse(&osc_no_args, NULL, NULL, &out, &err, ARGS("--plot", "extra")) == -1);
    CHECK(err && strcmp(err, "vo2snn osc: unexpected argument 'extra' (try 'vo2snn osc --help')\n") == 0);
    free(out);
    free(err);
}

static void test_help(void)
{
    const char *const *variants[] = {ARGS("-h"), ARGS("--r-series", "1k", "--help", "--bogus")};
    for (int v = 0; v < 2; v++) {
        reset();
        r_series_ohm = 4700;
        char *out, *err;
        const char *pos[1];
        int n_pos;
        CHECK(parse(&osc, pos, &n_pos, &out, &err, variants[v]) == 1);
        CHECK(err && err[0] == '\0');
        CHECK(starts_with(out, "usage: vo2snn osc [options] [ARG]\n"
                               "Simulate one VO2 relaxation oscillator.\n\noptions:\n"));
        /* Defaults are read from the destinations when parsing starts. */
        const char *want[] = {
            "  --r-series R          series resistance (default 4.7 kOhm)\n",
            "  --v-in V              input voltage (default 12.5 V)\n",
            "  --cap C               parallel capacitance (default 1 nF) (old name --c)\n",
            "  --seed N              random seed (default 1)\n",
            "  --steps N             step budget (any integer) (default 100)\n",
            "  --plot                also render a PNG\n",
            "  --no-plot             no PNG\n",
            "  --out FILE            output CSV file\n",
            "  --device N            device preset (one of 1, 2, 3, 4, 5; default 1)\n",
            "  --a-very-long-option-name\n                        wraps onto its own line\n",
            "  -h, --help            show this help and exit\n",
            "\nValues take SI prefixes: 3k, 1.8n, 100u.\n",
        };
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
            CHECK(out && strstr(out, want[i]) != NULL);
            if (out && !strstr(out, want[i])) fprintf(stderr, "  missing: %s", want[i]);
        }
        free(out);
        free(err);
    }
    CHECK(r_series_ohm == 4700); /* help comes before any option is applied */
    reset();
    out_path = "trace.csv";
    char *out, *err;
    CHECK(parse(&osc_no_args, NULL, NULL, &out, &err, ARGS("--help")) == 1);
    CHECK(starts_with(out, "usage: vo2snn osc [options]\nSimulate.\n"));
    CHECK(out && strstr(out, "output CSV file (default trace.csv)\n") != NULL);
    free(out);
    free(err);
}

/* Defaults in --help: SI prefixes that read back as the value; none for NAN/inf; none added
   when the help text states the default itself ("(default: ...)", opts.h). */
static void test_help_defaults(void)
{
    const struct {
        double v;
        const char *unit, *text;
    } cases[] = {
        {1.8e-9, "F", "1.8 nF"},     {3000, "Ohm", "3 kOhm"},   {2e-6, "s", "2 us"},
        {0.0002, "s", "200 us"},     {145000, "Hz", "145 kHz"}, {12.5, "V", "12.5 V"},
        {0, "V", "0 V"},             {-0.005, "V", "-5 mV"},    {4.7e3, "Ohm", "4.7 kOhm"},
        {1e-18, "F", "0.001 fF"},    {2e9, "Hz", "2 GHz"},      {3.3e10, "Ohm", "33 GOhm"},
        {0.999999999999e-6, "F", "1 uF"}, {290, "K", "290 K"},  {0.5, "K", "0.5 K"},
        {1e-6, "", "1e-06"},         {145000, "", "145000"},    {0.75, NULL, "0.75"},
        {1.0 / 3, "s", "333.3333333 ms"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        opt_format_quantity(buf, sizeof buf, cases[i].v, cases[i].unit);
        CHECK(strcmp(buf, cases[i].text) == 0);
        if (strcmp(buf, cases[i].text) != 0)
            fprintf(stderr, "  %g %s: '%s', want '%s'\n", cases[i].v,
                    cases[i].unit ? cases[i].unit : "", buf, cases[i].text);
        double back = NAN;
        CHECK(vs_parse_quantity(buf, cases[i].unit ? cases[i].unit : "", &back) == VS_OK);
        CHECK_NEAR(back, cases[i].v, 1e-9, 0);
    }

    static double t_end, dt_out, gain, big;
    static long limit;
    static const char *method, *cache;
    static const char *const methods[] = {"dp54", "rk4", NULL};
    const opt_spec opts[] = {
        {"t-end", OPT_QUANTITY, "s", "T", "simulated time", &t_end, 1e-12, 10, NULL, NULL, NULL},
        {"dt-out", OPT_QUANTITY, "s", "T", "trace sampling (default: t_end/20000)", &dt_out,
         1e-15, 10, NULL, NULL, NULL},
        {"gain", OPT_QUANTITY, "", "G", "no fixed default", &gain, 1, 0, NULL, NULL, NULL},
        {"big", OPT_QUANTITY, "V", "V", "unbounded", &big, 1, 0, NULL, NULL, NULL},
        {"limit", OPT_LONG, NULL, "N", "first N images (default: all)", &limit, 1, 1e9, NULL,
         NULL, NULL},
        {"method", OPT_CHOICE, NULL, "M", "integrator (default: dp54, rk4 with --dt)", &method, 0,
         0, methods, NULL, NULL},
        {"cache", OPT_STRING, NULL, "DIR", "cache ('none' to disable; default: $CACHE)", &cache,
         0, 0, NULL, NULL, NULL},
    };
    const opt_cmd cmd = {"vo2snn x", "X.", NULL, opts, (int)(sizeof opts / sizeof opts[0]), 0};
    t_end = 2e-4, dt_out = 0, gain = NAN, big = INFINITY, limit = 0, method = "dp54",
    cache = "/c";
    char *out, *err;
    CHECK(parse(&cmd, NULL, NULL, &out, &err, ARGS("--help")) == 1);
    const char *want[] = {
        "  --t-end T             simulated time (default 200 us)\n",
        "  --dt-out T            trace sampling (default: t_end/20000)\n",
        "  --gain G              no fixed default\n",
        "  --big V               unbounded\n",
        "  --limit N             first N images (default: all)\n",
        "  --method M            integrator (default: dp54, rk4 with --dt) (one of dp54, rk4)\n",
        "  --cache DIR           cache ('none' to disable; default: $CACHE)\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CHECK(out && strstr(out, want[i]) != NULL);
        if (out && !strstr(out, want[i])) fprintf(stderr, "  missing: %s", want[i]);
    }
    CHECK(out && !strstr(out, "nan") && !strstr(out, "inf") && !strstr(out, "(default 0"));
    free(out);
    free(err);
}

/* Old spellings (alias) parse exactly as the name does; --plot/--no-plot on one int: the
   last one given wins, and either marks the option given. */
static void test_aliases_and_flag_pairs(void)
{
    const struct {
        const char *const *args;
        double c_f;
        int plot;
    } cases[] = {
        {ARGS("--c", "1.8n"), 1.8e-9, 0},
        {ARGS("--c=2.2nF"), 2.2e-9, 0},
        {ARGS("--cap", "1n", "--c", "3n"), 3e-9, 0}, /* one option, two spellings: last wins */
        {ARGS("--c", "3n", "--cap=4n"), 4e-9, 0},
        {ARGS("--plot"), 1e-9, 1},
        {ARGS("--no-plot"), 1e-9, 0},
        {ARGS("--plot", "--no-plot"), 1e-9, 0},
        {ARGS("--no-plot", "--plot"), 1e-9, 1},
        {ARGS("--plot", "--no-plot", "--plot"), 1e-9, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reset();
        const char *pos[1];
        int n_pos;
        char *out, *err;
        CHECK(parse(&osc, pos, &n_pos, &out, &err, cases[i].args) == 0);
        CHECK(c_f == cases[i].c_f);
        CHECK(plot == cases[i].plot);
        CHECK(plot_given == (strstr(cases[i].args[0], "plot") != NULL));
        CHECK(err && err[0] == '\0');
        if (c_f != cases[i].c_f || plot != cases[i].plot)
            fprintf(stderr, "  case %zu: c %g plot %d\n", i, c_f, plot);
        free(out);
        free(err);
    }
    /* --no-plot clears an int that starts at 1 (a command that plots by default) */
    reset();
    plot = 1;
    char *out, *err;
    CHECK(parse(&osc_no_args, NULL, NULL, &out, &err, ARGS("--no-plot")) == 0 && plot == 0);
    free(out);
    free(err);
}

/* A repeatable option: every value kept, in order, up to the list's capacity. */
static opt_strings files;
static const opt_spec list_opts[] = {
    {"device-file", OPT_STRINGS, NULL, "FILE", "one device per file", &files, 0, 0, NULL, NULL, NULL},
};
static const opt_cmd list_cmd = {"vo2snn vf", "Compare devices.", NULL, list_opts, 1, 0};

static void test_repeatable(void)
{
    char *out, *err;
    files.n = 0;
    CHECK(parse(&list_cmd, NULL, NULL, &out, &err,
                ARGS("--device-file", "a.txt", "--device-file=b.txt", "--device-file", "a.txt")) == 0);
    CHECK(files.n == 3 && strcmp(files.v[0], "a.txt") == 0 && strcmp(files.v[1], "b.txt") == 0 &&
          strcmp(files.v[2], "a.txt") == 0);
    CHECK(err && err[0] == '\0');
    free(out), free(err);

    const char *args[2 * OPT_STRINGS_MAX + 3];
    for (int k = 0; k < 2 * OPT_STRINGS_MAX + 2; k += 2) args[k] = "--device-file", args[k + 1] = "x";
    args[2 * OPT_STRINGS_MAX] = NULL; /* exactly the capacity */
    files.n = 0;
    CHECK(parse(&list_cmd, NULL, NULL, &out, &err, args) == 0 && files.n == OPT_STRINGS_MAX);
    free(out), free(err);
    args[2 * OPT_STRINGS_MAX] = "--device-file", args[2 * OPT_STRINGS_MAX + 2] = NULL;
    files.n = 0;
    CHECK(parse(&list_cmd, NULL, NULL, &out, &err, args) == -1);
    CHECK(err && strcmp(err, "vo2snn vf: --device-file: given more than 16 times\n") == 0);
    free(out), free(err);

    files.n = 0;
    CHECK(parse(&list_cmd, NULL, NULL, &out, &err, ARGS("--device-file")) == -1);
    CHECK(err && strcmp(err, "vo2snn vf: --device-file needs a value\n") == 0);
    free(out), free(err);

    CHECK(parse(&list_cmd, NULL, NULL, &out, &err, ARGS("--help")) == 1);
    CHECK(out && strstr(out, "  --device-file FILE    one device per file (repeatable, up to 16 times)\n"));
    free(out), free(err);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/vo2snn-test-opts-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(scratch)) {
        perror("mkdtemp");
        return 2;
    }
    RUN(test_parse_values);
    RUN(test_parse_errors);
    RUN(test_help);
    RUN(test_help_defaults);
    RUN(test_aliases_and_flag_pairs);
    RUN(test_repeatable);
    char path[600];
    snprintf(path, sizeof path, "%s/out.txt", scratch);
    unlink(path);
    snprintf(path, sizeof path, "%s/err.txt", scratch);
    unlink(path);
    rmdir(scratch);
    return CHECK_DONE();
}
