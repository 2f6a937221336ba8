/* money.c — formatting and strict parsing of yuan amounts held as integer fen. */
#include "money.h"

#include <stdio.h>

#include "result.h"

int money_format(fen_t fen, char *buf, size_t size)
{
	if (fen < 0 || fen > MONEY_MAX_FEN)
		return KR_INVALID;
	int n = snprintf(buf, size, "%lld.%02d", (long long)(fen / 100), (int)(fen % 100));
	return n > 0 && (size_t)n < size ? KR_OK : KR_INVALID;
}

int money_parse_yuan(const char *s, fen_t *out)
{
	fen_t yuan = 0;
	int digits = 0;

	if (!s)
		return KR_INVALID;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		yuan = yuan * 10 + (*s - '0');
		if (yuan > MONEY_MAX_FEN / 100)
			return KR_INVALID;
	}
	if (digits == 0)
		return KR_INVALID;
	fen_t fen = 0;
	if (*s == '.') {
		s++;
		int decimals = 0;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (++decimals > 2)
				return KR_INVALID;
			fen = fen * 10 + (*s - '0');
		}
		if (decimals == 0)
			return KR_INVALID;
		if (decimals == 1)
			fen *= 10;
	}
	if (*s != '\0')
		return KR_INVALID;
	fen += yuan * 100;
	if (fen > MONEY_MAX_FEN)
		return KR_INVALID;
	*out = fen;
	return KR_OK;
}
