/* bench-fetch.c: benchmark 2, a cold fetch + verify against a plain GET
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * With caching off (POSH_F_NO_CACHE) every posh_verify_crt () fetches
 * https://example.com/.well-known/posh/xmpp-client.json from the loopback
 * HTTPS server, parses it and verifies the certificate. Its baseline is a
 * plain libsoup GET of the same URL with the same session settings (the
 * same trust file, the same connect-to mechanism: bench-plain.c), which is
 * the HTTP work the library cannot avoid. The fetcher makes a new session
 * per operation (and aborts it at the end), so there is no keep-alive in
 * the library: the baseline makes a new session per GET too, and both open
 * a new connection with a TLS handshake every time. Two variants,
 * interleaved:
 *
 *   2a  one long-lived posh state (its trust file loaded once) against one
 *       long-lived GTlsDatabase;
 *   2b  a new posh state per request (posh_state_init, trust file, rule)
 *       against a new GTlsDatabase (trust file) per GET.
 *
 * 2c checks that connect-to rules cost nothing per request: the same
 * fetch with 1 000 rules (the one that matters added last) against 1 rule.
 * Targets: 2a, 2b <= 1.15; 2c <= 1.05.
 */

#include "config.h"

#include "bench-common.h"
#include "bench-plain.h"
#include "posh-test-server.h"
#include "posh-test-utils.h"

#include <posh-gnutls/posh.h>

#define SERVICE     "xmpp-client"
#define WELL_KNOWN  "/.well-known/posh/" SERVICE ".json"
#define URL         "https://example.com" WELL_KNOWN
#define N_RULES     1000

typedef struct
{
  PoshTestServer *server;
  char           *spec;
  char           *cafile;
  GTlsDatabase   *database;
  gnutls_datum_t  der;
  posh_state_t    state;       /* one rule */
  posh_state_t    state_many;  /* N_RULES rules */
  BenchPlain     *plain;
  guint           failures;
} FetchBench;

static posh_state_t
new_state (FetchBench *b,
           guint       n_rules)
{
  posh_state_t state;

  if (posh_state_init (&state, POSH_F_NO_CACHE) != POSH_E_SUCCESS)
    g_error ("posh_state_init failed");
  if (posh_state_set_trust_file (state, b->cafile) < 0)
    g_error ("posh_state_set_trust_file failed");
  for (guint i = 1; i < n_rules; i++)
    {
      g_autofree char *spec = g_strdup_printf ("d%04u.example.com:443:127.0.0.1:%u",
                                               i, posh_test_server_get_port (b->server));

      if (posh_state_set_connect_to (state, spec) != POSH_E_SUCCESS)
        g_error ("posh_state_set_connect_to %s failed", spec);
    }
  if (posh_state_set_connect_to (state, b->spec) != POSH_E_SUCCESS)
    g_error ("posh_state_set_connect_to %s failed", b->spec);
  return state;
}

static void
verify_once (FetchBench   *b,
             posh_state_t  state)
{
  unsigned int verify = ~0u;
  int rc = posh_verify_crt (state, &b->der, 1, GNUTLS_CRT_X509,
                            "example.com", SERVICE, 0, 0, &verify);

  if (rc != POSH_E_SUCCESS || verify != 0)
    b->failures++;
}

static void
run_posh (gpointer data,
          guint    n)
{
  FetchBench *b = data;

  for (guint i = 0; i < n; i++)
    verify_once (b, b->state);
}

static void
run_posh_many (gpointer data,
               guint    n)
{
  FetchBench *b = data;

  for (guint i = 0; i < n; i++)
    verify_once (b, b->state_many);
}

static void
run_plain (gpointer data,
           guint    n)
{
  FetchBench *b = data;

  for (guint i = 0; i < n; i++)
    if (!bench_plain_get (b->plain, URL))
      b->failures++;
}

static void
run_posh_fresh (gpointer data,
                guint    n)
{
  FetchBench *b = data;

  for (guint i = 0; i < n; i++)
    {
      posh_state_t state = new_state (b, 1);

      verify_once (b, state);
      posh_state_deinit (state);
    }
}

static void
run_plain_fresh (gpointer data,
                 guint    n)
{
  FetchBench *b = data;
  const char *specs[] = { b->spec, NULL };

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (b->cafile, &error);
      BenchPlain *plain;

      g_assert_no_error (error);
      plain = bench_plain_new (database, specs);
      if (!bench_plain_get (plain, URL))
        b->failures++;
      bench_plain_free (plain);
    }
}

static void
report_rules_setup (FetchBench *b)
{
  gint64 start = bench_clock_ns (BENCH_CLOCK_THREAD_CPU);
  posh_state_t state = new_state (b, N_RULES);
  double ns = (double) (bench_clock_ns (BENCH_CLOCK_THREAD_CPU) - start);
  gint64 start_one = bench_clock_ns (BENCH_CLOCK_THREAD_CPU);
  posh_state_t one = new_state (b, 1);
  double ns_one = (double) (bench_clock_ns (BENCH_CLOCK_THREAD_CPU) - start_one);
  g_autofree char *cpu = bench_format_ns (ns);
  g_autofree char *cpu_one = bench_format_ns (ns_one);
  g_autofree char *measured = g_strconcat (cpu, " CPU", NULL);
  g_autofree char *baseline = g_strconcat (cpu_one, " CPU", NULL);
  g_autofree char *per_rule = bench_format_ns ((ns - ns_one) / (N_RULES - 1));
  g_autofree char *result = g_strdup_printf ("%s per extra rule", per_rule);

  bench_row ("2d", "posh_state_init + 1 000 connect-to rules vs + 1 rule (one run)",
             measured, baseline, result, "< 10 µs per rule", (ns - ns_one) / (N_RULES - 1) < 1e4);
  posh_state_deinit (state);
  posh_state_deinit (one);
}

int
main (int    argc,
      char **argv)
{
  FetchBench b = { 0 };
  g_autofree char *json = NULL;
  const char *specs[2] = { NULL, NULL };
  guint reps = bench_reps (7);
  guint n = bench_scaled (20);
  GError *error = NULL;
  BenchComparison c;

  bench_init (&argc, &argv);
  b.server = posh_test_server_new ("example.com");
  b.spec = posh_test_server_connect_to_spec (b.server, "example.com");
  b.cafile = bench_file_path ("ca.pem");
  json = bench_load_text ("hosting.json", NULL);
  posh_test_server_set_json (b.server, WELL_KNOWN, json);
  bench_load_der ("hosting.example.net.pem", &b.der);
  b.database = g_tls_file_database_new (b.cafile, &error);
  g_assert_no_error (error);
  specs[0] = b.spec;
  b.plain = bench_plain_new (b.database, specs);
  b.state = new_state (&b, 1);
  b.state_many = new_state (&b, N_RULES);

  bench_compare (BENCH_CLOCK_PROCESS_CPU, run_posh, run_plain, &b, n, reps, &c);
  bench_row_ratio ("2a", "cold fetch + verify (NO_CACHE) vs plain libsoup GET, "
                   "new connection per request in both", &c, "", 1.15);
  bench_compare (BENCH_CLOCK_PROCESS_CPU, run_posh_fresh, run_plain_fresh, &b, bench_scaled (10), reps, &c);
  bench_row_ratio ("2b", "the same with a new posh state per request vs a new "
                   "trust store per GET", &c, "", 1.15);
  bench_compare (BENCH_CLOCK_PROCESS_CPU, run_posh_many, run_posh, &b, n, reps, &c);
  bench_row_ratio ("2c", "cold fetch + verify with 1 000 connect-to rules vs 1 rule",
                   &c, "", 1.05);
  report_rules_setup (&b);

  g_assert_cmpuint (b.failures, ==, 0);
  posh_state_deinit (b.state);
  posh_state_deinit (b.state_many);
  bench_plain_free (b.plain);
  g_object_unref (b.database);
  gnutls_free (b.der.data);
  g_free (b.cafile);
  g_free (b.spec);
  posh_test_server_free (b.server);
  return 0;
}
