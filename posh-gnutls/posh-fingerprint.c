/* posh-fingerprint.c: hash-name table, strict base64, nettle digests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything a fingerprint descriptor needs below the JSON level: which IANA
 * hash names this library checks (spec E4, E6), how a digest value must be
 * spelled (E7, R16), and the digests themselves (R18).
 */

#include "config.h"

#include "posh-private.h"

#include <string.h>

#include <nettle/sha1.h>
#include <nettle/sha2.h>

typedef struct
{
  const char *name;
  gsize       name_len;
  PoshHash    hash;
  gsize       digest_size;
  gnutls_digest_algorithm_t gnutls;
} PoshHashInfo;

#define HASH_INFO(n, h, size, g) { n, sizeof (n) - 1, h, size, g }

/* The IANA "Hash Function Textual Names" this library checks. md2, md5 and
 * sha-224 are deliberately absent: they are treated as unknown (E4). */
static const PoshHashInfo hash_table[] = {
  HASH_INFO ("sha-256", POSH_HASH_SHA_256, SHA256_DIGEST_SIZE, GNUTLS_DIG_SHA256),
  HASH_INFO ("sha-384", POSH_HASH_SHA_384, SHA384_DIGEST_SIZE, GNUTLS_DIG_SHA384),
  HASH_INFO ("sha-512", POSH_HASH_SHA_512, SHA512_DIGEST_SIZE, GNUTLS_DIG_SHA512),
  HASH_INFO ("sha-1",   POSH_HASH_SHA_1,   SHA1_DIGEST_SIZE,   GNUTLS_DIG_SHA1),
};

static const PoshHashInfo *
lookup_hash (PoshHash hash)
{
  for (gsize i = 0; i < G_N_ELEMENTS (hash_table); i++)
    if (hash_table[i].hash == hash)
      return &hash_table[i];
  return NULL;
}

PoshHash
_posh_hash_from_name (const char *name,
                      gsize       name_len)
{
  g_return_val_if_fail (name || name_len == 0, POSH_HASH_NONE);

  /* E6: exact, case-sensitive; "SHA-256" is an unknown name. */
  for (gsize i = 0; i < G_N_ELEMENTS (hash_table); i++)
    {
      if (hash_table[i].name_len == name_len &&
          memcmp (hash_table[i].name, name, name_len) == 0)
        return hash_table[i].hash;
    }
  return POSH_HASH_NONE;
}

const char *
_posh_hash_name (PoshHash hash)
{
  const PoshHashInfo *info = lookup_hash (hash);

  return info ? info->name : NULL;
}

gsize
_posh_hash_digest_size (PoshHash hash)
{
  const PoshHashInfo *info = lookup_hash (hash);

  return info ? info->digest_size : 0;
}

gnutls_digest_algorithm_t
_posh_hash_to_gnutls (PoshHash hash)
{
  const PoshHashInfo *info = lookup_hash (hash);

  return info ? info->gnutls : GNUTLS_DIG_UNKNOWN;
}

/* The value of one character of the standard alphabet (RFC 4648 §4), or -1.
 * '-' and '_' (base64url), '=', whitespace and everything else are -1. */
static int
base64_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Number of significant characters once the padding is set aside, or -1
 * when the padding is misplaced or of the wrong amount. */
static gssize
base64_data_length (const char *in,
                    gsize       in_len)
{
  gsize pads = 0;
  gsize data_len;

  while (pads < in_len && pads < 2 && in[in_len - 1 - pads] == '=')
    pads++;
  data_len = in_len - pads;

  if (data_len % 4 == 1)
    return -1;
  if (pads == 0)
    return data_len;

  /* Padded form: whole quanta, and exactly the padding the tail needs. */
  if (in_len % 4 != 0)
    return -1;
  if ((data_len % 4 == 2 && pads != 2) || (data_len % 4 == 3 && pads != 1))
    return -1;
  return data_len;
}

gboolean
_posh_base64_decode_digest (const char *in,
                            gsize       in_len,
                            guint8     *out,
                            gsize       expected_len)
{
  gssize data_len;
  gsize rem, decoded_len, o = 0;
  guint32 acc = 0;
  int bits = 0;

  g_return_val_if_fail (in || in_len == 0, FALSE);
  g_return_val_if_fail (out, FALSE);

  data_len = base64_data_length (in, in_len);
  if (data_len <= 0)
    return FALSE;

  rem = data_len % 4;
  decoded_len = (data_len / 4) * 3 + (rem == 0 ? 0 : rem - 1);
  if (decoded_len != expected_len)
    return FALSE;

  for (gssize i = 0; i < data_len; i++)
    {
      int v = base64_value (in[i]);

      if (v < 0)
        return FALSE;
      acc = (acc << 6) | (guint32) v;
      bits += 6;
      if (bits >= 8)
        {
          bits -= 8;
          out[o++] = (guint8) (acc >> bits);
          acc &= (1u << bits) - 1;
        }
    }

  /* Non-zero pad bits: a non-canonical spelling of another value (E7). */
  return acc == 0;
}

void
_posh_digest (PoshHash      hash,
              const guint8 *data,
              gsize         len,
              guint8       *out)
{
  g_return_if_fail (data || len == 0);
  g_return_if_fail (out);

  switch (hash)
    {
    case POSH_HASH_SHA_256:
      {
        struct sha256_ctx ctx;

        sha256_init (&ctx);
        sha256_update (&ctx, len, data);
        sha256_digest (&ctx, SHA256_DIGEST_SIZE, out);
      }
      break;
    case POSH_HASH_SHA_384:
      {
        struct sha384_ctx ctx;

        sha384_init (&ctx);
        sha384_update (&ctx, len, data);
        sha384_digest (&ctx, SHA384_DIGEST_SIZE, out);
      }
      break;
    case POSH_HASH_SHA_512:
      {
        struct sha512_ctx ctx;

        sha512_init (&ctx);
        sha512_update (&ctx, len, data);
        sha512_digest (&ctx, SHA512_DIGEST_SIZE, out);
      }
      break;
    case POSH_HASH_SHA_1:
      {
        struct sha1_ctx ctx;

        sha1_init (&ctx);
        sha1_update (&ctx, len, data);
        sha1_digest (&ctx, SHA1_DIGEST_SIZE, out);
      }
      break;
    case POSH_HASH_NONE:
    default:
      g_return_if_reached ();
    }
}

char *
_posh_base64_encode (const guint8 *data,
                     gsize         len)
{
  g_return_val_if_fail (data || len == 0, NULL);

  /* GLib emits the standard alphabet, padded, with zero pad bits (R16). */
  return g_base64_encode (data, len);
}

/* An empty asm that claims to change diff: the compiler can neither see
 * the value nor stop the loop early once a difference is found, so every
 * byte is read whatever the data. Unlike a volatile accumulator (or
 * nettle's memeql_sec, which uses one), diff stays in a register. Eight
 * bytes per step; digests are 20 to 64 bytes. */
#if defined(__GNUC__) || defined(__clang__)
#define OPAQUE(x) __asm__ ("" : "+r" (x))
#else
#define OPAQUE(x) (x = *(volatile guint64 *) &(x))
#endif

gboolean
_posh_memeq_const_time (const guint8 *a,
                        const guint8 *b,
                        gsize         len)
{
  guint64 diff = 0;
  gsize i = 0;

  for (; i + 8 <= len; i += 8)
    {
      guint64 wa, wb;

      memcpy (&wa, a + i, 8);
      memcpy (&wb, b + i, 8);
      diff |= wa ^ wb;
      OPAQUE (diff);
    }
  for (; i < len; i++)
    {
      diff |= (guint64) (a[i] ^ b[i]);
      OPAQUE (diff);
    }
  return diff == 0;
}
