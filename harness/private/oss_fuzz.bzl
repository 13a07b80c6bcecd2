"""<name>_oss_fuzz: a harness in the OSS-Fuzz build contract's shape, as one tar archive.

For a harness NAME it holds NAME (the libFuzzer binary), NAME_seed_corpus.zip (the
assembled seeds), NAME.options ([libfuzzer] max_len, timeout, dict) and NAME.dict when
the harness has one. A consumer's .clusterfuzzlite/build.sh builds it and unpacks it into
$OUT (README.md, "Scale-out"). The binary is the harness's `_bin`: under the contract,
pass $CFLAGS with --copt and --//harness:instrumentation=none (see the README).
"""

load(":info.bzl", "ObHarnessInfo")

def _options(info):
    lines = ["[libfuzzer]", "max_len = %d" % info.max_len, "timeout = %d" % info.timeout]
    if info.dict:
        lines.append("dict = %s.dict" % info.name)
    return "\n".join(lines) + "\n"

def _oss_fuzz_impl(ctx):
    info = ctx.attr.harness[ObHarnessInfo]
    options = ctx.actions.declare_file(ctx.label.name + "/" + info.name + ".options")
    ctx.actions.write(options, _options(info))
    out = ctx.actions.declare_file(ctx.label.name + ".tar")
    inputs = [info.bin, options] + info.seeds + ([info.dict] if info.dict else [])
    args = ctx.actions.args()
    args.add_all([out, info.name, info.bin, options, info.dict.path if info.dict else "-"])
    args.add_all(info.seeds)
    ctx.actions.run_shell(
        outputs = [out],
        inputs = inputs,
        arguments = [args],
        mnemonic = "ObOssFuzz",
        progress_message = "Packing %s for OSS-Fuzz" % info.name,
        # The archive's members, staged under their contract names; zip -X and tar's
        # fixed owner and mtime keep the archive the same from one build to the next.
        command = """set -eu
out=$1 name=$2 bin=$3 options=$4 dict=$5
shift 5
stage=$out.stage
rm -rf "$stage" && mkdir -p "$stage"
cp -L "$bin" "$stage/$name"
cp "$options" "$stage/$name.options"
[ "$dict" = - ] || cp "$dict" "$stage/$name.dict"
zip -q -X -j "$stage/${name}_seed_corpus.zip" "$@"
tar --sort=name --owner=0 --group=0 --mtime=@0 -C "$stage" -cf "$out" .
rm -rf "$stage"
""",
    )
    return [DefaultInfo(files = depset([out]))]

oss_fuzz_package = rule(
    implementation = _oss_fuzz_impl,
    doc = "A harness's binary, seed zip, options and dictionary in OSS-Fuzz's layout, as a tar.",
    attrs = {"harness": attr.label(mandatory = True, providers = [ObHarnessInfo])},
)
