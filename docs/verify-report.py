#!/usr/bin/env python3
"""Verify a Souverain compliance report bundle without Souverain.

    python3 verify-report.py BUNDLE_DIR [--public-key AUDIT_PUB_OR_BASE64]

Checks, as `souverain report verify` does (docs/report-format.md):
  1. report.sig's Ed25519 signature over report.json's exact bytes;
  2. the signer is the audit trail key the signed report names (audit.publicKey);
  3. with --public-key, the signer is the key you trust (the trail's audit.pub).
Needs the `cryptography` package. Exit status 0 when verified, 1 otherwise.
"""
import argparse
import base64
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def fail(message):
    print("FAILED: " + message)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description="Verify a Souverain report bundle.")
    parser.add_argument("bundle")
    parser.add_argument("--public-key", help="the trail's public key: base64, or a file holding it")
    args = parser.parse_args()

    with open(os.path.join(args.bundle, "report.json"), "rb") as f:
        report_bytes = f.read()
    with open(os.path.join(args.bundle, "report.sig"), "rb") as f:
        signature = json.loads(f.read())
    if signature.get("format") != "souverain-report-signature/1" or signature.get("algorithm") != "Ed25519":
        fail("report.sig is not a souverain-report-signature/1 Ed25519 signature")
    signer = base64.b64decode(signature["publicKey"])
    try:
        Ed25519PublicKey.from_public_bytes(signer).verify(base64.b64decode(signature["signature"]), report_bytes)
    except (InvalidSignature, ValueError):
        fail("the signature does not verify over report.json: the report was changed after it was signed")
    report = json.loads(report_bytes)
    if base64.b64decode(report["audit"]["publicKey"]) != signer:
        fail("the report was not signed by the trail key it names")
    if args.public_key:
        text = args.public_key
        if os.path.exists(text):
            with open(text) as f:
                text = f.read()
        if base64.b64decode("".join(text.split())) != signer:
            fail("the report was not signed by the audit trail's key you gave")
    print("verified: report.json signed by %s at %s (%s)" % (signature["publicKey"], report["generatedAt"], report["schema"]))


if __name__ == "__main__":
    main()
