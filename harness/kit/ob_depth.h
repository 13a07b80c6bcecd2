/*
** ob_depth.h: bounded or unbounded: the one rule that tells a deep recursion the library
** limits from one that grows with its input. Internal to the kit.
**
** A stack finding (stack-budget, stack-overflow) whose input repeats pieces of a byte
** string is measured again with every repeat count scaled (x1/64, x1/8, x1/2, x1, x2, x4;
** the larger ones only when no limit cut their expansion), each on fibers of 16 MiB. The
** repeats drive the recursion when the smallest scale measured went at least a quarter
** less deep than x1; if they do not, the input is reported as it is. If they do, the
** recursion keeps growing when the last doubling measured (x2 to x4, else x1 to x2, else
** x1/2 to x1) deepened the stack by a quarter or more, or overflowed even 16 MiB: that is
** the bug, reported as stack-budget or stack-overflow. Otherwise it stopped at a depth of
** its own: a nesting limit deeper than the harness's fibers, reported as stack-bounded
** with the stack it needs, so a fixed library is not reported as still unbounded.
*/
#ifndef OB_DEPTH_H
#define OB_DEPTH_H

#if !defined(OB_KIT_INTERNAL)
#error "ob_depth.h is internal to the harness kit"
#endif

#include <stddef.h>
#include <stdint.h>

enum { OB_DEPTH_SCALES = 6, OB_DEPTH_FIBER = 16 << 20 };

/* Scale i multiplies repeat counts by num[i] / den[i]. */
extern const uint32_t ob_depth_num[OB_DEPTH_SCALES], ob_depth_den[OB_DEPTH_SCALES];

/* Measured deepest stack at a scale; OB_DEPTH_OVERFLOW when even the measuring fibers
   overflowed, OB_DEPTH_UNKNOWN when the scale could not be measured. */
#define OB_DEPTH_OVERFLOW SIZE_MAX
#define OB_DEPTH_UNKNOWN ((size_t)0)

/* 1: the recursion keeps growing with the input; 0: it stopped (bounded); -1: the
   measures cannot tell (then the finding stays as it is). */
int ob_depth_keeps_growing(const size_t depth[OB_DEPTH_SCALES]);

/* The smallest fiber size, in steps of 16 KiB, whose budget (budget percent of it, as the
   stack judge computes it) holds a deepest stack use of `deepest` bytes. */
size_t ob_depth_fiber_for(size_t deepest, unsigned budget);

#endif
