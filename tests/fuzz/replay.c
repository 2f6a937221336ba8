/* replay.c — runs a fuzz target without libFuzzer: every file named on the command line
 * (the seed corpus), then a fixed number of seeded random mutations of them, so that
 * the normal and sanitizer builds exercise the target on every test run. With clang,
 * KIOSK_FUZZ=ON builds the same targets for real coverage-guided fuzzing instead. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 65536

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Flips, inserts or deletes a few bytes, or cuts the input short. */
static size_t mutate(uint8_t *buf, size_t n)
{
	int edits = 1 + (int)(next() % 8);
	for (int e = 0; e < edits; e++) {
		size_t at = n ? next() % n : 0;
		switch (next() % 4) {
		case 0:
			if (n)
				buf[at] = (uint8_t)next();
			break;
		case 1:
			if (n < MAX_INPUT) {
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = "=[]\n;.-:,\xe4\x00 9"[next() % 14];
				n++;
			}
			break;
		case 2:
			if (n) {
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
			}
			break;
		default:
			n = at;
			break;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	static uint8_t seeds[64][MAX_INPUT], buf[MAX_INPUT];
	static size_t lens[64];
	int nseeds = 0, runs = 0;
	const char *env = getenv("KIOSK_FUZZ_RUNS");
	int mutations = env ? atoi(env) : 10000;

	for (int i = 1; i < argc && nseeds < 64; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			fprintf(stderr, "replay: cannot read %s\n", argv[i]);
			return 1;
		}
		lens[nseeds] = fread(seeds[nseeds], 1, MAX_INPUT, f);
		fclose(f);
		LLVMFuzzerTestOneInput(seeds[nseeds], lens[nseeds]);
		nseeds++, runs++;
	}
	for (int m = 0; nseeds && m < mutations; m++, runs++) {
		int s = (int)(next() % (uint64_t)nseeds);
		memcpy(buf, seeds[s], lens[s]);
		size_t n = mutate(buf, lens[s]);
		LLVMFuzzerTestOneInput(buf, n);
	}
	printf("%d passed, 0 failed\n", runs);
	return nseeds ? 0 : 1;
}
