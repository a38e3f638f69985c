package entra

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // #nosec G505 -- x5t is defined as the SHA-1 thumbprint of the certificate (RFC 7517).
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"sync"
	"time"
)

// signingKey is the RSA key that signs tokens, with the self-signed certificate the JWKS publishes.
type signingKey struct {
	private *rsa.PrivateKey
	kid     string // also the x5t: base64url of the certificate's SHA-1 thumbprint, as Entra's keys have it
	certDER []byte
}

// processSigningKey is made once per process: generating RSA keys is slow, and a fresh key per
// server would make every test pay for it. Clients do not check signatures; the JWKS is still right.
var processSigningKey = sync.OnceValue(func() *signingKey {
	k, err := newSigningKey()
	if err != nil {
		panic(fmt.Sprintf("entra: signing key: %v", err))
	}
	return k
})

func newSigningKey() (*signingKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Rescue Companion sandbox token signing"},
		NotBefore:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2049, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, err
	}
	thumb := sha1.Sum(der) // #nosec G401 -- see the import.
	return &signingKey{private: priv, kid: b64(thumb[:]), certDER: der}, nil
}

// sign makes an RS256 JWT of claims.
func (k *signingKey) sign(claims any) (string, error) {
	header, err := json.Marshal(map[string]string{"typ": "JWT", "alg": "RS256", "kid": k.kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signingInput := b64(header) + "." + b64(payload)
	digest := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.private, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return signingInput + "." + b64(sig), nil
}

// b64 is base64url without padding, the encoding of JWT parts, client_info and PKCE.
func b64(b []byte) string {
	return base64.RawURLEncoding.EncodeToString(b)
}

// randomToken is n random bytes, base64url: codes, device codes and refresh tokens.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return b64(b)
}

// newGUID is a random (version 4) GUID in Entra's lower-case form.
func newGUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// pairwiseSubject is the sub claim: Entra's sub is unique per user and application.
func pairwiseSubject(oid, clientID string) string {
	sum := sha256.Sum256([]byte(oid + "|" + clientID))
	return b64(sum[:])
}
