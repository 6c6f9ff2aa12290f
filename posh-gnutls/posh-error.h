/* posh-error.h: the PoshError and PoshDocumentError domains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (POSH_INSIDE) && !defined (POSH_COMPILATION)
#error "Only <posh-gnutls/posh.h> can be included directly."
#endif

#include <glib.h>

#include <posh-gnutls/posh-version-macros.h>

G_BEGIN_DECLS

/**
 * POSH_ERROR:
 *
 * The error domain of posh-gnutls: the codes are [enum@Posh.Error].
 *
 * Since: 0.1
 */
#define POSH_ERROR (posh_error_quark ())

/**
 * PoshError:
 * @POSH_ERROR_INITIALIZATION: the verifier could not be set up (`POSH_E_INITIALIZATION_ERROR`)
 * @POSH_ERROR_FETCH: connection failure, reset, or an HTTP status other
 *   than 200, 404 and 410 (`POSH_E_FETCH_ERROR`)
 * @POSH_ERROR_NO_POSH_DATA: the domain publishes no POSH document for the
 *   service: HTTP 404 or 410 (`POSH_E_NO_POSH_DATA`)
 * @POSH_ERROR_RECEIVED_CORRUPT_DATA: not a valid POSH document
 *   (`POSH_E_RECEIVED_CORRUPT_DATA`)
 * @POSH_ERROR_INVALIDATED: `expires` is 0 (`POSH_E_INVALIDATED`)
 * @POSH_ERROR_HTTPS: an HTTPS server failed authentication (`POSH_E_HTTPS_ERROR`)
 * @POSH_ERROR_INSECURE_URL: an http: URL or redirect (`POSH_E_INSECURE_URL`)
 * @POSH_ERROR_TOO_MANY_REDIRECTS: redirect limit reached (`POSH_E_TOO_MANY_REDIRECTS`)
 * @POSH_ERROR_CHAINED_REFERENCE: a reference pointing at a reference
 *   (`POSH_E_CHAINED_REFERENCE`)
 * @POSH_ERROR_TIMEOUT: the operation timed out (`POSH_E_TIMEOUT`)
 * @POSH_ERROR_TOO_LARGE: a size or count limit was exceeded (`POSH_E_TOO_LARGE`)
 * @POSH_ERROR_MEMORY: out of memory (`POSH_E_MEMORY_ERROR`)
 * @POSH_ERROR_INVALID_REQUEST: bad domain, service or argument (`POSH_E_INVALID_REQUEST`)
 * @POSH_ERROR_NO_CERT: no certificate to verify (`POSH_E_NO_CERT`)
 * @POSH_ERROR_CERT: the certificate could not be parsed (`POSH_E_CERT_ERROR`)
 * @POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE: the requested data is not
 *   available (`POSH_E_REQUESTED_DATA_NOT_AVAILABLE`)
 * @POSH_ERROR_CANCELLED: the operation was cancelled (`POSH_E_CANCELLED`).
 *   The GObject API reports cancellation as %G_IO_ERROR_CANCELLED, as GIO
 *   does; this code exists so that every `POSH_E_*` value has a twin.
 *
 * Error codes of the %POSH_ERROR domain. Each code is the negated value of
 * the `POSH_E_*` code of the GnuTLS-style API that means the same thing.
 *
 * Since: 0.1
 */
typedef enum
{
  POSH_ERROR_INITIALIZATION = 1,
  POSH_ERROR_FETCH = 2,
  POSH_ERROR_NO_POSH_DATA = 3,
  POSH_ERROR_RECEIVED_CORRUPT_DATA = 4,
  POSH_ERROR_INVALIDATED = 5,
  POSH_ERROR_HTTPS = 6,
  POSH_ERROR_INSECURE_URL = 7,
  POSH_ERROR_TOO_MANY_REDIRECTS = 8,
  POSH_ERROR_CHAINED_REFERENCE = 9,
  POSH_ERROR_TIMEOUT = 10,
  POSH_ERROR_TOO_LARGE = 11,
  POSH_ERROR_MEMORY = 12,
  POSH_ERROR_INVALID_REQUEST = 13,
  POSH_ERROR_NO_CERT = 14,
  POSH_ERROR_CERT = 15,
  POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE = 16,
  POSH_ERROR_CANCELLED = 17,
} PoshError;

/**
 * POSH_DOCUMENT_ERROR:
 *
 * The error domain of the document parser: the codes are
 * [enum@Posh.DocumentError]. Fetching functions report these as
 * %POSH_ERROR_RECEIVED_CORRUPT_DATA (or %POSH_ERROR_TOO_LARGE) with the
 * parser's message.
 *
 * Since: 0.1
 */
#define POSH_DOCUMENT_ERROR (posh_document_error_quark ())

/**
 * PoshDocumentError:
 * @POSH_DOCUMENT_ERROR_TOO_LARGE: the document is larger than the size cap
 * @POSH_DOCUMENT_ERROR_INVALID_ENCODING: the document is not UTF-8 (a leading BOM is tolerated)
 * @POSH_DOCUMENT_ERROR_SYNTAX: not strict JSON (RFC 8259): comments, single
 *   quotes, hexadecimal numbers, trailing garbage and the like
 * @POSH_DOCUMENT_ERROR_TOO_DEEP: JSON nested deeper than the parser allows
 * @POSH_DOCUMENT_ERROR_NOT_OBJECT: the top level is not a JSON object
 * @POSH_DOCUMENT_ERROR_DUPLICATE_MEMBER: a member name appears twice in one object
 * @POSH_DOCUMENT_ERROR_MISSING_EXPIRES: there is no `expires` member
 * @POSH_DOCUMENT_ERROR_INVALID_EXPIRES: `expires` is not an integer literal
 *   (a string, null, a fraction or an exponent)
 * @POSH_DOCUMENT_ERROR_NEGATIVE_EXPIRES: `expires` is negative
 * @POSH_DOCUMENT_ERROR_MISSING_CONTENT: neither `fingerprints` nor `url` is present
 * @POSH_DOCUMENT_ERROR_FINGERPRINTS_AND_URL: both `fingerprints` and `url` are present
 * @POSH_DOCUMENT_ERROR_FINGERPRINTS_NOT_ARRAY: `fingerprints` is not an array
 * @POSH_DOCUMENT_ERROR_FINGERPRINTS_EMPTY: `fingerprints` is an empty array
 * @POSH_DOCUMENT_ERROR_DESCRIPTOR_NOT_OBJECT: an element of `fingerprints` is not an object
 * @POSH_DOCUMENT_ERROR_TOO_MANY_DESCRIPTORS: more descriptors than the cap
 * @POSH_DOCUMENT_ERROR_TOO_MANY_MEMBERS: a descriptor has more members than the cap
 * @POSH_DOCUMENT_ERROR_URL_NOT_STRING: `url` is not a string
 * @POSH_DOCUMENT_ERROR_URL_INVALID: `url` is not an absolute URI
 * @POSH_DOCUMENT_ERROR_URL_NOT_HTTPS: `url` is not an https URI
 *
 * Error codes of the %POSH_DOCUMENT_ERROR domain: each names one way a
 * document breaks the rules of RFC 7711 §3.1 and §3.2.
 *
 * Since: 0.1
 */
typedef enum
{
  POSH_DOCUMENT_ERROR_TOO_LARGE = 1,
  POSH_DOCUMENT_ERROR_INVALID_ENCODING,
  POSH_DOCUMENT_ERROR_SYNTAX,
  POSH_DOCUMENT_ERROR_TOO_DEEP,
  POSH_DOCUMENT_ERROR_NOT_OBJECT,
  POSH_DOCUMENT_ERROR_DUPLICATE_MEMBER,
  POSH_DOCUMENT_ERROR_MISSING_EXPIRES,
  POSH_DOCUMENT_ERROR_INVALID_EXPIRES,
  POSH_DOCUMENT_ERROR_NEGATIVE_EXPIRES,
  POSH_DOCUMENT_ERROR_MISSING_CONTENT,
  POSH_DOCUMENT_ERROR_FINGERPRINTS_AND_URL,
  POSH_DOCUMENT_ERROR_FINGERPRINTS_NOT_ARRAY,
  POSH_DOCUMENT_ERROR_FINGERPRINTS_EMPTY,
  POSH_DOCUMENT_ERROR_DESCRIPTOR_NOT_OBJECT,
  POSH_DOCUMENT_ERROR_TOO_MANY_DESCRIPTORS,
  POSH_DOCUMENT_ERROR_TOO_MANY_MEMBERS,
  POSH_DOCUMENT_ERROR_URL_NOT_STRING,
  POSH_DOCUMENT_ERROR_URL_INVALID,
  POSH_DOCUMENT_ERROR_URL_NOT_HTTPS,
} PoshDocumentError;

POSH_AVAILABLE_IN_0_1
GQuark posh_error_quark          (void);
POSH_AVAILABLE_IN_0_1
GQuark posh_document_error_quark (void);

G_END_DECLS
