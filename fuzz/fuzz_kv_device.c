/* fuzz_kv_device.c -- libFuzzer target: device files: vs_kv_load, vs_device_load_file, vs_device_apply_list.
   Build and run with `make fuzz`; what the bytes mean is in harness.h (fuzz_kv_device). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_kv_device(data, size);
    return 0;
}
