// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The GObject face through GJS: fetch and verify ASYNCHRONOUSLY on a GLib
// main loop against the loopback HTTPS POSH hosts of posh-test-serve
// (default scenario: example.com lists the hosting provider's certificate
// for xmpp-client and refers to hosting.example.net for xmpp-server).
// Prints TAP.

imports.gi.versions.Posh = '1';
const {GLib, Gio, Posh} = imports.gi;

const FILES = GLib.getenv('POSH_TEST_FILES');
const results = [];

function check(cond, name) {
    results.push([Boolean(cond), name]);
}

function startServer() {
    const proc = Gio.Subprocess.new([GLib.getenv('POSH_TEST_SERVE')],
        Gio.SubprocessFlags.STDIN_PIPE | Gio.SubprocessFlags.STDOUT_PIPE);
    const stream = new Gio.DataInputStream({base_stream: proc.get_stdout_pipe()});
    const specs = [];
    for (;;) {
        const [line] = stream.read_line_utf8(null);
        if (line === null || line === '')
            break;
        specs.push(line);
    }
    return [proc, specs];
}

// start(callback) begins an async call; returns its GAsyncResult.
function runAsync(start) {
    const loop = new GLib.MainLoop(null, false);
    let result = null;
    start((source, res) => {
        result = res;
        loop.quit();
    });
    loop.run();
    return result;
}

function certificate(name) {
    return Gio.TlsCertificate.new_from_file(GLib.build_filenamev([FILES, name]));
}

function makeVerifier(specs) {
    const verifier = Posh.Verifier.new();
    verifier.set_tls_database(
        Gio.TlsFileDatabase.new(GLib.build_filenamev([FILES, 'ca.pem'])));
    for (const spec of specs)
        verifier.add_connect_to(spec);
    return verifier;
}

function fetch(verifier, domain, service) {
    const res = runAsync(cb => verifier.fetch_async(domain, service, null, cb));
    return verifier.fetch_finish(res);
}

function verify(verifier, name, domain, service) {
    const cert = certificate(name);
    const res = runAsync(cb =>
        verifier.verify_certificate_async(cert, domain, service, null, cb));
    return verifier.verify_certificate_finish(res);
}

function testFetchAndVerify(verifier) {
    const doc = fetch(verifier, 'example.com', 'xmpp-client');
    check(doc.get_kind() === Posh.DocumentKind.FINGERPRINTS,
        'fetch_async: a fingerprints document');
    check(doc.get_n_fingerprints() === 1, 'fetch_async: one fingerprint');

    let [ok, status] = verify(verifier, 'hosting.example.net.pem',
        'example.com', 'xmpp-client');
    check(ok && status === Posh.VerifyStatus.NONE,
        'verify_certificate_async: the listed certificate matches (R25)');
    [ok, status] = verify(verifier, 'xmpp-other.pem', 'example.com', 'xmpp-client');
    check(ok && (status & Posh.VerifyStatus.CERT_DIFFERS),
        'verify_certificate_async: another certificate differs (R23)');
    [ok, status] = verify(verifier, 'hosting.example.net.pem',
        'example.com', 'xmpp-server');
    check(ok && status === Posh.VerifyStatus.NONE,
        'verify_certificate_async: through a reference (R28)');
}

function testNoDocument(verifier) {
    try {
        fetch(verifier, 'example.com', 'spice');
        check(false, 'fetch_async: 404 throws NO_POSH_DATA (R13)');
    } catch (e) {
        check(e instanceof GLib.Error &&
              e.matches(Posh.Error, Posh.Error.NO_POSH_DATA),
        'fetch_async: 404 throws NO_POSH_DATA (R13)');
    }
}

function testAccept(verifier) {
    const cert = certificate('hosting.example.net.pem');
    const [ok, status] = verifier.accept_certificate(cert,
        Gio.TlsCertificateFlags.BAD_IDENTITY, 'example.com', 'xmpp-client',
        Posh.TlsFlags.NONE);
    check(ok && status === Posh.VerifyStatus.NONE,
        'accept_certificate: cached document, delegation');
}

function testOffline() {
    const [bytes] = Gio.File.new_for_path(
        GLib.build_filenamev([FILES, 'hosting.json'])).load_bytes(null);
    const doc = Posh.Document.new_from_bytes(bytes);
    const [ok, status] = doc.verify_certificate(
        certificate('hosting.example.net.pem'), Posh.VerifyFlags.NONE);
    check(ok && status === Posh.VerifyStatus.NONE,
        'Document.new_from_bytes + verify_certificate (offline)');
}

const [proc, specs] = startServer();
try {
    const verifier = makeVerifier(specs);
    testFetchAndVerify(verifier);
    testNoDocument(verifier);
    testAccept(verifier);
    testOffline();
} finally {
    proc.get_stdin_pipe().close(null);
    proc.wait(null);
}

print(`1..${results.length}`);
results.forEach(([ok, name], i) => print(`${ok ? 'ok' : 'not ok'} ${i + 1} - ${name}`));
if (!results.every(([ok]) => ok))
    imports.system.exit(1);
