/* fuzz_seal.c — fuzz target for the seal on a user's key: seal_read and seal_check on
 * arbitrary bytes (DER of either version, the certList of either type, dates, picture,
 * extensions, the maker certificate, the signature). Beyond not crashing, it checks what
 * the check (检测) relies on: a failure is KR_CORRUPT and leaves no facts, the facts of a
 * seal are in range (format, bound certificates, text NUL-terminated, the picture inside
 * the input), seal_check gives the same facts and a verdict with a reason exactly when it
 * fails, and only a seal bound to the holder below, under the CA beside it, passes.
 * Seeds: the .der files in tests/fuzz/seal/, made by tests/unit/test_seal DIR (a unit seal, a
 * person seal bound by hash, an SM2 seal, a GM/T 0031 seal, one cut in half, garbage); the holder's
 * and the seal-making CA's certificates beside them (*.cert). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pki/seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW 1795262400 /* the seeds' clock (test_seal's NOW) */

static X509 *load(const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", FUZZ_SEAL_DIR, name);
	FILE *f = fopen(path, "rb");
	X509 *x = f ? d2i_X509_fp(f, NULL) : NULL;
	if (f)
		fclose(f);
	if (!x) {
		fprintf(stderr, "fuzz_seal: cannot read %s\n", path);
		abort();
	}
	return x;
}

static int terminated(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static X509 *holder;
	static STACK_OF(X509) * makers;
	static const struct seal_facts zero;
	if (!holder) {
		holder = load("holder.cert");
		makers = sk_X509_new_null();
		if (!makers || !sk_X509_push(makers, load("ca.cert")))
			abort();
	}
	struct seal_facts f, g;
	struct kerr err = {{0}};
	const char *reason = NULL;
	int rc = seal_read(data, size, &f, &err);
	int crc = seal_check(data, size, holder, makers, FUZZ_NOW, &g, &reason, &err);
	if (rc != KR_OK) {
		if (rc != KR_CORRUPT || memcmp(&f, &zero, sizeof f) != 0 || crc != KR_CORRUPT ||
		    !reason || strcmp(reason, "seal.malformed") != 0)
			abort(); /* a failure is KR_CORRUPT, leaves no facts, and is malformed */
		return 0;
	}
	if ((f.format != 4 && f.format != 1) || f.n_bound < 1 || f.n_bound > SEAL_MAX_CERTS ||
	    (f.bind != SEAL_BIND_CERT && f.bind != SEAL_BIND_DIGEST) || f.n_ext < 0 ||
	    f.n_ext > SEAL_MAX_EXT || f.ext_critical > f.n_ext ||
	    !terminated(f.vendor, sizeof f.vendor) || !terminated(f.esid, sizeof f.esid) ||
	    !terminated(f.name, sizeof f.name) ||
	    !terminated(f.picture_type, sizeof f.picture_type) ||
	    !terminated(f.maker_name, sizeof f.maker_name) || f.picture_off > size ||
	    f.picture_len > size - f.picture_off)
		abort(); /* facts out of range */
	if (memcmp(&f, &g, sizeof f) != 0 || (crc == KR_OK) != (reason == NULL) ||
	    (crc != KR_OK && crc != KR_INVALID) || (reason && strncmp(reason, "seal.", 5) != 0))
		abort(); /* seal_check disagrees with seal_read, or gives no clear verdict */
	return 0;
}
