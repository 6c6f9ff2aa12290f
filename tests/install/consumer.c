/* consumer.c: a program built against the INSTALLED posh-gnutls-1 package
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Uses only <posh-gnutls/posh.h> and the names of DESIGN.md: parses the
 * RFC 7711 §3.1 example with posh_raw_document() and verifies the
 * certificate behind it (spec §6, im.example.com-primary.crt) with
 * posh_verify_crt_raw(), at a 2012 clock (inside its validity) and at the
 * wall clock (where it has expired, R24).
 *
 * Usage: consumer IM.EXAMPLE.COM-PRIMARY.CRT
 */

#include <posh-gnutls/posh.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char rfc_example[] =
  "{\"fingerprints\":[{\"sha-256\":\"4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ=\","
  "\"sha-512\":\"25N+1hB2Vo42l9lSGqw+n3BKFhDHsyork8ou+D9B43TXeJ1J81mdQEDqm39oR/EHkPBDDG1y5+AG94Kec0xVqA==\"}],"
  "\"expires\":604800}";

static time_t
clock_2012 (time_t *t)
{
  time_t now = 1325376000;   /* 2012-01-01T00:00:00Z */

  if (t != NULL)
    *t = now;
  return now;
}

static int
verify (posh_state_t          s,
        posh_query_t          q,
        const gnutls_datum_t *der,
        unsigned int          expected)
{
  unsigned int status = 0;
  gnutls_datum_t text = { NULL, 0 };
  int ret;

  ret = posh_verify_crt_raw (s, der, 1, GNUTLS_CRT_X509, q, 0, 0, &status);
  if (ret < 0)
    {
      fprintf (stderr, "posh_verify_crt_raw: %s\n", posh_strerror (ret));
      return 1;
    }
  if (posh_verification_status_print (status, &text, 0) < 0)
    return 1;
  printf ("verify: 0x%x: %s\n", status, (const char *) text.data);
  gnutls_free (text.data);
  return status == expected ? 0 : 1;
}

int
main (int    argc,
      char **argv)
{
  posh_state_t s = NULL;
  posh_query_t q = NULL;
  gnutls_datum_t pem = { NULL, 0 }, der = { NULL, 0 };
  int ret, failed = 0;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s CERTIFICATE.crt\n", argv[0]);
      return 2;
    }

  if (gnutls_load_file (argv[1], &pem) < 0 ||
      gnutls_pem_base64_decode2 ("CERTIFICATE", &pem, &der) < 0)
    {
      fprintf (stderr, "cannot load %s\n", argv[1]);
      return 2;
    }

  ret = posh_state_init (&s, 0);
  if (ret < 0)
    {
      fprintf (stderr, "posh_state_init: %s\n", posh_strerror (ret));
      return 1;
    }

  ret = posh_raw_document (s, &q, rfc_example, strlen (rfc_example));
  if (ret < 0)
    {
      fprintf (stderr, "posh_raw_document: %s\n", posh_strerror (ret));
      return 1;
    }
  printf ("entries: %u\n", posh_query_entries (q));
  failed |= posh_query_entries (q) != 2;

  posh_state_set_time_func (s, clock_2012);
  failed |= verify (s, q, &der, 0);

  posh_state_set_time_func (s, NULL);
  failed |= verify (s, q, &der, POSH_VERIFY_CERT_EXPIRED);

  posh_query_deinit (q);
  posh_state_deinit (s);
  gnutls_free (pem.data);
  gnutls_free (der.data);
  printf ("%s\n", failed ? "FAIL" : "PASS");
  return failed;
}
