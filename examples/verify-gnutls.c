/* verify-gnutls.c: check a certificate by POSH with the GnuTLS-style API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   verify-gnutls [--cafile CA.pem] [--connect-to H:P:CH:CP]... DOMAIN SERVICE CERT.pem
 *
 * Fetches https://DOMAIN/.well-known/posh/SERVICE.json and checks the first
 * certificate of CERT.pem against it, as a server would check a peer with
 * libdane. Exit status: 0 POSH did not reject it, 1 it did, 2 could not check.
 *
 *   cc verify-gnutls.c $(pkg-config --cflags --libs posh-gnutls-1)
 */

#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <posh-gnutls/posh.h>

static int
load_pem (const char     *path,
          gnutls_datum_t *der)
{
  gnutls_datum_t pem = { NULL, 0 };
  int ret = gnutls_load_file (path, &pem);

  if (ret < 0)
    return ret;
  ret = gnutls_pem_base64_decode2 ("CERTIFICATE", &pem, der);
  gnutls_free (pem.data);
  return ret;
}

static int
usage (int status)
{
  fprintf (status == 0 ? stdout : stderr,
           "usage: verify-gnutls [--cafile CA.pem] [--connect-to SPEC]... "
           "DOMAIN SERVICE CERT.pem\n");
  return status;
}

static int
could_not_check (const char *what,
                 int         ret)
{
  fprintf (stderr, "%s: %s\n", what, posh_strerror (ret));
  return 2;
}

/* --cafile and --connect-to; returns the index of the first operand. */
static int
parse_options (posh_state_t   state,
               int            argc,
               char         **argv,
               int           *ret)
{
  int i;

  for (i = 1; i + 1 < argc && strncmp (argv[i], "--", 2) == 0; i += 2)
    {
      if (strcmp (argv[i], "--cafile") == 0)
        *ret = posh_state_set_trust_file (state, argv[i + 1]);
      else if (strcmp (argv[i], "--connect-to") == 0)
        *ret = posh_state_set_connect_to (state, argv[i + 1]);
      else
        *ret = POSH_E_INVALID_REQUEST;
      if (*ret < 0)
        return i;
    }
  return i;
}

static int
verify (posh_state_t  state,
        const char   *domain,
        const char   *service,
        const char   *cert_file)
{
  gnutls_datum_t der = { NULL, 0 };
  gnutls_datum_t text = { NULL, 0 };
  unsigned int status = 0;
  int ret;

  if (load_pem (cert_file, &der) < 0)
    {
      fprintf (stderr, "cannot read a certificate from %s\n", cert_file);
      return 2;
    }

  /* One call: fetch (or take from the cache), then compare the leaf. */
  ret = posh_verify_crt (state, &der, 1, GNUTLS_CRT_X509, domain, service,
                         0, 0, &status);
  gnutls_free (der.data);
  if (ret < 0)
    return could_not_check ("could not check", ret);

  if (posh_verification_status_print (status, &text, 0) == 0)
    {
      printf ("%s\n", (const char *) text.data);
      gnutls_free (text.data);
    }
  return status == 0 ? 0 : 1;
}

int
main (int    argc,
      char **argv)
{
  posh_state_t state;
  int first, ret = 0;

  if (argc > 1 && strcmp (argv[1], "--help") == 0)
    return usage (0);

  ret = posh_state_init (&state, 0);
  if (ret < 0)
    return could_not_check ("posh_state_init", ret);

  first = parse_options (state, argc, argv, &ret);
  if (ret < 0)
    ret = could_not_check (argv[first], ret);
  else if (argc - first != 3)
    ret = usage (2);
  else
    ret = verify (state, argv[first], argv[first + 1], argv[first + 2]);

  posh_state_deinit (state);
  return ret;
}
