/* posh-verifier.c: PoshVerifier, its configuration and clocks
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

#include "posh-verifier-private.h"

#include "posh-enums.h"

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
gint64
_posh_verifier_cache_now_locked (PoshVerifier *self)
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
  now = _posh_verifier_cache_now_locked (self);
  g_mutex_unlock (&self->lock);
  return now;
}

const PoshParseLimits *
_posh_verifier_get_parse_limits (PoshVerifier *self)
{
  return &self->limits;
}

/* ---- configuration ----------------------------------------------------- */

/* A setting the fetcher holds a copy of: stores value in *field, hands it
 * to the fetcher with apply, and notifies prop; nothing when unchanged. */
static void
verifier_set_fetcher_uint (PoshVerifier *self,
                           guint        *field,
                           guint         value,
                           void        (*apply) (PoshFetcher *, guint),
                           guint         prop)
{
  if (*field == value)
    return;
  *field = value;
  apply (self->fetcher, value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

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

  verifier_set_fetcher_uint (verifier, &verifier->timeout_ms, MAX (timeout_ms, 1),
                             _posh_fetcher_set_timeout, PROP_TIMEOUT);
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

  verifier_set_fetcher_uint (verifier, &verifier->max_redirects,
                             MIN (max_redirects, POSH_MAX_REDIRECTS_LIMIT),
                             _posh_fetcher_set_max_redirects, PROP_MAX_REDIRECTS);
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
  _posh_verifier_clear_cache_locked (verifier);
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

/* The properties of the HTTPS leg. */
static void
install_fetch_properties (GParamFlags flags)
{
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
}

/* The properties of the cache and the verification. */
static void
install_cache_properties (GParamFlags flags)
{
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
}

static void
posh_verifier_class_init (PoshVerifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = posh_verifier_finalize;
  object_class->get_property = posh_verifier_get_property;
  object_class->set_property = posh_verifier_set_property;

  install_fetch_properties (flags);
  install_cache_properties (flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
posh_verifier_init (PoshVerifier *self)
{
  g_mutex_init (&self->lock);
  self->cache = _posh_cache_new ();
  /* the fetcher starts from these same defaults */
  self->fetcher = _posh_fetcher_new ();
  _posh_parse_limits_init (&self->limits);
  self->timeout_ms = POSH_DEFAULT_TIMEOUT_MS;
  self->max_redirects = POSH_DEFAULT_MAX_REDIRECTS;
}
