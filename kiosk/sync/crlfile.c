/* crlfile.c — the local issuer's CRL file read for the central site (OpenSSL). */
#include "sync/crlfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* The CRL in data: DER that fills it exactly, or the first PEM CRL block. NULL otherwise. */
static X509_CRL *decode(const unsigned char *data, size_t size, int pem)
{
	X509_CRL *crl = NULL;
	if (pem) {
		BIO *b = size <= INT32_MAX ? BIO_new_mem_buf(data, (int)size) : NULL;
		crl = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
		BIO_free(b);
		return crl;
	}
	const unsigned char *p = data;
	crl = size <= INT32_MAX ? d2i_X509_CRL(NULL, &p, (long)size) : NULL;
	if (crl && p != data + size) {
		X509_CRL_free(crl);
		crl = NULL;
	}
	return crl;
}

/* crl's crlNumber into *number; a reason why not into err. */
static int number_of(X509_CRL *crl, int64_t *number, struct kerr *err)
{
	int crit = 0;
	ASN1_INTEGER *n = X509_CRL_get_ext_d2i(crl, NID_crl_number, &crit, NULL);
	int64_t v = 0;
	int rc = KR_OK;
	if (!n)
		rc = kerr_set(err, KR_CORRUPT,
		              crit == -2 ? "more than one crlNumber" : "no crlNumber");
	else if (ASN1_INTEGER_get_int64(&v, n) != 1)
		rc = kerr_set(err, KR_CORRUPT, "a crlNumber beyond 2^63-1");
	else if (v < 0)
		rc = kerr_set(err, KR_CORRUPT, "a negative crlNumber");
	ASN1_INTEGER_free(n);
	*number = v;
	return rc;
}

int crlfile_parse(const unsigned char *data, size_t size, struct crlfile *out, struct kerr *err)
{
	memset(out, 0, sizeof *out);
	int pem = size && data[0] != 0x30; /* DER starts with a SEQUENCE; PEM may have text first */
	X509_CRL *crl = decode(data, size, pem);
	int rc = crl ? number_of(crl, &out->number, err)
	         : pem
	             ? kerr_set(err, KR_CORRUPT, "not a CRL: neither DER nor a PEM X509 CRL block")
	             : kerr_set(err, KR_CORRUPT,
	                        "not a DER CRL: damaged, cut short or with bytes after it");
	if (rc == KR_OK && pem) {
		int len = i2d_X509_CRL(crl, &out->der); /* the signed encoding, kept by OpenSSL */
		if (len > 0)
			out->len = (size_t)len;
		else
			rc = kerr_set(err, KR_NOMEM, "cannot encode the CRL as DER");
	} else if (rc == KR_OK) {
		if ((out->der = OPENSSL_malloc(size)))
			memcpy(out->der, data, out->len = size);
		else
			rc = kerr_set(err, KR_NOMEM, "out of memory");
	}
	X509_CRL_free(crl);
	ERR_clear_error();
	if (rc != KR_OK)
		crlfile_free(out);
	return rc;
}

int crlfile_read(const char *path, struct crlfile *out, struct kerr *err)
{
	memset(out, 0, sizeof *out);
	FILE *f = fopen(path, "rb");
	if (!f)
		return kerr_set(err, errno == ENOENT ? KR_NOT_FOUND : KR_IO, "%s: %s", path,
		                strerror(errno));
	struct stat st;
	unsigned char *data = NULL;
	size_t n = 0;
	int rc = KR_OK;
	if (fstat(fileno(f), &st) != 0)
		rc = kerr_set(err, KR_IO, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = kerr_set(err, KR_INVALID, "%s: not a regular file", path);
	else if (st.st_size > CRLFILE_MAX)
		rc = kerr_set(err, KR_INVALID, "%s: larger than %d bytes", path, CRLFILE_MAX);
	else if (!(data = malloc((size_t)st.st_size + 1)))
		rc = kerr_set(err, KR_NOMEM, "%s: out of memory", path);
	/* one byte more than it said: a file that grew meanwhile is not cut short */
	if (rc == KR_OK &&
	    ((n = fread(data, 1, (size_t)st.st_size + 1, f)) > (size_t)st.st_size || ferror(f)))
		rc = kerr_set(err, KR_IO, "%s: %s while read", path,
		              ferror(f) ? "a read error" : "changed");
	fclose(f);
	if (rc == KR_OK && n == 0)
		rc = kerr_set(err, KR_CORRUPT, "%s: empty", path);
	if (rc == KR_OK) {
		struct kerr why = {{0}};
		rc = crlfile_parse(data, n, out, &why);
		if (rc != KR_OK)
			kerr_set(err, rc, "%s: %s", path, why.msg);
	}
	free(data);
	return rc;
}

void crlfile_free(struct crlfile *c)
{
	if (!c)
		return;
	OPENSSL_free(c->der);
	memset(c, 0, sizeof *c);
}
