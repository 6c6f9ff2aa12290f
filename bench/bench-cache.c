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

static void
lookup_batch (LookupBench *b,
              PoshCache   *cache,
              guint        size,
              guint        n)
{
  /* a stride coprime with every size walks the entries in scattered order */
  for (guint i = 0; i < n; i++)
    {
      PoshCacheKey key = { b->domains[(guint) (((guint64) i * 7919u + 13u) % size)],
                           SERVICE, FALSE };
      PoshDocument *document = NULL;

      if (!_posh_cache_lookup (cache, &key, NOW, &document, NULL) || document == NULL)
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
  g_autofree char *what = g_strdup_printf ("heap per cached document "
                                           "(mallinfo2 delta / %u)", n);

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
  bench_compare (run_subject, run_baseline, b, bench_scaled (200000), bench_reps (9), &c);
  what = g_strdup_printf ("cache lookup hit at %u entries vs at 1 000 entries", size);
  bench_row_ratio (size == 10000 ? "4c" : "4d", what, &c, "", 1.5);
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
    b.domains[i] = g_strdup_printf ("d%06u.example.com", i);

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
  report_lookup (&b, N_MAX);
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
