/* token_module.h — inside the token driver: the PKCS#11 modules of the process, each
 * loaded and initialised once (one libp11 context per module, C_Initialize once) and
 * finalised once, when its last user lets it go, whatever order the users stop in; and
 * the one lock under which the driver changes a module's sessions or logins (slot
 * release and enumeration, C_Login, C_Logout, C_InitToken) or signs with the identity
 * key (identity.c), so that a session of one user is never closed or logged out in the
 * middle of another's operation. The lock is recursive. And a context's raw side for the
 * driver's other files (envelope.c): its function list, sessions, object search, failures. */
#ifndef KIOSK_TOKEN_MODULE_H
#define KIOSK_TOKEN_MODULE_H

#include <libp11.h>
#include <stddef.h>

#include <p11-kit/pkcs11.h>

#include "core/result.h"

struct token_module;

/* Takes a reference on module path (loaded and initialised at the first). KR_IO and err
 * when it cannot be loaded. Release with token_module_release. */
int token_module_acquire(const char *path, struct token_module **out, struct kerr *err);
/* Drops a reference; the last one finalises and unloads the module. NULL is ignored. */
void token_module_release(struct token_module *m);
/* The module's libp11 context and its raw function list (borrowed, while referenced). */
PKCS11_CTX *token_module_ctx(const struct token_module *m);
CK_FUNCTION_LIST_PTR token_module_functions(const struct token_module *m);

void token_module_lock(void);
void token_module_unlock(void);

/* Copies a blank- or NUL-padded PKCS#11 text field in[0..n) (NULL: "") into out, the
 * padding cut, at most size - 1 bytes, terminated. */
void token_trim_copy(char *out, size_t size, const char *in, size_t n);

/* The name of a CK_RV ("CKR_PIN_INCORRECT"), "CKR_?" when not known. */
const char *token_rv_name(unsigned long rv);

/* What key pairs are made with: CKA_EC_PARAMS of P-256 (its OID, DER) and CKA_PUBLIC_EXPONENT
 * 65537. */
extern const unsigned char token_ec_p256[10];
extern const unsigned char token_rsa_f4[3];

struct token_ctx;

/* The raw function list of t's module (borrowed, while t is open). */
CK_FUNCTION_LIST_PTR token_ctx_functions(const struct token_ctx *t);
/* A raw read-write session on token i (libp11 has no call for what needs one); the caller
 * closes it. KR_IO for a bad index or a session the module refuses. */
int token_session_open(struct token_ctx *t, int i, CK_SESSION_HANDLE *s, struct kerr *err);
/* Finds objects by template on session s into h (at most max); *found counts them. */
CK_RV token_find_objects(struct token_ctx *t, CK_SESSION_HANDLE s, CK_ATTRIBUTE *tmpl, CK_ULONG n,
                         CK_OBJECT_HANDLE *h, CK_ULONG max, CK_ULONG *found);
/* Records a failure of what with rv (token_last_rv): "what: CKR_NAME (0xhex)" in err.
 * Returns KR_CONFLICT for PIN refusals, else KR_IO. */
int token_fail_rv(struct token_ctx *t, struct kerr *err, const char *what, unsigned long rv);

#endif
