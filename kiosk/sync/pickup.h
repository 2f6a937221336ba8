/* pickup.h — an order reviewed centrally and ready to be picked up at this kiosk: the
 * payload of a "pickup" inbox item (docs/central-api.md) read and checked.
 *
 * Used by the sync service when the item arrives (a payload that fails the checks is
 * stored as refused, with the reason) and by the app when a user asks for the order. */
#ifndef KIOSK_SYNC_PICKUP_H
#define KIOSK_SYNC_PICKUP_H

#include "core/flow.h"
#include "core/result.h"

#define PICKUP_PAYLOAD_MAX 4096 /* a payload above this is refused unread */

/* Reads payload (JSON text, untrusted) into *out: order_no (6..31 letters and digits),
 * business "new" or "reissue", holder "unit" or "person", subject_name (1..127 bytes of
 * UTF-8), subject_id (a valid USCC for a unit, a valid ID number for a person),
 * agent_id (a valid ID number: who may collect it; a person collects their own),
 * years (1..10), seal (unit only), sub_keys (0..CATALOGUE_MAX_SUB_KEYS), paid_fen
 * (0..MONEY_MAX_FEN). KR_INVALID with the first fault named; *out is then wiped. */
int pickup_parse(const char *payload, struct pickup_order *out, struct kerr *err);

#endif
