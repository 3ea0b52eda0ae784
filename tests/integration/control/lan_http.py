"""One HTTP request from inside a network namespace; prints ``{"code": ..., "body": ...}``.

The test process lives outside the namespaces, so it runs this with
``ip netns exec`` to reach the engine and the daemon on their LAN.
Usage: lan_http.py METHOD URL [BODY] [HEADERS_JSON]
"""

import json
import sys
import urllib.error
import urllib.request


def main() -> None:
    method, url = sys.argv[1], sys.argv[2]
    body = sys.argv[3].encode() if len(sys.argv) > 3 and sys.argv[3] else None
    headers = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    if body is not None:
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            code, text = response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        code, text = exc.code, exc.read().decode()
    except OSError as exc:
        code, text = 0, json.dumps(str(exc))
    try:
        decoded = json.loads(text)
    except ValueError:
        decoded = text
    print(json.dumps({"code": code, "body": decoded}))


if __name__ == "__main__":
    main()
