/*
** rc.h: a fixture refcounted API, shaped like jansson's: strings and lists of strings,
** each with a reference count. rc_append takes a reference of its own, rc_append_new
** steals the caller's (even when it fails), rc_get gives a new reference, rc_borrow
** lends the list's, and rc_decref drops one.
*/
#ifndef TESTS_KIT_OWNERSHIP_RC_H
#define TESTS_KIT_OWNERSHIP_RC_H

#include <stdint.h>

enum { RC_MAX_ITEMS = 4 };

typedef struct rc_value rc_value;

/* New values with one reference, the caller's. NULL when out of memory. */
rc_value *rc_string(int value);
rc_value *rc_list(void);
/* 1 when v is a list. */
int rc_is_list(const rc_value *v);
/* Appends s to list with a new reference. Returns 0, or -1 (full, or s is not a string). */
int rc_append(rc_value *list, rc_value *s);
/* Appends s to list with the caller's reference, which is dropped when that fails. */
int rc_append_new(rc_value *list, rc_value *s);
/* The i-th item: a new reference (rc_get) or the list's own (rc_borrow). NULL if none. */
rc_value *rc_get(rc_value *list, int i);
rc_value *rc_borrow(rc_value *list, int i);
void rc_incref(rc_value *v);
void rc_decref(rc_value *v);
/* Values alive in the process. */
int64_t rc_live(void);

#endif
