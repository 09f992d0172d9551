"""Browser-form uploads (PostObject, docs/access.md): forms made by boto3's
`generate_presigned_post` and posted with `requests`, as a web page would post them: the object
stored with the form's headers, `${filename}`, `success_action_status` and
`success_action_redirect`, and AWS's refusals (a condition that fails, an extra field, an expired
policy, a bad signature, a malformed policy, sizes outside content-length-range, a body that is
not a form, a signer without a grant), each storing nothing and each in the audit trail.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import xml.etree.ElementTree as ET

import pytest
import requests

import support

pytestmark = pytest.mark.souverain_only


def post(server, form: dict, body: bytes, filename: str = "photo.jpg", extra: dict | None = None) -> requests.Response:
    fields = dict(form["fields"])
    fields.update(extra or {})
    # requests sends the fields in order, then the file last, as browsers do.
    return requests.post(form["url"], data=fields, files={"file": (filename, body, "application/octet-stream")},
                         allow_redirects=False, timeout=30)


def error_of(response: requests.Response) -> tuple[str, str]:
    root = ET.fromstring(response.content)
    return root.findtext("Code"), root.findtext("Message")


def signed_form(server, bucket: str, policy: dict) -> dict:
    """A form for a hand-written policy document, signed as AWS documents it."""
    creds = server.admin()
    day = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d")
    credential = f"{creds.access_key}/{day}/{support.REGION}/s3/aws4_request"
    encoded = base64.b64encode(json.dumps(policy).encode()).decode()
    key = support.signing_key(creds.secret_key, day)
    return {"url": f"{server.endpoint}/{bucket}", "fields": {
        "key": "hand/made", "x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-credential": credential,
        "x-amz-date": f"{day}T000000Z", "policy": encoded,
        "x-amz-signature": hmac.new(key, encoded.encode(), hashlib.sha256).hexdigest()}}


@pytest.fixture(scope="module")
def uploads(s3):
    s3.create_bucket(Bucket="form-uploads")
    return "form-uploads"


def test_a_presigned_post_form_uploads_the_file(server, s3, uploads):
    body = support.seeded_bytes("form", 200_000)
    form = s3.generate_presigned_post(
        uploads, "photos/${filename}",
        Fields={"Content-Type": "image/jpeg", "x-amz-meta-album": "summer", "success_action_status": "201"},
        Conditions=[["starts-with", "$key", "photos/"], {"Content-Type": "image/jpeg"}, {"x-amz-meta-album": "summer"},
                    {"success_action_status": "201"}, ["content-length-range", 1, 1_000_000]],
        ExpiresIn=600)
    answer = post(server, form, body, filename="cat.jpg")
    assert answer.status_code == 201, answer.text
    document = ET.fromstring(answer.content)
    assert (document.findtext("Bucket"), document.findtext("Key")) == (uploads, "photos/cat.jpg")
    assert document.findtext("ETag") == f'"{hashlib.md5(body).hexdigest()}"' == answer.headers["ETag"]
    assert answer.headers["Location"] == f"{server.endpoint}/{uploads}/photos/cat.jpg"
    stored = s3.get_object(Bucket=uploads, Key="photos/cat.jpg")
    assert stored["Body"].read() == body
    assert stored["ContentType"] == "image/jpeg" and stored["Metadata"] == {"album": "summer"}


def test_the_default_answer_and_a_redirect(server, s3, uploads):
    plain = s3.generate_presigned_post(uploads, "plain.txt", ExpiresIn=600)
    answer = post(server, plain, b"plain")
    assert answer.status_code == 204 and answer.content == b""
    assert s3.get_object(Bucket=uploads, Key="plain.txt")["Body"].read() == b"plain"
    target = "https://app.example/done?from=form"
    redirected = s3.generate_presigned_post(uploads, "redirected.txt", Fields={"success_action_redirect": target},
                                            Conditions=[{"success_action_redirect": target}], ExpiresIn=600)
    answer = post(server, redirected, b"redirected")
    assert answer.status_code == 303
    location = answer.headers["Location"]
    assert location.startswith(target + "&bucket=form-uploads&key=redirected.txt&etag="), location
    assert hashlib.md5(b"redirected").hexdigest() in location


def test_sizes_outside_the_range_are_refused(server, s3, uploads):
    form = s3.generate_presigned_post(uploads, "sized", Conditions=[["content-length-range", 10, 1000]], ExpiresIn=600)
    large = post(server, form, b"x" * 1001)
    assert (large.status_code, error_of(large)[0]) == (400, "EntityTooLarge")
    small = post(server, form, b"x" * 9)
    assert (small.status_code, error_of(small)[0]) == (400, "EntityTooSmall")
    assert post(server, form, b"x" * 1000).status_code == 204
    assert s3.head_object(Bucket=uploads, Key="sized")["ContentLength"] == 1000


def test_a_form_that_breaks_its_policy_is_denied_naming_the_condition(server, s3, uploads):
    form = s3.generate_presigned_post(uploads, "user/eric/${filename}", Conditions=[["starts-with", "$key", "user/eric/"]],
                                      ExpiresIn=600)
    outside = post(server, form, b"x", extra={"key": "user/bob/x"})
    assert outside.status_code == 403
    assert error_of(outside) == ("AccessDenied",
                                 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/eric/"]')
    extra = post(server, form, b"x", extra={"x-amz-meta-smuggled": "1"})
    assert error_of(extra) == ("AccessDenied", "Invalid according to Policy: Extra input fields: x-amz-meta-smuggled")
    expired = s3.generate_presigned_post(uploads, "late", ExpiresIn=-60)
    assert error_of(post(server, expired, b"x")) == ("AccessDenied", "Invalid according to Policy: Policy expired.")
    forged = post(server, form, b"x", extra={"x-amz-signature": "0" * 64})
    assert (forged.status_code, error_of(forged)[0]) == (403, "SignatureDoesNotMatch")
    for key in ("user/bob/x", "late", "user/eric/photo.jpg"):
        assert support.code_of(lambda: s3.head_object(Bucket=uploads, Key=key))[1] == 404


def test_malformed_forms_and_policies(server, s3, uploads):
    malformed = signed_form(server, uploads, {"conditions": []})
    answer = post(server, malformed, b"x")
    assert (answer.status_code, error_of(answer)) == (400, ("InvalidPolicyDocument", "Invalid Policy: Policy missing expiration."))
    not_a_form = requests.post(f"{server.endpoint}/{uploads}", data=b"key=x", timeout=30,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (not_a_form.status_code, error_of(not_a_form)[0]) == (412, "PreconditionFailed")
    form = s3.generate_presigned_post(uploads, "nofile", ExpiresIn=600)
    no_file = requests.post(form["url"], files={k: (None, v) for k, v in form["fields"].items()}, timeout=30)
    assert (no_file.status_code, error_of(no_file)[0]) == (400, "InvalidArgument")


def test_the_signer_needs_write_access_and_the_trail_has_every_form(server, s3, uploads, cli):
    reader = support.user_creds(cli.add_user("form-reader"))
    cli.grant(uploads, "form-reader", "read")
    form = support.s3_client(server.endpoint, reader).generate_presigned_post(uploads, "by-reader", ExpiresIn=600)
    denied = post(server, form, b"x")
    assert (denied.status_code, error_of(denied)[0]) == (403, "AccessDenied")
    accepted = post(server, s3.generate_presigned_post(uploads, "by-admin", ExpiresIn=600), b"audited")
    assert accepted.status_code == 204
    out = cli("audit", "query", "--bucket", uploads).check()
    records = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    posts = {r["requestId"]: r for r in records if r["operation"] == "PostObject"}
    mine = posts[accepted.headers["x-amz-request-id"]]
    assert (mine["key"], mine["status"], mine["bytesIn"]) == ("by-admin", 204, len(b"audited"))
    assert mine["user"].startswith("admin (")
    refused = posts[denied.headers["x-amz-request-id"]]
    assert (refused["key"], refused["errorCode"]) == ("by-reader", "AccessDenied") and refused["user"].startswith("form-reader (")
    assert any(r["errorCode"] == "EntityTooLarge" for r in posts.values())
