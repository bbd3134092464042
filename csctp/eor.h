/* eor.h -- explicit end of record (RFC 6458 8.1.26 SCTP_EXPLICIT_EOR): one
 * user message written in several parts. Internal to the engine.
 *
 * csctp_send with CSCTP_SEND_MORE opens a message on its association (or
 * adds to the one open); the next send without it on the same stream ends
 * it (an empty last part is allowed). The message takes its SSN and its
 * sndinfo (stream, PPID, order) from the first part. Its fragments are
 * queued as the parts come, each its own csctp_msg_out, in the send queue's
 * FIFO, so they get consecutive TSNs (RFC 9260 6.9) while the message is
 * longer than the send buffer: acknowledged fragments free room for the
 * next parts. The last fragment-sized piece is held back until more data
 * or the end comes, so the fragment with the E bit is never already sent
 * when the message ends.
 *
 * One message at a time per association: without I-DATA (RFC 8260) the
 * fragments of another message could not be placed between this one's
 * TSNs, so while a message is open a send on another stream fails with
 * CSCTP_ERR_INVAL (as FreeBSD's stack, which locks the stream; RFC 6458
 * 8.1.26 leaves it to the implementation). PR-SCTP policies are refused for
 * parts (CSCTP_ERR_INVAL): abandoning one fragment of a message would leave
 * the peer a message that can never complete. A message that fails is
 * reported by SEND_FAILED in the pieces queued (the held piece is freed
 * with the association). */
#ifndef CSCTP_EOR_H
#define CSCTP_EOR_H

#include "csctp.h"

#include <stddef.h>
#include <stdint.h>

struct csctp_assoc;

/* csctp_eor_push adds a part (len bytes, 0 only to end an open message) to
 * the association's open message, opening it if none is. Returns 0,
 * CSCTP_ERR_INVAL (another stream's message is open, a PR-SCTP policy),
 * CSCTP_ERR_AGAIN (the stream's ordered limit, RFC 9260 6.1) or
 * CSCTP_ERR_NOMEM; on failure nothing of the part was taken. The caller
 * checks the association's state and send buffer. */
int csctp_eor_push(struct csctp_assoc *a, const csctp_sndinfo *info,
                   const uint8_t *data, size_t len);

/* csctp_eor_held returns the bytes of the open message not yet queued
 * (counted in the send buffer), 0 if none is open. */
size_t csctp_eor_held(const struct csctp_assoc *a);

/* csctp_eor_free drops the open message (association end or restart). */
void csctp_eor_free(struct csctp_assoc *a);

#endif
