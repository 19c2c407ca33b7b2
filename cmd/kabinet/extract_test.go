package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/gostoracle"
	"github.com/kabinet/kabinet/internal/register"
)

// signedExtract issues an extract the way `kabinet serve --demo` does (the demo office's key,
// made at start beside the database) and writes its PDF and detached signature to files; it
// returns their paths and the directory of the demo centre's root.
func signedExtract(t *testing.T) (pdf, sig, roots string) {
	t.Helper()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "kabinet.db")
	var out bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: io.Discard, getenv: func(string) string { return "" }}
	flags := newExtractFlags(flag.NewFlagSet("serve", flag.ContinueOnError), e)
	signer, err := flags.signer(e, dbPath, true)
	if err != nil || signer == nil {
		t.Fatalf("demo signer: %v", err)
	}
	roots = filepath.Join(dir, DemoExtractDir, extract.DemoRoots)
	if !strings.Contains(out.String(), "--roots "+roots) {
		t.Fatalf("serve does not say how to check an extract: %s", out.String())
	}
	ctx := context.Background()
	db, err := openDB(ctx, &dbFlags{dsn: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a, err := newApp(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{Login: "inspector", Role: "inspector"}
	res, err := a.Register.RegisterOrganization(ctx, actor, register.OrganizationInput{FullName: "Общество с ограниченной ответственностью «Вектор»",
		ShortName: "ООО «Вектор»", OGRN: "1027700132195", Ground: register.GroundCreation, TaxOffice: "7736",
		RegisteredOn: time.Date(2002, 7, 16, 0, 0, 0, 0, time.UTC), Address: register.Address{Region: "77", City: "Москва", Street: "Тверская", House: "1"}})
	if err != nil {
		t.Fatal(err)
	}
	x := extract.NewService(a.Register, signer, "https://kabinet.example")
	ex, err := x.Issue(ctx, actor, res.Taxpayer.TIN, register.Officer{Login: "inspector", Name: "Демо Инспектор", Position: demoPosition}, "ru", "")
	if err != nil {
		t.Fatal(err)
	}
	pdf, sig = filepath.Join(dir, "extract.pdf"), filepath.Join(dir, "extract.p7s")
	os.WriteFile(pdf, ex.Document.PDF, 0o600)
	os.WriteFile(sig, ex.Document.Signature, 0o600)
	return pdf, sig, roots
}

// REG-9: the signed extract verifies with `kabinet esign verify` against the root of the office
// certificate, which names the office; a changed PDF does not.
func TestExtractSignatureVerifies(t *testing.T) {
	pdf, sig, roots := signedExtract(t)
	code, out, errOut := runCmd(t, "", "esign", "verify", "--in", pdf, "--sig", sig, "--roots", roots)
	if code != exitOK || !strings.Contains(out, "VALID") || !strings.Contains(out, "organization: "+extract.DemoOffice.Organization) {
		t.Fatalf("verify: %d %s %s", code, out, errOut)
	}
	b, _ := os.ReadFile(pdf)
	changed := filepath.Join(filepath.Dir(pdf), "changed.pdf")
	os.WriteFile(changed, append(b, "%changed\n"...), 0o600)
	if code, out, _ := runCmd(t, "", "esign", "verify", "--in", changed, "--sig", sig, "--roots", roots); code != exitFailure || !strings.Contains(out, "reason: tampered") {
		t.Fatalf("a changed extract: %d %s", code, out)
	}
}

// REG-9: OpenSSL with the GOST engine, an independent implementation, verifies the extract's
// detached signature (DER) against the same root.
func TestExtractSignatureVerifiedByOpenSSL(t *testing.T) {
	o := gostoracle.Engine(t)
	pdf, sig, roots := signedExtract(t)
	if out, err := o.Run(nil, "cms", "-verify", "-engine", "gost", "-binary", "-inform", "DER", "-in", sig, "-content", pdf,
		"-CAfile", filepath.Join(roots, "demo-ca.pem"), "-purpose", "any", "-out", os.DevNull); err != nil {
		t.Fatalf("openssl: %v %s", err, out)
	}
}

// `kabinet staff add --position` gives a member the position that extracts print (REG-9).
func TestStaffAddPosition(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kabinet.db")
	code, out, errOut := runCmd(t, "long-enough-password\n", "staff", "add", "--db", db, "--login", "ivanova", "--role", "inspector",
		"--name", "Иванова Анна Сергеевна", "--position", "Главный государственный налоговый инспектор", "--password-stdin")
	if code != exitOK {
		t.Fatalf("add: %d %s %s", code, out, errOut)
	}
	if code, out, _ := runCmd(t, "", "staff", "list", "--db", db); code != exitOK || !strings.Contains(out, "Иванова Анна Сергеевна — Главный государственный налоговый инспектор") {
		t.Fatalf("list: %d %s", code, out)
	}
	if code, _, errOut := runCmd(t, "long-enough-password\n", "staff", "add", "--db", db, "--login", "petrov", "--role", "inspector",
		"--position", strings.Repeat("x", 201), "--password-stdin"); code != exitFailure || !strings.Contains(errOut, "position") {
		t.Fatalf("a too long position: %d %s", code, errOut)
	}
}
