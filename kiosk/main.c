/* main.c — the kiosk program: configuration → store → recovery → services → flow.
 *
 *   kiosk --config config/kiosk.ini --script tests/scenarios/renewal.txt
 *   kiosk --config config/kiosk.ini --check-config
 *   kiosk journal verify --config config/kiosk.ini   the whole hash chain, and its head
 *   kiosk --config config/kiosk.ini --window          the touch UI, full screen
 *   kiosk --config config/kiosk.ini --script FILE --shots DIR   a PNG of every screen
 *   kiosk --config config/kiosk.ini --script FILE --window      the scenario in a window */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/runner.h"
#include "conf/conf.h"
#include "store/store.h"
#include "ui/run.h"

static int usage(void)
{
	fprintf(stderr,
	        "usage: kiosk --config FILE [--database PATH] (--script FILE [--shots DIR] | "
	        "--check-config | --window [--frames N] [--demo-keys])\n"
	        "       kiosk journal verify --config FILE [--database PATH]\n");
	return 2;
}

/* The marks (the last start's check, the head the central site took) must lie on the
 * chain: a mark past the head or on another hash says rows were cut off or rewritten.
 * KR_CORRUPT naming the mark's row, with *bad set to it. */
static int marks_on_chain(struct store *s, int64_t *bad, struct kerr *err)
{
	static const char *const names[] = {"verified", "central"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct journal_point mark;
		unsigned char now[STORE_HASH_LEN];
		int rc = store_journal_mark(s, names[i], &mark, err);
		if (rc == KR_NOT_FOUND || (rc == KR_OK && mark.seq == 0))
			continue;
		if (rc == KR_OK)
			rc = store_journal_hash_at(s, mark.seq, now, err);
		if (rc == KR_OK && memcmp(now, mark.hash, sizeof now) == 0)
			continue;
		if (rc != KR_OK && rc != KR_NOT_FOUND)
			return rc;
		*bad = mark.seq;
		return kerr_set(err, KR_CORRUPT,
		                "journal broken at row %lld: the %s mark is not on the chain (rows "
		                "cut off or rewritten)",
		                (long long)mark.seq, names[i]);
	}
	return KR_OK;
}

/* "kiosk journal verify": walks the whole chain of the configured database and checks
 * the marks lie on it. 0 when intact (rows checked and the head printed), 1 naming the
 * first bad row. */
static int journal_verify(const struct conf *conf)
{
	struct store *s = NULL;
	struct kerr err = {{0}};
	struct journal_point head;
	int64_t bad = 0, rows = 0;
	char hex[2 * STORE_HASH_LEN + 1];
	int rc = store_open(conf->database, &s, &err);
	if (rc == KR_OK)
		rc = store_journal_verify(s, &bad, &rows, &err);
	if (rc == KR_OK)
		rc = marks_on_chain(s, &bad, &err);
	if (rc == KR_OK)
		rc = store_journal_head(s, &head, &err);
	store_close(s);
	if (rc != KR_OK) {
		if (bad)
			printf("%s: journal broken at row %lld (%lld rows walked)\n",
			       conf->database, (long long)bad, (long long)rows);
		fprintf(stderr, "kiosk: %s\n", err.msg);
		return 1;
	}
	store_hash_hex(head.hash, hex);
	printf("%s: journal intact, %lld rows checked, head seq %lld hash %s\n", conf->database,
	       (long long)rows, (long long)head.seq, hex);
	return 0;
}

int main(int argc, char **argv)
{
	const char *config = NULL, *script = NULL, *database = NULL;
	const char *shots = NULL;
	int check_only = 0, window = 0, frames = 0, demo_keys = 0, verify = 0;
	int64_t started = ui_mono_ns();
	int first = 1;
	if (argc > 2 && strcmp(argv[1], "journal") == 0) {
		if (strcmp(argv[2], "verify") != 0)
			return usage();
		verify = 1;
		first = 3;
	}
	for (int i = first; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[++i];
		else if (strcmp(argv[i], "--script") == 0 && i + 1 < argc)
			script = argv[++i];
		else if (strcmp(argv[i], "--database") == 0 && i + 1 < argc)
			database = argv[++i];
		else if (strcmp(argv[i], "--check-config") == 0)
			check_only = 1;
		else if (strcmp(argv[i], "--window") == 0)
			window = 1;
		else if (strcmp(argv[i], "--demo-keys") == 0)
			demo_keys = 1;
		else if (strcmp(argv[i], "--shots") == 0 && i + 1 < argc)
			shots = argv[++i];
		else if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc)
			frames = atoi(argv[++i]);
		else
			return usage();
	}
	if (!config || (!script && !check_only && !window && !verify) ||
	    (verify && (script || check_only || window)))
		return usage();

	static struct conf conf;
	struct kerr err = {{0}};
	if (conf_load(config, &conf, &err) != KR_OK) {
		fprintf(stderr, "kiosk: configuration refused: %s\n", err.msg);
		return 1;
	}
	if (database)
		snprintf(conf.database, sizeof conf.database, "%s", database);
	if (verify)
		return journal_verify(&conf);
	if (check_only) {
		printf("%s: ok (hall %s, kiosk %s)\n", config, conf.region.name, conf.kiosk_id);
		return 0;
	}
	if (window && !script) {
		/* the installed prompts ([kiosk] voice), else those this build rendered */
		const char *voice_dir = conf.voice[0] ? conf.voice : KIOSK_VOICE_DIR;
		struct ui_options uo = {.fullscreen = 1, .voice = 1, .voice_dir = voice_dir};
		struct ui_run_options ro = {
		    .frames = frames, .demo_keys = demo_keys, .start_mono_ns = started};
		if (ui_kiosk(&conf, &uo, &ro, &err) != KR_OK) {
			fprintf(stderr, "kiosk: %s\n", err.msg);
			return 1;
		}
		return 0;
	}
	struct ui_shots *pictures = NULL;
	if (shots || window) {
		if (!window)
			setenv("SDL_VIDEODRIVER", "dummy", 0); /* no display needed for pictures */
		if (ui_shots_create(&conf, shots, window, &pictures, &err) != KR_OK) {
			fprintf(stderr, "kiosk: %s\n", err.msg);
			return 1;
		}
		runner_set_view_hook(ui_shots_hook, pictures);
	}
	int failures = 0;
	int played = runner_play(script, &conf, stdout, &failures, &err);
	if (pictures) {
		if (shots)
			printf("%d screenshots in %s\n", ui_shots_count(pictures), shots);
		ui_shots_destroy(pictures);
	}
	if (played != KR_OK) {
		fprintf(stderr, "kiosk: %s\n", err.msg);
		return 1;
	}
	if (failures) {
		printf("%d expectation%s failed\n", failures, failures == 1 ? "" : "s");
		return 1;
	}
	return 0;
}
