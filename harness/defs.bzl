"""Public Bazel macros for ouroboros harnesses; everything under //harness/private is private."""

load(
    "//harness/private:harness.bzl",
    _ObHarnessInfo = "ObHarnessInfo",
    _ob_corpus = "ob_corpus",
    _ob_fuzz_harness = "ob_fuzz_harness",
)

ob_fuzz_harness = _ob_fuzz_harness
ob_corpus = _ob_corpus
ObHarnessInfo = _ObHarnessInfo
