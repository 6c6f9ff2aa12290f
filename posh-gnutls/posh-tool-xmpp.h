/* posh-tool-xmpp.h: XMPP STARTTLS for posh-tool (never installed)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define POSH_TOOL_XMPP_NS_STREAMS "http://etherx.jabber.org/streams"
#define POSH_TOOL_XMPP_NS_TLS     "urn:ietf:params:xml:ns:xmpp-tls"
#define POSH_TOOL_XMPP_NS_ERRORS  "urn:ietf:params:xml:ns:xmpp-streams"

/* Everything the server sends before TLS must fit in this many bytes. */
#define POSH_TOOL_XMPP_MAX_PRE_TLS (64 * 1024)
/* Deeper nesting than this before TLS is refused. */
#define POSH_TOOL_XMPP_MAX_DEPTH   16

/* What the reader saw complete, one at a time. */
typedef enum
{
  POSH_TOOL_XMPP_EVENT_NONE,          /* need more bytes */
  POSH_TOOL_XMPP_EVENT_FEATURES,      /* </stream:features> */
  POSH_TOOL_XMPP_EVENT_PROCEED,       /* <proceed xmlns='...xmpp-tls'/> */
  POSH_TOOL_XMPP_EVENT_FAILURE,       /* <failure xmlns='...xmpp-tls'/> */
  POSH_TOOL_XMPP_EVENT_STREAM_ERROR,  /* </stream:error> */
  POSH_TOOL_XMPP_EVENT_STREAM_END,    /* </stream:stream> */
} PoshToolXmppEvent;

typedef struct _PoshToolXmppReader PoshToolXmppReader;

PoshToolXmppReader *_posh_tool_xmpp_reader_new  (void);
void                _posh_tool_xmpp_reader_free (PoshToolXmppReader *reader);

/* Feed bytes as they arrive, in pieces of any size. Returns how many bytes
 * were consumed: all of them, or fewer when an event completed (the event
 * ends exactly at the returned offset, so whatever follows is still the
 * caller's). -1 with G_IO_ERROR_INVALID_DATA for XML that is not a
 * well-formed XMPP stream, G_IO_ERROR_MESSAGE_TOO_LARGE beyond
 * POSH_TOOL_XMPP_MAX_PRE_TLS bytes. */
gssize   _posh_tool_xmpp_reader_feed             (PoshToolXmppReader *reader,
                                                  const char         *data,
                                                  gsize               len,
                                                  PoshToolXmppEvent  *event,
                                                  GError            **error);

/* Attributes of the server's stream header (NULL until it was read). */
const char *_posh_tool_xmpp_reader_get_stream_from    (PoshToolXmppReader *reader);
const char *_posh_tool_xmpp_reader_get_stream_id      (PoshToolXmppReader *reader);
const char *_posh_tool_xmpp_reader_get_stream_version (PoshToolXmppReader *reader);
const char *_posh_tool_xmpp_reader_get_stream_ns      (PoshToolXmppReader *reader);
/* From the last <stream:features/>. */
gboolean    _posh_tool_xmpp_reader_has_starttls       (PoshToolXmppReader *reader);
gboolean    _posh_tool_xmpp_reader_starttls_required  (PoshToolXmppReader *reader);
/* From <stream:error/>: the defined condition (e.g. "host-unknown") and
 * the optional <text/>. */
const char *_posh_tool_xmpp_reader_get_error_condition (PoshToolXmppReader *reader);
const char *_posh_tool_xmpp_reader_get_error_text      (PoshToolXmppReader *reader);

/* The initial stream header the initiating entity sends (RFC 6120 §4.7):
 * to=DOMAIN, version 1.0, jabber:client or jabber:server. (transfer full) */
char    *_posh_tool_xmpp_stream_header (const char *domain,
                                        gboolean    server);

/* What the negotiation learnt about the server. */
typedef struct
{
  char     *stream_from;        /* (owned) (nullable) */
  char     *stream_id;          /* (owned) (nullable) */
  gboolean  starttls_required;
} PoshToolXmppInfo;

void     _posh_tool_xmpp_info_clear    (PoshToolXmppInfo *info);

/* Negotiate STARTTLS on @stream (RFC 6120 §5.4): send the stream header for
 * @domain, read the features, send <starttls/>, wait for <proceed/>. On
 * success, @stream is ready for the TLS handshake and no byte after
 * <proceed/> has been read (data that arrives with <proceed/> is refused:
 * it would be injected before TLS). */
gboolean _posh_tool_xmpp_starttls      (GIOStream        *stream,
                                        const char       *domain,
                                        gboolean          server,
                                        GCancellable     *cancellable,
                                        PoshToolXmppInfo *info,
                                        GError          **error);

G_END_DECLS
