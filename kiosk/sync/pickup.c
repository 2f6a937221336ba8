/* pickup.c — reads and checks a pick-up order sent by the central site. */
#include "sync/pickup.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "core/ident.h"
#include "core/money.h"

/* Whether s is well-formed UTF-8 without control characters. */
static int text_ok(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	while (*u) {
		int len = *u < 0x80             ? 1
		          : (*u & 0xE0) == 0xC0 ? 2
		          : (*u & 0xF0) == 0xE0 ? 3
		          : (*u & 0xF8) == 0xF0 ? 4
		                                : 0;
		if (len == 0 || *u < 0x20 || *u == 0x7F || (len == 2 && *u < 0xC2))
			return 0;
		for (int i = 1; i < len; i++)
			if ((u[i] & 0xC0) != 0x80)
				return 0;
		u += len;
	}
	return 1;
}

static const char *string_of(const cJSON *j, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An integer field in [lo, hi], or def when absent. Returns 0 when present but bad. */
static int int_of(const cJSON *j, const char *name, long long lo, long long hi, long long def,
                  long long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
	if (!v) {
		*out = def;
		return 1;
	}
	if (cJSON_IsBool(v)) {
		*out = cJSON_IsTrue(v);
		return *out >= lo && *out <= hi;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble < (double)lo || v->valuedouble > (double)hi ||
	    v->valuedouble != (double)(long long)v->valuedouble)
		return 0;
	*out = (long long)v->valuedouble;
	return 1;
}

static int order_no_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 6 || n > 31)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] >= '0' && s[i] <= '9') && !(s[i] >= 'A' && s[i] <= 'Z'))
			return 0;
	return 1;
}

static int fill(const cJSON *j, struct pickup_order *o, struct kerr *err)
{
	const char *no = string_of(j, "order_no"), *biz = string_of(j, "business");
	const char *holder = string_of(j, "holder"), *name = string_of(j, "subject_name");
	const char *id = string_of(j, "subject_id"), *agent = string_of(j, "agent_id");
	long long years, seal, sub, paid;

	if (!order_no_ok(no))
		return kerr_set(err, KR_INVALID, "order_no: not 6 to 31 capitals and digits");
	strcpy(o->order_no, no);
	if (biz && strcmp(biz, "new") == 0)
		o->biz = BIZ_NEW;
	else if (biz && strcmp(biz, "reissue") == 0)
		o->biz = BIZ_REISSUE;
	else if (biz && strcmp(biz, "change") == 0)
		o->biz = BIZ_CHANGE; /* subject_name: the approved new name */
	else
		return kerr_set(err, KR_INVALID, "business: not new, reissue or change");
	int h = catalogue_holder_from_id(holder);
	if (h < 0)
		return kerr_set(err, KR_INVALID, "holder: not unit or person");
	o->holder = (enum holder)h;
	if (!name || !name[0] || strlen(name) >= sizeof o->subject_name || !text_ok(name))
		return kerr_set(err, KR_INVALID, "subject_name: missing, too long or not text");
	strcpy(o->subject_name, name);
	if (!id || (o->holder == HOLDER_UNIT ? ident_check_uscc(id) : ident_check_id_number(id)) !=
	               IDENT_OK)
		return kerr_set(err, KR_INVALID, "subject_id: not a valid %s",
		                o->holder == HOLDER_UNIT ? "credit code" : "ID number");
	strcpy(o->subject_id, id);
	if (!agent || ident_check_id_number(agent) != IDENT_OK)
		return kerr_set(err, KR_INVALID, "agent_id: not a valid ID number");
	if (o->holder == HOLDER_PERSON && strcmp(agent, id) != 0)
		return kerr_set(err, KR_INVALID, "agent_id: a person collects their own key");
	strcpy(o->agent_id, agent);
	if (!int_of(j, "years", 1, 10, 1, &years) || !int_of(j, "seal", 0, 1, 0, &seal) ||
	    !int_of(j, "sub_keys", 0, CATALOGUE_MAX_SUB_KEYS, 0, &sub) ||
	    !int_of(j, "paid_fen", 0, MONEY_MAX_FEN, 0, &paid))
		return kerr_set(err, KR_INVALID, "years, seal, sub_keys or paid_fen out of range");
	if (seal && o->holder != HOLDER_UNIT)
		return kerr_set(err, KR_INVALID, "seal: only a unit's key carries one");
	o->years = (int)years;
	o->seal = (int)seal;
	o->sub_keys = (int)sub;
	o->paid_fen = (fen_t)paid;
	return KR_OK;
}

int pickup_parse(const char *payload, struct pickup_order *out, struct kerr *err)
{
	memset(out, 0, sizeof *out);
	if (!payload || strlen(payload) > PICKUP_PAYLOAD_MAX)
		return kerr_set(err, KR_INVALID, "pick-up order missing or over %d bytes",
		                PICKUP_PAYLOAD_MAX);
	cJSON *j = cJSON_Parse(payload);
	int rc = cJSON_IsObject(j)
	             ? fill(j, out, err)
	             : kerr_set(err, KR_INVALID, "pick-up order is not a JSON object");
	cJSON_Delete(j);
	if (rc != KR_OK)
		explicit_bzero(out, sizeof *out);
	return rc;
}
