"""Which source files are "project code", the frames that sign a finding.

By default: every source and header of the harness and of the cc targets it depends on,
except the kit's (with //harness/util, which it links) and those of targets tagged
"ob_foreign" (seams such as allocator wrappers, whose frames would sign every leak alike).
The list is compiled into the harness as ob_harness_project_files; the kit matches
symbolized frames against it.
"""

_KIT_PACKAGES = [Label("//harness/kit:kit"), Label("//harness/util:util")]

_ProjectFilesInfo = provider(
    doc = "Source paths (exec-root relative) of a target and everything under it.",
    fields = {"paths": "depset of string"},
)

def _is_kit(label):
    for k in _KIT_PACKAGES:
        if label.workspace_name == k.workspace_name and label.package == k.package:
            return True
    return False

def _own_paths(target, ctx):
    if _is_kit(target.label) or "ob_foreign" in ctx.rule.attr.tags:
        return []
    files = []
    for attr in ["srcs", "hdrs", "textual_hdrs"]:
        files += getattr(ctx.rule.files, attr, [])
    return [f.path for f in files if f.is_source]

def _project_aspect_impl(target, ctx):
    deps = [d[_ProjectFilesInfo].paths for d in getattr(ctx.rule.attr, "deps", []) if _ProjectFilesInfo in d]
    return [_ProjectFilesInfo(paths = depset(_own_paths(target, ctx), transitive = deps))]

project_aspect = aspect(
    implementation = _project_aspect_impl,
    attr_aspects = ["deps"],
    doc = "Collects the source paths under a harness's deps.",
)

def project_paths(srcs, deps, override):
    """The project paths of a harness: `override` when given, else srcs and deps' sources."""
    if override:
        return override
    paths = [f.path for f in srcs if f.is_source]
    for d in deps:
        if _ProjectFilesInfo in d:
            paths += d[_ProjectFilesInfo].paths.to_list()
    return sorted({p: True for p in paths}.keys())
