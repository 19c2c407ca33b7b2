package esign

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Config configures a Verifier.
type Config struct {
	Roots    []*x509.Certificate // trusted roots (accredited certification centres)
	RootsDir string              // a directory of trusted root and intermediate certificates (PEM or DER)
	CRLFiles []string            // CRLs loaded once from files
	CRLURLs  []string            // CRLs fetched over HTTP(S) and cached until their nextUpdate
	// RequireRevocation refuses a certificate whose issuer has no CRL among the sources; without
	// it the signer is returned with RevocationChecked false.
	RequireRevocation bool
	HTTPClient        *http.Client
	Now               func() time.Time
	// ClockSkew is the tolerance for a signing time in the future (default 5 minutes).
	ClockSkew time.Duration
}

// Verifier verifies CMS signatures and certificates against trusted roots and CRLs. It is safe
// for concurrent use.
type Verifier struct {
	roots   []*x509.Certificate
	extra   []*x509.Certificate // intermediates from RootsDir that are not self-signed
	cfg     Config
	mu      sync.Mutex
	crls    []*crlEntry
	fetched map[string]*crlEntry
}

type crlEntry struct {
	list    *x509.RevocationList
	issuer  *x509.Certificate
	revoked map[string]time.Time
	source  string
}

// NewVerifier loads the roots and the CRL files.
func NewVerifier(cfg Config) (*Verifier, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = 5 * time.Minute
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	v := &Verifier{cfg: cfg, fetched: map[string]*crlEntry{}}
	v.roots = append(v.roots, cfg.Roots...)
	if cfg.RootsDir != "" {
		entries, err := os.ReadDir(cfg.RootsDir)
		if err != nil {
			return nil, fmt.Errorf("esign: roots: %w", err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(cfg.RootsDir, e.Name()))
			if err != nil {
				return nil, err
			}
			certs, err := ParseCertificates(b)
			if err != nil {
				continue // not a certificate file (a README, a key): ignore
			}
			for _, c := range certs {
				if bytes.Equal(c.RawIssuer, c.RawSubject) {
					v.roots = append(v.roots, c)
				} else {
					v.extra = append(v.extra, c)
				}
			}
		}
	}
	for _, f := range cfg.CRLFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("esign: CRL: %w", err)
		}
		entry, err := v.loadCRL(b, f)
		if err != nil {
			return nil, err
		}
		v.crls = append(v.crls, entry)
	}
	return v, nil
}

// ParseCertificates reads one or more certificates, PEM or DER.
func ParseCertificates(b []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	if bytes.Contains(b, []byte("-----BEGIN")) {
		for {
			var blk *pem.Block
			blk, b = pem.Decode(b)
			if blk == nil {
				break
			}
			if blk.Type != "CERTIFICATE" {
				continue
			}
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, wrap(CodeMalformed, err, "certificate")
			}
			out = append(out, c)
		}
	} else {
		cs, err := x509.ParseCertificates(b)
		if err != nil {
			return nil, wrap(CodeMalformed, err, "certificate")
		}
		out = cs
	}
	if len(out) == 0 {
		return nil, fail(CodeMalformed, "no certificate found")
	}
	return out, nil
}

func pemOrDER(b []byte, typ string) []byte {
	if blk, _ := pem.Decode(b); blk != nil && (typ == "" || blk.Type == typ) {
		return blk.Bytes
	}
	return b
}

// loadCRL parses a CRL and verifies its signature against a known issuer.
func (v *Verifier) loadCRL(b []byte, source string) (*crlEntry, error) {
	der := pemOrDER(b, "X509 CRL")
	list, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, wrap(CodeMalformed, err, "CRL %s", source)
	}
	alg, err := outerSignature(der)
	if err != nil {
		return nil, err
	}
	var issuer *x509.Certificate
	for _, c := range append(append([]*x509.Certificate{}, v.roots...), v.extra...) {
		if bytes.Equal(c.RawSubject, list.RawIssuer) && verifySigned(alg, c.RawSubjectPublicKeyInfo, list.RawTBSRevocationList, list.Signature) == nil {
			issuer = c
			break
		}
	}
	entry := &crlEntry{list: list, issuer: issuer, revoked: map[string]time.Time{}, source: source}
	for _, r := range list.RevokedCertificateEntries {
		entry.revoked[serialKey(list.RawIssuer, r.SerialNumber)] = r.RevocationTime
	}
	// issuer stays nil when the CRL's issuer is an intermediate known only from a signature's
	// certificate set; crlsFor checks the CRL's signature against the issuer whenever it is used.
	return entry, nil
}

// VerifyCertificate builds and checks the chain of leaf to a trusted root at the current time,
// with intermediates from pool, and returns the holder's identity.
func (v *Verifier) VerifyCertificate(ctx context.Context, leaf *x509.Certificate, pool []*x509.Certificate) (*Signer, error) {
	now := v.cfg.Now()
	chain, err := v.buildChain(leaf, pool)
	if err != nil {
		return nil, err
	}
	for i, c := range chain {
		if now.Before(c.NotBefore) {
			return nil, fail(CodeNotYetValid, "%q valid from %s", c.Subject.CommonName, c.NotBefore.UTC().Format(time.RFC3339))
		}
		if now.After(c.NotAfter) {
			return nil, fail(CodeExpired, "%q expired on %s", c.Subject.CommonName, c.NotAfter.UTC().Format(time.RFC3339))
		}
		if i > 0 {
			if !c.BasicConstraintsValid || !c.IsCA {
				return nil, fail(CodeUntrusted, "%q is not a certification centre", c.Subject.CommonName)
			}
			if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageCertSign == 0 {
				return nil, fail(CodeKeyUsage, "%q may not sign certificates", c.Subject.CommonName)
			}
		}
	}
	if leaf.KeyUsage != 0 && leaf.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return nil, fail(CodeKeyUsage, "key usage lacks digitalSignature and nonRepudiation")
	}
	checked := true
	for i := 0; i+1 < len(chain); i++ {
		ok, err := v.checkRevocation(ctx, chain[i], chain[i+1], now)
		if err != nil {
			return nil, err
		}
		if !ok {
			checked = false
		}
	}
	if !checked && v.cfg.RequireRevocation {
		return nil, fail(CodeCRLUnavailable, "no CRL for %q", leaf.Issuer.CommonName)
	}
	s, err := signerFromCertificate(leaf)
	if err != nil {
		return nil, err
	}
	s.RevocationChecked = checked
	return s, nil
}

const maxChain = 8

// buildChain returns leaf, its issuers, ending in a trusted root; every signature checked.
func (v *Verifier) buildChain(leaf *x509.Certificate, pool []*x509.Certificate) ([]*x509.Certificate, error) {
	candidates := append(append([]*x509.Certificate{}, pool...), v.extra...)
	chain := []*x509.Certificate{leaf}
	cur := leaf
	for depth := 0; depth < maxChain; depth++ {
		for _, r := range v.roots {
			if bytes.Equal(r.Raw, cur.Raw) {
				return chain, nil // the certificate itself is trusted
			}
		}
		for _, r := range v.roots {
			if bytes.Equal(r.RawSubject, cur.RawIssuer) && checkSignatureFrom(cur, r) == nil {
				if !bytes.Equal(r.Raw, cur.Raw) {
					chain = append(chain, r)
				}
				return chain, nil
			}
		}
		var next *x509.Certificate
		for _, c := range candidates {
			if bytes.Equal(c.RawSubject, cur.RawIssuer) && !bytes.Equal(c.Raw, cur.Raw) && checkSignatureFrom(cur, c) == nil {
				next = c
				break
			}
		}
		if next == nil {
			if bytes.Equal(cur.RawIssuer, cur.RawSubject) {
				return nil, fail(CodeUntrusted, "self-signed %q is not a trusted root", cur.Subject.CommonName)
			}
			return nil, fail(CodeUntrusted, "no trusted issuer for %q (issuer %q)", cur.Subject.CommonName, cur.Issuer.CommonName)
		}
		chain = append(chain, next)
		cur = next
	}
	return nil, fail(CodeUntrusted, "certificate chain too long")
}

// checkRevocation looks c up in the CRLs of its issuer; false means no CRL was available.
func (v *Verifier) checkRevocation(ctx context.Context, c, issuer *x509.Certificate, now time.Time) (bool, error) {
	entries, err := v.crlsFor(ctx, issuer)
	if err != nil {
		return false, err
	}
	if len(entries) == 0 {
		return false, nil
	}
	for _, e := range entries {
		if e.list.NextUpdate.IsZero() || now.After(e.list.NextUpdate) {
			return false, fail(CodeCRLStale, "CRL of %q expired on %s", issuer.Subject.CommonName, e.list.NextUpdate.UTC().Format(time.RFC3339))
		}
		if when, ok := e.revoked[serialKey(c.RawIssuer, c.SerialNumber)]; ok {
			return false, fail(CodeRevoked, "%q revoked on %s", c.Subject.CommonName, when.UTC().Format("2006-01-02"))
		}
	}
	return true, nil
}

// crlsFor returns the verified CRLs issued by issuer, fetching configured URLs when their cached
// copy is missing or past its nextUpdate.
func (v *Verifier) crlsFor(ctx context.Context, issuer *x509.Certificate) ([]*crlEntry, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.cfg.Now()
	var out []*crlEntry
	consider := func(e *crlEntry) {
		if !bytes.Equal(e.list.RawIssuer, issuer.RawSubject) {
			return
		}
		alg, err := outerSignature(e.list.Raw)
		if err != nil || verifySigned(alg, issuer.RawSubjectPublicKeyInfo, e.list.RawTBSRevocationList, e.list.Signature) != nil {
			return // not signed by this issuer: ignore it
		}
		out = append(out, e)
	}
	for _, e := range v.crls {
		consider(e)
	}
	var fetchErr error
	for _, u := range v.cfg.CRLURLs {
		e := v.fetched[u]
		if e == nil || now.After(e.list.NextUpdate) {
			fresh, err := v.fetch(ctx, u)
			if err != nil {
				fetchErr = err
				if e == nil {
					continue
				}
			} else {
				e = fresh
				v.fetched[u] = e
			}
		}
		consider(e)
	}
	if len(out) == 0 && fetchErr != nil && v.cfg.RequireRevocation {
		return nil, wrap(CodeCRLUnavailable, fetchErr, "fetching CRL")
	}
	return out, nil
}

func (v *Verifier) fetch(ctx context.Context, url string) (*crlEntry, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := v.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	return v.loadCRL(b, url)
}

// AsError returns err as *Error when it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
