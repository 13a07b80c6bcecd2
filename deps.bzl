"""ouroboros_dependencies(): the repositories ouroboros needs that a workspace may lack.

In a consumer's WORKSPACE, after declaring @ouroboros:

    load("@ouroboros//:deps.bzl", "ouroboros_dependencies")
    ouroboros_dependencies()

It declares, each only when the workspace has no repository of that name yet:
  rules_cc, rules_java, remote_coverage_tools: offline stand-ins for what Bazel 4.2.3 would
      download for any C or test target (third_party/README.md);
  googletest: Debian's GoogleTest sources, for ouroboros's own tests.
Jansson and the toolchain are Debian packages that ./bazelw installs.
"""

load("@bazel_tools//tools/build_defs/repo:utils.bzl", "maybe")

def _stand_in_impl(rctx):
    # Our third_party/<dir>, linked entry by entry: the folder lives inside @ouroboros,
    # which may be anywhere (local_repository, an archive in the repository cache).
    src = rctx.path(Label("//third_party:BUILD")).dirname.get_child(rctx.attr.dir)
    if not src.exists:
        fail("ouroboros: the stand-in %s is missing from %s" % (rctx.attr.dir, src))
    for entry in src.readdir():
        rctx.symlink(entry, entry.basename)

_stand_in = repository_rule(
    implementation = _stand_in_impl,
    doc = "One of ouroboros's offline stand-ins (third_party/<dir>) as a repository.",
    attrs = {"dir": attr.string(mandatory = True)},
    local = True,
)

def ouroboros_dependencies():
    """Declares the repositories above that the workspace does not declare itself."""
    for name in ["rules_cc", "rules_java", "remote_coverage_tools"]:
        maybe(_stand_in, name = name, dir = name)
    maybe(
        native.new_local_repository,
        name = "googletest",
        build_file = str(Label("//third_party:googletest.BUILD")),
        path = "/usr/src/googletest",
    )
