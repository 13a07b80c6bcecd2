// frames.h: symbolized frames and stacks built by hand, for the tests of signatures and
// reports (a frame as the kit's symbolizer fills it).
#ifndef TESTS_KIT_FRAMES_H
#define TESTS_KIT_FRAMES_H

#include <stdio.h>

#include <vector>

extern "C" {
#include "harness/kit/ob_report.h"
}

inline ob_frame frame(const char *func, const char *file = "/proc/self/cwd/targets/lib/lib.c",
                      int line = 1)
{
    ob_frame f = {};
    f.pc = 0x1234;
    snprintf(f.func, sizeof f.func, "%s", func);
    snprintf(f.file, sizeof f.file, "%s", file);
    f.line = line;
    return f;
}

inline ob_stack stack_of(const std::vector<ob_frame> &frames)
{
    ob_stack s = {};
    for (const ob_frame &f : frames)
        s.frames[s.n++] = f;
    return s;
}

#endif
