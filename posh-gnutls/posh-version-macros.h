/* posh-version-macros.h: symbol export and versioning macros
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (POSH_INSIDE) && !defined (POSH_COMPILATION)
#error "Only <posh-gnutls/posh.h> can be included directly."
#endif

#include <glib.h>

#include "posh-version.h"

#ifndef _POSH_EXTERN
#define _POSH_EXTERN __attribute__((visibility ("default"))) extern
#endif

/**
 * POSH_ENCODE_VERSION:
 * @major: the major version
 * @minor: the minor version
 *
 * Encodes a posh-gnutls version into one integer, for comparisons with
 * `POSH_VERSION_MIN_REQUIRED` and `POSH_VERSION_MAX_ALLOWED`.
 *
 * Since: 0.1
 */
#define POSH_ENCODE_VERSION(major,minor) ((major) << 16 | (minor) << 8)

/**
 * POSH_VERSION_0_1:
 *
 * The encoded version of posh-gnutls 0.1.
 *
 * Since: 0.1
 */
#define POSH_VERSION_0_1 (POSH_ENCODE_VERSION (0, 1))

#define POSH_VERSION_CUR_STABLE (POSH_ENCODE_VERSION (POSH_MAJOR_VERSION, POSH_MINOR_VERSION))

#ifndef POSH_VERSION_MIN_REQUIRED
#define POSH_VERSION_MIN_REQUIRED (POSH_VERSION_CUR_STABLE)
#endif

#ifndef POSH_VERSION_MAX_ALLOWED
#define POSH_VERSION_MAX_ALLOWED (POSH_VERSION_CUR_STABLE)
#endif

/**
 * POSH_DEPRECATED:
 *
 * Marks a symbol as deprecated; using it warns unless
 * `POSH_DISABLE_DEPRECATION_WARNINGS` is defined.
 *
 * Since: 0.1
 */

/**
 * POSH_DEPRECATED_FOR:
 * @f: the name of the symbol to use instead
 *
 * Marks a symbol as deprecated in favour of @f; using it warns unless
 * `POSH_DISABLE_DEPRECATION_WARNINGS` is defined.
 *
 * Since: 0.1
 */

/**
 * POSH_UNAVAILABLE:
 * @maj: the major version that introduced the symbol
 * @min: the minor version that introduced the symbol
 *
 * Marks a symbol as unavailable before version @maj.@min, for builds that
 * set `POSH_VERSION_MAX_ALLOWED` lower.
 *
 * Since: 0.1
 */
#ifdef POSH_DISABLE_DEPRECATION_WARNINGS
#define POSH_DEPRECATED _POSH_EXTERN
#define POSH_DEPRECATED_FOR(f) _POSH_EXTERN
#define POSH_UNAVAILABLE(maj,min) _POSH_EXTERN
#else
#define POSH_DEPRECATED G_DEPRECATED _POSH_EXTERN
#define POSH_DEPRECATED_FOR(f) G_DEPRECATED_FOR (f) _POSH_EXTERN
#define POSH_UNAVAILABLE(maj,min) G_UNAVAILABLE (maj, min) _POSH_EXTERN
#endif

#define POSH_AVAILABLE_IN_ALL _POSH_EXTERN

#if POSH_VERSION_MAX_ALLOWED < POSH_VERSION_0_1
#define POSH_AVAILABLE_IN_0_1 POSH_UNAVAILABLE (0, 1)
#else
#define POSH_AVAILABLE_IN_0_1 _POSH_EXTERN
#endif
