/* keypad.c — scrambling and the entry buffer (see keypad.h). */
#include "keypad.h"

#include <string.h>
#include <sys/random.h>

int keypad_scramble(int digits[10])
{
	unsigned char rnd[64];
	for (int i = 0; i < 10; i++)
		digits[i] = i;
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return -1;
	/* Fisher–Yates with rejection sampling: no modulo bias */
	int used = 0;
	for (int i = 9; i > 0; i--) {
		int bound = 256 - 256 % (i + 1), j = -1;
		while (j < 0) {
			if (used == (int)sizeof rnd) {
				if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
					return -1;
				used = 0;
			}
			int v = rnd[used++];
			if (v < bound)
				j = v % (i + 1);
		}
		int t = digits[i];
		digits[i] = digits[j];
		digits[j] = t;
	}
	explicit_bzero(rnd, sizeof rnd);
	return 0;
}

int keypad_push(struct keypad_entry *e, char c)
{
	if (e->len >= e->max || e->len >= KEYPAD_MAX_ENTRY)
		return 0;
	e->text[e->len++] = c;
	e->text[e->len] = '\0';
	return 1;
}

void keypad_pop(struct keypad_entry *e)
{
	if (e->len > 0)
		e->text[--e->len] = '\0';
}

void keypad_clear(struct keypad_entry *e, int max)
{
	explicit_bzero(e, sizeof *e);
	e->max = max < KEYPAD_MAX_ENTRY ? max : KEYPAD_MAX_ENTRY;
}
