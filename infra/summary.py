"""`make synth` ends here: what the synthesised template will create where, read back from the template itself.

    python infra/summary.py cdk.out/dev.template.json <county>
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def summary(template: dict, county: str) -> list[str]:
    from chalicelib.county_config import load
    deployment = load(county).spec.deployment
    resources = template["Resources"]
    kinds = Counter(r["Type"] for r in resources.values())
    text = json.dumps(template)
    api = resources["RestAPI"]["Properties"]
    domain = api.get("Domain")
    partition_refs = len(re.findall(r'"AWS::Partition"|\$\{AWS::Partition\}', text))
    lines = [
        f"county {county}: region {deployment.region}, partition {deployment.partition} "
        f"(ARNs name it through AWS::Partition: {partition_refs} references; literal 'arn:aws:': "
        f"{text.count('arn:aws:')})",
        f"token issuer: {'the stack Cognito user pool' if deployment.auth.cognito else deployment.auth.oidc.issuer}"
        f" — AWS::Cognito::UserPool in the template: {kinds['AWS::Cognito::UserPool']}",
        f"API endpoint: {api['EndpointConfiguration']}; custom domain: "
        + (f"{domain['DomainName']} ({domain['EndpointConfiguration']}, certificate {domain['CertificateArn']})"
           if domain else "none (the execute-api URL)"),
        f"SMS: {'on, ' + str(deployment.sms_provider) if load(county).spec.notifications.sms else 'off'}; "
        f"WAF web ACL: {kinds['AWS::WAFv2::WebACL']}; API reserved concurrency: "
        f"{resources['APIHandler']['Properties'].get('ReservedConcurrentExecutions', 'none')}",
        "resource types: " + ", ".join(f"{k} x{n}" for k, n in sorted(kinds.items())),
    ]
    return lines


if __name__ == "__main__":
    path, county = sys.argv[1], sys.argv[2]
    print("\n".join(summary(json.loads(Path(path).read_text()), county)))
