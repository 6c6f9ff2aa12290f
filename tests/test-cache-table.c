/* test-cache-table.c: the PoshCache table itself: open addressing with
 * back-shift deletion, inline and heap domains, interned services, the
 * probe cap against hash flooding, and a model-checked random workload.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The caching rules (R39-R43, E12, E22, E23) are test-cache.c's; this file
 * proves the data structure under them: that a stored key is found, an
 * absent one is not, whatever the hashes, the sizes and the removal order.
 */

#include "config.h"

#include <string.h>

#include "posh-cache-private.h"
#include "posh-private.h"

#include "files/fingerprints.h"
#include "posh-test-utils.h"

#define SERVICE "xmpp-client"
#define N_DOCUMENTS 4

typedef struct
{
  PoshDocument *documents[N_DOCUMENTS];
} Documents;

static void
documents_init (Documents *d)
{
  static const char *const fingerprints[N_DOCUMENTS] = {
    FP_HOSTING_EXAMPLE_NET_SHA256, FP_XMPP_OTHER_SHA256,
    FP_EXAMPLE_COM_SHA256, FP_CA_SHA256,
  };

  for (guint i = 0; i < N_DOCUMENTS; i++)
    {
      g_autofree char *json = posh_test_fingerprints_json (fingerprints[i], 60);

      d->documents[i] = posh_test_document_new (json);
    }
}

static void
documents_clear (Documents *d)
{
  for (guint i = 0; i < N_DOCUMENTS; i++)
    g_clear_pointer (&d->documents[i], posh_document_unref);
}

static void
store_until (PoshCache    *cache,
             const char   *domain,
             PoshDocument *document,
             gint64        expiry)
{
  PoshCacheKey key = { domain, SERVICE, FALSE };

  _posh_cache_store_document (cache, &key, document, expiry);
}

static void
store (PoshCache    *cache,
       const char   *domain,
       PoshDocument *document)
{
  store_until (cache, domain, document, 1000);
}

/* A store the way a verifier makes it: maintenance at now first. */
static void
store_at (PoshCache    *cache,
          gint64        now,
          const char   *domain,
          PoshDocument *document,
          gint64        expiry)
{
  _posh_cache_maintain (cache, now);
  store_until (cache, domain, document, expiry);
}

static void
forget (PoshCache  *cache,
        const char *domain)
{
  PoshCacheKey key = { domain, SERVICE, FALSE };

  _posh_cache_remove (cache, &key);
}

/* The document stored under domain, or NULL. */
static PoshDocument *
find (PoshCache  *cache,
      const char *domain)
{
  PoshCacheKey key = { domain, SERVICE, FALSE };
  PoshDocument *document = NULL;

  if (!_posh_cache_lookup (cache, &key, 0, &document, NULL))
    return NULL;
  g_assert_nonnull (document);
  return document;
}

static guint32
hash_constant (const char *domain,
               gsize       domain_len,
               guint       service,
               gboolean    legacy)
{
  return 0x5a5a5a5au;
}

/* 61 distinct hash values spread over the 32 bits: three names or so per
 * value among 200, so equal hashes of different keys are common, yet the
 * probe sequences stay short. */
static guint32
hash_coarse (const char *domain,
             gsize       domain_len,
             guint       service,
             gboolean    legacy)
{
  guint32 h = 0;

  for (gsize i = 0; i < domain_len; i++)
    h = h * 31u + (guchar) domain[i];
  h += service * 7u + (legacy ? 3u : 0u);
  return (h % 61u) * 2654435761u;
}

/* Every key hashing alike: the cache holds exactly POSH_CACHE_MAX_PROBE of
 * them and refuses the rest, so a lookup never probes further; entries
 * removed from the middle of the run are shifted back over, and every
 * remaining key is still found. */
static void
test_flood_probe_cap (void)
{
  PoshCache *cache = _posh_cache_new ();
  Documents d = { 0 };
  const guint n = POSH_CACHE_MAX_PROBE + 36;

  documents_init (&d);
  _posh_cache_set_hash_func (cache, hash_constant);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *domain = g_strdup_printf ("d%u.example", i);

      store (cache, domain, d.documents[i % N_DOCUMENTS]);
    }
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, POSH_CACHE_MAX_PROBE);
  g_assert_cmpuint (_posh_cache_get_longest_probe (cache), ==, POSH_CACHE_MAX_PROBE);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *domain = g_strdup_printf ("d%u.example", i);

      if (i < POSH_CACHE_MAX_PROBE)
        g_assert_true (find (cache, domain) == d.documents[i % N_DOCUMENTS]);
      else
        g_assert_null (find (cache, domain));
    }

  /* remove every third stored key: the rest are shifted back */
  for (guint i = 0; i < POSH_CACHE_MAX_PROBE; i += 3)
    {
      g_autofree char *domain = g_strdup_printf ("d%u.example", i);

      forget (cache, domain);
    }
  for (guint i = 0; i < POSH_CACHE_MAX_PROBE; i++)
    {
      g_autofree char *domain = g_strdup_printf ("d%u.example", i);

      if (i % 3 == 0)
        g_assert_null (find (cache, domain));
      else
        g_assert_true (find (cache, domain) == d.documents[i % N_DOCUMENTS]);
    }
  g_assert_cmpuint (_posh_cache_get_longest_probe (cache), <=,
                    POSH_CACHE_MAX_PROBE - (POSH_CACHE_MAX_PROBE + 2) / 3);

  /* room again: a refused key can now be stored */
  store (cache, "late.example", d.documents[0]);
  g_assert_true (find (cache, "late.example") == d.documents[0]);

  _posh_cache_free (cache);
  documents_clear (&d);
}

/* Appends to names the 2^bits strings made of bits blocks, each "Ay" or
 * "BX", then suffix: g_str_hash (djb2, h * 33 + c) gives them all one
 * value, as 'A' * 33 + 'y' == 'B' * 33 + 'X'. */
static void
djb2_colliding_names (GPtrArray  *names,
                      guint       bits,
                      const char *suffix)
{
  for (guint v = 0; v < (1u << bits); v++)
    {
      GString *s = g_string_new (NULL);

      for (guint b = 0; b < bits; b++)
        g_string_append (s, (v >> b) & 1 ? "BX" : "Ay");
      g_string_append (s, suffix);
      g_ptr_array_add (names, g_string_free (s, FALSE));
    }
}

/* Names a peer chose to collide under g_str_hash (unseeded, the hash of a
 * GHashTable of strings) spread under the cache's seeded hash: all 4 096
 * are cached and the probe sequences stay short. */
static void
test_flood_djb2_names (void)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  PoshCache *cache = _posh_cache_new ();
  Documents d = { 0 };

  documents_init (&d);
  djb2_colliding_names (names, 12, ".example");
  for (guint i = 1; i < names->len; i++)
    g_assert_cmpuint (g_str_hash (names->pdata[i]), ==, g_str_hash (names->pdata[0]));

  for (guint i = 0; i < names->len; i++)
    store (cache, names->pdata[i], d.documents[i % N_DOCUMENTS]);
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, names->len);
  for (guint i = 0; i < names->len; i++)
    g_assert_true (find (cache, names->pdata[i]) == d.documents[i % N_DOCUMENTS]);
  /* a random hash in a table at most half full: a lookup probes 1.5 slots
   * on average (1.43-1.57 over 300 runs with 4 096 keys); names the hash
   * let collide would average tens. The longest probe of one key varies
   * far more from seed to seed (12-34 slots in those runs), so only the cap
   * bounds it. */
  g_assert_cmpfloat (_posh_cache_get_mean_probe (cache), <=, 2.0);
  g_assert_cmpuint (_posh_cache_get_longest_probe (cache), <, POSH_CACHE_MAX_PROBE);

  _posh_cache_free (cache);
  documents_clear (&d);
}

/* Domains at and around the inline size, and long ones on the heap, that
 * differ only in their last byte or only in their length. */
static void
test_long_domains (void)
{
  PoshCache *cache = _posh_cache_new ();
  Documents d = { 0 };
  static const gsize lengths[] = { 1, 35, 36, 37, 63, 64, 200, 253 };
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  documents_init (&d);
  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      char *a = g_strnfill (lengths[i], 'a');
      char *b = g_strdup (a);

      b[lengths[i] - 1] = 'b';
      g_ptr_array_add (names, a);
      g_ptr_array_add (names, b);
    }
  for (guint i = 0; i < names->len; i++)
    store (cache, names->pdata[i], d.documents[i % N_DOCUMENTS]);
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, names->len);
  for (guint i = 0; i < names->len; i++)
    g_assert_true (find (cache, names->pdata[i]) == d.documents[i % N_DOCUMENTS]);
  /* a prefix of a stored name, and a stored name extended, are other keys */
  g_assert_null (find (cache, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "a" "aa"));
  g_assert_null (find (cache, "aa"));

  /* replacing and removing a heap-held name frees what it held (valgrind
   * and LeakSanitizer check) */
  store (cache, names->pdata[names->len - 1], d.documents[0]);
  g_assert_true (find (cache, names->pdata[names->len - 1]) == d.documents[0]);
  forget (cache, names->pdata[names->len - 2]);
  g_assert_null (find (cache, names->pdata[names->len - 2]));

  _posh_cache_free (cache);
  documents_clear (&d);
}

/* E23: the service is part of the key, as a number the cache gives each
 * name it sees; beyond POSH_CACHE_MAX_SERVICES names nothing more is
 * cached under a new one, and the entries already there are untouched. */
static void
test_services (void)
{
  PoshCache *cache = _posh_cache_new ();
  Documents d = { 0 };
  const guint n = POSH_CACHE_MAX_SERVICES + 5;

  documents_init (&d);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *service = g_strdup_printf ("service-%u", i);
      PoshCacheKey key = { "example.com", service, FALSE };

      _posh_cache_store_document (cache, &key, d.documents[i % N_DOCUMENTS], 1000);
    }
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, POSH_CACHE_MAX_SERVICES);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *service = g_strdup_printf ("service-%u", i);
      PoshCacheKey key = { "example.com", service, FALSE };
      PoshCacheKey legacy = { "example.com", service, TRUE };
      PoshDocument *found = NULL;
      gboolean hit = _posh_cache_lookup (cache, &key, 0, &found, NULL);

      g_assert_cmpint (hit, ==, i < POSH_CACHE_MAX_SERVICES);
      if (hit)
        g_assert_true (found == d.documents[i % N_DOCUMENTS]);
      /* E22: the path mode too */
      g_assert_false (_posh_cache_lookup (cache, &legacy, 0, NULL, NULL));
    }

  _posh_cache_free (cache);
  documents_clear (&d);
}

/* A random workload of stores (documents and errors), replacements,
 * removals, lookups at an advancing clock, expiry sweeps and lowered
 * bounds, checked after every step against a plain model; with the seeded
 * hash and with a coarse one where equal hashes of different keys abound. */
typedef struct
{
  gint64 expiry;
  int    document;   /* index into Documents, or -1 for a stored error */
  guint  stamp;      /* store order, for the oldest-first eviction */
} ModelEntry;

static void
model_evict_oldest (GHashTable *model)
{
  GHashTableIter iter;
  gpointer key, value;
  gpointer oldest = NULL;
  guint stamp = G_MAXUINT;

  g_hash_table_iter_init (&iter, model);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((ModelEntry *) value)->stamp < stamp)
      {
        stamp = ((ModelEntry *) value)->stamp;
        oldest = key;
      }
  g_hash_table_remove (model, oldest);
}

static void
model_check (PoshCache  *cache,
             GHashTable *model,
             Documents  *d,
             char      **names,
             guint       n_names,
             gint64      now)
{
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, g_hash_table_size (model));
  for (guint i = 0; i < n_names; i++)
    {
      ModelEntry *m = g_hash_table_lookup (model, names[i]);
      PoshCacheKey key = { names[i], SERVICE, FALSE };
      PoshDocument *found = NULL;
      const GError *error = NULL;

      /* lookups at now would drop expired entries: the model does too */
      if (m != NULL && now >= m->expiry)
        {
          g_hash_table_remove (model, names[i]);
          m = NULL;
        }
      if (m == NULL)
        {
          g_assert_false (_posh_cache_lookup (cache, &key, now, &found, &error));
          continue;
        }
      g_assert_true (_posh_cache_lookup (cache, &key, now, &found, &error));
      if (m->document < 0)
        {
          g_assert_null (found);
          g_assert_error (error, POSH_ERROR, POSH_ERROR_NO_POSH_DATA);
        }
      else
        {
          g_assert_true (found == d->documents[m->document]);
          g_assert_null (error);
        }
    }
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, g_hash_table_size (model));
  g_assert_cmpuint (_posh_cache_get_longest_probe (cache), <, POSH_CACHE_MAX_PROBE);
}

static void
test_model (gconstpointer data)
{
  PoshCacheHashFunc hash_func = GPOINTER_TO_INT (data) ? hash_coarse : NULL;
  g_autoptr(GHashTable) model = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GError) stored_error = g_error_new_literal (POSH_ERROR, POSH_ERROR_NO_POSH_DATA, "404");
  GRand *rand = g_rand_new_with_seed (20261128);
  PoshCache *cache = _posh_cache_new ();
  const guint n_names = 200;
  char **names = g_new0 (char *, n_names + 1);
  Documents d = { 0 };
  guint max_entries = G_MAXUINT;
  guint stamp = 0;
  gint64 now = 0;

  documents_init (&d);
  _posh_cache_set_hash_func (cache, hash_func);
  for (guint i = 0; i < n_names; i++)
    names[i] = g_strdup_printf ("peer%u.example", i);

  for (guint step = 0; step < 4000; step++)
    {
      const char *name = names[g_rand_int_range (rand, 0, n_names)];
      PoshCacheKey key = { name, SERVICE, FALSE };
      int op = g_rand_int_range (rand, 0, 100);

      if (op < 55)
        {
          ModelEntry *m = g_new0 (ModelEntry, 1);

          m->expiry = now + g_rand_int_range (rand, 1, 400);
          m->document = g_rand_int_range (rand, -1, N_DOCUMENTS);
          m->stamp = stamp++;
          if (m->document < 0)
            _posh_cache_store_error (cache, &key, stored_error, m->expiry);
          else
            _posh_cache_store_document (cache, &key, d.documents[m->document], m->expiry);
          g_hash_table_replace (model, (gpointer) name, m);
          while (g_hash_table_size (model) > max_entries)
            model_evict_oldest (model);
        }
      else if (op < 75)
        {
          _posh_cache_remove (cache, &key);
          g_hash_table_remove (model, name);
        }
      else if (op < 95)
        now += g_rand_int_range (rand, 0, 20);
      else if (op < 96)
        _posh_cache_compact (cache);     /* changes nothing the model sees */
      else if (op < 98)
        {
          GHashTableIter iter;
          gpointer value;
          guint expired = 0;

          g_hash_table_iter_init (&iter, model);
          while (g_hash_table_iter_next (&iter, NULL, &value))
            if (now >= ((ModelEntry *) value)->expiry)
              {
                g_hash_table_iter_remove (&iter);
                expired++;
              }
          g_assert_cmpuint (_posh_cache_expire (cache, now), ==, expired);
        }
      else
        {
          /* a lowered bound evicts the oldest at once; then lift it */
          max_entries = max_entries == G_MAXUINT ? (guint) g_rand_int_range (rand, 1, 60) : G_MAXUINT;
          _posh_cache_set_max_entries (cache, max_entries);
          while (g_hash_table_size (model) > max_entries)
            model_evict_oldest (model);
        }

      if (step % 50 == 0)
        model_check (cache, model, &d, names, n_names, now);
    }
  model_check (cache, model, &d, names, n_names, now);

  _posh_cache_clear (cache);
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, 0);
  g_assert_null (find (cache, names[0]));
  _posh_cache_free (cache);
  g_strfreev (names);
  g_rand_free (rand);
  documents_clear (&d);
}

/* Growing from empty to 20 000 entries and back down: every key found at
 * every size, the slots rebuilt without losing one. */
static void
test_grow (void)
{
  PoshCache *cache = _posh_cache_new ();
  Documents d = { 0 };
  const guint n = 20000;

  documents_init (&d);
  for (guint i = 0; i < n; i++)
    {
      char domain[32];

      g_snprintf (domain, sizeof domain, "g%u.example", i);
      store (cache, domain, d.documents[i % N_DOCUMENTS]);
      if ((i & (i + 1)) == 0)   /* just before each doubling */
        for (guint j = 0; j <= i; j++)
          {
            g_snprintf (domain, sizeof domain, "g%u.example", j);
            g_assert_true (find (cache, domain) == d.documents[j % N_DOCUMENTS]);
          }
    }
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, n);
  g_assert_cmpuint (_posh_cache_get_longest_probe (cache), <, POSH_CACHE_MAX_PROBE);
  for (guint i = 0; i < n; i += 2)
    {
      char domain[32];

      g_snprintf (domain, sizeof domain, "g%u.example", i);
      forget (cache, domain);
    }
  for (guint i = 0; i < n; i++)
    {
      char domain[32];

      g_snprintf (domain, sizeof domain, "g%u.example", i);
      if (i % 2 == 0)
        g_assert_null (find (cache, domain));
      else
        g_assert_true (find (cache, domain) == d.documents[i % N_DOCUMENTS]);
    }
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, n / 2);

  _posh_cache_free (cache);
  documents_clear (&d);
}

/* A sweep once the cache has doubled drops what expired, and compacts the
 * arrays it left three-quarters empty, keeping the eviction order. */
static void
test_maintain (void)
{
  PoshCache *cache = _posh_cache_new ();
  Documents d = { 0 };
  guint n_slots, n_entries;
  guint live = 0;

  documents_init (&d);
  /* 7 000 entries expiring at 10, stored at 0 the way a verifier does:
   * maintain first (sweeps at 1 024, 2 048, 4 096 find nothing expired) */
  for (guint i = 0; i < 7000; i++)
    {
      char domain[32];

      g_snprintf (domain, sizeof domain, "old%u.example", i);
      store_at (cache, 0, domain, d.documents[i % N_DOCUMENTS], 10);
    }
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, 7000);
  _posh_cache_get_capacity (cache, &n_slots, &n_entries);
  g_assert_cmpuint (n_slots, ==, 16384);
  g_assert_cmpuint (n_entries, ==, 8192);

  /* at 20, new entries until the cache reaches 8 192 (1 192 of them); the
   * sweep before the next store drops the 7 000 and compacts the arrays to
   * the 1 192 left (new<k> holds document k + 1) */
  for (;;)
    {
      char domain[32];
      gboolean full = _posh_cache_get_size (cache) == 8192;

      g_snprintf (domain, sizeof domain, "new%u.example", live);
      store_at (cache, 20, domain, d.documents[(live + 1) % N_DOCUMENTS], 1000);
      live++;
      if (full)
        break;
      g_assert_cmpuint (_posh_cache_get_size (cache), <=, 8192);
    }
  g_assert_cmpuint (live, ==, 1193);
  g_assert_cmpuint (_posh_cache_get_size (cache), ==, 1193);
  _posh_cache_get_capacity (cache, &n_slots, &n_entries);
  g_assert_cmpuint (n_entries, ==, 2048);
  g_assert_cmpuint (n_slots, ==, 4096);

  for (guint i = 0; i < 7000; i += 7)
    {
      char domain[32];

      g_snprintf (domain, sizeof domain, "old%u.example", i);
      g_assert_null (find (cache, domain));
    }
  for (guint i = 0; i < live; i++)
    {
      char domain[32];

      g_snprintf (domain, sizeof domain, "new%u.example", i);
      g_assert_true (find (cache, domain) == d.documents[(i + 1) % N_DOCUMENTS]);
    }

  /* the eviction order survived the compaction: the oldest go first */
  _posh_cache_set_max_entries (cache, 3);
  g_assert_null (find (cache, "new1189.example"));
  g_assert_nonnull (find (cache, "new1190.example"));
  g_assert_nonnull (find (cache, "new1191.example"));
  g_assert_nonnull (find (cache, "new1192.example"));

  /* compacting an emptied cache frees its arrays */
  _posh_cache_set_max_entries (cache, 1);
  forget (cache, "new1192.example");
  _posh_cache_compact (cache);
  _posh_cache_get_capacity (cache, &n_slots, &n_entries);
  g_assert_cmpuint (n_slots, ==, 0);
  g_assert_cmpuint (n_entries, ==, 0);

  _posh_cache_free (cache);
  documents_clear (&d);
}

int
main (int    argc,
      char **argv)
{
  posh_test_init (&argc, &argv);

  g_test_add_func ("/cache-table/flood/probe-cap", test_flood_probe_cap);
  g_test_add_func ("/cache-table/flood/djb2-colliding-names", test_flood_djb2_names);
  g_test_add_func ("/cache-table/long-domains", test_long_domains);
  g_test_add_func ("/cache-table/E23/E22/services", test_services);
  g_test_add_data_func ("/cache-table/model/seeded-hash", GINT_TO_POINTER (0), test_model);
  g_test_add_data_func ("/cache-table/model/coarse-hash", GINT_TO_POINTER (1), test_model);
  g_test_add_func ("/cache-table/grow", test_grow);
  g_test_add_func ("/cache-table/R39/maintain-sweep-compact", test_maintain);

  return g_test_run ();
}
