/*
 * test_help.c -- `vo2snn CMD --help` of every command in the command table (cli/commands.c,
 * the same list main() dispatches on), read back as a user would:
 *   - no option prints "nan" or "inf";
 *   - each option names its default at most once;
 *   - "default X" (no colon) is a value: X is passed back as `--opt X` and the parser must
 *     accept it; "default: text" is prose (a default that depends on other options);
 *   - a quantity's value carries an SI prefix (1.8 nF, 3 kOhm, 200 us; not 1.8e-09 F,
 *     3000 Ohm, 0.0002 s);
 *   - the inputs whose default differs per waveform give it per waveform;
 *   - --param names the command that lists the keys (vo2snn params --keys);
 *   - no long option has a one-letter name, and a command with --plot has --no-plot too
 *     (docs/cli.md); the old spellings still parse.
 * The value is passed back without running the command: an unknown option follows it,
 * and the one error line must name that option, not the value's.
 */
#include <ctype.h>
#include <math.h>
#include <strings.h>

#include "check.h"
#include "cli_run.h"
#include "command_table.h"

#define BOGUS "--zz-no-such-option"

typedef struct help_opt {
    char name[64];    /* without the dashes */
    int takes_value;  /* shows a metavar */
    char desc[1024];  /* the description column */
} help_opt;

#define MAX_OPTS 128
static help_opt opts[MAX_OPTS];

/* Options of a --help text, from the "options:" block (descriptions start at column 24,
   or on the next line when the option is wider). Returns how many, or -1. */
static int parse_help(const char *text)
{
    const char *p = strstr(text, "\noptions:\n");
    if (!p) return -1;
    p += strlen("\noptions:\n");
    int n = 0;
    while (*p && *p != '\n') {
        const char *eol = strchr(p, '\n');
        if (!eol) eol = p + strlen(p);
        size_t len = (size_t)(eol - p);
        char left[256] = "", desc[1024] = "";
        if (len > 24 && p[22] == ' ' && p[23] == ' ') {
            snprintf(left, sizeof left, "%.*s", 22, p);
            snprintf(desc, sizeof desc, "%.*s", (int)(len - 24), p + 24);
        } else {
            snprintf(left, sizeof left, "%.*s", (int)len, p);
            if (*eol == '\n' && strncmp(eol + 1, "                        ", 24) == 0) {
                const char *q = eol + 1, *e2 = strchr(q, '\n');
                if (!e2) e2 = q + strlen(q);
                snprintf(desc, sizeof desc, "%.*s", (int)(e2 - q - 24), q + 24);
                eol = e2;
            }
        }
        p = *eol ? eol + 1 : eol;
        char *l = left;
        while (*l == ' ') l++;
        if (strncmp(l, "-h, --help", 10) == 0) continue;
        if (strncmp(l, "--", 2) != 0 || n >= MAX_OPTS) return -1;
        char name[64] = "", metavar[64] = "";
        sscanf(l + 2, "%63s %63s", name, metavar);
        snprintf(opts[n].name, sizeof opts[n].name, "%s", name);
        opts[n].takes_value = metavar[0] != '\0';
        snprintf(opts[n].desc, sizeof opts[n].desc, "%s", desc);
        n++;
    }
    return n;
}

/* Start of the next whole-word, case-insensitive occurrence of word in s, or NULL. */
static const char *find_word(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = s; *p; p++) {
        if (strncasecmp(p, word, n) != 0) continue;
        int before = p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
        int after = isalnum((unsigned char)p[n]) || p[n] == '_';
        if (!before && !after) return p;
    }
    return NULL;
}

static int count_word(const char *s, const char *word)
{
    int n = 0;
    for (const char *p = find_word(s, word); p; p = find_word(p + 1, word)) n++;
    return n;
}

/* A quantity with a unit written with an SI prefix: "1.8 nF", "3 kOhm", "12.5 V", "0 V";
   not "1.8e-09 F", "3000 Ohm", "0.0002 s". Temperatures (K) are left as they are. Values
   that are not "number unit" (plain numbers, names, paths) pass. */
static int si_style_ok(const char *value)
{
    char *end;
    double v = strtod(value, &end);
    if (end == value || *end != ' ') return 1;
    const char *unit = end + 1;
    for (const char *u = unit; *u; u++)
        if (!isalpha((unsigned char)*u)) return 1; /* not a unit word */
    if (!*unit || strcmp(unit, "K") == 0) return 1;
    if (strpbrk(value, "eE") && strpbrk(value, "eE") < end) return 0;
    return v == 0 || (fabs(v) >= 1 && fabs(v) < 1000);
}

/* Pass `--name value` back to the command, followed by an unknown option: the parser must
   reach the unknown option. Returns 1 when the value was accepted. */
static int accepted(const char *cmd, const char *name, const char *value)
{
    char flag[80];
    snprintf(flag, sizeof flag, "--%s", name);
    int rc = vo2snn(cmd, flag, value, BOGUS, NULL);
    size_t n = strlen(err_text);
    if (n && err_text[n - 1] == '\n') err_text[n - 1] = '\0';
    return rc == 1 && strstr(err_text, "unknown option '" BOGUS "'") != NULL;
}

static int n_checked_values, n_options;

/* Every check above for one command's --help. */
static void check_command(const char *cmd)
{
    int rc = vo2snn(cmd, "--help", NULL);
    CHECK(rc == 0);
    if (rc != 0) {
        CHECK_FAIL_MSG("vo2snn %s --help: exit %d: %.200s", cmd, rc, err_text);
        return;
    }
    char help[sizeof out_text];
    memcpy(help, out_text, sizeof help);
    int n = parse_help(help);
    if (n <= 0) {
        CHECK_FAIL_MSG("vo2snn %s --help: no options block", cmd);
        return;
    }
    n_options += n;
    int plot = 0, no_plot = 0;
    for (int i = 0; i < n; i++) {
        plot += strcmp(opts[i].name, "plot") == 0;
        no_plot += strcmp(opts[i].name, "no-plot") == 0;
        if (strlen(opts[i].name) < 2)
            CHECK_FAIL_MSG("vo2snn %s --%s: a one-letter long option", cmd, opts[i].name);
    }
    if (plot != no_plot)
        CHECK_FAIL_MSG("vo2snn %s: --plot and --no-plot come as a pair (%d, %d)", cmd, plot, no_plot);
    for (int i = 0; i < n; i++) {
        const help_opt *o = &opts[i];
        const char *d = o->desc;
        if (find_word(d, "nan") || find_word(d, "inf"))
            CHECK_FAIL_MSG("vo2snn %s --%s: prints nan/inf: %s", cmd, o->name, d);
        if (count_word(d, "default") > 1)
            CHECK_FAIL_MSG("vo2snn %s --%s: more than one default: %s", cmd, o->name, d);
        if (strstr(d, "vo2snn params") && !strstr(d, "--keys"))
            CHECK_FAIL_MSG("vo2snn %s --%s: the keys are listed by 'vo2snn params --keys': %s",
                           cmd, o->name, d);
        else if (strcmp(o->name, "param") == 0 && !strstr(d, "vo2snn params --keys"))
            CHECK_FAIL_MSG("vo2snn %s --param: does not say where the keys are: %s", cmd, d);
        for (const char *w = find_word(d, "default"); w; w = find_word(w + 1, "default")) {
            if (!(w > d && (w[-1] == '(' || (w - d >= 2 && w[-2] == ';' && w[-1] == ' '))))
                CHECK_FAIL_MSG("vo2snn %s --%s: a default is written '(default X)', "
                               "'; default X)' or '(default: text)': %s", cmd, o->name, d);
            const char *after = w + strlen("default");
            if (*after == ':') continue; /* prose: depends on other options */
            const char *close = strchr(after, ')');
            if (*after != ' ' || !close || !o->takes_value) {
                CHECK_FAIL_MSG("vo2snn %s --%s: default without a value: %s", cmd, o->name, d);
                continue;
            }
            char value[256];
            snprintf(value, sizeof value, "%.*s", (int)(close - after - 1), after + 1);
            if (!si_style_ok(value))
                CHECK_FAIL_MSG("vo2snn %s --%s: default '%s' without an SI prefix", cmd, o->name,
                               value);
            n_checked_values++;
            if (!accepted(cmd, o->name, value))
                CHECK_FAIL_MSG("vo2snn %s --%s: printed default '%s' is refused: %.200s", cmd,
                               o->name, value, err_text);
        }
    }
}

static void test_every_command(void)
{
    size_t n;
    const vo2snn_command *cmds = vo2snn_commands(&n);
    CHECK(n >= 10);
    for (size_t i = 0; i < n; i++) check_command(cmds[i].name);
    CHECK(n_options > 100 && n_checked_values > 50); /* the parse found them */
    printf("  %zu commands, %d options, %d printed defaults passed back\n", n, n_options,
           n_checked_values);
}

/* The inputs share one set of options whose defaults depend on the waveform (pulse 4 us,
   sine 2 ms): each gives them per waveform, not the pulse's as if it were everyone's. */
static void test_input_defaults_per_input(void)
{
    const char *cmds[] = {"osc", "netlist"};
    const struct {
        const char *name, *inputs[2];
    } per_input[] = {
        {"v-hi", {"pulse", "square"}},
        {"period", {"pulse", "sine"}},
        {"width", {"pulse", "square"}},
        {"delay", {"square", "0 s"}},
    };
    for (size_t c = 0; c < 2; c++) {
        CHECK(vo2snn(cmds[c], "--help", NULL) == 0);
        int n = parse_help(out_text);
        CHECK(n > 0);
        for (size_t k = 0; k < sizeof per_input / sizeof per_input[0]; k++) {
            const char *d = NULL;
            for (int i = 0; i < n; i++)
                if (strcmp(opts[i].name, per_input[k].name) == 0) d = opts[i].desc;
            CHECK(d != NULL);
            if (!d) continue;
            const char *w = strstr(d, "(default: ");
            if (!w || !strstr(w, per_input[k].inputs[0]) || !strstr(w, per_input[k].inputs[1]))
                CHECK_FAIL_MSG("vo2snn %s --%s: default not given per input: %s", cmds[c],
                               per_input[k].name, d);
        }
    }
}

/* The flags renamed for one set of conventions (issue 12) keep their old spellings, which
   --help names beside the new ones. */
static void test_old_spellings(void)
{
    const struct {
        const char *cmd, *old_name, *name, *value;
    } renamed[] = {
        {"osc", "c", "cap", "1.8 nF"},          {"phase", "c", "cap", "1.8 nF"},
        {"triple", "c", "cap", "1.8 nF"},       {"netlist", "c", "cap", "1.8 nF"},
        {"netlist", "max-step", "h-max", "5 ns"}, {"net2x2", "dt", "dt-grid", "5 ns"},
        {"infer", "dt", "dt-grid", "100 ns"},   {"train", "test-limit", "limit", "10"},
    };
    for (size_t i = 0; i < sizeof renamed / sizeof renamed[0]; i++) {
        const char *cmd = renamed[i].cmd;
        if (!accepted(cmd, renamed[i].name, renamed[i].value) ||
            !accepted(cmd, renamed[i].old_name, renamed[i].value))
            CHECK_FAIL_MSG("vo2snn %s: --%s / --%s %s refused: %.200s", cmd, renamed[i].name,
                           renamed[i].old_name, renamed[i].value, err_text);
        CHECK(vo2snn(cmd, "--help", NULL) == 0);
        char want[128];
        snprintf(want, sizeof want, "(old name --%s)", renamed[i].old_name);
        if (!strstr(out_text, want)) CHECK_FAIL_MSG("vo2snn %s --help: no '%s'", cmd, want);
    }
}

/* The pass-back check itself: a refused value is seen as refused. */
static void test_pass_back_detects_refusal(void)
{
    CHECK(accepted("osc", "cap", "1.8 nF"));
    CHECK(accepted("osc", "input", "sine"));
    CHECK(!accepted("osc", "cap", "0 F"));
    CHECK(!accepted("osc", "dt-out", "0 s"));
    CHECK(!accepted("infer", "limit", "0"));
    CHECK(!accepted("osc", "cap", "nan F"));
    CHECK(si_style_ok("1.8 nF") && si_style_ok("0 V") && si_style_ok("290 K") &&
          si_style_ok("1e-06") && si_style_ok("out/osc.csv") && si_style_ok("1000"));
    CHECK(!si_style_ok("1.8e-09 F") && !si_style_ok("3000 Ohm") && !si_style_ok("0.0002 s"));
}

int main(void)
{
    if (!mkdtemp(tmpdir)) return 1;
    RUN(test_pass_back_detects_refusal);
    RUN(test_every_command);
    RUN(test_input_defaults_per_input);
    RUN(test_old_spellings);
    remove_tree(tmpdir);
    return CHECK_DONE();
}
