/* bench-common.c: timing, interleaved comparison, heap and process probes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "bench-common.h"
#include "posh-test-utils.h"

#include <malloc.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile guint bench_sink;

void
bench_init (int    *argc,
            char ***argv)
{
  posh_test_init (argc, argv);
  g_log_set_debug_enabled (FALSE);
}

gint64
bench_clock_ns (BenchClock clock)
{
  static const clockid_t ids[] = {
    [BENCH_CLOCK_WALL] = CLOCK_MONOTONIC,
    [BENCH_CLOCK_THREAD_CPU] = CLOCK_THREAD_CPUTIME_ID,
    [BENCH_CLOCK_PROCESS_CPU] = CLOCK_PROCESS_CPUTIME_ID,
  };
  struct timespec ts;

  clock_gettime (ids[clock], &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

gint64
bench_now_ns (void)
{
  return bench_clock_ns (BENCH_CLOCK_WALL);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

double
bench_median (double *values,
              guint   n)
{
  g_return_val_if_fail (n > 0, 0.0);

  qsort (values, n, sizeof (double), compare_doubles);
  if (n % 2 == 1)
    return values[n / 2];
  return (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

/* Times one batch on clock and on the wall clock, per iteration. */
static void
time_batch (BenchClock      clock,
            BenchBatchFunc  func,
            gpointer        data,
            guint           n,
            double         *ns,
            double         *wall_ns)
{
  gint64 start = bench_clock_ns (clock);
  gint64 wall_start = bench_now_ns ();

  func (data, n);
  *ns = (double) (bench_clock_ns (clock) - start) / n;
  *wall_ns = (double) (bench_now_ns () - wall_start) / n;
}

void
bench_compare (BenchClock       clock,
               BenchBatchFunc   subject,
               BenchBatchFunc   baseline,
               gpointer         data,
               guint            n,
               guint            reps,
               BenchComparison *out)
{
  g_autofree double *s = g_new0 (double, reps);
  g_autofree double *b = g_new0 (double, reps);
  g_autofree double *r = g_new0 (double, reps);
  g_autofree double *ws = g_new0 (double, reps);
  g_autofree double *wb = g_new0 (double, reps);
  g_autofree double *wr = g_new0 (double, reps);

  baseline (data, n);
  subject (data, n);
  for (guint i = 0; i < reps; i++)
    {
      if (i % 2 == 0)
        {
          time_batch (clock, baseline, data, n, &b[i], &wb[i]);
          time_batch (clock, subject, data, n, &s[i], &ws[i]);
        }
      else
        {
          time_batch (clock, subject, data, n, &s[i], &ws[i]);
          time_batch (clock, baseline, data, n, &b[i], &wb[i]);
        }
      r[i] = s[i] / b[i];
      wr[i] = ws[i] / wb[i];
    }
  out->ratio = bench_median (r, reps);
  out->clock = clock;
  out->wall_ratio = bench_median (wr, reps);
  out->subject_ns = bench_median (s, reps);
  out->baseline_ns = bench_median (b, reps);
}

guint
bench_reps (guint def)
{
  const char *env = g_getenv ("BENCH_REPS");
  guint64 v;

  if (env == NULL || !g_ascii_string_to_unsigned (env, 10, 1, 1000, &v, NULL))
    return def;
  return (guint) v;
}

guint
bench_scaled (guint def)
{
  const char *env = g_getenv ("BENCH_SCALE");
  double scale = env != NULL ? g_ascii_strtod (env, NULL) : 1.0;
  double v;

  if (!(scale > 0.0))
    scale = 1.0;
  v = def * scale;
  return v < 1.0 ? 1 : (guint) v;
}

gsize
bench_heap_in_use (void)
{
  struct mallinfo2 mi = mallinfo2 ();

  return mi.uordblks + mi.hblkhd;
}

static gsize
status_field_kib (const char *field)
{
  g_autofree char *contents = NULL;
  const char *p;
  gsize len = strlen (field);

  if (!g_file_get_contents ("/proc/self/status", &contents, NULL, NULL))
    return 0;
  for (p = contents; p != NULL && *p != '\0'; p = strchr (p, '\n'))
    {
      if (*p == '\n')
        p++;
      if (strncmp (p, field, len) == 0 && p[len] == ':')
        return (gsize) g_ascii_strtoull (p + len + 1, NULL, 10);
    }
  return 0;
}

gsize
bench_vm_hwm_kib (void)
{
  return status_field_kib ("VmHWM");
}

gsize
bench_vm_rss_kib (void)
{
  return status_field_kib ("VmRSS");
}

guint
bench_count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  /* the directory's own descriptor */
  return n > 0 ? n - 1 : 0;
}

static gboolean
is_listener_on (int     fd,
                guint16 port)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  int accepting = 0;
  socklen_t alen = sizeof accepting;
  guint16 bound;

  if (getsockname (fd, (struct sockaddr *) &ss, &len) != 0)
    return FALSE;
  if (ss.ss_family == AF_INET)
    bound = ntohs (((struct sockaddr_in *) &ss)->sin_port);
  else if (ss.ss_family == AF_INET6)
    bound = ntohs (((struct sockaddr_in6 *) &ss)->sin6_port);
  else
    return FALSE;
  return bound == port
         && getsockopt (fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &alen) == 0
         && accepting;
}

guint
bench_raise_listen_backlog (guint16 port)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      int fd = (int) g_ascii_strtoll (name, NULL, 10);

      if (is_listener_on (fd, port) && listen (fd, SOMAXCONN) == 0)
        n++;
    }
  return n;
}

char *
bench_format_ns (double ns)
{
  if (ns < 1e3)
    return g_strdup_printf ("%.0f ns", ns);
  if (ns < 1e6)
    return g_strdup_printf ("%.3g µs", ns / 1e3);
  if (ns < 1e9)
    return g_strdup_printf ("%.3g ms", ns / 1e6);
  return g_strdup_printf ("%.3g s", ns / 1e9);
}

char *
bench_format_count (guint n)
{
  g_autofree char *digits = g_strdup_printf ("%u", n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ' ');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

void
bench_row (const char *id,
           const char *what,
           const char *measured,
           const char *baseline,
           const char *result,
           const char *target,
           gboolean    met)
{
  printf ("ROW\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id, what, measured, baseline,
          result, target, met ? "yes" : "no");
  fflush (stdout);
}

void
bench_row_info (const char *id,
                const char *what,
                const char *measured,
                const char *baseline,
                const char *result)
{
  printf ("ROW\t%s\t%s\t%s\t%s\t%s\t—\t—\n", id, what, measured, baseline, result);
  fflush (stdout);
}

/* The measured, baseline and result cells of a ratio row. */
static void
format_comparison (const BenchComparison  *c,
                   const char             *unit,
                   char                  **measured,
                   char                  **baseline,
                   char                  **result)
{
  const char *kind = c->clock == BENCH_CLOCK_WALL ? "" : " CPU";
  g_autofree char *s = bench_format_ns (c->subject_ns);
  g_autofree char *b = bench_format_ns (c->baseline_ns);

  *measured = g_strdup_printf ("%s%s%s", s, unit, kind);
  *baseline = g_strdup_printf ("%s%s%s", b, unit, kind);
  if (c->clock == BENCH_CLOCK_PROCESS_CPU)
    *result = g_strdup_printf ("×%.2f (wall ×%.2f)", c->ratio, c->wall_ratio);
  else
    *result = g_strdup_printf ("×%.2f", c->ratio);
}

void
bench_row_ratio (const char            *id,
                 const char            *what,
                 const BenchComparison *c,
                 const char            *unit,
                 double                 max_ratio)
{
  g_autofree char *measured = NULL;
  g_autofree char *baseline = NULL;
  g_autofree char *result = NULL;
  g_autofree char *target = g_strdup_printf ("≤ ×%.2f", max_ratio);

  format_comparison (c, unit, &measured, &baseline, &result);
  bench_row (id, what, measured, baseline, result, target, c->ratio <= max_ratio);
}

void
bench_row_ratio_info (const char            *id,
                      const char            *what,
                      const BenchComparison *c,
                      const char            *unit)
{
  g_autofree char *measured = NULL;
  g_autofree char *baseline = NULL;
  g_autofree char *result = NULL;

  format_comparison (c, unit, &measured, &baseline, &result);
  bench_row_info (id, what, measured, baseline, result);
}

char *
bench_file_path (const char *name)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");

  if (srcdir == NULL)
    g_error ("G_TEST_SRCDIR is not set: run the benchmarks through "
             "meson test --benchmark or bench/run-benchmarks");
  return g_build_filename (srcdir, "files", name, NULL);
}

char *
bench_load_text (const char *name,
                 gsize      *len)
{
  g_autofree char *path = bench_file_path (name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, len, &error))
    g_error ("%s", error->message);
  return contents;
}

void
bench_load_der (const char     *name,
                gnutls_datum_t *der)
{
  gsize len = 0;
  g_autofree char *pem = bench_load_text (name, &len);
  gnutls_datum_t in = { (unsigned char *) pem, (unsigned int) len };
  int rc;

  rc = gnutls_pem_base64_decode2 ("CERTIFICATE", &in, der);
  if (rc < 0)
    g_error ("%s: %s", name, gnutls_strerror (rc));
}
