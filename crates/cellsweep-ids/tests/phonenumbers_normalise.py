"""Reference side of tests/phonenumbers_crosscheck.rs.

Reads one JSON string per line on stdin and writes one JSON object per line
on stdout: {"input": ..., "e164": "+33..."} for a valid number, or
{"input": ..., "e164": null} when phonenumbers cannot parse it or says it is
not valid.
The first output line is {"version": ...} so the Rust side can check that it
compares against the same libphonenumber metadata (9.0.33).
Everything is read with default region FR, as the Rust side does.
"""

import json
import sys

import phonenumbers


def normalise(value):
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def main():
    out = sys.stdout
    out.write(json.dumps({"version": phonenumbers.__version__}) + "\n")
    for line in sys.stdin:
        value = json.loads(line)
        out.write(json.dumps({"input": value, "e164": normalise(value)}) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
