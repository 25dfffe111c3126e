/* SPDX-License-Identifier: MIT */
/* The recorder's CPU cost: a 720p30 VP8 composite and the 20 ms Opus mix, encoded once
 * beforehand and looped, pushed in real time into a recorder (WebM on disk) in windows
 * that alternate with the very same loop pushing nowhere; process CPU time from
 * getrusage over each window, medians, and one JSON object as the last line. */
#include "media/opus_codec.h"
#include "media/video_frame.h"
#include "media/vp8_codec.h"
#include "record/recorder.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <math.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#define LOOP_FRAMES  60 /* two seconds of video, a key frame at the first */
#define LOOP_PACKETS 100

struct options {
	int seconds, repeats, width, height, kbps;
	gboolean quick;
};

struct clip {
	GBytes *frames[LOOP_FRAMES];
	bool key[LOOP_FRAMES];
	GBytes *packets[LOOP_PACKETS];
	size_t video_bytes;
};

static void encode_clip(const struct options *o, struct clip *c)
{
	struct vp8_encoder_config vcfg;
	struct audio_encoder_config acfg;
	struct vp8_encoder *vp8;
	struct audio_encoder *opus;
	struct video_frame *picture = video_frame_new(o->width, o->height);

	vp8_encoder_config_init(&vcfg);
	vcfg.width = o->width;
	vcfg.height = o->height;
	vcfg.bitrate_kbps = o->kbps;
	vp8 = vp8_encoder_new(&vcfg, "bench");
	for (int j = 0; j < LOOP_FRAMES; j++) {
		struct video_rect moving = {(j * 16) % (o->width - 160), o->height / 3, 160, 160};
		struct vp8_encoded_info info;
		const uint8_t *data;

		video_frame_fill(picture, 60, 110, 150);
		video_frame_fill_rect(picture, &moving, 200, 90, 200);
		/* A patch of noise, new every frame, so that the encoder spends its bitrate as
		 * on a busy composite (a still picture would make the file unrealistically
		 * small). */
		for (int y = 0; y < o->height / 6; y++)
			for (int x = 0; x < o->width / 6; x++)
				picture->y[y * picture->stride_y + x] =
				    (uint8_t)g_random_int_range(96, 160);
		g_assert(vp8_encoder_encode(vp8, picture, (uint64_t)j * 3000, j == 0, &info,
		                            &data) == 0);
		c->frames[j] = g_bytes_new(data, info.len);
		c->key[j] = info.keyframe;
		c->video_bytes += info.len;
	}
	audio_encoder_config_init(&acfg);
	opus = audio_encoder_new(&acfg);
	for (int i = 0; i < LOOP_PACKETS; i++) {
		int16_t pcm[AUDIO_FRAME_SAMPLES];
		uint8_t out[AUDIO_PAYLOAD_MAX];
		size_t len;
		bool dtx;

		for (int n = 0; n < AUDIO_FRAME_SAMPLES; n++)
			pcm[n] = (int16_t)(8000 * sin(2 * G_PI * 440 * (i * 960 + n) / 48000.0));
		g_assert(audio_encoder_encode(opus, pcm, out, sizeof(out), &len, &dtx) == 0);
		c->packets[i] = g_bytes_new(out, len);
	}
	vp8_encoder_free(vp8);
	audio_encoder_free(opus);
	video_frame_unref(picture);
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_until(int64_t ns)
{
	struct timespec ts = {ns / 1000000000, ns % 1000000000};

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* One window of `seconds` of media in real time, into `r` (NULL: nowhere, the baseline);
 * returns the process's CPU over it in percent of one core. */
static double window(const struct options *o, const struct clip *c, struct recorder *r,
                     uint64_t *pushed_frames, uint64_t *pushed_packets)
{
	int64_t start = now_ns(), end = start + (int64_t)o->seconds * 1000000000;
	double cpu0 = cpu_seconds();
	int64_t next_audio = start, next_video = start;
	unsigned i = 0, j = 0;

	while (next_audio < end || next_video < end) {
		if (next_audio <= next_video) {
			sleep_until(next_audio);
			gsize len;
			const uint8_t *data = g_bytes_get_data(c->packets[i % LOOP_PACKETS], &len);
			if (r && recorder_push_audio(r, i * 960u, next_audio, data, len) == 0)
				(*pushed_packets)++;
			i++;
			next_audio = start + (int64_t)i * 20000000;
		} else {
			sleep_until(next_video);
			gsize len;
			const uint8_t *data = g_bytes_get_data(c->frames[j % LOOP_FRAMES], &len);
			if (r && recorder_push_video(r, j * 3000u, next_video,
			                             c->key[j % LOOP_FRAMES], data, len) == 0)
				(*pushed_frames)++;
			j++;
			next_video = start + (int64_t)j * 1000000000 / 30;
		}
	}
	return 100 * (cpu_seconds() - cpu0) / ((now_ns() - start) / 1e9);
}

/* Decodes the recording's video and counts frames: the check that it was all written. */
static unsigned decoded_frames(const char *path)
{
	g_autofree char *desc = g_strdup_printf(
	    "filesrc location=\"%s\" ! matroskademux name=d d.video_0 ! queue ! vp8dec ! "
	    "appsink name=v sync=false d.audio_0 ! queue ! opusdec ! fakesink sync=false",
	    path);
	GstElement *pipe = gst_parse_launch(desc, NULL);
	GstElement *v = gst_bin_get_by_name(GST_BIN(pipe), "v");
	GstSample *s;
	unsigned n = 0;

	gst_element_set_state(pipe, GST_STATE_PLAYING);
	while ((s = gst_app_sink_pull_sample(GST_APP_SINK(v)))) {
		n++;
		gst_sample_unref(s);
	}
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(v);
	gst_object_unref(pipe);
	return n;
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), compare);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	struct options o = {
	    .seconds = 10, .repeats = 3, .width = 1280, .height = 720, .kbps = 1500};
	GOptionEntry entries[] = {
	    {"seconds", 0, 0, G_OPTION_ARG_INT, &o.seconds, "seconds per window (10)", "S"},
	    {"repeats", 0, 0, G_OPTION_ARG_INT, &o.repeats, "pairs of windows (3)", "N"},
	    {"kbps", 0, 0, G_OPTION_ARG_INT, &o.kbps, "VP8 bitrate (1500, the 720p tier)", "K"},
	    {"quick", 0, 0, G_OPTION_ARG_NONE, &o.quick, "one pair of 4 s windows", NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("cau-bench-recording-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "bench.webm", NULL);
	double with[16], without[16];
	uint64_t frames = 0, packets = 0;
	struct recorder_stats stats = {0};
	struct clip clip = {0};
	unsigned decoded;
	bool ok;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "recording-bench: %s\n", error->message);
		return 2;
	}
	if (o.quick) {
		o.seconds = 4;
		o.repeats = 1;
	}
	o.repeats = CLAMP(o.repeats, 1, 16);
	gst_init(NULL, NULL);
	encode_clip(&o, &clip);
	printf("recording: %dx%d@30 VP8 at %d kb/s (%.0f kb/s as encoded) + Opus 20 ms, "
	       "pre-encoded and looped in real time; %d pairs of %d s windows (baseline, then "
	       "recording); CPU of the whole process (recorder threads included)\n",
	       o.width, o.height, o.kbps, clip.video_bytes * 8.0 / 2 / 1000, o.repeats, o.seconds);
	printf("%-8s %12s %12s %10s\n", "pair", "baseline %", "recording %", "added %");
	for (int k = 0; k < o.repeats; k++) {
		struct recorder_config cfg = {.tracks = RECORDER_AUDIO | RECORDER_VIDEO};
		struct recorder *r;
		uint64_t dummy = 0;

		without[k] = window(&o, &clip, NULL, &dummy, &dummy);
		g_unlink(path);
		frames = packets = 0;
		r = recorder_open(path, &cfg, &error);
		if (!r) {
			fprintf(stderr, "recording-bench: %s\n", error->message);
			return 1;
		}
		with[k] = window(&o, &clip, r, &frames, &packets);
		recorder_close(r, &stats, NULL);
		printf("%-8d %12.2f %12.2f %10.2f\n", k + 1, without[k], with[k],
		       with[k] - without[k]);
	}
	decoded = decoded_frames(path);
	ok = stats.dropped == 0 && stats.encoders == 0 && decoded == frames && frames > 0 &&
	     stats.audio_packets == packets;
	double cpu = median(with, o.repeats), base = median(without, o.repeats);
	printf("last window: %" G_GUINT64_FORMAT " frames and %" G_GUINT64_FORMAT
	       " packets pushed, %u frames decoded back, %" G_GUINT64_FORMAT
	       " dropped, %u encoders, %" G_GUINT64_FORMAT " bytes\n",
	       frames, packets, decoded, stats.dropped, stats.encoders, stats.bytes_written);
	printf("{\"bench\":\"recording\",\"n\":1,\"width\":%d,\"height\":%d,\"fps\":30,\"kbps\":%d,"
	       "\"seconds\":%d,\"repeats\":%d,\"cpu_pct\":%.2f,\"baseline_cpu_pct\":%.2f,"
	       "\"overhead_pct\":%.2f,\"encoders\":%u,\"delivered_ok\":%s}\n",
	       o.width, o.height, o.kbps, o.seconds, o.repeats, cpu, base, cpu - base,
	       stats.encoders, ok ? "true" : "false");
	g_unlink(path);
	g_rmdir(dir);
	return ok ? 0 : 1;
}
