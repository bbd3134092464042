/* Build configuration: included first by every csctp .c file so that the
 * Makefile build and the cgo build see the same feature macros. */
#ifndef CSCTP_CONFIG_H
#define CSCTP_CONFIG_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

/* CSCTP_API marks the public symbols; everything else stays hidden in the
 * shared library. */
#if defined(__GNUC__) || defined(__clang__)
#define CSCTP_API __attribute__((visibility("default")))
#else
#define CSCTP_API
#endif

#endif
