/* strings.h — the words on screens and receipts, per language, from
 * assets/strings/<language>.ini ("[step] pay = 请扫码支付" gives the key "step.pay"). */
#ifndef KIOSK_STRINGS_H
#define KIOSK_STRINGS_H

#include <stddef.h>

#include "core/result.h"

struct strings;

/* Loads <assets>/strings/<language>.ini. A key given twice or a line inih cannot read
 * is refused with KR_CONFIG naming file and line. */
int strings_load(const char *assets, const char *language, struct strings **out, struct kerr *err);
void strings_free(struct strings *st);

/* The text of key, or NULL when the language has none. */
const char *strings_find(const struct strings *st, const char *key);
/* The text of key, or the key itself so that a missing text shows up, never NULL. */
const char *strings_get(const struct strings *st, const char *key);

/* The number of keys and the i-th key in sorted order (for completeness checks). */
size_t strings_count(const struct strings *st);
const char *strings_key_at(const struct strings *st, size_t i);

#endif
