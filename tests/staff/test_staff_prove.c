/* test_staff_prove.c — a staff key's proof of possession on the SoftHSM rig
 * (tests/rigs/softhsm.sh, behind the PKCS#11 shim that counts PIN tries):
 *  - keywork_prove: the genuine staff key with its PIN signs a fresh challenge that its
 *    certificate verifies; a wrong PIN does not (and counts on the token); a token that
 *    holds a copy of the staff certificate beside another key pair (profile staff-copy)
 *    does not, though its triage claims the staff role; a user's key has no staff
 *    certificate;
 *  - through the app's loop with the real keys service (kiosk/pki/keys_service.c) and
 *    the desk (kiosk/staff/staff_desk.c): the staff key asks for its own PIN, a wrong
 *    one and the copy are refused and counted, the right one opens staff mode, five
 *    failures lock, and no PIN reaches the trace. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "../keys/keys_rig.h"
#include "app/app.h"
#include "app/steer.h"
#include "pki/keywork.h"
#include "staff/staff.h"
#include "store/stats.h"

#define NOW     1795262400 /* 2026-11-21 08:00 UTC */
#define KEY_PIN "135790"   /* the rig's user PIN (tests/rigs/softhsm.sh) */
#define BAD_PIN "975310"

static char rig[PATH_MAX];

/* The tries left on the rig key profile's PIN as the shim counts them (6: untouched). */
static int tries_left(const char *profile)
{
	char cmd[PATH_MAX + 256], line[32] = "";
	snprintf(cmd, sizeof cmd,
	         "cd '%s/rig/shim' && s=$(awk -v p='%s' '$1 == p {print $2}' profiles) && "
	         "cat \"tries/$s\" 2>/dev/null || echo 6",
	         rig, profile);
	FILE *p = popen(cmd, "r");
	if (!p || !fgets(line, sizeof line, p))
		line[0] = '\0';
	if (p)
		pclose(p);
	return atoi(line);
}

static struct key_triage insert(struct keywork *kw, const char *profile)
{
	struct key_triage t;
	struct kerr err = {{0}};
	CHECK_INT(keys_rig_insert(rig, profile), 0);
	CHECK_INT(keywork_triage(kw, NOW, &t, &err), KR_OK);
	return t;
}

static void test_keywork(void)
{
	struct conf_keys c;
	struct keywork *kw = NULL;
	struct kerr err = {{0}};
	keys_rig_conf(rig, &c);
	CHECK_INT(keywork_create(&c, stderr, &kw, &err), KR_OK);
	if (!kw)
		return;

	/* the genuine staff key: its PIN, a challenge signed and verified */
	struct key_triage t = insert(kw, "staff");
	CHECK_INT(t.staff_role, 1);
	CHECK_INT(keywork_prove(kw, t.serial, KEY_PIN, 1, &err), KR_OK);
	/* a wrong PIN proves nothing and counts on the token; the right one resets it */
	CHECK_INT(keywork_prove(kw, t.serial, BAD_PIN, 1, &err), KR_CONFLICT);
	CHECK_INT(tries_left("staff"), 5);
	CHECK_INT(keywork_prove(kw, t.serial, KEY_PIN, 1, &err), KR_OK);
	CHECK_INT(tries_left("staff"), 6);
	/* another serial than the key in the port */
	CHECK_INT(keywork_prove(kw, "0000000000000000", KEY_PIN, 1, &err), KR_NOT_FOUND);

	/* a copy of the staff certificate over another key pair: its triage claims the
	 * role (a certificate is public), its proof fails even with the right PIN */
	t = insert(kw, "staff-copy");
	CHECK_INT(t.staff_role, 1);
	CHECK_INT(keywork_prove(kw, t.serial, KEY_PIN, 1, &err), KR_CORRUPT);
	CHECK_INT(keywork_prove(kw, t.serial, BAD_PIN, 1, &err), KR_CONFLICT);

	/* a user's key of ours: no staff certificate, and no PIN try spent on it */
	t = insert(kw, "unit-valid");
	CHECK_INT(t.staff_role, 0);
	CHECK_INT(keywork_prove(kw, t.serial, KEY_PIN, 1, &err), KR_INVALID);
	CHECK_INT(tries_left("unit-valid"), 6);
	CHECK_INT(keys_rig_insert(rig, ""), 0);
	keywork_destroy(kw);
}

/* ---- through the app's loop -------------------------------------------------------- */

static int64_t fake_mono(void *ctx)
{
	(void)ctx;
	return 1000;
}

static int64_t fake_utc(void *ctx)
{
	(void)ctx;
	return NOW + 3600;
}

static void staff_tap(struct app *app, enum staff_action a, const char *text)
{
	struct flow_event ev = {.kind = FEV_TAP, .intent = INTENT_STAFF, .arg = staff_arg(a, 0)};
	snprintf(ev.text, sizeof ev.text, "%s", text);
	app_post(app, &ev);
	CHECK_INT(app_settle(app, 30000), KR_OK);
}

static void port(struct app *app, const char *profile)
{
	struct kerr err = {{0}};
	CHECK_INT(steer(app, SVC_KEYS, profile ? "insert" : "remove", profile ? profile : "", &err),
	          KR_OK);
	CHECK_INT(app_settle(app, 30000), KR_OK);
}

static void test_desk(void)
{
	static struct conf conf;
	char path[PATH_MAX + 64];
	const char *src = getenv("KIOSK_SOURCE_DIR");
	struct kerr err = {{0}};
	snprintf(path, sizeof path, "%s/tests/staff/staff-kiosk.ini",
	         src && *src ? src : KIOSK_SOURCE_DIR);
	if (conf_load(path, &conf, &err) != KR_OK) {
		CHECK_STR(err.msg, "");
		return;
	}
	if (snprintf(conf.database, sizeof conf.database, "%.200s/k.db", rig) < 0)
		return;
	snprintf(conf.service[SVC_KEYS], sizeof conf.service[SVC_KEYS], "pkcs11");
	keys_rig_conf(rig, &conf.keys);
	char *trace_text = NULL;
	size_t trace_len = 0;
	FILE *trace = open_memstream(&trace_text, &trace_len);
	struct app_clock clock = {fake_mono, fake_utc, NULL};
	struct app *app = NULL;
	CHECK_INT(app_create(&conf, &clock, trace, &app, &err), KR_OK);
	if (!app) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	const struct staff_view *sv = app_staff_view(app);
	struct flow_event enter = {.kind = FEV_TAP, .intent = INTENT_STAFF_ENTER};
	app_post(app, &enter);
	CHECK_INT(app_settle(app, 30000), KR_OK);
	CHECK_INT(sv->screen, STAFF_PIN);

	/* the staff key: staff mode does not open yet, the pad asks for the key's PIN */
	port(app, "staff");
	CHECK_INT(sv->screen, STAFF_PIN);
	CHECK_INT(sv->key_pin, 1);
	CHECK_STR(sv->notice_key, "staff.key_found");
	CHECK_INT(sv->tries_left, STAFF_PIN_TRIES);
	/* a wrong key PIN: refused, counted here and on the token */
	staff_tap(app, STA_PIN, BAD_PIN);
	CHECK_INT(sv->screen, STAFF_PIN);
	CHECK_STR(sv->notice_key, "staff.key_pin_wrong");
	CHECK_INT(sv->tries_left, STAFF_PIN_TRIES - 1);
	CHECK_INT(tries_left("staff"), 5);
	/* the right one: the key proves itself, staff mode opens */
	staff_tap(app, STA_PIN, KEY_PIN);
	CHECK_INT(sv->screen, STAFF_HOME);
	CHECK_INT(sv->tries_left, STAFF_PIN_TRIES);
	staff_tap(app, STA_EXIT, "");
	CHECK_INT(sv->screen, STAFF_OFF);
	port(app, NULL);

	/* the copied certificate: the right PIN, yet refused; with a wrong staff PIN and
	 * the copy again, five failures lock */
	app_post(app, &enter);
	CHECK_INT(app_settle(app, 30000), KR_OK);
	port(app, "staff-copy");
	CHECK_INT(sv->key_pin, 1);
	staff_tap(app, STA_PIN, KEY_PIN);
	CHECK_INT(sv->screen, STAFF_PIN);
	CHECK_STR(sv->notice_key, "staff.key_pin_wrong");
	CHECK_INT(sv->tries_left, STAFF_PIN_TRIES - 1);
	for (int k = 2; k <= 3; k++) {
		staff_tap(app, STA_PIN, KEY_PIN);
		CHECK_INT(sv->tries_left, STAFF_PIN_TRIES - k);
	}
	port(app, NULL);
	CHECK_INT(sv->key_pin, 0);
	staff_tap(app, STA_PIN, "11111111"); /* the pad takes the staff PIN again */
	CHECK_STR(sv->notice_key, "staff.pin_wrong");
	CHECK_INT(sv->tries_left, 1);
	port(app, "staff-copy");
	staff_tap(app, STA_PIN, KEY_PIN);
	CHECK_INT(sv->screen, STAFF_LOCKED);
	int fails = -1;
	int64_t lock_at = 0;
	CHECK_INT(stats_staff_pin(app_store(app), &fails, &lock_at, &err), KR_OK);
	CHECK_INT((int)lock_at, (int)(NOW + 3600));
	staff_tap(app, STA_EXIT, "");
	port(app, NULL);

	app_destroy(app);
	fclose(trace);
	CHECK(strstr(trace_text, "[staff] key_prove") != NULL);
	CHECK(strstr(trace_text, "the staff key proved its possession") != NULL);
	CHECK(strstr(trace_text, "the key's PIN or proof failed") != NULL);
	CHECK(strstr(trace_text, KEY_PIN) == NULL);
	CHECK(strstr(trace_text, BAD_PIN) == NULL);
	free(trace_text);
}

int main(void)
{
	if (keys_rig_up(rig, sizeof rig, 1, NOW) != 0)
		return 1;
	test_keywork();
	test_desk();
	keys_rig_down(rig);
	return check_done();
}
