/* cmd_netlist.c -- `vo2snn netlist`: the neuron circuit as an ngspice netlist. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "common.h"
#include "vo2snn/atomic.h"
#include "vo2snn/netlist.h"

int cmd_netlist(int argc, char **argv)
{
    const char *prog = "vo2snn netlist";
    cli_device_args dev_args = CLI_DEVICE_DEFAULTS;
    vs_circuit circ = vs_circuit_default();
    cli_input_args in_args = CLI_INPUT_DEFAULTS;
    vs_netlist_opts no = vs_netlist_opts_default();
    int given_t_end = 0;
    const char *out = "out/neuron.cir";
    const opt_spec opts[] = {
        CLI_DEVICE_OPTS(dev_args),
        CLI_CIRCUIT_OPTS(circ),
        CLI_INPUT_OPTS(in_args),
        {.name = "t-end", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "transient stop time (default depends on the input)", .dest = &no.t_end_s, .min = 1e-12, .max = 10, .given = &given_t_end},
        {.name = "max-step", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "ngspice maximum time step", .dest = &no.t_max_step_s, .min = 1e-15, .max = 1},
        {.name = "tau-m", .kind = OPT_QUANTITY, .unit = "s", .metavar = "T", .help = "relaxation time of the hysteresis memory node", .dest = &no.tau_m_s, .min = 1e-18, .max = 1e-6},
        {.name = "wrdata", .kind = OPT_STRING, .metavar = "FILE", .help = "add a .control block that runs the transient and writes the waveforms to FILE", .dest = &no.wrdata_path},
        {.name = "out", .kind = OPT_STRING, .metavar = "FILE", .help = "netlist path ('-' for stdout)", .dest = &out},
    };
    const opt_cmd cmd = {prog, "Write an ngspice netlist of the neuron with the device model as behavioural sources.",
                         CLI_INPUT_HELP
                         "Run it with: ngspice -b out/neuron.cir (add --wrdata to get the waveforms).",
                         opts, (int)(sizeof opts / sizeof opts[0]), 0};
    int rc = opt_parse(&cmd, argc, argv, NULL, NULL);
    if (rc != 0) return rc < 0 ? 1 : 0;

    vs_device_params p;
    if (cli_device_resolve(prog, &dev_args, &p)) return 1;
    if (vs_circuit_validate(&circ) != VS_OK) return cli_fail(prog);
    vs_input in;
    if (cli_input_build(prog, &in_args, &in)) return 1;
    if (!given_t_end) no.t_end_s = cli_input_default_t_end(&in);

    int to_stdout = strcmp(out, "-") == 0;
    vs_afile *af = NULL;
    FILE *f = stdout;
    if (!to_stdout) {
        if (cli_prepare_output(prog, out)) return vs_input_free(&in), 1;
        if (vs_afile_open(out, &af) != VS_OK) return vs_input_free(&in), cli_fail(prog);
        f = vs_afile_stream(af);
    }
    vs_status s = vs_netlist_write(f, &p, &circ, &in, &no);
    vs_input_free(&in);
    if (s != VS_OK) {
        vs_afile_abort(af);
        return cli_fail(prog);
    }
    if (af && vs_afile_commit(af) != VS_OK) return cli_fail(prog);
    if (!to_stdout) fprintf(stderr, "wrote %s\n", out);
    return 0;
}
