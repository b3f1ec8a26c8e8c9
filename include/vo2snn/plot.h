/*
 * plot.h -- render a gnuplot script to a PNG or SVG file.
 *
 * gnuplot is an optional, external program: check vs_plot_available() before
 * offering plots. The script describes the plot only (data files, labels,
 * plot commands); vs_plot_render() chooses the terminal from the file
 * extension and writes the image atomically: the file appears at out_path
 * only if gnuplot succeeds. gnuplot runs as a child process (no shell).
 */
#ifndef VO2SNN_PLOT_H
#define VO2SNN_PLOT_H

#include "vo2snn/status.h"

/* 1 if an executable "gnuplot" is on PATH, else 0. */
int vs_plot_available(void);

/*
 * Run gnuplot on script and write the image to out_path (".png": pngcairo,
 * ".svg": svg; width_px x height_px, each in [16, 16384]). The script must
 * not set the terminal or output; this function prepends
 *     set terminal pngcairo size W,H enhanced font 'Sans,10'   (or svg)
 *     set output '<temporary file next to out_path>'
 * Errors: VS_EINVAL for a bad size or extension, or an out_path holding a
 * single quote or line break; VS_ENOTFOUND "gnuplot not found; install it
 * with scripts/setup.sh or leave out --plot"; VS_EIO when the output cannot
 * be created or gnuplot fails, with gnuplot's first error line, e.g.
 * "cannot plot 'v.png': gnuplot: script line 3: undefined variable: foo".
 * On failure nothing is left at out_path (an older file is untouched).
 */
vs_status vs_plot_render(const char *script, const char *out_path, int width_px, int height_px);

#endif
