/* posh-fetch-private.h: PoshFetcher, the HTTPS hop loop (never installed)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "posh-private.h"

G_BEGIN_DECLS

#define POSH_TYPE_FETCHER (_posh_fetcher_get_type ())
G_DECLARE_FINAL_TYPE (PoshFetcher, _posh_fetcher, POSH, FETCHER, GObject)

typedef gint64 (*PoshFetchClock) (gpointer user_data);

PoshFetcher  *_posh_fetcher_new                (void);
void          _posh_fetcher_set_tls_database   (PoshFetcher           *fetcher,
                                                GTlsDatabase          *database);
GTlsDatabase *_posh_fetcher_get_tls_database   (PoshFetcher           *fetcher);
/* curl's HOST:PORT:CONNECT_HOST:CONNECT_PORT; POSH_ERROR_INVALID_REQUEST */
gboolean      _posh_fetcher_add_connect_to     (PoshFetcher           *fetcher,
                                                const char            *spec,
                                                GError               **error);
void          _posh_fetcher_set_timeout        (PoshFetcher           *fetcher,
                                                guint                  timeout_ms);
void          _posh_fetcher_set_max_redirects  (PoshFetcher           *fetcher,
                                                guint                  max_redirects);
void          _posh_fetcher_set_limits         (PoshFetcher           *fetcher,
                                                const PoshParseLimits *limits);

/* domain and service must already be normalised. The result is a
 * fingerprints document with its provenance set (hops, reference, lifetime),
 * or a POSH_ERROR (G_IO_ERROR_CANCELLED on cancellation). A document with
 * expires 0 anywhere on the way gives POSH_ERROR_INVALIDATED. With legacy,
 * a 404 on the RFC path is followed by a try of the draft-02 path (E1). */
void          _posh_fetcher_fetch_async        (PoshFetcher           *fetcher,
                                                const char            *domain,
                                                const char            *service,
                                                gboolean               legacy,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);
PoshDocument *_posh_fetcher_fetch_finish       (PoshFetcher           *fetcher,
                                                GAsyncResult          *result,
                                                GError               **error);
/* Synchronous: runs the same state machine on a private main context. */
PoshDocument *_posh_fetcher_fetch              (PoshFetcher           *fetcher,
                                                const char            *domain,
                                                const char            *service,
                                                gboolean               legacy,
                                                GCancellable          *cancellable,
                                                GError               **error);

G_END_DECLS
