"""Agent card signatures checked and made by implementations other than ours.

JOSE comes from jwcrypto, the RFC 8785 canonical form from the `rfc8785`
package, and the removal of default-valued fields from protobuf's own JSON
printer (the card is parsed into the official SDK's protobuf `AgentCard` and
printed back), so that no step relies on our code. The `sdk-*` commands use
the official SDK's own signing module instead (PyJWT underneath).

Every command reads one JSON object from stdin and prints one to stdout.

  keygen       {"alg", "kid"?} -> {"private_pem", "public_pem", "public_jwk"}:
               a new key pair (PKCS#8 and SubjectPublicKeyInfo PEM, and JWK).
  canonical    {"card"} -> {"canonical"}: the payload a signature covers.
  verify       {"card", "jwks"} -> {"verified": [kid...], "failures": [...],
               "canonical"}: which signatures verify under the key set.
  sign         {"card", "alg", "kid", "jku"?} -> {"card", "jwks"}: the card
               with one more signature, by a new key, and that key's set.
  sdk-verify   {"card", "jwks", "algs"} -> {"ok", "error"?}
  sdk-sign     {"card", "alg", "kid"} -> {"card", "jwks"}

A card is passed as JSON text (a string), exactly as served or to be read.
"""

import json
import sys

import rfc8785
from google.protobuf import json_format
from jwcrypto import jwk, jws
from jwcrypto.common import base64url_encode, json_encode

from a2a.types import AgentCard

# Only asymmetric algorithms: a card is public.
ALGORITHMS = ["ES256", "ES384", "EdDSA", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]


def new_key(alg, kid):
    if alg.startswith("ES"):
        curve = {"ES256": "P-256", "ES384": "P-384"}[alg]
        return jwk.JWK.generate(kty="EC", crv=curve, kid=kid, use="sig")
    if alg == "EdDSA":
        return jwk.JWK.generate(kty="OKP", crv="Ed25519", kid=kid, use="sig")
    return jwk.JWK.generate(kty="RSA", size=2048, kid=kid, use="sig")


def proto_card(card_json):
    return json_format.Parse(card_json, AgentCard(), ignore_unknown_fields=True)


def canonical(card_json):
    """The card without its signatures and default-valued fields, per RFC 8785."""
    members = json_format.MessageToDict(proto_card(card_json))
    members.pop("signatures", None)
    return rfc8785.dumps(members)


def keygen(request):
    key = new_key(request["alg"], request.get("kid", "generated"))
    return {
        "private_pem": key.export_to_pem(private_key=True, password=None).decode("ascii"),
        "public_pem": key.export_to_pem().decode("ascii"),
        "public_jwk": json.loads(key.export_public()),
    }


def verify(request):
    payload = canonical(request["card"])
    keys = jwk.JWKSet.from_json(json.dumps(request["jwks"]))
    verified, failures = [], []
    for signature in json.loads(request["card"]).get("signatures", []):
        token = jws.JWS()
        token.allowed_algs = ALGORITHMS
        try:
            token.deserialize(json.dumps({"protected": signature["protected"], "signature": signature["signature"]}))
            token.verify(keys, detached_payload=payload)
            verified.append(token.jose_header["kid"])
        except Exception as err:  # each failure is reported, not raised
            failures.append(repr(err))
    return {"verified": verified, "failures": failures, "canonical": payload.decode("utf-8")}


def sign(request):
    alg, kid = request["alg"], request["kid"]
    key = new_key(alg, kid)
    # Members in another order than ours, on purpose: the header is signed as written.
    header = {"kid": kid, "typ": "JOSE", "alg": alg}
    if request.get("jku"):
        header["jku"] = request["jku"]
    token = jws.JWS(canonical(request["card"]))
    token.add_signature(key, alg=None, protected=json_encode(header))
    serialized = json.loads(token.serialize())
    card = json.loads(request["card"])
    card.setdefault("signatures", []).append(
        {"protected": serialized["protected"], "signature": serialized["signature"]}
    )
    public = json.loads(key.export_public())
    return {"card": json.dumps(card, ensure_ascii=False), "jwks": {"keys": [public]}}


def sdk_verify(request):
    from jwt import PyJWKSet

    from a2a.utils.signing import SignatureVerificationError, create_signature_verifier

    keys = PyJWKSet.from_dict(request["jwks"])

    def key_provider(kid, jku):
        return next(key for key in keys.keys if key.key_id == kid)

    verifier = create_signature_verifier(key_provider, request["algs"])
    try:
        verifier(proto_card(request["card"]))
    except (SignatureVerificationError, StopIteration) as err:
        return {"ok": False, "error": repr(err)}
    return {"ok": True}


def sdk_sign(request):
    from jwt import PyJWK

    from a2a.utils.signing import create_agent_card_signer

    alg, kid = request["alg"], request["kid"]
    key = new_key(alg, kid)
    signer = create_agent_card_signer(
        PyJWK.from_dict(json.loads(key.export_private())), {"alg": alg, "kid": kid, "typ": "JOSE"}
    )
    card = signer(proto_card(request["card"]))
    public = json.loads(key.export_public())
    return {"card": json_format.MessageToJson(card), "jwks": {"keys": [public]}}


COMMANDS = {
    "keygen": keygen,
    "canonical": lambda request: {"canonical": canonical(request["card"]).decode("utf-8")},
    "verify": verify,
    "sign": sign,
    "sdk-verify": sdk_verify,
    "sdk-sign": sdk_sign,
}

if __name__ == "__main__":
    answer = COMMANDS[sys.argv[1]](json.load(sys.stdin))
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
