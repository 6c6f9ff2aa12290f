/* test-verify.c: raw verification of a DER leaf against a document
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Known-answer tests with the certificates behind the RFC 7711 examples
 * (spec §6, tests/files/vectors/), and a table in the style of GnuTLS's
 * tests/dane.c: { name, document, certificate, clock, flags, expected
 * error, expected status }, with documents written against the test PKI
 * (tests/files/fingerprints.h).
 */

#include "config.h"

#include <string.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

#include "posh-private.h"
#include "posh-test-utils.h"
#include "files/fingerprints.h"

/* Clocks, seconds since the epoch. */
#define T_2012        G_GINT64_CONSTANT (1325376000)  /* 2012-01-01 */
#define T_2014        G_GINT64_CONSTANT (1388534400)  /* 2014-01-01 */
#define T_2015        G_GINT64_CONSTANT (1420070400)  /* 2015-01-01 */
#define T_2040        G_GINT64_CONSTANT (2208988800)  /* 2040-01-01: test PKI valid */
#define T_2090        G_GINT64_CONSTANT (3786912000)  /* 2090-01-01 */
#define T_REAL        G_GINT64_CONSTANT (-1)          /* the wall clock */

/* The RFC 7711 §3.1 examples (spec §5.1). */
#define RFC_COMPACT \
  "{\"fingerprints\":[{\"sha-256\":\"4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ=\"," \
  "\"sha-512\":\"25N+1hB2Vo42l9lSGqw+n3BKFhDHsyork8ou+D9B43TXeJ1J81mdQEDqm39oR/EHkPBDDG1y5+AG94Kec0xVqA==\"}]," \
  "\"expires\":604800}"

#define RFC_PRETTY \
  "{\n" \
  "  \"fingerprints\": [\n" \
  "    {\n" \
  "      \"sha-256\": \"4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ=\",\n" \
  "      \"sha-512\": \"25N+1hB2Vo42l9lSGqw+n3BKFhDHsyork8ou+D9B43TXeJ1J81mdQEDqm39oR/EHkPBDDG1y5+AG94Kec0xVqA==\"\n" \
  "    }\n" \
  "  ],\n" \
  "  \"expires\": 604800\n" \
  "}\n"

#define RFC_ALTERNATES \
  "{\n" \
  "  \"fingerprints\": [\n" \
  "    {\n" \
  "      \"sha-256\": \"4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ\",\n" \
  "      \"sha-512\": \"25N+1hB2Vo42l9lSGqw+n3BKFhDHsyork8ou+D9B43TXeJ1J81mdQEDqm39oR/EHkPBDDG1y5+AG94Kec0xVqA==\"\n" \
  "    },\n" \
  "    {\n" \
  "      \"sha-256\": \"otyLADSKjRDjVpj8X7/hmCAD5C7Qe+PedcmYV7cUncE=\",\n" \
  "      \"sha-512\": \"MbBD+ausTGJisEXKSynROWrMfHP2xvBnmI79Pr/KXnDyLN+13Jof8/Uq9fj5HZG8Rk1E2fclcivpGdijUsvHRg==\"\n" \
  "    }\n" \
  "  ],\n" \
  "  \"expires\": 806400\n" \
  "}\n"

/* Only the Example CA's certificate (spec §6). */
#define CA_ONLY \
  "{\"fingerprints\":[{\"sha-256\":\"QSzEovBUUH0B3RBasK9wG1plcVZYhXQuz8srcsHbDUs=\"}],\"expires\":60}"

#define PRIMARY  "vectors/im.example.com-primary.crt"
#define ROLLOVER "vectors/im.example.com-rollover.crt"
#define EXAMPLE_CA "vectors/example-ca.crt"

/* ---- helpers ----------------------------------------------------------- */

/* DER of certificate @index of a PEM file under tests/files/. */
static GBytes *
load_der (const char *name,
          guint       index)
{
  g_autoptr (GBytes) pem = posh_test_file_bytes (name);
  gnutls_datum_t in = { (unsigned char *) g_bytes_get_data (pem, NULL),
                        (unsigned int) g_bytes_get_size (pem) };
  gnutls_x509_crt_t *list = NULL;
  unsigned int n = 0;
  gnutls_datum_t out = { NULL, 0 };
  GBytes *der;

  g_assert_cmpint (gnutls_x509_crt_list_import2 (&list, &n, &in, GNUTLS_X509_FMT_PEM, 0), ==, 0);
  g_assert_cmpuint (index, <, n);
  g_assert_cmpint (gnutls_x509_crt_export2 (list[index], GNUTLS_X509_FMT_DER, &out), ==, 0);
  der = g_bytes_new (out.data, out.size);
  gnutls_free (out.data);
  for (unsigned int i = 0; i < n; i++)
    gnutls_x509_crt_deinit (list[i]);
  gnutls_free (list);
  return der;
}

static PoshDocument *
parse (const char *json)
{
  g_autoptr (GError) error = NULL;
  PoshParseLimits limits;
  PoshDocument *document;

  _posh_parse_limits_init (&limits);
  document = _posh_document_parse (json, strlen (json), &limits, &error);
  g_assert_no_error (error);
  g_assert_nonnull (document);
  return document;
}

static gint64
real_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Verify @der against @json; returns the status, asserts success. */
static PoshVerifyStatus
verify_ok (const char      *json,
           GBytes          *der,
           gint64           now,
           PoshVerifyFlags  flags)
{
  g_autoptr (PoshDocument) document = parse (json);
  g_autoptr (GError) error = NULL;
  PoshVerifyStatus status = 0xff;
  gboolean ok;

  ok = _posh_verify_der (document, g_bytes_get_data (der, NULL), g_bytes_get_size (der),
                         flags, now == T_REAL ? real_now () : now, &status, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  return status;
}

/* base64 of digest @algo of @data. */
static char *
b64_digest (gnutls_digest_algorithm_t  algo,
            const void                *data,
            gsize                      len)
{
  guint8 out[64];

  g_assert_cmpint (gnutls_hash_fast (algo, data, len, out), ==, 0);
  return g_base64_encode (out, gnutls_hash_get_len (algo));
}

static char *
sha256_document (const char *b64)
{
  return posh_test_fingerprints_json (b64, 3600);
}

/* ---- known answers: the RFC 7711 examples ------------------------------ */

static void
test_vectors_compact (void)
{
  g_autoptr (GBytes) primary = load_der (PRIMARY, 0);

  g_assert_cmpint (verify_ok (RFC_COMPACT, primary, T_2012, 0), ==, POSH_VERIFY_STATUS_NONE);
}

static void
test_vectors_pretty (void)
{
  g_autoptr (GBytes) primary = load_der (PRIMARY, 0);

  g_assert_cmpint (verify_ok (RFC_PRETTY, primary, T_2012, 0), ==, POSH_VERIFY_STATUS_NONE);
}

/* R22, R45, E7: either descriptor suffices; the first sha-256 is unpadded. */
static void
test_vectors_alternates (void)
{
  g_autoptr (GBytes) primary = load_der (PRIMARY, 0);
  g_autoptr (GBytes) rollover = load_der (ROLLOVER, 0);

  g_assert_cmpint (verify_ok (RFC_ALTERNATES, primary, T_2012, 0), ==, POSH_VERIFY_STATUS_NONE);
  g_assert_cmpint (verify_ok (RFC_ALTERNATES, rollover, T_2014, 0), ==, POSH_VERIFY_STATUS_NONE);
  /* the compact document lists only the primary */
  g_assert_cmpint (verify_ok (RFC_COMPACT, rollover, T_2014, 0), ==,
                   POSH_VERIFY_STATUS_CERT_DIFFERS);
}

/* R24: both leaves expired in 2013 and 2015; a match does not revive them. */
static void
test_vectors_real_clock (void)
{
  g_autoptr (GBytes) primary = load_der (PRIMARY, 0);
  g_autoptr (GBytes) rollover = load_der (ROLLOVER, 0);

  g_assert_cmpint (verify_ok (RFC_COMPACT, primary, T_REAL, 0), ==,
                   POSH_VERIFY_STATUS_CERT_EXPIRED);
  g_assert_cmpint (verify_ok (RFC_PRETTY, primary, T_REAL, 0), ==,
                   POSH_VERIFY_STATUS_CERT_EXPIRED);
  g_assert_cmpint (verify_ok (RFC_ALTERNATES, primary, T_REAL, 0), ==,
                   POSH_VERIFY_STATUS_CERT_EXPIRED);
  g_assert_cmpint (verify_ok (RFC_ALTERNATES, rollover, T_REAL, 0), ==,
                   POSH_VERIFY_STATUS_CERT_EXPIRED);
  /* the rollover is not yet valid in 2012, the primary expired by 2014 */
  g_assert_cmpint (verify_ok (RFC_ALTERNATES, rollover, T_2012, 0), ==,
                   POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED);
  g_assert_cmpint (verify_ok (RFC_ALTERNATES, primary, T_2014, 0), ==,
                   POSH_VERIFY_STATUS_CERT_EXPIRED);
}

/* E20, R18: the CA's hash never vouches for the leaf, nor the reverse. */
static void
test_vectors_ca_never_matches_leaf (void)
{
  g_autoptr (GBytes) primary = load_der (PRIMARY, 0);
  g_autoptr (GBytes) rollover = load_der (ROLLOVER, 0);
  g_autoptr (GBytes) ca = load_der (EXAMPLE_CA, 0);

  /* the CA hash is right: it matches the CA certificate itself */
  g_assert_cmpint (verify_ok (CA_ONLY, ca, T_2012, 0), ==, POSH_VERIFY_STATUS_NONE);

  g_assert_cmpint (verify_ok (CA_ONLY, primary, T_2012, 0), ==, POSH_VERIFY_STATUS_CERT_DIFFERS);
  g_assert_cmpint (verify_ok (CA_ONLY, rollover, T_2014, 0), ==, POSH_VERIFY_STATUS_CERT_DIFFERS);
  g_assert_cmpint (verify_ok (RFC_ALTERNATES, ca, T_2012, 0), ==, POSH_VERIFY_STATUS_CERT_DIFFERS);
}

/* R18: the hash is over the DER, not the PEM text nor the public key. */
static void
test_r18_der_only (void)
{
  g_autoptr (GBytes) pem = posh_test_file_bytes (PRIMARY);
  g_autoptr (GBytes) der = load_der (PRIMARY, 0);
  gnutls_datum_t datum = { (unsigned char *) g_bytes_get_data (der, NULL),
                           (unsigned int) g_bytes_get_size (der) };
  gnutls_x509_crt_t crt;
  gnutls_pubkey_t pubkey;
  gnutls_datum_t spki = { NULL, 0 };
  g_autofree char *pem_hash = NULL, *spki_hash = NULL, *der_hash = NULL;
  g_autofree char *pem_doc = NULL, *spki_doc = NULL, *der_doc = NULL;

  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER), ==, 0);
  g_assert_cmpint (gnutls_pubkey_init (&pubkey), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_x509 (pubkey, crt, 0), ==, 0);
  g_assert_cmpint (gnutls_pubkey_export2 (pubkey, GNUTLS_X509_FMT_DER, &spki), ==, 0);

  pem_hash = b64_digest (GNUTLS_DIG_SHA256, g_bytes_get_data (pem, NULL), g_bytes_get_size (pem));
  spki_hash = b64_digest (GNUTLS_DIG_SHA256, spki.data, spki.size);
  der_hash = b64_digest (GNUTLS_DIG_SHA256, datum.data, datum.size);
  pem_doc = sha256_document (pem_hash);
  spki_doc = sha256_document (spki_hash);
  der_doc = sha256_document (der_hash);

  g_assert_cmpstr (der_hash, ==, "4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ=");
  g_assert_cmpint (verify_ok (der_doc, der, T_2012, 0), ==, POSH_VERIFY_STATUS_NONE);
  g_assert_cmpint (verify_ok (pem_doc, der, T_2012, 0), ==, POSH_VERIFY_STATUS_CERT_DIFFERS);
  g_assert_cmpint (verify_ok (spki_doc, der, T_2012, 0), ==, POSH_VERIFY_STATUS_CERT_DIFFERS);

  gnutls_free (spki.data);
  gnutls_pubkey_deinit (pubkey);
  gnutls_x509_crt_deinit (crt);
}

/* ---- R24: validity boundaries agree with GnuTLS ------------------------ */

static void
check_boundaries (GBytes *der)
{
  gnutls_datum_t datum = { (unsigned char *) g_bytes_get_data (der, NULL),
                           (unsigned int) g_bytes_get_size (der) };
  gnutls_x509_crt_t crt;
  gint64 not_before, not_after;
  g_autofree char *hash = b64_digest (GNUTLS_DIG_SHA256, datum.data, datum.size);
  g_autofree char *doc = sha256_document (hash);

  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER), ==, 0);
  not_before = gnutls_x509_crt_get_activation_time (crt);
  not_after = gnutls_x509_crt_get_expiration_time (crt);
  gnutls_x509_crt_deinit (crt);

  g_assert_cmpint (verify_ok (doc, der, not_before - 1, 0), ==,
                   POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED);
  g_assert_cmpint (verify_ok (doc, der, not_before, 0), ==, POSH_VERIFY_STATUS_NONE);
  g_assert_cmpint (verify_ok (doc, der, not_after, 0), ==, POSH_VERIFY_STATUS_NONE);
  g_assert_cmpint (verify_ok (doc, der, not_after + 1, 0), ==,
                   POSH_VERIFY_STATUS_CERT_EXPIRED);
}

static void
test_r24_boundaries (void)
{
  static const char * const files[] = {
    PRIMARY, ROLLOVER, EXAMPLE_CA,
    "vectors/hosting.example.net-primary.crt", "vectors/hosting.example.net-rollover.crt",
    "hosting.example.net.pem", "xmpp-expired.pem", "xmpp-notyet.pem", "ca.pem",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr (GBytes) der = load_der (files[i], 0);

      g_test_message ("%s", files[i]);
      check_boundaries (der);
    }
}

/* A time GnuTLS reads but RFC 5280 does not allow (second 60): the
 * GnuTLS fallback decides, and a match is still bounded by it. */
static void
test_r24_gnutls_fallback (void)
{
  g_autoptr (GBytes) der = load_der (PRIMARY, 0);
  g_autofree guint8 *leap = g_memdup2 (g_bytes_get_data (der, NULL), g_bytes_get_size (der));
  gsize len = g_bytes_get_size (der);
  g_autoptr (GBytes) leap_der = NULL;
  guint8 *at = memmem (leap, len, "110704000000Z", 13);

  g_assert_nonnull (at);
  memcpy (at, "110704000060Z", 13);   /* GnuTLS: 2011-07-04 00:01:00 */
  leap_der = g_bytes_new (leap, len);

  check_boundaries (leap_der);
  /* 00:00:30 is before GnuTLS's notBefore */
  {
    g_autofree char *hash = b64_digest (GNUTLS_DIG_SHA256, leap, len);
    g_autofree char *doc = sha256_document (hash);

    g_assert_cmpint (verify_ok (doc, leap_der, 1309737630, 0), ==,
                     POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED);
  }
}

/* ---- the table --------------------------------------------------------- */

/* Document templates use these tokens, expanded at run time. */
#define H1   "%H1%"
#define H256 "%H256%"
#define H384 "%H384%"
#define H512 "%H512%"
#define HMD5 "%HMD5%"
#define O1   "%O1%"
#define O256 "%O256%"
#define O512 "%O512%"

#define DOC(descriptors) "{\"fingerprints\":[" descriptors "],\"expires\":3600}"
#define E1(name, value) "{\"" name "\":\"" value "\"}"
#define E2(n1, v1, n2, v2) "{\"" n1 "\":\"" v1 "\",\"" n2 "\":\"" v2 "\"}"

#define HOSTING "hosting.example.net.pem"
#define GARBAGE "!garbage"
#define EMPTY   "!empty"
#define TRUNCATED "!truncated"
/* Malformed variants of HOSTING (see mangle_certificate()) and the fuzzer's
 * regression input: the strict DER walk refuses them all; GnuTLS (3.7,
 * libtasn1) refuses all but NON_MINIMAL, which it reads as BER. */
#define REGRESSION     "!der-broken-after-validity"
#define TBS_TRAILING   "!tbs-trailing"
#define EXT_TRUNCATED  "!extension-truncated"
#define NON_MINIMAL    "!non-minimal-length"
#define SPKI_WRONG_TAG "!spki-wrong-tag"
#define INDEFINITE     "!indefinite-length"

typedef struct
{
  const char       *name;
  const char       *document;
  const char       *cert;
  gint64            now;
  PoshVerifyFlags   flags;
  int               error;     /* a PoshError code, or 0 */
  PoshVerifyStatus  status;    /* when error is 0 */
} VerifyRow;

#define ALLOW_SHA1 POSH_VERIFY_FLAGS_ALLOW_SHA1
#define FAIL_IF    POSH_VERIFY_FLAGS_FAIL_IF_NOT_CHECKED
#define NONE       POSH_VERIFY_STATUS_NONE
#define DIFFERS    POSH_VERIFY_STATUS_CERT_DIFFERS
#define NO_USABLE  POSH_VERIFY_STATUS_NO_USABLE_FINGERPRINT
#define EXPIRED    POSH_VERIFY_STATUS_CERT_EXPIRED
#define NOTYET     POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED

static const VerifyRow rows[] = {
  /* E5: one descriptor, several algorithms */
  { "E5/all-match", DOC (E2 ("sha-256", H256, "sha-512", H512)), HOSTING, T_2040, 0, 0, NONE },
  { "E5/one-differs", DOC (E2 ("sha-256", H256, "sha-512", O512)), HOSTING, T_2040, 0, 0, DIFFERS },
  { "E5/first-differs", DOC (E2 ("sha-256", O256, "sha-512", H512)), HOSTING, T_2040, 0, 0, DIFFERS },
  { "E5/unknown-ignored", DOC (E2 ("sha-256", H256, "sha3-xyz", "junk")), HOSTING, T_2040, 0, 0, NONE },
  /* R48: a document moved to a stronger hash needs no sha-256 beside it */
  { "E5/sha-384", DOC (E1 ("sha-384", H384)), HOSTING, T_2040, 0, 0, NONE },
  { "E5/sha-512", DOC (E1 ("sha-512", H512)), HOSTING, T_2040, 0, 0, NONE },
  { "E5/three-match",
    DOC ("{\"sha-256\":\"" H256 "\",\"sha-384\":\"" H384 "\",\"sha-512\":\"" H512 "\"}"),
    HOSTING, T_2040, 0, 0, NONE },
  { "E5/middle-of-three-differs",
    DOC ("{\"sha-256\":\"" H256 "\",\"sha-384\":\"%O384%\",\"sha-512\":\"" H512 "\"}"),
    HOSTING, T_2040, 0, 0, DIFFERS },
  /* E7: values that do not decode count as absent */
  { "E7/unpadded", DOC (E1 ("sha-256", "%H256NOPAD%")), HOSTING, T_2040, 0, 0, NONE },
  { "E7/base64url-absent", DOC (E1 ("sha-256", "%H256URL%")), HOSTING, T_2040, 0, 0, NO_USABLE },
  { "E7/whitespace-absent", DOC (E1 ("sha-256", "%H256WS%")), HOSTING, T_2040, 0, 0, NO_USABLE },
  { "E7/pad-bits-absent", DOC (E1 ("sha-256", "%H256PADBITS%")), HOSTING, T_2040, 0, 0, NO_USABLE },
  { "E7/wrong-length-absent", DOC (E1 ("sha-256", H512)), HOSTING, T_2040, 0, 0, NO_USABLE },
  { "E7/non-string-absent", DOC ("{\"sha-256\":42}"), HOSTING, T_2040, 0, 0, NO_USABLE },
  { "E7/bad-then-good", DOC (E2 ("sha-256", "%H256URL%", "sha-512", H512)), HOSTING, T_2040, 0, 0, NONE },
  { "E7/bad-does-not-rescue", DOC (E2 ("sha-256", "%H256URL%", "sha-512", O512)), HOSTING, T_2040, 0, 0, DIFFERS },
  /* E11, E6: descriptors with nothing usable are skipped */
  { "E11/empty-descriptor", DOC ("{}"), HOSTING, T_2040, 0, 0, NO_USABLE },
  { "E11/unknown-only", DOC (E1 ("sha3-999", "AAAA")), HOSTING, T_2040, 0, 0, NO_USABLE },
  { "E11/empty-then-match", DOC ("{}," E1 ("sha-256", H256)), HOSTING, T_2040, 0, 0, NONE },
  { "E11/empty-and-differs", DOC ("{}," E1 ("sha-256", O256)), HOSTING, T_2040, 0, 0, DIFFERS },
  { "E6/uppercase-name", DOC (E1 ("SHA-256", H256)), HOSTING, T_2040, 0, 0, NO_USABLE },
  /* R21, R22: any descriptor suffices, in any position */
  { "R21/unknown-then-match", DOC (E1 ("sha3-999", "AAAA") "," E1 ("sha-256", H256)), HOSTING, T_2040, 0, 0, NONE },
  { "R22/first-of-two", DOC (E1 ("sha-256", H256) "," E1 ("sha-256", O256)), HOSTING, T_2040, 0, 0, NONE },
  { "R22/second-of-two", DOC (E1 ("sha-256", O256) "," E1 ("sha-256", H256)), HOSTING, T_2040, 0, 0, NONE },
  { "R22/inconsistent-then-match",
    DOC (E2 ("sha-256", H256, "sha-512", O512) "," E1 ("sha-512", H512)), HOSTING, T_2040, 0, 0, NONE },
  { "R22/none-of-two", DOC (E1 ("sha-256", O256) "," E1 ("sha-512", O512)), HOSTING, T_2040, 0, 0, DIFFERS },
  /* E4: sha-1 only when asked; md5 and sha-224 never */
  { "E4/sha1-ignored", DOC (E1 ("sha-1", H1)), HOSTING, T_2040, 0, 0, NO_USABLE },
  { "E4/sha1-allowed", DOC (E1 ("sha-1", H1)), HOSTING, T_2040, ALLOW_SHA1, 0, NONE },
  { "E4/sha1-allowed-differs", DOC (E1 ("sha-1", O1)), HOSTING, T_2040, ALLOW_SHA1, 0, DIFFERS },
  { "E4/sha1-bad-unchecked", DOC (E2 ("sha-1", O1, "sha-256", H256)), HOSTING, T_2040, 0, 0, NONE },
  { "E4/sha1-bad-checked", DOC (E2 ("sha-1", O1, "sha-256", H256)), HOSTING, T_2040, ALLOW_SHA1, 0, DIFFERS },
  { "E4/md5-ignored", DOC (E1 ("md5", HMD5)), HOSTING, T_2040, 0, 0, NO_USABLE },
  { "E4/md5-ignored-sha1-flag", DOC (E1 ("md5", HMD5)), HOSTING, T_2040, ALLOW_SHA1, 0, NO_USABLE },
  { "E4/md5-junk-beside-match", DOC (E2 ("md5", "AAAAAAAAAAAAAAAAAAAAAA==", "sha-256", H256)), HOSTING, T_2040, 0, 0, NONE },
  { "E4/sha-224-ignored", DOC (E1 ("sha-224", "%H224%")), HOSTING, T_2040, 0, 0, NO_USABLE },
  /* FAIL_IF_NOT_CHECKED */
  { "fail-if-not-checked/empty", DOC ("{}"), HOSTING, T_2040, FAIL_IF,
    POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE, 0 },
  { "fail-if-not-checked/sha1-only", DOC (E1 ("sha-1", H1)), HOSTING, T_2040, FAIL_IF,
    POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE, 0 },
  { "fail-if-not-checked/sha1-allowed", DOC (E1 ("sha-1", H1)), HOSTING, T_2040, FAIL_IF | ALLOW_SHA1, 0, NONE },
  { "fail-if-not-checked/differs", DOC (E1 ("sha-256", O256)), HOSTING, T_2040, FAIL_IF, 0, DIFFERS },
  { "fail-if-not-checked/match", DOC (E1 ("sha-256", H256)), HOSTING, T_2040, FAIL_IF, 0, NONE },
  /* R20: expires 0 invalidates, match or not */
  { "R20/expires-0-match", "{\"fingerprints\":[" E1 ("sha-256", H256) "],\"expires\":0}",
    HOSTING, T_2040, 0, POSH_ERROR_INVALIDATED, 0 },
  { "R20/expires-0-differs", "{\"fingerprints\":[" E1 ("sha-256", O256) "],\"expires\":0}",
    HOSTING, T_2040, 0, POSH_ERROR_INVALIDATED, 0 },
  /* R28: a reference document cannot verify anything */
  { "R28/reference", "{\"url\":\"https://hosting.example.net/.well-known/posh/xmpp-server.json\",\"expires\":60}",
    HOSTING, T_2040, 0, POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE, 0 },
  /* certificates that do not parse */
  { "cert/garbage", DOC (E1 ("sha-256", H256)), GARBAGE, T_2040, 0, POSH_ERROR_CERT, 0 },
  { "cert/empty", DOC (E1 ("sha-256", H256)), EMPTY, T_2040, 0, POSH_ERROR_CERT, 0 },
  { "cert/truncated", DOC (E1 ("sha-256", H256)), TRUNCATED, T_2040, 0, POSH_ERROR_CERT, 0 },
  /* broken after the validity field: the whole structure is checked */
  { "cert/der-broken-after-validity", DOC (E1 ("sha-256", H256)), REGRESSION, T_2040, 0,
    POSH_ERROR_CERT, 0 },
  { "cert/tbs-trailing-garbage", DOC (E1 ("sha-256", H256)), TBS_TRAILING, T_2040, 0,
    POSH_ERROR_CERT, 0 },
  { "cert/extension-truncated", DOC (E1 ("sha-256", H256)), EXT_TRUNCATED, T_2040, 0,
    POSH_ERROR_CERT, 0 },
  { "cert/indefinite-length", DOC (E1 ("sha-256", H256)), INDEFINITE, T_2040, 0,
    POSH_ERROR_CERT, 0 },
  /* the walk refuses it, GnuTLS takes it: the slow path gives the verdict
   * (the serial's bytes are the same, the DER, and so its hash, is not) */
  { "cert/non-minimal-length-gnutls-decides", DOC (E1 ("sha-256", H256)), NON_MINIMAL,
    T_2040, 0, 0, DIFFERS },
  { "cert/spki-wrong-tag", DOC (E1 ("sha-256", H256)), SPKI_WRONG_TAG, T_2040, 0,
    POSH_ERROR_CERT, 0 },
  /* R24 with the test PKI */
  { "R24/not-yet-valid", DOC (E1 ("sha-256", FP_XMPP_NOTYET_SHA256)), "xmpp-notyet.pem", T_2040, 0, 0, NOTYET },
  { "R24/not-yet-valid-later", DOC (E1 ("sha-256", FP_XMPP_NOTYET_SHA256)), "xmpp-notyet.pem", T_2090, 0, 0, NONE },
  { "R24/expired", DOC (E1 ("sha-512", FP_XMPP_EXPIRED_SHA512)), "xmpp-expired.pem", T_2040, 0, 0, EXPIRED },
  { "R24/expired-earlier", DOC (E1 ("sha-512", FP_XMPP_EXPIRED_SHA512)), "xmpp-expired.pem", T_2015, 0, 0, NONE },
  { "R24/expired-differs", DOC (E1 ("sha-256", O256)), "xmpp-expired.pem", T_2040, 0, 0, DIFFERS },
  { "R24/not-yet-valid-unusable", DOC ("{}"), "xmpp-notyet.pem", T_2040, 0, 0, NO_USABLE },
  { "R24/expired-sha1-allowed", DOC (E1 ("sha-1", FP_XMPP_EXPIRED_SHA1)), "xmpp-expired.pem", T_2040, ALLOW_SHA1, 0, EXPIRED },
  /* E20: a chain member's hash does not vouch for the leaf */
  { "E20/ca-hash", DOC (E1 ("sha-256", FP_CA_SHA256)), HOSTING, T_2040, 0, 0, DIFFERS },
  { "E20/ca-and-leaf", DOC (E1 ("sha-256", FP_CA_SHA256) "," E1 ("sha-256", H256)), HOSTING, T_2040, 0, 0, NONE },
};

static char *
mangle_base64url (const char *b64)
{
  char *out = g_strdup (b64);

  /* only meaningful when there is something to mangle */
  g_assert_true (strchr (out, '+') != NULL || strchr (out, '/') != NULL);
  g_strdelimit (out, "+", '-');
  g_strdelimit (out, "/", '_');
  return out;
}

static char *
mangle_pad_bits (const char *b64)
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *out = g_strdup (b64);
  char *pad = strchr (out, '=');
  const char *pos;

  /* sha-256: 43 characters and one '='; the last one carries 2 pad bits */
  g_assert_nonnull (pad);
  pos = strchr (alphabet, pad[-1]);
  g_assert_nonnull (pos);
  g_assert_cmpint ((pos - alphabet) & 3, ==, 0);
  pad[-1] = alphabet[(pos - alphabet) | 1];
  return out;
}

static char *
expand_document (const char *template)
{
  g_autoptr (GBytes) der = load_der (HOSTING, 0);
  gconstpointer data = g_bytes_get_data (der, NULL);
  gsize len = g_bytes_get_size (der);
  g_autofree char *md5 = b64_digest (GNUTLS_DIG_MD5, data, len);
  g_autofree char *sha224 = b64_digest (GNUTLS_DIG_SHA224, data, len);
  g_autofree char *nopad = g_strndup (FP_HOSTING_EXAMPLE_NET_SHA256,
                                      strcspn (FP_HOSTING_EXAMPLE_NET_SHA256, "="));
  g_autofree char *url = mangle_base64url (FP_HOSTING_EXAMPLE_NET_SHA256);
  g_autofree char *padbits = mangle_pad_bits (FP_HOSTING_EXAMPLE_NET_SHA256);
  g_autofree char *ws = g_strdup_printf ("%.20s %s", FP_HOSTING_EXAMPLE_NET_SHA256,
                                         &FP_HOSTING_EXAMPLE_NET_SHA256[20]);
  const char *tokens[][2] = {
    { "%H1%", FP_HOSTING_EXAMPLE_NET_SHA1 },
    { "%H256NOPAD%", nopad },
    { "%H256URL%", url },
    { "%H256WS%", ws },
    { "%H256PADBITS%", padbits },
    { "%H256%", FP_HOSTING_EXAMPLE_NET_SHA256 },
    { "%H384%", FP_HOSTING_EXAMPLE_NET_SHA384 },
    { "%H512%", FP_HOSTING_EXAMPLE_NET_SHA512 },
    { "%H224%", sha224 },
    { "%HMD5%", md5 },
    { "%O1%", FP_XMPP_OTHER_SHA1 },
    { "%O256%", FP_XMPP_OTHER_SHA256 },
    { "%O384%", FP_XMPP_OTHER_SHA384 },
    { "%O512%", FP_XMPP_OTHER_SHA512 },
  };
  GString *out = g_string_new (template);

  for (gsize i = 0; i < G_N_ELEMENTS (tokens); i++)
    g_string_replace (out, tokens[i][0], tokens[i][1], 0);
  g_assert_null (strchr (out->str, '%'));
  return g_string_free (out, FALSE);
}

/* ---- hand-made malformations ------------------------------------------ */

/* One DER TLV of a valid certificate (definite lengths, one-byte tags). */
typedef struct
{
  const guint8 *start;     /* the tag */
  gsize         header;
  gsize         len;       /* of the content */
} Tlv;

static gsize
tlv_size (const Tlv *tlv)
{
  return tlv->header + tlv->len;
}

/* Splits @len bytes at @p into their TLVs (at most @max). */
static guint
split_tlvs (const guint8 *p,
            gsize         len,
            Tlv          *out,
            guint         max)
{
  guint n = 0;

  while (len > 0)
    {
      Tlv tlv = { p, 2, p[1] };

      if (p[1] & 0x80)
        {
          tlv.header += p[1] & 0x7f;
          tlv.len = 0;
          for (gsize i = 2; i < tlv.header; i++)
            tlv.len = (tlv.len << 8) | p[i];
        }
      g_assert_cmpuint (tlv_size (&tlv), <=, len);
      g_assert_cmpuint (n, <, max);
      out[n++] = tlv;
      p += tlv_size (&tlv);
      len -= tlv_size (&tlv);
    }
  return n;
}

/* Appends TAG, a minimal DER length, and @content. */
static void
append_tlv (GByteArray *out,
            guint8      tag,
            const guint8 *content,
            gsize       len)
{
  guint8 header[6] = { tag };
  guint n = 1;

  if (len < 0x80)
    header[n++] = (guint8) len;
  else
    {
      guint bytes = len > 0xffff ? 3 : len > 0xff ? 2 : 1;

      header[n++] = (guint8) (0x80 | bytes);
      for (guint i = bytes; i > 0; i--)
        header[n++] = (guint8) (len >> (8 * (i - 1)));
    }
  g_byte_array_append (out, header, n);
  g_byte_array_append (out, content, (guint) len);
}

static void
append_raw (GByteArray *out,
            const Tlv  *tlv)
{
  g_byte_array_append (out, tlv->start, (guint) tlv_size (tlv));
}

/* @extensions ([3] EXPLICIT SEQUENCE OF Extension) with the final byte
 * of the last Extension cut off, every enclosing length adjusted: that
 * Extension's own length now claims a byte that is not there. */
static void
append_truncated_extensions (GByteArray *tbs,
                             const Tlv  *extensions)
{
  Tlv list[1], ext[32];
  guint n;
  g_autoptr (GByteArray) seq = g_byte_array_new ();
  g_autoptr (GByteArray) explicit = g_byte_array_new ();

  g_assert_cmpuint (split_tlvs (extensions->start + extensions->header, extensions->len,
                                list, 1), ==, 1);
  n = split_tlvs (list[0].start + list[0].header, list[0].len, ext, G_N_ELEMENTS (ext));
  for (guint i = 0; i < n; i++)
    append_raw (seq, &ext[i]);
  g_byte_array_set_size (seq, seq->len - 1);
  append_tlv (explicit, 0x30, seq->data, seq->len);
  append_tlv (tbs, 0xa3, explicit->data, explicit->len);
}

/* HOSTING with one malformation in tbsCertificate, every enclosing length
 * adjusted so that nothing else is wrong. */
static GBytes *
mangle_certificate (const char *how)
{
  g_autoptr (GBytes) der = load_der (HOSTING, 0);
  const guint8 *p = g_bytes_get_data (der, NULL);
  Tlv cert[1], parts[3], fields[16];
  guint n;
  g_autoptr (GByteArray) tbs = g_byte_array_new ();
  g_autoptr (GByteArray) body = g_byte_array_new ();
  GByteArray *out = g_byte_array_new ();

  g_assert_cmpuint (split_tlvs (p, g_bytes_get_size (der), cert, 1), ==, 1);
  g_assert_cmpuint (split_tlvs (p + cert[0].header, cert[0].len, parts, 3), ==, 3);
  /* version, serial, signature, issuer, validity, subject, spki, extensions */
  n = split_tlvs (parts[0].start + parts[0].header, parts[0].len, fields, 16);
  g_assert_cmpuint (n, ==, 8);
  g_assert_cmpuint (fields[7].start[0], ==, 0xa3);

  for (guint i = 0; i < n; i++)
    {
      if (i == 1 && g_str_equal (how, NON_MINIMAL))
        {
          /* the serial's length in the long form: 0x81 LEN */
          guint8 header[3] = { 0x02, 0x81, (guint8) fields[1].len };

          g_assert_cmpuint (fields[1].len, <, 0x80);
          g_byte_array_append (tbs, header, 3);
          g_byte_array_append (tbs, fields[1].start + fields[1].header, (guint) fields[1].len);
        }
      else if (i == 6 && g_str_equal (how, SPKI_WRONG_TAG))
        append_tlv (tbs, 0x31, fields[6].start + fields[6].header, fields[6].len);
      else if (i == 7 && g_str_equal (how, EXT_TRUNCATED))
        append_truncated_extensions (tbs, &fields[7]);
      else
        append_raw (tbs, &fields[i]);
    }
  if (g_str_equal (how, TBS_TRAILING))
    g_byte_array_append (tbs, (const guint8 *) "\x05\x00", 2);   /* a NULL */

  if (g_str_equal (how, INDEFINITE))
    {
      /* BER's indefinite form: 0x80, then end-of-contents */
      g_byte_array_append (body, (const guint8 *) "\x30\x80", 2);
      g_byte_array_append (body, tbs->data, tbs->len);
      g_byte_array_append (body, (const guint8 *) "\x00\x00", 2);
    }
  else
    append_tlv (body, 0x30, tbs->data, tbs->len);
  append_raw (body, &parts[1]);
  append_raw (body, &parts[2]);
  append_tlv (out, 0x30, body->data, body->len);
  return g_byte_array_free_to_bytes (out);
}

/* The DER after the NUL of a fuzz_verify input. */
static GBytes *
load_fuzz_regression_der (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "fuzz", "regressions",
                                                 "fuzz_verify", name, NULL);
  g_autofree char *data = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;
  const char *nul;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  nul = memchr (data, '\0', len);
  g_assert_nonnull (nul);
  return g_bytes_new (nul + 1, len - (gsize) (nul + 1 - data));
}

static GBytes *
row_certificate (const char *name)
{
  if (g_str_equal (name, REGRESSION))
    return load_fuzz_regression_der (name + 1);
  if (g_str_equal (name, TBS_TRAILING) || g_str_equal (name, EXT_TRUNCATED) ||
      g_str_equal (name, NON_MINIMAL) || g_str_equal (name, SPKI_WRONG_TAG) ||
      g_str_equal (name, INDEFINITE))
    return mangle_certificate (name);
  if (g_str_equal (name, GARBAGE))
    return g_bytes_new_static ("not a certificate at all", 24);
  if (g_str_equal (name, EMPTY))
    return g_bytes_new_static ("", 0);
  if (g_str_equal (name, TRUNCATED))
    {
      g_autoptr (GBytes) der = load_der (HOSTING, 0);

      return g_bytes_new_from_bytes (der, 0, g_bytes_get_size (der) - 1);
    }
  return load_der (name, 0);
}

static void
test_row (gconstpointer data)
{
  const VerifyRow *row = data;
  g_autofree char *json = expand_document (row->document);
  g_autoptr (PoshDocument) document = parse (json);
  g_autoptr (GBytes) der = row_certificate (row->cert);
  g_autoptr (GError) error = NULL;
  PoshVerifyStatus status = 0xff;
  gboolean ok;

  g_test_message ("document: %s", json);
  ok = _posh_verify_der (document, g_bytes_get_data (der, NULL), g_bytes_get_size (der),
                         row->flags, row->now, &status, &error);

  if (row->error != 0)
    {
      g_assert_error (error, POSH_ERROR, row->error);
      g_assert_false (ok);
      /* fails closed: a caller ignoring the return still rejects */
      g_assert_cmpint (status, ==, POSH_VERIFY_STATUS_CERT_DIFFERS);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpint (status, ==, row->status);
    }
}

/* The malformations are what the rows say they are: rebuilt unchanged, the
 * certificate is byte for byte the original; each mangled one but
 * NON_MINIMAL is refused by GnuTLS as well (so POSH_ERROR_CERT is the only
 * right answer), and NON_MINIMAL is taken by GnuTLS. */
static void
test_mangle_controls (void)
{
  static const char *const mangled[] = { REGRESSION, TBS_TRAILING, EXT_TRUNCATED,
                                         NON_MINIMAL, SPKI_WRONG_TAG, INDEFINITE };
  g_autoptr (GBytes) original = load_der (HOSTING, 0);
  g_autoptr (GBytes) unchanged = mangle_certificate ("!unchanged");

  g_assert_true (g_bytes_equal (original, unchanged));
  for (gsize i = 0; i < G_N_ELEMENTS (mangled); i++)
    {
      g_autoptr (GBytes) der = row_certificate (mangled[i]);
      gnutls_datum_t datum = { (unsigned char *) g_bytes_get_data (der, NULL),
                               (unsigned int) g_bytes_get_size (der) };
      gnutls_x509_crt_t crt;

      g_test_message ("%s", mangled[i]);
      g_assert_false (g_bytes_equal (original, der));
      g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
      if (g_str_equal (mangled[i], NON_MINIMAL))
        g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER), ==, 0);
      else
        g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER), <, 0);
      gnutls_x509_crt_deinit (crt);
    }
}

/* ---- R24: the per-thread memo of the validity period ------------------- */

/* The document with the @algo fingerprint of @der. */
static char *
document_for (gnutls_digest_algorithm_t  algo,
              GBytes                    *der)
{
  g_autofree char *hash = b64_digest (algo, g_bytes_get_data (der, NULL),
                                      g_bytes_get_size (der));
  g_autofree char *entry = g_strdup_printf ("{\"%s\":\"%s\"}",
                                            algo == GNUTLS_DIG_SHA512 ? "sha-512" : "sha-256",
                                            hash);

  return g_strdup_printf ("{\"fingerprints\":[%s],\"expires\":3600}", entry);
}

/* Verify @der against @json; asserts the error @code. */
static void
verify_fails (const char *json,
              GBytes     *der,
              gint64      now,
              int         code)
{
  g_autoptr (PoshDocument) document = parse (json);
  g_autoptr (GError) error = NULL;
  PoshVerifyStatus status = 0xff;

  g_assert_false (_posh_verify_der (document, g_bytes_get_data (der, NULL),
                                    g_bytes_get_size (der), 0, now, &status, &error));
  g_assert_error (error, POSH_ERROR, code);
  g_assert_cmpint (status, ==, POSH_VERIFY_STATUS_CERT_DIFFERS);
}

/* The same certificate again and again: the same verdict at each clock,
 * whichever clock came before. */
static void
test_memo_repeat (void)
{
  g_autoptr (GBytes) der = load_der (PRIMARY, 0);
  g_autofree char *doc = document_for (GNUTLS_DIG_SHA256, der);
  static const struct
  {
    gint64           now;
    PoshVerifyStatus status;
  } clocks[] = {
    { T_2012, POSH_VERIFY_STATUS_NONE },
    { T_2014, POSH_VERIFY_STATUS_CERT_EXPIRED },
    { 1309737599, POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED },   /* 2011-07-03 23:59:59 */
    { 1309737600, POSH_VERIFY_STATUS_NONE },                 /* notBefore */
    { 1372809599, POSH_VERIFY_STATUS_NONE },                 /* notAfter */
    { 1372809600, POSH_VERIFY_STATUS_CERT_EXPIRED },
  };

  for (guint round = 0; round < 3; round++)
    for (gsize i = 0; i < G_N_ELEMENTS (clocks); i++)
      g_assert_cmpint (verify_ok (doc, der, clocks[i].now, 0), ==, clocks[i].status);
  g_assert_cmpint (verify_ok (RFC_COMPACT, der, T_2014, 0), ==, POSH_VERIFY_STATUS_CERT_EXPIRED);
}

/* Malformed DER right after the well-formed certificate it was made from
 * (so the memo holds a success): still POSH_ERROR_CERT, whether the
 * document names the malformed DER (its own digest) or the well-formed
 * one; and every time, failures are not memoised. */
static void
test_memo_malformed_after_wellformed (void)
{
  static const char *const mangled[] = { REGRESSION, TBS_TRAILING, EXT_TRUNCATED,
                                         SPKI_WRONG_TAG, INDEFINITE, TRUNCATED };
  g_autoptr (GBytes) good = load_der (HOSTING, 0);
  g_autofree char *good_doc = document_for (GNUTLS_DIG_SHA256, good);
  g_autofree char *good_doc512 = document_for (GNUTLS_DIG_SHA512, good);

  for (gsize i = 0; i < G_N_ELEMENTS (mangled); i++)
    {
      g_autoptr (GBytes) bad = row_certificate (mangled[i]);
      g_autofree char *bad_doc = document_for (GNUTLS_DIG_SHA256, bad);
      g_autofree char *bad_doc512 = document_for (GNUTLS_DIG_SHA512, bad);

      g_test_message ("%s", mangled[i]);
      g_assert_cmpint (verify_ok (good_doc, good, T_2040, 0), ==, POSH_VERIFY_STATUS_NONE);
      verify_fails (bad_doc, bad, T_2040, POSH_ERROR_CERT);
      verify_fails (bad_doc, bad, T_2040, POSH_ERROR_CERT);
      verify_fails (good_doc, bad, T_2040, POSH_ERROR_CERT);
      g_assert_cmpint (verify_ok (good_doc512, good, T_2040, 0), ==, POSH_VERIFY_STATUS_NONE);
      verify_fails (bad_doc512, bad, T_2040, POSH_ERROR_CERT);
      g_assert_cmpint (verify_ok (good_doc, good, T_2040, 0), ==, POSH_VERIFY_STATUS_NONE);
    }
}

/* Three certificates with three validity periods, taken in turns. */
static void
test_memo_alternate (void)
{
  static const struct
  {
    const char      *file;
    PoshVerifyStatus at_2040;
    PoshVerifyStatus at_2015;
  } certs[] = {
    { HOSTING, POSH_VERIFY_STATUS_NONE, POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED },
    { "xmpp-expired.pem", POSH_VERIFY_STATUS_CERT_EXPIRED, POSH_VERIFY_STATUS_NONE },
    { "xmpp-notyet.pem", POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED,
      POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED },
  };
  GBytes *der[G_N_ELEMENTS (certs)];
  char *doc[G_N_ELEMENTS (certs)];

  for (gsize i = 0; i < G_N_ELEMENTS (certs); i++)
    {
      der[i] = load_der (certs[i].file, 0);
      doc[i] = document_for (i == 1 ? GNUTLS_DIG_SHA512 : GNUTLS_DIG_SHA256, der[i]);
    }

  for (guint round = 0; round < 3; round++)
    for (gsize i = 0; i < G_N_ELEMENTS (certs); i++)
      {
        g_assert_cmpint (verify_ok (doc[i], der[i], T_2040, 0), ==, certs[i].at_2040);
        g_assert_cmpint (verify_ok (doc[i], der[i], T_2015, 0), ==, certs[i].at_2015);
        /* another certificate's document: no match, whatever the memo holds */
        g_assert_cmpint (verify_ok (doc[(i + 1) % G_N_ELEMENTS (certs)], der[i], T_2040, 0), ==,
                         POSH_VERIFY_STATUS_CERT_DIFFERS);
      }

  for (gsize i = 0; i < G_N_ELEMENTS (certs); i++)
    {
      g_bytes_unref (der[i]);
      g_free (doc[i]);
    }
}

/* A certificate one byte away from the memoised one (its notAfter year,
 * 2013 -> 2014) has another digest and is read again: its own expiry is
 * seen, before and after the original, with either hash. */
static void
test_memo_one_byte_apart (void)
{
  g_autoptr (GBytes) der = load_der (PRIMARY, 0);
  gsize len = g_bytes_get_size (der);
  g_autofree guint8 *later = g_memdup2 (g_bytes_get_data (der, NULL), len);
  guint8 *at = memmem (later, len, "130702235959Z", 13);
  g_autoptr (GBytes) later_der = NULL;
  g_autofree char *doc = document_for (GNUTLS_DIG_SHA256, der);
  g_autofree char *later_doc = NULL, *later_doc512 = NULL;

  g_assert_nonnull (at);
  at[1] = '4';                       /* 2014-07-02 23:59:59 */
  later_der = g_bytes_new (later, len);
  later_doc = document_for (GNUTLS_DIG_SHA256, later_der);
  later_doc512 = document_for (GNUTLS_DIG_SHA512, later_der);

  for (guint round = 0; round < 2; round++)
    {
      g_assert_cmpint (verify_ok (doc, der, T_2014, 0), ==, POSH_VERIFY_STATUS_CERT_EXPIRED);
      g_assert_cmpint (verify_ok (later_doc, later_der, T_2014, 0), ==, POSH_VERIFY_STATUS_NONE);
      g_assert_cmpint (verify_ok (later_doc, later_der, 1404345599, 0), ==,
                       POSH_VERIFY_STATUS_NONE);
      g_assert_cmpint (verify_ok (later_doc, later_der, 1404345600, 0), ==,
                       POSH_VERIFY_STATUS_CERT_EXPIRED);
      g_assert_cmpint (verify_ok (doc, der, T_2014, 0), ==, POSH_VERIFY_STATUS_CERT_EXPIRED);
      g_assert_cmpint (verify_ok (later_doc512, later_der, T_2014, 0), ==,
                       POSH_VERIFY_STATUS_NONE);
      g_assert_cmpint (verify_ok (RFC_COMPACT, der, T_2014, 0), ==,
                       POSH_VERIFY_STATUS_CERT_EXPIRED);
    }
  check_boundaries (later_der);
  check_boundaries (der);
}

/* ---- GIO flags --------------------------------------------------------- */

static void
test_tls_flags (void)
{
  g_assert_cmpint (posh_verify_status_to_tls_flags (POSH_VERIFY_STATUS_NONE), ==, 0);
  g_assert_cmpint (posh_verify_status_to_tls_flags (DIFFERS), ==, G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_assert_cmpint (posh_verify_status_to_tls_flags (NO_USABLE), ==, G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_assert_cmpint (posh_verify_status_to_tls_flags (EXPIRED), ==, G_TLS_CERTIFICATE_EXPIRED);
  g_assert_cmpint (posh_verify_status_to_tls_flags (NOTYET), ==, G_TLS_CERTIFICATE_NOT_ACTIVATED);
  g_assert_cmpint (posh_verify_status_to_tls_flags (EXPIRED | NOTYET), ==,
                   G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_NOT_ACTIVATED);
  /* an unknown bit is never lost */
  g_assert_cmpint (posh_verify_status_to_tls_flags (1 << 20), ==, G_TLS_CERTIFICATE_GENERIC_ERROR);
}

int
main (int    argc,
      char **argv)
{
  posh_test_init (&argc, &argv);

  g_test_add_func ("/verify/vectors/R18/compact", test_vectors_compact);
  g_test_add_func ("/verify/vectors/R18/pretty", test_vectors_pretty);
  g_test_add_func ("/verify/vectors/R22/alternates", test_vectors_alternates);
  g_test_add_func ("/verify/vectors/R24/real-clock", test_vectors_real_clock);
  g_test_add_func ("/verify/vectors/E20/ca-never-matches-leaf", test_vectors_ca_never_matches_leaf);
  g_test_add_func ("/verify/R18/der-only", test_r18_der_only);
  g_test_add_func ("/verify/R24/boundaries", test_r24_boundaries);
  g_test_add_func ("/verify/R24/gnutls-fallback", test_r24_gnutls_fallback);
  g_test_add_func ("/verify/tls-flags", test_tls_flags);
  g_test_add_func ("/verify/cert/mangle-controls", test_mangle_controls);
  g_test_add_func ("/verify/R24/memo/repeat", test_memo_repeat);
  g_test_add_func ("/verify/R24/memo/malformed-after-wellformed",
                   test_memo_malformed_after_wellformed);
  g_test_add_func ("/verify/R24/memo/alternate", test_memo_alternate);
  g_test_add_func ("/verify/R24/memo/one-byte-apart", test_memo_one_byte_apart);

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/verify/table/%s", rows[i].name);

      g_test_add_data_func (path, &rows[i], test_row);
    }

  return g_test_run ();
}
