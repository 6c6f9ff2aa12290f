#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Check a certificate by POSH from Python (PyGObject), asynchronously on a
# GLib main loop:
#
#   verify.py [--cafile CA.pem] [--connect-to H:P:CH:CP]... DOMAIN SERVICE CERT.pem
#
# Exit status: 0 POSH did not reject the certificate, 1 it did, 2 could not
# check.

import argparse
import sys

import gi

gi.require_version('Gio', '2.0')
gi.require_version('Posh', '1')
from gi.repository import Gio, GLib, Posh  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description='Check a certificate by POSH')
    parser.add_argument('--cafile', help='trust store for the HTTPS fetch')
    parser.add_argument('--connect-to', action='append', default=[],
                        metavar='H:P:CH:CP', help='HTTPS connection override')
    parser.add_argument('domain')
    parser.add_argument('service', help='e.g. xmpp-client or xmpp-server')
    parser.add_argument('certificate', help='PEM file; its first certificate is checked')
    args = parser.parse_args()

    verifier = Posh.Verifier.new()
    if args.cafile:
        verifier.set_tls_database(Gio.TlsFileDatabase.new(args.cafile))
    for spec in args.connect_to:
        verifier.add_connect_to(spec)
    cert = Gio.TlsCertificate.new_from_file(args.certificate)

    loop = GLib.MainLoop()
    outcome = {'exit': 2}

    def verified(verifier, result):
        try:
            ok, status = verifier.verify_certificate_finish(result)
            print(Posh.verify_status_to_string(status))
            outcome['exit'] = 0 if status == Posh.VerifyStatus.NONE else 1
        except GLib.Error as e:
            print('could not check:', e.message, file=sys.stderr)
        loop.quit()

    verifier.verify_certificate_async(cert, args.domain, args.service,
                                      None, verified)
    loop.run()
    return outcome['exit']


if __name__ == '__main__':
    sys.exit(main())
