/* bench-common.h: timing, interleaved comparison, heap and process probes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every figure the benchmarks report is a RATIO against a baseline measured
 * in the same process (or in sibling processes spawned by it), interleaved
 * repetition by repetition, and summarised by the median: the machine is
 * shared, so absolute times are noise, ratios much less so.
 *
 * Each benchmark prints result rows on stdout, one per line:
 *
 *   ROW<TAB>id<TAB>what<TAB>measured<TAB>baseline<TAB>result<TAB>target<TAB>met
 *
 * and anything else it likes (progress, details) on stderr.
 * bench/run-benchmarks turns the rows into the README's Performance table.
 */

#pragma once

#include <glib.h>
#include <gnutls/gnutls.h>

G_BEGIN_DECLS

/* A batch of n iterations of the work being timed. */
typedef void (*BenchBatchFunc) (gpointer data,
                                guint    n);

/* What a comparison measures: elapsed time, or CPU time (of the calling
 * thread, for single-threaded CPU-bound work, or of the whole process, for
 * work spread over threads such as a fetch from the in-process loopback
 * server): on a machine shared with other jobs, CPU time does not count
 * the time other processes had the cores. */
typedef enum
{
  BENCH_CLOCK_WALL,
  BENCH_CLOCK_THREAD_CPU,
  BENCH_CLOCK_PROCESS_CPU,
} BenchClock;

typedef struct
{
  double subject_ns;   /* median ns per iteration */
  double baseline_ns;  /* median ns per iteration */
  double ratio;        /* median of the per-repetition ratios */
  double wall_ratio;   /* the same on the wall clock */
  BenchClock clock;    /* what subject_ns, baseline_ns and ratio measure */
} BenchComparison;

/* The test utilities' set-up (posh_test_init) without the debug log. */
void     bench_init              (int           *argc,
                                  char        ***argv);
gint64   bench_now_ns            (void);
gint64   bench_clock_ns          (BenchClock     clock);
double   bench_median            (double        *values,
                                  guint          n);
/* Runs baseline and subject alternately (their order swapped on every
 * repetition), reps times, n iterations per batch, after one warm-up batch
 * of each. */
void     bench_compare           (BenchClock       clock,
                                  BenchBatchFunc   subject,
                                  BenchBatchFunc   baseline,
                                  gpointer         data,
                                  guint            n,
                                  guint            reps,
                                  BenchComparison *out);
/* BENCH_REPS from the environment, or def. */
guint    bench_reps              (guint          def);
/* BENCH_SCALE (a float, default 1.0) times def, at least 1. */
guint    bench_scaled            (guint          def);

/* Calls of malloc/calloc/realloc/memalign made by the calling thread so
 * far (bench-malloc.c interposes them in the benchmark executable). */
guint64  bench_alloc_count       (void);
/* Heap bytes in use: mallinfo2 () uordblks + hblkhd. */
gsize    bench_heap_in_use       (void);
/* From /proc/self/status, in KiB. */
gsize    bench_vm_hwm_kib        (void);
gsize    bench_vm_rss_kib        (void);
/* Entries in /proc/self/fd. */
guint    bench_count_fds         (void);

/* Raises the accept backlog of this process's listening TCP sockets on
 * port to SOMAXCONN (Linux re-reads it on a second listen ()). GSocket
 * listens with a backlog of 10, so a SoupServer drops the SYNs of a burst
 * of connections beyond that and the clients wait for TCP's 1 s, 3 s, 7 s
 * retransmissions: a burst benchmark would time those. Returns how many
 * sockets were changed. */
guint    bench_raise_listen_backlog (guint16     port);

/* A human-readable duration: "812 ns", "3.41 µs", "12.6 ms". (transfer full) */
char    *bench_format_ns         (double         ns);
/* A count with thin spaces between thousands: "10 000". (transfer full) */
char    *bench_format_count      (guint          n);
/* Prints a ROW line (see above) and flushes. */
void     bench_row               (const char    *id,
                                  const char    *what,
                                  const char    *measured,
                                  const char    *baseline,
                                  const char    *result,
                                  const char    *target,
                                  gboolean       met);
/* Prints a ROW for a figure with no target (target and met are "—"). */
void     bench_row_info          (const char    *id,
                                  const char    *what,
                                  const char    *measured,
                                  const char    *baseline,
                                  const char    *result);
/* Prints a ROW for a ratio: result "×R" (and the wall-clock ratio for a
 * process CPU time comparison), met when ratio <= max_ratio. */
void     bench_row_ratio         (const char    *id,
                                  const char    *what,
                                  const BenchComparison *c,
                                  const char    *unit,
                                  double         max_ratio);

/* The same for a ratio with no target. */
void     bench_row_ratio_info    (const char    *id,
                                  const char    *what,
                                  const BenchComparison *c,
                                  const char    *unit);

/* The DER of the first certificate in tests/files/NAME (PEM); abort on
 * failure. Free data with gnutls_free. */
void     bench_load_der          (const char     *name,
                                  gnutls_datum_t *der);
/* Contents of tests/files/NAME as a string. (transfer full) */
char    *bench_load_text         (const char    *name,
                                  gsize         *len);
/* Absolute path of tests/files/NAME: $G_TEST_SRCDIR/files/NAME. */
char    *bench_file_path         (const char    *name);

/* Something the compiler cannot prove unused. */
extern volatile guint bench_sink;

G_END_DECLS
