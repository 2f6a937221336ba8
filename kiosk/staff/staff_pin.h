/* staff_pin.h — the staff PIN as a salted hash: "pbkdf2-sha256$ITER$SALT$HASH" (salt and
 * hash in hex) in [staff] pin_hash, never the PIN itself. Made with, for example:
 *   openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt pass:PIN \
 *     -kdfopt hexsalt:SALT -kdfopt iter:100000 PBKDF2          (then drop the colons) */
#ifndef KIOSK_STAFF_PIN_H
#define KIOSK_STAFF_PIN_H

#include <stddef.h>

#include "core/result.h"

#define STAFF_PIN_HASH_MAX 200

/* Whether stored is a well-formed hash (1000..10,000,000 iterations, salt 8..64 bytes,
 * hash 32 bytes). */
int staff_pin_hash_ok(const char *stored);

/* Checks pin (borrowed; the caller wipes it) against stored in constant time. Returns 1
 * when it matches, 0 when not or when stored is malformed. */
int staff_pin_verify(const char *stored, const char *pin);

/* Writes the hash of pin with salt (hex, borrowed) and iter iterations into out.
 * KR_INVALID when salt or iter is out of range or out is too small. */
int staff_pin_hash(const char *pin, const char *salt_hex, int iter, char *out, size_t size,
                   struct kerr *err);

#endif
