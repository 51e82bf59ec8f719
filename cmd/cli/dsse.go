package cli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// DSSE (Dead Simple Signing Envelope, v1) and in-toto Statement v1 types
// for signed evidence packs.
const (
	inTotoPayloadType = "application/vnd.in-toto+json"
	inTotoStatement   = "https://in-toto.io/Statement/v1"
	evidencePredicate = "https://github.com/reachgraph/reachgraph/evidence-pack/v1"
)

// dsseEnvelope is a DSSE envelope (JSON form).
type dsseEnvelope struct {
	PayloadType string          `json:"payloadType"`
	Payload     string          `json:"payload"`
	Signatures  []dsseSignature `json:"signatures"`
}

type dsseSignature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"`
}

// statement is an in-toto Statement v1.
type statement struct {
	Type          string          `json:"_type"`
	Subject       []subject       `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

type subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// pae is DSSE's pre-authentication encoding:
// "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in ASCII decimal.
func pae(payloadType string, body []byte) []byte {
	var b bytes.Buffer
	b.WriteString("DSSEv1 ")
	b.WriteString(strconv.Itoa(len(payloadType)))
	b.WriteByte(' ')
	b.WriteString(payloadType)
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(len(body)))
	b.WriteByte(' ')
	b.Write(body)
	return b.Bytes()
}

// keyID is the hex SHA-256 of the raw public key.
func keyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:])
}

// signEnvelope signs body with key as an in-toto DSSE envelope.
func signEnvelope(key ed25519.PrivateKey, body []byte) ([]byte, error) {
	sig := ed25519.Sign(key, pae(inTotoPayloadType, body))
	env := dsseEnvelope{PayloadType: inTotoPayloadType, Payload: base64.StdEncoding.EncodeToString(body),
		Signatures: []dsseSignature{{KeyID: keyID(key.Public().(ed25519.PublicKey)), Sig: base64.StdEncoding.EncodeToString(sig)}}}
	return json.MarshalIndent(env, "", "  ")
}

// openEnvelope checks the envelope's signature with pub and returns its payload.
func openEnvelope(pub ed25519.PublicKey, raw []byte) ([]byte, error) {
	var env dsseEnvelope
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	if dec.More() {
		return nil, errors.New("envelope: trailing data")
	}
	if env.PayloadType != inTotoPayloadType {
		return nil, fmt.Errorf("envelope: payloadType %q, want %q", env.PayloadType, inTotoPayloadType)
	}
	body, err := base64.StdEncoding.Strict().DecodeString(env.Payload)
	if err != nil {
		return nil, fmt.Errorf("envelope: payload: %w", err)
	}
	if len(env.Signatures) != 1 {
		return nil, fmt.Errorf("envelope: %d signatures, want 1", len(env.Signatures))
	}
	s := env.Signatures[0]
	if s.KeyID != keyID(pub) {
		return nil, fmt.Errorf("envelope: signed by key %s, not by the given public key %s", s.KeyID, keyID(pub))
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(s.Sig)
	if err != nil {
		return nil, fmt.Errorf("envelope: signature: %w", err)
	}
	if !ed25519.Verify(pub, pae(env.PayloadType, body), sig) {
		return nil, errors.New("envelope: signature does not verify")
	}
	return body, nil
}
