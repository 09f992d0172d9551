"""Virtual-hosted-style addressing: `bucket.<domain>` with `souverain serve --domain <domain>`.

The test resolves `*.s3.souverain.test` to 127.0.0.1 inside this process only (a patched
getaddrinfo), so boto3 sends real virtual-host requests to the loopback server.
"""

from __future__ import annotations

import socket

import pytest

import support

pytestmark = pytest.mark.souverain_only

DOMAIN = "s3.souverain.test"


@pytest.fixture
def loopback_domain(monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if isinstance(host, str) and (host == DOMAIN or host.endswith("." + DOMAIN)):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def test_virtual_hosted_requests_reach_the_bucket_in_the_host(server_factory, loopback_domain):
    server = server_factory(extra_args=("--domain", DOMAIN))
    virtual = support.s3_client(f"http://{DOMAIN}:{server.port}", server.admin(), s3={"addressing_style": "virtual"})
    seen_hosts = []
    def remember_host(request, **_):
        host = request.headers["Host"]
        seen_hosts.append(host.decode() if isinstance(host, bytes) else host)

    virtual.meta.events.register("before-send.s3", remember_host)

    virtual.create_bucket(Bucket="vhost-bucket")
    virtual.put_object(Bucket="vhost-bucket", Key="dir/über file.txt", Body=b"by virtual host")
    assert virtual.get_object(Bucket="vhost-bucket", Key="dir/über file.txt")["Body"].read() == b"by virtual host"
    listed = virtual.list_objects_v2(Bucket="vhost-bucket", Prefix="dir/")
    assert [o["Key"] for o in listed["Contents"]] == ["dir/über file.txt"]
    assert seen_hosts and all(host.startswith("vhost-bucket." + DOMAIN) for host in seen_hosts), seen_hosts

    # Path style keeps working on the same server, for the same bucket.
    path = server.client()
    assert path.get_object(Bucket="vhost-bucket", Key="dir/über file.txt")["Body"].read() == b"by virtual host"
