/* work.c — the work journal (see work.h): steps as journal rows of kind "work". */
#include "store/work.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "store/store_internal.h"

static const char *const step_names[WORK_STEP_COUNT] = {
    [WORK_ISSUE] = "issue",           [WORK_WRITE_CERT] = "write_cert",
    [WORK_REMOVE_OLD] = "remove_old", [WORK_SET_PIN] = "set_pin",
    [WORK_REVOKE] = "revoke",         [WORK_HAND_OUT] = "hand_out",
    [WORK_ISSUE_ENC] = "issue_enc",   [WORK_WRITE_ENC] = "write_enc"};

const char *work_step_name(enum work_step step)
{
	return (int)step >= 0 && step < WORK_STEP_COUNT ? step_names[step] : "?";
}

int work_mark(struct store *s, int64_t order_id, const struct work_mark *m, int64_t now_utc,
              struct kerr *err)
{
	const char *serials[3] = {m->key_serial, m->cert_serial, m->old_serial};
	for (int i = 0; i < 3; i++)
		if (!store_text_ok(serials[i], 47))
			return kerr_set(err, KR_INVALID, "work journal: a serial is not printable");
	char body[320];
	snprintf(body, sizeof body,
	         "{\"step\":\"%s\",\"phase\":\"%s\",\"key\":\"%s\",\"cert\":\"%s\",\"old\":\"%s\","
	         "\"from\":%lld,\"until\":%lld}",
	         work_step_name(m->step), m->done ? "done" : "intent", m->key_serial,
	         m->cert_serial, m->old_serial, (long long)m->not_before_utc,
	         (long long)m->not_after_utc);
	return store_journal_append(s, "work", order_id, body, now_utc, err);
}

int work_escrow(struct store *s, int64_t order_id, const struct work_escrow *e, int64_t now_utc,
                struct kerr *err)
{
	char body[160 + 4 * (WORK_ESCROW_MAX + 2) / 3];
	if (!store_text_ok(e->key_serial, 39) || !store_text_ok(e->cert_serial, 47) ||
	    e->len == 0 || e->len > WORK_ESCROW_MAX)
		return kerr_set(err, KR_INVALID, "work journal: not an escrow copy");
	int n = snprintf(body, sizeof body, "{\"key\":\"%s\",\"cert\":\"%s\",\"envelope\":\"",
	                 e->key_serial, e->cert_serial);
	n += EVP_EncodeBlock((unsigned char *)body + n, e->der, (int)e->len);
	snprintf(body + n, sizeof body - (size_t)n, "\"}");
	return store_journal_append(s, "escrow", order_id, body, now_utc, err);
}

static void text_of(const cJSON *j, const char *name, char *out, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
	snprintf(out, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

/* One journal body back into a step; 0 when it is not one this code writes. */
static int parse(const char *body, struct work_mark *m)
{
	cJSON *j = cJSON_Parse(body);
	char step[24], phase[8];
	int ok = 0;
	memset(m, 0, sizeof *m);
	text_of(j, "step", step, sizeof step);
	text_of(j, "phase", phase, sizeof phase);
	for (int k = 0; k < WORK_STEP_COUNT; k++)
		if (strcmp(step, step_names[k]) == 0) {
			m->step = (enum work_step)k;
			ok = 1;
		}
	m->done = strcmp(phase, "done") == 0;
	ok = ok && (m->done || strcmp(phase, "intent") == 0);
	text_of(j, "key", m->key_serial, sizeof m->key_serial);
	text_of(j, "cert", m->cert_serial, sizeof m->cert_serial);
	text_of(j, "old", m->old_serial, sizeof m->old_serial);
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(j, "from");
	const cJSON *until = cJSON_GetObjectItemCaseSensitive(j, "until");
	m->not_before_utc = cJSON_IsNumber(from) ? (int64_t)from->valuedouble : 0;
	m->not_after_utc = cJSON_IsNumber(until) ? (int64_t)until->valuedouble : 0;
	cJSON_Delete(j);
	return ok;
}

int work_marks(struct store *s, int64_t order_id, struct work_mark *out, int max, int *n,
               struct kerr *err)
{
	sqlite3_stmt *st = NULL;
	*n = 0;
	int rc = sqlite3_prepare_v2(store_sqlite(s),
	                            "SELECT body FROM journal WHERE order_id = ?1 AND kind = 'work'"
	                            " ORDER BY seq",
	                            -1, &st, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_int64(st, 1, order_id);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = SQLITE_OK;
		if (*n < max && parse((const char *)sqlite3_column_text(st, 0), &out[*n]))
			(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		return store_sqlite_err(store_sqlite(s), rc, "reading the work journal", err);
	return KR_OK;
}
