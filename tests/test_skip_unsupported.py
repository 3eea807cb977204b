"""--skip-unsupported: what cannot be generated yet becomes located warnings, never silence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SPEC = """\
openapi: 3.0.3
info: {title: Mixed, version: "1.0"}
paths:
  /photos:
    post:
      operationId: uploadPhoto
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {type: array, items: {type: string}}
      responses:
        "204": {description: stored}
  /grid:
    get:
      operationId: getGrid
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Grid"}
  /secret:
    get:
      operationId: getSecret
      security: [{digest: []}]
      responses:
        "204": {description: ok}
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}
components:
  securitySchemes:
    digest: {type: http, scheme: digest}
  schemas:
    Grid:
      type: object
      properties:
        cells:
          oneOf:
            - {type: array, items: {type: string}}
            - {type: array, items: {type: integer}}
    Pet:
      type: object
      properties: {name: {type: string}}
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_without_the_flag_every_unsupported_construct_is_an_error(tmp_path: Path) -> None:
    spec = tmp_path / "mixed.yaml"
    spec.write_text(SPEC)
    result = run("generate", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    # root causes only: an operation failing because of a failed schema or scheme is not repeated
    assert len([line for line in lines if ": error: " in line]) == 2
    assert not (tmp_path / "out").exists()


def test_with_the_flag_they_become_warnings_and_are_listed(tmp_path: Path) -> None:
    spec = tmp_path / "mixed.yaml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    result = run("generate", str(spec), "--out", str(out), "--skip-unsupported")
    assert result.returncode == 0, result.stderr
    shown = "mixed.yaml"
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert [w.split(": warning: ")[1] for w in warnings] == [
        "a form body (application/x-www-form-urlencoded) must be an object, not list[string] "
        "(at #/paths/~1photos/post/requestBody/content/application~1x-www-form-urlencoded/schema)",
        "needs security scheme 'digest', not supported yet (at #/paths/~1secret/get)",
        "HTTP authentication scheme not supported yet: 'digest' "
        "(at #/components/securitySchemes/digest)",
    ]
    assert all(w.split(":")[0].endswith(shown) for w in warnings)
    manifest = json.loads((out / "mixed" / "clientgen.json").read_text())
    assert manifest["operations"] == {"getGrid": "get_grid", "listPets": "list_pets"}
    reasons = {entry["reason"] for entry in manifest["skipped"]}
    assert (
        "a form body (application/x-www-form-urlencoded) must be an object, not list[string]"
        in reasons
    )
    assert "HTTP authentication scheme not supported yet: 'digest'" in reasons
    assert len(manifest["skipped"]) == len(warnings)
    client = (out / "mixed" / "mixed" / "client.py").read_text()
    assert "def list_pets(" in client and "upload_photo" not in client and "get_grid" in client
