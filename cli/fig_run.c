/* fig_run.c -- running commands as figures (fig_run.h). */
#include "fig_run.h"

#include "common.h"
#include "progress.h"

const char *fig_path(const fig_run *f, char *buf, size_t n, const char *rel)
{
    snprintf(buf, n, "%s/%s", f->out, rel);
    return buf;
}

void fig_announce(fig_run *f, const char *what)
{
    fprintf(stderr, "%s: [%d/%d] %s (%.0f s)\n", f->tag, ++f->step, f->n_steps, what, progress_now() - f->t_start);
}

FILE *fig_json_open(const fig_run *f, const char *rel, vs_afile **af)
{
    char path[4096];
    fig_path(f, path, sizeof path, rel);
    if (cli_prepare_output(f->prog, path)) return NULL;
    if (vs_afile_open(path, af) != VS_OK) return cli_fail(f->prog), NULL;
    return vs_afile_stream(*af);
}

int fig_json_commit(const fig_run *f, vs_afile *af)
{
    return vs_afile_commit(af) == VS_OK ? 0 : cli_fail(f->prog);
}
