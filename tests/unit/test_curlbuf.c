/* test_curlbuf.c — the bounded libcurl answer buffer: appends, terminates, aborts past its
 * capacity and marks it, empties again. */
#include <string.h>

#include "base/curlbuf.h"
#include "check.h"

int main(void)
{
	char store[9];
	struct curlbuf b = {.data = store, .cap = 8};
	curlbuf_reset(&b);
	CHECK_STR(b.data, "");
	char abc[] = "abc", defgh[] = "defgh", i[] = "i";
	CHECK_INT((int)curlbuf_write(abc, 1, 3, &b), 3);
	CHECK_INT((int)curlbuf_write(defgh, 5, 1, &b), 5); /* size × n */
	CHECK_STR(b.data, "abcdefgh");                     /* exactly the capacity */
	CHECK_INT(b.overflow, 0);
	CHECK_INT((int)curlbuf_write(i, 1, 1, &b), 0); /* one byte more: libcurl aborts */
	CHECK_INT(b.overflow, 1);
	CHECK_STR(b.data, "abcdefgh"); /* what came before is left whole */
	curlbuf_reset(&b);
	CHECK_INT(b.overflow, 0);
	CHECK_INT((int)b.len, 0);
	CHECK_INT((int)curlbuf_write(i, 1, 1, &b), 1);
	CHECK_STR(b.data, "i");
	return check_done();
}
