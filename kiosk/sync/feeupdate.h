/* feeupdate.h — a fee table update from the central site (an inbox item of kind
 * "fee_table", docs/central-api.md): read, checked and laid over the hall's table.
 *
 * The payload names the hall ("region": the region file's name, e.g. "nantong"), its
 * version, and the sections it changes: {"fees": {"unit.renew": {"cert_year": "120",
 * ...}, "person.change": {}}}. A listed section replaces the hall's section whole (an
 * empty one: the business is no longer offered to that holder); sections not listed
 * stay. Amounts are yuan as text, like the region files. The signature is checked
 * before (kiosk/sync/central.c). */
#ifndef KIOSK_SYNC_FEEUPDATE_H
#define KIOSK_SYNC_FEEUPDATE_H

#include <stddef.h>

#include "core/fees.h"
#include "core/result.h"
#include "store/outbox.h"

#define FEE_UPDATE_MAX INBOX_PAYLOAD_MAX /* a payload above this is refused unread */

/* Lays payload (JSON text, untrusted) over *table, in place, when it is for region and
 * every section is valid (known holder and business, keys the business may have,
 * amounts that parse, fees_section_check). On failure KR_INVALID names the first fault
 * and *table is unchanged. */
int fee_update_apply(const char *payload, const char *region, struct fee_table *table,
                     struct kerr *err);

/* The hall's name in updates: the region file's name without folder and ".ini". */
void fee_region_of(const char *region_file, char *out, size_t size);

#endif
