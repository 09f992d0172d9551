"""Website endpoints (docs/s3-compatibility.md): a public bucket's website configuration served to
browsers at `<bucket>.<website-domain>`, with plain HTTP requests (the Host header names the
bucket; loopback only).

Index documents for the root and for folders, a folder asked for without its slash redirected to
it, the error document with the error's status, routing rules, a bucket redirecting every request,
HTML errors; nothing served that an anonymous GetObject could not read (a bucket not made public,
a classification that may not be public); the S3 endpoint unchanged beside it; every request in
the audit trail.
"""

from __future__ import annotations

import json

import pytest
import requests

import support
from support import Server

pytestmark = pytest.mark.souverain_only

DOMAIN = "website.test"


@pytest.fixture(scope="module")
def server(module_dir):
    srv = Server(module_dir / "data", module_dir / "logs", name="server")
    srv.extra_env["SOUVERAIN_WEBSITE_DOMAIN"] = DOMAIN
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()


def visit(server, bucket: str, path: str, method: str = "GET") -> requests.Response:
    """A browser's request to the bucket's website endpoint (no signature, no redirect followed)."""
    return requests.request(method, server.endpoint + path, headers={"Host": f"{bucket}.{DOMAIN}:{server.port}"},
                            allow_redirects=False, timeout=30)


def public_read(bucket: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]})


@pytest.fixture(scope="module")
def site(server):
    s3 = server.client()
    bucket = "portail-opendata"
    support.create_classified(s3, bucket, "public")
    pages = {
        "index.html": b"<h1>Donnees ouvertes</h1>",
        "erreur.html": b"<h1>Page introuvable</h1>",
        "budget/index.html": b"<h1>Budget</h1>",
        "budget/2026.csv": b"poste,montant\nvoirie,42\n",
    }
    for key, body in pages.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="text/csv" if key.endswith(".csv") else "text/html")
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={
        "IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "erreur.html"},
        "RoutingRules": [{"Condition": {"KeyPrefixEquals": "finances/"},
                          "Redirect": {"ReplaceKeyPrefixWith": "budget/", "HttpRedirectCode": "301"}}]})
    return bucket, pages


def test_nothing_is_served_until_the_bucket_is_public(server, site):
    bucket, _ = site
    refused = visit(server, bucket, "/")
    assert refused.status_code == 403
    assert refused.headers["Content-Type"].startswith("text/html")
    assert "<li>Code: AccessDenied</li>" in refused.text
    assert "Donnees" not in refused.text


def test_a_public_bucket_is_a_website(server, site):
    bucket, pages = site
    s3 = server.client()
    s3.put_bucket_policy(Bucket=bucket, Policy=public_read(bucket))
    home = visit(server, bucket, "/")
    assert (home.status_code, home.content) == (200, pages["index.html"])
    assert home.headers["Content-Type"] == "text/html"
    assert visit(server, bucket, "/budget/").content == pages["budget/index.html"]
    assert visit(server, bucket, "/budget/2026.csv").content == pages["budget/2026.csv"]
    # A folder without its slash: to the folder.
    folder = visit(server, bucket, "/budget")
    assert (folder.status_code, folder.headers["Location"]) == (302, "/budget/")
    # A missing page: the error document, with 404.
    missing = visit(server, bucket, "/nulle-part.html")
    assert (missing.status_code, missing.content) == (404, pages["erreur.html"])
    # The routing rule.
    moved = visit(server, bucket, "/finances/2026.csv")
    assert moved.status_code == 301
    assert moved.headers["Location"] == f"http://{bucket}.{DOMAIN}:{server.port}/budget/2026.csv"
    # HEAD answers the headers only; other methods are refused with an HTML page.
    head = visit(server, bucket, "/", method="HEAD")
    assert head.status_code == 200 and head.content == b"" and head.headers["Content-Length"] == str(len(pages["index.html"]))
    posted = visit(server, bucket, "/", method="POST")
    assert posted.status_code == 405 and "<li>Code: MethodNotAllowed</li>" in posted.text
    # A signature changes nothing: the endpoint is anonymous (and writes are not website requests).
    put = visit(server, bucket, "/index.html", method="PUT")
    assert put.status_code == 405
    assert s3.get_object(Bucket=bucket, Key="index.html")["Body"].read() == pages["index.html"]


def test_errors_are_html_pages(server, site):
    s3 = server.client()
    plain = "sans-site"
    support.create_classified(s3, plain, "public")
    answer = visit(server, plain, "/")
    assert answer.status_code == 404 and "<li>Code: NoSuchWebsiteConfiguration</li>" in answer.text
    answer = visit(server, "nul-part", "/")
    assert answer.status_code == 404 and "<li>Code: NoSuchBucket</li>" in answer.text
    # Without an error document, a missing key is S3's 404 page.
    s3.put_bucket_website(Bucket=plain, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    s3.put_bucket_policy(Bucket=plain, Policy=public_read(plain))
    answer = visit(server, plain, "/absent")
    assert answer.status_code == 404 and "<li>Code: NoSuchKey</li>" in answer.text


def test_a_classification_that_may_not_be_public_is_never_served(server):
    s3 = server.client()
    bucket = "dossiers-internes"
    support.create_classified(s3, bucket, "internal")
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"interne")
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    # A public policy is refused on it, and the website serves nothing.
    assert support.code_of(lambda: s3.put_bucket_policy(Bucket=bucket, Policy=public_read(bucket)))[1] == 403
    answer = visit(server, bucket, "/")
    assert answer.status_code == 403 and "interne" not in answer.text


def test_redirecting_every_request(server):
    s3 = server.client()
    bucket = "ancien-portail"
    support.create_classified(s3, bucket, "public")
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={
        "RedirectAllRequestsTo": {"HostName": "www.example.fr", "Protocol": "https"}})
    answer = visit(server, bucket, "/budget/2026.csv")
    assert (answer.status_code, answer.headers["Location"]) == (301, "https://www.example.fr/budget/2026.csv")


def test_the_s3_endpoint_is_unchanged_and_every_visit_is_in_the_trail(server, cli, site):
    bucket, pages = site
    # Path style on the S3 endpoint: S3's answers (XML errors), not the website's.
    answer = requests.get(f"{server.endpoint}/{bucket}/nulle-part.html", timeout=30)
    assert answer.status_code in (403, 404) and answer.headers["Content-Type"] == "application/xml"
    visit(server, bucket, "/budget/2026.csv")
    out = cli("audit", "query", "--bucket", bucket, "--operation", "WebsiteGetObject").check()
    records = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    assert any(r["key"] == "budget/2026.csv" and r["status"] == 200 and r["user"] == "anonymous" for r in records), records
    assert any(r["status"] == 404 and r["key"] == "nulle-part.html" for r in records), records
