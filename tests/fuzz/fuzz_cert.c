/* fuzz_cert.c — fuzz target for reading what a key holds: pki_cert_parse on arbitrary
 * bytes (DER parsing, validity times, issuer judged against our CA and the Jiangsu CA,
 * the subject's name and ID number). Beyond not crashing, it checks what triage relies
 * on: the name is valid UTF-8 cut at a character boundary, a subject called good holds a
 * valid USCC or ID number matching the holder kind, and a failure leaves nothing behind.
 * Seeds: the .der files in tests/fuzz/cert/, issued by the CA certificates beside them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "core/ident.h"
#include "pki/cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static X509 *load(const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", FUZZ_CERT_DIR, name);
	FILE *f = fopen(path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (!x) {
		fprintf(stderr, "fuzz_cert: cannot read %s\n", path);
		abort();
	}
	return x;
}

/* 1 when s is well-formed UTF-8 (no cut or stray continuation bytes). */
static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = *p < 0x80             ? 0
		        : (*p & 0xE0) == 0xC0 ? 1
		        : (*p & 0xF0) == 0xE0 ? 2
		        : (*p & 0xF8) == 0xF0 ? 3
		                              : -1;
		if (n < 0)
			return 0;
		p++;
		for (int k = 0; k < n; k++, p++)
			if ((*p & 0xC0) != 0x80)
				return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pki_trust trust;
	static const struct pki_cert_facts zero;
	if (!trust.ours) {
		trust.ours = load("ours.pem");
		trust.jsca = load("jsca.pem");
	}
	struct pki_cert_facts f;
	struct kerr err = {{0}};
	int rc = pki_cert_parse(data, size, &trust, &f, &err);
	if (rc != KR_OK) {
		if (rc != KR_CORRUPT || memcmp(&f, &zero, sizeof f) != 0)
			abort(); /* a failure is KR_CORRUPT and leaves no facts */
		return 0;
	}
	if (strnlen(f.subject_name, sizeof f.subject_name) == sizeof f.subject_name ||
	    strnlen(f.subject_id, sizeof f.subject_id) == sizeof f.subject_id ||
	    !utf8_valid(f.subject_name))
		abort();
	if (f.subject_ok &&
	    (!f.subject_name[0] ||
	     (f.holder == HOLDER_UNIT && ident_check_uscc(f.subject_id) != IDENT_OK) ||
	     (f.holder == HOLDER_PERSON && ident_check_id_number(f.subject_id) != IDENT_OK)))
		abort(); /* a subject called good that is not */
	if (f.issuer != ISSUER_OURS && f.issuer != ISSUER_JSCA && f.issuer != ISSUER_OTHER)
		abort();
	explicit_bzero(&f, sizeof f);
	return 0;
}
