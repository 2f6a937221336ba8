/* test_keys_fresh.c — renewal onto a fresh key pair ([keys] renew_fresh_key = 1) with the
 * local issuer on the SoftHSM rig: with the user's PIN the key gets a new pair and a
 * certificate for it (the old certificate gone, the PIN unchanged); without a PIN the
 * pair is re-certified; a wrong PIN changes nothing; and a SIGKILL at every step and at
 * random moments leaves a certificate whose own private key signs and verifies. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "pki/cert.h"
#include "drivers/token/token.h"
#include "keys_rig.h"
#include "pki/keywork.h"

#define NOW      1795262400 /* 2026-11-21 08:00 UTC */
#define USER_PIN "135790"   /* the rig's user keys */

static int kill_at; /* SIGKILL at the start of this step (1-based), 0: never */
static int steps;

static void step(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	if (++steps == kill_at)
		raise(SIGKILL);
}
static const struct keywork_hooks hooks = {.progress = step};

/* The port key's signing certificates whose own private key (same ID) signs and verifies
 * with them, counted (run in a child: keys_rig_in_child). 255 on failure. */
static int working_pairs_here(const char *module)
{
	struct token_ctx *t;
	struct token_cert *c;
	struct kerr e;
	int n, good = 0;
	if (token_open(module, &t, &e) != KR_OK)
		return 255;
	int i = token_find(t, "reader:port", 0);
	if (i < 0 || token_login(t, i, 0, USER_PIN, &e) != KR_OK ||
	    token_certs(t, i, &c, &n, &e) != KR_OK)
		return 255;
	for (int k = 0; k < n; k++) {
		EVP_PKEY *p = c[k].x509 && c[k].id_len && keys_rig_signing(c[k].x509)
		                  ? token_private_key(t, i, c[k].id, c[k].id_len, &e)
		                  : NULL;
		good += p && pki_sign_verify(p, c[k].x509);
		EVP_PKEY_free(p);
	}
	token_certs_free(c, n);
	token_close(t);
	return good;
}

/* Whether the port key still holds the rig's original key pair (CKA_ID 01): 1 or 0, 255
 * on failure (run in a child). */
static int old_key_left_here(const char *module)
{
	struct token_ctx *t;
	struct kerr e;
	static const unsigned char old_id[] = {0x01};
	if (token_open(module, &t, &e) != KR_OK)
		return 255;
	int i = token_find(t, "reader:port", 0);
	if (i < 0 || token_login(t, i, 0, USER_PIN, &e) != KR_OK)
		return 255;
	EVP_PKEY *p = token_private_key(t, i, old_id, sizeof old_id, &e);
	int left = p != NULL;
	EVP_PKEY_free(p);
	token_close(t);
	return left;
}

static struct work_spec renewal(const struct key_triage *k, const char *pin)
{
	struct work_spec w = {.biz = BIZ_RENEW, .holder = k->holder, .years = 1};
	snprintf(w.key_serial, sizeof w.key_serial, "%s", k->serial);
	snprintf(w.subject_id, sizeof w.subject_id, "%s", k->subject_id);
	snprintf(w.pin, sizeof w.pin, "%s", pin);
	w.renew_from_utc = k->not_after_utc > NOW ? k->not_after_utc : NOW;
	return w;
}

/* The port key's signing certificate that runs longest (caller frees): not the
 * encryption certificate of its pair. */
static X509 *port_cert(const char *module)
{
	struct token_ctx *t;
	struct token_cert *c;
	struct kerr e;
	int n;
	X509 *x = NULL;
	if (token_open(module, &t, &e) != KR_OK)
		return NULL;
	int i = token_find(t, "reader:port", 0);
	if (i >= 0 && token_certs(t, i, &c, &n, &e) == KR_OK) {
		for (int k = 0; k < n; k++)
			if (c[k].x509 && c[k].id_len && keys_rig_signing(c[k].x509) &&
			    (!x || ASN1_TIME_compare(X509_get0_notAfter(c[k].x509),
			                             X509_get0_notAfter(x)) > 0)) {
				X509_free(x);
				x = X509_dup(c[k].x509);
			}
		token_certs_free(c, n);
	}
	token_close(t);
	return x;
}

/* port_cert in a child, passed back through a pipe as DER. */
static X509 *port_cert_child(const char *module)
{
	int fd[2];
	unsigned char buf[8192];
	if (pipe(fd) != 0)
		return NULL;
	pid_t pid = fork();
	if (pid == 0) {
		close(fd[0]);
		X509 *x = port_cert(module);
		unsigned char *der = NULL;
		int n = x ? i2d_X509(x, &der) : 0;
		if (n > 0 && write(fd[1], der, (size_t)n) != n)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	size_t got = 0;
	ssize_t r;
	while (got < sizeof buf && (r = read(fd[0], buf + got, sizeof buf - got)) > 0)
		got += (size_t)r;
	close(fd[0]);
	waitpid(pid, NULL, 0);
	const unsigned char *p = buf;
	return got ? d2i_X509(NULL, &p, (long)got) : NULL;
}

int main(void)
{
	char dir[512];
	struct conf_keys c;
	struct kerr err = {{0}};
	struct keywork *kw = NULL;
	struct keywork_result res;
	struct key_triage k;

	if (keys_rig_up(dir, sizeof dir, 0, NOW) != 0)
		return 1;
	keys_rig_conf(dir, &c);
	c.renew_fresh_key = 1;
	CHECK_INT(keys_rig_insert(dir, "unit-expiring"), 0);
	CHECK_INT(keywork_create(&c, stderr, &kw, &err), KR_OK);
	if (!kw) {
		keys_rig_down(dir);
		return check_done();
	}

	/* with the user's PIN: a new key pair and its certificate, the old one gone */
	X509 *before = port_cert_child(c.module);
	CHECK_INT(keys_rig_in_child(old_key_left_here, c.module), 1);
	CHECK_INT(keywork_triage(kw, NOW, &k, &err), KR_OK);
	struct work_spec w = renewal(&k, USER_PIN);
	int rc = keywork_run(kw, &w, NOW, &hooks, &res, &err);
	if (rc != KR_OK)
		fprintf(stderr, "fresh renewal: %s\n", err.msg);
	CHECK_INT(rc, KR_OK);
	X509 *after = port_cert_child(c.module);
	CHECK(before && after);
	CHECK(before && after &&
	      EVP_PKEY_eq(X509_get0_pubkey(before), X509_get0_pubkey(after)) != 1);
	CHECK_INT(res.not_after_utc, k.not_after_utc + 365 * 86400);
	CHECK_INT(keys_rig_in_child(working_pairs_here, c.module),
	          1); /* the PIN unchanged, the new pair works */
	CHECK_INT(keys_rig_in_child(old_key_left_here, c.module),
	          0); /* and the old private key is gone */
	CHECK_INT(keywork_triage(kw, NOW, &k, &err), KR_OK);
	CHECK_INT(k.check_pass, 1);

	/* a wrong PIN: nothing changes */
	w = renewal(&k, "864209");
	CHECK(keywork_run(kw, &w, NOW, &hooks, &res, &err) != KR_OK);
	CHECK_STR(res.reason_key, "work.key_pin_wrong"); /* the user is told why */
	X509 *again = port_cert_child(c.module);
	CHECK(after && again && X509_cmp(after, again) == 0);
	X509_free(again);

	/* no PIN came with the renewal: the key pair is re-certified */
	w = renewal(&k, "");
	CHECK_INT(keywork_run(kw, &w, NOW, &hooks, &res, &err), KR_OK);
	again = port_cert_child(c.module);
	CHECK(after && again && X509_cmp(after, again) != 0 &&
	      EVP_PKEY_eq(X509_get0_pubkey(after), X509_get0_pubkey(again)) == 1);
	CHECK_INT(keys_rig_in_child(working_pairs_here, c.module), 1);
	X509_free(again);
	X509_free(before);
	X509_free(after);

	/* SIGKILL at the start of every step, then at random moments: a certificate with its
	 * own working key pair always stays. A kill inside SoftHSM's C_Login on the secure
	 * module empties its token.object (SoftHSM's flaw): the rig restores it. */
	srand((unsigned)time(NULL));
	CHECK_INT(keys_rig_keep_token(dir, "unit-expiring", "port"), 0);
	for (int round = 1; round <= 10; round++) {
		pid_t pid = fork();
		if (pid == 0) {
			struct keywork *kw2;
			struct kerr e2;
			struct keywork_result r2;
			struct key_triage k2;
			kill_at = round <= 5 ? round : 0;
			steps = 0;
			if (keywork_create(&c, stderr, &kw2, &e2) != KR_OK ||
			    keywork_triage(kw2, NOW, &k2, &e2) != KR_OK)
				_exit(2);
			struct work_spec w2 = renewal(&k2, USER_PIN);
			for (;;)
				keywork_run(kw2, &w2, NOW, &hooks, &r2, &e2);
		}
		if (round > 5) {
			usleep((useconds_t)(20000 + rand() % 300000));
			kill(pid, SIGKILL);
		}
		/* the first rounds kill themselves at their step; 10 s is their deadline */
		for (int t = 0; t < 1000 && waitpid(pid, NULL, WNOHANG) == 0; t++)
			usleep(10000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		CHECK(keys_rig_heal_sm(dir) >= 0);
		CHECK(keys_rig_heal_token(dir, "port") >= 0);
		int pairs = keys_rig_in_child(working_pairs_here, c.module);
		if (pairs < 1)
			fprintf(stderr, "round %d: no working certificate left\n", round);
		CHECK(pairs >= 1 && pairs != 255);
	}
	CHECK_INT(keywork_triage(kw, NOW, &k, &err), KR_OK);
	CHECK_INT(k.check_pass, 1);

	keywork_destroy(kw);
	keys_rig_down(dir);
	return check_done();
}
