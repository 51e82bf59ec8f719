package ingest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reachgraph/reachgraph/ingest"
	"github.com/reachgraph/reachgraph/schema"
)

func TestIsSecretName(t *testing.T) {
	for _, n := range []string{
		"password", "db_password", "DB-Password", "Passwd", "ssh.passphrase", "secret", "client secret",
		"secret_id", "github_token", "refresh-token", "Tokens", "api_key", "apiKey", "X-Api-Key",
		"private_key", "PrivateKey", "aws_access_key", "AccessKey", "secret_access_key", "value",
	} {
		require.True(t, ingest.IsSecretName(n), "%q names a secret", n)
	}
	for _, n := range []string{
		"rotation_days", "access_key_1_active", "access_key_1_last_rotated", "access_key_id", "AccessKeyId",
		"password_enabled", "password_last_changed", "password_last_used", "token_type", "token_ttl",
		"secret_name", "secret_path", "private_key_id", "api_key_expires_at", "environment", "owner", "team",
		"cost_center", "key", "passage",
	} {
		require.False(t, ingest.IsSecretName(n), "%q is metadata, not a secret", n)
	}
}

// TestNoSchemaFieldIsSecret: the patterns never reject a field of the
// bundle format (they are checked after the known fields anyway).
func TestNoSchemaFieldIsSecret(t *testing.T) {
	for _, f := range schema.HeaderFields {
		require.False(t, ingest.IsSecretName(f.Name), f.Name)
	}
	for _, s := range schema.Sections {
		for _, f := range s.Fields {
			require.False(t, ingest.IsSecretName(f.Name), "%s.%s", s.Name, f.Name)
			for _, sub := range f.Sub {
				require.False(t, ingest.IsSecretName(sub.Name), "%s.%s.%s", s.Name, f.Name, sub.Name)
			}
		}
	}
}

// Shapes of secrets; none of them is a real credential (the AWS pair is
// AWS's documented example).
const (
	pemKey     = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----"
	opensshKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"
	jwt        = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	awsKeyID   = "AKIAIOSFODNN7EXAMPLE"
	awsSecret  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func TestSecretShape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{in: pemKey, want: "a private key (PEM block)"},
		{in: "key: " + opensshKey, want: "a private key (PEM block)"},
		{in: jwt, want: "a JSON Web Token"},
		{in: "Bearer " + jwt + " (prod)", want: "a JSON Web Token"},
		{in: awsSecret, want: "an AWS secret access key"},
		{in: awsKeyID + ":" + strings.ReplaceAll(awsSecret, "/", "x"), want: "an AWS secret access key"},
		{in: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"},
		{in: "da39a3ee5e6b4b0d3255bfef95601890afd80709"}, // SHA-1, 40 hex digits
		{in: strings.ReplaceAll(awsSecret, "/", "x")},    // 40 alphanumerics, no key id
		{in: awsKeyID}, // a key id is not a secret
		{in: "user/Engineering2024/AliceSmithDeveloper"}, // 40 characters with / but words
		{in: "arn:aws:iam::123456789012:user/Engineering2024/AliceSmithDeveloper"},
		{in: "arn:aws:iam::123456789012:user/svc-batch"},
		{in: "eyJ is how a JWT starts"},
		{in: "batch job posting journal entries"},
		{in: "6f1d2c9e-3b7a-4c4e-9a55-2b8f0d1e7c33"},
	} {
		require.Equal(t, c.want, ingest.SecretShape(c.in), "SecretShape(%q)", c.in)
	}
}

// TestSecretValuesRejectedWithoutEcho: a secret-shaped value in any
// free-text field — a name, a purpose, a tag, a list item, an owner, the
// source label — and a tag named like a secret are problems naming where,
// never echoing the value; legitimate records load.
func TestSecretValuesRejectedWithoutEcho(t *testing.T) {
	const shape = "the value looks like %s; reachgraph never stores secret values: remove it from the input (the value is not shown)"
	pem, tok, aws := "a private key (PEM block)", "a JSON Web Token", "an AWS secret access key"
	for _, c := range []struct {
		name   string
		recs   []ingest.Record
		hdr    []ingest.Field
		secret string
		want   string
	}{
		{name: "purpose", secret: pemKey,
			recs: []ingest.Record{rec("identities", 1, fld("id", str("bot")), fld("type", str("bot")), fld("purpose", str(pemKey)))},
			want: "/identities/1/purpose: " + fmt.Sprintf(shape, pem)},
		{name: "name", secret: jwt,
			recs: []ingest.Record{rec("identities", 1, fld("id", str("bot")), fld("type", str("bot")), fld("name", str(jwt)))},
			want: "/identities/1/name: " + fmt.Sprintf(shape, tok)},
		{name: "tag value", secret: awsSecret,
			recs: []ingest.Record{rec("identities", 1, fld("id", str("bot")), fld("type", str("bot")), fld("tags", obj(fld("note", str(awsSecret)))))},
			want: "/identities/1/tags/note: " + fmt.Sprintf(shape, aws)},
		{name: "tags as text", secret: jwt,
			recs: []ingest.Record{rec("identities", 1, fld("id", str("bot")), fld("type", str("bot")), fld("tags", txt("env=prod;auth="+jwt)))},
			want: "/identities/1/tags: " + fmt.Sprintf(shape, tok)},
		{name: "tag named like a secret", secret: "hunter2",
			recs: []ingest.Record{rec("identities", 1, fld("id", str("bot")), fld("type", str("bot")), fld("tags", obj(fld("DB-Password", str("hunter2")))))},
			want: `/identities/1/tags/DB-Password: tag "DB-Password" names a secret; reachgraph never stores secret values: remove it from the input (the value is not shown)`},
		{name: "list item", secret: jwt,
			recs: []ingest.Record{rec("identities", 1, fld("id", str("bot")), fld("type", str("bot")), fld("compensating_controls", list(str("ok"), str(jwt))))},
			want: "/identities/1/compensating_controls/1: " + fmt.Sprintf(shape, tok)},
		{name: "owner", secret: pemKey,
			recs: []ingest.Record{rec("identities", 1, fld("id", str("bot")), fld("type", str("bot")), fld("owners", obj(fld("business", str(pemKey)))))},
			want: "/identities/1/owners/business: " + fmt.Sprintf(shape, pem)},
		{name: "source label", secret: jwt, hdr: header(jwt),
			want: "/source: " + fmt.Sprintf(shape, tok)},
		{name: "unknown field named like a secret", secret: "hunter2",
			recs: []ingest.Record{rec("credentials", 0, fld("id", str("c1")), fld("identity", str("alice")), fld("type", str("api_key")), fld("api-key", str("hunter2")))},
			want: `/credentials/0/api-key: field "api-key" carries a secret; reachgraph never stores secret values: remove it from the input (the value is not shown)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			hdr := c.hdr
			if hdr == nil {
				hdr = header("t")
			}
			_, _, err := run(t, ingest.Options{}, "b.json", doc{header: hdr, recs: append(base(), c.recs...)})
			require.Equal(t, []string{"f: " + c.want}, messages(t, err))
			require.NotContains(t, err.Error(), c.secret)
		})
	}
	// Legitimate: a token credential, rotation days, metadata tags, an empty
	// token tag, a public certificate in a purpose, a key id.
	_, _, err := run(t, ingest.Options{}, "b.json", doc{header: header("t"), recs: append(base(),
		rec("identities", 1, fld("id", str("bot")), fld("type", str("bot")),
			fld("purpose", str("-----BEGIN CERTIFICATE----- pinned")),
			fld("tags", obj(fld("token_type", str("bearer")), fld("access_key_1_active", str("true")),
				fld("password_last_changed", str("2026-01-01")), fld("access_key_id", str(awsKeyID)), fld("token", str(""))))),
		rec("credentials", 0, fld("id", str("c1")), fld("identity", str("bot")), fld("type", str("token")), fld("rotation_days", num("90"))),
	)})
	require.NoError(t, err)
}

// FuzzSecretShape: the detectors never panic, and a secret stays detected
// when other text surrounds it (a value is free text).
func FuzzSecretShape(f *testing.F) {
	for _, s := range []string{pemKey, jwt, awsSecret, awsKeyID + " " + awsSecret, "user/Engineering2024/AliceSmithDeveloper", "eyJ.eyJ.", "-----BEGIN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = ingest.IsSecretName(s)
		shape := ingest.SecretShape(s)
		if shape == "" {
			return
		}
		if got := ingest.SecretShape("note: " + s + " (prod)"); got == "" {
			t.Fatalf("%q is %s, but not once surrounded by text", s, shape)
		}
	})
}
