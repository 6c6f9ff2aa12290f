/* posh-error.c: error domains, error texts and error-code mapping
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "posh-private.h"

#include "posh-gnutls.h"

/**
 * posh_error_quark:
 *
 * The quark of the %POSH_ERROR domain.
 *
 * Returns: the error domain quark
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (posh-error-quark, posh_error)

/**
 * posh_document_error_quark:
 *
 * The quark of the %POSH_DOCUMENT_ERROR domain.
 *
 * Returns: the error domain quark
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (posh-document-error-quark, posh_document_error)

/* Indexed by -POSH_E_*; one sentence per code, each distinct. */
static const char * const error_texts[] = {
  [-POSH_E_SUCCESS] =
    "Success: no error occurred.",
  [-POSH_E_INITIALIZATION_ERROR] =
    "The POSH state could not be initialized.",
  [-POSH_E_FETCH_ERROR] =
    "The POSH document could not be fetched.",
  [-POSH_E_NO_POSH_DATA] =
    "The domain publishes no POSH document for this service.",
  [-POSH_E_RECEIVED_CORRUPT_DATA] =
    "The received data is not a valid POSH document.",
  [-POSH_E_INVALIDATED] =
    "The POSH document has expired set to 0: its material is invalid.",
  [-POSH_E_HTTPS_ERROR] =
    "An HTTPS server failed authentication while fetching the POSH document.",
  [-POSH_E_INSECURE_URL] =
    "A URL or redirect on the way to the POSH document is not https.",
  [-POSH_E_TOO_MANY_REDIRECTS] =
    "Too many redirects while fetching the POSH document.",
  [-POSH_E_CHAINED_REFERENCE] =
    "The POSH reference points at another reference.",
  [-POSH_E_TIMEOUT] =
    "The POSH operation timed out.",
  [-POSH_E_TOO_LARGE] =
    "The POSH document exceeds a size or count limit.",
  [-POSH_E_MEMORY_ERROR] =
    "Memory could not be allocated.",
  [-POSH_E_INVALID_REQUEST] =
    "The request is invalid: a bad domain, service name or argument.",
  [-POSH_E_NO_CERT] =
    "No certificate was provided.",
  [-POSH_E_CERT_ERROR] =
    "The certificate could not be parsed.",
  [-POSH_E_REQUESTED_DATA_NOT_AVAILABLE] =
    "The requested data is not available.",
  [-POSH_E_CANCELLED] =
    "The POSH operation was cancelled.",
};

/**
 * posh_strerror:
 * @error: a `POSH_E_*` error code
 *
 * Describes a `POSH_E_*` error code in one sentence meant for an operator,
 * like dane_strerror() does for `DANE_E_*` codes.
 *
 * Returns: (transfer none) (not nullable): a static string; an unknown code
 *   gives a generic text, never %NULL
 *
 * Since: 0.1
 */
const char *
posh_strerror (int error)
{
  if (error > 0 || error < -(int) (G_N_ELEMENTS (error_texts) - 1))
    return "Unknown POSH error.";

  return error_texts[-error];
}

/* GError -> POSH_E_*; see posh-private.h. */
int
_posh_error_to_code (const GError *error)
{
  if (error == NULL)
    return POSH_E_SUCCESS;

  if (error->domain == POSH_ERROR)
    {
      if (error->code >= POSH_ERROR_INITIALIZATION &&
          error->code <= POSH_ERROR_CANCELLED)
        return -error->code;
      return POSH_E_FETCH_ERROR;
    }

  if (error->domain == POSH_DOCUMENT_ERROR)
    {
      if (error->code == POSH_DOCUMENT_ERROR_TOO_LARGE)
        return POSH_E_TOO_LARGE;
      return POSH_E_RECEIVED_CORRUPT_DATA;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return POSH_E_CANCELLED;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return POSH_E_TIMEOUT;

  if (error->domain == G_TLS_ERROR)
    return POSH_E_HTTPS_ERROR;

  return POSH_E_FETCH_ERROR;
}
