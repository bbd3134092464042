/* Build configuration: included first by every csctp .c file so that the
 * Makefile build and the cgo build see the same feature macros. */
#ifndef CSCTP_CONFIG_H
#define CSCTP_CONFIG_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
/* macOS: every BSD interface, and the RFC 3542 IPv6 socket API
 * (IPV6_RECVPKTINFO, struct in6_pktinfo). */
#if defined(__APPLE__)
#ifndef _DARWIN_C_SOURCE
#define _DARWIN_C_SOURCE 1
#endif
#ifndef __APPLE_USE_RFC_3542
#define __APPLE_USE_RFC_3542 1
#endif
#endif

/* CSCTP_API marks the public symbols; everything else stays hidden in the
 * shared library. */
#if defined(__GNUC__) || defined(__clang__)
#define CSCTP_API __attribute__((visibility("default")))
#else
#define CSCTP_API
#endif

#endif
