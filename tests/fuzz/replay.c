/* SPDX-License-Identifier: MIT */
/* Runs a fuzz target over every file of its corpus, without libFuzzer, so that `meson
 * test` replays past inputs (and crashes) on every build. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *data = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &data, &len, &error)) {
		fprintf(stderr, "replay: %s\n", error->message);
		return -1;
	}
	/* A private copy of exactly `len` bytes, so overreads show under ASan. */
	g_autofree uint8_t *copy = g_memdup2(data, len);
	LLVMFuzzerTestOneInput(copy, len);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned count = 0;

	for (int i = 1; i < argc; i++) {
		g_autoptr(GDir) dir = g_dir_open(argv[i], 0, NULL);
		const char *name;

		if (!dir) {
			if (replay_file(argv[i]) < 0)
				return 1;
			count++;
			continue;
		}
		while ((name = g_dir_read_name(dir))) {
			g_autofree char *path = g_build_filename(argv[i], name, NULL);
			if (replay_file(path) < 0)
				return 1;
			count++;
		}
	}
	printf("replayed %u inputs\n", count);
	return count ? 0 : 1;
}
