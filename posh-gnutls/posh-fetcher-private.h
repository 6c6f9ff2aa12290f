/* posh-fetcher-private.h: the settings one fetch operation runs with
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * PoshFetcher holds the settings (posh-fetcher.c); every operation
 * (posh-fetch.c) starts from a snapshot of them, so that a setting changed
 * meanwhile never applies halfway through an operation.
 */

#pragma once

#include "posh-fetch-private.h"

G_BEGIN_DECLS

/* A snapshot of the settings, taken when an operation starts. */
typedef struct
{
  GTlsDatabase    *database;      /* (owned) */
  PoshConnectToSet *connect_to;   /* (owned) a reference, never modified */
  guint            timeout_ms;
  guint            max_redirects;
  PoshParseLimits  limits;
} PoshFetchConfig;

/* Takes the snapshot, under the fetcher's lock; the system database when
 * none is set. */
void _posh_fetch_config_init  (PoshFetchConfig *config,
                               PoshFetcher     *fetcher);
void _posh_fetch_config_clear (PoshFetchConfig *config);

G_END_DECLS
