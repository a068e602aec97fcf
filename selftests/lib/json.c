// SPDX-License-Identifier: GPL-2.0
/*
 * A strict JSON checker and lookups: see json.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

struct parser {
	const char *p, *end;
	const char *start;	/* for error offsets */
	unsigned int depth;
	const char *what;	/* first error, NULL while all is well */
	const char *where;
};

/* A piece of the text: a value, or a string's contents between quotes. */
struct span {
	const char *p, *end;
};

static bool fail(struct parser *ps, const char *what)
{
	if (!ps->what) {
		ps->what = what;
		ps->where = ps->p;
	}
	return false;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				   *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits after "\u"; -1 if they are not. */
static long read_u4(const char *p, const char *end)
{
	long v = 0;
	int i;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		int d = hex_digit(p[i]);

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Length of the valid UTF-8 sequence at p, 0 if it is not one. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		if (p[0] == 0xed)	/* no UTF-16 surrogates */
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		if (p[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	}
	return n;
}

/* A string, from its opening quote; *s gets its contents. */
static bool parse_string(struct parser *ps, struct span *s)
{
	if (ps->p >= ps->end || *ps->p != '"')
		return fail(ps, "expected a string");
	ps->p++;
	s->p = ps->p;
	while (ps->p < ps->end) {
		unsigned char c = *ps->p;
		long u, lo;
		size_t n;

		if (c == '"') {
			s->end = ps->p++;
			return true;
		}
		if (c < 0x20)
			return fail(ps, "control character in a string");
		if (c != '\\') {
			n = utf8_len((const unsigned char *)ps->p,
				     (const unsigned char *)ps->end);
			if (!n)
				return fail(ps, "invalid UTF-8 in a string");
			ps->p += n;
			continue;
		}
		if (ps->end - ps->p < 2)
			break;
		switch (ps->p[1]) {
		case '"': case '\\': case '/': case 'b':
		case 'f': case 'n': case 'r': case 't':
			ps->p += 2;
			continue;
		case 'u':
			break;
		default:
			return fail(ps, "unknown escape in a string");
		}
		u = read_u4(ps->p + 2, ps->end);
		if (u < 0)
			return fail(ps, "\\u needs four hex digits");
		if (u >= 0xdc00 && u <= 0xdfff)
			return fail(ps, "lone low surrogate");
		ps->p += 6;
		if (u < 0xd800 || u > 0xdbff)
			continue;
		if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u')
			return fail(ps, "high surrogate without a low one");
		lo = read_u4(ps->p + 2, ps->end);
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(ps, "high surrogate without a low one");
		ps->p += 6;
	}
	return fail(ps, "unterminated string");
}

static bool digits(struct parser *ps)
{
	const char *from = ps->p;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return ps->p > from;
}

static bool parse_number(struct parser *ps)
{
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '0') {
		ps->p++;
		if (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			return fail(ps, "leading zero in a number");
	} else if (!digits(ps)) {
		return fail(ps, "expected a value");
	}
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (!digits(ps))
			return fail(ps, "expected digits after '.'");
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (!digits(ps))
			return fail(ps, "expected digits in the exponent");
	}
	return true;
}

static bool parse_literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		return fail(ps, "expected a value");
	ps->p += n;
	return true;
}

/* Code point u as UTF-8 into out (4 bytes); returns the length. */
static size_t put_utf8(char *out, long u)
{
	if (u < 0x80) {
		out[0] = u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = 0xc0 | (u >> 6);
		out[1] = 0x80 | (u & 0x3f);
		return 2;
	}
	if (u < 0x10000) {
		out[0] = 0xe0 | (u >> 12);
		out[1] = 0x80 | ((u >> 6) & 0x3f);
		out[2] = 0x80 | (u & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | (u >> 18);
	out[1] = 0x80 | ((u >> 12) & 0x3f);
	out[2] = 0x80 | ((u >> 6) & 0x3f);
	out[3] = 0x80 | (u & 0x3f);
	return 4;
}

/*
 * Decode a string's contents (already checked) into buf, NUL-terminated.
 * Returns the decoded length (which may exceed size - 1: then buf holds a
 * truncated copy).
 */
static size_t decode(const struct span *s, char *buf, size_t size)
{
	static const char escaped[] = "bfnrt", unescaped[] = "\b\f\n\r\t";
	const char *p = s->p;
	size_t used = 0;

	while (p < s->end) {
		char out[4];
		size_t n, i;
		long u;

		if (*p != '\\') {
			out[0] = *p++;
			n = 1;
		} else if (p[1] != 'u') {
			const char *c = strchr(escaped, p[1]);

			/* \" \\ and \/ stand for themselves. */
			out[0] = c ? unescaped[c - escaped] : p[1];
			n = 1;
			p += 2;
		} else {
			u = read_u4(p + 2, s->end);
			p += 6;
			if (u >= 0xd800 && u <= 0xdbff) {
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (read_u4(p + 2, s->end) - 0xdc00);
				p += 6;
			}
			n = put_utf8(out, u);
		}
		for (i = 0; i < n; i++, used++) {
			if (size && used < size - 1)
				buf[used] = out[i];
		}
	}
	if (size)
		buf[used < size - 1 ? used : size - 1] = '\0';
	return used;
}

/* Two keys as decoded: "\u0061" and "a" are the same key. */
static bool same_key(const struct span *a, const struct span *b)
{
	size_t la = decode(a, NULL, 0), lb = decode(b, NULL, 0);
	char *da, *db;
	bool same;

	if (la != lb)
		return false;
	da = malloc(la + 1);
	db = malloc(lb + 1);
	if (!da || !db) {
		free(da);
		free(db);
		return false;
	}
	decode(a, da, la + 1);
	decode(b, db, lb + 1);
	same = !memcmp(da, db, la);
	free(da);
	free(db);
	return same;
}

static bool parse_value(struct parser *ps);

static bool parse_object(struct parser *ps)
{
	struct span *keys = NULL;
	size_t nr = 0, alloc = 0, i;
	bool ok = false;

	ps->p++;	/* '{' */
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return true;
	}
	for (;;) {
		struct span key;

		skip_ws(ps);
		if (!parse_string(ps, &key))
			break;
		for (i = 0; i < nr && !same_key(&keys[i], &key); i++)
			;
		if (i < nr) {
			ps->p = key.p;
			fail(ps, "duplicate key in an object");
			break;
		}
		if (nr == alloc) {
			struct span *more;

			alloc = alloc ? 2 * alloc : 16;
			more = realloc(keys, alloc * sizeof(*keys));
			if (!more) {
				fail(ps, "out of memory");
				break;
			}
			keys = more;
		}
		keys[nr++] = key;
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':') {
			fail(ps, "expected ':' after a key");
			break;
		}
		ps->p++;
		if (!parse_value(ps))
			break;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			ok = true;
		} else {
			fail(ps, "expected ',' or '}' in an object");
		}
		break;
	}
	free(keys);
	return ok;
}

static bool parse_array(struct parser *ps)
{
	ps->p++;	/* '[' */
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return true;
	}
	for (;;) {
		if (!parse_value(ps))
			return false;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return true;
		}
		return fail(ps, "expected ',' or ']' in an array");
	}
}

/* One value with the whitespace before it; the pointer ends right after. */
static bool parse_value(struct parser *ps)
{
	struct span s;
	bool ok;

	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "expected a value");
	switch (*ps->p) {
	case '{':
	case '[':
		if (++ps->depth > DQ_JSON_MAX_DEPTH)
			return fail(ps, "nested too deep");
		ok = *ps->p == '{' ? parse_object(ps) : parse_array(ps);
		ps->depth--;
		return ok;
	case '"':
		return parse_string(ps, &s);
	case 't':
		return parse_literal(ps, "true");
	case 'f':
		return parse_literal(ps, "false");
	case 'n':
		return parse_literal(ps, "null");
	default:
		return parse_number(ps);
	}
}

int dq_json_check(const char *text, size_t len, struct dq_json_error *err)
{
	struct parser ps = { text, text + len, text, 0, NULL, NULL };

	if (parse_value(&ps)) {
		skip_ws(&ps);
		if (ps.p != ps.end)
			fail(&ps, "more after the value");
	}
	if (!ps.what)
		return 0;
	if (err) {
		err->offset = ps.where - ps.start;
		err->what = ps.what;
	}
	return -EINVAL;
}

bool dq_json_valid(const char *text)
{
	struct dq_json_error err;

	if (!dq_json_check(text, strlen(text), &err))
		return true;
	dq_log("not JSON: %s at offset %zu: '%.40s'", err.what, err.offset,
	       text + err.offset);
	return false;
}

static enum dq_json_type type_of(const char *p)
{
	switch (*p) {
	case '{': return DQ_JSON_OBJECT;
	case '[': return DQ_JSON_ARRAY;
	case '"': return DQ_JSON_STRING;
	case 't': case 'f': return DQ_JSON_BOOL;
	case 'n': return DQ_JSON_NULL;
	default: return DQ_JSON_NUMBER;
	}
}

const char *dq_json_type_name(enum dq_json_type type)
{
	static const char *const names[] = {
		[DQ_JSON_NONE] = "nothing",
		[DQ_JSON_NULL] = "null",
		[DQ_JSON_BOOL] = "a boolean",
		[DQ_JSON_NUMBER] = "a number",
		[DQ_JSON_STRING] = "a string",
		[DQ_JSON_ARRAY] = "an array",
		[DQ_JSON_OBJECT] = "an object",
	};

	return type <= DQ_JSON_OBJECT ? names[type] : "?";
}

/* Does the path component comp (up to '.' or NUL) name this key? */
static bool key_is(const struct span *key, const char *comp, size_t comp_len)
{
	struct span c = { comp, comp + comp_len };

	/* Keys with a '.' or escapes cannot be named; ours have neither. */
	return same_key(key, &c);
}

/*
 * Find the value at path in a checked text: *v spans it. Returns its
 * type, DQ_JSON_NONE if there is none (or the text is not JSON).
 */
static enum dq_json_type find(const char *text, const char *path,
			      struct span *v)
{
	struct parser ps = { text, text + strlen(text), text, 0, NULL, NULL };

	if (dq_json_check(text, strlen(text), NULL))
		return DQ_JSON_NONE;
	skip_ws(&ps);
	while (*path) {
		const char *dot = strchrnul(path, '.');
		size_t comp_len = dot - path;
		bool found = false;

		if (*ps.p == '{') {
			ps.p++;
			skip_ws(&ps);
			while (*ps.p == '"') {
				struct span key;

				parse_string(&ps, &key);
				skip_ws(&ps);
				ps.p++;	/* ':' */
				skip_ws(&ps);
				if (key_is(&key, path, comp_len)) {
					found = true;
					break;
				}
				parse_value(&ps);
				skip_ws(&ps);
				if (*ps.p == ',')
					ps.p++;
				skip_ws(&ps);
			}
		} else if (*ps.p == '[') {
			char *endp;
			long index = strtol(path, &endp, 10);

			if (endp != dot || comp_len == 0 || index < 0)
				return DQ_JSON_NONE;
			ps.p++;
			skip_ws(&ps);
			while (*ps.p != ']') {
				if (index-- == 0) {
					found = true;
					break;
				}
				parse_value(&ps);
				skip_ws(&ps);
				if (*ps.p == ',')
					ps.p++;
				skip_ws(&ps);
			}
		}
		if (!found)
			return DQ_JSON_NONE;
		path = *dot ? dot + 1 : dot;
	}
	v->p = ps.p;
	parse_value(&ps);
	v->end = ps.p;
	return type_of(v->p);
}

enum dq_json_type dq_json_type_at(const char *text, const char *path)
{
	struct span v;

	return find(text, path, &v);
}

int dq_json_string(const char *text, const char *path, char *buf,
		   size_t size)
{
	enum dq_json_type type;
	struct span v, s;

	type = find(text, path, &v);
	if (type == DQ_JSON_NONE)
		return -ENOENT;
	if (type != DQ_JSON_STRING)
		return -EINVAL;
	s.p = v.p + 1;
	s.end = v.end - 1;
	if (decode(&s, buf, size) >= size)
		return -ENOSPC;
	return 0;
}

int dq_json_int(const char *text, const char *path, long long *val)
{
	enum dq_json_type type;
	char num[32];
	struct span v;
	char *end;

	type = find(text, path, &v);
	if (type == DQ_JSON_NONE)
		return -ENOENT;
	if (type != DQ_JSON_NUMBER || (size_t)(v.end - v.p) >= sizeof(num))
		return -EINVAL;
	memcpy(num, v.p, v.end - v.p);
	num[v.end - v.p] = '\0';
	if (strpbrk(num, ".eE"))
		return -EINVAL;
	errno = 0;
	*val = strtoll(num, &end, 10);
	if (errno)
		return -errno;
	return *end ? -EINVAL : 0;
}

int dq_json_bool(const char *text, const char *path, bool *val)
{
	enum dq_json_type type;
	struct span v;

	type = find(text, path, &v);
	if (type == DQ_JSON_NONE)
		return -ENOENT;
	if (type != DQ_JSON_BOOL)
		return -EINVAL;
	*val = *v.p == 't';
	return 0;
}

int dq_json_count(const char *text, const char *path)
{
	struct parser ps = { NULL, NULL, text, 0, NULL, NULL };
	enum dq_json_type type;
	struct span v;
	int n = 0;

	type = find(text, path, &v);
	if (type == DQ_JSON_NONE)
		return -ENOENT;
	if (type != DQ_JSON_ARRAY && type != DQ_JSON_OBJECT)
		return -EINVAL;
	ps.p = v.p + 1;
	ps.end = v.end;
	skip_ws(&ps);
	while (*ps.p != ']' && *ps.p != '}') {
		struct span key;

		if (type == DQ_JSON_OBJECT) {
			parse_string(&ps, &key);
			skip_ws(&ps);
			ps.p++;	/* ':' */
		}
		parse_value(&ps);
		n++;
		skip_ws(&ps);
		if (*ps.p == ',')
			ps.p++;
		skip_ws(&ps);
	}
	return n;
}
