"""Randomised ProtoJSON round trips between the official protobuf library and a2akit.

Two commands, run by tests/protojson_python.rs:

  protojson_fuzz.py generate SEED COUNT
      Builds COUNT random A2A messages with the generated protobuf classes
      and prints one JSON line per case:
        {"case": n, "type": "Task", "how": "...", "input": "<JSON text>",
         "original": "<base64 of the binary message>"}
      The input is what json_format writes (with varied options), often
      reworked into another form the official parser accepts for the same
      message (snake_case keys, enums as numbers, quoted or exponent
      integers, URL-safe or unpadded base64, timestamps with offsets, nulls
      for absent fields...). Every input is checked here: json_format.Parse
      must read it back as exactly the original message.

  protojson_fuzz.py check
      Reads lines {"case", "type", "how", "input", "original", "ours"} on
      stdin, where "ours" is what a2akit wrote after reading "input", and
      checks that json_format.Parse (unknown fields NOT ignored) reads "ours"
      as the original message, and that "ours" is canonical ProtoJSON.
      Prints one JSON line per failure; exits 1 if there was any.

The one difference the comparison allows: a2akit's types always hold the
message fields the proto marks REQUIRED (an absent one reads as empty, as the
A2A specification reads it), so such a field is set on both sides before they
are compared.
"""

import base64
import datetime
import json
import math
import random
import re
import sys

from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor

try:
    from google.api import field_behavior_pb2
except ImportError:  # pragma: no cover - googleapis-common-protos comes with the SDK
    field_behavior_pb2 = None


def load_proto_module():
    """The generated classes of a2a.proto: the official SDK's, or compiled here."""
    try:
        from a2a.types import a2a_pb2

        return a2a_pb2
    except ImportError:
        pass
    # Without the SDK: compile the crate's own copy of the proto.
    import importlib
    import os
    import tempfile

    from grpc_tools import protoc
    import grpc_tools

    proto_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "proto")
    out = tempfile.mkdtemp(prefix="a2a-proto-")
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    status = protoc.main(
        ["protoc", f"-I{proto_dir}", f"-I{well_known}", f"--python_out={out}", os.path.join(proto_dir, "a2a.proto")]
    )
    if status != 0:
        raise SystemExit(f"protoc failed to compile {proto_dir}/a2a.proto")
    sys.path.insert(0, out)
    return importlib.import_module("a2a_pb2")


pb = load_proto_module()

# The message types a case may be, with their weights.
TYPES = [
    ("Task", 8),
    ("Message", 6),
    ("Part", 5),
    ("Artifact", 3),
    ("StreamResponse", 8),
    ("SendMessageResponse", 3),
    ("AgentCard", 6),
    ("SecurityScheme", 3),
    ("SendMessageRequest", 6),
    ("TaskPushNotificationConfig", 3),
    ("ListTasksRequest", 3),
    ("ListTasksResponse", 3),
    ("GetTaskRequest", 1),
    ("CancelTaskRequest", 1),
    ("SubscribeToTaskRequest", 1),
    ("GetTaskPushNotificationConfigRequest", 1),
    ("DeleteTaskPushNotificationConfigRequest", 1),
    ("ListTaskPushNotificationConfigsRequest", 1),
    ("ListTaskPushNotificationConfigsResponse", 2),
    ("TaskStatusUpdateEvent", 2),
    ("TaskArtifactUpdateEvent", 2),
    ("GetExtendedAgentCardRequest", 1),
]

STRUCT = "google.protobuf.Struct"
VALUE = "google.protobuf.Value"
LIST_VALUE = "google.protobuf.ListValue"
TIMESTAMP = "google.protobuf.Timestamp"
WELL_KNOWN = (STRUCT, VALUE, LIST_VALUE, TIMESTAMP)

TIMESTAMP_MIN = -62135596800  # 0001-01-01T00:00:00Z
TIMESTAMP_MAX = 253402300799  # 9999-12-31T23:59:59Z
EPOCH = datetime.datetime(1970, 1, 1)


# --------------------------------------------------------------------------
# Descriptors
# --------------------------------------------------------------------------


def is_map(field):
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def is_repeated(field):
    return field.is_repeated


def is_message(field):
    return field.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE


def real_oneof(field):
    """The oneof of a field, unless it is the synthetic one of a proto3 `optional`."""
    oneof = field.containing_oneof
    if oneof is None:
        return None
    if len(oneof.fields) == 1 and oneof.name == "_" + field.name:
        return None
    return oneof


def is_required(field):
    if field_behavior_pb2 is None:
        return False
    behaviors = field.GetOptions().Extensions[field_behavior_pb2.field_behavior]
    return field_behavior_pb2.REQUIRED in behaviors


# --------------------------------------------------------------------------
# Random messages
# --------------------------------------------------------------------------

TEXT_POOL = (
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    + list(" _-./:+=?&%#@!*'\"\\")
    + ["\n", "\t", "\r", "\x00", "\x1f", "\x7f", "é", "ß", "中", "文", "😀", "🚀", "\u2028", "\ufeff", "\U0010ffff"]
)

BASE64_EDGES = [0xFB, 0xFF, 0xBF, 0xEF, 0xBE, 0x3E, 0x3F, 0xF8]

UNKNOWN_ENUM_NUMBERS = [9, 42, 100, -1, -7, 2**31 - 1, -(2**31)]

FLOATS = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    0.1,
    1.5e-7,
    3.141592653589793,
    1e16,
    1e21,
    2.0**53,
    2.0**53 + 2,
    -(2.0**60),
    1e300,
    -1.7976931348623157e308,
    5e-324,
    123456789.125,
]


class Generator:
    def __init__(self, rng):
        self.rng = rng

    def text(self, max_len=10):
        rng = self.rng
        n = rng.choice([0, 1, 2, 3, 5, 8, max_len])
        return "".join(rng.choice(TEXT_POOL) for _ in range(n))

    def key(self):
        # Map and struct keys: often plain, sometimes anything.
        if self.rng.random() < 0.7:
            return "".join(self.rng.choice("abcdefgxyz_") for _ in range(self.rng.randint(1, 6)))
        return self.text(6)

    def int32(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.2:
            return 0
        if roll < 0.6:
            return rng.randint(-5, 150)
        if roll < 0.8:
            return rng.choice([2**31 - 1, -(2**31), 1000000, -1000000])
        return rng.randint(-(2**31), 2**31 - 1)

    def number(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return float(rng.randint(-1000, 1000))
        if roll < 0.6:
            return rng.choice(FLOATS)
        if roll < 0.8:
            return rng.uniform(-1e6, 1e6)
        return math.ldexp(rng.random(), rng.randint(-1000, 1000)) * rng.choice([1, -1])

    def value(self, message, depth):
        """Fills a google.protobuf.Value."""
        rng = self.rng
        kinds = ["null", "bool", "number", "string"]
        if depth < 3:
            kinds += ["list", "struct"]
        kind = rng.choice(kinds)
        if kind == "null":
            message.null_value = 0
        elif kind == "bool":
            message.bool_value = rng.random() < 0.5
        elif kind == "number":
            message.number_value = self.number()
        elif kind == "string":
            message.string_value = self.text()
        elif kind == "list":
            message.list_value.SetInParent()
            for _ in range(rng.randint(0, 3)):
                self.value(message.list_value.values.add(), depth + 1)
        else:
            self.struct(message.struct_value, depth + 1)

    def struct(self, message, depth):
        message.SetInParent()
        for _ in range(self.rng.randint(0, 3)):
            self.value(message.fields[self.key()], depth + 1)

    def timestamp(self, message):
        rng = self.rng
        seconds = rng.choice(
            [
                rng.randint(TIMESTAMP_MIN, TIMESTAMP_MAX),
                rng.randint(1_600_000_000, 1_900_000_000),
                TIMESTAMP_MIN,
                TIMESTAMP_MAX,
                0,
                -1,
            ]
        )
        precision = rng.choice([0, 3, 6, 9, 9])
        nanos = rng.randint(0, 10**precision - 1) * 10 ** (9 - precision) if precision else 0
        message.seconds = seconds
        message.nanos = nanos

    def scalar(self, field):
        rng = self.rng
        kind = field.cpp_type
        if field.type == FieldDescriptor.TYPE_BYTES:
            # Biased to the bytes whose base64 has `+` and `/` (`-` and `_` URL-safe).
            return bytes(
                rng.choice(BASE64_EDGES) if rng.random() < 0.3 else rng.randint(0, 255)
                for _ in range(rng.choice([0, 1, 2, 3, 4, 5, 9, 16, 40]))
            )
        if kind == FieldDescriptor.CPPTYPE_STRING:
            return self.text()
        if kind == FieldDescriptor.CPPTYPE_BOOL:
            return rng.random() < 0.5
        if kind == FieldDescriptor.CPPTYPE_INT32:
            return self.int32()
        if kind == FieldDescriptor.CPPTYPE_ENUM:
            roll = rng.random()
            if roll < 0.1:
                return 0
            if roll < 0.25:
                return rng.choice(UNKNOWN_ENUM_NUMBERS)
            return rng.choice([v.number for v in field.enum_type.values if v.number != 0])
        raise ValueError(f"no generator for {field.full_name}")

    def fill(self, message, depth):
        """Sets a random selection of the fields of `message`."""
        rng = self.rng
        descriptor = message.DESCRIPTOR
        name = descriptor.full_name
        if name == STRUCT:
            return self.struct(message, depth)
        if name == VALUE:
            return self.value(message, depth)
        if name == TIMESTAMP:
            return self.timestamp(message)
        chance = [0.75, 0.6, 0.45, 0.3, 0.15][min(depth, 4)]
        chosen_oneofs = {}
        for oneof in descriptor.oneofs:
            if len(oneof.fields) == 1 and oneof.name == "_" + oneof.fields[0].name:
                continue
            # Mostly one member, sometimes none (a newer peer's member, or nothing).
            chosen_oneofs[oneof.name] = rng.choice(oneof.fields) if rng.random() < 0.85 else None
        for field in descriptor.fields:
            oneof = real_oneof(field)
            if oneof is not None:
                if chosen_oneofs.get(oneof.name) is not field:
                    continue
            elif rng.random() > chance:
                continue
            self.set_field(message, field, depth)

    def set_field(self, message, field, depth):
        rng = self.rng
        if is_map(field):
            target = getattr(message, field.name)
            value_field = field.message_type.fields_by_name["value"]
            for _ in range(rng.randint(0, 3)):
                key = self.key()
                if is_message(value_field):
                    self.fill(target[key], depth + 1)
                else:
                    target[key] = self.scalar(value_field)
            return
        if is_repeated(field):
            target = getattr(message, field.name)
            for _ in range(rng.randint(0, 3 if depth < 3 else 1)):
                if is_message(field):
                    self.fill(target.add(), depth + 1)
                else:
                    target.append(self.scalar(field))
            return
        if is_message(field):
            sub = getattr(message, field.name)
            sub.SetInParent()
            if depth < 5:
                self.fill(sub, depth + 1)
            return
        setattr(message, field.name, self.scalar(field))


# --------------------------------------------------------------------------
# Other forms the official parser accepts
# --------------------------------------------------------------------------


def field_for(descriptor, key):
    for field in descriptor.fields:
        if key in (field.json_name, field.name):
            return field
    return None


class Reworker:
    """Rewrites the JSON of a message into other forms of the same message."""

    def __init__(self, rng):
        self.rng = rng
        self.changes = set()

    def chance(self, p):
        return self.rng.random() < p

    def int32(self, value):
        rng = self.rng
        forms = [str(value), "\t" + str(value), str(value) + ".0", float(value), f"{value}e0"]
        if value >= 0:
            forms.append("+" + str(value))
        text = str(abs(value))
        if len(text) >= 2:
            cut = rng.randint(1, len(text) - 1)
            forms.append(("-" if value < 0 else "") + text[:cut] + "_" + text[cut:])
        self.changes.add("int32")
        return rng.choice(forms)

    def enum(self, field, value):
        rng = self.rng
        if isinstance(value, str):
            number = field.enum_type.values_by_name[value].number
        else:
            number = value
        forms = [number, str(number), " %d " % number, float(number), number + 0.25 if number >= 0 else number - 0.25]
        if number in (0, 1):
            forms.append(bool(number))
        known = field.enum_type.values_by_number.get(number)
        if known is not None:
            forms.append(known.name)
        self.changes.add("enum")
        return rng.choice(forms)

    def bytes(self, value):
        rng = self.rng
        raw = base64.b64decode(value)
        text = base64.urlsafe_b64encode(raw).decode() if self.chance(0.5) else value
        if self.chance(0.5):
            text = text.rstrip("=")
        if self.chance(0.3) and len(text) > 1:
            at = rng.randint(0, len(text))
            text = text[:at] + rng.choice([" ", "\n", "\r\n", "*", ".", "é"]) + text[at:]
        if self.chance(0.2) and len(text) % 4 == 0:
            text += "=="
        self.changes.add("bytes")
        return text

    def timestamp(self, value):
        rng = self.rng
        match = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z", value)
        if match is None:
            return value
        year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
        fraction = match.group(7) or ""
        instant = datetime.datetime(year, month, day, hour, minute, second)
        offset = rng.choice([0, 0, 60, -90, 330, -(23 * 60 + 59), 23 * 60 + 59, 99 * 60])
        try:
            local = instant + datetime.timedelta(minutes=offset)
        except OverflowError:
            return value
        if not 1 <= local.year <= 9999:
            return value

        def two(n):
            return str(n) if self.chance(0.3) else "%02d" % n

        # The fraction with more or fewer trailing zeros, or none at all when zero.
        fraction = fraction.rstrip("0")
        if fraction and self.chance(0.5):
            fraction = fraction.ljust(rng.randint(len(fraction), 9), "0")
        dot = "." + fraction if fraction or self.chance(0.2) else ""
        if offset == 0 and self.chance(0.5):
            zone = rng.choice(["Z", "+00:00", "-00:00"])
        else:
            sign = "+" if offset >= 0 else "-"
            zone = "%s%02d:%02d" % (sign, abs(offset) // 60, abs(offset) % 60)
        self.changes.add("timestamp")
        return "%04d-%s-%sT%s:%s:%s%s%s" % (
            local.year,
            two(local.month),
            two(local.day),
            two(local.hour),
            two(local.minute),
            two(local.second),
            dot,
            zone,
        )

    def message(self, js, descriptor):
        """Reworks the JSON object `js` of a message of type `descriptor`."""
        name = descriptor.full_name
        if name in (STRUCT, VALUE, LIST_VALUE):
            return js
        if name == TIMESTAMP:
            return self.timestamp(js) if self.chance(0.6) else js
        if js == {} and self.chance(0.2):
            self.changes.add("empty-array-message")
            return []
        out = {}
        for key, value in js.items():
            field = field_for(descriptor, key)
            if field is None:
                out[key] = value
                continue
            new_key = key
            if field.name != field.json_name and self.chance(0.3):
                new_key = field.name if key == field.json_name else field.json_name
                self.changes.add("field-name")
            out[new_key] = self.field(field, value)
        # Absent fields, said in other ways the parser reads as absent.
        for field in descriptor.fields:
            if field.json_name in out or field.name in out:
                continue
            if is_message(field) and field.message_type.full_name == VALUE:
                continue  # `null` would set it
            if self.chance(0.15):
                out[field.json_name] = None
                self.changes.add("null")
            elif is_map(field) and self.chance(0.1):
                out[field.json_name] = {}
                self.changes.add("empty-map")
            elif is_repeated(field) and not is_map(field) and self.chance(0.1):
                out[field.json_name] = []
                self.changes.add("empty-list")
        keys = list(out)
        if self.chance(0.3):
            self.rng.shuffle(keys)
        return {k: out[k] for k in keys}

    def field(self, field, value):
        if value is None:
            return None
        if is_map(field):
            value_field = field.message_type.fields_by_name["value"]
            return {k: self.single(value_field, v) for k, v in value.items()}
        if is_repeated(field):
            return [self.single(field, v) for v in value]
        return self.single(field, value)

    def single(self, field, value):
        if is_message(field):
            return self.message(value, field.message_type)
        if field.type == FieldDescriptor.TYPE_BYTES:
            return self.bytes(value) if self.chance(0.6) else value
        if field.cpp_type == FieldDescriptor.CPPTYPE_INT32:
            return self.int32(value) if self.chance(0.4) else value
        if field.cpp_type == FieldDescriptor.CPPTYPE_ENUM:
            return self.enum(field, value) if self.chance(0.4) else value
        return value


# --------------------------------------------------------------------------
# Comparing and checking
# --------------------------------------------------------------------------


def normalise(message):
    """Sets the REQUIRED message fields (which a2akit always holds), all the way down."""
    descriptor = message.DESCRIPTOR
    if descriptor.full_name in WELL_KNOWN:
        return
    for field in descriptor.fields:
        if is_message(field) and not is_repeated(field) and real_oneof(field) is None and is_required(field):
            getattr(message, field.name).SetInParent()
    for field, value in message.ListFields():
        if not is_message(field):
            continue
        if is_map(field):
            if is_message(field.message_type.fields_by_name["value"]):
                for item in value.values():
                    normalise(item)
        elif is_repeated(field):
            for item in value:
                normalise(item)
        else:
            normalise(value)


CANONICAL_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z")


def is_default(field, value):
    """Whether `value`, as written, is the proto3 default of `field`."""
    if is_map(field):
        return value == {}
    if is_repeated(field):
        return value == []
    kind = field.cpp_type
    if kind == FieldDescriptor.CPPTYPE_ENUM:
        return value == field.enum_type.values_by_number[0].name or (type(value) is int and value == 0)
    if kind == FieldDescriptor.CPPTYPE_BOOL:
        return value is False
    if kind == FieldDescriptor.CPPTYPE_INT32:
        return type(value) is int and value == 0
    return value == ""


def canonical_problems(js, descriptor, path):
    """What is not canonical ProtoJSON in `js`, the JSON a2akit wrote."""
    problems = []
    name = descriptor.full_name
    if name in (STRUCT, VALUE, LIST_VALUE):
        return problems
    if name == TIMESTAMP:
        if not (isinstance(js, str) and CANONICAL_TIMESTAMP.fullmatch(js)):
            problems.append(f"{path}: timestamp {js!r} is not RFC 3339 UTC with Z and 0, 3, 6 or 9 digits")
        return problems
    if not isinstance(js, dict):
        return [f"{path}: {js!r} is not an object"]
    for key, value in js.items():
        at = f"{path}.{key}"
        field = field_for(descriptor, key)
        if field is None:
            problems.append(f"{at}: no such field")
            continue
        if key != field.json_name:
            problems.append(f"{at}: not the lowerCamelCase name {field.json_name}")
        if value is None:
            if not (is_message(field) and field.message_type.full_name == VALUE):
                problems.append(f"{at}: null")
            continue
        presence = is_message(field) or real_oneof(field) is not None or field.has_presence
        if not presence and not is_required(field) and is_default(field, value):
            problems.append(f"{at}: default value {value!r} written")
        if is_map(field):
            value_field = field.message_type.fields_by_name["value"]
            if not isinstance(value, dict):
                problems.append(f"{at}: a map that is not an object")
                continue
            for k, v in value.items():
                problems += single_problems(value_field, v, f"{at}[{k!r}]")
        elif is_repeated(field):
            if not isinstance(value, list):
                problems.append(f"{at}: a repeated field that is not an array")
                continue
            for index, v in enumerate(value):
                problems += single_problems(field, v, f"{at}[{index}]")
        else:
            problems += single_problems(field, value, at)
    return problems


def single_problems(field, value, at):
    if is_message(field):
        return canonical_problems(value, field.message_type, at)
    if field.type == FieldDescriptor.TYPE_BYTES:
        try:
            if isinstance(value, str) and base64.b64encode(base64.b64decode(value, validate=True)).decode() == value:
                return []
        except ValueError:
            pass
        return [f"{at}: bytes {value!r} are not standard padded base64"]
    kind = field.cpp_type
    if kind == FieldDescriptor.CPPTYPE_INT32:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{at}: int32 {value!r} is not a JSON integer"]
    if kind == FieldDescriptor.CPPTYPE_BOOL:
        return [] if isinstance(value, bool) else [f"{at}: {value!r} is not a JSON bool"]
    if kind == FieldDescriptor.CPPTYPE_STRING:
        return [] if isinstance(value, str) else [f"{at}: {value!r} is not a string"]
    if kind == FieldDescriptor.CPPTYPE_ENUM:
        if isinstance(value, str) and value in field.enum_type.values_by_name:
            return []
        if isinstance(value, int) and not isinstance(value, bool) and value not in field.enum_type.values_by_number:
            return []
        return [f"{at}: enum {value!r} is neither a name nor the number of an unknown value"]
    return []


# --------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------


def generate(seed, count):
    rng = random.Random(seed)
    names = [name for name, _ in TYPES]
    weights = [weight for _, weight in TYPES]
    reworked = rejected = 0
    out = sys.stdout
    for case in range(count):
        type_name = rng.choices(names, weights)[0]
        cls = getattr(pb, type_name)
        message = cls()
        Generator(rng).fill(message, 0)
        options = {
            "preserving_proto_field_name": rng.random() < 0.3,
            "use_integers_for_enums": rng.random() < 0.3,
            "always_print_fields_with_no_presence": rng.random() < 0.3,
        }
        how = ",".join(k for k, v in options.items() if v) or "default"
        if rng.random() < 0.5:
            text = json_format.MessageToJson(
                message,
                indent=rng.choice([None, 0, 2]),
                sort_keys=rng.random() < 0.5,
                ensure_ascii=rng.random() < 0.5,
                **options,
            )
            how = "MessageToJson(" + how + ")"
        else:
            js = json_format.MessageToDict(message, **options)
            how = "MessageToDict(" + how + ")"
            if rng.random() < 0.7:
                reworker = Reworker(rng)
                candidate = json.dumps(reworker.message(js, cls.DESCRIPTOR), ensure_ascii=rng.random() < 0.5)
                # Only a form the official parser reads as the same message is a case.
                try:
                    accepted = json_format.Parse(candidate, cls()) == message
                except Exception:  # noqa: BLE001 - any refusal means "not this form"
                    accepted = False
                if accepted:
                    js_text = candidate
                    how += "+" + "+".join(sorted(reworker.changes))
                    reworked += 1
                else:
                    js_text = json.dumps(js)
                    rejected += 1
            else:
                js_text = json.dumps(js, ensure_ascii=rng.random() < 0.5)
            text = js_text
        # Every case is something the official parser reads as the message.
        assert json_format.Parse(text, cls()) == message, (case, text)
        original = base64.b64encode(message.SerializeToString(deterministic=True)).decode()
        out.write(json.dumps({"case": case, "type": type_name, "how": how, "input": text, "original": original}))
        out.write("\n")
    sys.stderr.write(f"generated {count} cases ({reworked} reworked, {rejected} reworkings dropped)\n")


def check():
    failures = 0
    checked = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        record = json.loads(line)
        cls = getattr(pb, record["type"])
        original = cls()
        original.ParseFromString(base64.b64decode(record["original"]))
        problems = []
        try:
            ours = json_format.Parse(record["ours"], cls())
        except Exception as err:  # noqa: BLE001
            problems.append(f"the official parser refuses our output: {err}")
            ours = None
        if ours is not None:
            normalise(original)
            normalise(ours)
            if ours != original:
                problems.append(
                    "read back as a different message:\n  expected "
                    + json_format.MessageToJson(original, indent=None)
                    + "\n  got      "
                    + json_format.MessageToJson(ours, indent=None)
                )
        problems += canonical_problems(json.loads(record["ours"]), cls.DESCRIPTOR, record["type"])
        checked += 1
        if problems:
            failures += 1
            record["problems"] = problems
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stderr.write(f"checked {checked} outputs, {failures} failed\n")
    return 1 if failures else 0


def main(argv):
    if len(argv) == 4 and argv[1] == "generate":
        generate(int(argv[2]), int(argv[3]))
        return 0
    if len(argv) == 2 and argv[1] == "check":
        return check()
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
