"""debian_source(): the upstream source of a Debian source package, as a repository.

In a WORKSPACE, after declaring @ouroboros:

    load("@ouroboros//:debian_source.bzl", "debian_source")

    debian_source(
        name = "jansson",
        package = "jansson",                  # the source package's name
        upstream_version = "2.14",            # any Debian revision of it will do
        sha256 = "c739578b...",               # of the upstream tarball
        build_file = "//third_party:jansson.BUILD",
        files = {"//third_party:jansson_config.h": "src/jansson_config.h"},
    )

The tarball is fetched with `apt-get source --download-only` through a private source list
and private state and cache folders inside this repository's own directory: nothing in
/etc/apt or the machine's package state is read for writing or changed. The source list
holds a deb-src entry for every deb entry of the machine's own configuration (same URIs,
suites, components and keys), so no archive's address is written in any workspace file.
OUROBOROS_DEBIAN_SOURCES names another file of deb entries (one-line or deb822 form) to
derive them from instead.

Once fetched, the tarball is in Bazel's repository cache, keyed by its sha256, and a later
fetch (another output base, `bazel clean --expunge`) takes it from there without the
network. A folder given with `--distdir` serves too: put the tarball there under its
Debian name, `<package>_<upstream_version>.orig.tar.<gz|xz|bz2>`.
"""

_EXTENSIONS = ["gz", "xz", "bz2"]
_APT = ".ouroboros-apt"

# A placeholder that never resolves: only the repository cache or a --distdir folder
# can answer it, by sha256 or by the file's name.
_OFFLINE_URL = "file:///nonexistent/ouroboros-debian-source/"

def _orig_names(rctx):
    stem = "%s_%s.orig.tar." % (rctx.attr.package, rctx.attr.upstream_version)
    return [stem + ext for ext in _EXTENSIONS]

def _from_cache(rctx):
    """The tarball's path if the repository cache or --distdir has it, else None."""
    if not rctx.attr.sha256:
        return None
    out = rctx.path(_APT + "/cached")
    got = rctx.download(
        url = [_OFFLINE_URL + name for name in _orig_names(rctx)],
        output = out,
        sha256 = rctx.attr.sha256,
        allow_fail = True,
    )
    if not got.success:
        return None

    # The cache knows the tarball by its sha256 only; extract() needs its compression
    # in the name.
    head = rctx.read(out)[:6]
    ext = "xz" if head[1:5] == "7zXZ" else "bz2" if head.startswith("BZh") else "gz"
    named = rctx.path("%s/cached.tar.%s" % (_APT, ext))
    rctx.symlink(out, named)
    return named

def _words(text):
    """Whitespace-separated words (Bazel 4's split() needs a separator)."""
    return [w for w in text.replace("\t", " ").replace("\n", " ").split(" ") if w]

def _paragraphs(text):
    """Splits deb822 text into lists of logical lines, comments dropped."""
    paras, cur = [], []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if cur:
                paras.append(cur)
            cur = []
        elif line[0] in " \t" and cur:
            cur[-1] = cur[-1] + "\n" + line
        else:
            cur.append(line)
    if cur:
        paras.append(cur)
    return paras

def _deb822_entries(text):
    entries = []
    for para in _paragraphs(text):
        fields = {}
        for line in para:
            key, sep, value = line.partition(":")
            if sep:
                fields[key.strip().lower()] = value.strip()
        if "deb" not in _words(fields.get("types", "")):
            continue
        if fields.get("enabled", "yes").lower() == "no":
            continue
        entries.append(struct(
            uris = _words(fields.get("uris", "")),
            suites = _words(fields.get("suites", "")),
            components = _words(fields.get("components", "")),
            signed_by = fields.get("signed-by", ""),
        ))
    return entries

def _one_line_entries(text):
    entries = []
    for line in text.splitlines():
        line = line.partition("#")[0].strip()
        if not line.startswith("deb "):
            continue
        rest = line[len("deb "):].strip()
        signed_by = ""
        if rest.startswith("["):
            options, _, rest = rest[1:].partition("]")
            for option in _words(options):
                key, _, value = option.partition("=")
                if key == "signed-by":
                    signed_by = value
        words = _words(rest)
        if len(words) < 2:
            continue
        entries.append(struct(
            uris = [words[0]],
            suites = [words[1]],
            components = words[2:],
            signed_by = signed_by,
        ))
    return entries

def _entries_of(path, text):
    if str(path).endswith(".sources"):
        return _deb822_entries(text)
    return _one_line_entries(text)

def _machine_source_files(rctx):
    override = rctx.os.environ.get("OUROBOROS_DEBIAN_SOURCES", "")
    if override:
        path = rctx.path(override)
        if not path.exists:
            fail("debian_source: OUROBOROS_DEBIAN_SOURCES names %s, which does not exist" % override)
        return [path]
    res = rctx.execute(["apt-config", "shell", "L", "Dir::Etc::sourcelist/f", "P", "Dir::Etc::sourceparts/d"])
    if res.return_code != 0:
        fail("debian_source: apt-config failed (is this a Debian-based machine?): " + res.stderr)
    found = {}
    for line in res.stdout.splitlines():
        key, _, value = line.partition("=")
        found[key] = value.strip("'")
    files = []
    if found.get("L") and rctx.path(found["L"]).exists:
        files.append(rctx.path(found["L"]))
    parts = rctx.path(found.get("P", "/nonexistent"))
    if parts.exists:
        for entry in sorted(parts.readdir(), key = str):
            if str(entry).endswith(".list") or str(entry).endswith(".sources"):
                files.append(entry)
    return files

def _source_list(rctx):
    """deb822 text with a deb-src entry per deb entry the machine (or the override) has."""
    out = []
    for path in _machine_source_files(rctx):
        for e in _entries_of(path, rctx.read(path)):
            if not e.uris or not e.suites:
                continue
            lines = [
                "Types: deb-src",
                "URIs: " + " ".join(e.uris),
                "Suites: " + " ".join(e.suites),
            ]
            if e.components:
                lines.append("Components: " + " ".join(e.components))
            if e.signed_by:
                lines.append("Signed-By: " + e.signed_by)
            out.append("\n".join(lines))
    if not out:
        fail("debian_source: the machine's apt configuration has no deb entries to derive " +
             "deb-src entries from; set OUROBOROS_DEBIAN_SOURCES to a file of deb lines")
    return "\n\n".join(out) + "\n"

def _apt_options(rctx):
    apt = rctx.path(_APT)
    for d in ["state/lists/partial", "cache/archives/partial", "parts", "prefs", "dl"]:
        rctx.file("%s/%s/.keep" % (_APT, d), "")
    rctx.file(_APT + "/empty", "")
    rctx.file(_APT + "/parts/ouroboros.sources", _source_list(rctx))
    opts = {
        "Dir::Etc::SourceList": "%s/empty" % apt,
        "Dir::Etc::SourceParts": "%s/parts" % apt,
        "Dir::Etc::Preferences": "%s/empty" % apt,
        "Dir::Etc::PreferencesParts": "%s/prefs" % apt,
        "Dir::State": "%s/state" % apt,
        "Dir::State::status": "%s/empty" % apt,
        "Dir::Cache": "%s/cache" % apt,
        # Our folders are not readable by apt's _apt user; the downloads stay ours.
        "APT::Sandbox::User": "root",
        # An archive that does not answer is an error within seconds, not a hang.
        "Acquire::Retries": "0",
        "Acquire::http::Timeout": "10",
        "Acquire::https::Timeout": "10",
        "Acquire::Languages": "none",
    }
    args = []
    for key, value in opts.items():
        args += ["-o", "%s=%s" % (key, value)]
    return args

def _run(rctx, argv, what, cwd = None):
    res = rctx.execute(argv, timeout = 120, working_directory = cwd or "")
    if res.return_code != 0:
        fail("debian_source %s: %s failed (exit %d):\n  %s\n%s%s" % (
            rctx.attr.name,
            what,
            res.return_code,
            " ".join(argv),
            res.stdout[-2000:],
            res.stderr[-2000:],
        ))
    return res.stdout

def _upstream_of(version):
    """2:1.2.3-4+deb12u1 -> 1.2.3: no epoch, no Debian revision."""
    v = version.partition(":")[2] if ":" in version else version
    if "-" in v:
        v = v[:v.rfind("-")]
    return v

def _versions(rctx, opts):
    out = _run(rctx, ["apt-cache"] + opts + ["showsrc", rctx.attr.package], "apt-cache showsrc")
    versions = []
    for para in _paragraphs(out):
        fields = {}
        for line in para:
            key, sep, value = line.partition(":")
            if sep:
                fields[key.strip()] = value.strip()
        if fields.get("Package") == rctx.attr.package and fields.get("Version"):
            versions.append(fields["Version"])
    return versions

def _fetch(rctx):
    """Downloads the tarball with apt-get; returns its path."""
    opts = _apt_options(rctx)
    _run(rctx, ["apt-get"] + opts + ["-q", "update", "--error-on=any"], "apt-get update")
    versions = _versions(rctx, opts)
    if not versions:
        fail("debian_source %s: the archive has no source package named %r" % (
            rctx.attr.name,
            rctx.attr.package,
        ))
    wanted = [v for v in versions if _upstream_of(v) == rctx.attr.upstream_version]
    if not wanted:
        fail("debian_source %s: %s has no version with upstream version %s; the archive has: %s" % (
            rctx.attr.name,
            rctx.attr.package,
            rctx.attr.upstream_version,
            ", ".join(versions),
        ))
    rctx.report_progress("apt-get source %s=%s" % (rctx.attr.package, wanted[0]))
    _run(
        rctx,
        ["apt-get"] + opts + ["-q", "source", "--download-only", "%s=%s" % (rctx.attr.package, wanted[0])],
        "apt-get source",
        cwd = str(rctx.path(_APT + "/dl")),
    )
    for name in _orig_names(rctx):
        path = rctx.path("%s/dl/%s" % (_APT, name))
        if path.exists:
            return path
    fail("debian_source %s: %s=%s has no upstream tarball %s (a native package?)" % (
        rctx.attr.name,
        rctx.attr.package,
        wanted[0],
        _orig_names(rctx)[0][:-2] + "*",
    ))

def _checked(rctx, path):
    """Verifies the tarball's sha256 and puts it into the repository cache."""
    got = rctx.download(url = "file://%s" % path, output = _APT + "/check")
    if not rctx.attr.sha256:
        fail("debian_source %s: no sha256 given; %s has sha256 = %r" % (
            rctx.attr.name,
            path.basename,
            got.sha256,
        ))
    if got.sha256 != rctx.attr.sha256:
        fail("debian_source %s: checksum mismatch for %s\n  expected sha256 = %r\n  got      sha256 = %r" % (
            rctx.attr.name,
            path.basename,
            rctx.attr.sha256,
            got.sha256,
        ))
    out = rctx.path("%s/cached-%s" % (_APT, path.basename))
    rctx.download(url = "file://%s" % path, output = out, sha256 = rctx.attr.sha256)
    return out

def _top_folder(rctx, tarball):
    probe = _APT + "/probe"
    rctx.extract(tarball, output = probe)
    entries = rctx.path(probe).readdir()
    rctx.delete(probe)
    if len(entries) == 1:
        return entries[0].basename
    return ""

def _debian_source_impl(rctx):
    tarball = _from_cache(rctx)
    if tarball == None:
        tarball = _checked(rctx, _fetch(rctx))
    prefix = rctx.attr.strip_prefix
    if prefix == None or prefix == "":
        prefix = _top_folder(rctx, tarball)
    rctx.extract(tarball, stripPrefix = prefix)
    rctx.delete(_APT)
    rctx.symlink(rctx.attr.build_file, "BUILD.bazel")
    for label, dest in rctx.attr.files.items():
        rctx.symlink(label, dest)
    rctx.file("WORKSPACE", 'workspace(name = "%s")\n' % rctx.attr.name)
    rctx.file("DEBIAN_SOURCE", "package %s\nupstream_version %s\nsha256 %s\n" % (
        rctx.attr.package,
        rctx.attr.upstream_version,
        rctx.attr.sha256,
    ))

debian_source = repository_rule(
    implementation = _debian_source_impl,
    doc = "The upstream tarball of a Debian source package, fetched with apt-get and checked.",
    attrs = {
        "package": attr.string(mandatory = True, doc = "The source package's name."),
        "upstream_version": attr.string(
            mandatory = True,
            doc = "The upstream part of its version (no epoch, no Debian revision).",
        ),
        "sha256": attr.string(mandatory = True, doc = "The upstream tarball's sha256."),
        "build_file": attr.label(mandatory = True, allow_single_file = True),
        "files": attr.label_keyed_string_dict(
            allow_files = True,
            doc = "Files of ours (config headers) put at the given paths in the source tree.",
        ),
        "strip_prefix": attr.string(
            doc = "The tarball's top folder; by default its single top folder, if it has one.",
        ),
    },
    environ = ["OUROBOROS_DEBIAN_SOURCES"],
)
