/*
** ob_fuzz.c: the libFuzzer entry. A finding aborts, so libFuzzer saves the input.
*/
#define _POSIX_C_SOURCE 200809L

#include "ob_kit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* History files of persistent-state findings go where libFuzzer puts its artifacts. */
    for (int i = 1; i < *argc; i++)
        if (strncmp((*argv)[i], "-artifact_prefix=", 17) == 0)
            setenv("OB_HISTORY_PREFIX", (*argv)[i] + 17, 0);
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
