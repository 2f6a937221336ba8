/* fuzz_inbox.c — fuzz target for what the central site sends into the kiosk's inbox: a
 * pick-up order (kiosk/sync/pickup.c) and a fee table update (kiosk/sync/feeupdate.c).
 * Whatever is accepted must hold only what the checks promise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ident.h"
#include "sync/feeupdate.h"
#include "sync/pickup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_pickup(const char *text)
{
	struct pickup_order o;
	struct kerr err = {{0}};
	if (pickup_parse(text, &o, &err) != KR_OK)
		return;
	if (strlen(o.order_no) < 6 || o.years < 1 || o.years > 10 || o.sub_keys < 0 ||
	    o.sub_keys > CATALOGUE_MAX_SUB_KEYS || o.paid_fen < 0 || o.paid_fen > MONEY_MAX_FEN ||
	    ident_check_id_number(o.agent_id) != IDENT_OK || (o.seal && o.holder != HOLDER_UNIT))
		abort(); /* accepted something the checks refuse */
}

static void check_fees(const char *text)
{
	struct fee_table t = {.years_max = 4}, before;
	struct kerr err = {{0}};
	before = t;
	if (fee_update_apply(text, "nantong", &t, &err) != KR_OK) {
		if (memcmp(&t, &before, sizeof t) != 0)
			abort(); /* a refused update changed the table */
		return;
	}
	for (int h = 0; h < HOLDER_COUNT; h++)
		for (int b = 0; b < BIZ_COUNT; b++) {
			const struct fee_section *s = &t.section[h][b];
			for (int k = 0; k < FEE_KEY_COUNT; k++)
				if (s->price[k].set &&
				    (s->price[k].fen < 0 || s->price[k].fen > MONEY_MAX_FEN ||
				     !fees_key_allowed((enum business)b, (enum fee_key)k)))
					abort();
			if (s->present && fees_section_check((enum business)b, s, &err) != KR_OK)
				abort();
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_pickup(text);
	check_fees(text);
	free(text);
	return 0;
}
