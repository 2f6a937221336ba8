/* standin.c — what every stand-in shares: how one is made and freed. */
#include "standin/standin.h"

#include <stdlib.h>
#include <string.h>

int standin_new(size_t size, const struct service_host *host, const struct service_ops *ops,
                struct service *out, struct kerr *err)
{
	void *self = calloc(1, size);
	if (!self)
		return kerr_set(err, KR_NOMEM, "out of memory for the %s stand-in", ops->kind);
	memcpy(self, host, sizeof *host);
	out->ops = ops;
	out->self = self;
	return KR_OK;
}

void standin_free(void *self)
{
	free(self);
}
