/*
 * text.h -- small text helpers shared inside the library (not public): the UTF-8
 * byte-order mark that some editors put at the start of a file, and the FNV-1a hash.
 */
#ifndef VO2SNN_TEXT_H
#define VO2SNN_TEXT_H

#include <stdint.h>
#include <string.h>

#define VS_UTF8_BOM "\xEF\xBB\xBF" /* U+FEFF */

/* s starts with a byte-order mark (invisible in editors, so worth naming in messages). */
static inline int vs_starts_with_bom(const char *s) { return strncmp(s, VS_UTF8_BOM, 3) == 0; }

/* 64-bit FNV-1a of a NUL-terminated string (cache file names, hash tables, lock ranges). */
static inline uint64_t vs_fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

#endif
