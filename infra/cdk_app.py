"""The CDK entry point (not `app.py`: Chalice would import it instead of the Chalice app; see the notes).

    COUNTY=demo npx cdk synth    # or: make synth COUNTY=demo
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("AWS_DEFAULT_REGION", "cn-northwest-1")   # `chalice package` needs one, even offline


def build(county: str, stage: str = "dev", outdir: str | None = None):
    import aws_cdk as cdk

    from chalicelib import county_config
    from infra.stack import GridloopStack

    config = county_config.load(county)   # a bad file raises ConfigError with every problem
    app = cdk.App(outdir=outdir, context={"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True})
    stack = GridloopStack(app, stage, county=county, config=config, stack_name=f"gridloop-{county}",
                          env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
                                              region=config.spec.deployment.region))   # the county's region
    return app, stack


if __name__ == "__main__":
    application, _ = build(os.environ.get("COUNTY", "demo"), os.environ.get("STAGE_NAME", "dev"))
    application.synth()
