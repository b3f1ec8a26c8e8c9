/* fuzz_checkpoint.c -- libFuzzer target: training checkpoints: vs_checkpoint_load_info, vs_checkpoint_load.
   Build and run with `make fuzz`; what the bytes mean is in harness.h (fuzz_checkpoint). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_checkpoint(data, size);
    return 0;
}
