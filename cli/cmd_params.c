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
        fputs(vs_device_keys(), stdout);
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
        vs_json_num(&j, "vacancy_x", p.vacancy_x);
        vs_json_num(&j, "r_ins0_ohm", p.r_ins0_ohm);
        vs_json_num(&j, "r_met_ohm", p.r_met_ohm);
        vs_json_num(&j, "g_th_w_per_k", p.g_th_w_per_k);
        vs_json_num(&j, "c_th_j_per_k", p.tau_th_s * p.g_th_w_per_k);
        vs_json_num(&j, "tau_th_s", p.tau_th_s);
        vs_json_num(&j, "e_a_ev", p.e_a_ev);
        vs_json_num(&j, "t_c_k", p.t_c_k);
        vs_json_num(&j, "dt_hyst_k", p.dt_hyst_k);
        vs_json_num(&j, "w_t_k", p.w_t_k);
        vs_json_num(&j, "t_0_k", p.t_0_k);
        vs_json_num(&j, "t_amb_k", p.t_amb_k);
        vs_json_num(&j, "sigma_lnr", p.sigma_ln_r);
        vs_json_num(&j, "sigma_tc_k", p.sigma_t_c_k);
        vs_json_num(&j, "v_th_v", th.v_v);
        vs_json_num(&j, "i_th_a", th.i_a);
        vs_json_num(&j, "v_hold_v", ho.v_v);
        vs_json_num(&j, "i_hold_a", ho.i_a);
        vs_json_end(&j);
        return 0;
    }
    if (strncmp(label, "device", 6) == 0) printf("%s (vacancy x = %g)\n", label, p.vacancy_x);
    else printf("%s\n", label);
    printf("  r_ins0    %.7g Ohm\n  r_met     %.7g Ohm\n  g_th      %.7g W/K\n", p.r_ins0_ohm, p.r_met_ohm, p.g_th_w_per_k);
    printf("  c_th      %.7g J/K (tau_th %.4g s)\n  e_a       %.4g eV\n", p.tau_th_s * p.g_th_w_per_k, p.tau_th_s, p.e_a_ev);
    printf("  t_c       %.4g K (dt_hyst %.4g K, w_t %.4g K)\n  t_0/t_amb %.4g / %.4g K\n", p.t_c_k, p.dt_hyst_k, p.w_t_k, p.t_0_k, p.t_amb_k);
    printf("  sigma_lnr %.4g, sigma_tc %.4g K\n", p.sigma_ln_r, p.sigma_t_c_k);
    printf("  V_th %.4f V at %.4f mA (T %.2f K);  V_hold %.4f V at %.4f mA (T %.2f K)\n", th.v_v,
           th.i_a * 1e3, th.t_k, ho.v_v, ho.i_a * 1e3, ho.t_k);
    return 0;
}
