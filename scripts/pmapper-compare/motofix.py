"""Make moto's GetAccountAuthorizationDetails answer look like AWS's.

moto 5.2.5 differs from the real API in two ways that matter here:
- entries of Policies carry no PolicyName and no PolicyId (PMapper 1.1.5 needs
  PolicyName, cloudsplaining 0.9.1 PolicyId; both stop with a KeyError):
  PolicyName is set from the ARN, PolicyId to a stand-in made from the ARN
  ("ANPA" and 17 hex digits of its SHA-1);
- Policies lists every AWS-managed policy moto knows (about 1,600) when AWS lists
  only those attached to something: unattached AWS-managed policies are dropped.

normalize() is applied to every page, for PMapper (pmapper_moto.py) and for the
export reachgraph reads (export.py), so both tools see the same account.
"""
import hashlib


def normalize(page):
    kept = []
    for p in page.get("Policies", []):
        if p["Arn"].startswith("arn:aws:iam::aws:policy/") and not p.get("AttachmentCount"):
            continue
        p.setdefault("PolicyName", p["Arn"].rsplit("/", 1)[-1])
        p.setdefault("PolicyId", "ANPA" + hashlib.sha1(p["Arn"].encode()).hexdigest()[:17].upper())
        kept.append(p)
    if "Policies" in page:
        page["Policies"] = kept
    return page
