/* staff_pin.c — PBKDF2-HMAC-SHA256 hashes of the staff PIN (OpenSSL), checked in
 * constant time; intermediate secrets are cleansed. */
#include "staff/staff_pin.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIN_HASH_LEN 32
#define SALT_MAX     64
#define ITER_MIN     1000
#define ITER_MAX     10000000

/* Decodes n hex characters at s into out (n / 2 bytes). Returns 0 or -1. */
static int unhex(const char *s, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i], d = c >= '0' && c <= '9'   ? c - '0'
		                                 : c >= 'a' && c <= 'f' ? c - 'a' + 10
		                                 : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                                                        : -1;
		if (d < 0)
			return -1;
		if (i % 2 == 0)
			out[i / 2] = (unsigned char)(d << 4);
		else
			out[i / 2] |= (unsigned char)d;
	}
	return 0;
}

struct parsed {
	int iter;
	unsigned char salt[SALT_MAX];
	size_t salt_len;
	unsigned char hash[PIN_HASH_LEN];
};

static int parse(const char *stored, struct parsed *p)
{
	static const char prefix[] = "pbkdf2-sha256$";
	if (!stored || strncmp(stored, prefix, sizeof prefix - 1) != 0 ||
	    strlen(stored) > STAFF_PIN_HASH_MAX)
		return -1;
	const char *s = stored + sizeof prefix - 1;
	char *end;
	long iter = strtol(s, &end, 10);
	if (end == s || *end != '$' || iter < ITER_MIN || iter > ITER_MAX)
		return -1;
	const char *salt = end + 1, *dollar = strchr(salt, '$');
	if (!dollar)
		return -1;
	size_t salt_hex = (size_t)(dollar - salt), hash_hex = strlen(dollar + 1);
	if (salt_hex % 2 || salt_hex < 16 || salt_hex > 2 * SALT_MAX ||
	    hash_hex != 2 * PIN_HASH_LEN)
		return -1;
	if (unhex(salt, salt_hex, p->salt) || unhex(dollar + 1, hash_hex, p->hash))
		return -1;
	p->iter = (int)iter;
	p->salt_len = salt_hex / 2;
	return 0;
}

int staff_pin_hash_ok(const char *stored)
{
	struct parsed p;
	return parse(stored, &p) == 0;
}

int staff_pin_verify(const char *stored, const char *pin)
{
	struct parsed p;
	unsigned char got[PIN_HASH_LEN];
	if (!pin || parse(stored, &p) != 0)
		return 0;
	int ok = PKCS5_PBKDF2_HMAC(pin, (int)strlen(pin), p.salt, (int)p.salt_len, p.iter,
	                           EVP_sha256(), sizeof got, got) == 1 &&
	         CRYPTO_memcmp(got, p.hash, sizeof got) == 0;
	OPENSSL_cleanse(got, sizeof got);
	OPENSSL_cleanse(&p, sizeof p);
	return ok;
}

int staff_pin_hash(const char *pin, const char *salt_hex, int iter, char *out, size_t size,
                   struct kerr *err)
{
	unsigned char salt[SALT_MAX], hash[PIN_HASH_LEN];
	size_t n = strlen(salt_hex);
	if (n % 2 || n < 16 || n > 2 * SALT_MAX || unhex(salt_hex, n, salt) || iter < ITER_MIN ||
	    iter > ITER_MAX)
		return kerr_set(err, KR_INVALID,
		                "staff PIN hash: salt 8..64 bytes in hex, %d..%d "
		                "iterations",
		                ITER_MIN, ITER_MAX);
	if (PKCS5_PBKDF2_HMAC(pin, (int)strlen(pin), salt, (int)(n / 2), iter, EVP_sha256(),
	                      sizeof hash, hash) != 1)
		return kerr_set(err, KR_INVALID, "staff PIN hash: PBKDF2 failed");
	int len = snprintf(out, size, "pbkdf2-sha256$%d$%s$", iter, salt_hex);
	for (size_t i = 0; len > 0 && i < sizeof hash && (size_t)len + 2 < size; i++)
		len += snprintf(out + len, size - (size_t)len, "%02x", hash[i]);
	OPENSSL_cleanse(hash, sizeof hash);
	if (len < 0 || (size_t)len != strlen("pbkdf2-sha256$$$") +
	                                  (size_t)snprintf(NULL, 0, "%d", iter) + n +
	                                  2 * PIN_HASH_LEN)
		return kerr_set(err, KR_INVALID, "staff PIN hash: output buffer too small");
	return KR_OK;
}
