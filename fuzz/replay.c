/*
 * replay.c - runs a fuzz target over files (the regression corpus of
 * fuzz/regress/TARGET), for `make check` without libFuzzer: TAP, one test
 * per file.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Without arguments: fuzz/regress/TARGET under $SRCDIR, TARGET from the
 * program's name (replay_TARGET).
 */
int
main(int argc, char **argv)
{
	char dflt[4096];
	char *dirs[2] = { NULL, NULL };
	const char *name = strrchr(argv[0], '/'), *srcdir = getenv("SRCDIR");
	int n = 0;

	name = name ? name + 1 : argv[0];
	if (argc < 2 && strncmp(name, "replay_", 7) == 0) {
		snprintf(dflt, sizeof(dflt), "%s/fuzz/regress/%s",
		    srcdir ? srcdir : ".", name + 7);
		dirs[0] = dflt;
		argv = dirs - 1;
		argc = 2;
	}
	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *de;

		while (d != NULL && (de = readdir(d)) != NULL) {
			char path[4096];
			FILE *f;
			long len;
			uint8_t *buf;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			if ((f = fopen(path, "rb")) == NULL)
				continue;
			fseek(f, 0, SEEK_END);
			len = ftell(f);
			rewind(f);
			buf = malloc((size_t)len + 1);
			if (fread(buf, 1, (size_t)len, f) != (size_t)len)
				len = 0;
			fclose(f);
			LLVMFuzzerTestOneInput(buf, (size_t)len);
			free(buf);
			printf("ok %d - %s\n", ++n, path);
		}
		if (d != NULL)
			closedir(d);
	}
	printf("1..%d\n", n);
	return 0;
}
