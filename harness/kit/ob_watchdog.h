/*
** ob_watchdog.h: a per-input deadline. Internal to the kit.
**
** One thread per process sleeps until the armed deadline; when an input outlives it, the
** thread samples the stack of the thread that armed it several times (by a signal whose
** handler walks the interrupted context's frame pointers), then calls the fire callback,
** which reports and ends the process. A loop is interrupted at a different point each
** time: the frames every sample shares are the loop and its callers.
*/
#ifndef OB_WATCHDOG_H
#define OB_WATCHDOG_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_watchdog.h is internal to the harness kit; include ob_kit.h"
#endif

#include "ob_report.h"

#include <stdint.h>

enum { OB_HANG_SAMPLES = 8 };

typedef void (*ob_watchdog_fire)(uintptr_t (*pcs)[OB_MAX_FRAMES], const unsigned *npcs,
                                 unsigned nsamples);

/* Starts the watchdog thread once per process. Returns 0, or -1 if it cannot start. */
int ob_watchdog_start(ob_watchdog_fire fire);
/* The calling thread's input must end within seconds. */
void ob_watchdog_arm(double seconds);
void ob_watchdog_disarm(void);

#endif
