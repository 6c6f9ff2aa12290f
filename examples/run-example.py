#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs an example against the loopback HTTPS POSH hosts of posh-test-serve
# (default scenario) and checks its exit status:
#
#   run-example.py POSH-TEST-SERVE EXPECTED-STATUS COMMAND [ARG...]
#
# In the arguments, @CONNECT_TO@ becomes one "--connect-to SPEC" pair per
# host, and @ADDRESS:HOST@ becomes 127.0.0.1:PORT of HOST's server (which
# presents HOST's certificate, e.g. the hosting provider's). Prints TAP.

import subprocess
import sys


def start_server(serve):
    proc = subprocess.Popen([serve], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    specs = []
    for line in proc.stdout:
        line = line.strip()
        if not line:
            break
        specs.append(line)
    return proc, specs


def expand(args, specs):
    ports = {s.split(':')[0]: s.split(':')[-1] for s in specs}
    out = []
    for arg in args:
        if arg == '@CONNECT_TO@':
            for spec in specs:
                out += ['--connect-to', spec]
        elif arg.startswith('@ADDRESS:') and arg.endswith('@'):
            out.append('127.0.0.1:' + ports[arg[len('@ADDRESS:'):-1]])
        else:
            out.append(arg)
    return out


def main():
    serve, expected, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    proc, specs = start_server(serve)
    try:
        argv = expand(command, specs)
        result = subprocess.run(argv, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                timeout=60)
    finally:
        proc.stdin.close()
        proc.wait()
    print('1..1')
    for line in result.stdout.splitlines():
        print('# ' + line)
    ok = result.returncode == expected
    print('%s 1 - exit status %d (expected %d)' %
          ('ok' if ok else 'not ok', result.returncode, expected))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
