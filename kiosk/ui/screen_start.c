/* screen_start.c — the start screen: the hall, its hours and hotline, the accessibility
 * switches (language, large text, contrast, voice) and a tile per business offered. */
#include <stdio.h>

#include "ui/screen_internal.h"

void screen_build_start(struct builder *b)
{
	const struct conf *c = b->in->conf;
	char line[SCREEN_TEXT];
	screen_info(b, FONT_TITLE, ROLE_SCREEN, 0, c->region.name);
	screen_prompt(b);
	if (!b->in->large) { /* large text: the prompt says it, the error screens list these */
		screen_info_key(b, FONT_BODY, ROLE_NOTICE, "ui.insert_key_hint");
		screen_hours_text(b, line, sizeof line);
		screen_info(b, FONT_SMALL, ROLE_MUTED, 0, line);
		snprintf(line, sizeof line, "%s %s  ·  %s %s", screen_tx(b, "ui.hotline"),
		         c->region.hotline, screen_tx(b, "ui.hall_phone"), c->region.phone);
		screen_info(b, FONT_SMALL, ROLE_MUTED, 0, line);
	}
	if (!conf_hall_open(&c->region, b->in->utc_s))
		screen_info_key(b, FONT_SMALL, ROLE_WARNING, "ui.after_hours");

	struct btn opt[4] = {
	    {screen_tx(b, "ui.language"), ACT_LANGUAGE, 0, 0, ROLE_BUTTON},
	    {screen_tx(b, "ui.large_text"), ACT_LARGE, 0, 0,
	     b->in->large ? ROLE_SELECTED : ROLE_BUTTON},
	    {screen_tx(b, "ui.contrast"), ACT_CONTRAST, 0, 0,
	     b->in->contrast ? ROLE_SELECTED : ROLE_BUTTON},
	    {screen_tx(b, b->in->voice ? "ui.voice_on" : "ui.voice_off"), ACT_VOICE, 0, 0,
	     b->in->voice ? ROLE_SELECTED : ROLE_BUTTON},
	};
	screen_grid(b, opt, 4, 4, FONT_SMALL);

	static const char *const biz_key[BIZ_COUNT] = {
	    [BIZ_NEW] = "biz.new",         [BIZ_RENEW] = "biz.renew",
	    [BIZ_REISSUE] = "biz.reissue", [BIZ_CHANGE] = "biz.change",
	    [BIZ_UNLOCK] = "biz.unlock",   [BIZ_EXCHANGE] = "biz.exchange",
	    [BIZ_CHECK] = "biz.check",     [BIZ_REVOKE] = "biz.revoke",
	};
	struct btn tiles[BIZ_COUNT + 1];
	int n = 0;
	for (int biz = 0; biz < BIZ_COUNT; biz++)
		if (b->v->offered & (1u << biz))
			tiles[n++] = (struct btn){screen_tx(b, biz_key[biz]), ACT_INTENT,
			                          INTENT_BUSINESS, biz, ROLE_PRIMARY};
	if (b->v->pickup_offered)
		tiles[n++] = (struct btn){screen_tx(b, "biz.pickup"), ACT_INTENT, INTENT_PICKUP, 0,
		                          ROLE_PRIMARY};
	screen_grid(b, tiles, n, 2, FONT_BODY);
}
