package awsiam

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// scanAssumers is assumers without the candidate index: every subject of
// the account is checked against every trust statement of r.
func scanAssumers(t *transformer, r Role) []string {
	rid := roleID(t.acct, r.Name)
	root := "arn:aws:iam::" + t.acct + ":root"
	var out []string
	for _, s := range t.subjects {
		if s.id == rid {
			continue
		}
		for _, st := range trustStatements(r) {
			p := st.Principal
			c := s.cv(st)
			if !c.applies {
				continue
			}
			why := ""
			switch {
			case slices.Contains(p.AWS, s.arn):
				why = "names " + s.arn
			case p.Any:
				why = "Principal *"
			case slices.Contains(p.AWS, t.acct) || slices.Contains(p.AWS, root):
				ok, cond := s.allowed("sts:AssumeRole", r.ARN)
				if !ok {
					continue
				}
				why = fmt.Sprintf("account, cond=%v", cond)
			default:
				continue
			}
			out = append(out, s.id+" "+why)
			break
		}
	}
	return out
}

// TestAssumeIndexMatchesScan: the indexed assumers (candidates by ARN,
// Principal "*" and the literal prefix of sts:AssumeRole resources) are
// exactly those a scan of every (subject, role) pair finds, on the real
// samples and on a synthetic account with wildcards, policy variables,
// NotResource and Principal "*".
func TestAssumeIndexMatchesScan(t *testing.T) {
	files, err := filepath.Glob("testdata/*/*.json")
	require.NoError(t, err)
	more, err := filepath.Glob("testdata/*.json")
	require.NoError(t, err)
	docs := map[string][]byte{"synthetic": []byte(syntheticTrust)}
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		docs[f] = data
	}
	pairs := 0
	for name, data := range docs {
		d, _, err := ParseDetails(data)
		require.NoError(t, err, name)
		if len(d.Roles) == 0 || d.AccountID() == "" {
			continue
		}
		tr := newTransformer(d, nil, Options{})
		tr.acct = d.AccountID()
		require.NoError(t, tr.details(), name)
		for _, r := range d.Roles {
			var got []string
			for _, a := range tr.assumers(r) {
				got = append(got, a.s.id)
			}
			want := scanAssumers(tr, r)
			require.Len(t, got, len(want), "%s %s: %v", name, r.Name, want)
			for i := range want {
				require.Contains(t, want[i], got[i]+" ", "%s %s", name, r.Name)
			}
			pairs += len(want)
		}
	}
	require.Greater(t, pairs, 10, "the samples must have assumers to compare")
}

const syntheticTrust = `{"UserDetailList":[
 {"UserName":"all","Arn":"arn:aws:iam::111122223333:user/all","UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":{"Effect":"Allow","Action":"sts:*","Resource":"*"}}}]},
 {"UserName":"pre","Arn":"arn:aws:iam::111122223333:user/pre","UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/app-*"}}}]},
 {"UserName":"var","Arn":"arn:aws:iam::111122223333:user/var","UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/${aws:username}-r"}}}]},
 {"UserName":"not","Arn":"arn:aws:iam::111122223333:user/not","UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","NotResource":"arn:aws:iam::111122223333:role/app-1"}}}]},
 {"UserName":"q","Arn":"arn:aws:iam::111122223333:user/q","UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Statement":{"Effect":"Allow","Action":"sts:Assume?ole","Resource":"arn:aws:iam::111122223333:role/?ar-r"}}}]},
 {"UserName":"none","Arn":"arn:aws:iam::111122223333:user/none"}],
 "RoleDetailList":[
 {"RoleName":"app-1","Arn":"arn:aws:iam::111122223333:role/app-1","AssumeRolePolicyDocument":{"Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}}},
 {"RoleName":"app-2","Arn":"arn:aws:iam::111122223333:role/app-2","AssumeRolePolicyDocument":{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}}},
 {"RoleName":"var-r","Arn":"arn:aws:iam::111122223333:role/var-r","AssumeRolePolicyDocument":{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}}},
 {"RoleName":"named","Arn":"arn:aws:iam::111122223333:role/named","AssumeRolePolicyDocument":{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/none","arn:aws:iam::111122223333:role/app-1"]},"Action":"sts:AssumeRole"}}},
 {"RoleName":"open","Arn":"arn:aws:iam::111122223333:role/open","AssumeRolePolicyDocument":{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}}]}`
