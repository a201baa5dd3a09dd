/*
 * replay.c: run a fuzz harness over its corpus without libFuzzer.
 * SPDX-License-Identifier: MIT
 *
 * Linked with one t/fuzz/NAME-fuzz.c, it calls LLVMFuzzerTestOneInput()
 * once for every file under the directories (or files) named on the
 * command line, so that `make check` replays every seed and every input a
 * fuzzing run kept or crashed on, in both of CI's passes (the sanitizer
 * pass turns a crash, leak or undefined behaviour into a failure).  A
 * harness's own checks abort(); the count of inputs goes to stdout.
 *
 * Exit status: 0 when every input ran, 1 on an unreadable path, 2 on
 * usage.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are not corpus entries (libFuzzer's -max_len
 * default is 4096; keep room for hand-written seeds). */
#define REPLAY_MAX (1024 * 1024)

static unsigned long replay_count;

/* Read path whole and run the harness on it, in a buffer of exactly its
 * size (as under libFuzzer, so that ASan sees a read past the end).
 * Returns 0 or -1. */
static int
replay_file(const char *path, off_t size)
{
	FILE *fp;
	uint8_t *buf;
	size_t len = (size_t)size;

	if (size > REPLAY_MAX) {
		fprintf(stderr, "replay: %s: larger than 1 MiB\n", path);
		return -1;
	}
	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if ((buf = malloc(len > 0 ? len : 1)) == NULL) {
		fclose(fp);
		fprintf(stderr, "replay: out of memory\n");
		return -1;
	}
	if (fread(buf, 1, len, fp) != len) {
		fprintf(stderr, "replay: %s: short read\n", path);
		fclose(fp);
		free(buf);
		return -1;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	replay_count++;
	return 0;
}

/* Replay path: a file, or every file under a directory. */
static int
replay_path(const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (stat(path, &st) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path, st.st_size);
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char *sub;

		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&sub, "%s/%s", path, de->d_name) == -1) {
			rc = -1;
			break;
		}
		if (replay_path(sub) == -1)
			rc = -1;
		free(sub);
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i]) == -1)
			rc = 1;
	printf("%lu\n", replay_count);
	return rc;
}
