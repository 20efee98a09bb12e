from tests.aws import aws, stack, tables  # noqa: F401
