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

G_END_DECLS
