/*
 * progress.h -- a progress bar on stderr for long sweeps, drawn only when stderr
 * is a terminal (plain runs and CI logs stay clean). Use progress_update as a
 * vs_progress_fn with a cli_progress as its user pointer.
 */
#ifndef VO2SNN_CLI_PROGRESS_H
#define VO2SNN_CLI_PROGRESS_H

typedef struct cli_progress {
    const char *label;
    int enabled;
    double t_start, t_last_draw;
} cli_progress;

void progress_begin(cli_progress *p, const char *label);
int progress_update(long done, long total, void *cli_progress_ptr);
void progress_end(cli_progress *p);

/* Monotonic wall-clock seconds. */
double progress_now(void);

#endif
