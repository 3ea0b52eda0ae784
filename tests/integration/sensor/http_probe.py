"""Make HTTP requests from inside a network namespace on behalf of a test.

The test process lives outside the namespaces and cannot reach their
addresses, so it starts this script inside one (``ip netns exec``) and
writes one JSON request per line to its stdin; each answer comes back as
one JSON line on stdout: ``{"status": 201, "body": ...}``, or
``{"status": null, "body": "<error>"}`` when nothing answered.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request


def answer(request: dict) -> dict:
    body = request.get("body")
    data = None if body is None else body.encode("utf-8")
    outgoing = urllib.request.Request(request["url"], data=data, method=request["method"],
                                      headers=request.get("headers") or {})
    try:
        with urllib.request.urlopen(outgoing, timeout=5) as response:
            status, text = response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode("utf-8")
    except OSError as exc:
        return {"status": None, "body": str(exc)}
    try:
        return {"status": status, "body": json.loads(text)}
    except ValueError:
        return {"status": status, "body": text}


def main() -> None:
    for line in sys.stdin:
        print(json.dumps(answer(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
