/* test-names.c: domain and service normalisation, well-known URLs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Spec E2, E3, R1, R2, R3, R5, E1. One test per input, so that the TAP
 * output names each accepted or rejected form.
 */

#include "config.h"

#include "posh-private.h"
#include "posh-test-utils.h"

#include <string.h>

typedef struct
{
  const char *name;      /* test path component */
  const char *input;
  const char *expected;  /* NULL: rejected with POSH_ERROR_INVALID_REQUEST */
} NameCase;

#define LABEL63 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123"
#define LABEL64 LABEL63 "4"
/* three 63-character labels, 3 dots, then 61 or 62 characters: 253, 254 */
#define NAME253 LABEL63 "." LABEL63 "." LABEL63 "." "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijk"
#define NAME254 LABEL63 "." LABEL63 "." LABEL63 "." "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijkl"

static const NameCase domain_cases[] = {
  /* accepted */
  { "plain", "example.com", "example.com" },
  { "uppercase", "Example.COM", "example.com" },
  { "trailing-dot", "example.com.", "example.com" },
  { "idn", "b\xc3\xbc" "cher.example", "xn--bcher-kva.example" },
  { "idn-uppercase", "B\xc3\x9c" "CHER.example", "xn--bcher-kva.example" },
  { "a-label", "xn--bcher-kva.example", "xn--bcher-kva.example" },
  { "ideographic-full-stop", "b\xc3\xbc" "cher\xe3\x80\x82" "example", "xn--bcher-kva.example" },
  { "hyphen-inside", "a-b.example-host.net", "a-b.example-host.net" },
  { "leading-digit", "1example.com", "1example.com" },
  { "single-label", "localhost", "localhost" },
  { "label-63", LABEL63 ".example", LABEL63 ".example" },
  { "name-253", NAME253, NAME253 },
  /* rejected */
  { "empty", "", NULL },
  { "dot-only", ".", NULL },
  { "ipv4", "127.0.0.1", NULL },
  { "ipv4-short", "127.1", NULL },
  { "ipv4-hex", "0x7f000001", NULL },
  { "ipv4-octal", "017700000001", NULL },
  { "ipv4-trailing-dot", "192.0.2.1.", NULL },
  { "ipv6", "2001:db8::1", NULL },
  { "ipv6-loopback", "::1", NULL },
  { "ipv6-bracketed", "[::1]", NULL },
  { "ipv6-bracketed-port", "[2001:db8::1]:443", NULL },
  { "port", "example.com:443", NULL },
  { "userinfo", "user@example.com", NULL },
  { "url", "https://example.com", NULL },
  { "path", "example.com/x", NULL },
  { "backslash", "example.com\\x", NULL },
  { "percent", "exa%6Dple.com", NULL },
  { "query", "example.com?x", NULL },
  { "fragment", "example.com#x", NULL },
  { "space-inside", "exa mple.com", NULL },
  { "space-leading", " example.com", NULL },
  { "newline", "example.com\n", NULL },
  { "tab", "example\t.com", NULL },
  { "empty-label", "example..com", NULL },
  { "leading-dot", ".example.com", NULL },
  { "two-trailing-dots", "example.com..", NULL },
  { "leading-hyphen", "-example.com", NULL },
  { "trailing-hyphen", "example-.com", NULL },
  { "underscore", "exa_mple.com", NULL },
  { "srv-label", "_xmpp-server._tcp.example.com", NULL },
  { "label-64", LABEL64 ".example", NULL },
  { "name-254", NAME254, NULL },
  { "numeric-tld", "example.123", NULL },
  { "invalid-utf8", "\xff" "example.com", NULL },
  { "symbol", "exa$mple.com", NULL },
};

static const NameCase service_cases[] = {
  /* accepted (R2, R3, E2) */
  { "plain", "xmpp-server", "xmpp-server" },
  { "client", "xmpp-client", "xmpp-client" },
  { "underscore", "_xmpp-server", "xmpp-server" },
  { "srv-tcp", "_xmpp-server._tcp", "xmpp-server" },
  { "srv-client", "_xmpp-client._tcp", "xmpp-client" },
  { "srv-udp", "_sip._udp", "sip" },
  { "srv-sctp", "_sip._sctp", "sip" },
  { "srv-uppercase-proto", "_xmpp-server._TCP", "xmpp-server" },
  { "uppercase", "XMPP-Server", "xmpp-server" },
  { "non-srv", "spice", "spice" },
  { "one-char", "a", "a" },
  { "digits", "h323", "h323" },
  { "length-63", LABEL63, LABEL63 },
  /* rejected */
  { "empty", "", NULL },
  { "underscore-only", "_", NULL },
  { "double-underscore", "__xmpp", NULL },
  { "empty-srv-name", "_._tcp", NULL },
  { "leading-hyphen", "-xmpp", NULL },
  { "trailing-hyphen", "xmpp-", NULL },
  { "slash", "xmpp/server", NULL },
  { "dot-dot", "..", NULL },
  { "parent-path", "../xmpp", NULL },
  { "percent", "xmpp%2fserver", NULL },
  { "query", "xmpp?x", NULL },
  { "fragment", "xmpp#x", NULL },
  { "space", "xmpp server", NULL },
  { "dot", "xmpp.server", NULL },
  { "inner-underscore", "xmpp_server", NULL },
  { "proto-without-service-underscore", "xmpp-server._tcp", NULL },
  { "unknown-proto", "_xmpp-server._foo", NULL },
  { "three-labels", "_xmpp-server._tcp.example", NULL },
  { "json-suffix", "xmpp-server.json", NULL },
  { "length-64", LABEL64, NULL },
  { "non-ascii", "\xc3\xbc", NULL },
};

/* The normalised name, or POSH_ERROR_INVALID_REQUEST and no result. */
static void
assert_normalized (const NameCase *c,
                   char         *(*normalize) (const char *, GError **))
{
  g_autoptr(GError) error = NULL;
  g_autofree char *result = normalize (c->input, &error);

  if (c->expected != NULL)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (result, ==, c->expected);
    }
  else
    {
      g_assert_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST);
      g_assert_null (result);
    }
}

static void
test_domain (gconstpointer data)
{
  assert_normalized (data, _posh_normalize_domain);
}

static void
test_service (gconstpointer data)
{
  assert_normalized (data, _posh_normalize_service);
}

static void
test_null_inputs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;

  g_assert_null (_posh_normalize_domain (NULL, &error));
  g_assert_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST);
  g_assert_null (_posh_normalize_service (NULL, &error2));
  g_assert_error (error2, POSH_ERROR, POSH_ERROR_INVALID_REQUEST);
}

/* The message names the input, escaped, so a log shows what was refused. */
static void
test_error_message (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (_posh_normalize_domain ("example.com:5269", &error));
  g_assert_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST);
  g_assert_nonnull (strstr (error->message, "example.com:5269"));
}

static void
test_url_rfc (void)
{
  g_autofree char *url = _posh_well_known_url ("example.com", "xmpp-server", FALSE);

  g_assert_cmpstr (url, ==, "https://example.com/.well-known/posh/xmpp-server.json");
}

/* E1; R57: the form of the DNA drafts of D02's time */
static void
test_url_legacy (void)
{
  g_autofree char *url = _posh_well_known_url ("example.com", "xmpp-server", TRUE);

  g_assert_cmpstr (url, ==, "https://example.com/.well-known/posh._xmpp-server._tcp.json");
}

/* R5, R52: exactly one segment, NAME.json, after the registered suffix
 * /.well-known/posh/, no query, whatever form the caller used for the
 * service. */
static void
test_url_from_srv_form (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *domain = _posh_normalize_domain ("EXAMPLE.com.", &error);
  g_autofree char *service = _posh_normalize_service ("_xmpp-client._tcp", &error);
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;

  g_assert_no_error (error);
  url = _posh_well_known_url (domain, service, FALSE);
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_uri_get_scheme (uri), ==, "https");
  g_assert_cmpstr (g_uri_get_host (uri), ==, "example.com");
  g_assert_cmpint (g_uri_get_port (uri), ==, -1);
  g_assert_cmpstr (g_uri_get_path (uri), ==, "/.well-known/posh/xmpp-client.json");
  g_assert_null (g_uri_get_query (uri));
  g_assert_null (g_uri_get_fragment (uri));
}

static void
add_cases (const char     *prefix,
           const NameCase *cases,
           gsize           n_cases,
           GTestDataFunc   func)
{
  gsize i;

  for (i = 0; i < n_cases; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s/%s", prefix,
                                               cases[i].expected != NULL ? "accepted" : "rejected",
                                               cases[i].name);
      g_test_add_data_func (path, &cases[i], func);
    }
}

int
main (int    argc,
      char **argv)
{
  posh_test_init (&argc, &argv);

  add_cases ("/names/E3/domain", domain_cases, G_N_ELEMENTS (domain_cases), test_domain);
  add_cases ("/names/E2/service", service_cases, G_N_ELEMENTS (service_cases), test_service);
  g_test_add_func ("/names/null-inputs", test_null_inputs);
  g_test_add_func ("/names/E3/error-message", test_error_message);
  g_test_add_func ("/names/R1/url", test_url_rfc);
  g_test_add_func ("/names/E1/legacy-url", test_url_legacy);
  g_test_add_func ("/names/R5/url-from-srv-form", test_url_from_srv_form);

  return g_test_run ();
}
