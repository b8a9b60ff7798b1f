#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write a large synthetic SBOM with N file components, for benchmarks.

  scripts/gen-sbom.py --format cyclonedx --files 2000000 -o big.cdx.json
  scripts/gen-sbom.py --format spdx --files 200000 -o big.spdx.json

Every file gets a SHA-1 and a SHA-256 (the SHA-256 of the string
"bomgate-bench-file-<i>", so a run is reproducible); files are grouped in
packages of --per-package files, so CycloneDX output has nested components
and SPDX output has packages with hasFiles. The output is written to a
temporary file and renamed. The last line printed to stderr is the number
of file-level SHA-256 digests written.
"""
import argparse
import hashlib
import json
import os
import sys
import tempfile


def digests(i):
    data = b"bomgate-bench-file-%d" % i
    return (hashlib.sha1(data).hexdigest(), hashlib.sha256(data).hexdigest(),
            hashlib.sha512(data).hexdigest())


def cyclonedx(out, n, per_pkg):
    out.write('{"bomFormat":"CycloneDX","specVersion":"1.6",'
              '"serialNumber":"urn:uuid:00000000-0000-4000-8000-000000000000",'
              '"version":1,\n"metadata":{"timestamp":"2024-01-01T00:00:00Z",'
              '"component":{"type":"operating-system","name":"bench-os"}},\n'
              '"components":[\n')
    npkg = (n + per_pkg - 1) // per_pkg
    for p in range(npkg):
        name = "pkg%d" % p
        out.write('{"type":"library","bom-ref":"pkg:%d","name":%s,'
                  '"version":"1.%d","purl":"pkg:deb/debian/%s@1.%d",'
                  '"supplier":{"name":"Bench Supplier"},"components":[\n'
                  % (p, json.dumps(name), p, name, p))
        first, last = p * per_pkg, min(n, (p + 1) * per_pkg)
        for i in range(first, last):
            sha1, sha256, sha512 = digests(i)
            out.write('  {"type":"file","bom-ref":"file:%d",'
                      '"name":"/usr/lib/bench/%s/lib%d.so.1",'
                      '"hashes":[{"alg":"SHA-1","content":"%s"},'
                      '{"alg":"SHA-256","content":"%s"},'
                      '{"alg":"SHA-512","content":"%s"}],'
                      '"properties":[{"name":"bench:mode","value":"0755"}]}%s\n'
                      % (i, name, i, sha1, sha256, sha512,
                         "," if i + 1 < last else ""))
        out.write(']}%s\n' % ("," if p + 1 < npkg else ""))
    out.write(']}\n')


def spdx(out, n, per_pkg):
    out.write('{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0",'
              '"SPDXID":"SPDXRef-DOCUMENT","name":"bench",'
              '"documentNamespace":"https://example.invalid/bench",\n'
              '"creationInfo":{"created":"2024-01-01T00:00:00Z",'
              '"creators":["Tool: gen-sbom.py"]},\n"packages":[\n')
    npkg = (n + per_pkg - 1) // per_pkg
    for p in range(npkg):
        first, last = p * per_pkg, min(n, (p + 1) * per_pkg)
        files = ",".join('"SPDXRef-File-%d"' % i for i in range(first, last))
        out.write('{"SPDXID":"SPDXRef-Package-%d","name":"pkg%d",'
                  '"versionInfo":"1.%d","downloadLocation":"NOASSERTION",'
                  '"supplier":"Organization: Bench Supplier",'
                  '"externalRefs":[{"referenceCategory":"PACKAGE-MANAGER",'
                  '"referenceType":"purl","referenceLocator":'
                  '"pkg:deb/debian/pkg%d@1.%d"}],"hasFiles":[%s]}%s\n'
                  % (p, p, p, p, p, files, "," if p + 1 < npkg else ""))
    out.write('],\n"files":[\n')
    for i in range(n):
        sha1, sha256, sha512 = digests(i)
        out.write('{"SPDXID":"SPDXRef-File-%d",'
                  '"fileName":"./usr/lib/bench/pkg%d/lib%d.so.1",'
                  '"checksums":[{"algorithm":"SHA1","checksumValue":"%s"},'
                  '{"algorithm":"SHA256","checksumValue":"%s"},'
                  '{"algorithm":"SHA512","checksumValue":"%s"}],'
                  '"licenseConcluded":"NOASSERTION",'
                  '"copyrightText":"NOASSERTION"}%s\n'
                  % (i, i // per_pkg, i, sha1, sha256, sha512,
                     "," if i + 1 < n else ""))
    out.write(']}\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--format", choices=("cyclonedx", "spdx"),
                    default="cyclonedx")
    ap.add_argument("--files", type=int, default=1000,
                    help="number of file components (default 1000)")
    ap.add_argument("--per-package", type=int, default=100,
                    help="files per package (default 100)")
    ap.add_argument("-o", "--output", required=True,
                    help="output file ('-' for stdout)")
    args = ap.parse_args()
    if args.files < 0 or args.per_package < 1:
        ap.error("--files must be >= 0 and --per-package >= 1")
    gen = cyclonedx if args.format == "cyclonedx" else spdx
    if args.output == "-":
        gen(sys.stdout, args.files, args.per_package)
    else:
        d = os.path.dirname(os.path.abspath(args.output))
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".gen-sbom-")
        try:
            os.fchmod(fd, 0o644)
            with os.fdopen(fd, "w", buffering=1 << 20) as out:
                gen(out, args.files, args.per_package)
            os.rename(tmp, args.output)
        except BaseException:
            os.unlink(tmp)
            raise
    print(args.files, file=sys.stderr)


if __name__ == "__main__":
    main()
