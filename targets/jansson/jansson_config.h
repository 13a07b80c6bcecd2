/*
** jansson_config.h: ours, for jansson 2.14 built by Bazel (the library's configure would
** generate it from src/jansson_config.h.in). clang on Linux has all of these.
*/
#ifndef JANSSON_CONFIG_H
#define JANSSON_CONFIG_H

#define JSON_INLINE inline

#define JSON_INTEGER_IS_LONG_LONG 1
#define JSON_HAVE_LOCALECONV 1
/* Atomic reference counts: the library's claim to thread safety rests on them. */
#define JSON_HAVE_ATOMIC_BUILTINS 1
#define JSON_HAVE_SYNC_BUILTINS 1
#define JSON_PARSER_MAX_DEPTH 2048

#endif
