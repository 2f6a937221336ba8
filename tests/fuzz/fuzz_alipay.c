/* fuzz_alipay.c — fuzz target for the gateway answer reader: node splitting by brace
 * matching, sign extraction, signature verification and field reading. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "pay/alipay.h"
#include "pay/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY *key;
	if (!key)
		key = EVP_RSA_gen(1024); /* any key: nothing fuzzed is validly signed */
	char *body = malloc(size + 1);
	if (!body)
		return 0;
	memcpy(body, data, size);
	body[size] = '\0';
	struct alipay_reply r;
	struct kerr err = {{0}};
	if (alipay_reply_parse(key, body, size, "alipay_trade_query_response", &r, &err) == KR_OK &&
	    alipay_action_of(ALIPAY_QUERY, &r) == ALIPAY_OK)
		abort(); /* an unsigned or forged answer was believed */
	free(body);
	return 0;
}
