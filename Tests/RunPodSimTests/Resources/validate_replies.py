#!/usr/bin/env python3
"""Checks recorded REST replies against RunPod's OpenAPI document.

usage: validate_replies.py OPENAPI.json REPLIES.json

REPLIES.json is a list of {"method", "path", "status", "contentType", "retryAfter", "body"}
(path without query, percent-decoding undone). For every reply the operation is found by
method and path template, then the response the document gives for the status (or its
"default"), and the reply must match it:
  - a response without content (204) has an empty body;
  - the Content-Type is one the response declares;
  - a JSON body validates against the response schema (JSON Schema 2020-12, as OpenAPI 3.1
    uses it, with "date-time" formats checked as RFC 3339);
  - a text/event-stream body is a series of events, each with an `id:` line and a `data:` JSON
    payload {"ts", "source", "line"} (getPodLogs' description; `source` per LogSource);
  - a 429 carries an integer Retry-After (TooManyRequestsError's header).
Prints one line per failure and exits 1 if there was any, 0 otherwise.
"""

import json
import re
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("validate_replies.py: the Python package 'jsonschema' is missing; run scripts/bootstrap "
             "(or: python3 -m pip install jsonschema)")

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time")
def is_date_time(value):
    return not isinstance(value, str) or bool(RFC3339.match(value))


def resolve(document, node):
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def find_operation(document, method, path):
    for template, item in document["paths"].items():
        pattern = "^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    return None, None


def schema_validator(document, schema):
    # The response schema with the document's components beside it, so "#/components/..."
    # references resolve inside one root; unknown keywords ("components") are ignored.
    root = dict(schema)
    root["components"] = document["components"]
    cls = jsonschema.validators.validator_for({"$schema": "https://json-schema.org/draft/2020-12/schema"})
    return cls(root, format_checker=FORMATS)


LOG_EVENT = {
    "type": "object",
    "required": ["ts", "source", "line"],
    "properties": {
        "ts": {"type": "string", "format": "date-time"},
        "source": {"$ref": "#/components/schemas/LogSource"},
        "line": {"type": "string"},
    },
}


def check_events(document, text):
    problems = []
    validator = schema_validator(document, LOG_EVENT)
    for block in [b for b in text.split("\n\n") if b.strip()]:
        lines = [l for l in block.split("\n") if not l.startswith(":")]
        if not lines:
            continue  # a keep-alive comment
        ids = [l for l in lines if l.startswith("id:")]
        data = [l[5:].strip() for l in lines if l.startswith("data:")]
        if len(ids) != 1:
            problems.append("event without exactly one id: line: %r" % block)
        if len(data) != 1:
            problems.append("event without exactly one data: line: %r" % block)
            continue
        try:
            payload = json.loads(data[0])
        except ValueError as error:
            problems.append("event data is not JSON (%s): %r" % (error, data[0]))
            continue
        problems += ["event data: %s" % e.message for e in validator.iter_errors(payload)]
    return problems


def check(document, reply):
    method, path, status = reply["method"], reply["path"], reply["status"]
    template, operation = find_operation(document, method, path)
    if operation is None:
        return ["%s %s: no such operation in the document" % (method, path)]
    responses = operation.get("responses", {})
    response = responses.get(str(status)) or responses.get("default")
    if response is None:
        return ["%s %s (%s): status %d is not documented" % (method, path, template, status)]
    response = resolve(document, response)
    where = "%s %s -> %d (%s)" % (method, path, status, operation.get("operationId"))
    body = reply.get("body") or ""
    content = response.get("content")
    if not content:
        return [] if body == "" else ["%s: the document gives no body, got %r" % (where, body[:200])]
    media = (reply.get("contentType") or "").split(";")[0].strip().lower()
    if media not in content:
        return ["%s: Content-Type %r, the document gives %s" % (where, media, sorted(content))]
    problems = []
    schema = content[media].get("schema", {})
    if media == "text/event-stream":
        problems += ["%s: %s" % (where, p) for p in check_events(document, body)]
    else:
        try:
            value = json.loads(body)
        except ValueError as error:
            return ["%s: body is not JSON (%s): %r" % (where, error, body[:200])]
        for error in sorted(schema_validator(document, schema).iter_errors(value), key=lambda e: list(e.absolute_path)):
            location = "/".join(str(p) for p in error.absolute_path) or "(root)"
            problems.append("%s: %s: %s" % (where, location, error.message))
    if status == 429 and "Retry-After" in resolve(document, response).get("headers", {}):
        if not re.match(r"^\d+$", str(reply.get("retryAfter") or "")):
            problems.append("%s: Retry-After must be integer seconds, got %r" % (where, reply.get("retryAfter")))
    return problems


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as handle:
        document = json.load(handle)
    with open(sys.argv[2]) as handle:
        replies = json.load(handle)
    problems = []
    for reply in replies:
        problems += check(document, reply)
    for problem in problems:
        print(problem)
    print("checked %d replies, %d problems" % (len(replies), len(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
