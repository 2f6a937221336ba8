/* token.h — PKCS#11 tokens through libp11: slots and their tokens, live token flags,
 * logins and PINs, key pairs, certificates and data objects.
 *
 * libp11 0.4.12 does the work; the module's raw function list (found with
 * dlopen(RTLD_NOLOAD) + C_GetFunctionList, never initialised twice) is used only where
 * libp11 lacks something: live PIN flags, key-pair generation (EC is missing and RSA is
 * deprecated and returns no handle), HMAC with a secret key, data objects, wrapping and
 * unwrapping (encryption keys in envelopes, envelope.h). Tokens are addressed by index
 * into the last enumeration; token_refresh() re-enumerates (libp11's update is broken)
 * and invalidates every index, key and login. Every PKCS#11 failure is an ordinary
 * result: KR_IO (KR_CONFLICT for a locked or wrong PIN) with the function, the CK_RV's
 * name and its hex value in err; token_last_rv() gives the CK_RV.
 * Not thread-safe: one thread owns a context. Contexts on one module share it: it is
 * initialised once and finalised when the last context (or identity key, identity.h) is
 * closed; slot release, login and logout run under the driver's module lock, so the
 * identity key's signatures never see a half-done change. PINs are only read, never
 * kept. */
#ifndef KIOSK_TOKEN_H
#define KIOSK_TOKEN_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>

#include "core/result.h"

#define TOKEN_MAX_DER (64 * 1024) /* a certificate value bigger than this is junk */
#define TOKEN_ID_MAX  32

struct token_ctx;

struct token_info {
	char label[33], serial[17], model[17], reader[65]; /* blanks trimmed */
	unsigned long flags;                               /* CK_TOKEN_INFO flags, live */
	int pin_count_low, pin_final_try, pin_locked;      /* the user PIN's flags from those */
};

/* A certificate object as found (a copy: stays valid across refreshes). */
struct token_cert {
	unsigned char id[TOKEN_ID_MAX];
	size_t id_len; /* 0: no ID (e.g. half-written) */
	char label[64];
	X509 *x509; /* owned; NULL when the value does not parse or is too big */
};

enum token_keytype { TOKEN_RSA2048, TOKEN_EC_P256 };

/* Loads module (a PKCS#11 .so path) and enumerates. Caller destroys. */
int token_open(const char *module, struct token_ctx **out, struct kerr *err);
void token_close(struct token_ctx *t);
/* Re-enumerates slots and opens a read-write session on each token (logs out all). */
int token_refresh(struct token_ctx *t, struct kerr *err);
/* Number of slots holding a token. */
int token_count(const struct token_ctx *t);
/* Live facts of token i (C_GetTokenInfo now, not libp11's snapshot). */
int token_info(struct token_ctx *t, int i, struct token_info *out, struct kerr *err);
/* The first token at index >= from matching selector ("label:X", "label-prefix:X",
 * "serial:X", "reader:X"), or -1. */
int token_find(struct token_ctx *t, const char *selector, int from);
/* The CK_RV of the last failure (0 when none). */
unsigned long token_last_rv(const struct token_ctx *t);

/* Logs out, then in as the user (so = 0) or the security officer (so = 1). */
int token_login(struct token_ctx *t, int i, int so, const char *pin, struct kerr *err);
void token_logout(struct token_ctx *t, int i);
/* Re-initialises token *i (C_InitToken: every object goes) with its current SO PIN.
 * C_InitToken wants no open session: this re-enumerates, so every index changes; *i
 * becomes the token's new index. */
int token_init(struct token_ctx *t, int *i, const char *so_pin, const char *label,
               struct kerr *err);
/* SO logged in: sets the user PIN (C_InitPIN). */
int token_init_pin(struct token_ctx *t, int i, const char *pin, struct kerr *err);
/* Changes the PIN of whoever is logged in (C_SetPIN). */
int token_set_pin(struct token_ctx *t, int i, const char *old_pin, const char *new_pin,
                  struct kerr *err);

/* Copies every certificate object of token i into *out (caller frees with
 * token_certs_free). Values over TOKEN_MAX_DER or unparsable give x509 = NULL. */
int token_certs(struct token_ctx *t, int i, struct token_cert **out, int *n, struct kerr *err);
void token_certs_free(struct token_cert *c, int n);
/* Stores x509 (borrowed) as a public certificate object with id and label. */
int token_cert_store(struct token_ctx *t, int i, X509 *x509, const unsigned char *id, size_t id_len,
                     const char *label, struct kerr *err);
/* Removes certificate objects: those equal to x509, or when x509 is NULL those whose
 * value does not parse. *removed counts them. */
int token_cert_remove(struct token_ctx *t, int i, const X509 *x509, int *removed, struct kerr *err);
/* Removes the key pair (private and public key objects) with CKA_ID id; the user must be
 * logged in. *removed counts the objects. */
int token_key_remove(struct token_ctx *t, int i, const unsigned char *id, size_t id_len,
                     int *removed, struct kerr *err);

/* User logged in: generates a key pair on the token under id. The private key signs and
 * opens envelopes (envelope.h: RSA with CKA_UNWRAP, EC with CKA_DERIVE); never extractable. */
int token_keygen(struct token_ctx *t, int i, enum token_keytype type, const unsigned char *id,
                 size_t id_len, const char *label, struct kerr *err);
/* The private key with id (needs a login). Caller frees; it signs on the token and
 * dangles after token_refresh(). NULL and err when not found. No public-key variant:
 * libp11 0.4.12 leaks 475 bytes per PKCS11_get_public_key even when the EVP_PKEY is
 * freed and the slots released (reproduced with libp11 alone); take the public half
 * from the certificate or the private key's EVP_PKEY instead. */
EVP_PKEY *token_private_key(struct token_ctx *t, int i, const unsigned char *id, size_t id_len,
                            struct kerr *err);

/* User logged in: HMAC-SHA256 of msg under the secret key labelled key_label. */
int token_hmac_sha256(struct token_ctx *t, int i, const char *key_label, const void *msg,
                      size_t len, unsigned char out[32], struct kerr *err);
/* Whether a data object labelled label exists (public objects; all after a login). */
int token_data_exists(struct token_ctx *t, int i, const char *label, int *exists, struct kerr *err);
/* Stores a public data object (user logged in: a token object needs a R/W login). */
int token_data_store(struct token_ctx *t, int i, const char *label, const char *application,
                     const void *value, size_t len, struct kerr *err);

#endif
