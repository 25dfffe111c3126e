/* SPDX-License-Identifier: MIT */
/* Join tokens signed with HMAC-SHA256 (GLib's GHmac), and the server secret file. */
#define G_LOG_DOMAIN "cau-join"
#include "join_token.h"

#include "core/random.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN_VERSION 1
/* version, meeting, endpoint, role, expiry */
#define PAYLOAD_BYTES (1 + 8 + 8 + 1 + 8)
#define MAC_BYTES     32
#define TOKEN_BYTES   (PAYLOAD_BYTES + MAC_BYTES)
/* Bound into every MAC, so the secret signs nothing else by accident. */
#define MAC_CONTEXT   "cau-join-v1"

G_STATIC_ASSERT((TOKEN_BYTES * 4 + 2) / 3 == JOIN_TOKEN_CHARS);

static const char *const role_names[] = {
    [JOIN_ROLE_CHAIR] = "chair",
    [JOIN_ROLE_PARTICIPANT] = "participant",
    [JOIN_ROLE_VIEWER] = "viewer",
};

const char *join_role_name(enum join_role role)
{
	return (guint)role < G_N_ELEMENTS(role_names) ? role_names[role] : NULL;
}

enum join_role join_role_from_name(const char *name)
{
	for (guint r = JOIN_ROLE_CHAIR; name && r < G_N_ELEMENTS(role_names); r++) {
		if (strcmp(role_names[r], name) == 0)
			return (enum join_role)r;
	}
	return 0;
}

/* ---- the secret ---- */

static bool create_secret(const char *path, struct join_secret *secret, GError **error)
{
	int fd = g_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	bool ok;

	if (fd < 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "cannot create %s: %s", path, g_strerror(errno));
		return false;
	}
	random_bytes(secret->key, sizeof secret->key);
	ok = write(fd, secret->key, sizeof secret->key) == (ssize_t)sizeof secret->key &&
	     fsync(fd) == 0;
	if (!ok)
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "cannot write %s: %s", path, g_strerror(errno));
	close(fd);
	if (!ok)
		g_unlink(path);
	else
		g_info("[join] created the join-token secret %s", path);
	return ok;
}

static bool read_secret(int fd, const char *path, struct join_secret *secret, GError **error)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "cannot stat %s: %s", path, g_strerror(errno));
		return false;
	}
	if (st.st_mode & 077) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
		            "%s may be read by others (mode %04o); make it private: chmod 600 %s",
		            path, (unsigned)(st.st_mode & 07777), path);
		return false;
	}
	if (st.st_size != JOIN_SECRET_BYTES ||
	    read(fd, secret->key, sizeof secret->key) != (ssize_t)sizeof secret->key) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		            "%s must hold exactly %d bytes (it holds %jd); delete it to make a new "
		            "secret (join links given out so far stop working)",
		            path, JOIN_SECRET_BYTES, (intmax_t)st.st_size);
		return false;
	}
	return true;
}

bool join_secret_load(const char *data_dir, struct join_secret *secret, GError **error)
{
	g_autofree char *path = g_build_filename(data_dir, JOIN_SECRET_FILE, NULL);
	int fd;
	bool ok;

	if (g_mkdir_with_parents(data_dir, 0700) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "cannot create the data directory %s: %s", data_dir, g_strerror(errno));
		return false;
	}
	fd = g_open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
	if (fd < 0 && errno == ENOENT)
		return create_secret(path, secret, error);
	if (fd < 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "cannot open %s: %s", path, g_strerror(errno));
		return false;
	}
	ok = read_secret(fd, path, secret, error);
	close(fd);
	return ok;
}

/* ---- tokens ---- */

static void put_u64(guint8 *p, guint64 v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (guint8)(v & 0xff);
}

static guint64 get_u64(const guint8 *p)
{
	guint64 v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void compute_mac(const struct join_secret *secret, const guint8 *payload,
                        guint8 mac[MAC_BYTES])
{
	g_autoptr(GHmac) hmac = g_hmac_new(G_CHECKSUM_SHA256, secret->key, sizeof secret->key);
	gsize len = MAC_BYTES;

	g_hmac_update(hmac, (const guchar *)MAC_CONTEXT, strlen(MAC_CONTEXT));
	g_hmac_update(hmac, payload, PAYLOAD_BYTES);
	g_hmac_get_digest(hmac, mac, &len);
}

/* Unpadded base64url of `len` bytes. Caller frees. */
static char *encode(const guint8 *data, gsize len)
{
	char *text = g_base64_encode(data, len);

	for (char *p = text; *p; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
		else if (*p == '=')
			*p = '\0';
	}
	return text;
}

char *join_token_sign(const struct join_secret *secret, const struct join_claims *claims)
{
	guint8 bytes[TOKEN_BYTES];

	bytes[0] = TOKEN_VERSION;
	put_u64(bytes + 1, (guint64)claims->meeting_id);
	put_u64(bytes + 9, (guint64)claims->endpoint_id);
	bytes[17] = (guint8)claims->role;
	put_u64(bytes + 18, (guint64)claims->expires_at);
	compute_mac(secret, bytes, bytes + PAYLOAD_BYTES);
	return encode(bytes, sizeof bytes);
}

/* Decodes exactly TOKEN_BYTES from canonical unpadded base64url. */
static bool decode(const char *token, guint8 out[TOKEN_BYTES])
{
	char text[JOIN_TOKEN_CHARS + 3];
	g_autofree guchar *raw = NULL;
	g_autofree char *again = NULL;
	gsize len = 0;

	if (!token || strlen(token) != JOIN_TOKEN_CHARS)
		return false;
	for (guint i = 0; i < JOIN_TOKEN_CHARS; i++) {
		char c = token[i];
		if (!g_ascii_isalnum(c) && c != '-' && c != '_')
			return false;
		text[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	memcpy(text + JOIN_TOKEN_CHARS, "==", 3);
	raw = g_base64_decode(text, &len);
	if (len != TOKEN_BYTES)
		return false;
	/* One byte string has one spelling: no second token for the same claims. */
	again = encode(raw, len);
	if (strcmp(again, token) != 0)
		return false;
	memcpy(out, raw, TOKEN_BYTES);
	return true;
}

static bool equal_in_constant_time(const guint8 *a, const guint8 *b, gsize len)
{
	volatile guint8 diff = 0;

	for (gsize i = 0; i < len; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

bool join_token_verify(const struct join_secret *secret, const char *token, gint64 now_ms,
                       struct join_claims *claims, GError **error)
{
	guint8 bytes[TOKEN_BYTES], mac[MAC_BYTES];
	struct join_claims c;

	if (!decode(token, bytes)) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_UNAUTHORIZED, "invalid join token");
		return false;
	}
	compute_mac(secret, bytes, mac);
	if (!equal_in_constant_time(mac, bytes + PAYLOAD_BYTES, MAC_BYTES) ||
	    bytes[0] != TOKEN_VERSION || !join_role_name(bytes[17])) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_UNAUTHORIZED, "invalid join token");
		return false;
	}
	c.meeting_id = (gint64)get_u64(bytes + 1);
	c.endpoint_id = (gint64)get_u64(bytes + 9);
	c.role = bytes[17];
	c.expires_at = (gint64)get_u64(bytes + 18);
	if (now_ms >= c.expires_at) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_UNAUTHORIZED, "join token expired");
		return false;
	}
	*claims = c;
	return true;
}
