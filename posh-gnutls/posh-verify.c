/* posh-verify.c: raw verification of a DER leaf against a POSH document
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "posh-private.h"

/* The raw verification (R18, R21-R24, E4, E5, E11, E20, E21):
 *
 * - only the DER bytes handed in (the leaf, E20) are hashed, each hash
 *   function at most once per call;
 * - a descriptor matches iff it has at least one usable entry (a supported
 *   hash whose value decoded, E4/E7) and every usable entry matches (E5);
 * - any matching descriptor suffices (R22); descriptors with nothing usable
 *   are skipped (R21, E11);
 * - a match is still subject to the validity period (R24), read here from
 *   the DER without allocating: this path runs for every TLS handshake.
 *   The walk checks the structure of the whole certificate strictly (every
 *   field of tbsCertificate in order, each a well-formed TLV, each
 *   Extension a SEQUENCE, nothing trailing); it does not look inside names,
 *   algorithm identifiers, the key or extensions, which the TLS stack
 *   that received the certificate has already done, and which a POSH match
 *   does not rely on (the fingerprint is the proof, E21). Certificates the
 *   walk does not take are handed to gnutls_x509_crt_import(); when that
 *   fails too, the result is POSH_ERROR_CERT, so DER broken in that
 *   structure (not only up to the validity field) never gets a verdict
 *   unless GnuTLS itself takes it;
 * - the period read last is memoised per thread, keyed by a SHA-2 digest
 *   of the DER that the matching computed anyway (read_validity()), so
 *   that verifying the same leaf again costs the hashing and little more.
 */

/* ---- validity period --------------------------------------------------- */

typedef struct
{
  const guint8 *p;
  gsize         len;
} DerSpan;

/* Reads the length and content of the DER TLV at the front of @in, whose
 * one-byte tag the caller has checked: a definite, minimally encoded
 * length. Inlined: it runs for every TLV the walk below looks at. */
G_ALWAYS_INLINE static inline gboolean
der_read_body (DerSpan *in,
               DerSpan *content)
{
  gsize len, header = 2;

  len = in->p[1];
  if (len & 0x80)
    {
      gsize n = len & 0x7f;

      if (n == 0 || n > 4 || in->len - 2 < n || in->p[2] == 0)
        return FALSE;
      len = 0;
      for (gsize i = 0; i < n; i++)
        len = (len << 8) | in->p[2 + i];
      if (len < 0x80)
        return FALSE;
      header += n;
    }

  if (in->len - header < len)
    return FALSE;

  content->p = in->p + header;
  content->len = len;
  in->p += header + len;
  in->len -= header + len;
  return TRUE;
}

/* Reads one DER TLV with the one-byte tag @tag from the front of @in. */
G_ALWAYS_INLINE static inline gboolean
der_read (DerSpan *in,
          guint8   tag,
          DerSpan *content)
{
  return in->len >= 2 && in->p[0] == tag && der_read_body (in, content);
}

/* der_read() when the next tag is @tag; TRUE, with @present FALSE and
 * nothing consumed, when it is not. */
G_ALWAYS_INLINE static inline gboolean
der_read_optional (DerSpan  *in,
                   guint8    tag,
                   DerSpan  *content,
                   gboolean *present)
{
  *present = in->len > 0 && in->p[0] == tag;
  return !*present || der_read (in, tag, content);
}

/* exactly one TLV with tag @tag */
static gboolean
der_is_one (DerSpan  in,
            guint8   tag,
            DerSpan *content)
{
  return der_read (&in, tag, content) && in.len == 0;
}

/* BIT STRING content: an unused-bits count 0..7, 0 when there are no bits. */
static gboolean
der_bit_string_ok (DerSpan bits)
{
  return bits.len > 0 && bits.p[0] <= 7 && (bits.len > 1 || bits.p[0] == 0);
}

/* [3] EXPLICIT Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension, each
 * a SEQUENCE (its fields are left to the TLS stack: checking them costs
 * a tenth of a SHA-256 of the DER, for nothing a POSH match relies on) */
static gboolean
der_extensions_ok (DerSpan explicit)
{
  DerSpan list, ext;

  if (!der_is_one (explicit, 0x30, &list) || list.len == 0)
    return FALSE;
  while (list.len > 0)
    if (!der_read (&list, 0x30, &ext))
      return FALSE;
  return TRUE;
}

/* Two decimal digits, or -1. */
G_ALWAYS_INLINE static inline int
two_digits (const guint8 *p)
{
  if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
    return -1;
  return (p[0] - '0') * 10 + (p[1] - '0');
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static gint64
days_from_civil (int year,
                 int month,
                 int day)
{
  gint64 era;
  guint yoe, doy, doe;

  year -= month <= 2;
  era = (year >= 0 ? year : year - 399) / 400;
  yoe = (guint) (year - era * 400);
  doy = (153 * (guint) (month + (month > 2 ? -3 : 9)) + 2) / 5 + (guint) day - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (gint64) doe - 719468;
}

static gboolean
is_leap_year (int year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* "MMDDHHMMSSZ" after the year, as RFC 5280 §4.1.2.5 requires. */
static gboolean
parse_time_tail (const guint8 *p,
                 int           year,
                 gint64       *out)
{
  static const int month_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int month = two_digits (p), day = two_digits (p + 2), hour = two_digits (p + 4);
  int minute = two_digits (p + 6), second = two_digits (p + 8);

  if (p[10] != 'Z' || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 59)
    return FALSE;
  if (day > month_days[month - 1] + (month == 2 && is_leap_year (year)))
    return FALSE;

  *out = days_from_civil (year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  return TRUE;
}

/* Time ::= UTCTime | GeneralizedTime, in the forms RFC 5280 allows. */
static gboolean
der_read_time (DerSpan *in,
               gint64  *out)
{
  DerSpan t;
  int year;

  if (in->len > 0 && in->p[0] == 0x17)
    {
      if (!der_read (in, 0x17, &t) || t.len != 13 || (year = two_digits (t.p)) < 0)
        return FALSE;
      year += year < 50 ? 2000 : 1900;
      return parse_time_tail (t.p + 2, year, out);
    }

  if (!der_read (in, 0x18, &t) || t.len != 15 ||
      two_digits (t.p) < 0 || two_digits (t.p + 2) < 0)
    return FALSE;
  year = two_digits (t.p) * 100 + two_digits (t.p + 2);
  return parse_time_tail (t.p + 4, year, out);
}

/* TBSCertificate after the validity field: subject, subjectPublicKeyInfo,
 * [1] issuerUniqueID, [2] subjectUniqueID, [3] extensions, in this order,
 * and nothing else. */
static gboolean
der_tbs_tail_ok (DerSpan tbs)
{
  DerSpan skip;
  gboolean present;

  if (!der_read (&tbs, 0x30, &skip) ||             /* subject */
      !der_read (&tbs, 0x30, &skip) ||             /* subjectPublicKeyInfo */
      !der_read_optional (&tbs, 0x81, &skip, &present) ||   /* issuerUniqueID */
      (present && !der_bit_string_ok (skip)) ||
      !der_read_optional (&tbs, 0x82, &skip, &present) ||   /* subjectUniqueID */
      (present && !der_bit_string_ok (skip)) ||
      !der_read_optional (&tbs, 0xa3, &skip, &present) ||   /* extensions */
      (present && !der_extensions_ok (skip)))
    return FALSE;
  return tbs.len == 0;
}

/* Walks the whole Certificate ::= SEQUENCE { tbsCertificate,
 * signatureAlgorithm, signatureValue } (RFC 5280 §4.1): every field of
 * tbsCertificate present in order and a well-formed TLV with a definite
 * minimal length, the version and the validity down to their INTEGER and
 * times, the extensions down to each Extension SEQUENCE, nothing trailing
 * anywhere, and exactly one certificate in the DER; reads the validity
 * period on the way. The insides of names, algorithm identifiers, the key
 * and extension values are not looked at (the TLS stack that received the
 * certificate has parsed them; a POSH match rests on the fingerprint,
 * E21), which keeps this within a fraction of one SHA-256 of the DER. No
 * allocation. */
static gboolean
read_validity_der (const guint8 *der,
                   gsize         der_len,
                   gint64       *not_before,
                   gint64       *not_after)
{
  DerSpan in = { der, der_len };
  DerSpan cert, tbs, validity, version, integer, skip;
  gboolean present;

  if (!der_read (&in, 0x30, &cert) || in.len != 0 ||
      !der_read (&cert, 0x30, &tbs) ||
      !der_read (&cert, 0x30, &skip) ||    /* signatureAlgorithm */
      !der_read (&cert, 0x03, &skip) ||         /* signatureValue */
      !der_bit_string_ok (skip) ||
      cert.len != 0)
    return FALSE;

  if (!der_read_optional (&tbs, 0xa0, &version, &present) ||
      (present && (!der_is_one (version, 0x02, &integer) || integer.len == 0)))
    return FALSE;

  return der_read (&tbs, 0x02, &integer) && integer.len > 0 &&   /* serialNumber */
         der_read (&tbs, 0x30, &skip) &&    /* signature */
         der_read (&tbs, 0x30, &skip) &&    /* issuer */
         der_read (&tbs, 0x30, &validity) &&
         der_read_time (&validity, not_before) &&
         der_read_time (&validity, not_after) &&
         validity.len == 0 &&
         der_tbs_tail_ok (tbs);
}

/* The slow path, for certificates the walk above does not take (for
 * example times in forms RFC 5280 does not allow): GnuTLS decides. */
static gboolean
read_validity_gnutls (const guint8 *der,
                      gsize         der_len,
                      gint64       *not_before,
                      gint64       *not_after)
{
  g_auto (gnutls_x509_crt_t) crt = NULL;
  gnutls_datum_t datum = { (unsigned char *) der, (unsigned int) der_len };
  time_t activation, expiration;

  if (der_len > G_MAXUINT || gnutls_x509_crt_init (&crt) < 0 ||
      gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER) < 0)
    return FALSE;

  activation = gnutls_x509_crt_get_activation_time (crt);
  expiration = gnutls_x509_crt_get_expiration_time (crt);
  if (activation == (time_t) -1 || expiration == (time_t) -1)
    return FALSE;

  *not_before = activation;
  *not_after = expiration;
  return TRUE;
}

/* ---- matching ---------------------------------------------------------- */

typedef struct
{
  const guint8 *der;
  gsize         der_len;
  PoshHash      computed;   /* the digests already in @digests */
  guint8        digests[4][POSH_MAX_DIGEST_SIZE];
} DigestCache;

static const guint8 *
digest_cache_get (DigestCache *cache,
                  PoshHash     hash)
{
  guint slot = (guint) g_bit_nth_lsf (hash, -1);

  if (!(cache->computed & hash))
    {
      _posh_digest (hash, cache->der, cache->der_len, cache->digests[slot]);
      cache->computed |= hash;
    }
  return cache->digests[slot];
}

/* E4, E7: a supported hash whose value decoded to the right length. */
static gboolean
entry_is_usable (const PoshEntry *entry,
                 PoshVerifyFlags  flags)
{
  switch (entry->hash)
    {
    case POSH_HASH_SHA_256:
    case POSH_HASH_SHA_384:
    case POSH_HASH_SHA_512:
      break;
    case POSH_HASH_SHA_1:
      if (!(flags & POSH_VERIFY_FLAGS_ALLOW_SHA1))
        return FALSE;
      break;
    case POSH_HASH_NONE:
    default:
      return FALSE;
    }

  return entry->len > 0 && entry->len == _posh_hash_digest_size (entry->hash);
}

typedef enum
{
  DESCRIPTOR_UNUSABLE,
  DESCRIPTOR_DIFFERS,
  DESCRIPTOR_MATCHES,
} DescriptorVerdict;

/* E5: at least one usable entry, and every usable entry matches. */
static DescriptorVerdict
check_descriptor (const PoshEntry *entries,
                  guint            n_entries,
                  guint            descriptor,
                  PoshVerifyFlags  flags,
                  DigestCache     *cache)
{
  gboolean usable = FALSE, all_match = TRUE;

  for (guint i = 0; i < n_entries; i++)
    {
      const PoshEntry *entry = &entries[i];

      if (entry->descriptor != descriptor || !entry_is_usable (entry, flags))
        continue;

      usable = TRUE;
      if (!_posh_memeq_const_time (digest_cache_get (cache, entry->hash),
                                   entry->digest, entry->len))
        all_match = FALSE;
    }

  if (!usable)
    return DESCRIPTOR_UNUSABLE;
  return all_match ? DESCRIPTOR_MATCHES : DESCRIPTOR_DIFFERS;
}

/* R21, R22: any matching descriptor suffices. */
static DescriptorVerdict
check_document (PoshDocument    *document,
                PoshVerifyFlags  flags,
                DigestCache     *cache)
{
  const PoshEntry *entries;
  guint n_entries, n_descriptors;
  DescriptorVerdict verdict = DESCRIPTOR_UNUSABLE;

  entries = _posh_document_get_entries (document, &n_entries);
  n_descriptors = posh_document_get_n_descriptors (document);

  for (guint d = 0; d < n_descriptors; d++)
    {
      DescriptorVerdict v = check_descriptor (entries, n_entries, d, flags, cache);

      if (v == DESCRIPTOR_MATCHES)
        return DESCRIPTOR_MATCHES;
      if (v == DESCRIPTOR_DIFFERS)
        verdict = DESCRIPTOR_DIFFERS;
    }

  return verdict;
}

/* ---- memo of the validity period --------------------------------------- */

/* The validity period of the last certificate this thread read, keyed by
 * a digest of its whole DER that the matching computed anyway: a TLS
 * client verifies the same leaf over and over, and the strict walk above
 * is most of what the raw verification costs after the hashing.
 *
 * Sound because the key is a collision-resistant digest (SHA-256, -384 or
 * -512, never SHA-1) of the full DER, compared together with its
 * algorithm, and read_validity_der() / read_validity_gnutls() are pure
 * functions of the DER: equal digests mean, short of a collision, equal
 * DER, hence the same outcome of the walk. Only successes are memoised,
 * so DER that neither the walk nor GnuTLS takes is walked (and refused)
 * every time. One entry per thread: no lock, no allocation. */
typedef struct
{
  PoshHash hash;        /* POSH_HASH_NONE: empty */
  guint8   digest[POSH_MAX_DIGEST_SIZE];
  gint64   not_before;
  gint64   not_after;
} ValidityMemo;

static _Thread_local ValidityMemo validity_memo;

/* The computed digest to key the memo with: SHA-256, -384 or -512 (the
 * ones that resist collisions), or POSH_HASH_NONE. */
static PoshHash
memo_key_hash (const DigestCache *cache)
{
  static const PoshHash keys[] = { POSH_HASH_SHA_256, POSH_HASH_SHA_384, POSH_HASH_SHA_512 };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    if (cache->computed & keys[i])
      return keys[i];
  return POSH_HASH_NONE;
}

/* The validity period of the certificate in @cache: the walk, or GnuTLS
 * for what the walk does not take, through the memo when a digest of the
 * DER is at hand. */
static gboolean
read_validity (DigestCache *cache,
               gint64      *not_before,
               gint64      *not_after)
{
  ValidityMemo *memo = &validity_memo;
  PoshHash key = memo_key_hash (cache);
  const guint8 *digest;
  gsize len;

  if (key == POSH_HASH_NONE)
    return read_validity_der (cache->der, cache->der_len, not_before, not_after) ||
           read_validity_gnutls (cache->der, cache->der_len, not_before, not_after);

  digest = digest_cache_get (cache, key);
  len = _posh_hash_digest_size (key);
  if (memo->hash == key && memcmp (memo->digest, digest, len) == 0)
    {
      *not_before = memo->not_before;
      *not_after = memo->not_after;
      return TRUE;
    }

  if (!read_validity_der (cache->der, cache->der_len, not_before, not_after) &&
      !read_validity_gnutls (cache->der, cache->der_len, not_before, not_after))
    return FALSE;

  memo->hash = key;
  memcpy (memo->digest, digest, len);
  memo->not_before = *not_before;
  memo->not_after = *not_after;
  return TRUE;
}

/* See posh-private.h. On FALSE, *status is CERT_DIFFERS so that a caller
 * ignoring the return value still does not accept the certificate. */
gboolean
_posh_verify_der (PoshDocument     *document,
                  const guint8     *der,
                  gsize             der_len,
                  PoshVerifyFlags   flags,
                  gint64            now,
                  PoshVerifyStatus *status,
                  GError          **error)
{
  gint64 not_before = 0, not_after = 0;
  DigestCache cache;
  DescriptorVerdict verdict;

  g_return_val_if_fail (document != NULL, FALSE);
  g_return_val_if_fail (der != NULL || der_len == 0, FALSE);
  g_return_val_if_fail (status != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *status = POSH_VERIFY_STATUS_CERT_DIFFERS;

  if (posh_document_get_kind (document) == POSH_DOCUMENT_KIND_REFERENCE)
    {
      g_set_error_literal (error, POSH_ERROR, POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE,
                           "A reference document carries no fingerprints; "
                           "the document its url points to is needed");
      return FALSE;
    }

  if (posh_document_get_expires (document) == 0)
    {
      g_set_error_literal (error, POSH_ERROR, POSH_ERROR_INVALIDATED,
                           "The document has expires 0: its fingerprints are invalid");
      return FALSE;
    }

  /* the digests first, so that the validity period can be looked up by
   * one of them; the verdict is acted on only once the certificate has
   * been read, so that DER neither the walk nor GnuTLS takes fails with
   * POSH_ERROR_CERT whatever the verdict */
  cache.der = der;
  cache.der_len = der_len;
  cache.computed = POSH_HASH_NONE;
  verdict = check_document (document, flags, &cache);

  if (!read_validity (&cache, &not_before, &not_after))
    {
      g_set_error (error, POSH_ERROR, POSH_ERROR_CERT,
                   "The certificate (%" G_GSIZE_FORMAT " bytes) is not a DER X.509 certificate",
                   der_len);
      return FALSE;
    }

  if (verdict == DESCRIPTOR_UNUSABLE)
    {
      if (flags & POSH_VERIFY_FLAGS_FAIL_IF_NOT_CHECKED)
        {
          g_set_error_literal (error, POSH_ERROR, POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE,
                               "No fingerprint in the document uses a hash function "
                               "this library checks");
          return FALSE;
        }
      *status = POSH_VERIFY_STATUS_NO_USABLE_FINGERPRINT;
      return TRUE;
    }

  if (verdict == DESCRIPTOR_DIFFERS)
    return TRUE;

  *status = POSH_VERIFY_STATUS_NONE;
  if (now > not_after)
    *status |= POSH_VERIFY_STATUS_CERT_EXPIRED;
  if (now < not_before)
    *status |= POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED;
  return TRUE;
}

/* ---- verdict texts and GIO flags ---------------------------------------- */

static const struct
{
  PoshVerifyStatus bit;
  const char      *text;
} status_texts[] = {
  { POSH_VERIFY_STATUS_CERT_DIFFERS,
    "The certificate matches no fingerprint of the POSH document." },
  { POSH_VERIFY_STATUS_NO_USABLE_FINGERPRINT,
    "The POSH document has no fingerprint with a hash function this library checks." },
  { POSH_VERIFY_STATUS_CERT_EXPIRED,
    "The certificate matched, but it has expired." },
  { POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED,
    "The certificate matched, but it is not yet valid." },
};

/**
 * posh_verify_status_to_string:
 * @status: a verdict, as set by [method@Posh.Document.verify_certificate]
 *   and the other verification functions
 *
 * Describes a verdict in words: one sentence for each bit set in @status,
 * or "The certificate matched the POSH document." when @status is
 * %POSH_VERIFY_STATUS_NONE. Bits this version does not know are named by
 * their value.
 *
 * Returns: (transfer full): a newly allocated string
 *
 * Since: 0.1
 */
char *
posh_verify_status_to_string (PoshVerifyStatus status)
{
  GString *out;
  guint unknown = status;

  if (status == POSH_VERIFY_STATUS_NONE)
    return g_strdup ("The certificate matched the POSH document.");

  out = g_string_new (NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (status_texts); i++)
    {
      if (!(status & status_texts[i].bit))
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, status_texts[i].text);
      unknown &= ~(guint) status_texts[i].bit;
    }

  if (unknown != 0)
    g_string_append_printf (out, "%sUnknown verification status bits 0x%x.",
                            out->len > 0 ? " " : "", unknown);

  return g_string_free (out, FALSE);
}

static const struct
{
  PoshVerifyStatus     bit;
  GTlsCertificateFlags flags;
} tls_flags_map[] = {
  { POSH_VERIFY_STATUS_CERT_DIFFERS,          G_TLS_CERTIFICATE_BAD_IDENTITY },
  { POSH_VERIFY_STATUS_NO_USABLE_FINGERPRINT, G_TLS_CERTIFICATE_BAD_IDENTITY },
  { POSH_VERIFY_STATUS_CERT_EXPIRED,          G_TLS_CERTIFICATE_EXPIRED },
  { POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED,    G_TLS_CERTIFICATE_NOT_ACTIVATED },
};

/**
 * posh_verify_status_to_tls_flags:
 * @status: a verdict
 *
 * Maps a verdict onto the [flags@Gio.TlsCertificateFlags] a GIO TLS
 * program reports for the same kind of failure:
 *
 * - %POSH_VERIFY_STATUS_CERT_DIFFERS and
 *   %POSH_VERIFY_STATUS_NO_USABLE_FINGERPRINT: POSH could not tie the
 *   certificate to the domain, %G_TLS_CERTIFICATE_BAD_IDENTITY;
 * - %POSH_VERIFY_STATUS_CERT_EXPIRED: %G_TLS_CERTIFICATE_EXPIRED;
 * - %POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED: %G_TLS_CERTIFICATE_NOT_ACTIVATED.
 *
 * Bits this version does not know map to %G_TLS_CERTIFICATE_GENERIC_ERROR,
 * so that no rejection is ever lost. %POSH_VERIFY_STATUS_NONE maps to
 * `0` (no error).
 *
 * Returns: the corresponding TLS certificate flags
 *
 * Since: 0.1
 */
GTlsCertificateFlags
posh_verify_status_to_tls_flags (PoshVerifyStatus status)
{
  GTlsCertificateFlags flags = 0;
  guint unknown = status;

  for (gsize i = 0; i < G_N_ELEMENTS (tls_flags_map); i++)
    {
      if (status & tls_flags_map[i].bit)
        flags |= tls_flags_map[i].flags;
      unknown &= ~(guint) tls_flags_map[i].bit;
    }

  if (unknown != 0)
    flags |= G_TLS_CERTIFICATE_GENERIC_ERROR;

  return flags;
}
