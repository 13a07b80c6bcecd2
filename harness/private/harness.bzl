"""ob_fuzz_harness: one harness source becomes a regression test, a libFuzzer binary and a tool.

Generated targets, for a harness `name`:
  <name>          the regression test: replays the assembled seeds and corpus/<name>/crashes
  <name>_bin      the raw libFuzzer binary
  <name>_tool     the harness's command line: print, assemble, replay, stress
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

def ob_fuzz_harness(name, srcs, deps = [], **kwargs):
    """A harness defining ob_harness_target, with seeds in corpus/<name>/seeds/*.txt."""
    raw = name + "_raw_"
    native.cc_library(
        name = raw,
        srcs = srcs,
        deps = deps + ["//harness/kit"],
        # The kit's entry points reference ob_harness_target, defined here.
        alwayslink = True,
        **kwargs
    )
    native.cc_binary(
        name = name + "_tool",
        deps = [":" + raw, "//harness/kit:tool_main"],
    )
    native.cc_binary(
        name = name + "_bin",
        deps = [":" + raw, "//harness/kit:fuzz_entry"],
        linkopts = ["-fsanitize=fuzzer"],
    )
    seed_corpus(
        name = name + "_corpus",
        srcs = ["//corpus:%s_seeds" % name],
        tool = ":" + name + "_tool",
    )
    native.cc_test(
        name = name,
        deps = [":" + raw, "//harness/kit:tool_main"],
        data = [":" + name + "_corpus", "//corpus:%s_crashes" % name],
        args = [
            "replay",
            "$(rootpaths :%s_corpus)" % name,
            "corpus/%s/crashes" % name,
        ],
    )
