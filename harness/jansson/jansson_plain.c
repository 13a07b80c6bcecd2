/*
** jansson_plain.c: a plain libFuzzer harness for jansson, the baseline the benchmark
** compares the kit's harness with: decode the input, encode, deep-copy and compare the
** result, free everything, on one thread.
*/
#include <jansson.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer's entry point: one input, always 0 (findings come from the sanitizers). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t error;
    json_t *value = json_loadb((const char *)data, size, 0, &error);
    if (!value)
        return 0;
    free(json_dumps(value, 0));
    json_t *copy = json_deep_copy(value);
    if (copy)
        json_equal(value, copy);
    json_decref(copy);
    json_decref(value);
    return 0;
}
