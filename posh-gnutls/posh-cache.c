/* posh-cache.c: the expiry-bounded document cache and the in-flight table
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One hash table maps a (domain, service, path mode) key to an entry that
 * holds either a document or, for negative caching (spec E22), an error,
 * together with its expiry on the owner's cache clock. An entry is one
 * allocation: the key strings live inside it, and the entry's key is what
 * the table hashes, so a lookup with a key built on the stack allocates
 * nothing. The table is bounded: beyond POSH_CACHE_MAX_ENTRIES the oldest
 * stored entry is evicted first (a FIFO kept in a GQueue of embedded links).
 * The entry of the last hit is remembered: a client that verifies one peer
 * over and over finds it with a key comparison, without hashing the key.
 *
 * A second table maps keys to the fetches in flight, so concurrent requests
 * for one key share one HTTP fetch (DESIGN.md, "How a verification flows").
 */

#include "config.h"

#include <string.h>

#include "posh-cache-private.h"

/* Far above any real working set (one entry per peer domain and service),
 * and above the 100 000 entries the benchmarks use; bounds memory against a
 * peer that makes us look up endless domains. */
#define POSH_CACHE_MAX_ENTRIES (1 << 18)

typedef struct
{
  PoshCacheKey  key;        /* first: a PoshCacheKey * finds the entry */
  GList         link;       /* in PoshCache.order, data = the entry */
  gint64        expiry;
  PoshDocument *document;   /* (owned) (nullable) */
  GError       *error;      /* (owned) (nullable) */
  /* followed by the key strings: domain NUL service NUL */
} PoshCacheEntry;

typedef struct
{
  PoshCacheKey key;
  gpointer     inflight;    /* (not owned) */
  /* followed by the key strings */
} PoshInflightEntry;

G_STATIC_ASSERT (G_STRUCT_OFFSET (PoshCacheEntry, key) == 0);
G_STATIC_ASSERT (G_STRUCT_OFFSET (PoshInflightEntry, key) == 0);

struct _PoshCache
{
  GHashTable *entries;      /* (owned) PoshCacheKey * -> PoshCacheEntry * */
  GQueue      order;        /* links embedded in the entries, oldest first */
  PoshCacheEntry *last_hit; /* (not owned) (nullable) an entry of entries */
  GHashTable *inflight;     /* (owned) PoshCacheKey * -> PoshInflightEntry * */
  guint       max_entries;
};

static guint
cache_key_hash (gconstpointer data)
{
  const PoshCacheKey *key = data;

  return (g_str_hash (key->domain) * 33u + g_str_hash (key->service)) * 2u
         + (key->legacy ? 1u : 0u);
}

static gboolean
cache_key_equal (gconstpointer a,
                 gconstpointer b)
{
  const PoshCacheKey *ka = a;
  const PoshCacheKey *kb = b;

  return !ka->legacy == !kb->legacy
         && strcmp (ka->domain, kb->domain) == 0
         && strcmp (ka->service, kb->service) == 0;
}

/* Allocates a struct of struct_size bytes that starts with a PoshCacheKey,
 * followed by the key strings, and fills in that key. */
static gpointer
alloc_with_key (gsize               struct_size,
                const PoshCacheKey *key)
{
  gsize domain_len = strlen (key->domain);
  gsize service_len = strlen (key->service);
  char *mem = g_malloc0 (struct_size + domain_len + service_len + 2);
  char *strings = mem + struct_size;
  PoshCacheKey *key_out = (PoshCacheKey *) (gpointer) mem;

  memcpy (strings, key->domain, domain_len + 1);
  memcpy (strings + domain_len + 1, key->service, service_len + 1);
  key_out->domain = strings;
  key_out->service = strings + domain_len + 1;
  key_out->legacy = !!key->legacy;
  return mem;
}

static void
cache_entry_free (gpointer data)
{
  PoshCacheEntry *entry = data;

  g_clear_pointer (&entry->document, posh_document_unref);
  g_clear_error (&entry->error);
  g_free (entry);
}

PoshCache *
_posh_cache_new (void)
{
  PoshCache *cache = g_new0 (PoshCache, 1);

  cache->entries = g_hash_table_new_full (cache_key_hash, cache_key_equal,
                                          NULL, cache_entry_free);
  g_queue_init (&cache->order);
  cache->inflight = g_hash_table_new_full (cache_key_hash, cache_key_equal,
                                           NULL, g_free);
  cache->max_entries = POSH_CACHE_MAX_ENTRIES;
  return cache;
}

void
_posh_cache_free (PoshCache *cache)
{
  if (cache == NULL)
    return;

  _posh_cache_clear (cache);
  g_hash_table_unref (cache->entries);
  g_hash_table_unref (cache->inflight);
  g_free (cache);
}

static void
cache_remove_entry (PoshCache      *cache,
                    PoshCacheEntry *entry)
{
  if (cache->last_hit == entry)
    cache->last_hit = NULL;
  g_queue_unlink (&cache->order, &entry->link);
  /* frees the entry, and with it the key the table holds */
  g_hash_table_remove (cache->entries, &entry->key);
}

static PoshCacheEntry *
cache_find (PoshCache          *cache,
            const PoshCacheKey *key)
{
  PoshCacheEntry *entry = cache->last_hit;

  if (entry != NULL && cache_key_equal (&entry->key, key))
    return entry;
  entry = g_hash_table_lookup (cache->entries, key);
  if (entry != NULL)
    cache->last_hit = entry;
  return entry;
}

gboolean
_posh_cache_lookup (PoshCache           *cache,
                    const PoshCacheKey  *key,
                    gint64               now,
                    PoshDocument       **document,
                    const GError       **error)
{
  PoshCacheEntry *entry = cache_find (cache, key);

  if (entry == NULL)
    return FALSE;

  if (now >= entry->expiry)
    {
      cache_remove_entry (cache, entry);
      return FALSE;
    }

  if (document != NULL)
    *document = entry->document;
  if (error != NULL)
    *error = entry->error;
  return TRUE;
}

static PoshCacheEntry *
cache_new_entry (PoshCache          *cache,
                 const PoshCacheKey *key,
                 gint64              expiry)
{
  PoshCacheEntry *entry;
  PoshCacheEntry *old = g_hash_table_lookup (cache->entries, key);

  if (old != NULL)
    cache_remove_entry (cache, old);

  while (g_hash_table_size (cache->entries) >= cache->max_entries)
    cache_remove_entry (cache, g_queue_peek_head (&cache->order));

  entry = alloc_with_key (sizeof (PoshCacheEntry), key);
  entry->expiry = expiry;
  entry->link.data = entry;
  g_queue_push_tail_link (&cache->order, &entry->link);
  g_hash_table_insert (cache->entries, &entry->key, entry);
  return entry;
}

void
_posh_cache_store_document (PoshCache          *cache,
                            const PoshCacheKey *key,
                            PoshDocument       *document,
                            gint64              expiry)
{
  PoshCacheEntry *entry;

  g_return_if_fail (document != NULL);

  entry = cache_new_entry (cache, key, expiry);
  entry->document = posh_document_ref (document);
}

void
_posh_cache_store_error (PoshCache          *cache,
                         const PoshCacheKey *key,
                         const GError       *error,
                         gint64              expiry)
{
  PoshCacheEntry *entry;

  g_return_if_fail (error != NULL);

  entry = cache_new_entry (cache, key, expiry);
  entry->error = g_error_copy (error);
}

void
_posh_cache_remove (PoshCache          *cache,
                    const PoshCacheKey *key)
{
  PoshCacheEntry *entry = g_hash_table_lookup (cache->entries, key);

  if (entry != NULL)
    cache_remove_entry (cache, entry);
}

void
_posh_cache_clear (PoshCache *cache)
{
  cache->last_hit = NULL;
  g_queue_init (&cache->order);
  g_hash_table_remove_all (cache->entries);
}

guint
_posh_cache_expire (PoshCache *cache,
                    gint64     now)
{
  GList *l = cache->order.head;
  guint n = 0;

  while (l != NULL)
    {
      PoshCacheEntry *entry = l->data;

      l = l->next;
      if (now >= entry->expiry)
        {
          cache_remove_entry (cache, entry);
          n++;
        }
    }
  return n;
}

void
_posh_cache_set_max_entries (PoshCache *cache,
                             guint      max_entries)
{
  g_return_if_fail (max_entries > 0);

  cache->max_entries = max_entries;
  while (g_hash_table_size (cache->entries) > max_entries)
    cache_remove_entry (cache, g_queue_peek_head (&cache->order));
}

guint
_posh_cache_get_size (PoshCache *cache)
{
  return g_hash_table_size (cache->entries);
}

gpointer
_posh_cache_lookup_inflight (PoshCache          *cache,
                             const PoshCacheKey *key)
{
  PoshInflightEntry *entry = g_hash_table_lookup (cache->inflight, key);

  return entry != NULL ? entry->inflight : NULL;
}

void
_posh_cache_add_inflight (PoshCache          *cache,
                          const PoshCacheKey *key,
                          gpointer            inflight)
{
  PoshInflightEntry *entry;

  g_return_if_fail (inflight != NULL);

  entry = alloc_with_key (sizeof (PoshInflightEntry), key);
  entry->inflight = inflight;
  /* replace: the old key (inside the old value) must not outlive it */
  g_hash_table_remove (cache->inflight, key);
  g_hash_table_insert (cache->inflight, &entry->key, entry);
}

gboolean
_posh_cache_remove_inflight (PoshCache          *cache,
                             const PoshCacheKey *key,
                             gpointer            inflight)
{
  PoshInflightEntry *entry = g_hash_table_lookup (cache->inflight, key);

  if (entry == NULL || entry->inflight != inflight)
    return FALSE;
  g_hash_table_remove (cache->inflight, key);
  return TRUE;
}

guint
_posh_cache_get_n_inflight (PoshCache *cache)
{
  return g_hash_table_size (cache->inflight);
}
