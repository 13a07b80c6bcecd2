/*
** ob_fuzz.c: the libFuzzer entry. A finding aborts, so libFuzzer saves the input.
*/
#include "ob_kit.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ob_finding f;
    ob_status st = ob_harness_run(data, size, &f);
    if (st != OB_OK) {
        fprintf(stderr, "ouroboros: the harness kit failed (status %d)\n", st);
        exit(2);
    }
    if (f.klass)
        abort();
    return 0;
}
