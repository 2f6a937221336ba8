/* test_store_crash.c — kill -9 in the middle of work. A child opens the store and runs
 * a storm of order creations and moves; the parent kills it after a random 5–60 ms,
 * again and again on the same database, and after each kill checks that the journal
 * chain holds, that every order's state is the last state of its history, and that
 * the journal has exactly one row per history row. First, a new database is killed
 * within 0–3 ms of its birth a number of times: what is left must open, never be
 * taken for a foreign file. Set KIOSK_SEED to replay a run. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "store/store.h"
#include "store_testutil.h"

#define KILLS    50
#define BIRTHS   20 /* kills of a child still creating a new database */
#define T0       1700000000
#define MAX_HIST 16

static uint64_t rng_state;

/* xorshift64*: small, seeded, the same sequence for the same seed */
static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static int rng_below(int n)
{
	return (int)(rng_next() % (uint64_t)n);
}

/* The child: creates orders and walks each through random allowed moves, sometimes
 * leaving it open, until it is killed. Exits (an error for the parent) only on failure. */
static void storm(const char *path, uint64_t seed)
{
	struct kerr err = {0};
	struct store *s = NULL;
	int64_t now = T0;

	rng_state = seed;
	if (store_open(path, &s, &err) != KR_OK) {
		fprintf(stderr, "child: open: %s\n", err.msg);
		_exit(2);
	}
	for (;;) {
		struct fee_quote q = tu_quote(rng_below(2) ? 3000 : 0);
		struct order_spec spec = tu_spec(&q, now++);
		struct order_row row;
		enum order_state at = ORDER_NEW;

		if (store_order_create(s, &spec, &row, &err) != KR_OK) {
			fprintf(stderr, "child: create: %s\n", err.msg);
			_exit(3);
		}
		while (!order_states[at].final && rng_below(8) != 0) {
			enum order_state next[ORDER_STATE_COUNT];
			int n = 0;
			for (int to = 0; to < ORDER_STATE_COUNT; to++)
				if (order_can_move(at, (enum order_state)to, q.total_fen))
					next[n++] = (enum order_state)to;
			if (n == 0)
				break;
			at = next[rng_below(n)];
			if (store_order_move(s, row.id, at, "storm", now++, &err) != KR_OK) {
				fprintf(stderr, "child: move: %s\n", err.msg);
				_exit(4);
			}
		}
	}
}

/* Forks a storm on path and kills it after us microseconds. */
static void storm_kill(const char *path, long us)
{
	uint64_t child_seed = rng_next();
	int status = 0;

	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		storm(path, child_seed | 1);
	CHECK(pid > 0);
	if (pid < 0)
		return;
	struct timespec ts = {us / 1000000L, us % 1000000L * 1000L};
	nanosleep(&ts, NULL);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* The parent's look after a kill. Returns the number of orders. */
static int64_t check_db(const char *path)
{
	struct kerr err = {0};
	struct store *s = NULL;
	int64_t bad = -1, rows = -1, history_rows = 0, id, open_states = 0;
	struct order_row row, *open = NULL;
	int nopen = -1;

	CHECK_INT(store_open(path, &s, &err), KR_OK);
	if (!s) {
		fprintf(stderr, "open after kill: %s\n", err.msg);
		return 0;
	}
	CHECK_INT(store_journal_verify(s, &bad, &rows, &err), KR_OK);
	CHECK_INT(bad, 0);
	for (id = 1; store_order_get(s, id, &row, &err) == KR_OK; id++) {
		enum order_state hist[MAX_HIST];
		int n = 0;
		CHECK_INT(store_order_history(s, id, hist, MAX_HIST, &n, &err), KR_OK);
		CHECK(n >= 1 && n <= MAX_HIST);
		if (n >= 1 && n <= MAX_HIST) {
			CHECK_INT(hist[0], ORDER_NEW);
			CHECK_INT(hist[n - 1], row.state);
		}
		history_rows += n;
		open_states += order_states[row.state].open;
	}
	CHECK_INT(rows, history_rows);
	CHECK_INT(store_open_orders(s, &open, &nopen, &err), KR_OK);
	CHECK_INT(nopen, open_states);
	free(open);
	store_close(s);
	return id - 1;
}

int main(void)
{
	char dir[4096], path[4200];
	const char *env = getenv("KIOSK_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL) ^ (uint64_t)getpid();
	int64_t orders = 0;

	printf("seed %llu (set KIOSK_SEED to replay)\n", (unsigned long long)seed);
	if (tu_tmpdir(dir, sizeof dir) != 0)
		return 1;
	rng_state = seed | 1;

	for (int i = 0; i < BIRTHS; i++) {
		char name[32];
		snprintf(name, sizeof name, "birth%d.db", i);
		tu_path(path, sizeof path, dir, name);
		storm_kill(path, rng_below(3000));
		check_db(path);
	}

	tu_path(path, sizeof path, dir, "kiosk.db");
	for (int i = 0; i < KILLS; i++) {
		storm_kill(path, 1000L * (5 + rng_below(56)));
		orders = check_db(path);
	}
	printf("%d kills, %lld orders in the end\n", KILLS, (long long)orders);
	CHECK(orders > 0);
	tu_rmdir(dir);
	return check_done();
}
