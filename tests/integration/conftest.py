from tests.aws import aws, tables  # noqa: F401
