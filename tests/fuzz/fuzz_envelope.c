/* fuzz_envelope.c — fuzz target for the envelope of an encryption key (drivers/token/
 * envelope.c): envelope_read on arbitrary bytes (strict DER, the version and scheme, the
 * encryption key's SubjectPublicKeyInfo, the bounds of the key encryption and the
 * wrapped key, an ephemeral point on the curve). Beyond not crashing, it checks what
 * envelope_open relies on: a failure is KR_CORRUPT with a reason and gives no scheme and
 * no key; a success gives a scheme we know and a key we deliver (RSA of 2048 to 4096
 * bits or EC P-256), never for more than ENVELOPE_MAX_DER bytes, and reading it again
 * gives the same. Seeds: the .der files in tests/fuzz/envelope/, written by
 * tests/keys/test_envelope DIR (RSA and EC schemes with RSA and EC encryption keys, one
 * with another public key, two cut short, garbage). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/token/envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char sentinel; /* stands for a key left behind by a failure */
	struct kerr err = {{0}};
	enum envelope_scheme scheme, again;
	EVP_PKEY *pub = (EVP_PKEY *)&sentinel, *pub2 = NULL;
	int rc = envelope_read(data, size, &scheme, &pub, &err);
	if (rc != KR_OK) {
		if (rc != KR_CORRUPT || pub != NULL || scheme != 0 ||
		    strncmp(err.msg, "envelope refused: ", 18) != 0)
			abort(); /* a failure is KR_CORRUPT, with a reason, and gives nothing */
		return 0;
	}
	if (!pub || size > ENVELOPE_MAX_DER ||
	    (scheme != ENVELOPE_RSA_OAEP && scheme != ENVELOPE_ECDH_P256))
		abort(); /* an envelope out of bounds */
	int bits = EVP_PKEY_get_bits(pub);
	if (EVP_PKEY_is_a(pub, "RSA") ? bits < 2048 || bits > 4096
	                              : !EVP_PKEY_is_a(pub, "EC") || bits != 256)
		abort(); /* a key we do not deliver */
	if (envelope_read(data, size, &again, &pub2, &err) != KR_OK || again != scheme ||
	    EVP_PKEY_eq(pub, pub2) != 1)
		abort(); /* reading is not a function of the bytes */
	EVP_PKEY_free(pub);
	EVP_PKEY_free(pub2);
	return 0;
}
