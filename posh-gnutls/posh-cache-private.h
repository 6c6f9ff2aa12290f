/* posh-cache-private.h: PoshCache, the expiry-bounded document cache and
 * the table of fetches in flight (never installed)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A PoshCache is not thread-safe: its owner (PoshVerifier) serialises every
 * call with its own lock. Times are plain seconds on the owner's cache
 * clock; an entry is valid while now < expiry.
 */

#pragma once

#include "posh-private.h"

G_BEGIN_DECLS

typedef struct _PoshCache PoshCache;

/* No entry lies this many slots or more past its home slot: a lookup
 * probes at most this many slots. */
#define POSH_CACHE_MAX_PROBE 64
/* Service names a cache tells apart (a verifier uses one or two). */
#define POSH_CACHE_MAX_SERVICES 255

/* The cache key (spec E22, E23): normalised Source Domain, normalised
 * service name, path mode. Lookups take a key on the stack. */
typedef struct
{
  const char *domain;   /* (not nullable) */
  const char *service;  /* (not nullable) */
  gboolean    legacy;
} PoshCacheKey;

PoshCache    *_posh_cache_new             (void);
void          _posh_cache_free            (PoshCache          *cache);

/* Looks up a valid entry. Returns FALSE when absent or expired (an expired
 * entry is dropped). On TRUE exactly one of *document (transfer none) and
 * *error (transfer none) is set: the stored document, or the stored error
 * of a negative entry. Both out arguments may be NULL. Allocation-free. */
gboolean      _posh_cache_lookup          (PoshCache          *cache,
                                           const PoshCacheKey *key,
                                           gint64              now,
                                           PoshDocument      **document,
                                           const GError      **error);
/* Stores a document (a new ref is taken) valid until expiry, replacing any
 * entry under the key. A key the cache cannot hold is not cached (the
 * lookup then misses): a domain over 65 535 bytes, a service name beyond
 * POSH_CACHE_MAX_SERVICES, or a key whose slot would lie
 * POSH_CACHE_MAX_PROBE or more slots past its home slot (only
 * colliding hashes do that, which the random seed rules out for names
 * chosen by a peer). */
void          _posh_cache_store_document  (PoshCache          *cache,
                                           const PoshCacheKey *key,
                                           PoshDocument       *document,
                                           gint64              expiry);
/* Stores a negative entry (a copy of error) valid until expiry. */
void          _posh_cache_store_error     (PoshCache          *cache,
                                           const PoshCacheKey *key,
                                           const GError       *error,
                                           gint64              expiry);
void          _posh_cache_remove          (PoshCache          *cache,
                                           const PoshCacheKey *key);
/* Drops every entry; the in-flight table is left alone. */
void          _posh_cache_clear           (PoshCache          *cache);
/* Drops the entries expired at now; returns how many were dropped. */
guint         _posh_cache_expire          (PoshCache          *cache,
                                           gint64              now);
/* What the owner calls before each store: once the cache has doubled in
 * size since the last sweep (and holds at least 1 024 entries), drops the
 * entries expired at now and, when that leaves the arrays three-quarters
 * empty, compacts them. Amortised O(1) per store. */
void          _posh_cache_maintain        (PoshCache          *cache,
                                           gint64              now);
/* For tests: the smallest size at which _posh_cache_maintain sweeps
 * (default 1 024). */
void          _posh_cache_set_min_sweep   (PoshCache          *cache,
                                           guint               size);
/* Moves the live entries into arrays sized for them, keeping the eviction
 * order; a no-op when they would not shrink. */
void          _posh_cache_compact         (PoshCache          *cache);
/* The allocated sizes, in slots and in entries (for tests). */
void          _posh_cache_get_capacity    (PoshCache          *cache,
                                           guint              *n_slots,
                                           guint              *n_entries);
guint         _posh_cache_get_size        (PoshCache          *cache);
/* The longest probe sequence a lookup of a stored key makes now, in slots
 * (0 when empty). For tests and benchmarks: walks the whole table. */
guint         _posh_cache_get_longest_probe (PoshCache        *cache);
/* The mean probe sequence of a lookup of a stored key, in slots (0 when
 * empty); about 1.5 for a random hash in a half-full table. For tests. */
double        _posh_cache_get_mean_probe  (PoshCache          *cache);

/* The hash of a key: the domain's bytes, the cache's number for the
 * service name, the path mode. */
typedef guint32 (*PoshCacheHashFunc) (const char *domain,
                                      gsize       domain_len,
                                      guint       service,
                                      gboolean    legacy);
/* For tests: replaces the seeded hash (NULL restores it). Clears the cache. */
void          _posh_cache_set_hash_func   (PoshCache          *cache,
                                           PoshCacheHashFunc   func);
/* The bound on the number of entries (default 2^18); beyond it the oldest
 * stored entry is evicted first. Lowering it evicts at once. */
void          _posh_cache_set_max_entries (PoshCache          *cache,
                                           guint               max_entries);

/* The in-flight table: key -> an opaque pointer owned by the caller (the
 * verifier's shared fetch). The key is copied. */
gpointer      _posh_cache_lookup_inflight (PoshCache          *cache,
                                           const PoshCacheKey *key);
void          _posh_cache_add_inflight    (PoshCache          *cache,
                                           const PoshCacheKey *key,
                                           gpointer            inflight);
/* Removes the key only if it maps to inflight; TRUE if it did. */
gboolean      _posh_cache_remove_inflight (PoshCache          *cache,
                                           const PoshCacheKey *key,
                                           gpointer            inflight);
guint         _posh_cache_get_n_inflight  (PoshCache          *cache);

G_END_DECLS
