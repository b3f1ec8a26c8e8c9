/* main.c -- the vo2snn command-line tool: dispatch to subcommands. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "vo2snn/outputs.h"
#include "vo2snn/status.h"
#include "vo2snn/threads.h"

#define VO2SNN_VERSION "0.1.0"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"paper", cmd_paper, "regenerate every figure of the paper (data + PNG/SVG) and an HTML report"},
    {"demo", cmd_demo, "devices 1-5: I-V, R-T and oscillation waveforms as CSV + PNG under out/"},
    {"iv", cmd_iv, "I-V hysteresis: quasi-static folds (V_th, V_hold) and a swept loop"},
    {"rt", cmd_rt, "R-T loop, heating and cooling branches (device or film model)"},
    {"osc", cmd_osc, "transient of the neuron circuit under dc/pulse/sine/square/pwl input"},
    {"phase", cmd_phase, "tri-state phase diagram over R_s x V_in, with the triple point (Fig 3F/G)"},
    {"triple", cmd_triple, "triple points of devices 1-5 or any vacancy levels (Fig 3J)"},
    {"vf", cmd_vf, "frequency vs input voltage and power vs frequency per device (Fig 3K/L)"},
    {"cycles", cmd_cycles, "cycle-to-cycle threshold statistics over N I-V sweeps (Fig 2L)"},
    {"train", cmd_train, "train the 784-128-10 BP-SNN on MNIST through the device's transfer function"},
    {"eval", cmd_eval, "score a trained checkpoint on MNIST / Fashion-MNIST"},
    {"net2x2", cmd_net2x2, "the paper's 2x2 network of circuit neurons through two-stage adders (Fig 3I)"},
    {"infer", cmd_infer, "run a trained network as circuit neurons: spiking accuracy, rasters, energy (Fig 4B-F)"},
    {"netlist", cmd_netlist, "write an ngspice netlist of the same circuit and device model"},
    {"params", cmd_params, "print a device's parameters and quasi-static characteristics"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: vo2snn COMMAND [options]   (vo2snn COMMAND --help for its options)\n\n"
               "Oxygen-vacancy-engineered VO2-x Mott devices as spiking neurons.\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nUnits: SI with prefixes and optional unit names (3k, 3kOhm, 1.8nF, 100us).\n"
               "Model: docs/model.md; numbers to expect: README.md.\n");
}

/* A command's files are one output set (outputs.h): a failed or interrupted run leaves
 * the outputs as they were before it, apart from checkpoints and resume files. */
static int run_command(const command *c, int argc, char **argv)
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
        printf("vo2snn %s\n", VO2SNN_VERSION);
        return 0;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0) return run_command(&commands[i], argc, argv);
    fprintf(stderr, "vo2snn: unknown command '%s' (try 'vo2snn --help')\n", name);
    return 1;
}
