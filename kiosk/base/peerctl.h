/* peerctl.h — steering a simulated peer (the Alipay gateway peer, the central-site peer)
 * through its plain-HTTP control port on 127.0.0.1, for the scenario runner and the demo
 * (app/steer.c). A real kiosk has `control = none` and never calls it. */
#ifndef KIOSK_PEERCTL_H
#define KIOSK_PEERCTL_H

#include "core/result.h"

/* GETs base + path (the answer is read and dropped, at most 4 KiB). who names the peer in
 * messages ("the gateway peer"). KR_INVALID when base is "none"; KR_IO when the peer does
 * not answer 200. */
int peerctl_get(const char *base, const char *path, const char *who, struct kerr *err);

#endif
