/* issuer_cmp.c — the CMP issuer: one OSSL_CMP_CTX per transaction, set up from [cmp];
 * owns nothing between calls. */
#include "pki/issuer_cmp.h"

#include <dirent.h>
#include <openssl/cmp.h>
#include <openssl/crmf.h>
#include <openssl/err.h>
#include <openssl/http.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pki/issuer.h"

#define SECRET_MAX  128 /* bytes of the shared secret file read */
#define SUBJECT_MAX 19  /* a USCC or ID number: letters and digits */

int issuer_cmp_check(const struct conf_cmp *c, struct kerr *err)
{
	const char *missing = !c->server[0]        ? "server"
	                      : !c->trusted[0]     ? "trusted"
	                      : !c->ref[0]         ? "ref"
	                      : !c->secret_file[0] ? "secret_file"
	                      : !c->certs[0]       ? "certs"
	                      : c->msg_timeout_s <= 0 || c->total_timeout_s <= 0
	                          ? "msg_timeout_s / total_timeout_s"
	                          : NULL;
	if (missing)
		return kerr_set(err, KR_CONFIG, "[cmp] %s: missing (needed by [keys] issuer = cmp)",
		                missing);
	return KR_OK;
}

/* OpenSSL's CMP log goes nowhere: what matters comes back in err. */
static int quiet_log(const char *func, const char *file, int line, OSSL_CMP_severity level,
                     const char *msg)
{
	(void)func, (void)file, (void)line, (void)level, (void)msg;
	return 1;
}

/* The CMP context of one transaction, and the store the new certificate must chain to. */
struct session {
	OSSL_CMP_CTX *ctx;
	X509_STORE *trusted;
};

static void session_end(struct session *s)
{
	OSSL_CMP_CTX_free(s->ctx);
	X509_STORE_free(s->trusted);
	ERR_clear_error();
}

static int session_begin(const struct conf_cmp *c, struct session *s, struct kerr *err)
{
	unsigned char secret[SECRET_MAX];
	char *host = NULL, *port = NULL, *path = NULL;
	int tls = 0, port_num = 0, rc = issuer_cmp_check(c, err);
	memset(s, 0, sizeof *s);
	if (rc != KR_OK)
		return rc;
	if (!OSSL_HTTP_parse_url(c->server, &tls, NULL, &host, &port, &port_num, &path, NULL,
	                         NULL) ||
	    tls)
		rc =
		    kerr_set(err, KR_CONFIG, "[cmp] server: '%s' is not an http:// URL", c->server);
	FILE *f = rc == KR_OK ? fopen(c->secret_file, "r") : NULL;
	size_t n = f ? fread(secret, 1, sizeof secret, f) : 0;
	if (f)
		fclose(f);
	while (n > 0 && (secret[n - 1] == '\n' || secret[n - 1] == '\r'))
		n--;
	if (rc == KR_OK && n == 0)
		rc =
		    kerr_set(err, KR_CONFIG, "[cmp] secret_file: cannot read '%s'", c->secret_file);
	s->trusted = rc == KR_OK ? X509_STORE_new() : NULL;
	if (rc == KR_OK && (!s->trusted || X509_STORE_load_file(s->trusted, c->trusted) != 1 ||
	                    !X509_STORE_set_flags(s->trusted, X509_V_FLAG_PARTIAL_CHAIN)))
		rc = kerr_set(err, KR_CONFIG, "[cmp] trusted: cannot read '%s'", c->trusted);
	s->ctx = rc == KR_OK ? OSSL_CMP_CTX_new(NULL, NULL) : NULL;
	if (rc == KR_OK &&
	    (!s->ctx || !OSSL_CMP_CTX_set_log_cb(s->ctx, quiet_log) ||
	     !OSSL_CMP_CTX_set1_server(s->ctx, host) ||
	     !OSSL_CMP_CTX_set_serverPort(s->ctx, port_num) ||
	     !OSSL_CMP_CTX_set1_serverPath(s->ctx, path) ||
	     !OSSL_CMP_CTX_set1_referenceValue(s->ctx, (const unsigned char *)c->ref,
	                                       (int)strlen(c->ref)) ||
	     !OSSL_CMP_CTX_set1_secretValue(s->ctx, secret, (int)n) ||
	     !OSSL_CMP_CTX_set_option(s->ctx, OSSL_CMP_OPT_MSG_TIMEOUT, c->msg_timeout_s) ||
	     !OSSL_CMP_CTX_set_option(s->ctx, OSSL_CMP_OPT_TOTAL_TIMEOUT, c->total_timeout_s) ||
	     !OSSL_CMP_CTX_set_certConf_cb(s->ctx, OSSL_CMP_certConf_cb) ||
	     !OSSL_CMP_CTX_set_certConf_cb_arg(s->ctx, s->trusted)))
		rc = kerr_set(err, KR_NOMEM, "cannot set up the CMP client");
	OPENSSL_cleanse(secret, sizeof secret);
	OPENSSL_free(host);
	OPENSSL_free(port);
	OPENSSL_free(path);
	if (rc != KR_OK)
		session_end(s);
	return rc;
}

/* A failed transaction: the CA's status and failure info when it answered, else the
 * reason OpenSSL gives (no answer, time-out, a certificate we refused). */
static int session_fail(struct session *s, const char *what, struct kerr *err)
{
	char status[300], why[200] = "no answer";
	const char *data = NULL;
	int flags = 0;
	unsigned long e = ERR_peek_last_error_data(&data, &flags);
	if (e) {
		const char *r = ERR_reason_error_string(e);
		snprintf(why, sizeof why, "%s%s%s", r ? r : "error",
		         data && (flags & ERR_TXT_STRING) && data[0] ? ": " : "",
		         data && (flags & ERR_TXT_STRING) ? data : "");
	}
	int st = OSSL_CMP_CTX_get_status(s->ctx), rc;
	if (ERR_GET_LIB(e) == ERR_LIB_CMP && ERR_GET_REASON(e) == CMP_R_CERTIFICATE_NOT_ACCEPTED)
		rc = kerr_set(err, KR_CONFLICT,
		              "CMP %s: the CA's certificate was not accepted (not for this key, or "
		              "not chaining to [cmp] trusted)",
		              what); /* OpenSSL's detail names the subject: not for the trace */
	else if (st >= 0 && OSSL_CMP_CTX_snprint_PKIStatus(s->ctx, status, sizeof status))
		rc = kerr_set(err, KR_CONFLICT, "CMP %s refused by the CA: %s", what, status);
	else
		rc = kerr_set(err, KR_IO, "CMP %s failed: %s", what, why);
	session_end(s);
	return rc;
}

static int subject_id_ok(const char *id)
{
	size_t n = strspn(id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	return n > 0 && n <= SUBJECT_MAX && id[n] == '\0';
}

/* Keeps x in the certs folder for a later revocation. */
static int keep(const struct conf_cmp *c, const char *subject_id, X509 *x, struct kerr *err)
{
	char serial[64], path[4200];
	issuer_serial_hex(x, serial, sizeof serial);
	snprintf(path, sizeof path, "%s/%s.%s.pem", c->certs, subject_id, serial);
	FILE *f = fopen(path, "w");
	int ok = f && PEM_write_X509(f, x) == 1;
	if (f)
		ok = fclose(f) == 0 && ok;
	ERR_clear_error();
	return ok ? KR_OK : kerr_set(err, KR_IO, "[cmp] certs: cannot write '%s'", path);
}

/* Runs a certificate request of type (IR or KUR) on a prepared session. */
static int certify(const struct conf_cmp *c, struct session *s, int type, const char *what,
                   const char *subject_id, X509 **out, struct kerr *err)
{
	X509 *x = OSSL_CMP_exec_certreq(s->ctx, type, NULL);
	if (!x)
		return session_fail(s, what, err);
	X509_up_ref(x); /* the context's own reference goes with it */
	session_end(s);
	int rc = keep(c, subject_id, x, err);
	if (rc != KR_OK) {
		X509_free(x);
		return rc;
	}
	*out = x;
	return KR_OK;
}

/* A session for request what (IR, KUR) about the new key k of subject_id: priv 1 when k
 * is the private key (it signs the proof of possession). set0 takes a reference: the
 * caller keeps its own. A kiosk result; on failure nothing is left to end. */
static int session_for_key(const struct conf_cmp *c, struct session *s, const char *subject_id,
                           EVP_PKEY *k, int priv, const char *what, struct kerr *err)
{
	if (!subject_id_ok(subject_id))
		return kerr_set(err, KR_INVALID, "bad subject id");
	int rc = session_begin(c, s, err);
	if (rc != KR_OK)
		return rc;
	if (!k || !EVP_PKEY_up_ref(k))
		return session_fail(s, what, err);
	if (!OSSL_CMP_CTX_set0_newPkey(s->ctx, priv, k)) {
		EVP_PKEY_free(k);
		return session_fail(s, what, err);
	}
	return KR_OK;
}

int issuer_cmp_enrol(const struct conf_cmp *c, EVP_PKEY *key, const X509_NAME *subject, int days,
                     const char *subject_id, X509 **out, struct kerr *err)
{
	struct session s;
	int rc = session_for_key(c, &s, subject_id, key, 1, "IR", err);
	if (rc != KR_OK)
		return rc;
	if (!OSSL_CMP_CTX_set1_subjectName(s.ctx, subject) ||
	    !OSSL_CMP_CTX_set_option(s.ctx, OSSL_CMP_OPT_VALIDITY_DAYS, days) ||
	    !OSSL_CMP_CTX_set_option(s.ctx, OSSL_CMP_OPT_POPO_METHOD, OSSL_CRMF_POPO_SIGNATURE))
		return session_fail(&s, "IR", err);
	return certify(c, &s, OSSL_CMP_IR, "IR", subject_id, out, err);
}

int issuer_cmp_update(const struct conf_cmp *c, X509 *old, EVP_PKEY *key, int days,
                      const char *subject_id, X509 **out, struct kerr *err)
{
	struct session s;
	/* without the private key: its public half as certified, vouched for by the kiosk */
	EVP_PKEY *k = key ? key : X509_get0_pubkey(old);
	int rc = session_for_key(c, &s, subject_id, k, key != NULL, "KUR", err);
	if (rc != KR_OK)
		return rc;
	if (!OSSL_CMP_CTX_set1_oldCert(s.ctx, old) ||
	    !OSSL_CMP_CTX_set_option(s.ctx, OSSL_CMP_OPT_VALIDITY_DAYS, days) ||
	    !OSSL_CMP_CTX_set_option(s.ctx, OSSL_CMP_OPT_POPO_METHOD,
	                             key ? OSSL_CRMF_POPO_SIGNATURE : OSSL_CRMF_POPO_RAVERIFIED))
		return session_fail(&s, "KUR", err);
	return certify(c, &s, OSSL_CMP_KUR, "KUR", subject_id, out, err);
}

/* RR of the certificate kept in file name for crl_reason; marks it held (renamed
 * ".held") or revoked (".revoked", in place of any ".held") when the CA did. */
static int revoke_one(const struct conf_cmp *c, const char *name, int crl_reason, char *serial_hex,
                      size_t size, struct kerr *err)
{
	char path[4200], done[4300];
	struct session s;
	snprintf(path, sizeof path, "%s/%s", c->certs, name);
	FILE *f = fopen(path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (!x) {
		ERR_clear_error();
		return kerr_set(err, KR_CORRUPT, "[cmp] certs: cannot read '%s'", path);
	}
	int rc = session_begin(c, &s, err);
	if (rc == KR_OK &&
	    (!OSSL_CMP_CTX_set1_oldCert(s.ctx, x) ||
	     !OSSL_CMP_CTX_set_option(s.ctx, OSSL_CMP_OPT_REVOCATION_REASON, crl_reason) ||
	     OSSL_CMP_exec_RR_ses(s.ctx) != 1))
		rc = session_fail(&s, "RR", err);
	else if (rc == KR_OK)
		session_end(&s);
	if (rc == KR_OK) {
		int held = crl_reason == CRL_REASON_CERTIFICATE_HOLD;
		size_t n = strlen(path);
		if (n > 5 && strcmp(path + n - 5, ".held") == 0)
			path[n - 5] = '\0'; /* a held one, revoked now */
		snprintf(done, sizeof done, "%s.%s", path, held ? "held" : "revoked");
		snprintf(path, sizeof path, "%s/%s", c->certs, name);
		issuer_serial_hex(x, serial_hex, size);
		if (rename(path, done) != 0)
			rc = kerr_set(err, KR_IO, "[cmp] certs: cannot mark '%s' %s", path,
			              held ? "held" : "revoked");
	}
	X509_free(x);
	return rc;
}

/* Whether name ends with end. */
static int ends_with(const char *name, const char *end)
{
	size_t n = strlen(name), e = strlen(end);
	return n >= e && strcmp(name + n - e, end) == 0;
}

int issuer_cmp_revoke(const struct conf_cmp *c, const char *subject_id, int crl_reason,
                      int *revoked, char *serial_hex, size_t size, struct kerr *err)
{
	char prefix[SUBJECT_MAX + 2];
	int rc = KR_OK;
	*revoked = 0;
	serial_hex[0] = '\0';
	if (!subject_id_ok(subject_id))
		return kerr_set(err, KR_INVALID, "bad subject id");
	if (crl_reason == CRL_REASON_REMOVE_FROM_CRL || crl_reason < CRL_REASON_UNSPECIFIED ||
	    crl_reason > CRL_REASON_AA_COMPROMISE)
		return kerr_set(err, KR_INVALID, "the CMP CA takes no revocation with reason %d",
		                crl_reason);
	int held = crl_reason == CRL_REASON_CERTIFICATE_HOLD;
	snprintf(prefix, sizeof prefix, "%s.", subject_id);
	DIR *d = opendir(c->certs);
	if (!d)
		return kerr_set(err, KR_CONFIG, "[cmp] certs: cannot open '%s'", c->certs);
	struct dirent *e;
	while (rc == KR_OK && (e = readdir(d))) {
		/* a hold takes the valid ones (.pem), a final revocation those and the held */
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 ||
		    !(ends_with(e->d_name, ".pem") || (!held && ends_with(e->d_name, ".pem.held"))))
			continue;
		rc = revoke_one(c, e->d_name, crl_reason, serial_hex, size, err);
		*revoked += rc == KR_OK;
	}
	closedir(d);
	return rc;
}
