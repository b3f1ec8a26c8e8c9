/* main.c -- the vo2snn command-line tool: dispatch to subcommands. */
#include <stdio.h>
#include <string.h>

#include "command_table.h"
#include "vo2snn/outputs.h"
#include "vo2snn/status.h"
#include "vo2snn/threads.h"
#include "vo2snn/version.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: vo2snn COMMAND [options]   (vo2snn COMMAND --help for its options)\n\n"
               "Oxygen-vacancy-engineered VO2-x Mott devices as spiking neurons.\n\ncommands:\n");
    size_t n;
    const vo2snn_command *commands = vo2snn_commands(&n);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nUnits: SI with prefixes and optional unit names (3k, 3kOhm, 1.8nF, 100us).\n"
               "Model: docs/model.md; numbers to expect: README.md.\n");
}

/* A command's files are one output set (outputs.h): a failed or interrupted run leaves
 * the outputs as they were before it, apart from checkpoints and resume files. */
static int run_command(const vo2snn_command *c, int argc, char **argv)
{
    if (vs_outputs_begin() != VS_OK) {
        fprintf(stderr, "vo2snn %s: %s\n", c->name, vs_last_error());
        return 1;
    }
    char note[200];
    vs_threads_set(0, note, sizeof note); /* caps an absurd OMP_NUM_THREADS at the cores */
    if (note[0]) fprintf(stderr, "vo2snn %s: note: %s\n", c->name, note);
    int rc = c->run(argc - 2, argv + 2);
    vs_outputs_end(rc == 0);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0) {
        printf("vo2snn %s\n", vs_version());   /* the one version: VERSION (Makefile) */
        return 0;
    }
    size_t n;
    const vo2snn_command *commands = vo2snn_commands(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, commands[i].name) == 0) return run_command(&commands[i], argc, argv);
    fprintf(stderr, "vo2snn: unknown command '%s' (try 'vo2snn --help')\n", name);
    return 1;
}
