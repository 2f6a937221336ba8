/* token.c — PKCS#11 through libp11 0.4.12 and, where it falls short, the module's raw
 * function list. Owns the process's modules (token_module.h) and each context's slot
 * array. */
#include "drivers/token/token.h"

#include <dlfcn.h>
#include <libp11.h>
#include <openssl/err.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#include "drivers/token/token_module.h"

struct token_module {
	PKCS11_CTX *ctx;
	CK_FUNCTION_LIST_PTR raw; /* tells modules apart, whatever path loaded them */
	int refs;
	struct token_module *next;
};

static pthread_once_t module_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t module_mu; /* recursive */
static struct token_module *modules;

static void module_lock_init(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&module_mu, &a);
	pthread_mutexattr_destroy(&a);
}

void token_module_lock(void)
{
	pthread_once(&module_once, module_lock_init);
	pthread_mutex_lock(&module_mu);
}

void token_module_unlock(void)
{
	pthread_mutex_unlock(&module_mu);
}

/* The raw function list of path when it is loaded in the process already, else NULL. */
static CK_FUNCTION_LIST_PTR loaded_functions(const char *path)
{
	CK_FUNCTION_LIST_PTR raw = NULL;
	void *lib = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	CK_C_GetFunctionList get =
	    lib ? (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList") : NULL;
	if (get && get(&raw) != CKR_OK)
		raw = NULL;
	if (lib)
		dlclose(lib); /* libp11 holds its own reference */
	return raw;
}

int token_module_acquire(const char *path, struct token_module **out, struct kerr *err)
{
	token_module_lock();
	CK_FUNCTION_LIST_PTR raw = loaded_functions(path);
	struct token_module *m = modules;
	while (m && (!raw || m->raw != raw))
		m = m->next;
	if (!m && (m = calloc(1, sizeof *m))) {
		ERR_load_PKCS11_strings();
		m->ctx = PKCS11_CTX_new();
		int loaded = m->ctx && PKCS11_CTX_load(m->ctx, path) == 0;
		if (loaded)
			m->raw = loaded_functions(path);
		if (!m->raw) {
			if (loaded)
				PKCS11_CTX_unload(m->ctx);
			if (m->ctx)
				PKCS11_CTX_free(m->ctx);
			free(m);
			m = NULL;
		} else {
			m->next = modules;
			modules = m;
		}
	}
	if (m)
		m->refs++;
	token_module_unlock();
	ERR_clear_error();
	*out = m;
	return m ? KR_OK : kerr_set(err, KR_IO, "cannot load PKCS#11 module '%s'", path);
}

void token_module_release(struct token_module *m)
{
	if (!m)
		return;
	token_module_lock();
	if (--m->refs == 0) {
		struct token_module **p = &modules;
		while (*p != m)
			p = &(*p)->next;
		*p = m->next;
		PKCS11_CTX_unload(m->ctx); /* C_Finalize: no user is left */
		PKCS11_CTX_free(m->ctx);
		free(m);
	}
	token_module_unlock();
}

PKCS11_CTX *token_module_ctx(const struct token_module *m)
{
	return m->ctx;
}

CK_FUNCTION_LIST_PTR token_module_functions(const struct token_module *m)
{
	return m->raw;
}

struct token_ctx {
	struct token_module *mod;
	PKCS11_CTX *ctx;
	PKCS11_SLOT *slots;
	unsigned int nslots;
	PKCS11_SLOT *tok[64]; /* slots holding a token, in enumeration order */
	int ntok;
	CK_FUNCTION_LIST_PTR raw;
	unsigned long last_rv;
};

static const struct {
	CK_RV rv;
	const char *name;
} rv_names[] = {
    {CKR_OK, "CKR_OK"},
    {CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR"},
    {CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED"},
    {CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD"},
    {CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE"},
    {CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID"},
    {CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID"},
    {CKR_ENCRYPTED_DATA_INVALID, "CKR_ENCRYPTED_DATA_INVALID"},
    {CKR_ENCRYPTED_DATA_LEN_RANGE, "CKR_ENCRYPTED_DATA_LEN_RANGE"},
    {CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR"},
    {CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED"},
    {CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID"},
    {CKR_KEY_SIZE_RANGE, "CKR_KEY_SIZE_RANGE"},
    {CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT"},
    {CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED"},
    {CKR_KEY_NOT_WRAPPABLE, "CKR_KEY_NOT_WRAPPABLE"},
    {CKR_KEY_UNEXTRACTABLE, "CKR_KEY_UNEXTRACTABLE"},
    {CKR_MECHANISM_PARAM_INVALID, "CKR_MECHANISM_PARAM_INVALID"},
    {CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID"},
    {CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT"},
    {CKR_PIN_INVALID, "CKR_PIN_INVALID"},
    {CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE"},
    {CKR_PIN_LOCKED, "CKR_PIN_LOCKED"},
    {CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID"},
    {CKR_SESSION_READ_ONLY, "CKR_SESSION_READ_ONLY"},
    {CKR_SESSION_EXISTS, "CKR_SESSION_EXISTS"},
    {CKR_TEMPLATE_INCOMPLETE, "CKR_TEMPLATE_INCOMPLETE"},
    {CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT"},
    {CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT"},
    {CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED"},
    {CKR_UNWRAPPING_KEY_HANDLE_INVALID, "CKR_UNWRAPPING_KEY_HANDLE_INVALID"},
    {CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN"},
    {CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN"},
    {CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED"},
    {CKR_WRAPPED_KEY_INVALID, "CKR_WRAPPED_KEY_INVALID"},
    {CKR_WRAPPED_KEY_LEN_RANGE, "CKR_WRAPPED_KEY_LEN_RANGE"},
    {CKR_WRAPPING_KEY_HANDLE_INVALID, "CKR_WRAPPING_KEY_HANDLE_INVALID"},
    {CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID"},
    {CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY"},
    {CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED"},
    {CKR_USER_ANOTHER_ALREADY_LOGGED_IN, "CKR_USER_ANOTHER_ALREADY_LOGGED_IN"},
    {CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED"},
};

const char *token_rv_name(unsigned long rv)
{
	for (size_t k = 0; k < sizeof rv_names / sizeof rv_names[0]; k++)
		if (rv_names[k].rv == rv)
			return rv_names[k].name;
	return "CKR_?";
}

int token_fail_rv(struct token_ctx *t, struct kerr *err, const char *what, unsigned long rv)
{
	const char *name = token_rv_name(rv);
	t->last_rv = rv ? rv : CKR_GENERAL_ERROR;
	int rc = rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED ? KR_CONFLICT : KR_IO;
	return kerr_set(err, rc, "%s: %s (0x%lx)", what, name, rv);
}

/* A libp11 call failed: its CK_RV is the reason code on the OpenSSL error queue. */
static int fail_p11(struct token_ctx *t, struct kerr *err, const char *what)
{
	unsigned long e = ERR_peek_last_error(), rv = ERR_GET_REASON(e);
	ERR_clear_error();
	return token_fail_rv(t, err, what, rv ? rv : CKR_GENERAL_ERROR);
}

void token_trim_copy(char *out, size_t size, const char *in, size_t n)
{
	if (!in)
		in = "", n = 0;
	while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\0'))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(out, in, n);
	out[n] = '\0';
}

static int bad_index(struct token_ctx *t, int i, struct kerr *err)
{
	if (i >= 0 && i < t->ntok)
		return 0;
	token_fail_rv(t, err, "token", CKR_TOKEN_NOT_PRESENT);
	return 1;
}

int token_refresh(struct token_ctx *t, struct kerr *err)
{
	token_module_lock(); /* the release closes every session of the process on each slot */
	int rc = KR_OK;
	if (t->slots)
		PKCS11_release_all_slots(t->ctx, t->slots, t->nslots);
	t->slots = NULL;
	t->nslots = 0;
	t->ntok = 0;
	if (PKCS11_enumerate_slots(t->ctx, &t->slots, &t->nslots) < 0)
		rc = fail_p11(t, err, "PKCS11_enumerate_slots");
	for (unsigned int k = 0; rc == KR_OK && k < t->nslots; k++) {
		PKCS11_SLOT *s = &t->slots[k];
		if (!s->token || !s->token->initialized ||
		    t->ntok == (int)(sizeof t->tok / sizeof t->tok[0]))
			continue;
		PKCS11_open_session(s, 1); /* before any login: the first session decides */
		t->tok[t->ntok++] = s;
	}
	token_module_unlock();
	ERR_clear_error();
	return rc;
}

int token_open(const char *module, struct token_ctx **out, struct kerr *err)
{
	struct token_ctx *t = calloc(1, sizeof *t);
	if (!t)
		return kerr_set(err, KR_NOMEM, "out of memory");
	if (token_module_acquire(module, &t->mod, err) != KR_OK) {
		free(t);
		return KR_IO;
	}
	t->ctx = token_module_ctx(t->mod);
	t->raw = token_module_functions(t->mod);
	int rc = token_refresh(t, err);
	if (rc != KR_OK) {
		token_close(t);
		return rc;
	}
	*out = t;
	return KR_OK;
}

void token_close(struct token_ctx *t)
{
	if (!t)
		return;
	token_module_lock();
	if (t->slots)
		PKCS11_release_all_slots(t->ctx, t->slots, t->nslots);
	token_module_release(t->mod); /* finalised by its last user only */
	token_module_unlock();
	free(t);
}

int token_count(const struct token_ctx *t)
{
	return t->ntok;
}

unsigned long token_last_rv(const struct token_ctx *t)
{
	return t->last_rv;
}

CK_FUNCTION_LIST_PTR token_ctx_functions(const struct token_ctx *t)
{
	return t->raw;
}

int token_info(struct token_ctx *t, int i, struct token_info *out, struct kerr *err)
{
	CK_TOKEN_INFO ti;
	if (bad_index(t, i, err))
		return KR_IO;
	PKCS11_SLOT *s = t->tok[i];
	CK_RV rv = t->raw->C_GetTokenInfo(PKCS11_get_slotid_from_slot(s), &ti);
	if (rv != CKR_OK)
		return token_fail_rv(t, err, "C_GetTokenInfo", rv);
	token_trim_copy(out->label, sizeof out->label, (const char *)ti.label, sizeof ti.label);
	token_trim_copy(out->serial, sizeof out->serial, (const char *)ti.serialNumber,
	                sizeof ti.serialNumber);
	token_trim_copy(out->model, sizeof out->model, (const char *)ti.model, sizeof ti.model);
	token_trim_copy(out->reader, sizeof out->reader, s->description,
	                s->description ? strlen(s->description) : 0);
	out->flags = ti.flags;
	out->pin_count_low = (ti.flags & CKF_USER_PIN_COUNT_LOW) != 0;
	out->pin_final_try = (ti.flags & CKF_USER_PIN_FINAL_TRY) != 0;
	out->pin_locked = (ti.flags & CKF_USER_PIN_LOCKED) != 0;
	return KR_OK;
}

int token_find(struct token_ctx *t, const char *selector, int from)
{
	const char *colon = strchr(selector, ':');
	if (!colon)
		return -1;
	size_t kind = (size_t)(colon - selector);
	const char *want = colon + 1;
	for (int i = from < 0 ? 0 : from; i < t->ntok; i++) {
		struct token_info ti;
		struct kerr e;
		if (token_info(t, i, &ti, &e) != KR_OK)
			continue;
		if ((kind == 5 && !strncmp(selector, "label", 5) && !strcmp(ti.label, want)) ||
		    (kind == 12 && !strncmp(selector, "label-prefix", 12) &&
		     !strncmp(ti.label, want, strlen(want))) ||
		    (kind == 6 && !strncmp(selector, "serial", 6) && !strcmp(ti.serial, want)) ||
		    (kind == 6 && !strncmp(selector, "reader", 6) && !strcmp(ti.reader, want)))
			return i;
	}
	return -1;
}

void token_logout(struct token_ctx *t, int i)
{
	token_module_lock();
	if (i >= 0 && i < t->ntok)
		PKCS11_logout(t->tok[i]);
	token_module_unlock();
	ERR_clear_error();
}

int token_login(struct token_ctx *t, int i, int so, const char *pin, struct kerr *err)
{
	if (bad_index(t, i, err))
		return KR_IO;
	token_module_lock();
	token_logout(t, i); /* libp11 says yes to any PIN while logged in */
	int rc = PKCS11_login(t->tok[i], so, pin) != 0
	             ? fail_p11(t, err, so ? "C_Login (SO)" : "C_Login")
	             : KR_OK;
	token_module_unlock();
	return rc;
}

int token_init(struct token_ctx *t, int *i, const char *so_pin, const char *label, struct kerr *err)
{
	struct token_info ti;
	char sel[40], lab[32];
	int rc;
	if (bad_index(t, *i, err))
		return KR_IO;
	if ((rc = token_info(t, *i, &ti, err)) != KR_OK)
		return rc;
	CK_SLOT_ID id = PKCS11_get_slotid_from_slot(t->tok[*i]);
	token_module_lock();
	PKCS11_release_all_slots(t->ctx, t->slots, t->nslots); /* closes libp11's sessions */
	t->slots = NULL;
	t->nslots = 0;
	t->ntok = 0;
	memset(lab, ' ', sizeof lab);
	/* a PKCS#11 label is blank-padded, never NUL-terminated */
	memcpy(lab, label, strlen(label) < sizeof lab ? strlen(label) : sizeof lab); // NOLINT
	CK_RV rv =
	    t->raw->C_InitToken(id, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin), (CK_UTF8CHAR_PTR)lab);
	rc = token_refresh(t, err);
	token_module_unlock();
	if (rc != KR_OK)
		return rc;
	if (rv != CKR_OK)
		return token_fail_rv(t, err, "C_InitToken", rv);
	snprintf(sel, sizeof sel, "serial:%s", ti.serial);
	if ((*i = token_find(t, sel, 0)) < 0)
		return token_fail_rv(t, err, "token after C_InitToken", CKR_TOKEN_NOT_PRESENT);
	return KR_OK;
}

int token_init_pin(struct token_ctx *t, int i, const char *pin, struct kerr *err)
{
	if (bad_index(t, i, err))
		return KR_IO;
	if (PKCS11_init_pin(t->tok[i]->token, pin) != 0)
		return fail_p11(t, err, "C_InitPIN");
	return KR_OK;
}

int token_set_pin(struct token_ctx *t, int i, const char *old_pin, const char *new_pin,
                  struct kerr *err)
{
	if (bad_index(t, i, err))
		return KR_IO;
	if (PKCS11_change_pin(t->tok[i], old_pin, new_pin) != 0)
		return fail_p11(t, err, "C_SetPIN");
	return KR_OK;
}

void token_certs_free(struct token_cert *c, int n)
{
	for (int k = 0; c && k < n; k++)
		X509_free(c[k].x509);
	free(c);
}

int token_certs(struct token_ctx *t, int i, struct token_cert **out, int *n, struct kerr *err)
{
	PKCS11_CERT *certs = NULL;
	unsigned int count = 0;
	*out = NULL;
	*n = 0;
	if (bad_index(t, i, err))
		return KR_IO;
	if (PKCS11_enumerate_certs(t->tok[i]->token, &certs, &count) != 0)
		return fail_p11(t, err, "PKCS11_enumerate_certs");
	struct token_cert *c = calloc(count ? count : 1, sizeof *c);
	if (!c)
		return kerr_set(err, KR_NOMEM, "out of memory");
	for (unsigned int k = 0; k < count; k++) {
		if (certs[k].id_len <= TOKEN_ID_MAX) {
			memcpy(c[k].id, certs[k].id, certs[k].id_len);
			c[k].id_len = certs[k].id_len;
		}
		token_trim_copy(c[k].label, sizeof c[k].label, certs[k].label,
		                certs[k].label ? strlen(certs[k].label) : 0);
		if (certs[k].x509 && i2d_X509(certs[k].x509, NULL) <= TOKEN_MAX_DER)
			c[k].x509 = X509_dup(certs[k].x509);
	}
	ERR_clear_error();
	*out = c;
	*n = (int)count;
	return KR_OK;
}

int token_cert_store(struct token_ctx *t, int i, X509 *x509, const unsigned char *id, size_t id_len,
                     const char *label, struct kerr *err)
{
	char lab[64];
	unsigned char idc[TOKEN_ID_MAX];
	if (bad_index(t, i, err))
		return KR_IO;
	if (id_len > sizeof idc)
		return kerr_set(err, KR_INVALID, "certificate ID longer than %d bytes",
		                TOKEN_ID_MAX);
	snprintf(lab, sizeof lab, "%s", label);
	memcpy(idc, id, id_len);
	if (PKCS11_store_certificate(t->tok[i]->token, x509, lab, idc, id_len, NULL) != 0)
		return fail_p11(t, err, "C_CreateObject (certificate)");
	return KR_OK;
}

CK_RV token_find_objects(struct token_ctx *t, CK_SESSION_HANDLE s, CK_ATTRIBUTE *tmpl, CK_ULONG n,
                         CK_OBJECT_HANDLE *h, CK_ULONG max, CK_ULONG *found)
{
	CK_RV rv = t->raw->C_FindObjectsInit(s, tmpl, n);
	if (rv != CKR_OK)
		return rv;
	rv = t->raw->C_FindObjects(s, h, max, found);
	t->raw->C_FindObjectsFinal(s);
	return rv;
}

int token_session_open(struct token_ctx *t, int i, CK_SESSION_HANDLE *s, struct kerr *err)
{
	if (bad_index(t, i, err))
		return KR_IO;
	CK_RV rv = t->raw->C_OpenSession(PKCS11_get_slotid_from_slot(t->tok[i]),
	                                 CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, s);
	return rv == CKR_OK ? KR_OK : token_fail_rv(t, err, "C_OpenSession", rv);
}

int token_cert_remove(struct token_ctx *t, int i, const X509 *x509, int *removed, struct kerr *err)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls}};
	CK_OBJECT_HANDLE h[128];
	CK_ULONG n = 0;
	unsigned char *want = NULL;
	int want_len = 0;
	*removed = 0;
	/* libp11 has no handle for this and its cache keeps removed objects: go raw */
	int rc = token_session_open(t, i, &s, err);
	if (rc != KR_OK)
		return rc;
	CK_RV rv = CKR_OK;
	if (x509 && (want_len = i2d_X509(x509, &want)) <= 0) {
		t->raw->C_CloseSession(s);
		return kerr_set(err, KR_INVALID, "certificate does not encode");
	}
	rv = token_find_objects(t, s, tmpl, 1, h, 128, &n);
	for (CK_ULONG k = 0; rv == CKR_OK && k < n; k++) {
		CK_ATTRIBUTE a = {CKA_VALUE, NULL, 0};
		unsigned char *v = NULL;
		int match;
		if (t->raw->C_GetAttributeValue(s, h[k], &a, 1) != CKR_OK ||
		    a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen > TOKEN_MAX_DER) {
			match = !x509;
		} else if (!(v = malloc(a.ulValueLen ? a.ulValueLen : 1))) {
			match = 0;
		} else {
			a.pValue = v;
			if (t->raw->C_GetAttributeValue(s, h[k], &a, 1) != CKR_OK) {
				match = !x509;
			} else if (x509) {
				match = (long)a.ulValueLen == want_len &&
				        !memcmp(v, want, a.ulValueLen);
			} else {
				const unsigned char *pp = v;
				X509 *x = d2i_X509(NULL, &pp, (long)a.ulValueLen);
				match = !x || pp != v + a.ulValueLen;
				X509_free(x);
			}
		}
		free(v);
		if (match && (rv = t->raw->C_DestroyObject(s, h[k])) == CKR_OK)
			(*removed)++;
	}
	OPENSSL_free(want);
	ERR_clear_error();
	t->raw->C_CloseSession(s);
	return rv == CKR_OK ? KR_OK : token_fail_rv(t, err, "C_DestroyObject (certificate)", rv);
}

int token_key_remove(struct token_ctx *t, int i, const unsigned char *id, size_t id_len,
                     int *removed, struct kerr *err)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_CLASS classes[] = {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY};
	CK_OBJECT_HANDLE h[16];
	CK_ULONG n = 0;
	*removed = 0;
	if (!id || !id_len)
		return kerr_set(err, KR_INVALID, "no key ID");
	int rc = token_session_open(t, i, &s, err);
	if (rc != KR_OK)
		return rc;
	CK_RV rv = CKR_OK;
	for (size_t c = 0; rv == CKR_OK && c < sizeof classes / sizeof classes[0]; c++) {
		CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &classes[c], sizeof classes[c]},
		                       {CKA_ID, (void *)id, id_len}};
		rv = token_find_objects(t, s, tmpl, 2, h, 16, &n);
		for (CK_ULONG k = 0; rv == CKR_OK && k < n; k++)
			if ((rv = t->raw->C_DestroyObject(s, h[k])) == CKR_OK)
				(*removed)++;
	}
	t->raw->C_CloseSession(s);
	return rv == CKR_OK ? KR_OK : token_fail_rv(t, err, "C_DestroyObject (key)", rv);
}

const unsigned char token_ec_p256[10] = {0x06, 0x08, 0x2a, 0x86, 0x48,
                                         0xce, 0x3d, 0x03, 0x01, 0x07};
const unsigned char token_rsa_f4[3] = {0x01, 0x00, 0x01};

int token_keygen(struct token_ctx *t, int i, enum token_keytype type, const unsigned char *id,
                 size_t id_len, const char *label, struct kerr *err)
{
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG bits = 2048;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE pub, priv;
	CK_MECHANISM mech = {
	    type == TOKEN_EC_P256 ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_ATTRIBUTE pt[] = {
	    {CKA_TOKEN, &yes, sizeof yes},
	    {CKA_PRIVATE, &no, sizeof no},
	    {CKA_VERIFY, &yes, sizeof yes},
	    {CKA_ID, (void *)id, id_len},
	    {CKA_LABEL, (void *)label, strlen(label)},
	    /* EC; the RSA pair replaces these two */
	    {CKA_EC_PARAMS, (void *)token_ec_p256, sizeof token_ec_p256},
	    {CKA_MODULUS_BITS, &bits, sizeof bits},
	};
	if (type == TOKEN_RSA2048) {
		pt[5] =
		    (CK_ATTRIBUTE){CKA_PUBLIC_EXPONENT, (void *)token_rsa_f4, sizeof token_rsa_f4};
	}
	CK_ATTRIBUTE st[] = {
	    {CKA_TOKEN, &yes, sizeof yes},
	    {CKA_PRIVATE, &yes, sizeof yes},
	    {CKA_SENSITIVE, &yes, sizeof yes},
	    {CKA_EXTRACTABLE, &no, sizeof no},
	    {CKA_SIGN, &yes, sizeof yes},
	    /* it opens envelopes (envelope.h): RSA-OAEP unwraps, ECDH derives */
	    {type == TOKEN_EC_P256 ? CKA_DERIVE : CKA_UNWRAP, &yes, sizeof yes},
	    {CKA_ID, (void *)id, id_len},
	    {CKA_LABEL, (void *)label, strlen(label)},
	};
	int rc = token_session_open(t, i, &s, err);
	if (rc != KR_OK)
		return rc;
	CK_RV rv = t->raw->C_GenerateKeyPair(s, &mech, pt, type == TOKEN_RSA2048 ? 7 : 6, st,
	                                     sizeof st / sizeof st[0], &pub, &priv);
	t->raw->C_CloseSession(s);
	return rv == CKR_OK ? KR_OK : token_fail_rv(t, err, "C_GenerateKeyPair", rv);
}

EVP_PKEY *token_private_key(struct token_ctx *t, int i, const unsigned char *id, size_t id_len,
                            struct kerr *err)
{
	PKCS11_KEY *keys = NULL;
	unsigned int n = 0;
	if (bad_index(t, i, err))
		return NULL;
	if (PKCS11_enumerate_keys(t->tok[i]->token, &keys, &n) != 0) {
		fail_p11(t, err, "PKCS11_enumerate_keys");
		return NULL;
	}
	for (unsigned int k = 0; k < n; k++)
		if (keys[k].id_len == id_len && !memcmp(keys[k].id, id, id_len)) {
			EVP_PKEY *pk = PKCS11_get_private_key(&keys[k]);
			if (!pk)
				fail_p11(t, err, "PKCS11_get_private_key");
			return pk;
		}
	token_fail_rv(t, err, "private key", CKR_KEY_HANDLE_INVALID);
	return NULL;
}

int token_hmac_sha256(struct token_ctx *t, int i, const char *key_label, const void *msg,
                      size_t len, unsigned char out[32], struct kerr *err)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls},
	                       {CKA_LABEL, (void *)key_label, strlen(key_label)}};
	CK_MECHANISM mech = {CKM_SHA256_HMAC, NULL, 0};
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h;
	CK_ULONG n = 0, outlen = 32;
	int rc = token_session_open(t, i, &s, err);
	if (rc != KR_OK)
		return rc;
	CK_RV rv = token_find_objects(t, s, tmpl, 2, &h, 1, &n);
	if (rv == CKR_OK && n == 0)
		rv = CKR_KEY_HANDLE_INVALID;
	if (rv == CKR_OK)
		rv = t->raw->C_SignInit(s, &mech, h);
	if (rv == CKR_OK)
		rv = t->raw->C_Sign(s, (CK_BYTE_PTR)msg, len, out, &outlen);
	t->raw->C_CloseSession(s);
	if (rv == CKR_OK && outlen != 32)
		rv = CKR_FUNCTION_FAILED;
	return rv == CKR_OK ? KR_OK : token_fail_rv(t, err, "C_Sign (HMAC)", rv);
}

int token_data_exists(struct token_ctx *t, int i, const char *label, int *exists, struct kerr *err)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls},
	                       {CKA_LABEL, (void *)label, strlen(label)}};
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h;
	CK_ULONG n = 0;
	*exists = 0;
	int rc = token_session_open(t, i, &s, err);
	if (rc != KR_OK)
		return rc;
	CK_RV rv = token_find_objects(t, s, tmpl, 2, &h, 1, &n);
	t->raw->C_CloseSession(s);
	*exists = rv == CKR_OK && n > 0;
	return rv == CKR_OK ? KR_OK : token_fail_rv(t, err, "C_FindObjects (data)", rv);
}

int token_data_store(struct token_ctx *t, int i, const char *label, const char *application,
                     const void *value, size_t len, struct kerr *err)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE tmpl[] = {
	    {CKA_CLASS, &cls, sizeof cls},
	    {CKA_TOKEN, &yes, sizeof yes},
	    {CKA_PRIVATE, &no, sizeof no},
	    {CKA_LABEL, (void *)label, strlen(label)},
	    {CKA_APPLICATION, (void *)application, strlen(application)},
	    {CKA_VALUE, (void *)value, len},
	};
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h;
	int rc = token_session_open(t, i, &s, err);
	if (rc != KR_OK)
		return rc;
	CK_RV rv = t->raw->C_CreateObject(s, tmpl, sizeof tmpl / sizeof tmpl[0], &h);
	t->raw->C_CloseSession(s);
	return rv == CKR_OK ? KR_OK : token_fail_rv(t, err, "C_CreateObject (data)", rv);
}
