/*
 * kvfile.h -- read "key = value" text files (device files such as
 * "r_ins0 = 24.1 kOhm").
 *
 * Syntax: one "key = value" per line; '#' starts a comment (whole line or
 * trailing, so values cannot contain '#'); blank lines are ignored. Keys match
 * [A-Za-z_][A-Za-z0-9_.-]* and appear at most once; values are trimmed and
 * non-empty. Values stay text: parse them with vs_parse_quantity(). A UTF-8
 * byte-order mark at the start of the file is skipped; one elsewhere is an
 * error that says so ("key 'r_met' starts with an invisible byte-order mark").
 *
 * Ownership: vs_kv_load() fills a vs_kv released by vs_kv_free(); entries,
 * keys, values and path are owned by it.
 */
#ifndef VO2SNN_KVFILE_H
#define VO2SNN_KVFILE_H

#include "vo2snn/status.h"

typedef struct vs_kv_entry {
    char *key;
    char *value;
    int line; /* 1-based line number, for error messages */
} vs_kv_entry;

typedef struct vs_kv {
    vs_kv_entry *entries; /* n entries in file order */
    int n;
    char *path; /* as passed to vs_kv_load() */
} vs_kv;

/*
 * Load path. Errors: VS_EIO "cannot read 'x': No such file or directory";
 * VS_EFORMAT "dev.txt:3: expected 'key = value'", "dev.txt:3: 'r ins' is not
 * a valid key", "dev.txt:3: no value for 'r_ins'", "dev.txt:7: duplicate key
 * 'r_met'", NUL bytes, lines over 4096 bytes. On failure
 * *out is zeroed. Time and memory are linear in the file's size.
 */
vs_status vs_kv_load(const char *path, vs_kv *out);

/*
 * Called by vs_kv_scan() for each entry in file order; key and value are
 * borrowed for the call only. Return VS_OK to go on, or a failure (with its
 * message set) to stop the scan, which then returns it.
 */
typedef vs_status (*vs_kv_visit)(void *ctx, const char *key, const char *value, int line);

/*
 * Read path one line at a time and hand each entry to visit, so that a
 * caller that knows its keys can reject the first unknown one without
 * reading further. The same syntax checks as vs_kv_load(), except that
 * duplicate keys are the visitor's to reject. Returns the first error.
 */
vs_status vs_kv_scan(const char *path, vs_kv_visit visit, void *ctx);

/* The entry with this key, or NULL (borrowed from kv). */
const vs_kv_entry *vs_kv_find(const vs_kv *kv, const char *key);

/* Free everything and zero kv. NULL is a no-op. */
void vs_kv_free(vs_kv *kv);

#endif
