#!/usr/bin/env python3
"""Derive Souverain's provider registry (registry.json, format 1) from the reference dataset.

Usage (from the repository root):

    python3 Sources/SouverainPlacement/Resources/build-registry.py \
        /work/shared/reference/providers.json \
        > Sources/SouverainPlacement/Resources/registry.json

The output is deterministic: the same providers.json always gives the same bytes (providers
sorted by id, keys in a fixed order, no timestamps; the input's SHA-256 is recorded).

What the derivation does, and the judgement calls it makes (each is written here, in code, so
that a reviewer can check it and a dataset update that needs a new call fails loudly):

- Every fact becomes {value, sources, asOf, verification}. asOf is the provider's `as_of`.
  sources are the dataset's source keys for that fact; verification is the dataset's own level
  ("press article" becomes "press-article") or "not-stated" when the dataset gives none.
  The ultimate parent takes the sources and verification of the ownership research
  (`eu_ownership`), which is where the dataset documents who controls the provider.
- Vocabulary values are rewritten in kebab-case (in_progress -> in-progress).
- us_cloud_act / us_fisa_702: true -> "exposed", false -> "not-exposed", "unknown" -> "unknown".
- Each ultimate parent gets a stable id (PARENT_IDS below) so that the placement engine can
  count distinct operators: two providers with the same parent id are one operator. A parent
  whose name or country the dataset gives as unknown (or "not verified") gets null.
- SecNumCloud and HDS scope are resolved per region from the offer's `secnumcloud_in_scope`
  and `hds_in_scope`: true / false map to in-scope / not-in-scope; null, "unknown" and the
  hedged texts in SCOPE_TEXTS map to what that table says (never to in-scope unless the text
  names the region). The raw text is kept as the scope's note.
- A region code written "a / b" (IONOS "de / eu-central-1") becomes code a with alias b.
- A synthetic provider `on-premise` is added: the organisation's own machines. Its facts are
  placeholders; the placement engine takes them from the location's profile.

Any value this script does not recognise stops it with an error naming the provider and field.
"""

import hashlib
import json
import sys

FORMAT = 1

VERIFICATION = {
    "primary": "primary",
    "vendor-doc": "vendor-doc",
    "secondary": "secondary",
    "press article": "press-article",
    "inferred": "inferred",
    "conflicting": "conflicting",
    "unverified": "unverified",
}

SNC_STATUS = {
    "qualified": "qualified",
    "in_progress": "in-progress",
    "announced": "announced",
    "none_known": "none-known",
    "not_eligible": "not-eligible",
    "not_applicable": "not-applicable",
    "unknown": "unknown",
}

CERT_STATUS = {
    "certified": "certified",
    "claimed": "claimed",
    "unknown": "unknown",
    "not_applicable": "not-applicable",
    "scheme_not_adopted": "scheme-not-adopted",
}

GAIA_X_LEVELS = {
    "Standard Compliance": "standard-compliance",
    "L1": "L1",
    "L2": "L2",
    "L3": "L3",
}

EXPOSURE = {True: "exposed", False: "not-exposed", "unknown": "unknown"}

# Stable ids of ultimate parents; null where the dataset does not establish the parent.
# Joint ventures are their own parent: the dataset names no single controlling shareholder.
PARENT_IDS = {
    "ovhcloud": "ovh-groupe",
    "scaleway": "iliad",
    "outscale": "dassault-systemes",
    "cloud-temple": None,       # name and country unknown
    "worldline": "worldline",
    "cegedim": None,            # name and country unknown
    "oodrive": "oodrive",       # founders with French investors: the company's own shareholders
    "whaller": None,            # name and country unknown
    "orange-cloud-avenue": "orange",
    "sfr-business": None,       # "ultimate controlling holding not verified", country unknown
    "numspot": "numspot",       # joint venture
    "bleu": "bleu",             # joint venture of Capgemini and Orange
    "s3ns": "thales",
    "aws": "amazon",
    "microsoft-azure": "microsoft",
    "google-cloud": "alphabet",
    "docaposte": "la-poste",
    "wire": None,               # unknown, conflicting sources
    "delos-cloud": "sap",
    "ionos": "united-internet",
}

# Free-text scope statements, resolved per region: {text: {region or "*": (status, note)}}.
SCOPE_TEXTS = {
    "likely for cloudgouv-eu-west-1 (unverified)": {
        "*": ("unknown", "likely for cloudgouv-eu-west-1 (unverified)"),
    },
    "claimed by vendor (unverified)": {
        "*": ("unknown", "claimed by vendor (unverified)"),
    },
    "fr-par HDS-tagged buckets only": {
        "fr-par": ("in-scope", "HDS-tagged buckets only"),
        "*": ("not-in-scope", "HDS object storage is offered in fr-par only"),
    },
}

ON_PREMISE_SOURCE = "SOUVERAIN-ON-PREMISE"


class DatasetError(Exception):
    pass


def fail(provider, field, problem):
    raise DatasetError(f"provider '{provider}', field {field}: {problem}")


def fact(value, sources, as_of, verification):
    return {"value": value, "sources": list(sources), "asOf": as_of, "verification": verification}


def verification_of(block, provider, field):
    raw = block.get("verification")
    if raw is None:
        return "not-stated"
    if raw not in VERIFICATION:
        fail(provider, field + ".verification", f"unknown verification level {raw!r}")
    return VERIFICATION[raw]


def country_or_none(raw, provider, field):
    if raw is None or raw == "unknown":
        return None
    if not (isinstance(raw, str) and len(raw) == 2 and raw.isupper()):
        fail(provider, field, f"{raw!r} is not an ISO 3166 alpha-2 code")
    return raw


def text_or_none(raw):
    if raw is None:
        return None
    if isinstance(raw, list):
        return "; ".join(raw)
    return str(raw)


def generic_cert(block, provider, field, as_of):
    status = block.get("status", "unknown")
    if status not in CERT_STATUS:
        fail(provider, field + ".status", f"unknown status {status!r}")
    value = {
        "status": CERT_STATUS[status],
        "scope": text_or_none(block.get("scope")),
        "note": text_or_none(block.get("note")),
    }
    return fact(value, block.get("sources", []), as_of, verification_of(block, provider, field))


def secnumcloud(block, provider, as_of):
    field = "qualifications.secnumcloud"
    status = block.get("status", "unknown")
    if status not in SNC_STATUS:
        fail(provider, field + ".status", f"unknown status {status!r}")
    stage = block.get("stage")
    if stage not in (None, "J0", "J1", "J2", "J3"):
        fail(provider, field + ".stage", f"unknown stage {stage!r}")
    notes = [n for n in (block.get("note"), block.get("not_in_scope_note"), block.get("object_storage_note")) if n]
    value = {
        "status": SNC_STATUS[status],
        "stage": stage,
        "version": block.get("version"),
        "scope": list(block.get("scope", [])),
        "dates": block.get("dates"),
        "note": " ".join(notes) if notes else None,
    }
    return fact(value, block.get("sources", []), as_of, verification_of(block, provider, field))


def gaia_x(block, provider, as_of):
    field = "qualifications.gaia_x"
    status = block.get("status", "unknown")
    if status not in CERT_STATUS:
        fail(provider, field + ".status", f"unknown status {status!r}")
    level = block.get("level")
    if level in (None, "unknown"):
        level = None
    elif level in GAIA_X_LEVELS:
        level = GAIA_X_LEVELS[level]
    else:
        fail(provider, field + ".level", f"unknown Gaia-X level {level!r}")
    value = {"status": CERT_STATUS[status], "level": level, "note": text_or_none(block.get("note"))}
    return fact(value, block.get("sources", []), as_of, verification_of(block, provider, field))


def scope_for(raw, region_code, provider, field):
    if raw is True:
        return ("in-scope", None)
    if raw is False:
        return ("not-in-scope", None)
    if raw is None:
        return ("unknown", "not stated")
    if raw == "unknown":
        return ("unknown", None)
    if raw in SCOPE_TEXTS:
        table = SCOPE_TEXTS[raw]
        return table.get(region_code, table["*"])
    fail(provider, field, f"unrecognised scope text {raw!r}; add it to SCOPE_TEXTS")


def s3_compatibility(raw, provider):
    if raw is True:
        return {"status": "yes", "note": None}
    if raw is False:
        return {"status": "no", "note": None}
    if isinstance(raw, str) and raw.startswith("partial"):
        return {"status": "partial", "note": None if raw == "partial" else raw}
    if raw is None or raw == "unknown":
        return {"status": "unknown", "note": None}
    fail(provider, "object_storage.s3_compatible", f"unrecognised value {raw!r}")


def offer(block, provider, as_of):
    offer_sources = block.get("sources", [])
    regions = []
    for region in block.get("regions", []):
        raw_code = region["code"]
        parts = [p.strip() for p in raw_code.split("/")]
        code, aliases = parts[0], parts[1:]
        field = f"object_storage.regions[{raw_code}]"
        country = country_or_none(region.get("country"), provider, field + ".country")
        if country is None:
            fail(provider, field + ".country", "a region needs a country")
        sources = region.get("sources", offer_sources)
        snc_status, snc_note = scope_for(block.get("secnumcloud_in_scope"), code, provider, field + ".secnumcloud_in_scope")
        hds_status, hds_note = scope_for(block.get("hds_in_scope"), code, provider, field + ".hds_in_scope")
        regions.append({
            "code": code,
            "aliases": aliases,
            "location": region.get("location"),
            "country": fact(country, sources, as_of, "not-stated"),
            "inEU": bool(region.get("in_eu")),
            "inEEA": bool(region.get("in_eea")),
            "notes": region.get("notes"),
            "secNumCloudScope": fact({"status": snc_status, "note": snc_note}, offer_sources, as_of, "not-stated"),
            "hdsScope": fact({"status": hds_status, "note": hds_note}, offer_sources, as_of, "not-stated"),
        })
    return {
        "name": block["name"],
        "s3Compatible": s3_compatibility(block.get("s3_compatible"), provider),
        "endpointPattern": block.get("endpoint_pattern"),
        "virtualHostPattern": block.get("virtual_host_pattern"),
        "regionsNote": block.get("regions_note"),
        "sources": list(offer_sources),
        "regions": regions,
    }


def provider(p):
    pid = p.get("id")
    if not pid:
        raise DatasetError("a provider has no id")
    if pid not in PARENT_IDS:
        fail(pid, "ultimate_parent", "no entry in PARENT_IDS; decide its parent id")
    as_of = p.get("as_of")
    if not as_of:
        fail(pid, "as_of", "missing")
    own = p["eu_ownership"]
    own_verification = verification_of(own, pid, "eu_ownership")
    parent = p["ultimate_parent"]
    parent_name = None if parent.get("name") in (None, "unknown") else parent["name"]
    ext = p["extraterritorial_exposure"]
    for key in ("us_cloud_act", "us_fisa_702"):
        if ext.get(key) not in EXPOSURE:
            fail(pid, "extraterritorial_exposure." + key, f"unknown value {ext.get(key)!r}")
    q = p["qualifications"]
    other = q.get("other", [])
    return {
        "id": pid,
        "name": p["name"],
        "kind": "cloud",
        "legalEntities": list(p.get("legal_entities", [])),
        "hqCity": p.get("hq_city"),
        "notes": p.get("notes"),
        "legalSeatCountry": fact(
            country_or_none(p.get("legal_seat_country"), pid, "legal_seat_country"),
            p.get("sources_extra", []), as_of, "not-stated"),
        "ultimateParent": fact(
            {"id": PARENT_IDS[pid], "name": parent_name,
             "country": country_or_none(parent.get("country"), pid, "ultimate_parent.country")},
            own.get("sources", []), as_of, own_verification),
        "euOwnership": fact(
            {"summary": own.get("summary"), "percent": own.get("percent")},
            own.get("sources", []), as_of, own_verification),
        "extraterritorialExposure": fact(
            {"usCloudAct": EXPOSURE[ext["us_cloud_act"]], "usFISA702": EXPOSURE[ext["us_fisa_702"]],
             "reasoning": ext.get("reasoning"), "confidence": ext.get("confidence"),
             "other": list(ext.get("other", []))},
            ext.get("sources", []), as_of, "not-stated"),
        "qualifications": {
            "secNumCloud": secnumcloud(q.get("secnumcloud", {}), pid, as_of),
            "hds": generic_cert(q.get("hds", {}), pid, "qualifications.hds", as_of),
            "iso27001": generic_cert(q.get("iso27001", {}), pid, "qualifications.iso27001", as_of),
            "c5": generic_cert(q.get("c5", {}), pid, "qualifications.c5", as_of),
            "ens": generic_cert(q.get("ens", {}), pid, "qualifications.ens", as_of),
            "gaiaX": gaia_x(q.get("gaia_x", {}), pid, as_of),
            "eucs": generic_cert(q.get("eucs", {}), pid, "qualifications.eucs", as_of),
            "other": fact(list(other), [], as_of, "not-stated"),
        },
        "objectStorage": [offer(o, pid, as_of) for o in p.get("object_storage", [])],
        "objectStorageNote": p.get("object_storage_note"),
    }


def on_premise(as_of):
    def declared(value):
        return fact(value, [ON_PREMISE_SOURCE], as_of, "declared")

    def not_applicable():
        return declared({"status": "not-applicable", "scope": None,
                         "note": "The organisation's own machines; no third-party certification applies."})

    return {
        "id": "on-premise",
        "name": "On-premise (the organisation's own machines)",
        "kind": "on-premise",
        "legalEntities": [],
        "hqCity": None,
        "notes": "Synthetic provider: the operator is the organisation itself. Its country, seat and parent come from the location's profile.",
        "legalSeatCountry": declared(None),
        "ultimateParent": declared({"id": None, "name": None, "country": None}),
        "euOwnership": declared({"summary": "The organisation itself.", "percent": None}),
        "extraterritorialExposure": declared({
            "usCloudAct": "unknown", "usFISA702": "unknown",
            "reasoning": "Derived from the location profile: exposed only if the organisation or its parent is in the US.",
            "confidence": None, "other": []}),
        "qualifications": {
            "secNumCloud": declared({"status": "not-applicable", "stage": None, "version": None, "scope": [],
                                     "dates": None, "note": "The organisation's own machines."}),
            "hds": not_applicable(),
            "iso27001": not_applicable(),
            "c5": not_applicable(),
            "ens": not_applicable(),
            "gaiaX": declared({"status": "not-applicable", "level": None, "note": None}),
            "eucs": declared({"status": "scheme-not-adopted", "scope": None, "note": None}),
            "other": declared([]),
        },
        "objectStorage": [],
        "objectStorageNote": "Local directories or the organisation's own S3 cluster (Ceph RGW, Garage).",
    }


def build(raw_bytes):
    data = json.loads(raw_bytes)
    as_of = data["as_of"]
    sources = {}
    for key in sorted(data["sources"]):
        s = data["sources"][key]
        sources[key] = {"title": s["title"], "url": s.get("url"), "kind": s["kind"]}
    sources[ON_PREMISE_SOURCE] = {
        "title": "Souverain: facts declared in the location's sovereignty profile by the organisation",
        "url": None,
        "kind": "souverain",
    }
    providers = [provider(p) for p in data["providers"]]
    providers.append(on_premise(as_of))
    providers.sort(key=lambda p: p["id"])
    return {
        "format": FORMAT,
        "asOf": as_of,
        "derivedFrom": {
            "file": "providers.json",
            "schemaVersion": data.get("schema_version"),
            "sha256": hashlib.sha256(raw_bytes).hexdigest(),
            "script": "build-registry.py",
        },
        "sources": sources,
        "providers": providers,
    }


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: build-registry.py PATH/TO/providers.json > registry.json\n")
        return 2
    with open(argv[1], "rb") as f:
        raw = f.read()
    try:
        registry = build(raw)
    except DatasetError as error:
        sys.stderr.write(f"build-registry: {error}\n")
        return 1
    sys.stdout.write(json.dumps(registry, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
