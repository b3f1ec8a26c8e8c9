/*
 * json.h -- a minimal streaming JSON writer (for run summaries and metadata).
 *
 * Writes indented JSON straight to a FILE*; nothing is buffered or allocated.
 * Usage:
 *     vs_json j;
 *     vs_json_begin(&j, f);                  // {
 *     vs_json_num(&j, "r_series_ohm", 3e3);  //   "r_series_ohm": 3000,
 *     vs_json_array(&j, "spikes");           //   "spikes": [
 *     vs_json_num(&j, NULL, 1e-6);           //     1e-06
 *     vs_json_close(&j);                     //   ]
 *     vs_json_end(&j);                       // }\n
 *
 * Inside an array the key argument is ignored (pass NULL). Numbers use
 * "%.10g"; NaN and infinities become null. Strings are escaped; invalid
 * UTF-8 bytes become U+FFFD. Nesting deeper than VS_JSON_MAX_DEPTH writes
 * null in place of the too-deep container (its contents are dropped), so the
 * output stays valid. Write errors are left in the stream (check ferror()).
 */
#ifndef VO2SNN_JSON_H
#define VO2SNN_JSON_H

#include <stddef.h>
#include <stdio.h>

#define VS_JSON_MAX_DEPTH 32

typedef struct vs_json {
    FILE *f;                                  /* borrowed */
    int depth;                                /* open containers, the root object included */
    int count[VS_JSON_MAX_DEPTH];             /* values written so far at each level */
    unsigned char is_array[VS_JSON_MAX_DEPTH]; /* 1 if that level is an array */
} vs_json;

void vs_json_begin(vs_json *j, FILE *f); /* "{" */
void vs_json_num(vs_json *j, const char *key, double v);
void vs_json_int(vs_json *j, const char *key, long long v);
void vs_json_str(vs_json *j, const char *key, const char *s); /* NULL s -> null */
void vs_json_bool(vs_json *j, const char *key, int v);
void vs_json_null(vs_json *j, const char *key);
void vs_json_nums(vs_json *j, const char *key, const double *v, size_t n); /* [..] on one line */
void vs_json_strs(vs_json *j, const char *key, const char *const *s, size_t n); /* ["..", ..] on one line */
void vs_json_object(vs_json *j, const char *key); /* open a nested object */
void vs_json_array(vs_json *j, const char *key);  /* open a nested array */
void vs_json_close(vs_json *j);                   /* close the innermost container */
void vs_json_end(vs_json *j);                     /* close all, then "\n" */

#endif
