"""Deployed size: the code package plus every layer, as `chalice package` produces them and as the CDK stack
deploys them (infra/lambda_package.py removes what the Lambda runtime provides), and the largest contributors.

Target (docs/performance.md): <= 20 MB zipped in total, with no boto3 or botocore inside.
"""
import os
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

if __name__ == "__main__":   # `python bench/package_size.py`: the repository's packages on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra.lambda_package import PACKAGE_ZIPS, ROOT, slim_package_dir

TARGET_MB = 20


def main() -> int:
    out = Path(tempfile.mkdtemp(prefix="gridloop-package-"))
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "cn-northwest-1")}
    subprocess.run([str(Path(sys.executable).parent / "chalice"), "package", "--stage", "dev", str(out)], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    before = {name: (out / name).stat().st_size for name in PACKAGE_ZIPS if (out / name).exists()}
    removed = slim_package_dir(out)   # the same rule the stack applies before the zips become CDK assets
    total, sdk_inside = 0, False
    for name in PACKAGE_ZIPS:
        archive = out / name
        if not archive.exists():
            continue
        size = archive.stat().st_size
        total += size
        by_top = Counter()
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                by_top[info.filename.split("/")[0]] += info.compress_size
        print(f"{name}: {size / 1e6:.1f} MB zipped (as `chalice package` wrote it: {before[name] / 1e6:.1f} MB)")
        if removed[name]:
            print("  removed (the Lambda runtime provides them): " + ", ".join(
                f"{dist} {version} ({saved / 1e6:.2f} MB)" for dist, (version, saved) in sorted(
                    removed[name].items(), key=lambda item: -item[1][1])))
        print("  largest contributors:")
        for top, compressed in by_top.most_common(8):
            print(f"    {top:<46} {compressed / 1e6:6.2f} MB")
        inside = {sdk: any(t == sdk or t.startswith(f"{sdk}-") for t in by_top) for sdk in ("botocore", "boto3")}
        sdk_inside |= any(inside.values())
        print(f"  botocore inside: {'yes' if inside['botocore'] else 'no'}; "
              f"boto3 inside: {'yes' if inside['boto3'] else 'no'}")
    met = total <= TARGET_MB * 1e6 and not sdk_inside
    print(f"\ndeployed size: {total / 1e6:.1f} MB zipped in total (target: <= {TARGET_MB} MB, without boto3/botocore)"
          f" -> {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
