/* test_keys_token.c — the token driver and triage on the SoftHSM rig through the shim:
 * roles by selector, live PIN flags, triage of every kind of key (ours, Jiangsu CA,
 * foreign, expired, empty, locked, damaged objects), PKCS#11 failures as results with
 * their CK_RV, the derived SO PIN, hot-plug of the port. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/cntime.h"
#include "drivers/token/token.h"
#include "keys_rig.h"
#include "pki/keywork.h"

#define NOW 1795262400 /* 2026-11-21 08:00 UTC */

static struct key_triage triage_of(struct keywork *kw, const char *dir, const char *profile)
{
	struct key_triage t;
	struct kerr err = {{0}};
	CHECK_INT(keys_rig_insert(dir, profile), 0);
	int rc = keywork_triage(kw, NOW, &t, &err);
	if (rc != KR_OK)
		fprintf(stderr, "triage of %s: %s\n", profile, err.msg);
	CHECK_INT(rc, KR_OK);
	return t;
}

int main(void)
{
	char dir[512], serial[40];
	struct conf_keys c;
	struct kerr err = {{0}};
	struct keywork *kw = NULL;
	struct token_ctx *t = NULL;
	if (keys_rig_up(dir, sizeof dir, 3, NOW) != 0)
		return 1;
	keys_rig_conf(dir, &c);

	/* the driver: roles, live flags, failures carry the CK_RV */
	CHECK_INT(token_open(c.module, &t, &err), KR_OK);
	int sm = token_find(t, "label:KIOSK-SM", 0);
	CHECK(sm >= 0);
	CHECK(token_find(t, "label-prefix:BLANK", 0) >= 0);
	CHECK(token_find(t, "reader:port", 0) < 0); /* nothing inserted yet */
	CHECK(token_find(t, "nonsense", 0) < 0);
	CHECK_INT(token_login(t, sm, 0, "000000", &err), KR_CONFLICT);
	CHECK_INT(token_last_rv(t), 0xa0); /* CKR_PIN_INCORRECT */
	CHECK(strstr(err.msg, "CKR_PIN_INCORRECT") != NULL);
	CHECK_INT(token_login(t, 99, 0, "000000", &err), KR_IO);
	CHECK_INT(keys_rig_insert(dir, "unit-final-try"), 0);
	CHECK_INT(token_refresh(t, &err), KR_OK);
	int port = token_find(t, "reader:port", 0);
	CHECK(port >= 0);
	struct token_info ti;
	CHECK_INT(token_info(t, port, &ti, &err), KR_OK);
	CHECK_STR(ti.label, "unit-final-try");
	CHECK(ti.pin_final_try);
	/* the last try goes: the shim locks, and the flags say so at once (live) */
	CHECK_INT(token_login(t, port, 0, "999999", &err), KR_CONFLICT);
	CHECK_INT(token_last_rv(t), 0xa4); /* CKR_PIN_LOCKED */
	CHECK_INT(token_info(t, port, &ti, &err), KR_OK);
	CHECK(ti.pin_locked);
	CHECK_INT(token_login(t, port, 0, "135790", &err), KR_CONFLICT); /* even the right PIN */
	token_close(t);

	CHECK_INT(keywork_create(&c, stderr, &kw, &err), KR_OK);
	if (!kw) {
		fprintf(stderr, "%s\n", err.msg);
		keys_rig_down(dir);
		return check_done();
	}
	CHECK_INT(keys_rig_insert(dir, ""), 0);
	CHECK_INT(keywork_port(kw, serial, sizeof serial), 0);
	struct key_triage k;
	CHECK_INT(keywork_triage(kw, NOW, &k, &err), KR_NOT_FOUND);

	k = triage_of(kw, dir, "unit-expiring");
	CHECK_INT(keywork_port(kw, serial, sizeof serial), 1);
	CHECK_STR(serial, k.serial);
	CHECK_STR(k.label, "unit-expiring");
	CHECK_INT(k.has_cert, 1);
	CHECK_INT(k.issuer, ISSUER_OURS);
	CHECK_INT(k.holder, HOLDER_UNIT);
	CHECK_STR(k.subject_name, "南通示例建设工程有限公司");
	CHECK_STR(k.subject_id, "91350200MA2YJ1XR9G");
	/* ten days after the rig's day (tests/rigs/softhsm.sh: 00:00 UTC of NOW's China date) */
	CHECK_INT(k.not_after_utc, (cntime_day(NOW) + 10) * 86400);
	CHECK_INT(k.pin, KEYPIN_OK);
	CHECK_INT(k.has_seal, 1);
	CHECK_INT(k.check_pass, 1);

	k = triage_of(kw, dir, "unit-locked");
	CHECK_INT(k.pin, KEYPIN_LOCKED);
	CHECK_STR(k.check_reason, "check.pin_locked");
	k = triage_of(kw, dir, "unit-count-low");
	CHECK_INT(k.pin, KEYPIN_COUNT_LOW);
	k = triage_of(kw, dir, "person-expiring");
	CHECK_INT(k.holder, HOLDER_PERSON);
	CHECK_STR(k.subject_id, "11010519491231002X");
	CHECK_INT(k.has_seal, 0);
	k = triage_of(kw, dir, "person-expired-long");
	CHECK_INT(k.check_pass, 0);
	CHECK_STR(k.check_reason, "check.expired");
	k = triage_of(kw, dir, "jsca-unit");
	CHECK_INT(k.issuer, ISSUER_JSCA);
	CHECK_INT(k.check_pass, 1);
	k = triage_of(kw, dir, "foreign");
	CHECK_INT(k.issuer, ISSUER_OTHER);
	CHECK_STR(k.check_reason, "check.foreign_ca");
	k = triage_of(kw, dir, "blank");
	CHECK_INT(k.has_cert, 0);
	CHECK_STR(k.check_reason, "check.no_cert");
	/* half-written certificate, junk and a 1 MiB object beside a good certificate */
	k = triage_of(kw, dir, "damaged");
	CHECK_INT(k.has_cert, 1);
	CHECK_INT(k.issuer, ISSUER_OURS);
	CHECK_INT(k.check_pass, 1);
	k = triage_of(kw, dir, "junk-only");
	CHECK_INT(k.has_cert, 0);
	CHECK_STR(k.check_reason, "check.no_cert");

	/* the derived SO PIN: the rig set each key's SO PIN the same way */
	char so[17];
	k = triage_of(kw, dir, "unit-valid");
	CHECK_INT(keywork_so_pin(kw, k.serial, so, &err), KR_OK);
	CHECK_INT(strlen(so), 16);
	CHECK_INT(token_open(c.module, &t, &err), KR_OK);
	port = token_find(t, "reader:port", 0);
	CHECK_INT(token_login(t, port, 1, so, &err), KR_OK);
	token_close(t);
	explicit_bzero(so, sizeof so);

	keywork_destroy(kw);
	keys_rig_down(dir);
	return check_done();
}
