package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/problem"
)

const esignUsage = `usage:
  kabinet esign sign --key KEY --cert CERT [--in FILE|-]
      prints a detached CMS signature (base64) of FILE (standard input when absent or -)
  kabinet esign verify --in FILE --sig FILE [--roots DIR] [--crl FILE]...
      verifies a detached CMS signature (DER, base64 or PEM) over FILE and prints the signer;
      --roots names the directory of trusted certification centres: without it nothing is trusted;
      with --crl, revocation is checked and a certificate whose issuer has no CRL is refused
  kabinet esign demo --out DIR
      creates a demo certification centre, a CRL and GOST certificates and keys to try
Exit status: 0 valid, 1 refused (the reason is printed), 2 usage error.
`

// runEsign implements `kabinet esign`.
func runEsign(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, esignUsage)
		return exitUsage
	}
	switch args[0] {
	case "sign":
		return esignSign(e, args[1:])
	case "verify":
		return esignVerify(ctx, e, args[1:])
	case "demo":
		return esignDemo(e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, esignUsage)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "kabinet esign: unknown command %q\n%s", args[0], esignUsage)
	return exitUsage
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func esignFlags(name string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("esign "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, esignUsage) }
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "kabinet %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return exitUsage, false
	}
	return 0, true
}

func readInput(e *env, name string) ([]byte, error) {
	if name == "" || name == "-" {
		return io.ReadAll(e.stdin)
	}
	return os.ReadFile(name)
}

func esignSign(e *env, args []string) int {
	fs := esignFlags("sign", e)
	keyFile := fs.String("key", "", "private key (PEM PKCS#8: GOST or ECDSA)")
	certFile := fs.String("cert", "", "the signer's certificate (PEM or DER)")
	in := fs.String("in", "-", "file to sign (- for standard input)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *keyFile == "" || *certFile == "" {
		fmt.Fprintln(e.stderr, "kabinet esign sign: --key and --cert are required")
		return exitUsage
	}
	kb, err := os.ReadFile(*keyFile)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet esign sign: %v\n", err)
		return exitFailure
	}
	key, err := esign.ParsePrivateKey(kb)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet esign sign: %s: %v\n", *keyFile, err)
		return exitFailure
	}
	cb, err := os.ReadFile(*certFile)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet esign sign: %v\n", err)
		return exitFailure
	}
	certs, err := esign.ParseCertificates(cb)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet esign sign: %s: %v\n", *certFile, err)
		return exitFailure
	}
	content, err := readInput(e, *in)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet esign sign: %v\n", err)
		return exitFailure
	}
	sig, err := esign.SignDetached(content, certs[0], key, time.Now())
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet esign sign: %v\n", err)
		return exitFailure
	}
	fmt.Fprint(e.stdout, esign.EncodeBase64(sig))
	return exitOK
}

func esignVerify(ctx context.Context, e *env, args []string) int {
	fs := esignFlags("verify", e)
	in := fs.String("in", "", "the signed file")
	sigFile := fs.String("sig", "", "the detached CMS signature (DER, base64 or PEM)")
	roots := fs.String("roots", "", "directory of trusted root certificates")
	var crls multiFlag
	fs.Var(&crls, "crl", "a CRL file (repeatable)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *in == "" || *sigFile == "" {
		fmt.Fprintln(e.stderr, "kabinet esign verify: --in and --sig are required")
		return exitUsage
	}
	content, err := readInput(e, *in)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet esign verify: %v\n", err)
		return exitFailure
	}
	sig, err := os.ReadFile(*sigFile)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet esign verify: %v\n", err)
		return exitFailure
	}
	v, err := esign.NewVerifier(esign.Config{RootsDir: *roots, CRLFiles: crls, RequireRevocation: len(crls) > 0})
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet esign verify: %v\n", err)
		return exitFailure
	}
	s, err := v.VerifyDetached(ctx, content, sig)
	if err != nil {
		fmt.Fprintln(e.stdout, "INVALID")
		if ee, ok := esign.AsError(err); ok {
			fmt.Fprintf(e.stdout, "reason: %s\n", ee.Code)
			m := problem.Signature(ee)
			fmt.Fprintf(e.stdout, "en: %s\n", m.In("en"))
			fmt.Fprintf(e.stdout, "ru: %s\n", m.In("ru"))
			fmt.Fprintf(e.stderr, "kabinet esign verify: %s\n", ee.Error())
		} else {
			fmt.Fprintf(e.stdout, "reason: %v\n", err)
			fmt.Fprintf(e.stderr, "kabinet esign verify: %v\n", err)
		}
		return exitFailure
	}
	fmt.Fprintln(e.stdout, "VALID")
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(e.stdout, "%-13s %s\n", k+":", v)
		}
	}
	line("name", s.FullName())
	line("organization", s.Organization)
	line("title", s.Title)
	line("snils", s.SNILS)
	line("inn", s.INN)
	line("inn_le", s.INNLE)
	line("ogrn", s.OGRN)
	line("ogrnip", s.OGRNIP)
	line("email", s.Email)
	line("valid_from", s.NotBefore.UTC().Format(time.RFC3339))
	line("valid_until", s.NotAfter.UTC().Format(time.RFC3339))
	line("serial", s.Serial)
	line("issuer", s.Issuer)
	if s.RevocationChecked {
		line("revocation", "checked: not revoked")
	} else {
		line("revocation", "not checked (no CRL given)")
	}
	return exitOK
}

func esignDemo(e *env, args []string) int {
	fs := esignFlags("demo", e)
	out := fs.String("out", "", "directory to create")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *out == "" {
		fmt.Fprintln(e.stderr, "kabinet esign demo: --out is required")
		return exitUsage
	}
	if err := esign.CreateDemo(*out, time.Now()); err != nil {
		fmt.Fprintf(e.stderr, "kabinet esign demo: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "demo certification centre and certificates written to %s (see %s/README.txt)\n", *out, *out)
	return exitOK
}
