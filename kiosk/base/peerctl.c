/* peerctl.c — GET requests to a simulated peer's control port. */
#include "base/peerctl.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#define PEERCTL_ANSWER_MAX 4096

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	size_t len = size * n, *used = ctx;
	*used += len;
	(void)data;
	return *used > PEERCTL_ANSWER_MAX ? 0 : len;
}

int peerctl_get(const char *base, const char *path, const char *who, struct kerr *err)
{
	char url[1024];
	size_t used = 0;
	long status = 0;
	if (strcmp(base, "none") == 0)
		return kerr_set(err, KR_INVALID, "no %s to steer (control = none)", who);
	snprintf(url, sizeof url, "%s%s", base, path);
	CURL *c = curl_easy_init();
	if (!c)
		return kerr_set(err, KR_NOMEM, "out of memory");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &used);
	CURLcode cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK || status != 200)
		return kerr_set(err, KR_IO, "%s refused %s (%s, HTTP %ld)", who, path,
		                curl_easy_strerror(cc), status);
	return KR_OK;
}
