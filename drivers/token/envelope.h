/* envelope.h — encryption key pairs made in the kiosk's secure module (the local key
 * management centre) and delivered onto a user's key in a digital envelope: the private
 * key leaves the module only wrapped under a fresh AES-256 key (RFC 5649), and that key
 * only wrapped for, or agreed with, the user's signing key, so the private key is never
 * in clear outside the two PKCS#11 modules. A second envelope of the same key can go to
 * the central KMC's escrow key. docs/envelope.md has the DER and the schemes.
 *
 * Both modules are driven over their raw function lists (libp11 has no wrap, unwrap or
 * derive); failures are results as in token.h. An envelope is outside input (the central
 * site may send one): envelope_read and envelope_open take any bytes, capped at
 * ENVELOPE_MAX_DER, strict DER only; tests/fuzz/fuzz_envelope.c feeds envelope_read. */
#ifndef KIOSK_TOKEN_ENVELOPE_H
#define KIOSK_TOKEN_ENVELOPE_H

#include <openssl/evp.h>
#include <stddef.h>

#include "core/result.h"
#include "drivers/token/token.h"

#define ENVELOPE_MAX_DER (8 * 1024) /* an envelope bigger than this is junk */

/* How the AES-256 key that wraps the private key reaches the recipient, by the type of
 * the recipient's key (docs/envelope.md). */
enum envelope_scheme {
	ENVELOPE_RSA_OAEP = 1,  /* the AES key wrapped with RSA-OAEP (SHA-1, MGF1-SHA-1) */
	ENVELOPE_ECDH_P256 = 2, /* the AES key agreed by ECDH P-256 with an ephemeral key */
};

/* What envelope_make gives. Free with envelope_made_free. */
struct envelope_made {
	unsigned char *der; /* the recipient's envelope */
	size_t len;
	unsigned char *escrow_der; /* the escrow key's; NULL when there is none */
	size_t escrow_len;
	EVP_PKEY *pub; /* the encryption public key (for its certificate) */
};

/* Secure module i logged in as the user: makes an encryption key pair of type as session
 * objects (the private key sensitive, extractable only to be wrapped), an envelope of it
 * for recipient (borrowed; its public half is used: the user's signing certificate's key,
 * or the signing key itself from token_private_key; RSA of 2048 to 4096 bits, or EC
 * P-256) and, when escrow (borrowed) is not NULL, one for escrow (RSA of those sizes).
 * Every object made in the module is destroyed before returning, on every path. KR_OK
 * and *out; KR_INVALID for a recipient or escrow key of another kind, KR_IO for the
 * module's refusals (token_last_rv), KR_NOMEM. *out is zeroed on failure. */
int envelope_make(struct token_ctx *t, int i, enum token_keytype type, const EVP_PKEY *recipient,
                  const EVP_PKEY *escrow, struct envelope_made *out, struct kerr *err);
void envelope_made_free(struct envelope_made *m);

/* User key i logged in as the user: opens envelope der (len bytes, borrowed) with the
 * private key whose CKA_ID is sign_id, and puts the encryption key pair on the key as
 * token objects with CKA_ID id and CKA_LABEL label: a private key that is sensitive and
 * never extractable and can only decrypt and unwrap (RSA) or derive (EC), and the
 * envelope's public key beside it. Before the public key is written the private key
 * proves it is its pair (RSA: it decrypts a random value encrypted to the public key;
 * EC: its ECDH with a random point matches the public key's). Results: KR_OK;
 * KR_CORRUPT for a malformed envelope, one that does not open with the signing key
 * (damaged, or for another key) or whose public key is not the wrapped key's — nothing of
 * it stays on the key; KR_NOT_FOUND without a private key sign_id; KR_INVALID for an
 * envelope of the other scheme than the signing key's type or a bad id; KR_CONFLICT when
 * a key object with id is on the key already; KR_IO for the module's refusals. The
 * session AES key is destroyed on every path. */
int envelope_open(struct token_ctx *t, int i, const unsigned char *sign_id, size_t sign_id_len,
                  const unsigned char *der, size_t len, const unsigned char *id, size_t id_len,
                  const char *label, struct kerr *err);

/* Reads envelope der (len bytes, any) without opening it: its scheme and the encryption
 * public key it delivers (*pub, caller frees). KR_CORRUPT and err, *scheme 0 and *pub
 * NULL, for anything but an envelope within the bounds of docs/envelope.md. */
int envelope_read(const unsigned char *der, size_t len, enum envelope_scheme *scheme,
                  EVP_PKEY **pub, struct kerr *err);

#endif
