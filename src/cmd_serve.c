/* SPDX-License-Identifier: MIT */
/* `cau serve`: open the store, make sure an operator exists, serve HTTP and WebSocket
 * until SIGINT or SIGTERM. */
#define G_LOG_DOMAIN "cau"
#include "api/http.h"
#include "app.h"
#include "commands.h"
#include "control/accounts.h"
#include "control/materials.h"
#include "core/log.h"
#include "serve_meetings.h"
#include "serve_minutes.h"
#include "serve_recordings.h"
#include "transport/transport.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <stdio.h>

#define INITIAL_PASSWORD_FILE "initial-operator-password"

static gboolean on_signal(gpointer user_data)
{
	GMainLoop *loop = user_data;

	g_info("stopping on signal");
	g_main_loop_quit(loop);
	return G_SOURCE_CONTINUE;
}

/* Writes the new operator's password to a 0600 file in the data directory, so that it
 * can be read again until the operator changes it, and prints it once. */
static bool announce_first_operator(const struct config *cfg, const char *password, GError **error)
{
	const char *user = config_get_string(cfg, "auth", "first_operator");
	g_autofree char *file =
	    g_build_filename(config_get_string(cfg, "data", "dir"), INITIAL_PASSWORD_FILE, NULL);

	if (password) {
		g_autofree char *text = g_strdup_printf("user: %s\npassword: %s\n", user, password);
		int fd = g_open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
			g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
			            "cannot write %s: %s", file, g_strerror(errno));
			if (fd >= 0)
				close(fd);
			return false;
		}
		close(fd);
		printf("cau: first operator created: user \"%s\", password \"%s\"\n", user,
		       password);
		printf("cau: (also in %s, readable by this user only; delete it once the password "
		       "is changed)\n",
		       file);
	} else if (g_file_test(file, G_FILE_TEST_EXISTS)) {
		printf("cau: first operator \"%s\": initial password in %s\n", user, file);
	}
	return true;
}

static bool prepare_store(const struct config *cfg, struct store **out, GError **error)
{
	g_autoptr(store) st = app_open_store(cfg, error);
	g_autofree char *password = NULL;
	struct auth_policy policy = app_auth_policy(cfg);

	const char *data_dir = config_get_string(cfg, "data", "dir");

	/* The data directory holds more than an SQLite file (which would create it). */
	if (g_mkdir_with_parents(data_dir, 0750) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "[data] dir = \"%s\": cannot create it: %s", data_dir,
		            g_strerror(errno));
		return false;
	}
	if (!st || !store_migrate(st, error))
		return false;
	if (!accounts_ensure_first_operator(st, config_get_string(cfg, "auth", "first_operator"),
	                                    &policy.argon2, &password, error))
		return false;
	if (!announce_first_operator(cfg, password, error))
		return false;
	*out = g_steal_pointer(&st);
	return true;
}

/* Opens the blob store (removing temp files of uploads a crash interrupted) and removes
 * the blobs no material refers to, before anything is served. */
static struct blobstore *prepare_blobs(const struct config *cfg, struct store *st, GError **error)
{
	g_autoptr(blobstore) bs = blobstore_open(config_get_string(cfg, "data", "dir"), error);

	if (!bs || materials_collect_garbage(st, bs, error) < 0)
		return NULL;
	return g_steal_pointer(&bs);
}

static struct config *load(int *argc, char ***argv, GError **error)
{
	g_autofree char *config_path = NULL;
	int port = -1;
	GOptionEntry entries[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "configuration file", "FILE"},
	    {"port", 'p', 0, G_OPTION_ARG_INT, &port, "HTTP port (0: any free port)", "N"},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
	g_autoptr(config) cfg = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx, "Run the conference server.");
	if (!g_option_context_parse(ctx, argc, argv, error))
		return NULL;
	cfg = app_load_config(config_path, error);
	if (!cfg)
		return NULL;
	if (port != -1) {
		g_autofree char *text = g_strdup_printf("%d", port);
		if (!config_set(cfg, "http", "port", text, "option --port", error))
			return NULL;
	}
	if (!log_setup(config_get_string(cfg, "log", "level"),
	               config_get_string(cfg, "log", "format"), error))
		return NULL;
	return g_steal_pointer(&cfg);
}

/* A meeting ended or closed (REST, scheduler): its live room ends too. */
static void on_room_closed(gint64 id, gpointer user_data)
{
	http_server_meeting_closed(user_data, id);
}

/* A meeting's recording started or stopped: its room's participants are told. */
static void on_recording_changed(void *data, gint64 meeting_id, bool on, JsonNode *row)
{
	http_server_recording_changed(data, meeting_id, on, row);
}

int cmd_serve(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(config) cfg = load(&argc, &argv, &error);
	g_autoptr(store) st = NULL;
	g_autoptr(blobstore) blobs = NULL;
	g_autoptr(metrics) registry = NULL;
	g_autoptr(serve_meetings) scheduling = NULL;
	g_autoptr(serve_minutes) keeping = NULL;
	g_autoptr(serve_recordings) recording = NULL;
	g_autoptr(transport) media = NULL; /* freed after http: the WebSocket closes its peers */
	g_autoptr(http_server) http = NULL;
	g_autoptr(GMainLoop) loop = NULL;

	if (!cfg) {
		app_print_error(error);
		return 2;
	}
	if (!prepare_store(cfg, &st, &error) || !(blobs = prepare_blobs(cfg, st, &error))) {
		app_print_error(error);
		return 1;
	}
	registry = metrics_new();
	scheduling = serve_meetings_start(cfg, st, registry, &error);
	if (scheduling)
		keeping = serve_minutes_start(
		    cfg, st, meetings_clock(serve_meetings_service(scheduling)), &error);
	if (keeping)
		recording = serve_recordings_start(
		    cfg, st, meetings_clock(serve_meetings_service(scheduling)),
		    serve_minutes_signer(keeping), registry, &error);
	if (!scheduling || !keeping || !recording) {
		app_print_error(error);
		return 1;
	}
	serve_meetings_on_ended(scheduling, serve_minutes_meeting_ended, keeping);
	media = transport_new(cfg, registry, &error);
	if (!media) {
		app_print_error(error);
		return 1;
	}
	struct http_config hc = {
	    .host = config_get_string(cfg, "http", "host"),
	    .port = (guint)config_get_int(cfg, "http", "port"),
	    .web_root = config_get_string(cfg, "http", "web_root"),
	    .pdfjs_dir = config_get_string(cfg, "http", "pdfjs_dir"),
	    .max_body_bytes = config_get_int(cfg, "http", "max_body_bytes"),
	    .ws_max_message_bytes = config_get_int(cfg, "http", "ws_max_message_bytes"),
	    .ws_rate_per_s = (double)config_get_int(cfg, "http", "ws_rate_per_s"),
	    .ws_rate_burst = config_get_int(cfg, "http", "ws_rate_burst"),
	    .room_resume_seconds = (guint)config_get_int(cfg, "rooms", "resume_seconds"),
	    .transport = media,
	    .config = cfg,
	};
	struct rest_context rest = {
	    .store = st,
	    .auth = app_auth_policy(cfg),
	    .cookie_secure = config_get_bool(cfg, "auth", "cookie_secure"),
	    .meetings = serve_meetings_service(scheduling),
	    .join_secret = serve_meetings_secret(scheduling),
	    .blobs = blobs,
	    .upload_max_bytes = config_get_int(cfg, "materials", "max_bytes"),
	    .minutes = serve_minutes_service(keeping),
	    .recorder = serve_recordings_rest(recording),
	};
	http = http_server_new(&hc, registry, &rest, &error);
	if (!http) {
		app_print_error(error);
		return 1;
	}
	serve_recordings_set_rooms(recording, http_server_mcu_rooms(http));
	serve_recordings_on_changed(recording, on_recording_changed, http);
	serve_meetings_on_room_closed(scheduling, on_room_closed, http);
	loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGINT, on_signal, loop);
	g_unix_signal_add(SIGTERM, on_signal, loop);
	printf("cau: serving http://%s/ (database %s)\n", http_server_address(http),
	       store_display_url(st));
	printf("cau: ready http=%s\n", http_server_address(http));
	fflush(stdout);
	g_main_loop_run(loop);
	g_clear_pointer(&recording, serve_recordings_free); /* before the rooms go */
	serve_meetings_on_room_closed(scheduling, NULL, NULL);
	g_clear_pointer(&http, http_server_free);
	serve_meetings_on_ended(scheduling, NULL, NULL);
	g_clear_pointer(&keeping, serve_minutes_free);
	g_clear_pointer(&scheduling, serve_meetings_free);
	g_info("stopped");
	return 0;
}
