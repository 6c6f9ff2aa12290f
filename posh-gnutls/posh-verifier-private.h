/* posh-verifier-private.h: what the PoshVerifier files share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * PoshVerifier is written in three files: posh-verifier.c (the object, its
 * configuration and clocks), posh-verifier-fetch.c (the cache and the
 * fetches, with in-flight sharing) and posh-verifier-verify.c (checking a
 * certificate against the fetched document).
 */

#pragma once

#include "posh-verifier.h"

#include "posh-cache-private.h"
#include "posh-fetch-private.h"
#include "posh-private.h"

G_BEGIN_DECLS

struct _PoshVerifier
{
  GObject            parent_instance;

  GMutex             lock;            /* guards cache, generation, clock */
  PoshCache         *cache;           /* (owned) */
  guint64            generation;      /* bumped when the cache is cleared */

  PoshFetcher       *fetcher;         /* (owned) */
  PoshParseLimits    limits;
  GTlsDatabase      *tls_database;    /* (owned) (nullable) */
  guint              timeout_ms;
  guint              max_redirects;
  guint              negative_cache_lifetime;
  PoshVerifierFlags  flags;
  PoshVerifyFlags    verify_flags;

  PoshClockFunc      clock;           /* (nullable) */
  gpointer           clock_data;
  GDestroyNotify     clock_destroy;
};

/* The cache clock (monotonic unless a clock is installed); call with
 * self->lock held. */
gint64 _posh_verifier_cache_now_locked (PoshVerifier *self);

/* Drops every cache entry and bumps the generation, so that fetches in
 * flight store nothing; call with self->lock held. */
void _posh_verifier_clear_cache_locked (PoshVerifier *self);

/* The cache-hit fast path: names already in normal form are their own key
 * (normalisation is idempotent, and only normalised names are ever
 * stored), so a hit needs neither normalisation nor allocation. TRUE on a
 * hit, with *document (transfer full) or error set. */
gboolean _posh_verifier_lookup_raw (PoshVerifier  *self,
                                    const char    *domain,
                                    const char    *service,
                                    PoshDocument **document,
                                    GError       **error);

G_END_DECLS
