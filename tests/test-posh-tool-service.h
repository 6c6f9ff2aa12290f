/* test-posh-tool-service.h: in-process TLS and XMPP services for the
 * posh-tool `check` tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A service listens on 127.0.0.1 on a port chosen by the kernel, in its own
 * thread, and presents the hosting provider's certificate
 * (tests/files/hosting.example.net-chain.pem), as a hosted domain's XMPP
 * server does. It serves one connection at a time, records what the client
 * sent before TLS and counts the bytes it sends after the handshake (RFC
 * 7711 §5, R36: there must be none).
 *
 *   g_autoptr(PoshToolTestService) service = posh_tool_test_service_new (MODE);
 *   ... posh-tool check example.com --host 127.0.0.1 --port PORT ...
 *   posh_tool_test_service_wait_served (service, 1);
 *   g_autofree char *sent = posh_tool_test_service_get_received (service);
 *
 * The client (a subprocess) can exit before the service thread has seen
 * the end of its handshake or of the connection: the counters below are
 * final for a connection only once posh_tool_test_service_wait_served()
 * has returned for it.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  POSH_TOOL_TEST_SERVICE_TLS,     /* direct TLS */
  POSH_TOOL_TEST_SERVICE_XMPP,    /* XMPP STARTTLS (RFC 6120 §5.4), then TLS */
  POSH_TOOL_TEST_SERVICE_SILENT,  /* reads the stream header, never answers */
} PoshToolTestServiceMode;

typedef struct _PoshToolTestService PoshToolTestService;

PoshToolTestService *posh_tool_test_service_new           (PoshToolTestServiceMode mode);
void                 posh_tool_test_service_free          (PoshToolTestService *service);
guint16              posh_tool_test_service_get_port      (PoshToolTestService *service);
/* Blocks until @n_connections connections (counted since the service
 * started) have been served to their end: closed by the client, refused,
 * or failed. Aborts the test after a generous bound. */
void                 posh_tool_test_service_wait_served   (PoshToolTestService *service,
                                                           guint                n_connections);
/* What the last client sent before TLS (transfer full). */
char                *posh_tool_test_service_get_received  (PoshToolTestService *service);
guint                posh_tool_test_service_get_handshakes (PoshToolTestService *service);
/* Bytes received after completed handshakes, over all connections. */
gsize                posh_tool_test_service_get_app_bytes (PoshToolTestService *service);

/* A loopback port nothing listens on (bound, then closed). */
guint16              posh_tool_test_free_port             (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PoshToolTestService, posh_tool_test_service_free)

G_END_DECLS
