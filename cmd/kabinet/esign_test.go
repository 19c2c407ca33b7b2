package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kabinet/kabinet/internal/gostoracle"
)

// End to end: the demo centre, then sign a challenge with `kabinet esign sign` and verify it with
// `kabinet esign verify`, for GOST and ECDSA keys; refusals exit 1 with the reason; misuse exits 2.
func TestEsignSignVerify(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCmd(t, "", "esign", "demo", "--out", dir); code != exitOK {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	doc := filepath.Join(dir, "challenge.txt")
	os.WriteFile(doc, []byte("kabinet e-signature challenge\npurpose: login\nid: abc\n"), 0o600)
	roots := filepath.Join(dir, "roots")
	crl := filepath.Join(dir, "demo-ca.crl")
	for _, who := range []string{"citizen", "head", "citizen-ecdsa"} {
		code, sig, errOut := runCmd(t, "", "esign", "sign", "--key", filepath.Join(dir, who+".key"), "--cert", filepath.Join(dir, who+".pem"), "--in", doc)
		if code != exitOK {
			t.Fatalf("%s sign: %d %s", who, code, errOut)
		}
		sigFile := filepath.Join(dir, who+".sig")
		os.WriteFile(sigFile, []byte(sig), 0o600)
		code, out, errOut := runCmd(t, "", "esign", "verify", "--in", doc, "--sig", sigFile, "--roots", roots, "--crl", crl)
		if code != exitOK || !strings.Contains(out, "VALID") || !strings.Contains(out, "snils:") || !strings.Contains(out, "checked: not revoked") {
			t.Fatalf("%s verify: %d %s %s", who, code, out, errOut)
		}
		if who == "head" && (!strings.Contains(out, "ogrn:         1027700132195") || !strings.Contains(out, "inn_le:       7707083893")) {
			t.Fatalf("head attributes: %s", out)
		}
		// Tampered document.
		other := filepath.Join(dir, "other.txt")
		os.WriteFile(other, []byte("something else"), 0o600)
		if code, out, _ := runCmd(t, "", "esign", "verify", "--in", other, "--sig", sigFile, "--roots", roots); code != exitFailure || !strings.Contains(out, "reason: tampered") {
			t.Fatalf("%s tampered: %d %s", who, code, out)
		}
		// No trusted roots.
		if code, out, _ := runCmd(t, "", "esign", "verify", "--in", doc, "--sig", sigFile); code != exitFailure || !strings.Contains(out, "reason: untrusted") {
			t.Fatalf("%s untrusted: %d %s", who, code, out)
		}
	}
	// Revoked.
	_, sig, _ := runCmd(t, "", "esign", "sign", "--key", filepath.Join(dir, "revoked.key"), "--cert", filepath.Join(dir, "revoked.pem"), "--in", doc)
	os.WriteFile(filepath.Join(dir, "revoked.sig"), []byte(sig), 0o600)
	if code, out, _ := runCmd(t, "", "esign", "verify", "--in", doc, "--sig", filepath.Join(dir, "revoked.sig"), "--roots", roots, "--crl", crl); code != exitFailure || !strings.Contains(out, "reason: revoked") || !strings.Contains(out, "ru: Сертификат отозван") {
		t.Fatalf("revoked: %d %s", code, out)
	}
	// Stdin for sign.
	content, _ := os.ReadFile(doc)
	if code, out, _ := runCmd(t, string(content), "esign", "sign", "--key", filepath.Join(dir, "citizen.key"), "--cert", filepath.Join(dir, "citizen.pem")); code != exitOK || len(out) < 100 {
		t.Fatalf("sign from stdin: %d", code)
	}
	// Usage errors.
	for _, args := range [][]string{{"esign"}, {"esign", "nope"}, {"esign", "sign"}, {"esign", "verify", "--in", doc}, {"esign", "demo"}, {"esign", "verify", "--bogus"}} {
		if code, _, _ := runCmd(t, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// OpenSSL verifies what `kabinet esign sign` produced with the demo centre.
func TestEsignSignatureVerifiedByOpenSSL(t *testing.T) {
	o := gostoracle.Engine(t)
	dir := t.TempDir()
	runCmd(t, "", "esign", "demo", "--out", dir)
	doc := filepath.Join(dir, "doc.txt")
	os.WriteFile(doc, []byte("document"), 0o600)
	_, sig, _ := runCmd(t, "", "esign", "sign", "--key", filepath.Join(dir, "citizen.key"), "--cert", filepath.Join(dir, "citizen.pem"), "--in", doc)
	sigFile := filepath.Join(dir, "doc.p7s")
	os.WriteFile(sigFile, []byte("-----BEGIN CMS-----\n"+sig+"-----END CMS-----\n"), 0o600)
	if out, err := o.Run(nil, "cms", "-verify", "-binary", "-inform", "PEM", "-in", sigFile, "-content", doc, "-CAfile", filepath.Join(dir, "roots", "demo-ca.pem"), "-purpose", "any"); err != nil {
		t.Fatalf("openssl: %v %s", err, out)
	}
	if out, err := o.Run(nil, "crl", "-in", filepath.Join(dir, "demo-ca.crl"), "-CAfile", filepath.Join(dir, "roots", "demo-ca.pem"), "-noout"); err != nil {
		t.Fatalf("openssl refuses the demo CRL: %v %s", err, out)
	}
}
