/* posh-verifier-fetch.c: PoshVerifier's cache and fetches
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * How a document is got (DESIGN.md, "How a verification flows"): from the
 * cache when a valid entry exists (the names as given first, allocation-
 * free, then normalised), otherwise over HTTPS through the PoshFetcher.
 * Asynchronous requests for one key share one fetch: the first starts it,
 * the others wait on it, and the fetch is cancelled only when every waiter
 * has left. Outcomes are cached under the generation they started in, so
 * that a fetch overtaken by a cache clear stores nothing.
 */

#include "config.h"

#include "posh-verifier-private.h"

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
  hit = _posh_cache_lookup (self->cache, key, _posh_verifier_cache_now_locked (self),
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

      _posh_cache_maintain (self->cache, _posh_verifier_cache_now_locked (self));
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

/* See posh-verifier-private.h. */
gboolean
_posh_verifier_lookup_raw (PoshVerifier  *self,
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

/* The cache-first step every operation starts with. Returns TRUE when it
 * settled the outcome: a cached document in *document (transfer full), a
 * cached failure or a bad name in error. Otherwise FALSE, with the
 * normalised names in *ndomain and *nservice for the fetch. */
static gboolean
verifier_from_cache (PoshVerifier  *self,
                     const char    *domain,
                     const char    *service,
                     char         **ndomain,
                     char         **nservice,
                     PoshDocument **document,
                     GError       **error)
{
  PoshCacheKey key;

  if (_posh_verifier_lookup_raw (self, domain, service, document, error))
    return TRUE;
  if (!verifier_normalize (domain, service, ndomain, nservice, error))
    return TRUE;
  if (!verifier_uses_cache (self))
    return FALSE;
  key = (PoshCacheKey) { *ndomain, *nservice, verifier_legacy (self) };
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

  if (verifier_from_cache (verifier, domain, service, &ndomain, &nservice,
                           &document, error))
    return document;

  key = (PoshCacheKey) { ndomain, nservice, verifier_legacy (verifier) };
  g_mutex_lock (&verifier->lock);
  generation = verifier->generation;
  start = _posh_verifier_cache_now_locked (verifier);
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
      inflight->start = _posh_verifier_cache_now_locked (self);
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

  if (verifier_from_cache (self, domain, service, &ndomain, &nservice,
                           &document, &error))
    {
      if (document != NULL)
        g_task_return_pointer (task, document, (GDestroyNotify) posh_document_unref);
      else
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

/* ---- the cache alone ---------------------------------------------------- */

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

  /* a cached failure or a bad name is no document either */
  verifier_from_cache (verifier, domain, service, &ndomain, &nservice,
                       &document, &error);
  return document;
}

/* See posh-verifier-private.h. */
void
_posh_verifier_clear_cache_locked (PoshVerifier *self)
{
  _posh_cache_clear (self->cache);
  self->generation++;
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
  _posh_verifier_clear_cache_locked (verifier);
  g_mutex_unlock (&verifier->lock);
}

/* ---- cache size, for the tests ----------------------------------------- */

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
