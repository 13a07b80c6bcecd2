"""The real libraries under test: upstream sources of Debian's packages (WORKSPACE), each
with our BUILD file in targets/<name>/, a harness in harness/<name>/ and a corpus with its
known findings in corpus/<name>/. The campaign fuzzes them beside our own targets; the
ClusterFuzzLite plan leaves them out (build.sh compiles only this repository's sources)."""

LIBRARIES = ["cjson", "jansson", "libyaml", "lua"]
