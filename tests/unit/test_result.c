/* test_result.c — kerr_set: the message formatted, cut to its size, and one line of text
 * for a log whatever went into it (control bytes replaced, UTF-8 kept); kerr_prefix: a
 * text put before the message held. */
#include <string.h>

#include "check.h"
#include "core/result.h"

int main(void)
{
	struct kerr err = {{0}};
	CHECK_INT(kerr_set(&err, KR_IO, "%s: %d", "read", 5), KR_IO);
	CHECK_STR(err.msg, "read: 5");
	CHECK_INT(kerr_set(NULL, KR_INVALID, "nowhere"), KR_INVALID);
	/* a gateway's text with a forged second log line, escapes, a tab, a bell, DEL */
	kerr_set(&err, KR_INVALID, "answer: %s",
	         "ok\r\n[alipay] X: refunded\x1b[2J\t\a\x7f系统繁忙");
	CHECK_STR(err.msg, "answer: ok??[alipay] X: refunded?[2J???系统繁忙");
	char longer[600];
	memset(longer, 'x', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	kerr_set(&err, KR_INVALID, "%s", longer);
	CHECK_INT(strlen(err.msg), sizeof err.msg - 1);
	/* a prefix before what a client said, cut at the size too */
	kerr_set(&err, KR_CONFIG, "app_key: cannot read");
	CHECK_INT(kerr_prefix(&err, KR_CONFIG, "%s: [alipay] ", "kiosk.ini"), KR_CONFIG);
	CHECK_STR(err.msg, "kiosk.ini: [alipay] app_key: cannot read");
	kerr_set(&err, KR_IO, "%s", longer);
	kerr_prefix(&err, KR_IO, "at\n");
	CHECK_INT(strlen(err.msg), sizeof err.msg - 1);
	CHECK(strncmp(err.msg, "at?xxx", 6) == 0);
	CHECK_INT(kerr_prefix(NULL, KR_IO, "nowhere"), KR_IO);
	return check_done();
}
