/* keys_rig.h — the SoftHSM rig for the keys tests: tests/rigs/softhsm.sh in a fresh
 * temporary folder, its environment for this process, a [keys] configuration on it. */
#ifndef KIOSK_TEST_KEYS_RIG_H
#define KIOSK_TEST_KEYS_RIG_H

#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

/* Builds the rig with blanks blank keys in a new temporary folder (into dir), its
 * certificates made for the day of now_utc (the test's clock: tests/rigs/softhsm.sh
 * RIG_NOW), and exports SOFTHSM2_CONF and P11SHIM_DIR. Returns 0, or -1 with a message
 * on stderr. */
int keys_rig_up(char *dir, size_t size, int blanks, int64_t now_utc);
/* Removes the rig's folder. */
void keys_rig_down(const char *dir);
/* Fills c for the rig through the shim (module, selectors, files). */
void keys_rig_conf(const char *dir, struct conf_keys *c);
/* Shows profile's token in the port ("" empties it). Returns 0 or -1. */
int keys_rig_insert(const char *dir, const char *profile);
/* Runs fn(module) in a child process — a token context of its own, as another program
 * would see the keys — and returns its result (0..255), or -1 when the child died. */
int keys_rig_in_child(int (*fn)(const char *module), const char *module);
/* In a child: the port key's signing certificate objects that parse and have an ID,
 * counted (the encryption certificate of a pair is not one). */
int keys_rig_usable_certs(const char *module);
/* Whether x is a signing certificate: its keyUsage has digitalSignature, or it has none. */
int keys_rig_signing(const X509 *x);
/* Restores the secure module's token.object when a killed process left it damaged
 * (see tests/rigs/softhsm.sh). Returns 1 when it did, 0 when intact, -1 on error. */
int keys_rig_heal_sm(const char *dir);
/* The same for the token labelled label, kept under name by keys_rig_keep_token first:
 * SoftHSM rewrites every token's token.object at C_Login, so a kill there can cut a user
 * key's too (a real key keeps its PIN state in its chip). Return 0 or -1 / as above. */
int keys_rig_keep_token(const char *dir, const char *label, const char *name);
int keys_rig_heal_token(const char *dir, const char *name);

#endif
