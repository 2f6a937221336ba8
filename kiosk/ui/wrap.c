/* wrap.c — greedy line breaking over UTF-8 with CJK break rules (see wrap.h). */
#include "wrap.h"

unsigned wrap_utf8_next(const char *s, size_t len, int *n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp;
	int need;
	if (u[0] < 0x80) {
		*n = 1;
		return u[0];
	}
	if ((u[0] & 0xE0) == 0xC0) {
		cp = u[0] & 0x1F;
		need = 1;
	} else if ((u[0] & 0xF0) == 0xE0) {
		cp = u[0] & 0x0F;
		need = 2;
	} else if ((u[0] & 0xF8) == 0xF0) {
		cp = u[0] & 0x07;
		need = 3;
	} else {
		*n = 1;
		return 0xFFFD;
	}
	if ((size_t)need >= len) {
		*n = 1;
		return 0xFFFD;
	}
	for (int i = 1; i <= need; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*n = 1;
			return 0xFFFD;
		}
		cp = (cp << 6) | (u[i] & 0x3F);
	}
	*n = need + 1;
	return cp;
}

int wrap_is_cjk(unsigned cp)
{
	return (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFFEF) ||
	       (cp >= 0x20000 && cp <= 0x3FFFF) || cp == 0x2014 || cp == 0x2026 || cp == 0x201C ||
	       cp == 0x201D || cp == 0x2018 || cp == 0x2019;
}

/* Marks that may not begin a line (closing punctuation, and Latin ones too). */
static int no_break_before(unsigned cp)
{
	static const unsigned closing[] = {
	    0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A, 0xFF1F, 0xFF01, 0xFF09, 0x300D, 0x300F, 0x300B,
	    0x3009, 0x3011, 0x3015, 0x2026, 0x2014, 0x201D, 0x2019, 0xFF05, 0xFF0E, 0x00B7, 0x30FB,
	    ',',    '.',    ';',    ':',    '?',    '!',    ')',    ']',    '%',    '}'};
	for (size_t i = 0; i < sizeof closing / sizeof closing[0]; i++)
		if (closing[i] == cp)
			return 1;
	return 0;
}

/* Marks that may not end a line (opening punctuation). */
static int no_break_after(unsigned cp)
{
	static const unsigned opening[] = {0xFF08, 0x300C, 0x300E, 0x300A, 0x3008, 0x3010,
	                                   0x3014, 0x201C, 0x2018, '(',    '[',    '{'};
	for (size_t i = 0; i < sizeof opening / sizeof opening[0]; i++)
		if (opening[i] == cp)
			return 1;
	return 0;
}

/* Whether a break is allowed between code points a and b (no space between them). */
static int may_break(unsigned a, unsigned b)
{
	if (no_break_before(b) || no_break_after(a))
		return 0;
	return wrap_is_cjk(a) || wrap_is_cjk(b);
}

static int emit(struct wrap_line *lines, int max_lines, int *n, int off, int len)
{
	if (*n >= max_lines)
		return 0;
	lines[*n].off = off;
	lines[*n].len = len;
	(*n)++;
	return 1;
}

int wrap_text(const char *text, int width, wrap_measure_fn measure, void *ctx,
              struct wrap_line *lines, int max_lines, int *overflow)
{
	int n = 0;
	size_t total = 0;
	while (text[total])
		total++;
	*overflow = 0;
	int start = 0;
	while ((size_t)start < total) {
		/* skip spaces at the start of a line */
		while (text[start] == ' ')
			start++;
		if ((size_t)start >= total)
			break;
		int pos = start, last_ok = -1, next_start = -1;
		unsigned prev = 0;
		int hard = 0;
		while ((size_t)pos < total) {
			int k;
			unsigned cp = wrap_utf8_next(text + pos, total - (size_t)pos, &k);
			if (cp == '\n') {
				hard = 1;
				break;
			}
			if (cp == ' ') {
				last_ok = pos;
				next_start = pos + 1;
			} else if (pos > start && prev != ' ' && may_break(prev, cp)) {
				last_ok = pos;
				next_start = pos;
			}
			if (measure(ctx, text + start, (size_t)(pos + k - start)) > width) {
				if (cp == ' ') { /* a space past the edge: break here */
					last_ok = pos;
					next_start = pos + 1;
				}
				break;
			}
			prev = cp;
			pos += k;
		}
		if ((size_t)pos >= total || hard) {
			/* the rest fits (up to a forced break) */
			int end = pos;
			while (end > start && text[end - 1] == ' ')
				end--;
			if (!emit(lines, max_lines, &n, start, end - start)) {
				*overflow = 1;
				return n;
			}
			start = hard ? pos + 1 : pos;
			continue;
		}
		int end;
		if (last_ok > start) {
			end = last_ok;
		} else {
			/* one word wider than the box: cut it where it stops fitting */
			*overflow = 1;
			int k0;
			wrap_utf8_next(text + start, total - (size_t)start, &k0);
			end = pos > start ? pos : start + k0;
			next_start = end;
		}
		while (end > start && text[end - 1] == ' ')
			end--;
		if (!emit(lines, max_lines, &n, start, end - start)) {
			*overflow = 1;
			return n;
		}
		start = next_start;
	}
	return n;
}
