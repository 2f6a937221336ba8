/* sign.c — the string to sign, SHA256withRSA over it, base64, and the request form. */
#include "pay/sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#define SIGN_MAX_PARAMS 32

static int present(const struct alipay_param *p)
{
	return p->value && p->value[0] && strcmp(p->key, "sign") != 0;
}

static int by_key(const void *a, const void *b)
{
	const struct alipay_param *const *x = a, *const *y = b;
	return strcmp((*x)->key, (*y)->key);
}

int alipay_sign_content(const struct alipay_param *params, int n, char *out, size_t size,
                        struct kerr *err)
{
	const struct alipay_param *sorted[SIGN_MAX_PARAMS];
	int m = 0;
	if (n > SIGN_MAX_PARAMS)
		return kerr_set(err, KR_INVALID, "more than %d request parameters",
		                SIGN_MAX_PARAMS);
	for (int i = 0; i < n; i++)
		if (present(&params[i]))
			sorted[m++] = &params[i];
	qsort(sorted, (size_t)m, sizeof sorted[0], by_key); /* NOLINT: an array of pointers */
	size_t used = 0;
	if (size)
		out[0] = '\0';
	for (int i = 0; i < m; i++) {
		int w = snprintf(out + used, size - used, "%s%s=%s", i ? "&" : "", sorted[i]->key,
		                 sorted[i]->value);
		if (w < 0 || (size_t)w >= size - used)
			return kerr_set(err, KR_INVALID, "request longer than %zu bytes", size);
		used += (size_t)w;
	}
	return KR_OK;
}

int alipay_sign_rsa2(EVP_PKEY *key, const char *data, size_t len, char *b64, size_t size,
                     struct kerr *err)
{
	unsigned char sig[768];
	size_t siglen = sizeof sig;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	         EVP_DigestSign(md, sig, &siglen, (const unsigned char *)data, len) == 1;
	EVP_MD_CTX_free(md);
	if (!ok) {
		ERR_clear_error();
		return kerr_set(err, KR_INVALID, "RSA2 signing failed (is the app key RSA?)");
	}
	if (size < 4 * ((siglen + 2) / 3) + 1)
		return kerr_set(err, KR_INVALID, "signature buffer too small");
	EVP_EncodeBlock((unsigned char *)b64, sig, (int)siglen);
	return KR_OK;
}

int alipay_verify_rsa2(EVP_PKEY *pub, const char *data, size_t len, const char *b64)
{
	unsigned char sig[ALIPAY_SIGN_B64_MAX];
	size_t blen = strlen(b64);
	if (!pub || blen == 0 || blen % 4 || blen >= sizeof sig)
		return 0;
	int n = EVP_DecodeBlock(sig, (const unsigned char *)b64, (int)blen);
	if (n < 0)
		return 0;
	/* EVP_DecodeBlock counts the padding as zero bytes */
	for (size_t i = blen; i > 0 && b64[i - 1] == '='; i--)
		n--;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) == 1 &&
	         EVP_DigestVerify(md, sig, (size_t)n, (const unsigned char *)data, len) == 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok;
}

/* Appends s URL-encoded (unreserved characters as they are, the rest %XX). */
static int url_append(char *out, size_t size, size_t *used, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		int plain = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		            (*c >= '0' && *c <= '9') || strchr("-_.~", *c);
		size_t need = plain ? 1 : 3;
		if (*used + need >= size)
			return KR_INVALID;
		if (plain) {
			out[(*used)++] = (char)*c;
		} else {
			out[(*used)++] = '%';
			out[(*used)++] = hex[*c >> 4];
			out[(*used)++] = hex[*c & 15];
		}
	}
	out[*used] = '\0';
	return KR_OK;
}

static int form_pair(char *out, size_t size, size_t *used, const char *key, const char *value)
{
	if (*used && *used + 1 < size)
		out[(*used)++] = '&';
	if (url_append(out, size, used, key) != KR_OK || *used + 1 >= size)
		return KR_INVALID;
	out[(*used)++] = '=';
	return url_append(out, size, used, value);
}

int alipay_form_encode(const struct alipay_param *params, int n, const char *sign, char *out,
                       size_t size, struct kerr *err)
{
	size_t used = 0;
	if (size)
		out[0] = '\0';
	for (int i = 0; i < n; i++)
		if (present(&params[i]) &&
		    form_pair(out, size, &used, params[i].key, params[i].value) != KR_OK)
			return kerr_set(err, KR_INVALID, "request form longer than %zu bytes",
			                size);
	if (form_pair(out, size, &used, "sign", sign) != KR_OK)
		return kerr_set(err, KR_INVALID, "request form longer than %zu bytes", size);
	return KR_OK;
}

static int key_load(const char *path, int private, EVP_PKEY **out, struct kerr *err)
{
	BIO *bio = BIO_new_file(path, "r");
	if (!bio)
		return kerr_set(err, KR_CONFIG, "%s: cannot read the key file", path);
	EVP_PKEY *key = private ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)
	                        : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		EVP_PKEY_free(key);
		return kerr_set(err, KR_CONFIG, "%s: not an RSA %s key in PEM", path,
		                private ? "private" : "public");
	}
	*out = key;
	return KR_OK;
}

int alipay_key_load_private(const char *path, EVP_PKEY **out, struct kerr *err)
{
	return key_load(path, 1, out, err);
}

int alipay_key_load_public(const char *path, EVP_PKEY **out, struct kerr *err)
{
	return key_load(path, 0, out, err);
}
