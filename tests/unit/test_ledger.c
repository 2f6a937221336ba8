/* test_ledger.c — the local issuer's ledger (pki/ledger) without a token: malformed lines
 * skipped (never a crash), old revocation lines read as unspecified, the replay of holds,
 * final revocations and lifts; issuer_local_revoke on a ledger file (expired ones
 * untouched, queued, nothing to lift); issuer_local_crl with a software CA: entries,
 * no reason code for unspecified, the number going on from the sidecar or the CRL. */
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pki/issuer.h"
#include "pki/ledger.h"

#define NOW   1795262400 /* 2026-11-21 08:00 UTC */
#define DAY_S 86400

static void test_malformed(void)
{
	struct ledger lg = {0};
	char longline[400];
	memset(longline, 'A', sizeof longline - 1);
	longline[sizeof longline - 1] = '\0';
	memcpy(longline, "V ", 2);
	const char *const bad[] = {
	    "X 0A 1795262400 ID1",                        /* unknown kind */
	    "V 0A 1795262400",                            /* a field short */
	    "V 0A 1795262400 ID1 extra",                  /* a field too many for V */
	    "V 0a 1795262400 ID1",                        /* lower-case serial */
	    "V 0G 1795262400 ID1",                        /* not hex */
	    "V 0A 17952x2400 ID1",                        /* not a number */
	    "V 0A 99999999999999999999 ID1",              /* out of range */
	    "V 0A 1795262400 ID-1",                       /* not letters and digits */
	    "V 0A 1795262400 ID123456789012345678901234", /* subject too long */
	    "VV 0A 1795262400 ID1",                       /* kind not one letter */
	    "R 0A 1795262400 ID1 lostIt",                 /* unknown reason */
	    "R 0A 1795262400 ID1 keyCompromise more",     /* a field too many */
	    "R 0A 1 2 3 4 5 6",                           /* far too many */
	    "L 0A 1795262400 ID1 certificateHold",        /* a lift takes no reason */
	    "Q 0A 1795262400 ID1",                        /* a queue line names no serial */
	    "V 0A 1795262400 ID1\nV 0B 1795262400 ID1",   /* a line end inside */
	    "\x01\x02\xff\xfe garbage",
	    longline,
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		CHECK_INT(ledger_feed(&lg, bad[k]), -1);
	CHECK_INT(lg.skipped, (int)(sizeof bad / sizeof bad[0]));
	CHECK_INT(lg.n, 0);
	CHECK_INT(ledger_feed(&lg, ""), 0);
	CHECK_INT(ledger_feed(&lg, "\n"), 0);
	CHECK_INT(ledger_feed(&lg, "Q - 1795262400 ID1\n"), 0);
	CHECK_INT(lg.n, 0);
	ledger_free(&lg);
}

static void test_replay(void)
{
	struct ledger lg = {0};
	const struct ledger_cert *c;
	CHECK_INT(ledger_feed(&lg, "V 0A 1900000000 ID1\n"), 0);
	CHECK_INT(ledger_feed(&lg, "V 0B 1900000000 ID1\r\n"), 0);
	CHECK_INT(ledger_feed(&lg, "V 0C 1900000000 ID2"), 0);
	CHECK_INT(ledger_feed(&lg, "V 0D 1900000000 ID2"), 0);
	/* an old line without a reason: unspecified, final */
	CHECK_INT(ledger_feed(&lg, "R 0A 100 ID1"), 0);
	CHECK_INT(ledger_feed(&lg, "L 0A 150 ID1"), 0); /* not held: nothing */
	c = ledger_find(&lg, "0A");
	CHECK(c && c->state == LEDGER_REVOKED && c->reason == CRL_REASON_UNSPECIFIED &&
	      c->since_utc == 100);
	/* hold, second hold, final: the hold's date stays */
	CHECK_INT(ledger_feed(&lg, "R 0B 200 ID1 certificateHold"), 0);
	CHECK_INT(ledger_feed(&lg, "R 0B 250 ID1 certificateHold"), 0);
	c = ledger_find(&lg, "0B");
	CHECK(c && c->state == LEDGER_HELD && c->since_utc == 200);
	CHECK_INT(ledger_feed(&lg, "R 0B 300 ID1 superseded"), 0);
	CHECK(c->state == LEDGER_REVOKED && c->reason == CRL_REASON_SUPERSEDED &&
	      c->since_utc == 200);
	CHECK_INT(ledger_feed(&lg, "R 0B 400 ID1 certificateHold"), 0); /* final stays final */
	CHECK(c->state == LEDGER_REVOKED && c->reason == CRL_REASON_SUPERSEDED);
	/* hold and lift, then a new hold dated anew */
	CHECK_INT(ledger_feed(&lg, "R 0C 500 ID2 certificateHold"), 0);
	CHECK_INT(ledger_feed(&lg, "L 0C 600 ID2"), 0);
	c = ledger_find(&lg, "0C");
	CHECK(c && c->state == LEDGER_VALID);
	CHECK_INT(ledger_feed(&lg, "R 0C 700 ID2 certificateHold"), 0);
	CHECK(c->state == LEDGER_HELD && c->since_utc == 700);
	/* another holder's name, or a serial never issued: nothing */
	CHECK_INT(ledger_feed(&lg, "R 0D 800 ID1 keyCompromise"), 0);
	CHECK(ledger_find(&lg, "0D")->state == LEDGER_VALID);
	CHECK_INT(ledger_feed(&lg, "R 0E 800 ID2 keyCompromise"), 0);
	CHECK(ledger_find(&lg, "0E") == NULL);
	CHECK_INT(ledger_feed(&lg, "R 0D 900 ID2 affiliationChanged"), 0);
	CHECK(ledger_find(&lg, "0D")->reason == CRL_REASON_AFFILIATION_CHANGED);
	CHECK_INT(lg.skipped, 0);
	CHECK_STR(ledger_reason_name(CRL_REASON_KEY_COMPROMISE), "keyCompromise");
	CHECK(ledger_reason_name(CRL_REASON_REMOVE_FROM_CRL) == NULL);
	ledger_free(&lg);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A self-signed CA with an SKI, for the CRL's issuer and AKI. */
static X509 *make_ca(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509V3_CTX ctx;
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"Unit CA", -1, -1,
	                           0);
	X509_set_issuer_name(x, n);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	ASN1_TIME_set(X509_getm_notBefore(x), NOW - DAY_S);
	ASN1_TIME_set(X509_getm_notAfter(x), NOW + 365 * DAY_S);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_key_identifier, "hash");
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	X509_sign(x, key, EVP_sha256());
	return x;
}

static X509_CRL *load_crl(const char *path)
{
	FILE *f = fopen(path, "rb");
	X509_CRL *crl = f ? d2i_X509_CRL_fp(f, NULL) : NULL;
	if (f)
		fclose(f);
	return crl;
}

static void test_issuer(void)
{
	char dir[] = "/tmp/ledger.XXXXXX", ledger[128], crl_path[128], side[140], cmd[300];
	struct kerr err = {{0}};
	char serial[48];
	int changed, queued;
	CHECK(mkdtemp(dir) != NULL);
	snprintf(ledger, sizeof ledger, "%s/ledger", dir);
	snprintf(crl_path, sizeof crl_path, "%s/issuing.crl", dir);
	snprintf(side, sizeof side, "%s.number", crl_path);
	char text[1024], longline[300];
	memset(longline, '7', sizeof longline - 1);
	longline[sizeof longline - 1] = '\0';
	snprintf(text, sizeof text,
	         "V 0A %d ID1\n"
	         "garbage line\n"
	         "V 0F 1900000000 ID1 %s\n"
	         "V 0B %d ID1\n"
	         "V 0C %d ID2\n"
	         "R 0C %d ID2\n",
	         NOW + 30 * DAY_S, longline, NOW - DAY_S, NOW + 30 * DAY_S, NOW - 5 * DAY_S);
	write_file(ledger, text);
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *ca = make_ca(key);
	struct issuer_local L = {ca, "http://crl.invalid/x.crl", "http://ca.invalid/x.crt", ledger};

	/* a hold takes 0A, not the expired 0B; a second one has nothing left: queued */
	CHECK_INT(issuer_local_revoke(&L, "ID1", REVOKE_HOLD, NOW, &changed, &queued, serial,
	                              sizeof serial, &err),
	          KR_OK);
	CHECK_INT(changed, 1);
	CHECK_INT(queued, 0);
	CHECK_STR(serial, "0A");
	CHECK_INT(issuer_local_revoke(&L, "ID1", REVOKE_HOLD, NOW, &changed, &queued, serial,
	                              sizeof serial, &err),
	          KR_OK);
	CHECK_INT(changed, 0);
	CHECK_INT(queued, 1);
	CHECK_INT(issuer_local_revoke(&L, "ID2", REVOKE_LIFT, NOW, &changed, &queued, serial,
	                              sizeof serial, &err),
	          KR_NOT_FOUND);
	CHECK(strstr(err.msg, "nothing to lift") != NULL);
	CHECK_INT(issuer_local_revoke(&L, "ID 2", REVOKE_HOLD, NOW, &changed, &queued, serial,
	                              sizeof serial, &err),
	          KR_INVALID);
	CHECK_INT(issuer_local_revoke(&L, "ID2", (enum revoke_reason)9, NOW, &changed, &queued,
	                              serial, sizeof serial, &err),
	          KR_INVALID);

	/* the CRL: 0A held, 0C (an old line) without a reason code; number 1 */
	uint64_t number = 0;
	int entries = -1;
	CHECK_INT(issuer_local_crl(&L, key, NOW, 24, crl_path, &number, &entries, &err), KR_OK);
	CHECK_INT(number, 1);
	CHECK_INT(entries, 2);
	X509_CRL *crl = load_crl(crl_path);
	CHECK(crl && X509_CRL_verify(crl, key) == 1);
	for (int k = 0; crl && k < sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)); k++) {
		X509_REVOKED *r = sk_X509_REVOKED_value(X509_CRL_get_REVOKED(crl), k);
		ASN1_ENUMERATED *code = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, NULL, NULL);
		long want = ASN1_INTEGER_get(X509_REVOKED_get0_serialNumber(r)) == 0x0A
		                ? CRL_REASON_CERTIFICATE_HOLD
		                : -1;
		CHECK_INT(code ? ASN1_ENUMERATED_get(code) : -1, want);
		ASN1_ENUMERATED_free(code);
	}
	X509_CRL_free(crl);
	/* the number goes on: from the sidecar, from the CRL when the sidecar is damaged */
	CHECK_INT(issuer_local_crl(&L, key, NOW, 24, crl_path, &number, NULL, &err), KR_OK);
	CHECK_INT(number, 2);
	write_file(side, "junk\n");
	CHECK_INT(issuer_local_crl(&L, key, NOW, 24, crl_path, &number, NULL, &err), KR_OK);
	CHECK_INT(number, 3);
	write_file(side, "41\n");
	CHECK_INT(issuer_local_crl(&L, key, NOW, 24, crl_path, &number, NULL, &err), KR_OK);
	CHECK_INT(number, 42);
	int64_t next = 0;
	CHECK_INT(issuer_crl_next_update(crl_path, &next, &err), KR_OK);
	CHECK_INT(next, NOW + 24 * 3600);
	CHECK_INT(issuer_local_crl(&L, key, NOW, 0, crl_path, &number, NULL, &err), KR_INVALID);
	write_file(crl_path, "not a CRL");
	CHECK_INT(issuer_crl_next_update(crl_path, &next, &err), KR_CORRUPT);
	unlink(crl_path);
	CHECK_INT(issuer_crl_next_update(crl_path, &next, &err), KR_NOT_FOUND);

	/* the ledger read back: the garbage and the overlong line skipped, the lines written
	 * well-formed */
	struct ledger lg;
	CHECK_INT(ledger_read(ledger, &lg, &err), KR_OK);
	CHECK_INT(lg.skipped, 2);
	CHECK_INT(lg.n, 3);
	ledger_free(&lg);

	X509_free(ca);
	EVP_PKEY_free(key);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), 0);
}

/* A change revokes the one old certificate by its serial: not the holder's others, not
 * another holder's, nothing queued when the serial is not there. */
static void test_revoke_serial(void)
{
	char dir[] = "/tmp/ledger.XXXXXX", ledger[128], cmd[300], text[256];
	struct kerr err = {{0}};
	CHECK(mkdtemp(dir) != NULL);
	snprintf(ledger, sizeof ledger, "%s/ledger", dir);
	snprintf(text, sizeof text, "V 0D %d ID3\nV 0E %d ID3\nV 1D %d ID4\n", NOW + DAY_S,
	         NOW + DAY_S, NOW + DAY_S);
	write_file(ledger, text);
	struct issuer_local L = {NULL, "", "", ledger};
	CHECK_INT(issuer_local_revoke_serial(&L, "ID3", "0D", REVOKE_SUPERSEDED, NOW, &err), KR_OK);
	CHECK_INT(issuer_local_revoke_serial(&L, "ID3", "0D", REVOKE_SUPERSEDED, NOW, &err),
	          KR_NOT_FOUND); /* once */
	CHECK_INT(issuer_local_revoke_serial(&L, "ID3", "1D", REVOKE_SUPERSEDED, NOW, &err),
	          KR_NOT_FOUND); /* another holder's */
	CHECK_INT(issuer_local_revoke_serial(&L, "ID3", "", REVOKE_SUPERSEDED, NOW, &err),
	          KR_INVALID);
	struct ledger lg;
	CHECK_INT(ledger_read(ledger, &lg, &err), KR_OK);
	const struct ledger_cert *d = ledger_find(&lg, "0D"), *e = ledger_find(&lg, "0E"),
	                         *f = ledger_find(&lg, "1D");
	CHECK(d && d->state == LEDGER_REVOKED && d->reason == CRL_REASON_SUPERSEDED);
	CHECK(e && e->state == LEDGER_VALID);
	CHECK(f && f->state == LEDGER_VALID);
	ledger_free(&lg);
	FILE *in = fopen(ledger, "r");
	int lines = 0, queued = 0;
	while (in && fgets(text, sizeof text, in)) {
		lines++;
		queued += text[0] == 'Q';
	}
	if (in)
		fclose(in);
	CHECK_INT(lines, 4);
	CHECK_INT(queued, 0);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), 0);
}

int main(void)
{
	test_malformed();
	test_replay();
	test_issuer();
	test_revoke_serial();
	return check_done();
}
