/* keypad.h — the on-screen keypads: the scrambled PIN pad, the phone pad, the
 * credit-code pad (GB 32100 alphabet) and the e-mail keyboard, and the entry buffer
 * behind them (pure).
 *
 * The PIN pad's ten digits are shuffled each time it is shown, with randomness from
 * getrandom(2), so that someone watching the hand cannot read the PIN. */
#ifndef KIOSK_UI_KEYPAD_H
#define KIOSK_UI_KEYPAD_H

/* The characters of a unified social credit code (GB 32100-2015): digits and the
 * capital letters but I, O, S, V and Z. */
#define KEYPAD_USCC_ALPHABET "0123456789ABCDEFGHJKLMNPQRTUWXY"

/* An order number: digits and every capital letter. */
#define KEYPAD_ORDER_ALPHABET "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

/* The e-mail keyboard: digits, the letters in alphabetical order (eight keys of 120 px
 * fill a row of the 1080-px screen, so a ten-key QWERTY row cannot be kept) and the
 * symbols of an address. */
#define KEYPAD_EMAIL_ALPHABET "1234567890abcdefghijklmnopqrstuvwxyz@.-_"

#define KEYPAD_MAX_ENTRY 64 /* an e-mail address (IDENT_EMAIL_MAX) */

/* An entry being typed. Wiped by keypad_clear. */
struct keypad_entry {
	char text[KEYPAD_MAX_ENTRY + 1];
	int len;
	int max; /* at most this many characters, <= KEYPAD_MAX_ENTRY */
};

/* Fills digits[0..9] with a fresh random permutation of 0..9 (getrandom; falls back to
 * the identity only if the kernel refuses, which it does not on Linux >= 3.17).
 * Returns 0, or -1 when no randomness was available. */
int keypad_scramble(int digits[10]);

/* Appends c unless the entry is full. Returns 1 when appended. */
int keypad_push(struct keypad_entry *e, char c);
/* Removes the last character. */
void keypad_pop(struct keypad_entry *e);
/* Wipes the entry (explicit_bzero) and sets its capacity. */
void keypad_clear(struct keypad_entry *e, int max);

#endif
