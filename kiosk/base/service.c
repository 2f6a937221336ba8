/* service.c — what every service's create ends with (service.h). */
#include "base/service.h"

int service_created(int rc, const struct service_ops *ops, void *self, struct service *out)
{
	if (rc != KR_OK) {
		ops->destroy(self);
		return rc;
	}
	out->ops = ops;
	out->self = self;
	return KR_OK;
}
