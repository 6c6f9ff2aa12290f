/* fuzz_base64.c: the strict digest decoder and the hash-name lookup
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * _posh_base64_decode_digest() (spec E7, R16) is checked against GLib's
 * encoder, which is canonical: whenever it accepts an input, encoding the
 * bytes it produced must give the input back (padded, or with the padding
 * left off, which E7 accepts); whenever the input IS such an encoding of
 * the expected length, it must accept it. _posh_hash_from_name() (E6) must
 * only ever name exactly the bytes it was given.
 */

#include "config.h"

#include <string.h>

#include "posh-private.h"
#include "fuzz.h"

/* sha-1, sha-256, sha-384, sha-512, and two lengths no hash has */
static const gsize digest_sizes[] = { 20, 32, 48, 64, 1, 33 };

static gboolean
is_encoding_of (const uint8_t *data,
                size_t         size,
                const guint8  *bytes,
                gsize          len)
{
  g_autofree char *canonical = _posh_base64_encode (bytes, len);
  gsize canonical_len = strlen (canonical);
  gsize unpadded_len = canonical_len;

  while (unpadded_len > 0 && canonical[unpadded_len - 1] == '=')
    unpadded_len--;
  if (size == canonical_len && memcmp (data, canonical, size) == 0)
    return TRUE;
  return size == unpadded_len && memcmp (data, canonical, size) == 0;
}

/* TRUE when data is the canonical (padded or unpadded) base64 of some
 * expected_len bytes, by GLib's decoder and encoder. */
static gboolean
is_canonical_base64 (const uint8_t *data,
                     size_t         size,
                     gsize          expected_len)
{
  g_autofree char *text = NULL;
  g_autofree guint8 *bytes = NULL;
  gsize len = 0;

  if (size == 0 || memchr (data, '\0', size) != NULL)
    return FALSE;
  text = g_strndup ((const char *) data, size);
  bytes = g_base64_decode (text, &len);
  return len == expected_len && is_encoding_of (data, size, bytes, len);
}

static void
check_decode (const uint8_t *data,
              size_t         size,
              gsize          expected_len)
{
  guint8 out[POSH_MAX_DIGEST_SIZE + 8];
  gboolean ok;

  g_assert_cmpuint (expected_len, <=, sizeof out);
  memset (out, 0xa5, sizeof out);
  ok = _posh_base64_decode_digest ((const char *) data, size, out, expected_len);

  /* Never a byte written past expected_len, accepted or not. */
  for (gsize i = expected_len; i < sizeof out; i++)
    g_assert_cmpuint (out[i], ==, 0xa5);

  if (ok)
    g_assert_true (is_encoding_of (data, size, out, expected_len));
  else
    g_assert_false (is_canonical_base64 (data, size, expected_len));
}

static void
check_hash_name (const uint8_t *data,
                 size_t         size)
{
  PoshHash hash = _posh_hash_from_name ((const char *) data, size);
  const char *name;

  if (hash == POSH_HASH_NONE)
    return;
  name = _posh_hash_name (hash);
  g_assert_nonnull (name);
  g_assert_cmpuint (strlen (name), ==, size);
  g_assert_true (memcmp (name, data, size) == 0);
  g_assert_cmpuint (_posh_hash_digest_size (hash), >, 0);
  g_assert_cmpuint (_posh_hash_digest_size (hash), <=, POSH_MAX_DIGEST_SIZE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  fuzz_set_up ();

  for (gsize i = 0; i < G_N_ELEMENTS (digest_sizes); i++)
    check_decode (data, size, digest_sizes[i]);
  check_hash_name (data, size);

  return 0;
}
