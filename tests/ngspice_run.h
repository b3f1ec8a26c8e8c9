/* ngspice_run.h -- what the tests that run ngspice share: finding it on PATH, showing the
   tail of its log when a run fails. Include after check.h. */
#ifndef VO2SNN_TEST_NGSPICE_RUN_H
#define VO2SNN_TEST_NGSPICE_RUN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int have_ngspice = -1;

static __attribute__((unused)) int ngspice_on_path(void)
{
    if (have_ngspice >= 0) return have_ngspice;
    have_ngspice = 0;
    const char *path = getenv("PATH");
    if (!path) return 0;
    char dir[1024], exe[1200];
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");
        if (n > 0 && n < sizeof dir) {
            memcpy(dir, p, n);
            dir[n] = '\0';
            snprintf(exe, sizeof exe, "%s/ngspice", dir);
            if (access(exe, X_OK) == 0) return have_ngspice = 1;
        }
        p += n;
        if (*p == ':') p++;
    }
    return 0;
}

/* Print the last lines of an ngspice log to stderr. */
static __attribute__((unused)) void show_log(const char *log)
{
    FILE *f = fopen(log, "r");
    if (!f) return;
    char buf[4096];
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, sz > (long)sizeof buf - 1 ? sz - (long)sizeof buf + 1 : 0, SEEK_SET);
    size_t k = fread(buf, 1, sizeof buf - 1, f);
    buf[k] = '\0';
    fclose(f);
    fprintf(stderr, "  ngspice log (tail):\n%s\n", buf);
}

#endif
