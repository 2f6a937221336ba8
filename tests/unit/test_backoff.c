/* test_backoff.c — backoff_wait_ms: each wait between half the delay and all of it, the
 * delay doubling from the first to the cap, the count of failures kept at 30, and the
 * waits spread by the seed. */
#include "base/backoff.h"
#include "check.h"

int main(void)
{
	unsigned seed = 12345;
	int failures = 0;
	int64_t delay = 200, low = 0, high = 0;
	for (int n = 1; n <= 40; n++) {
		int64_t w = backoff_wait_ms(200, 3000, &failures, &seed);
		if (w < delay / 2 || w > delay)
			fprintf(stderr, "failure %d: %lld ms, delay %lld\n", n, (long long)w,
			        (long long)delay);
		CHECK(w >= delay / 2 && w <= delay);
		CHECK_INT(failures, n < 30 ? n : 30);
		if (n <= 5)
			printf("failure %d: wait %lld ms (delay %lld)\n", n, (long long)w,
			       (long long)delay);
		low += w == delay / 2;
		high += w == delay;
		delay = delay * 2 > 3000 ? 3000 : delay * 2;
	}
	/* the cap from the first failure on */
	failures = 0;
	CHECK(backoff_wait_ms(3000, 3000, &failures, &seed) >= 1500);
	/* jitter: two kiosks with other seeds do not wait alike */
	int same = 0;
	unsigned a = 1, b = 2;
	for (int n = 0; n < 20; n++) {
		int fa = 5, fb = 5;
		same +=
		    backoff_wait_ms(200, 100000, &fa, &a) == backoff_wait_ms(200, 100000, &fb, &b);
	}
	CHECK(same < 5);
	CHECK(low + high < 40); /* not always at an end */
	return check_done();
}
