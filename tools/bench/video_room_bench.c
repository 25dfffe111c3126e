/* SPDX-License-Identifier: MIT */
/* Benchmark of an mcu room's video: N members (senders at 180p and 360p) in one room whose
 * view is composed at every tier, each member a receiver through a real peer (SRTP) whose
 * datagrams go to a counting sink; CPU of the room's threads, frame rate per tier, decode
 * and encode time per frame, time in the server; a few receivers decode what they get. */
#include "conference/mcu_room_private.h"
#include "core/config.h"
#include "media/vp8_codec.h"
#include "proto/vp8.h"
#include "transport/negotiate.h"
#include "transport/peer_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define STREAMS 16 /* distinct pre-encoded cameras per size, shared round robin */
#define SAMPLED 3  /* receivers decoded: one per estimate (tier) */
#define PKT_MAX 1200
#define FRAMES  150 /* pre-encoded frames per camera, looped (10 s at 15 fps) */

struct options {
	int n, fps, warmup_s, window_s, repeats;
	char *layout, *ivf_dir;
};

struct camera {
	int width, height;
	uint8_t *frames[FRAMES];
	size_t len[FRAMES];
};

/* A receiver's far end: a client peer decoding what the server peer sends. */
struct sampled {
	struct peer *client;
	GAsyncQueue *wire; /* GBytes from the server peer's sink */
	struct vp8_decoder *dec;
	struct video_frame_pool *pool;
	GByteArray *frame;
	uint64_t frames, width, height;
	uint64_t frames_at_start; /* when the first window began */
	bool broken;
};

struct endpoint {
	struct mcu_member *member;
	struct peer *peer;
	gint64 bytes, datagrams; /* atomic: what the sink saw */
	struct sampled *sample;
	uint16_t seq;
};

static struct camera cams180[STREAMS], cams360[STREAMS];

static int64_t now_us(void)
{
	return g_get_monotonic_time();
}

static void sink(const uint8_t *buf, size_t len, void *data)
{
	struct endpoint *e = data;

	__atomic_add_fetch(&e->bytes, (gint64)len, __ATOMIC_RELAXED);
	__atomic_add_fetch(&e->datagrams, 1, __ATOMIC_RELAXED);
	if (e->sample)
		g_async_queue_push(e->sample->wire, g_bytes_new(buf, len));
}

/* The sampled client's media: VP8 payloads gathered into frames and decoded. */
static void client_rtp(struct peer *peer, const struct peer_track *track,
                       const struct rtp_packet *pkt, const struct rtp_ext_values *ext, void *data)
{
	struct sampled *s = data;
	struct vp8_descriptor d;
	size_t dlen;
	struct video_frame *pic = NULL;

	(void)peer;
	(void)ext;
	if (track->kind != TRACK_VIDEO ||
	    vp8_descriptor_parse(pkt->payload, pkt->payload_len, &d, &dlen))
		return;
	if (d.start && d.partition_id == 0)
		g_byte_array_set_size(s->frame, 0);
	g_byte_array_append(s->frame, pkt->payload + dlen, (guint)(pkt->payload_len - dlen));
	if (!pkt->marker)
		return;
	if (vp8_decoder_decode(s->dec, s->frame->data, s->frame->len, s->pool, &pic) != 0) {
		s->broken = true;
		return;
	}
	if (pic) {
		s->frames++;
		s->width = (uint64_t)pic->width;
		s->height = (uint64_t)pic->height;
		video_frame_unref(pic);
	}
}

static const struct peer_media client_media = {.rtp = client_rtp};

static double cpu_of_threads(const char *prefix)
{
	g_autoptr(GDir) dir = g_dir_open("/proc/self/task", 0, NULL);
	const char *tid;
	double total = 0;

	while (dir && (tid = g_dir_read_name(dir))) {
		g_autofree char *path = g_strdup_printf("/proc/self/task/%s/stat", tid);
		g_autofree char *text = NULL;
		char *end;
		unsigned long ut = 0, st = 0;

		if (!g_file_get_contents(path, &text, NULL, NULL) || !(end = strrchr(text, ')')))
			continue;
		if (prefix && !g_str_has_prefix(strchr(text, '(') + 1, prefix))
			continue;
		/* after ") ": state(3) ... utime(14) stime(15) */
		if (sscanf(end + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
		           &st) == 2)
			total += (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	}
	return total;
}

static void draw(struct video_frame *f, unsigned seed, unsigned n)
{
	int sq = f->height / 4;
	struct video_rect box = {((int)(n * 6 + seed * 17) % (f->width - sq)) & ~1,
	                         (f->height / 3) & ~1, sq & ~1, sq & ~1};

	video_frame_fill_rect(f, &(struct video_rect){0, 0, f->width, f->height},
	                      (uint8_t)(60 + (seed * 37) % 120), (uint8_t)(90 + (seed * 53) % 80),
	                      (uint8_t)(90 + (seed * 29) % 80));
	video_frame_fill_rect(f, &box, 220, 128, 128);
}

static void encode_camera(struct camera *c, int width, int height, int fps, int kbps, unsigned seed)
{
	struct vp8_encoder_config cfg;
	struct vp8_encoder *enc;
	struct video_frame *pic = video_frame_new(width, height);

	vp8_encoder_config_init(&cfg);
	cfg.width = c->width = width;
	cfg.height = c->height = height;
	cfg.fps = fps;
	cfg.bitrate_kbps = kbps;
	enc = vp8_encoder_new(&cfg, "bench camera");
	for (unsigned f = 0; f < FRAMES; f++) {
		struct vp8_encoded_info info;
		const uint8_t *data;

		draw(pic, seed, f);
		/* A key frame every 3 s (and so at each loop): the bench does not answer the
		 * room's PLIs as a camera would, so a source that comes into view waits for it. */
		if (vp8_encoder_encode(enc, pic, f * (90000ull / (unsigned)fps), f % 45 == 0, &info,
		                       &data) < 0)
			g_error("bench: encode failed");
		c->frames[f] = g_memdup2(data, info.len);
		c->len[f] = info.len;
	}
	vp8_encoder_free(enc);
	video_frame_unref(pic);
}

/* Writes a camera as IVF, for the GStreamer reference to decode the same frames. */
static void write_ivf(const struct camera *c, const char *path, int fps, unsigned loops)
{
	FILE *f = fopen(path, "wb");
	uint8_t hdr[32] = "DKIF";

	if (!f)
		g_error("bench: cannot write %s", path);
	hdr[6] = 32;
	memcpy(hdr + 8, "VP80", 4);
	hdr[12] = (uint8_t)c->width, hdr[13] = (uint8_t)(c->width >> 8);
	hdr[14] = (uint8_t)c->height, hdr[15] = (uint8_t)(c->height >> 8);
	hdr[16] = (uint8_t)fps, hdr[20] = 1;
	hdr[24] = (uint8_t)((FRAMES * loops) & 0xff), hdr[25] = (uint8_t)((FRAMES * loops) >> 8);
	fwrite(hdr, 1, 32, f);
	for (unsigned i = 0; i < FRAMES * loops; i++) {
		uint8_t fh[12] = {0};
		uint32_t len = (uint32_t)c->len[i % FRAMES];
		uint64_t pts = i;

		memcpy(fh, &len, 4);
		memcpy(fh + 4, &pts, 8);
		fwrite(fh, 1, 12, f);
		fwrite(c->frames[i % FRAMES], 1, len, f);
	}
	fclose(f);
}

static const struct camera *camera_of(int i)
{
	return i % 4 == 0 ? &cams360[i % STREAMS] : &cams180[i % STREAMS];
}

/* One frame of every member's camera into the room, as the transport's workers would. */
static void send_frame(struct endpoint *eps, int n, unsigned f, int fps)
{
	for (int i = 0; i < n; i++) {
		const struct camera *c = camera_of(i);
		const struct peer_track *track = peer_track(eps[i].peer, 1);
		struct vp8_descriptor tmpl = {
		    .has_picture_id = true, .long_picture_id = true, .picture_id = f & 0x7fff};
		struct vp8_packetizer p;
		uint8_t buf[PKT_MAX];
		size_t plen;
		bool marker;

		vp8_packetizer_init(&p, c->frames[f % FRAMES], c->len[f % FRAMES], 1100, &tmpl);
		while (vp8_packetizer_next(&p, buf, sizeof(buf), &plen, &marker) == 0) {
			struct rtp_packet pkt = {.payload_type = 96,
			                         .marker = marker,
			                         .seq = eps[i].seq++,
			                         .timestamp = f * (90000u / (unsigned)fps),
			                         .ssrc = 0x1000u + (unsigned)i,
			                         .payload = buf,
			                         .payload_len = plen};
			mcu_media.rtp(eps[i].peer, track, &pkt, NULL, eps[i].member);
		}
	}
}

struct feeder {
	struct endpoint *eps;
	int n, fps;
	gint stop;
};

static gpointer feed(gpointer data)
{
	struct feeder *fd = data;
	int64_t start = g_get_monotonic_time();

	for (unsigned f = 0; !g_atomic_int_get(&fd->stop); f++) {
		int64_t due = start + (int64_t)f * 1000000 / fd->fps;
		int64_t wait = due - g_get_monotonic_time();

		if (wait > 0)
			g_usleep((gulong)wait);
		send_frame(fd->eps, fd->n, f, fd->fps);
	}
	return NULL;
}

/* Drains the sampled receivers' wires into their client peers (main thread). */
static void drain(struct endpoint *eps, int n)
{
	for (int i = 0; i < n; i++) {
		GBytes *b;
		while (eps[i].sample && (b = g_async_queue_try_pop(eps[i].sample->wire))) {
			gsize len;
			uint8_t *data = g_bytes_unref_to_data(b, &len);
			peer_receive(eps[i].sample->client, data, len, now_us());
			g_free(data);
		}
	}
}

static uint32_t counter_random(void *data)
{
	uint32_t *state = data;

	*state = *state * 1664525u + 1013904223u;
	return *state;
}

static void fill_keys(struct cau_srtp_keys *k, uint8_t local, uint8_t remote)
{
	memset(k, 0, sizeof(*k));
	k->profile = CAU_SRTP_AES128_CM_SHA1_80;
	k->key_len = 16;
	k->salt_len = 14;
	memset(k->local_key, local, sizeof(k->local_key));
	memset(k->local_salt, local + 1, sizeof(k->local_salt));
	memset(k->remote_key, remote, sizeof(k->remote_key));
	memset(k->remote_salt, remote + 1, sizeof(k->remote_salt));
}

/* The server's offer and a client's answer, negotiated once: every pair uses them. */
static void negotiate_pair(struct negotiation *server, struct negotiation *client)
{
	struct remote_transport rt1, rt2;
	struct local_transport local = {.ice_ufrag = "abcd",
	                                .ice_pwd = "0123456789abcdefghijklmn",
	                                .fingerprint = "AA:BB",
	                                .setup = SDP_SETUP_ACTPASS};
	uint32_t seed = 7;
	g_autofree char *offer = NULL, *answer = NULL;

	negotiate_offer(counter_random, &seed, server);
	offer = negotiate_write(server, &local);
	if (!negotiate_answer(offer, strlen(offer), counter_random, &seed, client, &rt1, NULL))
		g_error("bench: answer");
	local.setup = SDP_SETUP_ACTIVE;
	answer = negotiate_write(client, &local);
	if (!negotiate_apply_answer(server, answer, strlen(answer), &rt2, NULL))
		g_error("bench: apply answer");
	remote_transport_clear(&rt1);
	remote_transport_clear(&rt2);
}

/* Receiver estimates: a third each at 2 Mb/s, 600 kb/s and 200 kb/s: every tier taken. */
static const uint64_t estimates[3] = {2000000, 600000, 200000};

struct measure {
	double cpu_pct;       /* the room's threads (video and audio), % of one core */
	double video_cpu_pct; /* of which the video thread */
	double feed_cpu_pct;  /* the feeder (the transport's share of ingress), % of one core */
	double fps[VIDEO_TIERS_MAX];
	double decode_ms, compose_ms, encode_ms; /* per decode / per composed frame / per encode */
	double latency_ms;                       /* mean time a frame spends in the server */
	double mbps_out;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static gint64 total_bytes(struct endpoint *eps, int n)
{
	gint64 t = 0;
	for (int i = 0; i < n; i++)
		t += __atomic_load_n(&eps[i].bytes, __ATOMIC_RELAXED);
	return t;
}

static void measure_window(struct mcu_room *room, struct endpoint *eps, const struct options *o,
                           struct measure *m)
{
	struct mcu_video_stats a, b;
	char names[VIDEO_TIERS_MAX][MCU_TIER_NAME_MAX];
	double cpu0 = cpu_of_threads("media "), feed0 = cpu_of_threads("feeder"), cpu1, feed1;
	double vid0 = cpu_of_threads("media video"), vid1;
	gint64 bytes0 = total_bytes(eps, o->n), t0 = g_get_monotonic_time(), t1;

	mcu_video_get_stats(room->video, &a, names);
	while (g_get_monotonic_time() < t0 + (gint64)o->window_s * 1000000) {
		drain(eps, o->n);
		g_usleep(20000);
	}
	t1 = g_get_monotonic_time();
	cpu1 = cpu_of_threads("media ");
	vid1 = cpu_of_threads("media video");
	feed1 = cpu_of_threads("feeder");
	mcu_video_get_stats(room->video, &b, names);
	double secs = (double)(t1 - t0) / 1e6;
	m->cpu_pct = (cpu1 - cpu0) / secs * 100;
	m->video_cpu_pct = (vid1 - vid0) / secs * 100;
	m->feed_cpu_pct = (feed1 - feed0) / secs * 100;
	for (unsigned t = 0; t < b.tier_count; t++)
		m->fps[t] = (double)(b.tiers[t].encodes - a.tiers[t].encodes) / secs;
	uint64_t decodes = b.comp.decodes - a.comp.decodes,
	         encodes = b.comp.encodes - a.comp.encodes;
	uint64_t composed = b.comp.composed - a.comp.composed,
	         ticks = b.clock.ticks - a.clock.ticks;
	m->decode_ms =
	    decodes ? (double)(b.comp.decode_ns - a.comp.decode_ns) / 1e6 / (double)decodes : 0;
	m->compose_ms =
	    composed ? (double)(b.comp.compose_ns - a.comp.compose_ns) / 1e6 / (double)composed : 0;
	m->encode_ms =
	    encodes ? (double)(b.comp.encode_ns - a.comp.encode_ns) / 1e6 / (double)encodes : 0;
	/* A packet waits for the next tick (half a period on average), then the tick's work. */
	m->latency_ms =
	    (ticks ? (double)(b.tick_busy_ns - a.tick_busy_ns) / 1e6 / (double)ticks : 0) +
	    1000.0 / 30 / 2;
	m->mbps_out = (double)(total_bytes(eps, o->n) - bytes0) * 8 / secs / 1e6;
}

static bool parse(struct options *o, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	GOptionEntry entries[] = {
	    {"n", 'n', 0, G_OPTION_ARG_INT, &o->n, "Members (senders and receivers), 169", "N"},
	    {"fps", 0, 0, G_OPTION_ARG_INT, &o->fps, "Senders' frame rate, 15", "FPS"},
	    {"warmup", 0, 0, G_OPTION_ARG_INT, &o->warmup_s, "Seconds before measuring, 4", "S"},
	    {"window", 0, 0, G_OPTION_ARG_INT, &o->window_s, "Seconds per window, 10", "S"},
	    {"repeats", 0, 0, G_OPTION_ARG_INT, &o->repeats, "Windows (medians), 3", "R"},
	    {"layout", 0, 0, G_OPTION_ARG_STRING, &o->layout, "grid (default) or speaker", "L"},
	    {"write-ivf", 0, 0, G_OPTION_ARG_FILENAME, &o->ivf_dir,
	     "Also write the cameras as IVF files here (for the GStreamer reference)", "DIR"},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- an mcu room's video under load");

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "video-room-bench: %s\n", error->message);
		return false;
	}
	return o->n >= 3 && o->n <= 256 && o->fps >= 1 && o->fps <= 30 && o->repeats >= 1;
}

static void make_endpoints(struct mcu_rooms *rooms, struct endpoint *eps, int n)
{
	struct negotiation server, client;
	struct cau_srtp_keys ks, kc;
	struct transport *t = transport_new_bare();

	negotiate_pair(&server, &client);
	fill_keys(&ks, 1, 2);
	fill_keys(&kc, 2, 1);
	for (int i = 0; i < n; i++) {
		struct endpoint *e = &eps[i];

		e->member = mcu_member_join(rooms, "bench");
		if (i < SAMPLED) {
			e->sample = g_new0(struct sampled, 1);
			e->sample->wire = g_async_queue_new_full((GDestroyNotify)g_bytes_unref);
			e->sample->dec = vp8_decoder_new("bench receiver");
			e->sample->pool = video_frame_pool_new(4);
			e->sample->frame = g_byte_array_new();
			e->sample->client = peer_new_bare(t, &client, &kc, now_us, sink, NULL,
			                                  &client_media, e->sample);
		}
		e->peer = peer_new_bare(t, &server, &ks, now_us, sink, e, &mcu_media, e->member);
		mcu_member_attach(e->member, e->peer);
		mcu_media.bandwidth_estimate(e->peer, estimates[i % 3], e->member);
	}
	negotiation_clear(&server);
	negotiation_clear(&client);
}

int main(int argc, char **argv)
{
	struct options o = {.n = 169, .fps = 15, .warmup_s = 4, .window_s = 10, .repeats = 3};
	struct config *conf = config_new();
	struct mcu_rooms *rooms;
	struct endpoint *eps;
	struct feeder fd;
	GThread *feeder;
	struct measure *ms;
	double cpu[16], vcpu[16], feeder_cpu[16], fps[VIDEO_TIERS_MAX][16], dec[16], comp[16],
	    enc[16], lat[16], mbps[16];
	bool delivered = true;

	if (!parse(&o, argc, argv) || o.repeats > 16)
		return 2;
	if (!config_set(conf, "video", "layout", o.layout ? o.layout : "grid", "--layout", NULL))
		return 2;
	fprintf(stderr, "video-room-bench: encoding %d cameras of each size...\n", STREAMS);
	for (unsigned i = 0; i < STREAMS; i++) {
		encode_camera(&cams180[i], 320, 180, o.fps, 150, i);
		encode_camera(&cams360[i], 640, 360, o.fps, 500, 100 + i);
	}
	if (o.ivf_dir) {
		for (unsigned i = 0; i < STREAMS; i++) {
			g_autofree char *a = g_strdup_printf("%s/cam180-%u.ivf", o.ivf_dir, i);
			g_autofree char *b = g_strdup_printf("%s/cam360-%u.ivf", o.ivf_dir, i);
			unsigned loops =
			    (unsigned)((o.warmup_s + o.window_s * o.repeats + 10) * o.fps / FRAMES +
			               1);
			write_ivf(&cams180[i], a, o.fps, loops);
			write_ivf(&cams360[i], b, o.fps, loops);
		}
	}
	rooms = mcu_rooms_new(conf);
	eps = g_new0(struct endpoint, (gsize)o.n);
	ms = g_new0(struct measure, (gsize)o.repeats);
	make_endpoints(rooms, eps, o.n);
	for (struct mcu_video_stats st = {0}; st.comp.sources < (unsigned)o.n;) {
		char names[VIDEO_TIERS_MAX][MCU_TIER_NAME_MAX];
		g_usleep(20000);
		mcu_video_get_stats(mcu_member_room(eps[0].member)->video, &st, names);
	}
	fd = (struct feeder){.eps = eps, .n = o.n, .fps = o.fps};
	feeder = g_thread_new("feeder", feed, &fd);
	for (gint64 end = g_get_monotonic_time() + (gint64)o.warmup_s * 1000000;
	     g_get_monotonic_time() < end;) {
		drain(eps, o.n);
		g_usleep(20000);
	}
	for (int i = 0; i < SAMPLED; i++)
		eps[i].sample->frames_at_start = eps[i].sample->frames;
	for (int r = 0; r < o.repeats; r++) {
		measure_window(mcu_member_room(eps[0].member), eps, &o, &ms[r]);
		cpu[r] = ms[r].cpu_pct, vcpu[r] = ms[r].video_cpu_pct,
		feeder_cpu[r] = ms[r].feed_cpu_pct, dec[r] = ms[r].decode_ms;
		comp[r] = ms[r].compose_ms, enc[r] = ms[r].encode_ms, lat[r] = ms[r].latency_ms;
		mbps[r] = ms[r].mbps_out;
		for (int t = 0; t < 3; t++)
			fps[t][r] = ms[r].fps[t];
		fprintf(stderr,
		        "window %d: room %.1f%% cpu (video %.1f%%), feeder %.1f%%, fps "
		        "%.1f/%.1f/%.1f, decode "
		        "%.2f ms, "
		        "compose %.2f ms, encode %.2f ms, in server %.1f ms, out %.1f Mb/s\n",
		        r + 1, ms[r].cpu_pct, ms[r].video_cpu_pct, ms[r].feed_cpu_pct, ms[r].fps[0],
		        ms[r].fps[1], ms[r].fps[2], ms[r].decode_ms, ms[r].compose_ms,
		        ms[r].encode_ms, ms[r].latency_ms, ms[r].mbps_out);
	}
	g_atomic_int_set(&fd.stop, 1);
	g_thread_join(feeder);
	for (int i = 0; i < SAMPLED; i++) {
		struct sampled *s = eps[i].sample;
		static const int widths[3] = {1280, 640, 320};
		double expect =
		    (o.warmup_s + o.window_s * o.repeats) * (i == 2 ? 15.0 : 30.0) * 0.8;

		drain(eps, o.n);
		fprintf(stderr,
		        "receiver %d (estimate %" G_GUINT64_FORMAT " b/s): %" G_GUINT64_FORMAT
		        " frames decoded at %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT "%s\n",
		        i, estimates[i], s->frames, s->width, s->height,
		        s->broken ? ", errors" : "");
		delivered = delivered && !s->broken && s->width == (uint64_t)widths[i] &&
		            (double)(s->frames - s->frames_at_start) >= expect;
	}
	printf(
	    "{\"bench\": \"video-room\", \"n\": %d, \"cpu_pct\": %.1f, \"video_cpu_pct\": %.1f, "
	    "\"delivered_ok\": %s, "
	    "\"feeder_cpu_pct\": %.1f, \"fps_720p\": %.1f, \"fps_360p\": %.1f, \"fps_180p\": %.1f, "
	    "\"decode_ms\": %.2f, \"compose_ms\": %.2f, \"encode_ms\": %.2f, "
	    "\"latency_ms\": %.1f, \"out_mbps\": %.1f, \"layout\": \"%s\", \"sender_fps\": %d}\n",
	    o.n, median(cpu, o.repeats), median(vcpu, o.repeats), delivered ? "true" : "false",
	    median(feeder_cpu, o.repeats), median(fps[0], o.repeats), median(fps[1], o.repeats),
	    median(fps[2], o.repeats), median(dec, o.repeats), median(comp, o.repeats),
	    median(enc, o.repeats), median(lat, o.repeats), median(mbps, o.repeats),
	    o.layout ? o.layout : "grid", o.fps);
	/* Teardown: every member leaves first (the room's threads end with the last), then
	 * the peers and the sampled receivers go. */
	for (int i = 0; i < o.n; i++)
		mcu_member_leave(eps[i].member);
	for (int i = 0; i < o.n; i++) {
		peer_unref(eps[i].peer);
		if (eps[i].sample) {
			peer_unref(eps[i].sample->client);
			g_async_queue_unref(eps[i].sample->wire);
			vp8_decoder_free(eps[i].sample->dec);
			video_frame_pool_release(eps[i].sample->pool);
			g_byte_array_unref(eps[i].sample->frame);
			g_free(eps[i].sample);
		}
	}
	mcu_rooms_free(rooms);
	config_free(conf);
	return 0;
}
