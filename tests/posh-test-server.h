/* posh-test-server.h: a loopback HTTPS "POSH host" for the tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A PoshTestServer is a SoupServer presenting ONE certificate identity from
 * tests/files, listening on 127.0.0.1 (and, with POSH_TEST_SERVER_IPV6, also
 * on ::1) on a port chosen by the kernel. It runs in its own thread with its
 * own GMainContext, so the code under test may use sync APIs on the test's
 * thread. All functions below may be called from the test's thread at any
 * time (the scripted responses and the request log are mutex-protected).
 *
 * Identities (tests/files/IDENTITY-chain.pem + the matching key):
 *   "example.com"            valid for example.com and *.example.com (test CA)
 *   "hosting.example.net"    valid for hosting.example.net (test CA)
 *   "evil.example"           valid, but only for evil.example (test CA)
 *   "example.com-untrusted"  example.com, signed by a CA nobody trusts
 *   "example.com-expired"    example.com, expired in 2020
 * Clients trust them through posh_test_tls_database () (posh-test-utils.h).
 *
 * Reaching it: the URL keeps the real host name and port 443; the TCP
 * connection goes to the loopback port, curl --connect-to style:
 *
 *   g_autoptr(PoshTestServer) server = posh_test_server_new ("example.com");
 *   g_autofree char *spec = posh_test_server_connect_to_spec (server, "example.com");
 *   // spec == "example.com:443:127.0.0.1:PORT"
 *   _posh_fetcher_add_connect_to (fetcher, spec, &error);
 *   // or posh_verifier_add_connect_to (verifier, spec) / --connect-to spec
 *
 *   posh_test_server_set_response (server, "/.well-known/posh/xmpp-client.json",
 *                                  200, "application/json", json, NULL);
 *   posh_test_server_set_redirect (server, "/old", 302, "https://hosting.example.net/new");
 *
 * Paths are matched exactly against the request path (no query). A path with
 * no scripted response answers 404 with an empty body. Every request is
 * counted and its headers kept, including those answered 404.
 *
 * Behaviours (posh_test_server_set_behaviour, on a path that also has a
 * response; the response's status, content type and extra headers are sent):
 *   NORMAL       the scripted body, with Content-Length
 *   LARGE        a body of exactly `size` bytes (the scripted body, padded
 *                with spaces), with Content-Length
 *   LARGE_CHUNKED the same body, chunked (no Content-Length)
 *   ENDLESS      a chunked body that never ends (1 KiB chunks forever)
 *   STALL        the headers, then nothing, ever (the request never finishes)
 *   SLOW         the scripted body one byte every `size` milliseconds
 *   HUGE_LENGTH  "Content-Length: size" but only the scripted body, then
 *                nothing (the connection stays open)
 *   NO_RESPONSE  the request is read, and nothing at all is ever sent back
 * Open requests are dropped when the server is freed.
 *
 * posh_test_server_free () stops the thread, closes all connections and
 * frees everything. Under valgrind (meson test --setup valgrind), tests/posh.supp
 * covers the one leak left: libsoup 3.2.3 itself loses the GSocket of every
 * connection its server accepts.
 */

#pragma once

#include <libsoup/soup.h>
#include <posh-gnutls/posh.h>

G_BEGIN_DECLS

typedef struct _PoshTestServer PoshTestServer;

typedef enum
{
  POSH_TEST_SERVER_DEFAULT = 0,
  POSH_TEST_SERVER_IPV6 = 1 << 0,     /* also listen on ::1 (another port) */
  POSH_TEST_SERVER_PLAIN_HTTP = 1 << 1, /* no TLS at all: a plain http: host, to
                                         * prove that nothing is ever sent to it */
} PoshTestServerFlags;

typedef enum
{
  POSH_TEST_BEHAVIOUR_NORMAL,
  POSH_TEST_BEHAVIOUR_LARGE,
  POSH_TEST_BEHAVIOUR_LARGE_CHUNKED,
  POSH_TEST_BEHAVIOUR_ENDLESS,
  POSH_TEST_BEHAVIOUR_STALL,
  POSH_TEST_BEHAVIOUR_SLOW,
  POSH_TEST_BEHAVIOUR_HUGE_LENGTH,
  POSH_TEST_BEHAVIOUR_NO_RESPONSE,
} PoshTestBehaviour;

/* Asserts on failure (missing files, no TLS: call POSH_TEST_SKIP_IF_NO_TLS
 * first). */
PoshTestServer *posh_test_server_new              (const char          *identity);
PoshTestServer *posh_test_server_new_full         (const char          *identity,
                                                   PoshTestServerFlags  flags);
void            posh_test_server_free             (PoshTestServer      *server);

/* The 127.0.0.1 port, and the ::1 port (0 without POSH_TEST_SERVER_IPV6). */
guint16         posh_test_server_get_port         (PoshTestServer      *server);
guint16         posh_test_server_get_port6        (PoshTestServer      *server);

/* "HOST:443:127.0.0.1:PORT" (transfer full); with POSH_TEST_SERVER_PLAIN_HTTP
 * "HOST:80:127.0.0.1:PORT" */
char           *posh_test_server_connect_to_spec  (PoshTestServer      *server,
                                                   const char          *host);
/* "HOST:443:[::1]:PORT6" (transfer full); needs POSH_TEST_SERVER_IPV6 */
char           *posh_test_server_connect_to_spec6 (PoshTestServer      *server,
                                                   const char          *host);

/* Script the answer for path. content_type, body, location: (nullable).
 * Replaces any earlier response for that path (and resets its behaviour
 * and extra headers). */
void            posh_test_server_set_response     (PoshTestServer      *server,
                                                   const char          *path,
                                                   guint                status,
                                                   const char          *content_type,
                                                   const char          *body,
                                                   const char          *location);
/* Shorthands: 200 application/json with body; status with Location. */
void            posh_test_server_set_json         (PoshTestServer      *server,
                                                   const char          *path,
                                                   const char          *body);
void            posh_test_server_set_redirect     (PoshTestServer      *server,
                                                   const char          *path,
                                                   guint                status,
                                                   const char          *location);
/* An extra response header for path (e.g. "Cache-Control"); call after
 * set_response. */
void            posh_test_server_add_header       (PoshTestServer      *server,
                                                   const char          *path,
                                                   const char          *name,
                                                   const char          *value);
/* size: LARGE/LARGE_CHUNKED/HUGE_LENGTH byte count, SLOW interval in ms;
 * ignored otherwise. Call after set_response. */
void            posh_test_server_set_behaviour    (PoshTestServer      *server,
                                                   const char          *path,
                                                   PoshTestBehaviour    behaviour,
                                                   gsize                size);

/* Requests seen for path (any method), and in total. */
guint           posh_test_server_get_request_count (PoshTestServer     *server,
                                                    const char         *path);
guint           posh_test_server_get_total_request_count (PoshTestServer *server);
/* Blocks the calling thread until count requests for path have arrived
 * (use it from a helper thread, e.g. to cancel a sync call mid-request;
 * the test's own thread must keep iterating for async clients). */
void            posh_test_server_wait_for_requests (PoshTestServer     *server,
                                                    const char         *path,
                                                    guint               count);
/* A copy of the request headers of the last request for path, or NULL if
 * none came. (transfer full) */
SoupMessageHeaders *posh_test_server_get_last_request_headers (PoshTestServer *server,
                                                               const char     *path);
/* The method of the last request for path, or NULL. (transfer full) */
char           *posh_test_server_get_last_method  (PoshTestServer      *server,
                                                   const char          *path);

/* A PoshVerifier for tests against loopback hosts: it trusts only
 * tests/files/ca.pem, has a generous 120 s timeout (under valgrind a
 * loopback fetch takes seconds) and connect-to entries that send
 * example.com to source and hosting.example.net to hosting. (transfer full) */
PoshVerifier   *posh_test_verifier_new            (PoshTestServer      *source,
                                                   PoshTestServer      *hosting);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PoshTestServer, posh_test_server_free)

G_END_DECLS
