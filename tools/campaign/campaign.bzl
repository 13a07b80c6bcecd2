"""campaign_manifest: the harnesses a campaign may fuzz, as a file the campaign reads.

Each line holds tab-separated fields: name, kind (clean or defect), build (asan or tsan),
corpus, the libFuzzer binary, the tool, the seed folder (runfiles paths), max_len, timeout,
the dictionary ("-" when none) and the harness's Bazel package. Harnesses in `tsan` are built with ThreadSanitizer
through a transition, whatever the command line's config: data races need it.
"""

load("//harness:defs.bzl", "ObHarnessInfo")

def _tsan_transition_impl(settings, _attr):
    return {
        "//command_line_option:copt": settings["//command_line_option:copt"] +
                                      ["-fno-sanitize=address,undefined", "-fsanitize=thread"],
        "//command_line_option:linkopt": settings["//command_line_option:linkopt"] +
                                         ["-fno-sanitize=address,undefined", "-fsanitize=thread"],
    }

_tsan_transition = transition(
    implementation = _tsan_transition_impl,
    inputs = ["//command_line_option:copt", "//command_line_option:linkopt"],
    outputs = ["//command_line_option:copt", "//command_line_option:linkopt"],
)

def _seed_dir(info):
    # Seeds are assembled into one folder per harness (the seed_corpus rule).
    return info.seeds[0].short_path.rsplit("/", 1)[0] if info.seeds else "-"

def _line(info, kind, build, package):
    return "\t".join([
        info.name,
        kind,
        build,
        info.corpus,
        info.bin.short_path,
        info.tool.short_path,
        _seed_dir(info),
        str(info.max_len),
        str(info.timeout),
        info.dict.short_path if info.dict else "-",
        package,
    ])

def _campaign_manifest_impl(ctx):
    lines, runfiles = [], ctx.runfiles()
    for kind, build, deps in [
        ("clean", "asan", ctx.attr.clean),
        ("defect", "asan", ctx.attr.defects),
        ("defect", "tsan", ctx.attr.tsan),
    ]:
        for dep in deps:
            info = dep[ObHarnessInfo]
            lines.append(_line(info, kind, build, dep.label.package))
            runfiles = runfiles.merge(info.runfiles)
    out = ctx.actions.declare_file(ctx.label.name + ".tsv")
    ctx.actions.write(out, "\n".join(lines) + "\n")
    return [DefaultInfo(files = depset([out]), runfiles = runfiles.merge(ctx.runfiles([out])))]

campaign_manifest = rule(
    implementation = _campaign_manifest_impl,
    doc = "Lists harnesses for the campaign, with their binaries in runfiles.",
    attrs = {
        "clean": attr.label_list(providers = [ObHarnessInfo]),
        "defects": attr.label_list(providers = [ObHarnessInfo]),
        "tsan": attr.label_list(providers = [ObHarnessInfo], cfg = _tsan_transition),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
