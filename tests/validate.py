"""Validates JSON values against the definitions of docs/schema/annals.schema.json.

Reads JSON Lines from standard input, each `{"schema": NAME, "what": TEXT,
"value": VALUE}`, and checks each value against `$defs/NAME`. Prints one line
per failure and exits 1 if any failed; 2 if jsonschema is missing.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("python3 cannot import jsonschema (.ci/setup installs it)", file=sys.stderr)
    sys.exit(2)

schema = json.load(open(sys.argv[1], encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(schema)
failures = checked = 0
for line in sys.stdin:
    item = json.loads(line)
    wrapper = dict(schema, **{"$ref": "#/$defs/" + item["schema"]})
    validator = jsonschema.Draft202012Validator(wrapper)
    for error in validator.iter_errors(item["value"]):
        failures += 1
        path = "/".join(str(p) for p in error.absolute_path)
        print(f"{item['what']}: {item['schema']} at /{path}: {error.message[:300]}")
    checked += 1
print(f"{checked} values checked, {failures} problems", file=sys.stderr)
sys.exit(1 if failures else 0)
