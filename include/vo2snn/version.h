/*
 * version.h -- the library's version.
 *
 * The version is kept in the file VERSION at the top of the source tree only; the
 * Makefile passes it to src/version.c and writes it into the soname (libvo2snn.so.MAJOR),
 * vo2snn.pc and the man pages.
 */
#ifndef VO2SNN_VERSION_H
#define VO2SNN_VERSION_H

/* The library's version, "MAJOR.MINOR.PATCH" (e.g. "0.1.0"). Static; never NULL. */
const char *vs_version(void);

#endif
