/* SPDX-License-Identifier: MIT */
/* Random bytes, passwords and tokens from getrandom(2). */
#include "random.h"

#include <errno.h>
#include <glib.h>
#include <sys/random.h>

void random_bytes(void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			g_error("random: getrandom failed: %s", g_strerror(errno));
		done += (size_t)n;
	}
}

char *random_password(size_t n_chars)
{
	/* 56 symbols: no 0/O, 1/l/I; rejection sampling keeps the choice uniform. */
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	const unsigned limit = 256 - 256 % (sizeof alphabet - 1);
	char *out = g_malloc(n_chars + 1);
	size_t i = 0;

	while (i < n_chars) {
		unsigned char b;
		random_bytes(&b, 1);
		if (b < limit)
			out[i++] = alphabet[b % (sizeof alphabet - 1)];
	}
	out[n_chars] = '\0';
	return out;
}

char *random_token(size_t n_bytes)
{
	g_autofree unsigned char *raw = g_malloc(n_bytes);
	char *b64;

	random_bytes(raw, n_bytes);
	b64 = g_base64_encode(raw, n_bytes);
	for (char *p = b64; *p; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
		else if (*p == '=') {
			*p = '\0';
			break;
		}
	}
	return b64;
}
