"""bench_configured: the same targets built again with extra compiler and linker flags.

The benchmark compares builds that `bazel run //bench` cannot get from its own
configuration: sanitizer-free binaries (the executors, the detectors' overhead) and
ThreadSanitizer ones (the data race), next to the default ASan builds. A transition on the
`srcs` edge appends `copts` and `linkopts` to --copt and --linkopt; later -fno-sanitize
flags cancel earlier -fsanitize ones, so the result does not depend on the base config.

Each output file appears as `<name>/<its short path>`: the same label built in two
configurations would otherwise claim one runfiles path twice.
"""

def _flags_transition_impl(settings, attr):
    return {
        "//command_line_option:copt": settings["//command_line_option:copt"] + attr.copts,
        "//command_line_option:linkopt": settings["//command_line_option:linkopt"] + attr.linkopts,
    }

_flags_transition = transition(
    implementation = _flags_transition_impl,
    inputs = [
        "//command_line_option:copt",
        "//command_line_option:linkopt",
    ],
    outputs = [
        "//command_line_option:copt",
        "//command_line_option:linkopt",
    ],
)

def _bench_configured_impl(ctx):
    outs = []
    for src in ctx.attr.srcs:
        for f in src[DefaultInfo].files.to_list():
            out = ctx.actions.declare_file("%s/%s" % (ctx.label.name, f.short_path))
            ctx.actions.symlink(output = out, target_file = f, is_executable = True)
            outs.append(out)
    return [DefaultInfo(files = depset(outs), runfiles = ctx.runfiles(files = outs))]

bench_configured = rule(
    implementation = _bench_configured_impl,
    doc = "Executables built with extra flags, renamed under <name>/ for runfiles.",
    attrs = {
        "srcs": attr.label_list(cfg = _flags_transition, allow_files = False),
        "copts": attr.string_list(doc = "appended to --copt"),
        "linkopts": attr.string_list(doc = "appended to --linkopt"),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
