"""Deployed size: the code package `chalice package` produces (plus any layer), and its largest contributors.

Target (issue 9): <= 20 MB zipped in total, with no boto3 or botocore inside.
"""
import os
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    out = Path(tempfile.mkdtemp(prefix="gridloop-package-"))
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "cn-northwest-1")}
    subprocess.run([str(Path(sys.executable).parent / "chalice"), "package", "--stage", "dev", str(out)], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    total = 0
    for archive in sorted(out.glob("*.zip")):
        size = archive.stat().st_size
        total += size
        by_top = Counter()
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                by_top[info.filename.split("/")[0]] += info.compress_size
        print(f"{archive.name}: {size / 1e6:.1f} MB zipped")
        for name, compressed in by_top.most_common(8):
            print(f"  {name:<40} {compressed / 1e6:6.2f} MB")
        print(f"  botocore inside: {'yes' if by_top.get('botocore') else 'no'}; boto3 inside: "
              f"{'yes' if by_top.get('boto3') else 'no'}")
    print(f"\ndeployed size: {total / 1e6:.1f} MB zipped (target: <= 20 MB, without boto3/botocore)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
