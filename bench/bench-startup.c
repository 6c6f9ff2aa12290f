/* bench-startup.c: benchmark 5, the start-up cost of the GnuTLS face
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What a program pays to start using POSH: posh_state_init () and a first
 * offline posh_verify_crt_raw (), against the parts the state is made of,
 * alone: gnutls_global_init (), a SoupSession and the system GTlsDatabase.
 * Each measurement is a fresh process (this binary re-run in a child mode,
 * so both sides load exactly the same libraries), measured by the CPU time
 * of the child (getrusage RUSAGE_CHILDREN: on a shared machine the elapsed
 * time mostly measures the other jobs; its ratio is shown too); the modes
 * are interleaved and the median taken. The bare process (exec,
 * dynamic linking, exit) is reported too, as the floor both share.
 * Target: ratio <= 1.5.
 */

#include "config.h"

#include "bench-common.h"

#include <libsoup/soup.h>
#include <posh-gnutls/posh.h>
#include <string.h>
#include <sys/resource.h>

static int
child_posh (void)
{
  gsize len = 0;
  g_autofree char *json = bench_load_text ("hosting.json", &len);
  gnutls_datum_t der;
  posh_state_t state;
  posh_query_t query;
  unsigned int verify = ~0u;
  int rc;

  bench_load_der ("hosting.example.net.pem", &der);
  rc = posh_state_init (&state, 0);
  if (rc == POSH_E_SUCCESS)
    rc = posh_raw_document (state, &query, json, len);
  if (rc == POSH_E_SUCCESS)
    {
      rc = posh_verify_crt_raw (state, &der, 1, GNUTLS_CRT_X509, query, 0, 0, &verify);
      posh_query_deinit (query);
    }
  posh_state_deinit (state);
  gnutls_free (der.data);
  return rc == POSH_E_SUCCESS && verify == 0 ? 0 : 3;
}

static int
child_parts (void)
{
  gsize len = 0;
  g_autofree char *json = bench_load_text ("hosting.json", &len);
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  gnutls_datum_t der;
  int rc;

  bench_load_der ("hosting.example.net.pem", &der);
  rc = gnutls_global_init ();
  session = soup_session_new ();
  database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  bench_sink += json[0] + der.data[0];
  gnutls_free (der.data);
  gnutls_global_deinit ();
  return rc == 0 && database != NULL ? 0 : 3;
}

static double
children_cpu_ms (void)
{
  struct rusage ru;

  getrusage (RUSAGE_CHILDREN, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3
         + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* Runs this binary in mode; returns the child's CPU ms, its wall ms in
 * *wall_ms. */
static double
spawn_ms (const char *self,
          const char *mode,
          double     *wall_ms)
{
  g_autofree char *arg = g_strconcat ("--child=", mode, NULL);
  const char *argv[] = { self, arg, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;
  double cpu = children_cpu_ms ();
  gint64 start = bench_now_ns ();

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("child %s: %s", mode, error->message);
  *wall_ms = (bench_now_ns () - start) / 1e6;
  return children_cpu_ms () - cpu;
}

static void
parent (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  guint reps = bench_reps (15);
  const char *modes[3] = { "posh", "parts", "empty" };
  double *cpu[3], *wall[3];
  g_autofree double *ratio = g_new0 (double, reps);
  g_autofree double *wall_ratio = g_new0 (double, reps);
  g_autofree char *measured = NULL;
  g_autofree char *baseline = NULL;
  g_autofree char *result = NULL;
  double r, ignored;

  for (guint k = 0; k < 3; k++)
    {
      cpu[k] = g_new0 (double, reps);
      wall[k] = g_new0 (double, reps);
    }
  /* warm the page cache */
  spawn_ms (self, "posh", &ignored);
  spawn_ms (self, "parts", &ignored);
  for (guint i = 0; i < reps; i++)
    {
      for (guint k = 0; k < 3; k++)
        {
          guint j = (k + i) % 3;

          cpu[j][i] = spawn_ms (self, modes[j], &wall[j][i]);
        }
      ratio[i] = cpu[0][i] / cpu[1][i];
      wall_ratio[i] = wall[0][i] / wall[1][i];
    }
  r = bench_median (ratio, reps);
  result = g_strdup_printf ("×%.2f (wall ×%.2f)", r, bench_median (wall_ratio, reps));
  measured = g_strdup_printf ("%.1f ms CPU", bench_median (cpu[0], reps));
  baseline = g_strdup_printf ("%.1f ms CPU (bare process %.1f ms)",
                              bench_median (cpu[1], reps), bench_median (cpu[2], reps));
  bench_row ("5", "start-up: posh_state_init + first offline posh_verify_crt_raw "
             "vs gnutls_global_init + SoupSession + system GTlsDatabase (fresh process each)",
             measured, baseline, result, "≤ ×1.50", r <= 1.5);
  for (guint k = 0; k < 3; k++)
    {
      g_free (cpu[k]);
      g_free (wall[k]);
    }
}

int
main (int    argc,
      char **argv)
{
  if (argc == 2 && strcmp (argv[1], "--child=posh") == 0)
    return child_posh ();
  if (argc == 2 && strcmp (argv[1], "--child=parts") == 0)
    return child_parts ();
  if (argc == 2 && strcmp (argv[1], "--child=empty") == 0)
    return 0;
  parent ();
  return 0;
}
