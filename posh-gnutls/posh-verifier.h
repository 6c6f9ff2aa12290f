/* posh-verifier.h: PoshVerifier, configuration, HTTPS retrieval and cache
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (POSH_INSIDE) && !defined (POSH_COMPILATION)
#error "Only <posh-gnutls/posh.h> can be included directly."
#endif

#include <gio/gio.h>

#include <posh-gnutls/posh-version-macros.h>
#include <posh-gnutls/posh-document.h>
#include <posh-gnutls/posh-verify.h>

G_BEGIN_DECLS

/**
 * PoshVerifierFlags:
 * @POSH_VERIFIER_FLAGS_NONE: no flags
 * @POSH_VERIFIER_FLAGS_NO_CACHE: do not cache documents and do not share
 *   fetches between concurrent requests
 * @POSH_VERIFIER_FLAGS_LEGACY_PATH: after a 404 on the RFC 7711 path, also
 *   try the draft-02 path `/.well-known/posh._SERVICE._tcp.json`
 *
 * Flags of a [class@Posh.Verifier]. The values are those of the `POSH_F_*`
 * flags of the GnuTLS-style API.
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/
{
  POSH_VERIFIER_FLAGS_NONE        = 0,
  POSH_VERIFIER_FLAGS_NO_CACHE    = 1 << 0,
  POSH_VERIFIER_FLAGS_LEGACY_PATH = 1 << 1,
} PoshVerifierFlags;

/**
 * PoshClockFunc:
 * @user_data: the data given to [method@Posh.Verifier.set_clock]
 *
 * A clock: returns the current time in seconds since the Unix epoch. Used
 * for certificate validity and for cache expiry.
 *
 * Returns: the current time
 *
 * Since: 0.1
 */
typedef gint64 (*PoshClockFunc) (gpointer user_data);

#define POSH_TYPE_VERIFIER (posh_verifier_get_type ())

POSH_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (PoshVerifier, posh_verifier, POSH, VERIFIER, GObject)

POSH_AVAILABLE_IN_0_1
PoshVerifier     *posh_verifier_new                    (void);

POSH_AVAILABLE_IN_0_1
void              posh_verifier_set_tls_database       (PoshVerifier   *verifier,
                                                        GTlsDatabase   *database);
POSH_AVAILABLE_IN_0_1
GTlsDatabase     *posh_verifier_get_tls_database       (PoshVerifier   *verifier);
POSH_AVAILABLE_IN_0_1
gboolean          posh_verifier_add_connect_to         (PoshVerifier   *verifier,
                                                        const char     *spec,
                                                        GError        **error);
POSH_AVAILABLE_IN_0_1
void              posh_verifier_set_timeout            (PoshVerifier   *verifier,
                                                        guint           timeout_ms);
POSH_AVAILABLE_IN_0_1
guint             posh_verifier_get_timeout            (PoshVerifier   *verifier);
POSH_AVAILABLE_IN_0_1
void              posh_verifier_set_max_redirects      (PoshVerifier   *verifier,
                                                        guint           max_redirects);
POSH_AVAILABLE_IN_0_1
guint             posh_verifier_get_max_redirects      (PoshVerifier   *verifier);
POSH_AVAILABLE_IN_0_1
void              posh_verifier_set_max_lifetime       (PoshVerifier   *verifier,
                                                        guint           seconds);
POSH_AVAILABLE_IN_0_1
guint             posh_verifier_get_max_lifetime       (PoshVerifier   *verifier);
POSH_AVAILABLE_IN_0_1
void              posh_verifier_set_flags              (PoshVerifier   *verifier,
                                                        PoshVerifierFlags flags);
POSH_AVAILABLE_IN_0_1
PoshVerifierFlags posh_verifier_get_flags              (PoshVerifier   *verifier);
POSH_AVAILABLE_IN_0_1
void              posh_verifier_set_verify_flags       (PoshVerifier   *verifier,
                                                        PoshVerifyFlags flags);
POSH_AVAILABLE_IN_0_1
PoshVerifyFlags   posh_verifier_get_verify_flags       (PoshVerifier   *verifier);
POSH_AVAILABLE_IN_0_1
void              posh_verifier_set_clock              (PoshVerifier   *verifier,
                                                        PoshClockFunc   func,
                                                        gpointer        user_data,
                                                        GDestroyNotify  destroy);
POSH_AVAILABLE_IN_0_1
void              posh_verifier_clear_cache            (PoshVerifier   *verifier);

POSH_AVAILABLE_IN_0_1
PoshDocument     *posh_verifier_fetch                  (PoshVerifier   *verifier,
                                                        const char     *domain,
                                                        const char     *service,
                                                        GCancellable   *cancellable,
                                                        GError        **error);
POSH_AVAILABLE_IN_0_1
void              posh_verifier_fetch_async            (PoshVerifier   *verifier,
                                                        const char     *domain,
                                                        const char     *service,
                                                        GCancellable   *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer        user_data);
POSH_AVAILABLE_IN_0_1
PoshDocument     *posh_verifier_fetch_finish           (PoshVerifier   *verifier,
                                                        GAsyncResult   *result,
                                                        GError        **error);

POSH_AVAILABLE_IN_0_1
gboolean          posh_verifier_verify_certificate     (PoshVerifier    *verifier,
                                                        GTlsCertificate *certificate,
                                                        const char      *domain,
                                                        const char      *service,
                                                        PoshVerifyStatus *status,
                                                        GCancellable    *cancellable,
                                                        GError         **error);
POSH_AVAILABLE_IN_0_1
void              posh_verifier_verify_certificate_async (PoshVerifier    *verifier,
                                                        GTlsCertificate *certificate,
                                                        const char      *domain,
                                                        const char      *service,
                                                        GCancellable    *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer         user_data);
POSH_AVAILABLE_IN_0_1
gboolean          posh_verifier_verify_certificate_finish (PoshVerifier  *verifier,
                                                        GAsyncResult    *result,
                                                        PoshVerifyStatus *status,
                                                        GError         **error);

POSH_AVAILABLE_IN_0_1
PoshDocument     *posh_verifier_lookup_cached          (PoshVerifier   *verifier,
                                                        const char     *domain,
                                                        const char     *service);

G_END_DECLS
