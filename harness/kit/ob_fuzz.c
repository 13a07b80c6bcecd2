/*
** ob_fuzz.c: the libFuzzer entry. A finding aborts, so libFuzzer saves the input.
*/
#include "ob_kit.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Growth needs repeated runs: sample one input in 32 so a clean fuzz run keeps most
       of its speed (4 extra runs each: about 12%). Regression runs check every input.
       libFuzzer runs LeakSanitizer after inputs that allocate more than they free, so the
       kit's own check would only double that cost. */
    ob_harness_defaults("growth_every=32 lsan=0");
    return 0;
}

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
