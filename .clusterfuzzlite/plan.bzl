"""cflite_plan: what .clusterfuzzlite/build.sh builds, read from the harnesses' Bazel targets.

ClusterFuzzLite's image (OSS-Fuzz's base-builder) has no Bazel 4.2.3, so build.sh compiles
the sources itself. It reads them from plan.tsv, which this rule writes: an aspect walks each
harness's `<name>_info` down its `_bin` and `_tool`
binaries and their cc_library deps, and records every library's C sources and flags, the
public headers included under a prefix (<ouroboros/ob_kit.h>), the libFuzzer flags and the
settings string of ob_fuzz_harness, and the seed folder. Anything build.sh could not reproduce (includes,
defines, assembler, external repositories, unknown link options) fails the analysis here
instead of drifting. //tests/clusterfuzzlite checks the checked-in plan against this one.

plan.tsv: one record per line, tab-separated fields, "-" for an empty field:
  harness  NAME  CORPUS  MAX_LEN  TIMEOUT  DICT  SEED_DIR  SETTINGS
  fuzzer   NAME  LIBRARY...  LINKOPTS...    (linked with $LIB_FUZZING_ENGINE)
  tool     NAME  LIBRARY...  LINKOPTS...    (the harness tool: assembles the seeds)
  library  LABEL  COPTS...  SRC...
  header   INCLUDE-PATH  SOURCE-PATH      (a header included as <INCLUDE-PATH>)
where `...` fields hold space-separated words. A binary is the objects of its libraries plus
a file defining ob_harness_settings as SETTINGS, as ob_fuzz_harness's settings_source does
(without its ob_harness_project_files: the kit then signs by this repository's folders).

The expect file (<name>.expect.tsv) is for the test only: where Bazel's own assembled seeds
and generated settings file are, to compare with build.sh's.
"""

load("//harness:defs.bzl", "ObHarnessInfo")

_CcPlanInfo = provider(
    doc = "The C sources of a cc_library or cc_binary and everything it depends on.",
    fields = {
        "libraries": "depset of library record lines, dependents before dependencies",
        "labels": "depset of library labels, in the same order",
        "linkopts": "depset of the libraries' linkopts",
        "binary_linkopts": "list: the cc_binary's own linkopts ([] for a library)",
        "files": "depset of source Files needed to compile (sources, headers)",
        "generated": "depset of generated source Files (the harness's settings source)",
        "headers": "depset of header record lines",
    },
)

_HarnessPlanInfo = provider(
    doc = "A harness_info target's binaries as _CcPlanInfo, its seed sources and tags.",
    fields = {
        "fuzzer": "_CcPlanInfo of <name>_bin",
        "tool": "_CcPlanInfo of <name>_tool",
        "tags": "list of string: the harness's tags",
    },
)

_HEADER_EXTENSIONS = ["h", "def", "inc"]
_WORD_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_=+,./:-"

def _label(label):
    if label.workspace_name:
        fail("%s: build.sh compiles only this repository's sources" % label)
    return "//%s:%s" % (label.package, label.name)

def _check_word(where, word):
    """Fails unless `word` passes through build.sh's word splitting unchanged."""
    if not word or [c for c in word.elems() if c not in _WORD_CHARS]:
        fail("%s: %r cannot go into .clusterfuzzlite/plan.tsv as one word" % (where, word))
    return word

def _cc_plan(target, ctx):
    rule = ctx.rule
    where = _label(target.label)
    for attr in ["defines", "includes"]:
        if getattr(rule.attr, attr, None):
            fail("%s: `%s` is not supported by .clusterfuzzlite/build.sh (plan.bzl)" % (where, attr))
    headers = _prefixed_headers(where, rule)
    srcs, files, generated = [], [], []
    for f in rule.files.srcs + getattr(rule.files, "hdrs", []) + getattr(rule.files, "textual_hdrs", []):
        if not f.is_source:
            generated.append(f)
        elif f.extension == "c":
            srcs.append(_check_word(where, f.short_path))
            files.append(f)
        elif f.extension in _HEADER_EXTENSIONS:
            files.append(f)
        else:
            fail("%s: %s is neither C nor a header; build.sh compiles C only" % (where, f.short_path))
    copts = [_check_word(where, c) for c in rule.attr.copts]
    copts += [_check_word(where, "-D" + d) for d in getattr(rule.attr, "local_defines", [])]
    deps = [d[_CcPlanInfo] for d in getattr(rule.attr, "deps", []) if _CcPlanInfo in d]
    line, own = [], []
    if srcs:
        own = [where]
        line = ["\t".join(["library", where, " ".join(copts) or "-", " ".join(srcs)])]
    is_binary = rule.kind == "cc_binary"
    linkopts = [_check_word(where, o) for o in rule.attr.linkopts]
    return _CcPlanInfo(
        libraries = depset(line, transitive = [d.libraries for d in deps], order = "topological"),
        labels = depset(own, transitive = [d.labels for d in deps], order = "topological"),
        linkopts = depset([] if is_binary else linkopts, transitive = [d.linkopts for d in deps]),
        binary_linkopts = linkopts if is_binary else [],
        files = depset(files, transitive = [d.files for d in deps]),
        generated = depset(generated, transitive = [d.generated for d in deps]),
        headers = depset(headers, transitive = [d.headers for d in deps]),
    )

def _prefixed_headers(where, rule):
    """Header records of a library that publishes its headers under include_prefix."""
    prefix, strip = getattr(rule.attr, "include_prefix", ""), getattr(rule.attr, "strip_include_prefix", "")
    if not prefix and not strip:
        return []
    if not prefix or not strip.startswith("/") or rule.files.srcs:
        fail("%s: build.sh knows only header-only libraries with include_prefix and an absolute strip_include_prefix" % where)
    lines = []
    for f in rule.files.hdrs:
        if not f.short_path.startswith(strip[1:] + "/"):
            fail("%s: %s is not under %s" % (where, f.short_path, strip))
        include = prefix + "/" + f.short_path[len(strip):]
        lines.append("\t".join(["header", _check_word(where, include), _check_word(where, f.short_path)]))
    return lines

def _plan_aspect_impl(target, ctx):
    kind = ctx.rule.kind
    if kind in ["cc_library", "cc_binary"]:
        return [_cc_plan(target, ctx)]
    if kind == "instrumented_binary":
        # The binary attribute has a transition: it reads as a list of one.
        return [ctx.rule.attr.binary[0][_CcPlanInfo]]
    if kind == "harness_info":
        return [_HarnessPlanInfo(
            fuzzer = ctx.rule.attr.bin[_CcPlanInfo],
            tool = ctx.rule.attr.tool[_CcPlanInfo],
            tags = ctx.rule.attr.tags,
        )]
    return []

_plan_aspect = aspect(
    implementation = _plan_aspect_impl,
    attr_aspects = ["bin", "tool", "binary", "deps"],
    doc = "Collects what build.sh needs from a harness_info and the targets under it.",
)

def _binary_line(kind, name, cc):
    return "\t".join([kind, name, " ".join(cc.labels.to_list()), " ".join(cc.linkopts.to_list()) or "-"])

def _check_binary(name, kind, cc, want_linkopts, settings_label):
    if cc.binary_linkopts != want_linkopts:
        fail("%s %s: linkopts %s; build.sh knows only %s" % (kind, name, cc.binary_linkopts, want_linkopts))
    generated = cc.generated.to_list()
    if [str(f.owner) for f in generated] != [str(settings_label)]:
        fail("%s %s: generated sources %s; build.sh generates only the settings source %s" %
             (kind, name, [f.short_path for f in generated], settings_label))
    return generated

def _seed_dir(name, srcs):
    dirs = {f.dirname: True for f in srcs}
    if len(dirs) != 1 or [f for f in srcs if not f.is_source or f.extension != "txt"]:
        fail("%s: build.sh assembles the *.txt of one seed folder, not %s" %
             (name, [f.short_path for f in srcs]))
    return _check_word(name, srcs[0].short_path.rsplit("/", 1)[0])

def _harness_lines(target):
    info, plan = target[ObHarnessInfo], target[_HarnessPlanInfo]
    name = info.name
    if "manual" in plan.tags:
        fail("%s is tagged manual (a seeded defect): ClusterFuzzLite fuzzes clean harnesses" % name)
    if info.corpus != "corpus/" + name:
        fail("%s uses %s: the plan holds harnesses with corpora of their own, corpus/<name>" % (name, info.corpus))
    if info.dict and not info.dict.is_source:
        fail("%s: build.sh copies dictionaries from the source tree; %s is generated" % (name, info.dict))
    if "\t" in info.settings or "\n" in info.settings:
        fail("%s: settings %r hold a tab or newline" % (name, info.settings))
    settings_label = target.label.relative(name + "_settings_")
    generated = _check_binary(name, "fuzzer", plan.fuzzer, ["-fsanitize=fuzzer"], settings_label)
    _check_binary(name, "tool", plan.tool, [], settings_label)
    lines = [
        "\t".join([
            "harness",
            _check_word("name", name),
            name,
            str(info.max_len),
            str(info.timeout),
            _check_word(name, info.dict.short_path) if info.dict else "-",
            _seed_dir(name, info.seed_srcs),
            info.settings or "-",
        ]),
        _binary_line("fuzzer", name, plan.fuzzer),
        _binary_line("tool", name, plan.tool),
    ]
    expect = [
        "\t".join(["seeds", name] + [f.short_path for f in info.seeds]),
        "\t".join(["settings", name, generated[0].short_path]),
    ]
    return lines, expect, generated

def _harness_name(target):
    return target[ObHarnessInfo].name

def _cflite_plan_impl(ctx):
    lines, expect, libraries, headers = [], [], {}, {}
    files = []
    transitive = []
    for target in sorted(ctx.attr.harnesses, key = _harness_name):
        info, plan = target[ObHarnessInfo], target[_HarnessPlanInfo]
        harness, harness_expect, generated = _harness_lines(target)
        lines += harness
        expect += harness_expect
        for cc in [plan.fuzzer, plan.tool]:
            for line in cc.libraries.to_list():
                libraries[line.split("\t")[1]] = line
            for line in cc.headers.to_list():
                headers[line] = True
            transitive.append(cc.files)
        files += generated + info.seeds + info.seed_srcs + ([info.dict] if info.dict else [])
    header = [
        "# Generated by //.clusterfuzzlite:%s from the harnesses' Bazel targets; do not edit." % ctx.label.name,
        "# Regenerate: bazel run //.clusterfuzzlite:update_plan (format: .clusterfuzzlite/plan.bzl)",
    ]
    out = ctx.outputs.plan
    ctx.actions.write(out, "\n".join(header + lines + sorted(headers) + [libraries[k] for k in sorted(libraries)]) + "\n")
    expect_out = ctx.outputs.expect
    ctx.actions.write(expect_out, "\n".join(expect) + "\n")
    runfiles = ctx.runfiles(files = [out, expect_out] + files, transitive_files = depset(transitive = transitive))
    return [DefaultInfo(files = depset([out, expect_out]), runfiles = runfiles)]

cflite_plan = rule(
    implementation = _cflite_plan_impl,
    doc = "Writes plan.tsv for .clusterfuzzlite/build.sh; runfiles hold every file it reads.",
    outputs = {
        "plan": "%{name}.tsv",
        "expect": "%{name}.expect.tsv",
    },
    attrs = {
        "harnesses": attr.label_list(
            doc = "the clean harnesses (their ob_fuzz_harness names)",
            providers = [ObHarnessInfo],
            aspects = [_plan_aspect],
            allow_empty = False,
        ),
    },
)
