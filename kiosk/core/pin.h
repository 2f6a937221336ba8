/* pin.h — rules for a user PIN chosen at the kiosk. Pure; the PIN is only read. */
#ifndef KIOSK_PIN_H
#define KIOSK_PIN_H

enum pin_verdict {
	PIN_GOOD = 0,
	PIN_BAD_FORMAT, /* not 6 to 8 digits */
	PIN_DEFAULT,    /* 123456, the default of every new key */
	PIN_REPEATED,   /* one digit repeated */
	PIN_RUN,        /* an ascending or descending run */
	PIN_BIRTH_DATE, /* the birth date on the ID card */
	PIN_VERDICT_COUNT
};

#define PIN_MIN_LEN 6
#define PIN_MAX_LEN 8

/* Judges pin; birth is the card's birth date as YYYYMMDD (or NULL/"" when unknown). */
enum pin_verdict pin_check(const char *pin, const char *birth);

/* The string key of a verdict's reason, e.g. "pin.run". */
const char *pin_verdict_key(enum pin_verdict v);

#endif
