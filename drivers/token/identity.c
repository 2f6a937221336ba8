/* identity.c — the identity key on the secure module as an EVP_PKEY: an EC_KEY with
 * the public half from the certificate and an EC_KEY_METHOD whose ECDSA signature is
 * C_Sign(CKM_ECDSA) on a session of the identity's own, checked and, when lost, made
 * again under the driver's module lock. Owns that session, the method and the key. */
#define OPENSSL_SUPPRESS_DEPRECATED /* EC_KEY_METHOD: OpenSSL 3.0's way to a token key */
#include "drivers/token/identity.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "drivers/token/token.h"
#include "drivers/token/token_module.h"

#define IDENTITY_PIN_MAX   64
#define IDENTITY_SLOTS_MAX 64
#define IDENTITY_SIG_MAX   132 /* r || s of P-521 */

/* What the URI names (blank: any). */
struct p11uri {
	char token[33], serial[17], manufacturer[33], model[17], object[65];
	unsigned char id[TOKEN_ID_MAX];
	size_t id_len; /* 0: no id= */
};

struct token_identity {
	struct token_module *mod;
	CK_FUNCTION_LIST_PTR f;
	struct p11uri uri;
	char pin_file[4096];
	CK_SESSION_HANDLE session;
	int has_session;
	struct stat refused; /* the PIN file when its PIN was refused (st_size -1: none) */
	EC_KEY_METHOD *method;
	EVP_PKEY *pkey;
	int failed; /* a signature failed; why */
	struct kerr why;
};

static pthread_once_t ec_index_once = PTHREAD_ONCE_INIT;
static int ec_index = -1;

static void ec_index_init(void)
{
	ec_index = EC_KEY_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* Percent-decodes in[0..n) into out (size); the length or -1 when malformed or long. */
static long pct_decode(const char *in, size_t n, unsigned char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *hi, *lo;
		if (k == size)
			return -1;
		if (in[i] != '%') {
			out[k++] = (unsigned char)in[i];
		} else if (i + 2 < n && isxdigit((unsigned char)in[i + 1]) &&
		           isxdigit((unsigned char)in[i + 2]) &&
		           (hi = strchr(hex, tolower((unsigned char)in[i + 1]))) &&
		           (lo = strchr(hex, tolower((unsigned char)in[i + 2])))) {
			out[k++] = (unsigned char)((hi - hex) << 4 | (lo - hex));
			i += 2;
		} else {
			return -1;
		}
	}
	return (long)k;
}

/* A text attribute into out (size, NUL-terminated). */
static int text_attr(const char *v, size_t n, char *out, size_t size)
{
	long len = pct_decode(v, n, (unsigned char *)out, size - 1);
	if (len < 0 || memchr(out, '\0', (size_t)len))
		return -1;
	out[len] = '\0';
	return 0;
}

/* Parses an RFC 7512 URI naming a private key. A PIN in it is refused. */
static int uri_parse(const char *uri, struct p11uri *u, struct kerr *err)
{
	memset(u, 0, sizeof *u);
	if (strncmp(uri, "pkcs11:", 7) != 0)
		return kerr_set(err, KR_CONFIG, "'%.80s' is not a pkcs11: URI", uri);
	if (strstr(uri, "pin-value") || strstr(uri, "pin-source"))
		return kerr_set(err, KR_CONFIG,
		                "no PIN in the URI (it comes from [keys] secure_pin_file)");
	const char *p = uri + 7, *end = p + strcspn(p, "?"); /* a query names no key */
	while (p < end) {
		size_t len = strcspn(p, ";");
		if (p + len > end)
			len = (size_t)(end - p);
		const char *eq = memchr(p, '=', len);
		size_t nlen = eq ? (size_t)(eq - p) : len;
		const char *v = eq ? eq + 1 : p + len;
		size_t vlen = (size_t)(p + len - v);
		int bad = !eq;
#define IS(name) (nlen == strlen(name) && strncmp(p, name, nlen) == 0)
		if (bad) {
		} else if (IS("token")) {
			bad = text_attr(v, vlen, u->token, sizeof u->token);
		} else if (IS("serial")) {
			bad = text_attr(v, vlen, u->serial, sizeof u->serial);
		} else if (IS("manufacturer")) {
			bad = text_attr(v, vlen, u->manufacturer, sizeof u->manufacturer);
		} else if (IS("model")) {
			bad = text_attr(v, vlen, u->model, sizeof u->model);
		} else if (IS("object")) {
			bad = text_attr(v, vlen, u->object, sizeof u->object);
		} else if (IS("id")) {
			long n = pct_decode(v, vlen, u->id, sizeof u->id);
			bad = n <= 0;
			u->id_len = n > 0 ? (size_t)n : 0;
		} else if (IS("type")) {
			bad = vlen != 7 || strncmp(v, "private", 7) != 0;
		} else if (!IS("library-description") && !IS("library-manufacturer") &&
		           !IS("library-version") && !IS("slot-description") && !IS("slot-id") &&
		           !IS("slot-manufacturer")) {
			bad = 1;
		}
#undef IS
		if (bad)
			return kerr_set(err, KR_CONFIG, "'%.*s' in the URI is not understood",
			                (int)(len > 60 ? 60 : len), p);
		p += len + (p + len < end);
	}
	if (!u->object[0] && !u->id_len)
		return kerr_set(err, KR_CONFIG, "'%.80s' names no object= or id=", uri);
	return KR_OK;
}

static int fail_rv(struct kerr *err, const char *what, CK_RV rv)
{
	return kerr_set(err, KR_IO, "%s: %s (0x%lx)", what, token_rv_name(rv), (unsigned long)rv);
}

/* The slot holding the token the URI names. */
static int slot_find(struct token_identity *id, CK_SLOT_ID *slot, struct kerr *err)
{
	CK_SLOT_ID list[IDENTITY_SLOTS_MAX];
	CK_ULONG n = IDENTITY_SLOTS_MAX;
	CK_RV rv = id->f->C_GetSlotList(CK_TRUE, list, &n);
	if (rv != CKR_OK)
		return fail_rv(err, "C_GetSlotList", rv);
	for (CK_ULONG k = 0; k < n; k++) {
		CK_TOKEN_INFO ti;
		char label[33], serial[17], manufacturer[33], model[17];
		if (id->f->C_GetTokenInfo(list[k], &ti) != CKR_OK)
			continue;
		token_trim_copy(label, sizeof label, (const char *)ti.label, sizeof ti.label);
		token_trim_copy(serial, sizeof serial, (const char *)ti.serialNumber,
		                sizeof ti.serialNumber);
		token_trim_copy(manufacturer, sizeof manufacturer, (const char *)ti.manufacturerID,
		                sizeof ti.manufacturerID);
		token_trim_copy(model, sizeof model, (const char *)ti.model, sizeof ti.model);
		const struct p11uri *u = &id->uri;
		if ((!u->token[0] || !strcmp(u->token, label)) &&
		    (!u->serial[0] || !strcmp(u->serial, serial)) &&
		    (!u->manufacturer[0] || !strcmp(u->manufacturer, manufacturer)) &&
		    (!u->model[0] || !strcmp(u->model, model))) {
			*slot = list[k];
			return KR_OK;
		}
	}
	return kerr_set(err, KR_NOT_FOUND, "the secure module%s%s is not present",
	                id->uri.token[0] ? " " : "", id->uri.token);
}

static void session_drop(struct token_identity *id)
{
	if (id->has_session)
		id->f->C_CloseSession(id->session); /* may be gone already */
	id->has_session = 0;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Logs the module in with the PIN from the file. A refused PIN is not tried again until
 * the file changes: the module counts wrong PINs and locks. */
static int login(struct token_identity *id, struct kerr *err)
{
	char pin[IDENTITY_PIN_MAX];
	struct stat st;
	FILE *f = fopen(id->pin_file, "r");
	if (!f || fstat(fileno(f), &st) != 0) {
		if (f)
			fclose(f);
		return kerr_set(err, KR_CONFIG, "cannot read the PIN file %s", id->pin_file);
	}
	if (id->refused.st_size >= 0 && same_file(&st, &id->refused)) {
		fclose(f);
		return kerr_set(err, KR_CONFLICT,
		                "the PIN in %s was refused; not tried again until the file changes",
		                id->pin_file);
	}
	size_t n = fread(pin, 1, sizeof pin - 1, f);
	fclose(f);
	pin[n] = '\0';
	pin[strcspn(pin, "\r\n")] = '\0';
	CK_RV rv = id->f->C_Login(id->session, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
	OPENSSL_cleanse(pin, sizeof pin);
	if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
		return KR_OK;
	if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED || rv == CKR_PIN_INVALID ||
	    rv == CKR_PIN_LEN_RANGE || rv == CKR_PIN_EXPIRED) {
		id->refused = st;
		return kerr_set(err, KR_CONFLICT, "C_Login: %s (0x%lx), the PIN from %s",
		                token_rv_name(rv), (unsigned long)rv, id->pin_file);
	}
	return fail_rv(err, "C_Login", rv);
}

/* The identity's session, logged in, and the key's handle in it (module lock held). */
static int ready(struct token_identity *id, CK_OBJECT_HANDLE *key, struct kerr *err)
{
	CK_SESSION_INFO si;
	CK_RV rv = CKR_OK;
	if (id->has_session && id->f->C_GetSessionInfo(id->session, &si) != CKR_OK)
		session_drop(id); /* closed under it: a slot released, the token pulled */
	if (!id->has_session) {
		CK_SLOT_ID slot = 0;
		int rc = slot_find(id, &slot, err);
		if (rc != KR_OK)
			return rc;
		rv = id->f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &id->session);
		if (rv != CKR_OK)
			return fail_rv(err, "C_OpenSession", rv);
		id->has_session = 1;
		if ((rv = id->f->C_GetSessionInfo(id->session, &si)) != CKR_OK)
			return fail_rv(err, "C_GetSessionInfo", rv);
	}
	if (si.state != CKS_RO_USER_FUNCTIONS && si.state != CKS_RW_USER_FUNCTIONS) {
		int rc = login(id, err); /* logged out under it, or a new session */
		if (rc != KR_OK)
			return rc;
	}
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[3] = {{CKA_CLASS, &cls, sizeof cls}};
	CK_ULONG nt = 1, found = 0;
	if (id->uri.object[0])
		t[nt++] = (CK_ATTRIBUTE){CKA_LABEL, id->uri.object, strlen(id->uri.object)};
	if (id->uri.id_len)
		t[nt++] = (CK_ATTRIBUTE){CKA_ID, id->uri.id, id->uri.id_len};
	rv = id->f->C_FindObjectsInit(id->session, t, nt);
	if (rv == CKR_OK) {
		rv = id->f->C_FindObjects(id->session, key, 1, &found);
		id->f->C_FindObjectsFinal(id->session);
	}
	if (rv != CKR_OK)
		return fail_rv(err, "C_FindObjects", rv);
	if (found == 0)
		return kerr_set(err, KR_NOT_FOUND, "no such private key on the secure module");
	return KR_OK;
}

/* Signs the digest in[0..inlen) with CKM_ECDSA: r || s into out (size), its length in
 * *outlen. Once more from a new session when the first try fails (not for a refused PIN).
 * A failure is kept for token_identity_failure. */
static int sign(struct token_identity *id, const unsigned char *in, size_t inlen,
                unsigned char *out, size_t size, size_t *outlen)
{
	struct kerr err = {{0}};
	int rc = KR_IO;
	token_module_lock();
	for (int attempt = 0; attempt < 2 && rc != KR_OK && rc != KR_CONFLICT; attempt++) {
		CK_OBJECT_HANDLE key;
		CK_MECHANISM m = {CKM_ECDSA, NULL, 0};
		CK_ULONG n = size;
		rc = ready(id, &key, &err);
		CK_RV rv = rc == KR_OK ? id->f->C_SignInit(id->session, &m, key) : CKR_OK;
		if (rc == KR_OK && rv == CKR_OK)
			rv = id->f->C_Sign(id->session, (CK_BYTE_PTR)in, inlen, out, &n);
		if (rc == KR_OK && rv != CKR_OK)
			rc = fail_rv(&err, "C_Sign", rv);
		if (rc == KR_OK)
			*outlen = n;
		else
			session_drop(id);
	}
	if (rc != KR_OK) {
		id->failed = 1;
		id->why = err;
	}
	token_module_unlock();
	return rc;
}

static ECDSA_SIG *ec_sign_sig(const unsigned char *dgst, int dlen, const BIGNUM *kinv,
                              const BIGNUM *r, EC_KEY *ec)
{
	struct token_identity *id = EC_KEY_get_ex_data(ec, ec_index);
	unsigned char sig[IDENTITY_SIG_MAX];
	size_t n = 0;
	(void)kinv, (void)r;
	if (!id || dlen < 0 || sign(id, dgst, (size_t)dlen, sig, sizeof sig, &n) != KR_OK ||
	    n == 0 || n % 2)
		return NULL;
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *br = BN_bin2bn(sig, (int)(n / 2), NULL),
	       *bs = BN_bin2bn(sig + n / 2, (int)(n / 2), NULL);
	if (!s || !br || !bs || ECDSA_SIG_set0(s, br, bs) != 1) {
		ECDSA_SIG_free(s);
		BN_free(br);
		BN_free(bs);
		return NULL;
	}
	return s;
}

int token_identity_open(const char *module, const char *uri, const char *pin_file, EVP_PKEY *pub,
                        struct token_identity **out, struct kerr *err)
{
	struct p11uri u;
	int rc = uri_parse(uri, &u, err);
	if (rc != KR_OK)
		return rc;
	const EC_KEY *pub_ec = pub ? EVP_PKEY_get0_EC_KEY(pub) : NULL;
	ERR_clear_error();
	if (!pub_ec)
		return kerr_set(err, KR_CONFIG, "the identity key must be an EC key");
	if (!pin_file || !*pin_file ||
	    strlen(pin_file) >= sizeof((struct token_identity *)0)->pin_file)
		return kerr_set(err, KR_CONFIG, "no PIN file for the secure module");
	pthread_once(&ec_index_once, ec_index_init);
	struct token_identity *id = calloc(1, sizeof *id);
	if (!id)
		return kerr_set(err, KR_NOMEM, "out of memory");
	id->uri = u;
	id->refused.st_size = -1;
	snprintf(id->pin_file, sizeof id->pin_file, "%s", pin_file);
	int (*def_sign)(int, const unsigned char *, int, unsigned char *, unsigned int *,
	                const BIGNUM *, const BIGNUM *, EC_KEY *) = NULL;
	EC_KEY *ec = NULL;
	if ((rc = token_module_acquire(module, &id->mod, err)) != KR_OK) {
		free(id);
		return rc;
	}
	id->f = token_module_functions(id->mod);
	id->method = EC_KEY_METHOD_new(EC_KEY_OpenSSL());
	if (id->method) {
		EC_KEY_METHOD_get_sign(EC_KEY_OpenSSL(), &def_sign, NULL, NULL);
		EC_KEY_METHOD_set_sign(id->method, def_sign, NULL, ec_sign_sig);
		ec = EC_KEY_dup(pub_ec);
	}
	if (!ec || !(id->pkey = EVP_PKEY_new()) || EC_KEY_set_method(ec, id->method) != 1 ||
	    EC_KEY_set_ex_data(ec, ec_index, id) != 1 ||
	    EVP_PKEY_assign_EC_KEY(id->pkey, ec) != 1) {
		EC_KEY_free(ec);
		token_identity_close(id);
		ERR_clear_error();
		return kerr_set(err, KR_NOMEM, "cannot set up the identity key");
	}
	ERR_clear_error();
	*out = id;
	return KR_OK;
}

void token_identity_close(struct token_identity *id)
{
	if (!id)
		return;
	token_module_lock();
	session_drop(id);
	token_module_unlock();
	EVP_PKEY_free(id->pkey);
	EC_KEY_METHOD_free(id->method);
	token_module_release(id->mod);
	free(id);
}

EVP_PKEY *token_identity_pkey(struct token_identity *id)
{
	return id->pkey;
}

int token_identity_check(struct token_identity *id, struct kerr *err)
{
	CK_OBJECT_HANDLE key;
	token_module_lock();
	int rc = ready(id, &key, err);
	if (rc != KR_OK)
		session_drop(id);
	token_module_unlock();
	return rc;
}

int token_identity_failure(struct token_identity *id, struct kerr *err)
{
	token_module_lock();
	int failed = id->failed;
	if (failed)
		*err = id->why;
	id->failed = 0;
	token_module_unlock();
	return failed;
}
