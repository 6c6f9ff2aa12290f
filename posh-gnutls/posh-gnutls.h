/* posh-gnutls.h: the GnuTLS face of posh-gnutls, modelled on <gnutls/dane.h>
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (POSH_INSIDE) && !defined (POSH_COMPILATION)
#error "Only <posh-gnutls/posh.h> can be included directly."
#endif

#include <gio/gio.h>
#include <gnutls/gnutls.h>

#include <posh-gnutls/posh-version-macros.h>

G_BEGIN_DECLS

/**
 * posh_state_t:
 *
 * A POSH verification state: configuration, HTTPS session and cache.
 * It is a [class@Posh.Verifier] seen through the GnuTLS-style API; create it
 * with posh_state_init() and free it with posh_state_deinit().
 *
 * Since: 0.1
 */
typedef struct _PoshVerifier *posh_state_t;

/**
 * posh_query_t:
 *
 * The result of a POSH query: a parsed or fetched document. It is a
 * [struct@Posh.Document] seen through the GnuTLS-style API; free it with
 * posh_query_deinit().
 *
 * Since: 0.1
 */
typedef struct _PoshDocument *posh_query_t;

/**
 * posh_state_flags_t:
 * @POSH_F_NO_CACHE: do not cache fetched documents (nor share fetches)
 * @POSH_F_LEGACY_PATH: after a 404 on the RFC 7711 path, also try the
 *   draft-02 path `/.well-known/posh._SERVICE._tcp.json`
 *
 * Flags for posh_state_init().
 *
 * Since: 0.1
 */
typedef enum
{
  POSH_F_NO_CACHE    = 1 << 0,
  POSH_F_LEGACY_PATH = 1 << 1,
} posh_state_flags_t;

/**
 * posh_verify_flags_t:
 * @POSH_VFLAG_ALLOW_SHA1: also check `sha-1` fingerprints (off by default)
 * @POSH_VFLAG_FAIL_IF_NOT_CHECKED: return %POSH_E_REQUESTED_DATA_NOT_AVAILABLE
 *   instead of setting %POSH_VERIFY_NO_USABLE_FINGERPRINT when no descriptor
 *   carries a hash this library checks
 *
 * Flags for the `vflags` argument of the verification functions.
 *
 * Since: 0.1
 */
typedef enum
{
  POSH_VFLAG_ALLOW_SHA1          = 1 << 0,
  POSH_VFLAG_FAIL_IF_NOT_CHECKED = 1 << 1,
} posh_verify_flags_t;

/**
 * posh_verify_status_t:
 * @POSH_VERIFY_CERT_DIFFERS: no fingerprint descriptor matched the certificate
 * @POSH_VERIFY_NO_USABLE_FINGERPRINT: no descriptor carries a hash this
 *   library checks, so nothing could match
 * @POSH_VERIFY_CERT_EXPIRED: a descriptor matched, but the certificate has
 *   expired at the state's clock
 * @POSH_VERIFY_CERT_NOT_ACTIVATED: a descriptor matched, but the
 *   certificate is not yet valid at the state's clock
 *
 * The verdict bits set in the `verify` output of the verification
 * functions. A verdict of 0 means the certificate matched the POSH
 * document and is within its validity period.
 *
 * Since: 0.1
 */
typedef enum
{
  POSH_VERIFY_CERT_DIFFERS          = 1 << 0,
  POSH_VERIFY_NO_USABLE_FINGERPRINT = 1 << 1,
  POSH_VERIFY_CERT_EXPIRED          = 1 << 2,
  POSH_VERIFY_CERT_NOT_ACTIVATED    = 1 << 3,
} posh_verify_status_t;

/**
 * POSH_E_SUCCESS:
 *
 * Success: the operation was carried out (for a verification, the verdict
 * is in `verify`).
 *
 * Since: 0.1
 */
#define POSH_E_SUCCESS 0
/**
 * POSH_E_INITIALIZATION_ERROR:
 *
 * The state could not be set up (for example the trust file could not be read).
 *
 * Since: 0.1
 */
#define POSH_E_INITIALIZATION_ERROR -1
/**
 * POSH_E_FETCH_ERROR:
 *
 * The POSH document could not be fetched: connection failure, reset, or an
 * HTTP status other than 200, 404 and 410.
 *
 * Since: 0.1
 */
#define POSH_E_FETCH_ERROR -2
/**
 * POSH_E_NO_POSH_DATA:
 *
 * The domain publishes no POSH document for the service (HTTP 404 or 410).
 *
 * Since: 0.1
 */
#define POSH_E_NO_POSH_DATA -3
/**
 * POSH_E_RECEIVED_CORRUPT_DATA:
 *
 * The document is not a valid POSH document.
 *
 * Since: 0.1
 */
#define POSH_E_RECEIVED_CORRUPT_DATA -4
/**
 * POSH_E_INVALIDATED:
 *
 * The document (or the reference leading to it) has `expires` 0: the
 * material must be treated as invalid.
 *
 * Since: 0.1
 */
#define POSH_E_INVALIDATED -5
/**
 * POSH_E_HTTPS_ERROR:
 *
 * An HTTPS server on the way failed authentication against its host name.
 *
 * Since: 0.1
 */
#define POSH_E_HTTPS_ERROR -6
/**
 * POSH_E_INSECURE_URL:
 *
 * A URL or redirect on the way is not https.
 *
 * Since: 0.1
 */
#define POSH_E_INSECURE_URL -7
/**
 * POSH_E_TOO_MANY_REDIRECTS:
 *
 * More redirects than the configured limit (10 by default), or a loop.
 *
 * Since: 0.1
 */
#define POSH_E_TOO_MANY_REDIRECTS -8
/**
 * POSH_E_CHAINED_REFERENCE:
 *
 * The document a reference points to is itself a reference.
 *
 * Since: 0.1
 */
#define POSH_E_CHAINED_REFERENCE -9
/**
 * POSH_E_TIMEOUT:
 *
 * The operation did not finish within the configured timeout.
 *
 * Since: 0.1
 */
#define POSH_E_TIMEOUT -10
/**
 * POSH_E_TOO_LARGE:
 *
 * The response or the document exceeds a size or count limit.
 *
 * Since: 0.1
 */
#define POSH_E_TOO_LARGE -11
/**
 * POSH_E_MEMORY_ERROR:
 *
 * Memory could not be allocated.
 *
 * Since: 0.1
 */
#define POSH_E_MEMORY_ERROR -12
/**
 * POSH_E_INVALID_REQUEST:
 *
 * A bad argument: an unusable domain or service name, or an invalid setting.
 *
 * Since: 0.1
 */
#define POSH_E_INVALID_REQUEST -13
/**
 * POSH_E_NO_CERT:
 *
 * No certificate was given, or the session has no peer certificate.
 *
 * Since: 0.1
 */
#define POSH_E_NO_CERT -14
/**
 * POSH_E_CERT_ERROR:
 *
 * The certificate could not be parsed.
 *
 * Since: 0.1
 */
#define POSH_E_CERT_ERROR -15
/**
 * POSH_E_REQUESTED_DATA_NOT_AVAILABLE:
 *
 * The requested data is not there: an index past the end, a reference
 * document where fingerprints are needed, or (with
 * %POSH_VFLAG_FAIL_IF_NOT_CHECKED) no usable fingerprint.
 *
 * Since: 0.1
 */
#define POSH_E_REQUESTED_DATA_NOT_AVAILABLE -16
/**
 * POSH_E_CANCELLED:
 *
 * The operation was cancelled.
 *
 * Since: 0.1
 */
#define POSH_E_CANCELLED -17

POSH_AVAILABLE_IN_0_1
int          posh_state_init                 (posh_state_t  *s,
                                              unsigned int   flags);
POSH_AVAILABLE_IN_0_1
void         posh_state_deinit               (posh_state_t   s);
POSH_AVAILABLE_IN_0_1
int          posh_state_set_trust_file       (posh_state_t   s,
                                              const char    *cafile);
POSH_AVAILABLE_IN_0_1
int          posh_state_set_connect_to       (posh_state_t   s,
                                              const char    *spec);
POSH_AVAILABLE_IN_0_1
void         posh_state_set_max_redirects    (posh_state_t   s,
                                              unsigned int   max);
POSH_AVAILABLE_IN_0_1
void         posh_state_set_timeout          (posh_state_t   s,
                                              unsigned int   ms);
POSH_AVAILABLE_IN_0_1
void         posh_state_set_max_lifetime     (posh_state_t   s,
                                              unsigned int   seconds);
POSH_AVAILABLE_IN_0_1
void         posh_state_set_time_func        (posh_state_t   s,
                                              gnutls_time_func func);

POSH_AVAILABLE_IN_0_1
int          posh_query_fetch                (posh_state_t   s,
                                              posh_query_t  *q,
                                              const char    *domain,
                                              const char    *service);
POSH_AVAILABLE_IN_0_1
void         posh_query_fetch_async          (posh_state_t   s,
                                              const char    *domain,
                                              const char    *service,
                                              GCancellable  *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer       user_data);
POSH_AVAILABLE_IN_0_1
int          posh_query_fetch_finish         (posh_state_t   s,
                                              GAsyncResult  *result,
                                              posh_query_t  *q);
POSH_AVAILABLE_IN_0_1
int          posh_raw_document               (posh_state_t   s,
                                              posh_query_t  *q,
                                              const char    *json,
                                              size_t         json_len);
POSH_AVAILABLE_IN_0_1
unsigned int posh_query_entries              (posh_query_t   q);
POSH_AVAILABLE_IN_0_1
int          posh_query_data                 (posh_query_t   q,
                                              unsigned int   idx,
                                              gnutls_digest_algorithm_t *hash,
                                              gnutls_datum_t *digest);
POSH_AVAILABLE_IN_0_1
void         posh_query_deinit               (posh_query_t   q);

POSH_AVAILABLE_IN_0_1
int          posh_verify_crt_raw             (posh_state_t   s,
                                              const gnutls_datum_t *chain,
                                              unsigned int   chain_size,
                                              gnutls_certificate_type_t type,
                                              posh_query_t   q,
                                              unsigned int   sflags,
                                              unsigned int   vflags,
                                              unsigned int  *verify);
POSH_AVAILABLE_IN_0_1
int          posh_verify_crt                 (posh_state_t   s,
                                              const gnutls_datum_t *chain,
                                              unsigned int   chain_size,
                                              gnutls_certificate_type_t type,
                                              const char    *domain,
                                              const char    *service,
                                              unsigned int   sflags,
                                              unsigned int   vflags,
                                              unsigned int  *verify);
POSH_AVAILABLE_IN_0_1
void         posh_verify_crt_async           (posh_state_t   s,
                                              const gnutls_datum_t *chain,
                                              unsigned int   chain_size,
                                              gnutls_certificate_type_t type,
                                              const char    *domain,
                                              const char    *service,
                                              unsigned int   sflags,
                                              unsigned int   vflags,
                                              GCancellable  *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer       user_data);
POSH_AVAILABLE_IN_0_1
int          posh_verify_crt_finish          (posh_state_t   s,
                                              GAsyncResult  *result,
                                              unsigned int  *verify);
POSH_AVAILABLE_IN_0_1
int          posh_verify_session_crt         (posh_state_t   s,
                                              gnutls_session_t session,
                                              const char    *domain,
                                              const char    *service,
                                              unsigned int   sflags,
                                              unsigned int   vflags,
                                              unsigned int  *verify);
POSH_AVAILABLE_IN_0_1
void         posh_verify_session_crt_async   (posh_state_t   s,
                                              gnutls_session_t session,
                                              const char    *domain,
                                              const char    *service,
                                              unsigned int   sflags,
                                              unsigned int   vflags,
                                              GCancellable  *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer       user_data);
POSH_AVAILABLE_IN_0_1
int          posh_verify_session_crt_finish  (posh_state_t   s,
                                              GAsyncResult  *result,
                                              unsigned int  *verify);

POSH_AVAILABLE_IN_0_1
const char  *posh_strerror                   (int            error);
POSH_AVAILABLE_IN_0_1
int          posh_verification_status_print  (unsigned int   status,
                                              gnutls_datum_t *out,
                                              unsigned int   flags);

G_END_DECLS
