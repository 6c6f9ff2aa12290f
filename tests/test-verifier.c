/* test-verifier.c: PoshVerifier against the loopback POSH hosts: the
 * verification flow, input checks before I/O, one shared fetch for
 * concurrent requests, cancellation, properties.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "posh-private.h"

#include "files/fingerprints.h"
#include "posh-test-server.h"
#include "posh-test-utils.h"

#define CLIENT_PATH "/.well-known/posh/xmpp-client.json"
#define HOSTING_URL "https://hosting.example.net" CLIENT_PATH
/* 2030-03-17: inside the validity of the test certificates made in 2026 */
#define T_VALID 1900000000

typedef struct
{
  PoshTestServer *source;    /* example.com */
  PoshTestServer *hosting;   /* hosting.example.net */
  PoshVerifier   *verifier;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  if (!posh_test_have_tls ())
    return;

  f->source = posh_test_server_new ("example.com");
  f->hosting = posh_test_server_new ("hosting.example.net");
  /* its timeout is generous; no test here depends on it */
  f->verifier = posh_test_verifier_new (f->source, f->hosting);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->verifier);
  g_clear_pointer (&f->source, posh_test_server_free);
  g_clear_pointer (&f->hosting, posh_test_server_free);
}

#define SKIP_IF_NO_FIXTURE(f) POSH_TEST_SKIP_UNLESS_TLS ((f)->verifier != NULL)

static void
serve_fingerprints (PoshTestServer *server,
                    const char     *sha256)
{
  g_autofree char *json = posh_test_fingerprints_json (sha256, 3600);

  posh_test_server_set_json (server, CLIENT_PATH, json);
}

/* Verifies with the sync or the async API (test data). */
static gboolean
do_verify (Fixture           *f,
           gconstpointer      data,
           GTlsCertificate   *certificate,
           const char        *domain,
           const char        *service,
           PoshVerifyStatus  *status,
           GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (!GPOINTER_TO_INT (data))
    return posh_verifier_verify_certificate (f->verifier, certificate, domain,
                                             service, status, NULL, error);

  posh_verifier_verify_certificate_async (f->verifier, certificate, domain, service,
                                          NULL, posh_test_async_result_cb, &result);
  posh_test_wait_async_result (&result);
  return posh_verifier_verify_certificate_finish (f->verifier, result, status, error);
}

/* Verifies certificate for example.com's xmpp-client (the API per test
 * data); asserts success and that the status was written. */
static PoshVerifyStatus
verify_status (Fixture         *f,
               gconstpointer    data,
               GTlsCertificate *certificate)
{
  g_autoptr(GError) error = NULL;
  PoshVerifyStatus status = 0xff;

  g_assert_true (do_verify (f, data, certificate, "example.com", "xmpp-client",
                            &status, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (status, !=, 0xff);
  return status;
}

/* The same, asserting that it fails with the POSH error code. */
static void
assert_verify_error (Fixture         *f,
                     gconstpointer    data,
                     GTlsCertificate *certificate,
                     PoshError        code)
{
  g_autoptr(GError) error = NULL;
  PoshVerifyStatus status = POSH_VERIFY_STATUS_NONE;

  g_assert_false (do_verify (f, data, certificate, "example.com", "xmpp-client",
                             &status, &error));
  g_assert_error (error, POSH_ERROR, (int) code);
}

static void
test_match (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f->source, FP_HOSTING_EXAMPLE_NET_SHA256);

  g_assert_cmpuint (verify_status (f, data, certificate), ==, POSH_VERIFY_STATUS_NONE);

  /* the second verification is served by the cache */
  g_assert_cmpuint (verify_status (f, data, certificate), ==, POSH_VERIFY_STATUS_NONE);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, CLIENT_PATH), ==, 1);
}

/* R25: delegation through a reference gives the same verdict */
static void
test_R25_match_through_reference (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");
  g_autofree char *reference = posh_test_reference_json (HOSTING_URL, 3600);

  SKIP_IF_NO_FIXTURE (f);
  posh_test_server_set_json (f->source, CLIENT_PATH, reference);
  serve_fingerprints (f->hosting, FP_HOSTING_EXAMPLE_NET_SHA256);

  g_assert_cmpuint (verify_status (f, data, certificate), ==, POSH_VERIFY_STATUS_NONE);
  g_assert_cmpuint (posh_test_server_get_request_count (f->hosting, CLIENT_PATH), ==, 1);
}

static void
test_differs (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("xmpp-other.pem");

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f->source, FP_HOSTING_EXAMPLE_NET_SHA256);

  g_assert_cmpuint (verify_status (f, data, certificate), ==, POSH_VERIFY_STATUS_CERT_DIFFERS);
}

/* R24: a hash match never makes an expired certificate acceptable; the
 * verifier's clock decides. */
static void
test_R24_expired (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("xmpp-expired.pem");
  PoshTestClock clock = { .now = 1262304000 + 86400 };  /* 2010-01-02 */

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f->source, FP_XMPP_EXPIRED_SHA256);

  /* system clock (2026 or later): expired in 2020 */
  g_assert_cmpuint (verify_status (f, data, certificate), ==, POSH_VERIFY_STATUS_CERT_EXPIRED);

  /* the same document at a time the certificate was valid */
  posh_verifier_set_clock (f->verifier, posh_test_clock_now, &clock, NULL);
  g_assert_cmpuint (verify_status (f, data, certificate), ==, POSH_VERIFY_STATUS_NONE);

  /* one second after its notAfter (2020-01-01): no longer valid */
  clock.now = 1577836800 + 1;
  g_assert_cmpuint (verify_status (f, data, certificate), ==, POSH_VERIFY_STATUS_CERT_EXPIRED);
}

static void
test_R24_not_activated (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("xmpp-notyet.pem");

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f->source, FP_XMPP_NOTYET_SHA256);
  g_assert_cmpuint (verify_status (f, data, certificate), ==,
                    POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED);
}

static void
test_R13_not_found (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");

  SKIP_IF_NO_FIXTURE (f);
  assert_verify_error (f, data, certificate, POSH_ERROR_NO_POSH_DATA);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, CLIENT_PATH), ==, 1);
}

/* R20: expires 0 invalidates the material, match or not */
static void
test_R20_invalidated (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");
  g_autofree char *json = posh_test_fingerprints_json (FP_HOSTING_EXAMPLE_NET_SHA256, 0);

  SKIP_IF_NO_FIXTURE (f);
  posh_test_server_set_json (f->source, CLIENT_PATH, json);
  assert_verify_error (f, data, certificate, POSH_ERROR_INVALIDATED);
  /* never cached */
  g_assert_null (posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-client"));
}

/* R7: the untrusted HTTPS server fails authentication */
static void
test_R7_untrusted_https (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");
  g_autoptr(PoshTestServer) untrusted = NULL;

  SKIP_IF_NO_FIXTURE (f);
  untrusted = posh_test_server_new ("example.com-untrusted");
  serve_fingerprints (untrusted, FP_HOSTING_EXAMPLE_NET_SHA256);
  /* the fixture's verifier, but example.com is the untrusted host */
  g_clear_object (&f->verifier);
  f->verifier = posh_test_verifier_new (untrusted, f->hosting);

  assert_verify_error (f, data, certificate, POSH_ERROR_HTTPS);
}

/* E2, E3: bad names are rejected before any network activity */
static void
test_E2_E3_bad_input_before_io (Fixture       *f,
                                gconstpointer  data)
{
  static const struct
  {
    const char *domain;
    const char *service;
  } cases[] = {
    { "exa mple.com", "xmpp-client" },
    { "192.0.2.1", "xmpp-client" },
    { "[::1]", "xmpp-client" },
    { "example.com:443", "xmpp-client" },
    { "user@example.com", "xmpp-client" },
    { "example..com", "xmpp-client" },
    { "", "xmpp-client" },
    { "example.com", "" },
    { "example.com", "xmpp/client" },
    { "example.com", "../xmpp-client" },
    { "example.com", "xmpp-client?x" },
    { "example.com", "-xmpp" },
    { "example.com", "XMPP%2Fclient" },
  };
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f->source, FP_HOSTING_EXAMPLE_NET_SHA256);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) fetch_error = NULL;
      g_autoptr(PoshDocument) document = NULL;
      PoshVerifyStatus status = POSH_VERIFY_STATUS_NONE;

      g_test_message ("domain '%s', service '%s'", cases[i].domain, cases[i].service);
      g_assert_false (do_verify (f, data, certificate, cases[i].domain, cases[i].service,
                                 &status, &error));
      g_assert_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST);
      document = posh_verifier_fetch (f->verifier, cases[i].domain, cases[i].service,
                                      NULL, &fetch_error);
      g_assert_null (document);
      g_assert_error (fetch_error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST);
    }
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->source), ==, 0);
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->hosting), ==, 0);
}

typedef struct
{
  PoshVerifier *verifier;
  guint         n_calls;
  guint         n_ok;
  guint         n_cancelled;
  guint        *calls;         /* per request, to catch a double callback */
} Counter;

typedef struct
{
  Counter *counter;
  guint    index;
} Call;

static void
verified_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Call *call = user_data;
  Counter *counter = call->counter;
  g_autoptr(GError) error = NULL;
  PoshVerifyStatus status = 0xff;

  g_assert_true (source == G_OBJECT (counter->verifier));
  counter->calls[call->index]++;
  counter->n_calls++;
  if (posh_verifier_verify_certificate_finish (counter->verifier, result, &status, &error))
    {
      g_assert_cmpuint (status, ==, POSH_VERIFY_STATUS_NONE);
      counter->n_ok++;
    }
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      counter->n_cancelled++;
    }
}

/* Iterates until n callbacks ran, then lets a late second one run (and
 * trip the count). */
static void
wait_for_calls (Counter *counter,
                guint    n)
{
  while (counter->n_calls < n)
    g_main_context_iteration (NULL, TRUE);
  posh_test_drain_main_context ();
}

/* DESIGN.md: concurrent requests for the same (domain, service) share one
 * HTTP fetch; every caller gets its callback exactly once. */
static void
test_single_fetch (Fixture       *f,
                   gconstpointer  data)
{
  enum { N = 50 };
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");
  guint calls[N] = { 0 };
  Call call_data[N];
  Counter counter = { f->verifier, 0, 0, 0, calls };

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f->source, FP_HOSTING_EXAMPLE_NET_SHA256);

  for (guint i = 0; i < N; i++)
    {
      call_data[i] = (Call) { &counter, i };
      posh_verifier_verify_certificate_async (f->verifier, certificate, "example.com",
                                              "xmpp-client", NULL, verified_cb,
                                              &call_data[i]);
    }
  wait_for_calls (&counter, N);

  g_assert_cmpuint (counter.n_calls, ==, N);
  g_assert_cmpuint (counter.n_ok, ==, N);
  for (guint i = 0; i < N; i++)
    g_assert_cmpuint (calls[i], ==, 1);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, CLIENT_PATH), ==, 1);
  g_assert_cmpuint (_posh_verifier_get_n_inflight (f->verifier), ==, 0);
}

/* A cancelled waiter fails with G_IO_ERROR_CANCELLED; the shared fetch
 * goes on for the others. */
static void
test_cancel_one_waiter (Fixture       *f,
                        gconstpointer  data)
{
  enum { N = 5, CANCELLED = 2 };
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PoshDocument) cached = NULL;
  guint calls[N] = { 0 };
  Call call_data[N];
  Counter counter = { f->verifier, 0, 0, 0, calls };

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f->source, FP_HOSTING_EXAMPLE_NET_SHA256);

  for (guint i = 0; i < N; i++)
    {
      call_data[i] = (Call) { &counter, i };
      posh_verifier_verify_certificate_async (f->verifier, certificate, "example.com",
                                              "xmpp-client",
                                              i == CANCELLED ? cancellable : NULL,
                                              verified_cb, &call_data[i]);
    }
  g_assert_cmpuint (_posh_verifier_get_n_inflight (f->verifier), ==, 1);
  g_cancellable_cancel (cancellable);

  wait_for_calls (&counter, N);

  g_assert_cmpuint (counter.n_cancelled, ==, 1);
  g_assert_cmpuint (counter.n_ok, ==, N - 1);
  for (guint i = 0; i < N; i++)
    g_assert_cmpuint (calls[i], ==, 1);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, CLIENT_PATH), ==, 1);
  cached = posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-client");
  g_assert_nonnull (cached);
}

/* A helper thread's wait for the POSH host to hold a request; it wakes the
 * test's main context when the request is there. */
typedef struct
{
  PoshTestServer *server;
  GMainContext   *context;
  int             seen;       /* atomic */
} RequestWait;

static gpointer
request_wait_thread (gpointer user_data)
{
  RequestWait *wait = user_data;

  posh_test_server_wait_for_requests (wait->server, CLIENT_PATH, 1);
  g_atomic_int_set (&wait->seen, 1);
  g_main_context_wakeup (wait->context);
  return NULL;
}

/* R38: the POSH fetch runs alongside the caller's own lookups (SRV, TLSA,
 * addresses) in one main loop. The POSH host holds the request and never
 * answers; meanwhile a resolver lookup started after the fetch completes,
 * and the fetch is still pending until it is cancelled. */
static void
test_R38_fetch_alongside_lookup (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autoptr(GAsyncResult) fetched = NULL;
  g_autoptr(GAsyncResult) resolved = NULL;
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  GList *addresses;
  g_autofree char *address = NULL;
  RequestWait wait = { f->source, g_main_context_default (), 0 };
  GThread *thread;

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f->source, FP_HOSTING_EXAMPLE_NET_SHA256);
  posh_test_server_set_behaviour (f->source, CLIENT_PATH, POSH_TEST_BEHAVIOUR_NO_RESPONSE, 0);
  thread = g_thread_new ("request-wait", request_wait_thread, &wait);

  posh_verifier_fetch_async (f->verifier, "example.com", "xmpp-client", cancellable,
                             posh_test_async_result_cb, &fetched);
  /* an address literal: answered by GResolver itself, no DNS */
  g_resolver_lookup_by_name_async (resolver, "127.0.0.1", NULL,
                                   posh_test_async_result_cb, &resolved);
  /* (a fetch that ended early ends the wait too, and fails below) */
  while (resolved == NULL || (!g_atomic_int_get (&wait.seen) && fetched == NULL))
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (fetched);
  g_thread_join (thread);

  addresses = g_resolver_lookup_by_name_finish (resolver, resolved, &error);
  g_assert_no_error (error);
  g_assert_nonnull (addresses);
  address = g_inet_address_to_string (addresses->data);
  g_resolver_free_addresses (addresses);
  g_assert_cmpstr (address, ==, "127.0.0.1");
  /* the lookup is done, the POSH host has the request, the fetch waits */
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, CLIENT_PATH), ==, 1);
  g_assert_cmpuint (_posh_verifier_get_n_inflight (f->verifier), ==, 1);

  g_cancellable_cancel (cancellable);
  posh_test_wait_async_result (&fetched);
  document = posh_verifier_fetch_finish (f->verifier, fetched, &error);
  g_assert_null (document);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  posh_test_drain_main_context ();
  g_assert_cmpuint (_posh_verifier_get_n_inflight (f->verifier), ==, 0);
}

/* When every waiter is cancelled the shared fetch is cancelled, nothing is
 * cached, and the next request starts a fresh fetch. */
static void
test_cancel_all_waiters (Fixture       *f,
                         gconstpointer  data)
{
  enum { N = 3 };
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint calls[N] = { 0 };
  Call call_data[N];
  Counter counter = { f->verifier, 0, 0, 0, calls };

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f->source, FP_HOSTING_EXAMPLE_NET_SHA256);

  for (guint i = 0; i < N; i++)
    {
      call_data[i] = (Call) { &counter, i };
      posh_verifier_verify_certificate_async (f->verifier, certificate, "example.com",
                                              "xmpp-client", cancellable,
                                              verified_cb, &call_data[i]);
    }
  g_cancellable_cancel (cancellable);
  wait_for_calls (&counter, N);
  g_assert_cmpuint (counter.n_cancelled, ==, N);
  g_assert_cmpuint (_posh_verifier_get_n_inflight (f->verifier), ==, 0);
  g_assert_null (posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-client"));

  g_assert_cmpuint (verify_status (f, data, certificate), ==, POSH_VERIFY_STATUS_NONE);
}

/* An already-cancelled cancellable fails at once, with no request. */
static void
test_cancelled_before_start (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f->source, FP_HOSTING_EXAMPLE_NET_SHA256);
  g_cancellable_cancel (cancellable);
  posh_verifier_verify_certificate_async (f->verifier, certificate, "example.com",
                                          "xmpp-client", cancellable,
                                          posh_test_async_result_cb, &result);
  posh_test_wait_async_result (&result);
  g_assert_false (posh_verifier_verify_certificate_finish (f->verifier, result, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->source), ==, 0);
}

/* A sync call while an async fetch for the same key is in flight fetches
 * on its own (it cannot wait on another main context's fetch). */
static void
test_sync_does_not_wait_on_async (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PoshVerifyStatus status = 0xff;

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f->source, FP_HOSTING_EXAMPLE_NET_SHA256);
  posh_verifier_verify_certificate_async (f->verifier, certificate, "example.com",
                                          "xmpp-client", NULL,
                                          posh_test_async_result_cb, &result);
  g_assert_cmpuint (_posh_verifier_get_n_inflight (f->verifier), ==, 1);
  g_assert_true (posh_verifier_verify_certificate (f->verifier, certificate, "example.com",
                                                   "xmpp-client", &status, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, POSH_VERIFY_STATUS_NONE);

  posh_test_wait_async_result (&result);
  g_assert_true (posh_verifier_verify_certificate_finish (f->verifier, result, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, CLIENT_PATH), ==, 2);
}

/* verify-flags reach the raw verification (sha-1 only when asked, E4) */
static void
test_E4_verify_flags (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");
  const char *json = "{\"fingerprints\":[{\"sha-1\":\"" FP_HOSTING_EXAMPLE_NET_SHA1 "\"}],"
                     "\"expires\":600}";

  SKIP_IF_NO_FIXTURE (f);
  posh_test_server_set_json (f->source, CLIENT_PATH, json);
  g_assert_true (verify_status (f, data, certificate) & POSH_VERIFY_STATUS_NO_USABLE_FINGERPRINT);

  posh_verifier_set_verify_flags (f->verifier, POSH_VERIFY_FLAGS_ALLOW_SHA1);
  g_assert_cmpuint (verify_status (f, data, certificate), ==, POSH_VERIFY_STATUS_NONE);

  posh_verifier_set_verify_flags (f->verifier, POSH_VERIFY_FLAGS_FAIL_IF_NOT_CHECKED);
  assert_verify_error (f, data, certificate, POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, CLIENT_PATH), ==, 1);
}

/* R35: the verifier's redirect limit reaches the fetch */
static void
test_R35_max_redirects_forwarded (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");

  SKIP_IF_NO_FIXTURE (f);
  posh_test_server_set_redirect (f->source, CLIENT_PATH, 302, "https://example.com/hop1");
  posh_test_server_set_redirect (f->source, "/hop1", 302, "https://example.com/hop2");
  posh_test_server_set_json (f->source, "/hop2",
                             "{\"fingerprints\":[{\"sha-256\":\"" FP_HOSTING_EXAMPLE_NET_SHA256 "\"}],"
                             "\"expires\":600}");

  posh_verifier_set_max_redirects (f->verifier, 1);
  assert_verify_error (f, data, certificate, POSH_ERROR_TOO_MANY_REDIRECTS);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, "/hop2"), ==, 0);

  posh_verifier_set_max_redirects (f->verifier, 2);
  g_assert_cmpuint (verify_status (f, data, certificate), ==, POSH_VERIFY_STATUS_NONE);
}

/* E16: the verifier's timeout reaches the fetch: a server that never
 * answers gives POSH_ERROR_TIMEOUT, never a match. */
static void
test_E16_timeout_forwarded (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f->source, FP_HOSTING_EXAMPLE_NET_SHA256);
  posh_test_server_set_behaviour (f->source, CLIENT_PATH, POSH_TEST_BEHAVIOUR_STALL, 0);
  posh_verifier_set_timeout (f->verifier, 300);
  assert_verify_error (f, data, certificate, POSH_ERROR_TIMEOUT);
}

typedef struct
{
  PoshVerifier    *verifier;
  GTlsCertificate *certificate;
  guint            n_ok;
} ThreadData;

static gpointer
verify_thread (gpointer user_data)
{
  ThreadData *td = user_data;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GError) error = NULL;
      PoshVerifyStatus status = 0xff;

      if (posh_verifier_verify_certificate (td->verifier, td->certificate, "example.com",
                                            "xmpp-client", &status, NULL, &error)
          && status == POSH_VERIFY_STATUS_NONE)
        td->n_ok++;
    }
  return NULL;
}

/* One verifier used from several threads at once (sync calls, as from
 * accept-certificate handlers in worker threads): every call succeeds, and
 * each thread fetches at most once before the cache answers. */
static void
test_threads (Fixture       *f,
              gconstpointer  data)
{
  enum { N_THREADS = 4 };
  g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");
  ThreadData td[N_THREADS];
  GThread *threads[N_THREADS];
  guint requests;

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f->source, FP_HOSTING_EXAMPLE_NET_SHA256);
  for (guint i = 0; i < N_THREADS; i++)
    {
      td[i] = (ThreadData) { f->verifier, certificate, 0 };
      threads[i] = g_thread_new ("verify", verify_thread, &td[i]);
    }
  for (guint i = 0; i < N_THREADS; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (td[i].n_ok, ==, 5);
    }
  requests = posh_test_server_get_request_count (f->source, CLIENT_PATH);
  g_assert_cmpuint (requests, >=, 1);
  g_assert_cmpuint (requests, <=, N_THREADS);
}

/* ---- properties -------------------------------------------------------- */

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
check_uint_property (PoshVerifier *verifier,
                     const char   *name,
                     guint         expected_default,
                     guint         new_value)
{
  g_autofree char *signal = g_strconcat ("notify::", name, NULL);
  guint count = 0;
  guint value = 0;
  gulong id = g_signal_connect (verifier, signal, G_CALLBACK (count_notify_cb), &count);

  g_object_get (verifier, name, &value, NULL);
  g_assert_cmpuint (value, ==, expected_default);
  g_object_set (verifier, name, new_value, NULL);
  g_object_get (verifier, name, &value, NULL);
  g_assert_cmpuint (value, ==, new_value);
  g_assert_cmpuint (count, ==, 1);
  /* the same value again: no notification */
  g_object_set (verifier, name, new_value, NULL);
  g_assert_cmpuint (count, ==, 1);
  g_signal_handler_disconnect (verifier, id);
}

static void
test_properties (void)
{
  g_autoptr(PoshVerifier) verifier = posh_verifier_new ();
  g_autoptr(GTlsDatabase) database = NULL;
  GTlsDatabase *got = NULL;
  guint count = 0;
  guint flags = 0;

  check_uint_property (verifier, "timeout", 10000, 2500);
  g_assert_cmpuint (posh_verifier_get_timeout (verifier), ==, 2500);
  check_uint_property (verifier, "max-redirects", 10, 3);
  g_assert_cmpuint (posh_verifier_get_max_redirects (verifier), ==, 3);
  check_uint_property (verifier, "max-lifetime", 30 * 24 * 3600, 86400);
  g_assert_cmpuint (posh_verifier_get_max_lifetime (verifier), ==, 86400);
  check_uint_property (verifier, "negative-cache-lifetime", 0, 60);

  g_signal_connect (verifier, "notify::flags", G_CALLBACK (count_notify_cb), &count);
  g_object_get (verifier, "flags", &flags, NULL);
  g_assert_cmpuint (flags, ==, POSH_VERIFIER_FLAGS_NONE);
  posh_verifier_set_flags (verifier, POSH_VERIFIER_FLAGS_LEGACY_PATH);
  g_object_get (verifier, "flags", &flags, NULL);
  g_assert_cmpuint (flags, ==, POSH_VERIFIER_FLAGS_LEGACY_PATH);
  g_assert_cmpuint (posh_verifier_get_flags (verifier), ==, POSH_VERIFIER_FLAGS_LEGACY_PATH);
  posh_verifier_set_flags (verifier, POSH_VERIFIER_FLAGS_LEGACY_PATH);
  g_assert_cmpuint (count, ==, 1);

  count = 0;
  g_signal_connect (verifier, "notify::verify-flags", G_CALLBACK (count_notify_cb), &count);
  g_assert_cmpuint (posh_verifier_get_verify_flags (verifier), ==, POSH_VERIFY_FLAGS_NONE);
  g_object_set (verifier, "verify-flags", POSH_VERIFY_FLAGS_ALLOW_SHA1, NULL);
  g_assert_cmpuint (posh_verifier_get_verify_flags (verifier), ==, POSH_VERIFY_FLAGS_ALLOW_SHA1);
  g_assert_cmpuint (count, ==, 1);

  if (posh_test_have_tls ())
    {
      count = 0;
      g_signal_connect (verifier, "notify::tls-database", G_CALLBACK (count_notify_cb), &count);
      g_assert_null (posh_verifier_get_tls_database (verifier));
      database = posh_test_tls_database ();
      g_object_set (verifier, "tls-database", database, NULL);
      g_object_get (verifier, "tls-database", &got, NULL);
      g_assert_true (got == database);
      g_object_unref (got);
      g_assert_true (posh_verifier_get_tls_database (verifier) == database);
      posh_verifier_set_tls_database (verifier, database);
      g_assert_cmpuint (count, ==, 1);
      posh_verifier_set_tls_database (verifier, NULL);
      g_assert_null (posh_verifier_get_tls_database (verifier));
      g_assert_cmpuint (count, ==, 2);
    }
}

/* R35: at most 10 redirects; a higher setting is clamped, with one notify */
static void
test_R35_max_redirects_clamped (void)
{
  g_autoptr(PoshVerifier) verifier = posh_verifier_new ();
  guint count = 0;

  g_signal_connect (verifier, "notify::max-redirects", G_CALLBACK (count_notify_cb), &count);
  posh_verifier_set_max_redirects (verifier, 50);
  g_assert_cmpuint (posh_verifier_get_max_redirects (verifier), ==, 10);
  g_assert_cmpuint (count, ==, 0);
  posh_verifier_set_max_redirects (verifier, 0);
  g_assert_cmpuint (posh_verifier_get_max_redirects (verifier), ==, 0);
  g_assert_cmpuint (count, ==, 1);
  posh_verifier_set_max_redirects (verifier, G_MAXUINT);
  g_assert_cmpuint (posh_verifier_get_max_redirects (verifier), ==, 10);
  g_assert_cmpuint (count, ==, 2);
}

/* 0 would mean "no time at all" (timeout) or "no cache bound" (R39) */
static void
test_zero_raised (void)
{
  g_autoptr(PoshVerifier) verifier = posh_verifier_new ();

  posh_verifier_set_timeout (verifier, 0);
  g_assert_cmpuint (posh_verifier_get_timeout (verifier), ==, 1);
  posh_verifier_set_max_lifetime (verifier, 0);
  g_assert_cmpuint (posh_verifier_get_max_lifetime (verifier), ==, 1);
}

static void
test_connect_to_invalid (void)
{
  g_autoptr(PoshVerifier) verifier = posh_verifier_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (posh_verifier_add_connect_to (verifier, "example.com", &error));
  g_assert_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST);
  g_clear_error (&error);
  g_assert_false (posh_verifier_add_connect_to (verifier, NULL, &error));
  g_assert_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST);
}

/* one clock drives validity and cache expiry; NULL goes back to the
 * system clocks */
static void
test_clock (void)
{
  g_autoptr(PoshVerifier) verifier = posh_verifier_new ();
  PoshTestClock clock = { .now = T_VALID };
  gint64 wall = g_get_real_time () / G_USEC_PER_SEC;
  gint64 monotonic;

  posh_verifier_set_clock (verifier, posh_test_clock_now, &clock, NULL);
  g_assert_cmpint (_posh_verifier_now (verifier), ==, T_VALID);
  g_assert_cmpint (_posh_verifier_cache_now (verifier), ==, T_VALID);
  posh_test_clock_advance (&clock, 5);
  g_assert_cmpint (_posh_verifier_now (verifier), ==, T_VALID + 5);
  g_assert_cmpint (_posh_verifier_cache_now (verifier), ==, T_VALID + 5);

  posh_verifier_set_clock (verifier, NULL, NULL, NULL);
  /* the system clocks, read coarsely: allow one second of lag */
  g_assert_cmpint (_posh_verifier_now (verifier), >=, wall - 1);
  g_assert_cmpint (_posh_verifier_now (verifier), <=, wall + 60);
  monotonic = g_get_monotonic_time () / G_USEC_PER_SEC;
  g_assert_cmpint (_posh_verifier_cache_now (verifier), >=, monotonic - 1);
  g_assert_cmpint (_posh_verifier_cache_now (verifier), <=, monotonic + 60);
}

static void
test_parse_limits (void)
{
  g_autoptr(PoshVerifier) verifier = posh_verifier_new ();
  const PoshParseLimits *limits = _posh_verifier_get_parse_limits (verifier);

  g_assert_cmpuint (limits->max_lifetime, ==, 30 * 24 * 3600);
  g_assert_cmpuint (limits->max_size, ==, POSH_DEFAULT_MAX_BODY_SIZE);
  posh_verifier_set_max_lifetime (verifier, 1234);
  g_assert_cmpuint (_posh_verifier_get_parse_limits (verifier)->max_lifetime, ==, 1234);
}

#define add_both(path, func) \
  POSH_TEST_ADD_SYNC_ASYNC (path, Fixture, fixture_setup, func, fixture_teardown)

int
main (int    argc,
      char **argv)
{
  posh_test_init (&argc, &argv);

  add_both ("/verifier/match", test_match);
  add_both ("/verifier/R25/match-through-reference", test_R25_match_through_reference);
  add_both ("/verifier/R23/differs", test_differs);
  add_both ("/verifier/R24/expired", test_R24_expired);
  add_both ("/verifier/R24/not-activated", test_R24_not_activated);
  add_both ("/verifier/R13/not-found", test_R13_not_found);
  add_both ("/verifier/R20/invalidated", test_R20_invalidated);
  add_both ("/verifier/R7/untrusted-https", test_R7_untrusted_https);
  add_both ("/verifier/E2-E3/bad-input-before-io", test_E2_E3_bad_input_before_io);
  add_both ("/verifier/E4/verify-flags", test_E4_verify_flags);
  add_both ("/verifier/R35/max-redirects-forwarded", test_R35_max_redirects_forwarded);
  add_both ("/verifier/E16/timeout-forwarded", test_E16_timeout_forwarded);
  g_test_add ("/verifier/async/single-fetch", Fixture, NULL,
              fixture_setup, test_single_fetch, fixture_teardown);
  g_test_add ("/verifier/async/cancel-one-waiter", Fixture, NULL,
              fixture_setup, test_cancel_one_waiter, fixture_teardown);
  g_test_add ("/verifier/async/cancel-all-waiters", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_cancel_all_waiters, fixture_teardown);
  g_test_add ("/verifier/async/cancelled-before-start", Fixture, NULL,
              fixture_setup, test_cancelled_before_start, fixture_teardown);
  g_test_add ("/verifier/async/R38/fetch-alongside-lookup", Fixture, NULL,
              fixture_setup, test_R38_fetch_alongside_lookup, fixture_teardown);
  g_test_add ("/verifier/sync/does-not-wait-on-async", Fixture, NULL,
              fixture_setup, test_sync_does_not_wait_on_async, fixture_teardown);
  g_test_add ("/verifier/sync/threads", Fixture, NULL,
              fixture_setup, test_threads, fixture_teardown);
  g_test_add_func ("/verifier/properties", test_properties);
  g_test_add_func ("/verifier/R35/max-redirects-clamped", test_R35_max_redirects_clamped);
  g_test_add_func ("/verifier/zero-raised", test_zero_raised);
  g_test_add_func ("/verifier/connect-to-invalid", test_connect_to_invalid);
  g_test_add_func ("/verifier/clock", test_clock);
  g_test_add_func ("/verifier/parse-limits", test_parse_limits);

  return g_test_run ();
}
