/* screen_error.c — the error screen (also out of service): what went wrong and what the
 * user can do next (the hotline, the staff, the hall's hours). */
#include "ui/screen_internal.h"

void screen_build_error(struct builder *b)
{
	const struct flow_view *v = b->v;
	const struct conf_region *r = &b->in->conf->region;
	int out_of_service = v->out_of_service;
	screen_header(b, screen_tx(b, out_of_service ? "ui.out_of_service" : "error.title"));
	b->s->voice_key = out_of_service ? "ui.out_of_service" : "error.title";
	if (v->error_key[0])
		screen_info_key(b, FONT_BODY, ROLE_ERROR, v->error_key);
	if (v->notice_key[0])
		screen_info_key(b, FONT_BODY, ROLE_NOTICE, v->notice_key);
	screen_info_key(b, FONT_BODY, ROLE_SCREEN, "ui.next_steps");
	screen_info_fill(b, FONT_BODY, ROLE_SCREEN, "ui.call_hotline", r->hotline);
	screen_info_key(b, FONT_BODY, ROLE_SCREEN, "ui.ask_staff");
	char hours[SCREEN_TEXT];
	screen_hours_text(b, hours, sizeof hours);
	screen_info_fill(b, FONT_BODY, ROLE_SCREEN, "ui.come_back", hours);
	screen_countdown(b, 1);
	struct btn home = {screen_tx(b, "ui.home"), ACT_INTENT, INTENT_NEXT, 0, ROLE_PRIMARY};
	screen_grid(b, &home, 1, 1, FONT_BODY);
}
