/* posh.h: the posh-gnutls umbrella header
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define POSH_INSIDE

#include <posh-gnutls/posh-version.h>
#include <posh-gnutls/posh-version-macros.h>
#include <posh-gnutls/posh-enums.h>
#include <posh-gnutls/posh-error.h>
#include <posh-gnutls/posh-document.h>
#include <posh-gnutls/posh-verify.h>
#include <posh-gnutls/posh-verifier.h>
#include <posh-gnutls/posh-tls.h>
#include <posh-gnutls/posh-gnutls.h>

#undef POSH_INSIDE
