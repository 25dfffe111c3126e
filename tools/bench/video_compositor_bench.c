/* SPDX-License-Identifier: MIT */
/* Micro-benchmark: CPU time per composed frame of the video compositor for a province room
 * (169 sources, a paged grid view and a speaker view, 3 tiers) against a naive "compose
 * and encode per receiver" compositor run in the same process on the same packets. */
#include <errno.h>
#include <glib.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "media/compositor.h"
#include "media/vp8_codec.h"
#include "proto/rtp.h"
#include "proto/vp8.h"

#define STREAMS     32 /* distinct thumbnail streams, shared round robin by the sources */
#define MAX_PAYLOAD 1100
#define PKT_MAX     1200
#define PERIOD_US   33333

struct options {
	unsigned sources;
	unsigned frames;
	unsigned warmup;
	unsigned repeats;
	unsigned receivers; /* Cầu's receivers, fed through tier selection and egress */
	int cpu_used;       /* libvpx speed of every encoder of both compositors */
	char *naive;        /* receiver counts of the naive baseline */
};

/* A pre-encoded camera: frames[f] of len[f] bytes. */
struct stream {
	int width, height;
	unsigned count;
	uint8_t **frames;
	size_t *len;
};

struct packet {
	uint8_t data[PKT_MAX];
	size_t len;
	struct rtp_packet rtp;
};

struct bench {
	struct options opt;
	struct stream thumbs[STREAMS];
	struct stream speaker;
	struct packet *pkts; /* one tick of every source's packets */
	unsigned pkt_count;
	unsigned *pkt_source;
	uint16_t *seq;
};

struct sample {
	double median_ms;
	double mean_ms;
	double egress_ms; /* Cầu: per-receiver work (tier selection, RTP headers, copies) */
	double decodes, encodes;
	double decode_ms, compose_ms, encode_ms; /* the compositor's own phase split */
};

static double thread_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A webcam-like picture: a colour, soft moving bands, a moving bright square. */
static void draw(struct video_frame *f, unsigned seed, unsigned n)
{
	int sq = f->height / 4;
	struct video_rect box = {((int)(n * 6 + seed * 17) % (f->width - sq)) & ~1,
	                         (f->height / 3) & ~1, sq & ~1, sq & ~1};

	for (int y = 0; y < f->height; y++)
		for (int x = 0; x < f->width; x++)
			f->y[y * f->stride_y + x] =
			    (uint8_t)(60 + (seed * 37) % 80 + ((x + 2 * y + (int)n * 3) / 8) % 24);
	for (int y = 0; y < f->height / 2; y++)
		for (int x = 0; x < f->width / 2; x++) {
			f->u[y * f->stride_uv + x] = (uint8_t)(90 + (seed * 53) % 80);
			f->v[y * f->stride_uv + x] = (uint8_t)(90 + (seed * 29) % 80);
		}
	video_frame_fill_rect(f, &box, 220, 128, 128);
}

static void encode_stream(struct stream *s, int width, int height, int kbps, unsigned seed,
                          unsigned count)
{
	struct vp8_encoder_config cfg;
	struct vp8_encoder *enc;
	struct video_frame *pic = video_frame_new(width, height);

	vp8_encoder_config_init(&cfg);
	cfg.width = width;
	cfg.height = height;
	cfg.bitrate_kbps = kbps;
	enc = vp8_encoder_new(&cfg, "bench camera");
	s->width = width;
	s->height = height;
	s->count = count;
	s->frames = g_new(uint8_t *, count);
	s->len = g_new(size_t, count);
	for (unsigned f = 0; f < count; f++) {
		struct vp8_encoded_info info;
		const uint8_t *data;

		draw(pic, seed, f);
		if (vp8_encoder_encode(enc, pic, f * 3000ull, f == 0, &info, &data) < 0)
			g_error("bench: encode failed");
		s->frames[f] = g_memdup2(data, info.len);
		s->len[f] = info.len;
	}
	vp8_encoder_free(enc);
	video_frame_unref(pic);
}

static void free_stream(struct stream *s)
{
	for (unsigned f = 0; f < s->count; f++)
		g_free(s->frames[f]);
	g_free(s->frames);
	g_free(s->len);
}

/* Cameras: source 0 (the chair, the speaker) at 720p, everyone else a 320x180 thumbnail,
 * as the decode budget asks of them. Encoded once, before anything is timed. */
static void prepare(struct bench *b)
{
	unsigned count = b->opt.warmup + b->opt.frames;

	encode_stream(&b->speaker, 1280, 720, 1500, 1000, count);
	for (unsigned i = 0; i < STREAMS; i++)
		encode_stream(&b->thumbs[i], 320, 180, 150, i, count);
	b->pkts = g_new(struct packet, b->opt.sources * 64);
	b->pkt_source = g_new(unsigned, b->opt.sources * 64);
	b->seq = g_new0(uint16_t, b->opt.sources);
}

static void unprepare(struct bench *b)
{
	free_stream(&b->speaker);
	for (unsigned i = 0; i < STREAMS; i++)
		free_stream(&b->thumbs[i]);
	g_free(b->pkts);
	g_free(b->pkt_source);
	g_free(b->seq);
}

/* Builds every source's RTP packets of frame f (not timed: the transport's work). */
static void make_packets(struct bench *b, unsigned f)
{
	b->pkt_count = 0;
	for (unsigned s = 0; s < b->opt.sources; s++) {
		const struct stream *st = s == 0 ? &b->speaker : &b->thumbs[s % STREAMS];
		struct vp8_descriptor tmpl = {.has_picture_id = true,
		                              .long_picture_id = true,
		                              .picture_id = (uint16_t)(f & 0x7fff)};
		struct vp8_packetizer p;
		size_t plen, hlen;
		bool marker;

		vp8_packetizer_init(&p, st->frames[f], st->len[f], MAX_PAYLOAD, &tmpl);
		while (1) {
			struct packet *pk = &b->pkts[b->pkt_count];
			struct rtp_packet hdr = {.payload_type = 96,
			                         .seq = b->seq[s],
			                         .timestamp = f * 3000,
			                         .ssrc = 0x10000 + s};

			if (vp8_packetizer_next(&p, pk->data + 12, PKT_MAX - 12, &plen, &marker) <
			    0)
				break;
			hdr.marker = marker;
			b->seq[s]++;
			rtp_write_header(pk->data, PKT_MAX, &hdr, &hlen);
			pk->len = hlen + plen;
			rtp_parse(pk->data, pk->len, &pk->rtp);
			b->pkt_source[b->pkt_count++] = s;
		}
	}
}

/* The room's receivers: 1 chair on the speaker view, the rest on the grid, with
 * estimates spread from 100 kb/s to 2 Mb/s. Each accepted frame's payloads get an RTP
 * header and are copied, as the egress would before SRTP. */
struct receivers {
	unsigned count;
	bool all_tiers; /* keep every tier encoded even if nobody takes it */
	struct tier_select *sel;
	unsigned *view;
	uint8_t scratch[PKT_MAX];
};

static double egress(struct receivers *rx, struct compositor *comp,
                     const struct compositor_output *out, uint64_t now)
{
	double start = thread_cpu_ms();

	for (unsigned r = 0; r < rx->count; r++) {
		for (size_t f = 0; f < out->frame_count; f++) {
			const struct video_encoded *e = out->frames[f];

			if (e->view != rx->view[r] || !tier_select_accept(&rx->sel[r], e, now))
				continue;
			for (unsigned i = 0; i < e->packet_count; i++) {
				struct rtp_packet hdr = {.payload_type = 96,
				                         .seq = (uint16_t)i,
				                         .timestamp = e->rtp_timestamp,
				                         .ssrc = r};
				size_t len, hlen;
				const uint8_t *payload =
				    video_encoded_payload(e, i, &len, &hdr.marker);

				rtp_write_header(rx->scratch, sizeof(rx->scratch), &hdr, &hlen);
				memcpy(rx->scratch + hlen, payload, len);
			}
		}
		int k = tier_select_keyframe_wanted(&rx->sel[r]);
		if (k >= 0)
			compositor_request_keyframe(comp, rx->view[r], (unsigned)k);
	}
	/* Tiers nobody takes or waits for are not encoded (the room's rule). */
	for (unsigned v = 0; v < 2 && !rx->all_tiers; v++) {
		unsigned mask = 0;

		for (unsigned r = 0; r < rx->count; r++) {
			if (rx->view[r] != v)
				continue;
			if (tier_select_current(&rx->sel[r]) >= 0)
				mask |= 1u << tier_select_current(&rx->sel[r]);
			if (tier_select_pending(&rx->sel[r]) >= 0)
				mask |= 1u << tier_select_pending(&rx->sel[r]);
		}
		for (unsigned t = 0; t < 3; t++)
			compositor_view_set_tier_active(comp, v, t, mask & (1u << t));
	}
	return thread_cpu_ms() - start;
}

/* Cầu: puts + one compositor tick per 30 fps frame; grid page 1 (25 tiles) and a speaker
 * view (the chair large, five recent speakers from other pages in the strip). */
/* The room: every source, a grid view (page 1) and a speaker view (the chair large, five
 * recent speakers from other pages in the strip). Sets *grid and *speaker. */
static struct compositor *make_room(struct bench *b, bool per_tier, unsigned *grid,
                                    unsigned *speaker)
{
	struct compositor_config cfg;
	struct compositor_view_config vcfg;
	struct compositor *comp;
	unsigned slot;

	compositor_config_init(&cfg);
	cfg.capacity = b->opt.sources;
	cfg.compose_per_tier = per_tier;
	cfg.cpu_used = b->opt.cpu_used;
	comp = compositor_new(&cfg, "bench");
	for (unsigned s = 0; s < b->opt.sources; s++) {
		char name[32];

		g_snprintf(name, sizeof(name), "Xã %u", s);
		compositor_add_source(comp, name, true, &slot);
	}
	compositor_add_view(comp, NULL, "grid", grid);
	compositor_view_config_init(&vcfg);
	vcfg.kind = LAYOUT_SPEAKER;
	compositor_add_view(comp, &vcfg, "speaker", speaker);
	/* Five earlier speakers, none of them on the grid's page, then the chair. */
	for (unsigned s = 5; s >= 1; s--)
		compositor_set_speaker(comp, (25 + s * 27) % b->opt.sources);
	compositor_set_speaker(comp, 0);
	return comp;
}

/* The chair (on the speaker view) has a good link; the communes (on the grid) range from
 * 100 kb/s to 2 Mb/s. */
static void receivers_init(struct receivers *rx, struct compositor *comp, unsigned grid,
                           unsigned speaker, uint64_t now)
{
	struct tier_select_tier table[VIDEO_TIERS_MAX];
	unsigned tiers = compositor_tier_table(comp, table);

	rx->sel = g_new(struct tier_select, rx->count);
	rx->view = g_new(unsigned, rx->count);
	for (unsigned r = 0; r < rx->count; r++) {
		tier_select_init(&rx->sel[r], NULL, table, tiers);
		tier_select_set_estimate(
		    &rx->sel[r], r == 0 ? 3000000 : 100000 + 1900000ull * r / rx->count, now);
		rx->view[r] = r == 0 ? speaker : grid;
	}
}

static struct sample run_cau(struct bench *b, bool per_tier, bool all_tiers)
{
	struct compositor *comp;
	struct compositor_stats st;
	struct receivers rx = {.count = b->opt.receivers, .all_tiers = all_tiers};
	const struct compositor_output *out;
	double *ms = g_new(double, b->opt.frames), sum = 0, eg = 0, dec = 0, enc = 0;
	unsigned grid, speaker;
	uint64_t now = 1000000000;

	comp = make_room(b, per_tier, &grid, &speaker);
	receivers_init(&rx, comp, grid, speaker, now);
	memset(b->seq, 0, b->opt.sources * sizeof(uint16_t));
	for (unsigned f = 0; f < b->opt.warmup + b->opt.frames; f++, now += PERIOD_US) {
		double start, e;

		make_packets(b, f);
		start = thread_cpu_ms();
		for (unsigned i = 0; i < b->pkt_count; i++)
			compositor_put(comp, b->pkt_source[i], &b->pkts[i].rtp, now);
		compositor_tick(comp, now, &out);
		e = thread_cpu_ms() - start;
		compositor_get_stats(comp, &st);
		double egress_ms = egress(&rx, comp, out, now);
		if (f < b->opt.warmup)
			continue;
		ms[f - b->opt.warmup] = e;
		sum += e;
		eg += egress_ms;
		dec += st.decodes_last;
		enc += st.encodes_last;
	}
	for (unsigned r = 0; r < rx.count; r++)
		if (tier_select_current(&rx.sel[r]) < 0)
			g_error("bench: receiver %u never got a picture", r);
	compositor_get_stats(comp, &st);
	compositor_free(comp);
	g_free(rx.sel);
	g_free(rx.view);
	struct sample s = {.mean_ms = sum / b->opt.frames,
	                   .egress_ms = eg / b->opt.frames,
	                   .decodes = dec / b->opt.frames,
	                   .encodes = enc / b->opt.frames};
	/* Phase split over every frame run, warm-up included. */
	unsigned all = b->opt.warmup + b->opt.frames;
	s.decode_ms = st.decode_ns / 1e6 / all;
	s.compose_ms = st.compose_ns / 1e6 / all;
	s.encode_ms = st.encode_ns / 1e6 / all;
	s.median_ms = median(ms, b->opt.frames);
	g_free(ms);
	return s;
}

/* The naive compositor: the same packets assembled, the grid page's sources decoded
 * once; then for each receiver its own 1280x720 canvas, all 25 tiles scaled in, its own
 * encoder at 1.5 Mb/s, its own packetisation. */
struct naive {
	struct frame_assembler **fa;
	struct vp8_decoder **dec;
	struct video_frame **pic;
	struct video_frame_pool **pool;
	struct video_frame **canvas;
	struct vp8_encoder **enc;
	uint8_t *frame;
	uint8_t payload[PKT_MAX];
};

static void naive_tick(struct bench *b, struct naive *nv, unsigned receivers, uint64_t now,
                       unsigned f)
{
	struct layout_request req = {LAYOUT_GRID, 1280, 720, b->opt.sources, 0, 25, 0, 2};
	struct layout_result lay;
	struct assembled_frame af;

	layout_compute(&req, &lay);
	for (unsigned i = 0; i < b->pkt_count; i++)
		frame_assembler_put(nv->fa[b->pkt_source[i]], &b->pkts[i].rtp, now);
	for (unsigned s = 0; s < b->opt.sources; s++) {
		while (frame_assembler_pop(nv->fa[s], now, &af) == 0) {
			struct video_frame *pic = NULL;

			if (s >= lay.tile_count)
				continue;
			if (vp8_decoder_decode(nv->dec[s], af.data, af.len, nv->pool[s], &pic) ==
			        0 &&
			    pic) {
				video_frame_unref(nv->pic[s]);
				nv->pic[s] = pic;
			}
		}
	}
	for (unsigned r = 0; r < receivers; r++) {
		struct vp8_descriptor tmpl = {.has_picture_id = true, .long_picture_id = true};
		struct vp8_encoded_info info;
		struct vp8_packetizer p;
		const uint8_t *data;
		size_t len;
		bool marker;

		for (unsigned t = 0; t < lay.tile_count; t++)
			if (nv->pic[t])
				video_frame_blit_fit(nv->pic[t], nv->canvas[r], &lay.tiles[t],
				                     NULL);
		if (vp8_encoder_encode(nv->enc[r], nv->canvas[r], f * 3000ull, f == 0, &info,
		                       &data) < 0)
			continue;
		memcpy(nv->frame, data, info.len);
		vp8_packetizer_init(&p, nv->frame, info.len, MAX_PAYLOAD, &tmpl);
		while (vp8_packetizer_next(&p, nv->payload, sizeof(nv->payload), &len, &marker) ==
		       0)
			;
	}
}

static struct sample run_naive(struct bench *b, unsigned receivers)
{
	unsigned n = b->opt.sources;
	struct naive nv = {
	    .fa = g_new0(struct frame_assembler *, n),
	    .dec = g_new0(struct vp8_decoder *, n),
	    .pic = g_new0(struct video_frame *, n),
	    .pool = g_new0(struct video_frame_pool *, n),
	    .canvas = g_new0(struct video_frame *, receivers),
	    .enc = g_new0(struct vp8_encoder *, receivers),
	    .frame = g_malloc(4 << 20),
	};
	double *ms = g_new(double, b->opt.frames), sum = 0;
	uint64_t now = 1000000000;
	struct vp8_encoder_config cfg;

	vp8_encoder_config_init(&cfg);
	cfg.width = 1280;
	cfg.height = 720;
	cfg.bitrate_kbps = 1500;
	cfg.cpu_used = b->opt.cpu_used;
	for (unsigned s = 0; s < n; s++) {
		nv.fa[s] = frame_assembler_new(NULL, "naive");
		nv.dec[s] = vp8_decoder_new("naive");
		nv.pool[s] = video_frame_pool_new(3);
	}
	for (unsigned r = 0; r < receivers; r++) {
		nv.canvas[r] = video_frame_new(1280, 720);
		nv.enc[r] = vp8_encoder_new(&cfg, "naive");
	}
	memset(b->seq, 0, n * sizeof(uint16_t));
	for (unsigned f = 0; f < b->opt.warmup + b->opt.frames; f++, now += PERIOD_US) {
		double start;

		make_packets(b, f);
		start = thread_cpu_ms();
		naive_tick(b, &nv, receivers, now, f);
		if (f >= b->opt.warmup) {
			ms[f - b->opt.warmup] = thread_cpu_ms() - start;
			sum += ms[f - b->opt.warmup];
		}
	}
	for (unsigned s = 0; s < n; s++) {
		frame_assembler_free(nv.fa[s]);
		vp8_decoder_free(nv.dec[s]);
		video_frame_unref(nv.pic[s]);
		video_frame_pool_release(nv.pool[s]);
	}
	for (unsigned r = 0; r < receivers; r++) {
		video_frame_unref(nv.canvas[r]);
		vp8_encoder_free(nv.enc[r]);
	}
	struct sample s = {.mean_ms = sum / b->opt.frames, .encodes = receivers, .decodes = 25};
	s.median_ms = median(ms, b->opt.frames);
	g_free(nv.fa);
	g_free(nv.dec);
	g_free(nv.pic);
	g_free(nv.pool);
	g_free(nv.canvas);
	g_free(nv.enc);
	g_free(nv.frame);
	g_free(ms);
	return s;
}

struct naive_result {
	unsigned receivers;
	double ms;
};

struct results {
	struct sample once;     /* compose once, idle tiers off: what a room runs */
	struct sample all;      /* compose once, all 6 streams encoded */
	struct sample per_tier; /* compose per tier, all 6 streams encoded */
	struct naive_result naive[16];
	unsigned naive_count;
};

static unsigned parse_counts(const char *text, unsigned *out, unsigned cap)
{
	g_auto(GStrv) parts = g_strsplit(text, ",", -1);
	unsigned n = 0;

	for (char **p = parts; *p && n < cap; p++) {
		int v = atoi(*p);

		if (v > 0)
			out[n++] = (unsigned)v;
	}
	return n;
}

/* The median over repeats of one field of the samples. */
static double median_field(const struct sample *v, unsigned n, size_t offset)
{
	double *x = g_new(double, n), m;

	for (unsigned i = 0; i < n; i++)
		x[i] = *(const double *)((const char *)&v[i] + offset);
	m = median(x, n);
	g_free(x);
	return m;
}

/* The median of every field over the repeats. */
static struct sample median_sample(const struct sample *v, unsigned n)
{
	return (struct sample){
	    .median_ms = median_field(v, n, offsetof(struct sample, median_ms)),
	    .mean_ms = median_field(v, n, offsetof(struct sample, mean_ms)),
	    .egress_ms = median_field(v, n, offsetof(struct sample, egress_ms)),
	    .decodes = median_field(v, n, offsetof(struct sample, decodes)),
	    .encodes = median_field(v, n, offsetof(struct sample, encodes)),
	    .decode_ms = median_field(v, n, offsetof(struct sample, decode_ms)),
	    .compose_ms = median_field(v, n, offsetof(struct sample, compose_ms)),
	    .encode_ms = median_field(v, n, offsetof(struct sample, encode_ms)),
	};
}

/* Alternates the runs in each repeat; every figure reported is the median over the
 * repeats (of each run's median frame, or of its means for the phase split). */
static void measure(struct bench *b, struct results *res)
{
	unsigned reps = b->opt.repeats, counts[16];
	struct sample *once = g_new(struct sample, reps), *all = g_new(struct sample, reps);
	struct sample *per = g_new(struct sample, reps);
	double *nai = g_new(double, reps * 16);

	res->naive_count = parse_counts(b->opt.naive, counts, 16);
	for (unsigned rep = 0; rep < reps; rep++) {
		struct sample *o = &once[rep], *a = &all[rep], *p = &per[rep];

		*o = run_cau(b, false, false);
		*a = run_cau(b, false, true);
		*p = run_cau(b, true, true);
		fprintf(stderr,
		        "  repeat %u: Cầu %.3f ms/frame (decode %.2f, compose %.2f, encode %.2f; "
		        "%.2f encodes), all tiers %.3f (encode %.2f), per tier %.3f (compose %.2f)",
		        rep + 1, o->median_ms, o->decode_ms, o->compose_ms, o->encode_ms,
		        o->encodes, a->median_ms, a->encode_ms, p->median_ms, p->compose_ms);
		for (unsigned i = 0; i < res->naive_count; i++) {
			struct sample n = run_naive(b, counts[i]);

			nai[i * reps + rep] = n.median_ms;
			fprintf(stderr, ", naive x%u %.3f", counts[i], n.median_ms);
		}
		fprintf(stderr, "\n");
	}
	res->once = median_sample(once, reps);
	res->all = median_sample(all, reps);
	res->per_tier = median_sample(per, reps);
	for (unsigned i = 0; i < res->naive_count; i++) {
		res->naive[i].receivers = counts[i];
		res->naive[i].ms = median(nai + i * reps, reps);
	}
	g_free(once);
	g_free(all);
	g_free(per);
	g_free(nai);
}

static char *cpu_model(void)
{
	g_autofree char *text = NULL;

	if (g_file_get_contents("/proc/cpuinfo", &text, NULL, NULL)) {
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
			char *colon = strchr(line, ':');

			if (g_str_has_prefix(line, "model name") && colon)
				return g_strstrip(g_strdup(colon + 1));
		}
	}
	return g_strdup("unknown");
}

static void row(const char *label, double ms, const char *detail)
{
	printf("%-40s %10.3f %8.0f%%  %s\n", label, ms, 100 * ms / (PERIOD_US / 1000.0), detail);
}

static void report(const struct bench *b, const struct results *r, double load_start)
{
	g_autofree char *cpu = cpu_model();
	double load[3] = {0};
	struct utsname un;
	GString *json = g_string_new(NULL);
	char detail[160];

	uname(&un);
	if (getloadavg(load, 3) < 0)
		load[0] = -1;
	printf("video-compositor: %u sources (source 0 at 1280x720, others 320x180, all moving), "
	       "grid view (page 1 of %u: 25 tiles) + speaker view (1 + 5 tiles), tiers "
	       "1280x720@30:1500,640x360@30:500,320x180@15:150, libvpx cpu-used %d, %u receivers "
	       "(1 on the speaker view); %u frames x %u repeats (after %u warm-up), CPU time of "
	       "one thread\n",
	       b->opt.sources, layout_page_count(b->opt.sources, 25), b->opt.cpu_used,
	       b->opt.receivers, b->opt.frames, b->opt.repeats, b->opt.warmup);
	printf("machine: %s, %ld CPUs, %s %s, load average %.2f at start, %.2f at end\n", cpu,
	       sysconf(_SC_NPROCESSORS_ONLN), un.sysname, un.release, load_start, load[0]);
	printf("%-40s %10s %9s  %s\n", "run", "ms/frame", "of 33 ms", "per frame");
	g_snprintf(detail, sizeof(detail),
	           "%.1f decodes, %.2f encodes; decode %.2f + compose "
	           "%.2f + encode %.2f ms",
	           r->once.decodes, r->once.encodes, r->once.decode_ms, r->once.compose_ms,
	           r->once.encode_ms);
	row("Cầu (idle tiers off)", r->once.median_ms, detail);
	g_snprintf(detail, sizeof(detail), "%.2f encodes; encode %.2f ms", r->all.encodes,
	           r->all.encode_ms);
	row("Cầu, all 2x3 streams, compose once", r->all.median_ms, detail);
	g_snprintf(detail, sizeof(detail), "%.2f encodes; compose %.2f ms (once: %.2f)",
	           r->per_tier.encodes, r->per_tier.compose_ms, r->all.compose_ms);
	row("Cầu, all 2x3 streams, compose per tier", r->per_tier.median_ms, detail);
	g_snprintf(detail, sizeof(detail), "%u receivers: tier selection, RTP headers, copies",
	           b->opt.receivers);
	row("Cầu egress (not in the rows above)", r->once.egress_ms, detail);
	for (unsigned i = 0; i < r->naive_count; i++) {
		char label[64];

		g_snprintf(label, sizeof(label), "naive, %u receiver%s", r->naive[i].receivers,
		           r->naive[i].receivers == 1 ? "" : "s");
		g_snprintf(detail, sizeof(detail), "25 decodes, %u composes + 720p encodes",
		           r->naive[i].receivers);
		row(label, r->naive[i].ms, detail);
	}
	g_string_append_printf(
	    json,
	    "{\"bench\":\"video-compositor\",\"sources\":%u,\"receivers\":%u,\"frames\":%u,"
	    "\"repeats\":%u,\"cpu_used\":%d,\"cpu\":\"%s\",\"cpus\":%ld,\"load_start\":%.2f,"
	    "\"load_end\":%.2f,\"cau_ms_per_frame\":%.4f,\"cau_decode_ms\":%.4f,"
	    "\"cau_compose_ms\":%.4f,\"cau_encode_ms\":%.4f,\"cau_decodes_per_frame\":%.2f,"
	    "\"cau_encodes_per_frame\":%.2f,\"cau_all_streams_ms_per_frame\":%.4f,"
	    "\"cau_compose_per_tier_ms_per_frame\":%.4f,\"cau_compose_once_ms\":%.4f,"
	    "\"cau_compose_per_tier_ms\":%.4f,\"cau_egress_ms_per_frame\":%.4f,\"naive\":[",
	    b->opt.sources, b->opt.receivers, b->opt.frames, b->opt.repeats, b->opt.cpu_used, cpu,
	    sysconf(_SC_NPROCESSORS_ONLN), load_start, load[0], r->once.median_ms,
	    r->once.decode_ms, r->once.compose_ms, r->once.encode_ms, r->once.decodes,
	    r->once.encodes, r->all.median_ms, r->per_tier.median_ms, r->all.compose_ms,
	    r->per_tier.compose_ms, r->once.egress_ms);
	for (unsigned i = 0; i < r->naive_count; i++)
		g_string_append_printf(json, "%s{\"receivers\":%u,\"ms_per_frame\":%.4f}",
		                       i ? "," : "", r->naive[i].receivers, r->naive[i].ms);
	g_string_append(json, "]}");
	printf("%s\n", json->str);
	g_string_free(json, TRUE);
}

static bool parse_options(int argc, char **argv, struct options *opt)
{
	g_autoptr(GError) error = NULL;
	int sources = 169, frames = 60, warmup = 15, repeats = 5, receivers = 169, cpu_used = 12;
	GOptionEntry entries[] = {
	    {"sources", 'n', 0, G_OPTION_ARG_INT, &sources, "sources (169)", "N"},
	    {"frames", 'f', 0, G_OPTION_ARG_INT, &frames, "measured frames per run (60)", "N"},
	    {"warmup", 'w', 0, G_OPTION_ARG_INT, &warmup, "frames before measuring (15)", "N"},
	    {"repeats", 'r', 0, G_OPTION_ARG_INT, &repeats, "repeats, medians kept (5)", "N"},
	    {"receivers", 0, 0, G_OPTION_ARG_INT, &receivers, "Cầu's receivers (169)", "N"},
	    {"cpu-used", 0, 0, G_OPTION_ARG_INT, &cpu_used, "libvpx speed 0..16 (12)", "N"},
	    {"naive", 0, 0, G_OPTION_ARG_STRING, &opt->naive,
	     "receiver counts of the naive baseline (1,3,10)", "LIST"},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- video compositor CPU per frame");

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "video-compositor: %s\n", error->message);
		return false;
	}
	if (sources < 26 || sources > 1000 || frames < 1 || warmup < 1 || repeats < 1 ||
	    receivers < 1 || cpu_used < 0 || cpu_used > 16) {
		fprintf(stderr,
		        "video-compositor: --sources 26..1000, --cpu-used 0..16, others >= 1\n");
		return false;
	}
	opt->sources = (unsigned)sources;
	opt->frames = (unsigned)frames;
	opt->warmup = (unsigned)warmup;
	opt->repeats = (unsigned)repeats;
	opt->receivers = (unsigned)receivers;
	opt->cpu_used = cpu_used;
	if (!opt->naive)
		opt->naive = g_strdup("1,3,10");
	return true;
}

int main(int argc, char **argv)
{
	struct bench b = {0};
	struct results res = {0};
	double load[3] = {0};

	if (!parse_options(argc, argv, &b.opt))
		return 2;
	if (getloadavg(load, 3) < 0)
		load[0] = -1;
	prepare(&b);
	measure(&b, &res);
	report(&b, &res, load[0]);
	unprepare(&b);
	g_free(b.opt.naive);
	return 0;
}
