/* posh-test-utils.c: helpers shared by the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "posh-test-utils.h"

#include <locale.h>
#include <string.h>

void
posh_test_init (int    *argc,
                char ***argv)
{
  setlocale (LC_ALL, "");
  /* not G_TEST_OPTION_ISOLATE_DIRS: GLib 2.74 leaks the directory strings
   * of every test with it, which buries real leaks under valgrind */
  g_test_init (argc, argv, NULL);
}

char *
posh_test_file (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "files", name, NULL);
}

GBytes *
posh_test_file_bytes (const char *name)
{
  g_autofree char *path = posh_test_file (name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

GTlsDatabase *
posh_test_tls_database (void)
{
  g_autofree char *path = posh_test_file ("ca.pem");
  g_autoptr(GError) error = NULL;
  GTlsDatabase *database;

  database = g_tls_file_database_new (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (database);
  return database;
}

GTlsCertificate *
posh_test_certificate (const char *name)
{
  g_autofree char *path = posh_test_file (name);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate = g_tls_certificate_new_from_file (path, &error);

  g_assert_no_error (error);
  return certificate;
}

GTlsCertificate *
posh_test_certificate_with_key (const char *name)
{
  g_autofree char *chain = g_strconcat (name, "-chain.pem", NULL);
  g_autofree char *key = g_strconcat (name, ".key", NULL);
  g_autofree char *chain_path = posh_test_file (chain);
  g_autofree char *key_path = posh_test_file (key);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate = g_tls_certificate_new_from_files (chain_path, key_path,
                                                                   &error);

  g_assert_no_error (error);
  return certificate;
}

gboolean
posh_test_have_tls (void)
{
  return g_tls_backend_supports_tls (g_tls_backend_get_default ());
}

void
posh_test_add_sync_async (const char       *sync_path,
                          const char       *async_path,
                          gsize             fixture_size,
                          GTestFixtureFunc  setup,
                          GTestFixtureFunc  test,
                          GTestFixtureFunc  teardown)
{
  g_test_add_vtable (sync_path, fixture_size, GINT_TO_POINTER (FALSE),
                     setup, test, teardown);
  g_test_add_vtable (async_path, fixture_size, GINT_TO_POINTER (TRUE),
                     setup, test, teardown);
}

gint64
posh_test_clock_now (gpointer user_data)
{
  PoshTestClock *clock = user_data;

  return clock->now;
}

void
posh_test_clock_advance (PoshTestClock *clock,
                         gint64         seconds)
{
  clock->now += seconds;
}

void
posh_test_async_result_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

void
posh_test_wait_async_result (GAsyncResult **slot)
{
  GMainContext *context = g_main_context_get_thread_default ();

  while (*slot == NULL)
    g_main_context_iteration (context, TRUE);
}

void
posh_test_drain_main_context (void)
{
  GMainContext *context = g_main_context_get_thread_default ();

  while (g_main_context_iteration (context, FALSE))
    ;
}

char *
posh_test_fingerprints_json (const char *sha256,
                             guint64     expires)
{
  return g_strdup_printf ("{\"fingerprints\":[{\"sha-256\":\"%s\"}],"
                          "\"expires\":%" G_GUINT64_FORMAT "}",
                          sha256, expires);
}

char *
posh_test_reference_json (const char *url,
                          guint64     expires)
{
  return g_strdup_printf ("{\"url\":\"%s\",\"expires\":%" G_GUINT64_FORMAT "}",
                          url, expires);
}

void
posh_test_verifier_add_connect_to (PoshVerifier *verifier,
                                   const char   *spec)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (posh_verifier_add_connect_to (verifier, spec, &error));
  g_assert_no_error (error);
}

PoshDocument *
posh_test_document_new (const char *json)
{
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
  g_autoptr(GError) error = NULL;
  PoshDocument *document = posh_document_new_from_bytes (bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (document);
  return document;
}
