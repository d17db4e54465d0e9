/*
 * transport_list.h - the one place that lists the compiled-in transports.
 *
 * Adding a transport means writing transports/NAME.c that defines
 * `const struct yb_transport yb_transport_NAME` and adding X(NAME) here;
 * nothing in the engine changes.  Transports that need Xen are listed
 * under YB_HAVE_XEN, which the Makefile defines when pkg-config finds
 * Debian's libxen-dev.
 */
#ifndef YB_TRANSPORT_LIST_H
#define YB_TRANSPORT_LIST_H

#define YB_TRANSPORTS_PORTABLE(X) X(shm) X(unix) X(tcp) X(vsock)

#ifdef YB_HAVE_XEN
#define YB_TRANSPORTS_XEN(X) X(yasmin) X(vchan)
#else
#define YB_TRANSPORTS_XEN(X)
#endif

#define YB_TRANSPORTS(X) YB_TRANSPORTS_PORTABLE(X) YB_TRANSPORTS_XEN(X)

#endif /* YB_TRANSPORT_LIST_H */
