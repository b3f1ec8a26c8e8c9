/*
 * opts.h -- declarative option parsing for the CLI subcommands.
 *
 * Each subcommand describes its options in a table of opt_spec and calls
 * opt_parse(); defaults are whatever the destinations hold beforehand:
 *
 *     double r_series_ohm = 3e3;
 *     const opt_spec opts[] = {
 *         {"r-series", OPT_QUANTITY, "Ohm", "R", "series resistance", &r_series_ohm,
 *          1, 1e9, NULL, NULL},
 *     };
 *     const opt_cmd cmd = {"vo2snn osc", "Simulate one oscillator.", NULL, opts, 1, 0};
 *     int rc = opt_parse(&cmd, argc - 2, argv + 2, NULL, NULL);
 *     if (rc != 0) return rc < 0;   // 1: help printed (exit 0); -1: error printed (exit 1)
 *
 * Quantities take SI prefixes and units (see units.h): --r-series 3k,
 * --r-series=3kOhm. Strings and choices point into argv (or into choices).
 * An OPT_STRINGS option may be repeated: each value is appended to an opt_strings
 * list, in order (--device-file a.txt --device-file b.txt).
 *
 * An OPT_FLAG sets its int to 1, an OPT_FLAG_OFF sets it to 0: a pair of them on one int
 * (--plot / --no-plot) lets either be given, the last one winning.
 *
 * Old spellings: an option's alias (e.g. "c" for "cap") is accepted exactly as its name
 * is, and --help lists it after the description, "(old name --c)". An error names the
 * option as the user spelled it. Every long name has at least two letters (docs/cli.md).
 *
 * Defaults in --help (tests/test_help.c holds every command to this):
 *   - opt_parse appends "(default X)" from the destination: quantities with an SI prefix
 *     (1.8 nF, 3 kOhm, 200 us; plain numbers and kelvin as %g), integers, strings, and
 *     "(one of a, b; default a)" for choices. X is always a value the option accepts,
 *     so `--opt X` is the default spelled out.
 *   - A quantity holding NAN (or inf), or a string holding NULL, has no fixed default:
 *     nothing is printed; the help text says what happens when it is not given.
 *   - A help text that contains the word "default" states the default itself and gets no
 *     automatic one. Write "(default: text)" -- with a colon -- for a default that is not a
 *     value (it depends on other options or the input: "(default: 1.3 x V_th)",
 *     "(default: pulse 4 us, sine 2 ms)", "(default: all)"), and "(default X)" without a
 *     colon only for a literal value X the option accepts.
 *   - So a sentinel the parser refuses (0 for "automatic" below an option's minimum, -1 for
 *     "none") is never printed: such an option says "(default: ...)" in words.
 */
#ifndef VO2SNN_CLI_OPTS_H
#define VO2SNN_CLI_OPTS_H

#include <stddef.h>

typedef enum opt_kind {
    OPT_FLAG,     /* sets its int to 1 */
    OPT_QUANTITY,
    OPT_LONG,
    OPT_STRING,
    OPT_CHOICE,
    OPT_STRINGS,
    OPT_FLAG_OFF  /* sets its int to 0: the opposite of an OPT_FLAG on the same int */
} opt_kind;

/* Destination of an OPT_STRINGS option: the values given, in order (pointers into argv). */
#define OPT_STRINGS_MAX 16
typedef struct opt_strings {
    int n;
    const char *v[OPT_STRINGS_MAX];
} opt_strings;

typedef struct opt_spec {
    const char *name;           /* long name without dashes, e.g. "r-series" */
    opt_kind kind;
    const char *unit;           /* OPT_QUANTITY: unit for vs_parse_quantity, e.g. "Ohm" */
    const char *metavar;        /* shown in help, e.g. "R"; NULL for a generic one */
    const char *help;           /* one line */
    void *dest;                 /* FLAG, FLAG_OFF: int*, QUANTITY: double*, LONG: long*,
                                   STRING/CHOICE: const char**, STRINGS: opt_strings* */
    double min, max;            /* inclusive range for QUANTITY/LONG; ignored when min > max */
    const char *const *choices; /* CHOICE: NULL-terminated list */
    int *given;                 /* optional: set to 1 when the option appears */
    const char *alias;          /* optional: an old spelling still accepted, e.g. "c" */
} opt_spec;

typedef struct opt_cmd {
    const char *prog;    /* "vo2snn osc" */
    const char *summary; /* one line shown under the usage line */
    const char *details; /* optional paragraph(s) appended to --help (may be NULL) */
    const opt_spec *opts;
    int n_opts;
    int max_positional; /* 0 = none allowed */
} opt_cmd;

/*
 * Parse argv[0..argc) (argv[0] is the first argument AFTER the subcommand
 * name). Accepts --name value, --name=value, -h/--help and "--" (everything
 * after it is positional). A value may not start with "--" unless given as
 * --name=value; negative numbers are fine ("--v-in -2"). Repeated options:
 * the last wins, except OPT_STRINGS, which collects up to OPT_STRINGS_MAX values in
 * order (one more is an error; help marks such options "repeatable"). Positionals (at
 * most max_positional) go to positional[]; their count to *n_positional (either may be
 * NULL when none are allowed).
 *
 * -h/--help anywhere before "--" prints help (with the defaults the
 * destinations hold on entry, as described at the top) and changes nothing.
 *
 * Returns 0 on success; 1 if help was printed to stdout (the caller exits
 * 0); -1 on error, after printing exactly one line to stderr, e.g.
 *   vo2snn osc: --r-series: '3x' is not a valid value in Ohm (e.g. 3k, 3000, 3 kOhm)
 *   vo2snn osc: unknown option '--foo' (try 'vo2snn osc --help')
 *   vo2snn osc: --v-in needs a value
 *   vo2snn osc: --cap: 0 F is out of range [1e-15, 1] F   (--c: ... when spelled --c)
 *   vo2snn osc: --device: 'x' is not one of 1, 2, 3, 4, 5
 *   vo2snn vf: --device-file: given more than 16 times
 * After an error the destinations may be partly updated.
 */
int opt_parse(const opt_cmd *cmd, int argc, char **argv, const char **positional,
              int *n_positional);

/* v in unit as --help prints it, into buf (n >= 32): with an SI prefix and up to 10
   significant digits ("1.8 nF", "3 kOhm", "200 us", "0 V", "145 kHz"); a plain number (unit
   "" or NULL) or a temperature in K as %g ("1e-06", "290 K"). vs_parse_quantity reads it
   back. */
void opt_format_quantity(char *buf, size_t n, double v, const char *unit);

#endif
