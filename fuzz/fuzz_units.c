/* fuzz_units.c -- libFuzzer target: numbers with units: vs_parse_quantity, vs_parse_long, the CLI's opt_parse.
   Build and run with `make fuzz`; what the bytes mean is in harness.h (fuzz_units). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_units(data, size);
    return 0;
}
