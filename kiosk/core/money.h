/* money.h — amounts are integer fen (1 yuan = 100 fen); never floating point. */
#ifndef KIOSK_MONEY_H
#define KIOSK_MONEY_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t fen_t;

/* Largest amount the kiosk handles anywhere (10 million yuan). */
#define MONEY_MAX_FEN ((fen_t)1000000000)

/* Writes fen as yuan with two decimals ("150.00", "0.05") into buf.
 * Returns KR_OK, or KR_INVALID when the amount is negative or above MONEY_MAX_FEN
 * or buf is too small. */
int money_format(fen_t fen, char *buf, size_t size);

/* Parses a yuan amount written by a person ("150", "150.5", "150.50") into fen.
 * Refuses signs, exponents, more than two decimals, spaces and anything above
 * MONEY_MAX_FEN with KR_INVALID; *out is untouched then. */
int money_parse_yuan(const char *s, fen_t *out);

#endif
