/*
** cjson_plain.c: the baseline a cJSON user would write without ouroboros. The input
** bytes are one JSON document: it is parsed with cJSON_ParseWithLength, printed both
** ways, duplicated, compared with its duplicate and freed, on the fuzzer's own thread
** with cJSON's default allocator. Only the sanitizers and libFuzzer's own checks
** judge it. The benchmark compares it with the cjson harness on each known finding.
*/
#include "cJSON.h"

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry point: 0 for every input, as its contract asks. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *json = cJSON_ParseWithLength((const char *)data, size);
    if (!json)
        return 0;
    cJSON_free(cJSON_Print(json));
    cJSON_free(cJSON_PrintUnformatted(json));
    cJSON *copy = cJSON_Duplicate(json, 1);
    (void)cJSON_Compare(json, copy, 1);
    cJSON_Delete(copy);
    cJSON_Delete(json);
    return 0;
}
