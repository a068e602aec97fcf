/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict JSON check and a few lookups, for the output of diowqctl -j,
 * on top of jansson (Debian's libjansson-dev, linked statically).
 *
 * dq_json_check() accepts exactly one RFC 8259 value with optional
 * whitespace around it, as jansson parses it: no trailing commas, no
 * comments, no leading zeros, no control characters or invalid UTF-8 in
 * strings, no bad escapes or lone surrogates. On top of jansson's defaults
 * it refuses duplicate keys in an object (JSON_REJECT_DUPLICATES: the RFC
 * only says SHOULD; diowqctl promises stable keys, so a duplicate is a
 * bug) and nesting deeper than DQ_JSON_MAX_DEPTH. Like jansson it also
 * refuses integers beyond 64 bits and reals beyond a double, which the RFC
 * leaves to implementations and diowqctl never prints.
 *
 * The lookups take a path of object keys and array indexes separated by
 * dots ("superblocks.0.id"; "" is the whole document) and only work on
 * text that dq_json_check() accepts.
 */
#ifndef DIOWQ_SELFTEST_JSON_H
#define DIOWQ_SELFTEST_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define DQ_JSON_MAX_DEPTH 64

enum dq_json_type {
	DQ_JSON_NONE,		/* no value at that path */
	DQ_JSON_NULL,
	DQ_JSON_BOOL,
	DQ_JSON_NUMBER,
	DQ_JSON_STRING,
	DQ_JSON_ARRAY,
	DQ_JSON_OBJECT,
};

/* Why a text is not JSON: the byte offset and what was wrong there. */
struct dq_json_error {
	size_t offset;
	const char *what;	/* valid until the next check in this thread */
};

/* 0 if text[0..len) is one JSON value, -EINVAL (and *err) if not. */
int dq_json_check(const char *text, size_t len, struct dq_json_error *err);

/* The same for a NUL-terminated text, logging the error if there is one. */
bool dq_json_valid(const char *text);

/* The type of the value at path, DQ_JSON_NONE if there is none. */
enum dq_json_type dq_json_type_at(const char *text, const char *path);
const char *dq_json_type_name(enum dq_json_type type);

/*
 * The string at path, unescaped, into buf. -ENOENT if there is no value,
 * -EINVAL if it is not a string (or holds a NUL), -ENOSPC if it does not
 * fit.
 */
int dq_json_string(const char *text, const char *path, char *buf,
		   size_t size);

/* The integer at path. -ENOENT, -EINVAL (not an integer). */
int dq_json_int(const char *text, const char *path, long long *val);

/* The boolean at path. -ENOENT, -EINVAL. */
int dq_json_bool(const char *text, const char *path, bool *val);

/* Elements of the array or members of the object at path, or -errno. */
int dq_json_count(const char *text, const char *path);

#endif /* DIOWQ_SELFTEST_JSON_H */
