"""HTTPS (docs/tls.md): `souverain serve --tls-cert --tls-key` against a PKI the test makes
(a root CA, an intermediate, server certificates for 127.0.0.1 and localhost sent as a chain, a
client CA and its client certificate), driven by aws-cli (--ca-bundle), boto3 (verify=) and curl
(--cacert): TLS 1.2 and 1.3 accepted, TLS 1.1 and CBC suites refused by the server, SIGHUP
reloading the certificate while an open connection keeps working, client certificates required
by `tls-client-ca`, `aws:SecureTransport` in a bucket policy, and `s3` locations that verify
their remote's certificate (a CA bundle per location) and refuse plain HTTP unless allowed.

Three servers: the HTTPS one, one requiring client certificates (configured by file), and a
plain-HTTP one whose only location is an `s3` location on the HTTPS one.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import signal
import ssl
import subprocess
import time
import warnings
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, SSLError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import support

pytestmark = pytest.mark.souverain_only

RELOAD_TIMEOUT = 20.0


# -- the test PKI ---------------------------------------------------------------

def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Souverain tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _issue(subject: str, key, issuer_name: x509.Name | None, issuer_key, *, ca: bool, server: bool = False,
           client: bool = False, serial: int | None = None) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(_name(subject))
               .issuer_name(issuer_name or _name(subject))
               .public_key(key.public_key())
               .serial_number(serial or x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True)
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]), critical=False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    if client:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


class PKI:
    """Files under `root`: ca.pem (the root clients trust), chain-a.pem/key-a.pem and
    chain-b.pem/key-b.pem (two server certificates with known serials, each followed by the
    intermediate that issued it), client-ca.pem, client.pem/client-key.pem, and a rogue client
    certificate from another CA."""

    def __init__(self, root: Path):
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        root_key, intermediate_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        root_ca = _issue("Test Root CA", root_key, None, root_key, ca=True)
        intermediate = _issue("Test Intermediate CA", intermediate_key, root_ca.subject, root_key, ca=True)
        self.ca = self._write("ca.pem", _pem(root_ca))
        self.serial_a, self.serial_b = 0x5A5A01, 0x5B5B02
        for tag, serial in (("a", self.serial_a), ("b", self.serial_b)):
            key = ec.generate_private_key(ec.SECP256R1())
            leaf = _issue("127.0.0.1", key, intermediate.subject, intermediate_key, ca=False, server=True, serial=serial)
            self._write(f"chain-{tag}.pem", _pem(leaf, intermediate))
            self._write(f"key-{tag}.pem", _key_pem(key))
        client_ca_key, client_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        client_ca = _issue("Test Client CA", client_ca_key, None, client_ca_key, ca=True)
        self.client_ca = self._write("client-ca.pem", _pem(client_ca))
        self.client_cert = self._write("client.pem", _pem(_issue("client-1", client_key, client_ca.subject, client_ca_key,
                                                                ca=False, client=True)))
        self.client_key = self._write("client-key.pem", _key_pem(client_key))
        rogue_ca_key, rogue_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        rogue_ca = _issue("Rogue CA", rogue_ca_key, None, rogue_ca_key, ca=True)
        self.rogue_cert = self._write("rogue.pem", _pem(_issue("rogue", rogue_key, rogue_ca.subject, rogue_ca_key,
                                                               ca=False, client=True)))
        self.rogue_key = self._write("rogue-key.pem", _key_pem(rogue_key))
        # What the server serves: copies that the reload test replaces.
        self.cert = self.root / "served-chain.pem"
        self.key = self.root / "served-key.pem"
        self.serve("a")

    def _write(self, name: str, data: bytes) -> Path:
        path = self.root / name
        path.write_bytes(data)
        return path

    def serve(self, tag: str) -> None:
        """Replace the served files (each by rename, as a renewal tool does)."""
        for source, target in ((f"chain-{tag}.pem", self.cert), (f"key-{tag}.pem", self.key)):
            temporary = target.with_suffix(".tmp")
            temporary.write_bytes((self.root / source).read_bytes())
            os.replace(temporary, target)


def tls_context(pki: PKI, *, client: tuple[Path, Path] | None = None, minimum=None, maximum=None,
                ciphers: str | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(pki.ca))
    if minimum is not None:
        context.minimum_version = minimum
    if maximum is not None:
        context.maximum_version = maximum
    if ciphers is not None:
        context.set_ciphers(ciphers)
    if client is not None:
        context.load_cert_chain(str(client[0]), str(client[1]))
    return context


class TLSServer(support.Server):
    """A `souverain serve` on HTTPS: readiness is checked over TLS, with the client certificate
    when the server requires one."""

    def __init__(self, *args, pki: PKI, client: tuple[Path, Path] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pki = pki
        self.client_pair = client

    @property
    def endpoint(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def get(self, path: str, context: ssl.SSLContext | None = None, timeout: float = 5.0) -> tuple[int, bytes]:
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                                 context=context or tls_context(self.pki, client=self.client_pair))
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def wait_ready(self, timeout: float = support.READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while True:
            if self.proc.poll() is not None:
                raise support.ServerDied(self.proc.returncode, f"{self.name} exited with status {self.proc.returncode}\n{self.log_tail()}")
            try:
                last, _ = self.get(self.ready_path, timeout=1.0)
                if last == 200:
                    return
            except (OSError, ssl.SSLError) as exc:
                last = exc
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} not ready after {timeout}s (last: {last!r})\n{self.log_tail()}")
            time.sleep(support.POLL_INTERVAL)

    def ready_status(self) -> int:
        return self.get(self.ready_path)[0]


def boto3_client(server: support.Server, verify, **config):
    options = dict(signature_version="s3v4", s3={"addressing_style": "path"},
                   retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30)
    options.update(config)
    creds = server.admin()
    return boto3.session.Session().client(
        "s3", endpoint_url=server.endpoint, region_name=support.REGION, verify=verify,
        aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key, config=Config(**options))


def peer_serial(port: int, context: ssl.SSLContext) -> int:
    import socket
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as wrapped:
            return x509.load_der_x509_certificate(wrapped.getpeercert(binary_form=True)).serial_number


def handshake_error(port: int, context: ssl.SSLContext) -> str:
    """The reason the handshake (or the first exchange, where TLS 1.3 reports a refused client
    certificate) failed; fails the test if it succeeded."""
    import socket
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        try:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as wrapped:
                wrapped.sendall(b"GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                answer = wrapped.recv(1024)
        except ssl.SSLError as exc:
            return exc.reason or str(exc)
        except (ConnectionResetError, BrokenPipeError) as exc:
            return type(exc).__name__
    raise AssertionError(f"the exchange succeeded: {answer[:60]!r}")


# -- fixtures ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def pki(module_dir) -> PKI:
    return PKI(module_dir / "pki")


@pytest.fixture(scope="module")
def https(module_dir, pki):
    server = TLSServer(module_dir / "https-data", module_dir / "logs", name="https", pki=pki,
                       extra_args=("--tls-cert", str(pki.cert), "--tls-key", str(pki.key)))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mtls(module_dir, pki):
    """Configured by file, as an operator would."""
    config = module_dir / "mtls.conf"
    config.write_text(f"tls-cert = {pki.root / 'chain-a.pem'}\ntls-key = {pki.root / 'key-a.pem'}\n"
                      f"tls-client-ca = {pki.client_ca}\n")
    server = TLSServer(module_dir / "mtls-data", module_dir / "logs", name="mtls", pki=pki,
                       client=(pki.client_cert, pki.client_key), extra_args=("--config", str(config)))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def remote_bucket(https, pki) -> str:
    """The bucket of the HTTPS server that `s3` locations of the other servers store blobs in."""
    boto3_client(https, verify=str(pki.ca)).create_bucket(Bucket="tls-blobs")
    return "tls-blobs"


# -- the endpoint ---------------------------------------------------------------------

def test_the_endpoint_is_announced_as_https(https):
    out, _ = https.all_output()
    assert f"Endpoint:    https://127.0.0.1:{https.port}" in out
    assert (https.data_dir / "endpoint").read_text().strip() == https.endpoint
    # Plain HTTP on the TLS port gets no answer in clear.
    with pytest.raises((http.client.HTTPException, OSError)):
        support.http_status(f"http://127.0.0.1:{https.port}/health/ready", timeout=3)


def test_boto3_verifies_the_chain_against_the_test_ca(https, pki):
    s3 = boto3_client(https, verify=str(pki.ca))
    s3.create_bucket(Bucket="tls-boto3")
    s3.put_object(Bucket="tls-boto3", Key="a/b.txt", Body=b"over TLS")
    assert s3.get_object(Bucket="tls-boto3", Key="a/b.txt")["Body"].read() == b"over TLS"
    # The system trust store does not know the test CA.
    with pytest.raises(SSLError):
        boto3_client(https, verify=True).list_buckets()


def test_aws_cli_with_ca_bundle(https, pki, tmp_path):
    cli = support.AwsCli(https.endpoint, https.admin(), tmp_path / "aws")
    source = tmp_path / "up.bin"
    source.write_bytes(support.seeded_bytes("tls-cli", 300_000))
    cli("--ca-bundle", str(pki.ca), "s3", "mb", "s3://tls-cli").check()
    cli("--ca-bundle", str(pki.ca), "s3", "cp", str(source), "s3://tls-cli/up.bin").check()
    cli("--ca-bundle", str(pki.ca), "s3", "cp", "s3://tls-cli/up.bin", str(tmp_path / "down.bin")).check()
    assert (tmp_path / "down.bin").read_bytes() == source.read_bytes()
    refused = cli("s3", "ls")
    assert refused.returncode != 0 and "CERTIFICATE_VERIFY_FAILED" in refused.stderr, refused.stderr


def test_curl_with_cacert(https, pki):
    ok = subprocess.run(["curl", "-sS", "--cacert", str(pki.ca), "-o", "/dev/null", "-w", "%{http_code}",
                         f"{https.endpoint}/health/ready"], capture_output=True, text=True, timeout=30)
    assert ok.returncode == 0 and ok.stdout == "200", ok.stderr
    localhost = subprocess.run(["curl", "-sS", "--cacert", str(pki.ca), "-o", "/dev/null", "-w", "%{http_code}",
                                f"https://localhost:{https.port}/health/ready"], capture_output=True, text=True, timeout=30)
    assert localhost.returncode == 0 and localhost.stdout == "200", localhost.stderr
    untrusted = subprocess.run(["curl", "-sS", "-o", "/dev/null", f"{https.endpoint}/health/ready"],
                               capture_output=True, text=True, timeout=30)
    assert untrusted.returncode == 60, (untrusted.returncode, untrusted.stderr)  # peer certificate not verified


def test_the_cli_reaches_its_https_server_with_the_servers_ca(https, pki, tmp_path):
    """`souverain repair status` (and every command that calls the running server) verifies the
    server's certificate: against `--server-ca-bundle` (or the setting), or, by default, against
    the certificate `tls-cert` names when that chain ends with its root; never the system store
    alone, which does not know the test CA."""
    command = [str(support.souverain_bin()), "repair", "status", "--data", str(https.data_dir)]
    untrusted = support.run(command, timeout=60)
    assert untrusted.returncode != 0 and "certificate" in (untrusted.stdout + untrusted.stderr).lower(), untrusted
    support.run(command + ["--server-ca-bundle", str(pki.ca)], timeout=60).check()
    support.run(command, env={**support.clean_env(), "SOUVERAIN_SERVER_CA_BUNDLE": str(pki.ca)}, timeout=60).check()
    # The server's own certificate from the data directory's settings: a chain ending with its root.
    full_chain = tmp_path / "fullchain.pem"
    full_chain.write_bytes(pki.cert.read_bytes() + pki.ca.read_bytes())
    support.run(command, env={**support.clean_env(), "SOUVERAIN_TLS_CERT": str(full_chain)}, timeout=60).check()
    # A bundle of another CA is refused, as the system store is.
    other = tmp_path / "other-ca.pem"
    other.write_bytes(pki.client_ca.read_bytes())
    assert support.run(command + ["--server-ca-bundle", str(other)], timeout=60).returncode != 0


def test_tls_12_and_13_accepted_older_versions_and_cbc_suites_refused(https, pki):
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        context = tls_context(pki, minimum=version, maximum=version)
        status, _ = https.get("/health/ready", context=context)
        assert status == 200
        import socket
        with socket.create_connection(("127.0.0.1", https.port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as wrapped:
                name, protocol, _ = wrapped.cipher()
                assert protocol == {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]
                assert "GCM" in name or "CHACHA20" in name, name
                if version == ssl.TLSVersion.TLSv1_2:
                    assert name.startswith("ECDHE-"), name
    # The client is made able to offer TLS 1.1 (OpenSSL 3 refuses it below security level 0), so
    # the refusal is the server's alert, not the client's own "no protocols available".
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Python deprecates TLS 1.1 too: the point of this check
        old = tls_context(pki, minimum=ssl.TLSVersion.TLSv1_1, maximum=ssl.TLSVersion.TLSv1_1, ciphers="DEFAULT:@SECLEVEL=0")
    assert handshake_error(https.port, old) in ("TLSV1_ALERT_PROTOCOL_VERSION", "UNSUPPORTED_PROTOCOL"), "TLS 1.1"
    cbc = tls_context(pki, maximum=ssl.TLSVersion.TLSv1_2, ciphers="ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA")
    assert handshake_error(https.port, cbc) == "SSLV3_ALERT_HANDSHAKE_FAILURE"


def test_sighup_reloads_the_certificate_without_dropping_connections(https, pki):
    context = tls_context(pki)
    assert peer_serial(https.port, context) == pki.serial_a
    s3 = boto3_client(https, verify=str(pki.ca))
    s3.create_bucket(Bucket="tls-reload")
    # A kept-alive connection opened before the reload.
    before = http.client.HTTPSConnection("127.0.0.1", https.port, timeout=10, context=context)
    try:
        before.request("GET", "/health/ready")
        first = before.getresponse()
        assert first.status == 200 and first.read()
        serial_before = x509.load_der_x509_certificate(before.sock.getpeercert(binary_form=True)).serial_number
        assert serial_before == pki.serial_a
        pki.serve("b")
        os.kill(https.pid, signal.SIGHUP)
        deadline = time.monotonic() + RELOAD_TIMEOUT
        while peer_serial(https.port, context) != pki.serial_b:
            assert https.alive(), https.log_tail()
            assert time.monotonic() < deadline, "new connections still get the old certificate"
            time.sleep(support.POLL_INTERVAL)
        # The connection opened before is the same socket, still served, with its certificate.
        before.request("GET", "/health/ready")
        again = before.getresponse()
        assert again.status == 200 and again.read()
        assert x509.load_der_x509_certificate(before.sock.getpeercert(binary_form=True)).serial_number == pki.serial_a
    finally:
        before.close()
    s3.put_object(Bucket="tls-reload", Key="after", Body=b"new certificate")
    assert s3.get_object(Bucket="tls-reload", Key="after")["Body"].read() == b"new certificate"

    # A reload from a broken key file is refused and logged; the current certificate keeps serving.
    secret_line = pki.key.read_text().splitlines()[1]
    pki.key.write_text("-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n")
    os.kill(https.pid, signal.SIGHUP)
    deadline = time.monotonic() + RELOAD_TIMEOUT
    while "the TLS reload failed" not in https.all_output()[1]:
        assert time.monotonic() < deadline, https.log_tail()
        time.sleep(support.POLL_INTERVAL)
    assert https.alive() and peer_serial(https.port, context) == pki.serial_b
    assert secret_line not in https.all_output()[1] and "broken" not in https.all_output()[1]
    pki.serve("b")


def test_client_certificates_required_by_tls_client_ca(mtls, pki):
    # Without a certificate: refused during or right after the handshake.
    assert handshake_error(mtls.port, tls_context(pki))
    # With one from another CA: refused.
    assert handshake_error(mtls.port, tls_context(pki, client=(pki.rogue_cert, pki.rogue_key)))
    # With one from the configured CA: served, to curl and to boto3.
    assert mtls.get("/health/ready")[0] == 200
    curl = subprocess.run(["curl", "-sS", "--cacert", str(pki.ca), "--cert", str(pki.client_cert), "--key", str(pki.client_key),
                           "-o", "/dev/null", "-w", "%{http_code}", f"{mtls.endpoint}/health/ready"],
                          capture_output=True, text=True, timeout=30)
    assert curl.returncode == 0 and curl.stdout == "200", curl.stderr
    bare = subprocess.run(["curl", "-sS", "--cacert", str(pki.ca), "-o", "/dev/null", f"{mtls.endpoint}/health/ready"],
                          capture_output=True, text=True, timeout=30)
    assert bare.returncode != 0
    s3 = boto3_client(mtls, verify=str(pki.ca), client_cert=(str(pki.client_cert), str(pki.client_key)))
    s3.create_bucket(Bucket="tls-mtls")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["tls-mtls"]
    with pytest.raises((SSLError, Exception)) as refused:
        boto3_client(mtls, verify=str(pki.ca)).list_buckets()
    assert not isinstance(refused.value, ClientError)
    # Refused handshakes are refusals: in the trail, as AccessDenied with BoringSSL's reason.
    records = trail_until(mtls, lambda rs: sum(r["operation"] == "RefusedRequest" for r in rs) >= 2)
    refusals = [r for r in records if r["operation"] == "RefusedRequest"]
    assert all(r["errorCode"] == "AccessDenied" and r["detail"].startswith("TLS handshake refused: ") for r in refusals), refusals
    assert all(r["sourceAddress"] == "127.0.0.1" for r in refusals)


def trail_until(server, done, timeout: float = 20.0) -> list[dict]:
    """The server's audit records, polled until `done(records)` holds (refusals are recorded by a
    background writer)."""
    cli = support.SouverainCli(server.data_dir)
    deadline = time.monotonic() + timeout
    while True:
        out = cli("audit", "query").check()
        records = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
        if done(records):
            return records
        assert time.monotonic() < deadline, records[-5:]
        time.sleep(0.2)


def test_tls_failures_are_refusals_and_clean_closes_are_not(https):
    """Clients that close without close_notify (Python's http.client, curl) leave nothing in the
    trail; the refused TLS 1.1 and CBC handshakes and the plain-HTTP request are there."""
    records = trail_until(https, lambda rs: sum(r["operation"] == "RefusedRequest" for r in rs) >= 3)
    refusals = [r for r in records if r["operation"] == "RefusedRequest"]
    assert all(r["detail"].startswith("TLS handshake refused: ") for r in refusals), refusals
    assert not any("uncleanShutdown" in (r.get("detail") or "") for r in records)
    assert {r["errorCode"] for r in refusals} == {"InvalidRequest"}


# -- aws:SecureTransport and remote locations over HTTPS --------------------------------

SECURE_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "DenyClearReads", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": "arn:aws:s3:::{bucket}/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}],
}


def _secure_only(bucket: str) -> str:
    return json.dumps(SECURE_ONLY).replace("{bucket}", bucket)


def _location_config(path: Path, https, pki, *, ca_bundle: bool, endpoint: str | None = None, allow_plain: bool = False) -> Path:
    creds = https.admin()
    lines = ["[location remote]", "kind = s3", f"endpoint = {endpoint or https.endpoint}", "bucket = tls-blobs",
             "prefix = souverain/", f"access-key = {creds.access_key}", f"secret-key = {creds.secret_key}",
             "provider = on-premise", "country = FR"]
    if ca_bundle:
        lines.append(f"ca-bundle = {pki.ca}")
    if allow_plain:
        lines.append("allow-plain-http = true")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_secure_transport_and_a_location_on_https(module_dir, https, pki, remote_bucket):
    """A plain-HTTP server whose only location is an s3 location on the HTTPS server (trusted
    through its ca-bundle): its objects land there, encrypted; a policy denying reads without
    TLS refuses them on the plain server and allows them on the HTTPS one."""
    remote = boto3_client(https, verify=str(pki.ca))
    config = _location_config(module_dir / "plain.conf", https, pki, ca_bundle=True)
    plain = support.Server(module_dir / "plain-data", module_dir / "logs", name="plain", extra_args=("--config", str(config)))
    plain.start()
    try:
        s3 = plain.client()
        s3.create_bucket(Bucket="tls-clear")
        s3.put_object(Bucket="tls-clear", Key="doc", Body=b"stored across TLS")
        assert s3.get_object(Bucket="tls-clear", Key="doc")["Body"].read() == b"stored across TLS"
        blobs = remote.list_objects_v2(Bucket="tls-blobs", Prefix="souverain/").get("KeyCount", 0)
        assert blobs >= 1

        s3.put_bucket_policy(Bucket="tls-clear", Policy=_secure_only("tls-clear"))
        with pytest.raises(ClientError) as denied:
            s3.get_object(Bucket="tls-clear", Key="doc")
        assert support.error_code(denied.value) == "AccessDenied" and support.http_code(denied.value) == 403
    finally:
        plain.stop()

    secure = boto3_client(https, verify=str(pki.ca))
    secure.create_bucket(Bucket="tls-secure")
    secure.put_object(Bucket="tls-secure", Key="doc", Body=b"read over TLS")
    secure.put_bucket_policy(Bucket="tls-secure", Policy=_secure_only("tls-secure"))
    assert secure.get_object(Bucket="tls-secure", Key="doc")["Body"].read() == b"read over TLS"


def test_a_location_without_the_ca_bundle_or_on_plain_http_is_refused(module_dir, https, pki, remote_bucket):
    cli = support.SouverainCli(module_dir / "check-data")
    trusted = cli("location", "check", "remote", "--config",
                  str(_location_config(module_dir / "trusted.conf", https, pki, ca_bundle=True)))
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    # The system trust store does not know the test CA: the remote's certificate is refused.
    untrusted = cli("location", "check", "remote", "--config",
                    str(_location_config(module_dir / "untrusted.conf", https, pki, ca_bundle=False)))
    assert untrusted.returncode != 0 and "CERTIFICATE_VERIFY_FAILED" in untrusted.stdout, untrusted.stdout + untrusted.stderr
    # A plain http:// endpoint is refused when the configuration is read, naming the location...
    plain_endpoint = f"http://127.0.0.1:{support.free_port()}"
    refused = cli("location", "check", "remote", "--config",
                  str(_location_config(module_dir / "clear.conf", https, pki, ca_bundle=False, endpoint=plain_endpoint)))
    assert refused.returncode != 0
    assert "location remote: the endpoint" in refused.stderr and "allow-plain-http = true" in refused.stderr, refused.stderr
    served = support.run([str(support.souverain_bin()), "serve", "--data", str(module_dir / "clear-data"), "--address",
                          "127.0.0.1:0", "--config", str(module_dir / "clear.conf")], timeout=60)
    assert served.returncode != 0 and "location remote: the endpoint" in served.stderr, served.stderr
    # ...unless the location allows it explicitly (then it is only unreachable here).
    allowed = cli("location", "show", "remote", "--config",
                  str(_location_config(module_dir / "allowed.conf", https, pki, ca_bundle=False, endpoint=plain_endpoint,
                                       allow_plain=True)))
    assert allowed.returncode == 0 and "remote" in allowed.stdout, allowed.stdout + allowed.stderr
    # A ca-bundle that cannot be read is refused by name.
    missing = _location_config(module_dir / "missing.conf", https, pki, ca_bundle=False)
    missing.write_text(missing.read_text() + f"ca-bundle = {module_dir / 'nowhere.pem'}\n")
    unreadable = cli("location", "check", "remote", "--config", str(missing))
    assert unreadable.returncode != 0 and "location remote: cannot read ca-bundle" in unreadable.stderr, unreadable.stderr


def test_unusable_certificate_files_are_refused_at_start(module_dir, pki):
    binary = str(support.souverain_bin())
    garbage = module_dir / "garbage.pem"
    garbage.write_text("not a certificate\n")
    secret_line = (pki.root / "key-a.pem").read_text().splitlines()[1]
    cases = [
        (("--tls-cert", str(pki.root / "chain-a.pem")), "tls-cert is set but tls-key is not"),
        (("--tls-cert", str(module_dir / "none.pem"), "--tls-key", str(pki.root / "key-a.pem")), "cannot read"),
        (("--tls-cert", str(garbage), "--tls-key", str(pki.root / "key-a.pem")), "holds no PEM certificate"),
        (("--tls-cert", str(pki.root / "chain-a.pem"), "--tls-key", str(garbage)), "holds no usable PEM private key"),
        (("--tls-cert", str(pki.root / "chain-a.pem"), "--tls-key", str(pki.root / "key-b.pem")), "does not match"),
    ]
    for arguments, message in cases:
        ran = support.run([binary, "serve", "--data", str(module_dir / "refused-data"), "--address", "127.0.0.1:0",
                           *arguments], timeout=60)
        assert ran.returncode != 0 and message in ran.stderr, (arguments, ran.stderr)
        assert "Fatal error" not in ran.stderr and secret_line not in ran.stderr + ran.stdout
