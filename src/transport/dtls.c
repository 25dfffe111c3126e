/* SPDX-License-Identifier: MIT */
/* One DTLS-SRTP handshake over OpenSSL, fed and drained through a datagram BIO of our own. */
#define G_LOG_DOMAIN "cau-dtls"

#include "transport/dtls_private.h"

#include <errno.h>
#include <gio/gio.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

/* RFC 5764 4.2: the label of the keying material exporter. */
#define SRTP_EXPORTER_LABEL "EXTRACTOR-dtls_srtp"
#define TIMEOUT_LIMIT_MS    60000
/* OpenSSL counts a timer with less than 15 ms left as expired; shorter ones would fire at
 * once and double until they reach that. */
#define TIMEOUT_FLOOR_MS    20
#define REASON_LEN          512
#define RECORD_HEADER_LEN   13 /* type, version, epoch, sequence number, length */

struct dtls_session {
	dtls_context *ctx; /* a reference */
	SSL *ssl;          /* owns the BIO */
	enum dtls_role role;
	enum dtls_state state;
	struct dtls_callbacks callbacks;
	void *user_data;
	unsigned initial_timeout_ms;
	unsigned max_timeout_ms;
	unsigned retransmissions;
	enum cau_srtp_profile profile;
	/* The SDP fingerprint the peer's certificate must hash to. */
	const EVP_MD *remote_md;
	char remote_alg[16];
	uint8_t remote_digest[EVP_MAX_MD_SIZE];
	size_t remote_digest_len;
	bool peer_verified;
	/* Why the certificate check refused the peer; OpenSSL only knows "verify failed". */
	char verify_failure[REASON_LEN];
	/* The datagram being fed, which the BIO hands to OpenSSL once. */
	const uint8_t *in_buf;
	size_t in_len;
	/* Records written since the last flush, sent as one datagram (OpenSSL sizes its
	 * records so that they fit DTLS_MTU together with what is pending here). */
	uint8_t out_buf[DTLS_MTU];
	size_t out_len;
};

/* Every line names the session and its role: [dtls 0x55d0c0 client] ... Control path only. */
static void G_GNUC_PRINTF(3, 4)
    session_log(const dtls_session *s, GLogLevelFlags level, const char *fmt, ...)
{
	char message[2 * REASON_LEN];
	va_list args;

	va_start(args, fmt);
	vsnprintf(message, sizeof(message), fmt, args);
	va_end(args);
	g_log(G_LOG_DOMAIN, level, "[dtls %p %s] %s", (const void *)s, dtls_role_name(s->role),
	      message);
}

const char *dtls_role_name(enum dtls_role role)
{
	return role == DTLS_ROLE_CLIENT ? "client" : "server";
}

const char *dtls_role_to_setup(enum dtls_role role)
{
	return role == DTLS_ROLE_CLIENT ? "active" : "passive";
}

bool dtls_role_from_remote_setup(const char *remote_setup, enum dtls_role actpass_choice,
                                 enum dtls_role *role, GError **error)
{
	if (g_strcmp0(remote_setup, "active") == 0)
		*role = DTLS_ROLE_SERVER;
	else if (g_strcmp0(remote_setup, "passive") == 0)
		*role = DTLS_ROLE_CLIENT;
	else if (g_strcmp0(remote_setup, "actpass") == 0)
		*role = actpass_choice;
	else {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		            "dtls: unusable a=setup value '%s' (want active, passive or actpass)",
		            remote_setup ? remote_setup : "(none)");
		return false;
	}
	return true;
}

const char *dtls_state_name(enum dtls_state state)
{
	static const char *const names[] = {"new", "connecting", "connected", "closed", "failed"};

	return (unsigned)state < G_N_ELEMENTS(names) ? names[state] : "invalid";
}

/*
 * ---- The datagram BIO ----
 * Writes are packed into one datagram until the next record would not fit or the call into
 * the session returns; a flight of five handshake messages then leaves as one datagram,
 * not five. OpenSSL's own flushes are ignored, as it flushes after every retransmitted
 * message: it sizes records by BIO_wpending() and every entry point flushes on return, so
 * nothing waits. A read hands over the one datagram being fed.
 */

static void flush_datagram(dtls_session *s)
{
	if (s->out_len == 0)
		return;
	cau_trace("[dtls %p %s] sending %zu bytes", (void *)s, dtls_role_name(s->role), s->out_len);
	s->callbacks.send(s->out_buf, s->out_len, s->user_data);
	s->out_len = 0;
}

static int bio_write(BIO *bio, const char *buf, int len)
{
	dtls_session *s = BIO_get_data(bio);

	BIO_clear_retry_flags(bio);
	if (len <= 0)
		return 0;
	if (s->out_len + (size_t)len > sizeof(s->out_buf))
		flush_datagram(s);
	if ((size_t)len > sizeof(s->out_buf)) {
		/* Only application data could be this big, and we send none; pass it whole. */
		s->callbacks.send((const uint8_t *)buf, (size_t)len, s->user_data);
		return len;
	}
	memcpy(s->out_buf + s->out_len, buf, (size_t)len);
	s->out_len += (size_t)len;
	return len;
}

static int bio_read(BIO *bio, char *buf, int cap)
{
	dtls_session *s = BIO_get_data(bio);
	size_t n;

	BIO_clear_retry_flags(bio);
	if (!s->in_buf) {
		BIO_set_retry_read(bio);
		return -1;
	}
	/* OpenSSL reads with room for the largest record; a longer datagram is cut as UDP would. */
	n = MIN(s->in_len, (size_t)MAX(cap, 0));
	memcpy(buf, s->in_buf, n);
	s->in_buf = NULL;
	s->in_len = 0;
	return (int)n;
}

static long bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
	dtls_session *s = BIO_get_data(bio);

	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1; /* see above: the entry points flush */
	case BIO_CTRL_WPENDING:
		return (long)s->out_len;
	case BIO_CTRL_PENDING:
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
	default:
		/* Nothing is read ahead here; the MTU is set on the SSL (DTLS_MTU, with no UDP/IP
		 * overhead to subtract); socket-level controls mean nothing without a socket. */
		return 0;
	}
}

static int bio_create(BIO *bio)
{
	BIO_set_init(bio, 1);
	return 1;
}

static gpointer make_bio_method(gpointer data)
{
	BIO_METHOD *method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "cau-dtls");

	if (!method || !BIO_meth_set_write(method, bio_write) ||
	    !BIO_meth_set_read(method, bio_read) || !BIO_meth_set_ctrl(method, bio_ctrl) ||
	    !BIO_meth_set_create(method, bio_create))
		g_error("dtls: cannot make the datagram BIO method");
	return method;
}

/* The BIO method, made once and kept for the life of the process. */
static const BIO_METHOD *bio_method(void)
{
	static GOnce once = G_ONCE_INIT;

	return g_once(&once, make_bio_method, NULL);
}

/* ---- Events and failure ---- */

static void emit(dtls_session *s, enum dtls_event_type type, const struct cau_srtp_keys *keys,
                 const char *reason)
{
	const struct dtls_event event = {.type = type, .keys = keys, .reason = reason};

	flush_datagram(s); /* what OpenSSL wrote (a last flight, an alert) goes out first */
	if (s->callbacks.event)
		s->callbacks.event(s, &event, s->user_data);
}

static void G_GNUC_PRINTF(2, 3) fail(dtls_session *s, const char *fmt, ...)
{
	char reason[REASON_LEN];
	va_list args;

	va_start(args, fmt);
	vsnprintf(reason, sizeof(reason), fmt, args);
	va_end(args);
	ERR_clear_error();
	s->state = DTLS_STATE_FAILED;
	session_log(s, G_LOG_LEVEL_MESSAGE, "failed: %s", reason);
	emit(s, DTLS_EVENT_FAILED, NULL, reason);
}

/* Fails with what OpenSSL said, unless our certificate check has the better reason. */
static void fail_openssl(dtls_session *s, const char *what)
{
	unsigned long code = ERR_peek_last_error();
	const char *detail = code ? ERR_reason_error_string(code) : NULL;

	if (s->verify_failure[0]) {
		fail(s, "%s", s->verify_failure);
		return;
	}
	fail(s, "%s: %s", what, detail ? detail : "no detail from OpenSSL");
}

/* ---- Peer certificate ---- */

int dtls_verify_peer_certificate(X509_STORE_CTX *store, void *arg)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	dtls_session *s = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *cert = X509_STORE_CTX_get0_cert(store);
	uint8_t digest[EVP_MAX_MD_SIZE];
	char expected[DTLS_FINGERPRINT_MAX_STR], got[DTLS_FINGERPRINT_MAX_STR];
	unsigned len = 0;

	if (!s || !cert || X509_digest(cert, s->remote_md, digest, &len) != 1)
		return 0;
	if (len == s->remote_digest_len && CRYPTO_memcmp(digest, s->remote_digest, len) == 0) {
		s->peer_verified = true;
		return 1;
	}
	dtls_fingerprint_format(s->remote_digest, s->remote_digest_len, expected);
	dtls_fingerprint_format(digest, len, got);
	snprintf(s->verify_failure, sizeof(s->verify_failure),
	         "remote certificate fingerprint mismatch: the SDP says %s %s, the certificate "
	         "is %s",
	         s->remote_alg, expected, got);
	X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
	return 0;
}

/* ---- Session ---- */

/* OpenSSL's retransmission timer: our initial value, doubling, capped. */
static unsigned int next_timeout_us(SSL *ssl, unsigned int previous_us)
{
	dtls_session *s = SSL_get_app_data(ssl);
	unsigned initial_us = s->initial_timeout_ms * 1000u;
	unsigned max_us = s->max_timeout_ms * 1000u;

	if (previous_us == 0)
		return initial_us;
	return previous_us >= max_us / 2 ? max_us : previous_us * 2;
}

static bool set_remote_fingerprint(dtls_session *s, const char *alg, const char *fingerprint,
                                   GError **error)
{
	s->remote_md = dtls_fingerprint_md(alg);
	if (!s->remote_md) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		            "dtls: unknown fingerprint hash function '%s'", alg ? alg : "(none)");
		return false;
	}
	s->remote_digest_len = (size_t)EVP_MD_get_size(s->remote_md);
	if (!dtls_fingerprint_parse(fingerprint, s->remote_digest, s->remote_digest_len)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		            "dtls: malformed %s fingerprint '%s'", alg,
		            fingerprint ? fingerprint : "(none)");
		return false;
	}
	g_strlcpy(s->remote_alg, alg, sizeof(s->remote_alg));
	for (char *p = s->remote_alg; *p; p++)
		*p = g_ascii_tolower(*p);
	return true;
}

dtls_session *dtls_session_new(dtls_context *ctx, enum dtls_role role,
                               const char *remote_fingerprint_alg, const char *remote_fingerprint,
                               const struct dtls_callbacks *callbacks, void *user_data,
                               GError **error)
{
	g_autoptr(dtls_session) s = g_new0(dtls_session, 1);
	BIO *bio;

	g_return_val_if_fail(callbacks && callbacks->send, NULL);
	s->role = role;
	s->state = DTLS_STATE_NEW;
	s->callbacks = *callbacks;
	s->user_data = user_data;
	s->initial_timeout_ms = DTLS_INITIAL_TIMEOUT_MS;
	s->max_timeout_ms = DTLS_MAX_TIMEOUT_MS;
	s->ctx = dtls_context_ref(ctx);
	if (!set_remote_fingerprint(s, remote_fingerprint_alg, remote_fingerprint, error))
		return NULL;
	ERR_clear_error();
	s->ssl = SSL_new(ctx->ssl_ctx);
	bio = BIO_new(bio_method());
	if (!s->ssl || !bio) {
		BIO_free(bio);
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "dtls: cannot make an SSL");
		return NULL;
	}
	BIO_set_data(bio, s);
	SSL_set_bio(s->ssl, bio, bio); /* takes the one reference */
	SSL_set_app_data(s->ssl, s);
	if (!SSL_set_mtu(s->ssl, DTLS_MTU)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "dtls: cannot set the MTU");
		return NULL;
	}
	DTLS_set_timer_cb(s->ssl, next_timeout_us);
	if (role == DTLS_ROLE_CLIENT)
		SSL_set_connect_state(s->ssl);
	else
		SSL_set_accept_state(s->ssl);
	session_log(s, G_LOG_LEVEL_DEBUG, "new session, peer fingerprint %s", s->remote_alg);
	return g_steal_pointer(&s);
}

void dtls_session_free(dtls_session *s)
{
	if (!s)
		return;
	SSL_free(s->ssl); /* frees the BIO and wipes the secrets */
	dtls_context_unref(s->ctx);
	g_free(s);
}

bool dtls_session_set_srtp_profiles(dtls_session *s, const enum cau_srtp_profile *profiles,
                                    size_t count, GError **error)
{
	g_autoptr(GString) list = g_string_new(NULL);

	if (s->state != DTLS_STATE_NEW || count == 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		            "dtls: SRTP profiles are set before start, at least one");
		return false;
	}
	for (size_t i = 0; i < count; i++) {
		if (cau_srtp_profile_key_len(profiles[i]) == 0) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			            "dtls: unknown SRTP profile 0x%04x", (unsigned)profiles[i]);
			return false;
		}
		g_string_append_printf(list, "%s%s", i ? ":" : "",
		                       cau_srtp_profile_name(profiles[i]));
	}
	/* 0 is success here. */
	if (SSL_set_tlsext_use_srtp(s->ssl, list->str) != 0) {
		ERR_clear_error();
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		            "dtls: OpenSSL refuses the SRTP profiles %s", list->str);
		return false;
	}
	return true;
}

void dtls_session_set_retransmit_timeouts(dtls_session *s, unsigned initial_ms, unsigned max_ms)
{
	g_return_if_fail(s->state == DTLS_STATE_NEW);
	s->initial_timeout_ms = CLAMP(initial_ms, TIMEOUT_FLOOR_MS, TIMEOUT_LIMIT_MS);
	s->max_timeout_ms = CLAMP(max_ms, s->initial_timeout_ms, TIMEOUT_LIMIT_MS);
}

/* Exports RFC 5764 4.2 keying material and splits it by role into keys. */
static bool export_keys(dtls_session *s, struct cau_srtp_keys *keys)
{
	const SRTP_PROTECTION_PROFILE *negotiated = SSL_get_selected_srtp_profile(s->ssl);
	uint8_t material[2 * (CAU_SRTP_MAX_KEY_LEN + CAU_SRTP_MAX_SALT_LEN)];
	const uint8_t *client_key, *server_key, *client_salt, *server_salt;
	size_t key_len, salt_len;
	bool client = s->role == DTLS_ROLE_CLIENT;

	if (!negotiated) {
		fail(s, "the peer did not negotiate DTLS-SRTP (no common use_srtp profile)");
		return false;
	}
	memset(keys, 0, sizeof(*keys));
	keys->profile = (enum cau_srtp_profile)negotiated->id;
	key_len = cau_srtp_profile_key_len(keys->profile);
	salt_len = cau_srtp_profile_salt_len(keys->profile);
	if (key_len == 0) {
		fail(s, "unsupported SRTP profile %s", negotiated->name);
		return false;
	}
	/* client key | server key | client salt | server salt */
	if (SSL_export_keying_material(s->ssl, material, 2 * (key_len + salt_len),
	                               SRTP_EXPORTER_LABEL, strlen(SRTP_EXPORTER_LABEL), NULL, 0,
	                               0) != 1) {
		fail_openssl(s, "cannot export the SRTP keying material");
		return false;
	}
	client_key = material;
	server_key = client_key + key_len;
	client_salt = server_key + key_len;
	server_salt = client_salt + salt_len;
	keys->key_len = key_len;
	keys->salt_len = salt_len;
	memcpy(keys->local_key, client ? client_key : server_key, key_len);
	memcpy(keys->local_salt, client ? client_salt : server_salt, salt_len);
	memcpy(keys->remote_key, client ? server_key : client_key, key_len);
	memcpy(keys->remote_salt, client ? server_salt : client_salt, salt_len);
	OPENSSL_cleanse(material, sizeof(material));
	return true;
}

static int on_handshake_done(dtls_session *s)
{
	struct cau_srtp_keys keys;

	/* The verify callback ran and accepted, or there was no certificate to check. */
	if (!s->peer_verified || !SSL_get0_peer_certificate(s->ssl)) {
		fail(s, "the peer presented no certificate to check against the SDP fingerprint");
		return -EPROTO;
	}
	if (!export_keys(s, &keys))
		return -EPROTO;
	s->profile = keys.profile;
	s->state = DTLS_STATE_CONNECTED;
	session_log(s, G_LOG_LEVEL_INFO, "handshake done: %s, %s, %u retransmissions",
	            cau_srtp_profile_name(s->profile), SSL_get_cipher_name(s->ssl),
	            s->retransmissions);
	emit(s, DTLS_EVENT_CONNECTED, &keys, NULL);
	cau_srtp_keys_clear(&keys);
	return 0;
}

static int drive_handshake(dtls_session *s)
{
	int ret;

	ERR_clear_error();
	ret = SSL_do_handshake(s->ssl);
	if (ret == 1)
		return on_handshake_done(s);
	switch (SSL_get_error(s->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return 0;
	default:
		fail_openssl(s, "handshake failed");
		return -EPROTO;
	}
}

/* After the handshake: answers retransmitted flights and close_notify, drops app data. */
static int read_records(dtls_session *s)
{
	uint8_t scratch[2048];
	int n;

	for (;;) {
		ERR_clear_error();
		n = SSL_read(s->ssl, scratch, sizeof(scratch));
		if (n > 0) {
			cau_trace("[dtls %p %s] dropping %d bytes of application data", (void *)s,
			          dtls_role_name(s->role), n);
			continue;
		}
		switch (SSL_get_error(s->ssl, n)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			return 0;
		case SSL_ERROR_ZERO_RETURN:
			/* Answer with our own close_notify, as RFC 5246 7.2.1 asks. */
			SSL_shutdown(s->ssl);
			ERR_clear_error();
			s->state = DTLS_STATE_CLOSED;
			session_log(s, G_LOG_LEVEL_INFO, "closed by the peer");
			emit(s, DTLS_EVENT_CLOSED, NULL, "close_notify from the peer");
			return 0;
		default:
			fail_openssl(s, "record layer failure");
			return -EPROTO;
		}
	}
}

/* The smallest encrypted record the negotiated suite (or, before the choice, any) makes. */
static size_t min_encrypted_record(dtls_session *s)
{
	const SSL_CIPHER *cipher = SSL_get_pending_cipher(s->ssl);

	if (!cipher)
		cipher = SSL_get_current_cipher(s->ssl);
	if (cipher && SSL_CIPHER_is_aead(cipher))
		return SSL_CIPHER_get_cipher_nid(cipher) == NID_chacha20_poly1305 ? 16 : 8 + 16;
	return 16 + 32; /* CBC: IV, then MAC and padding in whole blocks */
}

/* Whether OpenSSL still waits for its first handshake message, when it takes any version. */
static bool reading_first_message(dtls_session *s)
{
	const OSSL_HANDSHAKE_STATE state = SSL_get_state(s->ssl);

	return state == TLS_ST_BEFORE || state == TLS_ST_CW_CLNT_HELLO;
}

/*
 * OpenSSL 3.0 ends a session with an internal_error alert when an encrypted record is too
 * short for its nonce and tag (or IV and MAC), instead of dropping it as DTLS wants (RFC
 * 6347 4.1.2.7), so anyone who can put a datagram on the path could kill the session with
 * one. Such a record cannot be valid, so the whole datagram is dropped before OpenSSL sees
 * it, as is one shorter than a record header (an empty read would look like EOF).
 *
 * The walk follows OpenSSL's own (dtls_get_more_records()): a header it rejects -- wrong
 * version, too long -- is skipped alone and the bytes after it are read as the next
 * header, so a short record can hide inside the body of a bogus one.
 */
static bool has_short_record(dtls_session *s, const uint8_t *buf, size_t len)
{
	const bool any_version = reading_first_message(s);
	size_t min_len = 0, pos = 0;

	if (len < RECORD_HEADER_LEN)
		return true;
	while (len - pos >= RECORD_HEADER_LEN) {
		const uint8_t *header = buf + pos;
		const unsigned type = header[0];
		const unsigned version = (unsigned)header[1] << 8 | header[2];
		const unsigned epoch = (unsigned)header[3] << 8 | header[4];
		const size_t record_len = (size_t)header[11] << 8 | header[12];

		if ((version >> 8) != (DTLS1_2_VERSION >> 8) ||
		    record_len > SSL3_RT_MAX_ENCRYPTED_LENGTH ||
		    (!any_version && type != SSL3_RT_ALERT && version != DTLS1_2_VERSION)) {
			pos += RECORD_HEADER_LEN;
			continue;
		}
		if (record_len > len - pos - RECORD_HEADER_LEN)
			break; /* truncated: OpenSSL drops the rest of the datagram */
		if (epoch != 0) {
			if (min_len == 0)
				min_len = min_encrypted_record(s);
			if (record_len < min_len)
				return true;
		}
		pos += RECORD_HEADER_LEN + record_len;
	}
	return false;
}

int dtls_session_start(dtls_session *s)
{
	int ret;

	if (s->state != DTLS_STATE_NEW)
		return -EALREADY;
	s->state = DTLS_STATE_CONNECTING;
	session_log(s, G_LOG_LEVEL_DEBUG, "starting handshake");
	if (s->role == DTLS_ROLE_SERVER)
		return 0; /* OpenSSL would only find no ClientHello yet */
	ret = drive_handshake(s);
	flush_datagram(s);
	return ret;
}

int dtls_session_receive(dtls_session *s, const uint8_t *buf, size_t len)
{
	int ret = 0;

	if (s->state == DTLS_STATE_NEW && (ret = dtls_session_start(s)) < 0)
		return ret;
	if (s->state != DTLS_STATE_CONNECTING && s->state != DTLS_STATE_CONNECTED)
		return -ENOTCONN;
	cau_trace("[dtls %p %s] received %zu bytes", (void *)s, dtls_role_name(s->role), len);
	if (has_short_record(s, buf, len)) {
		cau_trace("[dtls %p %s] dropping a datagram with a short record", (void *)s,
		          dtls_role_name(s->role));
		return 0;
	}
	s->in_buf = buf;
	s->in_len = MIN(len, (size_t)INT_MAX);
	if (s->state == DTLS_STATE_CONNECTING)
		ret = drive_handshake(s);
	/* More records may follow in the same datagram; the event callback may have closed. */
	if (ret == 0 && s->state == DTLS_STATE_CONNECTED)
		ret = read_records(s);
	s->in_buf = NULL;
	s->in_len = 0;
	flush_datagram(s);
	return ret;
}

int dtls_session_timeout_ms(dtls_session *s)
{
	struct timeval left;
	long long ms;

	if (s->state != DTLS_STATE_CONNECTING || DTLSv1_get_timeout(s->ssl, &left) != 1)
		return -1;
	ms = (long long)left.tv_sec * 1000 + (left.tv_usec + 999) / 1000;
	return (int)MIN(ms, (long long)INT_MAX);
}

int dtls_session_handle_timeout(dtls_session *s)
{
	int ret;

	if (s->state != DTLS_STATE_CONNECTING)
		return -ENOTCONN;
	ERR_clear_error();
	ret = DTLSv1_handle_timeout(s->ssl);
	flush_datagram(s);
	if (ret > 0) {
		s->retransmissions++;
		session_log(s, G_LOG_LEVEL_DEBUG, "retransmitted the last flight (%u so far)",
		            s->retransmissions);
		return 0;
	}
	if (ret == 0)
		return 0;
	if (ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_READ_TIMEOUT_EXPIRED) {
		fail(s, "handshake timed out after %u retransmissions", s->retransmissions);
		return -ETIMEDOUT;
	}
	fail_openssl(s, "retransmission failed");
	return -EPROTO;
}

void dtls_session_close(dtls_session *s)
{
	if (s->state == DTLS_STATE_CLOSED || s->state == DTLS_STATE_FAILED)
		return;
	if (s->state == DTLS_STATE_CONNECTED) {
		ERR_clear_error();
		SSL_shutdown(s->ssl); /* sends close_notify through the BIO */
		ERR_clear_error();
		flush_datagram(s);
	}
	s->state = DTLS_STATE_CLOSED;
	session_log(s, G_LOG_LEVEL_INFO, "closed");
}

enum dtls_state dtls_session_get_state(const dtls_session *s)
{
	return s->state;
}

enum dtls_role dtls_session_get_role(const dtls_session *s)
{
	return s->role;
}

enum cau_srtp_profile dtls_session_get_srtp_profile(const dtls_session *s)
{
	return s->profile;
}
