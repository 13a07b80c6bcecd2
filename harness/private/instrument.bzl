"""Instrumentation by the rules: a transition that builds a harness and all it depends on
with clang's sanitizers and libFuzzer's coverage hooks, whatever the command line says.

The setting //harness:instrumentation picks who instruments:
  "rules" (default): each harness's edge appends the flags below, so a consumer's
      `bazel test //...` replays its harnesses under ASan + UBSan (or TSan) while the rest
      of its build stays as it was;
  "none": the command line instruments everything (our own .bazelrc does, and so may any
      repository that sanitizes globally); only a harness that asks for TSan is switched.
Later -fno-sanitize flags cancel earlier -fsanitize ones, so appending is enough. A
transition whose flags are already last changes nothing, so nested wrappers share one
configuration.
"""

SANITIZERS = ["asan", "tsan"]

_SETTING = str(Label("//harness:instrumentation"))
_COPT = "//command_line_option:copt"
_LINKOPT = "//command_line_option:linkopt"
_START_END_LIB = "//command_line_option:start_end_lib"
_STRIP = "//command_line_option:strip"

_COMMON_COPTS = ["-g", "-O1", "-fno-omit-frame-pointer", "-fsanitize=fuzzer-no-link"]

# cc_configure picks gold, which warns on every ASan link and whose --start-lib bfd lacks.
_FLAGS = {
    "asan": struct(
        copts = _COMMON_COPTS + [
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=undefined",
            # ASan reports out-of-bounds heap access with allocation stacks; UBSan's
            # object-size check would catch it first, with less.
            "-fno-sanitize=object-size",
        ],
        linkopts = ["-fsanitize=address,undefined", "-fsanitize-link-c++-runtime", "-fuse-ld=bfd"],
    ),
    "tsan": struct(
        copts = _COMMON_COPTS + ["-fno-sanitize=address,undefined", "-fsanitize=thread"],
        linkopts = ["-fno-sanitize=address,undefined", "-fsanitize=thread", "-fuse-ld=bfd"],
    ),
}

# Under "none", TSan only: the command line's flags are kept and overridden.
_TSAN_OVER = struct(
    copts = ["-fno-sanitize=address,undefined", "-fsanitize=thread"],
    linkopts = ["-fno-sanitize=address,undefined", "-fsanitize=thread"],
)

def _ends_with(items, tail):
    return len(items) >= len(tail) and items[len(items) - len(tail):] == tail

def _append(settings, flags):
    copts, linkopts = settings[_COPT], settings[_LINKOPT]
    if _ends_with(copts, flags.copts) and _ends_with(linkopts, flags.linkopts):
        return {}
    return {_COPT: copts + flags.copts, _LINKOPT: linkopts + flags.linkopts}

def instrument_impl(settings, attr):
    """The transition's function, for transitions that build on it (oss_fuzz.bzl)."""
    mode, sanitizer = settings[_SETTING], attr.sanitizer
    if sanitizer not in SANITIZERS:
        fail("sanitizer = %r: ob_fuzz_harness knows %s" % (sanitizer, SANITIZERS))
    unchanged = {
        _COPT: settings[_COPT],
        _LINKOPT: settings[_LINKOPT],
        _START_END_LIB: settings[_START_END_LIB],
        # Symbols for every frame of a report; a stripped harness could not sign one.
        _STRIP: "never",
    }
    if mode == "none":
        if sanitizer == "tsan" and "-fsanitize=thread" not in settings[_COPT]:
            unchanged.update(_append(settings, _TSAN_OVER))
        return unchanged
    if mode != "rules":
        fail("--%s=%s: use rules (the harness rules instrument) or none (the command line does)" %
             (_SETTING, mode))
    unchanged.update(_append(settings, _FLAGS[sanitizer]))
    unchanged[_START_END_LIB] = False
    return unchanged

# What instrument_impl reads and writes, for every transition built on it.
COPT, LINKOPT = _COPT, _LINKOPT
TRANSITION_INPUTS = [_SETTING, _COPT, _LINKOPT, _START_END_LIB]
TRANSITION_OUTPUTS = [_COPT, _LINKOPT, _START_END_LIB, _STRIP]

instrument_transition = transition(
    implementation = instrument_impl,
    inputs = TRANSITION_INPUTS,
    outputs = TRANSITION_OUTPUTS,
)

def _instrumentation_setting_impl(_ctx):
    return []

instrumentation_setting = rule(
    implementation = _instrumentation_setting_impl,
    doc = "Who instruments harnesses: `rules` (the transition above) or `none` (the command line).",
    build_setting = config.string(flag = True),
)

def instrumented(ctx_attr):
    """The dependency behind a label attribute with a transition (it reads as a list of one)."""
    return ctx_attr[0] if type(ctx_attr) == "list" else ctx_attr

def _instrumented_binary_impl(ctx):
    dep = instrumented(ctx.attr.binary)
    exe = dep[DefaultInfo].files_to_run.executable
    out = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(output = out, target_file = exe, is_executable = True)
    runfiles = ctx.runfiles(files = [out]).merge(dep[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = out, files = depset([out]), runfiles = runfiles)]

# The allowlist every rule with a Starlark transition on an attribute names.
TRANSITION_ALLOWLIST = {
    "_allowlist_function_transition": attr.label(
        default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
    ),
}

def _binary_attrs():
    attrs = {
        "binary": attr.label(executable = True, cfg = instrument_transition, mandatory = True),
        "sanitizer": attr.string(default = "asan", values = SANITIZERS),
    }
    attrs.update(TRANSITION_ALLOWLIST)
    return attrs

instrumented_binary = rule(
    implementation = _instrumented_binary_impl,
    doc = "`binary`, built instrumented (see the file's doc), under this target's name.",
    executable = True,
    attrs = _binary_attrs(),
)
