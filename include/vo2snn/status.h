/*
 * status.h -- one error type for the whole library.
 *
 * Every fallible function returns a vs_status. On failure it also leaves a
 * one-line, human-readable message (naming the input and the problem) in a
 * thread-local buffer read by vs_last_error(). The library never prints on a
 * user error and never exits; the CLI prints "vo2snn: <message>" and exits 1.
 */
#ifndef VO2SNN_STATUS_H
#define VO2SNN_STATUS_H

typedef enum vs_status {
    VS_OK = 0,
    VS_EINVAL,     /* invalid argument or parameter value */
    VS_ENOMEM,     /* allocation failed */
    VS_EIO,        /* file could not be read or written */
    VS_EFORMAT,    /* malformed input file */
    VS_ESTEP,      /* integrator step size fell below its minimum */
    VS_EMAXSTEPS,  /* integrator exhausted its step budget */
    VS_ERHS,       /* right-hand side returned a non-finite value */
    VS_ENOTFOUND   /* something looked for does not exist (e.g. no fold) */
} vs_status;

/* Short fixed name of a status ("invalid argument", ...). */
const char *vs_strerror(vs_status s);

/* Message left by the last failing call on this thread ("" if none). */
const char *vs_last_error(void);

/* Record a printf-style message for vs_last_error() and return code. */
vs_status vs_fail(vs_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Clear the thread's last error message. */
void vs_clear_error(void);

/* Always-on check for programming errors (never for user input): prints and aborts. */
#define VS_ASSERT(cond)                                                                            \
    do {                                                                                           \
        if (!(cond)) vs_assert_fail(#cond, __FILE__, __LINE__);                                    \
    } while (0)
void vs_assert_fail(const char *cond, const char *file, int line)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;

#endif
