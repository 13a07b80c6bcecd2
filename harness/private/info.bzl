"""ObHarnessInfo: what tools that fuzz many harnesses (ob_campaign, OSS-Fuzz packages) read."""

ObHarnessInfo = provider(
    doc = "What a tool needs to fuzz a harness: its binaries, seeds, corpus and flags.",
    fields = {
        "name": "the harness name",
        "corpus": "the corpus folder it merges into, relative to its workspace's root",
        "corpus_external": "bool: that folder is in another repository (nothing merges there)",
        "bin": "File: the libFuzzer binary",
        "tool": "File: the harness tool (print, replay, signature, minimize...)",
        "seeds": "list of File: the assembled seed programs",
        "seed_srcs": "list of File: the text seed programs",
        "inputs": "list of File: the corpus folder's merged and crash inputs",
        "known": "File or None: the corpus folder's known.md (known findings set aside)",
        "max_len": "int: libFuzzer -max_len",
        "timeout": "int: libFuzzer -timeout, seconds",
        "dict": "File or None: a libFuzzer dictionary",
        "settings": "string: the text of ob_harness_settings compiled into its binaries",
        "sanitizer": "string: asan or tsan",
        "expect": "string: the class a seeded-defect harness must find, or empty",
        "runfiles": "runfiles: everything above",
    },
)
