/* posh-fetcher.c: PoshFetcher, the settings of the HTTPS fetches
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The trust store, the connect_to rules, the timeout, the redirect limit
 * and the parse limits, guarded by one lock: a PoshVerifier sets them, and
 * every operation of posh-fetch.c takes a snapshot when it starts.
 */

#include "config.h"

#include "posh-fetcher-private.h"

/* ---- PoshFetcher ---------------------------------------------------------- */

struct _PoshFetcher
{
  GObject          parent_instance;

  GMutex           lock;          /* guards the settings below */
  GTlsDatabase    *database;      /* (owned) (nullable): NULL = system */
  PoshConnectToSet *connect_to;   /* (owned) copied on write once shared */
  guint            timeout_ms;
  guint            max_redirects;
  PoshParseLimits  limits;
};

G_DEFINE_TYPE (PoshFetcher, _posh_fetcher, G_TYPE_OBJECT)

static void
_posh_fetcher_finalize (GObject *object)
{
  PoshFetcher *self = POSH_FETCHER (object);

  g_clear_object (&self->database);
  g_clear_pointer (&self->connect_to, _posh_connect_to_set_unref);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (_posh_fetcher_parent_class)->finalize (object);
}

static void
_posh_fetcher_class_init (PoshFetcherClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = _posh_fetcher_finalize;
}

static void
_posh_fetcher_init (PoshFetcher *self)
{
  g_mutex_init (&self->lock);
  self->connect_to = _posh_connect_to_set_new ();
  self->timeout_ms = POSH_DEFAULT_TIMEOUT_MS;
  self->max_redirects = POSH_DEFAULT_MAX_REDIRECTS;
  _posh_parse_limits_init (&self->limits);
}

PoshFetcher *
_posh_fetcher_new (void)
{
  return g_object_new (POSH_TYPE_FETCHER, NULL);
}

void
_posh_fetcher_set_tls_database (PoshFetcher  *fetcher,
                                GTlsDatabase *database)
{
  g_return_if_fail (POSH_IS_FETCHER (fetcher));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  g_mutex_lock (&fetcher->lock);
  g_set_object (&fetcher->database, database);
  g_mutex_unlock (&fetcher->lock);
}

/* Returns: (transfer none) (nullable): NULL means the system database. */
GTlsDatabase *
_posh_fetcher_get_tls_database (PoshFetcher *fetcher)
{
  GTlsDatabase *database;

  g_return_val_if_fail (POSH_IS_FETCHER (fetcher), NULL);

  g_mutex_lock (&fetcher->lock);
  database = fetcher->database;
  g_mutex_unlock (&fetcher->lock);
  return database;
}

/* The total time of one operation, all hops included; 0 restores the
 * default (POSH_DEFAULT_TIMEOUT_MS). */
void
_posh_fetcher_set_timeout (PoshFetcher *fetcher,
                           guint        timeout_ms)
{
  g_return_if_fail (POSH_IS_FETCHER (fetcher));

  g_mutex_lock (&fetcher->lock);
  fetcher->timeout_ms = timeout_ms > 0 ? timeout_ms : POSH_DEFAULT_TIMEOUT_MS;
  g_mutex_unlock (&fetcher->lock);
}

/* Redirects followed per operation, source and url fetch together (R35,
 * E15); 0 refuses every redirect. */
void
_posh_fetcher_set_max_redirects (PoshFetcher *fetcher,
                                 guint        max_redirects)
{
  g_return_if_fail (POSH_IS_FETCHER (fetcher));

  g_mutex_lock (&fetcher->lock);
  fetcher->max_redirects = max_redirects;
  g_mutex_unlock (&fetcher->lock);
}

void
_posh_fetcher_set_limits (PoshFetcher           *fetcher,
                          const PoshParseLimits *limits)
{
  g_return_if_fail (POSH_IS_FETCHER (fetcher));
  g_return_if_fail (limits != NULL);

  g_mutex_lock (&fetcher->lock);
  fetcher->limits = *limits;
  g_mutex_unlock (&fetcher->lock);
}

/* Later rules for the same HOST:PORT replace earlier ones. */
gboolean
_posh_fetcher_add_connect_to (PoshFetcher  *fetcher,
                              const char   *spec,
                              GError      **error)
{
  PoshConnectTo *rule;

  g_return_val_if_fail (POSH_IS_FETCHER (fetcher), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  rule = _posh_connect_to_parse (spec, error);
  if (rule == NULL)
    return FALSE;

  /* Operations hold the set they started with: the fetcher's set is
   * replaced by a modified copy when any of them still uses it. */
  g_mutex_lock (&fetcher->lock);
  fetcher->connect_to = _posh_connect_to_set_add (fetcher->connect_to, rule);
  g_mutex_unlock (&fetcher->lock);
  return TRUE;
}

void
_posh_fetch_config_init (PoshFetchConfig *config,
                         PoshFetcher     *fetcher)
{
  g_mutex_lock (&fetcher->lock);
  if (fetcher->database != NULL)
    config->database = g_object_ref (fetcher->database);
  else
    config->database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  config->connect_to = _posh_connect_to_set_ref (fetcher->connect_to);
  config->timeout_ms = fetcher->timeout_ms;
  config->max_redirects = fetcher->max_redirects;
  config->limits = fetcher->limits;
  g_mutex_unlock (&fetcher->lock);
}

void
_posh_fetch_config_clear (PoshFetchConfig *config)
{
  g_clear_object (&config->database);
  g_clear_pointer (&config->connect_to, _posh_connect_to_set_unref);
}
