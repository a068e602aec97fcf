// SPDX-License-Identifier: GPL-2.0
/*
 * The strict JSON check and lookups of json.h, on jansson.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

/*
 * Any value at the top (not only objects and arrays), and "\u0000" in a
 * string, as RFC 8259 allows; a key twice in one object, as it does not.
 */
#define DQ_JSON_FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES)

/* Containers nested in value, counting itself. */
static unsigned int depth_of(json_t *value)
{
	unsigned int depth = 0, d;
	const char *key;
	json_t *child;
	size_t i;

	if (json_is_object(value)) {
		json_object_foreach(value, key, child) {
			d = depth_of(child);
			if (d > depth)
				depth = d;
		}
	} else if (json_is_array(value)) {
		json_array_foreach(value, i, child) {
			d = depth_of(child);
			if (d > depth)
				depth = d;
		}
	} else {
		return 0;
	}
	return depth + 1;
}

/* Parse text[0..len): the document, or NULL and *err. */
static json_t *load(const char *text, size_t len, struct dq_json_error *err)
{
	/* The text of the last error, for err->what. */
	static __thread char what[JSON_ERROR_TEXT_LENGTH];
	json_error_t jerr;
	json_t *root;

	root = json_loadb(text, len, DQ_JSON_FLAGS, &jerr);
	if (!root) {
		snprintf(what, sizeof(what), "%s", jerr.text);
		if (err) {
			err->offset = jerr.position;
			err->what = what;
		}
		return NULL;
	}
	/* jansson allows 2048 levels; we keep the checker's 64. */
	if (depth_of(root) > DQ_JSON_MAX_DEPTH) {
		json_decref(root);
		if (err) {
			err->offset = 0;
			err->what = "nested too deep";
		}
		return NULL;
	}
	return root;
}

int dq_json_check(const char *text, size_t len, struct dq_json_error *err)
{
	json_t *root = load(text, len, err);

	if (!root)
		return -EINVAL;
	json_decref(root);
	return 0;
}

bool dq_json_valid(const char *text)
{
	struct dq_json_error err;

	if (!dq_json_check(text, strlen(text), &err))
		return true;
	dq_log("not JSON at byte %zu: %s", err.offset, err.what);
	return false;
}

/* The value at path in root (borrowed), or NULL. */
static json_t *lookup(json_t *root, const char *path)
{
	json_t *value = root;
	char key[256];

	while (*path && value) {
		size_t n = strcspn(path, ".");
		char *end;

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		path += n + (path[n] == '.');
		if (json_is_object(value)) {
			value = json_object_get(value, key);
		} else if (json_is_array(value)) {
			unsigned long index;

			/* Digits only: no sign, no space, no empty index. */
			if (!n || strspn(key, "0123456789") != n)
				return NULL;
			index = strtoul(key, &end, 10);
			value = json_array_get(value, index);
		} else {
			return NULL;
		}
	}
	return value;
}

/*
 * The value at path in text, a reference of its own (json_decref() it),
 * or NULL and *err: -EINVAL if text is not JSON, -ENOENT if path is not
 * in it.
 */
static json_t *get(const char *text, const char *path, int *err)
{
	json_t *root = load(text, strlen(text), NULL), *value;

	*err = -EINVAL;
	if (!root)
		return NULL;
	value = json_incref(lookup(root, path));
	json_decref(root);
	if (!value)
		*err = -ENOENT;
	return value;
}

enum dq_json_type dq_json_type_at(const char *text, const char *path)
{
	enum dq_json_type type = DQ_JSON_NONE;
	json_t *value;
	int err;

	value = get(text, path, &err);
	if (!value)
		return DQ_JSON_NONE;
	switch (json_typeof(value)) {
	case JSON_NULL:
		type = DQ_JSON_NULL;
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		type = DQ_JSON_BOOL;
		break;
	case JSON_INTEGER:
	case JSON_REAL:
		type = DQ_JSON_NUMBER;
		break;
	case JSON_STRING:
		type = DQ_JSON_STRING;
		break;
	case JSON_ARRAY:
		type = DQ_JSON_ARRAY;
		break;
	case JSON_OBJECT:
		type = DQ_JSON_OBJECT;
		break;
	}
	json_decref(value);
	return type;
}

const char *dq_json_type_name(enum dq_json_type type)
{
	static const char *const names[] = {
		[DQ_JSON_NONE] = "missing",
		[DQ_JSON_NULL] = "null",
		[DQ_JSON_BOOL] = "a boolean",
		[DQ_JSON_NUMBER] = "a number",
		[DQ_JSON_STRING] = "a string",
		[DQ_JSON_ARRAY] = "an array",
		[DQ_JSON_OBJECT] = "an object",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

int dq_json_string(const char *text, const char *path, char *buf,
		   size_t size)
{
	json_t *value;
	size_t len;
	int err;

	value = get(text, path, &err);
	if (!value)
		return err;
	len = json_string_length(value);
	/* Not a string; or a NUL inside would cut the C string short. */
	if (!json_is_string(value) ||
	    memchr(json_string_value(value), '\0', len))
		err = -EINVAL;
	else if (len >= size)
		err = -ENOSPC;
	else
		err = 0;
	if (!err)
		memcpy(buf, json_string_value(value), len + 1);
	json_decref(value);
	return err;
}

int dq_json_int(const char *text, const char *path, long long *val)
{
	int err;
	json_t *value = get(text, path, &err);

	if (!value)
		return err;
	err = json_is_integer(value) ? 0 : -EINVAL;
	if (!err)
		*val = json_integer_value(value);
	json_decref(value);
	return err;
}

int dq_json_bool(const char *text, const char *path, bool *val)
{
	int err;
	json_t *value = get(text, path, &err);

	if (!value)
		return err;
	err = json_is_boolean(value) ? 0 : -EINVAL;
	if (!err)
		*val = json_is_true(value);
	json_decref(value);
	return err;
}

int dq_json_count(const char *text, const char *path)
{
	int n;
	json_t *value = get(text, path, &n);

	if (!value)
		return n;
	if (json_is_array(value))
		n = json_array_size(value);
	else if (json_is_object(value))
		n = json_object_size(value);
	else
		n = -EINVAL;
	json_decref(value);
	return n;
}
