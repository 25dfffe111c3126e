/* SPDX-License-Identifier: MIT */
/* Wires minutes into `cau serve`: the signer, generation at the end, catch-up. */
#define G_LOG_DOMAIN "cau"
#include "serve_minutes.h"

#include "app.h"

#define SELF_SIGNED_CERT "organisation.pem"
#define SELF_SIGNED_KEY  "organisation.key"
#define DEFAULT_ORG      "Cầu"

struct serve_minutes {
	struct signer *signer;
	struct minutes *minutes;
	GQueue due;     /* meeting ids whose minutes are due (gint64, allocated) */
	gint64 current; /* the meeting whose minutes are being made, 0: none */
	bool stopping;
	guint catch; /* the start-up catch-up, 0 once done */
};

/* The self-signed certificate in the data directory, made on the first start. */
static struct signer *self_signed(const struct config *cfg, GError **error)
{
	const char *dir = config_get_string(cfg, "data", "dir");
	const char *org = config_get_string(cfg, "minutes", "organisation");
	g_autofree char *cert = g_build_filename(dir, SELF_SIGNED_CERT, NULL);
	g_autofree char *key = g_build_filename(dir, SELF_SIGNED_KEY, NULL);
	bool have_cert = g_file_test(cert, G_FILE_TEST_EXISTS);

	if (have_cert != g_file_test(key, G_FILE_TEST_EXISTS)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
		            "%s is there without %s: restore it, or remove both to make a new "
		            "self-signed certificate",
		            have_cert ? cert : key, have_cert ? key : cert);
		return NULL;
	}
	if (!have_cert) {
		if (!signer_create_self_signed(cert, key, *org ? org : DEFAULT_ORG, error))
			return NULL;
		g_warning("[minutes] no [minutes] certificate configured: made a self-signed "
		          "organisation certificate %s (key %s). Minutes signed with it prove they "
		          "are unchanged, not who signed them; configure [minutes] certificate and "
		          "key with the province's certificate",
		          cert, key);
	} else {
		g_info("[minutes] signing with the self-signed certificate %s", cert);
	}
	return signer_load(cert, key, error);
}

static struct signer *load_signer(const struct config *cfg, GError **error)
{
	const char *cert = config_get_string(cfg, "minutes", "certificate");
	const char *key = config_get_string(cfg, "minutes", "key");
	g_autoptr(GError) local = NULL;
	struct signer *s;

	if (!*cert && !*key)
		return self_signed(cfg, error);
	if (!*cert || !*key) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		            "[minutes] %s is set but [minutes] %s is not: set both (PEM files)",
		            *cert ? "certificate" : "key", *cert ? "key" : "certificate");
		return NULL;
	}
	s = signer_load(cert, key, &local);
	if (!s) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		            "[minutes] certificate/key: %s", local->message);
		return NULL;
	}
	g_info("[minutes] signing as %s", signer_subject(s));
	return s;
}

static void generate_next(struct serve_minutes *sm);

static void generated(GObject *source, GAsyncResult *result, gpointer user_data)
{
	struct serve_minutes *sm = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) version = minutes_generate_finish(result, &error);

	if (!version)
		g_warning("[meeting %" G_GINT64_FORMAT "] minutes not made: %s", sm->current,
		          error->message);
	sm->current = 0;
	generate_next(sm);
}

/* Starts the minutes of the next meeting due, one at a time, each laid out on a worker
 * thread so that the server goes on answering meanwhile. */
static void generate_next(struct serve_minutes *sm)
{
	g_autofree gint64 *id = NULL;

	if (sm->current || sm->stopping || !(id = g_queue_pop_head(&sm->due)))
		return;
	sm->current = *id;
	minutes_generate_async(sm->minutes, NULL, *id, generated, sm);
}

void serve_minutes_meeting_ended(gint64 id, gpointer user_data)
{
	struct serve_minutes *sm = user_data;

	g_queue_push_tail(&sm->due, g_memdup2(&id, sizeof id));
	generate_next(sm);
}

static gboolean catch_up(gpointer user_data)
{
	struct serve_minutes *sm = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) missing = minutes_missing(sm->minutes, &error);

	sm->catch = 0;
	if (!missing) {
		g_warning("[minutes] cannot look for meetings without minutes: %s", error->message);
		return G_SOURCE_REMOVE;
	}
	if (missing->len)
		g_info("[minutes] %u meetings ended while the server was stopped: making their "
		       "minutes",
		       missing->len);
	for (guint i = 0; i < missing->len; i++)
		serve_minutes_meeting_ended(g_array_index(missing, gint64, i), sm);
	return G_SOURCE_REMOVE;
}

struct serve_minutes *serve_minutes_start(const struct config *cfg, struct store *st,
                                          struct clock *clock, GError **error)
{
	g_autoptr(serve_minutes) sm = g_new0(struct serve_minutes, 1);
	struct meetings_config mc;
	struct minutes_config cfg_minutes;

	g_queue_init(&sm->due);
	if (!app_meetings_config(cfg, &mc, error) || !(sm->signer = load_signer(cfg, error)))
		return NULL;
	cfg_minutes = (struct minutes_config){
	    .data_dir = config_get_string(cfg, "data", "dir"),
	    .organisation = config_get_string(cfg, "minutes", "organisation"),
	    .timezone = mc.timezone,
	};
	sm->minutes = minutes_new(st, clock, sm->signer, &cfg_minutes, error);
	if (!sm->minutes)
		return NULL;
	sm->catch = g_idle_add(catch_up, sm);
	return g_steal_pointer(&sm);
}

void serve_minutes_free(struct serve_minutes *sm)
{
	if (!sm)
		return;
	/* A generation under way finishes its files on its thread; its index row is made
	 * by the next start, which finds the meeting without minutes. */
	sm->stopping = true;
	if (sm->catch)
		g_source_remove(sm->catch);
	g_queue_clear_full(&sm->due, g_free);
	minutes_free(sm->minutes);
	signer_free(sm->signer);
	g_free(sm);
}

struct minutes *serve_minutes_service(struct serve_minutes *sm)
{
	return sm->minutes;
}

struct signer *serve_minutes_signer(struct serve_minutes *sm)
{
	return sm->signer;
}
