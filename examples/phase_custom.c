/*
 * phase_custom.c -- the tri-state phase diagram (un-firing / oscillating / firing) over
 * R_s x V_in of a device of your own, read from a device file (docs/cli.md):
 *
 *   ./phase_custom my_device.txt
 *
 * Without an argument it writes a small example file (paper device 2 with a different
 * metallic resistance and a name) to a temporary path and uses that. Prints the map as
 * text ('.' un-firing, '~' oscillating, '#' firing), rows from the highest V_in down.
 */
#define _POSIX_C_SOURCE 200809L   /* mkstemp, fdopen */
#include <stdio.h>
#include <stdlib.h>

#include <vo2snn/vo2snn.h>

static int fail(const char *what)
{
    fprintf(stderr, "phase_custom: %s: %s\n", what, vs_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    char tmp[] = "/tmp/vo2snn_deviceXXXXXX";
    const char *path = argc > 1 ? argv[1] : NULL;
    if (!path) {
        int fd = mkstemp(tmp);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!f) return perror("phase_custom: temporary device file"), 1;
        fputs("# a device file: key = value lines, SI units with prefixes\n"
              "name = my device\n"
              "preset = 2\n"
              "r_met = 300 Ohm\n", f);
        fclose(f);
        path = tmp;
    }

    vs_device_params dev = vs_device_default();
    vs_status s = vs_device_load_file(path, &dev);
    if (path == tmp) remove(tmp);
    if (s != VS_OK) return fail(path);

    vs_circuit c = vs_circuit_default();
    vs_grid r_s = {NAN, NAN, 16, 0}, v_in = {NAN, NAN, 12, 0};   /* ends around the triple point */
    if (vs_phase_default_grids(&dev, &c, &r_s, &v_in) != VS_OK) return fail("grids");
    vs_classify_opts o = vs_classify_opts_default();
    vs_point *pts = malloc((size_t)(r_s.n * v_in.n) * sizeof *pts);
    if (!pts) return fprintf(stderr, "phase_custom: out of memory\n"), 1;
    if (vs_phase_sweep(&dev, &c, &r_s, &v_in, &o, NULL, NULL, pts) != VS_OK) {
        free(pts);
        return fail("phase sweep");
    }

    printf("%s: R_s %.0f..%.0f Ohm (columns), V_in %.2f..%.2f V (rows)\n",
           dev.name[0] ? dev.name : "custom device", r_s.lo, r_s.hi, v_in.lo, v_in.hi);
    long osc = 0;
    for (long iv = v_in.n - 1; iv >= 0; iv--) {
        printf("%6.2f V  ", vs_grid_at(&v_in, iv));
        for (long ir = 0; ir < r_s.n; ir++) {
            vs_regime g = pts[iv * r_s.n + ir].regime;
            osc += g == VS_OSCILLATING;
            putchar(g == VS_UNFIRING ? '.' : g == VS_OSCILLATING ? '~' : '#');
        }
        putchar('\n');
    }
    vs_triple chord;
    double va, vb;
    if (vs_load_line(&dev, &c, &va, &vb, &chord) == VS_OK)
        printf("chord triple point: R_s* = %.0f Ohm, V_in* = %.2f V; %ld oscillating points\n",
               chord.r_s_ohm, chord.v_in_v, osc);
    free(pts);
    return 0;
}
