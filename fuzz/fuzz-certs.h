/* fuzz-certs.h: the fixed certificates fuzz_verify.c checks documents against
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Copied from ../../shared/spec/vectors/im.example.com-primary.crt (the
 * certificate behind the RFC 7711 example hashes, spec section 6: valid
 * 2011-07-04 to 2013-07-02) and tests/files/hosting.example.net.pem (the
 * test PKI, valid 2026-11-28 to 2051-11-22), so that the spec's example
 * documents and the test fixtures in the seed corpus reach the match path.
 * Embedded so that the libFuzzer binaries need no files at run time.
 */

#pragma once

#define FUZZ_CERT_RFC_EXAMPLE \
  "-----BEGIN CERTIFICATE-----\n" \
  "MIIDgzCCAmugAwIBAgIBBjANBgkqhkiG9w0BAQUFADBGMQswCQYDVQQGEwJVUzER\n" \
  "MA8GA1UECBMIQ29sb3JhZG8xDzANBgNVBAcTBkRlbnZlcjETMBEGA1UEAxMKRXhh\n" \
  "bXBsZSBDQTAeFw0xMTA3MDQwMDAwMDBaFw0xMzA3MDIyMzU5NTlaMEoxCzAJBgNV\n" \
  "BAYTAlVTMREwDwYDVQQIEwhDb2xvcmFkbzEPMA0GA1UEBxMGRGVudmVyMRcwFQYD\n" \
  "VQQDEw5pbS5leGFtcGxlLmNvbTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoC\n" \
  "ggEBANxwssdcU3LbODErec3owrwUhlzjtuskAn8rAcBMRPImn5xAJRX+1T5g2D7M\n" \
  "TozWWFk4TlpgzAR5slvM0tc35qAI9I0Cqk4ZLChQrYsWuY7alTrnNXdusHUYc6Eq\n" \
  "89DZaH2knTcp57wAXzJPIG/tpBi5F7ck9LVRvRjybix0HJ7i4YrL+GeLuSgrjO4+\n" \
  "GDcXIp8oV0FMKZH+NoMfUITlWYl/JcX1D0WUAiuAnvWtD4Kh/qMJU6FZuupZGHqP\n" \
  "dc3vrXtp27LWgxzxjFa9qnOU6y53vCCJXLLI5sy2fCwEDzLJqh2T6UItIzjrSUZM\n" \
  "IsK8r2pXkroI0uYuNn3Wy+jAzK8CAwEAAaN4MHYwDAYDVR0TAQH/BAIwADAdBgNV\n" \
  "HQ4EFgQUTmRcur7xqaIUoU6wjVFPFxpf3UYwCwYDVR0PBAQDAgXgMCcGA1UdEQQg\n" \
  "MB6gHAYIKwYBBQUHCAWgEAwOaW0uZXhhbXBsZS5jb20wEQYJYIZIAYb4QgEBBAQD\n" \
  "AgZAMA0GCSqGSIb3DQEBBQUAA4IBAQBrtpz4USAT+gNWI8ccU9rFiP0Jr+76VCf8\n" \
  "LeimsqjINfKuUFxVUK5TBcCU8pyRUdXBk5THt+LUW+bPqE4SAuKjTJ1wwme8kOqt\n" \
  "svrr6XDfPHyX6H7nQAaKD0VbvbHfTBKh6jNVVi+4gJACeSEJdiskoNYuJAxNDI8D\n" \
  "mN9qAxu/8dlQHlIT3NkTxMWFUdmW8rj2xdianfZEwuPXoI93jdpgvGhcSM92ahum\n" \
  "FyEZ5ysK6KFsXyUmVuOQFaVsHtSAwrSGr70ASLzsCAi7JsvzO53QFW/KddkFLvEw\n" \
  "Ch/tgKK876poBox1NI6YYuWqhcKWADOOJdSfiXeu23E25tlbDRo8\n" \
  "-----END CERTIFICATE-----\n" \
  ""
/* 2012-01-01T00:00:00Z, inside its validity period */
#define FUZZ_CERT_RFC_EXAMPLE_NOW G_GINT64_CONSTANT (1325376000)

#define FUZZ_CERT_HOSTING \
  "-----BEGIN CERTIFICATE-----\n" \
  "MIICEDCCAbWgAwIBAgIUTBWOku43KO0gWKzf3AP0qFCPrRgwCgYIKoZIzj0EAwIw\n" \
  "OjEaMBgGA1UEChMRcG9zaC1nbnV0bHMgdGVzdHMxHDAaBgNVBAMTE3Bvc2gtZ251\n" \
  "dGxzIFRlc3QgQ0EwIBcNMjYxMTI4MjA1NTA4WhgPMjA1MTExMjIyMDU1MDhaMDox\n" \
  "GjAYBgNVBAoTEXBvc2gtZ251dGxzIHRlc3RzMRwwGgYDVQQDExNob3N0aW5nLmV4\n" \
  "YW1wbGUubmV0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEunM13nZiuuYjFYUp\n" \
  "6ahEoA5h9A6sA6Nan2Cl8d0Xr527Hj+vyRfIYI+uQ3w2SrhBwRZMZkSuhJNhsb9W\n" \
  "62Y1dqOBljCBkzAMBgNVHRMBAf8EAjAAMB4GA1UdEQQXMBWCE2hvc3RpbmcuZXhh\n" \
  "bXBsZS5uZXQwEwYDVR0lBAwwCgYIKwYBBQUHAwEwDgYDVR0PAQH/BAQDAgeAMB0G\n" \
  "A1UdDgQWBBR0QQsu5dvuMk7DA/fIIFBTBpTsIzAfBgNVHSMEGDAWgBTp9EZ0aTuJ\n" \
  "9R6G1pKelz0Gru/FHjAKBggqhkjOPQQDAgNJADBGAiEA8C0/qEIGbILTaLqvLLTj\n" \
  "O0BYY2X/EMlz6X/jbZxdCP4CIQD6JeByz4JvVj0RNJi0oVw1qbfsgi4g/pDYKlWv\n" \
  "UMeY7w==\n" \
  "-----END CERTIFICATE-----\n" \
  ""
/* 2030-01-01T00:00:00Z, inside its validity period */
#define FUZZ_CERT_HOSTING_NOW G_GINT64_CONSTANT (1893456000)
