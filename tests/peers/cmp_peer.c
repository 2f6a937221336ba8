/* cmp_peer.c — a small CMP CA for the tests: OpenSSL's own CMP server (OSSL_CMP_SRV_CTX)
 * over HTTP on 127.0.0.1 (tests/peers/httpd), MAC-protected with a reference and a shared
 * secret like the kiosk's [cmp]. Unlike `openssl cmp`'s mock server it is a CA: an IR, CR
 * or KUR gets a new certificate for the public key in the request's template (OpenSSL
 * checks the proof of possession; raVerified is accepted), with the template's subject and
 * validity, signed by the issuing CA given; an RR is granted once for a certificate it
 * issued. One line per transaction on stderr: "cmp_peer: IR issued SERIAL", "cmp_peer: RR
 * revoked SERIAL", or the refusal.
 *
 *   cmp_peer --ca-cert PEM --ca-key PEM --ref REF --secret-file FILE --ports-file FILE
 *            [--port N]
 * writes the port it listens on to the ports file once it accepts; SIGTERM stops it. */
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/cmp.h>
#include <openssl/crmf.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"

#define REQ_MAX      (64 * 1024) /* one CMP request */
#define ISSUED_MAX   256         /* certificates issued in one run */
#define SECRET_MAX   128
#define DAY_S        86400
#define DEFAULT_DAYS 365

struct peer {
	X509 *ca;
	EVP_PKEY *ca_key;
	ASN1_INTEGER *issued[ISSUED_MAX]; /* serials; NULL once revoked */
	int n_issued;
};

static const char *const body_names[] = {"IR",      "IP",  "CR",  "CP",  "P10CR", "POPDECC",
                                         "POPDECR", "KUR", "KUP", "KRR", "KRP",   "RR"};

static const char *body_name(const OSSL_CMP_MSG *m)
{
	int t = OSSL_CMP_MSG_get_bodytype(m);
	return t >= 0 && t < (int)(sizeof body_names / sizeof body_names[0]) ? body_names[t]
	                                                                     : "request";
}

static void serial_hex(const ASN1_INTEGER *s, char *out, size_t size)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(s, NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	snprintf(out, size, "%s", hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
}

/* The field [tag] of the DER SEQUENCE in..in+len: its whole TLV (*tlv, *tlv_len) and its
 * contents (*val, *val_len). 0 when absent. */
static int der_field(const unsigned char *in, long len, int tag, const unsigned char **tlv,
                     long *tlv_len, const unsigned char **val, long *val_len)
{
	const unsigned char *p = in;
	long l;
	int t, cls;
	if (ASN1_get_object(&p, &l, &t, &cls, len) & 0x80 || t != V_ASN1_SEQUENCE)
		return 0;
	const unsigned char *end = p + l;
	while (p < end) {
		const unsigned char *start = p;
		if (ASN1_get_object(&p, &l, &t, &cls, end - p) & 0x80)
			return 0;
		if (cls == V_ASN1_CONTEXT_SPECIFIC && t == tag) {
			*tlv = start;
			*tlv_len = p + l - start;
			*val = p;
			*val_len = l;
			return 1;
		}
		p += l;
	}
	return 0;
}

/* The public key and validity of a certificate template (OpenSSL 3.0 has no getters for
 * them): publicKey [6] IMPLICIT SubjectPublicKeyInfo, validity [4] { notBefore [0] Time,
 * notAfter [1] Time }, both optional. *from, *to stay as they are when not given. */
static EVP_PKEY *template_read(const OSSL_CRMF_CERTTEMPLATE *tmpl, time_t *from, time_t *to)
{
	unsigned char *der = NULL, *spki = NULL;
	int n = i2d_OSSL_CRMF_CERTTEMPLATE((OSSL_CRMF_CERTTEMPLATE *)tmpl, &der);
	const unsigned char *tlv, *val, *t2, *v2;
	long tlv_len, val_len, t2_len, v2_len;
	EVP_PKEY *pub = NULL;
	if (n > 0 && der_field(der, n, 6, &tlv, &tlv_len, &val, &val_len) &&
	    (spki = OPENSSL_memdup(tlv, (size_t)tlv_len))) {
		const unsigned char *q = spki;
		spki[0] =
		    V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED; /* [6] IMPLICIT: the SEQUENCE's tag */
		pub = d2i_PUBKEY(NULL, &q, tlv_len);
	}
	if (pub && der_field(der, n, 4, &tlv, &tlv_len, &val, &val_len)) {
		time_t *when[2] = {from, to};
		for (int k = 0; k < 2; k++) {
			/* [k] EXPLICIT Time: a SEQUENCE retag of the field to walk it */
			unsigned char *v = OPENSSL_memdup(tlv, (size_t)tlv_len);
			if (!v)
				break;
			v[0] = V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED;
			if (der_field(v, tlv_len, k, &t2, &t2_len, &v2, &v2_len)) {
				ASN1_TIME *tm = d2i_ASN1_TIME(NULL, &v2, v2_len);
				int days, secs; /* from now: NULL stands for the current time */
				if (tm && ASN1_TIME_diff(&days, &secs, NULL, tm))
					*when[k] = time(NULL) + (time_t)days * DAY_S + secs;
				ASN1_TIME_free(tm);
			}
			OPENSSL_free(v);
		}
	}
	OPENSSL_free(spki);
	OPENSSL_free(der);
	return pub;
}

static int add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, v3, nid, value);
	int ok = e && X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok;
}

/* A user certificate like the rig's own (tests/rigs/softhsm.sh, v3_user): random 127-bit
 * serial, digitalSignature + nonRepudiation, SKI/AKI. */
static X509 *issue(struct peer *P, EVP_PKEY *pub, const X509_NAME *subject, time_t from, time_t to)
{
	X509 *x = X509_new();
	BIGNUM *bn = BN_new();
	X509V3_CTX v3;
	int ok = x && bn && P->n_issued < ISSUED_MAX && X509_set_version(x, 2) &&
	         BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) &&
	         BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) &&
	         X509_set_issuer_name(x, X509_get_subject_name(P->ca)) &&
	         X509_set_subject_name(x, subject) && X509_set_pubkey(x, pub) &&
	         ASN1_TIME_set(X509_getm_notBefore(x), from) &&
	         ASN1_TIME_set(X509_getm_notAfter(x), to);
	if (ok) {
		X509V3_set_ctx(&v3, P->ca, x, NULL, NULL, 0);
		ok = add_ext(x, &v3, NID_basic_constraints, "CA:FALSE") &&
		     add_ext(x, &v3, NID_key_usage, "critical,digitalSignature,nonRepudiation") &&
		     add_ext(x, &v3, NID_subject_key_identifier, "hash") &&
		     add_ext(x, &v3, NID_authority_key_identifier, "keyid") &&
		     X509_sign(x, P->ca_key, EVP_sha256()) > 0;
	}
	if (ok)
		ok = (P->issued[P->n_issued] = ASN1_INTEGER_dup(X509_get0_serialNumber(x))) != NULL;
	BN_free(bn);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	P->n_issued++;
	return x;
}

static OSSL_CMP_PKISI *refuse(const OSSL_CMP_MSG *req, int failure, const char *why)
{
	fprintf(stderr, "cmp_peer: %s refused: %s\n", body_name(req), why);
	return OSSL_CMP_STATUSINFO_new(OSSL_CMP_PKISTATUS_rejection, 1 << failure, why);
}

static OSSL_CMP_PKISI *cert_request(OSSL_CMP_SRV_CTX *srv, const OSSL_CMP_MSG *req, int id,
                                    const OSSL_CRMF_MSG *crm, const X509_REQ *p10cr,
                                    X509 **cert_out, STACK_OF(X509) * *chain_out,
                                    STACK_OF(X509) * *ca_pubs)
{
	struct peer *P = OSSL_CMP_SRV_CTX_get0_custom_ctx(srv);
	char serial[80];
	(void)id, (void)chain_out, (void)ca_pubs;
	if (!crm || p10cr)
		return refuse(req, OSSL_CMP_PKIFAILUREINFO_badRequest, "only CRMF requests");
	OSSL_CRMF_CERTTEMPLATE *tmpl = OSSL_CRMF_MSG_get0_tmpl(crm);
	const X509_NAME *subject = OSSL_CRMF_CERTTEMPLATE_get0_subject(tmpl);
	time_t from = time(NULL), to = from + (time_t)DEFAULT_DAYS * DAY_S;
	EVP_PKEY *pub = template_read(tmpl, &from, &to);
	if (!pub || !subject || to <= from) {
		EVP_PKEY_free(pub);
		return refuse(req, OSSL_CMP_PKIFAILUREINFO_badCertTemplate,
		              "no public key, subject or validity in the template");
	}
	*cert_out = issue(P, pub, subject, from, to);
	EVP_PKEY_free(pub);
	if (!*cert_out)
		return refuse(req, OSSL_CMP_PKIFAILUREINFO_systemFailure, "cannot issue");
	serial_hex(X509_get0_serialNumber(*cert_out), serial, sizeof serial);
	fprintf(stderr, "cmp_peer: %s issued %s\n", body_name(req), serial);
	return OSSL_CMP_STATUSINFO_new(OSSL_CMP_PKISTATUS_accepted, 0, NULL);
}

static OSSL_CMP_PKISI *revocation(OSSL_CMP_SRV_CTX *srv, const OSSL_CMP_MSG *req,
                                  const X509_NAME *issuer, const ASN1_INTEGER *serial)
{
	struct peer *P = OSSL_CMP_SRV_CTX_get0_custom_ctx(srv);
	char hex[80];
	serial_hex(serial, hex, sizeof hex);
	if (X509_NAME_cmp(issuer, X509_get_subject_name(P->ca)) != 0)
		return refuse(req, OSSL_CMP_PKIFAILUREINFO_badCertId, "not our issuer");
	for (int k = 0; k < P->n_issued; k++)
		if (P->issued[k] && ASN1_INTEGER_cmp(P->issued[k], serial) == 0) {
			ASN1_INTEGER_free(P->issued[k]);
			P->issued[k] = NULL;
			fprintf(stderr, "cmp_peer: RR revoked %s\n", hex);
			return OSSL_CMP_STATUSINFO_new(OSSL_CMP_PKISTATUS_accepted, 0, NULL);
		}
	return refuse(req, OSSL_CMP_PKIFAILUREINFO_certRevoked, "not issued here or revoked");
}

static void error_note(OSSL_CMP_SRV_CTX *srv, const OSSL_CMP_MSG *req, const OSSL_CMP_PKISI *si,
                       const ASN1_INTEGER *code, const OSSL_CMP_PKIFREETEXT *details)
{
	(void)srv, (void)req, (void)si, (void)code, (void)details;
	fprintf(stderr, "cmp_peer: the client sent an error message\n");
}

static int cert_conf(OSSL_CMP_SRV_CTX *srv, const OSSL_CMP_MSG *req, int id,
                     const ASN1_OCTET_STRING *hash, const OSSL_CMP_PKISI *si)
{
	char status[200] = "accepted";
	(void)srv, (void)req, (void)id, (void)hash;
	if (si)
		OSSL_CMP_snprint_PKIStatusInfo(si, status, sizeof status);
	fprintf(stderr, "cmp_peer: certConf: %s\n", status);
	return 1;
}

static int quiet_log(const char *func, const char *file, int line, OSSL_CMP_severity level,
                     const char *msg)
{
	(void)func, (void)file, (void)line, (void)level, (void)msg;
	return 1;
}

/* Answers one HTTP request carrying a DER CMP message. */
static void answer(OSSL_CMP_SRV_CTX *srv, struct httpd_conn *c, const struct httpd_request *r)
{
	const unsigned char *p = (const unsigned char *)r->body;
	OSSL_CMP_MSG *req =
	    strcmp(r->method, "POST") == 0 ? d2i_OSSL_CMP_MSG(NULL, &p, (long)r->body_len) : NULL;
	OSSL_CMP_MSG *rsp = req ? OSSL_CMP_SRV_process_request(srv, req) : NULL;
	unsigned char *der = NULL;
	int n = rsp ? i2d_OSSL_CMP_MSG(rsp, &der) : -1;
	char head[256];
	int h = n > 0 ? snprintf(head, sizeof head,
	                         "HTTP/1.1 200 OK\r\nContent-Type: application/pkixcmp\r\n"
	                         "Content-Length: %d\r\nConnection: close\r\n\r\n",
	                         n)
	              : snprintf(head, sizeof head,
	                         "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
	                         "Connection: close\r\n\r\n");
	if (n <= 0)
		fprintf(stderr, "cmp_peer: no answer to a %s\n",
		        req ? body_name(req) : "bad request");
	if (write(c->fd, head, (size_t)h) != h || (n > 0 && write(c->fd, der, (size_t)n) != n))
		perror("cmp_peer: write");
	OPENSSL_free(der);
	OSSL_CMP_MSG_free(rsp);
	OSSL_CMP_MSG_free(req);
	ERR_clear_error();
}

static const char *arg(int argc, char **argv, const char *name)
{
	for (int k = 1; k + 1 < argc; k++)
		if (strcmp(argv[k], name) == 0)
			return argv[k + 1];
	return NULL;
}

int main(int argc, char **argv)
{
	const char *ca_cert = arg(argc, argv, "--ca-cert"), *ca_key = arg(argc, argv, "--ca-key");
	const char *ref = arg(argc, argv, "--ref"), *secret_file = arg(argc, argv, "--secret-file");
	const char *ports = arg(argc, argv, "--ports-file"), *port_arg = arg(argc, argv, "--port");
	struct peer P = {0};
	unsigned char secret[SECRET_MAX];
	if (!ca_cert || !ca_key || !ref || !secret_file || !ports) {
		fprintf(stderr, "usage: cmp_peer --ca-cert PEM --ca-key PEM --ref REF "
		                "--secret-file FILE --ports-file FILE [--port N]\n");
		return 2;
	}
	FILE *f = fopen(ca_cert, "r");
	P.ca = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	f = fopen(ca_key, "r");
	P.ca_key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	f = fopen(secret_file, "r");
	size_t n = f ? fread(secret, 1, sizeof secret, f) : 0;
	if (f)
		fclose(f);
	while (n > 0 && (secret[n - 1] == '\n' || secret[n - 1] == '\r'))
		n--;
	OSSL_CMP_SRV_CTX *srv = OSSL_CMP_SRV_CTX_new(NULL, NULL);
	OSSL_CMP_CTX *ctx = srv ? OSSL_CMP_SRV_CTX_get0_cmp_ctx(srv) : NULL;
	if (!P.ca || !P.ca_key || n == 0 || !ctx ||
	    !OSSL_CMP_SRV_CTX_init(srv, &P, cert_request, revocation, NULL, error_note, cert_conf,
	                           NULL) ||
	    !OSSL_CMP_SRV_CTX_set_accept_raverified(srv, 1) ||
	    !OSSL_CMP_CTX_set_log_cb(ctx, quiet_log) ||
	    !OSSL_CMP_CTX_set1_referenceValue(ctx, (const unsigned char *)ref, (int)strlen(ref)) ||
	    !OSSL_CMP_CTX_set1_secretValue(ctx, secret, (int)n)) {
		fprintf(stderr, "cmp_peer: cannot read the CA, its key or the secret\n");
		return 2;
	}
	OPENSSL_cleanse(secret, sizeof secret);
	signal(SIGPIPE, SIG_IGN);
	int port = port_arg ? atoi(port_arg) : 0;
	int lfd = httpd_listen(&port, "cmp_peer");
	f = fopen(ports, "w");
	if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0) {
		perror("cmp_peer: ports file");
		return 2;
	}
	static char buf[REQ_MAX];
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		struct timeval tv = {.tv_sec = 5};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		struct httpd_conn c = {.fd = fd};
		struct httpd_request r;
		if (httpd_read(&c, buf, sizeof buf, &r) == 0)
			answer(srv, &c, &r);
		close(fd);
	}
}
