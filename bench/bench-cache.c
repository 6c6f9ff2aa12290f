/* bench-cache.c: benchmark 4, the memory and lookup cost of the cache
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Fills a PoshCache (posh-cache-private.h, the cache a PoshVerifier owns)
 * with documents shaped like fetched ones (one sha-256 descriptor, the
 * provenance of one hop, a distinct fingerprint per domain) without HTTP,
 * then reports:
 *
 *   - the heap cost of one cached document: the mallinfo2 () delta of
 *     filling 100 000 entries, divided by 100 000 (target < 1 KiB); it
 *     counts the document, the entry, the key strings and the hash table;
 *   - the heap of 100 000 cached domains (target < 128 MiB);
 *   - the time of a lookup hit at 10 000 and at 100 000 entries as a ratio
 *     to the same lookups at 1 000 entries (target: flat, <= 1.5), the
 *     three caches timed interleaved.
 */

#include "config.h"

#include "bench-common.h"
#include "posh-cache-private.h"

#include <nettle/sha2.h>
#include <string.h>

#define SERVICE "xmpp-client"
#define NOW     1000
#define N_MAX   100000

typedef struct
{
  char        **domains;  /* N_MAX names */
  PoshCache    *subject;
  guint         subject_n;
  PoshCache    *baseline;
  guint         baseline_n;
  PoshCache    *table_cache; /* the N_MAX cache */
  GHashTable   *table;     /* plain GHashTable, N_MAX names -> documents */
  guint         misses;
} LookupBench;

static PoshDocument *
make_document (const PoshParseLimits *limits,
               const char            *domain,
               guint                  i)
{
  guint8 digest[SHA256_DIGEST_SIZE];
  struct sha256_ctx ctx;
  g_autofree char *b64 = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *hops = g_ptr_array_new_with_free_func ((GDestroyNotify) _posh_hop_free);
  PoshHop *hop = g_new0 (PoshHop, 1);
  PoshDocument *document;

  sha256_init (&ctx);
  sha256_update (&ctx, sizeof i, (const guint8 *) &i);
  sha256_digest (&ctx, sizeof digest, digest);
  b64 = g_base64_encode (digest, sizeof digest);
  json = g_strdup_printf ("{\"fingerprints\":[{\"sha-256\":\"%s\"}],\"expires\":86400}", b64);
  document = _posh_document_parse (json, strlen (json), limits, &error);
  g_assert_no_error (error);

  hop->url = g_strdup_printf ("https://%s/.well-known/posh/" SERVICE ".json", domain);
  hop->status = 200;
  g_ptr_array_add (hops, hop);
  _posh_document_set_provenance (document, NULL, hops, 86400);
  return document;
}

static void
store (PoshCache    *cache,
       const char   *domain,
       PoshDocument *document)
{
  PoshCacheKey key = { domain, SERVICE, FALSE };

  _posh_cache_store_document (cache, &key, document, NOW + 86400);
}

/* Writes "d%06u.example.com" into buf (at least 18 + 1 bytes) quickly: the
 * name a caller looks up is in its hands (hot), so building it must not
 * cost a scattered memory read nor a printf. */
static void
format_domain (char  *buf,
               guint  i)
{
  static const char suffix[] = ".example.com";

  buf[0] = 'd';
  for (int k = 6; k >= 1; k--, i /= 10)
    buf[k] = (char) ('0' + i % 10);
  memcpy (buf + 7, suffix, sizeof suffix);
}

/* The index of the i-th lookup among size entries: a stride coprime with
 * every size walks the entries in scattered order. */
static inline guint
scattered (guint i,
           guint size)
{
  return (guint) (((guint64) i * 7919u + 13u) % size);
}

static void
lookup_batch (LookupBench *b,
              PoshCache   *cache,
              guint        size,
              guint        n)
{
  char domain[32];

  for (guint i = 0; i < n; i++)
    {
      PoshCacheKey key = { domain, SERVICE, FALSE };
      PoshDocument *document = NULL;

      format_domain (domain, scattered (i, size));
      if (!_posh_cache_lookup (cache, &key, NOW, &document, NULL) || document == NULL)
        b->misses++;
    }
}

static void
run_table (gpointer data,
           guint    n)
{
  LookupBench *b = data;
  char domain[32];

  for (guint i = 0; i < n; i++)
    {
      format_domain (domain, scattered (i, N_MAX));
      if (g_hash_table_lookup (b->table, domain) == NULL)
        b->misses++;
    }
}

static void
run_subject (gpointer data,
             guint    n)
{
  LookupBench *b = data;

  lookup_batch (b, b->subject, b->subject_n, n);
}

static void
run_baseline (gpointer data,
              guint    n)
{
  LookupBench *b = data;

  lookup_batch (b, b->baseline, b->baseline_n, n);
}

static void
report_memory (gsize delta,
               guint n)
{
  double per_doc = (double) delta / n;
  double mib = (double) delta / (1024.0 * 1024.0);
  g_autofree char *per = g_strdup_printf ("%.0f B", per_doc);
  g_autofree char *total = g_strdup_printf ("%.1f MiB", mib);
  g_autofree char *count = bench_format_count (n);
  g_autofree char *what = g_strdup_printf ("heap per cached document "
                                           "(mallinfo2 delta / %s)", count);

  bench_row ("4a", what, per, "—", per, "< 1024 B", per_doc < 1024.0);
  bench_row ("4b", "heap of 100 000 cached domains", total, "—", total,
             "< 128 MiB", mib < 128.0);
}

static void
report_lookup (LookupBench *b,
               guint        size)
{
  g_autofree char *what = NULL;
  BenchComparison c;

  b->subject_n = size;
  bench_compare (BENCH_CLOCK_THREAD_CPU, run_subject, run_baseline, b, bench_scaled (200000), bench_reps (15), &c);
  what = g_strdup_printf ("cache lookup hit at %s entries vs at 1 000 entries",
                          size == 10000 ? "10 000" : "100 000");
  bench_row_ratio (size == 10000 ? "4c" : "4d", what, &c, "", 1.5);
}

/* The same lookups at 100 000 entries in a bare GHashTable keyed by the
 * same names: what any hash table of that size costs on this machine
 * (cache misses), the floor for the cache's own lookup. */
static void
report_table (LookupBench   *b,
              PoshDocument **documents)
{
  BenchComparison c;

  b->table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < N_MAX; i++)
    g_hash_table_insert (b->table, g_strdup (b->domains[i]), documents[i]);
  b->subject = b->table_cache;
  b->subject_n = N_MAX;
  bench_compare (BENCH_CLOCK_THREAD_CPU, run_subject, run_table, b, bench_scaled (200000), bench_reps (15), &c);
  bench_row_ratio ("4e", "cache lookup hit at 100 000 entries vs a bare GHashTable "
                   "lookup at 100 000 entries (same names)", &c, "", 1.5);
  g_hash_table_unref (b->table);
}

int
main (int    argc,
      char **argv)
{
  PoshParseLimits limits;
  LookupBench b = { 0 };
  PoshDocument **documents;
  PoshCache *small;
  PoshCache *medium;
  PoshCache *large;
  gsize before;

  _posh_parse_limits_init (&limits);
  b.domains = g_new0 (char *, N_MAX + 1);
  documents = g_new0 (PoshDocument *, N_MAX);
  for (guint i = 0; i < N_MAX; i++)
    {
      char name[32];

      format_domain (name, i);
      b.domains[i] = g_strdup (name);
    }

  before = bench_heap_in_use ();
  large = _posh_cache_new ();
  for (guint i = 0; i < N_MAX; i++)
    {
      documents[i] = make_document (&limits, b.domains[i], i);
      store (large, b.domains[i], documents[i]);
    }
  report_memory (bench_heap_in_use () - before, N_MAX);
  g_assert_cmpuint (_posh_cache_get_size (large), ==, N_MAX);

  small = _posh_cache_new ();
  medium = _posh_cache_new ();
  for (guint i = 0; i < 10000; i++)
    {
      if (i < 1000)
        store (small, b.domains[i], documents[i]);
      store (medium, b.domains[i], documents[i]);
    }

  b.baseline = small;
  b.baseline_n = 1000;
  b.subject = medium;
  report_lookup (&b, 10000);
  b.subject = large;
  b.table_cache = large;
  report_lookup (&b, N_MAX);
  report_table (&b, documents);
  g_assert_cmpuint (b.misses, ==, 0);

  _posh_cache_free (small);
  _posh_cache_free (medium);
  _posh_cache_free (large);
  for (guint i = 0; i < N_MAX; i++)
    posh_document_unref (documents[i]);
  g_free (documents);
  g_strfreev (b.domains);
  return 0;
}
