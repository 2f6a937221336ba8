/* wrap.h — line breaking for Chinese and English text (pure, no SDL).
 *
 * A line may break at a space (the space is dropped), between any two CJK characters,
 * and between a CJK character and a Latin one — but never before a closing punctuation
 * mark (，。）」… ) and never after an opening one (（「“ ). A '\n' forces a break. Widths
 * come from a caller's measure function, so the same code serves the SDL_ttf renderer
 * and the unit tests. */
#ifndef KIOSK_UI_WRAP_H
#define KIOSK_UI_WRAP_H

#include <stddef.h>

/* Width in pixels of len bytes of UTF-8 at s. */
typedef int (*wrap_measure_fn)(void *ctx, const char *s, size_t len);

struct wrap_line {
	int off, len; /* bytes of the source text */
};

/* Breaks text into at most max_lines lines no wider than width. Returns the number of
 * lines written to lines; sets *overflow to 1 when a line had to be cut inside a word
 * (a word wider than the box) or the text needed more than max_lines lines, else 0. */
int wrap_text(const char *text, int width, wrap_measure_fn measure, void *ctx,
              struct wrap_line *lines, int max_lines, int *overflow);

/* Decodes one UTF-8 code point at s (at most len bytes); sets *n to the bytes used
 * (1 for an invalid byte, which decodes to U+FFFD). */
unsigned wrap_utf8_next(const char *s, size_t len, int *n);

/* Whether a code point is CJK (ideographs, kana, fullwidth forms, CJK punctuation). */
int wrap_is_cjk(unsigned cp);

#endif
