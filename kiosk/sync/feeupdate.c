/* feeupdate.c — reads a fee table update and lays it over the hall's table. */
#include "sync/feeupdate.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

/* Reads one section {"key": "yuan", ...} for biz into *out. */
static int section_read(const cJSON *j, enum business biz, struct fee_section *out,
                        struct kerr *err)
{
	memset(out, 0, sizeof *out);
	if (!cJSON_IsObject(j))
		return kerr_set(err, KR_INVALID, "not an object");
	const cJSON *e;
	cJSON_ArrayForEach(e, j)
	{
		int k = fees_key_from_name(e->string);
		fen_t fen;
		if (k < 0 || !fees_key_allowed(biz, (enum fee_key)k))
			return kerr_set(err, KR_INVALID, "'%.32s' is not a price of %s", e->string,
			                catalogue_business_id(biz));
		if (!cJSON_IsString(e) || money_parse_yuan(e->valuestring, &fen) != KR_OK)
			return kerr_set(err, KR_INVALID, "%.32s: not an amount in yuan", e->string);
		if (out->price[k].set)
			return kerr_set(err, KR_INVALID, "%.32s given twice", e->string);
		out->price[k].set = 1;
		out->price[k].fen = fen;
		out->present = 1;
	}
	return out->present ? fees_section_check(biz, out, err) : KR_OK;
}

int fee_update_apply(const char *payload, const char *region, struct fee_table *table,
                     struct kerr *err)
{
	if (!payload || strlen(payload) > FEE_UPDATE_MAX)
		return kerr_set(err, KR_INVALID, "fee table missing or over %d bytes",
		                FEE_UPDATE_MAX);
	cJSON *j = cJSON_Parse(payload);
	const cJSON *reg = cJSON_GetObjectItemCaseSensitive(j, "region");
	const cJSON *fees = cJSON_GetObjectItemCaseSensitive(j, "fees");
	struct fee_table next = *table;
	int rc = KR_OK;

	if (!cJSON_IsObject(j) || !cJSON_IsObject(fees))
		rc = kerr_set(err, KR_INVALID, "fee table: not an object with \"fees\"");
	else if (!cJSON_IsString(reg) || strcmp(reg->valuestring, region) != 0)
		rc =
		    kerr_set(err, KR_INVALID, "fee table for another hall (this is %.64s)", region);
	const cJSON *sec, *list = rc == KR_OK ? fees : NULL;
	cJSON_ArrayForEach(sec, list)
	{
		char holder[16], biz[16];
		int h = -1, b = -1;
		if (sscanf(sec->string, "%15[a-z].%15[a-z]", holder, biz) == 2 &&
		    strlen(sec->string) == strlen(holder) + 1 + strlen(biz)) {
			h = catalogue_holder_from_id(holder);
			b = catalogue_business_from_id(biz);
		}
		if (h < 0 || b < 0) {
			rc = kerr_set(err, KR_INVALID, "'%.40s' is not <holder>.<business>",
			              sec->string);
			break;
		}
		struct kerr why = {{0}};
		if (section_read(sec, (enum business)b, &next.section[h][b], &why) != KR_OK) {
			rc = kerr_set(err, KR_INVALID, "%.40s: %s", sec->string, why.msg);
			break;
		}
	}
	cJSON_Delete(j);
	if (rc == KR_OK)
		*table = next;
	return rc;
}

void fee_region_of(const char *region_file, char *out, size_t size)
{
	const char *base = strrchr(region_file, '/');
	base = base ? base + 1 : region_file;
	size_t n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".ini") == 0)
		n -= 4;
	snprintf(out, size, "%.*s", (int)n, base);
}
