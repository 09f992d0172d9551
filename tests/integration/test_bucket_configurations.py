"""A bucket's tags, website configuration, logging, notifications, request payment, transfer
acceleration and replication (docs/s3-compatibility.md), with boto3 against one server.

Tags and the website configuration are kept and answered as set, removed with their Delete and
with the bucket; the other configurations answer what the server does and refuse, with
NotImplemented and the reason, a setting it would not honour. Every refusal is an S3 error with
its code and status; nothing already set changes; a user who is not the owner is refused, and a
policy can deny a configuration to its owner but not grant it to another; every change is in the
audit trail.
"""

from __future__ import annotations

import json

import pytest

import support
from support import code_of, user_creds

pytestmark = pytest.mark.souverain_only


@pytest.fixture(scope="module")
def bucket(server):
    s3 = server.client()
    name = support.unique_bucket_name("conf")
    s3.create_bucket(Bucket=name)
    return name


def tags_of(s3, bucket: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}


def test_bucket_tags_are_kept_replaced_and_removed(server, bucket):
    s3 = server.client()
    assert code_of(lambda: s3.get_bucket_tagging(Bucket=bucket)) == ("NoSuchTagSet", 404)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [
        {"Key": "service", "Value": "archives"}, {"Key": "cost-centre", "Value": "42 & co"}]})
    assert tags_of(s3, bucket) == {"service": "archives", "cost-centre": "42 & co"}
    # A Put replaces the whole set, as in S3.
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "service", "Value": "état civil"}]})
    assert tags_of(s3, bucket) == {"service": "état civil"}
    # A bucket takes up to 50 tags (an object 10).
    fifty = [{"Key": f"k{i}", "Value": str(i)} for i in range(50)]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": fifty})
    assert len(tags_of(s3, bucket)) == 50
    # Refusals change nothing.
    assert code_of(lambda: s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": fifty + [{"Key": "k50", "Value": "x"}]})) == ("InvalidTag", 400)
    assert code_of(lambda: s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "aws:x", "Value": "1"}]})) == ("InvalidTag", 400)
    assert code_of(lambda: s3.put_bucket_tagging(
        Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]})) == ("InvalidTag", 400)
    assert len(tags_of(s3, bucket)) == 50
    s3.delete_bucket_tagging(Bucket=bucket)
    assert code_of(lambda: s3.get_bucket_tagging(Bucket=bucket)) == ("NoSuchTagSet", 404)
    assert code_of(lambda: s3.get_bucket_tagging(Bucket="no-such-bucket-conf")) == ("NoSuchBucket", 404)


def test_a_website_configuration_is_kept_as_set(server, bucket):
    s3 = server.client()
    assert code_of(lambda: s3.get_bucket_website(Bucket=bucket)) == ("NoSuchWebsiteConfiguration", 404)
    configuration = {
        "IndexDocument": {"Suffix": "index.html"},
        "ErrorDocument": {"Key": "erreur.html"},
        "RoutingRules": [{
            "Condition": {"KeyPrefixEquals": "ancien/"},
            "Redirect": {"ReplaceKeyPrefixWith": "nouveau/", "HttpRedirectCode": "301"},
        }],
    }
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=configuration)
    got = s3.get_bucket_website(Bucket=bucket)
    assert got["IndexDocument"] == {"Suffix": "index.html"}
    assert got["ErrorDocument"] == {"Key": "erreur.html"}
    assert got["RoutingRules"] == configuration["RoutingRules"]
    # An invalid configuration is refused and the one set stays.
    assert code_of(lambda: s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "a/b"}})) == ("InvalidArgument", 400)
    assert code_of(lambda: s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={
        "RedirectAllRequestsTo": {"HostName": "example.fr"}, "IndexDocument": {"Suffix": "i"}})) == ("InvalidArgument", 400)
    assert s3.get_bucket_website(Bucket=bucket)["IndexDocument"] == {"Suffix": "index.html"}
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"RedirectAllRequestsTo": {"HostName": "archives.example.fr", "Protocol": "https"}})
    assert s3.get_bucket_website(Bucket=bucket)["RedirectAllRequestsTo"] == {"HostName": "archives.example.fr", "Protocol": "https"}
    s3.delete_bucket_website(Bucket=bucket)
    assert code_of(lambda: s3.get_bucket_website(Bucket=bucket)) == ("NoSuchWebsiteConfiguration", 404)


def test_what_the_server_does_not_do_is_said_not_pretended(server, bucket):
    s3 = server.client()
    # Logging: off, can be turned off, refused on.
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
    assert code_of(lambda: s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": bucket, "TargetPrefix": "logs/"}})) == ("NotImplemented", 501)
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    # Notifications: none; an empty configuration is accepted, a destination refused.
    notifications = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert not any(k.endswith("Configurations") for k in notifications)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    assert code_of(lambda: s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": "arn:aws:sqs:eu-west-3:1:q", "Events": ["s3:ObjectCreated:*"]}]})) == ("NotImplemented", 501)
    # Request payment: the owner pays.
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "BucketOwner"})
    assert code_of(lambda: s3.put_bucket_request_payment(
        Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})) == ("NotImplemented", 501)
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    # Acceleration: never configured, then suspended; enabling refused.
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=bucket)
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Suspended"
    assert code_of(lambda: s3.put_bucket_accelerate_configuration(
        Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})) == ("NotImplemented", 501)
    # Replication: placement decides replicas.
    assert code_of(lambda: s3.get_bucket_replication(Bucket=bucket)) == ("ReplicationConfigurationNotFoundError", 404)
    assert code_of(lambda: s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration={
        "Role": "arn:aws:iam::1:role/r",
        "Rules": [{"Status": "Enabled", "Priority": 1, "DeleteMarkerReplication": {"Status": "Disabled"}, "Filter": {},
                   "Destination": {"Bucket": "arn:aws:s3:::elsewhere"}}]})) == ("NotImplemented", 501)
    s3.delete_bucket_replication(Bucket=bucket)
    # Malformed bodies are MalformedXML (raw request: boto3 validates its own).
    raw = support.request(server.endpoint, server.admin(), "PUT", bucket=bucket, query={"requestPayment": None},
                          body=b"<RequestPaymentConfiguration><Payer>Nobody</Payer></RequestPaymentConfiguration>")
    assert (raw.status, raw.error_code) == (400, "MalformedXML")


def test_a_bucket_configuration_stays_with_its_owner(server, cli, bucket):
    """As every bucket configuration (docs/access.md): a policy may deny it, even to the owner,
    but never grants it to anyone else."""
    s3 = server.client()
    info = cli.add_user(support.unique_bucket_name("cfg-user", prefix="u"))
    other = server.client(user_creds(info))
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "owner", "Value": "archives"}]})
    assert code_of(lambda: other.get_bucket_tagging(Bucket=bucket)) == ("AccessDenied", 403)
    assert code_of(lambda: other.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": []})) == ("AccessDenied", 403)
    assert code_of(lambda: other.get_bucket_website(Bucket=bucket)) == ("AccessDenied", 403)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::000000000000:user/{info['name']}"},
         "Action": "s3:GetBucketTagging", "Resource": f"arn:aws:s3:::{bucket}"},
        {"Sid": "FrozenTags", "Effect": "Deny", "Principal": "*", "Action": "s3:PutBucketTagging",
         "Resource": f"arn:aws:s3:::{bucket}"}]}))
    try:
        assert code_of(lambda: other.get_bucket_tagging(Bucket=bucket)) == ("AccessDenied", 403)
        assert code_of(lambda: s3.delete_bucket_tagging(Bucket=bucket)) == ("AccessDenied", 403)
        assert code_of(lambda: s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": []})) == ("AccessDenied", 403)
        assert tags_of(s3, bucket) == {"owner": "archives"}
    finally:
        s3.delete_bucket_policy(Bucket=bucket)
    s3.delete_bucket_tagging(Bucket=bucket)


def test_changes_are_in_the_trail_and_go_with_the_bucket(server, cli):
    s3 = server.client()
    name = support.unique_bucket_name("conf-gone")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "dossier", "Value": "7"}]})
    s3.put_bucket_website(Bucket=name, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    out = cli("audit", "query", "--bucket", name).check()
    records = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    operations = [r.get("operation") for r in records]
    assert "PutBucketTagging" in operations and "PutBucketWebsite" in operations
    tagging = next(r for r in records if r.get("operation") == "PutBucketTagging")
    assert "dossier" in json.dumps(tagging)
    s3.delete_bucket(Bucket=name)
    s3.create_bucket(Bucket=name)
    # A bucket created again under the same name starts with nothing.
    assert code_of(lambda: s3.get_bucket_tagging(Bucket=name)) == ("NoSuchTagSet", 404)
    assert code_of(lambda: s3.get_bucket_website(Bucket=name)) == ("NoSuchWebsiteConfiguration", 404)
