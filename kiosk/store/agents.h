/* agents.h — the kiosk's copy of each unit's list of authorised agents (经办人), which the
 * central site keeps and sends as inbox items of kind "agents" (docs/central-api.md;
 * tables unit_agents and unit_agent_lists, migration 6).
 *
 * A unit's list is replaced whole by a newer version. ID numbers are kept only as SHA-256
 * digests of "unit|id": the copy answers whether a card is on a unit's list and gives
 * nobody's number back. The copy is as current as the last complete pull from the site
 * (agents_synced); older than the age the caller allows, it is no list at all. */
#ifndef KIOSK_STORE_AGENTS_H
#define KIOSK_STORE_AGENTS_H

#include <stdint.h>

#include "core/authority.h"
#include "store/store.h"

#define AGENTS_MAX 64 /* agents on one unit's list */

/* Replaces unit's list (a valid credit code) by ids (n valid ID numbers, 0..AGENTS_MAX)
 * at version, with a journal row "agents" (the unit, version and count). KR_CONFLICT
 * when version is not above the list held; KR_INVALID for a bad code, number or count. */
int agents_replace(struct store *s, const char *unit, int64_t version, const char *const *ids,
                   int n, int64_t now_utc, struct kerr *err);

/* Records that the lists are current as of now_utc: a pull from the site completed. */
int agents_synced(struct store *s, int64_t now_utc, struct kerr *err);

/* What unit's list says of the ID number id at now_utc: AGENT_NO_LIST when the copy was
 * last made current more than max_age_s ago (or never), else listed or unlisted. */
int agents_standing(struct store *s, const char *unit, const char *id, int64_t now_utc,
                    int64_t max_age_s, enum agent_standing *out, struct kerr *err);

#endif
