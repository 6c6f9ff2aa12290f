/* posh-verify.h: verdicts and verification flags
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (POSH_INSIDE) && !defined (POSH_COMPILATION)
#error "Only <posh-gnutls/posh.h> can be included directly."
#endif

#include <gio/gio.h>

#include <posh-gnutls/posh-version-macros.h>

G_BEGIN_DECLS

/**
 * PoshVerifyStatus:
 * @POSH_VERIFY_STATUS_NONE: the certificate matched and is within its validity period
 * @POSH_VERIFY_STATUS_CERT_DIFFERS: no fingerprint descriptor matched the certificate
 * @POSH_VERIFY_STATUS_NO_USABLE_FINGERPRINT: no descriptor carries a hash
 *   this library checks
 * @POSH_VERIFY_STATUS_CERT_EXPIRED: a descriptor matched, but the
 *   certificate has expired
 * @POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED: a descriptor matched, but the
 *   certificate is not yet valid
 *
 * The verdict of a POSH verification. The values are those of the
 * `POSH_VERIFY_*` bits of the GnuTLS-style API. Only
 * %POSH_VERIFY_STATUS_NONE means POSH did not reject the certificate.
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/
{
  POSH_VERIFY_STATUS_NONE                  = 0,
  POSH_VERIFY_STATUS_CERT_DIFFERS          = 1 << 0,
  POSH_VERIFY_STATUS_NO_USABLE_FINGERPRINT = 1 << 1,
  POSH_VERIFY_STATUS_CERT_EXPIRED          = 1 << 2,
  POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED    = 1 << 3,
} PoshVerifyStatus;

/**
 * PoshVerifyFlags:
 * @POSH_VERIFY_FLAGS_NONE: no flags
 * @POSH_VERIFY_FLAGS_ALLOW_SHA1: also check `sha-1` fingerprints
 * @POSH_VERIFY_FLAGS_FAIL_IF_NOT_CHECKED: fail with
 *   %POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE instead of reporting
 *   %POSH_VERIFY_STATUS_NO_USABLE_FINGERPRINT
 *
 * Flags changing how a certificate is checked. The values are those of
 * the `POSH_VFLAG_*` flags of the GnuTLS-style API.
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/
{
  POSH_VERIFY_FLAGS_NONE                 = 0,
  POSH_VERIFY_FLAGS_ALLOW_SHA1           = 1 << 0,
  POSH_VERIFY_FLAGS_FAIL_IF_NOT_CHECKED  = 1 << 1,
} PoshVerifyFlags;

POSH_AVAILABLE_IN_0_1
char                *posh_verify_status_to_string    (PoshVerifyStatus status);
POSH_AVAILABLE_IN_0_1
GTlsCertificateFlags posh_verify_status_to_tls_flags (PoshVerifyStatus status);

G_END_DECLS
