/*
** cjson_seam.h: cJSON's allocator seam plugged into the kit's allocation hooks.
**
** A library of its own, tagged ob_foreign, so that its frames never sign a finding: a
** leak is then signed by the cJSON call that allocated the lost block.
*/
#ifndef CJSON_SEAM_H
#define CJSON_SEAM_H

#include <stdint.h>

/* Installs ob_hook_malloc/ob_hook_free as cJSON's hooks (cJSON_InitHooks). Call once,
   before any thread uses cJSON, as cJSON's README requires of cJSON_InitHooks. */
void cj_seam_install(void);

/* Blocks allocated through the hooks and not yet freed, process-wide. */
int64_t cj_seam_blocks(void);

#endif
