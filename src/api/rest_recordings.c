/* SPDX-License-Identifier: MIT */
/* /api/v1/meetings/{id}/recording and /recordings: operators start and stop the
 * recording of a meeting's room; operators, its chair and its invitees list and download
 * the recordings (HTTP ranges). */
#define G_LOG_DOMAIN "cau-rest"
#include "control/materials.h"
#include "control/recordings.h"
#include "download.h"
#include "errors.h"
#include "http.h"
#include "rest.h"
#include "validate.h"

#include <glib/gstdio.h>

/* Whether this server records; replies 500 when it does not. */
static bool recorder_here(struct rest_request *req)
{
	if (req->ctx->recorder)
		return true;
	http_reply_error(req->msg, API_ERROR_INTERNAL, "this server does not record");
	return false;
}

/* Neither start nor stop takes a body: there is nothing to choose. */
static bool no_body(struct rest_request *req)
{
	if (!req->body || json_object_get_size(req->body) == 0)
		return true;
	http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
	                 "send no body: the meeting's room is recorded as it is");
	return false;
}

/* Starts (201) or stops (200) the meeting's recording; the recorder says why it cannot. */
static void set_recording(struct rest_request *req, bool on)
{
	g_autoptr(GError) error = NULL;
	gint64 meeting_id = rest_param_id(req, 0);
	const struct rest_recorder *rec = req->ctx->recorder;
	JsonNode *row;

	if (!meeting_id || !recorder_here(req) || !no_body(req))
		return;
	row = on ? rec->start(rec->self, &req->who, meeting_id, &error)
	         : rec->stop(rec->self, &req->who, meeting_id, &error);
	if (!row) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, on ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, row);
}

static void post_recording(struct rest_request *req)
{
	set_recording(req, true);
}

static void delete_recording(struct rest_request *req)
{
	set_recording(req, false);
}

static void get_recordings(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	gint64 meeting_id = rest_param_id(req, 0);
	JsonNode *list;

	if (!meeting_id || !rest_may_read_meeting(req, meeting_id))
		return;
	if (!(list = recordings_list(req->ctx->store, meeting_id, &error))) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_OK, list);
}

/* GET .../recordings/{rid}.webm, .manifest.json or .manifest.json.p7s. */
static void get_recording_file(struct rest_request *req)
{
	static const struct {
		const char *suffix, *mime;
	} kinds[] = {{".webm", "video/webm"},
	             {".manifest.json", "application/json"},
	             {".manifest.json.p7s", "application/pkcs7-signature"}};
	g_autoptr(GError) error = NULL;
	gint64 meeting_id = rest_param_id(req, 0);
	const char *name = req->params[1];
	struct recording_file file;
	guint64 id = 0;
	gsize k;

	if (!meeting_id || !recorder_here(req) || !rest_may_read_meeting(req, meeting_id))
		return;
	for (k = 0; k < G_N_ELEMENTS(kinds); k++) {
		g_autofree char *number = NULL;
		if (!g_str_has_suffix(name, kinds[k].suffix))
			continue;
		number = g_strndup(name, strlen(name) - strlen(kinds[k].suffix));
		if (g_ascii_string_to_unsigned(number, 10, 1, G_MAXINT64, &id, NULL))
			break;
	}
	if (k == G_N_ELEMENTS(kinds)) {
		http_reply_error(req->msg, API_ERROR_NOT_FOUND,
		                 "\"%s\" is not a recording file: N.webm, N.manifest.json or "
		                 "N.manifest.json.p7s for recording N",
		                 name);
		return;
	}
	if (!recordings_find_file(req->ctx->store, meeting_id, (gint64)id, &file, &error)) {
		rest_reply_error(req, error);
		return;
	}
	g_autofree char *stem = g_strndup(file.file_name, strlen(file.file_name) - strlen(".webm"));
	g_autofree char *on_disk =
	    k == 0 ? g_strdup(file.file_name) : g_strconcat(stem, kinds[k].suffix, NULL);
	g_autofree char *path = g_build_filename(req->ctx->recorder->dir, on_disk, NULL);
	g_autofree char *etag = NULL;
	GStatBuf st = {0};

	if (k > 0) { /* manifests: their size is the file's; the ETag their mtime and size */
		if (g_stat(path, &st) != 0) {
			http_reply_error(req->msg, API_ERROR_NOT_FOUND,
			                 "recording %" G_GUINT64_FORMAT " has no manifest yet", id);
			recording_file_clear(&file);
			return;
		}
		etag = g_strdup_printf("%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
		                       (gint64)st.st_mtime, (gint64)st.st_size);
	}
	struct download_file d = {
	    .path = path,
	    .size = k == 0 ? file.size : (gint64)st.st_size,
	    .mime = kinds[k].mime,
	    .etag = k == 0 ? file.sha256 : etag,
	    .file_name = on_disk,
	};
	if (!download_serve(req->msg, &d, &error))
		rest_reply_error(req, error);
	recording_file_clear(&file);
}

static const struct rest_route routes[] = {
    {"POST", "meetings/{id}/recording", ROLE_OPERATOR, post_recording,
     "/api/v1/meetings/{id}/recording"},
    {"DELETE", "meetings/{id}/recording", ROLE_OPERATOR, delete_recording,
     "/api/v1/meetings/{id}/recording"},
    {"GET", "meetings/{id}/recordings", ROLE_NONE, get_recordings,
     "/api/v1/meetings/{id}/recordings"},
    {"GET", "meetings/{id}/recordings/{file}", ROLE_NONE, get_recording_file,
     "/api/v1/meetings/{id}/recordings/{file}"},
};

const struct rest_route_table rest_recordings_routes = {routes, G_N_ELEMENTS(routes)};
