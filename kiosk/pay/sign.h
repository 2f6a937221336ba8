/* sign.h — RSA2 (SHA256withRSA) signing of Alipay gateway requests and verification of
 * its answers, and the URL-encoded form a request travels in (ref/alipay.md §2).
 *
 * Owns nothing: keys are OpenSSL EVP_PKEYs loaded here and freed by the caller. */
#ifndef KIOSK_PAY_SIGN_H
#define KIOSK_PAY_SIGN_H

#include <stddef.h>

#include <openssl/evp.h>

#include "core/result.h"

/* One request parameter; both strings borrowed. An empty or NULL value is not sent. */
struct alipay_param {
	const char *key;
	const char *value;
};

#define ALIPAY_SIGN_B64_MAX 1024 /* base64 of an RSA signature up to 6144 bits, with NUL */

/* Writes the string to sign into out: every parameter but `sign` with a non-empty value,
 * sorted by key in ascending byte order, joined as key=value with '&', values raw.
 * KR_INVALID when it does not fit in size bytes or there are more than 32 parameters. */
int alipay_sign_content(const struct alipay_param *params, int n, char *out, size_t size,
                        struct kerr *err);

/* Signs len bytes of data with SHA256withRSA (PKCS#1 v1.5) and writes standard base64
 * without line breaks into b64 (ALIPAY_SIGN_B64_MAX bytes). key is borrowed. */
int alipay_sign_rsa2(EVP_PKEY *key, const char *data, size_t len, char *b64, size_t size,
                     struct kerr *err);

/* Whether b64 is a valid SHA256withRSA signature of data by pub: 1 yes, 0 no (also for
 * malformed base64). pub is borrowed. */
int alipay_verify_rsa2(EVP_PKEY *pub, const char *data, size_t len, const char *b64);

/* Writes the form body: every parameter with a non-empty value, and sign, each as
 * key=value URL-encoded in UTF-8, joined with '&'. KR_INVALID when it does not fit. */
int alipay_form_encode(const struct alipay_param *params, int n, const char *sign, char *out,
                       size_t size, struct kerr *err);

/* Loads a private key (PEM, PKCS#1 or PKCS#8) or a public key (PEM SubjectPublicKeyInfo)
 * from path into *out, the caller's to EVP_PKEY_free. The key itself is never printed. */
int alipay_key_load_private(const char *path, EVP_PKEY **out, struct kerr *err);
int alipay_key_load_public(const char *path, EVP_PKEY **out, struct kerr *err);

#endif
