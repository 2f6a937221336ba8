/* main.c — the kiosk program: configuration → store → recovery → services → flow.
 *
 *   kiosk --config config/kiosk.ini --script tests/scenarios/renewal.txt
 *   kiosk --config config/kiosk.ini --check-config
 *
 * Until the touch UI exists (issue 5) the kiosk runs headless from a scenario. */
#include <stdio.h>
#include <string.h>

#include "app/runner.h"
#include "conf/conf.h"

static int usage(void)
{
	fprintf(stderr,
	        "usage: kiosk --config FILE [--database PATH] (--script FILE | --check-config)\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *config = NULL, *script = NULL, *database = NULL;
	int check_only = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[++i];
		else if (strcmp(argv[i], "--script") == 0 && i + 1 < argc)
			script = argv[++i];
		else if (strcmp(argv[i], "--database") == 0 && i + 1 < argc)
			database = argv[++i];
		else if (strcmp(argv[i], "--check-config") == 0)
			check_only = 1;
		else
			return usage();
	}
	if (!config || (!script && !check_only))
		return usage();

	static struct conf conf;
	struct kerr err = {{0}};
	if (conf_load(config, &conf, &err) != KR_OK) {
		fprintf(stderr, "kiosk: configuration refused: %s\n", err.msg);
		return 1;
	}
	if (database)
		snprintf(conf.database, sizeof conf.database, "%s", database);
	if (check_only) {
		printf("%s: ok (hall %s, kiosk %s)\n", config, conf.region.name, conf.kiosk_id);
		return 0;
	}
	int failures = 0;
	if (runner_play(script, &conf, stdout, &failures, &err) != KR_OK) {
		fprintf(stderr, "kiosk: %s\n", err.msg);
		return 1;
	}
	if (failures) {
		printf("%d expectation%s failed\n", failures, failures == 1 ? "" : "s");
		return 1;
	}
	return 0;
}
