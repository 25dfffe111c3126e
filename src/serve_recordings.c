/* SPDX-License-Identifier: MIT */
/* `cau serve`'s recordings: a recorder per recorded meeting, fed by its room's tap. */
#define G_LOG_DOMAIN "cau-recordings"
#include "serve_recordings.h"

#include "api/errors.h"
#include "control/recordings.h"
#include "record/recorder.h"

#include <errno.h>
#include <string.h>

#define ROOM_PREFIX      "meeting-"
#define RETENTION_PERIOD 3600 /* seconds between runs of the retention job */
#define MS_PER_DAY       (24 * 3600 * 1000LL)

static const struct principal system_principal = {0, "system", ROLE_OPERATOR};

/* One meeting being recorded. Main context, except the tap callbacks (the room's media
 * thread), which only read `recorder`. */
struct active {
	struct serve_recordings *sr;
	gint64 meeting_id, id;
	char *room, *path;
	struct recorder *recorder; /* atomic: NULL until opened */
	bool tapped;
	char *open_error; /* why the recorder could not be opened */
};

struct serve_recordings {
	struct store *st;
	struct clock *clock;
	struct signer *signer;
	struct metrics *registry;
	struct mcu_rooms *rooms;
	GMainContext *context;
	char *dir;
	gint64 retention_ms; /* 0: kept for ever */
	guint retention_timer;
	GHashTable *active; /* meeting id -> struct active */
	struct rest_recorder rest;
	serve_recording_changed_fn changed;
	void *changed_data;
	/* Totals of finished recordings, for the metrics. */
	struct recorder_stats done;
	uint64_t started, failures;
};

/* ---- the room's media thread ---- */

static void on_audio(void *user_data, uint32_t rtp_ts, int64_t time_ns, const uint8_t *data,
                     size_t len)
{
	struct active *a = user_data;
	struct recorder *r = g_atomic_pointer_get(&a->recorder);

	if (r)
		recorder_push_audio(r, rtp_ts, time_ns, data, len);
}

static bool on_video(void *user_data, uint32_t rtp_ts, int64_t time_ns, bool keyframe,
                     const uint8_t *data, size_t len)
{
	struct active *a = user_data;
	struct recorder *r = g_atomic_pointer_get(&a->recorder);

	/* A recording's video can only start at a key frame: ask for one until it has. */
	return r && recorder_push_video(r, rtp_ts, time_ns, keyframe, data, len) == -ENODATA;
}

/* ---- the main context ---- */

static void active_free(struct active *a)
{
	g_free(a->room);
	g_free(a->path);
	g_free(a->open_error);
	g_free(a);
}

static JsonNode *row_of(struct serve_recordings *sr, gint64 meeting_id, gint64 id, GError **error)
{
	g_autoptr(JsonNode) list = recordings_list(sr->st, meeting_id, error);
	JsonArray *rows;

	if (!list)
		return NULL;
	rows = json_node_get_array(list);
	for (guint i = 0; i < json_array_get_length(rows); i++) {
		JsonObject *o = json_array_get_object_element(rows, i);
		if (json_object_get_int_member(o, "id") == id)
			return json_node_init_object(json_node_alloc(), o);
	}
	g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND, "no recording %" G_GINT64_FORMAT,
	            id);
	return NULL;
}

/* Tells the listener that recording `id` of meeting `meeting_id` started or stopped. */
static void announce(struct serve_recordings *sr, gint64 meeting_id, gint64 id, bool on)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) row = NULL;

	if (!sr->changed)
		return;
	if (!(row = row_of(sr, meeting_id, id, &error)))
		g_warning("[meeting %" G_GINT64_FORMAT "] recording %" G_GINT64_FORMAT ": %s",
		          meeting_id, id, error->message);
	sr->changed(sr->changed_data, meeting_id, on, row);
}

/* Ends `a`'s recording: untapped, the file finished, hashed, its row ended (failed with
 * the reason when it failed), its manifest signed; `a` freed. */
static bool finish(struct serve_recordings *sr, struct active *a, const struct principal *who,
                   GError **error)
{
	g_autoptr(GError) why = NULL, local = NULL, unsigned_error = NULL;
	g_autofree char *sha256 = NULL;
	struct recorder_stats stats = {0};
	struct recording_end end = {0};
	struct recorder *r = g_atomic_pointer_get(&a->recorder);
	gint64 duration = r ? recorder_duration_ms(r) : 0;
	bool ok;

	if (a->tapped)
		mcu_rooms_untap(sr->rooms, a->room, a); /* no callback runs after this */
	g_hash_table_steal(sr->active, &a->meeting_id);
	if (r && !recorder_close(r, &stats, &why))
		end.reason = why->message;
	else if (!r)
		end.reason = a->open_error ? a->open_error : "the recorder did not start";
	if (!recordings_hash_file(a->path, &end.size, &sha256, &local)) {
		g_warning("[recording %" G_GINT64_FORMAT "] %s", a->id, local->message);
		sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)"", 0);
		if (!end.reason)
			end.reason = local->message;
	}
	end.sha256 = sha256;
	end.ended_at = clock_now_ms(sr->clock);
	end.duration_ms = duration;
	sr->done.audio_packets += stats.audio_packets;
	sr->done.video_frames += stats.video_frames;
	sr->done.bytes_written += stats.bytes_written;
	sr->done.dropped += stats.dropped;
	sr->failures += end.reason != NULL;
	ok = recordings_end(sr->st, who, a->id, &end, error);
	if (ok && r) /* a recorder that never opened was never announced */
		announce(sr, a->meeting_id, a->id, false);
	/* The recording stands without its manifest (e.g. on the disk that just filled up):
	 * logged, not the caller's failure. */
	if (ok && !recordings_write_manifest(sr->st, sr->signer, sr->dir, a->id, &unsigned_error))
		g_warning("[meeting %" G_GINT64_FORMAT " / recording %" G_GINT64_FORMAT
		          "] no manifest: %s",
		          a->meeting_id, a->id, unsigned_error->message);
	if (end.reason)
		g_warning("[meeting %" G_GINT64_FORMAT " / recording %" G_GINT64_FORMAT
		          "] failed: %s; the meeting goes on",
		          a->meeting_id, a->id, end.reason);
	else
		g_info("[meeting %" G_GINT64_FORMAT " / recording %" G_GINT64_FORMAT
		       "] finished: %" G_GINT64_FORMAT " ms, %" G_GINT64_FORMAT " bytes",
		       a->meeting_id, a->id, duration, end.size);
	active_free(a);
	return ok;
}

/* A recording whose room closed or whose file failed: ended by the system. */
static gboolean end_by_system(gpointer data)
{
	gint64 *key = data;
	struct serve_recordings *sr = *(struct serve_recordings **)(key + 1);
	struct active *a = g_hash_table_lookup(sr->active, key);
	g_autoptr(GError) error = NULL;

	if (a && !finish(sr, a, &system_principal, &error))
		g_warning("[meeting %" G_GINT64_FORMAT "] recording not ended: %s", *key,
		          error->message);
	g_free(key);
	return G_SOURCE_REMOVE;
}

static void schedule_end(struct serve_recordings *sr, gint64 meeting_id)
{
	/* The meeting id, then the service: looked up again on the main context, where the
	 * recording may have been stopped meanwhile. */
	gint64 *key = g_malloc(sizeof(gint64) + sizeof(sr));

	*key = meeting_id;
	*(struct serve_recordings **)(key + 1) = sr;
	g_main_context_invoke(sr->context, end_by_system, key);
}

/* The room went away (its last member left); control thread, inside the registry. */
static void on_closed(void *user_data)
{
	struct active *a = user_data;

	a->tapped = false;
	g_info("[meeting %" G_GINT64_FORMAT "] the room closed: the recording ends", a->meeting_id);
	schedule_end(a->sr, a->meeting_id);
}

/* The recorder's thread: the disk failed. */
static void on_failed(void *user_data, const char *reason)
{
	struct active *a = user_data;

	(void)reason; /* recorder_close() gives it again */
	schedule_end(a->sr, a->meeting_id);
}

/* Whether meeting `meeting_id`'s policy lets it be recorded (not "none"). */
static bool may_record(struct serve_recordings *sr, gint64 meeting_id, GError **error)
{
	g_autofree char *policy = recordings_policy(sr->st, meeting_id, error);

	if (!policy)
		return false;
	if (strcmp(policy, "none") == 0) {
		g_set_error(error, API_ERROR, API_ERROR_RECORDING_DISABLED,
		            "meeting %" G_GINT64_FORMAT " may not be recorded: its recording "
		            "policy is \"none\" (an operator may set it to \"manual\" or \"auto\")",
		            meeting_id);
		return false;
	}
	return true;
}

static JsonNode *start(void *self, const struct principal *who, gint64 meeting_id, GError **error)
{
	struct serve_recordings *sr = self;
	struct active *a;
	struct mcu_tap tap = {on_audio, on_video, on_closed, NULL};
	struct recorder_config cfg = {.failed = on_failed};
	g_autofree char *file_name = NULL;
	g_autoptr(GError) why = NULL;
	struct recorder *r;
	bool video = false;
	int err;

	if (!sr->rooms) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT, "no rooms are served");
		return NULL;
	}
	if (!may_record(sr, meeting_id, error))
		return NULL;
	a = g_new0(struct active, 1);
	a->sr = sr;
	a->meeting_id = meeting_id;
	a->room = g_strdup_printf(ROOM_PREFIX "%" G_GINT64_FORMAT, meeting_id);
	tap.user_data = a;
	cfg.user_data = a;
	if ((err = mcu_rooms_tap(sr->rooms, a->room, &tap, &video)) != 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            err == -ENOENT ? "the room of meeting %" G_GINT64_FORMAT
		                             " is not open: no one is in mcu:%s"
		                           : "meeting %" G_GINT64_FORMAT
		                             " is being recorded already (%s)",
		            meeting_id, a->room);
		active_free(a);
		return NULL;
	}
	a->tapped = true;
	a->id = recordings_begin(sr->st, who, meeting_id, video ? "audio+video" : "audio",
	                         clock_now_ms(sr->clock), &file_name, error);
	if (!a->id) {
		mcu_rooms_untap(sr->rooms, a->room, a);
		active_free(a);
		return NULL;
	}
	a->path = g_build_filename(sr->dir, file_name, NULL);
	g_hash_table_insert(sr->active, &a->meeting_id, a);
	sr->started++;
	cfg.tracks = RECORDER_AUDIO | (video ? RECORDER_VIDEO : 0);
	r = recorder_open(a->path, &cfg, &why);
	if (!r) {
		/* The row says why; the caller sees it failed. */
		g_autoptr(GError) ignored = NULL;
		a->open_error = g_strdup(why->message);
		finish(sr, a, who, &ignored);
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT, "cannot record: %s",
		            why->message);
		return NULL;
	}
	g_atomic_pointer_set(&a->recorder, r);
	g_info("[meeting %" G_GINT64_FORMAT " / recording %" G_GINT64_FORMAT "] recording %s to %s",
	       meeting_id, a->id, a->room, a->path);
	announce(sr, meeting_id, a->id, true);
	return row_of(sr, meeting_id, a->id, error);
}

/* A peer joined the meeting's mcu room: policy "auto" records it from then on. */
static void media_joined(void *self, gint64 meeting_id)
{
	struct serve_recordings *sr = self;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) row = NULL;
	g_autofree char *policy = NULL;

	if (g_hash_table_contains(sr->active, &meeting_id))
		return;
	if (!(policy = recordings_policy(sr->st, meeting_id, &error))) {
		g_warning("[meeting %" G_GINT64_FORMAT "] no recording policy: %s", meeting_id,
		          error->message);
		return;
	}
	if (strcmp(policy, "auto") != 0)
		return;
	if (!(row = start(sr, &system_principal, meeting_id, &error)))
		g_warning("[meeting %" G_GINT64_FORMAT "] policy \"auto\": not recording: %s",
		          meeting_id, error->message);
}

static JsonNode *stop(void *self, const struct principal *who, gint64 meeting_id, GError **error)
{
	struct serve_recordings *sr = self;
	struct active *a = g_hash_table_lookup(sr->active, &meeting_id);
	gint64 id;

	if (!a) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "meeting %" G_GINT64_FORMAT " is not being recorded", meeting_id);
		return NULL;
	}
	id = a->id;
	if (!finish(sr, a, who, error))
		return NULL;
	return row_of(sr, meeting_id, id, error);
}

static gboolean run_retention(gpointer data)
{
	struct serve_recordings *sr = data;
	g_autoptr(GError) error = NULL;
	gint n;

	if (sr->retention_ms <= 0)
		return G_SOURCE_CONTINUE;
	n = recordings_expire(sr->st, sr->dir, clock_now_ms(sr->clock), sr->retention_ms, &error);
	if (n < 0)
		g_warning("recordings: the retention job failed: %s", error->message);
	else if (n > 0)
		g_info("recordings: %d deleted after the retention period", n);
	return G_SOURCE_CONTINUE;
}

static void collect(GString *out, gpointer user_data)
{
	struct serve_recordings *sr = user_data;
	struct recorder_stats sum = sr->done, s;
	unsigned encoders = 0;
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, sr->active);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		struct recorder *r = g_atomic_pointer_get(&((struct active *)value)->recorder);
		if (!r)
			continue;
		recorder_get_stats(r, &s);
		sum.audio_packets += s.audio_packets;
		sum.video_frames += s.video_frames;
		sum.bytes_written += s.bytes_written;
		sum.dropped += s.dropped;
		encoders += s.encoders;
	}
	metrics_write_header(out, "cau_recorder_active", "gauge", "Recordings in progress.");
	metrics_write_sample(out, "cau_recorder_active", g_hash_table_size(sr->active), NULL);
	metrics_write_header(out, "cau_recorder_encoders", "gauge",
	                     "Encoder elements in the recorders' pipelines: they mux the MCU's "
	                     "own encodes, so always 0.");
	metrics_write_sample(out, "cau_recorder_encoders", encoders, NULL);
	metrics_write_header(out, "cau_recorder_started_total", "counter", "Recordings started.");
	metrics_write_sample(out, "cau_recorder_started_total", (double)sr->started, NULL);
	metrics_write_header(out, "cau_recorder_failures_total", "counter",
	                     "Recordings that ended in a failure (disk full, ...).");
	metrics_write_sample(out, "cau_recorder_failures_total", (double)sr->failures, NULL);
	metrics_write_header(out, "cau_recorder_audio_packets_total", "counter",
	                     "Opus packets of the shared mix written to recordings.");
	metrics_write_sample(out, "cau_recorder_audio_packets_total", (double)sum.audio_packets,
	                     NULL);
	metrics_write_header(out, "cau_recorder_video_frames_total", "counter",
	                     "VP8 frames of the composite written to recordings.");
	metrics_write_sample(out, "cau_recorder_video_frames_total", (double)sum.video_frames,
	                     NULL);
	metrics_write_header(out, "cau_recorder_bytes_total", "counter",
	                     "Bytes of recordings on disk (flushed).");
	metrics_write_sample(out, "cau_recorder_bytes_total", (double)sum.bytes_written, NULL);
	metrics_write_header(out, "cau_recorder_dropped_total", "counter",
	                     "Packets not recorded (queue full, before a key frame, after a "
	                     "failure).");
	metrics_write_sample(out, "cau_recorder_dropped_total", (double)sum.dropped, NULL);
}

/* Recordings a previous run left open: failed, with a manifest of the file as it is. */
static bool recover(struct serve_recordings *sr, GError **error)
{
	g_autoptr(GArray) ids = recordings_recover(sr->st, sr->dir, clock_now_ms(sr->clock), error);

	if (!ids)
		return false;
	for (guint i = 0; i < ids->len; i++)
		if (!recordings_write_manifest(sr->st, sr->signer, sr->dir,
		                               g_array_index(ids, gint64, i), error))
			return false;
	return true;
}

struct serve_recordings *serve_recordings_start(const struct config *cfg, struct store *st,
                                                struct clock *clock, struct signer *by,
                                                struct metrics *registry, GError **error)
{
	g_autofree char *dir =
	    g_build_filename(config_get_string(cfg, "data", "dir"), RECORDINGS_DIR, NULL);
	struct serve_recordings *sr;

	if (g_mkdir_with_parents(dir, 0750) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "cannot create %s: %s", dir, g_strerror(errno));
		return NULL;
	}
	sr = g_new0(struct serve_recordings, 1);
	sr->st = st;
	sr->clock = clock;
	sr->signer = signer_ref(by);
	sr->context = g_main_context_ref_thread_default();
	sr->dir = g_steal_pointer(&dir);
	sr->retention_ms = config_get_int(cfg, "recordings", "retention_days") * MS_PER_DAY;
	sr->active = g_hash_table_new(g_int64_hash, g_int64_equal);
	sr->rest = (struct rest_recorder){start, stop, media_joined, sr, sr->dir};
	if (!recover(sr, error)) {
		serve_recordings_free(sr);
		return NULL;
	}
	run_retention(sr);
	sr->retention_timer = g_timeout_add_seconds(RETENTION_PERIOD, run_retention, sr);
	sr->registry = registry;
	metrics_add_collector(registry, collect, sr);
	return sr;
}

void serve_recordings_set_rooms(struct serve_recordings *sr, struct mcu_rooms *rooms)
{
	sr->rooms = rooms;
}

void serve_recordings_on_changed(struct serve_recordings *sr, serve_recording_changed_fn fn,
                                 void *data)
{
	sr->changed = fn;
	sr->changed_data = data;
}

const struct rest_recorder *serve_recordings_rest(struct serve_recordings *sr)
{
	return &sr->rest;
}

void serve_recordings_free(struct serve_recordings *sr)
{
	GHashTableIter iter;
	gpointer value;

	if (!sr)
		return;
	for (;;) {
		g_autoptr(GError) error = NULL;
		g_hash_table_iter_init(&iter, sr->active);
		if (!g_hash_table_iter_next(&iter, NULL, &value))
			break;
		if (!finish(sr, value, &system_principal, &error))
			g_warning("recordings: not ended cleanly: %s", error->message);
	}
	if (sr->registry)
		metrics_remove_collector(sr->registry, collect, sr);
	if (sr->retention_timer)
		g_source_remove(sr->retention_timer);
	g_hash_table_unref(sr->active);
	g_main_context_unref(sr->context);
	signer_free(sr->signer);
	g_free(sr->dir);
	g_free(sr);
}
