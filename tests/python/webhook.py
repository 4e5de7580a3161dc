"""Checks our Standard Webhooks signatures with the scheme's own Python
library, and signs one delivery for us to check.

Reads one JSON object from stdin: {"secret", "id", "timestamp", "signature",
"body", "tampered"}. Verifies our signature over `body` (it must pass) and
over `tampered` (it must fail), then prints the library's own signature of
`body` under id "py_1" at the same timestamp.
"""

import json
import sys
from datetime import datetime, timezone

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

request = json.load(sys.stdin)
hook = Webhook(request["secret"])
headers = {
    "webhook-id": request["id"],
    "webhook-timestamp": str(request["timestamp"]),
    "webhook-signature": request["signature"],
}
hook.verify(request["body"], headers)
try:
    hook.verify(request["tampered"], headers)
except WebhookVerificationError:
    pass
else:
    sys.exit("a tampered body passed")
when = datetime.fromtimestamp(request["timestamp"], tz=timezone.utc)
print(hook.sign("py_1", when, request["body"]))
