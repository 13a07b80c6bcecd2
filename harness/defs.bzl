"""Public Bazel macros of ouroboros; everything under //harness/private is private.

load("@ouroboros//harness:defs.bzl", "ob_fuzz_harness", "ob_campaign") in a BUILD file;
README.md ("Use ouroboros on your library") shows the rest.
"""

load(
    "//harness/private:corpus.bzl",
    _ObCorpusInfo = "ObCorpusInfo",
    _ob_corpus = "ob_corpus",
)
load("//harness/private:harness.bzl", _ob_fuzz_harness = "ob_fuzz_harness")
load("//harness/private:info.bzl", _ObHarnessInfo = "ObHarnessInfo")
load("//tools/campaign:campaign.bzl", _ob_campaign = "ob_campaign")

ob_fuzz_harness = _ob_fuzz_harness
ob_corpus = _ob_corpus
ob_campaign = _ob_campaign
ObHarnessInfo = _ObHarnessInfo
ObCorpusInfo = _ObCorpusInfo
