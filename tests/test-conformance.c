/* test-conformance.c: the documents of tests/documents/, one test each
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * valid.tests lists the y_*.json documents that must parse, with what they
 * must parse to; invalid.tests lists the n_*.json documents that must be
 * rejected, with the PoshDocumentError code. Each line becomes a test named
 * after the file, e.g. /conformance/n_expires_fraction. A few documents too
 * large to commit (deep nesting, size cap) are generated here.
 */

#include "config.h"

#include "posh-private.h"

#include <string.h>

typedef struct
{
  char             *file;
  int               code;          /* invalid documents */
  PoshDocumentKind  kind;          /* valid documents */
  guint             n_descriptors;
  guint             n_fingerprints;
  guint64           expires;
  char             *url;           /* (nullable) */
} Case;

static void
case_free (gpointer data)
{
  Case *c = data;

  g_free (c->file);
  g_free (c->url);
  g_free (c);
}

static GBytes *
load_document (const char *file)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "documents", file, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* The document must survive to_json and a second parse unchanged. */
static void
assert_round_trip (PoshDocument *document)
{
  g_autofree char *json = posh_document_to_json (document);
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) again = posh_document_new_from_bytes (bytes, &error);
  g_autofree char *json_again = NULL;
  const PoshEntry *a, *b;
  guint n_a, n_b;

  g_assert_no_error (error);
  g_assert_cmpint (posh_document_get_kind (again), ==, posh_document_get_kind (document));
  g_assert_cmpuint (posh_document_get_expires (again), ==, posh_document_get_expires (document));
  g_assert_cmpstr (posh_document_get_url (again), ==, posh_document_get_url (document));
  g_assert_cmpuint (posh_document_get_n_descriptors (again), ==,
                    posh_document_get_n_descriptors (document));
  a = _posh_document_get_entries (document, &n_a);
  b = _posh_document_get_entries (again, &n_b);
  g_assert_cmpuint (n_a, ==, n_b);
  for (guint i = 0; i < n_a; i++)
    {
      g_assert_cmpint (a[i].hash, ==, b[i].hash);
      g_assert_cmpuint (a[i].descriptor, ==, b[i].descriptor);
      g_assert_cmpmem (a[i].digest, a[i].len, b[i].digest, b[i].len);
    }
  json_again = posh_document_to_json (again);
  g_assert_cmpstr (json_again, ==, json);
}

static void
test_valid (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GBytes) bytes = load_document (c->file);
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;

  document = posh_document_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (document);
  g_assert_cmpint (posh_document_get_kind (document), ==, c->kind);
  g_assert_cmpuint (posh_document_get_n_descriptors (document), ==, c->n_descriptors);
  g_assert_cmpuint (posh_document_get_n_fingerprints (document), ==, c->n_fingerprints);
  g_assert_cmpuint (posh_document_get_expires (document), ==, c->expires);
  g_assert_cmpuint (posh_document_get_lifetime (document), ==, c->expires);
  g_assert_cmpstr (posh_document_get_url (document), ==, c->url);
  g_assert_cmpuint (posh_document_get_n_hops (document), ==, 0);
  g_assert_null (posh_document_get_reference (document));

  for (guint i = 0; i < c->n_fingerprints; i++)
    {
      g_autoptr(GBytes) digest = NULL;
      PoshHash hash = POSH_HASH_NONE;
      guint descriptor = G_MAXUINT;

      g_assert_true (posh_document_get_fingerprint (document, i, &hash, &descriptor, &digest));
      g_assert_cmpuint (descriptor, <, c->n_descriptors);
      g_assert_cmpuint (g_bytes_get_size (digest), ==, _posh_hash_digest_size (hash));
    }
  g_assert_false (posh_document_get_fingerprint (document, c->n_fingerprints, NULL, NULL, NULL));

  assert_round_trip (document);
}

static void
test_invalid (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GBytes) bytes = load_document (c->file);
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;

  document = posh_document_new_from_bytes (bytes, &error);
  g_assert_error (error, POSH_DOCUMENT_ERROR, c->code);
  g_assert_null (document);
  g_assert_cmpuint (strlen (error->message), >, 0);
}

static int
error_code_from_name (const char *name)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (POSH_TYPE_DOCUMENT_ERROR);
  g_autofree char *full = g_strconcat ("POSH_DOCUMENT_ERROR_", name, NULL);
  GEnumValue *value = g_enum_get_value_by_name (klass, full);

  if (!value)
    g_error ("invalid.tests: unknown error code %s", name);
  return value->value;
}

static char *
test_path (const char *file)
{
  const char *dot = strrchr (file, '.');

  return g_strdup_printf ("/conformance/%.*s", (int) (dot - file), file);
}

static void
add_valid_case (char **fields)
{
  Case *c = g_new0 (Case, 1);
  g_autofree char *path = test_path (fields[0]);

  if (g_strv_length (fields) < 6)
    g_error ("valid.tests: short line for %s", fields[0]);
  c->file = g_strdup (fields[0]);
  c->kind = strcmp (fields[1], "reference") == 0 ? POSH_DOCUMENT_KIND_REFERENCE
                                                 : POSH_DOCUMENT_KIND_FINGERPRINTS;
  c->n_descriptors = (guint) g_ascii_strtoull (fields[2], NULL, 10);
  c->n_fingerprints = (guint) g_ascii_strtoull (fields[3], NULL, 10);
  c->expires = g_ascii_strtoull (fields[4], NULL, 10);
  c->url = g_strdup (fields[6]);
  g_test_add_data_func_full (path, c, test_valid, case_free);
}

static void
add_invalid_case (char **fields)
{
  Case *c = g_new0 (Case, 1);
  g_autofree char *path = test_path (fields[0]);

  if (g_strv_length (fields) < 3)
    g_error ("invalid.tests: short line for %s", fields[0]);
  c->file = g_strdup (fields[0]);
  c->code = error_code_from_name (fields[1]);
  g_test_add_data_func_full (path, c, test_invalid, case_free);
}

static void
add_manifest (const char *manifest,
              void      (*add) (char **fields))
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "documents", manifest, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) fields = NULL;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      fields = g_strsplit_set (lines[i], " \t", -1);
      add (fields);
    }
}

/* ---- generated documents ------------------------------------------------ */

static void
assert_parse_error (const char *data,
                    gsize       len,
                    guint       max_depth,
                    int         code)
{
  PoshParseLimits limits;
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;

  _posh_parse_limits_init (&limits);
  limits.max_size = G_MAXSIZE;
  limits.max_depth = max_depth;
  document = _posh_document_parse (data, len, &limits, &error);
  g_assert_error (error, POSH_DOCUMENT_ERROR, code);
  g_assert_null (document);
}

/* E19: 100000 levels would overflow the stack of a recursive parser. */
static void
test_deep_arrays (void)
{
  gsize depth = 100000;
  g_autoptr(GString) text = g_string_new (NULL);

  for (gsize i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  for (gsize i = 0; i < depth; i++)
    g_string_append_c (text, ']');
  assert_parse_error (text->str, text->len, POSH_DEFAULT_MAX_DEPTH,
                      POSH_DOCUMENT_ERROR_TOO_DEEP);
}

static void
test_deep_objects (void)
{
  gsize depth = 100000;
  g_autoptr(GString) text = g_string_new ("{\"expires\":60,\"fingerprints\":[{}],\"x\":");

  for (gsize i = 0; i < depth; i++)
    g_string_append (text, "{\"a\":");
  g_string_append (text, "1");
  for (gsize i = 0; i <= depth; i++)
    g_string_append_c (text, '}');
  assert_parse_error (text->str, text->len, POSH_DEFAULT_MAX_DEPTH,
                      POSH_DOCUMENT_ERROR_TOO_DEEP);
}

/* Unterminated: the depth cap must fire before the end is looked for. */
static void
test_deep_unterminated (void)
{
  g_autofree char *text = g_strnfill (100000, '[');

  assert_parse_error (text, strlen (text), POSH_DEFAULT_MAX_DEPTH,
                      POSH_DOCUMENT_ERROR_TOO_DEEP);
}

/* A configured depth limit far above what json-glib survives is capped. */
static void
test_deep_ceiling (void)
{
  gsize depth = 100000;
  g_autoptr(GString) text = g_string_new (NULL);

  for (gsize i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  for (gsize i = 0; i < depth; i++)
    g_string_append_c (text, ']');
  assert_parse_error (text->str, text->len, G_MAXUINT, POSH_DOCUMENT_ERROR_TOO_DEEP);
}

/* E19: a document padded with whitespace to one byte above 64 KiB. */
static void
test_too_large (void)
{
  const char *doc = "{\"fingerprints\":[{}],\"expires\":60}";
  gsize size = POSH_DEFAULT_MAX_BODY_SIZE;
  g_autoptr(GString) text = g_string_new (doc);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;

  while (text->len < size)
    g_string_append_c (text, ' ');
  bytes = g_bytes_new (text->str, text->len);
  document = posh_document_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  g_clear_pointer (&document, posh_document_unref);
  g_clear_pointer (&bytes, g_bytes_unref);

  g_string_append_c (text, ' ');
  bytes = g_bytes_new (text->str, text->len);
  document = posh_document_new_from_bytes (bytes, &error);
  g_assert_error (error, POSH_DOCUMENT_ERROR, POSH_DOCUMENT_ERROR_TOO_LARGE);
  g_assert_null (document);
}

/* The size cap comes first: an oversized document is not even scanned. */
static void
test_too_large_garbage (void)
{
  gsize size = POSH_DEFAULT_MAX_BODY_SIZE + 1;
  g_autofree char *text = g_strnfill (size, '\xff');
  PoshParseLimits limits;
  g_autoptr(GError) error = NULL;

  _posh_parse_limits_init (&limits);
  g_assert_null (_posh_document_parse (text, size, &limits, &error));
  g_assert_error (error, POSH_DOCUMENT_ERROR, POSH_DOCUMENT_ERROR_TOO_LARGE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  add_manifest ("valid.tests", add_valid_case);
  add_manifest ("invalid.tests", add_invalid_case);

  g_test_add_func ("/conformance/generated/n_deep_arrays_100000", test_deep_arrays);
  g_test_add_func ("/conformance/generated/n_deep_objects_100000", test_deep_objects);
  g_test_add_func ("/conformance/generated/n_deep_unterminated", test_deep_unterminated);
  g_test_add_func ("/conformance/generated/n_deep_ceiling", test_deep_ceiling);
  g_test_add_func ("/conformance/generated/n_too_large", test_too_large);
  g_test_add_func ("/conformance/generated/n_too_large_garbage", test_too_large_garbage);

  return g_test_run ();
}
