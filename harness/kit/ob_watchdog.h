/*
** ob_watchdog.h: a per-input deadline. Internal to the kit.
**
** One thread per process sleeps until the armed deadline; when an input outlives it, the
** thread captures the stack of the thread that armed it (by a signal whose handler walks
** the interrupted context's frame pointers), then calls the fire callback, which reports
** and ends the process.
*/
#ifndef OB_WATCHDOG_H
#define OB_WATCHDOG_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_watchdog.h is internal to the harness kit; include ob_kit.h"
#endif

#include <stdint.h>

typedef void (*ob_watchdog_fire)(const uintptr_t *pcs, unsigned npcs);

/* Starts the watchdog thread once per process. Returns 0, or -1 if it cannot start. */
int ob_watchdog_start(ob_watchdog_fire fire);
/* The calling thread's input must end within seconds. */
void ob_watchdog_arm(double seconds);
void ob_watchdog_disarm(void);

#endif
