"""bandit over the deployed code (the app and chalicelib): no finding. Reading files needs no network."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bandit_finds_nothing_in_the_deployed_code():
    answer = subprocess.run([sys.executable, "-m", "bandit", "-q", "-r", "chalicelib", "app.py", "-f", "txt"],
                            cwd=ROOT, capture_output=True, text=True)
    assert answer.returncode == 0, answer.stdout + answer.stderr
