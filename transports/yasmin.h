/*
 * yasmin.h - what the wrap shim asks of a yasmin endpoint beyond the
 * transport interface (transports/yasmin.c).
 */
#ifndef YB_YASMIN_H
#define YB_YASMIN_H

#include "core/wire/transport.h"

/* A connection's peer domain (an accepted or connected yasmin endpoint). */
unsigned yb_yasmin_peer_dom(const struct yb_ep *ep);

/*
 * A listener: look at domain dom's requests on the next accept, whether
 * or not XenStore has told us of them yet.
 */
void yb_yasmin_look_at(struct yb_ep *listener, unsigned dom);

#endif /* YB_YASMIN_H */
