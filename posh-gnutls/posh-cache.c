/* posh-cache.c: the expiry-bounded document cache and the in-flight table
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The cache maps a (domain, service, path mode) key to an entry that holds
 * either a document or, for negative caching (spec E22), an error, together
 * with its expiry on the owner's cache clock.
 *
 * Layout. A verifier looks the cache up on every TLS connection, and an XMPP
 * server keeps one entry per peer domain: with 100 000 entries the table is
 * far larger than the CPU caches and a lookup costs what it misses. So the
 * table is built to touch as few cache lines as possible:
 *
 *   - slots: one open-addressed array (linear probing, at most half full)
 *     of 8-byte slots, each the 32-bit hash of its key and the number of its
 *     entry; a probe compares hashes without leaving the array;
 *   - entries: one dense array of 64-byte entries (one cache line each)
 *     holding the expiry, the value, the links of the eviction order and
 *     the key itself: the domain inline (up to POSH_CACHE_INLINE_DOMAIN
 *     bytes; a longer one is on the heap), the service as a small number
 *     naming one of the cache's few interned service names.
 *
 * A hit therefore reads one slot and one entry, two cache lines, whatever
 * the size; a GHashTable of heap-allocated entries reads four or five.
 * Deletion shifts the following slots back (no tombstones), so probe
 * sequences never outgrow what the live entries need.
 *
 * Hash flooding. The domains looked up are chosen by peers (a server
 * verifies whatever domain a peer claims). The hash is keyed with a
 * per-process random seed, so names cannot be chosen to collide, and a
 * store whose slot would lie POSH_CACHE_MAX_PROBE or more slots past its
 * home slot is not cached at all: a lookup never probes more than
 * POSH_CACHE_MAX_PROBE slots, whatever the keys.
 *
 * The table is bounded: beyond POSH_CACHE_MAX_ENTRIES the oldest stored
 * entry is evicted first (a FIFO linked through the entries by number).
 * Expired entries are dropped when looked up, and all at once by the sweep
 * _posh_cache_maintain () runs each time the cache doubles in size; a sweep
 * that leaves the arrays three-quarters empty compacts them. The
 * entry of the last hit is remembered: a client that verifies one peer over
 * and over finds it with a key comparison, without hashing the key.
 *
 * A second table maps keys to the fetches in flight, so concurrent requests
 * for one key share one HTTP fetch (DESIGN.md, "How a verification flows").
 * It is small (one entry per fetch in flight) and stays a GHashTable, keyed
 * by the same seeded hash.
 */

#include "config.h"

#include <string.h>

#include "posh-cache-private.h"

/* Far above any real working set (one entry per peer domain and service),
 * and above the 100 000 entries the benchmarks use; bounds memory against a
 * peer that makes us look up endless domains. */
#define POSH_CACHE_MAX_ENTRIES (1 << 18)
#define POSH_CACHE_MIN_SLOTS 16
#define POSH_CACHE_MIN_ENTRIES 8
/* _posh_cache_maintain sweeps expired entries once the cache reaches this
 * size, then again at twice the size that survived. */
#define POSH_CACHE_MIN_SWEEP 1024
#define POSH_CACHE_INLINE_DOMAIN 36

enum
{
  ENTRY_IN_USE = 1 << 0,
  ENTRY_LEGACY = 1 << 1,
  ENTRY_ERROR = 1 << 2,
  ENTRY_HEAP_DOMAIN = 1 << 3,
};

/* Entries are named by number: index + 1, so that 0 means none. */
typedef struct
{
  gint64   expiry;
  gpointer value;        /* (owned) a PoshDocument, or a GError with ENTRY_ERROR */
  guint32  older;        /* eviction order; unused entries: 0 */
  guint32  newer;        /* eviction order; unused entries: the free list */
  guint16  domain_len;
  guint8   service;      /* index into PoshCache.services */
  guint8   flags;
  /* the domain's bytes (not NUL-terminated), or with ENTRY_HEAP_DOMAIN the
   * bytes of a (char *) pointing to a heap copy */
  char     domain[POSH_CACHE_INLINE_DOMAIN];
} PoshCacheEntry;

G_STATIC_ASSERT (sizeof (PoshCacheEntry) == 64);
G_STATIC_ASSERT (POSH_CACHE_INLINE_DOMAIN >= sizeof (char *));

typedef struct
{
  guint32 hash;
  guint32 entry;         /* entry number; 0: empty slot */
} PoshCacheSlot;

typedef struct
{
  PoshCacheKey key;
  gpointer     inflight;    /* (not owned) */
  /* followed by the key strings */
} PoshInflightEntry;

G_STATIC_ASSERT (G_STRUCT_OFFSET (PoshInflightEntry, key) == 0);

struct _PoshCache
{
  PoshCacheSlot  *slots;        /* (owned) n_slots, a power of two, or NULL */
  guint32         n_slots;
  PoshCacheEntry *entries;      /* (owned) n_entries_allocated */
  guint32         n_entries_allocated;
  guint32         n_entries_touched; /* entries ever used since the last reset */
  guint32         free_list;    /* entry number, linked through newer */
  guint32         oldest;       /* entry numbers, 0 when empty */
  guint32         newest;
  guint32         last_hit;     /* entry number or 0 */
  guint           size;
  guint           max_entries;
  guint           sweep_at;     /* _posh_cache_maintain sweeps at this size */
  guint           min_sweep;    /* and never below this one */
  PoshCacheHashFunc hash_func;  /* (nullable) tests only */
  GPtrArray      *services;     /* (owned) interned service names */
  GHashTable     *inflight;     /* (owned) PoshCacheKey * -> PoshInflightEntry * */
};

/* ---- the seeded hash --------------------------------------------------- */

static guint64 hash_seed;

static inline guint64
hash_mix (guint64 a,
          guint64 b)
{
#ifdef __SIZEOF_INT128__
  __extension__ typedef unsigned __int128 u128;
  u128 r = (u128) a * b;

  return (guint64) r ^ (guint64) (r >> 64);
#else
  guint64 lo = (a & 0xffffffffu) * (b & 0xffffffffu);
  guint64 m1 = (a >> 32) * (b & 0xffffffffu);
  guint64 m2 = (a & 0xffffffffu) * (b >> 32);
  guint64 hi = (a >> 32) * (b >> 32);
  guint64 mid = (lo >> 32) + (m1 & 0xffffffffu) + (m2 & 0xffffffffu);

  hi += (m1 >> 32) + (m2 >> 32) + (mid >> 32);
  return ((mid << 32) | (lo & 0xffffffffu)) ^ hi;
#endif
}

/* A 64-bit multiply-mix hash of len bytes, 8 at a time, from state h. */
static inline guint64
hash_bytes (const char *p,
            gsize       len,
            guint64     h)
{
  guint64 w = 0;

  h ^= len * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  for (; len >= 8; p += 8, len -= 8)
    {
      memcpy (&w, p, 8);
      h = hash_mix (h ^ w, G_GUINT64_CONSTANT (0xa0761d6478bd642f));
    }
  w = 0;
  memcpy (&w, p, len);
  return hash_mix (h ^ w ^ G_GUINT64_CONSTANT (0xe7037ed1a0b428db),
                   G_GUINT64_CONSTANT (0x8ebc6af09c88c6e3));
}

static void
hash_seed_init (void)
{
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      hash_seed = ((guint64) g_random_int () << 32) | g_random_int ();
      g_once_init_leave (&initialised, 1);
    }
}

static inline guint32
hash_fold (guint64 h)
{
  return (guint32) (h ^ (h >> 32));
}

static inline guint32
cache_hash (PoshCache  *cache,
            const char *domain,
            gsize       domain_len,
            guint       service,
            gboolean    legacy)
{
  if (G_UNLIKELY (cache->hash_func != NULL))
    return cache->hash_func (domain, domain_len, service, legacy);
  return hash_fold (hash_bytes (domain, domain_len,
                                hash_seed ^ (((guint64) service << 1) | (legacy ? 1u : 0u))));
}

/* ---- entries ----------------------------------------------------------- */

static inline PoshCacheEntry *
entry_at (PoshCache *cache,
          guint32    number)
{
  return &cache->entries[number - 1];
}

static inline const char *
entry_domain (const PoshCacheEntry *entry)
{
  const char *heap;

  if ((entry->flags & ENTRY_HEAP_DOMAIN) == 0)
    return entry->domain;
  memcpy (&heap, entry->domain, sizeof heap);
  return heap;
}

static inline gboolean
entry_matches (const PoshCacheEntry *entry,
               const char           *domain,
               gsize                 domain_len,
               guint                 service,
               gboolean              legacy)
{
  return entry->domain_len == domain_len
         && entry->service == service
         && ((entry->flags & ENTRY_LEGACY) != 0) == legacy
         && memcmp (entry_domain (entry), domain, domain_len) == 0;
}

static guint32
entry_hash (PoshCache            *cache,
            const PoshCacheEntry *entry)
{
  return cache_hash (cache, entry_domain (entry), entry->domain_len,
                     entry->service, (entry->flags & ENTRY_LEGACY) != 0);
}

static void
entry_clear (PoshCacheEntry *entry)
{
  if ((entry->flags & ENTRY_ERROR) != 0)
    g_error_free (entry->value);
  else
    posh_document_unref (entry->value);
  if ((entry->flags & ENTRY_HEAP_DOMAIN) != 0)
    g_free ((char *) entry_domain (entry));
  memset (entry, 0, sizeof *entry);
}

static guint32
entry_alloc (PoshCache *cache)
{
  guint32 number;

  if (cache->free_list != 0)
    {
      number = cache->free_list;
      cache->free_list = entry_at (cache, number)->newer;
      entry_at (cache, number)->newer = 0;
      return number;
    }
  if (cache->n_entries_touched == cache->n_entries_allocated)
    {
      guint32 n = MAX (POSH_CACHE_MIN_ENTRIES, cache->n_entries_allocated * 2);

      cache->entries = g_renew (PoshCacheEntry, cache->entries, n);
      memset (cache->entries + cache->n_entries_allocated, 0,
              (n - cache->n_entries_allocated) * sizeof (PoshCacheEntry));
      cache->n_entries_allocated = n;
    }
  return ++cache->n_entries_touched;
}

static void
order_push (PoshCache *cache,
            guint32    number)
{
  PoshCacheEntry *entry = entry_at (cache, number);

  entry->older = cache->newest;
  entry->newer = 0;
  if (cache->newest != 0)
    entry_at (cache, cache->newest)->newer = number;
  else
    cache->oldest = number;
  cache->newest = number;
}

static void
order_unlink (PoshCache *cache,
              guint32    number)
{
  PoshCacheEntry *entry = entry_at (cache, number);

  if (entry->older != 0)
    entry_at (cache, entry->older)->newer = entry->newer;
  else
    cache->oldest = entry->newer;
  if (entry->newer != 0)
    entry_at (cache, entry->newer)->older = entry->older;
  else
    cache->newest = entry->older;
  entry->older = entry->newer = 0;
}

/* ---- slots ------------------------------------------------------------- */

/* The distance from slot i back to the home slot of hash. */
static inline guint32
slot_distance (PoshCache *cache,
               guint32    hash,
               guint32    i)
{
  return (i - hash) & (cache->n_slots - 1);
}

/* The slot of a key whose hash is hash, or n_slots when it is absent. */
static guint32
slots_lookup (PoshCache  *cache,
              const char *domain,
              gsize       domain_len,
              guint       service,
              gboolean    legacy,
              guint32     hash)
{
  guint32 mask = cache->n_slots - 1;
  guint32 i = hash & mask;

  if (cache->slots == NULL)
    return cache->n_slots;
  for (guint d = 0; d < POSH_CACHE_MAX_PROBE; d++, i = (i + 1) & mask)
    {
      PoshCacheSlot slot = cache->slots[i];

      if (slot.entry == 0)
        break;
      if (slot.hash == hash
          && entry_matches (entry_at (cache, slot.entry), domain, domain_len,
                            service, legacy))
        return i;
    }
  return cache->n_slots;
}

/* The first free slot for hash within POSH_CACHE_MAX_PROBE of its home,
 * or n_slots when there is none. */
static guint32
slots_free_for (PoshCache *cache,
                guint32    hash)
{
  guint32 mask = cache->n_slots - 1;
  guint32 i = hash & mask;

  for (guint d = 0; d < POSH_CACHE_MAX_PROBE; d++, i = (i + 1) & mask)
    if (cache->slots[i].entry == 0)
      return i;
  return cache->n_slots;
}

/* Empties slot i, shifting back the slots after it that may move closer to
 * their home slot, so that every probe sequence stays unbroken. */
static void
slots_delete (PoshCache *cache,
              guint32    i)
{
  guint32 mask = cache->n_slots - 1;
  guint32 j = i;

  for (;;)
    {
      j = (j + 1) & mask;
      if (cache->slots[j].entry == 0)
        break;
      /* the slot at j may move to i if its home is not in (i, j] */
      if (slot_distance (cache, cache->slots[j].hash, j) >= ((j - i) & mask))
        {
          cache->slots[i] = cache->slots[j];
          i = j;
        }
    }
  cache->slots[i].hash = 0;
  cache->slots[i].entry = 0;
}

static void entry_evict (PoshCache *cache,
                         guint32    number,
                         gboolean   in_slots);

/* Rebuilds the slots with n_slots slots for the entries in use, as
 * numbered now. An entry that would land too far from home in the new
 * array (it cannot happen without colliding hashes, which the seed rules
 * out) is evicted. */
static void
slots_rebuild (PoshCache *cache,
               guint32    n_slots)
{
  g_free (cache->slots);
  cache->slots = g_new0 (PoshCacheSlot, n_slots);
  cache->n_slots = n_slots;
  for (guint32 n = 1; n <= cache->n_entries_touched; n++)
    {
      guint32 hash;
      guint32 i;

      if ((entry_at (cache, n)->flags & ENTRY_IN_USE) == 0)
        continue;
      hash = entry_hash (cache, entry_at (cache, n));
      i = slots_free_for (cache, hash);
      if (i == n_slots)
        entry_evict (cache, n, FALSE);
      else
        {
          cache->slots[i].hash = hash;
          cache->slots[i].entry = n;
        }
    }
}

/* The slot of an entry. */
static guint32
slots_of_entry (PoshCache *cache,
                guint32    number)
{
  guint32 hash = entry_hash (cache, entry_at (cache, number));
  guint32 mask = cache->n_slots - 1;
  guint32 i = hash & mask;

  for (guint d = 0; d < POSH_CACHE_MAX_PROBE; d++, i = (i + 1) & mask)
    if (cache->slots[i].entry == number)
      return i;
  g_assert_not_reached ();
}

/* ---- the cache --------------------------------------------------------- */

static guint
inflight_key_hash (gconstpointer data)
{
  const PoshCacheKey *key = data;
  guint64 h = hash_bytes (key->domain, strlen (key->domain),
                          hash_seed ^ (key->legacy ? 1u : 0u));

  return hash_fold (hash_bytes (key->service, strlen (key->service), h));
}

static gboolean
inflight_key_equal (gconstpointer a,
                    gconstpointer b)
{
  const PoshCacheKey *ka = a;
  const PoshCacheKey *kb = b;

  return !ka->legacy == !kb->legacy
         && strcmp (ka->domain, kb->domain) == 0
         && strcmp (ka->service, kb->service) == 0;
}

PoshCache *
_posh_cache_new (void)
{
  PoshCache *cache = g_new0 (PoshCache, 1);

  hash_seed_init ();
  cache->services = g_ptr_array_new_with_free_func (g_free);
  cache->inflight = g_hash_table_new_full (inflight_key_hash, inflight_key_equal,
                                           NULL, g_free);
  cache->max_entries = POSH_CACHE_MAX_ENTRIES;
  cache->min_sweep = cache->sweep_at = POSH_CACHE_MIN_SWEEP;
  return cache;
}

void
_posh_cache_free (PoshCache *cache)
{
  if (cache == NULL)
    return;

  _posh_cache_clear (cache);
  g_ptr_array_unref (cache->services);
  g_hash_table_unref (cache->inflight);
  g_free (cache);
}

void
_posh_cache_set_hash_func (PoshCache         *cache,
                           PoshCacheHashFunc  func)
{
  _posh_cache_clear (cache);
  cache->hash_func = func;
}

/* The number of a service name, or -1 when the cache has not seen it. */
static int
cache_service (PoshCache  *cache,
               const char *service)
{
  for (guint i = 0; i < cache->services->len; i++)
    if (strcmp (g_ptr_array_index (cache->services, i), service) == 0)
      return (int) i;
  return -1;
}

/* Drops an entry: from the slots too if in_slots. */
static void
entry_evict (PoshCache *cache,
             guint32    number,
             gboolean   in_slots)
{
  PoshCacheEntry *entry = entry_at (cache, number);

  if (in_slots)
    slots_delete (cache, slots_of_entry (cache, number));
  if (cache->last_hit == number)
    cache->last_hit = 0;
  order_unlink (cache, number);
  entry_clear (entry);
  entry->newer = cache->free_list;
  cache->free_list = number;
  cache->size--;
}

static guint32
cache_find (PoshCache          *cache,
            const PoshCacheKey *key)
{
  int service = cache_service (cache, key->service);
  gsize domain_len;
  gboolean legacy = !!key->legacy;
  guint32 i;

  if (service < 0)
    return 0;
  domain_len = strlen (key->domain);
  if (cache->last_hit != 0
      && entry_matches (entry_at (cache, cache->last_hit), key->domain,
                        domain_len, (guint) service, legacy))
    return cache->last_hit;
  i = slots_lookup (cache, key->domain, domain_len, (guint) service, legacy,
                    cache_hash (cache, key->domain, domain_len, (guint) service, legacy));
  if (i == cache->n_slots)
    return 0;
  cache->last_hit = cache->slots[i].entry;
  return cache->last_hit;
}

gboolean
_posh_cache_lookup (PoshCache           *cache,
                    const PoshCacheKey  *key,
                    gint64               now,
                    PoshDocument       **document,
                    const GError       **error)
{
  guint32 number = cache_find (cache, key);
  PoshCacheEntry *entry;

  if (number == 0)
    return FALSE;

  entry = entry_at (cache, number);
  if (now >= entry->expiry)
    {
      entry_evict (cache, number, TRUE);
      return FALSE;
    }

  if (document != NULL)
    *document = (entry->flags & ENTRY_ERROR) != 0 ? NULL : entry->value;
  if (error != NULL)
    *error = (entry->flags & ENTRY_ERROR) != 0 ? entry->value : NULL;
  return TRUE;
}

/* Stores value (owned) under key; returns FALSE when it cannot be cached
 * (value is then left to the caller). */
static gboolean
cache_store (PoshCache          *cache,
             const PoshCacheKey *key,
             gpointer            value,
             guint8              flags,
             gint64              expiry)
{
  gsize domain_len = strlen (key->domain);
  gboolean legacy = !!key->legacy;
  int service = cache_service (cache, key->service);
  guint32 hash;
  guint32 number;
  guint32 i;
  PoshCacheEntry *entry;

  /* a new service name, or a domain this long, has no entry to replace */
  if (service < 0)
    {
      if (cache->services->len >= POSH_CACHE_MAX_SERVICES)
        return FALSE;
      g_ptr_array_add (cache->services, g_strdup (key->service));
      service = (int) cache->services->len - 1;
    }
  if (domain_len > G_MAXUINT16)
    return FALSE;

  hash = cache_hash (cache, key->domain, domain_len, (guint) service, legacy);
  i = slots_lookup (cache, key->domain, domain_len, (guint) service, legacy, hash);
  if (i < cache->n_slots)
    {
      number = cache->slots[i].entry;
      slots_delete (cache, i);
      entry_evict (cache, number, FALSE);
    }

  while (cache->size >= cache->max_entries)
    entry_evict (cache, cache->oldest, TRUE);
  if ((cache->size + 1) * 2 > cache->n_slots)
    slots_rebuild (cache, MAX (POSH_CACHE_MIN_SLOTS, cache->n_slots * 2));

  i = slots_free_for (cache, hash);
  if (i == cache->n_slots)
    {
      g_debug ("POSH cache: not caching %s: %u colliding entries",
               key->domain, POSH_CACHE_MAX_PROBE);
      return FALSE;
    }

  number = entry_alloc (cache);
  entry = entry_at (cache, number);
  entry->expiry = expiry;
  entry->value = value;
  entry->domain_len = (guint16) domain_len;
  entry->service = (guint8) service;
  entry->flags = ENTRY_IN_USE | (legacy ? ENTRY_LEGACY : 0) | flags;
  if (domain_len <= POSH_CACHE_INLINE_DOMAIN)
    memcpy (entry->domain, key->domain, domain_len);
  else
    {
      char *heap = g_memdup2 (key->domain, domain_len);

      memcpy (entry->domain, &heap, sizeof heap);
      entry->flags |= ENTRY_HEAP_DOMAIN;
    }
  order_push (cache, number);
  cache->slots[i].hash = hash;
  cache->slots[i].entry = number;
  cache->size++;
  return TRUE;
}

void
_posh_cache_store_document (PoshCache          *cache,
                            const PoshCacheKey *key,
                            PoshDocument       *document,
                            gint64              expiry)
{
  g_return_if_fail (document != NULL);

  if (!cache_store (cache, key, posh_document_ref (document), 0, expiry))
    posh_document_unref (document);
}

void
_posh_cache_store_error (PoshCache          *cache,
                         const PoshCacheKey *key,
                         const GError       *error,
                         gint64              expiry)
{
  GError *copy;

  g_return_if_fail (error != NULL);

  copy = g_error_copy (error);
  if (!cache_store (cache, key, copy, ENTRY_ERROR, expiry))
    g_error_free (copy);
}

void
_posh_cache_remove (PoshCache          *cache,
                    const PoshCacheKey *key)
{
  guint32 number = cache_find (cache, key);

  if (number != 0)
    entry_evict (cache, number, TRUE);
}

void
_posh_cache_clear (PoshCache *cache)
{
  for (guint32 n = 1; n <= cache->n_entries_touched; n++)
    if ((entry_at (cache, n)->flags & ENTRY_IN_USE) != 0)
      entry_clear (entry_at (cache, n));
  g_clear_pointer (&cache->slots, g_free);
  g_clear_pointer (&cache->entries, g_free);
  cache->n_slots = 0;
  cache->n_entries_allocated = 0;
  cache->n_entries_touched = 0;
  cache->free_list = 0;
  cache->oldest = cache->newest = 0;
  cache->last_hit = 0;
  cache->size = 0;
  cache->sweep_at = cache->min_sweep;
}

guint
_posh_cache_expire (PoshCache *cache,
                    gint64     now)
{
  guint32 number = cache->oldest;
  guint n = 0;

  while (number != 0)
    {
      PoshCacheEntry *entry = entry_at (cache, number);
      guint32 next = entry->newer;

      if (now >= entry->expiry)
        {
          entry_evict (cache, number, TRUE);
          n++;
        }
      number = next;
    }
  return n;
}

/* Moves the live entries to the front of a new array sized for them, in
 * eviction order, and rebuilds the slots for that size: what a sweep frees
 * goes back to the system. */
void
_posh_cache_compact (PoshCache *cache)
{
  guint32 n_entries = POSH_CACHE_MIN_ENTRIES;
  guint32 n_slots = POSH_CACHE_MIN_SLOTS;
  PoshCacheEntry *entries;
  guint32 last_hit = 0;
  guint32 k = 0;

  if (cache->size == 0)
    {
      _posh_cache_clear (cache);
      return;
    }
  while (n_entries < cache->size)
    n_entries *= 2;
  while (n_slots < (cache->size + 1) * 2)
    n_slots *= 2;
  if (n_entries >= cache->n_entries_allocated && n_slots >= cache->n_slots)
    return;

  entries = g_new0 (PoshCacheEntry, n_entries);
  for (guint32 n = cache->oldest; n != 0; n = entry_at (cache, n)->newer, k++)
    {
      entries[k] = *entry_at (cache, n);
      entries[k].older = k;                       /* the number of entries[k - 1] */
      entries[k].newer = k + 1 < cache->size ? k + 2 : 0;
      if (n == cache->last_hit)
        last_hit = k + 1;
    }
  g_assert (k == cache->size);
  g_free (cache->entries);
  cache->entries = entries;
  cache->n_entries_allocated = n_entries;
  cache->n_entries_touched = k;
  cache->free_list = 0;
  cache->oldest = 1;
  cache->newest = k;
  cache->last_hit = last_hit;
  slots_rebuild (cache, n_slots);
}

void
_posh_cache_maintain (PoshCache *cache,
                      gint64     now)
{
  if (cache->size < cache->sweep_at)
    return;
  _posh_cache_expire (cache, now);
  if ((gsize) cache->size * 4 <= cache->n_entries_allocated)
    _posh_cache_compact (cache);
  cache->sweep_at = MAX (cache->min_sweep, cache->size * 2);
}

void
_posh_cache_set_min_sweep (PoshCache *cache,
                           guint      size)
{
  g_return_if_fail (size > 0);

  cache->min_sweep = cache->sweep_at = size;
}

void
_posh_cache_set_max_entries (PoshCache *cache,
                             guint      max_entries)
{
  g_return_if_fail (max_entries > 0);

  cache->max_entries = max_entries;
  while (cache->size > max_entries)
    entry_evict (cache, cache->oldest, TRUE);
}

void
_posh_cache_get_capacity (PoshCache *cache,
                          guint     *n_slots,
                          guint     *n_entries)
{
  *n_slots = cache->n_slots;
  *n_entries = cache->n_entries_allocated;
}

guint
_posh_cache_get_size (PoshCache *cache)
{
  return cache->size;
}

guint
_posh_cache_get_longest_probe (PoshCache *cache)
{
  guint longest = 0;

  for (guint32 i = 0; i < cache->n_slots; i++)
    if (cache->slots[i].entry != 0)
      longest = MAX (longest, slot_distance (cache, cache->slots[i].hash, i) + 1);
  return longest;
}

double
_posh_cache_get_mean_probe (PoshCache *cache)
{
  guint64 total = 0;

  if (cache->size == 0)
    return 0.0;
  for (guint32 i = 0; i < cache->n_slots; i++)
    if (cache->slots[i].entry != 0)
      total += slot_distance (cache, cache->slots[i].hash, i) + 1;
  return (double) total / cache->size;
}

gpointer
_posh_cache_lookup_inflight (PoshCache          *cache,
                             const PoshCacheKey *key)
{
  PoshInflightEntry *entry = g_hash_table_lookup (cache->inflight, key);

  return entry != NULL ? entry->inflight : NULL;
}

/* Allocates a PoshInflightEntry followed by the key strings, and fills in
 * its key. */
static PoshInflightEntry *
inflight_entry_new (const PoshCacheKey *key,
                    gpointer            inflight)
{
  gsize domain_len = strlen (key->domain);
  gsize service_len = strlen (key->service);
  PoshInflightEntry *entry = g_malloc0 (sizeof (PoshInflightEntry)
                                        + domain_len + service_len + 2);
  char *strings = (char *) (entry + 1);

  memcpy (strings, key->domain, domain_len + 1);
  memcpy (strings + domain_len + 1, key->service, service_len + 1);
  entry->key.domain = strings;
  entry->key.service = strings + domain_len + 1;
  entry->key.legacy = !!key->legacy;
  entry->inflight = inflight;
  return entry;
}

void
_posh_cache_add_inflight (PoshCache          *cache,
                          const PoshCacheKey *key,
                          gpointer            inflight)
{
  PoshInflightEntry *entry;

  g_return_if_fail (inflight != NULL);

  entry = inflight_entry_new (key, inflight);
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
