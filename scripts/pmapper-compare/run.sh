#!/usr/bin/env bash
# Side-by-side of PMapper 1.1.5, cloudsplaining 0.9.1 and reachgraph on BishopFox's
# iam-vulnerable account, deployed into a local moto server (no AWS account needed).
#
#   scripts/pmapper-compare/run.sh [--tf IAM_VULNERABLE_CHECKOUT] [--update-testdata]
#
# 1. a virtualenv ($PMAPPER_VENV, default /tmp/venv-pmapper) with pinned PMapper,
#    cloudsplaining, moto and boto3;
# 2. a moto server on 127.0.0.1:$MOTO_PORT (default 5055), stopped on exit;
# 3. deploy.py: the IAM resources of iam-vulnerable's free modules (iam-vulnerable-plan.json, made by
#    tf2plan.py from the Terraform; --tf makes it anew from a checkout) and our fp6-fp10;
# 4. PMapper: graph create against moto, then query 'preset privesc *';
#    export.py: authorization details + credential report; cloudsplaining scan of them;
#    reachgraph: ingest + whocan --action admin on the account;
# 5. compare.py: the table (Markdown) and per-tool counts; exits 1 when reachgraph's
#    answer differs from ingest/awsiam/testdata/iam-vulnerable-moto/expected.tsv.
# --update-testdata copies the export into that directory (TestIAMVulnerableMoto reads it).
# Work files go to $OUT (default /tmp/pmapper-compare).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
testdata="$repo/ingest/awsiam/testdata/iam-vulnerable-moto"
venv="${PMAPPER_VENV:-/tmp/venv-pmapper}"
port="${MOTO_PORT:-5055}"
out="${OUT:-/tmp/pmapper-compare}"
tf="" update=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tf) tf="$2"; shift 2 ;;
    --update-testdata) update=1; shift ;;
    *) echo "usage: $0 [--tf IAM_VULNERABLE_CHECKOUT] [--update-testdata]" >&2; exit 2 ;;
  esac
done

if [ ! -x "$venv/bin/pmapper" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q principalmapper==1.1.5 cloudsplaining==0.9.1 'moto[server]==5.2.5' boto3==1.44.8 botocore==1.44.8
fi
py="$venv/bin/python"
rm -rf "$out" && mkdir -p "$out/export" "$out/pmapper" "$out/cloudsplaining"
if [ -n "$tf" ]; then
  python3 "$here/tf2plan.py" "$tf" > "$here/iam-vulnerable-plan.json"
fi

MOTO_IAM_LOAD_MANAGED_POLICIES=true "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" > "$out/moto.log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
for _ in $(seq 50); do curl -sf "$AWS_ENDPOINT_URL/moto-api/" > /dev/null && break; sleep 0.2; done

"$py" "$here/deploy.py" "$here/iam-vulnerable-plan.json"
"$py" "$here/export.py" "$out/export"
account="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["UserDetailList"][0]["Arn"].split(":")[4])' "$out/export/authorization-details.json")"

export PMAPPER_STORAGE="$out/pmapper"
pmapper=("$py" "$here/pmapper_moto.py")
(unset AWS_ENDPOINT_URL; "${pmapper[@]}" graph create --localstack-endpoint "http://127.0.0.1:$port" --include-regions us-east-1) > "$out/pmapper-create.log" 2>&1
"${pmapper[@]}" --account "$account" query 'preset privesc *' > "$out/pmapper-privesc.txt"
"${pmapper[@]}" --account "$account" analysis --output-type json > "$out/pmapper-analysis.json"

"$venv/bin/cloudsplaining" scan --input-file "$out/export/authorization-details.json" --output "$out/cloudsplaining" --skip-open-report > "$out/cloudsplaining.log" 2>&1

(cd "$repo" && go build -o "$out/reachgraph" ./cmd/reachgraph)
rg="$out/reachgraph"
"$rg" ingest --store "file:$out/rg.db" --format aws-iam --collected-at 2026-11-20T06:00:00Z "$out/export"
"$rg" whocan --store "file:$out/rg.db" --action admin --resource "aws:$account" -o json > "$out/reachgraph-whocan.json"

if [ "$update" = 1 ]; then
  cp "$out/export/authorization-details.json" "$out/export/credential-report.csv" "$testdata/"
fi
python3 "$here/compare.py" "$testdata/expected.tsv" "$out/export/authorization-details.json" \
  "$out/pmapper-privesc.txt" "$out/reachgraph-whocan.json" "$out/cloudsplaining/iam-results-authorization-details.json"
