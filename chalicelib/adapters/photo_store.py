"""The private photo bucket: presigned uploads and views, reads bounded by the size limit, writes."""
from __future__ import annotations

from chalicelib import resources
from chalicelib.adapters.aws import client


class S3PhotoStore:
    def __init__(self, bucket: str | None = None):
        self.bucket = bucket or resources.photos_bucket()

    def upload_form(self, key: str, content_type: str, max_bytes: int, expires: int) -> dict:
        """A presigned POST limited to one key, one content type and the size limit."""
        return client("s3").generate_presigned_post(
            Bucket=self.bucket, Key=key, Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires)

    def view_url(self, key: str, expires: int) -> str:
        return client("s3").generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key},
                                                   ExpiresIn=expires)

    def read(self, key: str, max_bytes: int) -> bytes | None:
        """The object's bytes (at most max_bytes + 1, so an oversize object is caught); None if gone."""
        s3 = client("s3")
        try:
            answer = s3.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{max_bytes}")
        except s3.exceptions.NoSuchKey:
            return None
        return answer["Body"].read()

    def size(self, key: str) -> int | None:
        s3 = client("s3")
        try:
            return s3.head_object(Bucket=self.bucket, Key=key)["ContentLength"]
        except s3.exceptions.ClientError:
            return None

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write these bytes (the ones that were checked), encrypted at rest."""
        client("s3").put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type,
                                ServerSideEncryption="AES256")

    def delete(self, key: str) -> None:
        client("s3").delete_object(Bucket=self.bucket, Key=key)
