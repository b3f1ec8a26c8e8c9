/* status.c -- error codes and the thread-local last-error message. */
#include "vo2snn/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char last_error[512];

const char *vs_strerror(vs_status s)
{
    switch (s) {
    case VS_OK: return "ok";
    case VS_EINVAL: return "invalid argument";
    case VS_ENOMEM: return "out of memory";
    case VS_EIO: return "input/output error";
    case VS_EFORMAT: return "malformed input";
    case VS_ESTEP: return "step size underflow";
    case VS_EMAXSTEPS: return "step budget exhausted";
    case VS_ERHS: return "non-finite right-hand side";
    case VS_ENOTFOUND: return "not found";
    }
    return "unknown status";
}

const char *vs_last_error(void) { return last_error; }

void vs_clear_error(void) { last_error[0] = '\0'; }

vs_status vs_fail(vs_status code, const char *fmt, ...)
{
    /* format into a scratch buffer first: callers may pass vs_last_error() as an argument */
    char msg[sizeof last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    memcpy(last_error, msg, sizeof msg);
    return code;
}

void vs_assert_fail(const char *cond, const char *file, int line)
{
    fprintf(stderr, "vo2snn: internal error: %s:%d: assertion '%s' failed\n", file, line, cond);
    abort();
}
