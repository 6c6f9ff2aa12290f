/* test-query.c: the GnuTLS face, offline part, end to end
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * posh_raw_document + posh_query_entries / posh_query_data +
 * posh_verify_crt_raw, with certificate chains as a GnuTLS program has
 * them (gnutls_datum_t DER, loaded with gnutls_load_file and
 * gnutls_pem_base64_decode2), and a precise error code for each bad
 * argument.
 */

#include "config.h"

#include <string.h>
#include <time.h>
#include <gnutls/crypto.h>

#include "posh-private.h"
#include "posh-gnutls.h"
#include "posh-test-utils.h"

#define T_2012 ((time_t) 1325376000)   /* 2012-01-01, inside the primary's validity */

#define RFC_COMPACT \
  "{\"fingerprints\":[{\"sha-256\":\"4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ=\"," \
  "\"sha-512\":\"25N+1hB2Vo42l9lSGqw+n3BKFhDHsyork8ou+D9B43TXeJ1J81mdQEDqm39oR/EHkPBDDG1y5+AG94Kec0xVqA==\"}]," \
  "\"expires\":604800}"

#define RFC_ALTERNATES \
  "{\"fingerprints\":[" \
  "{\"sha-256\":\"4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ\"," \
  "\"sha-512\":\"25N+1hB2Vo42l9lSGqw+n3BKFhDHsyork8ou+D9B43TXeJ1J81mdQEDqm39oR/EHkPBDDG1y5+AG94Kec0xVqA==\"}," \
  "{\"sha-256\":\"otyLADSKjRDjVpj8X7/hmCAD5C7Qe+PedcmYV7cUncE=\"," \
  "\"sha-512\":\"MbBD+ausTGJisEXKSynROWrMfHP2xvBnmI79Pr/KXnDyLN+13Jof8/Uq9fj5HZG8Rk1E2fclcivpGdijUsvHRg==\"}]," \
  "\"expires\":806400}"

/* draft-02 §3.1: sha-1 and sha-256 of the primary */
#define D02_EXAMPLE \
  "{\"fingerprints\":[{\"sha-1\":\"UpjRI/A3afKE8/AIeTZ5o1dECTY=\"," \
  "\"sha-256\":\"4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ=\"}],\"expires\":604800}"

#define SHA1_ONLY \
  "{\"fingerprints\":[{\"sha-1\":\"UpjRI/A3afKE8/AIeTZ5o1dECTY=\"}],\"expires\":604800}"

#define CA_ONLY \
  "{\"fingerprints\":[{\"sha-256\":\"QSzEovBUUH0B3RBasK9wG1plcVZYhXQuz8srcsHbDUs=\"}],\"expires\":60}"

#define REFERENCE \
  "{\"url\":\"https://hosting.example.net/.well-known/posh/spice.json\",\"expires\":86400}"

#define PRIMARY_SHA256_HEX "e3f9a081d955c7c037a6f1c0596e6c0fea89c8cb541e0891b8f8d50b8f0dd174"
#define ROLLOVER_SHA256_HEX "a2dc8b00348a8d10e35698fc5fbfe1982003e42ed07be3de75c99857b7149dc1"

/* ---- helpers ----------------------------------------------------------- */

/* DER of the first certificate of tests/files/NAME, as a GnuTLS program
 * loads it; free with gnutls_free (d.data). */
static gnutls_datum_t
load_crt (const char *name)
{
  g_autofree char *path = posh_test_file (name);
  gnutls_datum_t pem = { NULL, 0 }, der = { NULL, 0 };

  g_assert_cmpint (gnutls_load_file (path, &pem), ==, 0);
  g_assert_cmpint (gnutls_pem_base64_decode2 ("CERTIFICATE", &pem, &der), ==, 0);
  gnutls_free (pem.data);
  return der;
}

static posh_query_t
raw_document (posh_state_t  s,
              const char   *json)
{
  posh_query_t q = NULL;

  g_assert_cmpint (posh_raw_document (s, &q, json, strlen (json)), ==, POSH_E_SUCCESS);
  g_assert_nonnull (q);
  return q;
}

static char *
hex (const gnutls_datum_t *d)
{
  GString *out = g_string_new (NULL);

  for (unsigned int i = 0; i < d->size; i++)
    g_string_append_printf (out, "%02x", d->data[i]);
  return g_string_free (out, FALSE);
}

static time_t
clock_2012 (time_t *t)
{
  if (t != NULL)
    *t = T_2012;
  return T_2012;
}

typedef struct
{
  posh_state_t   s;
  gnutls_datum_t primary;
  gnutls_datum_t rollover;
  gnutls_datum_t ca;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_assert_cmpint (posh_state_init (&f->s, 0), ==, POSH_E_SUCCESS);
  posh_state_set_time_func (f->s, clock_2012);
  f->primary = load_crt ("vectors/im.example.com-primary.crt");
  f->rollover = load_crt ("vectors/im.example.com-rollover.crt");
  f->ca = load_crt ("vectors/example-ca.crt");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gnutls_free (f->primary.data);
  gnutls_free (f->rollover.data);
  gnutls_free (f->ca.data);
  posh_state_deinit (f->s);
}

/* posh_verify_crt_raw with a fixed clock; asserts success, returns verify */
static unsigned int
verify_chain (posh_state_t          s,
              const gnutls_datum_t *chain,
              unsigned int          chain_size,
              const char           *json,
              unsigned int          vflags)
{
  posh_query_t q = raw_document (s, json);
  unsigned int verify = 0xff;

  g_assert_cmpint (posh_verify_crt_raw (s, chain, chain_size, GNUTLS_CRT_X509, q, 0,
                                        vflags, &verify), ==, POSH_E_SUCCESS);
  posh_query_deinit (q);
  return verify;
}

/* posh_verify_crt_raw of the fixture's primary certificate against q. */
static int
verify_primary (Fixture      *f,
                posh_query_t  q,
                unsigned int  vflags,
                unsigned int *verify)
{
  return posh_verify_crt_raw (f->s, &f->primary, 1, GNUTLS_CRT_X509, q, 0, vflags, verify);
}

/* ---- queries ------------------------------------------------------------ */

static void
test_query_compact (void)
{
  posh_query_t q = raw_document (NULL, RFC_COMPACT);
  gnutls_digest_algorithm_t hash = GNUTLS_DIG_UNKNOWN;
  gnutls_datum_t digest = { NULL, 0 }, again = { NULL, 0 };
  g_autofree char *digest_hex = NULL;
  g_autofree guint8 *sha512 = NULL;
  gsize sha512_len = 0;

  g_assert_cmpuint (posh_query_entries (q), ==, 2);

  g_assert_cmpint (posh_query_data (q, 0, &hash, &digest), ==, POSH_E_SUCCESS);
  g_assert_cmpint (hash, ==, GNUTLS_DIG_SHA256);
  digest_hex = hex (&digest);
  g_assert_cmpstr (digest_hex, ==, PRIMARY_SHA256_HEX);

  /* the digest points into the query: no copy, same bytes every time */
  g_assert_cmpint (posh_query_data (q, 0, NULL, &again), ==, POSH_E_SUCCESS);
  g_assert_true (again.data == digest.data);

  sha512 = g_base64_decode ("25N+1hB2Vo42l9lSGqw+n3BKFhDHsyork8ou+D9B43TXeJ1J81mdQEDqm39oR/"
                            "EHkPBDDG1y5+AG94Kec0xVqA==", &sha512_len);
  g_assert_cmpint (posh_query_data (q, 1, &hash, &digest), ==, POSH_E_SUCCESS);
  g_assert_cmpint (hash, ==, GNUTLS_DIG_SHA512);
  g_assert_cmpmem (digest.data, digest.size, sha512, sha512_len);

  g_assert_cmpint (posh_query_data (q, 1, NULL, NULL), ==, POSH_E_SUCCESS);
  g_assert_cmpint (posh_query_data (q, 2, &hash, &digest), ==,
                   POSH_E_REQUESTED_DATA_NOT_AVAILABLE);
  g_assert_cmpint (posh_query_data (q, G_MAXUINT, NULL, NULL), ==,
                   POSH_E_REQUESTED_DATA_NOT_AVAILABLE);
  posh_query_deinit (q);
}

/* R45, E7: entries in document order; the unpadded value decodes. */
static void
test_query_alternates (void)
{
  posh_query_t q = raw_document (NULL, RFC_ALTERNATES);
  static const gnutls_digest_algorithm_t hashes[] = {
    GNUTLS_DIG_SHA256, GNUTLS_DIG_SHA512, GNUTLS_DIG_SHA256, GNUTLS_DIG_SHA512,
  };
  gnutls_digest_algorithm_t hash;
  gnutls_datum_t digest;
  g_autofree char *first = NULL, *third = NULL;

  g_assert_cmpuint (posh_query_entries (q), ==, G_N_ELEMENTS (hashes));
  for (unsigned int i = 0; i < G_N_ELEMENTS (hashes); i++)
    {
      g_assert_cmpint (posh_query_data (q, i, &hash, &digest), ==, POSH_E_SUCCESS);
      g_assert_cmpint (hash, ==, hashes[i]);
      g_assert_cmpuint (digest.size, ==, gnutls_hash_get_len (hashes[i]));
    }

  posh_query_data (q, 0, NULL, &digest);
  first = hex (&digest);
  posh_query_data (q, 2, NULL, &digest);
  third = hex (&digest);
  g_assert_cmpstr (first, ==, PRIMARY_SHA256_HEX);
  g_assert_cmpstr (third, ==, ROLLOVER_SHA256_HEX);
  posh_query_deinit (q);
}

/* E4, E9: sha-1 is an entry (checked only on request), md5 and unknown
 * names are not. */
static void
test_query_hash_names (void)
{
  posh_query_t q = raw_document (NULL, D02_EXAMPLE);
  posh_query_t q2 = raw_document (NULL,
    "{\"fingerprints\":[{\"md5\":\"AAAAAAAAAAAAAAAAAAAAAA==\",\"bla\":\"woo\","
    "\"sha-256\":\"4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ=\"}],\"expires\":60}");
  gnutls_digest_algorithm_t hash;

  g_assert_cmpuint (posh_query_entries (q), ==, 2);
  g_assert_cmpint (posh_query_data (q, 0, &hash, NULL), ==, POSH_E_SUCCESS);
  g_assert_cmpint (hash, ==, GNUTLS_DIG_SHA1);
  g_assert_cmpint (posh_query_data (q, 1, &hash, NULL), ==, POSH_E_SUCCESS);
  g_assert_cmpint (hash, ==, GNUTLS_DIG_SHA256);

  g_assert_cmpuint (posh_query_entries (q2), ==, 1);
  g_assert_cmpint (posh_query_data (q2, 0, &hash, NULL), ==, POSH_E_SUCCESS);
  g_assert_cmpint (hash, ==, GNUTLS_DIG_SHA256);

  posh_query_deinit (q);
  posh_query_deinit (q2);
}

/* E7: a value that does not decode is not an entry. */
static void
test_query_undecodable_entry (void)
{
  posh_query_t q = raw_document (NULL,
    "{\"fingerprints\":[{\"sha-256\":\"AAAA\",\"sha-512\":\"25N+1hB2Vo42l9lSGqw+n3BKFhDHsyork8ou+"
    "D9B43TXeJ1J81mdQEDqm39oR/EHkPBDDG1y5+AG94Kec0xVqA==\"}],\"expires\":60}");
  gnutls_digest_algorithm_t hash;
  gnutls_datum_t digest;

  g_assert_cmpuint (posh_query_entries (q), ==, 1);
  g_assert_cmpint (posh_query_data (q, 0, &hash, &digest), ==, POSH_E_SUCCESS);
  g_assert_cmpint (hash, ==, GNUTLS_DIG_SHA512);
  g_assert_cmpuint (digest.size, ==, 64);
  g_assert_cmpint (posh_query_data (q, 1, &hash, &digest), ==, POSH_E_REQUESTED_DATA_NOT_AVAILABLE);
  posh_query_deinit (q);
}

static void
test_query_reference (void)
{
  posh_query_t q = raw_document (NULL, REFERENCE);

  g_assert_cmpuint (posh_query_entries (q), ==, 0);
  g_assert_cmpint (posh_query_data (q, 0, NULL, NULL), ==, POSH_E_REQUESTED_DATA_NOT_AVAILABLE);
  posh_query_deinit (q);
}

static void
test_query_null (void)
{
  gnutls_digest_algorithm_t hash;
  gnutls_datum_t digest;

  g_assert_cmpuint (posh_query_entries (NULL), ==, 0);
  g_assert_cmpint (posh_query_data (NULL, 0, &hash, &digest), ==, POSH_E_INVALID_REQUEST);
  posh_query_deinit (NULL);
}

/* ---- posh_raw_document errors ------------------------------------------- */

static void
test_raw_document_errors (void)
{
  posh_query_t q = (posh_query_t) 0x1;
  g_autoptr (GString) big = g_string_new ("{\"expires\":60,\"fingerprints\":[{\"sha-256\":\"");

  g_assert_cmpint (posh_raw_document (NULL, NULL, RFC_COMPACT, strlen (RFC_COMPACT)), ==,
                   POSH_E_INVALID_REQUEST);
  g_assert_cmpint (posh_raw_document (NULL, &q, NULL, 0), ==, POSH_E_INVALID_REQUEST);
  g_assert_null (q);

  q = (posh_query_t) 0x1;
  g_assert_cmpint (posh_raw_document (NULL, &q, "{", 1), ==, POSH_E_RECEIVED_CORRUPT_DATA);
  g_assert_null (q);
  /* R14: at least one descriptor */
  g_assert_cmpint (posh_raw_document (NULL, &q, "{\"fingerprints\":[],\"expires\":60}", 33), ==,
                   POSH_E_RECEIVED_CORRUPT_DATA);
  g_assert_null (q);
  /* R15: not both */
  {
    const char *both = "{\"fingerprints\":[{}],\"url\":\"https://a.example/x\",\"expires\":60}";

    g_assert_cmpint (posh_raw_document (NULL, &q, both, strlen (both)), ==,
                     POSH_E_RECEIVED_CORRUPT_DATA);
  }
  /* the length is honoured: the valid document cut short is corrupt */
  g_assert_cmpint (posh_raw_document (NULL, &q, RFC_COMPACT, strlen (RFC_COMPACT) - 1), ==,
                   POSH_E_RECEIVED_CORRUPT_DATA);

  /* E19: over the default 64 KiB cap */
  while (big->len <= POSH_DEFAULT_MAX_BODY_SIZE)
    g_string_append (big, "AAAA");
  g_string_append (big, "\"}]}");
  g_assert_cmpint (posh_raw_document (NULL, &q, big->str, big->len), ==, POSH_E_TOO_LARGE);
  g_assert_null (q);
}

/* The state's limits apply (E12: expires clamped to the maximum lifetime). */
static void
test_raw_document_state_limits (void)
{
  posh_state_t s = NULL;
  posh_query_t q = NULL;

  g_assert_cmpint (posh_state_init (&s, 0), ==, POSH_E_SUCCESS);
  posh_state_set_max_lifetime (s, 60);

  q = raw_document (s, RFC_COMPACT);
  g_assert_cmpuint (posh_document_get_expires (q), <=, 60);
  posh_query_deinit (q);

  q = raw_document (NULL, RFC_COMPACT);
  g_assert_cmpuint (posh_document_get_expires (q), ==, 604800);
  posh_query_deinit (q);

  posh_state_deinit (s);
}

/* ---- posh_verify_crt_raw ------------------------------------------------ */

static void
test_verify_vectors (Fixture       *f,
                     gconstpointer  data)
{
  gnutls_datum_t chain[2];

  chain[0] = f->primary;
  g_assert_cmpuint (verify_chain (f->s, chain, 1, RFC_COMPACT, 0), ==, 0);
  g_assert_cmpuint (verify_chain (f->s, chain, 1, RFC_ALTERNATES, 0), ==, 0);
  chain[0] = f->rollover;
  g_assert_cmpuint (verify_chain (f->s, chain, 1, RFC_COMPACT, 0), ==, POSH_VERIFY_CERT_DIFFERS);
  /* the rollover is listed, but not valid until 2013 */
  g_assert_cmpuint (verify_chain (f->s, chain, 1, RFC_ALTERNATES, 0), ==,
                    POSH_VERIFY_CERT_NOT_ACTIVATED);
}

/* E20, R18: only chain[0] is hashed. */
static void
test_verify_leaf_only (Fixture       *f,
                       gconstpointer  data)
{
  gnutls_datum_t chain[2];

  chain[0] = f->primary;
  chain[1] = f->ca;
  g_assert_cmpuint (verify_chain (f->s, chain, 2, RFC_COMPACT, 0), ==, 0);
  g_assert_cmpuint (verify_chain (f->s, chain, 2, CA_ONLY, 0), ==, POSH_VERIFY_CERT_DIFFERS);

  /* the leaf's hash does not vouch for a chain that starts with the CA */
  chain[0] = f->ca;
  chain[1] = f->primary;
  g_assert_cmpuint (verify_chain (f->s, chain, 2, RFC_COMPACT, 0), ==, POSH_VERIFY_CERT_DIFFERS);
  /* (and the CA hash is right: it matches the CA as a leaf) */
  g_assert_cmpuint (verify_chain (f->s, chain, 1, CA_ONLY, 0), ==, 0);
}

/* R24: the state's clock decides; NULL state or clock is the wall clock. */
static void
test_verify_clock (Fixture       *f,
                   gconstpointer  data)
{
  posh_query_t q = raw_document (NULL, RFC_COMPACT);
  unsigned int verify = 0xff;

  g_assert_cmpint (posh_verify_crt_raw (NULL, &f->primary, 1, GNUTLS_CRT_X509, q, 0, 0, &verify),
                   ==, POSH_E_SUCCESS);
  g_assert_cmpuint (verify, ==, POSH_VERIFY_CERT_EXPIRED);

  posh_state_set_time_func (f->s, NULL);
  g_assert_cmpint (verify_primary (f, q, 0, &verify), ==, POSH_E_SUCCESS);
  g_assert_cmpuint (verify, ==, POSH_VERIFY_CERT_EXPIRED);

  posh_state_set_time_func (f->s, clock_2012);
  g_assert_cmpint (verify_primary (f, q, 0, &verify), ==, POSH_E_SUCCESS);
  g_assert_cmpuint (verify, ==, 0);
  posh_query_deinit (q);
}

/* E4: sha-1 only with POSH_VFLAG_ALLOW_SHA1; FAIL_IF_NOT_CHECKED. */
static void
test_verify_vflags (Fixture       *f,
                    gconstpointer  data)
{
  posh_query_t q = raw_document (f->s, SHA1_ONLY);
  unsigned int verify = 0xff;

  g_assert_cmpuint (verify_chain (f->s, &f->primary, 1, SHA1_ONLY, 0), ==,
                    POSH_VERIFY_NO_USABLE_FINGERPRINT);
  g_assert_cmpuint (verify_chain (f->s, &f->primary, 1, SHA1_ONLY, POSH_VFLAG_ALLOW_SHA1), ==, 0);
  g_assert_cmpuint (verify_chain (f->s, &f->rollover, 1, SHA1_ONLY, POSH_VFLAG_ALLOW_SHA1), ==,
                    POSH_VERIFY_CERT_DIFFERS);
  g_assert_cmpuint (verify_chain (f->s, &f->primary, 1, D02_EXAMPLE, 0), ==, 0);

  g_assert_cmpint (verify_primary (f, q, POSH_VFLAG_FAIL_IF_NOT_CHECKED, &verify), ==,
                   POSH_E_REQUESTED_DATA_NOT_AVAILABLE);
  g_assert_cmpuint (verify, ==, POSH_VERIFY_CERT_DIFFERS);
  g_assert_cmpint (verify_primary (f, q, POSH_VFLAG_FAIL_IF_NOT_CHECKED | POSH_VFLAG_ALLOW_SHA1,
                                   &verify), ==, POSH_E_SUCCESS);
  g_assert_cmpuint (verify, ==, 0);
  posh_query_deinit (q);
}

/* Each bad argument gets its precise code, and verify fails closed. */
static void
test_verify_bad_arguments (Fixture       *f,
                           gconstpointer  data)
{
  posh_query_t q = raw_document (f->s, RFC_COMPACT);
  gnutls_datum_t empty = { NULL, 0 };
  gnutls_datum_t no_data = { NULL, 903 };
  gnutls_datum_t garbage = { (unsigned char *) "garbage!", 8 };
  unsigned int verify;

#define CHECK(expr, code)                             \
  verify = 0;                                         \
  g_assert_cmpint ((expr), ==, (code));               \
  g_assert_cmpuint (verify, ==, POSH_VERIFY_CERT_DIFFERS)

  CHECK (posh_verify_crt_raw (f->s, NULL, 1, GNUTLS_CRT_X509, q, 0, 0, &verify), POSH_E_NO_CERT);
  CHECK (posh_verify_crt_raw (f->s, &f->primary, 0, GNUTLS_CRT_X509, q, 0, 0, &verify), POSH_E_NO_CERT);
  CHECK (posh_verify_crt_raw (f->s, &empty, 1, GNUTLS_CRT_X509, q, 0, 0, &verify), POSH_E_NO_CERT);
  CHECK (posh_verify_crt_raw (f->s, &no_data, 1, GNUTLS_CRT_X509, q, 0, 0, &verify),
         POSH_E_NO_CERT);
  /* R54: only an X.509 certificate is a POSH proof */
  CHECK (posh_verify_crt_raw (f->s, &f->primary, 1, GNUTLS_CRT_RAWPK, q, 0, 0, &verify),
         POSH_E_INVALID_REQUEST);
  CHECK (posh_verify_crt_raw (f->s, &f->primary, 1, GNUTLS_CRT_X509, NULL, 0, 0, &verify),
         POSH_E_INVALID_REQUEST);
  CHECK (posh_verify_crt_raw (f->s, &f->primary, 1, GNUTLS_CRT_X509, q, 1u << 7, 0, &verify),
         POSH_E_INVALID_REQUEST);
  CHECK (verify_primary (f, q, 1u << 7, &verify), POSH_E_INVALID_REQUEST);
  CHECK (posh_verify_crt_raw (f->s, &garbage, 1, GNUTLS_CRT_X509, q, 0, 0, &verify),
         POSH_E_CERT_ERROR);
#undef CHECK

  g_assert_cmpint (verify_primary (f, q, 0, NULL), ==, POSH_E_INVALID_REQUEST);
  /* the state flags are accepted (they only matter without a state) */
  g_assert_cmpint (posh_verify_crt_raw (NULL, &f->primary, 1, GNUTLS_CRT_X509, q,
                                        POSH_F_NO_CACHE | POSH_F_LEGACY_PATH, 0, &verify), ==,
                   POSH_E_SUCCESS);
  posh_query_deinit (q);
}

/* R20, R28: documents that cannot verify. */
static void
test_verify_document_errors (Fixture       *f,
                             gconstpointer  data)
{
  const char *invalidated =
    "{\"fingerprints\":[{\"sha-256\":\"4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ=\"}],\"expires\":0}";
  posh_query_t q0 = raw_document (f->s, invalidated);
  posh_query_t qref = raw_document (f->s, REFERENCE);
  posh_query_t qempty = raw_document (f->s, "{\"fingerprints\":[{}],\"expires\":60}");
  unsigned int verify = 0;

  g_assert_cmpint (verify_primary (f, q0, 0, &verify), ==, POSH_E_INVALIDATED);
  g_assert_cmpuint (verify, ==, POSH_VERIFY_CERT_DIFFERS);
  verify = 0;
  g_assert_cmpint (verify_primary (f, qref, 0, &verify), ==, POSH_E_REQUESTED_DATA_NOT_AVAILABLE);
  g_assert_cmpuint (verify, ==, POSH_VERIFY_CERT_DIFFERS);
  /* E11: nothing usable is a verdict, unless asked to fail */
  g_assert_cmpint (verify_primary (f, qempty, 0, &verify), ==, POSH_E_SUCCESS);
  g_assert_cmpuint (verify, ==, POSH_VERIFY_NO_USABLE_FINGERPRINT);

  posh_query_deinit (q0);
  posh_query_deinit (qref);
  posh_query_deinit (qempty);
}

/* ---- posh_verification_status_print ------------------------------------- */

static void
test_status_print (void)
{
  static const unsigned int bits[] = {
    0, POSH_VERIFY_CERT_DIFFERS, POSH_VERIFY_NO_USABLE_FINGERPRINT,
    POSH_VERIFY_CERT_EXPIRED, POSH_VERIFY_CERT_NOT_ACTIVATED,
  };
  gnutls_datum_t out = { NULL, 0 };
  g_autofree char *all_text = NULL;
  unsigned int all = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (bits); i++)
    all |= bits[i];
  g_assert_cmpint (posh_verification_status_print (all, &out, 0), ==, POSH_E_SUCCESS);
  all_text = g_strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);

  for (gsize i = 0; i < G_N_ELEMENTS (bits); i++)
    {
      g_autofree char *expected = posh_verify_status_to_string (bits[i]);

      g_assert_cmpint (posh_verification_status_print (bits[i], &out, 0), ==, POSH_E_SUCCESS);
      g_assert_cmpuint (out.size, ==, strlen (expected));
      g_assert_cmpint (out.data[out.size], ==, '\0');
      g_assert_cmpstr ((const char *) out.data, ==, expected);
      if (bits[i] != 0)
        g_assert_nonnull (strstr (all_text, expected));
      gnutls_free (out.data);
    }

  g_assert_cmpint (posh_verification_status_print (0, NULL, 0), ==, POSH_E_INVALID_REQUEST);
  g_assert_cmpint (posh_verification_status_print (0, &out, 1), ==, POSH_E_INVALID_REQUEST);
}

int
main (int    argc,
      char **argv)
{
  posh_test_init (&argc, &argv);

  g_test_add_func ("/query/R16/compact", test_query_compact);
  g_test_add_func ("/query/R45/alternates", test_query_alternates);
  g_test_add_func ("/query/E4/hash-names", test_query_hash_names);
  g_test_add_func ("/query/E7/undecodable-entry", test_query_undecodable_entry);
  g_test_add_func ("/query/R26/reference", test_query_reference);
  g_test_add_func ("/query/null", test_query_null);
  g_test_add_func ("/query/raw-document/errors", test_raw_document_errors);
  g_test_add_func ("/query/raw-document/E12/state-limits", test_raw_document_state_limits);
  g_test_add ("/query/verify/R18/vectors", Fixture, NULL,
              fixture_setup, test_verify_vectors, fixture_teardown);
  g_test_add ("/query/verify/E20/leaf-only", Fixture, NULL,
              fixture_setup, test_verify_leaf_only, fixture_teardown);
  g_test_add ("/query/verify/R24/clock", Fixture, NULL,
              fixture_setup, test_verify_clock, fixture_teardown);
  g_test_add ("/query/verify/E4/vflags", Fixture, NULL,
              fixture_setup, test_verify_vflags, fixture_teardown);
  g_test_add ("/query/verify/bad-arguments", Fixture, NULL,
              fixture_setup, test_verify_bad_arguments, fixture_teardown);
  g_test_add ("/query/verify/R20/document-errors", Fixture, NULL,
              fixture_setup, test_verify_document_errors, fixture_teardown);
  g_test_add_func ("/query/status-print", test_status_print);

  return g_test_run ();
}
