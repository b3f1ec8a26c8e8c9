/* units.c -- numbers with SI prefixes and units ("3 kOhm", "1.8nF", "-2.5 mA"). */
#include "vo2snn/units.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OHM_GREEK "\xCE\xA9"      /* U+03A9 GREEK CAPITAL LETTER OMEGA */
#define OHM_SIGN "\xE2\x84\xA6"   /* U+2126 OHM SIGN */
#define MICRO_SIGN "\xC2\xB5"     /* U+00B5 MICRO SIGN */
#define MU_GREEK "\xCE\xBC"       /* U+03BC GREEK SMALL LETTER MU */

static int parse_suffix(const char *suffix, const char *unit, int *exp10);
static vs_status invalid(const char *text, const char *unit);
static int upper_k_for_kilo(const char *suffix, const char *unit);
static vs_status kilo_is_lower_case(const char *text, const char *unit);
static int is_space(char c);

vs_status vs_parse_quantity(const char *text, const char *unit, double *out)
{
    if (!unit) unit = "";
    if (!text || !out) return invalid(text ? text : "", unit);

    /* number := [+-] digits [. digits] [(e|E) [+-] digits], at least one digit */
    const char *p = text;
    while (is_space(*p)) p++;
    const char *mant = p;
    if (*p == '+' || *p == '-') p++;
    int n_digits = 0;
    for (; *p >= '0' && *p <= '9'; p++) n_digits++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++) n_digits++;
    if (n_digits == 0) return invalid(text, unit);
    const char *mant_end = p;

    long exp10 = 0;
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1;
        int neg = *q == '-';
        if (*q == '+' || *q == '-') q++;
        if (*q >= '0' && *q <= '9') {
            for (; *q >= '0' && *q <= '9'; q++)
                if (exp10 < 100000) exp10 = exp10 * 10 + (*q - '0'); /* clamp: over/underflows anyway */
            if (neg) exp10 = -exp10;
            p = q;
        }
    }

    /* suffix := optional spaces, [prefix] [unit], optional trailing spaces */
    while (is_space(*p)) p++;
    size_t suffix_len = strlen(p);
    while (suffix_len > 0 && is_space(p[suffix_len - 1])) suffix_len--;
    char suffix[32];
    if (suffix_len >= sizeof suffix) return invalid(text, unit);
    memcpy(suffix, p, suffix_len);
    suffix[suffix_len] = '\0';
    int prefix_exp10;
    if (!parse_suffix(suffix, unit, &prefix_exp10)) {
        if (upper_k_for_kilo(suffix, unit)) return kilo_is_lower_case(text, unit);
        return invalid(text, unit);
    }

    /* Re-spell as "<mantissa>e<exponent>" so that strtod rounds once:
     * "1.8n" gives exactly the double nearest 1.8e-9. */
    size_t mant_len = (size_t)(mant_end - mant);
    char *buf = malloc(mant_len + 32);
    if (!buf) return vs_fail(VS_ENOMEM, "out of memory parsing '%s'", text);
    memcpy(buf, mant, mant_len);
    snprintf(buf + mant_len, 32, "e%ld", exp10 + prefix_exp10);
    errno = 0;
    double v = strtod(buf, NULL);
    free(buf);
    if (!isfinite(v)) return vs_fail(VS_EINVAL, "'%s' is too large", text);
    *out = v;
    return VS_OK;
}

vs_status vs_parse_long(const char *text, long min, long max, long *out)
{
    if (!text || !out) return vs_fail(VS_EINVAL, "'' is not an integer");
    const char *p = text;
    while (is_space(*p)) p++;
    const char *end = p + strlen(p);
    while (end > p && is_space(end[-1])) end--;

    const char *d = p;
    if (*d == '+' || *d == '-') d++;
    if (d == end) return vs_fail(VS_EINVAL, "'%s' is not an integer", text);
    for (const char *c = d; c < end; c++)
        if (*c < '0' || *c > '9') return vs_fail(VS_EINVAL, "'%s' is not an integer", text);

    errno = 0;
    char *stop;
    long v = strtol(p, &stop, 10);
    if (errno == ERANGE || v < min || v > max)
        return vs_fail(VS_EINVAL, "%.*s is out of range [%ld, %ld]", (int)(end - p), p, min, max);
    *out = v;
    return VS_OK;
}

/* ---- helpers ---------------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int equal_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        char cb = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;
        if (ca != cb) return 0;
    }
    return *a == *b;
}

/* Is s a spelling of unit? exact: only the canonical spelling (and Ω). */
static int is_unit(const char *s, const char *unit, int exact)
{
    if (!*s || !*unit) return 0;
    int ohm = strcmp(unit, "Ohm") == 0;
    if (ohm && (strcmp(s, OHM_GREEK) == 0 || strcmp(s, OHM_SIGN) == 0)) return 1;
    if (exact) return strcmp(s, unit) == 0;
    return equal_nocase(s, unit) || (ohm && equal_nocase(s, "ohms"));
}

/* If s starts with an SI prefix, set *exp10 and *len and return 1. */
static int match_prefix(const char *s, int *exp10, size_t *len)
{
    if (strncmp(s, MICRO_SIGN, 2) == 0 || strncmp(s, MU_GREEK, 2) == 0) {
        *exp10 = -6, *len = 2;
        return 1;
    }
    if ((s[0] == 'm' || s[0] == 'M') && (s[1] == 'e' || s[1] == 'E') &&
        (s[2] == 'g' || s[2] == 'G')) {
        *exp10 = 6, *len = 3;
        return 1;
    }
    static const char letters[] = "fpnumkMG";
    static const int exps[] = {-15, -12, -9, -6, -3, 3, 6, 9};
    const char *hit = s[0] ? strchr(letters, s[0]) : NULL;
    if (!hit) return 0;
    *exp10 = exps[hit - letters], *len = 1;
    return 1;
}

/* Split suffix into prefix and unit. The exact unit spelling beats a prefix
 * ("2F" is 2 F), a prefix beats a case-insensitive unit ("2f" is 2 fF). */
static int parse_suffix(const char *suffix, const char *unit, int *exp10)
{
    *exp10 = 0;
    if (!*suffix || is_unit(suffix, unit, 1)) return 1;
    size_t len;
    if (match_prefix(suffix, exp10, &len)) {
        const char *rest = suffix + len;
        while (*rest == ' ') rest++; /* "3 k Ohm" */
        if (!*rest || is_unit(rest, unit, 0)) return 1;
    }
    *exp10 = 0;
    return is_unit(suffix, unit, 0);
}

static vs_status invalid(const char *text, const char *unit)
{
    static const struct { const char *unit, *examples; } ex[] = {
        {"Ohm", "3k, 3000, 3 kOhm"},   {"F", "1.8n, 1.8nF, 1.8e-9"}, {"V", "12.5, 12.5V, 500mV"},
        {"A", "2.5m, 2.5mA, 0.0025"},  {"s", "100u, 100us, 1e-4"},   {"Hz", "10k, 10kHz, 1e4"},
        {"K", "300, 300K"},            {"W", "1m, 1mW, 0.001"},      {"J", "1p, 1pJ, 1e-12"},
        {"eV", "0.2, 0.2eV, 200meV"},  {"W/K", "5u, 5uW/K, 5e-6"},   {"J/K", "1n, 1nJ/K, 1e-9"},
    };
    if (!*unit) return vs_fail(VS_EINVAL, "'%s' is not a valid number (e.g. 3, 3k, 2.5e-3)", text);
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++)
        if (strcmp(unit, ex[i].unit) == 0)
            return vs_fail(VS_EINVAL, "'%s' is not a valid value in %s (e.g. %s)", text, unit,
                           ex[i].examples);
    return vs_fail(VS_EINVAL, "'%s' is not a valid value in %s (e.g. 3, 3k, 3 k%s)", text, unit,
                   unit);
}

/* "3K" in Ohm, "10KHz": an upper-case K meant as kilo (SI's kilo is k; K is the kelvin). */
static int upper_k_for_kilo(const char *suffix, const char *unit)
{
    if (suffix[0] != 'K' || strcmp(unit, "K") == 0) return 0;
    const char *rest = suffix + 1;
    while (*rest == ' ') rest++;
    return !*rest || is_unit(rest, unit, 0);
}

static vs_status kilo_is_lower_case(const char *text, const char *unit)
{
    return vs_fail(VS_EINVAL,
                   "'%s' is not a valid value%s%s: the kilo prefix is a lower-case k "
                   "(K is the kelvin), e.g. 3k%s",
                   text, *unit ? " in " : "", unit, unit);
}

const char *vs_quantity_note(const char *text, const char *unit)
{
    if (!text || !unit || strcmp(unit, "K") != 0) return "";
    size_t n = strlen(text);
    while (n > 0 && is_space(text[n - 1])) n--;
    if (n < 2 || text[n - 1] != 'k') return "";
    char before = text[n - 2];
    if (!(before == ' ' || before == '.' || (before >= '0' && before <= '9'))) return "";
    return " ('k' is the kilo prefix, x 1000; kelvin is K)";
}

void vs_format_exact(char *buf, size_t n, double v)
{
    if (n == 0) return;
    for (int digits = 10; digits <= 17; digits++) {
        snprintf(buf, n, "%.*g", digits, v);
        if (!isfinite(v) || strtod(buf, NULL) == v) return;
    }
}
