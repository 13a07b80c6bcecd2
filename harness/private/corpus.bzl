"""Corpus folders: seed programs, the merged corpus and crash inputs of a harness.

A corpus folder DIR holds DIR/seeds/*.txt (readable seed programs, checked in),
DIR/merged/ (the campaign's set-cover merge, checked in), DIR/crashes/ (known-bad
inputs kept as regression tests) and DIR/known.md (known findings set aside: a heading
`## <slug> <class>: <signature>` and a paragraph for each, README.md "Known findings").
merged/, crashes/ and known.md may be missing. ob_fuzz_harness
uses corpus/<name>/ in its own package unless told otherwise.
"""

ObCorpusInfo = provider(
    doc = "A corpus folder and its files.",
    fields = {
        "dir": "string: the folder, relative to its workspace's root (e.g. corpus/objrt)",
        "external": "bool: the folder is in another repository than the main one",
        "seeds": "list of File: the seed programs (*.txt)",
        "inputs": "list of File: merged corpus and crash inputs, replayed as they are",
        "known": "File or None: known.md, the known findings set aside",
    },
)

def _visible(files):
    # .keep files hold empty folders in git; they are not inputs.
    return [f for f in files if not f.basename.startswith(".")]

def _corpus_impl(ctx):
    root = ctx.label.workspace_root
    parts = [p for p in [ctx.label.package, ctx.attr.dir] if p]
    inputs = _visible(ctx.files.merged) + _visible(ctx.files.crashes)
    files = ctx.files.seeds + inputs + ([ctx.file.known] if ctx.file.known else [])
    return [
        DefaultInfo(files = depset(files), runfiles = ctx.runfiles(files = files)),
        ObCorpusInfo(
            dir = "/".join(parts),
            external = bool(root),
            seeds = ctx.files.seeds,
            inputs = inputs,
            known = ctx.file.known,
        ),
    ]

corpus_folder = rule(
    implementation = _corpus_impl,
    doc = "The files of one corpus folder, as an ObCorpusInfo.",
    attrs = {
        "dir": attr.string(mandatory = True, doc = "the folder, relative to the package"),
        "seeds": attr.label_list(allow_files = [".txt"]),
        "merged": attr.label_list(allow_files = True),
        "crashes": attr.label_list(allow_files = True),
        "known": attr.label(allow_single_file = [".md"]),
    },
)

def ob_corpus(name, dir = None, visibility = ["//visibility:public"], **kwargs):
    """A corpus folder of this package (`dir`, default `name`) for harnesses to share.

    ob_fuzz_harness(corpus = "//pkg:name") then reads its seeds, replays its merged
    corpus and crash inputs, and the campaign merges into it.
    """
    dir = dir or name
    corpus_folder(
        name = name,
        dir = dir,
        seeds = native.glob([dir + "/seeds/*.txt"]),
        merged = native.glob([dir + "/merged/**"]),
        crashes = native.glob([dir + "/crashes/**"]),
        known = (native.glob([dir + "/known.md"]) or [None])[0],
        visibility = visibility,
        **kwargs
    )

def _seed_corpus_impl(ctx):
    seeds = ctx.attr.corpus[ObCorpusInfo].seeds
    if not seeds:
        fail("%s: no seed programs in %s/seeds/*.txt; write at least one (harness/GUIDE.md)" %
             (ctx.label, ctx.attr.corpus[ObCorpusInfo].dir))
    outs = []
    for src in seeds:
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
    doc = "Assembles a corpus folder's text seed programs into fuzz inputs, one per program.",
    attrs = {
        "corpus": attr.label(mandatory = True, providers = [ObCorpusInfo]),
        "tool": attr.label(executable = True, cfg = "exec", mandatory = True),
    },
)
