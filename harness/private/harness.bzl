"""ob_fuzz_harness: one harness source becomes a regression test, a libFuzzer binary and a tool.

Generated targets, for a harness `name`:
  <name>          the regression test: replays the assembled seeds and corpus/<name>/crashes
  <name>_bin      the raw libFuzzer binary
  <name>_tool     the harness's command line: print, assemble, replay, stress
  <name>_run      `bazel run` launcher: fuzz with libFuzzer for a time, print what it found
  <name>_repro    `bazel run ... -- FILE...`: reproduce crash files, exit 0 when they do
  <name>_minimize `bazel run ... -- FILE`: the smallest program with the same signature
  <name>_corpus   the seed programs of corpus/<name>/seeds/*.txt, assembled to fuzz input
  <name>_raw_     the harness library (internal)
"""

def _seed_corpus_impl(ctx):
    outs = []
    for src in ctx.files.srcs:
        out = ctx.actions.declare_file("%s/%s" % (ctx.label.name, src.basename[:-len(".txt")]))
        ctx.actions.run(
            executable = ctx.executable.tool,
            arguments = ["assemble", src.path, out.path],
            inputs = [src],
            outputs = [out],
            mnemonic = "ObAssemble",
            progress_message = "Assembling seed program %s" % src.short_path,
        )
        outs.append(out)
    return [DefaultInfo(files = depset(outs), runfiles = ctx.runfiles(files = outs))]

seed_corpus = rule(
    implementation = _seed_corpus_impl,
    doc = "Assembles text seed programs into fuzz-input files, one per program.",
    attrs = {
        "srcs": attr.label_list(allow_files = [".txt"], allow_empty = False),
        "tool": attr.label(executable = True, cfg = "host"),
    },
)

def ob_corpus(harness):
    """Filegroups for corpus/<harness>: its seed programs and its crash inputs."""
    native.filegroup(
        name = harness + "_seeds",
        srcs = native.glob([harness + "/seeds/*.txt"]),
        visibility = ["//visibility:public"],
    )
    native.filegroup(
        name = harness + "_crashes",
        # .keep makes the folder exist in runfiles even before the first crash is added.
        srcs = native.glob([harness + "/crashes/**"]),
        visibility = ["//visibility:public"],
    )

def ob_fuzz_harness(name, srcs, deps = [], corpus = None, tags = [], **kwargs):
    """A harness defining ob_harness_target.

    Seeds come from corpus/<corpus>/seeds/*.txt and crash inputs from corpus/<corpus>/crashes
    (corpus defaults to name). Tags go on every generated target: a defect harness is
    tagged "manual" to keep it out of `bazel test //...`.
    """
    corpus = corpus or name
    raw = name + "_raw_"
    native.cc_library(
        name = raw,
        srcs = srcs,
        deps = deps + ["//harness/kit"],
        # The kit's entry points reference ob_harness_target, defined here.
        alwayslink = True,
        tags = tags,
        **kwargs
    )
    native.cc_binary(
        name = name + "_tool",
        deps = [":" + raw, "//harness/kit:tool_main"],
        tags = tags,
    )
    native.cc_binary(
        name = name + "_bin",
        deps = [":" + raw, "//harness/kit:fuzz_entry"],
        linkopts = ["-fsanitize=fuzzer"],
        tags = tags,
    )
    native.sh_binary(
        name = name + "_run",
        srcs = ["//harness/private:fuzz_run.sh"],
        data = [":" + name + "_bin", ":" + name + "_tool", ":" + name + "_corpus"],
        args = [
            "$(rootpath :%s_bin)" % name,
            "$(rootpath :%s_tool)" % name,
            name,
            # The seed corpus is a folder of the package in runfiles.
            "%s/%s_corpus" % (native.package_name(), name),
        ],
        tags = tags + ["manual"],
    )
    native.sh_binary(
        name = name + "_repro",
        srcs = ["//harness/private:repro.sh"],
        data = [":" + name + "_tool"],
        args = ["$(rootpath :%s_tool)" % name],
        tags = tags + ["manual"],
    )
    native.sh_binary(
        name = name + "_minimize",
        srcs = ["//harness/private:minimize.sh"],
        data = [":" + name + "_bin", ":" + name + "_tool"],
        args = ["$(rootpath :%s_bin)" % name, "$(rootpath :%s_tool)" % name],
        tags = tags + ["manual"],
    )
    seed_corpus(
        name = name + "_corpus",
        srcs = ["//corpus:%s_seeds" % corpus],
        tool = ":" + name + "_tool",
        tags = tags,
    )
    native.cc_test(
        name = name,
        deps = [":" + raw, "//harness/kit:tool_main"],
        data = [":" + name + "_corpus", "//corpus:%s_crashes" % corpus],
        # The kit overrides weak sanitizer hooks; linked dynamically, its definitions
        # would lose to the executable's own weak defaults.
        linkstatic = True,
        args = [
            "replay",
            "$(rootpaths :%s_corpus)" % name,
            "corpus/%s/crashes" % corpus,
        ],
        tags = tags,
    )
