/* fuzz_measured.c -- libFuzzer target: the readers of measured data (measured.h), all four
   on every input. Build and run with `make fuzz`; what the bytes mean is in harness.h
   (fuzz_measured). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_measured(data, size);
    return 0;
}
