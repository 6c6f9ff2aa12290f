/* bench-concurrency.c: benchmark 3, many verifications in flight at once
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * 10 000 posh_verify_crt_async () calls for 1 000 distinct domains (ten per
 * domain, d0000.example.com ... d0999.example.com), all started at once on
 * one thread, against the 1 000 plain async libsoup GETs they need (one
 * per domain: concurrent requests for one key share one fetch). Every
 * domain reaches the loopback server through its own connect-to rule
 * (1 000 rules, in both).
 *
 * The loopback server runs in this (parent) process, its accept backlog
 * raised from GSocket's 10 to SOMAXCONN (otherwise the burst of connects
 * overflows it and both sides wait on TCP SYN retransmission timers). Each
 * measurement is a child process (this binary in a child mode), so that
 * its CPU time (the figure compared: on a shared machine elapsed time
 * mostly measures the other jobs; its ratio is shown too), its peak
 * descriptor count (/proc/self/fd, sampled every 5 ms), its peak memory
 * (VmHWM) and the heap its calls hold once issued are the client's alone.
 * The two modes alternate; the medians are reported (peaks: the maximum).
 * Target: CPU time ratio <= 1.2.
 */

#include "config.h"

#include "bench-common.h"
#include "bench-plain.h"
#include "posh-test-server.h"
#include "posh-test-utils.h"

#include <posh-gnutls/posh.h>
#include <stdio.h>
#include <string.h>

#define SERVICE    "xmpp-client"
#define WELL_KNOWN "/.well-known/posh/" SERVICE ".json"
#define TIMEOUT_MS 300000

typedef struct
{
  guint  n_domains;
  guint  per_domain;
  guint  pending;
  guint  failures;
  guint  peak_fds;
  gsize  heap_issued;  /* heap growth from the first call to the last */
  char **domains;
  char **specs;
} Run;

static gboolean
sample_fds_cb (gpointer user_data)
{
  Run *run = user_data;

  run->peak_fds = MAX (run->peak_fds, bench_count_fds ());
  return G_SOURCE_CONTINUE;
}

static void
run_init (Run        *run,
          guint16     port)
{
  run->n_domains = bench_scaled (1000);
  run->per_domain = 10;
  run->domains = g_new0 (char *, run->n_domains + 1);
  run->specs = g_new0 (char *, run->n_domains + 1);
  for (guint i = 0; i < run->n_domains; i++)
    {
      run->domains[i] = g_strdup_printf ("d%04u.example.com", i);
      run->specs[i] = g_strdup_printf ("%s:443:127.0.0.1:%u", run->domains[i], port);
    }
  run->peak_fds = bench_count_fds ();
}

/* Iterates the main context until every operation completed; returns the
 * elapsed ms, and the process CPU ms since cpu_start in *cpu_ms. */
static double
run_wait (Run    *run,
          gint64  start,
          gint64  cpu_start,
          double *cpu_ms)
{
  guint sampler = g_timeout_add (5, sample_fds_cb, run);

  while (run->pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (sampler);
  sample_fds_cb (run);
  *cpu_ms = (bench_clock_ns (BENCH_CLOCK_PROCESS_CPU) - cpu_start) / 1e6;
  return (bench_now_ns () - start) / 1e6;
}

static void
run_print (Run    *run,
           double  ms,
           double  cpu_ms)
{
  printf ("RESULT %.3f %.3f %u %" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT " %u\n", ms, cpu_ms,
          run->peak_fds, bench_vm_hwm_kib (), run->heap_issued, run->failures);
  g_strfreev (run->domains);
  g_strfreev (run->specs);
}

static void
verified_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;
  unsigned int verify = ~0u;

  if (posh_verify_crt_finish ((posh_state_t) source, result, &verify) != POSH_E_SUCCESS
      || verify != 0)
    run->failures++;
  run->pending--;
}

static int
child_posh (guint16 port)
{
  g_autofree char *cafile = bench_file_path ("ca.pem");
  gnutls_datum_t der;
  posh_state_t state;
  Run run = { 0 };
  gint64 start, cpu_start;
  double ms, cpu_ms;
  gsize heap;

  run_init (&run, port);
  bench_load_der ("hosting.example.net.pem", &der);
  if (posh_state_init (&state, 0) != POSH_E_SUCCESS
      || posh_state_set_trust_file (state, cafile) != POSH_E_SUCCESS)
    g_error ("cannot set up the state");
  posh_state_set_timeout (state, TIMEOUT_MS);
  for (guint i = 0; i < run.n_domains; i++)
    if (posh_state_set_connect_to (state, run.specs[i]) != POSH_E_SUCCESS)
      g_error ("posh_state_set_connect_to %s failed", run.specs[i]);

  heap = bench_heap_in_use ();
  cpu_start = bench_clock_ns (BENCH_CLOCK_PROCESS_CPU);
  start = bench_now_ns ();
  for (guint k = 0; k < run.per_domain; k++)
    for (guint i = 0; i < run.n_domains; i++)
      {
        run.pending++;
        posh_verify_crt_async (state, &der, 1, GNUTLS_CRT_X509, run.domains[i],
                               SERVICE, 0, 0, NULL, verified_cb, &run);
      }
  run.heap_issued = bench_heap_in_use () - heap;
  ms = run_wait (&run, start, cpu_start, &cpu_ms);
  run_print (&run, ms, cpu_ms);

  posh_state_deinit (state);
  gnutls_free (der.data);
  return 0;
}

static void
got_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Run *run = user_data;

  if (!bench_plain_get_finish (result))
    run->failures++;
  run->pending--;
}

static int
child_plain (guint16 port)
{
  g_autofree char *cafile = bench_file_path ("ca.pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  BenchPlain *plain;
  Run run = { 0 };
  gint64 start, cpu_start;
  double ms, cpu_ms;
  gsize heap;

  run_init (&run, port);
  database = g_tls_file_database_new (cafile, &error);
  g_assert_no_error (error);
  plain = bench_plain_new (database, (const char * const *) run.specs);
  bench_plain_set_timeout (plain, TIMEOUT_MS);

  heap = bench_heap_in_use ();
  cpu_start = bench_clock_ns (BENCH_CLOCK_PROCESS_CPU);
  start = bench_now_ns ();
  for (guint i = 0; i < run.n_domains; i++)
    {
      g_autofree char *url = g_strdup_printf ("https://%s" WELL_KNOWN, run.domains[i]);

      run.pending++;
      bench_plain_get_async (plain, url, got_cb, &run);
    }
  run.heap_issued = bench_heap_in_use () - heap;
  ms = run_wait (&run, start, cpu_start, &cpu_ms);
  run_print (&run, ms, cpu_ms);

  bench_plain_free (plain);
  return 0;
}

typedef struct
{
  double ms;
  double cpu_ms;
  guint  fds;
  gsize  hwm;
  gsize  heap_issued;
} ChildResult;

/* Runs one measurement; the server must have seen exactly one request per
 * domain (for posh: concurrent verifications of a domain shared a fetch). */
static void
spawn_child (PoshTestServer *server,
             const char     *self,
             const char     *mode,
             ChildResult    *out)
{
  guint16 port = posh_test_server_get_port (server);
  guint before = posh_test_server_get_request_count (server, WELL_KNOWN);
  guint requests;
  g_autofree char *arg = g_strconcat ("--child=", mode, NULL);
  g_autofree char *port_arg = g_strdup_printf ("%u", port);
  const char *argv[] = { self, arg, port_arg, NULL };
  g_autofree char *output = NULL;
  g_autoptr(GError) error = NULL;
  guint failures = 0;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &output, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("child %s: %s", mode, error->message);
  if (sscanf (output, "RESULT %lf %lf %u %zu %zu %u", &out->ms, &out->cpu_ms, &out->fds,
              &out->hwm, &out->heap_issued, &failures) != 6)
    g_error ("child %s: unexpected output: %s", mode, output);
  if (failures > 0)
    g_error ("child %s: %u operations failed", mode, failures);
  requests = posh_test_server_get_request_count (server, WELL_KNOWN) - before;
  if (requests != bench_scaled (1000))
    g_error ("child %s: %u requests for %u domains", mode, requests, bench_scaled (1000));
  g_printerr ("%s: %.0f ms, %.0f ms CPU, peak %u fds, VmHWM %zu KiB\n", mode,
              out->ms, out->cpu_ms, out->fds, out->hwm);
}

/* The heap the calls hold right after they were issued (nothing has
 * completed yet), per HTTP request in flight: 1 000 in both runs. */
static void
report_heap_issued (ChildResult *posh,
                    ChildResult *plain,
                    guint        reps)
{
  g_autofree double *p = g_new0 (double, reps);
  g_autofree double *b = g_new0 (double, reps);
  guint n = bench_scaled (1000);
  g_autofree char *pm = NULL, *bm = NULL, *r = NULL, *what = NULL, *rules = NULL;
  double pv, bv;

  for (guint i = 0; i < reps; i++)
    {
      p[i] = (double) posh[i].heap_issued / n;
      b[i] = (double) plain[i].heap_issued / n;
    }
  pv = bench_median (p, reps);
  bv = bench_median (b, reps);
  pm = g_strdup_printf ("%.1f KiB", pv / 1024.0);
  bm = g_strdup_printf ("%.1f KiB", bv / 1024.0);
  r = g_strdup_printf ("×%.2f", pv / bv);
  rules = bench_format_count (n);
  what = g_strdup_printf ("heap held per fetch in flight once all calls are issued "
                          "(10 verifications per fetch, %s connect-to rules)", rules);
  bench_row_info ("3d", what, pm, bm, r);
}

static void
report (ChildResult *posh,
        ChildResult *plain,
        guint        reps)
{
  g_autofree double *ratio = g_new0 (double, reps);
  g_autofree double *wall_ratio = g_new0 (double, reps);
  g_autofree double *pms = g_new0 (double, reps);
  g_autofree double *bms = g_new0 (double, reps);
  guint pfds = 0, bfds = 0;
  gsize phwm = 0, bhwm = 0;
  double r, wr;
  g_autofree char *m = NULL, *b = NULL, *res = NULL;
  g_autofree char *fm = NULL, *fb = NULL, *hm = NULL, *hb = NULL, *hr = NULL;
  g_autofree char *what = NULL, *calls = NULL, *fetches = NULL;
  guint n = bench_scaled (1000);

  for (guint i = 0; i < reps; i++)
    {
      ratio[i] = posh[i].cpu_ms / plain[i].cpu_ms;
      wall_ratio[i] = posh[i].ms / plain[i].ms;
      pms[i] = posh[i].cpu_ms;
      bms[i] = plain[i].cpu_ms;
      pfds = MAX (pfds, posh[i].fds);
      bfds = MAX (bfds, plain[i].fds);
      phwm = MAX (phwm, posh[i].hwm);
      bhwm = MAX (bhwm, plain[i].hwm);
    }
  r = bench_median (ratio, reps);
  wr = bench_median (wall_ratio, reps);
  m = g_strdup_printf ("%.1f s CPU", bench_median (pms, reps) / 1e3);
  b = g_strdup_printf ("%.1f s CPU", bench_median (bms, reps) / 1e3);
  res = g_strdup_printf ("×%.2f (wall ×%.2f)", r, wr);
  calls = bench_format_count (n * 10);
  fetches = bench_format_count (n);
  what = g_strdup_printf ("%s posh_verify_crt_async for %s domains at once vs %s plain "
                          "async GETs (one thread, client process CPU)", calls, fetches, fetches);
  bench_row ("3a", what, m, b, res, "≤ ×1.20", r <= 1.2);
  fm = g_strdup_printf ("%u", pfds);
  fb = g_strdup_printf ("%u", bfds);
  bench_row_info ("3b", "peak open descriptors of the client during that run", fm, fb,
                  fm);
  hm = g_strdup_printf ("%.1f MiB", phwm / 1024.0);
  hb = g_strdup_printf ("%.1f MiB", bhwm / 1024.0);
  hr = g_strdup_printf ("×%.2f", (double) phwm / bhwm);
  bench_row_info ("3c", "peak memory (VmHWM) of the client during that run", hm, hb, hr);
  report_heap_issued (posh, plain, reps);
}

static void
parent (int    *argc,
        char ***argv)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *json = bench_load_text ("hosting.json", NULL);
  g_autoptr(PoshTestServer) server = NULL;
  guint reps = bench_reps (3);
  g_autofree ChildResult *posh = g_new0 (ChildResult, reps);
  g_autofree ChildResult *plain = g_new0 (ChildResult, reps);
  bench_init (argc, argv);
  server = posh_test_server_new ("example.com");
  posh_test_server_set_json (server, WELL_KNOWN, json);
  if (bench_raise_listen_backlog (posh_test_server_get_port (server)) == 0)
    g_error ("cannot find the test server's listening socket");

  for (guint i = 0; i < reps; i++)
    {
      if (i % 2 == 0)
        {
          spawn_child (server, self, "plain", &plain[i]);
          spawn_child (server, self, "posh", &posh[i]);
        }
      else
        {
          spawn_child (server, self, "posh", &posh[i]);
          spawn_child (server, self, "plain", &plain[i]);
        }
    }
  report (posh, plain, reps);
}

int
main (int    argc,
      char **argv)
{
  guint64 port = 0;

  if (argc == 3 && g_ascii_string_to_unsigned (argv[2], 10, 1, 65535, &port, NULL))
    {
      if (strcmp (argv[1], "--child=posh") == 0)
        return child_posh ((guint16) port);
      if (strcmp (argv[1], "--child=plain") == 0)
        return child_plain ((guint16) port);
    }
  parent (&argc, &argv);
  return 0;
}
