/* test-hostile.c: servers that misbehave on purpose
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every case fetches https://example.com/.well-known/posh/xmpp-client.json
 * from a loopback server that misbehaves in one way, with a short total
 * timeout, and checks that the fetch ends with the precise error the
 * misbehaviour deserves (spec E16, E17, E19, R7, R8, R35, DESIGN.md error
 * list), that the server saw the client go away (no request left running),
 * that every file descriptor opened for the case is closed again, and that
 * the peak memory stayed bounded (figures in the test log).
 */

#include "config.h"

#include <string.h>

#include "posh-private.h"
#include "posh-fetch-private.h"
#include "posh-gnutls.h"
#include "posh-test-server.h"
#include "posh-test-utils.h"
#include "hostile-server.h"
#include "files/fingerprints.h"

#define HOST      "example.com"
#define SERVICE   "xmpp-client"
#define WELL_KNOWN "/.well-known/posh/" SERVICE ".json"

/* The client's total timeout; every case must end well inside it. */
#define TIMEOUT_MS 800
/* Peak RSS growth allowed for one case: the body cap is 64 KiB, so a
 * client that buffers what the server pushes blows through this at once. */
#define MAX_GROWTH_KB (16 * 1024)

#define GOOD_DOCUMENT \
  "{\"fingerprints\":[{\"sha-256\":\"" FP_HOSTING_EXAMPLE_NET_SHA256 "\"}],\"expires\":60}"

static PoshVerifier *
new_verifier (void)
{
  g_autoptr(GTlsDatabase) database = posh_test_tls_database ();
  PoshVerifier *verifier = posh_verifier_new ();

  posh_verifier_set_tls_database (verifier, database);
  posh_verifier_set_flags (verifier, POSH_VERIFIER_FLAGS_NO_CACHE);
  posh_verifier_set_timeout (verifier, hardening_timeout_ms (TIMEOUT_MS));
  return verifier;
}

/* Asserts that error maps to expected (a POSH_E_* code); says what came. */
static void
assert_posh_error (const GError *error,
                   int           expected)
{
  g_assert_nonnull (error);
  g_test_message ("error: %s (%s %d)", error->message,
                  g_quark_to_string (error->domain), error->code);
  if (_posh_error_to_code (error) != expected)
    g_error ("expected %s, got %s: %s", posh_strerror (expected),
             posh_strerror (_posh_error_to_code (error)), error->message);
}

/* Fetches through spec; returns the document or NULL with error set. */
static PoshDocument *
fetch_via (const char  *spec,
           gint64      *elapsed_ms,
           GError     **error)
{
  g_autoptr(PoshVerifier) verifier = new_verifier ();
  gint64 start = g_get_monotonic_time ();
  PoshDocument *document;

  posh_test_verifier_add_connect_to (verifier, spec);
  document = posh_verifier_fetch (verifier, HOST, SERVICE, NULL, error);
  *elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  return document;
}

/* ---- one misbehaviour per case ------------------------------------------ */

typedef struct
{
  const char       *path;
  HostileBehaviour  behaviour;
  int               expected;       /* POSH_E_* */
  const char       *raw;            /* RAW / PLAINTEXT: the bytes sent */
  gsize             raw_len;        /* 0: strlen (raw) */
} HostileCase;

static void
test_hostile_case (gconstpointer data)
{
  const HostileCase *hc = data;
  HardeningUsage usage;
  gint64 elapsed_ms = 0;

  POSH_TEST_SKIP_IF_NO_TLS ();

  hardening_usage_begin (&usage);
  {
    g_autoptr(HostileServer) server = hostile_server_new (HOST, hc->behaviour);
    g_autofree char *spec = hostile_server_connect_to_spec (server, HOST);
    g_autoptr(PoshDocument) document = NULL;
    g_autoptr(GError) error = NULL;

    if (hc->raw != NULL)
      hostile_server_set_raw (server, hc->raw,
                              hc->raw_len > 0 ? hc->raw_len : strlen (hc->raw));

    document = fetch_via (spec, &elapsed_ms, &error);
    g_assert_null (document);
    assert_posh_error (error, hc->expected);
    g_test_message ("ended after %" G_GINT64_FORMAT " ms (timeout %u ms), "
                    "server wrote %" G_GUINT64_FORMAT " bytes",
                    elapsed_ms, hardening_timeout_ms (TIMEOUT_MS),
                    hostile_server_get_bytes_sent (server));
    /* Ended by the client's own timer at the latest (a hang would be
     * caught here, not by meson's timeout). */
    g_assert_cmpint (elapsed_ms, <, 10 * hardening_timeout_ms (TIMEOUT_MS));
    g_assert_cmpuint (hostile_server_get_n_accepted (server), >=, 1);
    /* The client closed its side: every server thread saw it leave. */
    g_assert_cmpuint (hostile_server_wait_idle (server, 5000), ==, 0);
  }
  hardening_usage_end (&usage, hc->path, MAX_GROWTH_KB);
}

static const HostileCase cases[] = {
  /* Resets at every stage: a network failure (DESIGN.md: FETCH_ERROR is
   * "connect, reset, ..."), not an authentication one (HTTPS_ERROR: "an
   * HTTPS server failed authentication"), also when the reset comes before
   * or during the TLS handshake and glib-networking words it as a TLS
   * error (G_TLS_ERROR_NOT_TLS, "Peer failed to perform TLS handshake"). */
  { "/hostile/reset/before-tls", HOSTILE_RESET_ON_ACCEPT, POSH_E_FETCH_ERROR },
  { "/hostile/reset/mid-handshake", HOSTILE_RESET_MID_HANDSHAKE, POSH_E_FETCH_ERROR },
  { "/hostile/reset/after-request", HOSTILE_RESET_AFTER_REQUEST, POSH_E_FETCH_ERROR },
  { "/hostile/reset/mid-headers", HOSTILE_RESET_MID_HEADERS, POSH_E_FETCH_ERROR },
  { "/hostile/reset/mid-body", HOSTILE_RESET_MID_BODY, POSH_E_FETCH_ERROR },

  /* E16: silence anywhere ends with the total timeout. */
  { "/hostile/E16/stall-before-tls", HOSTILE_STALL_ON_ACCEPT, POSH_E_TIMEOUT },
  { "/hostile/E16/stall-mid-handshake", HOSTILE_STALL_MID_HANDSHAKE, POSH_E_TIMEOUT },
  { "/hostile/E16/headers-then-silence", HOSTILE_SILENCE_AFTER_HEADERS, POSH_E_TIMEOUT },
  { "/hostile/E16/slowloris", HOSTILE_SLOWLORIS, POSH_E_TIMEOUT },

  /* E19: the body cap, whatever the framing says. */
  { "/hostile/E19/endless-chunked", HOSTILE_ENDLESS_CHUNKED, POSH_E_TOO_LARGE },
  { "/hostile/E19/content-length-2GiB", HOSTILE_HUGE_CONTENT_LENGTH, POSH_E_TOO_LARGE },
  /* E18: we ask for identity; a gzip body is not a document, and is not
   * inflated past the cap either. */
  { "/hostile/E18/gzip-bomb", HOSTILE_GZIP_BOMB, POSH_E_RECEIVED_CORRUPT_DATA },

  /* R7: something that is not a TLS server at all. */
  { "/hostile/R7/plaintext-http", HOSTILE_PLAINTEXT, POSH_E_HTTPS_ERROR,
    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" },

  /* Malformed HTTP inside TLS. */
  { "/hostile/http/not-http", HOSTILE_RAW, POSH_E_FETCH_ERROR,
    "SSH-2.0-OpenSSH_9.2p1\r\n" },
  { "/hostile/http/no-status-line", HOSTILE_RAW, POSH_E_FETCH_ERROR,
    "\r\n\r\n" },
  { "/hostile/http/truncated-body", HOSTILE_RAW, POSH_E_FETCH_ERROR,
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    "{\"fingerprints\":[{}],\"expires\":60}" },
  /* libsoup reads an unparsable chunk size as 0, the last chunk: what
   * arrives is an empty body, which is no document either. */
  { "/hostile/http/bad-chunk-size", HOSTILE_RAW, POSH_E_RECEIVED_CORRUPT_DATA,
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n" },
  { "/hostile/E17/status-999", HOSTILE_RAW, POSH_E_FETCH_ERROR,
    "HTTP/1.1 999 Whatever\r\nContent-Length: 2\r\n\r\n{}" },
  { "/hostile/E17/status-204", HOSTILE_RAW, POSH_E_FETCH_ERROR,
    "HTTP/1.1 204 No Content\r\n\r\n" },
  { "/hostile/E17/status-500", HOSTILE_RAW, POSH_E_FETCH_ERROR,
    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n" },
  { "/hostile/E17/status-410", HOSTILE_RAW, POSH_E_NO_POSH_DATA,
    "HTTP/1.1 410 Gone\r\nContent-Length: 0\r\n\r\n" },
};

static GBytes *
gzip (const char *text)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  guint8 out[4096];
  gsize read = 0, written = 0;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_converter_convert (G_CONVERTER (compressor), text, strlen (text),
                                        out, sizeof out, G_CONVERTER_INPUT_AT_END,
                                        &read, &written, &error), ==, G_CONVERTER_FINISHED);
  g_assert_no_error (error);
  return g_bytes_new (out, written);
}

/* E18: the gzip of a valid document, sent although we asked for identity:
 * not inflated, so not JSON. */
static void
test_gzip_document (void)
{
  g_autoptr(GBytes) gzipped = gzip (GOOD_DOCUMENT);
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 200 OK\r\n"
                                           "Content-Type: application/json\r\n"
                                           "Content-Encoding: gzip\r\n"
                                           "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                                           g_bytes_get_size (gzipped));
  g_autoptr(GByteArray) response = g_byte_array_new ();
  HostileCase hc = { "/hostile/E18/gzip-document", HOSTILE_RAW,
                     POSH_E_RECEIVED_CORRUPT_DATA, NULL, 0 };

  g_byte_array_append (response, (const guint8 *) head, (guint) strlen (head));
  g_byte_array_append (response, g_bytes_get_data (gzipped, NULL),
                       (guint) g_bytes_get_size (gzipped));
  hc.raw = (const char *) response->data;
  hc.raw_len = response->len;
  test_hostile_case (&hc);
}

/* ---- bodies SoupServer can send: bad content ----------------------------- */

static void
fetch_body_expecting (const char *what,
                      const char *body,
                      int         expected)
{
  HardeningUsage usage;
  gint64 elapsed_ms = 0;

  hardening_usage_begin (&usage);
  {
    g_autoptr(PoshTestServer) server = posh_test_server_new (HOST);
    g_autofree char *spec = posh_test_server_connect_to_spec (server, HOST);
    g_autoptr(PoshDocument) document = NULL;
    g_autoptr(GError) error = NULL;

    posh_test_server_set_json (server, WELL_KNOWN, body);
    document = fetch_via (spec, &elapsed_ms, &error);
    g_assert_null (document);
    assert_posh_error (error, expected);
    g_assert_cmpuint (posh_test_server_get_request_count (server, WELL_KNOWN), ==, 1);
  }
  hardening_usage_end (&usage, what, MAX_GROWTH_KB);
}

static void
test_invalid_utf8 (void)
{
  POSH_TEST_SKIP_IF_NO_TLS ();

  /* E18: UTF-8 only; an overlong encoding and a lone continuation byte */
  fetch_body_expecting ("invalid UTF-8",
                        "{\"fingerprints\":[{\"sha-256\":\"\xc0\xaf\x80\"}],\"expires\":60}",
                        POSH_E_RECEIVED_CORRUPT_DATA);
  /* a UTF-16 document (E18: other encodings are rejected) */
  fetch_body_expecting ("UTF-16 BOM", "\xff\xfe{\x00}\x00", POSH_E_RECEIVED_CORRUPT_DATA);
}

static char *
nested (guint levels)
{
  GString *s = g_string_new ("{\"fingerprints\":[{}],\"expires\":60,\"x\":");

  for (guint i = 0; i < levels; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < levels; i++)
    g_string_append_c (s, ']');
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}

static void
test_deep_nesting (void)
{
  g_autofree char *deep = nested (30000);      /* 60 KB: under the size cap */
  g_autofree char *deeper = nested (100000);   /* 200 KB: over it */

  POSH_TEST_SKIP_IF_NO_TLS ();

  fetch_body_expecting ("30000 levels", deep, POSH_E_RECEIVED_CORRUPT_DATA);
  fetch_body_expecting ("100000 levels", deeper, POSH_E_TOO_LARGE);
}

static char *
many_descriptors (guint n)
{
  GString *s = g_string_new ("{\"fingerprints\":[");

  for (guint i = 0; i < n; i++)
    g_string_append (s, i == 0 ? "{}" : ",{}");
  g_string_append (s, "],\"expires\":60}");
  return g_string_free (s, FALSE);
}

static void
test_many_descriptors (void)
{
  g_autofree char *body = many_descriptors (100000);
  HardeningUsage usage;

  POSH_TEST_SKIP_IF_NO_TLS ();

  /* E19, default caps: 300 KB is over the 64 KiB body cap. */
  fetch_body_expecting ("100000 descriptors", body, POSH_E_TOO_LARGE);

  /* With the size cap raised to 1 MiB the descriptor cap (64) stops it. */
  hardening_usage_begin (&usage);
  {
    g_autoptr(PoshTestServer) server = posh_test_server_new (HOST);
    g_autofree char *spec = posh_test_server_connect_to_spec (server, HOST);
    g_autoptr(PoshFetcher) fetcher = _posh_fetcher_new ();
    g_autoptr(GTlsDatabase) database = posh_test_tls_database ();
    g_autoptr(PoshDocument) document = NULL;
    g_autoptr(GError) error = NULL;
    PoshParseLimits limits;

    _posh_parse_limits_init (&limits);
    limits.max_size = 1024 * 1024;
    _posh_fetcher_set_limits (fetcher, &limits);
    _posh_fetcher_set_tls_database (fetcher, database);
    _posh_fetcher_set_timeout (fetcher, hardening_timeout_ms (5000));
    g_assert_true (_posh_fetcher_add_connect_to (fetcher, spec, &error));
    posh_test_server_set_json (server, WELL_KNOWN, body);

    document = _posh_fetcher_fetch (fetcher, HOST, SERVICE, FALSE, NULL, &error);
    g_assert_null (document);
    assert_posh_error (error, POSH_E_TOO_LARGE);
    g_assert_true (strstr (error->message, "descriptor") != NULL);
  }
  /* The scanner stops at the 65th descriptor, before json-glib builds a
   * tree (that tree was ~25 MiB for this 300 KB body): what is left is the
   * body, the connection and TLS, well under 1 MiB measured. The bound
   * leaves room for allocator noise and is still far below the tree. */
  hardening_usage_end (&usage, "100000 descriptors, 1 MiB cap", 4 * 1024);
}

/* ---- redirects ---------------------------------------------------------- */

/* R8/R9: a redirect to another port keeps the host of its Location, and
 * TLS is checked against that host: it works when the server there holds
 * a certificate for it, and for nothing else. The target is a
 * HostileServer answering one fixed response, because SoupServer (libsoup
 * 3.2.3) keeps the socket of a connection whose handshake the client
 * refused open until the process exits, which would hide a client leak in
 * the descriptor count. */
static void
redirect_to_port (const char *target_identity,
                  gboolean    location_is_ip,
                  int         expected)
{
  HardeningUsage usage;

  hardening_usage_begin (&usage);
  {
    g_autoptr(PoshTestServer) source = posh_test_server_new (HOST);
    g_autoptr(HostileServer) target = hostile_server_new (target_identity, HOSTILE_RAW);
    g_autoptr(PoshVerifier) verifier = new_verifier ();
    g_autofree char *spec = posh_test_server_connect_to_spec (source, HOST);
    guint16 port2 = hostile_server_get_port (target);
    g_autofree char *target_spec = g_strdup_printf ("%s:%u:127.0.0.1:%u", HOST, port2, port2);
    g_autofree char *location = g_strdup_printf ("https://%s:%u/posh.json",
                                                 location_is_ip ? "127.0.0.1" : HOST, port2);
    g_autofree char *response = g_strdup_printf ("HTTP/1.1 200 OK\r\n"
                                                 "Content-Type: application/json\r\n"
                                                 "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                                                 "\r\n%s",
                                                 strlen (GOOD_DOCUMENT), GOOD_DOCUMENT);
    g_autoptr(PoshDocument) document = NULL;
    g_autoptr(GError) error = NULL;

    hostile_server_set_raw (target, response, strlen (response));
    posh_test_server_set_redirect (source, WELL_KNOWN, 302, location);
    posh_verifier_set_timeout (verifier, hardening_timeout_ms (5000));
    posh_test_verifier_add_connect_to (verifier, spec);
    posh_test_verifier_add_connect_to (verifier, target_spec);

    document = posh_verifier_fetch (verifier, HOST, SERVICE, NULL, &error);
    if (expected == POSH_E_SUCCESS)
      {
        g_assert_no_error (error);
        g_assert_nonnull (document);
        g_assert_cmpuint (posh_document_get_n_hops (document), ==, 2);
        g_assert_cmpstr (posh_document_get_hop_url (document, 1), ==, location);
        g_assert_cmpuint (hostile_server_get_n_requests (target), ==, 1);
      }
    else
      {
        g_assert_null (document);
        assert_posh_error (error, expected);
        /* TLS failed: the request itself was never sent. */
        g_assert_cmpuint (hostile_server_get_n_requests (target), ==, 0);
      }
    g_assert_cmpuint (hostile_server_wait_idle (target, 5000), ==, 0);
  }
  hardening_usage_end (&usage, location_is_ip ? "redirect to 127.0.0.1:PORT"
                                              : "redirect to example.com:PORT",
                       MAX_GROWTH_KB);
}

static void
test_redirect_other_port_same_host (void)
{
  POSH_TEST_SKIP_IF_NO_TLS ();
  redirect_to_port (HOST, FALSE, POSH_E_SUCCESS);
}

static void
test_redirect_other_port_wrong_cert (void)
{
  POSH_TEST_SKIP_IF_NO_TLS ();
  redirect_to_port ("evil.example", FALSE, POSH_E_HTTPS_ERROR);
}

static void
test_redirect_other_port_ip_literal (void)
{
  POSH_TEST_SKIP_IF_NO_TLS ();
  /* The certificate names example.com, not 127.0.0.1. */
  redirect_to_port (HOST, TRUE, POSH_E_HTTPS_ERROR);
}

/* R35: a storm of redirects stops at the limit, after exactly limit + 1
 * requests; a loop the same way. */
static void
redirect_storm (guint        max_redirects,
                gboolean     loop)
{
  HardeningUsage usage;
  guint expected_requests = (max_redirects > 0 ? max_redirects : POSH_DEFAULT_MAX_REDIRECTS) + 1;

  hardening_usage_begin (&usage);
  {
    g_autoptr(PoshTestServer) server = posh_test_server_new (HOST);
    g_autoptr(PoshVerifier) verifier = new_verifier ();
    g_autofree char *spec = posh_test_server_connect_to_spec (server, HOST);
    g_autoptr(PoshDocument) document = NULL;
    g_autoptr(GError) error = NULL;

    if (loop)
      posh_test_server_set_redirect (server, WELL_KNOWN, 307, WELL_KNOWN);
    else
      {
        posh_test_server_set_redirect (server, WELL_KNOWN, 302, "/r1");
        for (guint i = 1; i < 100; i++)
          {
            g_autofree char *from = g_strdup_printf ("/r%u", i);
            g_autofree char *to = g_strdup_printf ("https://" HOST "/r%u", i + 1);

            posh_test_server_set_redirect (server, from, 301 + (i % 3), to);
          }
      }
    /* eleven handshakes: not a timing test */
    posh_verifier_set_timeout (verifier, hardening_timeout_ms (10000));
    if (max_redirects > 0)
      posh_verifier_set_max_redirects (verifier, max_redirects);
    posh_test_verifier_add_connect_to (verifier, spec);

    document = posh_verifier_fetch (verifier, HOST, SERVICE, NULL, &error);
    g_assert_null (document);
    assert_posh_error (error, POSH_E_TOO_MANY_REDIRECTS);
    g_assert_cmpuint (posh_test_server_get_total_request_count (server), ==, expected_requests);
  }
  hardening_usage_end (&usage, loop ? "redirect loop" : "redirect storm", MAX_GROWTH_KB);
}

static void
test_redirect_storm (void)
{
  POSH_TEST_SKIP_IF_NO_TLS ();
  redirect_storm (0, FALSE);
  redirect_storm (3, FALSE);
}

static void
test_redirect_loop (void)
{
  POSH_TEST_SKIP_IF_NO_TLS ();
  redirect_storm (0, TRUE);
}

/* R10: the HTTPS leg follows current TLS practice (RFC 9325): a server
 * that offers only TLS 1.0 is refused, while the same server pinned to
 * TLS 1.2 (the control: the test can fail) serves the document. */
static void
test_tls_version (gconstpointer data)
{
  HostileBehaviour behaviour = GPOINTER_TO_INT (data);
  gint64 elapsed_ms = 0;

  POSH_TEST_SKIP_IF_NO_TLS ();
  {
    g_autoptr(HostileServer) server = hostile_server_new (HOST, behaviour);
    g_autofree char *spec = hostile_server_connect_to_spec (server, HOST);
    g_autoptr(GError) error = NULL;
    g_autoptr(PoshDocument) document = NULL;

    hostile_server_set_body (server, GOOD_DOCUMENT);
    document = fetch_via (spec, &elapsed_ms, &error);
    if (behaviour == HOSTILE_TLS_1_2_ONLY)
      {
        g_assert_no_error (error);
        g_assert_nonnull (document);
        g_assert_cmpuint (hostile_server_get_n_requests (server), ==, 1);
      }
    else
      {
        g_assert_null (document);
        assert_posh_error (error, POSH_E_HTTPS_ERROR);
        g_assert_cmpuint (hostile_server_get_n_requests (server), ==, 0);
      }
    g_assert_cmpuint (hostile_server_wait_idle (server, 5000), ==, 0);
  }
}

int
main (int    argc,
      char **argv)
{
  posh_test_init (&argc, &argv);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], test_hostile_case);
  g_test_add_func ("/hostile/E18/gzip-document", test_gzip_document);
  g_test_add_func ("/hostile/E18/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/hostile/E19/deep-nesting", test_deep_nesting);
  g_test_add_func ("/hostile/E19/100000-descriptors", test_many_descriptors);
  g_test_add_func ("/hostile/R8/redirect-other-port", test_redirect_other_port_same_host);
  g_test_add_func ("/hostile/R8/redirect-other-port-wrong-cert", test_redirect_other_port_wrong_cert);
  g_test_add_func ("/hostile/R8/redirect-other-port-ip-literal", test_redirect_other_port_ip_literal);
  g_test_add_func ("/hostile/R35/redirect-storm", test_redirect_storm);
  g_test_add_func ("/hostile/R35/redirect-loop", test_redirect_loop);
  g_test_add_data_func ("/hostile/R10/tls-1.0-only-refused",
                        GINT_TO_POINTER (HOSTILE_TLS_1_0_ONLY), test_tls_version);
  g_test_add_data_func ("/hostile/R10/tls-1.2-only-accepted",
                        GINT_TO_POINTER (HOSTILE_TLS_1_2_ONLY), test_tls_version);

  if (posh_test_have_tls ())
    hardening_warm_up ();
  return g_test_run ();
}
