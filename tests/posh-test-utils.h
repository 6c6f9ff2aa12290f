/* posh-test-utils.h: helpers shared by the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage:
 *
 *   int
 *   main (int argc, char **argv)
 *   {
 *     posh_test_init (&argc, &argv);
 *     g_test_add_func ("/fetch/R1/path", test_path);
 *     return g_test_run ();
 *   }
 *
 *   static void
 *   test_path (void)
 *   {
 *     POSH_TEST_SKIP_IF_NO_TLS ();
 *     g_autoptr(GTlsDatabase) db = posh_test_tls_database ();  // trusts tests/files/ca.pem
 *     ...
 *   }
 *
 * Fake clock (a PoshClockFunc / PoshFetchClock):
 *
 *   PoshTestClock clock = { .now = 1700000000 };
 *   posh_verifier_set_clock (verifier, posh_test_clock_now, &clock, NULL);
 *   clock.now += 61;                       // or posh_test_clock_advance (&clock, 61)
 *
 * Waiting for an async result on the thread-default main context:
 *
 *   g_autoptr(GAsyncResult) result = NULL;
 *   _posh_fetcher_fetch_async (f, "example.com", "xmpp-client", FALSE, NULL,
 *                              posh_test_async_result_cb, &result);
 *   posh_test_wait_async_result (&result);   // iterates until the callback ran
 *   doc = _posh_fetcher_fetch_finish (f, result, &error);
 *
 * posh_test_async_result_cb asserts that it is called only once per slot.
 */

#pragma once

#include <gio/gio.h>
#include <posh-gnutls/posh.h>

G_BEGIN_DECLS

/* setlocale (LC_ALL, ""), g_test_init; assertions stay fatal
 * (g_test_set_nonfatal_assertions is NOT called). */
void          posh_test_init              (int    *argc,
                                           char ***argv);

/* Absolute path of tests/files/NAME (in the source tree). (transfer full) */
char         *posh_test_file              (const char *name);

/* Contents of tests/files/NAME; asserts it exists. (transfer full) */
GBytes       *posh_test_file_bytes        (const char *name);

/* A GTlsFileDatabase trusting only tests/files/ca.pem. (transfer full) */
GTlsDatabase *posh_test_tls_database      (void);

/* tests/files/NAME as a GTlsCertificate; asserts it loads. (transfer full) */
GTlsCertificate *posh_test_certificate    (const char *name);
/* tests/files/NAME-chain.pem with its private key tests/files/NAME.key,
 * for a TLS server; asserts it loads. (transfer full) */
GTlsCertificate *posh_test_certificate_with_key (const char *name);

/* TRUE when glib-networking provides TLS. */
gboolean      posh_test_have_tls          (void);

/* Skip the current test (and return) unless ready is true; ready says
 * that TLS is available (e.g. a fixture member that set-up creates only
 * with TLS is non-NULL). */
#define POSH_TEST_SKIP_UNLESS_TLS(ready)                            \
  G_STMT_START                                                      \
  {                                                                 \
    if (!(ready))                                                   \
      {                                                             \
        g_test_skip ("TLS is not available (glib-networking)");     \
        return;                                                     \
      }                                                             \
  }                                                                 \
  G_STMT_END

/* Skip the current test (and return) when TLS is unavailable. */
#define POSH_TEST_SKIP_IF_NO_TLS() POSH_TEST_SKIP_UNLESS_TLS (posh_test_have_tls ())

/* Register test twice on the same fixture: at sync_path with data
 * GINT_TO_POINTER (FALSE), at async_path with GINT_TO_POINTER (TRUE). */
void          posh_test_add_sync_async    (const char       *sync_path,
                                           const char       *async_path,
                                           gsize             fixture_size,
                                           GTestFixtureFunc  setup,
                                           GTestFixtureFunc  test,
                                           GTestFixtureFunc  teardown);

/* The usual form: PATH/sync and PATH/async. The fixture functions have the
 * g_test_add() types, void (*) (Fixture *, gconstpointer). */
#define POSH_TEST_ADD_SYNC_ASYNC(path, Fixture, setup, test, teardown)    \
  G_STMT_START                                                            \
  {                                                                       \
    void (*add_setup) (Fixture *, gconstpointer) = setup;                 \
    void (*add_test) (Fixture *, gconstpointer) = test;                   \
    void (*add_teardown) (Fixture *, gconstpointer) = teardown;           \
    g_autofree char *add_sync = g_strconcat (path, "/sync", NULL);        \
    g_autofree char *add_async = g_strconcat (path, "/async", NULL);      \
                                                                          \
    posh_test_add_sync_async (add_sync, add_async, sizeof (Fixture),      \
                              (GTestFixtureFunc) add_setup,               \
                              (GTestFixtureFunc) add_test,                \
                              (GTestFixtureFunc) add_teardown);           \
  }                                                                       \
  G_STMT_END

/* A settable clock in seconds since the epoch. */
typedef struct
{
  gint64 now;
} PoshTestClock;

/* Matches PoshClockFunc / PoshFetchClock: user_data is a PoshTestClock *. */
gint64        posh_test_clock_now         (gpointer       user_data);
void          posh_test_clock_advance     (PoshTestClock *clock,
                                           gint64         seconds);

/* GAsyncReadyCallback: user_data is a GAsyncResult ** that must be NULL;
 * stores a reference to the result (asserts if called twice). */
void          posh_test_async_result_cb   (GObject       *source,
                                           GAsyncResult  *result,
                                           gpointer       user_data);
/* Iterate the thread-default main context until *slot is set. */
void          posh_test_wait_async_result (GAsyncResult **slot);

/* Iterate the thread-default main context without blocking until nothing
 * is pending (lets late callbacks run, e.g. to prove one is NOT called). */
void          posh_test_drain_main_context (void);

/* A fingerprints document: {"fingerprints":[{"sha-256":"FP"}],"expires":N}
 * (transfer full) */
char         *posh_test_fingerprints_json (const char *sha256,
                                           guint64     expires);
/* A reference document: {"url":"URL","expires":N} (transfer full) */
char         *posh_test_reference_json    (const char *url,
                                           guint64     expires);

/* posh_verifier_add_connect_to (verifier, spec), asserting that it
 * succeeds. */
void          posh_test_verifier_add_connect_to (PoshVerifier *verifier,
                                                 const char   *spec);

/* json parsed as a POSH document; asserts it parses. (transfer full) */
PoshDocument *posh_test_document_new      (const char *json);

G_END_DECLS
