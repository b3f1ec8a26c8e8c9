/* fuzz_idx.c -- libFuzzer target: IDX files, raw or gzip (vs_idx_load), and MNIST-style datasets (vs_dataset_load).
   Build and run with `make fuzz`; what the bytes mean is in harness.h (fuzz_idx). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_idx(data, size);
    return 0;
}
