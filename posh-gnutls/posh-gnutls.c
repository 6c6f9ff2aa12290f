/* posh-gnutls.c: the GnuTLS face, state and network part
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A posh_state_t is a PoshVerifier *; every function here is a thin layer
 * that translates arguments and maps a GError to a POSH_E_* code with
 * _posh_error_to_code(). The offline part (posh_raw_document, the query
 * accessors, posh_verify_crt_raw, the texts) is in posh-query.c.
 */

#include "config.h"

#include "posh-gnutls.h"

#include "posh-private.h"

G_STATIC_ASSERT ((int) POSH_F_NO_CACHE == (int) POSH_VERIFIER_FLAGS_NO_CACHE);
G_STATIC_ASSERT ((int) POSH_F_LEGACY_PATH == (int) POSH_VERIFIER_FLAGS_LEGACY_PATH);
/* the POSH_VFLAG_* and POSH_VERIFY_* values are asserted in posh-query.c */

static int
error_to_code (GError *error)
{
  int code = _posh_error_to_code (error);

  g_debug ("%s", error->message);
  g_error_free (error);
  return code;
}

/* ---- state ------------------------------------------------------------- */

/**
 * posh_state_init:
 * @s: (out): the structure to be initialized
 * @flags: flags from the `posh_state_flags_t` enumeration (`POSH_F_*`)
 *
 * This function will initialize the POSH state structure: the HTTPS
 * session (trusting the system certificate store), the limits and the
 * cache. Deinitialize it with posh_state_deinit().
 *
 * Returns: On success, %POSH_E_SUCCESS (0) is returned, otherwise a
 *   negative error value: %POSH_E_INITIALIZATION_ERROR when GIO has no TLS
 *   backend (glib-networking is missing), %POSH_E_INVALID_REQUEST for a
 *   %NULL @s or unknown flags.
 *
 * Since: 0.1
 */
int
posh_state_init (posh_state_t *s,
                 unsigned int  flags)
{
  PoshVerifier *verifier;

  if (s == NULL)
    return POSH_E_INVALID_REQUEST;
  *s = NULL;
  if (flags & ~POSH_KNOWN_STATE_FLAGS)
    return POSH_E_INVALID_REQUEST;
  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    return POSH_E_INITIALIZATION_ERROR;

  verifier = posh_verifier_new ();
  posh_verifier_set_flags (verifier, (PoshVerifierFlags) flags);
  *s = verifier;
  return POSH_E_SUCCESS;
}

/**
 * posh_state_deinit:
 * @s: (nullable): the structure to be deinitialized
 *
 * This function will deinitialize a POSH state structure and drop its
 * cache. Operations still running keep the state alive until they
 * complete.
 *
 * Since: 0.1
 */
void
posh_state_deinit (posh_state_t s)
{
  if (s != NULL)
    g_object_unref (s);
}

/**
 * posh_state_set_trust_file:
 * @s: the state
 * @cafile: (nullable): a PEM file of trusted CA certificates, or %NULL to
 *   go back to the system certificate store
 *
 * This function will set the trust store the HTTPS server of every hop is
 * authenticated against (RFC 7711 section 3; there is no insecure
 * fallback). The cache is cleared.
 *
 * Returns: On success, %POSH_E_SUCCESS (0) is returned, otherwise a
 *   negative error value: %POSH_E_INITIALIZATION_ERROR if the file cannot
 *   be loaded, %POSH_E_INVALID_REQUEST for a %NULL @s.
 *
 * Since: 0.1
 */
int
posh_state_set_trust_file (posh_state_t  s,
                           const char   *cafile)
{
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;

  if (s == NULL)
    return POSH_E_INVALID_REQUEST;
  if (cafile != NULL)
    {
      database = g_tls_file_database_new (cafile, &error);
      if (database == NULL)
        {
          g_debug ("Cannot load %s: %s", cafile, error->message);
          return POSH_E_INITIALIZATION_ERROR;
        }
    }
  posh_verifier_set_tls_database (s, database);
  return POSH_E_SUCCESS;
}

/**
 * posh_state_set_connect_to:
 * @s: the state
 * @spec: `HOST:PORT:CONNECT_HOST:CONNECT_PORT`, as curl's `--connect-to`
 *
 * This function will make connections for HOST:PORT go to
 * CONNECT_HOST:CONNECT_PORT instead; the URL, the `Host` header, SNI and
 * the certificate check keep HOST. It may be called several times.
 *
 * Returns: On success, %POSH_E_SUCCESS (0) is returned, otherwise
 *   %POSH_E_INVALID_REQUEST (a malformed @spec or a %NULL argument).
 *
 * Since: 0.1
 */
int
posh_state_set_connect_to (posh_state_t  s,
                           const char   *spec)
{
  GError *error = NULL;

  if (s == NULL || spec == NULL)
    return POSH_E_INVALID_REQUEST;
  if (!posh_verifier_add_connect_to (s, spec, &error))
    return error_to_code (error);
  return POSH_E_SUCCESS;
}

/**
 * posh_state_set_max_redirects:
 * @s: the state
 * @max: the most redirects one operation may follow
 *
 * This function will set the redirect limit of one operation (source
 * fetch and `url` fetch together). The default is 10, the most RFC 7711
 * recommends; a higher value is clamped to 10.
 *
 * Since: 0.1
 */
void
posh_state_set_max_redirects (posh_state_t s,
                              unsigned int max)
{
  if (s != NULL)
    posh_verifier_set_max_redirects (s, max);
}

/**
 * posh_state_set_timeout:
 * @s: the state
 * @ms: the timeout of a whole fetch, in milliseconds
 *
 * This function will set the total time one fetch may take (all hops
 * together). The default is 10000 (10 s); 0 is raised to 1.
 *
 * Since: 0.1
 */
void
posh_state_set_timeout (posh_state_t s,
                        unsigned int ms)
{
  if (s != NULL)
    posh_verifier_set_timeout (s, ms);
}

/**
 * posh_state_set_max_lifetime:
 * @s: the state
 * @seconds: the longest time a document is cached
 *
 * This function will cap the cache lifetime of every document, whatever
 * its `expires` says. The default is 2592000 (30 days); 0 is raised to 1.
 * The cache is cleared.
 *
 * Since: 0.1
 */
void
posh_state_set_max_lifetime (posh_state_t s,
                             unsigned int seconds)
{
  if (s != NULL)
    posh_verifier_set_max_lifetime (s, seconds);
}

typedef struct
{
  gnutls_time_func func;
} TimeFunc;

static gint64
time_func_clock (gpointer user_data)
{
  TimeFunc *t = user_data;
  time_t now = 0;

  /* a non-NULL argument, for functions that, unlike time(), need one */
  return (gint64) t->func (&now);
}

/**
 * posh_state_set_time_func:
 * @s: the state
 * @func: (nullable): the clock, or %NULL for the system clocks
 *
 * This function will set the clock used both for certificate validity
 * checks and for cache expiry; @func is the kind of function
 * gnutls_global_set_time_function() takes, and only its return value is
 * used. With %NULL, validity is checked at the wall clock and expiry
 * follows the monotonic clock. The cache is cleared.
 *
 * Since: 0.1
 */
void
posh_state_set_time_func (posh_state_t     s,
                          gnutls_time_func func)
{
  TimeFunc *t;

  if (s == NULL)
    return;
  if (func == NULL)
    {
      posh_verifier_set_clock (s, NULL, NULL, NULL);
      return;
    }
  t = g_new0 (TimeFunc, 1);
  t->func = func;
  posh_verifier_set_clock (s, time_func_clock, t, g_free);
}

/* ---- queries ----------------------------------------------------------- */

/**
 * posh_query_fetch:
 * @s: the state
 * @q: (out): the query result; free it with posh_query_deinit()
 * @domain: the source domain, e.g. `example.com`
 * @service: the POSH service name, e.g. `xmpp-server` (`_xmpp-server._tcp`
 *   is accepted too)
 *
 * This function will get the POSH fingerprints document @domain publishes
 * for @service, from the state's cache or over HTTPS (redirects and one
 * `url` reference followed). The entries are read with
 * posh_query_entries() and posh_query_data(). This call blocks.
 *
 * Returns: On success, %POSH_E_SUCCESS (0) is returned, otherwise a
 *   negative error value, e.g. %POSH_E_NO_POSH_DATA (404 or 410),
 *   %POSH_E_HTTPS_ERROR, %POSH_E_RECEIVED_CORRUPT_DATA,
 *   %POSH_E_INVALID_REQUEST (a bad domain or service, checked before any
 *   network activity).
 *
 * Since: 0.1
 */
int
posh_query_fetch (posh_state_t  s,
                  posh_query_t *q,
                  const char   *domain,
                  const char   *service)
{
  GError *error = NULL;
  PoshDocument *document;

  if (q != NULL)
    *q = NULL;
  if (s == NULL || q == NULL || domain == NULL || service == NULL)
    return POSH_E_INVALID_REQUEST;

  document = posh_verifier_fetch (s, domain, service, NULL, &error);
  if (document == NULL)
    return error_to_code (error);
  *q = document;
  return POSH_E_SUCCESS;
}

static void
query_fetched_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  PoshDocument *document;

  document = posh_verifier_fetch_finish (POSH_VERIFIER (source), result, &error);
  if (document == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, document, (GDestroyNotify) posh_document_unref);
}

/**
 * posh_query_fetch_async:
 * @s: the state
 * @domain: the source domain
 * @service: the POSH service name
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the query is complete
 * @user_data: data for @callback
 *
 * This function will start posh_query_fetch() without blocking, in the
 * thread-default main context; @callback then calls
 * posh_query_fetch_finish(). Concurrent fetches of the same domain and
 * service share one HTTP fetch.
 *
 * Since: 0.1
 */
void
posh_query_fetch_async (posh_state_t         s,
                        const char          *domain,
                        const char          *service,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (s, cancellable, callback, user_data);
  g_task_set_source_tag (task, posh_query_fetch_async);
  if (s == NULL || domain == NULL || service == NULL)
    {
      g_task_return_new_error (task, POSH_ERROR, POSH_ERROR_INVALID_REQUEST,
                               "Missing state, domain or service");
      g_object_unref (task);
      return;
    }
  posh_verifier_fetch_async (s, domain, service, cancellable,
                             query_fetched_cb, task);
}

/**
 * posh_query_fetch_finish:
 * @s: the state given to posh_query_fetch_async()
 * @result: the #GAsyncResult given to the callback
 * @q: (out): the query result; free it with posh_query_deinit()
 *
 * This function will finish posh_query_fetch_async().
 *
 * Returns: what posh_query_fetch() would have returned:
 *   %POSH_E_SUCCESS (0) or a negative error value (%POSH_E_CANCELLED
 *   after cancellation).
 *
 * Since: 0.1
 */
int
posh_query_fetch_finish (posh_state_t  s,
                         GAsyncResult *result,
                         posh_query_t *q)
{
  GError *error = NULL;
  PoshDocument *document;

  g_return_val_if_fail (g_task_is_valid (result, s), POSH_E_INVALID_REQUEST);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == posh_query_fetch_async,
                        POSH_E_INVALID_REQUEST);

  if (q != NULL)
    *q = NULL;
  document = g_task_propagate_pointer (G_TASK (result), &error);
  if (document == NULL)
    return error_to_code (error);
  if (q == NULL)
    {
      posh_document_unref (document);
      return POSH_E_INVALID_REQUEST;
    }
  *q = document;
  return POSH_E_SUCCESS;
}

/* ---- verification ------------------------------------------------------ */

/* The arguments of a certificate verification, sync or async. */
typedef struct
{
  const gnutls_datum_t      *chain;
  unsigned int               chain_size;
  gnutls_certificate_type_t  type;
  const char                *domain;
  const char                *service;
  unsigned int               sflags;
  unsigned int               vflags;
} CrtRequest;

/* The argument checks shared by the sync and async calls, as dane.c makes
 * them, then the state to verify with: *s, or when that is NULL a
 * temporary state made with the request's sflags, stored in *temporary
 * too. Returns POSH_E_SUCCESS or the error code. */
static int
crt_request_prepare (const CrtRequest  *req,
                     posh_state_t      *s,
                     PoshVerifier     **temporary)
{
  int ret;

  if (req->type != GNUTLS_CRT_X509)
    return POSH_E_INVALID_REQUEST;
  if (req->chain == NULL || req->chain_size == 0 ||
      req->chain[0].data == NULL || req->chain[0].size == 0)
    return POSH_E_NO_CERT;
  if (req->domain == NULL || req->service == NULL ||
      (req->vflags & ~POSH_KNOWN_VERIFY_FLAGS))
    return POSH_E_INVALID_REQUEST;
  if (*s != NULL)
    return POSH_E_SUCCESS;

  ret = posh_state_init (temporary, req->sflags);
  *s = *temporary;
  return ret;
}

/**
 * posh_verify_crt:
 * @s: (nullable): the state, or %NULL for a temporary state made with
 *   @sflags
 * @chain: the certificate chain the server presented, leaf first
 * @chain_size: the number of certificates in @chain
 * @type: the type of the certificates (only %GNUTLS_CRT_X509)
 * @domain: the source domain the client wants to reach, e.g. `example.com`
 * @service: the POSH service name, e.g. `xmpp-client`
 * @sflags: flags for the temporary state when @s is %NULL (`POSH_F_*`)
 * @vflags: verification flags (`POSH_VFLAG_*`)
 * @verify: (out): the verification result, a `posh_verify_status_t`
 *   bitmask; %POSH_VERIFY_CERT_DIFFERS whenever an error is returned (fail
 *   closed)
 *
 * This function will verify the given certificate chain against the POSH
 * document @domain publishes for @service, fetched with the state's
 * settings unless the state's cache holds a valid copy. Only the DER of
 * the end-entity certificate (@chain[0]) is hashed; the others are
 * ignored. A matching certificate must also be within its validity period
 * at the state's clock (RFC 7711 section 6).
 *
 * If the POSH document could not be obtained a negative error value is
 * returned; a missing document gives %POSH_E_NO_POSH_DATA, so the caller
 * can fall back to other methods (RFC 7712 section 5.2).
 *
 * Due to the many possible options of POSH (delegation or pinning), the
 * verification status returned can be non-zero while no error value is
 * returned: a return of 0 with a zero @verify means the certificate
 * matched, and a non-zero @verify means POSH rejected the certificate.
 *
 * Returns: On success, %POSH_E_SUCCESS (0) is returned, otherwise a
 *   negative error value (%POSH_E_NO_CERT for an empty chain,
 *   %POSH_E_INVALID_REQUEST for a bad argument, domain or service, checked
 *   before any network activity).
 *
 * Since: 0.1
 */
int
posh_verify_crt (posh_state_t               s,
                 const gnutls_datum_t      *chain,
                 unsigned int               chain_size,
                 gnutls_certificate_type_t  type,
                 const char                *domain,
                 const char                *service,
                 unsigned int               sflags,
                 unsigned int               vflags,
                 unsigned int              *verify)
{
  CrtRequest req = { chain, chain_size, type, domain, service, sflags, vflags };
  g_autoptr(PoshVerifier) temporary = NULL;
  PoshVerifyStatus status = POSH_VERIFY_STATUS_NONE;
  GError *error = NULL;
  int ret;

  if (verify == NULL)
    return POSH_E_INVALID_REQUEST;
  *verify = POSH_VERIFY_CERT_DIFFERS;  /* fail closed until a verdict exists */
  ret = crt_request_prepare (&req, &s, &temporary);
  if (ret < 0)
    return ret;

  if (!_posh_verifier_verify_der (s, chain[0].data, chain[0].size, domain, service,
                                  (PoshVerifyFlags) vflags, &status, NULL, &error))
    return error_to_code (error);
  *verify = (unsigned int) status;
  return POSH_E_SUCCESS;
}

static void
crt_verified_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PoshVerifyStatus status = POSH_VERIFY_STATUS_NONE;
  GError *error = NULL;

  if (!_posh_verifier_verify_der_finish (POSH_VERIFIER (source), result, &status, &error))
    g_task_return_error (task, error);
  else
    g_task_return_int (task, (gssize) status);
}

static void
verify_crt_start (posh_state_t         s,
                  const CrtRequest    *req,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data,
                  gpointer             source_tag)
{
  GTask *task = g_task_new (s, cancellable, callback, user_data);
  g_autoptr(PoshVerifier) temporary = NULL;
  g_autoptr(GBytes) der = NULL;
  int ret;

  g_task_set_source_tag (task, source_tag);

  /* a temporary state is kept alive by the verification started on it */
  ret = crt_request_prepare (req, &s, &temporary);
  if (ret < 0)
    {
      g_task_return_int (task, ret);
      g_object_unref (task);
      return;
    }

  der = g_bytes_new (req->chain[0].data, req->chain[0].size);
  _posh_verifier_verify_der_async (s, der, req->domain, req->service,
                                   (PoshVerifyFlags) req->vflags,
                                   cancellable, crt_verified_cb, task);
}

/* The finish of both async verifications, whose tasks carry source_tag.
 * status >= 0 is a verdict, < 0 an argument error found before starting */
static int
verify_crt_finish (posh_state_t  s,
                   GAsyncResult *result,
                   gpointer      source_tag,
                   unsigned int *verify)
{
  GError *error = NULL;
  gssize ret;

  g_return_val_if_fail (g_task_is_valid (result, s), POSH_E_INVALID_REQUEST);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag,
                        POSH_E_INVALID_REQUEST);

  if (verify != NULL)
    *verify = POSH_VERIFY_CERT_DIFFERS;  /* fail closed until a verdict exists */
  ret = g_task_propagate_int (G_TASK (result), &error);
  if (error != NULL)
    return error_to_code (error);
  if (ret < 0)
    return (int) ret;
  if (verify == NULL)
    return POSH_E_INVALID_REQUEST;
  *verify = (unsigned int) ret;
  return POSH_E_SUCCESS;
}

/**
 * posh_verify_crt_async:
 * @s: (nullable): the state, or %NULL for a temporary state made with
 *   @sflags
 * @chain: the certificate chain the server presented, leaf first
 * @chain_size: the number of certificates in @chain
 * @type: the type of the certificates (only %GNUTLS_CRT_X509)
 * @domain: the source domain the client wants to reach
 * @service: the POSH service name
 * @sflags: flags for the temporary state when @s is %NULL (`POSH_F_*`)
 * @vflags: verification flags (`POSH_VFLAG_*`)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the verification is complete
 * @user_data: data for @callback
 *
 * This function will start posh_verify_crt() without blocking, in the
 * thread-default main context; @callback then calls
 * posh_verify_crt_finish() with the same @s. The end-entity certificate is
 * copied, so @chain need not outlive this call.
 *
 * Since: 0.1
 */
void
posh_verify_crt_async (posh_state_t               s,
                       const gnutls_datum_t      *chain,
                       unsigned int               chain_size,
                       gnutls_certificate_type_t  type,
                       const char                *domain,
                       const char                *service,
                       unsigned int               sflags,
                       unsigned int               vflags,
                       GCancellable              *cancellable,
                       GAsyncReadyCallback        callback,
                       gpointer                   user_data)
{
  CrtRequest req = { chain, chain_size, type, domain, service, sflags, vflags };

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  verify_crt_start (s, &req, cancellable, callback, user_data, posh_verify_crt_async);
}

/**
 * posh_verify_crt_finish:
 * @s: (nullable): the state given to posh_verify_crt_async()
 * @result: the #GAsyncResult given to the callback
 * @verify: (out): the verification result, a `posh_verify_status_t`
 *   bitmask; %POSH_VERIFY_CERT_DIFFERS whenever an error is returned (fail
 *   closed)
 *
 * This function will finish posh_verify_crt_async().
 *
 * Returns: what posh_verify_crt() would have returned: %POSH_E_SUCCESS
 *   (0), with the verdict in @verify, or a negative error value
 *   (%POSH_E_CANCELLED after cancellation).
 *
 * Since: 0.1
 */
int
posh_verify_crt_finish (posh_state_t  s,
                        GAsyncResult *result,
                        unsigned int *verify)
{
  return verify_crt_finish (s, result, posh_verify_crt_async, verify);
}

/* The peer's chain, as dane_verify_session_crt() gets it. */
static int
session_get_chain (gnutls_session_t       session,
                   const gnutls_datum_t **chain,
                   unsigned int          *chain_size)
{
  if (session == NULL)
    return POSH_E_INVALID_REQUEST;
  if (gnutls_certificate_type_get2 (session, GNUTLS_CTYPE_PEERS) != GNUTLS_CRT_X509)
    return POSH_E_INVALID_REQUEST;
  *chain = gnutls_certificate_get_peers (session, chain_size);
  if (*chain == NULL || *chain_size == 0)
    return POSH_E_NO_CERT;
  return POSH_E_SUCCESS;
}

/**
 * posh_verify_session_crt:
 * @s: (nullable): the state, or %NULL for a temporary state made with
 *   @sflags
 * @session: a GnuTLS session after the handshake
 * @domain: the source domain the client wants to reach
 * @service: the POSH service name
 * @sflags: flags for the temporary state when @s is %NULL (`POSH_F_*`)
 * @vflags: verification flags (`POSH_VFLAG_*`)
 * @verify: (out): the verification result, a `posh_verify_status_t`
 *   bitmask; %POSH_VERIFY_CERT_DIFFERS whenever an error is returned (fail
 *   closed)
 *
 * This function will verify the certificate the peer of @session presented
 * (gnutls_certificate_get_peers()) against the POSH document of @domain,
 * as posh_verify_crt() does. Only X.509 certificates are supported.
 *
 * Returns: On success, %POSH_E_SUCCESS (0) is returned, otherwise a
 *   negative error value (%POSH_E_NO_CERT when the peer sent no
 *   certificate, %POSH_E_INVALID_REQUEST for a non-X.509 session).
 *
 * Since: 0.1
 */
int
posh_verify_session_crt (posh_state_t      s,
                         gnutls_session_t  session,
                         const char       *domain,
                         const char       *service,
                         unsigned int      sflags,
                         unsigned int      vflags,
                         unsigned int     *verify)
{
  const gnutls_datum_t *chain = NULL;
  unsigned int chain_size = 0;
  int ret;

  if (verify == NULL)
    return POSH_E_INVALID_REQUEST;
  *verify = POSH_VERIFY_CERT_DIFFERS;  /* fail closed until a verdict exists */
  ret = session_get_chain (session, &chain, &chain_size);
  if (ret < 0)
    return ret;
  return posh_verify_crt (s, chain, chain_size, GNUTLS_CRT_X509, domain, service,
                          sflags, vflags, verify);
}

/**
 * posh_verify_session_crt_async:
 * @s: (nullable): the state, or %NULL for a temporary state made with
 *   @sflags
 * @session: a GnuTLS session after the handshake
 * @domain: the source domain the client wants to reach
 * @service: the POSH service name
 * @sflags: flags for the temporary state when @s is %NULL (`POSH_F_*`)
 * @vflags: verification flags (`POSH_VFLAG_*`)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the verification is complete
 * @user_data: data for @callback
 *
 * This function will start posh_verify_session_crt() without blocking;
 * @callback then calls posh_verify_session_crt_finish() with the same @s.
 * The peer's end-entity certificate is copied, so @session may be used or
 * closed meanwhile.
 *
 * Since: 0.1
 */
void
posh_verify_session_crt_async (posh_state_t         s,
                               gnutls_session_t     session,
                               const char          *domain,
                               const char          *service,
                               unsigned int         sflags,
                               unsigned int         vflags,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  const gnutls_datum_t *chain = NULL;
  unsigned int chain_size = 0;
  int ret;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  ret = session_get_chain (session, &chain, &chain_size);
  if (ret < 0)
    {
      GTask *task = g_task_new (s, cancellable, callback, user_data);

      g_task_set_source_tag (task, posh_verify_session_crt_async);
      g_task_return_int (task, ret);
      g_object_unref (task);
      return;
    }
  verify_crt_start (s,
                    &(CrtRequest) { chain, chain_size, GNUTLS_CRT_X509, domain,
                                    service, sflags, vflags },
                    cancellable, callback, user_data, posh_verify_session_crt_async);
}

/**
 * posh_verify_session_crt_finish:
 * @s: (nullable): the state given to posh_verify_session_crt_async()
 * @result: the #GAsyncResult given to the callback
 * @verify: (out): the verification result, a `posh_verify_status_t`
 *   bitmask; %POSH_VERIFY_CERT_DIFFERS whenever an error is returned (fail
 *   closed)
 *
 * This function will finish posh_verify_session_crt_async().
 *
 * Returns: what posh_verify_session_crt() would have returned:
 *   %POSH_E_SUCCESS (0), with the verdict in @verify, or a negative error
 *   value.
 *
 * Since: 0.1
 */
int
posh_verify_session_crt_finish (posh_state_t  s,
                                GAsyncResult *result,
                                unsigned int *verify)
{
  return verify_crt_finish (s, result, posh_verify_session_crt_async, verify);
}
