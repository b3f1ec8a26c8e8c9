/* fuzz_cache.c -- libFuzzer target: transfer-function cache files (vs_transfer_cache_load, then a
   save + load round trip of what it accepts). Build and run with `make fuzz`; what the bytes
   mean is in harness.h (fuzz_cache). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_cache(data, size);
    return 0;
}
