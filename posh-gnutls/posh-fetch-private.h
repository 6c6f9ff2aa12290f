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

/* All setters are thread-safe; an operation uses the settings it found
 * when it started. Sessions are per operation (see posh-fetch.c), so one
 * fetcher serves any number of threads and main contexts at once. */
PoshFetcher  *_posh_fetcher_new                (void);
/* database: (nullable): NULL means the system trust store */
void          _posh_fetcher_set_tls_database   (PoshFetcher           *fetcher,
                                                GTlsDatabase          *database);
/* Returns: (transfer none) (nullable): NULL means the system store */
GTlsDatabase *_posh_fetcher_get_tls_database   (PoshFetcher           *fetcher);
/* curl's HOST:PORT:CONNECT_HOST:CONNECT_PORT, all four required; HOST a
 * domain (normalised as _posh_normalize_domain), CONNECT_HOST a host name,
 * IPv4 address or [IPv6] address, ports 1-65535. A later rule for the same
 * HOST:PORT replaces the earlier one. POSH_ERROR_INVALID_REQUEST. */
gboolean      _posh_fetcher_add_connect_to     (PoshFetcher           *fetcher,
                                                const char            *spec,
                                                GError               **error);
/* Total time of one operation, every hop included (E16); 0: the default */
void          _posh_fetcher_set_timeout        (PoshFetcher           *fetcher,
                                                guint                  timeout_ms);
/* Redirects per operation, source and url fetch together (R35); 0: none */
void          _posh_fetcher_set_max_redirects  (PoshFetcher           *fetcher,
                                                guint                  max_redirects);
/* max_size caps the body (abort past it, or when Content-Length says
 * more); the rest goes to the parser; max_lifetime caps the lifetime. */
void          _posh_fetcher_set_limits         (PoshFetcher           *fetcher,
                                                const PoshParseLimits *limits);

/* domain and service must already be normalised. The result is a
 * fingerprints document with its provenance set (hops, reference, lifetime),
 * or a POSH_ERROR (G_IO_ERROR_CANCELLED on cancellation). A document with
 * expires 0 anywhere on the way gives POSH_ERROR_INVALIDATED. With legacy,
 * a 404 on the RFC path is followed by a try of the draft-02 path (E1).
 *
 * Errors: FETCH (connect, reset, other statuses and 3xx codes, bad
 * Location), NO_POSH_DATA (404/410), HTTPS (certificate or handshake
 * failure on any hop), INSECURE_URL (a non-https redirect or url: nothing
 * is sent there), TOO_MANY_REDIRECTS, CHAINED_REFERENCE, INVALIDATED,
 * TIMEOUT, TOO_LARGE (body cap; the parser's size and count caps),
 * RECEIVED_CORRUPT_DATA (any other parser error; message kept, URL named). */
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

/* ---- posh-connect-to.c ---------------------------------------------- */

/* One connect_to rule (see _posh_fetcher_add_connect_to). */
typedef struct
{
  char    *host;          /* (owned) normalised */
  guint16  port;
  char    *connect_host;  /* (owned) without brackets */
  guint16  connect_port;
} PoshConnectTo;

/* Strict parse; NULL with POSH_ERROR_INVALID_REQUEST. */
PoshConnectTo      *_posh_connect_to_parse           (const char           *spec,
                                                      GError              **error);
PoshConnectTo      *_posh_connect_to_copy            (const PoshConnectTo  *rule);
void                _posh_connect_to_free            (PoshConnectTo        *rule);

/* The rules of a fetcher, keyed by HOST:PORT (HOST compared ASCII
 * case-insensitively). Atomically ref-counted and immutable once shared:
 * every operation holds a reference to the set it started with. */
typedef struct _PoshConnectToSet PoshConnectToSet;

PoshConnectToSet   *_posh_connect_to_set_new         (void);
PoshConnectToSet   *_posh_connect_to_set_ref         (PoshConnectToSet     *set);
void                _posh_connect_to_set_unref       (PoshConnectToSet     *set);
/* Takes set and rule; returns the set holding rule in place of any rule
 * for the same HOST:PORT: set itself when nobody else holds it (callers
 * serialise add and ref, e.g. under the fetcher's lock), otherwise a copy,
 * leaving the shared one as it was. */
PoshConnectToSet   *_posh_connect_to_set_add         (PoshConnectToSet     *set,
                                                      PoshConnectTo        *rule);
/* Returns: (transfer none) (nullable): the rule for host:port */
const PoshConnectTo *_posh_connect_to_set_lookup    (const PoshConnectToSet *set,
                                                      const char             *host,
                                                      int                     port);

/* For SoupSession:remote-connectable: TLS identity HOST:PORT, TCP to
 * CONNECT_HOST:CONNECT_PORT. (transfer full) */
GSocketConnectable *_posh_connect_to_new_connectable (const PoshConnectTo  *rule);

G_END_DECLS
