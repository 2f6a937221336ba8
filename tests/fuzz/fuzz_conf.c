/* fuzz_conf.c — fuzz target for what the kiosk parses from files a person writes: a
 * hall's region file (through conf_load_region, as at start-up), and the small parsers
 * under it (yuan amounts, opening hours, identity numbers). Any input must give a
 * result code, never a crash, a leak or undefined behaviour. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/ident.h"
#include "core/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void small_parsers(const uint8_t *data, size_t size)
{
	char s[256];
	size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
	memcpy(s, data, n);
	s[n] = '\0';
	fen_t fen;
	struct conf_spans spans;
	char masked[64];
	(void)money_parse_yuan(s, &fen);
	(void)conf_parse_spans(s, &spans);
	(void)ident_check_id_number(s);
	(void)ident_check_uscc(s);
	(void)ident_check_mobile(s);
	ident_mask(s, masked, sizeof masked);
	ident_mask_name(s, masked, sizeof masked);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static struct conf_region region;
	struct kerr err;

	small_parsers(data, size);
	if (!path[0])
		snprintf(path, sizeof path, "/tmp/kiosk-fuzz-conf-%d.ini", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	(void)conf_load_region(path, &region, &err);
	unlink(path);
	return 0;
}
