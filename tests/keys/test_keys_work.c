/* test_keys_work.c — key work on the SoftHSM rig with the local issuer: unlock of a
 * locked key through the shim (weak PIN and wrong holder refused), renewal (validity,
 * extensions, old certificate gone), renewal killed with SIGKILL at random moments
 * (a usable certificate always stays), new-key personalisation with seal and sub-key,
 * exchange of a Jiangsu CA key (the old key untouched), revocation and its queue. */
#include <openssl/x509v3.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "drivers/token/token.h"
#include "keys_rig.h"
#include "pki/keywork.h"

#define NOW   1795262400 /* 2026-11-21 08:00 UTC */
#define DAY_S 86400

static int steps;
static void count_step(void *ctx, const char *step)
{
	(void)ctx;
	(void)step;
	steps++;
}
static const struct keywork_hooks hooks = {.progress = count_step};

static struct key_triage insert(struct keywork *kw, const char *dir, const char *profile)
{
	struct key_triage t;
	struct kerr err = {{0}};
	CHECK_INT(keys_rig_insert(dir, profile), 0);
	CHECK_INT(keywork_triage(kw, NOW, &t, &err), KR_OK);
	return t;
}

static struct work_spec spec_for(const struct key_triage *k, enum business biz, const char *pin)
{
	struct work_spec w = {.biz = biz, .holder = k->holder, .years = 1};
	snprintf(w.key_serial, sizeof w.key_serial, "%s", k->serial);
	snprintf(w.subject_name, sizeof w.subject_name, "%s", k->subject_name);
	snprintf(w.subject_id, sizeof w.subject_id, "%s", k->subject_id);
	snprintf(w.pin, sizeof w.pin, "%s", pin);
	w.renew_from_utc = k->not_after_utc > NOW ? k->not_after_utc : NOW;
	return w;
}

/* Counts the parsable certificate objects of the port's key. In a child process: a
 * second context in this one would finalise the module under the first. */
/* The personalised keys: counts them, those with a seal, and refused default PINs,
 * packed as made | seals << 2 | refused << 4. */
static int personalised_here(const char *module)
{
	struct token_ctx *t;
	struct kerr err;
	int seals = 0, made = 0, refused = 0;
	if (token_open(module, &t, &err) != KR_OK)
		return 255;
	for (int i = 0; i < token_count(t); i++) {
		struct token_info ti;
		int has = 0;
		token_info(t, i, &ti, &err);
		if (strncmp(ti.label, "GXCA ", 5) != 0)
			continue;
		made++;
		refused += token_login(t, i, 0, "123456", &err) == KR_CONFLICT &&
		           token_login(t, i, 0, "902417", &err) == KR_OK;
		token_logout(t, i);
		token_data_exists(t, i, "seal", &has, &err);
		seals += has;
	}
	token_close(t);
	return made | seals << 2 | refused << 4;
}

int main(void)
{
	char dir[512];
	struct conf_keys c;
	struct kerr err = {{0}};
	struct keywork *kw = NULL;
	struct keywork_result res;
	if (keys_rig_up(dir, sizeof dir, 3, NOW) != 0)
		return 1;
	keys_rig_conf(dir, &c);
	CHECK_INT(keywork_create(&c, stderr, &kw, &err), KR_OK);
	if (!kw) {
		fprintf(stderr, "%s\n", err.msg);
		keys_rig_down(dir);
		return check_done();
	}

	/* unlock: locked → unlocked through the shim */
	struct key_triage k = insert(kw, dir, "unit-locked");
	CHECK_INT(k.pin, KEYPIN_LOCKED);
	struct work_spec w = spec_for(&k, BIZ_UNLOCK, "123456");
	CHECK_INT(keywork_run(kw, &w, NOW, &hooks, &res, &err), KR_INVALID);
	CHECK_STR(res.reason_key, "pin.default");
	w = spec_for(&k, BIZ_UNLOCK, "902417");
	snprintf(w.subject_id, sizeof w.subject_id, "11010519491231002X");
	CHECK_INT(keywork_run(kw, &w, NOW, &hooks, &res, &err), KR_CONFLICT);
	CHECK_STR(res.reason_key, "work.key_not_authorised");
	w = spec_for(&k, BIZ_UNLOCK, "902417");
	steps = 0;
	int rc = keywork_run(kw, &w, NOW, &hooks, &res, &err);
	if (rc != KR_OK)
		fprintf(stderr, "unlock: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK_INT(steps, 3);
	k = insert(kw, dir, "unit-locked");
	CHECK_INT(k.pin, KEYPIN_OK);

	/* renewal from the current expiry; the old certificate goes */
	k = insert(kw, dir, "unit-expiring");
	int64_t old_after = k.not_after_utc;
	w = spec_for(&k, BIZ_RENEW, "");
	w.years = 2;
	rc = keywork_run(kw, &w, NOW, &hooks, &res, &err);
	if (rc != KR_OK)
		fprintf(stderr, "renew: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	/* two calendar years on: 2026-12-01 to 2028-12-01, across 29 February 2028 */
	CHECK_INT(res.not_after_utc, old_after + (2 * 365 + 1) * DAY_S);
	CHECK(strlen(res.cert_serial) >= 31); /* 128 random bits */
	k = insert(kw, dir, "unit-expiring");
	CHECK_INT(k.not_after_utc, old_after + (2 * 365 + 1) * DAY_S);
	CHECK_INT(k.issuer, ISSUER_OURS);
	CHECK_INT(keys_rig_usable_certs(c.module), 1);
	/* renewal of an expired key runs from now */
	k = insert(kw, dir, "person-expired");
	w = spec_for(&k, BIZ_RENEW, "");
	CHECK_INT(keywork_run(kw, &w, NOW, &hooks, &res, &err), KR_OK);
	CHECK_INT(res.not_after_utc, NOW + 365 * DAY_S);
	/* a foreign key is not renewed */
	k = insert(kw, dir, "foreign");
	w = spec_for(&k, BIZ_RENEW, "");
	CHECK(keywork_run(kw, &w, NOW, &hooks, &res, &err) != KR_OK);

	/* SIGKILL during renewal at random moments: a usable certificate always stays. A kill
	 * inside SoftHSM's C_Login on the secure module empties its token.object (SoftHSM's
	 * flaw, not the user key's): the rig restores it before anyone looks again. */
	k = insert(kw, dir, "unit-valid");
	srand((unsigned)time(NULL));
	int healed = 0;
	for (int round = 0; round < 8; round++) {
		pid_t pid = fork();
		if (pid == 0) {
			struct keywork *kw2;
			struct kerr e2;
			struct keywork_result r2;
			struct work_spec w2 = spec_for(&k, BIZ_RENEW, "");
			if (keywork_create(&c, stderr, &kw2, &e2) != KR_OK)
				_exit(2);
			for (;;)
				keywork_run(kw2, &w2, NOW, &hooks, &r2, &e2);
		}
		usleep((useconds_t)(20000 + rand() % 200000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		int h = keys_rig_heal_sm(dir);
		CHECK(h >= 0);
		healed += h > 0;
		CHECK(keys_rig_usable_certs(c.module) >= 1);
	}
	fprintf(stderr, "SIGKILL rounds: secure module restored %d time(s)\n", healed);
	k = insert(kw, dir, "unit-valid");
	CHECK_INT(k.check_pass, 1);

	/* new key: a unit's main key with the seal and one sub-key */
	struct work_spec nw = {
	    .biz = BIZ_NEW, .holder = HOLDER_UNIT, .years = 1, .seal = 1, .sub_keys = 1};
	snprintf(nw.subject_name, sizeof nw.subject_name, "南通示例建设工程有限公司");
	snprintf(nw.subject_id, sizeof nw.subject_id, "91350200MA2YJ1XR9G");
	snprintf(nw.pin, sizeof nw.pin, "123456");
	CHECK_INT(keywork_run(kw, &nw, NOW, &hooks, &res, &err), KR_INVALID);
	snprintf(nw.pin, sizeof nw.pin, "902417");
	rc = keywork_run(kw, &nw, NOW, &hooks, &res, &err);
	if (rc != KR_OK)
		fprintf(stderr, "new key: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	CHECK_INT(res.not_after_utc, NOW + 365 * DAY_S);
	/* the personalised keys: the user's PIN (never 123456), seal on the main key only */
	CHECK_INT(keys_rig_in_child(personalised_here, c.module), 2 | 1 << 2 | 2 << 4);

	/* exchange: a Jiangsu CA key → our certificate, same subject, on a new key */
	k = insert(kw, dir, "jsca-unit");
	w = spec_for(&k, BIZ_EXCHANGE, "902417");
	snprintf(c.key_type, sizeof c.key_type, "rsa2048");
	rc = keywork_run(kw, &w, NOW, &hooks, &res, &err);
	if (rc != KR_OK)
		fprintf(stderr, "exchange: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	struct key_triage after = insert(kw, dir, "jsca-unit");
	CHECK_INT(after.issuer, ISSUER_JSCA);
	CHECK_INT(after.not_after_utc, k.not_after_utc);

	/* no blank key left: an ordinary failure */
	rc = keywork_run(kw, &w, NOW, &hooks, &res, &err);
	CHECK_INT(rc, KR_NOT_FOUND);
	CHECK_STR(res.reason_key, "work.no_blank");

	/* revocation: what we issued is revoked, the rest queued for the central site */
	struct work_spec rw = {.biz = BIZ_REVOKE, .holder = HOLDER_UNIT};
	snprintf(rw.subject_id, sizeof rw.subject_id, "91350200MA2YJ1XR9G");
	CHECK_INT(keywork_run(kw, &rw, NOW, &hooks, &res, &err), KR_OK);
	CHECK_INT(res.queued, 0);
	CHECK(res.cert_serial[0] != '\0');
	snprintf(rw.subject_id, sizeof rw.subject_id, "810000199408230021");
	CHECK_INT(keywork_run(kw, &rw, NOW, &hooks, &res, &err), KR_OK);
	CHECK_INT(res.queued, 1);

	keywork_destroy(kw);
	keys_rig_down(dir);
	return check_done();
}
