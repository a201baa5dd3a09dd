/*
 * status.c: fwdpipe's status document to and from JSON; see status.h.
 * SPDX-License-Identifier: MIT
 *
 * jansson does the JSON.  The writer builds a json_t tree and dumps it
 * compact; the reader loads the text strictly (no duplicate keys, no
 * "\u0000", nothing after the object) and copies each field into the C
 * struct, naming the field in any error.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "log.h"
#include "status.h"
#include "xmalloc.h"

#define STATUS_N(a) (sizeof(a) / sizeof((a)[0]))

/* jansson's integers: 64-bit where hopkit builds (long or long long). */
#define STATUS_INT_MAX INT64_MAX
_Static_assert(sizeof(json_int_t) == sizeof(int64_t),
    "json_int_t is not 64 bits");

static const char *const status_state_names[] = {
	"connecting", "up", "backoff",
};
static const char *const status_fwd_kind_names[] = {
	"local", "remote", "dynamic",
};
static const char *const status_fwd_state_names[] = {
	"up", "pending", "failed", "retrying",
};

/* Name i in names (n of them), or NULL when out of range. */
static const char *
status_name(const char *const *names, size_t n, int i)
{
	return i >= 0 && (size_t)i < n ? names[i] : NULL;
}

const char *
status_state_name(enum status_state s)
{
	return status_name(status_state_names, STATUS_N(status_state_names),
	    (int)s);
}

const char *
status_fwd_kind_name(enum status_fwd_kind k)
{
	return status_name(status_fwd_kind_names,
	    STATUS_N(status_fwd_kind_names), (int)k);
}

const char *
status_fwd_state_name(enum status_fwd_state s)
{
	return status_name(status_fwd_state_names,
	    STATUS_N(status_fwd_state_names), (int)s);
}

struct status_forward *
status_add_forward(struct status_doc *doc)
{
	struct status_forward *f;

	doc->forwards = xreallocarray(doc->forwards, doc->nforwards + 1,
	    sizeof(*doc->forwards));
	f = &doc->forwards[doc->nforwards++];
	memset(f, 0, sizeof(*f));
	return f;
}

void
status_free(struct status_doc *doc)
{
	size_t i;

	if (doc == NULL)
		return;
	for (i = 0; i < doc->nforwards; i++) {
		free(doc->forwards[i].spec);
		free(doc->forwards[i].bound);
		free(doc->forwards[i].error);
	}
	free(doc->forwards);
	free(doc->version);
	free(doc->host);
	free(doc->last_error);
	free(doc->reconnect_times);
	memset(doc, 0, sizeof(*doc));
}

/* ---- writing ---------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (n bytes left, n >= 1), or
 * 0: no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t
status_utf8_len(const unsigned char *s, size_t n)
{
	unsigned long cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2)
		return 0;
	if (s[0] < 0xe0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] < 0xf0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] < 0xf5) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* s as a JSON string, each byte that is not part of well-formed UTF-8
 * (text from a server may be anything) replaced by U+FFFD. */
static json_t *
status_jstr(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i, o, l;
	json_t *v;
	char *fixed;

	for (i = 0; i < n; i += l)
		if ((l = status_utf8_len(p + i, n - i)) == 0)
			break;
	if (i == n)
		return json_string(s);
	fixed = xreallocarray(NULL, n + 1, 3);
	for (i = 0, o = 0; i < n; i += l) {
		l = status_utf8_len(p + i, n - i);
		if (l == 0) {
			memcpy(fixed + o, "\xef\xbf\xbd", 3);
			o += 3;
			l = 1;
		} else {
			memcpy(fixed + o, s + i, l);
			o += l;
		}
	}
	fixed[o] = '\0';
	v = json_string(fixed);
	free(fixed);
	return v;
}

/* A counter as a JSON integer, clamped to jansson's signed range. */
static json_t *
status_jcount(uint64_t v)
{
	return json_integer(v > (uint64_t)STATUS_INT_MAX ? STATUS_INT_MAX :
	    (json_int_t)v);
}

/* obj[key] = v, taking v's reference; a NULL v or a failure sets *bad. */
static void
status_put(json_t *obj, const char *key, json_t *v, int *bad)
{
	if (v == NULL || json_object_set_new(obj, key, v) == -1)
		*bad = 1;
}

/* Check what the reader would refuse; 0 or -1 (e set). */
static int
status_check(const struct status_doc *doc, struct errmsg *e)
{
	const struct status_forward *f;
	size_t i;

	if (doc->version == NULL || doc->host == NULL)
		return errmsg_set(e, EINVAL, "status: no %s to write",
		    doc->version == NULL ? "version" : "host");
	if (status_state_name(doc->state) == NULL)
		return errmsg_set(e, EINVAL, "status: state %d out of range",
		    (int)doc->state);
	if (doc->pid < 1 || doc->pid > INT32_MAX)
		return errmsg_set(e, EINVAL, "status: pid %lld out of range",
		    (long long)doc->pid);
	if (doc->last_error != NULL && doc->last_error_time < 0)
		return errmsg_set(e, EINVAL, "status: last_error_time %lld "
		    "out of range", (long long)doc->last_error_time);
	for (i = 0; i < doc->nforwards; i++) {
		f = &doc->forwards[i];
		if (f->spec == NULL)
			return errmsg_set(e, EINVAL,
			    "status: forwards[%zu] has no spec", i);
		if (status_fwd_kind_name(f->kind) == NULL ||
		    status_fwd_state_name(f->state) == NULL)
			return errmsg_set(e, EINVAL, "status: forwards[%zu]: "
			    "kind or state out of range", i);
	}
	return 0;
}

/* One forward as a JSON object, or NULL when out of memory. */
static json_t *
status_forward_json(const struct status_forward *f)
{
	json_t *o = json_object();
	int bad = 0;

	if (o == NULL)
		return NULL;
	status_put(o, "kind", json_string(status_fwd_kind_name(f->kind)),
	    &bad);
	status_put(o, "spec", status_jstr(f->spec), &bad);
	status_put(o, "state", json_string(status_fwd_state_name(f->state)),
	    &bad);
	/* Every field is always there: null (or port 0) for "none". */
	status_put(o, "bound", f->bound != NULL ? status_jstr(f->bound) :
	    json_null(), &bad);
	status_put(o, "port", json_integer(f->port), &bad);
	status_put(o, "error", f->error != NULL ? status_jstr(f->error) :
	    json_null(), &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
status_to_json(const struct status_doc *doc, char **out, struct errmsg *e)
{
	json_t *root, *fwds, *times;
	char *text = NULL;
	size_t i, len;
	int bad = 0;

	*out = NULL;
	if (status_check(doc, e) == -1)
		return -1;
	root = json_object();
	if (root == NULL)
		return errmsg_set(e, ENOMEM, "status: out of memory");
	status_put(root, "version", status_jstr(doc->version), &bad);
	status_put(root, "pid", json_integer(doc->pid), &bad);
	status_put(root, "state", json_string(status_state_name(doc->state)),
	    &bad);
	status_put(root, "host", status_jstr(doc->host), &bad);
	status_put(root, "uptime", status_jcount(doc->uptime), &bad);
	status_put(root, "reconnects", status_jcount(doc->reconnects), &bad);
	if (doc->last_error != NULL) {
		status_put(root, "last_error", status_jstr(doc->last_error),
		    &bad);
		status_put(root, "last_error_time",
		    json_integer(doc->last_error_time), &bad);
	} else {
		status_put(root, "last_error", json_null(), &bad);
		status_put(root, "last_error_time", json_null(), &bad);
	}
	status_put(root, "channels", status_jcount(doc->channels), &bad);
	status_put(root, "connections", status_jcount(doc->connections), &bad);
	status_put(root, "bytes_out", status_jcount(doc->bytes_out), &bad);
	status_put(root, "bytes_in", status_jcount(doc->bytes_in), &bad);
	times = json_array();
	for (i = 0; times != NULL && i < doc->nreconnect_times; i++)
		if (json_array_append_new(times,
		    json_integer(doc->reconnect_times[i])) == -1)
			bad = 1;
	status_put(root, "reconnect_times", times, &bad);
	fwds = json_array();
	for (i = 0; fwds != NULL && i < doc->nforwards; i++)
		if (json_array_append_new(fwds,
		    status_forward_json(&doc->forwards[i])) == -1)
			bad = 1;
	status_put(root, "forwards", fwds, &bad);
	if (!bad)
		text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (text == NULL)
		return errmsg_set(e, ENOMEM, "status: out of memory");
	len = strlen(text);
	*out = xmalloc(len + 2);
	memcpy(*out, text, len);
	memcpy(*out + len, "\n", 2);
	free(text);
	return 0;
}

/* ---- reading ---------------------------------------------------------- */

#define STATUS_OPTIONAL 0
#define STATUS_REQUIRED 1

/*
 * Find key in obj; where prefixes its name in messages ("forwards[2].").
 * Returns 1 with *v set; 0 when an optional field is absent or null; -1
 * (e set) when a required one is absent.
 */
static int
status_find(const json_t *obj, const char *where, const char *key,
    int required, json_t **v, struct errmsg *e)
{
	*v = json_object_get(obj, key);
	if (*v != NULL && (required || !json_is_null(*v)))
		return 1;
	if (required)
		return errmsg_set(e, EINVAL, "status: missing field \"%s%s\"",
		    where, key);
	return 0;
}

/* Copy the string field key to *out (left alone when absent); 0 or -1. */
static int
status_read_string(const json_t *obj, const char *where, const char *key,
    int required, char **out, struct errmsg *e)
{
	json_t *v;
	int rc;

	if ((rc = status_find(obj, where, key, required, &v, e)) <= 0)
		return rc;
	if (!json_is_string(v))
		return errmsg_set(e, EINVAL,
		    "status: field \"%s%s\" is not a string", where, key);
	*out = xstrdup(json_string_value(v));
	return 0;
}

/* Read the integer field key, in min..max, to *out (left alone when
 * absent); 0 or -1. */
static int
status_read_int(const json_t *obj, const char *where, const char *key,
    int required, int64_t min, int64_t max, int64_t *out, struct errmsg *e)
{
	json_int_t i;
	json_t *v;
	int rc;

	if ((rc = status_find(obj, where, key, required, &v, e)) <= 0)
		return rc;
	if (!json_is_integer(v))
		return errmsg_set(e, EINVAL,
		    "status: field \"%s%s\" is not an integer", where, key);
	i = json_integer_value(v);
	if (i < min || i > max)
		return errmsg_set(e, ERANGE, "status: field \"%s%s\" is out "
		    "of range %lld-%lld", where, key, (long long)min,
		    (long long)max);
	*out = i;
	return 0;
}

/* Read a counter: a required integer 0..2^63-1. */
static int
status_read_count(const json_t *obj, const char *key, uint64_t *out,
    struct errmsg *e)
{
	int64_t v;

	if (status_read_int(obj, "", key, STATUS_REQUIRED, 0, STATUS_INT_MAX,
	    &v, e) == -1)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

/* Read the required field key, one of names (n of them), as its index. */
static int
status_read_enum(const json_t *obj, const char *where, const char *key,
    const char *const *names, size_t n, int *out, struct errmsg *e)
{
	char show[160];
	const char *s;
	json_t *v;
	size_t i;

	if (status_find(obj, where, key, STATUS_REQUIRED, &v, e) == -1)
		return -1;
	if (!json_is_string(v))
		return errmsg_set(e, EINVAL,
		    "status: field \"%s%s\" is not a string", where, key);
	s = json_string_value(v);
	for (i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return errmsg_set(e, EINVAL, "status: field \"%s%s\" has unknown "
	    "value \"%s\"", where, key, log_quote(s, show, sizeof(show)));
}

/* Read forwards[i] from v into f; 0 or -1. */
static int
status_read_forward(const json_t *v, size_t i, struct status_forward *f,
    struct errmsg *e)
{
	char where[48];
	int64_t port = 0;
	int kind = 0, state = 0;

	if (!json_is_object(v))
		return errmsg_set(e, EINVAL,
		    "status: field \"forwards[%zu]\" is not an object", i);
	snprintf(where, sizeof(where), "forwards[%zu].", i);
	if (status_read_enum(v, where, "kind", status_fwd_kind_names,
	    STATUS_N(status_fwd_kind_names), &kind, e) == -1 ||
	    status_read_string(v, where, "spec", STATUS_REQUIRED, &f->spec,
	    e) == -1 ||
	    status_read_enum(v, where, "state", status_fwd_state_names,
	    STATUS_N(status_fwd_state_names), &state, e) == -1 ||
	    status_read_string(v, where, "bound", STATUS_OPTIONAL, &f->bound,
	    e) == -1 ||
	    status_read_int(v, where, "port", STATUS_OPTIONAL, 0, 65535, &port,
	    e) == -1 ||
	    status_read_string(v, where, "error", STATUS_OPTIONAL, &f->error,
	    e) == -1)
		return -1;
	f->kind = (enum status_fwd_kind)kind;
	f->state = (enum status_fwd_state)state;
	f->port = (uint16_t)port;
	return 0;
}

/* The optional "reconnect_times": an array of epoch seconds, of which the
 * last STATUS_RECONNECT_TIMES_MAX are kept. */
static int
status_read_times(const json_t *root, struct status_doc *doc,
    struct errmsg *e)
{
	json_t *v;
	size_t n, first;
	int rc = status_find(root, "", "reconnect_times", STATUS_OPTIONAL, &v,
	    e);

	if (rc <= 0)
		return rc;
	if (!json_is_array(v))
		return errmsg_set(e, EINVAL, "status: field \"reconnect_times\" "
		    "is not an array");
	n = json_array_size(v);
	/* A later writer may keep more: the latest ones are what count. */
	first = n > STATUS_RECONNECT_TIMES_MAX ? n - STATUS_RECONNECT_TIMES_MAX :
	    0;
	doc->has_reconnect_times = 1;
	if (n > 0)
		doc->reconnect_times = xcalloc(n - first,
		    sizeof(*doc->reconnect_times));
	for (size_t i = first; i < n; i++) {
		json_t *t = json_array_get(v, i);

		if (!json_is_integer(t) || json_integer_value(t) < 0)
			return errmsg_set(e, EINVAL, "status: field "
			    "\"reconnect_times[%zu]\" is not a time", i);
		doc->reconnect_times[doc->nreconnect_times++] =
		    json_integer_value(t);
	}
	return 0;
}

/* Read every field of the object root into doc; 0 or -1. */
static int
status_read_doc(const json_t *root, struct status_doc *doc, struct errmsg *e)
{
	json_t *fwds;
	size_t i, n;
	int state = 0;

	if (status_read_string(root, "", "version", STATUS_REQUIRED,
	    &doc->version, e) == -1 ||
	    status_read_int(root, "", "pid", STATUS_REQUIRED, 1, INT32_MAX,
	    &doc->pid, e) == -1 ||
	    status_read_enum(root, "", "state", status_state_names,
	    STATUS_N(status_state_names), &state, e) == -1 ||
	    status_read_string(root, "", "host", STATUS_REQUIRED, &doc->host,
	    e) == -1 ||
	    status_read_count(root, "uptime", &doc->uptime, e) == -1 ||
	    status_read_count(root, "reconnects", &doc->reconnects, e) == -1 ||
	    status_read_string(root, "", "last_error", STATUS_OPTIONAL,
	    &doc->last_error, e) == -1 ||
	    status_read_int(root, "", "last_error_time",
	    doc->last_error != NULL ? STATUS_REQUIRED : STATUS_OPTIONAL, 0,
	    STATUS_INT_MAX, &doc->last_error_time, e) == -1 ||
	    status_read_count(root, "channels", &doc->channels, e) == -1 ||
	    status_read_count(root, "connections", &doc->connections, e) == -1 ||
	    status_read_count(root, "bytes_out", &doc->bytes_out, e) == -1 ||
	    status_read_count(root, "bytes_in", &doc->bytes_in, e) == -1 ||
	    status_find(root, "", "forwards", STATUS_REQUIRED, &fwds, e) == -1)
		return -1;
	if (status_read_times(root, doc, e) == -1)
		return -1;
	doc->state = (enum status_state)state;
	if (doc->last_error == NULL)
		doc->last_error_time = 0;	/* means nothing alone */
	if (!json_is_array(fwds))
		return errmsg_set(e, EINVAL,
		    "status: field \"forwards\" is not an array");
	n = json_array_size(fwds);
	if (n > 0)
		doc->forwards = xcalloc(n, sizeof(*doc->forwards));
	for (i = 0; i < n; i++) {
		doc->nforwards++;	/* status_free() frees what was read */
		if (status_read_forward(json_array_get(fwds, i), i,
		    &doc->forwards[i], e) == -1)
			return -1;
	}
	return 0;
}

int
status_from_json(const char *text, size_t len, struct status_doc *doc,
    struct errmsg *e)
{
	char clean[4 * JSON_ERROR_TEXT_LENGTH];
	json_error_t jerr;
	json_t *root;
	int rc;

	memset(doc, 0, sizeof(*doc));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		log_sanitize(clean, sizeof(clean), jerr.text);
		return errmsg_set(e, EINVAL, "status: invalid JSON at line %d, "
		    "column %d: %s", jerr.line, jerr.column, clean);
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return errmsg_set(e, EINVAL, "status: not a JSON object");
	}
	rc = status_read_doc(root, doc, e);
	json_decref(root);
	if (rc == -1)
		status_free(doc);
	return rc;
}

/* ---- the summary ------------------------------------------------------ */

/* Append printf output at *off in buf (len bytes), cut to fit. */
static void __attribute__((format(printf, 4, 5)))
status_cat(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n < len - *off ? (size_t)n : len - *off - 1;
}

/* Append s with control characters turned into spaces. */
static void
status_cat_clean(char *buf, size_t len, size_t *off, const char *s)
{
	for (; *s != '\0' && *off + 1 < len; s++) {
		unsigned char c = (unsigned char)*s;

		buf[(*off)++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	buf[*off] = '\0';
}

/* Seconds as "45s", "2m05s", "1h02m03s" or "3d04h05m". */
static void
status_duration(uint64_t s, char *out, size_t len)
{
	if (s < 60)
		snprintf(out, len, "%llus", (unsigned long long)s);
	else if (s < 3600)
		snprintf(out, len, "%llum%02llus", (unsigned long long)s / 60,
		    (unsigned long long)s % 60);
	else if (s < 86400)
		snprintf(out, len, "%lluh%02llum%02llus",
		    (unsigned long long)s / 3600,
		    (unsigned long long)s / 60 % 60, (unsigned long long)s % 60);
	else
		snprintf(out, len, "%llud%02lluh%02llum",
		    (unsigned long long)s / 86400,
		    (unsigned long long)s / 3600 % 24,
		    (unsigned long long)s / 60 % 60);
}

/* A byte count as "512 B", "1.0 KiB", ... "16.0 EiB". */
static void
status_bytes(uint64_t n, char *out, size_t len)
{
	static const char *const units[] = {
		"KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	double v = (double)n;
	size_t u = 0;

	if (n < 1024) {
		snprintf(out, len, "%llu B", (unsigned long long)n);
		return;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < STATUS_N(units)) {
		v /= 1024;
		u++;
	}
	snprintf(out, len, "%.1f %s", v, units[u]);
}

char *
status_summary(const struct status_doc *doc, char *buf, size_t len)
{
	size_t count[STATUS_N(status_fwd_state_names)] = { 0 };
	char up[32], out[32], in[32];
	size_t off = 0, i;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	status_cat_clean(buf, len, &off, doc->host != NULL ? doc->host : "?");
	status_duration(doc->uptime, up, sizeof(up));
	status_cat(buf, len, &off, ": %s%s",
	    doc->state == STATUS_UP ? "up " :
	    doc->state == STATUS_CONNECTING ? "connecting" :
	    "waiting to reconnect", doc->state == STATUS_UP ? up : "");
	for (i = 0; i < doc->nforwards; i++)
		if (status_fwd_state_name(doc->forwards[i].state) != NULL)
			count[doc->forwards[i].state]++;
	if (doc->nforwards == 0)
		status_cat(buf, len, &off, "; no forwards");
	else
		status_cat(buf, len, &off, "; forwards %zu/%zu up",
		    count[STATUS_FWD_UP], doc->nforwards);
	for (i = 1; i < STATUS_N(count); i++)
		if (count[i] > 0)
			status_cat(buf, len, &off, ", %zu %s", count[i],
			    status_fwd_state_names[i]);
	status_bytes(doc->bytes_out, out, sizeof(out));
	status_bytes(doc->bytes_in, in, sizeof(in));
	status_cat(buf, len, &off, "; channels %llu open, %llu total; "
	    "%s out, %s in; %llu reconnect%s",
	    (unsigned long long)doc->channels,
	    (unsigned long long)doc->connections, out, in,
	    (unsigned long long)doc->reconnects,
	    doc->reconnects == 1 ? "" : "s");
	if (doc->last_error != NULL) {
		status_cat(buf, len, &off, "; last error: ");
		status_cat_clean(buf, len, &off, doc->last_error);
	}
	return buf;
}

/* Are two strings (either may be NULL) the same? */
static int
status_same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
status_equal(const struct status_doc *a, const struct status_doc *b)
{
	if (!status_same_str(a->version, b->version) || a->pid != b->pid ||
	    a->state != b->state || !status_same_str(a->host, b->host) ||
	    a->uptime != b->uptime || a->reconnects != b->reconnects ||
	    !status_same_str(a->last_error, b->last_error) ||
	    a->last_error_time != b->last_error_time ||
	    a->channels != b->channels || a->connections != b->connections ||
	    a->bytes_out != b->bytes_out || a->bytes_in != b->bytes_in ||
	    a->nforwards != b->nforwards ||
	    a->nreconnect_times != b->nreconnect_times)
		return 0;
	for (size_t i = 0; i < a->nreconnect_times; i++)
		if (a->reconnect_times[i] != b->reconnect_times[i])
			return 0;
	for (size_t i = 0; i < a->nforwards; i++) {
		const struct status_forward *x = &a->forwards[i];
		const struct status_forward *y = &b->forwards[i];

		if (x->kind != y->kind || x->state != y->state ||
		    x->port != y->port || !status_same_str(x->spec, y->spec) ||
		    !status_same_str(x->bound, y->bound) ||
		    !status_same_str(x->error, y->error))
			return 0;
	}
	return 1;
}
