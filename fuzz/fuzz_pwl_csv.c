/* fuzz_pwl_csv.c -- libFuzzer target: numeric CSV tables (vs_table_load) and PWL inputs (vs_input_load_pwl).
   Build and run with `make fuzz`; what the bytes mean is in harness.h (fuzz_pwl_csv). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_pwl_csv(data, size);
    return 0;
}
