/* backoff.c — the back-off of backoff.h. */
#include "base/backoff.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int64_t backoff_wait_ms(int64_t min_ms, int64_t max_ms, int *failures, unsigned *seed)
{
	int64_t d = min_ms;
	if (*failures < 30)
		(*failures)++;
	for (int i = 1; i < *failures && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	return d / 2 + (int64_t)((unsigned)rand_r(seed) % (unsigned)(d / 2 + 1));
}

unsigned backoff_seed(void)
{
	return (unsigned)time(NULL) ^ (unsigned)getpid();
}
