/* parallel.c -- one parallel loop over independent items with progress and cancelling. */
#include "parallel.h"

#include <math.h>
#include <stdio.h>

vs_status vs_parallel_items(int n, const char *item_name, vs_item_fn item, void *ctx,
                            vs_status *st, int (*progress)(long done, long total, void *user),
                            void *user)
{
    long done = 0;
    int first_fail = -1, stop = 0;
    char fail_msg[512] = "";
#pragma omp parallel for schedule(dynamic, 1)
    for (int i = 0; i < n; i++) {
        int skip;
#pragma omp atomic read
        skip = stop;
        vs_status s = skip ? vs_fail(VS_EINVAL, "%s %d not run: cancelled", item_name, i + 1)
                           : item(i, ctx);
        st[i] = s;
#pragma omp critical(vs_parallel_items)
        {
            if (s != VS_OK && (first_fail < 0 || i < first_fail)) {
                first_fail = i;
                snprintf(fail_msg, sizeof fail_msg, "%s", vs_last_error());
            }
            done++;
            if (!skip && progress && progress(done, n, user) != 0) {
#pragma omp atomic write
                stop = 1;
            }
        }
    }
    return first_fail < 0 ? VS_OK : vs_fail(st[first_fail], "%s", fail_msg);
}

int vs__threads_beside_load(int max, double others_cores)
{
    if (!(others_cores == others_cores)) return max;   /* NaN: no measurement */
    double k = (double)max - floor(others_cores + 0.5);
    return k < 1 ? 1 : k > max ? max : (int)k;
}
