/*
** ob_fail.h: arming allocation failures per logical thread. Internal to the kit.
*/
#ifndef OB_FAIL_H
#define OB_FAIL_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_fail.h is internal to the harness kit; include ob_kit.h"
#endif

#include "ob_kit.h"

/* Until ob_fail_disarm, allocations by logical thread `thread` fail as kind/n say. */
void ob_fail_arm(unsigned thread, ob_fail_kind kind, unsigned n);
void ob_fail_disarm(unsigned thread);

#endif
