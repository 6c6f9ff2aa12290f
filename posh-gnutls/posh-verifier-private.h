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

G_END_DECLS
