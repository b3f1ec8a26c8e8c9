/* fuzz_csv_header.c -- libFuzzer target: CSV header detection and byte-order marks (vs_table_load with
   and without a leading BOM, vs_input_load_pwl and its knot search against the naive twin).
   Build and run with `make fuzz`; what the bytes mean is in harness.h (fuzz_csv_header). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_csv_header(data, size);
    return 0;
}
