"""ob_campaign: a campaign over a chosen set of harnesses, `bazel run` from any workspace.

ob_campaign(name, harnesses = [...], defects = [...]) makes `name`, an executable:
`bazel run //:name -- [--time 10m] [--jobs N] [--harness NAME]... [--defects]` fuzzes
those harnesses (the `defects` ones only with --defects), merges into their corpus folders
and writes findings/ in the workspace it runs from (README.md, "The campaign").

The manifest (<name>_manifest.tsv) holds one harness a line, tab-separated: name, kind
(clean or defect), build (asan or tsan), corpus folder (workspace-relative; "-" when it is
in another repository), the libFuzzer binary, the tool, the seed folder (runfiles paths),
max_len, timeout, the dictionary ("-" when none), the harness's Bazel package, the class
a seeded-defect harness must find ("-" when none) and its known findings list (known.md
in its corpus folder, a runfiles path; "-" when none).
"""

load("//harness/private:info.bzl", "ObHarnessInfo")

def _seed_dir(info):
    # Seeds are assembled into one folder per harness (the seed_corpus rule).
    return info.seeds[0].short_path.rsplit("/", 1)[0] if info.seeds else "-"

def _line(info, kind, package):
    return "\t".join([
        info.name,
        kind,
        info.sanitizer,
        "-" if info.corpus_external else info.corpus,
        info.bin.short_path,
        info.tool.short_path,
        _seed_dir(info),
        str(info.max_len),
        str(info.timeout),
        info.dict.short_path if info.dict else "-",
        package or ".",
        info.expect or "-",
        info.known.short_path if info.known else "-",
    ])

def _campaign_manifest_impl(ctx):
    lines, runfiles, names = [], ctx.runfiles(), {}
    for kind, deps in [("clean", ctx.attr.clean), ("defect", ctx.attr.defects)]:
        for dep in deps:
            info = dep[ObHarnessInfo]
            if info.name in names:
                fail("%s: two harnesses named %s (%s, %s)" % (ctx.label, info.name, names[info.name], dep.label))
            names[info.name] = dep.label
            lines.append(_line(info, kind, dep.label.package))
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
    },
)

def _launcher_impl(ctx):
    driver, manifest = ctx.executable.driver, ctx.file.manifest
    out = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(out, "#!/bin/sh\nexec '%s' --manifest '%s' \"$@\"\n" % (driver.short_path, manifest.short_path),
                      is_executable = True)
    runfiles = ctx.runfiles(files = [out]).merge(ctx.attr.driver[DefaultInfo].default_runfiles)
    runfiles = runfiles.merge(ctx.attr.manifest[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = out, runfiles = runfiles)]

campaign_launcher = rule(
    implementation = _launcher_impl,
    doc = "The campaign driver with one manifest.",
    executable = True,
    attrs = {
        "driver": attr.label(executable = True, cfg = "target", default = Label("//tools/campaign")),
        "manifest": attr.label(allow_single_file = True, mandatory = True),
    },
)

def _info_label(harness):
    """The <name>_info target of an ob_fuzz_harness label: ":h", "//pkg:h" or "//pkg"."""
    if ":" in harness:
        return harness + "_info"
    if "//" in harness:
        return "%s:%s_info" % (harness, harness.rsplit("/", 1)[-1])
    return ":%s_info" % harness

def ob_campaign(name, harnesses = [], defects = [], visibility = None, **kwargs):
    """`bazel run :name` fuzzes `harnesses` (and `defects`, with --defects): see the file's doc.

    Each entry names an ob_fuzz_harness as you would its test: ":h", "//pkg:h", "//pkg".
    """
    campaign_manifest(
        name = name + "_manifest",
        clean = [_info_label(h) for h in harnesses],
        defects = [_info_label(h) for h in defects],
        tags = ["manual"],
        visibility = visibility,
    )
    campaign_launcher(
        name = name,
        manifest = ":" + name + "_manifest",
        visibility = visibility,
        **kwargs
    )
