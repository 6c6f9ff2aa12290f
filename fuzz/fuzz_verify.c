/* fuzz_verify.c: parse a document, then verify certificates against it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The input is a document, optionally followed by a NUL byte and a DER
 * certificate. Each document the parser accepts is checked with
 * _posh_verify_der() against two fixed certificates (fuzz-certs.h) and,
 * when present, the fuzzed DER, at a time inside the certificate's validity
 * period and at times before and after it, with and without
 * ALLOW_SHA1 | FAIL_IF_NOT_CHECKED. The verdict is compared with one
 * computed here from the document's entries and nettle digests of the DER
 * (spec R18, R21, R22, E5, E7, E11, E20), and a match outside the validity
 * period must never come out as acceptable (R24).
 *
 * A fuzzed DER that GnuTLS refuses to import may get a verdict only if it
 * passes der_structure_ok() below, a second, independent implementation
 * of the structure posh-verify.c's strict walk checks (one Certificate
 * SEQUENCE of tbsCertificate, signatureAlgorithm, signatureValue; the
 * fields of tbsCertificate in RFC 5280 order, each a well-formed TLV with
 * a definite minimal length; validity two times; extensions one SEQUENCE
 * of SEQUENCEs; nothing trailing at any of these levels); otherwise the
 * answer must be POSH_ERROR_CERT. Inside names, algorithm identifiers, the
 * key and each Extension neither looks.
 */

#include "config.h"

#include <string.h>

#include "posh-private.h"
#include "fuzz.h"
#include "fuzz-certs.h"

#define BEFORE_EVERYTHING G_GINT64_CONSTANT (0)           /* 1970 */
#define AFTER_EVERYTHING  G_GINT64_CONSTANT (4102444800)  /* 2100 */

#define ALL_STATUS (POSH_VERIFY_STATUS_CERT_DIFFERS |            \
                    POSH_VERIFY_STATUS_NO_USABLE_FINGERPRINT |   \
                    POSH_VERIFY_STATUS_CERT_EXPIRED |            \
                    POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED)

typedef enum
{
  VALIDITY_INSIDE,   /* now is inside the certificate's validity period */
  VALIDITY_OUTSIDE,
  VALIDITY_UNKNOWN,  /* GnuTLS cannot parse the certificate */
} Validity;

typedef struct
{
  gnutls_datum_t der;
  gint64         now;     /* inside the validity period */
} FuzzCert;

static FuzzCert fixed_certs[2];

static void
load_cert (FuzzCert   *cert,
           const char *pem,
           gint64      now)
{
  gnutls_datum_t in = { (unsigned char *) pem, (unsigned int) strlen (pem) };
  int ret = gnutls_pem_base64_decode2 ("CERTIFICATE", &in, &cert->der);

  if (ret < 0)
    g_error ("fuzz-certs.h: %s", gnutls_strerror (ret));
  cert->now = now;
}

static void
set_up (void)
{
  static gboolean done;

  if (done)
    return;
  done = TRUE;
  fuzz_set_up ();
  load_cert (&fixed_certs[0], FUZZ_CERT_RFC_EXAMPLE, FUZZ_CERT_RFC_EXAMPLE_NOW);
  load_cert (&fixed_certs[1], FUZZ_CERT_HOSTING, FUZZ_CERT_HOSTING_NOW);
}

/* What the verdict must be, ignoring the validity period: does one
 * descriptor have a usable entry and all its usable entries match? (E5: an
 * undecodable value counts as absent; sha-1 only with ALLOW_SHA1.) */
static PoshVerifyStatus
expected_match_status (PoshDocument    *document,
                       const guint8    *der,
                       gsize            der_len,
                       PoshVerifyFlags  flags)
{
  guint n_entries = 0;
  const PoshEntry *entries = _posh_document_get_entries (document, &n_entries);
  guint n_descriptors = posh_document_get_n_descriptors (document);
  g_autofree guint *usable = g_new0 (guint, n_descriptors);
  g_autofree gboolean *differs = g_new0 (gboolean, n_descriptors);
  gboolean any_usable = FALSE;

  for (guint i = 0; i < n_entries; i++)
    {
      const PoshEntry *e = &entries[i];
      guint8 digest[POSH_MAX_DIGEST_SIZE];

      if (e->len == 0)
        continue;
      if (e->hash == POSH_HASH_SHA_1 && !(flags & POSH_VERIFY_FLAGS_ALLOW_SHA1))
        continue;
      g_assert_cmpuint (e->descriptor, <, n_descriptors);
      usable[e->descriptor]++;
      any_usable = TRUE;
      _posh_digest (e->hash, der, der_len, digest);
      if (memcmp (digest, e->digest, e->len) != 0)
        differs[e->descriptor] = TRUE;
    }

  if (!any_usable)
    return POSH_VERIFY_STATUS_NO_USABLE_FINGERPRINT;
  for (guint d = 0; d < n_descriptors; d++)
    if (usable[d] > 0 && !differs[d])
      return POSH_VERIFY_STATUS_NONE;
  return POSH_VERIFY_STATUS_CERT_DIFFERS;
}

static void
verify_one (PoshDocument    *document,
            const guint8    *der,
            gsize            der_len,
            gboolean         der_is_fixed,
            gint64           now,
            Validity         validity,
            PoshVerifyFlags  flags)
{
  g_autoptr(GError) error = NULL;
  PoshVerifyStatus status = ALL_STATUS;
  PoshVerifyStatus expected;
  gboolean ok;

  ok = _posh_verify_der (document, der, der_len, flags, now, &status, &error);
  if (!ok)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == POSH_ERROR);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      if (posh_document_get_kind (document) == POSH_DOCUMENT_KIND_REFERENCE)
        g_assert_true (g_error_matches (error, POSH_ERROR, POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE) ||
                       g_error_matches (error, POSH_ERROR, POSH_ERROR_INVALIDATED));
      else if (posh_document_get_expires (document) == 0)
        g_assert_error (error, POSH_ERROR, POSH_ERROR_INVALIDATED);
      else if (der_is_fixed)
        {
          /* The fixed certificates parse: only FAIL_IF_NOT_CHECKED with
           * nothing usable may refuse to check. */
          g_assert_error (error, POSH_ERROR, POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE);
          g_assert_true (flags & POSH_VERIFY_FLAGS_FAIL_IF_NOT_CHECKED);
          g_assert_cmpint (expected_match_status (document, der, der_len, flags), ==,
                           POSH_VERIFY_STATUS_NO_USABLE_FINGERPRINT);
        }
      return;
    }

  g_assert_null (error);
  g_assert_cmpint (posh_document_get_kind (document), ==, POSH_DOCUMENT_KIND_FINGERPRINTS);
  g_assert_cmpuint (posh_document_get_expires (document), >, 0);
  g_assert_cmpuint (status & ~ALL_STATUS, ==, 0);

  /* R24: outside the validity period nothing is ever acceptable. */
  if (validity == VALIDITY_OUTSIDE)
    g_assert_cmpuint (status, !=, POSH_VERIFY_STATUS_NONE);

  expected = expected_match_status (document, der, der_len, flags);
  if (expected == POSH_VERIFY_STATUS_NONE)
    {
      g_assert_false (status & (POSH_VERIFY_STATUS_CERT_DIFFERS |
                                POSH_VERIFY_STATUS_NO_USABLE_FINGERPRINT));
      if (validity == VALIDITY_INSIDE)
        g_assert_cmpuint (status, ==, POSH_VERIFY_STATUS_NONE);
    }
  else
    {
      g_assert_true (status & expected);
    }
}

static void
verify_all (PoshDocument *document,
            const guint8 *der,
            gsize         der_len,
            gboolean      der_is_fixed,
            gint64        now)
{
  static const PoshVerifyFlags flag_sets[] = {
    POSH_VERIFY_FLAGS_NONE,
    POSH_VERIFY_FLAGS_ALLOW_SHA1 | POSH_VERIFY_FLAGS_FAIL_IF_NOT_CHECKED,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (flag_sets); i++)
    {
      verify_one (document, der, der_len, der_is_fixed, now, VALIDITY_INSIDE,
                  flag_sets[i]);
      verify_one (document, der, der_len, der_is_fixed, AFTER_EVERYTHING,
                  VALIDITY_OUTSIDE, flag_sets[i]);
    }
  verify_one (document, der, der_len, der_is_fixed, BEFORE_EVERYTHING,
              VALIDITY_OUTSIDE, POSH_VERIFY_FLAGS_NONE);
}

/* ---- the certificate structure, checked independently ----------------- */

/* One TLV at @p: a one-byte tag, a definite length in its shortest form.
 * Returns its size, 0 when malformed. */
static gsize
tlv_at (const guint8  *p,
        gsize          avail,
        guint8        *tag,
        const guint8 **content,
        gsize         *content_len)
{
  gsize len, header;

  if (avail < 2 || (p[0] & 0x1f) == 0x1f || p[1] == 0x80)
    return 0;
  if (p[1] < 0x80)
    {
      len = p[1];
      header = 2;
    }
  else
    {
      gsize n = p[1] & 0x7f;

      if (n > sizeof (gsize) || avail < 2 + n || p[2] == 0)
        return 0;
      len = 0;
      for (gsize i = 0; i < n; i++)
        len = len << 8 | p[2 + i];
      if (len < 0x80)
        return 0;
      header = 2 + n;
    }
  if (avail - header < len)
    return 0;
  *tag = p[0];
  *content = p + header;
  *content_len = len;
  return header + len;
}

/* The content of one TLV. */
typedef struct
{
  const guint8 *data;
  gsize         len;
} Content;

/* The TLVs that exactly fill @p: their tags, two hex digits each, into
 * @tags and their contents, in order, into @contents (of Content); FALSE
 * when @p is not a sequence of well-formed TLVs. */
static gboolean
children (const guint8 *p,
          gsize         len,
          GString      *tags,
          GArray       *contents)
{
  g_string_truncate (tags, 0);
  g_array_set_size (contents, 0);
  while (len > 0)
    {
      guint8 tag = 0;
      Content content = { NULL, 0 };
      gsize size = tlv_at (p, len, &tag, &content.data, &content.len);

      if (size == 0)
        return FALSE;
      g_string_append_printf (tags, "%02x", tag);
      g_array_append_val (contents, content);
      p += size;
      len -= size;
    }
  return TRUE;
}

static gboolean
matches (const char *pattern,
         GString    *tags)
{
  return g_regex_match_simple (pattern, tags->str, 0, 0);
}

/* Each step reads the children of a TLV whose own children the previous
 * step's pattern has already counted, so every index below is in range. */
static gboolean
der_structure_ok (const guint8 *der,
                  gsize         der_len)
{
  g_autoptr (GString) tags = g_string_new (NULL);
  g_autoptr (GArray) contents = g_array_new (FALSE, FALSE, sizeof (Content));
  Content cert, tbs, validity, extensions = { NULL, 0 }, list;
  gboolean has_extensions;

  if (!children (der, der_len, tags, contents) || !matches ("^30$", tags))
    return FALSE;
  cert = g_array_index (contents, Content, 0);
  if (!children (cert.data, cert.len, tags, contents) || !matches ("^303003$", tags))
    return FALSE;
  tbs = g_array_index (contents, Content, 0);
  if (!children (tbs.data, tbs.len, tags, contents) ||
      !matches ("^(a0)?023030303030(81)?(82)?(a3)?$", tags))
    return FALSE;
  validity = g_array_index (contents, Content, tags->str[0] == 'a' ? 4 : 3);
  has_extensions = g_str_has_suffix (tags->str, "a3");
  if (has_extensions)
    extensions = g_array_index (contents, Content, contents->len - 1);
  if (!children (validity.data, validity.len, tags, contents) ||
      !matches ("^(17|18)(17|18)$", tags))
    return FALSE;

  if (!has_extensions)
    return TRUE;
  /* [3] { SEQUENCE SIZE (1..MAX) OF Extension } */
  if (!children (extensions.data, extensions.len, tags, contents) || !matches ("^30$", tags))
    return FALSE;
  list = g_array_index (contents, Content, 0);
  if (!children (list.data, list.len, tags, contents) || !matches ("^(30)+$", tags))
    return FALSE;
  return TRUE;
}

/* A fuzzed DER: its validity period is whatever it says, so only the
 * verdict's consistency is checked, at "now" = its notBefore. */
static void
verify_fuzzed_der (PoshDocument  *document,
                   const guint8  *der,
                   gsize          der_len)
{
  g_auto(gnutls_x509_crt_t) crt = NULL;
  gnutls_datum_t datum = { (unsigned char *) der, (unsigned int) der_len };
  time_t not_before, not_after;

  if (gnutls_x509_crt_init (&crt) < 0 ||
      gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER) < 0)
    {
      /* GnuTLS rejects it. posh-verify.c's own strict walk may still take
       * it (it does not interpret names, keys or extension values): then
       * the structure must be sound all the way through, and the verdict
       * the one the hashes call for. Otherwise: POSH_ERROR_CERT. */
      g_autoptr(GError) error = NULL;
      PoshVerifyStatus status;

      if (!der_structure_ok (der, der_len) &&
          posh_document_get_kind (document) == POSH_DOCUMENT_KIND_FINGERPRINTS &&
          posh_document_get_expires (document) > 0)
        {
          g_assert_false (_posh_verify_der (document, der, der_len, POSH_VERIFY_FLAGS_NONE,
                                            FUZZ_CERT_HOSTING_NOW, &status, &error));
          g_assert_error (error, POSH_ERROR, POSH_ERROR_CERT);
          return;
        }
      verify_one (document, der, der_len, FALSE, FUZZ_CERT_HOSTING_NOW,
                  VALIDITY_UNKNOWN, POSH_VERIFY_FLAGS_NONE);
      return;
    }
  not_before = gnutls_x509_crt_get_activation_time (crt);
  not_after = gnutls_x509_crt_get_expiration_time (crt);
  if (not_before == (time_t) -1 || not_after == (time_t) -1 || not_after < not_before)
    return;
  verify_one (document, der, der_len, FALSE, not_before, VALIDITY_INSIDE,
              POSH_VERIFY_FLAGS_NONE);
  if (not_after < AFTER_EVERYTHING)
    verify_one (document, der, der_len, FALSE, AFTER_EVERYTHING, VALIDITY_OUTSIDE,
                POSH_VERIFY_FLAGS_NONE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(GError) error = NULL;
  PoshParseLimits limits;
  const uint8_t *nul = memchr (data, '\0', size);
  size_t doc_len = nul != NULL ? (size_t) (nul - data) : size;

  set_up ();

  _posh_parse_limits_init (&limits);
  document = _posh_document_parse ((const char *) data, doc_len, &limits, &error);
  if (document == NULL)
    return 0;

  for (gsize i = 0; i < G_N_ELEMENTS (fixed_certs); i++)
    verify_all (document, fixed_certs[i].der.data, fixed_certs[i].der.size,
                TRUE, fixed_certs[i].now);
  if (nul != NULL)
    verify_fuzzed_der (document, nul + 1, size - doc_len - 1);

  return 0;
}
