#!/usr/bin/env python3
"""Turn iam-vulnerable's Terraform (the IAM part) into a deploy plan.

Usage: tf2plan.py IAM_VULNERABLE_CHECKOUT > iam-vulnerable-plan.json

Reads modules/free-resources/{privesc-paths,tool-testing}/*.tf of a checkout of
https://github.com/BishopFox/iam-vulnerable and writes every IAM resource they
declare (users, groups, memberships, roles with their trust policies, managed
policies, attachments, instance profiles, access keys) as JSON, references
resolved. ARNs carry the placeholder ACCOUNT_ID; var.aws_assume_role_arn (the
principal that ran Terraform) becomes the user terraform-admin, var.aws_root_user
the account root. deploy.py applies the plan to an IAM endpoint.

Only the Terraform these modules use is understood: blocks, attributes, lists,
objects, jsonencode(), references, comments. Anything else is an error.
"""
import json
import os
import re
import sys

TOKEN = re.compile(r'''
    (?P<ws>[ \t\r\n]+|\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)*)
  | (?P<punct>[{}\[\]()=,:])
''', re.S | re.X)


class Ref:
    def __init__(self, path):
        self.path = path

    def __repr__(self):
        return "Ref(%s)" % self.path


class Call:
    def __init__(self, name, args):
        self.name, self.args = name, args


def tokens(text, fname):
    pos = 0
    out = []
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise SystemExit("%s: cannot read at offset %d: %r" % (fname, pos, text[pos:pos + 40]))
        pos = m.end()
        if m.lastgroup == "ws":
            continue
        out.append((m.lastgroup, m.group()))
    return out


class Parser:
    def __init__(self, toks, fname):
        self.t, self.i, self.fname = toks, 0, fname

    def peek(self, k=0):
        return self.t[self.i + k] if self.i + k < len(self.t) else (None, None)

    def take(self, kind=None, val=None):
        tok = self.peek()
        if (kind and tok[0] != kind) or (val and tok[1] != val):
            raise SystemExit("%s: expected %s %s, got %r" % (self.fname, kind, val, tok))
        self.i += 1
        return tok

    def body(self, end):
        """Attributes (name = expr) and blocks (type "label"... { body })."""
        attrs, blocks = {}, []
        while self.peek()[1] != end and self.peek()[0] is not None:
            kind, name = self.take("ident")
            if self.peek()[1] == "=":
                self.take(val="=")
                attrs[name] = self.expr()
                continue
            labels = []
            while self.peek()[0] == "str":
                labels.append(json.loads(self.take()[1]))
            self.take(val="{")
            a, b = self.body("}")
            self.take(val="}")
            blocks.append((name, labels, a, b))
        return attrs, blocks

    def expr(self):
        kind, val = self.peek()
        if kind == "str":
            self.take()
            s = json.loads(val)
            if "${" in s:
                raise SystemExit("%s: string interpolation not supported: %s" % (self.fname, s))
            return s
        if kind == "num":
            self.take()
            return val
        if val == "[":
            self.take()
            items = []
            while self.peek()[1] != "]":
                items.append(self.expr())
                if self.peek()[1] == ",":
                    self.take()
            self.take(val="]")
            return items
        if val == "{":
            self.take()
            obj = {}
            while self.peek()[1] != "}":
                k = self.take()[1]
                k = json.loads(k) if k.startswith('"') else k
                self.take(val="=") if self.peek()[1] == "=" else self.take(val=":")
                obj[k] = self.expr()
                if self.peek()[1] == ",":
                    self.take()
            self.take(val="}")
            return obj
        if kind == "ident":
            self.take()
            if val in ("true", "false"):
                return val == "true"
            if self.peek()[1] == "(":
                self.take()
                args = []
                while self.peek()[1] != ")":
                    args.append(self.expr())
                    if self.peek()[1] == ",":
                        self.take()
                self.take(val=")")
                return Call(val, args)
            return Ref(val)
        raise SystemExit("%s: unexpected %r" % (self.fname, (kind, val)))


def main():
    root = sys.argv[1]
    resources, data = {}, {}
    files = []
    for mod in ("privesc-paths", "tool-testing"):
        d = os.path.join(root, "modules", "free-resources", mod)
        files += [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".tf")]
    for fname in files:
        text = open(fname).read()
        attrs, blocks = Parser(tokens(text, fname), fname).body(None)
        for typ, labels, a, b in blocks:
            if typ == "resource":
                resources[(labels[0], labels[1])] = (a, b, os.path.basename(fname))
            elif typ == "data":
                data[(labels[0], labels[1])] = (a, b)
            elif typ in ("variable", "terraform", "provider"):
                continue
            else:
                raise SystemExit("%s: unknown block %s" % (fname, typ))

    def name_of(typ, label):
        return value(resources[(typ, label)][0]["name"])

    def arn_of(typ, label):
        kind = {"aws_iam_user": "user", "aws_iam_role": "role", "aws_iam_policy": "policy", "aws_iam_group": "group"}[typ]
        a = resources[(typ, label)][0]
        path = value(a.get("path", "/"))
        return "arn:aws:iam::ACCOUNT_ID:%s%s%s" % (kind, path, name_of(typ, label))

    def policy_document(label):
        a, blocks = data[("aws_iam_policy_document", label)]
        stmts = []
        for typ, _, sa, sb in blocks:
            assert typ == "statement", typ
            st = {"Effect": value(sa.get("effect", "Allow"))}
            for key, out in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
                             ("not_resources", "NotResource")):
                if key in sa:
                    st[out] = value(sa[key])
            for ctyp, _, ca, _ in sb:
                assert ctyp == "condition", ctyp
                st.setdefault("Condition", {}).setdefault(value(ca["test"]), {})[value(ca["variable"])] = value(ca["values"])
            stmts.append(st)
        return {"Version": "2012-10-17", "Statement": stmts}

    def value(v):
        if isinstance(v, list):
            return [value(x) for x in v]
        if isinstance(v, dict):
            return {k: value(x) for k, x in v.items()}
        if isinstance(v, Call):
            if v.name == "jsonencode":
                return value(v.args[0])
            raise SystemExit("function %s not supported" % v.name)
        if isinstance(v, Ref):
            p = v.path.split(".")
            if p == ["var", "aws_assume_role_arn"]:
                return "arn:aws:iam::ACCOUNT_ID:user/terraform-admin"
            if p == ["var", "aws_root_user"]:
                return "arn:aws:iam::ACCOUNT_ID:root"
            if p[0] == "data" and p[1] == "aws_iam_policy_document" and p[3] == "json":
                return policy_document(p[2])
            if p[0] == "data" and p[1] == "aws_iam_policy" and p[3] == "arn":
                return value(data[("aws_iam_policy", p[2])][0]["arn"])
            if len(p) == 3 and p[2] == "name":
                return name_of(p[0], p[1])
            if len(p) == 3 and p[2] == "arn":
                return arn_of(p[0], p[1])
            raise SystemExit("reference %s not supported" % v.path)
        return v

    plan = {"users": [], "groups": [], "roles": [], "policies": [], "group_memberships": [],
            "user_policy_attachments": [], "group_policy_attachments": [], "role_policy_attachments": [],
            "instance_profiles": [], "access_keys": []}
    for (typ, label), (a, b, fname) in sorted(resources.items(), key=lambda kv: (kv[1][2], kv[0])):
        if b:
            raise SystemExit("%s %s: nested blocks not supported" % (typ, label))
        v = {k: value(x) for k, x in a.items()}
        if typ == "aws_iam_user":
            plan["users"].append({"name": v["name"], "path": v.get("path", "/"), "file": fname})
        elif typ == "aws_iam_group":
            plan["groups"].append({"name": v["name"], "path": v.get("path", "/")})
        elif typ == "aws_iam_group_membership":
            plan["group_memberships"] += [{"group": v["group"], "user": u} for u in v["users"]]
        elif typ == "aws_iam_role":
            plan["roles"].append({"name": v["name"], "trust": v["assume_role_policy"], "file": fname,
                                  "managed_policy_arns": v.get("managed_policy_arns", [])})
        elif typ == "aws_iam_policy":
            plan["policies"].append({"name": v["name"], "path": v.get("path", "/"),
                                     "description": v.get("description", ""), "document": v["policy"]})
        elif typ in ("aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment",
                     "aws_iam_role_policy_attachment"):
            who = typ.split("_")[2]
            plan[who + "_policy_attachments"].append({who: v[who], "policy_arn": v["policy_arn"]})
        elif typ == "aws_iam_instance_profile":
            plan["instance_profiles"].append({"name": v["name"], "role": v["role"]})
        elif typ == "aws_iam_access_key":
            plan["access_keys"].append({"user": v["user"]})
        else:
            raise SystemExit("resource type %s not supported" % typ)
    json.dump(plan, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
