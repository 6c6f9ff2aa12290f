/* test-document.c: PoshDocument accessors, builders, limits, provenance
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The parser's rule-by-rule cases are the documents of test-conformance.c;
 * this file tests the object around them.
 */

#include "config.h"

#include "posh-private.h"
#include "posh-document-private.h"
#include "files/fingerprints.h"
#include "posh-test-utils.h"

#include <string.h>

#define HOSTING_URL "https://hosting.example.net/.well-known/posh/xmpp-client.json"

/* The fixture file's text without its trailing newline. */
static char *
file_text (const char *name)
{
  g_autoptr(GBytes) bytes = posh_test_file_bytes (name);

  return g_strchomp (g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)));
}

static void
assert_fingerprint (PoshDocument *document,
                    guint         index,
                    PoshHash      hash,
                    guint         descriptor,
                    const char   *base64)
{
  g_autoptr(GBytes) digest = NULL;
  g_autofree char *encoded = NULL;
  PoshHash got_hash = POSH_HASH_NONE;
  guint got_descriptor = G_MAXUINT;

  g_assert_true (posh_document_get_fingerprint (document, index, &got_hash,
                                                &got_descriptor, &digest));
  g_assert_cmpint (got_hash, ==, hash);
  g_assert_cmpuint (got_descriptor, ==, descriptor);
  encoded = g_base64_encode (g_bytes_get_data (digest, NULL), g_bytes_get_size (digest));
  g_assert_cmpstr (encoded, ==, base64);
}

/* ---- accessors -------------------------------------------------------------- */

static void
test_fingerprints_accessors (void)
{
  g_autoptr(GBytes) bytes = posh_test_file_bytes ("hosting-rollover.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = posh_document_new_from_bytes (bytes, &error);

  g_assert_no_error (error);
  g_assert_cmpint (posh_document_get_kind (document), ==, POSH_DOCUMENT_KIND_FINGERPRINTS);
  g_assert_cmpuint (posh_document_get_expires (document), ==, 604800);
  g_assert_cmpuint (posh_document_get_lifetime (document), ==, 604800);
  g_assert_null (posh_document_get_url (document));
  g_assert_cmpuint (posh_document_get_n_descriptors (document), ==, 2);
  g_assert_cmpuint (posh_document_get_n_fingerprints (document), ==, 3);

  /* document order: descriptor by descriptor, member by member */
  assert_fingerprint (document, 0, POSH_HASH_SHA_256, 0, FP_HOSTING_ROLLOVER_SHA256);
  assert_fingerprint (document, 1, POSH_HASH_SHA_512, 0, FP_HOSTING_ROLLOVER_SHA512);
  assert_fingerprint (document, 2, POSH_HASH_SHA_256, 1, FP_HOSTING_EXAMPLE_NET_SHA256);
  g_assert_false (posh_document_get_fingerprint (document, 3, NULL, NULL, NULL));
  g_assert_true (posh_document_get_fingerprint (document, 2, NULL, NULL, NULL));

  g_assert_null (posh_document_get_reference (document));
  g_assert_cmpuint (posh_document_get_n_hops (document), ==, 0);
  g_assert_null (posh_document_get_hop_url (document, 0));
  g_assert_cmpuint (posh_document_get_hop_status (document, 0), ==, 0);
}

static void
test_reference_accessors (void)
{
  g_autoptr(GBytes) bytes = posh_test_file_bytes ("reference.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = posh_document_new_from_bytes (bytes, &error);
  guint n_entries = G_MAXUINT;

  g_assert_no_error (error);
  g_assert_cmpint (posh_document_get_kind (document), ==, POSH_DOCUMENT_KIND_REFERENCE);
  g_assert_cmpstr (posh_document_get_url (document), ==, HOSTING_URL);
  g_assert_cmpuint (posh_document_get_expires (document), ==, 3600);
  g_assert_cmpuint (posh_document_get_n_descriptors (document), ==, 0);
  g_assert_cmpuint (posh_document_get_n_fingerprints (document), ==, 0);
  g_assert_false (posh_document_get_fingerprint (document, 0, NULL, NULL, NULL));
  _posh_document_get_entries (document, &n_entries);
  g_assert_cmpuint (n_entries, ==, 0);
}

/* The flat entries the verifier reads are the ones the public API shows. */
static void
test_entries (void)
{
  g_autoptr(PoshDocument) document = NULL;
  const PoshEntry *entries;
  guint n = 0;
  guint8 expected[64];

  document = posh_test_document_new ("{\"fingerprints\":[{\"sha-512\":\"" FP_EXAMPLE_COM_SHA512 "\","
                           "\"sha-1\":\"" FP_EXAMPLE_COM_SHA1 "\",\"x\":\"y\"},"
                           "{\"sha-384\":\"" FP_EXAMPLE_COM_SHA384 "\"}],\"expires\":5}");
  entries = _posh_document_get_entries (document, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (entries[0].hash, ==, POSH_HASH_SHA_512);
  g_assert_cmpuint (entries[0].len, ==, 64);
  g_assert_cmpuint (entries[0].descriptor, ==, 0);
  g_assert_true (_posh_base64_decode_digest (FP_EXAMPLE_COM_SHA512,
                                             strlen (FP_EXAMPLE_COM_SHA512), expected, 64));
  g_assert_cmpmem (entries[0].digest, entries[0].len, expected, 64);
  g_assert_cmpint (entries[1].hash, ==, POSH_HASH_SHA_1);
  g_assert_cmpuint (entries[1].len, ==, 20);
  g_assert_cmpint (entries[2].hash, ==, POSH_HASH_SHA_384);
  g_assert_cmpuint (entries[2].len, ==, 48);
  g_assert_cmpuint (entries[2].descriptor, ==, 1);
}

/* ---- builders (E26, R16, R45, R46, R50) ------------------------------------- */

static void
test_builder_default_hash (void)
{
  g_autoptr(GTlsCertificate) hosting = NULL;
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *expected = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  hosting = posh_test_certificate ("hosting.example.net.pem");
  document = posh_document_new_from_certificates (&hosting, 1, POSH_HASH_NONE, 86400, &error);
  g_assert_no_error (error);
  json = posh_document_to_json (document);
  /* the fixture the HTTPS test hosts serve is exactly what a publisher emits */
  expected = file_text ("hosting.json");
  g_assert_cmpstr (json, ==, expected);
  g_assert_cmpstr (json, ==, "{\"fingerprints\":[{\"sha-256\":\"" FP_HOSTING_EXAMPLE_NET_SHA256
                   "\"}],\"expires\":86400}");
}

static void
test_builder_rollover_order (void)
{
  g_autoptr(GTlsCertificate) hosting = NULL;
  g_autoptr(GTlsCertificate) rollover = NULL;
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  GTlsCertificate *certificates[2];

  POSH_TEST_SKIP_IF_NO_TLS ();
  hosting = posh_test_certificate ("hosting.example.net.pem");
  rollover = posh_test_certificate ("hosting-rollover.pem");
  certificates[0] = rollover;
  certificates[1] = hosting;
  document = posh_document_new_from_certificates (certificates, 2,
                                                  POSH_HASH_SHA_256 | POSH_HASH_SHA_512,
                                                  604800, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (posh_document_get_n_descriptors (document), ==, 2);
  g_assert_cmpuint (posh_document_get_n_fingerprints (document), ==, 4);
  json = posh_document_to_json (document);
  g_assert_cmpstr (json, ==,
                   "{\"fingerprints\":["
                   "{\"sha-256\":\"" FP_HOSTING_ROLLOVER_SHA256 "\","
                   "\"sha-512\":\"" FP_HOSTING_ROLLOVER_SHA512 "\"},"
                   "{\"sha-256\":\"" FP_HOSTING_EXAMPLE_NET_SHA256 "\","
                   "\"sha-512\":\"" FP_HOSTING_EXAMPLE_NET_SHA512 "\"}"
                   "],\"expires\":604800}");
}

static void
test_builder_all_hashes (void)
{
  g_autoptr(GTlsCertificate) hosting = NULL;
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  hosting = posh_test_certificate ("hosting.example.net.pem");
  document = posh_document_new_from_certificates (&hosting, 1,
                                                  POSH_HASH_SHA_1 | POSH_HASH_SHA_512 |
                                                  POSH_HASH_SHA_384 | POSH_HASH_SHA_256,
                                                  60, &error);
  g_assert_no_error (error);
  json = posh_document_to_json (document);
  g_assert_cmpstr (json, ==,
                   "{\"fingerprints\":[{"
                   "\"sha-256\":\"" FP_HOSTING_EXAMPLE_NET_SHA256 "\","
                   "\"sha-384\":\"" FP_HOSTING_EXAMPLE_NET_SHA384 "\","
                   "\"sha-512\":\"" FP_HOSTING_EXAMPLE_NET_SHA512 "\","
                   "\"sha-1\":\"" FP_HOSTING_EXAMPLE_NET_SHA1 "\""
                   "}],\"expires\":60}");
}

static void
test_builder_errors (void)
{
  g_autoptr(GTlsCertificate) hosting = NULL;
  g_autoptr(GError) error = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  hosting = posh_test_certificate ("hosting.example.net.pem");

  g_assert_null (posh_document_new_from_certificates (&hosting, 0, POSH_HASH_NONE, 60, &error));
  g_assert_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST);
  g_clear_error (&error);

  /* E26: 0 would publish an invalidated document */
  g_assert_null (posh_document_new_from_certificates (&hosting, 1, POSH_HASH_NONE, 0, &error));
  g_assert_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST);
  g_clear_error (&error);

  g_assert_null (posh_document_new_from_certificates (&hosting, 1, 1 << 7, 60, &error));
  g_assert_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST);
}

static void
test_builder_round_trip (void)
{
  g_autoptr(GTlsCertificate) hosting = NULL;
  g_autoptr(PoshDocument) built = NULL;
  g_autoptr(PoshDocument) parsed = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;
  const PoshEntry *a, *b;
  guint n_a, n_b;

  POSH_TEST_SKIP_IF_NO_TLS ();
  hosting = posh_test_certificate ("hosting.example.net.pem");
  built = posh_document_new_from_certificates (&hosting, 1,
                                               POSH_HASH_SHA_256 | POSH_HASH_SHA_384, 7200, NULL);
  json = posh_document_to_json (built);
  parsed = posh_test_document_new (json);
  a = _posh_document_get_entries (built, &n_a);
  b = _posh_document_get_entries (parsed, &n_b);
  g_assert_cmpuint (n_a, ==, 2);
  g_assert_cmpuint (n_b, ==, n_a);
  for (guint i = 0; i < n_a; i++)
    {
      g_assert_cmpint (a[i].hash, ==, b[i].hash);
      g_assert_cmpuint (a[i].descriptor, ==, b[i].descriptor);
      g_assert_cmpmem (a[i].digest, a[i].len, b[i].digest, b[i].len);
    }
  g_assert_cmpuint (posh_document_get_expires (parsed), ==, 7200);
  json_again = posh_document_to_json (parsed);
  g_assert_cmpstr (json_again, ==, json);
}

static void
test_reference_builder (void)
{
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(PoshDocument) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *expected = file_text ("reference.json");

  document = posh_document_new_reference (HOSTING_URL, 3600, &error);
  g_assert_no_error (error);
  g_assert_cmpint (posh_document_get_kind (document), ==, POSH_DOCUMENT_KIND_REFERENCE);
  g_assert_cmpstr (posh_document_get_url (document), ==, HOSTING_URL);
  json = posh_document_to_json (document);
  g_assert_cmpstr (json, ==, expected);
  parsed = posh_test_document_new (json);
  g_assert_cmpstr (posh_document_get_url (parsed), ==, HOSTING_URL);
  g_assert_cmpuint (posh_document_get_expires (parsed), ==, 3600);
}

/* E14: the fragment is dropped, the query kept. */
static void
test_reference_builder_fragment (void)
{
  g_autoptr(PoshDocument) document = NULL;

  document = posh_document_new_reference ("https://h.example/p.json?a=b#top", 60, NULL);
  g_assert_cmpstr (posh_document_get_url (document), ==, "https://h.example/p.json?a=b");
}

static void
test_reference_builder_errors (void)
{
  static const char *const bad[] = {
    "http://hosting.example.net/x.json",   /* R27 */
    "ftp://hosting.example.net/x.json",
    "/.well-known/posh/xmpp-client.json",
    "//hosting.example.net/x.json",
    "https:///x.json",
    "https://hosting example.net/x.json",
    "https://hosting.example.net/%zz",
    "",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("url “%s”", bad[i]);
      g_assert_null (posh_document_new_reference (bad[i], 60, &error));
      g_assert_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST);
    }
}

static void
test_reference_builder_expires_zero (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (posh_document_new_reference (HOSTING_URL, 0, &error));
  g_assert_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST);
}

/* ---- reference counting, boxed type --------------------------------------- */

static void
test_ref_counting (void)
{
  PoshDocument *document = posh_test_document_new ("{\"url\":\"https://h.example/\",\"expires\":1}");
  PoshDocument *copy;
  GValue value = G_VALUE_INIT;

  g_assert_true (posh_document_ref (document) == document);
  posh_document_unref (document);
  g_assert_cmpstr (posh_document_get_url (document), ==, "https://h.example/");

  copy = g_boxed_copy (POSH_TYPE_DOCUMENT, document);
  g_assert_true (copy == document);
  g_boxed_free (POSH_TYPE_DOCUMENT, copy);

  g_value_init (&value, POSH_TYPE_DOCUMENT);
  g_value_set_boxed (&value, document);
  posh_document_unref (document);
  /* the GValue's reference keeps it alive */
  g_assert_cmpstr (posh_document_get_url (g_value_get_boxed (&value)), ==, "https://h.example/");
  g_value_unset (&value);
}

static gpointer
ref_unref_thread (gpointer data)
{
  for (int i = 0; i < 20000; i++)
    posh_document_unref (posh_document_ref (data));
  return NULL;
}

/* Several threads share one document (the cache does). */
static void
test_ref_counting_threads (void)
{
  g_autoptr(PoshDocument) document = posh_test_document_new ("{\"fingerprints\":[{}],\"expires\":1}");
  GThread *threads[4];

  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("ref", ref_unref_thread, document);
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpuint (posh_document_get_n_descriptors (document), ==, 1);
}

/* ---- limits (E12, E19) ------------------------------------------------------ */

static PoshDocument *
parse_with (const char             *json,
            const PoshParseLimits  *limits,
            GError                **error)
{
  return _posh_document_parse (json, strlen (json), limits, error);
}

/* json parses under limits. (transfer full) */
static PoshDocument *
parse_ok (const char            *json,
          const PoshParseLimits *limits)
{
  g_autoptr(GError) error = NULL;
  PoshDocument *document = parse_with (json, limits, &error);

  g_assert_no_error (error);
  g_assert_nonnull (document);
  return document;
}

/* json is refused under limits with the document error code. */
static void
assert_refused (const char            *json,
                const PoshParseLimits *limits,
                PoshDocumentError      code)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (parse_with (json, limits, &error));
  g_assert_error (error, POSH_DOCUMENT_ERROR, (int) code);
}

static char *
document_with_descriptors (guint n)
{
  g_autoptr(GString) json = g_string_new ("{\"fingerprints\":[");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, "%s{\"sha-256\":\"%s\"}", i == 0 ? "" : ",",
                            FP_EXAMPLE_COM_SHA256);
  g_string_append (json, "],\"expires\":60}");
  return g_string_free (g_steal_pointer (&json), FALSE);
}

static char *
document_with_members (guint n)
{
  g_autoptr(GString) json = g_string_new ("{\"fingerprints\":[{");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, "%s\"m%u\":0", i == 0 ? "" : ",", i);
  g_string_append (json, "}],\"expires\":60}");
  return g_string_free (g_steal_pointer (&json), FALSE);
}

static void
test_limit_descriptors (void)
{
  PoshParseLimits limits;
  g_autofree char *at_cap = document_with_descriptors (3);
  g_autofree char *over_cap = document_with_descriptors (4);
  g_autoptr(PoshDocument) document = NULL;

  _posh_parse_limits_init (&limits);
  limits.max_descriptors = 3;
  document = parse_ok (at_cap, &limits);
  g_assert_cmpuint (posh_document_get_n_descriptors (document), ==, 3);
  assert_refused (over_cap, &limits, POSH_DOCUMENT_ERROR_TOO_MANY_DESCRIPTORS);
}

static void
test_limit_members (void)
{
  PoshParseLimits limits;
  g_autofree char *at_cap = document_with_members (2);
  g_autofree char *over_cap = document_with_members (3);
  g_autoptr(PoshDocument) document = NULL;

  _posh_parse_limits_init (&limits);
  limits.max_members = 2;
  document = parse_ok (at_cap, &limits);
  assert_refused (over_cap, &limits, POSH_DOCUMENT_ERROR_TOO_MANY_MEMBERS);
}

/* The default caps, at the boundary. */
static void
test_limit_defaults (void)
{
  PoshParseLimits limits;
  g_autofree char *descriptors_ok = document_with_descriptors (POSH_DEFAULT_MAX_DESCRIPTORS);
  g_autofree char *descriptors_over = document_with_descriptors (POSH_DEFAULT_MAX_DESCRIPTORS + 1);
  g_autofree char *members_ok = document_with_members (POSH_DEFAULT_MAX_MEMBERS);
  g_autofree char *members_over = document_with_members (POSH_DEFAULT_MAX_MEMBERS + 1);
  g_autoptr(PoshDocument) a = NULL;
  g_autoptr(PoshDocument) b = NULL;

  _posh_parse_limits_init (&limits);
  a = parse_ok (descriptors_ok, &limits);
  b = parse_ok (members_ok, &limits);
  assert_refused (descriptors_over, &limits, POSH_DOCUMENT_ERROR_TOO_MANY_DESCRIPTORS);
  assert_refused (members_over, &limits, POSH_DOCUMENT_ERROR_TOO_MANY_MEMBERS);
}

static void
test_limit_depth (void)
{
  const char *json = "{\"fingerprints\":[{}],\"expires\":60}";  /* 3 levels */
  PoshParseLimits limits;
  g_autoptr(PoshDocument) document = NULL;

  _posh_parse_limits_init (&limits);
  limits.max_depth = 3;
  document = parse_ok (json, &limits);
  limits.max_depth = 2;
  assert_refused (json, &limits, POSH_DOCUMENT_ERROR_TOO_DEEP);
}

static void
test_limit_size (void)
{
  const char *json = "{\"fingerprints\":[{}],\"expires\":60}";
  PoshParseLimits limits;
  g_autoptr(PoshDocument) document = NULL;

  _posh_parse_limits_init (&limits);
  limits.max_size = strlen (json);
  document = parse_ok (json, &limits);
  limits.max_size = strlen (json) - 1;
  assert_refused (json, &limits, POSH_DOCUMENT_ERROR_TOO_LARGE);
}

/* E12: expires above the maximum lifetime is read as the maximum. */
static void
test_limit_lifetime (void)
{
  PoshParseLimits limits;
  g_autoptr(PoshDocument) above = NULL;
  g_autoptr(PoshDocument) below = NULL;
  g_autoptr(PoshDocument) huge = NULL;

  _posh_parse_limits_init (&limits);
  g_assert_cmpuint (limits.max_lifetime, ==, 30 * 24 * 3600);
  limits.max_lifetime = 100;
  above = parse_with ("{\"fingerprints\":[{}],\"expires\":101}", &limits, NULL);
  below = parse_with ("{\"fingerprints\":[{}],\"expires\":99}", &limits, NULL);
  huge = parse_with ("{\"fingerprints\":[{}],\"expires\":99999999999999999999999}", &limits, NULL);
  g_assert_cmpuint (posh_document_get_expires (above), ==, 100);
  g_assert_cmpuint (posh_document_get_lifetime (above), ==, 100);
  g_assert_cmpuint (posh_document_get_expires (below), ==, 99);
  g_assert_cmpuint (posh_document_get_expires (huge), ==, 100);
}

/* ---- E19 caps in the scanner, before json-glib builds a tree ------------- */

/* "{}" repeated n times, comma-separated, between prefix and suffix. */
static char *
repeat_empty_objects (const char *prefix,
                      guint       n,
                      const char *suffix)
{
  GString *json = g_string_new (prefix);

  for (guint i = 0; i < n; i++)
    g_string_append (json, i == 0 ? "{}" : ",{}");
  g_string_append (json, suffix);
  return g_string_free (json, FALSE);
}

/* json is refused with code and message, and json-glib never saw it: the
 * scanner refused it. */
static void
assert_refused_by_scanner (const char            *json,
                           gsize                  len,
                           const PoshParseLimits *limits,
                           PoshDocumentError      code,
                           const char            *message)
{
  g_autoptr(GError) error = NULL;
  guint trees = _posh_document_json_trees ();

  g_assert_null (_posh_document_parse (json, len, limits, &error));
  g_assert_cmpuint (_posh_document_json_trees (), ==, trees);
  g_assert_error (error, POSH_DOCUMENT_ERROR, (int) code);
  g_assert_cmpstr (error->message, ==, message);
}

/* json parses under limits, through json-glib exactly once. (transfer full) */
static PoshDocument *
parse_ok_counted (const char            *json,
                  const PoshParseLimits *limits)
{
  guint trees = _posh_document_json_trees ();
  PoshDocument *document = parse_ok (json, limits);

  g_assert_cmpuint (_posh_document_json_trees (), ==, trees + 1);
  return document;
}

/* 100 000 empty descriptors (300 KB) under a 1 MiB body cap: json-glib
 * would build ~25 MiB of tree before the cap of 64 was checked. The
 * scanner stops at the 65th, whose "{" is at byte 17 + 3 * 64. */
static void
test_scan_descriptors (void)
{
  g_autofree char *json = repeat_empty_objects ("{\"fingerprints\":[", 100000,
                                                "],\"expires\":60}");
  PoshParseLimits limits;

  _posh_parse_limits_init (&limits);
  limits.max_size = 1024 * 1024;
  g_assert_cmpuint (strlen (json), <=, limits.max_size);
  assert_refused_by_scanner (json, strlen (json), &limits,
                             POSH_DOCUMENT_ERROR_TOO_MANY_DESCRIPTORS,
                             "“fingerprints” has more descriptors than the limit of 64 "
                             "(the element at byte 209 is one too many)");
}

/* One descriptor (element 1) with 1 000 members: refused at the 17th. */
static void
test_scan_members (void)
{
  g_autoptr(GString) json = g_string_new ("{\"expires\":60,\"fingerprints\":[{},{");
  g_autofree char *message = NULL;
  PoshParseLimits limits;
  gsize at;

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (json, "%s\"m%u\":0", i == 0 ? "" : ",", i);
  g_string_append (json, "}]}");
  at = (gsize) (strstr (json->str, "\"m16\"") - json->str);
  message = g_strdup_printf ("Element 1 of “fingerprints” has more members than the limit of 16 "
                             "(the member at byte %" G_GSIZE_FORMAT " is one too many)", at);

  _posh_parse_limits_init (&limits);
  assert_refused_by_scanner (json->str, json->len, &limits,
                             POSH_DOCUMENT_ERROR_TOO_MANY_MEMBERS, message);
}

/* Exactly the caps still parse, through json-glib; one more does not,
 * whatever the extra element is, and wherever "fingerprints" stands. */
static void
test_scan_boundary (void)
{
  g_autofree char *descriptors = repeat_empty_objects ("{\"expires\":60,\"fingerprints\":[", 64, "]}");
  g_autofree char *scalar_65th = repeat_empty_objects ("{\"fingerprints\":[", 64, ",\"x\"],\"expires\":60}");
  g_autofree char *scalar_64th = repeat_empty_objects ("{\"fingerprints\":[", 63, ",\"x\"],\"expires\":60}");
  g_autofree char *members = document_with_members (POSH_DEFAULT_MAX_MEMBERS);
  g_autoptr(PoshDocument) a = NULL;
  g_autoptr(PoshDocument) b = NULL;
  g_autoptr(GError) error = NULL;
  PoshParseLimits limits;
  guint trees;

  _posh_parse_limits_init (&limits);
  a = parse_ok_counted (descriptors, &limits);
  g_assert_cmpuint (posh_document_get_n_descriptors (a), ==, 64);
  b = parse_ok_counted (members, &limits);
  g_assert_cmpuint (posh_document_get_n_descriptors (b), ==, 1);

  /* A scalar element counts once read: the 65th is one too many... */
  assert_refused_by_scanner (scalar_65th, strlen (scalar_65th), &limits,
                             POSH_DOCUMENT_ERROR_TOO_MANY_DESCRIPTORS,
                             "“fingerprints” has more descriptors than the limit of 64 "
                             "(the element at byte 209 is one too many)");
  /* ...the 64th is within the cap, and left to the shape check (E10). */
  trees = _posh_document_json_trees ();
  g_assert_null (parse_with (scalar_64th, &limits, &error));
  g_assert_error (error, POSH_DOCUMENT_ERROR, POSH_DOCUMENT_ERROR_DESCRIPTOR_NOT_OBJECT);
  g_assert_cmpuint (_posh_document_json_trees (), ==, trees + 1);
}

/* Members that are not the top-level "fingerprints" are extensions: only
 * the body cap and the depth bound them, at any level. */
static void
test_scan_extensions (void)
{
  g_autofree char *top = repeat_empty_objects ("{\"fingerprints\":[{}],\"extension\":[", 10000,
                                               "],\"expires\":60}");
  g_autofree char *nested = repeat_empty_objects ("{\"fingerprints\":[{\"x\":[", 1000,
                                                  "]}],\"ext\":{\"fingerprints\":[{},{},{}]},"
                                                  "\"expires\":60}");
  g_autofree char *not_array = repeat_empty_objects ("{\"fingerprints\":{\"a\":[", 100,
                                                     "]},\"expires\":60}");
  g_autoptr(GString) wide = g_string_new ("{\"extension\":{");
  g_autoptr(PoshDocument) a = NULL;
  g_autoptr(PoshDocument) b = NULL;
  g_autoptr(PoshDocument) c = NULL;
  g_autoptr(GError) error = NULL;
  PoshParseLimits limits;

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (wide, "%s\"m%u\":{}", i == 0 ? "" : ",", i);
  g_string_append (wide, "},\"fingerprints\":[{}],\"expires\":60}");

  _posh_parse_limits_init (&limits);
  limits.max_descriptors = 2;
  a = parse_ok_counted (top, &limits);
  g_assert_cmpuint (posh_document_get_n_descriptors (a), ==, 1);
  b = parse_ok_counted (nested, &limits);
  g_assert_cmpuint (posh_document_get_n_descriptors (b), ==, 1);
  c = parse_ok_counted (wide->str, &limits);
  g_assert_cmpuint (posh_document_get_n_descriptors (c), ==, 1);
  /* "fingerprints" that is not an array is the shape check's to refuse */
  g_assert_null (parse_with (not_array, &limits, &error));
  g_assert_error (error, POSH_DOCUMENT_ERROR, POSH_DOCUMENT_ERROR_FINGERPRINTS_NOT_ARRAY);
}

/* E8 vs E19, in one descriptor under a cap of 2 members: the first problem
 * in text order wins, and on one name a duplicate wins over the cap (a
 * repeated name is not one more member). */
static void
test_scan_duplicate_order (void)
{
  const char *duplicate = "{\"fingerprints\":[{\"a\":0,\"b\":0,\"a\":1}],\"expires\":60}";
  const char *over_first = "{\"fingerprints\":[{\"a\":0,\"b\":0,\"c\":0,\"a\":1}],\"expires\":60}";
  PoshParseLimits limits;

  _posh_parse_limits_init (&limits);
  limits.max_members = 2;
  assert_refused_by_scanner (duplicate, strlen (duplicate), &limits,
                             POSH_DOCUMENT_ERROR_DUPLICATE_MEMBER,
                             "Invalid JSON at byte 33: the member “a” appears twice in one object");
  assert_refused_by_scanner (over_first, strlen (over_first), &limits,
                             POSH_DOCUMENT_ERROR_TOO_MANY_MEMBERS,
                             "Element 0 of “fingerprints” has more members than the limit of 2 "
                             "(the member at byte 30 is one too many)");
}

/* Bytes after the size check: empty input, a lone BOM. */
static void
test_empty_inputs (void)
{
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) bom = g_bytes_new ("\xef\xbb\xbf", 3);
  g_autoptr(GError) error = NULL;

  g_assert_null (posh_document_new_from_bytes (empty, &error));
  g_assert_error (error, POSH_DOCUMENT_ERROR, POSH_DOCUMENT_ERROR_SYNTAX);
  g_clear_error (&error);
  g_assert_null (posh_document_new_from_bytes (bom, &error));
  g_assert_error (error, POSH_DOCUMENT_ERROR, POSH_DOCUMENT_ERROR_SYNTAX);
}

/* Error messages name the member and the problem. */
static void
test_error_messages (void)
{
  static const struct
  {
    const char *json;
    const char *message;
  } cases[] = {
    { "{\"fingerprints\":[{}],\"expires\":\"60\"}",
      "“expires” must be a non-negative integer, not a string" },
    { "{\"fingerprints\":[{}],\"expires\":null}",
      "“expires” must be a non-negative integer, not null" },
    { "{\"fingerprints\":{},\"expires\":1}",
      "“fingerprints” must be an array, not an object" },
    { "{\"url\":1,\"expires\":1}", "“url” must be a string, not a number" },
    { "{\"fingerprints\":[{},3],\"expires\":1}",
      "Element 1 of “fingerprints” must be an object, not a number" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (cases[i].json, strlen (cases[i].json));
      g_autoptr(GError) error = NULL;

      g_assert_null (posh_document_new_from_bytes (bytes, &error));
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* ---- provenance -------------------------------------------------------------- */

static PoshHop *
hop_new (const char *url,
         guint       status)
{
  PoshHop *hop = g_new0 (PoshHop, 1);

  hop->url = g_strdup (url);
  hop->status = status;
  return hop;
}

static void
test_provenance (void)
{
  g_autoptr(PoshDocument) reference = posh_test_document_new ("{\"url\":\"" HOSTING_URL "\",\"expires\":3600}");
  g_autoptr(PoshDocument) document = posh_test_document_new ("{\"fingerprints\":[{}],\"expires\":604800}");
  GPtrArray *hops = g_ptr_array_new_with_free_func ((GDestroyNotify) _posh_hop_free);

  g_ptr_array_add (hops, hop_new ("https://example.com/.well-known/posh/xmpp-client.json", 200));
  g_ptr_array_add (hops, hop_new (HOSTING_URL, 302));
  g_ptr_array_add (hops, hop_new ("https://cdn.example.net/x.json", 200));
  _posh_document_set_provenance (document, reference, hops, 3600);

  g_assert_true (posh_document_get_reference (document) == reference);
  g_assert_cmpuint (posh_document_get_lifetime (document), ==, 3600);
  g_assert_cmpuint (posh_document_get_expires (document), ==, 604800);
  g_assert_cmpuint (posh_document_get_n_hops (document), ==, 3);
  g_assert_cmpstr (posh_document_get_hop_url (document, 1), ==, HOSTING_URL);
  g_assert_cmpuint (posh_document_get_hop_status (document, 1), ==, 302);
  g_assert_cmpuint (posh_document_get_hop_status (document, 2), ==, 200);
  g_assert_null (posh_document_get_hop_url (document, 3));

  /* the document keeps its own reference on the reference document */
  g_clear_pointer (&reference, posh_document_unref);
  g_assert_cmpstr (posh_document_get_url (posh_document_get_reference (document)), ==, HOSTING_URL);
}

/* An array without a free function, and a second call replacing the first. */
static void
test_provenance_replace (void)
{
  g_autoptr(PoshDocument) document = posh_test_document_new ("{\"fingerprints\":[{}],\"expires\":60}");
  GPtrArray *hops = g_ptr_array_new ();

  g_ptr_array_add (hops, hop_new ("https://a.example/", 200));
  _posh_document_set_provenance (document, NULL, hops, 30);
  g_assert_cmpuint (posh_document_get_n_hops (document), ==, 1);

  _posh_document_set_provenance (document, NULL, NULL, 20);
  g_assert_cmpuint (posh_document_get_n_hops (document), ==, 0);
  g_assert_null (posh_document_get_reference (document));
  g_assert_cmpuint (posh_document_get_lifetime (document), ==, 20);
}

/* ---- verification wrappers ---------------------------------------------------- */

static GBytes *
vector_der (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "files", "vectors", name, NULL);
  g_autofree char *pem = NULL;
  gnutls_datum_t in, der = { NULL, 0 };
  gsize len;
  GBytes *bytes;

  g_assert_true (g_file_get_contents (path, &pem, &len, NULL));
  in.data = (unsigned char *) pem;
  in.size = (unsigned int) len;
  g_assert_cmpint (gnutls_pem_base64_decode2 ("CERTIFICATE", &in, &der), ==, GNUTLS_E_SUCCESS);
  bytes = g_bytes_new (der.data, der.size);
  gnutls_free (der.data);
  return bytes;
}

/* The RFC 7711 example certificate expired in 2013 (R24): `now` decides. */
static void
test_verify_der_now (void)
{
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GBytes) der = vector_der ("im.example.com-primary.crt");
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(GDateTime) in_2012 = g_date_time_new_utc (2012, 1, 1, 0, 0, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "documents",
                                                 "y_rfc7711_compact.json", NULL);
  char *contents = NULL;
  gsize len;
  PoshVerifyStatus status = POSH_VERIFY_STATUS_CERT_DIFFERS;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  json = g_bytes_new_take (contents, len);
  document = posh_document_new_from_bytes (json, &error);
  g_assert_no_error (error);

  g_assert_true (posh_document_verify_der (document, der, in_2012, POSH_VERIFY_FLAGS_NONE,
                                           &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, POSH_VERIFY_STATUS_NONE);

  g_assert_true (posh_document_verify_der (document, der, NULL, POSH_VERIFY_FLAGS_NONE,
                                           &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, POSH_VERIFY_STATUS_CERT_EXPIRED);

  /* status is optional */
  g_assert_true (posh_document_verify_der (document, der, in_2012, POSH_VERIFY_FLAGS_NONE,
                                           NULL, &error));
  g_assert_no_error (error);
}

static void
test_verify_certificate (void)
{
  g_autoptr(GTlsCertificate) hosting = NULL;
  g_autoptr(GTlsCertificate) other = NULL;
  g_autoptr(GBytes) json = posh_test_file_bytes ("hosting.json");
  g_autoptr(PoshDocument) document = posh_document_new_from_bytes (json, NULL);
  g_autoptr(GError) error = NULL;
  PoshVerifyStatus status = POSH_VERIFY_STATUS_CERT_DIFFERS;

  POSH_TEST_SKIP_IF_NO_TLS ();
  hosting = posh_test_certificate ("hosting.example.net.pem");
  other = posh_test_certificate ("hosting-rollover.pem");

  g_assert_true (posh_document_verify_certificate (document, hosting, POSH_VERIFY_FLAGS_NONE,
                                                   &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, POSH_VERIFY_STATUS_NONE);

  g_assert_true (posh_document_verify_certificate (document, other, POSH_VERIFY_FLAGS_NONE,
                                                   &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, POSH_VERIFY_STATUS_CERT_DIFFERS);
}

static void
test_verify_errors (void)
{
  g_autoptr(GBytes) der = vector_der ("im.example.com-primary.crt");
  g_autoptr(PoshDocument) reference = posh_test_document_new ("{\"url\":\"" HOSTING_URL "\",\"expires\":60}");
  g_autoptr(PoshDocument) invalidated = NULL;
  g_autoptr(GError) error = NULL;
  PoshVerifyStatus status;

  invalidated = posh_test_document_new ("{\"fingerprints\":[{\"sha-256\":\"4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ=\"}],"
                              "\"expires\":0}");
  g_assert_false (posh_document_verify_der (reference, der, NULL, POSH_VERIFY_FLAGS_NONE,
                                            &status, &error));
  g_assert_error (error, POSH_ERROR, POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE);
  g_clear_error (&error);
  /* R20 */
  g_assert_false (posh_document_verify_der (invalidated, der, NULL, POSH_VERIFY_FLAGS_NONE,
                                            &status, &error));
  g_assert_error (error, POSH_ERROR, POSH_ERROR_INVALIDATED);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/document/accessors/fingerprints", test_fingerprints_accessors);
  g_test_add_func ("/document/accessors/reference", test_reference_accessors);
  g_test_add_func ("/document/accessors/entries", test_entries);
  g_test_add_func ("/document/E26/builder-default-hash", test_builder_default_hash);
  g_test_add_func ("/document/R46/builder-rollover-order", test_builder_rollover_order);
  g_test_add_func ("/document/R16/builder-all-hashes", test_builder_all_hashes);
  g_test_add_func ("/document/E26/builder-errors", test_builder_errors);
  g_test_add_func ("/document/E26/builder-round-trip", test_builder_round_trip);
  g_test_add_func ("/document/R26/reference-builder", test_reference_builder);
  g_test_add_func ("/document/E14/reference-builder-fragment", test_reference_builder_fragment);
  g_test_add_func ("/document/R27/reference-builder-errors", test_reference_builder_errors);
  g_test_add_func ("/document/E26/reference-builder-expires-zero", test_reference_builder_expires_zero);
  g_test_add_func ("/document/ref-counting", test_ref_counting);
  g_test_add_func ("/document/ref-counting-threads", test_ref_counting_threads);
  g_test_add_func ("/document/E19/limit-descriptors", test_limit_descriptors);
  g_test_add_func ("/document/E19/limit-members", test_limit_members);
  g_test_add_func ("/document/E19/limit-defaults", test_limit_defaults);
  g_test_add_func ("/document/E19/limit-depth", test_limit_depth);
  g_test_add_func ("/document/E19/limit-size", test_limit_size);
  g_test_add_func ("/document/E12/limit-lifetime", test_limit_lifetime);
  g_test_add_func ("/document/E19/scan-descriptors", test_scan_descriptors);
  g_test_add_func ("/document/E19/scan-members", test_scan_members);
  g_test_add_func ("/document/E19/scan-boundary", test_scan_boundary);
  g_test_add_func ("/document/E19/scan-extensions", test_scan_extensions);
  g_test_add_func ("/document/E19/scan-duplicate-order", test_scan_duplicate_order);
  g_test_add_func ("/document/empty-inputs", test_empty_inputs);
  g_test_add_func ("/document/error-messages", test_error_messages);
  g_test_add_func ("/document/provenance", test_provenance);
  g_test_add_func ("/document/provenance-replace", test_provenance_replace);
  g_test_add_func ("/document/R24/verify-der-now", test_verify_der_now);
  g_test_add_func ("/document/R18/verify-certificate", test_verify_certificate);
  g_test_add_func ("/document/R20/verify-errors", test_verify_errors);

  return g_test_run ();
}
