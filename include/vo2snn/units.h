/*
 * units.h -- parse numbers written with SI prefixes and units ("3 kOhm").
 *
 * Used by the CLI and by device files. Results are in base SI units (ohm, F,
 * V, A, s, Hz, K, W, J). On failure *out is left unchanged.
 */
#ifndef VO2SNN_UNITS_H
#define VO2SNN_UNITS_H

#include <stddef.h>

#include "vo2snn/status.h"

/*
 * Parse a decimal number, an optional SI prefix and an optional unit:
 * "3k", "3kOhm", "3 kohm", "3000", "1.8n", "1.8nF", "100us", "12.5V", "4e-6",
 * "-2.5 mA", "300K" (with unit "K").
 *
 * unit is the expected unit: "Ohm", "F", "V", "A", "s", "Hz", "K", "W", "J",
 * any other unit name ("eV", "W/K"), or "" for a plain number (which still
 * takes a prefix: "3k" = 3000).
 * Prefixes are f p n u µ m k M G (case-sensitive, as in SI: m is milli, M
 * mega, k kilo, while K is the kelvin) and "meg" (= 1e6, any case). The unit
 * itself is optional and case-insensitive; "ohm", "ohms", "OHM", "Ω" all mean
 * Ohm, "hz" and "HZ" Hz. When the suffix spells the unit exactly ("300K",
 * "2F") it is the unit, not a prefix; otherwise a prefix letter wins ("10f"
 * with unit F is 10 fF, "1m" with unit A is 1 mA, "300k" with unit K is
 * 300000 K). Whitespace around the text and between number and suffix is
 * allowed.
 *
 * Rejects empty text, NaN, inf, overflow, trailing garbage and a wrong unit
 * ("3kV" when Ohm is expected), with VS_EINVAL and a message such as
 * "'3x' is not a valid value in Ohm (e.g. 3k, 3000, 3 kOhm)"; an upper-case
 * K used as kilo ("3K" in Ohm, "10KHz") is refused with "the kilo prefix is
 * a lower-case k (K is the kelvin)". Whether a value is plausible is the
 * caller's range check (see vs_quantity_note).
 */
vs_status vs_parse_quantity(const char *text, const char *unit, double *out);

/*
 * Parse a decimal integer (optional sign, surrounding whitespace allowed) in
 * [min, max]. VS_EINVAL with "'x' is not an integer" or
 * "7 is out of range [1, 5]". On failure *out is unchanged.
 */
vs_status vs_parse_long(const char *text, long min, long max, long *out);

/*
 * A hint for a caller's out-of-range message about text read in unit: for a
 * temperature written with a bare kilo prefix ("300k" = 300000 K) it is
 * " ('k' is the kilo prefix, x 1000; kelvin is K)"; otherwise "". Static text.
 */
const char *vs_quantity_note(const char *text, const char *unit);

/*
 * Write v into buf (n bytes) as "%.10g", or with more significant digits (up
 * to 17) when 10 do not read back as exactly v: 0.1 is "0.1", 1e9 is
 * "1000000000", 1.00000000001 stays "1.00000000001". For messages, so that
 * a rejected value never reads as an accepted one. Needs n >= 25.
 */
void vs_format_exact(char *buf, size_t n, double v);

#endif
