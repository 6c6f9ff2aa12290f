/* test-fetch.c: PoshFetcher against loopback HTTPS hosts
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every network test runs twice, through _posh_fetcher_fetch (sync, on a
 * private main context) and through _posh_fetcher_fetch_async: the paths
 * are /fetch/sync/... and /fetch/async/.... The hosts are posh-test-server
 * instances; connect_to keeps the real names (example.com,
 * hosting.example.net) in the URL, the Host header, SNI and the
 * certificate check.
 */

#include "config.h"

#include "posh-fetch-private.h"
#include "posh-test-server.h"
#include "posh-test-utils.h"

#include "files/fingerprints.h"

#include <string.h>

#define SERVICE   "xmpp-client"
#define RFC_PATH  "/.well-known/posh/xmpp-client.json"
#define RFC_URL   "https://example.com" RFC_PATH
#define D02_PATH  "/.well-known/posh._xmpp-client._tcp.json"
#define FP_PATH   "/fp.json"
#define FP_URL    "https://hosting.example.net" FP_PATH

typedef struct
{
  gboolean        async;
  PoshTestServer *source;    /* example.com */
  PoshTestServer *hosting;   /* hosting.example.net */
  PoshFetcher    *fetcher;
} Fixture;

static void
add_connect_to_spec (Fixture    *f,
                     const char *spec)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (_posh_fetcher_add_connect_to (f->fetcher, spec, &error));
  g_assert_no_error (error);
}

static void
add_connect_to (Fixture        *f,
                PoshTestServer *server,
                const char     *host)
{
  g_autofree char *spec = posh_test_server_connect_to_spec (server, host);

  add_connect_to_spec (f, spec);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GTlsDatabase) database = NULL;

  f->async = GPOINTER_TO_INT (data);
  if (!posh_test_have_tls ())
    return;

  database = posh_test_tls_database ();
  f->source = posh_test_server_new ("example.com");
  f->hosting = posh_test_server_new ("hosting.example.net");
  f->fetcher = _posh_fetcher_new ();
  _posh_fetcher_set_tls_database (f->fetcher, database);
  /* generous: a dozen TLS handshakes under valgrind take seconds; the
   * timeout tests set their own */
  _posh_fetcher_set_timeout (f->fetcher, 120000);
  add_connect_to (f, f->source, "example.com");
  add_connect_to (f, f->hosting, "hosting.example.net");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->fetcher);
  g_clear_pointer (&f->source, posh_test_server_free);
  g_clear_pointer (&f->hosting, posh_test_server_free);
}

#define SKIP_IF_NO_TLS(f) POSH_TEST_SKIP_UNLESS_TLS ((f)->fetcher != NULL)

/* Waits for the callback of an async fetch and finishes it. */
static PoshDocument *
wait_and_finish (Fixture       *f,
                 GAsyncResult **result,
                 GError       **error)
{
  posh_test_wait_async_result (result);
  /* a second callback would trip the assertion in posh_test_async_result_cb */
  posh_test_drain_main_context ();
  return _posh_fetcher_fetch_finish (f->fetcher, *result, error);
}

static PoshDocument *
fetch_full (Fixture       *f,
            const char    *service,
            gboolean       legacy,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (!f->async)
    return _posh_fetcher_fetch (f->fetcher, "example.com", service, legacy,
                                cancellable, error);

  _posh_fetcher_fetch_async (f->fetcher, "example.com", service, legacy,
                             cancellable, posh_test_async_result_cb, &result);
  return wait_and_finish (f, &result, error);
}

static PoshDocument *
fetch (Fixture  *f,
       GError  **error)
{
  return fetch_full (f, SERVICE, FALSE, NULL, error);
}

/* Fetches and asserts the error; the document must not come back.
 * Returns the error. (transfer full) */
static GError *
fetch_error (Fixture    *f,
             PoshError   code)
{
  GError *error = NULL;
  g_autoptr(PoshDocument) document = fetch (f, &error);

  g_assert_error (error, POSH_ERROR, (int) code);
  g_assert_null (document);
  return error;
}

static void
assert_fetch_error (Fixture    *f,
                    PoshError   code)
{
  g_error_free (fetch_error (f, code));
}

/* The same, and the message names the URL fetched. */
static void
assert_fetch_error_names_url (Fixture    *f,
                              PoshError   code)
{
  g_autoptr(GError) error = fetch_error (f, code);

  g_assert_nonnull (strstr (error->message, RFC_URL));
}

/* Fetches and asserts success. (transfer full) */
static PoshDocument *
fetch_ok (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  PoshDocument *document = fetch (f, &error);

  g_assert_no_error (error);
  g_assert_nonnull (document);
  return document;
}

/* Fetches, asserts success and the document's effective lifetime (R40). */
static void
assert_fetch_lifetime (Fixture *f,
                       guint64  lifetime)
{
  g_autoptr(PoshDocument) document = fetch_ok (f);

  g_assert_cmpuint (posh_document_get_lifetime (document), ==, lifetime);
}

static char *
hosting_fingerprints (guint64 expires)
{
  return posh_test_fingerprints_json (FP_HOSTING_EXAMPLE_NET_SHA256, expires);
}

static void
serve_fingerprints (PoshTestServer *server,
                    const char     *path,
                    guint64         expires)
{
  g_autofree char *json = hosting_fingerprints (expires);

  posh_test_server_set_json (server, path, json);
}

static void
serve_reference (PoshTestServer *server,
                 const char     *path,
                 const char     *url,
                 guint64         expires)
{
  g_autofree char *json = posh_test_reference_json (url, expires);

  posh_test_server_set_json (server, path, json);
}

static void
assert_header (PoshTestServer *server,
               const char     *path,
               const char     *name,
               const char     *value)
{
  SoupMessageHeaders *headers = posh_test_server_get_last_request_headers (server, path);

  g_assert_nonnull (headers);
  g_assert_cmpstr (soup_message_headers_get_one (headers, name), ==, value);
  soup_message_headers_unref (headers);
}

/* The hosting provider's certificate matches the document (R25). */
static void
assert_matches_hosting (PoshDocument *document)
{
  g_autofree char *path = posh_test_file ("hosting.example.net.pem");
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(GError) error = NULL;
  PoshVerifyStatus status = POSH_VERIFY_STATUS_CERT_DIFFERS;

  cert = g_tls_certificate_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_true (posh_document_verify_certificate (document, cert, POSH_VERIFY_FLAGS_NONE,
                                                   &status, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, POSH_VERIFY_STATUS_NONE);
}

/* ---- R1, R5: the request ------------------------------------------------- */

static void
test_rfc_path (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(PoshDocument) document = NULL;
  g_autofree char *method = NULL;

  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->source, RFC_PATH, 3600);

  document = fetch_ok (f);
  g_assert_cmpint (posh_document_get_kind (document), ==, POSH_DOCUMENT_KIND_FINGERPRINTS);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, RFC_PATH), ==, 1);
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->source), ==, 1);
  method = posh_test_server_get_last_method (f->source, RFC_PATH);
  g_assert_cmpstr (method, ==, "GET");
  assert_header (f->source, RFC_PATH, "Host", "example.com");
  assert_header (f->source, RFC_PATH, "Accept", "application/json");
  assert_header (f->source, RFC_PATH, "Accept-Encoding", "identity");
  g_assert_cmpuint (posh_document_get_n_hops (document), ==, 1);
  g_assert_cmpstr (posh_document_get_hop_url (document, 0), ==, RFC_URL);
  g_assert_cmpuint (posh_document_get_hop_status (document, 0), ==, 200);
  g_assert_null (posh_document_get_reference (document));
  assert_matches_hosting (document);
}

static void
test_service_path (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->source, "/.well-known/posh/xmpp-server.json", 3600);

  document = fetch_full (f, "xmpp-server", FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (document);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, "/.well-known/posh/xmpp-server.json"), ==, 1);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, RFC_PATH), ==, 0);
}

/* ---- R6, R32: http is never requested ----------------------------------- */

static PoshTestServer *
plain_hosting (Fixture *f)
{
  PoshTestServer *plain = posh_test_server_new_full ("hosting.example.net",
                                                     POSH_TEST_SERVER_PLAIN_HTTP);

  add_connect_to (f, plain, "hosting.example.net");
  serve_fingerprints (plain, FP_PATH, 3600);
  return plain;
}

static void
test_reference_to_http (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(PoshTestServer) plain = NULL;

  SKIP_IF_NO_TLS (f);
  plain = plain_hosting (f);
  serve_reference (f->source, RFC_PATH, "http://hosting.example.net" FP_PATH, 3600);

  assert_fetch_error (f, POSH_ERROR_INSECURE_URL);
  g_assert_cmpuint (posh_test_server_get_total_request_count (plain), ==, 0);
}

static void
test_redirect_to_http (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(PoshTestServer) plain = NULL;

  SKIP_IF_NO_TLS (f);
  plain = plain_hosting (f);
  posh_test_server_set_redirect (f->source, RFC_PATH, 302, "http://hosting.example.net" FP_PATH);

  assert_fetch_error (f, POSH_ERROR_INSECURE_URL);
  g_assert_cmpuint (posh_test_server_get_total_request_count (plain), ==, 0);
}

static void
test_redirect_to_other_scheme (Fixture       *f,
                               gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  posh_test_server_set_redirect (f->source, RFC_PATH, 302, "ftp://hosting.example.net" FP_PATH);

  assert_fetch_error (f, POSH_ERROR_INSECURE_URL);
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->hosting), ==, 0);
}

/* ---- R7, R8: every hop is authenticated against its own name --------- */

/* words: what the message must say about the certificate */
static void
check_bad_source (Fixture    *f,
                  const char *identity,
                  const char *words)
{
  g_autoptr(PoshTestServer) bad = posh_test_server_new (identity);
  g_autoptr(GError) error = NULL;

  add_connect_to (f, bad, "example.com");
  serve_fingerprints (bad, RFC_PATH, 3600);

  error = fetch_error (f, POSH_ERROR_HTTPS);
  g_assert_nonnull (strstr (error->message, "example.com"));
  g_assert_nonnull (strstr (error->message, words));
  g_assert_cmpuint (posh_test_server_get_total_request_count (bad), ==, 0);
}

static void
test_untrusted_ca (Fixture       *f,
                   gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  check_bad_source (f, "example.com-untrusted", "untrusted certificate authority");
}

static void
test_wrong_name (Fixture       *f,
                 gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  check_bad_source (f, "evil.example", "not valid for this host name");
}

static void
test_expired (Fixture       *f,
              gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  check_bad_source (f, "example.com-expired", "expired");
}

/* Without the test CA (the system store), the loopback host is refused. */
static void
test_system_database (Fixture       *f,
                      gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  _posh_fetcher_set_tls_database (f->fetcher, NULL);
  g_assert_null (_posh_fetcher_get_tls_database (f->fetcher));
  serve_fingerprints (f->source, RFC_PATH, 3600);

  assert_fetch_error (f, POSH_ERROR_HTTPS);
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->source), ==, 0);
}

static void
test_redirect_to_bad_cert (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(PoshTestServer) evil = NULL;

  SKIP_IF_NO_TLS (f);
  evil = posh_test_server_new ("evil.example");
  add_connect_to (f, evil, "hosting.example.net");
  serve_fingerprints (evil, FP_PATH, 3600);
  posh_test_server_set_redirect (f->source, RFC_PATH, 302, FP_URL);

  assert_fetch_error (f, POSH_ERROR_HTTPS);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, RFC_PATH), ==, 1);
  g_assert_cmpuint (posh_test_server_get_total_request_count (evil), ==, 0);
}

static void
test_reference_to_bad_cert (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(PoshTestServer) evil = NULL;

  SKIP_IF_NO_TLS (f);
  evil = posh_test_server_new ("evil.example");
  add_connect_to (f, evil, "hosting.example.net");
  serve_fingerprints (evil, FP_PATH, 3600);
  serve_reference (f->source, RFC_PATH, FP_URL, 3600);

  assert_fetch_error (f, POSH_ERROR_HTTPS);
  g_assert_cmpuint (posh_test_server_get_total_request_count (evil), ==, 0);
}

/* ---- R9: an explicit port in url is honoured ---------------------------- */

static void
test_url_explicit_port (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *spec8443 = NULL;
  g_autofree char *spec443 = NULL;
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  /* port 443 of hosting.example.net now reaches a host with the wrong
   * certificate (example.com's): only port 8443 leads to the document */
  spec8443 = g_strdup_printf ("hosting.example.net:8443:127.0.0.1:%u",
                              posh_test_server_get_port (f->hosting));
  spec443 = g_strdup_printf ("hosting.example.net:443:127.0.0.1:%u",
                             posh_test_server_get_port (f->source));
  add_connect_to_spec (f, spec8443);
  add_connect_to_spec (f, spec443);
  serve_fingerprints (f->hosting, FP_PATH, 3600);
  serve_reference (f->source, RFC_PATH, "https://hosting.example.net:8443" FP_PATH, 3600);

  document = fetch_ok (f);
  g_assert_cmpuint (posh_test_server_get_request_count (f->hosting, FP_PATH), ==, 1);
  assert_header (f->hosting, FP_PATH, "Host", "hosting.example.net:8443");
  g_assert_cmpstr (posh_document_get_hop_url (document, 1), ==,
                   "https://hosting.example.net:8443" FP_PATH);
}

/* ---- R11-R13, E17, E18: status codes and content types ---------------- */

static void
test_status_codes (Fixture       *f,
                   gconstpointer  data)
{
  static const struct { guint status; PoshError code; } cases[] = {
    { 404, POSH_ERROR_NO_POSH_DATA },
    { 410, POSH_ERROR_NO_POSH_DATA },
    { 500, POSH_ERROR_FETCH },
    { 503, POSH_ERROR_FETCH },
    { 204, POSH_ERROR_FETCH },
    { 203, POSH_ERROR_FETCH },
    { 201, POSH_ERROR_FETCH },
    { 400, POSH_ERROR_FETCH },
    { 403, POSH_ERROR_FETCH },
  };
  g_autofree char *json = hosting_fingerprints (3600);
  guint i;

  SKIP_IF_NO_TLS (f);
  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *status = g_strdup_printf ("%u", cases[i].status);

      g_test_message ("HTTP %u", cases[i].status);
      /* a valid document in the body must not be used */
      posh_test_server_set_response (f->source, RFC_PATH, cases[i].status,
                                     "application/json",
                                     cases[i].status == 204 ? NULL : json, NULL);
      error = fetch_error (f, cases[i].code);
      g_assert_nonnull (strstr (error->message, status));
      g_assert_nonnull (strstr (error->message, RFC_URL));
    }
}

/* A 404 for an unknown path: the server has no response for it. */
static void
test_not_found (Fixture       *f,
                gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  assert_fetch_error (f, POSH_ERROR_NO_POSH_DATA);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, RFC_PATH), ==, 1);
}

static void
test_content_types (Fixture       *f,
                    gconstpointer  data)
{
  static const char * const types[] = {
    "text/plain", "application/octet-stream", "text/html; charset=utf-8", NULL,
  };
  g_autofree char *json = hosting_fingerprints (3600);
  guint i;

  SKIP_IF_NO_TLS (f);
  for (i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(PoshDocument) document = NULL;

      posh_test_server_set_response (f->source, RFC_PATH, 200, types[i], json, NULL);
      document = fetch_ok (f);
    }
}

/* ---- documents: R15, R20, corrupt data ---------------------------------- */

static void
test_fingerprints_and_url (Fixture       *f,
                           gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  posh_test_server_set_json (f->source, RFC_PATH,
                             "{\"fingerprints\":[{\"sha-256\":\"" FP_HOSTING_EXAMPLE_NET_SHA256 "\"}],"
                             "\"url\":\"" FP_URL "\",\"expires\":60}");
  serve_fingerprints (f->hosting, FP_PATH, 60);

  assert_fetch_error (f, POSH_ERROR_RECEIVED_CORRUPT_DATA);
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->hosting), ==, 0);
}

static void
test_corrupt_body (Fixture       *f,
                   gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  posh_test_server_set_json (f->source, RFC_PATH, "<html>not json</html>");

  assert_fetch_error_names_url (f, POSH_ERROR_RECEIVED_CORRUPT_DATA);
}

static void
test_fingerprints_expires_zero (Fixture       *f,
                                gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->source, RFC_PATH, 0);
  assert_fetch_error (f, POSH_ERROR_INVALIDATED);
}

/* ---- R25: direct, redirect and reference give the same material ------- */

static void
test_same_cert_three_ways (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(PoshDocument) direct = NULL;
  g_autoptr(PoshDocument) redirected = NULL;
  g_autoptr(PoshDocument) referenced = NULL;

  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->hosting, FP_PATH, 3600);

  serve_fingerprints (f->source, RFC_PATH, 3600);
  direct = fetch_ok (f);

  posh_test_server_set_redirect (f->source, RFC_PATH, 302, FP_URL);
  redirected = fetch_ok (f);

  serve_reference (f->source, RFC_PATH, FP_URL, 3600);
  referenced = fetch_ok (f);

  assert_matches_hosting (direct);
  assert_matches_hosting (redirected);
  assert_matches_hosting (referenced);
  g_assert_cmpuint (posh_document_get_n_hops (direct), ==, 1);
  g_assert_cmpuint (posh_document_get_n_hops (redirected), ==, 2);
  g_assert_cmpuint (posh_document_get_n_hops (referenced), ==, 2);
  g_assert_null (posh_document_get_reference (redirected));
  g_assert_nonnull (posh_document_get_reference (referenced));
  g_assert_cmpuint (posh_test_server_get_request_count (f->hosting, FP_PATH), ==, 2);
}

/* ---- R28-R30: references ------------------------------------------------- */

static void
test_reference_followed_once (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(PoshDocument) document = NULL;
  PoshDocument *reference;

  SKIP_IF_NO_TLS (f);
  serve_reference (f->source, RFC_PATH, FP_URL, 3600);
  serve_fingerprints (f->hosting, FP_PATH, 86400);

  document = fetch_ok (f);
  g_assert_cmpint (posh_document_get_kind (document), ==, POSH_DOCUMENT_KIND_FINGERPRINTS);
  reference = posh_document_get_reference (document);
  g_assert_nonnull (reference);
  g_assert_cmpstr (posh_document_get_url (reference), ==, FP_URL);
  g_assert_cmpuint (posh_document_get_expires (reference), ==, 3600);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, RFC_PATH), ==, 1);
  g_assert_cmpuint (posh_test_server_get_request_count (f->hosting, FP_PATH), ==, 1);
  assert_header (f->hosting, FP_PATH, "Host", "hosting.example.net");
  assert_header (f->hosting, FP_PATH, "Accept", "application/json");
  /* R40: min (3600, 86400) */
  g_assert_cmpuint (posh_document_get_lifetime (document), ==, 3600);
}

static void
test_chained_reference (Fixture       *f,
                        gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  serve_reference (f->source, RFC_PATH, FP_URL, 3600);
  serve_reference (f->hosting, FP_PATH, "https://hosting.example.net/third.json", 3600);
  serve_fingerprints (f->hosting, "/third.json", 3600);

  assert_fetch_error (f, POSH_ERROR_CHAINED_REFERENCE);
  g_assert_cmpuint (posh_test_server_get_request_count (f->hosting, FP_PATH), ==, 1);
  g_assert_cmpuint (posh_test_server_get_request_count (f->hosting, "/third.json"), ==, 0);
}

static void
test_reference_expires_zero (Fixture       *f,
                             gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  serve_reference (f->source, RFC_PATH, FP_URL, 0);
  serve_fingerprints (f->hosting, FP_PATH, 3600);

  assert_fetch_error (f, POSH_ERROR_INVALIDATED);
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->hosting), ==, 0);
}

static void
test_reference_target_expires_zero (Fixture       *f,
                                    gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  serve_reference (f->source, RFC_PATH, FP_URL, 3600);
  serve_fingerprints (f->hosting, FP_PATH, 0);

  assert_fetch_error (f, POSH_ERROR_INVALIDATED);
}

static void
test_reference_target_not_found (Fixture       *f,
                                 gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  serve_reference (f->source, RFC_PATH, FP_URL, 3600);

  assert_fetch_error (f, POSH_ERROR_NO_POSH_DATA);
  g_assert_cmpuint (posh_test_server_get_request_count (f->hosting, FP_PATH), ==, 1);
}

/* ---- E14: fragment stripped, query kept ---------------------------------- */

static void
test_reference_fragment (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  serve_reference (f->source, RFC_PATH, FP_URL "?v=2#section", 3600);
  serve_fingerprints (f->hosting, FP_PATH, 3600);

  document = fetch_ok (f);
  g_assert_cmpuint (posh_test_server_get_request_count (f->hosting, FP_PATH), ==, 1);
  g_assert_cmpstr (posh_document_get_hop_url (document, 1), ==, FP_URL "?v=2");
}

/* ---- E15, R35: redirects --------------------------------------------------- */

static void
test_redirect_codes (Fixture       *f,
                     gconstpointer  data)
{
  static const guint followed[] = { 301, 302, 303, 307, 308 };
  guint i;

  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->hosting, FP_PATH, 3600);
  for (i = 0; i < G_N_ELEMENTS (followed); i++)
    {
      g_autoptr(PoshDocument) document = NULL;

      g_test_message ("HTTP %u", followed[i]);
      posh_test_server_set_redirect (f->source, RFC_PATH, followed[i], FP_URL);
      document = fetch_ok (f);
      g_assert_cmpuint (posh_document_get_n_hops (document), ==, 2);
      g_assert_cmpuint (posh_document_get_hop_status (document, 0), ==, followed[i]);
      g_assert_cmpstr (posh_document_get_hop_url (document, 1), ==, FP_URL);
      g_assert_cmpuint (posh_test_server_get_request_count (f->hosting, FP_PATH), ==, i + 1);
    }
}

static void
test_redirect_codes_refused (Fixture       *f,
                             gconstpointer  data)
{
  static const guint refused[] = { 300, 304, 305, 306 };
  guint i;

  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->hosting, FP_PATH, 3600);
  for (i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_test_message ("HTTP %u", refused[i]);
      posh_test_server_set_redirect (f->source, RFC_PATH, refused[i], FP_URL);
      assert_fetch_error (f, POSH_ERROR_FETCH);
    }
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->hosting), ==, 0);
}

static void
test_redirect_without_location (Fixture       *f,
                                gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  posh_test_server_set_redirect (f->source, RFC_PATH, 302, NULL);
  assert_fetch_error (f, POSH_ERROR_FETCH);
}

static void
test_relative_location (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  posh_test_server_set_redirect (f->source, RFC_PATH, 302, "../moved/a.json");
  posh_test_server_set_redirect (f->source, "/.well-known/moved/a.json", 307, "b.json#frag");
  posh_test_server_set_redirect (f->source, "/.well-known/moved/b.json", 301, "/final.json");
  serve_fingerprints (f->source, "/final.json", 3600);

  document = fetch_ok (f);
  g_assert_cmpuint (posh_document_get_n_hops (document), ==, 4);
  g_assert_cmpstr (posh_document_get_hop_url (document, 1), ==,
                   "https://example.com/.well-known/moved/a.json");
  g_assert_cmpstr (posh_document_get_hop_url (document, 2), ==,
                   "https://example.com/.well-known/moved/b.json");
  g_assert_cmpstr (posh_document_get_hop_url (document, 3), ==, "https://example.com/final.json");
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, "/final.json"), ==, 1);
}

/* RFC_PATH -> /hop1 -> ... -> /hopN, which serves the document: N redirects */
static void
serve_redirect_chain (PoshTestServer *server,
                      guint           n)
{
  guint i;

  posh_test_server_set_redirect (server, RFC_PATH, 302, "/hop1");
  for (i = 1; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/hop%u", i);
      g_autofree char *next = g_strdup_printf ("/hop%u", i + 1);

      posh_test_server_set_redirect (server, path, 302, next);
    }
  if (n > 0)
    {
      g_autofree char *last = g_strdup_printf ("/hop%u", n);

      serve_fingerprints (server, last, 3600);
    }
}

static void
test_ten_redirects (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  serve_redirect_chain (f->source, 10);

  document = fetch_ok (f);
  g_assert_cmpuint (posh_document_get_n_hops (document), ==, 11);
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->source), ==, 11);
}

static void
test_eleven_redirects (Fixture       *f,
                       gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  serve_redirect_chain (f->source, 11);

  assert_fetch_error (f, POSH_ERROR_TOO_MANY_REDIRECTS);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, "/hop10"), ==, 1);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, "/hop11"), ==, 0);
}

static void
test_redirect_limit_three (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  _posh_fetcher_set_max_redirects (f->fetcher, 3);
  serve_redirect_chain (f->source, 3);
  document = fetch_ok (f);

  serve_redirect_chain (f->source, 4);
  assert_fetch_error (f, POSH_ERROR_TOO_MANY_REDIRECTS);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, "/hop4"), ==, 0);
}

static void
test_redirect_limit_zero (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  _posh_fetcher_set_max_redirects (f->fetcher, 0);
  serve_fingerprints (f->source, RFC_PATH, 3600);
  document = fetch_ok (f);

  serve_redirect_chain (f->source, 1);
  assert_fetch_error (f, POSH_ERROR_TOO_MANY_REDIRECTS);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, "/hop1"), ==, 0);
}

static void
test_redirect_loop (Fixture       *f,
                    gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  posh_test_server_set_redirect (f->source, RFC_PATH, 302, "/loop-a");
  posh_test_server_set_redirect (f->source, "/loop-a", 302, "/loop-b");
  posh_test_server_set_redirect (f->source, "/loop-b", 302, "/loop-a");

  assert_fetch_error (f, POSH_ERROR_TOO_MANY_REDIRECTS);
  /* the first request and the 10 redirects followed */
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->source), ==, 11);
}

/* E15: the limit is per operation, source and url fetch together. */
static void
test_redirects_counted_across_reference (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  /* 6 redirects at the source, then a reference to hosting */
  serve_redirect_chain (f->source, 6);
  serve_reference (f->source, "/hop6", "https://hosting.example.net/hop1", 3600);
  /* 4 more: 10 in all */
  serve_redirect_chain (f->hosting, 5);
  document = fetch_ok (f);
  g_assert_cmpuint (posh_document_get_n_hops (document), ==, 7 + 5);

  /* 5 more: 11 in all; the 11th is not followed */
  serve_redirect_chain (f->hosting, 6);
  assert_fetch_error (f, POSH_ERROR_TOO_MANY_REDIRECTS);
  g_assert_cmpuint (posh_test_server_get_request_count (f->hosting, "/hop5"), ==, 2);
  g_assert_cmpuint (posh_test_server_get_request_count (f->hosting, "/hop6"), ==, 0);
}

/* ---- E19: size limits ------------------------------------------------------ */

static void
set_max_size (Fixture *f,
              gsize    max_size)
{
  PoshParseLimits limits;

  _posh_parse_limits_init (&limits);
  limits.max_size = max_size;
  _posh_fetcher_set_limits (f->fetcher, &limits);
}

static void
test_body_at_limit (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  set_max_size (f, 1000);
  serve_fingerprints (f->source, RFC_PATH, 3600);
  posh_test_server_set_behaviour (f->source, RFC_PATH, POSH_TEST_BEHAVIOUR_LARGE_CHUNKED, 1000);

  document = fetch_ok (f);
}

static void
check_too_large (Fixture           *f,
                 PoshTestBehaviour  behaviour,
                 gsize              size)
{
  set_max_size (f, 1000);
  serve_fingerprints (f->source, RFC_PATH, 3600);
  posh_test_server_set_behaviour (f->source, RFC_PATH, behaviour, size);

  assert_fetch_error_names_url (f, POSH_ERROR_TOO_LARGE);
}

static void
test_body_over_limit_chunked (Fixture       *f,
                              gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  check_too_large (f, POSH_TEST_BEHAVIOUR_LARGE_CHUNKED, 1001);
}

static void
test_body_over_limit_length (Fixture       *f,
                             gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  check_too_large (f, POSH_TEST_BEHAVIOUR_LARGE, 1001);
}

static void
test_body_default_limit (Fixture       *f,
                         gconstpointer  data)
{

  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->source, RFC_PATH, 3600);
  posh_test_server_set_behaviour (f->source, RFC_PATH, POSH_TEST_BEHAVIOUR_LARGE_CHUNKED,
                                  POSH_DEFAULT_MAX_BODY_SIZE + 1);
  assert_fetch_error (f, POSH_ERROR_TOO_LARGE);
}

static void
test_body_endless (Fixture       *f,
                   gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  check_too_large (f, POSH_TEST_BEHAVIOUR_ENDLESS, 0);
}

/* The announced length alone is refused, before any body byte: the body
 * never comes, so waiting for it would end in a timeout instead. */
static void
test_announced_length (Fixture       *f,
                       gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  _posh_fetcher_set_timeout (f->fetcher, 60000);
  check_too_large (f, POSH_TEST_BEHAVIOUR_HUGE_LENGTH, 100 * 1024 * 1024);
}

/* ---- E16: the total operation timeout ------------------------------------- */

/* 300 ms for the whole operation; the source misbehaves as behaviour. */
static void
check_timeout (Fixture           *f,
               PoshTestBehaviour  behaviour,
               gsize              size)
{
  _posh_fetcher_set_timeout (f->fetcher, 300);
  serve_fingerprints (f->source, RFC_PATH, 3600);
  posh_test_server_set_behaviour (f->source, RFC_PATH, behaviour, size);

  assert_fetch_error_names_url (f, POSH_ERROR_TIMEOUT);
}

static void
test_timeout_stall (Fixture       *f,
                    gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  check_timeout (f, POSH_TEST_BEHAVIOUR_STALL, 0);
}

/* Each byte arrives well within any per-read timeout; the whole body does
 * not arrive within the operation's. */
static void
test_timeout_slow_body (Fixture       *f,
                        gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  check_timeout (f, POSH_TEST_BEHAVIOUR_SLOW, 50);
}

/* Nothing at all comes back: the timeout also covers the wait for headers. */
static void
test_timeout_no_response (Fixture       *f,
                          gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  check_timeout (f, POSH_TEST_BEHAVIOUR_NO_RESPONSE, 0);
}

/* The body of a redirect is never read: one that never ends must not hold
 * the operation up (the fixture's timeout is two minutes). */
static void
test_redirect_body_not_read (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  posh_test_server_set_redirect (f->source, RFC_PATH, 302, FP_URL);
  posh_test_server_set_behaviour (f->source, RFC_PATH, POSH_TEST_BEHAVIOUR_STALL, 0);
  serve_fingerprints (f->hosting, FP_PATH, 3600);

  document = fetch_ok (f);
}

/* ---- cancellation ------------------------------------------------------------ */

/* Cancelled while the connection is being set up (async only). */
static void
test_cancel_right_after_start (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->source, RFC_PATH, 3600);

  _posh_fetcher_fetch_async (f->fetcher, "example.com", SERVICE, FALSE, cancellable,
                             posh_test_async_result_cb, &result);
  g_cancellable_cancel (cancellable);
  document = wait_and_finish (f, &result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (document);
}

static void
test_cancel_before_start (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->source, RFC_PATH, 3600);
  g_cancellable_cancel (cancellable);

  document = fetch_full (f, SERVICE, FALSE, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (document);
}

typedef struct
{
  PoshTestServer *server;
  GCancellable   *cancellable;
} CancelLater;

static gpointer
cancel_after_request_thread (gpointer user_data)
{
  CancelLater *later = user_data;

  posh_test_server_wait_for_requests (later->server, RFC_PATH, 1);
  g_cancellable_cancel (later->cancellable);
  return NULL;
}

/* The server has the request and sent its headers; the body never comes. */
static void
test_cancel_mid_request (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;
  CancelLater later = { NULL, NULL };
  GThread *thread;

  SKIP_IF_NO_TLS (f);
  _posh_fetcher_set_timeout (f->fetcher, 60000);
  serve_fingerprints (f->source, RFC_PATH, 3600);
  posh_test_server_set_behaviour (f->source, RFC_PATH, POSH_TEST_BEHAVIOUR_STALL, 0);

  if (!f->async)
    {
      later.server = f->source;
      later.cancellable = cancellable;
      thread = g_thread_new ("cancel", cancel_after_request_thread, &later);
      document = _posh_fetcher_fetch (f->fetcher, "example.com", SERVICE, FALSE,
                                      cancellable, &error);
      g_thread_join (thread);
    }
  else
    {
      _posh_fetcher_fetch_async (f->fetcher, "example.com", SERVICE, FALSE, cancellable,
                                 posh_test_async_result_cb, &result);
      /* the response headers wake this loop once the request has arrived */
      while (posh_test_server_get_request_count (f->source, RFC_PATH) == 0)
        g_main_context_iteration (NULL, TRUE);
      g_assert_null (result);
      g_cancellable_cancel (cancellable);
      document = wait_and_finish (f, &result, &error);
    }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (document);
}

/* ---- E1: the draft-02 path, only after a 404 --------------------------------- */

static void
test_legacy_after_404 (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->source, D02_PATH, 3600);

  document = fetch_full (f, SERVICE, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posh_document_get_n_hops (document), ==, 2);
  g_assert_cmpstr (posh_document_get_hop_url (document, 0), ==, RFC_URL);
  g_assert_cmpuint (posh_document_get_hop_status (document, 0), ==, 404);
  g_assert_cmpstr (posh_document_get_hop_url (document, 1), ==, "https://example.com" D02_PATH);
  g_assert_cmpuint (posh_document_get_hop_status (document, 1), ==, 200);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, RFC_PATH), ==, 1);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, D02_PATH), ==, 1);
}

static void
test_legacy_off (Fixture       *f,
                 gconstpointer  data)
{
  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->source, D02_PATH, 3600);

  assert_fetch_error (f, POSH_ERROR_NO_POSH_DATA);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, D02_PATH), ==, 0);
}

static void
test_legacy_not_after_200 (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->source, RFC_PATH, 3600);
  serve_fingerprints (f->source, D02_PATH, 3600);

  document = fetch_full (f, SERVICE, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, D02_PATH), ==, 0);
}

static void
test_legacy_not_after_500 (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  posh_test_server_set_response (f->source, RFC_PATH, 500, NULL, NULL, NULL);
  serve_fingerprints (f->source, D02_PATH, 3600);

  document = fetch_full (f, SERVICE, TRUE, NULL, &error);
  g_assert_error (error, POSH_ERROR, POSH_ERROR_FETCH);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, D02_PATH), ==, 0);
}

static void
test_legacy_404_too (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  document = fetch_full (f, SERVICE, TRUE, NULL, &error);
  g_assert_error (error, POSH_ERROR, POSH_ERROR_NO_POSH_DATA);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, RFC_PATH), ==, 1);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, D02_PATH), ==, 1);
}

/* ---- provenance and lifetime (R40, R43, E12, E22) ---------------------- */

static void
test_provenance (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  posh_test_server_set_redirect (f->source, RFC_PATH, 307, "/moved.json");
  serve_reference (f->source, "/moved.json", FP_URL, 3600);
  serve_fingerprints (f->hosting, FP_PATH, 60);

  document = fetch_ok (f);
  g_assert_cmpuint (posh_document_get_n_hops (document), ==, 3);
  g_assert_cmpstr (posh_document_get_hop_url (document, 0), ==, RFC_URL);
  g_assert_cmpuint (posh_document_get_hop_status (document, 0), ==, 307);
  g_assert_cmpstr (posh_document_get_hop_url (document, 1), ==, "https://example.com/moved.json");
  g_assert_cmpuint (posh_document_get_hop_status (document, 1), ==, 200);
  g_assert_cmpstr (posh_document_get_hop_url (document, 2), ==, FP_URL);
  g_assert_cmpuint (posh_document_get_hop_status (document, 2), ==, 200);
  g_assert_nonnull (posh_document_get_reference (document));
  /* R40: min (3600, 60) */
  g_assert_cmpuint (posh_document_get_lifetime (document), ==, 60);
}

static void
test_lifetime_reference_smaller (Fixture       *f,
                                 gconstpointer  data)
{

  SKIP_IF_NO_TLS (f);
  serve_reference (f->source, RFC_PATH, FP_URL, 86400);
  serve_fingerprints (f->hosting, FP_PATH, 604800);

  assert_fetch_lifetime (f, 86400);
}

static void
test_lifetime_capped (Fixture       *f,
                      gconstpointer  data)
{
  PoshParseLimits limits;

  SKIP_IF_NO_TLS (f);
  _posh_parse_limits_init (&limits);
  limits.max_lifetime = 100;
  _posh_fetcher_set_limits (f->fetcher, &limits);
  serve_fingerprints (f->source, RFC_PATH, 3600);

  assert_fetch_lifetime (f, 100);
}

static void
test_lifetime_ignores_cache_control (Fixture       *f,
                                     gconstpointer  data)
{

  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->source, RFC_PATH, 60);
  posh_test_server_add_header (f->source, RFC_PATH, "Cache-Control", "max-age=31536000");
  posh_test_server_add_header (f->source, RFC_PATH, "Expires", "Fri, 01 Jan 2100 00:00:00 GMT");

  assert_fetch_lifetime (f, 60);
}

static void
test_lifetime_no_store (Fixture       *f,
                        gconstpointer  data)
{

  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->source, RFC_PATH, 3600);
  posh_test_server_add_header (f->source, RFC_PATH, "Cache-Control", "no-store");

  assert_fetch_lifetime (f, 3600);
}

/* R34: nothing of a 301 is remembered: the next fetch starts at the source. */
static void
test_permanent_redirect_not_remembered (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(PoshDocument) first = NULL;
  g_autoptr(PoshDocument) second = NULL;

  SKIP_IF_NO_TLS (f);
  posh_test_server_set_redirect (f->source, RFC_PATH, 301, FP_URL);
  serve_fingerprints (f->hosting, FP_PATH, 3600);

  first = fetch_ok (f);
  second = fetch_ok (f);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, RFC_PATH), ==, 2);
  g_assert_cmpstr (posh_document_get_hop_url (second, 0), ==, RFC_URL);
}

/* ---- threads and concurrency ------------------------------------------------ */

static gpointer
fetch_in_thread (gpointer user_data)
{
  Fixture *f = user_data;
  GError *error = NULL;
  PoshDocument *document;

  document = _posh_fetcher_fetch (f->fetcher, "example.com", SERVICE, FALSE, NULL, &error);
  g_assert_no_error (error);
  return document;
}

/* The sync call runs on its own context: from a worker thread too, while
 * this thread's default context is not iterated at all. */
static void
test_sync_in_thread (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->source, RFC_PATH, 3600);

  document = g_thread_join (g_thread_new ("fetch", fetch_in_thread, f));
  g_assert_nonnull (document);
  assert_matches_hosting (document);
}

static void
test_concurrent_async (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GAsyncResult) client = NULL;
  g_autoptr(GAsyncResult) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) doc_client = NULL;
  g_autoptr(PoshDocument) doc_server = NULL;

  SKIP_IF_NO_TLS (f);
  serve_fingerprints (f->source, RFC_PATH, 3600);
  serve_reference (f->source, "/.well-known/posh/xmpp-server.json", FP_URL, 3600);
  serve_fingerprints (f->hosting, FP_PATH, 60);

  _posh_fetcher_fetch_async (f->fetcher, "example.com", "xmpp-client", FALSE, NULL,
                             posh_test_async_result_cb, &client);
  _posh_fetcher_fetch_async (f->fetcher, "example.com", "xmpp-server", FALSE, NULL,
                             posh_test_async_result_cb, &server);
  posh_test_wait_async_result (&client);
  posh_test_wait_async_result (&server);

  doc_client = _posh_fetcher_fetch_finish (f->fetcher, client, &error);
  g_assert_no_error (error);
  doc_server = _posh_fetcher_fetch_finish (f->fetcher, server, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posh_document_get_n_hops (doc_client), ==, 1);
  g_assert_cmpuint (posh_document_get_n_hops (doc_server), ==, 2);
  g_assert_cmpuint (posh_document_get_lifetime (doc_client), ==, 3600);
  g_assert_cmpuint (posh_document_get_lifetime (doc_server), ==, 60);
}

/* ---- connect_to ------------------------------------------------------------------ */

static void
test_connect_to_ipv6 (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(PoshTestServer) server6 = NULL;
  g_autofree char *spec = NULL;
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_TLS (f);
  server6 = posh_test_server_new_full ("example.com", POSH_TEST_SERVER_IPV6);
  spec = posh_test_server_connect_to_spec6 (server6, "example.com");
  add_connect_to_spec (f, spec);
  serve_fingerprints (server6, RFC_PATH, 3600);

  document = fetch_ok (f);
  g_assert_cmpuint (posh_test_server_get_request_count (server6, RFC_PATH), ==, 1);
  assert_header (server6, RFC_PATH, "Host", "example.com");
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->source), ==, 0);
}

static const char * const bad_connect_to[] = {
  "",
  "example.com",
  "example.com:443",
  "example.com:443:127.0.0.1",
  "example.com:443:127.0.0.1:",
  ":443:127.0.0.1:8443",
  "example.com::127.0.0.1:8443",
  "example.com:443::8443",
  "example.com:0:127.0.0.1:8443",
  "example.com:65536:127.0.0.1:8443",
  "example.com:443:127.0.0.1:0",
  "example.com:443:127.0.0.1:99999",
  "example.com:+443:127.0.0.1:8443",
  "example.com:443:127.0.0.1:-1",
  "example.com:443:127.0.0.1:84x3",
  "example.com:443:127.0.0.1: 8443",
  "127.0.0.1:443:127.0.0.1:8443",
  "exa mple.com:443:127.0.0.1:8443",
  "example.com:443:::1:8443",
  "example.com:443:[example.com]:8443",
  "example.com:443:[::1:8443",
  "example.com:443:bad_host:8443",
  "example.com:443:127.0.0.1:8443:extra",
};

static void
test_connect_to_invalid (void)
{
  g_autoptr(PoshFetcher) fetcher = _posh_fetcher_new ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (bad_connect_to); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("connect-to “%s”", bad_connect_to[i]);
      g_assert_false (_posh_fetcher_add_connect_to (fetcher, bad_connect_to[i], &error));
      g_assert_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST);
    }
}

static void
test_connect_to_valid (void)
{
  static const char * const good[] = {
    "example.com:443:127.0.0.1:8443",
    "Example.COM.:443:localhost:1",
    "example.com:443:[::1]:65535",
    "b\303\274cher.example:8443:192.0.2.1:443",
  };
  g_autoptr(PoshFetcher) fetcher = _posh_fetcher_new ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (_posh_fetcher_add_connect_to (fetcher, good[i], &error));
      g_assert_no_error (error);
    }
}

/* ---- registration -------------------------------------------------------------- */

static void
add_net_test (const char *path,
              void (*func) (Fixture *, gconstpointer))
{
  g_autofree char *sync_path = g_strdup_printf ("/fetch/sync%s", path);
  g_autofree char *async_path = g_strdup_printf ("/fetch/async%s", path);

  posh_test_add_sync_async (sync_path, async_path, sizeof (Fixture),
                            (GTestFixtureFunc) fixture_setup, (GTestFixtureFunc) func,
                            (GTestFixtureFunc) fixture_teardown);
}

int
main (int    argc,
      char **argv)
{
  posh_test_init (&argc, &argv);

  g_test_add_func ("/fetch/connect-to/invalid", test_connect_to_invalid);
  g_test_add_func ("/fetch/connect-to/valid", test_connect_to_valid);

  add_net_test ("/R1/rfc-path-and-headers", test_rfc_path);
  add_net_test ("/R5/service-path", test_service_path);
  add_net_test ("/R6/reference-to-http", test_reference_to_http);
  add_net_test ("/R32/redirect-to-http", test_redirect_to_http);
  add_net_test ("/R32/redirect-to-other-scheme", test_redirect_to_other_scheme);
  add_net_test ("/R7/untrusted-ca", test_untrusted_ca);
  add_net_test ("/R7/wrong-name", test_wrong_name);
  add_net_test ("/R7/expired", test_expired);
  add_net_test ("/R7/system-database", test_system_database);
  add_net_test ("/R8/redirect-to-bad-cert", test_redirect_to_bad_cert);
  add_net_test ("/R8/reference-to-bad-cert", test_reference_to_bad_cert);
  add_net_test ("/R9/url-explicit-port", test_url_explicit_port);
  add_net_test ("/E17/status-codes", test_status_codes);
  add_net_test ("/R13/not-found", test_not_found);
  add_net_test ("/E18/content-types", test_content_types);
  add_net_test ("/R15/fingerprints-and-url", test_fingerprints_and_url);
  add_net_test ("/R12/corrupt-body", test_corrupt_body);
  add_net_test ("/R20/fingerprints-expires-zero", test_fingerprints_expires_zero);
  add_net_test ("/R25/same-cert-three-ways", test_same_cert_three_ways);
  add_net_test ("/R28/reference-followed-once", test_reference_followed_once);
  add_net_test ("/R29/chained-reference", test_chained_reference);
  add_net_test ("/R30/reference-expires-zero", test_reference_expires_zero);
  add_net_test ("/R20/reference-target-expires-zero", test_reference_target_expires_zero);
  add_net_test ("/R28/reference-target-not-found", test_reference_target_not_found);
  add_net_test ("/E14/reference-fragment-stripped", test_reference_fragment);
  add_net_test ("/E15/redirect-codes-followed", test_redirect_codes);
  add_net_test ("/E15/redirect-codes-refused", test_redirect_codes_refused);
  add_net_test ("/E15/redirect-without-location", test_redirect_without_location);
  add_net_test ("/E15/relative-location", test_relative_location);
  add_net_test ("/R35/ten-redirects", test_ten_redirects);
  add_net_test ("/R35/eleven-redirects", test_eleven_redirects);
  add_net_test ("/R35/limit-three", test_redirect_limit_three);
  add_net_test ("/R35/limit-zero", test_redirect_limit_zero);
  add_net_test ("/R35/loop", test_redirect_loop);
  add_net_test ("/E15/limit-across-reference", test_redirects_counted_across_reference);
  add_net_test ("/R34/permanent-redirect-not-remembered", test_permanent_redirect_not_remembered);
  add_net_test ("/E19/body-at-limit", test_body_at_limit);
  add_net_test ("/E19/body-over-limit-chunked", test_body_over_limit_chunked);
  add_net_test ("/E19/body-over-limit-length", test_body_over_limit_length);
  add_net_test ("/E19/body-default-limit", test_body_default_limit);
  add_net_test ("/E19/body-endless", test_body_endless);
  add_net_test ("/E19/announced-length", test_announced_length);
  add_net_test ("/E16/timeout-stall", test_timeout_stall);
  add_net_test ("/E16/timeout-slow-body", test_timeout_slow_body);
  add_net_test ("/E16/timeout-no-response", test_timeout_no_response);
  add_net_test ("/E15/redirect-body-not-read", test_redirect_body_not_read);
  add_net_test ("/cancel/before-start", test_cancel_before_start);
  add_net_test ("/cancel/mid-request", test_cancel_mid_request);
  add_net_test ("/E1/legacy-after-404", test_legacy_after_404);
  add_net_test ("/E1/legacy-off", test_legacy_off);
  add_net_test ("/E1/legacy-not-after-200", test_legacy_not_after_200);
  add_net_test ("/E1/legacy-not-after-500", test_legacy_not_after_500);
  add_net_test ("/E1/legacy-404-too", test_legacy_404_too);
  add_net_test ("/R40/provenance", test_provenance);
  add_net_test ("/R40/lifetime-reference-smaller", test_lifetime_reference_smaller);
  add_net_test ("/E12/lifetime-capped", test_lifetime_capped);
  add_net_test ("/R43/lifetime-ignores-cache-control", test_lifetime_ignores_cache_control);
  add_net_test ("/R43/lifetime-no-store", test_lifetime_no_store);
  add_net_test ("/E28/connect-to-ipv6", test_connect_to_ipv6);
  g_test_add ("/fetch/async/cancel/right-after-start", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_cancel_right_after_start, fixture_teardown);
  g_test_add ("/fetch/async/concurrent", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_concurrent_async, fixture_teardown);
  g_test_add ("/fetch/sync/in-thread", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_sync_in_thread, fixture_teardown);

  return g_test_run ();
}
