/*
 * command_table.h -- the vo2snn subcommands by name: the one list that main() dispatches
 * on, `vo2snn --help` prints and tests/test_help.c iterates (cli/commands.c).
 */
#ifndef VO2SNN_CLI_COMMAND_TABLE_H
#define VO2SNN_CLI_COMMAND_TABLE_H

#include <stddef.h>

typedef struct vo2snn_command {
    const char *name;                  /* "osc" */
    int (*run)(int argc, char **argv); /* gets the arguments after the name */
    const char *summary;               /* one line for `vo2snn --help` */
} vo2snn_command;

/* The commands, in the order `vo2snn --help` lists them; their number in *n. */
const vo2snn_command *vo2snn_commands(size_t *n);

#endif
