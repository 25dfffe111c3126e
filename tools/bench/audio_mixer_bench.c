/* SPDX-License-Identifier: MIT */
/* Micro-benchmark: CPU time per 20 ms tick of the audio mixer for a province meeting (169
 * participants, 1-3 speakers) against a naive "decode everyone, encode per participant"
 * mixer run in the same process on the same packets. */
#include <errno.h>
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "media/audio_level.h"
#include "media/audio_limiter.h"
#include "media/audio_mixer.h"
#include "media/opus_codec.h"

#define N      AUDIO_FRAME_SAMPLES
#define CANNED 8

struct options {
	unsigned participants;
	unsigned ticks;
	unsigned warmup;
	unsigned repeats;
	char *speakers;
};

/* One participant's input: a packet per tick (talkers) or the canned room noise. */
struct input {
	uint32_t ssrc;
	bool talker;
	uint8_t (*frames)[AUDIO_PAYLOAD_MAX];
	size_t *lens;
	int *levels;
};

struct bench {
	struct options opt;
	unsigned speakers;
	struct input *inputs;
	uint8_t canned[CANNED][AUDIO_PAYLOAD_MAX];
	size_t canned_len[CANNED];
};

struct sample {
	double median_ms;
	double mean_ms;
	double encodes;
	double decodes;
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

/* A voiced, speech-like signal with its own pitch per talker. */
static void voice(int16_t *pcm, uint64_t start, double f0, double amplitude)
{
	for (int i = 0; i < N; i++) {
		double t = (double)(start + (uint64_t)i) / AUDIO_SAMPLE_RATE;
		double phase = 2 * G_PI * f0 * (t - 0.15 / (2 * G_PI * 3) * cos(2 * G_PI * 3 * t));
		double v = 0;

		for (int h = 1; h <= 10; h++)
			v += (exp(-pow((f0 * h - 700) / 300, 2)) + 0.1) * sin(h * phase) / h;
		pcm[i] = (int16_t)CLAMP(lround(amplitude * (0.6 + 0.4 * sin(2 * G_PI * 4 * t)) * v),
		                        -32767, 32767);
	}
}

static int rfc6464_level(const int16_t *pcm)
{
	return audio_level_to_rfc6464(audio_level_measure(pcm, N));
}

/* Encodes what each participant sends, once, before anything is timed. */
static void prepare(struct bench *b)
{
	unsigned frames = b->opt.warmup + b->opt.ticks;
	struct audio_encoder *enc;
	GRand *rand = g_rand_new_with_seed(169);
	int16_t pcm[N];

	enc = audio_encoder_new(NULL);
	for (int f = 0; f < CANNED; f++) {
		for (int i = 0; i < N; i++)
			pcm[i] = (int16_t)g_rand_int_range(rand, -15, 16);
		audio_encoder_encode(enc, pcm, b->canned[f], AUDIO_PAYLOAD_MAX, &b->canned_len[f],
		                     NULL);
	}
	audio_encoder_free(enc);
	g_rand_free(rand);

	b->inputs = g_new0(struct input, b->opt.participants);
	for (unsigned p = 0; p < b->opt.participants; p++) {
		struct input *in = &b->inputs[p];

		in->ssrc = 0x10000 + p;
		in->talker = p < b->speakers;
		if (!in->talker)
			continue;
		in->frames = g_malloc(frames * sizeof(*in->frames));
		in->lens = g_new(size_t, frames);
		in->levels = g_new(int, frames);
		enc = audio_encoder_new(NULL);
		for (unsigned f = 0; f < frames; f++) {
			voice(pcm, (uint64_t)f * N, 110 + 35 * p, 9000);
			in->levels[f] = rfc6464_level(pcm);
			audio_encoder_encode(enc, pcm, in->frames[f], AUDIO_PAYLOAD_MAX,
			                     &in->lens[f], NULL);
		}
		audio_encoder_free(enc);
	}
}

static void unprepare(struct bench *b)
{
	for (unsigned p = 0; p < b->opt.participants; p++) {
		g_free(b->inputs[p].frames);
		g_free(b->inputs[p].lens);
		g_free(b->inputs[p].levels);
	}
	g_free(b->inputs);
}

/* The packet participant p sends at frame f. */
static struct jitter_packet packet(const struct bench *b, unsigned p, unsigned f,
                                   uint64_t arrival_us)
{
	const struct input *in = &b->inputs[p];
	struct jitter_packet pkt = {
	    .ssrc = in->ssrc,
	    .seq = (uint16_t)(p * 1000 + f),
	    .timestamp = p * 100000u + f * (uint32_t)N,
	    .arrival_us = arrival_us,
	};

	if (in->talker) {
		pkt.payload = in->frames[f];
		pkt.payload_len = in->lens[f];
		pkt.level = in->levels[f];
		pkt.vad = true;
	} else {
		pkt.payload = b->canned[f % CANNED];
		pkt.payload_len = b->canned_len[f % CANNED];
		pkt.level = 70;
	}
	return pkt;
}

/* Cầu's mixer: each tick, every packet is handed over, then one mixer tick. */
static struct sample run_mixer(const struct bench *b)
{
	struct audio_mixer_config cfg;
	struct audio_mixer *mixer;
	const struct audio_mix_output *out;
	struct audio_mixer_stats st;
	double *ms = g_new(double, b->opt.ticks), sum = 0, enc = 0, dec = 0;
	uint64_t now = 1000000000;
	unsigned slot;

	audio_mixer_config_init(&cfg);
	cfg.capacity = MAX(b->opt.participants, 1u);
	mixer = audio_mixer_new(&cfg, "bench");
	for (unsigned p = 0; p < b->opt.participants; p++)
		audio_mixer_add(mixer, &slot);
	for (unsigned f = 0; f < b->opt.warmup + b->opt.ticks; f++, now += 20000) {
		double start = thread_cpu_ms();

		for (unsigned p = 0; p < b->opt.participants; p++) {
			struct jitter_packet pkt = packet(b, p, f, now - 10000);

			audio_mixer_put(mixer, p, &pkt);
		}
		audio_mixer_tick(mixer, now, 1, &out);
		if (f < b->opt.warmup)
			continue;
		ms[f - b->opt.warmup] = thread_cpu_ms() - start;
		sum += ms[f - b->opt.warmup];
		audio_mixer_get_stats(mixer, &st);
		enc += st.encodes;
		dec += st.decodes;
	}
	audio_mixer_free(mixer);
	struct sample s = {.mean_ms = sum / b->opt.ticks,
	                   .encodes = enc / b->opt.ticks,
	                   .decodes = dec / b->opt.ticks};
	s.median_ms = median(ms, b->opt.ticks);
	g_free(ms);
	return s;
}

/* The naive baseline (what Janus's AudioBridge does): decode every participant, sum
 * everyone, and encode, for each participant, the sum minus its own voice. Same codec
 * settings, same limiter, same packets. */
struct naive {
	struct audio_decoder **dec;
	struct audio_encoder **enc;
	struct audio_limiter *lim;
	int16_t (*pcm)[N];
	int32_t acc[N];
	int32_t minus[N];
	int16_t out[N];
	uint8_t payload[AUDIO_PAYLOAD_MAX];
};

static void naive_tick(const struct bench *b, struct naive *nv, unsigned f)
{
	unsigned count = b->opt.participants;
	size_t len;

	memset(nv->acc, 0, sizeof(nv->acc));
	for (unsigned p = 0; p < count; p++) {
		struct jitter_packet pkt = packet(b, p, f, 0);

		if (audio_decoder_decode(nv->dec[p], pkt.payload, pkt.payload_len, nv->pcm[p]) < 0)
			memset(nv->pcm[p], 0, sizeof(nv->pcm[p]));
		for (int i = 0; i < N; i++)
			nv->acc[i] += nv->pcm[p][i];
	}
	for (unsigned p = 0; p < count; p++) {
		for (int i = 0; i < N; i++)
			nv->minus[i] = nv->acc[i] - nv->pcm[p][i];
		audio_limiter_process(&nv->lim[p], nv->minus, nv->out, N);
		audio_encoder_encode(nv->enc[p], nv->out, nv->payload, sizeof(nv->payload), &len,
		                     NULL);
	}
}

static struct sample run_naive(const struct bench *b)
{
	unsigned count = b->opt.participants;
	struct naive nv = {
	    .dec = g_new(struct audio_decoder *, count),
	    .enc = g_new(struct audio_encoder *, count),
	    .lim = g_new(struct audio_limiter, count),
	    .pcm = g_malloc(count * sizeof(*nv.pcm)),
	};
	double *ms = g_new(double, b->opt.ticks), sum = 0;

	for (unsigned p = 0; p < count; p++) {
		nv.dec[p] = audio_decoder_new();
		nv.enc[p] = audio_encoder_new(NULL);
		audio_limiter_init(&nv.lim[p]);
	}
	for (unsigned f = 0; f < b->opt.warmup + b->opt.ticks; f++) {
		double start = thread_cpu_ms();

		naive_tick(b, &nv, f);
		if (f >= b->opt.warmup) {
			ms[f - b->opt.warmup] = thread_cpu_ms() - start;
			sum += ms[f - b->opt.warmup];
		}
	}
	for (unsigned p = 0; p < count; p++) {
		audio_decoder_free(nv.dec[p]);
		audio_encoder_free(nv.enc[p]);
	}
	struct sample s = {.mean_ms = sum / b->opt.ticks, .encodes = count, .decodes = count};
	s.median_ms = median(ms, b->opt.ticks);
	g_free(nv.dec);
	g_free(nv.enc);
	g_free(nv.lim);
	g_free(nv.pcm);
	g_free(ms);
	return s;
}

struct result {
	unsigned speakers;
	double mixer_ms;
	double naive_ms;
	double mixer_encodes;
	double mixer_decodes;
};

/* Repeats both runs, alternating, and keeps the median of the per-repeat medians. */
static struct result measure(struct bench *b)
{
	double *mix = g_new(double, b->opt.repeats), *nai = g_new(double, b->opt.repeats);
	struct result r = {.speakers = b->speakers};

	prepare(b);
	for (unsigned rep = 0; rep < b->opt.repeats; rep++) {
		struct sample m = run_mixer(b);
		struct sample n = run_naive(b);

		mix[rep] = m.median_ms;
		nai[rep] = n.median_ms;
		r.mixer_encodes = m.encodes;
		r.mixer_decodes = m.decodes;
		fprintf(
		    stderr,
		    "  %u speakers, repeat %u: mixer %.3f ms/tick (mean %.3f), naive %.3f ms/tick "
		    "(mean %.3f)\n",
		    b->speakers, rep + 1, m.median_ms, m.mean_ms, n.median_ms, n.mean_ms);
	}
	r.mixer_ms = median(mix, b->opt.repeats);
	r.naive_ms = median(nai, b->opt.repeats);
	unprepare(b);
	g_free(mix);
	g_free(nai);
	return r;
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

static void report(const struct bench *b, const struct result *res, size_t count)
{
	g_autofree char *cpu = cpu_model();
	struct audio_encoder_config enc;
	double load[3] = {0};
	struct utsname un;
	GString *json = g_string_new(NULL);

	audio_encoder_config_init(&enc);
	uname(&un);
	if (getloadavg(load, 3) < 0)
		load[0] = -1;
	printf("audio-mixer: %u participants, %u ticks x %u repeats (after %u warm-up ticks), "
	       "Opus %d b/s complexity %d FEC %s, CPU time of one thread\n",
	       b->opt.participants, b->opt.ticks, b->opt.repeats, b->opt.warmup, enc.bitrate,
	       enc.complexity, enc.fec ? "on" : "off");
	printf("machine: %s, %ld CPUs, %s %s, load average %.2f\n", cpu,
	       sysconf(_SC_NPROCESSORS_ONLN), un.sysname, un.release, load[0]);
	printf("%-9s %14s %16s %8s %12s %12s %14s\n", "speakers", "mixer ms/tick", "naive ms/tick",
	       "ratio", "mixer enc", "mixer dec", "naive enc/dec");
	g_string_append_printf(json,
	                       "{\"bench\":\"audio-mixer\",\"participants\":%u,\"ticks\":%u,"
	                       "\"repeats\":%u,\"cpu\":\"%s\",\"cpus\":%ld,\"load\":%.2f,"
	                       "\"results\":[",
	                       b->opt.participants, b->opt.ticks, b->opt.repeats, cpu,
	                       sysconf(_SC_NPROCESSORS_ONLN), load[0]);
	for (size_t i = 0; i < count; i++) {
		const struct result *r = &res[i];
		double ratio = r->naive_ms / MAX(r->mixer_ms, 1e-6);

		printf("%-9u %14.3f %16.3f %7.1fx %12.1f %12.1f %14u\n", r->speakers, r->mixer_ms,
		       r->naive_ms, ratio, r->mixer_encodes, r->mixer_decodes, b->opt.participants);
		g_string_append_printf(
		    json,
		    "%s{\"speakers\":%u,\"mixer_ms_per_tick\":%.4f,"
		    "\"naive_ms_per_tick\":%.4f,\"ratio\":%.1f,"
		    "\"mixer_encodes_per_tick\":%.1f,\"mixer_decodes_per_tick\":%.1f,"
		    "\"naive_encodes_per_tick\":%u,\"naive_decodes_per_tick\":%u}",
		    i ? "," : "", r->speakers, r->mixer_ms, r->naive_ms, ratio, r->mixer_encodes,
		    r->mixer_decodes, b->opt.participants, b->opt.participants);
	}
	g_string_append(json, "]}");
	printf("%s\n", json->str);
	g_string_free(json, TRUE);
}

static bool parse_options(int argc, char **argv, struct options *opt)
{
	g_autoptr(GError) error = NULL;
	int participants = 169, ticks = 100, warmup = 25, repeats = 5;
	GOptionEntry entries[] = {
	    {"participants", 'n', 0, G_OPTION_ARG_INT, &participants, "participants (169)", "N"},
	    {"speakers", 's', 0, G_OPTION_ARG_STRING, &opt->speakers, "speaker counts (1,2,3)",
	     "LIST"},
	    {"ticks", 't', 0, G_OPTION_ARG_INT, &ticks, "measured ticks per run (100)", "N"},
	    {"warmup", 'w', 0, G_OPTION_ARG_INT, &warmup, "ticks before measuring (25)", "N"},
	    {"repeats", 'r', 0, G_OPTION_ARG_INT, &repeats, "repeats, medians kept (5)", "N"},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- audio mixer CPU per tick");

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "audio-mixer: %s\n", error->message);
		return false;
	}
	if (participants < 1 || participants > AUDIO_MIXER_MAX_CAPACITY || ticks < 1 ||
	    warmup < 10 || repeats < 1) {
		fprintf(stderr,
		        "audio-mixer: participants 1..%d, ticks >= 1, warmup >= 10, "
		        "repeats >= 1\n",
		        AUDIO_MIXER_MAX_CAPACITY);
		return false;
	}
	opt->participants = (unsigned)participants;
	opt->ticks = (unsigned)ticks;
	opt->warmup = (unsigned)warmup;
	opt->repeats = (unsigned)repeats;
	if (!opt->speakers)
		opt->speakers = g_strdup("1,2,3");
	return true;
}

int main(int argc, char **argv)
{
	struct bench b = {0};
	g_auto(GStrv) counts = NULL;
	struct result res[16];
	size_t n = 0;

	if (!parse_options(argc, argv, &b.opt))
		return 2;
	counts = g_strsplit(b.opt.speakers, ",", -1);
	for (size_t i = 0; counts[i] && n < G_N_ELEMENTS(res); i++) {
		b.speakers = (unsigned)CLAMP(atoi(counts[i]), 0, (int)b.opt.participants);
		res[n++] = measure(&b);
	}
	report(&b, res, n);
	g_free(b.opt.speakers);
	return 0;
}
