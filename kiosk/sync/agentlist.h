/* agentlist.h — a unit's list of authorised agents as the central site sends it: the
 * payload of an "agents" inbox item (docs/central-api.md), read and checked. The item is
 * signed like a fee table (central_item_check) and kept only as digests
 * (kiosk/store/agents.h). */
#ifndef KIOSK_SYNC_AGENTLIST_H
#define KIOSK_SYNC_AGENTLIST_H

#include <stdint.h>

#include "core/result.h"
#include "store/agents.h"

#define AGENTLIST_PAYLOAD_MAX 4096 /* a payload above this is refused unread */

/* Personal (the agents' ID numbers): the caller wipes it. */
struct agent_list {
	char unit[20];
	int64_t version;
	int n;
	char ids[AGENTS_MAX][20];
};

/* Reads payload (JSON text, untrusted) {"unit": a valid credit code, "version": an
 * integer >= 1, "agents": 0..AGENTS_MAX valid ID numbers, none twice} into *out.
 * KR_INVALID with the first fault named; *out is then wiped. */
int agentlist_parse(const char *payload, struct agent_list *out, struct kerr *err);

#endif
