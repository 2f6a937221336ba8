/* test_qr.c — QR module matrices: sizes, the quiet limit, and what does not fit. */
#include <string.h>

#include "check.h"
#include "core/qr.h"
#include "core/result.h"

int main(void)
{
	struct qr_matrix q;
	CHECK_INT(qr_make("https://qr.alipay.com/bax08431yqbwgl7mqfte0064", &q), KR_OK);
	CHECK(q.width >= 21 && q.width <= QR_MAX_WIDTH && (q.width - 17) % 4 == 0);
	/* the three finder patterns: dark corners */
	CHECK(q.dark[0] && q.dark[q.width - 1] && q.dark[(q.width - 1) * q.width]);
	char big[400];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CHECK_INT(qr_make(big, &q), KR_INVALID);
	CHECK_INT(q.width, 0);
	CHECK_INT(qr_make("", &q), KR_INVALID);
	CHECK_INT(qr_make(NULL, &q), KR_INVALID);
	return check_done();
}
