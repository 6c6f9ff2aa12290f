#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The GObject face through PyGObject: fetch and verify ASYNCHRONOUSLY on a
# GLib main loop against the loopback HTTPS POSH hosts of posh-test-serve
# (default scenario: example.com lists the hosting provider's certificate
# for xmpp-client and refers to hosting.example.net for xmpp-server).
# Prints TAP.

import os
import subprocess
import sys

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Posh', '1')
from gi.repository import Gio, GLib, Posh  # noqa: E402

FILES = os.environ['POSH_TEST_FILES']
results = []


def check(cond, name):
    results.append((bool(cond), name))


def start_server():
    proc = subprocess.Popen([os.environ['POSH_TEST_SERVE']],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    specs = []
    for line in proc.stdout:
        line = line.strip()
        if not line:
            break
        specs.append(line)
    return proc, specs


def run_async(start):
    """start(callback) begins an async call; returns its GAsyncResult."""
    loop = GLib.MainLoop()
    box = {}

    def done(source, result, *args):
        box['result'] = result
        loop.quit()

    start(done)
    loop.run()
    return box['result']


def certificate(name):
    return Gio.TlsCertificate.new_from_file(os.path.join(FILES, name))


def make_verifier(specs):
    verifier = Posh.Verifier.new()
    verifier.set_tls_database(
        Gio.TlsFileDatabase.new(os.path.join(FILES, 'ca.pem')))
    for spec in specs:
        verifier.add_connect_to(spec)
    return verifier


def fetch(verifier, domain, service):
    result = run_async(lambda cb: verifier.fetch_async(domain, service,
                                                       None, cb))
    return verifier.fetch_finish(result)


def verify(verifier, name, domain, service):
    cert = certificate(name)
    result = run_async(lambda cb: verifier.verify_certificate_async(
        cert, domain, service, None, cb))
    return verifier.verify_certificate_finish(result)


def test_fetch(verifier):
    doc = fetch(verifier, 'example.com', 'xmpp-client')
    check(doc.get_kind() == Posh.DocumentKind.FINGERPRINTS,
          'fetch_async: a fingerprints document')
    check(doc.get_n_fingerprints() == 1, 'fetch_async: one fingerprint')
    check('"sha-256"' in doc.to_json(), 'to_json names sha-256')


def test_verify(verifier):
    ok, status = verify(verifier, 'hosting.example.net.pem',
                        'example.com', 'xmpp-client')
    check(ok and status == Posh.VerifyStatus.NONE,
          'verify_certificate_async: the listed certificate matches (R25)')
    ok, status = verify(verifier, 'xmpp-other.pem',
                        'example.com', 'xmpp-client')
    check(ok and status & Posh.VerifyStatus.CERT_DIFFERS,
          'verify_certificate_async: another certificate differs (R23)')
    ok, status = verify(verifier, 'hosting.example.net.pem',
                        'example.com', 'xmpp-server')
    check(ok and status == Posh.VerifyStatus.NONE,
          'verify_certificate_async: through a reference (R28)')


def test_no_document(verifier):
    try:
        fetch(verifier, 'example.com', 'spice')
        check(False, 'fetch_async: 404 raises NO_POSH_DATA (R13)')
    except GLib.Error as e:
        check(e.matches(Posh.error_quark(), Posh.Error.NO_POSH_DATA),
              'fetch_async: 404 raises NO_POSH_DATA (R13)')


def test_accept(verifier):
    cert = certificate('hosting.example.net.pem')
    ok, status = verifier.accept_certificate(
        cert, Gio.TlsCertificateFlags.BAD_IDENTITY, 'example.com',
        'xmpp-client', Posh.TlsFlags.NONE)
    check(ok and status == Posh.VerifyStatus.NONE,
          'accept_certificate: cached document, delegation')
    try:
        verifier.accept_certificate(
            cert, Gio.TlsCertificateFlags.BAD_IDENTITY, 'example.com',
            'xmpp-client', Posh.TlsFlags.PIN_ONLY)
        check(False, 'accept_certificate: pin-only refuses a bad identity')
    except GLib.Error as e:
        check(e.matches(Gio.tls_error_quark(),
                        Gio.TlsError.BAD_CERTIFICATE),
              'accept_certificate: pin-only refuses a bad identity')


def test_offline():
    with open(os.path.join(FILES, 'hosting.json'), 'rb') as f:
        doc = Posh.Document.new_from_bytes(GLib.Bytes.new(f.read()))
    ok, status = doc.verify_certificate(
        certificate('hosting.example.net.pem'), Posh.VerifyFlags.NONE)
    check(ok and status == Posh.VerifyStatus.NONE,
          'Document.new_from_bytes + verify_certificate (offline)')
    try:
        Posh.Document.new_from_bytes(GLib.Bytes.new(b'{"expires":60}'))
        check(False, 'new_from_bytes: a document without content fails')
    except GLib.Error as e:
        check(e.matches(Posh.document_error_quark(),
                        Posh.DocumentError.MISSING_CONTENT),
              'new_from_bytes: a document without content fails')


def main():
    proc, specs = start_server()
    try:
        verifier = make_verifier(specs)
        test_fetch(verifier)
        test_verify(verifier)
        test_no_document(verifier)
        test_accept(verifier)
        test_offline()
    finally:
        proc.stdin.close()
        proc.wait()
    print('1..%d' % len(results))
    for i, (ok, name) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
