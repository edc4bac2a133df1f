#!/usr/bin/env python3
"""A local S3 endpoint for sluice's integration tests.

Serves PUT and DELETE of objects, path style (/bucket/key), stored as files under --dir.
Every request's Signature Version 4 is recomputed with botocore's own signer, independent
of sluice's, and refused with 403 SignatureDoesNotMatch when it differs, as S3 does; the
body must also match its x-amz-content-sha256. --fail-first N answers the first N
requests with 503 SlowDown, so tests can watch the client retry. With --deleted-dir, a
DELETE moves the object there instead, so tests can still read what was deleted.
"""
import argparse
import datetime
import hashlib
import hmac
import os
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:
    sys.exit("s3_endpoint.py needs botocore: install python3-botocore (scripts/install-deps.sh)")

MAX_SKEW = datetime.timedelta(minutes=15)


def parse_authorization(value):
    algorithm, _, rest = value.partition(" ")
    fields = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
    return algorithm, fields


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.refused("PUT", body):
            return
        path = self.object_path()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(body)
        self.answer(200, b"", {"ETag": '"%s"' % hashlib.md5(body).hexdigest()})

    def do_DELETE(self):
        if self.refused("DELETE", b""):
            return
        path = self.object_path()
        if os.path.exists(path) and self.server.deleted_dir:
            os.renames(path, os.path.join(self.server.deleted_dir, os.path.relpath(path, self.server.dir)))
        elif os.path.exists(path):
            os.remove(path)
        self.answer(204, b"")

    def refused(self, method, body):
        if self.server.fail_first > 0:
            self.server.fail_first -= 1
            self.error(503, "SlowDown", "Please reduce your request rate.")
            return True
        problem = self.signature_problem(method, body)
        if problem:
            self.error(*problem)
            return True
        return False

    def signature_problem(self, method, body):
        algorithm, fields = parse_authorization(self.headers.get("Authorization", ""))
        if algorithm != "AWS4-HMAC-SHA256" or not {"Credential", "SignedHeaders", "Signature"} <= fields.keys():
            return 403, "AccessDenied", "Expected an AWS4-HMAC-SHA256 Authorization header."
        key_id, date, region, service, terminator = fields["Credential"].split("/")
        if key_id != self.server.access_key:
            return 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
        signed = fields["SignedHeaders"].split(";")
        if not {"host", "x-amz-date", "x-amz-content-sha256"} <= set(signed):
            return 403, "AccessDenied", "host, x-amz-date and x-amz-content-sha256 must be signed."
        amz_date = self.headers["x-amz-date"]
        sent = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        if abs(datetime.datetime.now(datetime.timezone.utc) - sent) > MAX_SKEW:
            return 403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."
        if hashlib.sha256(body).hexdigest() != self.headers["x-amz-content-sha256"]:
            return 400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."
        if (date, service, terminator) != (amz_date[:8], "s3", "aws4_request"):
            return 403, "AuthorizationHeaderMalformed", "The credential scope is wrong."
        request = AWSRequest(method=method, url="http://%s%s" % (self.headers["Host"], self.path), data=body,
                             headers={name: self.headers[name] for name in signed})
        request.context["timestamp"] = amz_date
        signer = S3SigV4Auth(Credentials(self.server.access_key, self.server.secret_key), "s3", region)
        string_to_sign = signer.string_to_sign(request, signer.canonical_request(request))
        if not hmac.compare_digest(signer.signature(string_to_sign, request), fields["Signature"]):
            return 403, "SignatureDoesNotMatch", ("The request signature we calculated does not match the "
                                                  "signature you provided. Check your key and signing method.")
        return None

    def object_path(self):
        key = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path).lstrip("/")
        if ".." in key.split("/"):
            raise ValueError("refusing a key with ..")
        return os.path.join(self.server.dir, key)

    def error(self, status, code, message):
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message>"
                "<RequestId>local</RequestId></Error>" % (code, message)).encode()
        self.answer(status, body, {"Content-Type": "application/xml"})

    def answer(self, status, body, headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("s3_endpoint: %s\n" % (fmt % args))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--access-key", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--deleted-dir")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.dir, server.access_key, server.secret_key = args.dir, args.access_key, args.secret_key
    server.fail_first, server.deleted_dir = args.fail_first, args.deleted_dir
    print("s3_endpoint: listening on 127.0.0.1:%d" % args.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
