/* test_keys_crl.c — revocation reasons and the local issuer's CRL on the SoftHSM rig:
 * certificates issued on the secure module for four holders (and an expired one), A
 * held, B revoked for keyCompromise, C held and lifted, D untouched; the ledger's
 * answers; the CRL signed by the issuing CA on the module, with its number, AKI, dates
 * and reason codes; `openssl verify -crl_check` refusing A and B and accepting C and D;
 * then A revoked for good (keeping its hold's date) under a higher CRL number, and when
 * the CRL is due again. */
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "drivers/token/token.h"
#include "keys_rig.h"
#include "pki/cert.h"
#include "pki/issuer.h"
#include "pki/keywork.h"
#include "pki/ledger.h"

#define NOW    1795262400 /* 2026-11-21 08:00 UTC: the rig is made for this day */
#define HOUR_S 3600
#define DAY_S  86400

enum { A, B, C, D, OLD, NCERTS }; /* OLD: A's certificate that expired ten days ago */

static const char *const ids[NCERTS] = {"91350200MA2YJ1XR9G", "11010519491231002X",
                                        "91320600MA1MXXXX5K", "110105194912310037",
                                        "91350200MA2YJ1XR9G"};

struct issued {
	char serial[48];
	char pem[600];
};

static const struct keywork_hooks no_hooks; /* nothing told */

/* Issues the certificates on the secure module with its own token context (closed before
 * the keywork opens one: one per process), each for a fresh software key, PEM into dir. */
static int issue_all(const struct conf_keys *c, const char *dir, struct issued *out)
{
	struct token_ctx *t = NULL;
	struct kerr err = {{0}};
	char pin[32] = "";
	FILE *f = fopen(c->secure_pin_file, "r");
	if (f) {
		if (!fgets(pin, sizeof pin, f))
			pin[0] = '\0';
		fclose(f);
	}
	pin[strcspn(pin, "\n")] = '\0';
	FILE *cf = fopen(c->issuer_cert, "r");
	X509 *ca = cf ? PEM_read_X509(cf, NULL, NULL, NULL) : NULL;
	if (cf)
		fclose(cf);
	int rc = ca ? token_open(c->module, &t, &err) : KR_IO;
	int sm = rc == KR_OK ? token_find(t, c->secure_module, 0) : -1;
	if (rc == KR_OK)
		rc = sm < 0 ? KR_NOT_FOUND : token_login(t, sm, 0, pin, &err);
	static const unsigned char ca_id[] = {0xca, 0x01};
	EVP_PKEY *ca_key = rc == KR_OK ? token_private_key(t, sm, ca_id, sizeof ca_id, &err) : NULL;
	struct issuer_local L = {ca, c->crl_url, c->aia_url, c->ledger};
	for (int k = 0; ca_key && k < NCERTS; k++) {
		EVP_PKEY *key = EVP_EC_gen("P-256");
		X509_NAME *name = pki_subject_build(k == B || k == D ? HOLDER_PERSON : HOLDER_UNIT,
		                                    "测试", ids[k]);
		X509 *x = NULL;
		int64_t from = k == OLD ? NOW - 400 * DAY_S : NOW - DAY_S;
		int64_t to = k == OLD ? NOW - 10 * DAY_S : NOW + 365 * DAY_S;
		rc = key && name ? issuer_local_issue(&L, ca_key, key, PKI_SIGN, name, from, to,
		                                      ids[k], &x, &err)
		                 : KR_NOMEM;
		CHECK_INT(rc, KR_OK);
		if (rc == KR_OK) {
			issuer_serial_hex(x, out[k].serial, sizeof out[k].serial);
			snprintf(out[k].pem, sizeof out[k].pem, "%s/cert%d.pem", dir, k);
			FILE *p = fopen(out[k].pem, "w");
			CHECK(p && PEM_write_X509(p, x) == 1);
			if (p)
				fclose(p);
		}
		X509_free(x);
		X509_NAME_free(name);
		EVP_PKEY_free(key);
	}
	if (rc != KR_OK)
		fprintf(stderr, "issue: %s\n", err.msg);
	EVP_PKEY_free(ca_key);
	if (sm >= 0)
		token_logout(t, sm);
	token_close(t);
	X509_free(ca);
	return ca_key ? 0 : -1;
}

static int revoke_as(struct keywork *kw, int who, enum revoke_reason reason, int64_t at,
                     struct keywork_result *res, struct kerr *err)
{
	struct work_spec w = {.biz = BIZ_REVOKE,
	                      .holder = who == B || who == D ? HOLDER_PERSON : HOLDER_UNIT,
	                      .revoke_reason = reason};
	snprintf(w.subject_id, sizeof w.subject_id, "%s", ids[who]);
	int rc = keywork_run(kw, &w, at, &no_hooks, res, err);
	if (rc != KR_OK)
		fprintf(stderr, "revoke %d (%d): %s\n", who, (int)reason, err->msg);
	return rc;
}

static X509_CRL *load_crl(const char *path)
{
	FILE *f = fopen(path, "rb");
	X509_CRL *crl = f ? d2i_X509_CRL_fp(f, NULL) : NULL;
	if (f)
		fclose(f);
	return crl;
}

static uint64_t crl_number(X509_CRL *crl)
{
	uint64_t n = 0;
	ASN1_INTEGER *num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	if (!num || ASN1_INTEGER_get_uint64(&n, num) != 1)
		n = 0;
	ASN1_INTEGER_free(num);
	return n;
}

/* The reason code of serial's entry in crl; -2 when it has none; -3 when not listed.
 * *when: its revocationDate. */
static int entry_reason(X509_CRL *crl, const char *serial, int64_t *when)
{
	STACK_OF(X509_REVOKED) *revoked = X509_CRL_get_REVOKED(crl);
	for (int k = 0; k < sk_X509_REVOKED_num(revoked); k++) {
		X509_REVOKED *r = sk_X509_REVOKED_value(revoked, k);
		BIGNUM *bn = ASN1_INTEGER_to_BN(X509_REVOKED_get0_serialNumber(r), NULL);
		char *hex = bn ? BN_bn2hex(bn) : NULL;
		int same = hex && strcmp(hex, serial) == 0;
		OPENSSL_free(hex);
		BN_free(bn);
		if (!same)
			continue;
		pki_time_get(X509_REVOKED_get0_revocationDate(r), when);
		ASN1_ENUMERATED *code = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, NULL, NULL);
		int reason = code ? (int)ASN1_ENUMERATED_get(code) : -2;
		ASN1_ENUMERATED_free(code);
		return reason;
	}
	return -3;
}

/* `openssl verify -crl_check` of cert at NOW: 1 when it accepts, 0 when it refuses as
 * revoked, -1 otherwise. */
static int verify(const char *dir, const char *crl, const char *cert)
{
	char cmd[4096], out[1024] = "";
	snprintf(cmd, sizeof cmd,
	         "openssl verify -attime %lld -crl_check -CAfile '%s/chain.pem' -CRLfile '%s' "
	         "'%s' 2>&1",
	         (long long)NOW + 2 * HOUR_S, dir, crl, cert);
	FILE *p = popen(cmd, "r");
	size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
	out[n] = '\0';
	int status = p ? pclose(p) : -1;
	int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && strstr(out, ": OK");
	if (ok)
		return 1;
	if (strstr(out, "certificate revoked"))
		return 0;
	fprintf(stderr, "openssl verify: %s\n", out);
	return -1;
}

/* The trace so far, from the start. */
static const char *trace_text(FILE *trace)
{
	static char buf[8192];
	fflush(trace);
	rewind(trace);
	size_t n = fread(buf, 1, sizeof buf - 1, trace);
	buf[n] = '\0';
	fseek(trace, 0, SEEK_END);
	return buf;
}

int main(void)
{
	char dir[512], cmd[4096];
	struct conf_keys c;
	struct kerr err = {{0}};
	struct keywork *kw = NULL;
	struct keywork_result res;
	struct issued cert[NCERTS] = {0};
	if (keys_rig_up(dir, sizeof dir, 0, NOW) != 0)
		return 1;
	keys_rig_conf(dir, &c);
	snprintf(c.crl_file, sizeof c.crl_file, "%s/rig/issuing.crl", dir);
	c.crl_next_update_hours = 24;
	snprintf(cmd, sizeof cmd,
	         "cat '%s/rig/ca/root.pem' '%s/rig/ca/issuing.pem' > '%s/chain.pem'", dir, dir,
	         dir);
	CHECK_INT(system(cmd), 0);
	if (issue_all(&c, dir, cert) != 0) {
		keys_rig_down(dir);
		return check_done();
	}
	FILE *trace = tmpfile();
	CHECK_INT(keywork_create(&c, trace ? trace : stderr, &kw, &err), KR_OK);
	if (!kw || !trace) {
		fprintf(stderr, "%s\n", err.msg);
		keys_rig_down(dir);
		return check_done();
	}

	/* at start-up: an empty CRL, number 1, due until it exists */
	CHECK_INT(keywork_crl_due(kw, NOW), 1);
	CHECK_INT(keywork_crl(kw, NOW, &err), KR_OK);
	CHECK(strstr(trace_text(trace), "[keys] CRL 1 written, 0 entries\n") != NULL);
	CHECK_INT(keywork_crl_due(kw, NOW), 0);

	/* hold A (not its expired certificate), keyCompromise B, hold C then lift it */
	CHECK_INT(revoke_as(kw, A, REVOKE_HOLD, NOW, &res, &err), KR_OK);
	CHECK_INT(res.queued, 0);
	CHECK_STR(res.cert_serial, cert[A].serial);
	CHECK(strstr(trace_text(trace), "[keys] CRL 2 written, 1 entries\n") != NULL);
	CHECK_INT(revoke_as(kw, A, REVOKE_HOLD, NOW, &res, &err), KR_OK); /* nothing left to hold */
	CHECK_INT(res.queued, 1);
	CHECK_INT(revoke_as(kw, B, REVOKE_KEY_COMPROMISE, NOW, &res, &err), KR_OK);
	CHECK_STR(res.cert_serial, cert[B].serial);
	CHECK_INT(revoke_as(kw, C, REVOKE_HOLD, NOW, &res, &err), KR_OK);
	CHECK_INT(revoke_as(kw, C, REVOKE_LIFT, NOW + HOUR_S, &res, &err), KR_OK);
	CHECK_STR(res.cert_serial, cert[C].serial);
	CHECK_INT(res.queued, 0);
	/* nothing held: a lift is refused, and says why */
	struct work_spec lift = {.biz = BIZ_REVOKE, .revoke_reason = REVOKE_LIFT};
	snprintf(lift.subject_id, sizeof lift.subject_id, "%s", ids[C]);
	CHECK_INT(keywork_run(kw, &lift, NOW + HOUR_S, &no_hooks, &res, &err), KR_NOT_FOUND);
	CHECK(strstr(err.msg, "nothing to lift") != NULL);
	CHECK_STR(res.reason_key, "work.failed");
	snprintf(lift.subject_id, sizeof lift.subject_id, "%s", ids[D]);
	CHECK_INT(keywork_run(kw, &lift, NOW + HOUR_S, &no_hooks, &res, &err), KR_NOT_FOUND);
	CHECK(strstr(trace_text(trace), "[keys] CRL 5 written, 2 entries\n") != NULL);
	CHECK(strstr(trace_text(trace), ids[A]) == NULL); /* no personal data in the trace */

	/* the ledger's answers */
	struct ledger lg;
	CHECK_INT(ledger_read(c.ledger, &lg, &err), KR_OK);
	CHECK_INT(lg.skipped, 0);
	const struct ledger_cert *lc = ledger_find(&lg, cert[A].serial);
	CHECK(lc && lc->state == LEDGER_HELD && lc->reason == CRL_REASON_CERTIFICATE_HOLD &&
	      lc->since_utc == NOW);
	lc = ledger_find(&lg, cert[B].serial);
	CHECK(lc && lc->state == LEDGER_REVOKED && lc->reason == CRL_REASON_KEY_COMPROMISE);
	lc = ledger_find(&lg, cert[C].serial);
	CHECK(lc && lc->state == LEDGER_VALID);
	lc = ledger_find(&lg, cert[D].serial);
	CHECK(lc && lc->state == LEDGER_VALID);
	lc = ledger_find(&lg, cert[OLD].serial);
	CHECK(lc && lc->state == LEDGER_VALID); /* expired: not touched */
	ledger_free(&lg);

	/* the CRL: signed by the issuing CA, A held, B keyCompromise, C (lifted) absent */
	FILE *cf = fopen(c.issuer_cert, "r");
	X509 *ca = cf ? PEM_read_X509(cf, NULL, NULL, NULL) : NULL;
	if (cf)
		fclose(cf);
	X509_CRL *crl = load_crl(c.crl_file);
	CHECK(ca && crl);
	if (ca && crl) {
		int64_t t = 0;
		CHECK_INT(X509_CRL_get_version(crl), X509_CRL_VERSION_2);
		CHECK_INT(X509_CRL_verify(crl, X509_get0_pubkey(ca)), 1);
		CHECK_INT(X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)), 0);
		CHECK_INT(crl_number(crl), 5);
		CHECK_INT(pki_time_get(X509_CRL_get0_lastUpdate(crl), &t), 0);
		CHECK_INT(t, NOW + HOUR_S);
		CHECK_INT(pki_time_get(X509_CRL_get0_nextUpdate(crl), &t), 0);
		CHECK_INT(t, NOW + HOUR_S + 24 * HOUR_S);
		AUTHORITY_KEYID *aki =
		    X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL, NULL);
		CHECK(aki && aki->keyid &&
		      ASN1_OCTET_STRING_cmp(aki->keyid, X509_get0_subject_key_id(ca)) == 0);
		AUTHORITY_KEYID_free(aki);
		CHECK_INT(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 2);
		CHECK_INT(entry_reason(crl, cert[A].serial, &t), CRL_REASON_CERTIFICATE_HOLD);
		CHECK_INT(t, NOW);
		CHECK_INT(entry_reason(crl, cert[B].serial, &t), CRL_REASON_KEY_COMPROMISE);
		CHECK_INT(entry_reason(crl, cert[C].serial, &t), -3);
		CHECK_INT(entry_reason(crl, cert[D].serial, &t), -3);
		CHECK_INT(entry_reason(crl, cert[OLD].serial, &t), -3);
	}
	X509_CRL_free(crl);

	/* what a relying party makes of it: the real openssl verify */
	CHECK_INT(verify(dir, c.crl_file, cert[A].pem), 0);
	CHECK_INT(verify(dir, c.crl_file, cert[B].pem), 0);
	CHECK_INT(verify(dir, c.crl_file, cert[C].pem), 1);
	CHECK_INT(verify(dir, c.crl_file, cert[D].pem), 1);

	/* A revoked for good a day later: keyCompromise, still dated from its hold */
	CHECK_INT(revoke_as(kw, A, REVOKE_KEY_COMPROMISE, NOW + DAY_S, &res, &err), KR_OK);
	CHECK_STR(res.cert_serial, cert[A].serial);
	crl = load_crl(c.crl_file);
	CHECK(crl != NULL);
	if (crl) {
		int64_t t = 0;
		CHECK_INT(crl_number(crl), 6);
		CHECK_INT(entry_reason(crl, cert[A].serial, &t), CRL_REASON_KEY_COMPROMISE);
		CHECK_INT(t, NOW);
		CHECK_INT(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 2);
		CHECK_INT(X509_CRL_verify(crl, X509_get0_pubkey(ca)), 1);
	}
	X509_CRL_free(crl);
	/* a lift does not bring a revoked certificate back */
	snprintf(lift.subject_id, sizeof lift.subject_id, "%s", ids[A]);
	CHECK_INT(keywork_run(kw, &lift, NOW + DAY_S, &no_hooks, &res, &err), KR_NOT_FOUND);

	/* the schedule: due within a quarter of the period of its nextUpdate, or without a file */
	CHECK_INT(keywork_crl_due(kw, NOW + DAY_S + 17 * HOUR_S), 0);
	CHECK_INT(keywork_crl_due(kw, NOW + DAY_S + 18 * HOUR_S), 1);
	CHECK_INT(unlink(c.crl_file), 0);
	CHECK_INT(keywork_crl_due(kw, NOW + DAY_S), 1);
	/* the number goes on from the sidecar when the CRL itself is gone */
	CHECK_INT(keywork_crl(kw, NOW + DAY_S, &err), KR_OK);
	CHECK(strstr(trace_text(trace), "[keys] CRL 7 written, 2 entries\n") != NULL);

	keywork_destroy(kw);
	X509_free(ca);
	fclose(trace);
	keys_rig_down(dir);
	return check_done();
}
