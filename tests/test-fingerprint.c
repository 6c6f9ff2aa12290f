/* test-fingerprint.c: hash names, strict base64, digests (posh-fingerprint.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "posh-private.h"

#include <string.h>

#include <gnutls/crypto.h>

/* ---- E4, E6: the hash-name table ------------------------------------------ */

static void
test_hash_names (void)
{
  static const struct
  {
    const char *name;
    PoshHash    hash;
  } cases[] = {
    { "sha-256", POSH_HASH_SHA_256 },
    { "sha-384", POSH_HASH_SHA_384 },
    { "sha-512", POSH_HASH_SHA_512 },
    { "sha-1", POSH_HASH_SHA_1 },
    /* E4: never checked */
    { "md2", POSH_HASH_NONE },
    { "md5", POSH_HASH_NONE },
    { "sha-224", POSH_HASH_NONE },
    /* E6: exact, case-sensitive IANA names only */
    { "SHA-256", POSH_HASH_NONE },
    { "Sha-256", POSH_HASH_NONE },
    { "sha256", POSH_HASH_NONE },
    { "sha_256", POSH_HASH_NONE },
    { "sha-2560", POSH_HASH_NONE },
    { "sha-25", POSH_HASH_NONE },
    { " sha-256", POSH_HASH_NONE },
    { "sha-256 ", POSH_HASH_NONE },
    { "sha3-256", POSH_HASH_NONE },
    { "sha-1 ", POSH_HASH_NONE },
    { "", POSH_HASH_NONE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("name “%s”", cases[i].name);
      g_assert_cmpint (_posh_hash_from_name (cases[i].name, strlen (cases[i].name)),
                       ==, cases[i].hash);
    }
}

/* The length, not a terminating NUL, delimits the name. */
static void
test_hash_name_length (void)
{
  g_assert_cmpint (_posh_hash_from_name ("sha-256xyz", 7), ==, POSH_HASH_SHA_256);
  g_assert_cmpint (_posh_hash_from_name ("sha-256", 6), ==, POSH_HASH_NONE);
  g_assert_cmpint (_posh_hash_from_name ("sha-1\0x", 7), ==, POSH_HASH_NONE);
  g_assert_cmpint (_posh_hash_from_name (NULL, 0), ==, POSH_HASH_NONE);
}

static void
test_hash_properties (void)
{
  static const struct
  {
    PoshHash    hash;
    const char *name;
    gsize       size;
    gnutls_digest_algorithm_t gnutls;
  } cases[] = {
    { POSH_HASH_SHA_256, "sha-256", 32, GNUTLS_DIG_SHA256 },
    { POSH_HASH_SHA_384, "sha-384", 48, GNUTLS_DIG_SHA384 },
    { POSH_HASH_SHA_512, "sha-512", 64, GNUTLS_DIG_SHA512 },
    { POSH_HASH_SHA_1, "sha-1", 20, GNUTLS_DIG_SHA1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpstr (_posh_hash_name (cases[i].hash), ==, cases[i].name);
      g_assert_cmpuint (_posh_hash_digest_size (cases[i].hash), ==, cases[i].size);
      g_assert_cmpuint (_posh_hash_digest_size (cases[i].hash), <=, POSH_MAX_DIGEST_SIZE);
      g_assert_cmpint (_posh_hash_to_gnutls (cases[i].hash), ==, cases[i].gnutls);
    }
  g_assert_null (_posh_hash_name (POSH_HASH_NONE));
  g_assert_cmpuint (_posh_hash_digest_size (POSH_HASH_NONE), ==, 0);
  g_assert_cmpint (_posh_hash_to_gnutls (POSH_HASH_NONE), ==, GNUTLS_DIG_UNKNOWN);
  /* a set of flags is not one hash */
  g_assert_null (_posh_hash_name (POSH_HASH_SHA_256 | POSH_HASH_SHA_512));
}

/* ---- E7: strict base64 ---------------------------------------------------- */

/* sha-256 of the RFC 7711 example certificate (spec §6). */
#define IM_SHA256 "4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ="
#define IM_SHA256_HEX "e3f9a081d955c7c037a6f1c0596e6c0fea89c8cb541e0891b8f8d50b8f0dd174"
#define IM_SHA512 "25N+1hB2Vo42l9lSGqw+n3BKFhDHsyork8ou+D9B43TXeJ1J81mdQEDqm39oR/EHkPBDDG1y5+AG94Kec0xVqA=="
#define IM_SHA1 "UpjRI/A3afKE8/AIeTZ5o1dECTY="

static gboolean
decode (const char *in,
        gsize       expected_len,
        guint8     *out)
{
  return _posh_base64_decode_digest (in, strlen (in), out, expected_len);
}

static void
assert_decodes_to_hex (const char *in,
                       gsize       len,
                       const char *hex)
{
  guint8 out[POSH_MAX_DIGEST_SIZE];
  g_autoptr(GString) got = g_string_new (NULL);

  g_assert_true (decode (in, len, out));
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (got, "%02x", out[i]);
  g_assert_cmpstr (got->str, ==, hex);
}

static void
test_base64_padded (void)
{
  assert_decodes_to_hex (IM_SHA256, 32, IM_SHA256_HEX);
}

/* The RFC's own alternates example lacks the '=' (E7). */
static void
test_base64_unpadded (void)
{
  g_autofree char *unpadded = g_strndup (IM_SHA256, strlen (IM_SHA256) - 1);
  g_autofree char *unpadded512 = g_strndup (IM_SHA512, strlen (IM_SHA512) - 2);
  guint8 a[64], b[64];

  assert_decodes_to_hex (unpadded, 32, IM_SHA256_HEX);
  g_assert_true (decode (IM_SHA512, 64, a));
  g_assert_true (decode (unpadded512, 64, b));
  g_assert_cmpmem (a, 64, b, 64);
}

static void
test_base64_rejected (void)
{
  static const struct
  {
    const char *in;
    gsize       len;
    const char *why;
  } cases[] = {
    { "4_mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ=", 32, "base64url '_'" },
    { "4/mggdlVx8A3pvHAWW5sD-qJyMtUHgiRuPjVC48N0XQ=", 32, "base64url '-'" },
    { "4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ", 20, "wrong length" },
    { "4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ=", 48, "too short for sha-384" },
    { "4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0X=", 32, "one character missing" },
    { "4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ==", 32, "too much padding" },
    { "4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ===", 32, "three pad characters" },
    { "4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XR=", 32, "non-zero pad bits (1 pad)" },
    { "4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XR", 32, "non-zero pad bits, unpadded" },
    { "25N+1hB2Vo42l9lSGqw+n3BKFhDHsyork8ou+D9B43TXeJ1J81mdQEDqm39oR/EHkPBDDG1y5+AG94Kec0xVqB==", 64, "non-zero pad bits (2 pads)" },
    { "25N+1hB2Vo42l9lSGqw+n3BKFhDHsyork8ou+D9B43TXeJ1J81mdQEDqm39oR/EHkPBDDG1y5+AG94Kec0xVqA=", 64, "one pad missing" },
    { "UpjRI/A3afKE8/AIeTZ5o1dECTZ=", 20, "non-zero pad bits (sha-1)" },
    { " 4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ=", 32, "leading space" },
    { "4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ= ", 32, "trailing space" },
    { "4/mggdlVx8A3pvHAWW5sD+qJyM tUHgiRuPjVC48N0XQ=", 32, "embedded space" },
    { "4/mggdlVx8A3pvHAWW5sD+qJyM\ntUHgiRuPjVC48N0XQ=", 32, "embedded newline" },
    { "4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ=\n", 32, "trailing newline" },
    { "4/mggdlVx8A3pvHAWW5sD+qJyM\ttUHgiRuPjVC48N0XQ=", 32, "embedded tab" },
    { "4/mggdlVx8A3pvHAWW5sD+qJyM=tUHgiRuPjVC48N0XQ", 32, "padding in the middle" },
    { "=4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ", 32, "padding at the start" },
    { "4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0X\xc3\xa9", 32, "non-ASCII" },
    { "4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0X.=", 32, "'.'" },
    { "AAAAA", 3, "length 1 mod 4" },
    { "", 32, "empty" },
    { "====", 0, "padding only" },
    { "", 0, "empty, zero length" },
  };
  guint8 out[POSH_MAX_DIGEST_SIZE];

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s: “%s”", cases[i].why, cases[i].in);
      g_assert_false (decode (cases[i].in, cases[i].len, out));
    }
}

/* An embedded NUL inside the given length is not a terminator. */
static void
test_base64_embedded_nul (void)
{
  char in[] = IM_SHA256;
  guint8 out[32];

  in[10] = '\0';
  g_assert_false (_posh_base64_decode_digest (in, strlen (IM_SHA256), out, 32));
}

/* Every length that a digest can have, both spellings. */
static void
test_base64_round_trip (void)
{
  static const gsize sizes[] = { 1, 2, 3, 20, 32, 48, 64 };
  guint8 data[64], out[64];

  for (gsize i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 37 + 11);
  for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autofree char *padded = _posh_base64_encode (data, sizes[s]);
      g_autofree char *unpadded = g_strdup (padded);

      g_strdelimit (unpadded, "=", '\0');
      g_assert_true (decode (padded, sizes[s], out));
      g_assert_cmpmem (out, sizes[s], data, sizes[s]);
      memset (out, 0, sizeof out);
      g_assert_true (decode (unpadded, sizes[s], out));
      g_assert_cmpmem (out, sizes[s], data, sizes[s]);
      g_assert_false (decode (padded, sizes[s] + 1, out));
      g_assert_false (decode (padded, sizes[s] - 1, out));
    }
}

/* R16: canonical padded standard base64. */
static void
test_base64_encode (void)
{
  guint8 digest[64];
  g_autofree char *s256 = NULL;
  g_autofree char *s512 = NULL;
  g_autofree char *s1 = NULL;

  g_assert_true (decode (IM_SHA256, 32, digest));
  s256 = _posh_base64_encode (digest, 32);
  g_assert_cmpstr (s256, ==, IM_SHA256);
  g_assert_cmpuint (strlen (s256), ==, 44);

  g_assert_true (decode (IM_SHA512, 64, digest));
  s512 = _posh_base64_encode (digest, 64);
  g_assert_cmpstr (s512, ==, IM_SHA512);
  g_assert_true (g_str_has_suffix (s512, "=="));

  g_assert_true (decode (IM_SHA1, 20, digest));
  s1 = _posh_base64_encode (digest, 20);
  g_assert_cmpstr (s1, ==, IM_SHA1);
}

/* ---- R18: digests of the DER certificate, spec §6 known answers ------------ */

static GBytes *
load_vector (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "files", "vectors", name, NULL);
  g_autofree char *pem = NULL;
  g_autoptr(GError) error = NULL;
  gnutls_datum_t in, der = { NULL, 0 };
  GBytes *bytes;
  gsize len;

  /* Prefer the repository's copy; POSH_SPEC_VECTORS is the shared one. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS) && g_getenv ("POSH_SPEC_VECTORS"))
    {
      g_free (path);
      path = g_build_filename (g_getenv ("POSH_SPEC_VECTORS"), name, NULL);
    }
  g_file_get_contents (path, &pem, &len, &error);
  g_assert_no_error (error);
  in.data = (unsigned char *) pem;
  in.size = (unsigned int) len;
  g_assert_cmpint (gnutls_pem_base64_decode2 ("CERTIFICATE", &in, &der), ==, GNUTLS_E_SUCCESS);
  bytes = g_bytes_new (der.data, der.size);
  gnutls_free (der.data);
  return bytes;
}

static void
assert_digest (GBytes     *der,
               PoshHash    hash,
               const char *expected)
{
  guint8 digest[POSH_MAX_DIGEST_SIZE];
  gsize len;
  const guint8 *data = g_bytes_get_data (der, &len);
  g_autofree char *encoded = NULL;

  _posh_digest (hash, data, len, digest);
  encoded = _posh_base64_encode (digest, _posh_hash_digest_size (hash));
  g_assert_cmpstr (encoded, ==, expected);
}

static void
test_known_answers (void)
{
  static const struct
  {
    const char *file;
    PoshHash    hash;
    const char *b64;
  } cases[] = {
    { "im.example.com-primary.crt", POSH_HASH_SHA_256, IM_SHA256 },
    { "im.example.com-primary.crt", POSH_HASH_SHA_512, IM_SHA512 },
    { "im.example.com-primary.crt", POSH_HASH_SHA_1, IM_SHA1 },
    { "im.example.com-rollover.crt", POSH_HASH_SHA_256, "otyLADSKjRDjVpj8X7/hmCAD5C7Qe+PedcmYV7cUncE=" },
    { "im.example.com-rollover.crt", POSH_HASH_SHA_512, "MbBD+ausTGJisEXKSynROWrMfHP2xvBnmI79Pr/KXnDyLN+13Jof8/Uq9fj5HZG8Rk1E2fclcivpGdijUsvHRg==" },
    { "im.example.com-rollover.crt", POSH_HASH_SHA_1, "T29tGO9d7kxbfWnUaac8+5+ICLM=" },
    { "example-ca.crt", POSH_HASH_SHA_256, "QSzEovBUUH0B3RBasK9wG1plcVZYhXQuz8srcsHbDUs=" },
    { "hosting.example.net-primary.crt", POSH_HASH_SHA_256, "blxLFlPErNWcGwe1ZUhsLvYWYd0qEZotvAxtHT4XHb8=" },
    { "hosting.example.net-rollover.crt", POSH_HASH_SHA_256, "FYqcUo3jp6nwqCRuwVwgJDEVm0r3BNQC9TOyTDgJvqg=" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) der = load_vector (cases[i].file);

      g_test_message ("%s %s", cases[i].file, _posh_hash_name (cases[i].hash));
      assert_digest (der, cases[i].hash, cases[i].b64);
    }
}

static void
test_der_size (void)
{
  g_autoptr(GBytes) primary = load_vector ("im.example.com-primary.crt");
  g_autoptr(GBytes) rollover = load_vector ("im.example.com-rollover.crt");
  g_autoptr(GBytes) ca = load_vector ("example-ca.crt");

  g_assert_cmpuint (g_bytes_get_size (primary), ==, 903);
  g_assert_cmpuint (g_bytes_get_size (rollover), ==, 903);
  g_assert_cmpuint (g_bytes_get_size (ca), ==, 861);
}

/* R18: the PEM text is not what is hashed. */
static void
test_pem_is_not_hashed (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "files", "vectors",
                                                 "im.example.com-primary.crt", NULL);
  g_autofree char *pem = NULL;
  gsize len;
  guint8 digest[32];
  g_autofree char *encoded = NULL;

  if (!g_file_get_contents (path, &pem, &len, NULL))
    {
      g_test_skip ("tests/files/vectors is missing");
      return;
    }
  _posh_digest (POSH_HASH_SHA_256, (const guint8 *) pem, len, digest);
  encoded = _posh_base64_encode (digest, 32);
  g_assert_cmpstr (encoded, !=, IM_SHA256);
}

/* sha-384 has no published answer: cross-check nettle against GnuTLS. */
static void
test_digests_match_gnutls (void)
{
  static const PoshHash hashes[] = {
    POSH_HASH_SHA_256, POSH_HASH_SHA_384, POSH_HASH_SHA_512, POSH_HASH_SHA_1,
  };
  static const char *const inputs[] = { "", "abc", "hosting.example.net" };

  for (gsize h = 0; h < G_N_ELEMENTS (hashes); h++)
    for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++)
      {
        guint8 ours[POSH_MAX_DIGEST_SIZE], theirs[POSH_MAX_DIGEST_SIZE];
        gsize size = _posh_hash_digest_size (hashes[h]);

        _posh_digest (hashes[h], (const guint8 *) inputs[i], strlen (inputs[i]), ours);
        g_assert_cmpint (gnutls_hash_fast (_posh_hash_to_gnutls (hashes[h]), inputs[i],
                                           strlen (inputs[i]), theirs), ==, 0);
        g_assert_cmpmem (ours, size, theirs, size);
      }
}

/* The FIPS 180-2 answer for "abc", so the cross-check above has an anchor. */
static void
test_sha384_abc (void)
{
  guint8 digest[48];
  g_autofree char *encoded = NULL;

  _posh_digest (POSH_HASH_SHA_384, (const guint8 *) "abc", 3, digest);
  encoded = _posh_base64_encode (digest, 48);
  g_assert_cmpstr (encoded, ==, "ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn");
}

/* ---- constant-time comparison --------------------------------------------- */

static void
test_memeq (void)
{
  guint8 a[64], b[64];

  for (gsize i = 0; i < sizeof a; i++)
    a[i] = b[i] = (guint8) i;
  g_assert_true (_posh_memeq_const_time (a, b, sizeof a));
  g_assert_true (_posh_memeq_const_time (a, b, 0));
  b[0] ^= 1;
  g_assert_false (_posh_memeq_const_time (a, b, sizeof a));
  g_assert_true (_posh_memeq_const_time (a + 1, b + 1, sizeof a - 1));
  b[0] ^= 1;
  b[63] ^= 0x80;
  g_assert_false (_posh_memeq_const_time (a, b, sizeof a));
  g_assert_true (_posh_memeq_const_time (a, b, 63));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fingerprint/E6/hash-names", test_hash_names);
  g_test_add_func ("/fingerprint/E6/hash-name-length", test_hash_name_length);
  g_test_add_func ("/fingerprint/E4/hash-properties", test_hash_properties);
  g_test_add_func ("/fingerprint/E7/base64-padded", test_base64_padded);
  g_test_add_func ("/fingerprint/E7/base64-unpadded", test_base64_unpadded);
  g_test_add_func ("/fingerprint/E7/base64-rejected", test_base64_rejected);
  g_test_add_func ("/fingerprint/E7/base64-embedded-nul", test_base64_embedded_nul);
  g_test_add_func ("/fingerprint/E7/base64-round-trip", test_base64_round_trip);
  g_test_add_func ("/fingerprint/R16/base64-encode", test_base64_encode);
  g_test_add_func ("/fingerprint/R18/known-answers", test_known_answers);
  g_test_add_func ("/fingerprint/R18/der-size", test_der_size);
  g_test_add_func ("/fingerprint/R18/pem-is-not-hashed", test_pem_is_not_hashed);
  g_test_add_func ("/fingerprint/digests-match-gnutls", test_digests_match_gnutls);
  g_test_add_func ("/fingerprint/sha384-abc", test_sha384_abc);
  g_test_add_func ("/fingerprint/memeq-const-time", test_memeq);

  return g_test_run ();
}
