package main

import (
	"context"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kabinet/kabinet/esign"
	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/cabinet"
	"github.com/kabinet/kabinet/internal/demo"
	"github.com/kabinet/kabinet/internal/extract"
	"github.com/kabinet/kabinet/internal/identity"
	"github.com/kabinet/kabinet/internal/problem"
	"github.com/kabinet/kabinet/internal/staff"
	"github.com/kabinet/kabinet/internal/store"
	"github.com/kabinet/kabinet/internal/web"
)

// termsFlags are the versions of the documents the mobile application's login accepts (KG-2):
// a new version published is asked of every account again at its next login.
func termsFlags(fs *flag.FlagSet, e *env) (offer, privacy *string) {
	def := func(env, v string) string {
		if e.getenv != nil && e.getenv(env) != "" {
			return e.getenv(env)
		}
		return v
	}
	offer = fs.String("offer-version", def("KABINET_OFFER_VERSION", cabinet.DefaultTerms.Offer),
		"the version of the offer agreement a mobile login accepts, kg profile (env KABINET_OFFER_VERSION)")
	privacy = fs.String("privacy-version", def("KABINET_PRIVACY_VERSION", cabinet.DefaultTerms.Privacy),
		"the version of the privacy policy a mobile login accepts, kg profile (env KABINET_PRIVACY_VERSION)")
	return offer, privacy
}

// Demo credentials printed at start with --demo.
const (
	demoLogin    = "inspector"
	demoPassword = "demo-inspector-2026"
)

// runServe runs the web server until the context ends (SIGINT/SIGTERM), then shuts down
// gracefully.
func runServe(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	dbf := dbFlag(fs, e)
	withDemo := fs.Bool("demo", false, "seed a demo inspector and a few hundred demo taxpayers (of the database's jurisdiction)")
	workers := fs.Int("workers", 2, "job handlers run by this process at once (0: none; run `kabinet worker` instead)")
	smtpURL, smsURL := senderFlags(fs, e)
	registries := idpFlags(fs, e)
	extractFlags := newExtractFlags(fs, e)
	oidcOpts := newOIDCFlags(fs, e)
	lkOIDC := newLKOIDCFlags(fs, e)
	offer, privacy := termsFlags(fs, e)
	trusted := fs.String("trusted-proxies", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto to believe (env KABINET_TRUSTED_PROXIES)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *trusted == "" && e.getenv != nil {
		*trusted = e.getenv("KABINET_TRUSTED_PROXIES")
	}
	proxies, err := web.ParseProxies(*trusted)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: --trusted-proxies: %v\n", err)
		return exitUsage
	}
	snd, err := app.NewSenders(*smtpURL, *smsURL)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: %v\n", err)
		return exitUsage
	}
	ident, err := registries.identity()
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: %v\n", err)
		return exitUsage
	}
	lkIdP, err := lkOIDC.config()
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: %v\n", err)
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	db, err := openDB(ctx, dbf)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: %v\n", err)
		return exitFailure
	}
	defer db.Close()
	signer, err := extractFlags.signer(e, dbf.dsn, *withDemo)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: %v\n", err)
		return exitUsage
	}
	if *withDemo && ident.ESignRoots == "" {
		// The demo's certification centre confirms accounts too (IDP-4c): its citizen's
		// certificate signs a challenge a newcomer can try.
		dir := demoESignDir(dbf.dsn)
		if err := ensureDemoCentre(dir); err != nil {
			fmt.Fprintf(e.stderr, "kabinet serve: demo certification centre: %v\n", err)
			return exitFailure
		}
		ident.ESignRoots, ident.ESignCRLs = filepath.Join(dir, extract.DemoRoots), []string{filepath.Join(dir, "demo-ca.crl")}
	}
	oidcConf, err := oidcOpts.config(e, dbf.dsn, *extractFlags.publicURL, true)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: %v\n", err)
		return exitUsage
	}
	a, err := app.New(ctx, app.Config{DB: db, Log: log, Proxies: proxies, Senders: snd, Demo: *withDemo, Identity: ident,
		ExtractSigner: signer, PublicURL: *extractFlags.publicURL, OIDC: oidcConf, LKOIDC: lkIdP, Terms: cabinet.Terms{Offer: *offer, Privacy: *privacy}})
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: %v\n", err)
		return exitFailure
	}
	var demoAfter func(base string) // what the demo prints once the server listens
	if *withDemo {
		if demoAfter, err = demos[a.Profile.Code](ctx, e, a, demoESignDir(dbf.dsn)); err != nil {
			fmt.Fprintf(e.stderr, "kabinet serve: demo data: %v\n", err)
			return exitFailure
		}
	}
	handler := a.Handler
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: %v\n", err)
		return exitFailure
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	fmt.Fprintf(e.stdout, "kabinet listening on http://%s/ (database: %s, jurisdiction: %s)\n", ln.Addr(), db.Dialect, a.Profile.Code)
	if *withDemo {
		if demoAfter != nil {
			demoAfter("http://" + ln.Addr().String())
		}
		fmt.Fprintf(e.stdout, "messages the demo would send (codes included): http://%s/demo/outbox\n", ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	var workDone sync.WaitGroup
	if *workers > 0 {
		workDone.Go(func() {
			if err := a.RunWorkers(workCtx, *workers); err != nil && workCtx.Err() == nil {
				log.Error("job worker stopped", "err", err)
			}
		})
	}
	select {
	case err := <-errc:
		fmt.Fprintf(e.stderr, "kabinet serve: %v\n", err)
		return exitFailure
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	stopWork()
	workDone.Wait()
	if err != nil {
		fmt.Fprintf(e.stderr, "kabinet serve: shutdown: %v\n", err)
		return exitFailure
	}
	fmt.Fprintln(e.stdout, "kabinet stopped")
	return exitOK
}

// demoPosition is the demo inspector's position, which the extracts they issue give (REG-9).
const demoPosition = "Главный государственный налоговый инспектор"

func seedDemo(ctx context.Context, e *env, a *app.App, esignDir string) error {
	_, err := a.Staff.AddMember(ctx, cliActor, staff.Member{Login: demoLogin, Role: staff.RoleInspector, Name: "Демо Инспектор", Position: demoPosition}, demoPassword)
	if problem.Is(err, problem.Invalid) {
		// The demo inspector is there from an earlier start, perhaps from before positions.
		if m, merr := a.Staff.Member(ctx, demoLogin); merr == nil && m.Position == "" {
			err = a.Staff.SetPosition(ctx, cliActor, demoLogin, demoPosition)
		} else {
			err = nil
		}
	}
	if err != nil {
		return err
	}
	if err := demo.Seed(ctx, a.Register, 300); err != nil {
		return err
	}
	if _, err := a.Staff.AddMember(ctx, cliActor, staff.Member{Login: demoOperator, Role: staff.RoleOperator, Name: "Демо Оператор",
		Position: "Оператор центра обслуживания"}, demoOperatorPassword); err != nil && !problem.Is(err, problem.Invalid) {
		return err
	}
	// A citizen of the identity provider at the standard level, whose certificate the demo
	// centre issued (esign.DemoCitizen): she can be confirmed by an operator or an e-signature.
	c := esign.DemoCitizen
	if _, err := a.Identity.AddAccount(ctx, identity.NewAccount{Surname: c.Surname, GivenName: "Мария", Patronymic: "Александровна",
		Phone: demoCitizenPhone, Email: c.Email, SNILS: c.SNILS, INN: c.INN, Level: identity.Standard, Password: demoCitizenPassword,
		Question: "Любимая книга в детстве?", Answer: "Дубровский"}); err != nil && !problem.Is(err, problem.Invalid) {
		return err
	}
	if err := seedCabinetDemo(ctx, e, a, esignDir); err != nil { // the personal account: lkdemo.go
		return err
	}
	fmt.Fprintf(e.stdout, "demo inspector: login %q, password %q; demo operator (confirms accounts): %q, %q\n", demoLogin, demoPassword,
		demoOperator, demoOperatorPassword)
	fmt.Fprintf(e.stdout, "demo citizen at /id/login: %s or %s, password %q; to confirm her account with an e-signature, sign the challenge of /id/confirm/esign with\n  kabinet esign sign --key %s --cert %s --in challenge.txt > signature.p7s\n",
		demoCitizenPhone, c.Email, demoCitizenPassword, filepath.Join(esignDir, "citizen.key"), filepath.Join(esignDir, "citizen.pem"))
	return nil
}

// The demo's operator and citizen.
const (
	demoOperator         = "operator"
	demoOperatorPassword = "demo-operator-2026"
	demoCitizenPhone     = "+79000000001"
	demoCitizenPassword  = "demo-citizen-2026"
)

// extractFlags configure how extracts are signed and where their QR codes point (REG-9).
type extractFlags struct {
	key, cert, publicURL *string
}

// DemoExtractDir is where `kabinet serve --demo` keeps the demo certification centre and the
// office certificate that sign extracts when no key is given: beside the SQLite database (in the
// working directory for PostgreSQL), so that extracts signed before a restart still verify.
const DemoExtractDir = "kabinet-demo-esign"

func newExtractFlags(fs *flag.FlagSet, e *env) extractFlags {
	env := func(name string) string {
		if e.getenv == nil {
			return ""
		}
		return e.getenv(name)
	}
	return extractFlags{
		key:       fs.String("extract-key", env("KABINET_EXTRACT_KEY"), "the office's GOST R 34.10-2012 private key (PKCS #8) that signs extracts (env KABINET_EXTRACT_KEY)"),
		cert:      fs.String("extract-cert", env("KABINET_EXTRACT_CERT"), "the certificate of --extract-key (env KABINET_EXTRACT_CERT)"),
		publicURL: fs.String("public-url", env("KABINET_PUBLIC_URL"), "public base address, https://host: the OpenID Connect issuer, exactly, and the base of the extracts' QR codes (env KABINET_PUBLIC_URL; default: the request's)"),
	}
}

// demoESignDir is the demo certification centre's directory for the database dsn.
func demoESignDir(dsn string) string {
	if store.IsPostgresURL(dsn) {
		return DemoExtractDir
	}
	return filepath.Join(filepath.Dir(dsn), DemoExtractDir)
}

// ensureDemoCentre makes the demo certification centre in dir unless it is there, and issues its
// revocation list anew (a list lives 30 days, and a stale one refuses every signature).
func ensureDemoCentre(dir string) error {
	now := time.Now()
	caFile, keyFile := filepath.Join(dir, extract.DemoRoots, "demo-ca.pem"), filepath.Join(dir, "demo-ca.key")
	if _, err := os.Stat(keyFile); err != nil {
		return esign.CreateDemo(dir, now)
	}
	cb, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	cas, err := esign.ParseCertificates(cb)
	if err != nil || len(cas) == 0 {
		return fmt.Errorf("%s: %v", caFile, err)
	}
	kb, err := os.ReadFile(keyFile)
	if err != nil {
		return err
	}
	key, err := esign.ParsePrivateKey(kb)
	if err != nil {
		return err
	}
	crl, err := esign.IssueCRL(cas[0], key, []esign.Revoked{{Serial: big.NewInt(esign.DemoRevokedSerial), At: now.Add(-time.Minute)}}, now.Add(-time.Hour), now.AddDate(0, 0, 30))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "demo-ca.crl"), pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crl}), 0o600)
}

// signer returns the signer of extracts: the given key and certificate; with the demo and
// neither, the demo office's; otherwise none, and extracts are issued unsigned (they say so,
// and are checked by their QR code alone).
func (f extractFlags) signer(e *env, dsn string, demo bool) (*extract.Signer, error) {
	if *f.publicURL != "" {
		u, err := url.Parse(*f.publicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("--public-url: want https://host[:port], got %q", *f.publicURL)
		}
	}
	switch {
	case *f.key != "" || *f.cert != "":
		if *f.key == "" || *f.cert == "" {
			return nil, errors.New("--extract-key and --extract-cert go together")
		}
		s, err := extract.LoadSigner(*f.key, *f.cert, time.Now())
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(e.stdout, "extracts are signed by %s\n", s.Holder())
		return s, nil
	case demo:
		dir := demoESignDir(dsn)
		s, err := extract.DemoSigner(dir, time.Now())
		if err != nil {
			return nil, fmt.Errorf("demo extract signer: %w", err)
		}
		fmt.Fprintf(e.stdout, "extracts are signed by a demo certification centre; check one with:\n  kabinet esign verify --in extract.pdf --sig extract.p7s --roots %s\n",
			filepath.Join(dir, extract.DemoRoots))
		return s, nil
	}
	fmt.Fprintln(e.stderr, "kabinet serve: extracts are issued unsigned (give --extract-key and --extract-cert to sign them)")
	return nil, nil
}
