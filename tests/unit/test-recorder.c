/* SPDX-License-Identifier: MIT */
/* Tests of the recorder: real VP8 frames (libvpx) and Opus packets (libopus) in, a WebM
 * file out, decoded again with GStreamer: tracks, duration, a flash and a beep at the
 * same RTP time within 40 ms of each other, no encoder in the pipeline. */
#include "media/opus_codec.h"
#include "media/video_frame.h"
#include "media/vp8_codec.h"
#include "record/recorder.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <math.h>

#define MS         1000000LL
#define SECONDS    3
#define EVENT_MS   2000
#define WIDTH      320
#define HEIGHT     240
#define BASE_NS    (7777 * MS) /* any monotonic time: the recording starts from the first packet */
#define AUDIO_BASE 0xfffe0000u /* both RTP clocks wrap during the test */
#define VIDEO_BASE 0xffff0000u

struct source {
	struct audio_encoder *opus;
	struct vp8_encoder *vp8;
	struct video_frame *picture;
};

static void source_init(struct source *s)
{
	struct audio_encoder_config acfg;
	struct vp8_encoder_config vcfg;

	audio_encoder_config_init(&acfg);
	acfg.bitrate = 64000;
	s->opus = audio_encoder_new(&acfg);
	vp8_encoder_config_init(&vcfg);
	vcfg.width = WIDTH;
	vcfg.height = HEIGHT;
	s->vp8 = vp8_encoder_new(&vcfg, "test");
	s->picture = video_frame_new(WIDTH, HEIGHT);
	g_assert_nonnull(s->opus);
	g_assert_nonnull(s->vp8);
}

static void source_clear(struct source *s)
{
	audio_encoder_free(s->opus);
	vp8_encoder_free(s->vp8);
	video_frame_unref(s->picture);
}

/* 20 ms of silence, or of a 1 kHz beep from EVENT_MS for 200 ms. */
static void push_audio(struct source *s, struct recorder *r, int i)
{
	int16_t pcm[AUDIO_FRAME_SAMPLES] = {0};
	uint8_t out[AUDIO_PAYLOAD_MAX];
	size_t len;
	bool dtx;

	if (i * 20 >= EVENT_MS && i * 20 < EVENT_MS + 200)
		for (int n = 0; n < AUDIO_FRAME_SAMPLES; n++)
			pcm[n] = (int16_t)(12000 * sin(2 * G_PI * 1000 * (i * 960 + n) / 48000.0));
	g_assert_cmpint(audio_encoder_encode(s->opus, pcm, out, sizeof(out), &len, &dtx), ==, 0);
	g_assert_cmpint(
	    recorder_push_audio(r, AUDIO_BASE + (uint32_t)i * 960, BASE_NS + i * 20 * MS, out, len),
	    ==, 0);
}

/* A dark frame, or a white one from EVENT_MS for 200 ms; a key frame every second. */
static void push_video(struct source *s, struct recorder *r, int j)
{
	int64_t at = j * 1000 * MS / 30;
	bool flash = at >= EVENT_MS * MS && at < (EVENT_MS + 200) * MS;
	struct vp8_encoded_info info;
	const uint8_t *data;

	video_frame_fill(s->picture, flash ? 235 : 16, 128, 128);
	g_assert_cmpint(
	    vp8_encoder_encode(s->vp8, s->picture, (uint64_t)j * 3000, j % 30 == 0, &info, &data),
	    ==, 0);
	g_assert_cmpint(recorder_push_video(r, VIDEO_BASE + (uint32_t)j * 3000, BASE_NS + at,
	                                    info.keyframe, data, info.len),
	                ==, 0);
}

/* The running times of the first loud audio and the first bright picture in `path`. */
struct decoded {
	int64_t beep_ns, flash_ns, audio_end_ns, video_end_ns;
	unsigned frames;
};

static void decode(const char *path, struct decoded *d)
{
	g_autofree char *desc = g_strdup_printf(
	    "filesrc location=\"%s\" ! matroskademux name=d "
	    "d.audio_0 ! queue ! opusdec ! audioconvert ! audio/x-raw,format=S16LE,channels=1 ! "
	    "appsink name=a sync=false "
	    "d.video_0 ! queue ! vp8dec ! videoconvert ! video/x-raw,format=I420 ! "
	    "appsink name=v sync=false",
	    path);
	g_autoptr(GError) error = NULL;
	GstElement *pipe = gst_parse_launch(desc, &error);
	GstElement *a, *v;
	GstSample *sample;

	g_assert_no_error(error);
	a = gst_bin_get_by_name(GST_BIN(pipe), "a");
	v = gst_bin_get_by_name(GST_BIN(pipe), "v");
	*d = (struct decoded){.beep_ns = -1, .flash_ns = -1};
	gst_element_set_state(pipe, GST_STATE_PLAYING);
	while ((sample = gst_app_sink_pull_sample(GST_APP_SINK(a)))) {
		GstBuffer *buf = gst_sample_get_buffer(sample);
		GstMapInfo map;
		gst_buffer_map(buf, &map, GST_MAP_READ);
		const int16_t *pcm = (const int16_t *)map.data;
		size_t n = map.size / 2;
		for (size_t k = 0; k < n && d->beep_ns < 0; k++)
			if (abs(pcm[k]) > 4000)
				d->beep_ns =
				    (int64_t)GST_BUFFER_PTS(buf) + (int64_t)k * 1000000000 / 48000;
		d->audio_end_ns = (int64_t)(GST_BUFFER_PTS(buf) + GST_BUFFER_DURATION(buf));
		gst_buffer_unmap(buf, &map);
		gst_sample_unref(sample);
	}
	while ((sample = gst_app_sink_pull_sample(GST_APP_SINK(v)))) {
		GstBuffer *buf = gst_sample_get_buffer(sample);
		GstMapInfo map;
		gst_buffer_map(buf, &map, GST_MAP_READ);
		/* the centre pixel's luma */
		if (map.data[(HEIGHT / 2) * WIDTH + WIDTH / 2] > 128 && d->flash_ns < 0)
			d->flash_ns = (int64_t)GST_BUFFER_PTS(buf);
		d->video_end_ns = (int64_t)GST_BUFFER_PTS(buf);
		d->frames++;
		gst_buffer_unmap(buf, &map);
		gst_sample_unref(sample);
	}
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(a);
	gst_object_unref(v);
	gst_object_unref(pipe);
}

static char *temp_path(const char *name)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("cau-recorder-XXXXXX", &error);

	g_assert_no_error(error);
	return g_build_filename(dir, name, NULL);
}

static void remove_path(const char *path)
{
	g_autofree char *dir = g_path_get_dirname(path);

	g_unlink(path);
	g_rmdir(dir);
}

/* Three seconds of both tracks pushed in time order, as the media thread would. */
static void record(const char *path, struct recorder_stats *stats)
{
	struct recorder_config cfg = {.tracks = RECORDER_AUDIO | RECORDER_VIDEO};
	g_autoptr(GError) error = NULL;
	struct recorder *r = recorder_open(path, &cfg, &error);
	struct source s;
	int i = 0, j = 0;

	g_assert_no_error(error);
	source_init(&s);
	while (i < SECONDS * 50 || j < SECONDS * 30) {
		if (j >= SECONDS * 30 || (i < SECONDS * 50 && i * 20 * 3 <= j * 100))
			push_audio(&s, r, i++);
		else
			push_video(&s, r, j++);
	}
	g_assert_true(recorder_close(r, stats, &error));
	g_assert_no_error(error);
	source_clear(&s);
}

static void test_av_sync(void)
{
	g_autofree char *path = temp_path("sync.webm");
	struct recorder_stats stats;
	struct decoded d;
	int64_t offset;

	record(path, &stats);
	g_assert_cmpuint(stats.audio_packets, ==, SECONDS * 50);
	g_assert_cmpuint(stats.video_frames, ==, SECONDS * 30);
	g_assert_cmpuint(stats.dropped, ==, 0);
	g_assert_cmpuint(stats.encoders, ==, 0);
	g_assert_cmpuint(stats.bytes_written, >, 1000);
	decode(path, &d);
	g_test_message("beep at %.1f ms, flash at %.1f ms; %u frames; audio ends %.1f ms",
	               d.beep_ns / 1e6, d.flash_ns / 1e6, d.frames, d.audio_end_ns / 1e6);
	g_assert_cmpuint(d.frames, ==, SECONDS * 30);
	g_assert_cmpint(d.beep_ns, >=, 0);
	g_assert_cmpint(d.flash_ns, >=, 0);
	offset = d.beep_ns - d.flash_ns;
	g_test_message("A/V offset %.1f ms", offset / 1e6);
	g_assert_cmpint(llabs(offset), <=, 40 * MS);
	/* The event sits 2 s into the recording, and the file lasts 3 s. */
	g_assert_cmpint(llabs(d.flash_ns - EVENT_MS * MS), <=, 40 * MS);
	g_assert_cmpint(llabs(d.audio_end_ns - SECONDS * 1000 * MS), <=, 60 * MS);
	remove_path(path);
}

/* Video starts at a key frame: delta frames before it are dropped and counted. */
static void test_starts_at_keyframe(void)
{
	g_autofree char *path = temp_path("key.webm");
	struct recorder_config cfg = {.tracks = RECORDER_VIDEO};
	g_autoptr(GError) error = NULL;
	struct recorder *r = recorder_open(path, &cfg, &error);
	struct recorder_stats stats;
	struct source s;
	struct vp8_encoded_info info;
	const uint8_t *data;

	g_assert_no_error(error);
	source_init(&s);
	for (int j = 0; j < 20; j++) {
		video_frame_fill(s.picture, (uint8_t)(16 + j * 8), 128, 128);
		g_assert_cmpint(
		    vp8_encoder_encode(s.vp8, s.picture, (uint64_t)j * 3000, j == 5, &info, &data),
		    ==, 0);
		if (j == 0)
			continue; /* the encoder's first frame is a key frame: skip it */
		int err = recorder_push_video(r, (uint32_t)j * 3000, j * 33 * MS, info.keyframe,
		                              data, info.len);
		g_assert_cmpint(err, ==, j < 5 ? -ENODATA : 0);
	}
	g_assert_cmpint(recorder_push_audio(r, 0, 0, (const uint8_t *)"x", 1), ==, -EINVAL);
	g_assert_true(recorder_close(r, &stats, &error));
	g_assert_cmpuint(stats.video_frames, ==, 15);
	g_assert_cmpuint(stats.dropped, ==, 4);
	source_clear(&s);
	remove_path(path);
}

/* A file that cannot be created is a clear error. */
static void test_open_fails(void)
{
	struct recorder_config cfg = {.tracks = RECORDER_AUDIO};
	g_autoptr(GError) error = NULL;

	g_assert_null(recorder_open("/nonexistent-dir/x.webm", &cfg, &error));
	g_assert_nonnull(error);
	g_test_message("%s", error->message);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	gst_init(NULL, NULL);
	g_test_add_func("/recorder/av-sync", test_av_sync);
	g_test_add_func("/recorder/starts-at-keyframe", test_starts_at_keyframe);
	g_test_add_func("/recorder/open-fails", test_open_fails);
	return g_test_run();
}
