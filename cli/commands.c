/* commands.c -- the table of vo2snn subcommands (command_table.h). */
#include "command_table.h"

#include "commands.h"

static const vo2snn_command commands[] = {
    {"paper", cmd_paper, "regenerate every figure of the paper (data + PNG/SVG) and an HTML report"},
    {"report", cmd_report, "one device (any model, your own file) as a neuron: every figure and an HTML report"},
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
    {"chips", cmd_chips, "Monte Carlo chips: accuracy, energy and yield of a trained network under variation"},
    {"bom", cmd_bom, "the resistor list of a trained network on circuits, and an ngspice netlist of a subset"},
    {"netlist", cmd_netlist, "write an ngspice netlist of the same circuit and device model"},
    {"fit", cmd_fit, "fit a device model to measured R-T, I-V and f-V data; write the fitted device file"},
    {"params", cmd_params, "print a device's parameters and quasi-static characteristics"},
};

const vo2snn_command *vo2snn_commands(size_t *n)
{
    *n = sizeof commands / sizeof commands[0];
    return commands;
}
