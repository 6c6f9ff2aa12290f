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
 *     caches timed interleaved;
 *   - the floor under that ratio on this machine: one read of a 64-byte
 *     record at a known index among 100 000 vs 1 000 (what a table that
 *     touches a single cache line per lookup would pay);
 *   - the call a caller makes: posh_verify_crt () hitting the cache of a
 *     posh_state_t that holds 100 000 domains vs 1 000, each domain with
 *     its own document (no target: the document's lines add to the
 *     table's);
 *   - hash flooding: filling and reading the cache with 4 096 names that
 *     g_str_hash () maps to one value vs 4 096 ordinary names (target
 *     <= 1.5), and a bare GHashTable of strings given the same names.
 */

#include "config.h"

#include "bench-common.h"
#include "posh-cache-private.h"
#include "posh-verifier-private.h"

#include <posh-gnutls/posh.h>

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
report_lookup (LookupBench     *b,
               guint            size,
               BenchComparison *out)
{
  g_autofree char *what = NULL;
  BenchComparison c;

  b->subject_n = size;
  bench_compare (BENCH_CLOCK_THREAD_CPU, run_subject, run_baseline, b, bench_scaled (200000), bench_reps (15), &c);
  what = g_strdup_printf ("cache lookup hit at %s entries vs at 1 000 entries",
                          size == 10000 ? "10 000" : "100 000");
  bench_row_ratio (size == 10000 ? "4c" : "4d", what, &c, "", 1.5);
  *out = c;
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

/* ---- the floor: one cache line per lookup ----------------------------- */

typedef struct
{
  char     name[32];
  gpointer value;
  char     pad[24];
} FloorRecord;

G_STATIC_ASSERT (sizeof (FloorRecord) == 64);

typedef struct
{
  FloorRecord *records;   /* N_MAX, 64-byte aligned */
  guint        misses;
} FloorBench;

/* A perfect table: the index of each name is known, so a lookup reads
 * exactly one 64-byte record and compares the name in it. */
static inline void
floor_batch (FloorBench *b,
             guint       size,
             guint       n)
{
  char domain[32];

  for (guint i = 0; i < n; i++)
    {
      guint k = scattered (i, size);
      const FloorRecord *r = &b->records[k];

      format_domain (domain, k);
      /* format_domain writes 20 bytes: "d" 6 digits ".example.com" NUL */
      if (memcmp (r->name, domain, 20) != 0 || r->value == NULL)
        b->misses++;
    }
}

static void
run_floor_large (gpointer data,
                 guint    n)
{
  floor_batch (data, N_MAX, n);
}

static void
run_floor_small (gpointer data,
                 guint    n)
{
  floor_batch (data, 1000, n);
}

/* What 100 000 entries add to a lookup over 1 000 entries, for the cache
 * (4d, in lookup) and for the floor, as the ratio of the two additions. */
static void
report_floor (char                  **domains,
              const BenchComparison  *lookup)
{
  FloorBench b = { 0 };
  BenchComparison c;
  double cache_added = lookup->subject_ns - lookup->baseline_ns;
  double floor_added;
  g_autofree char *s = NULL;
  g_autofree char *base = NULL;
  g_autofree char *result = NULL;

  b.records = g_aligned_alloc0 (N_MAX, sizeof (FloorRecord), 64);
  for (guint i = 0; i < N_MAX; i++)
    {
      g_strlcpy (b.records[i].name, domains[i], sizeof b.records[i].name);
      b.records[i].value = &b;
    }
  bench_compare (BENCH_CLOCK_THREAD_CPU, run_floor_large, run_floor_small, &b,
                 bench_scaled (200000), bench_reps (15), &c);
  g_assert_cmpuint (b.misses, ==, 0);
  floor_added = c.subject_ns - c.baseline_ns;
  s = g_strdup_printf ("+%.0f ns CPU (%.0f → %.0f)", cache_added,
                       lookup->baseline_ns, lookup->subject_ns);
  base = g_strdup_printf ("+%.0f ns CPU (%.0f → %.0f, ×%.2f)", floor_added,
                          c.baseline_ns, c.subject_ns, c.ratio);
  result = g_strdup_printf ("×%.2f", floor_added > 0 ? cache_added / floor_added : 0.0);
  bench_row_info ("4f", "what 100 000 entries add to a lookup over 1 000: the cache (4d) vs "
                  "the floor on this machine, one 64-byte record read at a known index "
                  "(a table that touches a single cache line per lookup)",
                  s, base, result);
  g_aligned_free (b.records);
}

/* ---- what a caller sees: posh_verify_crt at scale ---------------------- */

typedef struct
{
  posh_state_t   large;
  posh_state_t   small;
  gnutls_datum_t der;
  guint          failures;
} ScaleBench;

/* A state whose cache holds size domains, each with its own document
 * listing the certificate's fingerprint, as if each had been fetched. */
static posh_state_t
state_with_domains (const PoshParseLimits *limits,
                    char                 **domains,
                    guint                  size,
                    const char            *json)
{
  posh_state_t state = NULL;
  PoshVerifier *verifier;
  gint64 expiry;

  g_assert_cmpint (posh_state_init (&state, 0), ==, POSH_E_SUCCESS);
  verifier = (PoshVerifier *) state;
  expiry = _posh_verifier_cache_now (verifier) + 86400;
  for (guint i = 0; i < size; i++)
    {
      g_autoptr(GError) error = NULL;
      PoshDocument *document = _posh_document_parse (json, strlen (json), limits, &error);
      PoshCacheKey key = { domains[i], SERVICE, FALSE };

      g_assert_no_error (error);
      g_mutex_lock (&verifier->lock);
      _posh_cache_store_document (verifier->cache, &key, document, expiry);
      g_mutex_unlock (&verifier->lock);
      posh_document_unref (document);
    }
  return state;
}

static inline void
verify_batch (ScaleBench  *b,
              posh_state_t state,
              guint        size,
              guint        n)
{
  char domain[32];

  for (guint i = 0; i < n; i++)
    {
      unsigned int verify = ~0u;

      format_domain (domain, scattered (i, size));
      if (posh_verify_crt (state, &b->der, 1, GNUTLS_CRT_X509, domain, SERVICE,
                           0, 0, &verify) != POSH_E_SUCCESS || verify != 0)
        b->failures++;
    }
}

static void
run_verify_large (gpointer data,
                  guint    n)
{
  ScaleBench *b = data;

  verify_batch (b, b->large, N_MAX, n);
}

static void
run_verify_small (gpointer data,
                  guint    n)
{
  ScaleBench *b = data;

  verify_batch (b, b->small, 1000, n);
}

static void
report_verify_at_scale (const PoshParseLimits *limits,
                        char                 **domains)
{
  g_autofree char *json = bench_load_text ("hosting.json", NULL);
  ScaleBench b = { 0 };
  BenchComparison c;

  bench_load_der ("hosting.example.net.pem", &b.der);
  b.large = state_with_domains (limits, domains, N_MAX, json);
  b.small = state_with_domains (limits, domains, 1000, json);
  bench_compare (BENCH_CLOCK_THREAD_CPU, run_verify_large, run_verify_small, &b,
                 bench_scaled (100000), bench_reps (15), &c);
  g_assert_cmpuint (b.failures, ==, 0);
  bench_row_ratio_info ("4g", "posh_verify_crt cache hit among 100 000 cached domains vs "
                        "among 1 000 (scattered, each domain its own document: what a "
                        "caller sees)", &c, "/call");
  posh_state_deinit (b.large);
  posh_state_deinit (b.small);
  gnutls_free (b.der.data);
}

/* ---- hash flooding ----------------------------------------------------- */

#define FLOOD_BITS 12

typedef struct
{
  GPtrArray    *colliding;  /* names with one g_str_hash value */
  GPtrArray    *ordinary;   /* as many names of the same length */
  PoshDocument *document;
  guint         misses;
} FloodBench;

/* 2^bits names of bits blocks "Ay" or "BX" and a suffix: g_str_hash (djb2,
 * h * 33 + c) maps them all to one value, as 'A' * 33 + 'y' == 'B' * 33 + 'X'. */
static void
add_colliding_names (GPtrArray *names)
{
  for (guint v = 0; v < (1u << FLOOD_BITS); v++)
    {
      GString *s = g_string_new (NULL);

      for (guint k = 0; k < FLOOD_BITS; k++)
        g_string_append (s, (v >> k) & 1 ? "BX" : "Ay");
      g_string_append (s, ".example");
      g_ptr_array_add (names, g_string_free (s, FALSE));
    }
}

static void
flood_cache (FloodBench *b,
             GPtrArray  *names,
             guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      PoshCache *cache = _posh_cache_new ();

      for (guint k = 0; k < names->len; k++)
        store (cache, names->pdata[k], b->document);
      for (guint k = 0; k < names->len; k++)
        {
          PoshCacheKey key = { names->pdata[k], SERVICE, FALSE };

          if (!_posh_cache_lookup (cache, &key, NOW, NULL, NULL))
            b->misses++;
        }
      _posh_cache_free (cache);
    }
}

static void
flood_table (FloodBench *b,
             GPtrArray  *names,
             guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint k = 0; k < names->len; k++)
        g_hash_table_insert (table, names->pdata[k], b->document);
      for (guint k = 0; k < names->len; k++)
        if (g_hash_table_lookup (table, names->pdata[k]) == NULL)
          b->misses++;
      g_hash_table_unref (table);
    }
}

static void
run_flood_cache (gpointer data,
                 guint    n)
{
  FloodBench *b = data;

  flood_cache (b, b->colliding, n);
}

static void
run_ordinary_cache (gpointer data,
                    guint    n)
{
  FloodBench *b = data;

  flood_cache (b, b->ordinary, n);
}

static void
run_flood_table (gpointer data,
                 guint    n)
{
  FloodBench *b = data;

  flood_table (b, b->colliding, n);
}

static void
run_ordinary_table (gpointer data,
                    guint    n)
{
  FloodBench *b = data;

  flood_table (b, b->ordinary, n);
}

static void
report_flood (PoshDocument *document)
{
  FloodBench b = { 0 };
  BenchComparison c;

  b.document = document;
  b.colliding = g_ptr_array_new_with_free_func (g_free);
  b.ordinary = g_ptr_array_new_with_free_func (g_free);
  add_colliding_names (b.colliding);
  for (guint i = 0; i < b.colliding->len; i++)
    {
      g_assert_cmpuint (g_str_hash (b.colliding->pdata[i]), ==, g_str_hash (b.colliding->pdata[0]));
      g_ptr_array_add (b.ordinary, g_strdup_printf ("%024x.example", i * 2654435761u));
      g_assert_cmpuint (strlen (b.ordinary->pdata[i]), ==, strlen (b.colliding->pdata[i]));
    }

  bench_compare (BENCH_CLOCK_THREAD_CPU, run_flood_cache, run_ordinary_cache, &b,
                 bench_scaled (20), bench_reps (9), &c);
  bench_row_ratio ("4h", "PoshCache: store and look up 4 096 names that g_str_hash maps "
                   "to one value vs 4 096 ordinary names (hash flooding)", &c, "/fill", 1.5);

  bench_compare (BENCH_CLOCK_THREAD_CPU, run_flood_table, run_ordinary_table, &b,
                 1, bench_reps (5), &c);
  bench_row_ratio_info ("4i", "the same in a bare GHashTable of strings (g_str_hash): "
                        "what a table with an unseeded hash lets a peer do", &c, "/fill");
  g_assert_cmpuint (b.misses, ==, 0);
  g_ptr_array_unref (b.colliding);
  g_ptr_array_unref (b.ordinary);
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
  BenchComparison lookup;
  gsize before;

  bench_init (&argc, &argv);
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
  report_lookup (&b, 10000, &lookup);
  b.subject = large;
  b.table_cache = large;
  report_lookup (&b, N_MAX, &lookup);
  report_table (&b, documents);
  g_assert_cmpuint (b.misses, ==, 0);
  report_floor (b.domains, &lookup);
  report_verify_at_scale (&limits, b.domains);
  report_flood (documents[0]);

  _posh_cache_free (small);
  _posh_cache_free (medium);
  _posh_cache_free (large);
  for (guint i = 0; i < N_MAX; i++)
    posh_document_unref (documents[i]);
  g_free (documents);
  g_strfreev (b.domains);
  return 0;
}
