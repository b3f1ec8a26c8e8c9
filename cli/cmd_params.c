/* cmd_params.c -- `vo2snn params`: a device's parameters and quasi-static characteristics. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "common.h"
#include "vo2snn/json.h"

int cmd_params(int argc, char **argv)
{
    const char *prog = "vo2snn params";
    cli_device_args dev_args = CLI_DEVICE_DEFAULTS;
    int json = 0, keys = 0;
    const opt_spec opts[] = {
        CLI_DEVICE_OPTS(dev_args),
        {.name = "keys", .kind = OPT_FLAG, .help = "list the parameter keys accepted by --param and device files", .dest = &keys},
        {.name = "json", .kind = OPT_FLAG, .help = "print as one JSON object", .dest = &json},
    };
    const opt_cmd cmd = {prog, "Print a device's model parameters and its quasi-static thresholds.",
                         "A device file holds 'key = value' lines with optional units, '#' comments:\n"
                         "  preset = 2\n  r_met = 600 Ohm\n  tau_th = 150 ns\n",
                         opts, (int)(sizeof opts / sizeof opts[0]), 0};
    int rc = opt_parse(&cmd, argc, argv, NULL, NULL);
    if (rc != 0) return rc < 0 ? 1 : 0;
    if (keys) {
        const vs_model *m = dev_args.model_given ? vs_model_find(dev_args.model) : NULL;
        if (dev_args.model_given && !m) return cli_error(prog, "--model: %s", vs_last_error());
        fputs(vs_device_keys(m), stdout);
        return 0;
    }
    vs_device_params p;
    if (cli_device_resolve(prog, &dev_args, &p)) return 1;
    vs_fold th, ho;
    if (vs_device_folds(&p, &th, &ho) != VS_OK) return cli_fail(prog);
    char label[64];
    cli_device_label(&p, label, sizeof label);
    if (json) {
        vs_json j;
        vs_json_begin(&j, stdout);
        vs_json_str(&j, "device", label);
        vs_device_json(&j, "device_params", &p);
        vs_json_num(&j, "v_th_v", th.v_v);
        vs_json_num(&j, "i_th_a", th.i_a);
        vs_json_num(&j, "v_hold_v", ho.v_v);
        vs_json_num(&j, "i_hold_a", ho.i_a);
        vs_json_end(&j);
        return 0;
    }
    if (!isnan(p.vacancy_x)) printf("%s (vacancy x = %g)\n", label, p.vacancy_x);
    else printf("%s\n", label);
    printf("  %-10s %s (%s)\n", "model", p.model->name, p.model->doc);
    for (int i = 0; i < p.model->n_params; i++)
        printf("  %-10s %.7g %s\n", p.model->params[i].key, p.v[i], p.model->params[i].unit);
    for (int a = 0; a < p.model->n_aliases; a++) {
        const vs_param_alias *al = &p.model->aliases[a];
        printf("  %-10s %.7g %s (derived)\n", al->key, p.v[al->target] * p.v[al->per], al->unit);
    }
    printf("  V_th %.4f V at %.4f mA (T %.4g K);  V_hold %.4f V at %.4f mA (T %.4g K)\n", th.v_v,
           th.i_a * 1e3, th.t_k, ho.v_v, ho.i_a * 1e3, ho.t_k);
    return 0;
}
