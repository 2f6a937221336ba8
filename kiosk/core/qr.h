/* qr.h — a QR code as a module matrix (libqrencode, error correction M), for the payment
 * screen's view model and for receipts. Pure computation. */
#ifndef KIOSK_QR_H
#define KIOSK_QR_H

/* Version 10 at most: 57 × 57 modules, up to 213 bytes at level M — every URL the kiosk
 * shows or prints fits. */
#define QR_MAX_WIDTH 57

struct qr_matrix {
	int width;                                       /* modules per side; 0: no code */
	unsigned char dark[QR_MAX_WIDTH * QR_MAX_WIDTH]; /* row by row, 1 = dark */
};

/* Encodes text into out. KR_OK, or KR_INVALID when it needs more than QR_MAX_WIDTH
 * modules (out->width is 0 then). */
int qr_make(const char *text, struct qr_matrix *out);

#endif
