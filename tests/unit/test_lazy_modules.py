"""PyJWT's import of `cryptography.x509` waits until something uses it: the RS256 token path never does, and the
HMAC path that does still works. Each case runs in a fresh interpreter (this process has imported x509 long ago)."""
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_fresh(code: str, tmp_path, **environ) -> str:
    environ = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1", **environ}
    answer = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                            text=True, env=environ, timeout=60)
    assert answer.returncode == 0, answer.stderr
    return answer.stdout.strip()


def test_verifying_an_rs256_token_never_loads_x509(tmp_path):
    out = run_fresh(f"""
        from chalicelib import auth, lazy_modules
        from local.issuer import LocalIssuer
        issuer = LocalIssuer({str(tmp_path)!r}).ensure_keys()
        token = issuer.token({{"user_id": "gm-1", "role": "grid_member", "grid": "BZ.G01"}})
        trusted = auth.TrustedIssuer(issuer="http://127.0.0.1:8000/local-issuer", audience="gridloop-local",
                                     jwks_file=str(issuer.jwks_path))
        print(auth.verify("Bearer " + token, trusted).user_id, lazy_modules.is_loaded("cryptography.x509"))
    """, tmp_path, STAGE="local")
    assert out == "gm-1 False"


def test_a_library_path_that_uses_x509_loads_the_real_module_on_first_use(tmp_path):
    out = run_fresh("""
        from chalicelib import auth, lazy_modules
        import jwt.algorithms
        from cryptography import x509
        hmac = jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256)
        key = hmac.prepare_key(b"a shared secret, not a certificate")   # PyJWT asks x509 whether it is one
        import sys
        print(lazy_modules.is_loaded("cryptography.x509"), x509.load_der_x509_certificate is
              sys.modules["cryptography.x509"].load_der_x509_certificate, key == b"a shared secret, not a certificate")
    """, tmp_path)
    assert out == "True True True"


def test_a_name_the_real_module_lacks_is_an_attribute_error_naming_it(tmp_path):
    out = run_fresh("""
        from chalicelib import lazy_modules
        assert lazy_modules.defer("cryptography.x509")
        from cryptography import x509
        try:
            x509.no_such_thing
        except AttributeError as error:
            print(error)
    """, tmp_path)
    assert out == "module 'cryptography.x509' has no attribute 'no_such_thing'"


def test_a_module_already_imported_is_left_as_it_is(tmp_path):
    out = run_fresh("""
        import cryptography.x509, sys
        from chalicelib import lazy_modules
        real = sys.modules["cryptography.x509"]
        print(lazy_modules.defer("cryptography.x509"), sys.modules["cryptography.x509"] is real)
    """, tmp_path)
    assert out == "False True"


def test_a_dotted_import_after_deferral_reaches_the_module_through_its_package(tmp_path):
    out = run_fresh("""
        from chalicelib import lazy_modules
        assert lazy_modules.defer("cryptography.x509")
        import cryptography.x509
        print(callable(cryptography.x509.load_pem_x509_certificate), lazy_modules.is_loaded("cryptography.x509"))
    """, tmp_path)
    assert out == "True True"
