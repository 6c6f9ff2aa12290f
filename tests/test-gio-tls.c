/* test-gio-tls.c: POSH inside GIO TLS handshakes (posh-tls.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A GTlsClientConnection for example.com (server-identity example.com, the
 * test CA as trust store) talks to a loopback GTlsServerConnection that
 * presents the hosting provider's certificate (hosting.example.net, RFC
 * 7712 §1). The PoshVerifier fetches example.com's document from the
 * loopback HTTPS POSH host first; the accept-certificate handler then
 * decides from the cache alone.
 */

#include "config.h"

#include <posh-gnutls/posh.h>

#include "posh-test-server.h"
#include "posh-test-utils.h"
#include "files/fingerprints.h"

#define CLIENT_PATH "/.well-known/posh/xmpp-client.json"

typedef struct
{
  PoshTestServer *http;      /* example.com's HTTPS POSH host */
  GTlsDatabase   *database;  /* trusts tests/files/ca.pem */
  PoshVerifier   *verifier;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *spec = NULL;

  if (!posh_test_have_tls ())
    return;

  f->http = posh_test_server_new ("example.com");
  f->database = posh_test_tls_database ();
  f->verifier = posh_verifier_new ();
  posh_verifier_set_tls_database (f->verifier, f->database);
  spec = posh_test_server_connect_to_spec (f->http, "example.com");
  posh_test_verifier_add_connect_to (f->verifier, spec);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->verifier);
  g_clear_object (&f->database);
  g_clear_pointer (&f->http, posh_test_server_free);
  posh_test_drain_main_context ();
}

/* Publish json (unless NULL) as example.com's document for service and
 * fetch it; returns the fetch error. */
static GError *
publish_and_fetch_service (Fixture    *f,
                           const char *service,
                           const char *json)
{
  g_autofree char *path = g_strdup_printf ("/.well-known/posh/%s.json", service);
  g_autoptr(PoshDocument) document = NULL;
  GError *error = NULL;

  if (json != NULL)
    posh_test_server_set_json (f->http, path, json);
  document = posh_verifier_fetch (f->verifier, "example.com", service, NULL, &error);
  g_assert_true ((document == NULL) == (error != NULL));
  return error;
}

/* The same for xmpp-client. */
static GError *
publish_and_fetch (Fixture    *f,
                   const char *json)
{
  return publish_and_fetch_service (f, "xmpp-client", json);
}

/* Publish and fetch a document listing sha256 for service. */
static void
publish_service_fingerprint (Fixture    *f,
                             const char *service,
                             const char *sha256)
{
  g_autofree char *json = posh_test_fingerprints_json (sha256, 3600);
  GError *error = publish_and_fetch_service (f, service, json);

  g_assert_no_error (error);
}

static void
publish_fingerprint (Fixture    *f,
                     const char *sha256)
{
  publish_service_fingerprint (f, "xmpp-client", sha256);
}

/* ---- a loopback TLS handshake ------------------------------------------ */

typedef struct
{
  GTlsCertificate *server_certificate;
  GCancellable    *server_cancellable;
  GIOStream       *server_tls;
  GTlsConnection  *client_tls;
  GError          *client_error;
  gboolean         client_done;
  gboolean         server_done;
} Handshake;

static void
server_handshake_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Handshake *hs = user_data;

  g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, NULL);
  hs->server_done = TRUE;
}

static void
accept_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Handshake *hs = user_data;
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GError) error = NULL;

  tcp = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result,
                                         NULL, &error);
  if (tcp == NULL)
    {
      hs->server_done = TRUE;
      return;
    }

  hs->server_tls = g_tls_server_connection_new (G_IO_STREAM (tcp),
                                                hs->server_certificate, &error);
  g_assert_no_error (error);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (hs->server_tls),
                                    G_PRIORITY_DEFAULT, hs->server_cancellable,
                                    server_handshake_cb, hs);
}

static void
client_handshake_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Handshake *hs = user_data;

  g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result,
                                     &hs->client_error);
  hs->client_done = TRUE;
}

static GSocketListener *
listen_loopback (guint16 *port)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective,
                                 &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  return g_steal_pointer (&listener);
}

/* A TLS client connection (no handshake yet) over TCP to 127.0.0.1:port,
 * with the server identity example.com:identity_port and the test CA as
 * its trust store. (transfer full) */
static GIOStream *
loopback_tls_client (Fixture *f,
                     guint16  port,
                     guint16  identity_port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnectable) target = g_network_address_new ("127.0.0.1", port);
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("example.com",
                                                                   identity_port);
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GError) error = NULL;
  GIOStream *tls;

  tcp = g_socket_client_connect (client, target, NULL, &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (G_IO_STREAM (tcp), identity, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), f->database);
  return tls;
}

static GTlsConnection *
connect_client (Fixture      *f,
                guint16       port,
                PoshTlsFlags  flags)
{
  /* The STARTTLS pattern: the identity is the stream's `to` (R56). */
  GIOStream *tls = loopback_tls_client (f, port, 5222);

  g_assert_cmpuint (posh_verifier_attach_to_connection (
                      f->verifier, G_TLS_CONNECTION (tls), "example.com",
                      "xmpp-client", flags), >, 0);
  return G_TLS_CONNECTION (tls);
}

/* Runs both sides of a handshake; the server presents tests/files/NAME-chain.pem.
 * Returns the client connection (handshake done) and its error, if any. */
static GTlsConnection *
run_handshake (Fixture       *f,
               const char    *name,
               PoshTlsFlags   flags,
               GError       **error)
{
  g_autoptr(GSocketListener) listener = NULL;
  Handshake hs = { NULL, };
  guint16 port = 0;

  hs.server_certificate = posh_test_certificate_with_key (name);
  hs.server_cancellable = g_cancellable_new ();
  listener = listen_loopback (&port);
  g_socket_listener_accept_async (listener, hs.server_cancellable, accept_cb, &hs);

  hs.client_tls = connect_client (f, port, flags);
  g_tls_connection_handshake_async (hs.client_tls, G_PRIORITY_DEFAULT, NULL,
                                    client_handshake_cb, &hs);
  while (!hs.client_done)
    g_main_context_iteration (NULL, TRUE);

  /* A rejected handshake may leave the server waiting: stop it. */
  g_cancellable_cancel (hs.server_cancellable);
  if (hs.client_error != NULL)
    g_io_stream_close (G_IO_STREAM (hs.client_tls), NULL, NULL);
  while (!hs.server_done)
    g_main_context_iteration (NULL, TRUE);

  g_socket_listener_close (listener);
  g_clear_object (&hs.server_tls);
  g_clear_object (&hs.server_cancellable);
  g_clear_object (&hs.server_certificate);
  if (hs.client_error != NULL)
    g_propagate_error (error, hs.client_error);
  return hs.client_tls;
}

static void
assert_handshake_rejected (Fixture      *f,
                           const char   *name,
                           PoshTlsFlags  flags)
{
  g_autoptr(GTlsConnection) client = NULL;
  g_autoptr(GError) error = NULL;

  client = run_handshake (f, name, flags, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
}

/* ---- handshakes -------------------------------------------------------- */

/* R25, RFC 7712 §5.2: delegation, the hosting provider's certificate is
 * accepted for example.com because example.com lists its fingerprint. */
static void
test_handshake_match (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GTlsConnection) client = NULL;
  g_autoptr(GError) error = NULL;
  PoshVerifyStatus status = POSH_VERIFY_STATUS_CERT_DIFFERS;

  POSH_TEST_SKIP_IF_NO_TLS ();
  publish_fingerprint (f, FP_HOSTING_EXAMPLE_NET_SHA256);

  client = run_handshake (f, "hosting.example.net", POSH_TLS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  /* PKIX alone rejects it: only the name is wrong. */
  g_assert_cmpuint (g_tls_connection_get_peer_certificate_errors (client), ==,
                    G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_assert_true (posh_verifier_check_connection (f->verifier, client,
                                                 "example.com", "xmpp-client",
                                                 POSH_TLS_FLAGS_NONE, &status,
                                                 &error));
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, POSH_VERIFY_STATUS_NONE);
}

/* R22/R45: the match may be any descriptor (roll-over document). */
static void
test_handshake_rollover (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GTlsConnection) client = NULL;
  g_autoptr(GBytes) json = posh_test_file_bytes ("hosting-rollover.json");
  g_autofree char *text = g_strndup (g_bytes_get_data (json, NULL),
                                     g_bytes_get_size (json));
  g_autoptr(GError) error = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  g_assert_no_error (publish_and_fetch (f, text));

  client = run_handshake (f, "hosting-rollover", POSH_TLS_FLAGS_NONE, &error);
  g_assert_no_error (error);
}

/* R23: a document listing another certificate: the handshake fails. */
static void
test_handshake_other_fingerprint (Fixture       *f,
                                  gconstpointer  data)
{
  POSH_TEST_SKIP_IF_NO_TLS ();
  publish_fingerprint (f, FP_XMPP_OTHER_SHA256);
  assert_handshake_rejected (f, "hosting.example.net", POSH_TLS_FLAGS_NONE);
}

/* R13, E25: no document (404) is "POSH unavailable", never a match. */
static void
test_handshake_no_document (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  error = publish_and_fetch (f, NULL);
  g_assert_error (error, POSH_ERROR, POSH_ERROR_NO_POSH_DATA);
  assert_handshake_rejected (f, "hosting.example.net", POSH_TLS_FLAGS_NONE);
}

/* R20: expires 0 invalidates the material; nothing is cached. */
static void
test_handshake_expires_zero (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *json = posh_test_fingerprints_json (FP_HOSTING_EXAMPLE_NET_SHA256, 0);
  g_autoptr(GError) error = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  error = publish_and_fetch (f, json);
  g_assert_error (error, POSH_ERROR, POSH_ERROR_INVALIDATED);
  assert_handshake_rejected (f, "hosting.example.net", POSH_TLS_FLAGS_NONE);
}

/* R24: a matching document never makes an expired certificate acceptable. */
static void
test_handshake_expired (Fixture       *f,
                        gconstpointer  data)
{
  POSH_TEST_SKIP_IF_NO_TLS ();
  publish_fingerprint (f, FP_XMPP_EXPIRED_SHA256);
  assert_handshake_rejected (f, "xmpp-expired", POSH_TLS_FLAGS_NONE);
}

/* R24: nor a certificate that is not valid yet. */
static void
test_handshake_not_activated (Fixture       *f,
                              gconstpointer  data)
{
  POSH_TEST_SKIP_IF_NO_TLS ();
  publish_fingerprint (f, FP_XMPP_NOTYET_SHA256);
  assert_handshake_rejected (f, "xmpp-notyet", POSH_TLS_FLAGS_NONE);
}

/* Pin-only: the provider's certificate does not name example.com, so PKIX
 * fails and the match does not help. */
static void
test_handshake_pin_only_bad_identity (Fixture       *f,
                                      gconstpointer  data)
{
  POSH_TEST_SKIP_IF_NO_TLS ();
  publish_fingerprint (f, FP_HOSTING_EXAMPLE_NET_SHA256);
  assert_handshake_rejected (f, "hosting.example.net", POSH_TLS_FLAGS_PIN_ONLY);
}

/* Pin-only: a PKIX-valid certificate that POSH lists passes both checks. */
static void
test_pin_only_match (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GTlsConnection) client = NULL;
  g_autoptr(GError) error = NULL;
  PoshVerifyStatus status = POSH_VERIFY_STATUS_CERT_DIFFERS;

  POSH_TEST_SKIP_IF_NO_TLS ();
  publish_fingerprint (f, FP_EXAMPLE_COM_SHA256);

  client = run_handshake (f, "example.com", POSH_TLS_FLAGS_PIN_ONLY, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_tls_connection_get_peer_certificate_errors (client), ==, 0);
  g_assert_true (posh_verifier_check_connection (f->verifier, client,
                                                 "example.com", "xmpp-client",
                                                 POSH_TLS_FLAGS_PIN_ONLY,
                                                 &status, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, POSH_VERIFY_STATUS_NONE);
}

/* Pin-only: GIO never asks about a PKIX-valid certificate, so the pin is
 * checked after the handshake, and an unlisted certificate fails it. */
static void
test_pin_only_mismatch_after_handshake (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(GTlsConnection) client = NULL;
  g_autoptr(GError) error = NULL;
  PoshVerifyStatus status = POSH_VERIFY_STATUS_NONE;

  POSH_TEST_SKIP_IF_NO_TLS ();
  publish_fingerprint (f, FP_HOSTING_EXAMPLE_NET_SHA256);

  client = run_handshake (f, "example.com", POSH_TLS_FLAGS_PIN_ONLY, &error);
  g_assert_no_error (error);
  g_assert_false (posh_verifier_check_connection (f->verifier, client,
                                                  "example.com", "xmpp-client",
                                                  POSH_TLS_FLAGS_PIN_ONLY,
                                                  &status, &error));
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpuint (status, ==, POSH_VERIFY_STATUS_CERT_DIFFERS);
}

/* ---- incoming s2s: the peer's client certificate (E24) ----------------- */

typedef struct
{
  Fixture         *fixture;
  GTlsCertificate *our_certificate;
  GIOStream       *server_tls;
  GError          *server_error;
  gboolean         server_done;
  gboolean         client_done;
} Incoming;

static void
incoming_server_done_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  Incoming *in = user_data;

  g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result,
                                     &in->server_error);
  in->server_done = TRUE;
}

static void
incoming_client_done_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  Incoming *in = user_data;

  g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, NULL);
  in->client_done = TRUE;
}

/* We are the receiving server: the peer claims example.com and presents
 * its certificate as a TLS client certificate. */
static void
incoming_accept_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Incoming *in = user_data;
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GError) error = NULL;

  tcp = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result,
                                         NULL, &error);
  g_assert_no_error (error);
  in->server_tls = g_tls_server_connection_new (G_IO_STREAM (tcp),
                                                in->our_certificate, &error);
  g_assert_no_error (error);
  g_object_set (in->server_tls, "authentication-mode",
                G_TLS_AUTHENTICATION_REQUIRED, NULL);
  g_tls_connection_set_database (G_TLS_CONNECTION (in->server_tls),
                                 in->fixture->database);
  posh_verifier_attach_to_connection (in->fixture->verifier,
                                      G_TLS_CONNECTION (in->server_tls),
                                      "example.com", "xmpp-server",
                                      POSH_TLS_FLAGS_NONE);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (in->server_tls),
                                    G_PRIORITY_DEFAULT, NULL,
                                    incoming_server_done_cb, in);
}

/* Returns the error of OUR (the server's) side of the handshake. */
static GError *
run_incoming (Fixture    *f,
              const char *peer_name)
{
  g_autoptr(GSocketListener) listener = NULL;
  g_autoptr(GTlsCertificate) peer_certificate = posh_test_certificate_with_key (peer_name);
  g_autoptr(GIOStream) peer_tls = NULL;
  Incoming in = { f, NULL, };
  guint16 port = 0;

  in.our_certificate = posh_test_certificate_with_key ("example.com");
  listener = listen_loopback (&port);
  g_socket_listener_accept_async (listener, NULL, incoming_accept_cb, &in);

  peer_tls = loopback_tls_client (f, port, 5269);
  g_tls_connection_set_certificate (G_TLS_CONNECTION (peer_tls), peer_certificate);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (peer_tls),
                                    G_PRIORITY_DEFAULT, NULL,
                                    incoming_client_done_cb, &in);

  while (!in.server_done)
    g_main_context_iteration (NULL, TRUE);
  g_io_stream_close (in.server_tls, NULL, NULL);
  while (!in.client_done)
    g_main_context_iteration (NULL, TRUE);

  g_socket_listener_close (listener);
  g_clear_object (&in.server_tls);
  g_clear_object (&in.our_certificate);
  return in.server_error;
}

/* E24: a receiving server accepts the peer's certificate for the domain
 * it claims when that domain's xmpp-server document lists it. */
static void
test_incoming_match (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  publish_service_fingerprint (f, "xmpp-server", FP_HOSTING_EXAMPLE_NET_SHA256);
  error = run_incoming (f, "hosting.example.net");
  g_assert_no_error (error);
}

/* E24: GIO does not know the claimed domain, so it finds nothing wrong with
 * a PKIX-valid client certificate; POSH still refuses an unlisted one. */
static void
test_incoming_mismatch (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  publish_service_fingerprint (f, "xmpp-server", FP_XMPP_OTHER_SHA256);
  error = run_incoming (f, "hosting.example.net");
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
}

/* ---- accept_certificate without a handshake ---------------------------- */

/* Flags no POSH match overrides, even with a matching cached document
 * (E21: the validity period still holds after a match, R24). */
static void
test_accept_forbidden_errors (Fixture       *f,
                              gconstpointer  data)
{
  const GTlsCertificateFlags forbidden[] = {
    G_TLS_CERTIFICATE_EXPIRED, G_TLS_CERTIFICATE_NOT_ACTIVATED,
    G_TLS_CERTIFICATE_REVOKED, G_TLS_CERTIFICATE_INSECURE,
    G_TLS_CERTIFICATE_GENERIC_ERROR,
  };
  g_autoptr(GTlsCertificate) peer = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  publish_fingerprint (f, FP_HOSTING_EXAMPLE_NET_SHA256);
  peer = posh_test_certificate ("hosting.example.net.pem");

  for (gsize i = 0; i < G_N_ELEMENTS (forbidden); i++)
    {
      g_autoptr(GError) error = NULL;
      PoshVerifyStatus status = (PoshVerifyStatus) 0xff;

      g_assert_false (posh_verifier_accept_certificate (
                        f->verifier, peer,
                        forbidden[i] | G_TLS_CERTIFICATE_BAD_IDENTITY,
                        "example.com", "xmpp-client", POSH_TLS_FLAGS_NONE,
                        &status, &error));
      g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
      g_assert_cmpuint (status, ==, POSH_VERIFY_STATUS_CERT_DIFFERS);
    }
}

/* The overridable flags, one at a time and together. E21: after a match
 * neither a chain to a trusted CA (UNKNOWN_CA: a self-generated
 * certificate) nor a name matching the source domain is required. */
static void
test_accept_overridable_errors (Fixture       *f,
                                gconstpointer  data)
{
  const GTlsCertificateFlags allowed[] = {
    0, G_TLS_CERTIFICATE_UNKNOWN_CA, G_TLS_CERTIFICATE_BAD_IDENTITY,
    G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_BAD_IDENTITY,
  };
  g_autoptr(GTlsCertificate) peer = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  publish_fingerprint (f, FP_HOSTING_EXAMPLE_NET_SHA256);
  peer = posh_test_certificate ("hosting.example.net.pem");

  for (gsize i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      g_autoptr(GError) error = NULL;
      PoshVerifyStatus status = POSH_VERIFY_STATUS_CERT_DIFFERS;

      g_assert_true (posh_verifier_accept_certificate (
                       f->verifier, peer, allowed[i], "example.com",
                       "xmpp-client", POSH_TLS_FLAGS_NONE, &status, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (status, ==, POSH_VERIFY_STATUS_NONE);
    }
}

/* R24 by POSH itself: GIO's flags say only BAD_IDENTITY, but the
 * certificate is expired at the verifier's clock. */
static void
test_accept_expired_by_clock (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GTlsCertificate) peer = NULL;
  g_autoptr(GError) error = NULL;
  PoshVerifyStatus status = POSH_VERIFY_STATUS_NONE;

  POSH_TEST_SKIP_IF_NO_TLS ();
  publish_fingerprint (f, FP_XMPP_EXPIRED_SHA256);
  peer = posh_test_certificate ("xmpp-expired.pem");

  g_assert_false (posh_verifier_accept_certificate (
                    f->verifier, peer, G_TLS_CERTIFICATE_BAD_IDENTITY,
                    "example.com", "xmpp-client", POSH_TLS_FLAGS_NONE,
                    &status, &error));
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpuint (status, ==, POSH_VERIFY_STATUS_CERT_EXPIRED);
}

/* accept_certificate never fetches: nothing cached, nothing accepted, and
 * no request reaches the POSH host. */
static void
test_accept_not_cached (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GTlsCertificate) peer = NULL;
  g_autoptr(GError) error = NULL;
  PoshVerifyStatus status = (PoshVerifyStatus) 0xff;

  POSH_TEST_SKIP_IF_NO_TLS ();
  posh_test_server_set_json (f->http, CLIENT_PATH,
                             "{\"fingerprints\":[{\"sha-256\":\""
                             FP_HOSTING_EXAMPLE_NET_SHA256 "\"}],\"expires\":60}");
  peer = posh_test_certificate ("hosting.example.net.pem");

  g_assert_false (posh_verifier_accept_certificate (
                    f->verifier, peer, G_TLS_CERTIFICATE_BAD_IDENTITY,
                    "example.com", "xmpp-client", POSH_TLS_FLAGS_NONE,
                    &status, &error));
  g_assert_error (error, POSH_ERROR, POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE);
  g_assert_cmpuint (status, ==, POSH_VERIFY_STATUS_CERT_DIFFERS);
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->http), ==, 0);
}

/* E23: material is per service; xmpp-client's document says nothing about
 * xmpp-server. */
static void
test_accept_other_service (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GTlsCertificate) peer = NULL;
  g_autoptr(GError) error = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  publish_fingerprint (f, FP_HOSTING_EXAMPLE_NET_SHA256);
  peer = posh_test_certificate ("hosting.example.net.pem");

  g_assert_false (posh_verifier_accept_certificate (
                    f->verifier, peer, G_TLS_CERTIFICATE_BAD_IDENTITY,
                    "example.com", "xmpp-server", POSH_TLS_FLAGS_NONE,
                    NULL, &error));
  g_assert_error (error, POSH_ERROR, POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE);
}

/* R37: prefetch fills the cache in the background; once it is there, the
 * synchronous check succeeds. */
static void
test_prefetch (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GTlsCertificate) peer = NULL;
  g_autoptr(GError) error = NULL;
  PoshDocument *cached = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  posh_test_server_set_json (f->http, CLIENT_PATH,
                             "{\"fingerprints\":[{\"sha-256\":\""
                             FP_HOSTING_EXAMPLE_NET_SHA256 "\"}],\"expires\":60}");
  peer = posh_test_certificate ("hosting.example.net.pem");

  posh_verifier_prefetch (f->verifier, "example.com", "xmpp-client", NULL);
  while ((cached = posh_verifier_lookup_cached (f->verifier, "example.com",
                                                "xmpp-client")) == NULL)
    g_main_context_iteration (NULL, TRUE);
  posh_document_unref (cached);

  g_assert_true (posh_verifier_accept_certificate (
                   f->verifier, peer, G_TLS_CERTIFICATE_BAD_IDENTITY,
                   "example.com", "xmpp-client", POSH_TLS_FLAGS_NONE,
                   NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (posh_test_server_get_request_count (f->http, CLIENT_PATH), ==, 1);
}

/* check_connection on a connection that has not shaken hands. */
static void
test_check_connection_no_certificate (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = NULL;
  g_autoptr(GTlsConnection) client = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port = 0;

  POSH_TEST_SKIP_IF_NO_TLS ();
  listener = listen_loopback (&port);
  client = connect_client (f, port, POSH_TLS_FLAGS_NONE);
  g_assert_false (posh_verifier_check_connection (f->verifier, client,
                                                  "example.com", "xmpp-client",
                                                  POSH_TLS_FLAGS_NONE, NULL,
                                                  &error));
  g_assert_error (error, POSH_ERROR, POSH_ERROR_NO_CERT);
}

/* ---- verdict -> GTlsCertificateFlags ----------------------------------- */

static void
test_status_to_tls_flags (void)
{
  const struct {
    PoshVerifyStatus     status;
    GTlsCertificateFlags flags;
  } map[] = {
    { POSH_VERIFY_STATUS_NONE, 0 },
    { POSH_VERIFY_STATUS_CERT_DIFFERS, G_TLS_CERTIFICATE_BAD_IDENTITY },
    { POSH_VERIFY_STATUS_NO_USABLE_FINGERPRINT, G_TLS_CERTIFICATE_BAD_IDENTITY },
    { POSH_VERIFY_STATUS_CERT_EXPIRED, G_TLS_CERTIFICATE_EXPIRED },
    { POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED, G_TLS_CERTIFICATE_NOT_ACTIVATED },
    { POSH_VERIFY_STATUS_CERT_EXPIRED | POSH_VERIFY_STATUS_CERT_DIFFERS,
      G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_BAD_IDENTITY },
    { 1 << 20, G_TLS_CERTIFICATE_GENERIC_ERROR },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (map); i++)
    g_assert_cmpuint (posh_verify_status_to_tls_flags (map[i].status), ==,
                      map[i].flags);
}

static void
add (const char *path,
     void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown);
}

int
main (int    argc,
      char **argv)
{
  posh_test_init (&argc, &argv);

  add ("/gio-tls/R25/handshake/delegation-match", test_handshake_match);
  add ("/gio-tls/R22/handshake/rollover-second-descriptor", test_handshake_rollover);
  add ("/gio-tls/R23/handshake/other-fingerprint", test_handshake_other_fingerprint);
  add ("/gio-tls/R13/handshake/no-document", test_handshake_no_document);
  add ("/gio-tls/R20/handshake/expires-zero", test_handshake_expires_zero);
  add ("/gio-tls/R24/handshake/expired-certificate", test_handshake_expired);
  add ("/gio-tls/R24/handshake/not-activated-certificate", test_handshake_not_activated);
  add ("/gio-tls/pin-only/handshake/bad-identity", test_handshake_pin_only_bad_identity);
  add ("/gio-tls/pin-only/handshake/pkix-valid-match", test_pin_only_match);
  add ("/gio-tls/pin-only/check-connection/mismatch", test_pin_only_mismatch_after_handshake);
  add ("/gio-tls/E24/incoming/match", test_incoming_match);
  add ("/gio-tls/E24/incoming/mismatch", test_incoming_mismatch);
  add ("/gio-tls/accept/forbidden-errors", test_accept_forbidden_errors);
  add ("/gio-tls/accept/overridable-errors", test_accept_overridable_errors);
  add ("/gio-tls/R24/accept/expired-by-clock", test_accept_expired_by_clock);
  add ("/gio-tls/R36/accept/not-cached-no-fetch", test_accept_not_cached);
  add ("/gio-tls/E23/accept/other-service", test_accept_other_service);
  add ("/gio-tls/R37/prefetch", test_prefetch);
  add ("/gio-tls/check-connection/no-certificate", test_check_connection_no_certificate);
  g_test_add_func ("/gio-tls/status-to-tls-flags", test_status_to_tls_flags);

  return g_test_run ();
}
