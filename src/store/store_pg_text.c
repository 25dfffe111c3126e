/* SPDX-License-Identifier: MIT */
/* Text work of the PostgreSQL back end that needs no server: numbering '?' placeholders
 * and keeping passwords out of connection strings shown in logs and errors. */
#include "store_pg.h"

#include <string.h>

bool store_pg_is_url(const char *url)
{
	return g_str_has_prefix(url, "postgresql://") || g_str_has_prefix(url, "postgres://") ||
	       g_str_has_prefix(url, "host=") || g_str_has_prefix(url, "dbname=");
}

static bool is_ident_char(char c)
{
	return g_ascii_isalnum(c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/* Past the text quoted from `p` (at a ' or "), or the end of the SQL when unterminated. A
 * doubled quote stays inside; with `backslash` (E'...') so does an escaped one. */
static const char *skip_quoted(const char *p, bool backslash)
{
	char quote = *p++;

	while (*p) {
		if (backslash && *p == '\\' && p[1]) {
			p += 2;
		} else if (*p == quote && p[1] == quote) {
			p += 2;
		} else if (*p == quote) {
			return p + 1;
		} else {
			p++;
		}
	}
	return p;
}

/* Past the comment opening at `p` ("/ *"); PostgreSQL nests them. */
static const char *skip_block_comment(const char *p)
{
	int depth = 0;

	while (*p) {
		if (p[0] == '/' && p[1] == '*') {
			depth++;
			p += 2;
		} else if (p[0] == '*' && p[1] == '/') {
			p += 2;
			if (--depth == 0)
				return p;
		} else {
			p++;
		}
	}
	return p;
}

/* The length of the dollar-quote tag at `p` ("$$" or "$name$"), 0 when there is none
 * ("$1" is a parameter, not a tag). */
static size_t dollar_tag_len(const char *p)
{
	size_t i = 1;

	if (g_ascii_isdigit(p[1]))
		return 0;
	for (; p[i] && p[i] != '$'; i++) {
		if (!is_ident_char(p[i]))
			return 0;
	}
	return p[i] == '$' ? i + 1 : 0;
}

static const char *skip_dollar_quoted(const char *p, size_t tag_len)
{
	const char *q = p + tag_len;

	while ((q = strchr(q, '$'))) {
		if (strncmp(q, p, tag_len) == 0)
			return q + tag_len;
		q++;
	}
	return p + strlen(p);
}

/* Past the literal or comment starting at `p`, or NULL when none starts there. */
static const char *skip_literal(const char *sql, const char *p)
{
	bool after_ident = p > sql && is_ident_char(p[-1]);
	size_t tag_len;

	switch (*p) {
	case '\'':
	case '"':
		return skip_quoted(p, false);
	case 'E':
	case 'e':
		return p[1] == '\'' && !after_ident ? skip_quoted(p + 1, true) : NULL;
	case '-':
		return p[1] == '-' ? p + strcspn(p, "\n") : NULL;
	case '/':
		return p[1] == '*' ? skip_block_comment(p) : NULL;
	case '$':
		tag_len = after_ident ? 0 : dollar_tag_len(p);
		return tag_len ? skip_dollar_quoted(p, tag_len) : NULL;
	default:
		return NULL;
	}
}

char *store_pg_number_placeholders(const char *sql, guint *count)
{
	GString *out = g_string_sized_new(strlen(sql) + 16);
	const char *p = sql;
	guint n = 0;

	while (*p) {
		const char *end = skip_literal(sql, p);

		if (end) {
			g_string_append_len(out, p, end - p);
			p = end;
			continue;
		}
		if (*p == '?')
			g_string_append_printf(out, "$%u", ++n);
		else
			g_string_append_c(out, *p);
		p++;
	}
	*count = n;
	return g_string_free(out, FALSE);
}

/* A connection string split into what may be shown and the secrets taken out of it. */
struct redacted {
	GString *shown;
	GPtrArray *secrets; /* char *, as written and decoded */
};

static void add_secret(struct redacted *r, const char *raw, size_t len, bool percent_encoded)
{
	char *secret = g_strndup(raw, len);
	char *decoded = percent_encoded ? g_uri_unescape_string(secret, NULL) : NULL;

	g_ptr_array_add(r->secrets, secret);
	if (decoded)
		g_ptr_array_add(r->secrets, decoded);
}

static bool is_secret_key(const char *key)
{
	return strcmp(key, "password") == 0 || strcmp(key, "sslpassword") == 0;
}

/* postgresql://[user[:password]@][hosts][/dbname][?key=value&...] */
static void redact_url(const char *url, struct redacted *r)
{
	const char *auth = strstr(url, "://") + 3;
	const char *at = memrchr(auth, '@', strcspn(auth, "/"));
	const char *hosts = at ? at + 1 : auth;
	const char *query = strchr(hosts, '?');
	g_auto(GStrv) items = NULL;
	bool first = true;

	g_string_append_len(r->shown, url, auth - url);
	if (at) {
		const char *colon = memchr(auth, ':', at - auth);
		const char *user_end = colon ? colon : at;

		if (colon)
			add_secret(r, colon + 1, at - colon - 1, true);
		/* "h?password=x@y": libpq takes it all for a user name, a person for a query. */
		if (memchr(auth, '?', user_end - auth)) {
			add_secret(r, auth, user_end - auth, true);
			g_string_append(r->shown, "***");
		} else {
			g_string_append_len(r->shown, auth, user_end - auth);
		}
		g_string_append_c(r->shown, '@');
	}
	g_string_append_len(r->shown, hosts, query ? query - hosts : (gssize)strlen(hosts));
	if (!query)
		return;
	items = g_strsplit(query + 1, "&", -1);
	for (char **item = items; *item; item++) {
		const char *eq = strchr(*item, '=');
		g_autofree char *key = g_strndup(*item, eq ? eq - *item : (gssize)strlen(*item));
		g_autofree char *decoded_key = g_uri_unescape_string(key, NULL);

		if (is_secret_key(decoded_key ? decoded_key : key)) {
			if (eq)
				add_secret(r, eq + 1, strlen(eq + 1), true);
			continue;
		}
		g_string_append_c(r->shown, first ? '?' : '&');
		g_string_append(r->shown, *item);
		first = false;
	}
}

/* Past the value at `p` of a key=value string: 'quoted' or up to a space, with
 * backslash escapes either way. */
static const char *skip_conninfo_value(const char *p)
{
	bool quoted = *p == '\'';

	if (quoted)
		p++;
	while (*p && (quoted ? *p != '\'' : !g_ascii_isspace(*p))) {
		if (*p == '\\' && p[1])
			p++;
		p++;
	}
	return quoted && *p ? p + 1 : p;
}

/* key=value key = 'value' ...; what follows a malformed part is kept out of sight. */
static void redact_conninfo(const char *conninfo, struct redacted *r)
{
	const char *p = conninfo;

	while (*p) {
		const char *item, *key_end, *value;
		g_autofree char *key = NULL;

		while (g_ascii_isspace(*p))
			p++;
		if (!*p)
			break;
		item = p;
		while (*p && *p != '=' && !g_ascii_isspace(*p))
			p++;
		key_end = p;
		while (g_ascii_isspace(*p))
			p++;
		if (*p != '=') {
			/* libpq will quote a word of it in its error; each might be a password. */
			g_auto(GStrv) words = g_strsplit_set(item, " \t\n\r\f\v", -1);
			for (char **w = words; *w; w++)
				add_secret(r, *w, strlen(*w), false);
			g_string_append(r->shown, r->shown->len ? " ..." : "...");
			return;
		}
		p++;
		while (g_ascii_isspace(*p))
			p++;
		value = p;
		p = skip_conninfo_value(p);
		key = g_strndup(item, key_end - item);
		if (is_secret_key(key)) {
			bool quoted = *value == '\'' && p - value >= 2 && p[-1] == '\'';
			add_secret(r, value + quoted, (p - value) - 2 * quoted, false);
			continue;
		}
		if (r->shown->len)
			g_string_append_c(r->shown, ' ');
		g_string_append_len(r->shown, item, p - item);
	}
}

static void redact(const char *url, struct redacted *r)
{
	r->shown = g_string_new(NULL);
	r->secrets = g_ptr_array_new_with_free_func(g_free);
	if (strstr(url, "://"))
		redact_url(url, r);
	else
		redact_conninfo(url, r);
}

char *store_pg_redact_url(const char *url)
{
	struct redacted r;

	redact(url, &r);
	g_ptr_array_unref(r.secrets);
	return g_string_free(r.shown, FALSE);
}

static int longest_first(gconstpointer a, gconstpointer b)
{
	size_t la = strlen(*(const char *const *)a), lb = strlen(*(const char *const *)b);
	return (la < lb) - (la > lb);
}

char *store_pg_scrub(const char *message, const char *url)
{
	struct redacted r;
	GString *out = g_string_new(message);

	redact(url, &r);
	/* A secret that contains another must go first, or a piece of it would remain. */
	g_ptr_array_sort(r.secrets, longest_first);
	for (guint i = 0; i < r.secrets->len; i++) {
		const char *secret = r.secrets->pdata[i];
		if (*secret)
			g_string_replace(out, secret, "***", 0);
	}
	g_ptr_array_unref(r.secrets);
	g_string_free(r.shown, TRUE);
	return g_string_free(out, FALSE);
}
