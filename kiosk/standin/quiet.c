/* quiet.c — STAND-INs for the key dispenser and central sync. The dispenser always has a
 * blank key and the user always takes it; sync sends nothing, so the outbox only grows,
 * and says how many events wait when it stops. */
#include <stdlib.h>

#include "standin/standin.h"
#include "store/store.h"

struct quiet {
	struct service_host host;
	int is_sync;
};

static void submit(void *self, const struct flow_request *req)
{
	struct quiet *q = self;
	struct flow_event ev = {.order_id = req->order_id};
	if (req->kind == FREQ_KEY_ISSUE)
		ev.kind = FEV_KEY_BLANK_READY;
	else if (req->kind == FREQ_KEY_HAND_OUT)
		ev.kind = FEV_KEY_TAKEN;
	else
		return;
	fprintf(q->host.trace, "[stand-in dispenser] order %s: %s\n", req->order_no,
	        flow_request_name(req->kind));
	q->host.post(q->host.app, &ev);
}

static void destroy(void *self)
{
	struct quiet *q = self;
	int64_t n = 0;
	struct kerr err;
	if (q->is_sync && store_outbox_pending(q->host.store, &n, &err) == KR_OK)
		fprintf(q->host.trace,
		        "[stand-in sync] %lld events wait in the outbox (not sent)\n",
		        (long long)n);
	free(q);
}

static const struct service_ops ops = {"standin", 1, submit, NULL, destroy};

static int create(const struct service_host *host, int is_sync, struct service *out,
                  struct kerr *err)
{
	int rc = standin_new(sizeof(struct quiet), host, &ops, out, err);
	if (rc == KR_OK)
		((struct quiet *)out->self)->is_sync = is_sync;
	return rc;
}

int standin_dispenser_create(const struct service_host *host, struct service *out, struct kerr *err)
{
	return create(host, 0, out, err);
}

int standin_sync_create(const struct service_host *host, struct service *out, struct kerr *err)
{
	return create(host, 1, out, err);
}
