/* progress.c -- terminal progress bar for long sweeps. */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double progress_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_begin(cli_progress *p, const char *label)
{
    p->label = label;
    p->enabled = isatty(fileno(stderr));
    p->t_start = progress_now();
    p->t_last_draw = 0;
}

int progress_update(long done, long total, void *ptr)
{
    cli_progress *p = ptr;
    if (!p->enabled) return 0;
    double now = progress_now();
    if (done < total && now - p->t_last_draw < 0.1) return 0;
    p->t_last_draw = now;
    const int width = 30;
    int fill = total > 0 ? (int)((double)width * (double)done / (double)total) : width;
    double elapsed = now - p->t_start;
    double eta = done > 0 ? elapsed * (double)(total - done) / (double)done : 0;
    fprintf(stderr, "\r%s [%.*s%*s] %3d%% %ld/%ld  %.1f s, %.0f s left ", p->label, fill,
            "##############################", width - fill, "",
            total > 0 ? (int)(100 * done / total) : 100, done, total, elapsed, eta);
    fflush(stderr);
    return 0;
}

void progress_end(cli_progress *p)
{
    if (p->enabled) fprintf(stderr, "\r%100s\r", "");
}
