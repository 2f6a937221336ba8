/* qr.c — QR module matrices through libqrencode. */
#include "qr.h"

#include <qrencode.h>
#include <string.h>

#include "result.h"

int qr_make(const char *text, struct qr_matrix *out)
{
	memset(out, 0, sizeof *out);
	QRcode *q = text && *text ? QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) : NULL;
	if (!q)
		return KR_INVALID;
	int rc = KR_INVALID;
	if (q->width <= QR_MAX_WIDTH) {
		out->width = q->width;
		for (int i = 0; i < q->width * q->width; i++)
			out->dark[i] = q->data[i] & 1;
		rc = KR_OK;
	}
	QRcode_free(q);
	return rc;
}
