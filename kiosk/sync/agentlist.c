/* agentlist.c — reading a unit's list of authorised agents. */
#include "sync/agentlist.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "core/ident.h"

static int fault(struct agent_list *out, cJSON *j, struct kerr *err, const char *why)
{
	cJSON_Delete(j);
	explicit_bzero(out, sizeof *out);
	return kerr_set(err, KR_INVALID, "agents: %s", why);
}

int agentlist_parse(const char *payload, struct agent_list *out, struct kerr *err)
{
	memset(out, 0, sizeof *out);
	if (!payload || strlen(payload) > AGENTLIST_PAYLOAD_MAX)
		return fault(out, NULL, err, "no payload, or too long");
	cJSON *j = cJSON_Parse(payload);
	const cJSON *unit = cJSON_GetObjectItem(j, "unit");
	const cJSON *version = cJSON_GetObjectItem(j, "version");
	const cJSON *agents = cJSON_GetObjectItem(j, "agents");
	if (!cJSON_IsObject(j))
		return fault(out, j, err, "not a JSON object");
	if (!cJSON_IsString(unit) || ident_check_uscc(unit->valuestring) != IDENT_OK)
		return fault(out, j, err, "\"unit\" is not a credit code");
	if (!cJSON_IsNumber(version) || version->valuedouble < 1 || version->valuedouble >= 9e15 ||
	    version->valuedouble != (double)(int64_t)version->valuedouble)
		return fault(out, j, err, "\"version\" is not a whole number >= 1");
	if (!cJSON_IsArray(agents) || cJSON_GetArraySize(agents) > AGENTS_MAX)
		return fault(out, j, err, "\"agents\" is not a list of at most 64");
	snprintf(out->unit, sizeof out->unit, "%s", unit->valuestring);
	out->version = (int64_t)version->valuedouble;
	const cJSON *a;
	cJSON_ArrayForEach(a, agents)
	{
		if (!cJSON_IsString(a) || ident_check_id_number(a->valuestring) != IDENT_OK)
			return fault(out, j, err, "an agent is not an ID number");
		for (int i = 0; i < out->n; i++)
			if (strcmp(out->ids[i], a->valuestring) == 0)
				return fault(out, j, err, "an agent is listed twice");
		snprintf(out->ids[out->n++], sizeof out->ids[0], "%s", a->valuestring);
	}
	cJSON_Delete(j);
	return KR_OK;
}
