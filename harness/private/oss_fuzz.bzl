"""<name>_oss_fuzz: a harness in the OSS-Fuzz build contract's shape, as one tar archive.

For a harness NAME it holds NAME (the libFuzzer binary), NAME_seed_corpus.zip (the
assembled seeds), NAME.options ([libfuzzer] max_len, timeout, dict) and NAME.dict when
the harness has one: what OSS-Fuzz and ClusterFuzzLite expect in $OUT, so a consumer's
.clusterfuzzlite/build.sh builds it and unpacks it there (README.md, "Scale-out").

Inside OSS-Fuzz's `compile` ($CFLAGS set when Bazel starts: deps.bzl's ouroboros_oss_fuzz
repository reads it), the binary is built with the contract's $CFLAGS alone; elsewhere with
the harness's own instrumentation (instrument.bzl). The engine must be libFuzzer
($LIB_FUZZING_ENGINE = -fsanitize=fuzzer): the kit's entry point is LLVMFuzzerTestOneInput
with libFuzzer's flags.
"""

load("@ouroboros_oss_fuzz//:flags.bzl", "CFLAGS", "LIB_FUZZING_ENGINE")
load(":info.bzl", "ObHarnessInfo")
load(
    ":instrument.bzl",
    "COPT",
    "LINKOPT",
    "TRANSITION_ALLOWLIST",
    "TRANSITION_INPUTS",
    "TRANSITION_OUTPUTS",
    "instrument_impl",
    "instrumented",
)

def _contract_impl(settings, attr):
    out = instrument_impl(settings, attr)
    if not CFLAGS:
        return out
    if LIB_FUZZING_ENGINE and LIB_FUZZING_ENGINE != "-fsanitize=fuzzer":
        fail("$LIB_FUZZING_ENGINE=%s: ouroboros harnesses run on libFuzzer only" % LIB_FUZZING_ENGINE)
    # The contract's flags instead of the harness's own: the base flags, then $CFLAGS.
    flags = [f for f in CFLAGS.split(" ") if f]
    out.update({COPT: settings[COPT] + flags, LINKOPT: settings[LINKOPT] + flags})
    return out

_contract_transition = transition(
    implementation = _contract_impl,
    inputs = TRANSITION_INPUTS,
    outputs = TRANSITION_OUTPUTS,
)

def _options(info):
    lines = ["[libfuzzer]", "max_len = %d" % info.max_len, "timeout = %d" % info.timeout]
    if info.dict:
        lines.append("dict = %s.dict" % info.name)
    return "\n".join(lines) + "\n"

def _oss_fuzz_impl(ctx):
    info = ctx.attr.harness[ObHarnessInfo]
    bin = instrumented(ctx.attr.binary)[DefaultInfo].files_to_run.executable
    options = ctx.actions.declare_file(ctx.label.name + "/" + info.name + ".options")
    ctx.actions.write(options, _options(info))
    out = ctx.actions.declare_file(ctx.label.name + ".tar")
    args = ctx.actions.args()
    args.add_all([out, info.name, bin, options, info.dict.path if info.dict else "-"])
    args.add_all(info.seeds)
    ctx.actions.run_shell(
        outputs = [out],
        inputs = [bin, options] + info.seeds + ([info.dict] if info.dict else []),
        arguments = [args],
        mnemonic = "ObOssFuzz",
        progress_message = "Packing %s for OSS-Fuzz" % info.name,
        # The members are staged under their contract names; zip -X and tar's fixed owner,
        # order and mtime keep the archive the same from one build to the next.
        command = """set -eu
out=$1 name=$2 bin=$3 options=$4 dict=$5
shift 5
stage=$out.stage
rm -rf "$stage" && mkdir -p "$stage"
cp -L "$bin" "$stage/$name"
cp "$options" "$stage/$name.options"
[ "$dict" = - ] || cp "$dict" "$stage/$name.dict"
zip -q -X -j "$stage/${name}_seed_corpus.zip" "$@"
chmod 0644 "$stage"/*
chmod 0755 "$stage/$name"
tar --sort=name --owner=0 --group=0 --mtime=@0 -C "$stage" -cf "$out" .
rm -rf "$stage"
""",
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

def _attrs():
    attrs = {
        "harness": attr.label(mandatory = True, providers = [ObHarnessInfo]),
        "binary": attr.label(mandatory = True, executable = True, cfg = _contract_transition),
        "sanitizer": attr.string(default = "asan"),
    }
    attrs.update(TRANSITION_ALLOWLIST)
    return attrs

oss_fuzz_package = rule(
    implementation = _oss_fuzz_impl,
    doc = "A harness's binary, seed zip, options and dictionary in OSS-Fuzz's layout, as a tar.",
    attrs = _attrs(),
)
