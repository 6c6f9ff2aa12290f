/* fuzz_document_parse.c: the strict POSH document parser on arbitrary bytes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Feeds the input to _posh_document_parse() twice, with the default limits
 * (spec E19) and with tight ones, and checks what the parser promises on
 * untrusted input besides not crashing:
 *  - failure sets exactly one POSH_DOCUMENT_ERROR with a valid UTF-8
 *    message; an input over max_size fails with TOO_LARGE (E19);
 *  - a parsed document is a fingerprints document (at least one descriptor,
 *    R14) or a reference with an https URL (R26, R27), never both (R15);
 *    its flattened entries are consistent with its descriptors (E5, E7);
 *  - posh_document_to_json() of it parses again to the same JSON text.
 */

#include "config.h"

#include <string.h>

#include "posh-private.h"
#include "fuzz.h"

static void
check_error (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == POSH_DOCUMENT_ERROR);
  g_assert_nonnull (error->message);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
check_entries (PoshDocument *document)
{
  const PoshEntry *entries;
  guint n_entries = 0;
  guint n_descriptors = posh_document_get_n_descriptors (document);

  entries = _posh_document_get_entries (document, &n_entries);
  g_assert_true (n_entries == 0 || entries != NULL);
  for (guint i = 0; i < n_entries; i++)
    {
      g_assert_cmpuint (entries[i].descriptor, <, n_descriptors);
      g_assert_true (_posh_hash_name (entries[i].hash) != NULL);
      g_assert_true (entries[i].len == 0 ||
                     entries[i].len == _posh_hash_digest_size (entries[i].hash));
      /* posh_query_data order: by descriptor */
      if (i > 0)
        g_assert_cmpuint (entries[i - 1].descriptor, <=, entries[i].descriptor);
    }
}

static void
check_document (PoshDocument *document)
{
  switch (posh_document_get_kind (document))
    {
    case POSH_DOCUMENT_KIND_FINGERPRINTS:
      g_assert_null (posh_document_get_url (document));
      g_assert_cmpuint (posh_document_get_n_descriptors (document), >, 0);
      check_entries (document);
      break;
    case POSH_DOCUMENT_KIND_REFERENCE:
      g_assert_nonnull (posh_document_get_url (document));
      /* R27; the scheme is case-insensitive (RFC 3986 section 3.1) */
      g_assert_cmpstr (g_uri_peek_scheme (posh_document_get_url (document)), ==, "https");
      g_assert_cmpuint (posh_document_get_n_descriptors (document), ==, 0);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
check_round_trip (PoshDocument          *document,
                  const PoshParseLimits *limits)
{
  g_autoptr(PoshDocument) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = posh_document_to_json (document);
  g_autofree char *json_again = NULL;

  g_assert_nonnull (json);
  again = _posh_document_parse (json, strlen (json), limits, &error);
  if (again == NULL)
    g_error ("to_json gave a document the parser rejects (%s): %s",
             error->message, json);
  json_again = posh_document_to_json (again);
  g_assert_cmpstr (json, ==, json_again);
  g_assert_cmpint (posh_document_get_kind (again), ==,
                   posh_document_get_kind (document));
  g_assert_cmpuint (posh_document_get_expires (again), ==,
                    posh_document_get_expires (document));
}

static void
parse_one (const uint8_t         *data,
           size_t                 size,
           const PoshParseLimits *limits)
{
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(GError) error = NULL;

  document = _posh_document_parse ((const char *) data, size, limits, &error);
  if (document == NULL)
    {
      check_error (error);
      return;
    }
  g_assert_null (error);
  g_assert_cmpuint (size, <=, limits->max_size);
  check_document (document);
  check_round_trip (document, limits);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  PoshParseLimits limits;
  PoshParseLimits tight;

  fuzz_set_up ();

  _posh_parse_limits_init (&limits);
  parse_one (data, size, &limits);

  /* Tight limits reach every cap with small inputs. */
  tight = limits;
  tight.max_size = size > 0 ? size - 1 : 0;
  tight.max_descriptors = 2;
  tight.max_members = 2;
  tight.max_depth = 3;
  tight.max_lifetime = 60;
  if (size > 0)
    {
      g_autoptr(PoshDocument) document = NULL;
      g_autoptr(GError) error = NULL;

      /* E19: one byte over the cap is TOO_LARGE, whatever the bytes. */
      document = _posh_document_parse ((const char *) data, size, &tight, &error);
      g_assert_null (document);
      g_assert_error (error, POSH_DOCUMENT_ERROR, POSH_DOCUMENT_ERROR_TOO_LARGE);
    }
  tight.max_size = limits.max_size;
  parse_one (data, size, &tight);

  return 0;
}
