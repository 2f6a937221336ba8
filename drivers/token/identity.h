/* identity.h — the kiosk's identity key on its secure module, for TLS client
 * authentication: an EVP_PKEY whose signatures are made on the module.
 *
 * The key is named by a pkcs11: URI (RFC 7512: token, serial, manufacturer, model,
 * object, id, type=private). The identity has a session of its own on the module, shared
 * with every token context of the process (token_module.h); it never logs the module out
 * and never closes another user's session. Other users of the module may: the keys
 * service re-enumerates slots (libp11 closes every session on each slot) and logs the
 * secure module in and out. So each signature, under the driver's module lock, checks its
 * session and login first and, when either is gone, opens a new session and logs in again
 * (the PIN read from its file each time and wiped); a signature that still fails is
 * tried once more from a fresh session. A key that stays unusable (token absent, PIN
 * refused, no such object) is an ordinary failure of that signature, kept for
 * token_identity_failure. EC keys (ECDSA) only. Thread-safe. */
#ifndef KIOSK_TOKEN_IDENTITY_H
#define KIOSK_TOKEN_IDENTITY_H

#include <openssl/evp.h>

#include "core/result.h"

struct token_identity;

/* Sets up the identity key named by uri on module: pub (borrowed; the public half, from
 * its certificate) must be an EC key; pin_file holds the token's user PIN. Nothing is
 * asked of the token yet. KR_CONFIG naming what is wrong with uri or pub, KR_IO when the
 * module cannot be loaded. On success *out is the caller's to token_identity_close. */
int token_identity_open(const char *module, const char *uri, const char *pin_file, EVP_PKEY *pub,
                        struct token_identity **out, struct kerr *err);
/* Closes the session and lets the module go (finalised if this was its last user). The
 * EVP_PKEY must no longer be in use. */
void token_identity_close(struct token_identity *id);

/* The key, for SSL_CTX_use_PrivateKey and the like (borrowed: up-ref it to keep it; it
 * must not be used after token_identity_close). */
EVP_PKEY *token_identity_pkey(struct token_identity *id);

/* Makes the key ready now — a session, a login, the object found — and says why not. */
int token_identity_check(struct token_identity *id, struct kerr *err);

/* 1 with the reason in err when a signature failed since the last call, else 0. */
int token_identity_failure(struct token_identity *id, struct kerr *err);

#endif
