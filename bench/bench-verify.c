/* bench-verify.c: benchmark 1, the cost of a cached verification
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Once a document is at hand, verifying a certificate should cost what it
 * cannot avoid: one SHA-256 of the DER certificate. This program times, per
 * call and interleaved with that baseline (one nettle sha256 of the same
 * DER):
 *
 *   - posh_verify_crt_raw () against a parsed query;
 *   - the cache-hit path of posh_verify_crt (): a state whose cache was
 *     warmed by one real fetch from the loopback HTTPS server (the server's
 *     request count proves that no later call goes to the network);
 *
 * and counts the heap allocations each call makes (bench-malloc.c). Row
 * 1e compares the two paths, to show what the cache lookup adds.
 * Targets: ratio <= 1.25, 0 allocations per call.
 */

#include "config.h"

#include "bench-common.h"
#include "posh-test-server.h"
#include "posh-test-utils.h"

#include <nettle/sha2.h>
#include <string.h>
#include <posh-gnutls/posh.h>

#define SERVICE "xmpp-client"
#define WELL_KNOWN "/.well-known/posh/" SERVICE ".json"

typedef struct
{
  posh_state_t   state;
  posh_query_t   query;
  gnutls_datum_t der;
  guint          failures;
} VerifyBench;

static void
run_sha256 (gpointer data,
            guint    n)
{
  VerifyBench *b = data;
  guint8 digest[SHA256_DIGEST_SIZE];
  struct sha256_ctx ctx;

  for (guint i = 0; i < n; i++)
    {
      sha256_init (&ctx);
      sha256_update (&ctx, b->der.size, b->der.data);
      sha256_digest (&ctx, sizeof digest, digest);
      bench_sink += digest[i % sizeof digest];
    }
}

static void
run_raw (gpointer data,
         guint    n)
{
  VerifyBench *b = data;

  for (guint i = 0; i < n; i++)
    {
      unsigned int verify = ~0u;
      int rc = posh_verify_crt_raw (b->state, &b->der, 1, GNUTLS_CRT_X509,
                                    b->query, 0, 0, &verify);

      if (rc != POSH_E_SUCCESS || verify != 0)
        b->failures++;
    }
}

static void
run_cached (gpointer data,
            guint    n)
{
  VerifyBench *b = data;

  for (guint i = 0; i < n; i++)
    {
      unsigned int verify = ~0u;
      int rc = posh_verify_crt (b->state, &b->der, 1, GNUTLS_CRT_X509,
                                "example.com", SERVICE, 0, 0, &verify);

      if (rc != POSH_E_SUCCESS || verify != 0)
        b->failures++;
    }
}

static double
allocs_per_call (BenchBatchFunc func,
                 VerifyBench   *b,
                 guint          n)
{
  guint64 before = bench_alloc_count ();

  func (b, n);
  return (double) (bench_alloc_count () - before) / n;
}

/* A zero count must mean no allocation, not a counter that sees nothing. */
static void
check_alloc_counter (void)
{
  guint64 before = bench_alloc_count ();
  char *s = g_strdup ("malloc");

  g_free (s);
  if (bench_alloc_count () == before)
    g_error ("the interposed malloc (bench-malloc.c) is not being called");
}

static void
report_allocs (const char *id,
               const char *what,
               double      per_call)
{
  g_autofree char *measured = g_strdup_printf ("%.2f", per_call);

  bench_row (id, what, measured, "0 (SHA-256)", measured, "0", per_call == 0.0);
}


static void
setup (VerifyBench    *b,
       PoshTestServer *server)
{
  g_autofree char *json = bench_load_text ("hosting.json", NULL);
  g_autofree char *cafile = bench_file_path ("ca.pem");
  g_autofree char *spec = posh_test_server_connect_to_spec (server, "example.com");
  int rc;

  bench_load_der ("hosting.example.net.pem", &b->der);
  posh_test_server_set_json (server, WELL_KNOWN, json);

  rc = posh_state_init (&b->state, 0);
  g_assert_cmpint (rc, ==, POSH_E_SUCCESS);
  rc = posh_state_set_trust_file (b->state, cafile);
  g_assert_cmpint (rc, >=, 0);
  rc = posh_state_set_connect_to (b->state, spec);
  g_assert_cmpint (rc, ==, POSH_E_SUCCESS);
  rc = posh_raw_document (b->state, &b->query, json, strlen (json));
  g_assert_cmpint (rc, ==, POSH_E_SUCCESS);

  /* warm the cache: the one and only fetch */
  run_cached (b, 1);
  g_assert_cmpuint (b->failures, ==, 0);
  g_assert_cmpuint (posh_test_server_get_request_count (server, WELL_KNOWN), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(PoshTestServer) server = NULL;
  VerifyBench b = { 0 };
  BenchComparison c;
  guint n = bench_scaled (20000);
  guint reps = bench_reps (15);

  bench_init (&argc, &argv);
  check_alloc_counter ();
  server = posh_test_server_new ("example.com");
  setup (&b, server);

  bench_compare (BENCH_CLOCK_THREAD_CPU, run_raw, run_sha256, &b, n, reps, &c);
  bench_row_ratio ("1a", "posh_verify_crt_raw vs one SHA-256 of the DER", &c, "/call", 1.25);
  bench_compare (BENCH_CLOCK_THREAD_CPU, run_cached, run_sha256, &b, n, reps, &c);
  bench_row_ratio ("1b", "posh_verify_crt cache hit vs one SHA-256 of the DER", &c, "/call", 1.25);

  /* what the cache-hit path adds to the raw verification (no target) */
  bench_compare (BENCH_CLOCK_THREAD_CPU, run_cached, run_raw, &b, n, reps, &c);
  bench_row_ratio_info ("1e", "posh_verify_crt cache hit vs posh_verify_crt_raw "
                        "(what the lookup adds)", &c, "/call");

  report_allocs ("1c", "heap allocations per posh_verify_crt_raw", allocs_per_call (run_raw, &b, n));
  report_allocs ("1d", "heap allocations per posh_verify_crt cache hit", allocs_per_call (run_cached, &b, n));

  /* every cached call stayed off the network, and every call matched */
  g_assert_cmpuint (posh_test_server_get_request_count (server, WELL_KNOWN), ==, 1);
  g_assert_cmpuint (b.failures, ==, 0);

  posh_query_deinit (b.query);
  posh_state_deinit (b.state);
  gnutls_free (b.der.data);
  return 0;
}
