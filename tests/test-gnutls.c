/* test-gnutls.c: the GnuTLS face, state and network part: posh_state_*,
 * posh_query_fetch, posh_verify_crt, posh_verify_session_crt (with a real
 * GnuTLS session on loopback), sync and async.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "posh-gnutls.h"
#include "posh-private.h"

#include "files/fingerprints.h"
#include "posh-test-server.h"
#include "posh-test-utils.h"

#define CLIENT_PATH "/.well-known/posh/xmpp-client.json"
#define SERVER_PATH "/.well-known/posh/xmpp-server.json"
/* 2030-03-17: inside the validity of the test certificates made in 2026 */
#define T_VALID 1900000000

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_session_t, gnutls_deinit, NULL)

/* ---- fixture ----------------------------------------------------------- */

typedef struct
{
  PoshTestServer *source;   /* example.com */
  posh_state_t    state;
} Fixture;

/* f->state, made with flags, trusting the test CA and reaching source for
 * example.com. */
static void
fixture_state_init (Fixture        *f,
                    unsigned int    flags,
                    PoshTestServer *source)
{
  g_autofree char *ca = NULL;
  g_autofree char *spec = NULL;

  g_clear_pointer (&f->state, posh_state_deinit);
  g_assert_cmpint (posh_state_init (&f->state, flags), ==, POSH_E_SUCCESS);
  ca = posh_test_file ("ca.pem");
  g_assert_cmpint (posh_state_set_trust_file (f->state, ca), ==, POSH_E_SUCCESS);
  spec = posh_test_server_connect_to_spec (source, "example.com");
  g_assert_cmpint (posh_state_set_connect_to (f->state, spec), ==, POSH_E_SUCCESS);
  /* generous: under valgrind a loopback fetch takes seconds */
  posh_state_set_timeout (f->state, 120000);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  if (!posh_test_have_tls ())
    return;

  f->source = posh_test_server_new ("example.com");
  fixture_state_init (f, 0, f->source);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->state, posh_state_deinit);
  g_clear_pointer (&f->source, posh_test_server_free);
}

#define SKIP_IF_NO_FIXTURE(f) POSH_TEST_SKIP_UNLESS_TLS ((f)->state != NULL)

static void
serve_fingerprints (Fixture    *f,
                    const char *sha256,
                    guint64     expires)
{
  g_autofree char *json = posh_test_fingerprints_json (sha256, expires);

  posh_test_server_set_json (f->source, CLIENT_PATH, json);
}

static guint
source_count (Fixture *f)
{
  return posh_test_server_get_request_count (f->source, CLIENT_PATH);
}

/* The DER of tests/files/NAME. */
typedef struct
{
  gnutls_datum_t der;
} Der;

static void
der_load (Der        *der,
          const char *name)
{
  g_autoptr(GBytes) pem = posh_test_file_bytes (name);
  gnutls_datum_t in = { (unsigned char *) g_bytes_get_data (pem, NULL),
                        (unsigned int) g_bytes_get_size (pem) };

  g_assert_cmpint (gnutls_pem_base64_decode2 ("CERTIFICATE", &in, &der->der), ==, 0);
}

static void
der_clear (Der *der)
{
  gnutls_free (der->der.data);
  der->der.data = NULL;
}

/* ---- state ------------------------------------------------------------- */

static void
test_state_init (void)
{
  posh_state_t s = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();

  g_assert_cmpint (posh_state_init (&s, 0), ==, POSH_E_SUCCESS);
  g_assert_nonnull (s);
  g_assert_cmpuint (posh_verifier_get_flags (s), ==, POSH_VERIFIER_FLAGS_NONE);
  posh_state_deinit (s);

  g_assert_cmpint (posh_state_init (&s, POSH_F_NO_CACHE | POSH_F_LEGACY_PATH), ==, 0);
  g_assert_cmpuint (posh_verifier_get_flags (s), ==,
                    POSH_VERIFIER_FLAGS_NO_CACHE | POSH_VERIFIER_FLAGS_LEGACY_PATH);
  posh_state_deinit (s);

  s = (posh_state_t) GSIZE_TO_POINTER (1);
  g_assert_cmpint (posh_state_init (&s, 1u << 7), ==, POSH_E_INVALID_REQUEST);
  g_assert_null (s);
  g_assert_cmpint (posh_state_init (NULL, 0), ==, POSH_E_INVALID_REQUEST);
  posh_state_deinit (NULL);
}

/* Without glib-networking, GIO has no TLS: the state cannot work. */
static void
test_state_init_no_tls_backend (void)
{
  if (g_test_subprocess ())
    {
      posh_state_t s = NULL;

      g_assert_cmpint (posh_state_init (&s, 0), ==, POSH_E_INITIALIZATION_ERROR);
      g_assert_null (s);
      return;
    }

  {
    g_autofree char *saved = g_strdup (g_getenv ("GIO_MODULE_DIR"));

    g_setenv ("GIO_MODULE_DIR", "/nonexistent-posh-gio-modules", TRUE);
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    if (saved != NULL)
      g_setenv ("GIO_MODULE_DIR", saved, TRUE);
    else
      g_unsetenv ("GIO_MODULE_DIR");
    g_test_trap_assert_passed ();
  }
}

static void
test_state_settings (void)
{
  posh_state_t s = NULL;
  g_autofree char *ca = posh_test_file ("ca.pem");
  g_autofree char *missing = posh_test_file ("no-such-file.pem");

  POSH_TEST_SKIP_IF_NO_TLS ();
  g_assert_cmpint (posh_state_init (&s, 0), ==, 0);

  g_assert_cmpint (posh_state_set_trust_file (s, missing), ==, POSH_E_INITIALIZATION_ERROR);
  g_assert_null (posh_verifier_get_tls_database (s));
  g_assert_cmpint (posh_state_set_trust_file (s, ca), ==, POSH_E_SUCCESS);
  g_assert_nonnull (posh_verifier_get_tls_database (s));
  g_assert_cmpint (posh_state_set_trust_file (s, NULL), ==, POSH_E_SUCCESS);
  g_assert_null (posh_verifier_get_tls_database (s));
  g_assert_cmpint (posh_state_set_trust_file (NULL, ca), ==, POSH_E_INVALID_REQUEST);

  g_assert_cmpint (posh_state_set_connect_to (s, "example.com"), ==, POSH_E_INVALID_REQUEST);
  g_assert_cmpint (posh_state_set_connect_to (s, NULL), ==, POSH_E_INVALID_REQUEST);
  g_assert_cmpint (posh_state_set_connect_to (NULL, "a:443:127.0.0.1:1"), ==,
                   POSH_E_INVALID_REQUEST);
  g_assert_cmpint (posh_state_set_connect_to (s, "example.com:443:127.0.0.1:4433"), ==,
                   POSH_E_SUCCESS);

  posh_state_set_max_redirects (s, 4);
  g_assert_cmpuint (posh_verifier_get_max_redirects (s), ==, 4);
  posh_state_set_max_redirects (s, 11);  /* R35: clamped */
  g_assert_cmpuint (posh_verifier_get_max_redirects (s), ==, 10);
  posh_state_set_timeout (s, 1500);
  g_assert_cmpuint (posh_verifier_get_timeout (s), ==, 1500);
  posh_state_set_max_lifetime (s, 7200);
  g_assert_cmpuint (posh_verifier_get_max_lifetime (s), ==, 7200);
  /* NULL states are ignored by the void setters */
  posh_state_set_max_redirects (NULL, 1);
  posh_state_set_timeout (NULL, 1);
  posh_state_set_max_lifetime (NULL, 1);
  posh_state_set_time_func (NULL, NULL);

  posh_state_deinit (s);
}

/* ---- posh_query_fetch -------------------------------------------------- */

static int
do_query_fetch (Fixture       *f,
                gconstpointer  data,
                posh_query_t  *q,
                const char    *domain,
                const char    *service)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (!GPOINTER_TO_INT (data))
    return posh_query_fetch (f->state, q, domain, service);

  posh_query_fetch_async (f->state, domain, service, NULL,
                          posh_test_async_result_cb, &result);
  posh_test_wait_async_result (&result);
  return posh_query_fetch_finish (f->state, result, q);
}

static void
test_query_fetch (Fixture       *f,
                  gconstpointer  data)
{
  posh_query_t q = NULL;
  gnutls_digest_algorithm_t hash = GNUTLS_DIG_UNKNOWN;
  gnutls_datum_t digest = { NULL, 0 };
  g_autofree char *b64 = NULL;

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f, FP_HOSTING_EXAMPLE_NET_SHA256, 3600);

  g_assert_cmpint (do_query_fetch (f, data, &q, "example.com", "_xmpp-client._tcp"), ==,
                   POSH_E_SUCCESS);
  g_assert_nonnull (q);
  g_assert_cmpuint (posh_query_entries (q), ==, 1);
  g_assert_cmpint (posh_query_data (q, 0, &hash, &digest), ==, POSH_E_SUCCESS);
  g_assert_cmpint (hash, ==, GNUTLS_DIG_SHA256);
  b64 = g_base64_encode (digest.data, digest.size);
  g_assert_cmpstr (b64, ==, FP_HOSTING_EXAMPLE_NET_SHA256);
  posh_query_deinit (q);
  g_assert_cmpuint (source_count (f), ==, 1);

  /* the state caches it */
  g_assert_cmpint (do_query_fetch (f, data, &q, "example.com", "xmpp-client"), ==, 0);
  posh_query_deinit (q);
  g_assert_cmpuint (source_count (f), ==, 1);
}

static void
test_query_fetch_R13_no_data (Fixture       *f,
                              gconstpointer  data)
{
  posh_query_t q = NULL;

  SKIP_IF_NO_FIXTURE (f);
  /* nothing scripted: 404 */
  g_assert_cmpint (do_query_fetch (f, data, &q, "example.com", "xmpp-client"), ==,
                   POSH_E_NO_POSH_DATA);
  g_assert_null (q);
  /* 410 means the same */
  posh_test_server_set_response (f->source, SERVER_PATH, 410, NULL, NULL, NULL);
  g_assert_cmpint (do_query_fetch (f, data, &q, "example.com", "xmpp-server"), ==,
                   POSH_E_NO_POSH_DATA);
}

static void
test_query_fetch_R7_https_error (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(PoshTestServer) untrusted = NULL;
  posh_query_t q = NULL;

  SKIP_IF_NO_FIXTURE (f);
  untrusted = posh_test_server_new ("example.com-untrusted");
  posh_test_server_set_json (untrusted, CLIENT_PATH,
                             "{\"fingerprints\":[{\"sha-256\":\"" FP_HOSTING_EXAMPLE_NET_SHA256 "\"}],"
                             "\"expires\":60}");
  fixture_state_init (f, 0, untrusted);

  g_assert_cmpint (do_query_fetch (f, data, &q, "example.com", "xmpp-client"), ==,
                   POSH_E_HTTPS_ERROR);
  g_assert_null (q);
}

static void
test_query_fetch_invalid_request (Fixture       *f,
                                  gconstpointer  data)
{
  posh_query_t q = NULL;

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f, FP_HOSTING_EXAMPLE_NET_SHA256, 3600);
  g_assert_cmpint (do_query_fetch (f, data, &q, "bad domain", "xmpp-client"), ==,
                   POSH_E_INVALID_REQUEST);
  g_assert_cmpint (do_query_fetch (f, data, &q, "example.com:5222", "xmpp-client"), ==,
                   POSH_E_INVALID_REQUEST);
  g_assert_cmpint (do_query_fetch (f, data, &q, "example.com", "xmpp/../client"), ==,
                   POSH_E_INVALID_REQUEST);
  g_assert_cmpint (do_query_fetch (f, data, &q, NULL, "xmpp-client"), ==,
                   POSH_E_INVALID_REQUEST);
  g_assert_cmpint (do_query_fetch (f, data, &q, "example.com", NULL), ==,
                   POSH_E_INVALID_REQUEST);
  g_assert_null (q);
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->source), ==, 0);
}

static void
test_query_fetch_cancelled (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  posh_query_t q = NULL;

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f, FP_HOSTING_EXAMPLE_NET_SHA256, 3600);
  g_cancellable_cancel (cancellable);
  posh_query_fetch_async (f->state, "example.com", "xmpp-client", cancellable,
                          posh_test_async_result_cb, &result);
  posh_test_wait_async_result (&result);
  g_assert_cmpint (posh_query_fetch_finish (f->state, result, &q), ==, POSH_E_CANCELLED);
  g_assert_null (q);
}

/* ---- posh_verify_crt --------------------------------------------------- */

static int
do_verify_crt (Fixture              *f,
               gconstpointer         data,
               posh_state_t          s,
               const gnutls_datum_t *chain,
               unsigned int          chain_size,
               gnutls_certificate_type_t type,
               const char           *domain,
               unsigned int          sflags,
               unsigned int          vflags,
               unsigned int         *verify)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (!GPOINTER_TO_INT (data))
    return posh_verify_crt (s, chain, chain_size, type, domain, "xmpp-client",
                            sflags, vflags, verify);

  posh_verify_crt_async (s, chain, chain_size, type, domain, "xmpp-client",
                         sflags, vflags, NULL, posh_test_async_result_cb, &result);
  posh_test_wait_async_result (&result);
  return posh_verify_crt_finish (s, result, verify);
}

/* Verifies the one certificate der for example.com's xmpp-client with the
 * fixture's state, no flags (the API per test data). */
static int
verify_one (Fixture              *f,
            gconstpointer         data,
            const gnutls_datum_t *der,
            unsigned int         *verify)
{
  return do_verify_crt (f, data, f->state, der, 1, GNUTLS_CRT_X509, "example.com",
                        0, 0, verify);
}

static void
test_verify_crt (Fixture       *f,
                 gconstpointer  data)
{
  Der hosting, other;
  unsigned int verify = 0xff;

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f, FP_HOSTING_EXAMPLE_NET_SHA256, 3600);
  der_load (&hosting, "hosting.example.net.pem");
  der_load (&other, "xmpp-other.pem");

  g_assert_cmpint (verify_one (f, data, &hosting.der, &verify), ==, POSH_E_SUCCESS);
  g_assert_cmpuint (verify, ==, 0);

  g_assert_cmpint (verify_one (f, data, &other.der, &verify), ==, POSH_E_SUCCESS);
  g_assert_cmpuint (verify, ==, POSH_VERIFY_CERT_DIFFERS);

  /* E20: only the leaf counts; a matching certificate later in the chain
   * does not */
  {
    gnutls_datum_t chain[2] = { other.der, hosting.der };

    g_assert_cmpint (do_verify_crt (f, data, f->state, chain, 2, GNUTLS_CRT_X509,
                                    "example.com", 0, 0, &verify), ==, 0);
    g_assert_cmpuint (verify, ==, POSH_VERIFY_CERT_DIFFERS);
  }
  g_assert_cmpuint (source_count (f), ==, 1);

  der_clear (&hosting);
  der_clear (&other);
}

static void
test_verify_crt_errors (Fixture       *f,
                        gconstpointer  data)
{
  Der hosting;
  gnutls_datum_t empty = { NULL, 0 };
  unsigned int verify = 0xff;

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f, FP_HOSTING_EXAMPLE_NET_SHA256, 3600);
  der_load (&hosting, "hosting.example.net.pem");

  g_assert_cmpint (do_verify_crt (f, data, f->state, &hosting.der, 0, GNUTLS_CRT_X509,
                                  "example.com", 0, 0, &verify), ==, POSH_E_NO_CERT);
  g_assert_cmpuint (verify, ==, POSH_VERIFY_CERT_DIFFERS);
  g_assert_cmpint (do_verify_crt (f, data, f->state, NULL, 1, GNUTLS_CRT_X509,
                                  "example.com", 0, 0, &verify), ==, POSH_E_NO_CERT);
  g_assert_cmpint (do_verify_crt (f, data, f->state, &empty, 1, GNUTLS_CRT_X509,
                                  "example.com", 0, 0, &verify), ==, POSH_E_NO_CERT);
  /* R54: the proof is a PKIX (X.509) certificate, nothing else */
  g_assert_cmpint (do_verify_crt (f, data, f->state, &hosting.der, 1, GNUTLS_CRT_RAWPK,
                                  "example.com", 0, 0, &verify), ==, POSH_E_INVALID_REQUEST);
  g_assert_cmpint (do_verify_crt (f, data, f->state, &hosting.der, 1, GNUTLS_CRT_X509,
                                  "example.com", 0, 1u << 9, &verify), ==,
                   POSH_E_INVALID_REQUEST);
  g_assert_cmpint (do_verify_crt (f, data, f->state, &hosting.der, 1, GNUTLS_CRT_X509,
                                  "bad domain", 0, 0, &verify), ==, POSH_E_INVALID_REQUEST);
  g_assert_cmpint (do_verify_crt (f, data, f->state, &hosting.der, 1, GNUTLS_CRT_X509,
                                  NULL, 0, 0, &verify), ==, POSH_E_INVALID_REQUEST);
  g_assert_cmpuint (verify, ==, POSH_VERIFY_CERT_DIFFERS);
  if (!GPOINTER_TO_INT (data))
    g_assert_cmpint (posh_verify_crt (f->state, &hosting.der, 1, GNUTLS_CRT_X509,
                                      "example.com", "xmpp-client", 0, 0, NULL), ==,
                     POSH_E_INVALID_REQUEST);
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->source), ==, 0);

  /* a certificate that is not DER: fetched, then could not be checked */
  {
    gnutls_datum_t junk = { (unsigned char *) "not a certificate", 17 };

    g_assert_cmpint (do_verify_crt (f, data, f->state, &junk, 1, GNUTLS_CRT_X509,
                                    "example.com", 0, 0, &verify), ==, POSH_E_CERT_ERROR);
  }
  der_clear (&hosting);
}

/* s == NULL: a temporary state made with sflags, as dane_verify_crt does.
 * Its settings are the defaults (system trust, no connect-to), so only
 * the checks made before any network activity are exercised here. */
static void
test_verify_crt_temporary_state (Fixture       *f,
                                 gconstpointer  data)
{
  Der hosting;
  unsigned int verify = 0xff;

  SKIP_IF_NO_FIXTURE (f);
  der_load (&hosting, "hosting.example.net.pem");
  g_assert_cmpint (do_verify_crt (f, data, NULL, &hosting.der, 1, GNUTLS_CRT_X509,
                                  "bad domain", 0, 0, &verify), ==, POSH_E_INVALID_REQUEST);
  g_assert_cmpint (do_verify_crt (f, data, NULL, &hosting.der, 1, GNUTLS_CRT_X509,
                                  "example.com", 1u << 7, 0, &verify), ==,
                   POSH_E_INVALID_REQUEST);
  g_assert_cmpint (do_verify_crt (f, data, NULL, &hosting.der, 0, GNUTLS_CRT_X509,
                                  "example.com", 0, 0, &verify), ==, POSH_E_NO_CERT);
  g_assert_cmpuint (verify, ==, POSH_VERIFY_CERT_DIFFERS);
  der_clear (&hosting);
}

/* The async pair copies the leaf: the caller's chain may go at once. */
static void
test_verify_crt_async_copies (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  Der hosting;
  unsigned int verify = 0xff;

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f, FP_HOSTING_EXAMPLE_NET_SHA256, 3600);
  der_load (&hosting, "hosting.example.net.pem");
  posh_verify_crt_async (f->state, &hosting.der, 1, GNUTLS_CRT_X509, "example.com",
                         "xmpp-client", 0, 0, NULL, posh_test_async_result_cb, &result);
  memset (hosting.der.data, 0, hosting.der.size);
  der_clear (&hosting);
  posh_test_wait_async_result (&result);
  g_assert_cmpint (posh_verify_crt_finish (f->state, result, &verify), ==, 0);
  g_assert_cmpuint (verify, ==, 0);
}

/* ---- posh_state_set_time_func ------------------------------------------ */

static time_t fake_now;

static time_t
fake_time (time_t *t)
{
  if (t != NULL)
    *t = fake_now;
  return fake_now;
}

/* On the fake clock from T_VALID: the hosting certificate verifies with
 * one fetch, the cached document still serves lifetime - 1 seconds later,
 * and lifetime seconds later the document is fetched again. */
static void
assert_refetched_after (Fixture       *f,
                        gconstpointer  data,
                        guint          lifetime)
{
  Der hosting;
  unsigned int verify = 0xff;

  der_load (&hosting, "hosting.example.net.pem");
  fake_now = T_VALID;
  posh_state_set_time_func (f->state, fake_time);

  g_assert_cmpint (verify_one (f, data, &hosting.der, &verify), ==, 0);
  g_assert_cmpuint (verify, ==, 0);
  fake_now = T_VALID + lifetime - 1;
  g_assert_cmpint (verify_one (f, data, &hosting.der, &verify), ==, 0);
  g_assert_cmpuint (source_count (f), ==, 1);
  fake_now = T_VALID + lifetime;
  verify = 0xff;
  g_assert_cmpint (verify_one (f, data, &hosting.der, &verify), ==, 0);
  g_assert_cmpuint (verify, ==, 0);
  g_assert_cmpuint (source_count (f), ==, 2);
  der_clear (&hosting);
}

static void
test_time_func_expiry (Fixture       *f,
                       gconstpointer  data)
{
  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f, FP_HOSTING_EXAMPLE_NET_SHA256, 3600);
  assert_refetched_after (f, data, 3600);
}

/* R42: the client may keep the material for less than `expires` says: with
 * a maximum lifetime of 60 s, a document that says 3600 is fetched again
 * after 60 s. */
static void
test_max_lifetime_shorter (Fixture       *f,
                           gconstpointer  data)
{
  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f, FP_HOSTING_EXAMPLE_NET_SHA256, 3600);
  posh_state_set_max_lifetime (f->state, 60);
  assert_refetched_after (f, data, 60);
}

/* R42: ... or not cache at all: with POSH_F_NO_CACHE every verification
 * fetches, however long `expires` is and however little time passed. */
static void
test_no_cache (Fixture       *f,
               gconstpointer  data)
{
  Der hosting;
  unsigned int verify = 0xff;

  SKIP_IF_NO_FIXTURE (f);
  fixture_state_init (f, POSH_F_NO_CACHE, f->source);
  serve_fingerprints (f, FP_HOSTING_EXAMPLE_NET_SHA256, 604800);
  der_load (&hosting, "hosting.example.net.pem");
  fake_now = T_VALID;
  posh_state_set_time_func (f->state, fake_time);

  for (guint i = 1; i <= 3; i++)
    {
      verify = 0xff;
      g_assert_cmpint (verify_one (f, data, &hosting.der, &verify), ==, 0);
      g_assert_cmpuint (verify, ==, 0);
      g_assert_cmpuint (source_count (f), ==, i);
    }
  der_clear (&hosting);
}

/* R24 with the GnuTLS clock: validity is checked at the state's time. */
static void
test_time_func_validity (Fixture       *f,
                         gconstpointer  data)
{
  Der expired;
  unsigned int verify = 0;

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f, FP_XMPP_EXPIRED_SHA256, 3600);
  der_load (&expired, "xmpp-expired.pem");

  fake_now = 1420070400;  /* 2015-01-01 */
  posh_state_set_time_func (f->state, fake_time);
  g_assert_cmpint (verify_one (f, data, &expired.der, &verify), ==, 0);
  g_assert_cmpuint (verify, ==, 0);

  posh_state_set_time_func (f->state, NULL);
  g_assert_cmpint (verify_one (f, data, &expired.der, &verify), ==, 0);
  g_assert_cmpuint (verify, ==, POSH_VERIFY_CERT_EXPIRED);
  der_clear (&expired);
}

/* ---- posh_verify_session_crt with a real GnuTLS session ---------------- */

typedef struct
{
  int         listener;
  guint16     port;
  char       *chain;   /* (owned) PEM chain file */
  char       *key;     /* (owned) PEM key file */
  GThread    *thread;
  int         handshake_result;
} TlsServer;

static gpointer
tls_server_thread (gpointer user_data)
{
  TlsServer *server = user_data;
  gnutls_certificate_credentials_t credentials = NULL;
  g_auto(gnutls_session_t) session = NULL;
  char buffer[64];
  int fd, ret;

  fd = accept (server->listener, NULL, NULL);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (gnutls_certificate_allocate_credentials (&credentials), ==, 0);
  g_assert_cmpint (gnutls_certificate_set_x509_key_file2 (credentials, server->chain,
                                                          server->key,
                                                          GNUTLS_X509_FMT_PEM, NULL, 0), >=, 0);
  g_assert_cmpint (gnutls_init (&session, GNUTLS_SERVER), ==, 0);
  g_assert_cmpint (gnutls_set_default_priority (session), ==, 0);
  g_assert_cmpint (gnutls_credentials_set (session, GNUTLS_CRD_CERTIFICATE, credentials), ==, 0);
  gnutls_transport_set_int (session, fd);
  gnutls_handshake_set_timeout (session, 120000);

  do
    ret = gnutls_handshake (session);
  while (ret < 0 && !gnutls_error_is_fatal (ret));
  server->handshake_result = ret;

  /* wait for the client's close_notify (or a drop), then say goodbye */
  while (ret >= 0)
    {
      ret = gnutls_record_recv (session, buffer, sizeof buffer);
      if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED)
        ret = 0;
      else if (ret <= 0)
        break;
    }
  gnutls_bye (session, GNUTLS_SHUT_WR);
  g_clear_pointer (&session, gnutls_deinit);
  gnutls_certificate_free_credentials (credentials);
  close (fd);
  return NULL;
}

static TlsServer *
tls_server_start (const char *identity)
{
  TlsServer *server = g_new0 (TlsServer, 1);
  g_autofree char *chain_name = g_strconcat (identity, "-chain.pem", NULL);
  g_autofree char *key_name = g_strconcat (identity, ".key", NULL);
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;

  server->chain = posh_test_file (chain_name);
  server->key = posh_test_file (key_name);
  server->listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (server->listener, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (server->listener, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (server->listener, 1), ==, 0);
  g_assert_cmpint (getsockname (server->listener, (struct sockaddr *) &addr, &len), ==, 0);
  server->port = ntohs (addr.sin_port);
  server->thread = g_thread_new ("tls-server", tls_server_thread, server);
  return server;
}

static void
tls_server_stop (TlsServer *server)
{
  g_thread_join (server->thread);
  g_assert_cmpint (server->handshake_result, ==, 0);
  close (server->listener);
  g_free (server->chain);
  g_free (server->key);
  g_free (server);
}

/* Connects and handshakes as an XMPP client would for example.com; the
 * server's certificate is not checked here: POSH does that. */
static gnutls_session_t
tls_client_connect (guint16                            port,
                    gnutls_certificate_credentials_t   credentials,
                    int                               *fd_out)
{
  gnutls_session_t session = NULL;
  struct sockaddr_in addr = { 0 };
  int fd, ret;

  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = htons (port);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);

  g_assert_cmpint (gnutls_init (&session, GNUTLS_CLIENT), ==, 0);
  g_assert_cmpint (gnutls_set_default_priority (session), ==, 0);
  g_assert_cmpint (gnutls_credentials_set (session, GNUTLS_CRD_CERTIFICATE, credentials), ==, 0);
  g_assert_cmpint (gnutls_server_name_set (session, GNUTLS_NAME_DNS, "example.com",
                                           strlen ("example.com")), ==, 0);
  gnutls_transport_set_int (session, fd);
  gnutls_handshake_set_timeout (session, 120000);
  do
    ret = gnutls_handshake (session);
  while (ret < 0 && !gnutls_error_is_fatal (ret));
  g_assert_cmpint (ret, ==, 0);
  *fd_out = fd;
  return session;
}

static void
tls_client_close (gnutls_session_t session,
                  int              fd)
{
  gnutls_bye (session, GNUTLS_SHUT_WR);
  gnutls_deinit (session);
  close (fd);
}

/* Runs one session against a server presenting identity and verifies it
 * for example.com by POSH, sync or async. */
static void
check_session (Fixture       *f,
               gconstpointer  data,
               const char    *identity,
               unsigned int   expected_verify)
{
  gnutls_certificate_credentials_t credentials = NULL;
  TlsServer *server = tls_server_start (identity);
  gnutls_session_t session;
  unsigned int verify = 0xff;
  int fd;

  g_assert_cmpint (gnutls_certificate_allocate_credentials (&credentials), ==, 0);
  session = tls_client_connect (server->port, credentials, &fd);

  if (!GPOINTER_TO_INT (data))
    {
      g_assert_cmpint (posh_verify_session_crt (f->state, session, "example.com",
                                                "xmpp-client", 0, 0, &verify), ==, 0);
      tls_client_close (session, fd);
    }
  else
    {
      g_autoptr(GAsyncResult) result = NULL;

      posh_verify_session_crt_async (f->state, session, "example.com", "xmpp-client",
                                     0, 0, NULL, posh_test_async_result_cb, &result);
      /* the leaf was copied: the session may go before the result comes */
      tls_client_close (session, fd);
      posh_test_wait_async_result (&result);
      g_assert_cmpint (posh_verify_session_crt_finish (f->state, result, &verify), ==, 0);
    }
  g_assert_cmpuint (verify, ==, expected_verify);

  tls_server_stop (server);
  gnutls_certificate_free_credentials (credentials);
}

/* Delegation (RFC 7711 section 4, RFC 7712 section 5.2): example.com's
 * POSH document lists the hosting provider's certificate, so the provider's
 * TLS server is accepted for example.com although its certificate names
 * only hosting.example.net. */
static void
test_session_delegation (Fixture       *f,
                         gconstpointer  data)
{
  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f, FP_HOSTING_EXAMPLE_NET_SHA256, 3600);
  check_session (f, data, "hosting.example.net", 0);
  g_assert_cmpuint (source_count (f), ==, 1);
}

static void
test_session_mismatch (Fixture       *f,
                       gconstpointer  data)
{
  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f, FP_HOSTING_EXAMPLE_NET_SHA256, 3600);
  check_session (f, data, "xmpp-other", POSH_VERIFY_CERT_DIFFERS);
}

/* A session that never completed a handshake has no peer certificate. */
static void
test_session_no_cert (Fixture       *f,
                      gconstpointer  data)
{
  g_auto(gnutls_session_t) session = NULL;
  gnutls_certificate_credentials_t credentials = NULL;
  unsigned int verify = 0xff;

  SKIP_IF_NO_FIXTURE (f);
  serve_fingerprints (f, FP_HOSTING_EXAMPLE_NET_SHA256, 3600);
  g_assert_cmpint (gnutls_certificate_allocate_credentials (&credentials), ==, 0);
  g_assert_cmpint (gnutls_init (&session, GNUTLS_CLIENT), ==, 0);
  g_assert_cmpint (gnutls_credentials_set (session, GNUTLS_CRD_CERTIFICATE, credentials), ==, 0);

  if (!GPOINTER_TO_INT (data))
    {
      g_assert_cmpint (posh_verify_session_crt (f->state, session, "example.com",
                                                "xmpp-client", 0, 0, &verify), ==,
                       POSH_E_NO_CERT);
      g_assert_cmpint (posh_verify_session_crt (f->state, NULL, "example.com",
                                                "xmpp-client", 0, 0, &verify), ==,
                       POSH_E_INVALID_REQUEST);
    }
  else
    {
      g_autoptr(GAsyncResult) result = NULL;

      posh_verify_session_crt_async (f->state, session, "example.com", "xmpp-client",
                                     0, 0, NULL, posh_test_async_result_cb, &result);
      posh_test_wait_async_result (&result);
      g_assert_cmpint (posh_verify_session_crt_finish (f->state, result, &verify), ==,
                       POSH_E_NO_CERT);
    }
  g_assert_cmpuint (verify, ==, POSH_VERIFY_CERT_DIFFERS);
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->source), ==, 0);
  g_clear_pointer (&session, gnutls_deinit);
  gnutls_certificate_free_credentials (credentials);
}

#define add_both(path, func) \
  POSH_TEST_ADD_SYNC_ASYNC (path, Fixture, fixture_setup, func, fixture_teardown)

int
main (int    argc,
      char **argv)
{
  posh_test_init (&argc, &argv);
  gnutls_global_init ();

  g_test_add_func ("/gnutls/state/init", test_state_init);
  g_test_add_func ("/gnutls/state/init-no-tls-backend", test_state_init_no_tls_backend);
  g_test_add_func ("/gnutls/state/settings", test_state_settings);

  add_both ("/gnutls/query-fetch/entries", test_query_fetch);
  add_both ("/gnutls/query-fetch/R13/no-posh-data", test_query_fetch_R13_no_data);
  add_both ("/gnutls/query-fetch/R7/https-error", test_query_fetch_R7_https_error);
  add_both ("/gnutls/query-fetch/E2-E3/invalid-request", test_query_fetch_invalid_request);
  g_test_add ("/gnutls/query-fetch/cancelled/async", Fixture, NULL,
              fixture_setup, test_query_fetch_cancelled, fixture_teardown);

  add_both ("/gnutls/verify-crt/match-and-differs", test_verify_crt);
  add_both ("/gnutls/verify-crt/errors", test_verify_crt_errors);
  add_both ("/gnutls/verify-crt/temporary-state", test_verify_crt_temporary_state);
  g_test_add ("/gnutls/verify-crt/async-copies-leaf", Fixture, NULL,
              fixture_setup, test_verify_crt_async_copies, fixture_teardown);

  add_both ("/gnutls/time-func/E22/cache-expiry", test_time_func_expiry);
  add_both ("/gnutls/time-func/R24/validity", test_time_func_validity);
  add_both ("/gnutls/time-func/R42/max-lifetime-shorter", test_max_lifetime_shorter);
  add_both ("/gnutls/state/R42/no-cache", test_no_cache);

  add_both ("/gnutls/session/delegation", test_session_delegation);
  add_both ("/gnutls/session/R23/mismatch", test_session_mismatch);
  add_both ("/gnutls/session/no-cert", test_session_no_cert);

  return g_test_run ();
}
