/* opts.c -- parse subcommand options from a table; print --help from it. */
#include "opts.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vo2snn/units.h"

#define HELP_COLUMN 24 /* where option descriptions start */

static const opt_spec *find_option(const opt_cmd *cmd, const char *name, size_t len);
static int set_value(const opt_cmd *cmd, const opt_spec *o, const char *flag, const char *value);
static void print_help(const opt_cmd *cmd, FILE *out);
static int fail(const opt_cmd *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

int opt_parse(const opt_cmd *cmd, int argc, char **argv, const char **positional,
              int *n_positional)
{
    int n_pos = 0, only_positional = 0;
    if (n_positional) *n_positional = 0;

    /* Help first, so that it shows the true defaults and wins over errors. */
    for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            print_help(cmd, stdout);
            return 1;
        }

    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (only_positional || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (n_pos >= cmd->max_positional || !positional) {
                if (cmd->max_positional == 0)
                    return fail(cmd, "unexpected argument '%s' (try '%s --help')", arg, cmd->prog);
                return fail(cmd, "too many arguments at '%s' (at most %d)", arg,
                            cmd->max_positional);
            }
            positional[n_pos++] = arg;
            if (n_positional) *n_positional = n_pos;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_positional = 1;
            continue;
        }
        if (arg[1] != '-') return fail(cmd, "unknown option '%s' (try '%s --help')", arg, cmd->prog);

        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const opt_spec *o = find_option(cmd, name, len);
        char flag[128]; /* the option as spelled: its name or its old alias, for errors */
        snprintf(flag, sizeof flag, "%.*s", (int)len, name);
        if (!o) {
            if (len == 4 && strncmp(name, "help", 4) == 0)
                return fail(cmd, "--help does not take a value");
            return fail(cmd, "unknown option '--%.*s' (try '%s --help')", (int)len, name,
                        cmd->prog);
        }

        if (o->kind == OPT_FLAG || o->kind == OPT_FLAG_OFF) {
            if (eq) return fail(cmd, "--%s does not take a value", flag);
            *(int *)o->dest = o->kind == OPT_FLAG;
        } else {
            const char *value = NULL;
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
                value = argv[++i];
            if (!value || !*value) return fail(cmd, "--%s needs a value", flag);
            if (set_value(cmd, o, flag, value) != 0) return -1;
        }
        if (o->given) *o->given = 1;
    }
    return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static int same_name(const char *n, const char *name, size_t len)
{
    return n && strlen(n) == len && strncmp(n, name, len) == 0;
}

/* The option called name (len bytes), by its name or its old alias. */
static const opt_spec *find_option(const opt_cmd *cmd, const char *name, size_t len)
{
    for (int i = 0; i < cmd->n_opts; i++)
        if (same_name(cmd->opts[i].name, name, len) || same_name(cmd->opts[i].alias, name, len))
            return &cmd->opts[i];
    return NULL;
}

/* "a, b, c" into buf. */
static void join_choices(const char *const *choices, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; choices && choices[i] && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", choices[i]);
}

/* "--cap: 2 F is out of range [1e-15, 1] F", every number exact (a rejected 1.00000000001
   never reads as an accepted 1), with a hint when text used a misleading prefix. */
static int out_of_range(const opt_cmd *cmd, const opt_spec *o, const char *flag, const char *text,
                        double v)
{
    const char *unit = o->unit ? o->unit : "", *sp = *unit ? " " : "";
    char val[32], lo[32], hi[32];
    vs_format_exact(val, sizeof val, v);
    vs_format_exact(lo, sizeof lo, o->min);
    vs_format_exact(hi, sizeof hi, o->max);
    return fail(cmd, "--%s: %s%s%s is out of range [%s, %s]%s%s%s", flag, val, sp, unit, lo, hi,
                sp, unit, vs_quantity_note(text, unit));
}

/* flag: the option as the user spelled it (name or alias), for the error messages. */
static int set_value(const opt_cmd *cmd, const opt_spec *o, const char *flag, const char *value)
{
    switch (o->kind) {
    case OPT_QUANTITY: {
        double v;
        const char *unit = o->unit ? o->unit : "";
        if (vs_parse_quantity(value, unit, &v) != VS_OK)
            return fail(cmd, "--%s: %s", flag, vs_last_error());
        if (o->min <= o->max && (v < o->min || v > o->max)) return out_of_range(cmd, o, flag, value, v);
        *(double *)o->dest = v;
        return 0;
    }
    case OPT_LONG: {
        long v, lo = LONG_MIN, hi = LONG_MAX;
        if (o->min <= o->max) { /* the double bounds, clamped into long range */
            if (o->min > (double)LONG_MIN)
                lo = o->min >= (double)LONG_MAX ? LONG_MAX : (long)ceil(o->min);
            if (o->max < (double)LONG_MAX)
                hi = o->max <= (double)LONG_MIN ? LONG_MIN : (long)floor(o->max);
        }
        if (vs_parse_long(value, lo, hi, &v) != VS_OK)
            return fail(cmd, "--%s: %s", flag, vs_last_error());
        *(long *)o->dest = v;
        return 0;
    }
    case OPT_STRING:
        *(const char **)o->dest = value;
        return 0;
    case OPT_STRINGS: {
        opt_strings *list = o->dest;
        if (list->n >= OPT_STRINGS_MAX)
            return fail(cmd, "--%s: given more than %d times", flag, OPT_STRINGS_MAX);
        list->v[list->n++] = value;
        return 0;
    }
    case OPT_CHOICE:
        for (int i = 0; o->choices && o->choices[i]; i++)
            if (strcmp(value, o->choices[i]) == 0) {
                *(const char **)o->dest = o->choices[i];
                return 0;
            }
        char list[512];
        join_choices(o->choices, list, sizeof list);
        return fail(cmd, "--%s: '%s' is not one of %s", flag, value, list);
    case OPT_FLAG:
    case OPT_FLAG_OFF:
        break;
    }
    return fail(cmd, "--%s: unsupported option kind", flag);
}

/* Print "prog: message" as exactly one line on stderr; returns -1. */
static int fail(const opt_cmd *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++) /* user text could hold line breaks */
        if ((unsigned char)*p < 0x20) *p = '?';
    fprintf(stderr, "%s: %s\n", cmd->prog, msg);
    return -1;
}

static const char *metavar_of(const opt_spec *o)
{
    if (o->metavar) return o->metavar;
    switch (o->kind) {
    case OPT_QUANTITY: return "X";
    case OPT_LONG: return "N";
    case OPT_STRING:
    case OPT_STRINGS: return "TEXT";
    case OPT_CHOICE: return "NAME";
    case OPT_FLAG:
    case OPT_FLAG_OFF: break;
    }
    return "";
}

/* v in unit with an SI prefix, into buf (n >= 32): 1.8e-09 F is "1.8 nF", 3000 Ohm "3 kOhm",
   2e-06 s "2 us", 0 V "0 V". The mantissa has up to 10 significant digits, so the text reads
   back as v. Plain numbers (unit "") and temperatures (K, where "mK" or "kK" would read
   oddly) keep %g and no prefix. */
void opt_format_quantity(char *buf, size_t n, double v, const char *unit)
{
    static const struct {
        double scale;
        const char *prefix;
    } si[] = {{1e9, "G"}, {1e6, "M"}, {1e3, "k"}, {1, ""},   {1e-3, "m"},
              {1e-6, "u"}, {1e-9, "n"}, {1e-12, "p"}, {1e-15, "f"}};
    if (!unit) unit = "";
    if (!*unit || strcmp(unit, "K") == 0 || v == 0 || !isfinite(v)) {
        snprintf(buf, n, "%g%s%s", v, *unit ? " " : "", unit);
        return;
    }
    size_t k = 0, last = sizeof si / sizeof si[0] - 1;
    while (k < last && fabs(v) < si[k].scale * (1 - 5e-11)) k++; /* 999.99999999999 nF: 1 uF */
    char mant[32];
    snprintf(mant, sizeof mant, "%.10g", v / si[k].scale);
    snprintf(buf, n, "%s %s%s", mant, si[k].prefix, unit);
}

/* Whether the help text already states the default in words ("(default: t_end/20000)"),
   in which case no automatic "(default ...)" is added (see opts.h). */
static int help_names_default(const char *help)
{
    for (const char *p = help ? strstr(help, "default") : NULL; p; p = strstr(p + 1, "default")) {
        int before = p > help && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
        int after = isalnum((unsigned char)p[7]) || p[7] == '_';
        if (!before && !after) return 1;
    }
    return 0;
}

/* " (default ...)" or " (one of ...; default ...)" for o, into buf; no default when the help
   text states it, or when the destination holds NAN/inf (no fixed default). */
static void describe_default(const opt_spec *o, char *buf, size_t cap)
{
    buf[0] = '\0';
    const int stated = help_names_default(o->help);
    switch (o->kind) {
    case OPT_QUANTITY: {
        const double v = *(const double *)o->dest;
        if (stated || !isfinite(v)) break; /* no fixed default: the help says */
        char q[64];
        opt_format_quantity(q, sizeof q, v, o->unit);
        snprintf(buf, cap, " (default %s)", q);
        break;
    }
    case OPT_LONG:
        if (!stated) snprintf(buf, cap, " (default %ld)", *(const long *)o->dest);
        break;
    case OPT_STRING: {
        const char *s = *(const char *const *)o->dest;
        if (s && !stated) snprintf(buf, cap, " (default %s)", s);
        break;
    }
    case OPT_CHOICE: {
        char list[512];
        const char *s = *(const char *const *)o->dest;
        join_choices(o->choices, list, sizeof list);
        if (s && !stated)
            snprintf(buf, cap, " (one of %s; default %s)", list, s);
        else
            snprintf(buf, cap, " (one of %s)", list);
        break;
    }
    case OPT_STRINGS: snprintf(buf, cap, " (repeatable, up to %d times)", OPT_STRINGS_MAX); break;
    case OPT_FLAG:
    case OPT_FLAG_OFF: break; /* the help text says which of a --x/--no-x pair is the default */
    }
    if (o->alias) {
        size_t used = strlen(buf);
        snprintf(buf + used, cap - used, " (old name --%s)", o->alias);
    }
}

static void print_option(FILE *out, const char *left, const char *help, const char *dflt)
{
    int width = fprintf(out, "  %s", left);
    if (width + 2 > HELP_COLUMN)
        fprintf(out, "\n%*s", HELP_COLUMN, "");
    else
        fprintf(out, "%*s", HELP_COLUMN - width, "");
    fprintf(out, "%s%s\n", help, dflt);
}

static void print_help(const opt_cmd *cmd, FILE *out)
{
    const char *args = cmd->max_positional == 0   ? ""
                       : cmd->max_positional == 1 ? " [ARG]"
                                                  : " [ARG...]";
    fprintf(out, "usage: %s [options]%s\n", cmd->prog, args);
    if (cmd->summary) fprintf(out, "%s\n", cmd->summary);
    fputs("\noptions:\n", out);
    for (int i = 0; i < cmd->n_opts; i++) {
        const opt_spec *o = &cmd->opts[i];
        char left[256], dflt[640];
        if (o->kind == OPT_FLAG || o->kind == OPT_FLAG_OFF)
            snprintf(left, sizeof left, "--%s", o->name);
        else
            snprintf(left, sizeof left, "--%s %s", o->name, metavar_of(o));
        describe_default(o, dflt, sizeof dflt);
        print_option(out, left, o->help ? o->help : "", dflt);
    }
    print_option(out, "-h, --help", "show this help and exit", "");
    if (cmd->details && *cmd->details) {
        size_t n = strlen(cmd->details);
        fprintf(out, "\n%s%s", cmd->details, cmd->details[n - 1] == '\n' ? "" : "\n");
    }
}
