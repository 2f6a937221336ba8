/* issuer.c — the local issuer: certificates signed by the CA key on the secure module,
 * revocations and suspensions in its ledger (pki/ledger), and the CRL made from it. */
#include "pki/issuer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pki/cert.h"
#include "pki/ledger.h"

#define CRL_FILE_MAX (16 * 1024 * 1024) /* a CRL read back larger than this is refused */
#define HOUR_S       3600

/* Whether id is fit for a ledger line: 1 to 23 letters or digits. */
static int subject_id_ok(const char *id)
{
	size_t n = strlen(id);
	return n > 0 && n < sizeof((struct ledger_cert *)0)->subject_id &&
	       strspn(id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == n;
}

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
                       enum pki_use use, const X509_NAME *subject, int64_t from_utc, int64_t to_utc,
                       const char *subject_id, X509 **out, struct kerr *err)
{
	unsigned char rnd[16];
	char ext[300];
	X509 *x = X509_new();
	BIGNUM *bn = NULL;
	X509V3_CTX ctx;
	int ok = x && RAND_bytes(rnd, sizeof rnd) == 1;
	rnd[0] = (unsigned char)((rnd[0] & 0x7f) | 0x40); /* positive, full 128 bits wide */
	ok = ok && subject_id_ok(subject_id) && (bn = BN_bin2bn(rnd, sizeof rnd, NULL)) &&
	     BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) && X509_set_version(x, 2) &&
	     X509_set_issuer_name(x, X509_get_subject_name(L->ca_cert)) &&
	     X509_set_subject_name(x, subject) && X509_set_pubkey(x, pub) &&
	     ASN1_TIME_set(X509_getm_notBefore(x), (time_t)from_utc) &&
	     ASN1_TIME_set(X509_getm_notAfter(x), (time_t)to_utc);
	BN_free(bn);
	if (ok) {
		X509V3_set_ctx(&ctx, L->ca_cert, x, NULL, NULL, 0);
		ok = add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
		     add_ext(x, &ctx, NID_key_usage, pki_use_key_usage(use, pub)) &&
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
	char serial[64], line[LEDGER_LINE_MAX + 2];
	issuer_serial_hex(x, serial, sizeof serial);
	snprintf(line, sizeof line, "V %s %lld %s\n", serial, (long long)to_utc, subject_id);
	if (ledger_append(L->ledger, line, err) != KR_OK) {
		X509_free(x);
		return KR_IO;
	}
	*out = x;
	return KR_OK;
}

int issuer_crl_reason(enum revoke_reason reason)
{
	switch (reason) {
	case REVOKE_HOLD:
		return CRL_REASON_CERTIFICATE_HOLD;
	case REVOKE_KEY_COMPROMISE:
		return CRL_REASON_KEY_COMPROMISE;
	case REVOKE_AFFILIATION_CHANGED:
		return CRL_REASON_AFFILIATION_CHANGED;
	case REVOKE_SUPERSEDED:
		return CRL_REASON_SUPERSEDED;
	case REVOKE_CESSATION:
		return CRL_REASON_CESSATION_OF_OPERATION;
	case REVOKE_LIFT:
		return CRL_REASON_REMOVE_FROM_CRL;
	}
	return CRL_REASON_UNSPECIFIED;
}

/* Whether reason changes c: a hold a valid one, a final reason a valid or held one, a
 * lift a held one. */
static int revoke_hits(const struct ledger_cert *c, enum revoke_reason reason)
{
	if (reason == REVOKE_LIFT)
		return c->state == LEDGER_HELD;
	if (reason == REVOKE_HOLD)
		return c->state == LEDGER_VALID;
	return c->state != LEDGER_REVOKED;
}

/* issuer_local_revoke, of only the certificate serial when serial is not NULL (and then
 * nothing is queued when it is not there: KR_NOT_FOUND). */
static int revoke_in_ledger(const struct issuer_local *L, const char *subject_id,
                            const char *serial, enum revoke_reason reason, int64_t utc,
                            int *changed, int *queued, char *serial_hex, size_t size,
                            struct kerr *err)
{
	struct ledger lg;
	char *text = NULL;
	size_t len = 0;
	*changed = *queued = 0;
	serial_hex[0] = '\0';
	if ((int)reason < REVOKE_HOLD || reason > REVOKE_LIFT)
		return kerr_set(err, KR_INVALID, "unknown revocation reason %d", (int)reason);
	if (!subject_id_ok(subject_id))
		return kerr_set(err, KR_INVALID, "bad subject id");
	const char *name = ledger_reason_name(issuer_crl_reason(reason)); /* NULL: a lift */
	int rc = ledger_read(L->ledger, &lg, err);
	FILE *m = rc == KR_OK ? open_memstream(&text, &len) : NULL;
	if (rc == KR_OK && !m)
		rc = kerr_set(err, KR_NOMEM, "out of memory");
	for (int k = 0; rc == KR_OK && k < lg.n; k++) {
		const struct ledger_cert *c = &lg.cert[k];
		if (strcmp(c->subject_id, subject_id) != 0 || c->not_after_utc < utc ||
		    !revoke_hits(c, reason) || (serial && strcmp(c->serial, serial) != 0))
			continue; /* another holder's or certificate, expired, or already so */
		if (name)
			fprintf(m, "R %s %lld %s %s\n", c->serial, (long long)utc, subject_id,
			        name);
		else
			fprintf(m, "L %s %lld %s\n", c->serial, (long long)utc, subject_id);
		snprintf(serial_hex, size, "%s", c->serial);
		(*changed)++;
	}
	ledger_free(&lg);
	if (rc == KR_OK && *changed == 0 && !name)
		rc = kerr_set(err, KR_NOT_FOUND,
		              "nothing to lift: the holder has no suspended certificate of ours");
	if (rc == KR_OK && *changed == 0 && serial)
		rc = kerr_set(err, KR_NOT_FOUND, "%s: no such certificate of the holder to revoke",
		              serial);
	if (rc == KR_OK && *changed == 0) {
		fprintf(m, "Q - %lld %s\n", (long long)utc, subject_id);
		*queued = 1;
	}
	if (m && fclose(m) != 0 && rc == KR_OK)
		rc = kerr_set(err, KR_NOMEM, "out of memory");
	if (rc == KR_OK)
		rc = ledger_append(L->ledger, text, err);
	free(text);
	if (rc != KR_OK) {
		*changed = *queued = 0;
		serial_hex[0] = '\0';
	}
	return rc;
}

int issuer_local_revoke(const struct issuer_local *L, const char *subject_id,
                        enum revoke_reason reason, int64_t utc, int *changed, int *queued,
                        char *serial_hex, size_t size, struct kerr *err)
{
	return revoke_in_ledger(L, subject_id, NULL, reason, utc, changed, queued, serial_hex, size,
	                        err);
}

int issuer_local_revoke_serial(const struct issuer_local *L, const char *subject_id,
                               const char *serial, enum revoke_reason reason, int64_t utc,
                               struct kerr *err)
{
	char hex[48];
	int changed = 0, queued = 0;
	if (!serial || !serial[0])
		return kerr_set(err, KR_INVALID, "no serial");
	return revoke_in_ledger(L, subject_id, serial, reason, utc, &changed, &queued, hex,
	                        sizeof hex, err);
}

/* Writes len bytes of data to path through a temporary file beside it: written, flushed
 * to disk, renamed over path, and the folder flushed. Readable by all (a CRL is public). */
static int write_atomic(const char *path, const void *data, size_t len, struct kerr *err)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp)
		return kerr_set(err, KR_INVALID, "%s: path too long", path);
	int fd = mkstemp(tmp), bad = fd < 0;
	const char *p = data;
	for (size_t done = 0; !bad && done < len;) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		bad = n <= 0;
		done += bad ? 0 : (size_t)n;
	}
	bad = bad || fchmod(fd, 0644) != 0 || fsync(fd) != 0;
	if (fd >= 0 && close(fd) != 0)
		bad = 1;
	if (!bad && rename(tmp, path) != 0)
		bad = 1;
	if (bad) {
		int e = errno;
		if (fd >= 0)
			unlink(tmp);
		return kerr_set(err, KR_IO, "%s: cannot write: %s", path, strerror(e));
	}
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd); /* the rename on disk; a folder that cannot be flushed still has it */
		close(dfd);
	}
	return KR_OK;
}

/* The CRL at path (DER, or PEM), or NULL. Caller frees. */
static X509_CRL *crl_load(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	X509_CRL *crl = NULL;
	if (f && fstat(fileno(f), &st) == 0 && st.st_size <= CRL_FILE_MAX) {
		crl = d2i_X509_CRL_fp(f, NULL);
		if (!crl && fseek(f, 0, SEEK_SET) == 0)
			crl = PEM_read_X509_CRL(f, NULL, NULL, NULL);
	}
	if (f)
		fclose(f);
	ERR_clear_error();
	return crl;
}

int issuer_crl_next_update(const char *path, int64_t *next_utc, struct kerr *err)
{
	if (access(path, F_OK) != 0)
		return kerr_set(err, KR_NOT_FOUND, "%s: no CRL yet", path);
	X509_CRL *crl = crl_load(path);
	const ASN1_TIME *t = crl ? X509_CRL_get0_nextUpdate(crl) : NULL;
	int rc = t && pki_time_get(t, next_utc) == 0
	             ? KR_OK
	             : kerr_set(err, KR_CORRUPT, "%s: not a CRL with a nextUpdate", path);
	X509_CRL_free(crl);
	return rc;
}

/* The last CRL number given out for path: the larger of "<path>.number" and the number
 * of the CRL at path; 0 when neither is there. */
static uint64_t crl_number_last(const char *path)
{
	char side[PATH_MAX + 8], text[32];
	uint64_t last = 0, n;
	snprintf(side, sizeof side, "%s.number", path);
	FILE *f = fopen(side, "r");
	if (f && fgets(text, sizeof text, f) && text[0] >= '0' && text[0] <= '9') {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(text, &end, 10);
		if (!errno && (*end == '\n' || *end == '\0'))
			last = (uint64_t)v;
	}
	if (f)
		fclose(f);
	X509_CRL *crl = crl_load(path);
	ASN1_INTEGER *num = crl ? X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL) : NULL;
	if (num && ASN1_INTEGER_get_uint64(&n, num) == 1 && n > last)
		last = n;
	ASN1_INTEGER_free(num);
	X509_CRL_free(crl);
	ERR_clear_error();
	return last;
}

/* The CRL entry of c (held or revoked), or NULL. Caller frees. */
static X509_REVOKED *crl_entry(const struct ledger_cert *c)
{
	X509_REVOKED *r = X509_REVOKED_new();
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial = NULL;
	ASN1_TIME *when = NULL;
	ASN1_ENUMERATED *code = NULL;
	int ok = r && BN_hex2bn(&bn, c->serial) > 0 && (serial = BN_to_ASN1_INTEGER(bn, NULL)) &&
	         X509_REVOKED_set_serialNumber(r, serial) &&
	         (when = ASN1_TIME_set(NULL, (time_t)c->since_utc)) &&
	         X509_REVOKED_set_revocationDate(r, when);
	/* unspecified (an old ledger's revocation) goes without a reason code (RFC 5280 5.3.1) */
	if (ok && c->reason != CRL_REASON_UNSPECIFIED)
		ok = (code = ASN1_ENUMERATED_new()) && ASN1_ENUMERATED_set(code, c->reason) &&
		     X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, code, 0, 0) == 1;
	ASN1_ENUMERATED_free(code);
	ASN1_TIME_free(when);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	if (!ok) {
		X509_REVOKED_free(r);
		return NULL;
	}
	return r;
}

/* The unsigned CRL of lg at now_utc for hours, numbered number; *entries counted. */
static X509_CRL *crl_build(const struct issuer_local *L, const struct ledger *lg, int64_t now_utc,
                           int hours, uint64_t number, int *entries)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = NULL;
	ASN1_INTEGER *num = NULL;
	X509_EXTENSION *aki = NULL;
	X509V3_CTX ctx;
	int ok = crl && X509_CRL_set_version(crl, X509_CRL_VERSION_2) &&
	         X509_CRL_set_issuer_name(crl, X509_get_subject_name(L->ca_cert)) &&
	         (t = ASN1_TIME_set(NULL, (time_t)now_utc)) && X509_CRL_set1_lastUpdate(crl, t) &&
	         ASN1_TIME_set(t, (time_t)(now_utc + (int64_t)hours * HOUR_S)) &&
	         X509_CRL_set1_nextUpdate(crl, t);
	*entries = 0;
	for (int k = 0; ok && k < lg->n; k++) {
		const struct ledger_cert *c = &lg->cert[k];
		if (c->state == LEDGER_VALID || c->not_after_utc < now_utc)
			continue;
		X509_REVOKED *r = crl_entry(c);
		ok = r && X509_CRL_add0_revoked(crl, r);
		if (!ok)
			X509_REVOKED_free(r);
		*entries += ok;
	}
	if (ok) {
		X509V3_set_ctx(&ctx, L->ca_cert, NULL, NULL, crl, 0);
		aki = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
		ok = aki && X509_CRL_add_ext(crl, aki, -1) && (num = ASN1_INTEGER_new()) &&
		     ASN1_INTEGER_set_uint64(num, number) &&
		     X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1 &&
		     X509_CRL_sort(crl);
	}
	X509_EXTENSION_free(aki);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(t);
	if (!ok) {
		X509_CRL_free(crl);
		return NULL;
	}
	return crl;
}

int issuer_local_crl(const struct issuer_local *L, EVP_PKEY *ca_key, int64_t now_utc,
                     int next_update_hours, const char *path, uint64_t *number, int *entries,
                     struct kerr *err)
{
	struct ledger lg;
	unsigned char *der = NULL;
	char side[PATH_MAX + 8], text[32];
	int n = 0, len = 0;
	if (next_update_hours < 1 || next_update_hours > 24 * 366 || !path || !path[0])
		return kerr_set(err, KR_INVALID, "bad CRL period or path");
	int rc = ledger_read(L->ledger, &lg, err);
	uint64_t next = crl_number_last(path) + 1;
	X509_CRL *crl =
	    rc == KR_OK ? crl_build(L, &lg, now_utc, next_update_hours, next, &n) : NULL;
	ledger_free(&lg);
	if (rc == KR_OK && !crl)
		rc = kerr_set(err, KR_INVALID, "cannot build the CRL");
	if (rc == KR_OK && X509_CRL_sign(crl, ca_key, EVP_sha256()) <= 0)
		rc = kerr_set(err, KR_IO,
		              "signing the CRL on the secure module failed (reason 0x%lx)",
		              (unsigned long)ERR_GET_REASON(ERR_peek_last_error()));
	if (rc == KR_OK && (len = i2d_X509_CRL(crl, &der)) <= 0)
		rc = kerr_set(err, KR_INVALID, "cannot encode the CRL");
	X509_CRL_free(crl);
	ERR_clear_error();
	/* the number first: a crash before the CRL's rename skips a number, never repeats one */
	snprintf(side, sizeof side, "%s.number", path);
	snprintf(text, sizeof text, "%llu\n", (unsigned long long)next);
	if (rc == KR_OK)
		rc = write_atomic(side, text, strlen(text), err);
	if (rc == KR_OK)
		rc = write_atomic(path, der, (size_t)len, err);
	OPENSSL_free(der);
	if (rc == KR_OK && number)
		*number = next;
	if (rc == KR_OK && entries)
		*entries = n;
	return rc;
}
