/* test-cache.c: PoshCache and the verifier's caching rules (spec R39-R43,
 * E12, E22, E23), with an injected clock: no sleeps.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "posh-cache-private.h"
#include "posh-fetch-private.h"
#include "posh-private.h"
#include "posh-verifier-private.h"

#include "files/fingerprints.h"
#include "posh-test-server.h"
#include "posh-test-utils.h"

#define CLIENT_PATH "/.well-known/posh/xmpp-client.json"
#define SERVER_PATH "/.well-known/posh/xmpp-server.json"
#define HOSTING_URL "https://hosting.example.net" CLIENT_PATH
#define T0 1900000000

/* ---- PoshCache alone --------------------------------------------------- */

static PoshDocument *
make_document (const char *sha256,
               guint64     expires)
{
  g_autofree char *json = posh_test_fingerprints_json (sha256, expires);

  return posh_test_document_new (json);
}

static void
test_unit_store_lookup (void)
{
  PoshCache *cache = _posh_cache_new ();
  g_autoptr(PoshDocument) document = make_document (FP_HOSTING_EXAMPLE_NET_SHA256, 60);
  PoshCacheKey key = { "example.com", "xmpp-client", FALSE };
  /* the same key in other storage: lookups compare contents */
  char domain[] = "example.com";
  char service[] = "xmpp-client";
  PoshCacheKey same = { domain, service, FALSE };
  PoshDocument *found = NULL;
  const GError *error = NULL;

  g_assert_false (_posh_cache_lookup (cache, &key, 100, &found, &error));
  _posh_cache_store_document (cache, &key, document, 160);
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, 1);

  g_assert_true (_posh_cache_lookup (cache, &same, 100, &found, &error));
  g_assert_true (found == document);
  g_assert_null (error);

  /* R39: valid while now < expiry, gone at expiry exactly */
  g_assert_true (_posh_cache_lookup (cache, &key, 159, &found, NULL));
  g_assert_false (_posh_cache_lookup (cache, &key, 160, &found, NULL));
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, 0);

  _posh_cache_free (cache);
}

static void
test_unit_E23_keys (void)
{
  PoshCache *cache = _posh_cache_new ();
  g_autoptr(PoshDocument) client = make_document (FP_HOSTING_EXAMPLE_NET_SHA256, 60);
  g_autoptr(PoshDocument) server = make_document (FP_XMPP_OTHER_SHA256, 60);
  PoshCacheKey client_key = { "example.com", "xmpp-client", FALSE };
  PoshCacheKey server_key = { "example.com", "xmpp-server", FALSE };
  PoshCacheKey legacy_key = { "example.com", "xmpp-client", TRUE };
  PoshCacheKey other_key = { "example.org", "xmpp-client", FALSE };
  PoshDocument *found = NULL;

  _posh_cache_store_document (cache, &client_key, client, 1000);
  _posh_cache_store_document (cache, &server_key, server, 1000);

  g_assert_true (_posh_cache_lookup (cache, &client_key, 0, &found, NULL));
  g_assert_true (found == client);
  g_assert_true (_posh_cache_lookup (cache, &server_key, 0, &found, NULL));
  g_assert_true (found == server);
  /* E22: the path mode is part of the key */
  g_assert_false (_posh_cache_lookup (cache, &legacy_key, 0, &found, NULL));
  g_assert_false (_posh_cache_lookup (cache, &other_key, 0, &found, NULL));

  _posh_cache_free (cache);
}

static void
test_unit_replace_and_errors (void)
{
  PoshCache *cache = _posh_cache_new ();
  g_autoptr(PoshDocument) document = make_document (FP_HOSTING_EXAMPLE_NET_SHA256, 60);
  g_autoptr(GError) stored = g_error_new_literal (POSH_ERROR, POSH_ERROR_NO_POSH_DATA, "404");
  PoshCacheKey key = { "example.com", "xmpp-client", FALSE };
  PoshDocument *found = NULL;
  const GError *error = NULL;

  _posh_cache_store_document (cache, &key, document, 1000);
  _posh_cache_store_error (cache, &key, stored, 500);
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, 1);

  g_assert_true (_posh_cache_lookup (cache, &key, 0, &found, &error));
  g_assert_null (found);
  g_assert_error (error, POSH_ERROR, POSH_ERROR_NO_POSH_DATA);
  /* the new entry's expiry replaced the old one's */
  g_assert_false (_posh_cache_lookup (cache, &key, 500, NULL, NULL));

  _posh_cache_store_document (cache, &key, document, 1000);
  _posh_cache_remove (cache, &key);
  g_assert_false (_posh_cache_lookup (cache, &key, 0, NULL, NULL));

  _posh_cache_free (cache);
}

static void
test_unit_expire_and_clear (void)
{
  PoshCache *cache = _posh_cache_new ();
  g_autoptr(PoshDocument) document = make_document (FP_HOSTING_EXAMPLE_NET_SHA256, 60);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *domain = g_strdup_printf ("d%u.example", i);
      PoshCacheKey key = { domain, "xmpp-client", FALSE };

      _posh_cache_store_document (cache, &key, document, i < 40 ? 10 : 20);
    }
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, 100);
  g_assert_cmpuint (_posh_cache_expire (cache, 9), ==, 0);
  g_assert_cmpuint (_posh_cache_expire (cache, 10), ==, 40);
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, 60);
  _posh_cache_clear (cache);
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, 0);

  /* still usable after a clear */
  {
    PoshCacheKey key = { "example.com", "xmpp-client", FALSE };

    _posh_cache_store_document (cache, &key, document, 30);
    g_assert_true (_posh_cache_lookup (cache, &key, 0, NULL, NULL));
  }
  _posh_cache_free (cache);
}

/* Memory is bounded: beyond the cap, the oldest stored entry goes first;
 * replacing an entry makes it the newest. */
static void
test_unit_bounded (void)
{
  PoshCache *cache = _posh_cache_new ();
  g_autoptr(PoshDocument) document = make_document (FP_HOSTING_EXAMPLE_NET_SHA256, 60);
  PoshCacheKey a = { "a.example", "xmpp-client", FALSE };
  PoshCacheKey b = { "b.example", "xmpp-client", FALSE };
  PoshCacheKey c = { "c.example", "xmpp-client", FALSE };
  PoshCacheKey d = { "d.example", "xmpp-client", FALSE };

  _posh_cache_set_max_entries (cache, 3);
  _posh_cache_store_document (cache, &a, document, 1000);
  _posh_cache_store_document (cache, &b, document, 1000);
  _posh_cache_store_document (cache, &c, document, 1000);
  _posh_cache_store_document (cache, &a, document, 1000);   /* a is now newest */
  _posh_cache_store_document (cache, &d, document, 1000);   /* evicts b */
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, 3);
  g_assert_false (_posh_cache_lookup (cache, &b, 0, NULL, NULL));
  g_assert_true (_posh_cache_lookup (cache, &a, 0, NULL, NULL));
  g_assert_true (_posh_cache_lookup (cache, &c, 0, NULL, NULL));
  g_assert_true (_posh_cache_lookup (cache, &d, 0, NULL, NULL));

  _posh_cache_set_max_entries (cache, 1);                   /* keeps d */
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, 1);
  g_assert_true (_posh_cache_lookup (cache, &d, 0, NULL, NULL));
  _posh_cache_free (cache);
}

static void
test_unit_inflight (void)
{
  PoshCache *cache = _posh_cache_new ();
  PoshCacheKey key = { "example.com", "xmpp-client", FALSE };
  PoshCacheKey server_key = { "example.com", "xmpp-server", FALSE };
  int a, b;

  g_assert_null (_posh_cache_lookup_inflight (cache, &key));
  _posh_cache_add_inflight (cache, &key, &a);
  g_assert_true (_posh_cache_lookup_inflight (cache, &key) == &a);
  g_assert_null (_posh_cache_lookup_inflight (cache, &server_key));
  /* only the owner removes its entry */
  g_assert_false (_posh_cache_remove_inflight (cache, &key, &b));
  g_assert_cmpuint (_posh_cache_get_n_inflight (cache), ==, 1);
  g_assert_true (_posh_cache_remove_inflight (cache, &key, &a));
  g_assert_cmpuint (_posh_cache_get_n_inflight (cache), ==, 0);
  _posh_cache_free (cache);
}

/* ---- the verifier's caching, against the loopback servers -------------- */

typedef struct
{
  PoshTestServer *source;    /* example.com */
  PoshTestServer *hosting;   /* hosting.example.net */
  PoshVerifier   *verifier;
  PoshTestClock   clock;
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
  f->clock.now = T0;
  posh_verifier_set_clock (f->verifier, posh_test_clock_now, &f->clock, NULL);
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

/* The test data says which API to use: sync or async. */
static PoshDocument *
do_fetch (Fixture        *f,
          gconstpointer   data,
          const char     *service,
          GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (!GPOINTER_TO_INT (data))
    return posh_verifier_fetch (f->verifier, "example.com", service, NULL, error);

  posh_verifier_fetch_async (f->verifier, "example.com", service, NULL,
                             posh_test_async_result_cb, &result);
  posh_test_wait_async_result (&result);
  return posh_verifier_fetch_finish (f->verifier, result, error);
}

/* Fetches example.com's xmpp-client document and asserts success. */
static void
fetch_ok (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = do_fetch (f, data, "xmpp-client", &error);

  g_assert_no_error (error);
  g_assert_nonnull (document);
  g_assert_cmpint (posh_document_get_kind (document), ==, POSH_DOCUMENT_KIND_FINGERPRINTS);
}

static guint
source_count (Fixture *f)
{
  return posh_test_server_get_request_count (f->source, CLIENT_PATH);
}

static guint
hosting_count (Fixture *f)
{
  return posh_test_server_get_request_count (f->hosting, CLIENT_PATH);
}

/* Serves the hosting side's fingerprints directly at the source. */
static void
serve_direct (Fixture *f,
              guint64  expires)
{
  g_autofree char *json = posh_test_fingerprints_json (FP_HOSTING_EXAMPLE_NET_SHA256, expires);

  posh_test_server_set_json (f->source, CLIENT_PATH, json);
}

/* Serves a reference at the source and fingerprints at the hosting side. */
static void
serve_reference (Fixture *f,
                 guint64  reference_expires,
                 guint64  fingerprints_expires)
{
  g_autofree char *reference = posh_test_reference_json (HOSTING_URL, reference_expires);
  g_autofree char *fingerprints = posh_test_fingerprints_json (FP_HOSTING_EXAMPLE_NET_SHA256,
                                                              fingerprints_expires);

  posh_test_server_set_json (f->source, CLIENT_PATH, reference);
  posh_test_server_set_json (f->hosting, CLIENT_PATH, fingerprints);
}

/* Asserts that the cached entry lives exactly `lifetime` seconds from T0:
 * one second before, a fetch uses the cache; at the boundary, the whole
 * operation runs again (from the source domain, R41). */
static void
assert_lifetime (Fixture       *f,
                 gconstpointer  data,
                 gint64         lifetime,
                 gboolean       reference)
{
  g_autoptr(PoshDocument) cached = NULL;

  fetch_ok (f, data);
  g_assert_cmpuint (source_count (f), ==, 1);
  g_assert_cmpuint (hosting_count (f), ==, reference ? 1 : 0);

  f->clock.now = T0 + lifetime - 1;
  cached = posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-client");
  g_assert_nonnull (cached);
  fetch_ok (f, data);
  g_assert_cmpuint (source_count (f), ==, 1);

  f->clock.now = T0 + lifetime;
  g_assert_null (posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-client"));
  fetch_ok (f, data);
  g_assert_cmpuint (source_count (f), ==, 2);
  g_assert_cmpuint (hosting_count (f), ==, reference ? 2 : 0);
}

static void
test_R40_reference_shorter (Fixture       *f,
                            gconstpointer  data)
{
  SKIP_IF_NO_FIXTURE (f);
  serve_reference (f, 86400, 604800);
  assert_lifetime (f, data, 86400, TRUE);
}

static void
test_R40_fingerprints_shorter (Fixture       *f,
                               gconstpointer  data)
{
  SKIP_IF_NO_FIXTURE (f);
  serve_reference (f, 3600, 60);
  assert_lifetime (f, data, 60, TRUE);
}

static void
test_R39_direct_expires (Fixture       *f,
                         gconstpointer  data)
{
  SKIP_IF_NO_FIXTURE (f);
  serve_direct (f, 300);
  assert_lifetime (f, data, 300, FALSE);
}

static void
test_E12_max_lifetime (Fixture       *f,
                       gconstpointer  data)
{
  SKIP_IF_NO_FIXTURE (f);
  posh_verifier_set_max_lifetime (f->verifier, 1000);
  serve_direct (f, 604800);
  assert_lifetime (f, data, 1000, FALSE);
}

static void
test_E12_huge_expires_default_cap (Fixture       *f,
                                   gconstpointer  data)
{
  const char *json = "{\"fingerprints\":[{\"sha-256\":\"" FP_HOSTING_EXAMPLE_NET_SHA256 "\"}],"
                     "\"expires\":9000000000000000000}";

  SKIP_IF_NO_FIXTURE (f);
  posh_test_server_set_json (f->source, CLIENT_PATH, json);
  assert_lifetime (f, data, 30 * 24 * 3600, FALSE);
}

static void
test_R43_cache_control_long (Fixture       *f,
                             gconstpointer  data)
{
  SKIP_IF_NO_FIXTURE (f);
  serve_direct (f, 60);
  posh_test_server_add_header (f->source, CLIENT_PATH, "Cache-Control", "max-age=31536000");
  posh_test_server_add_header (f->source, CLIENT_PATH, "Expires", "Thu, 01 Jan 2099 00:00:00 GMT");
  assert_lifetime (f, data, 60, FALSE);
}

static void
test_R43_cache_control_no_store (Fixture       *f,
                                 gconstpointer  data)
{
  SKIP_IF_NO_FIXTURE (f);
  serve_direct (f, 3600);
  posh_test_server_add_header (f->source, CLIENT_PATH, "Cache-Control", "no-store, no-cache, max-age=0");
  assert_lifetime (f, data, 3600, FALSE);
}

/* R41 and R34: the source redirected (301, "permanent") to the hosting
 * side; after expiry the next operation asks the source again. */
static void
test_R41_redirect_restarts_at_source (Fixture       *f,
                                      gconstpointer  data)
{
  g_autofree char *json = posh_test_fingerprints_json (FP_HOSTING_EXAMPLE_NET_SHA256, 120);

  SKIP_IF_NO_FIXTURE (f);
  posh_test_server_set_redirect (f->source, CLIENT_PATH, 301, HOSTING_URL);
  posh_test_server_set_json (f->hosting, CLIENT_PATH, json);
  assert_lifetime (f, data, 120, TRUE);
}

/* R41: after expiry, the source is asked again even though the reference
 * it gave still points to the same place, and its new answer is used. */
static void
test_R41_new_answer_after_expiry (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *direct = posh_test_fingerprints_json (FP_XMPP_OTHER_SHA256, 600);
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(GBytes) digest = NULL;
  g_autoptr(GError) error = NULL;
  PoshHash hash;
  guint descriptor;

  SKIP_IF_NO_FIXTURE (f);
  serve_reference (f, 60, 600);
  fetch_ok (f, data);

  /* the source switches to serving fingerprints itself */
  posh_test_server_set_json (f->source, CLIENT_PATH, direct);
  f->clock.now = T0 + 60;
  document = do_fetch (f, data, "xmpp-client", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (source_count (f), ==, 2);
  g_assert_cmpuint (hosting_count (f), ==, 1);
  g_assert_null (posh_document_get_reference (document));
  g_assert_true (posh_document_get_fingerprint (document, 0, &hash, &descriptor, &digest));
  {
    g_autofree char *b64 = g_base64_encode (g_bytes_get_data (digest, NULL),
                                            g_bytes_get_size (digest));
    g_assert_cmpstr (b64, ==, FP_XMPP_OTHER_SHA256);
  }
}

static void
test_E22_negative_off_by_default (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;
  guint lifetime = G_MAXUINT;

  SKIP_IF_NO_FIXTURE (f);
  g_object_get (f->verifier, "negative-cache-lifetime", &lifetime, NULL);
  g_assert_cmpuint (lifetime, ==, 0);

  /* no response scripted: 404 */
  document = do_fetch (f, data, "xmpp-client", &error);
  g_assert_error (error, POSH_ERROR, POSH_ERROR_NO_POSH_DATA);
  g_clear_error (&error);
  document = do_fetch (f, data, "xmpp-client", &error);
  g_assert_error (error, POSH_ERROR, POSH_ERROR_NO_POSH_DATA);
  g_assert_null (document);
  g_assert_cmpuint (source_count (f), ==, 2);
}

static void
test_E22_negative_configured (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_FIXTURE (f);
  g_object_set (f->verifier, "negative-cache-lifetime", 60, NULL);

  document = do_fetch (f, data, "xmpp-client", &error);
  g_assert_error (error, POSH_ERROR, POSH_ERROR_NO_POSH_DATA);
  g_clear_error (&error);
  g_assert_cmpuint (source_count (f), ==, 1);

  /* the document appears, but the failure is remembered for 60 s */
  serve_direct (f, 600);
  f->clock.now = T0 + 59;
  document = do_fetch (f, data, "xmpp-client", &error);
  g_assert_error (error, POSH_ERROR, POSH_ERROR_NO_POSH_DATA);
  g_clear_error (&error);
  g_assert_cmpuint (source_count (f), ==, 1);
  g_assert_null (posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-client"));

  f->clock.now = T0 + 60;
  document = do_fetch (f, data, "xmpp-client", &error);
  g_assert_no_error (error);
  g_assert_nonnull (document);
  g_assert_cmpuint (source_count (f), ==, 2);
}

/* E22: the negative lifetime is capped by max-lifetime too (R39) */
static void
test_E22_negative_capped (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;

  SKIP_IF_NO_FIXTURE (f);
  posh_verifier_set_max_lifetime (f->verifier, 30);
  g_object_set (f->verifier, "negative-cache-lifetime", 600, NULL);

  document = do_fetch (f, data, "xmpp-client", &error);
  g_assert_error (error, POSH_ERROR, POSH_ERROR_NO_POSH_DATA);
  g_clear_error (&error);
  f->clock.now = T0 + 29;
  document = do_fetch (f, data, "xmpp-client", &error);
  g_assert_error (error, POSH_ERROR, POSH_ERROR_NO_POSH_DATA);
  g_clear_error (&error);
  g_assert_cmpuint (source_count (f), ==, 1);
  f->clock.now = T0 + 30;
  document = do_fetch (f, data, "xmpp-client", &error);
  g_assert_error (error, POSH_ERROR, POSH_ERROR_NO_POSH_DATA);
  g_assert_cmpuint (source_count (f), ==, 2);
}

static char *
first_fingerprint (PoshDocument *document)
{
  g_autoptr(GBytes) digest = NULL;
  PoshHash hash;
  guint descriptor;

  g_assert_true (posh_document_get_fingerprint (document, 0, &hash, &descriptor, &digest));
  return g_base64_encode (g_bytes_get_data (digest, NULL), g_bytes_get_size (digest));
}

static void
test_E23_services_separate (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *client_json = posh_test_fingerprints_json (FP_HOSTING_EXAMPLE_NET_SHA256, 600);
  g_autofree char *server_json = posh_test_fingerprints_json (FP_XMPP_OTHER_SHA256, 600);
  g_autoptr(PoshDocument) client = NULL;
  g_autoptr(PoshDocument) server = NULL;
  g_autoptr(PoshDocument) client2 = NULL;
  g_autoptr(PoshDocument) server2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *client_fp = NULL;
  g_autofree char *server_fp = NULL;

  SKIP_IF_NO_FIXTURE (f);
  posh_test_server_set_json (f->source, CLIENT_PATH, client_json);
  posh_test_server_set_json (f->source, SERVER_PATH, server_json);

  client = do_fetch (f, data, "xmpp-client", &error);
  g_assert_no_error (error);
  /* a cached xmpp-client document does not answer for xmpp-server */
  g_assert_null (posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-server"));
  server = do_fetch (f, data, "xmpp-server", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, CLIENT_PATH), ==, 1);
  g_assert_cmpuint (posh_test_server_get_request_count (f->source, SERVER_PATH), ==, 1);

  client_fp = first_fingerprint (client);
  server_fp = first_fingerprint (server);
  g_assert_cmpstr (client_fp, ==, FP_HOSTING_EXAMPLE_NET_SHA256);
  g_assert_cmpstr (server_fp, ==, FP_XMPP_OTHER_SHA256);

  /* both cached, each under its own key; the SRV form is the same key */
  client2 = do_fetch (f, data, "_xmpp-client._tcp", &error);
  g_assert_no_error (error);
  server2 = do_fetch (f, data, "xmpp-server", &error);
  g_assert_no_error (error);
  g_assert_true (client2 == client);
  g_assert_true (server2 == server);
  g_assert_cmpuint (posh_test_server_get_total_request_count (f->source), ==, 2);
}

static void
test_no_cache_flag (Fixture       *f,
                    gconstpointer  data)
{
  SKIP_IF_NO_FIXTURE (f);
  serve_direct (f, 600);
  g_object_set (f->verifier, "negative-cache-lifetime", 60, NULL);
  posh_verifier_set_flags (f->verifier, POSH_VERIFIER_FLAGS_NO_CACHE);

  fetch_ok (f, data);
  fetch_ok (f, data);
  g_assert_cmpuint (source_count (f), ==, 2);
  g_assert_null (posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-client"));
  g_assert_cmpuint (_posh_verifier_get_cache_size (f->verifier), ==, 0);
}

/* NO_CACHE also turns off sharing: two concurrent fetches, two GETs. */
static void
test_no_cache_no_sharing (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(PoshDocument) d1 = NULL;
  g_autoptr(PoshDocument) d2 = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_FIXTURE (f);
  serve_direct (f, 600);
  posh_verifier_set_flags (f->verifier, POSH_VERIFIER_FLAGS_NO_CACHE);

  posh_verifier_fetch_async (f->verifier, "example.com", "xmpp-client", NULL,
                             posh_test_async_result_cb, &r1);
  posh_verifier_fetch_async (f->verifier, "example.com", "xmpp-client", NULL,
                             posh_test_async_result_cb, &r2);
  g_assert_cmpuint (_posh_verifier_get_n_inflight (f->verifier), ==, 0);
  posh_test_wait_async_result (&r1);
  posh_test_wait_async_result (&r2);
  d1 = posh_verifier_fetch_finish (f->verifier, r1, &error);
  g_assert_no_error (error);
  d2 = posh_verifier_fetch_finish (f->verifier, r2, &error);
  g_assert_no_error (error);
  g_assert_true (d1 != d2);
  g_assert_cmpuint (source_count (f), ==, 2);
}

/* clear_cache drops entries; set_max_lifetime clears too (no entry may
 * outlive a lowered cap). */
static void
test_clear_cache (Fixture       *f,
                  gconstpointer  data)
{
  SKIP_IF_NO_FIXTURE (f);
  serve_direct (f, 600);
  fetch_ok (f, data);
  g_assert_cmpuint (_posh_verifier_get_cache_size (f->verifier), ==, 1);
  posh_verifier_clear_cache (f->verifier);
  g_assert_cmpuint (_posh_verifier_get_cache_size (f->verifier), ==, 0);
  fetch_ok (f, data);
  g_assert_cmpuint (source_count (f), ==, 2);

  posh_verifier_set_max_lifetime (f->verifier, 100);
  g_assert_null (posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-client"));
  fetch_ok (f, data);
  g_assert_cmpuint (source_count (f), ==, 3);
}

/* Normalised names share one entry: EXAMPLE.COM. and example.com. */
static void
test_E22_key_normalised (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(PoshDocument) a = NULL;
  g_autoptr(PoshDocument) b = NULL;

  SKIP_IF_NO_FIXTURE (f);
  serve_direct (f, 600);
  fetch_ok (f, data);
  a = posh_verifier_lookup_cached (f->verifier, "EXAMPLE.COM.", "_xmpp-client._tcp");
  b = posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-client");
  g_assert_nonnull (a);
  g_assert_true (a == b);
  g_assert_null (posh_verifier_lookup_cached (f->verifier, "bad domain", "xmpp-client"));
  g_assert_cmpuint (source_count (f), ==, 1);
}

/* Changing the trust store, a connect-to or the clock drops the cache:
 * a document fetched under other settings is not reused. */
static void
test_settings_clear_cache (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *spec = NULL;
  g_autoptr(GTlsDatabase) other = NULL;
  g_autoptr(GError) error = NULL;
  PoshTestClock clock2 = { .now = T0 };

  SKIP_IF_NO_FIXTURE (f);
  serve_direct (f, 600);

  fetch_ok (f, data);
  other = posh_test_tls_database ();
  posh_verifier_set_tls_database (f->verifier, other);
  g_assert_cmpuint (_posh_verifier_get_cache_size (f->verifier), ==, 0);

  fetch_ok (f, data);
  spec = posh_test_server_connect_to_spec (f->source, "example.com");
  posh_test_verifier_add_connect_to (f->verifier, spec);
  g_assert_cmpuint (_posh_verifier_get_cache_size (f->verifier), ==, 0);

  fetch_ok (f, data);
  posh_verifier_set_clock (f->verifier, posh_test_clock_now, &clock2, NULL);
  g_assert_cmpuint (_posh_verifier_get_cache_size (f->verifier), ==, 0);

  /* the verify flags do not change what is fetched: the cache stays */
  fetch_ok (f, data);
  posh_verifier_set_verify_flags (f->verifier, POSH_VERIFY_FLAGS_ALLOW_SHA1);
  g_assert_cmpuint (_posh_verifier_get_cache_size (f->verifier), ==, 1);
  g_assert_cmpuint (source_count (f), ==, 4);
}

/* A fetch in flight when the cache is cleared still answers its callers,
 * but its result is not cached. */
static void
test_clear_during_fetch (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_FIXTURE (f);
  serve_direct (f, 600);
  posh_verifier_fetch_async (f->verifier, "example.com", "xmpp-client", NULL,
                             posh_test_async_result_cb, &result);
  posh_verifier_clear_cache (f->verifier);
  posh_test_wait_async_result (&result);
  document = posh_verifier_fetch_finish (f->verifier, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (document);
  g_assert_null (posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-client"));
}

/* E22: the lifetime counts from when the fetch started, so the entry never
 * outlives the expires of the first response, however long the fetch took. */
static void
test_E22_expiry_from_fetch_start (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(PoshDocument) cached = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_FIXTURE (f);
  serve_direct (f, 100);
  posh_verifier_fetch_async (f->verifier, "example.com", "xmpp-client", NULL,
                             posh_test_async_result_cb, &result);
  /* the clock moves while the response is on its way */
  f->clock.now = T0 + 30;
  posh_test_wait_async_result (&result);
  document = posh_verifier_fetch_finish (f->verifier, result, &error);
  g_assert_no_error (error);

  f->clock.now = T0 + 99;
  cached = posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-client");
  g_assert_nonnull (cached);
  f->clock.now = T0 + 100;
  g_assert_null (posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-client"));
}

/* E1, E22: the path mode is part of the key; a document found on the
 * draft-02 path is cached for the legacy mode only. */
static void
test_E1_legacy_key (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *json = posh_test_fingerprints_json (FP_HOSTING_EXAMPLE_NET_SHA256, 600);
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(PoshDocument) cached = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_FIXTURE (f);
  posh_test_server_set_json (f->source, "/.well-known/posh._xmpp-client._tcp.json", json);

  document = do_fetch (f, data, "xmpp-client", &error);
  g_assert_error (error, POSH_ERROR, POSH_ERROR_NO_POSH_DATA);
  g_clear_error (&error);

  posh_verifier_set_flags (f->verifier, POSH_VERIFIER_FLAGS_LEGACY_PATH);
  document = do_fetch (f, data, "xmpp-client", &error);
  g_assert_no_error (error);
  g_assert_nonnull (document);
  cached = posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-client");
  g_assert_true (cached == document);

  posh_verifier_set_flags (f->verifier, POSH_VERIFIER_FLAGS_NONE);
  g_assert_null (posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-client"));
}

/* R39: a verifier drops expired entries by itself, not only when they are
 * looked up again: before a store, once the cache has grown to its sweep
 * size, everything expired goes (here the sweep size is lowered to 1 so
 * that two fetches show it). */
static void
test_R39_sweep_on_store (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *client_json = posh_test_fingerprints_json (FP_HOSTING_EXAMPLE_NET_SHA256, 60);
  g_autofree char *server_json = posh_test_fingerprints_json (FP_XMPP_OTHER_SHA256, 600);
  g_autoptr(PoshDocument) client = NULL;
  g_autoptr(PoshDocument) server = NULL;
  g_autoptr(PoshDocument) cached = NULL;
  g_autoptr(GError) error = NULL;

  SKIP_IF_NO_FIXTURE (f);
  posh_test_server_set_json (f->source, CLIENT_PATH, client_json);
  posh_test_server_set_json (f->source, SERVER_PATH, server_json);
  _posh_cache_set_min_sweep (f->verifier->cache, 1);

  client = do_fetch (f, data, "xmpp-client", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (_posh_verifier_get_cache_size (f->verifier), ==, 1);

  /* the xmpp-client entry has expired; nobody looks it up again */
  f->clock.now = T0 + 60;
  server = do_fetch (f, data, "xmpp-server", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (_posh_verifier_get_cache_size (f->verifier), ==, 1);
  g_assert_nonnull (server);
  cached = posh_verifier_lookup_cached (f->verifier, "example.com", "xmpp-server");
  g_assert_true (cached == server);
}

#define add_both(path, func) \
  POSH_TEST_ADD_SYNC_ASYNC (path, Fixture, fixture_setup, func, fixture_teardown)

int
main (int    argc,
      char **argv)
{
  posh_test_init (&argc, &argv);

  g_test_add_func ("/cache/unit/R39/store-lookup-expiry", test_unit_store_lookup);
  g_test_add_func ("/cache/unit/E23/keys", test_unit_E23_keys);
  g_test_add_func ("/cache/unit/E22/replace-and-errors", test_unit_replace_and_errors);
  g_test_add_func ("/cache/unit/expire-and-clear", test_unit_expire_and_clear);
  g_test_add_func ("/cache/unit/inflight", test_unit_inflight);
  g_test_add_func ("/cache/unit/bounded", test_unit_bounded);

  add_both ("/cache/R40/reference-86400-fingerprints-604800", test_R40_reference_shorter);
  add_both ("/cache/R40/reference-3600-fingerprints-60", test_R40_fingerprints_shorter);
  add_both ("/cache/R39/direct-expires", test_R39_direct_expires);
  add_both ("/cache/R39/sweep-on-store", test_R39_sweep_on_store);
  add_both ("/cache/E12/max-lifetime", test_E12_max_lifetime);
  add_both ("/cache/E12/huge-expires-default-cap", test_E12_huge_expires_default_cap);
  add_both ("/cache/R43/cache-control-max-age-ignored", test_R43_cache_control_long);
  add_both ("/cache/R43/cache-control-no-store-ignored", test_R43_cache_control_no_store);
  add_both ("/cache/R41/R34/redirect-restarts-at-source", test_R41_redirect_restarts_at_source);
  add_both ("/cache/R41/new-answer-after-expiry", test_R41_new_answer_after_expiry);
  add_both ("/cache/E22/negative-off-by-default", test_E22_negative_off_by_default);
  add_both ("/cache/E22/negative-configured", test_E22_negative_configured);
  add_both ("/cache/E22/negative-capped", test_E22_negative_capped);
  add_both ("/cache/E22/key-normalised", test_E22_key_normalised);
  add_both ("/cache/E23/services-separate", test_E23_services_separate);
  add_both ("/cache/no-cache", test_no_cache_flag);
  add_both ("/cache/clear", test_clear_cache);
  add_both ("/cache/settings-clear-cache", test_settings_clear_cache);
  g_test_add ("/cache/E22/expiry-from-fetch-start", Fixture, NULL,
              fixture_setup, test_E22_expiry_from_fetch_start, fixture_teardown);
  add_both ("/cache/E1/E22/legacy-key", test_E1_legacy_key);
  g_test_add ("/cache/clear-during-fetch", Fixture, NULL,
              fixture_setup, test_clear_during_fetch, fixture_teardown);
  g_test_add ("/cache/no-cache/no-sharing", Fixture, NULL,
              fixture_setup, test_no_cache_no_sharing, fixture_teardown);

  return g_test_run ();
}
