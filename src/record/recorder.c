/* SPDX-License-Identifier: MIT */
/* The recorder's GStreamer glue: appsrc per track -> webmmux (streamable) -> filesink,
 * a housekeeping thread that fsyncs every second and watches the bus. */
#define G_LOG_DOMAIN "cau-recorder"
#include "recorder.h"

#include "rtp_timeline.h"

#include <errno.h>
#include <fcntl.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_FLUSH_MS    1000
#define DEFAULT_QUEUE_BYTES (8u << 20)
#define CLUSTER_MAX_NS      (1000 * GST_MSECOND)
#define CLOSE_TIMEOUT_US    (5 * G_TIME_SPAN_SECOND)
#define AUDIO_CAPS                                                                                 \
	"audio/x-opus, channels=(int)1, rate=(int)48000, "                                         \
	"channel-mapping-family=(int)0"

struct track {
	GstAppSrc *src; /* NULL when the segment has no such track */
	struct rtp_timeline timeline;
	bool caps_set; /* video: caps come from the first key frame */
	bool started;  /* video: a key frame was queued; until then only a key frame starts it */
};

struct recorder {
	char *path;
	struct recorder_config cfg;
	GstElement *pipeline;
	struct track audio, video;
	int sync_fd; /* another descriptor of the file, for fsync and its size */
	GThread *thread;
	unsigned encoders;

	GMutex lock; /* guards what follows; never held while calling out */
	GCond cond;
	bool stopping, eos, failed;
	char *reason;
	bool have_origin;
	int64_t origin_ns;
	int64_t last_running_ns;
	struct recorder_stats stats;
};

static GstElement *make(const char *factory, const char *name, GError **error)
{
	GstElement *e = gst_element_factory_make(factory, name);

	if (!e)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
		            "the GStreamer element %s is missing (install gstreamer1.0-plugins-"
		            "base and -good)",
		            factory);
	return e;
}

/* Encoders among the pipeline's elements: the recorder only muxes what the MCU encoded. */
static unsigned count_encoders(GstElement *pipeline)
{
	GstIterator *it = gst_bin_iterate_recurse(GST_BIN(pipeline));
	GValue item = G_VALUE_INIT;
	unsigned n = 0;

	while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		GstElement *e = g_value_get_object(&item);
		GstElementFactory *f = gst_element_get_factory(e);
		const char *klass =
		    f ? gst_element_factory_get_metadata(f, GST_ELEMENT_METADATA_KLASS) : NULL;
		if (klass && strstr(klass, "Encoder"))
			n++;
		g_value_reset(&item);
	}
	g_value_unset(&item);
	gst_iterator_free(it);
	return n;
}

static bool add_track(struct recorder *r, struct track *t, const char *name, const char *pad,
                      GstElement *mux, GstCaps *caps, GError **error)
{
	GstElement *src = make("appsrc", name, error);
	g_autoptr(GstPad) sinkpad = NULL;
	g_autoptr(GstPad) srcpad = NULL;

	if (!src)
		return false;
	g_object_set(src, "format", GST_FORMAT_TIME, "is-live", TRUE, "block", FALSE, "max-bytes",
	             (guint64)r->cfg.queue_max_bytes * 2, NULL);
	if (caps)
		gst_app_src_set_caps(GST_APP_SRC(src), caps);
	gst_bin_add(GST_BIN(r->pipeline), src);
	sinkpad = gst_element_request_pad_simple(mux, pad);
	srcpad = gst_element_get_static_pad(src, "src");
	if (!sinkpad || gst_pad_link(srcpad, sinkpad) != GST_PAD_LINK_OK) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot link %s to webmmux",
		            name);
		return false;
	}
	t->src = GST_APP_SRC(src);
	return true;
}

static bool build(struct recorder *r, GError **error)
{
	GstElement *mux, *sink;
	g_autoptr(GstCaps) audio_caps = gst_caps_from_string(AUDIO_CAPS);

	r->pipeline = gst_pipeline_new("recorder");
	if (!(mux = make("webmmux", "mux", error)))
		return false;
	if (!(sink = make("filesink", "sink", error))) {
		gst_object_unref(gst_object_ref_sink(mux));
		return false;
	}
	/* Streamable: the muxer never seeks back, so every byte written stays valid and a
	 * file cut at any point plays up to there. Clusters of at most a second, written
	 * without user-space buffering: a kill loses at most what the queue held. */
	g_object_set(mux, "streamable", TRUE, "max-cluster-duration", (gint64)CLUSTER_MAX_NS, NULL);
	g_object_set(sink, "location", r->path, "buffer-mode", 2 /* unbuffered */, "sync", FALSE,
	             "async", FALSE, NULL);
	gst_bin_add_many(GST_BIN(r->pipeline), mux, sink, NULL);
	if (!gst_element_link(mux, sink)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
		            "cannot link webmmux to filesink");
		return false;
	}
	if ((r->cfg.tracks & RECORDER_AUDIO) &&
	    !add_track(r, &r->audio, "audio", "audio_%u", mux, audio_caps, error))
		return false;
	if ((r->cfg.tracks & RECORDER_VIDEO) &&
	    !add_track(r, &r->video, "video", "video_%u", mux, NULL, error))
		return false;
	return true;
}

/* ---- the housekeeping thread ---- */

static void fail(struct recorder *r, const char *reason)
{
	bool first;

	g_mutex_lock(&r->lock);
	first = !r->failed;
	if (first) {
		r->failed = true;
		r->stats.failed = true;
		r->reason = g_strdup(reason);
	}
	g_cond_broadcast(&r->cond);
	g_mutex_unlock(&r->lock);
	if (!first)
		return;
	g_warning("[recording %s] failed: %s", r->path, reason);
	if (r->cfg.failed)
		r->cfg.failed(r->cfg.user_data, reason);
}

static void flush_to_disk(struct recorder *r)
{
	struct stat st;
	bool synced = fsync(r->sync_fd) == 0;
	bool sized = fstat(r->sync_fd, &st) == 0;

	g_mutex_lock(&r->lock);
	r->stats.flushes += synced;
	if (sized)
		r->stats.bytes_written = (uint64_t)st.st_size;
	g_mutex_unlock(&r->lock);
}

static void on_message(struct recorder *r, GstMessage *msg)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *debug = NULL;

	switch (GST_MESSAGE_TYPE(msg)) {
	case GST_MESSAGE_ERROR:
		gst_message_parse_error(msg, &err, &debug);
		g_debug("[recording %s] %s: %s", r->path, GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)),
		        debug ? debug : "");
		fail(r, err->message);
		break;
	case GST_MESSAGE_EOS:
		g_mutex_lock(&r->lock);
		r->eos = true;
		g_cond_broadcast(&r->cond);
		g_mutex_unlock(&r->lock);
		break;
	default:
		break;
	}
}

static gpointer housekeeping(gpointer data)
{
	struct recorder *r = data;
	g_autoptr(GstBus) bus = gst_pipeline_get_bus(GST_PIPELINE(r->pipeline));
	gint64 next_flush = g_get_monotonic_time() + r->cfg.flush_ms * 1000;

	for (;;) {
		gint64 now = g_get_monotonic_time();
		GstMessage *msg;
		bool stopping;

		if (now >= next_flush) {
			flush_to_disk(r);
			next_flush = now + r->cfg.flush_ms * 1000;
		}
		msg = gst_bus_timed_pop(bus, (GstClockTime)(next_flush - now) * GST_USECOND);
		if (msg) {
			on_message(r, msg);
			gst_message_unref(msg);
		}
		g_mutex_lock(&r->lock);
		stopping = r->stopping;
		g_mutex_unlock(&r->lock);
		if (stopping)
			return NULL;
	}
}

/* ---- the owner ---- */

static void init_gstreamer(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		gst_init(NULL, NULL);
		g_once_init_leave(&done, 1);
	}
}

/* The reason the pipeline would not start (filesink's, e.g. a missing directory). */
static void start_error(struct recorder *r, GError **error)
{
	g_autoptr(GstBus) bus = gst_pipeline_get_bus(GST_PIPELINE(r->pipeline));
	g_autoptr(GstMessage) msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
	g_autoptr(GError) err = NULL;

	if (msg)
		gst_message_parse_error(msg, &err, NULL);
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot record to %s: %s", r->path,
	            err ? err->message : "the pipeline does not start");
}

static void recorder_free(struct recorder *r)
{
	if (r->pipeline) {
		gst_element_set_state(r->pipeline, GST_STATE_NULL);
		gst_object_unref(r->pipeline);
	}
	if (r->sync_fd >= 0)
		close(r->sync_fd);
	g_mutex_clear(&r->lock);
	g_cond_clear(&r->cond);
	g_free(r->reason);
	g_free(r->path);
	g_free(r);
}

struct recorder *recorder_open(const char *path, const struct recorder_config *cfg, GError **error)
{
	struct recorder *r;

	g_return_val_if_fail(cfg && (cfg->tracks & (RECORDER_AUDIO | RECORDER_VIDEO)), NULL);
	init_gstreamer();
	r = g_new0(struct recorder, 1);
	r->path = g_strdup(path);
	r->cfg = *cfg;
	r->cfg.flush_ms = cfg->flush_ms ? cfg->flush_ms : DEFAULT_FLUSH_MS;
	r->cfg.queue_max_bytes = cfg->queue_max_bytes ? cfg->queue_max_bytes : DEFAULT_QUEUE_BYTES;
	r->sync_fd = -1;
	g_mutex_init(&r->lock);
	g_cond_init(&r->cond);
	rtp_timeline_init(&r->audio.timeline, 48000);
	rtp_timeline_init(&r->video.timeline, 90000);
	if (!build(r, error))
		goto out_free;
	r->encoders = count_encoders(r->pipeline);
	if (gst_element_set_state(r->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		start_error(r, error);
		goto out_free;
	}
	/* filesink has created the file on the way to PLAYING. */
	r->sync_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->sync_fd < 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "cannot open %s: %s",
		            path, g_strerror(errno));
		goto out_free;
	}
	r->thread = g_thread_new("recorder", housekeeping, r);
	g_info("[recording %s] started (%s%s)", path, (cfg->tracks & RECORDER_AUDIO) ? "opus" : "",
	       (cfg->tracks & RECORDER_VIDEO) ? " vp8" : "");
	return r;

out_free:
	recorder_free(r);
	return NULL;
}

/* The running time of a packet, or -1 to drop it; counts the drop. Takes the lock. */
static int64_t place(struct recorder *r, struct track *t, uint32_t rtp_ts, int64_t time_ns,
                     size_t len)
{
	int64_t at = -1;

	g_mutex_lock(&r->lock);
	if (!r->have_origin) {
		r->have_origin = true;
		r->origin_ns = time_ns;
	}
	if (time_ns - r->origin_ns < 0 ||
	    gst_app_src_get_current_level_bytes(t->src) + len > r->cfg.queue_max_bytes ||
	    rtp_timeline_map(&t->timeline, rtp_ts, time_ns - r->origin_ns, &at) != 0 || at < 0) {
		at = -1;
		r->stats.dropped++;
	} else {
		r->stats.resyncs = r->audio.timeline.resyncs + r->video.timeline.resyncs;
		if (at > r->last_running_ns)
			r->last_running_ns = at;
	}
	g_mutex_unlock(&r->lock);
	return at;
}

static int push(struct recorder *r, struct track *t, int64_t at, bool delta, const uint8_t *data,
                size_t len)
{
	GstBuffer *buf = gst_buffer_new_memdup(data, len);

	GST_BUFFER_PTS(buf) = (GstClockTime)at;
	GST_BUFFER_DTS(buf) = (GstClockTime)at;
	if (delta)
		GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
	return gst_app_src_push_buffer(t->src, buf) == GST_FLOW_OK ? 0 : -EPIPE;
}

static bool failed(struct recorder *r)
{
	bool f;

	g_mutex_lock(&r->lock);
	f = r->failed;
	if (f)
		r->stats.dropped++;
	g_mutex_unlock(&r->lock);
	return f;
}

int recorder_push_audio(struct recorder *r, uint32_t rtp_ts, int64_t time_ns, const uint8_t *data,
                        size_t len)
{
	int64_t at;
	int err;

	if (!r->audio.src || len == 0)
		return -EINVAL;
	if (failed(r))
		return -EPIPE;
	if ((at = place(r, &r->audio, rtp_ts, time_ns, len)) < 0)
		return -EAGAIN;
	err = push(r, &r->audio, at, false, data, len);
	g_mutex_lock(&r->lock);
	r->stats.audio_packets += err == 0;
	g_mutex_unlock(&r->lock);
	return err;
}

/* The picture size in a VP8 key frame's header (RFC 6386 9.1), or false. */
static bool vp8_keyframe_size(const uint8_t *data, size_t len, int *width, int *height)
{
	if (len < 10 || (data[0] & 1) != 0 || data[3] != 0x9d || data[4] != 0x01 || data[5] != 0x2a)
		return false;
	*width = (data[6] | data[7] << 8) & 0x3fff;
	*height = (data[8] | data[9] << 8) & 0x3fff;
	return *width > 0 && *height > 0;
}

static bool drop_video(struct recorder *r)
{
	g_mutex_lock(&r->lock);
	r->stats.dropped++;
	g_mutex_unlock(&r->lock);
	return false;
}

/* Video starts at a key frame, whose header gives the track its caps. Pusher thread. */
static bool video_ready(struct recorder *r, bool keyframe, const uint8_t *data, size_t len)
{
	int width, height;

	if (r->video.caps_set)
		return true;
	if (!keyframe || !vp8_keyframe_size(data, len, &width, &height))
		return drop_video(r);
	g_autoptr(GstCaps) caps =
	    gst_caps_new_simple("video/x-vp8", "width", G_TYPE_INT, width, "height", G_TYPE_INT,
	                        height, "framerate", GST_TYPE_FRACTION, 0, 1, NULL);
	gst_app_src_set_caps(r->video.src, caps);
	r->video.caps_set = true;
	return true;
}

int recorder_push_video(struct recorder *r, uint32_t rtp_ts, int64_t time_ns, bool keyframe,
                        const uint8_t *data, size_t len)
{
	int64_t at;
	int err;

	if (!r->video.src || len == 0)
		return -EINVAL;
	if (failed(r))
		return -EPIPE;
	if (!video_ready(r, keyframe, data, len))
		return -ENODATA;
	if ((at = place(r, &r->video, rtp_ts, time_ns, len)) < 0) {
		/* A first key frame that could not be placed (it came before the audio's
		 * origin, or the queue was full) starts nothing: wait for the next one rather
		 * than record frames that no decoder can use. */
		if (!r->video.started) {
			r->video.caps_set = false;
			return -ENODATA;
		}
		return -EAGAIN;
	}
	err = push(r, &r->video, at, !keyframe, data, len);
	r->video.started |= err == 0;
	g_mutex_lock(&r->lock);
	r->stats.video_frames += err == 0;
	g_mutex_unlock(&r->lock);
	return err;
}

void recorder_get_stats(struct recorder *r, struct recorder_stats *out)
{
	g_mutex_lock(&r->lock);
	*out = r->stats;
	g_mutex_unlock(&r->lock);
	out->encoders = r->encoders;
}

int64_t recorder_duration_ms(struct recorder *r)
{
	int64_t ms;

	g_mutex_lock(&r->lock);
	ms = r->last_running_ns / 1000000;
	g_mutex_unlock(&r->lock);
	return ms;
}

/* Sends end-of-stream and waits for the muxer to have written everything, or a failure. */
static bool finish(struct recorder *r, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + CLOSE_TIMEOUT_US;
	bool ok;

	if (r->audio.src)
		gst_app_src_end_of_stream(r->audio.src);
	if (r->video.src)
		gst_app_src_end_of_stream(r->video.src);
	g_mutex_lock(&r->lock);
	while (!r->eos && !r->failed)
		if (!g_cond_wait_until(&r->cond, &r->lock, deadline))
			break;
	ok = r->eos && !r->failed;
	if (r->failed)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", r->reason);
	else if (!r->eos)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
		            "the muxer did not finish within 5 s");
	r->stopping = true;
	g_mutex_unlock(&r->lock);
	return ok;
}

bool recorder_close(struct recorder *r, struct recorder_stats *out, GError **error)
{
	bool ok;

	if (!r)
		return true;
	ok = finish(r, error);
	g_thread_join(r->thread);
	gst_element_set_state(r->pipeline, GST_STATE_NULL); /* filesink closes the file */
	flush_to_disk(r);
	if (out)
		recorder_get_stats(r, out);
	g_info("[recording %s] %s", r->path, ok ? "finished" : "ended after a failure");
	recorder_free(r);
	return ok;
}
