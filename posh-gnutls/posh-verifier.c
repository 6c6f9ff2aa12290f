/* posh-verifier.c: PoshVerifier, configuration, HTTPS retrieval and cache
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * PoshVerifier:
 *
 * `PoshVerifier` fetches POSH documents (RFC 7711) over HTTPS, caches them
 * for as long as their `expires` members allow, and checks a certificate
 * against them.
 *
 * One verifier is meant to live as long as the application: it holds the
 * HTTPS session, the trust store used for the HTTPS leg, the limits
 * (redirects, timeout, lifetime) and the cache. Concurrent requests for the
 * same domain and service share one HTTP fetch.
 *
 * Every operation normalises the domain and the service name first and
 * rejects bad input with %POSH_ERROR_INVALID_REQUEST before any network
 * activity. A cached document is used until the smaller of the `expires`
 * seen on the way (reference and fingerprints document) has passed, and
 * never longer than [property@Posh.Verifier:max-lifetime]; HTTP cache headers
 * play no part. After expiry the next operation starts again at the source
 * domain's well-known URL.
 *
 * A typical GIO client prefetches before connecting, then checks the
 * certificate the server presents:
 *
 * ```c
 * g_autoptr(PoshVerifier) verifier = posh_verifier_new ();
 * g_autoptr(GError) error = NULL;
 * PoshVerifyStatus status;
 *
 * if (!posh_verifier_verify_certificate (verifier, peer_certificate,
 *                                        "example.com", "xmpp-client",
 *                                        &status, cancellable, &error))
 *   g_warning ("POSH could not check: %s", error->message);
 * else if (status == POSH_VERIFY_STATUS_NONE)
 *   accept = TRUE;   // POSH did not reject the certificate
 * ```
 *
 * The same object is behind the GnuTLS-style API: a `posh_state_t` is a
 * `PoshVerifier *`.
 *
 * Since: 0.1
 */

#include "config.h"

#include <time.h>

#include "posh-verifier.h"

#include "posh-cache-private.h"
#include "posh-enums.h"
#include "posh-fetch-private.h"
#include "posh-private.h"

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

enum
{
  PROP_0,
  PROP_TLS_DATABASE,
  PROP_TIMEOUT,
  PROP_MAX_REDIRECTS,
  PROP_MAX_LIFETIME,
  PROP_FLAGS,
  PROP_VERIFY_FLAGS,
  PROP_NEGATIVE_CACHE_LIFETIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PoshVerifier, posh_verifier, G_TYPE_OBJECT)

/* R35: at most 10 redirects; a higher setting is clamped to this. */
#define POSH_MAX_REDIRECTS_LIMIT 10

/* ---- clocks ------------------------------------------------------------ */

/* Both system clocks are read once per verification, on the cache-hit
 * path too, and only whole seconds matter: the coarse clocks (one memory
 * read in the vDSO) are enough. */
static gint64
wall_seconds (void)
{
  return (gint64) time (NULL);
}

static gint64
monotonic_seconds (void)
{
#ifdef CLOCK_MONOTONIC_COARSE
  struct timespec ts;

  if (clock_gettime (CLOCK_MONOTONIC_COARSE, &ts) == 0)
    return (gint64) ts.tv_sec;
#endif
  return g_get_monotonic_time () / G_USEC_PER_SEC;
}

gint64
_posh_verifier_now (PoshVerifier *self)
{
  if (self->clock != NULL)
    return self->clock (self->clock_data);
  return wall_seconds ();
}

/* call with self->lock held */
static gint64
verifier_cache_now_locked (PoshVerifier *self)
{
  if (self->clock != NULL)
    return self->clock (self->clock_data);
  return monotonic_seconds ();
}

gint64
_posh_verifier_cache_now (PoshVerifier *self)
{
  gint64 now;

  g_mutex_lock (&self->lock);
  now = verifier_cache_now_locked (self);
  g_mutex_unlock (&self->lock);
  return now;
}

const PoshParseLimits *
_posh_verifier_get_parse_limits (PoshVerifier *self)
{
  return &self->limits;
}

guint
_posh_verifier_get_cache_size (PoshVerifier *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = _posh_cache_get_size (self->cache);
  g_mutex_unlock (&self->lock);
  return n;
}

guint
_posh_verifier_get_n_inflight (PoshVerifier *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = _posh_cache_get_n_inflight (self->cache);
  g_mutex_unlock (&self->lock);
  return n;
}

/* ---- cache helpers ----------------------------------------------------- */

static gboolean
verifier_uses_cache (PoshVerifier *self)
{
  return (self->flags & POSH_VERIFIER_FLAGS_NO_CACHE) == 0;
}

static gboolean
verifier_legacy (PoshVerifier *self)
{
  return (self->flags & POSH_VERIFIER_FLAGS_LEGACY_PATH) != 0;
}

/* Looks up key; on a hit sets *document (transfer full) or *error and
 * returns TRUE. Allocation-free on a positive hit. */
static gboolean
verifier_cache_lookup (PoshVerifier        *self,
                       const PoshCacheKey  *key,
                       PoshDocument       **document,
                       GError             **error)
{
  PoshDocument *doc = NULL;
  const GError *stored_error = NULL;
  gboolean hit;

  g_mutex_lock (&self->lock);
  hit = _posh_cache_lookup (self->cache, key, verifier_cache_now_locked (self),
                            &doc, &stored_error);
  if (hit && doc != NULL)
    *document = posh_document_ref (doc);
  else if (hit)
    g_propagate_error (error, g_error_copy (stored_error));
  g_mutex_unlock (&self->lock);
  return hit;
}

/* Negative caching (E22) never keeps a cancellation. */
static gboolean
error_is_cacheable (const GError *error)
{
  return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
         && !g_error_matches (error, POSH_ERROR, POSH_ERROR_CANCELLED)
         && !g_error_matches (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST);
}

/* Stores the outcome of a fetch that started at start (cache clock) under
 * generation. The entry expires at start + lifetime: counting from the
 * start keeps it within the expires of the first response (E22). */
static void
verifier_cache_store (PoshVerifier       *self,
                      const PoshCacheKey *key,
                      guint64             generation,
                      gint64              start,
                      PoshDocument       *document,
                      const GError       *error)
{
  g_mutex_lock (&self->lock);
  if (generation == self->generation && verifier_uses_cache (self))
    {
      guint64 lifetime;

      if (document != NULL)
        {
          lifetime = MIN (posh_document_get_lifetime (document),
                          self->limits.max_lifetime);
          if (lifetime > 0)
            _posh_cache_store_document (self->cache, key, document,
                                        start + (gint64) lifetime);
        }
      else if (self->negative_cache_lifetime > 0 && error_is_cacheable (error))
        {
          lifetime = MIN (self->negative_cache_lifetime,
                          self->limits.max_lifetime);
          _posh_cache_store_error (self->cache, key, error,
                                   start + (gint64) lifetime);
        }
    }
  g_mutex_unlock (&self->lock);
}

/* Normalises both names (E2, E3) into *domain_out and *service_out. */
static gboolean
verifier_normalize (const char  *domain,
                    const char  *service,
                    char       **domain_out,
                    char       **service_out,
                    GError     **error)
{
  g_autofree char *d = NULL;
  g_autofree char *s = NULL;

  if (domain == NULL || service == NULL)
    {
      g_set_error_literal (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST,
                           domain == NULL ? "No domain given" : "No service given");
      return FALSE;
    }
  d = _posh_normalize_domain (domain, error);
  if (d == NULL)
    return FALSE;
  s = _posh_normalize_service (service, error);
  if (s == NULL)
    return FALSE;
  *domain_out = g_steal_pointer (&d);
  *service_out = g_steal_pointer (&s);
  return TRUE;
}

/* The cache-hit fast path: names already in normal form are their own key
 * (normalisation is idempotent, and only normalised names are ever
 * stored), so a hit needs neither normalisation nor allocation. */
static gboolean
verifier_lookup_raw (PoshVerifier  *self,
                     const char    *domain,
                     const char    *service,
                     PoshDocument **document,
                     GError       **error)
{
  PoshCacheKey key = { domain, service, verifier_legacy (self) };

  if (domain == NULL || service == NULL || !verifier_uses_cache (self))
    return FALSE;
  return verifier_cache_lookup (self, &key, document, error);
}

/* ---- synchronous fetch ------------------------------------------------- */

/**
 * posh_verifier_fetch:
 * @verifier: a [class@Posh.Verifier]
 * @domain: the source domain, e.g. `example.com`
 * @service: the POSH service name, e.g. `xmpp-client` (`_xmpp-client._tcp`
 *   is accepted too)
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the POSH fingerprints document that @domain publishes for @service:
 * from the cache when a valid entry exists, otherwise over HTTPS, following
 * redirects and at most one `url` reference. The result is cached.
 *
 * This call blocks. It uses the cache, but it never waits on a fetch that
 * [method@Posh.Verifier.fetch_async] has in flight for the same key: it
 * fetches on its own.
 *
 * Returns: (transfer full): the fingerprints document, or %NULL with
 *   @error set (in %POSH_ERROR, or %G_IO_ERROR_CANCELLED)
 *
 * Since: 0.1
 */
PoshDocument *
posh_verifier_fetch (PoshVerifier  *verifier,
                     const char    *domain,
                     const char    *service,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *ndomain = NULL;
  g_autofree char *nservice = NULL;
  PoshDocument *document = NULL;
  g_autoptr(GError) local_error = NULL;
  PoshCacheKey key;
  guint64 generation;
  gint64 start;

  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (verifier_lookup_raw (verifier, domain, service, &document, error))
    return document;
  if (!verifier_normalize (domain, service, &ndomain, &nservice, error))
    return NULL;

  key = (PoshCacheKey) { ndomain, nservice, verifier_legacy (verifier) };
  if (verifier_uses_cache (verifier)
      && verifier_cache_lookup (verifier, &key, &document, error))
    return document;

  g_mutex_lock (&verifier->lock);
  generation = verifier->generation;
  start = verifier_cache_now_locked (verifier);
  g_mutex_unlock (&verifier->lock);

  document = _posh_fetcher_fetch (verifier->fetcher, ndomain, nservice,
                                  key.legacy, cancellable, &local_error);
  verifier_cache_store (verifier, &key, generation, start, document, local_error);
  if (document == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return document;
}

/* ---- asynchronous fetch with in-flight sharing ------------------------- */

/* One shared fetch and the tasks waiting on it. Owned by the fetch's
 * callback; the in-flight table only points at it. */
typedef struct
{
  PoshVerifier *verifier;     /* (owned) */
  char         *domain;       /* (owned) */
  char         *service;      /* (owned) */
  gboolean      legacy;
  guint64       generation;
  gint64        start;        /* cache clock */
  GCancellable *cancellable;  /* (owned) cancels the shared fetch */
  GPtrArray    *waiters;      /* (owned) GTask refs */
} PoshInflight;

typedef struct
{
  PoshInflight *inflight;      /* (not owned) (nullable) while waiting */
  GSource      *cancel_source; /* (owned) (nullable) */
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  if (data->cancel_source != NULL)
    {
      g_source_destroy (data->cancel_source);
      g_source_unref (data->cancel_source);
    }
  g_free (data);
}

static void
inflight_free (PoshInflight *inflight)
{
  g_object_unref (inflight->verifier);
  g_free (inflight->domain);
  g_free (inflight->service);
  g_object_unref (inflight->cancellable);
  g_ptr_array_unref (inflight->waiters);
  g_free (inflight);
}

static PoshCacheKey
inflight_key (PoshInflight *inflight)
{
  return (PoshCacheKey) { inflight->domain, inflight->service, inflight->legacy };
}

/* call with the lock held: detaches task from the fetch it waits on */
static void
waiter_detach_locked (GTask *task)
{
  FetchData *data = g_task_get_task_data (task);

  data->inflight = NULL;
  if (data->cancel_source != NULL)
    g_source_destroy (data->cancel_source);
}

static void
inflight_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PoshInflight *inflight = user_data;
  PoshVerifier *self = inflight->verifier;
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) waiters = NULL;
  PoshCacheKey key = inflight_key (inflight);

  document = _posh_fetcher_fetch_finish (POSH_FETCHER (source), result, &error);

  g_mutex_lock (&self->lock);
  _posh_cache_remove_inflight (self->cache, &key, inflight);
  waiters = g_steal_pointer (&inflight->waiters);
  inflight->waiters = g_ptr_array_new ();
  for (guint i = 0; i < waiters->len; i++)
    waiter_detach_locked (waiters->pdata[i]);
  g_mutex_unlock (&self->lock);

  /* a fetch whose waiters all left was cancelled: nothing to keep */
  if (waiters->len > 0)
    verifier_cache_store (self, &key, inflight->generation, inflight->start,
                          document, error);

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = waiters->pdata[i];

      if (document != NULL)
        g_task_return_pointer (task, posh_document_ref (document),
                               (GDestroyNotify) posh_document_unref);
      else
        g_task_return_error (task, g_error_copy (error));
      g_object_unref (task);
    }

  inflight_free (inflight);
}

/* A waiter's cancellable fired: it leaves the shared fetch, which is
 * cancelled only when no waiter is left. */
static gboolean
waiter_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  GTask *task = user_data;
  FetchData *data = g_task_get_task_data (task);
  PoshVerifier *self = g_task_get_source_object (task);
  g_autoptr(GCancellable) shared = NULL;
  PoshInflight *inflight;

  g_mutex_lock (&self->lock);
  inflight = data->inflight;
  if (inflight == NULL)
    {
      /* the fetch finished first and already returned this task */
      g_mutex_unlock (&self->lock);
      return G_SOURCE_REMOVE;
    }
  waiter_detach_locked (task);
  g_ptr_array_remove (inflight->waiters, task);
  if (inflight->waiters->len == 0)
    {
      PoshCacheKey key = inflight_key (inflight);

      /* later requests start a fresh fetch instead of joining this one */
      _posh_cache_remove_inflight (self->cache, &key, inflight);
      shared = g_object_ref (inflight->cancellable);
    }
  g_mutex_unlock (&self->lock);

  /* may complete the shared fetch (and free inflight) synchronously */
  if (shared != NULL)
    g_cancellable_cancel (shared);

  g_task_return_error_if_cancelled (task);
  g_object_unref (task);  /* the ref inflight->waiters held */
  return G_SOURCE_REMOVE;
}

static void
fetch_direct_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  PoshDocument *document;

  document = _posh_fetcher_fetch_finish (POSH_FETCHER (source), result, &error);
  if (document != NULL)
    g_task_return_pointer (task, document, (GDestroyNotify) posh_document_unref);
  else
    g_task_return_error (task, error);
}

/* Joins the fetch in flight for key, or starts one. Call with the lock held;
 * returns the fetch to start (the caller starts it after unlocking), or NULL
 * when task joined a running one. */
static PoshInflight *
verifier_join_locked (PoshVerifier       *self,
                      const PoshCacheKey *key,
                      GTask              *task)
{
  FetchData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  PoshInflight *inflight = _posh_cache_lookup_inflight (self->cache, key);
  PoshInflight *started = NULL;

  if (inflight == NULL)
    {
      inflight = g_new0 (PoshInflight, 1);
      inflight->verifier = g_object_ref (self);
      inflight->domain = g_strdup (key->domain);
      inflight->service = g_strdup (key->service);
      inflight->legacy = key->legacy;
      inflight->generation = self->generation;
      inflight->start = verifier_cache_now_locked (self);
      inflight->cancellable = g_cancellable_new ();
      inflight->waiters = g_ptr_array_new ();
      _posh_cache_add_inflight (self->cache, key, inflight);
      started = inflight;
    }

  g_ptr_array_add (inflight->waiters, g_object_ref (task));
  data->inflight = inflight;
  if (cancellable != NULL)
    {
      data->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (data->cancel_source,
                             G_SOURCE_FUNC (waiter_cancelled_cb), task, NULL);
      g_source_attach (data->cancel_source, g_task_get_context (task));
    }
  return started;
}

/* The asynchronous flow up to a document; returns through task. */
static void
verifier_fetch_start (PoshVerifier *self,
                      GTask        *task,
                      const char   *domain,
                      const char   *service)
{
  g_autofree char *ndomain = NULL;
  g_autofree char *nservice = NULL;
  PoshDocument *document = NULL;
  GError *error = NULL;
  PoshInflight *started;
  PoshCacheKey key;

  g_task_set_task_data (task, g_new0 (FetchData, 1), (GDestroyNotify) fetch_data_free);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (verifier_lookup_raw (self, domain, service, &document, &error)
      || (verifier_normalize (domain, service, &ndomain, &nservice, &error)
          && verifier_uses_cache (self)
          && verifier_cache_lookup (self,
                                    &(PoshCacheKey) { ndomain, nservice, verifier_legacy (self) },
                                    &document, &error)))
    {
      if (document != NULL)
        g_task_return_pointer (task, document, (GDestroyNotify) posh_document_unref);
      else
        g_task_return_error (task, error);
      return;
    }
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  key = (PoshCacheKey) { ndomain, nservice, verifier_legacy (self) };
  if (!verifier_uses_cache (self))
    {
      _posh_fetcher_fetch_async (self->fetcher, ndomain, nservice, key.legacy,
                                 g_task_get_cancellable (task),
                                 fetch_direct_cb, g_object_ref (task));
      return;
    }

  g_mutex_lock (&self->lock);
  started = verifier_join_locked (self, &key, task);
  g_mutex_unlock (&self->lock);

  if (started != NULL)
    _posh_fetcher_fetch_async (self->fetcher, started->domain, started->service,
                               started->legacy, started->cancellable,
                               inflight_done_cb, started);
}

/**
 * posh_verifier_fetch_async:
 * @verifier: a [class@Posh.Verifier]
 * @domain: the source domain, e.g. `example.com`
 * @service: the POSH service name, e.g. `xmpp-client`
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the document is available
 * @user_data: data for @callback
 *
 * Asynchronously gets the POSH fingerprints document that @domain publishes
 * for @service; see [method@Posh.Verifier.fetch].
 *
 * Concurrent calls for the same domain and service share one HTTP fetch.
 * Cancelling one call makes that call fail with %G_IO_ERROR_CANCELLED but
 * leaves the shared fetch running for the others.
 *
 * Since: 0.1
 */
void
posh_verifier_fetch_async (PoshVerifier        *verifier,
                           const char          *domain,
                           const char          *service,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (POSH_IS_VERIFIER (verifier));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (verifier, cancellable, callback, user_data);
  g_task_set_source_tag (task, posh_verifier_fetch_async);
  verifier_fetch_start (verifier, task, domain, service);
}

/**
 * posh_verifier_fetch_finish:
 * @verifier: a [class@Posh.Verifier]
 * @result: the [iface@Gio.AsyncResult] given to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@Posh.Verifier.fetch_async].
 *
 * Returns: (transfer full): the fingerprints document, or %NULL with
 *   @error set
 *
 * Since: 0.1
 */
PoshDocument *
posh_verifier_fetch_finish (PoshVerifier  *verifier,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), NULL);
  g_return_val_if_fail (g_task_is_valid (result, verifier), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == posh_verifier_fetch_async, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- verification ------------------------------------------------------ */

gboolean
_posh_verifier_verify_der (PoshVerifier      *self,
                           const guint8      *der,
                           gsize              der_len,
                           const char        *domain,
                           const char        *service,
                           PoshVerifyFlags    flags,
                           PoshVerifyStatus  *status,
                           GCancellable      *cancellable,
                           GError           **error)
{
  g_autoptr(PoshDocument) document = NULL;

  document = posh_verifier_fetch (self, domain, service, cancellable, error);
  if (document == NULL)
    return FALSE;
  return _posh_verify_der (document, der, der_len, flags,
                           _posh_verifier_now (self), status, error);
}

typedef struct
{
  GBytes           *der;     /* (owned) */
  PoshVerifyFlags   flags;
  PoshVerifyStatus  status;
} VerifyData;

static void
verify_data_free (VerifyData *data)
{
  g_bytes_unref (data->der);
  g_free (data);
}

static void
verify_fetched_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PoshVerifier *self = POSH_VERIFIER (source);
  VerifyData *data = g_task_get_task_data (task);
  g_autoptr(PoshDocument) document = NULL;
  GError *error = NULL;
  gsize len;
  const guint8 *der;

  document = posh_verifier_fetch_finish (self, result, &error);
  if (document == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  der = g_bytes_get_data (data->der, &len);
  if (!_posh_verify_der (document, der, len, data->flags,
                         _posh_verifier_now (self), &data->status, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
verifier_verify_async (PoshVerifier        *self,
                       GBytes              *der,
                       const char          *domain,
                       const char          *service,
                       PoshVerifyFlags      flags,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data,
                       gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  VerifyData *data = g_new0 (VerifyData, 1);

  g_task_set_source_tag (task, source_tag);
  data->der = g_bytes_ref (der);
  data->flags = flags;
  g_task_set_task_data (task, data, (GDestroyNotify) verify_data_free);
  posh_verifier_fetch_async (self, domain, service, cancellable,
                             verify_fetched_cb, task);
}

static gboolean
verifier_verify_finish (PoshVerifier      *self,
                        GAsyncResult      *result,
                        PoshVerifyStatus  *status,
                        GError           **error)
{
  VerifyData *data = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (status != NULL)
    *status = data->status;
  return TRUE;
}

void
_posh_verifier_verify_der_async (PoshVerifier        *self,
                                 GBytes              *der,
                                 const char          *domain,
                                 const char          *service,
                                 PoshVerifyFlags      flags,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (POSH_IS_VERIFIER (self));
  g_return_if_fail (der != NULL);

  verifier_verify_async (self, der, domain, service, flags, cancellable,
                         callback, user_data, _posh_verifier_verify_der_async);
}

gboolean
_posh_verifier_verify_der_finish (PoshVerifier      *self,
                                  GAsyncResult      *result,
                                  PoshVerifyStatus  *status,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == _posh_verifier_verify_der_async, FALSE);

  return verifier_verify_finish (self, result, status, error);
}

static GBytes *
certificate_get_der (GTlsCertificate *certificate)
{
  GByteArray *array = NULL;

  g_object_get (certificate, "certificate", &array, NULL);
  if (array == NULL)
    return NULL;
  return g_byte_array_free_to_bytes (array);
}

/**
 * posh_verifier_verify_certificate:
 * @verifier: a [class@Posh.Verifier]
 * @certificate: the certificate the server presented (only this end-entity
 *   certificate is hashed; its issuers are ignored)
 * @domain: the source domain the client wants to reach, e.g. `example.com`
 * @service: the POSH service name, e.g. `xmpp-client`
 * @status: (out) (optional): the verdict, %POSH_VERIFY_STATUS_NONE when the
 *   certificate matched and is within its validity period
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Checks @certificate against the POSH document @domain publishes for
 * @service, fetching it (see [method@Posh.Verifier.fetch]) unless a valid
 * cached copy exists. The verification flags are those of
 * [property@Posh.Verifier:verify-flags]; validity is checked at the
 * verifier's clock.
 *
 * As with libdane, the return value says whether the check could be made,
 * and @status gives the verdict: a %TRUE return with a @status other than
 * %POSH_VERIFY_STATUS_NONE means POSH rejected the certificate.
 *
 * This call blocks; it is usable inside a
 * [signal@Gio.TlsConnection::accept-certificate] handler, ideally after a
 * prefetch with [method@Posh.Verifier.fetch_async].
 *
 * Returns: %TRUE if the certificate was checked, %FALSE with @error set if
 *   it could not be
 *
 * Since: 0.1
 */
gboolean
posh_verifier_verify_certificate (PoshVerifier      *verifier,
                                  GTlsCertificate   *certificate,
                                  const char        *domain,
                                  const char        *service,
                                  PoshVerifyStatus  *status,
                                  GCancellable      *cancellable,
                                  GError           **error)
{
  g_autoptr(GBytes) der = NULL;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), FALSE);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  der = certificate_get_der (certificate);
  if (der == NULL)
    {
      g_set_error_literal (error, POSH_ERROR, POSH_ERROR_NO_CERT,
                           "The certificate has no DER data");
      return FALSE;
    }
  data = g_bytes_get_data (der, &len);
  return _posh_verifier_verify_der (verifier, data, len, domain, service,
                                    verifier->verify_flags, status,
                                    cancellable, error);
}

/**
 * posh_verifier_verify_certificate_async:
 * @verifier: a [class@Posh.Verifier]
 * @certificate: the certificate the server presented
 * @domain: the source domain the client wants to reach
 * @service: the POSH service name
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the verification is complete
 * @user_data: data for @callback
 *
 * Asynchronously checks @certificate; see
 * [method@Posh.Verifier.verify_certificate]. Concurrent calls for the same
 * domain and service share one HTTP fetch.
 *
 * Since: 0.1
 */
void
posh_verifier_verify_certificate_async (PoshVerifier        *verifier,
                                        GTlsCertificate     *certificate,
                                        const char          *domain,
                                        const char          *service,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GBytes) der = NULL;

  g_return_if_fail (POSH_IS_VERIFIER (verifier));
  g_return_if_fail (G_IS_TLS_CERTIFICATE (certificate));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  der = certificate_get_der (certificate);
  if (der == NULL)
    {
      g_task_report_new_error (verifier, callback, user_data,
                               posh_verifier_verify_certificate_async,
                               POSH_ERROR, POSH_ERROR_NO_CERT,
                               "The certificate has no DER data");
      return;
    }
  verifier_verify_async (verifier, der, domain, service, verifier->verify_flags,
                         cancellable, callback, user_data,
                         posh_verifier_verify_certificate_async);
}

/**
 * posh_verifier_verify_certificate_finish:
 * @verifier: a [class@Posh.Verifier]
 * @result: the [iface@Gio.AsyncResult] given to the callback
 * @status: (out) (optional): the verdict
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@Posh.Verifier.verify_certificate_async].
 *
 * Returns: %TRUE if the certificate was checked (the verdict is in
 *   @status), %FALSE with @error set if it could not be
 *
 * Since: 0.1
 */
gboolean
posh_verifier_verify_certificate_finish (PoshVerifier      *verifier,
                                         GAsyncResult      *result,
                                         PoshVerifyStatus  *status,
                                         GError           **error)
{
  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, verifier), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == posh_verifier_verify_certificate_async, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_task_get_task_data (G_TASK (result)) == NULL)
    return g_task_propagate_boolean (G_TASK (result), error);
  return verifier_verify_finish (verifier, result, status, error);
}

/**
 * posh_verifier_lookup_cached:
 * @verifier: a [class@Posh.Verifier]
 * @domain: the source domain
 * @service: the POSH service name
 *
 * Looks up the cache only, with no network activity.
 *
 * Returns: (transfer full) (nullable): the cached fingerprints document,
 *   or %NULL when there is no valid entry (none, expired, a cached failure,
 *   a bad name, or caching is off)
 *
 * Since: 0.1
 */
PoshDocument *
posh_verifier_lookup_cached (PoshVerifier *verifier,
                             const char   *domain,
                             const char   *service)
{
  g_autofree char *ndomain = NULL;
  g_autofree char *nservice = NULL;
  g_autoptr(GError) error = NULL;
  PoshDocument *document = NULL;

  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), NULL);

  if (verifier_lookup_raw (verifier, domain, service, &document, &error))
    return document;
  if (error == NULL
      && verifier_uses_cache (verifier)
      && verifier_normalize (domain, service, &ndomain, &nservice, NULL))
    {
      PoshCacheKey key = { ndomain, nservice, verifier_legacy (verifier) };

      verifier_cache_lookup (verifier, &key, &document, NULL);
    }
  return document;
}

/**
 * posh_verifier_clear_cache:
 * @verifier: a [class@Posh.Verifier]
 *
 * Drops every cached document and cached failure. Fetches in flight still
 * complete for their callers, but their results are not cached.
 *
 * Since: 0.1
 */
void
posh_verifier_clear_cache (PoshVerifier *verifier)
{
  g_return_if_fail (POSH_IS_VERIFIER (verifier));

  g_mutex_lock (&verifier->lock);
  _posh_cache_clear (verifier->cache);
  verifier->generation++;
  g_mutex_unlock (&verifier->lock);
}

/* ---- configuration ----------------------------------------------------- */

/**
 * posh_verifier_new:
 *
 * Creates a verifier with the default settings: the system trust store for
 * the HTTPS leg, a 10 s timeout, at most 10 redirects, a 30-day cap on
 * cache lifetimes, no negative caching, the system clocks.
 *
 * Returns: (transfer full): a new [class@Posh.Verifier]
 *
 * Since: 0.1
 */
PoshVerifier *
posh_verifier_new (void)
{
  return g_object_new (POSH_TYPE_VERIFIER, NULL);
}

/**
 * posh_verifier_set_tls_database:
 * @verifier: a [class@Posh.Verifier]
 * @database: (nullable): the trust store for the HTTPS servers, or %NULL
 *   for the system default
 *
 * Sets the trust store the HTTPS server of every hop is authenticated
 * against. Clears the cache: documents fetched under another trust store
 * are not reused.
 *
 * Since: 0.1
 */
void
posh_verifier_set_tls_database (PoshVerifier *verifier,
                                GTlsDatabase *database)
{
  g_return_if_fail (POSH_IS_VERIFIER (verifier));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  if (!g_set_object (&verifier->tls_database, database))
    return;
  _posh_fetcher_set_tls_database (verifier->fetcher, database);
  posh_verifier_clear_cache (verifier);
  g_object_notify_by_pspec (G_OBJECT (verifier), properties[PROP_TLS_DATABASE]);
}

/**
 * posh_verifier_get_tls_database:
 * @verifier: a [class@Posh.Verifier]
 *
 * Gets the trust store set with [method@Posh.Verifier.set_tls_database].
 *
 * Returns: (transfer none) (nullable): the trust store, or %NULL for the
 *   system default
 *
 * Since: 0.1
 */
GTlsDatabase *
posh_verifier_get_tls_database (PoshVerifier *verifier)
{
  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), NULL);

  return verifier->tls_database;
}

/**
 * posh_verifier_add_connect_to:
 * @verifier: a [class@Posh.Verifier]
 * @spec: `HOST:PORT:CONNECT_HOST:CONNECT_PORT`, as curl's `--connect-to`
 * @error: return location for a [struct@GLib.Error]
 *
 * Sends connections for HOST:PORT to CONNECT_HOST:CONNECT_PORT instead,
 * while the URL, the `Host` header, SNI and the certificate check keep
 * HOST. May be called several times. Clears the cache.
 *
 * Returns: %TRUE on success, %FALSE with %POSH_ERROR_INVALID_REQUEST if
 *   @spec is malformed
 *
 * Since: 0.1
 */
gboolean
posh_verifier_add_connect_to (PoshVerifier  *verifier,
                              const char    *spec,
                              GError       **error)
{
  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (spec == NULL)
    {
      g_set_error_literal (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST,
                           "No connect-to specification given");
      return FALSE;
    }
  if (!_posh_fetcher_add_connect_to (verifier->fetcher, spec, error))
    return FALSE;
  posh_verifier_clear_cache (verifier);
  return TRUE;
}

/**
 * posh_verifier_set_timeout:
 * @verifier: a [class@Posh.Verifier]
 * @timeout_ms: the total time allowed for one fetch, in milliseconds (at
 *   least 1)
 *
 * Sets the timeout of a whole fetch operation (all hops together, spec
 * E16); a fetch that runs out of time fails with %POSH_ERROR_TIMEOUT.
 * The default is 10000 (10 s). 0 is raised to 1.
 *
 * Since: 0.1
 */
void
posh_verifier_set_timeout (PoshVerifier *verifier,
                           guint         timeout_ms)
{
  g_return_if_fail (POSH_IS_VERIFIER (verifier));

  timeout_ms = MAX (timeout_ms, 1);
  if (verifier->timeout_ms == timeout_ms)
    return;
  verifier->timeout_ms = timeout_ms;
  _posh_fetcher_set_timeout (verifier->fetcher, timeout_ms);
  g_object_notify_by_pspec (G_OBJECT (verifier), properties[PROP_TIMEOUT]);
}

/**
 * posh_verifier_get_timeout:
 * @verifier: a [class@Posh.Verifier]
 *
 * Gets the fetch timeout.
 *
 * Returns: the timeout in milliseconds
 *
 * Since: 0.1
 */
guint
posh_verifier_get_timeout (PoshVerifier *verifier)
{
  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), 0);

  return verifier->timeout_ms;
}

/**
 * posh_verifier_set_max_redirects:
 * @verifier: a [class@Posh.Verifier]
 * @max_redirects: the most redirects one operation may follow
 *
 * Sets the redirect limit of one operation (the source fetch and the `url`
 * fetch together, spec E15). RFC 7711 recommends at most 10 (R35), and
 * this library never follows more: a value above 10 is clamped to 10.
 * 0 forbids redirects. The default is 10.
 *
 * Since: 0.1
 */
void
posh_verifier_set_max_redirects (PoshVerifier *verifier,
                                 guint         max_redirects)
{
  g_return_if_fail (POSH_IS_VERIFIER (verifier));

  max_redirects = MIN (max_redirects, POSH_MAX_REDIRECTS_LIMIT);
  if (verifier->max_redirects == max_redirects)
    return;
  verifier->max_redirects = max_redirects;
  _posh_fetcher_set_max_redirects (verifier->fetcher, max_redirects);
  g_object_notify_by_pspec (G_OBJECT (verifier), properties[PROP_MAX_REDIRECTS]);
}

/**
 * posh_verifier_get_max_redirects:
 * @verifier: a [class@Posh.Verifier]
 *
 * Gets the redirect limit.
 *
 * Returns: the most redirects one operation may follow
 *
 * Since: 0.1
 */
guint
posh_verifier_get_max_redirects (PoshVerifier *verifier)
{
  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), 0);

  return verifier->max_redirects;
}

/**
 * posh_verifier_set_max_lifetime:
 * @verifier: a [class@Posh.Verifier]
 * @seconds: the longest time a document is cached (at least 1)
 *
 * Caps the cache lifetime of every document, whatever its `expires` says
 * (spec R39, E12). The default is 2592000 (30 days). 0 is raised to 1.
 * Clears the cache, so that no entry outlives the new cap.
 *
 * Since: 0.1
 */
void
posh_verifier_set_max_lifetime (PoshVerifier *verifier,
                                guint         seconds)
{
  g_return_if_fail (POSH_IS_VERIFIER (verifier));

  seconds = MAX (seconds, 1);
  if (verifier->limits.max_lifetime == seconds)
    return;
  verifier->limits.max_lifetime = seconds;
  _posh_fetcher_set_limits (verifier->fetcher, &verifier->limits);
  posh_verifier_clear_cache (verifier);
  g_object_notify_by_pspec (G_OBJECT (verifier), properties[PROP_MAX_LIFETIME]);
}

/**
 * posh_verifier_get_max_lifetime:
 * @verifier: a [class@Posh.Verifier]
 *
 * Gets the cap on cache lifetimes.
 *
 * Returns: the cap in seconds
 *
 * Since: 0.1
 */
guint
posh_verifier_get_max_lifetime (PoshVerifier *verifier)
{
  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), 0);

  return (guint) verifier->limits.max_lifetime;
}

/**
 * posh_verifier_set_flags:
 * @verifier: a [class@Posh.Verifier]
 * @flags: the new flags
 *
 * Sets the verifier's flags. Turning on %POSH_VERIFIER_FLAGS_NO_CACHE
 * clears the cache.
 *
 * Since: 0.1
 */
void
posh_verifier_set_flags (PoshVerifier      *verifier,
                         PoshVerifierFlags  flags)
{
  g_return_if_fail (POSH_IS_VERIFIER (verifier));

  if (verifier->flags == flags)
    return;
  verifier->flags = flags;
  if (flags & POSH_VERIFIER_FLAGS_NO_CACHE)
    posh_verifier_clear_cache (verifier);
  g_object_notify_by_pspec (G_OBJECT (verifier), properties[PROP_FLAGS]);
}

/**
 * posh_verifier_get_flags:
 * @verifier: a [class@Posh.Verifier]
 *
 * Gets the verifier's flags.
 *
 * Returns: the flags
 *
 * Since: 0.1
 */
PoshVerifierFlags
posh_verifier_get_flags (PoshVerifier *verifier)
{
  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), POSH_VERIFIER_FLAGS_NONE);

  return verifier->flags;
}

/**
 * posh_verifier_set_verify_flags:
 * @verifier: a [class@Posh.Verifier]
 * @flags: the verification flags
 *
 * Sets the flags [method@Posh.Verifier.verify_certificate] verifies with.
 *
 * Since: 0.1
 */
void
posh_verifier_set_verify_flags (PoshVerifier    *verifier,
                                PoshVerifyFlags  flags)
{
  g_return_if_fail (POSH_IS_VERIFIER (verifier));

  if (verifier->verify_flags == flags)
    return;
  verifier->verify_flags = flags;
  g_object_notify_by_pspec (G_OBJECT (verifier), properties[PROP_VERIFY_FLAGS]);
}

/**
 * posh_verifier_get_verify_flags:
 * @verifier: a [class@Posh.Verifier]
 *
 * Gets the verification flags.
 *
 * Returns: the flags
 *
 * Since: 0.1
 */
PoshVerifyFlags
posh_verifier_get_verify_flags (PoshVerifier *verifier)
{
  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), POSH_VERIFY_FLAGS_NONE);

  return verifier->verify_flags;
}

static void
verifier_set_negative_cache_lifetime (PoshVerifier *self,
                                      guint         seconds)
{
  if (self->negative_cache_lifetime == seconds)
    return;
  self->negative_cache_lifetime = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEGATIVE_CACHE_LIFETIME]);
}

/**
 * posh_verifier_set_clock:
 * @verifier: a [class@Posh.Verifier]
 * @func: (nullable) (scope notified) (closure user_data) (destroy destroy):
 *   the clock, or %NULL for the system clocks
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Installs one clock for both certificate validity checks and cache expiry,
 * for tests and replays. Without one, validity is checked at the wall
 * clock and cache expiry follows the monotonic clock. Clears the cache,
 * whose expiry times belong to the previous clock.
 *
 * Set the clock before starting operations: it is not synchronised with
 * operations running in other threads.
 *
 * Since: 0.1
 */
void
posh_verifier_set_clock (PoshVerifier   *verifier,
                         PoshClockFunc   func,
                         gpointer        user_data,
                         GDestroyNotify  destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (POSH_IS_VERIFIER (verifier));

  g_mutex_lock (&verifier->lock);
  old_destroy = verifier->clock_destroy;
  old_data = verifier->clock_data;
  verifier->clock = func;
  verifier->clock_data = func != NULL ? user_data : NULL;
  verifier->clock_destroy = func != NULL ? destroy : NULL;
  _posh_cache_clear (verifier->cache);
  verifier->generation++;
  g_mutex_unlock (&verifier->lock);

  if (old_destroy != NULL)
    old_destroy (old_data);
}

/* ---- GObject ----------------------------------------------------------- */

static void
posh_verifier_finalize (GObject *object)
{
  PoshVerifier *self = POSH_VERIFIER (object);

  g_clear_pointer (&self->cache, _posh_cache_free);
  g_clear_object (&self->fetcher);
  g_clear_object (&self->tls_database);
  if (self->clock_destroy != NULL)
    self->clock_destroy (self->clock_data);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (posh_verifier_parent_class)->finalize (object);
}

static void
posh_verifier_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PoshVerifier *self = POSH_VERIFIER (object);

  switch (prop_id)
    {
    case PROP_TLS_DATABASE:
      g_value_set_object (value, self->tls_database);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout_ms);
      break;
    case PROP_MAX_REDIRECTS:
      g_value_set_uint (value, self->max_redirects);
      break;
    case PROP_MAX_LIFETIME:
      g_value_set_uint (value, (guint) self->limits.max_lifetime);
      break;
    case PROP_FLAGS:
      g_value_set_flags (value, self->flags);
      break;
    case PROP_VERIFY_FLAGS:
      g_value_set_flags (value, self->verify_flags);
      break;
    case PROP_NEGATIVE_CACHE_LIFETIME:
      g_value_set_uint (value, self->negative_cache_lifetime);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
posh_verifier_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PoshVerifier *self = POSH_VERIFIER (object);

  switch (prop_id)
    {
    case PROP_TLS_DATABASE:
      posh_verifier_set_tls_database (self, g_value_get_object (value));
      break;
    case PROP_TIMEOUT:
      posh_verifier_set_timeout (self, g_value_get_uint (value));
      break;
    case PROP_MAX_REDIRECTS:
      posh_verifier_set_max_redirects (self, g_value_get_uint (value));
      break;
    case PROP_MAX_LIFETIME:
      posh_verifier_set_max_lifetime (self, g_value_get_uint (value));
      break;
    case PROP_FLAGS:
      posh_verifier_set_flags (self, g_value_get_flags (value));
      break;
    case PROP_VERIFY_FLAGS:
      posh_verifier_set_verify_flags (self, g_value_get_flags (value));
      break;
    case PROP_NEGATIVE_CACHE_LIFETIME:
      verifier_set_negative_cache_lifetime (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
posh_verifier_class_init (PoshVerifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = posh_verifier_finalize;
  object_class->get_property = posh_verifier_get_property;
  object_class->set_property = posh_verifier_set_property;

  /**
   * PoshVerifier:tls-database: (setter set_tls_database) (getter get_tls_database)
   *
   * The trust store for the HTTPS servers, or %NULL for the system default.
   *
   * Since: 0.1
   */
  properties[PROP_TLS_DATABASE] =
    g_param_spec_object ("tls-database", NULL, NULL,
                         G_TYPE_TLS_DATABASE, flags);

  /**
   * PoshVerifier:timeout: (setter set_timeout) (getter get_timeout)
   *
   * The timeout of a whole fetch operation, in milliseconds.
   *
   * Since: 0.1
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL,
                       1, G_MAXUINT, POSH_DEFAULT_TIMEOUT_MS, flags);

  /**
   * PoshVerifier:max-redirects: (setter set_max_redirects) (getter get_max_redirects)
   *
   * The most redirects one operation may follow, at most 10 (R35).
   *
   * Since: 0.1
   */
  properties[PROP_MAX_REDIRECTS] =
    g_param_spec_uint ("max-redirects", NULL, NULL,
                       0, POSH_MAX_REDIRECTS_LIMIT, POSH_DEFAULT_MAX_REDIRECTS, flags);

  /**
   * PoshVerifier:max-lifetime: (setter set_max_lifetime) (getter get_max_lifetime)
   *
   * The cap on the cache lifetime of a document, in seconds.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_LIFETIME] =
    g_param_spec_uint ("max-lifetime", NULL, NULL,
                       1, G_MAXUINT, POSH_DEFAULT_MAX_LIFETIME, flags);

  /**
   * PoshVerifier:flags: (setter set_flags) (getter get_flags)
   *
   * The verifier's flags.
   *
   * Since: 0.1
   */
  properties[PROP_FLAGS] =
    g_param_spec_flags ("flags", NULL, NULL,
                        POSH_TYPE_VERIFIER_FLAGS, POSH_VERIFIER_FLAGS_NONE, flags);

  /**
   * PoshVerifier:verify-flags: (setter set_verify_flags) (getter get_verify_flags)
   *
   * The flags [method@Posh.Verifier.verify_certificate] verifies with.
   *
   * Since: 0.1
   */
  properties[PROP_VERIFY_FLAGS] =
    g_param_spec_flags ("verify-flags", NULL, NULL,
                        POSH_TYPE_VERIFY_FLAGS, POSH_VERIFY_FLAGS_NONE, flags);

  /**
   * PoshVerifier:negative-cache-lifetime:
   *
   * How long a failure to get a document (404, HTTP or TLS error, bad
   * document...) is remembered, in seconds, so that the next request for
   * the same domain and service fails at once with the same error (spec
   * E22). 0, the default, turns negative caching off. Capped by
   * [property@Posh.Verifier:max-lifetime].
   *
   * Since: 0.1
   */
  properties[PROP_NEGATIVE_CACHE_LIFETIME] =
    g_param_spec_uint ("negative-cache-lifetime", NULL, NULL,
                       0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
posh_verifier_init (PoshVerifier *self)
{
  g_mutex_init (&self->lock);
  self->cache = _posh_cache_new ();
  self->fetcher = _posh_fetcher_new ();
  _posh_parse_limits_init (&self->limits);
  self->limits.max_lifetime = POSH_DEFAULT_MAX_LIFETIME;
  self->timeout_ms = POSH_DEFAULT_TIMEOUT_MS;
  self->max_redirects = POSH_DEFAULT_MAX_REDIRECTS;
  _posh_fetcher_set_limits (self->fetcher, &self->limits);
  _posh_fetcher_set_timeout (self->fetcher, self->timeout_ms);
  _posh_fetcher_set_max_redirects (self->fetcher, self->max_redirects);
}
