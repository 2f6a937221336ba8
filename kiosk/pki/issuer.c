/* issuer.c — the local issuer: certificates signed by the CA key on the secure module,
 * and its ledger. */
#include "pki/issuer.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#define LEDGER_LINE_MAX 160

void issuer_serial_hex(const X509 *x, char *out, size_t size)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	snprintf(out, size, "%s", hex ? hex : "");
	OPENSSL_free(hex);
	BN_free(bn);
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = e && X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok;
}

int issuer_local_issue(const struct issuer_local *L, EVP_PKEY *ca_key, EVP_PKEY *pub,
                       const X509_NAME *subject, int64_t from_utc, int64_t to_utc,
                       const char *subject_id, X509 **out, struct kerr *err)
{
	unsigned char rnd[16];
	char ext[300];
	X509 *x = X509_new();
	BIGNUM *bn = NULL;
	X509V3_CTX ctx;
	int ok = x && RAND_bytes(rnd, sizeof rnd) == 1;
	rnd[0] = (unsigned char)((rnd[0] & 0x7f) | 0x40); /* positive, full 128 bits wide */
	ok = ok && (bn = BN_bin2bn(rnd, sizeof rnd, NULL)) &&
	     BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) && X509_set_version(x, 2) &&
	     X509_set_issuer_name(x, X509_get_subject_name(L->ca_cert)) &&
	     X509_set_subject_name(x, subject) && X509_set_pubkey(x, pub) &&
	     ASN1_TIME_set(X509_getm_notBefore(x), (time_t)from_utc) &&
	     ASN1_TIME_set(X509_getm_notAfter(x), (time_t)to_utc);
	BN_free(bn);
	if (ok) {
		X509V3_set_ctx(&ctx, L->ca_cert, x, NULL, NULL, 0);
		ok = add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
		     add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature,nonRepudiation") &&
		     add_ext(x, &ctx, NID_subject_key_identifier, "hash") &&
		     add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
		snprintf(ext, sizeof ext, "URI:%s", L->crl_url);
		ok = ok && add_ext(x, &ctx, NID_crl_distribution_points, ext);
		snprintf(ext, sizeof ext, "caIssuers;URI:%s", L->aia_url);
		ok = ok && add_ext(x, &ctx, NID_info_access, ext);
	}
	if (!ok) {
		X509_free(x);
		ERR_clear_error();
		return kerr_set(err, KR_INVALID, "cannot build the certificate");
	}
	if (X509_sign(x, ca_key, EVP_sha256()) <= 0) {
		unsigned long e = ERR_peek_last_error();
		X509_free(x);
		ERR_clear_error();
		return kerr_set(err, KR_IO, "signing on the secure module failed (reason 0x%lx)",
		                (unsigned long)ERR_GET_REASON(e));
	}
	char serial[64];
	issuer_serial_hex(x, serial, sizeof serial);
	FILE *f = fopen(L->ledger, "a");
	if (!f || fprintf(f, "V %s %lld %s\n", serial, (long long)to_utc, subject_id) < 0 ||
	    fflush(f) != 0) {
		if (f)
			fclose(f);
		X509_free(x);
		return kerr_set(err, KR_IO, "%s: cannot write the ledger", L->ledger);
	}
	fclose(f);
	*out = x;
	return KR_OK;
}

int issuer_local_revoke(const struct issuer_local *L, const char *subject_id, int64_t utc,
                        int *revoked, int *queued, char *serial_hex, size_t size, struct kerr *err)
{
	enum { MAX_HITS = 64 };
	char line[LEDGER_LINE_MAX], valid[MAX_HITS][48], gone[MAX_HITS][48];
	int nvalid = 0, ngone = 0;
	*revoked = *queued = 0;
	serial_hex[0] = '\0';
	FILE *f = fopen(L->ledger, "r");
	while (f && fgets(line, sizeof line, f)) {
		char kind, serial[48], id[24];
		long long t;
		if (sscanf(line, "%c %47s %lld %23s", &kind, serial, &t, id) != 4 ||
		    strcmp(id, subject_id) != 0)
			continue;
		if (kind == 'V' && nvalid < MAX_HITS)
			snprintf(valid[nvalid++], sizeof valid[0], "%s", serial);
		if (kind == 'R' && ngone < MAX_HITS)
			snprintf(gone[ngone++], sizeof gone[0], "%s", serial);
	}
	if (f)
		fclose(f);
	if (!(f = fopen(L->ledger, "a")))
		return kerr_set(err, KR_IO, "%s: cannot write the ledger", L->ledger);
	for (int v = 0; v < nvalid; v++) {
		int done = 0;
		for (int g = 0; g < ngone; g++)
			done |= strcmp(valid[v], gone[g]) == 0;
		if (done)
			continue;
		fprintf(f, "R %s %lld %s\n", valid[v], (long long)utc, subject_id);
		snprintf(serial_hex, size, "%s", valid[v]);
		(*revoked)++;
	}
	if (*revoked == 0) {
		fprintf(f, "Q - %lld %s\n", (long long)utc, subject_id);
		*queued = 1;
	}
	int bad = fflush(f) != 0;
	fclose(f);
	return bad ? kerr_set(err, KR_IO, "%s: cannot write the ledger", L->ledger) : KR_OK;
}
