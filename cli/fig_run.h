/* fig_run.h -- what `paper` and `report` share when they run commands as figures (through
   their cli/cmd_X.h functions): the output folder, numbered progress lines on stderr, and
   each figure's JSON summary file, written atomically. */
#ifndef VO2SNN_CLI_FIG_RUN_H
#define VO2SNN_CLI_FIG_RUN_H

#include <stddef.h>
#include <stdio.h>

#include "vo2snn/atomic.h"

typedef struct fig_run {
    const char *prog;   /* "vo2snn paper": error messages */
    const char *tag;    /* "paper": progress lines */
    const char *out;    /* the output folder */
    int step, n_steps;
    double t_start;     /* progress_now() at the start */
} fig_run;

/* out/rel into buf; returns buf. */
const char *fig_path(const fig_run *f, char *buf, size_t n, const char *rel);
/* "tag: [step/n_steps] what (seconds so far)" on stderr, step counted up. */
void fig_announce(fig_run *f, const char *what);
/* out/rel opened for a JSON summary: the stream to write it to, *af to pass to
   fig_json_commit; NULL after one line on stderr. */
FILE *fig_json_open(const fig_run *f, const char *rel, vs_afile **af);
int fig_json_commit(const fig_run *f, vs_afile *af);

#endif
