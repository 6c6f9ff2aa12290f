/* posh-tls.h: GIO TLS integration (accept-certificate, GTlsCertificateFlags)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (POSH_INSIDE) && !defined (POSH_COMPILATION)
#error "Only <posh-gnutls/posh.h> can be included directly."
#endif

#include <gio/gio.h>

#include <posh-gnutls/posh-version-macros.h>
#include <posh-gnutls/posh-verifier.h>

G_BEGIN_DECLS

/**
 * PoshTlsFlags:
 * @POSH_TLS_FLAGS_NONE: delegation (the default): a POSH match replaces the
 *   name check and the trust anchor check, so a certificate whose only
 *   problems are %G_TLS_CERTIFICATE_BAD_IDENTITY and
 *   %G_TLS_CERTIFICATE_UNKNOWN_CA is accepted for the domain when POSH
 *   verifies it
 * @POSH_TLS_FLAGS_PIN_ONLY: pinning: the certificate must pass PKIX
 *   validation for the domain (no [flags@Gio.TlsCertificateFlags] at all) *and*
 *   match the POSH document
 *
 * What a POSH match means to the GIO TLS helpers, as DANE's EE and CA
 * usages do for DANE: either POSH replaces the PKIX identity check, or it
 * only restricts which PKIX-valid certificates are acceptable.
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/
{
  POSH_TLS_FLAGS_NONE     = 0,
  POSH_TLS_FLAGS_PIN_ONLY = 1 << 0,
} PoshTlsFlags;

/**
 * POSH_TLS_ACCEPTABLE_ERRORS:
 *
 * The [flags@Gio.TlsCertificateFlags] that a POSH match may override in delegation
 * mode: %G_TLS_CERTIFICATE_UNKNOWN_CA and %G_TLS_CERTIFICATE_BAD_IDENTITY.
 * Any other flag (expired, not yet activated, revoked, insecure, generic
 * error) makes the certificate unacceptable whatever POSH says.
 *
 * Since: 0.1
 */
#define POSH_TLS_ACCEPTABLE_ERRORS \
  (G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_BAD_IDENTITY)

POSH_AVAILABLE_IN_0_1
void      posh_verifier_prefetch             (PoshVerifier          *verifier,
                                              const char            *domain,
                                              const char            *service,
                                              GCancellable          *cancellable);

POSH_AVAILABLE_IN_0_1
gboolean  posh_verifier_accept_certificate   (PoshVerifier          *verifier,
                                              GTlsCertificate       *peer_certificate,
                                              GTlsCertificateFlags   errors,
                                              const char            *domain,
                                              const char            *service,
                                              PoshTlsFlags           flags,
                                              PoshVerifyStatus      *status,
                                              GError               **error);

POSH_AVAILABLE_IN_0_1
gboolean  posh_verifier_check_connection     (PoshVerifier          *verifier,
                                              GTlsConnection        *connection,
                                              const char            *domain,
                                              const char            *service,
                                              PoshTlsFlags           flags,
                                              PoshVerifyStatus      *status,
                                              GError               **error);

POSH_AVAILABLE_IN_0_1
gulong    posh_verifier_attach_to_connection (PoshVerifier          *verifier,
                                              GTlsConnection        *connection,
                                              const char            *domain,
                                              const char            *service,
                                              PoshTlsFlags           flags);

G_END_DECLS
