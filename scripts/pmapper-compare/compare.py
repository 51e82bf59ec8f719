#!/usr/bin/env python3
"""Side-by-side: which principals PMapper, cloudsplaining and reachgraph find.

Usage: compare.py EXPECTED.tsv DETAILS.json PMAPPER.txt REACHGRAPH.json [CLOUDSPLAINING.json]

- EXPECTED.tsv: principal (user/NAME, role/NAME), path, expected (yes, no, or
  cond: only if a resource exists that the deployment does not create), note.
- DETAILS.json: the exported authorization details (every principal must be in
  EXPECTED.tsv, and the other way round).
- PMAPPER.txt: `pmapper query 'preset privesc *'` ("X is an administrative
  principal" / "X can escalate privileges ..." count as found).
- REACHGRAPH.json: `reachgraph whocan --action admin --resource aws:ACCOUNT -o json`
  (found; "cond" when every path has a conditional hop).
- CLOUDSPLAINING.json: cloudsplaining's iam-results-*.json (found: some policy of
  the principal, its groups' included, has a PrivilegeEscalation finding).

Prints a Markdown table, one row per path (user / role), then the per-tool
counts; exits 1 when reachgraph's answer differs from EXPECTED.tsv.
"""
import collections
import json
import re
import sys


def pmapper_found(path):
    found = {}
    for line in open(path):
        m = re.match(r"^((?:user|role)/\S+) (is an administrative principal|can escalate privileges)", line)
        if m:
            found[m.group(1)] = "yes"
    return found


def reachgraph_found(path):
    found = {}
    for a in json.load(open(path))["accesses"]:
        m = re.match(r"^aws:\d{12}:((?:user|role)/.+)$", a["identity"])
        if not m:
            continue
        cond = all(any(h.get("conditional") for h in p) for p in a["paths"])
        found[m.group(1)] = "cond" if cond else "yes"
    return found


def cloudsplaining_found(path):
    d = json.load(open(path))
    escalates = set()
    for kind in ("customer_managed_policies", "aws_managed_policies", "inline_policies"):
        for pid, p in d[kind].items():
            if p.get("PrivilegeEscalation", {}).get("findings"):
                escalates.add(pid)

    def flagged(entity):
        ids = set(entity.get("customer_managed_policies", {})) | set(entity.get("aws_managed_policies", {})) | \
            set(entity.get("inline_policies", {}))
        return bool(ids & escalates)

    found = {}
    for u in d["users"].values():
        names = set(u.get("groups", {}))
        groups = [g for g in d["groups"].values() if g["name"] in names]
        if flagged(u) or any(flagged(g) for g in groups):
            found["user/" + u["name"]] = "yes"
    for r in d["roles"].values():
        if flagged(r):
            found["role/" + r["name"]] = "yes"
    return found


def main():
    expected_path, details_path, pm_path, rg_path = sys.argv[1:5]
    cs_path = sys.argv[5] if len(sys.argv) > 5 else None
    expected, order = {}, []
    for line in open(expected_path):
        if line.startswith("#") or not line.strip():
            continue
        principal, path, exp, note = line.rstrip("\n").split("\t")
        expected[principal] = (path, exp, note)
        if path not in order:
            order.append(path)
    d = json.load(open(details_path))
    principals = {"user/" + u["UserName"] for u in d["UserDetailList"]} | {"role/" + r["RoleName"] for r in d["RoleDetailList"]}
    if principals != set(expected):
        sys.exit("EXPECTED.tsv and the details disagree: only in details %s, only in EXPECTED.tsv %s" % (
            sorted(principals - set(expected)), sorted(set(expected) - principals)))

    tools = [("PMapper 1.1.5", pmapper_found(pm_path))]
    if cs_path:
        tools.append(("cloudsplaining 0.9.1", cloudsplaining_found(cs_path)))
    rg = reachgraph_found(rg_path)
    tools.append(("reachgraph", rg))

    mark = {"yes": "✓", "cond": "✓ cond.", "no": "–", None: "–"}

    def cell(path, answer_of, is_expected=False):
        parts = []
        for kind in ("user", "role"):
            ps = [p for p, v in expected.items() if v[0] == path and p.startswith(kind + "/")]
            for p in sorted(ps):
                exp = expected[p][1]
                got = exp if is_expected else answer_of.get(p, "no")
                text = "cond." if is_expected and got == "cond" else mark[got]
                if len(ps) > 1:
                    text += " " + p.split("/", 1)[1]
                if not is_expected and not agrees(got, exp):
                    text = "**" + text + "**"
                parts.append((kind, text))
        users = [t for k, t in parts if k == "user"] or ["·"]
        roles = [t for k, t in parts if k == "role"] or ["·"]
        return ", ".join(users) + " / " + ", ".join(roles)

    header = "| path (user / role) | expected | " + " | ".join(n for n, _ in tools) + " | why |"
    print(header)
    print("|" + "---|" * (3 + len(tools)))
    for path in order:
        members = sorted(p for p, v in expected.items() if v[0] == path)
        kinds = collections.Counter(p.split("/")[0] for p in members)
        if max(kinds.values()) == 1:
            notes = sorted({expected[p][2] for p in members if expected[p][2]})
            print("| %s | %s | %s | %s |" % (path, cell(path, None, True),
                                           " | ".join(cell(path, found) for _, found in tools), "; ".join(notes)))
            continue
        # a path with several users or roles: one row each
        for p in sorted(members, key=lambda p: (p.split("/")[0] != "user", p)):
            kind, name = p.split("/", 1)
            exp = expected[p][1]
            cells = ["cond." if exp == "cond" else mark[exp]]
            for _, found in tools:
                got = found.get(p, "no")
                cells.append(mark[got] if agrees(got, exp) else "**" + mark[got] + "**")
            print("| %s (%s) | %s | %s |" % (name, kind, " | ".join(cells), expected[p][2]))
    print()
    counts = collections.Counter(v[1] for v in expected.values())
    print("principals: %d (expected found: %d, found only as conditional: %d, not found: %d)" % (
        len(expected), counts["yes"], counts["cond"], counts["no"]))
    failed = False
    for name, found in tools:
        tp = sum(1 for p, v in expected.items() if v[1] == "yes" and p in found)
        fn = sorted(p for p, v in expected.items() if v[1] == "yes" and p not in found)
        fp = sorted(p for p, v in expected.items() if v[1] == "no" and p in found)
        cond = sorted(p for p, v in expected.items() if v[1] == "cond" and found.get(p) == "yes")
        print("%s: %d of %d found; missed %s; over-reported %s; unconditional where a resource is needed %s" % (
            name, tp, counts["yes"], fn or "none", fp or "none", cond or "none"))
    wrong = sorted(p for p, v in expected.items() if not agrees(rg.get(p, "no"), v[1]))
    if wrong:
        print("reachgraph differs from expected for: %s" % ", ".join(wrong))
        failed = True
    sys.exit(1 if failed else 0)


def agrees(got, exp):
    """A tool agrees when it finds what is expected; for cond, when it finds it
    conditionally or not at all (the resource does not exist here)."""
    if exp == "cond":
        return got in ("cond", "no")
    return got == exp


if __name__ == "__main__":
    main()
